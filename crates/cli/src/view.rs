//! `--from`, `--to`, `--segment` and `--compare`: the period, segment and
//! baseline of `puffy run`, `report` and `monitor`, read once here.

use engine::pipeline::Run;
use engine::report::compare::View;
use engine::summary::slice::Keep;

/// The flags of a view.
#[derive(clap::Args, Debug, Default)]
pub struct ViewArgs {
    /// First day of the period (YYYY-MM-DD; the batch's first day when absent).
    #[arg(long)]
    from: Option<String>,
    /// Last day of the period (YYYY-MM-DD; the batch's last day when absent).
    #[arg(long)]
    to: Option<String>,
    /// Keep the sessions matching KEY=VALUE[,VALUE...], KEY one of device,
    /// channel, visitor (new, returning), landing (a path prefix).
    /// Repeatable: every key must match, any of a key's values.
    #[arg(long = "segment", value_name = "KEY=VALUE")]
    segment: Vec<String>,
    /// Compare with: previous (as many days just before), week (each day 7
    /// days earlier), YYYY-MM-DD..YYYY-MM-DD, or segment:KEY=VALUE[;KEY=VALUE]
    /// (another segment over the same days).
    #[arg(long)]
    compare: Option<String>,
}

impl ViewArgs {
    /// The view asked for; `None` when no flag was given (the whole batch).
    pub fn view(&self, run: &Run) -> anyhow::Result<Option<View>> {
        if self.from.is_none()
            && self.to.is_none()
            && self.segment.is_empty()
            && self.compare.is_none()
        {
            return Ok(None);
        }
        let query = engine::report::compare::ViewQuery {
            from: self.from.clone(),
            to: self.to.clone(),
            segment: self.segment.clone(),
            compare: self.compare.clone(),
        };
        Ok(Some(query.view(run)?))
    }
}

/// The report of a view (the whole batch's without one); `keep`, the
/// view's flags when the tables made them already.
pub fn report(
    ds: &engine::ingest::Dataset,
    run: &Run,
    view: Option<&View>,
    keep: Option<&Keep>,
) -> anyhow::Result<engine::report::Report> {
    Ok(match view {
        None => engine::report::report(ds, run),
        Some(v) => engine::report::compare::Analysis::new(ds, run).report_kept(ds, run, v, keep)?,
    })
}

/// The flags of a view's sessions, for its tables (none: every row).
pub fn keep(ds: &engine::ingest::Dataset, run: &Run, view: Option<&View>) -> Option<Keep> {
    view.map(|v| Keep::new(ds, run, &v.slice))
}
