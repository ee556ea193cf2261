//! The headline numbers, each with `data-kpi` and its raw `data-value`;
//! when comparing, the baseline and the change beside them
//! (`data-baseline`, `data-change`), coloured by whether the change is good
//! (revenue up) or bad (bot share up).

use engine::report::compare::{Better, Change};
use leptos::prelude::*;

use crate::state::use_app;

/// `good`, `bad` or `flat`: how a change reads.
fn tone(c: &Change) -> &'static str {
    if c.change == 0.0 {
        "flat"
    } else if (c.change > 0.0) == (c.better == Better::Higher) {
        "good"
    } else {
        "bad"
    }
}

/// The change in words: `▲ 12.3% vs $1,204` (`▲ +3 vs 0` without a
/// percentage).
fn change_text(c: &Change, baseline: &str) -> String {
    let arrow = match c.change {
        x if x > 0.0 => "▲",
        x if x < 0.0 => "▼",
        _ => "=",
    };
    match c.change_pct {
        Some(p) => format!("{arrow} {:.1}% vs {baseline}", (p * 100.0).abs()),
        None => format!("{arrow} vs {baseline}"),
    }
}

/// KPI cards from `summary`.
#[component]
pub fn KpiCards() -> impl IntoView {
    let app = use_app();
    let cards = move || {
        app.report
            .get()
            .map(|r| {
                puffy_report::report_data::kpis(&r)
                    .into_iter()
                    .map(|kpi| {
                        let change = r.comparison.as_ref().and_then(|c| {
                            let ch = c.kpis.iter().find(|x| x.name == kpi.0)?.clone();
                            let was = puffy_report::report_data::kpi_text(kpi.0, ch.baseline);
                            Some((ch, was))
                        });
                        (kpi, change)
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    view! {
        <div class="kpis">
            {move || {
                cards()
                    .into_iter()
                    .map(|((key, label, value, shown), change)| {
                        let baseline = change.as_ref().map(|(c, _)| c.baseline.to_string());
                        let delta = change.as_ref().map(|(c, _)| c.change.to_string());
                        view! {
                            <div class="kpi">
                                <span class="kpi-label">{label}</span>
                                <span class="kpi-value" data-kpi=key data-value=value.to_string()
                                    data-baseline=baseline data-change=delta>{shown}</span>
                                {change.map(|(c, was)| view! {
                                    <span class=format!("kpi-change {}", tone(&c))>{change_text(&c, &was)}</span>
                                })}
                            </div>
                        }
                    })
                    .collect_view()
            }}
        </div>
    }
}
