//! Channels: which marketing channel brought an event, by an ordered rule
//! table (first match wins) over query-parameter **keys** and referrer
//! **hosts** (query values are hashed in exports, so keys carry the signal).
//!
//! An event carries *external source information* when its referrer is an
//! external URL (not empty, not a shop or checkout host) or its page URL has
//! a traffic parameter (any key named by a rule, or `utm_*`). Events without
//! it (internal navigation, checkout pages) never start or change a source.
//!
//! Default rules, in order:
//!
//! | rule | channel | matches |
//! |---|---|---|
//! | `google-ads` | Paid Search | `gclid`, `gbraid`, `wbraid`, `gad_source` |
//! | `microsoft-ads` | Paid Search | `msclkid` |
//! | `paid-social` | Paid Social | `fbclid`, `ttclid`, `twclid`, `li_fat_id`, `sccid`, `epik` |
//! | `affiliate` | Affiliate | `irclickid`, `im_ref`, `sharedid` |
//! | `email-click` | Email | `_kx` |
//! | `email-referrer` | Email | mail apps and webmail referrers |
//! | `organic-shopping` | Organic Search | `srsltid` |
//! | `search-engine` | Organic Search | search-engine referrers and the Google app |
//! | `social` | Organic Social | social-network referrers and apps |
//! | `utm-campaign` | Other Campaign | `utm_source`, `utm_medium`, `utm_campaign`, `utm_id` |
//! | `referral` | Referral | any other external referrer (incl. anonymised `source-*`) |
//! | `direct` | Direct | no external source information |
//!
//! Tracking-template keys (`oid`, `affid`, `sub1..4`, `sfdr_*`) ride along on
//! paid-search landings as well as affiliate links, so no rule uses them. A
//! Google click id under an anonymised referrer (a comparison site buying
//! ads) is **Paid Search**: the click id proves a paid click, and the rule
//! order makes that choice visible and editable.

use serde::{Deserialize, Serialize};

/// One row of the rule table. Every non-empty condition must hold; within a
/// condition, any listed value matches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelRule {
    /// Rule name shown next to each classified session.
    pub name: String,
    /// Channel it assigns.
    pub channel: String,
    /// Medium-like detail (`cpc`, `email`, `organic`...).
    #[serde(default)]
    pub medium: String,
    /// Query keys of the page URL (case-insensitive); any present matches.
    #[serde(default)]
    pub params: Vec<String>,
    /// Referrer hosts: `bing.com` matches it and its subdomains; `google.*`
    /// matches any host with a `google` label (`www.google.co.uk`).
    #[serde(default)]
    pub referrer_hosts: Vec<String>,
    /// Android app packages of `android-app://` referrers.
    #[serde(default)]
    pub referrer_apps: Vec<String>,
    /// Matches any external referrer.
    #[serde(default)]
    pub any_referrer: bool,
}

fn rule(name: &str, channel: &str, medium: &str) -> ChannelRule {
    ChannelRule {
        name: name.into(),
        channel: channel.into(),
        medium: medium.into(),
        params: Vec::new(),
        referrer_hosts: Vec::new(),
        referrer_apps: Vec::new(),
        any_referrer: false,
    }
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// The default rule table (see the module doc).
pub fn default_rules() -> Vec<ChannelRule> {
    let with_params = |mut r: ChannelRule, p: &[&str]| {
        r.params = strings(p);
        r
    };
    let with_refs = |mut r: ChannelRule, hosts: &[&str], apps: &[&str]| {
        r.referrer_hosts = strings(hosts);
        r.referrer_apps = strings(apps);
        r
    };
    let mut referral = rule("referral", "Referral", "referral");
    referral.any_referrer = true;
    vec![
        with_params(
            rule("google-ads", "Paid Search", "cpc"),
            &["gclid", "gbraid", "wbraid", "gad_source"],
        ),
        with_params(rule("microsoft-ads", "Paid Search", "cpc"), &["msclkid"]),
        with_params(
            rule("paid-social", "Paid Social", "paid_social"),
            &["fbclid", "ttclid", "twclid", "li_fat_id", "sccid", "epik"],
        ),
        with_params(
            rule("affiliate", "Affiliate", "affiliate"),
            &["irclickid", "im_ref", "sharedid"],
        ),
        with_params(rule("email-click", "Email", "email"), &["_kx"]),
        with_refs(
            rule("email-referrer", "Email", "email"),
            &[
                "mail.google.com",
                "outlook.live.com",
                "outlook.office.com",
                "mail.yahoo.com",
                "mail.aol.com",
                "mail.proton.me",
            ],
            &[
                "com.google.android.gm",
                "com.microsoft.office.outlook",
                "com.yahoo.mobile.client.android.mail",
            ],
        ),
        with_params(
            rule("organic-shopping", "Organic Search", "organic"),
            &["srsltid"],
        ),
        with_refs(
            rule("search-engine", "Organic Search", "organic"),
            &[
                "google.*",
                "bing.com",
                "duckduckgo.com",
                "search.yahoo.com",
                "yandex.*",
                "baidu.com",
                "ecosia.org",
                "search.brave.com",
            ],
            &["com.google.android.googlequicksearchbox"],
        ),
        with_refs(
            rule("social", "Organic Social", "social"),
            &[
                "facebook.com",
                "instagram.com",
                "reddit.com",
                "youtube.com",
                "tiktok.com",
                "pinterest.com",
                "twitter.com",
                "x.com",
                "t.co",
                "linkedin.com",
                "lnkd.in",
                "threads.net",
            ],
            &[
                "com.facebook.katana",
                "com.instagram.android",
                "com.reddit.frontpage",
                "com.zhiliaoapp.musically",
                "com.pinterest",
            ],
        ),
        with_params(
            rule("utm-campaign", "Other Campaign", "campaign"),
            &["utm_source", "utm_medium", "utm_campaign", "utm_id"],
        ),
        referral,
    ]
}

/// The channel for events without external source information.
pub const DIRECT: &str = "Direct";
/// The rule name for [`DIRECT`].
pub const DIRECT_RULE: &str = "direct";
/// The channel of conversions without any touchpoint.
pub const UNATTRIBUTED: &str = "Unattributed";

/// A referrer, reduced to what rules look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Referrer {
    /// Empty, unparseable, or one of the shop's own hosts.
    None,
    /// An external web host (lower case).
    Host(String),
    /// An Android app package.
    App(String),
}

/// Matches a host pattern against a host: `bing.com` matches it and its
/// subdomains, `google.*` any host with a `google` label.
pub fn host_matches(pattern: &str, host: &str) -> bool {
    if let Some(label) = pattern.strip_suffix(".*") {
        return host.split('.').any(|l| l.eq_ignore_ascii_case(label));
    }
    host.eq_ignore_ascii_case(pattern)
        || (host.len() > pattern.len()
            && host.as_bytes()[host.len() - pattern.len() - 1] == b'.'
            && host[host.len() - pattern.len()..].eq_ignore_ascii_case(pattern))
}

impl ChannelRule {
    /// Whether the rule holds for these query keys (lower case) and referrer.
    pub fn matches<K: AsRef<str>>(&self, keys: &[K], referrer: &Referrer) -> bool {
        let mut any_condition = false;
        if !self.params.is_empty() {
            any_condition = true;
            if !self
                .params
                .iter()
                .any(|p| keys.iter().any(|k| k.as_ref().eq_ignore_ascii_case(p)))
            {
                return false;
            }
        }
        if !self.referrer_hosts.is_empty() || !self.referrer_apps.is_empty() {
            any_condition = true;
            let hit = match referrer {
                Referrer::Host(h) => self.referrer_hosts.iter().any(|p| host_matches(p, h)),
                Referrer::App(a) => self.referrer_apps.iter().any(|p| p.eq_ignore_ascii_case(a)),
                Referrer::None => false,
            };
            if !hit {
                return false;
            }
        }
        if self.any_referrer {
            any_condition = true;
            if *referrer == Referrer::None {
                return false;
            }
        }
        any_condition
    }

    /// Whether `key` is one of this rule's parameters.
    pub fn uses_param(&self, key: &str) -> bool {
        self.params.iter().any(|p| p.eq_ignore_ascii_case(key))
    }
}

/// Checks a rule table: names unique, channels non-empty, each rule has a
/// condition.
pub fn validate(rules: &[ChannelRule]) -> Result<(), String> {
    // Rule ids are 16 bits, with the last value meaning "no source".
    if rules.len() >= MAX_RULES {
        return Err(format!(
            "the channel table has {} rules; at most {} are allowed",
            rules.len(),
            MAX_RULES - 1
        ));
    }
    for (i, r) in rules.iter().enumerate() {
        if r.name.trim().is_empty() || r.channel.trim().is_empty() {
            return Err(format!("rule {} needs a name and a channel", i + 1));
        }
        if r.params.is_empty()
            && r.referrer_hosts.is_empty()
            && r.referrer_apps.is_empty()
            && !r.any_referrer
        {
            return Err(format!("rule {:?} has no condition", r.name));
        }
        if rules[..i].iter().any(|o| o.name == r.name) {
            return Err(format!("rule name {:?} is used twice", r.name));
        }
    }
    Ok(())
}

/// One more than the most rules a channel table may hold.
const MAX_RULES: usize = 1000;

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(keys: &[&str], referrer: Referrer) -> Option<String> {
        let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        default_rules()
            .into_iter()
            .find(|r| r.matches(&keys, &referrer))
            .map(|r| r.name)
    }

    fn host(h: &str) -> Referrer {
        Referrer::Host(h.into())
    }

    #[test]
    fn first_matching_rule_wins() {
        assert_eq!(
            classify(
                &["gad_source", "gclid", "oid", "affid", "sub1"],
                host("www.google.com")
            )
            .as_deref(),
            Some("google-ads")
        );
        assert_eq!(
            classify(&["gclid"], host("source-1a2b3c4d.com")).as_deref(),
            Some("google-ads"),
            "documented ambiguity"
        );
        assert_eq!(
            classify(&["irclickid", "oid", "affid"], Referrer::None).as_deref(),
            Some("affiliate")
        );
        assert_eq!(
            classify(&["oid", "affid", "sub1"], Referrer::None),
            None,
            "template keys alone are no channel"
        );
        assert_eq!(
            classify(
                &["utm_source", "_kx"],
                Referrer::App("com.google.android.gm".into())
            )
            .as_deref(),
            Some("email-click")
        );
        assert_eq!(
            classify(&[], Referrer::App("com.google.android.gm".into())).as_deref(),
            Some("email-referrer")
        );
        assert_eq!(
            classify(&["srsltid"], host("www.google.com")).as_deref(),
            Some("organic-shopping")
        );
        assert_eq!(
            classify(&[], host("www.google.co.uk")).as_deref(),
            Some("search-engine")
        );
        assert_eq!(
            classify(
                &[],
                Referrer::App("com.google.android.googlequicksearchbox".into())
            )
            .as_deref(),
            Some("search-engine")
        );
        assert_eq!(
            classify(&["utm_source"], host("l.instagram.com")).as_deref(),
            Some("social")
        );
        assert_eq!(
            classify(&["utm_campaign"], Referrer::None).as_deref(),
            Some("utm-campaign")
        );
        assert_eq!(
            classify(&["size"], host("source-9f8e7d6c.com")).as_deref(),
            Some("referral")
        );
        assert_eq!(classify(&["size"], Referrer::None), None);
    }

    #[test]
    fn host_patterns() {
        assert!(host_matches("bing.com", "www.bing.com"));
        assert!(host_matches("bing.com", "bing.com"));
        assert!(!host_matches("bing.com", "notbing.com"));
        assert!(host_matches("google.*", "www.google.de"));
        assert!(!host_matches("google.*", "googleusercontent.com"));
        assert!(host_matches("t.co", "t.co"));
    }

    #[test]
    fn rule_tables_are_validated() {
        assert!(validate(&default_rules()).is_ok());
        let mut rules = default_rules();
        rules.push(rule("empty", "X", ""));
        assert!(validate(&rules).unwrap_err().contains("no condition"));
        let mut rules = default_rules();
        rules[1].name = rules[0].name.clone();
        assert!(validate(&rules).unwrap_err().contains("used twice"));
    }
}
