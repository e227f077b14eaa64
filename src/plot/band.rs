//! Lines with a shaded band from `lo` to `hi` around each (the spread over
//! seeds: the mean as the line, the lowest and highest seed as the band's
//! edges). The band is the series colour, translucent; a pinned run's band
//! is fainter and its line dashed.
//!
//! The band is one filled polygon per run of points where x, lo and hi are
//! all drawable: along the upper edge forwards, back along the lower edge.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axis::Map;
use super::frame::{clipped_note, hidden_note, maps, plot, Bounds, Frame, Framing};
use super::lines::empty_note;
use super::points::{draw_path, prepare, thin, Prepared};
use super::series::Layer;
use super::theme::{err, Theme, BAND_ALPHA, PINNED_BAND_ALPHA};
use crate::snapshot::Chart;

/// Runs of (x, lo, hi) in display space.
type Runs = Vec<Vec<(f64, f64, f64)>>;

/// Runs of (x, lo, hi) in display space, how many points a log axis hid,
/// and how many it drew on its floor.
fn band_runs(x: &[f64], lo: &[f64], hi: &[f64], xs: Map, ys: Map) -> (Runs, usize, usize) {
    let (mut runs, mut run, mut hidden, mut clipped) = (Vec::new(), Vec::new(), 0, 0);
    for (i, &xv) in x.iter().enumerate() {
        let (l, h) = (
            lo.get(i).copied().unwrap_or(f64::NAN),
            hi.get(i).copied().unwrap_or(f64::NAN),
        );
        match (xs.to_display(xv), ys.to_display(l), ys.to_display(h)) {
            (Some(dx), Some(dl), Some(dh)) => {
                if ys.clips(l) || ys.clips(h) {
                    clipped += 1;
                }
                run.push((dx, dl.min(dh), dl.max(dh)))
            }
            _ => {
                if xs.drops(xv) || ys.drops(l) || ys.drops(h) {
                    hidden += 1;
                }
                if !run.is_empty() {
                    runs.push(std::mem::take(&mut run));
                }
            }
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    (runs, hidden, clipped)
}

pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    spec: &Chart,
    layers: &[Layer],
    t: &Theme,
) -> Result<Option<Frame>, String> {
    let maps = maps(spec, layers);
    let (xs, ys) = maps;
    let lines: Vec<Prepared> = layers.iter().map(|l| prepare(l.x, l.y, xs, ys)).collect();
    let bands: Vec<_> = layers
        .iter()
        .map(|l| match l.band {
            Some((lo, hi)) => band_runs(l.x, lo, hi, xs, ys),
            None => (vec![], 0, 0),
        })
        .collect();
    let mut b = Bounds::default();
    lines.iter().for_each(|p| p.extend(&mut b));
    for (x, lo, hi) in bands.iter().flat_map(|(r, _, _)| r.iter().flatten()) {
        b.add((*x, *lo));
        b.add((*x, *hi));
    }
    let hidden = lines.iter().map(|p| p.nonpositive).sum::<usize>()
        + bands.iter().map(|(_, h, _)| h).sum::<usize>();
    let clipped = lines.iter().map(|p| p.clipped).sum::<usize>()
        + bands.iter().map(|(_, _, c)| c).sum::<usize>();
    let framing = Framing::padded(maps, 0.0, 0.05);
    plot(
        area,
        spec,
        b,
        framing,
        empty_note(&lines),
        t,
        |chart, xa, _| {
            let columns = chart.plotting_area().dim_in_pixel().0 as usize;
            // Every band first, so that no band veils another series' line.
            for (l, (runs, _, _)) in layers.iter().zip(&bands) {
                let alpha = if l.pinned {
                    PINNED_BAND_ALPHA
                } else {
                    BAND_ALPHA
                };
                for run in runs {
                    if let [(x, lo, hi)] = run[..] {
                        // One point between gaps: its spread as a thick stroke.
                        let style = l.color.mix(alpha * 2.0).stroke_width(t.px(4.0) as u32);
                        chart
                            .plotting_area()
                            .draw(&PathElement::new(vec![(x, lo), (x, hi)], style))
                            .map_err(err)?;
                        continue;
                    }
                    let poly: Vec<(f64, f64)> = run
                        .iter()
                        .map(|&(x, _, hi)| (x, hi))
                        .chain(run.iter().rev().map(|&(x, lo, _)| (x, lo)))
                        .collect();
                    chart
                        .plotting_area()
                        .draw(&Polygon::new(poly, l.color.mix(alpha).filled()))
                        .map_err(err)?;
                }
            }
            for (l, p) in layers.iter().zip(&lines) {
                for seg in &p.segments {
                    if seg.len() == 1 {
                        chart
                            .plotting_area()
                            .draw(&Circle::new(seg[0], t.px(2.5), l.color.filled()))
                            .map_err(err)?;
                    } else {
                        let pts = thin(seg, xa.lo, xa.hi, columns);
                        draw_path(chart, &pts, l.color, 2.0, l.dashed, t)?;
                    }
                }
            }
            Ok(hidden_note(hidden)
                .into_iter()
                .chain(clipped_note(clipped, ys))
                .collect())
        },
    )
}

#[cfg(test)]
mod tests {
    use super::super::colors::series_color;
    use super::super::svg_check::{draw, elements, with_color};
    use crate::snapshot::{BandSeries, Chart, ChartBody};

    fn band_chart(lo: Vec<f64>, hi: Vec<f64>) -> Chart {
        Chart::with_body(
            "b",
            "Band",
            "x",
            "y",
            ChartBody::Band {
                series: vec![BandSeries {
                    name: "mean".into(),
                    x: vec![0.0, 1.0, 2.0, 3.0],
                    y: vec![1.0, 2.0, 3.0, 2.0],
                    lo,
                    hi,
                }],
            },
        )
    }

    #[test]
    fn the_band_spans_lo_to_hi_at_each_x() {
        let lo = vec![0.5, 1.0, 2.5, 0.0];
        let hi = vec![1.5, 2.5, 4.0, 2.2];
        let (svg, frame) = draw(&band_chart(lo.clone(), hi.clone()), None, 400, 300);
        let frame = frame.unwrap();
        let els = elements(&svg);
        let polys = with_color(&els, "polygon", "fill", series_color(0));
        assert_eq!(polys.len(), 1);
        assert_eq!(polys[0].get("opacity"), Some("0.22"));
        let pts = polys[0].points();
        assert_eq!(pts.len(), 8);
        for i in 0..4 {
            let x = i as f64;
            // Upper edge forwards, lower edge backwards.
            assert_eq!(pts[i], frame.px((x, hi[i])));
            assert_eq!(pts[7 - i], frame.px((x, lo[i])));
        }
        // At x = 2 the band covers 2.5 ..= 4.0 and nothing else: its
        // vertical extent there is the pixel distance between them.
        let (a, b) = (frame.px((2.0, 2.5)).1, frame.px((2.0, 4.0)).1);
        assert!(a - b > 50, "{a} {b}");
        // The mean line is drawn over it, in the same colour.
        let line = with_color(&els, "polyline", "stroke", series_color(0));
        assert!(line.iter().any(|l| l.points()
            == (0..4)
                .map(|i| frame.px((i as f64, [1.0, 2.0, 3.0, 2.0][i])))
                .collect::<Vec<_>>()));
    }

    #[test]
    fn a_nan_edge_splits_the_band() {
        let (svg, _) = draw(
            &band_chart(vec![0.5, f64::NAN, 2.5, 0.0], vec![1.5, 2.5, 4.0, 2.2]),
            None,
            400,
            300,
        );
        let els = elements(&svg);
        let polys = with_color(&els, "polygon", "fill", series_color(0));
        assert_eq!(polys.len(), 1, "the run of x = 2, 3: {polys:?}");
        assert_eq!(polys[0].points().len(), 4);
        // Short lo/hi do not panic.
        draw(&band_chart(vec![0.5], vec![]), None, 400, 300);
    }
}
