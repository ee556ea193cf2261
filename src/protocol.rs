//! The one protocol between the page and its Web Workers: [`Request`]s go
//! to a worker, [`Reply`]s come back. Each message is a plain JavaScript
//! object `{msg, files?, text?, bytes?}`: `msg` is the enum as
//! JSON, and what is large or cannot be serialised travels beside it (the
//! dropped `File`s, the text of `report.json`, a download's or a part's
//! bytes as transferred buffers, never copied between threads). Both sides
//! use the `encode`/`decode` helpers here, so the message shapes are
//! written once.
//!
//! The enums use serde's default (external) tagging, `{"progress":{...}}`:
//! an internally tagged enum (`{"type":"progress",...}`) is read through a
//! buffered copy of the message, which doubles the reading code of every
//! message type (23 KB of the gzipped WebAssembly).

use engine::config::Config;
use js_sys::{Array, Object, Reflect, Uint8Array};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::File;

/// Page → worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    /// Read the files (in name order) and compute the report.
    Load {
        /// Settings.
        config: Config,
        /// The files (travel beside the JSON).
        #[serde(skip)]
        files: Vec<File>,
    },
    /// Read these files (a contiguous run of the batch in name order) into
    /// an ingest part and send its bytes back (a helper worker's job).
    ReadPart {
        /// The batch this part belongs to (replies of a cancelled batch are
        /// told apart by it).
        job: u32,
        /// Its place among the batch's runs of files (1 and up; the main
        /// worker reads run 0).
        share: u32,
        /// Settings (the ingest part: the revenue cap).
        config: Config,
        /// The files (travel beside the JSON).
        #[serde(skip)]
        files: Vec<File>,
    },
    /// Read the first `own` files into a part, wait for the `parts` parts
    /// the helpers read from the rest ([`Request::AddPart`]), merge them in
    /// file order and compute the report, as `Load` would have.
    Merge {
        /// The batch.
        job: u32,
        /// Settings.
        config: Config,
        /// When the page started the batch (ms since the epoch, to time
        /// the reading done elsewhere too).
        started_at: f64,
        /// How many of the files, from the first, this worker reads.
        own: u32,
        /// How many parts the helpers send.
        parts: u32,
        /// Every file of the batch, in name order (for the manifest and to
        /// read again).
        #[serde(skip)]
        files: Vec<File>,
    },
    /// A helper's part for the batch being merged.
    AddPart {
        /// The batch.
        job: u32,
        /// Its place among the runs of files.
        share: u32,
        /// The part's bytes (an `ArrayBuffer`, transferred).
        #[serde(skip)]
        buffer: JsValue,
    },
    /// Compute the report of 14 generated days.
    Sample {
        /// Settings.
        config: Config,
    },
    /// Recompute with new settings from the events already parsed.
    Reconfigure {
        /// Settings.
        config: Config,
    },
    /// Show this period, segment and comparison (empty: the whole batch):
    /// the report is made again from the run already computed, and so are
    /// the downloads after it. Kept for the batches that follow.
    View {
        /// The view, as the URL query has it.
        query: engine::report::compare::ViewQuery,
    },
    /// Make one download (a table, `report.json`, `manifest.json`, `all.zip`).
    Download {
        /// Its file name.
        name: String,
    },
}

/// How long the worker took for a report, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    /// Reading and parsing the files (zero when recomputing settings).
    pub read_ms: f64,
    /// The pipeline, from sessions to alerts.
    pub compute_ms: f64,
    /// Writing `report.json`.
    pub report_ms: f64,
    /// How many workers read the files (one per core for a batch of
    /// several files; 1 otherwise).
    #[serde(default)]
    pub readers: u32,
}

/// Worker → page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reply {
    /// The worker listens (the page holds requests until then).
    Ready,
    /// The warm-up run is done: the next batch runs at full speed.
    Warm,
    /// Work in progress.
    Progress {
        /// What is happening.
        stage: String,
        /// Bytes read so far.
        bytes: f64,
        /// Bytes in the batch.
        total: f64,
    },
    /// `report.json` of the batch, with the worker's timings.
    Report {
        /// How long each step took.
        timings: Timings,
        /// Why the view asked for could not be shown (the whole batch's
        /// report is, then).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        notice: Option<String>,
        /// The report's JSON (travels beside the message).
        #[serde(skip)]
        json: String,
    },
    /// A part read by a helper worker ([`Request::ReadPart`]).
    Part {
        /// The batch it belongs to.
        job: u32,
        /// Its place among the runs of files.
        share: u32,
        /// Its bytes (an `ArrayBuffer`, transferred beside the message).
        #[serde(skip)]
        buffer: JsValue,
    },
    /// A piece of a large download, in order; the [`Reply::Download`] of
    /// the same name ends it. Tables travel this way, a few MB at a time,
    /// so neither the worker nor the page ever holds the whole file in its
    /// own memory (the page chains the pieces into a `Blob`).
    DownloadPart {
        /// File name.
        name: String,
        /// A `Uint8Array` over a transferred buffer, beside the message.
        #[serde(skip)]
        bytes: JsValue,
    },
    /// A download's (last) bytes; on the page, after the bridge has joined
    /// its pieces, the whole file as a `Blob`.
    Download {
        /// File name.
        name: String,
        /// A `Uint8Array` over a transferred buffer, or a `Blob`.
        #[serde(skip)]
        bytes: JsValue,
    },
    /// Something failed; the current report stays.
    Error {
        /// For a person.
        message: String,
    },
    /// The worker itself died (a panic, out of memory). Made by the page
    /// from the worker's `error` event, never sent.
    Crashed {
        /// The browser's message.
        message: String,
    },
}

fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// The message's JSON, as the `msg` field of an envelope.
fn envelope<T: Serialize>(msg: &T) -> Object {
    let obj = Object::new();
    set(
        &obj,
        "msg",
        &serde_json::to_string(msg).unwrap_or_default().into(),
    );
    obj
}

fn parse<T: for<'de> Deserialize<'de>>(data: &JsValue) -> Result<T, String> {
    let text = get(data, "msg")
        .as_string()
        .ok_or("a message without msg")?;
    serde_json::from_str(&text).map_err(|e| format!("unreadable message: {e}"))
}

impl Request {
    /// The envelope to post (files and parts beside the JSON), and the
    /// buffers to transfer with it.
    pub fn encode(&self) -> (Object, Array) {
        let obj = envelope(self);
        let transfer = Array::new();
        match self {
            Request::Load { files, .. }
            | Request::ReadPart { files, .. }
            | Request::Merge { files, .. } => {
                set(&obj, "files", &files.iter().collect::<Array>());
            }
            Request::AddPart { buffer, .. } => {
                set(&obj, "bytes", buffer);
                transfer.push(buffer);
            }
            _ => {}
        }
        (obj, transfer)
    }

    /// Reads an envelope posted by [`Request::encode`].
    pub fn decode(data: &JsValue) -> Result<Request, String> {
        let mut request: Request = parse(data)?;
        let files_of = || -> Vec<File> {
            Array::from(&get(data, "files"))
                .iter()
                .filter_map(|f| f.dyn_into().ok())
                .collect()
        };
        match &mut request {
            Request::Load { files, .. }
            | Request::ReadPart { files, .. }
            | Request::Merge { files, .. } => *files = files_of(),
            Request::AddPart { buffer, .. } => *buffer = get(data, "bytes"),
            _ => {}
        }
        Ok(request)
    }
}

impl Reply {
    /// The envelope to post, and the buffer to transfer with it, if any.
    pub fn encode(&self) -> (Object, Option<JsValue>) {
        let obj = envelope(self);
        match self {
            Reply::Report { json, .. } => {
                set(&obj, "text", &json.into());
                (obj, None)
            }
            Reply::Download { bytes, .. } | Reply::DownloadPart { bytes, .. } => {
                set(&obj, "bytes", bytes);
                let buffer = bytes.dyn_ref::<Uint8Array>().map(|a| a.buffer().into());
                (obj, buffer)
            }
            Reply::Part { buffer, .. } => {
                set(&obj, "bytes", buffer);
                (obj, Some(buffer.clone()))
            }
            _ => (obj, None),
        }
    }

    /// Reads an envelope posted by [`Reply::encode`].
    pub fn decode(data: &JsValue) -> Result<Reply, String> {
        let mut reply: Reply = parse(data)?;
        match &mut reply {
            Reply::Report { json, .. } => *json = get(data, "text").as_string().unwrap_or_default(),
            Reply::Download { bytes, .. } | Reply::DownloadPart { bytes, .. } => {
                *bytes = get(data, "bytes")
            }
            Reply::Part { buffer, .. } => *buffer = get(data, "bytes"),
            _ => {}
        }
        Ok(reply)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_of_each_message_names_its_type() {
        let r = Request::Sample {
            config: Config::default(),
        };
        let text = serde_json::to_string(&r).unwrap();
        assert!(text.starts_with(r#"{"sample":{"config":{"#), "{text}");
        assert_eq!(serde_json::from_str::<Request>(&text).unwrap(), r);
        let reply = Reply::Progress {
            stage: "Reading".into(),
            bytes: 1.0,
            total: 2.0,
        };
        let text = serde_json::to_string(&reply).unwrap();
        assert_eq!(
            text,
            r#"{"progress":{"stage":"Reading","bytes":1.0,"total":2.0}}"#
        );
        // Attachments are not in the JSON.
        let report = Reply::Report {
            timings: Timings::default(),
            notice: None,
            json: "{\"big\":1}".into(),
        };
        assert!(!serde_json::to_string(&report).unwrap().contains("big"));
    }
}
