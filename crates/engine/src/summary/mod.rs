//! Summaries of a run: headline numbers, the funnel, the reconciliation
//! that accounts for every row and every cent, daily channel rows and
//! converting journeys.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

pub mod segment;
pub mod slice;
pub mod tally;

use slice::{order_kept, session_kept, Keep};

pub use tally::{DayTally, RunTally, Steps};

use crate::attribution::Model;
use crate::enrich::Device;
use crate::ingest::{Dataset, FileReport};
use crate::model::{cents_to_f64, day_of, Sym, NONE};
use crate::pipeline::Run;
use crate::sessions::sessionize::Session;
use crate::units::round4;

/// Headline numbers.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Summary {
    /// Revenue of the orders that count.
    pub revenue: f64,
    /// Orders that count (one per transaction id).
    pub orders: u64,
    /// Revenue per order.
    pub aov: f64,
    /// Sessions.
    pub sessions: u64,
    /// Distinct client ids with a session.
    pub visitors: u64,
    /// Sessions with an order / sessions.
    pub conversion_rate: f64,
    /// Events from bots.
    pub bot_events: u64,
    /// Share of events from bots.
    pub bot_share: f64,
    /// Orders without any touchpoint.
    pub unattributed_orders: u64,
    /// Their revenue.
    pub unattributed_revenue: f64,
    /// Non-bot events without a client id (not sessionized).
    pub events_without_client_id: u64,
    /// Revenue of orders without a client id.
    pub revenue_without_client_id: f64,
    /// Mean of the daily data-quality scores.
    pub quality_score: f64,
}

/// Counts and shares behind `Summary`, from a run's tally and the batch's
/// daily quality scores.
pub fn summarize(t: &RunTally, scores: &BTreeMap<NaiveDate, f64>) -> Summary {
    let orders = t.orders;
    let bot_events = t.quality.bot_events();
    Summary {
        revenue: cents_to_f64(t.order_cents),
        orders,
        aov: if orders == 0 {
            0.0
        } else {
            (t.order_cents as f64 / orders as f64).round() / 100.0
        },
        sessions: t.sessions,
        visitors: t.visitors,
        conversion_rate: ratio(t.converting, t.sessions),
        bot_events,
        bot_share: ratio(bot_events, t.quality.events),
        unattributed_orders: t.unattributed,
        unattributed_revenue: cents_to_f64(t.unattributed_cents),
        events_without_client_id: t.no_client_events,
        revenue_without_client_id: cents_to_f64(t.no_client_order_cents),
        quality_score: if scores.is_empty() {
            0.0
        } else {
            (scores.values().sum::<f64>() / scores.len() as f64 * 10.0).round() / 10.0
        },
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        round4(a as f64 / b as f64)
    }
}

/// Rows, orders and revenue, each accounted for.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Reconciliation {
    /// Data rows read from all files.
    pub rows_read: u64,
    /// Rows quarantined.
    pub quarantined: u64,
    /// Exact copies of events already loaded.
    pub duplicate_events: u64,
    /// Events in sessions.
    pub sessionized: u64,
    /// Bot events left out of sessions.
    pub bot_events_excluded: u64,
    /// Non-bot events without a client id.
    pub without_client_id: u64,
    /// `rows_read = quarantined + duplicate_events + sessionized + bot_events_excluded + without_client_id`.
    pub events_balanced: bool,
    /// Distinct `checkout_completed` events.
    pub checkout_events: u64,
    /// Orders that count.
    pub orders: u64,
    /// Copies excluded as duplicate transactions.
    pub duplicate_transactions: u64,
    /// `checkout_events = orders + duplicate_transactions`.
    pub orders_balanced: bool,
    /// Revenue of all distinct checkout events.
    pub raw_revenue: f64,
    /// Revenue of the orders that count.
    pub order_revenue: f64,
    /// Revenue of the excluded copies.
    pub excluded_duplicate_revenue: f64,
    /// Revenue credited to channels (the same under every model).
    pub attributed_revenue: f64,
    /// Revenue of orders without touchpoints.
    pub unattributed_revenue: f64,
    /// `raw = order + excluded` and `order = attributed + unattributed`, to the cent, under every model.
    pub revenue_balanced: bool,
}

/// Accounts for every row and every cent, from a run's tally and the
/// batch's files and quarantined rows.
pub fn reconcile(t: &RunTally, files: &[FileReport], quarantined: u64) -> Reconciliation {
    let rows_read: u64 = files.iter().map(|f| f.rows).sum();
    let duplicate_events: u64 = files.iter().map(|f| f.duplicates).sum();
    let (sessionized, bots, no_client) = (t.sessionized, t.session_bot_events, t.no_client_events);
    let (attributed, unattributed) = t
        .model_cents
        .get(&Model::LastClick)
        .copied()
        .unwrap_or_default();
    Reconciliation {
        rows_read,
        quarantined,
        duplicate_events,
        sessionized,
        bot_events_excluded: bots,
        without_client_id: no_client,
        events_balanced: rows_read
            == quarantined + duplicate_events + sessionized + bots + no_client,
        checkout_events: t.checkout_events,
        orders: t.orders,
        duplicate_transactions: t.excluded,
        orders_balanced: t.checkout_events == t.orders + t.excluded,
        raw_revenue: cents_to_f64(t.raw_cents),
        order_revenue: cents_to_f64(t.order_cents),
        excluded_duplicate_revenue: cents_to_f64(t.excluded_cents),
        attributed_revenue: cents_to_f64(attributed),
        unattributed_revenue: cents_to_f64(unattributed),
        revenue_balanced: t.raw_cents == t.order_cents + t.excluded_cents
            && t.model_cents.values().all(|(a, u)| a + u == t.order_cents),
    }
}

/// One funnel step.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct FunnelStep {
    /// `sessions`, `added_to_cart`, `started_checkout`, `purchased`.
    pub step: String,
    /// Sessions that reached it.
    pub sessions: u64,
    /// Share of all sessions.
    pub rate: f64,
    /// Share lost since the previous step.
    pub drop_off: f64,
}

/// The funnel overall, by device and by channel.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Funnel {
    /// All sessions.
    pub overall: Vec<FunnelStep>,
    /// By device of the session's first event.
    pub by_device: BTreeMap<String, Vec<FunnelStep>>,
    /// By session channel.
    pub by_channel: BTreeMap<String, Vec<FunnelStep>>,
}

fn steps(counts: &Steps) -> Vec<FunnelStep> {
    let names = ["sessions", "added_to_cart", "started_checkout", "purchased"];
    let total = counts[0];
    let mut prev = total;
    names
        .into_iter()
        .zip(counts)
        .map(|(step, &n)| {
            let s = FunnelStep {
                step: step.to_string(),
                sessions: n,
                rate: ratio(n, total),
                drop_off: round4(1.0 - ratio(n, prev)),
            };
            prev = n;
            s
        })
        .collect()
}

/// The funnel of a run's tally.
pub fn funnel(t: &RunTally) -> Funnel {
    let all = |m: &BTreeMap<String, Steps>| m.iter().map(|(k, v)| (k.clone(), steps(v))).collect();
    Funnel {
        overall: steps(&t.funnel_overall),
        by_device: all(&t.funnel_device),
        by_channel: all(&t.funnel_channel),
    }
}

/// Device of a session (of its first event's user agent).
pub fn session_device(ds: &Dataset, run: &Run, s: &Session) -> Device {
    let ua = ds.events[s.first_event as usize].user_agent;
    run.uas.get(ua).map_or(Device::Other, |u| u.device)
}

/// The path to purchase of one converting person.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Journey {
    /// The person (its first client id; the client id without stitching).
    pub person: String,
    /// Orders of the person.
    pub orders: u64,
    /// Their revenue.
    pub revenue: f64,
    /// Channels of the first order's touchpoints, in order.
    pub path: Vec<String>,
    /// Touchpoint sessions of the first order.
    pub sessions_to_convert: u64,
    /// Days from the first touchpoint to the first order.
    pub days_to_convert: f64,
}

/// One journey per converting person, ordered by first order time.
pub fn journeys(ds: &Dataset, run: &Run) -> Vec<Journey> {
    journeys_with_cents(ds, run)
        .into_iter()
        .map(|(j, _, _)| j)
        .collect()
}

/// [`journeys`], each with its revenue in cents and the event of the
/// person's first order (which orders them).
pub fn journeys_with_cents(ds: &Dataset, run: &Run) -> Vec<(Journey, i64, u32)> {
    journeys_kept(ds, run, None)
}

/// [`journeys_with_cents`] of the orders a slice keeps (all with `None`).
pub fn journeys_kept(ds: &Dataset, run: &Run, keep: Option<&Keep>) -> Vec<(Journey, i64, u32)> {
    let ids = crate::attribution::ChannelIds::new(&run.cfg.channels, &run.attribution.channels);
    let stitch = run.cfg.attribution.stitch_identities;
    let mut index: FxHashMap<Sym, usize> = FxHashMap::default();
    let mut out: Vec<(Journey, i64, u32)> = Vec::new();
    for (i, c) in run.conversions.iter().enumerate() {
        let tps = &run.attribution.touchpoints[i];
        if c.client == NONE || tps.is_empty() || !order_kept(keep, i) {
            continue;
        }
        let person = if stitch {
            run.persons.of(c.client)
        } else {
            c.client
        };
        match index.get(&person) {
            Some(&k) => {
                out[k].0.orders += 1;
                out[k].1 += c.revenue_cents;
            }
            None => {
                let sessions = &run.sessions.sessions;
                let first = sessions[tps[0] as usize].start;
                index.insert(person, out.len());
                out.push((
                    Journey {
                        person: ds.strings.get(person).to_string(),
                        orders: 1,
                        revenue: 0.0,
                        path: tps
                            .iter()
                            .map(|&s| {
                                run.attribution.channels
                                    [ids.of_rule(sessions[s as usize].rule) as usize]
                                    .clone()
                            })
                            .collect(),
                        sessions_to_convert: tps.len() as u64,
                        days_to_convert: round4((c.ts - first) as f64 / 86_400_000.0),
                    },
                    c.revenue_cents,
                    c.event,
                ));
            }
        }
    }
    out.into_iter()
        .map(|(mut j, cents, first)| {
            j.revenue = cents_to_f64(cents);
            (j, cents, first)
        })
        .collect()
}

/// Per-day numbers of one channel.
#[derive(Debug, Clone, PartialEq, Default, Serialize, serde::Deserialize)]
pub struct ChannelDay {
    /// Sessions started that day.
    pub sessions: u64,
    /// Distinct clients among them.
    pub visitors: u64,
    /// Sessions with an add-to-cart.
    pub add_to_carts: u64,
    /// Sessions with a checkout.
    pub checkouts: u64,
    /// Orders credited by last click (fractional under other models).
    pub orders: f64,
    /// Revenue per model, in cents, in [`Model::ALL`] order.
    pub revenue_cents: [i64; 7],
}

impl ChannelDay {
    /// Adds the numbers of the same day and channel from persons counted
    /// apart (visitors add up because no client is in both).
    pub fn add(&mut self, other: &ChannelDay) {
        self.sessions += other.sessions;
        self.visitors += other.visitors;
        self.add_to_carts += other.add_to_carts;
        self.checkouts += other.checkouts;
        self.orders += other.orders;
        for (a, b) in self.revenue_cents.iter_mut().zip(&other.revenue_cents) {
            *a += b;
        }
    }
}

/// `channel_summary` rows: (day, channel name) → numbers. Sessions count on
/// their start day, orders and revenue on the conversion day.
pub fn channel_days(run: &Run) -> BTreeMap<(NaiveDate, String), ChannelDay> {
    channel_days_kept(run, None)
}

/// [`channel_days`] of what a slice keeps (all with `None`).
pub fn channel_days_kept(
    run: &Run,
    keep: Option<&Keep>,
) -> BTreeMap<(NaiveDate, String), ChannelDay> {
    let ids = crate::attribution::ChannelIds::new(&run.cfg.channels, &run.attribution.channels);
    let mut out: BTreeMap<(NaiveDate, String), ChannelDay> = BTreeMap::new();
    let mut visitors: FxHashMap<(NaiveDate, u16), FxHashSet<Sym>> = FxHashMap::default();
    for (i, s) in run.sessions.sessions.iter().enumerate() {
        if !session_kept(keep, i) {
            continue;
        }
        let channel = ids.of_rule(s.rule);
        let day = day_of(s.start);
        let row = out
            .entry((day, run.attribution.channels[channel as usize].clone()))
            .or_default();
        row.sessions += 1;
        row.add_to_carts += u64::from(s.added_to_cart);
        row.checkouts += u64::from(s.started_checkout);
        visitors.entry((day, channel)).or_default().insert(s.client);
    }
    for ((day, channel), set) in visitors {
        if let Some(row) = out.get_mut(&(day, run.attribution.channels[channel as usize].clone())) {
            row.visitors = set.len() as u64;
        }
    }
    for c in &run.attribution.credits {
        if !order_kept(keep, c.conversion as usize) {
            continue;
        }
        let conv = &run.conversions[c.conversion as usize];
        let row = out
            .entry((
                day_of(conv.ts),
                run.attribution.channels[c.channel as usize].clone(),
            ))
            .or_default();
        let m = Model::ALL.iter().position(|m| *m == c.model).unwrap_or(0);
        row.revenue_cents[m] += c.revenue_cents;
        if c.model == Model::LastClick {
            row.orders += c.credit;
        }
    }
    out
}

/// Distributions of the journeys, for the Journeys view.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct JourneyStats {
    /// Converting people by touchpoint sessions before the first order (1, 2, ... 6+).
    pub sessions_to_convert: Vec<(String, u64)>,
    /// Converting people by days from first touch to first order.
    pub days_to_convert: Vec<(String, u64)>,
    /// The most frequent channel paths: (path, people, revenue), top 10.
    pub top_paths: Vec<(String, u64, f64)>,
}

/// Buckets the journeys of a run's tally.
pub fn journey_stats(t: &RunTally) -> JourneyStats {
    let mut top: Vec<(String, u64, f64)> = t
        .paths
        .iter()
        .map(|(p, &(n, cents))| (p.clone(), n, cents_to_f64(cents)))
        .collect();
    crate::sorting::sort_by(&mut top, |a, b| {
        b.1.cmp(&a.1).then(b.2.total_cmp(&a.2)).then(a.0.cmp(&b.0))
    });
    top.truncate(10);
    JourneyStats {
        sessions_to_convert: ["1", "2", "3", "4", "5", "6+"]
            .iter()
            .map(|s| s.to_string())
            .zip(t.journey_sessions)
            .collect(),
        days_to_convert: ["same day", "1 day", "2-3 days", "4-6 days", "7+ days"]
            .iter()
            .map(|s| s.to_string())
            .zip(t.journey_days)
            .collect(),
        top_paths: top,
    }
}
