//! Shapes over a chart, in data coordinates: a circle (the unit circle of a
//! spectrum), vertical and horizontal lines (Re λ = 1), a closed polygon (a
//! convex hull) and a covariance ellipse. Each labelled overlay has a legend
//! entry; one that cannot be drawn (non-finite numbers, a radius ≤ 0, a
//! matrix that is not positive definite) is skipped with a note.
//!
//! Circles and ellipses are drawn as closed polylines through 128 points of
//! the curve, mapped like any data, so they stay correct on unequal or log
//! axes. The ellipse {p : (p − c)ᵀ S⁻¹ (p − c) = 1} is c + L u for u on the
//! unit circle, with S = L Lᵀ (Cholesky):
//! L = [[√s11, 0], [s12/√s11, √(s22 − s12²/s11)]].

use plotters::prelude::*;

use super::axis::{Axis, Map};
use super::frame::{Bounds, Coord};
use super::points::draw_path;
use super::series::overlay_color;
use super::theme::{err, Theme};
use crate::snapshot::{Chart, Overlay};

/// Points on a circle or ellipse.
const CURVE_POINTS: usize = 128;

pub fn label(o: &Overlay) -> &str {
    match o {
        Overlay::Circle { label, .. }
        | Overlay::VLine { label, .. }
        | Overlay::HLine { label, .. }
        | Overlay::Polygon { label, .. }
        | Overlay::Ellipse { label, .. } => label,
    }
}

/// The Cholesky factor (a, b, d) of [[s11, s12], [s12, s22]]: L = [[a, 0], [b, d]].
fn cholesky(s11: f64, s12: f64, s22: f64) -> Option<(f64, f64, f64)> {
    if !(s11 > 0.0 && s11.is_finite() && s12.is_finite() && s22.is_finite()) {
        return None;
    }
    let a = s11.sqrt();
    let b = s12 / a;
    let dd = s22 - b * b;
    (dd > 0.0).then(|| (a, b, dd.sqrt()))
}

/// The overlay's outline in data space (closed for shapes), or why not.
/// Lines have none: they span the axes.
fn outline(o: &Overlay) -> Result<Vec<(f64, f64)>, String> {
    let curve = |f: &dyn Fn(f64, f64) -> (f64, f64)| -> Vec<(f64, f64)> {
        (0..=CURVE_POINTS)
            .map(|k| {
                let a =
                    2.0 * std::f64::consts::PI * (k % CURVE_POINTS) as f64 / CURVE_POINTS as f64;
                f(libm::cos(a), libm::sin(a))
            })
            .collect()
    };
    match *o {
        Overlay::Circle { cx, cy, r, .. } => {
            if !(cx.is_finite() && cy.is_finite() && r.is_finite() && r > 0.0) {
                return Err("needs a finite centre and a radius > 0".into());
            }
            Ok(curve(&|c, s| (cx + r * c, cy + r * s)))
        }
        Overlay::Ellipse {
            cx,
            cy,
            s11,
            s12,
            s22,
            ..
        } => {
            let (a, b, d) = cholesky(s11, s12, s22)
                .filter(|_| cx.is_finite() && cy.is_finite())
                .ok_or("needs a positive-definite matrix and a finite centre")?;
            Ok(curve(&|c, s| (cx + a * c, cy + b * c + d * s)))
        }
        Overlay::Polygon { ref x, ref y, .. } => {
            let mut pts: Vec<(f64, f64)> = x.iter().copied().zip(y.iter().copied()).collect();
            if pts.len() < 2 || pts.iter().any(|p| !(p.0.is_finite() && p.1.is_finite())) {
                return Err("needs two or more finite points".into());
            }
            pts.push(pts[0]);
            Ok(pts)
        }
        Overlay::VLine { x, .. } if !x.is_finite() => Err("needs a finite x".into()),
        Overlay::HLine { y, .. } if !y.is_finite() => Err("needs a finite y".into()),
        Overlay::VLine { .. } | Overlay::HLine { .. } => Ok(vec![]),
    }
}

/// Grow `b` (display space) to hold every overlay that can be drawn.
pub fn extend_bounds(spec: &Chart, (xs, ys): (Map, Map), b: &mut Bounds) {
    for o in &spec.overlays {
        match o {
            Overlay::VLine { x, .. } => {
                if let Some(x) = xs.to_display(*x) {
                    b.add_x(x)
                }
            }
            Overlay::HLine { y, .. } => {
                if let Some(y) = ys.to_display(*y) {
                    b.add_y(y)
                }
            }
            _ => {
                for (x, y) in outline(o).unwrap_or_default() {
                    if let (Some(x), Some(y)) = (xs.to_display(x), ys.to_display(y)) {
                        b.add((x, y));
                    }
                }
            }
        }
    }
}

/// Whether the chart's geometry needs equal units on both axes: it has a
/// circle or an ellipse.
pub fn wants_equal_aspect(spec: &Chart) -> bool {
    spec.overlays
        .iter()
        .any(|o| matches!(o, Overlay::Circle { .. } | Overlay::Ellipse { .. }))
}

/// Draw every overlay; return notes for those that could not be drawn.
pub fn draw<DB: DrawingBackend>(
    chart: &ChartContext<DB, Coord>,
    spec: &Chart,
    xa: &Axis,
    ya: &Axis,
    t: &Theme,
) -> Result<Vec<String>, String> {
    let mut notes = Vec::new();
    for (k, o) in spec.overlays.iter().enumerate() {
        let color = overlay_color(k);
        let name = if label(o).trim().is_empty() {
            format!("overlay {}", k + 1)
        } else {
            format!("'{}'", label(o))
        };
        let pts = match outline(o) {
            Ok(p) => p,
            Err(why) => {
                notes.push(format!("{name} not drawn: {why}"));
                continue;
            }
        };
        let lines: Vec<Vec<(f64, f64)>> = match o {
            Overlay::VLine { x, .. } => match xa.map.to_display(*x) {
                Some(x) => vec![vec![(x, ya.lo), (x, ya.hi)]],
                None => vec![],
            },
            Overlay::HLine { y, .. } => match ya.map.to_display(*y) {
                Some(y) => vec![vec![(xa.lo, y), (xa.hi, y)]],
                None => vec![],
            },
            _ => {
                let mapped = super::points::prepare(
                    &pts.iter().map(|p| p.0).collect::<Vec<_>>(),
                    &pts.iter().map(|p| p.1).collect::<Vec<_>>(),
                    xa.map,
                    ya.map,
                );
                mapped.segments
            }
        };
        if lines.is_empty() {
            notes.push(format!("{name} not drawn: outside the log axis"));
            continue;
        }
        if let (Overlay::Polygon { .. }, [one]) = (o, &lines[..]) {
            chart
                .plotting_area()
                .draw(&Polygon::new(one.clone(), color.mix(0.07).filled()))
                .map_err(err)?;
        }
        for line in &lines {
            draw_path(chart, line, color, 1.5, false, t)?;
        }
    }
    Ok(notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ellipse_outline_satisfies_its_equation() {
        let (s11, s12, s22) = (4.0, 1.2, 1.0);
        let o = Overlay::Ellipse {
            cx: 1.0,
            cy: -2.0,
            s11,
            s12,
            s22,
            label: String::new(),
        };
        let det = s11 * s22 - s12 * s12;
        for (x, y) in outline(&o).unwrap() {
            let (u, v) = (x - 1.0, y + 2.0);
            // (p − c)ᵀ S⁻¹ (p − c), with S⁻¹ = [[s22, −s12], [−s12, s11]] / det.
            let q = (s22 * u * u - 2.0 * s12 * u * v + s11 * v * v) / det;
            assert!((q - 1.0).abs() < 1e-12, "{q}");
        }
        let bad = Overlay::Ellipse {
            cx: 0.0,
            cy: 0.0,
            s11: 1.0,
            s12: 2.0,
            s22: 1.0,
            label: String::new(),
        };
        assert!(outline(&bad).is_err());
    }
}
