//! Lines through (x, y) points, one per series (a dashed series for an
//! unstable branch or a pinned run). A run of one point between gaps shows
//! as a dot.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{hidden_note, plot, Bounds, Frame, Framing};
use super::points::{draw_path, prepare, thin, Prepared};
use super::series::Layer;
use super::theme::{err, Theme};
use crate::snapshot::Chart;

/// The note of a chart whose series have no drawable point.
pub fn empty_note(prepared: &[Prepared]) -> &'static str {
    if prepared.iter().any(|p| p.nonpositive > 0) {
        "no positive values to show on a log axis"
    } else {
        "no data yet"
    }
}

pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    spec: &Chart,
    layers: &[Layer],
    t: &Theme,
) -> Result<Option<Frame>, String> {
    let prepared: Vec<Prepared> = layers
        .iter()
        .map(|l| prepare(l.x, l.y, spec.x_scale, spec.y_scale))
        .collect();
    let mut b = Bounds::default();
    prepared.iter().for_each(|p| p.extend(&mut b));
    let framing = Framing::padded(0.0, 0.05);
    plot(
        area,
        spec,
        b,
        framing,
        empty_note(&prepared),
        t,
        |chart, xa, _| {
            let columns = chart.plotting_area().dim_in_pixel().0 as usize;
            for (l, p) in layers.iter().zip(&prepared) {
                for seg in &p.segments {
                    if seg.len() == 1 {
                        chart
                            .plotting_area()
                            .draw(&Circle::new(seg[0], t.px(2.0), l.color.filled()))
                            .map_err(err)?;
                    } else {
                        let pts = thin(seg, xa.lo, xa.hi, columns);
                        draw_path(chart, &pts, l.color, 2.0, l.dashed, t)?;
                    }
                }
            }
            Ok(hidden_note(prepared.iter().map(|p| p.nonpositive).sum())
                .into_iter()
                .collect())
        },
    )
}
