//! `--from`, `--to`, `--segment` and `--compare` end to end.

mod common;

use std::path::Path;

use common::{generate, puffy};
use serde_json::Value;

/// `--from`, `--to`, `--segment` and `--compare` on `run`, `report` and
/// `monitor`: the sliced tables are the whole run's rows of the slice's
/// sessions, `report.json` states the slice and the comparison, and bad
/// values exit 2 with a message naming them.
#[test]
fn periods_segments_and_comparisons() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("in");
    generate(&data, &[]);
    let (whole, part) = (dir.path().join("whole"), dir.path().join("part"));
    let d = data.to_str().unwrap();
    assert!(puffy(&["run", d, "--out", whole.to_str().unwrap()])
        .status
        .success());
    // The generator's 14 days start on 2025-02-23: the last 7 are 2 to 8 March.
    let flags = [
        "--from",
        "2025-03-02",
        "--to",
        "2025-03-08",
        "--segment",
        "device=mobile,tablet",
        "--segment",
        "visitor=returning",
        "--compare",
        "previous",
    ];
    let out = puffy(&[&["run", d, "--out", part.to_str().unwrap()][..], &flags].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |dir: &Path, name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    let mut kept = 0;
    let mut want = vec![read(&whole, "sessions.csv")
        .lines()
        .next()
        .unwrap()
        .to_string()];
    let text = read(&whole, "sessions.csv");
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    for (rec, line) in rows.records().zip(text.lines().skip(1)) {
        let rec = rec.unwrap();
        let (id, start, device) = (&rec[0], &rec[2], &rec[10]);
        if ("2025-03-02".."2025-03-09").contains(&&start[..10])
            && ["mobile", "tablet"].contains(&device)
            && !id.ends_with("#1")
        {
            want.push(line.to_string());
            kept += 1;
        }
    }
    assert!(kept > 0);
    assert_eq!(
        read(&part, "sessions.csv").lines().collect::<Vec<_>>(),
        want
    );
    let report: Value = serde_json::from_str(&read(&part, "report.json")).unwrap();
    assert_eq!(report["slice"]["from"], "2025-03-02");
    assert_eq!(
        report["slice"]["segment"]["device"],
        serde_json::json!(["mobile", "tablet"])
    );
    assert_eq!(report["summary"]["sessions"], kept);
    let c = &report["comparison"];
    assert_eq!(c["baseline"]["from"], "2025-02-23");
    assert_eq!(c["baseline"]["to"], "2025-03-01");
    let names: Vec<&str> = c["kpis"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "revenue",
            "orders",
            "aov",
            "sessions",
            "visitors",
            "conversion_rate",
            "bot_share",
            "quality_score"
        ]
    );
    let sessions = &c["kpis"][3];
    assert_eq!(sessions["value"], kept as f64);
    let (v, b) = (
        sessions["value"].as_f64().unwrap(),
        sessions["baseline"].as_f64().unwrap(),
    );
    assert_eq!(sessions["change"].as_f64().unwrap(), v - b);
    // The whole run has no slice and no comparison.
    let plain: Value = serde_json::from_str(&read(&whole, "report.json")).unwrap();
    assert!(plain.get("slice").is_none() && plain.get("comparison").is_none());

    // The HTML report says it is a slice and shows each KPI's baseline.
    let html = dir.path().join("slice.html");
    let out = puffy(&[&["report", d, "--html", html.to_str().unwrap()][..], &flags].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(html).unwrap();
    assert!(html.contains("This report is a slice of the batch: 2025-03-02 → 2025-03-08, mobile or tablet · returning visitors"));
    assert!(html.contains("compared with the previous 7 days (2025-02-23 → 2025-03-01)"));
    assert_eq!(html.matches("data-baseline=").count(), 8);

    // monitor: the period's alerts only.
    let out = puffy(&[&["monitor", d, "--json"][..], &flags[..4]].concat());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let days: Vec<&str> = json["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["day"].as_str().unwrap())
        .collect();
    assert_eq!(days.first(), Some(&"2025-03-02"));
    assert_eq!(days.len(), 7);

    for (bad, says) in [
        (vec!["--from", "2025-03-20"], "not a day of this batch"),
        (
            vec!["--from", "2025-03-05", "--to", "2025-03-01"],
            "is after",
        ),
        (vec!["--segment", "device=phone"], "unknown device"),
        (vec!["--segment", "colour=red"], "unknown key"),
        (vec!["--compare", "previous"], "not inside this batch"),
        (vec!["--compare", "lastyear"], "expected previous"),
    ] {
        for cmd in ["run", "report", "monitor"] {
            let mut args = vec![cmd, d];
            match cmd {
                "run" => args.extend(["--out", part.to_str().unwrap()]),
                "report" => args.extend(["--bundle", part.to_str().unwrap()]),
                _ => {}
            }
            args.extend(bad.iter());
            let out = puffy(&args);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{cmd} {bad:?}: {err}");
            assert!(err.contains(says), "{cmd} {bad:?}: {err}");
        }
    }
}
