//! Property tests of ingest invariants: every row is accepted or
//! quarantined whatever is done to a valid file, and the chunk size of the
//! reader never changes the result.

use std::io::Read;

use engine::ingest::{ingest, Dataset};
use engine::synth::{generate, SynthConfig};
use proptest::prelude::*;

/// A small valid export (one generated day, about 60 rows).
fn valid_file() -> Vec<u8> {
    let cfg = SynthConfig {
        days: 1,
        events_per_day: 60,
        bad_rows: false,
        ..SynthConfig::default()
    };
    generate(&cfg).0.remove(0).bytes
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Remove the n-th comma of the file (a row loses a field).
    DropField(usize),
    /// Insert a comma at a position (a row gains a field).
    AddField(usize),
    /// Insert a stray double quote at a position.
    BreakQuote(usize),
    /// Overwrite a byte (any value: NUL, invalid UTF-8, newline...).
    Byte(usize, u8),
    /// Cut the file at a position.
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::DropField),
        any::<usize>().prop_map(Mutation::AddField),
        any::<usize>().prop_map(Mutation::BreakQuote),
        (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Mutation::Byte(p, b)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(mut bytes: Vec<u8>, m: &Mutation) -> Vec<u8> {
    if bytes.is_empty() {
        return bytes;
    }
    let at = |p: usize, len: usize| p % len;
    match *m {
        Mutation::DropField(n) => {
            let commas: Vec<usize> = bytes
                .iter()
                .enumerate()
                .filter(|(_, &b)| b == b',')
                .map(|(i, _)| i)
                .collect();
            if !commas.is_empty() {
                bytes.remove(commas[n % commas.len()]);
            }
        }
        Mutation::AddField(p) => bytes.insert(at(p, bytes.len()), b','),
        Mutation::BreakQuote(p) => bytes.insert(at(p, bytes.len()), b'"'),
        Mutation::Byte(p, b) => {
            let i = at(p, bytes.len());
            bytes[i] = b;
        }
        Mutation::Truncate(p) => bytes.truncate(at(p, bytes.len())),
    }
    bytes
}

/// A reader that hands out at most `chunk` bytes per call, like a browser
/// reading a `File` in slices.
struct Chunked<'a> {
    data: &'a [u8],
    chunk: usize,
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.chunk.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn same(a: &Dataset, b: &Dataset) -> bool {
    a.files == b.files
        && a.events == b.events
        && a.quarantine == b.quarantine
        && a.orders == b.orders
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn every_row_is_accepted_or_quarantined(mutations in prop::collection::vec(mutation(), 1..6)) {
        let bytes = mutations.iter().fold(valid_file(), apply);
        let ds = ingest([("events_20250223.csv", bytes.as_slice())]);
        let f = &ds.files[0];
        prop_assert_eq!(f.rows, f.accepted + f.quarantined);
        prop_assert_eq!(f.quarantined as usize, ds.quarantine.len());
        prop_assert!(f.duplicates <= f.accepted);
        prop_assert_eq!(ds.events.len() as u64, f.accepted - f.duplicates);
        if f.error.is_some() {
            prop_assert_eq!(f.rows, 0);
        } else {
            // Every CSV record after the header was counted once.
            let records = csv::ReaderBuilder::new().flexible(true).from_reader(bytes.as_slice())
                .into_byte_records().take_while(Result::is_ok).count() as u64;
            prop_assert_eq!(f.rows, records);
        }
    }

    #[test]
    fn chunk_size_never_changes_the_result(chunk in 1usize..300, mutations in prop::collection::vec(mutation(), 0..3)) {
        let bytes = mutations.iter().fold(valid_file(), apply);
        let whole = ingest([("events_20250223.csv", bytes.as_slice())]);
        let chunked = ingest([("events_20250223.csv", Chunked { data: &bytes, chunk })]);
        prop_assert!(same(&whole, &chunked));
    }
}
