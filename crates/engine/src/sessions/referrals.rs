//! Referrals set aside, and what they would have taken: the payment step
//! (a shopper coming back to checkout from a payment provider) and the
//! unwanted referrers are not traffic sources. To tell the analyst what that
//! changed, the clients it concerns are cut into sessions a second time
//! with every referrer counted (the others' sessions would not change), and
//! each set-aside referrer is reported with the sessions, orders and
//! revenue it would have been credited with (as the source of a session) —
//! the difference between the two cuts.

use std::collections::BTreeMap;

use rustc_hash::FxHashSet;
use serde::Serialize;

use crate::config::channels::ChannelRule;
use crate::config::Config;
use crate::config::SessionConfig;
use crate::enrich::{SetAside, Sources, UserAgents};
use crate::hashing::KeyedMap;
use crate::ingest::{Dataset, FileReport, QuarantinedRow};
use crate::limits::{truncate, MAX_LISTED_REFERRERS, MAX_REFERRER_FINDINGS};
use crate::model::{PerString, NONE};
use crate::quality::checks::finding;
use crate::quality::tally::{EventKey, EventTally, Samples};
use crate::quality::{
    audit_from, sort_findings, Category, DuplicateTransaction, Finding, QualityReport, Severity,
};
use crate::sessions::conversions::conversions;
use crate::sessions::sessionize::{cut, Session, Sessions};
use crate::units::{money, quantity, thousands};

/// A referrer whose referrals did not count, and what they would have taken.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct SetAsideReferrer {
    /// Host, or `android-app:<package>`.
    pub source: String,
    /// Why it was set aside.
    pub reason: SetAside,
    /// Events it referred.
    pub events: u64,
    /// Of those, on checkout pages.
    pub checkout_events: u64,
    /// Distinct clients it referred to checkout pages.
    pub clients: u64,
    /// The channel it would have given (empty when it would have taken no
    /// session).
    pub channel: String,
    /// Sessions it would have started or given its channel to.
    pub sessions: u64,
    /// Orders completed in those sessions.
    pub orders: u64,
    /// Their revenue.
    pub revenue: f64,
}

/// Sessions a source is the source of: how many, their orders and revenue
/// in cents, and the first of them (its first event's key) with its rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Taken {
    /// Sessions.
    pub sessions: u64,
    /// Their orders.
    pub orders: u64,
    /// Their revenue, in cents.
    pub cents: i64,
    /// The first session's first event, and its rule.
    pub first: Option<(EventKey, u16)>,
}

impl Taken {
    fn merge(&mut self, other: &Taken) {
        self.sessions += other.sessions;
        self.orders += other.orders;
        self.cents += other.cents;
        self.first = match (self.first, other.first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
}

/// A set-aside referrer's own counts (listed or detected).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct SetAsideCounts {
    /// Why.
    pub reason: SetAside,
    /// Events it referred.
    pub events: u64,
    /// Of those, on checkout pages.
    pub checkout_events: u64,
    /// Distinct clients it referred to checkout.
    pub clients: u64,
}

/// What the referrers set aside come to, as sums that add up across
/// partitions of persons: [`ReferralTally::list`] and
/// [`ReferralTally::findings`] make the report's list and findings from it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct ReferralTally {
    /// Returns to checkout and events whose rule an unwanted referrer
    /// changed (none at all: nothing to report).
    pub candidates: u64,
    /// The listed and detected referrers.
    pub set_aside: BTreeMap<String, SetAsideCounts>,
    /// Per source of a return to checkout: events and distinct clients.
    pub returns: BTreeMap<String, (u64, u64)>,
    /// Sessions per source with every referrer counted.
    pub before: BTreeMap<String, Taken>,
    /// Sessions per source as the run cut them.
    pub after: BTreeMap<String, Taken>,
    /// The first lines each source referred that it changed.
    pub samples: BTreeMap<String, Samples>,
}

/// Sessions, orders and cents each source is the source of.
fn taken<'a, 's>(
    ds: &Dataset,
    sessions: impl Iterator<Item = &'s Session>,
    rules: &[u16],
    detail: impl Fn(usize) -> &'a str,
) -> BTreeMap<String, Taken> {
    // Borrowed keys while counting (a session each), owned once per source.
    let mut out: KeyedMap<&str, Taken> = KeyedMap::default();
    for s in sessions {
        if s.source_event == NONE {
            continue;
        }
        let source = detail(s.source_event as usize);
        let first = &ds.events[s.first_event as usize];
        let key = (first.ts, first.file, first.line);
        let e = out.entry(source).or_default();
        e.sessions += 1;
        e.orders += u64::from(s.orders);
        e.cents += s.revenue_cents;
        // The earliest session (every session starts at its own event).
        if e.first.is_none_or(|(k, _)| key < k) {
            e.first = Some((key, rules[s.source_event as usize]));
        }
    }
    out.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// Tallies the referrers set aside in this run and what they would have
/// taken; `actual` are the run's sessions with their orders recorded.
pub fn referral_tally(
    ds: &Dataset,
    sources: &Sources,
    uas: &UserAgents,
    cfg: &SessionConfig,
    excluded: &FxHashSet<usize>,
    actual: &Sessions,
) -> ReferralTally {
    let mut t = ReferralTally {
        candidates: (sources.payment_returns.len() + sources.plain.len()) as u64,
        ..ReferralTally::default()
    };
    for u in &sources.unwanted {
        t.set_aside.insert(
            u.source.clone(),
            SetAsideCounts {
                reason: u.reason,
                events: u.events,
                checkout_events: u.checkout_events,
                clients: u.clients,
            },
        );
    }
    if t.candidates == 0 {
        return t;
    }
    // Every referrer counted: the unwanted ones keep their source and a
    // return to checkout from another site is an arrival like any other
    // (returns without such a referrer still continue their session).
    let plain_rules = sources.plain_rules();
    let detail = |i: usize| sources.counted_detail(i);
    let unreferred: Vec<u32> = sources
        .checkout_pages
        .iter()
        .copied()
        .filter(|i| sources.payment_returns.binary_search(i).is_err())
        .collect();
    // Only the clients of the changed events can be cut otherwise: the cut
    // goes client by client, and an order counts in the session of its own
    // event. The other clients' sessions are the run's, so the second cut
    // covers the changed clients alone (at 100 copies of an export, a
    // second list of every session took about 200 MB more in the page).
    let mut changed = PerString::new(&ds.strings, false);
    for &i in sources
        .payment_returns
        .iter()
        .chain(sources.plain.iter().map(|p| &p.0))
    {
        changed.set(ds.events[i as usize].client, true);
    }
    let mut plain = cut(
        &ds.events,
        &ds.strings,
        &plain_rules,
        &unreferred,
        uas,
        cfg,
        Some(&changed),
    );
    // Records orders and revenue on the plain sessions, as on the run's.
    conversions(ds, excluded, &mut plain, uas);
    let mut returns: BTreeMap<String, (u64, FxHashSet<u32>)> = BTreeMap::new();
    for &i in &sources.payment_returns {
        let e = returns.entry(detail(i as usize).to_string()).or_default();
        e.0 += 1;
        let client = ds.events[i as usize].client;
        if client != NONE {
            e.1.insert(client);
        }
    }
    t.returns = returns
        .into_iter()
        .map(|(source, (events, clients))| (source, (events, clients.len() as u64)))
        .collect();
    let unchanged = actual.sessions.iter().filter(|s| !changed.get(s.client));
    t.before = taken(ds, unchanged.chain(&plain.sessions), &plain_rules, detail);
    t.after = taken(ds, actual.sessions.iter(), &sources.rule, |i| {
        sources.detail(i)
    });
    // The first lines each source referred that it changed (set aside, or
    // a return to checkout), in the order of events.
    let mut events: Vec<u32> = sources.payment_returns.clone();
    events.extend(sources.plain.iter().map(|p| p.0));
    events.sort_unstable();
    events.dedup();
    for i in events {
        let e = &ds.events[i as usize];
        t.samples
            .entry(detail(i as usize).to_string())
            .or_default()
            .push((e.ts, e.file, e.line));
    }
    t
}

impl ReferralTally {
    /// Adds another partition's tally.
    pub fn merge(&mut self, other: &ReferralTally) {
        self.candidates += other.candidates;
        for (source, c) in &other.set_aside {
            self.set_aside
                .entry(source.clone())
                .and_modify(|a| {
                    a.events += c.events;
                    a.checkout_events += c.checkout_events;
                    a.clients += c.clients;
                })
                .or_insert(*c);
        }
        for (source, (events, clients)) in &other.returns {
            let a = self.returns.entry(source.clone()).or_default();
            a.0 += events;
            a.1 += clients;
        }
        for (mine, theirs) in [
            (&mut self.before, &other.before),
            (&mut self.after, &other.after),
        ] {
            for (source, t) in theirs {
                mine.entry(source.clone()).or_default().merge(t);
            }
        }
        for (source, s) in &other.samples {
            self.samples.entry(source.clone()).or_default().merge(s);
        }
    }

    /// The referrers set aside, with what they would have taken: those that
    /// would have taken most first, at most [`MAX_LISTED_REFERRERS`] (a
    /// crafted export can hold any number of hosts).
    pub fn list(&self, channels: &[ChannelRule]) -> Vec<SetAsideReferrer> {
        if self.candidates == 0 {
            return Vec::new();
        }
        let lost = |source: &str| {
            let b = self.before.get(source).copied().unwrap_or_default();
            let a = self.after.get(source).copied().unwrap_or_default();
            let channel = match (b.sessions > a.sessions, b.first) {
                (true, Some((_, rule))) => channels
                    .get(rule as usize)
                    .map_or(String::new(), |r| r.channel.clone()),
                _ => String::new(),
            };
            (
                channel,
                b.sessions.saturating_sub(a.sessions),
                b.orders.saturating_sub(a.orders),
                (b.cents - a.cents).max(0),
            )
        };
        let mut out = Vec::new();
        for (source, u) in &self.set_aside {
            let (channel, sessions, orders, cents) = lost(source);
            out.push(SetAsideReferrer {
                source: source.clone(),
                reason: u.reason,
                events: u.events,
                checkout_events: u.checkout_events,
                clients: u.clients,
                channel,
                sessions,
                orders,
                revenue: cents as f64 / 100.0,
            });
        }
        for (source, &(events, clients)) in &self.returns {
            if self.set_aside.contains_key(source) {
                continue;
            }
            let (channel, sessions, orders, cents) = lost(source);
            if sessions > 0 {
                out.push(SetAsideReferrer {
                    source: source.clone(),
                    reason: SetAside::MidPurchase,
                    events,
                    checkout_events: events,
                    clients,
                    channel,
                    sessions,
                    orders,
                    revenue: cents as f64 / 100.0,
                });
            }
        }
        crate::sorting::sort_by(&mut out, |a, b| {
            b.sessions
                .cmp(&a.sessions)
                .then(b.revenue.total_cmp(&a.revenue))
                .then(b.events.cmp(&a.events))
                .then(a.source.cmp(&b.source))
        });
        out.truncate(MAX_LISTED_REFERRERS);
        out
    }
}

/// The audit with its findings on the referrers set aside (they need the
/// session cut, so the quality stage cannot make them), and the list of
/// those referrers: what a run and `report.json` both state, from the
/// batch's files, quarantine and reused transactions and the two tallies.
pub fn audit(
    files: &[FileReport],
    quarantine: &[QuarantinedRow],
    dups: &[DuplicateTransaction],
    events: &EventTally,
    referrals: &ReferralTally,
    cfg: &Config,
) -> (QualityReport, Vec<SetAsideReferrer>) {
    let mut quality = audit_from(files, quarantine, dups, events, &cfg.quality);
    let list = referrals.list(&cfg.channels);
    quality.findings.extend(findings(files, referrals, &list));
    sort_findings(&mut quality.findings);
    (quality, list)
}

/// Longest source name quoted in a message.
const MAX_SOURCE_CHARS: usize = 64;

/// One finding per set-aside referrer that referred anything (at most
/// [`MAX_REFERRER_FINDINGS`], the rest summed up in one more); `list` is
/// [`ReferralTally::list`].
pub fn findings(
    files: &[FileReport],
    t: &ReferralTally,
    list: &[SetAsideReferrer],
) -> Vec<Finding> {
    let shown: Vec<&SetAsideReferrer> = list
        .iter()
        .filter(|r| r.events > 0)
        .take(MAX_REFERRER_FINDINGS)
        .collect();
    let mut out: Vec<Finding> = shown
        .iter()
        .map(|r| {
            let name = truncate(&r.source, MAX_SOURCE_CHARS);
            let would = match r.sessions {
                0 => "it would have taken no session".to_string(),
                n => format!(
                    "counted, it would have taken {} and {} in orders as {}",
                    quantity(n, "session"),
                    money(r.revenue),
                    r.channel
                ),
            };
            let (check, severity, message) = match r.reason {
                SetAside::Detected => (
                    "payment_referrer",
                    Severity::Warning,
                    format!(
                        "{name} sent {} back to checkout pages and nowhere else: likely a \
                         payment provider, so it is not counted as a traffic source ({would}). \
                         Add it to the unwanted referrers in the settings to keep it out for good.",
                        quantity(r.clients, "shopper"),
                    ),
                ),
                SetAside::Listed => (
                    "unwanted_referrer",
                    Severity::Info,
                    format!(
                        "{name} is on the unwanted-referrer list: {} set aside ({would}).",
                        quantity(r.events, "referral"),
                    ),
                ),
                SetAside::MidPurchase => (
                    "payment_return",
                    Severity::Info,
                    format!(
                        "{name} sent {} back to checkout in the middle of a purchase; \
                         they kept their session and its channel ({would}).",
                        quantity(r.clients, "shopper"),
                    ),
                ),
            };
            let mut x = finding(check, Category::Consistency, severity, message);
            x.count = r.events;
            x.value = Some(r.revenue);
            x.samples = t
                .samples
                .get(&r.source)
                .map(|s| s.lines(files))
                .unwrap_or_default();
            x
        })
        .collect();
    let rest = t.set_aside.len().saturating_sub(shown.len());
    if rest > 0 && shown.len() == MAX_REFERRER_FINDINGS {
        let mut x = finding(
            "referrers_set_aside",
            Category::Consistency,
            Severity::Warning,
            format!(
                "{} more referrers were set aside; report.json lists the {} that would have taken most.",
                thousands(rest as u64),
                MAX_LISTED_REFERRERS
            ),
        );
        x.count = rest as u64;
        out.push(x);
    }
    out
}
