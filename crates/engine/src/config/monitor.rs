//! Monitoring thresholds ([`crate::monitor`]).

use serde::{Deserialize, Serialize};

/// Monitoring thresholds, with their defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MonitorConfig {
    /// Lowest acceptable daily revenue (10,000).
    pub min_daily_revenue: f64,
    /// Robust z-score beyond which revenue, orders or conversion rate is anomalous (2.5).
    pub revenue_std_threshold: f64,
    /// Days of history needed before anomaly rules run (7).
    pub min_history_days: usize,
    /// Trailing days considered as history (28).
    pub trailing_days: usize,
    /// Same-weekday values needed to compare weekday with weekday (3).
    pub same_weekday_weeks: usize,
    /// Absolute change of a channel's session share that is sharp (0.15).
    pub channel_share_change: f64,
    /// Rise of Direct's share that signals lost referrers (0.15).
    pub direct_share_jump: f64,
    /// Rows below this share of the trailing median are low (0.5).
    pub low_volume_ratio: f64,
    /// Smallest spread used for anomalies, as a share of the median (0.15):
    /// a week of very similar days must not turn ordinary noise into alerts.
    pub min_relative_spread: f64,
}

impl Default for MonitorConfig {
    fn default() -> Self {
        MonitorConfig {
            min_daily_revenue: 10_000.0,
            revenue_std_threshold: 2.5,
            min_history_days: 7,
            trailing_days: 28,
            same_weekday_weeks: 3,
            channel_share_change: 0.15,
            direct_share_jump: 0.15,
            low_volume_ratio: 0.5,
            min_relative_spread: 0.15,
        }
    }
}
