//! Monitoring on generated data with injected incidents: each incident
//! raises the right alert on the right day, and clean days raise no
//! critical alert.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use engine::config::Config;
use engine::ingest::ingest;
use engine::monitor::{alerts, AlertSeverity};
use engine::synth::{generate, SynthConfig};

#[test]
fn injected_incidents_raise_the_right_alerts_on_the_right_days() {
    let cfg = SynthConfig {
        null_spike_day: Some(7),
        drop_referrer_days: vec![9, 10],
        revenue_dip_day: Some(11),
        missing_day: Some(12),
        duplicate_transactions: 0,
        rename_client_id_from: None,
        ..SynthConfig::default()
    };
    let (files, _) = generate(&cfg);
    let ds = ingest(files.iter().map(|f| (f.name.as_str(), f.bytes.as_slice())));
    let run = engine::pipeline::run(&ds, &Config::default()).unwrap();
    let metrics = engine::monitor::metrics::daily_metrics(&ds, &run);
    assert_eq!(metrics.len(), 14, "the missing day is part of the series");
    let all = alerts(&metrics, &run.cfg.monitor);
    let day = |i: u64| cfg.start + chrono::Days::new(i);
    let critical: BTreeSet<(NaiveDate, &str)> = all
        .iter()
        .filter(|a| a.severity == AlertSeverity::Critical)
        .map(|a| (a.day, a.metric.as_str()))
        .collect();
    let expected: BTreeSet<(NaiveDate, &str)> = [
        (day(7), "null_client_rate"),
        (day(9), "column_missing"),
        (day(10), "column_missing"),
        (day(11), "revenue"),
        (day(12), "missing_day"),
    ]
    .into();
    assert_eq!(critical, expected, "{all:#?}");
    // Lost referrers show as a Direct jump on the days the column is missing.
    let direct: BTreeSet<NaiveDate> = all
        .iter()
        .filter(|a| a.metric == "direct_share")
        .map(|a| a.day)
        .collect();
    assert_eq!(direct, [day(9), day(10)].into());
    // Every alert shows its value and a threshold or band.
    for a in &all {
        assert!(
            a.threshold.is_some()
                || a.expected.is_some()
                || a.metric.starts_with("column")
                || a.metric.ends_with("day")
                || a.metric == "file_error",
            "{a:?}"
        );
    }
}
