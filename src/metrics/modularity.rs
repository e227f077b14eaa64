//! Modularity of a code of a few sources: the theory's condition (Dorrell,
//! Hsu, …, Whittington, ICLR 2025, "Range, not independence, drives
//! modularity in biologically inspired representations"), and the InfoMEC
//! metrics of Hsu et al. 2023 as the paper's code (kylehkhsu/modular,
//! `metrics.py`) computes them. SCIENCE.md §5 states the same formulas.
//!
//! Sources are `s` (samples × sources), latents `z` (samples × latents).
//!
//! **The condition (two sources).** With s̃ = s − mean,
//! e_k = min(|min s̃_k|, |max s̃_k|), c = mean(s̃_1 s̃_2) and
//! S = [[e_1², −c], [−c, e_2²]], the optimal nonnegative, energy-efficient
//! linear code is modular iff (min_n w·s̃_n)² ≥ wᵀSw for every direction w,
//! i.e. iff the ellipse xᵀS⁻¹x ≤ 1 lies inside the convex hull of the s̃_n.
//! Checked exactly over the hull's edges: for each edge with outward unit
//! normal u and support h = max_n u·s̃_n, h² ≥ uᵀSu.
//! - The check is made in coordinates where each source is divided by its
//!   e_k (so S has unit diagonal and off-diagonal −c/(e_1 e_2)). The verdict
//!   is the same in any coordinates (the hull and the ellipse move together
//!   under a diagonal rescaling); the **margin** min over edges of
//!   h² − uᵀSu in these units is then invariant to rescaling either source.
//! - On a full square the condition is tight (margin 0 along the axis
//!   normals), so the verdict allows a margin down to −[`TIGHT_TOL`].
//! - If |c| > e_1 e_2, S is not positive definite (no ellipse): the verdict
//!   then checks every direction w exactly (the edges and, within each
//!   vertex's cone of normals, the minimum of the quadratic form).
//! - More than two sources: the check is applied to every pair of sources.
//!   That is an assumption (the theory is stated for two), and the lab
//!   labels it "pairwise".
//!
//! **InfoM and InfoC** (Hsu et al. 2023): NMI_ij = I(s_i; z_j)/H(s_i),
//! clipped to [0, 1]. Estimator: binned plug-in, [`BINS`] equal-width bins
//! over each variable's range (the paper's code uses a KSG estimator with
//! the sources as discrete labels; on a lattice whose latents are exact
//! affine functions of one source, both give NMI 1 and 0). Active latents:
//! range > 0.1 × the largest range (as `metrics.py`). Then
//! InfoM = (mean over active j of max_i NMI_ij / Σ_i NMI_ij − 1/d)/(1 − 1/d),
//! InfoC = (mean over i of max_j NMI_ij / Σ_j NMI_ij − 1/a)/(1 − 1/a) over
//! the a active latents.
//!
//! **Linear conditional InfoM** (the paper's main plot, `compute_linear_ncmi`):
//! with standardised s and z, NCMI_ij = r(z_j, s_i)² / (1 − R²(s_i | s₋i)),
//! clipped to [0, 1], then the InfoM formula. Computed here as the paper's
//! code does, from residual sums of squares of least-squares fits; for two
//! sources R² = ρ_12² (the closed form the tests compare with).
//!
//! **Most-mixed neuron angle**: for each active latent with tuning vector w
//! over the sources (|W1| row), the angle to the nearest source axis,
//! atan2(√(‖w‖² − max_k w_k²), max_k |w_k|); for two sources this is
//! arctan(a/b) folded to [0, π/4]. The maximum over active latents.
//!
//! **Normalised multi-information** of the sources (`metrics.py`):
//! (Σ_i H(s_i) − H(s))/Σ_i H(s_i), clipped to [0, 1], with the same binned
//! entropies. 0 for independent sources.

use nalgebra::DMatrix;

/// Bins per variable of the plug-in entropy estimates.
pub const BINS: usize = 10;

/// See [`bin_codes`].
const BIN_EDGE_SLACK: f64 = 1e-9;

/// A latent is active if its range exceeds this share of the largest range.
pub const ACTIVE_SHARE: f64 = 0.1;

/// Slack of the verdict, in the normalised units of the margin (e_k = 1).
/// The condition is tight on a full square (margin exactly 0 along the axis
/// normals); random samples of a square have hull edges a little off the
/// axes and margins of order −1/√N (about −0.005 at N = 1000, −0.0005 at
/// N = 4000), which this slack forgives only for dense samples. It moves
/// the critical legs of the oracles by less than 0.001.
pub const TIGHT_TOL: f64 = 1e-3;

/// The convex hull of 2-D points, counter-clockwise, starting from the
/// lowest (x, then y) point, without collinear points (Andrew's monotone
/// chain). Fewer than 3 vertices if the points are on one line.
pub fn convex_hull(points: &[[f64; 2]]) -> Vec<[f64; 2]> {
    let mut p: Vec<[f64; 2]> = points
        .iter()
        .copied()
        .filter(|q| q[0].is_finite() && q[1].is_finite())
        .collect();
    crate::sort::sort_by(&mut p, &|a, b| {
        a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1]))
    });
    p.dedup();
    if p.len() < 3 {
        return p;
    }
    let cross = |o: [f64; 2], a: [f64; 2], b: [f64; 2]| {
        (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
    };
    let mut hull: Vec<[f64; 2]> = Vec::with_capacity(2 * p.len());
    for &q in p.iter() {
        while hull.len() >= 2 && cross(hull[hull.len() - 2], hull[hull.len() - 1], q) <= 0.0 {
            hull.pop();
        }
        hull.push(q);
    }
    let lower = hull.len() + 1;
    for &q in p.iter().rev().skip(1) {
        while hull.len() >= lower && cross(hull[hull.len() - 2], hull[hull.len() - 1], q) <= 0.0 {
            hull.pop();
        }
        hull.push(q);
    }
    hull.pop();
    hull
}

/// The theory's verdict for two sources.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// Whether the optimal code is modular (margin ≥ −[`TIGHT_TOL`]; see the
    /// module docs for a non-positive-definite S).
    pub modular: bool,
    /// min over hull edges of h² − uᵀSu, with each source in units of e_k.
    pub margin: f64,
    /// The sources' mean (the ellipse's centre).
    pub mean: [f64; 2],
    /// e_k = min(|min s̃_k|, |max s̃_k|).
    pub e: [f64; 2],
    /// c = mean(s̃_1 s̃_2).
    pub c: f64,
    /// The convex hull, counter-clockwise, in the sources' own coordinates.
    pub hull: Vec<[f64; 2]>,
}

impl Condition {
    /// S = [[e_1², −c], [−c, e_2²]] as (s11, s12, s22), in source units.
    pub fn s_matrix(&self) -> (f64, f64, f64) {
        (self.e[0] * self.e[0], -self.c, self.e[1] * self.e[1])
    }

    /// Whether S is positive definite (the ellipse exists).
    pub fn has_ellipse(&self) -> bool {
        let (a, b, d) = self.s_matrix();
        a > 0.0 && a * d - b * b > 0.0
    }
}

/// The theory's condition for two sources (see the module docs). Errors
/// name the degenerate case: fewer than 3 points, a source with no spread on
/// one side of its mean, or all points on one line.
pub fn condition(x: &[f64], y: &[f64]) -> Result<Condition, String> {
    let n = x.len().min(y.len());
    if n < 3 {
        return Err(format!("{n} points; the condition needs at least 3"));
    }
    if x.iter().chain(y.iter()).any(|v| !v.is_finite()) {
        return Err("a source value is NaN or infinite".into());
    }
    let mean = [mean_of(&x[..n]), mean_of(&y[..n])];
    let mut c = 0.0;
    for i in 0..n {
        c += (x[i] - mean[0]) * (y[i] - mean[1]);
    }
    c /= n as f64;
    let hull = convex_hull(&(0..n).map(|i| [x[i], y[i]]).collect::<Vec<_>>());
    condition_from_moments(mean, c, &hull)
}

/// The condition from the sources' mean, their covariance c and the convex
/// hull of their support (counter-clockwise, as [`convex_hull`] gives it):
/// the extremes e_k are read off the hull. [`condition`] computes these from
/// samples; a continuous distribution (a uniform polygon) can give them
/// exactly.
pub fn condition_from_moments(
    mean: [f64; 2],
    c: f64,
    hull: &[[f64; 2]],
) -> Result<Condition, String> {
    if hull.len() < 3 {
        return Err("the points lie on one line: the hull has no interior".into());
    }
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for p in hull {
        for k in 0..2 {
            lo[k] = lo[k].min(p[k] - mean[k]);
            hi[k] = hi[k].max(p[k] - mean[k]);
        }
    }
    let hull = hull.to_vec();
    let e = [lo[0].abs().min(hi[0].abs()), lo[1].abs().min(hi[1].abs())];
    for k in 0..2 {
        let range = hi[k] - lo[k];
        if e[k].is_nan() || e[k] <= 1e-12 * range.max(f64::MIN_POSITIVE) {
            return Err(format!(
                "source {} has no spread on one side of its mean",
                k + 1
            ));
        }
    }
    // Normalised, demeaned hull: t_k = (s_k − mean_k)/e_k. A diagonal
    // rescaling keeps the hull's vertex order.
    let v: Vec<[f64; 2]> = hull
        .iter()
        .map(|p| [(p[0] - mean[0]) / e[0], (p[1] - mean[1]) / e[1]])
        .collect();
    let rho = c / (e[0] * e[1]);
    // uᵀS'u with S' = [[1, −ρ'], [−ρ', 1]].
    let quad = |u: [f64; 2]| u[0] * u[0] + u[1] * u[1] - 2.0 * rho * u[0] * u[1];
    let m = v.len();
    let mut margin = f64::INFINITY;
    let mut normals = Vec::with_capacity(m);
    for i in 0..m {
        let (p, q) = (v[i], v[(i + 1) % m]);
        let (dx, dy) = (q[0] - p[0], q[1] - p[1]);
        let len = (dx * dx + dy * dy).sqrt();
        let u = [dy / len, -dx / len];
        // The support: every hull vertex has u·t ≤ u·p (convexity); take the
        // largest over the vertices against rounding.
        let h = v
            .iter()
            .map(|t| u[0] * t[0] + u[1] * t[1])
            .fold(f64::NEG_INFINITY, f64::max);
        margin = margin.min(h * h - quad(u));
        normals.push(u);
    }
    let modular = if rho.abs() < 1.0 {
        margin >= -TIGHT_TOL
    } else {
        // No ellipse: check every direction, edge normals and vertex cones.
        let mut worst = margin;
        for i in 0..m {
            let (ua, ub) = (normals[(i + m - 1) % m], normals[i]);
            worst = worst.min(cone_minimum(v[i], ua, ub, rho));
        }
        worst >= -TIGHT_TOL
    };
    Ok(Condition {
        modular,
        margin,
        mean,
        e,
        c,
        hull,
    })
}

/// min over unit w between the normals `ua` and `ub` (counter-clockwise) of
/// (w·v)² − wᵀS'w, S' = [[1, −ρ'], [−ρ', 1]]: a quadratic form
/// wᵀ(vvᵀ − S')w = A + B cos 2θ + C sin 2θ, minimal at an end of the arc or
/// at its stationary angle.
fn cone_minimum(v: [f64; 2], ua: [f64; 2], ub: [f64; 2], rho: f64) -> f64 {
    let (m11, m12, m22) = (v[0] * v[0] - 1.0, v[0] * v[1] + rho, v[1] * v[1] - 1.0);
    let f = |t: f64| {
        let (c, s) = (libm::cos(t), libm::sin(t));
        m11 * c * c + 2.0 * m12 * c * s + m22 * s * s
    };
    let ta = libm::atan2(ua[1], ua[0]);
    let mut tb = libm::atan2(ub[1], ub[0]);
    while tb < ta {
        tb += 2.0 * core::f64::consts::PI;
    }
    let mut best = f(ta).min(f(tb));
    // Stationary points: tan 2θ = 2 m12 / (m11 − m22), every π/2.
    let t0 = 0.5 * libm::atan2(2.0 * m12, m11 - m22);
    for k in -4..=8 {
        let t = t0 + k as f64 * core::f64::consts::FRAC_PI_2;
        if t > ta && t < tb {
            best = best.min(f(t));
        }
    }
    best
}

/// The verdict for every pair of sources (the pairwise assumption for more
/// than two sources).
#[derive(Clone, Debug, PartialEq)]
pub struct PairwiseCondition {
    /// All pairs modular.
    pub modular: bool,
    /// The smallest margin over pairs.
    pub margin: f64,
    /// (i, j, verdict) for each pair i < j.
    pub pairs: Vec<(usize, usize, Condition)>,
}

/// The condition on every pair of columns of `s` (samples × sources). For
/// two sources this is [`condition`] itself.
pub fn pairwise_condition(s: &DMatrix<f64>) -> Result<PairwiseCondition, String> {
    let d = s.ncols();
    if d < 2 {
        return Err("the condition needs at least two sources".into());
    }
    let mut pairs = Vec::new();
    for i in 0..d {
        for j in i + 1..d {
            let xi: Vec<f64> = s.column(i).iter().copied().collect();
            let xj: Vec<f64> = s.column(j).iter().copied().collect();
            let c =
                condition(&xi, &xj).map_err(|e| format!("sources {} and {}: {e}", i + 1, j + 1))?;
            pairs.push((i, j, c));
        }
    }
    Ok(PairwiseCondition {
        modular: pairs.iter().all(|p| p.2.modular),
        margin: pairs
            .iter()
            .map(|p| p.2.margin)
            .fold(f64::INFINITY, f64::min),
        pairs,
    })
}

fn mean_of(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for &v in x {
        s += v;
    }
    s / x.len().max(1) as f64
}

/// Pearson correlation of two equal-length columns (0 if either is constant).
pub fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (ma, mb) = (mean_of(&a[..n]), mean_of(&b[..n]));
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (x, y) = (a[i] - ma, b[i] - mb);
        sab += x * y;
        saa += x * x;
        sbb += y * y;
    }
    if saa <= 0.0 || sbb <= 0.0 {
        0.0
    } else {
        sab / (saa.sqrt() * sbb.sqrt())
    }
}

/// Equal-width bin index of each value over [min, max] (all in bin 0 if the
/// range is zero). A value within [`BIN_EDGE_SLACK`] (relative) below a bin
/// edge goes into the upper bin, so lattice values that fall on an edge are
/// binned the same way after any affine map (whose rounding would otherwise
/// send them either way).
fn bin_codes(x: &[f64], bins: usize) -> Vec<usize> {
    let lo = x.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let range = hi - lo;
    x.iter()
        .map(|&v| {
            if range.is_nan() || range <= 0.0 {
                0
            } else {
                (((v - lo) / range * bins as f64 + BIN_EDGE_SLACK).floor() as usize).min(bins - 1)
            }
        })
        .collect()
}

/// Plug-in entropy (nats) of integer codes < `k`.
fn entropy_codes(codes: &[usize], k: usize) -> f64 {
    let mut counts = vec![0usize; k];
    for &c in codes {
        counts[c] += 1;
    }
    let n = codes.len() as f64;
    let mut h = 0.0;
    for &c in &counts {
        if c > 0 {
            let p = c as f64 / n;
            h -= p * libm::log(p);
        }
    }
    h
}

fn column(x: &DMatrix<f64>, j: usize) -> Vec<f64> {
    x.column(j).iter().copied().collect()
}

/// NMI_ij = I(s_i; z_j)/H(s_i) (sources × latents), binned plug-in
/// estimates with `bins` equal-width bins per variable, clipped to [0, 1].
pub fn nmi_binned(s: &DMatrix<f64>, z: &DMatrix<f64>, bins: usize) -> DMatrix<f64> {
    let bins = bins.max(2);
    let sc: Vec<Vec<usize>> = (0..s.ncols())
        .map(|i| bin_codes(&column(s, i), bins))
        .collect();
    let zc: Vec<Vec<usize>> = (0..z.ncols())
        .map(|j| bin_codes(&column(z, j), bins))
        .collect();
    DMatrix::from_fn(s.ncols(), z.ncols(), |i, j| {
        let hs = entropy_codes(&sc[i], bins);
        if hs <= 0.0 {
            return 0.0;
        }
        let joint: Vec<usize> = sc[i]
            .iter()
            .zip(&zc[j])
            .map(|(a, b)| a * bins + b)
            .collect();
        let mi = hs + entropy_codes(&zc[j], bins) - entropy_codes(&joint, bins * bins);
        (mi / hs).clamp(0.0, 1.0)
    })
}

/// Active latents: range > [`ACTIVE_SHARE`] × the largest range.
pub fn active_latents(z: &DMatrix<f64>) -> Vec<bool> {
    let ranges: Vec<f64> = (0..z.ncols())
        .map(|j| {
            let c = z.column(j);
            c.max() - c.min()
        })
        .collect();
    let top = ranges.iter().copied().fold(0.0, f64::max);
    ranges
        .iter()
        .map(|&r| top > 0.0 && r > ACTIVE_SHARE * top)
        .collect()
}

/// (InfoM, InfoC) of an information matrix (sources × latents) over the
/// active latents, as `compute_modularity_compactness` in the paper's code.
/// No active latent gives (0, 0) as there; a latent or source whose row of
/// information is all zero is left out of its mean (numpy would give NaN);
/// InfoC with one active latent is NaN (1 − 1/a = 0).
pub fn info_m_c(info: &DMatrix<f64>, active: &[bool]) -> (f64, f64) {
    let d = info.nrows();
    let cols: Vec<usize> = (0..info.ncols())
        .filter(|&j| active.get(j) == Some(&true))
        .collect();
    if cols.is_empty() || d == 0 {
        return (0.0, 0.0);
    }
    let a = cols.len() as f64;
    let (mut m_sum, mut m_n) = (0.0, 0usize);
    for &j in &cols {
        let (mut sum, mut max) = (0.0, 0.0f64);
        for i in 0..d {
            sum += info[(i, j)];
            max = max.max(info[(i, j)]);
        }
        if sum > 0.0 {
            m_sum += max / sum;
            m_n += 1;
        }
    }
    let (mut c_sum, mut c_n) = (0.0, 0usize);
    for i in 0..d {
        let (mut sum, mut max) = (0.0, 0.0f64);
        for &j in &cols {
            sum += info[(i, j)];
            max = max.max(info[(i, j)]);
        }
        if sum > 0.0 {
            c_sum += max / sum;
            c_n += 1;
        }
    }
    let dd = d as f64;
    let infom = if m_n == 0 || d < 2 {
        0.0
    } else {
        (m_sum / m_n as f64 - 1.0 / dd) / (1.0 - 1.0 / dd)
    };
    let infoc = if c_n == 0 || cols.len() < 2 {
        f64::NAN
    } else {
        (c_sum / c_n as f64 - 1.0 / a) / (1.0 - 1.0 / a)
    };
    (infom, infoc)
}

/// InfoM and InfoC with the binned NMI (see the module docs).
pub fn infom_infoc(s: &DMatrix<f64>, z: &DMatrix<f64>) -> (f64, f64) {
    info_m_c(&nmi_binned(s, z, BINS), &active_latents(z))
}

/// Standardise each column (mean 0, population std 1; a constant column
/// becomes 0).
fn standardise(x: &DMatrix<f64>) -> DMatrix<f64> {
    let mut out = x.clone();
    for j in 0..x.ncols() {
        let c = column(x, j);
        let m = mean_of(&c);
        let mut v = 0.0;
        for &t in &c {
            v += (t - m) * (t - m);
        }
        let sd = (v / c.len().max(1) as f64).sqrt();
        for i in 0..x.nrows() {
            out[(i, j)] = if sd > 0.0 { (x[(i, j)] - m) / sd } else { 0.0 };
        }
    }
    out
}

/// Residual sum of squares of the least-squares fit of `y` on the columns
/// `xs` with an intercept (at most 2 regressors here), by the normal
/// equations of the centred data.
fn rss(xs: &[Vec<f64>], y: &[f64]) -> f64 {
    let n = y.len();
    let my = mean_of(y);
    let yc: Vec<f64> = y.iter().map(|v| v - my).collect();
    let xc: Vec<Vec<f64>> = xs
        .iter()
        .map(|x| {
            let m = mean_of(x);
            x.iter().map(|v| v - m).collect()
        })
        .collect();
    let dot = |a: &[f64], b: &[f64]| {
        let mut s = 0.0;
        for i in 0..n {
            s += a[i] * b[i];
        }
        s
    };
    let tss = dot(&yc, &yc);
    let beta: Vec<f64> = match xc.len() {
        0 => vec![],
        1 => {
            let g = dot(&xc[0], &xc[0]);
            vec![if g > 0.0 { dot(&xc[0], &yc) / g } else { 0.0 }]
        }
        2 => {
            let (g11, g12, g22) = (
                dot(&xc[0], &xc[0]),
                dot(&xc[0], &xc[1]),
                dot(&xc[1], &xc[1]),
            );
            let (b1, b2) = (dot(&xc[0], &yc), dot(&xc[1], &yc));
            let det = g11 * g22 - g12 * g12;
            if det > 1e-12 * g11 * g22 {
                vec![(g22 * b1 - g12 * b2) / det, (g11 * b2 - g12 * b1) / det]
            } else if g11 > 0.0 {
                vec![b1 / g11, 0.0]
            } else {
                vec![0.0, 0.0]
            }
        }
        _ => return f64::NAN,
    };
    let mut r = 0.0;
    for i in 0..n {
        let mut fit = 0.0;
        for (b, x) in beta.iter().zip(&xc) {
            fit += b * x[i];
        }
        let e = yc[i] - fit;
        r += e * e;
    }
    r.min(tss)
}

/// The paper's linear NCMI (sources × latents, at most 3 sources):
/// on standardised data, [Σ_k (RSS(s_k | ∅) − RSS(s_k | z_j)) −
/// Σ_{k≠i} (…)] / RSS(s_i | s₋i) = r(z_j, s_i)² / (1 − R²(s_i | s₋i)),
/// clipped to [0, 1].
pub fn linear_ncmi(s: &DMatrix<f64>, z: &DMatrix<f64>) -> DMatrix<f64> {
    let (ss, zs) = (standardise(s), standardise(z));
    let d = s.ncols();
    let sc: Vec<Vec<f64>> = (0..d).map(|i| column(&ss, i)).collect();
    let zc: Vec<Vec<f64>> = (0..z.ncols()).map(|j| column(&zs, j)).collect();
    // The information z_j carries about source k: RSS(∅) − RSS(z_j).
    let gain = |k: usize, j: usize| rss(&[], &sc[k]) - rss(std::slice::from_ref(&zc[j]), &sc[k]);
    DMatrix::from_fn(d, z.ncols(), |i, j| {
        let rest: Vec<Vec<f64>> = (0..d).filter(|&k| k != i).map(|k| sc[k].clone()).collect();
        let cond = rss(&rest, &sc[i]);
        let mut joint = 0.0;
        let mut others = 0.0;
        for k in 0..d {
            let g = gain(k, j);
            joint += g;
            if k != i {
                others += g;
            }
        }
        let v = (joint - others) / cond;
        if v.is_nan() {
            1.0
        } else {
            v.clamp(0.0, 1.0)
        }
    })
}

/// The linear conditional InfoM: [`info_m_c`] of [`linear_ncmi`].
pub fn ncmi_infom(s: &DMatrix<f64>, z: &DMatrix<f64>) -> f64 {
    info_m_c(&linear_ncmi(s, z), &active_latents(z)).0
}

/// Angle (radians) between a tuning vector and its nearest source axis:
/// atan2(√(‖w‖² − max_k w_k²), max_k |w_k|), in [0, π/4] for two sources.
pub fn axis_angle(w: &[f64]) -> f64 {
    let mut norm2 = 0.0;
    let mut top = 0.0f64;
    for &v in w {
        norm2 += v * v;
        top = top.max(v.abs());
    }
    if norm2 <= 0.0 {
        return 0.0;
    }
    libm::atan2((norm2 - top * top).max(0.0).sqrt(), top)
}

/// The most-mixed active latent's angle to its nearest axis; `tuning[j]` is
/// latent j's vector over the sources.
pub fn max_mixing_angle(tuning: &[Vec<f64>], active: &[bool]) -> f64 {
    tuning
        .iter()
        .zip(active)
        .filter(|(_, &a)| a)
        .map(|(w, _)| axis_angle(w))
        .fold(0.0, f64::max)
}

/// Each latent's linear tuning over the sources: the slopes of the
/// least-squares fit z_j ≈ β·s + β₀ (at most 3 sources; exact W1 rows for a
/// linear encoder). Used for the MLP autoencoder's arrows and angles.
pub fn linear_tuning(s: &DMatrix<f64>, z: &DMatrix<f64>) -> Vec<Vec<f64>> {
    let d = s.ncols();
    let n = s.nrows();
    let sc: Vec<Vec<f64>> = (0..d)
        .map(|k| {
            let c = column(s, k);
            let m = mean_of(&c);
            c.iter().map(|v| v - m).collect()
        })
        .collect();
    let mut g = DMatrix::zeros(d, d);
    for a in 0..d {
        for b in 0..d {
            let mut t = 0.0;
            for (u, v) in sc[a].iter().zip(&sc[b]) {
                t += u * v;
            }
            g[(a, b)] = t;
        }
    }
    let inv = invert_small(&g);
    (0..z.ncols())
        .map(|j| {
            let zc = column(z, j);
            let m = mean_of(&zc);
            let rhs: Vec<f64> = (0..d)
                .map(|a| {
                    let mut t = 0.0;
                    for i in 0..n {
                        t += sc[a][i] * (zc[i] - m);
                    }
                    t
                })
                .collect();
            match &inv {
                Some(inv) => (0..d)
                    .map(|a| {
                        let mut t = 0.0;
                        for b in 0..d {
                            t += inv[(a, b)] * rhs[b];
                        }
                        t
                    })
                    .collect(),
                None => vec![f64::NAN; d],
            }
        })
        .collect()
}

/// Inverse of a 2 × 2 or 3 × 3 matrix by cofactors (None if singular).
fn invert_small(g: &DMatrix<f64>) -> Option<DMatrix<f64>> {
    match g.nrows() {
        2 => {
            let det = g[(0, 0)] * g[(1, 1)] - g[(0, 1)] * g[(1, 0)];
            if det.abs() <= 1e-300 {
                return None;
            }
            Some(DMatrix::from_row_slice(
                2,
                2,
                &[
                    g[(1, 1)] / det,
                    -g[(0, 1)] / det,
                    -g[(1, 0)] / det,
                    g[(0, 0)] / det,
                ],
            ))
        }
        3 => {
            let c = |r: usize, k: usize| {
                let (r1, r2) = ((r + 1) % 3, (r + 2) % 3);
                let (k1, k2) = ((k + 1) % 3, (k + 2) % 3);
                g[(r1, k1)] * g[(r2, k2)] - g[(r1, k2)] * g[(r2, k1)]
            };
            let det = g[(0, 0)] * c(0, 0) + g[(0, 1)] * c(0, 1) + g[(0, 2)] * c(0, 2);
            if det.abs() <= 1e-300 {
                return None;
            }
            Some(DMatrix::from_fn(3, 3, |a, b| c(b, a) / det))
        }
        _ => None,
    }
}

/// Normalised multi-information of the sources, (Σ_i H(s_i) − H(s))/Σ_i H(s_i),
/// binned plug-in entropies ([`BINS`] bins per source), clipped to [0, 1].
pub fn normalised_multi_information(s: &DMatrix<f64>) -> f64 {
    let d = s.ncols();
    let codes: Vec<Vec<usize>> = (0..d).map(|i| bin_codes(&column(s, i), BINS)).collect();
    let mut marginal = 0.0;
    for c in &codes {
        marginal += entropy_codes(c, BINS);
    }
    if marginal <= 0.0 {
        return 0.0;
    }
    let k = BINS.pow(d as u32);
    let joint: Vec<usize> = (0..s.nrows())
        .map(|n| codes.iter().fold(0, |acc, c| acc * BINS + c[n]))
        .collect();
    ((marginal - entropy_codes(&joint, k)) / marginal).clamp(0.0, 1.0)
}

/// numpy's `np.percentile(x, q)` with its default linear interpolation, on
/// sorted values.
fn percentile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let pos = q / 100.0 * (n - 1) as f64;
    let lo = (pos.floor() as usize).min(n - 1);
    let hi = (lo + 1).min(n - 1);
    let t = pos - lo as f64;
    sorted[lo] + (sorted[hi] - sorted[lo]) * t
}

/// Bin codes as `np.digitize(x, np.histogram(x, bins='auto')[1][:-1])`:
/// numpy's 'auto' width, min(Freedman–Diaconis 2·IQR·n^(−1/3), Sturges
/// range/(log₂n + 1)) (Sturges alone when the IQR is 0), ⌈range/width⌉
/// equal bins over [min, max], and each value's code the number of left
/// edges at or below it (1..=bins).
pub fn auto_bin_codes(x: &[f64]) -> Vec<usize> {
    let n = x.len();
    if n == 0 {
        return Vec::new();
    }
    let mut sorted = x.to_vec();
    crate::sort::floats_ascending(&mut sorted);
    let (lo, hi) = (sorted[0], sorted[n - 1]);
    let range = hi - lo;
    let sturges = range / (libm::log2(n as f64) + 1.0);
    let iqr = percentile_sorted(&sorted, 75.0) - percentile_sorted(&sorted, 25.0);
    let fd = 2.0 * iqr * libm::pow(n as f64, -1.0 / 3.0);
    let width = if fd > 0.0 { fd.min(sturges) } else { sturges };
    let bins = if width > 0.0 {
        ((range / width).ceil() as usize).max(1)
    } else {
        1
    };
    let step = range / bins as f64;
    let edges: Vec<f64> = (0..bins).map(|k| k as f64 * step + lo).collect();
    x.iter()
        .map(|&v| edges.iter().filter(|&&e| e <= v).count())
        .collect()
}

/// Plug-in entropy (nats) of rows of codes, counted after sorting (as
/// `np.unique(axis=0)`).
fn entropy_of_rows(rows: &[Vec<usize>]) -> f64 {
    let mut sorted: Vec<&Vec<usize>> = rows.iter().collect();
    crate::sort::sort_by(&mut sorted, &|a, b| a.cmp(b));
    let n = rows.len() as f64;
    let mut h = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j < sorted.len() && sorted[j] == sorted[i] {
            j += 1;
        }
        let p = (j - i) as f64 / n;
        h -= p * libm::log(p);
        i = j;
    }
    h
}

/// The sources' normalised multi-information as the teacher–student code
/// computes it (kylehkhsu/modular, `normalized_multiinformation` of
/// `discretize_binning(sources, bins='auto')`): each source binned by
/// [`auto_bin_codes`], then (Σ_i H(s_i) − H(s))/Σ_i H(s_i), clipped to
/// [0, 1], with plug-in entropies (a residue below 1e-12 of rounding is 0).
/// 0 for independent sources (up to the estimator's bias); ½ for two
/// sources when each determines the other.
pub fn multi_information_auto_bins(s: &DMatrix<f64>) -> f64 {
    let d = s.ncols();
    let codes: Vec<Vec<usize>> = (0..d).map(|i| auto_bin_codes(&column(s, i))).collect();
    let mut marginal = 0.0;
    for c in &codes {
        let rows: Vec<Vec<usize>> = c.iter().map(|&v| vec![v]).collect();
        marginal += entropy_of_rows(&rows);
    }
    if marginal <= 0.0 {
        return 0.0;
    }
    let joint: Vec<Vec<usize>> = (0..s.nrows())
        .map(|r| codes.iter().map(|c| c[r]).collect())
        .collect();
    let mi = (marginal - entropy_of_rows(&joint)) / marginal;
    // Equal entropies summed in different orders leave a rounding residue.
    if mi.abs() < 1e-12 {
        0.0
    } else {
        mi.clamp(0.0, 1.0)
    }
}

/// What the linear conditional InfoM ([`ncmi_infom`]) gives a perfectly
/// modular code of the sources: latents equal to the sources themselves.
/// For two sources with correlation ρ this is 1 − 2ρ² for ρ² ≤ ½ and 0
/// beyond: NCMI_ij = r(z_j, s_i)²/(1 − ρ²) is clipped to 1 on the
/// matched source and is ρ²/(1 − ρ²) on the other (clipped too for
/// ρ² > ½). Without the clip it would be 2/(1 + ρ²) − 1. Correlated
/// sources lower this metric's ceiling, so read it against this value.
pub fn ncmi_infom_ceiling(s: &DMatrix<f64>) -> f64 {
    ncmi_infom(s, s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hull_of_a_square_with_inner_and_edge_points() {
        let pts = [
            [0.0, 0.0],
            [1.0, 0.0],
            [0.5, 0.0],
            [1.0, 1.0],
            [0.0, 1.0],
            [0.5, 0.5],
            [0.2, 0.7],
            [1.0, 0.5],
        ];
        let h = convex_hull(&pts);
        assert_eq!(h, vec![[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]);
        assert_eq!(convex_hull(&[[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]).len(), 2);
    }

    #[test]
    fn hull_matches_a_brute_force_hull() {
        // A vertex of the hull is a point that some direction maximises
        // uniquely; check both ways on random points.
        let mut rng = crate::rng::Rng::new(4);
        let pts: Vec<[f64; 2]> = (0..60).map(|_| [rng.normal(), rng.normal()]).collect();
        let h = convex_hull(&pts);
        for k in 0..3600 {
            let t = k as f64 * core::f64::consts::PI / 1800.0;
            let u = [libm::cos(t), libm::sin(t)];
            let best = pts
                .iter()
                .map(|p| u[0] * p[0] + u[1] * p[1])
                .fold(f64::NEG_INFINITY, f64::max);
            let hb = h
                .iter()
                .map(|p| u[0] * p[0] + u[1] * p[1])
                .fold(f64::NEG_INFINITY, f64::max);
            assert_eq!(best, hb);
        }
        // Counter-clockwise: every turn is a left turn.
        for i in 0..h.len() {
            let (a, b, c) = (h[i], h[(i + 1) % h.len()], h[(i + 2) % h.len()]);
            assert!((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]) > 0.0);
        }
    }
}
