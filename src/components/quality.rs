//! Data quality: the score by day, the days × columns matrix, duplicate
//! transactions and every finding with its sample lines.

use leptos::prelude::*;
use serde_json::Value;

use super::chart::{draw_lines, Chart};
use engine::ingest::schema::Column;

use crate::state::use_app;
use puffy_report::format::{int, list, money_cents, num, pct, text};

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
        let _ = draw_lines(canvas, h, &days, &values, &flagged, false);
    };
    view! {
        <div class="card">
            <h2>"Data-quality score by day"</h2>
            <p class="muted">"100 is a clean day; red marks days under 90. The formula is in the README."</p>
            <Chart height=220 label="Line chart of the data-quality score per day" draw=scores />
        </div>
        {move || report().map(|r| view! { {matrix(&r)} {duplicates(&r)} {findings(&r)} {quarantine(&r)} })}
    }
}

fn matrix(r: &Value) -> impl IntoView {
    let files = list(r, "/quality/files");
    view! {
        <div class="card">
            <h2>"Columns by day"</h2>
            <div class="scroll">
            <table class="data matrix">
                <thead><tr><th>"File"</th>{columns().iter().map(|c| view! { <th>{*c}</th> }).collect_view()}<th class="num">"Rows"</th></tr></thead>
                <tbody>
                    {files.into_iter().map(|f| {
                        let renamed: Vec<(String, String)> = f["renamed"].as_object().map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect()).unwrap_or_default();
                        let missing: Vec<String> = list(&f, "/missing").iter().filter_map(|v| v.as_str().map(str::to_string)).collect();
                        let failed = !f["error"].is_null();
                        view! {
                            <tr>
                                <td>{text(&f, "/name")}</td>
                                {columns().iter().map(|c| {
                                    let null = f["null_rate"][*c].as_f64();
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
                                <td class="num">{int(num(&f, "/rows"))}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            </div>
        </div>
    }
}

fn duplicates(r: &Value) -> impl IntoView {
    let dups = list(r, "/quality/duplicate_transactions");
    (!dups.is_empty()).then(|| view! {
        <div class="card">
            <h2>"Duplicate transactions"</h2>
            <p class="muted">{format!("Counting them would add {} of revenue that never happened; the earliest of each is kept.", money_cents(num(r, "/quality/duplicate_revenue_excluded")))}</p>
            <table class="data">
                <thead><tr><th>"Transaction"</th><th class="num">"Copies"</th><th class="num">"Excluded revenue"</th><th>"Kept"</th></tr></thead>
                <tbody>{dups.into_iter().map(|d| view! {
                    <tr><td>{text(&d, "/transaction_id")}</td><td class="num">{num(&d, "/occurrences").to_string()}</td><td class="num">{money_cents(num(&d, "/excluded_revenue"))}</td><td>{format!("{} line {}", text(&d, "/kept/file"), num(&d, "/kept/line"))}</td></tr>
                }).collect_view()}</tbody>
            </table>
        </div>
    })
}

fn findings(r: &Value) -> impl IntoView {
    view! {
        <div class="card">
            <h2>"Findings, worst first"</h2>
            <table class="data">
                <thead><tr><th>"Severity"</th><th>"Day"</th><th>"Check"</th><th class="num">"Count"</th><th>"What it means"</th><th>"Examples"</th></tr></thead>
                <tbody>{list(r, "/quality/findings").into_iter().map(|f| {
                    let sev = text(&f, "/severity");
                    let samples: Vec<String> = list(&f, "/samples").iter().take(3).map(|s| format!("{}:{}", text(s, "/file"), num(s, "/line"))).collect();
                    view! {
                        <tr data-severity=sev.clone()>
                            <td><span class=format!("badge {sev}")>{sev.clone()}</span></td>
                            <td class="nowrap">{text(&f, "/day")}</td>
                            <td><code>{text(&f, "/check")}</code></td>
                            <td class="num">{int(num(&f, "/count"))}</td>
                            <td>{text(&f, "/message")}</td>
                            <td class="muted small">{samples.join(", ")}</td>
                        </tr>
                    }
                }).collect_view()}</tbody>
            </table>
        </div>
    }
}

fn quarantine(r: &Value) -> impl IntoView {
    let rows = list(r, "/quarantine_sample");
    let total: f64 = r["quality"]["quarantine_by_reason"]
        .as_object()
        .map_or(0.0, |m| m.values().filter_map(Value::as_f64).sum());
    view! {
        <div class="card">
            <h2>"Quarantined rows"</h2>
            <p class="muted">{quarantine_note(total as u64, rows.len())}</p>
            <div class="scroll">
            <table class="data">
                <thead><tr><th>"File"</th><th class="num">"Line"</th><th>"Reason"</th><th>"Detail"</th><th>"Row"</th></tr></thead>
                <tbody>{rows.into_iter().map(|q| view! {
                    <tr data-reason=text(&q, "/reason")><td>{text(&q, "/file")}</td><td class="num">{num(&q, "/line").to_string()}</td><td><code>{text(&q, "/reason")}</code></td><td class="detail">{text(&q, "/detail")}</td><td class="raw">{text(&q, "/raw")}</td></tr>
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
