//! Incidents: alerts of one kind on consecutive days are one problem, not
//! one per day. Each incident has its span, its worst day (the peak), its
//! impact on the batch, and the alerts it groups, so a reader sees two root
//! causes instead of a dozen red lines.
//!
//! Grouping: alerts with the same kind (the metric, plus the column or the
//! channel it is about) on consecutive calendar days form one incident.
//! Lost referrers also explain the channel mix moving: Direct-share and
//! channel-share alerts on days of a missing-`referrer` incident are folded
//! into it. Severity is the worst of the grouped alerts; the peak is the
//! value of the alert furthest from its limit or band (relative to it).
//!
//! Impact, summed over the incident's days:
//! - client ids: events without one (they cannot be sessionized);
//! - a missing column, channel mix, conversion rate: sessions of those days
//!   (their channel or conversion is in doubt); a renamed column: nothing
//!   (it is mapped);
//! - quarantine: rows quarantined; low volume: rows; duplicates: copies;
//! - revenue and orders: revenue of those days, and the shortfall against
//!   the middle of the expected band (for drops);
//! - a missing day or unreadable file: the days themselves.

use chrono::NaiveDate;
use serde::Serialize;

use crate::monitor::metrics::DayMetrics;
use crate::monitor::{Alert, AlertFamily, AlertMetric, AlertSeverity};
use crate::units::{money, pct, quantity, thousands};

/// What an incident affected.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct Impact {
    /// Events or rows affected.
    pub events: u64,
    /// Sessions affected.
    pub sessions: u64,
    /// Revenue affected (for drops: the shortfall against the expected).
    pub revenue: f64,
    /// The same, in words.
    pub text: String,
}

/// Alerts of one kind on consecutive days.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Incident {
    /// `kind:first_day`, unique in a run.
    pub id: String,
    /// The metric (as alerts name it), with the column for schema alerts:
    /// `null_client_rate`, `column_missing:referrer`.
    pub kind: String,
    /// Family of its alerts.
    pub family: AlertFamily,
    /// The worst severity among its alerts.
    pub severity: AlertSeverity,
    /// First day.
    pub first_day: NaiveDate,
    /// Last day.
    pub last_day: NaiveDate,
    /// Days with an alert of its kind (distinct days).
    pub days: u32,
    /// The value on its worst day.
    pub peak: f64,
    /// Its worst day.
    pub peak_day: NaiveDate,
    /// What it affected.
    pub impact: Impact,
    /// One line for a reader.
    pub message: String,
    /// What to do about it.
    pub action: String,
    /// Ids of the alerts it groups, in day order.
    pub alerts: Vec<String>,
}

/// The kind of an alert: its metric, plus what follows the day in its id
/// (the schema change for column alerts).
fn kind(a: &Alert) -> String {
    let prefix = format!("{}:{}", a.metric, a.day);
    match a.id.strip_prefix(&prefix) {
        Some(rest) if !rest.is_empty() => {
            let rest = rest.trim_start_matches(':');
            let what = rest.split_once(':').map_or(rest, |(_, c)| c);
            format!("{}:{what}", a.metric)
        }
        _ => a.metric.to_string(),
    }
}

/// How far an alert's value is from what was allowed, relative to it.
fn distance(a: &Alert) -> f64 {
    let reference = match (a.expected, a.threshold) {
        (Some((lo, _)), _) if a.value < lo => lo,
        (Some((_, hi)), _) if a.value > hi => hi,
        (Some((lo, hi)), _) => (lo + hi) / 2.0,
        (None, Some(t)) => t,
        _ => return a.value.abs(),
    };
    (a.value - reference).abs() / reference.abs().max(1e-9)
}

/// Groups `alerts` (of the days in `metrics`) into incidents, worst first,
/// then by first day.
pub fn incidents(alerts: &[Alert], metrics: &[DayMetrics]) -> Vec<Incident> {
    let mut sorted: Vec<(String, &Alert)> = alerts.iter().map(|a| (kind(a), a)).collect();
    crate::sorting::sort_by(&mut sorted, |(ka, a), (kb, b)| {
        ka.cmp(kb).then(a.day.cmp(&b.day))
    });
    let mut groups: Vec<(String, Vec<&Alert>)> = Vec::new();
    for (k, a) in sorted {
        match groups.last_mut() {
            Some((gk, list))
                if *gk == k
                    && list
                        .last()
                        .is_some_and(|last| (a.day - last.day).num_days() <= 1) =>
            {
                list.push(a)
            }
            _ => groups.push((k, vec![a])),
        }
    }
    // Lost referrers explain the channel mix moving on the same days.
    let referrer_days: Vec<(NaiveDate, NaiveDate)> = groups
        .iter()
        .filter(|(k, _)| k == "column_missing:referrer")
        .filter_map(|(_, list)| Some((list.first()?.day, list.last()?.day)))
        .collect();
    let explained = |k: &str, list: &[&Alert]| {
        (k == "direct_share" || k.starts_with("channel_share:"))
            && list
                .iter()
                .all(|a| referrer_days.iter().any(|&(f, l)| f <= a.day && a.day <= l))
    };
    let mut folded: Vec<&Alert> = Vec::new();
    groups.retain(|(k, list)| {
        if explained(k, list) {
            folded.extend(list.iter().copied());
            false
        } else {
            true
        }
    });
    let mut out: Vec<Incident> = groups
        .into_iter()
        .map(|(k, own)| {
            let explains: Vec<&Alert> = match k == "column_missing:referrer" {
                true => {
                    let (f, l) = (own[0].day, own[own.len() - 1].day);
                    folded
                        .iter()
                        .copied()
                        .filter(|a| f <= a.day && a.day <= l)
                        .collect()
                }
                false => Vec::new(),
            };
            incident(k, &own, &explains, metrics)
        })
        .collect();
    crate::sorting::sort_by(&mut out, |a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.first_day.cmp(&b.first_day))
            .then(a.kind.cmp(&b.kind))
    });
    out
}

/// One incident from its own alerts (one kind, in day order) and the
/// alerts of other kinds it explains.
fn incident(kind: String, own: &[&Alert], explains: &[&Alert], metrics: &[DayMetrics]) -> Incident {
    let first = own[0];
    let (first_day, last_day) = (first.day, own[own.len() - 1].day);
    let mut distinct: Vec<NaiveDate> = own.iter().map(|a| a.day).collect();
    distinct.dedup();
    let n_days = distinct.len();
    let worst = own
        .iter()
        .copied()
        .max_by(|a, b| {
            a.severity
                .cmp(&b.severity)
                .then(distance(a).total_cmp(&distance(b)))
                .then(b.day.cmp(&a.day))
        })
        .unwrap_or(first);
    let severity = own
        .iter()
        .chain(explains)
        .map(|a| a.severity)
        .max()
        .unwrap_or(first.severity);
    let days: Vec<&DayMetrics> = metrics
        .iter()
        .filter(|m| own.iter().any(|a| a.day == m.day))
        .collect();
    let impact = impact(&first.metric, own, &days);
    let also = match explains.len() {
        0 => String::new(),
        n => format!(
            " It also explains {} about the channel mix on those days.",
            quantity(n as u64, "alert")
        ),
    };
    let has_peak = !matches!(
        first.metric,
        AlertMetric::MissingDay
            | AlertMetric::FileError
            | AlertMetric::ColumnMissing
            | AlertMetric::ColumnRenamed
    );
    // The span is shown beside the message, so the message does not repeat it.
    let message = match (n_days, has_peak) {
        (1, _) => format!("{}{also}", capitalized(&without_day(first))),
        (_, true) => format!(
            "{} Worst: {} on {}.{also}",
            capitalized(&describe(first)),
            value_text(&first.metric, worst.value),
            worst.day,
        ),
        (_, false) => format!("{}{also}", capitalized(&describe(first))),
    };
    let mut all: Vec<&Alert> = own.iter().chain(explains).copied().collect();
    crate::sorting::sort_by(&mut all, |a, b| a.day.cmp(&b.day).then(a.id.cmp(&b.id)));
    let grouped = all.iter().map(|a| a.id.clone()).collect();
    Incident {
        id: format!("{kind}:{first_day}"),
        kind,
        family: first.family,
        severity,
        first_day,
        last_day,
        days: n_days as u32,
        peak: worst.value,
        peak_day: worst.day,
        impact,
        message,
        action: first.action.clone(),
        alerts: grouped,
    }
}

/// An alert's message without the `2025-03-02: ` it starts with.
fn without_day(a: &Alert) -> String {
    let prefix = format!("{}: ", a.day);
    a.message
        .strip_prefix(&prefix)
        .unwrap_or(&a.message)
        .to_string()
}

/// `s` with its first letter in upper case.
fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}

/// A value of `metric` as people read it.
fn value_text(metric: &AlertMetric, v: f64) -> String {
    match (metric.is_share(), metric.is_money()) {
        (true, _) => pct(v),
        (_, true) => money(v),
        _ => thousands(v.round().max(0.0) as u64),
    }
}

/// What the alerts of a kind say, without the day.
fn describe(a: &Alert) -> String {
    match &a.metric {
        AlertMetric::MissingDay => "no data on these days.".into(),
        AlertMetric::FileError => "files that could not be read.".into(),
        AlertMetric::NullClientRate => format!(
            "events without a client id above the limit of {} every day.",
            pct(a.threshold.unwrap_or_default())
        ),
        AlertMetric::ColumnMissing | AlertMetric::ColumnRenamed => without_day(a),
        AlertMetric::DuplicateTransactions => "transaction ids sent more than once.".into(),
        AlertMetric::QuarantineRate => "more rows quarantined than the limit allows.".into(),
        AlertMetric::Rows => "fewer rows than usual.".into(),
        AlertMetric::DirectShare => "Direct's share of sessions far above usual.".into(),
        other => format!("{other} outside its usual range."),
    }
}

fn impact(metric: &AlertMetric, own: &[&Alert], days: &[&DayMetrics]) -> Impact {
    let sum = |f: fn(&DayMetrics) -> u64| days.iter().map(|d| f(d)).sum::<u64>();
    let sessions = sum(|d| d.sessions);
    let mut i = Impact::default();
    match metric {
        AlertMetric::MissingDay | AlertMetric::FileError => {
            let mut d: Vec<NaiveDate> = own.iter().map(|a| a.day).collect();
            d.dedup();
            i.text = quantity(d.len() as u64, "day") + " without usable data";
        }
        AlertMetric::NullClientRate => {
            i.events = days
                .iter()
                .map(|d| (d.null_client_rate * d.accepted as f64).round() as u64)
                .sum();
            i.text = format!(
                "{} without a client id, left out of sessions and attribution",
                quantity(i.events, "event")
            );
        }
        AlertMetric::QuarantineRate => {
            i.events = sum(|d| d.quarantined);
            i.text = format!("{} quarantined", quantity(i.events, "row"));
        }
        AlertMetric::Rows => {
            i.events = sum(|d| d.rows);
            i.text = format!("{} on those days", quantity(i.events, "row"));
        }
        AlertMetric::DuplicateTransactions => {
            i.events = sum(|d| d.duplicate_transactions);
            i.text = format!(
                "{} counted once",
                quantity(i.events, "duplicate transaction copy")
            );
        }
        AlertMetric::ColumnRenamed => {
            i.text = "mapped automatically: nothing lost".into();
        }
        AlertMetric::Revenue | AlertMetric::Orders => {
            i.revenue = own
                .iter()
                .filter_map(|a| {
                    let (lo, hi) = a.expected?;
                    let day = days.iter().find(|d| d.day == a.day)?;
                    Some(((lo + hi) / 2.0 - day.revenue).max(0.0))
                })
                .sum::<f64>();
            i.revenue = (i.revenue * 100.0).round() / 100.0;
            i.sessions = sessions;
            i.text = match i.revenue > 0.0 {
                true => format!("{} below the expected revenue", money(i.revenue)),
                false => format!("{} on those days", quantity(sessions, "session")),
            };
        }
        _ => {
            i.events = sum(|d| d.events);
            i.sessions = sessions;
            i.text = format!(
                "{} whose channel or conversion is in doubt",
                quantity(sessions, "session")
            );
        }
    }
    i
}
