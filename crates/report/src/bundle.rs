//! Download files made in the browser: the seven tables (byte-identical to
//! `puffy run`), `report.json`, `manifest.json` (settings, inputs with size
//! and SHA-256, row counts, app version) and `all.zip` with all of them.

use std::io::Write;

use engine::config::Config;
use engine::ingest::Dataset;
use engine::outputs::tables::Table;
use engine::pipeline::Run;
use serde::Serialize;

/// One input file as the manifest states it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputDigest {
    /// File name.
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of its bytes, hex.
    pub sha256: String,
}

impl InputDigest {
    /// The digest of bytes held in memory.
    pub fn of(name: &str, bytes: &[u8]) -> InputDigest {
        use sha2::Digest;
        InputDigest {
            name: name.to_string(),
            bytes: bytes.len() as u64,
            sha256: hex(&sha2::Sha256::digest(bytes)),
        }
    }
}

#[derive(Serialize)]
struct Manifest<'a> {
    app: &'static str,
    version: &'static str,
    settings: &'a Config,
    inputs: Vec<ManifestInput<'a>>,
    tables: Vec<(&'static str, u64)>,
}

#[derive(Serialize)]
struct ManifestInput<'a> {
    #[serde(flatten)]
    digest: &'a InputDigest,
    rows: u64,
    accepted: u64,
    quarantined: u64,
    error: Option<&'a str>,
    /// For a ZIP archive: the CSV members read from it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    members: Vec<&'a str>,
}

/// Data rows of a CSV table (lines minus the header).
fn rows(table: &[u8]) -> u64 {
    table
        .iter()
        .filter(|&&c| c == b'\n')
        .count()
        .saturating_sub(1) as u64
}

fn manifest(
    data: &Dataset,
    run: &Run,
    inputs: &[InputDigest],
    tables: &[(&'static str, Vec<u8>)],
) -> Result<Vec<u8>, String> {
    let manifest = Manifest {
        app: "Puffy Analytics",
        version: env!("CARGO_PKG_VERSION"),
        settings: &run.cfg,
        inputs: inputs
            .iter()
            .map(|d| {
                // A plain file is itself; an archive is the sum of its members.
                let members: Vec<_> = data
                    .files
                    .iter()
                    .filter(|f| f.archive.as_deref() == Some(d.name.as_str()))
                    .collect();
                let own = data
                    .files
                    .iter()
                    .find(|f| f.archive.is_none() && f.name == d.name);
                let parts: Vec<_> = own.into_iter().chain(members.iter().copied()).collect();
                ManifestInput {
                    digest: d,
                    rows: parts.iter().map(|f| f.rows).sum(),
                    accepted: parts.iter().map(|f| f.accepted).sum(),
                    quarantined: parts.iter().map(|f| f.quarantined).sum(),
                    error: parts.iter().find_map(|f| f.error.as_deref()),
                    members: members.iter().map(|f| f.name.as_str()).collect(),
                }
            })
            .collect(),
        tables: tables
            .iter()
            .map(|(name, bytes)| (*name, rows(bytes)))
            .collect(),
    };
    serde_json::to_vec_pretty(&manifest).map_err(|e| e.to_string())
}

/// A file the page offers for download, made in the worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Download {
    /// One of the engine's tables.
    Table(Table),
    /// `report.json`.
    ReportJson,
    /// `manifest.json`: settings, inputs (size, SHA-256, rows), table rows.
    Manifest,
    /// `all.zip`: every table, `report.json` and `manifest.json`.
    AllZip,
}

impl Download {
    /// The file name.
    pub fn file_name(self) -> &'static str {
        match self {
            Download::Table(t) => t.file_name(),
            Download::ReportJson => "report.json",
            Download::Manifest => "manifest.json",
            Download::AllZip => "all.zip",
        }
    }

    /// The download of a file name, if it is one.
    pub fn from_file_name(name: &str) -> Option<Download> {
        match name {
            "report.json" => Some(Download::ReportJson),
            "manifest.json" => Some(Download::Manifest),
            "all.zip" => Some(Download::AllZip),
            other => Table::from_file_name(other).map(Download::Table),
        }
    }

    /// Whether making it needs the inputs' SHA-256 (the manifest does).
    pub fn needs_digests(self) -> bool {
        matches!(self, Download::Manifest | Download::AllZip)
    }
}

/// Makes one download from the run already computed for the report.
pub fn file(
    data: &Dataset,
    run: &Run,
    inputs: &[InputDigest],
    download: Download,
) -> Result<Vec<u8>, String> {
    let report =
        || serde_json::to_vec_pretty(&engine::report::report(data, run)).map_err(|e| e.to_string());
    // Every table, made once (the ZIP and the manifest's row counts share them).
    let tables = || -> Vec<(&'static str, Vec<u8>)> {
        Table::ALL
            .iter()
            .map(|&t| (t.file_name(), engine::outputs::tables::table(data, run, t)))
            .collect()
    };
    match download {
        Download::Table(t) => Ok(engine::outputs::tables::table(data, run, t)),
        Download::ReportJson => report(),
        Download::Manifest => manifest(data, run, inputs, &tables()),
        Download::AllZip => {
            let tables = tables();
            let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            let extra = [
                ("report.json", report()?),
                ("manifest.json", manifest(data, run, inputs, &tables)?),
            ];
            for (entry, bytes) in tables.iter().chain(extra.iter()) {
                zip.start_file(*entry, options).map_err(|e| e.to_string())?;
                zip.write_all(bytes).map_err(|e| e.to_string())?;
            }
            Ok(zip.finish().map_err(|e| e.to_string())?.into_inner())
        }
    }
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
