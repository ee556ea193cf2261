//! The rules that name the client: crawlers, browsers, feature phones,
//! consoles and TVs, desktop tools, and woothee's last guesses (HTTP
//! libraries, feed readers, crawlers by their words).

use super::dataset::*;
use super::{any_of, token_rules, versioned, when, when_also, Agent, TokenRules};

pub(super) fn crawler_rules(a: &str, r: &mut Agent) -> bool {
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
    token_rules(a, r, CRAWLERS)
}

/// woothee's crawlers after Google's and Yahoo's, in its order.
static CRAWLERS: &TokenRules = &[
    when(&["msnbot"], crawler("msnbot")),
    when(&["compatible; bingbot"], crawler("bingbot")),
    when(&["BingPreview"], crawler("BingPreview")),
    when(
        &[
            "compatible; Baiduspider",
            "Baiduspider+",
            "Baiduspider-image+",
        ],
        crawler("Baiduspider"),
    ),
    when_also(
        "Yeti",
        &[
            "http://help.naver.com/robots",
            "http://help.naver.com/support/robots.html",
            "http://naver.me/bot",
        ],
        crawler("Naver Yeti"),
    ),
    when(&["FeedBurner/"], crawler("Google FeedBurner")),
    when(&["facebookexternalhit"], crawler("facebook")),
    when(&["Twitterbot/"], crawler("twitter")),
    when_also(
        "ichiro",
        &[
            "http://help.goo.ne.jp/door/crawler.html",
            "compatible; ichiro/mobile goo;",
        ],
        crawler("goo"),
    ),
    when(&["gooblogsearch/"], crawler("goo")),
    when(&["Apple-PubSub"], crawler("Apple iCloud")),
    when(
        &["(www.radian6.com/crawler)"],
        crawler("salesforce radian6"),
    ),
    when(&["Genieo/"], crawler("Genieo Web Filter")),
    when(&["labs.topsy.com/butterfly/"], crawler("topsy Butterfly")),
    when(
        &["rogerbot/1.0 (http://www.seomoz.org/dp/rogerbot"],
        crawler("SeoMoz rogerbot"),
    ),
    when(&["compatible; AhrefsBot/"], crawler("ahref AhrefsBot")),
    when(
        &["livedoor FeedFetcher", "Fastladder FeedFetcher"],
        crawler("livedoor FeedFetcher"),
    ),
    when(
        &[
            "Hatena Antenna",
            "Hatena Pagetitle Agent",
            "Hatena Diary RSS",
        ],
        crawler("Hatena"),
    ),
    when(
        &["mixi-check", "mixi-crawler", "mixi-news-crawler"],
        crawler("mixi"),
    ),
    when(&["compatible; Indy Library"], crawler("Indy Library")),
    when(&["trendictionbot"], crawler("trendiction")),
];

pub(super) fn browser_rules(a: &str, r: &mut Agent) -> bool {
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
        } else if versioned(a, "GSA/") {
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

static MOBILEPHONES: &TokenRules = &[
    when(&["DoCoMo", ";FOMA;"], DOCOMO),
    when(&["KDDI-"], AU),
    when(&["SoftBank", "Vodafone", "J-PHONE"], SOFTBANK),
    when(&["WILLCOM", "DDIPOCKET"], WILLCOM),
    when(&["jig browser"], JIG),
    when(
        &["emobile/", "OpenBrowser", "Browser/Obigo-Browser"],
        EMOBILE,
    ),
    when(&["SymbianOS"], SYMBIAN),
    when(
        &["Hatena-Mobile-Gateway/", "livedoor-Mobile-Gateway/"],
        TRANSCODER,
    ),
];

static APPLIANCES: &TokenRules = &[
    when(&["PSP (PlayStation Portable)"], PSP),
    when(&["PlayStation Vita"], PS_VITA),
    when(&["PLAYSTATION 3 ", "PLAYSTATION 3;"], PS3),
    when(&["PlayStation 4 "], PS4),
    when(&["Nintendo 3DS;"], NINTENDO_3DS),
    when(&["Nintendo DSi;"], NINTENDO_DSI),
    when(&["Nintendo Wii;"], NINTENDO_WII),
    when(&["(Nintendo WiiU)"], NINTENDO_WIIU),
    when(&["InettvBrowser/"], DIGITAL_TV),
];

static DESKTOP_TOOLS: &TokenRules = &[
    when(&["AppleSyndication/"], SAFARI_RSS),
    when(&["compatible; Google Desktop/"], GOOGLE_DESKTOP),
    when(&["Windows-RSS-Platform"], WINDOWS_RSS),
];

pub(super) fn mobilephone_rules(a: &str, r: &mut Agent) -> bool {
    token_rules(a, r, MOBILEPHONES)
}

pub(super) fn appliance_rules(a: &str, r: &mut Agent) -> bool {
    token_rules(a, r, APPLIANCES)
}

pub(super) fn desktop_tool_rules(a: &str, r: &mut Agent) -> bool {
    token_rules(a, r, DESKTOP_TOOLS)
}

pub(super) fn rare_rules(a: &str, r: &mut Agent) -> bool {
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
