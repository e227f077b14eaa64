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
pub mod symmetric;

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

    /// Q·M·Qᵀ for a random orthogonal Q (from nalgebra's QR), row-major.
    fn rotate(m: &DMatrix<f64>, seed: u64) -> Vec<f64> {
        let n = m.nrows();
        let mut rng = Rng::new(seed);
        let g = DMatrix::from_fn(n, n, |_, _| rng.normal());
        let q = g.qr().q();
        let a = &q * m * q.transpose();
        (0..n * n).map(|k| a[(k / n, k % n)]).collect()
    }

    #[test]
    fn large_random_matrix_matches_nalgebra_and_the_trace() {
        compare_with_nalgebra(600, 10);
        // Σλ = tr A and Σλ² = tr A², both well conditioned.
        let n = 600;
        let mut rng = Rng::new(11);
        let a: Vec<f64> = (0..n * n).map(|_| rng.normal()).collect();
        let e = eigenvalues(&a, n).unwrap();
        let tr: f64 = (0..n).map(|i| a[i * n + i]).sum();
        let tr2: f64 = (0..n)
            .flat_map(|i| (0..n).map(move |k| (i, k)))
            .map(|(i, k)| a[i * n + k] * a[k * n + i])
            .sum();
        let s1: f64 = e.iter().map(|l| l.0).sum();
        let s2: f64 = e.iter().map(|l| l.0 * l.0 - l.1 * l.1).sum();
        let si: f64 = e.iter().map(|l| l.1).sum();
        assert!((s1 - tr).abs() < 1e-9, "{s1} vs {tr}");
        assert!(
            (s2 - tr2).abs() < 1e-8 * tr2.abs().max(1.0),
            "{s2} vs {tr2}"
        );
        assert!(si.abs() < 1e-9, "imaginary parts sum to {si}");
    }

    #[test]
    fn jordan_block_cluster() {
        // A 4 × 4 Jordan block for 2 (defective: its eigenvalues move by
        // ~ε^(1/4) under rounding) among distinct eigenvalues, n = 100 so
        // that the multishift path runs. The cluster's mean is well
        // conditioned; each member is within ε^(1/4)·‖A‖ ≈ 1e-4·10.
        let n = 100;
        let mut m = DMatrix::<f64>::zeros(n, n);
        for i in 0..n {
            m[(i, i)] = if i < 4 {
                2.0
            } else {
                -3.0 + 4.0 * i as f64 / n as f64
            };
        }
        for i in 0..3 {
            m[(i, i + 1)] = 1.0;
        }
        let a = rotate(&m, 12);
        let e = eigenvalues(&a, n).unwrap();
        let cluster: Vec<_> = e
            .iter()
            .filter(|l| libm::hypot(l.0 - 2.0, l.1) < 0.05)
            .collect();
        assert_eq!(cluster.len(), 4, "{e:?}");
        let mean = cluster.iter().map(|l| l.0).sum::<f64>() / 4.0;
        assert!((mean - 2.0).abs() < 1e-9, "mean {mean}");
        for l in &cluster {
            assert!(libm::hypot(l.0 - 2.0, l.1) < 1e-3, "{l:?}");
        }
    }

    #[test]
    fn clustered_eigenvalues_of_a_normal_matrix() {
        // Orthogonally similar to a diagonal with a tight cluster: a normal
        // matrix, so every eigenvalue is perfectly conditioned.
        let n = 120;
        let want: Vec<f64> = (0..n)
            .map(|i| {
                if i < 20 {
                    1.0 + 1e-9 * i as f64
                } else {
                    i as f64 / 10.0 - 5.0
                }
            })
            .collect();
        let m = DMatrix::from_fn(n, n, |i, j| if i == j { want[i] } else { 0.0 });
        let mut got = eigenvalues(&rotate(&m, 13), n).unwrap();
        sort(&mut got);
        let mut want: Vec<(f64, f64)> = want.iter().map(|&x| (x, 0.0)).collect();
        sort(&mut want);
        for (x, y) in got.iter().zip(&want) {
            assert!(
                (x.0 - y.0).abs() < 1e-12 && x.1.abs() < 1e-12,
                "{x:?} vs {y:?}"
            );
        }
    }

    #[test]
    fn zero_and_triangular_matrices() {
        let n = 150;
        assert_eq!(
            eigenvalues(&vec![0.0; n * n], n).unwrap(),
            vec![(0.0, 0.0); n]
        );
        // Triangular: the eigenvalues are the diagonal. Lower triangular
        // row-major is upper triangular for the column-major solver: no
        // reflector and no sweep changes it, so the diagonal comes back
        // bit for bit.
        let mut rng = Rng::new(14);
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..=i {
                a[i * n + j] = rng.normal();
            }
        }
        let mut got = eigenvalues(&a, n).unwrap();
        let mut want: Vec<(f64, f64)> = (0..n).map(|i| (a[i * n + i], 0.0)).collect();
        sort(&mut got);
        sort(&mut want);
        assert_eq!(got, want);
        // Upper triangular row-major goes through the whole solver. Random
        // triangular matrices are far from normal (their eigenvalues are
        // ill-conditioned), so the strict upper part is kept small.
        let at: Vec<f64> = (0..n * n)
            .map(|k| {
                let (i, j) = (k / n, k % n);
                if i == j {
                    a[k]
                } else if i < j {
                    a[j * n + i] / n as f64
                } else {
                    0.0
                }
            })
            .collect();
        let mut got = eigenvalues(&at, n).unwrap();
        sort(&mut got);
        for (x, y) in got.iter().zip(&want) {
            assert!(
                (x.0 - y.0).abs() < 1e-10 && x.1.abs() < 1e-10,
                "{x:?} vs {y:?}"
            );
        }
        // 1 × 1 and 2 × 2 (a rotation by 90°: ±i).
        assert_eq!(eigenvalues(&[3.5], 1).unwrap(), vec![(3.5, 0.0)]);
        let mut r = eigenvalues(&[0.0, -1.0, 1.0, 0.0], 2).unwrap();
        sort(&mut r);
        assert_eq!(r, vec![(0.0, -1.0), (0.0, 1.0)]);
    }

    #[test]
    fn degenerate_inputs() {
        assert!(eigenvalues(&[f64::NAN], 1).is_none());
        assert!(eigenvalues(&[1.0, 2.0], 2).is_none());
        assert_eq!(eigenvalues(&[0.0; 9], 3).unwrap(), vec![(0.0, 0.0); 3]);
        assert_eq!(eigenvalues(&[], 0).unwrap(), vec![]);
    }
}
