//! Numbers for people (`$287,744`, `4.6%`, `12,345`) on the page and in the
//! HTML report.

/// Groups thousands: `1234567` → `1,234,567`.
pub fn int(n: f64) -> String {
    let digits = format!("{:.0}", n.abs().round());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0.0 && digits != "0" {
        format!("-{out}")
    } else {
        out
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

/// Dollars and cents: `$1,573.78`.
pub fn money_cents(x: f64) -> String {
    let cents = (x.abs() * 100.0).round() as i64;
    format!(
        "{}${}.{:02}",
        if x < 0.0 { "-" } else { "" },
        int((cents / 100) as f64),
        cents % 100
    )
}

/// A share as a percentage with one decimal: `0.046` → `4.6%`.
pub fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
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
