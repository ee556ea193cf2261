//! Series read from `report.json` for the charts and tables of both the
//! page and the standalone HTML report.

use serde_json::Value;

use crate::format::{list, num, text};

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
pub fn channels(r: &Value) -> Vec<String> {
    let mut names: Vec<(String, f64)> = r["attribution"]["last_click"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), num(v, "/revenue")))
                .collect()
        })
        .unwrap_or_default();
    names.sort_by(|a, b| b.1.total_cmp(&a.1));
    names.into_iter().map(|(k, _)| k).collect()
}

/// Revenue of a channel under a model.
pub fn revenue(r: &Value, model: &str, channel: &str) -> f64 {
    num(&r["attribution"][model][channel], "/revenue")
}

/// A daily metric: day labels (`MM-DD`), values, and the indices of days
/// with a warning or critical alert.
pub fn daily(r: &Value, metric: &str) -> (Vec<String>, Vec<f64>, Vec<usize>) {
    let metrics = list(r, "/metrics");
    let alerts = list(r, "/alerts");
    let days: Vec<String> = metrics.iter().map(|m| text(m, "/day")).collect();
    let values = metrics
        .iter()
        .map(|m| num(m, &format!("/{metric}")))
        .collect();
    let flagged = days
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            alerts
                .iter()
                .any(|a| &text(a, "/day") == *d && text(a, "/severity") != "info")
        })
        .map(|(i, _)| i)
        .collect();
    (
        days.iter()
            .map(|d| d.get(5..).unwrap_or(d).to_string())
            .collect(),
        values,
        flagged,
    )
}

/// The data-quality score by day: labels, scores, days under 90.
pub fn scores(r: &Value) -> (Vec<String>, Vec<f64>, Vec<usize>) {
    let map = r["quality"]["score_by_day"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let days = map
        .keys()
        .map(|d| d.get(5..).unwrap_or(d).to_string())
        .collect();
    let values: Vec<f64> = map.values().map(|v| v.as_f64().unwrap_or(0.0)).collect();
    let low = values
        .iter()
        .enumerate()
        .filter(|(_, v)| **v < 90.0)
        .map(|(i, _)| i)
        .collect();
    (days, values, low)
}
