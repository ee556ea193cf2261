//! The application shell: the header, the drop zone, progress, messages and
//! the report tabs, laid out over the page's [`AppState`].

use leptos::prelude::*;

use crate::components::drop_zone::DropZone;
use crate::components::report_view::ReportView;
use crate::state::{load_settings, use_app, AppState, PageState, Progress};

/// Root component.
#[component]
pub fn App() -> impl IntoView {
    let (saved, settings_notice) = load_settings();
    let app = AppState {
        state: RwSignal::new(PageState::Idle),
        report: RwSignal::new(None),
        settings: RwSignal::new(saved),
        progress: RwSignal::new(Progress::default()),
        error: RwSignal::new(None),
        notice: RwSignal::new(settings_notice),
        bundle: RwSignal::new(None),
        published: RwSignal::new(Vec::new()),
        warm: RwSignal::new(false),
        started: RwSignal::new(0.0),
        timing: RwSignal::new(None),
        view: RwSignal::new(crate::query::read()),
    };
    provide_context(app);
    match crate::hosted::requested_bundle() {
        Some(path) => crate::hosted::open_bundle(app, path),
        None => {
            if let Err(e) = app.ensure_worker() {
                app.fail(e);
            }
            crate::hosted::list_published(app);
        }
    }
    let read_only = move || app.bundle.with(Option::is_some);
    let has_report = move || app.report.with(Option::is_some);

    // The whole page is a drop target, not only the drop zone.
    let on_page_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        if app.bundle.get_untracked().is_none() {
            app.add_dropped(&ev);
        }
    };
    view! {
        <main
            class="app"
            data-state=move || app.state.get().as_str()
            data-engine=move || if app.warm.get() { "warm" } else { "starting" }
            data-view=move || app.report.with(|r| crate::components::period_bar::shown(r.as_deref()))
            on:dragover=move |ev: web_sys::DragEvent| ev.prevent_default()
            on:drop=on_page_drop
        >
            <header class="app-header">
                <div>
                    <h1>"Puffy Analytics"</h1>
                    <p class="tagline">"Drop your daily event exports. Everything runs in this tab: no data leaves your computer."</p>
                </div>
                <Show when=move || !read_only()>
                    <div class="header-actions">
                        <button class="secondary" on:click=move |_| app.sample()>"Try with sample data"</button>
                        <Show when=has_report>
                            <button on:click=move |_| app.download("report.html")>"Download report"</button>
                            <button class="secondary" on:click=move |_| app.reset()>"Start over"</button>
                        </Show>
                    </div>
                </Show>
            </header>
            <Show
                when=move || !read_only()
                fallback=move || view! { <p class="notice">{move || match app.bundle.get().unwrap_or_default() {
                    folder if folder.is_empty() => "Published report (read-only)".to_string(),
                    folder => format!("Published report (read-only): {folder}"),
                }}</p> }
            >
                <DropZone app=app compact=Signal::derive(has_report) />
            </Show>
            <Show when=move || !has_report() && !read_only()>
                <crate::hosted::PublishedList />
            </Show>
            <Show when=move || app.state.get() == PageState::Processing>
                <ProgressPanel />
            </Show>
            {move || app.notice.get().map(|n| view! { <p class="notice">{n}</p> })}
            {move || app.error.get().map(|e| view! { <div class="error-panel" role="alert">{e}</div> })}
            <Show when=move || has_report() && !read_only()>
                <crate::components::period_bar::PeriodBar />
            </Show>
            <Show when=has_report>
                <ReportView />
            </Show>
        </main>
    }
}

/// The progress bar with the current stage and a Cancel button.
#[component]
fn ProgressPanel() -> impl IntoView {
    let app = use_app();
    let share = move || {
        let p = app.progress.get();
        if p.total > 0.0 {
            (p.bytes / p.total * 100.0).clamp(0.0, 100.0)
        } else {
            0.0
        }
    };
    view! {
        <div class="progress-panel" role="status">
            <div class="progress-text">
                <span>{move || app.progress.get().stage}</span>
                <span class="muted">{move || {
                    let p = app.progress.get();
                    if p.total > 0.0 { format!("{:.1} of {:.1} MB", p.bytes / 1e6, p.total / 1e6) } else { String::new() }
                }}</span>
            </div>
            <div class="progress-track"><div class="progress-bar" style:width=move || format!("{:.1}%", share())></div></div>
            <button class="secondary" on:click=move |_| app.cancel()>"Cancel"</button>
        </div>
    }
}
