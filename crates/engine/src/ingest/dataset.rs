//! What ingest produces: the [`Dataset`] (events, strings, orders), a
//! [`FileReport`] per input file, and the quarantined rows with their
//! [`Reason`]. Re-exported by [`crate::ingest`], which fills them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ingest::schema::HeaderMap;
use crate::model::{Event, Order, Strings};

/// Why a row was quarantined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The row has more or fewer fields than the header.
    WrongFieldCount,
    /// The file's last row stops early (the export was cut off).
    TruncatedRow,
    /// A field is not valid UTF-8.
    InvalidUtf8,
    /// The timestamp is empty or not ISO-8601.
    BadTimestamp,
    /// The event name is not one of the five known events.
    UnknownEvent,
    /// A `checkout_completed` whose `event_data` is not valid JSON.
    InvalidOrderJson,
    /// A `checkout_completed` without `transaction_id`.
    OrderWithoutTransactionId,
    /// A `checkout_completed` without `revenue`.
    OrderWithoutRevenue,
    /// Revenue below zero.
    NegativeRevenue,
    /// Revenue that is not a finite number.
    NonFiniteRevenue,
    /// Revenue above the per-order cap (`[ingest] max_order_revenue`).
    RevenueAboveCap,
    /// The order would take the batch's revenue past what sums can hold.
    BatchRevenueLimit,
    /// A timestamp before 2000 or after 2099.
    TimestampOutOfRange,
    /// The row is longer than any real export row.
    RowTooLong,
}

impl Reason {
    /// The reason code as written in `quarantine.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::WrongFieldCount => "wrong_field_count",
            Reason::TruncatedRow => "truncated_row",
            Reason::InvalidUtf8 => "invalid_utf8",
            Reason::BadTimestamp => "bad_timestamp",
            Reason::UnknownEvent => "unknown_event",
            Reason::InvalidOrderJson => "invalid_order_json",
            Reason::OrderWithoutTransactionId => "order_without_transaction_id",
            Reason::OrderWithoutRevenue => "order_without_revenue",
            Reason::NegativeRevenue => "negative_revenue",
            Reason::NonFiniteRevenue => "non_finite_revenue",
            Reason::RevenueAboveCap => "revenue_above_cap",
            Reason::BatchRevenueLimit => "batch_revenue_limit",
            Reason::TimestampOutOfRange => "timestamp_out_of_range",
            Reason::RowTooLong => "row_too_long",
        }
    }
}

/// A row that did not become an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuarantinedRow {
    /// Index of the file in [`Dataset::files`].
    pub file: u32,
    /// 1-based line where the row starts.
    pub line: u64,
    /// Why.
    pub reason: Reason,
    /// Detail for a person (the bad value, the field counts...).
    pub detail: String,
    /// The row's fields re-joined as one CSV line.
    pub raw: String,
}

/// What ingest learnt about one file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FileReport {
    /// File name as given.
    pub name: String,
    /// The day in the file name (`events_20250227.csv`), if any.
    pub day: Option<NaiveDate>,
    /// Bytes read.
    pub bytes: u64,
    /// Data rows read (header and blank lines excluded).
    pub rows: u64,
    /// Rows that became events (including exact duplicates of loaded events).
    pub accepted: u64,
    /// Rows quarantined.
    pub quarantined: u64,
    /// Accepted rows identical to an event already loaded, kept once.
    pub duplicates: u64,
    /// For `duplicates`: the file each first copy came from, with a count.
    pub duplicate_of: Vec<(u32, u64)>,
    /// Header as found.
    pub columns: Vec<String>,
    /// How the header maps onto the schema.
    pub header: HeaderMap,
    /// Empty values per canonical column among accepted rows.
    pub nulls: [u64; 7],
    /// `email_filled_on_popup` rows whose event_data is not valid JSON (kept,
    /// without an email), with up to 20 sample lines.
    pub invalid_event_data: (u64, Vec<u64>),
    /// Why the file could not be read at all.
    pub error: Option<String>,
    /// The ZIP archive the file came from, if any.
    pub archive: Option<String>,
}

/// Everything ingested: events sorted by time, their strings and orders.
#[derive(Debug, Default, Clone)]
pub struct Dataset {
    /// Interned strings.
    pub strings: Strings,
    /// Accepted, de-duplicated events, ordered by (time, file, line).
    pub events: Vec<Event>,
    /// Orders referenced by `checkout_completed` events.
    pub orders: Vec<Order>,
    /// One report per input file, in input order.
    pub files: Vec<FileReport>,
    /// Quarantined rows, in input order.
    pub quarantine: Vec<QuarantinedRow>,
}
