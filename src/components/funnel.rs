//! The funnel: sessions → add to cart → checkout → purchase, overall, by
//! device and by channel, with drop-off rates.

use engine::report::Report;
use engine::summary::FunnelStep;
use leptos::prelude::*;

use super::chart::{draw_bars, Bars, Chart, SERIES};
use crate::state::use_app;
use puffy_report::format::{int, pct};

const STEPS: [&str; 4] = ["Sessions", "Added to cart", "Started checkout", "Purchased"];

/// The funnel section.
#[component]
pub fn Funnel() -> impl IntoView {
    let app = use_app();
    let report = move || app.report.get();
    let draw = move |canvas: &web_sys::HtmlCanvasElement, h: u32| {
        let Some(r) = report() else { return };
        let bars = Bars {
            label: "sessions".into(),
            values: r.funnel.overall.iter().map(|s| s.sessions as f64).collect(),
            colors: SERIES[..4].to_vec(),
        };
        let names: Vec<String> = STEPS.iter().map(|s| s.to_string()).collect();
        let _ = draw_bars(canvas, h, &names, &[bars], false);
    };
    view! {
        <div class="card">
            <h2>"Funnel"</h2>
            <Chart height=260 label="Bar chart of sessions reaching each funnel step" draw=draw />
            {move || report().map(|r| view! {
                {compared(&r)}
                {breakdown("Overall", vec![("All sessions".to_string(), r.funnel.overall.clone())])}
                {breakdown("By device", by(&r, "by_device"))}
                {breakdown("By channel", by(&r, "by_channel"))}
            })}
        </div>
    }
}

/// With a comparison: each step's rate against the baseline's.
fn compared(r: &Report) -> Option<impl IntoView> {
    let c = r.comparison.as_ref()?;
    let rows = c
        .funnel
        .iter()
        .zip(&STEPS[1..])
        .map(|(k, label)| {
            let change = k
                .change_pct
                .map_or("–".into(), |p| format!("{:+.1}%", p * 100.0));
            view! {
                <tr data-step=k.name.clone()>
                    <td>{*label}</td>
                    <td class="num" data-value=k.value.to_string()>{pct(k.value)}</td>
                    <td class="num" data-baseline=k.baseline.to_string()>{pct(k.baseline)}</td>
                    <td class="num">{change}</td>
                </tr>
            }
        })
        .collect_view();
    Some(view! {
        <h3>{format!("Step rates against {}", c.label)}</h3>
        <div class="table-scroll">
            <table class="data" data-compare="funnel">
                <thead><tr><th>"Step"</th><th class="num">"Rate"</th><th class="num">"Baseline"</th><th class="num">"Change"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    })
}

fn by(r: &Report, key: &str) -> Vec<(String, Vec<FunnelStep>)> {
    let map = if key == "by_device" {
        &r.funnel.by_device
    } else {
        &r.funnel.by_channel
    };
    map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

fn breakdown(title: &str, rows: Vec<(String, Vec<FunnelStep>)>) -> impl IntoView {
    view! {
        <h3>{title.to_string()}</h3>
        <table class="data">
            <thead><tr><th></th>{STEPS.iter().map(|s| view! { <th class="num">{*s}</th> }).collect_view()}<th class="num">"Never add to cart"</th></tr></thead>
            <tbody>{rows.into_iter().map(|(name, steps)| {
                let never = steps.get(1).map_or(0.0, |s| s.drop_off);
                view! {
                    <tr>
                        <td>{name}</td>
                        {steps.iter().enumerate().map(|(i, s)| {
                            let detail = if i == 0 { String::new() } else { format!(" ({}; −{})", pct(s.rate), pct(s.drop_off)) };
                            view! { <td class="num" data-step=s.step.clone()>{format!("{}{detail}", int(s.sessions as f64))}</td> }
                        }).collect_view()}
                        <td class="num">{pct(never)}</td>
                    </tr>
                }
            }).collect_view()}</tbody>
        </table>
    }
}
