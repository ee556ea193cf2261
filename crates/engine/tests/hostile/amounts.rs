//! Absurd amounts and settings: refused or set aside, never summed.

use super::*;

#[test]
fn h08_revenue_9e18_is_quarantined_above_the_cap() {
    let got = quarantined(order("c", T, r#"{"transaction_id":"A","revenue":9e18}"#));
    assert_eq!(
        got,
        (Reason::RevenueAboveCap, "revenue 9000000000000000000 is above the cap of 25000.00 per order ([ingest] max_order_revenue)".into())
    );
}

#[test]
fn h09_three_orders_of_9e18_leave_revenue_at_zero_not_negative() {
    let rows: Vec<String> = (0..3)
        .map(|i| {
            order(
                &format!("c{i}"),
                &format!("2025-02-23T10:00:0{i}.000Z"),
                &format!(r#"{{"transaction_id":"T{i}","revenue":9e18}}"#),
            )
        })
        .collect();
    let ds = load(DAY, file(&rows).as_bytes());
    let run = run(&ds, &Config::default()).unwrap();
    let r = report(&ds, &run);
    assert_eq!(r.summary.revenue, 0.0);
    assert_eq!(
        r.quality.quarantine_by_reason.get("revenue_above_cap"),
        Some(&3)
    );
}

#[test]
fn h10_revenue_1e308_is_above_the_cap() {
    let (reason, _) = quarantined(order("c", T, r#"{"transaction_id":"A","revenue":1e308}"#));
    assert_eq!(reason, Reason::RevenueAboveCap);
}

#[test]
fn h11_revenue_string_1e400_is_not_a_number() {
    let got = quarantined(order("c", T, r#"{"transaction_id":"A","revenue":"1e400"}"#));
    assert_eq!(got, (Reason::NonFiniteRevenue, "revenue 1e400".into()));
}

#[test]
fn h12_negative_cent_is_refused() {
    let got = quarantined(order("c", T, r#"{"transaction_id":"A","revenue":-0.01}"#));
    assert_eq!(got, (Reason::NegativeRevenue, "revenue -0.01".into()));
}

#[test]
fn h13_nan_and_infinity_revenues_are_refused() {
    for word in ["NaN", "Infinity", "-inf"] {
        let got = quarantined(order(
            "c",
            T,
            &format!(r#"{{"transaction_id":"A","revenue":"{word}"}}"#),
        ));
        assert_eq!(got, (Reason::NonFiniteRevenue, format!("revenue {word}")));
    }
}

#[test]
fn h14_absurd_item_quantity_is_flagged_and_revenue_still_counts() {
    let data = r#"{"transaction_id":"A","revenue":100,"items":[{"item_id":"X","quantity":1e300,"item_price":100}]}"#;
    let ds = load(DAY, file(&[order("c", T, data)]).as_bytes());
    assert_eq!(
        finding_message(&ds, &Config::default(), "item_values_implausible"),
        "1 order has line items with a negative price or quantity, more than 10,000 units or an absurd price; they are left out of the item check and order revenue is still used."
    );
    assert_eq!(
        report(&ds, &run(&ds, &Config::default()).unwrap())
            .summary
            .revenue,
        100.0
    );
}

#[test]
fn h15_orders_at_the_highest_cap_sum_exactly() {
    // The largest cap a setting allows, and orders at it: every total is
    // exact (checked against i128 arithmetic), nothing wraps.
    let mut cfg = Config::default();
    cfg.ingest.max_order_revenue = 1e9;
    let rows: Vec<String> = (0..50)
        .map(|i| {
            order(
                &format!("c{i}"),
                &format!("2025-02-23T10:{:02}:00.000Z", i),
                &format!(r#"{{"transaction_id":"T{i}","revenue":999999999.99}}"#),
            )
        })
        .collect();
    let mut ingest = Ingest::new().with_config(&cfg.ingest);
    ingest.add_file(DAY, file(&rows).as_bytes());
    let ds = ingest.finish();
    let r = report(&ds, &run(&ds, &cfg).unwrap());
    let want = 50i128 * 99_999_999_999;
    assert_eq!((r.summary.revenue * 100.0).round() as i128, want);
    assert!(r.reconciliation.revenue_balanced);
}

#[test]
fn h16_a_cap_of_zero_or_above_a_billion_is_refused() {
    let mut cfg = Config::default();
    cfg.ingest.max_order_revenue = 0.0;
    assert_eq!(
        cfg.validate().unwrap_err().to_string(),
        "invalid configuration: the order revenue cap must be above 0 and at most 1000000000 (got 0)"
    );
    cfg.ingest.max_order_revenue = 2e9;
    assert!(cfg.validate().is_err());
}

#[test]
fn h17_a_zero_half_life_is_refused() {
    let mut cfg = Config::default();
    cfg.attribution.half_life_days = 0.0;
    assert_eq!(
        cfg.validate().unwrap_err().to_string(),
        "invalid configuration: time-decay half-life must be a positive number of days"
    );
}
