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
    let all = alerts(&metrics, &run.cfg);
    let day = |i: u64| cfg.start + chrono::Days::new(i);
    let critical: BTreeSet<(NaiveDate, String)> = all
        .iter()
        .filter(|a| a.severity == AlertSeverity::Critical)
        .map(|a| (a.day, a.metric.to_string()))
        .collect();
    let expected: BTreeSet<(NaiveDate, String)> = [
        (day(7), "null_client_rate"),
        (day(9), "column_missing"),
        (day(10), "column_missing"),
        (day(11), "revenue"),
        (day(12), "missing_day"),
    ]
    .into_iter()
    .map(|(d, m)| (d, m.to_string()))
    .collect();
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
                || a.metric.to_string().starts_with("column")
                || a.metric.to_string().ends_with("day")
                || a.metric == "file_error",
            "{a:?}"
        );
    }
}

/// Regression: `max_quarantine_rate` lived in both `[quality]` and
/// `[monitor]`, and the settings panel edited only the monitor's, so the
/// audit ignored what the user set. Now one setting drives both.
#[test]
fn one_quarantine_limit_drives_the_audit_and_the_alert() {
    let header = "client_id,page_url,referrer,timestamp,event_name,event_data,user_agent";
    let mut rows: Vec<String> = (0..9)
        .map(|i| format!("c{i},https://puffy.com/,,2025-02-23T10:00:0{i}.000Z,page_viewed,,ua"))
        .collect();
    rows.push("c9,https://puffy.com/,,not-a-time,page_viewed,,ua".into()); // 1 of 10 rows: 10%
    let body = format!("{header}\n{}\n", rows.join("\n"));
    let ds = engine::ingest::ingest([("events_20250223.csv", body.as_bytes())]);
    let fired = |limit: f64| {
        let mut cfg = Config::default();
        cfg.quality.max_quarantine_rate = limit;
        let run = engine::pipeline::run(&ds, &cfg).unwrap();
        let audit = run
            .quality
            .findings
            .iter()
            .any(|f| f.check == "quarantine_rate");
        let metrics = engine::monitor::metrics::daily_metrics(&ds, &run);
        let alert = alerts(&metrics, &run.cfg)
            .iter()
            .any(|a| a.metric == "quarantine_rate");
        (audit, alert)
    };
    assert_eq!(
        fired(0.05),
        (true, true),
        "10% is above a 5% limit for both"
    );
    assert_eq!(fired(0.2), (false, false), "and below a 20% limit for both");
}
