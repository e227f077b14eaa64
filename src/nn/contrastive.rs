//! Self-supervised objectives on pairs of views, with exact gradients, and
//! one training step of an [`Mlp`] with them.
//!
//! The network's output is the embedding (a projection head); the
//! representation one analyses is its last hidden layer
//! ([`representation`]), as in SimCLR (Chen et al. 2020) and VICReg
//! (Bardes et al. 2022), where the layer before the projector is the one
//! that transfers.
//!
//! Both objectives take e1, e2 (B × d, rows = samples): row i of e1 and row
//! i of e2 embed two views of the same sample (a positive pair).

use nalgebra::DMatrix;

use super::mlp::Mlp;
use super::optimizer::Sgd;

/// Rows with a norm below this are divided by it instead (as PyTorch's
/// `F.normalize(eps=1e-12)`), so a zero embedding gives no NaN.
const NORM_EPS: f64 = 1e-12;

/// Which self-supervised objective [`ssl_step`] minimises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Objective {
    /// Symmetric InfoNCE, see [`info_nce`].
    InfoNce,
    /// VICReg, see [`invariance_loss`].
    Invariance,
}

/// Symmetric InfoNCE (Oord, Li & Vinyals 2018; the SimCLR / CLIP form of
/// Chen et al. 2020 and Radford et al. 2021) and its gradients.
///
/// With ẑ = e/‖e‖ row-wise and logits s_ij = ẑ1_i·ẑ2_j / τ (τ = temperature),
///
///   L = ½ [ −(1/B) Σ_i log softmax_j(s_i·)_i − (1/B) Σ_j log softmax_i(s_·j)_j ],
///
/// i.e. each view must pick its partner out of the B candidates of the other
/// view, in both directions. Random embeddings give L ≈ log B; the minimum,
/// approached when positives coincide and negatives are far apart, is
/// ≥ log(1 + (B−1)·e^{−2/τ}) > 0 (cosines lie in [−1, 1]).
///
/// Returns (L, ∂L/∂e1, ∂L/∂e2). With G = ∂L/∂s =
/// (1/2B)[(P_row − I) + (P_col − I)] (P_row: softmax over each row, P_col:
/// over each column), ∂L/∂ẑ1 = G ẑ2 / τ, ∂L/∂ẑ2 = Gᵀ ẑ1 / τ, and through the
/// normalisation ∂L/∂e = (∂L/∂ẑ − ẑ (ẑ·∂L/∂ẑ)) / ‖e‖.
///
/// Degenerate input: B = 0 gives (0, empty, empty); mismatched shapes give
/// NaN with zero gradients; a τ that is not positive and finite is taken as
/// 1; non-finite embeddings give a NaN loss.
pub fn info_nce(
    e1: &DMatrix<f64>,
    e2: &DMatrix<f64>,
    temperature: f64,
) -> (f64, DMatrix<f64>, DMatrix<f64>) {
    let zeros = || {
        (
            DMatrix::zeros(e1.nrows(), e1.ncols()),
            DMatrix::zeros(e2.nrows(), e2.ncols()),
        )
    };
    if e1.shape() != e2.shape() {
        let (g1, g2) = zeros();
        return (f64::NAN, g1, g2);
    }
    let b = e1.nrows();
    if b == 0 {
        let (g1, g2) = zeros();
        return (0.0, g1, g2);
    }
    let tau = if temperature.is_finite() && temperature > 0.0 {
        temperature
    } else {
        1.0
    };
    let (z1, n1) = normalise_rows(e1);
    let (z2, n2) = normalise_rows(e2);
    let s = (&z1 * z2.transpose()) / tau;

    // Row-wise and column-wise softmax. Fast path: one exponential per
    // logit, shifted by the largest logit, E = exp(s − c); the row and
    // column sums of E then give both softmaxes. When a sum is too small to
    // keep full precision (logits spread over > ~575, i.e. τ < ~0.0035),
    // fall back to a log-sum-exp shifted per row and per column.
    let c = s.max();
    let e = s.map(|v| libm::exp(v - c));
    let row_sums: Vec<f64> = (0..b).map(|i| e.row(i).sum()).collect();
    let col_sums: Vec<f64> = (0..b).map(|j| e.column(j).sum()).collect();
    let fast = row_sums
        .iter()
        .chain(&col_sums)
        .all(|&v| v > 1e-250 && v.is_finite());
    let mut g = DMatrix::zeros(b, b);
    let mut loss = 0.0;
    if fast {
        for i in 0..b {
            loss += 2.0 * (c - s[(i, i)]) + libm::log(row_sums[i]) + libm::log(col_sums[i]);
        }
        for j in 0..b {
            for i in 0..b {
                g[(i, j)] = e[(i, j)] / row_sums[i] + e[(i, j)] / col_sums[j];
            }
        }
    } else {
        for i in 0..b {
            let row = s.row(i);
            let m = row.max();
            let lse = m + libm::log(row.iter().map(|&v| libm::exp(v - m)).sum::<f64>());
            loss += lse - s[(i, i)];
            for j in 0..b {
                g[(i, j)] += libm::exp(s[(i, j)] - lse);
            }
        }
        for j in 0..b {
            let col = s.column(j);
            let m = col.max();
            let lse = m + libm::log(col.iter().map(|&v| libm::exp(v - m)).sum::<f64>());
            loss += lse - s[(j, j)];
            for i in 0..b {
                g[(i, j)] += libm::exp(s[(i, j)] - lse);
            }
        }
    }
    for i in 0..b {
        g[(i, i)] -= 2.0;
    }
    let scale = 1.0 / (2.0 * b as f64);
    loss *= scale;
    g *= scale / tau;

    let dz1 = &g * &z2;
    let dz2 = g.tr_mul(&z1);
    (
        loss,
        through_normalisation(&z1, &n1, &dz1),
        through_normalisation(&z2, &n2, &dz2),
    )
}

/// Rows divided by max(‖row‖, NORM_EPS), and the row norms.
fn normalise_rows(e: &DMatrix<f64>) -> (DMatrix<f64>, Vec<f64>) {
    let norms: Vec<f64> = (0..e.nrows())
        .map(|i| libm::sqrt(e.row(i).iter().map(|v| v * v).sum::<f64>()))
        .collect();
    let z = DMatrix::from_fn(e.nrows(), e.ncols(), |i, j| {
        e[(i, j)] / norms[i].max(NORM_EPS)
    });
    (z, norms)
}

/// ∂L/∂e from ∂L/∂ẑ for ẑ = e / max(‖e‖, ε): (g − ẑ(ẑ·g))/‖e‖, or g/ε for
/// a row below ε.
fn through_normalisation(z: &DMatrix<f64>, norms: &[f64], dz: &DMatrix<f64>) -> DMatrix<f64> {
    let mut out = dz.clone();
    for i in 0..z.nrows() {
        if norms[i] > NORM_EPS {
            let dot: f64 = z
                .row(i)
                .iter()
                .zip(dz.row(i).iter())
                .map(|(a, b)| a * b)
                .sum();
            for j in 0..z.ncols() {
                out[(i, j)] = (dz[(i, j)] - z[(i, j)] * dot) / norms[i];
            }
        } else {
            for j in 0..z.ncols() {
                out[(i, j)] = dz[(i, j)] / NORM_EPS;
            }
        }
    }
    out
}

/// VICReg's weights (Bardes, Ponce & LeCun 2022, defaults of the paper and
/// its code): invariance λ, variance μ, covariance ν.
pub const VICREG_INVARIANCE: f64 = 25.0;
pub const VICREG_VARIANCE: f64 = 25.0;
pub const VICREG_COVARIANCE: f64 = 1.0;
/// VICReg's target std γ and the ε inside the square root.
const VICREG_GAMMA: f64 = 1.0;
const VICREG_EPS: f64 = 1e-4;

/// VICReg, the variance–invariance–covariance objective (Bardes, Ponce &
/// LeCun 2022), as in the authors' code (`facebookresearch/vicreg`), and its
/// gradients. For e1 = Z, e2 = Z' (B × d):
///
///   L = λ s(Z, Z') + μ ½[v(Z) + v(Z')] + ν [c(Z) + c(Z')],
///
/// - invariance s(Z, Z') = (1/(B d)) Σ_i ‖z_i − z'_i‖² (the code's
///   `F.mse_loss`; the paper writes 1/B),
/// - variance v(Z) = (1/d) Σ_k max(0, γ − √(Var(z^k) + ε)), γ = 1,
///   ε = 1e-4, Var the unbiased (1/(B−1)) variance of embedding dimension k
///   (the ½ averaging the two views is the code's; the paper sums them),
/// - covariance c(Z) = (1/d) Σ_{k≠l} C(Z)_kl², C(Z) = Z_cᵀZ_c/(B−1) with Z_c
///   the column-centred Z,
///
/// with the default weights λ = μ = 25, ν = 1.
///
/// Gradients (per view, Z_c centred, S_k = √(Var(z^k) + ε), M = C(Z) with
/// its diagonal zeroed):
///
///   ∂L/∂Z = (2λ/(B d))(Z − Z') − (μ/(2d)) Z_c diag(1[S_k < γ]/S_k)/(B−1)
///           + (4ν/d) Z_c M /(B−1)
///
/// (centring contributes nothing further, as Z_c's columns sum to zero).
///
/// Degenerate input: B = 0 gives (0, empty, empty); mismatched shapes give
/// NaN with zero gradients; B = 1 has no variance or covariance, so only the
/// invariance term counts.
pub fn invariance_loss(e1: &DMatrix<f64>, e2: &DMatrix<f64>) -> (f64, DMatrix<f64>, DMatrix<f64>) {
    let (b, d) = e1.shape();
    if e1.shape() != e2.shape() {
        return (
            f64::NAN,
            DMatrix::zeros(e1.nrows(), e1.ncols()),
            DMatrix::zeros(e2.nrows(), e2.ncols()),
        );
    }
    if b == 0 || d == 0 {
        return (0.0, DMatrix::zeros(b, d), DMatrix::zeros(b, d));
    }
    let bd = (b * d) as f64;
    let diff = e1 - e2;
    let inv = diff.iter().map(|v| v * v).sum::<f64>() / bd;
    let mut loss = VICREG_INVARIANCE * inv;
    let mut g1 = &diff * (2.0 * VICREG_INVARIANCE / bd);
    let mut g2 = -&g1;
    if b >= 2 {
        for (e, g) in [(e1, &mut g1), (e2, &mut g2)] {
            let (l, grad) = variance_covariance(e);
            loss += l;
            *g += grad;
        }
    }
    (loss, g1, g2)
}

/// μ·½·v(Z) + ν·c(Z) and its gradient, for B ≥ 2.
fn variance_covariance(e: &DMatrix<f64>) -> (f64, DMatrix<f64>) {
    let (b, d) = e.shape();
    let df = d as f64;
    let denom = (b - 1) as f64;
    let mut zc = e.clone();
    for mut col in zc.column_iter_mut() {
        let m = col.iter().sum::<f64>() / b as f64;
        for v in col.iter_mut() {
            *v -= m;
        }
    }
    let cov = zc.tr_mul(&zc) / denom;
    let mut grad = DMatrix::zeros(b, d);
    // Variance hinge.
    let mut var_loss = 0.0;
    let var_w = 0.5 * VICREG_VARIANCE / df;
    for k in 0..d {
        let s = libm::sqrt(cov[(k, k)] + VICREG_EPS);
        if s < VICREG_GAMMA {
            var_loss += VICREG_GAMMA - s;
            let f = -var_w / (denom * s);
            for i in 0..b {
                grad[(i, k)] += f * zc[(i, k)];
            }
        }
    }
    // Off-diagonal covariance.
    let mut off = cov;
    for k in 0..d {
        off[(k, k)] = 0.0;
    }
    let cov_loss = off.iter().map(|v| v * v).sum::<f64>() / df;
    grad += (&zc * &off) * (4.0 * VICREG_COVARIANCE / (df * denom));
    (var_w * var_loss + VICREG_COVARIANCE * cov_loss, grad)
}

/// The loss of `objective` on the embeddings e1, e2 of a positive pair of
/// views, and its gradients (∂L/∂e1, ∂L/∂e2): [`info_nce`] at
/// `temperature`, or [`invariance_loss`] (which ignores it).
pub fn objective_loss(
    objective: Objective,
    e1: &DMatrix<f64>,
    e2: &DMatrix<f64>,
    temperature: f64,
) -> (f64, DMatrix<f64>, DMatrix<f64>) {
    match objective {
        Objective::InfoNce => info_nce(e1, e2, temperature),
        Objective::Invariance => invariance_loss(e1, e2),
    }
}

/// The representation analysed in self-supervised learning: the network's
/// last hidden layer on x (samples × width), the layer below the projection
/// head. A network without hidden layers returns x itself.
pub fn representation(net: &Mlp, x: &DMatrix<f64>) -> DMatrix<f64> {
    let mut fwd = net.forward(x);
    fwd.hidden.pop().unwrap_or_else(|| x.clone())
}

/// One optimiser step on a positive pair of views v1, v2 (B × inputs, row i
/// of each a view of sample i): forward both, take the embeddings to be the
/// network's output, compute the objective's loss and gradients, backpropagate
/// each view and sum the two parameter gradients (the weights are shared),
/// then step `opt`. `temperature` is used by InfoNCE only.
///
/// Returns the loss before the step. A non-finite loss or gradient leaves
/// the network and the optimiser untouched (the caller sees the NaN or ∞
/// and stops).
pub fn ssl_step(
    net: &mut Mlp,
    opt: &mut Sgd,
    v1: &DMatrix<f64>,
    v2: &DMatrix<f64>,
    objective: Objective,
    temperature: f64,
) -> f64 {
    let inputs = net.spec.sizes.first().copied().unwrap_or(0);
    if net.n_layers() == 0 || v1.ncols() != inputs || v2.ncols() != inputs {
        return f64::NAN;
    }
    let f1 = net.forward(v1);
    let f2 = net.forward(v2);
    let (loss, d1, d2) = objective_loss(objective, f1.output(), f2.output(), temperature);
    if !loss.is_finite() {
        return loss;
    }
    let g1 = net.backward(v1, &f1, &d1);
    let g2 = net.backward(v2, &f2, &d2);
    let grads = g1.sum(&g2);
    if !grads.all_finite() {
        return f64::NAN;
    }
    opt.step(net, &grads);
    loss
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::{Activation, MlpSpec, Parametrisation};
    use crate::rng::Rng;

    fn random(rows: usize, cols: usize, rng: &mut Rng) -> DMatrix<f64> {
        DMatrix::from_fn(rows, cols, |_, _| rng.normal())
    }

    type Loss = dyn Fn(&DMatrix<f64>, &DMatrix<f64>) -> (f64, DMatrix<f64>, DMatrix<f64>);

    /// Central differences of every entry of e1 and e2 against the
    /// analytic gradient.
    fn check_gradients(f: &Loss, e1: &DMatrix<f64>, e2: &DMatrix<f64>, tol: f64) {
        let (_, g1, g2) = f(e1, e2);
        let eps = 1e-6;
        for which in 0..2 {
            let (e, g) = if which == 0 { (e1, &g1) } else { (e2, &g2) };
            for idx in 0..e.len() {
                let mut p = e.clone();
                p[idx] += eps;
                let mut m = e.clone();
                m[idx] -= eps;
                let (lp, lm) = if which == 0 {
                    (f(&p, e2).0, f(&m, e2).0)
                } else {
                    (f(e1, &p).0, f(e1, &m).0)
                };
                let fd = (lp - lm) / (2.0 * eps);
                assert!(
                    (fd - g[idx]).abs() < tol * (1.0 + fd.abs()),
                    "view {which} entry {idx}: finite difference {fd} vs analytic {}",
                    g[idx]
                );
            }
        }
    }

    #[test]
    fn info_nce_gradients_match_finite_differences() {
        let mut rng = Rng::new(1);
        for (b, d, tau) in [(6, 4, 0.5), (5, 3, 0.1), (8, 5, 1.0)] {
            let e1 = random(b, d, &mut rng);
            let e2 = &e1 * 0.5 + random(b, d, &mut rng) * 0.5;
            check_gradients(&move |a, b| info_nce(a, b, tau), &e1, &e2, 1e-6);
        }
    }

    #[test]
    fn invariance_gradients_match_finite_differences() {
        let mut rng = Rng::new(2);
        // Small embeddings (every std below γ, hinge active) and large ones
        // (hinge inactive), plus a mix across dimensions.
        for scale in [0.3, 3.0] {
            let e1 = random(7, 4, &mut rng) * scale;
            let e2 = &e1 + random(7, 4, &mut rng) * (0.3 * scale);
            check_gradients(&invariance_loss, &e1, &e2, 1e-6);
        }
        let mut e1 = random(9, 3, &mut rng);
        e1.column_mut(1).scale_mut(0.2);
        let e2 = &e1 + random(9, 3, &mut rng) * 0.1;
        check_gradients(&invariance_loss, &e1, &e2, 1e-6);
    }

    #[test]
    fn info_nce_small_temperature_is_finite_and_correct() {
        // τ = 1e-3 spreads the logits over 2000, past the fast path: the
        // per-row log-sum-exp gives the exact loss and finite gradients.
        let mut rng = Rng::new(8);
        let e1 = random(6, 3, &mut rng);
        let e2 = random(6, 3, &mut rng);
        let tau = 1e-3;
        let (l, g1, g2) = info_nce(&e1, &e2, tau);
        assert!(l.is_finite() && g1.iter().chain(g2.iter()).all(|v| v.is_finite()));
        // Direct formula with per-row shifts.
        let (z1, _) = normalise_rows(&e1);
        let (z2, _) = normalise_rows(&e2);
        let s = (&z1 * z2.transpose()) / tau;
        let lse = |v: Vec<f64>| {
            let m = v.iter().cloned().fold(f64::MIN, f64::max);
            m + v.iter().map(|x| (x - m).exp()).sum::<f64>().ln()
        };
        let mut want = 0.0;
        for i in 0..6 {
            want += lse(s.row(i).iter().copied().collect()) - s[(i, i)];
            want += lse(s.column(i).iter().copied().collect()) - s[(i, i)];
        }
        want /= 12.0;
        assert!(
            (l - want).abs() < 1e-9 * want.abs().max(1.0),
            "{l} vs {want}"
        );
        // Temperatures on both sides of the switch agree with differences.
        for tau in [0.004, 0.003] {
            check_gradients(
                &move |a, b| info_nce(a, b, tau),
                &e1,
                &(&e1 + &e2 * 0.001),
                1e-4,
            );
        }
    }

    #[test]
    fn info_nce_extremes() {
        let mut rng = Rng::new(3);
        let b = 64;
        let tau = 0.1;
        // Independent random embeddings in high dimension: ≈ log B.
        let (l, _, _) = info_nce(&random(b, 256, &mut rng), &random(b, 256, &mut rng), tau);
        assert!(
            (l - (b as f64).ln()).abs() < 0.3,
            "random: {l} vs {}",
            (b as f64).ln()
        );
        // Identical views, orthogonal rows (one-hot): near the minimum
        // log(1 + (B−1)e^{−1/τ}).
        let e = DMatrix::from_fn(b, b, |i, j| if i == j { 3.0 } else { 0.0 });
        let (l, g1, g2) = info_nce(&e, &e, tau);
        let floor = (1.0 + (b as f64 - 1.0) * (-1.0 / tau).exp()).ln();
        assert!((l - floor).abs() < 1e-9, "{l} vs {floor}");
        assert!(l < 0.01);
        assert!(g1.norm() < 0.01 && g2.norm() < 0.01);
        // Scaling a row does not change the loss.
        let e1 = random(5, 3, &mut rng);
        let e2 = random(5, 3, &mut rng);
        let mut e1s = e1.clone();
        e1s.row_mut(2).scale_mut(7.0);
        assert!((info_nce(&e1, &e2, 0.5).0 - info_nce(&e1s, &e2, 0.5).0).abs() < 1e-12);
    }

    #[test]
    fn invariance_extremes() {
        let mut rng = Rng::new(4);
        // Identical, decorrelated, unit-std views: loss ≈ 0 (only sampling
        // covariance remains).
        let e = random(4000, 4, &mut rng) * 1.5;
        let (l, _, _) = invariance_loss(&e, &e);
        assert!(l < 0.02, "{l}");
        // Collapsed views: the variance hinge is fully on, 25·½·2·(1 − √ε).
        let c = DMatrix::from_element(10, 4, 0.7);
        let (l, g1, _) = invariance_loss(&c, &c);
        assert!((l - 25.0 * (1.0 - 1e-2)).abs() < 1e-9, "{l}");
        assert!(g1.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn degenerate_inputs() {
        let e = DMatrix::zeros(0, 4);
        assert_eq!(info_nce(&e, &e, 0.1).0, 0.0);
        assert_eq!(invariance_loss(&e, &e).0, 0.0);
        let a = DMatrix::zeros(3, 2);
        let b = DMatrix::zeros(2, 2);
        assert!(info_nce(&a, &b, 0.1).0.is_nan());
        assert!(invariance_loss(&a, &b).0.is_nan());
        // Zero embeddings: finite loss and gradients.
        let (l, g1, g2) = info_nce(&a, &a, 0.1);
        assert!((l - 3f64.ln()).abs() < 1e-12);
        assert!(g1.iter().chain(g2.iter()).all(|v| v.is_finite()));
        // Non-finite embeddings: a NaN loss, never a panic.
        let mut bad = DMatrix::from_element(3, 2, 1.0);
        bad[(1, 0)] = f64::NAN;
        assert!(info_nce(&bad, &x_ones(), 0.1).0.is_nan());
        assert!(invariance_loss(&bad, &x_ones()).0.is_nan());
        // Bad temperature falls back to 1.
        let x = DMatrix::from_fn(3, 2, |i, j| (i + 2 * j) as f64);
        assert_eq!(info_nce(&x, &x, f64::NAN).0, info_nce(&x, &x, 1.0).0);
        assert_eq!(info_nce(&x, &x, -2.0).0, info_nce(&x, &x, 1.0).0);
        // One sample: invariance only.
        let one = DMatrix::from_row_slice(1, 2, &[1.0, 2.0]);
        let two = DMatrix::from_row_slice(1, 2, &[1.0, 3.0]);
        assert!((invariance_loss(&one, &two).0 - 25.0 * 0.5).abs() < 1e-12);
    }

    fn x_ones() -> DMatrix<f64> {
        DMatrix::from_element(3, 2, 1.0)
    }

    fn net(rng: &mut Rng) -> Mlp {
        Mlp::new(
            MlpSpec {
                sizes: vec![5, 8, 8, 4],
                activation: Activation::Tanh,
                parametrisation: Parametrisation::Ntk,
                hidden_std: 1.0,
                readout_std: 1.0,
                bias_init: 0.1,
            },
            rng,
        )
    }

    #[test]
    fn ssl_step_follows_the_gradient() {
        // A small step lowers the loss by ≈ lr·‖∇‖², checked against the
        // loss recomputed after the step, for both objectives.
        for objective in [Objective::InfoNce, Objective::Invariance] {
            let mut rng = Rng::new(5);
            let mut model = net(&mut rng);
            let v1 = random(12, 5, &mut rng);
            let v2 = &v1 + random(12, 5, &mut rng) * 0.3;
            let loss_of = |m: &Mlp| {
                let (a, b) = (m.forward(&v1), m.forward(&v2));
                match objective {
                    Objective::InfoNce => info_nce(a.output(), b.output(), 0.5).0,
                    Objective::Invariance => invariance_loss(a.output(), b.output()).0,
                }
            };
            let before = loss_of(&model);
            let mut opt = Sgd::new(1e-3, 0.0, 0.0);
            let reported = ssl_step(&mut model, &mut opt, &v1, &v2, objective, 0.5);
            assert_eq!(reported, before);
            let after = loss_of(&model);
            assert!(after < before, "{objective:?}: {before} -> {after}");
        }
    }

    #[test]
    fn ssl_step_rejects_bad_input() {
        let mut rng = Rng::new(6);
        let mut model = net(&mut rng);
        let copy = model.clone();
        let mut opt = Sgd::new(0.1, 0.9, 0.0);
        let wrong = random(4, 3, &mut rng);
        assert!(ssl_step(
            &mut model,
            &mut opt,
            &wrong,
            &wrong,
            Objective::InfoNce,
            0.1
        )
        .is_nan());
        let mut nan = random(4, 5, &mut rng);
        nan[(0, 0)] = f64::NAN;
        assert!(ssl_step(&mut model, &mut opt, &nan, &nan, Objective::Invariance, 0.1).is_nan());
        assert_eq!(model, copy);
    }

    #[test]
    fn representation_is_last_hidden_layer() {
        let mut rng = Rng::new(7);
        let model = net(&mut rng);
        let x = random(3, 5, &mut rng);
        let r = representation(&model, &x);
        assert_eq!(r.shape(), (3, 8));
        assert_eq!(r, model.forward(&x).hidden[1]);
    }
}
