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
//! `dataset.rs` holds what each rule fills in, `clients.rs` the rules that
//! name the client, `systems.rs` those that name the operating system.
//!
//! One known difference: `\d` in woothee's Yandex Browser version pattern
//! also takes non-ASCII decimal digits; here only `0`–`9` count. An agent
//! that writes its Yandex version in, say, Arabic-Indic digits comes out as
//! Chrome here and as Yandex Browser in woothee.

mod clients;
mod dataset;
mod systems;

use self::clients::{
    appliance_rules, browser_rules, crawler_rules, desktop_tool_rules, mobilephone_rules,
    rare_rules,
};
use self::systems::os_rules;

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

/// Parses `agent` as woothee does; `None` where woothee returns `None`
/// (nothing matched, even if a rule filled in a field on the way).
pub fn parse(agent: &str) -> Option<Agent> {
    let mut r = Agent::UNKNOWN;
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
    /// Nothing known: what woothee answers for an empty agent.
    pub const UNKNOWN: Agent = Agent {
        category: Category::Unknown,
        name: UNKNOWN,
        os: UNKNOWN,
    };

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

/// A rule that only looks for tokens: it matches an agent that holds one
/// of `any` (and `also`, when that is not empty).
struct TokenRule {
    also: &'static str,
    any: &'static [&'static str],
    entry: Entry,
}

const fn when(any: &'static [&'static str], entry: Entry) -> TokenRule {
    when_also("", any, entry)
}

const fn when_also(also: &'static str, any: &'static [&'static str], entry: Entry) -> TokenRule {
    TokenRule { also, any, entry }
}

type TokenRules = [TokenRule];

/// Fills in the entry of the first of `rules` that matches `a`.
fn token_rules(a: &str, r: &mut Agent, rules: &TokenRules) -> bool {
    rules
        .iter()
        .find(|t| (t.also.is_empty() || a.contains(t.also)) && any_of(a, t.any))
        .is_some_and(|t| r.fill(&t.entry))
}
