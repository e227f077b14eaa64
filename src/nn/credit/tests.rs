//! The rules against backprop, finite differences and the perturbation
//! statistics of Werfel, Xie & Seung 2005 (SCIENCE.md §2).

use super::*;
use crate::nn::{Activation, MlpSpec, Parametrisation};

fn net(sizes: &[usize], act: Activation, seed: u64) -> Mlp {
    let spec = MlpSpec {
        sizes: sizes.to_vec(),
        activation: act,
        parametrisation: Parametrisation::Standard,
        hidden_std: 0.5,
        readout_std: 0.5,
        bias_init: 0.1,
    };
    Mlp::new(spec, &mut Rng::new(seed))
}

fn batch(n: usize, d_in: usize, d_out: usize, seed: u64) -> (DMatrix<f64>, DMatrix<f64>) {
    let mut rng = Rng::new(seed);
    let x = DMatrix::from_fn(n, d_in, |_, _| rng.normal());
    let y = DMatrix::from_fn(n, d_out, |_, _| rng.normal());
    (x, y)
}

fn flat(g: &Grads) -> Vec<f64> {
    let mut v = Vec::new();
    for (w, b) in g.weights.iter().zip(&g.biases) {
        v.extend(w.iter());
        v.extend(b.iter());
    }
    v
}

fn credit(rule: Rule, net: &Mlp, sigma: f64) -> Credit {
    Credit::new(rule, net, 0.5, sigma, &mut Rng::new(5), Rng::new(6))
}

/// Central finite differences of the cost through the whole network, for
/// every parameter: the independent computation of the gradient.
fn finite_difference(net: &Mlp, x: &DMatrix<f64>, y: &DMatrix<f64>, cost: Cost) -> Vec<f64> {
    let eps = 1e-6;
    let mut out = Vec::new();
    for l in 0..net.n_layers() {
        for idx in 0..net.weights[l].len() {
            let (mut p, mut m) = (net.clone(), net.clone());
            p.weights[l][idx] += eps;
            m.weights[l][idx] -= eps;
            out.push(
                (cost.loss(p.forward(x).output(), y) - cost.loss(m.forward(x).output(), y))
                    / (2.0 * eps),
            );
        }
        for idx in 0..net.biases[l].len() {
            let (mut p, mut m) = (net.clone(), net.clone());
            p.biases[l][idx] += eps;
            m.biases[l][idx] -= eps;
            out.push(
                (cost.loss(p.forward(x).output(), y) - cost.loss(m.forward(x).output(), y))
                    / (2.0 * eps),
            );
        }
    }
    out
}

#[test]
fn backprop_matches_finite_differences_for_both_costs() {
    let n = net(&[4, 6, 5, 3], Activation::Tanh, 1);
    let (x, mut y) = batch(5, 4, 3, 2);
    for cost in [Cost::Mse, Cost::CrossEntropy] {
        if cost == Cost::CrossEntropy {
            y = DMatrix::from_fn(5, 3, |i, j| if i % 3 == j { 1.0 } else { 0.0 });
        }
        let fwd = n.forward(&x);
        let d_out = cost.gradient(fwd.output(), &y);
        let per = |o: &DMatrix<f64>| cost.per_sample(o, &y);
        let g = flat(&credit(Rule::Backprop, &n, 1e-3).grads(&n, &x, &fwd, &d_out, &per));
        let fd = finite_difference(&n, &x, &y, cost);
        for (a, b) in g.iter().zip(&fd) {
            assert!(
                (a - b).abs() < 1e-7 * (1.0 + b.abs()),
                "{cost:?}: {a} vs {b}"
            );
        }
    }
}

#[test]
fn feedback_alignment_with_b_equal_to_w_is_backprop_bit_for_bit() {
    for act in [Activation::Tanh, Activation::Relu, Activation::Linear] {
        let n = net(&[4, 7, 6, 3], act, 3);
        let (x, y) = batch(5, 4, 3, 4);
        let fwd = n.forward(&x);
        let d_out = Cost::Mse.gradient(fwd.output(), &y);
        let per = |o: &DMatrix<f64>| Cost::Mse.per_sample(o, &y);
        let mut fa = credit(Rule::FeedbackAlignment, &n, 0.0);
        fa.feedback = n.weights[1..].to_vec();
        let bp = n.backward(&x, &fwd, &d_out);
        assert_eq!(fa.grads(&n, &x, &fwd, &d_out, &per), bp, "{act:?}");
        // With a random B it differs.
        let mut fa = credit(Rule::FeedbackAlignment, &n, 0.0);
        assert_ne!(fa.grads(&n, &x, &fwd, &d_out, &per), bp);
    }
}

#[test]
fn direct_feedback_alignment_with_one_hidden_layer_and_b_equal_to_w_is_backprop() {
    let n = net(&[4, 7, 3], Activation::Tanh, 5);
    let (x, y) = batch(5, 4, 3, 6);
    let fwd = n.forward(&x);
    let d_out = Cost::Mse.gradient(fwd.output(), &y);
    let mut dfa = credit(Rule::DirectFeedbackAlignment, &n, 0.0);
    assert_eq!(dfa.feedback[0].shape(), (7, 3));
    dfa.feedback = vec![n.weights[1].clone()];
    let per = |o: &DMatrix<f64>| Cost::Mse.per_sample(o, &y);
    assert_eq!(
        dfa.grads(&n, &x, &fwd, &d_out, &per),
        n.backward(&x, &fwd, &d_out)
    );
}

/// E|u₁| for u uniform on the unit sphere of R^D:
/// Γ(D/2)/(√π Γ((D+1)/2)), ≈ √(2/(πD)) for large D.
fn mean_abs_cosine(d: usize) -> f64 {
    libm::exp(libm::lgamma(d as f64 / 2.0) - libm::lgamma((d as f64 + 1.0) / 2.0))
        / core::f64::consts::PI.sqrt()
}

#[test]
fn node_perturbation_single_sample_cosine_is_sqrt_2_over_pi_d() {
    // One sample; D = 20 + 10 = 30 perturbed units.
    let n = net(&[10, 20, 10], Activation::Tanh, 7);
    let (x, y) = batch(1, 10, 10, 8);
    let fwd = n.forward(&x);
    let d_out = Cost::Mse.gradient(fwd.output(), &y);
    let truth: Vec<f64> = n
        .backprop_signals(&fwd, &d_out)
        .iter()
        .flat_map(|d| d.iter().copied())
        .collect();
    let per = |o: &DMatrix<f64>| Cost::Mse.per_sample(o, &y);
    let mut np = credit(Rule::NodePerturbation, &n, 1e-5);
    let draws = 4000;
    let mean: f64 = (0..draws)
        .map(|_| {
            let est: Vec<f64> = np
                .node_perturbation_signals(&n, &x, &fwd, &per)
                .iter()
                .flat_map(|d| d.iter().copied())
                .collect();
            cosine(&est, &truth).abs()
        })
        .sum::<f64>()
        / draws as f64;
    let d = truth.len();
    eprintln!(
        "NP single-sample mean |cos| {mean:.4}, D {d}, sqrt(2/(pi D)) {:.4}, sphere {:.4}",
        (2.0 / (core::f64::consts::PI * d as f64)).sqrt(),
        mean_abs_cosine(d)
    );
    let approx = (2.0 / (core::f64::consts::PI * d as f64)).sqrt();
    assert!(
        (mean / approx - 1.0).abs() < 0.15,
        "mean |cos| {mean}, √(2/πD) {approx}"
    );
    // Closer still to the exact sphere value (sampling error ≈ 0.5%).
    assert!(
        (mean / mean_abs_cosine(d) - 1.0).abs() < 0.04,
        "{mean} vs {}",
        mean_abs_cosine(d)
    );
}

#[test]
fn weight_perturbation_single_sample_cosine_is_sqrt_2_over_pi_d() {
    let n = net(&[5, 6, 3], Activation::Tanh, 9);
    let (x, y) = batch(4, 5, 3, 10);
    let fwd = n.forward(&x);
    let d_out = Cost::Mse.gradient(fwd.output(), &y);
    let truth = flat(&n.backward(&x, &fwd, &d_out));
    let per = |o: &DMatrix<f64>| Cost::Mse.per_sample(o, &y);
    let mut wp = credit(Rule::WeightPerturbation, &n, 1e-5);
    let draws = 4000;
    let mean: f64 = (0..draws)
        .map(|_| cosine(&flat(&wp.grads(&n, &x, &fwd, &d_out, &per)), &truth).abs())
        .sum::<f64>()
        / draws as f64;
    let approx = (2.0 / (core::f64::consts::PI * truth.len() as f64)).sqrt();
    eprintln!(
        "WP single-sample mean |cos| {mean:.4}, D {}, sqrt(2/(pi D)) {approx:.4}",
        truth.len()
    );
    assert!(
        (mean / approx - 1.0).abs() < 0.15,
        "mean |cos| {mean}, √(2/πD) {approx}, D {}",
        truth.len()
    );
}

#[test]
fn averaged_perturbation_estimates_converge_to_the_gradient() {
    let n = net(&[6, 8, 4], Activation::Tanh, 11);
    let (x, y) = batch(3, 6, 4, 12);
    let fwd = n.forward(&x);
    let d_out = Cost::Mse.gradient(fwd.output(), &y);
    let truth = flat(&n.backward(&x, &fwd, &d_out));
    let norm = truth.iter().map(|v| v * v).sum::<f64>().sqrt();
    let per = |o: &DMatrix<f64>| Cost::Mse.per_sample(o, &y);
    for rule in [Rule::NodePerturbation, Rule::WeightPerturbation] {
        let mut c = credit(rule, &n, 1e-4);
        let mut sum = vec![0.0; truth.len()];
        let mut errors = Vec::new();
        for k in 1..=16_000 {
            for (s, v) in sum
                .iter_mut()
                .zip(flat(&c.grads(&n, &x, &fwd, &d_out, &per)))
            {
                *s += v;
            }
            if k == 1000 || k == 16_000 {
                let err = sum
                    .iter()
                    .zip(&truth)
                    .map(|(s, t)| (s / k as f64 - t).powi(2))
                    .sum::<f64>()
                    .sqrt();
                errors.push(err / norm);
            }
        }
        eprintln!("{rule:?}: relative error of the mean of K = 1000, 16000 estimates {errors:?}");
        // Monte-Carlo error ∝ 1/√K: 16× the draws, about ¼ the error.
        assert!(errors[1] < 0.15, "{rule:?}: relative error {errors:?}");
        assert!(errors[1] < 0.5 * errors[0], "{rule:?}: {errors:?}");
    }
}

#[test]
fn node_perturbation_tends_to_its_linearisation_as_sigma_vanishes() {
    // For the same noise z, δ̂ → (Σ_l z_l·δ_l) z per sample as σ → 0, whose
    // mean over z is δ: the expected update approaches backprop's.
    let n = net(&[4, 6, 5, 3], Activation::Tanh, 13);
    let (x, y) = batch(3, 4, 3, 14);
    let fwd = n.forward(&x);
    let d_out = Cost::Mse.gradient(fwd.output(), &y);
    let deltas = n.backprop_signals(&fwd, &d_out);
    let per = |o: &DMatrix<f64>| Cost::Mse.per_sample(o, &y);
    let mut gaps = Vec::new();
    for sigma in [1e-1, 1e-2, 1e-3, 1e-4] {
        let mut c = credit(Rule::NodePerturbation, &n, sigma);
        let mut noise = c.noise.clone();
        let z: Vec<DMatrix<f64>> = fwd
            .pre
            .iter()
            .map(|a| DMatrix::from_fn(3, a.ncols(), |_, _| noise.normal()))
            .collect();
        let est = c.node_perturbation_signals(&n, &x, &fwd, &per);
        let mut gap: f64 = 0.0;
        let mut size: f64 = 0.0;
        for i in 0..3 {
            let s: f64 = (0..deltas.len())
                .map(|l| z[l].row(i).dot(&deltas[l].row(i)))
                .sum();
            for l in 0..deltas.len() {
                let lin = z[l].row(i) * s;
                gap += (est[l].row(i) - &lin).norm_squared();
                size += lin.norm_squared();
            }
        }
        gaps.push((gap / size).sqrt());
    }
    eprintln!("NP gap to its linearisation at sigma 1e-1..1e-4: {gaps:?}");
    // The gap is O(σ): ten times smaller σ, about ten times smaller gap.
    for w in gaps.windows(2) {
        assert!(w[1] < 0.2 * w[0], "{gaps:?}");
    }
    assert!(gaps[3] < 1e-3, "{gaps:?}");
}

#[test]
fn local_costs_match_finite_differences_on_the_first_layer() {
    // The first layer's input is x, so the local gradient of W₀ and b₀ is
    // the full derivative of λ·ℓ₀ and finite differences check it directly.
    let n = net(&[4, 6, 5, 3], Activation::Tanh, 15);
    let (x, y) = batch(5, 4, 3, 16);
    for kind in [LocalCost::Classifier, LocalCost::Reconstruction] {
        let mut heads = LocalHeads::new(kind, &n, 0.7, 0.0, &mut Rng::new(17));
        let fwd = n.forward(&x);
        let zero = Grads {
            weights: n.weights.iter().map(|w| w * 0.0).collect(),
            biases: n.biases.iter().map(|b| b * 0.0).collect(),
        };
        let mut g = zero.clone();
        let before = heads.clone();
        heads.apply(&n, &x, &fwd, &y, &mut g);
        assert_eq!(heads.heads, before.heads, "lr 0 keeps the heads");
        let only_first = |m: &Mlp| {
            let f = m.forward(&x);
            let mut h = heads.clone();
            h.heads.truncate(1);
            0.7 * h.loss(&x, &f, &y)
        };
        let eps = 1e-6;
        for idx in 0..n.weights[0].len() {
            let (mut p, mut m) = (n.clone(), n.clone());
            p.weights[0][idx] += eps;
            m.weights[0][idx] -= eps;
            let fd = (only_first(&p) - only_first(&m)) / (2.0 * eps);
            assert!(
                (fd - g.weights[0][idx]).abs() < 1e-8,
                "{kind:?} W0[{idx}] {fd} vs {}",
                g.weights[0][idx]
            );
        }
        let (mut p, mut m) = (n.clone(), n.clone());
        p.biases[0][2] += eps;
        m.biases[0][2] -= eps;
        let fd = (only_first(&p) - only_first(&m)) / (2.0 * eps);
        assert!((fd - g.biases[0][2]).abs() < 1e-8);
        // Readout untouched by local costs.
        assert_eq!(g.weights[2], zero.weights[2]);
    }
}

#[test]
fn angles() {
    assert!((angle_degrees(&[1.0, 0.0], &[0.0, 2.0]) - 90.0).abs() < 1e-12);
    assert_eq!(angle_degrees(&[0.3, -1.7, 2.9], &[0.3, -1.7, 2.9]), 0.0);
    assert!((angle_degrees(&[1.0, 2.0], &[-2.0, -4.0]) - 180.0).abs() < 1e-12);
    // Agrees with acos of the cosine away from 0° and 180°.
    let (a, b) = ([0.4, -1.2, 2.2, 0.1], [1.1, 0.3, -0.7, 2.0]);
    let via_cos = libm::acos(cosine(&a, &b)).to_degrees();
    assert!((angle_degrees(&a, &b) - via_cos).abs() < 1e-10);
    assert!((angle_degrees(&[1.0, 1.0], &[1.0, 0.0]) - 45.0).abs() < 1e-12);
    assert!(angle_degrees(&[0.0, 0.0], &[1.0, 0.0]).is_nan());
    assert_eq!(Rule::from_key("dfa"), Some(Rule::DirectFeedbackAlignment));
    assert_eq!(Rule::from_key("x"), None);
}
