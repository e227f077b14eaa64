//! The training-throughput benchmark's workload, shared by the native
//! benchmark (`examples/bench_train.rs`), the wasm one (`bench/wasm_bench.mjs`
//! through `web::bench_train_steps`) and mirrored by `bench/pytorch_bench.py`.
//! See `docs/benchmarks.md`.
//!
//! One step = forward + backward + plain SGD update of an MLP
//! d_in = 100 → W → W → 10 (ReLU hidden layers, linear readout, standard
//! parametrisation, f64) on one fixed batch of 64 samples, with the MSE loss
//! L = Σ (f(x) − y)² / (B · 10) (PyTorch's `mse_loss`, mean reduction).
//!
//! Two implementations of the step are kept so they can be compared:
//! [`Backend::Mlp`] is the library's own [`Mlp::forward`] / [`Mlp::backward`]
//! and [`Sgd`], whatever products they use; [`Backend::Nalgebra`] is the same
//! step written directly with nalgebra's products (`A * B`, `A * Bᵀ` with a
//! materialised transpose, `Aᵀ B` through `tr_mul`), as the MLP was before the
//! blocked GEMM of [`crate::gemm`].

use nalgebra::{DMatrix, DVector};

use super::mlp::{Forward, Grads};
use super::{optimizer::Sgd, Activation, Mlp, MlpSpec, Parametrisation};
use crate::rng::Rng;

/// Input features.
pub const D_IN: usize = 100;
/// Outputs.
pub const D_OUT: usize = 10;
/// The default batch size.
pub const BATCH: usize = 64;
/// The SGD learning rate (no momentum, no weight decay).
pub const LR: f64 = 0.01;
/// The hidden widths the benchmark reports.
pub const WIDTHS: [usize; 3] = [100, 256, 512];

/// Which implementation of the products a step uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// [`Mlp::forward`], [`Mlp::backward`] and [`Sgd::step`].
    Mlp,
    /// The same step with nalgebra's own matrix products.
    Nalgebra,
    /// The same step with [`crate::gemm`]'s products.
    Gemm,
}

impl Backend {
    /// Parse "mlp" or "nalgebra".
    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "mlp" => Some(Backend::Mlp),
            "nalgebra" => Some(Backend::Nalgebra),
            "gemm" => Some(Backend::Gemm),
            _ => None,
        }
    }
}

/// The network, optimiser and batch of one benchmark run.
#[derive(Clone, Debug)]
pub struct TrainBench {
    pub net: Mlp,
    sgd: Sgd,
    pub x: DMatrix<f64>,
    pub y: DMatrix<f64>,
    backend: Backend,
    ws: Workspace,
}

/// The matrices a [`Backend::Mlp`] step writes, kept from step to step so
/// that a step allocates nothing (allocating and page-faulting fresh result
/// matrices was ~15% of a step at W = 256: docs/benchmarks.md).
#[derive(Clone, Debug, Default)]
struct Workspace {
    fwd: Forward,
    d_out: DMatrix<f64>,
    deltas: Vec<DMatrix<f64>>,
    grads: Grads,
}

impl TrainBench {
    /// A network of hidden width `width` and a batch of `batch` samples,
    /// all drawn from `seed`: weights N(0, 2/fan_in) in the hidden layers
    /// (He), N(0, 1/fan_in) in the readout, zero biases; x and y N(0, 1).
    pub fn new(width: usize, batch: usize, seed: u64, backend: Backend) -> Self {
        let mut rng = Rng::new(seed);
        let spec = MlpSpec {
            sizes: vec![D_IN, width, width, D_OUT],
            activation: Activation::Relu,
            parametrisation: Parametrisation::Standard,
            hidden_std: 1.0,
            readout_std: 1.0,
            bias_init: 0.0,
        };
        let mut net = Mlp::new(spec, &mut rng);
        for (l, w) in net.weights.iter_mut().enumerate() {
            let gain = if l + 1 < 3 { 2.0 } else { 1.0 };
            *w *= libm::sqrt(gain / w.nrows() as f64);
        }
        let x = DMatrix::from_fn(batch, D_IN, |_, _| rng.normal());
        let y = DMatrix::from_fn(batch, D_OUT, |_, _| rng.normal());
        TrainBench {
            net,
            sgd: Sgd::new(LR, 0.0, 0.0),
            x,
            y,
            backend,
            ws: Workspace::default(),
        }
    }

    /// One training step; returns the loss before the update.
    pub fn step(&mut self) -> f64 {
        match self.backend {
            Backend::Mlp => {
                let ws = &mut self.ws;
                self.net.forward_into(&self.x, &mut ws.fwd);
                let loss = mse_into(ws.fwd.output(), &self.y, &mut ws.d_out);
                self.net
                    .backward_into(&self.x, &ws.fwd, &ws.d_out, &mut ws.deltas, &mut ws.grads);
                self.sgd.step(&mut self.net, &ws.grads);
                loss
            }
            Backend::Nalgebra => explicit_step::<Nalgebra>(&mut self.net, &self.x, &self.y),
            Backend::Gemm => explicit_step::<Gemm>(&mut self.net, &self.x, &self.y),
        }
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

/// Build a benchmark and run `steps` steps; returns the last loss. What the
/// wasm export calls: the caller times it, and subtracts a `steps = 0` call
/// to leave out the set-up.
pub fn train_steps(width: usize, batch: usize, steps: usize, seed: u64, backend: Backend) -> f64 {
    TrainBench::new(width, batch, seed, backend).run(steps)
}

/// The MSE loss Σ (out − y)² / n and its gradient 2 (out − y) / n, n = the
/// number of entries.
fn mse(out: &DMatrix<f64>, y: &DMatrix<f64>) -> (f64, DMatrix<f64>) {
    let n = out.len() as f64;
    let diff = out - y;
    let loss = diff.iter().map(|d| d * d).sum::<f64>() / n;
    (loss, diff * (2.0 / n))
}

/// [`mse`] with the gradient written into `grad` (reused when its shape
/// fits): the same bits.
fn mse_into(out: &DMatrix<f64>, y: &DMatrix<f64>, grad: &mut DMatrix<f64>) -> f64 {
    let n = out.len() as f64;
    if grad.shape() != out.shape() {
        *grad = DMatrix::zeros(out.nrows(), out.ncols());
    }
    let scale = 2.0 / n;
    // −0.0, where `Iterator::sum` for f64 starts (`mse`'s sum).
    let mut loss = -0.0;
    let pairs = out.as_slice().iter().zip(y.as_slice());
    for (g, (&o, &t)) in grad.as_mut_slice().iter_mut().zip(pairs) {
        let d = o - t;
        *g = d * scale;
        loss += d * d;
    }
    loss / n
}

/// The three products a training step needs.
trait Products {
    /// A B.
    fn nn(a: &DMatrix<f64>, b: &DMatrix<f64>) -> DMatrix<f64>;
    /// Aᵀ B.
    fn tn(a: &DMatrix<f64>, b: &DMatrix<f64>) -> DMatrix<f64>;
    /// A Bᵀ.
    fn nt(a: &DMatrix<f64>, b: &DMatrix<f64>) -> DMatrix<f64>;
}

/// nalgebra's products, as `Mlp` used them: `A * B`, `A.tr_mul(B)` and
/// `A * B.transpose()` (which materialises the transpose).
struct Nalgebra;

impl Products for Nalgebra {
    fn nn(a: &DMatrix<f64>, b: &DMatrix<f64>) -> DMatrix<f64> {
        a * b
    }
    fn tn(a: &DMatrix<f64>, b: &DMatrix<f64>) -> DMatrix<f64> {
        a.tr_mul(b)
    }
    fn nt(a: &DMatrix<f64>, b: &DMatrix<f64>) -> DMatrix<f64> {
        a * b.transpose()
    }
}

/// The blocked GEMM of [`crate::gemm`].
struct Gemm;

impl Products for Gemm {
    fn nn(a: &DMatrix<f64>, b: &DMatrix<f64>) -> DMatrix<f64> {
        crate::gemm::mul(a, b)
    }
    fn tn(a: &DMatrix<f64>, b: &DMatrix<f64>) -> DMatrix<f64> {
        crate::gemm::mul_tn(a, b)
    }
    fn nt(a: &DMatrix<f64>, b: &DMatrix<f64>) -> DMatrix<f64> {
        crate::gemm::mul_nt(a, b)
    }
}

/// One step written out with the products `P`, for a ReLU MLP in the
/// standard parametrisation (the benchmark's network).
fn explicit_step<P: Products>(net: &mut Mlp, x: &DMatrix<f64>, y: &DMatrix<f64>) -> f64 {
    let layers = net.weights.len();
    // Forward.
    let mut outs: Vec<DMatrix<f64>> = Vec::with_capacity(layers);
    for l in 0..layers {
        let input = if l == 0 { x } else { &outs[l - 1] };
        let mut a = P::nn(input, &net.weights[l]);
        for (j, mut col) in a.column_iter_mut().enumerate() {
            let bj = net.biases[l][j];
            for v in col.iter_mut() {
                *v += bj;
                if l + 1 < layers && *v <= 0.0 {
                    *v = 0.0;
                }
            }
        }
        outs.push(a);
    }
    let (loss, mut delta) = mse(&outs[layers - 1], y);
    // Backward and update, top layer first (δ_l uses W_{l+1} before its update).
    for l in (0..layers).rev() {
        let input = if l == 0 { x } else { &outs[l - 1] };
        let gw = P::tn(input, &delta);
        let gb = DVector::from_iterator(delta.ncols(), delta.column_iter().map(|c| c.sum()));
        if l > 0 {
            let mut d = P::nt(&delta, &net.weights[l]);
            for (dv, &h) in d.iter_mut().zip(outs[l - 1].iter()) {
                if h <= 0.0 {
                    *dv = 0.0;
                }
            }
            delta = d;
        }
        net.weights[l] -= gw * LR;
        net.biases[l] -= gb * LR;
    }
    loss
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_train_the_same_network() {
        let mut a = TrainBench::new(16, 8, 3, Backend::Mlp);
        let la = a.run(20);
        for backend in [Backend::Nalgebra, Backend::Gemm] {
            let mut b = TrainBench::new(16, 8, 3, backend);
            let lb = b.run(20);
            assert!(
                (la - lb).abs() <= 1e-12 * la.abs(),
                "{backend:?}: {la} vs {lb}"
            );
            for (wa, wb) in a.net.weights.iter().zip(&b.net.weights) {
                assert!((wa - wb).norm() <= 1e-12 * wa.norm(), "{backend:?}");
            }
        }
        let first = TrainBench::new(16, 8, 3, Backend::Mlp).step();
        assert!(la < first, "the loss falls: {first} -> {la}");
    }

    #[test]
    fn zero_steps_is_nan() {
        assert!(train_steps(4, 2, 0, 1, Backend::Mlp).is_nan());
    }
}
