//! The output tables (`puffy run --out DIR`, the page's downloads) and the
//! CSV writer behind them.

pub mod csv_out;
pub mod tables;
