//! Periods, segments and comparisons. The oracle: a slice's table is the
//! whole run's table filtered to the slice's sessions, the filter written
//! here from the rule (the session's start day, and its device, channel,
//! number and landing page as `sessions.csv` states them), apart from the
//! engine's `Keep`. The golden batch's sliced numbers are worked out by
//! hand from its two files.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use engine::config::Config;
use engine::ingest::{ingest, Dataset};
use engine::outputs::tables::{write, write_kept, Table};
use engine::pipeline::Run;
use engine::report::compare::{Analysis, View};
use engine::summary::slice::{url_path, Keep};
use engine::synth::{generate, SynthConfig};
use proptest::prelude::*;

type Row = HashMap<String, String>;

fn rows(bytes: &[u8]) -> (Vec<String>, Vec<Row>) {
    let mut r = csv::Reader::from_reader(bytes);
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            head.iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect();
    (head, rows)
}

fn full(ds: &Dataset, run: &Run, t: Table) -> Vec<u8> {
    let mut out = Vec::new();
    write(ds, run, t, &mut out).unwrap();
    out
}

fn sliced(ds: &Dataset, run: &Run, t: Table, keep: &Keep) -> Vec<u8> {
    let mut out = Vec::new();
    write_kept(ds, run, t, Some(keep), &mut out).unwrap();
    out
}

/// The lines of a CSV table (header first) whose row passes `keep`.
fn filtered(bytes: &[u8], keep: impl Fn(&Row) -> bool) -> Vec<String> {
    let text = std::str::from_utf8(bytes).unwrap();
    let (_, rs) = rows(bytes);
    // One record per line in these tables (no field holds a newline in the
    // generated data): checked.
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), rs.len() + 1);
    let mut out = vec![lines[0].to_string()];
    out.extend(
        rs.iter()
            .zip(&lines[1..])
            .filter(|(r, _)| keep(r))
            .map(|(_, l)| l.to_string()),
    );
    out
}

fn lines(bytes: &[u8]) -> Vec<String> {
    std::str::from_utf8(bytes)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

/// A session of `sessions.csv` against the view's rule.
fn session_kept(r: &Row, from: &str, to: &str, segment: &[(String, Vec<String>)]) -> bool {
    let day = &r["start"][..10];
    day >= from
        && day <= to
        && segment.iter().all(|(key, values)| {
            let v = match key.as_str() {
                "device" => r["device"].clone(),
                "channel" => r["channel"].clone(),
                "visitor" => {
                    if r["session_id"].ends_with("#1") {
                        "new".into()
                    } else {
                        "returning".into()
                    }
                }
                "landing" => {
                    let path = url_path(&r["landing_page"]);
                    return values.iter().any(|p| path.starts_with(p.as_str()));
                }
                _ => unreachable!(),
            };
            values.contains(&v)
        })
}

fn batch(days: u32, per_day: u32, seed: u64) -> (Dataset, Run) {
    let (files, _) = generate(&SynthConfig {
        days,
        events_per_day: per_day,
        seed,
        ..SynthConfig::default()
    });
    let ds = ingest(files.iter().map(|f| (f.name.as_str(), f.bytes.as_slice())));
    let run = engine::pipeline::run(&ds, &Config::default()).unwrap();
    (ds, run)
}

fn segment_strategy() -> impl Strategy<Value = Vec<(String, Vec<String>)>> {
    let key = prop_oneof![
        proptest::sample::subsequence(vec!["desktop", "mobile", "tablet"], 1..=2)
            .prop_map(|v| ("device".to_string(), v)),
        proptest::sample::subsequence(
            vec!["Direct", "Paid Search", "Email", "Organic Search"],
            1..=2
        )
        .prop_map(|v| ("channel".to_string(), v)),
        proptest::sample::select(vec!["new", "returning"])
            .prop_map(|v| ("visitor".to_string(), vec![v])),
        proptest::sample::select(vec!["/products", "/", "/pages"])
            .prop_map(|v| ("landing".to_string(), vec![v])),
    ];
    proptest::collection::vec(key, 0..=2).prop_map(|mut v| {
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v.dedup_by(|a, b| a.0 == b.0);
        v.into_iter()
            .map(|(k, vs)| (k, vs.into_iter().map(String::from).collect()))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Every sliced table is the whole run's filtered to the slice's
    /// sessions, and the report's numbers count those rows.
    #[test]
    fn sliced_tables_are_the_whole_tables_filtered(
        seed in 0u64..1000,
        a in 0u32..6,
        len in 0u32..6,
        segment in segment_strategy(),
    ) {
        let (ds, run) = batch(6, 300, seed);
        let first = engine::report::compare::batch_days(&run).unwrap().0;
        let day = |n: u32| (first + chrono::Duration::days(n.min(5) as i64)).to_string();
        let (from, to) = (day(a), day(a + len));
        let args: Vec<String> = segment.iter().map(|(k, v)| format!("{k}={}", v.join(","))).collect();
        let view = View::parse(&run, Some(&from), Some(&to), &args, None).unwrap();
        let keep = Keep::new(&ds, &run, &view.slice);

        let all_sessions = full(&ds, &run, Table::Sessions);
        let want = filtered(&all_sessions, |r| session_kept(r, &from, &to, &segment));
        prop_assert_eq!(lines(&sliced(&ds, &run, Table::Sessions, &keep)), want.clone());
        let (_, kept_rows) = rows(want.join("\n").as_bytes());
        let ids: BTreeSet<String> = kept_rows.iter().map(|r| r["session_id"].clone()).collect();

        // Events and orders outside any session: kept by their day when
        // the segment is empty.
        let loose = |r: &Row| {
            segment.is_empty()
                && r["session_id"].is_empty()
                && r["timestamp"][..10] >= *from
                && r["timestamp"][..10] <= *to
        };
        for t in [Table::EventsEnriched, Table::Conversions] {
            let want = filtered(&full(&ds, &run, t), |r| ids.contains(&r["session_id"]) || loose(r));
            prop_assert_eq!(lines(&sliced(&ds, &run, t, &keep)), want, "{:?}", t);
        }
        let (_, conv) = rows(&sliced(&ds, &run, Table::Conversions, &keep));
        let txns: BTreeSet<String> = conv.iter().map(|r| r["transaction_id"].clone()).collect();
        let want = filtered(&full(&ds, &run, Table::Attribution), |r| txns.contains(&r["transaction_id"]));
        prop_assert_eq!(lines(&sliced(&ds, &run, Table::Attribution, &keep)), want);

        // The report counts the kept rows.
        let r = Analysis::new(&ds, &run).report(&ds, &run, &view).unwrap();
        let cents = |s: &str| (s.parse::<f64>().unwrap() * 100.0).round() as i64;
        let revenue: i64 = conv.iter().map(|c| cents(&c["revenue"])).sum();
        let clients: BTreeSet<&String> = kept_rows.iter().map(|r| &r["client_id"]).collect();
        let converted = kept_rows.iter().filter(|r| r["converted"] == "true").count() as u64;
        prop_assert_eq!(r.summary.orders, conv.len() as u64);
        prop_assert_eq!((r.summary.revenue * 100.0).round() as i64, revenue);
        prop_assert_eq!(r.summary.sessions, kept_rows.len() as u64);
        prop_assert_eq!(r.summary.visitors, clients.len() as u64);
        prop_assert_eq!(r.funnel.overall[3].sessions, converted);
        // Channel summary: sessions per day and channel of the kept rows.
        let mut per: BTreeMap<(String, String), u64> = BTreeMap::new();
        for s in &kept_rows {
            *per.entry((s["start"][..10].to_string(), s["channel"].clone())).or_default() += 1;
        }
        let (_, cs) = rows(&sliced(&ds, &run, Table::ChannelSummary, &keep));
        let got: BTreeMap<(String, String), u64> = cs
            .iter()
            .map(|r| ((r["date"].clone(), r["channel"].clone()), r["sessions"].parse().unwrap()))
            .filter(|(_, n)| *n > 0)
            .collect();
        prop_assert_eq!(got, per);
        // The days, metrics and alerts are the period's; the reconciliation
        // still the batch's.
        prop_assert!(r.metrics.iter().all(|m| m.day.to_string() >= from && m.day.to_string() <= to));
        prop_assert!(r.alerts.iter().all(|m| m.day.to_string() >= from && m.day.to_string() <= to));
        prop_assert!(r.reconciliation.events_balanced && r.reconciliation.revenue_balanced);
        prop_assert_eq!(r.date_range.map(|d| (d.0.to_string(), d.1.to_string())), Some((from, to)));
    }

    /// Two adjacent periods' tallies add up to the tally of both: sessions,
    /// orders, revenue and every model's channel credits.
    #[test]
    fn adjacent_periods_add_up(seed in 0u64..1000, cut in 1u32..5) {
        let (ds, run) = batch(5, 300, seed);
        let first = engine::report::compare::batch_days(&run).unwrap().0;
        let day = |n: u32| (first + chrono::Duration::days(n as i64)).to_string();
        let a = Analysis::new(&ds, &run);
        let part = |f: String, t: String| {
            let v = View::parse(&run, Some(&f), Some(&t), &[], None).unwrap();
            a.report(&ds, &run, &v).unwrap()
        };
        let (x, y) = (part(day(0), day(cut - 1)), part(day(cut), day(4)));
        let whole = engine::report::report(&ds, &run);
        prop_assert_eq!(x.summary.sessions + y.summary.sessions, whole.summary.sessions);
        prop_assert_eq!(x.summary.orders + y.summary.orders, whole.summary.orders);
        let c = |v: f64| (v * 100.0).round() as i64;
        prop_assert_eq!(c(x.summary.revenue) + c(y.summary.revenue), c(whole.summary.revenue));
        for (model, channels) in &whole.attribution {
            for (channel, credit) in channels {
                let get = |r: &engine::report::Report| {
                    r.attribution[model].get(channel).map_or(0, |k| c(k.revenue))
                };
                prop_assert_eq!(get(&x) + get(&y), c(credit.revenue), "{} {}", model, channel);
            }
        }
    }
}

// The golden batch, worked out by hand. Sessions (expected/sessions.csv):
// 1 Mar: b#1 Organic Social, a#1 Paid Search (cart, checkout, order G-1
// $1,000); 2 Mar: b#2 Email (order G-2 $300.50, no cart step), c#1 and
// c#2 Direct. Events: 1 Mar 7 accepted, one a bot; 2 Mar 4 accepted, none
// a bot (the fifth row's timestamp is quarantined).

fn golden() -> (Dataset, Run) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/golden");
    let names = ["events_20250301.csv", "events_20250302.csv"];
    let bytes: Vec<Vec<u8>> = names
        .iter()
        .map(|n| std::fs::read(dir.join(n)).unwrap())
        .collect();
    let ds = ingest(names.iter().copied().zip(bytes.iter().map(Vec::as_slice)));
    let run = engine::pipeline::run(&ds, &Config::default()).unwrap();
    (ds, run)
}

fn view(run: &Run, from: &str, to: &str, segment: &[&str], compare: Option<&str>) -> View {
    let seg: Vec<String> = segment.iter().map(|s| s.to_string()).collect();
    View::parse(run, Some(from), Some(to), &seg, compare).unwrap()
}

#[test]
fn golden_period_the_second_day() {
    let (ds, run) = golden();
    let v = view(&run, "2025-03-02", "2025-03-02", &[], None);
    let r = Analysis::new(&ds, &run).report(&ds, &run, &v).unwrap();
    let s = &r.summary;
    // b#2, c#1, c#2; clients b and c; G-2.
    assert_eq!(
        (s.sessions, s.visitors, s.orders, s.revenue),
        (3, 2, 1, 300.5)
    );
    assert_eq!(s.conversion_rate, 0.3333);
    assert_eq!((s.bot_events, s.bot_share), (0, 0.0));
    // G-2's first touch is b#1 on 1 Mar: the lookback reaches before the
    // period.
    assert_eq!(
        r.attribution["first_click"]["Organic Social"].revenue,
        300.5
    );
    assert_eq!(r.attribution["last_click"]["Email"].revenue, 300.5);
    assert!(!r.attribution["last_click"].contains_key("Paid Search"));
    let steps: Vec<u64> = r.funnel.overall.iter().map(|f| f.sessions).collect();
    assert_eq!(steps, [3, 0, 0, 1]);
    // The reconciliation is the batch's: 2 orders, $1,300.50.
    assert_eq!(r.reconciliation.orders, 2);
    assert_eq!(r.reconciliation.order_revenue, 1300.5);
    // The quarantined row is in the second day's file.
    assert_eq!(r.quarantine_sample.len(), 1);
    let (ds2, run2) = golden();
    let keep = Keep::new(&ds2, &run2, &v.slice);
    let (_, q) = rows(&sliced(&ds2, &run2, Table::Quarantine, &keep));
    assert_eq!(q.len(), 1);
    assert_eq!(q[0]["file"], "events_20250302.csv");
    let first = view(&run, "2025-03-01", "2025-03-01", &[], None);
    let keep = Keep::new(&ds2, &run2, &first.slice);
    assert!(rows(&sliced(&ds2, &run2, Table::Quarantine, &keep))
        .1
        .is_empty());
}

#[test]
fn golden_segment_returning_visitors() {
    let (ds, run) = golden();
    let v = view(
        &run,
        "2025-03-01",
        "2025-03-02",
        &["visitor=returning"],
        None,
    );
    let r = Analysis::new(&ds, &run).report(&ds, &run, &v).unwrap();
    let s = &r.summary;
    // b#2 and c#2: the second sessions of b and c; b's order G-2.
    assert_eq!(
        (s.sessions, s.visitors, s.orders, s.revenue),
        (2, 2, 1, 300.5)
    );
    assert_eq!(s.conversion_rate, 0.5);
    let keep = Keep::new(&ds, &run, &v.slice);
    let (_, sessions) = rows(&sliced(&ds, &run, Table::Sessions, &keep));
    let ids: Vec<&str> = sessions.iter().map(|r| r["session_id"].as_str()).collect();
    assert_eq!(ids, ["client-b#2", "client-c#2"]);
    let (_, conv) = rows(&sliced(&ds, &run, Table::Conversions, &keep));
    assert_eq!(conv.len(), 1);
    assert_eq!(conv[0]["transaction_id"], "G-2");
    // New visitors: b#1, a#1, c#1; order G-1.
    let v = view(&run, "2025-03-01", "2025-03-02", &["visitor=new"], None);
    let r = Analysis::new(&ds, &run).report(&ds, &run, &v).unwrap();
    assert_eq!(
        (r.summary.sessions, r.summary.orders, r.summary.revenue),
        (3, 1, 1000.0)
    );
}

#[test]
fn golden_comparison_with_the_previous_day() {
    let (ds, run) = golden();
    let v = view(&run, "2025-03-02", "2025-03-02", &[], Some("previous"));
    let r = Analysis::new(&ds, &run).report(&ds, &run, &v).unwrap();
    let c = r.comparison.as_ref().unwrap();
    assert_eq!(c.baseline.from.to_string(), "2025-03-01");
    assert_eq!(c.baseline.to.to_string(), "2025-03-01");
    assert_eq!(c.label, "the previous day");
    let kpi = |n: &str| c.kpis.iter().find(|k| k.name == n).unwrap();
    // Revenue $300.50 against $1,000: −$699.50, −69.95%.
    let rev = kpi("revenue");
    assert_eq!(
        (rev.value, rev.baseline, rev.change),
        (300.5, 1000.0, -699.5)
    );
    assert_eq!(rev.change_pct, Some(-0.6995));
    // Sessions 3 against 2 (b#1, a#1): +50%.
    assert_eq!(kpi("sessions").change_pct, Some(0.5));
    assert_eq!(kpi("orders").change_pct, Some(0.0));
    // Bot share 0 against 1 of 7 events.
    assert_eq!(kpi("bot_share").baseline, 0.1429);
    // Email had nothing on 1 Mar: no percentage. Paid Search lost it all.
    let ch = |name: &str| {
        c.channels
            .iter()
            .find(|x| x.model == "last_click" && x.channel == name)
            .unwrap()
    };
    assert_eq!(
        (
            ch("Email").value,
            ch("Email").baseline,
            ch("Email").change_pct
        ),
        (300.5, 0.0, None)
    );
    assert_eq!(ch("Paid Search").change_pct, Some(-1.0));
    // Funnel: add to cart 0 of 3 against 1 of 2.
    let cart = &c.funnel[0];
    assert_eq!(
        (cart.name.as_str(), cart.value, cart.baseline),
        ("added_to_cart", 0.0, 0.5)
    );
    assert_eq!(cart.change_pct, Some(-1.0));
    // One order against one, three sessions against two: within noise.
    for name in [
        "revenue",
        "orders",
        "sessions",
        "visitors",
        "conversion_rate",
        "bot_share",
    ] {
        assert!(!kpi(name).notable, "{name}");
    }
    assert!(r
        .insights
        .iter()
        .filter(|i| i.kind == engine::report::insights::InsightKind::KpiMover)
        .all(|i| i.text.starts_with("The data-quality score")));
}

#[test]
fn bad_views_say_what_is_wrong() {
    let (_, run) = golden();
    let bad = |from: &str, to: &str, seg: &[&str], cmp: Option<&str>| {
        let seg: Vec<String> = seg.iter().map(|s| s.to_string()).collect();
        View::parse(&run, Some(from), Some(to), &seg, cmp)
            .unwrap_err()
            .0
    };
    assert!(bad("2025-03-02", "2025-03-01", &[], None).contains("after"));
    assert!(bad("2025-02-27", "2025-03-01", &[], None).contains("not a day of this batch"));
    assert!(bad("2025-03-01", "2025-03-01", &["device=phone"], None).contains("unknown device"));
    assert!(bad("2025-03-01", "2025-03-01", &["colour=red"], None).contains("unknown key"));
    assert!(
        bad("2025-03-01", "2025-03-01", &[], Some("previous")).contains("not inside this batch")
    );
    assert!(bad("2025-03-01", "2025-03-01", &[], Some("lastyear")).contains("expected previous"));
    assert!(bad("1 March", "2025-03-01", &[], None).contains("YYYY-MM-DD"));
}
