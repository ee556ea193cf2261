//! Numbers as people read them, in one place for every message, the page
//! and the HTML report: percentages, money, counts with their noun, verb
//! agreement, and rates rounded for reports.

/// A share as a percentage with one decimal: `0.158` → `15.8%`.
pub fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// Money for messages: `$1,524.00`.
pub fn money(x: f64) -> String {
    let cents = (x * 100.0).round() as i64;
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}${}.{:02}", thousands(abs / 100), abs % 100)
}

/// A count with its noun for messages: `1 file`, `3 files`, `1,204 rows`.
pub fn quantity(n: impl Into<u64>, noun: &str) -> String {
    let n: u64 = n.into();
    let s = if n == 1 { "" } else { "s" };
    format!("{} {noun}{s}", thousands(n))
}

/// Digits grouped by thousands: `1,204`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    grouped
}

/// The verb form agreeing with `n` subjects: `agree(1, "has", "have")`.
pub fn agree<'a>(n: impl Into<u64>, one: &'a str, many: &'a str) -> &'a str {
    if n.into() == 1 {
        one
    } else {
        many
    }
}

/// Rounds a rate to four decimals for reports.
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_as_english() {
        assert_eq!(quantity(1u64, "order"), "1 order");
        assert_eq!(quantity(0u64, "order"), "0 orders");
        assert_eq!(quantity(1204u64, "row"), "1,204 rows");
        assert_eq!(quantity(1_000_000u64, "event"), "1,000,000 events");
        assert_eq!(agree(1u64, "has", "have"), "has");
        assert_eq!(agree(2u64, "has", "have"), "have");
    }

    #[test]
    fn money_groups_thousands_and_keeps_cents() {
        assert_eq!(money(1524.0), "$1,524.00");
        assert_eq!(money(-0.5), "-$0.50");
        assert_eq!(money(287_744.129), "$287,744.13");
    }
}
