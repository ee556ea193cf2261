//! Volume, bot and consistency checks behind [`crate::quality::audit`], and
//! the per-day counts the score uses.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::ingest::FileReport;
use crate::limits::MAX_BATCH_DAYS;
use crate::model::cents_to_f64;
use crate::quality::checks::{finding, with_days};
use crate::quality::tally::EventTally;
use crate::quality::{Category, Finding, QualityConfig, Severity};
use crate::units::{agree, money, pct, quantity, round4};

/// The first and last day of the batch: named by a file (or, without dated
/// file names, seen in events).
fn batch_range(
    files: &[FileReport],
    events_by_day: &BTreeMap<NaiveDate, u64>,
) -> Option<(NaiveDate, NaiveDate)> {
    let named: Vec<NaiveDate> = files.iter().filter_map(|f| f.day).collect();
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
pub fn batch_days(
    files: &[FileReport],
    events_by_day: &BTreeMap<NaiveDate, u64>,
) -> Vec<NaiveDate> {
    let Some((lo, hi)) = batch_range(files, events_by_day) else {
        return Vec::new();
    };
    let lo = lo.max(hi - chrono::Duration::days(MAX_BATCH_DAYS - 1));
    lo.iter_days().take_while(|d| *d <= hi).collect()
}

/// A batch spanning more than [`MAX_BATCH_DAYS`]: which days the
/// day-by-day checks leave out.
pub fn span(
    files: &[FileReport],
    events_by_day: &BTreeMap<NaiveDate, u64>,
    out: &mut Vec<Finding>,
) {
    let Some((lo, hi)) = batch_range(files, events_by_day) else {
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
pub fn bots(files: &[FileReport], t: &EventTally, cfg: &QualityConfig, out: &mut Vec<Finding>) {
    let total = t.bot_events();
    if total == 0 {
        return;
    }
    let share = total as f64 / t.events as f64;
    let msg = format!("{} of events ({total}) come from bots, crawlers and headless browsers; they are left out of sessions and attribution.", pct(share));
    let mut x = finding("bot_traffic", Category::Bots, Severity::Info, msg);
    x.count = total;
    x.value = Some(round4(share));
    x.samples = t.bot_samples.lines(files);
    out.push(with_days(x, t.bots_by_day.keys().copied().collect()));
    for (&day, &n) in &t.bots_by_day {
        let share = n as f64 / t.events_by_day.get(&day).copied().unwrap_or(n).max(1) as f64;
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
}

/// Orders whose client has no earlier event; orders without a client id;
/// clients seen on the checkout host but never on the shop.
pub fn consistency(files: &[FileReport], t: &EventTally, out: &mut Vec<Finding>) {
    let orphan = &t.orphan_orders;
    if orphan.count > 0 {
        let msg = format!(
            "{} {} from a client with no earlier event: the visit that led there was not tracked.",
            quantity(orphan.count, "order"),
            agree(orphan.count, "comes", "come")
        );
        let mut x = finding(
            "order_without_prior_event",
            Category::Consistency,
            Severity::Warning,
            msg,
        );
        x.count = orphan.count;
        x.samples = orphan.samples.lines(files);
        out.push(with_days(x, orphan.days.iter().copied().collect()));
    }
    let no_client = &t.orders_without_client;
    if no_client.count > 0 {
        let revenue = cents_to_f64(no_client.cents);
        let msg = format!(
            "{} worth {} {} no client id and cannot be attributed to a channel.",
            quantity(no_client.count, "order"),
            money(revenue),
            agree(no_client.count, "has", "have")
        );
        let mut x = finding(
            "order_without_client_id",
            Category::Completeness,
            Severity::Warning,
            msg,
        );
        x.count = no_client.count;
        x.value = Some(revenue);
        x.samples = no_client.samples.lines(files);
        out.push(with_days(x, no_client.days.iter().copied().collect()));
    }
    let lost = &t.checkout_only_clients;
    if lost.count > 0 {
        let msg = format!(
            "{} {} on the checkout host but never on the shop: their shop visits were not tracked.",
            quantity(lost.count, "client"),
            agree(lost.count, "appears", "appear")
        );
        let mut x = finding(
            "checkout_without_shop_event",
            Category::Consistency,
            Severity::Warning,
            msg,
        );
        x.count = lost.count;
        x.samples = lost.samples.lines(files);
        out.push(x);
    }
}
