//! The alert rules of [`crate::monitor`], applied to one day.

use crate::config::QualityConfig;
use crate::monitor::metrics::{DayMetrics, SchemaChange};
use crate::monitor::{
    median, robust_z, Alert, AlertFamily as Family, AlertMetric as M, AlertSeverity as S,
    MonitorConfig,
};
use crate::units::{agree, money, pct, quantity};

/// Pushes every alert of `days[i]`, given its history.
pub fn day_alerts(
    days: &[DayMetrics],
    i: usize,
    hist: &[&DayMetrics],
    cfg: &MonitorConfig,
    quality: &QualityConfig,
    out: &mut Vec<Alert>,
) {
    let d = &days[i];
    if d.events == 0 {
        let why = if d.file_errors.is_empty() {
            "no file and no events"
        } else {
            "its file could not be read"
        };
        out.push(
            Alert::on(Family::Pipeline, d, M::MissingDay, S::Critical)
                .value(0.0)
                .says(
                    format!("{}: the day is missing ({why}).", d.day),
                    "Re-export the day from the tracker and add it to the batch.",
                ),
        );
    }
    for e in &d.file_errors {
        out.push(
            Alert::on(Family::Pipeline, d, M::FileError, S::Critical)
                .value(1.0)
                .says(
                    e.clone(),
                    "Open the file: re-export it as UTF-8 CSV with the usual header.",
                ),
        );
    }
    if d.events == 0 {
        return;
    }
    data_quality(days, i, quality, out);
    let enough = hist.len() >= cfg.min_history_days;
    if d.revenue < cfg.min_daily_revenue {
        out.push(
            Alert::on(Family::Business, d, M::Revenue, S::Critical)
                .value(d.revenue)
                .threshold(cfg.min_daily_revenue)
                .says(
                    format!(
                        "{}: revenue {} is below the daily minimum of {}.",
                        d.day,
                        money(d.revenue),
                        money(cfg.min_daily_revenue)
                    ),
                    "Check checkout tracking and the shop; compare orders with the order system.",
                ),
        );
    } else if enough {
        anomaly(
            d,
            M::Revenue,
            d.revenue,
            hist.iter().map(|h| h.revenue),
            cfg,
            S::Critical,
            out,
        );
    }
    if enough {
        anomaly(
            d,
            M::Orders,
            d.orders as f64,
            hist.iter().map(|h| h.orders as f64),
            cfg,
            S::Warning,
            out,
        );
        anomaly(
            d,
            M::ConversionRate,
            d.conversion_rate,
            hist.iter().map(|h| h.conversion_rate),
            cfg,
            S::Warning,
            out,
        );
        shares(d, hist, cfg, out);
        let rows: Vec<f64> = hist.iter().map(|h| h.rows as f64).collect();
        if let Some(median) = median(&rows) {
            if (d.rows as f64) < cfg.low_volume_ratio * median {
                out.push(Alert::on(Family::Pipeline, d, M::Rows, S::Warning).value(d.rows as f64).threshold(cfg.low_volume_ratio * median).says(format!(
                        "{}: {} rows, under {:.0}% of the usual {median:.0}.",
                        d.day,
                        d.rows,
                        cfg.low_volume_ratio * 100.0
                    ), "Check that the export is complete (a cut-off file, a tracking outage)."));
            }
        }
    }
}

fn data_quality(days: &[DayMetrics], i: usize, cfg: &QualityConfig, out: &mut Vec<Alert>) {
    let d = &days[i];
    if d.null_client_rate > cfg.max_null_client_rate {
        out.push(Alert::on(Family::DataQuality, d, M::NullClientRate, S::Critical).value(d.null_client_rate).threshold(cfg.max_null_client_rate).says(format!("{}: {} of events have no client id (limit {}): sessions and attribution lose them.", d.day, pct(d.null_client_rate), pct(cfg.max_null_client_rate)), "Check the tag that sets the client id cookie (consent banner, a site release that day)."));
    }
    // Compare with the last earlier day that had data (a missing day has no header).
    let before: Vec<SchemaChange> = days[..i]
        .iter()
        .rev()
        .find(|p| p.files > 0)
        .map(|p| p.schema.clone())
        .unwrap_or_default();
    for change in d
        .schema
        .iter()
        .filter(|c| !before.contains(c) || matches!(c, SchemaChange::Missing(_)))
    {
        let (metric, severity, message, action) = match change {
            SchemaChange::Missing(col) => (
                M::ColumnMissing,
                S::Critical,
                format!(
                    "{}: the {} column is missing from the export.",
                    d.day,
                    col.as_str()
                ),
                "Restore the column in the tracker's export settings and re-export.",
            ),
            SchemaChange::Renamed { found, column } => (
                M::ColumnRenamed,
                S::Warning,
                format!(
                    "{}: column renamed ({found}->{}); mapped automatically.",
                    d.day,
                    column.as_str()
                ),
                "Confirm the rename was intended and update downstream jobs.",
            ),
        };
        let id = format!("{metric}:{}:{change}", d.day);
        let mut a = Alert::on(Family::DataQuality, d, metric, severity)
            .value(1.0)
            .says(message, action);
        a.id = id;
        out.push(a);
    }
    if d.duplicate_transactions > 0 {
        out.push(
            Alert::on(Family::DataQuality, d, M::DuplicateTransactions, S::Warning)
                .value(d.duplicate_transactions as f64)
                .threshold(0.0)
                .says(
                    format!(
                        "{}: {} {} a transaction id; excluded from revenue.",
                        d.day,
                        quantity(d.duplicate_transactions, "order"),
                        agree(d.duplicate_transactions, "reuses", "reuse")
                    ),
                    "Check the purchase tag for double firing (thank-you page reloads).",
                ),
        );
    }
    if d.quarantine_rate > cfg.max_quarantine_rate {
        out.push(
            Alert::on(Family::DataQuality, d, M::QuarantineRate, S::Warning)
                .value(d.quarantine_rate)
                .threshold(cfg.max_quarantine_rate)
                .says(
                    format!(
                        "{}: {} of rows were quarantined (limit {}).",
                        d.day,
                        pct(d.quarantine_rate),
                        pct(cfg.max_quarantine_rate)
                    ),
                    "Download quarantine.csv to see the reasons.",
                ),
        );
    }
}

fn anomaly(
    d: &DayMetrics,
    metric: M,
    x: f64,
    hist: impl Iterator<Item = f64>,
    cfg: &MonitorConfig,
    low: S,
    out: &mut Vec<Alert>,
) {
    let hist: Vec<f64> = hist.collect();
    let Some(median) = median(&hist) else {
        return;
    };
    let mad_scale = robust_z(x, &hist).map_or(0.0, |(_, _, scale)| scale);
    let scale = mad_scale.max(cfg.min_relative_spread * median.abs());
    if scale <= 0.0 {
        return;
    }
    let z = (x - median) / scale;
    let t = cfg.revenue_std_threshold;
    if z.abs() <= t {
        return;
    }
    let band = ((median - t * scale).max(0.0), median + t * scale);
    let (severity, direction) = if z < 0.0 {
        (low, "below")
    } else {
        (S::Info, "above")
    };
    let shown = |v: f64| {
        if metric == M::Revenue {
            money(v)
        } else if metric == M::ConversionRate {
            pct(v)
        } else {
            format!("{v:.0}")
        }
    };
    let message = format!(
        "{}: {metric} {} is {direction} the expected {}–{} (robust z {z:.1}).",
        d.day,
        shown(x),
        shown(band.0),
        shown(band.1)
    );
    out.push(Alert::on(Family::Business, d, metric, severity).value(x).threshold(t).expected(band).says(message, if z < 0.0 { "Check tracking first (checkout tag, consent), then campaigns and site changes that day." } else { "Confirm a campaign or promotion explains it." }));
}

fn shares(d: &DayMetrics, hist: &[&DayMetrics], cfg: &MonitorConfig, out: &mut Vec<Alert>) {
    let direct_hist: Vec<f64> = hist.iter().map(|h| h.direct_share).collect();
    if let Some(m) = median(&direct_hist) {
        if d.direct_share - m > cfg.direct_share_jump {
            out.push(Alert::on(Family::Pipeline, d, M::DirectShare, S::Warning).value(d.direct_share).threshold(m + cfg.direct_share_jump).expected((0.0, m + cfg.direct_share_jump)).says(format!("{}: Direct is {} of sessions, up from a usual {}: referrers were probably lost.", d.day, pct(d.direct_share), pct(m)), "Check that the referrer column is exported and the tag still reads document.referrer."));
        }
    }
    for (channel, &share) in &d.channel_shares {
        if channel == crate::config::channels::DIRECT {
            continue;
        }
        let h: Vec<f64> = hist
            .iter()
            .map(|h| h.channel_shares.get(channel).copied().unwrap_or(0.0))
            .collect();
        if let Some(m) = median(&h) {
            if (share - m).abs() > cfg.channel_share_change {
                out.push(
                    Alert::on(
                        Family::Business,
                        d,
                        M::ChannelShare(channel.clone()),
                        S::Warning,
                    )
                    .value(share)
                    .threshold(cfg.channel_share_change)
                    .expected((m - cfg.channel_share_change, m + cfg.channel_share_change))
                    .says(
                        format!(
                            "{}: {channel} is {} of sessions, usually {}.",
                            d.day,
                            pct(share),
                            pct(m)
                        ),
                        "Check campaign launches or pauses and the channel rules.",
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use crate::ingest::schema::Column;
    use crate::monitor::metrics::{empty, DayMetrics, SchemaChange};
    use crate::monitor::{alerts, AlertSeverity, MonitorConfig};

    /// `n` ordinary days from 2025-01-01, then `last` as the next day.
    fn series(n: usize, last: impl Fn(&mut DayMetrics)) -> Vec<DayMetrics> {
        let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let mut days: Vec<DayMetrics> = (0..=n)
            .map(|i| {
                let mut d = empty(start + chrono::Days::new(i as u64));
                d.files = 1;
                d.rows = 1000;
                d.accepted = 1000;
                d.events = 1000;
                d.sessions = 300;
                d.orders = 50;
                d.revenue = 50_000.0 + (i % 3) as f64 * 1000.0;
                d.conversion_rate = 0.04;
                d.direct_share = 0.2;
                d.channel_shares.insert("Paid Search".into(), 0.3);
                d
            })
            .collect();
        last(&mut days[n]);
        days
    }

    fn fired(days: &[DayMetrics], metric: &str) -> Option<AlertSeverity> {
        let last = days.last().unwrap().day;
        alerts(days, &crate::config::Config::default())
            .into_iter()
            .find(|a| a.day == last && a.metric == metric)
            .map(|a| a.severity)
    }

    #[test]
    fn null_client_rate_at_below_and_above_the_limit() {
        assert_eq!(
            fired(
                &series(8, |d| d.null_client_rate = 0.05),
                "null_client_rate"
            ),
            None
        );
        assert_eq!(
            fired(
                &series(8, |d| d.null_client_rate = 0.0499),
                "null_client_rate"
            ),
            None
        );
        assert_eq!(
            fired(
                &series(8, |d| d.null_client_rate = 0.0501),
                "null_client_rate"
            ),
            Some(AlertSeverity::Critical)
        );
    }

    #[test]
    fn minimum_daily_revenue() {
        assert_eq!(fired(&series(2, |d| d.revenue = 10_000.0), "revenue"), None);
        assert_eq!(
            fired(&series(2, |d| d.revenue = 10_000.01), "revenue"),
            None
        );
        assert_eq!(
            fired(&series(2, |d| d.revenue = 9_999.99), "revenue"),
            Some(AlertSeverity::Critical)
        );
    }

    #[test]
    fn quarantine_rate_and_duplicates() {
        let q = |rate: f64| fired(&series(2, |d| d.quarantine_rate = rate), "quarantine_rate");
        assert_eq!(
            (q(0.0099), q(0.01), q(0.0101)),
            (None, None, Some(AlertSeverity::Warning))
        );
        assert_eq!(
            fired(
                &series(2, |d| d.duplicate_transactions = 0),
                "duplicate_transactions"
            ),
            None
        );
        assert_eq!(
            fired(
                &series(2, |d| d.duplicate_transactions = 1),
                "duplicate_transactions"
            ),
            Some(AlertSeverity::Warning)
        );
    }

    #[test]
    fn schema_changes_missing_every_day_renamed_once() {
        let mut days = series(3, |d| {
            d.schema = vec![
                SchemaChange::Renamed {
                    found: "clientId".into(),
                    column: Column::ClientId,
                },
                SchemaChange::Missing(Column::Referrer),
            ]
        });
        days[2].schema = vec![
            SchemaChange::Renamed {
                found: "clientId".into(),
                column: Column::ClientId,
            },
            SchemaChange::Missing(Column::Referrer),
        ];
        let all = alerts(&days, &crate::config::Config::default());
        let on = |day: usize, metric: &str| {
            all.iter()
                .any(|a| a.day == days[day].day && a.metric == metric)
        };
        assert!(
            on(2, "column_renamed") && !on(3, "column_renamed"),
            "rename alerts on its first day only"
        );
        assert!(on(2, "column_missing") && on(3, "column_missing"));
    }

    #[test]
    fn revenue_anomaly_against_the_robust_band() {
        // History of 8 days: 50k, 51k, 52k repeating → median 51k, MAD 1k
        // (scaled 1,482.6), below the 15% floor (7,650): band 51k ± 2.5 × 7,650.
        let low = 51_000.0 - 2.5 * 7_650.0;
        assert_eq!(
            fired(&series(8, |d| d.revenue = low), "revenue"),
            None,
            "on the band edge"
        );
        assert_eq!(
            fired(&series(8, |d| d.revenue = low - 1.0), "revenue"),
            Some(AlertSeverity::Critical)
        );
        assert_eq!(
            fired(
                &series(8, |d| d.revenue = 51_000.0 + 2.5 * 7_650.0 + 1.0),
                "revenue"
            ),
            Some(AlertSeverity::Info)
        );
        // Six days of history are not enough.
        assert_eq!(
            fired(&series(6, |d| d.revenue = low - 1.0), "revenue"),
            None
        );
    }

    #[test]
    fn weekdays_are_compared_with_the_same_weekday_when_there_are_enough_weeks() {
        // Every 7th day sells 100k, the others about 51k; day 28 is such a day,
        // with four earlier same-weekday days (0, 7, 14, 21) at 100k.
        let mut days = series(28, |_| {});
        for (i, d) in days.iter_mut().enumerate() {
            if i % 7 == 0 {
                d.revenue = 100_000.0;
            }
        }
        let last = days[28].day;
        let severity = |cfg: &MonitorConfig| {
            let config = crate::config::Config {
                monitor: cfg.clone(),
                ..crate::config::Config::default()
            };
            alerts(&days, &config)
                .into_iter()
                .find(|a| a.day == last && a.metric == "revenue")
                .map(|a| a.severity)
        };
        assert_eq!(
            severity(&MonitorConfig::default()),
            None,
            "same weekday: as usual"
        );
        let all_days = MonitorConfig {
            same_weekday_weeks: 10,
            ..MonitorConfig::default()
        };
        assert_eq!(
            severity(&all_days),
            Some(AlertSeverity::Info),
            "against every day: far above"
        );
    }

    #[test]
    fn direct_share_channel_share_and_low_rows() {
        let direct = |share: f64| fired(&series(8, |d| d.direct_share = share), "direct_share");
        assert_eq!(
            (direct(0.35), direct(0.3501)),
            (None, Some(AlertSeverity::Warning))
        );
        let share = |s: f64| {
            fired(
                &series(8, |d| {
                    d.channel_shares.insert("Paid Search".into(), s);
                }),
                "channel_share:Paid Search",
            )
        };
        assert_eq!(
            (share(0.15), share(0.1499), share(0.4501)),
            (
                None,
                Some(AlertSeverity::Warning),
                Some(AlertSeverity::Warning)
            )
        );
        let rows = |n: u64| fired(&series(8, |d| d.rows = n), "rows");
        assert_eq!((rows(500), rows(499)), (None, Some(AlertSeverity::Warning)));
    }

    #[test]
    fn a_day_without_data_is_critical() {
        let days = series(3, |d| *d = empty(d.day));
        assert_eq!(fired(&days, "missing_day"), Some(AlertSeverity::Critical));
    }
}
