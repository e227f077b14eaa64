//! Aggressive early deflation (Braman, Byers & Mathias, "The multishift QR
//! algorithm. Part II: Aggressive early deflation", SIAM J. Matrix Anal.
//! Appl. 23, 2002; LAPACK `dlaqr3`), for eigenvalues only.
//!
//! Take the trailing w × w window W = H[k.., k..] of the active block, with
//! the scalar s = H[k, k−1] that couples it to the rest. Compute its real
//! Schur form W = Z T Zᵀ. Under the similarity diag(I, Z), the coupling
//! becomes the "spike" s·Z[0, :]ᵀ in column k−1. Wherever a trailing block
//! of T meets a negligible spike entry (|s·Z[0, j]| ≤ ulp·|T_jj|), its
//! eigenvalues have converged: they deflate, although no subdiagonal entry
//! of H is small. A block that does not deflate is moved to the top of T by
//! swapping adjacent diagonal blocks (Bai & Demmel 1993; LAPACK
//! `dtrexc`/`dlaexc`), and the test goes on with the next one. What is left
//! is reduced back to Hessenberg form (spike first, by one reflector), put
//! back in H, and the rows above the window get the same transformation (a
//! matrix product). The eigenvalues of the part that did not deflate are
//! the shifts for the next QR sweep.
//!
//! Column-major storage; deterministic (`+ − × ÷ sqrt`, `libm::hypot`,
//! fixed order, [`crate::gemm`]).

// Index loops mirror the formulas (and LAPACK's loops) entry by entry.
#![allow(clippy::needless_range_loop)]

use nalgebra::DMatrix;

use super::qr::schur;
use crate::gemm;

const ULP: f64 = f64::EPSILON;

/// What one early-deflation pass found.
pub struct Deflation {
    /// Eigenvalues that deflated (the window's trailing part), bottom first.
    pub eigenvalues: Vec<(f64, f64)>,
    /// Eigenvalues of the part that did not deflate: shifts for the sweep.
    pub shifts: Vec<(f64, f64)>,
}

/// Early deflation on the window rows/columns `kw..=hi` of the active block
/// `lo..=hi` of the column-major n × n upper Hessenberg `h`. On return the
/// active block is `lo..=hi − eigenvalues.len()` (its last subdiagonal
/// entry below is zero). None if the window's Schur form does not converge
/// (H is then unchanged).
pub fn early_deflation(
    h: &mut [f64],
    n: usize,
    lo: usize,
    hi: usize,
    kw: usize,
) -> Option<Deflation> {
    let w = hi + 1 - kw;
    let s = if kw > lo { h[kw + (kw - 1) * n] } else { 0.0 };
    let mut t = vec![0.0; w * w];
    for j in 0..w {
        let rows = (j + 2).min(w);
        t[j * w..j * w + rows].copy_from_slice(&h[kw + (kw + j) * n..kw + rows + (kw + j) * n]);
    }
    let mut z = vec![0.0; w * w];
    for i in 0..w {
        z[i + i * w] = 1.0;
    }
    schur(&mut t, w, &mut z)?;
    let smlnum = f64::MIN_POSITIVE * (w as f64 / ULP);

    // Deflation test from the bottom; undeflatable blocks move to `top`.
    let mut ns = w; // T[0..ns] is not deflated
    let mut top = 0; // T[0..top] holds the blocks that did not deflate
    while top < ns {
        let size = if ns >= 2 && ns - 2 >= top && t[ns - 1 + (ns - 2) * w] != 0.0 {
            2
        } else {
            1
        };
        let j = ns - 1;
        let (spike, scale) = if size == 1 {
            (s * z[j * w], t[j + j * w].abs())
        } else {
            let sp = (s * z[j * w]).abs().max((s * z[(j - 1) * w]).abs());
            let scale = t[j + j * w].abs()
                + libm::sqrt(t[j + (j - 1) * w].abs()) * libm::sqrt(t[j - 1 + j * w].abs());
            (sp, scale)
        };
        let scale = if scale == 0.0 { s.abs() } else { scale };
        if spike.abs() <= smlnum.max(ULP * scale) {
            ns -= size;
        } else {
            // Move the block at ns − size up to `top`, one swap at a time.
            let mut pos = ns - size;
            let mut cur = size;
            while pos > top {
                let above = if pos >= 2 && pos - 2 >= top && t[pos - 1 + (pos - 2) * w] != 0.0 {
                    2
                } else {
                    1
                };
                if !swap_blocks(&mut t, &mut z, w, pos - above, above, cur) {
                    break;
                }
                pos -= above;
                // A 2 × 2 block may split into two 1 × 1 blocks on moving.
                if cur == 2 && t[pos + 1 + pos * w] == 0.0 {
                    cur = 1;
                }
            }
            top = pos + cur;
        }
    }

    let blocks = |t: &[f64], from: usize, to: usize| -> Vec<(f64, f64)> {
        let mut out = Vec::new();
        let mut i = from;
        while i < to {
            if i + 1 < to && t[i + 1 + i * w] != 0.0 {
                let (a, b, c, d) = (
                    t[i + i * w],
                    t[i + (i + 1) * w],
                    t[i + 1 + i * w],
                    t[i + 1 + (i + 1) * w],
                );
                let (e1, e2) = eig2(a, b, c, d);
                out.push(e1);
                out.push(e2);
                i += 2;
            } else {
                out.push((t[i + i * w], 0.0));
                i += 1;
            }
        }
        out
    };
    // Deflated: T[ns..w]; its first block must not straddle ns.
    if ns < w && ns > 0 {
        t[ns + (ns - 1) * w] = 0.0;
    }
    let mut deflated = blocks(&t, ns, w);
    deflated.reverse();
    let shifts = blocks(&t, 0, ns);
    if ns == w && s != 0.0 {
        // Nothing deflated: leave H as it was.
        return Some(Deflation {
            eigenvalues: Vec::new(),
            shifts,
        });
    }
    if ns > 1 && s != 0.0 {
        // Reflect the spike s·Z[0, 0..ns] onto e₁ (similarity on T[0..ns]).
        let mut v: Vec<f64> = (0..ns).map(|j| s * z[j * w]).collect();
        let (tau, _beta) = super::hessenberg::reflector(&mut v);
        v[0] = 1.0;
        if tau != 0.0 {
            apply_left(&mut t, w, &v, tau, 0, 0, ns);
            apply_right(&mut t, w, &v, tau, 0, ns);
            apply_right(&mut z, w, &v, tau, 0, w);
        }
        hessenberg_accumulate(&mut t, &mut z, w, ns);
    }
    // Back into H: the reduced window, its spike, the split below it.
    if kw > lo {
        h[kw + (kw - 1) * n] = s * z[0];
    }
    for j in 0..ns {
        let rows = (j + 2).min(ns);
        h[kw + (kw + j) * n..kw + rows + (kw + j) * n].copy_from_slice(&t[j * w..j * w + rows]);
    }
    if ns < w && kw + ns > lo {
        h[kw + ns + (kw + ns - 1) * n] = 0.0;
    }
    // Rows lo..kw of columns kw..kw+ns: H[lo..kw, kw..=hi] · Z[:, 0..ns].
    if kw > lo && ns > 0 {
        let above = DMatrix::from_fn(kw - lo, w, |i, j| h[lo + i + (kw + j) * n]);
        let zm = DMatrix::from_fn(w, ns, |i, j| z[i + j * w]);
        let prod = gemm::mul(&above, &zm);
        for j in 0..ns {
            h[lo + (kw + j) * n..kw + (kw + j) * n].copy_from_slice(prod.column(j).as_slice());
        }
    }
    Some(Deflation {
        eigenvalues: deflated,
        shifts,
    })
}

/// The eigenvalues of the 2 × 2 block [[a, b], [c, d]], as the Francis
/// iteration of [`super::qr`] computes them.
pub fn eig2(a: f64, b: f64, c: f64, d: f64) -> ((f64, f64), (f64, f64)) {
    let x = d;
    let y = a;
    let w = c * b;
    let p = 0.5 * (y - x);
    let q = p * p + w;
    let zz = libm::sqrt(q.abs());
    if q >= 0.0 {
        let z = p + if p >= 0.0 { zz } else { -zz };
        let e2 = if z != 0.0 { x - w / z } else { x + z };
        ((x + z, 0.0), (e2, 0.0))
    } else {
        ((x + p, -zz), (x + p, zz))
    }
}

/// Rows r0..r0+v.len() of columns c0..c1 of `m` (leading dimension ld)
/// ← (I − τvvᵀ)·(those rows).
fn apply_left(m: &mut [f64], ld: usize, v: &[f64], tau: f64, r0: usize, c0: usize, c1: usize) {
    for c in c0..c1 {
        let col = &mut m[r0 + c * ld..r0 + v.len() + c * ld];
        let mut d = 0.0;
        for (x, vi) in col.iter().zip(v) {
            d += x * vi;
        }
        let f = tau * d;
        for (x, vi) in col.iter_mut().zip(v) {
            *x -= f * vi;
        }
    }
}

/// Rows 0..rows of columns c0..c0+v.len() of `m` (leading dimension ld)
/// ← (those)·(I − τvvᵀ).
fn apply_right(m: &mut [f64], ld: usize, v: &[f64], tau: f64, c0: usize, rows: usize) {
    let mut d = vec![0.0; rows];
    for (k, vk) in v.iter().enumerate() {
        let col = &m[(c0 + k) * ld..(c0 + k) * ld + rows];
        for (di, x) in d.iter_mut().zip(col) {
            *di += x * vk;
        }
    }
    for (k, vk) in v.iter().enumerate() {
        let f = tau * vk;
        let col = &mut m[(c0 + k) * ld..(c0 + k) * ld + rows];
        for (x, di) in col.iter_mut().zip(&d) {
            *x -= di * f;
        }
    }
}

/// Reduce T[0..ns, 0..ns] (leading dimension w) to Hessenberg form by
/// Householder reflections, accumulating them into the columns of Z
/// (w × w): T ← QᵀTQ, Z ← ZQ.
fn hessenberg_accumulate(t: &mut [f64], z: &mut [f64], w: usize, ns: usize) {
    for k in 0..ns.saturating_sub(2) {
        let mut v = t[k + 1 + k * w..ns + k * w].to_vec();
        let (tau, beta) = super::hessenberg::reflector(&mut v);
        if tau == 0.0 {
            continue;
        }
        v[0] = 1.0;
        t[k + 1 + k * w] = beta;
        for i in k + 2..ns {
            t[i + k * w] = 0.0;
        }
        apply_left(t, w, &v, tau, k + 1, k + 1, ns);
        apply_right(t, w, &v, tau, k + 1, ns);
        apply_right(z, w, &v, tau, k + 1, w);
    }
}

/// Swap the adjacent diagonal blocks of T (order w, column-major) at
/// `j1` (size n1) and `j1 + n1` (size n2), by an orthogonal similarity
/// also applied to Z's columns (LAPACK `dlaexc`: Bai & Demmel, "On swapping
/// diagonal blocks in real Schur form", Linear Algebra Appl. 186, 1993).
/// False (T and Z unchanged) if the swap would be inaccurate.
fn swap_blocks(t: &mut [f64], z: &mut [f64], w: usize, j1: usize, n1: usize, n2: usize) -> bool {
    let m = n1 + n2;
    if n1 == 1 && n2 == 1 {
        let j2 = j1 + 1;
        let (t11, t22) = (t[j1 + j1 * w], t[j2 + j2 * w]);
        let f = t[j1 + j2 * w];
        let g = t22 - t11;
        let r = libm::hypot(f, g);
        if r == 0.0 {
            return true;
        }
        let (cs, sn) = (f / r, g / r);
        for c in j2 + 1..w {
            let (x, y) = (t[j1 + c * w], t[j2 + c * w]);
            t[j1 + c * w] = cs * x + sn * y;
            t[j2 + c * w] = cs * y - sn * x;
        }
        for i in 0..j1 {
            let (x, y) = (t[i + j1 * w], t[i + j2 * w]);
            t[i + j1 * w] = cs * x + sn * y;
            t[i + j2 * w] = cs * y - sn * x;
        }
        t[j1 + j1 * w] = t22;
        t[j2 + j2 * w] = t11;
        for i in 0..w {
            let (x, y) = (z[i + j1 * w], z[i + j2 * w]);
            z[i + j1 * w] = cs * x + sn * y;
            z[i + j2 * w] = cs * y - sn * x;
        }
        return true;
    }
    // D = the m × m diagonal part; solve T11 X − X T22 = T12 (n1 × n2).
    let d = |i: usize, j: usize| t[j1 + i + (j1 + j) * w];
    let dnorm = (0..m)
        .flat_map(|j| (0..m).map(move |i| (i, j)))
        .map(|(i, j)| d(i, j).abs())
        .fold(0.0, f64::max);
    let k = n1 * n2;
    // Unknown X[a, b] at index a + b·n1; equation (a, b).
    let mut sys = [[0.0f64; 5]; 4];
    for b in 0..n2 {
        for a in 0..n1 {
            let row = a + b * n1;
            for bb in 0..n2 {
                for aa in 0..n1 {
                    let col = aa + bb * n1;
                    let mut v = 0.0;
                    if bb == b {
                        v += d(a, aa);
                    }
                    if aa == a {
                        v -= d(n1 + bb, n1 + b);
                    }
                    sys[row][col] = v;
                }
            }
            sys[row][4] = d(a, n1 + b);
        }
    }
    let smin = (ULP * dnorm).max(f64::MIN_POSITIVE);
    let mut x = [0.0f64; 4];
    for c in 0..k {
        let mut piv = c;
        for r in c + 1..k {
            if sys[r][c].abs() > sys[piv][c].abs() {
                piv = r;
            }
        }
        sys.swap(c, piv);
        if sys[c][c].abs() < smin {
            sys[c][c] = smin;
        }
        let pivot_row = sys[c];
        for row in sys.iter_mut().take(k).skip(c + 1) {
            let f = row[c] / pivot_row[c];
            for (x, p) in row.iter_mut().zip(&pivot_row).skip(c) {
                *x -= f * p;
            }
        }
    }
    for c in (0..k).rev() {
        let mut v = sys[c][4];
        for cc in c + 1..k {
            v -= sys[c][cc] * x[cc];
        }
        x[c] = v / sys[c][c];
    }
    if x.iter().any(|v| !v.is_finite()) {
        return false;
    }
    // Q from the QR factorisation of [−X; I] (m × n2): n2 reflectors.
    let mut basis = vec![0.0; m * n2];
    for b in 0..n2 {
        for a in 0..n1 {
            basis[a + b * m] = -x[a + b * n1];
        }
        basis[n1 + b + b * m] = 1.0;
    }
    let mut refl: Vec<(Vec<f64>, f64, usize)> = Vec::new();
    for b in 0..n2 {
        let mut v = basis[b + b * m..(b + 1) * m].to_vec();
        let (tau, beta) = super::hessenberg::reflector(&mut v);
        v[0] = 1.0;
        basis[b + b * m] = beta;
        if tau != 0.0 {
            apply_left(&mut basis, m, &v, tau, b, b + 1, n2);
        }
        refl.push((v, tau, b));
    }
    // Try it on a copy of D first (dlaexc's stability test).
    let mut dd: Vec<f64> = (0..m * m).map(|idx| d(idx % m, idx / m)).collect();
    for (v, tau, b) in &refl {
        apply_left(&mut dd, m, v, *tau, *b, 0, m);
        apply_right(&mut dd, m, v, *tau, *b, m);
    }
    let mut low = 0.0f64;
    for j in 0..n2 {
        for i in n2..m {
            low = low.max(dd[i + j * m].abs());
        }
    }
    if low > (10.0 * ULP * dnorm).max(f64::MIN_POSITIVE) {
        return false;
    }
    for (v, tau, b) in &refl {
        apply_left(t, w, v, *tau, j1 + b, j1, w);
        apply_right(t, w, v, *tau, j1 + b, j1 + m);
        apply_right(z, w, v, *tau, j1 + b, w);
    }
    for j in j1..j1 + n2 {
        for i in j1 + n2..j1 + m {
            t[i + j * w] = 0.0;
        }
    }
    true
}
