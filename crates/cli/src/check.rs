//! `puffy check FILES_OR_DIRS... [--json] [--config puffy.toml]`: the data
//! quality audit. Exit 0: no error finding; 1: error findings; 2: could not run.

use std::process::ExitCode;

use engine::quality::{QualityReport, Severity};

/// Arguments of `puffy check`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    inputs: crate::input::Inputs,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs the audit and prints it.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let (cfg, ds) = args.inputs.load()?;
    // The audit as the page and report.json have it: with the findings that
    // need sessions (payment providers and other referrers set aside).
    let report = crate::input::pipeline(&ds, &cfg)?.quality;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", table(&report));
    }
    Ok(if report.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The readable report: files, findings worst first, score by day.
fn table(r: &QualityReport) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(s, "FILES");
    for f in &r.files {
        match &f.error {
            Some(e) => {
                let _ = writeln!(s, "  {:<28} ERROR {e}", f.name);
            }
            None => {
                let _ = writeln!(
                    s,
                    "  {:<28} {:>8} rows {:>8} accepted {:>6} quarantined {:>6} duplicates",
                    f.name, f.rows, f.accepted, f.quarantined, f.duplicates
                );
            }
        }
    }
    let _ = writeln!(s, "\nFINDINGS (worst first)");
    for x in &r.findings {
        let sev = match x.severity {
            Severity::Error => "ERROR",
            Severity::Warning => "warn ",
            Severity::Info => "info ",
        };
        let day = x
            .day
            .map_or_else(|| "          ".to_string(), |d| d.to_string());
        let _ = writeln!(
            s,
            "  {sev} {day} {:<28} {:>7}  {}",
            x.check, x.count, x.message
        );
    }
    let _ = writeln!(s, "\nSCORE BY DAY");
    for (day, score) in &r.score_by_day {
        let _ = writeln!(s, "  {day}  {score:>5.1}");
    }
    let _ = writeln!(
        s,
        "\n{} events, {} bot events, {} duplicate events, {} duplicate transactions",
        r.events,
        r.bot_events,
        r.duplicate_events,
        r.duplicate_transactions.len()
    );
    s
}
