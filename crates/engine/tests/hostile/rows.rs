//! Timestamps and the day range, oversized and malformed rows, unreadable files.

use super::*;

#[test]
fn h18_year_1_and_year_9999_are_out_of_range() {
    for ts in [
        "0001-01-01T00:00:00.000Z",
        "9999-12-31T23:59:59.999Z",
        "1999-12-31T23:59:59.999Z",
        "2100-01-01T00:00:00.000Z",
    ] {
        let got = quarantined(view("c", "https://puffy.com/", "", ts));
        assert_eq!(
            got,
            (
                Reason::TimestampOutOfRange,
                format!("timestamp {ts:?} is outside 2000-01-01 to 2099-12-31")
            )
        );
    }
}

#[test]
fn h19_an_unparseable_huge_year_is_a_bad_timestamp() {
    let got = quarantined(view(
        "c",
        "https://puffy.com/",
        "",
        "+275760-09-13T00:00:00Z",
    ));
    assert_eq!(
        got,
        (
            Reason::BadTimestamp,
            "timestamp \"+275760-09-13T00:00:00Z\"".into()
        )
    );
}

#[test]
fn h20_one_stray_event_years_away_does_not_make_thousands_of_days() {
    let rows = [
        view("a", "https://puffy.com/", "", "2001-01-01T00:00:00.000Z"),
        view("b", "https://puffy.com/", "", T),
    ];
    let ds = load("export.csv", file(&rows).as_bytes());
    let cfg = Config::default();
    // 2001-01-01 .. 2025-02-23: 24 years with 6 leap days, then 31 + 22 days.
    assert_eq!(
        finding_message(&ds, &cfg, "batch_span"),
        "The batch spans 8820 days, from 2001-01-01 to 2025-02-23; day-by-day checks and metrics cover the last 731, from 2023-02-24. 1 event before 2023-02-24 still counts in the totals: check their timestamps."
    );
    let run = run(&ds, &cfg).unwrap();
    assert_eq!(run.quality.score_by_day.len(), 731);
    assert_eq!(report(&ds, &run).metrics.len(), 731);
}

#[test]
fn h21_file_names_far_in_the_past_or_future_name_no_day() {
    let ds = load(
        "events_00010101.csv",
        file(&[view("a", "https://puffy.com/", "", T)]).as_bytes(),
    );
    assert_eq!(ds.files[0].day, None);
}

// ---- oversized and malformed rows ----------------------------------------

#[test]
fn h22_a_300_kb_row_is_set_aside_and_its_sample_cut() {
    let big = "x".repeat(300_000);
    let line = view(&big, "https://puffy.com/", "", T);
    let ds = load(DAY, file(&[line]).as_bytes());
    let q = &ds.quarantine[0];
    // The fields' bytes: 300,000 + 18 + 0 + 24 + 11 + 0 + 44.
    assert_eq!(
        (q.reason, q.detail.as_str()),
        (
            Reason::RowTooLong,
            "the row is 300097 bytes long; rows over 262144 bytes are not read"
        )
    );
    // The raw row: 300,000 x, then 97 bytes of fields and 6 commas.
    assert_eq!(
        q.raw,
        format!("{}… [299603 more characters]", "x".repeat(500))
    );
    let r = report(&ds, &run(&ds, &Config::default()).unwrap());
    assert!(r.quarantine_sample[0].raw.chars().count() < 530);
}

#[test]
fn h23_a_long_unknown_event_name_is_cut_in_the_detail() {
    let name = "e".repeat(1000);
    let got = quarantined(row(["c", "https://puffy.com/", "", T, &name, "", UA]));
    assert_eq!(
        got,
        (
            Reason::UnknownEvent,
            format!("event_name \"{}… [936 more characters]\"", "e".repeat(64))
        )
    );
}

#[test]
fn h24_a_field_that_is_not_utf8_is_quarantined() {
    let mut body = format!("{HEADER}\n").into_bytes();
    body.extend_from_slice(
        b"caf\xe9,https://puffy.com/,,2025-02-23T10:00:00.000Z,page_viewed,,ua\n",
    );
    let ds = load(DAY, &body);
    assert_eq!(
        (ds.quarantine[0].reason, ds.quarantine[0].detail.as_str()),
        (Reason::InvalidUtf8, "client_id is not UTF-8")
    );
}

#[test]
fn h25_extra_fields_are_counted() {
    let got = quarantined(
        "a,https://puffy.com/,x,y,2025-02-23T10:00:00.000Z,page_viewed,,ua,extra".into(),
    );
    assert_eq!(
        got,
        (Reason::WrongFieldCount, "expected 7 fields, found 9".into())
    );
}

#[test]
fn h26_a_header_name_of_5000_characters_is_cut() {
    let body = format!(
        "{HEADER},{}\n{},z\n",
        "h".repeat(5000),
        view("a", "https://puffy.com/", "", T)
    );
    let ds = load(DAY, body.as_bytes());
    assert_eq!(
        ds.files[0].columns[7],
        format!("{}… [4900 more characters]", "h".repeat(100))
    );
}

#[test]
fn h27_seventy_thousand_referrer_hosts_keep_their_own_sources() {
    let rows: Vec<String> = (0..70_000)
        .map(|i| {
            view(
                &format!("c{i}"),
                "https://puffy.com/",
                &format!("https://site{i}.example/"),
                &format!(
                    "2025-02-23T{:02}:{:02}:{:02}.000Z",
                    i / 3600 % 24,
                    i / 60 % 60,
                    i % 60
                ),
            )
        })
        .collect();
    let ds = load(DAY, file(&rows).as_bytes());
    let run = run(&ds, &Config::default()).unwrap();
    let bytes =
        engine::outputs::tables::table(&ds, &run, engine::outputs::tables::Table::EventsEnriched);
    let mut rdr = csv::Reader::from_reader(bytes.as_slice());
    let h = rdr.headers().unwrap().clone();
    let (c, s) = (
        h.iter().position(|x| x == "client_id").unwrap(),
        h.iter().position(|x| x == "source").unwrap(),
    );
    for r in rdr.records().map(Result::unwrap) {
        let i = &r[c][1..];
        assert_eq!(&r[s], format!("site{i}.example"), "client c{i}");
    }
}

// ---- unreadable files ------------------------------------------------------

#[test]
fn h28_empty_file() {
    assert_eq!(
        file_error(DAY, b""),
        "events_20250223.csv: the file is empty"
    );
}

#[test]
fn h29_an_image_named_csv() {
    assert_eq!(
        file_error("logo.csv", b"\x89PNG\r\n\x1a\n\0\0"),
        "logo.csv: this is a PNG image, not a CSV text file"
    );
}

#[test]
fn h30_a_csv_that_is_not_an_export() {
    assert_eq!(
        file_error("other.csv", b"name,size\nx,1\n"),
        "other.csv, line 1: not an event export: required column(s) timestamp, event_name not found in the header"
    );
}

/// Thousands of made-up hosts, each sending two shoppers back to checkout:
/// every one is detected, but the findings and `report.json` stay bounded
/// (20 findings plus one that counts the rest; 100 listed).
#[test]
fn h37_thousands_of_fake_payment_providers_stay_bounded() {
    let hosts = 3000;
    let rows: Vec<String> = (0..hosts)
        .flat_map(|h| {
            (0..2).map(move |c| {
                view(
                    &format!("c{h}-{c}"),
                    "https://checkout.puffy.com/c/processing",
                    &format!("https://pay{h}.example/"),
                    &format!("2025-02-23T10:{:02}:{:02}Z", h % 60, c),
                )
            })
        })
        .collect();
    let ds = load(DAY, file(&rows).as_bytes());
    let r = run(&ds, &Config::default()).unwrap();
    let findings: Vec<_> = r
        .quality
        .findings
        .iter()
        .filter(|f| f.check == "payment_referrer" || f.check == "referrers_set_aside")
        .collect();
    assert_eq!(findings.len(), 21);
    let rest = findings
        .iter()
        .find(|f| f.check == "referrers_set_aside")
        .unwrap();
    assert_eq!(
        rest.message,
        "2,980 more referrers were set aside; report.json lists the 100 that would have taken most."
    );
    assert_eq!(report(&ds, &r).set_aside_referrers.len(), 100);
}
