//! Volume, bot and consistency checks behind [`crate::quality::audit`], and
//! the per-day counts the score uses.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rustc_hash::FxHashMap;

use crate::config::SiteConfig;
use crate::enrich::UserAgents;
use crate::ingest::Dataset;
use crate::limits::MAX_BATCH_DAYS;
use crate::model::{EventKind, PerString, NONE};
use crate::quality::checks::{
    finding, line_ref, push_sample, with_days, TxnDuplicates, MAX_SAMPLES,
};
use crate::quality::{event_day, revenue, Category, Finding, QualityConfig, Severity};
use crate::units::{agree, money, pct, quantity, round4};

/// Distinct events per UTC day.
pub fn events_by_day(ds: &Dataset) -> BTreeMap<NaiveDate, u64> {
    let mut out = BTreeMap::new();
    for e in &ds.events {
        *out.entry(event_day(e.ts)).or_insert(0) += 1;
    }
    out
}

/// The first and last day of the batch: named by a file (or, without dated
/// file names, seen in events).
fn batch_range(
    ds: &Dataset,
    events_by_day: &BTreeMap<NaiveDate, u64>,
) -> Option<(NaiveDate, NaiveDate)> {
    let named: Vec<NaiveDate> = ds.files.iter().filter_map(|f| f.day).collect();
    match (named.iter().min(), named.iter().max()) {
        (Some(&lo), Some(&hi)) => Some((lo, hi)),
        _ => events_by_day
            .keys()
            .next()
            .copied()
            .zip(events_by_day.keys().next_back().copied()),
    }
}

/// Every day of the batch, gaps included, from its first to its last; at most
/// the last [`MAX_BATCH_DAYS`] of them (one stray timestamp years away
/// must not make thousands of "missing" days).
pub fn batch_days(ds: &Dataset, events_by_day: &BTreeMap<NaiveDate, u64>) -> Vec<NaiveDate> {
    let Some((lo, hi)) = batch_range(ds, events_by_day) else {
        return Vec::new();
    };
    let lo = lo.max(hi - chrono::Duration::days(MAX_BATCH_DAYS - 1));
    lo.iter_days().take_while(|d| *d <= hi).collect()
}

/// A batch spanning more than [`MAX_BATCH_DAYS`]: which days the
/// day-by-day checks leave out.
pub fn span(ds: &Dataset, events_by_day: &BTreeMap<NaiveDate, u64>, out: &mut Vec<Finding>) {
    let Some((lo, hi)) = batch_range(ds, events_by_day) else {
        return;
    };
    let days = (hi - lo).num_days() + 1;
    if days <= MAX_BATCH_DAYS {
        return;
    }
    let from = hi - chrono::Duration::days(MAX_BATCH_DAYS - 1);
    let before: u64 = events_by_day.range(..from).map(|(_, n)| n).sum();
    let mut x = finding(
        "batch_span",
        Category::Volume,
        Severity::Warning,
        format!(
            "The batch spans {days} days, from {lo} to {hi}; day-by-day checks and metrics cover the last {MAX_BATCH_DAYS}, from {from}. {} before {from} still {} in the totals: check their timestamps.",
            quantity(before, "event"),
            agree(before, "counts", "count"),
        ),
    );
    x.count = before;
    x.value = Some(days as f64);
    out.push(with_days(x, vec![lo, hi]));
}

/// The median of a list of counts (0 when empty).
pub fn median(values: impl Iterator<Item = u64>) -> f64 {
    let mut v: Vec<u64> = values.collect();
    if v.is_empty() {
        return 0.0;
    }
    v.sort_unstable();
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2] as f64
    } else {
        (v[n / 2 - 1] + v[n / 2]) as f64 / 2.0
    }
}

/// Missing days and days far from the batch median.
pub fn volume(
    days: &[NaiveDate],
    by_day: &BTreeMap<NaiveDate, u64>,
    cfg: &QualityConfig,
    out: &mut Vec<Finding>,
) {
    let count = |d: &NaiveDate| by_day.get(d).copied().unwrap_or(0);
    let median = median(days.iter().map(count).filter(|&n| n > 0));
    for day in days {
        let n = count(day);
        let (check, severity, msg) = if n == 0 {
            (
                "missing_day",
                Severity::Error,
                format!("{day}: no events at all; the day is missing from the batch."),
            )
        } else if (n as f64) < cfg.volume_low_ratio * median {
            (
                "volume_low",
                Severity::Warning,
                format!(
                    "{day}: only {n} events, {} of the usual {median:.0}.",
                    pct(n as f64 / median)
                ),
            )
        } else if (n as f64) > cfg.volume_high_ratio * median {
            (
                "volume_high",
                Severity::Warning,
                format!(
                    "{day}: {n} events, {} of the usual {median:.0}.",
                    pct(n as f64 / median)
                ),
            )
        } else {
            continue;
        };
        let mut x = finding(check, Category::Volume, severity, msg);
        x.count = n;
        x.value = Some(median);
        out.push(with_days(x, vec![*day]));
    }
}

/// Bot traffic overall (info) and days above the bot-share limit (warning).
/// Returns the number of bot events.
pub fn bots(
    ds: &Dataset,
    uas: &UserAgents,
    by_day: &BTreeMap<NaiveDate, u64>,
    cfg: &QualityConfig,
    out: &mut Vec<Finding>,
) -> u64 {
    let mut per_day: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    let mut samples = Vec::new();
    for e in ds.events.iter().filter(|e| uas.is_bot(e.user_agent)) {
        *per_day.entry(event_day(e.ts)).or_insert(0) += 1;
        push_sample(&mut samples, line_ref(ds, e.file, e.line.into()));
    }
    let total: u64 = per_day.values().sum();
    if total == 0 {
        return 0;
    }
    let share = total as f64 / ds.events.len() as f64;
    let msg = format!("{} of events ({total}) come from bots, crawlers and headless browsers; they are left out of sessions and attribution.", pct(share));
    let mut x = finding("bot_traffic", Category::Bots, Severity::Info, msg);
    x.count = total;
    x.value = Some(round4(share));
    x.samples = samples;
    out.push(with_days(x, per_day.keys().copied().collect()));
    for (day, n) in per_day {
        let share = n as f64 / by_day.get(&day).copied().unwrap_or(n).max(1) as f64;
        if share > cfg.max_bot_share {
            let msg = format!(
                "{day}: {} of events come from bots (limit {}).",
                pct(share),
                pct(cfg.max_bot_share)
            );
            let mut x = finding("bot_share", Category::Bots, Severity::Warning, msg);
            x.count = n;
            x.value = Some(round4(share));
            out.push(with_days(x, vec![day]));
        }
    }
    total
}

/// Orders whose client has no earlier event; orders without a client id;
/// clients seen on the checkout host but never on the shop.
pub fn consistency(ds: &Dataset, dups: &TxnDuplicates, site: &SiteConfig, out: &mut Vec<Finding>) {
    // Dense per-string slots (symbols index the string table), not hash
    // maps: this loop visits every event. A client's first timestamp (events
    // are time-ordered, so the first seen is the earliest), a page URL's host
    // kind, whether a client was seen on the shop.
    let mut first_seen = PerString::new(&ds.strings, i64::MAX);
    let mut host_of = PerString::new(&ds.strings, HostKind::Unseen);
    let mut on_shop = PerString::new(&ds.strings, false);
    let mut checkout_only: FxHashMap<u32, (u32, u32)> = FxHashMap::default();
    let (mut orphan, mut no_client) = (
        finding(
            "order_without_prior_event",
            Category::Consistency,
            Severity::Warning,
            String::new(),
        ),
        finding(
            "order_without_client_id",
            Category::Completeness,
            Severity::Warning,
            String::new(),
        ),
    );
    let (mut orphan_days, mut no_client_days, mut no_client_revenue) =
        (Vec::new(), Vec::new(), 0.0);
    for (i, e) in ds.events.iter().enumerate() {
        let is_order = e.kind == EventKind::CheckoutCompleted && !dups.excluded.contains(&i);
        if e.client == NONE {
            if is_order {
                no_client.count += 1;
                no_client_revenue += revenue(ds, e.payload);
                push_sample(&mut no_client.samples, line_ref(ds, e.file, e.line.into()));
                no_client_days.push(event_day(e.ts));
            }
            continue;
        }
        let first = first_seen.get_or_insert_with(e.client, || e.ts);
        if is_order && first >= e.ts {
            orphan.count += 1;
            push_sample(&mut orphan.samples, line_ref(ds, e.file, e.line.into()));
            orphan_days.push(event_day(e.ts));
        }
        let kind =
            host_of.get_or_insert_with(e.page_url, || host_kind(ds.strings.get(e.page_url), site));
        if kind == HostKind::Shop {
            on_shop.set(e.client, true);
        } else if kind == HostKind::Checkout {
            checkout_only.entry(e.client).or_insert((e.file, e.line));
        }
    }
    if orphan.count > 0 {
        orphan.message = format!(
            "{} {} from a client with no earlier event: the visit that led there was not tracked.",
            quantity(orphan.count, "order"),
            agree(orphan.count, "comes", "come")
        );
        out.push(with_days(orphan, orphan_days));
    }
    if no_client.count > 0 {
        no_client.message = format!(
            "{} worth {} {} no client id and cannot be attributed to a channel.",
            quantity(no_client.count, "order"),
            money(no_client_revenue),
            agree(no_client.count, "has", "have")
        );
        no_client.value = Some(no_client_revenue);
        out.push(with_days(no_client, no_client_days));
    }
    let mut lost: Vec<(u32, u32)> = checkout_only
        .into_iter()
        .filter(|(c, _)| !on_shop.get(*c))
        .map(|(_, at)| at)
        .collect();
    if !lost.is_empty() {
        lost.sort_unstable();
        let msg = format!(
            "{} {} on the checkout host but never on the shop: their shop visits were not tracked.",
            quantity(lost.len() as u64, "client"),
            agree(lost.len() as u64, "appears", "appear")
        );
        let mut x = finding(
            "checkout_without_shop_event",
            Category::Consistency,
            Severity::Warning,
            msg,
        );
        x.count = lost.len() as u64;
        x.samples = lost
            .iter()
            .take(MAX_SAMPLES)
            .map(|&(f, l)| line_ref(ds, f, l.into()))
            .collect();
        out.push(x);
    }
}

/// Where a page URL is ([`host_kind`]); `Unseen` marks a slot not worked
/// out yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HostKind {
    Unseen,
    Shop,
    Checkout,
    Other,
}

/// Whether a URL is on a shop host (first), a checkout host, or neither.
fn host_kind(url: &str, site: &SiteConfig) -> HostKind {
    match crate::enrich::urls::scheme_and_host(url).and_then(|(_, host)| host) {
        Some(h) if site.is_shop(&h) => HostKind::Shop,
        Some(h) if site.is_checkout(&h) => HostKind::Checkout,
        _ => HostKind::Other,
    }
}

/// Per-day counts the score needs.
#[derive(Debug, Default, Clone, Copy)]
pub struct DayCounts {
    /// Orders that count.
    pub orders: u64,
    /// Orders excluded as duplicate transactions.
    pub duplicate_orders: u64,
    /// Events stamped on the day whose file names another day.
    pub outside_file_day: u64,
}

/// [`DayCounts`] for every day with events, in one pass.
pub fn day_counts(ds: &Dataset, dups: &TxnDuplicates) -> BTreeMap<NaiveDate, DayCounts> {
    let mut out: BTreeMap<NaiveDate, DayCounts> = BTreeMap::new();
    for (i, e) in ds.events.iter().enumerate() {
        let day = event_day(e.ts);
        let c = out.entry(day).or_default();
        if e.kind == EventKind::CheckoutCompleted {
            if dups.excluded.contains(&i) {
                c.duplicate_orders += 1;
            } else {
                c.orders += 1;
            }
        }
        if ds.files[e.file as usize].day.is_some_and(|d| d != day) {
            c.outside_file_day += 1;
        }
    }
    out
}
