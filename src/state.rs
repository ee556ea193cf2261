//! The page's state ([`AppState`]) and what changes it: messages from the
//! worker, files added or removed, settings, downloads. Components read it
//! through [`use_app`]; the shell ([`crate::app`]) lays them out.

use std::sync::Arc;

use engine::config::Config;
use engine::report::Report;
use leptos::prelude::*;
use web_sys::DragEvent;

use crate::bridge::{self, Msg, Timings};
use crate::files::Picked;

/// Where the page is; mirrored to `data-state` on the root for tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageState {
    /// Nothing loaded yet.
    Idle,
    /// The worker is reading or computing.
    Processing,
    /// A report is shown.
    Ready,
    /// Nothing could be computed.
    Error,
}

impl PageState {
    /// The value of `data-state`.
    pub fn as_str(self) -> &'static str {
        match self {
            PageState::Idle => "idle",
            PageState::Processing => "processing",
            PageState::Ready => "ready",
            PageState::Error => "error",
        }
    }
}

/// Progress of the current job.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Progress {
    /// What is happening.
    pub stage: String,
    /// Bytes read.
    pub bytes: f64,
    /// Bytes in the batch.
    pub total: f64,
}

/// Everything the views share.
#[derive(Clone, Copy)]
pub struct AppState {
    /// Page state.
    pub state: RwSignal<PageState>,
    /// The current report (`report.json`, typed).
    pub report: RwSignal<Option<Arc<Report>>>,
    /// Settings, persisted in `localStorage`.
    pub settings: RwSignal<Config>,
    /// Progress of the running job.
    pub progress: RwSignal<Progress>,
    /// The last error message.
    pub error: RwSignal<Option<String>>,
    /// A short notice (files skipped...).
    pub notice: RwSignal<Option<String>>,
    /// The published bundle shown read-only (`?report=`), if any.
    pub bundle: RwSignal<Option<String>>,
    /// Published bundles listed in `reports/index.json`.
    pub published: RwSignal<Vec<puffy_report::published::Published>>,
    /// The worker has finished its warm-up run.
    pub warm: RwSignal<bool>,
    /// When the running job started (page clock, ms).
    pub started: RwSignal<f64>,
    /// How long the last report took, from start to drawn.
    pub timing: RwSignal<Option<Timing>>,
    /// The period, segment and comparison shown (as the URL has them).
    pub view: RwSignal<engine::report::compare::ViewQuery>,
}

/// How long one report took, in milliseconds: the worker's steps and the
/// whole, from the drop (or the click) until the page was drawn.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Timing {
    /// The worker's steps.
    pub worker: Timings,
    /// From start to the report on screen.
    pub total_ms: f64,
}

/// Milliseconds on the page's clock.
pub fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

const SETTINGS_KEY: &str = "puffy.settings";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The settings saved in `localStorage`, or the defaults; with a notice
/// when saved settings exist but cannot be used (written by an older
/// version, or no longer valid), so they are not dropped silently.
pub fn load_settings() -> (Config, Option<String>) {
    let Some(text) = storage().and_then(|s| s.get_item(SETTINGS_KEY).ok().flatten()) else {
        return (Config::default(), None);
    };
    let parsed = serde_json::from_str::<Config>(&text)
        .map_err(|e| e.to_string())
        .and_then(|c| c.validate().map(|()| c).map_err(|e| e.to_string()));
    match parsed {
        Ok(c) => (c, None),
        Err(e) => (
            Config::default(),
            Some(format!(
                "Your saved settings could not be used ({}), so the defaults are in use. Set them again under Settings.",
                engine::limits::truncate(&e, 200)
            )),
        ),
    }
}

/// The app state from context.
pub fn use_app() -> AppState {
    expect_context::<AppState>()
}

impl AppState {
    /// Starts (or restarts) the worker.
    pub fn ensure_worker(&self) -> Result<(), String> {
        let app = *self;
        app.warm.set(false);
        bridge::spawn(move |msg| app.on_message(msg))?;
        // A fresh worker shows the view of the page (the URL's, at first).
        let view = app.view.get_untracked();
        if view.is_empty() {
            Ok(())
        } else {
            bridge::view(&view)
        }
    }

    /// Shows another period, segment or comparison: in the URL, and in the
    /// report the worker makes again from the run it holds.
    pub fn set_view(&self, query: engine::report::compare::ViewQuery) {
        crate::query::write(&query);
        self.view.set(query.clone());
        self.started.set(now());
        if let Err(e) = bridge::view(&query) {
            self.notice.set(Some(e));
        }
    }

    fn on_message(&self, msg: Msg) {
        match msg {
            Msg::Ready => {}
            Msg::Progress {
                stage,
                bytes,
                total,
            } => self.progress.set(Progress {
                stage,
                bytes,
                total,
            }),
            Msg::Report {
                json,
                timings: worker,
                notice,
            } => match serde_json::from_str::<Report>(&json) {
                Ok(v) => {
                    if let Some(n) = notice {
                        // The view did not fit this batch: the whole batch
                        // is shown, and the URL says so.
                        self.view.set(Default::default());
                        crate::query::write(&Default::default());
                        self.notice.set(Some(n));
                    }
                    let all_failed =
                        !v.inputs.is_empty() && v.inputs.iter().all(|f| f.error.is_some());
                    self.error.set(all_failed.then(|| {
                        "No file could be read: see the errors next to each file.".to_string()
                    }));
                    self.report.set(Some(Arc::new(v)));
                    self.state.set(if all_failed {
                        PageState::Error
                    } else {
                        PageState::Ready
                    });
                    // Measured once the browser has laid out and painted the
                    // report (the next animation frame).
                    let (started, timing) = (self.started, self.timing);
                    request_animation_frame(move || {
                        timing.set(Some(Timing {
                            worker,
                            total_ms: now() - started.get_untracked(),
                        }));
                    });
                }
                Err(e) => self.fail(format!("The report could not be read: {e}")),
            },
            Msg::Download { name, bytes } => {
                let name = self.file_name(&name);
                if let Err(e) = bridge::save_part(&name, &bytes) {
                    self.notice.set(Some(format!("{name}: {e}")));
                }
            }
            Msg::Warm => self.warm.set(true),
            // Parts go between the workers, and download pieces are joined
            // by the bridge: it never passes either on.
            Msg::Part { .. } | Msg::DownloadPart { .. } => {}
            Msg::Error { message } => self.fail(message),
            Msg::Crashed { message } => {
                // A dead worker answers nothing: start a fresh one, after
                // this handler returns (it belongs to the old worker).
                let app = *self;
                leptos::task::spawn_local(async move {
                    if let Err(e) = app.ensure_worker() {
                        app.fail(e);
                    }
                });
                let message: String = message.chars().take(300).collect();
                self.fail(format!(
                    "The analysis stopped unexpectedly ({message}). The engine has been restarted: try again, or remove the file that caused it."
                ));
            }
        }
    }

    /// Shows an error and puts the page in the error state.
    pub fn fail(&self, message: String) {
        self.error.set(Some(message));
        self.state.set(PageState::Error);
    }

    fn start(&self, job: impl FnOnce(&Config) -> Result<(), String>) {
        self.error.set(None);
        self.progress.set(Progress {
            stage: "Starting".into(),
            ..Progress::default()
        });
        self.state.set(PageState::Processing);
        self.started.set(now());
        let config = self.settings.get_untracked();
        if let Err(e) = job(&config) {
            self.fail(e);
        }
    }

    /// Adds picked or dropped files (perhaps a folder's) to the batch and
    /// recomputes, saying which were left out and why.
    pub fn add_picked(&self, picked: Picked) {
        let mut notes = Vec::new();
        if !picked.skipped.is_empty() {
            notes.push(format!(
                "Hidden files left out: {}",
                picked.skipped.join(", ")
            ));
        }
        let load = !picked.files.is_empty();
        if load {
            let duplicates = bridge::add_files(picked.files);
            if !duplicates.is_empty() {
                notes.push(format!(
                    "Already in the batch, skipped: {}",
                    duplicates.join(", ")
                ));
            }
        }
        self.notice
            .set((!notes.is_empty()).then(|| notes.join(". ")));
        if load {
            self.start(bridge::load);
        }
    }

    /// Takes the files (or folders) of a drop; folders are walked first.
    pub fn add_dropped(&self, ev: &DragEvent) {
        let Some(data) = ev.data_transfer() else {
            return;
        };
        let app = *self;
        crate::files::dropped(&data, move |result| match result {
            Ok(picked) if picked.files.is_empty() && picked.skipped.is_empty() => app
                .notice
                .set(Some("Nothing to load: the drop holds no files.".into())),
            Ok(picked) => app.add_picked(picked),
            Err(e) => app
                .notice
                .set(Some(format!("Could not read the dropped folder: {e}"))),
        });
    }

    /// Removes one file and recomputes (or resets when none is left).
    pub fn remove_file(&self, name: &str) {
        bridge::remove_file(name);
        if bridge::batch_len() == 0 {
            self.reset();
        } else {
            self.start(bridge::load);
        }
    }

    /// Loads the generated sample batch.
    pub fn sample(&self) {
        bridge::clear_files();
        self.start(bridge::sample);
    }

    /// Forgets everything.
    pub fn reset(&self) {
        bridge::clear_files();
        self.report.set(None);
        self.error.set(None);
        self.state.set(PageState::Idle);
    }

    /// Stops the running job; the previous report (if any) stays.
    pub fn cancel(&self) {
        bridge::terminate();
        let _ = self.ensure_worker();
        self.state.set(if self.report.get_untracked().is_some() {
            PageState::Ready
        } else {
            PageState::Idle
        });
        self.notice.set(Some("Cancelled.".into()));
    }

    /// Saves new settings and recomputes from the parsed events.
    pub fn apply_settings(&self, config: Config) {
        if let (Some(s), Ok(text)) = (storage(), serde_json::to_string(&config)) {
            let _ = s.set_item(SETTINGS_KEY, &text);
        }
        self.settings.set(config);
        if self.report.get_untracked().is_some() {
            self.start(bridge::reconfigure);
        }
    }

    /// A download's file name for the view shown: `sessions.csv` of a
    /// slice is `sessions_2025-03-02_2025-03-08_device-mobile.csv`.
    pub fn file_name(&self, name: &str) -> String {
        let suffix = self.report.with_untracked(|r| {
            r.as_ref()
                .and_then(|r| r.slice.as_ref())
                .map(|s| s.file_suffix())
                .unwrap_or_default()
        });
        match name.rsplit_once('.') {
            Some((stem, ext)) if !suffix.is_empty() => format!("{stem}{suffix}.{ext}"),
            _ => name.to_string(),
        }
    }

    /// Saves a download: the HTML report is drawn here (plotters measures
    /// text through the page), the rest comes from the worker.
    pub fn download(&self, name: &str) {
        if name == "report.html" {
            if let Some(r) = self.report.get_untracked() {
                let html = puffy_report::html_report::render(&r);
                if let Err(e) = bridge::save(&self.file_name(name), html.as_bytes()) {
                    self.notice.set(Some(e));
                }
            }
            return;
        }
        if let Err(e) = bridge::download(name) {
            self.notice.set(Some(e));
        }
    }
}
