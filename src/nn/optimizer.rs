//! Gradient descent with optional momentum and weight decay, as PyTorch's
//! `torch.optim.SGD` does it: g ← ∇L + λw, v ← μv + g, w ← w − ηv.

use nalgebra::{DMatrix, DVector};

use super::mlp::{Grads, Mlp};

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

fn update(w: &mut [f64], g: &[f64], v: &mut [f64], lr: f64, mu: f64, wd: f64) {
    for ((wi, &gi), vi) in w.iter_mut().zip(g).zip(v.iter_mut()) {
        let gi = gi + wd * *wi;
        *vi = mu * *vi + gi;
        *wi -= lr * *vi;
    }
}
