//! Unconnected points, one colour per series (group); dashed and pinned
//! series as rings. With a circle or ellipse overlay (a spectrum in the
//! complex plane, a covariance ellipse) both axes get equal units, so the
//! circle is round.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{maps, plot, Bounds, Frame, Framing};
use super::lines::{empty_note, point_notes};
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
    let maps = maps(spec, layers);
    let prepared: Vec<Prepared> = layers
        .iter()
        .map(|l| prepare(l.x, l.y, maps.0, maps.1))
        .collect();
    let mut b = Bounds::default();
    prepared.iter().for_each(|p| p.extend(&mut b));
    let framing = Framing {
        equal: wants_equal_aspect(spec),
        ..Framing::padded(maps, 0.05, 0.05)
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
            Ok(point_notes(&prepared, maps))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::super::colors::series_color;
    use super::super::series::overlay_color;
    use super::super::svg_check::{draw, elements, has_text, with_color};
    use crate::snapshot::{Chart, Overlay, Series};

    #[test]
    fn points_land_on_their_pixels() {
        let chart = Chart::scatter(
            "s",
            "S",
            "x",
            "y",
            vec![Series::new("g", vec![0.0, 3.0, -1.0], vec![0.0, 1.0, 2.0])],
        );
        let (svg, frame) = draw(&chart, None, 400, 300);
        let frame = frame.unwrap();
        let els = elements(&svg);
        let dots: Vec<(i32, i32)> = with_color(&els, "circle", "fill", series_color(0))
            .iter()
            .filter(|e| e.get("opacity") == Some("0.8"))
            .map(|e| (e.num("cx") as i32, e.num("cy") as i32))
            .collect();
        let want: Vec<(i32, i32)> = [(0.0, 0.0), (3.0, 1.0), (-1.0, 2.0)]
            .iter()
            .map(|&p| frame.px(p))
            .collect();
        assert_eq!(dots, want);
    }

    #[test]
    fn the_unit_circle_is_round_and_touches_re_1() {
        let chart = Chart::scatter(
            "spec",
            "Spectrum",
            "Re",
            "Im",
            vec![Series::new("λ", vec![0.5, -0.2], vec![0.1, 0.4])],
        )
        .overlay(Overlay::Circle {
            cx: 0.0,
            cy: 0.0,
            r: 1.0,
            label: "unit circle".into(),
        })
        .overlay(Overlay::VLine {
            x: 1.0,
            label: "Re λ = 1".into(),
        });
        let (svg, frame) = draw(&chart, None, 560, 360);
        let frame = frame.unwrap();
        let els = elements(&svg);
        assert!(svg.contains("unit circle") && svg.contains("Re λ = 1"));
        // The circle: one closed polyline of overlay colour 0, width 2 (1.5 rounded).
        let circle: Vec<_> = with_color(&els, "polyline", "stroke", overlay_color(0))
            .into_iter()
            .filter(|e| e.points().len() > 100)
            .collect();
        assert_eq!(circle.len(), 1);
        let pts = circle[0].points();
        let (x0, x1) = (
            pts.iter().map(|p| p.0).min().unwrap(),
            pts.iter().map(|p| p.0).max().unwrap(),
        );
        let (y0, y1) = (
            pts.iter().map(|p| p.1).min().unwrap(),
            pts.iter().map(|p| p.1).max().unwrap(),
        );
        // Round on screen: equal units on both axes.
        assert!(
            ((x1 - x0) - (y1 - y0)).abs() <= 2,
            "{x0}..{x1} × {y0}..{y1}"
        );
        // Centred on the origin's pixel, with the radius of 1 unit.
        let c = frame.px((0.0, 0.0));
        let r = (frame.px((1.0, 0.0)).0 - c.0) as f64;
        assert!(r > 80.0);
        for p in &pts {
            let d = (((p.0 - c.0).pow(2) + (p.1 - c.1).pow(2)) as f64).sqrt();
            assert!(
                (d - r).abs() <= 1.5,
                "{p:?} is {d} px from the centre, not {r}"
            );
        }
        // The line Re λ = 1 (overlay colour 1) is vertical at the circle's
        // rightmost pixel and spans the plot's height.
        let vline = with_color(&els, "polyline", "stroke", overlay_color(1))
            .into_iter()
            .find(|e| e.get("stroke-width") == Some("2"))
            .unwrap()
            .points();
        assert_eq!(vline.len(), 2);
        assert_eq!(vline[0].0, vline[1].0);
        assert!((vline[0].0 - x1).abs() <= 1, "{} vs {x1}", vline[0].0);
        assert!((vline[0].1 - vline[1].1).abs() > (y1 - y0));
    }

    #[test]
    fn polygon_vertices_and_ellipse_axes_land_right() {
        let (s11, s12, s22) = (4.0, 0.0, 1.0);
        let chart = Chart::scatter(
            "m",
            "Modules",
            "x",
            "y",
            vec![Series::new("samples", vec![0.0, 1.0], vec![0.0, 0.5])],
        )
        .overlay(Overlay::Polygon {
            x: vec![-1.0, 1.5, 0.0],
            y: vec![-1.0, 0.0, 1.2],
            label: "hull".into(),
        })
        .overlay(Overlay::Ellipse {
            cx: 0.5,
            cy: 0.0,
            s11,
            s12,
            s22,
            label: "ellipse".into(),
        });
        let (svg, frame) = draw(&chart, None, 560, 360);
        let frame = frame.unwrap();
        let els = elements(&svg);
        // The hull: a faint filled polygon and its outline, closed.
        let fill = with_color(&els, "polygon", "fill", overlay_color(0));
        assert_eq!(fill.len(), 1);
        let want: Vec<(i32, i32)> = [(-1.0, -1.0), (1.5, 0.0), (0.0, 1.2), (-1.0, -1.0)]
            .iter()
            .map(|&p| frame.px(p))
            .collect();
        assert_eq!(fill[0].points(), want);
        assert!(with_color(&els, "polyline", "stroke", overlay_color(0))
            .iter()
            .any(|e| e.points() == want));
        // The ellipse {(p−c)ᵀ S⁻¹ (p−c) = 1} with S = diag(4, 1): half-axes
        // 2 along x and 1 along y, about (0.5, 0).
        let ell = with_color(&els, "polyline", "stroke", overlay_color(1))
            .into_iter()
            .find(|e| e.points().len() > 100)
            .unwrap()
            .points();
        let xs = (
            ell.iter().map(|p| p.0).min().unwrap(),
            ell.iter().map(|p| p.0).max().unwrap(),
        );
        let ys = (
            ell.iter().map(|p| p.1).min().unwrap(),
            ell.iter().map(|p| p.1).max().unwrap(),
        );
        assert!(
            (xs.0 - frame.px((-1.5, 0.0)).0).abs() <= 1
                && (xs.1 - frame.px((2.5, 0.0)).0).abs() <= 1
        );
        assert!(
            (ys.1 - frame.px((0.5, -1.0)).1).abs() <= 1
                && (ys.0 - frame.px((0.5, 1.0)).1).abs() <= 1
        );
        assert!(has_text(&svg, "hull") && has_text(&svg, "ellipse"));
    }

    #[test]
    fn bad_overlays_are_skipped_with_a_note() {
        let chart = Chart::scatter(
            "m",
            "M",
            "",
            "",
            vec![Series::new("", vec![0.0], vec![0.0])],
        )
        .overlay(Overlay::Ellipse {
            cx: 0.0,
            cy: 0.0,
            s11: 1.0,
            s12: 3.0,
            s22: 1.0,
            label: "bad".into(),
        })
        .overlay(Overlay::Circle {
            cx: f64::NAN,
            cy: 0.0,
            r: 1.0,
            label: String::new(),
        });
        let (svg, frame) = draw(&chart, None, 500, 300);
        assert!(frame.is_some());
        assert!(svg.contains("not drawn"), "{svg}");
    }
}
