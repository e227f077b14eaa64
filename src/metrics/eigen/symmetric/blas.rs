//! The level-1 and level-2 BLAS operations the tridiagonal reduction needs
//! (`ddot`, `daxpy`, `dgemv`, `dsymv` on the lower triangle), each with
//! one fixed summation order, written once in plain Rust, so that native
//! and WebAssembly builds compute the same bits.
//!
//! Long dot products are split into four interleaved partial sums (term i
//! goes to lane i mod 4, each lane summed in increasing i from +0.0) and
//! the lanes are combined as (l₀ + l₁) + (l₂ + l₃): four independent
//! chains that the compiler may keep in vector registers without changing
//! any rounding. Everything else accumulates in increasing index order.
//!
//! Matrices are column-major slices: entry (i, j) of a block at `base`
//! with leading dimension `ld` is `a[base + i + j·ld]`.

// Index loops mirror the formulas entry by entry.
#![allow(clippy::needless_range_loop)]

/// Σ x_i y_i in the four-lane order of the module doc.
pub fn dot(x: &[f64], y: &[f64]) -> f64 {
    debug_assert_eq!(x.len(), y.len());
    let mut lanes = [0.0f64; 4];
    let xc = x.chunks_exact(4);
    let yc = y.chunks_exact(4);
    let (xr, yr) = (xc.remainder(), yc.remainder());
    for (a, b) in xc.zip(yc) {
        for k in 0..4 {
            lanes[k] += a[k] * b[k];
        }
    }
    for (k, (a, b)) in xr.iter().zip(yr).enumerate() {
        lanes[k] += a * b;
    }
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
}

/// y ← y + α·x.
pub fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    debug_assert_eq!(x.len(), y.len());
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

/// y ← y − A·x for the m × k block A at `base` (leading dimension `ld`),
/// k = x.len(), m = y.len(): each y_i subtracts its terms a_ij·x_j in
/// increasing j (four columns per pass over y, the same operations as one
/// at a time).
pub fn gemv_sub(a: &[f64], base: usize, ld: usize, x: &[f64], y: &mut [f64]) {
    let (m, k) = (y.len(), x.len());
    let mut j = 0;
    while j + 4 <= k {
        let c0 = &a[base + j * ld..base + j * ld + m];
        let c1 = &a[base + (j + 1) * ld..base + (j + 1) * ld + m];
        let c2 = &a[base + (j + 2) * ld..base + (j + 2) * ld + m];
        let c3 = &a[base + (j + 3) * ld..base + (j + 3) * ld + m];
        let (x0, x1, x2, x3) = (x[j], x[j + 1], x[j + 2], x[j + 3]);
        for i in 0..m {
            y[i] = (((y[i] - c0[i] * x0) - c1[i] * x1) - c2[i] * x2) - c3[i] * x3;
        }
        j += 4;
    }
    for j in j..k {
        let c = &a[base + j * ld..base + j * ld + m];
        let xj = x[j];
        for i in 0..m {
            y[i] -= c[i] * xj;
        }
    }
}

/// Aᵀ·x for the m × k block A at `base` (leading dimension `ld`),
/// m = x.len(): entry j is [`dot`] of column j with x.
pub fn gemv_t(a: &[f64], base: usize, ld: usize, k: usize, x: &[f64]) -> Vec<f64> {
    let m = x.len();
    (0..k)
        .map(|j| dot(&a[base + j * ld..base + j * ld + m], x))
        .collect()
}

/// y = A·x for the symmetric m × m matrix A whose lower triangle is the
/// block at `base` (leading dimension `ld`), m = x.len() = y.len(); the
/// strict upper triangle is never read (`dsymv` with UPLO = 'L').
///
/// One pass over the lower triangle, a column j at a time: its entries
/// below the diagonal are added into y_{j+1..} (a_ij·x_j, so each y_i
/// gathers its column terms in increasing j) and dotted with x_{j+1..}
/// (four-lane order, offset from row j + 1); then
/// y_j ← (y_j + a_jj·x_j) + that dot. Two columns share a pass over y.
pub fn symv_lower(a: &[f64], base: usize, ld: usize, x: &[f64], y: &mut [f64]) {
    let m = x.len();
    debug_assert_eq!(y.len(), m);
    y.fill(0.0);
    let mut j = 0;
    while j + 2 <= m {
        // Columns j and j + 1, rows j + 2 .. m fused; rows j, j + 1 apart.
        let c0 = &a[base + j * ld + j..base + j * ld + m];
        let c1 = &a[base + (j + 1) * ld + j + 1..base + (j + 1) * ld + m];
        let (x0, x1) = (x[j], x[j + 1]);
        // Column j: diagonal, then row j + 1, then rows j + 2 ...
        y[j] += x0 * c0[0];
        y[j + 1] += x0 * c0[1];
        let mut l0 = [0.0f64; 4];
        l0[0] += c0[1] * x[j + 1];
        // Column j + 1: diagonal.
        y[j + 1] += x1 * c1[0];
        let mut l1 = [0.0f64; 4];
        let rows = &mut y[j + 2..];
        let xs = &x[j + 2..];
        let (a0, a1) = (&c0[2..], &c1[1..]);
        let len = rows.len();
        let full = len / 4 * 4;
        let mut i = 0;
        while i < full {
            for k in 0..4 {
                let (p, q) = (a0[i + k], a1[i + k]);
                rows[i + k] = (rows[i + k] + x0 * p) + x1 * q;
                // Lane of column j's dot: (row − (j + 1)) mod 4 = (i + k + 1) mod 4.
                l0[(k + 1) & 3] += p * xs[i + k];
                l1[k] += q * xs[i + k];
            }
            i += 4;
        }
        for k in 0..len - full {
            let (p, q) = (a0[i + k], a1[i + k]);
            rows[i + k] = (rows[i + k] + x0 * p) + x1 * q;
            l0[(k + 1) & 3] += p * xs[i + k];
            l1[k] += q * xs[i + k];
        }
        y[j] += (l0[0] + l0[1]) + (l0[2] + l0[3]);
        y[j + 1] += (l1[0] + l1[1]) + (l1[2] + l1[3]);
        j += 2;
    }
    if j < m {
        // The last column alone (m odd): only its diagonal.
        y[j] += x[j] * a[base + j * ld + j];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn symv_matches_the_plain_product_and_ignores_the_upper_triangle() {
        let mut rng = Rng::new(3);
        for m in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 17, 64, 101] {
            let ld = m + 3;
            let base = 2;
            let mut a = vec![f64::NAN; base + ld * m.max(1) + 8];
            let mut full = vec![0.0; m * m];
            for j in 0..m {
                for i in j..m {
                    let v = rng.normal();
                    a[base + i + j * ld] = v;
                    full[i + j * m] = v;
                    full[j + i * m] = v;
                }
            }
            let x: Vec<f64> = (0..m).map(|_| rng.normal()).collect();
            let mut y = vec![0.0; m];
            symv_lower(&a, base, ld, &x, &mut y);
            for i in 0..m {
                let want: f64 = (0..m).map(|j| full[i + j * m] * x[j]).sum();
                assert!(
                    (y[i] - want).abs() < 1e-12 * (1.0 + want.abs()),
                    "m={m} i={i}"
                );
            }
        }
    }

    #[test]
    fn gemv_and_dot() {
        let mut rng = Rng::new(4);
        let (m, k, ld) = (13, 6, 15);
        let a: Vec<f64> = (0..ld * k).map(|_| rng.normal()).collect();
        let x: Vec<f64> = (0..k).map(|_| rng.normal()).collect();
        let y0: Vec<f64> = (0..m).map(|_| rng.normal()).collect();
        let mut y = y0.clone();
        gemv_sub(&a, 1, ld, &x, &mut y);
        for i in 0..m {
            let mut want = y0[i];
            for j in 0..k {
                want -= a[1 + i + j * ld] * x[j];
            }
            // Same operations in the same order: equal bits.
            assert_eq!(y[i], want);
        }
        let t = gemv_t(&a, 1, ld, k, &y0);
        for j in 0..k {
            let want: f64 = (0..m).map(|i| a[1 + i + j * ld] * y0[i]).sum();
            assert!((t[j] - want).abs() < 1e-12);
        }
        assert_eq!(dot(&[1.0, 2.0, 3.0, 4.0, 5.0], &[1.0; 5]), 15.0);
    }
}
