//! ZIP archives: every member loaded or named with its own error.

use std::io::{Cursor, Write};

use engine::ingest::archive::{add_zip, add_zip_capped};

use super::*;

/// A ZIP with the given (name, bytes, deflate?) members.
fn zip(members: &[(&str, &[u8], bool)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes, deflate) in members {
        let method = if *deflate {
            zip::CompressionMethod::Deflated
        } else {
            zip::CompressionMethod::Stored
        };
        w.start_file(
            *name,
            zip::write::SimpleFileOptions::default().compression_method(method),
        )
        .unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Sets a 16-bit field in every local (`PK\3\4`) and central (`PK\1\2`)
/// header: the general-purpose flags or the compression method.
fn patch(bytes: &mut [u8], local_at: usize, central_at: usize, f: impl Fn(u16) -> u16) {
    let sigs: Vec<(usize, usize)> = (0..bytes.len().saturating_sub(4))
        .filter_map(|i| match &bytes[i..i + 4] {
            b"PK\x03\x04" => Some((i, local_at)),
            b"PK\x01\x02" => Some((i, central_at)),
            _ => None,
        })
        .collect();
    for (at, off) in sigs {
        let v = u16::from_le_bytes([bytes[at + off], bytes[at + off + 1]]);
        bytes[at + off..at + off + 2].copy_from_slice(&f(v).to_le_bytes());
    }
}

fn zip_errors(name: &str, bytes: Vec<u8>) -> (Dataset, Vec<String>) {
    let mut ingest = Ingest::new();
    add_zip(&mut ingest, name, Cursor::new(bytes));
    let ds = ingest.finish();
    let errors = ds.files.iter().filter_map(|f| f.error.clone()).collect();
    (ds, errors)
}

#[test]
fn h31_an_encrypted_member_gets_its_own_error_and_the_others_load() {
    let good = file(&[view("a", "https://puffy.com/", "", T)]);
    let mut bytes = zip(&[
        ("a/events_20250223.csv", good.as_bytes(), false),
        ("b/events_20250224.csv", good.as_bytes(), false),
    ]);
    // Mark only the second member encrypted: flags at +6 (local), +8 (central).
    let second_local = bytes
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == b"PK\x03\x04")
        .nth(1)
        .unwrap()
        .0;
    let second_central = bytes
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == b"PK\x01\x02")
        .nth(1)
        .unwrap()
        .0;
    bytes[second_local + 6] |= 1;
    bytes[second_central + 8] |= 1;
    let (ds, errors) = zip_errors("batch.zip", bytes);
    assert_eq!(errors, vec!["batch.zip/b/events_20250224.csv: cannot open: the member is encrypted (password-protected); zip it again without a password"]);
    assert_eq!(ds.events.len(), 1);
    assert_eq!(ds.files[0].archive.as_deref(), Some("batch.zip"));
    // The refused member counts under its archive too (the manifest sums them).
    assert!(ds
        .files
        .iter()
        .all(|f| f.archive.as_deref() == Some("batch.zip")));
}

#[test]
fn h32_a_bzip2_member_is_named_with_its_method() {
    let good = file(&[view("a", "https://puffy.com/", "", T)]);
    let mut bytes = zip(&[(DAY, good.as_bytes(), false)]);
    patch(&mut bytes, 8, 10, |_| 12); // method 12: bzip2
    let (_, errors) = zip_errors("batch.zip", bytes);
    assert_eq!(errors, vec!["batch.zip/events_20250223.csv: cannot open: the member is compressed with Bzip2, which cannot be read here; zip it again with standard (deflate) compression"]);
}

#[test]
fn h33_a_zip_bomb_stops_at_the_cap_with_a_message() {
    let mut body = file(&[view("a", "https://puffy.com/", "", T)]).into_bytes();
    body.resize(3 << 20, b'\n'); // 3 MB, most of it blank lines
    let bytes = zip(&[(DAY, &body, true)]);
    assert!(bytes.len() < 64 * 1024, "it compresses well");
    let mut ingest = Ingest::new();
    add_zip_capped(&mut ingest, "bomb.zip", Cursor::new(bytes), 1 << 20);
    let ds = ingest.finish();
    assert_eq!(
        ds.files[0].error.as_deref(),
        Some("bomb.zip/events_20250223.csv: cannot open: the archive inflates to more than 1 MB (this member claims 3 MB); unzip it and add the CSV files themselves")
    );
    assert!(ds.events.is_empty());
}

#[test]
fn h34_an_archive_without_csv_and_a_broken_archive() {
    let (_, errors) = zip_errors("notes.zip", zip(&[("readme.txt", b"hello", true)]));
    assert_eq!(
        errors,
        vec!["notes.zip: cannot open: the ZIP archive holds no .csv file"]
    );
    let (_, errors) = zip_errors("broken.zip", b"PK\x03\x04 not really".to_vec());
    assert!(
        errors[0].starts_with("broken.zip: cannot open: not a readable ZIP archive ("),
        "{}",
        errors[0]
    );
}

#[test]
fn h35_every_catalogue_file_conserves_rows() {
    // The mixed bag in one batch: rows read = accepted + quarantined.
    let rows = [
        view("=1", "https://puffy.com/", "", T),
        view("b", "https://puffy.com/", "", "0001-01-01T00:00:00.000Z"),
        order("c", T, r#"{"transaction_id":"A","revenue":9e18}"#),
        order("d", T, r#"{"transaction_id":"B","revenue":"NaN"}"#),
        order("e", T, r#"{"transaction_id":"C","revenue":120}"#),
    ];
    let ds = load(DAY, file(&rows).as_bytes());
    let r = report(&ds, &run(&ds, &Config::default()).unwrap());
    assert_eq!(
        (
            ds.files[0].rows,
            ds.files[0].accepted,
            ds.files[0].quarantined
        ),
        (5, 2, 3)
    );
    assert!(r.reconciliation.events_balanced);
    assert_eq!(r.summary.revenue, 120.0);
}

#[test]
fn h36_an_unreadable_member_is_named_with_its_archive() {
    let (_, errors) = zip_errors(
        "batch.zip",
        zip(&[("2025/events_20250223.csv", b"\x89PNG\r\n\x1a\n", true)]),
    );
    assert_eq!(
        errors,
        vec!["batch.zip/2025/events_20250223.csv: this is a PNG image, not a CSV text file"]
    );
}
