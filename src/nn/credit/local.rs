//! Local costs per hidden layer: the "diverse cost functions across areas"
//! of Marblestone, Wayne & Kording 2016 (§3), in two common forms.
//!
//! - **Local classifier** (as in Mostafa, Ramesh & Cauwenberghs 2018;
//!   Nøkland & Eidnes 2019): a linear head R_k (width_k × outputs) reads the
//!   target from hidden layer k, with cost ℓ_k = ½‖h_k R_k − y‖²/n.
//! - **Reconstruction** (an auto-encoding cost, as in target propagation's
//!   inverses, Bengio 2014): a linear decoder D_k (width_k × width_{k−1})
//!   reconstructs layer k's input, ℓ_k = ½‖h_k D_k − h_{k−1}‖²/n.
//!
//! Each cost is *local*: its gradient reaches W_k and b_k only (the input
//! h_{k−1} is held fixed, no gradient flows further down), with the
//! signal δ^loc_k = λ (e_k M_kᵀ) ⊙ φ'(a_k), e_k = (h_k M_k − t_k)/n, M_k the
//! head. It is added to the rule's gradient, whatever the rule. The heads
//! learn by their own gradient h_kᵀ e_k at their own rate.

use nalgebra::DMatrix;

use super::uniform_matrix;
use crate::gemm;
use crate::nn::mlp::{Forward, Grads, Mlp};
use crate::rng::Rng;

/// Which local cost each hidden layer carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocalCost {
    None,
    Classifier,
    Reconstruction,
}

impl LocalCost {
    /// Parse the URL key ("none", "classifier", "reconstruction").
    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "none" => Some(LocalCost::None),
            "classifier" => Some(LocalCost::Classifier),
            "reconstruction" => Some(LocalCost::Reconstruction),
            _ => None,
        }
    }
}

/// The heads of one network's local costs.
#[derive(Clone, Debug)]
pub struct LocalHeads {
    pub kind: LocalCost,
    /// λ, the weight of the local costs against the output cost.
    pub weight: f64,
    /// The heads' own learning rate.
    pub lr: f64,
    /// One head per hidden layer (empty for [`LocalCost::None`]).
    pub heads: Vec<DMatrix<f64>>,
}

impl LocalHeads {
    /// Heads for a network shaped like `net`, entries U[−1/√width_k,
    /// 1/√width_k] drawn from `rng` head by head, row-major.
    pub fn new(kind: LocalCost, net: &Mlp, weight: f64, lr: f64, rng: &mut Rng) -> Self {
        let sizes = &net.spec.sizes;
        let hidden = net.n_layers().saturating_sub(1);
        let outputs = *sizes.last().unwrap_or(&0);
        let heads = match kind {
            LocalCost::None => vec![],
            _ => (0..hidden)
                .map(|k| {
                    let w = sizes[k + 1];
                    let cols = if kind == LocalCost::Classifier {
                        outputs
                    } else {
                        sizes[k]
                    };
                    uniform_matrix(rng, w, cols, 1.0 / (w.max(1) as f64).sqrt())
                })
                .collect(),
        };
        LocalHeads {
            kind,
            weight,
            lr,
            heads,
        }
    }

    /// Add the local costs' gradients to `grads`, then move each head one
    /// step down its own gradient. Returns Σ_k ℓ_k (before the heads move).
    pub fn apply(
        &mut self,
        net: &Mlp,
        x: &DMatrix<f64>,
        fwd: &Forward,
        target: &DMatrix<f64>,
        grads: &mut Grads,
    ) -> f64 {
        let mut total = 0.0;
        let n = x.nrows().max(1) as f64;
        let act = net.spec.activation;
        for k in 0..self.heads.len() {
            let input = if k == 0 { x } else { &fwd.hidden[k - 1] };
            let h = &fwd.hidden[k];
            let t = if self.kind == LocalCost::Classifier {
                target
            } else {
                input
            };
            let mut e = gemm::mul(h, &self.heads[k]) - t;
            total += 0.5 * e.iter().map(|v| v * v).sum::<f64>() / n;
            e /= n;
            let mut d = gemm::mul_nt(&e, &self.heads[k]) * self.weight;
            for ((dv, &av), &hv) in d.iter_mut().zip(fwd.pre[k].iter()).zip(h.iter()) {
                *dv *= act.derivative(av, hv);
            }
            grads.weights[k] += gemm::mul_tn(input, &d) * net.multipliers[k];
            for (j, col) in d.column_iter().enumerate() {
                grads.biases[k][j] += col.sum();
            }
            self.heads[k] -= gemm::mul_tn(h, &e) * self.lr;
        }
        total
    }

    /// Σ_k ℓ_k without changing anything.
    pub fn loss(&self, x: &DMatrix<f64>, fwd: &Forward, target: &DMatrix<f64>) -> f64 {
        let n = x.nrows().max(1) as f64;
        (0..self.heads.len())
            .map(|k| {
                let input = if k == 0 { x } else { &fwd.hidden[k - 1] };
                let t = if self.kind == LocalCost::Classifier {
                    target
                } else {
                    input
                };
                let e = gemm::mul(&fwd.hidden[k], &self.heads[k]) - t;
                0.5 * e.iter().map(|v| v * v).sum::<f64>() / n
            })
            .sum()
    }
}
