//! Attribution models on small hand-built journeys whose credits are
//! computed by hand, and the pipeline's accounting on generated data.

use engine::attribution::{allocate, weights, Model, Touch};
use engine::config::Config;
use engine::ingest::ingest;
use engine::pipeline::run;
use engine::report::report;

const DAY: i64 = 86_400_000;
const HALF_LIFE: f64 = 7.0 * DAY as f64;
const DIRECT: u16 = 9;
const PS: u16 = 0;
const EMAIL: u16 = 3;
const SOCIAL: u16 = 5;

fn credit(model: Model, path: &[Touch], conv: i64, cents: i64, effects: &[f64]) -> Vec<(u16, i64)> {
    let w = weights(model, path, conv, HALF_LIFE, DIRECT, effects);
    allocate(cents, path, &w)
        .into_iter()
        .map(|(c, _, cents)| (c, cents))
        .collect()
}

fn t(channel: u16, start: i64) -> Touch {
    Touch { channel, start }
}

#[test]
fn three_touch_journey_under_every_rule_based_model() {
    let conv = 100 * DAY;
    let path = [
        t(PS, conv - 6 * DAY),
        t(DIRECT, conv - 2 * DAY),
        t(EMAIL, conv - DAY / 24),
    ];
    let none = [0.0; 10];
    assert_eq!(
        credit(Model::FirstClick, &path, conv, 10_000, &none),
        vec![(PS, 10_000)]
    );
    assert_eq!(
        credit(Model::LastClick, &path, conv, 10_000, &none),
        vec![(EMAIL, 10_000)]
    );
    assert_eq!(
        credit(Model::LastNonDirect, &path, conv, 10_000, &none),
        vec![(EMAIL, 10_000)]
    );
    // 10000/3 = 3333.33 each; the one leftover cent goes to the first of the tie.
    assert_eq!(
        credit(Model::Linear, &path, conv, 10_000, &none),
        vec![(PS, 3334), (DIRECT, 3333), (EMAIL, 3333)]
    );
    assert_eq!(
        credit(Model::PositionBased, &path, conv, 10_000, &none),
        vec![(PS, 4000), (DIRECT, 2000), (EMAIL, 4000)]
    );
    // Time decay by hand: 2^(-6/7), 2^(-2/7), 2^(-1/168), normalised.
    let raw = [
        (-6.0f64 / 7.0).exp2(),
        (-2.0f64 / 7.0).exp2(),
        (-1.0f64 / 168.0).exp2(),
    ];
    let total: f64 = raw.iter().sum();
    let got = credit(Model::TimeDecay, &path, conv, 10_000, &none);
    for ((_, cents), r) in got.iter().zip(raw) {
        assert!(
            (*cents as f64 - 10_000.0 * r / total).abs() < 1.0,
            "{got:?}"
        );
    }
    assert_eq!(got.iter().map(|(_, c)| c).sum::<i64>(), 10_000);
}

#[test]
fn last_non_direct_skips_direct_unless_all_direct() {
    let conv = 10 * DAY;
    let path = [t(SOCIAL, conv - DAY), t(DIRECT, conv - 1)];
    assert_eq!(
        credit(Model::LastNonDirect, &path, conv, 500, &[0.0; 10]),
        vec![(SOCIAL, 500)]
    );
    let direct_only = [t(DIRECT, conv - DAY), t(DIRECT, conv - 1)];
    assert_eq!(
        credit(Model::LastNonDirect, &direct_only, conv, 500, &[0.0; 10]),
        vec![(DIRECT, 500)]
    );
}

#[test]
fn repeated_channels_are_summed_and_two_touches_split_evenly() {
    let conv = 10 * DAY;
    let path = [t(PS, conv - 3), t(EMAIL, conv - 2), t(PS, conv - 1)];
    // Linear: PS 2/3 of 10.00 = 6.67, Email 3.33.
    assert_eq!(
        credit(Model::Linear, &path, conv, 1000, &[0.0; 10]),
        vec![(PS, 667), (EMAIL, 333)]
    );
    // Position-based: PS 0.4 + 0.4, Email 0.2.
    assert_eq!(
        credit(Model::PositionBased, &path, conv, 1000, &[0.0; 10]),
        vec![(PS, 800), (EMAIL, 200)]
    );
    let two = [t(PS, conv - 2), t(EMAIL, conv - 1)];
    assert_eq!(
        credit(Model::PositionBased, &two, conv, 1001, &[0.0; 10]),
        vec![(PS, 501), (EMAIL, 500)]
    );
}

#[test]
fn markov_credits_by_removal_effect_and_falls_back_to_linear() {
    let conv = 10 * DAY;
    let path = [t(PS, conv - 2), t(EMAIL, conv - 1)];
    let mut effects = [0.0; 10];
    effects[PS as usize] = 0.75;
    effects[EMAIL as usize] = 0.25;
    assert_eq!(
        credit(Model::Markov, &path, conv, 1000, &effects),
        vec![(PS, 750), (EMAIL, 250)]
    );
    assert_eq!(
        credit(Model::Markov, &path, conv, 1000, &[0.0; 10]),
        vec![(PS, 500), (EMAIL, 500)]
    );
}

#[test]
fn zero_revenue_orders_still_get_full_credit_shares() {
    let conv = 10 * DAY;
    let path = [t(PS, conv - 2), t(EMAIL, conv - 1)];
    let w = weights(Model::Linear, &path, conv, HALF_LIFE, DIRECT, &[0.0; 10]);
    let parts = allocate(0, &path, &w);
    assert_eq!(parts.iter().map(|p| p.2).sum::<i64>(), 0);
    assert!((parts.iter().map(|p| p.1).sum::<f64>() - 1.0).abs() < 1e-12);
}

const UA: &str = "\"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 Safari/537.36\"";
const HEADER: &str = "client_id,page_url,referrer,timestamp,event_name,event_data,user_agent";

fn order(client: &str, ts: &str, txn: &str, revenue: &str) -> String {
    format!("{client},https://checkout.puffy.com/c/thank-you,https://puffy.com/,{ts},checkout_completed,\"{{\"\"transaction_id\"\":\"\"{txn}\"\",\"\"revenue\"\":{revenue}}}\",{UA}")
}

#[test]
fn journey_across_midnight_and_files_and_an_order_without_client() {
    let day1 = format!(
        "{HEADER}\n\
         a,https://puffy.com/?gclid=X&gad_source=1,https://www.google.com/,2025-02-20T09:00:00Z,page_viewed,,{UA}\n\
         a,https://puffy.com/,https://l.instagram.com/,2025-02-23T23:50:00Z,page_viewed,,{UA}\n"
    );
    let day2 = format!(
        "{HEADER}\n\
         a,https://puffy.com/cart,https://puffy.com/,2025-02-24T00:10:00Z,product_added_to_cart,,{UA}\n\
         {}\n{}\n",
        order("a", "2025-02-24T00:20:00Z", "T1", "1000.01"),
        order("", "2025-02-24T05:00:00Z", "T2", "50")
    );
    let ds = ingest([
        ("events_20250223.csv", day1.as_bytes()),
        ("events_20250224.csv", day2.as_bytes()),
    ]);
    let r = run(&ds, &Config::default()).unwrap();
    assert_eq!(
        r.sessions.sessions.len(),
        2,
        "the late-night visit is one session across files"
    );
    assert_eq!(
        r.attribution.touchpoints[0].len(),
        2,
        "both sessions are within 7 days"
    );
    assert!(r.attribution.touchpoints[1].is_empty());
    let rep = report(&ds, &r);
    let first = &rep.attribution["first_click"];
    let last = &rep.attribution["last_click"];
    assert_eq!(first["Paid Search"].revenue, 1000.01);
    assert_eq!(last["Organic Social"].revenue, 1000.01);
    assert_eq!(last["Unattributed"].revenue, 50.0);
    assert_eq!(rep.summary.unattributed_orders, 1);
    assert_eq!(rep.summary.revenue_without_client_id, 50.0);
    assert!(
        rep.reconciliation.events_balanced
            && rep.reconciliation.orders_balanced
            && rep.reconciliation.revenue_balanced
    );
    // A shorter lookback leaves only the converting session.
    let mut cfg = Config::default();
    cfg.attribution.lookback_days = 2;
    let r = run(&ds, &cfg).unwrap();
    assert_eq!(r.attribution.touchpoints[0].len(), 1);
}

#[test]
fn time_decay_with_a_tiny_half_life_still_credits_the_whole_order() {
    // A one-millisecond half-life: 2^(-age) underflows to 0 for every touch
    // days old. The newest touch must take it all, not NaN.
    let conv = 100 * DAY;
    let path = [t(PS, conv - 6 * DAY), t(EMAIL, conv - 2 * DAY)];
    let w = weights(Model::TimeDecay, &path, conv, 1.0, DIRECT, &[0.0; 10]);
    assert_eq!(w, vec![0.0, 1.0]);
    assert_eq!(
        allocate(12_345, &path, &w)
            .into_iter()
            .map(|(c, _, cents)| (c, cents))
            .collect::<Vec<_>>(),
        vec![(EMAIL, 12_345)]
    );
}
