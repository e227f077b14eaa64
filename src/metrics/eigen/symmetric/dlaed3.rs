//! The secular equation of a merge and the merged eigenvectors (LAPACK
//! `dlaed3`).
//!
//! For the k eigenvalues that did not deflate ([`super::dlaed2`]), each
//! root λ_j of 1/ρ + Σ_i w_i²/(d_i − λ) is found by [`super::dlaed4`],
//! which also returns the differences d_i − λ_j to high relative accuracy.
//! Then, following M. Gu and S. C. Eisenstat ("A divide-and-conquer
//! algorithm for the symmetric tridiagonal eigenproblem", SIAM J. Matrix
//! Anal. Appl. 16, 1995), the weights are recomputed from the computed
//! roots, ŵ_i² = Π_j (λ_j − d_i) / Π_{j≠i} (d_j − d_i), so that the
//! computed eigenvalues are exact for a nearby ŵ and the eigenvectors
//! u_j ∝ ŵ_i/(d_i − λ_j) come out numerically orthogonal. The merged
//! eigenvectors are Q·U, two matrix products through [`crate::gemm`] that
//! skip the zero blocks of the packed Q.

use nalgebra::DMatrix;

use super::blas::dot;
use super::dlaed2::Deflated;
use super::dlaed4::dlaed4;
use crate::gemm;

/// Solve the secular equation of `defl` and overwrite `d[..k]` with its
/// roots (ascending) and columns 0..k of the n × n block `q` (leading
/// dimension `ldq`, top n1 rows from the first half) with the merged
/// eigenvectors. False if a root did not converge.
pub fn dlaed3(
    n: usize,
    n1: usize,
    d: &mut [f64],
    q: &mut [f64],
    ldq: usize,
    defl: &Deflated,
) -> bool {
    let k = defl.k;
    if k == 0 {
        return true;
    }
    let (dlamda, rho) = (&defl.dlamda, defl.rho);
    let mut w = defl.w.clone();
    // U (k × k, column-major): column j is d_i − λ_j from dlaed4 (for
    // k ≤ 2, the eigenvector itself).
    let mut u = vec![0.0; k * k];
    for j in 0..k {
        match dlaed4(k, j + 1, dlamda, &w, &mut u[j * k..(j + 1) * k], rho) {
            Some(lam) => d[j] = lam,
            None => return false,
        }
    }
    let indx = &defl.indxc;
    if k == 2 {
        for j in 0..2 {
            let col = [u[j * 2], u[j * 2 + 1]];
            u[j * 2] = col[indx[0]];
            u[j * 2 + 1] = col[indx[1]];
        }
    } else if k > 2 {
        // ŵ_i² = −u_ii·Π_{j≠i} u_ij/(d_i − d_j), u_ij = d_i − λ_j; the
        // sign of ŵ_i is that of w_i.
        let s = w.clone();
        for (i, wi) in w.iter_mut().enumerate() {
            *wi = u[i + i * k];
        }
        for j in 0..k {
            for i in 0..k {
                if i != j {
                    w[i] *= u[i + j * k] / (dlamda[i] - dlamda[j]);
                }
            }
        }
        for i in 0..k {
            w[i] = libm::sqrt(-w[i]).copysign(s[i]);
        }
        // Column j: ŵ_i/(d_i − λ_j), normalised, rows in grouped order.
        let mut col = vec![0.0; k];
        for j in 0..k {
            let uj = &mut u[j * k..(j + 1) * k];
            for i in 0..k {
                col[i] = w[i] / uj[i];
            }
            let norm = libm::sqrt(dot(&col, &col));
            for i in 0..k {
                uj[i] = col[indx[i]] / norm;
            }
        }
    }
    // Q[:, ..k] = Q2 · U on the two halves, skipping the zero blocks.
    let n2 = n - n1;
    let ct = defl.ctot;
    let n12 = ct[0] + ct[1];
    let n23 = ct[1] + ct[2];
    let bottom = if n23 > 0 {
        let q2b = DMatrix::from_column_slice(n2, n23, &defl.q2[n1 * n12..n1 * n12 + n2 * n23]);
        let s = DMatrix::from_fn(n23, k, |r, c| u[(ct[0] + r) + c * k]);
        gemm::mul(&q2b, &s)
    } else {
        DMatrix::zeros(n2, k)
    };
    let top = if n12 > 0 {
        let q2t = DMatrix::from_column_slice(n1, n12, &defl.q2[..n1 * n12]);
        let s = DMatrix::from_fn(n12, k, |r, c| u[r + c * k]);
        gemm::mul(&q2t, &s)
    } else {
        DMatrix::zeros(n1, k)
    };
    for j in 0..k {
        let col = &mut q[j * ldq..j * ldq + n];
        col[..n1].copy_from_slice(top.column(j).as_slice());
        col[n1..].copy_from_slice(bottom.column(j).as_slice());
    }
    true
}
