//! Small linear-algebra helpers shared by models and metrics.
//!
//! Matrices are `DMatrix<f64>` with samples × features (numpy's layout).
//! Every helper is deterministic (fixed summation order, no runtime-detected
//! kernels), so wasm and native agree bit for bit. None of them panics on
//! empty or degenerate input; the decompositions return `None` instead of
//! looping forever on non-finite entries.

use nalgebra::{DMatrix, DVector, SymmetricEigen, SVD};

/// Whether every entry is finite (no NaN, no ±∞).
pub fn all_finite(x: &DMatrix<f64>) -> bool {
    x.iter().all(|v| v.is_finite())
}

/// The mean of each column (a length-`d` vector); zeros when there are no rows.
pub fn column_means(x: &DMatrix<f64>) -> DVector<f64> {
    let n = x.nrows();
    DVector::from_iterator(
        x.ncols(),
        x.column_iter().map(|c| {
            if n == 0 {
                0.0
            } else {
                c.iter().sum::<f64>() / n as f64
            }
        }),
    )
}

/// Column centring, X − 1μᵀ with μ the column means (X·H from the left:
/// H X with H = I − 11ᵀ/n).
///
/// A column whose entries are all equal becomes exactly zero (the plain
/// subtraction can leave rounding residue, e.g. for a column of 0.1s), so
/// constant features contribute exactly nothing downstream.
pub fn center_columns(x: &DMatrix<f64>) -> DMatrix<f64> {
    let mut out = x.clone();
    center_columns_in_place(&mut out);
    out
}

/// [`center_columns`] in place; returns μ (a constant column's μ is its
/// value).
pub fn center_columns_in_place(x: &mut DMatrix<f64>) -> DVector<f64> {
    let mut means = DVector::zeros(x.ncols());
    for (j, mut col) in x.column_iter_mut().enumerate() {
        let first = match col.iter().next() {
            Some(&v) => v,
            None => continue,
        };
        if col.iter().all(|&v| v == first) {
            means[j] = first;
            col.fill(0.0);
            continue;
        }
        let mean = col.iter().sum::<f64>() / col.len() as f64;
        means[j] = mean;
        for v in col.iter_mut() {
            *v -= mean;
        }
    }
    means
}

/// Double centring of a square matrix: H K H with H = I − 11ᵀ/n, i.e.
/// K_ij − (row mean)_i − (column mean)_j + (grand mean). Non-square input is
/// returned unchanged (callers check shapes first).
pub fn double_center(k: &DMatrix<f64>) -> DMatrix<f64> {
    let n = k.nrows();
    if n == 0 || k.ncols() != n {
        return k.clone();
    }
    let nf = n as f64;
    let col_means: Vec<f64> = k
        .column_iter()
        .map(|c| c.iter().sum::<f64>() / nf)
        .collect();
    let row_means: Vec<f64> = k.row_iter().map(|r| r.iter().sum::<f64>() / nf).collect();
    let grand = col_means.iter().sum::<f64>() / nf;
    DMatrix::from_fn(n, n, |i, j| k[(i, j)] - row_means[i] - col_means[j] + grand)
}

/// Frobenius inner product ⟨A, B⟩_F = Σ_ij A_ij B_ij (= Tr(AᵀB)).
/// NaN when the shapes differ.
pub fn frobenius_inner(a: &DMatrix<f64>, b: &DMatrix<f64>) -> f64 {
    if a.shape() != b.shape() {
        return f64::NAN;
    }
    a.iter().zip(b.iter()).map(|(x, y)| x * y).sum()
}

/// Frobenius norm ‖A‖_F = sqrt(Σ_ij A_ij²).
pub fn frobenius_norm(a: &DMatrix<f64>) -> f64 {
    libm::sqrt(a.iter().map(|x| x * x).sum::<f64>())
}

/// The n × n Gram matrix X Xᵀ of the rows (samples) of X, by the blocked
/// GEMM ([`crate::gemm::gram_nt`]): exactly symmetric, the same bits in
/// wasm and natively.
pub fn gram(x: &DMatrix<f64>) -> DMatrix<f64> {
    crate::gemm::gram_nt(x)
}

/// The d × d matrix Xᵀ X of the columns (features) of X, by the blocked
/// GEMM ([`crate::gemm::gram_tn`]): only the tiles on and above the
/// diagonal are computed and mirrored, so the result is exactly symmetric
/// at half the cost of a general product.
pub fn cross_gram(x: &DMatrix<f64>) -> DMatrix<f64> {
    crate::gemm::gram_tn(x)
}

/// An iteration cap for the iterative decompositions: generous for any
/// finite input, finite so that pathological input returns `None`.
fn max_iterations(dim: usize) -> usize {
    1000 + 200 * dim
}

/// Eigen-decomposition of a symmetric matrix, eigenvalues sorted
/// descending with the eigenvectors (columns) in the same order. Only the
/// lower triangle is read. `None` for non-square, empty or non-finite input,
/// or if the QR iteration does not converge.
pub fn symmetric_eigen_desc(a: &DMatrix<f64>) -> Option<(Vec<f64>, DMatrix<f64>)> {
    let n = a.nrows();
    if n == 0 || a.ncols() != n || !all_finite(a) {
        return None;
    }
    let eig = SymmetricEigen::try_new(a.clone(), f64::EPSILON, max_iterations(n))?;
    let mut order: Vec<usize> = (0..n).collect();
    // Stable sort: ties keep nalgebra's (deterministic) order.
    crate::sort::sort_by(&mut order, &|&i, &j| {
        eig.eigenvalues[j].total_cmp(&eig.eigenvalues[i])
    });
    let values = order.iter().map(|&i| eig.eigenvalues[i]).collect();
    let vectors = DMatrix::from_fn(n, n, |r, c| eig.eigenvectors[(r, order[c])]);
    Some((values, vectors))
}

/// The eigenvalues of a symmetric matrix, sorted descending, without its
/// eigenvectors (cheaper: no accumulation of the rotations). Only the
/// lower triangle is read. `None` for non-square, empty or non-finite
/// input.
///
/// With [`symmetric_eigen_desc`], the one place where the metrics call a
/// symmetric eigensolver: swapping the solver is a change here.
pub fn symmetric_eigenvalues_desc(a: &DMatrix<f64>) -> Option<Vec<f64>> {
    let n = a.nrows();
    if n == 0 || a.ncols() != n || !all_finite(a) {
        return None;
    }
    // nalgebra's eigenvalues-only path (`do_decompose` without vectors)
    // has no iteration cap; it converges on any finite input.
    let mut values: Vec<f64> = a.symmetric_eigenvalues().iter().copied().collect();
    crate::sort::floats_descending(&mut values);
    Some(values)
}

/// Thin SVD A = U diag(s) Vᵀ with singular values sorted descending, by
/// one-sided Jacobi (Hestenes 1958; Demmel & Veselić 1992, "Jacobi's method
/// is more accurate than QR").
///
/// Written here rather than taken from nalgebra because nalgebra's SVD calls
/// `hypot` (and `atan2`, `sin_cos` for 2 × 2 blocks), which resolve to the
/// platform's math library natively and to a different one in wasm: the
/// neural-collapse preset's NC1 differed in the last bits between the page
/// and the CLI. This one uses only + − × ÷ and `sqrt`, in a fixed order, so
/// wasm and native agree bit for bit by construction.
///
/// The columns of A (or of Aᵀ when A is wide) are rotated pairwise, in
/// cyclic order (p, q), p < q, until every pair is orthogonal to
/// |a_pᵀa_q| ≤ rows·ε·‖a_p‖‖a_q‖; the rotations accumulate into V. Then
/// s_j = ‖a_j‖ and u_j = a_j/s_j. Columns of U for a zero singular value
/// are zero (not completed to an orthonormal basis): callers drop those
/// pairs anyway. Cost O(rows·k²) per sweep, k = min(m, n); a handful of
/// sweeps for well-separated spectra.
///
/// `None` for empty or non-finite input, or if 60 sweeps do not converge.
pub fn svd_sorted(a: &DMatrix<f64>) -> Option<SVD<f64, nalgebra::Dyn, nalgebra::Dyn>> {
    if a.is_empty() || !all_finite(a) {
        return None;
    }
    let (m, n) = a.shape();
    let tall = m >= n;
    // `w` has at least as many rows as columns; its columns are rotated.
    let mut w = if tall { a.clone() } else { a.transpose() };
    let (rows, k) = w.shape();
    let mut v = DMatrix::<f64>::identity(k, k);
    let tol = rows as f64 * f64::EPSILON;
    let mut converged = false;
    for _sweep in 0..60 {
        let mut rotated = false;
        for p in 0..k {
            for q in (p + 1)..k {
                let (mut alpha, mut beta, mut gamma) = (0.0, 0.0, 0.0);
                for i in 0..rows {
                    let (x, y) = (w[(i, p)], w[(i, q)]);
                    alpha += x * x;
                    beta += y * y;
                    gamma += x * y;
                }
                if gamma == 0.0 || gamma.abs() <= tol * libm::sqrt(alpha) * libm::sqrt(beta) {
                    continue;
                }
                rotated = true;
                // The rotation that zeroes the off-diagonal of the 2 × 2 Gram
                // [[α, γ], [γ, β]]: t = tan θ, the smaller root of
                // t² + 2ζt − 1 = 0.
                let zeta = (beta - alpha) / (2.0 * gamma);
                let t = if zeta.abs() > 1e150 {
                    0.5 / zeta
                } else {
                    let r = libm::sqrt(1.0 + zeta * zeta);
                    if zeta >= 0.0 {
                        1.0 / (zeta + r)
                    } else {
                        -1.0 / (-zeta + r)
                    }
                };
                let c = 1.0 / libm::sqrt(1.0 + t * t);
                let s = c * t;
                rotate_columns(&mut w, p, q, c, s);
                rotate_columns(&mut v, p, q, c, s);
            }
        }
        if !rotated {
            converged = true;
            break;
        }
    }
    if !converged {
        return None;
    }
    let norms: Vec<f64> = (0..k)
        .map(|j| libm::sqrt(w.column(j).iter().map(|x| x * x).sum::<f64>()))
        .collect();
    let mut order: Vec<usize> = (0..k).collect();
    // Stable: equal singular values keep their column order.
    crate::sort::sort_by(&mut order, &|&i, &j| norms[j].total_cmp(&norms[i]));
    let left = DMatrix::from_fn(rows, k, |r, c| {
        let j = order[c];
        if norms[j] == 0.0 {
            0.0
        } else {
            w[(r, j)] / norms[j]
        }
    });
    let right = DMatrix::from_fn(k, k, |r, c| v[(r, order[c])]);
    let singular_values = nalgebra::DVector::from_iterator(k, order.iter().map(|&j| norms[j]));
    // Tall: A = W Vᵀ = U S Vᵀ. Wide: Aᵀ = U' S V'ᵀ, so A = V' S U'ᵀ.
    let (u, v_t) = if tall {
        (left, right.transpose())
    } else {
        (right, left.transpose())
    };
    Some(SVD {
        u: Some(u),
        v_t: Some(v_t),
        singular_values,
    })
}

/// Columns p and q of `m` ← (c·m_p − s·m_q, s·m_p + c·m_q).
fn rotate_columns(m: &mut DMatrix<f64>, p: usize, q: usize, c: f64, s: f64) {
    for i in 0..m.nrows() {
        let (x, y) = (m[(i, p)], m[(i, q)]);
        m[(i, p)] = c * x - s * y;
        m[(i, q)] = s * x + c * y;
    }
}

/// The relative cut-off below which a singular value counts as zero:
/// max(rows, cols) · ε (numpy's `matrix_rank` / `pinv` convention), times
/// the largest singular value.
pub fn rank_tolerance(rows: usize, cols: usize, s_max: f64) -> f64 {
    (rows.max(cols) as f64) * f64::EPSILON * s_max
}

/// Pseudo-inverse from the top `k` singular pairs: A⁺ ≈ Σ_{i<k} v_i u_iᵀ / s_i.
///
/// Singular values at or below [`rank_tolerance`] are dropped even inside
/// the top k (so a rank-deficient A never divides by ~0). `A` is m × n and
/// the result n × m. `None` for non-finite input or a failed SVD; an empty
/// or zero matrix gives the zero matrix.
pub fn pinv_top_k(a: &DMatrix<f64>, k: usize) -> Option<DMatrix<f64>> {
    let (m, n) = a.shape();
    if a.is_empty() {
        return Some(DMatrix::zeros(n, m));
    }
    let svd = svd_sorted(a)?;
    let u = svd.u.as_ref()?;
    let vt = svd.v_t.as_ref()?;
    let s = &svd.singular_values;
    let s_max = s.iter().copied().fold(0.0, f64::max);
    let tol = rank_tolerance(m, n, s_max);
    let mut out = DMatrix::zeros(n, m);
    for i in 0..k.min(s.len()) {
        if s[i] <= tol || s[i] == 0.0 {
            break;
        }
        let vi = vt.row(i).transpose();
        let ui = u.column(i);
        out += (vi * ui.transpose()) / s[i];
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn center_columns_zero_means_and_exact_constants() {
        let x = DMatrix::from_row_slice(3, 2, &[0.1, 1.0, 0.1, 2.0, 0.1, 6.0]);
        let c = center_columns(&x);
        assert!(c.column(0).iter().all(|&v| v == 0.0));
        assert!((c.column(1).sum()).abs() < 1e-15);
        assert_eq!(c[(0, 1)], -2.0);
    }

    #[test]
    fn double_center_matches_hkh() {
        let k = DMatrix::from_fn(4, 4, |i, j| {
            ((i * 7 + j * 3) % 5) as f64 + u8::from(i == j) as f64
        });
        let h = DMatrix::identity(4, 4) - DMatrix::from_element(4, 4, 0.25);
        let want = &h * &k * &h;
        assert!((double_center(&k) - want).abs().max() < 1e-12);
    }

    #[test]
    fn gram_forms() {
        let x = DMatrix::from_fn(3, 5, |i, j| (i as f64) - 0.5 * j as f64);
        assert!((gram(&x) - &x * x.transpose()).abs().max() < 1e-12);
        assert!((cross_gram(&x) - x.transpose() * &x).abs().max() < 1e-12);
    }

    #[test]
    fn frobenius() {
        let a = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(frobenius_inner(&a, &a), 30.0);
        assert!((frobenius_norm(&a) - 30f64.sqrt()).abs() < 1e-15);
        assert!(frobenius_inner(&a, &DMatrix::zeros(2, 3)).is_nan());
    }

    #[test]
    fn eigen_sorted_descending() {
        let a = DMatrix::from_row_slice(3, 3, &[1.0, 0.0, 0.0, 0.0, 5.0, 0.0, 0.0, 0.0, 3.0]);
        let (vals, vecs) = symmetric_eigen_desc(&a).unwrap();
        assert_eq!(vals, vec![5.0, 3.0, 1.0]);
        assert!((vecs[(1, 0)].abs() - 1.0).abs() < 1e-15);
        assert!(symmetric_eigen_desc(&DMatrix::from_element(2, 2, f64::NAN)).is_none());
        assert!(symmetric_eigen_desc(&DMatrix::zeros(0, 0)).is_none());
    }

    #[test]
    fn jacobi_svd_matches_nalgebra_and_reconstructs() {
        let mut rng = crate::rng::Rng::new(3);
        for (m, n) in [(7, 4), (4, 7), (5, 5), (128, 4), (1, 3)] {
            let a = DMatrix::from_fn(m, n, |_, _| rng.normal());
            let svd = svd_sorted(&a).unwrap();
            let (u, vt, s) = (svd.u.unwrap(), svd.v_t.unwrap(), svd.singular_values);
            let k = m.min(n);
            assert_eq!((u.shape(), vt.shape(), s.len()), ((m, k), (k, n), k));
            let back = &u * DMatrix::from_diagonal(&s) * &vt;
            assert!((back - &a).abs().max() < 1e-12, "{m}×{n}");
            assert!((u.transpose() * &u - DMatrix::identity(k, k)).abs().max() < 1e-12);
            assert!((&vt * vt.transpose() - DMatrix::identity(k, k)).abs().max() < 1e-12);
            let mut want: Vec<f64> = a
                .clone()
                .svd(false, false)
                .singular_values
                .iter()
                .copied()
                .collect();
            want.sort_by(|x, y| y.total_cmp(x));
            for (got, want) in s.iter().zip(&want) {
                assert!((got - want).abs() < 1e-12 * want.max(1.0));
            }
        }
        // Rank-deficient: a zero singular value with a zero U column, no NaN.
        let r1 = DMatrix::from_row_slice(3, 2, &[1.0, 2.0, 2.0, 4.0, 3.0, 6.0]);
        let svd = svd_sorted(&r1).unwrap();
        assert!((svd.singular_values[0] - 70f64.sqrt()).abs() < 1e-13);
        assert!(svd.singular_values[1].abs() < 1e-13);
        assert!(svd.u.unwrap().iter().all(|v| v.is_finite()));
    }

    #[test]
    fn pinv_full_and_truncated() {
        let a = DMatrix::from_row_slice(3, 2, &[1.0, 2.0, 3.0, 4.0, 5.0, 7.0]);
        let p = pinv_top_k(&a, 2).unwrap();
        // A⁺A = I for full column rank.
        assert!((&p * &a - DMatrix::identity(2, 2)).abs().max() < 1e-12);
        // Rank-1 truncation of diag(3, 2): keeps only 1/3.
        let d = DMatrix::from_row_slice(2, 2, &[3.0, 0.0, 0.0, 2.0]);
        let p1 = pinv_top_k(&d, 1).unwrap();
        assert!((p1[(0, 0)] - 1.0 / 3.0).abs() < 1e-15 && p1[(1, 1)].abs() < 1e-15);
        // Zero and rank-deficient matrices never divide by ~0.
        assert_eq!(
            pinv_top_k(&DMatrix::zeros(2, 3), 2).unwrap(),
            DMatrix::zeros(3, 2)
        );
        let r1 = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 2.0, 4.0]);
        let pr = pinv_top_k(&r1, 2).unwrap();
        assert!(pr.iter().all(|v| v.is_finite() && v.abs() < 1.0));
    }
}
