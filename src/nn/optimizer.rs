//! Gradient descent with optional momentum and weight decay, as PyTorch's
//! `torch.optim.SGD` does it: g ← ∇L + λw, v ← μv + g, w ← w − ηv.

use nalgebra::{DMatrix, DVector};

use super::mlp::{Forward, Grads, Mlp};
use crate::gemm;

/// SGD state: the learning rate η, momentum μ, weight decay λ and velocity.
#[derive(Clone, Debug)]
pub struct Sgd {
    pub lr: f64,
    pub momentum: f64,
    pub weight_decay: f64,
    velocity: Option<Grads>,
}

impl Sgd {
    pub fn new(lr: f64, momentum: f64, weight_decay: f64) -> Self {
        Sgd {
            lr,
            momentum,
            weight_decay,
            velocity: None,
        }
    }

    /// One update of `net` with gradients `g`.
    pub fn step(&mut self, net: &mut Mlp, g: &Grads) {
        let (lr, mu, wd) = (self.lr, self.momentum, self.weight_decay);
        let v = self.velocity.get_or_insert_with(|| Grads {
            weights: g
                .weights
                .iter()
                .map(|w| DMatrix::zeros(w.nrows(), w.ncols()))
                .collect(),
            biases: g.biases.iter().map(|b| DVector::zeros(b.len())).collect(),
        });
        for l in 0..net.weights.len() {
            update(
                net.weights[l].as_mut_slice(),
                g.weights[l].as_slice(),
                v.weights[l].as_mut_slice(),
                lr,
                mu,
                wd,
            );
            update(
                net.biases[l].as_mut_slice(),
                g.biases[l].as_slice(),
                v.biases[l].as_mut_slice(),
                lr,
                mu,
                wd,
            );
        }
    }
}

/// The matrices [`Sgd::backward_step`] reuses from step to step.
#[derive(Clone, Debug, Default)]
pub struct StepScratch {
    deltas: Vec<DMatrix<f64>>,
    grad: DMatrix<f64>,
    bias: Vec<f64>,
}

impl Sgd {
    /// The backward pass and one update in one: the same bits as
    /// `let g = net.backward(x, fwd, d_out); self.step(net, &g)`, without
    /// forming the gradients as a whole. Every weight's update is applied
    /// as soon as its gradient entry c_l (h_{l−1}ᵀ δ_l)_ij is complete, while
    /// that entry is still in cache ([`gemm::mul_tn_into_then`]); the
    /// backprop signals use the weights from before the update, as
    /// [`Mlp::backward`] does. `scratch` is reused, so a training loop's
    /// steps allocate nothing.
    pub fn backward_step(
        &mut self,
        net: &mut Mlp,
        x: &DMatrix<f64>,
        fwd: &Forward,
        d_out: &DMatrix<f64>,
        scratch: &mut StepScratch,
    ) {
        let (lr, mu, wd) = (self.lr, self.momentum, self.weight_decay);
        let v = self.velocity.get_or_insert_with(|| Grads {
            weights: net
                .weights
                .iter()
                .map(|w| DMatrix::zeros(w.nrows(), w.ncols()))
                .collect(),
            biases: net.biases.iter().map(|b| DVector::zeros(b.len())).collect(),
        });
        net.backprop_signals_into(fwd, d_out, &mut scratch.deltas);
        for (l, delta) in scratch.deltas.iter().enumerate() {
            let input = if l == 0 { x } else { &fwd.hidden[l - 1] };
            let c = net.multipliers[l];
            let fan_in = net.weights[l].nrows();
            let (w, vw) = (net.weights[l].as_mut_slice(), v.weights[l].as_mut_slice());
            gemm::mul_tn_into_then(&mut scratch.grad, input, delta, |i0, j, g| {
                // The gradient entry as `Mlp::backward` has it (v · 1 = v).
                if c != 1.0 {
                    for gi in g.iter_mut() {
                        *gi *= c;
                    }
                }
                let at = i0 + j * fan_in;
                let range = at..at + g.len();
                update(&mut w[range.clone()], g, &mut vw[range], lr, mu, wd);
            });
            // Σ over samples from +0.0 in sample order, as `Mlp::backward`.
            let rows = delta.nrows();
            scratch.bias.clear();
            scratch.bias.extend((0..delta.ncols()).map(|j| {
                delta.as_slice()[j * rows..(j + 1) * rows]
                    .iter()
                    .fold(0.0, |s, &d| s + d)
            }));
            update(
                net.biases[l].as_mut_slice(),
                &scratch.bias,
                v.biases[l].as_mut_slice(),
                lr,
                mu,
                wd,
            );
        }
    }
}

fn update(w: &mut [f64], g: &[f64], v: &mut [f64], lr: f64, mu: f64, wd: f64) {
    for ((wi, &gi), vi) in w.iter_mut().zip(g).zip(v.iter_mut()) {
        let gi = gi + wd * *wi;
        *vi = mu * *vi + gi;
        *wi -= lr * *vi;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::{Activation, MlpSpec, Parametrisation};
    use crate::rng::Rng;

    /// The fused backward pass and update give the very bits of
    /// `backward` then `step`, over several steps (so the velocity is
    /// exercised), with momentum and weight decay, in every
    /// parametrisation (c_l ≠ 1 and = 1), with every kernel.
    #[test]
    fn backward_step_equals_backward_then_step_bit_for_bit() {
        for param in [
            Parametrisation::Standard,
            Parametrisation::Ntk,
            Parametrisation::MeanField,
        ] {
            for kernel in gemm::Kernel::available() {
                let mut rng = Rng::new(21);
                let spec = MlpSpec {
                    sizes: vec![7, 19, 33, 3],
                    activation: Activation::Tanh,
                    parametrisation: param,
                    hidden_std: 1.0,
                    readout_std: 1.0,
                    bias_init: 0.1,
                };
                let mut a = Mlp::new(spec, &mut rng);
                let mut b = a.clone();
                let x = DMatrix::from_fn(11, 7, |_, _| rng.normal());
                let (mut oa, mut ob) = (Sgd::new(0.05, 0.9, 1e-3), Sgd::new(0.05, 0.9, 1e-3));
                let mut scratch = StepScratch::default();
                let mut fwd = Forward::default();
                gemm::with_kernel(kernel, || {
                    for _ in 0..4 {
                        let fa = a.forward(&x);
                        let d = fa.output() * 0.5;
                        let g = a.backward(&x, &fa, &d);
                        oa.step(&mut a, &g);
                        b.forward_into(&x, &mut fwd);
                        let d = fwd.output() * 0.5;
                        ob.backward_step(&mut b, &x, &fwd, &d, &mut scratch);
                    }
                });
                let bits = |m: &Mlp| {
                    m.flat_params()
                        .iter()
                        .map(|v| v.to_bits())
                        .collect::<Vec<_>>()
                };
                assert_eq!(bits(&a), bits(&b), "{param:?} {kernel:?}");
            }
        }
    }
}
