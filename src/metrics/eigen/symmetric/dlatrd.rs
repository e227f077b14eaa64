//! One panel of the blocked tridiagonal reduction (LAPACK `dlatrd`, lower
//! triangle): reduce the first `nb` columns of the trailing symmetric
//! matrix by Householder reflections H_i = I − τ_i v_i v_iᵀ, and return
//! the matrix W such that the trailing matrix after the panel is
//! A − V Wᵀ − W Vᵀ ([`super::dsytrd`] applies that as a rank-2·nb update
//! through matrix products).
//!
//! Column i of the panel is brought up to date just before its reflector
//! is made (a_i −= V·W[i, :]ᵀ + W·V[i, :]ᵀ over the earlier columns), and
//! w_i = τ(A v − V(Wᵀv) − W(Vᵀv)) is formed with one symmetric
//! matrix–vector product over the whole trailing matrix (the level-2 part,
//! half the reduction's work), then w_i −= (τ/2)(w_iᵀv)·v so that the
//! update is symmetric.

use super::blas::{axpy, dot, gemv_sub, gemv_t, symv_lower};
use crate::metrics::eigen::hessenberg::reflector;

/// Reduce columns p … p+nb−1 of the column-major n × n matrix `a` (lower
/// triangle; the trailing matrix is rows and columns p..n). On return
/// `e[p + i]` and `tau[p + i]` hold the off-diagonal entry and τ of
/// reflector i, whose vector is stored below the subdiagonal of column
/// p + i with its leading 1 written at (p + i + 1, p + i); the returned W
/// is (n − p) × nb, column-major, row r for global row p + r. Requires
/// p + nb < n.
pub fn dlatrd(
    a: &mut [f64],
    n: usize,
    p: usize,
    nb: usize,
    e: &mut [f64],
    tau: &mut [f64],
) -> Vec<f64> {
    let m = n - p;
    debug_assert!(nb < m);
    let mut w = vec![0.0; m * nb];
    // Local (r, c) ↦ a[(p + r) + (p + c)·n]; W's (r, c) ↦ w[r + c·m].
    let at = |r: usize, c: usize| (p + r) + (p + c) * n;
    let mut x = vec![0.0; nb];
    for i in 0..nb {
        if i > 0 {
            // a[i.., i] −= A[i.., :i] · W[i, :i]ᵀ, then −= W[i.., :i] · A[i, :i]ᵀ.
            for (c, xc) in x[..i].iter_mut().enumerate() {
                *xc = w[i + c * m];
            }
            let (head, col) = a.split_at_mut(at(0, i));
            let col = &mut col[i..m];
            gemv_sub(head, at(i, 0), n, &x[..i], col);
            for (c, xc) in x[..i].iter_mut().enumerate() {
                *xc = head[at(i, c)];
            }
            gemv_sub(&w, i, m, &x[..i], col);
        }
        // The reflector for column i, from rows i+1..m.
        let (t, beta) = reflector(&mut a[at(i + 1, i)..at(m, i)]);
        e[p + i] = beta;
        tau[p + i] = t;
        a[at(i + 1, i)] = 1.0;
        let v: Vec<f64> = a[at(i + 1, i)..at(m, i)].to_vec();
        // w = A[i+1.., i+1..] v over the trailing matrix.
        let mut wi = vec![0.0; m - i - 1];
        symv_lower(a, at(i + 1, i + 1), n, &v, &mut wi);
        if i > 0 {
            // − V(Wᵀv) − W(Vᵀv) for the earlier reflectors of the panel.
            let t1 = gemv_t(&w, i + 1, m, i, &v);
            gemv_sub(a, at(i + 1, 0), n, &t1, &mut wi);
            let t2 = gemv_t(a, at(i + 1, 0), n, i, &v);
            gemv_sub(&w, i + 1, m, &t2, &mut wi);
        }
        for x in wi.iter_mut() {
            *x *= t;
        }
        let alpha = -0.5 * t * dot(&wi, &v);
        axpy(alpha, &v, &mut wi);
        w[i + 1 + i * m..(i + 1) * m].copy_from_slice(&wi);
    }
    w
}
