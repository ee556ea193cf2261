//! `puffy`: the Puffy Analytics engine on the command line.
//!
//! Exit codes: 0 success, 1 the data has error findings (check, monitor),
//! 2 the command could not run.

mod check;
mod generate;
mod input;
mod inspect;
mod monitor;
mod report;
mod run;
mod view;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Puffy Analytics: audit, sessionize and attribute daily event exports.
#[derive(Parser)]
#[command(name = "puffy", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List each CSV file with its row count and header columns.
    Inspect(inspect::Args),
    /// Audit data quality; exit 1 when an error-severity finding exists.
    Check(check::Args),
    /// Alerts from daily metrics; exit 1 when a critical alert fires.
    Monitor(monitor::Args),
    /// Publish a report bundle for the hosted app (`?report=`).
    Report(report::Args),
    /// Run the whole pipeline and write every table and report.json.
    Run(run::Args),
    /// Write realistic daily export files from a seed.
    Generate(generate::Args),
}

fn main() -> ExitCode {
    engine::hashing::set_seed(hash_seed());
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Inspect(args) => inspect::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Generate(args) => generate::run(&args),
        Command::Run(args) => run::run(&args),
        Command::Monitor(args) => monitor::run(&args),
        Command::Report(args) => report::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("puffy: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// The seed text from an export is hashed under ([`engine::hashing`]): from
/// the system's randomness (the standard library's `RandomState` keys), so
/// unknown to whoever made the files.
fn hash_seed() -> u64 {
    use std::hash::BuildHasher;
    std::collections::hash_map::RandomState::new().hash_one(0u64)
}
