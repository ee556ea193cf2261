//! The batch on a cluster, partitioned by person: what each task of a
//! distributed job runs (the Spark job of `crates/python`), and what its
//! driver adds up. The steps, and who does each:
//!
//! 1. **Read** (a task per input file): [`read_input`] turns one CSV or ZIP
//!    into self-contained rows (each carries its strings, so it can travel
//!    to any task, and the keys below), the file reports and the
//!    quarantine.
//! 2. **Across the batch** (the job, each with the engine's rule): exact
//!    copies (equal record bytes) keep their first copy by file and line
//!    ([`count_copies`]); a reused transaction id counts once, at its
//!    earliest (time, file, line) ([`reused_transactions`]); each
//!    referrer's counts over the batch decide the payment providers
//!    ([`payment_providers`]); client ids that share an email hash are one
//!    person; every person's rows go to one partition.
//! 3. **Per partition**, twice: [`dataset`] rebuilds the partition's events
//!    in the engine's order and [`crate::pipeline::run_with`] runs the
//!    pipeline with what the batch decided ([`crate::pipeline::Given`]).
//!    The first pass gives the partition's Markov counts; the second,
//!    with the batch's, gives [`tables`]: the rows of every per-person
//!    table with the key one reader orders them by, the channel days and
//!    the report tally.
//! 4. **Driver**: the Markov counts add up and solve once
//!    ([`Transitions::merge`]), the channel days add up
//!    ([`channel_summary`]), and [`report`] makes `report.json` from the
//!    tallies added up and the batch's facts.

use std::collections::BTreeMap;
use std::io::Cursor;

use chrono::NaiveDate;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use crate::attribution::markov::Transitions;
use crate::attribution::{channel_names, markov_summary};
use crate::config::Config;
use crate::enrich::{is_checkout_page, referrer_source, set_aside_reason, SetAside};
use crate::ingest::parts::Part;
use crate::ingest::{Dataset, FileReport, QuarantinedRow};
use crate::model::{cents_to_f64, format_ts, Event, EventKind, Item, Order, Sym, NONE};
use crate::outputs::tables::{self, Table};
use crate::pipeline::Run;
use crate::quality::checks;
use crate::quality::{DuplicateTransaction, OrderRef};
use crate::report::{report_from, Batch, Report};
use crate::summary::{channel_days, journeys_with_cents, ChannelDay, RunTally};

/// One accepted row as it travels: its strings with it. Two rows are
/// exact copies when their encoded records are equal (the fields the
/// single reader compares: time, client, URLs, user agent, event, and an
/// order's `event_data` or a popup's email).
#[derive(Serialize, Deserialize)]
struct Record<'a> {
    ts: i64,
    kind: EventKind,
    client: &'a str,
    page_url: &'a str,
    referrer: &'a str,
    user_agent: &'a str,
    /// An order's raw `event_data`, a popup's email hash, else empty.
    content: &'a str,
    order: Option<RecordOrder<'a>>,
}

/// The typed order of a `checkout_completed` record.
#[derive(Serialize, Deserialize)]
struct RecordOrder<'a> {
    transaction_id: &'a str,
    revenue_cents: i64,
    items: Vec<Item>,
    email: &'a str,
}

/// One accepted row of an input, with the keys the job partitions and
/// de-duplicates by.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// File index within its input (a ZIP holds several files).
    pub file: u32,
    /// 1-based line.
    pub line: u32,
    /// Epoch milliseconds.
    pub ts: i64,
    /// Client id (empty when absent).
    pub client: String,
    /// The email hash that links clients (a popup's or an order's), or empty.
    pub email: String,
    /// An order's transaction id, or empty.
    pub transaction_id: String,
    /// The external source its referrer names (see
    /// [`crate::enrich::referrer_source`]), or empty.
    pub referrer_source: String,
    /// Whether its page is on a checkout host.
    pub checkout_page: bool,
    /// An order's revenue in cents, else 0.
    pub revenue_cents: i64,
    /// The encoded record (equal bytes: exact copies).
    pub record: Vec<u8>,
}

/// What reading one input gave.
#[derive(Debug, Clone, Default)]
pub struct InputRows {
    /// One report per file (a ZIP has one per member), in order.
    pub files: Vec<FileReport>,
    /// Rows that did not become events.
    pub quarantine: Vec<QuarantinedRow>,
    /// Accepted rows, copies included, in row order.
    pub rows: Vec<Row>,
    /// Revenue of the accepted orders, in cents.
    pub revenue_cents: i64,
}

/// Reads one input (a `.zip` member by member) as the single reader does,
/// without dropping copies (that needs the whole batch).
pub fn read_input(name: &str, bytes: &[u8], cfg: &Config) -> InputRows {
    let mut part = Part::new(&cfg.ingest);
    if name.to_ascii_lowercase().ends_with(".zip") {
        crate::ingest::archive::add_zip(part.ingest(), name, Cursor::new(bytes));
    } else {
        part.add_file(name, bytes);
    }
    let (data, order_content, revenue_cents) = part.into_rows();
    let text = |sym| data.strings.get(sym);
    let mut orders = data.orders.iter().zip(order_content);
    // Per distinct referrer and page: what the batch-wide referrer counts
    // need (parsed once each).
    let mut referrers: FxHashMap<Sym, Option<String>> = FxHashMap::default();
    let mut checkout: FxHashMap<Sym, bool> = FxHashMap::default();
    let mut rows = Vec::with_capacity(data.events.len());
    for e in &data.events {
        let (content, email, order) = match e.kind {
            EventKind::CheckoutCompleted => {
                let Some((o, content)) = orders.next() else {
                    break;
                };
                let order = RecordOrder {
                    transaction_id: text(o.transaction_id),
                    revenue_cents: o.revenue_cents,
                    items: o.items.clone(),
                    email: text(o.email),
                };
                (text(content), text(o.email), Some(order))
            }
            EventKind::EmailFilledOnPopup => (text(e.payload), text(e.payload), None),
            _ => ("", "", None),
        };
        let transaction_id = order.as_ref().map_or("", |o| o.transaction_id).to_string();
        let revenue_cents = order.as_ref().map_or(0, |o| o.revenue_cents);
        let record = Record {
            ts: e.ts,
            kind: e.kind,
            client: text(e.client),
            page_url: text(e.page_url),
            referrer: text(e.referrer),
            user_agent: text(e.user_agent),
            content,
            order,
        };
        let referrer_source = referrers
            .entry(e.referrer)
            .or_insert_with(|| referrer_source(text(e.referrer), &cfg.site))
            .clone()
            .unwrap_or_default();
        let checkout_page = *checkout
            .entry(e.page_url)
            .or_insert_with(|| is_checkout_page(text(e.page_url), &cfg.site));
        rows.push(Row {
            file: e.file,
            line: e.line,
            ts: e.ts,
            client: text(e.client).to_string(),
            email: email.to_string(),
            transaction_id,
            referrer_source,
            checkout_page,
            revenue_cents,
            // Encoding plain structs into a growing vector cannot fail.
            record: postcard::to_allocvec(&record).unwrap_or_default(),
        });
    }
    InputRows {
        files: data.files,
        quarantine: data.quarantine,
        rows,
        revenue_cents,
    }
}

/// One row of a partition, as the job hands it over.
#[derive(Debug, Clone, Copy)]
pub struct PartitionRow<'a> {
    /// File index in the batch.
    pub file: u32,
    /// 1-based line.
    pub line: u32,
    /// The encoded record ([`Row::record`]).
    pub record: &'a [u8],
    /// A copy of a transaction counted elsewhere in the batch.
    pub excluded: bool,
}

/// The partition's rows as the engine's dataset (strings met in row order,
/// events ordered by time, file and line, as one reader makes them), and
/// the indices of its excluded transaction copies. `files` are every file
/// of the batch (names, days and headers matter to a partition). An error
/// for a record that cannot be read back.
pub fn dataset(
    files: &[FileReport],
    mut rows: Vec<PartitionRow>,
) -> Result<(Dataset, FxHashSet<usize>), String> {
    rows.sort_unstable_by_key(|r| (r.file, r.line));
    let mut ds = Dataset {
        files: files.to_vec(),
        ..Dataset::default()
    };
    let mut events: Vec<(Event, bool)> = Vec::with_capacity(rows.len());
    for row in rows {
        if row.file as usize >= files.len() {
            return Err(format!(
                "a row of file {} in a batch of {} files",
                row.file,
                files.len()
            ));
        }
        let r: Record = postcard::from_bytes(row.record)
            .map_err(|e| format!("a record that cannot be read back ({e})"))?;
        let s = &mut ds.strings;
        let client = s.intern(r.client);
        let page_url = s.intern(r.page_url);
        let referrer = s.intern(r.referrer);
        let user_agent = s.intern(r.user_agent);
        let payload = match (r.kind, r.order) {
            (EventKind::CheckoutCompleted, Some(o)) => {
                let order = Order {
                    transaction_id: s.intern(o.transaction_id),
                    revenue_cents: o.revenue_cents,
                    items: o.items,
                    email: s.intern(o.email),
                };
                ds.orders.push(order);
                (ds.orders.len() - 1) as u32
            }
            (EventKind::CheckoutCompleted, None) => {
                return Err("an order record without its order".to_string())
            }
            (EventKind::EmailFilledOnPopup, _) => s.intern(r.content),
            _ => NONE,
        };
        let event = Event {
            ts: r.ts,
            client,
            page_url,
            referrer,
            user_agent,
            kind: r.kind,
            file: row.file,
            line: row.line,
            payload,
        };
        events.push((event, row.excluded));
    }
    events.sort_unstable_by_key(|(e, _)| (e.ts, e.file, e.line));
    let excluded = events
        .iter()
        .enumerate()
        .filter(|(_, (_, x))| *x)
        .map(|(i, _)| i)
        .collect();
    ds.events = events.into_iter().map(|(e, _)| e).collect();
    Ok((ds, excluded))
}

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

/// One referrer source's counts over part of the batch (they add up).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReferrerCounts {
    /// Referrals to pages off checkout.
    pub other_events: u64,
    /// Distinct clients it referred to checkout pages.
    pub checkout_clients: u64,
}

/// The sources the batch sets aside as payment providers, from their
/// counts over the whole batch (the rule of [`crate::enrich::set_aside_reason`]).
pub fn payment_providers<'a>(
    cfg: &Config,
    counts: impl IntoIterator<Item = (&'a str, ReferrerCounts)>,
) -> FxHashSet<String> {
    counts
        .into_iter()
        .filter(|(source, c)| {
            set_aside_reason(&cfg.site, source, c.other_events, c.checkout_clients)
                == Some(SetAside::Detected)
        })
        .map(|(source, _)| source.to_string())
        .collect()
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

/// The files of every input, in input order: the batch's file list.
pub fn batch_files(inputs: &[InputRows]) -> Vec<FileReport> {
    inputs
        .iter()
        .flat_map(|i| i.files.iter().cloned())
        .collect()
}

/// `quarantine.csv` of the batch from each input's files and quarantine, in
/// input order.
pub fn quarantine(inputs: Vec<InputRows>) -> Vec<u8> {
    let mut ds = Dataset::default();
    for input in inputs {
        let offset = ds.files.len() as u32;
        ds.files.extend(input.files);
        ds.quarantine
            .extend(input.quarantine.into_iter().map(|mut q| {
                q.file += offset;
                q
            }));
    }
    let mut out = Vec::new();
    let _ = tables::write_quarantine(&ds, &mut out);
    out
}

/// An order row of a reused transaction id, as the job collects them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRow {
    /// Epoch milliseconds.
    pub ts: i64,
    /// File index in the batch.
    pub file: u32,
    /// 1-based line.
    pub line: u32,
    /// Client id.
    pub client: String,
    /// Transaction id.
    pub transaction_id: String,
    /// Revenue in cents.
    pub revenue_cents: i64,
}

/// The reused transaction ids of the batch from its distinct orders whose
/// id appears more than once (the rule of
/// [`crate::quality::checks::transaction_duplicates`]).
pub fn reused_transactions(
    mut orders: Vec<OrderRow>,
    files: &[FileReport],
) -> Vec<DuplicateTransaction> {
    orders.sort_unstable_by_key(|o| (o.ts, o.file, o.line));
    let order_ref = |i: usize| {
        let o: &OrderRow = &orders[i];
        OrderRef {
            file: files
                .get(o.file as usize)
                .map_or_else(String::new, |f| f.name.clone()),
            line: u64::from(o.line),
            client_id: o.client.clone(),
            timestamp: format_ts(o.ts),
            revenue: cents_to_f64(o.revenue_cents),
        }
    };
    let ids = orders
        .iter()
        .enumerate()
        .map(|(i, o)| (i, o.transaction_id.as_str()));
    let txn = |i: usize| orders[i].transaction_id.clone();
    checks::reused_transactions(ids, txn, order_ref).list
}

/// Counts exact copies on the files of the batch: `(copy's file, first
/// copy's file, copies, line of the earliest copy)` per pair, as the job
/// found them (one reader counts them as it meets them, in row order).
pub fn count_copies(files: &mut [FileReport], mut copies: Vec<(u32, u32, u64, u32)>) {
    copies.sort_unstable_by_key(|&(file, _, _, line)| (file, line));
    for (file, first, n, _) in copies {
        if let Some(f) = files.get_mut(file as usize) {
            f.duplicates += n;
            f.duplicate_of.push((first, n));
        }
    }
}

/// `report.json` of the batch: each input's files and quarantine (in input
/// order), the exact copies ([`count_copies`]), the reused transactions'
/// orders ([`reused_transactions`]), the partitions' tallies added up and
/// the batch's Markov counts.
pub fn report(
    inputs: Vec<InputRows>,
    copies: Vec<(u32, u32, u64, u32)>,
    reused: Vec<OrderRow>,
    tally: &RunTally,
    markov: &Transitions,
    cfg: &Config,
) -> Report {
    let mut files: Vec<FileReport> = Vec::new();
    let mut quarantine = Vec::new();
    for input in inputs {
        let offset = files.len() as u32;
        files.extend(input.files);
        quarantine.extend(input.quarantine.into_iter().map(|mut q| {
            q.file += offset;
            q
        }));
    }
    count_copies(&mut files, copies);
    let duplicates = reused_transactions(reused, &files);
    let channels = channel_names(&cfg.channels);
    let markov = markov_summary(markov, &cfg.attribution, &channels);
    let batch = Batch {
        files: &files,
        quarantine: &quarantine,
        duplicates: &duplicates,
        cfg,
        markov: &markov,
    };
    report_from(tally, &batch)
}
