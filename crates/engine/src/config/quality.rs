//! Thresholds of the data-quality audit ([`crate::quality`]).

use serde::{Deserialize, Serialize};

/// Thresholds of the audit, with their defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QualityConfig {
    /// Highest acceptable share of rows without `client_id` per day (0.05).
    pub max_null_client_rate: f64,
    /// Highest acceptable share of rows without `page_url` per day (0.01).
    pub max_null_page_url_rate: f64,
    /// Highest acceptable share of rows without `user_agent` per day (0.05).
    pub max_null_user_agent_rate: f64,
    /// Share of quarantined rows in a file above which it is an error (0.01).
    pub max_quarantine_rate: f64,
    /// A day below this share of the median daily events is low (0.5).
    pub volume_low_ratio: f64,
    /// A day above this multiple of the median daily events is high (2.0).
    pub volume_high_ratio: f64,
    /// Bot share of a day's events above which it is a warning (0.25).
    pub max_bot_share: f64,
    /// Tolerance between revenue and the sum of its items, in currency (0.01).
    pub revenue_tolerance: f64,
}

impl Default for QualityConfig {
    fn default() -> Self {
        QualityConfig {
            max_null_client_rate: 0.05,
            max_null_page_url_rate: 0.01,
            max_null_user_agent_rate: 0.05,
            max_quarantine_rate: 0.01,
            volume_low_ratio: 0.5,
            volume_high_ratio: 2.0,
            max_bot_share: 0.25,
            revenue_tolerance: 0.01,
        }
    }
}
