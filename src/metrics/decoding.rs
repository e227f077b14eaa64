//! Linear decoding: how much of a variable a linear readout of the
//! representation can predict on held-out samples.
//!
//! Cross-validated ridge regression, as in the decoding analyses of
//! Bernardi, Benna, Rigotti, Munuera, Fusi & Salzman 2020 (Cell) and
//! Flesch et al. 2022. Matches scikit-learn's
//! `r2_score(y, cross_val_predict(Ridge(alpha=ridge), X, y, cv=KFold(folds)))`
//! (no shuffling, unstandardised features).

use nalgebra::{Cholesky, DMatrix, DVector};

use crate::linalg::all_finite;

/// Cross-validated R² of a ridge decoder of `y` from `x` (n samples ×
/// d features).
///
/// - Model: ŷ = b + xᵀw, fitted per training set by minimising
///   Σ(y − b − xᵀw)² + ridge·‖w‖² (the intercept b is not penalised; it is
///   fitted by centring x and y on the training fold).
/// - The ridge system is solved by Cholesky on the smaller of the primal
///   (X_cᵀX_c + λI) w = X_cᵀy_c (d × d) and the dual
///   (X_cX_cᵀ + λI) α = y_c, w = X_cᵀα (n_train × n_train) forms.
/// - Folds: k contiguous blocks in sample order, the first n mod k blocks
///   one sample larger (scikit-learn's `KFold(k)` without shuffling);
///   k = `folds` clamped to [2, n].
/// - R² = 1 − SS_res/SS_tot over the held-out predictions of all folds
///   pooled, SS_tot = Σ(y − ȳ)² with ȳ the mean of all of y. It can be
///   negative (worse than predicting the mean).
///
/// `ridge` < 0 or NaN is treated as 0. When the system is numerically
/// singular (ridge ≈ 0 with collinear features, or more features than
/// training samples) a relative jitter from 1e-12 up to 1e-5 is added to the
/// diagonal, approaching the minimum-norm least-squares solution (as
/// scikit-learn falls back to `lstsq`); see `solve_spd`.
///
/// NaN (undefined) when `y.len()` ≠ n, n < 2, y is constant (SS_tot = 0),
/// any entry is non-finite, or the system stays singular.
pub fn cross_validated_r2(x: &DMatrix<f64>, y: &[f64], folds: usize, ridge: f64) -> f64 {
    let ys = DMatrix::from_column_slice(y.len(), 1, y);
    if y.len() != x.nrows() {
        return f64::NAN;
    }
    cross_validated_r2_many(x, &ys, folds, ridge)[0]
}

/// [`cross_validated_r2`] for every column of `ys` (n × targets) at once:
/// each fold's ridge system is factored once and solved for all targets, so
/// decoding several variables from one representation costs about as much
/// as decoding one. Column t of the result is exactly what
/// `cross_validated_r2(x, ys.column(t))` gives; it is NaN for a constant or
/// non-finite column.
pub fn cross_validated_r2_many(
    x: &DMatrix<f64>,
    ys: &DMatrix<f64>,
    folds: usize,
    ridge: f64,
) -> Vec<f64> {
    let (n, d) = x.shape();
    let targets = ys.ncols();
    let mut out = vec![f64::NAN; targets];
    if ys.nrows() != n || n < 2 || !all_finite(x) {
        return out;
    }
    // Decode only the columns where R² is defined.
    let valid: Vec<usize> = (0..targets)
        .filter(|&t| {
            let col = ys.column(t);
            col.iter().all(|v| v.is_finite()) && col.iter().any(|&v| v != col[0])
        })
        .collect();
    if valid.is_empty() {
        return out;
    }
    let y = DMatrix::from_fn(n, valid.len(), |i, t| ys[(i, valid[t])]);
    let lambda = if ridge > 0.0 { ridge } else { 0.0 };
    let k = folds.clamp(2, n);
    let mut predictions = DMatrix::zeros(n, valid.len());
    let mut start = 0;
    for f in 0..k {
        let size = n / k + usize::from(f < n % k);
        let test = start..start + size;
        start += size;
        let train: Vec<usize> = (0..n).filter(|i| !test.contains(i)).collect();
        let Some((intercepts, w, x_mean)) = fit_ridge(x, &y, &train, d, lambda) else {
            return out;
        };
        for i in test {
            for t in 0..valid.len() {
                let mut p = intercepts[t];
                for j in 0..d {
                    p += (x[(i, j)] - x_mean[j]) * w[(j, t)];
                }
                predictions[(i, t)] = p;
            }
        }
    }
    for (t, &col) in valid.iter().enumerate() {
        let yt = y.column(t);
        let y_mean = yt.iter().sum::<f64>() / n as f64;
        let ss_tot: f64 = yt.iter().map(|v| (v - y_mean) * (v - y_mean)).sum();
        // d·d rather than powi(2): no platform math call on any target.
        let ss_res: f64 = (0..n)
            .map(|i| {
                let d = yt[i] - predictions[(i, t)];
                d * d
            })
            .sum();
        out[col] = 1.0 - ss_res / ss_tot;
    }
    out
}

/// Fit ridge on the rows `train` for every column of `y`; returns
/// (ȳ_train per target, W (d × targets), x̄_train) so that the prediction is
/// ȳ_train + (x − x̄_train)ᵀW. `None` if the system stays singular.
fn fit_ridge(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    train: &[usize],
    d: usize,
    lambda: f64,
) -> Option<(DVector<f64>, DMatrix<f64>, DVector<f64>)> {
    let m = train.len();
    let targets = y.ncols();
    let x_mean = DVector::from_fn(d, |j, _| {
        train.iter().map(|&i| x[(i, j)]).sum::<f64>() / m as f64
    });
    let y_mean = DVector::from_fn(targets, |t, _| {
        train.iter().map(|&i| y[(i, t)]).sum::<f64>() / m as f64
    });
    let xc = DMatrix::from_fn(m, d, |r, j| x[(train[r], j)] - x_mean[j]);
    let yc = DMatrix::from_fn(m, targets, |r, t| y[(train[r], t)] - y_mean[t]);
    if d == 0 || xc.iter().all(|&v| v == 0.0) {
        return Some((y_mean, DMatrix::zeros(d, targets), x_mean));
    }
    let w = if d <= m {
        let a = crate::gemm::mul_tn(&xc, &xc);
        let b = crate::gemm::mul_tn(&xc, &yc);
        solve_spd(a, lambda, &b)?
    } else {
        let g = crate::gemm::mul_nt(&xc, &xc); // X_c X_cᵀ
        let alpha = solve_spd(g, lambda, &yc)?;
        crate::gemm::mul_tn(&xc, &alpha)
    };
    Some((y_mean, w, x_mean))
}

/// Solve (A + λI) z = b by Cholesky (A symmetric PSD).
///
/// nalgebra's Cholesky accepts any positive pivot, so an exactly singular
/// A (collinear features, or the always-singular centred dual Gram) can pass
/// with a rounding-sized pivot and a garbage solution. A pivot is therefore
/// required to keep at least 1e-13 of its diagonal entry (L_jj² > 1e-13·M_jj:
/// column j is not, to working precision, a combination of the earlier
/// ones). Otherwise a jitter δ·(A_jj + Tr A/size) is added to each diagonal
/// entry, δ = 1e-12, 1e-11, …, 1e-5, giving the near-minimum-norm solution.
fn solve_spd(a: DMatrix<f64>, lambda: f64, b: &DMatrix<f64>) -> Option<DMatrix<f64>> {
    let size = a.nrows();
    let scale = a.trace() / size as f64;
    for attempt in 0..=8 {
        let delta = if attempt == 0 {
            0.0
        } else {
            1e-12 * libm::pow(10.0, (attempt - 1) as f64)
        };
        let mut m = a.clone();
        for i in 0..size {
            m[(i, i)] += lambda + delta * (a[(i, i)] + scale);
        }
        let diag: Vec<f64> = (0..size).map(|i| m[(i, i)]).collect();
        let Some(ch) = Cholesky::new(m) else {
            continue;
        };
        let l = ch.l();
        if (0..size).any(|i| l[(i, i)] * l[(i, i)] <= 1e-13 * diag[i]) {
            continue;
        }
        let z = ch.solve(b);
        if z.iter().all(|v| v.is_finite()) {
            return Some(z);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_example_leave_one_out() {
        // y = 2x + 1 on x = 0..5; folds = n (leave-one-out), ridge 0: every
        // held-out point is predicted exactly.
        let x = DMatrix::from_fn(5, 1, |i, _| i as f64);
        let y: Vec<f64> = (0..5).map(|i| 2.0 * i as f64 + 1.0).collect();
        let r2 = cross_validated_r2(&x, &y, 5, 0.0);
        assert!((r2 - 1.0).abs() < 1e-12, "{r2}");
    }

    #[test]
    fn contiguous_folds_predict_the_training_mean_without_features() {
        // No usable feature (constant column): each fold predicts its
        // training mean. y = (0, 0, 1, 1), 2 folds → predictions (1,1,0,0):
        // SS_res = 4, SS_tot = 1 → R² = −3.
        let x = DMatrix::from_element(4, 1, 7.0);
        let r2 = cross_validated_r2(&x, &[0.0, 0.0, 1.0, 1.0], 2, 1.0);
        assert_eq!(r2, -3.0);
    }

    #[test]
    fn primal_and_dual_agree() {
        // fit_ridge takes the primal path here (d = 3 ≤ 6 samples); the dual
        // form solved by hand must give the same weights.
        let x = DMatrix::from_fn(6, 3, |i, j| ((i * 5 + j * 3) % 7) as f64 - 3.0);
        let y: Vec<f64> = (0..6).map(|i| (i as f64) * 0.7 - 1.0).collect();
        let train: Vec<usize> = (0..6).collect();
        let ys = DMatrix::from_column_slice(6, 1, &y);
        let (b, w, xm) = fit_ridge(&x, &ys, &train, 3, 0.5).unwrap();
        // Dual by hand.
        let xc = DMatrix::from_fn(6, 3, |i, j| x[(i, j)] - xm[j]);
        let yc = DVector::from_fn(6, |i, _| y[i] - b[0]);
        let g = &xc * xc.transpose() + DMatrix::identity(6, 6) * 0.5;
        let alpha = Cholesky::new(g).unwrap().solve(&yc);
        let w_dual = xc.transpose() * alpha;
        assert!((w.column(0) - w_dual).abs().max() < 1e-10);
    }

    #[test]
    fn many_targets_equal_one_at_a_time() {
        let x = DMatrix::from_fn(40, 5, |i, j| libm::sin((i * 7 + j * 3) as f64));
        let ys = DMatrix::from_fn(40, 3, |i, t| match t {
            0 => libm::cos(i as f64),
            1 => 2.0, // constant: undefined
            _ => x[(i, 0)] - 0.5 * x[(i, 4)],
        });
        let many = cross_validated_r2_many(&x, &ys, 5, 0.1);
        for (t, &m) in many.iter().enumerate() {
            let one: Vec<f64> = ys.column(t).iter().copied().collect();
            let single = cross_validated_r2(&x, &one, 5, 0.1);
            assert!(single.is_nan() == m.is_nan());
            if !single.is_nan() {
                assert!((single - m).abs() < 1e-12, "{t}: {single} vs {}", m);
            }
        }
        assert!(many[1].is_nan() && many[2] > 0.99);
    }

    #[test]
    fn ridge_zero_on_singular_systems_still_decodes() {
        // Duplicate feature (collinear primal system) and more features than
        // samples (singular centred dual Gram), both with ridge = 0.
        let x = DMatrix::from_fn(30, 3, |i, j| {
            let t = i as f64;
            match j {
                0 | 1 => libm::sin(t),
                _ => libm::cos(1.7 * t),
            }
        });
        let y: Vec<f64> = (0..30).map(|i| 2.0 * x[(i, 0)] - x[(i, 2)] + 0.5).collect();
        let r2 = cross_validated_r2(&x, &y, 5, 0.0);
        assert!(r2 > 1.0 - 1e-8, "{r2}");
        let wide = DMatrix::from_fn(12, 40, |i, j| x[(i, j % 3)] * (1.0 + j as f64 / 7.0));
        let r2w = cross_validated_r2(&wide, &y[..12], 3, 0.0);
        assert!(r2w > 1.0 - 1e-6, "{r2w}");
    }

    #[test]
    fn degenerate_inputs() {
        let x = DMatrix::from_fn(4, 2, |i, j| (i + j) as f64);
        assert!(cross_validated_r2(&x, &[1.0; 4], 2, 1.0).is_nan());
        assert!(cross_validated_r2(&x, &[1.0, 2.0], 2, 1.0).is_nan());
        assert!(cross_validated_r2(&DMatrix::zeros(1, 2), &[1.0], 2, 1.0).is_nan());
        assert!(cross_validated_r2(&x, &[1.0, f64::NAN, 0.0, 2.0], 2, 1.0).is_nan());
        // folds 0 and folds > n are clamped; ridge −1 acts as 0.
        assert!(cross_validated_r2(&x, &[1.0, 2.0, 3.0, 4.0], 0, -1.0).is_finite());
        assert!(cross_validated_r2(&x, &[1.0, 2.0, 3.0, 4.0], 99, f64::NAN).is_finite());
    }
}
