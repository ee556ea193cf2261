//! The page's side of the workers: spawn them, send them work, turn their
//! messages into [`Msg`]s. Non-`Send` browser objects (the workers, the
//! files of the batch) live here, outside the reactive signals.
//!
//! There is one main worker, which holds the parsed batch and computes, and
//! one helper worker per further core (`navigator.hardwareConcurrency`). A
//! batch of several files is cut into contiguous runs of its files in name
//! order, balanced by bytes; each helper reads one run into an ingest part
//! and hands its bytes back as a transferred buffer (no `SharedArrayBuffer`,
//! so any static host will do), and the main worker merges the parts in
//! file order into exactly the dataset one reader makes
//! ([`engine::ingest::parts`]).

use std::cell::{Cell, RefCell};
use std::ops::Range;
use std::rc::Rc;

use js_sys::{Array, Object, Uint8Array};

use engine::config::Config;

pub use crate::protocol::{Reply, Request, Timings};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, File, MessageEvent, Url, Worker};

/// A message from the workers (or, for `Crashed`, about one).
pub type Msg = Reply;

/// Where the page takes its messages.
type Listener = Rc<dyn Fn(Msg)>;

type Handler = (
    Closure<dyn FnMut(MessageEvent)>,
    Closure<dyn FnMut(web_sys::Event)>,
);

/// A running worker; messages wait in `queue` until it says it is ready
/// (a message posted while its WebAssembly still compiles would be lost).
struct Running {
    worker: Worker,
    _handlers: Handler,
    ready: bool,
    queue: Vec<(Object, Array)>,
}

/// Which worker.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Slot {
    Main,
    Helper(usize),
}

/// A batch being read by the helpers.
struct Job {
    id: u32,
    config: Config,
    started_at: f64,
    /// Every file, in name order.
    files: Vec<File>,
    /// The helper reading each share, in file order.
    helpers: Vec<usize>,
    /// Bytes of each share, and read so far.
    shares: Vec<f64>,
    done: Vec<f64>,
    /// The parts' buffers as they arrive.
    parts: Vec<Option<JsValue>>,
}

/// A helper is replaced by a fresh one after reading more than this: a
/// WebAssembly memory never shrinks, and it would hold its high-water mark
/// for the rest of the visit.
const RESPAWN_AFTER_BYTES: f64 = 64.0 * 1024.0 * 1024.0;

/// The most helpers started, whatever the machine reports.
const MAX_HELPERS: usize = 8;

thread_local! {
    static WORKER: RefCell<Option<Running>> = const { RefCell::new(None) };
    static HELPERS: RefCell<Vec<Option<Running>>> = const { RefCell::new(Vec::new()) };
    static ON_MESSAGE: RefCell<Option<Listener>> = const { RefCell::new(None) };
    static JOB: RefCell<Option<Job>> = const { RefCell::new(None) };
    static NEXT_JOB: Cell<u32> = const { Cell::new(1) };
    static BATCH: RefCell<Vec<File>> = const { RefCell::new(Vec::new()) };
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
fn run_worker(route: Rc<dyn Fn(Reply)>) -> Result<Running, String> {
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

/// Starts (or restarts) the main worker and the helpers (see
/// [`start_worker`]); the main worker's messages go to `on_message`.
pub fn spawn(on_message: impl Fn(Msg) + 'static) -> Result<(), String> {
    terminate();
    let on_message: Listener = Rc::new(on_message);
    ON_MESSAGE.with(|m| *m.borrow_mut() = Some(on_message.clone()));
    let main = run_worker(Rc::new(move |reply| match reply {
        Reply::Ready => flush(Slot::Main),
        reply => on_message(reply),
    }))?;
    WORKER.with(|w| *w.borrow_mut() = Some(main));
    let helpers = helper_count();
    HELPERS.with(|h| *h.borrow_mut() = (0..helpers).map(|_| None).collect());
    for i in 0..helpers {
        // A helper that cannot start leaves its slot empty: the others (or
        // the main worker alone) read the batch.
        if let Err(e) = spawn_helper(i) {
            web_sys::console::warn_1(&format!("helper worker {i}: {e}").into());
        }
    }
    Ok(())
}

/// One helper per core when there are several (the main worker merges and
/// computes while they read); none on one core.
fn helper_count() -> usize {
    let cores = web_sys::window().map_or(1.0, |w| w.navigator().hardware_concurrency());
    match cores as usize {
        0 | 1 => 0,
        n => n.min(MAX_HELPERS),
    }
}

fn spawn_helper(i: usize) -> Result<(), String> {
    let running = run_worker(Rc::new(move |reply| on_helper(i, reply)))?;
    HELPERS.with(|h| {
        if let Some(slot) = h.borrow_mut().get_mut(i) {
            *slot = Some(running);
        }
    });
    Ok(())
}

/// Passes a message to the page.
fn emit(msg: Msg) {
    if let Some(f) = ON_MESSAGE.with(|m| m.borrow().clone()) {
        f(msg);
    }
}

/// A helper's reply: progress adds up over the helpers; the last part
/// starts the merge.
fn on_helper(i: usize, reply: Reply) {
    match reply {
        Reply::Ready => flush(Slot::Helper(i)),
        Reply::Progress { bytes, .. } => {
            let sum = JOB.with(|j| {
                let mut j = j.borrow_mut();
                let job = j.as_mut()?;
                let share = job.helpers.iter().position(|&h| h == i)?;
                job.done[share] = bytes;
                Some((
                    job.files.len(),
                    job.helpers.len(),
                    job.done.iter().sum(),
                    job.shares.iter().sum(),
                ))
            });
            if let Some((files, helpers, bytes, total)) = sum {
                emit(Reply::Progress {
                    stage: format!("Reading {files} files on {helpers} cores"),
                    bytes,
                    total,
                });
            }
        }
        Reply::Part { job, buffer } => {
            let (complete, share_bytes) = JOB.with(|j| {
                let mut slot = j.borrow_mut();
                let Some(current) = slot.as_mut().filter(|c| c.id == job) else {
                    return (None, 0.0);
                };
                let Some(share) = current.helpers.iter().position(|&h| h == i) else {
                    return (None, 0.0);
                };
                current.parts[share] = Some(buffer);
                let bytes = current.shares[share];
                let complete = current.parts.iter().all(Option::is_some);
                (if complete { slot.take() } else { None }, bytes)
            });
            if share_bytes > RESPAWN_AFTER_BYTES {
                // After this handler returns: it belongs to the old worker.
                wasm_bindgen_futures::spawn_local(async move {
                    stop(Slot::Helper(i));
                    if let Err(e) = spawn_helper(i) {
                        web_sys::console::warn_1(&format!("helper worker {i}: {e}").into());
                    }
                });
            }
            if let Some(job) = complete {
                let merge = Request::Merge {
                    config: job.config,
                    started_at: job.started_at,
                    files: job.files,
                    parts: job.parts.into_iter().flatten().collect(),
                };
                if let Err(message) = post_to(Slot::Main, &merge) {
                    emit(Reply::Error { message });
                }
            }
        }
        Reply::Error { message } => {
            // The batch stops; other helpers' parts of it are ignored.
            let stopped = JOB.with(|j| j.borrow_mut().take());
            if stopped.is_some() {
                emit(Reply::Error { message });
            }
        }
        Reply::Crashed { message } => {
            JOB.with(|j| j.borrow_mut().take());
            emit(Reply::Crashed { message });
        }
        _ => {}
    }
}

fn stop(slot: Slot) {
    let running = match slot {
        Slot::Main => WORKER.with(|w| w.borrow_mut().take()),
        Slot::Helper(i) => HELPERS.with(|h| h.borrow_mut().get_mut(i).and_then(Option::take)),
    };
    if let Some(running) = running {
        running.worker.terminate();
    }
}

/// Stops every worker (Cancel); the next [`spawn`] starts fresh ones.
pub fn terminate() {
    JOB.with(|j| j.borrow_mut().take());
    stop(Slot::Main);
    let helpers = HELPERS.with(|h| h.borrow().len());
    for i in 0..helpers {
        stop(Slot::Helper(i));
    }
}

fn with_slot<R>(slot: Slot, f: impl FnOnce(Option<&mut Running>) -> R) -> R {
    match slot {
        Slot::Main => WORKER.with(|w| f(w.borrow_mut().as_mut())),
        Slot::Helper(i) => HELPERS.with(|h| f(h.borrow_mut().get_mut(i).and_then(Option::as_mut))),
    }
}

fn post_to(slot: Slot, request: &Request) -> Result<(), String> {
    let (msg, transfer) = request.encode();
    with_slot(slot, |running| match running {
        Some(running) if running.ready => running
            .worker
            .post_message_with_transfer(&msg, &transfer)
            .map_err(|e| format!("{e:?}")),
        Some(running) => {
            running.queue.push((msg, transfer));
            Ok(())
        }
        None => Err("the worker is not running".to_string()),
    })
}

fn send(request: &Request) -> Result<(), String> {
    // A new request to the main worker supersedes a batch being read.
    JOB.with(|j| j.borrow_mut().take());
    post_to(Slot::Main, request)
}

/// Marks a worker ready and sends what waited.
fn flush(slot: Slot) {
    with_slot(slot, |running| {
        if let Some(running) = running {
            running.ready = true;
            for (msg, transfer) in running.queue.drain(..) {
                if running
                    .worker
                    .post_message_with_transfer(&msg, &transfer)
                    .is_err()
                {
                    web_sys::console::error_1(&"could not send work to a worker".into());
                }
            }
        }
    })
}

/// Cuts files of these sizes (in order) into at most `k` contiguous,
/// non-empty runs of about equal bytes.
fn split(sizes: &[f64], k: usize) -> Vec<Range<usize>> {
    let k = k.min(sizes.len());
    if k <= 1 {
        return std::iter::once(0..sizes.len()).collect();
    }
    let total: f64 = sizes.iter().sum();
    let mut runs = Vec::with_capacity(k);
    let (mut start, mut acc) = (0, 0.0);
    for (i, size) in sizes.iter().enumerate() {
        acc += size;
        let cuts_left = k - 1 - runs.len();
        let files_left = sizes.len() - i - 1;
        let due = acc >= total * (runs.len() + 1) as f64 / k as f64;
        if cuts_left > 0 && files_left >= cuts_left && (due || files_left == cuts_left) {
            runs.push(start..i + 1);
            start = i + 1;
        }
    }
    runs.push(start..sizes.len());
    runs
}

/// Milliseconds since the epoch on the page's clock (comparable with a
/// worker's `timeOrigin + now()`).
fn epoch_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.time_origin() + p.now())
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

/// Sends the whole batch to be read and computed: read by the helpers in
/// parts when there are several files and helpers, else by the main worker.
pub fn load(config: &Config) -> Result<(), String> {
    let mut files = BATCH.with(|b| b.borrow().clone());
    files.sort_by_key(|f| f.name());
    let helpers: Vec<usize> = HELPERS.with(|h| {
        h.borrow()
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.as_ref().map(|_| i))
            .collect()
    });
    let sizes: Vec<f64> = files.iter().map(|f| f.size()).collect();
    let runs = split(&sizes, helpers.len());
    if runs.len() < 2 {
        return send(&Request::Load {
            config: config.clone(),
            files,
        });
    }
    let id = NEXT_JOB.with(|n| {
        let id = n.get();
        n.set(id.wrapping_add(1));
        id
    });
    let job = Job {
        id,
        config: config.clone(),
        started_at: epoch_ms(),
        helpers: helpers[..runs.len()].to_vec(),
        shares: runs.iter().map(|r| sizes[r.clone()].iter().sum()).collect(),
        done: vec![0.0; runs.len()],
        parts: vec![None; runs.len()],
        files: files.clone(),
    };
    JOB.with(|j| *j.borrow_mut() = Some(job));
    for (run, &helper) in runs.iter().zip(&helpers) {
        let read = Request::ReadPart {
            job: id,
            config: config.clone(),
            files: files[run.clone()].to_vec(),
        };
        if let Err(e) = post_to(Slot::Helper(helper), &read) {
            JOB.with(|j| j.borrow_mut().take());
            return Err(e);
        }
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn files_are_cut_into_contiguous_runs_of_about_equal_bytes() {
        assert_eq!(split(&[5.0, 5.0, 5.0, 5.0], 2), vec![0..2, 2..4]);
        assert_eq!(split(&[1.0, 1.0, 1.0, 9.0], 2), vec![0..3, 3..4]);
        assert_eq!(split(&[9.0, 1.0, 1.0, 1.0], 2), vec![0..1, 1..4]);
        // Never an empty run, never more runs than files.
        assert_eq!(split(&[9.0, 0.0, 0.0], 3), vec![0..1, 1..2, 2..3]);
        assert_eq!(split(&[1.0, 2.0], 8), vec![0..1, 1..2]);
        assert_eq!(
            split(&[1.0, 2.0], 1),
            std::iter::once(0..2).collect::<Vec<_>>()
        );
        assert_eq!(split(&[], 4), std::iter::once(0..0).collect::<Vec<_>>());
        for k in 1..6 {
            let sizes: Vec<f64> = (0..14).map(|i| 1.0 + (i % 3) as f64).collect();
            let runs = split(&sizes, k);
            assert_eq!(runs.len(), k);
            assert_eq!(runs.first().unwrap().start, 0);
            assert_eq!(runs.last().unwrap().end, 14);
            assert!(runs
                .windows(2)
                .all(|w| w[0].end == w[1].start && !w[0].is_empty()));
        }
    }
}
