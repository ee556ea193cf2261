//! Quality: the data-quality audit of an ingested batch.
//!
//! Every check yields [`Finding`]s with an id, a category, a severity, the
//! affected days and files, a count, up to 20 sample line references and a
//! one-line message for a marketer. Checks live in [`crate::quality::checks`];
//! this module holds the types, the thresholds and the daily score.
//!
//! **Daily score** (0–100, higher is better), for each day `d` of the batch:
//!
//! ```text
//! score(d) = 100 − 100·q − 100·n − 10·m − 2·r − 50·t − 20·o − 15·v
//! ```
//! clamped to 0..100 and rounded to one decimal, where, over the files of
//! day `d` (named by their file name) and the events stamped on `d`:
//! `q` share of rows quarantined; `n` share of accepted rows without a
//! client id (1 when the column is missing); `m` canonical columns missing;
//! `r` columns renamed; `t` share of orders that are duplicate transactions;
//! `o` share of events stamped outside their file's day; `v` 1 when the day
//! has fewer than `volume_low_ratio` × the median of the days with events.
//! A day with no events at all scores 0. Bots are not a defect of the
//! export and do not lower the score.

pub mod checks;
pub mod findings;
pub mod tally;
pub mod volume;

pub use crate::config::QualityConfig;
use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::config::SiteConfig;
use crate::enrich::UserAgents;
use crate::ingest::schema::Column;
use crate::ingest::{Dataset, FileReport, QuarantinedRow};
use crate::model::cents_to_f64;
pub use crate::quality::findings::{
    Category, DuplicateTransaction, FileSummary, Finding, LineRef, OrderRef, Severity,
};
use crate::quality::tally::EventTally;

/// The audit of a batch.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct QualityReport {
    /// One summary per input file, in input order.
    pub files: Vec<FileSummary>,
    /// Reused transaction ids, with what each copy would have added.
    pub duplicate_transactions: Vec<DuplicateTransaction>,
    /// Total revenue of excluded duplicate transactions.
    pub duplicate_revenue_excluded: f64,
    /// Events delivered more than once, counted once.
    pub duplicate_events: u64,
    /// Accepted distinct events.
    pub events: u64,
    /// Events from bots and crawlers.
    pub bot_events: u64,
    /// Quarantined rows by reason code.
    pub quarantine_by_reason: BTreeMap<String, u64>,
    /// Distinct events per UTC day.
    pub events_by_day: BTreeMap<NaiveDate, u64>,
    /// Findings, worst first.
    pub findings: Vec<Finding>,
    /// Data-quality score per day (see the module doc for the formula).
    pub score_by_day: BTreeMap<NaiveDate, f64>,
}

impl QualityReport {
    /// Whether any finding has error severity.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// Restricts it to the days from `from` to `to`: the findings with one
    /// of its days among them (or with none), the daily counts and scores;
    /// `bot_events` are the period's, as its tally counted them. The files
    /// and reused transaction ids stay the batch's (the batch is still what
    /// was read, and which copy of an order counts is decided over all of
    /// it).
    pub fn restrict(&mut self, from: NaiveDate, to: NaiveDate, bot_events: u64) {
        let inside = |d: &NaiveDate| *d >= from && *d <= to;
        self.findings.retain(|f| {
            f.days.is_empty() && f.day.is_none_or(|d| inside(&d)) || f.days.iter().any(inside)
        });
        self.events_by_day.retain(|d, _| inside(d));
        self.score_by_day.retain(|d, _| inside(d));
        self.events = self.events_by_day.values().sum();
        self.bot_events = bot_events;
    }
}

/// Runs every check over an ingested batch.
pub fn audit(
    ds: &Dataset,
    uas: &UserAgents,
    dups: &checks::TxnDuplicates,
    site: &SiteConfig,
    cfg: &QualityConfig,
) -> QualityReport {
    let t = EventTally::of(ds, uas, &dups.excluded, site, cfg.revenue_tolerance * 100.0);
    audit_from(&ds.files, &ds.quarantine, &dups.list, &t, cfg)
}

/// The audit from what it needs: the batch's files and quarantine, its
/// reused transaction ids, and the tally of its events (one dataset's, or
/// the sum of a batch's partitions').
pub fn audit_from(
    files: &[FileReport],
    quarantine: &[QuarantinedRow],
    dups: &[DuplicateTransaction],
    t: &EventTally,
    cfg: &QualityConfig,
) -> QualityReport {
    let mut findings = Vec::new();
    checks::schema(files, &mut findings);
    checks::completeness(files, &t.null_samples, cfg, &mut findings);
    checks::uniqueness(files, dups, &mut findings);
    checks::validity(files, quarantine, t, cfg, &mut findings);
    let days = volume::batch_days(files, &t.events_by_day);
    volume::span(files, &t.events_by_day, &mut findings);
    volume::volume(&days, &t.events_by_day, cfg, &mut findings);
    volume::bots(files, t, cfg, &mut findings);
    volume::consistency(files, t, &mut findings);
    sort_findings(&mut findings);
    let mut quarantine_by_reason = BTreeMap::new();
    for q in quarantine {
        *quarantine_by_reason
            .entry(q.reason.as_str().to_string())
            .or_insert(0) += 1;
    }
    let score_by_day = score(files, &days, t, cfg);
    QualityReport {
        files: files.iter().map(FileSummary::new).collect(),
        duplicate_revenue_excluded: dups.iter().map(|d| d.excluded_revenue).sum::<f64>(),
        duplicate_transactions: dups.to_vec(),
        duplicate_events: files.iter().map(|f| f.duplicates).sum(),
        events: t.events,
        bot_events: t.bot_events(),
        quarantine_by_reason,
        events_by_day: t.events_by_day.clone(),
        findings,
        score_by_day,
    }
}

/// Orders findings worst first, then by day and check.
pub fn sort_findings(findings: &mut [Finding]) {
    crate::sorting::sort_by(findings, |a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.day.cmp(&b.day))
            .then(a.check.cmp(&b.check))
    });
}

/// [`audit`] with user agents classified and settings taken from `cfg`.
pub fn audit_with(ds: &Dataset, cfg: &crate::config::Config) -> QualityReport {
    let uas = UserAgents::build(&ds.events, &ds.strings);
    let dups = checks::transaction_duplicates(ds);
    audit(ds, &uas, &dups, &cfg.site, &cfg.quality)
}

/// The daily score of the module doc.
fn score(
    all_files: &[FileReport],
    days: &[NaiveDate],
    t: &EventTally,
    cfg: &QualityConfig,
) -> BTreeMap<NaiveDate, f64> {
    let events_by_day = &t.events_by_day;
    let median = volume::median(days.iter().filter_map(|d| events_by_day.get(d).copied()));
    let mut out = BTreeMap::new();
    for &day in days {
        let c = t.day_counts.get(&day).copied().unwrap_or_default();
        let files: Vec<_> = all_files
            .iter()
            .filter(|f| f.day == Some(day) && f.error.is_none())
            .collect();
        let rows: u64 = files.iter().map(|f| f.rows).sum();
        let accepted: u64 = files.iter().map(|f| f.accepted).sum();
        let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let q = ratio(files.iter().map(|f| f.quarantined).sum(), rows);
        let n = ratio(
            files
                .iter()
                .map(|f| match f.header.has(Column::ClientId) {
                    true => f.nulls[Column::ClientId.index()],
                    false => f.accepted,
                })
                .sum(),
            accepted,
        );
        let m = files
            .iter()
            .map(|f| f.header.missing.len())
            .max()
            .unwrap_or(0) as f64;
        let r = files
            .iter()
            .map(|f| f.header.renamed.len())
            .max()
            .unwrap_or(0) as f64;
        let t = ratio(c.duplicate_orders, c.orders + c.duplicate_orders);
        let day_events = events_by_day.get(&day).copied().unwrap_or(0);
        let o = ratio(c.outside_file_day, day_events);
        let v = if (day_events as f64) < cfg.volume_low_ratio * median {
            1.0
        } else {
            0.0
        };
        if day_events == 0 {
            out.insert(day, 0.0);
            continue;
        }
        let s = 100.0 - 100.0 * q - 100.0 * n - 10.0 * m - 2.0 * r - 50.0 * t - 20.0 * o - 15.0 * v;
        out.insert(day, (s.clamp(0.0, 100.0) * 10.0).round() / 10.0);
    }
    out
}

/// Revenue of an order in currency.
pub(crate) fn revenue(ds: &Dataset, order: u32) -> f64 {
    cents_to_f64(ds.orders[order as usize].revenue_cents)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::ingest::ingest;
    use crate::units::round4;

    const HEADER: &str = "client_id,page_url,referrer,timestamp,event_name,event_data,user_agent";
    const UA: &str = "\"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 Safari/537.36\"";
    const BOT: &str =
        "\"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)\"";

    fn view(client: &str, ts: &str) -> String {
        format!("{client},https://puffy.com/,,{ts},page_viewed,,{UA}")
    }

    fn order(client: &str, ts: &str, txn: &str, revenue: &str, items: &str) -> String {
        let data =
            format!("{{\"transaction_id\":\"{txn}\",\"revenue\":{revenue},\"items\":[{items}]}}")
                .replace('"', "\"\"");
        format!("{client},https://checkout.puffy.com/c/thank-you,https://puffy.com/,{ts},checkout_completed,\"{data}\",{UA}")
    }

    fn file(header: &str, rows: &[String]) -> String {
        format!("{header}\n{}\n", rows.join("\n"))
    }

    /// `n` page views of distinct clients on `day`, one per minute from 10:00.
    fn views(day: &str, n: usize) -> Vec<String> {
        (0..n)
            .map(|i| view(&format!("c{i}"), &format!("{day}T10:{:02}:00Z", i % 60)))
            .collect()
    }

    fn audit_files(files: &[(&str, String)]) -> QualityReport {
        let ds = ingest(files.iter().map(|(n, b)| (*n, b.as_bytes())));
        audit_with(&ds, &Config::default())
    }

    fn find<'a>(r: &'a QualityReport, check: &str) -> Vec<&'a Finding> {
        r.findings.iter().filter(|f| f.check == check).collect()
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn renamed_column_reports_the_day_it_started() {
        let renamed = HEADER.replace("client_id", "clientId");
        let r = audit_files(&[
            ("events_20250223.csv", file(HEADER, &views("2025-02-23", 5))),
            (
                "events_20250225.csv",
                file(&renamed, &views("2025-02-25", 5)),
            ),
            (
                "events_20250224.csv",
                file(&renamed, &views("2025-02-24", 5)),
            ),
        ]);
        let x = find(&r, "column_renamed");
        assert_eq!(x.len(), 1);
        assert_eq!(x[0].day, Some(d("2025-02-24")));
        assert_eq!(x[0].days, vec![d("2025-02-24"), d("2025-02-25")]);
        assert!(x[0]
            .message
            .starts_with("From 2025-02-24, client_id arrives as \"clientId\""));
        assert_eq!(r.files[1].renamed["clientId"], "client_id");
    }

    #[test]
    fn missing_and_extra_columns() {
        let no_ref = "client_id,page_url,timestamp,event_name,event_data,user_agent,shop_id";
        let rows: Vec<String> = (0..5)
            .map(|i| format!("c{i},https://puffy.com/,2025-02-24T10:00:0{i}Z,page_viewed,,{UA},7"))
            .collect();
        let r = audit_files(&[
            ("events_20250223.csv", file(HEADER, &views("2025-02-23", 5))),
            ("events_20250224.csv", file(no_ref, &rows)),
        ]);
        let missing = find(&r, "column_missing");
        assert_eq!(
            (missing[0].severity, missing[0].days.clone()),
            (Severity::Error, vec![d("2025-02-24")])
        );
        assert_eq!(r.files[1].missing, vec!["referrer".to_string()]);
        assert_eq!(find(&r, "column_extra")[0].severity, Severity::Info);
    }

    #[test]
    fn null_client_rate_fires_above_the_limit_not_at_it() {
        // 20 rows: 1 empty id is exactly 5% (no finding), 2 is 10% (error).
        let mut at = views("2025-02-23", 20);
        at[3] = view("", "2025-02-23T11:00:00Z");
        let mut above = views("2025-02-24", 20);
        above[3] = view("", "2025-02-24T11:00:00Z");
        above[4] = view("", "2025-02-24T11:00:01Z");
        let r = audit_files(&[
            ("events_20250223.csv", file(HEADER, &at)),
            ("events_20250224.csv", file(HEADER, &above)),
        ]);
        let x = find(&r, "null_rate");
        assert_eq!(x.len(), 1);
        assert_eq!(
            (x[0].day, x[0].count, x[0].value, x[0].severity),
            (Some(d("2025-02-24")), 2, Some(0.1), Severity::Error)
        );
        assert_eq!(
            x[0].samples.iter().map(|s| s.line).collect::<Vec<_>>(),
            vec![5, 6]
        );
        assert_eq!(r.files[0].null_rate["client_id"], 0.05);
    }

    #[test]
    fn duplicate_transaction_keeps_the_earliest_and_reports_excluded_revenue() {
        let day1 = vec![
            view("a", "2025-02-23T09:00:00Z"),
            order("a", "2025-02-23T09:05:00Z", "T1", "50", ""),
        ];
        let day2 = vec![
            view("b", "2025-02-24T10:00:00Z"),
            order("b", "2025-02-24T10:05:00Z", "T1", "1524.5", ""),
        ];
        // The later copy comes first in the batch: time decides, not order.
        let r = audit_files(&[
            ("events_20250224.csv", file(HEADER, &day2)),
            ("events_20250223.csv", file(HEADER, &day1)),
        ]);
        let dup = &r.duplicate_transactions[0];
        assert_eq!(
            (
                dup.transaction_id.as_str(),
                dup.occurrences,
                dup.excluded_revenue
            ),
            ("T1", 2, 1524.5)
        );
        assert_eq!(dup.kept.client_id, "a");
        assert_eq!(r.duplicate_revenue_excluded, 1524.5);
        let x = find(&r, "duplicate_transaction");
        assert_eq!(
            (x[0].count, x[0].value, x[0].day),
            (1, Some(1524.5), Some(d("2025-02-24")))
        );
        assert!(x[0].message.contains("$1,524.50"), "{}", x[0].message);
    }

    #[test]
    fn validity_findings_carry_sample_lines() {
        let rows = vec![
            view("a", "2025-02-23T10:00:00Z"),
            view("b", "not a time"),
            view("c", "2025-02-24T00:00:05Z"),
            order(
                "a",
                "2025-02-23T10:05:00Z",
                "T1",
                "100",
                r#"{"item_id":"X","quantity":1,"item_price":null}"#,
            ),
            order(
                "a",
                "2025-02-23T10:06:00Z",
                "T2",
                "90",
                r#"{"item_id":"X","quantity":1,"item_price":100}"#,
            ),
            order(
                "a",
                "2025-02-23T10:07:00Z",
                "T3",
                "100",
                r#"{"item_id":"X","quantity":2,"item_price":50}"#,
            ),
        ];
        let r = audit_files(&[("events_20250223.csv", file(HEADER, &rows))]);
        let lines = |c: &str| {
            find(&r, c)
                .first()
                .map(|x| x.samples.iter().map(|s| s.line).collect::<Vec<_>>())
        };
        assert_eq!(lines("bad_timestamp"), Some(vec![3]));
        assert_eq!(lines("timestamp_outside_file_day"), Some(vec![4]));
        assert_eq!(lines("item_fields_null"), Some(vec![5]));
        assert_eq!(lines("revenue_item_mismatch"), Some(vec![6]));
        assert_eq!(
            find(&r, "quarantine_rate")[0].value,
            Some(round4(1.0 / 6.0))
        );
    }

    #[test]
    fn volume_low_day_and_missing_day() {
        let r = audit_files(&[
            (
                "events_20250223.csv",
                file(HEADER, &views("2025-02-23", 10)),
            ),
            (
                "events_20250224.csv",
                file(HEADER, &views("2025-02-24", 10)),
            ),
            ("events_20250226.csv", file(HEADER, &views("2025-02-26", 4))),
        ]);
        // Median of the days with data is 10; 4 < 0.5 × 10.
        assert_eq!(find(&r, "missing_day")[0].day, Some(d("2025-02-25")));
        assert_eq!(find(&r, "volume_low")[0].day, Some(d("2025-02-26")));
        assert_eq!(r.score_by_day[&d("2025-02-25")], 0.0);
        assert_eq!(r.score_by_day[&d("2025-02-26")], 85.0);
    }

    #[test]
    fn bot_share_above_limit_is_a_warning() {
        let mut rows = views("2025-02-23", 6);
        rows.extend((0..3).map(|i| {
            format!("bot{i},https://puffy.com/,,2025-02-23T12:00:0{i}Z,page_viewed,,{BOT}")
        }));
        let r = audit_files(&[("events_20250223.csv", file(HEADER, &rows))]);
        assert_eq!(r.bot_events, 3);
        let x = find(&r, "bot_share");
        assert_eq!(
            (x[0].severity, x[0].value),
            (Severity::Warning, Some(round4(3.0 / 9.0)))
        );
    }

    #[test]
    fn orders_without_history_and_checkout_only_clients() {
        let rows = vec![
            view("a", "2025-02-23T10:00:00Z"),
            order("a", "2025-02-23T10:05:00Z", "T1", "100", ""),
            order("b", "2025-02-23T11:00:00Z", "T2", "200", ""),
            order("", "2025-02-23T12:00:00Z", "T3", "300", ""),
        ];
        let r = audit_files(&[("events_20250223.csv", file(HEADER, &rows))]);
        assert_eq!(find(&r, "order_without_prior_event")[0].samples[0].line, 4);
        let no_id = find(&r, "order_without_client_id");
        assert_eq!((no_id[0].count, no_id[0].value), (1, Some(300.0)));
        assert_eq!(
            find(&r, "checkout_without_shop_event")[0].count,
            1,
            "client b only"
        );
    }

    #[test]
    fn daily_score_has_every_term_worked_by_hand() {
        // 2025-02-23 and 2025-02-25: 22 clean views each; the 02-23 file
        // also holds one view stamped 02-24. The 02-24 file renames
        // client_id to clientId and drops referrer; of its 10 rows one has
        // a bad timestamp and one no client id, and T1 is sent twice.
        let mut a = views("2025-02-23", 22);
        a.push(view("z", "2025-02-24T00:00:05Z"));
        let short_header = "clientId,page_url,timestamp,event_name,event_data,user_agent";
        let row = |client: &str, ts: &str, event: &str, data: &str| {
            format!("{client},https://puffy.com/,{ts},{event},{data},{UA}")
        };
        let t1 = "\"{\"\"transaction_id\"\":\"\"T1\"\",\"\"revenue\"\":100}\"";
        let mut b = vec![
            row("a", "garbage", "page_viewed", ""),
            row("", "2025-02-24T10:59:00Z", "page_viewed", ""),
        ];
        b.extend((0..6).map(|i| {
            row(
                &format!("b{i}"),
                &format!("2025-02-24T10:0{i}:00Z"),
                "page_viewed",
                "",
            )
        }));
        b.push(row("a", "2025-02-24T11:00:00Z", "checkout_completed", t1));
        b.push(row("a", "2025-02-24T11:01:00Z", "checkout_completed", t1));
        let r = audit_files(&[
            ("events_20250223.csv", file(HEADER, &a)),
            ("events_20250224.csv", file(short_header, &b)),
            (
                "events_20250225.csv",
                file(HEADER, &views("2025-02-25", 22)),
            ),
        ]);
        // 02-24: q = 1/10 quarantined; n = 1/9 accepted without id;
        // m = 1 column missing; r = 1 renamed; t = 1 copy / 2 orders;
        // o = 1 of its 10 events comes from the 02-23 file; v = 1, as 10
        // events < 0.5 × the median day (22).
        let (q, n, m, r_, t, o, v) = (0.1, 1.0 / 9.0, 1.0, 1.0, 0.5, 0.1, 1.0);
        let by_hand: f64 =
            100.0 - 100.0 * q - 100.0 * n - 10.0 * m - 2.0 * r_ - 50.0 * t - 20.0 * o - 15.0 * v;
        assert!((by_hand - 24.889).abs() < 1e-3);
        assert_eq!(r.score_by_day[&d("2025-02-24")], 24.9);
        assert_eq!(r.score_by_day[&d("2025-02-23")], 100.0);
        assert_eq!(r.score_by_day[&d("2025-02-25")], 100.0);
        assert_eq!(r.events_by_day[&d("2025-02-24")], 10);
    }

    #[test]
    fn daily_score_follows_the_documented_formula() {
        // 10 rows: 1 quarantined (q = 0.1), 1 of 9 accepted without id (n = 1/9).
        let mut rows = views("2025-02-23", 10);
        rows[0] = view("a", "garbage");
        rows[1] = view("", "2025-02-23T10:59:00Z");
        let r = audit_files(&[("events_20250223.csv", file(HEADER, &rows))]);
        let expect = ((100.0 - 10.0 - 100.0 / 9.0) * 10.0_f64).round() / 10.0;
        assert_eq!(r.score_by_day[&d("2025-02-23")], expect);
    }
}
