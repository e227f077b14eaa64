//! Unconnected points, one colour per series (group); dashed and pinned
//! series as rings. With a circle or ellipse overlay (a spectrum in the
//! complex plane, a covariance ellipse) both axes get equal units, so the
//! circle is round.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{hidden_note, plot, Bounds, Frame, Framing};
use super::lines::empty_note;
use super::overlays::wants_equal_aspect;
use super::points::{prepare, Prepared};
use super::series::Layer;
use super::theme::{err, Theme};
use crate::snapshot::Chart;

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
    let framing = Framing {
        equal: wants_equal_aspect(spec),
        ..Framing::padded(0.05, 0.05)
    };
    plot(
        area,
        spec,
        b,
        framing,
        empty_note(&prepared),
        t,
        |chart, _, _| {
            let r = t.px(3.0);
            for (l, p) in layers.iter().zip(&prepared) {
                let style = if l.dashed {
                    l.color.stroke_width(t.px(1.5) as u32)
                } else {
                    l.color.mix(0.8).filled()
                };
                for &pt in p.points() {
                    chart
                        .plotting_area()
                        .draw(&Circle::new(pt, r, style))
                        .map_err(err)?;
                }
            }
            Ok(hidden_note(prepared.iter().map(|p| p.nonpositive).sum())
                .into_iter()
                .collect())
        },
    )
}
