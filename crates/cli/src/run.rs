//! `puffy run FILES_OR_DIRS... --out DIR [--config puffy.toml]`: the whole
//! pipeline; writes every table and `report.json` into DIR.
//! Exit 0 when written, 2 when it could not run.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use engine::outputs::tables::Table;

/// Arguments of `puffy run`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    inputs: crate::input::Inputs,
    /// Output folder (created if needed).
    #[arg(long)]
    out: PathBuf,
}

/// Runs the pipeline and writes the outputs.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let timer = Timer::new();
    let (cfg, ds) = args.inputs.load()?;
    timer.lap("ingest");
    let run = engine::pipeline::run(&ds, &cfg)?;
    timer.lap("pipeline");
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("{}: cannot create", args.out.display()))?;
    // The largest table, events_enriched.csv, is written on a thread of its
    // own while this one writes the others and report.json: each file is
    // made from the same finished run, so the bytes do not depend on it.
    let report = std::thread::scope(|scope| {
        let big = scope.spawn(|| write_table(&ds, &run, &args.out, Table::EventsEnriched));
        let rest = (|| {
            for table in Table::ALL {
                if table != Table::EventsEnriched {
                    write_table(&ds, &run, &args.out, table)?;
                }
            }
            let report = engine::report::report(&ds, &run);
            let path = args.out.join("report.json");
            std::fs::write(&path, serde_json::to_vec_pretty(&report)?)
                .with_context(|| format!("{}: cannot write", path.display()))?;
            anyhow::Ok(report)
        })();
        let big = big
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("writing events_enriched.csv failed")));
        big.and(rest)
    })?;
    timer.lap("tables and report.json");
    let s = &report.summary;
    eprintln!(
        "{} orders, revenue {:.2}, {} sessions, {} visitors; wrote {} tables and report.json to {}",
        s.orders,
        s.revenue,
        s.sessions,
        s.visitors,
        Table::ALL.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes one table into `dir`, row by row as it is made.
pub fn write_table(
    ds: &engine::ingest::Dataset,
    run: &engine::pipeline::Run,
    dir: &std::path::Path,
    table: Table,
) -> anyhow::Result<()> {
    let path = dir.join(table.file_name());
    let mut file = std::fs::File::create(&path)
        .with_context(|| format!("{}: cannot create", path.display()))?;
    engine::outputs::tables::write(ds, run, table, &mut file)
        .with_context(|| format!("{}: cannot write", path.display()))
}

/// Prints stage durations to stderr when `PUFFY_TIMINGS` is set.
struct Timer {
    on: bool,
    last: std::cell::Cell<std::time::Instant>,
}

impl Timer {
    fn new() -> Timer {
        Timer {
            on: std::env::var_os("PUFFY_TIMINGS").is_some(),
            last: std::cell::Cell::new(std::time::Instant::now()),
        }
    }

    fn lap(&self, what: &str) {
        if self.on {
            let now = std::time::Instant::now();
            eprintln!(
                "{what:>22}: {:>7.1} ms",
                (now - self.last.get()).as_secs_f64() * 1000.0
            );
            self.last.set(now);
        }
    }
}
