//! One component per file, named after it.

pub mod alert_list;
pub mod channels;
pub mod chart;
pub mod downloads;
pub mod drop_zone;
pub mod funnel;
pub mod input_files;
pub mod insight_list;
pub mod journeys;
pub mod kpi_cards;
pub mod period_bar;
pub mod quality;
pub mod report_view;
pub mod settings;
pub mod trends;
