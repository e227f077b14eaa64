//! The linearised network f_lin(w) = f(w0) + J0·(w − w0) (Lee et al. 2019,
//! "Wide neural networks of any depth evolve as linear models"), trained with
//! the same loss, optimiser and minibatches as the network itself, on its
//! own residuals: the loss gradient is taken at the twin's outputs g_lin,
//! never at the network's.
//!
//! It is trained in function space, which is exact for a linear model: with
//! u(x) = J0(x)·(w − w0) and K0 the tangent kernel at init, an SGD step
//! w ← w − η(v), v ← μv + ∇_w L + λw maps to
//!
//!   v_u ← μ v_u + α Σ_{i∈B} K0(x, x_i) ∂L/∂g_lin,i + λ (J0(x)·w0 + u(x)),
//!   u ← u − η v_u,
//!
//! where g_lin = α·u (centred model) or α·(f(w0) + u). No Jacobian is
//! stored: only K0 between all points and the training points. Single-output
//! models.
//!
//! Under full-batch gradient descent on the MSE (1/n)Σ(g − y)², the
//! training residual evolves as r ← (I − η α² (2/n) K0) r, so the twin
//! diverges exactly when η·α²·λ_max(K0)·2/n > 2 (Lee et al. 2019, §2.3;
//! heavy-ball momentum μ moves the bound to 2(1 + μ)). The network itself may
//! survive such a step size by leaving the linear regime (the catapult phase
//! of Lewkowycz et al. 2020). [`Linearised::lambda_max`] gives λ_max(K0).

use nalgebra::{DMatrix, DVector};

use super::mlp::Mlp;

/// The state of the linearised model on a fixed set of points (the
/// training points first, then any others).
#[derive(Clone, Debug)]
pub struct Linearised {
    /// K0(x_a, x_j) for every point a and training point j.
    kernel: DMatrix<f64>,
    /// J0(x_a)·w0, needed for weight decay.
    j0_w0: DVector<f64>,
    /// f(w0)(x_a) when the output is not centred; None when g = α·u.
    f0: Option<DVector<f64>>,
    /// The output scale α.
    alpha: f64,
    /// u(x_a) = J0(x_a)·(w − w0).
    u: DVector<f64>,
    /// The momentum buffer, in function space.
    velocity: DVector<f64>,
}

impl Linearised {
    /// Linearise `net` (at init) on `points` (the n_train training points
    /// must be its first rows). The model output is g_lin = α·u when
    /// `centre`, else α·(f(w0) + u).
    pub fn new(net: &Mlp, points: &DMatrix<f64>, n_train: usize, alpha: f64, centre: bool) -> Self {
        let train = points.rows(0, n_train).into_owned();
        let kernel = net.tangent_kernel_cross(points, &train);
        let j0_w0 = DVector::from_column_slice(net.jvp(points, net).column(0).as_slice());
        let f0 = (!centre)
            .then(|| DVector::from_column_slice(net.forward(points).output().column(0).as_slice()));
        let n = points.nrows();
        Linearised {
            kernel,
            j0_w0,
            f0,
            alpha,
            u: DVector::zeros(n),
            velocity: DVector::zeros(n),
        }
    }

    /// The twin's output g_lin(x_a) = α·(u(x_a) [+ f(w0)(x_a)]) at point a.
    pub fn output(&self, a: usize) -> f64 {
        let f0 = self.f0.as_ref().map_or(0.0, |f| f[a]);
        self.alpha * (f0 + self.u[a])
    }

    /// One optimiser step. `batch` lists training-point indices and
    /// `dl_dg[i]` is ∂L/∂g_lin at batch point i, computed from the twin's own
    /// outputs [`Linearised::output`] (the loss's 1/n included).
    pub fn step(
        &mut self,
        batch: &[usize],
        dl_dg: &[f64],
        lr: f64,
        momentum: f64,
        weight_decay: f64,
    ) {
        let n = self.u.len();
        // g_a = Σ_{j∈B} K0(x_a, x_j) ∂L/∂g_j, accumulated column by column
        // (K0 is column-major): for each a the terms are added in batch
        // order, the same order as a row-wise loop.
        let mut g = vec![0.0; n];
        for (&j, &d) in batch.iter().zip(dl_dg) {
            for (ga, &k) in g.iter_mut().zip(self.kernel.column(j).iter()) {
                *ga += k * d;
            }
        }
        let alpha = self.alpha;
        let points = self
            .velocity
            .iter_mut()
            .zip(&g)
            .zip(self.j0_w0.iter().zip(self.u.iter()));
        for ((v, &ga), (&j0_w0, &u)) in points {
            *v = momentum * *v + (alpha * ga + weight_decay * (j0_w0 + u));
        }
        self.u.axpy(-lr, &self.velocity, 1.0);
    }

    /// u(x_a) = J0(x_a)·(w − w0) at every point.
    pub fn u(&self) -> &DVector<f64> {
        &self.u
    }

    /// Whether every output is finite.
    pub fn is_finite(&self) -> bool {
        self.u.iter().all(|v| v.is_finite())
    }

    /// λ_max(K0) on the training points, by power iteration (K0 is positive
    /// semi-definite, so the dominant eigenvalue is the largest). Only + − × ÷
    /// and sqrt, in a fixed order: the same bits in wasm and natively.
    /// Converged to a relative 1e-12, or after 2000 iterations.
    pub fn lambda_max(&self) -> f64 {
        let n = self.kernel.ncols();
        if n == 0 {
            return 0.0;
        }
        // A start with a component along every eigenvector in practice.
        let mut v = DVector::from_fn(n, |i, _| 1.0 + i as f64 / n as f64);
        let mut lambda = 0.0;
        for _ in 0..2000 {
            let norm = libm::sqrt(v.iter().map(|x| x * x).sum::<f64>());
            if norm == 0.0 || !norm.is_finite() {
                return if norm == 0.0 { 0.0 } else { f64::NAN };
            }
            v /= norm;
            // K0 v over the training rows, column by column (contiguous).
            let mut kv = DVector::zeros(n);
            for j in 0..n {
                for (o, &k) in kv.iter_mut().zip(self.kernel.column(j).iter().take(n)) {
                    *o += k * v[j];
                }
            }
            let next = v.iter().zip(kv.iter()).map(|(a, b)| a * b).sum::<f64>();
            let done = (next - lambda).abs() <= 1e-12 * next.abs();
            lambda = next;
            v = kv;
            if done {
                break;
            }
        }
        lambda
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::{Activation, MlpSpec, Parametrisation};
    use crate::rng::Rng;

    /// J0 as an explicit matrix (points × parameters, in `flat_params`
    /// order): row a is ∇_w f(x_a) at init, by one backward pass per point.
    fn jacobian(net: &Mlp, x: &DMatrix<f64>) -> DMatrix<f64> {
        let p = net.n_params();
        let mut j = DMatrix::zeros(x.nrows(), p);
        for a in 0..x.nrows() {
            let xa = x.rows(a, 1).into_owned();
            let fwd = net.forward(&xa);
            let g = net.backward(&xa, &fwd, &DMatrix::from_element(1, 1, 1.0));
            let flat: Vec<f64> = g
                .weights
                .iter()
                .zip(&g.biases)
                .flat_map(|(w, b)| w.iter().chain(b.iter()).copied().collect::<Vec<_>>())
                .collect();
            j.row_mut(a).copy_from_slice(&flat);
        }
        j
    }

    /// The first-order Taylor model f(w0) + J0(w − w0) trained in parameter
    /// space by torch.optim.SGD's rule (g ← ∇L + λw, v ← μv + g, w ← w − ηv)
    /// on the MSE of its own outputs, against the function-space twin.
    fn taylor_vs_twin(centre: bool, batches: &[Vec<usize>], momentum: f64, weight_decay: f64) {
        let mut rng = Rng::new(11);
        let (n_train, n_test, d) = (8, 5, 3);
        let spec = MlpSpec {
            sizes: vec![d, 12, 12, 1],
            activation: Activation::Tanh,
            parametrisation: Parametrisation::Ntk,
            hidden_std: 1.0,
            readout_std: 1.0,
            bias_init: 0.1,
        };
        let net = Mlp::new(spec, &mut rng);
        let x = DMatrix::from_fn(n_train + n_test, d, |_, _| rng.normal());
        let y: Vec<f64> = (0..n_train).map(|_| rng.normal()).collect();
        let (alpha, lr) = (3.0, 0.05);

        let j0 = jacobian(&net, &x);
        let f0 = net.forward(&x).output().column(0).into_owned();
        let w0 = DVector::from_vec(net.flat_params());
        let mut w = w0.clone();
        let mut v = DVector::zeros(w.len());
        let taylor = |w: &DVector<f64>| -> DVector<f64> {
            let u = &j0 * (w - &w0);
            if centre {
                u * alpha
            } else {
                (&f0 + u) * alpha
            }
        };

        let mut twin = Linearised::new(&net, &x, n_train, alpha, centre);
        for batch in batches {
            // Parameter space: ∇_w L = α Σ_i J0_iᵀ ∂L/∂g_i + λw.
            let g = taylor(&w);
            let mut grad = &w * weight_decay;
            for &i in batch {
                let dl = 2.0 * (g[i] - y[i]) / batch.len() as f64;
                grad += j0.row(i).transpose() * (alpha * dl);
            }
            v = &v * momentum + grad;
            w -= &v * lr;
            // Function space, on the twin's own outputs.
            let dl: Vec<f64> = batch
                .iter()
                .map(|&i| 2.0 * (twin.output(i) - y[i]) / batch.len() as f64)
                .collect();
            twin.step(batch, &dl, lr, momentum, weight_decay);
        }
        let g = taylor(&w);
        let scale = g.amax().max(1.0);
        for a in 0..x.nrows() {
            assert!(
                (twin.output(a) - g[a]).abs() < 1e-8 * scale,
                "point {a}: twin {} vs Taylor {}",
                twin.output(a),
                g[a]
            );
        }
        // The twin moved: the comparison is not of two zeros.
        assert!(twin.u().amax() > 1e-3);
    }

    #[test]
    fn twin_equals_the_parameter_space_taylor_model() {
        let full: Vec<Vec<usize>> = vec![(0..8).collect(); 60];
        let minibatches: Vec<Vec<usize>> = (0..60)
            .map(|t| (0..3).map(|k| (t * 5 + k * 3) % 8).collect())
            .collect();
        taylor_vs_twin(true, &full, 0.0, 0.0); // GD
        taylor_vs_twin(false, &full, 0.0, 0.0); // GD, uncentred output
        taylor_vs_twin(true, &minibatches, 0.9, 0.0); // SGD with momentum
        taylor_vs_twin(false, &minibatches, 0.5, 0.01); // SGD, momentum, weight decay
        taylor_vs_twin(true, &full, 0.0, 0.05); // GD with weight decay
    }

    #[test]
    fn twin_training_loss_does_not_depend_on_alpha_under_lr_over_alpha2() {
        // Centred output g_lin = αu with step η/α² on the weights: g_lin moves
        // by −η·K0·∂L/∂g whatever α is (Chizat et al. 2019), so the loss
        // curve is the same for every α, up to rounding.
        let mut rng = Rng::new(4);
        let spec = MlpSpec {
            sizes: vec![3, 20, 1],
            activation: Activation::Relu,
            parametrisation: Parametrisation::Ntk,
            hidden_std: 1.0,
            readout_std: 1.0,
            bias_init: 0.0,
        };
        let net = Mlp::new(spec, &mut rng);
        let n = 10;
        let x = DMatrix::from_fn(n, 3, |_, _| rng.normal());
        let y: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        let batch: Vec<usize> = (0..n).collect();
        let curve = |alpha: f64| -> Vec<f64> {
            let mut twin = Linearised::new(&net, &x, n, alpha, true);
            let mut losses = Vec::new();
            for _ in 0..200 {
                let r: Vec<f64> = (0..n).map(|i| twin.output(i) - y[i]).collect();
                losses.push(r.iter().map(|v| v * v).sum::<f64>() / n as f64);
                let dl: Vec<f64> = r.iter().map(|v| 2.0 * v / n as f64).collect();
                twin.step(&batch, &dl, 0.2 / (alpha * alpha), 0.5, 0.0);
            }
            losses
        };
        let reference = curve(1.0);
        assert!(reference[199] < 0.5 * reference[0], "the twin learns");
        for alpha in [0.1, 10.0, 100.0] {
            for (a, b) in curve(alpha).iter().zip(&reference) {
                assert!(
                    (a - b).abs() <= 1e-10 * b.max(1e-12),
                    "α = {alpha}: {a} vs {b}"
                );
            }
        }
    }

    #[test]
    fn lambda_max_matches_the_eigenvalues() {
        let mut rng = Rng::new(2);
        let spec = MlpSpec {
            sizes: vec![4, 16, 1],
            activation: Activation::Relu,
            parametrisation: Parametrisation::Ntk,
            hidden_std: 1.0,
            readout_std: 1.0,
            bias_init: 0.0,
        };
        let net = Mlp::new(spec, &mut rng);
        let x = DMatrix::from_fn(10, 4, |_, _| rng.normal());
        let twin = Linearised::new(&net, &x, 10, 1.0, true);
        let k = net.tangent_kernel(&x);
        let want = k.symmetric_eigenvalues().max();
        assert!(
            (twin.lambda_max() - want).abs() < 1e-9 * want,
            "{} vs {want}",
            twin.lambda_max()
        );
    }
}
