//! `reports/index.json`: the list of published bundles that `puffy report
//! --bundle` writes and the page's start page reads.

use chrono::NaiveDate;
use engine::monitor::AlertSeverity;
use engine::report::Report;
use serde::{Deserialize, Serialize};

/// `reports/index.json`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Index {
    /// Every bundle, sorted by folder name (newest last).
    #[serde(default)]
    pub reports: Vec<Published>,
}

/// One published bundle. Fields in name order, as `index.json` has always
/// listed them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Published {
    /// Its critical alerts.
    #[serde(default)]
    pub critical_alerts: usize,
    /// First and last day of its batch.
    #[serde(default)]
    pub date_range: Option<(NaiveDate, NaiveDate)>,
    /// Folder name (the day, usually).
    pub name: String,
    /// Its orders.
    #[serde(default)]
    pub orders: u64,
    /// Folder, relative to the page (`reports/NAME/`).
    pub path: String,
    /// Its revenue.
    #[serde(default)]
    pub revenue: f64,
}

impl Published {
    /// The entry of the bundle in folder `name` (under `prefix`).
    pub fn of(name: &str, prefix: &str, report: &Report) -> Published {
        Published {
            name: name.to_string(),
            path: format!("{prefix}{name}/"),
            date_range: report.date_range,
            revenue: report.summary.revenue,
            orders: report.summary.orders,
            critical_alerts: report
                .alerts
                .iter()
                .filter(|a| a.severity == AlertSeverity::Critical)
                .count(),
        }
    }
}
