//! Monitoring: the alerts, worst first, filterable by severity, each with
//! its value and its threshold or expected band.

use leptos::prelude::*;
use serde_json::Value;

use crate::state::use_app;
use puffy_report::format::{list, money, num, pct, text};

fn shown(metric: &str, v: f64) -> String {
    if metric == "revenue" {
        money(v)
    } else if metric.contains("rate") || metric.contains("share") {
        pct(v)
    } else {
        format!("{v:.0}")
    }
}

fn band(a: &Value) -> String {
    let metric = text(a, "/metric");
    if let Some(e) = a["expected"].as_array() {
        let (lo, hi) = (e[0].as_f64().unwrap_or(0.0), e[1].as_f64().unwrap_or(0.0));
        format!("expected {} – {}", shown(&metric, lo), shown(&metric, hi))
    } else if let Some(t) = a["threshold"].as_f64() {
        format!("threshold {}", shown(&metric, t))
    } else {
        String::new()
    }
}

/// The monitoring section.
#[component]
pub fn AlertList() -> impl IntoView {
    let app = use_app();
    let filter = RwSignal::new("all");
    let alerts = move || {
        let f = filter.get();
        app.report
            .get()
            .map(|r| list(&r, "/alerts"))
            .unwrap_or_default()
            .into_iter()
            .filter(|a| f == "all" || text(a, "/severity") == f)
            .collect::<Vec<_>>()
    };
    view! {
        <div class="card">
            <div class="card-head">
                <h2>"Alerts"</h2>
                <div class="filters" role="group" aria-label="Severity">
                    {["all", "critical", "warning", "info"].into_iter().map(|s| view! {
                        <button class:active=move || filter.get() == s data-filter=s on:click=move |_| filter.set(s)>{s}</button>
                    }).collect_view()}
                </div>
            </div>
            <ul class="alerts">
                {move || {
                    let items = alerts();
                    if items.is_empty() {
                        return view! { <li class="muted">"No alerts at this level."</li> }.into_any();
                    }
                    items.into_iter().map(|a| {
                        let sev = text(&a, "/severity");
                        let metric = text(&a, "/metric");
                        view! {
                            <li class=format!("alert {sev}") data-alert-severity=sev.clone() data-alert-day=text(&a, "/day")>
                                <span class=format!("badge {sev}")>{sev.clone()}</span>
                                <div>
                                    <p class="alert-message">{text(&a, "/message")}</p>
                                    <p class="muted small">{[text(&a, "/family").replace('_', " "), format!("value {}", shown(&metric, num(&a, "/value"))), band(&a), text(&a, "/action")].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ")}</p>
                                </div>
                            </li>
                        }
                    }).collect_view().into_any()
                }}
            </ul>
        </div>
    }
}
