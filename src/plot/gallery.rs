//! One chart of each kind from fixed data, drawn together so that a reviewer
//! sees every kind at once: `neurogeom plot --gallery --out gallery.svg`.
//! The data are made up (closed forms and a fixed pseudo-random sequence),
//! shaped like what the labs will show.

use plotters::prelude::*;

use super::theme::{err, BACKGROUND};
use crate::snapshot::{BandSeries, Chart, ChartBody, Heatmap, Overlay, Series};

/// A fixed sequence in [0, 1) (a linear congruential generator): the same
/// gallery every time, on every platform.
fn uniform(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect()
}

fn steps(n: usize, every: f64) -> Vec<f64> {
    (0..n).map(|i| i as f64 * every).collect()
}

/// Lines, one of them dashed (an unstable branch), on a log y axis.
pub fn lines() -> Chart {
    let x = steps(120, 10.0);
    let decay = |tau: f64, floor: f64| -> Vec<f64> {
        x.iter().map(|s| libm::exp(-s / tau) + floor).collect()
    };
    Chart::lines(
        "gallery_lines",
        "Lines: loss, one series dashed",
        "step",
        "MSE",
        vec![
            Series::new("train", x.clone(), decay(250.0, 1e-3)),
            Series::new("test", x.clone(), decay(300.0, 4e-3)),
            Series::new("unstable branch", x.clone(), decay(600.0, 2e-2)).dashed(),
        ],
    )
    .log_y()
}

/// The same chart from a "pinned" run, to draw beside [`lines`].
pub fn lines_pinned() -> Chart {
    let x = steps(120, 10.0);
    let decay = |tau: f64, floor: f64| -> Vec<f64> {
        x.iter().map(|s| libm::exp(-s / tau) + floor).collect()
    };
    Chart::lines(
        "gallery_lines",
        "Lines: loss",
        "step",
        "MSE",
        vec![
            Series::new("train", x.clone(), decay(120.0, 2e-4)),
            Series::new("test", x.clone(), decay(160.0, 6e-3)),
        ],
    )
    .log_y()
}

/// Mean over seeds with a band from the lowest to the highest seed.
pub fn band() -> Chart {
    let alpha: Vec<f64> = (0..15)
        .map(|i| libm::pow(10.0, -2.0 + i as f64 * 5.0 / 14.0))
        .collect();
    let make = |name: &str, shift: f64, spread: f64, seed: u64| {
        let u = uniform(2 * alpha.len(), seed);
        let y: Vec<f64> = alpha
            .iter()
            .map(|a| 0.15 + 0.7 / (1.0 + libm::pow(a / shift, -1.2)))
            .collect();
        let lo = y
            .iter()
            .zip(&u)
            .map(|(y, u)| y - spread * (0.4 + u))
            .collect();
        let hi = y
            .iter()
            .zip(&u[alpha.len()..])
            .map(|(y, u)| y + spread * (0.4 + u))
            .collect();
        BandSeries {
            name: name.into(),
            x: alpha.clone(),
            y,
            lo,
            hi,
        }
    };
    Chart::with_body(
        "gallery_band",
        "Band: kernel change over 5 seeds",
        "α (output scale)",
        "relative kernel change",
        ChartBody::Band {
            series: vec![
                make("width 64", 1.0, 0.04, 1),
                make("width 256", 8.0, 0.025, 2),
            ],
        },
    )
    .log_x()
}

/// A phase diagram: a metric over two log-spaced parameters, one run diverged.
pub fn heatmap() -> Chart {
    let xs: Vec<f64> = (0..9)
        .map(|i| libm::pow(10.0, -2.0 + i as f64 * 0.625))
        .collect();
    let ys = vec![32.0, 64.0, 128.0, 256.0];
    let mut values = Vec::new();
    for &w in &ys {
        for &a in &xs {
            let v = 1.0 / (1.0 + libm::pow(a * libm::sqrt(w) / 30.0, -1.5));
            values.push(v);
        }
    }
    // The largest α at the smallest width diverged.
    values[8] = f64::NAN;
    Chart::heatmap(
        "gallery_heatmap",
        "Heatmap: phase diagram (log axes, NaN cell)",
        "α",
        "width",
        Heatmap {
            x_values: xs,
            y_values: ys,
            ..Heatmap::new(4, 9, values, "kernel change")
        },
    )
    .log_x()
    .log_y()
}

/// Eigenvalues in the complex plane, the unit circle and Re λ = 1.
pub fn complex_plane() -> Chart {
    let u = uniform(120, 7);
    let (mut re, mut im) = (vec![], vec![]);
    for k in 0..60 {
        let r = 0.95 * libm::sqrt(u[2 * k]);
        let a = 2.0 * std::f64::consts::PI * u[2 * k + 1];
        re.push(r * libm::cos(a) + 0.05);
        im.push(r * libm::sin(a));
    }
    let outliers = Series::new("outliers", vec![1.15, 1.15], vec![0.3, -0.3]);
    Chart::scatter(
        "gallery_spectrum",
        "Scatter: spectrum, unit circle, Re λ = 1",
        "Re λ",
        "Im λ",
        vec![Series::new("eigenvalues", re, im), outliers],
    )
    .overlay(Overlay::Circle {
        cx: 0.0,
        cy: 0.0,
        r: 1.0,
        label: "|λ| = 1".into(),
    })
    .overlay(Overlay::VLine {
        x: 1.0,
        label: "Re λ = 1".into(),
    })
}

/// The convex hull of points, counter-clockwise (Andrew's monotone chain).
fn convex_hull(mut pts: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    crate::sort::sort_by(&mut pts, &|a, b| {
        a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1))
    });
    let cross = |o: (f64, f64), a: (f64, f64), b: (f64, f64)| {
        (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
    };
    let mut hull: Vec<(f64, f64)> = Vec::new();
    for pass in 0..2 {
        let start = hull.len();
        let iter: Box<dyn Iterator<Item = &(f64, f64)>> = if pass == 0 {
            Box::new(pts.iter())
        } else {
            Box::new(pts.iter().rev())
        };
        for &p in iter {
            while hull.len() >= start + 2
                && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0.0
            {
                hull.pop();
            }
            hull.push(p);
        }
        hull.pop();
    }
    hull
}

/// Samples of a source with their convex hull and 2σ covariance ellipse
/// (S = 4 Σ, so the curve is where the Mahalanobis distance is 2).
pub fn hull_and_ellipse() -> Chart {
    let u = uniform(80, 11);
    let (mut ax, mut ay) = (vec![], vec![]);
    for k in 0..40 {
        let (p, q) = (u[2 * k] - 0.5, u[2 * k + 1] - 0.5);
        ax.push(1.6 * p + 0.3 * q);
        ay.push(0.5 * p + 0.9 * q);
    }
    let n = ax.len() as f64;
    let (mx, my) = (ax.iter().sum::<f64>() / n, ay.iter().sum::<f64>() / n);
    let cov = |a: &[f64], ma: f64, b: &[f64], mb: f64| {
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - ma) * (y - mb))
            .sum::<f64>()
            / (n - 1.0)
    };
    let (s11, s12, s22) = (
        cov(&ax, mx, &ax, mx),
        cov(&ax, mx, &ay, my),
        cov(&ay, my, &ay, my),
    );
    let hull = convex_hull(ax.iter().copied().zip(ay.iter().copied()).collect());
    Chart::scatter(
        "gallery_hull",
        "Scatter: samples, convex hull, 2σ ellipse",
        "x₁",
        "x₂",
        vec![Series::new("source samples", ax, ay)],
    )
    .overlay(Overlay::Polygon {
        x: hull.iter().map(|p| p.0).collect(),
        y: hull.iter().map(|p| p.1).collect(),
        label: "convex hull".into(),
    })
    .overlay(Overlay::Ellipse {
        cx: mx,
        cy: my,
        s11: 4.0 * s11,
        s12: 4.0 * s12,
        s22: 4.0 * s22,
        label: "2σ ellipse".into(),
    })
}

/// Tuning vectors of a few neurons, in two groups.
pub fn arrows() -> Chart {
    let angle = |d: f64| d * std::f64::consts::PI / 180.0;
    let vecs = |angles: &[f64], len: &[f64]| -> (Vec<f64>, Vec<f64>) {
        angles
            .iter()
            .zip(len)
            .map(|(&a, &l)| (l * libm::cos(angle(a)), l * libm::sin(angle(a))))
            .unzip()
    };
    let (x1, y1) = vecs(&[10.0, 35.0, 80.0, 150.0], &[1.0, 0.7, 0.9, 0.5]);
    let (x2, y2) = vecs(&[200.0, 260.0, 320.0], &[0.8, 0.6, 1.1]);
    Chart::with_body(
        "gallery_arrows",
        "Arrows: tuning vectors from the origin",
        "task 1 selectivity",
        "task 2 selectivity",
        ChartBody::Arrows {
            series: vec![
                Series::new("module A", x1, y1),
                Series::new("module B", x2, y2),
            ],
        },
    )
}

/// A metric per layer, two runs.
pub fn profile() -> Chart {
    let idx = vec![0.0, 1.0, 2.0, 3.0];
    Chart::with_body(
        "gallery_profile",
        "Profile: capacity per layer",
        "layer",
        "capacity α_M",
        ChartBody::Profile {
            categories: vec!["input".into(), "h1".into(), "h2".into(), "out".into()],
            series: vec![
                Series::new("trained", idx.clone(), vec![0.08, 0.14, 0.27, 0.41]),
                Series::new("random init", idx, vec![0.08, 0.09, 0.1, 0.1]),
            ],
        },
    )
}

/// Grouped bars: a metric per learning rule, two series.
pub fn bars() -> Chart {
    let idx = vec![0.0, 1.0, 2.0, 3.0];
    Chart::with_body(
        "gallery_bars",
        "Bars: accuracy per learning rule",
        "rule",
        "accuracy",
        ChartBody::Bars {
            categories: vec!["BP".into(), "FA".into(), "DFA".into(), "node pert.".into()],
            series: vec![
                Series::new("train", idx.clone(), vec![0.99, 0.95, 0.93, 0.71]),
                Series::new("test", idx, vec![0.97, 0.92, 0.9, 0.66]),
            ],
        },
    )
}

/// Lines on a symlog axis: a margin that turns negative beside an angle
/// that stays near 0 and then jumps (a sweep of the modularity lab's leg).
pub fn symlog() -> Chart {
    let leg: Vec<f64> = (1..=10).map(|i| i as f64 / 10.0).collect();
    let margin = leg
        .iter()
        .map(|&l| if l < 0.35 { 0.0 } else { -(l - 0.35) * 1.8 })
        .collect();
    let angle = leg
        .iter()
        .map(|&l| 0.785 / (1.0 + libm::exp(-(l - 0.55) * 40.0)) + 2e-3)
        .collect();
    Chart::lines(
        "gallery_symlog",
        "Lines: symlog axis, a margin crossing zero",
        "cut leg L",
        "value",
        vec![
            Series::new("margin", leg.clone(), margin),
            Series::new("most-mixed angle", leg, angle),
        ],
    )
    .symlog_y()
}

/// Every gallery chart, with the pinned chart to draw beside it (if any).
pub fn charts() -> Vec<(Chart, Option<Chart>)> {
    let mut pinned = lines();
    pinned.title = "Pinned comparison: this run vs the pinned one".into();
    pinned.body = match pinned.body {
        ChartBody::Lines { mut series } => {
            series.truncate(2);
            ChartBody::Lines { series }
        }
        b => b,
    };
    vec![
        (lines(), None),
        (symlog(), None),
        (band(), None),
        (heatmap(), None),
        (complex_plane(), None),
        (hull_and_ellipse(), None),
        (arrows(), None),
        (profile(), None),
        (bars(), None),
        (pinned, Some(lines_pinned())),
    ]
}

/// The gallery as one SVG: 3 columns of 520 × 380 cells.
pub fn svg() -> Result<String, String> {
    let charts = charts();
    let (cw, ch, columns) = (520u32, 380u32, 3usize);
    let rows = charts.len().div_ceil(columns);
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (cw * columns as u32, ch * rows as u32))
            .into_drawing_area();
        root.fill(&BACKGROUND).map_err(err)?;
        for (cell, (chart, pinned)) in root.split_evenly((rows, columns)).iter().zip(&charts) {
            super::draw_comparison(cell, chart, pinned.as_ref(), 1.0, None)?;
        }
        root.present().map_err(err)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hull_holds_every_sample() {
        let pts = vec![
            (0.0, 0.0),
            (1.0, 0.0),
            (0.5, 0.2),
            (1.0, 1.0),
            (0.0, 1.0),
            (0.5, 0.5),
        ];
        let hull = convex_hull(pts);
        assert_eq!(hull, vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]);
    }
}
