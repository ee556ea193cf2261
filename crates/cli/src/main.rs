//! `puffy`: the Puffy Analytics engine on the command line.
//!
//! Exit codes: 0 success, 1 the data has error findings (check, monitor),
//! 2 the command could not run.

mod inspect;

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Inspect(args) => inspect::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("puffy: {err:#}");
            ExitCode::from(2)
        }
    }
}
