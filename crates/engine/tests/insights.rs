//! Every finding of the executive summary carries the number behind it, and
//! that number is recomputed here from the written tables (read back as
//! CSV), not from the report's own fields.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use engine::config::Config;
use engine::ingest::ingest;
use engine::outputs::tables::{write, Table};
use engine::report::insights::InsightKind;
use engine::synth::{generate, SynthConfig};

/// A table as rows of column → value.
fn table(
    ds: &engine::ingest::Dataset,
    run: &engine::pipeline::Run,
    t: Table,
) -> Vec<HashMap<String, String>> {
    let mut bytes = Vec::new();
    write(ds, run, t, &mut bytes).unwrap();
    let mut r = csv::Reader::from_reader(bytes.as_slice());
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            head.iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn cents(s: &str) -> i64 {
    (s.parse::<f64>().unwrap_or(0.0) * 100.0).round() as i64
}

#[test]
fn each_insight_number_matches_the_tables() {
    let cfg = SynthConfig {
        events_per_day: 1500,
        ..SynthConfig::default()
    };
    let (files, _) = generate(&cfg);
    let ds = ingest(files.iter().map(|f| (f.name.as_str(), f.bytes.as_slice())));
    let run = engine::pipeline::run(&ds, &Config::default()).unwrap();
    let report = engine::report::report(&ds, &run);
    let events = table(&ds, &run, Table::EventsEnriched);
    let sessions = table(&ds, &run, Table::Sessions);
    let conversions = table(&ds, &run, Table::Conversions);
    let attribution = table(&ds, &run, Table::Attribution);

    let revenue: i64 = conversions.iter().map(|c| cents(&c["revenue"])).sum();
    let by_channel = |model: &str| {
        let mut m: BTreeMap<String, i64> = BTreeMap::new();
        for a in attribution.iter().filter(|a| a["model"] == model) {
            *m.entry(a["channel"].clone()).or_default() += cents(&a["revenue_credit"]);
        }
        m
    };
    let (first, last) = (by_channel("first_click"), by_channel("last_click"));
    let mut seen = BTreeSet::new();
    for i in &report.insights {
        seen.insert(format!("{:?}", i.kind));
        let close = |want: f64| {
            assert!(
                (i.value - want).abs() < 1e-6 * want.abs().max(1.0),
                "{:?}: {} vs {want} ({})",
                i.kind,
                i.value,
                i.text
            )
        };
        match i.kind {
            InsightKind::TopChannel => {
                let (_, top) = last
                    .iter()
                    .filter(|(c, _)| *c != "Unattributed")
                    .max_by_key(|(_, v)| **v)
                    .unwrap();
                close(*top as f64 / revenue as f64);
            }
            InsightKind::ModelShift => {
                let shift = last
                    .iter()
                    .filter(|(c, _)| *c != "Unattributed")
                    .filter_map(|(c, l)| {
                        let f = *first.get(c)?;
                        (f > 0).then(|| *l as f64 / f as f64 - 1.0)
                    })
                    .max_by(|a, b| a.abs().total_cmp(&b.abs()))
                    .unwrap();
                close(shift);
            }
            InsightKind::CartAbandonment => {
                let never = sessions
                    .iter()
                    .filter(|s| s["added_to_cart"] == "false")
                    .count();
                // The funnel's rates are rounded to four decimals.
                let want = never as f64 / sessions.len() as f64;
                assert!((i.value - want).abs() <= 0.00005, "{} vs {want}", i.value);
            }
            InsightKind::ClientIdsLost => {
                // The worst file's share of events without a client id.
                let mut per_file: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
                for e in &events {
                    let f = per_file.entry(e["file"].as_str()).or_default();
                    f.0 += u64::from(e["client_id"].is_empty());
                    f.1 += 1;
                }
                let worst = per_file
                    .values()
                    .map(|(n, all)| *n as f64 / *all as f64)
                    .fold(0.0, f64::max);
                assert!((i.value - worst).abs() < 1e-4, "{} vs {worst}", i.value);
            }
            InsightKind::ReferrersLost => {
                // Files in which no event has a referrer.
                let mut with: BTreeMap<&str, bool> = BTreeMap::new();
                for e in &events {
                    *with.entry(e["file"].as_str()).or_default() |= !e["referrer"].is_empty();
                }
                close(with.values().filter(|has| !**has).count() as f64);
            }
            InsightKind::DuplicateOrders => {
                // Every copy of a transaction id after its earliest.
                let mut copies: BTreeMap<&str, Vec<(&str, i64)>> = BTreeMap::new();
                for e in events
                    .iter()
                    .filter(|e| e["event_name"] == "checkout_completed")
                {
                    copies
                        .entry(e["transaction_id"].as_str())
                        .or_default()
                        .push((e["timestamp"].as_str(), cents(&e["revenue"])));
                }
                let excluded: i64 = copies
                    .values_mut()
                    .map(|v| {
                        v.sort();
                        v.iter().skip(1).map(|(_, c)| c).sum::<i64>()
                    })
                    .sum();
                assert!(excluded > 0);
                close(excluded as f64 / 100.0);
            }
            InsightKind::Unattributed => {
                let none: i64 = conversions
                    .iter()
                    .filter(|c| c["session_id"].is_empty())
                    .map(|c| cents(&c["revenue"]))
                    .sum();
                close(none as f64 / 100.0);
            }
            InsightKind::PaymentProvider => {
                // Not a table: the report's own list, which the referrals
                // tests check by hand.
                let p = &report.set_aside_referrers[0];
                close(p.revenue);
                assert!(i.text.contains(&p.source));
            }
            InsightKind::DataDriven => {
                let top = report
                    .markov
                    .removal_effects
                    .iter()
                    .map(|(_, e)| *e)
                    .fold(0.0, f64::max);
                close(top);
            }
            InsightKind::Unknown => panic!("a new report has no insight of unknown kind"),
            InsightKind::CriticalIncidents => {
                let n = report
                    .incidents
                    .iter()
                    .filter(|x| x.severity == engine::monitor::AlertSeverity::Critical)
                    .count();
                close(n as f64);
            }
        }
    }
    // The generated batch has every quirk, so every kind is written.
    for kind in [
        "TopChannel",
        "ModelShift",
        "CartAbandonment",
        "ClientIdsLost",
        "ReferrersLost",
        "DuplicateOrders",
        "PaymentProvider",
        "DataDriven",
        "Unattributed",
        "CriticalIncidents",
    ] {
        assert!(seen.contains(kind), "{kind} missing from {seen:?}");
    }
}
