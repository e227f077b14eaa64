//! Credit-assignment rules for any [`Mlp`]: how the output error reaches the
//! hidden layers (Marblestone, Wayne & Kording 2016, "Toward an integration
//! of deep learning and neuroscience", §2 of SCIENCE.md).
//!
//! In the MLP's layout (samples × features, W_l of shape fan_in × fan_out,
//! a_l = c_l h_{l−1} W_l + b_l, h_l = φ(a_l)), with e = ∂L/∂a_L the output
//! error and δ_l the signal a rule delivers to layer l:
//!
//! - **Backprop (BP)**: δ_l = c_{l+1} (δ_{l+1} W_{l+1}ᵀ) ⊙ φ'(a_l).
//! - **Feedback alignment (FA; Lillicrap et al. 2016)**:
//!   δ_l = c_{l+1} (δ_{l+1} B_{l+1}ᵀ) ⊙ φ'(a_l), B_{l+1} fixed, random, shaped
//!   like W_{l+1} (the paper's "B in place of Wᵀ": in this layout W is
//!   already the paper's Wᵀ, so B = W here is the paper's B = Wᵀ).
//! - **Direct feedback alignment (DFA; Nøkland 2016)**:
//!   δ_l = (e B_lᵀ) ⊙ φ'(a_l), B_l fixed, random, width_l × outputs.
//! - **Node perturbation (NP; Werfel, Xie & Seung 2005)**: add σ z_l,
//!   z ~ N(0, I), to every pre-activation (hidden and output) of a second
//!   forward pass; δ̂_{l,i} = (l̃_i − l_i) z_{l,i}/σ per sample i, where l_i is
//!   sample i's loss term. To first order E[δ̂] = δ (the true ∂L/∂a_l).
//! - **Weight perturbation (WP)**: add σ Z to every weight and bias;
//!   ĝ = (L(w + σZ) − L(w)) Z/σ; E[ĝ] → ∇L as σ → 0.
//!
//! Every rule ends in the same place, a [`Grads`] shaped like the parameters
//! (the direction the optimiser descends): ∂L/∂W_l ≈ c_l h_{l−1}ᵀ δ_l and
//! ∂L/∂b_l ≈ Σ_i δ_{l,i}, so its angle with the true gradient can be measured
//! every step ([`angle_degrees`]) and any optimiser ([`super::optimizer::Sgd`])
//! can apply it.
//!
//! **Using a rule in a lab.** Where a lab has
//! `let grads = net.backward(&x, &fwd, &d_out);` it writes
//! `let grads = credit.grads(&net, &x, &fwd, &d_out, &|out| per_sample_loss(out));`
//! with a [`Credit`] built once from the lab's seed ([`Credit::new`]). The
//! closure returns the per-sample loss terms (summing to the loss whose
//! gradient is `d_out`); only the perturbation rules call it. Optional local
//! costs per layer are in [`local`].
//!
//! Cost per step, in forward-pass units (one forward ≈ one GEMM per layer):
//! BP, FA and DFA do one forward, one backward (one signal GEMM per hidden
//! layer; DFA's are narrower, width × outputs) and one gradient GEMM per
//! layer. NP and WP do **one extra forward pass** (the perturbed one) and no
//! backward pass; WP also draws one normal per parameter, NP one per unit and
//! sample.

pub mod bench;
pub mod cost;
pub mod local;

use nalgebra::{DMatrix, DVector};

use super::mlp::{Forward, Grads, Mlp};
use crate::gemm;
use crate::rng::Rng;

pub use cost::Cost;
pub use local::{LocalCost, LocalHeads};

/// A credit-assignment rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    Backprop,
    FeedbackAlignment,
    DirectFeedbackAlignment,
    NodePerturbation,
    WeightPerturbation,
}

impl Rule {
    /// Every rule, in display order.
    pub const ALL: [Rule; 5] = [
        Rule::Backprop,
        Rule::FeedbackAlignment,
        Rule::DirectFeedbackAlignment,
        Rule::NodePerturbation,
        Rule::WeightPerturbation,
    ];

    /// (URL key, label) of every rule, for a lab's `rule` choice or `rules`
    /// multi parameter.
    pub fn options() -> Vec<(&'static str, &'static str)> {
        Rule::ALL.iter().map(|r| (r.key(), r.label())).collect()
    }

    /// Parse the URL key ("bp", "fa", "dfa", "np", "wp").
    pub fn from_key(key: &str) -> Option<Self> {
        Rule::ALL.into_iter().find(|r| r.key() == key)
    }

    /// The URL key, also the prefix of the rule's snapshot keys.
    pub fn key(self) -> &'static str {
        match self {
            Rule::Backprop => "bp",
            Rule::FeedbackAlignment => "fa",
            Rule::DirectFeedbackAlignment => "dfa",
            Rule::NodePerturbation => "np",
            Rule::WeightPerturbation => "wp",
        }
    }

    /// A short human label.
    pub fn label(self) -> &'static str {
        match self {
            Rule::Backprop => "Backprop",
            Rule::FeedbackAlignment => "Feedback alignment",
            Rule::DirectFeedbackAlignment => "Direct feedback alignment",
            Rule::NodePerturbation => "Node perturbation",
            Rule::WeightPerturbation => "Weight perturbation",
        }
    }

    /// The position in [`Rule::ALL`] (a stable stream number for its noise).
    pub fn index(self) -> usize {
        Rule::ALL.iter().position(|&r| r == self).unwrap_or(0)
    }

    /// Whether the rule uses a fixed random feedback matrix per hidden layer.
    pub fn has_feedback(self) -> bool {
        matches!(
            self,
            Rule::FeedbackAlignment | Rule::DirectFeedbackAlignment
        )
    }
}

/// A rule with its state: the fixed feedback matrices (FA, DFA) and the
/// noise stream and scale σ (NP, WP).
#[derive(Clone, Debug)]
pub struct Credit {
    pub rule: Rule,
    /// One matrix per hidden layer k, carrying the signal to layer k. FA:
    /// shaped like W_{k+1} (width_k × width_{k+1}); DFA: width_k × outputs.
    /// Backprop draws FA-shaped ones too, unused, so that ∠(Be, Wᵀe) can be
    /// measured as a control (the credit lab averages it over more random
    /// draws: for one B it sits at 90° only up to chance). Empty for NP and
    /// WP.
    pub feedback: Vec<DMatrix<f64>>,
    /// The perturbation scale σ (NP, WP).
    pub sigma: f64,
    noise: Rng,
}

impl Credit {
    /// A rule for networks shaped like `net`. Feedback entries are
    /// U[−scale, scale], drawn from `feedback_rng` matrix by matrix,
    /// row-major (Lillicrap et al. 2016 use U[−0.5, 0.5]); `noise` is the
    /// perturbation rules' stream.
    pub fn new(
        rule: Rule,
        net: &Mlp,
        scale: f64,
        sigma: f64,
        feedback_rng: &mut Rng,
        noise: Rng,
    ) -> Self {
        let sizes = &net.spec.sizes;
        let outputs = *sizes.last().unwrap_or(&0);
        let hidden = net.n_layers().saturating_sub(1);
        let shapes: Vec<(usize, usize)> = match rule {
            Rule::Backprop | Rule::FeedbackAlignment => {
                (0..hidden).map(|k| (sizes[k + 1], sizes[k + 2])).collect()
            }
            Rule::DirectFeedbackAlignment => (0..hidden).map(|k| (sizes[k + 1], outputs)).collect(),
            _ => vec![],
        };
        let feedback = shapes
            .into_iter()
            .map(|(r, c)| uniform_matrix(feedback_rng, r, c, scale))
            .collect();
        Credit {
            rule,
            feedback,
            sigma,
            noise,
        }
    }

    /// The rule's estimate of ∂L/∂(weights, biases) for the batch `x`, given
    /// the forward pass `fwd` and `d_out` = ∂L/∂output. `per_sample_loss`
    /// maps an output matrix to its per-sample loss terms (only NP and WP
    /// call it).
    pub fn grads(
        &mut self,
        net: &Mlp,
        x: &DMatrix<f64>,
        fwd: &Forward,
        d_out: &DMatrix<f64>,
        per_sample_loss: &dyn Fn(&DMatrix<f64>) -> Vec<f64>,
    ) -> Grads {
        match self.rule {
            Rule::Backprop => net.backward(x, fwd, d_out),
            Rule::FeedbackAlignment | Rule::DirectFeedbackAlignment => {
                let deltas = self.signals(net, fwd, d_out);
                grads_from_signals(net, x, fwd, &deltas)
            }
            Rule::NodePerturbation => {
                let deltas = self.node_perturbation_signals(net, x, fwd, per_sample_loss);
                grads_from_signals(net, x, fwd, &deltas)
            }
            Rule::WeightPerturbation => self.weight_perturbation(net, x, fwd, per_sample_loss),
        }
    }

    /// The signals δ_l of BP, FA or DFA, output layer last (δ_L = d_out).
    /// NP and WP have no deterministic signal: they get backprop's.
    pub fn signals(&self, net: &Mlp, fwd: &Forward, d_out: &DMatrix<f64>) -> Vec<DMatrix<f64>> {
        let n = net.n_layers();
        match self.rule {
            Rule::FeedbackAlignment | Rule::DirectFeedbackAlignment => {
                let act = net.spec.activation;
                let mut deltas: Vec<DMatrix<f64>> = vec![DMatrix::zeros(0, 0); n];
                deltas[n - 1] = d_out.clone();
                for k in (0..n - 1).rev() {
                    let mut d = if self.rule == Rule::FeedbackAlignment {
                        let mut d = gemm::mul_nt(&deltas[k + 1], &self.feedback[k]);
                        d *= net.multipliers[k + 1];
                        d
                    } else {
                        gemm::mul_nt(d_out, &self.feedback[k])
                    };
                    let (a, h) = (&fwd.pre[k], &fwd.hidden[k]);
                    for ((dv, &av), &hv) in d.iter_mut().zip(a.iter()).zip(h.iter()) {
                        *dv *= act.derivative(av, hv);
                    }
                    deltas[k] = d;
                }
                deltas
            }
            _ => net.backprop_signals(fwd, d_out),
        }
    }

    /// Node perturbation: one forward pass with σz added to every
    /// pre-activation, then δ̂_{l,i} = (l̃_i − l_i) z_{l,i}/σ.
    fn node_perturbation_signals(
        &mut self,
        net: &Mlp,
        x: &DMatrix<f64>,
        fwd: &Forward,
        per_sample_loss: &dyn Fn(&DMatrix<f64>) -> Vec<f64>,
    ) -> Vec<DMatrix<f64>> {
        let n = x.nrows();
        let z: Vec<DMatrix<f64>> = fwd
            .pre
            .iter()
            .map(|a| DMatrix::from_fn(n, a.ncols(), |_, _| self.noise.normal()))
            .collect();
        let noisy = perturbed_forward(net, x, &z, self.sigma);
        let (clean, pert) = (per_sample_loss(fwd.output()), per_sample_loss(&noisy));
        let scale: Vec<f64> = (0..n).map(|i| (pert[i] - clean[i]) / self.sigma).collect();
        z.into_iter()
            .map(|mut zl| {
                for j in 0..zl.ncols() {
                    for (i, v) in zl.column_mut(j).iter_mut().enumerate() {
                        *v *= scale[i];
                    }
                }
                zl
            })
            .collect()
    }

    /// Weight perturbation: Z ~ N(0, I) over every weight and bias (drawn
    /// layer by layer, weights column-major then biases), one forward pass of
    /// w + σZ, ĝ = (L(w + σZ) − L(w)) Z/σ.
    fn weight_perturbation(
        &mut self,
        net: &Mlp,
        x: &DMatrix<f64>,
        fwd: &Forward,
        per_sample_loss: &dyn Fn(&DMatrix<f64>) -> Vec<f64>,
    ) -> Grads {
        let mut weights = Vec::with_capacity(net.n_layers());
        let mut biases = Vec::with_capacity(net.n_layers());
        for l in 0..net.n_layers() {
            let w = &net.weights[l];
            weights.push(DMatrix::from_fn(w.nrows(), w.ncols(), |_, _| {
                self.noise.normal()
            }));
            biases.push(DVector::from_fn(net.biases[l].len(), |_, _| {
                self.noise.normal()
            }));
        }
        let mut moved = net.clone();
        for l in 0..net.n_layers() {
            moved.weights[l] += &weights[l] * self.sigma;
            moved.biases[l] += &biases[l] * self.sigma;
        }
        let out = moved.forward(x);
        let clean: f64 = per_sample_loss(fwd.output()).iter().sum();
        let pert: f64 = per_sample_loss(out.output()).iter().sum();
        let s = (pert - clean) / self.sigma;
        for l in 0..net.n_layers() {
            weights[l] *= s;
            biases[l] *= s;
        }
        Grads { weights, biases }
    }
}

/// ∂L/∂W_l = c_l h_{l−1}ᵀ δ_l and ∂L/∂b_l = Σ_i δ_{l,i} for given signals
/// (as [`Mlp::backward`] does with backprop's).
pub fn grads_from_signals(
    net: &Mlp,
    x: &DMatrix<f64>,
    fwd: &Forward,
    deltas: &[DMatrix<f64>],
) -> Grads {
    let mut weights = Vec::with_capacity(net.n_layers());
    let mut biases = Vec::with_capacity(net.n_layers());
    for (l, delta) in deltas.iter().enumerate() {
        let input = if l == 0 { x } else { &fwd.hidden[l - 1] };
        weights.push(gemm::mul_tn(input, delta) * net.multipliers[l]);
        biases.push(DVector::from_iterator(
            delta.ncols(),
            delta.column_iter().map(|c| c.sum()),
        ));
    }
    Grads { weights, biases }
}

/// The network's output when σ z_l is added to every pre-activation a_l
/// (hidden and output layers).
pub fn perturbed_forward(
    net: &Mlp,
    x: &DMatrix<f64>,
    z: &[DMatrix<f64>],
    sigma: f64,
) -> DMatrix<f64> {
    let act = net.spec.activation;
    let mut h = x.clone();
    for (l, zl) in z.iter().enumerate().take(net.n_layers()) {
        let mut a = gemm::mul(&h, &net.weights[l]);
        let c = net.multipliers[l];
        for j in 0..a.ncols() {
            let bj = net.biases[l][j];
            for (i, v) in a.column_mut(j).iter_mut().enumerate() {
                *v = c * *v + bj + sigma * zl[(i, j)];
            }
        }
        if l + 1 < net.n_layers() {
            a.apply(|v| *v = act.apply(*v));
        }
        h = a;
    }
    h
}

/// A rows × cols matrix of U[−scale, scale] entries, drawn row-major.
pub fn uniform_matrix(rng: &mut Rng, rows: usize, cols: usize, scale: f64) -> DMatrix<f64> {
    let mut m = DMatrix::zeros(rows, cols);
    for i in 0..rows {
        for j in 0..cols {
            m[(i, j)] = rng.uniform_in(-scale, scale);
        }
    }
    m
}

/// The angle in degrees between two vectors (flattened matrices), in
/// [0°, 180°]: θ = 2·atan2(‖â − b̂‖, ‖â + b̂‖) with â = a/‖a‖, b̂ = b/‖b‖
/// (Kahan's form: unlike acos of the cosine it stays accurate near 0° and
/// 180°, so a vector's angle with itself is exactly 0). NaN when either is
/// zero, not finite, or the lengths differ.
pub fn angle_degrees(a: &[f64], b: &[f64]) -> f64 {
    if a.len() != b.len() {
        return f64::NAN;
    }
    let na = a.iter().map(|v| v * v).sum::<f64>().sqrt();
    let nb = b.iter().map(|v| v * v).sum::<f64>().sqrt();
    if na == 0.0 || nb == 0.0 || !na.is_finite() || !nb.is_finite() {
        return f64::NAN;
    }
    let (mut diff, mut sum) = (0.0, 0.0);
    for (&x, &y) in a.iter().zip(b) {
        let (u, v) = (x / na, y / nb);
        diff += (u - v) * (u - v);
        sum += (u + v) * (u + v);
    }
    2.0 * libm::atan2(diff.sqrt(), sum.sqrt()) * (180.0 / core::f64::consts::PI)
}

/// ⟨a, b⟩/(‖a‖‖b‖); NaN when either norm is zero or not finite, or the
/// lengths differ.
pub fn cosine(a: &[f64], b: &[f64]) -> f64 {
    if a.len() != b.len() {
        return f64::NAN;
    }
    let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
    for (&x, &y) in a.iter().zip(b) {
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    let d = aa.sqrt() * bb.sqrt();
    if d == 0.0 || !d.is_finite() {
        return f64::NAN;
    }
    ab / d
}

/// The hidden layers' weight updates (every layer but the readout),
/// flattened in layer order: the vector whose angle with backprop's the
/// credit lab reports.
pub fn hidden_update(g: &Grads) -> Vec<f64> {
    let n = g.weights.len().saturating_sub(1);
    g.weights[..n]
        .iter()
        .flat_map(|w| w.iter().copied())
        .collect()
}

#[cfg(test)]
mod tests;
