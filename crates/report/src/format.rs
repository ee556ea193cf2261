//! Numbers for people (`$287,744`, `4.6%`, `12,345`) on the page and in the
//! HTML report.

use engine::units::thousands;

/// A whole number with thousands grouped: `1234567.4` → `1,234,567`
/// (digits grouped by [`engine::units::thousands`]).
pub fn int(n: f64) -> String {
    let digits = thousands(n.abs().round() as u64);
    if n < 0.0 && digits != "0" {
        format!("-{digits}")
    } else {
        digits
    }
}

/// Whole dollars: `$287,744`.
pub fn money(x: f64) -> String {
    if x < 0.0 {
        format!("-${}", int(-x))
    } else {
        format!("${}", int(x))
    }
}

/// Dollars and cents (`$1,573.78`) and a share with one decimal (`4.6%`):
/// the engine's own wording, so messages and the page agree.
pub use engine::units::{money as money_cents, pct};

/// A day, or nothing: `2025-02-23`.
pub fn day(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// A first and a last day: `2025-02-23 – 2025-03-08` (` – ` when unknown).
pub fn date_range(range: Option<(chrono::NaiveDate, chrono::NaiveDate)>) -> String {
    let (a, b) = range.unzip();
    format!("{} – {}", day(a), day(b))
}

/// An incident's span: `2025-03-02`, or `2025-03-02 → 2025-03-08`.
pub fn span(first: chrono::NaiveDate, last: chrono::NaiveDate) -> String {
    match first == last {
        true => first.to_string(),
        false => format!("{first} → {last}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_for_people() {
        assert_eq!(money(287_744.4), "$287,744");
        assert_eq!(money_cents(1573.785), "$1,573.79");
        assert_eq!(pct(0.046), "4.6%");
        assert_eq!(int(999.0), "999");
        assert_eq!(int(1000.0), "1,000");
        assert_eq!(int(-1234567.0), "-1,234,567");
    }
}
