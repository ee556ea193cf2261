//! The output tables' CSV writer. It writes the bytes the `csv` crate
//! writes with its defaults and `\n` line ends (a field is quoted only when
//! it holds a comma, a quote, CR or LF; quotes inside are doubled; a record
//! of one empty field is written `""`), but straight into one buffer and
//! with numbers, amounts and timestamps formatted without allocating:
//! `events_enriched.csv` and `sessions.csv` have a row per event and per
//! session, and the `csv` crate's byte-by-byte writer plus a `String` per
//! number took most of their time. Rows go to the sink in 256 KiB pieces, so
//! a table as large as a 1.6 GB input is never whole in memory when it is
//! written to a file. A property test below checks the bytes against the
//! `csv` crate.

use std::io::Write;

/// Bytes gathered before they go to the sink.
const FLUSH_AT: usize = 256 * 1024;

/// A CSV table being written to a sink.
pub struct CsvOut<'a> {
    buf: Vec<u8>,
    sink: &'a mut dyn Write,
    error: Option<std::io::Error>,
    record_start: usize,
    fields: usize,
}

impl<'a> CsvOut<'a> {
    /// An empty table writing to `sink`.
    pub fn new(sink: &'a mut dyn Write) -> CsvOut<'a> {
        CsvOut {
            buf: Vec::with_capacity(FLUSH_AT + 4096),
            sink,
            error: None,
            record_start: 0,
            fields: 0,
        }
    }

    fn next_field(&mut self) {
        if self.fields > 0 {
            self.buf.push(b',');
        }
        self.fields += 1;
    }

    /// A text field, quoted when it needs to be.
    pub fn text(&mut self, s: &str) {
        self.next_field();
        let bytes = s.as_bytes();
        if bytes
            .iter()
            .any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
        {
            self.buf.push(b'"');
            for part in bytes.split_inclusive(|&b| b == b'"') {
                self.buf.extend_from_slice(part);
                if part.last() == Some(&b'"') {
                    self.buf.push(b'"');
                }
            }
            self.buf.push(b'"');
        } else {
            self.buf.extend_from_slice(bytes);
        }
    }

    /// An integer.
    pub fn int(&mut self, n: impl itoa::Integer) {
        self.next_field();
        self.buf
            .extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    }

    /// Cents as an amount with two decimals (`-12.05`).
    pub fn cents(&mut self, cents: i64) {
        self.next_field();
        if cents < 0 {
            self.buf.push(b'-');
        }
        let abs = cents.unsigned_abs();
        self.buf
            .extend_from_slice(itoa::Buffer::new().format(abs / 100).as_bytes());
        let rest = (abs % 100) as u8;
        self.buf
            .extend_from_slice(&[b'.', b'0' + rest / 10, b'0' + rest % 10]);
    }

    /// An epoch-milliseconds timestamp, as [`crate::model::format_ts`].
    pub fn ts(&mut self, ts: i64) {
        self.next_field();
        crate::model::write_ts(ts, &mut self.buf);
    }

    /// `true` or `false`.
    pub fn flag(&mut self, b: bool) {
        self.text(if b { "true" } else { "false" });
    }

    /// Ends the current record.
    pub fn end(&mut self) {
        if self.fields == 1 && self.buf.len() == self.record_start {
            self.buf.extend_from_slice(b"\"\"");
        }
        self.buf.push(b'\n');
        self.fields = 0;
        if self.buf.len() >= FLUSH_AT {
            self.flush();
        }
        self.record_start = self.buf.len();
    }

    fn flush(&mut self) {
        if self.error.is_none() {
            if let Err(e) = self.sink.write_all(&self.buf) {
                self.error = Some(e);
            }
        }
        self.buf.clear();
    }

    /// A whole record of text fields.
    pub fn record<S: AsRef<str>>(&mut self, fields: impl IntoIterator<Item = S>) {
        for f in fields {
            self.text(f.as_ref());
        }
        self.end();
    }

    /// Writes what is left; the first error met while writing, if any.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.flush();
        match self.error.take() {
            Some(e) => Err(e),
            None => self.sink.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CsvOut;
    use proptest::prelude::*;

    /// What `CsvOut` writes for these records.
    fn by_csv_out(records: &[Vec<String>]) -> Vec<u8> {
        let mut bytes = Vec::new();
        let mut out = CsvOut::new(&mut bytes);
        for r in records {
            out.record(r);
        }
        out.finish().unwrap();
        bytes
    }

    /// What the `csv` crate writes for the same records.
    fn by_csv_crate(records: &[Vec<String>]) -> Vec<u8> {
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        for r in records {
            w.write_record(r).unwrap();
        }
        w.into_inner().unwrap()
    }

    proptest! {
        #[test]
        fn text_fields_match_the_csv_crate(
            records in prop::collection::vec(
                prop::collection::vec("[a-c,\"\r\n é#']{0,6}", 1..5), 0..6)
        ) {
            prop_assert_eq!(by_csv_out(&records), by_csv_crate(&records));
        }

        #[test]
        fn numbers_match_their_string_forms(n in any::<i64>(), cents in -10_000_000i64..10_000_000, ts in 0i64..253_402_300_799_999) {
            let mut bytes = Vec::new();
            let mut out = CsvOut::new(&mut bytes);
            out.int(n);
            out.cents(cents);
            out.ts(ts);
            out.end();
            out.finish().unwrap();
            let want = format!(
                "{n},{},{}\n",
                crate::model::cents_to_string(cents),
                chrono::DateTime::from_timestamp_millis(ts).unwrap().format("%Y-%m-%dT%H:%M:%S%.3fZ")
            );
            prop_assert_eq!(String::from_utf8(bytes).unwrap(), want);
        }
    }

    #[test]
    fn a_lone_empty_field_is_quoted_like_the_csv_crate() {
        let records = vec![vec![String::new()], vec!["a".into(), String::new()]];
        let bytes = by_csv_out(&records);
        assert_eq!(bytes, by_csv_crate(&records));
        assert_eq!(by_csv_crate(&records), b"\"\"\na,\n");
    }

    #[test]
    fn large_tables_reach_the_sink_whole_and_in_order() {
        let records: Vec<Vec<String>> = (0..40_000)
            .map(|i| vec![format!("row {i}"), "a,b".into(), "x\"y".into()])
            .collect();
        let bytes = by_csv_out(&records);
        assert!(
            bytes.len() > 2 * super::FLUSH_AT,
            "several flushes happened"
        );
        assert_eq!(bytes, by_csv_crate(&records));
    }

    #[test]
    fn a_failing_sink_is_reported() {
        struct Full;
        impl std::io::Write for Full {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk full"))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut sink = Full;
        let mut out = CsvOut::new(&mut sink);
        out.record(["a"]);
        assert_eq!(out.finish().unwrap_err().to_string(), "disk full");
    }
}
