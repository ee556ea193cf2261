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

fn session_case(seed: u64, timeout: u32, split: bool) -> (Dataset, engine::pipeline::Run) {
    let cfg = SynthConfig {
        seed,
        days: 3,
        events_per_day: 400,
        ..SynthConfig::default()
    };
    let files = generate(&cfg).0;
    let ds = ingest(files.iter().map(|f| (f.name.as_str(), f.bytes.as_slice())));
    let mut settings = engine::config::Config::default();
    settings.session.timeout_minutes = timeout;
    settings.session.split_on_new_source = split;
    let run = engine::pipeline::run(&ds, &settings).unwrap();
    (ds, run)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn every_eligible_event_is_in_exactly_one_session(seed in 0u64..1000, timeout in 1u32..120, split: bool) {
        let (ds, run) = session_case(seed, timeout, split);
        let limit = i64::from(timeout) * 60_000;
        let mut last_in: Vec<Option<i64>> = vec![None; run.sessions.sessions.len()];
        for (i, e) in ds.events.iter().enumerate() {
            let eligible = e.client != engine::model::NONE && !run.uas.is_bot(e.user_agent);
            let s = run.sessions.of_event[i];
            prop_assert_eq!(eligible, s != engine::model::NONE);
            if !eligible { continue; }
            let session = &run.sessions.sessions[s as usize];
            prop_assert_eq!(session.client, e.client);
            prop_assert!(session.start <= e.ts && e.ts <= session.end);
            // No internal gap above the timeout, except a shopper's return
            // from paying (within the payment window).
            if let Some(prev) = last_in[s as usize] {
                let paying = run.sources.checkout_pages.binary_search(&(i as u32)).is_ok()
                    && session.started_checkout
                    && e.ts - prev <= i64::from(run.cfg.session.payment_return_minutes) * 60_000;
                prop_assert!(e.ts - prev <= limit || paying);
            }
            last_in[s as usize] = Some(e.ts);
        }
        let total: u32 = run.sessions.sessions.iter().map(|s| s.events).sum();
        prop_assert_eq!(total as usize, run.sessions.of_event.iter().filter(|&&s| s != engine::model::NONE).count());
        if !split {
            // Consecutive sessions of a client are more than the timeout apart.
            let mut last_end: std::collections::HashMap<u32, i64> = Default::default();
            for s in &run.sessions.sessions {
                if let Some(end) = last_end.get(&s.client) {
                    prop_assert!(s.start - end > limit);
                }
                last_end.insert(s.client, s.end);
            }
        }
    }

    #[test]
    fn every_model_credits_exactly_the_revenue(seed in 0u64..1000, lookback in 1u32..10) {
        let cfg = SynthConfig { seed, days: 3, events_per_day: 400, ..SynthConfig::default() };
        let files = generate(&cfg).0;
        let ds = ingest(files.iter().map(|f| (f.name.as_str(), f.bytes.as_slice())));
        let mut settings = engine::config::Config::default();
        settings.attribution.lookback_days = lookback;
        let run = engine::pipeline::run(&ds, &settings).unwrap();
        let mut sums: std::collections::HashMap<(u32, engine::attribution::Model), (i64, f64)> = Default::default();
        for c in &run.attribution.credits {
            let e = sums.entry((c.conversion, c.model)).or_default();
            e.0 += c.revenue_cents;
            e.1 += c.credit;
        }
        prop_assert_eq!(sums.len(), run.conversions.len() * 7);
        for ((conv, _), (cents, credit)) in sums {
            prop_assert_eq!(cents, run.conversions[conv as usize].revenue_cents);
            prop_assert!((credit - 1.0).abs() < 1e-9);
        }
    }
}
