//! The Web Worker that runs the engine, so the page never freezes.
//!
//! It answers the [`Request`]s of [`crate::protocol`]: `Load` reads the
//! files in 4 MB slices with `FileReaderSync` (never a whole file in memory
//! at once) and computes; `ReadPart` (sent to the helper workers, one per
//! core) reads a run of the files into an ingest part and hands its bytes
//! back; `Merge` merges those parts in file order into exactly the dataset
//! `Load` would have read, and computes; `Sample` uses 14 generated days; `Reconfigure`
//! recomputes from the events already parsed (reading the files again only
//! when the revenue cap changed); `Download` makes one table,
//! `report.json`, `manifest.json` or `all.zip`. It replies `Ready` once it
//! listens, `Warm` after its warm-up run, `Progress`, `Report` (with the
//! time each step took), `Download` and `Error`.
//!
//! Files are processed in name order, like `puffy run` on a folder, so the
//! downloads are byte-identical to the CLI's.

use std::cell::RefCell;
use std::io::Read;

use engine::config::Config;
use engine::ingest::parts::{self, Part};
use engine::ingest::{Dataset, Ingest};
use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, File, FileReaderSync, MessageEvent};

use crate::protocol::{Reply, Request, Timings};

/// Bytes read per slice of a `File`.
const SLICE: f64 = 4.0 * 1024.0 * 1024.0;

/// What the worker keeps between messages: the parsed events, the run
/// behind the current report (downloads reuse it) and where the events
/// came from.
struct State {
    data: Dataset,
    sources: Sources,
    /// The sources' sizes and SHA-256, once a manifest has asked for them.
    digests: Option<Vec<puffy_report::bundle::InputDigest>>,
    run: engine::pipeline::Run,
}

/// The batch's input files, for the manifest's sizes and SHA-256. Those are
/// worked out when a manifest is first asked for, not while loading:
/// hashing every byte took a quarter of the reading time.
enum Sources {
    /// Files from the page, in name order.
    Files(Vec<File>),
    /// The generated sample's files.
    Sample(Vec<engine::synth::SynthFile>),
}

impl Sources {
    /// Sizes and SHA-256 of every input.
    fn digests(&self) -> Result<Vec<puffy_report::bundle::InputDigest>, String> {
        Ok(match self {
            Sources::Sample(files) => files
                .iter()
                .map(|f| puffy_report::bundle::InputDigest::of(&f.name, &f.bytes))
                .collect(),
            Sources::Files(files) => {
                let reader =
                    FileReaderSync::new().map_err(|e| format!("cannot read files here: {e:?}"))?;
                let total: f64 = files.iter().map(|f| f.size()).sum();
                let mut done = 0.0;
                let mut digests = Vec::with_capacity(files.len());
                for file in files {
                    let mut blob = BlobReader::new(file, &reader, done, total);
                    blob.hasher = Some(sha2::Digest::new());
                    // A file that cannot be read (again) is hashed as far as
                    // it could be, like the CLI's unreadable files.
                    let _ = std::io::copy(&mut blob, &mut std::io::sink());
                    digests.push(blob.digest(&file.name()));
                    done += file.size();
                }
                digests
            }
        })
    }
}

thread_local! {
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
    /// How many workers read the batch of the next report (1 unless it was
    /// merged from parts).
    static READERS: std::cell::Cell<u32> = const { std::cell::Cell::new(1) };
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Posts a reply to the page (a download's buffer is transferred).
fn post(reply: &Reply) {
    let (msg, transfer) = reply.encode();
    let result = match transfer {
        Some(t) => scope().post_message_with_transfer(&msg, &Array::of1(&t)),
        None => scope().post_message(&msg),
    };
    if result.is_err() {
        web_sys::console::error_1(&"worker: could not post a message".into());
    }
}

/// Installs the message handler; called by the worker binary's `main`.
pub fn start() {
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(|ev: MessageEvent| {
        let result = Request::decode(&ev.data()).and_then(handle);
        if let Err(message) = result {
            post(&Reply::Error { message });
        }
    });
    scope().set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    post(&Reply::Ready);
    warm_up();
    post(&Reply::Warm);
}

/// Runs every stage once on a small generated batch as soon as the worker
/// starts, while the analyst is still choosing files. Browsers first run
/// WebAssembly with a quick baseline compiler and optimise only the code
/// that has run a while; without this, the first real batch ran about three
/// times slower than the next one. Messages that arrive meanwhile wait.
fn warm_up() {
    let sample = engine::synth::SynthConfig {
        days: 3,
        events_per_day: 1500,
        ..engine::synth::SynthConfig::default()
    };
    let (files, data) = generated(&sample, &Config::default());
    let _ = Sources::Sample(files).digests();
    if let Ok(run) = engine::pipeline::run(&data, &Config::default()) {
        let _ = serde_json::to_string(&engine::report::report(&data, &run));
    }
}

/// A generated batch and its parsed events.
fn generated(
    cfg: &engine::synth::SynthConfig,
    config: &Config,
) -> (Vec<engine::synth::SynthFile>, Dataset) {
    let (files, _) = engine::synth::generate(cfg);
    let mut ingest = Ingest::new().with_config(&config.ingest);
    for f in &files {
        ingest.add_file(&f.name, f.bytes.as_slice());
    }
    (files, ingest.finish())
}

/// Milliseconds since the worker started (for the timings shown).
fn now() -> f64 {
    scope().performance().map_or(0.0, |p| p.now())
}

fn handle(request: Request) -> Result<(), String> {
    let started = now();
    match request {
        Request::Load { config, files } => {
            let (dataset, files) = load(files, &config)?;
            finish(dataset, Sources::Files(files), &config, started)
        }
        Request::ReadPart { job, config, files } => {
            let mut part = Part::new(&config.ingest);
            let total: f64 = files.iter().map(|f| f.size()).sum();
            read_into(part.ingest(), &files, total)?;
            let bytes = part.to_bytes();
            drop(part);
            let buffer = Uint8Array::from(bytes.as_slice()).buffer().into();
            drop(bytes);
            post(&Reply::Part { job, buffer });
            Ok(())
        }
        Request::Merge {
            config,
            started_at,
            files,
            parts,
        } => {
            // Started on the page's clock: the helpers' reading counts too.
            let started = started_at - scope().performance().map_or(0.0, |p| p.time_origin());
            let total: f64 = files.iter().map(|f| f.size()).sum();
            progress("Merging what the workers read", total, total);
            let mut read = Vec::with_capacity(parts.len());
            for buffer in parts {
                // One part's bytes at a time in this worker's memory.
                let bytes = Uint8Array::new(&buffer).to_vec();
                read.push(Part::from_bytes(&bytes, &config.ingest)?);
            }
            let readers = read.len();
            match parts::merge(read) {
                Some(dataset) => {
                    READERS.with(|r| r.set(readers as u32));
                    finish(dataset, Sources::Files(files), &config, started)
                }
                // Past the batch's revenue ceiling only one reader is exact.
                None => {
                    let (dataset, files) = load(files, &config)?;
                    finish(dataset, Sources::Files(files), &config, started)
                }
            }
        }
        Request::Sample { config } => {
            progress("Generating sample data", 0.0, 1.0);
            let (files, data) = generated(&engine::synth::SynthConfig::default(), &config);
            finish(data, Sources::Sample(files), &config, started)
        }
        Request::Reconfigure { config } => {
            config.validate().map_err(|e| e.to_string())?;
            // A new revenue cap changes which rows are quarantined: read
            // the files again. Other settings recompute from the parsed
            // events; on invalid settings the current data and report stay.
            // Only the File handles are taken along (the sample is made again).
            let reread = STATE.with(|s| {
                let s = s.borrow();
                let s = s.as_ref()?;
                (s.run.cfg.ingest != config.ingest).then(|| match &s.sources {
                    Sources::Files(files) => Some(files.clone()),
                    Sources::Sample(_) => None,
                })
            });
            match reread {
                Some(Some(files)) => {
                    let (dataset, files) = load(files, &config)?;
                    return finish(dataset, Sources::Files(files), &config, started);
                }
                Some(None) => {
                    let (files, data) = generated(&engine::synth::SynthConfig::default(), &config);
                    return finish(data, Sources::Sample(files), &config, started);
                }
                None => {}
            }
            STATE.with(|s| -> Result<(), String> {
                let mut s = s.borrow_mut();
                let s = s.as_mut().ok_or("no data loaded")?;
                let computing = now();
                s.run = engine::pipeline::run(&s.data, &config).map_err(|e| e.to_string())?;
                post_report(&s.data, &s.run, [started, computing, now()])
            })
        }
        Request::Download { name } => {
            let download = puffy_report::bundle::Download::from_file_name(&name)
                .ok_or_else(|| format!("unknown download {name:?}"))?;
            let bytes = STATE.with(|s| {
                let mut s = s.borrow_mut();
                let s = s.as_mut().ok_or("no data loaded")?;
                if download.needs_digests() && s.digests.is_none() {
                    s.digests = Some(s.sources.digests()?);
                }
                let inputs = s.digests.as_deref().unwrap_or_default();
                puffy_report::bundle::file(&s.data, &s.run, inputs, download)
            })?;
            post(&Reply::Download { name, bytes });
            Ok(())
        }
    }
}

fn progress(stage: &str, bytes: f64, total: f64) {
    post(&Reply::Progress {
        stage: stage.to_string(),
        bytes,
        total,
    });
}

/// Reads every file in name order, slice by slice.
fn load(mut files: Vec<File>, config: &Config) -> Result<(Dataset, Vec<File>), String> {
    files.sort_by_key(|f| f.name());
    let total: f64 = files.iter().map(|f| f.size()).sum();
    let mut ingest = Ingest::with_expected_bytes(total as u64).with_config(&config.ingest);
    read_into(&mut ingest, &files, total)?;
    progress("Computing the report", total, total);
    Ok((ingest.finish(), files))
}

/// Reads `files` in the order given into `ingest` (a whole batch or a
/// part), reporting progress out of `total` bytes.
fn read_into(ingest: &mut Ingest, files: &[File], total: f64) -> Result<(), String> {
    let reader = FileReaderSync::new().map_err(|e| format!("cannot read files here: {e:?}"))?;
    let mut done = 0.0;
    for file in files {
        let name = file.name();
        progress(&format!("Reading {name}"), done, total);
        if name.to_ascii_lowercase().ends_with(".zip") {
            let mut blob = BlobReader::new(file, &reader, done, total);
            let mut bytes = Vec::with_capacity(file.size() as usize);
            match blob.read_to_end(&mut bytes) {
                Ok(_) => {
                    engine::ingest::archive::add_zip(ingest, &name, std::io::Cursor::new(bytes))
                }
                Err(e) => {
                    ingest.add_unreadable(&name, &e.to_string());
                }
            }
            done += file.size();
            continue;
        }
        let mut blob = BlobReader::new(file, &reader, done, total);
        ingest.add_file(&name, &mut blob);
        if let Some(e) = blob.error.take() {
            // The engine recorded a short read; say why in the file's error.
            web_sys::console::warn_1(&format!("{name}: {e}").into());
        }
        done += file.size();
    }
    Ok(())
}

/// Posts `report.json` of a run with the time each step took; `marks` are
/// when reading, computing and writing the report started.
fn post_report(
    data: &Dataset,
    run: &engine::pipeline::Run,
    [reading, computing, reporting]: [f64; 3],
) -> Result<(), String> {
    let json =
        serde_json::to_string(&engine::report::report(data, run)).map_err(|e| e.to_string())?;
    post(&Reply::Report {
        timings: Timings {
            read_ms: computing - reading,
            compute_ms: reporting - computing,
            report_ms: now() - reporting,
            readers: READERS.with(|r| r.replace(1)),
        },
        json,
    });
    Ok(())
}

/// Computes the report of newly loaded data and keeps both.
fn finish(data: Dataset, sources: Sources, config: &Config, started: f64) -> Result<(), String> {
    let computing = now();
    let run = engine::pipeline::run(&data, config).map_err(|e| e.to_string())?;
    post_report(&data, &run, [started, computing, now()])?;
    STATE.with(|s| {
        *s.borrow_mut() = Some(State {
            data,
            sources,
            digests: None,
            run,
        })
    });
    Ok(())
}

/// A `Read` over a browser `File`, one slice at a time, that reports
/// progress and, when asked, hashes the bytes (for the manifest).
struct BlobReader<'a> {
    file: &'a File,
    reader: &'a FileReaderSync,
    pos: f64,
    chunk: Vec<u8>,
    at: usize,
    hasher: Option<sha2::Sha256>,
    base: f64,
    total: f64,
    error: Option<String>,
}

impl<'a> BlobReader<'a> {
    fn new(file: &'a File, reader: &'a FileReaderSync, base: f64, total: f64) -> Self {
        BlobReader {
            file,
            reader,
            pos: 0.0,
            chunk: Vec::new(),
            at: 0,
            hasher: None,
            base,
            total,
            error: None,
        }
    }

    fn digest(self, name: &str) -> puffy_report::bundle::InputDigest {
        use sha2::Digest;
        puffy_report::bundle::InputDigest {
            name: name.to_string(),
            bytes: self.pos as u64,
            sha256: puffy_report::bundle::hex(&self.hasher.unwrap_or_default().finalize()),
        }
    }

    fn refill(&mut self) -> std::io::Result<()> {
        use sha2::Digest;
        let end = (self.pos + SLICE).min(self.file.size());
        let blob = self
            .file
            .slice_with_f64_and_f64(self.pos, end)
            .map_err(js_io)?;
        let buffer = self.reader.read_as_array_buffer(&blob).map_err(js_io)?;
        self.chunk = Uint8Array::new(&buffer).to_vec();
        if let Some(hasher) = &mut self.hasher {
            hasher.update(&self.chunk);
        }
        self.at = 0;
        self.pos = end;
        progress(
            &format!("Reading {}", self.file.name()),
            self.base + self.pos,
            self.total,
        );
        Ok(())
    }
}

impl Read for BlobReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at >= self.chunk.len() {
            if self.pos >= self.file.size() {
                return Ok(0);
            }
            if let Err(e) = self.refill() {
                self.error = Some(e.to_string());
                return Err(e);
            }
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

fn js_io(e: JsValue) -> std::io::Error {
    std::io::Error::other(format!("{e:?}"))
}
