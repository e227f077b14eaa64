//! Oracles for the representation metrics (SCIENCE.md §1): invariances and
//! closed-form values that a wrong formula, a wrong normalisation or an
//! inverted ratio would fail.

use nalgebra::DMatrix;
use neurogeom::metrics::collapse::neural_collapse;
use neurogeom::metrics::decoding::cross_validated_r2;
use neurogeom::metrics::dimensionality::{
    covariance_eigenvalues, participation_ratio, pca_project, pcs_for_variance,
};
use neurogeom::metrics::lazy_rich::{
    centered_kernel_alignment, exclusive_units, kernel_distance, kernel_relative_change,
    linear_cka, rdm, relative_change, UnitCounts,
};
use neurogeom::rng::Rng;

/// n × d standard normal, drawn row by row.
fn gaussian(rng: &mut Rng, n: usize, d: usize) -> DMatrix<f64> {
    let mut m = DMatrix::zeros(n, d);
    for i in 0..n {
        for j in 0..d {
            m[(i, j)] = rng.normal();
        }
    }
    m
}

/// A random d × d orthogonal matrix: Q from the QR of a Gaussian matrix.
fn random_orthogonal(rng: &mut Rng, d: usize) -> DMatrix<f64> {
    gaussian(rng, d, d).qr().q()
}

/// The textbook feature-space formula, written out independently:
/// ‖YᵀX‖_F² / (‖XᵀX‖_F ‖YᵀY‖_F) on column-centred X, Y.
fn cka_reference(x: &DMatrix<f64>, y: &DMatrix<f64>) -> f64 {
    let center = |m: &DMatrix<f64>| {
        let mut c = m.clone();
        for j in 0..m.ncols() {
            let mean = m.column(j).mean();
            for i in 0..m.nrows() {
                c[(i, j)] -= mean;
            }
        }
        c
    };
    let (xc, yc) = (center(x), center(y));
    let cross = (yc.transpose() * &xc).norm_squared();
    cross / ((xc.transpose() * &xc).norm() * (yc.transpose() * &yc).norm())
}

// ---------------------------------------------------------------- CKA

#[test]
fn cka_is_one_under_orthogonal_transform_scaling_and_identity() {
    let mut rng = Rng::new(1);
    for &(n, d) in &[(50, 8), (10, 40)] {
        let x = gaussian(&mut rng, n, d);
        let q = random_orthogonal(&mut rng, d);
        assert!((&q.transpose() * &q - DMatrix::identity(d, d)).abs().max() < 1e-12);
        let xq = &x * &q;
        assert!(
            (linear_cka(&x, &xq) - 1.0).abs() < 1e-12,
            "X vs XQ ({n}×{d})"
        );
        assert!((linear_cka(&x, &(&x * 3.7)) - 1.0).abs() < 1e-12, "X vs cX");
        assert!(
            (linear_cka(&x, &(&x * -0.01)) - 1.0).abs() < 1e-12,
            "X vs −cX"
        );
        assert!((linear_cka(&x, &x) - 1.0).abs() < 1e-12, "X vs X");
    }
}

#[test]
fn cka_matches_the_reference_formula_for_tall_and_wide_data() {
    // Tall data takes the feature form, wide data the n × n Gram form; both
    // must equal the textbook feature-space formula.
    let mut rng = Rng::new(2);
    for &(n, d1, d2) in &[(200, 6, 4), (12, 300, 150), (30, 2, 500)] {
        let x = gaussian(&mut rng, n, d1);
        let mix = gaussian(&mut rng, d1, d2);
        let y = (&x * mix).map(libm::tanh) + gaussian(&mut rng, n, d2) * 0.5;
        let got = linear_cka(&x, &y);
        let want = cka_reference(&x, &y);
        assert!((got - want).abs() < 1e-12, "{n}×{d1}/{d2}: {got} vs {want}");
    }
}

#[test]
fn cka_lies_in_unit_interval_and_is_invariant_to_column_offsets() {
    let mut rng = Rng::new(3);
    for trial in 0..20 {
        let n = 5 + rng.below(40);
        let (d1, d2) = (1 + rng.below(30), 1 + rng.below(30));
        let x = gaussian(&mut rng, n, d1);
        let y = gaussian(&mut rng, n, d2);
        let v = linear_cka(&x, &y);
        assert!((0.0..=1.0).contains(&v), "trial {trial}: {v}");
        // Adding a constant (a different one per column) changes nothing.
        let shifted = DMatrix::from_fn(y.nrows(), y.ncols(), |i, j| {
            y[(i, j)] + 10.0 * j as f64 - 3.0
        });
        assert!((linear_cka(&x, &shifted) - v).abs() < 1e-12);
    }
}

#[test]
fn cka_of_independent_representations_is_small() {
    // For independent Gaussian X (n×p), Y (n×q), CKA ≈ √(pq)/n: 0.005 here.
    let mut rng = Rng::new(4);
    let x = gaussian(&mut rng, 2000, 10);
    let y = gaussian(&mut rng, 2000, 10);
    let v = linear_cka(&x, &y);
    assert!(v < 0.02, "{v}");
    // Whereas a strongly related pair is far from 0.
    let related = &x + gaussian(&mut rng, 2000, 10) * 0.5;
    assert!(linear_cka(&x, &related) > 0.7);
}

// ---------------------------------------------------------------- Dimensionality

#[test]
fn participation_ratio_of_isotropic_data_is_the_dimension() {
    let mut rng = Rng::new(5);
    for &d in &[3usize, 10, 25] {
        let x = gaussian(&mut rng, 20_000, d);
        let pr = participation_ratio(&x);
        assert!(
            (pr - d as f64).abs() < 0.03 * d as f64,
            "d = {d}: PR = {pr}"
        );
    }
}

#[test]
fn participation_ratio_of_an_isotropic_gaussian_in_128_dims() {
    // For n samples of N(0, I_d), the centred scatter S is Wishart W_d(I, m)
    // with m = n − 1 degrees of freedom: E[tr S] = md, E[(tr S)²] = m²d² + 2md
    // and E[tr S²] = md(m + d + 1). So PR = (tr S)²/tr S² concentrates at
    // (m²d² + 2md)/(md(m + d + 1)) = (md + 2)/(m + d + 1): 102.3 for the
    // lab's 4 × width rows (n = 512), 127.2 for n = 20 000 (→ d as n → ∞).
    let mut rng = Rng::new(128);
    let d = 128usize;
    for n in [512usize, 20_000] {
        let x = gaussian(&mut rng, n, d);
        let m = (n - 1) as f64;
        let want = (m * d as f64 + 2.0) / (m + d as f64 + 1.0);
        let pr = participation_ratio(&x);
        assert!(
            (pr - want).abs() < 0.10 * want,
            "n = {n}: PR = {pr}, expected {want}"
        );
        // In fact far closer than 10%: the fluctuation is O(1/√(nd)).
        assert!(
            (pr - want).abs() < 0.02 * want,
            "n = {n}: PR = {pr}, expected {want}"
        );
    }
}

#[test]
fn participation_ratio_known_anisotropic_spectrum() {
    // Stds (3, 1, 1, 1): variances (9, 1, 1, 1), PR = 12²/(81 + 3) = 1.714…
    // The inverted variant would give 0.583.
    let mut rng = Rng::new(6);
    let x =
        gaussian(&mut rng, 50_000, 4).map_with_location(|_, j, v| if j == 0 { 3.0 * v } else { v });
    let pr = participation_ratio(&x);
    assert!((pr - 144.0 / 84.0).abs() < 0.03, "{pr}");
    // Agrees with the eigenvalue definition.
    let ev = covariance_eigenvalues(&x);
    let from_eigs = ev.iter().sum::<f64>().powi(2) / ev.iter().map(|l| l * l).sum::<f64>();
    assert!((pr - from_eigs).abs() < 1e-10);
}

#[test]
fn participation_ratio_rank_one_bounds_and_scaling() {
    let mut rng = Rng::new(7);
    // Rank 1: x_i = a_i v.
    let a = gaussian(&mut rng, 100, 1);
    let v = gaussian(&mut rng, 1, 30);
    assert!((participation_ratio(&(&a * &v)) - 1.0).abs() < 1e-10);
    for trial in 0..30 {
        let n = 2 + rng.below(60);
        let d = 1 + rng.below(60);
        // Random anisotropy so PR spans its range.
        let scales: Vec<f64> = (0..d).map(|_| libm::exp(3.0 * rng.normal())).collect();
        let x = gaussian(&mut rng, n, d).map_with_location(|_, j, v| v * scales[j]);
        let pr = participation_ratio(&x);
        let bound = (n - 1).min(d) as f64;
        assert!(
            pr >= 1.0 && pr <= bound,
            "trial {trial}: PR {pr}, bound {bound}"
        );
        let scaled = participation_ratio(&(&x * 1e-3));
        assert!(
            (scaled - pr).abs() < 1e-9 * pr,
            "scale invariance: {pr} vs {scaled}"
        );
    }
}

#[test]
fn covariance_eigenvalues_gram_path_matches_covariance() {
    // Wide data (n < d) uses the n × n Gram; compare with the d × d
    // covariance's eigenvalues computed directly.
    let mut rng = Rng::new(8);
    let x = gaussian(&mut rng, 6, 40);
    let ev = covariance_eigenvalues(&x);
    assert_eq!(ev.len(), 6);
    let mean = x.row_mean();
    let xc = DMatrix::from_fn(6, 40, |i, j| x[(i, j)] - mean[j]);
    let cov = xc.transpose() * &xc / 5.0;
    let mut want: Vec<f64> = cov.symmetric_eigenvalues().iter().copied().collect();
    want.sort_by(|a, b| b.total_cmp(a));
    for k in 0..5 {
        assert!(
            (ev[k] - want[k]).abs() < 1e-10 * want[0],
            "{k}: {} vs {}",
            ev[k],
            want[k]
        );
    }
    assert!(ev[5] < 1e-10 * ev[0]); // centring removes one dimension
    assert!(ev.windows(2).all(|w| w[0] >= w[1]));
}

#[test]
fn pcs_for_variance_on_known_spectrum() {
    // Variances 9, 1, 1, 1 (total 12): 75% needs 1 PC, 80% needs 2, 95% all 4.
    let mut rng = Rng::new(9);
    let x =
        gaussian(&mut rng, 50_000, 4).map_with_location(|_, j, v| if j == 0 { 3.0 * v } else { v });
    assert_eq!(pcs_for_variance(&x, 0.70), 1);
    assert_eq!(pcs_for_variance(&x, 0.80), 2);
    assert_eq!(pcs_for_variance(&x, 0.95), 4);
}

#[test]
fn pca_scores_are_decorrelated_with_the_top_variances() {
    // Tall data (d × d covariance path) and wide data (n × n Gram path).
    let mut rng = Rng::new(10);
    for &(n, d) in &[(3000usize, 5usize), (8, 30)] {
        let scales: Vec<f64> = (0..d)
            .map(|j| {
                if j < 5 {
                    4.0 * 0.5f64.powi(j as i32)
                } else {
                    0.1
                }
            })
            .collect();
        let rot = random_orthogonal(&mut rng, d);
        let x = gaussian(&mut rng, n, d).map_with_location(|_, j, v| v * scales[j]) * &rot;
        let s = pca_project(&x, 3);
        assert_eq!(s.shape(), (n, 3));
        let ev = covariance_eigenvalues(&x);
        let cov = s.transpose() * &s / (n - 1) as f64; // scores are centred
        for a in 0..3 {
            assert!((cov[(a, a)] - ev[a]).abs() < 1e-9 * ev[0], "{n}×{d}");
            for b in 0..a {
                assert!(cov[(a, b)].abs() < 1e-9 * ev[0]);
            }
        }
        // Each score column is X_c times a unit axis (least squares of X_c on
        // the scores), and the axis's largest-|loading| component is positive.
        let mean = x.row_mean();
        let xc = DMatrix::from_fn(n, d, |i, j| x[(i, j)] - mean[j]);
        for a in 0..3 {
            let axis = xc.transpose() * s.column(a) / s.column(a).norm_squared();
            assert!((axis.norm() - 1.0).abs() < 1e-9, "{n}×{d} axis {a}");
            assert!((&xc * &axis - s.column(a)).abs().max() < 1e-9 * ev[0].sqrt());
            let big = axis
                .iter()
                .copied()
                .max_by(|p, q| p.abs().total_cmp(&q.abs()))
                .unwrap();
            assert!(big > 0.0, "axis {a}: {axis}");
        }
        // Bit-identical on a second call.
        assert_eq!(pca_project(&x, 3), s);
    }
}

// ---------------------------------------------------------------- Kernels, weights

#[test]
fn kernel_change_and_distance_oracles() {
    let mut rng = Rng::new(11);
    let f = gaussian(&mut rng, 12, 30);
    let k = &f * f.transpose();
    assert_eq!(kernel_relative_change(&k, &k), 0.0);
    assert!(kernel_distance(&k, &k).abs() < 1e-14);
    let k2 = &k * 2.0;
    assert!((kernel_relative_change(&k2, &k) - 1.0).abs() < 1e-14);
    assert!(kernel_distance(&k2, &k).abs() < 1e-14);
    // A different kernel moves both.
    let g = gaussian(&mut rng, 12, 30);
    let kg = &g * g.transpose();
    assert!(kernel_distance(&kg, &k) > 0.05 && kernel_distance(&kg, &k) <= 1.0);
    // Weight change, same formula.
    assert!((relative_change(&(&f * 1.5), &f) - 0.5).abs() < 1e-14);
}

#[test]
fn kernel_distance_closed_forms() {
    // Fort et al. 2020: d = 1 − ⟨K, K₀⟩_F/(‖K‖_F‖K₀‖_F). These cases tell it
    // from the wrong normalisation 1 − ⟨K, K₀⟩/‖K₀‖², which gives 1 − c for
    // K = cK₀ and −1 for the 2 × 2 case (both inside or at the [0, 2] clamp
    // only by accident).
    let k0 = DMatrix::from_row_slice(3, 3, &[2.0, 0.5, 0.1, 0.5, 1.0, 0.3, 0.1, 0.3, 1.5]);
    for c in [0.5, 3.0, 1e-6, 1e6] {
        assert!(kernel_distance(&(&k0 * c), &k0).abs() < 1e-15, "c = {c}");
    }
    // Orthogonal kernels (disjoint supports): distance 1.
    let a = DMatrix::from_row_slice(2, 2, &[1.0, 0.0, 0.0, 0.0]);
    let b = DMatrix::from_row_slice(2, 2, &[0.0, 0.0, 0.0, 4.0]);
    assert_eq!(kernel_distance(&a, &b), 1.0);
    // By hand: K₀ = I₂, K = [[2, 1], [1, 2]]: ⟨K, K₀⟩ = 4, ‖K‖ = √10,
    // ‖K₀‖ = √2, so d = 1 − 4/√20 = 1 − 2/√5 = 0.10557280900008414.
    let k = DMatrix::from_row_slice(2, 2, &[2.0, 1.0, 1.0, 2.0]);
    let d = kernel_distance(&k, &DMatrix::identity(2, 2));
    assert!((d - (1.0 - 2.0 / 5f64.sqrt())).abs() < 1e-15, "{d}");
    assert!((d - 0.105_572_809_000_084_14).abs() < 1e-15);
    // Symmetric in its arguments.
    assert!((kernel_distance(&DMatrix::identity(2, 2), &k) - d).abs() < 1e-15);
}

#[test]
fn kernel_target_alignment_oracles() {
    let mut rng = Rng::new(12);
    let y = gaussian(&mut rng, 20, 3);
    let k = &y * y.transpose();
    assert!((centered_kernel_alignment(&k, &y) - 1.0).abs() < 1e-12);
    // Centring: adding a constant to the kernel or the targets changes nothing.
    let shifted = k.map(|v| v + 5.0);
    assert!((centered_kernel_alignment(&shifted, &y.map(|v| v - 2.0)) - 1.0).abs() < 1e-12);
    // A kernel of unrelated features aligns poorly.
    let f = gaussian(&mut rng, 20, 200);
    let kf = &f * f.transpose();
    let a = centered_kernel_alignment(&kf, &y);
    assert!(a > 0.0 && a < 0.5, "{a}");
}

// ---------------------------------------------------------------- RDM, units

#[test]
fn rdm_is_a_correlation_distance_matrix() {
    let mut rng = Rng::new(13);
    let x = gaussian(&mut rng, 15, 8);
    let d = rdm(&x);
    assert_eq!(d.shape(), (15, 15));
    for i in 0..15 {
        assert_eq!(d[(i, i)], 0.0);
        for j in 0..15 {
            assert_eq!(d[(i, j)], d[(j, i)]);
            assert!((0.0..=2.0).contains(&d[(i, j)]));
        }
    }
    // Entry (0, 1) equals 1 − Pearson r computed by hand.
    let (a, b) = (x.row(0), x.row(1));
    let (ma, mb) = (a.mean(), b.mean());
    let cov: f64 = (0..8).map(|j| (a[j] - ma) * (b[j] - mb)).sum();
    let va: f64 = (0..8).map(|j| (a[j] - ma).powi(2)).sum();
    let vb: f64 = (0..8).map(|j| (b[j] - mb).powi(2)).sum();
    assert!((d[(0, 1)] - (1.0 - cov / (va * vb).sqrt())).abs() < 1e-12);
}

#[test]
fn exclusive_units_with_gated_contexts() {
    // 10 units: 0–3 respond only in context A, 4–6 only in B, 7–8 in both,
    // 9 never (a ReLU unit with negative input everywhere).
    let mut rng = Rng::new(14);
    let resp = |rng: &mut Rng, active: bool| if active { 0.1 + rng.uniform() } else { 0.0 };
    let h_a = DMatrix::from_fn(25, 10, |_, u| resp(&mut rng, u < 4 || (7..9).contains(&u)));
    let h_b = DMatrix::from_fn(25, 10, |_, u| resp(&mut rng, (4..9).contains(&u)));
    assert_eq!(
        exclusive_units(&h_a, &h_b, 0.0),
        UnitCounts {
            exclusive_a: 4,
            exclusive_b: 3,
            shared: 2,
            dead: 1
        }
    );
    // A threshold above every response makes every unit dead.
    assert_eq!(exclusive_units(&h_a, &h_b, 5.0).dead, 10);
}

// ---------------------------------------------------------------- Neural collapse

/// C unit-norm simplex-ETF means in R^d (d ≥ C) as the columns of a d × C
/// matrix: √(C/(C−1)) · U (I − 11ᵀ/C), U a random d × C partial orthogonal.
fn simplex_etf(rng: &mut Rng, c: usize, d: usize) -> DMatrix<f64> {
    let u = random_orthogonal(rng, d).columns(0, c).clone_owned();
    let centring = DMatrix::identity(c, c) - DMatrix::from_element(c, c, 1.0 / c as f64);
    u * centring * libm::sqrt(c as f64 / (c as f64 - 1.0))
}

#[test]
fn exact_simplex_etf_gives_zero_for_every_metric() {
    let mut rng = Rng::new(15);
    let (c, d, per) = (10, 16, 5);
    let m = simplex_etf(&mut rng, c, d);
    for k in 0..c {
        assert!((m.column(k).norm() - 1.0).abs() < 1e-12);
    }
    let labels: Vec<usize> = (0..c * per).map(|i| i % c).collect();
    let h = DMatrix::from_fn(c * per, d, |i, j| m[(j, labels[i])]);
    let w = m.transpose() * 2.5; // W ∝ M̃ᵀ
    let out = &h * w.transpose();
    let nc = neural_collapse(&h, &labels, c, &w, &out).unwrap();
    for (name, v) in [
        ("nc1", nc.nc1),
        ("nc1_colab", nc.nc1_colab),
        ("nc2_equinorm_means", nc.nc2_equinorm_means),
        ("nc2_equinorm_classifier", nc.nc2_equinorm_classifier),
        ("nc2_equiangular_means", nc.nc2_equiangular_means),
        ("nc2_equiangular_classifier", nc.nc2_equiangular_classifier),
        ("nc3", nc.nc3),
        ("nc4", nc.nc4),
    ] {
        assert!(v.abs() < 1e-10, "{name} = {v}");
    }
}

#[test]
fn noisy_etf_nc1_is_sigma_squared_times_c_minus_one_squared() {
    // Why σ²(C−1)²: unit-norm ETF means have M̃M̃ᵀ = U(C/(C−1))(I − 11ᵀ/C)Uᵀ,
    // whose C−1 nonzero eigenvalues are C/(C−1); so Σ_B = M̃M̃ᵀ/C has
    // eigenvalues 1/(C−1) and Σ_B⁺ has C−1 on that (C−1)-dim subspace.
    // Isotropic noise gives Σ_W = σ²I, hence
    // Tr(Σ_W Σ_B⁺) = σ² · (C−1) · (C−1) = σ²(C−1)² = 0.81 for C = 10, σ = 0.1.
    // (The estimate is biased low by the factor (1 − 1/n_per_class) of the
    // within-class variance around estimated means: 0.8092 expected here.)
    let mut rng = Rng::new(16);
    let (c, d, per, sigma) = (10, 30, 1000, 0.1);
    let m = simplex_etf(&mut rng, c, d);
    let n = c * per;
    let labels: Vec<usize> = (0..n).map(|i| i % c).collect();
    let mut h = DMatrix::zeros(n, d);
    for i in 0..n {
        for j in 0..d {
            h[(i, j)] = m[(j, labels[i])] + sigma * rng.normal();
        }
    }
    let w = m.transpose();
    let out = &h * w.transpose();
    let nc = neural_collapse(&h, &labels, c, &w, &out).unwrap();
    let want = sigma * sigma * ((c - 1) * (c - 1)) as f64;
    println!(
        "noisy ETF: nc1_colab = {} (theory {want}), nc1 = {}",
        nc.nc1_colab, nc.nc1
    );
    assert!(
        (nc.nc1_colab - want).abs() < 0.05 * want,
        "{}",
        nc.nc1_colab
    );
    assert!((nc.nc1 - nc.nc1_colab / c as f64).abs() < 1e-15);
    // The classifier is an exact ETF; the means nearly so.
    assert!(nc.nc2_equinorm_classifier < 1e-12 && nc.nc2_equiangular_classifier < 1e-12);
    assert!(nc.nc2_equinorm_means < 0.01 && nc.nc2_equiangular_means < 0.01);
    assert!(nc.nc3 < 1e-3);
    assert!(nc.nc4 < 0.01);
}

#[test]
fn two_classes_leave_the_means_nc2_undefined() {
    // μ̃₁ = −μ̃₂ for any features: equinorm and equiangularity of the means
    // would be 0 by construction, so they are NaN; the rest is defined.
    let mut rng = Rng::new(17);
    let (n, d) = (40, 6);
    let labels: Vec<usize> = (0..n).map(|i| i % 2).collect();
    let h = gaussian(&mut rng, n, d);
    let w = gaussian(&mut rng, 2, d);
    let out = &h * w.transpose();
    let nc = neural_collapse(&h, &labels, 2, &w, &out).unwrap();
    assert!(nc.nc2_equinorm_means.is_nan() && nc.nc2_equiangular_means.is_nan());
    for v in [
        nc.nc1,
        nc.nc2_equinorm_classifier,
        nc.nc2_equiangular_classifier,
        nc.nc3,
        nc.nc4,
    ] {
        assert!(v.is_finite(), "{nc:?}");
    }
}

#[test]
fn random_means_and_classifier_give_nc4_near_chance() {
    // argmax(W h) with W independent of everything is uniform over classes,
    // so it agrees with the nearest-mean class with probability 1/C.
    let (c, d, per) = (10, 20, 100);
    let mut total = 0.0;
    let seeds = 20;
    for seed in 0..seeds {
        let mut rng = Rng::new(100 + seed);
        let means = gaussian(&mut rng, c, d);
        let n = c * per;
        let labels: Vec<usize> = (0..n).map(|i| i % c).collect();
        let h = DMatrix::from_fn(n, d, |i, j| means[(labels[i], j)] + rng.normal());
        let w = gaussian(&mut rng, c, d);
        let out = &h * w.transpose();
        let nc = neural_collapse(&h, &labels, c, &w, &out).unwrap();
        total += nc.nc4;
    }
    let mean = total / seeds as f64;
    println!(
        "random NC4 over {seeds} seeds: {mean} (chance {})",
        1.0 - 1.0 / c as f64
    );
    assert!((mean - 0.9).abs() < 0.03, "{mean}");
}

#[test]
fn neural_collapse_rejects_bad_input() {
    let h = DMatrix::from_fn(6, 3, |i, j| (i * 3 + j) as f64);
    let labels = [0, 1, 2, 0, 1, 2];
    let w = DMatrix::from_element(3, 3, 1.0);
    let out = DMatrix::zeros(6, 3);
    assert!(neural_collapse(&h, &labels, 3, &w, &out).is_ok());
    assert!(
        neural_collapse(&h, &labels[..5], 3, &w, &out).is_err(),
        "labels.len() ≠ N"
    );
    assert!(
        neural_collapse(&h, &[0, 1, 3, 0, 1, 2], 3, &w, &out).is_err(),
        "label ≥ C"
    );
    assert!(
        neural_collapse(&h, &[0, 1, 0, 0, 1, 0], 3, &w, &out).is_err(),
        "empty class"
    );
    let w1 = DMatrix::from_element(1, 3, 1.0);
    assert!(
        neural_collapse(&h, &[0; 6], 1, &w1, &DMatrix::zeros(6, 1)).is_err(),
        "C < 2"
    );
    assert!(
        neural_collapse(&h, &labels, 3, &DMatrix::zeros(3, 4), &out).is_err(),
        "W shape"
    );
    assert!(
        neural_collapse(&h, &labels, 3, &w, &DMatrix::zeros(6, 2)).is_err(),
        "output shape"
    );
    let mut bad = h.clone();
    bad[(2, 1)] = f64::NAN;
    assert!(
        neural_collapse(&bad, &labels, 3, &w, &out).is_err(),
        "NaN features"
    );
    assert!(neural_collapse(
        &DMatrix::zeros(6, 0),
        &labels,
        3,
        &DMatrix::zeros(3, 0),
        &out
    )
    .is_err());
}

// ---------------------------------------------------------------- Decoding

#[test]
fn decoding_an_exact_linear_function_gives_r2_one() {
    let mut rng = Rng::new(17);
    // Primal path: n ≫ d.
    let x = gaussian(&mut rng, 200, 10);
    let beta = gaussian(&mut rng, 10, 1);
    let y: Vec<f64> = (&x * &beta).iter().map(|v| v + 3.0).collect();
    let r2 = cross_validated_r2(&x, &y, 5, 1e-8);
    assert!(r2 > 1.0 - 1e-8, "{r2}");
    // Dual path: d ≫ n, with x of rank 3 so the held-out points are predictable.
    let z = gaussian(&mut rng, 40, 3);
    let a = gaussian(&mut rng, 3, 300);
    let xw = &z * a;
    let yw: Vec<f64> = (0..40).map(|i| 2.0 * z[(i, 0)] - z[(i, 2)] + 1.0).collect();
    let r2w = cross_validated_r2(&xw, &yw, 4, 1e-8);
    assert!(r2w > 1.0 - 1e-6, "{r2w}");
}

#[test]
fn decoding_noise_gives_r2_at_most_zero_and_half_signal_gives_half() {
    let mut rng = Rng::new(18);
    let x = gaussian(&mut rng, 300, 10);
    let noise: Vec<f64> = (0..300).map(|_| rng.normal()).collect();
    let r2 = cross_validated_r2(&x, &noise, 5, 1.0);
    assert!(r2 < 0.02, "{r2}");
    // Signal variance 1 + noise variance 1: R² ≈ 0.5.
    let x = gaussian(&mut rng, 5000, 4);
    let y: Vec<f64> = (0..5000)
        .map(|i| (x[(i, 0)] + x[(i, 1)]) / 2f64.sqrt() + rng.normal())
        .collect();
    let r2 = cross_validated_r2(&x, &y, 5, 1e-3);
    assert!((r2 - 0.5).abs() < 0.03, "{r2}");
}
