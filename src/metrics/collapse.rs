//! Neural collapse (Papyan, Han & Donoho 2020, "Prevalence of neural collapse
//! during the terminal phase of deep learning training", PNAS), measured as
//! in the paper's Figures 2–7 and its companion Colab notebook.
//!
//! Notation: h_i ∈ R^d the penultimate features of sample i (rows of `h`),
//! y_i its class, μ_c the class means, μ_G the mean of the class means,
//! M̃ = [μ_c − μ_G] (d × C), W the C × d last-layer classifier.
//!
//! Conventions chosen (and why):
//! - μ_G is the mean of the class means, as in SCIENCE.md and the paper's
//!   Colab (`muG = torch.mean(M, dim=1)`). The paper's text defines it as the
//!   mean of all samples; the two agree for balanced classes, and the mean
//!   of class means keeps rank(M̃) ≤ C − 1, which the top-(C−1)
//!   pseudo-inverse assumes.
//! - NC2's std is the sample std (C − 1 denominator), as `torch.std` in the
//!   paper's Colab; numpy's default `np.std` (ddof = 0) gives values smaller
//!   by a factor sqrt((C−1)/C).
//! - `nc1` = Tr(Σ_W Σ_B⁺)/C as in the paper's text; `nc1_colab` omits the /C
//!   as the Colab does.
//! - Ties in argmax / nearest mean go to the lowest class index.

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

use crate::linalg::{all_finite, frobenius_norm, rank_tolerance, svd_sorted};

/// The neural-collapse metrics of Papyan, Han & Donoho 2020. All are 0 at
/// exact collapse onto a simplex ETF with a self-dual classifier. NaN marks
/// a metric that is undefined for the input (see [`neural_collapse`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NeuralCollapse {
    /// NC1 = Tr(Σ_W Σ_B⁺)/C (within-class variability collapse).
    pub nc1: f64,
    /// Tr(Σ_W Σ_B⁺), the paper's Colab's NC1 (no /C).
    pub nc1_colab: f64,
    /// NC2 equinorm of the means: std_c/mean_c of ‖μ_c − μ_G‖.
    pub nc2_equinorm_means: f64,
    /// NC2 equinorm of the classifier: std_c/mean_c of ‖w_c‖.
    pub nc2_equinorm_classifier: f64,
    /// NC2 equiangularity of the means: mean_{c≠c'} |cos(μ̃_c, μ̃_c') + 1/(C−1)|.
    pub nc2_equiangular_means: f64,
    /// NC2 equiangularity of the classifier rows, same formula.
    pub nc2_equiangular_classifier: f64,
    /// NC3 self-duality: ‖Wᵀ/‖W‖_F − M̃/‖M̃‖_F‖_F².
    pub nc3: f64,
    /// NC4: fraction of samples where argmax(output) ≠ the nearest class mean's class.
    pub nc4: f64,
}

/// NC1 and the class means' NC2: the part of neural collapse that needs
/// no classifier (what "Your data" reports). Same conventions as
/// [`NeuralCollapse`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeatureCollapse {
    /// NC1 = Tr(Σ_W Σ_B⁺)/C.
    pub nc1: f64,
    /// Tr(Σ_W Σ_B⁺), the paper's Colab's NC1 (no /C).
    pub nc1_colab: f64,
    /// NC2 equinorm of the means: std_c/mean_c of ‖μ_c − μ_G‖.
    pub nc2_equinorm_means: f64,
    /// NC2 equiangularity of the means.
    pub nc2_equiangular_means: f64,
}

/// Neural-collapse metrics NC1–NC4 (Papyan, Han & Donoho 2020).
///
/// Inputs: `h` the penultimate features (N × d), `labels` the class of each
/// row (< `n_classes` = C), `w` the classifier (C × d), `output` the network
/// outputs (N × C), used for NC4's argmax.
///
/// - Σ_W = (1/N) Σ_i (h_i − μ_{y_i})(h_i − μ_{y_i})ᵀ, Σ_B = M̃M̃ᵀ/C.
/// - NC1 = Tr(Σ_W Σ_B⁺)/C, with Σ_B⁺ the pseudo-inverse from the top C − 1
///   singular pairs of M̃ (Σ_B = M̃M̃ᵀ/C has the same singular vectors and
///   eigenvalues s_k²/C). The rank tolerance applies to M̃'s singular
///   values: pairs with s_k ≤ max(d, C)·ε·s_max are dropped too (on Σ_B's
///   eigenvalues, the same cut would square ε and keep noise directions).
///   Computed without d × d matrices: with M̃ = U S Vᵀ,
///   Tr(Σ_W Σ_B⁺) = Σ_{k<C−1} (C/s_k²) · (1/N) Σ_i (u_kᵀ(h_i − μ_{y_i}))²,
///   the projections taken by the blocked GEMM on blocks of rows.
///   `nc1_colab` is the same without the /C.
/// - NC2 equinorm: std/mean (std with C − 1 denominator) of ‖μ_c − μ_G‖, and
///   of the classifier rows' norms ‖w_c‖.
/// - NC2 equiangularity: mean over c ≠ c' of |cos(c, c') + 1/(C − 1)|, for
///   the centred means μ_c − μ_G and for the (uncentred) rows w_c.
/// - NC3 = ‖Wᵀ/‖W‖_F − M̃/‖M̃‖_F‖_F².
/// - NC4 = fraction of samples with argmax_c output_ic ≠ argmin_c ‖h_i − μ_c‖.
///
/// Undefined metrics are NaN: NC1, the means' NC2 and NC3 when all class
/// means coincide (M̃ = 0, up to rounding: [`MEANS_ABS_TOL`]); an equiangularity when some vector has zero norm;
/// the classifier's equinorm and NC3 when W = 0. With C = 2 the means' NC2
/// (equinorm and equiangularity) is not defined: μ_G is the midpoint of the
/// two means, so μ̃₁ = −μ̃₂ exactly and both would be 0 by construction, at
/// init as at collapse. The classifier's NC2 stays defined (its rows are not
/// centred).
///
/// Errors (never panics): C < 2; `labels.len()` ≠ N; a label ≥ C; a class
/// with no sample; `w` not C × d; `output` not N × C; d = 0; non-finite
/// entries in `h`, `w` or `output`.
pub fn neural_collapse(
    h: &DMatrix<f64>,
    labels: &[usize],
    n_classes: usize,
    w: &DMatrix<f64>,
    output: &DMatrix<f64>,
) -> Result<NeuralCollapse, String> {
    let c = n_classes;
    let (n, d) = h.shape();
    check_features(h, labels, c)?;
    if w.shape() != (c, d) {
        return Err(format!(
            "classifier is {}×{}, expected C×d = {c}×{d}",
            w.nrows(),
            w.ncols()
        ));
    }
    if output.shape() != (n, c) {
        return Err(format!(
            "output is {}×{}, expected N×C = {n}×{c}",
            output.nrows(),
            output.ncols()
        ));
    }
    if !all_finite(w) || !all_finite(output) {
        return Err("non-finite values (NaN or inf) in the features, classifier or outputs".into());
    }
    let (features, means, m_tilde, m_zero) = class_geometry(h, labels, c);
    let m_norm = frobenius_norm(&m_tilde);

    let wt = w.transpose(); // d × C, one class per column
    let nc2_equinorm_classifier = norm_cov(&wt);
    let nc2_equiangular_classifier = equiangularity(&wt);

    // NC3: self-duality.
    let w_norm = frobenius_norm(w);
    let nc3 = if m_zero || w_norm == 0.0 {
        f64::NAN
    } else {
        let diff = &wt / w_norm - &m_tilde / m_norm;
        let v = frobenius_norm(&diff);
        v * v
    };

    // NC4: network prediction vs nearest class centre.
    let mut mismatches = 0usize;
    for i in 0..n {
        let out_row = output.row(i);
        let mut net = 0;
        for k in 1..c {
            if out_row[k] > out_row[net] {
                net = k;
            }
        }
        let mut best = 0;
        let mut best_dist = f64::INFINITY;
        for k in 0..c {
            let mut dist = 0.0;
            for f in 0..d {
                let e = h[(i, f)] - means[(f, k)];
                dist += e * e;
            }
            if dist < best_dist {
                best_dist = dist;
                best = k;
            }
        }
        if net != best {
            mismatches += 1;
        }
    }
    let nc4 = mismatches as f64 / n as f64;

    Ok(NeuralCollapse {
        nc1: features.nc1,
        nc1_colab: features.nc1_colab,
        nc2_equinorm_means: features.nc2_equinorm_means,
        nc2_equinorm_classifier,
        nc2_equiangular_means: features.nc2_equiangular_means,
        nc2_equiangular_classifier,
        nc3,
        nc4,
    })
}

/// NC1 and the means' NC2 of [`neural_collapse`], without a classifier.
/// Errors as there (C < 2, labels, empty classes, d = 0, non-finite `h`).
pub fn feature_collapse(
    h: &DMatrix<f64>,
    labels: &[usize],
    n_classes: usize,
) -> Result<FeatureCollapse, String> {
    check_features(h, labels, n_classes)?;
    Ok(class_geometry(h, labels, n_classes).0)
}

fn check_features(h: &DMatrix<f64>, labels: &[usize], c: usize) -> Result<(), String> {
    let (n, d) = h.shape();
    if c < 2 {
        return Err(format!("neural collapse needs at least 2 classes, got {c}"));
    }
    if labels.len() != n {
        return Err(format!("{} labels for {n} feature rows", labels.len()));
    }
    if d == 0 {
        return Err("the features have no columns".into());
    }
    if let Some(&bad) = labels.iter().find(|&&l| l >= c) {
        return Err(format!("label {bad} is not below the {c} classes"));
    }
    let mut counts = vec![0usize; c];
    for &l in labels {
        counts[l] += 1;
    }
    if let Some(empty) = counts.iter().position(|&k| k == 0) {
        return Err(format!("class {empty} has no samples"));
    }
    if !all_finite(h) {
        return Err("non-finite values (NaN or inf) in the features, classifier or outputs".into());
    }
    Ok(())
}

/// Relative size, against √(d·C)·max|h|, below which ‖M̃‖_F counts as
/// zero: class means that coincide (every row 0.1, say) leave rounding
/// residue in M̃, and NC1 and NC2 of residue are noise, not numbers. The
/// bound of `capacity::CENTRE_ABS_TOL` (the means' rounding error is at
/// most about (N + 1)·u·max|h| per entry).
pub const MEANS_ABS_TOL: f64 = 1e-10;

/// Rows per block of the NC1 projections.
const NC1_BLOCK: usize = 256;

/// NC1 and the means' NC2, with the class means (d × C, each summed in row
/// order), M̃ (d × C), and whether M̃ counts as zero (see
/// [`MEANS_ABS_TOL`]). Inputs already checked.
fn class_geometry(
    h: &DMatrix<f64>,
    labels: &[usize],
    c: usize,
) -> (FeatureCollapse, DMatrix<f64>, DMatrix<f64>, bool) {
    let (n, d) = h.shape();
    let mut counts = vec![0usize; c];
    for &l in labels {
        counts[l] += 1;
    }
    let mut means = DMatrix::<f64>::zeros(d, c);
    for f in 0..d {
        let col = h.column(f);
        for (i, &l) in labels.iter().enumerate() {
            means[(f, l)] += col[i];
        }
    }
    for (l, &k) in counts.iter().enumerate() {
        let mut col = means.column_mut(l);
        col /= k as f64;
    }
    let global = means.column_mean();
    let mut m_tilde = means.clone();
    for mut col in m_tilde.column_iter_mut() {
        col -= &global;
    }
    let m_norm = frobenius_norm(&m_tilde);
    let scale = h.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    // Inputs are finite, so m_norm is not NaN.
    let m_zero = m_norm <= MEANS_ABS_TOL * libm::sqrt((d * c) as f64) * scale;

    // NC1 through the SVD of M̃ (Σ_B = M̃M̃ᵀ/C has eigenvalues s²/C).
    let (nc1_colab, nc1) = if m_zero {
        (f64::NAN, f64::NAN)
    } else {
        match svd_sorted(&m_tilde).and_then(|s| s.u.clone().map(|u| (u, s.singular_values))) {
            None => (f64::NAN, f64::NAN),
            Some((u, s)) => {
                let tol = rank_tolerance(d, c, s[0]);
                let kept: Vec<usize> = (0..(c - 1).min(s.len())).filter(|&k| s[k] > tol).collect();
                let uk = DMatrix::from_fn(d, kept.len(), |f, j| u[(f, kept[j])]);
                // Σ_i (u_kᵀ(h_i − μ_{y_i}))² per kept k, over blocks of rows.
                let mut ss = vec![0.0; kept.len()];
                for r0 in (0..n).step_by(NC1_BLOCK) {
                    let rows = NC1_BLOCK.min(n - r0);
                    let resid = DMatrix::from_fn(rows, d, |i, f| {
                        h[(r0 + i, f)] - means[(f, labels[r0 + i])]
                    });
                    let proj = crate::gemm::mul(&resid, &uk);
                    for (j, s) in ss.iter_mut().enumerate() {
                        for v in proj.column(j).iter() {
                            *s += v * v;
                        }
                    }
                }
                let mut trace = 0.0;
                for (j, &k) in kept.iter().enumerate() {
                    trace += (c as f64 / (s[k] * s[k])) * ss[j] / n as f64;
                }
                (trace, trace / c as f64)
            }
        }
    };
    // With two classes the centred means are ±(μ₁ − μ₂)/2: equal norms and
    // cosine −1 = −1/(C − 1) whatever the features, so no information.
    let (nc2_equinorm_means, nc2_equiangular_means) = if c == 2 || m_zero {
        (f64::NAN, f64::NAN)
    } else {
        (norm_cov(&m_tilde), equiangularity(&m_tilde))
    };
    (
        FeatureCollapse {
            nc1,
            nc1_colab,
            nc2_equinorm_means,
            nc2_equiangular_means,
        },
        means,
        m_tilde,
        m_zero,
    )
}

/// std/mean of the column norms (std with the C − 1 denominator, as
/// `torch.std`). NaN when the mean norm is 0.
fn norm_cov(cols: &DMatrix<f64>) -> f64 {
    let norms: Vec<f64> = cols.column_iter().map(|c| c.norm()).collect();
    let k = norms.len() as f64;
    let mean = norms.iter().sum::<f64>() / k;
    if mean == 0.0 || norms.len() < 2 {
        return f64::NAN;
    }
    let var = norms.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (k - 1.0);
    libm::sqrt(var) / mean
}

/// Mean over c ≠ c' of |cos(col_c, col_c') + 1/(C − 1)|. NaN when a column
/// has zero norm (its cosine is undefined).
fn equiangularity(cols: &DMatrix<f64>) -> f64 {
    let c = cols.ncols();
    let norms: Vec<f64> = cols.column_iter().map(|v| v.norm()).collect();
    if c < 2 || norms.contains(&0.0) {
        return f64::NAN;
    }
    let shift = 1.0 / (c as f64 - 1.0);
    let mut sum = 0.0;
    for a in 0..c {
        for b in 0..c {
            if a != b {
                let cos = cols.column(a).dot(&cols.column(b)) / (norms[a] * norms[b]);
                sum += (cos + shift).abs();
            }
        }
    }
    sum / (c * (c - 1)) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::pinv_top_k;
    use crate::rng::Rng;

    /// A small three-class example with unequal within-class spread.
    fn example(rng: &mut Rng) -> (DMatrix<f64>, Vec<usize>, DMatrix<f64>, DMatrix<f64>) {
        let (c, d, per) = (3, 4, 7);
        let centres = DMatrix::from_fn(d, c, |_, _| rng.normal());
        let n = c * per;
        let labels: Vec<usize> = (0..n).map(|i| i % c).collect();
        let h = DMatrix::from_fn(n, d, |i, j| centres[(j, labels[i])] + 0.3 * rng.normal());
        let w = DMatrix::from_fn(c, d, |_, _| rng.normal());
        let out = &h * w.transpose();
        (h, labels, w, out)
    }

    #[test]
    #[allow(clippy::needless_range_loop)]
    fn nc1_matches_direct_trace_with_pinv() {
        // The fast trace equals Tr(Σ_W · pinv_{C−1}(Σ_B)) formed explicitly.
        let mut rng = Rng::new(5);
        let (h, labels, w, out) = example(&mut rng);
        let (n, d, c) = (h.nrows(), h.ncols(), 3);
        let nc = neural_collapse(&h, &labels, c, &w, &out).unwrap();
        let mut means = DMatrix::zeros(d, c);
        let mut counts = [0.0; 3];
        for i in 0..n {
            let row = h.row(i).transpose();
            let mut col = means.column_mut(labels[i]);
            col += row;
            counts[labels[i]] += 1.0;
        }
        for k in 0..c {
            let mut col = means.column_mut(k);
            col /= counts[k];
        }
        let mg = means.column_mean();
        let mt = DMatrix::from_fn(d, c, |r, k| means[(r, k)] - mg[r]);
        let mut sw = DMatrix::zeros(d, d);
        for i in 0..n {
            let r = h.row(i).transpose() - means.column(labels[i]);
            sw += &r * r.transpose();
        }
        sw /= n as f64;
        let sb = &mt * mt.transpose() / c as f64;
        let direct = (&sw * pinv_top_k(&sb, c - 1).unwrap()).trace();
        assert!(
            (nc.nc1_colab - direct).abs() < 1e-10 * direct,
            "{} vs {direct}",
            nc.nc1_colab
        );
        assert!((nc.nc1 - direct / 3.0).abs() < 1e-10 * direct);
    }

    #[test]
    fn nc2_nc3_hand_values() {
        // C = 2, d = 2: means (1,0) and (−3,0) → μ_G = (−1,0), centred (2,0),(−2,0):
        // equinorm 0 and cos = −1 → |−1 + 1| = 0 by construction: NaN. W rows (1,0),(0,2): norms 1, 2 →
        // std (ddof 1) = 1/√2, mean 1.5 → 0.4714…; cos = 0 → |0 + 1| = 1.
        let h = DMatrix::from_row_slice(2, 2, &[1.0, 0.0, -3.0, 0.0]);
        let w = DMatrix::from_row_slice(2, 2, &[1.0, 0.0, 0.0, 2.0]);
        let out = &h * w.transpose();
        let nc = neural_collapse(&h, &[0, 1], 2, &w, &out).unwrap();
        assert_eq!(nc.nc1, 0.0);
        assert!(nc.nc2_equinorm_means.is_nan());
        assert!((nc.nc2_equinorm_classifier - (0.5f64).sqrt() / 1.5).abs() < 1e-15);
        assert!(nc.nc2_equiangular_means.is_nan());
        assert_eq!(nc.nc2_equiangular_classifier, 1.0);
        // Wᵀ/‖W‖ = [[1,0],[0,2]]/√5 ; M̃/‖M̃‖ = [[2,−2],[0,0]]/√8.
        let a = DMatrix::from_row_slice(2, 2, &[1.0, 0.0, 0.0, 2.0]) / 5f64.sqrt();
        let b = DMatrix::from_row_slice(2, 2, &[2.0, -2.0, 0.0, 0.0]) / 8f64.sqrt();
        assert!((nc.nc3 - (a - b).norm_squared()).abs() < 1e-15);
        // Sample 0: output (1, 0) → class 0 = nearest; sample 1: output (−3, 0)
        // → class 1 = nearest.
        assert_eq!(nc.nc4, 0.0);
    }

    #[test]
    fn coincident_means_give_nan_not_panic() {
        let h = DMatrix::from_row_slice(4, 2, &[1.0, 0.0, -1.0, 0.0, 1.0, 0.0, -1.0, 0.0]);
        let w = DMatrix::from_row_slice(2, 2, &[1.0, 0.0, -1.0, 0.0]);
        let out = &h * w.transpose();
        let nc = neural_collapse(&h, &[0, 0, 1, 1], 2, &w, &out).unwrap();
        assert!(nc.nc1.is_nan() && nc.nc3.is_nan() && nc.nc2_equinorm_means.is_nan());
        assert_eq!(nc.nc2_equiangular_classifier, 0.0);
        assert!((0.0..=1.0).contains(&nc.nc4));
    }
}
