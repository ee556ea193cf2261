//! Insights: the executive summary, a handful of plain-language findings
//! written from a report's numbers. Each carries its kind and the one
//! number behind it (so a test, or a reader, can check it against the
//! tables), and names the report section with the chart that supports it.

use chrono::Datelike;
use serde::Serialize;

use crate::monitor::metrics::SchemaChange;
use crate::report::Report;
use crate::units::{agree, money, pct, quantity};

/// What an insight is about, and what its `value` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InsightKind {
    /// Read from a report published before insights carried a kind; its
    /// value is 0.
    #[default]
    Unknown,
    /// The channel with the most last-click revenue; value: its share of
    /// revenue.
    TopChannel,
    /// The channel whose credit moves most between first and last click;
    /// value: last ÷ first − 1.
    ModelShift,
    /// Sessions that never add to cart; value: their share.
    CartAbandonment,
    /// The worst day for lost client ids; value: its null rate.
    ClientIdsLost,
    /// Days without the referrer column; value: how many.
    ReferrersLost,
    /// Duplicate transactions; value: the revenue they would have added.
    DuplicateOrders,
    /// A payment provider set aside; value: the revenue it would have
    /// taken.
    PaymentProvider,
    /// The largest Markov removal effect; value: that effect.
    DataDriven,
    /// Orders without a visit; value: their revenue.
    Unattributed,
    /// Critical monitoring incidents; value: how many.
    CriticalIncidents,
    /// A headline number that moved beyond noise against the baseline;
    /// value: its change in percent (as a fraction).
    KpiMover,
    /// A channel's last-click revenue that moved beyond noise; value: its
    /// change in percent.
    ChannelMover,
    /// A funnel step's rate that moved beyond noise; value: its change in
    /// percent.
    FunnelMover,
}

/// One finding of the executive summary.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Insight {
    /// What it is about.
    #[serde(default)]
    pub kind: InsightKind,
    /// The number behind it (see [`InsightKind`]).
    #[serde(default)]
    pub value: f64,
    /// The sentence.
    pub text: String,
    /// The section with its supporting chart.
    pub section: Section,
}

/// A section of the report, where an insight's supporting chart is; in the
/// report's JSON, its name in lower case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Section {
    /// Channels and attribution.
    Channels,
    /// The funnel.
    Funnel,
    /// Data quality.
    Quality,
    /// Daily trends.
    Trends,
    /// Monitoring incidents.
    Monitoring,
    /// A section this build does not know (a report from another version).
    #[serde(other)]
    Other,
}

fn day(d: chrono::NaiveDate) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    format!("{} {}", d.day(), MONTHS[d.month0() as usize])
}

/// Most movers of each kind the summary leads with.
const MOVERS: [usize; 3] = [3, 2, 1];

/// A KPI's name in a sentence, and its value written out.
fn kpi_words(name: &str, x: f64) -> (&'static str, String) {
    match name {
        "revenue" => ("Revenue", money(x)),
        "orders" => ("Orders", crate::units::thousands(x.round() as u64)),
        "aov" => ("Average order value", money(x)),
        "sessions" => ("Sessions", crate::units::thousands(x.round() as u64)),
        "visitors" => ("Visitors", crate::units::thousands(x.round() as u64)),
        "conversion_rate" => ("Conversion rate", pct(x)),
        "bot_share" => ("Bot share", pct(x)),
        "quality_score" => ("The data-quality score", format!("{x:.1}")),
        _ => ("A number", format!("{x}")),
    }
}

fn step_words(step: &str) -> &'static str {
    match step {
        "added_to_cart" => "The add-to-cart rate",
        "started_checkout" => "The checkout rate",
        "purchased" => "The purchase rate",
        _ => "A funnel step",
    }
}

fn moved(p: f64) -> String {
    format!(
        "{} {:.0}%",
        if p < 0.0 { "fell" } else { "rose" },
        (p * 100.0).abs()
    )
}

/// The largest changes against the baseline beyond noise, the largest
/// first within each kind: up to three headline numbers, two channels
/// (last click) and one funnel step. A change is beyond noise when
/// [`crate::report::compare::notable`] says so.
fn movers(r: &Report) -> Vec<Insight> {
    let Some(c) = &r.comparison else {
        return Vec::new();
    };
    let by_size = |a: &f64, b: &f64| b.abs().total_cmp(&a.abs());
    let mut out = Vec::new();
    let mut kpis: Vec<_> = c
        .kpis
        .iter()
        .filter_map(|k| k.change_pct.filter(|_| k.notable).map(|p| (k, p)))
        .collect();
    kpis.sort_by(|a, b| by_size(&a.1, &b.1));
    for (k, p) in kpis.into_iter().take(MOVERS[0]) {
        let (name, now) = kpi_words(&k.name, k.value);
        let (_, was) = kpi_words(&k.name, k.baseline);
        out.push(Insight {
            kind: InsightKind::KpiMover,
            value: p,
            text: format!("{name} {} to {now} against {} ({was}).", moved(p), c.label),
            section: Section::Trends,
        });
    }
    let mut channels: Vec<_> = c
        .channels
        .iter()
        .filter(|x| x.model == "last_click" && x.channel != crate::config::channels::UNATTRIBUTED)
        .filter_map(|x| x.change_pct.filter(|_| x.notable).map(|p| (x, p)))
        .collect();
    channels.sort_by(|a, b| by_size(&a.1, &b.1));
    for (x, p) in channels.into_iter().take(MOVERS[1]) {
        out.push(Insight {
            kind: InsightKind::ChannelMover,
            value: p,
            text: format!(
                "{} revenue {} to {} under last click ({} in {}).",
                x.channel,
                moved(p),
                money(x.value),
                money(x.baseline),
                c.label
            ),
            section: Section::Channels,
        });
    }
    let mut steps: Vec<_> = c
        .funnel
        .iter()
        .filter_map(|k| k.change_pct.filter(|_| k.notable).map(|p| (k, p)))
        .collect();
    steps.sort_by(|a, b| by_size(&a.1, &b.1));
    for (k, p) in steps.into_iter().take(MOVERS[2]) {
        out.push(Insight {
            kind: InsightKind::FunnelMover,
            value: p,
            text: format!(
                "{} {} to {} of sessions ({} in {}).",
                step_words(&k.name),
                moved(p),
                pct(k.value),
                pct(k.baseline),
                c.label
            ),
            section: Section::Funnel,
        });
    }
    out
}

/// The executive summary of a report: with a comparison, what changed
/// leads.
pub fn insights(r: &Report) -> Vec<Insight> {
    let mut out = movers(r);
    let revenue = r.summary.revenue;
    let last = r.attribution.get("last_click");
    let first = r.attribution.get("first_click");
    if let Some(last) = last.filter(|_| revenue > 0.0) {
        if let Some((channel, c)) = last
            .iter()
            .filter(|(k, _)| *k != crate::config::channels::UNATTRIBUTED)
            .max_by(|a, b| a.1.revenue.total_cmp(&b.1.revenue))
        {
            out.push(Insight {
                kind: InsightKind::TopChannel,
                value: c.revenue / revenue,
                text: format!(
                    "{channel} drives {} of revenue ({}) under last click.",
                    pct(c.revenue / revenue),
                    money(c.revenue)
                ),
                section: Section::Channels,
            });
        }
    }
    if let (Some(first), Some(last)) = (first, last) {
        let shift = last
            .iter()
            .filter_map(|(k, l)| {
                first
                    .get(k)
                    .filter(|f| f.revenue > 0.0)
                    .map(|f| (k, l.revenue / f.revenue - 1.0))
            })
            .filter(|(k, _)| *k != crate::config::channels::UNATTRIBUTED)
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()));
        if let Some((channel, change)) = shift.filter(|(_, c)| c.abs() >= 0.01) {
            let dir = if change > 0.0 { "more" } else { "less" };
            out.push(Insight {
                kind: InsightKind::ModelShift,
                value: change,
                text: format!(
                    "{channel} earns {:.0}% {dir} credit under last click than under first click.",
                    change.abs() * 100.0
                ),
                section: Section::Channels,
            });
        }
    }
    if let Some(cart) = r.funnel.overall.get(1).filter(|_| r.summary.sessions > 0) {
        out.push(Insight {
            kind: InsightKind::CartAbandonment,
            value: 1.0 - cart.rate,
            text: format!(
                "{} of sessions never add to cart; {} of sessions end in an order.",
                pct(1.0 - cart.rate),
                pct(r.summary.conversion_rate)
            ),
            section: Section::Funnel,
        });
    }
    let worst = r
        .metrics
        .iter()
        .filter(|m| m.null_client_rate > r.settings.quality.max_null_client_rate)
        .max_by(|a, b| a.null_client_rate.total_cmp(&b.null_client_rate));
    if let Some(m) = worst {
        out.push(Insight {
            kind: InsightKind::ClientIdsLost,
            value: m.null_client_rate,
            text: format!(
                "Tracking broke on {}: {} of events lost their client id.",
                day(m.day),
                pct(m.null_client_rate)
            ),
            section: Section::Quality,
        });
    }
    let lost: Vec<_> = r
        .metrics
        .iter()
        .filter(|m| {
            m.schema.contains(&SchemaChange::Missing(
                crate::ingest::schema::Column::Referrer,
            ))
        })
        .map(|m| m.day)
        .collect();
    if let (Some(a), Some(b)) = (lost.first(), lost.last()) {
        let span = if a == b {
            day(*a)
        } else {
            format!("{} to {}", day(*a), day(*b))
        };
        out.push(Insight {
            kind: InsightKind::ReferrersLost,
            value: lost.len() as f64,
            text: format!("Referrers were not exported on {span}: search, social and referral visits count as Direct there."),
            section: Section::Quality,
        });
    }
    let q = &r.quality;
    if !q.duplicate_transactions.is_empty() {
        out.push(Insight {
            kind: InsightKind::DuplicateOrders,
            value: q.duplicate_revenue_excluded,
            text: format!(
                "{} would have added {} of revenue; excluded.",
                quantity(q.duplicate_transactions.len() as u64, "duplicate order"),
                money(q.duplicate_revenue_excluded)
            ),
            section: Section::Quality,
        });
    }
    if let Some((channel, effect)) = r
        .markov
        .removal_effects
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .filter(|(_, e)| *e > 0.0)
    {
        out.push(Insight {
            kind: InsightKind::DataDriven,
            value: *effect,
            text: format!(
                "Data-driven model: without {channel}, {} of conversions would be lost.",
                pct(*effect)
            ),
            section: Section::Channels,
        });
    }
    if r.summary.unattributed_orders > 0 {
        out.push(Insight {
            kind: InsightKind::Unattributed,
            value: r.summary.unattributed_revenue,
            text: format!(
                "{} worth {} cannot be tied to a visit (no client id).",
                quantity(r.summary.unattributed_orders, "order"),
                money(r.summary.unattributed_revenue)
            ),
            section: Section::Quality,
        });
    }
    if let Some(p) = r
        .set_aside_referrers
        .iter()
        .filter(|p| p.reason == crate::enrich::SetAside::Detected && p.sessions > 0)
        .max_by(|a, b| a.revenue.total_cmp(&b.revenue))
    {
        out.push(Insight {
            kind: InsightKind::PaymentProvider,
            value: p.revenue,
            text: format!(
                "{} only sends shoppers back to checkout: a payment step, not a channel. Set aside; counted, it would have taken {} and {} as {}.",
                crate::limits::truncate(&p.source, 64),
                quantity(p.sessions, "session"),
                money(p.revenue),
                p.channel
            ),
            section: Section::Quality,
        });
    }
    let critical: Vec<_> = r
        .incidents
        .iter()
        .filter(|i| i.severity == crate::monitor::AlertSeverity::Critical)
        .collect();
    if !critical.is_empty() {
        let alerts: usize = critical.iter().map(|i| i.alerts.len()).sum();
        out.push(Insight {
            kind: InsightKind::CriticalIncidents,
            value: critical.len() as f64,
            text: format!(
                "{} ({}) {} attention.",
                quantity(critical.len() as u64, "critical monitoring incident"),
                quantity(alerts as u64, "alert"),
                agree(critical.len() as u64, "needs", "need")
            ),
            section: Section::Monitoring,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::Section;

    /// The report's JSON names a section in lower case, as it did when it
    /// was a string; a name this build does not know reads as `Other`
    /// (the page then opens the overview), not as an unreadable report.
    #[test]
    fn sections_in_json() {
        let json = serde_json::to_string(&[Section::Channels, Section::Monitoring]).unwrap();
        assert_eq!(json, r#"["channels","monitoring"]"#);
        let read: Vec<Section> = serde_json::from_str(r#"["funnel","journeys"]"#).unwrap();
        assert_eq!(read, [Section::Funnel, Section::Other]);
    }
}
