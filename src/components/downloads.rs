//! Downloads: every table, `report.json`, `manifest.json` and one ZIP, made
//! in the browser by the same engine code as `puffy run`.

use leptos::prelude::*;

use crate::state::use_app;

const FILES: [(&str, &str); 11] = [
    (
        "report.html",
        "The report as one HTML file to share: opens offline, prints to PDF",
    ),
    (
        "all.zip",
        "Everything (ZIP): all tables, report.json and manifest.json",
    ),
    (
        "events_enriched.csv",
        "Every event with its channel, device and session",
    ),
    ("sessions.csv", "One row per session"),
    ("conversions.csv", "One row per order"),
    ("attribution.csv", "Credit per order, model and channel"),
    (
        "channel_summary.csv",
        "Per day and channel, revenue under every model",
    ),
    ("user_journeys.csv", "Channel paths of converting visitors"),
    ("quarantine.csv", "Rejected rows with their reason"),
    ("report.json", "Every number of this report"),
    (
        "manifest.json",
        "Settings, input files (size, SHA-256), row counts",
    ),
];

/// The downloads section.
#[component]
pub fn Downloads() -> impl IntoView {
    let app = use_app();
    if let Some(base) = app.bundle.get_untracked() {
        let base = if base.ends_with('/') {
            base
        } else {
            format!("{base}/")
        };
        return view! {
            <div class="card">
                <h2>"Downloads"</h2>
                <p class="muted">"The tables of this published report."</p>
                <ul class="downloads">
                    {FILES.iter().filter(|(n, _)| !matches!(*n, "all.zip" | "manifest.json" | "report.html")).map(|&(name, what)| view! {
                        <li><a class="button" data-download=name href=format!("{base}{name}") download=name>{name}</a><span class="muted">{what}</span></li>
                    }).collect_view()}
                </ul>
            </div>
        }
        .into_any();
    }
    view! {
        <div class="card">
            <h2>"Downloads"</h2>
            <p class="muted">"Made in this tab; byte-identical to what puffy run writes for the same files and settings."</p>
            <ul class="downloads">
                {FILES.iter().map(|&(name, what)| view! {
                    <li>
                        <button data-download=name on:click=move |_| app.download(name)>{name}</button>
                        <span class="muted">{what}</span>
                    </li>
                }).collect_view()}
            </ul>
        </div>
    }
    .into_any()
}
