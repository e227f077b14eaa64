//! Grouped bars: for each category, one bar per series, side by side within
//! 80 % of the category's slot. Bars rise from 0 (linear axis; the axis
//! starts at 0 when no value is negative) or from the bottom of a log axis.
//! A dashed series is drawn as outlined bars. NaN values leave a gap.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axis::to_display;
use super::categories;
use super::frame::{hidden_note, plot, Bounds, Frame, Framing};
use super::points::log_drop;
use super::series::Layer;
use super::theme::{err, Theme};
use crate::snapshot::Chart;

/// The share of a category's slot the group of bars fills.
pub const GROUP_WIDTH: f64 = 0.8;

pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    spec: &Chart,
    categories: &[String],
    layers: &[Layer],
    t: &Theme,
) -> Result<Option<Frame>, String> {
    let n = categories::slots(categories, &layers.iter().map(|l| l.x).collect::<Vec<_>>());
    // (series k, category position, display value) of every drawable bar.
    let mut bars = Vec::new();
    let mut hidden = 0;
    for (k, l) in layers.iter().enumerate() {
        for (&c, &v) in l.x.iter().zip(l.y) {
            if log_drop(v, spec.y_scale) {
                hidden += 1;
            }
            if let (true, Some(dv)) = (c.is_finite(), to_display(v, spec.y_scale)) {
                bars.push((k, c, dv));
            }
        }
    }
    let mut b = Bounds::default();
    for &(_, _, v) in &bars {
        b.add_y(v);
        if !spec.y_scale.eq(&crate::snapshot::Scale::Log) {
            b.add_y(0.0);
        }
    }
    let framing = Framing {
        x_axis: Some(categories::axis(area, categories, n, t)),
        y_from_zero: true,
        ..Framing::padded(0.0, 0.05)
    };
    let note = if hidden > 0 && bars.is_empty() {
        "no positive values to show on a log axis"
    } else {
        "no data yet"
    };
    let count = layers.len().max(1) as f64;
    plot(area, spec, b, framing, note, t, |chart, _, ya| {
        let width = GROUP_WIDTH / count;
        let base = if ya.log { ya.lo } else { 0.0 };
        for &(k, c, v) in &bars {
            let l = &layers[k];
            let x0 = c - GROUP_WIDTH / 2.0 + k as f64 * width;
            // A hairline of white between neighbouring bars.
            let inset = width * 0.06;
            let rect = [(x0 + inset, base), (x0 + width - inset, v)];
            let style = if l.dashed {
                l.color.stroke_width(t.px(1.5) as u32)
            } else {
                l.color.filled()
            };
            chart
                .plotting_area()
                .draw(&Rectangle::new(rect, style))
                .map_err(err)?;
        }
        Ok(hidden_note(hidden).into_iter().collect())
    })
}
