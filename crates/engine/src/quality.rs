//! Quality: the data-quality audit of an ingested batch.
//!
//! Every check yields [`Finding`]s with an id, a category, a severity, the
//! affected days and files, a count, up to 20 sample line references and a
//! one-line message for a marketer. Checks live in [`crate::quality_checks`];
//! this module holds the types, the thresholds and the daily score.
//!
//! **Daily score** (0–100, higher is better), for each day `d` of the batch:
//!
//! ```text
//! score(d) = 100 − 100·q − 100·n − 10·m − 2·r − 50·t − 20·o − 15·v
//! ```
//! clamped to 0..100 and rounded to one decimal, where, over the files of
//! day `d` (named by their file name) and the events stamped on `d`:
//! `q` share of rows quarantined; `n` share of accepted rows without a
//! client id (1 when the column is missing); `m` canonical columns missing;
//! `r` columns renamed; `t` share of orders that are duplicate transactions;
//! `o` share of events stamped outside their file's day; `v` 1 when the day
//! has fewer than `volume_low_ratio` × the batch median of events, or none.
//! A day with no events at all scores 0. Bots are not a defect of the
//! export and do not lower the score.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::config::SiteConfig;
use crate::enrich::UserAgents;
use crate::ingest::{Dataset, FileReport};
use crate::model::{cents_to_f64, day_of};
use crate::quality_checks as checks;
use crate::schema::Column;

/// Thresholds of the audit, with their defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QualityConfig {
    /// Highest acceptable share of rows without `client_id` per day (0.05).
    pub max_null_client_rate: f64,
    /// Highest acceptable share of rows without `page_url` per day (0.01).
    pub max_null_page_url_rate: f64,
    /// Highest acceptable share of rows without `user_agent` per day (0.05).
    pub max_null_user_agent_rate: f64,
    /// Share of quarantined rows in a file above which it is an error (0.01).
    pub max_quarantine_rate: f64,
    /// A day below this share of the median daily events is low (0.5).
    pub volume_low_ratio: f64,
    /// A day above this multiple of the median daily events is high (2.0).
    pub volume_high_ratio: f64,
    /// Bot share of a day's events above which it is a warning (0.25).
    pub max_bot_share: f64,
    /// Tolerance between revenue and the sum of its items, in currency (0.01).
    pub revenue_tolerance: f64,
}

impl Default for QualityConfig {
    fn default() -> Self {
        QualityConfig {
            max_null_client_rate: 0.05,
            max_null_page_url_rate: 0.01,
            max_null_user_agent_rate: 0.05,
            max_quarantine_rate: 0.01,
            volume_low_ratio: 0.5,
            volume_high_ratio: 2.0,
            max_bot_share: 0.25,
            revenue_tolerance: 0.01,
        }
    }
}

/// What a check is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Columns renamed, missing, extra; unreadable files.
    Schema,
    /// Empty values.
    Completeness,
    /// Values that do not parse or do not add up.
    Validity,
    /// Things counted twice.
    Uniqueness,
    /// Too few or too many rows; missing days.
    Volume,
    /// Events that contradict each other.
    Consistency,
    /// Crawler and headless traffic.
    Bots,
}

/// How bad a finding is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Numbers may be off.
    Warning,
    /// Numbers are wrong unless handled.
    Error,
}

/// A place in the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineRef {
    /// File name.
    pub file: String,
    /// 1-based line.
    pub line: u64,
}

/// One data-quality finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Check id, e.g. `null_rate`, `column_renamed`.
    pub check: String,
    /// What the check is about.
    pub category: Category,
    /// How bad.
    pub severity: Severity,
    /// First affected day.
    pub day: Option<NaiveDate>,
    /// Every affected day.
    pub days: Vec<NaiveDate>,
    /// Affected files.
    pub files: Vec<String>,
    /// How many rows, events, orders or columns.
    pub count: u64,
    /// The measured rate or amount, when there is one.
    pub value: Option<f64>,
    /// Up to 20 example lines.
    pub samples: Vec<LineRef>,
    /// One line for a marketer.
    pub message: String,
}

/// Per-file summary, in the shape of `puffy check --json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileSummary {
    /// File name.
    pub name: String,
    /// Day from the file name.
    pub day: Option<NaiveDate>,
    /// Bytes read.
    pub bytes: u64,
    /// Data rows.
    pub rows: u64,
    /// Rows accepted (`rows = accepted + quarantined`).
    pub accepted: u64,
    /// Rows quarantined.
    pub quarantined: u64,
    /// Accepted rows that repeat an event already loaded (kept once).
    pub duplicates: u64,
    /// Header as found.
    pub columns: Vec<String>,
    /// Found → canonical, for renamed columns.
    pub renamed: BTreeMap<String, String>,
    /// Canonical columns absent.
    pub missing: Vec<String>,
    /// Headers that map to nothing.
    pub extra: Vec<String>,
    /// Share of accepted rows with an empty value, per present canonical column.
    pub null_rate: BTreeMap<String, f64>,
    /// Why the file could not be read.
    pub error: Option<String>,
}

impl FileSummary {
    fn new(f: &FileReport) -> FileSummary {
        let null_rate = Column::ALL
            .into_iter()
            .filter(|c| f.header.has(*c) && f.accepted > 0)
            .map(|c| {
                (
                    c.as_str().to_string(),
                    round4(f.nulls[c.index()] as f64 / f.accepted as f64),
                )
            })
            .collect();
        FileSummary {
            name: f.name.clone(),
            day: f.day,
            bytes: f.bytes,
            rows: f.rows,
            accepted: f.accepted,
            quarantined: f.quarantined,
            duplicates: f.duplicates,
            columns: f.columns.clone(),
            renamed: f
                .header
                .renamed
                .iter()
                .map(|(found, c)| (found.clone(), c.as_str().to_string()))
                .collect(),
            missing: if f.error.is_some() {
                Vec::new()
            } else {
                f.header
                    .missing
                    .iter()
                    .map(|c| c.as_str().to_string())
                    .collect()
            },
            extra: f.header.extra.clone(),
            null_rate,
            error: f.error.clone(),
        }
    }
}

/// One order of a reused `transaction_id`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderRef {
    /// File name.
    pub file: String,
    /// Line.
    pub line: u64,
    /// Client id (empty when missing).
    pub client_id: String,
    /// ISO-8601 UTC.
    pub timestamp: String,
    /// Revenue.
    pub revenue: f64,
}

/// A `transaction_id` seen on more than one `checkout_completed`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DuplicateTransaction {
    /// The id.
    pub transaction_id: String,
    /// How many distinct events carry it.
    pub occurrences: u64,
    /// Revenue of the copies that are not counted.
    pub excluded_revenue: f64,
    /// The earliest, which counts.
    pub kept: OrderRef,
    /// The later copies, which do not.
    pub excluded: Vec<OrderRef>,
}

/// The audit of a batch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualityReport {
    /// One summary per input file, in input order.
    pub files: Vec<FileSummary>,
    /// Reused transaction ids, with what each copy would have added.
    pub duplicate_transactions: Vec<DuplicateTransaction>,
    /// Total revenue of excluded duplicate transactions.
    pub duplicate_revenue_excluded: f64,
    /// Events delivered more than once, counted once.
    pub duplicate_events: u64,
    /// Accepted distinct events.
    pub events: u64,
    /// Events from bots and crawlers.
    pub bot_events: u64,
    /// Quarantined rows by reason code.
    pub quarantine_by_reason: BTreeMap<String, u64>,
    /// Distinct events per UTC day.
    pub events_by_day: BTreeMap<NaiveDate, u64>,
    /// Findings, worst first.
    pub findings: Vec<Finding>,
    /// Data-quality score per day (see the module doc for the formula).
    pub score_by_day: BTreeMap<NaiveDate, f64>,
}

impl QualityReport {
    /// Whether any finding has error severity.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// Runs every check over an ingested batch.
pub fn audit(
    ds: &Dataset,
    uas: &UserAgents,
    site: &SiteConfig,
    cfg: &QualityConfig,
) -> QualityReport {
    let dups = checks::transaction_duplicates(ds);
    let mut findings = Vec::new();
    checks::schema(ds, &mut findings);
    checks::completeness(ds, cfg, &mut findings);
    checks::uniqueness(ds, &dups, &mut findings);
    checks::validity(ds, &dups, cfg, &mut findings);
    let events_by_day = checks::events_by_day(ds);
    let days = checks::batch_days(ds, &events_by_day);
    checks::volume(&days, &events_by_day, cfg, &mut findings);
    let bot_events = checks::bots(ds, uas, &events_by_day, cfg, &mut findings);
    checks::consistency(ds, &dups, site, &mut findings);
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.day.cmp(&b.day))
            .then(a.check.cmp(&b.check))
    });
    let mut quarantine_by_reason = BTreeMap::new();
    for q in &ds.quarantine {
        *quarantine_by_reason
            .entry(q.reason.as_str().to_string())
            .or_insert(0) += 1;
    }
    let score_by_day = score(ds, &days, &events_by_day, &dups, cfg);
    QualityReport {
        files: ds.files.iter().map(FileSummary::new).collect(),
        duplicate_revenue_excluded: dups.list.iter().map(|d| d.excluded_revenue).sum::<f64>(),
        duplicate_transactions: dups.list,
        duplicate_events: ds.files.iter().map(|f| f.duplicates).sum(),
        events: ds.events.len() as u64,
        bot_events,
        quarantine_by_reason,
        events_by_day,
        findings,
        score_by_day,
    }
}

/// [`audit`] with user agents classified and settings taken from `cfg`.
pub fn audit_with(ds: &Dataset, cfg: &crate::config::Config) -> QualityReport {
    let uas = UserAgents::build(&ds.events, &ds.strings);
    audit(ds, &uas, &cfg.site, &cfg.quality)
}

/// The daily score of the module doc.
fn score(
    ds: &Dataset,
    days: &[NaiveDate],
    events_by_day: &BTreeMap<NaiveDate, u64>,
    dups: &checks::TxnDuplicates,
    cfg: &QualityConfig,
) -> BTreeMap<NaiveDate, f64> {
    let median = checks::median(
        days.iter()
            .map(|d| events_by_day.get(d).copied().unwrap_or(0)),
    );
    let counts = checks::day_counts(ds, dups);
    let mut out = BTreeMap::new();
    for &day in days {
        let c = counts.get(&day).copied().unwrap_or_default();
        let files: Vec<_> = ds
            .files
            .iter()
            .filter(|f| f.day == Some(day) && f.error.is_none())
            .collect();
        let rows: u64 = files.iter().map(|f| f.rows).sum();
        let accepted: u64 = files.iter().map(|f| f.accepted).sum();
        let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let q = ratio(files.iter().map(|f| f.quarantined).sum(), rows);
        let n = ratio(
            files
                .iter()
                .map(|f| match f.header.has(Column::ClientId) {
                    true => f.nulls[Column::ClientId.index()],
                    false => f.accepted,
                })
                .sum(),
            accepted,
        );
        let m = files
            .iter()
            .map(|f| f.header.missing.len())
            .max()
            .unwrap_or(0) as f64;
        let r = files
            .iter()
            .map(|f| f.header.renamed.len())
            .max()
            .unwrap_or(0) as f64;
        let t = ratio(c.duplicate_orders, c.orders + c.duplicate_orders);
        let day_events = events_by_day.get(&day).copied().unwrap_or(0);
        let o = ratio(c.outside_file_day, day_events);
        let v = if (day_events as f64) < cfg.volume_low_ratio * median {
            1.0
        } else {
            0.0
        };
        if day_events == 0 {
            out.insert(day, 0.0);
            continue;
        }
        let s = 100.0 - 100.0 * q - 100.0 * n - 10.0 * m - 2.0 * r - 50.0 * t - 20.0 * o - 15.0 * v;
        out.insert(day, (s.clamp(0.0, 100.0) * 10.0).round() / 10.0);
    }
    out
}

/// Rounds a rate to four decimals for reports.
pub(crate) fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Revenue of an order in currency.
pub(crate) fn revenue(ds: &Dataset, order: u32) -> f64 {
    cents_to_f64(ds.orders[order as usize].revenue_cents)
}

/// The day of an event.
pub(crate) fn event_day(ts: i64) -> NaiveDate {
    day_of(ts)
}
