//! Series read from the [`Report`] for the charts and tables of both the
//! page and the standalone HTML report.

use crate::charts::Shade;
use engine::monitor::metrics::DayMetrics;
use engine::monitor::AlertSeverity;
use engine::report::Report;

use crate::format::{int, money, money_cents, pct};

/// Attribution model keys and labels, in report order.
pub const MODELS: [(&str, &str); 7] = [
    ("first_click", "First click"),
    ("last_click", "Last click"),
    ("last_non_direct", "Last non-direct"),
    ("linear", "Linear"),
    ("position_based", "Position-based"),
    ("time_decay", "Time decay"),
    ("markov", "Data-driven (Markov)"),
];

/// Channels by last-click revenue, largest first.
pub fn channels(r: &Report) -> Vec<String> {
    let mut names: Vec<(String, f64)> = r
        .attribution
        .get("last_click")
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.revenue)).collect())
        .unwrap_or_default();
    engine::sorting::sort_by(&mut names, |a, b| b.1.total_cmp(&a.1));
    names.into_iter().map(|(k, _)| k).collect()
}

/// Revenue of a channel under a model.
pub fn revenue(r: &Report, model: &str, channel: &str) -> f64 {
    r.attribution
        .get(model)
        .and_then(|m| m.get(channel))
        .map_or(0.0, |c| c.revenue)
}

/// `MM-DD` of a day.
fn short(day: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{:02}-{:02}", day.month(), day.day())
}

/// The baseline's values of a daily metric, from its first day (empty
/// without a comparison): drawn against the period's by day offset.
pub fn baseline_daily(r: &Report, metric: impl Fn(&DayMetrics) -> f64) -> Vec<f64> {
    r.comparison
        .as_ref()
        .map(|c| c.metrics.iter().map(metric).collect())
        .unwrap_or_default()
}

/// A daily metric: day labels (`MM-DD`), values, and the spans of the
/// warning and critical incidents to shade.
pub fn daily(
    r: &Report,
    metric: impl Fn(&DayMetrics) -> f64,
) -> (Vec<String>, Vec<f64>, Vec<Shade>) {
    let index = |d: chrono::NaiveDate| r.metrics.iter().position(|m| m.day == d);
    let mut shades: Vec<Shade> = r
        .incidents
        .iter()
        .filter(|i| i.severity != AlertSeverity::Info)
        .filter_map(|i| {
            Some(Shade {
                from: index(i.first_day)?,
                to: index(i.last_day)?,
                critical: i.severity == AlertSeverity::Critical,
            })
        })
        .collect();
    // Warnings first, so a critical span is drawn over them.
    engine::sorting::sort_by_key(&mut shades, |s| (s.critical, s.from));
    (
        r.metrics.iter().map(|m| short(m.day)).collect(),
        r.metrics.iter().map(metric).collect(),
        shades,
    )
}

/// The data-quality score by day: labels, scores, days under 90.
pub fn scores(r: &Report) -> (Vec<String>, Vec<f64>, Vec<usize>) {
    let map = &r.quality.score_by_day;
    let values: Vec<f64> = map.values().copied().collect();
    let low = values
        .iter()
        .enumerate()
        .filter(|(_, v)| **v < 90.0)
        .map(|(i, _)| i)
        .collect();
    (map.keys().map(|d| short(*d)).collect(), values, low)
}

/// One headline number: its key (`data-kpi`), label, raw value and the
/// value as shown.
pub type Kpi = (&'static str, &'static str, f64, String);

/// The eight headline numbers of the page and the HTML report, in order.
pub fn kpis(r: &Report) -> Vec<Kpi> {
    let s = &r.summary;
    [
        ("revenue", "Revenue", s.revenue),
        ("orders", "Orders", s.orders as f64),
        ("aov", "Average order", s.aov),
        ("sessions", "Sessions", s.sessions as f64),
        ("visitors", "Visitors", s.visitors as f64),
        ("conversion_rate", "Conversion rate", s.conversion_rate),
        ("bot_share", "Bot share", s.bot_share),
        ("quality_score", "Data quality", s.quality_score),
    ]
    .into_iter()
    .map(|(key, label, v)| (key, label, v, kpi_text(key, v)))
    .collect()
}

/// A KPI's value as its card shows it.
pub fn kpi_text(key: &str, v: f64) -> String {
    match key {
        "revenue" => money(v),
        "aov" => money_cents(v),
        "orders" | "sessions" | "visitors" => int(v),
        "conversion_rate" | "bot_share" => pct(v),
        "quality_score" => format!("{v:.1} / 100"),
        _ => v.to_string(),
    }
}
