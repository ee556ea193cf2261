//! Charts drawn with plotters on a `<canvas>` (main thread: plotters
//! measures text through `window`). Canvases are sized for the device pixel
//! ratio so lines and text stay crisp on high-DPI screens. Each channel has
//! one colour everywhere.

use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

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

/// Sizes the canvas backing store for the device pixel ratio; returns the ratio.
fn fit(canvas: &HtmlCanvasElement, height: u32) -> f64 {
    let dpr = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(1.0);
    let width = canvas.client_width().max(320) as f64;
    canvas.set_width((width * dpr) as u32);
    canvas.set_height((f64::from(height) * dpr) as u32);
    dpr
}

fn short(v: f64, money: bool) -> String {
    let sign = if money { "$" } else { "" };
    match v.abs() {
        a if a >= 1e6 => format!("{sign}{:.1}M", v / 1e6),
        a if a >= 1e4 => format!("{sign}{:.0}k", v / 1e3),
        a if a >= 1e3 => format!("{sign}{:.1}k", v / 1e3),
        a if a >= 10.0 || v.fract() == 0.0 => format!("{sign}{v:.0}"),
        _ => format!("{sign}{v:.2}"),
    }
}

/// Grouped vertical bars: categories on x, one bar per series in each group.
pub fn draw_bars(
    canvas: &HtmlCanvasElement,
    height: u32,
    categories: &[String],
    series: &[Bars],
    money: bool,
) -> Option<()> {
    let dpr = fit(canvas, height);
    let px = |v: f64| (v * dpr) as u32;
    let root = CanvasBackend::with_canvas_object(canvas.clone())?.into_drawing_area();
    root.fill(&WHITE).ok()?;
    let n = categories.len().max(1);
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .fold(0.0, f64::max)
        .max(1.0);
    let mut chart = ChartBuilder::on(&root)
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

/// Lines over days, with markers on flagged days.
pub fn draw_lines(
    canvas: &HtmlCanvasElement,
    height: u32,
    days: &[String],
    values: &[f64],
    flagged: &[usize],
    money: bool,
) -> Option<()> {
    let dpr = fit(canvas, height);
    let px = |v: f64| (v * dpr) as u32;
    let root = CanvasBackend::with_canvas_object(canvas.clone())?.into_drawing_area();
    root.fill(&WHITE).ok()?;
    let n = days.len().max(1);
    let max = values.iter().copied().fold(0.0, f64::max).max(1e-9);
    let mut chart = ChartBuilder::on(&root)
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

/// A canvas that redraws whenever `draw`'s inputs change.
#[component]
pub fn Chart(
    /// CSS height in pixels.
    height: u32,
    /// Accessible description of what the chart shows.
    #[prop(into)]
    label: String,
    /// Draws on the canvas.
    draw: impl Fn(&HtmlCanvasElement, u32) + 'static,
) -> impl IntoView {
    let node = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        if let Some(canvas) = node.get() {
            draw(&canvas, height);
        }
    });
    view! { <canvas class="chart" node_ref=node role="img" aria-label=label style:height=format!("{height}px")></canvas> }
}
