//! A report for a period and segment of a run, and its comparison with a
//! baseline: [`Analysis`] is made once per run and gives the report of any
//! [`View`] from the run's sessions, orders and credits already computed,
//! never reading or sessionizing again.
//!
//! What a slice keeps is [`crate::summary::slice`]'s rule. Beyond the
//! tallies of its sessions, a slice's report states:
//! - the reconciliation of the whole batch (every row and cent is still
//!   accounted for; the slice is a part of it);
//! - the batch's data-quality audit restricted to the period's days (a
//!   finding is kept when one of its days is in the period, or it has
//!   none), whatever the segment: quality is about the files, not about
//!   whose sessions they hold;
//! - the daily metrics, alerts and incidents of the period's days, made
//!   over every day of the batch for the segment's sessions, so that a
//!   period's first days keep their history.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::attribution::Model;
use crate::ingest::Dataset;
use crate::pipeline::Run;
use crate::report::{Batch, Report};
use crate::summary::slice::{Baseline, Keep, Slice, SliceError};
use crate::summary::RunTally;
use crate::units::round4;

/// A view as text, as the CLI's flags, the page's URL query and the
/// worker's messages carry it (read by [`View::parse`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewQuery {
    /// First day, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Last day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// `KEY=VALUE[,VALUE]` each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub segment: Vec<String>,
    /// The baseline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare: Option<String>,
}

impl ViewQuery {
    /// Whether it asks for nothing (the whole batch).
    pub fn is_empty(&self) -> bool {
        self.from.is_none()
            && self.to.is_none()
            && self.segment.is_empty()
            && self.compare.is_none()
    }

    /// The view it asks for over a run.
    pub fn view(&self, run: &Run) -> Result<View, SliceError> {
        View::parse(
            run,
            self.from.as_deref(),
            self.to.as_deref(),
            &self.segment,
            self.compare.as_deref(),
        )
    }
}

/// What to show: a slice, and what to compare it with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// The period and segment.
    pub slice: Slice,
    /// The baseline, if any.
    pub compare: Option<Baseline>,
}

impl View {
    /// Reads a view as the CLI's flags and the page's URL query give it:
    /// days as `YYYY-MM-DD` (the batch's first and last day when absent),
    /// segments as `KEY=VALUE[,VALUE]`, the baseline as
    /// [`Baseline::parse`] reads it. Checked against the run's days and
    /// channels: a message naming the bad value otherwise.
    pub fn parse(
        run: &Run,
        from: Option<&str>,
        to: Option<&str>,
        segments: &[String],
        compare: Option<&str>,
    ) -> Result<View, SliceError> {
        let days = batch_days(run)
            .ok_or_else(|| SliceError("this batch has no days to slice".to_string()))?;
        let day = |flag: &str, v: Option<&str>, default: NaiveDate| match v {
            None => Ok(default),
            Some(t) => NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").map_err(|_| {
                SliceError(format!(
                    "--{flag} {}: expected a day as YYYY-MM-DD",
                    crate::limits::truncate(t, 40)
                ))
            }),
        };
        let mut slice = Slice::whole(days);
        slice.from = day("from", from, days.0)?;
        slice.to = day("to", to, days.1)?;
        slice.check(days)?;
        let channels = &run.attribution.channels;
        for s in segments {
            slice.segment.add(s, channels)?;
        }
        let compare = compare.map(|c| Baseline::parse(c, channels)).transpose()?;
        if let Some(b) = &compare {
            b.slice_for(&slice, days)?;
        }
        Ok(View { slice, compare })
    }
}

/// The first and last day of a run's batch.
pub fn batch_days(run: &Run) -> Option<(NaiveDate, NaiveDate)> {
    let d = &run.quality.score_by_day;
    d.keys().next().copied().zip(d.keys().next_back().copied())
}

/// Which way a number is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    /// More is good (revenue).
    Higher,
    /// Less is good (bot share).
    Lower,
}

/// One number against its baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The KPI's name as in `summary`, or the funnel step.
    pub name: String,
    /// In the slice.
    pub value: f64,
    /// In the baseline.
    pub baseline: f64,
    /// `value - baseline`.
    pub change: f64,
    /// `change / baseline`; none when the baseline is 0.
    pub change_pct: Option<f64>,
    /// Which way is good.
    pub better: Better,
    /// Whether the change is beyond noise (see [`notable`]).
    pub notable: bool,
}

/// A channel's credited revenue under one model against its baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelChange {
    /// The channel.
    pub channel: String,
    /// The model.
    pub model: String,
    /// Credited revenue in the slice.
    pub value: f64,
    /// In the baseline.
    pub baseline: f64,
    /// `value - baseline`.
    pub change: f64,
    /// `change / baseline`; none when the baseline is 0.
    pub change_pct: Option<f64>,
    /// Credited orders (fractions) in the slice.
    pub orders: f64,
    /// In the baseline.
    pub baseline_orders: f64,
    /// Whether the change is beyond noise.
    pub notable: bool,
}

/// A report's numbers against a baseline's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// What was compared with.
    pub baseline: Slice,
    /// In words: "the previous 7 days", "desktop".
    pub label: String,
    /// The headline numbers.
    pub kpis: Vec<Change>,
    /// Every channel under every model.
    pub channels: Vec<ChannelChange>,
    /// The overall funnel's step rates.
    pub funnel: Vec<Change>,
    /// The baseline's daily metrics (the trend charts draw them against
    /// the period's, day by day from the first).
    #[serde(default)]
    pub metrics: Vec<crate::monitor::metrics::DayMetrics>,
}

/// The smallest change in percent called a mover.
pub const MIN_CHANGE: f64 = 0.05;

/// Whether counts `a` (slice) and `b` (baseline) differ beyond chance: the
/// difference is over twice its standard deviation were both Poisson
/// (`|a - b| > 2 √(a + b)`), and at least [`MIN_CHANGE`] of `b`. Three
/// orders against one is not a mover; 130 against 100 is.
pub fn notable(a: f64, b: f64) -> bool {
    let d = (a - b).abs();
    b > 0.0 && d >= MIN_CHANGE * b && d > 2.0 * (a + b).sqrt()
}

/// Whether shares `p = x/n` and `q = y/m` differ beyond chance: a
/// two-proportion z of at least 2, and at least [`MIN_CHANGE`] of `q`.
pub fn notable_share(x: u64, n: u64, y: u64, m: u64) -> bool {
    if n == 0 || m == 0 || y == 0 {
        return false;
    }
    let (p, q) = (x as f64 / n as f64, y as f64 / m as f64);
    let pooled = (x + y) as f64 / (n + m) as f64;
    let se = (pooled * (1.0 - pooled) * (1.0 / n as f64 + 1.0 / m as f64)).sqrt();
    (p - q).abs() >= MIN_CHANGE * q && se > 0.0 && (p - q).abs() / se >= 2.0
}

fn pct_of(change: f64, baseline: f64) -> Option<f64> {
    (baseline != 0.0).then(|| round4(change / baseline))
}

fn change(name: &str, value: f64, baseline: f64, better: Better, notable: bool) -> Change {
    let d = value - baseline;
    Change {
        name: name.to_string(),
        value,
        baseline,
        change: (d * 1e6).round() / 1e6,
        change_pct: pct_of(d, baseline),
        better,
        notable,
    }
}

/// What a slice's report and its baseline's say differently.
pub fn compare(r: &Report, b: &Report, baseline: Slice, label: String) -> Comparison {
    let (s, t) = (&r.summary, &b.summary);
    let (x, y) = (purchased(r), purchased(b));
    let orders = notable(s.orders as f64, t.orders as f64);
    use Better::{Higher, Lower};
    let kpis = vec![
        change("revenue", s.revenue, t.revenue, Higher, orders),
        change("orders", s.orders as f64, t.orders as f64, Higher, orders),
        change("aov", s.aov, t.aov, Higher, false),
        change(
            "sessions",
            s.sessions as f64,
            t.sessions as f64,
            Higher,
            notable(s.sessions as f64, t.sessions as f64),
        ),
        change(
            "visitors",
            s.visitors as f64,
            t.visitors as f64,
            Higher,
            notable(s.visitors as f64, t.visitors as f64),
        ),
        change(
            "conversion_rate",
            s.conversion_rate,
            t.conversion_rate,
            Higher,
            notable_share(x, s.sessions, y, t.sessions),
        ),
        change(
            "bot_share",
            s.bot_share,
            t.bot_share,
            Lower,
            notable_share(
                s.bot_events,
                r.quality.events,
                t.bot_events,
                b.quality.events,
            ),
        ),
        change(
            "quality_score",
            s.quality_score,
            t.quality_score,
            Higher,
            (s.quality_score - t.quality_score).abs() >= 5.0,
        ),
    ];
    let mut channels = Vec::new();
    for m in Model::ALL {
        let empty = BTreeMap::new();
        let a = r.attribution.get(m.as_str()).unwrap_or(&empty);
        let z = b.attribution.get(m.as_str()).unwrap_or(&empty);
        let mut names: Vec<&String> = a.keys().chain(z.keys()).collect();
        names.sort();
        names.dedup();
        for name in names {
            let (va, oa) = a.get(name).map_or((0.0, 0.0), |c| (c.revenue, c.orders));
            let (vb, ob) = z.get(name).map_or((0.0, 0.0), |c| (c.revenue, c.orders));
            let d = ((va - vb) * 100.0).round() / 100.0;
            channels.push(ChannelChange {
                channel: name.clone(),
                model: m.as_str().to_string(),
                value: va,
                baseline: vb,
                change: d,
                change_pct: pct_of(d, vb),
                orders: oa,
                baseline_orders: ob,
                notable: notable(oa, ob),
            });
        }
    }
    let funnel = r
        .funnel
        .overall
        .iter()
        .zip(&b.funnel.overall)
        .skip(1)
        .map(|(p, q)| {
            change(
                &p.step,
                p.rate,
                q.rate,
                Higher,
                notable_share(p.sessions, s.sessions, q.sessions, t.sessions),
            )
        })
        .collect();
    Comparison {
        baseline,
        label,
        kpis,
        channels,
        funnel,
        metrics: b.metrics.clone(),
    }
}

fn purchased(r: &Report) -> u64 {
    r.funnel.overall.last().map_or(0, |s| s.sessions)
}

/// One run's analysis: the tally of the whole batch, made once, from which
/// the report of any view is made.
pub struct Analysis {
    whole: RunTally,
    days: Option<(NaiveDate, NaiveDate)>,
}

impl Analysis {
    /// Tallies the whole run.
    pub fn new(ds: &Dataset, run: &Run) -> Analysis {
        Analysis {
            whole: RunTally::of(ds, run),
            days: batch_days(run),
        }
    }

    /// The whole batch's report, from the tally already made.
    pub fn whole_report(&self, ds: &Dataset, run: &Run) -> Report {
        crate::report::report_from(&self.whole, &Batch::of(ds, run))
    }

    /// The report of a view: the slice's, with the comparison when asked.
    pub fn report(&self, ds: &Dataset, run: &Run, view: &View) -> Result<Report, SliceError> {
        self.report_kept(ds, run, view, None)
    }

    /// [`Analysis::report`] with the view's slice as flags when the caller
    /// has made them already (for its tables): `keep` must be
    /// `Keep::new(ds, run, &view.slice)`.
    pub fn report_kept(
        &self,
        ds: &Dataset,
        run: &Run,
        view: &View,
        keep: Option<&Keep>,
    ) -> Result<Report, SliceError> {
        let Some(days) = self.days else {
            return Ok(self.sliced(ds, run, &view.slice, keep));
        };
        view.slice.check(days)?;
        let mut r = self.sliced(ds, run, &view.slice, keep);
        if let Some(b) = &view.compare {
            let base_slice = b.slice_for(&view.slice, days)?;
            let base = self.sliced(ds, run, &base_slice, None);
            let label = label(b, &base_slice, &view.slice);
            r.comparison = Some(compare(&r, &base, base_slice, label));
            r.insights = crate::report::insights::insights(&r);
        }
        Ok(r)
    }

    /// The report of a slice (the whole run's when it keeps everything);
    /// `keep`, its flags if already made.
    fn sliced(&self, ds: &Dataset, run: &Run, slice: &Slice, keep: Option<&Keep>) -> Report {
        let b = Batch::of(ds, run);
        let Some(days) = self.days.filter(|d| !slice.is_whole(*d)) else {
            return crate::report::report_from(&self.whole, &b);
        };
        let made;
        let keep = match keep {
            Some(k) => k,
            None => {
                made = Keep::new(ds, run, slice);
                &made
            }
        };
        let t = RunTally::of_kept(ds, run, Some(keep));
        let segment_only;
        let monitor = if slice.segment.is_empty() {
            &self.whole
        } else {
            let all = Slice {
                from: days.0,
                to: days.1,
                segment: slice.segment.clone(),
            };
            segment_only = RunTally::of_kept(ds, run, Some(&Keep::new(ds, run, &all)));
            &segment_only
        };
        let mut r = crate::report::build(
            &t,
            &b,
            Some(crate::report::Part {
                whole: &self.whole,
                monitor,
                from: slice.from,
                to: slice.to,
            }),
        );
        r.slice = Some(slice.clone());
        r.batch = Some(crate::report::BatchFacts {
            days,
            channels: run
                .attribution
                .channels
                .iter()
                .filter(|c| *c != crate::config::channels::UNATTRIBUTED)
                .cloned()
                .collect(),
        });
        r
    }
}

/// The baseline in words, for the summary's sentences.
fn label(b: &Baseline, base: &Slice, slice: &Slice) -> String {
    let days = |n: i64| {
        if n == 1 {
            "day".to_string()
        } else {
            format!("{n} days")
        }
    };
    match b {
        Baseline::Previous => format!("the previous {}", days(slice.days())),
        Baseline::Week => "the same days a week earlier".to_string(),
        Baseline::Range(..) => format!("{} to {}", base.from, base.to),
        Baseline::Segment(g) => {
            let l = g.label();
            if l.ends_with("visitors") {
                l
            } else {
                format!("{l} sessions")
            }
        }
    }
}
