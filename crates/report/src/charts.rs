//! Chart drawing shared by the page (canvas) and the standalone HTML report
//! (SVG): the same code drawn to another plotters backend. Sizes are given
//! in CSS pixels and multiplied by `scale` (the device pixel ratio on a
//! canvas, 1 for SVG). Each channel has one colour everywhere.

use plotters::coord::Shift;
use plotters::prelude::*;

/// Channel colours, the same in every chart.
pub fn channel_color(name: &str) -> RGBColor {
    match name {
        "Paid Search" => RGBColor(53, 87, 212),
        "Organic Search" => RGBColor(46, 160, 67),
        "Paid Social" => RGBColor(219, 68, 130),
        "Organic Social" => RGBColor(242, 142, 43),
        "Email" => RGBColor(118, 77, 200),
        "Affiliate" => RGBColor(0, 150, 170),
        "Referral" => RGBColor(170, 120, 60),
        "Other Campaign" => RGBColor(200, 170, 20),
        "Direct" => RGBColor(110, 118, 135),
        "Unattributed" => RGBColor(190, 195, 205),
        _ => {
            let h = name
                .bytes()
                .fold(7u32, |a, b| a.wrapping_mul(31).wrapping_add(u32::from(b)));
            RGBColor(
                (h % 200) as u8,
                (h / 200 % 200) as u8,
                (h / 40_000 % 200) as u8,
            )
        }
    }
}

/// Colours for series that are not channels (models, funnel steps).
pub const SERIES: [RGBColor; 7] = [
    RGBColor(53, 87, 212),
    RGBColor(219, 68, 130),
    RGBColor(46, 160, 67),
    RGBColor(242, 142, 43),
    RGBColor(118, 77, 200),
    RGBColor(0, 150, 170),
    RGBColor(110, 118, 135),
];

/// One bar series: a label, a value per category and a colour per category.
pub struct Bars {
    /// Legend label.
    pub label: String,
    /// One value per category.
    pub values: Vec<f64>,
    /// Colour of each bar.
    pub colors: Vec<RGBColor>,
}

/// Formats an axis value: `$1.2M`, `$35k`, `1.5k`, `12`.
pub fn short(v: f64, money: bool) -> String {
    let sign = if money { "$" } else { "" };
    match v.abs() {
        a if a >= 1e6 => format!("{sign}{:.1}M", v / 1e6),
        a if a >= 1e4 => format!("{sign}{:.0}k", v / 1e3),
        a if a >= 1e3 => format!("{sign}{:.1}k", v / 1e3),
        a if a >= 10.0 || v.fract() == 0.0 => format!("{sign}{v:.0}"),
        _ => format!("{sign}{v:.2}"),
    }
}

/// Short labels: the initials of multi-word names, with more of the last
/// word where two would be the same ("Organic Search" → "OSe").
pub fn abbreviate(names: &[String]) -> Vec<String> {
    let initials = |n: &String| -> String {
        let words: Vec<&str> = n.split_whitespace().collect();
        if words.len() < 2 {
            return n.chars().take(4).collect();
        }
        words.iter().filter_map(|w| w.chars().next()).collect()
    };
    let first: Vec<String> = names.iter().map(initials).collect();
    names
        .iter()
        .zip(&first)
        .map(|(n, short)| {
            if first.iter().filter(|s| *s == short).count() > 1 {
                let last = n.split_whitespace().last().unwrap_or_default();
                // All but the last initial, by characters: a channel name
                // may be any text, and a byte slice could cut a character.
                let mut head: Vec<char> = short.chars().collect();
                head.pop();
                format!(
                    "{}{}",
                    head.into_iter().collect::<String>(),
                    last.chars().take(2).collect::<String>()
                )
            } else {
                short.clone()
            }
        })
        .collect()
}

/// Grouped vertical bars: categories on x, one bar per series in each group.
pub fn bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    categories: &[String],
    series: &[Bars],
    money: bool,
) -> Option<()> {
    let px = |v: f64| (v * scale) as u32;
    root.fill(&WHITE).ok()?;
    let n = categories.len().max(1);
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .fold(0.0, f64::max)
        .max(1.0);
    // On narrow charts (a phone) long category names would overlap: use
    // their initials ("Paid Search" → "PS"); the table below names them.
    let longest = categories
        .iter()
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(1) as f64;
    let per_category = f64::from(root.dim_in_pixel().0) / scale / n as f64;
    let labels: Vec<String> = if per_category < longest * 7.0 {
        abbreviate(categories)
    } else {
        categories.to_vec()
    };
    let categories = &labels;
    let mut chart = ChartBuilder::on(root)
        .margin(px(12.0))
        .x_label_area_size(px(36.0))
        .y_label_area_size(px(64.0))
        .build_cartesian_2d(-0.5f64..n as f64 - 0.5, 0f64..max * 1.12)
        .ok()?;
    let font = ("sans-serif", px(12.0)).into_font();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n)
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                categories.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| short(*y, money))
        .label_style(font.clone())
        .y_labels(6)
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(232, 235, 242))
        .draw()
        .ok()?;
    let k = series.len().max(1) as f64;
    let width = 0.8 / k;
    for (s, bars) in series.iter().enumerate() {
        for (i, &v) in bars.values.iter().enumerate() {
            let x0 = i as f64 - 0.4 + s as f64 * width;
            let color = bars
                .colors
                .get(i)
                .copied()
                .unwrap_or(SERIES[s % SERIES.len()]);
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x0, 0.0), (x0 + width * 0.92, v)],
                    color.filled(),
                )))
                .ok()?;
            if series.len() == 1 {
                let label = Text::new(
                    short(v, money),
                    (i as f64, v + max * 0.02),
                    font.clone().color(&RGBColor(40, 45, 60)).pos(
                        plotters::style::text_anchor::Pos::new(
                            plotters::style::text_anchor::HPos::Center,
                            plotters::style::text_anchor::VPos::Bottom,
                        ),
                    ),
                );
                chart.draw_series(std::iter::once(label)).ok()?;
            }
        }
    }
    root.present().ok()
}

/// A run of days to shade behind a line chart (an incident's span), by
/// day index, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shade {
    /// First day index.
    pub from: usize,
    /// Last day index.
    pub to: usize,
    /// Critical (red) rather than warning (amber).
    pub critical: bool,
}

/// Lines over days, with shaded spans (incidents) behind them and markers
/// on flagged days.
#[allow(clippy::too_many_arguments)]
pub fn lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: f64,
    days: &[String],
    values: &[f64],
    baseline: &[f64],
    shades: &[Shade],
    flagged: &[usize],
    money: bool,
) -> Option<()> {
    let px = |v: f64| (v * scale) as u32;
    root.fill(&WHITE).ok()?;
    let n = days.len().max(1);
    let max = values
        .iter()
        .chain(baseline)
        .copied()
        .fold(0.0, f64::max)
        .max(1e-9);
    let mut chart = ChartBuilder::on(root)
        .margin(px(12.0))
        .x_label_area_size(px(32.0))
        .y_label_area_size(px(64.0))
        .build_cartesian_2d(-0.5f64..n as f64 - 0.5, 0f64..max * 1.15)
        .ok()?;
    let font = ("sans-serif", px(12.0)).into_font();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n.div_ceil(2).clamp(2, 8))
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                days.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| {
            if money {
                short(*y, true)
            } else if max <= 1.0 {
                format!("{:.1}%", y * 100.0)
            } else {
                short(*y, false)
            }
        })
        .label_style(font)
        .y_labels(6)
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(232, 235, 242))
        .draw()
        .ok()?;
    let top = max * 1.15;
    chart
        .draw_series(shades.iter().map(|s| {
            let color = match s.critical {
                true => RGBColor(200, 40, 40).mix(0.14),
                false => RGBColor(214, 140, 20).mix(0.16),
            };
            Rectangle::new(
                [(s.from as f64 - 0.45, 0.0), (s.to as f64 + 0.45, top)],
                color.filled(),
            )
        }))
        .ok()?;
    // The baseline, day by day from its first (aligned by day offset): a
    // thinner grey line under the period's.
    let grey = RGBColor(140, 148, 166);
    chart
        .draw_series(LineSeries::new(
            baseline.iter().enumerate().map(|(i, v)| (i as f64, *v)),
            grey.stroke_width(px(1.5)),
        ))
        .ok()?;
    let blue = RGBColor(53, 87, 212);
    chart
        .draw_series(LineSeries::new(
            values.iter().enumerate().map(|(i, v)| (i as f64, *v)),
            blue.stroke_width(px(2.5)),
        ))
        .ok()?;
    chart
        .draw_series(
            values
                .iter()
                .enumerate()
                .map(|(i, v)| Circle::new((i as f64, *v), px(3.5), blue.filled())),
        )
        .ok()?;
    let red = RGBColor(200, 40, 40);
    chart
        .draw_series(flagged.iter().filter_map(|&i| {
            values
                .get(i)
                .map(|v| TriangleMarker::new((i as f64, *v), px(8.0), red.filled()))
        }))
        .ok()?;
    root.present().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_stay_distinct() {
        let names: Vec<String> = [
            "Direct",
            "Paid Search",
            "Organic Search",
            "Organic Social",
            "Email",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(abbreviate(&names), vec!["Dire", "PS", "OSe", "OSo", "Emai"]);
    }

    #[test]
    fn multi_byte_and_empty_names_do_not_panic() {
        let names: Vec<String> = [
            "Ørganic Élan",
            "Ørganic Éclat",
            "",
            " ",
            "🦄 Ads",
            "🦄 Apps",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            abbreviate(&names),
            vec!["ØÉl", "ØÉc", "", " ", "🦄Ad", "🦄Ap"]
        );
    }
}
