//! Synth: realistic daily export files, deterministic from a seed, with
//! every quirk of the data dictionary injected on purpose and recorded in a
//! [`Truth`] so tests can check that the audit finds exactly that.
//!
//! A population of clients visits the shop through nine channels. Each
//! visit has a landing page carrying that channel's click ids (hashed
//! values, real keys) and referrer, some page views, sometimes an email
//! popup, a cart, a checkout on the checkout host and an order with line
//! items. Quirks: `client_id` renamed to `clientId` from a chosen day, the
//! `referrer` column dropped on chosen days, a null-id spike, duplicate
//! transactions, bots, visits across midnight, returning clients, messy
//! items, a BOM + CRLF file, a trailing blank line, bad rows, a file cut
//! off mid-row, a payment provider that refers shoppers back to checkout
//! pages (sometimes after longer than a session timeout), and people whose
//! user agents look a little like bots.

pub mod traffic;
pub mod visits;

use chrono::NaiveDate;
use serde::Serialize;

use crate::ingest::Reason;
use crate::synth::visits::{Generator, RawEvent};

/// What to generate.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct SynthConfig {
    /// Seed of the generator: same seed, same bytes.
    pub seed: u64,
    /// First day.
    pub start: NaiveDate,
    /// Number of daily files.
    pub days: u32,
    /// Approximate events per day (humans and bots).
    pub events_per_day: u32,
    /// Day index from which `client_id` is exported as `clientId`.
    pub rename_client_id_from: Option<u32>,
    /// Day indices whose files lack the `referrer` column.
    pub drop_referrer_days: Vec<u32>,
    /// Day index with a null client-id spike.
    pub null_spike_day: Option<u32>,
    /// Share of rows without client id on the spike day.
    pub null_spike_rate: f64,
    /// Share of rows without client id on other days.
    pub base_null_rate: f64,
    /// Orders re-sent under the same transaction id.
    pub duplicate_transactions: u32,
    /// Share of events from bots.
    pub bot_share: f64,
    /// Inject unreadable rows (bad timestamp, unknown event, broken order
    /// JSON) and cut the last file off mid-row.
    pub bad_rows: bool,
    /// Day index with no file at all (a missing day).
    pub missing_day: Option<u32>,
    /// Day index whose orders are cut to a fifth (a revenue dip).
    pub revenue_dip_day: Option<u32>,
    /// The cost profile of a real export rather than a tidy one: a long
    /// tail of user agents (about 2,600 distinct in 50,000 events), mostly
    /// one-page visits (about 35,000 client ids), long checkout URLs with
    /// many query keys and product URLs with variant and search keys
    /// (about 24,500 distinct page URLs), internal referrers without their
    /// query (about 1,250 distinct referrers). Off: the tidy profile the
    /// tests were written against.
    pub real_shape: bool,
    /// Appended to every client id and transaction id (`-c07`): copies of
    /// one batch that do not collide, for scaling benchmarks.
    pub id_suffix: String,
}

impl Default for SynthConfig {
    fn default() -> Self {
        SynthConfig {
            seed: 7,
            start: NaiveDate::from_ymd_opt(2025, 2, 23).unwrap_or_default(),
            days: 14,
            events_per_day: 3500,
            rename_client_id_from: Some(4),
            drop_referrer_days: vec![9, 10],
            null_spike_day: Some(7),
            null_spike_rate: 0.2,
            base_null_rate: 0.01,
            duplicate_transactions: 3,
            bot_share: 0.12,
            bad_rows: true,
            missing_day: None,
            revenue_dip_day: None,
            real_shape: false,
            id_suffix: String::new(),
        }
    }
}

/// `YYYYMMDD`, as in the files' names.
pub(crate) fn compact_day(day: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{:04}{:02}{:02}", day.year(), day.month(), day.day())
}

/// One generated file.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthFile {
    /// `events_YYYYMMDD.csv`
    pub name: String,
    /// CSV bytes.
    pub bytes: Vec<u8>,
}

/// What was injected into one file.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct FileTruth {
    /// File name.
    pub name: String,
    /// Day.
    pub day: Option<NaiveDate>,
    /// Data rows written (including bad ones).
    pub rows: u64,
    /// Rows written with an empty client id.
    pub null_client_rows: u64,
    /// Whether the client id column is named `clientId`.
    pub renamed_client_id: bool,
    /// Whether the referrer column is absent.
    pub referrer_missing: bool,
    /// Bad rows: (line, the reason ingest must give).
    pub bad_rows: Vec<(u64, Reason)>,
    /// Bot events written.
    pub bot_rows: u64,
}

/// One human visit, with the channel it really came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VisitTruth {
    /// Client id.
    pub client_id: String,
    /// First event, epoch ms.
    pub start: i64,
    /// Channel name, as in the default channel rules.
    pub channel: &'static str,
    /// Whether the channel can only be told from the referrer.
    pub needs_referrer: bool,
}

/// An order paid through the payment provider: the shopper left checkout
/// and came back from [`visits::PAYMENT_PROVIDER`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaymentTruth {
    /// Client id.
    pub client_id: String,
    /// Start of the visit (its landing), epoch ms.
    pub visit_start: i64,
    /// The visit's channel.
    pub channel: &'static str,
    /// Whether that channel can only be told from the referrer.
    pub needs_referrer: bool,
    /// When the shopper came back (the `/processing` page), epoch ms.
    pub back: i64,
    /// How long she was away at the provider, ms.
    pub away: i64,
    /// The order's revenue in cents.
    pub revenue_cents: i64,
}

/// A transaction id sent twice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DuplicateTruth {
    /// The reused id.
    pub transaction_id: String,
    /// Revenue of the later copy (what counting it twice would add).
    pub excluded_revenue: f64,
}

/// Everything the generator injected.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Truth {
    /// Per file.
    pub files: Vec<FileTruth>,
    /// Human visits.
    pub visits: Vec<VisitTruth>,
    /// Orders paid through the payment provider.
    pub payments: Vec<PaymentTruth>,
    /// Client ids of the bots (bots without a client id are not listed).
    pub bot_clients: std::collections::BTreeSet<String>,
    /// Duplicate transactions.
    pub duplicate_transactions: Vec<DuplicateTruth>,
    /// Bot events in all files.
    pub bot_events: u64,
    /// Distinct orders (duplicates not counted).
    pub orders: u64,
    /// Their revenue in cents.
    pub revenue_cents: i64,
}

/// Generates the files and the truth.
pub fn generate(cfg: &SynthConfig) -> (Vec<SynthFile>, Truth) {
    let mut gen = Generator::new(cfg);
    let events = gen.run();
    let mut truth = gen.truth;
    let mut files = Vec::new();
    for d in 0..cfg.days {
        if cfg.missing_day == Some(d) {
            continue;
        }
        let day = cfg.start + chrono::Days::new(u64::from(d));
        let day_events: Vec<&RawEvent> = events.iter().filter(|e| e.day == day).collect();
        let (file, ft) = write_file(cfg, d, day, &day_events, &mut gen.rng);
        truth.bot_events += ft.bot_rows;
        truth.files.push(ft);
        files.push(file);
    }
    (files, truth)
}

fn write_file(
    cfg: &SynthConfig,
    d: u32,
    day: NaiveDate,
    events: &[&RawEvent],
    rng: &mut crate::synth::visits::Rng,
) -> (SynthFile, FileTruth) {
    let name = format!("events_{}.csv", crate::synth::compact_day(day));
    let renamed = cfg.rename_client_id_from.is_some_and(|from| d >= from);
    let no_referrer = cfg.drop_referrer_days.contains(&d);
    let mut ft = FileTruth {
        name: name.clone(),
        day: Some(day),
        renamed_client_id: renamed,
        referrer_missing: no_referrer,
        ..FileTruth::default()
    };
    let keep = |i: usize| !(no_referrer && i == 2);
    let crlf = d == 0;
    let mut w = csv::WriterBuilder::new()
        .terminator(if crlf {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        })
        .from_writer(Vec::new());
    let header: Vec<&str> = crate::ingest::schema::Column::ALL
        .map(crate::ingest::schema::Column::as_str)
        .iter()
        .enumerate()
        .filter(|(i, _)| keep(*i))
        .map(|(i, h)| if i == 0 && renamed { "clientId" } else { h })
        .collect();
    let _ = w.write_record(&header);
    let null_rate = if cfg.null_spike_day == Some(d) {
        cfg.null_spike_rate
    } else {
        cfg.base_null_rate
    };
    let mut line = 1u64;
    let mut last_row_null = false;
    let mut breaks = if cfg.bad_rows {
        planned_breaks(d)
    } else {
        Vec::new()
    };
    for (k, e) in events.iter().enumerate() {
        let mut fields = e.fields();
        if !e.is_landing && !e.is_bot && !e.is_payment_return && rng.chance(null_rate) {
            fields[0].clear();
        }
        let mut broken = false;
        if let Some(&(at, reason)) = breaks.first() {
            if k >= at && e.is_plain_view() {
                break_row(reason, &mut fields);
                ft.bad_rows.push((line + 1, reason));
                breaks.remove(0);
                broken = true;
            }
        }
        // Truth counts what ingest will accept: broken rows are quarantined.
        if fields[0].is_empty() && !broken {
            ft.null_client_rows += 1;
        }
        last_row_null = fields[0].is_empty();
        let row: Vec<&str> = fields
            .iter()
            .enumerate()
            .filter(|(i, _)| keep(*i))
            .map(|(_, f)| f.as_str())
            .collect();
        let _ = w.write_record(&row);
        line += 1 + fields
            .iter()
            .map(|f| f.matches('\n').count() as u64)
            .sum::<u64>();
        ft.rows += 1;
        ft.bot_rows += u64::from(e.is_bot);
    }
    let mut bytes = w.into_inner().unwrap_or_default();
    if crlf {
        bytes.splice(0..0, *b"\xEF\xBB\xBF");
    }
    if d == 1 {
        bytes.extend_from_slice(b"\n");
    }
    if cfg.bad_rows && d + 1 == cfg.days && ft.rows > 0 {
        // Cut the export off in the middle of its last row.
        let end = bytes.len() - 1;
        let start = bytes[..end]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        bytes.truncate(start + (end - start) / 3);
        ft.bad_rows.push((line, Reason::TruncatedRow));
        // The cut row is the trailing bot hit (see the generator).
        ft.bot_rows -= 1;
        ft.null_client_rows -= u64::from(last_row_null);
        // A cut inside a user agent drops its closing quote: still one row.
    }
    (SynthFile { name, bytes }, ft)
}

/// Rows to break on day `d`: (first row index eligible, reason).
fn planned_breaks(d: u32) -> Vec<(usize, Reason)> {
    match d {
        2 => vec![(100, Reason::BadTimestamp), (200, Reason::UnknownEvent)],
        5 => vec![(300, Reason::InvalidOrderJson)],
        _ => Vec::new(),
    }
}

/// Breaks a row the way real exports do.
fn break_row(reason: Reason, fields: &mut [String; 7]) {
    match reason {
        Reason::BadTimestamp => fields[3] = "2025-02-25 25:61:00".into(),
        Reason::UnknownEvent => fields[4] = "page_scrolled".into(),
        _ => {
            fields[4] = "checkout_completed".into();
            fields[5] =
                "{\"transaction_id\": \"ORD-BROKEN\", \"revenue\": 1149, \"items\": [".into();
        }
    }
}
