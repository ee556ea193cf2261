//! Referrals set aside, and what they would have taken: the payment step
//! (a shopper coming back to checkout from a payment provider) and the
//! unwanted referrers are not traffic sources. To tell the analyst what that
//! changed, the batch is cut into sessions a second time with every
//! referrer counted, and each set-aside referrer is reported with the
//! sessions, orders and revenue it would have been credited with (as the
//! source of a session) — the difference between the two cuts.

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::config::channels::ChannelRule;
use crate::config::SessionConfig;
use crate::enrich::{SetAside, Sources, UserAgents};
use crate::ingest::Dataset;
use crate::limits::{truncate, MAX_LISTED_REFERRERS, MAX_REFERRER_FINDINGS};
use crate::model::NONE;
use crate::quality::checks::finding;
use crate::quality::{Category, Finding, LineRef, Severity};
use crate::sessions::conversions::conversions;
use crate::sessions::sessionize::{cut, Sessions};
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

/// Per source: sessions it is the source of, their orders, revenue cents,
/// and the rule of the first.
type Taken<'a> = FxHashMap<&'a str, (u64, u64, i64, u16)>;

/// Sessions, orders and cents each source in `wanted` is the source of.
fn taken<'a>(
    sessions: &Sessions,
    rules: &[u16],
    detail: impl Fn(usize) -> &'a str,
    wanted: &FxHashSet<&str>,
) -> Taken<'a> {
    let mut out = Taken::default();
    for s in &sessions.sessions {
        if s.source_event == NONE {
            continue;
        }
        let source = detail(s.source_event as usize);
        if wanted.contains(source) {
            let e = out
                .entry(source)
                .or_insert((0, 0, 0, rules[s.source_event as usize]));
            e.0 += 1;
            e.1 += u64::from(s.orders);
            e.2 += s.revenue_cents;
        }
    }
    out
}

/// The referrers set aside in this run, with what they would have taken;
/// `actual` are the run's sessions with their orders recorded.
pub fn set_aside_referrers(
    ds: &Dataset,
    sources: &Sources,
    uas: &UserAgents,
    cfg: &SessionConfig,
    channels: &[ChannelRule],
    excluded: &FxHashSet<usize>,
    actual: &Sessions,
) -> Vec<SetAsideReferrer> {
    if sources.payment_returns.is_empty() && sources.plain.is_empty() {
        return Vec::new();
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
    let mut plain = cut(&ds.events, &plain_rules, &unreferred, uas, cfg);
    // Records orders and revenue on the plain sessions, as on the run's.
    conversions(ds, excluded, &mut plain, uas);
    // Candidates: the listed and detected referrers, and every referrer of
    // a return to checkout.
    let set_aside: FxHashSet<&str> = sources.unwanted.iter().map(|u| u.source.as_str()).collect();
    let mut wanted = set_aside.clone();
    let mut returns: FxHashMap<&str, (u64, FxHashSet<u32>)> = FxHashMap::default();
    for &i in &sources.payment_returns {
        let source = detail(i as usize);
        let e = returns.entry(source).or_default();
        e.0 += 1;
        let client = ds.events[i as usize].client;
        if client != NONE {
            e.1.insert(client);
        }
        wanted.insert(source);
    }
    let before = taken(&plain, &plain_rules, detail, &wanted);
    let after = taken(actual, &sources.rule, |i| sources.detail(i), &wanted);
    let lost = |source: &str| {
        let b = before.get(source).copied().unwrap_or_default();
        let a = after.get(source).copied().unwrap_or_default();
        let channel = match b.0 > a.0 {
            true => channels
                .get(b.3 as usize)
                .map_or(String::new(), |r| r.channel.clone()),
            false => String::new(),
        };
        (
            channel,
            b.0.saturating_sub(a.0),
            b.1.saturating_sub(a.1),
            (b.2 - a.2).max(0),
        )
    };
    let mut out = Vec::new();
    for u in &sources.unwanted {
        let (channel, sessions, orders, cents) = lost(&u.source);
        out.push(SetAsideReferrer {
            source: u.source.clone(),
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
    let mid: Vec<_> = returns
        .into_iter()
        .filter(|(source, _)| !set_aside.contains(source))
        .filter_map(|(source, (events, clients))| {
            let (channel, sessions, orders, cents) = lost(source);
            (sessions > 0).then(|| SetAsideReferrer {
                source: source.to_string(),
                reason: SetAside::MidPurchase,
                events,
                checkout_events: events,
                clients: clients.len() as u64,
                channel,
                sessions,
                orders,
                revenue: cents as f64 / 100.0,
            })
        })
        .collect();
    out.extend(mid);
    // Those that would have taken most first; a crafted export can hold
    // any number of hosts, so the list is bounded.
    out.sort_by(|a, b| {
        b.sessions
            .cmp(&a.sessions)
            .then(b.revenue.total_cmp(&a.revenue))
            .then(b.events.cmp(&a.events))
            .then(a.source.cmp(&b.source))
    });
    out.truncate(MAX_LISTED_REFERRERS);
    out
}

/// Longest source name quoted in a message.
const MAX_SOURCE_CHARS: usize = 64;

/// One finding per set-aside referrer that referred anything (at most
/// [`MAX_REFERRER_FINDINGS`], the rest summed up in one more).
pub fn findings(ds: &Dataset, sources: &Sources, list: &[SetAsideReferrer]) -> Vec<Finding> {
    let shown: Vec<&SetAsideReferrer> = list
        .iter()
        .filter(|r| r.events > 0)
        .take(MAX_REFERRER_FINDINGS)
        .collect();
    let mut lines = samples(ds, sources, &shown);
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
            x.samples = lines.remove(r.source.as_str()).unwrap_or_default();
            x
        })
        .collect();
    let rest = sources.unwanted.len().saturating_sub(shown.len());
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

/// For each shown referrer, the first 20 lines whose referrer it is and
/// that it changed (set aside, or a return to checkout), in one pass.
fn samples<'a>(
    ds: &Dataset,
    sources: &Sources,
    shown: &[&'a SetAsideReferrer],
) -> FxHashMap<&'a str, Vec<LineRef>> {
    let mut out: FxHashMap<&str, Vec<LineRef>> = shown
        .iter()
        .map(|r| (r.source.as_str(), Vec::new()))
        .collect();
    let mut events: Vec<u32> = sources.payment_returns.clone();
    events.extend(sources.plain.iter().map(|p| p.0));
    events.sort_unstable();
    events.dedup();
    for i in events {
        if let Some(lines) = out.get_mut(sources.counted_detail(i as usize)) {
            if lines.len() < 20 {
                let e = &ds.events[i as usize];
                lines.push(LineRef {
                    file: ds.files[e.file as usize].name.clone(),
                    line: u64::from(e.line),
                });
            }
        }
    }
    out
}
