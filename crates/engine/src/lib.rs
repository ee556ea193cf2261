//! Puffy Analytics engine: the whole pipeline as pure functions over bytes
//! and configuration.
//!
//! ```text
//! CSV bytes --ingest--> events + quarantine --enrich--> channels, devices, bots
//!   --quality--> findings --sessions--> sessions, conversions
//!   --attribution--> credits (seven models)         = pipeline::run -> Run
//!   --summary / monitor--> KPIs, funnel, daily metrics, alerts
//!   --report--> report.json       --outputs--> the CSV tables
//! ```
//!
//! The modules below are declared in that order, and each imports only from
//! the ones above it (`tests/layers.rs` fails otherwise); files inside a
//! stage's folder may use each other. `ARCHITECTURE.md` at the repository
//! root tells where each rule lives.
//!
//! The crate never touches the web, the clock or the file system: callers
//! (the `puffy` CLI, the browser worker) own all I/O and hand over readers.
#![warn(missing_docs)]

// Shared bottom: the error type, bounds on hostile values, number wording,
// the event model, every setting.
pub mod error;

pub mod limits;

pub mod hashing;

pub mod units;

pub mod join;

pub mod sorting;

pub mod scan;

pub mod model;

pub mod config;

// The stages, in pipeline order.
pub mod ingest;

pub mod enrich;

pub mod quality;

pub mod sessions;

pub mod attribution;

pub mod pipeline;

pub mod summary;

pub mod monitor;

pub mod report;

pub mod outputs;

// The batch split by person across a cluster (the Spark job).
pub mod partition;

// The realistic-export generator (sample data, tests, benchmarks).
pub mod synth;

pub use error::{Error, Result};
