//! `puffy_engine._native`: the engine's per-partition steps for the Spark
//! job (see `engine::partition`). Columns cross as raw little-endian
//! buffers (Arrow's layout: a binary column is `i64` offsets and its bytes),
//! which `puffy_engine` wraps into `pyarrow` arrays without copying them.
//! Every error becomes a `ValueError` naming what was wrong.

use engine::attribution::markov::Transitions;
use engine::config::Config;
use engine::ingest::{FileReport, QuarantinedRow};
use engine::partition::{self, ChannelDays, InputRows, Keyed, PartitionRow};
use engine::pipeline::{run_with, Given};
use engine::summary::RunTally;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use serde::{Deserialize, Serialize};

/// What reading an input tells the driver (the rows go to the tasks).
#[derive(Serialize, Deserialize)]
struct Side {
    files: Vec<FileReport>,
    quarantine: Vec<QuarantinedRow>,
    revenue_cents: i64,
}

fn error(what: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(what.to_string())
}

/// The settings from `puffy.toml` text (empty: the defaults), validated.
fn config(toml_text: &str) -> PyResult<Config> {
    let cfg: Config =
        toml::from_str(toml_text).map_err(|e| error(format!("invalid settings: {e}")))?;
    cfg.validate().map_err(error)?;
    Ok(cfg)
}

/// A binary column as (offsets, bytes).
struct Binary {
    offsets: Vec<i64>,
    data: Vec<u8>,
}

impl Binary {
    fn new() -> Binary {
        Binary {
            offsets: vec![0],
            data: Vec::new(),
        }
    }

    fn push(&mut self, value: &[u8]) {
        self.data.extend_from_slice(value);
        self.offsets.push(self.data.len() as i64);
    }
}

fn bytes<'py>(py: Python<'py>, b: &[u8]) -> Bound<'py, PyBytes> {
    PyBytes::new(py, b)
}

fn le<T: Copy, const N: usize>(values: &[T], to: impl Fn(T) -> [u8; N]) -> Vec<u8> {
    values.iter().flat_map(|&v| to(v)).collect()
}

fn binary<'py>(
    py: Python<'py>,
    offsets: &[i64],
    data: &[u8],
) -> (Bound<'py, PyBytes>, Bound<'py, PyBytes>) {
    (bytes(py, &le(offsets, i64::to_le_bytes)), bytes(py, data))
}

/// A table's rows and keys: `{"rows": (offsets, bytes), "ts", "file",
/// "line", "seq"}`.
fn keyed<'py>(py: Python<'py>, part: &Keyed) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    out.set_item("rows", binary(py, &part.rows.offsets, &part.rows.data))?;
    let keys = &part.keys;
    let ts: Vec<i64> = keys.iter().map(|k| k.0).collect();
    out.set_item("ts", bytes(py, &le(&ts, i64::to_le_bytes)))?;
    for (name, field) in [("file", 1), ("line", 2), ("seq", 3)] {
        let values: Vec<u32> = keys
            .iter()
            .map(|k| match field {
                1 => k.1,
                2 => k.2,
                _ => k.3,
            })
            .collect();
        out.set_item(name, bytes(py, &le(&values, u32::to_le_bytes)))?;
    }
    Ok(out)
}

/// Reads one input (CSV, or ZIP by its name) into columns: `file` (index
/// within the input, u32), `line` (u32), `ts` (i64), `client`, `email`,
/// `transaction_id`, `record` (binary); and `side`, the files and quarantine
/// as bytes for the driver.
#[pyfunction]
fn read_input<'py>(
    py: Python<'py>,
    name: &str,
    data: &[u8],
    settings: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let cfg = config(settings)?;
    let InputRows {
        files,
        quarantine,
        rows,
        revenue_cents,
    } = py.detach(|| partition::read_input(name, data, &cfg));
    let (mut client, mut email, mut txn, mut referrer, mut record) = (
        Binary::new(),
        Binary::new(),
        Binary::new(),
        Binary::new(),
        Binary::new(),
    );
    for r in &rows {
        client.push(r.client.as_bytes());
        email.push(r.email.as_bytes());
        txn.push(r.transaction_id.as_bytes());
        referrer.push(r.referrer_source.as_bytes());
        record.push(&r.record);
    }
    let out = PyDict::new(py);
    let ints32 = |f: fn(&partition::Row) -> u32| {
        le(&rows.iter().map(f).collect::<Vec<_>>(), u32::to_le_bytes)
    };
    out.set_item("file", bytes(py, &ints32(|r| r.file)))?;
    out.set_item("line", bytes(py, &ints32(|r| r.line)))?;
    let ts: Vec<i64> = rows.iter().map(|r| r.ts).collect();
    out.set_item("ts", bytes(py, &le(&ts, i64::to_le_bytes)))?;
    out.set_item("client", binary(py, &client.offsets, &client.data))?;
    out.set_item("email", binary(py, &email.offsets, &email.data))?;
    out.set_item("transaction_id", binary(py, &txn.offsets, &txn.data))?;
    out.set_item(
        "referrer_source",
        binary(py, &referrer.offsets, &referrer.data),
    )?;
    let checkout: Vec<u8> = rows.iter().map(|r| u8::from(r.checkout_page)).collect();
    out.set_item("checkout_page", bytes(py, &checkout))?;
    let revenue: Vec<i64> = rows.iter().map(|r| r.revenue_cents).collect();
    out.set_item("revenue_cents", bytes(py, &le(&revenue, i64::to_le_bytes)))?;
    out.set_item("record", binary(py, &record.offsets, &record.data))?;
    let side = Side {
        files,
        quarantine,
        revenue_cents,
    };
    out.set_item(
        "side",
        bytes(py, &postcard::to_allocvec(&side).map_err(error)?),
    )?;
    Ok(out)
}

/// The file names an input's side holds, and its orders' revenue in cents.
#[pyfunction]
fn side_files(side: &[u8]) -> PyResult<(Vec<String>, i64)> {
    let side: Side = postcard::from_bytes(side).map_err(error)?;
    Ok((
        side.files.into_iter().map(|f| f.name).collect(),
        side.revenue_cents,
    ))
}

/// Every input's file reports, in input order, as the bytes
/// `run_partition` takes (what a partition needs of the batch's files).
#[pyfunction]
fn batch_files<'py>(py: Python<'py>, sides: Vec<Vec<u8>>) -> PyResult<Bound<'py, PyBytes>> {
    let mut files: Vec<FileReport> = Vec::new();
    for s in &sides {
        let side: Side = postcard::from_bytes(s).map_err(error)?;
        files.extend(side.files);
    }
    Ok(bytes(py, &postcard::to_allocvec(&files).map_err(error)?))
}

/// u32 / i64 values from little-endian bytes.
fn u32s(b: &[u8]) -> Vec<u32> {
    b.chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

fn i64s(b: &[u8]) -> Vec<i64> {
    b.chunks_exact(8)
        .map(|c| i64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
        .collect()
}

/// The referrer sources the batch sets aside as payment providers, from
/// each source's counts over the whole batch: (source, referrals off
/// checkout, distinct clients referred to checkout).
#[pyfunction]
fn payment_providers(settings: &str, counts: Vec<(String, u64, u64)>) -> PyResult<Vec<String>> {
    let cfg = config(settings)?;
    let counts = counts.iter().map(|(source, other, clients)| {
        let c = partition::ReferrerCounts {
            other_events: *other,
            checkout_clients: *clients,
        };
        (source.as_str(), c)
    });
    let mut list: Vec<String> = partition::payment_providers(&cfg, counts)
        .into_iter()
        .collect();
    list.sort();
    Ok(list)
}

/// Runs the pipeline on one partition of persons. `files`: the batch's
/// files ([`batch_files`]). Columns: `file`, `line` (u32), the records'
/// `offsets` (i64) and `data`, `excluded` (one byte a row); `providers`,
/// the payment providers of the batch. Without `markov`
/// (the first pass) it returns the partition's Markov counts only; with the
/// batch's counts, every table's rows too.
#[pyfunction]
#[pyo3(signature = (files, settings, providers, file, line, offsets, data, excluded, markov=None))]
#[allow(clippy::too_many_arguments)]
fn run_partition<'py>(
    py: Python<'py>,
    files: &[u8],
    settings: &str,
    providers: Vec<String>,
    file: &[u8],
    line: &[u8],
    offsets: &[u8],
    data: &[u8],
    excluded: &[u8],
    markov: Option<&[u8]>,
) -> PyResult<Bound<'py, PyDict>> {
    let cfg = config(settings)?;
    let files: Vec<FileReport> = postcard::from_bytes(files)
        .map_err(|e| error(format!("file reports that cannot be read ({e})")))?;
    let markov: Option<Transitions> = markov
        .map(|m| {
            postcard::from_bytes(m)
                .map_err(|e| error(format!("Markov counts that cannot be read ({e})")))
        })
        .transpose()?;
    let second_pass = markov.is_some();
    let (file, line, offsets) = (u32s(file), u32s(line), i64s(offsets));
    let n = file.len();
    if line.len() != n || excluded.len() != n || offsets.len() != n + 1 {
        return Err(error(format!(
            "columns of different lengths: {n} files, {} lines, {} offsets, {} flags",
            line.len(),
            offsets.len(),
            excluded.len()
        )));
    }
    let mut input = Vec::with_capacity(n);
    for i in 0..n {
        let (a, b) = (offsets[i] as usize, offsets[i + 1] as usize);
        let record = data
            .get(a..b)
            .ok_or_else(|| error("record offsets past the data"))?;
        input.push(PartitionRow {
            file: file[i],
            line: line[i],
            record,
            excluded: excluded[i] != 0,
        });
    }
    let result = py.detach(|| -> Result<_, String> {
        let (ds, excluded) = partition::dataset(&files, input)?;
        let given = Given {
            excluded: Some(excluded),
            markov,
            payment_providers: Some(providers.into_iter().collect()),
        };
        let run = run_with(&ds, &cfg, given).map_err(|e| e.to_string())?;
        Ok(if second_pass {
            (
                run.attribution.transitions.clone(),
                Some(partition::tables(&ds, &run)),
            )
        } else {
            (run.attribution.transitions, None)
        })
    });
    let (transitions, tables) = result.map_err(error)?;
    let out = PyDict::new(py);
    out.set_item(
        "transitions",
        bytes(py, &postcard::to_allocvec(&transitions).map_err(error)?),
    )?;
    if let Some(t) = tables {
        for (name, part) in [
            ("events_enriched", &t.events),
            ("sessions", &t.sessions),
            ("conversions", &t.conversions),
            ("attribution", &t.attribution),
            ("user_journeys", &t.journeys),
        ] {
            out.set_item(name, keyed(py, part)?)?;
        }
        out.set_item("channel_days", bytes(py, &t.channel_days.to_bytes()))?;
        out.set_item(
            "tally",
            bytes(py, &postcard::to_allocvec(&t.tally).map_err(error)?),
        )?;
    }
    Ok(out)
}

/// The batch's Markov counts: the partitions' added up.
#[pyfunction]
fn merge_markov<'py>(py: Python<'py>, parts: Vec<Vec<u8>>) -> PyResult<Bound<'py, PyBytes>> {
    let mut total: Option<Transitions> = None;
    for p in &parts {
        let t: Transitions = postcard::from_bytes(p).map_err(error)?;
        match &mut total {
            Some(total) => total.merge(&t).map_err(error)?,
            None => total = Some(t),
        }
    }
    let total = total.ok_or_else(|| error("no Markov counts to add"))?;
    Ok(bytes(py, &postcard::to_allocvec(&total).map_err(error)?))
}

/// `channel_summary.csv` from the partitions' channel days.
#[pyfunction]
fn channel_summary<'py>(py: Python<'py>, parts: Vec<Vec<u8>>) -> PyResult<Bound<'py, PyBytes>> {
    let mut days = ChannelDays::default();
    for p in &parts {
        days.add_bytes(p).map_err(error)?;
    }
    Ok(bytes(py, &partition::channel_summary(&days)))
}

/// Each input's files and quarantine from its side.
fn inputs(sides: &[Vec<u8>]) -> PyResult<Vec<InputRows>> {
    sides
        .iter()
        .map(|s| {
            let side: Side = postcard::from_bytes(s).map_err(error)?;
            Ok(InputRows {
                files: side.files,
                quarantine: side.quarantine,
                rows: Vec::new(),
                revenue_cents: side.revenue_cents,
            })
        })
        .collect()
}

/// `quarantine.csv` from each input's side, in input order.
#[pyfunction]
fn quarantine<'py>(py: Python<'py>, sides: Vec<Vec<u8>>) -> PyResult<Bound<'py, PyBytes>> {
    let inputs = inputs(&sides)?;
    Ok(bytes(py, &partition::quarantine(inputs)))
}

/// `report.json` of the batch (the bytes `puffy run` writes): each input's
/// side, in input order; the exact copies as (copy's file, first copy's
/// file, copies, earliest copy's line); the orders of reused transaction
/// ids as (ts, file, line, client, transaction id, cents); the partitions'
/// tallies; the batch's Markov counts.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn report<'py>(
    py: Python<'py>,
    settings: &str,
    sides: Vec<Vec<u8>>,
    copies: Vec<(u32, u32, u64, u32)>,
    reused: Vec<(i64, u32, u32, String, String, i64)>,
    tallies: Vec<Vec<u8>>,
    markov: &[u8],
) -> PyResult<Bound<'py, PyBytes>> {
    let cfg = config(settings)?;
    let inputs = inputs(&sides)?;
    let mut tally = RunTally::default();
    for t in &tallies {
        let t: RunTally = postcard::from_bytes(t)
            .map_err(|e| error(format!("a tally that cannot be read ({e})")))?;
        tally.merge(&t);
    }
    let markov: Transitions = postcard::from_bytes(markov).map_err(error)?;
    let reused = reused
        .into_iter()
        .map(
            |(ts, file, line, client, transaction_id, revenue_cents)| partition::OrderRow {
                ts,
                file,
                line,
                client,
                transaction_id,
                revenue_cents,
            },
        )
        .collect();
    let report = py.detach(|| partition::report(inputs, copies, reused, &tally, &markov, &cfg));
    Ok(bytes(
        py,
        &serde_json::to_vec_pretty(&report).map_err(error)?,
    ))
}

/// The header line of each table, as the engine writes it.
#[pyfunction]
fn headers() -> Vec<(String, String)> {
    use engine::outputs::tables::Table;
    Table::ALL
        .into_iter()
        .map(|t| {
            let bytes = engine::outputs::tables::header(t);
            (
                t.file_name().to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        })
        .collect()
}

/// The module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // Text from an export is hashed under a seed from the system's
    // randomness (engine::hashing), one per process of the job.
    engine::hashing::set_seed({
        use std::hash::BuildHasher;
        std::collections::hash_map::RandomState::new().hash_one(0u64)
    });
    m.add_function(wrap_pyfunction!(read_input, m)?)?;
    m.add_function(wrap_pyfunction!(side_files, m)?)?;
    m.add_function(wrap_pyfunction!(batch_files, m)?)?;
    m.add_function(wrap_pyfunction!(payment_providers, m)?)?;
    m.add_function(wrap_pyfunction!(run_partition, m)?)?;
    m.add_function(wrap_pyfunction!(merge_markov, m)?)?;
    m.add_function(wrap_pyfunction!(channel_summary, m)?)?;
    m.add_function(wrap_pyfunction!(quarantine, m)?)?;
    m.add_function(wrap_pyfunction!(headers, m)?)?;
    m.add_function(wrap_pyfunction!(report, m)?)?;
    m.add("ENGINE_VERSION", env!("CARGO_PKG_VERSION"))?;
    m.add(
        "MAX_BATCH_REVENUE_CENTS",
        engine::limits::MAX_BATCH_REVENUE_CENTS,
    )?;
    Ok(())
}
