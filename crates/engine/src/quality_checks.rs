//! The individual data-quality checks behind [`crate::quality::audit`].
//! Each pushes [`Finding`]s; thresholds come from [`QualityConfig`].

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::config::SiteConfig;
use crate::enrich::UserAgents;
use crate::ingest::{Dataset, Reason};
use crate::model::{format_ts, EventKind, NONE};
use crate::quality::{
    event_day, revenue, round4, Category, DuplicateTransaction, Finding, LineRef, OrderRef,
    QualityConfig, Severity,
};
use crate::schema::Column;

const MAX_SAMPLES: usize = 20;

fn finding(check: &str, category: Category, severity: Severity, message: String) -> Finding {
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

fn with_days(mut f: Finding, mut days: Vec<NaiveDate>) -> Finding {
    days.sort();
    days.dedup();
    f.day = days.first().copied();
    f.days = days;
    f
}

fn line_ref(ds: &Dataset, file: u16, line: u64) -> LineRef {
    LineRef {
        file: ds.files[file as usize].name.clone(),
        line,
    }
}

fn push_sample(samples: &mut Vec<LineRef>, r: LineRef) {
    if samples.len() < MAX_SAMPLES {
        samples.push(r);
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// Money for messages: `$1,524.00`.
pub fn money(x: f64) -> String {
    let cents = (x * 100.0).round() as i64;
    let whole = (cents.abs() / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}${grouped}.{:02}", cents.abs() % 100)
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
    let mut first: FxHashMap<u32, usize> = FxHashMap::default();
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, e) in ds.events.iter().enumerate() {
        if e.kind != EventKind::CheckoutCompleted {
            continue;
        }
        let txn = ds.orders[e.payload as usize].transaction_id;
        match first.get(&txn) {
            Some(&k) => groups.entry(k).or_default().push(i),
            None => {
                first.insert(txn, i);
            }
        }
    }
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
    let mut excluded = FxHashSet::default();
    let mut list = Vec::new();
    for (kept, copies) in groups {
        excluded.extend(copies.iter().copied());
        let copies: Vec<OrderRef> = copies.into_iter().map(order_ref).collect();
        let txn = ds.orders[ds.events[kept].payload as usize].transaction_id;
        list.push(DuplicateTransaction {
            transaction_id: ds.strings.get(txn).to_string(),
            occurrences: copies.len() as u64 + 1,
            excluded_revenue: copies.iter().map(|c| c.revenue).sum(),
            kept: order_ref(kept),
            excluded: copies,
        });
    }
    TxnDuplicates { excluded, list }
}

/// Unreadable files and header drift: renamed, missing and extra columns.
pub fn schema(ds: &Dataset, out: &mut Vec<Finding>) {
    let mut renamed: BTreeMap<(String, Column), Vec<usize>> = BTreeMap::new();
    let mut missing: BTreeMap<Column, Vec<usize>> = BTreeMap::new();
    let mut extra: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, f) in ds.files.iter().enumerate() {
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
        let files: Vec<String> = idx.iter().map(|&i| ds.files[i].name.clone()).collect();
        let days: Vec<NaiveDate> = idx.iter().filter_map(|&i| ds.files[i].day).collect();
        (files, days)
    };
    for ((found, col), idx) in renamed {
        let (files, days) = files_and_days(&idx);
        let from = days
            .iter()
            .min()
            .map_or_else(|| files[0].clone(), |d| d.to_string());
        let msg = format!(
            "From {from}, {} arrives as \"{found}\" ({} file(s)); mapped back automatically.",
            col.as_str(),
            files.len()
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
            "{} is missing from {} file(s): {impact}.",
            col.as_str(),
            files.len()
        );
        let mut x = finding("column_missing", Category::Schema, Severity::Error, msg);
        x.count = files.len() as u64;
        x.files = files;
        out.push(with_days(x, days));
    }
    for (name, idx) in extra {
        let (files, days) = files_and_days(&idx);
        let msg = format!(
            "Unexpected column \"{name}\" in {} file(s); ignored.",
            files.len()
        );
        let mut x = finding("column_extra", Category::Schema, Severity::Info, msg);
        x.count = files.len() as u64;
        x.files = files;
        out.push(with_days(x, days));
    }
}

/// Null rates per file and column against thresholds; orders without a client.
pub fn completeness(ds: &Dataset, cfg: &QualityConfig, out: &mut Vec<Finding>) {
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
    let mut samples: FxHashMap<(u16, Column), Vec<LineRef>> = FxHashMap::default();
    for e in &ds.events {
        for (col, sym) in [
            (Column::ClientId, e.client),
            (Column::PageUrl, e.page_url),
            (Column::UserAgent, e.user_agent),
        ] {
            if sym == NONE && ds.files[e.file as usize].header.has(col) {
                push_sample(
                    samples.entry((e.file, col)).or_default(),
                    line_ref(ds, e.file, e.line.into()),
                );
            }
        }
    }
    for (i, f) in ds.files.iter().enumerate() {
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
                x.samples = samples.remove(&(i as u16, col)).unwrap_or_default();
                out.push(with_days(x, f.day.into_iter().collect()));
            }
        }
    }
}

/// Reused transaction ids and events delivered twice.
pub fn uniqueness(ds: &Dataset, dups: &TxnDuplicates, out: &mut Vec<Finding>) {
    if !dups.list.is_empty() {
        let total: f64 = dups.list.iter().map(|d| d.excluded_revenue).sum();
        let mut idx: Vec<usize> = dups.excluded.iter().copied().collect();
        idx.sort_unstable();
        let msg = format!(
            "{} order(s) reuse an earlier transaction id; counting them would add {} of revenue. The earliest of each is kept.",
            idx.len(),
            money(total)
        );
        let mut x = finding(
            "duplicate_transaction",
            Category::Uniqueness,
            Severity::Error,
            msg,
        );
        x.count = idx.len() as u64;
        x.value = Some(total);
        for &i in &idx {
            let e = &ds.events[i];
            push_sample(&mut x.samples, line_ref(ds, e.file, e.line.into()));
        }
        let mut files: Vec<String> = idx
            .iter()
            .map(|&i| ds.files[ds.events[i].file as usize].name.clone())
            .collect();
        files.sort();
        files.dedup();
        x.files = files;
        out.push(with_days(
            x,
            idx.iter().map(|&i| event_day(ds.events[i].ts)).collect(),
        ));
    }
    for f in ds.files.iter().filter(|f| f.duplicates > 0) {
        let sources: Vec<&str> = f
            .duplicate_of
            .iter()
            .map(|(s, _)| ds.files[*s as usize].name.as_str())
            .collect();
        let msg = format!(
            "{} repeats {} event(s) already loaded from {}; each is counted once.",
            f.name,
            f.duplicates,
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
    }
}

/// Quarantined rows by reason, timestamps outside their file's day, bad
/// popup data, null item fields and revenue that does not match its items.
pub fn validity(ds: &Dataset, dups: &TxnDuplicates, cfg: &QualityConfig, out: &mut Vec<Finding>) {
    let mut by_reason: BTreeMap<Reason, Vec<usize>> = BTreeMap::new();
    for (i, q) in ds.quarantine.iter().enumerate() {
        by_reason.entry(q.reason).or_default().push(i);
    }
    for (reason, idx) in by_reason {
        let (what, severity) = reason_message(reason);
        let msg = format!(
            "{} row(s) {what}; they were set aside in the quarantine.",
            idx.len()
        );
        let mut x = finding(reason.as_str(), Category::Validity, severity, msg);
        x.count = idx.len() as u64;
        let mut files: Vec<u16> = idx.iter().map(|&i| ds.quarantine[i].file).collect();
        files.dedup();
        x.files = files
            .iter()
            .map(|&f| ds.files[f as usize].name.clone())
            .collect();
        for &i in &idx {
            push_sample(
                &mut x.samples,
                line_ref(ds, ds.quarantine[i].file, ds.quarantine[i].line),
            );
        }
        out.push(with_days(
            x,
            files
                .iter()
                .filter_map(|&f| ds.files[f as usize].day)
                .collect(),
        ));
    }
    for f in &ds.files {
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
                "{}: {count} popup email event(s) carry unreadable data; kept without an email.",
                f.name
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
    outside_file_day(ds, out);
    items(ds, dups, cfg, out);
}

fn outside_file_day(ds: &Dataset, out: &mut Vec<Finding>) {
    let mut per_file: BTreeMap<u16, (u64, Vec<LineRef>)> = BTreeMap::new();
    for e in &ds.events {
        let Some(day) = ds.files[e.file as usize].day else {
            continue;
        };
        if event_day(e.ts) != day {
            let entry = per_file.entry(e.file).or_default();
            entry.0 += 1;
            push_sample(&mut entry.1, line_ref(ds, e.file, e.line.into()));
        }
    }
    for (file, (count, samples)) in per_file {
        let f = &ds.files[file as usize];
        let msg = format!(
            "{}: {count} event(s) are stamped outside the file's day; they count on the day of their timestamp.",
            f.name
        );
        let mut x = finding(
            "timestamp_outside_file_day",
            Category::Validity,
            Severity::Warning,
            msg,
        );
        x.files = vec![f.name.clone()];
        x.count = count;
        x.samples = samples;
        out.push(with_days(x, f.day.into_iter().collect()));
    }
}

fn items(ds: &Dataset, dups: &TxnDuplicates, cfg: &QualityConfig, out: &mut Vec<Finding>) {
    let (mut null_x, mut mismatch_x) = (
        finding(
            "item_fields_null",
            Category::Validity,
            Severity::Info,
            String::new(),
        ),
        finding(
            "revenue_item_mismatch",
            Category::Validity,
            Severity::Warning,
            String::new(),
        ),
    );
    let (mut null_days, mut mismatch_days) = (Vec::new(), Vec::new());
    for (i, e) in ds.events.iter().enumerate() {
        if e.kind != EventKind::CheckoutCompleted || dups.excluded.contains(&i) {
            continue;
        }
        let order = &ds.orders[e.payload as usize];
        let (total, has_null) = order.items_total_cents();
        let (x, days) = if has_null {
            (&mut null_x, &mut null_days)
        } else if (total - order.revenue_cents).abs() as f64 > cfg.revenue_tolerance * 100.0 {
            (&mut mismatch_x, &mut mismatch_days)
        } else {
            continue;
        };
        x.count += 1;
        push_sample(&mut x.samples, line_ref(ds, e.file, e.line.into()));
        days.push(event_day(e.ts));
    }
    if null_x.count > 0 {
        null_x.message = format!(
            "{} order(s) have line items with an empty price, quantity or id; order revenue is still used.",
            null_x.count
        );
        out.push(with_days(null_x, null_days));
    }
    if mismatch_x.count > 0 {
        mismatch_x.message = format!(
            "{} order(s) have a revenue different from the sum of their items (price × quantity); revenue is taken as the truth.",
            mismatch_x.count
        );
        out.push(with_days(mismatch_x, mismatch_days));
    }
}

/// Distinct events per UTC day.
pub fn events_by_day(ds: &Dataset) -> BTreeMap<NaiveDate, u64> {
    let mut out = BTreeMap::new();
    for e in &ds.events {
        *out.entry(event_day(e.ts)).or_insert(0) += 1;
    }
    out
}

/// Every day of the batch: from the first to the last day named by a file
/// (or, without dated file names, seen in events), gaps included.
pub fn batch_days(ds: &Dataset, events_by_day: &BTreeMap<NaiveDate, u64>) -> Vec<NaiveDate> {
    let named: Vec<NaiveDate> = ds.files.iter().filter_map(|f| f.day).collect();
    let (lo, hi) = match (named.iter().min(), named.iter().max()) {
        (Some(&lo), Some(&hi)) => (lo, hi),
        _ => match (
            events_by_day.keys().next(),
            events_by_day.keys().next_back(),
        ) {
            (Some(&lo), Some(&hi)) => (lo, hi),
            _ => return Vec::new(),
        },
    };
    lo.iter_days().take_while(|d| *d <= hi).collect()
}

/// The median of a list of counts (0 when empty).
pub fn median(values: impl Iterator<Item = u64>) -> f64 {
    let mut v: Vec<u64> = values.collect();
    if v.is_empty() {
        return 0.0;
    }
    v.sort_unstable();
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2] as f64
    } else {
        (v[n / 2 - 1] + v[n / 2]) as f64 / 2.0
    }
}

/// Missing days and days far from the batch median.
pub fn volume(
    days: &[NaiveDate],
    by_day: &BTreeMap<NaiveDate, u64>,
    cfg: &QualityConfig,
    out: &mut Vec<Finding>,
) {
    let count = |d: &NaiveDate| by_day.get(d).copied().unwrap_or(0);
    let median = median(days.iter().map(count).filter(|&n| n > 0));
    for day in days {
        let n = count(day);
        let (check, severity, msg) = if n == 0 {
            (
                "missing_day",
                Severity::Error,
                format!("{day}: no events at all; the day is missing from the batch."),
            )
        } else if (n as f64) < cfg.volume_low_ratio * median {
            (
                "volume_low",
                Severity::Warning,
                format!(
                    "{day}: only {n} events, {} of the usual {median:.0}.",
                    pct(n as f64 / median)
                ),
            )
        } else if (n as f64) > cfg.volume_high_ratio * median {
            (
                "volume_high",
                Severity::Warning,
                format!(
                    "{day}: {n} events, {} of the usual {median:.0}.",
                    pct(n as f64 / median)
                ),
            )
        } else {
            continue;
        };
        let mut x = finding(check, Category::Volume, severity, msg);
        x.count = n;
        x.value = Some(median);
        out.push(with_days(x, vec![*day]));
    }
}

/// Bot traffic overall (info) and days above the bot-share limit (warning).
/// Returns the number of bot events.
pub fn bots(
    ds: &Dataset,
    uas: &UserAgents,
    by_day: &BTreeMap<NaiveDate, u64>,
    cfg: &QualityConfig,
    out: &mut Vec<Finding>,
) -> u64 {
    let mut per_day: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    let mut samples = Vec::new();
    for e in ds.events.iter().filter(|e| uas.is_bot(e.user_agent)) {
        *per_day.entry(event_day(e.ts)).or_insert(0) += 1;
        push_sample(&mut samples, line_ref(ds, e.file, e.line.into()));
    }
    let total: u64 = per_day.values().sum();
    if total == 0 {
        return 0;
    }
    let share = total as f64 / ds.events.len() as f64;
    let msg = format!("{} of events ({total}) come from bots, crawlers and headless browsers; they are left out of sessions and attribution.", pct(share));
    let mut x = finding("bot_traffic", Category::Bots, Severity::Info, msg);
    x.count = total;
    x.value = Some(round4(share));
    x.samples = samples;
    out.push(with_days(x, per_day.keys().copied().collect()));
    for (day, n) in per_day {
        let share = n as f64 / by_day.get(&day).copied().unwrap_or(n).max(1) as f64;
        if share > cfg.max_bot_share {
            let msg = format!(
                "{day}: {} of events come from bots (limit {}).",
                pct(share),
                pct(cfg.max_bot_share)
            );
            let mut x = finding("bot_share", Category::Bots, Severity::Warning, msg);
            x.count = n;
            x.value = Some(round4(share));
            out.push(with_days(x, vec![day]));
        }
    }
    total
}

/// Orders whose client has no earlier event; orders without a client id;
/// clients seen on the checkout host but never on the shop.
pub fn consistency(ds: &Dataset, dups: &TxnDuplicates, site: &SiteConfig, out: &mut Vec<Finding>) {
    let mut first_seen: FxHashMap<u32, i64> = FxHashMap::default();
    let mut hosts: FxHashMap<u32, (bool, bool)> = FxHashMap::default();
    let mut shop_clients: FxHashSet<u32> = FxHashSet::default();
    let mut checkout_only: FxHashMap<u32, (u16, u32)> = FxHashMap::default();
    let (mut orphan, mut no_client) = (
        finding(
            "order_without_prior_event",
            Category::Consistency,
            Severity::Warning,
            String::new(),
        ),
        finding(
            "order_without_client_id",
            Category::Completeness,
            Severity::Warning,
            String::new(),
        ),
    );
    let (mut orphan_days, mut no_client_days, mut no_client_revenue) =
        (Vec::new(), Vec::new(), 0.0);
    for (i, e) in ds.events.iter().enumerate() {
        let is_order = e.kind == EventKind::CheckoutCompleted && !dups.excluded.contains(&i);
        if e.client == NONE {
            if is_order {
                no_client.count += 1;
                no_client_revenue += revenue(ds, e.payload);
                push_sample(&mut no_client.samples, line_ref(ds, e.file, e.line.into()));
                no_client_days.push(event_day(e.ts));
            }
            continue;
        }
        // Events are time-ordered, so the first one seen is the earliest.
        let first = *first_seen.entry(e.client).or_insert(e.ts);
        if is_order && first >= e.ts {
            orphan.count += 1;
            push_sample(&mut orphan.samples, line_ref(ds, e.file, e.line.into()));
            orphan_days.push(event_day(e.ts));
        }
        let (shop, checkout) = *hosts
            .entry(e.page_url)
            .or_insert_with(|| host_kind(ds.strings.get(e.page_url), site));
        if shop {
            shop_clients.insert(e.client);
        } else if checkout {
            checkout_only.entry(e.client).or_insert((e.file, e.line));
        }
    }
    if orphan.count > 0 {
        orphan.message = format!("{} order(s) come from a client with no earlier event: the visit that led to them was not tracked.", orphan.count);
        out.push(with_days(orphan, orphan_days));
    }
    if no_client.count > 0 {
        no_client.message = format!(
            "{} order(s) worth {} have no client id and cannot be attributed to a channel.",
            no_client.count,
            money(no_client_revenue)
        );
        no_client.value = Some(no_client_revenue);
        out.push(with_days(no_client, no_client_days));
    }
    let mut lost: Vec<(u16, u32)> = checkout_only
        .into_iter()
        .filter(|(c, _)| !shop_clients.contains(c))
        .map(|(_, at)| at)
        .collect();
    if !lost.is_empty() {
        lost.sort_unstable();
        let msg = format!("{} client(s) appear on the checkout host but never on the shop: their shop visits were not tracked.", lost.len());
        let mut x = finding(
            "checkout_without_shop_event",
            Category::Consistency,
            Severity::Warning,
            msg,
        );
        x.count = lost.len() as u64;
        x.samples = lost
            .iter()
            .take(MAX_SAMPLES)
            .map(|&(f, l)| line_ref(ds, f, l.into()))
            .collect();
        out.push(x);
    }
}

/// (is shop host, is checkout host) of a URL.
fn host_kind(url: &str, site: &SiteConfig) -> (bool, bool) {
    match url::Url::parse(url)
        .ok()
        .as_ref()
        .and_then(|u| u.host_str())
    {
        Some(h) => (site.is_shop(h), site.is_checkout(h)),
        None => (false, false),
    }
}

/// Per-day counts the score needs.
#[derive(Debug, Default, Clone, Copy)]
pub struct DayCounts {
    /// Orders that count.
    pub orders: u64,
    /// Orders excluded as duplicate transactions.
    pub duplicate_orders: u64,
    /// Events stamped on the day whose file names another day.
    pub outside_file_day: u64,
}

/// [`DayCounts`] for every day with events, in one pass.
pub fn day_counts(ds: &Dataset, dups: &TxnDuplicates) -> BTreeMap<NaiveDate, DayCounts> {
    let mut out: BTreeMap<NaiveDate, DayCounts> = BTreeMap::new();
    for (i, e) in ds.events.iter().enumerate() {
        let day = event_day(e.ts);
        let c = out.entry(day).or_default();
        if e.kind == EventKind::CheckoutCompleted {
            if dups.excluded.contains(&i) {
                c.duplicate_orders += 1;
            } else {
                c.orders += 1;
            }
        }
        if ds.files[e.file as usize].day.is_some_and(|d| d != day) {
            c.outside_file_day += 1;
        }
    }
    out
}
