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

use rustc_hash::FxHashMap;

use crate::attribution::{ChannelIds, Model};
use crate::enrich::NO_SOURCE;
use crate::ingest::Dataset;
use crate::model::{cents_to_string, format_ts, EventKind, NONE};
use crate::report::Run;
use crate::sessionize::Session;
use crate::summary::{channel_days, journeys, session_device};

/// Table file names, in the order they are written.
pub const TABLES: [&str; 7] = [
    "events_enriched.csv",
    "sessions.csv",
    "conversions.csv",
    "attribution.csv",
    "channel_summary.csv",
    "user_journeys.csv",
    "quarantine.csv",
];

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new())
}

fn finish(w: csv::Writer<Vec<u8>>) -> Vec<u8> {
    w.into_inner().unwrap_or_default()
}

/// `client#n`, the id of a session.
pub fn session_id(ds: &Dataset, s: &Session) -> String {
    format!("{}#{}", ds.strings.get(s.client), s.number)
}

/// The id of every session, in order.
fn session_ids(ds: &Dataset, run: &Run) -> Vec<String> {
    run.sessions
        .sessions
        .iter()
        .map(|s| session_id(ds, s))
        .collect()
}

/// Writes one table by name (see [`TABLES`]); `None` for an unknown name.
pub fn table(ds: &Dataset, run: &Run, name: &str) -> Option<Vec<u8>> {
    Some(match name {
        "events_enriched.csv" => events_enriched(ds, run),
        "sessions.csv" => sessions(ds, run),
        "conversions.csv" => conversions(ds, run),
        "attribution.csv" => attribution(ds, run),
        "channel_summary.csv" => channel_summary(run),
        "user_journeys.csv" => user_journeys(ds, run),
        "quarantine.csv" => quarantine(ds),
        _ => return None,
    })
}

fn events_enriched(ds: &Dataset, run: &Run) -> Vec<u8> {
    let mut w = writer();
    let _ = w.write_record([
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
    ]);
    let rules = &run.cfg.channels;
    let ids = ChannelIds::new(rules, &run.attribution.channels);
    let ids_of_sessions = session_ids(ds, run);
    for (i, e) in ds.events.iter().enumerate() {
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
        let (txn, revenue) = if e.kind == EventKind::CheckoutCompleted {
            let o = &ds.orders[e.payload as usize];
            (
                ds.strings.get(o.transaction_id),
                cents_to_string(o.revenue_cents),
            )
        } else {
            ("", String::new())
        };
        let _ = w.write_record([
            (i + 1).to_string().as_str(),
            ds.files[e.file as usize].name.as_str(),
            e.line.to_string().as_str(),
            ds.strings.get(e.client),
            format_ts(e.ts).as_str(),
            e.kind.as_str(),
            ds.strings.get(e.page_url),
            ds.strings.get(e.referrer),
            channel,
            rule_name,
            source,
            ua.map_or("other", |u| u.device.as_str()),
            ua.map_or("", |u| u.browser.as_str()),
            ua.map_or("", |u| u.os.as_str()),
            if run.uas.is_bot(e.user_agent) {
                "true"
            } else {
                "false"
            },
            ids_of_sessions.get(s_index).map_or("", String::as_str),
            session.map_or("", |s| {
                run.attribution.channels[ids.of_rule(s.rule) as usize].as_str()
            }),
            txn,
            revenue.as_str(),
        ]);
    }
    finish(w)
}

fn sessions(ds: &Dataset, run: &Run) -> Vec<u8> {
    let mut w = writer();
    let _ = w.write_record([
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
    ]);
    let rules = &run.cfg.channels;
    let ids = ChannelIds::new(rules, &run.attribution.channels);
    for s in &run.sessions.sessions {
        let (rule, source) = match s.source_event {
            NONE => (crate::channels::DIRECT_RULE, ""),
            ev => {
                let detail = run.sources.detail(ev as usize);
                (rules[s.rule as usize].name.as_str(), detail)
            }
        };
        let landing = ds.strings.get(ds.events[s.first_event as usize].page_url);
        let flag = |b: bool| if b { "true" } else { "false" };
        let _ = w.write_record([
            session_id(ds, s).as_str(),
            ds.strings.get(s.client),
            format_ts(s.start).as_str(),
            format_ts(s.end).as_str(),
            s.events.to_string().as_str(),
            s.pageviews.to_string().as_str(),
            run.attribution.channels[ids.of_rule(s.rule) as usize].as_str(),
            rule,
            source,
            landing,
            session_device(ds, run, s).as_str(),
            flag(s.added_to_cart),
            flag(s.started_checkout),
            flag(s.orders > 0),
            s.orders.to_string().as_str(),
            cents_to_string(s.revenue_cents).as_str(),
        ]);
    }
    finish(w)
}

fn conversions(ds: &Dataset, run: &Run) -> Vec<u8> {
    let mut w = writer();
    let _ = w.write_record([
        "transaction_id",
        "client_id",
        "session_id",
        "timestamp",
        "revenue",
        "items",
        "device",
        "last_click_channel",
        "touchpoints",
    ]);
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
        let session = run
            .sessions
            .sessions
            .get(c.session as usize)
            .map(|s| session_id(ds, s))
            .unwrap_or_default();
        let channel = last_click
            .get(&(i as u32))
            .map_or("", |&ch| run.attribution.channels[ch as usize].as_str());
        let _ = w.write_record([
            ds.strings.get(c.transaction_id),
            ds.strings.get(c.client),
            session.as_str(),
            format_ts(c.ts).as_str(),
            cents_to_string(c.revenue_cents).as_str(),
            c.items.to_string().as_str(),
            c.device.as_str(),
            channel,
            run.attribution.touchpoints[i].len().to_string().as_str(),
        ]);
    }
    finish(w)
}

fn attribution(ds: &Dataset, run: &Run) -> Vec<u8> {
    let mut w = writer();
    let _ = w.write_record([
        "transaction_id",
        "model",
        "channel",
        "credit",
        "revenue_credit",
    ]);
    for c in &run.attribution.credits {
        let conv = &run.conversions[c.conversion as usize];
        let _ = w.write_record([
            ds.strings.get(conv.transaction_id),
            c.model.as_str(),
            run.attribution.channels[c.channel as usize].as_str(),
            format!("{:.6}", c.credit).as_str(),
            cents_to_string(c.revenue_cents).as_str(),
        ]);
    }
    finish(w)
}

fn channel_summary(run: &Run) -> Vec<u8> {
    let mut w = writer();
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
    let _ = w.write_record(&header);
    let last = Model::ALL
        .iter()
        .position(|m| *m == Model::LastClick)
        .unwrap_or(1);
    for ((day, channel), row) in channel_days(run) {
        let mut rec = vec![
            day.to_string(),
            channel,
            row.sessions.to_string(),
            row.visitors.to_string(),
            row.add_to_carts.to_string(),
            row.checkouts.to_string(),
            format!("{:.4}", row.orders),
            cents_to_string(row.revenue_cents[last]),
        ];
        rec.extend(row.revenue_cents.iter().map(|&c| cents_to_string(c)));
        let _ = w.write_record(&rec);
    }
    finish(w)
}

fn user_journeys(ds: &Dataset, run: &Run) -> Vec<u8> {
    let mut w = writer();
    let _ = w.write_record([
        "person_id",
        "orders",
        "revenue",
        "channel_path",
        "sessions_to_convert",
        "days_to_convert",
        "first_channel",
        "last_channel",
    ]);
    for j in journeys(ds, run) {
        let _ = w.write_record([
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
    finish(w)
}

fn quarantine(ds: &Dataset) -> Vec<u8> {
    let mut w = writer();
    let _ = w.write_record(["file", "line", "reason", "detail", "raw"]);
    for q in &ds.quarantine {
        let _ = w.write_record([
            ds.files[q.file as usize].name.as_str(),
            q.line.to_string().as_str(),
            q.reason.as_str(),
            q.detail.as_str(),
            q.raw.as_str(),
        ]);
    }
    finish(w)
}
