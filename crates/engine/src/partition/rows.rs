//! What a partition contributes: the rows of every per-person table with
//! the key one reader orders them by, and the sums (channel days).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::attribution::markov::Transitions;
use crate::ingest::Dataset;
use crate::outputs::tables::{self, Table};
use crate::pipeline::Run;
use crate::summary::{channel_days, journeys_with_cents, ChannelDay, RunTally};

/// Rows of a CSV table, end to end in one buffer: row `i` is
/// `data[offsets[i]..offsets[i + 1]]`, its line end included (the layout
/// of an Arrow binary column).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    /// The rows' bytes.
    pub data: Vec<u8>,
    /// Where each row starts, and where the last ends.
    pub offsets: Vec<i64>,
}

impl Rows {
    /// The data rows of a table the engine wrote (header dropped), cut
    /// where the CSV records end (a quoted field may hold a line break);
    /// without its first field when `drop_first` (a number, never quoted).
    fn of_table(table: &[u8], drop_first: bool) -> Rows {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(table);
        let mut record = csv::ByteRecord::new();
        let mut rows = Rows {
            data: Vec::with_capacity(table.len()),
            offsets: vec![0],
        };
        let mut header = true;
        loop {
            let start = reader.position().byte() as usize;
            match reader.read_byte_record(&mut record) {
                Ok(true) => {}
                // Tables the engine wrote always read back.
                _ => break,
            }
            let end = (reader.position().byte() as usize).min(table.len());
            if std::mem::take(&mut header) {
                continue;
            }
            let mut row = &table[start..end];
            if drop_first {
                let comma = row.iter().position(|&b| b == b',').map_or(0, |i| i + 1);
                row = &row[comma..];
            }
            rows.data.extend_from_slice(row);
            rows.offsets.push(rows.data.len() as i64);
        }
        rows
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// True when there is no row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `i`.
    pub fn get(&self, i: usize) -> &[u8] {
        &self.data[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
}

/// Where a row goes in its table: the (time, file, line) of the event the
/// row hangs on (the event itself, a session's first event, an order's
/// event, a person's first order), then its place among the rows of that
/// event. One reader writes every table in this order, so rows sorted by
/// it from every partition make the same bytes.
pub type Key = (i64, u32, u32, u32);

/// A table's rows from one partition, each with its [`Key`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Keyed {
    /// The rows.
    pub rows: Rows,
    /// The key of each row.
    pub keys: Vec<Key>,
}

/// What a partition contributes to the batch's outputs.
#[derive(Debug, Clone)]
pub struct PartitionTables {
    /// `events_enriched.csv` rows without their `event_id` (the batch
    /// numbers events in key order).
    pub events: Keyed,
    /// `sessions.csv` rows.
    pub sessions: Keyed,
    /// `conversions.csv` rows.
    pub conversions: Keyed,
    /// `attribution.csv` rows.
    pub attribution: Keyed,
    /// `user_journeys.csv` rows.
    pub journeys: Keyed,
    /// The partition's channel days ([`ChannelDays::to_bytes`]).
    pub channel_days: ChannelDays,
    /// The partition's Markov counts.
    pub transitions: Transitions,
    /// What the partition adds to `report.json`.
    pub tally: RunTally,
}

/// A partition's rows of every per-person table, with their keys, its
/// channel days and its Markov counts.
pub fn tables(ds: &Dataset, run: &Run) -> PartitionTables {
    let key = |event: u32, seq: u32| {
        let e = &ds.events[event as usize];
        (e.ts, e.file, e.line, seq)
    };
    let keyed = |table: Table, drop_first: bool, keys: Vec<Key>| Keyed {
        rows: Rows::of_table(&tables::table(ds, run, table), drop_first),
        keys,
    };
    let events = (0..ds.events.len() as u32).map(|i| key(i, 0)).collect();
    let sessions = run
        .sessions
        .sessions
        .iter()
        .map(|s| key(s.first_event, 0))
        .collect();
    let conversions = run.conversions.iter().map(|c| key(c.event, 0)).collect();
    // Credits come by conversion, each conversion's in their order.
    let mut seq = 0;
    let mut last = u32::MAX;
    let attribution = run
        .attribution
        .credits
        .iter()
        .map(|c| {
            seq = if c.conversion == last { seq + 1 } else { 0 };
            last = c.conversion;
            key(run.conversions[c.conversion as usize].event, seq)
        })
        .collect();
    PartitionTables {
        events: keyed(Table::EventsEnriched, true, events),
        sessions: keyed(Table::Sessions, false, sessions),
        conversions: keyed(Table::Conversions, false, conversions),
        attribution: keyed(Table::Attribution, false, attribution),
        // A person's journey hangs on its first order.
        journeys: keyed(
            Table::UserJourneys,
            false,
            journeys_with_cents(ds, run)
                .iter()
                .map(|&(_, _, first)| key(first, 0))
                .collect(),
        ),
        channel_days: ChannelDays(channel_days(run)),
        transitions: run.attribution.transitions.clone(),
        tally: RunTally::of(ds, run),
    }
}

/// `channel_summary.csv`'s numbers by (day, channel): they add up across
/// partitions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChannelDays(pub BTreeMap<(NaiveDate, String), ChannelDay>);

impl ChannelDays {
    /// As bytes, to send to the driver.
    pub fn to_bytes(&self) -> Vec<u8> {
        let list: Vec<_> = self.0.iter().collect();
        postcard::to_allocvec(&list).unwrap_or_default()
    }

    /// Adds a partition's channel days from their bytes.
    pub fn add_bytes(&mut self, bytes: &[u8]) -> Result<(), String> {
        let list: Vec<((NaiveDate, String), ChannelDay)> = postcard::from_bytes(bytes)
            .map_err(|e| format!("channel days that cannot be read back ({e})"))?;
        for (key, day) in list {
            self.0.entry(key).or_default().add(&day);
        }
        Ok(())
    }
}

/// `channel_summary.csv` of the batch from its partitions' channel days.
pub fn channel_summary(days: &ChannelDays) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into a `Vec` cannot fail.
    let _ = tables::write_channel_summary(&days.0, &mut out);
    out
}
