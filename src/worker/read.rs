//! Files into the engine's reader: a `File` read whole ahead of parsing,
//! or slice by slice when large, with progress.

use std::io::Read;

use engine::ingest::Ingest;
use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use web_sys::{File, FileReaderSync};

use super::post::progress;

/// Bytes read per slice of a `File`.
const SLICE: f64 = 4.0 * 1024.0 * 1024.0;

/// Files up to this size are read whole, the next one while this one is
/// parsed; larger ones a slice at a time.
const WHOLE_FILE: f64 = 256.0 * 1024.0 * 1024.0;

/// Reads `files` in the order given into `ingest` (a whole batch or a
/// part), reporting progress out of `total` bytes.
///
/// The browser reads a file into memory on its own threads: each file up to
/// [`WHOLE_FILE`] is asked for (`Blob.arrayBuffer()`) before the previous
/// one is parsed, so reading and parsing overlap. Reading synchronously
/// (`FileReaderSync`) took half of a worker's time at 10x.
pub(super) async fn read_into(
    ingest: &mut Ingest,
    files: &[File],
    total: f64,
) -> Result<(), String> {
    let reader = FileReaderSync::new().map_err(|e| format!("cannot read files here: {e:?}"))?;
    let ask = |f: &File| {
        (f.size() <= WHOLE_FILE).then(|| wasm_bindgen_futures::JsFuture::from(f.array_buffer()))
    };
    let mut next = files.first().and_then(ask);
    let mut done = 0.0;
    for (k, file) in files.iter().enumerate() {
        let name = file.name();
        progress(&format!("Reading {name}"), done, total);
        let whole = match next.take() {
            Some(pending) => Some(pending.await),
            None => None,
        };
        next = files.get(k + 1).and_then(ask);
        let zip = name.to_ascii_lowercase().ends_with(".zip");
        match whole {
            Some(Err(e)) => {
                ingest.add_unreadable(&name, &format!("the browser could not read it ({e:?})"));
            }
            Some(Ok(buffer)) if !zip => {
                ingest.add_file(
                    &name,
                    JsBytes::new(Uint8Array::new(&buffer), &name, done, total),
                );
                release(&buffer);
            }
            None if !zip => {
                let mut blob = BlobReader::new(file, &reader, done, total);
                ingest.add_file(&name, &mut blob);
                if let Some(e) = blob.error.take() {
                    // The engine recorded a short read; say why in the file's error.
                    web_sys::console::warn_1(&format!("{name}: {e}").into());
                }
            }
            // A ZIP's directory is at its end: the whole archive is needed.
            whole => {
                let bytes = match whole {
                    Some(Ok(buffer)) => {
                        let bytes = Uint8Array::new(&buffer).to_vec();
                        release(&buffer);
                        Ok(bytes)
                    }
                    _ => {
                        let mut bytes = Vec::with_capacity(file.size() as usize);
                        BlobReader::new(file, &reader, done, total)
                            .read_to_end(&mut bytes)
                            .map(|_| bytes)
                    }
                };
                match bytes {
                    Ok(bytes) => {
                        engine::ingest::archive::add_zip(ingest, &name, std::io::Cursor::new(bytes))
                    }
                    Err(e) => {
                        ingest.add_unreadable(&name, &e.to_string());
                    }
                }
            }
        }
        done += file.size();
    }
    Ok(())
}

/// A `Read` over a file already in the browser's memory (a `Uint8Array`),
/// copied into the worker a slice at a time, reporting progress.
struct JsBytes<'a> {
    array: Uint8Array,
    name: &'a str,
    chunk: Vec<u8>,
    at: usize,
    pos: u32,
    base: f64,
    total: f64,
}

impl<'a> JsBytes<'a> {
    fn new(array: Uint8Array, name: &'a str, base: f64, total: f64) -> Self {
        JsBytes {
            array,
            name,
            chunk: Vec::new(),
            at: 0,
            pos: 0,
            base,
            total,
        }
    }
}

impl Read for JsBytes<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at >= self.chunk.len() {
            let len = self.array.length();
            if self.pos >= len {
                return Ok(0);
            }
            let end = self.pos.saturating_add(SLICE as u32).min(len);
            self.chunk.resize((end - self.pos) as usize, 0);
            self.array.subarray(self.pos, end).copy_to(&mut self.chunk);
            self.pos = end;
            self.at = 0;
            progress(
                &format!("Reading {}", self.name),
                self.base + f64::from(self.pos),
                self.total,
            );
        }
        Ok(serve(&self.chunk, &mut self.at, buf))
    }
}

/// A `Read` over a browser `File`, one slice at a time, that reports
/// progress and, when asked, hashes the bytes (for the manifest).
pub(super) struct BlobReader<'a> {
    file: &'a File,
    reader: &'a FileReaderSync,
    pos: f64,
    chunk: Vec<u8>,
    at: usize,
    pub(super) hasher: Option<sha2::Sha256>,
    base: f64,
    total: f64,
    error: Option<String>,
}

impl<'a> BlobReader<'a> {
    pub(super) fn new(file: &'a File, reader: &'a FileReaderSync, base: f64, total: f64) -> Self {
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

    pub(super) fn digest(self, name: &str) -> puffy_report::bundle::InputDigest {
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
        release(&buffer);
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
        Ok(serve(&self.chunk, &mut self.at, buf))
    }
}

/// Copies what `buf` takes of `chunk` from `at` on, and moves `at` past it.
fn serve(chunk: &[u8], at: &mut usize, buf: &mut [u8]) -> usize {
    let n = buf.len().min(chunk.len() - *at);
    buf[..n].copy_from_slice(&chunk[*at..*at + n]);
    *at += n;
    n
}

fn js_io(e: JsValue) -> std::io::Error {
    std::io::Error::other(format!("{e:?}"))
}

/// Frees an `ArrayBuffer`'s bytes now rather than whenever the garbage
/// collector next runs. The buffer is transferred in a message to a port
/// whose other end is closed, so the message, and the bytes with it, are
/// dropped at once. For each file read whole, each slice of a large one,
/// and each helper's part once copied.
///
/// Detaching the buffer in the script alone (`transfer(0)`) did not free
/// them: the browser's own handle on a buffer it made
/// (`Blob.arrayBuffer()`) keeps them until its next collection, and a busy
/// worker collects every few seconds. At 100 copies of an export, between
/// 100 and 360 MB of files read stayed in the tab, and the browser's peak
/// went from 1.47 to 1.29 GB once they were freed this way.
pub(super) fn release(buffer: &JsValue) {
    thread_local! {
        /// A port whose other end is closed: what is posted to it is dropped.
        static DROP: Option<web_sys::MessagePort> = web_sys::MessageChannel::new().ok().map(|channel| {
            channel.port2().close();
            channel.port1()
        });
    }
    let dropped = DROP.with(|port| {
        port.as_ref().is_some_and(|port| {
            port.post_message_with_transferable(&JsValue::NULL, &js_sys::Array::of1(buffer))
                .is_ok()
        })
    });
    if !dropped {
        // Where there is no channel, at least detach it.
        let transfer = js_sys::Reflect::get(buffer, &"transfer".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        if let Some(transfer) = transfer {
            let _ = transfer.call1(buffer, &0.into());
        }
    }
}
