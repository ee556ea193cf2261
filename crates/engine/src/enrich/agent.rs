//! The user-agent rules of woothee (the `woothee` crate, 0.13), for the three
//! things the engine reads from them: the category, the browser name and the
//! operating system. Versions are not kept.
//!
//! Why not the crate: woothee builds 49 regular expressions, and the regex
//! engine they need was a fifth of the page's WebAssembly. The category
//! and the names only depend on literal tokens, so plain string searches
//! can decide them. The rules run in woothee's order, and so do their side
//! effects: a rule that fills in a field and then fails still leaves the
//! field set. A test compares this module with the crate on a corpus of
//! real user agents, and a property test does the same on generated ones.
//!
//! One known difference: `\d` in woothee's Yandex Browser version pattern
//! also takes non-ASCII decimal digits; here only `0`–`9` count. An agent
//! that writes its Yandex version in, say, Arabic-Indic digits comes out as
//! Chrome here and as Yandex Browser in woothee.

/// What kind of client a user agent is, in woothee's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// Desktop and laptop computers.
    Pc,
    /// Smartphones and tablets.
    Smartphone,
    /// Feature phones (mostly Japanese carriers).
    Mobilephone,
    /// Game consoles and TVs.
    Appliance,
    /// Crawlers woothee knows by name.
    Crawler,
    /// Feed readers and HTTP libraries.
    Misc,
    /// Nothing matched.
    Unknown,
}

impl Category {
    /// woothee's name for the category.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Pc => "pc",
            Category::Smartphone => "smartphone",
            Category::Mobilephone => "mobilephone",
            Category::Appliance => "appliance",
            Category::Crawler => "crawler",
            Category::Misc => "misc",
            Category::Unknown => UNKNOWN,
        }
    }
}

/// The value of a field nothing filled in.
pub const UNKNOWN: &str = "UNKNOWN";

/// A parsed user agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Agent {
    /// Category.
    pub category: Category,
    /// Browser or client name.
    pub name: &'static str,
    /// Operating system.
    pub os: &'static str,
}

/// One row of woothee's dataset: what a rule fills in. An empty name or
/// OS, or no category, leaves the field as it was.
struct Entry {
    name: &'static str,
    category: Option<Category>,
    os: &'static str,
}

const fn browser(name: &'static str) -> Entry {
    Entry {
        name,
        category: None,
        os: "",
    }
}

const fn system(name: &'static str, category: Category) -> Entry {
    Entry {
        name,
        category: Some(category),
        os: "",
    }
}

const fn full(name: &'static str, category: Category, os: &'static str) -> Entry {
    Entry {
        name,
        category: Some(category),
        os,
    }
}

use Category::{Appliance, Crawler, Misc, Mobilephone, Pc, Smartphone};

const MSIE: Entry = browser("Internet Explorer");
const EDGE: Entry = browser("Edge");
const CHROME: Entry = browser("Chrome");
const SAFARI: Entry = browser("Safari");
const FIREFOX: Entry = browser("Firefox");
const OPERA: Entry = browser("Opera");
const VIVALDI: Entry = browser("Vivaldi");
const SLEIPNIR: Entry = browser("Sleipnir");
const GSA: Entry = browser("Google Search App");
const WEBVIEW: Entry = browser("Webview");
const YABROWSER: Entry = browser("Yandex Browser");
const SAMSUNG: Entry = browser("SamsungBrowser");

const WIN: Entry = system("Windows UNKNOWN Ver", Pc);
const WIN10: Entry = system("Windows 10", Pc);
const WIN8_1: Entry = system("Windows 8.1", Pc);
const WIN8: Entry = system("Windows 8", Pc);
const WIN7: Entry = system("Windows 7", Pc);
const WIN_VISTA: Entry = system("Windows Vista", Pc);
const WIN_XP: Entry = system("Windows XP", Pc);
const WIN2000: Entry = system("Windows 2000", Pc);
const WIN_NT4: Entry = system("Windows NT 4.0", Pc);
const WIN98: Entry = system("Windows 98", Pc);
const WIN95: Entry = system("Windows 95", Pc);
const WIN_PHONE: Entry = system("Windows Phone OS", Smartphone);
const WIN_CE: Entry = system("Windows CE", Smartphone);
const OSX: Entry = system("Mac OSX", Pc);
const MAC_OS: Entry = system("Mac OS Classic", Pc);
const LINUX: Entry = system("Linux", Pc);
const BSD: Entry = system("BSD", Pc);
const CHROME_OS: Entry = system("ChromeOS", Pc);
const ANDROID: Entry = system("Android", Smartphone);
const IPHONE: Entry = system("iPhone", Smartphone);
const IPAD: Entry = system("iPad", Smartphone);
const IPOD: Entry = system("iPod", Smartphone);
const IOS: Entry = system("iOS", Smartphone);
const FIREFOX_OS: Entry = system("Firefox OS", Smartphone);
const BLACKBERRY: Entry = system("BlackBerry", Smartphone);
const BLACKBERRY10: Entry = system("BlackBerry 10", Smartphone);

const DOCOMO: Entry = full("docomo", Mobilephone, "docomo");
const AU: Entry = full("au by KDDI", Mobilephone, "au");
const SOFTBANK: Entry = full("SoftBank Mobile", Mobilephone, "SoftBank");
const WILLCOM: Entry = full("WILLCOM", Mobilephone, "WILLCOM");
const JIG: Entry = full("jig browser", Mobilephone, "jig");
const EMOBILE: Entry = full("emobile", Mobilephone, "emobile");
const SYMBIAN: Entry = full("SymbianOS", Mobilephone, "SymbianOS");
const TRANSCODER: Entry = full("Mobile Transcoder", Mobilephone, "Mobile Transcoder");
const NINTENDO_3DS: Entry = full("Nintendo 3DS", Appliance, "Nintendo 3DS");
const NINTENDO_DSI: Entry = full("Nintendo DSi", Appliance, "Nintendo DSi");
const NINTENDO_WII: Entry = full("Nintendo Wii", Appliance, "Nintendo Wii");
const NINTENDO_WIIU: Entry = full("Nintendo Wii U", Appliance, "Nintendo Wii U");
const PSP: Entry = full("PlayStation Portable", Appliance, "PlayStation Portable");
const PS_VITA: Entry = full("PlayStation Vita", Appliance, "PlayStation Vita");
const PS3: Entry = full("PlayStation 3", Appliance, "PlayStation 3");
const PS4: Entry = full("PlayStation 4", Appliance, "PlayStation 4");
const XBOX360: Entry = full("Xbox 360", Appliance, "Xbox 360");
const XBOX_ONE: Entry = full("Xbox One", Appliance, "Xbox One");
const DIGITAL_TV: Entry = full("InternetTVBrowser", Appliance, "DigitalTV");
const SAFARI_RSS: Entry = full("Safari RSSReader", Misc, "");
const GOOGLE_DESKTOP: Entry = full("Google Desktop", Misc, "");
const WINDOWS_RSS: Entry = full("Windows RSSReader", Misc, "");
const RSS_READER: Entry = full("RSSReader", Misc, "");
const HTTP_LIBRARY: Entry = full("HTTP Library", Misc, "");

/// A crawler: woothee names it and leaves the OS unknown.
const fn crawler(name: &'static str) -> Entry {
    full(name, Crawler, "")
}

/// Parses `agent` as woothee does; `None` where woothee returns `None`
/// (nothing matched, even if a rule filled in a field on the way).
pub fn parse(agent: &str) -> Option<Agent> {
    let mut r = Agent {
        category: Category::Unknown,
        name: UNKNOWN,
        os: UNKNOWN,
    };
    if agent.is_empty() || agent == "-" || crawler_rules(agent, &mut r) {
        return Some(r);
    }
    if browser_rules(agent, &mut r) {
        os_rules(agent, &mut r);
        return Some(r);
    }
    let found = mobilephone_rules(agent, &mut r)
        || appliance_rules(agent, &mut r)
        || desktop_tool_rules(agent, &mut r)
        || os_rules(agent, &mut r)
        || rare_rules(agent, &mut r);
    found.then_some(r)
}

impl Agent {
    /// Fills in what `e` has (woothee's `populate_with`).
    fn fill(&mut self, e: &Entry) -> bool {
        if !e.name.is_empty() {
            self.name = e.name;
        }
        if let Some(c) = e.category {
            self.category = c;
        }
        if !e.os.is_empty() {
            self.os = e.os;
        }
        true
    }

    /// Takes the category and, as the OS, the name of an OS entry.
    fn system(&mut self, e: &Entry) -> bool {
        self.category = e.category.unwrap_or(self.category);
        self.os = e.name;
        true
    }

    /// Takes the category and the OS of a full entry.
    fn system_of(&mut self, e: &Entry) -> bool {
        self.category = e.category.unwrap_or(self.category);
        self.os = e.os;
        true
    }
}

/// Whether `token` occurs in `s` right before a byte for which `next`
/// holds.
fn followed_by(s: &str, token: &str, next: impl Fn(u8) -> bool) -> bool {
    s.match_indices(token)
        .any(|(i, _)| s.as_bytes().get(i + token.len()).is_some_and(|&b| next(b)))
}

/// `[.0-9]`.
fn version_byte(b: u8) -> bool {
    b == b'.' || b.is_ascii_digit()
}

/// `token[.0-9]` somewhere in `s` (woothee's `token([.0-9]+)`).
fn versioned(s: &str, token: &str) -> bool {
    followed_by(s, token, version_byte)
}

/// Any of `tokens` in `s`.
fn any_of(s: &str, tokens: &[&str]) -> bool {
    tokens.iter().any(|t| s.contains(t))
}

fn crawler_rules(a: &str, r: &mut Agent) -> bool {
    google(a, r) || named_crawlers(a, r)
}

fn google(a: &str, r: &mut Agent) -> bool {
    if !a.contains("Google") {
        return false;
    }
    let name = if a.contains("compatible; Googlebot-Mobile") {
        "Googlebot Mobile"
    } else if a.contains("compatible; Googlebot") {
        "Googlebot"
    } else if a.contains("compatible; AdsBot-Google-Mobile;") {
        "AdsBot-Google-Mobile"
    } else if a.starts_with("AdsBot-Google") {
        "AdsBot-Google"
    } else if a.contains("Googlebot-Image/") {
        "Googlebot"
    } else if a.contains("compatible; Mediapartners-Google") || a == "Mediapartners-Google" {
        "Google Mediapartners"
    } else if a.contains("Feedfetcher-Google;") {
        "Google Feedfetcher"
    } else if a.contains("AppEngine-Google") {
        "Google AppEngine"
    } else if a.contains("Google Web Preview") {
        "Google Web Preview"
    } else {
        return false;
    };
    r.fill(&crawler(name))
}

fn named_crawlers(a: &str, r: &mut Agent) -> bool {
    if any_of(
        a,
        &[
            "Yahoo",
            "help.yahoo.co.jp/help/jp/",
            "listing.yahoo.co.jp/support/faq/",
        ],
    ) {
        if a.contains("compatible; Yahoo! Slurp") {
            return r.fill(&crawler("Yahoo! Slurp"));
        }
        if any_of(
            a,
            &[
                "YahooFeedSeekerJp",
                "YahooFeedSeekerBetaJp",
                "crawler (http://listing.yahoo.co.jp/support/faq/",
                "crawler (http://help.yahoo.co.jp/help/jp/",
                "Y!J-BRZ/YATSHA crawler",
                "Y!J-BRY/YATSH crawler",
            ],
        ) {
            return r.fill(&crawler("Yahoo! Japan"));
        }
        if a.contains("Yahoo Pipes") {
            return r.fill(&crawler("Yahoo! Pipes"));
        }
    }
    let name = if a.contains("msnbot") {
        "msnbot"
    } else if a.contains("compatible; bingbot") {
        "bingbot"
    } else if a.contains("BingPreview") {
        "BingPreview"
    } else if a.contains("Baidu")
        && any_of(
            a,
            &[
                "compatible; Baiduspider",
                "Baiduspider+",
                "Baiduspider-image+",
            ],
        )
    {
        "Baiduspider"
    } else if a.contains("Yeti")
        && any_of(
            a,
            &[
                "http://help.naver.com/robots",
                "http://help.naver.com/support/robots.html",
                "http://naver.me/bot",
            ],
        )
    {
        "Naver Yeti"
    } else if a.contains("FeedBurner/") {
        "Google FeedBurner"
    } else if a.contains("facebookexternalhit") {
        "facebook"
    } else if a.contains("Twitterbot/") {
        "twitter"
    } else if (a.contains("ichiro")
        && any_of(
            a,
            &[
                "http://help.goo.ne.jp/door/crawler.html",
                "compatible; ichiro/mobile goo;",
            ],
        ))
        || a.contains("gooblogsearch/")
    {
        "goo"
    } else if a.contains("Apple-PubSub") {
        "Apple iCloud"
    } else if a.contains("(www.radian6.com/crawler)") {
        "salesforce radian6"
    } else if a.contains("Genieo/") {
        "Genieo Web Filter"
    } else if a.contains("labs.topsy.com/butterfly/") {
        "topsy Butterfly"
    } else if a.contains("rogerbot/1.0 (http://www.seomoz.org/dp/rogerbot") {
        "SeoMoz rogerbot"
    } else if a.contains("compatible; AhrefsBot/") {
        "ahref AhrefsBot"
    } else if any_of(a, &["livedoor FeedFetcher", "Fastladder FeedFetcher"]) {
        "livedoor FeedFetcher"
    } else if any_of(
        a,
        &[
            "Hatena Antenna",
            "Hatena Pagetitle Agent",
            "Hatena Diary RSS",
        ],
    ) {
        "Hatena"
    } else if any_of(a, &["mixi-check", "mixi-crawler", "mixi-news-crawler"]) {
        "mixi"
    } else if a.contains("compatible; Indy Library") {
        "Indy Library"
    } else if a.contains("trendictionbot") {
        "trendiction"
    } else {
        return false;
    };
    r.fill(&crawler(name))
}

fn browser_rules(a: &str, r: &mut Agent) -> bool {
    let chrome_webview = a.contains("Chrome") && a.contains("wv");
    let entry = if any_of(a, &["compatible; MSIE", "Trident/", "IEMobile"]) {
        MSIE
    } else if ["Edge/", "Edg/", "EdgiOS/", "EdgA/"]
        .iter()
        .any(|t| versioned(a, t))
    {
        EDGE
    } else if versioned(a, "Vivaldi/") {
        VIVALDI
    } else if versioned(a, "FxiOS/") {
        FIREFOX
    } else if yandex(a) {
        YABROWSER
    } else if a.contains("SamsungBrowser/") {
        SAMSUNG
    } else if !chrome_webview && a.contains("Safari/") {
        if ["Chrome/", "CrMo/", "CriOS/"]
            .iter()
            .any(|t| versioned(a, t))
        {
            if versioned(a, "OPR/") {
                OPERA
            } else {
                CHROME
            }
        } else if a.contains("GSA") && versioned(a, "GSA/") {
            GSA
        } else {
            SAFARI
        }
    } else if a.contains("Firefox/") {
        FIREFOX
    } else if a.contains("Opera") {
        OPERA
    } else if chrome_webview || (ios_webview(a) && !a.contains("Safari/")) {
        WEBVIEW
    } else {
        return false;
    };
    r.fill(&entry)
}

/// `YaBrowser/(\d+\.\d+\.\d+\.\d+)`, with ASCII digits.
fn yandex(a: &str) -> bool {
    a.match_indices("YaBrowser/").any(|(i, t)| {
        let mut rest = &a.as_bytes()[i + t.len()..];
        for part in 0..4 {
            if part > 0 {
                match rest.split_first() {
                    Some((b'.', tail)) => rest = tail,
                    _ => return false,
                }
            }
            let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
            if digits == 0 {
                return false;
            }
            rest = &rest[digits..];
        }
        true
    })
}

/// `iP(hone;|ad;|od) .*like Mac OS X` (`.` stops at a line feed).
fn ios_webview(a: &str) -> bool {
    ["iPhone; ", "iPad; ", "iPod "].iter().any(|t| {
        a.match_indices(t).any(|(i, _)| {
            let rest = &a[i + t.len()..];
            let line = rest.split('\n').next().unwrap_or(rest);
            line.contains("like Mac OS X")
        })
    })
}

/// Rules that only look for tokens: the first row one of whose tokens the
/// agent holds fills in its entry.
type TokenRules = [(&'static [&'static str], Entry)];

static MOBILEPHONES: &TokenRules = &[
    (&["DoCoMo", ";FOMA;"], DOCOMO),
    (&["KDDI-"], AU),
    (&["SoftBank", "Vodafone", "J-PHONE"], SOFTBANK),
    (&["WILLCOM", "DDIPOCKET"], WILLCOM),
    (&["jig browser"], JIG),
    (
        &["emobile/", "OpenBrowser", "Browser/Obigo-Browser"],
        EMOBILE,
    ),
    (&["SymbianOS"], SYMBIAN),
    (
        &["Hatena-Mobile-Gateway/", "livedoor-Mobile-Gateway/"],
        TRANSCODER,
    ),
];

static APPLIANCES: &TokenRules = &[
    (&["PSP (PlayStation Portable)"], PSP),
    (&["PlayStation Vita"], PS_VITA),
    (&["PLAYSTATION 3 ", "PLAYSTATION 3;"], PS3),
    (&["PlayStation 4 "], PS4),
    (&["Nintendo 3DS;"], NINTENDO_3DS),
    (&["Nintendo DSi;"], NINTENDO_DSI),
    (&["Nintendo Wii;"], NINTENDO_WII),
    (&["(Nintendo WiiU)"], NINTENDO_WIIU),
    (&["InettvBrowser/"], DIGITAL_TV),
];

static DESKTOP_TOOLS: &TokenRules = &[
    (&["AppleSyndication/"], SAFARI_RSS),
    (&["compatible; Google Desktop/"], GOOGLE_DESKTOP),
    (&["Windows-RSS-Platform"], WINDOWS_RSS),
];

/// Fills in the entry of the first of `rules` that matches `a`.
fn token_rules(a: &str, r: &mut Agent, rules: &TokenRules) -> bool {
    rules
        .iter()
        .find(|(tokens, _)| any_of(a, tokens))
        .is_some_and(|(_, entry)| r.fill(entry))
}

fn mobilephone_rules(a: &str, r: &mut Agent) -> bool {
    token_rules(a, r, MOBILEPHONES)
}

fn appliance_rules(a: &str, r: &mut Agent) -> bool {
    token_rules(a, r, APPLIANCES)
}

fn desktop_tool_rules(a: &str, r: &mut Agent) -> bool {
    token_rules(a, r, DESKTOP_TOOLS)
}

fn os_rules(a: &str, r: &mut Agent) -> bool {
    windows(a, r)
        || mac(a, r)
        || linux(a, r)
        || smartphone(a, r)
        || feature_phone_os(a, r)
        || appliance_os(a, r)
        || other_os(a, r)
}

fn windows(a: &str, r: &mut Agent) -> bool {
    if !a.contains("Windows") {
        return false;
    }
    if a.contains("Xbox") {
        if a.contains("Xbox; Xbox One)") {
            return r.fill(&XBOX_ONE);
        }
        return r.fill(&XBOX360);
    }
    let Some(version) = windows_version(a) else {
        return r.system(&WIN);
    };
    let entry = match version {
        "NT 10.0" => WIN10,
        "NT 6.3" => WIN8_1,
        "NT 6.2" => WIN8,
        "NT 6.1" => WIN7,
        "NT 6.0" => WIN_VISTA,
        "NT 5.1" => WIN_XP,
        "NT 5.0" => WIN2000,
        "NT 4.0" => WIN_NT4,
        "98" => WIN98,
        "95" => WIN95,
        "CE" => WIN_CE,
        v if windows_phone(v) => WIN_PHONE,
        _ => return false,
    };
    r.system(&entry)
}

/// The first capture of `Windows ([ .a-zA-Z0-9]+)[;\\)]`.
fn windows_version(a: &str) -> Option<&str> {
    a.match_indices("Windows ").find_map(|(i, t)| {
        let rest = &a[i + t.len()..];
        let run = rest
            .bytes()
            .take_while(|&b| b == b' ' || b == b'.' || b.is_ascii_alphanumeric())
            .count();
        let closed = matches!(rest.as_bytes().get(run), Some(b';' | b'\\' | b')'));
        (run > 0 && closed).then(|| &rest[..run])
    })
}

/// `^Phone(?: OS)? ([.0-9]+)`.
fn windows_phone(v: &str) -> bool {
    ["Phone OS ", "Phone "].iter().any(|p| {
        v.strip_prefix(p)
            .is_some_and(|rest| rest.bytes().next().is_some_and(version_byte))
    })
}

fn mac(a: &str, r: &mut Agent) -> bool {
    if !a.contains("Mac OS X") {
        return false;
    }
    let entry = if !a.contains("like Mac OS X") {
        OSX
    } else if a.contains("iPhone;") {
        IPHONE
    } else if a.contains("iPad;") {
        IPAD
    } else if a.contains("iPod") {
        IPOD
    } else {
        OSX
    };
    r.system(&entry)
}

fn linux(a: &str, r: &mut Agent) -> bool {
    if !a.contains("Linux") {
        return false;
    }
    r.system(if a.contains("Android") {
        &ANDROID
    } else {
        &LINUX
    })
}

fn smartphone(a: &str, r: &mut Agent) -> bool {
    let entry = if a.contains("iPhone") {
        Some(IPHONE)
    } else if a.contains("iPad") {
        Some(IPAD)
    } else if a.contains("iPod") {
        Some(IPOD)
    } else if a.contains("Android") {
        Some(ANDROID)
    } else if a.contains("CFNetwork") {
        Some(IOS)
    } else if a.contains("BB10") {
        Some(BLACKBERRY10)
    } else if a.contains("BlackBerry") {
        Some(BLACKBERRY)
    } else {
        None
    };
    let entry = if r.name == FIREFOX.name && firefox_os(a) {
        Some(FIREFOX_OS)
    } else {
        entry
    };
    entry.is_some_and(|e| r.system(&e))
}

/// `^Mozilla/[.0-9]+ \((?:Mobile|Tablet);(?:.*;)? rv:([.0-9]+)\) Gecko/[.0-9]+ Firefox/[.0-9]+$`.
fn firefox_os(a: &str) -> bool {
    let Some(rest) = a.strip_prefix("Mozilla/") else {
        return false;
    };
    let Some(rest) = skip_version(rest).and_then(|r| r.strip_prefix(" (")) else {
        return false;
    };
    let Some(rest) = rest
        .strip_prefix("Mobile;")
        .or_else(|| rest.strip_prefix("Tablet;"))
    else {
        return false;
    };
    rest.match_indices(" rv:").any(|(i, t)| {
        let between = &rest[..i];
        let between_ok = between.is_empty() || (between.ends_with(';') && !between.contains('\n'));
        between_ok
            && skip_version(&rest[i + t.len()..])
                .and_then(|r| r.strip_prefix(") Gecko/"))
                .and_then(skip_version)
                .and_then(|r| r.strip_prefix(" Firefox/"))
                .and_then(skip_version)
                .is_some_and(str::is_empty)
    })
}

/// `s` after a leading `[.0-9]+`, if it has one.
fn skip_version(s: &str) -> Option<&str> {
    let n = s.bytes().take_while(|&b| version_byte(b)).count();
    (n > 0).then(|| &s[n..])
}

fn feature_phone_os(a: &str, r: &mut Agent) -> bool {
    if a.contains("KDDI-") && followed_by(a, "KDDI-", |b| !b"- /;()\"'".contains(&b)) {
        return r.system_of(&AU);
    }
    if (a.contains("WILLCOM") || a.contains("DDIPOCKET")) && willcom_terminal(a) {
        return r.system_of(&WILLCOM);
    }
    if a.contains("SymbianOS") {
        return r.system_of(&SYMBIAN);
    }
    // woothee fills these in and goes on looking (the fields stay).
    if a.contains("Google Wireless Transcoder") {
        r.fill(&TRANSCODER);
    }
    if a.contains("Naver Transcoder") {
        r.fill(&TRANSCODER);
    }
    false
}

/// `(?:WILLCOM|DDIPOCKET);[^/]+/([^ /;()]+)`.
fn willcom_terminal(a: &str) -> bool {
    ["WILLCOM;", "DDIPOCKET;"].iter().any(|t| {
        a.match_indices(t).any(|(i, _)| {
            let rest = &a.as_bytes()[i + t.len()..];
            match rest.iter().position(|&b| b == b'/') {
                Some(slash) if slash > 0 => {
                    rest.get(slash + 1).is_some_and(|b| !b" /;()".contains(b))
                }
                _ => false,
            }
        })
    })
}

fn appliance_os(a: &str, r: &mut Agent) -> bool {
    if a.contains("Nintendo DSi;") {
        return r.system_of(&NINTENDO_DSI);
    }
    if a.contains("Nintendo Wii;") {
        return r.system_of(&NINTENDO_WII);
    }
    false
}

fn other_os(a: &str, r: &mut Agent) -> bool {
    let entry = if a.contains("(Win98;") {
        WIN98
    } else if a.contains("Macintosh; U; PPC;") || a.contains("Mac_PowerPC") {
        MAC_OS
    } else if a.contains("X11; FreeBSD ") {
        BSD
    } else if a.contains("X11; CrOS ") {
        CHROME_OS
    } else {
        return false;
    };
    r.system(&entry)
}

fn rare_rules(a: &str, r: &mut Agent) -> bool {
    if a.contains("CFNetwork/") {
        return r.system(&IOS);
    }
    if a.contains("Sleipnir/") {
        r.fill(&SLEIPNIR);
        return r.system(&WIN);
    }
    if http_library(a) {
        return r.fill(&HTTP_LIBRARY);
    }
    let folded = fold_case(a);
    if rss_reader(a, &folded) {
        return r.fill(&RSS_READER);
    }
    if maybe_crawler(a, &folded) {
        return r.fill(&crawler("misc crawler"));
    }
    false
}

fn http_library(a: &str) -> bool {
    let java = ["Apache-HttpClient/", "Jakarta Commons-HttpClient/", "Java/"]
        .iter()
        .any(|p| a.starts_with(p))
        || ["-HttpClient", " HttpClient"].iter().any(|t| {
            a.match_indices(t)
                .any(|(i, _)| matches!(a.as_bytes().get(i + t.len()), None | Some(b'/')))
        })
        || a.contains("Java(TM) 2 Runtime Environment,");
    let php = ["PHP", "WordPress", "CakePHP", "PukiWiki", "PECL::HTTP"]
        .iter()
        .any(|p| {
            a.strip_prefix(p)
                .is_some_and(|rest| matches!(rest.as_bytes().first(), None | Some(b'/' | b' ')))
        })
        || a.match_indices("HTTP_Request").any(|(i, t)| {
            let rest = &a[i + t.len()..];
            rest.starts_with(" class") || rest.starts_with('2')
        });
    java || a.starts_with("Wget/")
        || [
            "libwww-perl",
            "WWW-Mechanize",
            "LWP::Simple",
            "LWP ",
            "lwp-trivial",
            "Ruby",
            "feedzirra",
            "Typhoeus",
            "Python-urllib/",
            "Twisted ",
        ]
        .iter()
        .any(|p| a.starts_with(p))
        || php
        || a.starts_with("curl/")
}

/// `s` as woothee's case-insensitive patterns see it: ASCII letters in
/// lower case, and the two non-ASCII letters Unicode folds onto ASCII ones
/// (`ſ`, long s, and `K`, the Kelvin sign) as those letters.
fn fold_case(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ſ' => 's',
            '\u{212A}' => 'k',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// `(?i)rss(?:reader|bar|[-_ /;()]|[ +]*/)`, `headline-reader`, `cococ/`.
fn rss_reader(a: &str, folded: &str) -> bool {
    folded.match_indices("rss").any(|(i, t)| {
        let rest = &folded[i + t.len()..];
        rest.starts_with("reader")
            || rest.starts_with("bar")
            || rest.bytes().next().is_some_and(|b| b"-_ /;()".contains(&b))
            || rest.trim_start_matches([' ', '+']).starts_with('/')
    }) || a.to_lowercase().contains("headline-reader")
        || a.contains("cococ/")
}

/// woothee's last guesses at a crawler.
fn maybe_crawler(a: &str, folded: &str) -> bool {
    ["bot", "crawler", "spider"].iter().any(|t| {
        folded.match_indices(t).any(|(i, _)| {
            folded
                .as_bytes()
                .get(i + t.len())
                .is_none_or(|b| b"-_ ./;@()".contains(b))
        })
    }) || any_of(
        a,
        &[
            "Rome Client ",
            "UnwindFetchor/",
            "ia_archiver ",
            "Summify ",
            "PostRank/",
            "ASP-Ranker Feed Crawler",
        ],
    ) || any_of(
        folded,
        &[
            "feedparser",
            "feed parser",
            "webparser",
            "web parser",
            "watchdog",
            "watch dog",
        ],
    )
}
