//! What the audit counts over events, as sums that add up: the events of a
//! batch split between partitions of persons, tallied apart and
//! [`EventTally::merge`]d, give what the whole batch gives. The audit makes
//! its findings from a tally and the batch's files
//! ([`crate::quality::audit_from`]), so one reader and a cluster share
//! every rule and every message.
//!
//! Per-client facts (a client's first event, whether it was seen on the
//! shop) stay exact because a partition holds all of its persons' events.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::config::SiteConfig;
use crate::enrich::UserAgents;
use crate::ingest::schema::Column;
use crate::ingest::{Dataset, FileReport};
use crate::model::{day_of, EventKind, ItemsTotal, PerString, NONE};
use crate::quality::checks::MAX_SAMPLES;
use crate::quality::LineRef;

/// Where an event is in the batch: (time, file, line), the order of events.
pub type EventKey = (i64, u32, u32);

/// The first [`MAX_SAMPLES`] lines of a finding, by key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Samples(Vec<EventKey>);

impl Samples {
    /// Adds a line; lines come in key order within one dataset, so the
    /// first ones kept are the smallest.
    pub fn push(&mut self, key: EventKey) {
        if self.0.len() < MAX_SAMPLES {
            self.0.push(key);
        }
    }

    /// The first lines of both.
    pub fn merge(&mut self, other: &Samples) {
        self.0.extend_from_slice(&other.0);
        self.0.sort_unstable();
        self.0.truncate(MAX_SAMPLES);
    }

    /// As file names and lines.
    pub fn lines(&self, files: &[FileReport]) -> Vec<LineRef> {
        self.0
            .iter()
            .map(|&(_, file, line)| LineRef {
                file: files
                    .get(file as usize)
                    .map_or_else(String::new, |f| f.name.clone()),
                line: u64::from(line),
            })
            .collect()
    }
}

/// One finding's events: how many, their amount in cents, their days and
/// first lines.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Events counted.
    pub count: u64,
    /// Their revenue, in cents, when the finding has an amount.
    pub cents: i64,
    /// Days they are stamped on.
    pub days: BTreeSet<NaiveDate>,
    /// The first lines.
    pub samples: Samples,
}

impl Tally {
    fn add(&mut self, key: EventKey) {
        self.count += 1;
        self.days.insert(day_of(key.0));
        self.samples.push(key);
    }

    /// Adds another partition's tally of the same finding.
    pub fn merge(&mut self, other: &Tally) {
        self.count += other.count;
        self.cents += other.cents;
        self.days.extend(other.days.iter().copied());
        self.samples.merge(&other.samples);
    }
}

/// Per-day counts the score needs.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCounts {
    /// Orders that count.
    pub orders: u64,
    /// Orders excluded as duplicate transactions.
    pub duplicate_orders: u64,
    /// Events stamped on the day whose file names another day.
    pub outside_file_day: u64,
}

impl DayCounts {
    fn merge(&mut self, other: &DayCounts) {
        self.orders += other.orders;
        self.duplicate_orders += other.duplicate_orders;
        self.outside_file_day += other.outside_file_day;
    }
}

/// Line items of an order that count: empty fields, implausible values, a
/// total that does not match the revenue (see
/// [`crate::quality::checks`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ItemsIssue {
    /// An item with an empty price or quantity.
    Null = 0,
    /// Revenue different from the items' total.
    Mismatch = 1,
    /// A negative or absurd item.
    Implausible = 2,
}

/// Everything the audit counts over events.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventTally {
    /// Distinct events.
    pub events: u64,
    /// Distinct events per day.
    pub events_by_day: BTreeMap<NaiveDate, u64>,
    /// Bot events per day.
    pub bots_by_day: BTreeMap<NaiveDate, u64>,
    /// The first bot events.
    pub bot_samples: Samples,
    /// The first events with an empty client id, page or user agent, per
    /// (file, column), in files whose header has the column.
    pub null_samples: BTreeMap<(u32, Column), Samples>,
    /// Events stamped outside their file's day, per file.
    pub outside_file_day: BTreeMap<u32, Tally>,
    /// Orders with [`ItemsIssue`]s, by issue.
    pub items: [Tally; 3],
    /// Orders from a client with no earlier event.
    pub orphan_orders: Tally,
    /// Orders without a client id (with their revenue).
    pub orders_without_client: Tally,
    /// Clients seen on the checkout host but never on the shop, by the
    /// (file, line) of their first checkout event.
    pub checkout_only_clients: Tally,
    /// Per-day counts of the score.
    pub day_counts: BTreeMap<NaiveDate, DayCounts>,
}

/// Where a page URL is; `Unseen` marks a slot not worked out yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HostKind {
    Unseen,
    Shop,
    Checkout,
    Other,
}

/// Whether a URL is on a shop host (first), a checkout host, or neither.
fn host_kind(url: &str, site: &SiteConfig) -> HostKind {
    match crate::enrich::urls::scheme_and_host(url).and_then(|(_, host)| host) {
        Some(h) if site.is_shop(&h) => HostKind::Shop,
        Some(h) if site.is_checkout(&h) => HostKind::Checkout,
        _ => HostKind::Other,
    }
}

impl EventTally {
    /// Tallies a dataset's events in one pass; `excluded` holds the event
    /// indices of duplicate-transaction copies.
    pub fn of(
        ds: &Dataset,
        uas: &UserAgents,
        excluded: &rustc_hash::FxHashSet<usize>,
        site: &SiteConfig,
        max_item_gap_cents: f64,
    ) -> EventTally {
        let mut t = EventTally::default();
        // Dense per-string slots (symbols index the string table), not hash
        // maps: this loop visits every event. A client's first timestamp
        // (events are time-ordered, so the first seen is the earliest), a
        // page URL's host kind, whether a client was seen on the shop.
        let mut first_seen = PerString::new(&ds.strings, i64::MAX);
        let mut host_of = PerString::new(&ds.strings, HostKind::Unseen);
        let mut on_shop = PerString::new(&ds.strings, false);
        let mut checkout_only: FxHashMap<u32, (u32, u32)> = FxHashMap::default();
        for (i, e) in ds.events.iter().enumerate() {
            let key = (e.ts, e.file, e.line);
            let day = day_of(e.ts);
            let file = &ds.files[e.file as usize];
            t.events += 1;
            *t.events_by_day.entry(day).or_insert(0) += 1;
            if uas.is_bot(e.user_agent) {
                *t.bots_by_day.entry(day).or_insert(0) += 1;
                t.bot_samples.push(key);
            }
            for (col, sym) in [
                (Column::ClientId, e.client),
                (Column::PageUrl, e.page_url),
                (Column::UserAgent, e.user_agent),
            ] {
                if sym == NONE && file.header.has(col) {
                    t.null_samples.entry((e.file, col)).or_default().push(key);
                }
            }
            let counts = t.day_counts.entry(day).or_default();
            if file.day.is_some_and(|d| d != day) {
                t.outside_file_day.entry(e.file).or_default().add(key);
                counts.outside_file_day += 1;
            }
            let is_order = e.kind == EventKind::CheckoutCompleted && !excluded.contains(&i);
            if e.kind == EventKind::CheckoutCompleted {
                if is_order {
                    counts.orders += 1;
                } else {
                    counts.duplicate_orders += 1;
                }
            }
            if is_order {
                let order = &ds.orders[e.payload as usize];
                let issue = match order.items_total(crate::limits::MAX_ORDER_CENTS) {
                    ItemsTotal::MissingFields => Some(ItemsIssue::Null),
                    ItemsTotal::Implausible => Some(ItemsIssue::Implausible),
                    ItemsTotal::Cents(total)
                        if (total - order.revenue_cents).abs() as f64 > max_item_gap_cents =>
                    {
                        Some(ItemsIssue::Mismatch)
                    }
                    ItemsTotal::Cents(_) => None,
                };
                if let Some(issue) = issue {
                    t.items[issue as usize].add(key);
                }
            }
            if e.client == NONE {
                if is_order {
                    t.orders_without_client.add(key);
                    t.orders_without_client.cents += ds.orders[e.payload as usize].revenue_cents;
                }
                continue;
            }
            let first = first_seen.get_or_insert_with(e.client, || e.ts);
            if is_order && first >= e.ts {
                t.orphan_orders.add(key);
            }
            let kind = host_of
                .get_or_insert_with(e.page_url, || host_kind(ds.strings.get(e.page_url), site));
            if kind == HostKind::Shop {
                on_shop.set(e.client, true);
            } else if kind == HostKind::Checkout {
                checkout_only.entry(e.client).or_insert((e.file, e.line));
            }
        }
        let mut lost: Vec<(u32, u32)> = checkout_only
            .into_iter()
            .filter(|(c, _)| !on_shop.get(*c))
            .map(|(_, at)| at)
            .collect();
        lost.sort_unstable();
        t.checkout_only_clients.count = lost.len() as u64;
        for (file, line) in lost {
            // Ordered by file and line, not time.
            t.checkout_only_clients.samples.push((0, file, line));
        }
        t
    }

    /// Adds another partition's tally.
    pub fn merge(&mut self, other: &EventTally) {
        self.events += other.events;
        let add = |a: &mut BTreeMap<NaiveDate, u64>, b: &BTreeMap<NaiveDate, u64>| {
            for (d, n) in b {
                *a.entry(*d).or_insert(0) += n;
            }
        };
        add(&mut self.events_by_day, &other.events_by_day);
        add(&mut self.bots_by_day, &other.bots_by_day);
        self.bot_samples.merge(&other.bot_samples);
        for (k, s) in &other.null_samples {
            self.null_samples.entry(*k).or_default().merge(s);
        }
        for (k, x) in &other.outside_file_day {
            self.outside_file_day.entry(*k).or_default().merge(x);
        }
        for (a, b) in self.items.iter_mut().zip(&other.items) {
            a.merge(b);
        }
        self.orphan_orders.merge(&other.orphan_orders);
        self.orders_without_client
            .merge(&other.orders_without_client);
        self.checkout_only_clients
            .merge(&other.checkout_only_clients);
        for (d, c) in &other.day_counts {
            self.day_counts.entry(*d).or_default().merge(c);
        }
    }

    /// Keeps the per-day counts of the days from `from` to `to` only (a
    /// period's), with the events of those days; the findings' tallies stay
    /// the batch's.
    pub fn keep_days(&mut self, from: NaiveDate, to: NaiveDate) {
        let inside = |d: &NaiveDate| *d >= from && *d <= to;
        self.events_by_day.retain(|d, _| inside(d));
        self.bots_by_day.retain(|d, _| inside(d));
        self.day_counts.retain(|d, _| inside(d));
        self.events = self.events_by_day.values().sum();
    }

    /// Bot events.
    pub fn bot_events(&self) -> u64 {
        self.bots_by_day.values().sum()
    }
}
