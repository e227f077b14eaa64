//! A value per category (a metric per layer: "input, h1, h2, out"): one line
//! with markers per series over a categorical x axis. Each series' `x` holds
//! category indices; a pinned run's series are dashed with hollow markers.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axis::Map;
use super::categories;
use super::frame::{maps, plot, Bounds, Frame, Framing};
use super::lines::{empty_note, point_notes};
use super::points::{draw_path, prepare, Prepared};
use super::series::Layer;
use super::theme::{err, Theme};
use crate::snapshot::Chart;

pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    spec: &Chart,
    categories: &[String],
    layers: &[Layer],
    t: &Theme,
) -> Result<Option<Frame>, String> {
    let maps = (Map::Linear, maps(spec, layers).1);
    let prepared: Vec<Prepared> = layers
        .iter()
        .map(|l| prepare(l.x, l.y, maps.0, maps.1))
        .collect();
    let n = categories::slots(categories, &layers.iter().map(|l| l.x).collect::<Vec<_>>());
    let mut b = Bounds::default();
    prepared.iter().for_each(|p| p.extend(&mut b));
    let framing = Framing {
        x_axis: Some(categories::axis(area, categories, n, t)),
        ..Framing::padded(maps, 0.0, 0.08)
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
            Ok(point_notes(&prepared, maps))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::super::colors::series_color;
    use super::super::svg_check::{draw, elements, has_text, with_color};
    use crate::snapshot::{Chart, ChartBody, Series};

    #[test]
    fn profile_points_sit_on_their_categories() {
        let categories: Vec<String> = ["input", "h1", "h2", "out"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let y = vec![0.1, 0.4, 0.3, 0.8];
        let chart = Chart::with_body(
            "p",
            "Profile",
            "layer",
            "value",
            ChartBody::Profile {
                categories: categories.clone(),
                series: vec![Series::new("run", vec![0.0, 1.0, 2.0, 3.0], y.clone())],
            },
        );
        let (svg, frame) = draw(&chart, None, 500, 300);
        let frame = frame.unwrap();
        for c in &categories {
            assert!(has_text(&svg, c), "label {c}");
        }
        let els = elements(&svg);
        let want: Vec<(i32, i32)> = (0..4).map(|i| frame.px((i as f64, y[i]))).collect();
        let line = with_color(&els, "polyline", "stroke", series_color(0));
        assert!(line.iter().any(|l| l.points() == want));
        let markers: Vec<(i32, i32)> = with_color(&els, "circle", "fill", series_color(0))
            .iter()
            .map(|e| (e.num("cx") as i32, e.num("cy") as i32))
            .filter(|p| want.contains(p))
            .collect();
        assert_eq!(markers, want);
        // Categories are evenly spaced, the first and last half a slot in.
        let step = want[1].0 - want[0].0;
        assert!(step > 50 && (want[3].0 - want[2].0 - step).abs() <= 1);
    }
}
