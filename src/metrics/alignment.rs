//! Manifold alignment (Cohen, Chung, Lee & Sompolinsky 2020; Kuoch, Chung
//! et al., task-dependent manifolds): how the manifolds of one layer are
//! oriented relative to each other.
//!
//! With u_μ the centred centre of manifold μ (its mean minus the mean of
//! the P manifold means) and A_μ an N × k_μ orthonormal basis of its top
//! k_μ ≤ k principal axes (eigenvectors of the covariance of its points
//! about its own mean):
//!
//! - **centre alignment** = mean_{μ≠ν} |cos(u_μ, u_ν)|;
//! - **axis alignment** = mean_{μ≠ν} ‖A_μᵀA_ν‖_F² / min(k_μ, k_ν): the mean
//!   of cos² of the pair's min(k_μ, k_ν) principal angles, 1 for identical
//!   subspaces (or one inside the other) and 0 for orthogonal ones, however
//!   many axes each manifold has;
//! - **centre–axis alignment** = mean_{μ≠ν} ‖A_νᵀu_μ‖² / ‖u_μ‖² (the
//!   fraction of one manifold's centre inside another's axes);
//! - **principal angles** θ_i between span A_μ and span A_ν: cos θ_i are the
//!   singular values of A_μᵀA_ν (Björck & Golub 1973), sorted ascending
//!   in θ.
//!
//! Centring convention: the centres are centred on their own mean, the
//! mean of the class means, as MFTMA's centre correlation ρ_c is (the
//! published `fun_FA`) and as neural collapse's μ_G is; so the centre
//! alignment and ρ_c are the same quantity. With equal class sizes this is
//! also the mean of all points; with unequal sizes the mean of all points
//! would weight the large classes and the two would disagree.
//!
//! k is capped per manifold at its rank: points − 1, N, and the number of
//! principal axes that stand above rounding (see [`principal_axes`] for the
//! thresholds). A manifold with no axis (all its points the same, up to
//! rounding) has no axis alignment: its pairs are NaN in the matrices and
//! left out of the means, and a mean with no pair left is NaN
//! ([`Alignment::without_axes`] counts such manifolds). A degenerate
//! manifold with fewer axes than k counts only its real ones: two lines
//! along orthogonal directions give exactly 0 at any k, and two copies of
//! one line exactly 1. A zero centre (up to rounding, relative to the data's
//! scale: `capacity::CENTRE_ABS_TOL`) contributes 0 to the centre
//! alignments. Eigen-decompositions use nalgebra's symmetric eigen (libm
//! inside, so the same bits in wasm and natively); an axis is defined up to
//! sign, which none of these quantities sees.

// NaN-aware comparisons (`!(x > 0.0)` is true for NaN) are deliberate here.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use nalgebra::DMatrix;

use crate::linalg::symmetric_eigen_desc;
use crate::metrics::capacity::{check_points, CapacityError, Points, CENTRE_ABS_TOL};

/// The alignments of one set of manifolds.
#[derive(Clone, Debug, PartialEq)]
pub struct Alignment {
    pub center_alignment: f64,
    pub axis_alignment: f64,
    pub center_axis_alignment: f64,
    /// P × P: |cos(u_μ, u_ν)| (diagonal 1, or 0 for a zero centre).
    pub center_matrix: DMatrix<f64>,
    /// P × P: ‖A_μᵀA_ν‖_F² / min(k_μ, k_ν) (diagonal 1; NaN when μ or ν
    /// has no axis).
    pub axis_matrix: DMatrix<f64>,
    /// P × P: ‖A_νᵀu_μ‖² / ‖u_μ‖² (row μ's centre in column ν's axes; NaN
    /// when ν has no axis, 0 for a zero centre).
    pub center_axis_matrix: DMatrix<f64>,
    /// The number of axes requested (each manifold has at most k).
    pub k: usize,
    /// Manifolds with no principal axis above rounding (a point each).
    pub without_axes: usize,
    /// The i-th principal angle (radians, ascending in i) between the axes
    /// of two manifolds, averaged over the unordered pairs μ < ν that both
    /// have more than i axes; up to k entries (fewer when no pair has that
    /// many). Σ_i cos² of a pair's angles is ‖A_μᵀA_ν‖_F².
    pub mean_angles: Vec<f64>,
}

/// Relative size, against the data's largest |coordinate| and √(M·N), of
/// the smallest singular value [`principal_axes`] takes for an axis.
pub const AXIS_ABS_TOL: f64 = 1e-10;
/// Relative size, against the largest eigenvalue of the Gram matrix, of the
/// smallest eigenvalue [`principal_axes`] takes for an axis.
pub const AXIS_REL_TOL: f64 = 1e-12;

/// The top-k principal axes (N × k', k' ≤ k) of the rows of `x` (M × N)
/// about their mean.
///
/// An axis needs a singular value σ of the centred Y that stands above
/// rounding, by two tests:
///
/// - σ > [`AXIS_ABS_TOL`]·√(M·N)·max|x_if|. Centring in floating point
///   leaves errors |e_if| ≤ (M + 1)·u·max|x| (u = 1.1e-16: the mean's
///   summation and the subtraction), so the error matrix has
///   ‖E‖₂ ≤ ‖E‖_F ≤ √(M·N)·(M + 1)·u·max|x|. For M up to 10⁵,
///   (M + 1)·u < 1.2e-11 < 1e-10: identical points (σ_max itself is then
///   rounding) give no axis at all. A real spread below 1e-10 of the
///   coordinates' scale is treated as none.
/// - σ² > [`AXIS_REL_TOL`]·σ_max² (σ > 1e-6·σ_max). The eigenvalues of the
///   Gram YYᵀ (or YᵀY) carry errors of order u·σ_max² times the size, so
///   smaller directions are not resolved by this route; a manifold's
///   secondary axis that thin is taken as absent.
pub fn principal_axes(x: &DMatrix<f64>, k: usize) -> DMatrix<f64> {
    let (m, n) = x.shape();
    let scale = x.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    let sigma_min = AXIS_ABS_TOL * libm::sqrt((m * n) as f64) * scale;
    // Eigenvalues (σ²) an axis must exceed.
    let floor = |top: f64| (AXIS_REL_TOL * top.max(0.0)).max(sigma_min * sigma_min);
    let mut y = x.clone();
    for f in 0..n {
        let mut s = 0.0;
        for i in 0..m {
            s += y[(i, f)];
        }
        let mean = s / m as f64;
        for i in 0..m {
            y[(i, f)] -= mean;
        }
    }
    let total: f64 = y.iter().map(|v| v * v).sum();
    // ‖Y‖_F ≥ σ_max: nothing above the rounding floor, no axis.
    if !(total > 0.0) || k == 0 || libm::sqrt(total) <= sigma_min {
        return DMatrix::zeros(n, 0);
    }
    if m < n {
        // Via the M × M Gram: axis = Yᵀw/√λ.
        let g = crate::gemm::mul_nt(&y, &y);
        let Some((vals, vecs)) = symmetric_eigen_desc(&g) else {
            return DMatrix::zeros(n, 0);
        };
        let tol = floor(vals[0]);
        let kk = vals.iter().take(k).filter(|&&v| v > tol).count();
        let mut a = DMatrix::zeros(n, kk);
        for c in 0..kk {
            let w = vecs.column(c);
            let s = libm::sqrt(vals[c]);
            for f in 0..n {
                let mut acc = 0.0;
                for i in 0..m {
                    acc += y[(i, f)] * w[i];
                }
                a[(f, c)] = acc / s;
            }
        }
        a
    } else {
        let g = crate::gemm::mul_tn(&y, &y);
        let Some((vals, vecs)) = symmetric_eigen_desc(&g) else {
            return DMatrix::zeros(n, 0);
        };
        let tol = floor(vals[0]);
        let kk = vals.iter().take(k).filter(|&&v| v > tol).count();
        vecs.columns(0, kk).into_owned()
    }
}

/// Principal angles (radians, ascending) between the column spans of two
/// matrices with orthonormal columns.
pub fn principal_angles(a: &DMatrix<f64>, b: &DMatrix<f64>) -> Vec<f64> {
    if a.ncols() == 0 || b.ncols() == 0 || a.nrows() != b.nrows() {
        return Vec::new();
    }
    let m = a.tr_mul(b); // ka × kb
    let mmt = if m.nrows() <= m.ncols() {
        &m * m.transpose()
    } else {
        m.tr_mul(&m)
    };
    let Some((vals, _)) = symmetric_eigen_desc(&mmt) else {
        return Vec::new();
    };
    vals.iter()
        .map(|&c2| libm::acos(libm::sqrt(c2.clamp(0.0, 1.0))))
        .collect()
}

fn norm_sq(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum()
}

/// The three alignments (and their matrices) of manifolds given as
/// samples × features matrices, with `k` principal axes per manifold.
pub fn alignment(manifolds: &[DMatrix<f64>], k: usize) -> Result<Alignment, CapacityError> {
    alignment_of(&Points::Borrowed(manifolds), k)
}

/// [`alignment`] on any [`Points`] source: one manifold is gathered at a
/// time, so no copy of the whole data is made.
pub fn alignment_of(points: &Points, k: usize) -> Result<Alignment, CapacityError> {
    let n = check_points(points)?;
    let p = points.len();
    // Class means, then centred on their own mean (see the module doc), and
    // each manifold's principal axes.
    let mut centres = Vec::with_capacity(p);
    let mut axes: Vec<DMatrix<f64>> = Vec::with_capacity(p);
    let mut scale = 0.0f64;
    for mu in 0..p {
        let x = points.manifold(mu);
        scale = x.iter().fold(scale, |m, v| m.max(v.abs()));
        axes.push(principal_axes(&x, k));
        let mut c = vec![0.0; n];
        for (f, cf) in c.iter_mut().enumerate() {
            let mut s = 0.0;
            for v in x.column(f).iter() {
                s += v;
            }
            *cf = s / x.nrows() as f64;
        }
        centres.push(c);
    }
    let mut mean = vec![0.0; n];
    for c in &centres {
        for (m, v) in mean.iter_mut().zip(c) {
            *m += v;
        }
    }
    mean.iter_mut().for_each(|m| *m /= p as f64);
    for c in centres.iter_mut() {
        for (cf, m) in c.iter_mut().zip(&mean) {
            *cf -= m;
        }
    }
    // A centre within rounding of the others' mean is a zero centre
    // (`capacity::CENTRE_ABS_TOL`): its residue has no direction.
    let zero = CENTRE_ABS_TOL * libm::sqrt(n as f64) * scale;
    for c in centres.iter_mut() {
        if !(libm::sqrt(norm_sq(c)) > zero) {
            c.iter_mut().for_each(|v| *v = 0.0);
        }
    }

    let mut angle_sum = vec![0.0; k];
    let mut angle_count = vec![0usize; k];
    for mu in 0..p {
        for nu in mu + 1..p {
            for (i, t) in principal_angles(&axes[mu], &axes[nu])
                .into_iter()
                .take(k)
                .enumerate()
            {
                angle_sum[i] += t;
                angle_count[i] += 1;
            }
        }
    }
    let mean_angles: Vec<f64> = angle_sum
        .iter()
        .zip(&angle_count)
        .take_while(|(_, &c)| c > 0)
        .map(|(s, &c)| s / c as f64)
        .collect();
    let mut cm = DMatrix::zeros(p, p);
    let mut am = DMatrix::zeros(p, p);
    let mut cam = DMatrix::zeros(p, p);
    for mu in 0..p {
        let nu_mu = norm_sq(&centres[mu]);
        for nu in 0..p {
            let nu_nu = norm_sq(&centres[nu]);
            let dot: f64 = centres[mu]
                .iter()
                .zip(&centres[nu])
                .map(|(a, b)| a * b)
                .sum();
            cm[(mu, nu)] = if nu_mu > 0.0 && nu_nu > 0.0 {
                (dot / (libm::sqrt(nu_mu) * libm::sqrt(nu_nu))).abs()
            } else {
                0.0
            };
            let (a, b) = (&axes[mu], &axes[nu]);
            am[(mu, nu)] = if a.ncols() > 0 && b.ncols() > 0 {
                let m = a.tr_mul(b);
                m.iter().map(|v| v * v).sum::<f64>() / a.ncols().min(b.ncols()) as f64
            } else {
                f64::NAN
            };
            cam[(mu, nu)] = if b.ncols() == 0 {
                f64::NAN
            } else if nu_mu > 0.0 {
                let mut s = 0.0;
                for c in 0..b.ncols() {
                    let proj: f64 = b
                        .column(c)
                        .iter()
                        .zip(&centres[mu])
                        .map(|(x, y)| x * y)
                        .sum();
                    s += proj * proj;
                }
                s / nu_mu
            } else {
                0.0
            };
        }
    }
    // The mean over the defined (non-NaN) off-diagonal pairs; NaN if none.
    let off_mean = |m: &DMatrix<f64>| {
        let (mut s, mut count) = (0.0, 0usize);
        for mu in 0..p {
            for nu in 0..p {
                if mu != nu && !m[(mu, nu)].is_nan() {
                    s += m[(mu, nu)];
                    count += 1;
                }
            }
        }
        if count == 0 {
            f64::NAN
        } else {
            s / count as f64
        }
    };
    Ok(Alignment {
        center_alignment: off_mean(&cm),
        axis_alignment: off_mean(&am),
        center_axis_alignment: off_mean(&cam),
        center_matrix: cm,
        axis_matrix: am,
        center_axis_matrix: cam,
        k,
        without_axes: axes.iter().filter(|a| a.ncols() == 0).count(),
        mean_angles,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// Manifold μ: centre c_μ plus points spread along the given axes, in
    /// ± pairs so that the mean is exactly the centre (m even).
    fn manifold(c: &[f64], axes: &[Vec<f64>], m: usize, rng: &mut Rng) -> DMatrix<f64> {
        let n = c.len();
        let mut x = DMatrix::zeros(m, n);
        let mut coef: Vec<f64> = Vec::new();
        for i in 0..m {
            if i % 2 == 0 {
                coef = (0..axes.len())
                    .map(|a| (a + 1) as f64 * rng.normal())
                    .collect();
            } else {
                coef.iter_mut().for_each(|v| *v = -*v);
            }
            for f in 0..n {
                let mut v = c[f];
                for (a, ax) in axes.iter().enumerate() {
                    v += coef[a] * ax[f];
                }
                x[(i, f)] = v;
            }
        }
        x
    }

    fn e(n: usize, i: usize) -> Vec<f64> {
        let mut v = vec![0.0; n];
        v[i] = 1.0;
        v
    }

    #[test]
    fn identical_axes_give_one_orthogonal_give_zero() {
        let mut rng = Rng::new(1);
        let n = 12;
        // Same axes (e0, e1), centres ±e5: axis alignment 1; centres are
        // antiparallel: centre alignment 1; centres ⟂ axes: 0.
        let axes = vec![e(n, 0), e(n, 1)];
        let mut c2 = e(n, 5);
        c2[5] = -1.0;
        let xs = vec![
            manifold(&e(n, 5), &axes, 30, &mut rng),
            manifold(&c2, &axes, 30, &mut rng),
        ];
        let a = alignment(&xs, 2).unwrap();
        assert!(
            (a.axis_alignment - 1.0).abs() < 1e-12,
            "{}",
            a.axis_alignment
        );
        assert!(
            (a.center_alignment - 1.0).abs() < 1e-12,
            "{}",
            a.center_alignment
        );
        assert!(a.center_axis_alignment < 1e-24);
        // Orthogonal axes; orthonormal centres e6, e7, e8, which after
        // centring have cos = −1/(P − 1): centre alignment 1/2.
        let xs = vec![
            manifold(&e(n, 6), &[e(n, 0), e(n, 1)], 30, &mut rng),
            manifold(&e(n, 7), &[e(n, 2), e(n, 3)], 30, &mut rng),
            manifold(&e(n, 8), &[e(n, 4), e(n, 9)], 30, &mut rng),
        ];
        let a = alignment(&xs, 2).unwrap();
        assert!(a.axis_alignment < 1e-24, "{}", a.axis_alignment);
        assert!(
            (a.center_alignment - 0.5).abs() < 1e-12,
            "{}",
            a.center_alignment
        );
        assert!(
            a.center_axis_alignment < 1e-24,
            "{}",
            a.center_axis_alignment
        );
        let angles = principal_angles(&principal_axes(&xs[0], 2), &principal_axes(&xs[1], 2));
        assert!(
            angles
                .iter()
                .all(|t| (t - core::f64::consts::FRAC_PI_2).abs() < 1e-9),
            "{angles:?}"
        );
    }

    #[test]
    fn closed_form_angle_and_centre_in_axes() {
        // Two 1-d subspaces at angle θ: axis alignment cos²θ, principal angle θ.
        let theta: f64 = 0.6;
        let a = DMatrix::from_column_slice(3, 1, &[1.0, 0.0, 0.0]);
        let b = DMatrix::from_column_slice(3, 1, &[libm::cos(theta), libm::sin(theta), 0.0]);
        let ang = principal_angles(&a, &b);
        assert!((ang[0] - theta).abs() < 1e-12);
        // Centre of manifold 0 = (1, 1, 0)·s lies half in manifold 1's axis e0.
        let mut rng = Rng::new(2);
        let n = 3;
        let c0 = vec![2.0, 2.0, 0.0];
        let c1 = vec![-2.0, -2.0, 0.0];
        let x0 = manifold(&c0, &[e(n, 2)], 40, &mut rng);
        let x1 = manifold(&c1, &[e(n, 0)], 40, &mut rng);
        let al = alignment(&[x0, x1], 1).unwrap();
        // Row 0 (centre of 0 in axes of 1): ‖e0·u0‖²/‖u0‖² ≈ 1/2.
        assert!(
            (al.center_axis_matrix[(0, 1)] - 0.5).abs() < 1e-12,
            "{}",
            al.center_axis_matrix
        );
    }

    /// Points far from the origin (coordinates ~10³, so that centring
    /// leaves rounding residue) in N = 300: every manifold has no axis, and
    /// the axis alignments are NaN, not the ~k/N of axes found in rounding.
    #[test]
    fn points_have_no_axes() {
        let mut rng = Rng::new(5);
        let (p, m, n) = (6, 170, 300);
        let xs: Vec<DMatrix<f64>> = (0..p)
            .map(|_| {
                let c: Vec<f64> = (0..n).map(|_| 1e3 * rng.normal() + 0.1).collect();
                DMatrix::from_fn(m, n, |_, f| c[f])
            })
            .collect();
        // The residue is really there: the centred points are not all 0.
        let mean0: f64 = xs[0].column(7).iter().sum::<f64>() / m as f64;
        assert!(xs[0].column(7).iter().any(|v| v - mean0 != 0.0));
        for x in &xs {
            assert_eq!(principal_axes(x, 3).ncols(), 0);
        }
        let a = alignment(&xs, 3).unwrap();
        assert_eq!(a.without_axes, p);
        assert!(a.axis_alignment.is_nan() && a.center_axis_alignment.is_nan());
        assert!(a.axis_matrix.iter().all(|v| v.is_nan()));
        assert!(a.center_alignment.is_finite());
    }

    /// Lines (1-d manifolds) with large offsets, k = 3: the two missing
    /// axes of each are not filled from rounding. Lines 0 and 1 along e0,
    /// line 2 along e1 and a point (manifold 3): the pairs of lines give
    /// exactly 1 (same line: identical subspaces, whatever k) and 0
    /// (orthogonal); the point's pairs are left out, so the mean over the 6
    /// ordered pairs of lines is 2/6 = 1/3. The centre–axis alignment is 0: the centres lie on
    /// e2..e5, outside every line.
    #[test]
    fn lines_give_exact_values_and_a_point_is_left_out() {
        let mut rng = Rng::new(6);
        let n = 40;
        let mut c = |i: usize| {
            let mut v = vec![0.0; n];
            v[i] = 1e3 * (1.0 + rng.uniform());
            v
        };
        let (c2, c3, c4, c5) = (c(2), c(3), c(4), c(5));
        let xs = vec![
            manifold(&c2, &[e(n, 0)], 50, &mut rng),
            manifold(&c3, &[e(n, 0)], 50, &mut rng),
            manifold(&c4, &[e(n, 1)], 50, &mut rng),
            DMatrix::from_fn(50, n, |_, f| c5[f]),
        ];
        let a = alignment(&xs, 3).unwrap();
        assert_eq!(a.without_axes, 1);
        assert!((a.axis_matrix[(0, 1)] - 1.0).abs() < 1e-15);
        assert!(a.axis_matrix[(0, 2)].abs() < 1e-15);
        assert!(a.axis_matrix[(3, 0)].is_nan() && a.axis_matrix[(0, 3)].is_nan());
        assert!(
            (a.axis_alignment - 1.0 / 3.0).abs() < 1e-15,
            "{}",
            a.axis_alignment
        );
        // Row 3 (the point's centre) in the lines' axes is defined: 0.
        assert!(a.center_axis_matrix[(3, 0)].abs() < 1e-20);
        assert!(a.center_axis_alignment.abs() < 1e-20);
    }

    /// The mean principal angles against the axis matrix: for two
    /// manifolds, Σ_i cos²θ_i = k·axis_matrix[(0, 1)]; and against a
    /// closed form: planes span(e0, e1) and span(e0, cos φ e1 + sin φ e2)
    /// meet at angles 0 and φ.
    #[test]
    fn mean_angles_match_the_axis_alignment_and_a_closed_form() {
        let mut rng = Rng::new(9);
        let n = 8;
        let phi: f64 = 0.7;
        let mut tilted = vec![0.0; n];
        tilted[1] = libm::cos(phi);
        tilted[2] = libm::sin(phi);
        let xs = vec![
            manifold(&e(n, 5), &[e(n, 0), e(n, 1)], 40, &mut rng),
            manifold(&e(n, 6), &[e(n, 0), tilted], 40, &mut rng),
        ];
        let a = alignment(&xs, 2).unwrap();
        assert_eq!(a.mean_angles.len(), 2);
        assert!(a.mean_angles[0].abs() < 1e-6, "{:?}", a.mean_angles);
        assert!((a.mean_angles[1] - phi).abs() < 1e-9, "{:?}", a.mean_angles);
        let cos2: f64 = a.mean_angles.iter().map(|t| libm::cos(*t).powi(2)).sum();
        assert!((cos2 - 2.0 * a.axis_matrix[(0, 1)]).abs() < 1e-9);
        // Random clouds: per pair, Σ cos² = k × the axis matrix entry.
        let ys: Vec<DMatrix<f64>> = (0..2)
            .map(|_| DMatrix::from_fn(30, 10, |_, _| rng.normal()))
            .collect();
        let b = alignment(&ys, 3).unwrap();
        let cos2: f64 = b.mean_angles.iter().map(|t| libm::cos(*t).powi(2)).sum();
        assert!((cos2 - 3.0 * b.axis_matrix[(0, 1)]).abs() < 1e-9);
        // Points: no axes, no angles.
        let pts: Vec<DMatrix<f64>> = (0..3)
            .map(|i| DMatrix::from_element(5, 4, i as f64))
            .collect();
        assert!(alignment(&pts, 2).unwrap().mean_angles.is_empty());
    }

    /// Issue 17: with k = 5 requested, two manifolds spanning the same
    /// plane score 1 (not 2/5), a line lying in that plane against the
    /// plane scores 1 (its one principal angle is 0), and the line against
    /// an orthogonal line 0.
    #[test]
    fn axis_alignment_divides_by_the_axes_a_pair_has() {
        let mut rng = Rng::new(12);
        let n = 10;
        let mut diag = vec![0.0; n];
        diag[0] = libm::sqrt(0.5);
        diag[1] = libm::sqrt(0.5);
        let xs = vec![
            manifold(&e(n, 5), &[e(n, 0), e(n, 1)], 40, &mut rng),
            manifold(&e(n, 6), &[e(n, 1), e(n, 0)], 40, &mut rng),
            manifold(&e(n, 7), &[diag], 40, &mut rng),
            manifold(&e(n, 8), &[e(n, 3)], 40, &mut rng),
        ];
        let a = alignment(&xs, 5).unwrap();
        assert!(
            (a.axis_matrix[(0, 1)] - 1.0).abs() < 1e-12,
            "{}",
            a.axis_matrix
        );
        assert!((a.axis_matrix[(0, 2)] - 1.0).abs() < 1e-12);
        assert!((a.axis_matrix[(2, 1)] - 1.0).abs() < 1e-12);
        assert!(a.axis_matrix[(2, 3)].abs() < 1e-24 && a.axis_matrix[(0, 3)].abs() < 1e-24);
        for i in 0..4 {
            assert!((a.axis_matrix[(i, i)] - 1.0).abs() < 1e-12);
        }
        // Mean over the 12 ordered pairs: (0,1), (0,2), (1,2) and mirrors
        // are 1, the pairs with manifold 3 are 0.
        assert!(
            (a.axis_alignment - 0.5).abs() < 1e-12,
            "{}",
            a.axis_alignment
        );
    }

    /// Unequal class sizes: the centres are centred on the mean of the
    /// class means, so the centre alignment equals MFTMA's ρ_c (computed
    /// along another path: the centres' coordinates in their span, in
    /// `capacity::centers`), and differs from centring on the mean of all
    /// points, worked out here by hand.
    #[test]
    fn centre_alignment_is_mftmas_centre_correlation_on_unequal_classes() {
        let mut rng = Rng::new(14);
        let n = 6;
        let sizes = [10, 30, 60];
        let centres = [
            vec![1.0, 0.0, 0.0, 0.2, 0.0, 0.0],
            vec![0.3, 1.0, 0.0, 0.0, 0.0, 0.0],
            vec![0.0, 0.4, 1.0, 0.0, 0.0, 0.0],
        ];
        let xs: Vec<DMatrix<f64>> = sizes
            .iter()
            .zip(&centres)
            .map(|(&m, c)| manifold(c, &[e(n, 4), e(n, 5)], m, &mut rng))
            .collect();
        let a = alignment(&xs, 2).unwrap();
        let opts = crate::metrics::capacity::MftmaOptions {
            n_t: 5,
            ..Default::default()
        };
        let rho = crate::metrics::capacity::mftma(&xs, &opts)
            .unwrap()
            .center_correlation;
        assert!(
            (a.center_alignment - rho).abs() < 1e-12,
            "{} vs {rho}",
            a.center_alignment
        );
        // Centred on the mean of all points instead (weights 0.1, 0.3, 0.6).
        let weighted: Vec<f64> = (0..n)
            .map(|f| (0..3).map(|c| sizes[c] as f64 * centres[c][f]).sum::<f64>() / 100.0)
            .collect();
        let u: Vec<Vec<f64>> = centres
            .iter()
            .map(|c| c.iter().zip(&weighted).map(|(a, b)| a - b).collect())
            .collect();
        let cos = |a: &[f64], b: &[f64]| {
            let d: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
            (d / (norm_sq(a).sqrt() * norm_sq(b).sqrt())).abs()
        };
        let other = (cos(&u[0], &u[1]) + cos(&u[0], &u[2]) + cos(&u[1], &u[2])) / 3.0;
        assert!((a.center_alignment - other).abs() > 0.01, "{other}");
    }

    #[test]
    fn bad_input_is_an_error() {
        let x = DMatrix::from_element(3, 2, 1.0);
        assert!(alignment(std::slice::from_ref(&x), 1).is_err());
        let mut y = x.clone();
        y[(0, 0)] = f64::NAN;
        assert!(alignment(&[x, y], 1).is_err());
    }
}
