//! The page's side of the workers: spawn them, send them work, turn their
//! messages into [`Msg`]s. Non-`Send` browser objects (the workers, the
//! files of the batch) live here, outside the reactive signals.
//!
//! There is one main worker, which holds the parsed batch and computes, and
//! one helper worker per further core (`navigator.hardwareConcurrency`). A
//! batch of several files is cut into contiguous runs of its files in name
//! order, balanced by bytes: the main worker reads the first run, each
//! helper another into an ingest part and hands its bytes back as a
//! transferred buffer (no `SharedArrayBuffer`, so any static host will do),
//! which the page passes on, and the main worker appends the parts to its
//! own in file order into exactly the dataset one reader makes
//! ([`engine::ingest::parts`]). `batch.rs` holds the files of the batch,
//! `launch.rs` starts a worker, `saving.rs` takes the downloads as they
//! arrive and saves them to disk.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use engine::config::Config;

pub use crate::protocol::{Reply, Request, Timings};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A message from the workers (or, for `Crashed`, about one).
pub type Msg = Reply;

mod batch;
mod launch;
mod saving;

pub use batch::{add_files, batch_len, clear_files, remove_file};
use launch::{run_worker, Running};
use saving::add_piece;
pub use saving::{save, save_part};

/// Where the page takes its messages.
type Listener = Rc<dyn Fn(Msg)>;

/// Which worker.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Slot {
    Main,
    Helper(usize),
}

/// A batch being read by the helpers.
struct Job {
    id: u32,
    /// Files in the batch.
    files: usize,
    /// The helper reading each share after the first (which the main
    /// worker reads), in file order.
    helpers: Vec<usize>,
    /// Bytes of each share, and read so far.
    shares: Vec<f64>,
    done: Vec<f64>,
}

impl Job {
    /// Records progress on a share; the batch's progress to show.
    fn progress(&mut self, share: usize, bytes: f64) -> Reply {
        if let Some(done) = self.done.get_mut(share) {
            *done = bytes;
        }
        Reply::Progress {
            stage: format!(
                "Reading {} files on {} cores",
                self.files,
                self.shares.len()
            ),
            bytes: self.done.iter().sum(),
            total: self.shares.iter().sum(),
        }
    }
}

/// A helper is replaced by a fresh one after reading more than this: a
/// WebAssembly memory never shrinks, and it would hold its high-water mark
/// for the rest of the visit.
const RESPAWN_AFTER_BYTES: f64 = 64.0 * 1024.0 * 1024.0;

/// How long after a batch's report the helpers it used are started again
/// ([`respawn_later`]).
const RESPAWN_DELAY_MS: i32 = 1500;

/// The most helpers started, whatever the machine reports.
const MAX_HELPERS: usize = 8;

thread_local! {
    static WORKER: RefCell<Option<Running>> = const { RefCell::new(None) };
    /// Helpers stopped after a large batch, to start again ([`respawn_later`]).
    static RESPAWN: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
    static HELPERS: RefCell<Vec<Option<Running>>> = const { RefCell::new(Vec::new()) };
    static ON_MESSAGE: RefCell<Option<Listener>> = const { RefCell::new(None) };
    static JOB: RefCell<Option<Job>> = const { RefCell::new(None) };
    static NEXT_JOB: Cell<u32> = const { Cell::new(1) };
    /// Workers (main and helpers) still in their warm-up run; the page hears
    /// `Warm` once all are done.
    static WARMING: Cell<usize> = const { Cell::new(0) };
}

/// Starts (or restarts) the main worker and the helpers (see
/// [`launch::start_worker`]); the main worker's messages go to `on_message`.
pub fn spawn(on_message: impl Fn(Msg) + 'static) -> Result<(), String> {
    terminate();
    let on_message: Listener = Rc::new(on_message);
    ON_MESSAGE.with(|m| *m.borrow_mut() = Some(on_message.clone()));
    let main = run_worker(Rc::new(move |reply| match reply {
        Reply::Ready => flush(Slot::Main),
        Reply::Warm => warmed(),
        Reply::DownloadPart { name, bytes } => {
            if let Err(message) = add_piece(&name, &bytes) {
                on_message(Reply::Error { message });
            }
        }
        Reply::Download { name, bytes } => match add_piece(&name, &bytes) {
            Ok(()) => {
                let blob = saving::take_pieces();
                on_message(Reply::Download {
                    name,
                    bytes: blob.map_or(bytes, Into::into),
                })
            }
            Err(message) => on_message(Reply::Error { message }),
        },
        reply @ Reply::Progress { .. } => on_message(on_main_progress(reply)),
        reply => {
            if matches!(
                reply,
                Reply::Report { .. } | Reply::Error { .. } | Reply::Crashed { .. }
            ) {
                JOB.with(|j| j.borrow_mut().take());
                respawn_later();
            }
            on_message(reply)
        }
    }))?;
    WORKER.with(|w| *w.borrow_mut() = Some(main));
    let helpers = helper_count();
    HELPERS.with(|h| *h.borrow_mut() = (0..helpers).map(|_| None).collect());
    WARMING.with(|w| w.set(1 + helpers));
    for i in 0..helpers {
        // A helper that cannot start leaves its slot empty: the others (or
        // the main worker alone) read the batch.
        if let Err(e) = spawn_helper(i) {
            web_sys::console::warn_1(&format!("helper worker {i}: {e}").into());
            warmed();
        }
    }
    Ok(())
}

/// Starts the helpers stopped after a large batch again, a moment after
/// its report (the page draws it meanwhile). Until then a batch is read
/// without them.
fn respawn_later() {
    let start = Closure::once_into_js(|| {
        for i in RESPAWN.with(|r| std::mem::take(&mut *r.borrow_mut())) {
            if let Err(e) = spawn_helper(i) {
                web_sys::console::warn_1(&format!("helper worker {i}: {e}").into());
            }
        }
    });
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
            start.unchecked_ref(),
            RESPAWN_DELAY_MS,
        );
    }
}

/// A worker finished its warm-up; the last one tells the page.
fn warmed() {
    let left = WARMING.with(|w| {
        let left = w.get().saturating_sub(1);
        w.set(left);
        left
    });
    if left == 0 {
        emit(Reply::Warm);
    }
}

/// One helper per further core (the main worker reads a share too); none
/// on one core.
fn helper_count() -> usize {
    let cores = web_sys::window().map_or(1.0, |w| w.navigator().hardware_concurrency());
    (cores as usize).saturating_sub(1).min(MAX_HELPERS)
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
        // A helper started again after a large batch warms up unseen.
        Reply::Warm => warmed(),
        Reply::Progress { bytes, .. } => {
            let progress = JOB.with(|j| {
                let mut j = j.borrow_mut();
                let job = j.as_mut()?;
                let share = 1 + job.helpers.iter().position(|&h| h == i)?;
                Some(job.progress(share, bytes))
            });
            if let Some(progress) = progress {
                emit(progress);
            }
        }
        Reply::Part { job, share, buffer } => {
            let share_bytes = JOB.with(|j| {
                let j = j.borrow();
                let current = j.as_ref().filter(|c| c.id == job)?;
                current.shares.get(share as usize).copied()
            });
            let Some(share_bytes) = share_bytes else {
                return;
            };
            if share_bytes > RESPAWN_AFTER_BYTES {
                // After this handler returns: it belongs to the old worker.
                // Started again once the batch's report is drawn, so that
                // the fresh helper's warm-up does not add to the memory
                // the main worker and the page hold at that moment.
                wasm_bindgen_futures::spawn_local(async move {
                    stop(Slot::Helper(i));
                    RESPAWN.with(|r| r.borrow_mut().push(i));
                });
            }
            if let Err(message) = post_to(Slot::Main, &Request::AddPart { job, share, buffer }) {
                JOB.with(|j| j.borrow_mut().take());
                emit(Reply::Error { message });
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

/// The main worker's progress: while it reads its share of a batch read in
/// parts, part of the batch's progress.
fn on_main_progress(reply: Reply) -> Reply {
    let (bytes, total) = match &reply {
        Reply::Progress { bytes, total, .. } => (*bytes, *total),
        _ => return reply,
    };
    JOB.with(|j| {
        let mut j = j.borrow_mut();
        match j.as_mut() {
            Some(job) if job.shares.first() == Some(&total) => job.progress(0, bytes),
            _ => reply,
        }
    })
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
    RESPAWN.with(|r| r.borrow_mut().clear());
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

/// Milliseconds since the epoch on the page's clock (comparable with a
/// worker's `timeOrigin + now()`).
fn epoch_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.time_origin() + p.now())
}

/// Sends the whole batch to be read and computed: read by the helpers in
/// parts when there are several files and helpers, else by the main worker.
pub fn load(config: &Config) -> Result<(), String> {
    let mut files = batch::files();
    engine::sorting::sort_by_cached_key(&mut files, |f| f.name());
    let helpers: Vec<usize> = HELPERS.with(|h| {
        h.borrow()
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.as_ref().map(|_| i))
            .collect()
    });
    let sizes: Vec<u64> = files.iter().map(|f| f.size() as u64).collect();
    // The main worker reads the first run; a helper each further run.
    let runs = engine::ingest::parts::runs(&sizes, helpers.len() + 1);
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
    send(&Request::Merge {
        job: id,
        config: config.clone(),
        started_at: epoch_ms(),
        own: runs[0].end as u32,
        parts: runs.len() as u32 - 1,
        files: files.clone(),
    })?;
    let shares: Vec<f64> = runs
        .iter()
        .map(|r| sizes[r.clone()].iter().sum::<u64>() as f64)
        .collect();
    JOB.with(|j| {
        *j.borrow_mut() = Some(Job {
            id,
            files: files.len(),
            helpers: helpers[..runs.len() - 1].to_vec(),
            done: vec![0.0; shares.len()],
            shares,
        })
    });
    for (share, run) in runs.iter().enumerate().skip(1) {
        let read = Request::ReadPart {
            job: id,
            share: share as u32,
            config: config.clone(),
            files: files[run.clone()].to_vec(),
        };
        if let Err(e) = post_to(Slot::Helper(helpers[share - 1]), &read) {
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

/// Sets the period, segment and comparison shown (the report comes again
/// when a batch is loaded; before any, it is kept for the first). Does not
/// stop a batch being read.
pub fn view(query: &engine::report::compare::ViewQuery) -> Result<(), String> {
    post_to(
        Slot::Main,
        &Request::View {
            query: query.clone(),
        },
    )
}

/// Asks for a download by name.
pub fn download(name: &str) -> Result<(), String> {
    send(&Request::Download {
        name: name.to_string(),
    })
}
