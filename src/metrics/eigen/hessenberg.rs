//! Reduction of a real square matrix to upper Hessenberg form H = QᵀAQ by
//! Householder reflections, blocked so that most of the work is matrix
//! products through [`crate::gemm`] (LAPACK's `dgehrd` with the panel
//! factorisation `dlahr2`: G. Quintana-Ortí & R. van de Geijn, "Improving the
//! performance of reduction to Hessenberg form", ACM TOMS 32, 2006).
//!
//! Storage is column-major: entry (i, j) of the n × n matrix is `a[i + j·n]`.
//! Q is discarded (eigenvalues only).
//!
//! # The blocked step
//!
//! A panel of `NB` columns p … p+NB−1 is reduced one column at a time
//! without touching the rest of the matrix. Its reflectors
//! Hᵢ = I − τᵢvᵢvᵢᵀ combine into Q = H₀⋯H_{NB−1} = I − VTVᵀ (T upper
//! triangular, the compact WY form of Schreiber & Van Loan 1989), and
//! Y = AVT is built alongside. Column j of the panel is brought up to date
//! just before its own reflector is made: first the earlier reflectors from
//! the right (b −= Y·V[j, :]ᵀ), then from the left (b −= V·Tᵀ·Vᵀb). After the
//! panel, the rest of the matrix gets both sides at once: A −= YVᵀ (right),
//! then A −= V·Tᵀ·(VᵀA) (left) on the trailing columns: three products.
//!
//! Deterministic by construction: plain `+ − × ÷ sqrt` in a fixed order and
//! the deterministic [`crate::gemm`] products, so a matrix gives the same
//! bits natively and in WebAssembly whichever gemm micro-kernel runs.

// Index loops mirror the formulas (and LAPACK's loops) entry by entry.
#![allow(clippy::needless_range_loop)]

use nalgebra::DMatrix;

use crate::gemm;

/// Panel width of the blocked reduction.
const NB: usize = 32;
/// Orders up to this are reduced column by column (the blocked step does
/// not pay on small trailing matrices).
const NX: usize = 128;

/// A Householder reflector H = I − τvvᵀ with v₀ = 1 that maps x to βe₁
/// (LAPACK's `dlarfg`). Overwrites `x[1..]` with v[1..] and returns (τ, β);
/// τ = 0 (H = I) when x[1..] is already zero.
pub(super) fn reflector(x: &mut [f64]) -> (f64, f64) {
    let alpha = x[0];
    let mut scale = 0.0f64;
    for v in x.iter() {
        scale = scale.max(v.abs());
    }
    let mut tail = 0.0f64;
    for v in &x[1..] {
        tail = tail.max(v.abs());
    }
    if tail == 0.0 {
        return (0.0, alpha);
    }
    let mut s2 = 0.0;
    for v in x.iter() {
        let t = v / scale;
        s2 += t * t;
    }
    let norm = scale * libm::sqrt(s2);
    let beta = if alpha >= 0.0 { -norm } else { norm };
    let tau = (beta - alpha) / beta;
    let d = alpha - beta;
    for v in x[1..].iter_mut() {
        *v /= d;
    }
    (tau, beta)
}

/// Reduce the column-major n × n matrix `a` to upper Hessenberg form in
/// place (similarity transforms; entries below the subdiagonal are set to
/// zero).
pub fn hessenberg(a: &mut [f64], n: usize) {
    assert_eq!(a.len(), n * n, "hessenberg: {} values for n = {n}", a.len());
    let mut p = 0;
    while n > NX && n - p > NX {
        panel_step(a, n, p);
        p += NB;
    }
    unblocked(a, n, p);
}

/// The same reduction column by column, unblocked (LAPACK's `dgehd2`): the
/// reference for tests and benchmarks.
pub fn hessenberg_unblocked(a: &mut [f64], n: usize) {
    assert_eq!(a.len(), n * n, "hessenberg: {} values for n = {n}", a.len());
    unblocked(a, n, 0);
}

/// Column by column from column `p` on (LAPACK's `dgehd2`).
fn unblocked(a: &mut [f64], n: usize, p: usize) {
    let mut w = vec![0.0; n];
    for k in p..n.saturating_sub(2) {
        let (tau, beta) = reflector(&mut a[k + 1 + k * n..(k + 1) * n]);
        a[k + 1 + k * n] = beta;
        if tau == 0.0 {
            continue;
        }
        let mut v = vec![0.0; n];
        v[k + 1] = 1.0;
        for i in k + 2..n {
            v[i] = a[i + k * n];
            a[i + k * n] = 0.0;
        }
        // Left: A[k+1.., c] −= τ v (vᵀ A[k+1.., c]) for c > k.
        for c in k + 1..n {
            let col = &mut a[c * n..(c + 1) * n];
            let mut d = 0.0;
            for i in k + 1..n {
                d += v[i] * col[i];
            }
            let f = tau * d;
            for i in k + 1..n {
                col[i] -= f * v[i];
            }
        }
        // Right: A[.., c] −= (A v) τ v_c for c > k.
        w.iter_mut().for_each(|x| *x = 0.0);
        for c in k + 1..n {
            let vc = v[c];
            let col = &a[c * n..(c + 1) * n];
            for (wi, ai) in w.iter_mut().zip(col) {
                *wi += ai * vc;
            }
        }
        for c in k + 1..n {
            let f = tau * v[c];
            let col = &mut a[c * n..(c + 1) * n];
            for (ai, wi) in col.iter_mut().zip(&w) {
                *ai -= wi * f;
            }
        }
    }
}

/// A[r0..n, c0..n] · x[c0 − r0..] (x is indexed like the rows from r0, so
/// entry c of the product's sum is x[c − r0]): the product's entry i sums
/// its terms in increasing column order from +0, four columns per pass
/// over the output (the same additions in the same order as one column at
/// a time, with a quarter of the loads and stores).
fn gemv(a: &[f64], n: usize, r0: usize, c0: usize, x: &[f64]) -> Vec<f64> {
    let mut y = vec![0.0; n - r0];
    let mut c = c0;
    while c + 4 <= n {
        let (x0, x1, x2, x3) = (x[c - r0], x[c + 1 - r0], x[c + 2 - r0], x[c + 3 - r0]);
        let a0 = &a[r0 + c * n..(c + 1) * n];
        let a1 = &a[r0 + (c + 1) * n..(c + 2) * n];
        let a2 = &a[r0 + (c + 2) * n..(c + 3) * n];
        let a3 = &a[r0 + (c + 3) * n..(c + 4) * n];
        for ((((yi, p0), p1), p2), p3) in y.iter_mut().zip(a0).zip(a1).zip(a2).zip(a3) {
            *yi = (((*yi + p0 * x0) + p1 * x1) + p2 * x2) + p3 * x3;
        }
        c += 4;
    }
    for c in c..n {
        let xc = x[c - r0];
        for (yi, ac) in y.iter_mut().zip(&a[r0 + c * n..(c + 1) * n]) {
            *yi += ac * xc;
        }
    }
    y
}

/// Copy of the block rows r0..r1, columns c0..c1 of `a`.
fn block(a: &[f64], n: usize, r0: usize, r1: usize, c0: usize, c1: usize) -> DMatrix<f64> {
    DMatrix::from_fn(r1 - r0, c1 - c0, |i, j| a[r0 + i + (c0 + j) * n])
}

/// a[r0.., c0..] −= m.
fn sub_assign(a: &mut [f64], n: usize, r0: usize, c0: usize, m: &DMatrix<f64>) {
    for j in 0..m.ncols() {
        let col = &mut a[r0 + (c0 + j) * n..r0 + m.nrows() + (c0 + j) * n];
        for (x, y) in col.iter_mut().zip(m.column(j).iter()) {
            *x -= y;
        }
    }
}

/// Reduce columns p … p+NB−1 and apply their reflectors to the rest
/// (`dgehrd`'s loop body with `dlahr2`). Requires p + NB + 2 ≤ n.
fn panel_step(a: &mut [f64], n: usize, p: usize) {
    let nb = NB;
    let m = n - p - 1; // rows p+1..n of V and of Y's lower part
                       // V: m × nb (row r ↦ global p+1+r), Y: rows p+1..n (same map), T: nb × nb.
    let mut v = DMatrix::<f64>::zeros(m, nb);
    let mut y = DMatrix::<f64>::zeros(m, nb);
    let mut t = DMatrix::<f64>::zeros(nb, nb);
    let mut w = vec![0.0; nb];
    for i in 0..nb {
        let j = p + i;
        if i > 0 {
            let b = &mut a[p + 1 + j * n..(j + 1) * n];
            // From the right: b −= Y · V[j, :i]ᵀ (V's row j is local row i−1).
            for s in 0..i {
                let f = v[(i - 1, s)];
                for (bx, yx) in b.iter_mut().zip(y.column(s).iter()) {
                    *bx -= yx * f;
                }
            }
            // From the left: b −= V Tᵀ Vᵀ b.
            for s in 0..i {
                let mut d = 0.0;
                for (vx, bx) in v.column(s).iter().zip(b.iter()).skip(s) {
                    d += vx * bx;
                }
                w[s] = d;
            }
            for s in (0..i).rev() {
                let mut d = 0.0;
                for q in 0..=s {
                    d += t[(q, s)] * w[q];
                }
                w[s] = d;
            }
            for s in 0..i {
                let f = w[s];
                for (bx, vx) in b.iter_mut().zip(v.column(s).iter()).skip(s) {
                    *bx -= vx * f;
                }
            }
        }
        // The reflector for column j, from rows j+1..n.
        let (tau, beta) = reflector(&mut a[j + 1 + j * n..(j + 1) * n]);
        a[j + 1 + j * n] = beta;
        v[(i, i)] = 1.0;
        for r in j + 2..n {
            v[(r - p - 1, i)] = a[r + j * n];
            a[r + j * n] = 0.0;
        }
        // Y[:, i] = τ (A v − Y u) with u = V[:, :i]ᵀ v; T[:i, i] = −τ T u.
        let mut av = gemv(a, n, p + 1, j + 1, v.column(i).as_slice());
        let mut u = vec![0.0; i];
        for (s, us) in u.iter_mut().enumerate() {
            let mut d = 0.0;
            for r in i..m {
                d += v[(r, s)] * v[(r, i)];
            }
            *us = d;
        }
        for s in 0..i {
            let f = u[s];
            for (x, yx) in av.iter_mut().zip(y.column(s).iter()) {
                *x -= yx * f;
            }
        }
        for (r, x) in av.iter().enumerate() {
            y[(r, i)] = tau * x;
        }
        for s in 0..i {
            let mut d = 0.0;
            for q in s..i {
                d += t[(s, q)] * u[q];
            }
            t[(s, i)] = -tau * d;
        }
        t[(i, i)] = tau;
    }
    // Rows 0..=p of Y: A[0..=p, p+1..n] · V · T (those rows of A are
    // untouched so far).
    let top = gemm::mul(&gemm::mul(&block(a, n, 0, p + 1, p + 1, n), &v), &t);
    // From the right, every row: A[.., p+1..] −= Y Vᵀ.
    let v_rest = v.rows(nb - 1, m - nb + 1).into_owned(); // V rows of columns p+nb..n
    sub_assign(a, n, 0, p + nb, &gemm::mul_nt(&top, &v_rest));
    sub_assign(a, n, p + 1, p + nb, &gemm::mul_nt(&y, &v_rest));
    let v_panel = v.rows(0, nb - 1).into_owned(); // columns p+1..p+nb−1
    sub_assign(a, n, 0, p + 1, &gemm::mul_nt(&top, &v_panel));
    // From the left on the trailing columns: A[p+1.., p+nb..] −= V Tᵀ (Vᵀ A).
    let trail = block(a, n, p + 1, n, p + nb, n);
    let vta = gemm::mul_tn(&t, &gemm::mul_tn(&v, &trail));
    sub_assign(a, n, p + 1, p + nb, &gemm::mul(&v, &vta));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// Q from the unblocked path and the blocked path give matrices with
    /// the same invariants: Hessenberg, same Frobenius norm and trace.
    #[test]
    fn blocked_and_unblocked_agree_on_invariants() {
        let n = 300;
        let mut rng = Rng::new(3);
        let a: Vec<f64> = (0..n * n).map(|_| rng.normal()).collect();
        let mut h1 = a.clone();
        hessenberg(&mut h1, n);
        let mut h2 = a.clone();
        unblocked(&mut h2, n, 0);
        for j in 0..n {
            for i in j + 2..n {
                assert_eq!(h1[i + j * n], 0.0);
            }
        }
        let fro = |m: &[f64]| m.iter().map(|x| x * x).sum::<f64>();
        let tr = |m: &[f64]| (0..n).map(|i| m[i + i * n]).sum::<f64>();
        assert!((fro(&h1) - fro(&a)).abs() < 1e-9 * fro(&a));
        assert!((tr(&h1) - tr(&a)).abs() < 1e-9 * n as f64);
        // The Hessenberg form is unique up to signs given the first
        // column of Q (e₁ in both): |entries| agree.
        for k in 0..n * n {
            assert!(
                (h1[k].abs() - h2[k].abs()).abs() < 1e-8,
                "entry {k}: {} vs {}",
                h1[k],
                h2[k]
            );
        }
    }
}
