//! The output tables as CSV bytes, byte-identical wherever they are made
//! (CLI or browser): fixed column order, `\n` line ends, amounts with two
//! decimals, credits with six, timestamps as ISO-8601 UTC with milliseconds.
//!
//! | table | one row per | columns |
//! |---|---|---|
//! | `events_enriched.csv` | accepted distinct event | `event_id, file, line, client_id, timestamp, event_name, page_url, referrer, channel, rule, source, device, browser, os, is_bot, session_id, session_channel, transaction_id, revenue` |
//! | `sessions.csv` | session | `session_id, client_id, start, end, events, pageviews, channel, rule, source, landing_page, device, added_to_cart, started_checkout, converted, orders, revenue` |
//! | `conversions.csv` | order that counts | `transaction_id, client_id, session_id, timestamp, revenue, items, device, last_click_channel, touchpoints` |
//! | `attribution.csv` | conversion × model × credited channel | `transaction_id, model, channel, credit, revenue_credit` |
//! | `channel_summary.csv` | day × channel | `date, channel, sessions, visitors, add_to_carts, checkouts, orders, revenue, revenue_first_click, ..., revenue_markov` |
//! | `user_journeys.csv` | converting client (person) | `person_id, orders, revenue, channel_path, sessions_to_convert, days_to_convert, first_channel, last_channel` |
//! | `quarantine.csv` | rejected row | `file, line, reason, detail, raw` |

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use rustc_hash::FxHashMap;

use crate::attribution::{ChannelIds, Model};
use crate::enrich::NO_SOURCE;
use crate::ingest::Dataset;
use crate::model::{cents_to_string, EventKind, NONE};
use crate::outputs::csv_out::CsvOut;
use crate::pipeline::Run;
use crate::sessions::sessionize::Session;
use crate::summary::slice::{event_kept, order_kept, session_kept, Keep};
use crate::summary::{channel_days_kept, journeys_kept, session_device, ChannelDay};
use chrono::NaiveDate;

/// The seven output tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    /// `events_enriched.csv`
    EventsEnriched,
    /// `sessions.csv`
    Sessions,
    /// `conversions.csv`
    Conversions,
    /// `attribution.csv`
    Attribution,
    /// `channel_summary.csv`
    ChannelSummary,
    /// `user_journeys.csv`
    UserJourneys,
    /// `quarantine.csv`
    Quarantine,
}

impl Table {
    /// Every table, in the order they are written.
    pub const ALL: [Table; 7] = [
        Table::EventsEnriched,
        Table::Sessions,
        Table::Conversions,
        Table::Attribution,
        Table::ChannelSummary,
        Table::UserJourneys,
        Table::Quarantine,
    ];

    /// The file name.
    pub fn file_name(self) -> &'static str {
        match self {
            Table::EventsEnriched => "events_enriched.csv",
            Table::Sessions => "sessions.csv",
            Table::Conversions => "conversions.csv",
            Table::Attribution => "attribution.csv",
            Table::ChannelSummary => "channel_summary.csv",
            Table::UserJourneys => "user_journeys.csv",
            Table::Quarantine => "quarantine.csv",
        }
    }

    /// The table of a file name, if it is one.
    pub fn from_file_name(name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.file_name() == name)
    }
}

/// A table writer with its header written.
fn writer<'a>(header: &[&str], out: &'a mut dyn Write) -> CsvOut<'a> {
    let mut w = CsvOut::new(out);
    w.record(header);
    w
}

/// `client#n`, the id of a session.
pub fn session_id(ds: &Dataset, s: &Session) -> String {
    let mut id = String::new();
    write_session_id(&mut id, ds, s);
    id
}

/// Appends [`session_id`] to `out`.
fn write_session_id(out: &mut String, ds: &Dataset, s: &Session) {
    out.push_str(ds.strings.get(s.client));
    out.push('#');
    out.push_str(itoa::Buffer::new().format(s.number));
}

/// Makes one table in memory.
pub fn table(ds: &Dataset, run: &Run, table: Table) -> Vec<u8> {
    let mut bytes = Vec::new();
    // Writing into a `Vec` cannot fail.
    let _ = write(ds, run, table, &mut bytes);
    bytes
}

/// The header line of a table (with its line end): the table of an empty
/// batch.
pub fn header(t: Table) -> Vec<u8> {
    let ds = Dataset::default();
    let Ok(run) = crate::pipeline::run(&ds, &crate::config::Config::default()) else {
        return Vec::new();
    };
    let mut bytes = table(&ds, &run, t);
    let end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| i + 1);
    bytes.truncate(end);
    bytes
}

/// Writes one table into `out` as it is made (a file, say), so the whole
/// table is never in memory; the first error the sink gave, if any.
pub fn write(ds: &Dataset, run: &Run, table: Table, out: &mut dyn Write) -> io::Result<()> {
    write_kept(ds, run, table, None, out)
}

/// [`write`] for a slice (the whole run with `None`): the whole run's rows
/// of the sessions it keeps, their events, their orders and those orders'
/// credits; the quarantine's rows of files of its days (and of files
/// named for no day).
pub fn write_kept(
    ds: &Dataset,
    run: &Run,
    table: Table,
    keep: Option<&Keep>,
    out: &mut dyn Write,
) -> io::Result<()> {
    match table {
        Table::EventsEnriched => events_enriched(ds, run, keep, out),
        Table::Sessions => sessions(ds, run, keep, out),
        Table::Conversions => conversions(ds, run, keep, out),
        Table::Attribution => attribution(ds, run, keep, out),
        Table::ChannelSummary => write_channel_summary(&channel_days_kept(run, keep), out),
        Table::UserJourneys => user_journeys(ds, run, keep, out),
        Table::Quarantine => quarantine(ds, keep, out),
    }
}

fn events_enriched(
    ds: &Dataset,
    run: &Run,
    keep: Option<&Keep>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut w = writer(
        &[
            "event_id",
            "file",
            "line",
            "client_id",
            "timestamp",
            "event_name",
            "page_url",
            "referrer",
            "channel",
            "rule",
            "source",
            "device",
            "browser",
            "os",
            "is_bot",
            "session_id",
            "session_channel",
            "transaction_id",
            "revenue",
        ],
        out,
    );
    let rules = &run.cfg.channels;
    let ids = ChannelIds::new(rules, &run.attribution.channels);
    // Each event's session id is written as it comes: a list of every
    // session's id made first took 3 million small allocations and about
    // 130 MB at 100 copies of an export.
    let mut id = String::new();
    for (i, e) in ds.events.iter().enumerate() {
        if !event_kept(keep, ds, run, i) {
            continue;
        }
        let rule = run.sources.rule[i];
        let (channel, rule_name, source) = if rule == NO_SOURCE {
            ("", "", "")
        } else {
            let detail = run.sources.detail(i);
            (
                rules[rule as usize].channel.as_str(),
                rules[rule as usize].name.as_str(),
                detail,
            )
        };
        let ua = run.uas.get(e.user_agent);
        let s_index = run.sessions.of_event[i] as usize;
        let session = run.sessions.sessions.get(s_index);
        w.int(i + 1);
        w.text(ds.files[e.file as usize].name.as_str());
        w.int(e.line);
        w.text(ds.strings.get(e.client));
        w.ts(e.ts);
        w.text(e.kind.as_str());
        w.text(ds.strings.get(e.page_url));
        w.text(ds.strings.get(e.referrer));
        w.text(channel);
        w.text(rule_name);
        w.text(source);
        w.text(ua.map_or("other", |u| u.device.as_str()));
        w.text(ua.map_or("", |u| u.browser.as_str()));
        w.text(ua.map_or("", |u| u.os.as_str()));
        w.flag(run.uas.is_bot(e.user_agent));
        id.clear();
        if let Some(s) = session {
            write_session_id(&mut id, ds, s);
        }
        w.text(&id);
        w.text(session.map_or("", |s| {
            run.attribution.channels[ids.of_rule(s.rule) as usize].as_str()
        }));
        if e.kind == EventKind::CheckoutCompleted {
            let o = &ds.orders[e.payload as usize];
            w.text(ds.strings.get(o.transaction_id));
            w.cents(o.revenue_cents);
        } else {
            w.text("");
            w.text("");
        }
        w.end();
    }
    w.finish()
}

fn sessions(ds: &Dataset, run: &Run, keep: Option<&Keep>, out: &mut dyn Write) -> io::Result<()> {
    let mut w = writer(
        &[
            "session_id",
            "client_id",
            "start",
            "end",
            "events",
            "pageviews",
            "channel",
            "rule",
            "source",
            "landing_page",
            "device",
            "added_to_cart",
            "started_checkout",
            "converted",
            "orders",
            "revenue",
        ],
        out,
    );
    let rules = &run.cfg.channels;
    let ids = ChannelIds::new(rules, &run.attribution.channels);
    let mut id = String::new();
    for (i, s) in run.sessions.sessions.iter().enumerate() {
        if !session_kept(keep, i) {
            continue;
        }
        let (rule, source) = match s.source_event {
            NONE => (crate::config::channels::DIRECT_RULE, ""),
            ev => {
                let detail = run.sources.detail(ev as usize);
                (rules[s.rule as usize].name.as_str(), detail)
            }
        };
        let landing = ds.strings.get(ds.events[s.first_event as usize].page_url);
        id.clear();
        write_session_id(&mut id, ds, s);
        w.text(&id);
        w.text(ds.strings.get(s.client));
        w.ts(s.start);
        w.ts(s.end);
        w.int(s.events);
        w.int(s.pageviews);
        w.text(run.attribution.channels[ids.of_rule(s.rule) as usize].as_str());
        w.text(rule);
        w.text(source);
        w.text(landing);
        w.text(session_device(ds, run, s).as_str());
        w.flag(s.added_to_cart);
        w.flag(s.started_checkout);
        w.flag(s.orders > 0);
        w.int(s.orders);
        w.cents(s.revenue_cents);
        w.end();
    }
    w.finish()
}

fn conversions(
    ds: &Dataset,
    run: &Run,
    keep: Option<&Keep>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut w = writer(
        &[
            "transaction_id",
            "client_id",
            "session_id",
            "timestamp",
            "revenue",
            "items",
            "device",
            "last_click_channel",
            "touchpoints",
        ],
        out,
    );
    let mut last_click: FxHashMap<u32, u16> = FxHashMap::default();
    for c in run
        .attribution
        .credits
        .iter()
        .filter(|c| c.model == Model::LastClick)
    {
        last_click.insert(c.conversion, c.channel);
    }
    for (i, c) in run.conversions.iter().enumerate() {
        if !order_kept(keep, i) {
            continue;
        }
        let session = run
            .sessions
            .sessions
            .get(c.session as usize)
            .map(|s| session_id(ds, s))
            .unwrap_or_default();
        let channel = last_click
            .get(&(i as u32))
            .map_or("", |&ch| run.attribution.channels[ch as usize].as_str());
        w.text(ds.strings.get(c.transaction_id));
        w.text(ds.strings.get(c.client));
        w.text(&session);
        w.ts(c.ts);
        w.cents(c.revenue_cents);
        w.int(c.items);
        w.text(c.device.as_str());
        w.text(channel);
        w.int(run.attribution.touchpoints[i].len());
        w.end();
    }
    w.finish()
}

fn attribution(
    ds: &Dataset,
    run: &Run,
    keep: Option<&Keep>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut w = writer(
        &[
            "transaction_id",
            "model",
            "channel",
            "credit",
            "revenue_credit",
        ],
        out,
    );
    let mut credit = String::new();
    for c in &run.attribution.credits {
        if !order_kept(keep, c.conversion as usize) {
            continue;
        }
        let conv = &run.conversions[c.conversion as usize];
        w.text(ds.strings.get(conv.transaction_id));
        w.text(c.model.as_str());
        w.text(run.attribution.channels[c.channel as usize].as_str());
        credit.clear();
        let _ = write!(credit, "{:.6}", c.credit);
        w.text(&credit);
        w.cents(c.revenue_cents);
        w.end();
    }
    w.finish()
}

/// Writes `channel_summary.csv` from its rows (one run's, or the sum of a
/// batch's partitions').
pub fn write_channel_summary(
    days: &BTreeMap<(NaiveDate, String), ChannelDay>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut header: Vec<String> = [
        "date",
        "channel",
        "sessions",
        "visitors",
        "add_to_carts",
        "checkouts",
        "orders",
        "revenue",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(Model::ALL.iter().map(|m| format!("revenue_{}", m.as_str())));
    let mut w = CsvOut::new(out);
    w.record(&header);
    let last = Model::ALL
        .iter()
        .position(|m| *m == Model::LastClick)
        .unwrap_or(1);
    for ((day, channel), row) in days {
        let mut rec = vec![
            day.to_string(),
            channel.clone(),
            row.sessions.to_string(),
            row.visitors.to_string(),
            row.add_to_carts.to_string(),
            row.checkouts.to_string(),
            format!("{:.4}", row.orders),
            cents_to_string(row.revenue_cents[last]),
        ];
        rec.extend(row.revenue_cents.iter().map(|&c| cents_to_string(c)));
        w.record(&rec);
    }
    w.finish()
}

fn user_journeys(
    ds: &Dataset,
    run: &Run,
    keep: Option<&Keep>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut w = writer(
        &[
            "person_id",
            "orders",
            "revenue",
            "channel_path",
            "sessions_to_convert",
            "days_to_convert",
            "first_channel",
            "last_channel",
        ],
        out,
    );
    for (j, _, _) in journeys_kept(ds, run, keep) {
        w.record([
            j.person.as_str(),
            j.orders.to_string().as_str(),
            format!("{:.2}", j.revenue).as_str(),
            j.path.join(" > ").as_str(),
            j.sessions_to_convert.to_string().as_str(),
            format!("{:.4}", j.days_to_convert).as_str(),
            j.path.first().map_or("", String::as_str),
            j.path.last().map_or("", String::as_str),
        ]);
    }
    w.finish()
}

/// Writes `quarantine.csv`: it needs only the files and the quarantine.
pub fn write_quarantine(ds: &Dataset, out: &mut dyn Write) -> io::Result<()> {
    quarantine(ds, None, out)
}

fn quarantine(ds: &Dataset, keep: Option<&Keep>, out: &mut dyn Write) -> io::Result<()> {
    let mut w = writer(&["file", "line", "reason", "detail", "raw"], out);
    for q in &ds.quarantine {
        let day = ds.files[q.file as usize].day;
        if keep.is_some_and(|k| day.is_some_and(|d| !k.day(d))) {
            continue;
        }
        w.text(ds.files[q.file as usize].name.as_str());
        w.int(q.line);
        w.text(q.reason.as_str());
        w.text(q.detail.as_str());
        w.text(q.raw.as_str());
        w.end();
    }
    w.finish()
}
