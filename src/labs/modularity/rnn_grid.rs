//! `model=rnn_grid`: the paper's entorhinal model (Dorrell, Hsu, …,
//! Whittington, ICLR 2025, Fig. 4; kylehkhsu/modular,
//! `Grid_Warp_Train.ipynb`, `Grid_Warp_Plot.ipynb`).
//!
//! A linear RNN walks a periodic 3 × 3 room: it reads the reward's place once
//! (g_0 = I x + b_I), then at each step applies the matrix of the action it
//! took (g_t = W[a_{t−1}] g_{t−1} + b[a_{t−1}]). From g_t it must read out
//! where it is and the displacement to the reward (one-hot each,
//! [`crate::data::rooms`]). Place and displacement are the two sources. When
//! the reward can be anywhere, every (place, displacement) pair occurs:
//! the sources' range is a product and the code should be modular (separate
//! place cells and reward-vector cells). When the reward never moves, the
//! displacement is a function of the place, and the code may mix: place
//! cells that also encode the reward, as grid maps warp towards a fixed
//! reward in the experiments the paper discusses.
//!
//! Settings, from the paper's code:
//! - Each W[a] starts orthogonal (the left singular vectors of a normal
//!   matrix), its bias N(0, 0.1²); the readout R and input map I (and their
//!   biases) N(0, 0.1²) (`initialise_weights`, `init_scale = 0.1`).
//! - Loss 100·relu(fit − 0.001) + 0.1·activity + 0.01·weights +
//!   100·negativity. Here fit is the mean over steps and rooms of the
//!   squared error summed over the 18 outputs; activity is the same mean of
//!   Σ_n g²; negativity that of Σ_n relu(−g); weights is Σ‖W[a]‖² + ‖R‖² +
//!   ‖I‖² without the bias columns.
//! - Adam, lr 1e-3, no clipping, fresh rooms and walks at every step: 10
//!   rooms with walks of 25 steps in the paper, 64 units.
//! - The metric is the linear conditional InfoM between the sources as
//!   numbers (the place's index 0..8 and the displacement's) and the units
//!   over the evaluation walk ([`crate::data::rooms::evaluation`]).

use nalgebra::DMatrix;

use super::recurrent::{self as r, Batch, History, Task, TraceSpec};
use crate::config::LabConfig;
use crate::data::rooms::{self, RoomBatch, ACTIONS, PLACES};
use crate::metrics::modularity as m;
use crate::nn::rnn::{orthogonal, Rnn, RnnAct, RnnLoss, RnnParams, Trace};
use crate::rng::Rng;
use crate::snapshot::{Chart, Metric, Series};

/// The initial scale of the biases, readout and input map.
const INIT_SCALE: f64 = 0.1;

/// The entorhinal model's loss.
pub const LOSS: RnnLoss = RnnLoss {
    fit: 100.0,
    sum_outputs: true,
    fit_threshold: Some(0.001),
    act: 0.1,
    neg_sq: 0.0,
    neg: 100.0,
    sum_units: true,
    weight: 0.01,
    weight_mean: false,
};

pub struct GridTask {
    reward_fixed: f64,
    rooms: usize,
    walk: usize,
    rng: Rng,
    batch: Batch,
    eval: Batch,
    eval_sources: DMatrix<f64>,
    source_mi: f64,
}

fn to_batch(b: RoomBatch) -> (Batch, DMatrix<f64>) {
    let s = b.stacked_sources();
    (
        Batch {
            seq: b.seq,
            targets: b.targets,
        },
        s,
    )
}

/// The network, drawn as `initialise_weights` draws it: for each action its
/// bias then its orthogonal matrix; then R row by row (weights, then the
/// bias column); then I likewise.
pub fn network(hidden: usize, rng: &mut Rng) -> Rnn {
    let n = hidden;
    let mut w_rec = Vec::with_capacity(ACTIONS);
    let mut b_rec = Vec::with_capacity(ACTIONS);
    for _ in 0..ACTIONS {
        b_rec.push(
            (0..n)
                .map(|_| INIT_SCALE * rng.normal())
                .collect::<Vec<f64>>(),
        );
        w_rec.push(orthogonal(n, n, rng));
    }
    let outs = 2 * PLACES;
    let mut w_out = DMatrix::zeros(outs, n);
    let mut b_out = vec![0.0; outs];
    for i in 0..outs {
        for j in 0..n {
            w_out[(i, j)] = INIT_SCALE * rng.normal();
        }
        b_out[i] = INIT_SCALE * rng.normal();
    }
    let mut w_in = DMatrix::zeros(n, PLACES);
    let mut b_in = vec![0.0; n];
    for i in 0..n {
        for j in 0..PLACES {
            w_in[(i, j)] = INIT_SCALE * rng.normal();
        }
        b_in[i] = INIT_SCALE * rng.normal();
    }
    Rnn {
        p: RnnParams {
            w_rec,
            b_rec,
            w_in,
            b_in: Some(b_in),
            w_out,
            b_out,
        },
        act: RnnAct::Linear,
    }
}

/// The lab for `model=rnn_grid`.
pub fn build(config: &LabConfig) -> r::RecurrentLab<GridTask> {
    let reward_fixed = config.num("reward_fixed").clamp(0.0, 1.0);
    let hidden = config.int("hidden").max(1);
    let net = network(hidden, &mut Rng::fork(config.seed, 2));
    let (eval, eval_sources) = to_batch(rooms::evaluation(reward_fixed));
    let task = GridTask {
        reward_fixed,
        rooms: config.int("rooms").max(1),
        walk: config.int("walk").max(2),
        rng: Rng::fork(config.seed, 1),
        batch: to_batch(rooms::training(0, 2, 0.0, &mut Rng::new(0))).0,
        source_mi: m::multi_information_auto_bins(&eval_sources),
        eval,
        eval_sources,
    };
    r::RecurrentLab::new(
        task,
        net,
        LOSS,
        None,
        config.num("lr"),
        config.int("steps") as u64,
        Vec::new(),
    )
}

impl Task for GridTask {
    fn name(&self) -> &'static str {
        super::NAME
    }

    /// Fresh rooms and walks every step.
    fn next_batch(&mut self) -> &Batch {
        self.batch = to_batch(rooms::training(
            self.rooms,
            self.walk,
            self.reward_fixed,
            &mut self.rng,
        ))
        .0;
        &self.batch
    }

    fn eval_batch(&self) -> &Batch {
        &self.eval
    }

    fn traces(&self) -> Vec<TraceSpec> {
        vec![
            TraceSpec {
                key: "ncmi_infom",
                label: "Linear conditional InfoM",
                info: "The papers' main measure between the two sources, the place and the displacement to the reward (each as its index 0..8, as the paper's analysis codes them), and the units, over the evaluation walk through all 9 places in every room the training law can give (all 9 reward places, or only the fixed one when reward_fixed = 1): NCMI_ij = r(z_j, s_i)²/(1 − R²(s_i|s₋i)), clipped to [0, 1], then InfoM over the active units (Dorrell et al. 2025, Fig. 4; kylehkhsu/modular).".into(),
            },
            TraceSpec {
                key: "accuracy",
                label: "Readout accuracy",
                info: "The share of the 18 readouts, over the evaluation walk, that round to their one-hot target (the paper's code's calc_acc).".into(),
            },
            TraceSpec {
                key: "fit_error",
                label: "Fit error",
                info: "Mean over steps and rooms of the squared error summed over the 18 readouts, on the evaluation walk; the loss pays for it above 0.001.".into(),
            },
        ]
    }

    fn record(&self, _net: &Rnn, trace: &Trace) -> Vec<f64> {
        let z = r::stacked(&trace.h);
        let ncmi = m::ncmi_infom(&self.eval_sources, &z);
        let (mut hit, mut n, mut err, mut samples) = (0usize, 0usize, 0.0, 0usize);
        for (y, t) in trace.y.iter().zip(&self.eval.targets) {
            for (a, b) in y.iter().zip(t.iter()) {
                if a.round() == *b {
                    hit += 1;
                }
                n += 1;
                err += (a - b) * (a - b);
            }
            samples += y.nrows();
        }
        vec![
            ncmi,
            hit as f64 / n.max(1) as f64,
            err / samples.max(1) as f64,
        ]
    }

    fn fixed_metrics(&self) -> Vec<Metric> {
        vec![Metric {
            key: "source_mi".into(),
            label: "Sources' normalised multi-information".into(),
            value: self.source_mi,
            info: "(H(place) + H(displacement) − H(place, displacement))/(H(place) + H(displacement)) over the evaluation walk (numpy's 'auto' bins, plug-in entropies, as the paper's code bins the teacher–student sources): 0 when every pair occurs equally often (the reward anywhere). With the reward fixed, the displacement is a function of the place; a binning that kept that function one-to-one would give ½, and the 9 samples of the one room, in 5 bins per source, give 0.31.".into(),
        }]
    }

    fn charts(&self, net: &Rnn, history: &History) -> Vec<Chart> {
        let s = &self.eval_sources;
        let trace = net.forward(&self.eval.seq);
        let z = r::stacked(&trace.h);
        let col = |k: usize| s.column(k).iter().copied().collect::<Vec<f64>>();
        let support = Chart::scatter(
            "place_reward",
            "Place and displacement on the evaluation walk",
            "place index (x·3 + y)",
            "displacement index",
            vec![Series::new("(place, displacement)", col(0), col(1))],
        )
        .info("Each point a (place, displacement-to-reward) pair the network meets on the evaluation walk. With the reward anywhere, all 81 pairs occur: the sources' range is a product, independent. With the reward fixed, the displacement is a function of the place: 9 pairs.");
        vec![
            Chart::lines(
                "ncmi_history",
                "Linear conditional InfoM over training",
                "step",
                "value",
                history
                    .series("ncmi_infom")
                    .into_iter()
                    .chain(history.series("accuracy"))
                    .collect(),
            )
            .info("ncmi_infom (see its ⓘ) and the readout accuracy over training."),
            r::ncmi_heatmap(s, &z, "place (row 0), displacement (row 1)", "NCMI_ij = r(z_j, s_i)²/(1 − R²(s_i|s₋i)), clipped to [0, 1], for the active units (range > 0.1 × the largest). Modular: each column bright in one row only — place cells apart from reward-vector cells."),
            support,
            Chart::lines(
                "loss",
                "Loss",
                "step",
                "loss",
                history.series("loss").into_iter().collect(),
            )
            .log_y(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::rnn::worst_gradient_error;

    /// BPTT against finite differences with the entorhinal loss (fit above
    /// its threshold, negativity active), 6 units, 3 rooms, walks of 5.
    #[test]
    fn gradients_match_finite_differences() {
        let mut rng = Rng::new(6);
        let net = network(6, &mut rng);
        let b = rooms::training(3, 5, 0.5, &mut rng);
        let tr = net.forward(&b.seq);
        assert!(tr.h.iter().any(|h| h.iter().any(|v| *v < 0.0)));
        let e = worst_gradient_error(&net, &LOSS, &b.seq, &b.targets);
        assert!(e < 1.0, "{e}");
    }
}
