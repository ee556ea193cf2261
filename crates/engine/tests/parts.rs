//! A batch read in parts and merged is the dataset one reader makes: the
//! same strings in the same order (so the same symbols), events, orders,
//! file reports (duplicates included) and quarantine, however the files are
//! split, with whole files dropped twice across parts.

use engine::config::IngestConfig;
use engine::ingest::parts::{merge, Part};
use engine::ingest::{Dataset, Ingest};
use engine::synth::{generate, SynthConfig};
use proptest::prelude::*;

/// Everything a dataset holds, as comparable values.
fn contents(ds: &Dataset) -> String {
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        ds.strings.iter().collect::<Vec<&str>>(),
        ds.events,
        ds.orders,
        ds.files,
        ds.quarantine
    )
}

fn batch(seed: u64, real_shape: bool) -> Vec<(String, Vec<u8>)> {
    let (files, _) = generate(&SynthConfig {
        seed,
        days: 6,
        events_per_day: 500,
        real_shape,
        ..SynthConfig::default()
    });
    let mut files: Vec<(String, Vec<u8>)> = files.into_iter().map(|f| (f.name, f.bytes)).collect();
    // The same day dropped again, and again later: copies across parts.
    files.insert(2, files[1].clone());
    files.push(files[0].clone());
    files
}

fn one_reader(files: &[(String, Vec<u8>)]) -> Dataset {
    let mut ingest = Ingest::new();
    for (name, bytes) in files {
        ingest.add_file(name, bytes.as_slice());
    }
    ingest.finish()
}

/// The batch read in parts cut at `cuts`; with `wire`, the first part goes
/// through its bytes and the others are absorbed from their bytes, as the
/// page's main worker takes what its helper workers read.
fn in_parts(files: &[(String, Vec<u8>)], cuts: &[usize], wire: bool) -> Dataset {
    let mut bounds = vec![0];
    bounds.extend(cuts.iter().map(|c| c % (files.len() + 1)));
    bounds.push(files.len());
    bounds.sort_unstable();
    let parts: Vec<Part> = bounds
        .windows(2)
        .map(|w| {
            let mut part = Part::new(&IngestConfig::default());
            for (name, bytes) in &files[w[0]..w[1]] {
                part.add_file(name, bytes.as_slice());
            }
            part
        })
        .collect();
    if !wire {
        return merge(parts).expect("far below the revenue ceiling");
    }
    let mut parts = parts.into_iter();
    let first = parts.next().expect("one part at least").to_bytes();
    let mut batch = Part::from_bytes(&first, &IngestConfig::default()).expect("its own bytes");
    for later in parts {
        batch
            .absorb_bytes(&later.to_bytes())
            .expect("its own bytes");
    }
    batch.finish().expect("far below the revenue ceiling")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn parts_merge_into_what_one_reader_makes(
        seed in 0u64..1000,
        real_shape: bool,
        cuts in prop::collection::vec(0usize..20, 0..4),
        wire: bool,
    ) {
        let files = batch(seed, real_shape);
        let one = one_reader(&files);
        let merged = in_parts(&files, &cuts, wire);
        prop_assert!(one.files.iter().map(|f| f.duplicates).sum::<u64>() > 0);
        prop_assert_eq!(contents(&merged), contents(&one));
    }
}

#[test]
fn every_file_its_own_part() {
    let files = batch(7, false);
    let cuts: Vec<usize> = (1..files.len()).collect();
    let one = contents(&one_reader(&files));
    assert_eq!(contents(&in_parts(&files, &cuts, false)), one);
    assert_eq!(contents(&in_parts(&files, &cuts, true)), one);
}

#[test]
fn bytes_that_are_not_a_part_are_refused() {
    let files = batch(3, true);
    let mut part = Part::new(&IngestConfig::default());
    for (name, bytes) in &files[..2] {
        part.add_file(name, bytes.as_slice());
    }
    let bytes = part.to_bytes();
    let cfg = IngestConfig::default();
    // Cut short, or from another format version.
    assert!(Part::from_bytes(&bytes[..bytes.len() / 2], &cfg).is_err());
    let mut other = bytes.clone();
    other[0] = 9;
    let err = Part::from_bytes(&other, &cfg).err().expect("refused");
    assert!(err.contains("format 9"), "{err}");
    assert!(Part::from_bytes(&[], &cfg).is_err());
    // A part of no rows ends with its count of events, 0: claiming 2^63
    // events instead is an error on the bytes (no room made for them).
    let mut empty = Part::new(&cfg).to_bytes();
    assert_eq!(empty.pop(), Some(0));
    empty.extend([0xff; 8]);
    empty.push(0x7f);
    let err = Part::from_bytes(&empty, &cfg).err().expect("refused");
    assert!(err.contains("cannot be read back"), "{err}");
}

/// Copies within a file and across files, interleaved so that the merge's
/// compaction passes a first copy before its later copy is counted: each
/// copy is still counted against the file its first copy came from.
#[test]
fn copies_count_against_the_file_of_their_first_copy() {
    let header = "client_id,page_url,referrer,timestamp,event_name,event_data,user_agent\n";
    let row = |client: &str, minute: u32| {
        format!("{client},https://shop.example/,,2025-03-01T10:{minute:02}:00Z,page_viewed,,Mozilla/5.0 (X11; Linux x86_64)\n")
    };
    let a = format!("{header}{}{}{}", row("x", 1), row("x", 1), row("y", 2));
    let b = format!("{header}{}{}", row("w", 3), row("y", 2));
    let files = vec![
        ("events_20250301.csv".to_string(), a.into_bytes()),
        ("events_20250302.csv".to_string(), b.into_bytes()),
    ];
    let one = one_reader(&files);
    assert_eq!(
        one.files[1].duplicate_of,
        vec![(0, 1)],
        "y in the second file is a copy of the first file's"
    );
    assert_eq!(contents(&in_parts(&files, &[1], false)), contents(&one));
    assert_eq!(contents(&in_parts(&files, &[1], true)), contents(&one));
}
