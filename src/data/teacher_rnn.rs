//! The teacher RNN of the modularity paper's teacher–student experiment
//! (Dorrell, Hsu, …, Whittington, ICLR 2025, Fig. 3f–g), as its code sets it
//! up (kylehkhsu/modular, `disentangled_rnn_params.py`, `get_data` in
//! `disentangled_rnn_utils.py`):
//!
//! - The teacher is an RNN of 2 tanh units with orthogonal 2 × 2 weights
//!   (W_rec, W_in, W_out, drawn in that order) and zero biases. Its hidden
//!   states s_t are the **sources**.
//! - The sources are chosen first: each step's s_t is drawn from a 2-D law on
//!   [−0.5, 0.5]² (`low`, `high`; [`sample_point`] on the unit square,
//!   shifted), scaled by `targets_scale` = 0.7, independently at every step
//!   and in every sequence.
//! - The inputs that make the teacher visit them come in closed form: with
//!   s_{−1} = 0, tanh(W_rec s_{t−1} + W_in x_t) = s_t gives
//!   x_t = W_inᵀ(atanh(s_t) − W_rec s_{t−1}) (W_in is orthogonal). The code
//!   reaches the same x_t by six Newton steps.
//! - The student's targets are the teacher's outputs divided by
//!   0.7·(high − low): W_out s_t / 0.7.
//! - Sequences have T = 20 steps.
//!
//! One step of the code is left out: before solving for the inputs, it
//! re-pairs each step's sources across sequences (a linear assignment in
//! chunks of 196 sequences) so that the inputs are small. That changes which
//! sequence gets which source, not the law of s_t at any step; the inputs
//! here are larger on average. The code also draws a fixed set of 10,000
//! sequences and cycles through it; here every batch is drawn afresh.

use nalgebra::DMatrix;

use crate::data::sources::{sample_point, SourceKind};
use crate::nn::rnn::{orthogonal, Recurrence, Rnn, RnnAct, RnnParams, Sequences};
use crate::rng::Rng;

/// Steps per sequence (`data.T`).
pub const SEQ_LEN: usize = 20;
/// The sources' scale (`targets_scale`).
pub const SCALE: f64 = 0.7;

/// The law of each step's sources on the unit square (before the shift to
/// [−0.5, 0.5]² and the scale): see [`sample_point`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SourceLaw {
    pub kind: SourceKind,
    pub leg: f64,
    pub oversample: f64,
}

impl SourceLaw {
    /// One source pair s = 0.7·(u − 0.5), u from [`sample_point`].
    pub fn draw(&self, rng: &mut Rng) -> [f64; 2] {
        let u = sample_point(self.kind, self.leg, self.oversample, rng);
        [SCALE * (u[0] - 0.5), SCALE * (u[1] - 0.5)]
    }
}

/// The teacher: a 2-unit tanh RNN with orthogonal weights, zero biases.
pub fn teacher(rng: &mut Rng) -> Rnn {
    let w_rec = orthogonal(2, 2, rng);
    let w_in = orthogonal(2, 2, rng);
    let w_out = orthogonal(2, 2, rng);
    Rnn {
        p: RnnParams {
            w_rec: vec![w_rec],
            b_rec: vec![vec![0.0; 2]],
            w_in,
            b_in: Some(vec![0.0; 2]),
            w_out,
            b_out: vec![0.0; 2],
        },
        act: RnnAct::Tanh,
    }
}

/// A batch: the student's inputs, its targets and the teacher's states (the
/// sources), each one B × 2 matrix per step.
#[derive(Clone, Debug, PartialEq)]
pub struct TeacherBatch {
    pub seq: Sequences,
    pub targets: Vec<DMatrix<f64>>,
    pub sources: Vec<DMatrix<f64>>,
}

impl TeacherBatch {
    /// Every step's sources stacked (rows t·B + b), samples × 2.
    pub fn stacked_sources(&self) -> DMatrix<f64> {
        let b = self.seq.batch;
        DMatrix::from_fn(self.sources.len() * b, 2, |r, k| {
            self.sources[r / b][(r % b, k)]
        })
    }
}

/// Draw `batch` sequences of [`SEQ_LEN`] steps: the sources (sequence by
/// sequence, step by step, s1 then s2 per draw), then the inputs and
/// targets in closed form.
pub fn batch(teacher: &Rnn, law: &SourceLaw, batch: usize, rng: &mut Rng) -> TeacherBatch {
    let mut s = vec![DMatrix::zeros(batch, 2); SEQ_LEN];
    for b in 0..batch {
        for st in s.iter_mut() {
            let p = law.draw(rng);
            st[(b, 0)] = p[0];
            st[(b, 1)] = p[1];
        }
    }
    let (w_rec, w_in, w_out) = (&teacher.p.w_rec[0], &teacher.p.w_in, &teacher.p.w_out);
    let mut x = Vec::with_capacity(SEQ_LEN);
    let mut targets = Vec::with_capacity(SEQ_LEN);
    for t in 0..SEQ_LEN {
        let mut xt = DMatrix::zeros(batch, 2);
        let mut yt = DMatrix::zeros(batch, 2);
        for b in 0..batch {
            let prev = if t == 0 {
                [0.0, 0.0]
            } else {
                [s[t - 1][(b, 0)], s[t - 1][(b, 1)]]
            };
            // r = atanh(s_t) − W_rec s_{t−1}; x = W_inᵀ r.
            let r: Vec<f64> = (0..2)
                .map(|i| {
                    libm::atanh(s[t][(b, i)]) - (w_rec[(i, 0)] * prev[0] + w_rec[(i, 1)] * prev[1])
                })
                .collect();
            for j in 0..2 {
                xt[(b, j)] = w_in[(0, j)] * r[0] + w_in[(1, j)] * r[1];
                yt[(b, j)] = (w_out[(j, 0)] * s[t][(b, 0)] + w_out[(j, 1)] * s[t][(b, 1)]) / SCALE;
            }
        }
        x.push(Some(xt));
        targets.push(yt);
    }
    TeacherBatch {
        seq: Sequences {
            x,
            recurrence: Recurrence::Shared,
            batch,
        },
        targets,
        sources: s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The closed-form inputs drive the teacher through the drawn sources,
    /// and its outputs are 0.7 times the targets.
    #[test]
    fn inputs_make_the_teacher_visit_the_sources() {
        let mut rng = Rng::new(7);
        let t = teacher(&mut rng);
        let law = SourceLaw {
            kind: SourceKind::Band,
            leg: 0.7,
            oversample: 1.0,
        };
        let b = batch(&t, &law, 16, &mut rng);
        let tr = t.forward(&b.seq);
        for step in 0..SEQ_LEN {
            for r in 0..16 {
                for k in 0..2 {
                    assert!((tr.h[step][(r, k)] - b.sources[step][(r, k)]).abs() < 1e-12);
                    assert!((tr.y[step][(r, k)] - SCALE * b.targets[step][(r, k)]).abs() < 1e-12);
                }
                let s = &b.sources[step];
                // Band of leg 0.7 on the unit range, scaled by 0.7.
                assert!((s[(r, 0)] - s[(r, 1)]).abs() <= 0.3 * SCALE + 1e-12);
                assert!(s[(r, 0)].abs() <= 0.5 * SCALE);
            }
        }
    }
}
