//! The back-transformation: multiply by the orthogonal Q of the
//! tridiagonal reduction (LAPACK `dormtr` with SIDE = 'L', TRANS = 'N',
//! UPLO = 'L', through `dormqr`, `dlarft` and `dlarfb`), so that the
//! eigenvectors Z of T = QᵀAQ become those of A, V = QZ.
//!
//! Q = H₀H₁⋯H_{n−2} with H_i = I − τ_i v_i v_iᵀ and v_i zero above row
//! i + 1 ([`super::dsytrd`]), so row 0 of QZ is row 0 of Z. The reflectors
//! are applied in blocks of `IB`, the last block first, each in the compact
//! WY form H_b⋯H_{b+IB−1} = I − V T Vᵀ (R. Schreiber and C. Van Loan, "A
//! storage-efficient WY representation for products of Householder
//! transformations", SIAM J. Sci. Stat. Comput. 10, 1989; T upper
//! triangular, `dlarft` forward and columnwise): Z ← Z − V(T(VᵀZ)), three
//! products through [`crate::gemm`].
//!
//! Deterministic: the gemm products and fixed-order loops.

use nalgebra::DMatrix;

use super::blas::dot;
use crate::gemm;

/// Reflectors per block.
const IB: usize = 128;

/// The block reflector's T for reflectors b..b+ib (`dlarft`, forward,
/// columnwise): T_jj = τ_j and T[..j, j] = −τ_j·T[..j, ..j]·(V[:, ..j]ᵀ v_j).
fn dlarft(v: &DMatrix<f64>, tau: &[f64]) -> DMatrix<f64> {
    let k = tau.len();
    let mut t = DMatrix::zeros(k, k);
    for j in 0..k {
        let vj = v.column(j);
        // u = V[:, ..j]ᵀ v_j (v_j is zero above its row j).
        let u: Vec<f64> = (0..j)
            .map(|s| dot(&v.column(s).as_slice()[j..], &vj.as_slice()[j..]))
            .collect();
        for s in 0..j {
            let mut acc = 0.0;
            for (q, uq) in u.iter().enumerate().take(j).skip(s) {
                acc += t[(s, q)] * uq;
            }
            t[(s, j)] = -tau[j] * acc;
        }
        t[(j, j)] = tau[j];
    }
    t
}

/// Z ← Q Z for the Q stored in `a` and `tau` by [`super::dsytrd`] (n × n
/// column-major), Z an n-row matrix.
pub fn dormtr(a: &[f64], n: usize, tau: &[f64], z: &mut DMatrix<f64>) {
    assert_eq!(z.nrows(), n, "dormtr: Z has {} rows for n = {n}", z.nrows());
    if n < 2 {
        return;
    }
    let cols = z.ncols();
    let k = n - 1; // reflectors
    let mut starts: Vec<usize> = (0..k).step_by(IB).collect();
    starts.reverse();
    for b in starts {
        let ib = IB.min(k - b);
        // V: rows b+1..n of reflectors b..b+ib (unit lower trapezoidal).
        let m = n - 1 - b;
        let mut v = DMatrix::<f64>::zeros(m, ib);
        for (j, col) in v.as_mut_slice().chunks_exact_mut(m).enumerate() {
            col[j] = 1.0;
            col[j + 1..].copy_from_slice(&a[(b + j + 2) + (b + j) * n..(b + j + 1) * n]);
        }
        let t = dlarft(&v, &tau[b..b + ib]);
        let c = z.rows(b + 1, m).into_owned();
        let vtc = gemm::mul_tn(&v, &c);
        let tvtc = gemm::mul(&t, &vtc);
        let update = gemm::mul(&v, &tvtc);
        let us = update.as_slice();
        let zs = z.as_mut_slice();
        for j in 0..cols {
            let col = &mut zs[b + 1 + j * n..(j + 1) * n];
            for (x, u) in col.iter_mut().zip(&us[j * m..(j + 1) * m]) {
                *x -= u;
            }
        }
    }
}
