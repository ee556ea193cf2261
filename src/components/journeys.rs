//! Journeys: how many sessions and days people take to buy, and the most
//! common channel paths.

use leptos::prelude::*;
use serde_json::Value;

use super::chart::{draw_bars, Bars, Chart, SERIES};
use crate::state::use_app;
use puffy_report::format::{int, money};

fn buckets(r: &Value, key: &str) -> (Vec<String>, Vec<f64>) {
    r["journeys"][key]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| {
                    (
                        p[0].as_str().unwrap_or_default().to_string(),
                        p[1].as_f64().unwrap_or(0.0),
                    )
                })
                .unzip()
        })
        .unwrap_or_default()
}

/// The journeys section.
#[component]
pub fn Journeys() -> impl IntoView {
    let app = use_app();
    let hist = move |key: &'static str, color: usize| {
        move |canvas: &web_sys::HtmlCanvasElement, h: u32| {
            if let Some(r) = app.report.get() {
                let (labels, values) = buckets(&r, key);
                let bars = Bars {
                    label: key.into(),
                    colors: vec![SERIES[color]; values.len()],
                    values,
                };
                let _ = draw_bars(canvas, h, &labels, &[bars], false);
            }
        }
    };
    view! {
        <div class="grid2">
            <div class="card">
                <h2>"Sessions to convert"</h2>
                <Chart height=220 label="Histogram of buyers by sessions before their first order" draw=hist("sessions_to_convert", 0) />
            </div>
            <div class="card">
                <h2>"Days to convert"</h2>
                <Chart height=220 label="Histogram of buyers by days from first visit to first order" draw=hist("days_to_convert", 4) />
            </div>
        </div>
        <div class="card">
            <h2>"Top channel paths"</h2>
            <table class="data">
                <thead><tr><th>"Path (first order's touchpoints)"</th><th class="num">"Buyers"</th><th class="num">"Revenue"</th></tr></thead>
                <tbody>{move || app.report.get().and_then(|r| r["journeys"]["top_paths"].as_array().cloned()).unwrap_or_default().into_iter().map(|p| view! {
                    <tr><td>{p[0].as_str().unwrap_or_default().to_string()}</td><td class="num">{int(p[1].as_f64().unwrap_or(0.0))}</td><td class="num">{money(p[2].as_f64().unwrap_or(0.0))}</td></tr>
                }).collect_view()}</tbody>
            </table>
        </div>
    }
}
