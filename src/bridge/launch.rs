//! Starting a worker: a module worker running the page's own WebAssembly,
//! with its replies and a crash routed to the page.

use std::rc::Rc;

use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, MessageEvent, Url, Worker};

use crate::protocol::Reply;

type Handler = (
    Closure<dyn FnMut(MessageEvent)>,
    Closure<dyn FnMut(web_sys::Event)>,
);

/// A running worker; messages wait in `queue` until it says it is ready
/// (a message posted while its WebAssembly still compiles would be lost).
pub(super) struct Running {
    pub(super) worker: Worker,
    _handlers: Handler,
    pub(super) ready: bool,
    pub(super) queue: Vec<(Object, Array)>,
}

/// The `href` of the page's first `<link>` matching `selector`, made absolute.
fn linked(document: &web_sys::Document, selector: &str, page: &str) -> Result<String, String> {
    let href = document
        .query_selector(selector)
        .ok()
        .flatten()
        .and_then(|link| link.get_attribute("href"))
        .ok_or_else(|| format!("the page lacks its {selector}"))?;
    Url::new_with_base(&href, page)
        .map(|u| u.href())
        .map_err(|e| format!("{e:?}"))
}

/// A module worker running the app's own WebAssembly. The page and its
/// workers share one module: Trunk links its glue (`modulepreload`) and its
/// `.wasm` (`preload`) from index.html, and a small loader module imports
/// both by those links, so the site also works under a sub-path and the
/// browser downloads and caches the module once. The module's `main` sees
/// it runs in a worker and answers requests there.
pub(crate) fn start_worker() -> Result<Worker, String> {
    let window = web_sys::window().ok_or("no window")?;
    let page = window.location().href().map_err(|e| format!("{e:?}"))?;
    let document = window.document().ok_or("no document")?;
    let glue = linked(&document, "link[rel=modulepreload]", &page)?;
    let wasm = linked(&document, "link[rel=preload][as=fetch]", &page)?;
    // The page's address is text anyone can write into a link (a host that
    // serves index.html for any path): the URLs go into the loader as JSON
    // string literals, never spliced into code.
    let js = |url: &str| serde_json::to_string(url).unwrap_or_default();
    let loader = format!(
        "import init from {};\nawait init({{ module_or_path: {} }});\n",
        js(&glue),
        js(&wasm)
    );
    let options = BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = Blob::new_with_str_sequence_and_options(&Array::of1(&loader.into()), &options)
        .map_err(|e| format!("{e:?}"))?;
    let url = Url::create_object_url_with_blob(&blob).map_err(|e| format!("{e:?}"))?;
    let worker_options = web_sys::WorkerOptions::new();
    worker_options.set_type(web_sys::WorkerType::Module);
    Worker::new_with_options(&url, &worker_options)
        .map_err(|e| format!("cannot start the worker: {e:?}"))
}

/// Starts a worker whose replies (and a crash, as `Crashed`) go to `route`.
pub(super) fn run_worker(route: Rc<dyn Fn(Reply)>) -> Result<Running, String> {
    let worker = start_worker()?;
    let on_error = route.clone();
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        match Reply::decode(&ev.data()) {
            Ok(reply) => route(reply),
            Err(message) => route(Reply::Error { message }),
        }
    });
    // A crash inside the worker must not leave the page waiting forever.
    // A worker that fails to load fires a plain `Event` (no message).
    let errors = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
        ev.prevent_default();
        let message = js_sys::Reflect::get(&ev, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_else(|| "the worker could not start".to_string());
        on_error(Reply::Crashed { message })
    });
    worker.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    worker.set_onerror(Some(errors.as_ref().unchecked_ref()));
    Ok(Running {
        worker,
        _handlers: (handler, errors),
        ready: false,
        queue: Vec::new(),
    })
}
