//! The page's charts: plotters on a `<canvas>` (main thread: plotters
//! measures text through `window`), sized for the device pixel ratio so
//! lines and text stay crisp on high-DPI screens. The drawing itself is in
//! [`puffy_report::charts`], shared with the standalone HTML report.

use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

pub use puffy_report::charts::{channel_color, Bars, SERIES};

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

/// Grouped bars on a canvas (see [`puffy_report::charts::bars`]).
pub fn draw_bars(
    canvas: &HtmlCanvasElement,
    height: u32,
    categories: &[String],
    series: &[Bars],
    money: bool,
) -> Option<()> {
    let dpr = fit(canvas, height);
    let root = CanvasBackend::with_canvas_object(canvas.clone())?.into_drawing_area();
    puffy_report::charts::bars(&root, dpr, categories, series, money)
}

/// Lines over days on a canvas (see [`puffy_report::charts::lines`]).
#[allow(clippy::too_many_arguments)]
pub fn draw_lines(
    canvas: &HtmlCanvasElement,
    height: u32,
    days: &[String],
    values: &[f64],
    baseline: &[f64],
    shades: &[puffy_report::charts::Shade],
    flagged: &[usize],
    money: bool,
) -> Option<()> {
    let dpr = fit(canvas, height);
    let root = CanvasBackend::with_canvas_object(canvas.clone())?.into_drawing_area();
    puffy_report::charts::lines(&root, dpr, days, values, baseline, shades, flagged, money)
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
