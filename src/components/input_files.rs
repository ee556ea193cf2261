//! The files of the batch: rows, accepted, quarantined, and the error next
//! to a file that could not be read; each can be removed.

use leptos::prelude::*;

use crate::state::use_app;
use puffy_report::format::{day, int};

/// The input files table.
#[component]
pub fn InputFiles() -> impl IntoView {
    let app = use_app();
    let rows = move || {
        app.report
            .get()
            .map(|r| r.quality.files.clone())
            .unwrap_or_default()
    };
    view! {
        <div class="card">
            <h2>"Files"</h2>
            {move || app.timing.get().map(|t| view! {
                <p class="muted small timing" data-timing-ms=t.total_ms.round()>{timing_text(&t)}</p>
            })}
            <table class="file-list">
                <thead><tr><th>"File"</th><th>"Day"</th><th class="num">"Rows"</th><th class="num">"Accepted"</th><th class="num">"Quarantined"</th><th>"Columns"</th><th></th></tr></thead>
                <tbody>
                    {move || rows().into_iter().map(|f| {
                        let name = f.name.clone();
                        let remove = name.clone();
                        let error = f.error.clone();
                        let failed = error.is_some();
                        view! {
                            <tr data-file=name.clone() class:error=failed>
                                <td class="name">{name.clone()}</td>
                                <td class="nowrap">{day(f.day)}</td>
                                <td class="num" data-rows=f.rows>{int(f.rows as f64)}</td>
                                <td class="num">{int(f.accepted as f64)}</td>
                                <td class="num">{int(f.quarantined as f64)}</td>
                                <td class="columns">{match error {
                                    Some(e) => view! { <span class="file-error">{e}</span> }.into_any(),
                                    None => view! { <span>{f.columns.join(", ")}</span> }.into_any(),
                                }}</td>
                                <td>{app.bundle.get_untracked().is_none().then(|| view! {
                                    <button class="link" title="Remove from the batch" on:click=move |_| app.remove_file(&remove)>"Remove"</button>
                                })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The last report's timing in words: the whole, then each step.
fn timing_text(t: &crate::state::Timing) -> String {
    let secs = |ms: f64| format!("{:.2} s", ms / 1000.0);
    let w = &t.worker;
    let page = (t.total_ms - w.read_ms - w.compute_ms - w.report_ms).max(0.0);
    let steps = format!(
        "analysis {} · report {} · page {}",
        secs(w.compute_ms),
        secs(w.report_ms),
        secs(page)
    );
    // A settings change recomputes from the parsed events: nothing is read.
    if w.read_ms < 1.0 {
        format!(
            "Recomputed in {} from the parsed events: {steps}.",
            secs(t.total_ms)
        )
    } else {
        let cores = match w.readers {
            0 | 1 => String::new(),
            n => format!(" on {n} cores"),
        };
        format!(
            "Report ready in {}, computed in this tab: reading {}{cores} · {steps}.",
            secs(t.total_ms),
            secs(w.read_ms)
        )
    }
}
