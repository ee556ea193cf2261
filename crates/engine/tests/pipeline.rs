//! End-to-end engine tests on generated data: the audit must find exactly
//! what the generator injected (its `Truth`), computed independently of the
//! audit code.

use std::collections::BTreeSet;

use engine::config::Config;
use engine::ingest::{ingest, Dataset, Reason};
use engine::model::EventKind;
use engine::quality::{audit_with, QualityReport, Severity};
use engine::synth::{generate, SynthConfig, Truth};

fn run(cfg: &SynthConfig) -> (Dataset, QualityReport, Truth) {
    let (files, truth) = generate(cfg);
    let ds = ingest(files.iter().map(|f| (f.name.as_str(), f.bytes.as_slice())));
    let report = audit_with(&ds, &Config::default());
    (ds, report, truth)
}

/// Days whose file lacks the referrer column.
fn days_without_referrer(truth: &Truth) -> Vec<chrono::NaiveDate> {
    truth
        .files
        .iter()
        .filter(|f| f.referrer_missing)
        .filter_map(|f| f.day)
        .collect()
}

/// The channel a visit must get: without the referrer column on its day, a
/// referrer-only channel is invisible and Direct is right.
fn expected_channel(
    v: &engine::synth::VisitTruth,
    no_referrer: &[chrono::NaiveDate],
) -> &'static str {
    if v.needs_referrer && no_referrer.contains(&engine::model::day_of(v.start)) {
        "Direct"
    } else {
        v.channel
    }
}

fn small() -> SynthConfig {
    SynthConfig {
        events_per_day: 1200,
        ..SynthConfig::default()
    }
}

#[test]
fn generator_is_deterministic_for_a_seed() {
    let a = generate(&small()).0;
    let b = generate(&small()).0;
    assert_eq!(a, b);
    let c = generate(&SynthConfig { seed: 8, ..small() }).0;
    assert_ne!(a[0].bytes, c[0].bytes);
}

#[test]
fn rows_and_quarantine_match_the_injected_bad_rows() {
    let (ds, report, truth) = run(&small());
    assert_eq!(report.files.len(), truth.files.len());
    for (f, t) in report.files.iter().zip(&truth.files) {
        assert_eq!(f.name, t.name);
        assert_eq!(f.rows, t.rows, "{}", f.name);
        assert_eq!(f.rows, f.accepted + f.quarantined, "{}", f.name);
        let mut got: Vec<(u64, Reason)> = ds
            .quarantine
            .iter()
            .filter(|q| ds.files[q.file as usize].name == f.name)
            .map(|q| (q.line, q.reason))
            .collect();
        got.sort();
        assert_eq!(got, t.bad_rows, "{}", f.name);
    }
}

#[test]
fn schema_drift_and_null_counts_match_the_truth() {
    let (_, report, truth) = run(&small());
    for (f, t) in report.files.iter().zip(&truth.files) {
        let renamed: Vec<(&str, &str)> = f
            .renamed
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let expect_renamed: Vec<(&str, &str)> = if t.renamed_client_id {
            vec![("clientId", "client_id")]
        } else {
            vec![]
        };
        assert_eq!(renamed, expect_renamed, "{}", f.name);
        let expect_missing: Vec<String> = if t.referrer_missing {
            vec!["referrer".into()]
        } else {
            vec![]
        };
        assert_eq!(f.missing, expect_missing, "{}", f.name);
        let nulls = (f.null_rate["client_id"] * f.accepted as f64).round() as u64;
        assert_eq!(nulls, t.null_client_rows, "{}", f.name);
    }
    let first_renamed = truth
        .files
        .iter()
        .find(|t| t.renamed_client_id)
        .and_then(|t| t.day);
    let finding = report
        .findings
        .iter()
        .find(|x| x.check == "column_renamed")
        .expect("rename reported");
    assert_eq!(finding.day, first_renamed);
}

#[test]
fn error_findings_are_exactly_the_injected_quirks() {
    let cfg = small();
    let (_, report, truth) = run(&cfg);
    let errors: BTreeSet<&str> = report
        .findings
        .iter()
        .filter(|x| x.severity == Severity::Error)
        .map(|x| x.check.as_str())
        .collect();
    let expected: BTreeSet<&str> = [
        "column_missing",
        "duplicate_transaction",
        "invalid_order_json",
        "null_rate",
    ]
    .into();
    assert_eq!(errors, expected);
    // The null-rate error fires on the spike day only.
    let spike = truth.files[cfg.null_spike_day.unwrap() as usize].day;
    let null_days: Vec<_> = report
        .findings
        .iter()
        .filter(|x| x.check == "null_rate")
        .map(|x| x.day)
        .collect();
    assert_eq!(null_days, vec![spike]);
    // No volume or missing-day finding on a complete batch.
    assert!(report
        .findings
        .iter()
        .all(|x| !x.check.starts_with("volume") && x.check != "missing_day"));
}

#[test]
fn duplicate_transactions_and_their_revenue_match_the_truth() {
    let (ds, report, truth) = run(&small());
    let mut got: Vec<(String, i64)> = report
        .duplicate_transactions
        .iter()
        .map(|d| {
            (
                d.transaction_id.clone(),
                (d.excluded_revenue * 100.0).round() as i64,
            )
        })
        .collect();
    let mut want: Vec<(String, i64)> = truth
        .duplicate_transactions
        .iter()
        .map(|d| {
            (
                d.transaction_id.clone(),
                (d.excluded_revenue * 100.0).round() as i64,
            )
        })
        .collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    // Orders that count: all checkout_completed events minus the excluded copies.
    let orders = ds
        .events
        .iter()
        .filter(|e| e.kind == EventKind::CheckoutCompleted)
        .count() as u64;
    assert_eq!(orders - want.len() as u64, truth.orders);
    let all_cents: i64 = ds.orders.iter().map(|o| o.revenue_cents).sum();
    let excluded: i64 = want.iter().map(|(_, c)| c).sum();
    assert_eq!(all_cents - excluded, truth.revenue_cents);
}

#[test]
fn every_bot_is_found_and_no_human_is_called_a_bot() {
    // Compared as sets of client ids, so a missed bot and a person taken for
    // one cannot cancel out: precision and recall are both exactly 1.
    let cfg = small();
    let (files, truth) = generate(&cfg);
    let ds = ingest(files.iter().map(|f| (f.name.as_str(), f.bytes.as_slice())));
    let uas = engine::enrich::UserAgents::build(&ds.events, &ds.strings);
    let (mut flagged, mut people) = (BTreeSet::new(), BTreeSet::new());
    for e in ds.events.iter().filter(|e| e.client != engine::model::NONE) {
        let client = ds.strings.get(e.client).to_string();
        let ua = ds.strings.get(e.user_agent).to_string();
        match uas.is_bot(e.user_agent) {
            true => flagged.insert((client, ua)),
            false => people.insert((client, ua)),
        };
    }
    let missed: Vec<_> = people
        .iter()
        .filter(|(c, _)| truth.bot_clients.contains(c))
        .collect();
    let false_alarms: Vec<_> = flagged
        .iter()
        .filter(|(c, _)| !truth.bot_clients.contains(c))
        .collect();
    assert!(missed.is_empty(), "bots taken for people: {missed:?}");
    assert!(
        false_alarms.is_empty(),
        "people taken for bots: {false_alarms:?}"
    );
    let flagged: BTreeSet<String> = flagged.into_iter().map(|(c, _)| c).collect();
    assert_eq!(flagged, truth.bot_clients);
    assert!(truth.bot_clients.len() > 20, "the batch has bots to find");
    // The generator's look-alikes are in the batch, as people.
    for lookalike in ["CUBOT P80", "FBAN/FBIOS", "Instagram 361"] {
        assert!(
            people.iter().any(|(_, ua)| ua.contains(lookalike)),
            "{lookalike}"
        );
    }
    let report = audit_with(&ds, &Config::default());
    assert_eq!(report.bot_events, truth.bot_events);
}

#[test]
fn a_missing_day_is_reported() {
    let cfg = SynthConfig {
        missing_day: Some(5),
        ..small()
    };
    let (_, report, _) = run(&cfg);
    let day = cfg.start + chrono::Days::new(5);
    let missing: Vec<_> = report
        .findings
        .iter()
        .filter(|x| x.check == "missing_day")
        .collect();
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0].day, Some(day));
    assert_eq!(missing[0].severity, Severity::Error);
    assert_eq!(
        report.score_by_day[&day], 0.0,
        "a day without data scores 0"
    );
}

#[test]
fn session_channels_match_the_generator_for_every_visit() {
    let cfg = small();
    let (files, truth) = generate(&cfg);
    let ds = ingest(files.iter().map(|f| (f.name.as_str(), f.bytes.as_slice())));
    let r = engine::pipeline::run(&ds, &Config::default()).unwrap();
    let ids = engine::attribution::ChannelIds::new(&r.cfg.channels, &r.attribution.channels);
    let by_start: std::collections::HashMap<(&str, i64), &str> = r
        .sessions
        .sessions
        .iter()
        .map(|s| {
            (
                (ds.strings.get(s.client), s.start),
                r.attribution.channels[ids.of_rule(s.rule) as usize].as_str(),
            )
        })
        .collect();
    let no_referrer = days_without_referrer(&truth);
    let (mut matched, mut total) = (0, 0);
    for v in &truth.visits {
        let expected = expected_channel(v, &no_referrer);
        total += 1;
        if by_start.get(&(v.client_id.as_str(), v.start)) == Some(&expected) {
            matched += 1;
        }
    }
    // Every visit, including those that paid through the provider (some
    // away longer than the session timeout) and those on days without the
    // referrer column.
    assert_eq!(matched, total, "{matched} of {total} visits");
    assert!(total > 5000);
}

#[test]
fn run_reconciles_rows_orders_and_revenue_on_generated_data() {
    let cfg = small();
    let (files, truth) = generate(&cfg);
    let ds = ingest(files.iter().map(|f| (f.name.as_str(), f.bytes.as_slice())));
    let r = engine::pipeline::run(&ds, &Config::default()).unwrap();
    let rep = engine::report::report(&ds, &r);
    let rec = &rep.reconciliation;
    assert!(
        rec.events_balanced && rec.orders_balanced && rec.revenue_balanced,
        "{rec:?}"
    );
    assert_eq!(rec.orders, truth.orders);
    assert_eq!(
        (rec.order_revenue * 100.0).round() as i64,
        truth.revenue_cents
    );
    assert_eq!(rec.bot_events_excluded, truth.bot_events);
    // Every model credits the same total.
    for (model, channels) in &rep.attribution {
        let total: f64 = channels.values().map(|c| c.revenue).sum();
        assert!(
            (total - rec.order_revenue).abs() < 0.005,
            "{model}: {total} vs {}",
            rec.order_revenue
        );
    }
    // Stitching links second devices and gives some orders earlier touchpoints.
    assert!(rep.stitching.linked_clients > 0);
    let mut stitched = Config::default();
    stitched.attribution.stitch_identities = true;
    let s = engine::pipeline::run(&ds, &stitched).unwrap();
    let more = s
        .attribution
        .touchpoints
        .iter()
        .map(Vec::len)
        .sum::<usize>();
    let fewer = r
        .attribution
        .touchpoints
        .iter()
        .map(Vec::len)
        .sum::<usize>();
    assert_eq!(
        more - fewer > 0,
        rep.stitching.orders_gaining_touchpoints > 0
    );
}

/// A report published before incidents, set-aside referrers and insight
/// kinds existed still opens (hosted bundles outlive the app version).
#[test]
fn reports_published_before_incidents_still_open() {
    let (files, _) = engine::synth::generate(&engine::synth::SynthConfig {
        days: 3,
        events_per_day: 400,
        ..engine::synth::SynthConfig::default()
    });
    let ds = engine::ingest::ingest(files.iter().map(|f| (f.name.as_str(), f.bytes.as_slice())));
    let run = engine::pipeline::run(&ds, &engine::config::Config::default()).unwrap();
    let mut old = serde_json::to_value(engine::report::report(&ds, &run)).unwrap();
    let map = old.as_object_mut().unwrap();
    map.remove("incidents");
    map.remove("set_aside_referrers");
    for i in map["insights"].as_array_mut().unwrap() {
        let i = i.as_object_mut().unwrap();
        i.remove("kind");
        i.remove("value");
    }
    let read: engine::report::Report = serde_json::from_value(old).unwrap();
    assert!(read.incidents.is_empty() && read.set_aside_referrers.is_empty());
    assert!(read
        .insights
        .iter()
        .all(|i| i.kind == engine::report::insights::InsightKind::Unknown));
}

/// `report.json` is one typed document: what the page and the HTML report
/// read back is what the engine wrote, field for field.
#[test]
fn report_json_reads_back_into_the_same_report() {
    let (files, _) = engine::synth::generate(&engine::synth::SynthConfig {
        days: 14,
        events_per_day: 400,
        ..engine::synth::SynthConfig::default()
    });
    let ds = engine::ingest::ingest(files.iter().map(|f| (f.name.as_str(), f.bytes.as_slice())));
    let run = engine::pipeline::run(&ds, &engine::config::Config::default()).unwrap();
    let written = serde_json::to_string_pretty(&engine::report::report(&ds, &run)).unwrap();
    let read: engine::report::Report = serde_json::from_str(&written).unwrap();
    let again = serde_json::to_string_pretty(&read).unwrap();
    if again != written {
        let at = again
            .bytes()
            .zip(written.bytes())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "differs at {at}: wrote …{}… read back …{}…",
            &written[at.saturating_sub(200)..(at + 100).min(written.len())],
            &again[at.saturating_sub(200)..(at + 100).min(again.len())]
        );
    }
    assert!(
        !read.alerts.is_empty() && !read.metrics.is_empty() && !read.quality.findings.is_empty()
    );
}

#[test]
fn the_payment_provider_is_found_and_credited_nothing() {
    // No duplicate orders and no lost client ids, so each payment's effect
    // follows from the truth alone.
    let cfg = SynthConfig {
        duplicate_transactions: 0,
        base_null_rate: 0.0,
        null_spike_day: None,
        ..small()
    };
    let (files, truth) = generate(&cfg);
    let ds = ingest(files.iter().map(|f| (f.name.as_str(), f.bytes.as_slice())));
    let provider_url = engine::synth::visits::PAYMENT_PROVIDER;
    let provider = "source-5e1f0ca7.com";
    // Rows that name the provider, counted in the files themselves.
    let rows: u64 = files
        .iter()
        .map(|f| {
            csv::ReaderBuilder::new()
                .flexible(true)
                .from_reader(f.bytes.as_slice())
                .records()
                .filter_map(Result::ok)
                .filter(|r| r.iter().any(|field| field == provider_url))
                .count() as u64
        })
        .sum();
    // By hand: counted as a referrer, the provider takes a session when
    // its return is visible (the file of that day has a referrer column)
    // and either the visit showed no channel (Direct, or a referrer-only
    // channel on a day without the column) or the shopper was away longer
    // than the 30-minute timeout. That session holds the order.
    let no_referrer = days_without_referrer(&truth);
    let taken: Vec<_> = truth
        .payments
        .iter()
        .filter(|p| {
            let visible = !no_referrer.contains(&engine::model::day_of(p.back));
            let direct = p.channel == "Direct"
                || (p.needs_referrer
                    && no_referrer.contains(&engine::model::day_of(p.visit_start)));
            visible && (direct || p.away > 30 * 60_000)
        })
        .collect();
    assert!(
        taken.len() > 10 && truth.payments.len() > 40,
        "the quirk is in the batch"
    );
    let revenue: i64 = taken.iter().map(|p| p.revenue_cents).sum();

    let r = engine::pipeline::run(&ds, &Config::default()).unwrap();
    let detected: Vec<_> = r
        .set_aside
        .iter()
        .filter(|s| s.reason == engine::enrich::SetAside::Detected)
        .collect();
    assert_eq!(detected.len(), 1, "{:?}", r.set_aside);
    let p = detected[0];
    assert_eq!(p.source, provider);
    assert_eq!((p.events, p.checkout_events), (rows, rows));
    assert_eq!(p.channel, "Referral");
    assert_eq!(p.sessions, taken.len() as u64);
    assert_eq!(p.orders, taken.len() as u64);
    assert_eq!((p.revenue * 100.0).round() as i64, revenue);
    // No session is credited to it, and every visit keeps its channel.
    let sources: BTreeSet<&str> = r
        .sessions
        .sessions
        .iter()
        .filter(|s| s.source_event != engine::model::NONE)
        .map(|s| r.sources.detail(s.source_event as usize))
        .collect();
    assert!(!sources.contains(provider));
    let paying: BTreeSet<(&str, i64)> = truth
        .payments
        .iter()
        .map(|p| (p.client_id.as_str(), p.visit_start))
        .collect();
    let visits: std::collections::HashMap<(&str, i64), &engine::synth::VisitTruth> = truth
        .visits
        .iter()
        .filter(|v| paying.contains(&(v.client_id.as_str(), v.start)))
        .map(|v| ((v.client_id.as_str(), v.start), v))
        .collect();
    let ids = engine::attribution::ChannelIds::new(&r.cfg.channels, &r.attribution.channels);
    let mut checked = 0;
    for s in &r.sessions.sessions {
        let key = (ds.strings.get(s.client), s.start);
        if let Some(v) = visits.get(&key) {
            let expected = expected_channel(v, &no_referrer);
            assert_eq!(
                r.attribution.channels[ids.of_rule(s.rule) as usize],
                expected,
                "{key:?}"
            );
            assert_eq!(s.orders, 1, "the order stays in the visit {key:?}");
            checked += 1;
        }
    }
    assert_eq!(checked, truth.payments.len());
}

/// The real-shape profile has the cost profile of a real 14-day export
/// (about 50,000 events: 2,600 user agents, 24,500 page URLs, 1,250
/// referrers, 35,000 client ids), within the bands below, and the pipeline
/// reconciles on it as on the tidy profile.
#[test]
fn the_real_shape_profile_has_the_counts_of_a_real_export() {
    let cfg = SynthConfig {
        events_per_day: 3571,
        real_shape: true,
        ..SynthConfig::default()
    };
    let (files, truth) = generate(&cfg);
    let mut distinct: [BTreeSet<String>; 4] = Default::default();
    let mut rows = 0;
    for f in &files {
        let mut r = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(f.bytes.as_slice());
        let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
        let col = |names: &[&str]| {
            head.iter()
                .position(|h| names.contains(&h.trim_start_matches('\u{feff}')))
        };
        let cols = [
            col(&["user_agent"]),
            col(&["page_url"]),
            col(&["referrer"]),
            col(&["client_id", "clientId"]),
        ];
        for rec in r.records().filter_map(Result::ok) {
            rows += 1;
            for (set, c) in distinct.iter_mut().zip(cols) {
                if let Some(v) = c.and_then(|c| rec.get(c)) {
                    set.insert(v.to_string());
                }
            }
        }
    }
    let [uas, pages, referrers, clients] = distinct.map(|s| s.len());
    assert!((45_000..55_000).contains(&rows), "{rows} rows");
    assert!((2_000..3_200).contains(&uas), "{uas} user agents");
    assert!((20_000..28_000).contains(&pages), "{pages} page URLs");
    assert!((900..1_600).contains(&referrers), "{referrers} referrers");
    assert!((28_000..40_000).contains(&clients), "{clients} client ids");
    let ds = ingest(files.iter().map(|f| (f.name.as_str(), f.bytes.as_slice())));
    let r = engine::pipeline::run(&ds, &Config::default()).unwrap();
    let rec = engine::report::report(&ds, &r).reconciliation;
    assert!(rec.events_balanced && rec.orders_balanced && rec.revenue_balanced);
    assert_eq!(rec.orders, truth.orders);
    assert_eq!(
        (rec.order_revenue * 100.0).round() as i64,
        truth.revenue_cents
    );
}

/// What the report counts over sessions, against sets and maps built from
/// the sessions directly: visitors overall and a day (distinct client ids),
/// and sessions by day and channel.
#[test]
fn visitors_and_sessions_by_day_are_distinct_counts_of_the_sessions() {
    use std::collections::{BTreeMap, HashSet};
    let (ds, _, _) = run(&small());
    let run = engine::pipeline::run(&ds, &Config::default()).unwrap();
    let tally = engine::summary::tally::RunTally::of(&ds, &run);
    let mut everyone = HashSet::new();
    let mut by_day: BTreeMap<chrono::NaiveDate, HashSet<u32>> = BTreeMap::new();
    let mut by_channel: BTreeMap<(chrono::NaiveDate, String), u64> = BTreeMap::new();
    let ids = engine::attribution::ChannelIds::new(&run.cfg.channels, &run.attribution.channels);
    for s in &run.sessions.sessions {
        let day = engine::model::day_of(s.start);
        everyone.insert(s.client);
        by_day.entry(day).or_default().insert(s.client);
        let channel = run.attribution.channels[ids.of_rule(s.rule) as usize].clone();
        *by_channel.entry((day, channel)).or_default() += 1;
    }
    // Some client comes back on another day, and some day has a client
    // with two sessions: a count of sessions would not pass.
    let day_visits: usize = by_day.values().map(HashSet::len).sum();
    assert!(day_visits > everyone.len());
    assert!(day_visits < run.sessions.sessions.len());
    assert_eq!(tally.visitors, everyone.len() as u64);
    assert_eq!(
        tally.days.keys().copied().collect::<Vec<_>>(),
        by_day.keys().copied().collect::<Vec<_>>()
    );
    for (day, clients) in &by_day {
        let counted = &tally.days[day];
        assert_eq!(counted.visitors, clients.len() as u64, "{day}");
        let channels: BTreeMap<String, u64> = by_channel
            .iter()
            .filter(|((d, _), _)| d == day)
            .map(|((_, c), n)| (c.clone(), *n))
            .collect();
        assert_eq!(counted.channels, channels, "{day}");
    }
}
