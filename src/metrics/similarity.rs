//! Similarity between representations, and between a kernel and a target:
//! linear CKA, centred kernel–target alignment, the kernel distance, and
//! the representational dissimilarity matrix. The lazy-rich, credit and
//! capacity labs and "Your data" all use them.
//!
//! Papers: Kornblith, Norouzi, Lee & Hinton 2019 (linear CKA); Cristianini
//! et al. 2002 / Cortes, Mohri & Rostamizadeh 2012 (centred kernel–target
//! alignment); Fort et al. 2020 (kernel distance); Kriegeskorte, Mur &
//! Bandettini 2008 (RDM).
//!
//! Conventions: every function returns plain numbers. NaN means
//! "undefined" and appears only where each doc comment says so.

use std::borrow::Cow;

use nalgebra::DMatrix;

use crate::linalg::{
    center_columns, cross_gram, double_center, frobenius_inner, frobenius_norm, gram,
};
use crate::metrics::covariance::{frobenius_norm_scaled, Centred};

/// Clamp a value that is mathematically in [lo, hi] but may leave it by
/// rounding; NaN stays NaN (`f64::clamp` would too, but be explicit).
fn clamp_keep_nan(v: f64, lo: f64, hi: f64) -> f64 {
    if v.is_nan() {
        v
    } else {
        v.max(lo).min(hi)
    }
}

/// Linear CKA (Kornblith, Norouzi, Lee & Hinton 2019), between two
/// representations of the same n samples: X is n × d₁, Y is n × d₂.
///
/// With X and Y column-centred,
/// CKA = ‖YᵀX‖_F² / (‖XᵀX‖_F ‖YᵀY‖_F)
///     = ⟨HK_xH, HK_yH⟩_F / (‖HK_xH‖_F ‖HK_yH‖_F),  K = XXᵀ, H = I − 11ᵀ/n.
/// The value lies in [0, 1] (clamped there against rounding); it is
/// invariant to orthogonal transforms and isotropic scaling of either
/// argument, and to adding a constant to any column. See
/// [`linear_cka_centred`] for how it is computed.
///
/// NaN when the row counts differ, when either representation has zero
/// variance after centring (n ≤ 1, all columns constant): CKA is then 0/0,
/// or when an entry is not finite.
pub fn linear_cka(x: &DMatrix<f64>, y: &DMatrix<f64>) -> f64 {
    if x.nrows() != y.nrows() {
        return f64::NAN;
    }
    linear_cka_centred(&Centred::new(x), &Centred::new(y))
}

/// [`linear_cka`] from centred data whose second moments may already be
/// known (each layer's [`Centred`] in "Your data" serves every pair).
///
/// The norms ‖X_cᵀX_c‖_F = ‖X_cX_cᵀ‖_F come from each side's second
/// moment. The cross term is whichever is cheaper: ‖Y_cᵀX_c‖_F² by one
/// product (n·d₁·d₂ multiply–adds), or ⟨G_x, G_y⟩_F from the n × n Grams
/// (free when both sides hold their Gram, n < d; about n²d/2 for a side
/// that holds X_cᵀX_c instead). Products go through the blocked GEMM, and
/// the norms are scaled ([`frobenius_norm_scaled`]), so large entries do
/// not overflow their fourth powers.
pub fn linear_cka_centred(x: &Centred, y: &Centred) -> f64 {
    let n = x.n();
    if y.n() != n || !x.is_finite() || !y.is_finite() {
        return f64::NAN;
    }
    let (nx, ny) = (x.moment_norm(), y.moment_norm());
    if !(nx > 0.0 && ny > 0.0 && nx.is_finite() && ny.is_finite()) {
        return f64::NAN;
    }
    let (d1, d2) = (x.d(), y.d());
    let half = n.saturating_mul(n) / 2;
    let gram_cost = n.saturating_mul(n)
        + if x.uses_gram() {
            0
        } else {
            half.saturating_mul(d1)
        }
        + if y.uses_gram() {
            0
        } else {
            half.saturating_mul(d2)
        };
    let feature_cost = n.saturating_mul(d1).saturating_mul(d2);
    let v = if gram_cost < feature_cost {
        cka_gram_route(x, y, nx, ny)
    } else {
        cka_feature_route(x, y, nx, ny)
    };
    clamp_keep_nan(v, 0.0, 1.0)
}

/// ‖Y_cᵀX_c‖_F² / (‖S_x‖_F ‖S_y‖_F).
fn cka_feature_route(x: &Centred, y: &Centred, nx: f64, ny: f64) -> f64 {
    let cross = crate::gemm::mul_tn(y.data(), x.data());
    let c = frobenius_norm_scaled(&cross);
    (c / nx) * (c / ny)
}

/// ⟨G_x, G_y⟩_F / (‖G_x‖_F ‖G_y‖_F).
fn cka_gram_route(x: &Centred, y: &Centred, nx: f64, ny: f64) -> f64 {
    fn g(c: &Centred) -> Cow<'_, DMatrix<f64>> {
        if c.uses_gram() {
            Cow::Borrowed(c.moment())
        } else {
            Cow::Owned(gram(c.data()))
        }
    }
    let (gx, gy) = (g(x), g(y));
    gx.iter()
        .zip(gy.iter())
        .map(|(a, b)| (a / nx) * (b / ny))
        .sum()
}

/// Kernel distance 1 − ⟨K_t, K_0⟩_F / (‖K_t‖_F ‖K_0‖_F) (Fort et al. 2020,
/// "Deep learning versus kernel learning"): 0 when the kernel only changes
/// scale, up to 1 for orthogonal kernels (in [0, 1] for PSD kernels, in
/// [0, 2] in general; clamped to [0, 2] against rounding).
///
/// NaN when the shapes differ or either kernel is zero.
pub fn kernel_distance(k: &DMatrix<f64>, k0: &DMatrix<f64>) -> f64 {
    if k.shape() != k0.shape() {
        return f64::NAN;
    }
    let denom = frobenius_norm(k) * frobenius_norm(k0);
    if denom == 0.0 {
        return f64::NAN;
    }
    clamp_keep_nan(1.0 - frobenius_inner(k, k0) / denom, 0.0, 2.0)
}

/// Centred kernel–target alignment (Cortes, Mohri & Rostamizadeh 2012;
/// used by Baratin et al. 2021 and Flesch et al. 2022 for lazy vs rich):
/// with H = I − 11ᵀ/n, K the n × n kernel and Y the n × outputs targets,
///
/// A = ⟨HKH, H·YYᵀ·H⟩_F / (‖HKH‖_F ‖H·YYᵀ·H‖_F).
///
/// Computed without forming YYᵀ: with Y_c = HY, ⟨HKH, Y_cY_cᵀ⟩ =
/// Σ (HKH·Y_c) ∘ Y_c and ‖Y_cY_cᵀ‖_F = ‖Y_cᵀY_c‖_F. In [−1, 1] for a general
/// K, [0, 1] for a PSD kernel (clamped to [−1, 1] against rounding).
///
/// NaN when K is not n × n with n = Y's rows, or when HKH or HY is zero
/// (constant kernel, constant targets, n ≤ 1).
pub fn centered_kernel_alignment(k: &DMatrix<f64>, y: &DMatrix<f64>) -> f64 {
    let n = y.nrows();
    if k.nrows() != n || k.ncols() != n {
        return f64::NAN;
    }
    let kc = double_center(k);
    let yc = center_columns(y);
    let inner = frobenius_inner(&(&kc * &yc), &yc);
    let denom = frobenius_norm(&kc) * frobenius_norm(&cross_gram(&yc));
    if denom == 0.0 {
        return f64::NAN;
    }
    clamp_keep_nan(inner / denom, -1.0, 1.0)
}

/// Representational dissimilarity matrix (Kriegeskorte, Mur & Bandettini
/// 2008): the n × n matrix of correlation distances 1 − r_ij between the rows
/// (stimuli) of X (n × features), r_ij the Pearson correlation of rows i and
/// j across features — scipy's `pdist(X, 'correlation')`.
///
/// Symmetric (exactly), zero diagonal, entries in [0, 2] (clamped against
/// rounding). Convention for rows with zero variance across features
/// (including every row when there is a single feature): r is undefined, so
/// such a row gets distance 1 to every other row and 0 to itself (scipy
/// would give NaN). A row counts as zero-variance when its centred norm is
/// ≤ 1e-12 of its raw norm (rounding residue of a constant row). Non-finite
/// entries give NaN distances for their row.
pub fn rdm(x: &DMatrix<f64>) -> DMatrix<f64> {
    let (n, d) = x.shape();
    // One unit-norm centred row per column of z (d × n), or zero.
    let mut z = DMatrix::zeros(d, n);
    for i in 0..n {
        if d == 0 {
            continue;
        }
        if !x.row(i).iter().all(|v| v.is_finite()) {
            z.column_mut(i).fill(f64::NAN);
            continue;
        }
        // Scale by the largest |entry| first so the squares cannot overflow
        // (correlation is scale invariant).
        let peak = x.row(i).iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if peak == 0.0 {
            continue; // all-zero row: zero variance
        }
        let row: Vec<f64> = x.row(i).iter().map(|v| v / peak).collect();
        let raw_norm = libm::sqrt(row.iter().map(|v| v * v).sum::<f64>());
        let mean = row.iter().sum::<f64>() / d as f64;
        let centred_norm = libm::sqrt(row.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>());
        if centred_norm <= 1e-12 * raw_norm {
            continue; // zero variance: r = 0 by convention
        }
        for (j, v) in row.iter().enumerate() {
            z[(j, i)] = (v - mean) / centred_norm;
        }
    }
    let r = z.tr_mul(&z);
    let mut out = DMatrix::zeros(n, n);
    for i in 0..n {
        for j in (i + 1)..n {
            let v = clamp_keep_nan(1.0 - r[(i, j)], 0.0, 2.0);
            out[(i, j)] = v;
            out[(j, i)] = v;
        }
        if !z.column(i).iter().all(|v| v.is_finite()) {
            out[(i, i)] = f64::NAN;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn gaussian(rng: &mut Rng, n: usize, d: usize) -> DMatrix<f64> {
        // Row-major draw order, so the stream does not depend on layout.
        let mut m = DMatrix::zeros(n, d);
        for i in 0..n {
            for j in 0..d {
                m[(i, j)] = rng.normal();
            }
        }
        m
    }

    /// CKA by the definition, with plain loops and nalgebra: centre, then
    /// ‖YᵀX‖²/(‖XᵀX‖‖YᵀY‖).
    fn cka_by_definition(x: &DMatrix<f64>, y: &DMatrix<f64>) -> f64 {
        let (xc, yc) = (center_columns(x), center_columns(y));
        let cross = frobenius_norm(&(yc.transpose() * &xc));
        cross * cross
            / (frobenius_norm(&(xc.transpose() * &xc)) * frobenius_norm(&(yc.transpose() * &yc)))
    }

    #[test]
    fn cka_routes_agree_with_the_definition() {
        let mut rng = Rng::new(11);
        for &(n, d1, d2) in &[
            (20, 5, 7),
            (8, 50, 30),
            (30, 30, 3),
            (5, 1, 100),
            (6, 40, 2),
        ] {
            let x = gaussian(&mut rng, n, d1);
            let b = gaussian(&mut rng, d1, d2);
            let y = &x * b * 0.3 + gaussian(&mut rng, n, d2);
            let want = cka_by_definition(&x, &y);
            let (cx, cy) = (Centred::new(&x), Centred::new(&y));
            let (nx, ny) = (cx.moment_norm(), cy.moment_norm());
            let feature = cka_feature_route(&cx, &cy, nx, ny);
            let gram = cka_gram_route(&cx, &cy, nx, ny);
            for v in [feature, gram, linear_cka(&x, &y)] {
                assert!((v - want).abs() < 1e-12, "{n}x{d1}/{d2}: {v} vs {want}");
            }
            assert!(want > 0.0 && want < 1.0);
        }
        // Huge entries: the fourth powers would overflow without scaling.
        let x = gaussian(&mut rng, 10, 3) * 1e90;
        let y = gaussian(&mut rng, 10, 4);
        let v = linear_cka(&x, &y);
        assert!(
            (v - cka_by_definition(&(&x / 1e90), &y)).abs() < 1e-12,
            "{v}"
        );
    }

    #[test]
    fn cka_known_value_against_hand_computation() {
        // X = [0,1,2]ᵀ, Y = [0,1,4]ᵀ: centred x = (-1,0,1), y = (-5/3,-2/3,7/3).
        // CKA = (xᵀy)² / (‖x‖²‖y‖²) = squared Pearson r = 16 / (2 · 26/3) = 12/13.
        let x = DMatrix::from_column_slice(3, 1, &[0.0, 1.0, 2.0]);
        let y = DMatrix::from_column_slice(3, 1, &[0.0, 1.0, 4.0]);
        assert!((linear_cka(&x, &y) - 12.0 / 13.0).abs() < 1e-14);
    }

    #[test]
    fn cka_degenerate_inputs() {
        let x = DMatrix::from_element(4, 3, 2.5);
        let y = DMatrix::from_fn(4, 2, |i, j| (i * j) as f64);
        assert!(linear_cka(&x, &y).is_nan());
        assert!(linear_cka(&DMatrix::zeros(1, 3), &DMatrix::zeros(1, 3)).is_nan());
        assert!(linear_cka(&y, &DMatrix::zeros(3, 2)).is_nan());
        assert!(linear_cka(&DMatrix::zeros(0, 0), &DMatrix::zeros(0, 0)).is_nan());
    }

    #[test]
    fn kernel_alignment_hand_value() {
        // K = I₃, y = (1, 0, 0)ᵀ: HKH = H, Hy = (2/3, −1/3, −1/3).
        // ⟨H, yc ycᵀ⟩ = ycᵀ H yc = ‖yc‖² = 2/3; ‖H‖_F = √2; ‖yc ycᵀ‖ = 2/3.
        // A = (2/3) / (√2 · 2/3) = 1/√2.
        let k = DMatrix::identity(3, 3);
        let y = DMatrix::from_column_slice(3, 1, &[1.0, 0.0, 0.0]);
        assert!((centered_kernel_alignment(&k, &y) - 1.0 / 2f64.sqrt()).abs() < 1e-14);
        assert!(centered_kernel_alignment(&k, &DMatrix::from_element(3, 1, 1.0)).is_nan());
        assert!(centered_kernel_alignment(&k, &DMatrix::zeros(2, 1)).is_nan());
    }

    #[test]
    fn rdm_hand_values_and_constant_rows() {
        let x = DMatrix::from_row_slice(
            4,
            3,
            &[1.0, 2.0, 3.0, 2.0, 4.0, 6.0, 3.0, 2.0, 1.0, 0.1, 0.1, 0.1],
        );
        let d = rdm(&x);
        assert!(d[(0, 1)].abs() < 1e-15); // perfectly correlated
        assert!((d[(0, 2)] - 2.0).abs() < 1e-15); // anti-correlated
        for i in 0..3 {
            assert_eq!(d[(i, 3)], 1.0); // constant row: distance 1
            assert_eq!(d[(3, i)], 1.0);
        }
        assert_eq!(d[(3, 3)], 0.0);
        // Huge and NaN rows.
        let big = rdm(&DMatrix::from_row_slice(
            3,
            2,
            &[1e300, -1e300, -2e300, 2e300, f64::NAN, 1.0],
        ));
        assert!((big[(0, 1)] - 2.0).abs() < 1e-15);
        assert!(big[(0, 2)].is_nan() && big[(2, 2)].is_nan() && big[(0, 0)] == 0.0);
        assert_eq!(rdm(&DMatrix::zeros(0, 3)).shape(), (0, 0));
        let single = rdm(&DMatrix::from_column_slice(3, 1, &[1.0, 2.0, 3.0]));
        assert_eq!(
            single,
            DMatrix::from_fn(3, 3, |i, j| if i == j { 0.0 } else { 1.0 })
        );
    }
}
