//! Shared input handling: expand files and folders, load `puffy.toml`,
//! ingest everything.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use anyhow::Context;
use engine::config::Config;
use engine::ingest::parts::Part;
use engine::ingest::{Dataset, Ingest};

/// The inputs every analysing command takes: files or folders, and an
/// optional settings file.
#[derive(clap::Args)]
pub struct Inputs {
    /// CSV files or folders of CSV files.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Settings file (TOML).
    #[arg(long)]
    config: Option<PathBuf>,
}

impl Inputs {
    /// Reads the settings and every file.
    pub fn load(&self) -> anyhow::Result<(Config, Dataset)> {
        let files = expand(&self.paths)?;
        let cfg = config(self.config.as_deref())?;
        // Before reading anything: the revenue cap is applied while reading.
        cfg.validate()?;
        let data = ingest(&files, &cfg.ingest);
        Ok((cfg, data))
    }
}

/// Files named on the command line, with folders expanded to their `.csv`
/// and `.zip` files (sorted by name). Fails if a path does not exist or nothing is left.
pub fn expand(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("{}: cannot list folder", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_file()
                        && p.extension().is_some_and(|x| {
                            x.eq_ignore_ascii_case("csv") || x.eq_ignore_ascii_case("zip")
                        })
                })
                .collect();
            found.sort();
            out.extend(found);
        } else if path.exists() {
            out.push(path.clone());
        } else {
            anyhow::bail!("{}: no such file or folder", path.display());
        }
    }
    anyhow::ensure!(!out.is_empty(), "no CSV files found in {}", display(paths));
    Ok(out)
}

fn display(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Loads settings from a TOML file (every key optional), or the defaults.
pub fn config(path: Option<&Path>) -> anyhow::Result<Config> {
    let Some(path) = path else {
        return Ok(Config::default());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    toml::from_str(&text).with_context(|| format!("{}: invalid settings", path.display()))
}

/// Reads every file, streaming; a `.zip` is read member by member (see
/// [`engine::ingest::archive`]). A file that cannot be opened is recorded as a file
/// error, like any other unreadable file.
///
/// With more than one core (or `PUFFY_THREADS`), the files are split into
/// contiguous runs of about equal size, each read on a thread of its own,
/// and merged into exactly the dataset one reader makes (see
/// [`engine::ingest::parts`]; a test compares the outputs byte for byte).
pub fn ingest(files: &[PathBuf], cfg: &engine::config::IngestConfig) -> Dataset {
    let sizes: Vec<u64> = files
        .iter()
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .collect();
    let threads = threads().min(files.len());
    if threads > 1 {
        let runs = engine::ingest::parts::runs(&sizes, threads);
        let parts: Vec<Part> = std::thread::scope(|scope| {
            let handles: Vec<_> = runs
                .iter()
                .map(|run| {
                    scope.spawn(|| {
                        // The first part takes in the others (`merge`):
                        // room for the whole batch, no growing later.
                        let bytes = match run.start {
                            0 => sizes.iter().sum(),
                            _ => sizes[run.clone()].iter().sum(),
                        };
                        let mut part = Part::with_expected_bytes(cfg, bytes);
                        for path in &files[run.clone()] {
                            read(part.ingest(), path);
                        }
                        part
                    })
                })
                .collect();
            handles.into_iter().filter_map(|h| h.join().ok()).collect()
        });
        if parts.len() == runs.len() {
            if let Some(ds) = engine::ingest::parts::merge_joined(parts, &Threads) {
                return ds;
            }
        }
    }
    let mut ingest = Ingest::with_expected_bytes(sizes.iter().sum()).with_config(cfg);
    for path in files {
        read(&mut ingest, path);
    }
    ingest.finish()
}

/// Runs the pipeline after ingest, its independent stages on two threads
/// when [`threads`] allows more than one.
pub fn pipeline(ds: &Dataset, cfg: &Config) -> engine::Result<engine::pipeline::Run> {
    engine::pipeline::run_joined(ds, cfg, Default::default(), &Threads)
}

/// Runs the second of two pieces of work on a thread of its own, when more
/// than one thread is allowed.
struct Threads;

impl engine::pipeline::Join for Threads {
    fn join<A: Send, B: Send>(
        &self,
        a: impl FnOnce() -> A + Send,
        b: impl FnOnce() -> B + Send,
    ) -> (A, B) {
        if threads() < 2 {
            return (a(), b());
        }
        std::thread::scope(|scope| {
            let b = scope.spawn(b);
            let a = a();
            (a, b.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
        })
    }
}

/// Threads to work with: `PUFFY_THREADS`, else the cores available.
pub fn threads() -> usize {
    std::env::var("PUFFY_THREADS")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, 64)
}

/// Reads one file, or each member of a `.zip`, into `ingest`.
fn read(ingest: &mut Ingest, path: &Path) {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let zipped = path
        .extension()
        .is_some_and(|x| x.eq_ignore_ascii_case("zip"));
    match File::open(path) {
        Ok(f) if zipped => engine::ingest::archive::add_zip(ingest, &name, BufReader::new(f)),
        Ok(f) => {
            ingest.add_file(&name, BufReader::with_capacity(1 << 20, f));
        }
        Err(e) => {
            ingest.add_unreadable(&name, &e.to_string());
        }
    }
}
