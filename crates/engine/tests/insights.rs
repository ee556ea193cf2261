//! Every finding of the executive summary carries the number behind it, and
//! that number is recomputed here from the written tables (read back as
//! CSV), not from the report's own fields.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use engine::config::Config;
use engine::ingest::ingest;
use engine::outputs::tables::Table;
use engine::report::insights::InsightKind;
use engine::synth::{generate, SynthConfig};

/// A table as rows of column → value.
fn table(
    ds: &engine::ingest::Dataset,
    run: &engine::pipeline::Run,
    t: Table,
) -> Vec<HashMap<String, String>> {
    kept_table(ds, run, t, None)
}

/// A slice's table (the whole run's with `None`) as rows.
fn kept_table(
    ds: &engine::ingest::Dataset,
    run: &engine::pipeline::Run,
    t: Table,
    keep: Option<&engine::summary::slice::Keep>,
) -> Vec<HashMap<String, String>> {
    let mut bytes = Vec::new();
    engine::outputs::tables::write_kept(ds, run, t, keep, &mut bytes).unwrap();
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

/// The generator's 14 days (every quirk in), 1,500 events a day, run.
fn generated() -> (engine::ingest::Dataset, engine::pipeline::Run) {
    let cfg = SynthConfig {
        events_per_day: 1500,
        ..SynthConfig::default()
    };
    let (files, _) = generate(&cfg);
    let ds = ingest(files.iter().map(|f| (f.name.as_str(), f.bytes.as_slice())));
    let run = engine::pipeline::run(&ds, &Config::default()).unwrap();
    (ds, run)
}

#[test]
fn each_insight_number_matches_the_tables() {
    let (ds, run) = generated();
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
            InsightKind::KpiMover | InsightKind::ChannelMover | InsightKind::FunnelMover => {
                panic!("a report without a comparison has no movers: {}", i.text)
            }
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

/// The movers of a comparison (mobile against desktop sessions, over the
/// same days): each value is recomputed from the two slices' tables, the
/// noise rule too (a count difference over twice √(a + b), at least 5 %).
#[test]
fn each_mover_matches_the_sliced_tables() {
    let (ds, run) = generated();
    let segment = vec!["device=mobile".to_string()];
    let view = engine::report::compare::View::parse(
        &run,
        None,
        None,
        &segment,
        Some("segment:device=desktop"),
    )
    .unwrap();
    let report = engine::report::compare::Analysis::new(&ds, &run)
        .report(&ds, &run, &view)
        .unwrap();
    let base = view
        .compare
        .as_ref()
        .unwrap()
        .slice_for(
            &view.slice,
            engine::report::compare::batch_days(&run).unwrap(),
        )
        .unwrap();
    // The two slices' tables, read back.
    let tables = |slice: &engine::summary::slice::Slice, t: Table| {
        let keep = engine::summary::slice::Keep::new(&ds, &run, slice);
        kept_table(&ds, &run, t, Some(&keep))
    };
    struct Side {
        revenue: i64,
        orders: u64,
        sessions: u64,
        visitors: u64,
        steps: [u64; 4],
        last_click: BTreeMap<String, (i64, f64)>,
    }
    let side = |slice: &engine::summary::slice::Slice| {
        let sessions = tables(slice, Table::Sessions);
        let conversions = tables(slice, Table::Conversions);
        let mut last_click: BTreeMap<String, (i64, f64)> = BTreeMap::new();
        for a in tables(slice, Table::Attribution)
            .iter()
            .filter(|a| a["model"] == "last_click")
        {
            let e = last_click.entry(a["channel"].clone()).or_default();
            e.0 += cents(&a["revenue_credit"]);
            e.1 += a["credit"].parse::<f64>().unwrap();
        }
        let count = |col: &str| sessions.iter().filter(|s| s[col] == "true").count() as u64;
        Side {
            revenue: conversions.iter().map(|c| cents(&c["revenue"])).sum(),
            orders: conversions.len() as u64,
            sessions: sessions.len() as u64,
            visitors: sessions
                .iter()
                .map(|s| s["client_id"].clone())
                .collect::<BTreeSet<_>>()
                .len() as u64,
            steps: [
                sessions.len() as u64,
                count("added_to_cart"),
                count("started_checkout"),
                count("converted"),
            ],
            last_click,
        }
    };
    let (a, b) = (side(&view.slice), side(&base));
    let noise = |x: f64, y: f64| (x - y).abs() > 2.0 * (x + y).sqrt() && (x - y).abs() >= 0.05 * y;
    let pct = |x: f64, y: f64| x / y - 1.0;
    let close = |got: f64, want: f64, what: &str| {
        assert!((got - want).abs() < 1e-3, "{what}: {got} vs {want}");
    };
    let mut kinds = BTreeSet::new();
    for i in &report.insights {
        match i.kind {
            InsightKind::KpiMover => {
                let (x, y, n) = if i.text.starts_with("Revenue") {
                    (a.revenue as f64, b.revenue as f64, (a.orders, b.orders))
                } else if i.text.starts_with("Orders") {
                    (a.orders as f64, b.orders as f64, (a.orders, b.orders))
                } else if i.text.starts_with("Sessions") {
                    (
                        a.sessions as f64,
                        b.sessions as f64,
                        (a.sessions, b.sessions),
                    )
                } else if i.text.starts_with("Visitors") {
                    (
                        a.visitors as f64,
                        b.visitors as f64,
                        (a.visitors, b.visitors),
                    )
                } else if i.text.starts_with("Conversion rate") {
                    let r = |s: &Side| s.steps[3] as f64 / s.steps[0] as f64;
                    (r(&a), r(&b), (a.steps[3], b.steps[3]))
                } else {
                    continue;
                };
                close(i.value, pct(x, y), &i.text);
                assert!(
                    noise(n.0 as f64, n.1 as f64) || i.text.starts_with("Conversion"),
                    "{}",
                    i.text
                );
            }
            InsightKind::ChannelMover => {
                let (name, (x, ox)) = a
                    .last_click
                    .iter()
                    .find(|(c, _)| i.text.starts_with(&format!("{c} revenue")))
                    .unwrap();
                let (y, oy) = b.last_click[name];
                close(i.value, pct(*x as f64, y as f64), &i.text);
                assert!(noise(*ox, oy), "{}", i.text);
            }
            InsightKind::FunnelMover => {
                let k = ["added_to_cart", "started_checkout", "purchased"]
                    .iter()
                    .position(|s| {
                        i.text.starts_with(match *s {
                            "added_to_cart" => "The add-to-cart",
                            "started_checkout" => "The checkout",
                            _ => "The purchase",
                        })
                    })
                    .unwrap()
                    + 1;
                let r = |s: &Side| s.steps[k] as f64 / s.steps[0] as f64;
                close(i.value, pct(r(&a), r(&b)), &i.text);
            }
            _ => continue,
        }
        kinds.insert(format!("{:?}", i.kind));
    }
    // Mobile and desktop shoppers differ enough for a mover of each kind.
    assert!(
        kinds.contains("KpiMover") && kinds.contains("ChannelMover"),
        "{kinds:?}"
    );
    // Movers lead the summary.
    assert!(matches!(report.insights[0].kind, InsightKind::KpiMover));
}
