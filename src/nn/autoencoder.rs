//! Autoencoders with biological energies (Whittington et al. ICLR 2023;
//! Dorrell, Hsu, …, Whittington ICLR 2025; SCIENCE.md §5), trained with Adam.
//!
//! A stack of dense layers a_l = φ_l(a_{l−1} W_lᵀ + b_l); one layer's output
//! is the latent code z (no nonlinearity there), the last layer's output the
//! reconstruction ŝ. The loss on a batch of N samples of d sources is
//!
//! L = λ_rec · mean_{n,k} (ŝ_nk − s_nk)²            (torch's MSELoss)
//!   + λ_act · ½ · (1/N) Σ_n ‖z_n‖²                  (activity energy)
//!   + λ_neg · (1/N) Σ_n Σ_j relu(−z_nj)              (nonnegativity)
//!   + λ_w · ½ · Σ_l ‖W_l‖²_F                          (weight energy; biases free)
//!
//! - **Linear** ([`Autoencoder::linear`]): z = W1 s + b1 (H latents),
//!   ŝ = W2 z + b2. Reference weights λ_rec 1, λ_act 1e-3, λ_neg 0.5,
//!   λ_w 1e-4, as the paper's `Figure 1d` notebook (`z_reg`, `z_nn`, `w_reg`).
//! - **MLP** ([`Autoencoder::mlp`]): d → 16 → ReLU → 6 latents → 16 → ReLU →
//!   d. Its energies are the paper's code's (kylehkhsu/modular,
//!   `train_autoencoder_low_d`): means over the latents rather than sums,
//!   and no ½, so that λ_act 1e-2, λ_neg 1, λ_w 1e-4 mean what they mean
//!   there; [`Energies::mlp`] converts them to the loss above.
//!
//! Gradients are written by hand (checked against finite differences in the
//! tests). Products go through [`crate::gemm`], so a run gives the same bits
//! natively and in wasm. Initialisation of the linear model as
//! `torch.nn.Linear`: weights and biases uniform on ±1/√fan_in. The MLP's
//! weights start small, as the paper's code does (`small_init_scale` 0.3):
//! normal with standard deviation [`MLP_INIT_SCALE`]/√fan_in, biases
//! uniform on ±1/√fan_in. It matters: from the torch-style start the MLP
//! settles in a mixed code even on the full square (most-mixed angle 0.54
//! rad on the 21 × 21 grid at the lab's defaults, seed 1; see
//! `tests/modularity_lab.rs`).

use nalgebra::DMatrix;

use crate::gemm;
use crate::rng::Rng;

/// The MLP's initial weight scale: weights ~ N(0, (scale/√fan_in)²), the
/// paper's code's `small_init_scale`.
pub const MLP_INIT_SCALE: f64 = 0.3;

/// The MLP's latents.
pub const MLP_LATENTS: usize = 6;

/// One dense layer: W is out × in.
#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    pub w: DMatrix<f64>,
    pub b: Vec<f64>,
    pub relu: bool,
}

/// The energy weights of the loss.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Energies {
    pub rec: f64,
    pub act: f64,
    pub neg: f64,
    pub weight: f64,
}

impl Energies {
    /// The linear autoencoder's reference weights.
    pub const LINEAR: Energies = Energies {
        rec: 1.0,
        act: 1e-3,
        neg: 0.5,
        weight: 1e-4,
    };
    /// The MLP autoencoder's reference weights, as the paper's code writes
    /// them (means over latents, no ½): pass them through [`Energies::mlp`].
    pub const MLP: Energies = Energies {
        rec: 1.0,
        act: 1e-2,
        neg: 1.0,
        weight: 1e-4,
    };
}

impl Energies {
    /// The MLP's energies as the paper's code writes them, for `latents`
    /// latents: λ_act·mean_{n,j} z², λ_neg·mean_{n,j} relu(−z) and
    /// λ_w·Σ‖W‖², i.e. this loss's weights 2λ_act/H, λ_neg/H and 2λ_w.
    pub fn mlp(act: f64, neg: f64, weight: f64, latents: usize) -> Energies {
        let h = latents.max(1) as f64;
        Energies {
            rec: 1.0,
            act: 2.0 * act / h,
            neg: neg / h,
            weight: 2.0 * weight,
        }
    }
}

/// The loss and its parts (each already multiplied by its weight).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LossParts {
    pub total: f64,
    pub rec: f64,
    pub act: f64,
    pub neg: f64,
    pub weight: f64,
}

/// An autoencoder: its layers and which layer's output is the code.
#[derive(Clone, Debug, PartialEq)]
pub struct Autoencoder {
    pub layers: Vec<Layer>,
    pub latent: usize,
}

/// ∂L/∂W and ∂L/∂b of each layer.
#[derive(Clone, Debug, PartialEq)]
pub struct Grads {
    pub w: Vec<DMatrix<f64>>,
    pub b: Vec<Vec<f64>>,
}

fn layer(n_in: usize, n_out: usize, relu: bool, rng: &mut Rng) -> Layer {
    let bound = 1.0 / (n_in as f64).sqrt();
    // Row by row, then the bias, in a fixed order.
    let mut w = DMatrix::zeros(n_out, n_in);
    for i in 0..n_out {
        for j in 0..n_in {
            w[(i, j)] = rng.uniform_in(-bound, bound);
        }
    }
    let b = (0..n_out).map(|_| rng.uniform_in(-bound, bound)).collect();
    Layer { w, b, relu }
}

/// A layer with small normal weights (see [`MLP_INIT_SCALE`]), drawn row
/// by row, then the bias, in a fixed order.
fn small_layer(n_in: usize, n_out: usize, relu: bool, rng: &mut Rng) -> Layer {
    let bound = 1.0 / (n_in as f64).sqrt();
    let std = MLP_INIT_SCALE * bound;
    let mut w = DMatrix::zeros(n_out, n_in);
    for i in 0..n_out {
        for j in 0..n_in {
            w[(i, j)] = std * rng.normal();
        }
    }
    let b = (0..n_out).map(|_| rng.uniform_in(-bound, bound)).collect();
    Layer { w, b, relu }
}

impl Autoencoder {
    /// The linear autoencoder: d sources, h latents.
    pub fn linear(d: usize, h: usize, rng: &mut Rng) -> Self {
        Autoencoder {
            layers: vec![layer(d, h, false, rng), layer(h, d, false, rng)],
            latent: 0,
        }
    }

    /// The MLP autoencoder: d → 16 → ReLU → 6 → 16 → ReLU → d, small
    /// initial weights.
    pub fn mlp(d: usize, rng: &mut Rng) -> Self {
        Autoencoder {
            layers: vec![
                small_layer(d, 16, true, rng),
                small_layer(16, MLP_LATENTS, false, rng),
                small_layer(MLP_LATENTS, 16, true, rng),
                small_layer(16, d, false, rng),
            ],
            latent: 1,
        }
    }

    /// Every layer's output for inputs `x` (N × d).
    fn forward(&self, x: &DMatrix<f64>) -> Vec<DMatrix<f64>> {
        let mut outs: Vec<DMatrix<f64>> = Vec::with_capacity(self.layers.len());
        for (l, layer) in self.layers.iter().enumerate() {
            let input = if l == 0 { x } else { &outs[l - 1] };
            let mut a = gemm::mul_nt(input, &layer.w);
            for j in 0..a.ncols() {
                for i in 0..a.nrows() {
                    let v = a[(i, j)] + layer.b[j];
                    a[(i, j)] = if layer.relu && v < 0.0 { 0.0 } else { v };
                }
            }
            outs.push(a);
        }
        outs
    }

    /// The code z (N × latents).
    pub fn encode(&self, x: &DMatrix<f64>) -> DMatrix<f64> {
        self.forward(x).swap_remove(self.latent)
    }

    /// The loss on `x` (N × d) with energies `e` (see the module docs).
    pub fn loss(&self, x: &DMatrix<f64>, e: &Energies) -> LossParts {
        self.loss_and_grads(x, e, false).0
    }

    /// The loss and, if `grads`, its gradients with respect to every weight
    /// and bias.
    pub fn loss_and_grads(
        &self,
        x: &DMatrix<f64>,
        e: &Energies,
        grads: bool,
    ) -> (LossParts, Option<Grads>) {
        let outs = self.forward(x);
        let n = x.nrows().max(1) as f64;
        let out = outs.last().expect("an autoencoder has layers");
        let z = &outs[self.latent];
        let count = (x.nrows() * x.ncols()).max(1) as f64;
        let (mut rec, mut act, mut neg) = (0.0, 0.0, 0.0);
        // Sums in column-major order.
        for j in 0..out.ncols() {
            for i in 0..out.nrows() {
                let r = out[(i, j)] - x[(i, j)];
                rec += r * r;
            }
        }
        for j in 0..z.ncols() {
            for i in 0..z.nrows() {
                let v = z[(i, j)];
                act += v * v;
                if v < 0.0 {
                    neg -= v;
                }
            }
        }
        let mut wsq = 0.0;
        for layer in &self.layers {
            for v in layer.w.iter() {
                wsq += v * v;
            }
        }
        let parts = {
            let rec = e.rec * rec / count;
            let act = e.act * 0.5 * act / n;
            let neg = e.neg * neg / n;
            let weight = e.weight * 0.5 * wsq;
            LossParts {
                total: rec + act + neg + weight,
                rec,
                act,
                neg,
                weight,
            }
        };
        if !grads {
            return (parts, None);
        }
        // Backward: `d` is ∂L/∂(layer output), turned into ∂L/∂(pre-activation).
        let m = self.layers.len();
        let mut gw = vec![DMatrix::zeros(0, 0); m];
        let mut gb = vec![Vec::new(); m];
        let mut d = DMatrix::from_fn(out.nrows(), out.ncols(), |i, j| {
            2.0 * e.rec * (out[(i, j)] - x[(i, j)]) / count
        });
        for l in (0..m).rev() {
            if l == self.latent {
                for j in 0..d.ncols() {
                    for i in 0..d.nrows() {
                        let v = z[(i, j)];
                        let mut g = e.act * v / n;
                        if v < 0.0 {
                            g -= e.neg / n;
                        }
                        d[(i, j)] += g;
                    }
                }
            }
            let layer = &self.layers[l];
            if layer.relu {
                for j in 0..d.ncols() {
                    for i in 0..d.nrows() {
                        if outs[l][(i, j)] <= 0.0 {
                            d[(i, j)] = 0.0;
                        }
                    }
                }
            }
            let input = if l == 0 { x } else { &outs[l - 1] };
            let mut w_grad = gemm::mul_tn(&d, input);
            for (g, w) in w_grad.iter_mut().zip(layer.w.iter()) {
                *g += e.weight * w;
            }
            gw[l] = w_grad;
            gb[l] = (0..d.ncols())
                .map(|j| {
                    let mut s = 0.0;
                    for i in 0..d.nrows() {
                        s += d[(i, j)];
                    }
                    s
                })
                .collect();
            if l > 0 {
                d = gemm::mul(&d, &layer.w);
            }
        }
        (parts, Some(Grads { w: gw, b: gb }))
    }
}

/// Adam (Kingma & Ba 2015) as `torch.optim.Adam` without weight decay:
/// m ← β1 m + (1 − β1) g, v ← β2 v + (1 − β2) g²,
/// w ← w − η (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε).
#[derive(Clone, Debug, PartialEq)]
pub struct Adam {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    t: u64,
    m: Option<Grads>,
    v: Option<Grads>,
}

impl Adam {
    /// PyTorch's defaults: β = (0.9, 0.999), ε = 1e-8.
    pub fn new(lr: f64) -> Self {
        Adam {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            t: 0,
            m: None,
            v: None,
        }
    }

    /// One update of `net` with gradients `g`.
    pub fn step(&mut self, net: &mut Autoencoder, g: &Grads) {
        let zeros = || Grads {
            w: g.w
                .iter()
                .map(|w| DMatrix::zeros(w.nrows(), w.ncols()))
                .collect(),
            b: g.b.iter().map(|b| vec![0.0; b.len()]).collect(),
        };
        let m = self.m.get_or_insert_with(zeros);
        let v = self.v.get_or_insert_with(zeros);
        self.t += 1;
        let t = self.t as f64;
        let c1 = 1.0 - libm::pow(self.beta1, t);
        let c2 = 1.0 - libm::pow(self.beta2, t);
        let (b1, b2, lr, eps) = (self.beta1, self.beta2, self.lr, self.eps);
        let upd = |w: &mut [f64], g: &[f64], m: &mut [f64], v: &mut [f64]| {
            for i in 0..w.len() {
                m[i] = b1 * m[i] + (1.0 - b1) * g[i];
                v[i] = b2 * v[i] + (1.0 - b2) * g[i] * g[i];
                let mh = m[i] / c1;
                let vh = v[i] / c2;
                w[i] -= lr * mh / (vh.sqrt() + eps);
            }
        };
        for (l, layer) in net.layers.iter_mut().enumerate() {
            upd(
                layer.w.as_mut_slice(),
                g.w[l].as_slice(),
                m.w[l].as_mut_slice(),
                v.w[l].as_mut_slice(),
            );
            upd(&mut layer.b, &g.b[l], &mut m.b[l], &mut v.b[l]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Central finite differences of the loss against the hand-written
    /// gradients, for every weight and bias of both models. Inputs are
    /// chosen with latents away from 0, where relu(−z) has its kink.
    #[test]
    fn gradients_match_finite_differences() {
        let mut rng = Rng::new(3);
        let x = DMatrix::from_fn(7, 3, |_, _| rng.uniform());
        for (net, e) in [
            (
                Autoencoder::linear(3, 5, &mut rng),
                Energies {
                    rec: 1.0,
                    act: 0.3,
                    neg: 0.5,
                    weight: 0.1,
                },
            ),
            (
                Autoencoder::mlp(3, &mut rng),
                Energies {
                    rec: 1.0,
                    act: 0.2,
                    neg: 0.7,
                    weight: 0.05,
                },
            ),
        ] {
            let (_, g) = net.loss_and_grads(&x, &e, true);
            let g = g.unwrap();
            let h = 1e-6;
            let mut worst = 0.0f64;
            for l in 0..net.layers.len() {
                for k in 0..net.layers[l].w.len() + net.layers[l].b.len() {
                    let nw = net.layers[l].w.len();
                    let mut p = net.clone();
                    let mut q = net.clone();
                    if k < nw {
                        p.layers[l].w.as_mut_slice()[k] += h;
                        q.layers[l].w.as_mut_slice()[k] -= h;
                    } else {
                        p.layers[l].b[k - nw] += h;
                        q.layers[l].b[k - nw] -= h;
                    }
                    let fd = (p.loss(&x, &e).total - q.loss(&x, &e).total) / (2.0 * h);
                    let an = if k < nw {
                        g.w[l].as_slice()[k]
                    } else {
                        g.b[l][k - nw]
                    };
                    worst = worst.max((fd - an).abs() / (1e-6 + an.abs().max(fd.abs())));
                }
            }
            assert!(worst < 1e-5, "relative gradient error {worst}");
        }
    }

    #[test]
    fn adam_first_step_is_lr_times_sign() {
        let mut rng = Rng::new(1);
        let mut net = Autoencoder::linear(2, 3, &mut rng);
        let before = net.clone();
        let x = DMatrix::from_fn(5, 2, |i, j| (i + j) as f64 / 5.0);
        let (_, g) = net.loss_and_grads(&x, &Energies::LINEAR, true);
        let g = g.unwrap();
        let mut adam = Adam::new(1e-3);
        adam.step(&mut net, &g);
        // After one step m̂ = g and v̂ = g², so Δw = −η g/(|g| + ε).
        for (l, layer) in net.layers.iter().enumerate() {
            for k in 0..layer.w.len() {
                let gk = g.w[l].as_slice()[k];
                let expect = before.layers[l].w.as_slice()[k] - 1e-3 * gk / (gk.abs() + 1e-8);
                assert!((layer.w.as_slice()[k] - expect).abs() < 1e-15);
            }
        }
    }
}
