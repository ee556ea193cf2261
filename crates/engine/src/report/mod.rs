//! `report.json`: [`Report`] gathers a [`Run`]'s summaries, the daily
//! metrics and alerts, and the executive summary ([`insights`]) into the
//! one document the page, the HTML report and hosted bundles read.

pub mod compare;
pub mod insights;

use std::collections::BTreeMap;

use serde::Serialize;

use chrono::NaiveDate;

use crate::attribution::{MarkovSummary, Model, Stitching};
use crate::config::Config;
use crate::ingest::{Dataset, FileReport, QuarantinedRow};
use crate::limits::{truncate, MAX_SAMPLE_CHARS};
use crate::monitor::metrics::metrics_from;
use crate::pipeline::Run;
use crate::quality::{DuplicateTransaction, QualityReport};
use crate::sessions::referrals;
use crate::summary::{funnel, reconcile, summarize, Funnel, Reconciliation, RunTally, Summary};
use crate::units::round4;

/// Orders (fractional credit) and revenue of a channel under one model.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ChannelCredit {
    /// Sum of credits (fractions of orders).
    pub orders: f64,
    /// Credited revenue.
    pub revenue: f64,
}

/// One input file, as the report states it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct InputFile {
    /// File name.
    pub name: String,
    /// Bytes.
    pub bytes: u64,
    /// Data rows.
    pub rows: u64,
    /// Why it could not be read.
    pub error: Option<String>,
}

/// A quarantined row as the report shows it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct QuarantineRow {
    /// File name.
    pub file: String,
    /// Line.
    pub line: u64,
    /// Reason code.
    pub reason: String,
    /// Detail.
    pub detail: String,
    /// The row as CSV.
    pub raw: String,
}

/// The contents of `report.json`.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Report {
    /// Engine version.
    pub version: String,
    /// What was read.
    pub inputs: Vec<InputFile>,
    /// First and last day of the batch.
    pub date_range: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    /// Settings used.
    pub settings: Config,
    /// Everything accounted for.
    pub reconciliation: Reconciliation,
    /// Headline numbers.
    pub summary: Summary,
    /// Sessions → cart → checkout → purchase.
    pub funnel: Funnel,
    /// `{model: {channel: {orders, revenue}}}`.
    pub attribution: BTreeMap<String, BTreeMap<String, ChannelCredit>>,
    /// The data-driven model's inputs and removal effects.
    pub markov: MarkovSummary,
    /// Identity stitching and its effect.
    pub stitching: Stitching,
    /// Journey distributions and top paths.
    pub journeys: crate::summary::JourneyStats,
    /// Referrers not counted as traffic sources (payment providers, the
    /// unwanted list, returns to checkout mid-purchase), with the sessions
    /// and revenue each would otherwise have taken (empty in reports
    /// published before it existed).
    #[serde(default)]
    pub set_aside_referrers: Vec<crate::sessions::referrals::SetAsideReferrer>,
    /// The first 100 quarantined rows (all are in `quarantine.csv`).
    pub quarantine_sample: Vec<QuarantineRow>,
    /// The executive summary.
    pub insights: Vec<crate::report::insights::Insight>,
    /// Alerts of one kind on consecutive days, grouped: worst first (empty
    /// in reports published before it existed).
    #[serde(default)]
    pub incidents: Vec<crate::monitor::incidents::Incident>,
    /// Monitoring alerts, worst first.
    pub alerts: Vec<crate::monitor::Alert>,
    /// The daily metrics series.
    pub metrics: Vec<crate::monitor::metrics::DayMetrics>,
    /// The `puffy check --json` object.
    pub quality: QualityReport,
    /// The period and segment this report is restricted to (none: the
    /// whole batch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slice: Option<crate::summary::slice::Slice>,
    /// The batch a sliced report is part of (none for the whole batch's,
    /// whose `date_range` and channels are the batch's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<BatchFacts>,
    /// The numbers against a baseline, when one was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<compare::Comparison>,
}

/// What a period and segment can be chosen from.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct BatchFacts {
    /// The batch's first and last day.
    pub days: (NaiveDate, NaiveDate),
    /// The channels a session can have.
    pub channels: Vec<String>,
}

impl Report {
    /// The batch's first and last day and its sessions' channels, whether
    /// this report is the whole batch's or a slice's.
    pub fn batch_facts(&self) -> Option<BatchFacts> {
        if let Some(b) = &self.batch {
            return Some(b.clone());
        }
        self.date_range.map(|days| BatchFacts {
            days,
            channels: self.funnel.by_channel.keys().cloned().collect(),
        })
    }
}

/// What `report.json` needs besides a tally: the batch's own facts (its
/// files, quarantine and reused transaction ids; its settings; the Markov
/// model solved over all of it).
pub struct Batch<'a> {
    /// Every file, duplicates counted.
    pub files: &'a [FileReport],
    /// Every quarantined row, in input order.
    pub quarantine: &'a [QuarantinedRow],
    /// Every reused transaction id, in the order of their kept orders.
    pub duplicates: &'a [DuplicateTransaction],
    /// Settings used.
    pub cfg: &'a Config,
    /// The data-driven model over the whole batch.
    pub markov: &'a MarkovSummary,
}

/// Builds `report.json` for a run.
pub fn report(ds: &Dataset, run: &Run) -> Report {
    report_from(&RunTally::of(ds, run), &Batch::of(ds, run))
}

impl<'a> Batch<'a> {
    /// The facts of one reader's batch.
    pub fn of(ds: &'a Dataset, run: &'a Run) -> Batch<'a> {
        Batch {
            files: &ds.files,
            quarantine: &ds.quarantine,
            duplicates: &run.quality.duplicate_transactions,
            cfg: &run.cfg,
            markov: &run.attribution.markov,
        }
    }
}

/// Builds `report.json` from a tally (one run's, or the sum of a batch's
/// partitions') and the batch's facts: one code path for a single reader
/// and a cluster.
pub fn report_from(t: &RunTally, b: &Batch) -> Report {
    build(t, b, None)
}

/// What a slice's report reads besides its own tally (see [`compare`]).
pub struct Part<'a> {
    /// The whole batch's tally: its reconciliation and audit.
    pub whole: &'a RunTally,
    /// The segment's sessions over every day: the daily metrics.
    pub monitor: &'a RunTally,
    /// The period's first day.
    pub from: NaiveDate,
    /// Its last day.
    pub to: NaiveDate,
}

/// `report.json` of tally `t`, a slice's when `part` says so.
pub fn build(t: &RunTally, b: &Batch, part: Option<Part>) -> Report {
    let cfg = b.cfg;
    let whole = part.as_ref().map_or(t, |p| p.whole);
    let (mut quality, set_aside) = referrals::audit(
        b.files,
        b.quarantine,
        b.duplicates,
        &whole.quality,
        &whole.referrals,
        cfg,
    );
    let mut attribution: BTreeMap<String, BTreeMap<String, ChannelCredit>> = Model::ALL
        .iter()
        .map(|m| (m.as_str().to_string(), BTreeMap::new()))
        .collect();
    for ((model, channel), &(orders, cents)) in &t.credits {
        if let Some(m) = attribution.get_mut(model.as_str()) {
            m.insert(
                channel.clone(),
                ChannelCredit {
                    orders: round4(orders),
                    revenue: cents as f64 / 100.0,
                },
            );
        }
    }
    let mut days: Vec<NaiveDate> = quality.score_by_day.keys().copied().collect();
    let mut metrics = metrics_from(part.as_ref().map_or(t, |p| p.monitor), b.files, &days);
    let mut alerts = crate::monitor::alerts(&metrics, cfg);
    let in_part = |d: NaiveDate| part.as_ref().is_none_or(|p| d >= p.from && d <= p.to);
    if let Some(p) = &part {
        quality.restrict(p.from, p.to, t.quality.bot_events());
        days.retain(|d| in_part(*d));
        metrics.retain(|m| in_part(m.day));
        alerts.retain(|a| in_part(a.day));
    }
    let mut report = Report {
        version: env!("CARGO_PKG_VERSION").to_string(),
        inputs: b
            .files
            .iter()
            .map(|f| InputFile {
                name: f.name.clone(),
                bytes: f.bytes,
                rows: f.rows,
                error: f.error.clone(),
            })
            .collect(),
        date_range: days.first().copied().zip(days.last().copied()),
        settings: cfg.clone(),
        reconciliation: reconcile(whole, b.files, b.quarantine.len() as u64),
        summary: summarize(t, &quality.score_by_day),
        funnel: funnel(t),
        attribution,
        markov: b.markov.clone(),
        stitching: Stitching {
            enabled: cfg.attribution.stitch_identities,
            linked_clients: t.linked_clients,
            orders_gaining_touchpoints: t.orders_gaining_touchpoints,
        },
        journeys: crate::summary::journey_stats(t),
        set_aside_referrers: set_aside,
        quarantine_sample: b
            .quarantine
            .iter()
            .filter(|q| {
                b.files
                    .get(q.file as usize)
                    .and_then(|f| f.day)
                    .is_none_or(in_part)
            })
            .take(100)
            .map(|q| QuarantineRow {
                file: b
                    .files
                    .get(q.file as usize)
                    .map_or_else(String::new, |f| f.name.clone()),
                line: q.line,
                reason: q.reason.as_str().to_string(),
                detail: truncate(&q.detail, MAX_SAMPLE_CHARS).into_owned(),
                raw: truncate(&q.raw, MAX_SAMPLE_CHARS).into_owned(),
            })
            .collect(),
        insights: Vec::new(),
        incidents: crate::monitor::incidents::incidents(&alerts, &metrics),
        alerts,
        metrics,
        quality,
        slice: None,
        batch: None,
        comparison: None,
    };
    report.insights = crate::report::insights::insights(&report);
    report
}
