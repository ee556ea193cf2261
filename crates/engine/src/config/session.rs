//! How events are cut into sessions ([`crate::sessions`]).

use serde::{Deserialize, Serialize};

/// Session settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionConfig {
    /// Inactivity that ends a session, in minutes (30).
    pub timeout_minutes: u32,
    /// Start a new session when a different external source arrives (false).
    pub split_on_new_source: bool,
    /// Keep bot events in sessions, funnel and attribution (false).
    pub include_bots: bool,
    /// A shopper whose session reached checkout and who comes back to a
    /// checkout page from another site (a payment provider, a bank's card
    /// check) within this many minutes is still in that session: the
    /// return neither starts a session nor changes its channel (120).
    pub payment_return_minutes: u32,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            timeout_minutes: 30,
            split_on_new_source: false,
            include_bots: false,
            payment_return_minutes: 120,
        }
    }
}
