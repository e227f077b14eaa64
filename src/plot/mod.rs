//! Charts, drawn from [`crate::snapshot::Chart`] onto any plotters backend:
//! the page draws on a canvas ([`canvas`], wasm only), the CLI writes SVG
//! ([`chart_svg`], [`charts_svg`]).
//!
//! One look everywhere ([`theme`]): a left-aligned title, the chart's note
//! and a legend row under it ([`legend`]), light grid lines, tick labels
//! computed by [`axis`] (log axes in decades, `1e-3` style; symlog axes for
//! data that cross zero over decades; a log floor for a tail of rounding),
//! the Okabe–Ito palette for series, by name when the chart has a palette
//! ([`series`]: one rule, one colour on every chart), and viridis for
//! heatmaps (over a bounded quantity's range, or log10 of the value).
//! Points that cannot be shown (NaN, ±inf, ≤ 0 on a log axis) are skipped
//! and break the line, and the corner says how many; a chart with nothing
//! to show draws its frame and a note ("no data yet").
//!
//! One file per kind of chart body: [`lines`], [`band`], [`scatter`],
//! [`heatmap`], [`arrows`], [`profile`], [`bars`]; [`overlays`] draws the
//! shapes over any of them. This file only dispatches. A pinned run's chart
//! can be drawn beside the current one ([`draw_comparison`],
//! [`chart_svg_pinned`]); [`gallery`] holds one chart of each kind.

pub mod arrows;
pub mod axis;
pub mod band;
pub mod bars;
#[cfg(target_arch = "wasm32")]
pub mod canvas;
pub mod categories;
pub mod colors;
pub mod frame;
pub mod gallery;
pub mod heatmap;
pub mod json;
pub mod legend;
pub mod lines;
pub mod metadata;
pub mod overlays;
pub mod points;
pub mod profile;
pub mod scatter;
pub mod series;
pub mod svg;
#[cfg(test)]
mod svg_check;
pub mod theme;

pub use metadata::with_metadata;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::snapshot::{Chart, ChartBody};
use frame::Frame;
use theme::{err, Theme, BACKGROUND, MUTED};

pub use json::chart_from_json;

/// Paints an RGB bitmap (3 bytes a pixel, row-major) with its top-left
/// corner at a backend pixel, one bitmap pixel per backend pixel. The canvas
/// adapter passes one so that heatmaps are a single image, not a rectangle
/// per cell.
pub type Painter<'a> = &'a mut dyn FnMut((i32, i32), (u32, u32), &[u8]) -> Result<(), String>;

/// Draw `chart` to fill `area`, at 1 drawing unit per CSS pixel.
pub fn draw_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart,
) -> Result<(), String> {
    draw_chart_scaled(area, chart, 1.0)
}

/// Draw `chart` to fill `area`, with every length and font size multiplied
/// by `scale` (use the device-pixel ratio on a HiDPI canvas).
pub fn draw_chart_scaled<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart,
    scale: f64,
) -> Result<(), String> {
    draw_chart_with(area, chart, scale, None)
}

/// [`draw_chart_scaled`], with heatmaps painted as one bitmap by `paint`
/// when given (rather than a rectangle per cell, which suits SVG).
pub fn draw_chart_with<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart,
    scale: f64,
    paint: Option<Painter>,
) -> Result<(), String> {
    draw_comparison(area, chart, None, scale, paint)
}

/// Draw `chart` with a pinned run's chart of the same id beside it: for
/// lines, bands, scatters and profiles, the pinned series are drawn dashed
/// (scatter: rings) in the colours of the current series of the same name,
/// named "<name> (pinned)" in the legend. Other kinds, and a pinned chart of
/// another id or kind, draw `chart` alone. The pinned chart is only drawn: it
/// changes nothing in `chart`, so none of its numbers reach a hash.
pub fn draw_comparison<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart,
    pinned: Option<&Chart>,
    scale: f64,
    paint: Option<Painter>,
) -> Result<(), String> {
    draw_frame(area, chart, pinned, scale, paint).map(|_| ())
}

/// [`draw_comparison`], returning where the data landed (an empty chart's
/// frame is [0, 1]²; none for a chart without axes or an area too small to
/// draw in).
pub fn draw_frame<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart,
    pinned: Option<&Chart>,
    scale: f64,
    paint: Option<Painter>,
) -> Result<Option<Frame>, String> {
    let t = Theme::new(scale);
    area.fill(&BACKGROUND).map_err(err)?;
    let (w, h) = area.dim_in_pixel();
    if w < 20 || h < 20 {
        return Ok(None);
    }
    let layers = series::layers(chart, pinned);
    let legend = series::legend_items(chart, &layers);
    let header = legend::draw_header(area, chart, &legend, &t)?;
    let (_, body) = area.split_vertically(header);
    match &chart.body {
        ChartBody::Lines { .. } => lines::draw(&body, chart, &layers, &t),
        ChartBody::Scatter { .. } => scatter::draw(&body, chart, &layers, &t),
        ChartBody::Band { .. } => band::draw(&body, chart, &layers, &t),
        ChartBody::Arrows { .. } => arrows::draw(&body, chart, &layers, &t),
        ChartBody::Profile { categories, .. } => {
            profile::draw(&body, chart, categories, &layers, &t)
        }
        ChartBody::Bars { categories, .. } => bars::draw(&body, chart, categories, &layers, &t),
        ChartBody::Heatmap(map) => heatmap::draw(&body, chart, map, &t, paint),
    }
}

/// The chart as a standalone SVG document of `width` × `height` pixels.
pub fn chart_svg(chart: &Chart, width: u32, height: u32) -> Result<String, String> {
    chart_svg_pinned(chart, None, width, height)
}

/// [`chart_svg`] with a pinned run's chart beside it (see [`draw_comparison`]).
pub fn chart_svg_pinned(
    chart: &Chart,
    pinned: Option<&Chart>,
    width: u32,
    height: u32,
) -> Result<String, String> {
    let mut out = String::new();
    {
        let root =
            svg::Svg::with_string(&mut out, (width.max(1), height.max(1))).into_drawing_area();
        draw_comparison(&root, chart, pinned, 1.0, None)?;
        root.present().map_err(err)?;
    }
    Ok(out)
}

/// The size of one chart in [`charts_svg`].
pub const CELL_WIDTH: u32 = 560;
pub const CELL_HEIGHT: u32 = 360;

/// All charts in one SVG, in a grid of `columns` columns of
/// [`CELL_WIDTH`] × [`CELL_HEIGHT`] cells, in snapshot order.
pub fn charts_svg(charts: &[Chart], columns: usize) -> Result<String, String> {
    charts_svg_sized(charts, columns, CELL_WIDTH, CELL_HEIGHT)
}

/// All charts in one SVG, laid out in a grid of `columns` columns, each cell
/// `cell_width` × `cell_height` pixels, in snapshot order.
pub fn charts_svg_sized(
    charts: &[Chart],
    columns: usize,
    cell_width: u32,
    cell_height: u32,
) -> Result<String, String> {
    let pinned = vec![None; charts.len()];
    charts_svg_pinned(charts, &pinned, columns, cell_width, cell_height)
}

/// [`charts_svg_sized`] with a pinned run's chart beside each chart that
/// has one (`pinned[i]` goes with `charts[i]`; see [`draw_comparison`]): the
/// page's combined figure, as drawn.
pub fn charts_svg_pinned(
    charts: &[Chart],
    pinned: &[Option<Chart>],
    columns: usize,
    cell_width: u32,
    cell_height: u32,
) -> Result<String, String> {
    let size = grid_size(charts.len(), columns, cell_width, cell_height, 1.0);
    let mut out = String::new();
    {
        let root = svg::Svg::with_string(&mut out, size).into_drawing_area();
        draw_grid(&root, charts, pinned, columns, 1.0, None)?;
        root.present().map_err(err)?;
    }
    Ok(out)
}

/// The pixel size of a grid of `n` charts in `columns` columns of
/// `cell_width` × `cell_height` CSS pixels, at `scale` pixels per CSS pixel.
pub fn grid_size(
    n: usize,
    columns: usize,
    cell_width: u32,
    cell_height: u32,
    scale: f64,
) -> (u32, u32) {
    let columns = columns.clamp(1, n.max(1));
    let rows = n.div_ceil(columns).max(1);
    let px = |v: u32| ((v.max(1) as f64 * scale).round() as u32).max(1);
    (
        px(cell_width) * columns as u32,
        px(cell_height) * rows as u32,
    )
}

/// Draw the charts in a grid of `columns` columns filling `root`, in order,
/// each with its pinned chart (if any) beside it, every length scaled by
/// `scale`; "no charts" when there are none.
pub fn draw_grid<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    charts: &[Chart],
    pinned: &[Option<Chart>],
    columns: usize,
    scale: f64,
    mut paint: Option<Painter>,
) -> Result<(), String> {
    root.fill(&BACKGROUND).map_err(err)?;
    let columns = columns.clamp(1, charts.len().max(1));
    let rows = charts.len().div_ceil(columns).max(1);
    if charts.is_empty() {
        let t = Theme::new(scale);
        let (w, h) = root.dim_in_pixel();
        root.draw(&Text::new(
            "no charts",
            (w as i32 / 2, h as i32 / 2),
            t.text(13.0, MUTED, HPos::Center, VPos::Center),
        ))
        .map_err(err)?;
    }
    for (i, (cell, chart)) in root
        .split_evenly((rows, columns))
        .iter()
        .zip(charts)
        .enumerate()
    {
        let pin = pinned.get(i).and_then(|p| p.as_ref());
        let paint = paint.as_mut().map(|p| &mut **p as Painter);
        draw_frame(cell, chart, pin, scale, paint)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
