//! Download files made in the browser: the seven tables (byte-identical to
//! `puffy run`), `report.json`, `manifest.json` (settings, inputs with size
//! and SHA-256, row counts, app version) and `all.zip` with all of them.

use std::io::Write;

use engine::config::Config;
use engine::ingest::Dataset;
use engine::outputs::tables::Table;
use engine::pipeline::Run;
use engine::report::Report;
use engine::summary::slice::{Keep, Slice};
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
    /// The period and segment the tables are of (none: the whole batch).
    #[serde(skip_serializing_if = "Option::is_none")]
    slice: Option<&'a Slice>,
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

/// A sink that passes bytes on and counts the line ends among them.
struct Lines<W> {
    inner: W,
    ends: u64,
}

impl<W: Write> Write for Lines<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.ends += buf[..n].iter().filter(|&&c| c == b'\n').count() as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Writes a table into `out` as it is made; its data rows (lines minus
/// the header).
fn write_table(
    data: &Dataset,
    run: &Run,
    keep: Option<&Keep>,
    table: Table,
    out: &mut dyn Write,
) -> Result<u64, String> {
    let mut sink = Lines {
        inner: out,
        ends: 0,
    };
    engine::outputs::tables::write_kept(data, run, table, keep, &mut sink)
        .map_err(|e| e.to_string())?;
    Ok(sink.ends.saturating_sub(1))
}

fn manifest(
    data: &Dataset,
    run: &Run,
    slice: Option<&Slice>,
    inputs: &[InputDigest],
    tables: &[(&'static str, u64)],
) -> Result<Vec<u8>, String> {
    let manifest = Manifest {
        app: "Puffy Analytics",
        version: env!("CARGO_PKG_VERSION"),
        settings: &run.cfg,
        slice,
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
        tables: tables.to_vec(),
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
    let mut out = Vec::new();
    write(data, run, &Shown::whole(), inputs, download, &mut out)?;
    Ok(out)
}

/// What the downloads are of: the whole run, or a slice of it (its
/// sessions' flags and its report, already made for the page).
#[derive(Clone, Copy)]
pub struct Shown<'a> {
    /// The slice's sessions; none: every row.
    pub keep: Option<&'a Keep>,
    /// Its report; none: the whole run's, made when asked for.
    pub report: Option<&'a Report>,
}

impl Shown<'_> {
    /// The whole run.
    pub fn whole() -> Shown<'static> {
        Shown {
            keep: None,
            report: None,
        }
    }
}

/// Writes one download into `out` as it is made: a table row by row, and
/// `all.zip` entry by entry, each table compressed as it is written (a
/// ZIP with data descriptors, which needs no seeking back). Neither is
/// ever whole in memory, whatever the size of the batch.
pub fn write(
    data: &Dataset,
    run: &Run,
    shown: &Shown,
    inputs: &[InputDigest],
    download: Download,
    out: &mut dyn Write,
) -> Result<(), String> {
    let report = || {
        match shown.report {
            Some(r) => serde_json::to_vec_pretty(r),
            None => serde_json::to_vec_pretty(&engine::report::report(data, run)),
        }
        .map_err(|e| e.to_string())
    };
    let keep = shown.keep;
    let slice = shown.report.and_then(|r| r.slice.as_ref());
    match download {
        Download::Table(t) => write_table(data, run, keep, t, out).map(|_| ()),
        Download::ReportJson => out.write_all(&report()?).map_err(|e| e.to_string()),
        Download::Manifest => {
            // Row counts only: each table is counted as it is made, not kept.
            let mut counts = Vec::new();
            for t in Table::ALL {
                counts.push((
                    t.file_name(),
                    write_table(data, run, keep, t, &mut std::io::sink())?,
                ));
            }
            let bytes = manifest(data, run, slice, inputs, &counts)?;
            out.write_all(&bytes).map_err(|e| e.to_string())
        }
        Download::AllZip => {
            let err = |e: zip::result::ZipError| e.to_string();
            let mut zip = zip::ZipWriter::new_stream(out);
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            let mut counts = Vec::new();
            for t in Table::ALL {
                zip.start_file(t.file_name(), options).map_err(err)?;
                counts.push((t.file_name(), write_table(data, run, keep, t, &mut zip)?));
            }
            let extra = [
                ("report.json", report()?),
                (
                    "manifest.json",
                    manifest(data, run, slice, inputs, &counts)?,
                ),
            ];
            for (entry, bytes) in extra {
                zip.start_file(entry, options).map_err(err)?;
                zip.write_all(&bytes).map_err(|e| e.to_string())?;
            }
            zip.finish().map_err(err)?;
            Ok(())
        }
    }
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn all_zip_is_streamed_entry_by_entry_and_holds_every_file() {
        let (files, _) = engine::synth::generate(&engine::synth::SynthConfig {
            days: 3,
            events_per_day: 400,
            ..Default::default()
        });
        let data =
            engine::ingest::ingest(files.iter().map(|f| (f.name.as_str(), f.bytes.as_slice())));
        let run = engine::pipeline::run(&data, &Config::default()).unwrap();
        let inputs: Vec<InputDigest> = files
            .iter()
            .map(|f| InputDigest::of(&f.name, &f.bytes))
            .collect();
        // A sink that cannot seek: the writer must never go back.
        struct Forward(Vec<u8>);
        impl Write for Forward {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut out = Forward(Vec::new());
        write(
            &data,
            &run,
            &Shown::whole(),
            &inputs,
            Download::AllZip,
            &mut out,
        )
        .unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(out.0)).unwrap();
        let mut entry = |name: &str| {
            let mut bytes = Vec::new();
            zip.by_name(name).unwrap().read_to_end(&mut bytes).unwrap();
            bytes
        };
        let report = serde_json::to_vec_pretty(&engine::report::report(&data, &run)).unwrap();
        assert!(entry("report.json") == report);
        let manifest: serde_json::Value = serde_json::from_slice(&entry("manifest.json")).unwrap();
        for (i, t) in Table::ALL.into_iter().enumerate() {
            let table = engine::outputs::tables::table(&data, &run, t);
            assert!(entry(t.file_name()) == table, "{}", t.file_name());
            // Rows counted by hand: line ends minus the header.
            let lines = table.iter().filter(|&&c| c == b'\n').count() as u64 - 1;
            assert_eq!(
                manifest["tables"][i],
                serde_json::json!([t.file_name(), lines])
            );
        }
        // The manifest alone says the same as the one in the ZIP.
        let alone = file(&data, &run, &inputs, Download::Manifest).unwrap();
        assert!(alone == entry("manifest.json"));
    }
}
