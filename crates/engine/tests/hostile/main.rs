//! A catalogue of hostile and awkward inputs, each with the exact text a
//! user sees: a file's error, a quarantined row's reason and detail, a
//! finding's message, or the cell written to a table. Expected strings are
//! written by hand from the rules in `limits.rs`, `outputs/csv_out.rs` and
//! `ingest/archive.rs`, not copied from a run. The helpers are here; the
//! cases are grouped by kind in the modules below.

mod amounts;
mod archives;
mod cells;
mod rows;

use engine::config::Config;
use engine::ingest::{Dataset, Ingest, Reason};
use engine::pipeline::run;
use engine::report::report;

const HEADER: &str = "client_id,page_url,referrer,timestamp,event_name,event_data,user_agent";
const UA: &str = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0";
const DAY: &str = "events_20250223.csv";

/// One CSV row, each field quoted (quotes doubled) as a real export does.
fn row(fields: [&str; 7]) -> String {
    fields
        .iter()
        .map(|f| format!("\"{}\"", f.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(",")
}

fn view(client: &str, page: &str, referrer: &str, ts: &str) -> String {
    row([client, page, referrer, ts, "page_viewed", "", UA])
}

fn order(client: &str, ts: &str, data: &str) -> String {
    row([
        client,
        "https://checkout.puffy.com/thank-you",
        "",
        ts,
        "checkout_completed",
        data,
        UA,
    ])
}

fn file(rows: &[String]) -> String {
    format!("{HEADER}\n{}\n", rows.join("\n"))
}

fn load(name: &str, body: &[u8]) -> Dataset {
    let mut ingest = Ingest::new();
    ingest.add_file(name, body);
    ingest.finish()
}

/// The reason and detail of the one quarantined row of a one-row file.
fn quarantined(line: String) -> (Reason, String) {
    let ds = load(DAY, file(&[line]).as_bytes());
    assert_eq!(ds.quarantine.len(), 1, "one row quarantined");
    let f = &ds.files[0];
    assert_eq!(f.rows, f.accepted + f.quarantined, "rows conserved");
    (ds.quarantine[0].reason, ds.quarantine[0].detail.clone())
}

/// A file's error message.
fn file_error(name: &str, body: &[u8]) -> String {
    load(name, body).files[0].error.clone().unwrap_or_default()
}

/// The cells of `column` in a table of the run over `rows`.
fn cells(rows: &[String], table: &str, column: &str) -> Vec<String> {
    let ds = load(DAY, file(rows).as_bytes());
    let run = run(&ds, &Config::default()).unwrap();
    let bytes = engine::outputs::tables::table(
        &ds,
        &run,
        engine::outputs::tables::Table::from_file_name(table).unwrap(),
    );
    let mut rdr = csv::Reader::from_reader(bytes.as_slice());
    let at = rdr
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == column)
        .unwrap();
    rdr.records().map(|r| r.unwrap()[at].to_string()).collect()
}

fn finding_message(ds: &Dataset, cfg: &Config, check: &str) -> String {
    let run = run(ds, cfg).unwrap();
    run.quality
        .findings
        .iter()
        .find(|f| f.check == check)
        .map(|f| f.message.clone())
        .unwrap_or_else(|| panic!("no {check} finding"))
}

const T: &str = "2025-02-23T10:00:00.000Z";
