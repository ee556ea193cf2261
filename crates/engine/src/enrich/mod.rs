//! Enrich: where each event came from (channel, by the rule table of
//! [`crate::config::channels`]) and what its user agent says (device, browser, OS,
//! bot).
//!
//! URLs are parsed once per distinct string: page URLs for their query keys,
//! referrers for their host; each distinct (page, referrer) pair is
//! classified once.
//!
//! Each distinct user agent is classified once (events share interned
//! strings), with woothee's rules ([`agent`]) plus a pattern list for the
//! crawlers and headless browsers they do not know.
//!
//! A user agent is a **bot** when woothee puts it in its `crawler` category,
//! or when, lower-cased and without the device names of [`NOT_BOTS`], it
//! contains any of [`BOT_PATTERNS`]. **Device** is
//! `tablet` for iPads and Android without `Mobile`, `mobile` for woothee's
//! `smartphone`/`mobilephone`, `desktop` for `pc`, else `other`.

pub mod agent;
pub mod urls;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use self::agent::{Agent, Category};
use crate::config::channels::{ChannelRule, Referrer};
use crate::config::SiteConfig;
use crate::hashing::KeyedMap;
use crate::model::{Event, PerString, Strings, Sym, NONE};

/// Rule index of events without external source information.
pub const NO_SOURCE: u16 = u16::MAX;

/// Lower-case substrings that mark crawlers, SEO tools, headless browsers and
/// HTTP libraries.
pub const BOT_PATTERNS: &[&str] = &[
    "bot/",
    "bot;",
    "bot)",
    "bot ",
    "crawler",
    "crawl",
    "spider",
    "slurp",
    "+http",
    "headlesschrome",
    "headless",
    "phantomjs",
    "puppeteer",
    "playwright",
    "selenium",
    "webdriver",
    "lighthouse",
    "pingdom",
    "gtmetrix",
    "python-requests",
    "python-urllib",
    "aiohttp",
    "curl/",
    "wget/",
    "go-http-client",
    "java/",
    "okhttp",
    "scrapy",
    "httpclient",
    "facebookexternalhit",
    "bytespider",
    "gptbot",
    "ccbot",
];

/// Lower-case device and app names that contain a bot pattern but are
/// people: CUBOT phones (`CUBOT P80` holds `bot `).
pub const NOT_BOTS: &[&str] = &["cubot"];

/// Device class of a user agent.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Device {
    /// Phones.
    Mobile,
    /// iPads and Android tablets.
    Tablet,
    /// Computers.
    Desktop,
    /// Anything else (bots, TVs, unknown).
    Other,
}

impl Device {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Device::Mobile => "mobile",
            Device::Tablet => "tablet",
            Device::Desktop => "desktop",
            Device::Other => "other",
        }
    }
}

/// What a user agent says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct UserAgentInfo {
    /// Device class.
    pub device: Device,
    /// Browser name (woothee's), or `UNKNOWN`.
    pub browser: String,
    /// Operating system (woothee's), or `UNKNOWN`.
    pub os: String,
    /// Crawler, headless browser or script.
    pub is_bot: bool,
}

/// Classifies one user agent string.
pub fn classify_user_agent(ua: &str) -> UserAgentInfo {
    let mut lower = ua.to_ascii_lowercase();
    for name in NOT_BOTS {
        if lower.contains(name) {
            lower = lower.replace(name, "");
        }
    }
    let parsed = agent::parse(ua).unwrap_or(Agent::UNKNOWN);
    let is_bot = ua.trim().is_empty()
        || parsed.category == Category::Crawler
        || BOT_PATTERNS.iter().any(|p| lower.contains(p));
    let device = if is_bot {
        Device::Other
    } else if lower.contains("ipad") || (lower.contains("android") && !lower.contains("mobile")) {
        Device::Tablet
    } else {
        match parsed.category {
            Category::Smartphone | Category::Mobilephone => Device::Mobile,
            Category::Pc => Device::Desktop,
            _ => Device::Other,
        }
    };
    UserAgentInfo {
        device,
        browser: parsed.name.to_string(),
        os: parsed.os.to_string(),
        is_bot,
    }
}

/// Every distinct user agent of `events`, classified once.
#[derive(Debug, Default, Clone)]
pub struct UserAgents {
    map: FxHashMap<Sym, UserAgentInfo>,
}

impl UserAgents {
    /// Classifies the distinct user agents of `events`.
    pub fn build(events: &[Event], strings: &Strings) -> UserAgents {
        let mut map = FxHashMap::default();
        for e in events {
            map.entry(e.user_agent)
                .or_insert_with(|| classify_user_agent(strings.get(e.user_agent)));
        }
        UserAgents { map }
    }

    /// Whether the event's user agent is a bot (a missing user agent is).
    pub fn is_bot(&self, ua: Sym) -> bool {
        ua == NONE || self.map.get(&ua).is_none_or(|i| i.is_bot)
    }

    /// The classification of `ua`, if it was seen.
    pub fn get(&self, ua: Sym) -> Option<&UserAgentInfo> {
        self.map.get(&ua)
    }
}

/// A referrer URL reduced to what rules look at; the shop's own hosts are
/// [`Referrer::None`].
pub fn parse_referrer(url: &str, site: &SiteConfig) -> Referrer {
    let Some((scheme, host)) = crate::enrich::urls::scheme_and_host(url) else {
        return Referrer::None;
    };
    match (scheme.as_str(), host) {
        ("android-app", Some(app)) => Referrer::App(app),
        (_, Some(host)) if !site.is_shop(&host) && !site.is_checkout(&host) => Referrer::Host(host),
        _ => Referrer::None,
    }
}

/// Why a referrer's referrals were set aside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SetAside {
    /// It is on the `site.unwanted_referrers` list.
    Listed,
    /// It refers checkout pages and nothing else (a likely payment provider).
    Detected,
    /// It only referred shoppers back to checkout in the middle of a
    /// purchase (see [`crate::config::SessionConfig::payment_return_minutes`]).
    MidPurchase,
}

/// A referrer whose referrals do not count as a traffic source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnwantedReferrer {
    /// Its source detail: a host, or `android-app:<package>`.
    pub source: String,
    /// Listed or detected.
    pub reason: SetAside,
    /// Events it referred.
    pub events: u64,
    /// Of those, events on a checkout page.
    pub checkout_events: u64,
    /// Distinct client ids it referred to checkout pages.
    pub clients: u64,
}

/// Fewest distinct clients a host must bring back to checkout before it is
/// taken for a payment provider: one shopper's odd link is no pattern.
pub const PAYMENT_PROVIDER_MIN_CLIENTS: u64 = 2;

/// Why a referrer source is set aside, from its counts over the whole batch
/// (referrals to checkout and to other pages, distinct clients it brought
/// to checkout): listed as unwanted, or detected as a payment provider (it
/// only ever refers to checkout, and to at least
/// [`PAYMENT_PROVIDER_MIN_CLIENTS`] clients); `None` when it counts.
pub fn set_aside_reason(
    site: &SiteConfig,
    source: &str,
    other_events: u64,
    checkout_clients: u64,
) -> Option<SetAside> {
    if site.is_unwanted(source) {
        Some(SetAside::Listed)
    } else if site.detect_payment_providers
        && other_events == 0
        && checkout_clients >= PAYMENT_PROVIDER_MIN_CLIENTS
    {
        Some(SetAside::Detected)
    } else {
        None
    }
}

/// The source a referrer URL names (its host, or `android-app:<package>`),
/// `None` for none or the shop's own.
pub fn referrer_source(url: &str, site: &SiteConfig) -> Option<String> {
    source_text(&parse_referrer(url, site))
}

/// Whether a page URL is on a checkout host.
pub fn is_checkout_page(url: &str, site: &SiteConfig) -> bool {
    crate::enrich::urls::scheme_and_host(url)
        .and_then(|(_, host)| host)
        .is_some_and(|h| site.is_checkout(&h))
}

/// Per-event traffic source: the index of the first matching rule, or
/// [`NO_SOURCE`] for events without external source information.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// One entry per event of the dataset, in order.
    pub rule: Vec<u16>,
    /// Index into `details` of each event's source detail (32 bits: a
    /// batch may hold far more than 65,535 distinct referrer hosts).
    detail_of: Vec<u32>,
    /// Distinct source details (referrer hosts, apps, click-id keys).
    details: Vec<String>,
    /// Events on a checkout page, ascending.
    pub checkout_pages: Vec<u32>,
    /// Of those, the events whose referrer is another site (unwanted or
    /// not): shoppers coming back from paying, or arriving from a link.
    pub payment_returns: Vec<u32>,
    /// Referrers set aside (listed or detected), by source.
    pub unwanted: Vec<UnwantedReferrer>,
    /// Events whose rule the unwanted referrers changed: (event, rule and
    /// index into `details` had the referrer counted), ascending.
    pub(crate) plain: Vec<(u32, u16, u32)>,
}

/// What a distinct page URL says: its query keys (ids into the key names)
/// and whether it is on a checkout host.
struct Page {
    keys: Box<[u32]>,
    checkout: bool,
}

/// Counts of one external referrer (host or app) over the batch.
#[derive(Default)]
struct ReferrerStats {
    source: String,
    checkout_events: u64,
    other_events: u64,
    checkout_clients: FxHashSet<Sym>,
}

impl Sources {
    /// Classifies every event.
    pub fn build(
        events: &[Event],
        strings: &Strings,
        site: &SiteConfig,
        rules: &[ChannelRule],
    ) -> Sources {
        Sources::build_with(events, strings, site, rules, None)
    }

    /// [`Sources::build`], with the payment providers detected over the
    /// whole batch when these events are one partition of it (a partition
    /// sees only its own persons' referrals, so it cannot judge a host).
    pub fn build_with(
        events: &[Event],
        strings: &Strings,
        site: &SiteConfig,
        rules: &[ChannelRule],
        payment_providers: Option<&FxHashSet<String>>,
    ) -> Sources {
        // Per distinct string (dense symbol slots, not hash maps): a page
        // URL's query keys, as ids of the few distinct key names, and
        // whether it is a checkout page; a referrer's parsed form and the
        // id of its host. A first pass counts, per referrer host, the
        // checkout and other pages it refers (to detect payment providers);
        // the second classifies each distinct (page, referrer) pair once.
        // An event whose page has no query keys and whose referrer is empty
        // or the shop's own skips the pair table (most events: clicks
        // inside the shop).
        let mut key_names: Vec<String> = Vec::new();
        let mut key_ids: KeyedMap<String, u32> = KeyedMap::default();
        let mut page_slot = PerString::new(strings, u32::MAX);
        let mut pages: Vec<Page> = Vec::new();
        let mut referrer_slot = PerString::new(strings, u32::MAX);
        let mut parsed_referrers: Vec<(Referrer, u32)> = Vec::new();
        let mut stats: Vec<ReferrerStats> = Vec::new();
        let mut stat_of: KeyedMap<String, u32> = KeyedMap::default();
        let mut payment_returns = Vec::new();
        let mut checkout_pages = Vec::new();
        for (i, e) in events.iter().enumerate() {
            let page = page_slot.get_or_insert_with(e.page_url, || {
                let url = strings.get(e.page_url);
                let mut ids = Vec::new();
                let host = crate::enrich::urls::page_host_and_keys(url, |key| {
                    let id = match key_ids.get(key) {
                        Some(&id) => id,
                        None => {
                            let id = key_names.len() as u32;
                            key_names.push(key.to_string());
                            key_ids.insert(key.to_string(), id);
                            id
                        }
                    };
                    ids.push(id);
                });
                let checkout = host.is_some_and(|h| site.is_checkout(&h));
                pages.push(Page {
                    keys: ids.into_boxed_slice(),
                    checkout,
                });
                (pages.len() - 1) as u32
            }) as usize;
            let referrer = referrer_slot.get_or_insert_with(e.referrer, || {
                let parsed = parse_referrer(strings.get(e.referrer), site);
                let stat = match source_text(&parsed) {
                    None => u32::MAX,
                    Some(text) => *stat_of.entry(text).or_insert_with_key(|text| {
                        stats.push(ReferrerStats {
                            source: text.clone(),
                            ..ReferrerStats::default()
                        });
                        (stats.len() - 1) as u32
                    }),
                };
                parsed_referrers.push((parsed, stat));
                (parsed_referrers.len() - 1) as u32
            }) as usize;
            let stat = parsed_referrers[referrer].1;
            if pages[page].checkout {
                checkout_pages.push(i as u32);
            }
            if let Some(st) = stats.get_mut(stat as usize) {
                if pages[page].checkout {
                    st.checkout_events += 1;
                    payment_returns.push(i as u32);
                    if e.client != NONE {
                        st.checkout_clients.insert(e.client);
                    }
                } else {
                    st.other_events += 1;
                }
            }
        }
        let mut unwanted = Vec::new();
        let set_aside: Vec<bool> = stats
            .iter()
            .map(|st| {
                let clients = st.checkout_clients.len() as u64;
                let reason = match payment_providers {
                    None => set_aside_reason(site, &st.source, st.other_events, clients),
                    Some(_) if site.is_unwanted(&st.source) => Some(SetAside::Listed),
                    Some(batch) => batch.contains(&st.source).then_some(SetAside::Detected),
                };
                let Some(reason) = reason else {
                    return false;
                };
                unwanted.push(UnwantedReferrer {
                    source: st.source.clone(),
                    reason,
                    events: st.checkout_events + st.other_events,
                    checkout_events: st.checkout_events,
                    clients: st.checkout_clients.len() as u64,
                });
                true
            })
            .collect();
        crate::sorting::sort_by(&mut unwanted, |a, b| {
            b.events.cmp(&a.events).then(a.source.cmp(&b.source))
        });

        let mut pairs: FxHashMap<(Sym, Sym), [(u16, u32); 2]> = FxHashMap::default();
        let mut details: Vec<String> = vec![String::new()];
        let mut detail_index: KeyedMap<String, u32> = KeyedMap::default();
        let mut rule = Vec::with_capacity(events.len());
        let mut detail_of = Vec::with_capacity(events.len());
        let mut plain = Vec::new();
        for (i, e) in events.iter().enumerate() {
            let page = &pages[page_slot.get(e.page_url) as usize];
            let (referrer, stat) = &parsed_referrers[referrer_slot.get(e.referrer) as usize];
            if page.keys.is_empty() && *referrer == Referrer::None {
                rule.push(NO_SOURCE);
                detail_of.push(0);
                continue;
            }
            let unwanted = set_aside.get(*stat as usize).copied().unwrap_or(false);
            let [(r, d), (plain_r, plain_d)] =
                *pairs.entry((e.page_url, e.referrer)).or_insert_with(|| {
                    let k: Vec<&str> = page
                        .keys
                        .iter()
                        .map(|&id| key_names[id as usize].as_str())
                        .collect();
                    let mut one = |referrer: &Referrer| {
                        let r = classify(&k, referrer, rules);
                        let text = match (referrer, rules.get(r as usize)) {
                            (_, None) => String::new(),
                            (Referrer::None, Some(rule)) => k
                                .iter()
                                .find(|k| rule.uses_param(k))
                                .map(|k| k.to_string())
                                .unwrap_or_default(),
                            (referrer, _) => source_text(referrer).unwrap_or_default(),
                        };
                        let d = *detail_index.entry(text).or_insert_with_key(|text| {
                            details.push(text.clone());
                            (details.len() - 1) as u32
                        });
                        (r, d)
                    };
                    let counted = one(referrer);
                    let kept = if unwanted {
                        one(&Referrer::None)
                    } else {
                        counted
                    };
                    [kept, counted]
                });
            if r != plain_r {
                plain.push((i as u32, plain_r, plain_d));
            }
            rule.push(r);
            detail_of.push(d);
        }
        Sources {
            rule,
            detail_of,
            details,
            checkout_pages,
            payment_returns,
            unwanted,
            plain,
        }
    }

    /// The source detail of event `i`: its referrer host or app, else the
    /// rule's click-id key on its page URL, else empty.
    pub fn detail(&self, i: usize) -> &str {
        self.detail_of
            .get(i)
            .and_then(|&d| self.details.get(d as usize))
            .map_or("", String::as_str)
    }

    /// The source detail of event `i` had its referrer been counted even
    /// when unwanted.
    pub fn counted_detail(&self, i: usize) -> &str {
        match self.plain.binary_search_by_key(&(i as u32), |p| p.0) {
            Ok(k) => self
                .details
                .get(self.plain[k].2 as usize)
                .map_or("", String::as_str),
            Err(_) => self.detail(i),
        }
    }

    /// The rule of each event had its referrer been counted even when
    /// unwanted.
    pub(crate) fn plain_rules(&self) -> Vec<u16> {
        let mut rules = self.rule.clone();
        for &(i, r, _) in &self.plain {
            rules[i as usize] = r;
        }
        rules
    }
}

/// A referrer's source detail: its host, or `android-app:<package>`.
fn source_text(referrer: &Referrer) -> Option<String> {
    match referrer {
        Referrer::None => None,
        Referrer::Host(h) => Some(h.clone()),
        Referrer::App(a) => Some(format!("android-app:{a}")),
    }
}

/// The rule for one page's query keys and referrer, or [`NO_SOURCE`] when
/// the event carries no external source information.
fn classify(keys: &[&str], referrer: &Referrer, rules: &[ChannelRule]) -> u16 {
    let traffic = *referrer != Referrer::None
        || keys
            .iter()
            .any(|k| k.starts_with("utm_") || rules.iter().any(|r| r.uses_param(k)));
    if !traffic {
        return NO_SOURCE;
    }
    rules
        .iter()
        .position(|r| r.matches(keys, referrer))
        .map_or(NO_SOURCE, |i| i as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_and_devices() {
        let iphone = classify_user_agent("Mozilla/5.0 (iPhone; CPU iPhone OS 18_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.3 Mobile/15E148 Safari/604.1");
        assert_eq!((iphone.device, iphone.is_bot), (Device::Mobile, false));
        let ipad = classify_user_agent("Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1");
        assert_eq!(ipad.device, Device::Tablet);
        let mac = classify_user_agent("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36");
        assert_eq!(
            (mac.device, mac.browser.as_str()),
            (Device::Desktop, "Chrome")
        );
    }

    #[test]
    fn crawlers_and_headless_browsers_are_bots() {
        for ua in [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36",
            "python-requests/2.31.0",
            "",
        ] {
            assert!(classify_user_agent(ua).is_bot, "{ua}");
        }
    }
}
