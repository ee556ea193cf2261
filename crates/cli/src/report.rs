//! `puffy report FILES_OR_DIRS... [--html FILE] [--bundle DIR] [--config puffy.toml]`:
//! writes the standalone HTML report (the same file as the page's "Download
//! report"), and/or publishes a report bundle (`report.json` and every
//! table) that the app opens read-only at `index.html?report=reports/NAME/`,
//! refreshing the `index.json` that lists the bundles next to it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use puffy_report::published::{Index, Published};

/// Arguments of `puffy report`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    inputs: crate::input::Inputs,
    /// Folder to write the bundle into, e.g. `dist/reports/2025-03-08`.
    #[arg(long, required_unless_present = "html")]
    bundle: Option<PathBuf>,
    /// Write the standalone HTML report to this file.
    #[arg(long)]
    html: Option<PathBuf>,
    #[command(flatten)]
    view: crate::view::ViewArgs,
}

/// Writes the bundle and the index.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let (cfg, ds) = args.inputs.load()?;
    let run = crate::input::pipeline(&ds, &cfg)?;
    let view = args.view.view(&run)?;
    let keep = crate::view::keep(&ds, &run, view.as_ref());
    let report = crate::view::report(&ds, &run, view.as_ref(), keep.as_ref())?;
    if let Some(path) = &args.html {
        std::fs::write(path, puffy_report::html_report::render(&report))
            .with_context(|| format!("{}: cannot write", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    let Some(out) = &args.bundle else {
        return Ok(ExitCode::SUCCESS);
    };
    std::fs::create_dir_all(out).with_context(|| format!("{}: cannot create", out.display()))?;
    for table in engine::outputs::tables::Table::ALL {
        crate::run::write_table(&ds, &run, keep.as_ref(), out, table)?;
    }
    std::fs::write(out.join("report.json"), serde_json::to_vec_pretty(&report)?)?;
    let index = write_index(out)?;
    eprintln!(
        "wrote the bundle to {} and the list to {}",
        out.display(),
        index.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Lists every bundle (a folder with a `report.json`) next to `bundle` in
/// `index.json`, sorted by folder name, newest last.
fn write_index(bundle: &Path) -> anyhow::Result<PathBuf> {
    let parent = bundle
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let prefix = parent
        .file_name()
        .map_or_else(String::new, |n| format!("{}/", n.to_string_lossy()));
    let mut reports = Vec::new();
    for entry in
        std::fs::read_dir(parent).with_context(|| format!("{}: cannot list", parent.display()))?
    {
        let path = entry?.path();
        let Ok(text) = std::fs::read_to_string(path.join("report.json")) else {
            continue;
        };
        // A folder whose report.json is not a report is not listed.
        let Ok(report) = serde_json::from_str::<engine::report::Report>(&text) else {
            continue;
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        reports.push(Published::of(&name, &prefix, &report));
    }
    reports.sort_by(|a, b| a.name.cmp(&b.name));
    let index = parent.join("index.json");
    std::fs::write(&index, serde_json::to_vec_pretty(&Index { reports })?)?;
    Ok(index)
}
