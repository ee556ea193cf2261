//! Settings for every stage, with documented defaults, in one place: each
//! setting has one home here, and the stages read it from here. The CLI loads them
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

pub mod attribution;
pub mod channels;
pub mod ingest;
pub mod monitor;
pub mod quality;
pub mod session;

use serde::{Deserialize, Serialize};

pub use self::attribution::AttributionConfig;
use self::channels::{default_rules, ChannelRule};
pub use self::ingest::IngestConfig;
pub use self::monitor::MonitorConfig;
pub use self::quality::QualityConfig;
pub use self::session::SessionConfig;

/// The shop's own hosts. Internal hosts never start or change a traffic
/// source; the checkout host is where orders complete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SiteConfig {
    /// Storefront hosts (default `puffy.com`, `www.puffy.com`).
    pub shop_hosts: Vec<String>,
    /// Checkout hosts (default `checkout.puffy.com`).
    pub checkout_hosts: Vec<String>,
    /// Referrers that are never a traffic source, wherever they appear:
    /// payment providers and the shop's other domains. `paypal.com` matches
    /// it and its subdomains, `klarna.*` any host with a `klarna` label,
    /// `android-app:<package>` an app. Default: well-known payment providers.
    pub unwanted_referrers: Vec<String>,
    /// Also set aside hosts that, in this batch, refer checkout pages and
    /// nothing else, from at least two clients: likely payment providers
    /// (true).
    pub detect_payment_providers: bool,
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            shop_hosts: vec!["puffy.com".into(), "www.puffy.com".into()],
            checkout_hosts: vec!["checkout.puffy.com".into()],
            unwanted_referrers: [
                "paypal.com",
                "klarna.com",
                "affirm.com",
                "afterpay.com",
                "sezzle.com",
                "stripe.com",
                "adyen.com",
            ]
            .map(String::from)
            .to_vec(),
            detect_payment_providers: true,
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

    /// Whether a referrer, as its source detail (a host, or
    /// `android-app:<package>`), is on the unwanted list.
    pub fn is_unwanted(&self, source: &str) -> bool {
        self.unwanted_referrers.iter().any(|p| {
            let p = p.trim();
            match (
                p.strip_prefix("android-app:"),
                source.strip_prefix("android-app:"),
            ) {
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                (None, None) => !p.is_empty() && channels::host_matches(p, source),
                _ => false,
            }
        })
    }
}

/// All settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The shop's hosts.
    pub site: SiteConfig,
    /// Bounds applied while files are read.
    pub ingest: IngestConfig,
    /// Data-quality thresholds.
    pub quality: QualityConfig,
    /// Sessionization.
    pub session: SessionConfig,
    /// Attribution.
    pub attribution: AttributionConfig,
    /// Monitoring thresholds.
    pub monitor: MonitorConfig,
    /// The channel rule table, in order (first match wins). Giving it in
    /// `puffy.toml` (`[[channels]]` entries) replaces the whole default table.
    pub channels: Vec<ChannelRule>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            site: SiteConfig::default(),
            ingest: IngestConfig::default(),
            quality: QualityConfig::default(),
            session: SessionConfig::default(),
            attribution: AttributionConfig::default(),
            monitor: MonitorConfig::default(),
            channels: default_rules(),
        }
    }
}

impl Config {
    /// Checks values a run cannot work with.
    pub fn validate(&self) -> crate::Result<()> {
        crate::config::channels::validate(&self.channels).map_err(crate::Error::Config)?;
        self.ingest.validate().map_err(crate::Error::Config)?;
        if self.session.timeout_minutes == 0 {
            return Err(crate::Error::Config(
                "session timeout must be at least 1 minute".into(),
            ));
        }
        let half_life = self.attribution.half_life_days;
        if !(half_life.is_finite() && half_life > 0.0) {
            return Err(crate::Error::Config(
                "time-decay half-life must be a positive number of days".into(),
            ));
        }
        Ok(())
    }
}
