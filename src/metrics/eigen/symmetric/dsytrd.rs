//! Reduction of a real symmetric matrix to symmetric tridiagonal form
//! T = Qᵀ A Q by Householder reflections, blocked so that half of the work
//! is matrix products through [`crate::gemm`] (LAPACK `dsytrd` with the
//! panel factorisation [`super::dlatrd`], lower triangle; J. J. Dongarra,
//! S. J. Hammarling and D. C. Sorensen, "Block reduction of matrices to
//! condensed forms for eigenvalue computations", J. Comput. Appl. Math. 27,
//! 1989).
//!
//! Storage is column-major: entry (i, j) of the n × n matrix is
//! `a[i + j·n]`; only the lower triangle is read or written. On return the
//! diagonal and subdiagonal of T are in `d` and `e`, and Q = H₀H₁⋯H_{n−2}
//! is stored as LAPACK stores it: reflector i has v_{i+1} = 1 (implicit)
//! and v_{i+2..n} in `a[i+2.., i]`, with its τ in `tau[i]`
//! ([`super::dormtr`] applies it).
//!
//! # The blocked step
//!
//! A panel of `NB` columns is reduced by [`super::dlatrd`], which returns W
//! with the trailing matrix after the panel equal to A − V Wᵀ − W Vᵀ. That
//! rank-2·NB update (`dsyr2k`) is one product [V W]·[W V]ᵀ, formed a block
//! of `CB` columns at a time, from the diagonal down only (the lower
//! triangle). The other half of the work, one symmetric matrix–vector
//! product over the trailing matrix per column inside the panel, is
//! level 2 and bound by memory bandwidth, in LAPACK as here.
//!
//! Deterministic by construction: plain `+ − × ÷ sqrt` in a fixed order
//! ([`super::blas`]) and the deterministic [`crate::gemm`] products, so a
//! matrix gives the same bits natively and in WebAssembly whichever gemm
//! micro-kernel runs.

use nalgebra::DMatrix;

use super::blas::{axpy, dot, symv_lower};
use super::dlatrd::dlatrd;
use crate::gemm;
use crate::metrics::eigen::hessenberg::reflector;

/// Panel width of the blocked reduction.
pub const NB: usize = 32;
/// Trailing orders up to this are reduced column by column (`dsytd2`).
const NX: usize = 128;
/// Columns of the trailing matrix per product in the rank-2·NB update.
const CB: usize = 256;

/// The tridiagonal form of a symmetric matrix and the reflectors of Q.
pub struct Tridiagonal {
    /// Diagonal of T (n entries).
    pub d: Vec<f64>,
    /// Subdiagonal of T (n − 1 entries; empty for n = 0).
    pub e: Vec<f64>,
    /// τ of each reflector (n − 1 entries).
    pub tau: Vec<f64>,
}

/// Reduce the column-major n × n symmetric matrix `a` (lower triangle) to
/// tridiagonal form in place (see the module doc for what `a` holds after).
pub fn dsytrd(a: &mut [f64], n: usize) -> Tridiagonal {
    assert_eq!(a.len(), n * n, "dsytrd: {} values for n = {n}", a.len());
    let mut d = vec![0.0; n];
    let mut e = vec![0.0; n.saturating_sub(1)];
    let mut tau = vec![0.0; n.saturating_sub(1)];
    let mut p = 0;
    while n > NX && n - p > NX {
        let w = dlatrd(a, n, p, NB, &mut e, &mut tau);
        syr2k_lower(a, n, p, &w);
        for j in p..p + NB {
            a[j + 1 + j * n] = e[j];
            d[j] = a[j + j * n];
        }
        p += NB;
    }
    dsytd2(a, n, p, &mut d, &mut e, &mut tau);
    Tridiagonal { d, e, tau }
}

/// The same reduction column by column, unblocked (LAPACK `dsytd2`): the
/// reference for tests and benchmarks.
pub fn dsytrd_unblocked(a: &mut [f64], n: usize) -> Tridiagonal {
    assert_eq!(a.len(), n * n, "dsytrd: {} values for n = {n}", a.len());
    let mut d = vec![0.0; n];
    let mut e = vec![0.0; n.saturating_sub(1)];
    let mut tau = vec![0.0; n.saturating_sub(1)];
    dsytd2(a, n, 0, &mut d, &mut e, &mut tau);
    Tridiagonal { d, e, tau }
}

/// Column by column from column `p` on (LAPACK `dsytd2`, lower): for each
/// reflector, w = τ A v − (τ/2)(τ vᵀ A v) v and the rank-2 update
/// A −= v wᵀ + w vᵀ on the lower triangle.
fn dsytd2(a: &mut [f64], n: usize, p: usize, d: &mut [f64], e: &mut [f64], tau: &mut [f64]) {
    if n == 0 {
        return;
    }
    for i in p..n - 1 {
        let (t, beta) = reflector(&mut a[i + 1 + i * n..(i + 1) * n]);
        e[i] = beta;
        tau[i] = t;
        if t != 0.0 {
            a[i + 1 + i * n] = 1.0;
            let v: Vec<f64> = a[i + 1 + i * n..(i + 1) * n].to_vec();
            let m = v.len();
            let mut w = vec![0.0; m];
            symv_lower(a, (i + 1) + (i + 1) * n, n, &v, &mut w);
            for x in w.iter_mut() {
                *x *= t;
            }
            let alpha = -0.5 * t * dot(&w, &v);
            axpy(alpha, &v, &mut w);
            // dsyr2, lower: A[r, c] −= v_r w_c + w_r v_c for r ≥ c.
            for c in 0..m {
                let (vc, wc) = (v[c], w[c]);
                let col = &mut a[(i + 1 + c) + (i + 1 + c) * n..(i + 1) + (i + 1 + c) * n + m];
                for ((x, vr), wr) in col.iter_mut().zip(&v[c..]).zip(&w[c..]) {
                    *x -= vr * wc + wr * vc;
                }
            }
            a[i + 1 + i * n] = e[i];
        }
        d[i] = a[i + i * n];
    }
    d[n - 1] = a[(n - 1) + (n - 1) * n];
}

/// A[p+NB.., p+NB..] −= V Wᵀ + W Vᵀ on the lower triangle (`dsyr2k`), with
/// V the panel's reflectors (rows p+NB.. of columns p..p+NB, their unit
/// entries in place) and W from [`dlatrd`]. Each CB-column block of the
/// trailing matrix, from its diagonal down, is one product
/// [V W]·[W V]ᵀ through gemm; each entry's k-sum runs over V's columns
/// then W's, in gemm's fixed order.
fn syr2k_lower(a: &mut [f64], n: usize, p: usize, w: &[f64]) {
    let q = p + NB; // first row and column of the trailing matrix
    let m = n - q;
    let wm = n - p; // W's rows (its row r is global row p + r)
                    // Z = [V W], Y = [W V], both m × 2NB, copied column by column.
    let mut z = DMatrix::<f64>::zeros(m, 2 * NB);
    let mut y = DMatrix::<f64>::zeros(m, 2 * NB);
    for k in 0..NB {
        let v = &a[q + (p + k) * n..n + (p + k) * n];
        let wk = &w[NB + k * wm..(k + 1) * wm];
        z.column_mut(k).copy_from_slice(v);
        z.column_mut(NB + k).copy_from_slice(wk);
        y.column_mut(k).copy_from_slice(wk);
        y.column_mut(NB + k).copy_from_slice(v);
    }
    let mut c0 = 0;
    while c0 < m {
        let cb = CB.min(m - c0);
        let rows = m - c0;
        let zb = z.rows(c0, rows).into_owned();
        let yb = y.rows(c0, cb).into_owned();
        let prod = gemm::mul_nt(&zb, &yb);
        let ps = prod.as_slice();
        for j in 0..cb {
            let g = q + c0 + j; // global column (and first row)
            let col = &mut a[g + g * n..n + g * n];
            let src = &ps[j + j * rows..(j + 1) * rows];
            for (x, u) in col.iter_mut().zip(src) {
                *x -= u;
            }
        }
        c0 += cb;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// The tridiagonal forms from the blocked and unblocked paths have the
    /// same invariants: trace and Frobenius norm of A, and equal |entries|
    /// (the form is unique up to signs given Q's first column, e₀ in both).
    #[test]
    fn blocked_and_unblocked_agree() {
        for n in [1, 2, 3, 130, 161, 300] {
            let mut rng = Rng::new(n as u64);
            let mut a = vec![0.0; n * n];
            for j in 0..n {
                for i in j..n {
                    let v = rng.normal();
                    a[i + j * n] = v;
                    a[j + i * n] = v;
                }
            }
            let tr: f64 = (0..n).map(|i| a[i + i * n]).sum();
            let fro: f64 = a.iter().map(|x| x * x).sum();
            let mut a1 = a.clone();
            let t1 = dsytrd(&mut a1, n);
            let mut a2 = a.clone();
            let t2 = dsytrd_unblocked(&mut a2, n);
            let s1: f64 = t1.d.iter().sum();
            let f1: f64 = t1.d.iter().map(|x| x * x).sum::<f64>()
                + 2.0 * t1.e.iter().map(|x| x * x).sum::<f64>();
            assert!((s1 - tr).abs() < 1e-10 * n as f64, "n={n}");
            assert!((f1 - fro).abs() < 1e-10 * fro, "n={n}");
            for i in 0..n {
                assert!((t1.d[i] - t2.d[i]).abs() < 1e-9, "n={n} d[{i}]");
            }
            for i in 0..n.saturating_sub(1) {
                assert!((t1.e[i].abs() - t2.e[i].abs()).abs() < 1e-9, "n={n} e[{i}]");
            }
        }
    }
}
