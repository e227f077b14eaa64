//! `model=rnn_teacher`: a student RNN learns a teacher RNN's dynamics
//! (Dorrell, Hsu, …, Whittington, ICLR 2025, Fig. 3f–g; kylehkhsu/modular,
//! `disentangled_rnn*.py`).
//!
//! The teacher's two hidden states are the sources, drawn from a chosen law
//! at every step ([`crate::data::teacher_rnn`]). The student, a ReLU RNN,
//! sees the inputs that drive the teacher and must output the teacher's
//! readout. The question is whether its units split into one group per
//! teacher unit, and whether that depends on the sources' range or on their
//! dependence. The metric is the linear conditional InfoM between the
//! teacher's states and the student's units.
//!
//! Settings, from the paper's code (`disentangled_rnn_params.py`):
//! - Student: `hidden` ReLU units (64 in the paper), `torch.nn.Linear`
//!   initialisation, except W_in ~ U(0, 1) scaled to unit Frobenius norm
//!   (`orthog=False`). Biases on both W_rec and W_in, as there.
//! - Loss 10·MSE + mean(h²) + Σ_W mean(W²) over W_rec, W_in, W_out
//!   (`pred_beta` 10, `act_reg_l2` 1, `weight_reg_l2` 1; the weight term is a
//!   mean per matrix, `(p ** 2).mean()`).
//! - Adam, lr 2e-3, batch 128, gradient norm clipped at 2, 60,001 steps.
//!   The lab's defaults are smaller (see the presets and the lab text).
//! - The metric is taken on a fixed evaluation set of [`EVAL_SEQUENCES`]
//!   sequences (the code uses the first 2,000 of its data set), over all
//!   their steps.

use nalgebra::DMatrix;

use super::recurrent::{self as r, Batch, History, Task, TraceSpec};
use crate::config::LabConfig;
use crate::data::sources::{law_corners, SourceKind};
use crate::data::teacher_rnn::{self as tr, SourceLaw, TeacherBatch};
use crate::metrics::modularity::{self as m, PairwiseCondition};
use crate::nn::rnn::{Recurrence, Rnn, RnnAct, RnnLoss, Sequences, Trace};
use crate::rng::Rng;
use crate::snapshot::{Chart, Metric, Overlay, Series};

/// Sequences of the evaluation set (× 20 steps = 2,000 samples).
pub const EVAL_SEQUENCES: usize = 100;
/// Source points drawn on the sources chart.
const DRAWN: usize = 1000;
/// The gradient-norm clip.
const CLIP: f64 = 2.0;

/// The student's loss.
pub const LOSS: RnnLoss = RnnLoss {
    fit: 10.0,
    sum_outputs: false,
    fit_threshold: None,
    act: 1.0,
    neg_sq: 0.0,
    neg: 0.0,
    sum_units: false,
    weight: 1.0,
    weight_mean: true,
};

pub struct TeacherTask {
    teacher: Rnn,
    law: SourceLaw,
    batch_size: usize,
    rng: Rng,
    batch: Batch,
    eval: Batch,
    eval_sources: DMatrix<f64>,
    theory: Result<PairwiseCondition, String>,
    correlation: f64,
    source_mi: f64,
    ceiling: f64,
}

fn to_batch(b: TeacherBatch) -> (Batch, DMatrix<f64>) {
    let s = b.stacked_sources();
    (
        Batch {
            seq: b.seq,
            targets: b.targets,
        },
        s,
    )
}

/// The theory's verdict for a law: the exact hull of its support (its
/// corners, shifted and scaled as the sources are) with the evaluation
/// set's mean and covariance. The hull of random samples sits a little
/// inside the support (on the square, margins of order −1/√N, which would
/// call the tight square "mixed"); the law's own hull does not.
fn law_condition(law: &SourceLaw, s: &DMatrix<f64>) -> Result<PairwiseCondition, String> {
    let corners: Vec<[f64; 2]> = law_corners(law.kind, law.leg)
        .into_iter()
        .map(|p| [tr::SCALE * (p[0] - 0.5), tr::SCALE * (p[1] - 0.5)])
        .collect();
    let hull = m::convex_hull(&corners);
    let n = s.nrows().max(1) as f64;
    let (mut m1, mut m2) = (0.0, 0.0);
    for i in 0..s.nrows() {
        m1 += s[(i, 0)];
        m2 += s[(i, 1)];
    }
    let mean = [m1 / n, m2 / n];
    let mut c = 0.0;
    for i in 0..s.nrows() {
        c += (s[(i, 0)] - mean[0]) * (s[(i, 1)] - mean[1]);
    }
    let cond = m::condition_from_moments(mean, c / n, &hull)?;
    Ok(PairwiseCondition {
        modular: cond.modular,
        margin: cond.margin,
        pairs: vec![(0, 1, cond)],
    })
}

/// The lab for `model=rnn_teacher`.
pub fn build(config: &LabConfig) -> r::RecurrentLab<TeacherTask> {
    let mut notes = Vec::new();
    let dist = config.choice("dist");
    let kind = match SourceKind::from_key(&dist) {
        Some(k) => k,
        None => {
            notes.push(format!(
                "the teacher–student RNN draws its sources from a law, not from points: using 'square' for '{dist}'"
            ));
            SourceKind::Square
        }
    };
    let leg = config.num("leg");
    if leg > crate::data::sources::MAX_SAMPLED_LEG
        && matches!(
            kind,
            SourceKind::Triangle
                | SourceKind::TwoTriangles
                | SourceKind::SquareCorner
                | SourceKind::Band
        )
    {
        notes.push(format!(
            "leg {leg} leaves (almost) no area to draw sources from: using {}",
            crate::data::sources::MAX_SAMPLED_LEG
        ));
    }
    let law = SourceLaw {
        kind,
        leg,
        oversample: config.num("oversample"),
    };
    let hidden = config.int("hidden").max(1);
    let batch_size = config.int("batch").max(1);
    let teacher = tr::teacher(&mut Rng::fork(config.seed, 3));
    let mut net_rng = Rng::fork(config.seed, 2);
    let mut net = Rnn::torch_init(2, hidden, 2, RnnAct::Relu, &mut net_rng);
    // W_in ~ U(0, 1), then divided by its Frobenius norm (`orthog=False`).
    let mut norm = 0.0;
    for i in 0..hidden {
        for j in 0..2 {
            let v = net_rng.uniform();
            net.p.w_in[(i, j)] = v;
            norm += v * v;
        }
    }
    let norm = norm.sqrt();
    net.p.w_in /= norm;
    let mut eval_rng = Rng::fork(config.seed, 4);
    let (eval, eval_sources) = to_batch(tr::batch(&teacher, &law, EVAL_SEQUENCES, &mut eval_rng));
    let rng = Rng::fork(config.seed, 1);
    let batch = Batch {
        seq: Sequences {
            x: Vec::new(),
            recurrence: Recurrence::Shared,
            batch: 0,
        },
        targets: Vec::new(),
    };
    let col = |k: usize| eval_sources.column(k).iter().copied().collect::<Vec<f64>>();
    let correlation = m::correlation(&col(0), &col(1));
    let task = TeacherTask {
        teacher,
        law,
        batch_size,
        rng,
        batch,
        eval,
        theory: law_condition(&law, &eval_sources),
        correlation,
        source_mi: m::multi_information_auto_bins(&eval_sources),
        ceiling: m::ncmi_infom_ceiling(&eval_sources),
        eval_sources,
    };
    r::RecurrentLab::new(
        task,
        net,
        LOSS,
        Some(CLIP),
        config.num("lr"),
        config.int("steps") as u64,
        notes,
    )
}

impl Task for TeacherTask {
    fn name(&self) -> &'static str {
        super::NAME
    }

    /// A fresh batch every step.
    fn next_batch(&mut self) -> &Batch {
        let (b, _) = to_batch(tr::batch(
            &self.teacher,
            &self.law,
            self.batch_size,
            &mut self.rng,
        ));
        self.batch = b;
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
                info: format!(
                    "The papers' main measure, between the teacher's two states (the sources) and the student's units over the evaluation set ({} sequences × 20 steps): NCMI_ij = r(z_j, s_i)²/(1 − R²(s_i|s₋i)), clipped to [0, 1], then InfoM over the active units (Dorrell et al. 2025; kylehkhsu/modular). Correlated sources cap it below 1: a perfectly modular code scores 2/(1 + ρ²) − 1 on the unclipped NCMI, and, with NCMI clipped at 1 as here and in the paper's code, 1 − 2ρ² (0 once ρ² ≥ ½). The chart draws both; this run's sources have ρ = {:.3}.",
                    EVAL_SEQUENCES, self.correlation
                ),
            },
            TraceSpec {
                key: "fit_error",
                label: "Fit error (MSE)",
                info: "mean over steps, sequences and outputs of (y − target)², on the evaluation set.".into(),
            },
        ]
    }

    fn record(&self, _net: &Rnn, trace: &Trace) -> Vec<f64> {
        let z = r::stacked(&trace.h);
        let ncmi = m::ncmi_infom(&self.eval_sources, &z);
        let mut err = 0.0;
        let mut n = 0usize;
        for (y, t) in trace.y.iter().zip(&self.eval.targets) {
            for (a, b) in y.iter().zip(t.iter()) {
                err += (a - b) * (a - b);
                n += 1;
            }
        }
        vec![ncmi, err / n.max(1) as f64]
    }

    fn fixed_metrics(&self) -> Vec<Metric> {
        let rho2 = self.correlation * self.correlation;
        let mut v = vec![
            Metric {
                key: "source_mi".into(),
                label: "Sources' normalised multi-information".into(),
                value: self.source_mi,
                info: "(Σ_i H(s_i) − H(s))/Σ_i H(s_i) of the teacher's states over the evaluation set, each binned with numpy's 'auto' rule (the paper's code: normalized_multiinformation of discretize_binning(sources, bins='auto')), plug-in entropies, clipped to [0, 1]. 0 for independent sources; the x axis of the paper's Fig. 3g.".into(),
            },
            Metric {
                key: "source_correlation".into(),
                label: "Source correlation ρ(s1, s2)".into(),
                value: self.correlation,
                info: "Pearson correlation of the teacher's two states over the evaluation set.".into(),
            },
            Metric {
                key: "ncmi_ceiling".into(),
                label: "Linear conditional InfoM of a modular code".into(),
                value: self.ceiling,
                info: "What ncmi_infom gives a perfectly modular code of these sources (units equal to the sources): 1 − 2ρ² for ρ² ≤ ½, else 0, with NCMI clipped at 1 as the paper's code clips it.".into(),
            },
            Metric {
                key: "ncmi_ceiling_unclipped".into(),
                label: "2/(1 + ρ²) − 1".into(),
                value: 2.0 / (1.0 + rho2) - 1.0,
                info: "The modular code's score if NCMI were not clipped at 1 (NCMI = 1/(1 − ρ²) on its own source, ρ²/(1 − ρ²) on the other).".into(),
            },
        ];
        v.extend(r::theory_metrics(&self.theory, "the teacher's states"));
        v
    }

    fn charts(&self, net: &Rnn, history: &History) -> Vec<Chart> {
        let s = &self.eval_sources;
        let sources = super::charts::sources_chart(
            "teacher_states",
            "The teacher's states (the sources), their convex hull and the theory's ellipse",
            ("teacher unit 1", "teacher unit 2"),
            vec![Series::new(
                "teacher states",
                r::column_head(s, 0, DRAWN),
                r::column_head(s, 1, DRAWN),
            )],
            &self.theory,
            "The teacher's two hidden states at every step of the first evaluation sequences: the sources the student must carry. The theory reads their convex hull and the ellipse {x : (x − mean)ᵀS⁻¹(x − mean) = 1} (Dorrell et al. 2025). The band cuts two corners (range and dependence change together); the diagonals make the states dependent while their range stays the square's.",
        );
        let mut ncmi = Chart::lines(
            "ncmi_history",
            "Linear conditional InfoM over training",
            "step",
            "value",
            history.series("ncmi_infom").into_iter().collect(),
        )
        .info("ncmi_infom (see its ⓘ) over training. The lines are what a perfectly modular code would score on these sources: correlated sources lower the metric's ceiling.");
        ncmi = ncmi.overlay(Overlay::HLine {
            y: self.ceiling,
            label: format!("modular code, NCMI clipped (1 − 2ρ²): {:.3}", self.ceiling),
        });
        let rho2 = self.correlation * self.correlation;
        ncmi = ncmi.overlay(Overlay::HLine {
            y: 2.0 / (1.0 + rho2) - 1.0,
            label: format!(
                "2/(1 + ρ²) − 1 (NCMI unclipped): {:.3}",
                2.0 / (1.0 + rho2) - 1.0
            ),
        });
        let trace = net.forward(&self.eval.seq);
        let z = r::stacked(&trace.h);
        vec![
            sources,
            ncmi,
            r::tuning_chart(s, &z, ("slope on teacher unit 1", "slope on teacher unit 2")),
            r::ncmi_heatmap(s, &z, "teacher units (rows)", "NCMI_ij = r(z_j, s_i)²/(1 − R²(s_i|s₋i)), clipped to [0, 1], for the student's active units (range > 0.1 × the largest). A modular code lights one row per column."),
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

    /// BPTT against finite differences with the student's loss, on a small
    /// teacher batch (6 units, 3 sequences).
    #[test]
    fn gradients_match_finite_differences() {
        let mut rng = Rng::new(5);
        let teacher = tr::teacher(&mut rng);
        let law = SourceLaw {
            kind: SourceKind::XDiagonals,
            leg: 0.5,
            oversample: 0.5,
        };
        let b = tr::batch(&teacher, &law, 3, &mut rng);
        let net = Rnn::torch_init(2, 6, 2, RnnAct::Relu, &mut rng);
        let e = worst_gradient_error(&net, &LOSS, &b.seq, &b.targets);
        assert!(e < 1.0, "{e}");
    }

    /// The theory on each law's exact hull: the square and the
    /// oversampled diagonals keep the square's hull (tight, modular); the
    /// band of leg 0.7 mixes.
    #[test]
    fn the_theory_reads_each_laws_hull() {
        let teacher = tr::teacher(&mut Rng::new(1));
        for (kind, modular) in [
            (SourceKind::Square, true),
            (SourceKind::XDiagonals, true),
            (SourceKind::Diagonal, true),
            (SourceKind::Band, false),
        ] {
            let law = SourceLaw {
                kind,
                leg: 0.7,
                oversample: 1.0,
            };
            let b = tr::batch(&teacher, &law, EVAL_SEQUENCES, &mut Rng::new(2));
            let c = law_condition(&law, &b.stacked_sources()).unwrap();
            assert_eq!(c.modular, modular, "{kind:?}: margin {}", c.margin);
        }
    }
}
