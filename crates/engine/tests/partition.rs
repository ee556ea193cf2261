//! The batch split by person, as the Spark job runs it, makes the tables
//! one reader makes. The batch-level steps (copies, reused transaction ids,
//! linked clients, partitioning) are written here from their rules, apart
//! from the engine; the engine's per-partition code does the rest.

use std::collections::HashMap;

use engine::config::Config;
use engine::ingest::ingest;
use engine::outputs::tables::{table, Table};
use engine::partition::{self, ChannelDays, InputRows, PartitionRow};
use engine::pipeline::{run_with, Given};
use engine::synth::{generate, SynthConfig};

/// Union-find over client ids.
fn find(parent: &mut HashMap<String, String>, c: &str) -> String {
    let p = parent.get(c).cloned().unwrap_or_else(|| c.to_string());
    if p == c {
        return p;
    }
    let root = find(parent, &p);
    parent.insert(c.to_string(), root.clone());
    root
}

fn distributed(
    inputs: &[(String, Vec<u8>)],
    cfg: &Config,
    n: usize,
) -> (HashMap<Table, Vec<u8>>, Vec<u8>) {
    let read: Vec<InputRows> = inputs
        .iter()
        .map(|(name, bytes)| partition::read_input(name, bytes, cfg))
        .collect();
    // Global file indices: inputs in order, a ZIP's members within.
    let files = partition::batch_files(&read);
    let mut offset = 0u32;
    let mut rows = Vec::new();
    for input in &read {
        rows.extend(input.rows.iter().cloned().map(|mut r| {
            r.file += offset;
            r
        }));
        offset += input.files.len() as u32;
    }
    // Exact copies: the first by (file, line) stays; each copy is counted
    // on its file, with the file of its first copy.
    rows.sort_by_key(|r| (r.file, r.line));
    let mut first_file: HashMap<Vec<u8>, u32> = HashMap::new();
    let mut copies: HashMap<(u32, u32), (u64, u32)> = HashMap::new();
    rows.retain(|r| match first_file.get(&r.record) {
        Some(&first) => {
            let c = copies.entry((r.file, first)).or_insert((0, r.line));
            c.0 += 1;
            c.1 = c.1.min(r.line);
            false
        }
        None => {
            first_file.insert(r.record.clone(), r.file);
            true
        }
    });
    // Reused transaction ids: the earliest by (time, file, line) counts.
    let mut first: HashMap<&str, (i64, u32, u32)> = HashMap::new();
    for r in rows.iter().filter(|r| !r.transaction_id.is_empty()) {
        let key = (r.ts, r.file, r.line);
        let e = first.entry(&r.transaction_id).or_insert(key);
        *e = (*e).min(key);
    }
    let excluded: Vec<bool> = rows
        .iter()
        .map(|r| {
            !r.transaction_id.is_empty()
                && first[r.transaction_id.as_str()] != (r.ts, r.file, r.line)
        })
        .collect();
    let mut uses: HashMap<&str, u32> = HashMap::new();
    for r in rows.iter().filter(|r| !r.transaction_id.is_empty()) {
        *uses.entry(&r.transaction_id).or_default() += 1;
    }
    let reused: Vec<partition::OrderRow> = rows
        .iter()
        .filter(|r| uses.get(r.transaction_id.as_str()).is_some_and(|&n| n > 1))
        .map(|r| partition::OrderRow {
            ts: r.ts,
            file: r.file,
            line: r.line,
            client: r.client.clone(),
            transaction_id: r.transaction_id.clone(),
            revenue_cents: r.revenue_cents,
        })
        .collect();
    // Persons: clients sharing an email hash.
    let mut parent: HashMap<String, String> = HashMap::new();
    let mut by_email: HashMap<&str, &str> = HashMap::new();
    for r in rows
        .iter()
        .filter(|r| !r.client.is_empty() && !r.email.is_empty())
    {
        if let Some(other) = by_email.insert(&r.email, &r.client) {
            let (a, b) = (find(&mut parent, other), find(&mut parent, &r.client));
            if a != b {
                let (root, child) = if a < b { (a, b) } else { (b, a) };
                parent.insert(child, root);
            }
        }
    }
    let mut partitions: Vec<Vec<PartitionRow>> = vec![Vec::new(); n];
    for (r, &x) in rows.iter().zip(&excluded) {
        let person = find(&mut parent, &r.client);
        let key = if r.client.is_empty() {
            format!("{}:{}", r.file, r.line)
        } else {
            person
        };
        let h = key
            .bytes()
            .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
        partitions[(h % n as u64) as usize].push(PartitionRow {
            file: r.file,
            line: r.line,
            record: &r.record,
            excluded: x,
        });
    }
    // Referrers are judged on their counts over the whole batch.
    let mut counts: HashMap<&str, (partition::ReferrerCounts, std::collections::HashSet<&str>)> =
        HashMap::new();
    for r in rows.iter().filter(|r| !r.referrer_source.is_empty()) {
        let (c, clients) = counts.entry(&r.referrer_source).or_default();
        if !r.checkout_page {
            c.other_events += 1;
        } else if !r.client.is_empty() {
            clients.insert(&r.client);
        }
    }
    let providers = partition::payment_providers(
        cfg,
        counts.into_iter().map(|(source, (mut c, clients))| {
            c.checkout_clients = clients.len() as u64;
            (source, c)
        }),
    );
    let given = |excluded: &rustc_hash::FxHashSet<usize>, markov| Given {
        excluded: Some(excluded.clone()),
        markov,
        payment_providers: Some(providers.clone()),
    };
    let datasets: Vec<_> = partitions
        .into_iter()
        .map(|p| partition::dataset(&files, p).unwrap())
        .collect();
    // Pass 1: Markov counts, added up.
    let mut markov: Option<engine::attribution::markov::Transitions> = None;
    for (ds, x) in &datasets {
        let run = run_with(ds, cfg, given(x, None)).unwrap();
        match &mut markov {
            Some(m) => m.merge(&run.attribution.transitions).unwrap(),
            None => markov = Some(run.attribution.transitions),
        }
    }
    // Pass 2: the tables, each row in its key's place.
    let mut keyed: HashMap<Table, Vec<(partition::Key, Vec<u8>)>> = HashMap::new();
    let mut days = ChannelDays::default();
    let mut tally = engine::summary::RunTally::default();
    for (ds, x) in &datasets {
        let run = run_with(ds, cfg, given(x, markov.clone())).unwrap();
        let t = partition::tables(ds, &run);
        for (table, part) in [
            (Table::EventsEnriched, &t.events),
            (Table::Sessions, &t.sessions),
            (Table::Conversions, &t.conversions),
            (Table::Attribution, &t.attribution),
            (Table::UserJourneys, &t.journeys),
        ] {
            assert_eq!(part.keys.len(), part.rows.len(), "{}", table.file_name());
            let rows = keyed.entry(table).or_default();
            rows.extend((0..part.rows.len()).map(|i| (part.keys[i], part.rows.get(i).to_vec())));
        }
        days.add_bytes(&t.channel_days.to_bytes()).unwrap();
        tally.merge(&t.tally);
    }
    let mut out: HashMap<Table, Vec<u8>> = HashMap::new();
    for (table, mut rows) in keyed {
        rows.sort_by_key(|(k, _)| *k);
        let mut body = engine::outputs::tables::header(table);
        for (i, (_, row)) in rows.iter().enumerate() {
            if table == Table::EventsEnriched {
                body.extend_from_slice(format!("{},", i + 1).as_bytes());
            }
            body.extend_from_slice(row);
        }
        out.insert(table, body);
    }
    out.insert(Table::ChannelSummary, partition::channel_summary(&days));
    out.insert(Table::Quarantine, partition::quarantine(read.clone()));
    let copies = copies
        .into_iter()
        .map(|((file, first), (n, line))| (file, first, n, line))
        .collect();
    let report = partition::report(read, copies, reused, &tally, markov.as_ref().unwrap(), cfg);
    (out, serde_json::to_vec_pretty(&report).unwrap())
}

fn check(inputs: Vec<(String, Vec<u8>)>, cfg: &Config) {
    let ds = ingest(inputs.iter().map(|(n, b)| (n.as_str(), b.as_slice())));
    let run = engine::pipeline::run(&ds, cfg).unwrap();
    for n in [1, 4] {
        let (parts, report) = distributed(&inputs, cfg, n);
        let whole_report = serde_json::to_vec_pretty(&engine::report::report(&ds, &run)).unwrap();
        if report != whole_report {
            let (a, b) = (
                String::from_utf8_lossy(&whole_report),
                String::from_utf8_lossy(&report),
            );
            let diff = a
                .lines()
                .zip(b.lines())
                .enumerate()
                .find(|(_, (x, y))| x != y);
            panic!("report.json with {n} partitions differs at line {diff:?}");
        }
        for t in Table::ALL {
            let whole = table(&ds, &run, t);
            assert!(
                t == Table::Quarantine || whole.iter().filter(|&&b| b == b'\n').count() > 1,
                "{} has rows",
                t.file_name()
            );
            // Byte for byte; on a difference, the first differing row.
            if parts[&t] != whole {
                let (a, b) = (
                    String::from_utf8_lossy(&whole),
                    String::from_utf8_lossy(&parts[&t]),
                );
                let diff = a.lines().zip(b.lines()).find(|(x, y)| x != y);
                panic!("{} with {n} partitions differs: {diff:?}", t.file_name());
            }
        }
    }
}

fn batch(cfg: &SynthConfig) -> Vec<(String, Vec<u8>)> {
    generate(cfg)
        .0
        .into_iter()
        .map(|f| (f.name, f.bytes))
        .collect()
}

#[test]
fn partitions_by_person_make_the_tables_of_one_reader() {
    // Ten days: the generator's null spike (day 7) and renamed column
    // (day 4) are in.
    let mut inputs = batch(&SynthConfig {
        days: 10,
        events_per_day: 500,
        ..SynthConfig::default()
    });
    // The same export delivered twice: every row of the copy is an exact copy.
    let again = inputs[1].clone();
    inputs.push((format!("z_{}", again.0), again.1));
    check(inputs.clone(), &Config::default());
    let mut stitched = Config::default();
    stitched.attribution.stitch_identities = !stitched.attribution.stitch_identities;
    check(inputs, &stitched);
}

/// Which of `n` partitions the job's rule here sends a client to.
fn partition_of(client: &str, n: usize) -> usize {
    let h = client
        .bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    (h % n as u64) as usize
}

#[test]
fn referrers_are_judged_over_the_whole_batch_not_per_partition() {
    // pay.example sends two shoppers back to checkout and nowhere else: a
    // payment provider, though each partition sees one shopper. mixed.example
    // sends one shopper to checkout and another to the shop: not one, though
    // the first shopper's partition sees checkout referrals only.
    let (a, b, c, d) = ("alice", "bob", "carol", "dave");
    assert_ne!(partition_of(a, 4), partition_of(b, 4));
    assert_ne!(partition_of(c, 4), partition_of(d, 4));
    let ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 Safari/537.36";
    let mut csv =
        String::from("client_id,page_url,referrer,timestamp,event_name,event_data,user_agent\n");
    let mut row = |client: &str, page: &str, referrer: &str, ts: &str, event: &str, data: &str| {
        csv.push_str(&format!(
            "{client},{page},{referrer},2025-02-23T{ts}Z,{event},\"{data}\",\"{ua}\"\n"
        ));
    };
    for (i, client) in [a, b, c, d].into_iter().enumerate() {
        let order = format!("{{\"\"transaction_id\"\":\"\"T{i}\"\",\"\"revenue\"\":10}}");
        row(
            client,
            "https://puffy.com/?utm_source=google&utm_medium=cpc",
            "https://www.google.com/",
            &format!("1{i}:00:00"),
            "page_viewed",
            "",
        );
        row(
            client,
            "https://checkout.puffy.com/c/1",
            "https://puffy.com/",
            &format!("1{i}:01:00"),
            "checkout_started",
            "",
        );
        let back = if i < 2 {
            "https://pay.example/x"
        } else {
            "https://mixed.example/x"
        };
        row(
            client,
            "https://checkout.puffy.com/c/1/thank-you",
            back,
            &format!("1{i}:02:00"),
            "checkout_completed",
            &order,
        );
    }
    row(
        d,
        "https://puffy.com/products/bed",
        "https://mixed.example/blog",
        "18:00:00",
        "page_viewed",
        "",
    );
    check(
        vec![("events_20250223.csv".to_string(), csv.into_bytes())],
        &Config::default(),
    );
}

#[test]
fn real_shaped_batch_too() {
    let cfg = SynthConfig {
        days: 3,
        events_per_day: 1500,
        real_shape: true,
        ..SynthConfig::default()
    };
    check(batch(&cfg), &Config::default());
}
