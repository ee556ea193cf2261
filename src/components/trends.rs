//! Trends: daily revenue, orders, sessions and conversion rate, with the
//! spans of warning and critical incidents shaded.

use leptos::prelude::*;

use super::chart::{draw_lines, Chart};
use crate::state::use_app;

use engine::monitor::metrics::DayMetrics;

/// A daily metric: its label, whether it is money, and how to read it.
type Metric = (&'static str, bool, fn(&DayMetrics) -> f64);

const METRICS: [Metric; 4] = [
    ("Revenue", true, |m| m.revenue),
    ("Orders", false, |m| m.orders as f64),
    ("Sessions", false, |m| m.sessions as f64),
    ("Conversion rate", false, |m| m.conversion_rate),
];

/// The trends section.
#[component]
pub fn Trends() -> impl IntoView {
    let app = use_app();
    view! {
        <p class="muted">"Shaded spans are incidents: red critical, amber warning (see Monitoring)."
            {move || app.report.with(|r| r.as_ref().and_then(|r| r.comparison.as_ref()).map(|c| format!(" The grey line is {}, day by day.", c.label)))}</p>
        <div class="grid2">
            {METRICS.iter().map(|&(label, money, key)| {
                let draw = move |canvas: &web_sys::HtmlCanvasElement, h: u32| {
                    if let Some(r) = app.report.get() {
                        let (days, values, shades) = puffy_report::report_data::daily(&r, key);
                        let baseline = puffy_report::report_data::baseline_daily(&r, key);
                        let _ = draw_lines(canvas, h, &days, &values, &baseline, &shades, &[], money);
                    }
                };
                view! {
                    <div class="card">
                        <h2>{label}</h2>
                        <Chart height=220 label=format!("Daily {label}") draw=draw />
                    </div>
                }
            }).collect_view()}
        </div>
    }
}
