//! Lines through (x, y) points, one per series (a dashed series for an
//! unstable branch or a pinned run). A run of one point between gaps shows
//! as a dot.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{clipped_note, hidden_note, maps, plot, Bounds, Frame, Framing};
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
    let maps = maps(spec, layers);
    let prepared: Vec<Prepared> = layers
        .iter()
        .map(|l| prepare(l.x, l.y, maps.0, maps.1))
        .collect();
    let mut b = Bounds::default();
    prepared.iter().for_each(|p| p.extend(&mut b));
    let framing = Framing::padded(maps, 0.0, 0.05);
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
            Ok(point_notes(&prepared, maps))
        },
    )
}

/// The notes on points a log axis hid or drew on its floor.
pub fn point_notes(
    prepared: &[Prepared],
    (_, y): (super::axis::Map, super::axis::Map),
) -> Vec<String> {
    let hidden = prepared.iter().map(|p| p.nonpositive).sum();
    let clipped = prepared.iter().map(|p| p.clipped).sum();
    hidden_note(hidden)
        .into_iter()
        .chain(clipped_note(clipped, y))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::colors::series_color;
    use super::super::svg_check::{draw, elements, has_text, with_color, El};
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
    fn symlog_shows_values_that_cross_zero() {
        use crate::snapshot::Scale;
        // A margin that turns negative beside an angle near 0: on a log
        // axis 4 of these points would be hidden.
        let x = vec![0.1, 0.4, 0.5, 0.6];
        let margin = vec![0.0, -0.035, -0.2, -0.79];
        let angle = vec![0.0018, 0.0013, 0.09, 0.785];
        let mut chart = Chart::lines(
            "s",
            "S",
            "leg",
            "value",
            vec![
                Series::new("margin", x.clone(), margin.clone()),
                Series::new("angle", x.clone(), angle.clone()),
            ],
        );
        chart.y_scale = Scale::Symlog;
        let (svg, frame) = draw(&chart, None, 500, 320);
        let frame = frame.unwrap();
        assert!(!svg.contains("not shown"), "nothing is hidden");
        let map = super::super::axis::Map::Symlog { c: 1e-3 };
        for (k, ys) in [&margin, &angle].into_iter().enumerate() {
            let want: Vec<(i32, i32)> = x
                .iter()
                .zip(ys)
                .map(|(&x, &y)| frame.px((x, map.to_display(y).unwrap())))
                .collect();
            let els = elements(&svg);
            assert!(
                with_color(&els, "polyline", "stroke", series_color(k))
                    .iter()
                    .any(|e| e.points() == want),
                "series {k} at {want:?}"
            );
        }
        // Zero and signed decades are labelled; zero is between the signs.
        for label in ["0", "-1e-1", "1e-1", "1e-3"] {
            assert!(has_text(&svg, label), "tick {label}: {svg}");
        }
        let zero = frame.px((0.1, 0.0)).1;
        assert!(frame.px((0.6, map.to_display(-0.79).unwrap())).1 > zero + 50);
        assert!(frame.px((0.6, map.to_display(0.785).unwrap())).1 < zero - 50);
    }

    #[test]
    fn a_log_floor_draws_the_tail_on_the_floor_and_says_so() {
        let x = vec![0.0, 1.0, 2.0, 3.0];
        let chart = Chart::lines(
            "nse",
            "NSE",
            "step",
            "NSE",
            vec![Series::new("bp", x, vec![1.0, 1e-2, 1e-12, 1e-30])],
        )
        .log_y()
        .y_floor(1e-8);
        let (svg, frame) = draw(&chart, None, 500, 320);
        let frame = frame.unwrap();
        assert!(svg.contains("2 points below 1e-8 drawn at 1e-8"), "{svg}");
        let els = elements(&svg);
        let line = with_color(&els, "polyline", "stroke", series_color(0));
        let want: Vec<(i32, i32)> = [(0.0, 0.0), (1.0, -2.0), (2.0, -8.0), (3.0, -8.0)]
            .iter()
            .map(|&p| frame.px(p))
            .collect();
        assert!(line.iter().any(|e| e.points() == want), "{want:?}");
        // The axis stops at the floor: 1e-8 is the bottom of the plot.
        assert_eq!(frame.px((0.0, -8.0)).1, frame.plot_box(1.0).y.px_lo as i32);
        assert!(!has_text(&svg, "1e-30") && !has_text(&svg, "1e-20"));
    }

    /// On a phone-sized chart the corner note moves left of the x axis
    /// title rather than over it.
    #[test]
    fn corner_notes_keep_clear_of_the_axis_title() {
        let chart = Chart::lines(
            "w",
            "Weight change",
            "step",
            "change",
            vec![Series::new("dw", vec![0.0, 1.0, 2.0], vec![0.0, 0.1, 0.2])],
        )
        .log_y();
        for width in [600, 330] {
            let (svg, _) = draw(&chart, None, width, 300);
            let els = elements(&svg);
            let texts: Vec<&El> = els.iter().filter(|e| e.tag == "text").collect();
            // Text elements in order; find the note's and the title's by content.
            let pos = |needle: &str| {
                let i = svg.find(needle).unwrap();
                let k = svg[..i].matches("<text").count() - 1;
                texts[k]
            };
            let note = pos("1 point ≤ 0 not shown");
            let title = pos(">\nstep\n<");
            let (tx, nx) = (title.num("x"), note.num("x"));
            // Widths as the SVG backend estimates them: 0.55 em a character.
            let title_half = 4.0 * 12.0 * 0.55 / 2.0;
            assert_eq!(note.get("text-anchor") == Some("end"), width == 600);
            if note.get("text-anchor") == Some("end") {
                // Right-aligned at the right edge: its start is right of the title.
                let note_w = 32.0 * 10.0 * 0.55;
                assert!(
                    nx - note_w > tx + title_half,
                    "{width}: note at {nx}, title at {tx}"
                );
            } else {
                assert_eq!(note.get("text-anchor"), Some("start"));
                assert_eq!(width, 330, "moves left only when the right is too narrow");
                assert!(nx < tx - title_half, "{width}");
            }
        }
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
