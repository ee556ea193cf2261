//! Trends: daily revenue, orders, sessions and conversion rate, with the
//! days that raised alerts marked.

use leptos::prelude::*;

use super::chart::{draw_lines, Chart};
use crate::state::use_app;

const METRICS: [(&str, &str, bool); 4] = [
    ("revenue", "Revenue", true),
    ("orders", "Orders", false),
    ("sessions", "Sessions", false),
    ("conversion_rate", "Conversion rate", false),
];

/// The trends section.
#[component]
pub fn Trends() -> impl IntoView {
    let app = use_app();
    view! {
        <p class="muted">"Red triangles mark days with a warning or critical alert (see Monitoring)."</p>
        <div class="grid2">
            {METRICS.iter().map(|&(key, label, money)| {
                let draw = move |canvas: &web_sys::HtmlCanvasElement, h: u32| {
                    if let Some(r) = app.report.get() {
                        let (days, values, flagged) = puffy_report::report_data::daily(&r, key);
                        let _ = draw_lines(canvas, h, &days, &values, &flagged, money);
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
