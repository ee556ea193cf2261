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
    /// The cost profile of a real export (a long tail of user agents, page
    /// URLs and client ids) instead of the tidy one; what benchmarks use.
    #[arg(long)]
    real_shape: bool,
    /// Write this many copies of the batch, client and transaction ids
    /// suffixed per copy (`-c01`...) and files named `events_YYYYMMDD_c01.csv`:
    /// 10× and 100× batches for scaling benchmarks.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    copies: u32,
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
    cfg.real_shape = args.real_shape;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("{}: cannot create", args.out.display()))?;
    let mut written = 0;
    for copy in 0..args.copies {
        cfg.id_suffix = match copy {
            0 => String::new(),
            k => format!("-c{k:02}"),
        };
        let (files, truth) = engine::synth::generate(&cfg);
        for f in &files {
            let name = match copy {
                0 => f.name.clone(),
                _ => f.name.replace(".csv", &format!("_c{copy:02}.csv")),
            };
            let path = args.out.join(name);
            std::fs::write(&path, &f.bytes)
                .with_context(|| format!("{}: cannot write", path.display()))?;
            written += 1;
        }
        if copy == 0 {
            let truth_path = args.out.join("truth.json");
            std::fs::write(&truth_path, serde_json::to_vec_pretty(&truth)?)?;
        }
    }
    eprintln!(
        "wrote {written} files and truth.json to {}",
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
