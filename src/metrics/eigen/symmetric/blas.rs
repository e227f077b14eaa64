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
/// One pass over the lower triangle, four columns j … j+3 at a time:
///
/// 1. rows r ≥ j + 4: y_r ← (((y_r + x_j a_rj) + x_{j+1} a_r,j+1) + …),
///    and each column's dot product with x gathers a_rc·x_r in lane
///    (r − j − 4) mod 4 (the [`dot`] order);
/// 2. the 4 × 4 triangle at the top, column by column: y_c += x_c a_cc,
///    then for its rows r below c, y_r += x_c a_rc and t_c += a_rc x_r;
/// 3. y_c += t_c + ((l₀ + l₁) + (l₂ + l₃)).
///
/// The last m mod 4 columns go one at a time. Step 1, the bulk, runs in
/// the vector kernel matching the gemm micro-kernel of this thread
/// ([`crate::gemm::current_kernel`]): two lanes (SSE2, wasm `simd128`) or
/// four (AVX2, also for AVX-512), each vector lane holding one row or one
/// dot lane, so every kernel does exactly the portable arithmetic.
pub fn symv_lower(a: &[f64], base: usize, ld: usize, x: &[f64], y: &mut [f64]) {
    let m = x.len();
    assert_eq!(y.len(), m, "symv_lower: x and y differ in length");
    y.fill(0.0);
    if m == 0 {
        return;
    }
    assert!(
        base + (m - 1) + (m - 1) * ld < a.len(),
        "symv_lower: the {m} × {m} block does not fit"
    );
    let kernel = row_kernel();
    let mut j = 0;
    while j + 4 <= m {
        let r0 = j + 4;
        let cols: [*const f64; 4] =
            std::array::from_fn(|c| a[base + (j + c) * ld..].as_ptr().wrapping_add(r0));
        let xs = [x[j], x[j + 1], x[j + 2], x[j + 3]];
        // SAFETY: rows r0..m of columns j..j+4 lie in `a` (asserted above:
        // the block's last entry does), x and y have m entries; the kernel
        // is one this CPU runs (`row_kernel`).
        let lanes = unsafe { kernel(m - r0, cols, xs, x.as_ptr().add(r0), y.as_mut_ptr().add(r0)) };
        let mut t = [0.0f64; 4];
        for c in 0..4 {
            let cj = j + c;
            y[cj] += x[cj] * a[base + cj + cj * ld];
            for r in cj + 1..j + 4 {
                let v = a[base + r + cj * ld];
                y[r] += x[cj] * v;
                t[c] += v * x[r];
            }
        }
        for c in 0..4 {
            let l = lanes[c];
            y[j + c] += t[c] + ((l[0] + l[1]) + (l[2] + l[3]));
        }
        j += 4;
    }
    for c in j..m {
        y[c] += x[c] * a[base + c + c * ld];
        let mut t = 0.0;
        for r in c + 1..m {
            let v = a[base + r + c * ld];
            y[r] += x[c] * v;
            t += v * x[r];
        }
        y[c] += t;
    }
}

/// Step 1 of [`symv_lower`] for four columns over `len` rows: with a_c the
/// column pointers, y_r ← (((y_r + x₀a₀ᵣ) + x₁a₁ᵣ) + x₂a₂ᵣ) + x₃a₃ᵣ and
/// lanes[c][r mod 4] += a_cr·x_r, in increasing r. Callers guarantee `len`
/// values behind every pointer and that the CPU runs the kernel.
type RowKernel = unsafe fn(usize, [*const f64; 4], [f64; 4], *const f64, *mut f64) -> [[f64; 4]; 4];

/// The row kernel for this thread's gemm kernel.
fn row_kernel() -> RowKernel {
    use crate::gemm::Kernel;
    match crate::gemm::current_kernel() {
        Kernel::Portable => rows_portable,
        #[cfg(target_arch = "wasm32")]
        Kernel::Simd2 => rows_simd128,
        #[cfg(target_arch = "x86_64")]
        Kernel::Simd2 => rows_sse2,
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx2 | Kernel::Avx512 => rows_avx2,
        #[allow(unreachable_patterns)]
        _ => rows_portable,
    }
}

/// Rows `from..len` of the row kernel, one at a time (the portable kernel,
/// and the vector kernels' tails).
///
/// # Safety
/// As [`RowKernel`].
#[inline(always)]
unsafe fn rows_scalar(
    from: usize,
    len: usize,
    a: [*const f64; 4],
    xs: [f64; 4],
    x: *const f64,
    y: *mut f64,
    lanes: &mut [[f64; 4]; 4],
) {
    for r in from..len {
        let xr = *x.add(r);
        let mut yr = *y.add(r);
        for c in 0..4 {
            let v = *a[c].add(r);
            yr += xs[c] * v;
            lanes[c][r & 3] += v * xr;
        }
        *y.add(r) = yr;
    }
}

unsafe fn rows_portable(
    len: usize,
    a: [*const f64; 4],
    xs: [f64; 4],
    x: *const f64,
    y: *mut f64,
) -> [[f64; 4]; 4] {
    let mut lanes = [[0.0f64; 4]; 4];
    // SAFETY: as the caller's.
    unsafe { rows_scalar(0, len, a, xs, x, y, &mut lanes) };
    lanes
}

/// The row kernel with x86_64's baseline SSE2: rows in pairs, lanes (0, 1)
/// and (2, 3) of each dot in two registers.
#[cfg(target_arch = "x86_64")]
unsafe fn rows_sse2(
    len: usize,
    a: [*const f64; 4],
    xs: [f64; 4],
    x: *const f64,
    y: *mut f64,
) -> [[f64; 4]; 4] {
    use core::arch::x86_64::*;
    let full = len / 4 * 4;
    let xv = [
        _mm_set1_pd(xs[0]),
        _mm_set1_pd(xs[1]),
        _mm_set1_pd(xs[2]),
        _mm_set1_pd(xs[3]),
    ];
    let mut acc = [[_mm_setzero_pd(); 2]; 4];
    let mut r = 0;
    while r < full {
        for h in 0..2 {
            let at = r + 2 * h;
            let xr = _mm_loadu_pd(x.add(at));
            let mut yr = _mm_loadu_pd(y.add(at));
            for c in 0..4 {
                let v = _mm_loadu_pd(a[c].add(at));
                yr = _mm_add_pd(yr, _mm_mul_pd(xv[c], v));
                acc[c][h] = _mm_add_pd(acc[c][h], _mm_mul_pd(v, xr));
            }
            _mm_storeu_pd(y.add(at), yr);
        }
        r += 4;
    }
    let mut lanes = [[0.0f64; 4]; 4];
    for c in 0..4 {
        _mm_storeu_pd(lanes[c].as_mut_ptr(), acc[c][0]);
        _mm_storeu_pd(lanes[c].as_mut_ptr().add(2), acc[c][1]);
    }
    rows_scalar(full, len, a, xs, x, y, &mut lanes);
    lanes
}

/// The row kernel with AVX2 (four lanes, a rounded multiply then a rounded
/// add, no FMA).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn rows_avx2(
    len: usize,
    a: [*const f64; 4],
    xs: [f64; 4],
    x: *const f64,
    y: *mut f64,
) -> [[f64; 4]; 4] {
    use core::arch::x86_64::*;
    let full = len / 4 * 4;
    let xv = [
        _mm256_set1_pd(xs[0]),
        _mm256_set1_pd(xs[1]),
        _mm256_set1_pd(xs[2]),
        _mm256_set1_pd(xs[3]),
    ];
    let mut acc = [_mm256_setzero_pd(); 4];
    let mut r = 0;
    while r < full {
        let xr = _mm256_loadu_pd(x.add(r));
        let mut yr = _mm256_loadu_pd(y.add(r));
        for c in 0..4 {
            let v = _mm256_loadu_pd(a[c].add(r));
            yr = _mm256_add_pd(yr, _mm256_mul_pd(xv[c], v));
            acc[c] = _mm256_add_pd(acc[c], _mm256_mul_pd(v, xr));
        }
        _mm256_storeu_pd(y.add(r), yr);
        r += 4;
    }
    let mut lanes = [[0.0f64; 4]; 4];
    for c in 0..4 {
        _mm256_storeu_pd(lanes[c].as_mut_ptr(), acc[c]);
    }
    rows_scalar(full, len, a, xs, x, y, &mut lanes);
    lanes
}

/// The row kernel with wasm `simd128` (two lanes), as [`rows_sse2`].
#[cfg(target_arch = "wasm32")]
#[target_feature(enable = "simd128")]
unsafe fn rows_simd128(
    len: usize,
    a: [*const f64; 4],
    xs: [f64; 4],
    x: *const f64,
    y: *mut f64,
) -> [[f64; 4]; 4] {
    use core::arch::wasm32::*;
    let full = len / 4 * 4;
    let xv = [
        f64x2_splat(xs[0]),
        f64x2_splat(xs[1]),
        f64x2_splat(xs[2]),
        f64x2_splat(xs[3]),
    ];
    let mut acc = [[f64x2_splat(0.0); 2]; 4];
    let mut r = 0;
    while r < full {
        for h in 0..2 {
            let at = r + 2 * h;
            let xr = v128_load(x.add(at) as *const v128);
            let mut yr = v128_load(y.add(at) as *const v128);
            for c in 0..4 {
                let v = v128_load(a[c].add(at) as *const v128);
                yr = f64x2_add(yr, f64x2_mul(xv[c], v));
                acc[c][h] = f64x2_add(acc[c][h], f64x2_mul(v, xr));
            }
            v128_store(y.add(at) as *mut v128, yr);
        }
        r += 4;
    }
    let mut lanes = [[0.0f64; 4]; 4];
    for c in 0..4 {
        lanes[c] = [
            f64x2_extract_lane::<0>(acc[c][0]),
            f64x2_extract_lane::<1>(acc[c][0]),
            f64x2_extract_lane::<0>(acc[c][1]),
            f64x2_extract_lane::<1>(acc[c][1]),
        ];
    }
    rows_scalar(full, len, a, xs, x, y, &mut lanes);
    lanes
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

    /// Every vector kernel does the portable kernel's arithmetic: equal
    /// bits, for sizes around the 4-column groups and the 4-row chunks.
    #[test]
    fn symv_kernels_agree_bit_for_bit() {
        use crate::gemm::{with_kernel, Kernel};
        let mut rng = Rng::new(5);
        for m in [1, 3, 4, 5, 8, 9, 10, 11, 12, 13, 31, 64, 67, 130] {
            let ld = m + 1;
            let a: Vec<f64> = (0..ld * m).map(|_| rng.normal()).collect();
            let x: Vec<f64> = (0..m).map(|_| rng.normal()).collect();
            let run = |k| {
                with_kernel(k, || {
                    let mut y = vec![f64::NAN; m];
                    symv_lower(&a, 1, ld, &x[..m - 1], &mut y[..m - 1]);
                    let mut z = vec![0.0; m];
                    symv_lower(&a, 0, ld, &x, &mut z);
                    y.iter().chain(&z).map(|v| v.to_bits()).collect::<Vec<_>>()
                })
            };
            let want = run(Kernel::Portable);
            for k in Kernel::available() {
                assert_eq!(run(k), want, "{k:?} m={m}");
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
