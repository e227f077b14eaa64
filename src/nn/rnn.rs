//! A discrete-time recurrent network trained by backpropagation through time
//! (BPTT, written by hand): the one RNN behind the modularity lab's three
//! recurrent models (Dorrell, Hsu, …, Whittington, ICLR 2025, "Range, not
//! independence, drives modularity"; their code, kylehkhsu/modular).
//!
//! For a batch of B sequences of T steps (rows of B × · matrices):
//!
//! ```text
//! a_t = [W_rec[k] h_{t−1} + b_rec[k]] + [W_in x_t + b_in],   h_{−1} = 0,
//! h_t = φ(a_t)                       (φ: identity, ReLU or tanh),
//! y_t = W_out h_t + b_out.
//! ```
//!
//! Each bracket may be absent at a step, which is how one network serves
//! the three models:
//! - **Recurrence** ([`Recurrence`]): one shared W_rec at every step,
//!   t = 0 included (where h_{−1} = 0 leaves only b_rec, as in
//!   `h = w_rec(h) + w_in(x)` of `RNN_linear_modularity_torch.py` and
//!   `disentangled_rnn.py`), or a matrix chosen per sample and step from K
//!   (the entorhinal model's W[a], one per action, `Grid_Warp_Train.ipynb`),
//!   or none at that step.
//! - **Input**: x_t may be absent at a step (the entorhinal model reads its
//!   input only at t = 0: g_0 = I x + b_I); b_in is then absent too. b_in is
//!   optional: with it, the network has the two biases the paper's torch
//!   code has (`w_rec` and `w_in` are both `nn.Linear` with a bias; their
//!   sum acts, but each is a parameter of its own for Adam and clipping).
//!
//! **Gradients.** With δ_t = ∂L/∂a_t, the backward pass is
//! ∂L/∂h_t = W_outᵀ ∂L/∂y_t + ∂L/∂h_t|direct + W_rec[k]ᵀ δ_{t+1},
//! δ_t = ∂L/∂h_t ⊙ φ'(a_t) (ReLU: 1 where h_t > 0, else 0, as torch and jax
//! take it at 0; tanh: 1 − h_t²), and
//! ∂L/∂W_rec[k] = Σ δ_t h_{t−1}ᵀ over the (t, sample) pairs that use k,
//! ∂L/∂W_in = Σ_t δ_tᵀ x_t, ∂L/∂W_out = Σ_t (∂L/∂y_t)ᵀ h_t, biases the sums
//! of the same rows. The loss itself ([`RnnLoss`]) gives ∂L/∂y_t and the
//! direct ∂L/∂h_t (activity and sign energies). Both are checked against
//! central finite differences in the tests, for every parameter.
//!
//! **Same bits everywhere.** Every product goes through [`crate::gemm`]
//! (fixed summation order, no FMA). Products that do not depend on the
//! recurrence are taken once over all steps, stacked (rows t·B + b): the
//! input drive X W_inᵀ, the readout's gradient, and the weight gradients
//! Σ_t δ_tᵀ h_{t−1}. Only h_{t−1} W_recᵀ and δ_t W_rec run step by step.
//! Other sums (biases, energies) run in row order, t-major.

use nalgebra::DMatrix;

use crate::gemm;
use crate::rng::Rng;

/// The nonlinearity φ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RnnAct {
    Linear,
    Relu,
    Tanh,
}

impl RnnAct {
    fn apply(self, a: f64) -> f64 {
        match self {
            RnnAct::Linear => a,
            RnnAct::Relu => {
                if a > 0.0 {
                    a
                } else {
                    0.0
                }
            }
            RnnAct::Tanh => libm::tanh(a),
        }
    }

    /// φ'(a) from h = φ(a).
    fn slope(self, h: f64) -> f64 {
        match self {
            RnnAct::Linear => 1.0,
            RnnAct::Relu => {
                if h > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            RnnAct::Tanh => 1.0 - h * h,
        }
    }
}

/// The network's parameters; [`RnnGrads`] has the same shapes.
#[derive(Clone, Debug, PartialEq)]
pub struct RnnParams {
    /// K recurrent matrices, H × H (K = 1 unless the recurrence is indexed).
    pub w_rec: Vec<DMatrix<f64>>,
    /// K recurrent biases.
    pub b_rec: Vec<Vec<f64>>,
    /// H × I.
    pub w_in: DMatrix<f64>,
    /// The input bias, if the network has one.
    pub b_in: Option<Vec<f64>>,
    /// O × H.
    pub w_out: DMatrix<f64>,
    pub b_out: Vec<f64>,
}

/// ∂L/∂ of every parameter.
pub type RnnGrads = RnnParams;

impl RnnParams {
    /// The parameters as slices, in a fixed order: W_rec[0..K], b_rec[0..K],
    /// W_in, b_in, W_out, b_out.
    pub fn slices(&self) -> Vec<&[f64]> {
        let mut v: Vec<&[f64]> = Vec::new();
        for w in &self.w_rec {
            v.push(w.as_slice());
        }
        for b in &self.b_rec {
            v.push(b);
        }
        v.push(self.w_in.as_slice());
        if let Some(b) = &self.b_in {
            v.push(b);
        }
        v.push(self.w_out.as_slice());
        v.push(&self.b_out);
        v
    }

    /// [`RnnParams::slices`], mutable.
    pub fn slices_mut(&mut self) -> Vec<&mut [f64]> {
        let mut v: Vec<&mut [f64]> = Vec::new();
        for w in &mut self.w_rec {
            v.push(w.as_mut_slice());
        }
        for b in &mut self.b_rec {
            v.push(b);
        }
        v.push(self.w_in.as_mut_slice());
        if let Some(b) = &mut self.b_in {
            v.push(b);
        }
        v.push(self.w_out.as_mut_slice());
        v.push(&mut self.b_out);
        v
    }

    /// The same shapes, all zero.
    pub fn zeros_like(&self) -> Self {
        let z = |m: &DMatrix<f64>| DMatrix::zeros(m.nrows(), m.ncols());
        RnnParams {
            w_rec: self.w_rec.iter().map(z).collect(),
            b_rec: self.b_rec.iter().map(|b| vec![0.0; b.len()]).collect(),
            w_in: z(&self.w_in),
            b_in: self.b_in.as_ref().map(|b| vec![0.0; b.len()]),
            w_out: z(&self.w_out),
            b_out: vec![0.0; self.b_out.len()],
        }
    }

    /// The weight matrices (not the biases): W_rec[0..K], W_in, W_out.
    pub fn weights(&self) -> Vec<&DMatrix<f64>> {
        let mut v: Vec<&DMatrix<f64>> = self.w_rec.iter().collect();
        v.push(&self.w_in);
        v.push(&self.w_out);
        v
    }

    /// The Euclidean norm over every parameter, summed in [`RnnParams::slices`]
    /// order (torch's `clip_grad_norm_` takes the norm of the per-tensor
    /// norms: the same number up to rounding).
    pub fn norm(&self) -> f64 {
        let mut s = 0.0;
        for p in self.slices() {
            for v in p {
                s += v * v;
            }
        }
        s.sqrt()
    }

    /// Whether every entry is finite.
    pub fn all_finite(&self) -> bool {
        self.slices()
            .iter()
            .all(|p| p.iter().all(|v| v.is_finite()))
    }

    /// Scale so that the norm is at most `max` (torch's
    /// `clip_grad_norm_(max_norm)`: multiply by max/(norm + 1e-6) when that is
    /// below 1). Returns the norm before clipping.
    pub fn clip_norm(&mut self, max: f64) -> f64 {
        let norm = self.norm();
        let coef = max / (norm + 1e-6);
        if coef < 1.0 {
            for p in self.slices_mut() {
                for v in p {
                    *v *= coef;
                }
            }
        }
        norm
    }
}

/// Which recurrent matrix each step uses.
#[derive(Clone, Debug, PartialEq)]
pub enum Recurrence {
    /// W_rec[0] at every step (t = 0 included).
    Shared,
    /// `index[t][b]`: the matrix sample b uses at step t, or [`NO_RECURRENCE`]
    /// for none (no recurrent term, no recurrent bias).
    Indexed(Vec<Vec<usize>>),
}

/// In [`Recurrence::Indexed`]: no recurrent term at this step.
pub const NO_RECURRENCE: usize = usize::MAX;

/// A batch of sequences.
#[derive(Clone, Debug, PartialEq)]
pub struct Sequences {
    /// x_t (B × I) for each step, or `None` where the input term is absent.
    pub x: Vec<Option<DMatrix<f64>>>,
    pub recurrence: Recurrence,
    /// B, the sequences in the batch.
    pub batch: usize,
}

impl Sequences {
    /// T, the steps.
    pub fn len(&self) -> usize {
        self.x.len()
    }

    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }

    /// The recurrent matrix of sample b at step t, if any.
    fn rec_index(&self, t: usize, b: usize) -> Option<usize> {
        match &self.recurrence {
            Recurrence::Shared => Some(0),
            Recurrence::Indexed(ix) => {
                let k = ix[t][b];
                (k != NO_RECURRENCE).then_some(k)
            }
        }
    }
}

/// What the forward pass keeps for the backward pass.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    /// h_t (B × H) for each step.
    pub h: Vec<DMatrix<f64>>,
    /// y_t (B × O) for each step.
    pub y: Vec<DMatrix<f64>>,
}

/// The network: its parameters and nonlinearity.
#[derive(Clone, Debug, PartialEq)]
pub struct Rnn {
    pub p: RnnParams,
    pub act: RnnAct,
}

/// Rows `rows` of `m` as a matrix (in that order).
fn gather(m: &DMatrix<f64>, rows: &[usize]) -> DMatrix<f64> {
    DMatrix::from_fn(rows.len(), m.ncols(), |i, j| m[(rows[i], j)])
}

/// Steps' B × c matrices stacked as rows t·B + b (over the given steps).
fn stack<'a>(
    parts: impl Iterator<Item = &'a DMatrix<f64>>,
    rows: usize,
    cols: usize,
) -> DMatrix<f64> {
    let parts: Vec<&DMatrix<f64>> = parts.collect();
    let mut out = DMatrix::zeros(rows * parts.len(), cols);
    for (t, m) in parts.iter().enumerate() {
        for j in 0..cols {
            for i in 0..rows {
                out[(t * rows + i, j)] = m[(i, j)];
            }
        }
    }
    out
}

/// Column sums of the given steps' matrices, in row order (t-major).
fn column_sums<'a>(parts: impl Iterator<Item = &'a DMatrix<f64>>, cols: usize) -> Vec<f64> {
    let parts: Vec<&DMatrix<f64>> = parts.collect();
    (0..cols)
        .map(|j| {
            let mut s = 0.0;
            for m in &parts {
                for i in 0..m.nrows() {
                    s += m[(i, j)];
                }
            }
            s
        })
        .collect()
}

impl Rnn {
    /// The paper's torch networks with `orthog=True`
    /// (`RNN_linear_modularity_torch.py`, `RNN_nonlinear_modularity.py`, the
    /// teacher of `disentangled_rnn.py`): W_rec, W_in and W_out orthogonal
    /// ([`orthogonal`], drawn in that order), every bias (b_rec, b_in,
    /// b_out) zero.
    pub fn orthogonal_init(
        inputs: usize,
        hidden: usize,
        outputs: usize,
        act: RnnAct,
        rng: &mut Rng,
    ) -> Rnn {
        let w_rec = orthogonal(hidden, hidden, rng);
        let w_in = orthogonal(hidden, inputs, rng);
        let w_out = orthogonal(outputs, hidden, rng);
        Rnn {
            p: RnnParams {
                w_rec: vec![w_rec],
                b_rec: vec![vec![0.0; hidden]],
                w_in,
                b_in: Some(vec![0.0; hidden]),
                w_out,
                b_out: vec![0.0; outputs],
            },
            act,
        }
    }

    /// `torch.nn.Linear`'s default initialisation for each of W_rec, W_in,
    /// W_out in that order: the weights U(±1/√fan_in) row by row, then the
    /// bias U(±1/√fan_in).
    pub fn torch_init(
        inputs: usize,
        hidden: usize,
        outputs: usize,
        act: RnnAct,
        rng: &mut Rng,
    ) -> Rnn {
        let mut linear = |n_in: usize, n_out: usize| {
            let bound = 1.0 / (n_in as f64).sqrt();
            let mut w = DMatrix::zeros(n_out, n_in);
            for i in 0..n_out {
                for j in 0..n_in {
                    w[(i, j)] = rng.uniform_in(-bound, bound);
                }
            }
            let b: Vec<f64> = (0..n_out).map(|_| rng.uniform_in(-bound, bound)).collect();
            (w, b)
        };
        let (w_rec, b_rec) = linear(hidden, hidden);
        let (w_in, b_in) = linear(inputs, hidden);
        let (w_out, b_out) = linear(hidden, outputs);
        Rnn {
            p: RnnParams {
                w_rec: vec![w_rec],
                b_rec: vec![b_rec],
                w_in,
                b_in: Some(b_in),
                w_out,
                b_out,
            },
            act,
        }
    }

    pub fn hidden(&self) -> usize {
        self.p.w_out.ncols()
    }

    pub fn outputs(&self) -> usize {
        self.p.w_out.nrows()
    }

    pub fn inputs(&self) -> usize {
        self.p.w_in.ncols()
    }

    /// The rows of each recurrent matrix at step t: `groups[k]` lists the
    /// samples that use W_rec[k].
    fn groups(&self, seq: &Sequences, t: usize) -> Vec<Vec<usize>> {
        let mut g = vec![Vec::new(); self.p.w_rec.len()];
        for b in 0..seq.batch {
            if let Some(k) = seq.rec_index(t, b) {
                g[k].push(b);
            }
        }
        g
    }

    /// The forward pass over a batch of sequences.
    pub fn forward(&self, seq: &Sequences) -> Trace {
        let (bsz, hsz, t_len) = (seq.batch, self.hidden(), seq.len());
        // The input drive of every step with input, in one product.
        let with_input: Vec<usize> = (0..t_len).filter(|&t| seq.x[t].is_some()).collect();
        let drive = if with_input.is_empty() {
            DMatrix::zeros(0, hsz)
        } else {
            let xs = stack(
                with_input.iter().map(|&t| seq.x[t].as_ref().unwrap()),
                bsz,
                self.inputs(),
            );
            gemm::mul_nt(&xs, &self.p.w_in)
        };
        let mut h: Vec<DMatrix<f64>> = Vec::with_capacity(t_len);
        let mut rec = DMatrix::zeros(0, 0);
        let mut slot = 0;
        for t in 0..t_len {
            // a = (rec + b_rec) + (drive + b_in), each part +0.0 where absent.
            let mut a = DMatrix::zeros(bsz, hsz);
            let groups = self.groups(seq, t);
            for (k, rows) in groups.iter().enumerate() {
                if rows.is_empty() {
                    continue;
                }
                let bias = &self.p.b_rec[k];
                if t == 0 {
                    // h_{−1} = 0: only the bias.
                    for &r in rows {
                        for j in 0..hsz {
                            a[(r, j)] = bias[j];
                        }
                    }
                    continue;
                }
                if rows.len() == bsz {
                    gemm::mul_nt_into(&mut rec, &h[t - 1], &self.p.w_rec[k]);
                    for j in 0..hsz {
                        for r in 0..bsz {
                            a[(r, j)] = rec[(r, j)] + bias[j];
                        }
                    }
                } else {
                    let g = gather(&h[t - 1], rows);
                    let p = gemm::mul_nt(&g, &self.p.w_rec[k]);
                    for j in 0..hsz {
                        for (i, &r) in rows.iter().enumerate() {
                            a[(r, j)] = p[(i, j)] + bias[j];
                        }
                    }
                }
            }
            if seq.x[t].is_some() {
                for j in 0..hsz {
                    let bj = self.p.b_in.as_ref().map_or(0.0, |b| b[j]);
                    for r in 0..bsz {
                        a[(r, j)] += drive[(slot * bsz + r, j)] + bj;
                    }
                }
                slot += 1;
            }
            a.apply(|v| *v = self.act.apply(*v));
            h.push(a);
        }
        let y = self.readout(&h);
        Trace { h, y }
    }

    /// y_t = W_out h_t + b_out for every step, in one product.
    fn readout(&self, h: &[DMatrix<f64>]) -> Vec<DMatrix<f64>> {
        let (t_len, hsz, osz) = (h.len(), self.hidden(), self.outputs());
        if t_len == 0 {
            return Vec::new();
        }
        let bsz = h[0].nrows();
        let hs = stack(h.iter(), bsz, hsz);
        let ys = gemm::mul_nt(&hs, &self.p.w_out);
        (0..t_len)
            .map(|t| DMatrix::from_fn(bsz, osz, |r, o| ys[(t * bsz + r, o)] + self.p.b_out[o]))
            .collect()
    }

    /// The backward pass: the gradients of a loss whose derivatives are
    /// `dy[t]` = ∂L/∂y_t and `dh[t]` = the direct ∂L/∂h_t (not through
    /// y_t or later steps). Weight energies are the caller's to add.
    pub fn backward(
        &self,
        seq: &Sequences,
        trace: &Trace,
        dy: &[DMatrix<f64>],
        dh: &[DMatrix<f64>],
    ) -> RnnGrads {
        let (bsz, hsz, osz, t_len) = (seq.batch, self.hidden(), self.outputs(), seq.len());
        let mut g = self.p.zeros_like();
        if t_len == 0 {
            return g;
        }
        // Readout: ∂W_out = Σ_t dy_tᵀ h_t, and dy's share of ∂L/∂h_t.
        let dys = stack(dy.iter(), bsz, osz);
        let hs = stack(trace.h.iter(), bsz, hsz);
        g.w_out = gemm::mul_tn(&dys, &hs);
        g.b_out = column_sums(dy.iter(), osz);
        let from_out = gemm::mul(&dys, &self.p.w_out);
        // Back through time.
        let mut delta: Vec<DMatrix<f64>> = vec![DMatrix::zeros(0, 0); t_len];
        let mut carry = DMatrix::zeros(bsz, hsz);
        let mut back = DMatrix::zeros(0, 0);
        for t in (0..t_len).rev() {
            let h = &trace.h[t];
            let mut d = DMatrix::zeros(bsz, hsz);
            for j in 0..hsz {
                for r in 0..bsz {
                    let v = from_out[(t * bsz + r, j)] + dh[t][(r, j)] + carry[(r, j)];
                    d[(r, j)] = v * self.act.slope(h[(r, j)]);
                }
            }
            // ∂L/∂h_{t−1} through this step's recurrence.
            carry.fill(0.0);
            if t > 0 {
                for (k, rows) in self.groups(seq, t).iter().enumerate() {
                    if rows.is_empty() {
                        continue;
                    }
                    if rows.len() == bsz {
                        gemm::mul_into(&mut back, &d, &self.p.w_rec[k]);
                        carry.copy_from(&back);
                    } else {
                        let p = gemm::mul(&gather(&d, rows), &self.p.w_rec[k]);
                        for j in 0..hsz {
                            for (i, &r) in rows.iter().enumerate() {
                                carry[(r, j)] = p[(i, j)];
                            }
                        }
                    }
                }
            }
            delta[t] = d;
        }
        // Input weights: the steps with input.
        let with_input: Vec<usize> = (0..t_len).filter(|&t| seq.x[t].is_some()).collect();
        if !with_input.is_empty() {
            let ds = stack(with_input.iter().map(|&t| &delta[t]), bsz, hsz);
            let xs = stack(
                with_input.iter().map(|&t| seq.x[t].as_ref().unwrap()),
                bsz,
                self.inputs(),
            );
            g.w_in = gemm::mul_tn(&ds, &xs);
            if g.b_in.is_some() {
                g.b_in = Some(column_sums(with_input.iter().map(|&t| &delta[t]), hsz));
            }
        }
        // Recurrent weights: the (t, b) rows of each matrix, t-major; at
        // t = 0, h_{−1} = 0 adds nothing to ∂W_rec but its bias counts.
        for k in 0..self.p.w_rec.len() {
            let mut pairs: Vec<(usize, usize)> = Vec::new();
            for t in 0..t_len {
                for b in 0..bsz {
                    if seq.rec_index(t, b) == Some(k) {
                        pairs.push((t, b));
                    }
                }
            }
            let mut bias = vec![0.0; hsz];
            for &(t, b) in &pairs {
                for (j, s) in bias.iter_mut().enumerate() {
                    *s += delta[t][(b, j)];
                }
            }
            g.b_rec[k] = bias;
            let later: Vec<(usize, usize)> = pairs.into_iter().filter(|p| p.0 > 0).collect();
            if later.is_empty() {
                continue;
            }
            let ds = DMatrix::from_fn(later.len(), hsz, |i, j| delta[later[i].0][(later[i].1, j)]);
            let hp = DMatrix::from_fn(later.len(), hsz, |i, j| {
                trace.h[later[i].0 - 1][(later[i].1, j)]
            });
            g.w_rec[k] = gemm::mul_tn(&ds, &hp);
        }
        g
    }
}

/// The loss of the modularity lab's recurrent models, as each model's code
/// writes it (the models set the weights; see their files):
///
/// ```text
/// L = β · F                 or β · relu(F − θ)            (fit)
///   + λ_act · A(h²)                                        (activity)
///   + λ_sq  · A(min(h, 0)²)                                 (squared negativity)
///   + λ_neg · A(relu(−h))                                   (negativity)
///   + λ_w · Σ_W ‖W‖²        or λ_w · Σ_W mean(W²)          (weights, not biases)
/// ```
///
/// F is the mean over steps, sequences and outputs of (y − target)², or,
/// with `sum_outputs`, the mean over steps and sequences of the sum over
/// outputs. A(·) is the mean over steps, sequences and units, or with
/// `sum_units` the mean over steps and sequences of the sum over units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RnnLoss {
    pub fit: f64,
    pub sum_outputs: bool,
    pub fit_threshold: Option<f64>,
    pub act: f64,
    pub neg_sq: f64,
    pub neg: f64,
    pub sum_units: bool,
    pub weight: f64,
    pub weight_mean: bool,
}

/// The loss and its parts, each already weighted.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RnnLossParts {
    pub total: f64,
    /// F itself (unweighted, before any threshold): the fit error.
    pub fit_error: f64,
    pub fit: f64,
    pub act: f64,
    pub neg: f64,
    pub weight: f64,
}

impl RnnLoss {
    /// The loss of `trace` against `targets` (B × O per step) and, if
    /// `grads`, its gradient with respect to every parameter (BPTT).
    pub fn evaluate(
        &self,
        net: &Rnn,
        seq: &Sequences,
        trace: &Trace,
        targets: &[DMatrix<f64>],
        grads: bool,
    ) -> (RnnLossParts, Option<RnnGrads>) {
        let (bsz, hsz, osz, t_len) = (seq.batch, net.hidden(), net.outputs(), seq.len());
        let samples = (t_len * bsz).max(1) as f64;
        let n_fit = if self.sum_outputs {
            samples
        } else {
            samples * osz as f64
        };
        let n_act = if self.sum_units {
            samples
        } else {
            samples * hsz as f64
        };
        let mut err = 0.0;
        for (y, target) in trace.y.iter().zip(targets) {
            for o in 0..osz {
                for b in 0..bsz {
                    let r = y[(b, o)] - target[(b, o)];
                    err += r * r;
                }
            }
        }
        let f = err / n_fit;
        let (fit, fit_on) = match self.fit_threshold {
            Some(th) => {
                if f > th {
                    (self.fit * (f - th), true)
                } else {
                    (0.0, false)
                }
            }
            None => (self.fit * f, true),
        };
        let (mut sq, mut negsq, mut neg) = (0.0, 0.0, 0.0);
        for h in &trace.h {
            for j in 0..hsz {
                for b in 0..bsz {
                    let v = h[(b, j)];
                    sq += v * v;
                    if v < 0.0 {
                        negsq += v * v;
                        neg -= v;
                    }
                }
            }
        }
        let act = self.act * sq / n_act;
        let negative = self.neg_sq * negsq / n_act + self.neg * neg / n_act;
        let mut wsum = 0.0;
        for w in net.p.weights() {
            let mut s = 0.0;
            for v in w.iter() {
                s += v * v;
            }
            wsum += if self.weight_mean {
                s / w.len().max(1) as f64
            } else {
                s
            };
        }
        let weight = self.weight * wsum;
        let parts = RnnLossParts {
            total: fit + act + negative + weight,
            fit_error: f,
            fit,
            act,
            neg: negative,
            weight,
        };
        if !grads {
            return (parts, None);
        }
        let cf = if fit_on { 2.0 * self.fit / n_fit } else { 0.0 };
        let dy: Vec<DMatrix<f64>> = (0..t_len)
            .map(|t| {
                DMatrix::from_fn(bsz, osz, |b, o| {
                    cf * (trace.y[t][(b, o)] - targets[t][(b, o)])
                })
            })
            .collect();
        let (ca, csq, cn) = (
            2.0 * self.act / n_act,
            2.0 * self.neg_sq / n_act,
            self.neg / n_act,
        );
        let dh: Vec<DMatrix<f64>> = trace
            .h
            .iter()
            .map(|h| {
                h.map(|v| {
                    let mut d = ca * v;
                    if v < 0.0 {
                        d += csq * v - cn;
                    }
                    d
                })
            })
            .collect();
        let mut g = net.backward(seq, trace, &dy, &dh);
        let decay = |gw: &mut DMatrix<f64>, w: &DMatrix<f64>| {
            let c = if self.weight_mean {
                2.0 * self.weight / w.len().max(1) as f64
            } else {
                2.0 * self.weight
            };
            for (a, b) in gw.iter_mut().zip(w.iter()) {
                *a += c * b;
            }
        };
        for (gw, w) in g.w_rec.iter_mut().zip(&net.p.w_rec) {
            decay(gw, w);
        }
        decay(&mut g.w_in, &net.p.w_in);
        decay(&mut g.w_out, &net.p.w_out);
        (parts, Some(g))
    }
}

/// A random matrix with orthonormal columns (rows ≥ cols) or rows (rows <
/// cols), as `torch.nn.init.orthogonal_`: a standard normal matrix (drawn
/// row by row), its tall form orthonormalised by QR with R's diagonal made
/// positive. Here the QR is modified Gram–Schmidt, applied twice (the same Q,
/// which R > 0 makes unique). The result is Haar-distributed, like the left
/// singular vectors of a normal matrix that the entorhinal model's code
/// takes (`jnp.linalg.svd`).
pub fn orthogonal(rows: usize, cols: usize, rng: &mut Rng) -> DMatrix<f64> {
    let mut m = DMatrix::zeros(rows, cols);
    for i in 0..rows {
        for j in 0..cols {
            m[(i, j)] = rng.normal();
        }
    }
    let tall = if rows >= cols { m } else { m.transpose() };
    let (n, k) = tall.shape();
    let mut q = tall;
    for j in 0..k {
        for _pass in 0..2 {
            for p in 0..j {
                let mut dot = 0.0;
                for i in 0..n {
                    dot += q[(i, p)] * q[(i, j)];
                }
                for i in 0..n {
                    q[(i, j)] -= dot * q[(i, p)];
                }
            }
        }
        let mut norm = 0.0;
        for i in 0..n {
            norm += q[(i, j)] * q[(i, j)];
        }
        let norm = norm.sqrt();
        for i in 0..n {
            q[(i, j)] = if norm > 0.0 { q[(i, j)] / norm } else { 0.0 };
        }
    }
    if rows >= cols {
        q
    } else {
        q.transpose()
    }
}

/// Adam (Kingma & Ba 2015) over a parameter list, as `torch.optim.Adam` and
/// `optax.adam` with their defaults (β = (0.9, 0.999), ε = 1e-8) and the
/// same update as [`crate::nn::autoencoder::Adam`]:
/// m ← β1 m + (1 − β1) g, v ← β2 v + (1 − β2) g²,
/// w ← w − η (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε).
#[derive(Clone, Debug, PartialEq)]
pub struct RnnAdam {
    pub lr: f64,
    t: u64,
    m: Option<RnnParams>,
    v: Option<RnnParams>,
}

impl RnnAdam {
    pub fn new(lr: f64) -> Self {
        RnnAdam {
            lr,
            t: 0,
            m: None,
            v: None,
        }
    }

    /// One update of `p` with gradients `g`.
    pub fn step(&mut self, p: &mut RnnParams, g: &RnnGrads) {
        let (b1, b2, eps, lr) = (0.9, 0.999, 1e-8, self.lr);
        let m = self.m.get_or_insert_with(|| g.zeros_like());
        let v = self.v.get_or_insert_with(|| g.zeros_like());
        self.t += 1;
        let t = self.t as f64;
        let c1 = 1.0 - libm::pow(b1, t);
        let c2 = 1.0 - libm::pow(b2, t);
        for (((w, gs), ms), vs) in p
            .slices_mut()
            .into_iter()
            .zip(g.slices())
            .zip(m.slices_mut())
            .zip(v.slices_mut())
        {
            for i in 0..w.len() {
                ms[i] = b1 * ms[i] + (1.0 - b1) * gs[i];
                vs[i] = b2 * vs[i] + (1.0 - b2) * gs[i] * gs[i];
                let mh = ms[i] / c1;
                let vh = vs[i] / c2;
                w[i] -= lr * mh / (vh.sqrt() + eps);
            }
        }
    }
}

/// BPTT's gradient of `loss` against central finite differences (step
/// h = 1e-6) for every parameter: the worst over parameters of
/// |fd − bptt| / (1e-4·max(|fd|, |bptt|) + 10·ε·|L|/h), where ε·|L|/h is the
/// finite differences' own rounding noise (the entorhinal loss is in the
/// hundreds, while some of its gradients are 1e-4). At most 1 when they
/// agree. For the tests of the models that use this network.
#[cfg(test)]
pub(crate) fn worst_gradient_error(
    net: &Rnn,
    loss: &RnnLoss,
    seq: &Sequences,
    targets: &[DMatrix<f64>],
) -> f64 {
    let value = |n: &Rnn| {
        let tr = n.forward(seq);
        loss.evaluate(n, seq, &tr, targets, false).0.total
    };
    let tr = net.forward(seq);
    let (parts, g) = loss.evaluate(net, seq, &tr, targets, true);
    let g = g.unwrap();
    let h = 1e-6;
    let noise = 10.0 * f64::EPSILON * parts.total.abs() / h;
    let mut worst = 0.0f64;
    for s in 0..net.p.slices().len() {
        for e in 0..net.p.slices()[s].len() {
            let mut up = net.clone();
            up.p.slices_mut()[s][e] += h;
            let mut dn = net.clone();
            dn.p.slices_mut()[s][e] -= h;
            let fd = (value(&up) - value(&dn)) / (2.0 * h);
            let an = g.slices()[s][e];
            worst = worst.max((fd - an).abs() / (1e-4 * fd.abs().max(an.abs()) + noise));
        }
    }
    worst
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random_rnn(h: usize, i: usize, o: usize, k: usize, act: RnnAct, rng: &mut Rng) -> Rnn {
        let mut m = |r: usize, c: usize, s: f64| DMatrix::from_fn(r, c, |_, _| s * rng.normal());
        let w_rec = (0..k).map(|_| m(h, h, 0.4)).collect();
        let w_in = m(h, i, 0.7);
        let w_out = m(o, h, 0.5);
        let mut v = |n: usize| (0..n).map(|_| 0.3 * rng.normal()).collect::<Vec<f64>>();
        Rnn {
            p: RnnParams {
                w_rec,
                b_rec: (0..k).map(|_| v(h)).collect(),
                w_in,
                b_in: Some(v(h)),
                w_out,
                b_out: v(o),
            },
            act,
        }
    }

    /// Central finite differences of the loss against BPTT for every
    /// parameter, for each nonlinearity, a shared and an indexed
    /// recurrence (with steps without input and without recurrence), and
    /// every loss term (fit with and without threshold, per-unit sums,
    /// weight energy as sums and means).
    #[test]
    fn bptt_matches_finite_differences() {
        let mut rng = Rng::new(11);
        let (h, i, o, b, t_len) = (5, 3, 2, 4, 6);
        let losses = [
            RnnLoss {
                fit: 1.3,
                sum_outputs: false,
                fit_threshold: None,
                act: 0.4,
                neg_sq: 0.7,
                neg: 0.0,
                sum_units: false,
                weight: 0.05,
                weight_mean: false,
            },
            RnnLoss {
                fit: 2.0,
                sum_outputs: true,
                fit_threshold: Some(0.01),
                act: 0.1,
                neg_sq: 0.0,
                neg: 0.9,
                sum_units: true,
                weight: 0.3,
                weight_mean: true,
            },
        ];
        for (case, act) in [RnnAct::Linear, RnnAct::Relu, RnnAct::Tanh, RnnAct::Linear]
            .into_iter()
            .enumerate()
        {
            let indexed = case == 3;
            let k = if indexed { 3 } else { 1 };
            let net = random_rnn(h, i, o, k, act, &mut rng);
            let x: Vec<Option<DMatrix<f64>>> = (0..t_len)
                .map(|t| {
                    (!indexed || t == 0 || t == 3)
                        .then(|| DMatrix::from_fn(b, i, |_, _| rng.normal()))
                })
                .collect();
            let recurrence = if indexed {
                Recurrence::Indexed(
                    (0..t_len)
                        .map(|t| {
                            (0..b)
                                .map(|_| if t == 0 { NO_RECURRENCE } else { rng.below(k) })
                                .collect()
                        })
                        .collect(),
                )
            } else {
                Recurrence::Shared
            };
            let seq = Sequences {
                x,
                recurrence,
                batch: b,
            };
            let targets: Vec<DMatrix<f64>> = (0..t_len)
                .map(|_| DMatrix::from_fn(b, o, |_, _| rng.normal()))
                .collect();
            for loss in &losses {
                let value = |n: &Rnn| {
                    let tr = n.forward(&seq);
                    loss.evaluate(n, &seq, &tr, &targets, false).0.total
                };
                let tr = net.forward(&seq);
                let (parts, g) = loss.evaluate(&net, &seq, &tr, &targets, true);
                assert!(parts.fit > 0.0, "the threshold must not hide the fit");
                let g = g.unwrap();
                let eps = 1e-6;
                let mut worst = 0.0f64;
                let mut checked = 0;
                let n_slices = net.p.slices().len();
                for s in 0..n_slices {
                    for e in 0..net.p.slices()[s].len() {
                        let mut up = net.clone();
                        up.p.slices_mut()[s][e] += eps;
                        let mut dn = net.clone();
                        dn.p.slices_mut()[s][e] -= eps;
                        let fd = (value(&up) - value(&dn)) / (2.0 * eps);
                        let an = g.slices()[s][e];
                        let err = (fd - an).abs() / (1e-6 + fd.abs().max(an.abs()));
                        worst = worst.max(err);
                        checked += 1;
                    }
                }
                assert!(checked > 60);
                assert!(
                    worst < 1e-5,
                    "case {case} ({act:?}): relative error {worst}"
                );
            }
        }
    }

    #[test]
    fn orthogonal_is_orthonormal() {
        let mut rng = Rng::new(2);
        for (r, c) in [(6, 6), (7, 3), (2, 5)] {
            let q = orthogonal(r, c, &mut rng);
            let g = if r >= c {
                q.transpose() * &q
            } else {
                &q * q.transpose()
            };
            let n = g.nrows();
            for a in 0..n {
                for b in 0..n {
                    let want = if a == b { 1.0 } else { 0.0 };
                    assert!((g[(a, b)] - want).abs() < 1e-13, "{r}x{c}");
                }
            }
        }
    }

    #[test]
    fn clipping_scales_to_the_max_norm() {
        let mut rng = Rng::new(3);
        let mut g = random_rnn(4, 2, 2, 1, RnnAct::Linear, &mut rng).p;
        let before = g.norm();
        assert!(before > 2.0);
        g.clip_norm(2.0);
        assert!((g.norm() - 2.0 * before / (before + 1e-6)).abs() < 1e-12);
        let mut small = g.clone();
        for p in small.slices_mut() {
            for v in p {
                *v *= 0.1;
            }
        }
        let copy = small.clone();
        small.clip_norm(2.0);
        assert_eq!(small, copy);
    }
}
