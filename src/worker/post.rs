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

/// Tells the page how far the job is.
pub(super) fn progress(stage: &str, bytes: f64, total: f64) {
    post(&Reply::Progress {
        stage: stage.to_string(),
        bytes,
        total,
    });
}
