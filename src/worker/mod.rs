//! The Web Worker that runs the engine, so the page never freezes.
//!
//! It answers the [`Request`]s of [`crate::protocol`]: `Load` reads the
//! files (see [`read`]) and computes; `ReadPart` (sent to the helper workers, one per
//! further core) reads a run of the files into an ingest part and hands its
//! bytes back; `Merge` reads the first run here, with room for the whole
//! batch, then appends the helpers' parts (`AddPart`) to it in file order,
//! decoding each from its bytes as it goes, into exactly the dataset `Load`
//! would have read, and computes; `Sample` uses 14 generated days; `Reconfigure`
//! recomputes from the events already parsed (reading the files again only
//! when the revenue cap changed); `Download` makes one table,
//! `report.json`, `manifest.json` or `all.zip`. It replies `Ready` once it
//! listens, `Warm` after its warm-up run, `Progress`, `Report` (with the
//! time each step took), `Download` and `Error`.
//!
//! Files are processed in name order, like `puffy run` on a folder, so the
//! downloads are byte-identical to the CLI's. `post.rs` holds what the
//! worker sends the page (replies, progress, downloads in pieces);
//! `read.rs` turns `File`s into the engine's reader.

mod post;
mod read;

use std::cell::RefCell;

use engine::config::Config;
use engine::ingest::parts::Part;
use engine::ingest::{Dataset, Ingest};
use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{File, FileReaderSync, MessageEvent};

use engine::report::compare::{Analysis, ViewQuery};
use engine::report::Report;
use engine::summary::slice::Keep;

use crate::protocol::{Reply, Request, Timings};
use post::{post, progress, scope, JsBuffer, Pieces};
use read::{read_into, release, BlobReader};

/// What the worker keeps between messages: the parsed events, the run
/// behind the current report (downloads reuse it) and where the events
/// came from.
struct State {
    data: Dataset,
    sources: Sources,
    /// The sources' sizes and SHA-256, once a manifest has asked for them.
    digests: Option<Vec<puffy_report::bundle::InputDigest>>,
    run: engine::pipeline::Run,
    /// The run's analysis (its whole tally), made with the first report
    /// and kept for every view after it.
    analysis: Option<Analysis>,
    /// The slice shown, when it is not the whole batch: its sessions'
    /// flags and its report, for the downloads.
    shown: Option<(Keep, Report)>,
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
    /// Requests not handled yet, and whether they are being handled.
    static QUEUE: RefCell<std::collections::VecDeque<Request>> = const { RefCell::new(std::collections::VecDeque::new()) };
    static BUSY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// The view the page shows (the whole batch when empty).
    static VIEW: RefCell<ViewQuery> = RefCell::new(ViewQuery::default());
    /// The batch being read in parts, while the helpers' parts arrive.
    static MERGING: RefCell<Option<Merging>> = const { RefCell::new(None) };
}

/// A batch read partly here, partly by the helpers ([`Request::Merge`]).
struct Merging {
    job: u32,
    config: Config,
    /// When the page started it, on this worker's clock.
    started: f64,
    files: Vec<File>,
    /// The batch so far: this worker's run of files, then each helper's
    /// part in file order, absorbed as soon as those before it are in.
    batch: Part,
    /// The helpers' parts (bytes) that came before their turn, by share
    /// (share 1 first).
    waiting: Vec<Option<Vec<u8>>>,
    /// Parts absorbed so far.
    absorbed: usize,
}

/// Installs the message handler; called by the worker binary's `main`.
/// Requests are handled one at a time, in order: reading files awaits the
/// browser (see [`read_into`]), and what arrives meanwhile waits its turn.
pub fn start() {
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(|ev: MessageEvent| {
        match Request::decode(&ev.data()) {
            Ok(request) => QUEUE.with(|q| q.borrow_mut().push_back(request)),
            Err(message) => post(&Reply::Error { message }),
        }
        if !BUSY.with(|b| b.replace(true)) {
            wasm_bindgen_futures::spawn_local(drain());
        }
    });
    scope().set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    post(&Reply::Ready);
    warm_up();
    post(&Reply::Warm);
}

/// Handles the queued requests in order until none is left.
async fn drain() {
    while let Some(request) = QUEUE.with(|q| q.borrow_mut().pop_front()) {
        if let Err(message) = handle(request).await {
            post(&Reply::Error { message });
        }
    }
    BUSY.with(|b| b.set(false));
}

/// Runs every stage once on a small generated batch as soon as the worker
/// starts, while the analyst is still choosing files. Browsers first run
/// WebAssembly with a quick baseline compiler and optimise only the code
/// that has run a while; without this, the first real batch ran about three
/// times slower than the next one. Messages that arrive meanwhile wait.
fn warm_up() {
    // Real-shaped (long checkout URLs, many user agents), read in two parts
    // that go through their bytes and merge, as a batch on several cores.
    let sample = engine::synth::SynthConfig {
        days: 3,
        events_per_day: 1500,
        real_shape: true,
        ..engine::synth::SynthConfig::default()
    };
    let (files, _) = engine::synth::generate(&sample);
    let cfg = Config::default();
    let parts: Vec<Part> = files
        .chunks(2)
        .map(|run| {
            let mut part = Part::new(&cfg.ingest);
            for f in run {
                part.add_file(&f.name, f.bytes.as_slice());
            }
            part
        })
        .collect();
    let _ = Sources::Sample(files).digests();
    let mut parts = parts.into_iter();
    let Some(mut batch) = parts.next() else {
        return;
    };
    for part in parts {
        let _ = batch.absorb_bytes(&part.to_bytes());
    }
    if let Some(data) = batch.finish() {
        if let Ok(run) = engine::pipeline::run(&data, &cfg) {
            let _ = serde_json::to_string_pretty(&engine::report::report(&data, &run));
            // A period, a segment and a comparison, as the period bar asks.
            let query = ViewQuery {
                from: engine::report::compare::batch_days(&run).map(|d| d.1.to_string()),
                segment: vec!["device=mobile".into()],
                compare: Some("previous".into()),
                ..ViewQuery::default()
            };
            let _ = view_report(&data, &run, &mut None, &query);
        }
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

async fn handle(request: Request) -> Result<(), String> {
    let started = now();
    if !matches!(request, Request::AddPart { .. } | Request::ReadPart { .. }) {
        // A new request supersedes a batch still waiting for its parts.
        MERGING.with(|m| m.borrow_mut().take());
    }
    match request {
        Request::Load { config, files } => {
            let (dataset, files) = load(files, &config).await?;
            finish(dataset, Sources::Files(files), &config, started)
        }
        Request::ReadPart {
            job,
            share,
            config,
            files,
        } => {
            let total: f64 = files.iter().map(|f| f.size()).sum();
            let part = read_part(&files, &config, total).await?;
            let mut buffer = JsBuffer::new(part.encoded_len())?;
            part.write_to(|piece| buffer.write(piece));
            let buffer = buffer.finish()?;
            drop(part);
            post(&Reply::Part { job, share, buffer });
            Ok(())
        }
        Request::Merge {
            job,
            config,
            started_at,
            own,
            parts,
            files,
        } => {
            // Started on the page's clock: the time before this message
            // counts too.
            let started = started_at - scope().performance().map_or(0.0, |p| p.time_origin());
            // Room for the whole batch: the helpers' rows are appended here.
            let room: f64 = files.iter().map(|f| f.size()).sum();
            let own = read_part(&files[..(own as usize).min(files.len())], &config, room).await?;
            let merging = Merging {
                job,
                config,
                started,
                files,
                batch: own,
                waiting: (0..parts).map(|_| None).collect(),
                absorbed: 0,
            };
            MERGING.with(|m| *m.borrow_mut() = Some(merging));
            Ok(())
        }
        Request::AddPart { job, share, buffer } => {
            let complete = MERGING.with(|m| -> Result<Option<Merging>, String> {
                let mut slot = m.borrow_mut();
                let Some(merging) = slot.as_mut().filter(|m| m.job == job) else {
                    return Ok(None);
                };
                if let Some(place) = merging.waiting.get_mut((share as usize).wrapping_sub(1)) {
                    *place = Some(Uint8Array::new(&buffer).to_vec());
                }
                release(&buffer);
                // In file order; each part's bytes dropped once absorbed.
                while let Some(bytes) = merging
                    .waiting
                    .get_mut(merging.absorbed)
                    .and_then(Option::take)
                {
                    if let Err(e) = merging.batch.absorb_bytes(&bytes) {
                        slot.take();
                        return Err(e);
                    }
                    merging.absorbed += 1;
                }
                let done = merging.absorbed == merging.waiting.len();
                Ok(if done { slot.take() } else { None })
            })?;
            let Some(merging) = complete else {
                return Ok(());
            };
            let Merging {
                config,
                started,
                files,
                batch,
                absorbed,
                ..
            } = merging;
            let total: f64 = files.iter().map(|f| f.size()).sum();
            progress("Merging what the workers read", total, total);
            match batch.finish() {
                Some(dataset) => {
                    READERS.with(|r| r.set(absorbed as u32 + 1));
                    finish(dataset, Sources::Files(files), &config, started)
                }
                // Past the batch's revenue ceiling only one reader is exact.
                None => {
                    let (dataset, files) = load(files, &config).await?;
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
                    let (dataset, files) = load(files, &config).await?;
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
                s.analysis = None;
                s.shown = None;
                post_report(s, [started, computing, now()])
            })
        }
        Request::View { query } => {
            VIEW.with(|v| *v.borrow_mut() = query);
            // Before any batch, kept for the first.
            STATE.with(|s| match s.borrow_mut().as_mut() {
                Some(s) => post_report(s, [started, started, now()]),
                None => Ok(()),
            })
        }
        Request::Download { name } => {
            let download = puffy_report::bundle::Download::from_file_name(&name)
                .ok_or_else(|| format!("unknown download {name:?}"))?;
            // Streamed: written piece by piece, each piece posted as it
            // fills (tables row by row, all.zip entry by entry).
            let mut sink = Pieces::new(&name);
            STATE.with(|s| {
                let mut s = s.borrow_mut();
                let s = s.as_mut().ok_or("no data loaded")?;
                if download.needs_digests() && s.digests.is_none() {
                    s.digests = Some(s.sources.digests()?);
                }
                let inputs = s.digests.as_deref().unwrap_or_default();
                let shown = puffy_report::bundle::Shown {
                    keep: s.shown.as_ref().map(|x| &x.0),
                    report: s.shown.as_ref().map(|x| &x.1),
                };
                puffy_report::bundle::write(&s.data, &s.run, &shown, inputs, download, &mut sink)
            })?;
            sink.end();
            Ok(())
        }
    }
}

/// Reads a run of the batch's files into a part with room for the rows of
/// `room` bytes of exports.
async fn read_part(files: &[File], config: &Config, room: f64) -> Result<Part, String> {
    let total: f64 = files.iter().map(|f| f.size()).sum();
    let mut part = Part::with_expected_bytes(&config.ingest, room as u64);
    read_into(part.ingest(), files, total).await?;
    Ok(part)
}

/// Reads every file in name order, slice by slice.
async fn load(mut files: Vec<File>, config: &Config) -> Result<(Dataset, Vec<File>), String> {
    engine::sorting::sort_by_cached_key(&mut files, |f| f.name());
    let total: f64 = files.iter().map(|f| f.size()).sum();
    let mut ingest = Ingest::with_expected_bytes(total as u64).with_config(&config.ingest);
    read_into(&mut ingest, &files, total).await?;
    progress("Computing the report", total, total);
    Ok((ingest.finish(), files))
}

/// The report of the view asked for over a run (the whole batch's when
/// it asks for nothing or cannot be shown, with the reason), and the
/// slice's session flags for the downloads.
fn view_report(
    data: &Dataset,
    run: &engine::pipeline::Run,
    analysis: &mut Option<Analysis>,
    query: &ViewQuery,
) -> (Report, Option<Keep>, Option<String>) {
    let a = analysis.get_or_insert_with(|| Analysis::new(data, run));
    if query.is_empty() {
        return (a.whole_report(data, run), None, None);
    }
    let sliced = query.view(run).and_then(|v| {
        let keep = Keep::new(data, run, &v.slice);
        let r = a.report_kept(data, run, &v, Some(&keep))?;
        Ok((r, keep))
    });
    match sliced {
        Ok((r, keep)) => {
            let keep = r.slice.is_some().then_some(keep);
            (r, keep, None)
        }
        Err(e) => (
            a.whole_report(data, run),
            None,
            Some(format!("{e}: the whole batch is shown instead.")),
        ),
    }
}

/// Posts `report.json` of the view shown with the time each step took;
/// `marks` are when reading, computing and writing the report started.
fn post_report(s: &mut State, [reading, computing, reporting]: [f64; 3]) -> Result<(), String> {
    let query = VIEW.with(|v| v.borrow().clone());
    let (report, keep, notice) = view_report(&s.data, &s.run, &mut s.analysis, &query);
    if notice.is_some() {
        VIEW.with(|v| *v.borrow_mut() = ViewQuery::default());
    }
    let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    s.shown = keep.map(|k| (k, report));
    post(&Reply::Report {
        timings: Timings {
            read_ms: computing - reading,
            compute_ms: reporting - computing,
            report_ms: now() - reporting,
            readers: READERS.with(|r| r.replace(1)),
        },
        notice,
        json,
    });
    Ok(())
}

/// Computes the report of newly loaded data and keeps both.
fn finish(data: Dataset, sources: Sources, config: &Config, started: f64) -> Result<(), String> {
    let computing = now();
    let run = engine::pipeline::run(&data, config).map_err(|e| e.to_string())?;
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        let state = s.insert(State {
            data,
            sources,
            digests: None,
            run,
            analysis: None,
            shown: None,
        });
        post_report(state, [started, computing, now()])
    })
}
