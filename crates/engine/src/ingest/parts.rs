//! A batch read in parts, one per core, then merged into exactly the
//! dataset one reader would have made.
//!
//! Each [`Part`] reads a contiguous run of the batch's files on its own:
//! its own string table, every accepted row kept (no duplicate check yet),
//! the `event_data` of each order kept beside it. [`merge`] then takes the
//! parts in file order and
//! - adds each part's strings to one table in the order the part first met
//!   them, which is the order one reader would have met them (a part's rows
//!   come right after the previous part's), so every symbol is the same;
//! - drops exact duplicates across the whole batch in row order, as one
//!   reader does, counting them on the file of the copy;
//! - keeps the order of each event that stays, and renumbers them.
//!
//! A part travels between threads as it is, and between Web Workers (which
//! share no memory) as bytes: [`Part::to_bytes`] and [`Part::from_bytes`]
//! encode everything it holds with `postcard`, so a part read in one worker
//! merges in another exactly as if it had been read there.
//!
//! The one rule a part cannot apply alone is the batch's revenue ceiling
//! (it depends on every earlier order): when the parts' orders add up past
//! it, [`merge`] returns `None` and the caller reads the batch in one part.

use std::io::Read;

use crate::config::IngestConfig;
use crate::ingest::row::EventKey;
use crate::ingest::{Dataset, FileReport, Ingest, QuarantinedRow, Reason};
use crate::limits::MAX_BATCH_REVENUE_CENTS;
use crate::model::{Event, EventKind, Order, Sym, NONE};
use serde::{Deserialize, Serialize};

/// The first field of an encoded part: the format, so bytes of another
/// version (a page and a worker out of step) are refused, not misread.
const WIRE_VERSION: u32 = 1;

/// A part as written: borrowed, so encoding copies nothing first.
#[derive(Serialize)]
struct WireOut<'a> {
    version: u32,
    strings: Vec<&'a str>,
    events: &'a [Event],
    orders: &'a [Order],
    order_content: &'a [Sym],
    files: &'a [FileReport],
    quarantine: &'a [QuarantinedRow],
    revenue_cents: i64,
}

/// A part as read back: strings borrow from the bytes until interned.
#[derive(Deserialize)]
struct WireIn<'a> {
    version: u32,
    #[serde(borrow)]
    strings: Vec<&'a str>,
    events: Vec<Event>,
    orders: Vec<Order>,
    order_content: Vec<Sym>,
    files: Vec<FileReport>,
    quarantine: Vec<QuarantinedRow>,
    revenue_cents: i64,
}

/// A contiguous run of a batch's files, read on its own.
pub struct Part {
    ingest: Ingest,
}

impl Part {
    /// An empty part with the ingest settings (the revenue cap).
    pub fn new(cfg: &IngestConfig) -> Part {
        let mut ingest = Ingest::new().with_config(cfg);
        ingest.dedupe = false;
        // The ceiling is checked over the whole batch by `merge`.
        ingest.max_batch_cents = i64::MAX;
        Part { ingest }
    }

    /// An empty part with room for about `bytes` of exports (see
    /// [`Ingest::with_expected_bytes`]; no duplicate table, which a part
    /// does not keep).
    pub fn with_expected_bytes(cfg: &IngestConfig, bytes: u64) -> Part {
        let mut part = Part::new(cfg);
        part.ingest.reserve_rows(bytes, false);
        part
    }

    /// The underlying reader, to add files or ZIP members in order.
    pub fn ingest(&mut self) -> &mut Ingest {
        &mut self.ingest
    }

    /// Reads one file (see [`Ingest::add_file`]).
    pub fn add_file<R: Read>(&mut self, name: &str, reader: R) -> &FileReport {
        self.ingest.add_file(name, reader)
    }

    /// Bytes read so far, over every file of the part.
    pub fn bytes(&self) -> u64 {
        self.ingest.data.files.iter().map(|f| f.bytes).sum()
    }

    /// What the part read: its dataset (events in row order, not yet
    /// checked for copies), the `event_data` of each order in order, and
    /// the revenue of its orders in cents.
    pub fn into_rows(self) -> (Dataset, Vec<Sym>, i64) {
        let Ingest {
            data,
            order_content,
            revenue_cents,
            ..
        } = self.ingest;
        (data, order_content, revenue_cents)
    }

    /// Everything the part holds, as bytes (to hand to another worker).
    pub fn to_bytes(&self) -> Vec<u8> {
        let data = &self.ingest.data;
        let wire = WireOut {
            version: WIRE_VERSION,
            strings: data.strings.iter().map(|s| &**s).collect(),
            events: &data.events,
            orders: &data.orders,
            order_content: &self.ingest.order_content,
            files: &data.files,
            quarantine: &data.quarantine,
            revenue_cents: self.ingest.revenue_cents,
        };
        // Measured first, then written into a vector of that size: grown by
        // doubling, the vector held up to three times the part's size while
        // it moved (at 100 copies of an export, a helper worker's 150 MB
        // part took about 400 MB). Encoding plain structs cannot fail.
        let size = postcard::experimental::serialized_size(&wire).unwrap_or_default();
        let mut bytes = vec![0; size];
        let written = postcard::to_slice(&wire, &mut bytes).map_or(0, |b| b.len());
        bytes.truncate(written);
        bytes
    }

    /// The part [`Part::to_bytes`] encoded; an error for bytes that are
    /// not one (another version, cut short).
    pub fn from_bytes(bytes: &[u8], cfg: &IngestConfig) -> Result<Part, String> {
        let wire: WireIn = postcard::from_bytes(bytes)
            .map_err(|e| format!("a part that cannot be read back: {e}"))?;
        if wire.version != WIRE_VERSION {
            return Err(format!(
                "a part in format {} (this build reads {WIRE_VERSION})",
                wire.version
            ));
        }
        let mut part = Part::new(cfg);
        let ingest = &mut part.ingest;
        ingest.data.strings.reserve(wire.strings.len());
        for (i, s) in wire.strings.iter().enumerate() {
            // A part's strings are distinct and not empty: each gets back
            // its own symbol.
            if ingest.data.strings.intern(s) as usize != i {
                return Err("a part whose strings repeat".to_string());
            }
        }
        let symbols = wire.strings.len();
        let known = |s: Sym| s == NONE || (s as usize) < symbols;
        let orders_ok = wire.orders.len() == wire.order_content.len()
            && wire.order_content.iter().all(|&s| known(s))
            && wire
                .orders
                .iter()
                .all(|o| known(o.transaction_id) && known(o.email));
        let events_ok = wire.events.iter().all(|e| {
            known(e.client)
                && known(e.page_url)
                && known(e.referrer)
                && known(e.user_agent)
                && (e.file as usize) < wire.files.len()
                && (e.kind != EventKind::EmailFilledOnPopup || known(e.payload))
        });
        if !orders_ok || !events_ok {
            return Err("a part that refers past its own tables".to_string());
        }
        ingest.data.events = wire.events;
        ingest.data.orders = wire.orders;
        ingest.data.files = wire.files;
        ingest.data.quarantine = wire.quarantine;
        ingest.order_content = wire.order_content;
        ingest.revenue_cents = wire.revenue_cents;
        Ok(part)
    }
}

/// In [`first_copies`]: an event that is no copy.
const NO_COPY: u32 = u32::MAX;

/// For each event (in row order), the index of the first event it is an
/// exact copy of, or [`NO_COPY`] when it is the first of its kind.
///
/// Found by sorting a 64-bit hash of each key with the event's index (16
/// bytes an event) instead of a hash table of the keys (about 65 bytes an
/// event at its load factor): at 100 copies of an export, 80 MB instead of
/// 330 MB. Equal hashes are then compared key by key, so a collision never
/// makes two different events copies.
fn first_copies(events: &[Event], contents: &[Sym]) -> Vec<u32> {
    use std::hash::BuildHasher;
    let key = |i: usize| EventKey::of(&events[i], contents[i]);
    let build = rustc_hash::FxBuildHasher;
    let mut hashed: Vec<(u64, u32)> = (0..events.len())
        .map(|i| (build.hash_one(key(i)), i as u32))
        .collect();
    // By hash, then by row: the first copy comes first in its run.
    hashed.sort_unstable();
    let mut first = vec![NO_COPY; events.len()];
    let mut run_start = 0;
    // The distinct keys of the current run of equal hashes (almost always
    // one), each by the index of its first copy.
    let mut distinct: Vec<u32> = Vec::new();
    for (n, &(hash, i)) in hashed.iter().enumerate() {
        if n == 0 || hash != hashed[run_start].0 {
            run_start = n;
            distinct.clear();
        }
        match distinct
            .iter()
            .find(|&&d| key(d as usize) == key(i as usize))
        {
            Some(&d) => first[i as usize] = d,
            None => distinct.push(i),
        }
    }
    first
}

/// At most `n` contiguous, non-empty runs of files of these sizes (in
/// order), cut where the running size passes each `n`-th of the total: how
/// a batch is shared between threads or workers.
pub fn runs(sizes: &[u64], n: usize) -> Vec<std::ops::Range<usize>> {
    let total = sizes.iter().sum::<u64>().max(1);
    let mut runs = Vec::new();
    let (mut start, mut acc) = (0, 0u64);
    for (i, size) in sizes.iter().enumerate() {
        acc += size;
        if runs.len() + 1 < n && acc * n as u64 >= total * (runs.len() as u64 + 1) {
            runs.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < sizes.len() {
        runs.push(start..sizes.len());
    }
    runs
}

/// The parts, in file order, as one dataset (events ordered by time, file
/// and line); `None` when the batch's orders pass the revenue ceiling, which
/// only a single reader applies exactly.
pub fn merge(parts: Vec<Part>) -> Option<Dataset> {
    let mut total: i64 = 0;
    for p in &parts {
        total = total.checked_add(p.ingest.revenue_cents)?;
        let hit = p
            .ingest
            .data
            .quarantine
            .iter()
            .any(|q| q.reason == Reason::BatchRevenueLimit);
        if hit || total > MAX_BATCH_REVENUE_CENTS {
            return None;
        }
    }
    let events: usize = parts.iter().map(|p| p.ingest.data.events.len()).sum();
    let strings: usize = parts.iter().map(|p| p.ingest.data.strings.len()).sum();
    let mut out = Dataset::default();
    out.strings.reserve(strings);
    // Every event in row order, renumbered into the one string table, with
    // the content its duplicate key compares (an order's `event_data`, an
    // email) and, for a checkout, its order's place in `orders`.
    let mut all: Vec<Event> = Vec::with_capacity(events);
    let mut contents: Vec<Sym> = Vec::with_capacity(events);
    let mut orders: Vec<Order> = Vec::new();
    for part in parts {
        let Ingest {
            data,
            order_content,
            ..
        } = part.ingest;
        let offset = out.files.len() as u32;
        // Each string moves into the batch's table, or is dropped there
        // when another part had it: no second count on each string.
        let symbols: Vec<Sym> = data
            .strings
            .into_strings()
            .into_iter()
            .map(|s| out.strings.intern_owned(s))
            .collect();
        let sym = |s: Sym| match s {
            NONE => NONE,
            s => symbols[s as usize],
        };
        out.files.extend(data.files);
        out.quarantine
            .extend(data.quarantine.into_iter().map(|mut q| {
                q.file += offset;
                q
            }));
        let mut part_orders = data.orders.into_iter().zip(order_content);
        for mut e in data.events {
            e.client = sym(e.client);
            e.page_url = sym(e.page_url);
            e.referrer = sym(e.referrer);
            e.user_agent = sym(e.user_agent);
            e.file += offset;
            let content = match e.kind {
                EventKind::CheckoutCompleted => {
                    let (mut o, content) = part_orders.next()?;
                    o.transaction_id = sym(o.transaction_id);
                    o.email = sym(o.email);
                    e.payload = orders.len() as u32;
                    orders.push(o);
                    sym(content)
                }
                EventKind::EmailFilledOnPopup => {
                    e.payload = sym(e.payload);
                    e.payload
                }
                _ => NONE,
            };
            all.push(e);
            contents.push(content);
        }
    }
    let mut first = first_copies(&all, &contents);
    drop(contents);
    // From here on, the file of each first copy: the loop below overwrites
    // the events it has passed.
    for f in first.iter_mut().filter(|f| **f != NO_COPY) {
        *f = all[*f as usize].file;
    }
    // Keep each event's first copy, in row order; count the others on the
    // file of the copy, as one reader does.
    let mut orders: Vec<Option<Order>> = orders.into_iter().map(Some).collect();
    let mut kept = 0;
    for i in 0..all.len() {
        let mut e = all[i];
        if first[i] != NO_COPY {
            let report = &mut out.files[e.file as usize];
            report.duplicates += 1;
            report.count_duplicate_of(first[i]);
            continue;
        }
        if e.kind == EventKind::CheckoutCompleted {
            let order = orders.get_mut(e.payload as usize)?.take()?;
            e.payload = out.orders.len() as u32;
            out.orders.push(order);
        }
        all[kept] = e;
        kept += 1;
    }
    all.truncate(kept);
    out.events = all;
    out.events.sort_unstable_by_key(|e| (e.ts, e.file, e.line));
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::runs;

    #[test]
    fn files_split_into_runs_of_about_equal_size() {
        assert_eq!(runs(&[1; 14], 2), vec![0..7, 7..14]);
        assert_eq!(runs(&[10, 1, 1], 2), vec![0..1, 1..3]);
        assert_eq!(
            runs(&[1, 1, 10], 2),
            std::iter::once(0..3).collect::<Vec<_>>()
        );
        assert_eq!(runs(&[5, 5, 5, 5], 3), vec![0..2, 2..3, 3..4]);
        assert_eq!(runs(&[0, 0], 2), std::iter::once(0..2).collect::<Vec<_>>());
        assert_eq!(runs(&[7], 4), std::iter::once(0..1).collect::<Vec<_>>());
        assert!(runs(&[], 4).is_empty());
    }
}
