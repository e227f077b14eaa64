//! The credit-assignment throughput benchmark's workload, shared by the
//! native benchmark (`examples/bench_credit.rs`) and the wasm one
//! (`bench/credit_bench.mjs` through `web::bench_credit_steps`); see
//! docs/benchmarks.md, "Credit-assignment rules".
//!
//! One step = forward pass, the rule's update ([`Credit::grads`]) and a
//! plain SGD step, with the ½‖ŷ − y‖² cost, of a tanh MLP
//! 30 → W → W → 10 (the credit lab's teacher-task student) on a fixed batch.
//! The lab's own measurements (backprop's gradient beside every rule for
//! the angles, test NSE) are not part of the step: this is what training
//! with the rule costs.

use nalgebra::DMatrix;

use super::{Cost, Credit, Rule};
use crate::nn::optimizer::Sgd;
use crate::nn::{Activation, Mlp, MlpSpec, Parametrisation};
use crate::rng::Rng;

/// Input features and outputs.
pub const D_IN: usize = 30;
pub const D_OUT: usize = 10;
/// The (width, batch) pairs the benchmark reports: the lab's online
/// setting, and a wider minibatch one where the products dominate.
pub const SETTINGS: [(usize, usize); 2] = [(50, 1), (256, 64)];

/// A network, a rule, an optimiser and a batch.
#[derive(Clone, Debug)]
pub struct CreditBench {
    net: Mlp,
    credit: Credit,
    sgd: Sgd,
    x: DMatrix<f64>,
    y: DMatrix<f64>,
}

impl CreditBench {
    /// Weights N(0, 1/fan_in), zero biases, x and y N(0, 1), B ~ U[−0.5,
    /// 0.5], σ = 1e-3, η = 1e-3 (1e-5 for the perturbation rules, which
    /// would otherwise wander far on a fixed batch), all from `seed`.
    pub fn new(rule: Rule, width: usize, batch: usize, seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let spec = MlpSpec {
            sizes: vec![D_IN, width, width, D_OUT],
            activation: Activation::Tanh,
            parametrisation: Parametrisation::Standard,
            hidden_std: 1.0,
            readout_std: 1.0,
            bias_init: 0.0,
        };
        let mut net = Mlp::new(spec, &mut rng);
        for w in net.weights.iter_mut() {
            *w /= (w.nrows() as f64).sqrt();
        }
        let x = DMatrix::from_fn(batch, D_IN, |_, _| rng.normal());
        let y = DMatrix::from_fn(batch, D_OUT, |_, _| rng.normal());
        let credit = Credit::new(rule, &net, 0.5, 1e-3, &mut rng, Rng::fork(seed, 1));
        let lr = match rule {
            Rule::NodePerturbation | Rule::WeightPerturbation => 1e-5,
            _ => 1e-3,
        };
        CreditBench {
            net,
            credit,
            sgd: Sgd::new(lr, 0.0, 0.0),
            x,
            y,
        }
    }

    /// One training step; returns the loss before the update.
    pub fn step(&mut self) -> f64 {
        let fwd = self.net.forward(&self.x);
        let y = &self.y;
        let loss = Cost::Mse.loss(fwd.output(), y);
        let d_out = Cost::Mse.gradient(fwd.output(), y);
        let per = |o: &DMatrix<f64>| Cost::Mse.per_sample(o, y);
        let grads = self.credit.grads(&self.net, &self.x, &fwd, &d_out, &per);
        self.sgd.step(&mut self.net, &grads);
        loss
    }

    /// `steps` steps; returns the last loss (NaN for zero steps).
    pub fn run(&mut self, steps: usize) -> f64 {
        let mut loss = f64::NAN;
        for _ in 0..steps {
            loss = self.step();
        }
        loss
    }
}

/// Build the benchmark and run `steps` steps (the wasm entry point).
pub fn train_steps(rule: Rule, width: usize, batch: usize, steps: usize, seed: u64) -> f64 {
    CreditBench::new(rule, width, batch, seed).run(steps)
}
