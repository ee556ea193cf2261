//! Sessionize: events of each client, in time order, cut into sessions
//! after more than `timeout` of inactivity. Sessions run across midnight
//! and across files (events are one time-ordered stream).
//!
//! Bots are left out by default (`include_bots`) and events without a
//! client id cannot be sessionized; both are counted. Optionally (off by
//! default) an event with a different external source starts a new session
//! mid-visit (the classic campaign-change rule). A session's channel is the
//! source of its first event that has external source information (see
//! [`crate::config::channels`]), else Direct.
//!
//! **Payment returns.** A shopper whose session reached checkout
//! (`checkout_started`) and who comes back to a checkout page within
//! `payment_return_minutes` of her last event is still in that session,
//! however long she was away (at a payment provider, a bank's card check)
//! and whatever the referrer says: the return neither starts a session nor
//! gives or changes its channel. She is paying, not arriving.

pub use crate::config::SessionConfig;

use crate::enrich::{Sources, UserAgents, NO_SOURCE};
use crate::model::{Event, EventKind, PerString, Strings, Sym, NONE};

/// One visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Client id.
    pub client: Sym,
    /// 1-based number of this session among its client's sessions.
    pub number: u32,
    /// First event, epoch ms.
    pub start: i64,
    /// Last event, epoch ms.
    pub end: i64,
    /// Index of the first event in the dataset.
    pub first_event: u32,
    /// Index of the event that gave the source, or [`NONE`] (Direct).
    pub source_event: u32,
    /// Rule that classified it, [`NO_SOURCE`] for Direct.
    pub rule: u16,
    /// Events.
    pub events: u32,
    /// `page_viewed` events.
    pub pageviews: u32,
    /// Had a `product_added_to_cart`.
    pub added_to_cart: bool,
    /// Had a `checkout_started`.
    pub started_checkout: bool,
    /// Orders completed in it (set by the conversions stage).
    pub orders: u32,
    /// Their revenue in cents (set by the conversions stage).
    pub revenue_cents: i64,
}

/// Sessions plus the session of each event.
#[derive(Debug, Clone, Default)]
pub struct Sessions {
    /// Sessions ordered by start.
    pub sessions: Vec<Session>,
    /// Session index of each event, [`NONE`] when not sessionized.
    pub of_event: Vec<u32>,
    /// Bot events left out.
    pub bot_events: u64,
    /// Non-bot events without a client id.
    pub no_client_events: u64,
}

/// Cuts events into sessions.
pub fn sessionize(
    events: &[Event],
    strings: &Strings,
    sources: &Sources,
    uas: &UserAgents,
    cfg: &SessionConfig,
) -> Sessions {
    cut(
        events,
        strings,
        &sources.rule,
        &sources.checkout_pages,
        uas,
        cfg,
        None,
    )
}

/// [`sessionize`] over a rule per event and the events on checkout pages
/// (ascending) to treat as payment returns; with `only`, the events of the
/// clients it marks alone (the others are left out, uncounted).
pub(crate) fn cut(
    events: &[Event],
    strings: &Strings,
    rules: &[u16],
    payment_returns: &[u32],
    uas: &UserAgents,
    cfg: &SessionConfig,
    only: Option<&PerString<bool>>,
) -> Sessions {
    let timeout = i64::from(cfg.timeout_minutes) * 60_000;
    let payment_window = i64::from(cfg.payment_return_minutes) * 60_000;
    let mut returns = payment_returns.iter().copied().peekable();
    let mut out = Sessions {
        sessions: Vec::with_capacity(most_sessions(events, strings, rules, uas, cfg, only)),
        of_event: vec![NONE; events.len()],
        ..Sessions::default()
    };
    let mut open = PerString::new(strings, NONE);
    for (i, e) in events.iter().enumerate() {
        if !cfg.include_bots && uas.is_bot(e.user_agent) {
            out.bot_events += 1;
            continue;
        }
        if e.client == NONE {
            out.no_client_events += 1;
            continue;
        }
        if only.is_some_and(|only| !only.get(e.client)) {
            continue;
        }
        while returns.next_if(|&r| (r as usize) < i).is_some() {}
        let payment_return = returns.next_if_eq(&(i as u32)).is_some();
        let open_session = Some(open.get(e.client)).filter(|&s| s != NONE);
        let paying = open_session.filter(|&s| {
            let s = &out.sessions[s as usize];
            payment_return && s.started_checkout && e.ts - s.end <= payment_window
        });
        let rule = if paying.is_some() {
            NO_SOURCE
        } else {
            rules[i]
        };
        let current = paying.or(open_session.filter(|&s| {
            let s = &out.sessions[s as usize];
            let changed = cfg.split_on_new_source && rule != NO_SOURCE && s.rule != rule;
            e.ts - s.end <= timeout && !changed
        }));
        let s = match current {
            Some(s) => s,
            None => {
                let number = open_session.map_or(1, |s| out.sessions[s as usize].number + 1);
                out.sessions.push(Session {
                    client: e.client,
                    number,
                    start: e.ts,
                    end: e.ts,
                    first_event: i as u32,
                    source_event: NONE,
                    rule: NO_SOURCE,
                    events: 0,
                    pageviews: 0,
                    added_to_cart: false,
                    started_checkout: false,
                    orders: 0,
                    revenue_cents: 0,
                });
                let s = (out.sessions.len() - 1) as u32;
                open.set(e.client, s);
                s
            }
        };
        let session = &mut out.sessions[s as usize];
        session.end = e.ts;
        session.events += 1;
        if session.source_event == NONE && rule != NO_SOURCE {
            session.source_event = i as u32;
            session.rule = rule;
        }
        match e.kind {
            EventKind::PageViewed => session.pageviews += 1,
            EventKind::ProductAddedToCart => session.added_to_cart = true,
            EventKind::CheckoutStarted => session.started_checkout = true,
            _ => {}
        }
        out.of_event[i] = s;
    }
    // Room was made for the most sessions there could be: give back the
    // rest (in place; nothing moves).
    out.sessions.shrink_to_fit();
    out
}

/// The most sessions [`cut`] can make of these events: one per event that
/// is its client's first, comes after more than the timeout, or (when a new
/// source splits) has a source. Only a payment return within its window
/// makes fewer, by continuing a session across a longer gap.
///
/// A list grown by doubling holds up to three times its final size while it
/// moves (the old list and one of twice the size): at 100 copies of an
/// export, 3.2 million sessions of 56 bytes made the page's worker take
/// about 250 MB more than it kept. This count costs one pass with a time
/// per client.
fn most_sessions(
    events: &[Event],
    strings: &Strings,
    rules: &[u16],
    uas: &UserAgents,
    cfg: &SessionConfig,
    only: Option<&PerString<bool>>,
) -> usize {
    let timeout = i64::from(cfg.timeout_minutes) * 60_000;
    // The time of each client's latest event; `i64::MIN` before the first.
    let mut latest = PerString::new(strings, i64::MIN);
    let mut starts = 0;
    for (i, e) in events.iter().enumerate() {
        if e.client == NONE
            || (!cfg.include_bots && uas.is_bot(e.user_agent))
            || only.is_some_and(|only| !only.get(e.client))
        {
            continue;
        }
        let last = latest.get(e.client);
        let source_split = cfg.split_on_new_source && rules[i] != NO_SOURCE;
        if last == i64::MIN || e.ts - last > timeout || source_split {
            starts += 1;
        }
        latest.set(e.client, e.ts);
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SiteConfig;
    use crate::ingest::{ingest, Dataset};

    const UA: &str = "\"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 Safari/537.36\"";

    fn data(rows: &[(&str, &str, &str, &str)]) -> Dataset {
        let body: Vec<String> = rows
            .iter()
            .map(|(c, ts, url, r)| format!("{c},{url},{r},{ts},page_viewed,,{UA}"))
            .collect();
        let csv = format!(
            "client_id,page_url,referrer,timestamp,event_name,event_data,user_agent\n{}\n",
            body.join("\n")
        );
        ingest([("events_20250223.csv", csv.as_bytes())])
    }

    fn run(ds: &Dataset, cfg: &SessionConfig) -> Sessions {
        let rules = crate::config::channels::default_rules();
        let sources = Sources::build(&ds.events, &ds.strings, &SiteConfig::default(), &rules);
        let uas = UserAgents::build(&ds.events, &ds.strings);
        sessionize(&ds.events, &ds.strings, &sources, &uas, cfg)
    }

    const HOME: &str = "https://puffy.com/";

    #[test]
    fn gap_longer_than_timeout_starts_new_session() {
        let ds = data(&[
            ("a", "2025-02-23T10:00:00Z", HOME, ""),
            ("a", "2025-02-23T10:30:00Z", HOME, ""), // exactly 30 min: same session
            ("a", "2025-02-23T11:00:00.001Z", HOME, ""), // 30 min + 1 ms: new
            ("b", "2025-02-23T10:10:00Z", HOME, ""),
        ]);
        let s = run(&ds, &SessionConfig::default());
        let per: Vec<(String, u32, u32)> = s
            .sessions
            .iter()
            .map(|x| (ds.strings.get(x.client).to_string(), x.number, x.events))
            .collect();
        assert_eq!(
            per,
            vec![("a".into(), 1, 2), ("b".into(), 1, 1), ("a".into(), 2, 1)]
        );
    }

    #[test]
    fn session_crosses_midnight_and_keeps_its_landing_channel() {
        let ds = data(&[
            (
                "a",
                "2025-02-23T23:50:00Z",
                "https://puffy.com/?gclid=AB12&gad_source=1",
                "https://www.google.com/",
            ),
            (
                "a",
                "2025-02-24T00:05:00Z",
                "https://puffy.com/cart",
                "https://puffy.com/",
            ),
            (
                "a",
                "2025-02-24T00:10:00Z",
                "https://checkout.puffy.com/c",
                "https://puffy.com/cart",
            ),
        ]);
        let s = run(&ds, &SessionConfig::default());
        assert_eq!(s.sessions.len(), 1);
        let rules = crate::config::channels::default_rules();
        assert_eq!(rules[s.sessions[0].rule as usize].channel, "Paid Search");
    }

    /// One client, from two sources five minutes apart.
    fn two_sources() -> Dataset {
        data(&[
            ("a", "2025-02-23T10:00:00Z", HOME, "https://www.google.com/"),
            (
                "a",
                "2025-02-23T10:05:00Z",
                "https://puffy.com/?fbclid=X1",
                "https://m.facebook.com/",
            ),
        ])
    }

    #[test]
    fn campaign_change_splits_only_when_enabled() {
        let ds = two_sources();
        assert_eq!(run(&ds, &SessionConfig::default()).sessions.len(), 1);
        let split = SessionConfig {
            split_on_new_source: true,
            ..SessionConfig::default()
        };
        assert_eq!(run(&ds, &split).sessions.len(), 2);
    }

    /// [`most_sessions`] of a batch, with the session settings of `cfg`.
    fn room(ds: &Dataset, cfg: &SessionConfig) -> usize {
        let rules = crate::config::channels::default_rules();
        let sources = Sources::build(&ds.events, &ds.strings, &SiteConfig::default(), &rules);
        let uas = UserAgents::build(&ds.events, &ds.strings);
        most_sessions(&ds.events, &ds.strings, &sources.rule, &uas, cfg, None)
    }

    #[test]
    fn room_is_made_for_exactly_the_sessions_when_no_payment_return_bridges_a_gap() {
        let gaps = data(&[
            ("a", "2025-02-23T10:00:00Z", HOME, ""),
            ("a", "2025-02-23T10:30:00Z", HOME, ""),
            ("a", "2025-02-23T11:00:00.001Z", HOME, ""),
            ("b", "2025-02-23T10:10:00Z", HOME, ""),
            ("", "2025-02-23T10:11:00Z", HOME, ""),
        ]);
        let cfg = SessionConfig::default();
        assert_eq!((room(&gaps, &cfg), run(&gaps, &cfg).sessions.len()), (3, 3));
        // One session, or two when a new source splits.
        let sources = two_sources();
        assert_eq!(room(&sources, &cfg), 1);
        let split = SessionConfig {
            split_on_new_source: true,
            ..SessionConfig::default()
        };
        assert_eq!(room(&sources, &split), 2);
    }

    #[test]
    fn bots_and_events_without_client_are_counted_not_sessionized() {
        let body = format!(
            "client_id,page_url,referrer,timestamp,event_name,event_data,user_agent\n\
             a,{HOME},,2025-02-23T10:00:00Z,page_viewed,,{UA}\n\
             ,{HOME},,2025-02-23T10:01:00Z,page_viewed,,{UA}\n\
             g,{HOME},,2025-02-23T10:02:00Z,page_viewed,,Googlebot/2.1 (+http://www.google.com/bot.html)\n"
        );
        let ds = ingest([("e.csv", body.as_bytes())]);
        let s = run(&ds, &SessionConfig::default());
        assert_eq!(
            (s.sessions.len(), s.no_client_events, s.bot_events),
            (1, 1, 1)
        );
        assert_eq!(s.of_event.iter().filter(|&&x| x == NONE).count(), 2);
    }
}
