//! Bounds on what an export may claim. Every value in an export can be
//! hostile or absurd (a crafted cookie, a revenue of `9e18`, a timestamp in
//! year 1), so each is checked against a bound before it is trusted, summed
//! or shown. Rows past a bound are quarantined with a reason; texts past a
//! length are cut with a marker.
//!
//! The one bound a shop sets is the per-order revenue cap
//! ([`crate::config::IngestConfig`], `[ingest]` in `puffy.toml`); the rest
//! are fixed here, in one place.

use chrono::NaiveDate;

/// The highest per-order cap a setting may ask for (a billion): with it,
/// one order's cents fit an `i64` a hundred million times over.
pub const MAX_ORDER_REVENUE: f64 = 1e9;

/// [`MAX_ORDER_REVENUE`] in cents: the bound on any one amount (an order,
/// a line item) the engine multiplies or sums.
pub const MAX_ORDER_CENTS: i64 = 100_000_000_000;

/// The most revenue one batch may hold, in cents: a quarter of `i64::MAX`,
/// so any sum of a batch's orders (per day, per channel, per model, across
/// the batch) stays far from overflow. Orders past it are quarantined.
pub const MAX_BATCH_REVENUE_CENTS: i64 = i64::MAX / 4;

/// The largest believable quantity of one line item.
pub const MAX_ITEM_QUANTITY: f64 = 10_000.0;

/// The first day a timestamp may fall on (the web shop's exports start
/// long after it).
pub fn earliest_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// The last day a timestamp may fall on.
pub fn latest_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2099, 12, 31).unwrap_or(NaiveDate::MAX)
}

/// Epoch milliseconds of the start of [`earliest_day`] (2000-01-01).
pub const EARLIEST_TS: i64 = 946_684_800_000;

/// Epoch milliseconds of the end of [`latest_day`] (2100-01-01, excluded).
pub const END_TS: i64 = 4_102_444_800_000;

/// The most days the day-by-day checks and metrics cover (two years); a
/// batch spanning more is analysed over its last `MAX_BATCH_DAYS` days and
/// a finding says so.
pub const MAX_BATCH_DAYS: i64 = 731;

/// The longest text copied from a row into a message, a sample or
/// `report.json` (the full row stays in `quarantine.csv`).
pub const MAX_SAMPLE_CHARS: usize = 500;

/// The most referrers set aside that `report.json` lists (those that would
/// have taken most), and the most that get a quality finding of their own;
/// a crafted export can hold hundreds of thousands of hosts.
pub const MAX_LISTED_REFERRERS: usize = 100;

/// See [`MAX_LISTED_REFERRERS`].
pub const MAX_REFERRER_FINDINGS: usize = 20;

/// Cuts `s` to at most `max` characters (never inside a character), ending
/// with `… [N more characters]` when anything was cut.
pub fn truncate(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => s.into(),
        Some((at, _)) => {
            let rest = s[at..].chars().count();
            format!("{}… [{rest} more characters]", &s[..at]).into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_bounds_match_their_days() {
        let ms = |d: NaiveDate| d.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp_millis();
        assert_eq!(EARLIEST_TS, ms(earliest_day()));
        assert_eq!(END_TS, ms(latest_day().succ_opt().unwrap()));
    }

    #[test]
    fn truncation_counts_characters_and_marks_the_cut() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("ééééé", 5), "ééééé");
        assert_eq!(truncate("éééééé", 2), "éé… [4 more characters]");
        assert_eq!(truncate(&"x".repeat(1000), 3), "xxx… [997 more characters]");
    }
}
