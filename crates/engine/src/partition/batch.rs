//! What the job decides over the whole batch with the engine's rules, and
//! what the driver makes from it: payment providers, reused transactions,
//! exact copies counted on their files, `quarantine.csv` and `report.json`.

use rustc_hash::FxHashSet;

use crate::attribution::markov::Transitions;
use crate::attribution::{channel_names, markov_summary};
use crate::config::Config;
use crate::enrich::{set_aside_reason, SetAside};
use crate::ingest::{Dataset, FileReport, QuarantinedRow};
use crate::model::{cents_to_f64, format_ts};
use crate::outputs::tables;
use crate::partition::InputRows;
use crate::quality::checks;
use crate::quality::{DuplicateTransaction, OrderRef};
use crate::report::{report_from, Batch, Report};
use crate::summary::RunTally;

/// One referrer source's counts over part of the batch (they add up).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReferrerCounts {
    /// Referrals to pages off checkout.
    pub other_events: u64,
    /// Distinct clients it referred to checkout pages.
    pub checkout_clients: u64,
}

/// The sources the batch sets aside as payment providers, from their
/// counts over the whole batch (the rule of [`crate::enrich::set_aside_reason`]).
pub fn payment_providers<'a>(
    cfg: &Config,
    counts: impl IntoIterator<Item = (&'a str, ReferrerCounts)>,
) -> FxHashSet<String> {
    counts
        .into_iter()
        .filter(|(source, c)| {
            set_aside_reason(&cfg.site, source, c.other_events, c.checkout_clients)
                == Some(SetAside::Detected)
        })
        .map(|(source, _)| source.to_string())
        .collect()
}

/// The files of every input, in input order: the batch's file list.
pub fn batch_files(inputs: &[InputRows]) -> Vec<FileReport> {
    inputs
        .iter()
        .flat_map(|i| i.files.iter().cloned())
        .collect()
}

/// The batch's files and quarantine from each input's, in input order
/// (quarantined rows renumbered onto the batch's files).
fn files_and_quarantine(inputs: Vec<InputRows>) -> (Vec<FileReport>, Vec<QuarantinedRow>) {
    let (mut files, mut quarantine) = (Vec::new(), Vec::new());
    for input in inputs {
        let offset = files.len() as u32;
        files.extend(input.files);
        quarantine.extend(input.quarantine.into_iter().map(|mut q| {
            q.file += offset;
            q
        }));
    }
    (files, quarantine)
}

/// `quarantine.csv` of the batch from each input's files and quarantine, in
/// input order.
pub fn quarantine(inputs: Vec<InputRows>) -> Vec<u8> {
    let (files, quarantine) = files_and_quarantine(inputs);
    let ds = Dataset {
        files,
        quarantine,
        ..Dataset::default()
    };
    let mut out = Vec::new();
    let _ = tables::write_quarantine(&ds, &mut out);
    out
}

/// An order row of a reused transaction id, as the job collects them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRow {
    /// Epoch milliseconds.
    pub ts: i64,
    /// File index in the batch.
    pub file: u32,
    /// 1-based line.
    pub line: u32,
    /// Client id.
    pub client: String,
    /// Transaction id.
    pub transaction_id: String,
    /// Revenue in cents.
    pub revenue_cents: i64,
}

/// The reused transaction ids of the batch from its distinct orders whose
/// id appears more than once (the rule of
/// [`crate::quality::checks::transaction_duplicates`]).
pub fn reused_transactions(
    mut orders: Vec<OrderRow>,
    files: &[FileReport],
) -> Vec<DuplicateTransaction> {
    orders.sort_unstable_by_key(|o| (o.ts, o.file, o.line));
    let order_ref = |i: usize| {
        let o: &OrderRow = &orders[i];
        OrderRef {
            file: files
                .get(o.file as usize)
                .map_or_else(String::new, |f| f.name.clone()),
            line: u64::from(o.line),
            client_id: o.client.clone(),
            timestamp: format_ts(o.ts),
            revenue: cents_to_f64(o.revenue_cents),
        }
    };
    let ids = orders
        .iter()
        .enumerate()
        .map(|(i, o)| (i, o.transaction_id.as_str()));
    let txn = |i: usize| orders[i].transaction_id.clone();
    checks::reused_transactions(ids, txn, order_ref).list
}

/// Counts exact copies on the files of the batch: `(copy's file, first
/// copy's file, copies, line of the earliest copy)` per pair, as the job
/// found them (one reader counts them as it meets them, in row order).
pub fn count_copies(files: &mut [FileReport], mut copies: Vec<(u32, u32, u64, u32)>) {
    copies.sort_unstable_by_key(|&(file, _, _, line)| (file, line));
    for (file, first, n, _) in copies {
        if let Some(f) = files.get_mut(file as usize) {
            f.duplicates += n;
            f.duplicate_of.push((first, n));
        }
    }
}

/// `report.json` of the batch: each input's files and quarantine (in input
/// order), the exact copies ([`count_copies`]), the reused transactions'
/// orders ([`reused_transactions`]), the partitions' tallies added up and
/// the batch's Markov counts.
pub fn report(
    inputs: Vec<InputRows>,
    copies: Vec<(u32, u32, u64, u32)>,
    reused: Vec<OrderRow>,
    tally: &RunTally,
    markov: &Transitions,
    cfg: &Config,
) -> Report {
    let (mut files, quarantine) = files_and_quarantine(inputs);
    count_copies(&mut files, copies);
    let duplicates = reused_transactions(reused, &files);
    let channels = channel_names(&cfg.channels);
    let markov = markov_summary(markov, &cfg.attribution, &channels);
    let batch = Batch {
        files: &files,
        quarantine: &quarantine,
        duplicates: &duplicates,
        cfg,
        markov: &markov,
    };
    report_from(tally, &batch)
}
