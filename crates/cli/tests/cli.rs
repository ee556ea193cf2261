//! The `puffy` binary end to end: generate a batch, audit it, and compare
//! the JSON with the generator's own record of what it injected.

mod common;

use std::path::Path;
use std::process::Command;

use common::{generate, generate_sized, puffy};
use serde_json::Value;

/// Every file `puffy run` writes.
const OUTPUTS: [&str; 8] = [
    "events_enriched.csv",
    "sessions.csv",
    "conversions.csv",
    "attribution.csv",
    "channel_summary.csv",
    "user_journeys.csv",
    "quarantine.csv",
    "report.json",
];

fn check_json(dir: &Path) -> (i32, Value) {
    let out = puffy(&["check", dir.to_str().unwrap(), "--json"]);
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), json)
}

#[test]
fn check_reports_exactly_the_injected_quirks() {
    let dir = tempfile::tempdir().unwrap();
    let truth = generate(dir.path(), &[]);
    let (code, report) = check_json(dir.path());
    assert_eq!(code, 1, "error findings exit 1");
    let files = report["files"].as_array().unwrap();
    let truth_files = truth["files"].as_array().unwrap();
    assert_eq!(files.len(), truth_files.len());
    for (f, t) in files.iter().zip(truth_files) {
        assert_eq!(f["name"], t["name"]);
        assert_eq!(f["rows"], t["rows"]);
        assert_eq!(
            f["quarantined"].as_u64().unwrap(),
            t["bad_rows"].as_array().unwrap().len() as u64
        );
        let renamed = f["renamed"].as_object().unwrap();
        assert_eq!(
            renamed.get("clientId").is_some(),
            t["renamed_client_id"].as_bool().unwrap()
        );
        let missing_ref = f["missing"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m == "referrer");
        assert_eq!(missing_ref, t["referrer_missing"].as_bool().unwrap());
    }
    let mut dups: Vec<(String, f64)> = report["duplicate_transactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["transaction_id"].as_str().unwrap().to_string(),
                d["excluded_revenue"].as_f64().unwrap(),
            )
        })
        .collect();
    let mut want: Vec<(String, f64)> = truth["duplicate_transactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["transaction_id"].as_str().unwrap().to_string(),
                d["excluded_revenue"].as_f64().unwrap(),
            )
        })
        .collect();
    dups.sort_by(|a, b| a.0.cmp(&b.0));
    want.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(dups, want);
    assert_eq!(report["bot_events"], truth["bot_events"]);
    let errors: std::collections::BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["check"].as_str().unwrap())
        .collect();
    assert_eq!(
        errors,
        [
            "column_missing",
            "duplicate_transaction",
            "invalid_order_json",
            "null_rate"
        ]
        .into()
    );
    assert_eq!(report["score_by_day"].as_object().unwrap().len(), 14);
}

#[test]
fn clean_data_exits_zero_and_missing_paths_exit_two() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), &["--clean"]);
    let (code, report) = check_json(dir.path());
    let errors: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .collect();
    assert_eq!((code, errors.len()), (0, 0), "{errors:?}");
    let out = puffy(&["check", "/nonexistent/folder"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("/nonexistent/folder: no such file or folder"));
}

#[test]
fn inspect_lists_rows_and_columns() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events_20250223.csv");
    std::fs::write(
        &file,
        "\u{feff}client_id,timestamp\r\na,2025-02-23T00:00:00Z\r\nb,2025-02-23T00:00:01Z\r\n",
    )
    .unwrap();
    let out = puffy(&["inspect", file.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\t2 rows\tclient_id,timestamp"), "{text}");
}

/// Two runs write the same bytes, though each process hashes text under a
/// random seed of its own (`engine::hashing`).
#[test]
fn run_writes_every_table_and_a_balanced_report_deterministically() {
    let data = tempfile::tempdir().unwrap();
    let truth = generate(data.path(), &[]);
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for out in [a.path(), b.path()] {
        let res = puffy(&[
            "run",
            data.path().to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(
            res.status.success(),
            "{}",
            String::from_utf8_lossy(&res.stderr)
        );
    }
    for name in OUTPUTS {
        let (x, y) = (
            std::fs::read(a.path().join(name)).unwrap(),
            std::fs::read(b.path().join(name)).unwrap(),
        );
        assert!(x == y, "{name} differs between two runs");
    }
    let report: Value =
        serde_json::from_slice(&std::fs::read(a.path().join("report.json")).unwrap()).unwrap();
    let rec = &report["reconciliation"];
    for flag in ["events_balanced", "orders_balanced", "revenue_balanced"] {
        assert_eq!(rec[flag], true, "{flag}: {rec}");
    }
    assert_eq!(report["summary"]["orders"], truth["orders"]);
    // conversions.csv has one row per order; attribution.csv sums to revenue per model.
    let conversions = std::fs::read_to_string(a.path().join("conversions.csv")).unwrap();
    assert_eq!(
        conversions.lines().count() as u64 - 1,
        truth["orders"].as_u64().unwrap()
    );
    let attribution = std::fs::read_to_string(a.path().join("attribution.csv")).unwrap();
    let mut per_model: std::collections::BTreeMap<String, f64> = Default::default();
    for line in attribution.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        *per_model.entry(f[1].to_string()).or_default() += f[4].parse::<f64>().unwrap();
    }
    let revenue = report["summary"]["revenue"].as_f64().unwrap();
    assert_eq!(per_model.len(), 7);
    for (model, total) in per_model {
        assert!(
            (total - revenue).abs() < 0.005,
            "{model}: {total} vs {revenue}"
        );
    }
    assert_eq!(report["quality"]["bot_events"], truth["bot_events"]);
}

#[test]
fn monitor_exit_codes_day_filter_and_json_shape() {
    let dir = tempfile::tempdir().unwrap();
    // Full-size days: a few orders a day would be below the revenue minimum.
    generate_sized(dir.path(), "3500", &["--clean"]);
    let path = dir.path().to_str().unwrap();
    // Clean data: no critical alert.
    let out = puffy(&["monitor", path, "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["metrics"].as_array().unwrap().len(), 14);
    // A settings file that makes every day's revenue too low: critical, exit 1.
    let toml = dir.path().join("puffy.toml");
    std::fs::write(&toml, "[monitor]\nmin_daily_revenue = 1e12\n").unwrap();
    let out = puffy(&[
        "monitor",
        path,
        "--json",
        "--config",
        toml.to_str().unwrap(),
        "--day",
        "2025-03-01",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let alerts = json["alerts"].as_array().unwrap();
    assert!(!alerts.is_empty());
    for a in alerts {
        assert_eq!(a["day"], "2025-03-01");
        for key in ["day", "metric", "severity", "value", "threshold", "message"] {
            assert!(a.get(key).is_some(), "{key} in {a}");
        }
    }
    assert!(alerts
        .iter()
        .any(|a| a["metric"] == "revenue" && a["severity"] == "critical"));
    // Without --day, the fourteen low-revenue days are one incident, printed
    // first with its span, before the per-day detail.
    let out = puffy(&["monitor", path, "--config", toml.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[1].starts_with("CRITICAL 2025-02-23 → 2025-03-08  revenue"),
        "{text}"
    );
    let per_day = lines.iter().position(|l| *l == "Per day:").unwrap();
    assert!(per_day > 1);
    let out = puffy(&[
        "monitor",
        path,
        "--json",
        "--config",
        toml.to_str().unwrap(),
    ]);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let revenue: Vec<&Value> = json["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "revenue")
        .collect();
    assert_eq!(revenue.len(), 1);
    assert_eq!(
        (
            &revenue[0]["first_day"],
            &revenue[0]["last_day"],
            &revenue[0]["days"],
            &revenue[0]["severity"]
        ),
        (
            &Value::from("2025-02-23"),
            &Value::from("2025-03-08"),
            &Value::from(14),
            &Value::from("critical")
        )
    );
    // A day outside the batch, or a bad settings file, cannot run: exit 2.
    assert_eq!(
        puffy(&["monitor", path, "--day", "2024-01-01"])
            .status
            .code(),
        Some(2)
    );
    std::fs::write(&toml, "[monitor]\nno_such_key = 1\n").unwrap();
    assert_eq!(
        puffy(&["monitor", path, "--config", toml.to_str().unwrap()])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn the_example_settings_file_is_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), &["--clean"]);
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../../puffy.example.toml");
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let path = dir.path().to_str().unwrap();
    assert!(puffy(&["run", path, "--out", a.path().to_str().unwrap()])
        .status
        .success());
    assert!(puffy(&[
        "run",
        path,
        "--out",
        b.path().to_str().unwrap(),
        "--config",
        example
    ])
    .status
    .success());
    assert_eq!(
        std::fs::read(a.path().join("report.json")).unwrap(),
        std::fs::read(b.path().join("report.json")).unwrap()
    );
}

#[test]
fn html_report_is_self_contained_escaped_and_carries_the_report_numbers() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), &[]);
    // A file whose bad row carries markup in its URL and user agent.
    let evil = "client_id,page_url,referrer,timestamp,event_name,event_data,user_agent\n\
        a,https://puffy.com/?q=<script>alert(1)</script>,,not-a-time,page_viewed,,<img src=x onerror=alert(2)>\n";
    std::fs::write(dir.path().join("events_20250309.csv"), evil).unwrap();
    let out = tempfile::tempdir().unwrap();
    let html_path = out.path().join("report.html");
    let path = dir.path().to_str().unwrap();
    let res = puffy(&["report", path, "--html", html_path.to_str().unwrap()]);
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    assert!(puffy(&["run", path, "--out", out.path().to_str().unwrap()])
        .status
        .success());
    let html = std::fs::read_to_string(&html_path).unwrap();
    let report: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("report.json")).unwrap()).unwrap();
    assert!(
        !html.to_lowercase().contains("<script"),
        "no script element"
    );
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "markup in data is escaped"
    );
    assert!(!html.contains("<img"), "no injected element");
    for bad in [
        "src=\"http",
        "href=\"http",
        "url(http",
        "@import",
        "<link",
        "<iframe",
    ] {
        assert!(!html.contains(bad), "no external resource: {bad}");
    }
    assert!(html.matches("<svg").count() >= 3, "charts are inline SVG");
    for key in [
        "revenue",
        "orders",
        "aov",
        "sessions",
        "visitors",
        "conversion_rate",
        "bot_share",
        "quality_score",
    ] {
        let marker = format!("data-kpi=\"{key}\" data-value=\"");
        let start = html.find(&marker).unwrap_or_else(|| panic!("KPI {key}")) + marker.len();
        let value: f64 = html[start..].split('"').next().unwrap().parse().unwrap();
        assert_eq!(value, report["summary"][key].as_f64().unwrap(), "{key}");
    }
    assert!(html.len() < 2_000_000, "under 2 MB: {}", html.len());
}

#[test]
fn a_zip_of_the_batch_gives_the_same_tables_and_bad_members_are_named() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), &["--clean"]);
    let mut names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    names.sort();
    let zipped = tempfile::tempdir().unwrap();
    let archive = zipped.path().join("batch.zip");
    let mut w = zip::ZipWriter::new(std::fs::File::create(&archive).unwrap());
    let deflate = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    // In reverse order and in a folder: members are read sorted by name.
    for p in names.iter().rev() {
        let name = format!("export/{}", p.file_name().unwrap().to_str().unwrap());
        w.start_file(name, deflate).unwrap();
        w.write_all(&std::fs::read(p).unwrap()).unwrap();
    }
    w.start_file("export/notes.txt", deflate).unwrap();
    w.write_all(b"not an export").unwrap();
    w.finish().unwrap();

    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let run = |input: &Path, out: &Path| {
        let o = puffy(&[
            "run",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    run(dir.path(), a.path());
    run(&archive, b.path());
    for table in [
        "events_enriched.csv",
        "sessions.csv",
        "conversions.csv",
        "attribution.csv",
        "quarantine.csv",
    ] {
        assert!(
            std::fs::read(a.path().join(table)).unwrap()
                == std::fs::read(b.path().join(table)).unwrap(),
            "{table} differs between the folder and its zip"
        );
    }

    // A zip that holds only an unreadable member: named, archive and member.
    let bad = zipped.path().join("bad.zip");
    let mut w = zip::ZipWriter::new(std::fs::File::create(&bad).unwrap());
    w.start_file("events_20250223.csv", deflate).unwrap();
    w.write_all(b"").unwrap();
    w.finish().unwrap();
    let out = puffy(&["check", bad.to_str().unwrap(), "--json"]);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["files"][0]["error"],
        "bad.zip/events_20250223.csv: the file is empty"
    );
}

#[test]
fn an_invalid_revenue_cap_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), &["--clean"]);
    let cfg = dir.path().join("bad.toml");
    std::fs::write(&cfg, "[ingest]\nmax_order_revenue = -5\n").unwrap();
    let out = puffy(&[
        "check",
        dir.path().to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("invalid configuration: the order revenue cap must be above 0 and at most 1000000000 (got -5)"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Files read on several threads and merged, and outputs written on
/// several threads, give the same bytes as one thread: every table and
/// report.json, with a day dropped twice (so
/// duplicates cross the threads' runs), on the tidy and the real-shaped
/// profile, with copies.
#[test]
fn reading_on_threads_writes_the_same_bytes_as_one_thread() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    generate(&data, &["--real-shape", "--copies", "2"]);
    std::fs::remove_file(data.join("truth.json")).unwrap();
    std::fs::copy(
        data.join("events_20250224.csv"),
        data.join("events_20250307_again.csv"),
    )
    .unwrap();
    let run = |threads: &str| {
        let out = dir.path().join(format!("out-{threads}"));
        let status = Command::new(env!("CARGO_BIN_EXE_puffy"))
            .args([
                "run",
                data.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ])
            .env("PUFFY_THREADS", threads)
            .status()
            .unwrap();
        assert!(status.success());
        out
    };
    let one = run("1");
    let report: Value =
        serde_json::from_slice(&std::fs::read(one.join("report.json")).unwrap()).unwrap();
    assert!(report["quality"]["duplicate_events"].as_u64().unwrap() > 0);
    for threads in ["2", "3", "7"] {
        let many = run(threads);
        for name in OUTPUTS {
            assert!(
                std::fs::read(one.join(name)).unwrap() == std::fs::read(many.join(name)).unwrap(),
                "{name} differs with {threads} threads"
            );
        }
    }
}
