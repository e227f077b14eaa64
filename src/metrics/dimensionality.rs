//! Linear dimensionality of a representation: covariance spectrum,
//! participation ratio, PCs for a variance fraction, and PCA scores.
//!
//! Papers: Gao, Trautmann, Yu, Santhanam, Ryu, Shenoy & Ganguli 2017 ("A
//! theory of multineuronal dimensionality", the participation ratio);
//! Recanatesi et al. 2019 / Farrell et al. 2023 (dimensionality over
//! training); Cohen, Chung, Lee & Sompolinsky 2020 (PCs for 90% variance).
//!
//! Conventions: X is n samples × d features. The covariance is the centred
//! sample covariance with the n − 1 denominator (numpy's `np.cov`,
//! sklearn's `PCA.explained_variance_`). Non-finite entries make the
//! results NaN (or 0 for counts), as documented per function.

use nalgebra::DMatrix;

use crate::metrics::covariance::Centred;

/// Eigenvalues of the centred sample covariance C = X_cᵀX_c/(n − 1), sorted
/// descending and clamped at ≥ 0 (rounding can make zero eigenvalues
/// slightly negative).
///
/// Returns min(n, d) values — the covariance's remaining eigenvalues are
/// exactly zero — computed from the smaller of the n × n Gram X_cX_cᵀ and the
/// d × d X_cᵀX_c, which share their nonzero eigenvalues
/// ([`Centred::eigenvalues`]).
///
/// n ≤ 1 gives min(n, d) zeros (no variance). Non-finite entries (or an
/// eigen-solver failure) give min(n, d) NaNs.
pub fn covariance_eigenvalues(x: &DMatrix<f64>) -> Vec<f64> {
    Centred::new(x).eigenvalues().to_vec()
}

/// Participation ratio PR = (Σλ)² / Σλ² of the covariance eigenvalues
/// (Gao et al. 2017). Not the inverted Σλ²/(Σλ)², which lies in (0, 1].
///
/// Computed without an eigen-decomposition, from Σλ = Tr C and Σλ² = ‖C‖_F²
/// on the smaller second moment ([`Centred::participation_ratio`]); the
/// (n−1) factors cancel, so the denominator convention does not matter.
///
/// 1 ≤ PR ≤ min(n − 1, d); the value is clamped to that range against
/// rounding (isotropic data gives ≈ d, rank-1 data gives 1). Zero total
/// variance (n ≤ 1, all columns constant) gives 0. Non-finite entries give
/// NaN. Scale invariant.
pub fn participation_ratio(x: &DMatrix<f64>) -> f64 {
    Centred::new(x).participation_ratio()
}

/// The number of principal components needed to explain at least
/// `fraction` of the total variance ([`Centred::pcs_for_variance`]): the
/// smallest k with Σ_{i≤k} λ_i ≥ fraction · Σ λ_i (with a relative slack of
/// 1e-12 so exact ties are not lost to rounding). numpy's
/// `argmax(cumsum >= f) + 1`; note sklearn's `PCA(n_components=f)` uses a
/// strict `>`.
///
/// `fraction` is clamped to [0, 1]; fraction ≤ 0 gives 0. Zero total
/// variance, a NaN fraction, or non-finite data give 0.
pub fn pcs_for_variance(x: &DMatrix<f64>, fraction: f64) -> usize {
    Centred::new(x).pcs_for_variance(fraction)
}

/// PCA scores: the n × k projections of the centred data on the top k
/// principal axes, X_c V_k (sklearn's `PCA(k).fit_transform(X)`, up to the
/// sign of each column); see [`Centred::pca_scores`] for the sign
/// convention (each axis's largest-|loading| component is positive) and
/// the rank cut.
///
/// Columns beyond the data's rank and beyond min(n, d) are zero, so the
/// result is always n × k. Non-finite data (or an eigen-solver failure)
/// gives an n × k matrix of NaN.
pub fn pca_project(x: &DMatrix<f64>, k: usize) -> DMatrix<f64> {
    Centred::new(x).pca_scores(k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eigenvalues_hand_example() {
        // Two features, three samples: x = (0,1,2), y = 2x → covariance
        // [[1,2],[2,4]] (n−1 = 2), eigenvalues 5 and 0.
        let x = DMatrix::from_row_slice(3, 2, &[0.0, 0.0, 1.0, 2.0, 2.0, 4.0]);
        let ev = covariance_eigenvalues(&x);
        assert_eq!(ev.len(), 2);
        assert!((ev[0] - 5.0).abs() < 1e-12 && ev[1] >= 0.0 && ev[1] < 1e-12);
        // Wide data (Gram path): samples (0,1,2) and (2,2,0) centre to ±r with
        // r = (−1, −0.5, 1); C = 2rrᵀ/(n−1 = 1) has eigenvalue 2‖r‖² = 4.5.
        let wide = DMatrix::from_row_slice(2, 3, &[0.0, 1.0, 2.0, 2.0, 2.0, 0.0]);
        let ev2 = covariance_eigenvalues(&wide);
        assert_eq!(ev2.len(), 2);
        assert!(
            (ev2[0] - 4.5).abs() < 1e-12 && ev2[1] >= 0.0 && ev2[1] < 1e-12,
            "{ev2:?}"
        );
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        let z = DMatrix::<f64>::zeros(5, 3);
        assert_eq!(participation_ratio(&z), 0.0);
        assert_eq!(covariance_eigenvalues(&z), vec![0.0; 3]);
        assert_eq!(pcs_for_variance(&z, 0.9), 0);
        assert_eq!(pca_project(&z, 2), DMatrix::zeros(5, 2));
        let one = DMatrix::from_row_slice(1, 3, &[1.0, 2.0, 3.0]);
        assert_eq!(participation_ratio(&one), 0.0);
        assert_eq!(covariance_eigenvalues(&one), vec![0.0]);
        let nan = DMatrix::from_element(3, 3, f64::NAN);
        assert!(participation_ratio(&nan).is_nan());
        assert!(covariance_eigenvalues(&nan).iter().all(|v| v.is_nan()));
        assert_eq!(pcs_for_variance(&nan, 0.5), 0);
        assert!(pca_project(&nan, 1)[(0, 0)].is_nan());
        assert!(covariance_eigenvalues(&DMatrix::zeros(0, 4)).is_empty());
        // Constant columns (0.1 does not centre exactly by plain subtraction).
        let c = DMatrix::from_fn(6, 4, |i, j| if j == 2 { i as f64 } else { 0.1 });
        assert!((participation_ratio(&c) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn pcs_for_variance_counts() {
        // Variances 4, 1, 1 along the axes (n − 1 = 1 with paired ± samples
        // scaled accordingly).
        let x = DMatrix::from_row_slice(
            6,
            3,
            &[
                2.0, 0.0, 0.0, -2.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 1.0, 0.0,
                0.0, -1.0,
            ],
        );
        // Eigenvalues ∝ 8, 2, 2 → fractions 2/3, 5/6, 1.
        assert_eq!(pcs_for_variance(&x, 0.5), 1);
        assert_eq!(pcs_for_variance(&x, 2.0 / 3.0), 1);
        assert_eq!(pcs_for_variance(&x, 0.7), 2);
        assert_eq!(pcs_for_variance(&x, 5.0 / 6.0), 2);
        assert_eq!(pcs_for_variance(&x, 0.9), 3);
        assert_eq!(pcs_for_variance(&x, 1.0), 3);
        assert_eq!(pcs_for_variance(&x, 0.0), 0);
        assert_eq!(pcs_for_variance(&x, f64::NAN), 0);
        assert!((participation_ratio(&x) - 144.0 / 72.0).abs() < 1e-12);
    }

    #[test]
    fn pca_scores_sign_and_values() {
        // Points on the line (1, −3) direction: the axis is ±(1,−3)/√10 and its
        // largest-|loading| component (−3) must come out positive → axis
        // (−1, 3)/√10.
        let x = DMatrix::from_row_slice(3, 2, &[1.0, -3.0, 0.0, 0.0, -1.0, 3.0]);
        let s = pca_project(&x, 2);
        let r = 10f64.sqrt();
        assert!((s[(0, 0)] + r).abs() < 1e-12, "{s}");
        assert!(s[(1, 0)].abs() < 1e-12 && (s[(2, 0)] - r).abs() < 1e-12);
        assert!(s.column(1).iter().all(|&v| v == 0.0)); // rank 1
                                                        // The axis, not the scores, carries the sign: −X has the same axis,
                                                        // so its scores are exactly the negated ones.
        let negated = pca_project(&(-&x), 2);
        assert!((negated + &s).abs().max() < 1e-12);
        assert_eq!(pca_project(&x, 5).shape(), (3, 5));
    }
}
