//! Lines with a shaded band from `lo` to `hi` around each (the spread over
//! seeds: the mean as the line, the lowest and highest seed as the band's
//! edges). The band is the series colour, translucent; a pinned run's band
//! is fainter and its line dashed.
//!
//! The band is one filled polygon per run of points where x, lo and hi are
//! all drawable: along the upper edge forwards, back along the lower edge.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axis::to_display;
use super::frame::{hidden_note, plot, Bounds, Frame, Framing};
use super::lines::empty_note;
use super::points::{draw_path, log_drop, prepare, Prepared};
use super::series::Layer;
use super::theme::{err, Theme, BAND_ALPHA, PINNED_BAND_ALPHA};
use crate::snapshot::{Chart, Scale};

/// Runs of (x, lo, hi) in display space, and how many points a log axis hid.
fn band_runs(
    x: &[f64],
    lo: &[f64],
    hi: &[f64],
    xs: Scale,
    ys: Scale,
) -> (Vec<Vec<(f64, f64, f64)>>, usize) {
    let (mut runs, mut run, mut hidden) = (Vec::new(), Vec::new(), 0);
    for (i, &xv) in x.iter().enumerate() {
        let (l, h) = (
            lo.get(i).copied().unwrap_or(f64::NAN),
            hi.get(i).copied().unwrap_or(f64::NAN),
        );
        match (to_display(xv, xs), to_display(l, ys), to_display(h, ys)) {
            (Some(dx), Some(dl), Some(dh)) => run.push((dx, dl.min(dh), dl.max(dh))),
            _ => {
                if log_drop(xv, xs) || log_drop(l, ys) || log_drop(h, ys) {
                    hidden += 1;
                }
                if !run.is_empty() {
                    runs.push(std::mem::take(&mut run));
                }
            }
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    (runs, hidden)
}

pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    spec: &Chart,
    layers: &[Layer],
    t: &Theme,
) -> Result<Option<Frame>, String> {
    let (xs, ys) = (spec.x_scale, spec.y_scale);
    let lines: Vec<Prepared> = layers.iter().map(|l| prepare(l.x, l.y, xs, ys)).collect();
    let bands: Vec<_> = layers
        .iter()
        .map(|l| match l.band {
            Some((lo, hi)) => band_runs(l.x, lo, hi, xs, ys),
            None => (vec![], 0),
        })
        .collect();
    let mut b = Bounds::default();
    lines.iter().for_each(|p| p.extend(&mut b));
    for (x, lo, hi) in bands.iter().flat_map(|(r, _)| r.iter().flatten()) {
        b.add((*x, *lo));
        b.add((*x, *hi));
    }
    let hidden = lines.iter().map(|p| p.nonpositive).sum::<usize>()
        + bands.iter().map(|(_, h)| h).sum::<usize>();
    let framing = Framing::padded(0.0, 0.05);
    plot(
        area,
        spec,
        b,
        framing,
        empty_note(&lines),
        t,
        |chart, _, _| {
            // Every band first, so that no band veils another series' line.
            for (l, (runs, _)) in layers.iter().zip(&bands) {
                let alpha = if l.pinned {
                    PINNED_BAND_ALPHA
                } else {
                    BAND_ALPHA
                };
                for run in runs {
                    let poly: Vec<(f64, f64)> = run
                        .iter()
                        .map(|&(x, _, hi)| (x, hi))
                        .chain(run.iter().rev().map(|&(x, lo, _)| (x, lo)))
                        .collect();
                    chart
                        .plotting_area()
                        .draw(&Polygon::new(poly, l.color.mix(alpha).filled()))
                        .map_err(err)?;
                }
            }
            for (l, p) in layers.iter().zip(&lines) {
                for seg in &p.segments {
                    if seg.len() == 1 {
                        chart
                            .plotting_area()
                            .draw(&Circle::new(seg[0], t.px(2.5), l.color.filled()))
                            .map_err(err)?;
                    } else {
                        draw_path(chart, seg, l.color, 2.0, l.dashed, t)?;
                    }
                }
            }
            Ok(hidden_note(hidden).into_iter().collect())
        },
    )
}
