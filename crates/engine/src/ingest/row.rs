//! One row of an export, typed into an [`Event`] or set aside with a
//! [`Reason`]: the field count, the row length, UTF-8, the timestamp and
//! its window, the event name, the order (revenue cap, batch ceiling) and
//! exact duplicates of events already loaded.

use crate::ingest::order::{parse_email, parse_order, OrderError};
use crate::ingest::parse_timestamp;
use crate::ingest::schema::Column;
use crate::ingest::{FileReport, Ingest, QuarantinedRow, Reason};
use crate::limits::{truncate, MAX_SAMPLE_CHARS};
use crate::model::{Event, EventKind, Sym, NONE};

/// The longest row accepted, in bytes (a real row is under 2 KB; an order
/// with many line items under 20 KB).
pub const MAX_ROW_BYTES: usize = 256 * 1024;

/// Identity of an event for exact-duplicate detection (all fields but its
/// position; orders compare by their raw `event_data`).
#[derive(Hash, PartialEq, Eq)]
pub(super) struct EventKey {
    ts: i64,
    client: Sym,
    page_url: Sym,
    referrer: Sym,
    user_agent: Sym,
    kind: EventKind,
    content: Sym,
}

impl EventKey {
    /// The key of `event`, whose order or email content is `content`.
    pub(super) fn of(event: &Event, content: Sym) -> EventKey {
        EventKey {
            ts: event.ts,
            client: event.client,
            page_url: event.page_url,
            referrer: event.referrer,
            user_agent: event.user_agent,
            kind: event.kind,
            content,
        }
    }
}

impl FileReport {
    /// Counts one more copy of an event first loaded from file `first`.
    pub(super) fn count_duplicate_of(&mut self, first: u32) {
        match self.duplicate_of.iter_mut().find(|(f, _)| *f == first) {
            Some((_, n)) => *n += 1,
            None => self.duplicate_of.push((first, 1)),
        }
    }
}

impl Ingest {
    /// Types one row into an event, or says why it cannot be used.
    pub(super) fn accept(
        &mut self,
        file: u32,
        line: u64,
        record: &csv::ByteRecord,
        report: &mut FileReport,
    ) -> Result<(), (Reason, String)> {
        if record.as_slice().len() > MAX_ROW_BYTES {
            return Err((
                Reason::RowTooLong,
                format!(
                    "the row is {} bytes long; rows over {} bytes are not read",
                    record.as_slice().len(),
                    MAX_ROW_BYTES
                ),
            ));
        }
        if record.len() != report.columns.len() {
            return Err((
                Reason::WrongFieldCount,
                format!(
                    "expected {} fields, found {}",
                    report.columns.len(),
                    record.len()
                ),
            ));
        }
        let mut fields: [&str; 7] = [""; 7];
        for col in Column::ALL {
            if let Some(i) = report.header.position[col.index()] {
                let raw = record.get(i).unwrap_or_default();
                fields[col.index()] = std::str::from_utf8(raw)
                    .map_err(|_| {
                        (
                            Reason::InvalidUtf8,
                            format!("{} is not UTF-8", col.as_str()),
                        )
                    })?
                    .trim();
            }
        }
        let text = |c: Column| fields[c.index()];
        let ts = parse_timestamp(text(Column::Timestamp)).ok_or_else(|| {
            (
                Reason::BadTimestamp,
                format!("timestamp {:?}", truncate(text(Column::Timestamp), 64)),
            )
        })?;
        if !(crate::limits::EARLIEST_TS..crate::limits::END_TS).contains(&ts) {
            return Err((
                Reason::TimestampOutOfRange,
                format!(
                    "timestamp {:?} is outside 2000-01-01 to 2099-12-31",
                    truncate(text(Column::Timestamp), 64)
                ),
            ));
        }
        let kind = EventKind::parse(text(Column::EventName)).ok_or_else(|| {
            (
                Reason::UnknownEvent,
                format!("event_name {:?}", truncate(text(Column::EventName), 64)),
            )
        })?;
        let data = text(Column::EventData);
        let (payload, content) = match kind {
            EventKind::CheckoutCompleted => {
                let order = parse_order(data, &mut self.data.strings, self.max_order_cents)
                    .map_err(order_reason)?;
                self.revenue_cents = self
                    .revenue_cents
                    .checked_add(order.revenue_cents)
                    .filter(|&t| t <= self.max_batch_cents)
                    .ok_or_else(|| {
                        (
                            Reason::BatchRevenueLimit,
                            "the batch's revenue would pass 23,058,430,092,136,939.51, more than sums can hold"
                                .to_string(),
                        )
                    })?;
                let content = self.data.strings.intern(data);
                self.data.orders.push(order);
                ((self.data.orders.len() - 1) as u32, content)
            }
            EventKind::EmailFilledOnPopup if !data.is_empty() => {
                match parse_email(data, &mut self.data.strings) {
                    Some(email) => (email, email),
                    None => {
                        let (count, samples) = &mut report.invalid_event_data;
                        *count += 1;
                        if samples.len() < 20 {
                            samples.push(line);
                        }
                        (NONE, NONE)
                    }
                }
            }
            _ => (NONE, NONE),
        };
        for col in Column::ALL {
            if report.header.has(col) && fields[col.index()].is_empty() {
                report.nulls[col.index()] += 1;
            }
        }
        let [client, page_url, referrer, user_agent] = self.data.strings.intern_row([
            text(Column::ClientId),
            text(Column::PageUrl),
            text(Column::Referrer),
            text(Column::UserAgent),
        ]);
        let event = Event {
            ts,
            client,
            page_url,
            referrer,
            user_agent,
            kind,
            file,
            line: line.min(u32::MAX as u64) as u32,
            payload,
        };
        self.push_unique(event, content, report);
        Ok(())
    }

    fn push_unique(&mut self, event: Event, content: Sym, report: &mut FileReport) {
        if !self.dedupe {
            if event.kind == EventKind::CheckoutCompleted {
                self.order_content.push(content);
            }
            self.data.events.push(event);
            return;
        }
        let key = EventKey::of(&event, content);
        match self.seen.get(&key) {
            Some(&first) => {
                report.duplicates += 1;
                report.count_duplicate_of(first);
                if event.kind == EventKind::CheckoutCompleted {
                    // The copy's order is never referenced: drop it.
                    self.data.orders.pop();
                }
            }
            None => {
                self.seen.insert(key, event.file);
                self.data.events.push(event);
            }
        }
    }

    pub(super) fn quarantine(
        &mut self,
        file: u32,
        line: u64,
        reason: Reason,
        detail: String,
        record: &csv::ByteRecord,
    ) {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        let raw = match w
            .write_byte_record(record)
            .ok()
            .and_then(|_| w.into_inner().ok())
        {
            Some(bytes) => String::from_utf8_lossy(&bytes).trim_end().to_string(),
            None => String::new(),
        };
        // An oversized row is kept by file and line; its text is cut.
        let raw = if reason == Reason::RowTooLong {
            truncate(&raw, MAX_SAMPLE_CHARS).into_owned()
        } else {
            raw
        };
        self.data.quarantine.push(QuarantinedRow {
            file,
            line,
            reason,
            detail,
            raw,
        });
    }
}

fn order_reason(err: OrderError) -> (Reason, String) {
    match err {
        OrderError::InvalidJson(m) => (Reason::InvalidOrderJson, truncate(&m, 200).into_owned()),
        OrderError::NoTransactionId => (Reason::OrderWithoutTransactionId, String::new()),
        OrderError::NoRevenue => (Reason::OrderWithoutRevenue, String::new()),
        OrderError::Negative(v) => (Reason::NegativeRevenue, format!("revenue {v}")),
        OrderError::NonFinite(v) => (
            Reason::NonFiniteRevenue,
            format!("revenue {}", truncate(&v, 64)),
        ),
        OrderError::AboveCap(v, cap) => (
            Reason::RevenueAboveCap,
            format!(
                "revenue {v} is above the cap of {} per order ([ingest] max_order_revenue)",
                crate::model::cents_to_string(cap)
            ),
        ),
    }
}
