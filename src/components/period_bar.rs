//! The period bar above the tabs: the days shown (from, to, presets), what
//! they are compared with, and the segment (device, channel, new or
//! returning visitors, landing path). Every change goes to the URL and to
//! the worker, which makes the report again from the run it holds.

use engine::report::compare::ViewQuery;
use engine::summary::slice::Days;
use leptos::prelude::*;

use crate::state::use_app;

/// The segment keys the bar offers, with their labels and choices (the
/// channels come from the batch).
const DEVICES: [&str; 3] = ["desktop", "mobile", "tablet"];
const VISITORS: [(&str, &str); 2] = [("new", "New"), ("returning", "Returning")];

/// The value of one segment key in a query (`device=mobile` → `mobile`).
fn segment_value(q: &ViewQuery, key: &str) -> String {
    q.segment
        .iter()
        .find_map(|s| s.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
        .unwrap_or_default()
        .to_string()
}

/// The query with one segment key set to `value` (removed when empty).
fn with_segment(mut q: ViewQuery, key: &str, value: &str) -> ViewQuery {
    q.segment
        .retain(|s| s.split_once('=').map(|(k, _)| k) != Some(key));
    if !value.trim().is_empty() {
        q.segment.push(format!("{key}={}", value.trim()));
    }
    q
}

/// What the compare select shows for a query's baseline.
fn compare_kind(q: &ViewQuery) -> &'static str {
    match q.compare.as_deref() {
        None => "none",
        Some("previous") => "previous",
        Some("week") => "week",
        Some(c) if c.starts_with("segment:") => "segment",
        Some(_) => "custom",
    }
}

/// The period bar.
#[component]
pub fn PeriodBar() -> impl IntoView {
    let app = use_app();
    let facts = move || {
        app.report
            .with(|r| r.as_ref().and_then(|r| r.batch_facts()))
    };
    let first = move || facts().map(|f| f.days.0.to_string()).unwrap_or_default();
    let last = move || facts().map(|f| f.days.1.to_string()).unwrap_or_default();
    let q = move || app.view.get();
    let set = move |next: ViewQuery| app.set_view(next);
    let day_from = move || q().from.unwrap_or_else(first);
    let day_to = move || q().to.unwrap_or_else(last);
    let preset = move |days: i64| {
        let Some(f) = facts() else { return };
        let mut next = q();
        if days == 0 {
            next.from = None;
            next.to = None;
        } else {
            next.from = Some(
                f.days
                    .1
                    .checked_sub_days(Days::new(days as u64 - 1))
                    .unwrap_or(f.days.0)
                    .max(f.days.0)
                    .to_string(),
            );
            next.to = Some(f.days.1.to_string());
        }
        set(next);
    };
    // Which preset the days shown are, if any.
    let preset_of = move || {
        let f = facts()?;
        let (from, to) = app.report.with(|r| r.as_ref().and_then(|r| r.date_range))?;
        if (from, to) == f.days {
            return Some(0);
        }
        (to == f.days.1)
            .then(|| (to - from).num_days() + 1)
            .filter(|n| *n == 7 || *n == 1)
    };
    let custom = move |which: usize, v: String| {
        let mut next = q();
        let current = next.compare.clone().unwrap_or_default();
        let (mut a, mut b) = current
            .split_once("..")
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .unwrap_or_else(|| (first(), first()));
        if which == 0 {
            a = v;
        } else {
            b = v;
        }
        next.compare = Some(format!("{a}..{b}"));
        set(next);
    };
    view! {
        <div class="period-bar" role="group" aria-label="Period, comparison and segment">
            <div class="period-days">
                <label>"From" <input type="date" data-view="from" min=first max=last prop:value=day_from
                    on:change=move |ev| { let v = event_target_value(&ev); let mut n = q(); n.from = Some(v); set(n) } /></label>
                <label>"To" <input type="date" data-view="to" min=first max=last prop:value=day_to
                    on:change=move |ev| { let v = event_target_value(&ev); let mut n = q(); n.to = Some(v); set(n) } /></label>
                <div class="presets" role="group" aria-label="Presets">
                    {[(0, "whole", "Whole batch"), (7, "last7", "Last 7 days"), (1, "last1", "Last day")]
                        .into_iter()
                        .map(|(n, key, label)| view! {
                            <button class="chip" data-preset=key class:active=move || preset_of() == Some(n)
                                aria-pressed=move || (preset_of() == Some(n)).to_string() on:click=move |_| preset(n)>{label}</button>
                        })
                        .collect_view()}
                </div>
            </div>
            <div class="period-compare">
                <label>"Compare to "
                    <select data-view="compare" on:change=move |ev| {
                        let mut n = q();
                        n.compare = match event_target_value(&ev).as_str() {
                            "previous" => Some("previous".into()),
                            "week" => Some("week".into()),
                            "custom" => Some(format!("{}..{}", first(), first())),
                            "segment" => Some("segment:device=desktop".into()),
                            _ => None,
                        };
                        set(n)
                    }>
                        {[("none", "Nothing"), ("previous", "Previous period"), ("week", "Same days last week"), ("custom", "Custom range"), ("segment", "Another segment")]
                            .into_iter()
                            .map(|(k, label)| view! { <option value=k selected=move || compare_kind(&q()) == k>{label}</option> })
                            .collect_view()}
                    </select>
                </label>
                <Show when=move || compare_kind(&q()) == "custom">
                    <label>"Baseline from" <input type="date" data-view="baseline-from" min=first max=last
                        prop:value=move || q().compare.and_then(|c| c.split_once("..").map(|(a, _)| a.to_string())).unwrap_or_default()
                        on:change=move |ev| custom(0, event_target_value(&ev)) /></label>
                    <label>"to" <input type="date" data-view="baseline-to" min=first max=last
                        prop:value=move || q().compare.and_then(|c| c.split_once("..").map(|(_, b)| b.to_string())).unwrap_or_default()
                        on:change=move |ev| custom(1, event_target_value(&ev)) /></label>
                </Show>
                <Show when=move || compare_kind(&q()) == "segment">
                    <label>"Baseline segment" <input type="text" data-view="baseline-segment" size="18" maxlength="240"
                        placeholder="device=desktop;visitor=new"
                        prop:value=move || q().compare.and_then(|c| c.strip_prefix("segment:").map(String::from)).unwrap_or_default()
                        on:change=move |ev| { let mut n = q(); n.compare = Some(format!("segment:{}", event_target_value(&ev).trim())); set(n) } /></label>
                </Show>
            </div>
            <div class="period-segment" role="group" aria-label="Segment">
                <label>"Device "
                    <select data-view="device" on:change=move |ev| set(with_segment(q(), "device", &event_target_value(&ev)))>
                        <option value="" selected=move || segment_value(&q(), "device").is_empty()>"All"</option>
                        {DEVICES.into_iter().map(|d| view! { <option value=d selected=move || segment_value(&q(), "device") == d>{d}</option> }).collect_view()}
                    </select>
                </label>
                <label>"Channel "
                    <select data-view="channel" on:change=move |ev| set(with_segment(q(), "channel", &event_target_value(&ev)))>
                        <option value="" selected=move || segment_value(&q(), "channel").is_empty()>"All"</option>
                        {move || facts().map(|f| f.channels).unwrap_or_default().into_iter().map(|c| {
                            let (v, value) = (c.clone(), c.clone());
                            view! { <option value=value selected=move || segment_value(&q(), "channel") == v>{c}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>"Visitors "
                    <select data-view="visitor" on:change=move |ev| set(with_segment(q(), "visitor", &event_target_value(&ev)))>
                        <option value="" selected=move || segment_value(&q(), "visitor").is_empty()>"All"</option>
                        {VISITORS.into_iter().map(|(k, label)| view! { <option value=k selected=move || segment_value(&q(), "visitor") == k>{label}</option> }).collect_view()}
                    </select>
                </label>
                <label>"Landing page "
                    <input type="text" data-view="landing" placeholder="/products" maxlength="200" size="12"
                        prop:value=move || segment_value(&q(), "landing")
                        on:change=move |ev| set(with_segment(q(), "landing", &event_target_value(&ev))) />
                </label>
            </div>
            <ViewSummary />
        </div>
    }
}

/// One line saying what is shown: the period, the segment as removable
/// chips, the baseline.
#[component]
fn ViewSummary() -> impl IntoView {
    let app = use_app();
    let line = move || {
        app.report.with(|r| {
            let r = r.as_ref()?;
            let (from, to) = r.date_range?;
            let mut text = format!("Showing {}", puffy_report::format::span(from, to));
            if let Some(c) = &r.comparison {
                text.push_str(&format!(
                    ", compared with {} ({})",
                    c.label,
                    puffy_report::format::span(c.baseline.from, c.baseline.to)
                ));
            }
            Some(text)
        })
    };
    let chips = move || {
        app.view.with(|q| q.segment.clone()).into_iter().map(|s| {
            let key = s.split_once('=').map(|(k, _)| k.to_string()).unwrap_or_default();
            let label = s.replace('=', ": ");
            let aria = format!("Remove the segment {label}");
            view! {
                <button class="chip active" data-segment=s.clone() aria-label=aria
                    on:click=move |_| app.set_view(with_segment(app.view.get_untracked(), &key, ""))>
                    {label}" ×"
                </button>
            }
        }).collect_view()
    };
    view! {
        <p class="view-summary" aria-live="polite">
            <span>{line}</span>
            {chips}
        </p>
    }
}

/// What a report shows, for `data-view` on the page (tests wait on it):
/// `whole`, or `FROM..TO`, then `;KEY=VALUE` per segment key, then
/// `|BASELINE_FROM..BASELINE_TO` when comparing (with `;KEY=VALUE` when
/// the baseline is another segment).
pub fn shown(r: Option<&engine::report::Report>) -> String {
    let Some(r) = r else {
        return String::new();
    };
    let mut out = match &r.slice {
        None => "whole".to_string(),
        Some(s) => {
            let mut t = format!("{}..{}", s.from, s.to);
            for p in s.segment.parts() {
                t.push(';');
                t.push_str(&p);
            }
            t
        }
    };
    if let Some(c) = &r.comparison {
        out.push_str(&format!("|{}..{}", c.baseline.from, c.baseline.to));
        // The baseline's segment, when it is another one.
        let own = r.slice.as_ref().map(|s| &s.segment);
        let other = (own != Some(&c.baseline.segment)).then_some(&c.baseline.segment);
        for p in other.map(|g| g.parts()).unwrap_or_default() {
            out.push(';');
            out.push_str(&p);
        }
    }
    out
}
