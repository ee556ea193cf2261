//! Reading an input into self-contained rows, and a partition's rows back
//! into the engine's dataset.

use std::io::Cursor;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::enrich::{is_checkout_page, referrer_source};
use crate::ingest::parts::Part;
use crate::ingest::{Dataset, FileReport, QuarantinedRow};
use crate::model::{Event, EventKind, Item, Order, Sym, NONE};

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
