//! `report.json`: [`Report`] gathers a [`Run`]'s summaries, the daily
//! metrics and alerts, and the executive summary ([`insights`]) into the
//! one document the page, the HTML report and hosted bundles read.

pub mod insights;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::attribution::{MarkovSummary, Model, Stitching};
use crate::config::Config;
use crate::ingest::Dataset;
use crate::limits::{truncate, MAX_SAMPLE_CHARS};
use crate::pipeline::Run;
use crate::quality::QualityReport;
use crate::summary::{funnel, reconcile, summarize, Funnel, Reconciliation, Summary};
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
}

/// Builds `report.json` for a run.
pub fn report(ds: &Dataset, run: &Run) -> Report {
    let mut attribution: BTreeMap<String, BTreeMap<String, ChannelCredit>> = Model::ALL
        .iter()
        .map(|m| (m.as_str().to_string(), BTreeMap::new()))
        .collect();
    let mut cents: BTreeMap<(&'static str, String), (f64, i64)> = BTreeMap::new();
    for c in &run.attribution.credits {
        let key = (
            c.model.as_str(),
            run.attribution.channels[c.channel as usize].clone(),
        );
        let e = cents.entry(key).or_insert((0.0, 0));
        e.0 += c.credit;
        e.1 += c.revenue_cents;
    }
    for ((model, channel), (orders, revenue)) in cents {
        if let Some(m) = attribution.get_mut(model) {
            m.insert(
                channel,
                ChannelCredit {
                    orders: round4(orders),
                    revenue: revenue as f64 / 100.0,
                },
            );
        }
    }
    let days = run.quality.score_by_day.keys();
    let (metrics, alerts) = crate::monitor::monitor(ds, run);
    let mut report = Report {
        version: env!("CARGO_PKG_VERSION").to_string(),
        inputs: ds
            .files
            .iter()
            .map(|f| InputFile {
                name: f.name.clone(),
                bytes: f.bytes,
                rows: f.rows,
                error: f.error.clone(),
            })
            .collect(),
        date_range: days.clone().next().copied().zip(days.last().copied()),
        settings: run.cfg.clone(),
        reconciliation: reconcile(ds, run),
        summary: summarize(ds, run),
        funnel: funnel(ds, run),
        attribution,
        markov: run.attribution.markov.clone(),
        stitching: run.attribution.stitching.clone(),
        journeys: crate::summary::journey_stats(ds, run),
        set_aside_referrers: run.set_aside.clone(),
        quarantine_sample: ds
            .quarantine
            .iter()
            .take(100)
            .map(|q| QuarantineRow {
                file: ds.files[q.file as usize].name.clone(),
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
        quality: run.quality.clone(),
    };
    report.insights = crate::report::insights::insights(&report);
    report
}
