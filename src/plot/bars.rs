//! Grouped bars: for each category, one bar per series, side by side within
//! 80 % of the category's slot. Bars rise from 0 (linear axis; the axis
//! starts at 0 when no value is negative) or from the bottom of a log axis.
//! A dashed series is drawn as outlined bars. NaN values leave a gap.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axis::Map;
use super::categories;
use super::frame::{clipped_note, hidden_note, maps, plot, Bounds, Frame, Framing};
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
    let (mut hidden, mut clipped) = (0, 0);
    let ys = maps(spec, layers).1;
    for (k, l) in layers.iter().enumerate() {
        for (&c, &v) in l.x.iter().zip(l.y) {
            if ys.drops(v) {
                hidden += 1;
            }
            if let (true, Some(dv)) = (c.is_finite(), ys.to_display(v)) {
                clipped += usize::from(ys.clips(v));
                bars.push((k, c, dv));
            }
        }
    }
    let mut b = Bounds::default();
    for &(_, _, v) in &bars {
        b.add_y(v);
        if !ys.is_log() {
            // Bars rise from 0 (display 0 on a symlog axis too).
            b.add_y(0.0);
        }
    }
    let framing = Framing {
        x_axis: Some(categories::axis(area, categories, n, t)),
        y_from_zero: true,
        ..Framing::padded((Map::Linear, ys), 0.0, 0.05)
    };
    let note = if hidden > 0 && bars.is_empty() {
        "no positive values to show on a log axis"
    } else {
        "no data yet"
    };
    let count = layers.len().max(1) as f64;
    plot(area, spec, b, framing, note, t, |chart, _, ya| {
        let width = GROUP_WIDTH / count;
        let base = if ya.is_log() { ya.lo } else { 0.0 };
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
        Ok(hidden_note(hidden)
            .into_iter()
            .chain(clipped_note(clipped, ys))
            .collect())
    })
}

#[cfg(test)]
mod tests {
    use super::super::colors::series_color;
    use super::super::svg_check::{draw, elements, with_color};
    use crate::snapshot::{Chart, ChartBody, Series};

    #[test]
    fn bar_heights_and_groups() {
        let a = vec![1.0, 3.0, 2.0];
        let b = vec![2.0, 0.5, f64::NAN];
        let chart = Chart::with_body(
            "b",
            "Bars",
            "rule",
            "accuracy",
            ChartBody::Bars {
                categories: vec!["BP".into(), "FA".into(), "DFA".into()],
                series: vec![
                    Series::new("train", vec![0.0, 1.0, 2.0], a.clone()),
                    Series::new("test", vec![0.0, 1.0, 2.0], b.clone()),
                ],
            },
        );
        let (svg, frame) = draw(&chart, None, 500, 300);
        let frame = frame.unwrap();
        let els = elements(&svg);
        // Legend boxes are 12 px wide; bars are wider.
        let bars = |k: usize| -> Vec<(f64, f64, f64, f64)> {
            with_color(&els, "rect", "fill", series_color(k))
                .iter()
                .map(|e| (e.num("x"), e.num("y"), e.num("width"), e.num("height")))
                .filter(|r| r.2 > 14.0)
                .collect()
        };
        let (ra, rb) = (bars(0), bars(1));
        assert_eq!((ra.len(), rb.len()), (3, 2), "NaN leaves a gap");
        let zero = frame.px((0.0, 0.0)).1 as f64;
        for (r, &v) in ra.iter().zip(&a) {
            // From the baseline at 0 up to the value.
            assert!((r.1 + r.3 - zero).abs() <= 1.0, "{r:?}");
            assert!((r.1 - frame.px((0.0, v)).1 as f64).abs() <= 1.0, "{r:?}");
        }
        // Heights in proportion: 3.0 is three times 1.0.
        assert!((ra[1].3 - 3.0 * ra[0].3).abs() <= 2.0);
        // Side by side within a group: "test" right of "train", same width,
        // both within the category's slot.
        for (p, q) in ra.iter().zip(&rb) {
            assert!(q.0 >= p.0 + p.2 && (p.2 - q.2).abs() <= 1.0);
        }
        let slot = (frame.px((1.0, 0.0)).0 - frame.px((0.0, 0.0)).0) as f64;
        assert!(rb[0].0 + rb[0].2 - ra[0].0 <= 0.8 * slot + 1.0);
        // The y axis starts at 0: the baseline is the plot's bottom edge.
        assert_eq!(
            frame.px((0.0, 0.0)).1,
            frame.px((0.0, frame.coord.get_y_range().start)).1
        );
    }
}
