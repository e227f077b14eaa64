//! A value per category (a metric per layer: "input, h1, h2, out"): one line
//! with markers per series over a categorical x axis. Each series' `x` holds
//! category indices; a pinned run's series are dashed with hollow markers.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::categories;
use super::frame::{hidden_note, plot, Bounds, Frame, Framing};
use super::lines::empty_note;
use super::points::{draw_path, prepare, Prepared};
use super::series::Layer;
use super::theme::{err, Theme};
use crate::snapshot::{Chart, Scale};

pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    spec: &Chart,
    categories: &[String],
    layers: &[Layer],
    t: &Theme,
) -> Result<Option<Frame>, String> {
    let prepared: Vec<Prepared> = layers
        .iter()
        .map(|l| prepare(l.x, l.y, Scale::Linear, spec.y_scale))
        .collect();
    let n = categories::slots(categories, &layers.iter().map(|l| l.x).collect::<Vec<_>>());
    let mut b = Bounds::default();
    prepared.iter().for_each(|p| p.extend(&mut b));
    let framing = Framing {
        x_axis: Some(categories::axis(area, categories, n, t)),
        ..Framing::padded(0.0, 0.08)
    };
    plot(
        area,
        spec,
        b,
        framing,
        empty_note(&prepared),
        t,
        |chart, _, _| {
            for (l, p) in layers.iter().zip(&prepared) {
                for seg in &p.segments {
                    if seg.len() > 1 {
                        draw_path(chart, seg, l.color, 2.0, l.dashed, t)?;
                    }
                    let style = if l.dashed {
                        ShapeStyle::from(&WHITE).filled()
                    } else {
                        l.color.filled()
                    };
                    for &pt in seg {
                        chart
                            .plotting_area()
                            .draw(&Circle::new(pt, t.px(4.0), style))
                            .map_err(err)?;
                        if l.dashed {
                            chart
                                .plotting_area()
                                .draw(&Circle::new(
                                    pt,
                                    t.px(4.0),
                                    l.color.stroke_width(t.px(1.5) as u32),
                                ))
                                .map_err(err)?;
                        }
                    }
                }
            }
            Ok(hidden_note(prepared.iter().map(|p| p.nonpositive).sum())
                .into_iter()
                .collect())
        },
    )
}
