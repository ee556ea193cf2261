//! Puffy Analytics reports, shared by the page and the `puffy` CLI:
//!
//! - [`charts`]: every chart, drawn through plotters to any backend (the
//!   page's canvas, the HTML report's SVG);
//! - [`report_data`]: the series both read from `report.json`;
//! - [`format`]: numbers as the page and the HTML report show them;
//! - [`html_report`]: the standalone HTML report (inline SVG, no script);
//! - [`bundle`]: the download files made in the browser (`manifest.json`,
//!   `all.zip`) around the engine's tables;
//! - [`published`]: `reports/index.json`, written by the CLI, read by the page.
//!
//! No web crates: the CLI depends on this crate and the engine only.
#![warn(missing_docs)]

pub mod bundle;
pub mod charts;
pub mod format;
pub mod html_report;
pub mod published;
pub mod report_data;
