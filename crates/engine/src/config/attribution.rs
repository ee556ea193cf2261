//! Lookback, time decay, stitching and the Markov minimum ([`crate::attribution`]).

use serde::{Deserialize, Serialize};

/// Attribution settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AttributionConfig {
    /// Sessions that started this many days before a conversion count (7).
    pub lookback_days: u32,
    /// Half-life of the time-decay model, in days (7).
    pub half_life_days: f64,
    /// Treat client ids sharing an email hash as one person (false).
    pub stitch_identities: bool,
    /// Fewer converting journeys than this make the Markov model a warning (30).
    pub markov_min_conversions: u32,
}

impl Default for AttributionConfig {
    fn default() -> Self {
        AttributionConfig {
            lookback_days: 7,
            half_life_days: 7.0,
            stitch_identities: false,
            markov_min_conversions: 30,
        }
    }
}
