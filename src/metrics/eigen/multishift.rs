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
        for pair in &pairs {
            francis_sweep(h, n, lo, hi, *pair);
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

/// One Francis double-shift sweep over the active block lo..=hi with the
/// shifts σ₁, σ₂ (`pair` = re₁, im₁, re₂, im₂): the bulge is started by the
/// first column of (H − σ₁)(H − σ₂) (scaled as LAPACK's `dlaqr1`) and chased
/// to the bottom by 3 × 3 reflectors (2 × 2 at the last row).
fn francis_sweep(h: &mut [f64], n: usize, lo: usize, hi: usize, pair: [f64; 4]) {
    let at = |i: usize, j: usize| i + j * n;
    let [sr1, si1, sr2, si2] = pair;
    let (h11, h21, h31) = (h[at(lo, lo)], h[at(lo + 1, lo)], h[at(lo + 2, lo)]);
    let (h12, h22, h32) = (
        h[at(lo, lo + 1)],
        h[at(lo + 1, lo + 1)],
        h[at(lo + 2, lo + 1)],
    );
    let (h13, h23, h33) = (
        h[at(lo, lo + 2)],
        h[at(lo + 1, lo + 2)],
        h[at(lo + 2, lo + 2)],
    );
    let s = (h11 - sr2).abs() + si2.abs() + h21.abs() + h31.abs();
    let mut v = [0.0f64; 3];
    if s != 0.0 {
        let h21s = h21 / s;
        let h31s = h31 / s;
        v[0] = (h11 - sr1) * ((h11 - sr2) / s) - si1 * (si2 / s) + h12 * h21s + h13 * h31s;
        v[1] = h21s * (h11 + h22 - sr1 - sr2) + h23 * h31s;
        v[2] = h31s * (h11 + h33 - sr1 - sr2) + h21s * h32;
    }
    for k in lo..hi {
        let nr = (hi + 1 - k).min(3);
        let mut x = [0.0f64; 3];
        if k == lo {
            x[..nr].copy_from_slice(&v[..nr]);
        } else {
            for (r, xr) in x.iter_mut().enumerate().take(nr) {
                *xr = h[at(k + r, k - 1)];
            }
        }
        let (tau, beta) = reflector(&mut x[..nr]);
        if tau == 0.0 {
            continue;
        }
        let (v1, v2) = (x[1], if nr == 3 { x[2] } else { 0.0 });
        if k > lo {
            h[at(k, k - 1)] = beta;
            h[at(k + 1, k - 1)] = 0.0;
            if nr == 3 {
                h[at(k + 2, k - 1)] = 0.0;
            }
        }
        let first = k;
        // Rows k..k+nr, columns first..=hi: H ← (I − τvvᵀ) H.
        if nr == 3 {
            for c in first..=hi {
                let col = &mut h[at(k, c)..at(k, c) + 3];
                let f = tau * (col[0] + v1 * col[1] + v2 * col[2]);
                col[0] -= f;
                col[1] -= f * v1;
                col[2] -= f * v2;
            }
        } else {
            for c in first..=hi {
                let col = &mut h[at(k, c)..at(k, c) + 2];
                let f = tau * (col[0] + v1 * col[1]);
                col[0] -= f;
                col[1] -= f * v1;
            }
        }
        // Columns k..k+nr, rows lo..=min(k+3, hi): H ← H (I − τvvᵀ).
        let last = (k + 3).min(hi);
        let (c0, rest) = h[at(0, k)..].split_at_mut(n);
        let (c1, c2) = rest.split_at_mut(n);
        if nr == 3 {
            for i in lo..=last {
                let f = tau * (c0[i] + v1 * c1[i] + v2 * c2[i]);
                c0[i] -= f;
                c1[i] -= f * v1;
                c2[i] -= f * v2;
            }
        } else {
            for i in lo..=last {
                let f = tau * (c0[i] + v1 * c1[i]);
                c0[i] -= f;
                c1[i] -= f * v1;
            }
        }
    }
}
