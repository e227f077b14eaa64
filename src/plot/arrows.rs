//! Vectors as arrows from the origin (neurons' tuning vectors): each (x, y)
//! point of a series is an arrow's tip, one colour per series. Both axes are
//! linear with equal units and include the origin, so angles and lengths
//! read true. A zero vector shows as a dot at the origin.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axis::Map;
use super::frame::{plot, Bounds, Frame, Framing};
use super::points::draw_path;
use super::series::Layer;
use super::theme::{err, Theme};
use crate::snapshot::{Chart, Scale};

pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    spec: &Chart,
    layers: &[Layer],
    t: &Theme,
) -> Result<Option<Frame>, String> {
    // Arrows from the origin need linear axes.
    let mut linear = spec.clone();
    linear.x_scale = Scale::Linear;
    linear.y_scale = Scale::Linear;
    let tips: Vec<Vec<(f64, f64)>> = layers
        .iter()
        .map(|l| {
            l.x.iter()
                .zip(l.y)
                .map(|(&x, &y)| (x, y))
                .filter(|p| p.0.is_finite() && p.1.is_finite())
                .collect()
        })
        .collect();
    let skipped: usize = layers
        .iter()
        .zip(&tips)
        .map(|(l, v)| l.x.len().min(l.y.len()) - v.len())
        .sum();
    let mut b = Bounds::default();
    tips.iter().flatten().for_each(|&p| b.add(p));
    if b.has_x() {
        b.add((0.0, 0.0));
    }
    let framing = Framing {
        equal: true,
        ..Framing::padded((Map::Linear, Map::Linear), 0.08, 0.08)
    };
    plot(
        area,
        &linear,
        b,
        framing,
        "no data yet",
        t,
        |chart, _, _| {
            let coord = chart.as_coord_spec();
            let area = chart.plotting_area().strip_coord_spec();
            let base = area.get_base_pixel();
            let local = |p: (f64, f64)| {
                let (x, y) = coord.translate(&p);
                (x - base.0, y - base.1)
            };
            let o = local((0.0, 0.0));
            for (l, tips) in layers.iter().zip(&tips) {
                for &tip in tips {
                    let p = local(tip);
                    let (dx, dy) = ((p.0 - o.0) as f64, (p.1 - o.1) as f64);
                    let len = (dx * dx + dy * dy).sqrt();
                    if len < 1.0 {
                        area.draw(&Circle::new(o, t.px(2.5), l.color.filled()))
                            .map_err(err)?;
                        continue;
                    }
                    draw_path(chart, &[(0.0, 0.0), tip], l.color, 2.0, l.dashed, t)?;
                    // The head: a triangle with its point at the tip.
                    let (ux, uy) = (dx / len, dy / len);
                    let head = (t.px(9.0) as f64).min(len * 0.6);
                    let half = head * 0.45;
                    let (bx, by) = (p.0 as f64 - ux * head, p.1 as f64 - uy * head);
                    let corner = |s: f64| {
                        (
                            (bx - uy * half * s).round() as i32,
                            (by + ux * half * s).round() as i32,
                        )
                    };
                    area.draw(&Polygon::new(
                        vec![p, corner(1.0), corner(-1.0)],
                        l.color.filled(),
                    ))
                    .map_err(err)?;
                }
            }
            Ok(if skipped > 0 {
                vec![format!("{skipped} vector(s) with NaN or ±inf not shown")]
            } else {
                vec![]
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use super::super::colors::series_color;
    use super::super::svg_check::{draw, elements, with_color};
    use crate::snapshot::{Chart, ChartBody, Series};

    #[test]
    fn arrows_run_from_the_origin_to_their_tips() {
        let tips = [(1.0, 0.0), (0.0, 2.0), (-1.5, -0.5)];
        let chart = Chart::with_body(
            "a",
            "Arrows",
            "x",
            "y",
            ChartBody::Arrows {
                series: vec![Series::new(
                    "v",
                    tips.iter().map(|p| p.0).collect(),
                    tips.iter().map(|p| p.1).collect(),
                )],
            },
        );
        let (svg, frame) = draw(&chart, None, 500, 400);
        let frame = frame.unwrap();
        let els = elements(&svg);
        let shafts: Vec<Vec<(i32, i32)>> = with_color(&els, "polyline", "stroke", series_color(0))
            .iter()
            .filter(|e| e.get("stroke-width") == Some("2"))
            .map(|e| e.points())
            .collect();
        let heads = with_color(&els, "polygon", "fill", series_color(0));
        assert_eq!((shafts.len(), heads.len()), (3, 3));
        let o = frame.px((0.0, 0.0));
        for ((shaft, head), &tip) in shafts.iter().zip(&heads).zip(&tips) {
            let p = frame.px(tip);
            assert_eq!(shaft, &vec![o, p]);
            // The head's point is the tip; its base lies back along the shaft.
            let h = head.points();
            assert_eq!(h[0], p);
            let mid = ((h[1].0 + h[2].0) / 2, (h[1].1 + h[2].1) / 2);
            let back = ((o.0 - p.0) as f64, (o.1 - p.1) as f64);
            let along = ((mid.0 - p.0) as f64, (mid.1 - p.1) as f64);
            let cos = (back.0 * along.0 + back.1 * along.1)
                / ((back.0.hypot(back.1)) * along.0.hypot(along.1));
            assert!(cos > 0.99, "{cos}");
        }
        // Equal units: the tip (0, 2) is twice as far from the origin as (1, 0).
        let (a, b) = (frame.px((1.0, 0.0)), frame.px((0.0, 2.0)));
        assert!(
            ((o.1 - b.1) - 2 * (a.0 - o.0)).abs() <= 2,
            "{o:?} {a:?} {b:?}"
        );
    }
}
