//! Puffy Analytics engine: the whole pipeline as pure functions over bytes
//! and configuration.
//!
//! ```text
//! CSV bytes --ingest--> events + quarantine --quality--> findings
//!   --enrich--> sessionize --> conversions --> attribution --> summary --> monitor
//! ```
//!
//! The crate never touches the web, the clock or the file system: callers
//! (the `puffy` CLI, the browser worker) own all I/O and hand over readers.
#![warn(missing_docs)]

pub mod archive;
pub mod attribution;
pub mod channels;
pub mod config;
pub mod conversions;
pub mod csv_out;
pub mod dataset;
pub mod dates;
pub mod enrich;
pub mod error;
pub mod findings;
pub mod ingest;
pub mod insights;
pub mod inspect;
pub mod limits;
pub mod markov;
pub mod metrics;
pub mod model;
pub mod monitor;
pub mod monitor_rules;
pub mod order;
pub mod quality;
pub mod quality_checks;
pub mod quality_volume;
pub mod report;
pub mod schema;
pub mod sessionize;
pub mod summary;
pub mod synth;
pub mod synth_traffic;
pub mod synth_visits;
pub mod tables;
pub mod urls;

pub use error::{Error, Result};
