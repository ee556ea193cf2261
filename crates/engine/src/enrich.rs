//! Enrich: what each event's user agent says (device, browser, OS, bot).
//!
//! Each distinct user agent is classified once (events share interned
//! strings), with the `woothee` parser plus a pattern list for the crawlers
//! and headless browsers it does not know.
//!
//! A user agent is a **bot** when woothee puts it in its `crawler` category,
//! or when, lower-cased, it contains any of [`BOT_PATTERNS`]. **Device** is
//! `tablet` for iPads and Android without `Mobile`, `mobile` for woothee's
//! `smartphone`/`mobilephone`, `desktop` for `pc`, else `other`.

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::model::{Event, Strings, Sym, NONE};

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

/// Device class of a user agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    let lower = ua.to_ascii_lowercase();
    let parsed = woothee::parser::Parser::new().parse(ua);
    let (category, browser, os) = match &parsed {
        Some(r) => (r.category, r.name.to_string(), r.os.to_string()),
        None => ("UNKNOWN", "UNKNOWN".to_string(), "UNKNOWN".to_string()),
    };
    let is_bot = ua.trim().is_empty()
        || category == "crawler"
        || BOT_PATTERNS.iter().any(|p| lower.contains(p));
    let device = if is_bot {
        Device::Other
    } else if lower.contains("ipad") || (lower.contains("android") && !lower.contains("mobile")) {
        Device::Tablet
    } else {
        match category {
            "smartphone" | "mobilephone" => Device::Mobile,
            "pc" => Device::Desktop,
            _ => Device::Other,
        }
    };
    UserAgentInfo {
        device,
        browser,
        os,
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
