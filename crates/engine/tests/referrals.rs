//! The payment step is not a marketing channel: shoppers coming back to
//! checkout from a payment provider keep their session and its channel,
//! hosts that refer checkout pages and nothing else are set aside, and the
//! unwanted-referrer list works anywhere. Channels and counts below are
//! worked out by hand from the rows.

use engine::config::Config;
use engine::enrich::SetAside;
use engine::ingest::{ingest, Dataset};
use engine::pipeline::{run, Run};
use engine::sessions::referrals::SetAsideReferrer;

const UA: &str = "\"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 Safari/537.36\"";
const PAY: &str = "https://source-5e1f0ca7.com/";
const HOME: &str = "https://puffy.com/";
const CHECKOUT: &str = "https://checkout.puffy.com/checkouts/cn/t1";

fn order(id: &str, revenue: u32) -> String {
    format!("\"{{\"\"transaction_id\"\":\"\"{id}\"\",\"\"revenue\"\":{revenue}}}\"")
}

/// Rows: (client, time on 2025-03-02, event, page, referrer, event data).
fn batch(rows: &[(&str, &str, &str, &str, &str, &str)]) -> Dataset {
    let mut csv =
        String::from("client_id,page_url,referrer,timestamp,event_name,event_data,user_agent\n");
    for (client, time, event, page, referrer, data) in rows {
        csv.push_str(&format!(
            "{client},{page},{referrer},2025-03-02T{time}Z,{event},{data},{UA}\n"
        ));
    }
    ingest([("events_20250302.csv", csv.as_bytes())])
}

fn shoppers() -> Dataset {
    shoppers_and(&[])
}

/// [`shoppers`] with more rows after theirs.
fn shoppers_and(more: &[(&str, &str, &str, &str, &str, &str)]) -> Dataset {
    let o1 = order("T1", 1000);
    let o2 = order("T2", 250);
    let processing = format!("{CHECKOUT}/processing");
    let thanks = format!("{CHECKOUT}/thank-you");
    let mut rows = vec![
        // a: Organic Search, 45 minutes at the bank, back through the
        // provider: one session, still Organic Search.
        (
            "a",
            "10:00:00",
            "page_viewed",
            HOME,
            "https://www.google.com/",
            "",
        ),
        ("a", "10:05:00", "checkout_started", CHECKOUT, HOME, ""),
        ("a", "10:50:00", "page_viewed", &processing, PAY, ""),
        ("a", "10:51:00", "checkout_completed", &thanks, PAY, &o1),
        // b: Direct, back from paying within 8 minutes: stays Direct.
        ("b", "11:00:00", "page_viewed", HOME, "", ""),
        ("b", "11:02:00", "checkout_started", CHECKOUT, HOME, ""),
        ("b", "11:10:00", "checkout_completed", &thanks, PAY, &o2),
        // c: a reminder email links straight to checkout: an arrival, Email.
        (
            "c",
            "12:00:00",
            "page_viewed",
            CHECKOUT,
            "https://mail.google.com/",
            "",
        ),
        // d: back three hours after checkout (past the 120-minute window):
        // a new session, but the provider is set aside, so Direct.
        ("d", "09:00:00", "page_viewed", HOME, "", ""),
        ("d", "09:01:00", "checkout_started", CHECKOUT, HOME, ""),
        ("d", "12:01:00", "page_viewed", &processing, PAY, ""),
    ];
    rows.extend_from_slice(more);
    batch(&rows)
}

/// (client, session number, channel) of every session.
fn channels(ds: &Dataset, r: &Run) -> Vec<(String, u32, String)> {
    let ids = engine::attribution::ChannelIds::new(&r.cfg.channels, &r.attribution.channels);
    let mut out: Vec<_> = r
        .sessions
        .sessions
        .iter()
        .map(|s| {
            (
                ds.strings.get(s.client).to_string(),
                s.number,
                r.attribution.channels[ids.of_rule(s.rule) as usize].clone(),
            )
        })
        .collect();
    out.sort();
    out
}

fn expect(rows: &[(&str, u32, &str)]) -> Vec<(String, u32, String)> {
    rows.iter()
        .map(|(c, n, ch)| (c.to_string(), *n, ch.to_string()))
        .collect()
}

#[test]
fn returns_from_paying_keep_the_session_and_its_channel() {
    let ds = shoppers();
    let r = run(&ds, &Config::default()).unwrap();
    assert_eq!(
        channels(&ds, &r),
        expect(&[
            ("a", 1, "Organic Search"),
            ("b", 1, "Direct"),
            ("c", 1, "Email"),
            ("d", 1, "Direct"),
            ("d", 2, "Direct"),
        ])
    );
    // Counted as a referrer, the provider would have started a's second
    // session (45 min > 30) with T1, given b's session its channel (T2),
    // and started d's second session: 3 sessions, 2 orders, $1,250.
    assert_eq!(
        r.set_aside,
        vec![SetAsideReferrer {
            source: "source-5e1f0ca7.com".into(),
            reason: SetAside::Detected,
            events: 4,
            checkout_events: 4,
            clients: 3,
            channel: "Referral".into(),
            sessions: 3,
            orders: 2,
            revenue: 1250.0,
        }]
    );
    let finding = r
        .quality
        .findings
        .iter()
        .find(|f| f.check == "payment_referrer")
        .expect("the provider is named in the findings");
    assert_eq!(finding.count, 4);
    assert_eq!(finding.value, Some(1250.0));
    assert_eq!(
        finding.message,
        "source-5e1f0ca7.com sent 3 shoppers back to checkout pages and nowhere else: \
         likely a payment provider, so it is not counted as a traffic source (counted, \
         it would have taken 3 sessions and $1,250.00 in orders as Referral). Add it to \
         the unwanted referrers in the settings to keep it out for good."
    );
    let lines: Vec<u64> = finding.samples.iter().map(|s| s.line).collect();
    assert_eq!(lines, vec![4, 5, 8, 12]);
    // It is in report.json as well.
    let report = engine::report::report(&ds, &r);
    assert_eq!(report.set_aside_referrers, r.set_aside);
}

#[test]
fn without_detection_only_the_mid_purchase_returns_are_set_aside() {
    let ds = shoppers();
    let mut cfg = Config::default();
    cfg.site.detect_payment_providers = false;
    let r = run(&ds, &cfg).unwrap();
    // a and b are mid-purchase; d's return, past the window, is an arrival.
    assert_eq!(
        channels(&ds, &r),
        expect(&[
            ("a", 1, "Organic Search"),
            ("b", 1, "Direct"),
            ("c", 1, "Email"),
            ("d", 1, "Direct"),
            ("d", 2, "Referral"),
        ])
    );
    assert_eq!(r.set_aside.len(), 1);
    let s = &r.set_aside[0];
    assert_eq!(
        (s.reason, s.events, s.clients, s.sessions, s.orders, s.revenue),
        (SetAside::MidPurchase, 4, 3, 2, 2, 1250.0)
    );
    // e arrives from the provider on the home page: a Referral session in
    // the run and with every referrer counted alike, so no part of what
    // the returns would have taken.
    let with_e = shoppers_and(&[("e", "13:00:00", "page_viewed", HOME, PAY, "")]);
    let e = run(&with_e, &cfg).unwrap();
    assert!(channels(&with_e, &e).contains(&("e".into(), 1, "Referral".into())));
    assert_eq!(e.set_aside, r.set_aside);
    // Without the payment window either, the provider takes all three.
    cfg.session.payment_return_minutes = 0;
    let r = run(&ds, &cfg).unwrap();
    assert_eq!(
        channels(&ds, &r),
        expect(&[
            ("a", 1, "Organic Search"),
            ("a", 2, "Referral"),
            ("b", 1, "Referral"),
            ("c", 1, "Email"),
            ("d", 1, "Direct"),
            ("d", 2, "Referral"),
        ])
    );
    assert!(r.set_aside.is_empty());
}

#[test]
fn one_shopper_is_no_pattern_and_shop_pages_clear_a_host() {
    // One client only: not detected.
    let thanks = format!("{CHECKOUT}/thank-you");
    let ds = batch(&[
        ("a", "09:00:00", "page_viewed", CHECKOUT, PAY, ""),
        ("a", "09:01:00", "page_viewed", &thanks, PAY, ""),
    ]);
    let r = run(&ds, &Config::default()).unwrap();
    assert_eq!(channels(&ds, &r), expect(&[("a", 1, "Referral")]));
    assert!(r.set_aside.is_empty());
    // Two clients, but the host also refers a shop page: a real referrer.
    let ds = batch(&[
        ("a", "09:00:00", "page_viewed", CHECKOUT, PAY, ""),
        ("b", "09:00:00", "page_viewed", CHECKOUT, PAY, ""),
        ("e", "09:00:00", "page_viewed", HOME, PAY, ""),
    ]);
    let r = run(&ds, &Config::default()).unwrap();
    assert_eq!(
        channels(&ds, &r),
        expect(&[
            ("a", 1, "Referral"),
            ("b", 1, "Referral"),
            ("e", 1, "Referral")
        ])
    );
}

#[test]
fn unwanted_referrers_are_set_aside_on_every_page() {
    let ds = batch(&[
        (
            "a",
            "09:00:00",
            "page_viewed",
            HOME,
            "https://www.paypal.com/checkoutnow",
            "",
        ),
        (
            "b",
            "09:00:00",
            "page_viewed",
            "https://puffy.com/?gclid=X",
            "https://pay.klarna.com/",
            "",
        ),
        (
            "c",
            "09:00:00",
            "page_viewed",
            HOME,
            "android-app://com.paypal.android.p2pmobile/",
            "",
        ),
    ]);
    let mut cfg = Config::default();
    cfg.site
        .unwanted_referrers
        .push("android-app:com.paypal.android.p2pmobile".into());
    let r = run(&ds, &cfg).unwrap();
    // paypal.com and klarna.com are on the default list; the click id on
    // b's landing still makes it Paid Search.
    assert_eq!(
        channels(&ds, &r),
        expect(&[
            ("a", 1, "Direct"),
            ("b", 1, "Paid Search"),
            ("c", 1, "Direct")
        ])
    );
    let got: Vec<(&str, SetAside, u64, u64, &str)> = r
        .set_aside
        .iter()
        .map(|s| {
            (
                s.source.as_str(),
                s.reason,
                s.events,
                s.sessions,
                s.channel.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "android-app:com.paypal.android.p2pmobile",
                SetAside::Listed,
                1,
                1,
                "Referral"
            ),
            ("www.paypal.com", SetAside::Listed, 1, 1, "Referral"),
            ("pay.klarna.com", SetAside::Listed, 1, 0, ""),
        ]
    );
    assert_eq!(
        r.quality
            .findings
            .iter()
            .filter(|f| f.check == "unwanted_referrer")
            .count(),
        3
    );
}
