//! Puffy Analytics in the browser: a Leptos client-side app over the engine.
//!
//! Components render engine results; they never parse or compute.

pub mod app;
pub mod bridge;
pub mod components;
pub mod files;
pub mod hosted;
pub mod protocol;
pub mod query;
pub mod state;
pub mod worker;
