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

#[cfg(test)]
mod tests {
    use super::super::colors::series_color;
    use super::super::svg_check::{draw, elements, with_color, El};
    use crate::snapshot::{Chart, Series};

    fn width(e: &El, w: &str) -> bool {
        e.get("stroke-width") == Some(w)
    }

    #[test]
    fn lines_pass_through_their_points() {
        let chart = Chart::lines(
            "l",
            "L",
            "x",
            "y",
            vec![Series::new("a", vec![0.0, 1.0, 2.0], vec![0.0, 2.0, 1.0])],
        );
        let (svg, frame) = draw(&chart, None, 400, 300);
        let frame = frame.unwrap();
        let els = elements(&svg);
        let lines: Vec<_> = with_color(&els, "polyline", "stroke", series_color(0))
            .into_iter()
            .filter(|e| width(e, "2"))
            .collect();
        assert_eq!(lines.len(), 1);
        let want: Vec<(i32, i32)> = [(0.0, 0.0), (1.0, 2.0), (2.0, 1.0)]
            .iter()
            .map(|&p| frame.px(p))
            .collect();
        assert_eq!(lines[0].points(), want);
        // The data span the plot: x from its left edge to its right, and the
        // peak is above the start.
        assert!(want[2].0 - want[0].0 > 300 && want[1].1 < want[0].1 - 150);
    }

    #[test]
    fn dashed_series_are_short_dashes_along_the_line() {
        let chart = Chart::lines(
            "l",
            "L",
            "x",
            "y",
            vec![
                Series::new("solid", vec![0.0, 2.0], vec![0.0, 2.0]),
                Series::new("dashed", vec![0.0, 2.0], vec![1.0, 1.0]).dashed(),
            ],
        );
        let (svg, frame) = draw(&chart, None, 400, 300);
        let frame = frame.unwrap();
        let els = elements(&svg);
        let dashes: Vec<_> = with_color(&els, "polyline", "stroke", series_color(1))
            .into_iter()
            .filter(|e| width(e, "2"))
            .collect();
        let (x0, y) = frame.px((0.0, 1.0));
        let x1 = frame.px((2.0, 1.0)).0;
        // 6 px on, 4 px off along the whole line.
        let expected = ((x1 - x0) as f64 / 10.0).floor() as usize;
        assert!(
            dashes.len().abs_diff(expected) <= 1,
            "{} dashes",
            dashes.len()
        );
        for d in &dashes {
            let p = d.points();
            assert!(
                p.iter().all(|q| q.1 == y && q.0 >= x0 && q.0 <= x1),
                "{p:?}"
            );
            assert!(p.last().unwrap().0 - p[0].0 <= 6);
        }
        assert_eq!(dashes[0].points()[0], (x0, y));
    }

    #[test]
    fn pinned_series_are_dashed_in_the_same_colours() {
        let chart = Chart::lines(
            "loss",
            "Loss",
            "step",
            "loss",
            vec![
                Series::new("train", vec![0.0, 1.0], vec![1.0, 0.5]),
                Series::new("test", vec![0.0, 1.0], vec![1.0, 0.7]),
            ],
        );
        let pinned = Chart::lines(
            "loss",
            "Loss",
            "step",
            "loss",
            vec![
                Series::new("test", vec![0.0, 1.0], vec![0.9, 0.2]),
                Series::new("other", vec![0.0, 1.0], vec![0.3, 0.3]),
            ],
        );
        let before = chart.clone();
        let (svg, frame) = draw(&chart, Some(&pinned), 500, 300);
        let frame = frame.unwrap();
        assert_eq!(chart, before);
        assert!(svg.contains("test (pinned)") && svg.contains("other (pinned)"));
        let els = elements(&svg);
        // The pinned "test" is dashed in test's colour (series 1), along its
        // own points, which also set the axis range (0.2 is in view).
        let test_colour: Vec<_> = with_color(&els, "polyline", "stroke", series_color(1))
            .into_iter()
            .filter(|e| width(e, "2"))
            .collect();
        assert!(test_colour.len() > 5, "one solid line and the dashes");
        let start = frame.px((0.0, 0.9));
        assert!(test_colour.iter().any(|e| e.points()[0] == start));
        // "other" matches no current series: the colour of its position (1).
        let (x, y) = frame.px((0.5, 0.3));
        assert!(with_color(&els, "polyline", "stroke", series_color(1))
            .iter()
            .any(|e| e.points().iter().all(|p| p.1 == y) && e.points()[0].0 < x));
        // A pinned chart of another id is ignored, and one of another kind.
        let mut other_id = pinned.clone();
        other_id.id = "accuracy".into();
        let (svg, _) = draw(&chart, Some(&other_id), 500, 300);
        assert!(!svg.contains("(pinned)"));
        let heat = Chart::heatmap(
            "loss",
            "",
            "",
            "",
            crate::snapshot::Heatmap::new(1, 1, vec![1.0], ""),
        );
        let (svg, _) = draw(&chart, Some(&heat), 500, 300);
        assert!(!svg.contains("(pinned)"));
    }
}
