//! What the binary's test files share: running `puffy` and generating a
//! batch.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// Runs `puffy` with `args`.
pub fn puffy(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_puffy"))
        .args(args)
        .output()
        .expect("puffy runs")
}

pub fn generate(dir: &Path, extra: &[&str]) -> Value {
    generate_sized(dir, "800", extra)
}

pub fn generate_sized(dir: &Path, per_day: &str, extra: &[&str]) -> Value {
    let args = [
        "generate",
        dir.to_str().unwrap(),
        "--days",
        "14",
        "--events-per-day",
        per_day,
    ];
    let out = puffy(&[&args[..], extra].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&std::fs::read(dir.join("truth.json")).unwrap()).unwrap()
}
