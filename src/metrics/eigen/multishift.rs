//! The eigenvalues of an upper Hessenberg matrix by the multishift QR
//! algorithm with aggressive early deflation (Braman, Byers & Mathias,
//! SIAM J. Matrix Anal. Appl. 23, 2002, parts I and II; the driver follows
//! LAPACK's `dlaqr0`).
//!
//! Each iteration works on the active unreduced block H[lo..=hi] at the
//! bottom of what is left:
//!
//! 1. Early deflation on a trailing window ([`super::deflation`]): the
//!    eigenvalues that have converged there leave, and the window's other
//!    eigenvalues become the shifts.
//! 2. Unless that deflated enough already (≥ 14% of the window), a QR sweep
//!    with those shifts, two at a time: each pair is one Francis
//!    double-shift bulge, introduced at the top by the first column of
//!    (H − σ₁)(H − σ₂) (LAPACK `dlaqr1`) and chased to the bottom.
//!
//! Blocks up to `NMIN` go to the double-shift iteration of [`super::qr`].
//! Every few iterations without deflation the shifts are exceptional ones
//! (LAPACK's). Only the active block is ever updated: the eigenvalues of a
//! block upper triangular matrix are those of its diagonal blocks.
//!
//! Column-major storage; deterministic (`+ − × ÷ sqrt`, fixed order).

// Index loops mirror the formulas (and LAPACK's loops) entry by entry.
#![allow(clippy::needless_range_loop)]

use super::deflation::early_deflation;
use super::hessenberg::reflector;
use super::qr::double_shift;

/// Blocks of this order or less go to the double-shift iteration.
const NMIN: usize = 75;
/// Skip the sweep when early deflation removed more than this percentage
/// of the window.
const NIBBLE: usize = 14;
/// Exceptional shifts after this many iterations without a deflation.
const EXCEPTIONAL: usize = 6;

/// Number of shifts per sweep for an active block of order m (LAPACK
/// `iparmq`), even.
fn shift_count(m: usize) -> usize {
    let ns = if m < 30 {
        2
    } else if m < 60 {
        4
    } else if m < 150 {
        10
    } else if m < 590 {
        let log2 = (usize::BITS - m.leading_zeros()) as usize - 1;
        (m / log2).max(10)
    } else if m < 3000 {
        64
    } else {
        128
    };
    (ns - ns % 2).max(2)
}

/// Eigenvalues (re, im) of the column-major upper Hessenberg n × n matrix
/// `h` (destroyed), in the order they deflate. None if the input is not
/// finite or the iteration does not converge.
pub fn hessenberg_eigenvalues(h: &mut [f64], n: usize) -> Option<Vec<(f64, f64)>> {
    if h.len() != n * n || h.iter().any(|v| !v.is_finite()) {
        return None;
    }
    if n <= NMIN {
        return double_shift(h, n);
    }
    let mut out = Vec::with_capacity(n);
    let mut hi = n - 1;
    let mut iterations = 0;
    let mut since_deflation = 0;
    let max_iterations = 30 * n.max(10);
    loop {
        let lo = find_split(h, n, hi);
        let m = hi + 1 - lo;
        if m <= NMIN {
            let mut block = vec![0.0; m * m];
            for j in 0..m {
                block[j * m..(j + 1) * m]
                    .copy_from_slice(&h[lo + (lo + j) * n..lo + m + (lo + j) * n]);
            }
            out.extend(double_shift(&mut block, m)?);
            if lo == 0 {
                break;
            }
            hi = lo - 1;
            since_deflation = 0;
            continue;
        }
        iterations += 1;
        if iterations > max_iterations {
            return None;
        }
        let ns = shift_count(m);
        let nw = if m <= 500 { ns } else { 3 * ns / 2 }
            .min((m - 1) / 3)
            .max(2);
        let kw = hi + 1 - nw;
        let mut shifts = Vec::new();
        if let Some(d) = early_deflation(h, n, lo, hi, kw) {
            let nd = d.eigenvalues.len();
            out.extend(d.eigenvalues);
            shifts = d.shifts;
            if nd > 0 {
                hi -= nd;
                since_deflation = 0;
                if 100 * nd > nw * NIBBLE || hi + 1 - lo <= NMIN {
                    continue;
                }
            } else {
                since_deflation += 1;
            }
        } else {
            since_deflation += 1;
        }
        let m = hi + 1 - lo;
        let ns = ns.min(m - 1);
        let ns = ns - ns % 2;
        if since_deflation > 0 && since_deflation % EXCEPTIONAL == 0 {
            shifts = exceptional_shifts(h, n, lo, hi, ns);
        } else if shifts.len() < ns / 2 {
            // Too few shifts from the window: the trailing ns × ns block's
            // eigenvalues.
            let k = hi + 1 - ns;
            let mut block = vec![0.0; ns * ns];
            for j in 0..ns {
                block[j * ns..(j + 1) * ns]
                    .copy_from_slice(&h[k + (k + j) * n..k + ns + (k + j) * n]);
            }
            shifts = match double_shift(&mut block, ns) {
                Some(s) => s,
                None => exceptional_shifts(h, n, lo, hi, ns),
            };
        }
        let pairs = shift_pairs(&shifts, ns);
        if !pairs.is_empty() {
            chase(h, n, lo, hi, &pairs);
        }
    }
    Some(out)
}

/// The top `lo` of the unreduced block ending at `hi`: the largest l ≤ hi
/// with a negligible subdiagonal entry H[l, l−1] (then set to zero), or 0.
fn find_split(h: &mut [f64], n: usize, hi: usize) -> usize {
    let mut l = hi;
    while l > 0 {
        let sub = h[l + (l - 1) * n].abs();
        let s = h[l - 1 + (l - 1) * n].abs() + h[l + l * n].abs();
        if sub + s == s || sub <= f64::MIN_POSITIVE {
            h[l + (l - 1) * n] = 0.0;
            return l;
        }
        l -= 1;
    }
    0
}

/// LAPACK `dlaqr0`'s exceptional shifts: complex pairs built from the
/// bottom subdiagonal entries.
fn exceptional_shifts(h: &[f64], n: usize, lo: usize, hi: usize, ns: usize) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let mut i = hi;
    while out.len() < ns && i >= lo + 2 {
        let ss = h[i + (i - 1) * n].abs() + h[i - 1 + (i - 2) * n].abs();
        let re = 0.75 * ss + h[i + i * n];
        let im = libm::sqrt(0.4375) * ss;
        out.push((re, im));
        out.push((re, -im));
        i -= 2;
    }
    out
}

/// At most `ns` shifts as pairs (σ₁, σ₂) = (re₁, im₁, re₂, im₂), each
/// closed under conjugation: complex pairs as they are, real shifts two by
/// two (an odd one out is dropped). The last shifts of the list first.
fn shift_pairs(shifts: &[(f64, f64)], ns: usize) -> Vec<[f64; 4]> {
    let mut complex = Vec::new();
    let mut real = Vec::new();
    let mut i = 0;
    while i < shifts.len() {
        let (re, im) = shifts[i];
        if im != 0.0 && i + 1 < shifts.len() {
            complex.push([re, im.abs(), re, -im.abs()]);
            i += 2;
        } else {
            real.push(re);
            i += 1;
        }
    }
    let mut pairs = complex;
    for r in real.chunks_exact(2) {
        pairs.push([r[0], 0.0, r[1], 0.0]);
    }
    let keep = (ns / 2).max(1);
    if pairs.len() > keep {
        pairs.drain(..pairs.len() - keep);
    }
    pairs
}

/// One double-shift reflector I − τvvᵀ, v = (1, v₁, v₂), on rows/columns
/// k..k+nr of the active block.
#[derive(Clone, Copy)]
struct Reflector {
    k: usize,
    nr: usize,
    tau: f64,
    v1: f64,
    v2: f64,
}

/// The first column of (H − σ₁)(H − σ₂) at the top of the block, scaled
/// (LAPACK `dlaqr1`); `pair` = re₁, im₁, re₂, im₂.
fn first_column(h: &[f64], n: usize, lo: usize, pair: [f64; 4]) -> [f64; 3] {
    let at = |i: usize, j: usize| h[i + j * n];
    let [sr1, si1, sr2, si2] = pair;
    let (h11, h21, h31) = (at(lo, lo), at(lo + 1, lo), at(lo + 2, lo));
    let (h12, h22, h32) = (at(lo, lo + 1), at(lo + 1, lo + 1), at(lo + 2, lo + 1));
    let (h13, h23, h33) = (at(lo, lo + 2), at(lo + 1, lo + 2), at(lo + 2, lo + 2));
    let s = (h11 - sr2).abs() + si2.abs() + h21.abs() + h31.abs();
    if s == 0.0 {
        return [0.0; 3];
    }
    let h21s = h21 / s;
    let h31s = h31 / s;
    [
        (h11 - sr1) * ((h11 - sr2) / s) - si1 * (si2 / s) + h12 * h21s + h13 * h31s,
        h21s * (h11 + h22 - sr1 - sr2) + h23 * h31s,
        h31s * (h11 + h33 - sr1 - sr2) + h21s * h32,
    ]
}

/// One multishift QR sweep over the active block lo..=hi: a chain of
/// double-shift bulges, one per shift pair, 3 rows apart, introduced at
/// the top and chased to the bottom (Braman, Byers & Mathias 2002, part I;
/// LAPACK `dlaqr5`). Bulge b makes its step t = τ − 3b at time τ (the
/// reflector on rows lo+t …), the leading bulge first.
///
/// The chase runs in phases of a few steps. In a phase, every reflector
/// touches only rows and columns b0..b1 near the diagonal, plus rows b0..b1
/// of the columns to the right (row operations only) and columns b0..b1 of
/// the rows above (column operations only). The reflectors are applied at
/// once inside the small diagonal block and recorded; the recorded sequence
/// then goes over the columns to the right one slice at a time (the slice
/// stays in cache) and over the rows above one chunk at a time. Each entry
/// gets exactly the operations, in the same order, as if each reflector
/// were applied to the whole block at once.
fn chase(h: &mut [f64], n: usize, lo: usize, hi: usize, pairs: &[[f64; 4]]) {
    let nb = pairs.len();
    let m = hi + 1 - lo;
    let tlast = m - 2; // the last step: a 2 × 2 reflector on rows hi−1, hi
    let tau_end = tlast + 3 * (nb - 1);
    let nstep = (3 * nb).max(12);
    let mut refl: Vec<Reflector> = Vec::new();
    let mut tau0 = 0;
    while tau0 <= tau_end {
        let tau1 = (tau0 + nstep).min(tau_end + 1);
        let kmin = lo + tau0.saturating_sub(3 * (nb - 1));
        let kmax = (lo + tau1 - 1).min(hi - 1);
        let b0 = if kmin > lo { kmin - 1 } else { lo };
        let b1 = (kmax + 3).min(hi) + 1;
        refl.clear();
        for tau in tau0..tau1 {
            for (b, pair) in pairs.iter().enumerate() {
                if tau < 3 * b {
                    break;
                }
                let t = tau - 3 * b;
                if t > tlast {
                    continue;
                }
                let k = lo + t;
                if let Some(r) = step(h, n, lo, hi, k, *pair, b0, b1) {
                    refl.push(r);
                }
            }
        }
        if refl.is_empty() {
            tau0 = tau1;
            continue;
        }
        apply_right_part(h, n, &refl, b0, b1, hi);
        apply_top_part(h, n, &refl, lo, b0);
        tau0 = tau1;
    }
}

/// One bulge step at row k inside the diagonal block b0..b1: make the
/// reflector (from the shifts at k = lo, else from column k − 1), apply it
/// to the block's columns k..b1 and rows b0..=min(k+3, hi), and return it
/// (None if it is the identity).
#[allow(clippy::too_many_arguments)]
fn step(
    h: &mut [f64],
    n: usize,
    lo: usize,
    hi: usize,
    k: usize,
    pair: [f64; 4],
    b0: usize,
    b1: usize,
) -> Option<Reflector> {
    let at = |i: usize, j: usize| i + j * n;
    let nr = (hi + 1 - k).min(3);
    let mut x = [0.0f64; 3];
    if k == lo {
        x = first_column(h, n, lo, pair);
    } else {
        for (r, xr) in x.iter_mut().enumerate().take(nr) {
            *xr = h[at(k + r, k - 1)];
        }
    }
    let (tau, beta) = reflector(&mut x[..nr]);
    if tau == 0.0 {
        return None;
    }
    let (v1, v2) = (x[1], if nr == 3 { x[2] } else { 0.0 });
    if k > lo {
        h[at(k, k - 1)] = beta;
        h[at(k + 1, k - 1)] = 0.0;
        if nr == 3 {
            h[at(k + 2, k - 1)] = 0.0;
        }
    }
    let r = Reflector { k, nr, tau, v1, v2 };
    for c in k..b1 {
        row_op(&mut h[at(0, c)..at(0, c) + n], &r, 0);
    }
    let last = (k + 3).min(hi);
    col_op(h, n, &r, b0, last + 1);
    Some(r)
}

/// The column slice `col` (its entry i is row i + offset) ← (I − τvvᵀ)·col.
#[inline(always)]
fn row_op(col: &mut [f64], r: &Reflector, offset: usize) {
    let i = r.k - offset;
    if r.nr == 3 {
        let f = r.tau * (col[i] + r.v1 * col[i + 1] + r.v2 * col[i + 2]);
        col[i] -= f;
        col[i + 1] -= f * r.v1;
        col[i + 2] -= f * r.v2;
    } else {
        let f = r.tau * (col[i] + r.v1 * col[i + 1]);
        col[i] -= f;
        col[i + 1] -= f * r.v1;
    }
}

/// Rows r0..r1 of columns k..k+nr ← (those)·(I − τvvᵀ).
fn col_op(h: &mut [f64], n: usize, r: &Reflector, r0: usize, r1: usize) {
    let (c0, rest) = h[r.k * n..].split_at_mut(n);
    let (c1, c2) = rest.split_at_mut(n);
    let (tau, v1, v2) = (r.tau, r.v1, r.v2);
    if r.nr == 3 {
        for ((a, b), c) in c0[r0..r1]
            .iter_mut()
            .zip(&mut c1[r0..r1])
            .zip(&mut c2[r0..r1])
        {
            let f = tau * (*a + v1 * *b + v2 * *c);
            *a -= f;
            *b -= f * v1;
            *c -= f * v2;
        }
    } else {
        for (a, b) in c0[r0..r1].iter_mut().zip(&mut c1[r0..r1]) {
            let f = tau * (*a + v1 * *b);
            *a -= f;
            *b -= f * v1;
        }
    }
}

/// The recorded row operations on rows b0..b1 of the columns b1..=hi,
/// four columns at a time (interleaved in a small buffer, so that each
/// lane runs the same arithmetic on its own column).
fn apply_right_part(h: &mut [f64], n: usize, refl: &[Reflector], b0: usize, b1: usize, hi: usize) {
    const L: usize = 4;
    let bs = b1 - b0;
    let mut buf = vec![[0.0f64; L]; bs];
    let mut c = b1;
    while c + L <= hi + 1 {
        for (lane, cc) in (c..c + L).enumerate() {
            for (i, row) in buf.iter_mut().enumerate() {
                row[lane] = h[b0 + i + cc * n];
            }
        }
        for r in refl {
            let i = r.k - b0;
            let (tau, v1, v2) = (r.tau, r.v1, r.v2);
            if r.nr == 3 {
                let (x0, x1, x2) = (buf[i], buf[i + 1], buf[i + 2]);
                let mut y0 = [0.0; L];
                let mut y1 = [0.0; L];
                let mut y2 = [0.0; L];
                for l in 0..L {
                    let f = tau * (x0[l] + v1 * x1[l] + v2 * x2[l]);
                    y0[l] = x0[l] - f;
                    y1[l] = x1[l] - f * v1;
                    y2[l] = x2[l] - f * v2;
                }
                buf[i] = y0;
                buf[i + 1] = y1;
                buf[i + 2] = y2;
            } else {
                let (x0, x1) = (buf[i], buf[i + 1]);
                let mut y0 = [0.0; L];
                let mut y1 = [0.0; L];
                for l in 0..L {
                    let f = tau * (x0[l] + v1 * x1[l]);
                    y0[l] = x0[l] - f;
                    y1[l] = x1[l] - f * v1;
                }
                buf[i] = y0;
                buf[i + 1] = y1;
            }
        }
        for (lane, cc) in (c..c + L).enumerate() {
            for (i, row) in buf.iter().enumerate() {
                h[b0 + i + cc * n] = row[lane];
            }
        }
        c += L;
    }
    for cc in c..=hi {
        let col = &mut h[cc * n + b0..cc * n + b1];
        for r in refl {
            row_op(col, r, b0);
        }
    }
}

/// The recorded column operations on rows lo..b0 of the columns b0..b1,
/// a chunk of rows at a time (so that the chunk stays in cache).
fn apply_top_part(h: &mut [f64], n: usize, refl: &[Reflector], lo: usize, b0: usize) {
    const CHUNK: usize = 64;
    let mut r0 = lo;
    while r0 < b0 {
        let r1 = (r0 + CHUNK).min(b0);
        for r in refl {
            col_op(h, n, r, r0, r1);
        }
        r0 = r1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn random_hessenberg(n: usize, seed: u64) -> Vec<f64> {
        let mut rng = Rng::new(seed);
        let mut h = vec![0.0; n * n];
        for j in 0..n {
            for i in 0..(j + 2).min(n) {
                h[i + j * n] = rng.normal();
            }
        }
        h
    }

    fn sorted_eigs(h: &[f64], n: usize) -> Vec<(f64, f64)> {
        let mut e = double_shift(&mut h.to_vec(), n).unwrap();
        e.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        e
    }

    fn assert_close(a: &[(f64, f64)], b: &[(f64, f64)], tol: f64) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!(
                (x.0 - y.0).abs() < tol && (x.1 - y.1).abs() < tol,
                "{x:?} vs {y:?}"
            );
        }
    }

    #[test]
    fn a_sweep_keeps_the_spectrum() {
        let n = 120;
        let h0 = random_hessenberg(n, 1);
        let want = sorted_eigs(&h0, n);
        for nb in [1, 3, 10] {
            let mut h = h0.clone();
            let pairs: Vec<[f64; 4]> = (0..nb)
                .map(|b| [0.3 * b as f64, 0.5, 0.3 * b as f64, -0.5])
                .collect();
            chase(&mut h, n, 0, n - 1, &pairs);
            let fro = |m: &[f64]| m.iter().map(|x| x * x).sum::<f64>();
            let rel = (fro(&h) - fro(&h0)).abs() / fro(&h0);
            assert!(rel < 1e-14, "nb = {nb}: Frobenius changed by {rel:e}");
            for j in 0..n {
                for i in j + 2..n {
                    assert!(h[i + j * n].abs() < 1e-12, "({i},{j}) = {}", h[i + j * n]);
                }
            }
            assert_close(&sorted_eigs(&h, n), &want, 1e-9);
        }
    }

    #[test]
    fn early_deflation_keeps_the_spectrum() {
        let n = 120;
        let h0 = random_hessenberg(n, 2);
        let want = sorted_eigs(&h0, n);
        let mut h = h0.clone();
        // Make the bottom converge a little first.
        for _ in 0..6 {
            let shifts = sorted_eigs(&h[..], n);
            let pairs = shift_pairs(&shifts[shifts.len() - 8..], 8);
            chase(&mut h, n, 0, n - 1, &pairs);
        }
        let d = early_deflation(&mut h, n, 0, n - 1, n - 30).unwrap();
        let nd = d.eigenvalues.len();
        let m = n - nd;
        let mut top = vec![0.0; m * m];
        for j in 0..m {
            top[j * m..(j + 1) * m].copy_from_slice(&h[j * n..j * n + m]);
        }
        let mut got = sorted_eigs(&top, m);
        got.extend(d.eigenvalues);
        got.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        assert_close(&got, &want, 1e-9);
    }
}

#[cfg(test)]
mod accuracy {
    use super::*;
    use crate::rng::Rng;

    #[test]
    /// A symmetric matrix has perfectly conditioned eigenvalues: the
    /// multishift solver must agree with the plain double-shift one to
    /// rounding (this caught stale bulge entries left below the
    /// subdiagonal of the window's Schur form).
    fn symmetric_is_accurate() {
        let n = 300;
        let mut rng = Rng::new(5);
        let mut a = vec![0.0; n * n];
        for j in 0..n {
            for i in 0..=j {
                let x = rng.normal();
                a[i + j * n] = x;
                a[j + i * n] = x;
            }
        }
        super::super::hessenberg(&mut a, n);
        let mut e1 = double_shift(&mut a.clone(), n).unwrap();
        let mut e2 = hessenberg_eigenvalues(&mut a.clone(), n).unwrap();
        e1.sort_by(|a, b| a.0.total_cmp(&b.0));
        e2.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut worst = 0.0f64;
        for (x, y) in e1.iter().zip(&e2) {
            worst = worst.max((x.0 - y.0).abs()).max(y.1.abs());
        }
        assert!(worst < 1e-11, "worst {worst:e}");
    }
}
