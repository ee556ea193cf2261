//! What a worker says to the page: replies, progress, and downloads a
//! piece at a time.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::DedicatedWorkerGlobalScope;

use crate::protocol::Reply;

pub(super) fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Posts a reply to the page (a download's buffer is transferred).
pub(super) fn post(reply: &Reply) {
    let (msg, transfer) = reply.encode();
    let result = match transfer {
        Some(t) => scope().post_message_with_transfer(&msg, &Array::of1(&t)),
        None => scope().post_message(&msg),
    };
    if result.is_err() {
        web_sys::console::error_1(&"worker: could not post a message".into());
    }
}

/// Bytes of a download per [`Reply::DownloadPart`].
const PIECE: usize = 4 * 1024 * 1024;

/// A `Write` that posts a download to the page a piece at a time.
pub(super) struct Pieces {
    name: String,
    buf: Vec<u8>,
}

impl Pieces {
    pub(super) fn new(name: &str) -> Pieces {
        Pieces {
            name: name.to_string(),
            buf: Vec::with_capacity(PIECE),
        }
    }

    fn bytes(&mut self) -> JsValue {
        let bytes = Uint8Array::from(self.buf.as_slice()).into();
        self.buf.clear();
        bytes
    }

    /// Posts the last piece as the download itself.
    pub(super) fn end(mut self) {
        let bytes = self.bytes();
        post(&Reply::Download {
            name: std::mem::take(&mut self.name),
            bytes,
        });
    }
}

impl std::io::Write for Pieces {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= PIECE {
            let bytes = self.bytes();
            post(&Reply::DownloadPart {
                name: self.name.clone(),
                bytes,
            });
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A buffer of the browser's, of a size known ahead, filled in order: a
/// part is encoded straight into the buffer handed to the page, and never
/// whole in the worker's own memory as well.
pub(super) struct JsBuffer {
    array: Uint8Array,
    at: u32,
    /// Bytes offered past the end (none when the size was right).
    over: usize,
}

impl JsBuffer {
    pub(super) fn new(len: usize) -> Result<JsBuffer, String> {
        let len = u32::try_from(len).map_err(|_| format!("a part of {len} bytes"))?;
        Ok(JsBuffer {
            array: Uint8Array::new_with_length(len),
            at: 0,
            over: 0,
        })
    }

    /// Copies `data` in after what is there; what does not fit is counted.
    pub(super) fn write(&mut self, data: &[u8]) {
        let room = (self.array.length() - self.at) as usize;
        let n = data.len().min(room);
        let end = self.at + n as u32;
        self.array.subarray(self.at, end).copy_from(&data[..n]);
        self.at = end;
        self.over += data.len() - n;
    }

    /// The buffer, once exactly filled.
    pub(super) fn finish(self) -> Result<JsValue, String> {
        if self.at != self.array.length() || self.over > 0 {
            return Err(format!(
                "a part measured at {} bytes came to {}",
                self.array.length(),
                self.at as usize + self.over
            ));
        }
        Ok(self.array.buffer().into())
    }
}

/// Tells the page how far the job is.
pub(super) fn progress(stage: &str, bytes: f64, total: f64) {
    post(&Reply::Progress {
        stage: stage.to_string(),
        bytes,
        total,
    });
}
