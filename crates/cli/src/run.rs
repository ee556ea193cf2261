//! `puffy run FILES_OR_DIRS... --out DIR [--config puffy.toml] [--from D
//! --to D --segment KEY=VALUE --compare BASELINE]`: the whole pipeline;
//! writes every table and `report.json` into DIR, for the period and
//! segment when given (see [`crate::view`]).
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
    #[command(flatten)]
    view: crate::view::ViewArgs,
}

/// Runs the pipeline and writes the outputs.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let timer = Timer::new();
    let (cfg, ds) = args.inputs.load()?;
    timer.lap("ingest");
    let run = crate::input::pipeline(&ds, &cfg)?;
    timer.lap("pipeline");
    let view = args.view.view(&run)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("{}: cannot create", args.out.display()))?;
    let report = write_outputs(&ds, &run, view.as_ref(), &args.out)?;
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
    // The process ends next, and the system takes back its memory at once;
    // freeing millions of strings and sessions one by one took about 2 % of
    // the run at 100 copies of an export (`perf record`).
    std::mem::forget((ds, run));
    Ok(ExitCode::SUCCESS)
}

/// A file `puffy run` writes.
#[derive(Clone, Copy)]
enum Output {
    Table(Table),
    Report,
}

/// Every output, the slowest to make first (measured at 1x: the events
/// table about 30 ms, sessions 20, report.json 10, the rest under 10), so
/// that the last one a thread picks up is a short one.
const OUTPUTS: [Output; 8] = [
    Output::Table(Table::EventsEnriched),
    Output::Table(Table::Sessions),
    Output::Report,
    Output::Table(Table::Conversions),
    Output::Table(Table::ChannelSummary),
    Output::Table(Table::Attribution),
    Output::Table(Table::UserJourneys),
    Output::Table(Table::Quarantine),
];

/// Writes every table and report.json into `dir`, on as many threads as
/// [`crate::input::threads`] allows: each takes the next output from the
/// list until none is left. Every file is made from the same finished run,
/// so its bytes do not depend on the thread that wrote it. Returns the
/// report; on failure, the error of the first output in the list that
/// failed.
fn write_outputs(
    ds: &engine::ingest::Dataset,
    run: &engine::pipeline::Run,
    view: Option<&engine::report::compare::View>,
    dir: &std::path::Path,
) -> anyhow::Result<engine::report::Report> {
    let keep = crate::view::keep(ds, run, view);
    let job = Job {
        ds,
        run,
        view,
        keep: keep.as_ref(),
        dir,
    };
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let at = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(&output) = OUTPUTS.get(at) else {
                return done;
            };
            done.push((at, write_output(&job, output)));
        }
    };
    let threads = crate::input::threads().min(OUTPUTS.len());
    let mut done: Vec<_> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut done = work();
        for helper in helpers {
            done.extend(helper.join().unwrap_or_default());
        }
        done
    });
    anyhow::ensure!(
        done.len() == OUTPUTS.len(),
        "{}: a writing thread stopped",
        dir.display()
    );
    done.sort_by_key(|&(at, _)| at);
    let mut report = None;
    for (_, result) in done {
        report = report.or(result?);
    }
    report.context("report.json was not made")
}

/// What every output is made from.
struct Job<'a> {
    ds: &'a engine::ingest::Dataset,
    run: &'a engine::pipeline::Run,
    view: Option<&'a engine::report::compare::View>,
    keep: Option<&'a engine::summary::slice::Keep>,
    dir: &'a std::path::Path,
}

/// Writes one output; returns the report when it is report.json.
fn write_output(job: &Job, output: Output) -> anyhow::Result<Option<engine::report::Report>> {
    let (ds, run, dir) = (job.ds, job.run, job.dir);
    match output {
        Output::Table(table) => write_table(ds, run, job.keep, dir, table).map(|()| None),
        Output::Report => {
            let report = crate::view::report(ds, run, job.view, job.keep)?;
            let path = dir.join("report.json");
            std::fs::write(&path, serde_json::to_vec_pretty(&report)?)
                .with_context(|| format!("{}: cannot write", path.display()))?;
            Ok(Some(report))
        }
    }
}

/// Writes one table (of a slice's sessions, with `keep`) into `dir`, row
/// by row as it is made.
pub fn write_table(
    ds: &engine::ingest::Dataset,
    run: &engine::pipeline::Run,
    keep: Option<&engine::summary::slice::Keep>,
    dir: &std::path::Path,
    table: Table,
) -> anyhow::Result<()> {
    let path = dir.join(table.file_name());
    let mut file = std::fs::File::create(&path)
        .with_context(|| format!("{}: cannot create", path.display()))?;
    engine::outputs::tables::write_kept(ds, run, table, keep, &mut file)
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

#[cfg(test)]
mod tests {
    use super::{Output, OUTPUTS};
    use engine::outputs::tables::Table;

    #[test]
    fn every_table_is_written_once_and_the_report_once() {
        for table in Table::ALL {
            let times = OUTPUTS
                .iter()
                .filter(|o| matches!(o, Output::Table(t) if *t == table))
                .count();
            assert_eq!(times, 1, "{}", table.file_name());
        }
        let reports = OUTPUTS.iter().filter(|o| matches!(o, Output::Report));
        assert_eq!(reports.count(), 1);
        assert_eq!(OUTPUTS.len(), Table::ALL.len() + 1);
    }
}
