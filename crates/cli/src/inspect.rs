//! `puffy inspect FILES...`: name, rows and header columns of each file.

use std::fs::File;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `puffy inspect`.
#[derive(clap::Args)]
pub struct Args {
    /// CSV files to inspect.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

/// Prints one line per file; a file that cannot be read is reported and the
/// others still run. Exit code 2 if any file failed.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let mut failed = false;
    for path in &args.files {
        let name = path.display().to_string();
        let result = File::open(path)
            .map_err(|e| anyhow::anyhow!("{name}: {e}"))
            .and_then(|f| engine::ingest::inspect::inspect(&name, f).map_err(anyhow::Error::from));
        match result {
            Ok(info) => println!(
                "{}\t{} rows\t{}",
                info.name,
                info.rows,
                info.columns.join(",")
            ),
            Err(err) => {
                failed = true;
                eprintln!("{err}");
            }
        }
    }
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
