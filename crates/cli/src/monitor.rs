//! `puffy monitor FILES_OR_DIRS... [--json] [--config puffy.toml] [--day YYYY-MM-DD]
//! [--from D --to D --segment KEY=VALUE]`:
//! incidents first (alerts of one kind on consecutive days, one line each
//! with their span), then every alert by day, worst first. Exit 0: no critical alert; 1: a critical alert;
//! 2: could not run. `--day` limits alerts to one day (earlier days are
//! still the history).

use std::process::ExitCode;

use chrono::NaiveDate;
use engine::monitor::{Alert, AlertSeverity};

/// Arguments of `puffy monitor`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    inputs: crate::input::Inputs,
    /// Print `{"alerts": [...], "metrics": [...]}` as JSON.
    #[arg(long)]
    json: bool,
    /// Only report alerts of this day (YYYY-MM-DD).
    #[arg(long)]
    day: Option<NaiveDate>,
    #[command(flatten)]
    view: crate::view::ViewArgs,
}

/// Runs the pipeline and prints the alerts.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let (cfg, ds) = args.inputs.load()?;
    let run = crate::input::pipeline(&ds, &cfg)?;
    // The same metrics and alerts as `report.json` of `puffy run` (with
    // the same view flags).
    let (metrics, alerts) = match args.view.view(&run)? {
        None => engine::monitor::monitor(&ds, &run),
        Some(view) => {
            let r = crate::view::report(&ds, &run, Some(&view), None)?;
            (r.metrics, r.alerts)
        }
    };
    if let Some(day) = args.day {
        anyhow::ensure!(
            metrics.iter().any(|m| m.day == day),
            "{day} is not a day of this batch"
        );
    }
    let alerts: Vec<Alert> = alerts
        .into_iter()
        .filter(|a| args.day.is_none_or(|d| a.day == d))
        .collect();
    let incidents = engine::monitor::incidents::incidents(&alerts, &metrics);
    let sev = |s: AlertSeverity| match s {
        AlertSeverity::Critical => "CRITICAL",
        AlertSeverity::Warning => "warning ",
        AlertSeverity::Info => "info    ",
    };
    if args.json {
        let out =
            serde_json::json!({ "incidents": incidents, "alerts": alerts, "metrics": metrics });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else if alerts.is_empty() {
        println!("no alerts");
    } else {
        println!(
            "{} from {}:",
            engine::units::quantity(incidents.len() as u64, "incident"),
            engine::units::quantity(alerts.len() as u64, "alert")
        );
        for i in &incidents {
            let span = puffy_report::format::span(i.first_day, i.last_day);
            println!(
                "{} {span}  {}\n         {}\n         impact: {}\n         → {}",
                sev(i.severity),
                i.kind,
                i.message,
                i.impact.text,
                i.action
            );
        }
        println!("\nPer day:");
        for a in &alerts {
            let sev = sev(a.severity);
            let band = match (a.expected, a.threshold) {
                (Some((lo, hi)), _) => format!(" (expected {lo:.2}–{hi:.2})"),
                (None, Some(t)) => format!(" (threshold {t})"),
                _ => String::new(),
            };
            println!(
                "{sev} {} {:<28} {}{band}\n         → {}",
                a.day, a.metric, a.message, a.action
            );
        }
    }
    let critical = alerts.iter().any(|a| a.severity == AlertSeverity::Critical);
    Ok(if critical {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
