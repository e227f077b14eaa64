//! `model=rnn_freq`: RNNs that produce two rhythms (Dorrell, Hsu, …,
//! Whittington, ICLR 2025, Fig. 3a–d; kylehkhsu/modular,
//! `RNN_linear_modularity_torch.py` and `RNN_nonlinear_modularity.py`).
//!
//! A network of `hidden` units (16 in the paper) gets one pulse per period
//! at each of two frequencies and must output the cosines at those
//! frequencies ([`crate::data::rhythms`]). The two cosines are the sources;
//! the theory asks whether their joint support, a Lissajous curve, fills the
//! corners of its range. For (2π, e) and (2, 5) it nearly does, and the
//! optimal code is modular: each neuron oscillates at one frequency. For
//! (2, 4), cos 4t = 2cos²2t − 1 traces a parabola that leaves two corners
//! empty, and the code mixes.
//!
//! Settings, from the paper's code:
//! - Weights orthogonal, biases zero ([`Rnn::orthogonal_init`]), h_{−1} = 0,
//!   one sequence of 200 steps (batch 1).
//! - `rnn_act=linear`: h ← W_rec h + b_rec + W_in x + b_in. Loss
//!   MSE + 0.5·mean(h²) + 0.02·ΣW² + 5·mean(½(h − |h|)²); the last term is
//!   10·mean(min(h, 0)²), since h − |h| = 2 min(h, 0).
//! - `rnn_act=relu`: the same through a ReLU, its pulses at (f₁ ± f₂)/2.
//!   Loss 5·MSE + 0.5·mean(h²) + 0.01·ΣW².
//! - ΣW² runs over W_rec, W_in and W_out (the `'weight'` parameters), not the
//!   biases. Adam (lr 7.5e-4 in the paper) with the gradient norm clipped
//!   at 2; 20,000 iterations.
//! - The metric `freq_modularity` ([`crate::metrics::frequency_modularity`])
//!   is taken on the trained network's hidden activity over the sequence.

use nalgebra::DMatrix;

use super::recurrent::{self as r, Batch, History, Task, TraceSpec};
use crate::config::LabConfig;
use crate::data::rhythms::{self, FreqPair};
use crate::metrics::frequency_modularity as fm;
use crate::metrics::modularity::{self as m, PairwiseCondition};
use crate::nn::rnn::{Recurrence, Rnn, RnnAct, RnnLoss, Sequences, Trace};
use crate::rng::Rng;
use crate::snapshot::{Chart, Heatmap, Metric, Series};

/// Steps of the Lissajous support drawn and fed to the theory: the
/// sequence continued ten times as long (t < 200), so that the curves of
/// incommensurate pairs cover their range.
pub const SUPPORT_STEPS: usize = 2000;

/// The gradient-norm clip (`clip_grad_norm_(max_norm=2)`).
const CLIP: f64 = 2.0;

/// The linear network's loss (`compute_loss(..., pos=True)`).
pub const LINEAR_LOSS: RnnLoss = RnnLoss {
    fit: 1.0,
    sum_outputs: false,
    fit_threshold: None,
    act: 0.5,
    neg_sq: 10.0,
    neg: 0.0,
    sum_units: false,
    weight: 0.02,
    weight_mean: false,
};

/// The ReLU network's loss (`RNN_nonlinear_modularity.py`).
pub const RELU_LOSS: RnnLoss = RnnLoss {
    fit: 5.0,
    sum_outputs: false,
    fit_threshold: None,
    act: 0.5,
    neg_sq: 0.0,
    neg: 0.0,
    sum_units: false,
    weight: 0.01,
    weight_mean: false,
};

pub struct FreqTask {
    pair: FreqPair,
    relu: bool,
    batch: Batch,
    support: DMatrix<f64>,
    theory: Result<PairwiseCondition, String>,
}

/// The (f₁, f₂) label of a pair.
fn pair_label(pair: FreqPair) -> &'static str {
    match pair {
        FreqPair::Irrational => "(2π, e)",
        FreqPair::Rational => "(2, 5)",
        FreqPair::Harmonic => "(2, 4)",
    }
}

/// The lab for `model=rnn_freq`.
pub fn build(config: &LabConfig) -> r::RecurrentLab<FreqTask> {
    let pair = FreqPair::from_key(&config.choice("freqs")).unwrap_or(FreqPair::Irrational);
    let relu = config.choice("rnn_act") == "relu";
    let task = if relu {
        rhythms::relu_task(pair)
    } else {
        rhythms::linear_task(pair)
    };
    let hidden = config.int("hidden").max(1);
    let mut rng = Rng::fork(config.seed, 2);
    let act = if relu { RnnAct::Relu } else { RnnAct::Linear };
    let net = Rnn::orthogonal_init(2, hidden, 2, act, &mut rng);
    let steps = rhythms::STEPS;
    let seq = Sequences {
        x: (0..steps)
            .map(|t| Some(DMatrix::from_fn(1, 2, |_, k| task.inputs[(t, k)])))
            .collect(),
        recurrence: Recurrence::Shared,
        batch: 1,
    };
    let targets = (0..steps)
        .map(|t| DMatrix::from_fn(1, 2, |_, k| task.targets[(t, k)]))
        .collect();
    let support = rhythms::lissajous(pair, SUPPORT_STEPS);
    let theory = m::pairwise_condition(&support);
    let t = FreqTask {
        pair,
        relu,
        batch: Batch { seq, targets },
        support,
        theory,
    };
    r::RecurrentLab::new(
        t,
        net,
        if relu { RELU_LOSS } else { LINEAR_LOSS },
        Some(CLIP),
        config.num("lr"),
        config.int("steps") as u64,
        Vec::new(),
    )
}

impl FreqTask {
    /// The target frequencies in the pair's order (f₁, f₂).
    fn freqs(&self) -> [f64; 2] {
        self.pair.freqs()
    }

    /// Hidden activity over the sequence, steps × units.
    fn activity(trace: &Trace) -> DMatrix<f64> {
        r::stacked(&trace.h)
    }
}

impl Task for FreqTask {
    fn name(&self) -> &'static str {
        super::NAME
    }

    fn next_batch(&mut self) -> &Batch {
        &self.batch
    }

    fn eval_batch(&self) -> &Batch {
        &self.batch
    }

    fn traces(&self) -> Vec<TraceSpec> {
        vec![
            TraceSpec {
                key: "freq_modularity",
                label: "Frequency modularity",
                info: format!(
                    "Each neuron's activity over the sequence is demeaned and Fourier transformed; M_ij = Σ (|X_k| + 1e-8) over the frequencies within ±{} rad/s of target frequency j, divided by the same sum over all non-negative frequencies (the paper's code's rel_fft_power: magnitudes, not squared). MI = (Σ_i max_j M_ij / Σ_ij M_ij − ½)/½ over all neurons: 1 when each neuron oscillates at one frequency, 0 when every neuron carries both equally (Dorrell et al. 2025, Fig. 3; kylehkhsu/modular).",
                    fm::WINDOW
                ),
            },
            TraceSpec {
                key: "fit_error",
                label: "Fit error (MSE)",
                info: "mean over steps and outputs of (y − target)².".into(),
            },
        ]
    }

    fn record(&self, _net: &Rnn, trace: &Trace) -> Vec<f64> {
        let h = Self::activity(trace);
        let mi = fm::frequency_modularity(&h, &self.freqs(), rhythms::DT);
        let mut err = 0.0;
        for (y, t) in trace.y.iter().zip(&self.batch.targets) {
            for k in 0..2 {
                let d = y[(0, k)] - t[(0, k)];
                err += d * d;
            }
        }
        vec![mi, err / (2 * trace.y.len()).max(1) as f64]
    }

    fn fixed_metrics(&self) -> Vec<Metric> {
        r::theory_metrics(
            &self.theory,
            "the two cosines (their Lissajous support over t < 200)",
        )
    }

    fn charts(&self, net: &Rnn, history: &History) -> Vec<Chart> {
        let [f1, f2] = self.freqs();
        let label = pair_label(self.pair);
        let (c1, c2) = (format!("cos {}", fmt_f(f1)), format!("cos {}", fmt_f(f2)));
        let n_seq = rhythms::STEPS;
        let support = super::charts::sources_chart(
            "lissajous",
            &format!("Lissajous support of {label} and the theory's ellipse"),
            (&format!("{c1}t"), &format!("{c2}t")),
            vec![
                Series::new(
                    "t < 200",
                    r::column_head(&self.support, 0, SUPPORT_STEPS),
                    r::column_head(&self.support, 1, SUPPORT_STEPS),
                ),
                Series::new(
                    "the training sequence, t < 20",
                    r::column_head(&self.support, 0, n_seq),
                    r::column_head(&self.support, 1, n_seq),
                ),
            ],
            &self.theory,
            "The two target cosines at t = 0, 0.1, 0.2, …: their joint support, a Lissajous curve. The theory reads its convex hull and the ellipse {x : (x − mean)ᵀS⁻¹(x − mean) = 1}: modular iff the ellipse fits inside (Dorrell et al. 2025). (2π, e) and (2, 5) reach the corners of the square, or nearly; (2, 4) traces the parabola cos 4t = 2cos²2t − 1, whose hull leaves the two lower corners empty.",
        );
        let mut charts = vec![support];
        let mi = history.series("freq_modularity").into_iter().collect();
        charts.push(
            Chart::lines(
                "freq_history",
                "Frequency modularity over training",
                "step",
                "MI",
                mi,
            )
            .info("Frequency modularity (see its ⓘ) of the hidden activity over the sequence, recorded 100 times over training."),
        );
        let trace = net.forward(&self.batch.seq);
        let h = Self::activity(&trace);
        let shares = fm::frequency_shares(&h, &self.freqs(), rhythms::DT);
        let (n, k) = (shares.nrows(), shares.ncols());
        let mut values = Vec::with_capacity(n * k);
        for j in 0..k {
            for i in 0..n {
                values.push(shares[(i, j)]);
            }
        }
        charts.push(
            Chart::heatmap(
                "freq_shares",
                &format!("Spectral share M at {} (row 0) and {} (row 1)", fmt_f(f1), fmt_f(f2)),
                "neuron",
                "target frequency",
                Heatmap::new(k, n, values, "share M"),
            )
            .info("M_ij: the share of neuron i's Fourier magnitude within ±0.2 rad/s of target frequency j. A modular code has each column bright in one row only."),
        );
        let t: Vec<f64> = (0..n_seq).map(rhythms::time).collect();
        let col = |v: &[DMatrix<f64>], k: usize| v.iter().map(|m| m[(0, k)]).collect::<Vec<f64>>();
        let (o1, o2) = if self.relu {
            // The ReLU network's outputs are f_max first.
            if f1 >= f2 {
                (0, 1)
            } else {
                (1, 0)
            }
        } else {
            (0, 1)
        };
        charts.push(
            Chart::lines(
                "fit",
                "Targets and the network's outputs",
                "time t",
                "output",
                vec![
                    Series::new(&format!("target {c1}t"), t.clone(), col(&self.batch.targets, o1)),
                    Series::new(&format!("output ({})", fmt_f(f1)), t.clone(), col(&trace.y, o1)).dashed(),
                    Series::new(&format!("target {c2}t"), t.clone(), col(&self.batch.targets, o2)),
                    Series::new(&format!("output ({})", fmt_f(f2)), t, col(&trace.y, o2)).dashed(),
                ],
            )
            .info("The targets over the training sequence (t < 20, step 0.1) and the trained network's readouts, dashed."),
        );
        let loss = history.series("loss").into_iter().collect();
        charts.push(Chart::lines("loss", "Loss", "step", "loss", loss).log_y());
        charts
    }
}

/// A frequency as the lab names it: 2π and e by name, others as numbers.
fn fmt_f(f: f64) -> String {
    if (f - 2.0 * core::f64::consts::PI).abs() < 1e-12 {
        "2π".into()
    } else if (f - core::f64::consts::E).abs() < 1e-12 {
        "e".into()
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::rnn::worst_gradient_error;

    /// BPTT against finite differences with each network's own loss, on
    /// its own task (the first 30 steps, 5 units, weights moved off their
    /// orthogonal start so that some linear units go negative).
    #[test]
    fn gradients_match_finite_differences() {
        for relu in [false, true] {
            let task = if relu {
                rhythms::relu_task(FreqPair::Harmonic)
            } else {
                rhythms::linear_task(FreqPair::Harmonic)
            };
            let mut rng = Rng::new(4);
            let act = if relu { RnnAct::Relu } else { RnnAct::Linear };
            let mut net = Rnn::orthogonal_init(2, 5, 2, act, &mut rng);
            for p in net.p.slices_mut() {
                for v in p {
                    *v += 0.2 * rng.normal();
                }
            }
            let steps = 30;
            let seq = Sequences {
                x: (0..steps)
                    .map(|t| Some(DMatrix::from_fn(1, 2, |_, k| task.inputs[(t, k)])))
                    .collect(),
                recurrence: Recurrence::Shared,
                batch: 1,
            };
            let targets: Vec<DMatrix<f64>> = (0..steps)
                .map(|t| DMatrix::from_fn(1, 2, |_, k| task.targets[(t, k)]))
                .collect();
            let tr = net.forward(&seq);
            if !relu {
                assert!(tr.h.iter().any(|h| h.iter().any(|v| *v < 0.0)));
            }
            let loss = if relu { RELU_LOSS } else { LINEAR_LOSS };
            let e = worst_gradient_error(&net, &loss, &seq, &targets);
            assert!(e < 1.0, "relu {relu}: {e}");
        }
    }

    /// The theory on each pair's support: (2π, e) and (2, 5) modular,
    /// (2, 4) mixed.
    #[test]
    fn the_theory_separates_the_harmonic_pair() {
        for (pair, modular) in [
            (FreqPair::Irrational, true),
            (FreqPair::Rational, true),
            (FreqPair::Harmonic, false),
        ] {
            let c = m::pairwise_condition(&rhythms::lissajous(pair, SUPPORT_STEPS)).unwrap();
            assert_eq!(c.modular, modular, "{pair:?}: margin {}", c.margin);
        }
    }
}
