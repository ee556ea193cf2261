//! The page's side of the worker: spawn it, send it work, turn its
//! messages into [`Msg`]s. Non-`Send` browser objects (the worker, the
//! files of the batch) live here, outside the reactive signals.

use std::cell::RefCell;

use js_sys::{Array, Object, Uint8Array};

use engine::config::Config;

pub use crate::protocol::{Reply, Request, Timings};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, File, MessageEvent, Url, Worker};

/// A message from the worker (or, for `Crashed`, about it).
pub type Msg = Reply;

type Handler = (
    Closure<dyn FnMut(MessageEvent)>,
    Closure<dyn FnMut(web_sys::ErrorEvent)>,
);

/// The running worker; messages wait in `queue` until it says it is ready
/// (a message posted while its WebAssembly still compiles would be lost).
struct Running {
    worker: Worker,
    _handlers: Handler,
    ready: bool,
    queue: Vec<Object>,
}

thread_local! {
    static WORKER: RefCell<Option<Running>> = const { RefCell::new(None) };
    static BATCH: RefCell<Vec<File>> = const { RefCell::new(Vec::new()) };
}

/// Starts (or restarts) the worker. Trunk builds it as `worker.js` (no-modules
/// glue) + `worker_bg.wasm` next to the page; a small loader script resolves
/// both against the page's URL, so the site also works under a sub-path.
pub fn spawn(on_message: impl Fn(Msg) + 'static) -> Result<(), String> {
    terminate();
    let window = web_sys::window().ok_or("no window")?;
    let href = window.location().href().map_err(|e| format!("{e:?}"))?;
    let base = Url::new_with_base("./", &href)
        .map_err(|e| format!("{e:?}"))?
        .href();
    // The page's address is text anyone can write into a link (a host that
    // serves index.html for any path): it goes into the loader as JSON
    // string literals, never spliced into code.
    let js = |file: &str| serde_json::to_string(&format!("{base}{file}")).unwrap_or_default();
    let loader = format!(
        "importScripts({}); wasm_bindgen({});",
        js("worker.js"),
        js("worker_bg.wasm")
    );
    let options = BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = Blob::new_with_str_sequence_and_options(&Array::of1(&loader.into()), &options)
        .map_err(|e| format!("{e:?}"))?;
    let url = Url::create_object_url_with_blob(&blob).map_err(|e| format!("{e:?}"))?;
    let worker = Worker::new(&url).map_err(|e| format!("cannot start the worker: {e:?}"))?;
    let on_message = std::rc::Rc::new(on_message);
    let on_error = on_message.clone();
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        match Reply::decode(&ev.data()) {
            Ok(Reply::Ready) => flush(),
            Ok(reply) => on_message(reply),
            Err(message) => on_message(Reply::Error { message }),
        }
    });
    // A crash inside the worker must not leave the page waiting forever.
    let errors = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |ev: web_sys::ErrorEvent| {
        ev.prevent_default();
        on_error(Reply::Crashed {
            message: ev.message(),
        })
    });
    worker.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    worker.set_onerror(Some(errors.as_ref().unchecked_ref()));
    WORKER.with(|w| {
        *w.borrow_mut() = Some(Running {
            worker,
            _handlers: (handler, errors),
            ready: false,
            queue: Vec::new(),
        })
    });
    Ok(())
}

/// Stops the worker (Cancel); the next [`spawn`] starts a fresh one.
pub fn terminate() {
    WORKER.with(|w| {
        if let Some(running) = w.borrow_mut().take() {
            running.worker.terminate();
        }
    });
}

fn send(request: &Request) -> Result<(), String> {
    let msg = request.encode();
    WORKER.with(|w| match w.borrow_mut().as_mut() {
        Some(running) if running.ready => running
            .worker
            .post_message(&msg)
            .map_err(|e| format!("{e:?}")),
        Some(running) => {
            running.queue.push(msg);
            Ok(())
        }
        None => Err("the worker is not running".to_string()),
    })
}

/// Marks the worker ready and sends what waited.
fn flush() {
    WORKER.with(|w| {
        if let Some(running) = w.borrow_mut().as_mut() {
            running.ready = true;
            for msg in running.queue.drain(..) {
                if running.worker.post_message(&msg).is_err() {
                    web_sys::console::error_1(&"could not send work to the worker".into());
                }
            }
        }
    })
}

/// Adds files to the batch (a file with the same name and size as one
/// already in it is skipped) and returns the names skipped.
pub fn add_files(files: Vec<File>) -> Vec<String> {
    BATCH.with(|b| {
        let mut batch = b.borrow_mut();
        let mut skipped = Vec::new();
        for f in files {
            if batch
                .iter()
                .any(|x| x.name() == f.name() && x.size() == f.size())
            {
                skipped.push(f.name());
            } else {
                batch.push(f);
            }
        }
        skipped
    })
}

/// Removes a file from the batch by name.
pub fn remove_file(name: &str) {
    BATCH.with(|b| b.borrow_mut().retain(|f| f.name() != name));
}

/// Forgets every file.
pub fn clear_files() {
    BATCH.with(|b| b.borrow_mut().clear());
}

/// Number of files in the batch.
pub fn batch_len() -> usize {
    BATCH.with(|b| b.borrow().len())
}

/// Sends the whole batch to be read and computed.
pub fn load(config: &Config) -> Result<(), String> {
    let files = BATCH.with(|b| b.borrow().clone());
    send(&Request::Load {
        config: config.clone(),
        files,
    })
}

/// Asks for the generated sample batch.
pub fn sample(config: &Config) -> Result<(), String> {
    send(&Request::Sample {
        config: config.clone(),
    })
}

/// Recomputes with new settings from the events already parsed.
pub fn reconfigure(config: &Config) -> Result<(), String> {
    send(&Request::Reconfigure {
        config: config.clone(),
    })
}

/// Asks for a download by name.
pub fn download(name: &str) -> Result<(), String> {
    send(&Request::Download {
        name: name.to_string(),
    })
}

/// Saves bytes as a file through a temporary link.
pub fn save(name: &str, bytes: &[u8]) -> Result<(), String> {
    let options = BlobPropertyBag::new();
    options.set_type(if name.ends_with(".zip") {
        "application/zip"
    } else if name.ends_with(".json") {
        "application/json"
    } else if name.ends_with(".html") {
        "text/html;charset=utf-8"
    } else {
        "text/csv;charset=utf-8"
    });
    let parts = Array::of1(&Uint8Array::from(bytes).into());
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|e| format!("{e:?}"))?;
    let url = Url::create_object_url_with_blob(&blob).map_err(|e| format!("{e:?}"))?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| format!("{e:?}"))?
        .unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    let _ = Url::revoke_object_url(&url);
    Ok(())
}
