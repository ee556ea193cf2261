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
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            timeout_minutes: 30,
            split_on_new_source: false,
            include_bots: false,
        }
    }
}
