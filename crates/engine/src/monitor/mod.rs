//! Monitor: alerts from the daily metrics, so a morning run learns that
//! tracking broke before the weekly report is wrong.
//!
//! Three families:
//! - **data quality**: null client-id rate above `[quality]` `max_null_client_rate`
//!   (critical); a column missing (critical) or newly renamed (warning);
//!   duplicate transactions (warning); quarantine rate above
//!   `max_quarantine_rate` (warning).
//! - **business**: revenue below `min_daily_revenue` (critical); revenue,
//!   orders or conversion rate outside the robust band of the trailing
//!   window (revenue below: critical; orders, conversion rate: warning;
//!   anything above: info); a channel's session share moving by more than
//!   `channel_share_change` from its trailing median (warning).
//! - **pipeline**: a day with no data (critical); a file that failed to
//!   parse (critical); rows below `low_volume_ratio` × the trailing median
//!   (warning); Direct's share jumping by more than `direct_share_jump`
//!   (warning: the signature of lost referrers).
//!
//! Anomalies use a **robust z-score**: `z = (x − median) / (1.4826 · MAD)`
//! over the history, where MAD is the median absolute deviation (1.4826
//! makes it comparable to a standard deviation for normal data). The band
//! shown is `median ± threshold · 1.4826 · MAD`. History is the trailing
//! `trailing_days` days with data before the day (never the day itself or
//! later); when it holds at least `same_weekday_weeks` values from the same
//! weekday, only those are used. With fewer than `min_history_days` days of
//! history, anomaly rules are skipped for that day. The spread used is at
//! least `min_relative_spread` × the median, so a flat week does not turn
//! ordinary day-to-day noise into alerts.

pub mod incidents;
pub mod metrics;
pub mod rules;

pub use crate::config::MonitorConfig;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::monitor::metrics::DayMetrics;

/// How urgent an alert is. Ordered: `Info < Warning < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertSeverity {
    /// Worth a look.
    Info,
    /// Numbers may be off.
    Warning,
    /// Page someone.
    Critical,
}

impl AlertSeverity {
    /// The name used in `report.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertSeverity::Info => "info",
            AlertSeverity::Warning => "warning",
            AlertSeverity::Critical => "critical",
        }
    }
}

/// The three families of alert rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertFamily {
    /// The export itself: client ids, columns, duplicates, quarantine.
    DataQuality,
    /// Revenue, orders, conversion and channel mix.
    Business,
    /// Missing days, unreadable files, low volume, lost referrers.
    Pipeline,
}

impl AlertFamily {
    /// The name used in `report.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertFamily::DataQuality => "data_quality",
            AlertFamily::Business => "business",
            AlertFamily::Pipeline => "pipeline",
        }
    }
}

/// What an alert measures: one variant per rule, plus the share of one
/// channel. Written as its name (`revenue`, `channel_share:Email`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AlertMetric {
    /// No data for a day.
    MissingDay,
    /// A file could not be read.
    FileError,
    /// Rows below the usual volume.
    Rows,
    /// Share of rows without client id.
    NullClientRate,
    /// A column missing from the header.
    ColumnMissing,
    /// A column under another name.
    ColumnRenamed,
    /// Reused transaction ids.
    DuplicateTransactions,
    /// Share of rows quarantined.
    QuarantineRate,
    /// Revenue.
    Revenue,
    /// Orders.
    Orders,
    /// Conversion rate.
    ConversionRate,
    /// Direct's share of sessions.
    DirectShare,
    /// A channel's share of sessions.
    ChannelShare(String),
}

impl AlertMetric {
    const NAMED: [(AlertMetric, &'static str); 12] = [
        (AlertMetric::MissingDay, "missing_day"),
        (AlertMetric::FileError, "file_error"),
        (AlertMetric::Rows, "rows"),
        (AlertMetric::NullClientRate, "null_client_rate"),
        (AlertMetric::ColumnMissing, "column_missing"),
        (AlertMetric::ColumnRenamed, "column_renamed"),
        (AlertMetric::DuplicateTransactions, "duplicate_transactions"),
        (AlertMetric::QuarantineRate, "quarantine_rate"),
        (AlertMetric::Revenue, "revenue"),
        (AlertMetric::Orders, "orders"),
        (AlertMetric::ConversionRate, "conversion_rate"),
        (AlertMetric::DirectShare, "direct_share"),
    ];

    /// Its name, as `report.json` writes it.
    pub fn name(&self) -> std::borrow::Cow<'static, str> {
        match self {
            AlertMetric::ChannelShare(c) => format!("channel_share:{c}").into(),
            other => AlertMetric::NAMED
                .iter()
                .find(|(m, _)| m == other)
                .map_or("", |(_, n)| n)
                .into(),
        }
    }

    /// Whether its value is an amount of money.
    pub fn is_money(&self) -> bool {
        *self == AlertMetric::Revenue
    }

    /// Whether its value is a share (shown as a percentage).
    pub fn is_share(&self) -> bool {
        matches!(
            self,
            AlertMetric::NullClientRate
                | AlertMetric::QuarantineRate
                | AlertMetric::ConversionRate
                | AlertMetric::DirectShare
                | AlertMetric::ChannelShare(_)
        )
    }
}

impl std::fmt::Display for AlertMetric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(&self.name())
    }
}

impl std::str::FromStr for AlertMetric {
    type Err = String;

    fn from_str(s: &str) -> Result<AlertMetric, String> {
        if let Some(channel) = s.strip_prefix("channel_share:") {
            return Ok(AlertMetric::ChannelShare(channel.to_string()));
        }
        AlertMetric::NAMED
            .iter()
            .find(|(_, n)| *n == s)
            .map(|(m, _)| m.clone())
            .ok_or_else(|| format!("unknown alert metric {s:?}"))
    }
}

impl PartialEq<&str> for AlertMetric {
    fn eq(&self, other: &&str) -> bool {
        self.name() == *other
    }
}

impl Serialize for AlertMetric {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for AlertMetric {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<AlertMetric, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// One alert.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Alert {
    /// `metric:day`, unique in a run.
    pub id: String,
    /// `data_quality`, `business` or `pipeline`.
    pub family: AlertFamily,
    /// Day it is about.
    pub day: NaiveDate,
    /// Metric name (as in [`DayMetrics`], or `channel_share:<channel>`).
    pub metric: AlertMetric,
    /// How urgent.
    pub severity: AlertSeverity,
    /// The day's value.
    pub value: f64,
    /// The fixed threshold crossed, if the rule has one.
    pub threshold: Option<f64>,
    /// The expected band `[low, high]`, for anomaly rules.
    pub expected: Option<(f64, f64)>,
    /// One line for a reader.
    pub message: String,
    /// What to do about it.
    pub action: String,
}

/// Robust z-score of `x` against `history`: `(z, median, scaled MAD)`.
/// `None` for an empty history or a MAD of 0.
pub fn robust_z(x: f64, history: &[f64]) -> Option<(f64, f64, f64)> {
    let median = median(history)?;
    let deviations: Vec<f64> = history.iter().map(|v| (v - median).abs()).collect();
    let scale = 1.4826 * median_of(deviations)?;
    if scale <= 0.0 {
        return None;
    }
    Some(((x - median) / scale, median, scale))
}

/// The median of `values` (`None` when empty).
pub(crate) fn median(values: &[f64]) -> Option<f64> {
    median_of(values.to_vec())
}

fn median_of(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    crate::sorting::sort_by(&mut v, f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// Earlier days with data to compare `days[i]` with (see the module doc).
fn history<'a>(days: &'a [DayMetrics], i: usize, cfg: &MonitorConfig) -> Vec<&'a DayMetrics> {
    let today = days[i].day;
    let earlier: Vec<&DayMetrics> = days[..i]
        .iter()
        .filter(|d| d.events > 0 && (today - d.day).num_days() as usize <= cfg.trailing_days)
        .collect();
    let same: Vec<&DayMetrics> = earlier
        .iter()
        .copied()
        .filter(|d| d.day.weekday() == today.weekday())
        .collect();
    if same.len() >= cfg.same_weekday_weeks {
        same
    } else {
        earlier
    }
}

/// The daily metrics of a run and their alerts: what `report.json` holds
/// under `metrics` and `alerts`, and what `puffy monitor` prints (one code
/// path for both).
pub fn monitor(
    ds: &crate::ingest::Dataset,
    run: &crate::pipeline::Run,
) -> (Vec<DayMetrics>, Vec<Alert>) {
    let metrics = crate::monitor::metrics::daily_metrics(ds, run);
    let alerts = alerts(&metrics, &run.cfg);
    (metrics, alerts)
}

/// Every alert for every day, worst first (then by day and metric).
/// The data-quality alerts use the audit's own limits (`[quality]`
/// `max_null_client_rate`, `max_quarantine_rate`): each threshold has one home.
pub fn alerts(days: &[DayMetrics], config: &crate::config::Config) -> Vec<Alert> {
    let cfg = &config.monitor;
    let mut out = Vec::new();
    for i in 0..days.len() {
        let hist = history(days, i, cfg);
        crate::monitor::rules::day_alerts(days, i, &hist, cfg, &config.quality, &mut out);
    }
    crate::sorting::sort_by(&mut out, |a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.day.cmp(&b.day))
            .then(a.metric.name().cmp(&b.metric.name()))
    });
    out
}

impl Alert {
    /// A new alert of `family` on `day` for `metric` (its id is
    /// `metric:day`), with value 0, no threshold, band or words yet.
    pub(crate) fn on(
        family: AlertFamily,
        day: &DayMetrics,
        metric: AlertMetric,
        severity: AlertSeverity,
    ) -> Alert {
        Alert {
            id: format!("{metric}:{}", day.day),
            family,
            day: day.day,
            metric,
            severity,
            value: 0.0,
            threshold: None,
            expected: None,
            message: String::new(),
            action: String::new(),
        }
    }

    /// The measured value.
    pub(crate) fn value(mut self, value: f64) -> Alert {
        self.value = value;
        self
    }

    /// The limit it crossed.
    pub(crate) fn threshold(mut self, threshold: f64) -> Alert {
        self.threshold = Some(threshold);
        self
    }

    /// The band it left.
    pub(crate) fn expected(mut self, band: (f64, f64)) -> Alert {
        self.expected = Some(band);
        self
    }

    /// What happened and what to do, for a person.
    pub(crate) fn says(mut self, message: String, action: &str) -> Alert {
        self.message = message;
        self.action = action.to_string();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_metrics_read_back_from_their_names() {
        for name in [
            "missing_day",
            "rows",
            "revenue",
            "conversion_rate",
            "channel_share:Paid Search",
        ] {
            let m: AlertMetric = name.parse().unwrap();
            assert_eq!(m.to_string(), name);
        }
        assert_eq!(
            "channel_share:Email".parse::<AlertMetric>(),
            Ok(AlertMetric::ChannelShare("Email".into()))
        );
        assert!("nonsense".parse::<AlertMetric>().is_err());
        assert_eq!(format!("{:<8}|", AlertMetric::Rows), "rows    |");
    }

    #[test]
    fn robust_z_by_hand() {
        // History 10, 12, 14, 16, 100: median 14; deviations 4, 2, 0, 2, 86 → MAD 2;
        // scale 2.9652; z(20) = 6 / 2.9652.
        let (z, median, scale) = robust_z(20.0, &[10.0, 12.0, 14.0, 16.0, 100.0]).unwrap();
        assert_eq!(median, 14.0);
        assert!((scale - 2.9652).abs() < 1e-12);
        assert!((z - 6.0 / 2.9652).abs() < 1e-12);
        // Even count: median of 1, 2, 3, 4 is 2.5; deviations 1.5, .5, .5, 1.5 → MAD 1.
        let (z, median, _) = robust_z(2.5, &[4.0, 1.0, 3.0, 2.0]).unwrap();
        assert_eq!((z, median), (0.0, 2.5));
        assert_eq!(robust_z(5.0, &[3.0, 3.0, 3.0]), None);
        assert_eq!(robust_z(5.0, &[]), None);
    }
}
