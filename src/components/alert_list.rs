//! Monitoring: the incidents first (alerts of one kind on consecutive days,
//! with span, peak and impact), then every alert, worst first, filterable
//! by severity, each with its value and its threshold or expected band.

use engine::monitor::{Alert, AlertMetric};
use leptos::prelude::*;

use crate::state::use_app;
use puffy_report::format::{money, pct};

fn shown(metric: &AlertMetric, v: f64) -> String {
    if metric.is_money() {
        money(v)
    } else if metric.is_share() {
        pct(v)
    } else {
        format!("{v:.0}")
    }
}

fn band(a: &Alert) -> String {
    if let Some((lo, hi)) = a.expected {
        format!(
            "expected {} – {}",
            shown(&a.metric, lo),
            shown(&a.metric, hi)
        )
    } else if let Some(t) = a.threshold {
        format!("threshold {}", shown(&a.metric, t))
    } else {
        String::new()
    }
}

/// "groups 3 alerts".
pub fn grouped(n: usize) -> String {
    match n {
        1 => "1 alert".to_string(),
        n => format!("groups {n} alerts"),
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
            .map(|r| r.alerts.clone())
            .unwrap_or_default()
            .into_iter()
            .filter(|a| f == "all" || a.severity.as_str() == f)
            .collect::<Vec<_>>()
    };
    let incidents = move || {
        app.report
            .get()
            .map(|r| r.incidents.clone())
            .unwrap_or_default()
    };
    view! {
        <div class="card" data-incidents>
            <h2>"Incidents"</h2>
            <ul class="alerts">
                {move || {
                    let items = incidents();
                    if items.is_empty() {
                        return view! { <li class="muted">"No incidents."</li> }.into_any();
                    }
                    items.into_iter().map(|i| {
                        let sev = i.severity.as_str();
                        let span = puffy_report::format::span(i.first_day, i.last_day);
                        let days = match i.days { 1 => "1 day".to_string(), n => format!("{n} days") };
                        view! {
                            <li class=format!("alert {sev}") data-incident=i.kind.clone()>
                                <span class=format!("badge {sev}")>{sev}</span>
                                <div>
                                    <p class="alert-message"><strong>{span}</strong>" · "{days}" · "<code>{i.kind.clone()}</code></p>
                                    <p class="alert-message">{i.message.clone()}</p>
                                    <p class="muted small">{format!("Impact: {}. {} · {}", i.impact.text, i.action, crate::components::alert_list::grouped(i.alerts.len()))}</p>
                                </div>
                            </li>
                        }
                    }).collect_view().into_any()
                }}
            </ul>
        </div>
        <div class="card">
            <div class="card-head">
                <h2>"Every alert, by day"</h2>
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
                        let sev = a.severity.as_str();
                        view! {
                            <li class=format!("alert {sev}") data-alert-severity=sev data-alert-day=a.day.to_string()>
                                <span class=format!("badge {sev}")>{sev}</span>
                                <div>
                                    <p class="alert-message">{a.message.clone()}</p>
                                    <p class="muted small">{[a.family.as_str().replace('_', " "), format!("value {}", shown(&a.metric, a.value)), band(&a), a.action.clone()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ")}</p>
                                </div>
                            </li>
                        }
                    }).collect_view().into_any()
                }}
            </ul>
        </div>
    }
}
