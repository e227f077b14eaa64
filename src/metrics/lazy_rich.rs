//! Lazy vs rich learning: how much the weights, the tangent kernel and the
//! hidden representation move during training (SCIENCE.md §1).
//!
//! Papers: Chizat, Oyallon & Bach 2019 (lazy training); Geiger et al. 2020
//! (feature vs lazy); Farrell, Recanatesi & Shea-Brown 2023 (lazy, rich,
//! exclusive); Flesch et al. 2022 (Neuron; init scale sets the regime);
//! CKA, kernel–target alignment and the kernel distance, which the lab
//! reports too, are in `metrics::similarity` (re-exported here).
//!
//! Conventions: every function returns a plain `f64`. NaN means "undefined"
//! and appears only where each doc comment says so (shape mismatch, or a
//! zero-norm reference where the ratio is 0/0 or x/0).

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

use crate::linalg::frobenius_norm;

// CKA, kernel–target alignment, the kernel distance and the RDM serve the
// labs and "Your data" alike: they live in `metrics::similarity`.
pub use crate::metrics::similarity::{centered_kernel_alignment, kernel_distance, linear_cka, rdm};

/// Relative weight change ‖W − W0‖_F / ‖W0‖_F (Chizat et al. 2019; Flesch et
/// al. 2022 report it per layer).
///
/// NaN when the shapes differ or ‖W0‖_F = 0 (e.g. a zero init: no scale to
/// compare against).
pub fn relative_change(w: &DMatrix<f64>, w0: &DMatrix<f64>) -> f64 {
    if w.shape() != w0.shape() {
        return f64::NAN;
    }
    let n0 = frobenius_norm(w0);
    if n0 == 0.0 {
        return f64::NAN;
    }
    frobenius_norm(&(w - w0)) / n0
}

/// Relative tangent-kernel change ‖K_t − K_0‖_F / ‖K_0‖_F (Geiger et al.
/// 2020; Fort et al. 2020), for n × n kernels on a probe set.
///
/// NaN when the shapes differ or ‖K_0‖_F = 0.
pub fn kernel_relative_change(k: &DMatrix<f64>, k0: &DMatrix<f64>) -> f64 {
    relative_change(k, k0)
}

/// Unit counts by context selectivity (see [`exclusive_units`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitCounts {
    /// Active in context A only.
    pub exclusive_a: usize,
    /// Active in context B only.
    pub exclusive_b: usize,
    /// Active in both contexts.
    pub shared: usize,
    /// Active in neither.
    pub dead: usize,
}

/// Context-exclusive units (Flesch, Juechems, Dumbalska, Saxe &
/// Summerfield 2022, Neuron): `h_a` and `h_b` are hidden activations
/// (samples × units) for the stimuli of context A and of context B.
///
/// A unit is active in a context if its activation is strictly greater than
/// `threshold` for at least one stimulus of that context (NaN never
/// counts as active). Exclusive = active in exactly one context; shared =
/// active in both; dead = active in neither. The four counts sum to the
/// number of units.
///
/// A context with no samples has no active units. If `h_a` and `h_b` have
/// different numbers of units (columns), all counts are 0 (a sum of 0 tells
/// the caller the input was malformed).
pub fn exclusive_units(h_a: &DMatrix<f64>, h_b: &DMatrix<f64>, threshold: f64) -> UnitCounts {
    if h_a.ncols() != h_b.ncols() {
        return UnitCounts::default();
    }
    let active = |h: &DMatrix<f64>, u: usize| h.column(u).iter().any(|&v| v > threshold);
    let mut counts = UnitCounts::default();
    for u in 0..h_a.ncols() {
        match (active(h_a, u), active(h_b, u)) {
            (true, false) => counts.exclusive_a += 1,
            (false, true) => counts.exclusive_b += 1,
            (true, true) => counts.shared += 1,
            (false, false) => counts.dead += 1,
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_change_values() {
        let w0 = DMatrix::from_row_slice(2, 2, &[3.0, 0.0, 0.0, 4.0]);
        let w = DMatrix::from_row_slice(2, 2, &[3.0, 0.0, 0.0, 9.0]);
        assert_eq!(relative_change(&w, &w0), 1.0);
        assert_eq!(relative_change(&w0, &w0), 0.0);
        assert!(relative_change(&w, &DMatrix::zeros(2, 2)).is_nan());
        assert!(relative_change(&w, &DMatrix::zeros(2, 3)).is_nan());
    }

    #[test]
    fn exclusive_unit_counts() {
        // Units: 0 only in A, 1 only in B, 2 in both, 3 never (equal to threshold).
        let h_a = DMatrix::from_row_slice(2, 4, &[1.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0]);
        let h_b = DMatrix::from_row_slice(2, 4, &[0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.1, f64::NAN]);
        let c = exclusive_units(&h_a, &h_b, 0.0);
        assert_eq!(
            c,
            UnitCounts {
                exclusive_a: 1,
                exclusive_b: 1,
                shared: 1,
                dead: 1
            }
        );
        assert_eq!(
            exclusive_units(&h_a, &DMatrix::zeros(2, 3), 0.0),
            UnitCounts::default()
        );
        let none = exclusive_units(&DMatrix::zeros(0, 4), &h_b, 0.0);
        assert_eq!(none.exclusive_b + none.shared, 2);
        assert_eq!(none.dead, 2);
    }
}
