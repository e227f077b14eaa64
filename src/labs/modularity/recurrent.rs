//! The training loop the modularity lab's three recurrent models share
//! (`model=rnn_freq`, `rnn_teacher`, `rnn_grid`): one [`Rnn`] trained by
//! BPTT with Adam at a constant learning rate (as in the paper's code), with
//! optional gradient clipping, on batches its [`Task`] hands out. Every
//! `steps / 100` steps the task records its metrics on its own evaluation
//! set, and the loss on that set is recorded beside them.

use nalgebra::DMatrix;

use crate::labs::{Lab, LabError};
use crate::metrics::modularity::{self as m, PairwiseCondition};
use crate::nn::rnn::{Rnn, RnnAdam, RnnLoss, Sequences};
use crate::snapshot::{Chart, ChartBody, Heatmap, Metric, Series, Snapshot};

/// Records of the metrics over a run.
const RECORDS: u64 = 100;

/// A batch: sequences and their targets (B × O per step).
pub struct Batch {
    pub seq: Sequences,
    pub targets: Vec<DMatrix<f64>>,
}

/// A recorded metric: its key, label and ⓘ.
pub struct TraceSpec {
    pub key: &'static str,
    pub label: &'static str,
    pub info: String,
}

/// One model of the lab: its data, metrics and charts.
pub trait Task {
    /// The lab's name for the run in snapshots.
    fn name(&self) -> &'static str;
    /// The batch of the next training step.
    fn next_batch(&mut self) -> &Batch;
    /// The fixed set the loss and metrics are recorded on.
    fn eval_batch(&self) -> &Batch;
    /// The metrics recorded over training, in order.
    fn traces(&self) -> Vec<TraceSpec>;
    /// Their values for the network now (the evaluation set's forward pass
    /// is `trace`).
    fn record(&self, net: &Rnn, trace: &crate::nn::rnn::Trace) -> Vec<f64>;
    /// Metrics that do not change over training (the sources', the
    /// theory's).
    fn fixed_metrics(&self) -> Vec<Metric>;
    /// The charts, given the run's history.
    fn charts(&self, net: &Rnn, history: &History) -> Vec<Chart>;
}

/// The recorded history: the steps, and each trace's values (the task's
/// traces, then the loss).
pub struct History {
    pub steps: Vec<f64>,
    pub values: Vec<Vec<f64>>,
    pub specs: Vec<TraceSpec>,
}

impl History {
    /// The series of trace `key`.
    pub fn series(&self, key: &str) -> Option<Series> {
        let i = self.specs.iter().position(|s| s.key == key)?;
        Some(Series::new(
            self.specs[i].label,
            self.steps.clone(),
            self.values[i].clone(),
        ))
    }
}

/// A recurrent model in training.
pub struct RecurrentLab<T: Task> {
    task: T,
    net: Rnn,
    adam: RnnAdam,
    loss: RnnLoss,
    clip: Option<f64>,
    steps: u64,
    step: u64,
    record_every: u64,
    history: History,
    stopped: Option<String>,
    notes: Vec<String>,
}

impl<T: Task> RecurrentLab<T> {
    pub fn new(
        task: T,
        net: Rnn,
        loss: RnnLoss,
        clip: Option<f64>,
        lr: f64,
        steps: u64,
        notes: Vec<String>,
    ) -> Self {
        let mut specs = task.traces();
        specs.push(TraceSpec {
            key: "loss",
            label: "Loss",
            info: "The training loss (see the model's energies) on the evaluation set.".into(),
        });
        let n = specs.len();
        let mut lab = RecurrentLab {
            task,
            net,
            adam: RnnAdam::new(lr),
            loss,
            clip,
            steps: steps.max(1),
            step: 0,
            record_every: (steps / RECORDS).max(1),
            history: History {
                steps: Vec::new(),
                values: vec![Vec::new(); n],
                specs,
            },
            stopped: None,
            notes,
        };
        lab.record();
        lab
    }

    fn record(&mut self) {
        let batch = self.task.eval_batch();
        let trace = self.net.forward(&batch.seq);
        let loss = self
            .loss
            .evaluate(&self.net, &batch.seq, &trace, &batch.targets, false)
            .0
            .total;
        let mut values = self.task.record(&self.net, &trace);
        values.push(loss);
        for (v, s) in values.into_iter().zip(self.history.values.iter_mut()) {
            s.push(v);
        }
        self.history.steps.push(self.step as f64);
    }
}

impl<T: Task> Lab for RecurrentLab<T> {
    fn step(&mut self, n: u64) -> Result<(), LabError> {
        if let Some(reason) = &self.stopped {
            return Err(LabError::Diverged {
                step: self.step,
                detail: reason.clone(),
            });
        }
        for _ in 0..n {
            if self.is_done() {
                break;
            }
            let batch = self.task.next_batch();
            let trace = self.net.forward(&batch.seq);
            let (parts, grads) =
                self.loss
                    .evaluate(&self.net, &batch.seq, &trace, &batch.targets, true);
            let mut grads = grads.expect("asked for gradients");
            if !parts.total.is_finite() || !grads.all_finite() {
                let detail = format!("the loss is {}; try a smaller learning rate", parts.total);
                self.stopped = Some(detail.clone());
                return Err(LabError::Diverged {
                    step: self.step,
                    detail,
                });
            }
            if let Some(c) = self.clip {
                grads.clip_norm(c);
            }
            self.adam.step(&mut self.net.p, &grads);
            self.step += 1;
            if self.step.is_multiple_of(self.record_every) || self.is_done() {
                self.record();
            }
        }
        Ok(())
    }

    fn steps_done(&self) -> u64 {
        self.step
    }

    fn total_steps(&self) -> u64 {
        self.steps
    }

    fn is_done(&self) -> bool {
        self.step >= self.steps || self.stopped.is_some()
    }

    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }

    fn snapshot_unhashed(&self) -> Snapshot {
        let mut metrics = Vec::new();
        for (i, s) in self.history.specs.iter().enumerate() {
            metrics.push(Metric {
                key: s.key.into(),
                label: s.label.into(),
                value: self.history.values[i].last().copied().unwrap_or(f64::NAN),
                info: s.info.clone(),
            });
        }
        metrics.extend(self.task.fixed_metrics());
        Snapshot {
            lab: self.task.name().into(),
            step: self.step,
            total_steps: self.steps,
            done: self.is_done(),
            stopped: self
                .stopped
                .as_ref()
                .map(|d| format!("stopped at step {}: {d}", self.step)),
            metrics,
            charts: self.task.charts(&self.net, &self.history),
            hash: String::new(),
        }
    }
}

/// The theory's metrics (verdict and margin) for sources `x`, as the
/// autoencoder models report them.
pub fn theory_metrics(theory: &Result<PairwiseCondition, String>, what: &str) -> Vec<Metric> {
    let (modular, margin) = match theory {
        Ok(t) => (if t.modular { 1.0 } else { 0.0 }, t.margin),
        Err(_) => (f64::NAN, f64::NAN),
    };
    vec![
        Metric {
            key: "theory_modular".into(),
            label: "Theory: modular".into(),
            value: modular,
            info: format!("1 if the optimal nonnegative efficient code of {what} is modular: for every hull edge with outward unit normal u and support h, h² ≥ uᵀSu (Dorrell et al. 2025), allowing −1e-3 for the tight case."),
        },
        Metric {
            key: "theory_margin".into(),
            label: "Theory: margin".into(),
            value: margin,
            info: "min over hull edges of h² − uᵀSu, with each source in units of its e_k (so it does not change when a source is rescaled). 0 on a full square (tight), negative when the code mixes.".into(),
        },
    ]
}

/// Rows `0..n` (at most) of a column of `x`.
pub fn column_head(x: &DMatrix<f64>, k: usize, n: usize) -> Vec<f64> {
    x.column(k).iter().take(n).copied().collect()
}

/// The NCMI matrix (sources × latents) as a heat map over the active
/// latents, rows the sources.
pub fn ncmi_heatmap(s: &DMatrix<f64>, z: &DMatrix<f64>, rows: &str, info: &str) -> Chart {
    let ncmi = m::linear_ncmi(s, z);
    let active = m::active_latents(z);
    let cols: Vec<usize> = (0..z.ncols()).filter(|&j| active[j]).collect();
    let mut values = Vec::with_capacity(ncmi.nrows() * cols.len());
    for i in 0..ncmi.nrows() {
        for &j in &cols {
            values.push(ncmi[(i, j)]);
        }
    }
    Chart::heatmap(
        "ncmi",
        &format!("NCMI: active units × {rows}"),
        "active neuron",
        "source",
        Heatmap::new(ncmi.nrows(), cols.len(), values, "NCMI"),
    )
    .info(info)
}

/// Arrows of each neuron's linear tuning over two sources (least-squares
/// slopes of z_j on the sources), active and silent neurons apart.
pub fn tuning_chart(s: &DMatrix<f64>, z: &DMatrix<f64>, labels: (&str, &str)) -> Chart {
    let tuning = m::linear_tuning(s, z);
    let active = m::active_latents(z);
    let (mut ax, mut ay, mut sx, mut sy) = (vec![], vec![], vec![], vec![]);
    for (w, a) in tuning.iter().zip(&active) {
        if *a {
            ax.push(w[0]);
            ay.push(w[1]);
        } else {
            sx.push(w[0]);
            sy.push(w[1]);
        }
    }
    Chart::with_body(
        "tuning",
        "Neurons' tuning in source space",
        labels.0,
        labels.1,
        ChartBody::Arrows {
            series: vec![
                Series::new("active neurons", ax, ay),
                Series::new("silent neurons", sx, sy),
            ],
        },
    )
    .info("Each neuron's least-squares slopes on the two sources (z_j ≈ β·s + β₀ over the evaluation set) as an arrow. Modular: every active arrow on an axis.")
}

/// The rows of every step of a batch's hidden states stacked (rows t·B + b),
/// samples × units.
pub fn stacked(h: &[DMatrix<f64>]) -> DMatrix<f64> {
    let b = h.first().map_or(0, |m| m.nrows());
    let u = h.first().map_or(0, |m| m.ncols());
    DMatrix::from_fn(h.len() * b, u, |r, j| h[r / b.max(1)][(r % b.max(1), j)])
}
