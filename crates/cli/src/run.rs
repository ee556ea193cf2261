//! `puffy run FILES_OR_DIRS... --out DIR [--config puffy.toml]`: the whole
//! pipeline; writes every table and `report.json` into DIR.
//! Exit 0 when written, 2 when it could not run.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

/// Arguments of `puffy run`.
#[derive(clap::Args)]
pub struct Args {
    /// CSV files or folders of CSV files.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output folder (created if needed).
    #[arg(long)]
    out: PathBuf,
    /// Settings file (TOML).
    #[arg(long)]
    config: Option<PathBuf>,
}

/// Runs the pipeline and writes the outputs.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let files = crate::input::expand(&args.paths)?;
    let cfg = crate::input::config(args.config.as_deref())?;
    let ds = crate::input::ingest(&files);
    let run = engine::report::run(&ds, &cfg)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("{}: cannot create", args.out.display()))?;
    for name in engine::tables::TABLES {
        let bytes = engine::tables::table(&ds, &run, name).unwrap_or_default();
        let path = args.out.join(name);
        std::fs::write(&path, bytes)
            .with_context(|| format!("{}: cannot write", path.display()))?;
    }
    let report = engine::report::report(&ds, &run);
    let path = args.out.join("report.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&report)?)
        .with_context(|| format!("{}: cannot write", path.display()))?;
    let s = &report.summary;
    eprintln!(
        "{} orders, revenue {:.2}, {} sessions, {} visitors; wrote {} tables and report.json to {}",
        s.orders,
        s.revenue,
        s.sessions,
        s.visitors,
        engine::tables::TABLES.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
