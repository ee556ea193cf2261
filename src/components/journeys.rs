//! Journeys: how many sessions and days people take to buy, and the most
//! common channel paths.

use engine::report::Report;
use leptos::prelude::*;

use super::chart::{draw_bars, Bars, Chart, SERIES};
use crate::state::use_app;
use puffy_report::format::{int, money};

fn buckets(r: &Report, key: &str) -> (Vec<String>, Vec<f64>) {
    let list = if key == "sessions_to_convert" {
        &r.journeys.sessions_to_convert
    } else {
        &r.journeys.days_to_convert
    };
    list.iter().map(|(k, n)| (k.clone(), *n as f64)).unzip()
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
                <tbody>{move || app.report.get().map(|r| r.journeys.top_paths.clone()).unwrap_or_default().into_iter().map(|(path, buyers, revenue)| view! {
                    <tr><td>{path}</td><td class="num">{int(buyers as f64)}</td><td class="num">{money(revenue)}</td></tr>
                }).collect_view()}</tbody>
            </table>
        </div>
    }
}
