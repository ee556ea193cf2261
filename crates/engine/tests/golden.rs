//! A small golden batch written by hand (`tests/data/golden/`): two days,
//! three shoppers, a bot, a row without client id and a bad timestamp, and
//! the tables expected from it, also written by hand from the rules in the
//! README (sessions cut at 30 minutes; channels by the rule table; every
//! model's credits; time decay 2^(−age/7 days): for G-2 the touches are
//! 1.0139 and 0.0139 days old, weights 0.475265 / 0.524735 of 300.50, so
//! 142.817 / 157.683, and the spare cent goes to the larger remainder:
//! 142.82 / 157.68). Nothing here is produced by the code under test.

use std::path::Path;

use engine::config::Config;

fn golden() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/golden")
}

fn run() -> (engine::ingest::Dataset, engine::pipeline::Run) {
    let names = ["events_20250301.csv", "events_20250302.csv"];
    let bytes: Vec<Vec<u8>> = names
        .iter()
        .map(|n| std::fs::read(golden().join(n)).unwrap())
        .collect();
    let ds = engine::ingest::ingest(names.iter().copied().zip(bytes.iter().map(Vec::as_slice)));
    let run = engine::pipeline::run(&ds, &Config::default()).unwrap();
    (ds, run)
}

fn check(table: &str) {
    let (ds, run) = run();
    let got = String::from_utf8(engine::outputs::tables::table(
        &ds,
        &run,
        engine::outputs::tables::Table::from_file_name(table).unwrap(),
    ))
    .unwrap();
    let want = std::fs::read_to_string(golden().join("expected").join(table)).unwrap();
    // Line by line, so a failure names the row.
    for (i, (g, w)) in got.lines().zip(want.lines()).enumerate() {
        assert_eq!(g, w, "{table}, line {}", i + 1);
    }
    assert_eq!(got.lines().count(), want.lines().count(), "{table}: rows");
    assert_eq!(got, want, "{table}: bytes");
}

#[test]
fn golden_sessions() {
    check("sessions.csv");
}

#[test]
fn golden_conversions() {
    check("conversions.csv");
}

#[test]
fn golden_attribution_under_every_model() {
    check("attribution.csv");
}

#[test]
fn golden_user_journeys() {
    check("user_journeys.csv");
}

#[test]
fn golden_channel_summary() {
    check("channel_summary.csv");
}

#[test]
fn golden_quarantine() {
    check("quarantine.csv");
}

#[test]
fn golden_summary_and_reconciliation() {
    let (ds, run) = run();
    let r = engine::report::report(&ds, &run);
    let s = &r.summary;
    assert_eq!(
        (s.revenue, s.orders, s.sessions, s.visitors),
        (1300.5, 2, 5, 3)
    );
    assert_eq!((s.bot_events, s.events_without_client_id), (1, 1));
    // 12 rows = 1 quarantined + 9 in sessions + 1 bot + 1 without client id.
    let rows: u64 = ds.files.iter().map(|f| f.rows).sum();
    assert_eq!(rows, 12);
    assert!(r.reconciliation.events_balanced && r.reconciliation.revenue_balanced);
}
