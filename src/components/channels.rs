//! Channels and attribution: revenue by channel under every model side by
//! side, the selected model's table, the first-vs-last-click shift and the
//! Markov removal effects.

use engine::report::Report;
use leptos::prelude::*;

use super::chart::{channel_color, draw_bars, Bars, Chart, SERIES};
use crate::state::use_app;
use puffy_report::format::{money, pct};
use puffy_report::report_data::{channels, revenue};

pub use puffy_report::report_data::MODELS;

/// The channels section.
#[component]
pub fn Channels() -> impl IntoView {
    let app = use_app();
    let model = RwSignal::new("last_click");
    let report = move || app.report.get();
    let grouped = move |canvas: &web_sys::HtmlCanvasElement, h: u32| {
        let Some(r) = report() else { return };
        let names = channels(&r);
        let series: Vec<Bars> = MODELS
            .iter()
            .enumerate()
            .map(|(i, (key, label))| Bars {
                label: label.to_string(),
                values: names.iter().map(|c| revenue(&r, key, c)).collect(),
                colors: vec![SERIES[i]; names.len()],
            })
            .collect();
        let _ = draw_bars(canvas, h, &names, &series, true);
    };
    let selected = move |canvas: &web_sys::HtmlCanvasElement, h: u32| {
        let Some(r) = report() else { return };
        let names = channels(&r);
        let m = model.get();
        let bars = Bars {
            label: m.to_string(),
            values: names.iter().map(|c| revenue(&r, m, c)).collect(),
            colors: names.iter().map(|c| channel_color(c)).collect(),
        };
        let _ = draw_bars(canvas, h, &names, &[bars], true);
    };
    view! {
        <div class="card">
            <h2>"Revenue by channel under every model"</h2>
            <div class="legend">
                {MODELS.iter().enumerate().map(|(i, (_, label))| {
                    let c = SERIES[i];
                    view! { <span><i style:background=format!("rgb({},{},{})", c.0, c.1, c.2)></i>{*label}</span> }
                }).collect_view()}
            </div>
            <Chart height=320 label="Grouped bars: revenue per channel for each attribution model" draw=grouped />
        </div>
        <div class="card">
            <div class="card-head">
                <h2>"Selected model"</h2>
                <select aria-label="Attribution model" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if let Some((k, _)) = MODELS.iter().find(|(k, _)| *k == v) { model.set(k) }
                }>
                    {MODELS.iter().map(|(k, label)| view! { <option value=*k selected=move || model.get() == *k>{*label}</option> }).collect_view()}
                </select>
            </div>
            <Chart height=260 label="Revenue per channel under the selected model" draw=selected />
            {move || report().map(|r| table(&r, model.get()))}
        </div>
    }
}

fn table(r: &Report, model: &'static str) -> impl IntoView {
    let names = channels(r);
    let total = r.summary.revenue.max(1e-9);
    let effects = r.markov.removal_effects.clone();
    let warning = r.markov.warning.clone();
    let orders = |c: &str| {
        r.attribution
            .get(model)
            .and_then(|m| m.get(c))
            .map_or(0.0, |x| x.orders)
    };
    // With a comparison: the channel's revenue under this model in the
    // baseline, and the change.
    let compared = r.comparison.as_ref().map(|c| {
        c.channels
            .iter()
            .filter(|x| x.model == model)
            .map(|x| (x.channel.clone(), (x.baseline, x.change_pct)))
            .collect::<std::collections::BTreeMap<_, _>>()
    });
    let comparing = compared.is_some();
    let base_head = compared.as_ref().map(|_| {
        let label = r
            .comparison
            .as_ref()
            .map(|c| c.label.clone())
            .unwrap_or_default();
        view! { <th class="num" title=label>"Baseline"</th><th class="num">"Change"</th> }
    });
    view! {
        <div class="table-scroll">
        <table class="data">
            <thead><tr><th>"Channel"</th><th class="num">"Orders (credit)"</th><th class="num">"Revenue"</th>{base_head}<th class="num">"Share"</th><th class="num">"First → last click"</th><th class="num">"Removal effect"</th></tr></thead>
            <tbody>
                {names.into_iter().map(|c| {
                    let rev = revenue(r, model, &c);
                    let (first, last) = (revenue(r, "first_click", &c), revenue(r, "last_click", &c));
                    let shift = if first > 0.0 { format!("{:+.0}%", (last / first - 1.0) * 100.0) } else { "–".into() };
                    let effect = effects.iter().find(|(k, _)| *k == c).map_or("–".into(), |(_, e)| pct(*e));
                    let color = channel_color(&c);
                    let base = comparing.then(|| {
                        let (b, p) = compared.as_ref().and_then(|m| m.get(&c).copied()).unwrap_or((0.0, None));
                        let change = p.map_or("–".into(), |p| format!("{:+.1}%", p * 100.0));
                        view! { <td class="num" data-baseline=b.to_string()>{money(b)}</td><td class="num">{change}</td> }
                    });
                    view! {
                        <tr data-channel=c.clone()>
                            <td><i class="swatch" style:background=format!("rgb({},{},{})", color.0, color.1, color.2)></i>{c.clone()}</td>
                            <td class="num">{format!("{:.1}", orders(&c))}</td>
                            <td class="num">{money(rev)}</td>
                            {base}
                            <td class="num">{pct(rev / total)}</td>
                            <td class="num">{shift}</td>
                            <td class="num">{effect}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        </div>
        {warning.map(|w| view! { <p class="notice">{w}</p> })}
    }
}
