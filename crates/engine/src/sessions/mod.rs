//! Sessions: a client's events cut into visits ([`sessionize`]), the orders
//! that count ([`conversions`]) and identity stitching.

pub mod conversions;
pub mod sessionize;

pub use crate::config::SessionConfig;
