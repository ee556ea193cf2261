//! `enrich::agent`, the hand-written port of woothee's rules, against the
//! `woothee` crate itself: the category, browser name and OS must be the
//! same for every user agent.
//!
//! The corpus (`tests/data/user_agents.txt`, one agent a line) holds the
//! agents of woothee's own test suite and of the ua-parser project's
//! `test_ua.yaml` and `test_os.yaml` (both Apache-2.0), 1,747 in all; the
//! generator's real-shaped batch adds its long tail. The property test
//! glues together the tokens the rules look for, which reaches the corners
//! a list of real agents does not (a version missing after `Edg/`, a line
//! feed inside an agent, a long s where woothee ignores case).

use engine::enrich::agent::{self, UNKNOWN};
use engine::synth::{generate, SynthConfig};
use proptest::prelude::*;

/// (category, name, os) as woothee gives them, `UNKNOWN` for no match.
fn reference(ua: &str) -> (String, String, String) {
    match woothee::parser::Parser::new().parse(ua) {
        Some(r) => (r.category.into(), r.name.into(), r.os.into()),
        None => (UNKNOWN.into(), UNKNOWN.into(), UNKNOWN.into()),
    }
}

/// (category, name, os) from the port.
fn ported(ua: &str) -> (String, String, String) {
    match agent::parse(ua) {
        Some(a) => (a.category.as_str().into(), a.name.into(), a.os.into()),
        None => (UNKNOWN.into(), UNKNOWN.into(), UNKNOWN.into()),
    }
}

/// The agents that disagree, with both answers.
fn disagreements<'a>(uas: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    uas.into_iter()
        .filter_map(|ua| {
            let (port, woothee) = (ported(ua), reference(ua));
            (port != woothee).then(|| format!("{ua:?}: port {port:?}, woothee {woothee:?}"))
        })
        .collect()
}

#[test]
fn corpus_agents_classify_as_woothee_does() {
    let corpus = include_str!("data/user_agents.txt");
    let uas: Vec<&str> = corpus.lines().collect();
    assert!(uas.len() > 1700, "the corpus has {} agents", uas.len());
    let wrong = disagreements(uas.iter().copied());
    assert!(
        wrong.is_empty(),
        "{} differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );

    // The corpus reaches every category and the rules' far ends.
    let categories: std::collections::BTreeSet<String> =
        uas.iter().map(|ua| ported(ua).0).collect();
    for c in [
        "pc",
        "smartphone",
        "mobilephone",
        "appliance",
        "crawler",
        "misc",
        UNKNOWN,
    ] {
        assert!(categories.contains(c), "no {c} agent in the corpus");
    }
}

#[test]
fn generated_real_shaped_agents_classify_as_woothee_does() {
    let cfg = SynthConfig {
        real_shape: true,
        days: 3,
        ..SynthConfig::default()
    };
    let (files, _) = generate(&cfg);
    let mut uas = std::collections::BTreeSet::new();
    for f in &files {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(f.bytes.as_slice());
        let header = reader.headers().expect("header").clone();
        let Some(col) = header.iter().position(|h| h == "user_agent") else {
            continue;
        };
        for row in reader.records().flatten() {
            if let Some(ua) = row.get(col) {
                uas.insert(ua.to_string());
            }
        }
    }
    assert!(uas.len() > 500, "{} distinct agents", uas.len());
    let wrong = disagreements(uas.iter().map(String::as_str));
    assert!(
        wrong.is_empty(),
        "{} differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn hand_checked_agents() {
    // Expected values written from woothee's documented dataset, not read
    // from either implementation.
    let cases = [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0",
            ("pc", "Edge", "Windows 10"),
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
            ("smartphone", "Webview", "iPhone"),
        ),
        (
            "Mozilla/5.0 (Mobile; rv:18.0) Gecko/18.0 Firefox/18.0",
            ("smartphone", "Firefox", "Firefox OS"),
        ),
        (
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            ("crawler", "Googlebot", UNKNOWN),
        ),
        // An unknown Windows version is no Windows: the rules go on to Linux.
        (
            "Mozilla/5.0 (Windows NT 11.0; X11; Linux x86_64) Firefox/120.0",
            ("pc", "Firefox", "Linux"),
        ),
        ("curl/8.4.0", ("misc", "HTTP Library", UNKNOWN)),
        ("my-RSS reader", ("misc", "RSSReader", UNKNOWN)),
        ("something with a ſpider/1.0", ("crawler", "misc crawler", UNKNOWN)),
        ("", (UNKNOWN, UNKNOWN, UNKNOWN)),
        ("a plain string", (UNKNOWN, UNKNOWN, UNKNOWN)),
    ];
    for (ua, (category, name, os)) in cases {
        let want = (category.to_string(), name.to_string(), os.to_string());
        assert_eq!(ported(ua), want, "{ua}");
        assert_eq!(reference(ua), want, "{ua} (woothee)");
    }
}

/// Pieces of user agents, by the rule that looks for them: the tokens the
/// rules test and near misses of them. A generated agent glues pieces of
/// two families and [`GLUE`], so the tokens of one rule meet often.
const FAMILIES: &[&[&str]] = &[
    &[
        "Windows ",
        "Windows",
        "NT 10.0",
        "NT 6.3",
        "NT 6.2",
        "NT 6.1",
        "NT 6.0",
        "NT 5.1",
        "NT 5.0",
        "NT 4.0",
        "NT 11.0",
        "98",
        "95",
        "CE",
        "Phone OS ",
        "Phone ",
        "Phone OS",
        "Xbox",
        "Xbox; Xbox One)",
        "Win98;",
        "(Win98;",
        "\\",
        ")",
        ";",
    ],
    &[
        "Mac OS X",
        "like Mac OS X",
        "iPhone;",
        "iPhone; ",
        "iPhone",
        "iPad;",
        "iPad; ",
        "iPad",
        "iPod",
        "iPod ",
        "Safari/",
        "Version/",
        "Macintosh; U; PPC;",
        "Mac_PowerPC",
    ],
    &[
        "Linux",
        "Android",
        "CFNetwork",
        "CFNetwork/",
        "BB10",
        "BlackBerry",
        "X11; FreeBSD ",
        "X11; CrOS ",
        "Mobile",
    ],
    &[
        "Mozilla/",
        "5.0",
        " (",
        "Mobile;",
        "Tablet;",
        " rv:",
        "18.0",
        ") Gecko/",
        " Firefox/",
        "Firefox/",
        "FxiOS/",
    ],
    &[
        "compatible; MSIE",
        "Trident/",
        "IEMobile",
        "Edge/",
        "Edg/",
        "EdgiOS/",
        "EdgA/",
        "Edg",
        "Vivaldi/",
        "YaBrowser/",
        "1.2.3.4",
        "1.2.3",
        "SamsungBrowser/",
        "Sleipnir/",
    ],
    &[
        "Chrome", "Chrome/", "CrMo/", "CriOS/", "wv", "Safari/", "OPR/", "GSA", "GSA/", "Opera",
        "Firefox/",
    ],
    &[
        "DoCoMo",
        ";FOMA;",
        "KDDI-",
        "KDDI-/",
        "KDDI-x",
        "SoftBank",
        "Vodafone",
        "J-PHONE",
        "WILLCOM",
        "WILLCOM;",
        "DDIPOCKET;",
        "jig browser",
        "emobile/",
        "OpenBrowser",
        "SymbianOS",
        "Hatena-Mobile-Gateway/",
        "Google Wireless Transcoder",
        "Naver Transcoder",
    ],
    &[
        "PSP (PlayStation Portable)",
        "PlayStation Vita",
        "PLAYSTATION 3 ",
        "PLAYSTATION 3;",
        "PlayStation 4 ",
        "Nintendo 3DS;",
        "Nintendo DSi;",
        "Nintendo Wii;",
        "(Nintendo WiiU)",
        "InettvBrowser/",
        "AppleSyndication/",
        "compatible; Google Desktop/",
        "Windows-RSS-Platform",
    ],
    &[
        "Apache-HttpClient/",
        "Java/",
        " HttpClient",
        "-HttpClient",
        "HttpClient",
        "Java(TM) 2 Runtime Environment,",
        "Wget/",
        "libwww-perl",
        "LWP ",
        "Ruby",
        "Python-urllib/",
        "Twisted ",
        "PHP",
        "WordPress",
        "PECL::HTTP",
        "HTTP_Request",
        " class",
        "2",
        "curl/",
    ],
    &[
        "rss",
        "RSS",
        "r",
        "s",
        "ſ",
        "reader",
        "bar",
        "headline-reader",
        "HEADLINE-reader",
        "cococ/",
        "bot",
        "BOT",
        "crawler",
        "spider",
        "pider",
        "Rome Client ",
        "ia_archiver ",
        "feed",
        "web",
        "parser",
        "par",
        "er",
        "watch",
        "dog",
        "@",
    ],
    &[
        "Google",
        "compatible; Googlebot",
        "compatible; Googlebot-Mobile",
        "AdsBot-Google",
        "compatible; AdsBot-Google-Mobile;",
        "Googlebot-Image/",
        "Mediapartners-Google",
        "compatible; Mediapartners-Google",
        "Feedfetcher-Google;",
        "AppEngine-Google",
        "Google Web Preview",
    ],
    &[
        "Yahoo",
        "compatible; Yahoo! Slurp",
        "Yahoo Pipes",
        "YahooFeedSeekerJp",
        "msnbot",
        "compatible; bingbot",
        "bingbot",
        "BingPreview",
        "Baidu",
        "Baiduspider+",
        "Yeti",
        "http://naver.me/bot",
        "facebookexternalhit",
        "Twitterbot/",
        "compatible; AhrefsBot/",
        "trendictionbot",
        "mixi-check",
        "ichiro",
        "gooblogsearch/",
    ],
];

/// Separators and odd characters every generated agent may hold.
const GLUE: &[&str] = &[
    " ", "; ", ";", "/", "(", ")", "\n", "+", "-", "_", ".", "1", "0", "x", "\u{212A}", "İ", "é",
    "-",
];

fn glued_agent() -> impl Strategy<Value = String> {
    (0..FAMILIES.len(), 0..FAMILIES.len())
        .prop_flat_map(|(a, b)| {
            let pieces: Vec<&'static str> = FAMILIES[a]
                .iter()
                .chain(FAMILIES[b])
                .chain(GLUE)
                .copied()
                .collect();
            prop::collection::vec(prop::sample::select(pieces), 0..12)
        })
        .prop_map(|parts| parts.concat())
}

/// The shapes of the rules that read a structure rather than a token:
/// woothee's Firefox OS pattern, the Windows version and the iOS webview.
fn shaped_agent() -> impl Strategy<Value = String> {
    let v = || prop::sample::select(vec!["18.0", "", "x", "1.", "18.0 "]);
    let mid = prop::sample::select(vec![
        "",
        "x",
        "x;",
        ";",
        "\n;",
        " x;",
        "; y;",
        " Trident/7;",
    ]);
    let tail = prop::sample::select(vec!["", "x", "\n", " "]);
    let kind = prop::sample::select(vec!["Mobile;", "Tablet;", "Mobile", "Desktop;"]);
    let firefox_os =
        (v(), kind, mid, v(), v(), v(), tail).prop_map(|(a, kind, mid, b, c, d, tail)| {
            format!("Mozilla/{a} ({kind}{mid} rv:{b}) Gecko/{c} Firefox/{d}{tail}")
        });
    let run = prop::sample::select(vec![
        "NT 10.0",
        "NT 6.1",
        "NT 6.1 ",
        "Phone OS 7.5",
        "Phone 8.0",
        "Phone OS",
        "Phone x",
        "",
        "NT 10.0; Win64",
        "98",
        "CE",
    ]);
    let close = prop::sample::select(vec![";", ")", "\\", "", ",", "-"]);
    let windows = (run.clone(), close.clone(), run, close)
        .prop_map(|(a, b, c, d)| format!("Mozilla/5.0 (Windows {a}{b} Windows {c}{d} Gecko"));
    let device = prop::sample::select(vec!["iPhone; ", "iPad; ", "iPod ", "iPhone;", "iPod;"]);
    let gap = prop::sample::select(vec!["CPU OS 17 ", "", "\n", "x\ny "]);
    let browser = prop::sample::select(vec!["", " Safari/604", " Version/17.0", " Chrome wv"]);
    let webview = (device, gap, browser)
        .prop_map(|(d, g, b)| format!("Mozilla/5.0 ({d}{g}like Mac OS X) AppleWebKit{b}"));
    prop_oneof![firefox_os, windows, webview]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn glued_tokens_classify_as_woothee_does(ua in glued_agent()) {
        prop_assert_eq!(ported(&ua), reference(&ua), "{:?}", ua);
    }

    #[test]
    fn shaped_agents_classify_as_woothee_does(ua in shaped_agent()) {
        prop_assert_eq!(ported(&ua), reference(&ua), "{:?}", ua);
    }
}
