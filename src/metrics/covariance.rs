//! The centred data and its second-moment matrix, computed once and shared
//! by every metric that needs them: the covariance spectrum (participation
//! ratio, PCs for a variance fraction), PCA scores and linear CKA
//! (`metrics::dimensionality`, `metrics::similarity`, and "Your data",
//! which builds one [`Centred`] per layer).
//!
//! X is n samples × d features. X_c = X − 1μᵀ, μ the column means (a
//! constant column becomes exactly 0, as in [`crate::linalg::center_columns`]).
//! The second moment is the smaller of
//!
//! - S = X_cᵀX_c (d × d) when n ≥ d: (n − 1) times the sample covariance;
//! - G = X_cX_cᵀ (n × n) when n < d: the Gram matrix of the centred rows;
//!
//! which share their nonzero eigenvalues (those of (n − 1)·C). Both are
//! formed by the blocked GEMM (`gemm::gram_tn`, `gemm::gram_nt`), so they
//! have the same bits in wasm and natively.
//!
//! The symmetric eigensolver is called in two places only, each computed at
//! most once per [`Centred`]: [`Centred::eigenvalues`] (values only: the
//! participation ratio does not need them, the PC count does) and
//! [`Centred::eigenpairs`] (values and vectors: PCA). Once the pairs exist,
//! the eigenvalues are read from them rather than solved for again.
//!
//! The solver is nalgebra's implicit QR unless [`Centred::with_dsyevd`]
//! chose the divide-and-conquer solver after LAPACK's `dsyevd`
//! (`linalg::symmetric_eigen_desc_dsyevd`), as "Your data" does: at
//! d = 1000 the decompositions are most of the dimensionality's time, and
//! the labs keep nalgebra's so that their results keep their bits.

use std::cell::OnceCell;

use nalgebra::{DMatrix, DVector};

use crate::linalg::{
    all_finite, center_columns_in_place, cross_gram, gram, rank_tolerance, symmetric_eigen_desc,
    symmetric_eigen_desc_dsyevd, symmetric_eigenvalues_desc, symmetric_eigenvalues_desc_dsyevd,
};

/// Centred data and its second moment (see the module doc), with the
/// eigen-decompositions computed on first use.
#[derive(Clone, Debug)]
pub struct Centred {
    xc: DMatrix<f64>,
    mean: DVector<f64>,
    finite: bool,
    moment: OnceCell<DMatrix<f64>>,
    /// Covariance eigenvalues, descending (see [`Centred::eigenvalues`]).
    values: OnceCell<Vec<f64>>,
    /// Eigenpairs of the second moment (not divided by n − 1), descending;
    /// `None` if the solver failed.
    pairs: OnceCell<Option<(Vec<f64>, DMatrix<f64>)>>,
    /// Whether the eigen-decompositions use the `dsyevd`-style solver.
    dsyevd: bool,
}

impl Centred {
    /// Centre a copy of `x`.
    pub fn new(x: &DMatrix<f64>) -> Centred {
        Centred::from_owned(x.clone())
    }

    /// Centre `x` in place (no copy).
    pub fn from_owned(mut x: DMatrix<f64>) -> Centred {
        let finite = all_finite(&x);
        let mean = center_columns_in_place(&mut x);
        Centred {
            xc: x,
            mean,
            finite,
            moment: OnceCell::new(),
            values: OnceCell::new(),
            pairs: OnceCell::new(),
            dsyevd: false,
        }
    }

    /// The same, with the eigen-decompositions by the divide-and-conquer
    /// solver after LAPACK's `dsyevd` (see the module doc) rather than
    /// nalgebra's: eigenvalues equal to rounding, eigenvectors up to sign.
    pub fn with_dsyevd(mut self) -> Centred {
        self.dsyevd = true;
        self
    }

    /// Samples (rows).
    pub fn n(&self) -> usize {
        self.xc.nrows()
    }

    /// Features (columns).
    pub fn d(&self) -> usize {
        self.xc.ncols()
    }

    /// X_c.
    pub fn data(&self) -> &DMatrix<f64> {
        &self.xc
    }

    /// μ, the column means that were subtracted.
    pub fn mean(&self) -> &DVector<f64> {
        &self.mean
    }

    /// Whether every entry of X was finite. If not, the spectra are NaN.
    pub fn is_finite(&self) -> bool {
        self.finite
    }

    /// Whether the second moment is the n × n Gram G (n < d) rather than
    /// the d × d S.
    pub fn uses_gram(&self) -> bool {
        self.n() < self.d()
    }

    /// The second moment: G = X_cX_cᵀ if n < d, else S = X_cᵀX_c
    /// (computed on first use).
    pub fn moment(&self) -> &DMatrix<f64> {
        self.moment.get_or_init(|| {
            if self.uses_gram() {
                gram(&self.xc)
            } else {
                cross_gram(&self.xc)
            }
        })
    }

    /// ‖X_cᵀX_c‖_F (= ‖X_cX_cᵀ‖_F), computed without overflow for large
    /// entries (see [`frobenius_norm_scaled`]).
    pub fn moment_norm(&self) -> f64 {
        frobenius_norm_scaled(self.moment())
    }

    /// Eigenvalues of the sample covariance C = X_cᵀX_c/(n − 1), sorted
    /// descending and clamped at ≥ 0 (rounding can make zero eigenvalues
    /// slightly negative): min(n, d) values, the covariance's others being
    /// exactly zero. n ≤ 1 gives zeros (no variance); non-finite data or a
    /// solver failure gives NaNs.
    ///
    /// From the eigenpairs when [`Centred::eigenpairs`] was called first,
    /// else by the eigenvalues-only solver.
    pub fn eigenvalues(&self) -> &[f64] {
        self.values.get_or_init(|| {
            let (n, d) = (self.n(), self.d());
            let m = n.min(d);
            if m == 0 {
                return Vec::new();
            }
            if !self.finite {
                return vec![f64::NAN; m];
            }
            if n == 1 {
                return vec![0.0; m];
            }
            let raw = match self.pairs.get() {
                Some(pairs) => pairs.as_ref().map(|(v, _)| v.clone()),
                None if self.dsyevd => symmetric_eigenvalues_desc_dsyevd(self.moment()),
                None => symmetric_eigenvalues_desc(self.moment()),
            };
            match raw {
                Some(v) => v
                    .into_iter()
                    .map(|x| (x / (n - 1) as f64).max(0.0))
                    .collect(),
                None => vec![f64::NAN; m],
            }
        })
    }

    /// Eigenvalues (descending, of the second moment itself, not divided by
    /// n − 1) and eigenvectors (columns) of the second moment; `None` for
    /// non-finite or empty data, or a solver failure.
    pub fn eigenpairs(&self) -> Option<&(Vec<f64>, DMatrix<f64>)> {
        self.pairs
            .get_or_init(|| {
                if !self.finite || self.n() == 0 || self.d() == 0 {
                    return None;
                }
                if self.dsyevd {
                    symmetric_eigen_desc_dsyevd(self.moment())
                } else {
                    symmetric_eigen_desc(self.moment())
                }
            })
            .as_ref()
    }

    /// Participation ratio PR = (Σλ)²/Σλ² of the covariance eigenvalues
    /// (Gao et al. 2017), without an eigen-decomposition: Σλ ∝ Tr M and
    /// Σλ² ∝ ‖M‖_F² for the second moment M (the (n − 1) factors cancel),
    /// so PR = 1/‖M/Tr M‖_F².
    ///
    /// Clamped to [1, min(n − 1, d)] against rounding. Zero total variance
    /// (n ≤ 1, every column constant) gives 0; non-finite data gives NaN.
    pub fn participation_ratio(&self) -> f64 {
        let (n, d) = (self.n(), self.d());
        if !self.finite {
            return f64::NAN;
        }
        if n <= 1 || d == 0 {
            return 0.0;
        }
        let m = self.moment();
        let trace: f64 = (0..m.nrows()).map(|i| m[(i, i)]).sum();
        // The rows are finite (checked above), so the trace is not NaN.
        if trace <= 0.0 {
            return 0.0;
        }
        let sum_sq: f64 = m
            .iter()
            .map(|v| {
                let r = v / trace;
                r * r
            })
            .sum();
        let pr = 1.0 / sum_sq;
        let upper = ((n - 1).min(d)) as f64;
        pr.max(1.0).min(upper)
    }

    /// The fewest principal components holding at least `fraction` of the
    /// variance: the smallest k with Σ_{i≤k} λ_i ≥ fraction · Σλ (with a
    /// relative slack of 1e-12 so exact ties are not lost to rounding);
    /// numpy's `argmax(cumsum >= f) + 1` (sklearn's `PCA(n_components=f)`
    /// uses a strict `>`). `fraction` is clamped to [0, 1]; fraction ≤ 0,
    /// a NaN fraction, zero variance or non-finite data give 0.
    pub fn pcs_for_variance(&self, fraction: f64) -> usize {
        if fraction.is_nan() || fraction <= 0.0 {
            return 0;
        }
        let f = fraction.min(1.0);
        let vals = self.eigenvalues();
        if vals.iter().any(|v| v.is_nan()) {
            return 0;
        }
        let total: f64 = vals.iter().sum();
        if total == 0.0 {
            return 0;
        }
        let target = f * total - 1e-12 * total;
        let mut cum = 0.0;
        for (i, v) in vals.iter().enumerate() {
            cum += v;
            if cum >= target {
                return i + 1;
            }
        }
        vals.len()
    }

    /// PCA scores: the n × k projections X_c V_k of the centred rows on the
    /// top k principal axes (sklearn's `PCA(k).fit_transform(X)`, up to
    /// each column's sign).
    ///
    /// From the eigenpairs of S (scores X_c v_j) or of G (scores u_j √λ_j,
    /// axes v_j = X_cᵀu_j/√λ_j). Sign convention, so results do not flip
    /// between runs or platforms: each axis v_j is oriented so that its
    /// largest-|loading| component is positive (the first such component on
    /// ties). Axes of an exactly degenerate spectrum (isotropic data) are
    /// still arbitrary within their eigenspace.
    ///
    /// Columns beyond the data's rank (eigenvalue ≤ max(n, d)·ε·λ_max) and
    /// beyond min(n, d) are zero, so the result is always n × k.
    /// Non-finite data (or a solver failure) gives an n × k matrix of NaN.
    pub fn pca_scores(&self, k: usize) -> DMatrix<f64> {
        let (n, d) = (self.n(), self.d());
        let mut out = DMatrix::zeros(n, k);
        if n == 0 || d == 0 || k == 0 {
            return out;
        }
        if !self.finite {
            return DMatrix::from_element(n, k, f64::NAN);
        }
        if self.xc.iter().all(|&v| v == 0.0) {
            return out;
        }
        let Some((vals, vecs)) = self.eigenpairs() else {
            return DMatrix::from_element(n, k, f64::NAN);
        };
        let xc = &self.xc;
        let tol = rank_tolerance(n, d, vals[0]);
        for j in 0..k.min(vals.len()) {
            if vals[j] <= tol {
                break;
            }
            // The axis v_j (length d) and the unsigned scores (length n).
            let (axis, scores) = if self.uses_gram() {
                let root = libm::sqrt(vals[j]);
                let u = vecs.column(j);
                (xc.tr_mul(&u) / root, u * root)
            } else {
                let v = vecs.column(j).clone_owned();
                let s = xc * &v;
                (v, s)
            };
            // The largest-|loading| component of v_j (first on ties).
            let mut arg = 0;
            for c in 1..d {
                if axis[c].abs() > axis[arg].abs() {
                    arg = c;
                }
            }
            let sign = if axis[arg] < 0.0 { -1.0 } else { 1.0 };
            for i in 0..n {
                out[(i, j)] = sign * scores[i];
            }
        }
        out
    }
}

/// ‖A‖_F = s·sqrt(Σ (a_ij/s)²) with s = max |a_ij|, so that squares of
/// entries up to f64's largest do not overflow. 0 for a zero matrix; NaN or
/// ∞ when an entry is.
pub fn frobenius_norm_scaled(a: &DMatrix<f64>) -> f64 {
    let mut s = 0.0f64;
    for &v in a.iter() {
        if !v.is_finite() {
            return v.abs();
        }
        s = s.max(v.abs());
    }
    if s == 0.0 {
        return 0.0;
    }
    let sum: f64 = a
        .iter()
        .map(|v| {
            let r = v / s;
            r * r
        })
        .sum();
    s * libm::sqrt(sum)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// The two routes to the spectrum agree: eigenvalues of S (tall data)
    /// and of G (wide data, the transpose's route) against nalgebra's full
    /// decomposition of the covariance formed by plain loops, and the
    /// values read from the eigenpairs against the values-only solver.
    #[test]
    fn both_moments_give_the_covariance_spectrum() {
        let mut rng = Rng::new(4);
        for &(n, d) in &[(40, 7), (7, 40), (12, 12)] {
            let x = DMatrix::from_fn(n, d, |_, _| rng.normal() + 3.0);
            let c = Centred::new(&x);
            assert_eq!(c.uses_gram(), n < d);
            // Reference: the covariance by loops, its eigenvalues by nalgebra.
            let mean: Vec<f64> = (0..d).map(|j| x.column(j).sum() / n as f64).collect();
            let cov = DMatrix::from_fn(d, d, |a, b| {
                (0..n)
                    .map(|i| (x[(i, a)] - mean[a]) * (x[(i, b)] - mean[b]))
                    .sum::<f64>()
                    / (n - 1) as f64
            });
            let mut want: Vec<f64> = cov.symmetric_eigenvalues().iter().copied().collect();
            want.sort_by(|a, b| b.total_cmp(a));
            let got = c.eigenvalues().to_vec();
            assert_eq!(got.len(), n.min(d));
            for (g, w) in got.iter().zip(&want) {
                assert!((g - w).abs() < 1e-10 * want[0], "{n}×{d}: {g} vs {w}");
            }
            let pairs = Centred::new(&x);
            pairs.eigenpairs().unwrap();
            for (g, w) in pairs.eigenvalues().iter().zip(&got) {
                assert!((g - w).abs() < 1e-10 * got[0]);
            }
            // PR from the moment's norm against PR from the spectrum.
            let s1: f64 = want.iter().sum();
            let s2: f64 = want.iter().map(|v| v * v).sum();
            assert!((c.participation_ratio() - s1 * s1 / s2).abs() < 1e-10 * s1 * s1 / s2);
        }
    }

    /// "Your data"'s solver (`with_dsyevd`) against nalgebra's on the same
    /// data, both routes (S for tall data, G for wide) and a low-rank case
    /// with a cluster of (numerically) zero eigenvalues: eigenvalues to
    /// 1e-12 of the largest, the PC count equal, and the PCA scores equal
    /// to 1e-9 of their scale (the sign convention fixes each axis's sign,
    /// so scores compare entry by entry, not up to sign); the eigenvectors
    /// orthonormal and A·V = V·Λ to rounding.
    #[test]
    fn dsyevd_solver_agrees_with_nalgebra() {
        let mut rng = Rng::new(24);
        let low_rank = {
            let a = DMatrix::from_fn(60, 5, |_, _| rng.normal());
            let b = DMatrix::from_fn(5, 30, |_, _| rng.normal());
            a * b
        };
        let cases = [
            DMatrix::from_fn(120, 40, |_, _| rng.normal() + 2.0),
            DMatrix::from_fn(30, 90, |_, _| rng.normal()),
            DMatrix::from_fn(300, 150, |i, j| {
                rng.normal() * (1.0 + (j % 7) as f64) + i as f64 * 1e-3
            }),
            low_rank,
        ];
        for x in &cases {
            let (n, d) = x.shape();
            let old = Centred::new(x);
            let new = Centred::new(x).with_dsyevd();
            let (want, got) = (old.eigenvalues(), new.eigenvalues());
            assert_eq!(got.len(), want.len());
            for (g, w) in got.iter().zip(want) {
                assert!((g - w).abs() <= 1e-12 * want[0], "{n}×{d}: {g} vs {w}");
            }
            for f in [0.5, 0.9, 0.99] {
                assert_eq!(new.pcs_for_variance(f), old.pcs_for_variance(f), "{n}×{d}");
            }
            let (sw, sg) = (old.pca_scores(3), new.pca_scores(3));
            let scale = sw.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            for (g, w) in sg.iter().zip(sw.iter()) {
                assert!((g - w).abs() <= 1e-9 * scale, "{n}×{d}: score {g} vs {w}");
            }
            let (vals, v) = Centred::new(x).with_dsyevd().eigenpairs().unwrap().clone();
            let m = new.moment();
            for w in vals.windows(2) {
                assert!(w[0] >= w[1], "{n}×{d}: not descending");
            }
            let residual = m * &v - &v * DMatrix::from_diagonal(&DVector::from_vec(vals.clone()));
            assert!(frobenius_norm_scaled(&residual) <= 1e-12 * vals[0] * m.nrows() as f64);
            let orth = v.transpose() * &v - DMatrix::identity(m.nrows(), m.nrows());
            assert!(frobenius_norm_scaled(&orth) <= 1e-12 * m.nrows() as f64);
        }
    }

    #[test]
    fn scaled_norm_survives_huge_entries() {
        let a = DMatrix::from_row_slice(2, 2, &[3e200, 4e200, 0.0, 0.0]);
        assert!((frobenius_norm_scaled(&a) / 5e200 - 1.0).abs() < 1e-15);
        assert_eq!(frobenius_norm_scaled(&DMatrix::zeros(2, 2)), 0.0);
        let b = DMatrix::from_row_slice(1, 2, &[f64::NAN, 1.0]);
        assert!(frobenius_norm_scaled(&b).is_nan());
    }
}
