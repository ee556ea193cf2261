//! `puffy generate OUT_DIR --days 14 --events-per-day 3500 --seed 7`: write
//! realistic daily export files (and `truth.json`, what was injected).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use engine::synth::SynthConfig;

/// Arguments of `puffy generate`.
#[derive(clap::Args)]
pub struct Args {
    /// Folder to write `events_YYYYMMDD.csv` files into (created if needed).
    out: PathBuf,
    /// Number of days.
    #[arg(long, default_value_t = 14)]
    days: u32,
    /// Approximate events per day.
    #[arg(long, default_value_t = 3500)]
    events_per_day: u32,
    /// Seed: the same seed writes the same bytes.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Write clean files: no renamed or missing column, no null spike, no
    /// duplicates, no bad rows.
    #[arg(long)]
    clean: bool,
    /// Leave out the file of this day index (0-based), to test monitoring.
    #[arg(long)]
    missing_day: Option<u32>,
    /// Cut orders to a fifth on this day index, to test monitoring.
    #[arg(long)]
    revenue_dip_day: Option<u32>,
}

/// Writes the files and `truth.json`.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let mut cfg = SynthConfig {
        days: args.days,
        events_per_day: args.events_per_day,
        seed: args.seed,
        ..SynthConfig::default()
    };
    if args.clean {
        cfg.rename_client_id_from = None;
        cfg.drop_referrer_days.clear();
        cfg.null_spike_day = None;
        cfg.duplicate_transactions = 0;
        cfg.bad_rows = false;
    }
    cfg.missing_day = args.missing_day;
    cfg.revenue_dip_day = args.revenue_dip_day;
    let (files, truth) = engine::synth::generate(&cfg);
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("{}: cannot create", args.out.display()))?;
    for f in &files {
        let path = args.out.join(&f.name);
        std::fs::write(&path, &f.bytes)
            .with_context(|| format!("{}: cannot write", path.display()))?;
    }
    let truth_path = args.out.join("truth.json");
    std::fs::write(&truth_path, serde_json::to_vec_pretty(&truth)?)?;
    eprintln!(
        "wrote {} files and truth.json to {}",
        files.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
