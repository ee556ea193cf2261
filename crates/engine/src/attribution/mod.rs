//! Attribution: each conversion's revenue credited to the channels of its
//! touchpoints under seven models.
//!
//! Touchpoints are the sessions of the same client (or person, with
//! identity stitching) that started within the lookback window before the
//! conversion, the converting session included, in time order. Models:
//! first click; last click; last non-direct click (the last touch that is
//! not Direct, else Direct); linear; position-based (40% first, 40% last,
//! 20% shared by the middle; 50/50 for two touches); time decay (weight
//! `2^(−age / half-life)`, age from session start to conversion); Markov
//! (each channel of the path weighted by its removal effect, see
//! [`crate::attribution::markov`]; linear when every effect in the path is 0).
//!
//! Every model credits exactly the conversion's revenue: weights are summed
//! per channel and turned into cents by the largest-remainder method, so
//! the channel sums equal the revenue to the cent. A conversion without any
//! touchpoint is credited to `Unattributed` under every model.

pub mod markov;

pub use crate::config::AttributionConfig;
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};

use crate::config::channels::{ChannelRule, DIRECT, UNATTRIBUTED};
use crate::enrich::NO_SOURCE;
use crate::model::{Sym, NONE};
use crate::sessions::conversions::{Conversion, Persons};
use crate::sessions::sessionize::Session;

/// The attribution models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Model {
    /// All credit to the first touch.
    FirstClick,
    /// All credit to the last touch.
    LastClick,
    /// All credit to the last touch that is not Direct.
    LastNonDirect,
    /// Equal credit to every touch.
    Linear,
    /// 40/20/40.
    PositionBased,
    /// Recent touches weigh more.
    TimeDecay,
    /// Markov-chain removal effects.
    Markov,
}

impl Model {
    /// Every model, in report order.
    pub const ALL: [Model; 7] = [
        Model::FirstClick,
        Model::LastClick,
        Model::LastNonDirect,
        Model::Linear,
        Model::PositionBased,
        Model::TimeDecay,
        Model::Markov,
    ];

    /// The key used in tables and `report.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Model::FirstClick => "first_click",
            Model::LastClick => "last_click",
            Model::LastNonDirect => "last_non_direct",
            Model::Linear => "linear",
            Model::PositionBased => "position_based",
            Model::TimeDecay => "time_decay",
            Model::Markov => "markov",
        }
    }
}

/// The channel names: those of the rule table (in order), then Direct and
/// Unattributed. Channel ids index this list.
pub fn channel_names(rules: &[ChannelRule]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for r in rules {
        if !names.contains(&r.channel) {
            names.push(r.channel.clone());
        }
    }
    for extra in [DIRECT, UNATTRIBUTED] {
        if !names.iter().any(|n| n == extra) {
            names.push(extra.to_string());
        }
    }
    names
}

/// Channel id of each rule, plus the id of Direct and Unattributed.
pub struct ChannelIds {
    by_rule: Vec<u16>,
    /// Id of Direct.
    pub direct: u16,
    /// Id of Unattributed.
    pub unattributed: u16,
}

impl ChannelIds {
    /// Ids for `rules` against `names` from [`channel_names`].
    pub fn new(rules: &[ChannelRule], names: &[String]) -> ChannelIds {
        let id = |n: &str| names.iter().position(|x| x == n).unwrap_or(0) as u16;
        ChannelIds {
            by_rule: rules.iter().map(|r| id(&r.channel)).collect(),
            direct: id(DIRECT),
            unattributed: id(UNATTRIBUTED),
        }
    }

    /// Channel id of a session (by its rule).
    pub fn of_rule(&self, rule: u16) -> u16 {
        if rule == NO_SOURCE {
            self.direct
        } else {
            self.by_rule
                .get(rule as usize)
                .copied()
                .unwrap_or(self.direct)
        }
    }
}

/// One touch of a path: its channel and its session start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Touch {
    /// Channel id.
    pub channel: u16,
    /// Session start, epoch ms.
    pub start: i64,
}

/// Per-touch weights (summing to 1) of `model` for a non-empty path.
pub fn weights(
    model: Model,
    path: &[Touch],
    conv_ts: i64,
    half_life_ms: f64,
    direct: u16,
    effects: &[f64],
) -> Vec<f64> {
    let n = path.len();
    let mut w = vec![0.0; n];
    if n == 0 {
        return w;
    }
    match model {
        Model::FirstClick => w[0] = 1.0,
        Model::LastClick => w[n - 1] = 1.0,
        Model::LastNonDirect => {
            let i = path
                .iter()
                .rposition(|t| t.channel != direct)
                .unwrap_or(n - 1);
            w[i] = 1.0;
        }
        Model::Linear => w.iter_mut().for_each(|x| *x = 1.0 / n as f64),
        Model::PositionBased => match n {
            1 => w[0] = 1.0,
            2 => w = vec![0.5, 0.5],
            _ => {
                w.iter_mut().for_each(|x| *x = 0.2 / (n - 2) as f64);
                w[0] = 0.4;
                w[n - 1] = 0.4;
            }
        },
        Model::TimeDecay => {
            for (x, t) in w.iter_mut().zip(path) {
                *x = (-((conv_ts - t.start).max(0) as f64) / half_life_ms).exp2();
            }
            let mut total: f64 = w.iter().sum();
            if !(total > 0.0 && total.is_finite()) {
                // Every weight underflowed (a half-life far shorter than the
                // gaps): the same weights relative to the newest touch,
                // which weighs 1, so the sum cannot be 0 and no revenue is lost.
                let newest = path.iter().map(|t| t.start).max().unwrap_or(conv_ts);
                for (x, t) in w.iter_mut().zip(path) {
                    *x = (-((newest - t.start).max(0) as f64) / half_life_ms).exp2();
                }
                total = w.iter().sum();
            }
            w.iter_mut().for_each(|x| *x /= total);
        }
        Model::Markov => {
            // Each distinct channel once, weighted by its removal effect.
            let mut seen = FxHashSet::default();
            for (x, t) in w.iter_mut().zip(path) {
                if seen.insert(t.channel) {
                    *x = effects.get(t.channel as usize).copied().unwrap_or(0.0);
                }
            }
            let total: f64 = w.iter().sum();
            if total <= 0.0 {
                return weights(Model::Linear, path, conv_ts, half_life_ms, direct, effects);
            }
            w.iter_mut().for_each(|x| *x /= total);
        }
    }
    w
}

/// Sums weights per channel (first-appearance order) and splits `cents` by
/// the largest-remainder method: the parts sum to `cents` exactly.
pub fn allocate(cents: i64, path: &[Touch], w: &[f64]) -> Vec<(u16, f64, i64)> {
    let mut per: Vec<(u16, f64)> = Vec::new();
    for (t, &x) in path.iter().zip(w) {
        match per.iter_mut().find(|(c, _)| *c == t.channel) {
            Some((_, acc)) => *acc += x,
            None => per.push((t.channel, x)),
        }
    }
    per.retain(|(_, x)| *x > 0.0);
    let total: f64 = per.iter().map(|(_, x)| x).sum();
    let raw: Vec<f64> = per.iter().map(|(_, x)| cents as f64 * x / total).collect();
    let mut parts: Vec<i64> = raw.iter().map(|r| r.floor() as i64).collect();
    let mut left = cents - parts.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..per.len()).collect();
    order.sort_by(|&a, &b| {
        (raw[b] - raw[b].floor())
            .total_cmp(&(raw[a] - raw[a].floor()))
            .then(a.cmp(&b))
    });
    for &i in order.iter().cycle().take(per.len() * 2) {
        if left == 0 {
            break;
        }
        parts[i] += left.signum();
        left -= left.signum();
    }
    per.iter()
        .zip(parts)
        .map(|(&(c, x), p)| (c, x / total, p))
        .collect()
}

/// Touchpoint sessions of each conversion: same person, started within the
/// lookback window before it.
pub fn touchpoints(
    conversions: &[Conversion],
    sessions: &[Session],
    person: impl Fn(Sym) -> Sym,
    lookback_ms: i64,
) -> Vec<Vec<u32>> {
    // The sessions of persons who convert, grouped by person, each group in
    // session order (sessions are numbered in order of their start): one
    // sorted list, not a list per person (millions of small vectors in a
    // large batch). Persons who never convert, most of a large batch, are
    // left out of the sort.
    let mut converts = Vec::new();
    for c in conversions.iter().filter(|c| c.client != NONE) {
        let p = person(c.client) as usize;
        if p / 64 >= converts.len() {
            converts.resize(p / 64 + 1, 0u64);
        }
        converts[p / 64] |= 1 << (p % 64);
    }
    let by_person = sessions_by_person(sessions, |s| {
        let p = person(s.client);
        let word = converts.get(p as usize / 64).copied().unwrap_or(0);
        (word >> (p % 64) & 1 == 1).then_some(p)
    });
    conversions
        .iter()
        .map(|c| {
            if c.client == NONE {
                return Vec::new();
            }
            let p = person(c.client);
            let from = by_person.partition_point(|&(q, _)| q < p);
            let to = from + by_person[from..].partition_point(|&(q, _)| q == p);
            let list = &by_person[from..to];
            let lo =
                list.partition_point(|&(_, s)| sessions[s as usize].start < c.ts - lookback_ms);
            let hi = list.partition_point(|&(_, s)| sessions[s as usize].start <= c.ts);
            list[lo..hi].iter().map(|&(_, s)| s).collect()
        })
        .collect()
}

/// `(person, session index)` of the sessions `person` keeps, sorted: each
/// person's sessions together, in session order.
fn sessions_by_person(
    sessions: &[Session],
    person: impl Fn(&Session) -> Option<Sym>,
) -> Vec<(Sym, u32)> {
    let mut list: Vec<(Sym, u32)> = (0..)
        .zip(sessions)
        .filter_map(|(i, s)| person(s).map(|p| (p, i)))
        .collect();
    list.sort_unstable();
    list
}

/// The effect of identity stitching on touchpoints.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Stitching {
    /// Whether stitching was applied.
    pub enabled: bool,
    /// Client ids linked to another by a shared email hash.
    pub linked_clients: u64,
    /// Orders that have more touchpoints with stitching than without.
    pub orders_gaining_touchpoints: u64,
}

/// Touchpoints under the configured identity, and the stitching effect.
pub fn touchpoints_with_stitching(
    conversions: &[Conversion],
    sessions: &[Session],
    persons: &Persons,
    cfg: &AttributionConfig,
) -> (Vec<Vec<u32>>, Stitching) {
    let lookback = i64::from(cfg.lookback_days) * 86_400_000;
    let plain = touchpoints(conversions, sessions, |c| c, lookback);
    let stitched = touchpoints(conversions, sessions, |c| persons.of(c), lookback);
    let gaining = plain
        .iter()
        .zip(&stitched)
        .filter(|(a, b)| b.len() > a.len())
        .count() as u64;
    let stitching = Stitching {
        enabled: cfg.stitch_identities,
        linked_clients: persons.linked_clients() as u64,
        orders_gaining_touchpoints: gaining,
    };
    (
        if cfg.stitch_identities {
            stitched
        } else {
            plain
        },
        stitching,
    )
}

/// One channel's share of one conversion under one model.
#[derive(Debug, Clone, PartialEq)]
pub struct Credit {
    /// Conversion index.
    pub conversion: u32,
    /// Model.
    pub model: Model,
    /// Channel id.
    pub channel: u16,
    /// Share of the conversion (0..=1).
    pub credit: f64,
    /// Share of its revenue, in cents.
    pub revenue_cents: i64,
}

/// What the Markov model saw.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct MarkovSummary {
    /// Journeys that ended in an order.
    pub converting_journeys: u64,
    /// Journeys (one per person, of sessions outside any order's window) that did not.
    pub non_converting_journeys: u64,
    /// Probability of converting from the start state.
    pub conversion_probability: f64,
    /// Removal effect per channel name (0..=1).
    pub removal_effects: Vec<(String, f64)>,
    /// Set when there are too few converting journeys to trust the model.
    pub warning: Option<String>,
}

/// All credits of all models.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribution {
    /// Channel names; channel ids index this.
    pub channels: Vec<String>,
    /// Touchpoint sessions of each conversion.
    pub touchpoints: Vec<Vec<u32>>,
    /// Credits, by conversion then model.
    pub credits: Vec<Credit>,
    /// The Markov model's inputs and effects.
    pub markov: MarkovSummary,
    /// Identity stitching and its effect.
    pub stitching: Stitching,
    /// The Markov chain's counts over this run's journeys (the model solves
    /// counts handed in instead, when a run is one partition of a batch).
    pub transitions: markov::Transitions,
}

/// Credits every conversion under every model.
pub fn attribute(
    conversions: &[Conversion],
    sessions: &[Session],
    persons: &Persons,
    rules: &[ChannelRule],
    cfg: &AttributionConfig,
) -> Attribution {
    attribute_with(conversions, sessions, persons, rules, cfg, None)
}

/// [`attribute`], with the Markov model solved from `batch`'s counts when
/// given (the whole batch's, when these conversions are one partition of
/// it) instead of this run's own.
pub fn attribute_with(
    conversions: &[Conversion],
    sessions: &[Session],
    persons: &Persons,
    rules: &[ChannelRule],
    cfg: &AttributionConfig,
    batch: Option<&markov::Transitions>,
) -> Attribution {
    let channels = channel_names(rules);
    let ids = ChannelIds::new(rules, &channels);
    let (touchpoints, stitching) = touchpoints_with_stitching(conversions, sessions, persons, cfg);
    let path = |tps: &[u32]| -> Vec<Touch> {
        tps.iter()
            .map(|&s| Touch {
                channel: ids.of_rule(sessions[s as usize].rule),
                start: sessions[s as usize].start,
            })
            .collect()
    };
    let transitions = markov_counts(&touchpoints, sessions, persons, cfg, &channels, &ids, &path);
    let markov = markov_summary(batch.unwrap_or(&transitions), cfg, &channels);
    let effects: Vec<f64> = markov.removal_effects.iter().map(|(_, e)| *e).collect();
    let half_life = cfg.half_life_days * 86_400_000.0;
    let mut credits = Vec::with_capacity(conversions.len() * Model::ALL.len());
    for (i, (c, tps)) in conversions.iter().zip(&touchpoints).enumerate() {
        let touches = path(tps);
        for model in Model::ALL {
            if touches.is_empty() {
                credits.push(Credit {
                    conversion: i as u32,
                    model,
                    channel: ids.unattributed,
                    credit: 1.0,
                    revenue_cents: c.revenue_cents,
                });
                continue;
            }
            let w = weights(model, &touches, c.ts, half_life, ids.direct, &effects);
            for (channel, credit, cents) in allocate(c.revenue_cents, &touches, &w) {
                credits.push(Credit {
                    conversion: i as u32,
                    model,
                    channel,
                    credit,
                    revenue_cents: cents,
                });
            }
        }
    }
    Attribution {
        channels,
        touchpoints,
        credits,
        markov,
        stitching,
        transitions,
    }
}

/// The Markov chain's counts: one converting journey per conversion with
/// touchpoints, one non-converting journey per person of the sessions in
/// no order's window.
fn markov_counts(
    touchpoints: &[Vec<u32>],
    sessions: &[Session],
    persons: &Persons,
    cfg: &AttributionConfig,
    channels: &[String],
    ids: &ChannelIds,
    path: &dyn Fn(&[u32]) -> Vec<Touch>,
) -> markov::Transitions {
    let mut t = markov::Transitions::new(channels.len());
    let mut used = vec![false; sessions.len()];
    let mut channel_path: Vec<u16> = Vec::new();
    for tps in touchpoints.iter().filter(|t| !t.is_empty()) {
        channel_path.clear();
        channel_path.extend(path(tps).iter().map(|t| t.channel));
        t.add(&channel_path, true);
        tps.iter().for_each(|&s| used[s as usize] = true);
    }
    // Sessions in no order's window: one non-converting journey per person
    // (the chain only counts transitions, so the journeys' order is free).
    t.add_journeys(
        sessions
            .iter()
            .zip(&used)
            .filter(|(_, used)| !**used)
            .map(|(s, _)| {
                let person = if cfg.stitch_identities {
                    persons.of(s.client)
                } else {
                    s.client
                };
                (person, ids.of_rule(s.rule))
            }),
    );
    t
}

/// What the Markov model says, solved from `t`.
pub fn markov_summary(
    t: &markov::Transitions,
    cfg: &AttributionConfig,
    channels: &[String],
) -> MarkovSummary {
    let (probability, effects) = t.solve();
    let (converting, non_converting) = (t.converting(), t.non_converting());
    let warning = (converting < u64::from(cfg.markov_min_conversions)).then(|| {
        format!(
            "Only {converting} converting journeys (fewer than {}): treat the data-driven model as indicative.",
            cfg.markov_min_conversions
        )
    });
    MarkovSummary {
        converting_journeys: converting,
        non_converting_journeys: non_converting,
        conversion_probability: probability,
        removal_effects: channels.iter().cloned().zip(effects).collect(),
        warning,
    }
}
