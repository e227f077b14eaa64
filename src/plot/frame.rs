//! The frame shared by every chart with axes: ranges from the data (and the
//! overlays), tick targets from the size, margins, grid, axis titles, an
//! optional equal aspect, and the notes a chart shows instead of failing.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::axis::{Axis, Map};
use super::series::Layer;
use super::theme::{err, text_width, Theme, AXIS, GRID, GRID_MINOR, MUTED, TEXT, TITLE};
use crate::snapshot::Chart;

pub type Coord = Cartesian2d<Axis, Axis>;

/// The smallest box holding some display-space points.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    pub x0: f64,
    pub x1: f64,
    pub y0: f64,
    pub y1: f64,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            x0: f64::MAX,
            x1: f64::MIN,
            y0: f64::MAX,
            y1: f64::MIN,
        }
    }
}

impl Bounds {
    pub fn add(&mut self, (x, y): (f64, f64)) {
        self.add_x(x);
        self.add_y(y);
    }

    pub fn add_x(&mut self, x: f64) {
        if x.is_finite() {
            self.x0 = self.x0.min(x);
            self.x1 = self.x1.max(x);
        }
    }

    pub fn add_y(&mut self, y: f64) {
        if y.is_finite() {
            self.y0 = self.y0.min(y);
            self.y1 = self.y1.max(y);
        }
    }

    pub fn has_x(&self) -> bool {
        self.x0 <= self.x1
    }

    pub fn has_y(&self) -> bool {
        self.y0 <= self.y1
    }
}

/// About how many labelled ticks fit along each side of `area`.
pub fn tick_targets<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    t: &Theme,
) -> (usize, usize) {
    let (w, h) = area.dim_in_pixel();
    (
        ((w as f64 / t.s) / 90.0).round().clamp(2.0, 8.0) as usize,
        ((h as f64 / t.s) / 45.0).round().clamp(2.0, 7.0) as usize,
    )
}

/// How the chart's x and y data map to display space: its scales, with a
/// symlog threshold from the layers' data and the chart's log floor on y.
pub fn maps(spec: &Chart, layers: &[Layer]) -> (Map, Map) {
    let xs = layers.iter().flat_map(|l| l.x.iter().copied());
    let ys = layers.iter().flat_map(|l| {
        let band = l
            .band
            .map_or(&[][..], |b| b.0)
            .iter()
            .chain(l.band.map_or(&[][..], |b| b.1));
        l.y.iter().chain(band).copied()
    });
    (
        Map::of(spec.x_scale, xs, None),
        Map::of(spec.y_scale, ys, spec.y_floor),
    )
}

/// Axes over `b`, padded by the given fractions.
pub fn axes_for<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    b: &Bounds,
    (x_map, y_map): (Map, Map),
    (x_pad, y_pad): (f64, f64),
    t: &Theme,
) -> (Axis, Axis) {
    let (xt, yt) = tick_targets(area, t);
    (
        Axis::new(b.x0, b.x1, x_map, x_pad, xt),
        Axis::new(b.y0, b.y1, y_map, y_pad, yt),
    )
}

/// The width of the widest tick label.
pub fn widest_label<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    axis: &Axis,
    t: &Theme,
) -> i32 {
    let font = t.font(11.0);
    axis.ticks
        .iter()
        .map(|(_, l)| text_width(area, l, &font))
        .max()
        .unwrap_or(0)
}

/// Build a chart on `area` with the given axes and margins.
pub fn build<'a, DB: DrawingBackend>(
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

/// Build the usual chart (right margin for the last tick label), with
/// equal units on both axes when `equal` (and both are linear): the axis
/// with room to spare is widened about its centre.
pub fn build_framed<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    xa: &mut Axis,
    ya: &mut Axis,
    equal: bool,
    t: &Theme,
) -> Result<ChartContext<'a, DB, Coord>, String> {
    let (mr, mb) = (t.px(18.0), t.px(4.0));
    if equal && xa.map == Map::Linear && ya.map == Map::Linear {
        let (xt, yt) = tick_targets(area, t);
        // Twice: the y tick labels' width depends on the y range.
        for _ in 0..2 {
            let chart = build(area, xa, ya, t, mr, mb)?;
            let (pw, ph) = chart.plotting_area().dim_in_pixel();
            let (pw, ph) = (pw.max(1) as f64, ph.max(1) as f64);
            let (ux, uy) = ((xa.hi - xa.lo) / pw, (ya.hi - ya.lo) / ph);
            if !(ux > 0.0 && uy > 0.0) {
                break;
            }
            if ux > uy {
                let c = (ya.lo + ya.hi) / 2.0;
                *ya = fixed_axis(c - ux * ph / 2.0, c + ux * ph / 2.0, yt);
            } else {
                let c = (xa.lo + xa.hi) / 2.0;
                *xa = fixed_axis(c - uy * pw / 2.0, c + uy * pw / 2.0, xt);
            }
        }
    }
    build(area, xa, ya, t, mr, mb)
}

/// A linear axis exactly over [lo, hi].
pub fn fixed_axis(lo: f64, hi: f64, target: usize) -> Axis {
    let mut a = Axis::new(lo, hi, Map::Linear, 0.0, target);
    if hi > lo {
        a.lo = lo;
        a.hi = hi;
        a.ticks.retain(|(p, _)| *p >= lo && *p <= hi);
    }
    a
}

/// Grid, axes, tick labels and axis titles.
pub fn draw_mesh<DB: DrawingBackend>(
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

/// A note in the middle of the plotting area ("no data yet").
pub fn centre_note<DB: DrawingBackend>(
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

/// A small note in the bottom corner of `area` (points not shown, an
/// overlay that cannot be drawn): on the right, or on the left when the
/// x axis title (`x_title`, its pixel span in `area`) leaves no room on the
/// right, as on a phone; shortened with "…" if it fits neither.
pub fn corner_note<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    notes: &[String],
    t: &Theme,
    x_title: Option<(i32, i32)>,
) -> Result<(), String> {
    if notes.is_empty() {
        return Ok(());
    }
    let (w, h) = area.dim_in_pixel();
    let font = t.font(10.0);
    let text = notes.join("; ");
    let (edge, gap) = (t.px(6.0), t.px(10.0));
    let (left_room, right_room) = match x_title {
        Some((a, b)) => (a - gap - edge, w as i32 - edge - (b + gap)),
        None => (0, w as i32 - 2 * edge),
    };
    let width = super::theme::text_width(area, &text, &font);
    let on_left = width > right_room && (width <= left_room || left_room > right_room);
    let room = if on_left { left_room } else { right_room };
    let text = super::theme::fit_text(area, &text, &font, room.max(t.px(20.0)));
    let y = h as i32 - t.px(3.0);
    let (x, hpos) = if on_left {
        (edge, HPos::Left)
    } else {
        (w as i32 - edge, HPos::Right)
    };
    area.draw(&Text::new(
        text,
        (x, y),
        t.text(10.0, MUTED, hpos, VPos::Bottom),
    ))
    .map_err(err)
}

/// The pixel span, in `area`, of the x axis title of a chart built on it:
/// centred under the plotting area.
pub fn x_title_span<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &ChartContext<DB, Coord>,
    spec: &Chart,
    t: &Theme,
) -> Option<(i32, i32)> {
    if spec.x_label.trim().is_empty() {
        return None;
    }
    let (px, _) = chart.plotting_area().get_pixel_range();
    let base = area.get_base_pixel().0;
    let centre = (px.start + px.end) / 2 - base;
    let half = super::theme::text_width(area, &spec.x_label, &t.font(12.0)) / 2;
    Some((centre - half, centre + half))
}

/// "n points ≤ 0 not shown (log axis)".
pub fn hidden_note(hidden: usize) -> Option<String> {
    (hidden > 0).then(|| {
        format!(
            "{hidden} point{} ≤ 0 not shown (log axis)",
            if hidden == 1 { "" } else { "s" }
        )
    })
}

/// "n points below 1e-8 drawn at 1e-8", for a log axis with a floor.
pub fn clipped_note(clipped: usize, map: Map) -> Option<String> {
    match map {
        Map::Log { floor: Some(f) } if clipped > 0 => {
            let f = super::axis::format_value(f);
            Some(format!(
                "{clipped} point{} below {f} drawn at {f}",
                if clipped == 1 { "" } else { "s" }
            ))
        }
        _ => None,
    }
}

/// A frame with axis titles and a note, for a chart with nothing to show.
pub fn draw_empty<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    spec: &Chart,
    note: &str,
    t: &Theme,
) -> Result<Frame, String> {
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
    centre_note(&chart, note, t)?;
    Ok(Frame::of(&chart))
}

/// Where a chart's data landed: its axes and its pixel mapping (for tests
/// and for drawing in pixels).
#[derive(Clone)]
pub struct Frame {
    pub coord: Coord,
}

impl Frame {
    pub fn of<DB: DrawingBackend>(chart: &ChartContext<DB, Coord>) -> Frame {
        Frame {
            coord: chart.as_coord_spec().clone(),
        }
    }

    /// The backend pixel of a display-space point.
    pub fn px(&self, p: (f64, f64)) -> (i32, i32) {
        self.coord.translate(&p)
    }

    /// Where the data landed, for a page that maps pointer positions to
    /// data: the plotting rectangle and each axis's pixel mapping, in CSS
    /// pixels (backend pixels divided by `scale`, the canvas's
    /// device-pixel ratio).
    pub fn plot_box(&self, scale: f64) -> PlotBox {
        let (xa, ya) = (self.coord.x_spec(), self.coord.y_spec());
        // Axis::map is exact at both ends: lo lands on the first pixel of
        // its range, hi on the last.
        let (x_lo, y_lo) = self.coord.translate(&(xa.lo, ya.lo));
        let (x_hi, y_hi) = self.coord.translate(&(xa.hi, ya.hi));
        let s = if scale > 0.0 && scale.is_finite() {
            scale
        } else {
            1.0
        };
        let axis = |a: &Axis, px_lo: i32, px_hi: i32| AxisBox {
            lo: a.lo,
            hi: a.hi,
            log: a.is_log(),
            symlog: match a.map {
                Map::Symlog { c } => Some(c),
                _ => None,
            },
            px_lo: px_lo as f64 / s,
            px_hi: px_hi as f64 / s,
        };
        let (x, y) = (axis(xa, x_lo, x_hi), axis(ya, y_lo, y_hi));
        PlotBox {
            left: x.px_lo.min(x.px_hi),
            top: y.px_lo.min(y.px_hi),
            width: (x.px_hi - x.px_lo).abs(),
            height: (y.px_hi - y.px_lo).abs(),
            x,
            y,
        }
    }
}

/// Where a chart's data landed on its canvas, in CSS pixels from the
/// canvas's top-left corner: the plotting rectangle, and for each axis the
/// pixels of the two ends of its range. The page uses it to turn a pointer
/// position into data (the point editor, `www/point-editor.js`).
///
/// An axis maps *display-space* values linearly: `d = v` on a linear axis,
/// `d = log10 v` on a log axis (`log`), `d = sign(v)·log10(1 + |v|/c)` on a
/// symlog axis (`symlog` = c), and
/// `px = px_lo + (d − lo) / (hi − lo) · (px_hi − px_lo)`.
/// The y axis runs upwards, so its `px_hi` is smaller than its `px_lo`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PlotBox {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
    pub x: AxisBox,
    pub y: AxisBox,
}

/// One axis of a [`PlotBox`]: the display-space range `[lo, hi]` and the
/// CSS pixels where its ends land.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct AxisBox {
    pub lo: f64,
    pub hi: f64,
    pub log: bool,
    /// The threshold c of a symlog axis.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symlog: Option<f64>,
    pub px_lo: f64,
    pub px_hi: f64,
}

impl AxisBox {
    fn map(&self) -> Map {
        match (self.log, self.symlog) {
            (true, _) => Map::Log { floor: None },
            (_, Some(c)) => Map::Symlog { c },
            _ => Map::Linear,
        }
    }

    /// The pixel of a data value (`None` if it cannot be shown).
    pub fn to_px(&self, v: f64) -> Option<f64> {
        let d = self.map().to_display(v)?;
        (d.is_finite() && self.hi > self.lo)
            .then(|| self.px_lo + (d - self.lo) / (self.hi - self.lo) * (self.px_hi - self.px_lo))
    }

    /// The data value at a pixel (the inverse of [`AxisBox::to_px`]).
    pub fn from_px(&self, px: f64) -> f64 {
        let d = self.lo + (px - self.px_lo) / (self.px_hi - self.px_lo) * (self.hi - self.lo);
        self.map().from_display(d)
    }
}

/// How [`plot`] frames a chart.
pub struct Framing {
    /// How x and y data map to display space ([`maps`]).
    pub maps: (Map, Map),
    /// Padding of each axis, as a fraction of the data's span.
    pub pad: (f64, f64),
    /// Equal units on both axes (complex plane, vectors).
    pub equal: bool,
    /// Use this x axis instead of one over the data (categories).
    pub x_axis: Option<Axis>,
    /// Start (or end) the y axis at exactly 0 when the data allow (bars).
    pub y_from_zero: bool,
}

impl Framing {
    pub fn padded(maps: (Map, Map), x: f64, y: f64) -> Framing {
        Framing {
            maps,
            pad: (x, y),
            equal: false,
            x_axis: None,
            y_from_zero: false,
        }
    }
}

/// The common flow of every chart with axes: frame the data bounds `b`
/// (plus the overlays), draw the mesh, call `body` to draw the data (it
/// returns notes), draw the overlays and the notes. With no data, draw an
/// empty frame over [0, 1]² with `empty_note` (and return that frame).
pub fn plot<DB: DrawingBackend, F>(
    area: &DrawingArea<DB, Shift>,
    spec: &Chart,
    b: Bounds,
    framing: Framing,
    empty_note: &str,
    t: &Theme,
    body: F,
) -> Result<Option<Frame>, String>
where
    F: FnOnce(&ChartContext<DB, Coord>, &Axis, &Axis) -> Result<Vec<String>, String>,
{
    // The frame is compiled once per backend, not once per chart kind (each
    // body closure is its own type): a few KB of the page's wasm each.
    let mut body = Some(body);
    plot_with(
        area,
        spec,
        b,
        framing,
        empty_note,
        t,
        &mut |chart, xa, ya| match body.take() {
            Some(f) => f(chart, xa, ya),
            None => Err("a chart's body was drawn twice".to_string()),
        },
    )
}

/// [`plot`], with the body behind a `&mut dyn FnMut` (called once).
type Body<'a, DB> =
    dyn FnMut(&ChartContext<DB, Coord>, &Axis, &Axis) -> Result<Vec<String>, String> + 'a;

fn plot_with<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    spec: &Chart,
    mut b: Bounds,
    framing: Framing,
    empty_note: &str,
    t: &Theme,
    body: &mut Body<'_, DB>,
) -> Result<Option<Frame>, String> {
    if !(b.has_x() || framing.x_axis.is_some()) || !b.has_y() {
        return draw_empty(area, spec, empty_note, t).map(Some);
    }
    super::overlays::extend_bounds(spec, framing.maps, &mut b);
    let (mut xa, mut ya) = axes_for(area, &b, framing.maps, framing.pad, t);
    if let Some(x) = framing.x_axis {
        xa = x;
    }
    if framing.y_from_zero && ya.map == Map::Linear {
        let (_, yt) = tick_targets(area, t);
        if b.y0 >= 0.0 {
            ya = fixed_axis(0.0, ya.hi, yt);
        } else if b.y1 <= 0.0 {
            ya = fixed_axis(ya.lo, 0.0, yt);
        }
    }
    let mut chart = build_framed(area, &mut xa, &mut ya, framing.equal, t)?;
    draw_mesh(&mut chart, spec, &xa, &ya, true, t)?;
    let mut notes = body(&chart, &xa, &ya)?;
    notes.extend(super::overlays::draw(&chart, spec, &xa, &ya, t)?);
    let title = x_title_span(area, &chart, spec, t);
    corner_note(area, &notes, t, title)?;
    Ok(Some(Frame::of(&chart)))
}
