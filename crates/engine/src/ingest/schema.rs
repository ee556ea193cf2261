//! The canonical columns of an event export and the alias table that maps
//! real headers onto them.
//!
//! Headers are matched case- and separator-insensitively: a header is
//! lower-cased and stripped of everything but letters and digits before it
//! is looked up, so `clientId`, `ClientID`, `client-id` and `client id` all
//! become `clientid`. The alias table (normalised form → canonical column):
//!
//! | canonical | accepted headers (normalised) |
//! |---|---|
//! | `client_id` | `clientid`, `cid`, `cookieid`, `deviceid`, `anonymousid` |
//! | `page_url` | `pageurl`, `url`, `pagelocation`, `location`, `page` |
//! | `referrer` | `referrer`, `referer`, `pagereferrer`, `referrerurl`, `ref` |
//! | `timestamp` | `timestamp`, `ts`, `time`, `eventtime`, `eventtimestamp`, `datetime` |
//! | `event_name` | `eventname`, `event`, `eventtype` |
//! | `event_data` | `eventdata`, `data`, `payload`, `properties` |
//! | `user_agent` | `useragent`, `ua` |
//!
//! A header whose found spelling differs from the canonical name is a
//! *rename* (reported); one that matches nothing is *extra*; a canonical
//! column no header maps to is *missing*. `timestamp` and `event_name` are
//! required: without them a file is not an event export.

use serde::{Deserialize, Serialize};

/// The seven canonical columns, in export order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    /// `client_id`
    ClientId,
    /// `page_url`
    PageUrl,
    /// `referrer`
    Referrer,
    /// `timestamp`
    Timestamp,
    /// `event_name`
    EventName,
    /// `event_data`
    EventData,
    /// `user_agent`
    UserAgent,
}

impl Column {
    /// All canonical columns in export order.
    pub const ALL: [Column; 7] = [
        Column::ClientId,
        Column::PageUrl,
        Column::Referrer,
        Column::Timestamp,
        Column::EventName,
        Column::EventData,
        Column::UserAgent,
    ];

    /// Columns without which a file is not an event export.
    pub const REQUIRED: [Column; 2] = [Column::Timestamp, Column::EventName];

    /// The canonical name.
    pub fn as_str(self) -> &'static str {
        match self {
            Column::ClientId => "client_id",
            Column::PageUrl => "page_url",
            Column::Referrer => "referrer",
            Column::Timestamp => "timestamp",
            Column::EventName => "event_name",
            Column::EventData => "event_data",
            Column::UserAgent => "user_agent",
        }
    }

    /// Position in [`Column::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Normalised header spelling → canonical column.
const ALIASES: &[(&str, Column)] = &[
    ("clientid", Column::ClientId),
    ("cid", Column::ClientId),
    ("cookieid", Column::ClientId),
    ("deviceid", Column::ClientId),
    ("anonymousid", Column::ClientId),
    ("pageurl", Column::PageUrl),
    ("url", Column::PageUrl),
    ("pagelocation", Column::PageUrl),
    ("location", Column::PageUrl),
    ("page", Column::PageUrl),
    ("referrer", Column::Referrer),
    ("referer", Column::Referrer),
    ("pagereferrer", Column::Referrer),
    ("referrerurl", Column::Referrer),
    ("ref", Column::Referrer),
    ("timestamp", Column::Timestamp),
    ("ts", Column::Timestamp),
    ("time", Column::Timestamp),
    ("eventtime", Column::Timestamp),
    ("eventtimestamp", Column::Timestamp),
    ("datetime", Column::Timestamp),
    ("eventname", Column::EventName),
    ("event", Column::EventName),
    ("eventtype", Column::EventName),
    ("eventdata", Column::EventData),
    ("data", Column::EventData),
    ("payload", Column::EventData),
    ("properties", Column::EventData),
    ("useragent", Column::UserAgent),
    ("ua", Column::UserAgent),
];

/// Lower-cases and keeps only ASCII letters and digits.
pub fn normalise(header: &str) -> String {
    header
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The canonical column a header names, if any.
pub fn lookup(header: &str) -> Option<Column> {
    let norm = normalise(header);
    ALIASES.iter().find(|(a, _)| *a == norm).map(|&(_, c)| c)
}

/// How one file's header maps onto the canonical schema.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HeaderMap {
    /// Field index of each canonical column ([`Column::index`] order).
    pub position: [Option<usize>; 7],
    /// Found spelling → canonical name, for headers spelled differently.
    pub renamed: Vec<(String, Column)>,
    /// Canonical columns absent from the header.
    pub missing: Vec<Column>,
    /// Headers that map to no canonical column (or repeat one already mapped).
    pub extra: Vec<String>,
}

impl HeaderMap {
    /// Maps a header row (already BOM-stripped and trimmed).
    pub fn new(columns: &[String]) -> HeaderMap {
        let mut map = HeaderMap::default();
        for (i, name) in columns.iter().enumerate() {
            match lookup(name) {
                Some(col) if map.position[col.index()].is_none() => {
                    map.position[col.index()] = Some(i);
                    if name != col.as_str() {
                        map.renamed.push((name.clone(), col));
                    }
                }
                _ => map.extra.push(name.clone()),
            }
        }
        map.missing = Column::ALL
            .into_iter()
            .filter(|c| map.position[c.index()].is_none())
            .collect();
        map
    }

    /// Required columns the header lacks.
    pub fn missing_required(&self) -> Vec<Column> {
        Column::REQUIRED
            .into_iter()
            .filter(|c| self.missing.contains(c))
            .collect()
    }

    /// Whether the column is in the file.
    pub fn has(&self, col: Column) -> bool {
        self.position[col.index()].is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(s: &str) -> Vec<String> {
        s.split(',').map(str::to_string).collect()
    }

    #[test]
    fn aliases_match_case_and_separator_insensitively() {
        for h in [
            "clientId",
            "ClientID",
            "client-id",
            "client id",
            "CLIENT_ID",
        ] {
            assert_eq!(lookup(h), Some(Column::ClientId), "{h}");
        }
        assert_eq!(lookup("User-Agent"), Some(Column::UserAgent));
        assert_eq!(lookup("colour"), None);
    }

    #[test]
    fn header_map_records_renames_missing_and_extra() {
        let map = HeaderMap::new(&cols(
            "clientId,page_url,timestamp,event_name,event_data,user_agent,shop",
        ));
        assert_eq!(
            map.renamed,
            vec![("clientId".to_string(), Column::ClientId)]
        );
        assert_eq!(map.missing, vec![Column::Referrer]);
        assert_eq!(map.extra, vec!["shop".to_string()]);
        assert_eq!(map.position[Column::Timestamp.index()], Some(2));
        assert!(map.missing_required().is_empty());
    }

    #[test]
    fn a_second_header_for_the_same_column_is_extra() {
        let map = HeaderMap::new(&cols("timestamp,event_name,ts"));
        assert_eq!(map.extra, vec!["ts".to_string()]);
        assert_eq!(map.position[Column::Timestamp.index()], Some(0));
    }

    #[test]
    fn file_without_timestamp_or_event_name_is_not_an_export() {
        let map = HeaderMap::new(&cols("name,size,colour"));
        assert_eq!(
            map.missing_required(),
            vec![Column::Timestamp, Column::EventName]
        );
    }
}
