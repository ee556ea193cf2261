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
use crate::join::{InTurn, Join};
use crate::limits::MAX_BATCH_REVENUE_CENTS;
use crate::model::{Event, EventKind, Order, Sym, NONE};
use crate::sorting::sort_unstable_shared;
use serde::{Deserialize, Serialize};

/// The first field of an encoded part: the format, so bytes of another
/// version (a page and a worker out of step) are refused, not misread.
const WIRE_VERSION: u32 = 2;

/// A part as written: borrowed, so encoding copies nothing first. The
/// events come last, so that a reader has every table they refer to when it
/// meets them ([`Part::absorb_bytes`]).
#[derive(Serialize)]
struct WireOut<'a> {
    version: u32,
    strings: Vec<&'a str>,
    orders: &'a [Order],
    order_content: &'a [Sym],
    files: &'a [FileReport],
    quarantine: &'a [QuarantinedRow],
    revenue_cents: i64,
    events: &'a [Event],
}

/// Bytes [`Part::write_to`] encodes before it hands them on.
const PIECE: usize = 64 * 1024;

/// Where [`Part::write_to`] encodes: pieces of up to [`PIECE`] bytes, each
/// handed to `sink` once full.
struct Pieces<F: FnMut(&[u8])> {
    buf: Vec<u8>,
    sink: F,
}

impl<F: FnMut(&[u8])> Pieces<F> {
    fn hand_on(&mut self) {
        if !self.buf.is_empty() {
            (self.sink)(&self.buf);
            self.buf.clear();
        }
    }
}

impl<F: FnMut(&[u8])> postcard::ser_flavors::Flavor for Pieces<F> {
    type Output = ();

    fn try_push(&mut self, byte: u8) -> postcard::Result<()> {
        if self.buf.len() == PIECE {
            self.hand_on();
        }
        self.buf.push(byte);
        Ok(())
    }

    fn try_extend(&mut self, bytes: &[u8]) -> postcard::Result<()> {
        if self.buf.len() + bytes.len() > PIECE {
            self.hand_on();
        }
        if bytes.len() >= PIECE {
            (self.sink)(bytes);
        } else {
            self.buf.extend_from_slice(bytes);
        }
        Ok(())
    }

    fn finalize(mut self) -> postcard::Result<()> {
        self.hand_on();
        Ok(())
    }
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

    /// What the part holds, borrowed in the order it is encoded.
    fn wire(&self) -> WireOut<'_> {
        let data = &self.ingest.data;
        WireOut {
            version: WIRE_VERSION,
            strings: data.strings.iter().collect(),
            events: &data.events,
            orders: &data.orders,
            order_content: &self.ingest.order_content,
            files: &data.files,
            quarantine: &data.quarantine,
            revenue_cents: self.ingest.revenue_cents,
        }
    }

    /// The length of [`Part::to_bytes`], measured without encoding.
    pub fn encoded_len(&self) -> usize {
        // Measuring plain structs cannot fail.
        postcard::experimental::serialized_size(&self.wire()).unwrap_or_default()
    }

    /// Hands [`Part::to_bytes`] to `sink` a piece at a time as it encodes,
    /// so that the whole encoding need never be in memory twice: a helper
    /// worker writes its part straight into the buffer it hands over (at
    /// 100 copies of an export, 150 MB that its own memory no longer holds).
    pub fn write_to(&self, sink: impl FnMut(&[u8])) {
        let pieces = Pieces {
            buf: Vec::with_capacity(PIECE),
            sink,
        };
        // Encoding plain structs into pieces cannot fail.
        let _ = postcard::serialize_with_flavor(&self.wire(), pieces);
    }

    /// Everything the part holds, as bytes (to hand to another worker).
    pub fn to_bytes(&self) -> Vec<u8> {
        // Measured first, then written into a vector of that size: grown by
        // doubling, the vector held up to three times the part's size while
        // it moved (at 100 copies of an export, a helper worker's 150 MB
        // part took about 400 MB).
        let mut bytes = Vec::with_capacity(self.encoded_len());
        self.write_to(|piece| bytes.extend_from_slice(piece));
        bytes
    }

    /// The part [`Part::to_bytes`] encoded; an error for bytes that are
    /// not one (another version, cut short).
    pub fn from_bytes(bytes: &[u8], cfg: &IngestConfig) -> Result<Part, String> {
        let mut part = Part::new(cfg);
        part.absorb_bytes(bytes)?;
        Ok(part)
    }

    /// Appends the part of the files that come right after this one's: its
    /// strings join this part's table in the order it met them (as one
    /// reader would have met them), its rows follow this part's. An error
    /// only for a part whose rows refer past its own tables, which a part
    /// read here never does.
    pub fn absorb(&mut self, later: Part) -> Result<(), String> {
        let Ingest {
            data,
            order_content,
            revenue_cents,
            ..
        } = later.ingest;
        let symbols = self.ingest.data.strings.intern_all(data.strings.iter());
        let tables = Tables {
            symbols,
            orders: data.orders,
            order_content,
            files: data.files,
            quarantine: data.quarantine,
            revenue_cents,
        };
        let events = data.events.into_iter().map(Ok);
        let count = events.len();
        self.append(tables, count, events)
    }

    /// [`Part::absorb`] of a part's bytes ([`Part::to_bytes`]), each event
    /// decoded as it is appended (no second list of the later part's
    /// events); an error for bytes that are not a part, or that refer past
    /// their own tables. On an error this part is left incomplete.
    pub fn absorb_bytes(&mut self, bytes: &[u8]) -> Result<(), String> {
        fn take<'a, T: Deserialize<'a>>(bytes: &mut &'a [u8]) -> Result<T, String> {
            let (value, rest) = postcard::take_from_bytes(bytes)
                .map_err(|e| format!("a part that cannot be read back: {e}"))?;
            *bytes = rest;
            Ok(value)
        }
        // The fields of `WireOut`, in order.
        let mut rest = bytes;
        let version: u32 = take(&mut rest)?;
        if version != WIRE_VERSION {
            return Err(format!(
                "a part in format {version} (this build reads {WIRE_VERSION})"
            ));
        }
        let wire_strings: Vec<&str> = take(&mut rest)?;
        let symbols = self.ingest.data.strings.intern_all(wire_strings);
        let tables = Tables {
            symbols,
            orders: take(&mut rest)?,
            order_content: take(&mut rest)?,
            files: take(&mut rest)?,
            quarantine: take(&mut rest)?,
            revenue_cents: take(&mut rest)?,
        };
        let count: usize = take(&mut rest)?;
        // No more room made than the bytes could hold (an event takes more
        // than a byte): a corrupt count fails on the bytes, not on memory.
        let room = count.min(rest.len());
        let events = (0..count).map(|_| take::<Event>(&mut rest));
        self.append(tables, room, events)
    }

    /// Appends a later part's rows, renumbered into this part's strings,
    /// files and orders.
    fn append(
        &mut self,
        later: Tables,
        count: usize,
        events: impl Iterator<Item = Result<Event, String>>,
    ) -> Result<(), String> {
        let Tables {
            symbols,
            orders,
            order_content,
            files,
            quarantine,
            revenue_cents,
        } = later;
        let sym = |s: Sym| match s {
            NONE => Some(NONE),
            s => symbols.get(s as usize).copied(),
        };
        let past = || "a part that refers past its own tables".to_string();
        if orders.len() != order_content.len() {
            return Err(past());
        }
        let data = &mut self.ingest.data;
        let file_offset = data.files.len() as u32;
        let order_offset = data.orders.len() as u32;
        let (files_here, orders_here) = (files.len() as u32, orders.len() as u32);
        for (mut o, content) in orders.into_iter().zip(order_content) {
            o.transaction_id = sym(o.transaction_id).ok_or_else(past)?;
            o.email = sym(o.email).ok_or_else(past)?;
            data.orders.push(o);
            self.ingest
                .order_content
                .push(sym(content).ok_or_else(past)?);
        }
        data.files.extend(files);
        data.quarantine.extend(quarantine.into_iter().map(|mut q| {
            q.file += file_offset;
            q
        }));
        // Order revenue is never negative, so the total only grows: past
        // the ceiling after any part is past it at the end (`finish`).
        let ingest = &mut self.ingest;
        ingest.revenue_cents = ingest.revenue_cents.saturating_add(revenue_cents);
        let data = &mut ingest.data;
        data.events.reserve(count);
        for e in events {
            let mut e = e?;
            e.client = sym(e.client).ok_or_else(past)?;
            e.page_url = sym(e.page_url).ok_or_else(past)?;
            e.referrer = sym(e.referrer).ok_or_else(past)?;
            e.user_agent = sym(e.user_agent).ok_or_else(past)?;
            if e.file >= files_here {
                return Err(past());
            }
            e.file += file_offset;
            match e.kind {
                EventKind::CheckoutCompleted if e.payload < orders_here => {
                    e.payload += order_offset;
                }
                EventKind::CheckoutCompleted => return Err(past()),
                EventKind::EmailFilledOnPopup => {
                    e.payload = sym(e.payload).ok_or_else(past)?;
                }
                _ => {}
            }
            data.events.push(e);
        }
        Ok(())
    }

    /// The batch this part holds (its own files and those it absorbed), as
    /// one reader makes it: exact copies dropped in row order (counted on
    /// the file of the copy), events ordered by time, file and line; `None`
    /// when its orders pass the batch's revenue ceiling, which only a
    /// single reader applies exactly.
    pub fn finish(self) -> Option<Dataset> {
        self.finish_joined(&InTurn)
    }

    /// [`Part::finish`], its sorts shared between `join`'s two hands.
    pub fn finish_joined(self, join: &impl Join) -> Option<Dataset> {
        let Ingest {
            data,
            order_content,
            revenue_cents,
            ..
        } = self.ingest;
        let hit = data
            .quarantine
            .iter()
            .any(|q| q.reason == Reason::BatchRevenueLimit);
        if hit || revenue_cents > MAX_BATCH_REVENUE_CENTS {
            return None;
        }
        let Dataset {
            strings,
            events: mut all,
            orders,
            mut files,
            quarantine,
        } = data;
        // The content each event's duplicate key compares: an order's
        // `event_data`, an email.
        let contents: Vec<Sym> = all
            .iter()
            .map(|e| match e.kind {
                EventKind::CheckoutCompleted => order_content.get(e.payload as usize).copied(),
                EventKind::EmailFilledOnPopup => Some(e.payload),
                _ => Some(NONE),
            })
            .collect::<Option<_>>()?;
        let mut first = first_copies(&all, &contents, join);
        drop(contents);
        // From here on, the file of each first copy: the loop below
        // overwrites the events it has passed.
        for f in first.iter_mut().filter(|f| **f != NO_COPY) {
            *f = all[*f as usize].file;
        }
        // Keep each event's first copy, in row order; count the others on
        // the file of the copy, as one reader does.
        let mut orders: Vec<Option<Order>> = orders.into_iter().map(Some).collect();
        let mut kept_orders = Vec::new();
        let mut kept = 0;
        for i in 0..all.len() {
            let mut e = all[i];
            if first[i] != NO_COPY {
                let report = &mut files[e.file as usize];
                report.duplicates += 1;
                report.count_duplicate_of(first[i]);
                continue;
            }
            if e.kind == EventKind::CheckoutCompleted {
                let order = orders.get_mut(e.payload as usize)?.take()?;
                e.payload = kept_orders.len() as u32;
                kept_orders.push(order);
            }
            all[kept] = e;
            kept += 1;
        }
        all.truncate(kept);
        // No two events share a file and line: one order, however sorted.
        sort_unstable_shared(&mut all, |e| (e.ts, e.file, e.line), join);
        Some(Dataset {
            strings,
            events: all,
            orders: kept_orders,
            files,
            quarantine,
        })
    }
}

/// A later part's tables, as [`Part::append`] takes them: its symbols
/// renumbered into this part's table (by the later part's symbol), its
/// orders with the `event_data` of each, its files and quarantine.
struct Tables {
    symbols: Vec<Sym>,
    orders: Vec<Order>,
    order_content: Vec<Sym>,
    files: Vec<FileReport>,
    quarantine: Vec<QuarantinedRow>,
    revenue_cents: i64,
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
fn first_copies(events: &[Event], contents: &[Sym], join: &impl Join) -> Vec<u32> {
    use std::hash::BuildHasher;
    let key = |i: usize| EventKey::of(&events[i], contents[i]);
    let build = crate::hashing::Keyed;
    let fill = |slots: &mut [(u64, u32)], from: usize| {
        for (i, slot) in (from..).zip(slots) {
            *slot = (build.hash_one(key(i)), i as u32);
        }
    };
    let mut hashed = vec![(0, 0); events.len()];
    let half = hashed.len() / 2;
    let (a, b) = hashed.split_at_mut(half);
    join.join(|| fill(a, 0), || fill(b, half));
    // By hash, then by row: the first copy comes first in its run.
    sort_unstable_shared(&mut hashed, |&pair| pair, join);
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

/// The parts, in file order, as one dataset (see [`Part::finish`]);
/// `None` when the batch's orders pass the revenue ceiling (or a part does
/// not fit, see [`Part::absorb`]): the caller then reads the batch whole.
pub fn merge(parts: Vec<Part>) -> Option<Dataset> {
    merge_joined(parts, &InTurn)
}

/// [`merge`], the sorts of [`Part::finish`] shared between `join`'s two
/// hands.
pub fn merge_joined(parts: Vec<Part>, join: &impl Join) -> Option<Dataset> {
    let mut parts = parts.into_iter();
    let Some(mut batch) = parts.next() else {
        return Some(Dataset::default());
    };
    for later in parts {
        batch.absorb(later).ok()?;
    }
    batch.finish_joined(join)
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
