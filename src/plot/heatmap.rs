//! A matrix of values as coloured cells, with a viridis colour bar.
//!
//! Axes are cell indices (row 0 at the top, as a matrix reads), named cells
//! when the heatmap gives `x_labels` / `y_labels` (the credit lab's rules),
//! or numeric when it gives `x_values` / `y_values` (a phase diagram: each
//! column at its parameter value, rows rising with theirs, log where the
//! chart's scale is log). A numeric cell spans half-way to its neighbours
//! (in display space, so log-spaced values get equal cells on a log axis).
//! Values that do not fit (wrong count, not strictly monotone, ≤ 0 on a log
//! axis) fall back to indices with a note. NaN cells are grey, a colour
//! viridis never takes, and the colour bar then shows a grey "NaN" swatch.
//!
//! The colour bar spans the heatmap's `value_range` when it gives one (a
//! bounded quantity: CKA in [0, 1]), else the data; `value_scale` log maps
//! log10 of the value to colour (a loss over decades), and a value ≤ 0 is
//! then grey like NaN, with a note (symlog: sign(v)·log10(1 + |v|/c)).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axis::{self, Axis, Map};
use super::colors::viridis;
use super::frame::{build, corner_note, draw_empty, draw_mesh, widest_label, x_title_span, Frame};
use super::theme::{err, fit_text, text_width, Theme, AXIS, TEXT, TITLE};
use super::Painter;
use crate::snapshot::{Chart, Heatmap, Scale};

/// The colour of a NaN cell.
pub const NAN_COLOR: RGBColor = RGBColor(200, 200, 200);

/// One axis of cells: the axis, and the display-space span of each cell.
struct Cells {
    axis: Axis,
    spans: Vec<(f64, f64)>,
}

/// Ticks at the centres of cells 0..n, labelled by index (or by name, from
/// `names`, when it has one per cell). `flip` puts index 0 at the top (the
/// far end of the axis).
fn index_cells(n: usize, target: usize, flip: bool, names: &[String]) -> Cells {
    let mut ticks = Vec::new();
    let named = names.len() == n;
    if n > 0 {
        let step = if named && n <= 3 * target {
            1
        } else {
            axis::nice_step(n as f64, target).max(1.0).round() as usize
        };
        for k in (0..n).step_by(step.max(1)) {
            let pos = if flip {
                n as f64 - k as f64 - 0.5
            } else {
                k as f64 + 0.5
            };
            let label = if named {
                names[k].clone()
            } else {
                k.to_string()
            };
            ticks.push((pos, label));
        }
    }
    let spans = (0..n)
        .map(|k| {
            if flip {
                ((n - k - 1) as f64, (n - k) as f64)
            } else {
                (k as f64, k as f64 + 1.0)
            }
        })
        .collect();
    Cells {
        axis: Axis {
            lo: 0.0,
            hi: n.max(1) as f64,
            map: Map::Linear,
            ticks,
            minor: vec![],
        },
        spans,
    }
}

/// Cells at numeric values, or why they cannot be.
fn numeric_cells(values: &[f64], n: usize, scale: Scale, target: usize) -> Result<Cells, String> {
    if values.len() != n {
        return Err(format!("{} values for {n} cells", values.len()));
    }
    let map = Map::of(scale, values.iter().copied(), None);
    let d: Vec<f64> = values
        .iter()
        .map(|&v| map.to_display(v))
        .collect::<Option<_>>()
        .ok_or("a value is NaN, ±inf or ≤ 0 on a log axis")?;
    let rising = d.windows(2).all(|w| w[1] > w[0]);
    let falling = d.windows(2).all(|w| w[1] < w[0]);
    if !(rising || falling) {
        return Err("values are not strictly monotone".into());
    }
    // Edges half-way between neighbours; the ends as far out as the
    // neighbouring half-gap (half a unit, or half a decade, for one value).
    let mut edges = Vec::with_capacity(n + 1);
    if n == 1 {
        let half = if scale == Scale::Log {
            0.5
        } else {
            (d[0].abs() * 0.1).max(0.5)
        };
        edges.extend([d[0] - half, d[0] + half]);
    } else {
        edges.push(d[0] - (d[1] - d[0]) / 2.0);
        edges.extend(d.windows(2).map(|w| (w[0] + w[1]) / 2.0));
        edges.push(d[n - 1] + (d[n - 1] - d[n - 2]) / 2.0);
    }
    let spans: Vec<(f64, f64)> = edges
        .windows(2)
        .map(|w| (w[0].min(w[1]), w[0].max(w[1])))
        .collect();
    let lo = spans.iter().map(|s| s.0).fold(f64::MAX, f64::min);
    let hi = spans.iter().map(|s| s.1).fold(f64::MIN, f64::max);
    let ticks = if n <= target + 2 {
        // Few values: label each cell with its value.
        values
            .iter()
            .zip(&d)
            .map(|(&v, &p)| (p, axis::format_value(v)))
            .collect()
    } else {
        let a = Axis::new(lo, hi, map, 0.0, target);
        a.ticks
            .into_iter()
            .filter(|(p, _)| *p >= lo && *p <= hi)
            .collect()
    };
    Ok(Cells {
        axis: Axis {
            lo,
            hi,
            map,
            ticks,
            minor: vec![],
        },
        spans,
    })
}

/// One axis of a heatmap as given: its numeric values, its names, the
/// number of cells and the chart's scale.
struct CellSpec<'a> {
    values: &'a [f64],
    names: &'a [String],
    n: usize,
    scale: Scale,
}

/// Numeric cells when `values` are given and fit, else index cells, named
/// when names are given (and a note saying why values were not used).
fn cells(spec: CellSpec, target: usize, flip: bool, name: &str, notes: &mut Vec<String>) -> Cells {
    if spec.values.is_empty() {
        return index_cells(spec.n, target, flip, spec.names);
    }
    numeric_cells(spec.values, spec.n, spec.scale, target).unwrap_or_else(|why| {
        notes.push(format!("{name} values not used ({why})"));
        index_cells(spec.n, target, flip, spec.names)
    })
}

/// The colour bar: how values map to display space (linear or log) and the
/// axis over the display range (the heatmap's `value_range` when given,
/// widened to the data if they stray out of it; else the data's range).
fn colour_axis(map: &Heatmap, finite: &[f64]) -> (Map, Axis) {
    let cmap = Map::of(map.value_scale, finite.iter().copied(), None);
    let shown: Vec<f64> = finite.iter().filter_map(|&v| cmap.to_display(v)).collect();
    let (mut lo, mut hi) = shown
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    let range = map
        .value_range
        .filter(|[a, b]| a.is_finite() && b.is_finite() && a < b)
        .and_then(|[a, b]| Some((cmap.to_display(a)?, cmap.to_display(b)?)));
    let axis = match range {
        Some((a, b)) => {
            lo = lo.min(a);
            hi = hi.max(b);
            let mut axis = Axis::new(lo, hi, cmap, 0.0, 5);
            // Exactly the range: the ends are the bounds of the quantity.
            axis.lo = lo;
            axis.hi = hi;
            axis.ticks
                .retain(|(p, _)| *p >= lo - 1e-12 && *p <= hi + 1e-12);
            axis
        }
        None => Axis::new(lo, hi, cmap, 0.0, 5),
    };
    (cmap, axis)
}

pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    spec: &Chart,
    map: &Heatmap,
    t: &Theme,
    mut paint: Option<Painter>,
) -> Result<Option<Frame>, String> {
    let (rows, cols) = (map.rows, map.cols);
    let value = |r: usize, c: usize| -> f64 {
        r.checked_mul(cols)
            .and_then(|i| i.checked_add(c))
            .and_then(|i| map.values.get(i))
            .copied()
            .filter(|v| v.is_finite())
            .unwrap_or(f64::NAN)
    };
    let cells_n = rows.saturating_mul(cols);
    if rows == 0 || cols == 0 || cells_n > 4_000_000 {
        return draw_empty(area, spec, "no data yet", t).map(Some);
    }
    let finite: Vec<f64> = map
        .values
        .iter()
        .take(cells_n)
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    let (cmap, cbar) = colour_axis(map, &finite);
    let shown = |v: f64| cmap.to_display(v).filter(|d| d.is_finite());
    if !finite.iter().any(|&v| shown(v).is_some()) {
        let why = if finite.is_empty() {
            "every value is NaN"
        } else {
            "no positive values to show on a log colour scale"
        };
        return draw_empty(area, spec, why, t).map(Some);
    }
    let any_nan = (0..rows).any(|r| (0..cols).any(|c| shown(value(r, c)).is_none()));
    let hidden = finite.iter().filter(|&&v| cmap.drops(v)).count();
    let cbar_font = t.font(11.0);
    let cbar_label_w = cbar
        .ticks
        .iter()
        .map(|(_, l)| l.as_str())
        .chain(any_nan.then_some("NaN"))
        .map(|l| text_width(area, l, &cbar_font))
        .max()
        .unwrap_or(0);
    let bar_gap = t.px(14.0);
    let bar_w = t.px(12.0);
    let cbar_w = bar_gap + bar_w + t.px(8.0) + cbar_label_w + t.px(10.0) + t.px(16.0);

    let (w, h) = area.dim_in_pixel();
    let mut notes = Vec::new();
    let xt = ((w as f64 / t.s) / 80.0).clamp(2.0, 8.0) as usize;
    let yt = ((h as f64 / t.s) / 45.0).clamp(2.0, 8.0) as usize;
    if hidden > 0 {
        notes.push(format!(
            "{hidden} cell{} ≤ 0 grey (log colour scale)",
            if hidden == 1 { "" } else { "s" }
        ));
    }
    let xc = cells(
        CellSpec {
            values: &map.x_values,
            names: &map.x_labels,
            n: cols,
            scale: spec.x_scale,
        },
        xt,
        false,
        "x",
        &mut notes,
    );
    let yc = cells(
        CellSpec {
            values: &map.y_values,
            names: &map.y_labels,
            n: rows,
            scale: spec.y_scale,
        },
        yt,
        true,
        "y",
        &mut notes,
    );
    let (xa, ya) = (&xc.axis, &yc.axis);

    // Keep the cells of a matrix near square: give the spare width to the
    // right margin, or the spare height to the bottom margin. A phase
    // diagram (numeric axes) uses the whole area.
    let y_area = widest_label(area, ya, t) + t.px(34.0);
    let x_area = t.px(11.0 * 1.3) + t.px(30.0);
    let avail_w = (w as i32 - y_area - t.px(4.0) - cbar_w).max(10) as f64;
    let avail_h = (h as i32 - x_area - t.px(6.0) - t.px(4.0)).max(10) as f64;
    let aspect = (cols as f64 / rows as f64).clamp(0.5, 2.0);
    let (mut extra_r, mut extra_b) = (0, 0);
    let matrix = map.x_values.is_empty() && map.y_values.is_empty();
    if matrix && avail_h * aspect < avail_w {
        extra_r = (avail_w - avail_h * aspect) as i32;
    } else if matrix {
        extra_b = (avail_h - avail_w / aspect) as i32;
    }
    let mut chart = build(area, xa, ya, t, cbar_w + extra_r, t.px(4.0) + extra_b)?;
    draw_mesh(&mut chart, spec, xa, ya, false, t)?;

    let span = cbar.hi - cbar.lo;
    let colour = |r: usize, c: usize| match shown(value(r, c)) {
        Some(d) => viridis((d - cbar.lo) / span),
        None => NAN_COLOR,
    };
    let (px_range, py_range) = chart.plotting_area().get_pixel_range();
    let base = area.get_base_pixel();
    if let Some(paint) = paint.as_mut() {
        // One bitmap over the plotting area: pixel (x, y) shows the cell under it.
        let coord = chart.as_coord_spec();
        let (pw, ph) = (px_range.len().max(1), py_range.len().max(1));
        let col_of = pixel_cells(&xc.spans, pw, px_range.start, |v| {
            coord.translate(&(v, ya.lo)).0
        });
        let row_of = pixel_cells(&yc.spans, ph, py_range.start, |v| {
            coord.translate(&(xa.lo, v)).1
        });
        let rgb = cell_bitmap(&col_of, &row_of, colour);
        paint(
            (px_range.start, py_range.start),
            (pw as u32, ph as u32),
            &rgb,
        )?;
    } else {
        let (xs, ys) = (&xc.spans, &yc.spans);
        chart
            .draw_series((0..rows).flat_map(|r| {
                (0..cols).map(move |c| {
                    Rectangle::new(
                        [(xs[c].0, ys[r].1), (xs[c].1, ys[r].0)],
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
    if any_nan {
        // A grey swatch under the bar: what a NaN cell looks like.
        let (s0, s1) = (by1 + t.px(8.0), by1 + t.px(8.0) + bar_w);
        area.draw(&Rectangle::new([(bx0, s0), (bx1, s1)], NAN_COLOR.filled()))
            .map_err(err)?;
        area.draw(&Rectangle::new(
            [(bx0, s0), (bx1, s1)],
            AXIS.stroke_width(t.px(1.0) as u32),
        ))
        .map_err(err)?;
        area.draw(&Text::new(
            "NaN",
            (bx1 + t.px(7.0), (s0 + s1) / 2),
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
    corner_note(area, &notes, t, x_title_span(area, &chart, spec, t))?;
    Ok(Some(Frame::of(&chart)))
}

/// For each of `n` pixels from `start`, the cell whose pixel span holds it
/// (`to_px` maps a display value to a pixel), or none.
fn pixel_cells(
    spans: &[(f64, f64)],
    n: usize,
    start: i32,
    to_px: impl Fn(f64) -> i32,
) -> Vec<Option<usize>> {
    let mut out = vec![None; n];
    for (k, &(a, b)) in spans.iter().enumerate() {
        let (p, q) = (to_px(a), to_px(b));
        let (p, q) = (p.min(q), p.max(q));
        for px in p.max(start)..q.min(start + n as i32) {
            out[(px - start) as usize] = Some(k);
        }
    }
    out
}

/// Paints an RGB bitmap (3 bytes a pixel, row-major) with its top-left
/// corner at a backend pixel, one bitmap pixel per backend pixel.
pub fn bitmap(w: usize, h: usize, pixel: impl Fn(usize, usize) -> RGBColor) -> Vec<u8> {
    let mut rgb = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        for x in 0..w {
            let RGBColor(r, g, b) = pixel(x, y);
            rgb.extend_from_slice(&[r, g, b]);
        }
    }
    rgb
}

/// An RGB bitmap showing a grid of cells: pixel (x, y) takes the colour of
/// cell (row_of[y], col_of[x]) (white where none), each cell colour computed
/// once and each scanline built once per row.
fn cell_bitmap(
    col_of: &[Option<usize>],
    row_of: &[Option<usize>],
    colour: impl Fn(usize, usize) -> RGBColor,
) -> Vec<u8> {
    let cols = col_of.iter().flatten().max().map_or(0, |m| m + 1);
    let mut rgb = Vec::with_capacity(col_of.len() * row_of.len() * 3);
    let mut line: Vec<u8> = Vec::with_capacity(col_of.len() * 3);
    let mut line_row = None;
    let white = [255u8, 255, 255];
    for &r in row_of {
        if r != line_row || line.is_empty() {
            line.clear();
            let cells: Vec<RGBColor> = match r {
                Some(r) => (0..cols).map(|c| colour(r, c)).collect(),
                None => vec![],
            };
            for c in col_of {
                match (r, c) {
                    (Some(_), Some(c)) => {
                        let RGBColor(a, b, d) = cells[*c];
                        line.extend_from_slice(&[a, b, d]);
                    }
                    _ => line.extend_from_slice(&white),
                }
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

    #[test]
    fn cell_bitmaps_cover_every_pixel() {
        let col_of = [Some(0), Some(0), Some(1), Some(1), Some(1)];
        let row_of = [Some(0), Some(1), Some(1)];
        let rgb = cell_bitmap(&col_of, &row_of, |r, c| RGBColor(r as u8, c as u8, 7));
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
    fn numeric_cells_meet_half_way() {
        let c = numeric_cells(&[0.01, 0.1, 1.0], 3, Scale::Log, 5).unwrap();
        let s: Vec<(f64, f64)> = c.spans;
        assert!((s[0].0 + 2.5).abs() < 1e-12 && (s[0].1 + 1.5).abs() < 1e-12);
        assert!((s[2].1 - 0.5).abs() < 1e-12);
        assert!(numeric_cells(&[1.0, 1.0], 2, Scale::Linear, 5).is_err());
        assert!(numeric_cells(&[0.0, 1.0], 2, Scale::Log, 5).is_err());
        assert!(numeric_cells(&[1.0], 2, Scale::Linear, 5).is_err());
    }
}

#[cfg(test)]
mod pixel_tests {
    use super::super::svg_check::{draw, elements, has_text, hex};
    use super::*;
    use crate::snapshot::Scale;

    #[test]
    fn cells_have_their_colours_at_their_values() {
        // 2 rows × 3 columns at α = 0.01, 0.1, 1 (log x) and width 10, 20 (linear y).
        let values = vec![0.0, 1.0, 2.0, 3.0, f64::NAN, 5.0];
        let chart = Chart::heatmap(
            "h",
            "Phase",
            "α",
            "width",
            Heatmap {
                x_values: vec![0.01, 0.1, 1.0],
                y_values: vec![10.0, 20.0],
                ..Heatmap::new(2, 3, values.clone(), "metric")
            },
        )
        .log_x();
        let (svg, frame) = draw(&chart, None, 560, 360);
        let frame = frame.unwrap();
        let els = elements(&svg);
        let rects: Vec<_> = els.iter().filter(|e| e.tag == "rect").collect();
        let cell_at = |p: (i32, i32)| {
            rects
                .iter()
                .rev()
                .find(|e| {
                    let (x, y, w, h) = (e.num("x"), e.num("y"), e.num("width"), e.num("height"));
                    e.get("fill") != Some("none")
                        && w < 300.0
                        && (p.0 as f64) > x
                        && (p.0 as f64) < x + w
                        && (p.1 as f64) > y
                        && (p.1 as f64) < y + h
                })
                .map(|e| (e.get("fill").unwrap().to_string(), e.num("width")))
                .unwrap()
        };
        let mut widths = vec![];
        for r in 0..2 {
            for c in 0..3 {
                let at = frame.px(([-2.0, -1.0, 0.0][c], [10.0, 20.0][r]));
                let (fill, w) = cell_at(at);
                let v = values[r * 3 + c];
                let want = if v.is_nan() {
                    NAN_COLOR
                } else {
                    viridis(v / 5.0)
                };
                assert_eq!(fill, hex(want), "cell ({r}, {c})");
                widths.push(w);
            }
        }
        // Log-spaced values give equal cells on the log axis.
        assert!(
            widths.iter().all(|w| (w - widths[0]).abs() <= 1.0),
            "{widths:?}"
        );
        // Row 1 (width 20) is above row 0: y rises with the values.
        assert!(frame.px((0.0, 20.0)).1 < frame.px((0.0, 10.0)).1);
        assert!(has_text(&svg, "NaN"));
    }

    /// The fill of the cell rectangle under pixel `p`.
    fn fill_at(svg: &str, p: (i32, i32)) -> String {
        elements(svg)
            .iter()
            .filter(|e| e.tag == "rect" && e.get("fill") != Some("none") && e.num("width") < 300.0)
            .rev()
            .find(|e| {
                let (x, y, w, h) = (e.num("x"), e.num("y"), e.num("width"), e.num("height"));
                (p.0 as f64) > x && (p.0 as f64) < x + w && (p.1 as f64) > y && (p.1 as f64) < y + h
            })
            .and_then(|e| e.get("fill"))
            .unwrap()
            .to_string()
    }

    /// A CKA matrix between rules: ticks read the rule names, the colour
    /// bar spans [0, 1] whatever the data, and a NaN cell is grey.
    #[test]
    fn named_cells_and_a_bounded_colour_range() {
        let names: Vec<String> = ["bp", "fa", "dfa"].map(String::from).to_vec();
        let values = vec![
            1.0,
            0.9,
            f64::NAN,
            0.9,
            1.0,
            f64::NAN,
            f64::NAN,
            f64::NAN,
            f64::NAN,
        ];
        let chart = Chart::heatmap(
            "cka",
            "CKA",
            "rule",
            "rule",
            Heatmap {
                x_labels: names.clone(),
                y_labels: names.clone(),
                value_range: Some([0.0, 1.0]),
                ..Heatmap::new(3, 3, values, "linear CKA")
            },
        );
        let (svg, frame) = draw(&chart, None, 480, 400);
        let frame = frame.unwrap();
        for n in &names {
            assert!(has_text(&svg, n), "tick {n}");
        }
        assert!(
            !has_text(&svg, "0") || has_text(&svg, "0.0"),
            "no index ticks"
        );
        // Colour bar ticks from 0 to 1.
        assert!(has_text(&svg, "0.0") && has_text(&svg, "1.0"), "{svg}");
        // Cell (0, 1) = 0.9 takes viridis(0.9), not the top of a 0.9–1 range.
        assert_eq!(fill_at(&svg, frame.px((1.5, 2.5))), hex(viridis(0.9)));
        assert_eq!(fill_at(&svg, frame.px((0.5, 2.5))), hex(viridis(1.0)));
        assert_eq!(fill_at(&svg, frame.px((2.5, 0.5))), hex(NAN_COLOR));
        // Without the range, 0.9 would be the bottom colour.
        let mut data_range = chart.clone();
        if let crate::snapshot::ChartBody::Heatmap(m) = &mut data_range.body {
            m.value_range = None;
        }
        let (svg, frame) = draw(&data_range, None, 480, 400);
        assert_eq!(
            fill_at(&svg, frame.unwrap().px((1.5, 2.5))),
            hex(viridis(0.0))
        );
    }

    /// A phase diagram of a loss over four decades: colours follow log10.
    #[test]
    fn log_colour_scales_follow_decades() {
        let values = vec![1e-4, 1e-3, 1e-2, 1.0, 0.0, f64::NAN];
        let chart = Chart::heatmap(
            "loss",
            "Loss",
            "α",
            "width",
            Heatmap {
                value_scale: Scale::Log,
                ..Heatmap::new(2, 3, values, "train loss")
            },
        );
        let (svg, frame) = draw(&chart, None, 520, 360);
        let frame = frame.unwrap();
        // Row 0 is on top: cells (0, c) at y = 1.5.
        let at = |r: usize, c: usize| fill_at(&svg, frame.px((c as f64 + 0.5, 1.5 - r as f64)));
        assert_eq!(at(0, 0), hex(viridis(0.0)));
        assert_eq!(at(0, 1), hex(viridis(0.25)));
        assert_eq!(at(0, 2), hex(viridis(0.5)));
        assert_eq!(at(1, 0), hex(viridis(1.0)));
        // 0 cannot be shown on a log scale: grey, and said.
        assert_eq!(at(1, 1), hex(NAN_COLOR));
        assert!(svg.contains("1 cell ≤ 0 grey (log colour scale)"), "{svg}");
        assert!(
            has_text(&svg, "1e-4") || has_text(&svg, "0.0001"),
            "decade ticks"
        );
    }

    #[test]
    fn index_heatmaps_put_row_0_on_top() {
        let chart = Chart::heatmap(
            "h",
            "H",
            "",
            "",
            Heatmap::new(2, 2, vec![0.0, 0.0, 1.0, 1.0], ""),
        );
        let (svg, frame) = draw(&chart, None, 400, 300);
        let frame = frame.unwrap();
        let top = frame.px((0.5, 1.5));
        let els = elements(&svg);
        let fill = els
            .iter()
            .filter(|e| e.tag == "rect" && e.num("width") < 300.0)
            .find(|e| {
                let (x, y, w, h) = (e.num("x"), e.num("y"), e.num("width"), e.num("height"));
                (top.0 as f64) > x
                    && (top.0 as f64) < x + w
                    && (top.1 as f64) > y
                    && (top.1 as f64) < y + h
            })
            .and_then(|e| e.get("fill"))
            .unwrap();
        assert_eq!(fill, hex(viridis(0.0)));
        // Bad numeric values fall back to indices, with a note.
        let bad = Chart::heatmap(
            "h",
            "H",
            "",
            "",
            Heatmap {
                x_values: vec![1.0, 1.0],
                ..Heatmap::new(2, 2, vec![0.0; 4], "")
            },
        );
        let (svg, _) = draw(&bad, None, 400, 300);
        assert!(svg.contains("not used"));
    }
}
