//! Dates and times of exports: timestamps to epoch milliseconds (a fast
//! path for the exports' own shape) and the day a file name names.

use chrono::NaiveDate;

/// Parses an ISO-8601 / RFC 3339 timestamp to epoch milliseconds, UTC.
/// The exports' own shape (`2025-02-23T00:00:01.750Z`) takes a fast path;
/// anything else goes through chrono's RFC 3339 parser.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    fast_timestamp(s.as_bytes()).or_else(|| {
        chrono::DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.timestamp_millis())
    })
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` exactly, validated; `None` for any other shape.
fn fast_timestamp(b: &[u8]) -> Option<i64> {
    if b.len() != 24
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'.'
        || b[23] != b'Z'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let date = NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
    let (h, m, sec, ms) = (num(11..13)?, num(14..16)?, num(17..19)?, num(20..23)?);
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    let days = i64::from(chrono::Datelike::num_days_from_ce(&date)) - 719_163;
    Some(days * 86_400_000 + i64::from(h * 3_600_000 + m * 60_000 + sec * 1000 + ms))
}

/// The day named in a file name: the first `YYYYMMDD` or `YYYY-MM-DD` that
/// is a real date (`events_20250227.csv` → 2025-02-27).
pub fn day_from_name(name: &str) -> Option<NaiveDate> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let digits: Vec<(usize, u8)> = base
        .bytes()
        .enumerate()
        .filter(|(_, b)| b.is_ascii_digit())
        .collect();
    for w in digits.windows(8) {
        // Eight digits, contiguous or as YYYY-MM-DD.
        let span = w[7].0 - w[0].0;
        let dashed = span == 9 && base.as_bytes()[w[4].0 - 1] == b'-';
        if span != 7 && !dashed {
            continue;
        }
        let n = |r: std::ops::Range<usize>| {
            w[r].iter()
                .fold(0u32, |acc, (_, d)| acc * 10 + u32::from(d - b'0'))
        };
        if let Some(d) = NaiveDate::from_ymd_opt(n(0..4) as i32, n(4..6), n(6..8)) {
            // Only days an event may carry (see `crate::limits`).
            if (crate::limits::earliest_day()..=crate::limits::latest_day()).contains(&d) {
                return Some(d);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Every millisecond an event may carry is written as chrono writes
        /// it, and read back to itself by the fast path.
        #[test]
        fn timestamps_round_trip_over_the_valid_range(
            ts in crate::limits::EARLIEST_TS..crate::limits::END_TS,
        ) {
            let text = crate::model::format_ts(ts);
            let by_chrono = chrono::DateTime::from_timestamp_millis(ts)
                .unwrap()
                .format("%Y-%m-%dT%H:%M:%S%.3fZ")
                .to_string();
            prop_assert_eq!(&text, &by_chrono);
            prop_assert_eq!(fast_timestamp(text.as_bytes()), Some(ts));
            prop_assert_eq!(parse_timestamp(&text), Some(ts));
        }

        /// The shapes exports and hand edits produce, valid or not (day 0,
        /// month 13, hour 24, second 60, other offsets, fractions, a space
        /// or lower-case separators): read exactly as chrono reads them.
        #[test]
        fn odd_shapes_read_as_chrono_reads_them(
            y in 1990i32..2110, mo in 0u32..14, d in 0u32..33,
            h in 0u32..26, mi in 0u32..62, sec in 0u32..62,
            frac in prop::sample::select(vec!["", ".5", ".75", ".750", ".000", ".123456", ".123456789", "."]),
            sep in prop::sample::select(vec!["T", "t", " ", "_"]),
            zone in prop::sample::select(vec!["Z", "z", "+00:00", "+01:00", "-05:30", "+14:00", "", "+0100"]),
        ) {
            let text = format!("{y:04}-{mo:02}-{d:02}{sep}{h:02}:{mi:02}:{sec:02}{frac}{zone}");
            let want = chrono::DateTime::parse_from_rfc3339(&text)
                .ok()
                .map(|t| t.timestamp_millis());
            prop_assert_eq!(parse_timestamp(&text), want, "{}", text);
        }

        /// A valid timestamp with a few bytes changed to others of the
        /// export's alphabet: the fast path either declines or agrees with
        /// chrono.
        #[test]
        fn the_fast_path_never_disagrees_with_chrono(
            ts in crate::limits::EARLIEST_TS..crate::limits::END_TS,
            edits in prop::collection::vec((0usize..24, prop::sample::select(b"0123456789-T:.Z ".to_vec())), 1..4),
        ) {
            let mut bytes = crate::model::format_ts(ts).into_bytes();
            for (at, b) in edits {
                bytes[at] = b;
            }
            if let Some(ms) = fast_timestamp(&bytes) {
                let text = String::from_utf8(bytes).unwrap();
                let by_chrono = chrono::DateTime::parse_from_rfc3339(&text).map(|t| t.timestamp_millis());
                prop_assert_eq!(Ok(ms), by_chrono.map_err(|_| ()), "{}", text);
            }
        }
    }

    #[test]
    fn fast_timestamp_path_agrees_with_chrono() {
        for t in [
            "2025-02-23T00:00:01.750Z",
            "2024-02-29T23:59:59.999Z",
            "1970-01-01T00:00:00.000Z",
        ] {
            let chrono = chrono::DateTime::parse_from_rfc3339(t)
                .unwrap()
                .timestamp_millis();
            assert_eq!(fast_timestamp(t.as_bytes()), Some(chrono), "{t}");
        }
        assert_eq!(fast_timestamp(b"2025-02-30T00:00:00.000Z"), None);
        assert_eq!(fast_timestamp(b"2025-02-23T24:00:00.000Z"), None);
        assert_eq!(
            parse_timestamp("2025-02-23T01:00:00+01:00"),
            parse_timestamp("2025-02-23T00:00:00.000Z")
        );
        assert_eq!(parse_timestamp("2025-02-23 25:61:00"), None);
    }

    #[test]
    fn day_is_read_from_file_names() {
        let d = |s| day_from_name(s).map(|d| d.to_string());
        assert_eq!(d("events_20250227.csv").as_deref(), Some("2025-02-27"));
        assert_eq!(
            d("exports/2025-03-01-events.csv").as_deref(),
            Some("2025-03-01")
        );
        assert_eq!(d("events_99999999.csv"), None);
        assert_eq!(d("events_00010101.csv"), None);
        assert_eq!(d("events_99991231.csv"), None);
        assert_eq!(d("events.csv"), None);
    }
}
