//! The values the quality audit reports: findings with their category,
//! severity and sample lines, per-file summaries, and reused transaction ids.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::ingest::schema::Column;
use crate::ingest::FileReport;
use crate::units::round4;

/// What a check is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Numbers may be off.
    Warning,
    /// Numbers are wrong unless handled.
    Error,
}

impl Severity {
    /// The name used in `report.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A place in the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct LineRef {
    /// File name.
    pub file: String,
    /// 1-based line.
    pub line: u64,
}

/// One data-quality finding.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
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
    pub(crate) fn new(f: &FileReport) -> FileSummary {
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
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
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
