//! Periods and segments: the part of a run a report is restricted to.
//!
//! A [`Slice`] is a range of days and a [`Segment`]; its report is the whole
//! run's restricted to the sessions that start in the range and match the
//! segment, with their events, their orders and the attribution rows of
//! those orders (touchpoints may reach back before the range, as the
//! lookback allows). Sessions are cut once over the whole batch, so a
//! session across midnight belongs to the day it starts. [`Keep`] is that
//! restriction as one flag per session and per order, made from the run in
//! one pass, and every tally and table of a slice reads it: a sliced table
//! is the whole run's table with the other sessions' rows left out.
//!
//! Events and orders outside any session (a bot's, those without client
//! id) have no device, channel or visitor: a period of every session keeps
//! them by their own day, so that adjacent periods add up to the batch; a
//! segment leaves them out. The quarantine's rows are kept by their file's
//! day (and every period keeps those of files named for no day).

use chrono::NaiveDate;

/// Whole days, to step a date by (re-exported for the page, which has no
/// chrono of its own).
pub use chrono::Days;
use serde::{Deserialize, Serialize};

use crate::enrich::Device;
use crate::ingest::Dataset;
use crate::model::{day_of, NONE};
use crate::pipeline::Run;
use crate::summary::segment::err;
pub use crate::summary::segment::{url_path, Segment, SegmentKey, SliceError, Visitor};
use crate::summary::session_device;

/// A range of days and a segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slice {
    /// First day.
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
    /// The sessions kept.
    #[serde(default)]
    pub segment: Segment,
}

impl Slice {
    /// The whole batch `days`, every session.
    pub fn whole(days: (NaiveDate, NaiveDate)) -> Slice {
        Slice {
            from: days.0,
            to: days.1,
            segment: Segment::default(),
        }
    }

    /// Whether it keeps the whole batch of `days`.
    pub fn is_whole(&self, days: (NaiveDate, NaiveDate)) -> bool {
        self.from <= days.0 && self.to >= days.1 && self.segment.is_empty()
    }

    /// What names this slice's files: `_2026-03-01_2026-03-07_device-mobile`
    /// (only letters, digits, `-` and `_`; at most 120 characters).
    pub fn file_suffix(&self) -> String {
        let mut out = format!("_{}_{}", self.from, self.to);
        for p in self.segment.parts() {
            out.push('_');
            out.extend(p.chars().map(|c| match c {
                'a'..='z' | 'A'..='Z' | '0'..='9' => c,
                _ => '-',
            }));
        }
        out.chars().take(120).collect()
    }

    /// Days in it.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// Checks it against the batch's first and last day.
    pub fn check(&self, days: (NaiveDate, NaiveDate)) -> Result<(), SliceError> {
        for (flag, d) in [("from", self.from), ("to", self.to)] {
            if d < days.0 || d > days.1 {
                return err(format!(
                    "--{flag} {d} is not a day of this batch ({} to {})",
                    days.0, days.1
                ));
            }
        }
        if self.from > self.to {
            return err(format!("--from {} is after --to {}", self.from, self.to));
        }
        Ok(())
    }

    /// Whether a session with these facts is in it.
    fn keeps(&self, day: NaiveDate, s: &SessionFacts<'_>) -> bool {
        let g = &self.segment;
        day >= self.from
            && day <= self.to
            && (g.device.is_empty() || g.device.contains(&s.device))
            && (g.channel.is_empty() || g.channel.iter().any(|c| c == s.channel))
            && (g.visitor.is_empty() || g.visitor.contains(&s.visitor))
            && (g.landing.is_empty() || g.landing.iter().any(|p| s.landing.starts_with(p.as_str())))
    }
}

/// What a segment looks at in one session.
struct SessionFacts<'a> {
    device: Device,
    channel: &'a str,
    visitor: Visitor,
    landing: &'a str,
}

/// A slice as flags: which sessions and orders (conversions) it keeps, and
/// its days.
#[derive(Debug, Clone)]
pub struct Keep {
    /// One flag per session of the run.
    pub sessions: Vec<bool>,
    /// One flag per conversion of the run (the order's session is kept).
    pub conversions: Vec<bool>,
    /// First and last day.
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
    /// Whether events and orders outside any session (bots, no client id)
    /// are kept by their day: for a period of every session, so that
    /// adjacent periods add up to the batch.
    pub loose: bool,
}

impl Keep {
    /// The flags of `slice` over a run.
    pub fn new(ds: &Dataset, run: &Run, slice: &Slice) -> Keep {
        let ids = crate::attribution::ChannelIds::new(&run.cfg.channels, &run.attribution.channels);
        let g = &slice.segment;
        let loose = g.is_empty();
        let sessions: Vec<bool> = run
            .sessions
            .sessions
            .iter()
            .map(|s| {
                let facts = SessionFacts {
                    device: if g.device.is_empty() {
                        Device::Other
                    } else {
                        session_device(ds, run, s)
                    },
                    channel: run.attribution.channels[ids.of_rule(s.rule) as usize].as_str(),
                    visitor: if s.number <= 1 {
                        Visitor::New
                    } else {
                        Visitor::Returning
                    },
                    landing: if g.landing.is_empty() {
                        ""
                    } else {
                        url_path(ds.strings.get(ds.events[s.first_event as usize].page_url))
                    },
                };
                slice.keeps(day_of(s.start), &facts)
            })
            .collect();
        let conversions = run
            .conversions
            .iter()
            .map(|c| match c.session {
                NONE => loose && slice.from <= day_of(c.ts) && day_of(c.ts) <= slice.to,
                s => sessions[s as usize],
            })
            .collect();
        Keep {
            sessions,
            conversions,
            from: slice.from,
            to: slice.to,
            loose,
        }
    }

    /// Whether event `i` is in a kept session (or, for a period of every
    /// session, outside any session and stamped on one of its days).
    pub fn event(&self, ds: &Dataset, run: &Run, i: usize) -> bool {
        match run.sessions.of_event[i] {
            NONE => self.loose && self.day(day_of(ds.events[i].ts)),
            s => self.sessions[s as usize],
        }
    }

    /// Whether a day is in the slice's range.
    pub fn day(&self, d: NaiveDate) -> bool {
        d >= self.from && d <= self.to
    }
}

/// Whether `keep` (none: the whole run) keeps session `i`.
pub fn session_kept(keep: Option<&Keep>, i: usize) -> bool {
    keep.is_none_or(|k| k.sessions[i])
}

/// Whether `keep` (none: the whole run) keeps order (conversion) `i`.
pub fn order_kept(keep: Option<&Keep>, i: usize) -> bool {
    keep.is_none_or(|k| k.conversions[i])
}

/// Whether `keep` (none: the whole run) keeps event `i`.
pub fn event_kept(keep: Option<&Keep>, ds: &Dataset, run: &Run, i: usize) -> bool {
    keep.is_none_or(|k| k.event(ds, run, i))
}

/// What a comparison is made against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Baseline {
    /// The same number of days just before.
    Previous,
    /// Each day 7 days earlier.
    Week,
    /// An explicit range of days.
    Range(NaiveDate, NaiveDate),
    /// The same period with this segment instead.
    Segment(Segment),
}

impl Baseline {
    /// Reads `previous`, `week`, `YYYY-MM-DD..YYYY-MM-DD` or
    /// `segment:KEY=VALUE[;KEY=VALUE]`.
    pub fn parse(text: &str, channels: &[String]) -> Result<Baseline, SliceError> {
        let t = text.trim();
        match t.to_ascii_lowercase().as_str() {
            "previous" => return Ok(Baseline::Previous),
            "week" => return Ok(Baseline::Week),
            _ => {}
        }
        if let Some(rest) = t.strip_prefix("segment:") {
            let mut g = Segment::default();
            for part in rest.split(';').filter(|p| !p.trim().is_empty()) {
                g.add(part, channels)?;
            }
            return Ok(Baseline::Segment(g));
        }
        if let Some((a, b)) = t.split_once("..") {
            let day = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
            if let (Some(a), Some(b)) = (day(a), day(b)) {
                return Ok(Baseline::Range(a, b));
            }
        }
        err(format!(
            "--compare {}: expected previous, week, YYYY-MM-DD..YYYY-MM-DD or segment:KEY=VALUE",
            crate::limits::truncate(t, 60)
        ))
    }

    /// The baseline's slice for `slice` over a batch of `days`.
    pub fn slice_for(
        &self,
        slice: &Slice,
        days: (NaiveDate, NaiveDate),
    ) -> Result<Slice, SliceError> {
        let shifted = |n: i64| Slice {
            from: slice.from - chrono::Duration::days(n),
            to: slice.to - chrono::Duration::days(n),
            segment: slice.segment.clone(),
        };
        let (out, what) = match self {
            Baseline::Previous => (shifted(slice.days()), "the previous period"),
            Baseline::Week => (shifted(7), "the same days a week earlier"),
            Baseline::Range(a, b) => (
                Slice {
                    from: *a,
                    to: *b,
                    segment: slice.segment.clone(),
                },
                "the baseline",
            ),
            Baseline::Segment(g) => (
                Slice {
                    from: slice.from,
                    to: slice.to,
                    segment: g.clone(),
                },
                "the baseline",
            ),
        };
        if out.from > out.to {
            return err(format!(
                "--compare: the baseline starts {} after it ends {}",
                out.from, out.to
            ));
        }
        if out.from < days.0 || out.to > days.1 {
            return err(format!(
                "--compare: {what} ({} to {}) is not inside this batch ({} to {})",
                out.from, out.to, days.0, days.1
            ));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn file_names_of_slices() {
        let mut s = Slice::whole((day("2026-03-01"), day("2026-03-07")));
        assert_eq!(s.file_suffix(), "_2026-03-01_2026-03-07");
        s.segment.add("landing=/a b/<x>", &[]).unwrap();
        s.segment.add("device=mobile,tablet", &[]).unwrap();
        assert_eq!(
            s.file_suffix(),
            "_2026-03-01_2026-03-07_device-mobile-tablet_landing--a-b--x-"
        );
    }

    #[test]
    fn baselines_land_where_they_should() {
        let batch = (day("2026-02-01"), day("2026-02-14"));
        let s = Slice {
            from: day("2026-02-10"),
            to: day("2026-02-14"),
            segment: Segment::default(),
        };
        let prev = Baseline::Previous.slice_for(&s, batch).unwrap();
        assert_eq!((prev.from, prev.to), (day("2026-02-05"), day("2026-02-09")));
        let week = Baseline::Week.slice_for(&s, batch).unwrap();
        assert_eq!((week.from, week.to), (day("2026-02-03"), day("2026-02-07")));
        let whole = Slice::whole(batch);
        assert!(Baseline::Previous.slice_for(&whole, batch).is_err());
        assert_eq!(
            Baseline::parse("2026-02-01..2026-02-03", &[]).unwrap(),
            Baseline::Range(day("2026-02-01"), day("2026-02-03"))
        );
        assert!(Baseline::parse("yesterday", &[]).is_err());
        assert!(s.check(batch).is_ok());
        let late = Slice {
            to: day("2026-02-15"),
            ..s.clone()
        };
        assert!(late
            .check(batch)
            .unwrap_err()
            .0
            .contains("not a day of this batch"));
        let backwards = Slice {
            from: day("2026-02-12"),
            to: day("2026-02-11"),
            ..s
        };
        assert!(backwards.check(batch).unwrap_err().0.contains("after"));
    }
}
