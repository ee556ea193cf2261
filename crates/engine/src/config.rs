//! Settings for every stage, with documented defaults. The CLI loads them
//! from `puffy.toml` (every key optional), the app from its settings panel.
//!
//! ```toml
//! [site]
//! shop_hosts = ["puffy.com", "www.puffy.com"]
//! checkout_hosts = ["checkout.puffy.com"]
//!
//! [quality]
//! max_null_client_rate = 0.05
//! ```

use serde::{Deserialize, Serialize};

use crate::quality::QualityConfig;

/// The shop's own hosts. Internal hosts never start or change a traffic
/// source; the checkout host is where orders complete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SiteConfig {
    /// Storefront hosts (default `puffy.com`, `www.puffy.com`).
    pub shop_hosts: Vec<String>,
    /// Checkout hosts (default `checkout.puffy.com`).
    pub checkout_hosts: Vec<String>,
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            shop_hosts: vec!["puffy.com".into(), "www.puffy.com".into()],
            checkout_hosts: vec!["checkout.puffy.com".into()],
        }
    }
}

impl SiteConfig {
    /// Whether `host` is a storefront host.
    pub fn is_shop(&self, host: &str) -> bool {
        self.shop_hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
    }

    /// Whether `host` is a checkout host.
    pub fn is_checkout(&self, host: &str) -> bool {
        self.checkout_hosts
            .iter()
            .any(|h| h.eq_ignore_ascii_case(host))
    }
}

/// All settings.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The shop's hosts.
    pub site: SiteConfig,
    /// Data-quality thresholds.
    pub quality: QualityConfig,
}
