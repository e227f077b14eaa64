//! The credit-assignment lab (Marblestone, Wayne & Kording 2016; Lillicrap
//! et al. 2016; Nøkland 2016; Werfel, Xie & Seung 2005).
//!
//! The same network, task, data stream and initialisation are trained side
//! by side by several credit-assignment rules ([`crate::nn::credit`]):
//! backprop, feedback alignment, direct feedback alignment, node and weight
//! perturbation. Every step the lab measures, for each rule, the angle
//! between its hidden-layer update and backprop's at the rule's own weights,
//! the angle between its feedback signal B e and the backprop signal Wᵀe,
//! and (at the recording steps) the angle between the readout W and the
//! feedback matrix B. At the end it compares the representations the rules
//! built: linear CKA between them, participation ratio per layer and, on the
//! mixture task, the neural-collapse metrics.
//!
//! The rules are independent parts of one run ([`crate::labs::Split`] by
//! the `rules` key): this lab steps them in lockstep in one thread (the CLI,
//! sweeps), while the page runs each rule's part in its own worker and
//! [`combine`]s their [`Lab::part_state`]s; both give the same hash. A part's
//! state is the rule's recorded series, angle means and final weights; the
//! cross-rule results (CKA) are computed from the weights in `combine`.
//!
//! Formulas and oracles: `../shared/SCIENCE.md` §2.

use nalgebra::DMatrix;

use super::references;
use crate::config::LabConfig;
use crate::labs::{Lab, LabError, LabSpec, Preset, StepUnit};
use crate::metrics::{collapse, dimensionality, lazy_rich::linear_cka};
use crate::nn::credit::{
    self, angle_degrees, hidden_update, Cost, Credit, LocalCost, LocalHeads, Rule,
};
use crate::nn::optimizer::Sgd;
use crate::nn::{Activation, Mlp, MlpSpec, Parametrisation};
use crate::params::{ParamSpec, ParamValue};
use crate::rng::Rng;
use crate::snapshot::{Chart, ChartBody, Heatmap, Metric, Series, Snapshot};

/// The lab's name in URLs.
pub const NAME: &str = "credit";

/// Input dimension of every task.
const D_IN: usize = 30;
/// Outputs of the regression tasks.
const D_OUT: usize = 10;
/// Hidden width of the linear task's student and of the teacher network.
const LINEAR_HIDDEN: usize = 20;
const TEACHER_HIDDEN: usize = 20;
/// Held-out samples on which the NSE is measured.
const TEST: usize = 500;
/// Held-out samples on which the representations are compared.
const PROBE: usize = 200;
/// Recording points over a run (plus step 0).
const RECORDS: u64 = 200;
/// Std of the mixture's class means per coordinate (noise std 1): means sit
/// about 0.4·√60 ≈ 3.1 apart, so the classes overlap a little.
const MIXTURE_MEAN_STD: f64 = 0.4;

/// A test NSE above this stops the run as diverged.
const DIVERGED_NSE: f64 = 1e6;

/// RNG streams (so adding a rule never shifts another part's numbers).
const STREAM_TRAIN: u64 = 1;
const STREAM_TEST: u64 = 2;
const STREAM_TASK: u64 = 3;
const STREAM_FEEDBACK: u64 = 4;
const STREAM_LOCAL: u64 = 5;
const STREAM_INIT: u64 = 6;
const STREAM_CONTROL: u64 = 7;

/// Random feedback matrices backprop's control angles average over (the
/// first is FA's B). One draw is not enough: late in training backprop's
/// error e lives in the few slowest directions of the task, so for one B the
/// mean of ∠(Be, Wᵀe) settles at 90° plus a chance offset with a spread of
/// up to 1/√width rad (13° at width 20); over K draws the spread is √K times
/// smaller: 64 draws keep it within 90° ± 5° even when e lies in one direction (3 × 13°/√64 < 5°; see the tests).
const CONTROL_DRAWS: usize = 64;
const STREAM_NOISE: u64 = 100;

/// The lab's parameters, in control-panel order.
pub fn spec() -> LabSpec {
    LabSpec {
        name: NAME.into(),
        title: "Credit assignment".into(),
        summary: "Train the same network on the same data from the same init with different \
                  credit-assignment rules: backprop, feedback alignment (a fixed random B in place \
                  of Wᵀ), direct feedback alignment, node and weight perturbation. Compare how fast \
                  they learn, how their updates align with the gradient (the forward weights come \
                  to align with B), and the representations they build (Marblestone, Wayne & \
                  Kording 2016; Lillicrap et al. 2016; Nøkland 2016; Werfel, Xie & Seung 2005)."
            .into(),
        params: vec![
            ParamSpec::choice(
                "task",
                "Task",
                &[
                    ("linear", "Linear teacher 30→20→10"),
                    ("teacher", "Nonlinear teacher (tanh)"),
                    ("mixture", "Gaussian-mixture classes"),
                ],
                "linear",
            )
            .group("Task")
            .help("Linear: y = Tx, T ~ U[−1,1], student 30-20-10 linear (Lillicrap et al. 2016). Teacher: a 30-20-10 tanh network with N(0, 1/fan-in) weights, student 30-W-W-10 tanh (Nøkland 2016). Mixture: Gaussian classes in 30 dimensions, student 30-W-W-C tanh."),
            ParamSpec::integer("classes", "Classes", 2, 10, 4).group("Task").help("Classes of the Gaussian mixture."),
            ParamSpec::multi("rules", "Rules", &Rule::options(), "bp,fa")
                .group("Rules")
                .help("The rules trained side by side, on the same data and from the same init."),
            ParamSpec::log_number("feedback_scale", "Feedback scale", 1e-3, 10.0, 0.5)
                .group("Rules")
                .help("Entries of the fixed feedback matrices B are U[−s, s] (Lillicrap et al. use 0.5)."),
            ParamSpec::log_number("sigma", "Perturbation σ", 1e-6, 1.0, 1e-3)
                .group("Rules")
                .help("Std of the node or weight perturbation."),
            ParamSpec::log_number("perturb_lr", "Perturbation η factor", 1e-4, 1.0, 1.0)
                .group("Rules")
                .help("Node and weight perturbation learn at η times this factor: their one-sample estimate has about D times the gradient's squared norm (D perturbed dimensions), so they need a smaller η to stay stable (Werfel, Xie & Seung 2005)."),
            ParamSpec::choice("cost", "Output cost", &[("mse", "Squared error ½‖ŷ − y‖²"), ("ce", "Cross-entropy")], "mse")
                .group("Costs")
                .help("Per-sample cost, averaged over the batch. Cross-entropy needs the mixture task."),
            ParamSpec::choice(
                "local",
                "Local costs",
                &[("none", "None"), ("classifier", "Local classifier per layer"), ("reconstruction", "Reconstruction per layer")],
                "none",
            )
            .group("Costs")
            .help("A cost on every hidden layer, added to the rule's update: a linear head predicting the target, or a linear decoder reconstructing the layer's input. Its gradient stays in its layer."),
            ParamSpec::number("local_weight", "Local cost weight λ", 0.0, 10.0, 1.0).group("Costs").help("Weight of the local costs against the output cost."),
            ParamSpec::integer("width", "Width", 2, 256, 50).unit("units").group("Network").help("Hidden width of the teacher and mixture students (the linear task's is 20)."),
            ParamSpec::number("init_scale", "Init scale", 0.0, 1.0, 0.01)
                .group("Network")
                .help("Weights start U[−s, s] (biases 0); 0 is a zero init, from which backprop cannot learn but DFA can."),
            ParamSpec::log_number("lr", "Learning rate η", 1e-6, 1.0, 1e-3).group("Training").help("Plain SGD step size, the same for every rule."),
            ParamSpec::integer("batch", "Batch size", 1, 256, 1).unit("samples").group("Training").help("Fresh samples per step (1: online)."),
            ParamSpec::integer("steps", "Steps", 1, 200_000, 5000).unit("steps").group("Training").help("Training steps."),
        ],
        presets: presets(),
        sweep_metrics: ["bp_loss", "fa_loss", "dfa_loss", "np_loss", "wp_loss", "fa_angle_update", "dfa_angle_update"]
            .map(String::from)
            .to_vec(),
        step_unit: StepUnit::new(
            "step",
            "One training step of every rule, on a batch of fresh samples (one sample: online); the rules train side by side on the same data.",
        ),
        references: vec![references::marblestone_2016(), references::lillicrap_2016(), references::nokland_2016(), references::werfel_2005()],
    }
}

fn presets() -> Vec<Preset> {
    let p = Preset::new;
    vec![
        p(
            "Feedback alignment on the linear task",
            "Lillicrap et al. 2016: a 30-20-10 linear network learns y = Tx online through a fixed random B. The angle between B e and Wᵀe falls from 90° to ≈ 30°, the readout comes to align with B (∠(Wᵀ, B) ≈ 33°), and FA keeps pace with backprop: here it reaches NSE 0.1 sooner (step 750 against 1,950).",
            "v=1&lab=credit&seed=1&task=linear&rules=bp,fa&lr=0.001&steps=5000",
        ),
        p(
            "DFA from a zero init",
            "Nøkland 2016: a 30-50-50-10 tanh student of a tanh teacher, every weight 0 at the start. Backprop's hidden gradients are exactly 0 and it stays at NSE ≈ 1; DFA's random feedback breaks the symmetry and it learns (NSE ≈ 0.002).",
            "v=1&lab=credit&seed=1&task=teacher&rules=bp,dfa&init_scale=0&lr=0.05&batch=10&steps=6000",
        ),
        p(
            "Perturbation learning is slower",
            "Werfel, Xie & Seung 2005: node and weight perturbation follow the gradient only on average, with a one-sample cosine of about √(2/(πD)): for node perturbation D = 30 perturbed units, a cosine ≈ 0.15 (its update is ≈ 81° from backprop's). Each rule runs near its largest stable rate: backprop at η = 0.01 (0.03 diverges), node perturbation at η/20 (η/10 diverges), and it reaches NSE 0.1 about 8× later, about the number of outputs. Weight perturbation perturbs every weight and bias (D = 830) and needs η smaller still (it diverges at η/20).",
            "v=1&lab=credit&seed=1&task=linear&rules=bp,np&lr=0.01&perturb_lr=0.05&steps=5000",
        ),
    ]
}

/// The learning problem: how to draw a batch, and its targets.
#[derive(Clone, Debug)]
enum Task {
    /// y = T x, T (outputs × inputs) ~ U[−1, 1].
    Linear { t: DMatrix<f64> },
    /// y = f_teacher(x), a tanh network.
    Teacher { net: Mlp },
    /// x = μ_c + N(0, I), y = one-hot(c).
    Mixture { means: DMatrix<f64> },
}

impl Task {
    /// A batch of n samples: inputs, targets, labels (mixture only).
    fn draw(&self, rng: &mut Rng, n: usize) -> (DMatrix<f64>, DMatrix<f64>, Vec<usize>) {
        match self {
            Task::Linear { t } => {
                let x = DMatrix::from_fn(n, D_IN, |_, _| rng.normal());
                let y = x.clone() * t.transpose();
                (x, y, vec![])
            }
            Task::Teacher { net } => {
                let x = DMatrix::from_fn(n, D_IN, |_, _| rng.normal());
                let y = net.forward(&x).output().clone();
                (x, y, vec![])
            }
            Task::Mixture { means } => {
                let k = means.nrows();
                let labels: Vec<usize> = (0..n).map(|_| rng.below(k)).collect();
                let mut x = DMatrix::zeros(n, D_IN);
                for i in 0..n {
                    for j in 0..D_IN {
                        x[(i, j)] = means[(labels[i], j)] + rng.normal();
                    }
                }
                let y = DMatrix::from_fn(n, k, |i, c| if labels[i] == c { 1.0 } else { 0.0 });
                (x, y, labels)
            }
        }
    }
}

/// A running mean of the finite values added.
#[derive(Clone, Debug, Default)]
struct Mean {
    sum: f64,
    count: u64,
}

impl Mean {
    fn add(&mut self, v: f64) {
        if v.is_finite() {
            self.sum += v;
            self.count += 1;
        }
    }
    fn take(&mut self) -> f64 {
        let m = self.value();
        *self = Mean::default();
        m
    }
    fn value(&self) -> f64 {
        if self.count == 0 {
            f64::NAN
        } else {
            self.sum / self.count as f64
        }
    }
}

/// One rule's network and what is measured on it.
#[derive(Clone, Debug)]
struct Learner {
    rule: Rule,
    net: Mlp,
    credit: Credit,
    local: LocalHeads,
    opt: Sgd,
    /// Per-step angles, averaged over the current recording window.
    window_update: Mean,
    window_signal: Mean,
    /// The same over the last 10% of training.
    late_update: Mean,
    late_signal: Mean,
    /// Recorded series (one value per recording step).
    nse: Vec<f64>,
    accuracy: Vec<f64>,
    angle_update: Vec<f64>,
    angle_signal: Vec<f64>,
    angle_wb: Vec<f64>,
    /// The matrices B against which ∠(Be, Wᵀe) and ∠(Wᵀ, B) are measured,
    /// shaped like the readout: FA's and DFA's own top feedback matrix, or
    /// for backprop [`CONTROL_DRAWS`] unused random ones (the angles are
    /// then means over them). Empty when there is none.
    control: Vec<DMatrix<f64>>,
}

impl Learner {
    /// ∠(W_readout, B_top): the readout weights (width × outputs, the
    /// paper's Wᵀ) against the feedback matrix that carries the error to
    /// the last hidden layer. NaN for rules without feedback.
    fn angle_wb(&self) -> f64 {
        let w = self.readout().as_slice();
        mean_over(&self.control, |b| angle_degrees(w, b.as_slice()))
    }

    /// ∠(W_{k+1}, B_k) for every hidden layer k (FA), or for DFA
    /// ∠(W_{k+1}⋯W_L, B_k): the product of the forward weights above layer
    /// k is the matrix backprop would carry the error back through, up to
    /// the activation slopes, and DFA's B_k maps the error to layer k
    /// directly. The last entry is the top layer's [`Learner::angle_wb`].
    /// Empty for rules without feedback.
    fn angles_wb_per_layer(&self) -> Vec<f64> {
        let w = &self.net.weights;
        self.credit
            .feedback
            .iter()
            .enumerate()
            .map(|(k, b)| match self.rule {
                Rule::FeedbackAlignment => angle_degrees(w[k + 1].as_slice(), b.as_slice()),
                Rule::DirectFeedbackAlignment => {
                    let mut path = w[w.len() - 1].clone();
                    for j in (k + 1..w.len() - 1).rev() {
                        path = crate::gemm::mul(&w[j], &path);
                    }
                    angle_degrees(path.as_slice(), b.as_slice())
                }
                _ => f64::NAN,
            })
            .collect()
    }

    fn readout(&self) -> &DMatrix<f64> {
        self.net.weights.last().expect("an MLP has a readout")
    }

    /// One recording: the test NSE (and accuracy), the window means of the
    /// angles, ∠(Wᵀ, B).
    fn record(
        &mut self,
        test_x: &DMatrix<f64>,
        test_y: &DMatrix<f64>,
        test_labels: &[usize],
        cost: Cost,
    ) {
        let out = self.net.forward(test_x).output().clone();
        let pred = if cost == Cost::CrossEntropy {
            softmax_rows(&out)
        } else {
            out.clone()
        };
        self.nse.push(nse(&pred, test_y));
        if !test_labels.is_empty() {
            self.accuracy.push(accuracy(&out, test_labels));
        }
        self.angle_update.push(self.window_update.take());
        self.angle_signal.push(self.window_signal.take());
        let wb = self.angle_wb();
        self.angle_wb.push(wb);
    }
}

/// The checked settings.
#[derive(Clone, Debug)]
struct Settings {
    cost: Cost,
    batch: usize,
    steps: u64,
    classes: usize,
}

/// The credit-assignment lab.
pub struct CreditLab {
    s: Settings,
    task: Task,
    train_rng: Rng,
    test_x: DMatrix<f64>,
    test_y: DMatrix<f64>,
    test_labels: Vec<usize>,
    learners: Vec<Learner>,
    steps_recorded: Vec<f64>,
    step: u64,
    every: u64,
    stopped: Option<Stop>,
    notes: Vec<String>,
}

/// Why and where a run stopped early. Of several, the joint run stops at
/// the first: lowest step, then a non-finite training loss before a huge
/// test error, then the rule order.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Stop {
    step: u64,
    /// 0: the training loss is not finite (found while stepping; every
    /// rule is then recorded at this step); 1: the test NSE is NaN or above
    /// [`DIVERGED_NSE`] (found at a recording step).
    kind: u8,
    rule: Rule,
    value: f64,
}

impl Stop {
    fn rank(&self) -> (u64, u8, usize) {
        (self.step, self.kind, self.rule.index())
    }

    fn detail(&self) -> String {
        if self.kind == 0 {
            format!(
                "the {} loss is {}; try a smaller learning rate η (or σ)",
                self.rule.label(),
                self.value
            )
        } else {
            format!(
                "the {} test NSE is {:e}; try a smaller learning rate η (perturbation rules need η smaller by about the number of perturbed units)",
                self.rule.label(),
                self.value
            )
        }
    }
}

impl CreditLab {
    /// Build the lab from a checked configuration.
    pub fn new(config: &LabConfig) -> Self {
        let seed = config.seed;
        let mut notes = Vec::new();
        let task_key = config.choice("task");
        let classes = config.int("classes").max(2);
        let mut cost = Cost::from_key(&config.choice("cost")).unwrap_or(Cost::Mse);
        if cost == Cost::CrossEntropy && task_key != "mixture" {
            notes.push(
                "cross-entropy needs class targets: using the squared error on this task".into(),
            );
            cost = Cost::Mse;
        }
        let mut task_rng = Rng::fork(seed, STREAM_TASK);
        let width = config.int("width").max(1);
        let (task, sizes, act) = match task_key.as_str() {
            "teacher" => {
                let spec = mlp_spec(vec![D_IN, TEACHER_HIDDEN, D_OUT], Activation::Tanh);
                let mut net = Mlp::new(spec, &mut task_rng);
                for w in net.weights.iter_mut() {
                    *w /= (w.nrows() as f64).sqrt();
                }
                (
                    Task::Teacher { net },
                    vec![D_IN, width, width, D_OUT],
                    Activation::Tanh,
                )
            }
            "mixture" => {
                let means = DMatrix::from_fn(classes, D_IN, |_, _| 0.0);
                let mut means = means;
                for c in 0..classes {
                    for j in 0..D_IN {
                        means[(c, j)] = MIXTURE_MEAN_STD * task_rng.normal();
                    }
                }
                (
                    Task::Mixture { means },
                    vec![D_IN, width, width, classes],
                    Activation::Tanh,
                )
            }
            _ => {
                let t = credit::uniform_matrix(&mut task_rng, D_OUT, D_IN, 1.0);
                (
                    Task::Linear { t },
                    vec![D_IN, LINEAR_HIDDEN, D_OUT],
                    Activation::Linear,
                )
            }
        };
        let (test_x, test_y, test_labels) = task.draw(&mut Rng::fork(seed, STREAM_TEST), TEST);

        // One initial network, cloned for every rule.
        let init_scale = config.num("init_scale").max(0.0);
        let mut net = Mlp::new(mlp_spec(sizes, act), &mut Rng::new(0));
        let mut init_rng = Rng::fork(seed, STREAM_INIT);
        for w in net.weights.iter_mut() {
            *w = credit::uniform_matrix(&mut init_rng, w.nrows(), w.ncols(), init_scale);
        }

        let mut rules: Vec<Rule> = Rule::ALL
            .into_iter()
            .filter(|r| config.list("rules").iter().any(|k| k == r.key()))
            .collect();
        if rules.is_empty() {
            notes.push("no rule chosen: training with backprop".into());
            rules.push(Rule::Backprop);
        }
        let local_kind = LocalCost::from_key(&config.choice("local")).unwrap_or(LocalCost::None);
        let lr = config.num("lr");
        let learners = rules
            .into_iter()
            .map(|rule| {
                let credit = Credit::new(
                    rule,
                    &net,
                    config.num("feedback_scale"),
                    config.num("sigma"),
                    &mut Rng::fork(seed, STREAM_FEEDBACK),
                    Rng::fork(seed, STREAM_NOISE + rule.index() as u64),
                );
                let top = net.weights.last().map_or((0, 0), |w| w.shape());
                let mut control: Vec<DMatrix<f64>> = credit
                    .feedback
                    .last()
                    .filter(|b| b.shape() == top)
                    .cloned()
                    .into_iter()
                    .collect();
                if rule == Rule::Backprop && !control.is_empty() {
                    let mut rng = Rng::fork(seed, STREAM_CONTROL);
                    for _ in 1..CONTROL_DRAWS {
                        control.push(credit::uniform_matrix(
                            &mut rng,
                            top.0,
                            top.1,
                            config.num("feedback_scale"),
                        ));
                    }
                }
                let local = LocalHeads::new(
                    local_kind,
                    &net,
                    config.num("local_weight"),
                    lr,
                    &mut Rng::fork(seed, STREAM_LOCAL),
                );
                Learner {
                    rule,
                    net: net.clone(),
                    credit,
                    local,
                    opt: Sgd::new(
                        if matches!(rule, Rule::NodePerturbation | Rule::WeightPerturbation) {
                            lr * config.num("perturb_lr")
                        } else {
                            lr
                        },
                        0.0,
                        0.0,
                    ),
                    window_update: Mean::default(),
                    window_signal: Mean::default(),
                    late_update: Mean::default(),
                    late_signal: Mean::default(),
                    nse: vec![],
                    accuracy: vec![],
                    angle_update: vec![],
                    angle_signal: vec![],
                    angle_wb: vec![],
                    control,
                }
            })
            .collect();
        let steps = config.int("steps").max(1) as u64;
        let mut lab = CreditLab {
            s: Settings {
                cost,
                batch: config.int("batch").max(1),
                steps,
                classes,
            },
            task,
            train_rng: Rng::fork(seed, STREAM_TRAIN),
            test_x,
            test_y,
            test_labels,
            learners,
            steps_recorded: vec![],
            step: 0,
            every: steps.div_ceil(RECORDS).max(1),
            stopped: None,
            notes,
        };
        lab.record();
        lab
    }

    /// The lab, boxed for the registry.
    pub fn boxed(config: &LabConfig) -> Box<dyn Lab> {
        Box::new(Self::new(config))
    }

    /// One step of every rule on the same fresh batch. Returns the first
    /// rule whose loss is not finite, with the loss.
    fn train_step(&mut self) -> Option<(Rule, f64)> {
        let (x, y, _) = self.task.draw(&mut self.train_rng, self.s.batch);
        let cost = self.s.cost;
        let per = |o: &DMatrix<f64>| cost.per_sample(o, &y);
        let late = self.step >= self.s.steps - (self.s.steps / 10).max(1);
        let mut bad = None;
        for l in self.learners.iter_mut() {
            let fwd = l.net.forward(&x);
            let loss = cost.loss(fwd.output(), &y);
            if !loss.is_finite() {
                bad = bad.or(Some((l.rule, loss)));
                continue;
            }
            let d_out = cost.gradient(fwd.output(), &y);
            let mut grads = l.credit.grads(&l.net, &x, &fwd, &d_out, &per);
            if l.local.kind != LocalCost::None {
                l.local.apply(&l.net, &x, &fwd, &y, &mut grads);
            }
            // Measurements: the true gradient of the output cost at this
            // rule's weights, and the feedback signal against Wᵀe.
            let bp = if l.rule == Rule::Backprop && l.local.kind == LocalCost::None {
                grads.clone()
            } else {
                l.net.backward(&x, &fwd, &d_out)
            };
            let a = angle_degrees(&hidden_update(&grads), &hidden_update(&bp));
            let sig = if l.control.is_empty() {
                f64::NAN
            } else {
                let wt = crate::gemm::mul_nt(&d_out, l.readout());
                mean_over(&l.control, |b| {
                    let fb = crate::gemm::mul_nt(&d_out, b);
                    angle_degrees(fb.as_slice(), wt.as_slice())
                })
            };
            l.window_update.add(a);
            l.window_signal.add(sig);
            if late {
                l.late_update.add(a);
                l.late_signal.add(sig);
            }
            l.opt.step(&mut l.net, &grads);
        }
        bad
    }

    /// Record the test NSE (and accuracy) and the window means of the angles.
    fn record(&mut self) {
        self.steps_recorded.push(self.step as f64);
        for l in self.learners.iter_mut() {
            l.record(&self.test_x, &self.test_y, &self.test_labels, self.s.cost);
        }
    }

    fn charts(&self) -> Vec<Chart> {
        let x = &self.steps_recorded;
        // A series with no finite value (backprop's control angle while
        // Wᵀe = 0) draws nothing and gets no legend entry: the chart says why.
        let drawn = |ys: &[f64]| ys.iter().any(|v| v.is_finite());
        let series =
            |f: &dyn Fn(&Learner) -> Option<&Vec<f64>>, control_dashed: bool| -> Vec<Series> {
                self.learners
                    .iter()
                    .filter_map(|l| {
                        let ys = f(l)?;
                        Some(if control_dashed && l.rule == Rule::Backprop {
                            Series::new(CONTROL, x.clone(), ys.clone()).dashed()
                        } else {
                            Series::new(l.rule.key(), x.clone(), ys.clone())
                        })
                    })
                    .collect()
            };
        let control_note = |f: &dyn Fn(&Learner) -> &Vec<f64>| {
            self.learners
                .iter()
                .find(|l| l.rule == Rule::Backprop && !l.control.is_empty() && !drawn(f(l)))
                .map(|_| {
                    "bp's control is not drawn: its readout is 0, so Wᵀe = 0 and the angle is undefined"
                })
                .unwrap_or("")
        };
        // One colour per rule on every chart, whichever rules run.
        let palette: Vec<&str> = Rule::ALL.iter().map(|r| r.key()).collect();
        let mut charts = vec![Chart::lines(
            "nse",
            "Test error (NSE)",
            "step",
            "NSE",
            series(&|l| Some(&l.nse), false),
        )
        .log_y()
        .y_floor(NSE_FLOOR)
        .info(INFO_NSE)];
        if !self.test_labels.is_empty() {
            charts.push(
                Chart::lines(
                    "accuracy",
                    "Test accuracy",
                    "step",
                    "accuracy",
                    series(&|l| Some(&l.accuracy), false),
                )
                .info(INFO_ACC),
            );
        }
        charts.push(
            Chart::lines(
                "angle_update",
                "Hidden update vs backprop's",
                "step",
                "angle (°)",
                series(
                    &|l| (l.rule != Rule::Backprop).then_some(&l.angle_update),
                    false,
                ),
            )
            .info(INFO_ANGLE_UPDATE),
        );
        let has_fb = |l: &Learner| !l.control.is_empty();
        charts.push(
            Chart::lines(
                "angle_signal",
                "Feedback signal vs backprop's: ∠(Be, Wᵀe)",
                "step",
                "angle (°)",
                series(&|l| has_fb(l).then_some(&l.angle_signal), true),
            )
            .note(control_note(&|l| &l.angle_signal))
            .info(INFO_ANGLE_SIGNAL),
        );
        charts.push(
            Chart::lines(
                "angle_wb",
                "Forward weights vs feedback: ∠(Wᵀ, B)",
                "step",
                "angle (°)",
                series(&|l| has_fb(l).then_some(&l.angle_wb), true),
            )
            .note(control_note(&|l| &l.angle_wb))
            .info(INFO_ANGLE_WB),
        );
        let layered: Vec<Series> = self
            .learners
            .iter()
            .filter(|l| l.rule.has_feedback())
            .map(|l| {
                let v = l.angles_wb_per_layer();
                Series::new(l.rule.key(), (0..v.len()).map(|k| k as f64).collect(), v)
            })
            .filter(|s| s.y.len() >= 2)
            .collect();
        if let Some(first) = layered.first() {
            let categories = (1..=first.y.len()).map(|k| format!("h{k}")).collect();
            charts.push(
                Chart::with_body(
                    "angle_wb_layers",
                    "Forward weights vs feedback, per hidden layer",
                    "layer",
                    "angle (°)",
                    ChartBody::Profile {
                        categories,
                        series: layered,
                    },
                )
                .info(INFO_ANGLE_WB_LAYERS),
            );
        }
        charts.extend(self.representation_charts());
        charts.into_iter().map(|c| c.palette(&palette)).collect()
    }

    /// CKA between the rules' last hidden layers, PR per rule and layer,
    /// and (mixture) the neural-collapse metrics, on the probe samples.
    fn representation_charts(&self) -> Vec<Chart> {
        let probe = self
            .test_x
            .rows(0, PROBE.min(self.test_x.nrows()))
            .into_owned();
        let fwds: Vec<_> = self
            .learners
            .iter()
            .map(|l| l.net.forward(&probe))
            .collect();
        let r = self.learners.len();
        let names: Vec<&str> = self.learners.iter().map(|l| l.rule.key()).collect();
        let mut cka = Vec::with_capacity(r * r);
        for a in &fwds {
            for b in &fwds {
                cka.push(linear_cka(
                    a.hidden.last().expect("hidden"),
                    b.hidden.last().expect("hidden"),
                ));
            }
        }
        // A layer that is all zeros has no centred variance: its CKA is 0/0.
        let silent: Vec<&str> = names
            .iter()
            .zip(&fwds)
            .filter(|(_, f)| f.hidden.last().expect("hidden").iter().all(|&v| v == 0.0))
            .map(|(n, _)| *n)
            .collect();
        let note = match silent[..] {
            [] => String::new(),
            [one] => format!("{one}'s last hidden layer is all zeros (it never left its zero init), so its CKA is undefined: grey"),
            _ => format!("{}: last hidden layers all zeros, so their CKA is undefined: grey", silent.join(", ")),
        };
        let labels: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut charts = vec![Chart::heatmap(
            "cka",
            &format!(
                "CKA between the rules' last hidden layers ({})",
                names.join(", ")
            ),
            "rule",
            "rule",
            Heatmap {
                x_labels: labels.clone(),
                y_labels: labels,
                // CKA lies in [0, 1].
                value_range: Some([0.0, 1.0]),
                ..Heatmap::new(r, r, cka, "linear CKA")
            },
        )
        .note(&note)
        .info(INFO_CKA)];
        let layers = fwds[0].hidden.len();
        let categories: Vec<String> = (1..=layers).map(|k| format!("h{k}")).collect();
        let pr_series = self
            .learners
            .iter()
            .zip(&fwds)
            .map(|(l, f)| {
                Series::new(
                    l.rule.key(),
                    (0..layers).map(|k| k as f64).collect(),
                    f.hidden
                        .iter()
                        .map(dimensionality::participation_ratio)
                        .collect(),
                )
            })
            .collect();
        charts.push(
            Chart::with_body(
                "pr",
                "Participation ratio per hidden layer",
                "layer",
                "PR",
                ChartBody::Profile {
                    categories,
                    series: pr_series,
                },
            )
            .info(INFO_PR),
        );
        if !self.test_labels.is_empty() {
            let labels = &self.test_labels[..probe.nrows()];
            let cats = ["NC1", "NC2 means", "NC3", "NC4"];
            let nc_series = self
                .learners
                .iter()
                .zip(&fwds)
                .map(|(l, f)| {
                    let w = l.readout().transpose();
                    let v = match collapse::neural_collapse(
                        f.hidden.last().expect("hidden"),
                        labels,
                        self.s.classes,
                        &w,
                        f.output(),
                    ) {
                        Ok(nc) => vec![nc.nc1, nc.nc2_equiangular_means, nc.nc3, nc.nc4],
                        Err(_) => vec![f64::NAN; 4],
                    };
                    Series::new(l.rule.key(), (0..4).map(|k| k as f64).collect(), v)
                })
                .collect();
            charts.push(
                Chart::with_body(
                    "nc",
                    "Neural collapse of the last hidden layer",
                    "metric",
                    "value",
                    ChartBody::Bars {
                        categories: cats.map(String::from).to_vec(),
                        series: nc_series,
                    },
                )
                .info(INFO_NC),
            );
        }
        charts
    }

    fn metrics(&self) -> Vec<Metric> {
        let mut m = Vec::new();
        for l in &self.learners {
            let k = l.rule.key();
            m.push(Metric {
                key: format!("{k}_loss"),
                label: format!("{} test NSE", l.rule.label()),
                value: l.nse.last().copied().unwrap_or(f64::NAN),
                info: INFO_NSE.into(),
            });
            if let Some(&a) = l.accuracy.last() {
                m.push(Metric {
                    key: format!("{k}_accuracy"),
                    label: format!("{} test accuracy", l.rule.label()),
                    value: a,
                    info: INFO_ACC.into(),
                });
            }
            m.push(Metric {
                key: format!("{k}_angle_update"),
                label: format!("{}: ∠ hidden update vs backprop (°)", l.rule.label()),
                value: l.late_update.value(),
                info: INFO_ANGLE_UPDATE.into(),
            });
            if l.rule.has_feedback() {
                m.push(Metric {
                    key: format!("{k}_angle_wb"),
                    label: format!("{}: ∠(Wᵀ, B) (°)", l.rule.label()),
                    value: l.angle_wb.last().copied().unwrap_or(f64::NAN),
                    info: INFO_ANGLE_WB.into(),
                });
                let per_layer = l.angles_wb_per_layer();
                if per_layer.len() >= 2 {
                    for (j, a) in per_layer.into_iter().enumerate() {
                        m.push(Metric {
                            key: format!("{k}_angle_wb_{}", j + 1),
                            label: format!(
                                "{}: ∠(W, B) at hidden layer {} (°)",
                                l.rule.label(),
                                j + 1
                            ),
                            value: a,
                            info: INFO_ANGLE_WB_LAYERS.into(),
                        });
                    }
                }
            }
            if l.rule.has_feedback() || l.rule == Rule::Backprop {
                m.push(Metric {
                    key: format!("{k}_angle_signal"),
                    label: format!("{}: ∠(Be, Wᵀe) (°)", l.rule.label()),
                    value: l.late_signal.value(),
                    info: INFO_ANGLE_SIGNAL.into(),
                });
            }
        }
        m
    }

    /// The recorded steps and a rule's series, by chart id ("nse",
    /// "angle_update", "angle_signal", "angle_wb"), for tests and scripts.
    pub fn trace(&self, rule: Rule, id: &str) -> Option<(Vec<f64>, Vec<f64>)> {
        let l = self.learners.iter().find(|l| l.rule == rule)?;
        let ys = match id {
            "nse" => &l.nse,
            "angle_update" => &l.angle_update,
            "angle_signal" => &l.angle_signal,
            "angle_wb" => &l.angle_wb,
            _ => return None,
        };
        Some((self.steps_recorded.clone(), ys.clone()))
    }
}

impl Lab for CreditLab {
    fn step(&mut self, n: u64) -> Result<(), LabError> {
        let stopped = |stop: &Stop| LabError::Diverged {
            step: stop.step,
            detail: stop.detail(),
        };
        if let Some(stop) = &self.stopped {
            return Err(stopped(stop));
        }
        for _ in 0..n {
            if self.step >= self.s.steps {
                break;
            }
            let bad = self.train_step();
            self.step += 1;
            if let Some((rule, value)) = bad {
                let stop = Stop {
                    step: self.step,
                    kind: 0,
                    rule,
                    value,
                };
                self.stopped = Some(stop);
                self.record();
                return Err(stopped(&stop));
            }
            if self.step.is_multiple_of(self.every) || self.step == self.s.steps {
                self.record();
                // A blown-up network can also freeze (w + σZ rounds to w), so
                // a huge test error counts as divergence too.
                if let Some(l) = self.learners.iter().find(|l| {
                    l.nse
                        .last()
                        .is_some_and(|v| v.is_nan() || *v > DIVERGED_NSE)
                }) {
                    let stop = Stop {
                        step: self.step,
                        kind: 1,
                        rule: l.rule,
                        value: l.nse.last().copied().unwrap_or(f64::NAN),
                    };
                    self.stopped = Some(stop);
                    return Err(stopped(&stop));
                }
            }
        }
        Ok(())
    }

    fn part_state(&self) -> Vec<f64> {
        let mut w = Vec::new();
        w.push(PART_STATE_VERSION);
        w.push(self.step as f64);
        match &self.stopped {
            Some(s) => w.extend([
                1.0,
                s.step as f64,
                s.kind as f64,
                s.rule.index() as f64,
                s.value,
            ]),
            None => w.extend([0.0; 5]),
        }
        put_vec(&mut w, &self.steps_recorded);
        w.push(self.learners.len() as f64);
        for l in &self.learners {
            l.encode(&mut w);
        }
        w
    }

    fn steps_done(&self) -> u64 {
        self.step
    }

    fn total_steps(&self) -> u64 {
        self.s.steps
    }

    fn is_done(&self) -> bool {
        self.step >= self.s.steps || self.stopped.is_some()
    }

    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }

    fn snapshot_unhashed(&self) -> Snapshot {
        Snapshot {
            lab: NAME.into(),
            step: self.step,
            total_steps: self.s.steps,
            done: self.is_done(),
            stopped: self
                .stopped
                .as_ref()
                .map(|d| format!("stopped at step {}: {}", self.step, d.detail())),
            metrics: self.metrics(),
            charts: self.charts(),
            hash: String::new(),
        }
    }
}

/// The mean of `f` over the matrices (NaN for none), summed in order.
fn mean_over(ms: &[DMatrix<f64>], f: impl Fn(&DMatrix<f64>) -> f64) -> f64 {
    if ms.is_empty() {
        return f64::NAN;
    }
    let mut sum = 0.0;
    for m in ms {
        sum += f(m);
    }
    sum / ms.len() as f64
}

/// The layout version of [`Lab::part_state`].
const PART_STATE_VERSION: f64 = 1.0;

fn put_vec(w: &mut Vec<f64>, v: &[f64]) {
    w.push(v.len() as f64);
    w.extend_from_slice(v);
}

fn put_mean(w: &mut Vec<f64>, m: &Mean) {
    w.extend([m.sum, m.count as f64]);
}

/// Reads a part state back, refusing anything truncated or malformed.
struct Reader<'a> {
    data: &'a [f64],
    at: usize,
}

impl Reader<'_> {
    fn num(&mut self) -> Result<f64, String> {
        let v = *self
            .data
            .get(self.at)
            .ok_or("the part state ends too early")?;
        self.at += 1;
        Ok(v)
    }

    /// A count or index: a whole number in [0, 2⁵²].
    fn count(&mut self) -> Result<usize, String> {
        let v = self.num()?;
        if v >= 0.0 && v.fract() == 0.0 && v <= 4_503_599_627_370_496.0 {
            Ok(v as usize)
        } else {
            Err(format!("the part state has {v} where a count belongs"))
        }
    }

    fn vec(&mut self) -> Result<Vec<f64>, String> {
        let n = self.count()?;
        let end = self.at.checked_add(n).filter(|&e| e <= self.data.len());
        let end = end.ok_or("the part state ends too early")?;
        let v = self.data[self.at..end].to_vec();
        self.at = end;
        Ok(v)
    }

    fn mean(&mut self) -> Result<Mean, String> {
        Ok(Mean {
            sum: self.num()?,
            count: self.count()? as u64,
        })
    }

    fn rule(&mut self) -> Result<Rule, String> {
        let i = self.count()?;
        Rule::ALL
            .get(i)
            .copied()
            .ok_or_else(|| format!("the part state names rule {i}, which does not exist"))
    }
}

impl Learner {
    /// Everything of this rule the snapshot reads: series, angle means and
    /// the weights (the representations are computed from them).
    fn encode(&self, w: &mut Vec<f64>) {
        w.push(self.rule.index() as f64);
        for v in [
            &self.nse,
            &self.accuracy,
            &self.angle_update,
            &self.angle_signal,
            &self.angle_wb,
        ] {
            put_vec(w, v);
        }
        for m in [
            &self.window_update,
            &self.window_signal,
            &self.late_update,
            &self.late_signal,
        ] {
            put_mean(w, m);
        }
        w.push(self.net.n_layers() as f64);
        for (m, b) in self.net.weights.iter().zip(&self.net.biases) {
            put_vec(w, m.as_slice());
            put_vec(w, b.as_slice());
        }
    }

    /// Overwrite this learner (built from the same configuration) with an
    /// encoded one of the same rule.
    fn decode_into(&mut self, r: &mut Reader) -> Result<(), String> {
        for v in [
            &mut self.nse,
            &mut self.accuracy,
            &mut self.angle_update,
            &mut self.angle_signal,
            &mut self.angle_wb,
        ] {
            *v = r.vec()?;
        }
        for m in [
            &mut self.window_update,
            &mut self.window_signal,
            &mut self.late_update,
            &mut self.late_signal,
        ] {
            *m = r.mean()?;
        }
        if r.count()? != self.net.n_layers() {
            return Err("the part state's network has another depth".into());
        }
        for l in 0..self.net.n_layers() {
            let (w, b) = (r.vec()?, r.vec()?);
            if w.len() != self.net.weights[l].len() || b.len() != self.net.biases[l].len() {
                return Err("the part state's network has another shape".into());
            }
            self.net.weights[l].as_mut_slice().copy_from_slice(&w);
            self.net.biases[l].as_mut_slice().copy_from_slice(&b);
        }
        Ok(())
    }
}

/// A decoded part state.
struct PartState {
    step: u64,
    stop: Option<Stop>,
    steps_recorded: Vec<f64>,
    /// The offset of the learners in the raw state, and their rules.
    rules: Vec<Rule>,
    raw: Vec<f64>,
}

impl PartState {
    fn read(raw: &[f64]) -> Result<Self, String> {
        let mut r = Reader { data: raw, at: 0 };
        if r.num()? != PART_STATE_VERSION {
            return Err("the part state is from another version".into());
        }
        let step = r.count()? as u64;
        let has_stop = r.num()? != 0.0;
        let (s_step, kind, rule, value) = (r.count()? as u64, r.count()?, r.count()?, r.num()?);
        let stop = if has_stop {
            Some(Stop {
                step: s_step,
                kind: kind.min(1) as u8,
                rule: *Rule::ALL
                    .get(rule)
                    .ok_or("unknown rule in the part state")?,
                value,
            })
        } else {
            None
        };
        let steps_recorded = r.vec()?;
        let n = r.count()?;
        let mut rules = Vec::new();
        for _ in 0..n {
            rules.push(r.rule()?);
            // Skip the learner: five series, four means, the layers.
            for _ in 0..5 {
                r.vec()?;
            }
            for _ in 0..4 {
                r.mean()?;
            }
            let layers = r.count()?;
            for _ in 0..2 * layers {
                r.vec()?;
            }
        }
        Ok(PartState {
            step,
            stop,
            steps_recorded,
            rules,
            raw: raw.to_vec(),
        })
    }
}

/// [`crate::labs::Split::combine`] for the credit lab: the snapshot of the
/// run of `config` from the part states of its rules (each a run of the
/// same configuration with fewer rules, usually one).
///
/// The joint run stops where its first part stops ([`Stop`]); a part that
/// ran past that step, or stopped short of the others (paused parts), is run
/// again from the configuration to that step. Then one lab of the whole
/// configuration takes every rule's series and weights, and its snapshot is
/// the run's: CKA, participation ratios and neural collapse are computed
/// there, from the parts' final weights.
pub fn combine(config: &LabConfig, states: &[Vec<f64>]) -> Result<Snapshot, String> {
    let mut parts = states
        .iter()
        .map(|s| PartState::read(s))
        .collect::<Result<Vec<_>, _>>()?;
    let stop = parts.iter().filter_map(|p| p.stop).min_by_key(|s| s.rank());
    let target = match stop {
        Some(s) => s.step,
        None => parts.iter().map(|p| p.step).max().unwrap_or(0),
    };
    for p in parts.iter_mut() {
        if p.step != target {
            let mut part_config = config.clone();
            let keys: Vec<&str> = p.rules.iter().map(|r| r.key()).collect();
            part_config.set("rules", ParamValue::Choice(keys.join(",")));
            let mut lab = CreditLab::new(&part_config);
            let _ = lab.step(target.saturating_sub(lab.step));
            *p = PartState::read(&lab.part_state())?;
        }
    }
    let mut lab = CreditLab::new(config);
    for p in &parts {
        let mut r = Reader {
            data: &p.raw,
            at: 0,
        };
        // Header: version, step, five stop numbers, the recorded steps.
        for _ in 0..7 {
            r.num()?;
        }
        r.vec()?;
        let n = r.count()?;
        for _ in 0..n {
            let rule = r.rule()?;
            let l = lab
                .learners
                .iter_mut()
                .find(|l| l.rule == rule)
                .ok_or_else(|| format!("the part state's rule {} is not in the run", rule.key()))?;
            l.decode_into(&mut r)?;
        }
    }
    let recorded = parts
        .iter()
        .map(|p| p.steps_recorded.clone())
        .max_by_key(|v| v.len())
        .unwrap_or_default();
    lab.step = target;
    lab.steps_recorded = recorded;
    lab.stopped = stop;
    // A loss that is not finite stops the joint run and records every rule
    // at that step; a part that did not stop there has not recorded it.
    if stop.is_some_and(|s| s.kind == 0) && lab.steps_recorded.last() != Some(&(target as f64)) {
        lab.steps_recorded.push(target as f64);
    }
    let n_rec = lab.steps_recorded.len();
    let (test_x, test_y, labels, cost) = (&lab.test_x, &lab.test_y, &lab.test_labels, lab.s.cost);
    for l in lab.learners.iter_mut() {
        if l.nse.len() + 1 == n_rec {
            l.record(test_x, test_y, labels, cost);
        }
        if l.nse.len() != n_rec {
            return Err(format!(
                "the {} part has {} recordings where the run has {n_rec}",
                l.rule.key(),
                l.nse.len()
            ));
        }
    }
    Ok(lab.snapshot_unhashed())
}

fn mlp_spec(sizes: Vec<usize>, activation: Activation) -> MlpSpec {
    MlpSpec {
        sizes,
        activation,
        parametrisation: Parametrisation::Standard,
        hidden_std: 1.0,
        readout_std: 1.0,
        bias_init: 0.0,
    }
}

/// Normalised squared error Σ‖ŷ − y‖² / Σ‖y − ȳ‖² (ȳ the per-output mean
/// over the test set): 1 for predicting the mean, 0 for a perfect fit.
pub fn nse(pred: &DMatrix<f64>, y: &DMatrix<f64>) -> f64 {
    let mut num = 0.0;
    let mut den = 0.0;
    for j in 0..y.ncols() {
        let mean = y.column(j).sum() / y.nrows().max(1) as f64;
        for i in 0..y.nrows() {
            let d = pred[(i, j)] - y[(i, j)];
            num += d * d;
            let c = y[(i, j)] - mean;
            den += c * c;
        }
    }
    if den == 0.0 {
        f64::NAN
    } else {
        num / den
    }
}

fn softmax_rows(g: &DMatrix<f64>) -> DMatrix<f64> {
    let mut p = g.clone();
    for i in 0..g.nrows() {
        let m = g.row(i).max();
        let z: f64 = g.row(i).iter().map(|&v| libm::exp(v - m)).sum();
        for c in 0..g.ncols() {
            p[(i, c)] = libm::exp(g[(i, c)] - m) / z;
        }
    }
    p
}

/// Fraction of rows whose argmax (lowest index on ties) is the label.
fn accuracy(g: &DMatrix<f64>, labels: &[usize]) -> f64 {
    let hits = (0..g.nrows())
        .filter(|&i| {
            let mut best = 0;
            for c in 1..g.ncols() {
                if g[(i, c)] > g[(i, best)] {
                    best = c;
                }
            }
            best == labels[i]
        })
        .count();
    hits as f64 / g.nrows().max(1) as f64
}

const INFO_NSE: &str = "Normalised squared error on 500 held-out samples: Σ‖ŷ − y‖²/Σ‖y − ȳ‖² (1: predicting the mean). With the cross-entropy cost ŷ is the softmax output and y one-hot.";
const INFO_ACC: &str = "Fraction of held-out samples whose largest output is the true class.";
const INFO_ANGLE_UPDATE: &str = "Angle between the rule's update of the hidden layers' weights and backprop's gradient at the same weights, on the same batch, averaged over each recording window (the metric: over the last 10% of training). 0° is backprop; below 90° the rule still descends (Lillicrap et al. 2016, Fig. 2).";
const INFO_ANGLE_SIGNAL: &str = "Angle between the feedback signal B e delivered to the last hidden layer and backprop's Wᵀe, per step, window-averaged (Lillicrap et al. 2016: from 90° to about 28°). Backprop's line (dashed) is a control: the mean over 64 random B's, unused (the first FA's), which stays at 90° ± 5°; with one B it would sit at 90° plus a chance offset of up to 1/√width rad, since late in training e lies in the task's few slowest directions.";
const INFO_ANGLE_WB: &str = "Angle between the readout weights (the paper's Wᵀ, last hidden layer × outputs) and the feedback matrix B that carries the error to the last hidden layer, both flattened. Under FA and DFA the forward weights come to align with B; under backprop (dashed: the mean over 64 random B's, unused, the first FA's) they do not.";
const INFO_ANGLE_WB_LAYERS: &str = "At the end, for every hidden layer k (h1 the first): FA's angle between the forward weights W_{k+1} out of the layer and the fixed B_k that carries the error into it; DFA's angle between B_k (layer k × outputs) and the product W_{k+1}⋯W_L of the forward weights above the layer, the matrix backprop would carry the error back through (up to the activation slopes). The top layer's is the rule's ∠(Wᵀ, B).";
/// The name of backprop's control series (an unused random B): drawn in
/// bp's colour, dashed.
const CONTROL: &str = "bp (control: unused B)";

/// The lowest test NSE the NSE chart shows: below it the task is solved to
/// 0.01 % RMS, and backprop on a linear task runs on to rounding (1e-30),
/// which would flatten every curve.
const NSE_FLOOR: f64 = 1e-8;

const INFO_CKA: &str = "Linear CKA (Kornblith et al. 2019) between the last hidden layers of every pair of rules on 200 held-out samples; rows and columns in the order of the title. 1: the same representation up to rotation and scale.";
const INFO_PR: &str = "Participation ratio (Σλ)²/Σλ² of each hidden layer's covariance on 200 held-out samples (Gao et al. 2017).";
const INFO_NC: &str = "Neural-collapse metrics of the last hidden layer on 200 held-out samples (Papyan, Han & Donoho 2020): NC1 = Tr(Σ_W Σ_B⁺)/C, NC2 equiangularity of the centred class means, NC3 self-duality with the readout, NC4 disagreement with the nearest-class-mean rule. 0 at full collapse.";
