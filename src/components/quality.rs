//! Data quality: the score by day, the days × columns matrix, duplicate
//! transactions and every finding with its sample lines.

use engine::report::Report;
use leptos::prelude::*;

use super::chart::{draw_lines, Chart};
use engine::ingest::schema::Column;

use crate::state::use_app;
use puffy_report::format::{day, int, money_cents, pct};

/// The canonical columns, in export order.
fn columns() -> [&'static str; 7] {
    Column::ALL.map(Column::as_str)
}

/// The quality section.
#[component]
pub fn Quality() -> impl IntoView {
    let app = use_app();
    let report = move || app.report.get();
    let scores = move |canvas: &web_sys::HtmlCanvasElement, h: u32| {
        let Some(r) = report() else { return };
        let (days, values, flagged) = puffy_report::report_data::scores(&r);
        let _ = draw_lines(canvas, h, &days, &values, &[], &[], &flagged, false);
    };
    view! {
        <div class="card">
            <h2>"Data-quality score by day"</h2>
            <p class="muted">"100 is a clean day; red marks days under 90. The formula is in docs/reference.md."</p>
            <Chart height=220 label="Line chart of the data-quality score per day" draw=scores />
        </div>
        {move || report().map(|r| view! { {matrix(&r)} {duplicates(&r)} {findings(&r)} {quarantine(&r)} })}
    }
}

fn matrix(r: &Report) -> impl IntoView {
    let files = r.quality.files.clone();
    view! {
        <div class="card">
            <h2>"Columns by day"</h2>
            <div class="scroll">
            <table class="data matrix">
                <thead><tr><th>"File"</th>{columns().iter().map(|c| view! { <th>{*c}</th> }).collect_view()}<th class="num">"Rows"</th></tr></thead>
                <tbody>
                    {files.into_iter().map(|f| {
                        let renamed: Vec<(String, String)> = f.renamed.clone().into_iter().collect();
                        let missing = f.missing.clone();
                        let failed = f.error.is_some();
                        view! {
                            <tr>
                                <td>{f.name.clone()}</td>
                                {columns().iter().map(|c| {
                                    let null = f.null_rate.get(*c).copied();
                                    let (class, label) = if failed {
                                        ("cell-missing", "unreadable".to_string())
                                    } else if missing.iter().any(|m| m == c) {
                                        ("cell-missing", "missing".to_string())
                                    } else if let Some((found, _)) = renamed.iter().find(|(_, canon)| canon == c) {
                                        ("cell-renamed", format!("as {found}"))
                                    } else {
                                        ("cell-ok", null.map_or(String::new(), |n| format!("{} empty", pct(n))))
                                    };
                                    view! { <td class=class>{label}</td> }
                                }).collect_view()}
                                <td class="num">{int(f.rows as f64)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            </div>
        </div>
    }
}

fn duplicates(r: &Report) -> impl IntoView {
    let dups = r.quality.duplicate_transactions.clone();
    (!dups.is_empty()).then(|| view! {
        <div class="card">
            <h2>"Duplicate transactions"</h2>
            <p class="muted">{format!("Counting them would add {} of revenue that never happened; the earliest of each is kept.", money_cents(r.quality.duplicate_revenue_excluded))}</p>
            <table class="data">
                <thead><tr><th>"Transaction"</th><th class="num">"Copies"</th><th class="num">"Excluded revenue"</th><th>"Kept"</th></tr></thead>
                <tbody>{dups.into_iter().map(|d| view! {
                    <tr><td>{d.transaction_id.clone()}</td><td class="num">{d.occurrences.to_string()}</td><td class="num">{money_cents(d.excluded_revenue)}</td><td>{format!("{} line {}", d.kept.file, d.kept.line)}</td></tr>
                }).collect_view()}</tbody>
            </table>
        </div>
    })
}

fn findings(r: &Report) -> impl IntoView {
    view! {
        <div class="card">
            <h2>"Findings, worst first"</h2>
            <table class="data">
                <thead><tr><th>"Severity"</th><th>"Day"</th><th>"Check"</th><th class="num">"Count"</th><th>"What it means"</th><th>"Examples"</th></tr></thead>
                <tbody>{r.quality.findings.clone().into_iter().map(|f| {
                    let sev = f.severity.as_str();
                    let samples: Vec<String> = f.samples.iter().take(3).map(|s| format!("{}:{}", s.file, s.line)).collect();
                    view! {
                        <tr data-severity=sev>
                            <td><span class=format!("badge {sev}")>{sev}</span></td>
                            <td class="nowrap">{day(f.day)}</td>
                            <td><code>{f.check.clone()}</code></td>
                            <td class="num">{int(f.count as f64)}</td>
                            <td>{f.message.clone()}</td>
                            <td class="muted small">{samples.join(", ")}</td>
                        </tr>
                    }
                }).collect_view()}</tbody>
            </table>
        </div>
    }
}

fn quarantine(r: &Report) -> impl IntoView {
    let rows = r.quarantine_sample.clone();
    let total: u64 = r.quality.quarantine_by_reason.values().sum();
    view! {
        <div class="card">
            <h2>"Quarantined rows"</h2>
            <p class="muted">{quarantine_note(total, rows.len())}</p>
            <div class="scroll">
            <table class="data">
                <thead><tr><th>"File"</th><th class="num">"Line"</th><th>"Reason"</th><th>"Detail"</th><th>"Row"</th></tr></thead>
                <tbody>{rows.into_iter().map(|q| view! {
                    <tr data-reason=q.reason.clone()><td>{q.file.clone()}</td><td class="num">{q.line.to_string()}</td><td><code>{q.reason.clone()}</code></td><td class="detail">{q.detail.clone()}</td><td class="raw">{q.raw.clone()}</td></tr>
                }).collect_view()}</tbody>
            </table>
            </div>
        </div>
    }
}

/// What the quarantine table shows, in words.
fn quarantine_note(total: u64, shown: usize) -> String {
    let rows = engine::units::quantity(total, "row");
    match total {
        0 => "No rows were set aside: every row was read.".into(),
        t if t as usize <= shown => format!("{rows} set aside, all shown below."),
        _ => format!("{rows} set aside; the first {shown} are shown. Download quarantine.csv for all of them."),
    }
}
