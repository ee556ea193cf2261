//! Sessions: a client's events cut into visits ([`sessionize`]), the orders
//! that count ([`conversions`]), identity stitching, and the referrals set
//! aside ([`referrals`]: payment steps, unwanted referrers).

pub mod conversions;
pub mod referrals;
pub mod sessionize;

pub use crate::config::SessionConfig;
