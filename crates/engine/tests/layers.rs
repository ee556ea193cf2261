//! Dependencies point one way, down the pipeline: a module may import only
//! from the modules declared before it in `lib.rs` (error, limits, units,
//! sorting, model, config, ingest, enrich, quality, sessions, attribution, pipeline,
//! summary, monitor, report, outputs, partition, synth). Files inside a stage's folder
//! may use each other. This reads every source file's non-test code and
//! fails naming the file and the later stage it reaches into.

use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The top-level modules in the order `lib.rs` declares them.
fn order() -> Vec<String> {
    std::fs::read_to_string(src().join("lib.rs"))
        .unwrap()
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';').to_string())
        .collect()
}

/// Every `.rs` file under `dir`.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules a piece of code names through `crate::`.
fn imports(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in code.lines() {
        let line = line.split("//").next().unwrap_or_default();
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let inner = group.split('}').next().unwrap_or_default();
                out.extend(
                    inner
                        .split(',')
                        .map(|p| p.trim().split("::").next().unwrap_or_default().to_string()),
                );
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                out.push(name);
            }
        }
    }
    out.retain(|m| !m.is_empty() && m.chars().next().is_some_and(|c| c.is_ascii_lowercase()));
    out
}

#[test]
fn no_module_imports_from_a_later_stage() {
    let order = order();
    assert!(order.len() >= 10, "lib.rs declares the stages: {order:?}");
    let rank = |m: &str| order.iter().position(|x| x == m);
    let mut all = Vec::new();
    files(&src(), &mut all);
    let mut wrong = Vec::new();
    for path in all {
        let rel = path.strip_prefix(src()).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if top == "lib" {
            continue;
        }
        let own =
            rank(&top).unwrap_or_else(|| panic!("{} is not declared in lib.rs", rel.display()));
        let text = std::fs::read_to_string(&path).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for m in imports(code) {
            match rank(&m) {
                Some(r) if r > own => wrong.push(format!(
                    "{} imports crate::{m}, a later stage",
                    rel.display()
                )),
                Some(_) => {}
                None => wrong.push(format!(
                    "{} imports crate::{m}, which lib.rs does not declare",
                    rel.display()
                )),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_check_sees_imports_in_every_form() {
    let found = imports("use crate::quality::{a, b};\nuse crate::{pipeline::Run, units};\nx = crate::report::report(); // crate::outputs");
    assert_eq!(found, ["quality", "pipeline", "units", "report"]);
}
