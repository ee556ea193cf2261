//! The batch split by person, as the Spark job runs it, makes the tables
//! one reader makes. The batch-level steps (copies, reused transaction ids,
//! linked clients, partitioning) are written here from their rules, apart
//! from the engine; the engine's per-partition code does the rest.

use std::collections::HashMap;

use engine::config::Config;
use engine::ingest::ingest;
use engine::outputs::tables::{table, Table};
use engine::partition::{self, ChannelDays, InputRows, PartitionRow};
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

/// Sorted data rows of a CSV table (header apart), cut with the csv crate.
fn rows(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new().from_reader(bytes);
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let mut rows: Vec<Vec<String>> = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    rows.sort();
    (header, rows)
}

fn distributed(inputs: &[(String, Vec<u8>)], cfg: &Config, n: usize) -> HashMap<Table, Vec<u8>> {
    let read: Vec<InputRows> = inputs
        .iter()
        .map(|(name, bytes)| partition::read_input(name, bytes, &cfg.ingest))
        .collect();
    // Global file indices: inputs in order, a ZIP's members within.
    let mut names = Vec::new();
    let mut rows = Vec::new();
    for input in &read {
        let offset = names.len() as u32;
        names.extend(input.files.iter().map(|f| f.name.clone()));
        rows.extend(input.rows.iter().cloned().map(|mut r| {
            r.file += offset;
            r
        }));
    }
    // Exact copies: the first by (file, line) stays.
    rows.sort_by_key(|r| (r.file, r.line));
    let mut seen = std::collections::HashSet::new();
    rows.retain(|r| seen.insert(r.record.clone()));
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
    let datasets: Vec<_> = partitions
        .into_iter()
        .map(|p| partition::dataset(&names, p).unwrap())
        .collect();
    // Pass 1: Markov counts, added up.
    let mut markov: Option<engine::attribution::markov::Transitions> = None;
    for (ds, x) in &datasets {
        let run = partition::run(ds, cfg, x.clone(), None).unwrap();
        match &mut markov {
            Some(m) => m.merge(&run.attribution.transitions).unwrap(),
            None => markov = Some(run.attribution.transitions),
        }
    }
    // Pass 2: the tables.
    let mut out: HashMap<Table, Vec<u8>> = HashMap::new();
    let mut events: Vec<((i64, u32, u32), Vec<u8>)> = Vec::new();
    let mut days = ChannelDays::default();
    for (ds, x) in &datasets {
        let run = partition::run(ds, cfg, x.clone(), markov.clone()).unwrap();
        let t = partition::tables(ds, &run);
        for (table, rows) in [
            (Table::Sessions, &t.sessions),
            (Table::Conversions, &t.conversions),
            (Table::Attribution, &t.attribution),
            (Table::UserJourneys, &t.journeys),
        ] {
            let body = out.entry(table).or_default();
            (0..rows.len()).for_each(|i| body.extend_from_slice(rows.get(i)));
        }
        events.extend((0..t.events.len()).map(|i| (t.event_keys[i], t.events.get(i).to_vec())));
        days.add_bytes(&t.channel_days.to_bytes()).unwrap();
    }
    events.sort();
    let body = out.entry(Table::EventsEnriched).or_default();
    for (i, (_, row)) in events.iter().enumerate() {
        body.extend_from_slice(format!("{},", i + 1).as_bytes());
        body.extend_from_slice(row);
    }
    out.insert(Table::ChannelSummary, partition::channel_summary(&days));
    out.insert(Table::Quarantine, partition::quarantine(read));
    out
}

fn check(inputs: Vec<(String, Vec<u8>)>, cfg: &Config) {
    let ds = ingest(inputs.iter().map(|(n, b)| (n.as_str(), b.as_slice())));
    let run = engine::pipeline::run(&ds, cfg).unwrap();
    let whole: HashMap<Table, Vec<u8>> = Table::ALL
        .into_iter()
        .map(|t| (t, table(&ds, &run, t)))
        .collect();
    for n in [1, 4] {
        let parts = distributed(&inputs, cfg, n);
        for t in Table::ALL {
            let (header, expected) = rows(&whole[&t]);
            let body = &parts[&t];
            let got = if matches!(t, Table::ChannelSummary | Table::Quarantine) {
                rows(body)
            } else {
                let mut all = header.join(",").into_bytes();
                all.push(b'\n');
                all.extend_from_slice(body);
                rows(&all)
            };
            assert_eq!(got.0, header, "{}", t.file_name());
            assert_eq!(
                got.1.len(),
                expected.len(),
                "{} with {n} partitions",
                t.file_name()
            );
            assert!(
                got.1 == expected,
                "{} with {n} partitions differs",
                t.file_name()
            );
        }
        // Events are numbered as one reader numbers them: byte for byte.
        let mut events = whole[&Table::EventsEnriched].clone();
        let header_end = events.iter().position(|&b| b == b'\n').unwrap() + 1;
        events.drain(..header_end);
        assert!(
            parts[&Table::EventsEnriched] == events,
            "events_enriched.csv with {n} partitions"
        );
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
    let mut inputs = batch(&SynthConfig {
        days: 5,
        events_per_day: 800,
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
