//! Ingest: CSV bytes from any number of files → typed [`Event`](crate::model::Event)s plus a
//! quarantine of the rows that could not be used, each with a reason.
//!
//! Files are read as a stream (`impl Read`): one reused record buffer, one
//! interning table, no per-row allocation for rows that are accepted. The
//! header is mapped onto the canonical schema by [`crate::ingest::schema`].
//!
//! Row conservation: for every file `rows = accepted + quarantined`. An
//! accepted row that is an exact copy of an event already loaded (the same
//! file dropped twice, overlapping exports) is counted in `duplicates` and
//! kept once. A file that cannot be read at all (empty, binary, not UTF-8,
//! not an export) gets an `error` and no rows; the other files still load.

pub mod archive;
pub mod dataset;
pub mod dates;
pub mod inspect;
pub mod order;
pub mod parts;
mod row;
pub mod schema;

use std::io::Read;

use crate::hashing::KeyedMap;

use crate::config::IngestConfig;
use crate::error::Error;
pub use crate::ingest::dataset::{Dataset, FileReport, QuarantinedRow, Reason};
pub use crate::ingest::dates::{day_from_name, parse_timestamp};
use crate::ingest::inspect::{header_columns, open_csv};
use crate::ingest::schema::HeaderMap;
use crate::limits::MAX_BATCH_REVENUE_CENTS;
use row::EventKey;
pub use row::MAX_ROW_BYTES;

/// Typical bytes per row of an export, for [`Ingest::with_expected_bytes`].
const BYTES_PER_ROW: u64 = 250;

/// The most rows reserved ahead (a 4 GB batch); beyond, tables grow.
const MAX_RESERVED_ROWS: u64 = 16_000_000;

/// Streaming ingest over many files: call [`Ingest::add_file`] per file,
/// then [`Ingest::finish`].
pub struct Ingest {
    data: Dataset,
    seen: KeyedMap<EventKey, u32>,
    /// The per-order revenue cap, in cents.
    max_order_cents: i64,
    /// Revenue of the orders accepted so far, in cents.
    revenue_cents: i64,
    /// The most revenue the batch may hold ([`MAX_BATCH_REVENUE_CENTS`]).
    max_batch_cents: i64,
    /// Whether exact duplicates are dropped as they come (off in a part:
    /// [`parts::merge`] drops them across parts).
    dedupe: bool,
    /// For a part: the interned `event_data` of each order, in order.
    order_content: Vec<crate::model::Sym>,
}

impl Default for Ingest {
    fn default() -> Self {
        Ingest {
            data: Dataset::default(),
            seen: KeyedMap::default(),
            max_order_cents: IngestConfig::default().max_order_cents(),
            revenue_cents: 0,
            max_batch_cents: MAX_BATCH_REVENUE_CENTS,
            dedupe: true,
            order_content: Vec::new(),
        }
    }
}

impl Ingest {
    /// An empty batch.
    pub fn new() -> Ingest {
        Ingest::default()
    }

    /// Applies the ingest settings (the revenue cap); call before adding files.
    pub fn with_config(mut self, cfg: &IngestConfig) -> Ingest {
        self.max_order_cents = cfg.max_order_cents();
        self
    }

    /// An empty batch with room for about `bytes` of exports (about 250
    /// bytes a row), so the event list and its hash tables do not grow step
    /// by step: growing them was a tenth of the ingest time at 125 MB.
    pub fn with_expected_bytes(bytes: u64) -> Ingest {
        let mut ingest = Ingest::default();
        ingest.reserve_rows(bytes, true);
        ingest
    }

    /// Reserves the event list and string table (and the duplicate table,
    /// with `seen`) for about `bytes` of exports.
    fn reserve_rows(&mut self, bytes: u64, seen: bool) {
        let rows = (bytes / BYTES_PER_ROW).min(MAX_RESERVED_ROWS) as usize;
        self.data.events.reserve(rows);
        if seen {
            self.seen.reserve(rows);
        }
        self.data.strings.reserve(rows / 2);
    }

    /// Reads one file. Never fails: a file that cannot be read gets an
    /// `error` in its report. Returns that report.
    pub fn add_file<R: Read>(&mut self, name: &str, reader: R) -> &FileReport {
        self.add(name, name, None, reader)
    }

    /// Reads the member `path` of the ZIP archive `archive`: named by its
    /// base name `base` (as a file of its own would be, so the day in its
    /// name counts), and as `archive/path` in its messages.
    pub fn add_member<R: Read>(
        &mut self,
        archive: &str,
        path: &str,
        base: &str,
        reader: R,
    ) -> &FileReport {
        self.add(base, &format!("{archive}/{path}"), Some(archive), reader)
    }

    /// Reads one file named `name`, calling it `label` in messages.
    fn add<R: Read>(
        &mut self,
        name: &str,
        label: &str,
        archive: Option<&str>,
        reader: R,
    ) -> &FileReport {
        let index = self.data.files.len() as u32;
        let mut report = FileReport {
            name: name.to_string(),
            day: day_from_name(name),
            archive: archive.map(str::to_string),
            ..FileReport::default()
        };
        let counted = CountingReader {
            inner: reader,
            bytes: 0,
        };
        if let Err(err) = self.read_file(index, label, counted, &mut report) {
            report.error = Some(err.to_string());
        }
        self.data.files.push(report);
        &self.data.files[index as usize]
    }

    /// Replaces the error of the file read last (a reader that knows better
    /// why it stopped than the CSV parser does).
    pub fn set_last_error(&mut self, message: String) {
        if let Some(f) = self.data.files.last_mut() {
            f.error = Some(message);
        }
    }

    /// Records a file that could not even be opened.
    pub fn add_unreadable(&mut self, name: &str, message: &str) -> &FileReport {
        self.unreadable(name.to_string(), None, message)
    }

    /// Records a member `path` of the archive `archive` that could not be
    /// opened (encrypted, an unsupported method, too large...).
    pub fn add_unreadable_member(&mut self, archive: &str, path: &str, message: &str) {
        self.unreadable(format!("{archive}/{path}"), Some(archive), message);
    }

    fn unreadable(&mut self, name: String, archive: Option<&str>, message: &str) -> &FileReport {
        self.data.files.push(FileReport {
            day: day_from_name(&name),
            error: Some(format!("{name}: cannot open: {message}")),
            name,
            archive: archive.map(str::to_string),
            ..FileReport::default()
        });
        &self.data.files[self.data.files.len() - 1]
    }

    /// Reads the rows of one file; errors name it `name`.
    fn read_file<R: Read>(
        &mut self,
        index: u32,
        name: &str,
        reader: CountingReader<R>,
        report: &mut FileReport,
    ) -> crate::Result<()> {
        let mut rdr = open_csv(name, reader)?;
        report.columns = header_columns(name, &mut rdr)?;
        report.header = HeaderMap::new(&report.columns);
        let missing = report.header.missing_required();
        if !missing.is_empty() {
            report.bytes = rdr.get_ref().get_ref().1.bytes;
            let missing: Vec<_> = missing.iter().map(|c| c.as_str()).collect();
            return Err(Error::NotAnExport {
                pos: crate::error::Position {
                    file: name.to_string(),
                    line: 1,
                },
                missing: missing.join(", "),
            });
        }
        let mut record = csv::ByteRecord::new();
        let mut last_quarantined_short = false;
        loop {
            match rdr.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    report.bytes = rdr.get_ref().get_ref().1.bytes;
                    return Err(Error::csv(name, &e));
                }
            }
            report.rows += 1;
            let line = record.position().map_or(0, |p| p.line());
            last_quarantined_short = false;
            match self.accept(index, line, &record, report) {
                Ok(()) => report.accepted += 1,
                Err((reason, detail)) => {
                    last_quarantined_short =
                        reason == Reason::WrongFieldCount && record.len() < report.columns.len();
                    self.quarantine(index, line, reason, detail, &record);
                    report.quarantined += 1;
                }
            }
        }
        if last_quarantined_short {
            if let Some(last) = self.data.quarantine.last_mut() {
                last.reason = Reason::TruncatedRow;
            }
        }
        report.bytes = rdr.get_ref().get_ref().1.bytes;
        Ok(())
    }

    /// Ends the batch: events ordered by (time, file, line).
    pub fn finish(self) -> Dataset {
        let mut data = self.data;
        data.events.sort_unstable_by_key(|e| (e.ts, e.file, e.line));
        data
    }
}

/// Reads every `(name, reader)` pair into one dataset.
pub fn ingest<'a, R: Read>(files: impl IntoIterator<Item = (&'a str, R)>) -> Dataset {
    let mut ingest = Ingest::new();
    for (name, reader) in files {
        ingest.add_file(name, reader);
    }
    ingest.finish()
}

/// Counts the bytes that pass through a reader.
struct CountingReader<R> {
    inner: R,
    bytes: u64,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::schema::Column;
    use crate::model::NONE;
    use chrono::NaiveDate;

    const HEADER: &str = "client_id,page_url,referrer,timestamp,event_name,event_data,user_agent";
    const UA: &str = "\"Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0\"";

    fn row(client: &str, ts: &str, event: &str, data: &str) -> String {
        format!("{client},https://puffy.com/,https://www.google.com/,{ts},{event},{data},{UA}")
    }

    fn one(name: &str, body: &str) -> Dataset {
        ingest([(name, body.as_bytes())])
    }

    #[test]
    fn bom_crlf_embedded_newline_and_trailing_blank_line() {
        let body =
            format!(
            "\u{feff}{HEADER}\r\n{}\r\n{}\r\n\r\n",
            row("a", "2025-02-23T00:00:01.750Z", "page_viewed", ""),
            row("b", "2025-02-23T00:00:02.000Z", "checkout_completed",
                "\"{\"\"transaction_id\"\":\"\"T1\"\",\"\"revenue\"\":245,\n\"\"items\"\":[]}\""),
        );
        let ds = one("events_20250223.csv", &body);
        let f = &ds.files[0];
        assert_eq!(
            (f.rows, f.accepted, f.quarantined),
            (2, 2, 0),
            "{:?}",
            ds.quarantine
        );
        assert_eq!(f.columns[0], "client_id");
        assert_eq!(ds.orders[0].revenue_cents, 24500);
        assert_eq!(ds.events[0].ts, 1740268801750);
        assert_eq!(f.day, NaiveDate::from_ymd_opt(2025, 2, 23));
    }

    #[test]
    fn every_row_is_accepted_or_quarantined_with_a_reason() {
        let body = [
            HEADER.to_string(),
            row("a", "2025-02-23T10:00:00Z", "page_viewed", ""),
            row("b", "yesterday", "page_viewed", ""),
            row("c", "2025-02-23T10:00:02Z", "page_scrolled", ""),
            row(
                "d",
                "2025-02-23T10:00:03Z",
                "checkout_completed",
                "\"{oops\"",
            ),
            row(
                "e",
                "2025-02-23T10:00:04Z",
                "checkout_completed",
                "\"{\"\"revenue\"\":3}\"",
            ),
            row(
                "f",
                "2025-02-23T10:00:05Z",
                "checkout_completed",
                "\"{\"\"transaction_id\"\":\"\"X\"\",\"\"revenue\"\":-3}\"",
            ),
            "g,https://puffy.com/,extra,field,2025-02-23T10:00:06Z,page_viewed,,ua".to_string(),
            "h,https://puffy.com/,,2025-02-23T10:00:07Z".to_string(),
        ]
        .join("\n");
        let ds = one("events_20250223.csv", &body);
        let f = &ds.files[0];
        assert_eq!(f.rows, 8);
        assert_eq!(f.rows, f.accepted + f.quarantined);
        let reasons: Vec<_> = ds.quarantine.iter().map(|q| (q.line, q.reason)).collect();
        assert_eq!(
            reasons,
            vec![
                (3, Reason::BadTimestamp),
                (4, Reason::UnknownEvent),
                (5, Reason::InvalidOrderJson),
                (6, Reason::OrderWithoutTransactionId),
                (7, Reason::NegativeRevenue),
                (8, Reason::WrongFieldCount),
                (9, Reason::TruncatedRow),
            ]
        );
        assert!(ds.quarantine[6].raw.starts_with("h,https://puffy.com/,,"));
    }

    #[test]
    fn orders_past_the_batch_revenue_ceiling_are_quarantined_not_summed() {
        let order = |n: u32| {
            row(
                &format!("c{n}"),
                &format!("2025-02-23T10:00:0{n}Z"),
                "checkout_completed",
                &format!("\"{{\"\"transaction_id\"\":\"\"T{n}\"\",\"\"revenue\"\":20000}}\""),
            )
        };
        let body = format!("{HEADER}\n{}\n{}\n{}\n", order(1), order(2), order(3));
        let mut ingest = Ingest::new();
        ingest.max_batch_cents = 5_000_000; // 50,000.00: room for two orders
        ingest.add_file("events_20250223.csv", body.as_bytes());
        let ds = ingest.finish();
        assert_eq!(
            ds.orders.iter().map(|o| o.revenue_cents).sum::<i64>(),
            4_000_000
        );
        assert_eq!(ds.quarantine.len(), 1);
        assert_eq!(
            (ds.quarantine[0].line, ds.quarantine[0].reason),
            (4, Reason::BatchRevenueLimit)
        );
        assert_eq!(
            ds.files[0].rows,
            ds.files[0].accepted + ds.files[0].quarantined
        );
    }

    #[test]
    fn same_file_twice_is_counted_once() {
        let body = format!(
            "{HEADER}\n{}\n{}\n",
            row("a", "2025-02-23T10:00:00Z", "page_viewed", ""),
            row(
                "a",
                "2025-02-23T10:01:00Z",
                "checkout_completed",
                "\"{\"\"transaction_id\"\":\"\"T\"\",\"\"revenue\"\":10}\""
            )
        );
        let ds = ingest([("a.csv", body.as_bytes()), ("a (1).csv", body.as_bytes())]);
        assert_eq!(ds.events.len(), 2);
        assert_eq!(ds.orders.len(), 1);
        let copy = &ds.files[1];
        assert_eq!((copy.rows, copy.accepted, copy.duplicates), (2, 2, 2));
        assert_eq!(copy.duplicate_of, vec![(0, 2)]);
    }

    #[test]
    fn renamed_and_missing_columns_still_load() {
        let body = "clientId,page_url,timestamp,event_name,event_data,user_agent\n\
            a,https://puffy.com/,2025-02-23T10:00:00Z,page_viewed,,ua\n\
            ,https://puffy.com/,2025-02-23T10:00:01Z,page_viewed,,ua\n";
        let ds = one("events_20250223.csv", body);
        let f = &ds.files[0];
        assert_eq!(f.accepted, 2);
        assert_eq!(f.header.missing, vec![Column::Referrer]);
        assert_eq!(f.nulls[Column::ClientId.index()], 1);
        assert_eq!(ds.events[0].referrer, NONE);
        assert_eq!(ds.strings.get(ds.events[0].client), "a");
    }

    #[test]
    fn unreadable_files_get_an_error_and_others_still_load() {
        let good = format!(
            "{HEADER}\n{}\n",
            row("a", "2025-02-23T10:00:00Z", "page_viewed", "")
        );
        let ds = ingest([
            ("empty.csv", &b""[..]),
            ("logo.csv", &b"\x89PNG\r\n\x1a\n\0\0"[..]),
            ("other.csv", &b"name,size\nx,1\n"[..]),
            ("good.csv", good.as_bytes()),
        ]);
        let errors: Vec<_> = ds
            .files
            .iter()
            .map(|f| f.error.clone().unwrap_or_default())
            .collect();
        assert!(errors[0].contains("empty.csv: the file is empty"));
        assert!(
            errors[1].contains("logo.csv: this is a PNG image"),
            "{}",
            errors[1]
        );
        assert!(
            errors[2].contains("other.csv, line 1: not an event export"),
            "{}",
            errors[2]
        );
        assert_eq!(errors[3], "");
        assert_eq!(ds.events.len(), 1);
    }
}
