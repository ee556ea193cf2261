//! Segments: the sessions a slice keeps by what they are (device,
//! channel, new or returning visitor, landing path), read from
//! `KEY=VALUE[,VALUE]` as the CLI's `--segment` and the page's URL give
//! them, and said back in words and in file names.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::enrich::Device;

/// Whether a session is a client's first in the batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visitor {
    /// The client's first session in the batch.
    New,
    /// A later session.
    Returning,
}

impl Visitor {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Visitor::New => "new",
            Visitor::Returning => "returning",
        }
    }
}

/// A key a segment restricts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentKey {
    /// `device=desktop|mobile|tablet|other`.
    Device,
    /// `channel=<channel name>`.
    Channel,
    /// `visitor=new|returning`.
    Visitor,
    /// `landing=<path prefix>`.
    Landing,
}

impl SegmentKey {
    /// Every key, in the order a segment is written.
    pub const ALL: [SegmentKey; 4] = [
        SegmentKey::Device,
        SegmentKey::Channel,
        SegmentKey::Visitor,
        SegmentKey::Landing,
    ];

    /// Its name in `KEY=VALUE`.
    pub fn as_str(self) -> &'static str {
        match self {
            SegmentKey::Device => "device",
            SegmentKey::Channel => "channel",
            SegmentKey::Visitor => "visitor",
            SegmentKey::Landing => "landing",
        }
    }
}

/// Sessions matching every key given; the values of one key are
/// alternatives (`device=mobile,tablet`). An empty segment is every
/// session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    /// Devices of the session's first event.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub device: Vec<Device>,
    /// Session channels, by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channel: Vec<String>,
    /// New or returning.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub visitor: Vec<Visitor>,
    /// Prefixes of the landing page's path (`/products`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub landing: Vec<String>,
}

/// Why a slice could not be made: said to the person who asked for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SliceError(pub String);

impl fmt::Display for SliceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SliceError {}

pub(crate) fn err<T>(text: impl Into<String>) -> Result<T, SliceError> {
    Err(SliceError(text.into()))
}

/// Longest landing prefix accepted (a path prefix, not a document).
const MAX_PREFIX: usize = 200;

/// Most values one key takes.
const MAX_VALUES: usize = 20;

impl Segment {
    /// Whether it restricts nothing.
    pub fn is_empty(&self) -> bool {
        self.device.is_empty()
            && self.channel.is_empty()
            && self.visitor.is_empty()
            && self.landing.is_empty()
    }

    /// Adds `KEY=VALUE[,VALUE...]`; `channels` are the channel names a
    /// session can have. Values are matched without regard to case, except
    /// landing paths.
    pub fn add(&mut self, text: &str, channels: &[String]) -> Result<(), SliceError> {
        let Some((key, values)) = text.split_once('=') else {
            return err(format!(
                "segment {text:?}: expected KEY=VALUE with KEY one of device, channel, visitor, landing"
            ));
        };
        let key = key.trim().to_ascii_lowercase();
        let values: Vec<&str> = values
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect();
        if values.is_empty() {
            return err(format!("segment {text:?}: no value after '='"));
        }
        if values.len() > MAX_VALUES {
            return err(format!(
                "segment {key}: at most {MAX_VALUES} values, not {}",
                values.len()
            ));
        }
        for v in values {
            match key.as_str() {
                "device" => {
                    let d = match v.to_ascii_lowercase().as_str() {
                        "desktop" => Device::Desktop,
                        "mobile" => Device::Mobile,
                        "tablet" => Device::Tablet,
                        "other" => Device::Other,
                        _ => {
                            return err(format!(
                            "segment device={v}: unknown device (desktop, mobile, tablet or other)"
                        ))
                        }
                    };
                    push_new(&mut self.device, d);
                }
                "channel" => match channels.iter().find(|c| c.eq_ignore_ascii_case(v)) {
                    Some(c) => push_new(&mut self.channel, c.clone()),
                    None => {
                        return err(format!(
                            "segment channel={v}: unknown channel (one of {})",
                            channels.join(", ")
                        ))
                    }
                },
                "visitor" => {
                    let k = match v.to_ascii_lowercase().as_str() {
                        "new" => Visitor::New,
                        "returning" => Visitor::Returning,
                        _ => return err(format!("segment visitor={v}: expected new or returning")),
                    };
                    push_new(&mut self.visitor, k);
                }
                "landing" => {
                    if !v.starts_with('/')
                        || v.len() > MAX_PREFIX
                        || v.chars().any(char::is_control)
                    {
                        return err(format!(
                            "segment landing={}: expected a path starting with '/' (at most {MAX_PREFIX} characters)",
                            crate::limits::truncate(v, 40)
                        ));
                    }
                    push_new(&mut self.landing, v.to_string());
                }
                _ => {
                    return err(format!(
                        "segment {key:?}: unknown key (device, channel, visitor or landing)"
                    ))
                }
            }
        }
        Ok(())
    }

    /// Each key's values, as `KEY=VALUE,VALUE` pieces in key order.
    pub fn parts(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut put = |key: SegmentKey, values: Vec<&str>| {
            if !values.is_empty() {
                out.push(format!("{}={}", key.as_str(), values.join(",")));
            }
        };
        put(
            SegmentKey::Device,
            self.device.iter().map(|d| d.as_str()).collect(),
        );
        put(
            SegmentKey::Channel,
            self.channel.iter().map(String::as_str).collect(),
        );
        put(
            SegmentKey::Visitor,
            self.visitor.iter().map(|v| v.as_str()).collect(),
        );
        put(
            SegmentKey::Landing,
            self.landing.iter().map(String::as_str).collect(),
        );
        out
    }

    /// In words for a heading: "mobile, tablet · new visitors", or "all
    /// sessions".
    pub fn label(&self) -> String {
        if self.is_empty() {
            return "all sessions".to_string();
        }
        let mut parts = Vec::new();
        if !self.device.is_empty() {
            parts.push(
                self.device
                    .iter()
                    .map(|d| d.as_str())
                    .collect::<Vec<_>>()
                    .join(" or "),
            );
        }
        if !self.channel.is_empty() {
            parts.push(self.channel.join(" or "));
        }
        if !self.visitor.is_empty() {
            let v: Vec<&str> = self.visitor.iter().map(|v| v.as_str()).collect();
            parts.push(format!("{} visitors", v.join(" or ")));
        }
        if !self.landing.is_empty() {
            parts.push(format!("landing on {}", self.landing.join(" or ")));
        }
        parts.join(" · ")
    }
}

fn push_new<T: PartialEq>(list: &mut Vec<T>, v: T) {
    if !list.contains(&v) {
        list.push(v);
    }
}

/// The path of a URL: from the first `/` after the host to `?` or `#`;
/// `/` when it has none, and the text itself when it is not absolute.
pub fn url_path(url: &str) -> &str {
    let rest = match url.find("://") {
        Some(at) => {
            let after = &url[at + 3..];
            match after.find(['/', '?', '#']) {
                Some(p) if after.as_bytes()[p] == b'/' => &after[p..],
                _ => "/",
            }
        }
        None => url,
    };
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    &rest[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_of_urls() {
        assert_eq!(
            url_path("https://shop.example/products/a?x=1"),
            "/products/a"
        );
        assert_eq!(url_path("https://shop.example"), "/");
        assert_eq!(url_path("https://shop.example?q=1"), "/");
        assert_eq!(url_path("https://shop.example/#top"), "/");
        assert_eq!(url_path("/cart?x"), "/cart");
        assert_eq!(url_path(""), "");
    }

    #[test]
    fn segments_read_and_refuse() {
        let channels = vec!["Direct".to_string(), "Paid Search".to_string()];
        let mut g = Segment::default();
        g.add("device=Mobile,tablet", &channels).unwrap();
        g.add("channel=paid search", &channels).unwrap();
        g.add("visitor=new", &channels).unwrap();
        g.add("landing=/products", &channels).unwrap();
        assert_eq!(g.device, vec![Device::Mobile, Device::Tablet]);
        assert_eq!(g.channel, vec!["Paid Search".to_string()]);
        assert_eq!(
            g.parts(),
            [
                "device=mobile,tablet",
                "channel=Paid Search",
                "visitor=new",
                "landing=/products"
            ]
        );
        for bad in [
            "device=phone",
            "channel=TV",
            "visitor=old",
            "landing=products",
            "colour=red",
            "device",
            "device=",
        ] {
            assert!(g.add(bad, &channels).is_err(), "{bad}");
        }
    }
}
