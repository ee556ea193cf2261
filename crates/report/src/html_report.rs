//! The standalone HTML report: one file with inline CSS and every chart as
//! inline SVG (the same chart code as the page, drawn by plotters' SVG
//! backend), the executive summary, KPI cards, quality findings, alerts and
//! key tables. No script, no external URL; it prints cleanly to PDF. Made
//! from `report.json` alone, by the page ("Download report") and by
//! `puffy report --html`. Every value from the data is HTML-escaped.

use std::fmt::Write;

use engine::report::Report;
use plotters::prelude::*;

use crate::charts::{bars, channel_color, lines, Bars, SERIES};
use crate::format::{date_range, day, int, money, money_cents, pct};
use crate::report_data::{channels, daily, kpis, revenue, scores, MODELS};

/// The standalone report's own Content-Security-Policy: no script at all,
/// no request of any kind; only its inline styles and inline SVG.
pub const POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/// Escapes text for HTML content and attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Draws into an inline SVG element that scales with the page.
fn svg(
    width: u32,
    height: u32,
    label: &str,
    draw: impl FnOnce(&DrawingArea<SVGBackend, plotters::coord::Shift>),
) -> String {
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (width, height)).into_drawing_area();
        draw(&root);
        let _ = root.present();
    }
    // Inline SVG in HTML needs no namespace URL; keep the file free of URLs.
    let buf = buf.replace(" xmlns=\"http://www.w3.org/2000/svg\"", "");
    let head = format!("<svg width=\"{width}\" height=\"{height}\"");
    buf.replacen(
        &head,
        &format!(
            "<svg role=\"img\" aria-label=\"{}\" style=\"width:100%;height:auto\"",
            escape(label)
        ),
        1,
    )
}

fn charts(r: &Report, out: &mut String) {
    let names = channels(r);
    let series: Vec<Bars> = MODELS
        .iter()
        .enumerate()
        .map(|(i, (key, label))| Bars {
            label: label.to_string(),
            values: names.iter().map(|c| revenue(r, key, c)).collect(),
            colors: vec![SERIES[i]; names.len()],
        })
        .collect();
    let legend: String = MODELS
        .iter()
        .enumerate()
        .map(|(i, (_, l))| {
            format!(
                "<span><i style=\"background:rgb({},{},{})\"></i>{l}</span>",
                SERIES[i].0, SERIES[i].1, SERIES[i].2
            )
        })
        .collect();
    let _ = write!(out, "<section class=\"section\"><h2>Revenue by channel under every model</h2><div class=\"legend\">{legend}</div>{}", svg(960, 340, "Revenue per channel for each attribution model", |root| {
        let _ = bars(root, 1.0, &names, &series, true);
    }));
    let last = Bars {
        label: "last click".into(),
        values: names.iter().map(|c| revenue(r, "last_click", c)).collect(),
        colors: names.iter().map(|c| channel_color(c)).collect(),
    };
    let _ = write!(
        out,
        "<h3>Last click</h3>{}</section>",
        svg(960, 280, "Revenue per channel under last click", |root| {
            let _ = bars(root, 1.0, &names, &[last], true);
        })
    );
    let (short, daily_revenue, shades) = daily(r, |m| m.revenue);
    let baseline_revenue = crate::report_data::baseline_daily(r, |m| m.revenue);
    let (score_days, day_scores, low) = scores(r);
    let _ = write!(
        out,
        "<section class=\"section\"><h2>Trends</h2><p class=\"muted\">Shaded spans are incidents: red critical, amber warning.</p><h3>Daily revenue</h3>{}<h3>Data-quality score by day</h3>{}</section>",
        svg(960, 260, "Daily revenue", |root| {
            let _ = lines(root, 1.0, &short, &daily_revenue, &baseline_revenue, &shades, &[], true);
        }),
        svg(960, 220, "Data-quality score per day", |root| {
            let _ = lines(root, 1.0, &score_days, &day_scores, &[], &[], &low, false);
        })
    );
}

fn table(out: &mut String, head: &[&str], rows: impl IntoIterator<Item = Vec<String>>) {
    out.push_str("<table><thead><tr>");
    for h in head {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{}</td>", escape(&cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

fn header(r: &Report, out: &mut String) {
    let rows: u64 = r.inputs.iter().map(|f| f.rows).sum();
    let s = &r.settings;
    let _ = write!(
        out,
        "<header><h1>Puffy Analytics report</h1><p class=\"muted\">{} · {} files · {} rows · engine {}</p><p class=\"muted small\">Settings: session timeout {} min, lookback {} days, time-decay half-life {} days, bots {}, identity stitching {}, min daily revenue {}.</p></header>",
        escape(&date_range(r.date_range)),
        r.inputs.len(),
        int(rows as f64),
        escape(&r.version),
        s.session.timeout_minutes,
        s.attribution.lookback_days,
        s.attribution.half_life_days,
        if s.session.include_bots { "included" } else { "excluded" },
        if s.attribution.stitch_identities { "on" } else { "off" },
        money(s.monitor.min_daily_revenue),
    );
    if let Some(slice) = &r.slice {
        let mut text = format!(
            "This report is a slice of the batch: {}, {}",
            crate::format::span(slice.from, slice.to),
            slice.segment.label()
        );
        if let Some(c) = &r.comparison {
            text.push_str(&format!(
                ", compared with {} ({})",
                c.label,
                crate::format::span(c.baseline.from, c.baseline.to)
            ));
        }
        let _ = write!(out, "<p class=\"slice\">{}.</p>", escape(&text));
    }
    out.push_str("<div class=\"kpis\">");
    for (key, label, value, shown) in kpis(r) {
        let change = r
            .comparison
            .as_ref()
            .and_then(|c| c.kpis.iter().find(|k| k.name == key))
            .map(|k| {
                let pct = k
                    .change_pct
                    .map_or(String::new(), |p| format!("{:+.1}% ", p * 100.0));
                format!(
                    "<small data-baseline=\"{}\">{pct}vs {}</small>",
                    k.baseline,
                    escape(&crate::report_data::kpi_text(key, k.baseline))
                )
            })
            .unwrap_or_default();
        let _ = write!(out, "<div class=\"kpi\"><span>{label}</span><b data-kpi=\"{key}\" data-value=\"{value}\">{}</b>{change}</div>", escape(&shown));
    }
    out.push_str("</div><section><h2>Executive summary</h2><ul>");
    for i in &r.insights {
        let _ = write!(out, "<li>{}</li>", escape(&i.text));
    }
    out.push_str("</ul></section>");
}

/// The whole report as one HTML document.
pub fn render(r: &Report) -> String {
    let mut out = String::with_capacity(256 * 1024);
    let _ = write!(out, "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\"{POLICY}\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Puffy Analytics report {}</title><style>{CSS}</style></head><body><main>", escape(&date_range(r.date_range)));
    header(r, &mut out);
    charts(r, &mut out);
    out.push_str("<section class=\"section\"><h2>Attribution by model</h2>");
    let names = channels(r);
    let mut head = vec!["Channel"];
    head.extend(MODELS.iter().map(|(_, l)| *l));
    table(
        &mut out,
        &head,
        names.iter().map(|c| {
            let mut row = vec![c.clone()];
            row.extend(MODELS.iter().map(|(k, _)| money(revenue(r, k, c))));
            row
        }),
    );
    out.push_str("<h3>Funnel</h3>");
    table(
        &mut out,
        &["Step", "Sessions", "Share of sessions", "Drop-off"],
        r.funnel.overall.iter().map(|s| {
            vec![
                s.step.replace('_', " "),
                int(s.sessions as f64),
                pct(s.rate),
                pct(s.drop_off),
            ]
        }),
    );
    out.push_str("</section><section class=\"section\"><h2>Monitoring</h2><h3>Incidents</h3>");
    table(
        &mut out,
        &[
            "Severity",
            "Days",
            "Kind",
            "What happened",
            "Impact",
            "What to do",
        ],
        r.incidents.iter().map(|i| {
            vec![
                i.severity.as_str().to_string(),
                crate::format::span(i.first_day, i.last_day),
                i.kind.clone(),
                i.message.clone(),
                i.impact.text.clone(),
                i.action.clone(),
            ]
        }),
    );
    out.push_str("<h3>Every alert, by day</h3>");
    table(
        &mut out,
        &[
            "Severity",
            "Day",
            "Metric",
            "Value",
            "What happened",
            "What to do",
        ],
        r.alerts.iter().map(|a| {
            let value = if a.metric.is_money() {
                money(a.value)
            } else if a.metric.is_share() {
                pct(a.value)
            } else {
                int(a.value)
            };
            vec![
                a.severity.as_str().to_string(),
                a.day.to_string(),
                a.metric.to_string(),
                value,
                a.message.clone(),
                a.action.clone(),
            ]
        }),
    );
    out.push_str("</section><section class=\"section\"><h2>Data quality</h2>");
    table(
        &mut out,
        &["Severity", "Day", "Check", "Count", "What it means"],
        r.quality.findings.iter().map(|f| {
            vec![
                f.severity.as_str().to_string(),
                day(f.day),
                f.check.clone(),
                int(f.count as f64),
                f.message.clone(),
            ]
        }),
    );
    out.push_str("<h3>Input files</h3>");
    table(
        &mut out,
        &["File", "Day", "Rows", "Accepted", "Quarantined", "Error"],
        r.quality.files.iter().map(|f| {
            vec![
                f.name.clone(),
                day(f.day),
                int(f.rows as f64),
                int(f.accepted as f64),
                int(f.quarantined as f64),
                f.error.clone().unwrap_or_default(),
            ]
        }),
    );
    out.push_str("<h3>Duplicate transactions</h3>");
    table(
        &mut out,
        &["Transaction", "Copies", "Excluded revenue"],
        r.quality.duplicate_transactions.iter().map(|d| {
            vec![
                d.transaction_id.clone(),
                int(d.occurrences as f64),
                money_cents(d.excluded_revenue),
            ]
        }),
    );
    out.push_str("<h3>Quarantined rows (first 20)</h3>");
    table(
        &mut out,
        &["File", "Line", "Reason", "Row"],
        r.quarantine_sample.iter().take(20).map(|q| {
            vec![
                q.file.clone(),
                int(q.line as f64),
                q.reason.clone(),
                q.raw.clone(),
            ]
        }),
    );
    out.push_str("</section></main></body></html>\n");
    out
}

const CSS: &str = "body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d2433;background:#f6f7fb}main{max-width:1040px;margin:0 auto;padding:24px}h1{margin:0 0 4px;font-size:1.6rem}h2{font-size:1.15rem;margin:0 0 10px}h3{font-size:.95rem;margin:16px 0 6px}section{background:#fff;border-radius:12px;padding:16px 18px;margin:16px 0;box-shadow:0 1px 2px rgba(16,24,40,.06)}.muted{color:#5b6478}.small{font-size:.85rem}.kpis{display:grid;grid-template-columns:repeat(4,1fr);gap:12px;margin:16px 0}.kpi{background:#fff;border-radius:12px;padding:12px 14px;display:flex;flex-direction:column;gap:4px;box-shadow:0 1px 2px rgba(16,24,40,.06)}.kpi span{color:#5b6478;font-size:.85rem}.kpi b{font-size:1.35rem}.kpi small{color:#5b6478}.slice{background:#e8edfc;border-radius:8px;padding:8px 12px}table{width:100%;border-collapse:collapse;font-size:.85rem}th,td{padding:6px 8px;border-bottom:1px solid #e1e5ee;text-align:left;vertical-align:top;overflow-wrap:anywhere}th{font-size:.72rem;text-transform:uppercase;letter-spacing:.04em;color:#5b6478;overflow-wrap:normal}td:nth-child(-n+2){min-width:5.5em}.legend{display:flex;flex-wrap:wrap;gap:6px 14px;font-size:.85rem;color:#5b6478}.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}@media (max-width:700px){.kpis{grid-template-columns:repeat(2,1fr)}}@media print{body{background:#fff}main{padding:0}section{box-shadow:none;border:1px solid #e1e5ee;break-inside:auto}.section{break-before:page}tr,svg{break-inside:avoid}}";
