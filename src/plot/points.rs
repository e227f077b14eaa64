//! Data points in display space: a series cut into runs of drawable points
//! (NaN, ±inf and ≤ 0 on a log axis break the line; values under a log
//! axis's floor are drawn on it), thinned when there are far more points than
//! pixels, and drawn solid or dashed.

use plotters::prelude::*;

use super::axis::Map;
use super::frame::{Bounds, Coord};
use super::theme::{dashes, err, Theme};

/// A series mapped to display space and cut into runs of drawable points.
pub struct Prepared {
    pub segments: Vec<Vec<(f64, f64)>>,
    /// Points dropped because they were ≤ 0 on a log axis.
    pub nonpositive: usize,
    /// Points drawn on a log axis's floor because they were below it.
    pub clipped: usize,
}

impl Prepared {
    pub fn points(&self) -> impl Iterator<Item = &(f64, f64)> {
        self.segments.iter().flatten()
    }

    pub fn extend(&self, b: &mut Bounds) {
        self.points().for_each(|&p| b.add(p));
    }
}

pub fn prepare(x: &[f64], y: &[f64], xs: Map, ys: Map) -> Prepared {
    let mut segments = Vec::new();
    let mut run = Vec::new();
    let (mut nonpositive, mut clipped) = (0, 0);
    for (&x, &y) in x.iter().zip(y) {
        match (xs.to_display(x), ys.to_display(y)) {
            (Some(dx), Some(dy)) => {
                if xs.clips(x) || ys.clips(y) {
                    clipped += 1;
                }
                run.push((dx, dy))
            }
            _ => {
                if xs.drops(x) || ys.drops(y) {
                    nonpositive += 1;
                }
                if !run.is_empty() {
                    segments.push(std::mem::take(&mut run));
                }
            }
        }
    }
    if !run.is_empty() {
        segments.push(run);
    }
    Prepared {
        segments,
        nonpositive,
        clipped,
    }
}

/// Thin a long run whose x increases to at most ~4 points per pixel column
/// (first, min, max, last), which draws identically and much faster.
pub fn thin(seg: &[(f64, f64)], lo: f64, hi: f64, columns: usize) -> Vec<(f64, f64)> {
    let columns = columns.max(1);
    let ordered = hi > lo;
    if seg.len() <= 4 * columns || !ordered || seg.windows(2).any(|w| w[1].0 < w[0].0) {
        return seg.to_vec();
    }
    let mut out = Vec::with_capacity(4 * columns);
    let col = |x: f64| (((x - lo) / (hi - lo)) * columns as f64).floor() as i64;
    let mut i = 0;
    while i < seg.len() {
        let c = col(seg[i].0);
        let mut j = i;
        let (mut imin, mut imax) = (i, i);
        while j < seg.len() && col(seg[j].0) == c {
            if seg[j].1 < seg[imin].1 {
                imin = j;
            }
            if seg[j].1 > seg[imax].1 {
                imax = j;
            }
            j += 1;
        }
        let mut keep = [i, imin, imax, j - 1];
        keep.sort_unstable();
        let mut last = usize::MAX;
        for k in keep {
            if k != last {
                out.push(seg[k]);
                last = k;
            }
        }
        i = j;
    }
    out
}

/// Draw a polyline through display-space points, solid or dashed, `width`
/// CSS pixels wide.
pub fn draw_path<DB: DrawingBackend>(
    chart: &ChartContext<DB, Coord>,
    pts: &[(f64, f64)],
    color: RGBColor,
    width: f64,
    dashed: bool,
    t: &Theme,
) -> Result<(), String> {
    let style = t.stroke(color, width);
    if !dashed {
        return chart
            .plotting_area()
            .draw(&PathElement::new(pts.to_vec(), style))
            .map_err(err);
    }
    let coord = chart.as_coord_spec();
    let px: Vec<(i32, i32)> = pts.iter().map(|p| coord.translate(p)).collect();
    let (on, off) = t.dash();
    let area = chart.plotting_area().strip_coord_spec();
    let base = area.get_base_pixel();
    for d in dashes(&px, on, off) {
        let local: Vec<(i32, i32)> = d.iter().map(|p| (p.0 - base.0, p.1 - base.1)).collect();
        area.draw(&PathElement::new(local, style)).map_err(err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinning_keeps_extremes() {
        let seg: Vec<(f64, f64)> = (0..10_000)
            .map(|i| (i as f64, ((i * 7919) % 1000) as f64))
            .collect();
        let out = thin(&seg, 0.0, 10_000.0, 100);
        assert!(out.len() <= 400);
        let max = out.iter().map(|p| p.1).fold(f64::MIN, f64::max);
        let min = out.iter().map(|p| p.1).fold(f64::MAX, f64::min);
        assert_eq!((min, max), (0.0, 999.0));
        assert_eq!(out.first(), seg.first());
        assert_eq!(out.last(), seg.last());
    }

    #[test]
    fn bad_points_break_runs() {
        let p = prepare(
            &[1.0, 2.0, 3.0, 4.0, 5.0],
            &[1.0, f64::NAN, 2.0, -1.0, 3.0],
            Map::Linear,
            Map::Log { floor: None },
        );
        assert_eq!(p.segments.len(), 3);
        assert_eq!(p.nonpositive, 1);
        assert_eq!(p.clipped, 0);
    }

    #[test]
    fn a_log_floor_draws_low_values_on_it() {
        let p = prepare(
            &[1.0, 2.0, 3.0, 4.0],
            &[1.0, 1e-30, 0.0, 1e-3],
            Map::Linear,
            Map::Log { floor: Some(1e-8) },
        );
        // 1e-30 is drawn at 1e-8; 0 still cannot be shown and breaks the line.
        assert_eq!(
            p.segments,
            vec![vec![(1.0, 0.0), (2.0, -8.0)], vec![(4.0, -3.0)]]
        );
        assert_eq!((p.clipped, p.nonpositive), (1, 1));
    }
}
