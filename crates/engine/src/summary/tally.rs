//! [`RunTally`]: everything `report.json` counts over a run, as sums that
//! add up across partitions of persons.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::attribution::Model;
use crate::enrich::Device;
use crate::ingest::Dataset;
use crate::model::{day_of, EventKind, PerString, NONE};
use crate::pipeline::Run;
use crate::quality::tally::EventTally;
use crate::sessions::referrals::ReferralTally;
use crate::summary::slice::{event_kept, order_kept, session_kept, Keep};
use crate::summary::{journeys_kept, session_device};

/// Sessions reaching each funnel step: all, added to cart, started
/// checkout, purchased.
pub type Steps = [u64; 4];

/// A day's sessions and orders, for the daily metrics.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct DayTally {
    /// Sessions started.
    pub sessions: u64,
    /// Distinct clients with a session started.
    pub visitors: u64,
    /// Sessions with an add-to-cart.
    pub carts: u64,
    /// Sessions with an order.
    pub converted: u64,
    /// Orders that count.
    pub orders: u64,
    /// Their revenue, in cents.
    pub revenue_cents: i64,
    /// Sessions per channel.
    pub channels: BTreeMap<String, u64>,
}

impl DayTally {
    fn merge(&mut self, o: &DayTally) {
        self.sessions += o.sessions;
        self.visitors += o.visitors;
        self.carts += o.carts;
        self.converted += o.converted;
        self.orders += o.orders;
        self.revenue_cents += o.revenue_cents;
        for (k, n) in &o.channels {
            *self.channels.entry(k.clone()).or_insert(0) += n;
        }
    }
}

/// Everything `report.json` counts over a run, as sums. Persons never
/// straddle partitions of a batch split by person, so distinct clients and
/// per-person journeys add up too: the tallies of the partitions,
/// [`RunTally::merge`]d, are the tally of the whole batch (amounts in
/// integer cents; credit shares are the one sum of floats).
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct RunTally {
    /// What the audit counts over events.
    pub quality: EventTally,
    /// The referrers set aside.
    pub referrals: ReferralTally,
    /// Events in sessions.
    pub sessionized: u64,
    /// Bot events left out of sessions.
    pub session_bot_events: u64,
    /// Non-bot events without a client id.
    pub no_client_events: u64,
    /// Distinct `checkout_completed` events, and their revenue.
    pub checkout_events: u64,
    /// Revenue of every distinct checkout event, in cents.
    pub raw_cents: i64,
    /// Duplicate-transaction copies excluded.
    pub excluded: u64,
    /// Their revenue, in cents.
    pub excluded_cents: i64,
    /// Sessions.
    pub sessions: u64,
    /// Distinct clients with a session.
    pub visitors: u64,
    /// Sessions with an order.
    pub converting: u64,
    /// Orders that count.
    pub orders: u64,
    /// Their revenue, in cents.
    pub order_cents: i64,
    /// Orders without touchpoints.
    pub unattributed: u64,
    /// Their revenue, in cents.
    pub unattributed_cents: i64,
    /// Revenue of orders without a client id, in cents.
    pub no_client_order_cents: i64,
    /// Per (model, channel): credit (fractions of orders) and cents.
    pub credits: BTreeMap<(Model, String), (f64, i64)>,
    /// Per model: cents credited to channels, and to `Unattributed`.
    pub model_cents: BTreeMap<Model, (i64, i64)>,
    /// The funnel of every session.
    pub funnel_overall: Steps,
    /// The funnel by device.
    pub funnel_device: BTreeMap<String, Steps>,
    /// The funnel by session channel.
    pub funnel_channel: BTreeMap<String, Steps>,
    /// Client ids linked to another client id.
    pub linked_clients: u64,
    /// Orders that gain touchpoints with stitching.
    pub orders_gaining_touchpoints: u64,
    /// Converting people by touchpoint sessions (1, 2, ... 6+).
    pub journey_sessions: [u64; 6],
    /// Converting people by days to convert (buckets of `journey_stats`).
    pub journey_days: [u64; 5],
    /// Per channel path: people and their revenue in cents.
    pub paths: BTreeMap<String, (u64, i64)>,
    /// Sessions and orders per day.
    pub days: BTreeMap<NaiveDate, DayTally>,
}

impl RunTally {
    /// Tallies a run.
    pub fn of(ds: &Dataset, run: &Run) -> RunTally {
        RunTally::of_kept(ds, run, None)
    }

    /// Tallies the part of a run a slice keeps (all of it with `None`):
    /// its sessions, their events and orders, and those orders' credits.
    /// The audit's counts keep only the slice's days; the counts of events
    /// outside any session (bots, no client id) and of identity links are
    /// the whole batch's, as the reconciliation states the batch.
    pub fn of_kept(ds: &Dataset, run: &Run, keep: Option<&Keep>) -> RunTally {
        let mut t = RunTally {
            quality: run.tally.clone(),
            referrals: run.referrals.clone(),
            sessionized: run
                .sessions
                .of_event
                .iter()
                .filter(|&&s| s != NONE && session_kept(keep, s as usize))
                .count() as u64,
            session_bot_events: run.sessions.bot_events,
            no_client_events: run.sessions.no_client_events,
            linked_clients: run.attribution.stitching.linked_clients,
            orders_gaining_touchpoints: run.attribution.stitching.orders_gaining_touchpoints,
            ..RunTally::default()
        };
        for (i, e) in ds.events.iter().enumerate() {
            if e.kind != EventKind::CheckoutCompleted || !event_kept(keep, ds, run, i) {
                continue;
            }
            let cents = ds.orders[e.payload as usize].revenue_cents;
            t.checkout_events += 1;
            t.raw_cents += cents;
            if run.excluded.contains(&i) {
                t.excluded += 1;
                t.excluded_cents += cents;
            }
        }
        if let Some(k) = keep {
            t.quality.keep_days(k.from, k.to);
        }
        t.add_sessions(ds, run, keep);
        for (i, (c, tps)) in run
            .conversions
            .iter()
            .zip(&run.attribution.touchpoints)
            .enumerate()
        {
            if !order_kept(keep, i) {
                continue;
            }
            t.orders += 1;
            t.order_cents += c.revenue_cents;
            if tps.is_empty() {
                t.unattributed += 1;
                t.unattributed_cents += c.revenue_cents;
            }
            if c.client == NONE {
                t.no_client_order_cents += c.revenue_cents;
            }
            let d = t.days.entry(day_of(c.ts)).or_default();
            d.orders += 1;
            d.revenue_cents += c.revenue_cents;
        }
        let unattributed_id = run
            .attribution
            .channels
            .iter()
            .position(|c| c == crate::config::channels::UNATTRIBUTED);
        for c in &run.attribution.credits {
            if !order_kept(keep, c.conversion as usize) {
                continue;
            }
            let name = run.attribution.channels[c.channel as usize].clone();
            let e = t.credits.entry((c.model, name)).or_insert((0.0, 0));
            e.0 += c.credit;
            e.1 += c.revenue_cents;
            let m = t.model_cents.entry(c.model).or_default();
            if Some(c.channel as usize) == unattributed_id {
                m.1 += c.revenue_cents;
            } else {
                m.0 += c.revenue_cents;
            }
        }
        for (j, cents, _) in journeys_kept(ds, run, keep) {
            t.journey_sessions[(j.sessions_to_convert.max(1) as usize - 1).min(5)] += 1;
            let d = j.days_to_convert;
            t.journey_days[if d < 1.0 {
                0
            } else if d < 2.0 {
                1
            } else if d < 4.0 {
                2
            } else if d < 7.0 {
                3
            } else {
                4
            }] += 1;
            let e = t.paths.entry(j.path.join(" > ")).or_default();
            e.0 += 1;
            e.1 += cents;
        }
        t
    }

    /// Counts the sessions: the funnels, visitors, and per day sessions,
    /// visitors, carts, conversions and sessions by channel.
    ///
    /// Counted by channel and device number, and named once at the end (a
    /// session used to cost three strings and five map lookups). Visitors
    /// are counted with the day each client was last counted on, by
    /// symbol: sessions come in order of start, so a client counted on the
    /// current day is already counted.
    fn add_sessions(&mut self, ds: &Dataset, run: &Run, keep: Option<&Keep>) {
        let sessions = &run.sessions.sessions;
        let channels = &run.attribution.channels;
        let ids = crate::attribution::ChannelIds::new(&run.cfg.channels, channels);
        let mut by_channel: Vec<Steps> = vec![[0; 4]; channels.len()];
        let mut by_device: Vec<(Device, Steps)> = Vec::new();
        let mut last_day = PerString::new(&ds.strings, i64::MIN);
        let mut today = Today::new(channels.len());
        for (i, s) in sessions.iter().enumerate() {
            if !session_kept(keep, i) {
                continue;
            }
            let steps = [true, s.added_to_cart, s.started_checkout, s.orders > 0].map(u64::from);
            let channel = ids.of_rule(s.rule) as usize;
            let device = session_device(ds, run, s);
            let at = match by_device.iter().position(|(d, _)| *d == device) {
                Some(at) => at,
                None => {
                    by_device.push((device, [0; 4]));
                    by_device.len() - 1
                }
            };
            for target in [
                &mut self.funnel_overall,
                &mut by_device[at].1,
                &mut by_channel[channel],
            ] {
                target.iter_mut().zip(&steps).for_each(|(a, b)| *a += b);
            }
            self.sessions += 1;
            self.converting += steps[3];
            let day = s.start.div_euclid(86_400_000);
            if day != today.day {
                today.flush(&mut self.days, channels);
                today.day = day;
                today.date = day_of(s.start);
            }
            let last = last_day.get(s.client);
            if last == i64::MIN {
                self.visitors += 1;
            }
            if last != day {
                today.tally.visitors += 1;
                last_day.set(s.client, day);
            }
            today.tally.sessions += 1;
            today.tally.carts += steps[1];
            today.tally.converted += steps[3];
            today.channels[channel] += 1;
        }
        today.flush(&mut self.days, channels);
        for (device, steps) in by_device {
            let e = self.funnel_device.entry(device.as_str().to_string());
            let e = e.or_default();
            e.iter_mut().zip(&steps).for_each(|(a, b)| *a += b);
        }
        for (channel, steps) in by_channel.iter().enumerate().filter(|(_, s)| s[0] > 0) {
            let e = self.funnel_channel.entry(channels[channel].clone());
            let e = e.or_default();
            e.iter_mut().zip(steps).for_each(|(a, b)| *a += b);
        }
    }

    /// Adds another partition's tally.
    pub fn merge(&mut self, o: &RunTally) {
        self.quality.merge(&o.quality);
        self.referrals.merge(&o.referrals);
        for (a, b) in [
            (&mut self.sessionized, o.sessionized),
            (&mut self.session_bot_events, o.session_bot_events),
            (&mut self.no_client_events, o.no_client_events),
            (&mut self.checkout_events, o.checkout_events),
            (&mut self.excluded, o.excluded),
            (&mut self.sessions, o.sessions),
            (&mut self.visitors, o.visitors),
            (&mut self.converting, o.converting),
            (&mut self.orders, o.orders),
            (&mut self.unattributed, o.unattributed),
            (&mut self.linked_clients, o.linked_clients),
            (
                &mut self.orders_gaining_touchpoints,
                o.orders_gaining_touchpoints,
            ),
        ] {
            *a += b;
        }
        for (a, b) in [
            (&mut self.raw_cents, o.raw_cents),
            (&mut self.excluded_cents, o.excluded_cents),
            (&mut self.order_cents, o.order_cents),
            (&mut self.unattributed_cents, o.unattributed_cents),
            (&mut self.no_client_order_cents, o.no_client_order_cents),
        ] {
            *a += b;
        }
        for (k, (credit, cents)) in &o.credits {
            let e = self.credits.entry(k.clone()).or_insert((0.0, 0));
            e.0 += credit;
            e.1 += cents;
        }
        for (k, (a, u)) in &o.model_cents {
            let e = self.model_cents.entry(*k).or_default();
            e.0 += a;
            e.1 += u;
        }
        let add_steps = |a: &mut Steps, b: &Steps| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        add_steps(&mut self.funnel_overall, &o.funnel_overall);
        for (mine, theirs) in [
            (&mut self.funnel_device, &o.funnel_device),
            (&mut self.funnel_channel, &o.funnel_channel),
        ] {
            for (k, v) in theirs {
                add_steps(mine.entry(k.clone()).or_default(), v);
            }
        }
        self.journey_sessions
            .iter_mut()
            .zip(&o.journey_sessions)
            .for_each(|(a, b)| *a += b);
        self.journey_days
            .iter_mut()
            .zip(&o.journey_days)
            .for_each(|(a, b)| *a += b);
        for (k, (n, cents)) in &o.paths {
            let e = self.paths.entry(k.clone()).or_default();
            e.0 += n;
            e.1 += cents;
        }
        for (d, day) in &o.days {
            self.days.entry(*d).or_default().merge(day);
        }
    }
}

/// The day being counted in [`RunTally::add_sessions`].
struct Today {
    day: i64,
    date: NaiveDate,
    tally: DayTally,
    /// Sessions by channel number.
    channels: Vec<u64>,
}

impl Today {
    fn new(channels: usize) -> Today {
        Today {
            day: i64::MIN,
            date: NaiveDate::MIN,
            tally: DayTally::default(),
            channels: vec![0; channels],
        }
    }

    /// Adds what was counted into the day's tally, and starts again.
    fn flush(&mut self, days: &mut BTreeMap<NaiveDate, DayTally>, names: &[String]) {
        if self.tally.sessions == 0 {
            return;
        }
        for (channel, n) in self
            .channels
            .iter_mut()
            .enumerate()
            .filter(|(_, n)| **n > 0)
        {
            *self
                .tally
                .channels
                .entry(names[channel].clone())
                .or_insert(0) += *n;
            *n = 0;
        }
        days.entry(self.date)
            .or_default()
            .merge(&std::mem::take(&mut self.tally));
    }
}
