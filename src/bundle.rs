//! Download files made in the browser: the seven tables (byte-identical to
//! `puffy run`), `report.json`, `manifest.json` (settings, inputs with size
//! and SHA-256, row counts, app version) and `all.zip` with all of them.

use std::io::Write;

use engine::config::Config;
use engine::ingest::Dataset;
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
            sha256: crate::worker::hex(&sha2::Sha256::digest(bytes)),
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
}

/// Makes one download by name.
pub fn file(
    data: &Dataset,
    config: &Config,
    inputs: &[InputDigest],
    name: &str,
) -> Result<Vec<u8>, String> {
    let run = engine::report::run(data, config).map_err(|e| e.to_string())?;
    let one = |name: &str| -> Result<Vec<u8>, String> {
        if let Some(bytes) = engine::tables::table(data, &run, name) {
            return Ok(bytes);
        }
        match name {
            "report.json" => serde_json::to_vec_pretty(&engine::report::report(data, &run))
                .map_err(|e| e.to_string()),
            "manifest.json" => {
                let rows = |t: &str| {
                    engine::tables::table(data, &run, t).map_or(0, |b| {
                        b.iter().filter(|&&c| c == b'\n').count().saturating_sub(1) as u64
                    })
                };
                let manifest = Manifest {
                    app: "Puffy Analytics",
                    version: env!("CARGO_PKG_VERSION"),
                    settings: config,
                    inputs: inputs
                        .iter()
                        .map(|d| {
                            let f = data.files.iter().find(|f| f.name == d.name);
                            ManifestInput {
                                digest: d,
                                rows: f.map_or(0, |f| f.rows),
                                accepted: f.map_or(0, |f| f.accepted),
                                quarantined: f.map_or(0, |f| f.quarantined),
                                error: f.and_then(|f| f.error.as_deref()),
                            }
                        })
                        .collect(),
                    tables: engine::tables::TABLES
                        .iter()
                        .map(|t| (*t, rows(t)))
                        .collect(),
                };
                serde_json::to_vec_pretty(&manifest).map_err(|e| e.to_string())
            }
            other => Err(format!("unknown download {other:?}")),
        }
    };
    if name != "all.zip" {
        return one(name);
    }
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for entry in engine::tables::TABLES
        .iter()
        .copied()
        .chain(["report.json", "manifest.json"])
    {
        zip.start_file(entry, options).map_err(|e| e.to_string())?;
        zip.write_all(&one(entry)?).map_err(|e| e.to_string())?;
    }
    Ok(zip.finish().map_err(|e| e.to_string())?.into_inner())
}
