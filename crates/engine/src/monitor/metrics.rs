//! The daily metrics series of a run: one row per day of the batch, the
//! input of monitoring and of the trend charts.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::ingest::schema::Column;
use crate::ingest::{Dataset, FileReport};
use crate::pipeline::Run;
use crate::summary::RunTally;
use crate::units::round4;

/// What one day looked like.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct DayMetrics {
    /// The day.
    pub day: NaiveDate,
    /// Files named for the day.
    pub files: u64,
    /// Files of the day that could not be read, with their errors.
    pub file_errors: Vec<String>,
    /// Data rows in the day's files.
    pub rows: u64,
    /// Rows accepted.
    pub accepted: u64,
    /// Rows quarantined.
    pub quarantined: u64,
    /// Quarantined / rows.
    pub quarantine_rate: f64,
    /// Accepted rows without client id / accepted (1 when the column is missing).
    pub null_client_rate: f64,
    /// Accepted rows with a referrer / accepted (0 when the column is missing).
    pub referrer_presence: f64,
    /// Distinct events stamped on the day.
    pub events: u64,
    /// Bot events / events.
    pub bot_share: f64,
    /// Sessions started.
    pub sessions: u64,
    /// Distinct clients with a session.
    pub visitors: u64,
    /// Sessions with an add-to-cart / sessions.
    pub add_to_cart_rate: f64,
    /// Orders that count.
    pub orders: u64,
    /// Their revenue.
    pub revenue: f64,
    /// Revenue per order.
    pub aov: f64,
    /// Sessions with an order / sessions.
    pub conversion_rate: f64,
    /// Copies of reused transaction ids.
    pub duplicate_transactions: u64,
    /// Share of the day's sessions per channel.
    pub channel_shares: BTreeMap<String, f64>,
    /// Share of Direct sessions.
    pub direct_share: f64,
    /// Header changes of the day's files.
    pub schema: Vec<SchemaChange>,
}

/// A header change of a day's export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaChange {
    /// A column found under another name (an alias), mapped automatically.
    Renamed {
        /// The name found in the header.
        found: String,
        /// The canonical column it maps to.
        column: Column,
    },
    /// A canonical column absent from the header.
    Missing(Column),
}

/// `renamed:found->canonical` or `missing:column`, as `report.json` has it.
impl std::fmt::Display for SchemaChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SchemaChange::Renamed { found, column } => {
                write!(f, "renamed:{found}->{}", column.as_str())
            }
            SchemaChange::Missing(column) => write!(f, "missing:{}", column.as_str()),
        }
    }
}

impl serde::Serialize for SchemaChange {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl std::str::FromStr for SchemaChange {
    type Err = String;

    /// Reads what [`std::fmt::Display`] writes.
    fn from_str(s: &str) -> Result<SchemaChange, String> {
        let column = |name: &str| {
            Column::ALL
                .into_iter()
                .find(|c| c.as_str() == name)
                .ok_or_else(|| format!("unknown column {name:?}"))
        };
        match s.split_once(':') {
            Some(("missing", c)) => Ok(SchemaChange::Missing(column(c)?)),
            Some(("renamed", rest)) => {
                let (found, c) = rest
                    .rsplit_once("->")
                    .ok_or_else(|| format!("not a rename: {s:?}"))?;
                Ok(SchemaChange::Renamed {
                    found: found.to_string(),
                    column: column(c)?,
                })
            }
            _ => Err(format!("not a schema change: {s:?}")),
        }
    }
}

impl<'de> serde::Deserialize<'de> for SchemaChange {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<SchemaChange, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        round4(a as f64 / b as f64)
    }
}

/// One row per day from the first to the last day of the batch.
pub fn daily_metrics(ds: &Dataset, run: &Run) -> Vec<DayMetrics> {
    let days: Vec<NaiveDate> = run.quality.score_by_day.keys().copied().collect();
    metrics_from(&RunTally::of(ds, run), &ds.files, &days)
}

/// [`daily_metrics`] from a run's tally (or a batch's, its partitions'
/// added up), the batch's files and its days.
pub fn metrics_from(t: &RunTally, files: &[FileReport], days: &[NaiveDate]) -> Vec<DayMetrics> {
    let mut out: BTreeMap<NaiveDate, DayMetrics> = days.iter().map(|&d| (d, empty(d))).collect();
    // Per day: (rows with a referrer, accepted rows, rows without client id).
    let mut referrers: BTreeMap<NaiveDate, (u64, u64, u64)> = BTreeMap::new();
    for f in files {
        let Some(m) = f.day.and_then(|d| out.get_mut(&d)) else {
            continue;
        };
        m.files += 1;
        if let Some(e) = &f.error {
            m.file_errors.push(e.clone());
            continue;
        }
        m.rows += f.rows;
        m.accepted += f.accepted;
        m.quarantined += f.quarantined;
        let nulls = if f.header.has(Column::ClientId) {
            f.nulls[Column::ClientId.index()]
        } else {
            f.accepted
        };
        let refs = if f.header.has(Column::Referrer) {
            f.accepted - f.nulls[Column::Referrer.index()]
        } else {
            0
        };
        let r = referrers.entry(m.day).or_default();
        r.0 += refs;
        r.1 += f.accepted;
        r.2 += nulls;
        for (found, c) in &f.header.renamed {
            m.schema.push(SchemaChange::Renamed {
                found: found.clone(),
                column: *c,
            });
        }
        for c in &f.header.missing {
            m.schema.push(SchemaChange::Missing(*c));
        }
    }
    let q = &t.quality;
    for m in out.values_mut() {
        let d = m.day;
        m.events = q.events_by_day.get(&d).copied().unwrap_or(0);
        m.duplicate_transactions = q.day_counts.get(&d).map_or(0, |c| c.duplicate_orders);
        let day = t.days.get(&d).cloned().unwrap_or_default();
        m.sessions = day.sessions;
        m.visitors = day.visitors;
        m.orders = day.orders;
        m.quarantine_rate = ratio(m.quarantined, m.rows);
        let (refs, acc, nulls) = referrers.get(&d).copied().unwrap_or_default();
        m.null_client_rate = ratio(nulls, m.accepted);
        m.referrer_presence = ratio(refs, acc);
        m.bot_share = ratio(q.bots_by_day.get(&d).copied().unwrap_or(0), m.events);
        m.add_to_cart_rate = ratio(day.carts, m.sessions);
        m.conversion_rate = ratio(day.converted, m.sessions);
        let cents = day.revenue_cents;
        m.revenue = cents as f64 / 100.0;
        m.aov = if m.orders == 0 {
            0.0
        } else {
            (cents as f64 / m.orders as f64).round() / 100.0
        };
        m.channel_shares = day
            .channels
            .iter()
            .map(|(k, &n)| (k.clone(), ratio(n, m.sessions)))
            .collect();
        m.direct_share = m
            .channel_shares
            .get(crate::config::channels::DIRECT)
            .copied()
            .unwrap_or(0.0);
        // In the order of their text, as report.json lists them.
        crate::sorting::sort_by_cached_key(&mut m.schema, ToString::to_string);
        m.schema.dedup();
    }
    out.into_values().collect()
}

/// A day with nothing in it.
pub(crate) fn empty(day: NaiveDate) -> DayMetrics {
    DayMetrics {
        day,
        files: 0,
        file_errors: Vec::new(),
        rows: 0,
        accepted: 0,
        quarantined: 0,
        quarantine_rate: 0.0,
        null_client_rate: 0.0,
        referrer_presence: 0.0,
        events: 0,
        bot_share: 0.0,
        sessions: 0,
        visitors: 0,
        add_to_cart_rate: 0.0,
        orders: 0,
        revenue: 0.0,
        aov: 0.0,
        conversion_rate: 0.0,
        duplicate_transactions: 0,
        channel_shares: BTreeMap::new(),
        direct_share: 0.0,
        schema: Vec::new(),
    }
}
