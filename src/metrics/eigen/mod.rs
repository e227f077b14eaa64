//! Eigenvalues of a real nonsymmetric matrix, without eigenvectors.
//!
//! 1. [`hessenberg`]: blocked Householder reduction to upper Hessenberg
//!    form, most of it matrix products (LAPACK `dgehrd`/`dlahr2`).
//! 2. [`multishift`]: small-bulge multishift QR on the Hessenberg matrix
//!    (Braman, Byers & Mathias, SIAM J. Matrix Anal. Appl. 23, 2002, part I;
//!    LAPACK `dlaqr5`), with the updates away from the bulges as matrix
//!    products, and the Francis double-shift iteration of [`qr`] for small
//!    blocks. Only the active unreduced block is ever updated: the
//!    eigenvalues of a block upper triangular matrix are those of its
//!    diagonal blocks, so nothing outside the block matters.
//!
//! The input is row-major; the solvers work column-major on the same
//! buffer, that is on Aᵀ, which has the same eigenvalues.
//!
//! Deterministic by construction: plain `+ − × ÷ sqrt`, fixed loop order, no
//! FMA, and the deterministic [`crate::gemm`] products, so a matrix gives the
//! same bits natively and in WebAssembly.

pub mod deflation;
pub mod hessenberg;
pub mod multishift;
pub mod qr;

pub use hessenberg::hessenberg;
pub use multishift::hessenberg_eigenvalues;

/// Eigenvalues (re, im) of the n × n row-major matrix `a`, in the order the
/// iteration deflates them. None if the input is not finite or the
/// iteration does not converge.
pub fn eigenvalues(a: &[f64], n: usize) -> Option<Vec<(f64, f64)>> {
    if a.len() != n * n || a.iter().any(|v| !v.is_finite()) {
        return None;
    }
    // Row-major A is column-major Aᵀ: same eigenvalues.
    let mut h = a.to_vec();
    hessenberg(&mut h, n);
    hessenberg_eigenvalues(&mut h, n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use nalgebra::DMatrix;

    fn sort(v: &mut [(f64, f64)]) {
        v.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    }

    fn compare_with_nalgebra(n: usize, seed: u64) {
        let mut rng = Rng::new(seed);
        let a: Vec<f64> = (0..n * n)
            .map(|_| rng.normal() / libm::sqrt(n as f64))
            .collect();
        let mut ours = eigenvalues(&a, n).unwrap();
        let m = DMatrix::from_row_slice(n, n, &a);
        let mut theirs: Vec<(f64, f64)> = m
            .complex_eigenvalues()
            .iter()
            .map(|c| (c.re, c.im))
            .collect();
        sort(&mut ours);
        sort(&mut theirs);
        let scale = theirs
            .iter()
            .map(|c| libm::hypot(c.0, c.1))
            .fold(0.0, f64::max);
        for (x, y) in ours.iter().zip(&theirs) {
            let d = libm::hypot(x.0 - y.0, x.1 - y.1);
            assert!(d <= 1e-8 * scale, "n={n}: {x:?} vs {y:?}");
        }
    }

    #[test]
    fn matches_nalgebra_on_random_matrices() {
        for (n, seed) in [
            (1, 1),
            (2, 2),
            (3, 3),
            (7, 4),
            (30, 5),
            (76, 7),
            (120, 6),
            (300, 8),
        ] {
            compare_with_nalgebra(n, seed);
        }
    }

    #[test]
    fn known_spectrum_q_lambda_q_inverse() {
        // Block-diagonal Λ with real eigenvalues and complex pairs a ± bi,
        // conjugated by a random well-conditioned Q (identity + small noise).
        let n = 12;
        let mut lam = DMatrix::<f64>::zeros(n, n);
        let mut expect = Vec::new();
        let reals = [1.5, -0.7, 0.2, 0.9, -2.0, 0.05];
        for (i, r) in reals.iter().enumerate() {
            lam[(i, i)] = *r;
            expect.push((*r, 0.0));
        }
        for (k, (re, im)) in [(0.3, 0.8), (-1.1, 0.25), (0.6, 1.7)].iter().enumerate() {
            let i = 6 + 2 * k;
            lam[(i, i)] = *re;
            lam[(i + 1, i + 1)] = *re;
            lam[(i, i + 1)] = *im;
            lam[(i + 1, i)] = -*im;
            expect.push((*re, *im));
            expect.push((*re, -*im));
        }
        let mut rng = Rng::new(9);
        let q = DMatrix::from_fn(n, n, |i, j| {
            (if i == j { 1.0 } else { 0.0 }) + 0.2 * rng.normal()
        });
        let qi = q.clone().try_inverse().unwrap();
        let a = &q * lam * qi;
        let rows: Vec<f64> = (0..n * n).map(|k| a[(k / n, k % n)]).collect();
        let mut ours = eigenvalues(&rows, n).unwrap();
        sort(&mut ours);
        sort(&mut expect);
        for (x, y) in ours.iter().zip(&expect) {
            assert!(
                (x.0 - y.0).abs() < 1e-10 && (x.1 - y.1).abs() < 1e-10,
                "{x:?} vs {y:?}"
            );
        }
    }

    #[test]
    fn degenerate_inputs() {
        assert!(eigenvalues(&[f64::NAN], 1).is_none());
        assert!(eigenvalues(&[1.0, 2.0], 2).is_none());
        assert_eq!(eigenvalues(&[0.0; 9], 3).unwrap(), vec![(0.0, 0.0); 3]);
        assert_eq!(eigenvalues(&[], 0).unwrap(), vec![]);
    }
}
