//! A fully connected network with hand-written backpropagation, in numpy's
//! layout: inputs are samples × features and layer l computes
//!
//!   a_l = c_l · h_{l−1} W_l + 1 b_lᵀ,   h_l = φ(a_l),
//!
//! with W_l of shape fan_in × fan_out, and a linear output layer. The
//! multiplier c_l sets the parametrisation (Jacot et al. 2018 for NTK; Yang &
//! Hu 2021 / Mei et al. 2018 for mean-field / μP):
//!
//! - standard: c_l = 1 (weights carry their own scale; Flesch et al. 2022),
//! - NTK: c_l = 1/√fan_in,
//! - mean-field (μP-style): as NTK in the hidden layers, c_L = 1/fan_in on the
//!   readout, so the output starts near 0 and features must move to learn.
//!
//! The products of the forward and backward passes use [`crate::gemm`]
//! (blocked, k-ordered sums: the same bits natively and in wasm, and 2.5-3.5×
//! faster training than nalgebra's generic product in wasm; docs/benchmarks.md).

use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

use super::Activation;
use crate::gemm;
use crate::rng::Rng;

/// How layer outputs are scaled with width.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Parametrisation {
    Standard,
    Ntk,
    MeanField,
}

impl Parametrisation {
    /// Parse the URL key ("standard", "ntk", "mf").
    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "standard" => Some(Parametrisation::Standard),
            "ntk" => Some(Parametrisation::Ntk),
            "mf" => Some(Parametrisation::MeanField),
            _ => None,
        }
    }

    /// The multiplier c_l of a layer with `fan_in` inputs.
    pub fn multiplier(self, fan_in: usize, is_readout: bool) -> f64 {
        let n = fan_in.max(1) as f64;
        match self {
            Parametrisation::Standard => 1.0,
            Parametrisation::Ntk => 1.0 / libm::sqrt(n),
            Parametrisation::MeanField => {
                if is_readout {
                    1.0 / n
                } else {
                    1.0 / libm::sqrt(n)
                }
            }
        }
    }
}

/// The shape and initialisation of an [`Mlp`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MlpSpec {
    /// Layer widths: input, hidden…, output.
    pub sizes: Vec<usize>,
    pub activation: Activation,
    pub parametrisation: Parametrisation,
    /// Std of the entries of the hidden layers' W (input→hidden, hidden→hidden).
    pub hidden_std: f64,
    /// Std of the entries of the readout W.
    pub readout_std: f64,
    /// The constant every bias starts at.
    pub bias_init: f64,
}

/// A multilayer perceptron's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Mlp {
    pub spec: MlpSpec,
    /// W_l, fan_in × fan_out.
    pub weights: Vec<DMatrix<f64>>,
    /// b_l, length fan_out.
    pub biases: Vec<DVector<f64>>,
    /// c_l.
    pub multipliers: Vec<f64>,
}

/// Everything a forward pass computed, kept for the backward pass.
#[derive(Clone, Debug, Default)]
pub struct Forward {
    /// Pre-activations a_l of every layer, the output layer last.
    pub pre: Vec<DMatrix<f64>>,
    /// Hidden activations h_l = φ(a_l), one per hidden layer.
    pub hidden: Vec<DMatrix<f64>>,
}

impl Forward {
    /// The network output (samples × outputs).
    pub fn output(&self) -> &DMatrix<f64> {
        self.pre.last().expect("an MLP has at least one layer")
    }
}

/// Gradients, shaped like the parameters.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Grads {
    pub weights: Vec<DMatrix<f64>>,
    pub biases: Vec<DVector<f64>>,
}

impl Grads {
    /// The entry-wise sum of two gradients of the same network (for
    /// example of the two views of a self-supervised pair).
    pub fn sum(&self, other: &Grads) -> Grads {
        Grads {
            weights: self
                .weights
                .iter()
                .zip(&other.weights)
                .map(|(a, b)| a + b)
                .collect(),
            biases: self
                .biases
                .iter()
                .zip(&other.biases)
                .map(|(a, b)| a + b)
                .collect(),
        }
    }

    /// Whether every entry is finite (a step with a NaN or ∞ in it would
    /// poison the weights).
    pub fn all_finite(&self) -> bool {
        self.weights.iter().all(|w| w.iter().all(|v| v.is_finite()))
            && self.biases.iter().all(|b| b.iter().all(|v| v.is_finite()))
    }
}

impl Mlp {
    /// Draw the initial weights: W_l entries N(0, σ²) with σ the hidden or
    /// readout std; biases at `bias_init`. Draws go layer by layer, row-major.
    pub fn new(spec: MlpSpec, rng: &mut Rng) -> Self {
        let layers = spec.sizes.len().saturating_sub(1);
        let mut weights = Vec::with_capacity(layers);
        let mut biases = Vec::with_capacity(layers);
        let mut multipliers = Vec::with_capacity(layers);
        for l in 0..layers {
            let (fan_in, fan_out) = (spec.sizes[l], spec.sizes[l + 1]);
            let is_readout = l + 1 == layers;
            let std = if is_readout {
                spec.readout_std
            } else {
                spec.hidden_std
            };
            let mut w = DMatrix::zeros(fan_in, fan_out);
            for i in 0..fan_in {
                for j in 0..fan_out {
                    w[(i, j)] = std * rng.normal();
                }
            }
            weights.push(w);
            biases.push(DVector::from_element(fan_out, spec.bias_init));
            multipliers.push(spec.parametrisation.multiplier(fan_in, is_readout));
        }
        Mlp {
            spec,
            weights,
            biases,
            multipliers,
        }
    }

    /// The number of layers with weights (hidden layers + readout).
    pub fn n_layers(&self) -> usize {
        self.weights.len()
    }

    /// The number of trainable parameters.
    pub fn n_params(&self) -> usize {
        self.weights.iter().map(|w| w.len()).sum::<usize>()
            + self.biases.iter().map(|b| b.len()).sum::<usize>()
    }

    /// The forward pass on x (samples × inputs).
    pub fn forward(&self, x: &DMatrix<f64>) -> Forward {
        let mut fwd = Forward::default();
        self.forward_into(x, &mut fwd);
        fwd
    }

    /// [`Mlp::forward`] into `fwd`, reusing its matrices when their shapes
    /// fit (a training loop's steps then allocate nothing). The same bits as
    /// [`Mlp::forward`]; `fwd`'s old values are never read.
    pub fn forward_into(&self, x: &DMatrix<f64>, fwd: &mut Forward) {
        let act = self.spec.activation;
        let layers = self.n_layers();
        fwd.pre.resize_with(layers, || DMatrix::zeros(0, 0));
        fwd.hidden
            .resize_with(layers.saturating_sub(1), || DMatrix::zeros(0, 0));
        let Forward { pre, hidden } = fwd;
        for l in 0..layers {
            let input = if l == 0 { x } else { &hidden[l - 1] };
            let a = &mut pre[l];
            gemm::mul_into(a, input, &self.weights[l]);
            let c = self.multipliers[l];
            let rows = a.nrows();
            if rows > 0 {
                for (col, &bj) in a
                    .as_mut_slice()
                    .chunks_exact_mut(rows)
                    .zip(self.biases[l].iter())
                {
                    for v in col {
                        *v = c * *v + bj;
                    }
                }
            }
            if l + 1 < layers {
                let h = &mut hidden[l];
                if h.shape() != a.shape() {
                    *h = DMatrix::zeros(a.nrows(), a.ncols());
                }
                for (hv, &av) in h.as_mut_slice().iter_mut().zip(a.as_slice()) {
                    *hv = act.apply(av);
                }
            }
        }
    }

    /// The backprop signals δ_l = ∂L/∂a_l for every layer, given
    /// d_out = ∂L/∂output: δ_L = d_out and
    /// δ_l = (c_{l+1} δ_{l+1} W_{l+1}ᵀ) ⊙ φ'(a_l).
    pub fn backprop_signals(&self, fwd: &Forward, d_out: &DMatrix<f64>) -> Vec<DMatrix<f64>> {
        let mut deltas = Vec::new();
        self.backprop_signals_into(fwd, d_out, &mut deltas);
        deltas
    }

    /// [`Mlp::backprop_signals`] into `deltas`, reusing its matrices (see
    /// [`Mlp::forward_into`]).
    pub fn backprop_signals_into(
        &self,
        fwd: &Forward,
        d_out: &DMatrix<f64>,
        deltas: &mut Vec<DMatrix<f64>>,
    ) {
        let act = self.spec.activation;
        let n = self.n_layers();
        deltas.resize_with(n, || DMatrix::zeros(0, 0));
        if deltas[n - 1].shape() == d_out.shape() {
            deltas[n - 1].copy_from(d_out);
        } else {
            deltas[n - 1] = d_out.clone();
        }
        for l in (0..n - 1).rev() {
            let (lower, upper) = deltas.split_at_mut(l + 1);
            let d = &mut lower[l];
            gemm::mul_nt_into(d, &upper[0], &self.weights[l + 1]);
            let c = self.multipliers[l + 1];
            let (a, h) = (&fwd.pre[l], &fwd.hidden[l]);
            // Contiguous slices (not nalgebra's strided iterators): the loop
            // vectorises; the arithmetic per entry is unchanged.
            let (a, h) = (a.as_slice(), h.as_slice());
            for ((dv, &av), &hv) in d.as_mut_slice().iter_mut().zip(a).zip(h) {
                *dv *= c * act.derivative(av, hv);
            }
        }
    }

    /// ∂L/∂W_l = c_l h_{l−1}ᵀ δ_l and ∂L/∂b_l = Σ_samples δ_l.
    pub fn backward(&self, x: &DMatrix<f64>, fwd: &Forward, d_out: &DMatrix<f64>) -> Grads {
        let mut grads = Grads::default();
        self.backward_into(x, fwd, d_out, &mut Vec::new(), &mut grads);
        grads
    }

    /// [`Mlp::backward`] into `grads`, with `deltas` as scratch for the
    /// backprop signals, reusing both (see [`Mlp::forward_into`]).
    pub fn backward_into(
        &self,
        x: &DMatrix<f64>,
        fwd: &Forward,
        d_out: &DMatrix<f64>,
        deltas: &mut Vec<DMatrix<f64>>,
        grads: &mut Grads,
    ) {
        self.backprop_signals_into(fwd, d_out, deltas);
        let layers = self.n_layers();
        grads.weights.resize_with(layers, || DMatrix::zeros(0, 0));
        grads.biases.resize_with(layers, || DVector::zeros(0));
        for (l, delta) in deltas.iter().enumerate() {
            let input = if l == 0 { x } else { &fwd.hidden[l - 1] };
            let gw = &mut grads.weights[l];
            gemm::mul_tn_into(gw, input, delta);
            let c = self.multipliers[l];
            // v · 1 is v exactly, so the pass is skipped when c = 1.
            if c != 1.0 {
                for v in gw.as_mut_slice() {
                    *v *= c;
                }
            }
            let gb = &mut grads.biases[l];
            if gb.len() != delta.ncols() {
                *gb = DVector::zeros(delta.ncols());
            }
            let rows = delta.nrows();
            for (j, b) in gb.iter_mut().enumerate() {
                // Σ over samples from +0.0 in sample order, as nalgebra's
                // `column.sum()` did.
                *b = delta.as_slice()[j * rows..(j + 1) * rows]
                    .iter()
                    .fold(0.0, |s, &v| s + v);
            }
        }
    }

    /// The empirical tangent kernel on x, summed over outputs:
    /// K(x_i, x_j) = Σ_o ⟨∇_w f_o(x_i), ∇_w f_o(x_j)⟩ (Jacot et al. 2018).
    /// See [`Mlp::tangent_kernel_cross`]; no Jacobian is ever formed.
    pub fn tangent_kernel(&self, x: &DMatrix<f64>) -> DMatrix<f64> {
        self.tangent_kernel_cross(x, x)
    }

    /// The empirical tangent kernel between two input sets, summed over
    /// outputs: K(a_i, b_j) = Σ_o ⟨∇_w f_o(a_i), ∇_w f_o(b_j)⟩, computed per
    /// layer as c_l² (H^a_{l−1} H^bᵀ_{l−1}) ⊙ (Δ^a_l Δ^bᵀ_l) + Δ^a_l Δ^bᵀ_l.
    pub fn tangent_kernel_cross(&self, a: &DMatrix<f64>, b: &DMatrix<f64>) -> DMatrix<f64> {
        let (fa, fb) = (self.forward(a), self.forward(b));
        let outputs = fa.output().ncols();
        let mut k = DMatrix::zeros(a.nrows(), b.nrows());
        for o in 0..outputs {
            let unit = |n: usize| {
                let mut d = DMatrix::zeros(n, outputs);
                d.column_mut(o).fill(1.0);
                d
            };
            let da = self.backprop_signals(&fa, &unit(a.nrows()));
            let db = self.backprop_signals(&fb, &unit(b.nrows()));
            for l in 0..self.n_layers() {
                let ia = if l == 0 { a } else { &fa.hidden[l - 1] };
                let ib = if l == 0 { b } else { &fb.hidden[l - 1] };
                let gram = ia * ib.transpose();
                let dd = &da[l] * db[l].transpose();
                let c2 = self.multipliers[l] * self.multipliers[l];
                for ((kv, &g), &d) in k.iter_mut().zip(gram.iter()).zip(dd.iter()) {
                    *kv += (c2 * g + 1.0) * d;
                }
            }
        }
        k
    }

    /// The Jacobian–vector product J(x)·v: the change of the output along
    /// the parameter direction v (shaped like this network), by forward-mode
    /// differentiation: ȧ_l = c_l(ḣ_{l−1}W_l + h_{l−1}V_l) + v_b,
    /// ḣ_l = φ'(a_l) ⊙ ȧ_l.
    pub fn jvp(&self, x: &DMatrix<f64>, v: &Mlp) -> DMatrix<f64> {
        let act = self.spec.activation;
        let fwd = self.forward(x);
        let mut tangent = DMatrix::zeros(x.nrows(), x.ncols());
        for l in 0..self.n_layers() {
            let input = if l == 0 { x } else { &fwd.hidden[l - 1] };
            let mut t = input * &v.weights[l];
            if l > 0 {
                t += &tangent * &self.weights[l];
            }
            let c = self.multipliers[l];
            for j in 0..t.ncols() {
                let bj = v.biases[l][j];
                for val in t.column_mut(j).iter_mut() {
                    *val = c * *val + bj;
                }
            }
            if l + 1 < self.n_layers() {
                let (a, h) = (&fwd.pre[l], &fwd.hidden[l]);
                for ((tv, &av), &hv) in t.iter_mut().zip(a.iter()).zip(h.iter()) {
                    *tv *= act.derivative(av, hv);
                }
            }
            tangent = t;
        }
        tangent
    }

    /// Every parameter, flattened (weights then biases, layer by layer).
    pub fn flat_params(&self) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.n_params());
        for (w, b) in self.weights.iter().zip(&self.biases) {
            out.extend(w.iter());
            out.extend(b.iter());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small(act: Activation, param: Parametrisation) -> (Mlp, DMatrix<f64>) {
        let mut rng = Rng::new(11);
        let spec = MlpSpec {
            sizes: vec![3, 5, 4, 2],
            activation: act,
            parametrisation: param,
            hidden_std: 1.0,
            readout_std: 1.0,
            bias_init: 0.1,
        };
        let net = Mlp::new(spec, &mut rng);
        let x = DMatrix::from_fn(6, 3, |_, _| rng.normal());
        (net, x)
    }

    /// Half the squared output summed, so ∂L/∂out = out.
    fn loss(net: &Mlp, x: &DMatrix<f64>) -> f64 {
        net.forward(x).output().iter().map(|v| 0.5 * v * v).sum()
    }

    #[test]
    fn gradients_match_finite_differences() {
        for act in [Activation::Tanh, Activation::Linear, Activation::Relu] {
            for param in [
                Parametrisation::Standard,
                Parametrisation::Ntk,
                Parametrisation::MeanField,
            ] {
                let (net, x) = small(act, param);
                let fwd = net.forward(&x);
                let g = net.backward(&x, &fwd, &fwd.output().clone());
                let eps = 1e-6;
                for l in 0..net.n_layers() {
                    for idx in [0, net.weights[l].len() - 1] {
                        let mut p = net.clone();
                        p.weights[l][idx] += eps;
                        let mut m = net.clone();
                        m.weights[l][idx] -= eps;
                        let fd = (loss(&p, &x) - loss(&m, &x)) / (2.0 * eps);
                        let an = g.weights[l][idx];
                        assert!(
                            (fd - an).abs() < 1e-5 * (1.0 + an.abs()),
                            "{act:?} {param:?} W{l}[{idx}] {fd} vs {an}"
                        );
                    }
                    let mut p = net.clone();
                    p.biases[l][0] += eps;
                    let mut m = net.clone();
                    m.biases[l][0] -= eps;
                    let fd = (loss(&p, &x) - loss(&m, &x)) / (2.0 * eps);
                    assert!((fd - g.biases[l][0]).abs() < 1e-5 * (1.0 + fd.abs()));
                }
            }
        }
    }

    #[test]
    fn tangent_kernel_matches_explicit_jacobian() {
        let (net, x) = small(Activation::Tanh, Parametrisation::Ntk);
        let n = x.nrows();
        let outputs = 2;
        // Jacobian rows from backward passes with a one-hot d_out.
        let mut k = DMatrix::zeros(n, n);
        for o in 0..outputs {
            let mut rows = Vec::new();
            for i in 0..n {
                let xi = x.rows(i, 1).into_owned();
                let fwd = net.forward(&xi);
                let mut d = DMatrix::zeros(1, outputs);
                d[(0, o)] = 1.0;
                let g = net.backward(&xi, &fwd, &d);
                let mut flat: Vec<f64> = Vec::new();
                for (w, b) in g.weights.iter().zip(&g.biases) {
                    flat.extend(w.iter());
                    flat.extend(b.iter());
                }
                rows.push(flat);
            }
            for i in 0..n {
                for j in 0..n {
                    k[(i, j)] += rows[i]
                        .iter()
                        .zip(&rows[j])
                        .map(|(a, b)| a * b)
                        .sum::<f64>();
                }
            }
        }
        let fast = net.tangent_kernel(&x);
        assert!((fast - &k).norm() < 1e-9 * k.norm());
    }

    #[test]
    fn jvp_matches_finite_difference() {
        let (net, x) = small(Activation::Tanh, Parametrisation::Ntk);
        let eps = 1e-6;
        let mut plus = net.clone();
        let mut minus = net.clone();
        for l in 0..net.n_layers() {
            plus.weights[l] += &net.weights[l] * eps;
            minus.weights[l] -= &net.weights[l] * eps;
            plus.biases[l] += &net.biases[l] * eps;
            minus.biases[l] -= &net.biases[l] * eps;
        }
        let fd = (plus.forward(&x).output() - minus.forward(&x).output()) / (2.0 * eps);
        let jv = net.jvp(&x, &net);
        assert!((fd - &jv).norm() < 1e-6 * (1.0 + jv.norm()));
    }

    #[test]
    fn mean_field_readout_is_scaled_by_one_over_width() {
        let (net, _) = small(Activation::Relu, Parametrisation::MeanField);
        assert_eq!(net.multipliers[2], 1.0 / 4.0);
        assert_eq!(net.multipliers[1], 1.0 / 5f64.sqrt());
    }
}
