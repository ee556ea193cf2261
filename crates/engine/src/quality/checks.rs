//! The individual data-quality checks behind [`crate::quality::audit`].
//! Each pushes [`Finding`]s; thresholds come from [`QualityConfig`].

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rustc_hash::FxHashSet;

use crate::hashing::KeyedMap;
use crate::ingest::schema::Column;
use crate::ingest::{Dataset, FileReport, QuarantinedRow, Reason};
use crate::model::{format_ts, EventKind};
use crate::quality::tally::{EventTally, ItemsIssue, Samples, Tally};
use crate::quality::{
    revenue, Category, DuplicateTransaction, Finding, LineRef, OrderRef, QualityConfig, Severity,
};
use crate::units::{agree, money, pct, quantity, round4};

pub(crate) const MAX_SAMPLES: usize = 20;

pub(crate) fn finding(
    check: &str,
    category: Category,
    severity: Severity,
    message: String,
) -> Finding {
    Finding {
        check: check.to_string(),
        category,
        severity,
        day: None,
        days: Vec::new(),
        files: Vec::new(),
        count: 0,
        value: None,
        samples: Vec::new(),
        message,
    }
}

pub(crate) fn with_days(mut f: Finding, mut days: Vec<NaiveDate>) -> Finding {
    crate::sorting::sort(&mut days);
    days.dedup();
    f.day = days.first().copied();
    f.days = days;
    f
}

/// Orders whose `transaction_id` was already used by an earlier order.
pub struct TxnDuplicates {
    /// Indices into `Dataset::events` of the excluded copies.
    pub excluded: FxHashSet<usize>,
    /// One entry per reused id.
    pub list: Vec<DuplicateTransaction>,
}

/// Finds reused transaction ids; the earliest order (by time, then file and
/// line) counts, the others are excluded.
pub fn transaction_duplicates(ds: &Dataset) -> TxnDuplicates {
    let orders = ds
        .events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == EventKind::CheckoutCompleted)
        .map(|(i, e)| (i, ds.orders[e.payload as usize].transaction_id));
    let order_ref = |i: usize| {
        let e = &ds.events[i];
        OrderRef {
            file: ds.files[e.file as usize].name.clone(),
            line: u64::from(e.line),
            client_id: ds.strings.get(e.client).to_string(),
            timestamp: format_ts(e.ts),
            revenue: revenue(ds, e.payload),
        }
    };
    let txn = |i: usize| {
        let e = &ds.events[i];
        ds.strings
            .get(ds.orders[e.payload as usize].transaction_id)
            .to_string()
    };
    reused_transactions(orders, txn, order_ref)
}

/// Reused transaction ids among orders given in the order of events, as
/// (position, transaction id): the earliest of each id counts, the others
/// are excluded. `txn` and `order_ref` describe the order at a position.
pub fn reused_transactions<T: Eq + std::hash::Hash>(
    orders: impl Iterator<Item = (usize, T)>,
    txn: impl Fn(usize) -> String,
    order_ref: impl Fn(usize) -> OrderRef,
) -> TxnDuplicates {
    let mut first: KeyedMap<T, usize> = KeyedMap::default();
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, id) in orders {
        match first.get(&id) {
            Some(&k) => groups.entry(k).or_default().push(i),
            None => {
                first.insert(id, i);
            }
        }
    }
    let mut excluded = FxHashSet::default();
    let mut list = Vec::new();
    for (kept, copies) in groups {
        excluded.extend(copies.iter().copied());
        let copies: Vec<OrderRef> = copies.into_iter().map(&order_ref).collect();
        list.push(DuplicateTransaction {
            transaction_id: txn(kept),
            occurrences: copies.len() as u64 + 1,
            excluded_revenue: copies.iter().map(|c| c.revenue).sum(),
            kept: order_ref(kept),
            excluded: copies,
        });
    }
    TxnDuplicates { excluded, list }
}

/// Unreadable files and header drift: renamed, missing and extra columns.
pub fn schema(files: &[FileReport], out: &mut Vec<Finding>) {
    let mut renamed: BTreeMap<(String, Column), Vec<usize>> = BTreeMap::new();
    let mut missing: BTreeMap<Column, Vec<usize>> = BTreeMap::new();
    let mut extra: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, f) in files.iter().enumerate() {
        if let Some(err) = &f.error {
            let mut x = finding(
                "file_unreadable",
                Category::Schema,
                Severity::Error,
                err.clone(),
            );
            x.files = vec![f.name.clone()];
            x.count = 1;
            out.push(with_days(x, f.day.into_iter().collect()));
            continue;
        }
        for (found, c) in &f.header.renamed {
            renamed.entry((found.clone(), *c)).or_default().push(i);
        }
        for c in &f.header.missing {
            missing.entry(*c).or_default().push(i);
        }
        for name in &f.header.extra {
            extra.entry(name.clone()).or_default().push(i);
        }
    }
    let files_and_days = |idx: &[usize]| {
        let names: Vec<String> = idx.iter().map(|&i| files[i].name.clone()).collect();
        let days: Vec<NaiveDate> = idx.iter().filter_map(|&i| files[i].day).collect();
        (names, days)
    };
    for ((found, col), idx) in renamed {
        let (files, days) = files_and_days(&idx);
        let from = days
            .iter()
            .min()
            .map_or_else(|| files[0].clone(), |d| d.to_string());
        let msg = format!(
            "From {from}, {} arrives as \"{found}\" ({}); mapped back automatically.",
            col.as_str(),
            quantity(files.len() as u64, "file")
        );
        let mut x = finding("column_renamed", Category::Schema, Severity::Warning, msg);
        x.count = files.len() as u64;
        x.files = files;
        out.push(with_days(x, days));
    }
    for (col, idx) in missing {
        let (files, days) = files_and_days(&idx);
        let impact = match col {
            Column::Referrer => "traffic on those days can only be classed as Direct",
            Column::ClientId => "those events cannot be joined into sessions",
            Column::UserAgent => "bots and devices cannot be recognised",
            Column::PageUrl => "landing pages and campaigns are unknown",
            _ => "those values are empty",
        };
        let msg = format!(
            "{} is missing from {}: {impact}.",
            col.as_str(),
            quantity(files.len() as u64, "file")
        );
        let mut x = finding("column_missing", Category::Schema, Severity::Error, msg);
        x.count = files.len() as u64;
        x.files = files;
        out.push(with_days(x, days));
    }
    for (name, idx) in extra {
        let (files, days) = files_and_days(&idx);
        let msg = format!(
            "Unexpected column \"{name}\" in {}; ignored.",
            quantity(files.len() as u64, "file")
        );
        let mut x = finding("column_extra", Category::Schema, Severity::Info, msg);
        x.count = files.len() as u64;
        x.files = files;
        out.push(with_days(x, days));
    }
}

/// Null rates per file and column against thresholds; orders without a client.
pub fn completeness(
    files: &[FileReport],
    null_samples: &BTreeMap<(u32, Column), Samples>,
    cfg: &QualityConfig,
    out: &mut Vec<Finding>,
) {
    let limits = [
        (
            Column::ClientId,
            cfg.max_null_client_rate,
            Severity::Error,
            "cannot be tied to a visitor",
        ),
        (
            Column::PageUrl,
            cfg.max_null_page_url_rate,
            Severity::Warning,
            "have no page",
        ),
        (
            Column::UserAgent,
            cfg.max_null_user_agent_rate,
            Severity::Warning,
            "have no browser",
        ),
    ];
    for (i, f) in files.iter().enumerate() {
        if f.error.is_some() || f.accepted == 0 {
            continue;
        }
        for (col, limit, severity, what) in limits {
            if !f.header.has(col) {
                continue;
            }
            let nulls = f.nulls[col.index()];
            let rate = nulls as f64 / f.accepted as f64;
            if rate > limit {
                let day = f.day.map_or_else(|| f.name.clone(), |d| d.to_string());
                let msg = format!(
                    "{day}: {} of events ({nulls}) have no {}; they {what} (limit {}).",
                    pct(rate),
                    col.as_str(),
                    pct(limit)
                );
                let mut x = finding("null_rate", Category::Completeness, severity, msg);
                x.files = vec![f.name.clone()];
                x.count = nulls;
                x.value = Some(round4(rate));
                x.samples = null_samples
                    .get(&(i as u32, col))
                    .map(|s| s.lines(files))
                    .unwrap_or_default();
                out.push(with_days(x, f.day.into_iter().collect()));
            }
        }
    }
}

/// Reused transaction ids and events delivered twice.
pub fn uniqueness(files: &[FileReport], dups: &[DuplicateTransaction], out: &mut Vec<Finding>) {
    if !dups.is_empty() {
        let total: f64 = dups.iter().map(|d| d.excluded_revenue).sum();
        // The copies in the order of events: time (ISO-8601 text of one
        // width in 2000-2099), file, line.
        let position = |name: &str| files.iter().position(|f| f.name == name);
        let mut copies: Vec<&OrderRef> = dups.iter().flat_map(|d| &d.excluded).collect();
        crate::sorting::sort_by_cached_key(&mut copies, |c| {
            (c.timestamp.clone(), position(&c.file), c.line)
        });
        let n = copies.len() as u64;
        let msg = format!(
            "{} {} an earlier transaction id; counting them would add {} of revenue. The earliest of each is kept.",
            quantity(n, "order"),
            agree(n, "reuses", "reuse"),
            money(total)
        );
        let mut x = finding(
            "duplicate_transaction",
            Category::Uniqueness,
            Severity::Error,
            msg,
        );
        x.count = n;
        x.value = Some(total);
        x.samples = copies
            .iter()
            .take(MAX_SAMPLES)
            .map(|c| LineRef {
                file: c.file.clone(),
                line: c.line,
            })
            .collect();
        let mut names: Vec<String> = copies.iter().map(|c| c.file.clone()).collect();
        crate::sorting::sort(&mut names);
        names.dedup();
        x.files = names;
        let days = copies
            .iter()
            .filter_map(|c| c.timestamp.get(..10).and_then(|d| d.parse().ok()))
            .collect();
        out.push(with_days(x, days));
    }
    for f in files.iter().filter(|f| f.duplicates > 0) {
        let sources: Vec<&str> = f
            .duplicate_of
            .iter()
            .map(|(s, _)| files.get(*s as usize).map_or("", |f| f.name.as_str()))
            .collect();
        let msg = format!(
            "{} repeats {} already loaded from {}; each is counted once.",
            f.name,
            quantity(f.duplicates, "event"),
            sources.join(", ")
        );
        let mut x = finding(
            "duplicate_events",
            Category::Uniqueness,
            Severity::Warning,
            msg,
        );
        x.files = vec![f.name.clone()];
        x.count = f.duplicates;
        out.push(with_days(x, f.day.into_iter().collect()));
    }
}

/// A reason's phrase for one row: "have …" → "has …", "are orders …" →
/// "is an order …".
fn singular(what: &str) -> String {
    let (verb, rest) = what.split_once(' ').unwrap_or((what, ""));
    let verb = match verb {
        "have" => "has",
        "are" => "is",
        "contain" => "contains",
        other => other,
    };
    match rest.strip_prefix("orders ") {
        Some(rest) => format!("{verb} an order {rest}"),
        None => format!("{verb} {rest}"),
    }
}

fn reason_message(reason: Reason) -> (&'static str, Severity) {
    match reason {
        Reason::WrongFieldCount => ("have the wrong number of fields", Severity::Warning),
        Reason::TruncatedRow => ("are cut off at the end of the file", Severity::Warning),
        Reason::InvalidUtf8 => ("contain unreadable characters", Severity::Warning),
        Reason::BadTimestamp => ("have a timestamp that cannot be read", Severity::Warning),
        Reason::UnknownEvent => ("have an unknown event name", Severity::Warning),
        Reason::InvalidOrderJson => ("are orders whose data is not valid JSON", Severity::Error),
        Reason::OrderWithoutTransactionId => {
            ("are orders without a transaction id", Severity::Error)
        }
        Reason::OrderWithoutRevenue => ("are orders without revenue", Severity::Error),
        Reason::NegativeRevenue => ("are orders with negative revenue", Severity::Error),
        Reason::NonFiniteRevenue => ("are orders whose revenue is not a number", Severity::Error),
        Reason::RevenueAboveCap => (
            "are orders above the per-order revenue cap (not summed)",
            Severity::Error,
        ),
        Reason::BatchRevenueLimit => (
            "are orders past the most revenue a batch can hold (not summed)",
            Severity::Error,
        ),
        Reason::TimestampOutOfRange => (
            "have a timestamp before 2000 or after 2099",
            Severity::Warning,
        ),
        Reason::RowTooLong => ("are longer than any real export row", Severity::Warning),
    }
}

/// Quarantined rows by reason, timestamps outside their file's day, bad
/// popup data, null item fields and revenue that does not match its items.
pub fn validity(
    files: &[FileReport],
    quarantine: &[QuarantinedRow],
    t: &EventTally,
    cfg: &QualityConfig,
    out: &mut Vec<Finding>,
) {
    let mut by_reason: BTreeMap<Reason, Vec<usize>> = BTreeMap::new();
    for (i, q) in quarantine.iter().enumerate() {
        by_reason.entry(q.reason).or_default().push(i);
    }
    for (reason, idx) in by_reason {
        let (what, severity) = reason_message(reason);
        let msg = if idx.len() == 1 {
            format!(
                "1 row {}; it was set aside in the quarantine.",
                singular(what)
            )
        } else {
            format!(
                "{} {what}; they were set aside in the quarantine.",
                quantity(idx.len() as u64, "row")
            )
        };
        let mut x = finding(reason.as_str(), Category::Validity, severity, msg);
        x.count = idx.len() as u64;
        let mut in_files: Vec<u32> = idx.iter().map(|&i| quarantine[i].file).collect();
        in_files.dedup();
        x.files = in_files
            .iter()
            .map(|&f| files[f as usize].name.clone())
            .collect();
        for &i in idx.iter().take(MAX_SAMPLES) {
            x.samples.push(LineRef {
                file: files[quarantine[i].file as usize].name.clone(),
                line: quarantine[i].line,
            });
        }
        out.push(with_days(
            x,
            in_files
                .iter()
                .filter_map(|&f| files[f as usize].day)
                .collect(),
        ));
    }
    for f in files {
        let rate = if f.rows == 0 {
            0.0
        } else {
            f.quarantined as f64 / f.rows as f64
        };
        if rate > cfg.max_quarantine_rate {
            let msg = format!(
                "{}: {} of rows were quarantined (limit {}).",
                f.name,
                pct(rate),
                pct(cfg.max_quarantine_rate)
            );
            let mut x = finding("quarantine_rate", Category::Validity, Severity::Error, msg);
            x.files = vec![f.name.clone()];
            x.count = f.quarantined;
            x.value = Some(round4(rate));
            out.push(with_days(x, f.day.into_iter().collect()));
        }
        let (count, lines) = &f.invalid_event_data;
        if *count > 0 {
            let msg = format!(
                "{}: {} {} unreadable data; kept without an email.",
                f.name,
                quantity(*count, "popup email event"),
                agree(*count, "carries", "carry")
            );
            let mut x = finding(
                "invalid_event_data",
                Category::Validity,
                Severity::Warning,
                msg,
            );
            x.files = vec![f.name.clone()];
            x.count = *count;
            x.samples = lines
                .iter()
                .map(|&l| LineRef {
                    file: f.name.clone(),
                    line: l,
                })
                .collect();
            out.push(with_days(x, f.day.into_iter().collect()));
        }
    }
    outside_file_day(files, &t.outside_file_day, out);
    items(files, &t.items, out);
}

fn outside_file_day(files: &[FileReport], per_file: &BTreeMap<u32, Tally>, out: &mut Vec<Finding>) {
    for (file, t) in per_file {
        let f = &files[*file as usize];
        let count = t.count;
        let msg = format!(
            "{}: {} {} stamped outside the file's day; they count on the day of their timestamp.",
            f.name,
            quantity(count, "event"),
            agree(count, "is", "are")
        );
        let mut x = finding(
            "timestamp_outside_file_day",
            Category::Validity,
            Severity::Warning,
            msg,
        );
        x.files = vec![f.name.clone()];
        x.count = count;
        x.samples = t.samples.lines(files);
        out.push(with_days(x, f.day.into_iter().collect()));
    }
}

fn items(files: &[FileReport], tallies: &[Tally; 3], out: &mut Vec<Finding>) {
    let orders_have = |n: u64| format!("{} {}", quantity(n, "order"), agree(n, "has", "have"));
    for (issue, check, severity, what) in [
        (ItemsIssue::Null, "item_fields_null", Severity::Info, "line items with an empty price, quantity or id; order revenue is still used."),
        (ItemsIssue::Mismatch, "revenue_item_mismatch", Severity::Warning, "a revenue different from the sum of the items (price × quantity); revenue is taken as the truth."),
        (ItemsIssue::Implausible, "item_values_implausible", Severity::Warning, "line items with a negative price or quantity, more than 10,000 units or an absurd price; they are left out of the item check and order revenue is still used."),
    ] {
        let t = &tallies[issue as usize];
        if t.count > 0 {
            let mut x = finding(check, Category::Validity, severity, format!("{} {what}", orders_have(t.count)));
            x.count = t.count;
            x.samples = t.samples.lines(files);
            out.push(with_days(x, t.days.iter().copied().collect()));
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn one_quarantined_row_reads_as_english() {
        use super::{reason_message, singular};
        use crate::ingest::Reason;
        let one = |r| singular(reason_message(r).0);
        assert_eq!(
            one(Reason::BadTimestamp),
            "has a timestamp that cannot be read"
        );
        assert_eq!(
            one(Reason::TruncatedRow),
            "is cut off at the end of the file"
        );
        assert_eq!(one(Reason::InvalidUtf8), "contains unreadable characters");
        assert_eq!(
            one(Reason::RevenueAboveCap),
            "is an order above the per-order revenue cap (not summed)"
        );
        assert_eq!(
            one(Reason::InvalidOrderJson),
            "is an order whose data is not valid JSON"
        );
    }
}
