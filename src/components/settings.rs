//! Settings: session timeout, lookback, the revenue cap (changing it reads
//! the files again: it decides which rows are quarantined), bots, identity
//! stitching, the data-quality limits (one home, read by the audit and the
//! alerts), monitoring thresholds, the payment step and unwanted referrers
//! (with the hosts this batch set aside), and the channel rule table (editable, reorderable,
//! reset to defaults). Applying recomputes from the parsed events; settings
//! persist in `localStorage` and are part of every export.

use engine::config::channels::{default_rules, ChannelRule};
use engine::config::Config;
use leptos::prelude::*;

use crate::state::use_app;

fn number(
    label: &'static str,
    key: &'static str,
    value: f64,
    step: &'static str,
    set: impl Fn(f64) + 'static,
) -> impl IntoView {
    view! {
        <label class="field">
            <span>{label}</span>
            <input type="number" step=step data-setting=key prop:value=value.to_string() on:change=move |ev| {
                if let Ok(v) = event_target_value(&ev).parse::<f64>() { set(v) }
            } />
        </label>
    }
}

fn toggle(
    label: &'static str,
    key: &'static str,
    value: bool,
    set: impl Fn(bool) + 'static,
) -> impl IntoView {
    view! {
        <label class="field check">
            <input type="checkbox" data-setting=key prop:checked=value on:change=move |ev| set(event_target_checked(&ev)) />
            <span>{label}</span>
        </label>
    }
}

fn split(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// The settings section.
#[component]
pub fn Settings() -> impl IntoView {
    let app = use_app();
    if app.bundle.get_untracked().is_some() {
        return view! { <div class="card"><h2>"Settings"</h2><p class="muted">"This is a published report: its settings are in report.json. Open the app without ?report= to analyse your own files."</p></div> }.into_any();
    }
    let draft = RwSignal::new(app.settings.get_untracked());
    let edit = move |f: fn(&mut Config, f64)| move |v: f64| draft.update(|c| f(c, v));
    let flag = move |f: fn(&mut Config, bool)| move |v: bool| draft.update(|c| f(c, v));
    let c = draft.get_untracked();
    let error = RwSignal::new(None::<String>);
    let apply = move |_| match draft.get_untracked().validate() {
        Ok(()) => {
            error.set(None);
            app.apply_settings(draft.get_untracked());
        }
        Err(e) => error.set(Some(e.to_string())),
    };
    view! {
        <div class="card">
            <h2>"Sessions and attribution"</h2>
            <div class="fields">
                {number("Session timeout (minutes)", "session_timeout", f64::from(c.session.timeout_minutes), "1", edit(|c, v| c.session.timeout_minutes = v.max(1.0) as u32))}
                {number("Lookback window (days)", "lookback_days", f64::from(c.attribution.lookback_days), "1", edit(|c, v| c.attribution.lookback_days = v.max(0.0) as u32))}
                {number("Time-decay half-life (days)", "half_life_days", c.attribution.half_life_days, "0.5", edit(|c, v| c.attribution.half_life_days = v))}
                {number("Largest believable order (revenue cap)", "max_order_revenue", c.ingest.max_order_revenue, "100", edit(|c, v| c.ingest.max_order_revenue = v))}
                {toggle("Include bots in sessions and attribution", "include_bots", c.session.include_bots, flag(|c, v| c.session.include_bots = v))}
                {toggle("New session when the traffic source changes", "split_on_new_source", c.session.split_on_new_source, flag(|c, v| c.session.split_on_new_source = v))}
                {toggle("Identity stitching (same email hash = one person)", "stitch_identities", c.attribution.stitch_identities, flag(|c, v| c.attribution.stitch_identities = v))}
            </div>
            <h2>"Data-quality limits (the audit and its alerts)"</h2>
            <div class="fields">
                {number("Max share of rows without client id", "max_null_client_rate", c.quality.max_null_client_rate, "0.01", edit(|c, v| c.quality.max_null_client_rate = v))}
                {number("Max share of rows without page URL", "max_null_page_url_rate", c.quality.max_null_page_url_rate, "0.01", edit(|c, v| c.quality.max_null_page_url_rate = v))}
                {number("Max share of rows without user agent", "max_null_user_agent_rate", c.quality.max_null_user_agent_rate, "0.01", edit(|c, v| c.quality.max_null_user_agent_rate = v))}
                {number("Max quarantined share", "max_quarantine_rate", c.quality.max_quarantine_rate, "0.005", edit(|c, v| c.quality.max_quarantine_rate = v))}
                {number("Low day (share of the median day)", "volume_low_ratio", c.quality.volume_low_ratio, "0.05", edit(|c, v| c.quality.volume_low_ratio = v))}
                {number("High day (multiple of the median day)", "volume_high_ratio", c.quality.volume_high_ratio, "0.1", edit(|c, v| c.quality.volume_high_ratio = v))}
                {number("Max bot share of a day", "max_bot_share", c.quality.max_bot_share, "0.01", edit(|c, v| c.quality.max_bot_share = v))}
                {number("Revenue vs items tolerance (currency)", "revenue_tolerance", c.quality.revenue_tolerance, "0.01", edit(|c, v| c.quality.revenue_tolerance = v))}
            </div>
            <h2>"Monitoring thresholds"</h2>
            <div class="fields">
                {number("Minimum daily revenue", "min_daily_revenue", c.monitor.min_daily_revenue, "100", edit(|c, v| c.monitor.min_daily_revenue = v))}
                {number("Anomaly threshold (robust z)", "revenue_std_threshold", c.monitor.revenue_std_threshold, "0.1", edit(|c, v| c.monitor.revenue_std_threshold = v))}
                {number("Direct share jump", "direct_share_jump", c.monitor.direct_share_jump, "0.01", edit(|c, v| c.monitor.direct_share_jump = v))}
                {number("Channel share change", "channel_share_change", c.monitor.channel_share_change, "0.01", edit(|c, v| c.monitor.channel_share_change = v))}
                {number("Low volume (share of usual rows)", "low_volume_ratio", c.monitor.low_volume_ratio, "0.05", edit(|c, v| c.monitor.low_volume_ratio = v))}
                {number("Smallest spread (share of median)", "min_relative_spread", c.monitor.min_relative_spread, "0.01", edit(|c, v| c.monitor.min_relative_spread = v))}
                {number("History needed (days)", "min_history_days", c.monitor.min_history_days as f64, "1", edit(|c, v| c.monitor.min_history_days = v.max(1.0) as usize))}
                {number("Trailing window (days)", "trailing_days", c.monitor.trailing_days as f64, "1", edit(|c, v| c.monitor.trailing_days = v.max(1.0) as usize))}
                {number("Same-weekday weeks needed", "same_weekday_weeks", c.monitor.same_weekday_weeks as f64, "1", edit(|c, v| c.monitor.same_weekday_weeks = v.max(1.0) as usize))}
            </div>
        </div>
        <Referrers draft=draft />
        <div class="card">
            <div class="card-head">
                <h2>"Channel rules (first match wins)"</h2>
                <button class="secondary" on:click=move |_| draft.update(|c| c.channels = default_rules())>"Reset to defaults"</button>
            </div>
            <table class="data rules">
                <thead><tr><th>"#"</th><th>"Rule"</th><th>"Channel"</th><th>"Query keys"</th><th>"Referrer hosts / apps"</th><th></th></tr></thead>
                <tbody>{move || draft.with(|c| c.channels.clone()).into_iter().enumerate().map(|(i, r)| rule_row(draft, i, r)).collect_view()}</tbody>
            </table>
        </div>
        <div class="apply-bar">
            {move || error.get().map(|e| view! { <span class="file-error">{e}</span> })}
            <button data-apply-settings on:click=apply>"Apply settings"</button>
        </div>
    }
    .into_any()
}

/// The payment step and unwanted referrers: the list (editable), the
/// detection switch, the payment window, and the hosts this batch set
/// aside, each with what it would have taken and a button to keep it on
/// the list for good.
#[component]
fn Referrers(draft: RwSignal<Config>) -> impl IntoView {
    let app = use_app();
    let c = draft.get_untracked();
    let detected = move || {
        app.report.with(|r| {
            r.as_ref()
                .map(|r| r.set_aside_referrers.clone())
                .unwrap_or_default()
        })
    };
    view! {
        <div class="card" data-referrers>
            <h2>"Payment steps and unwanted referrers"</h2>
            <p class="muted small">"A shopper who comes back to checkout from a payment provider is paying, not arriving: within the payment window that return keeps her session and its channel. Unwanted referrers never count as a traffic source, on any page."</p>
            <div class="fields">
                <label class="field wide">
                    <span>"Unwanted referrers (hosts, comma-separated; paypal.com also matches www.paypal.com)"</span>
                    <input data-setting="unwanted_referrers" prop:value=move || draft.with(|c| c.site.unwanted_referrers.join(", ")) on:change=move |ev| {
                        let v = split(&event_target_value(&ev));
                        draft.update(|c| c.site.unwanted_referrers = v);
                    } />
                </label>
                {number("Payment window (minutes)", "payment_return_minutes", f64::from(c.session.payment_return_minutes), "5", move |v: f64| draft.update(|c| c.session.payment_return_minutes = v.max(0.0) as u32))}
                {toggle("Detect payment providers (hosts that refer checkout pages only)", "detect_payment_providers", c.site.detect_payment_providers, move |v| draft.update(|c| c.site.detect_payment_providers = v))}
            </div>
            {move || {
                let mut list = detected();
                let more = list.len().saturating_sub(20);
                list.truncate(20);
                (!list.is_empty()).then(|| view! {
                    <table class="data" data-set-aside>
                        <thead><tr><th>"Referrer"</th><th>"Why"</th><th class="num">"Shoppers"</th><th class="num">"Sessions it would have taken"</th><th class="num">"Revenue in them"</th><th></th></tr></thead>
                        <tbody>{list.into_iter().map(|r| {
                            let host = r.source.clone();
                            let listed = move || draft.with(|c| c.site.is_unwanted(&host));
                            let add = r.source.clone();
                            let why = match r.reason {
                                engine::enrich::SetAside::Detected => "detected: checkout pages only",
                                engine::enrich::SetAside::Listed => "on the list",
                                engine::enrich::SetAside::MidPurchase => "returns mid-purchase",
                            };
                            view! {
                                <tr>
                                    <td class="nowrap"><code>{r.source.clone()}</code></td>
                                    <td>{why}</td>
                                    <td class="num">{r.clients}</td>
                                    <td class="num">{r.sessions}{if r.channel.is_empty() { String::new() } else { format!(" ({})", r.channel) }}</td>
                                    <td class="num">{puffy_report::format::money_cents(r.revenue)}</td>
                                    <td>{move || if listed() {
                                        view! { <span class="muted small">"on the list"</span> }.into_any()
                                    } else {
                                        let add = add.clone();
                                        view! { <button class="link" data-add-unwanted on:click=move |_| { let h = add.clone(); draft.update(|c| c.site.unwanted_referrers.push(h)) }>"Add to the list"</button> }.into_any()
                                    }}</td>
                                </tr>
                            }
                        }).collect_view()}</tbody>
                    </table>
                    {(more > 0).then(|| view! { <p class="muted small">{format!("and {more} more in report.json")}</p> })}
                })
            }}
        </div>
    }
}

fn rule_row(draft: RwSignal<Config>, i: usize, r: ChannelRule) -> impl IntoView {
    let set = move |f: Box<dyn Fn(&mut ChannelRule)>| {
        draft.update(|c| {
            if let Some(rule) = c.channels.get_mut(i) {
                f(rule)
            }
        })
    };
    let swap = move |j: usize| {
        draft.update(|c| {
            if j < c.channels.len() {
                c.channels.swap(i, j)
            }
        })
    };
    let hosts: Vec<String> = r
        .referrer_hosts
        .iter()
        .chain(&r.referrer_apps)
        .cloned()
        .collect();
    view! {
        <tr>
            <td>{i + 1}</td>
            <td><code>{r.name.clone()}</code></td>
            <td><input value=r.channel.clone() on:change=move |ev| { let v = event_target_value(&ev); set(Box::new(move |rule| rule.channel = v.clone())) } /></td>
            <td><input value=r.params.join(", ") on:change=move |ev| { let v = split(&event_target_value(&ev)); set(Box::new(move |rule| rule.params = v.clone())) } /></td>
            <td class="muted small">{if r.any_referrer { "any external referrer".to_string() } else { hosts.join(", ") }}</td>
            <td class="nowrap">
                <button class="link" title="Move up" disabled={i == 0} on:click=move |_| { if i > 0 { swap(i - 1) } }>"↑"</button>
                <button class="link" title="Move down" on:click=move |_| swap(i + 1)>"↓"</button>
            </td>
        </tr>
    }
}
