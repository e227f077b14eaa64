//! Charts, drawn from [`crate::snapshot::Chart`] onto any plotters backend:
//! the page draws on a canvas ([`canvas`], wasm only), the CLI writes SVG
//! ([`chart_svg`], [`charts_svg`]).
//!
//! One look everywhere: a left-aligned title, a legend row under it, light
//! grid lines, tick labels computed by [`axis`] (log axes in decades, `1e-3`
//! style), the Okabe–Ito palette for series and viridis for heatmaps.
//! Points that cannot be shown (NaN, ±inf, ≤ 0 on a log axis) are skipped and
//! break the line; a chart with nothing to show draws its frame and
//! "no data yet".

pub mod axis;
#[cfg(target_arch = "wasm32")]
pub mod canvas;
pub mod colors;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::snapshot::{Chart, ChartBody, Heatmap, Scale, Series};
use axis::{to_display, Axis};
use colors::{series_color, viridis};

/// The font stack: the reader's system UI font (the browser resolves it; the
/// SVG viewer does too).
const FONT: &str = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, sans-serif";

const BACKGROUND: RGBColor = RGBColor(255, 255, 255);
const TITLE: RGBColor = RGBColor(26, 26, 26);
const TEXT: RGBColor = RGBColor(51, 51, 51);
const MUTED: RGBColor = RGBColor(110, 110, 110);
const AXIS: RGBColor = RGBColor(140, 140, 140);
const GRID: RGBColor = RGBColor(230, 230, 230);
const GRID_MINOR: RGBColor = RGBColor(243, 243, 243);

type Coord = Cartesian2d<Axis, Axis>;

/// Sizes in CSS pixels, multiplied by `s` (the device-pixel ratio on a
/// canvas, 1 in SVG) so that text is the same physical size everywhere.
struct Theme {
    s: f64,
}

impl Theme {
    fn px(&self, v: f64) -> i32 {
        (v * self.s).round().max(1.0) as i32
    }

    fn font(&self, size: f64) -> FontDesc<'static> {
        (FONT, size * self.s).into_font()
    }

    fn text(&self, size: f64, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
        self.font(size).color(&color).pos(Pos::new(h, v))
    }
}

fn err<E: std::fmt::Display>(e: E) -> String {
    format!("drawing failed: {e}")
}

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
    let t = Theme {
        s: if scale.is_finite() && scale > 0.0 {
            scale.clamp(0.25, 8.0)
        } else {
            1.0
        },
    };
    area.fill(&BACKGROUND).map_err(err)?;
    let (w, h) = area.dim_in_pixel();
    if w < 20 || h < 20 {
        return Ok(());
    }
    let legend = legend_items(chart);
    let header = draw_header(area, chart, &legend, &t)?;
    let (_, body) = area.split_vertically(header);
    match &chart.body {
        ChartBody::Lines { series } => draw_xy(&body, chart, series, false, &t),
        ChartBody::Scatter { series } => draw_xy(&body, chart, series, true, &t),
        ChartBody::Heatmap(map) => draw_heatmap(&body, chart, map, &t, paint),
        // Drawn by the chart-kind files that the framework issue adds.
        _ => Err(format!(
            "chart '{}': this chart kind is not drawn yet",
            chart.id
        )),
    }
}

/// The chart as a standalone SVG document of `width` × `height` pixels.
pub fn chart_svg(chart: &Chart, width: u32, height: u32) -> Result<String, String> {
    let mut out = String::new();
    {
        let root =
            SVGBackend::with_string(&mut out, (width.max(1), height.max(1))).into_drawing_area();
        draw_chart(&root, chart)?;
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
    let columns = columns.clamp(1, charts.len().max(1));
    let rows = charts.len().div_ceil(columns).max(1);
    let size = (
        cell_width.max(1) * columns as u32,
        cell_height.max(1) * rows as u32,
    );
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        root.fill(&BACKGROUND).map_err(err)?;
        if charts.is_empty() {
            let t = Theme { s: 1.0 };
            root.draw(&Text::new(
                "no charts",
                (size.0 as i32 / 2, size.1 as i32 / 2),
                t.text(13.0, MUTED, HPos::Center, VPos::Center),
            ))
            .map_err(err)?;
        }
        for (cell, chart) in root.split_evenly((rows, columns)).iter().zip(charts) {
            draw_chart(cell, chart)?;
        }
        root.present().map_err(err)?;
    }
    Ok(out)
}

/// Read a chart from JSON, accepting `null` where a number is expected in
/// the data arrays (serde_json writes NaN and ±inf as `null`; they come back
/// as NaN and are skipped when drawing).
pub fn chart_from_json(text: &str) -> Result<Chart, String> {
    if let Ok(chart) = serde_json::from_str::<Chart>(text) {
        return Ok(chart);
    }
    let mut value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("chart JSON is malformed: {e}"))?;
    // Take the numeric arrays out, so that the rest deserialises normally.
    let mut taken: Vec<Vec<f64>> = Vec::new();
    let body = value.get_mut("body").ok_or("chart JSON has no 'body'")?;
    if let Some(series) = body.get_mut("series").and_then(|s| s.as_array_mut()) {
        for s in series.iter_mut() {
            for key in ["x", "y"] {
                taken.push(take_numbers(s.get_mut(key)));
            }
        }
    }
    if body.get("values").is_some() {
        taken.push(take_numbers(body.get_mut("values")));
    }
    let mut chart: Chart = serde_json::from_value(value)
        .map_err(|e| format!("chart JSON does not describe a chart: {e}"))?;
    let mut taken = taken.into_iter();
    match &mut chart.body {
        ChartBody::Lines { series } | ChartBody::Scatter { series } => {
            for s in series.iter_mut() {
                s.x = taken.next().unwrap_or_default();
                s.y = taken.next().unwrap_or_default();
            }
        }
        ChartBody::Heatmap(map) => map.values = taken.next().unwrap_or_default(),
        _ => {}
    }
    Ok(chart)
}

/// Replace a JSON array by `[]` and return its entries as numbers (non-numbers → NaN).
fn take_numbers(v: Option<&mut serde_json::Value>) -> Vec<f64> {
    match v {
        Some(serde_json::Value::Array(items)) => {
            let out = items
                .iter()
                .map(|x| x.as_f64().unwrap_or(f64::NAN))
                .collect();
            items.clear();
            out
        }
        _ => vec![],
    }
}

// ---------------------------------------------------------------------------
// Header: title and legend.

/// How a legend entry is marked.
#[derive(Clone, Copy, PartialEq)]
enum Mark {
    Line,
    Dot,
}

struct LegendItem {
    name: String,
    color: RGBColor,
    mark: Mark,
}

fn legend_items(chart: &Chart) -> Vec<LegendItem> {
    let (series, mark) = match &chart.body {
        ChartBody::Lines { series } => (series, Mark::Line),
        ChartBody::Scatter { series } => (series, Mark::Dot),
        _ => return vec![],
    };
    // A lone unnamed series needs no legend.
    if series.len() == 1 && series[0].name.trim().is_empty() {
        return vec![];
    }
    series
        .iter()
        .enumerate()
        .map(|(i, s)| LegendItem {
            name: if s.name.trim().is_empty() {
                format!("series {}", i + 1)
            } else {
                s.name.clone()
            },
            color: series_color(i),
            mark,
        })
        .collect()
}

/// Text width as the backend measures it (a fallback estimate in SVG).
fn text_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    font: &FontDesc,
) -> i32 {
    area.estimate_text_size(text, &TextStyle::from(font.clone()))
        .map(|(w, _)| w as i32)
        .unwrap_or_else(|_| (text.chars().count() as f64 * font.get_size() * 0.55) as i32)
}

/// Shorten `text` with "…" until it fits in `max` pixels.
fn fit_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    font: &FontDesc,
    max: i32,
) -> String {
    if text_width(area, text, font) <= max {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut n = chars.len();
    while n > 1 {
        n -= 1;
        let s: String = chars[..n].iter().collect::<String>() + "…";
        if text_width(area, &s, font) <= max {
            return s;
        }
    }
    "…".into()
}

/// Draw the title and the legend; return the header height.
fn draw_header<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart,
    legend: &[LegendItem],
    t: &Theme,
) -> Result<i32, String> {
    let (w, _) = area.dim_in_pixel();
    let left = t.px(12.0);
    // Room on the right for the page's ⓘ button.
    let right = w as i32 - t.px(34.0);
    let title_font = t.font(14.0).style(FontStyle::Bold);
    let title = fit_text(area, &chart.title, &title_font, right - left);
    area.draw(&Text::new(
        title,
        (left, t.px(9.0)),
        title_font
            .color(&TITLE)
            .pos(Pos::new(HPos::Left, VPos::Top)),
    ))
    .map_err(err)?;
    let mut y = t.px(9.0) + t.px(20.0);
    if legend.is_empty() {
        return Ok(y + t.px(2.0));
    }

    // Lay the entries out left to right, wrapping to new rows.
    let font = t.font(12.0);
    let row_h = t.px(17.0);
    let swatch = t.px(18.0);
    let mut x = left;
    let mut cy = y + row_h / 2;
    for item in legend {
        let name = fit_text(
            area,
            &item.name,
            &font,
            (right - left - swatch - t.px(6.0)).max(t.px(20.0)),
        );
        let tw = text_width(area, &name, &font);
        let item_w = swatch + t.px(6.0) + tw;
        if x > left && x + item_w > w as i32 - t.px(8.0) {
            x = left;
            y += row_h;
            cy = y + row_h / 2;
        }
        match item.mark {
            Mark::Line => area
                .draw(&PathElement::new(
                    vec![(x, cy), (x + swatch, cy)],
                    item.color.stroke_width(t.px(2.5) as u32),
                ))
                .map_err(err)?,
            Mark::Dot => area
                .draw(&Circle::new(
                    (x + swatch / 2, cy),
                    t.px(4.0),
                    item.color.filled(),
                ))
                .map_err(err)?,
        }
        area.draw(&Text::new(
            name,
            (x + swatch + t.px(6.0), cy),
            t.text(12.0, TEXT, HPos::Left, VPos::Center),
        ))
        .map_err(err)?;
        x += item_w + t.px(18.0);
    }
    Ok(y + row_h + t.px(4.0))
}

// ---------------------------------------------------------------------------
// Axes and mesh.

/// The width of the widest tick label.
fn widest_label<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, axis: &Axis, t: &Theme) -> i32 {
    let font = t.font(11.0);
    axis.ticks
        .iter()
        .map(|(_, l)| text_width(area, l, &font))
        .max()
        .unwrap_or(0)
}

/// Build a chart on `area` with the given axes and margins.
fn build<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    xa: &Axis,
    ya: &Axis,
    t: &Theme,
    margin_right: i32,
    margin_bottom: i32,
) -> Result<ChartContext<'a, DB, Coord>, String> {
    let y_area = widest_label(area, ya, t) + t.px(8.0) + t.px(4.0) + t.px(22.0);
    let x_area = t.px(11.0 * 1.3) + t.px(8.0) + t.px(17.0);
    ChartBuilder::on(area)
        .margin_top(t.px(6.0))
        .margin_left(t.px(4.0))
        .margin_right(margin_right)
        .margin_bottom(margin_bottom)
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(xa.clone(), ya.clone())
        .map_err(err)
}

/// Grid, axes, tick labels and axis titles.
fn draw_mesh<DB: DrawingBackend>(
    chart: &mut ChartContext<DB, Coord>,
    spec: &Chart,
    xa: &Axis,
    ya: &Axis,
    grid: bool,
    t: &Theme,
) -> Result<(), String> {
    let xf = |v: &f64| xa.label(*v);
    let yf = |v: &f64| ya.label(*v);
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(spec.x_label.as_str())
        .y_desc(spec.y_label.as_str())
        .x_label_formatter(&xf)
        .y_label_formatter(&yf)
        .bold_line_style(GRID.stroke_width(t.px(1.0) as u32))
        .light_line_style(GRID_MINOR.stroke_width(t.px(1.0) as u32))
        .axis_style(AXIS.stroke_width(t.px(1.0) as u32))
        .label_style(t.font(11.0).color(&TEXT))
        .axis_desc_style(t.font(12.0).color(&TITLE))
        .set_all_tick_mark_size(t.px(4.0));
    if !grid {
        mesh.disable_mesh();
    }
    mesh.draw().map_err(err)
}

/// "no data yet" (or another note) in the middle of the plotting area.
fn centre_note<DB: DrawingBackend>(
    chart: &ChartContext<DB, Coord>,
    note: &str,
    t: &Theme,
) -> Result<(), String> {
    let area = chart.plotting_area().strip_coord_spec();
    let (w, h) = area.dim_in_pixel();
    area.draw(&Text::new(
        note.to_string(),
        (w as i32 / 2, h as i32 / 2),
        t.text(13.0, MUTED, HPos::Center, VPos::Center),
    ))
    .map_err(err)
}

/// A frame with axis titles and a note, for a chart with nothing to show.
fn draw_empty<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    spec: &Chart,
    note: &str,
    t: &Theme,
) -> Result<(), String> {
    let (xa, ya) = (Axis::bare(0.0, 1.0), Axis::bare(0.0, 1.0));
    let mut chart = build(area, &xa, &ya, t, t.px(18.0), t.px(4.0))?;
    draw_mesh(&mut chart, spec, &xa, &ya, false, t)?;
    // Close the frame so the empty plot reads as a plot.
    chart
        .plotting_area()
        .draw(&Rectangle::new(
            [(0.0, 0.0), (1.0, 1.0)],
            GRID.stroke_width(t.px(1.0) as u32),
        ))
        .map_err(err)?;
    centre_note(&chart, note, t)
}

// ---------------------------------------------------------------------------
// Lines and scatter.

/// A series mapped to display space and cut into runs of drawable points.
struct Prepared {
    segments: Vec<Vec<(f64, f64)>>,
    /// Points dropped because they were ≤ 0 on a log axis.
    nonpositive: usize,
}

fn prepare(s: &Series, xs: Scale, ys: Scale) -> Prepared {
    let mut segments = Vec::new();
    let mut run = Vec::new();
    let mut nonpositive = 0;
    for (&x, &y) in s.x.iter().zip(&s.y) {
        match (to_display(x, xs), to_display(y, ys)) {
            (Some(dx), Some(dy)) => run.push((dx, dy)),
            _ => {
                let log_drop = (xs == Scale::Log && x.is_finite() && x <= 0.0)
                    || (ys == Scale::Log && y.is_finite() && y <= 0.0);
                if log_drop {
                    nonpositive += 1;
                }
                if !run.is_empty() {
                    segments.push(std::mem::take(&mut run));
                }
            }
        }
    }
    if !run.is_empty() {
        segments.push(run);
    }
    Prepared {
        segments,
        nonpositive,
    }
}

/// Thin a long run whose x increases to at most ~4 points per pixel column
/// (first, min, max, last), which draws identically and much faster.
fn thin(seg: &[(f64, f64)], lo: f64, hi: f64, columns: usize) -> Vec<(f64, f64)> {
    let columns = columns.max(1);
    if seg.len() <= 4 * columns || !(hi > lo) || seg.windows(2).any(|w| w[1].0 < w[0].0) {
        return seg.to_vec();
    }
    let mut out = Vec::with_capacity(4 * columns);
    let col = |x: f64| (((x - lo) / (hi - lo)) * columns as f64).floor() as i64;
    let mut i = 0;
    while i < seg.len() {
        let c = col(seg[i].0);
        let mut j = i;
        let (mut imin, mut imax) = (i, i);
        while j < seg.len() && col(seg[j].0) == c {
            if seg[j].1 < seg[imin].1 {
                imin = j;
            }
            if seg[j].1 > seg[imax].1 {
                imax = j;
            }
            j += 1;
        }
        let mut keep = [i, imin, imax, j - 1];
        keep.sort_unstable();
        let mut last = usize::MAX;
        for k in keep {
            if k != last {
                out.push(seg[k]);
                last = k;
            }
        }
        i = j;
    }
    out
}

fn draw_xy<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    spec: &Chart,
    series: &[Series],
    scatter: bool,
    t: &Theme,
) -> Result<(), String> {
    let prepared: Vec<Prepared> = series
        .iter()
        .map(|s| prepare(s, spec.x_scale, spec.y_scale))
        .collect();
    let points = || prepared.iter().flat_map(|p| p.segments.iter().flatten());
    if points().next().is_none() {
        let note = if prepared.iter().any(|p| p.nonpositive > 0) {
            "no positive values to show on a log axis"
        } else {
            "no data yet"
        };
        return draw_empty(area, spec, note, t);
    }
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in points() {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    let (w, h) = area.dim_in_pixel();
    let x_target = ((w as f64 / t.s) / 90.0).round().clamp(2.0, 8.0) as usize;
    let y_target = ((h as f64 / t.s) / 45.0).round().clamp(2.0, 7.0) as usize;
    let xa = Axis::new(
        x0,
        x1,
        spec.x_scale,
        if scatter { 0.05 } else { 0.0 },
        x_target,
    );
    let ya = Axis::new(y0, y1, spec.y_scale, 0.05, y_target);

    let mut chart = build(area, &xa, &ya, t, t.px(18.0), t.px(4.0))?;
    draw_mesh(&mut chart, spec, &xa, &ya, true, t)?;
    let columns = chart.plotting_area().dim_in_pixel().0 as usize;

    for (i, p) in prepared.iter().enumerate() {
        let color = series_color(i);
        for seg in &p.segments {
            if scatter {
                let r = t.px(3.0);
                chart
                    .draw_series(
                        seg.iter()
                            .map(|&pt| Circle::new(pt, r, color.mix(0.8).filled())),
                    )
                    .map_err(err)?;
            } else if seg.len() == 1 {
                chart
                    .draw_series(std::iter::once(Circle::new(
                        seg[0],
                        t.px(2.0),
                        color.filled(),
                    )))
                    .map_err(err)?;
            } else {
                chart
                    .draw_series(LineSeries::new(
                        thin(seg, xa.lo, xa.hi, columns),
                        color.stroke_width(t.px(2.0) as u32),
                    ))
                    .map_err(err)?;
            }
        }
    }

    let hidden: usize = prepared.iter().map(|p| p.nonpositive).sum();
    if hidden > 0 {
        let (w, h) = area.dim_in_pixel();
        let note = format!(
            "{hidden} point{} ≤ 0 not shown (log axis)",
            if hidden == 1 { "" } else { "s" }
        );
        area.draw(&Text::new(
            note,
            (w as i32 - t.px(6.0), h as i32 - t.px(3.0)),
            t.text(10.0, MUTED, HPos::Right, VPos::Bottom),
        ))
        .map_err(err)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Heatmap.

/// Ticks at the centres of cells 0..n, labelled by index. `flip` puts index
/// 0 at the top (the far end of the axis).
fn index_axis(n: usize, target: usize, flip: bool) -> Axis {
    let mut ticks = Vec::new();
    if n > 0 {
        let step = axis::nice_step(n as f64, target).max(1.0).round() as usize;
        let step = step.max(1);
        for k in (0..n).step_by(step) {
            let pos = if flip {
                n as f64 - k as f64 - 0.5
            } else {
                k as f64 + 0.5
            };
            ticks.push((pos, k.to_string()));
        }
    }
    Axis {
        lo: 0.0,
        hi: n.max(1) as f64,
        log: false,
        ticks,
        minor: vec![],
    }
}

fn draw_heatmap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    spec: &Chart,
    map: &Heatmap,
    t: &Theme,
    mut paint: Option<Painter>,
) -> Result<(), String> {
    let (rows, cols) = (map.rows, map.cols);
    let value = |r: usize, c: usize| -> f64 {
        r.checked_mul(cols)
            .and_then(|i| i.checked_add(c))
            .and_then(|i| map.values.get(i))
            .copied()
            .filter(|v| v.is_finite())
            .unwrap_or(f64::NAN)
    };
    let finite = map
        .values
        .iter()
        .take(rows.saturating_mul(cols))
        .filter(|v| v.is_finite());
    let (vmin, vmax) = finite.fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    if rows == 0 || cols == 0 || vmin > vmax {
        return draw_empty(area, spec, "no data yet", t);
    }
    // Colour scale: the data range, widened if flat.
    let cbar = Axis::new(vmin, vmax, Scale::Linear, 0.0, 5);
    let cbar_font = t.font(11.0);
    let cbar_label_w = cbar
        .ticks
        .iter()
        .map(|(_, l)| text_width(area, l, &cbar_font))
        .max()
        .unwrap_or(0);
    let bar_gap = t.px(14.0);
    let bar_w = t.px(12.0);
    let cbar_w = bar_gap + bar_w + t.px(8.0) + cbar_label_w + t.px(10.0) + t.px(16.0);

    let (w, h) = area.dim_in_pixel();
    let xa = index_axis(
        cols,
        ((w as f64 / t.s) / 80.0).clamp(2.0, 8.0) as usize,
        false,
    );
    let ya = index_axis(
        rows,
        ((h as f64 / t.s) / 45.0).clamp(2.0, 8.0) as usize,
        true,
    );

    // Keep cells near square: give the spare width to the right margin, or
    // the spare height to the bottom margin.
    let y_area = widest_label(area, &ya, t) + t.px(34.0);
    let x_area = t.px(11.0 * 1.3) + t.px(30.0);
    let avail_w = (w as i32 - y_area - t.px(4.0) - cbar_w).max(10) as f64;
    let avail_h = (h as i32 - x_area - t.px(6.0) - t.px(4.0)).max(10) as f64;
    let aspect = (cols as f64 / rows as f64).clamp(0.5, 2.0);
    let (mut extra_r, mut extra_b) = (0, 0);
    if avail_h * aspect < avail_w {
        extra_r = (avail_w - avail_h * aspect) as i32;
    } else {
        extra_b = (avail_h - avail_w / aspect) as i32;
    }
    let mut chart = build(area, &xa, &ya, t, cbar_w + extra_r, t.px(4.0) + extra_b)?;
    draw_mesh(&mut chart, spec, &xa, &ya, false, t)?;

    let span = cbar.hi - cbar.lo;
    let colour = |r: usize, c: usize| viridis((value(r, c) - cbar.lo) / span);
    let (px_range, py_range) = chart.plotting_area().get_pixel_range();
    let base = area.get_base_pixel();
    if let Some(paint) = paint.as_mut() {
        // One bitmap over the plotting area: pixel (x, y) shows the cell under it.
        let (pw, ph) = (px_range.len().max(1), py_range.len().max(1));
        let rgb = cell_bitmap(pw, ph, rows, cols, colour);
        paint(
            (px_range.start, py_range.start),
            (pw as u32, ph as u32),
            &rgb,
        )?;
    } else {
        chart
            .draw_series((0..rows).flat_map(|r| {
                (0..cols).map(move |c| {
                    let top = (rows - r) as f64;
                    Rectangle::new(
                        [(c as f64, top), (c as f64 + 1.0, top - 1.0)],
                        colour(r, c).filled(),
                    )
                })
            }))
            .map_err(err)?;
    }

    // The colour bar, beside the plot and as tall as it.
    let bx0 = px_range.end - base.0 + bar_gap;
    let bx1 = bx0 + bar_w;
    let (by0, by1) = (py_range.start - base.1, py_range.end - base.1);
    let bh = (by1 - by0).max(1);
    if let Some(paint) = paint.as_mut() {
        let rgb = bitmap((bx1 - bx0) as usize, bh as usize, |_, y| {
            viridis(1.0 - y as f64 / bh as f64)
        });
        paint(
            (bx0 + base.0, by0 + base.1),
            ((bx1 - bx0) as u32, bh as u32),
            &rgb,
        )?;
    } else {
        // 64 bands read as a smooth gradient and keep the SVG small.
        let bands = 64.min(bh);
        for k in 0..bands {
            let (y0, y1) = (by0 + k * bh / bands, by0 + (k + 1) * bh / bands);
            let frac = 1.0 - (k as f64 + 0.5) / bands as f64;
            area.draw(&Rectangle::new(
                [(bx0, y0), (bx1, y1)],
                viridis(frac).filled(),
            ))
            .map_err(err)?;
        }
    }
    area.draw(&Rectangle::new(
        [(bx0, by0), (bx1, by1)],
        AXIS.stroke_width(t.px(1.0) as u32),
    ))
    .map_err(err)?;
    for (v, label) in &cbar.ticks {
        let py = by1 - (((v - cbar.lo) / span) * bh as f64).round() as i32;
        area.draw(&PathElement::new(
            vec![(bx1, py), (bx1 + t.px(4.0), py)],
            AXIS.stroke_width(t.px(1.0) as u32),
        ))
        .map_err(err)?;
        area.draw(&Text::new(
            label.clone(),
            (bx1 + t.px(7.0), py),
            t.text(11.0, TEXT, HPos::Left, VPos::Center),
        ))
        .map_err(err)?;
    }
    if !map.value_label.is_empty() {
        let style = t
            .font(12.0)
            .color(&TITLE)
            .transform(FontTransform::Rotate270)
            .pos(Pos::new(HPos::Center, VPos::Center));
        let label = fit_text(area, &map.value_label, &t.font(12.0), bh);
        area.draw(&Text::new(
            label,
            (bx1 + t.px(7.0) + cbar_label_w + t.px(12.0), (by0 + by1) / 2),
            style,
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// Paints an RGB bitmap (3 bytes a pixel, row-major) with its top-left
/// corner at a backend pixel, one bitmap pixel per backend pixel. The canvas
/// adapter passes one so that heatmaps are a single image, not a rectangle
/// per cell.
pub type Painter<'a> = &'a mut dyn FnMut((i32, i32), (u32, u32), &[u8]) -> Result<(), String>;

/// An RGB bitmap of `w` × `h` pixels.
fn bitmap(w: usize, h: usize, pixel: impl Fn(usize, usize) -> RGBColor) -> Vec<u8> {
    let mut rgb = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        for x in 0..w {
            let RGBColor(r, g, b) = pixel(x, y);
            rgb.extend_from_slice(&[r, g, b]);
        }
    }
    rgb
}

/// An RGB bitmap of `w` × `h` pixels showing a `rows` × `cols` grid of
/// cells, each colour computed once and each scanline built once per row.
fn cell_bitmap(
    w: usize,
    h: usize,
    rows: usize,
    cols: usize,
    colour: impl Fn(usize, usize) -> RGBColor,
) -> Vec<u8> {
    let col_of: Vec<usize> = (0..w)
        .map(|x| (x * cols / w.max(1)).min(cols.saturating_sub(1)))
        .collect();
    let mut rgb = Vec::with_capacity(w * h * 3);
    let mut line: Vec<u8> = Vec::with_capacity(w * 3);
    let mut line_row = usize::MAX;
    for y in 0..h {
        let r = (y * rows / h.max(1)).min(rows.saturating_sub(1));
        if r != line_row {
            let cells: Vec<RGBColor> = (0..cols).map(|c| colour(r, c)).collect();
            line.clear();
            for &c in &col_of {
                let RGBColor(a, b, d) = cells[c];
                line.extend_from_slice(&[a, b, d]);
            }
            line_row = r;
        }
        rgb.extend_from_slice(&line);
    }
    rgb
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::Heatmap;

    fn series(name: &str, x: Vec<f64>, y: Vec<f64>) -> Series {
        Series {
            dashed: false,
            name: name.into(),
            x,
            y,
        }
    }

    fn steps(n: usize) -> Vec<f64> {
        (0..n).map(|i| i as f64 * 10.0).collect()
    }

    fn loss_chart() -> Chart {
        let x = steps(200);
        let train: Vec<f64> = x.iter().map(|s| (-s / 400.0).exp() + 1e-3).collect();
        let test: Vec<f64> = x.iter().map(|s| (-s / 500.0).exp() + 3e-3).collect();
        Chart::lines(
            "loss",
            "Loss",
            "step",
            "MSE",
            vec![series("train", x.clone(), train), series("test", x, test)],
        )
        .log_y()
    }

    fn assert_svg(svg: &str) {
        assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(80)]);
        assert!(svg.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn lines_render() {
        let svg = chart_svg(&loss_chart(), 640, 400).unwrap();
        assert_svg(&svg);
        assert!(svg.contains("Loss"));
        assert!(svg.contains("train") && svg.contains("test"));
        assert!(
            svg.contains("1e-3") || svg.contains("0.001") || svg.contains("0.01"),
            "log ticks: {svg}"
        );
        assert!(svg.contains("<polyline"));
    }

    #[test]
    fn scatter_renders() {
        let a = series("class 0", vec![0.0, 1.0, 2.0], vec![1.0, 0.5, 0.2]);
        let b = series("class 1", vec![-1.0, -2.0], vec![-1.0, 0.3]);
        let svg = chart_svg(
            &Chart::scatter("pca", "PCA", "PC 1", "PC 2", vec![a, b]),
            500,
            400,
        )
        .unwrap();
        assert_svg(&svg);
        assert!(svg.contains("<circle"));
        assert!(svg.contains("class 1"));
    }

    #[test]
    fn heatmap_renders() {
        let n = 12;
        let values = (0..n * n)
            .map(|i| ((i / n) as f64 - (i % n) as f64).abs())
            .collect();
        let map = Heatmap {
            x_values: vec![],
            y_values: vec![],
            rows: n,
            cols: n,
            values,
            value_label: "1 − correlation".into(),
        };
        let svg = chart_svg(
            &Chart::heatmap("rdm", "RDM", "sample", "sample", map),
            500,
            400,
        )
        .unwrap();
        assert_svg(&svg);
        assert!(svg.matches("<rect").count() >= n * n);
        assert!(svg.contains("correlation"));
    }

    #[test]
    fn ragged_and_flat_heatmaps_render() {
        let short = Heatmap {
            x_values: vec![],
            y_values: vec![],
            rows: 3,
            cols: 4,
            values: vec![1.0, f64::NAN],
            value_label: String::new(),
        };
        chart_svg(&Chart::heatmap("h", "H", "", "", short), 300, 200).unwrap();
        let flat = Heatmap {
            x_values: vec![],
            y_values: vec![],
            rows: 2,
            cols: 2,
            values: vec![5.0; 4],
            value_label: "v".into(),
        };
        chart_svg(&Chart::heatmap("h", "H", "", "", flat), 300, 200).unwrap();
        let wide = Heatmap {
            x_values: vec![],
            y_values: vec![],
            rows: 1,
            cols: 300,
            values: (0..300).map(|i| i as f64).collect(),
            value_label: "v".into(),
        };
        chart_svg(&Chart::heatmap("h", "H", "", "", wide), 600, 200).unwrap();
    }

    #[test]
    fn log_axes_skip_zeros_and_nans() {
        let s = series(
            "loss",
            vec![0.0, 1.0, 2.0, 3.0, 4.0, f64::NAN, 6.0],
            vec![0.0, 1.0, f64::NAN, -1.0, 0.1, 0.2, f64::INFINITY],
        );
        let chart = Chart::lines("loss", "Loss", "step", "loss", vec![s])
            .log_y()
            .log_x();
        let svg = chart_svg(&chart, 640, 400).unwrap();
        assert_svg(&svg);
        assert!(svg.contains("not shown"));
    }

    #[test]
    fn empty_charts_render() {
        for chart in [
            Chart::lines("a", "Nothing", "step", "loss", vec![]),
            Chart::lines(
                "b",
                "Empty series",
                "step",
                "loss",
                vec![series("x", vec![], vec![])],
            ),
            Chart::lines(
                "c",
                "All NaN",
                "step",
                "loss",
                vec![series("x", vec![1.0], vec![f64::NAN])],
            )
            .log_y(),
            Chart::scatter("d", "None", "", "", vec![]),
            Chart::heatmap(
                "e",
                "Empty",
                "",
                "",
                Heatmap {
                    x_values: vec![],
                    y_values: vec![],
                    rows: 0,
                    cols: 0,
                    values: vec![],
                    value_label: "v".into(),
                },
            ),
        ] {
            let svg = chart_svg(&chart, 400, 300).unwrap();
            assert_svg(&svg);
            assert!(
                svg.contains("no data yet") || svg.contains("no positive"),
                "{}",
                chart.id
            );
        }
        // Tiny and zero-sized areas do not fail either.
        chart_svg(&loss_chart(), 0, 0).unwrap();
        chart_svg(&loss_chart(), 30, 30).unwrap();
    }

    #[test]
    fn single_points_and_flat_lines_render() {
        let one = series("one", vec![5.0], vec![2.0]);
        let flat = series("flat", vec![0.0, 1.0, 2.0], vec![1.0, 1.0, 1.0]);
        chart_svg(
            &Chart::lines("a", "One", "x", "y", vec![one, flat.clone()]),
            400,
            300,
        )
        .unwrap();
        chart_svg(
            &Chart::lines("b", "Flat", "x", "y", vec![flat]).log_y(),
            400,
            300,
        )
        .unwrap();
    }

    #[test]
    fn a_grid_of_charts_renders() {
        let charts = vec![
            loss_chart(),
            Chart::lines("e", "Empty", "", "", vec![]),
            loss_chart(),
        ];
        let svg = charts_svg_sized(&charts, 2, 400, 300).unwrap();
        assert_svg(&svg);
        assert!(
            svg.contains("width=\"800\"") && svg.contains("height=\"600\""),
            "{}",
            &svg[..200]
        );
        assert_svg(&charts_svg(&[], 2).unwrap());
    }

    /// `NEUROGEOM_PLOT_SAMPLES=dir cargo test --lib plot::tests::samples -- --ignored`
    /// writes sample SVGs to look at.
    #[test]
    #[ignore]
    fn samples() {
        let dir = std::env::var("NEUROGEOM_PLOT_SAMPLES")
            .unwrap_or_else(|_| "target/plot-samples".into());
        std::fs::create_dir_all(&dir).unwrap();
        let n = 16;
        let values = (0..n * n)
            .map(|i| 1.0 - (-(((i / n) as f64 - (i % n) as f64).abs()) / 4.0).exp())
            .collect();
        let map = Heatmap {
            x_values: vec![],
            y_values: vec![],
            rows: n,
            cols: n,
            values,
            value_label: "1 − Pearson r".into(),
        };
        let pts = |c: f64| -> Vec<f64> {
            (0..40)
                .map(|i| c + ((i * 37 % 17) as f64 / 17.0 - 0.5))
                .collect()
        };
        let charts = vec![
            loss_chart(),
            Chart::lines(
                "cka",
                "Representation and kernel alignment",
                "step",
                "CKA, KTA (0–1)",
                vec![
                    series(
                        "CKA(H₀, H)",
                        steps(200),
                        (0..200)
                            .map(|i| 1.0 - 0.4 * (1.0 - (-(i as f64) / 50.0).exp()))
                            .collect(),
                    ),
                    series(
                        "KTA",
                        steps(200),
                        (0..200)
                            .map(|i| 0.2 + 0.5 * (1.0 - (-(i as f64) / 80.0).exp()))
                            .collect(),
                    ),
                ],
            ),
            Chart::scatter(
                "pca",
                "Hidden layer, PCA",
                "PC 1",
                "PC 2",
                vec![
                    series("class 0", pts(0.0), pts(1.0)),
                    series("class 1", pts(2.0), pts(0.0)),
                    series("class 2", pts(-1.0), pts(-1.5)),
                ],
            ),
            Chart::heatmap(
                "rdm",
                "Representational dissimilarity",
                "probe sample",
                "probe sample",
                map,
            ),
            Chart::lines(
                "empty",
                "Tangent-kernel change",
                "step",
                "relative change",
                vec![],
            )
            .log_y(),
        ];
        for c in &charts {
            std::fs::write(
                format!("{dir}/{}.svg", c.id),
                chart_svg(c, 560, 360).unwrap(),
            )
            .unwrap();
        }
        std::fs::write(format!("{dir}/all.svg"), charts_svg(&charts, 2).unwrap()).unwrap();
    }

    #[test]
    fn chart_json_with_nulls_reads_back() {
        let mut chart = loss_chart();
        if let ChartBody::Lines { series } = &mut chart.body {
            series[0].y[3] = f64::NAN;
            series[1].x[0] = f64::INFINITY;
        }
        let text = serde_json::to_string(&chart).unwrap();
        assert!(text.contains("null"));
        let back = chart_from_json(&text).unwrap();
        match (&back.body, &chart.body) {
            (ChartBody::Lines { series: a }, ChartBody::Lines { series: b }) => {
                assert!(a[0].y[3].is_nan() && a[1].x[0].is_nan());
                // serde_json (without float_roundtrip) may differ in the last bit.
                assert!((a[0].y[4] - b[0].y[4]).abs() <= 1e-15 * b[0].y[4].abs());
                assert_eq!(a[1].name, "test");
            }
            _ => panic!("wrong body"),
        }
        let map = Heatmap {
            x_values: vec![],
            y_values: vec![],
            rows: 1,
            cols: 2,
            values: vec![1.0, f64::NAN],
            value_label: "v".into(),
        };
        let text = serde_json::to_string(&Chart::heatmap("h", "H", "", "", map)).unwrap();
        match chart_from_json(&text).unwrap().body {
            ChartBody::Heatmap(m) => assert!(m.values[0] == 1.0 && m.values[1].is_nan()),
            _ => panic!("wrong body"),
        }
        assert!(chart_from_json("{").unwrap_err().contains("malformed"));
        assert!(chart_from_json("{}").is_err());
        assert!(chart_from_json("[1,2]").is_err());
        assert!(chart_from_json(r#"{"body":{"kind":"pie"}}"#).is_err());
    }

    #[test]
    fn cell_bitmaps_cover_every_pixel() {
        let rgb = cell_bitmap(5, 3, 2, 2, |r, c| RGBColor(r as u8, c as u8, 7));
        assert_eq!(rgb.len(), 5 * 3 * 3);
        // Top-left pixel is cell (0, 0); bottom-right is cell (1, 1).
        assert_eq!(&rgb[..3], &[0, 0, 7]);
        assert_eq!(&rgb[rgb.len() - 3..], &[1, 1, 7]);
        assert_eq!(
            bitmap(2, 2, |x, y| RGBColor(x as u8, y as u8, 0)),
            vec![0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0]
        );
    }

    #[test]
    fn thinning_keeps_extremes() {
        let seg: Vec<(f64, f64)> = (0..10_000)
            .map(|i| (i as f64, ((i * 7919) % 1000) as f64))
            .collect();
        let out = thin(&seg, 0.0, 10_000.0, 100);
        assert!(out.len() <= 400);
        let max = out.iter().map(|p| p.1).fold(f64::MIN, f64::max);
        let min = out.iter().map(|p| p.1).fold(f64::MAX, f64::min);
        assert_eq!((min, max), (0.0, 999.0));
        assert_eq!(out.first(), seg.first());
        assert_eq!(out.last(), seg.last());
    }
}
