//! The pipeline after ingest in one call: [`run`] takes an ingested
//! [`Dataset`] and the settings and returns every stage's output, in
//! pipeline order (user agents and sources, the audit, sessions, the orders
//! that count, the referrals set aside, identity links, attribution). Changing a setting re-runs
//! from the dataset without re-reading files; summaries, monitoring, the
//! report and the tables read a [`Run`].

use rustc_hash::FxHashSet;

use crate::attribution::markov::Transitions;
use crate::attribution::{attribute_with, Attribution};
use crate::config::Config;
use crate::enrich::{Sources, UserAgents};
use crate::ingest::Dataset;
use crate::quality::checks::transaction_duplicates;
use crate::quality::tally::EventTally;
use crate::quality::QualityReport;
use crate::sessions::conversions::{conversions, Conversion, Persons};
use crate::sessions::referrals::{self, referral_tally, ReferralTally, SetAsideReferrer};
use crate::sessions::sessionize::{sessionize, Sessions};

/// Every stage's output for one dataset and one configuration.
pub struct Run {
    /// Settings used.
    pub cfg: Config,
    /// User agents, classified.
    pub uas: UserAgents,
    /// Traffic source of every event.
    pub sources: Sources,
    /// Event indices of duplicate-transaction copies (not orders).
    pub excluded: FxHashSet<usize>,
    /// The audit.
    pub quality: QualityReport,
    /// What the audit counted over events (sums).
    pub tally: EventTally,
    /// Sessions.
    pub sessions: Sessions,
    /// Identity links (always computed; applied when stitching is on).
    pub persons: Persons,
    /// Orders that count.
    pub conversions: Vec<Conversion>,
    /// Referrers set aside (payment steps, unwanted), with what they would
    /// have taken.
    pub set_aside: Vec<SetAsideReferrer>,
    /// What the list of referrers set aside is made from (sums).
    pub referrals: ReferralTally,
    /// Credits under every model.
    pub attribution: Attribution,
}

/// What the rest of a batch decided, when `ds` is one partition of it (the
/// persons of one task of a cluster job, see [`crate::partition`]).
#[derive(Debug, Clone, Default)]
pub struct Given {
    /// Event indices that are copies of a transaction kept elsewhere in
    /// the batch (in place of this dataset's own duplicate check).
    pub excluded: Option<FxHashSet<usize>>,
    /// The whole batch's Markov counts (in place of this dataset's own).
    pub markov: Option<Transitions>,
    /// Referrer sources detected as payment providers over the whole batch
    /// (in place of this dataset's own detection).
    pub payment_providers: Option<FxHashSet<String>>,
}

pub use crate::join::{InTurn, Join};

/// Runs every stage after ingest.
pub fn run(ds: &Dataset, cfg: &Config) -> crate::Result<Run> {
    run_with(ds, cfg, Given::default())
}

/// [`run`], with what the rest of the batch decided.
pub fn run_with(ds: &Dataset, cfg: &Config, given: Given) -> crate::Result<Run> {
    run_joined(ds, cfg, given, &InTurn)
}

/// [`run_with`], with independent stages run through `join`: the traffic
/// sources beside the user agents, the duplicate check, the audit's sums
/// and the identity links; the referral audit beside attribution. Each
/// stage reads only what it is given, so the result does not depend on
/// `join` (a CLI test compares the outputs of one thread and several).
pub fn run_joined(
    ds: &Dataset,
    cfg: &Config,
    given: Given,
    join: &impl Join,
) -> crate::Result<Run> {
    cfg.validate()?;
    let Given {
        excluded,
        markov,
        payment_providers,
    } = given;
    let (sources, (uas, dups, tally, persons)) = join.join(
        || {
            Sources::build_with(
                &ds.events,
                &ds.strings,
                &cfg.site,
                &cfg.channels,
                payment_providers.as_ref(),
            )
        },
        || {
            let uas = UserAgents::build(&ds.events, &ds.strings);
            let mut dups = transaction_duplicates(ds);
            if let Some(excluded) = excluded {
                dups.excluded = excluded;
            }
            let tally = EventTally::of(
                ds,
                &uas,
                &dups.excluded,
                &cfg.site,
                cfg.quality.revenue_tolerance * 100.0,
            );
            (uas, dups, tally, Persons::stitch(ds))
        },
    );
    let mut sessions = sessionize(&ds.events, &ds.strings, &sources, &uas, &cfg.session);
    let conversions = conversions(ds, &dups.excluded, &mut sessions, &uas);
    let ((referrals, (quality, set_aside)), attribution) = join.join(
        || {
            let referrals =
                referral_tally(ds, &sources, &uas, &cfg.session, &dups.excluded, &sessions);
            let audit = referrals::audit(
                &ds.files,
                &ds.quarantine,
                &dups.list,
                &tally,
                &referrals,
                cfg,
            );
            (referrals, audit)
        },
        || {
            attribute_with(
                &conversions,
                &sessions.sessions,
                &persons,
                &cfg.channels,
                &cfg.attribution,
                markov.as_ref(),
            )
        },
    );
    Ok(Run {
        cfg: cfg.clone(),
        uas,
        sources,
        excluded: dups.excluded,
        quality,
        tally,
        sessions,
        persons,
        conversions,
        set_aside,
        referrals,
        attribution,
    })
}
