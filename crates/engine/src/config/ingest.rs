//! Settings applied while files are read ([`crate::ingest`]).

use serde::{Deserialize, Serialize};

use crate::limits::MAX_ORDER_REVENUE;

/// Settings applied while files are read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IngestConfig {
    /// The largest believable revenue of one order, in currency (25,000:
    /// ten of the shop's dearest mattresses). Orders above it are
    /// quarantined as `revenue_above_cap`, not summed.
    pub max_order_revenue: f64,
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            max_order_revenue: 25_000.0,
        }
    }
}

impl IngestConfig {
    /// The cap in cents, once [`IngestConfig::validate`] has passed.
    pub fn max_order_cents(&self) -> i64 {
        (self.max_order_revenue * 100.0).round() as i64
    }

    /// The cap must be a positive amount no larger than [`MAX_ORDER_REVENUE`].
    pub fn validate(&self) -> Result<(), String> {
        let cap = self.max_order_revenue;
        if !(cap.is_finite() && cap > 0.0 && cap <= MAX_ORDER_REVENUE) {
            return Err(format!(
                "the order revenue cap must be above 0 and at most {MAX_ORDER_REVENUE:.0} (got {cap})"
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_is_checked() {
        let cap = |v| {
            IngestConfig {
                max_order_revenue: v,
            }
            .validate()
        };
        assert!(cap(25_000.0).is_ok());
        assert!(cap(1e9).is_ok());
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e10] {
            assert!(cap(bad).is_err(), "{bad}");
        }
    }
}
