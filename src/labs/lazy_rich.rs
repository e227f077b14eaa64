//! The lazy vs rich lab (Farrell, Recanatesi & Shea-Brown 2023; Chizat,
//! Oyallon & Bach 2019; Flesch et al. 2022; Papyan, Han & Donoho 2020).
//!
//! A fully connected network is trained on a small task while the lab tracks
//! how far it moves from its initialisation: weights, tangent kernel and
//! hidden representation. The regime is set by
//!
//! - the output scale α: the model is g = α·(f(w) − f(w0)) (or α·f(w)), and
//!   the learning rate η/α² keeps the function-space speed fixed. Large α
//!   gives lazy training (the network stays near its linearisation), small α
//!   rich training (Chizat et al. 2019);
//! - the initial weight std (Flesch et al. 2022: small is rich, large lazy);
//! - the width and the parametrisation (NTK vs mean-field / μP).
//!
//! The formulas of every metric are in `../shared/SCIENCE.md` §1 and in the
//! doc comments of [`crate::metrics`].

use nalgebra::DMatrix;

use super::references;
use crate::config::LabConfig;
use crate::data::latent::{latent_r2, LatentData, ViewKind};
use crate::data::{self, Dataset};
use crate::labs::{Lab, LabError, LabSpec, Preset, StepUnit, Work};
use crate::metrics::capacity::glue::{self, Centring, GlueOptions, LabelRule};
use crate::metrics::{collapse, decoding, dimensionality, lazy_rich as lr};
use crate::nn::contrastive::{self, Objective};
use crate::nn::credit::{Credit, Rule};
use crate::nn::linearised::Linearised;
use crate::nn::optimizer::Sgd;
use crate::nn::{Activation, Mlp, MlpSpec, Parametrisation};
use crate::params::ParamSpec;
use crate::rng::Rng;
use crate::snapshot::{Chart, Heatmap, Metric, Series, Snapshot};

/// The lab's name in URLs.
pub const NAME: &str = "lazy-rich";

/// The most points the kernel and representation metrics use (the probe set).
const PROBE_POINTS: usize = 64;

/// The participation ratio uses this many training inputs per hidden unit
/// (or all of them, if fewer): on R rows PR ≤ R − 1, and even isotropic
/// activity in N dimensions gives only about (R − 1)N/(R + N) (the Wishart
/// expectation), so few rows would cap and bias it low.
const PR_ROWS_PER_UNIT: usize = 4;

/// The linearised model is tracked when train + test points stay below this
/// (its kernel is (train + test) × train).
const LINEARISED_MAX_POINTS: usize = 3000;

/// The Gaussian mixture: input dimension, ‖μ_c‖ and the noise norm. Classes
/// overlap enough that the input is far from collapsed, so collapse is the
/// network's doing.
const MIXTURE_DIM: usize = 20;
const MIXTURE_SEPARATION: f64 = 1.0;
const MIXTURE_NOISE: f64 = 1.0;

/// The latent-variable task: latents, observation dimension, test samples,
/// the embedding (projection head) size of self-supervised networks, and the
/// ridge of the decoders.
const LATENT_K: usize = 3;
const LATENT_D: usize = 20;
const LATENT_TEST: usize = 500;
const SSL_EMBEDDING: usize = 16;
const DECODING_RIDGE: f64 = 1e-2;
/// Rows of the fixed pair of views on which the self-supervised loss is recorded.
const SSL_EVAL_ROWS: usize = 256;

/// The lab's parameters, in control-panel order.
pub fn spec() -> LabSpec {
    LabSpec {
        name: NAME.into(),
        title: "Lazy vs rich learning".into(),
        summary: "Train a small network and watch how far it moves from its initialisation: \
                  weights, tangent kernel and hidden representation. Large output scale α or \
                  large initial weights give lazy learning (the network behaves like its \
                  linearisation); small ones give rich learning, with compressed, task-specific \
                  representations (Farrell, Recanatesi & Shea-Brown 2023; Chizat, Oyallon & Bach \
                  2019; Flesch et al. 2022)."
            .into(),
        params: vec![
            ParamSpec::choice(
                "task",
                "Task",
                &[
                    ("teacher", "Teacher–student regression"),
                    ("context", "Two-context task (Flesch)"),
                    ("mixture", "Gaussian mixture (collapse)"),
                    ("latent", "Latent variables (self-supervised)"),
                ],
                "teacher",
            )
            .group("Task")
            .help("What the network learns. The two-context task is Flesch et al. 2022; the mixture shows neural collapse."),
            ParamSpec::integer("n_train", "Training samples", 8, 5000, 200)
                .group("Task")
                .help("Samples in the training set (teacher–student; per-class × classes for the mixture). The two-context task always has 50."),
            ParamSpec::integer("classes", "Classes", 2, 10, 4)
                .group("Task")
                .help("Classes of the Gaussian mixture."),
            ParamSpec::choice(
                "objective",
                "Objective",
                &[
                    ("infonce", "InfoNCE (contrastive)"),
                    ("invariance", "VICReg (invariance)"),
                    ("supervised", "Supervised (predict the latents)"),
                ],
                "infonce",
            )
            .group("Self-supervised")
            .help("Latent-variable task: how the network is trained. Self-supervised objectives see only pairs of views; a supervised twin of the same shape is trained beside them for comparison."),
            ParamSpec::choice(
                "view",
                "Views",
                &[
                    ("nuisance", "Redraw a nuisance latent"),
                    ("jitter", "Nuisance + jitter the latents"),
                    ("noise", "Add input noise"),
                ],
                "nuisance",
            )
            .group("Self-supervised")
            .help("How the two views of a sample differ. They always share the task latents."),
            ParamSpec::number("view_strength", "View strength", 0.0, 2.0, 1.0)
                .group("Self-supervised")
                .help("How different the views are: the share of the nuisance that is redrawn, or the noise std."),
            ParamSpec::log_number("temperature", "Temperature τ", 0.01, 10.0, 0.2)
                .group("Self-supervised")
                .help("InfoNCE temperature (Oord et al. 2018; Chen et al. 2020)."),
            ParamSpec::log_number("twin_lr", "Twin learning rate", 1e-4, 100.0, 1.0)
                .group("Self-supervised")
                .help("Learning rate of the supervised twin (MSE on the latents)."),
            ParamSpec::log_number("alpha", "Output scale α", 1e-2, 1e3, 1.0)
                .group("Regime")
                .help("The model is α·(f(w) − f(w₀)). Large α: lazy; small α: rich (Chizat et al. 2019)."),
            ParamSpec::choice("lr_scaling", "Learning rate", &[("alpha2", "η/α²"), ("none", "η")], "alpha2")
                .group("Regime")
                .help("η/α² keeps the speed in function space the same for every α."),
            ParamSpec::choice("centre", "Output at init", &[("yes", "α·(f − f₀): starts at 0"), ("no", "α·f")], "yes")
                .group("Regime")
                .help("Subtracting f(w₀) makes the output start at 0, as in Chizat et al. 2019."),
            ParamSpec::log_number("init_std", "Hidden weight std", 1e-3, 10.0, 1.0)
                .group("Regime")
                .help("Std of the entries of the hidden layers' weights at init. Flesch et al.: 0.01 is rich, 3 is lazy."),
            ParamSpec::log_number("context_std", "Context weight std", 1e-3, 10.0, 1.0)
                .group("Regime")
                .help("Two-context task: std of the context→hidden weights. Flesch et al. use 0.5 (rich) to 1.5 (lazy)."),
            ParamSpec::log_number("readout_std", "Readout weight std", 1e-3, 10.0, 1.0)
                .group("Regime")
                .help("Std of the readout weights at init."),
            ParamSpec::number("bias_init", "Bias at init", -1.0, 1.0, 0.0)
                .group("Regime")
                .help("Every bias starts at this value (Flesch et al. use 0.1)."),
            ParamSpec::choice(
                "param",
                "Parametrisation",
                &[("ntk", "NTK (1/√fan-in)"), ("mf", "Mean-field / μP (readout 1/width)"), ("standard", "Standard (raw weights)")],
                "ntk",
            )
            .group("Network")
            .help("How layer outputs scale with width."),
            ParamSpec::integer("depth", "Hidden layers", 1, 3, 1).group("Network").help("Number of hidden layers."),
            ParamSpec::integer("width", "Width", 2, 1024, 128).unit("units").group("Network").help("Units per hidden layer."),
            ParamSpec::choice("activation", "Activation", &[("relu", "ReLU"), ("tanh", "tanh"), ("linear", "linear")], "relu")
                .group("Network")
                .help("The hidden nonlinearity φ."),
            ParamSpec::choice("loss", "Loss", &[("mse", "Mean squared error"), ("ce", "Cross-entropy")], "mse")
                .group("Training")
                .help("MSE is the mean over samples and outputs of (g − y)², as torch.nn.MSELoss. Cross-entropy needs the mixture task."),
            ParamSpec::choice("rule", "Learning rule", &Rule::options(), "bp")
            .group("Training")
            .help("How the output error reaches the hidden layers (the credit lab's rules, Marblestone, Wayne & Kording 2016): backprop, a fixed random feedback matrix B per layer with the variance of the readout weights (FA; DFA: of the readout weights times their multiplier), or a perturbation estimate with σ = 0.001 (NP, WP: they need a smaller η). Under any rule but backprop the network no longer follows its gradient, so the metrics read differently: the linearised twin is still trained by gradient descent on its own residuals (it is the lazy limit of backprop), so its distance measures how far the rule's trajectory departs from lazy gradient descent, not laziness alone; weight and kernel change, CKA to init and the representation metrics describe whatever the rule did to the weights. The self-supervised objectives always train by backprop."),
            ParamSpec::choice("optimizer", "Optimiser", &[("gd", "Full-batch GD"), ("sgd", "Minibatch SGD")], "gd")
                .group("Training")
                .help("Full-batch gradient descent, or SGD on random minibatches."),
            ParamSpec::integer("batch", "Batch size", 1, 1000, 64).unit("samples").group("Training").help("Minibatch size for SGD."),
            ParamSpec::number("momentum", "Momentum", 0.0, 0.99, 0.0).group("Training").help("Heavy-ball momentum μ (as torch.optim.SGD)."),
            ParamSpec::number("weight_decay", "Weight decay", 0.0, 0.1, 0.0)
                .group("Training")
                .help("L2 penalty λ added to the gradient (as torch.optim.SGD)."),
            ParamSpec::log_number("lr", "Learning rate η", 1e-4, 1e4, 0.5).group("Training").help("Step size, before the α scaling."),
            ParamSpec::integer("steps", "Steps", 1, 100_000, 2000).unit("steps").group("Training").help("Training steps."),
            ParamSpec::choice("glue", "Manifold capacity (GLUE)", &[("off", "Off"), ("on", "On")], "off")
                .group("Manifold geometry")
                .help("Off by default, so that links made before GLUE give their old results. On, for the classification tasks (the mixture, the two-context task): at every recorded step, GLUE's capacity, effective radius, dimension and utility of the last hidden layer's class manifolds (Chou, Le, Wang & Chung, ICML 2025: as a network learns features its task manifolds untangle). Mixture: one manifold per class. Two-context task: one per (context, accept/reject), the 10 + 10 + 10 + 10 training stimuli whose reward is not 0. Every record uses the same Gaussian samples and labels (the lab's seed), so the history's changes are not sampling noise."),
            ParamSpec::integer("glue_n_t", "GLUE samples n_t", 10, 1000, 100).group("Manifold geometry").help("Gaussian samples (t, y) per GLUE analysis."),
            ParamSpec::integer("glue_points", "GLUE points per class", 2, 500, 50).group("Manifold geometry").help("Points per manifold at most (a seeded subsample of the training inputs of the class)."),
            ParamSpec::choice("glue_labels", "GLUE labels", &[("random", "Random signs"), ("balanced", "Balanced dichotomies"), ("one_vs_rest", "One against the rest")], "random").group("Manifold geometry").help("How GLUE's labels y are drawn per sample."),
            ParamSpec::choice("glue_centre", "GLUE centring", &[("none", "None (as given)"), ("global", "Minus the mean of all points")], "none").group("Manifold geometry").help("None: the hidden layer's mean activity (shared by every class) counts as structure. Global: it is removed first."),
        ],
        presets: presets(),
        sweep_metrics: ["train_loss", "dw_1", "alpha_dw", "kernel_change", "lin_rms", "glue_capacity_gain"].map(String::from).to_vec(),
        step_unit: StepUnit::new(
            "step",
            "One optimiser step (a minibatch, or the whole training set for full-batch GD). The metrics are recorded at about 100 of the steps.",
        ),
        references: vec![references::farrell_2023(), references::chizat_2019(), references::flesch_2022(), references::papyan_2020(), references::chen_2020(), references::bardes_2022()],
    }
}

/// The rich and lazy runs of the GLUE presets: the same mixture, network
/// and seed, α = 0.1 and α = 100 with η/α².
const GLUE_RICH: &str =
    "v=1&lab=lazy-rich&seed=1&task=mixture&classes=4&n_train=200&alpha=0.1&width=128&steps=2000&glue=on";
const GLUE_LAZY: &str =
    "v=1&lab=lazy-rich&seed=1&task=mixture&classes=4&n_train=200&alpha=100&width=128&steps=2000&glue=on";

/// A fragment as a link value ('&' and '=' percent-encoded), for `pin=`.
fn pin_value(fragment: &str) -> String {
    fragment.replace('=', "%3D").replace('&', "%26")
}

fn presets() -> Vec<Preset> {
    let p = Preset::new;
    vec![
        p(
            "Rich: Flesch two-context task, small init",
            "Stimulus weights std 0.01, context 0.5 (Flesch et al.): the stimulus weights change many-fold (‖ΔW‖/‖W₀‖ ≈ 11), the kernel aligns to the task (kernel–target alignment 0.0002 → 0.30) and the hidden representation stays low-dimensional (participation ratio ≈ 3.2, against ≈ 8.2 in the lazy preset). About half the units are context-exclusive, already at init (51, then 47 at the end with seed 1): the context weights outweigh the tiny stimulus weights, so each unit's context weight decides where it is active. η = 0.125 here equals the paper code's η = 5e-3 on ½·Σ(g − y)². This step is past the linearised model's stability bound (η·λ_max(K₀)·2/n = 2.76 > 2): the linearisation diverges while the network trains on.",
            "v=1&lab=lazy-rich&seed=1&task=context&alpha=1&lr_scaling=none&centre=no&init_std=0.01&context_std=0.5&readout_std=0.01&bias_init=0.1&param=standard&width=100&lr=0.125&steps=10000",
        ),
        p(
            "Lazy: Flesch two-context task, large init",
            "Stimulus weights std 3, context 1.5: the task is solved (train loss ≈ 0.002) while the stimulus weights change by under 1 % (0.7 %) and CKA to init stays near 1 (0.9995). η = 0.004 keeps this init lazy and is already past the linearised model's bound (2.25 > 2). Few units are context-exclusive (3 with seed 1, as at init): the hidden layer keeps its random init, where the stimulus drive (weights std 3) varies across the 25 stimuli far more than the context weights (std 1.5) shift a unit, so a unit is rarely silent for every stimulus of one context. The count measures how far the network leaves its init: at η = 0.01 the network leaves the lazy regime (stimulus weights change 11 %) and 16 units become exclusive. The paper's code trains this init at η = 5e-3 on ½·Σ(g − y)², which is 0.125 here and does not train with these inputs (the loss stays at 2).",
            "v=1&lab=lazy-rich&seed=1&task=context&alpha=1&lr_scaling=none&centre=no&init_std=3&context_std=1.5&readout_std=0.01&bias_init=0.1&param=standard&width=100&lr=0.004&steps=10000",
        ),
        p(
            "Lazy limit: large α tracks the linearised model",
            "α = 100 with η/α²: f_net − f_lin stays tiny (RMS 0.006 after 2,000 steps, against 0.11 at α = 0.1) and α·‖Δw‖/‖w₀‖ ≈ 0.129 matches other large α (α = 10 and 1000 give the same within 0.3 %).",
            "v=1&lab=lazy-rich&seed=1&task=teacher&alpha=100&width=100&steps=2000",
        ),
        p(
            "Rich limit: small α",
            "α = 0.1 with η/α²: the function starts out as fast as at α = 100 (train loss ≈ 0.216 after two steps in both), but the weights and kernel move far from init: ‖ΔW‖/‖W₀‖ ≈ 0.64 and kernel change ≈ 0.56, against 0.001 and 0.007 at α = 100.",
            "v=1&lab=lazy-rich&seed=1&task=teacher&alpha=0.1&width=100&steps=2000",
        ),
        p(
            "The lazy → rich transition: sweep α",
            "Eleven runs from α = 0.01 to 1000 with η/α², one per Web Worker: from α = 1 on, the hidden weights' change falls as 1/α (0.085 → 9e-5); the kernel change falls with it up to α = 10 (0.064 → 0.007), then stalls near 1e-3 from α = 30 to 300; α·‖Δw‖/‖w₀‖ levels off at ≈ 0.105, and the distance to the linearised model falls from 0.5 to 2e-4.",
            "v=1&lab=lazy-rich&seed=1&task=teacher&width=100&n_train=100&steps=1000&sweep=alpha:log:0.01:1000:11",
        ),
        p(
            "Rich: the task manifolds untangle (GLUE)",
            "A 4-class Gaussian mixture (20 dims, 50 training points per class), one hidden layer of 128 ReLU units, MSE on α·(f − f₀) with η/α². Rich, α = 0.1: GLUE's capacity of the hidden layer's class manifolds rises from 0.228 to 0.600 over 2,000 steps, while their effective radius falls from 0.83 to 0.51 and their dimension from 4.9 to 2.5. The lazy run (α = 100, pinned, dashed) starts from the same network and stays at 0.228. Chou, Le, Wang & Chung (ICML 2025): capacity measures how far a network has learnt task-relevant features.",
            &format!("{GLUE_RICH}&pin={}", pin_value(GLUE_LAZY)),
        ),
        p(
            "Lazy: the task manifolds stay as they were (GLUE)",
            "The same mixture, network and seed at α = 100 (η/α²): the network fits the task (training accuracy 1) with 0.08% weight change, and GLUE's capacity of the hidden layer's class manifolds stays at its initial 0.228 (gain 0.2%), as do their radius and dimension. The rich run (α = 0.1) is pinned beside it, dashed.",
            &format!("{GLUE_LAZY}&pin={}", pin_value(GLUE_RICH)),
        ),
        p(
            "GLUE capacity gain over α, a sweep from rich to lazy",
            "Eleven runs of the GLUE presets' mixture from α = 0.01 to 1000 (η/α²): the final gain of GLUE's capacity, α(end)/α(init) − 1, falls with α at every step, from 7.4 to 0.0002; weight change falls with it. At α = 0.01 the capacity reaches 1.9, near the 2 of points in general position (Cover 1965), while the training accuracy is only 0.745.",
            "v=1&lab=lazy-rich&seed=1&task=mixture&classes=4&n_train=200&width=128&steps=2000&glue=on&sweep=alpha:log:0.01:1000:11",
        ),
        p(
            "Self-supervised latents (InfoNCE)",
            "Observations are a fixed nonlinear map of 3 latents and a nuisance; the network sees only pairs of views that share the latents and redraw the nuisance. Contrastive training makes every latent more linearly decodable than at init (R² ≈ 0.87 → 0.92–0.93), approaching a supervised twin (≈ 0.94–0.95). It does not discard the nuisance from this representation, the layer below the projection head: its R² only falls from 0.86 to 0.82 (Chen et al. 2020 found the same: the layer before the head keeps what the objective ignores).",
            "v=1&lab=lazy-rich&seed=1&task=latent&n_train=4096&objective=infonce&view=nuisance&view_strength=1&temperature=0.2&twin_lr=1&param=ntk&init_std=1.414&depth=2&width=64&optimizer=sgd&batch=128&momentum=0.9&lr=0.5&steps=1000",
        ),
        p(
            "Neural collapse in the terminal phase",
            "A 4-class Gaussian mixture trained with cross-entropy and small weight decay well past zero training error (Papyan, Han & Donoho 2020): within-class variability (NC1) and classifier–mean mismatch (NC3) keep falling (from step 1,000 to 6,000: NC1 0.096 → 0.068, NC3 0.33 → 0.07), while the nearest-class-mean mismatch (NC4) stays at 0.",
            "v=1&lab=lazy-rich&seed=1&task=mixture&classes=4&n_train=200&loss=ce&param=standard&init_std=0.2&readout_std=0.2&depth=2&width=128&alpha=1&centre=no&optimizer=gd&momentum=0.9&weight_decay=0.0005&lr=0.05&steps=6000",
        ),
    ]
}

/// The lab's settings, read from a checked [`LabConfig`].
#[derive(Clone, Debug)]
struct Settings {
    task: String,
    n_train: usize,
    classes: usize,
    alpha: f64,
    lr_over_alpha2: bool,
    centre: bool,
    cross_entropy: bool,
    sgd: bool,
    batch: usize,
    momentum: f64,
    weight_decay: f64,
    lr: f64,
    steps: u64,
    net: MlpSpec,
    /// The self-supervised objective (latent task only; None = supervised).
    ssl: Option<Objective>,
    /// The credit-assignment rule of the supervised step.
    rule: Rule,
    /// GLUE on the last hidden layer (classification tasks, when on).
    glue: Option<GlueOptions>,
}

impl Settings {
    fn from_config(c: &LabConfig) -> (Self, Vec<String>) {
        let mut notes = Vec::new();
        let task = c.choice("task");
        let mut cross_entropy = c.choice("loss") == "ce";
        if cross_entropy && task != "mixture" {
            notes.push(
                "cross-entropy needs class labels: using MSE for this regression task".to_string(),
            );
            cross_entropy = false;
        }
        let depth = c.int("depth").clamp(1, 3);
        let width = c.int("width").max(1);
        let s = Settings {
            n_train: c.int("n_train").max(2),
            classes: c.int("classes").clamp(2, 10),
            alpha: c.num("alpha"),
            lr_over_alpha2: c.choice("lr_scaling") == "alpha2",
            centre: c.choice("centre") == "yes",
            cross_entropy,
            sgd: c.choice("optimizer") == "sgd",
            batch: c.int("batch").max(1),
            momentum: c.num("momentum"),
            weight_decay: c.num("weight_decay"),
            lr: c.num("lr"),
            steps: c.int("steps") as u64,
            ssl: match (task.as_str(), c.choice("objective").as_str()) {
                ("latent", "infonce") => Some(Objective::InfoNce),
                ("latent", "invariance") => Some(Objective::Invariance),
                _ => None,
            },
            rule: Rule::from_key(&c.choice("rule")).unwrap_or(Rule::Backprop),
            glue: (c.choice("glue") == "on" && matches!(task.as_str(), "mixture" | "context"))
                .then(|| GlueOptions {
                    n_t: c.int("glue_n_t").max(1),
                    max_points: c.int("glue_points").max(2),
                    labels: LabelRule::from_key(&c.choice("glue_labels")).unwrap_or_default(),
                    centre: Centring::from_key(&c.choice("glue_centre")).unwrap_or_default(),
                    seed: c.seed,
                }),
            net: MlpSpec {
                sizes: vec![0; depth + 2],
                activation: Activation::from_key(&c.choice("activation"))
                    .unwrap_or(Activation::Relu),
                parametrisation: Parametrisation::from_key(&c.choice("param"))
                    .unwrap_or(Parametrisation::Ntk),
                hidden_std: c.num("init_std"),
                readout_std: c.num("readout_std"),
                bias_init: c.num("bias_init"),
            },
            task,
        };
        let mut s = s;
        for h in 1..=depth {
            s.net.sizes[h] = width;
        }
        (s, notes)
    }

    /// The learning rate on the weights: η/α² or η.
    fn effective_lr(&self) -> f64 {
        if self.lr_over_alpha2 {
            self.lr / (self.alpha * self.alpha)
        } else {
            self.lr
        }
    }
}

/// One recorded metric over training.
#[derive(Clone, Debug)]
struct Trace {
    key: String,
    label: String,
    info: String,
    values: Vec<f64>,
}

/// The lazy vs rich lab.
pub struct LazyRich {
    s: Settings,
    data: Dataset,
    net: Mlp,
    net0: Mlp,
    opt: Sgd,
    batch_rng: Rng,
    /// f(w0) on the training and test inputs (subtracted when centring).
    f0_train: DMatrix<f64>,
    f0_test: DMatrix<f64>,
    lin: Option<Linearised>,
    /// Why the linearised model stopped (its distance is NaN from then on).
    lin_diverged: Option<String>,
    /// The full-batch GD stability figure of the linearised model,
    /// η·α²·λ_max(K₀)·2/n, and its bound 2(1 + μ): see [`lin_stability`].
    lin_stability: Option<(f64, f64, String)>,
    /// [`LIN_DIVERGED_FACTOR`] × the linearised model's training loss at init.
    lin_loss_limit: f64,
    /// The latent-variable task's data (for decoding), and the
    /// self-supervised state when the objective is not supervised.
    latent: Option<LatentData>,
    ssl: Option<SelfSupervised>,
    /// Training-set rows used for the kernel and representation metrics.
    probe: Vec<usize>,
    x_probe: DMatrix<f64>,
    y_probe: DMatrix<f64>,
    k0_probe: DMatrix<f64>,
    h0_probe: Vec<DMatrix<f64>>,
    /// Training rows for the participation ratio (see [`PR_ROWS_PER_UNIT`]).
    x_pr: DMatrix<f64>,
    /// GLUE's manifolds: a name and the training rows of each.
    glue_classes: Vec<(String, Vec<usize>)>,
    step: u64,
    schedule: Vec<u64>,
    next_record: usize,
    record_steps: Vec<f64>,
    traces: Vec<Trace>,
    stopped: Option<String>,
    /// The supervised step's credit-assignment rule, with its feedback
    /// matrices or noise stream.
    credit: Credit,
    notes: Vec<String>,
    /// The cost model ([`Costs`]).
    costs: Costs,
}

/// The lab's cost model ([`Lab::work`]): multiply–adds of one training
/// step and of one record, counted from the network's and the data's
/// shapes. A record (tangent kernel, participation ratio, decoders, neural
/// collapse) costs from a few to a hundred steps, and the schedule records
/// densely at the start (log-spaced steps), so counting steps alone would
/// judge a run by its most expensive stretch.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Costs {
    step: f64,
    record: f64,
}

impl Costs {
    /// Forward passes are n·P multiply–adds for n rows and P weights, a
    /// training step three of them (forward, backward, weight gradients);
    /// the tangent kernel on n_p probe rows costs, per output, three
    /// forward-and-backward passes and the per-layer Gram products
    /// n_p²·Σ widths; the participation ratio on an n × w layer a Gram
    /// matrix, n·w·min(n, w); ridge decoding 5 folds of n·w² + w³ per
    /// target.
    fn of(lab: &LazyRich) -> Costs {
        let sizes = &lab.s.net.sizes;
        let weights: f64 = sizes.windows(2).map(|w| (w[0] * w[1]) as f64).sum();
        let widths: f64 = sizes.iter().map(|&w| w as f64).sum();
        let widest = sizes[1..sizes.len() - 1].iter().copied().max().unwrap_or(1) as f64;
        let hidden_layers = (sizes.len() - 2) as f64;
        let outputs = *sizes.last().unwrap_or(&1) as f64;
        let fwd = |rows: f64| rows * weights;
        let n_train = lab.data.x_train.nrows() as f64;
        let n_test = lab.data.x_test.nrows() as f64;
        let batch = if lab.s.sgd && lab.s.batch < lab.data.x_train.nrows() {
            lab.s.batch as f64
        } else {
            n_train
        };
        let step = match &lab.ssl {
            // Two views through the network, and the supervised twin.
            Some(_) => 9.0 * fwd(batch),
            None => {
                let lin = if lab.lin.is_some() {
                    (n_train + n_test) * batch
                } else {
                    0.0
                };
                3.0 * fwd(batch) + lin
            }
        };
        let probe = lab.x_probe.nrows() as f64;
        let pr_rows = lab.x_pr.nrows() as f64;
        let mut record = outputs * (6.0 * fwd(probe) + 2.0 * probe * probe * widths)
            + fwd(probe)
            + fwd(pr_rows)
            + hidden_layers * pr_rows * widest * pr_rows.min(widest);
        if lab.ssl.is_some() {
            record += 2.0 * fwd(SSL_EVAL_ROWS as f64);
        } else {
            record += fwd(n_train + n_test);
        }
        if lab.data.labels.is_some() || lab.data.train_context.is_some() {
            record += fwd(n_train);
        }
        if lab.latent.is_some() {
            let nets = if lab.ssl.is_some() { 2.0 } else { 1.0 };
            let targets = (LATENT_K + 1) as f64;
            let rows = LATENT_TEST as f64;
            record += nets
                * (fwd(rows) + targets * 5.0 * (rows * widest * widest + widest * widest * widest));
        }
        Costs { step, record }
    }
}

impl LazyRich {
    /// Build the lab: draw the data, then the network, in that order, from
    /// the seed.
    pub fn new(config: &LabConfig) -> Self {
        let (mut s, notes) = Settings::from_config(config);
        let mut data_rng = Rng::fork(config.seed, 1);
        let mut latent = None;
        let data = match s.task.as_str() {
            "context" => data::context::generate(&mut data_rng),
            "latent" => {
                let ld = data::latent::generate(
                    LATENT_K,
                    LATENT_D,
                    s.n_train,
                    LATENT_TEST,
                    &mut data_rng,
                );
                let d = ld.dataset();
                latent = Some(ld);
                d
            }
            "mixture" => {
                let per_class = (s.n_train / s.classes).max(1);
                data::mixture::generate(
                    MIXTURE_DIM,
                    s.classes,
                    per_class,
                    per_class.max(50),
                    MIXTURE_SEPARATION,
                    MIXTURE_NOISE,
                    &mut data_rng,
                )
            }
            _ => data::teacher::generate(10, 4, s.n_train, 500, &mut data_rng),
        };
        let last = s.net.sizes.len() - 1;
        s.net.sizes[0] = data.x_train.ncols();
        s.net.sizes[last] = if s.ssl.is_some() {
            SSL_EMBEDDING
        } else {
            data.y_train.ncols()
        };
        let mut net = Mlp::new(s.net.clone(), &mut Rng::fork(config.seed, 2));
        if s.task == "context" && s.net.hidden_std > 0.0 {
            // The context units' weights have their own scale (Flesch et al.).
            let scale = config.num("context_std") / s.net.hidden_std;
            for row in data::context::INPUTS - 2..data::context::INPUTS {
                net.weights[0].row_mut(row).scale_mut(scale);
            }
        }
        let f0_train = net.forward(&data.x_train).output().clone();
        let f0_test = net.forward(&data.x_test).output().clone();

        let n_train = data.x_train.nrows();
        let n_all = n_train + data.x_test.nrows();
        let lin = (data.y_train.ncols() == 1 && n_all <= LINEARISED_MAX_POINTS).then(|| {
            let mut all = DMatrix::zeros(n_all, data.x_train.ncols());
            all.rows_mut(0, n_train).copy_from(&data.x_train);
            all.rows_mut(n_train, n_all - n_train)
                .copy_from(&data.x_test);
            Linearised::new(&net, &all, n_train, s.alpha, s.centre)
        });
        let lin_stability = lin.as_ref().map(|l| lin_stability(&s, l, n_train));
        let lin_loss_limit = lin.as_ref().map_or(f64::INFINITY, |l| {
            let g_lin = DMatrix::from_fn(n_train, 1, |i, _| l.output(i));
            let loss0 = loss_and_grad(&g_lin, &data.y_train, false).0;
            LIN_DIVERGED_FACTOR * loss0.max(f64::MIN_POSITIVE)
        });
        let mut notes = notes;
        if let Some((figure, bound, formula)) = &lin_stability {
            if figure > bound {
                notes.push(lin_divergence_note(*figure, *bound, formula));
            }
        }

        let probe = probe_rows(&data);
        let x_probe = select_rows(&data.x_train, &probe);
        let y_probe = select_rows(&data.y_train, &probe);
        let k0_probe = net.tangent_kernel(&x_probe);
        let h0_probe = net.forward(&x_probe).hidden;
        let widest = s.net.sizes[1..last].iter().copied().max().unwrap_or(1);
        let pr_rows = evenly_spaced(n_train, (PR_ROWS_PER_UNIT * widest).max(PROBE_POINTS));
        let x_pr = select_rows(&data.x_train, &pr_rows);

        let opt = Sgd::new(s.effective_lr(), s.momentum, s.weight_decay);
        let ssl = match (s.ssl, &latent) {
            (Some(objective), Some(ld)) => Some(SelfSupervised::new(objective, &s, config, ld)),
            _ => None,
        };
        // Own RNG streams, so that backprop's numbers do not move. B has the
        // variance of the readout weights, raw for FA (which applies the
        // layer multiplier c_{l+1} as backprop does) and effective, c_L·W_L,
        // for DFA (which carries e straight to the layer).
        let readout_c = if s.rule == Rule::DirectFeedbackAlignment {
            net.multipliers.last().copied().unwrap_or(1.0)
        } else {
            1.0
        };
        let credit = Credit::new(
            s.rule,
            &net,
            3f64.sqrt() * s.net.readout_std * readout_c,
            PERTURBATION_SIGMA,
            &mut Rng::fork(config.seed, 8),
            Rng::fork(config.seed, 9),
        );
        if s.rule != Rule::Backprop && s.ssl.is_some() {
            notes.push(format!(
                "the self-supervised objectives train by backprop: rule={} applies to the supervised tasks only",
                s.rule.key()
            ));
        }
        let schedule = record_schedule(s.steps);
        let mut lab = LazyRich {
            credit,
            opt,
            batch_rng: Rng::fork(config.seed, 3),
            net0: net.clone(),
            net,
            f0_train,
            f0_test,
            lin,
            lin_diverged: None,
            lin_stability,
            lin_loss_limit,
            latent,
            ssl,
            probe,
            x_probe,
            y_probe,
            k0_probe,
            h0_probe,
            x_pr,
            glue_classes: if s.glue.is_some() {
                glue_classes(&data)
            } else {
                Vec::new()
            },
            step: 0,
            schedule,
            next_record: 0,
            record_steps: Vec::new(),
            traces: Vec::new(),
            stopped: None,
            notes,
            data,
            s,
            costs: Costs {
                step: 1.0,
                record: 0.0,
            },
        };
        lab.costs = Costs::of(&lab);
        lab.record();
        lab
    }

    /// Notes about settings that were adjusted to fit the task.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Build the lab for the registry.
    pub fn boxed(config: &LabConfig) -> Box<dyn Lab> {
        Box::new(Self::new(config))
    }

    /// The model output g on x, given f(w0) on the same x.
    fn model_output(&self, x: &DMatrix<f64>, f0: &DMatrix<f64>) -> DMatrix<f64> {
        let f = self.net.forward(x).output().clone();
        self.scale_output(f, f0)
    }

    /// g = α(f − f0) or αf.
    fn scale_output(&self, mut f: DMatrix<f64>, f0: &DMatrix<f64>) -> DMatrix<f64> {
        if self.s.centre {
            f -= f0;
        }
        f * self.s.alpha
    }

    /// One optimiser step; returns the minibatch loss.
    fn train_step(&mut self) -> f64 {
        let n = self.data.x_train.nrows();
        let batch: Vec<usize> = if self.s.sgd && self.s.batch < n {
            partial_permutation(&mut self.batch_rng, n, self.s.batch)
        } else {
            (0..n).collect()
        };
        if let (Some(ssl), Some(latent)) = (&mut self.ssl, &self.latent) {
            return ssl.step(&mut self.net, &mut self.opt, latent, &self.data, &batch);
        }
        let xb = select_rows(&self.data.x_train, &batch);
        let yb = select_rows(&self.data.y_train, &batch);
        let f0b = select_rows(&self.f0_train, &batch);
        let fwd = self.net.forward(&xb);
        let g = self.scale_output(fwd.output().clone(), &f0b);
        let (loss, dl_dg) = loss_and_grad(&g, &yb, self.s.cross_entropy);
        let d_out = &dl_dg * self.s.alpha;
        // The per-sample terms of the same loss, as a function of the
        // network's output f (the perturbation rules' loss differences).
        let (alpha, centre, ce) = (self.s.alpha, self.s.centre, self.s.cross_entropy);
        let per_sample = |f: &DMatrix<f64>| {
            let mut g = f.clone();
            if centre {
                g -= &f0b;
            }
            per_sample_loss(&(g * alpha), &yb, ce)
        };
        let grads = self.credit.grads(&self.net, &xb, &fwd, &d_out, &per_sample);
        self.opt.step(&mut self.net, &grads);
        self.linearised_step(&batch, &yb);
        loss
    }

    /// One step of the linearised twin on its own residuals g_lin − y (not
    /// the network's), with the same batch and optimiser. Its divergence
    /// does not stop the run: the twin stops, its distance becomes NaN and
    /// the lab says why.
    fn linearised_step(&mut self, batch: &[usize], yb: &DMatrix<f64>) {
        let Some(lin) = &mut self.lin else { return };
        if self.lin_diverged.is_some() {
            return;
        }
        let g_lin = DMatrix::from_fn(batch.len(), 1, |i, _| lin.output(batch[i]));
        let (lin_loss, dl_dg) = loss_and_grad(&g_lin, yb, false);
        let limit = self.lin_loss_limit;
        if lin_loss.is_finite() && lin_loss <= limit {
            lin.step(
                batch,
                dl_dg.as_slice(),
                self.s.effective_lr(),
                self.s.momentum,
                self.s.weight_decay,
            );
        }
        if !(lin_loss.is_finite() && lin_loss <= limit && lin.is_finite()) {
            let (figure, bound, formula) =
                self.lin_stability
                    .clone()
                    .unwrap_or((f64::NAN, 2.0, String::new()));
            let note = format!(
                "at step {}, {}",
                self.step + 1,
                lin_divergence_note(figure, bound, &formula)
            );
            if !self.notes.contains(&note) {
                self.notes.push(note.clone());
            }
            self.lin_diverged = Some(note);
        }
    }

    /// Append the current value of every metric to the traces.
    fn record(&mut self) {
        let mut row: Vec<(String, String, String, f64)> = Vec::new();
        let mut push = |key: &str, label: &str, info: &str, v: f64| {
            row.push((key.into(), label.into(), info.into(), v))
        };

        // The self-supervised network's output is an embedding, not a
        // prediction: it has its own loss and no accuracy.
        let supervised = self.ssl.is_none();
        let (g_train, g_test) = if supervised {
            (
                self.model_output(&self.data.x_train, &self.f0_train),
                self.model_output(&self.data.x_test, &self.f0_test),
            )
        } else {
            (DMatrix::zeros(0, 0), DMatrix::zeros(0, 0))
        };
        let ce = self.s.cross_entropy;
        if let Some(ssl) = &self.ssl {
            push(
                "train_loss",
                ssl.loss_label(),
                INFO_SSL_LOSS,
                ssl.eval_loss(&self.net),
            );
        } else {
            let train = loss_and_grad(&g_train, &self.data.y_train, ce).0;
            let test = loss_and_grad(&g_test, &self.data.y_test, ce).0;
            push("train_loss", "Train loss", INFO_LOSS, train);
            push("test_loss", "Test loss", INFO_LOSS, test);
        }
        if let Some(labels) = &self.data.labels {
            push(
                "train_acc",
                "Train accuracy",
                INFO_ACC,
                accuracy(&g_train, &labels.train),
            );
            push(
                "test_acc",
                "Test accuracy",
                INFO_ACC,
                accuracy(&g_test, &labels.test),
            );
        }
        if self.data.train_context.is_some() {
            push(
                "train_acc",
                "Train accuracy (sign)",
                INFO_SIGN_ACC,
                sign_accuracy(&g_train, &self.data.y_train),
            );
            push(
                "test_acc",
                "Test accuracy (sign)",
                INFO_SIGN_ACC,
                sign_accuracy(&g_test, &self.data.y_test),
            );
        }

        // Linear decodability of each latent (latent-variable task), for
        // the network and, beside a self-supervised one, its supervised twin.
        if let Some(ld) = &self.latent {
            let twin = self.ssl.as_ref().map(|ssl| &ssl.twin);
            let nets = [(&self.net, "r2_", "", INFO_R2)]
                .into_iter()
                .chain(twin.map(|t| (t, "r2_twin_", ", supervised twin", INFO_R2_TWIN)));
            for (net, key, suffix, info) in nets {
                let rep = contrastive::representation(net, &ld.x_test);
                let r2s = latent_r2(&rep, &ld.latents_test, 5, DECODING_RIDGE);
                for (k, r2) in r2s.into_iter().enumerate() {
                    push(
                        &format!("{key}{}", k + 1),
                        &format!("R² latent {}{suffix}", k + 1),
                        info,
                        r2,
                    );
                }
                if key == "r2_" {
                    let nuisance =
                        decoding::cross_validated_r2(&rep, &ld.nuisance_test, 5, DECODING_RIDGE);
                    push("r2_nuisance", "R² nuisance", INFO_R2_NUISANCE, nuisance);
                }
            }
        }

        // Weight change per layer and overall.
        let layers = self.net.n_layers();
        for l in 0..layers {
            let key = format!("dw_{}", l + 1);
            let label = if l + 1 == layers {
                "‖ΔW‖/‖W₀‖ readout".to_string()
            } else {
                format!("‖ΔW‖/‖W₀‖ layer {}", l + 1)
            };
            push(
                &key,
                &label,
                INFO_DW,
                lr::relative_change(&self.net.weights[l], &self.net0.weights[l]),
            );
        }
        if self.data.train_context.is_some() {
            // Flesch et al. report the stimulus→hidden block on its own.
            let stim = data::context::INPUTS - 2;
            push(
                "dw_stim",
                "‖ΔW‖/‖W₀‖ stimulus→hidden",
                INFO_DW,
                lr::relative_change(
                    &self.net.weights[0].rows(0, stim).into_owned(),
                    &self.net0.weights[0].rows(0, stim).into_owned(),
                ),
            );
        }
        let (w, w0) = (self.net.flat_params(), self.net0.flat_params());
        let dw: f64 = w
            .iter()
            .zip(&w0)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            .sqrt();
        let n0: f64 = w0.iter().map(|a| a * a).sum::<f64>().sqrt();
        push(
            "alpha_dw",
            "α·‖Δw‖/‖w₀‖",
            INFO_ALPHA_DW,
            self.s.alpha * dw / n0,
        );

        // Tangent kernel on the probe set.
        let k = self.net.tangent_kernel(&self.x_probe);
        push(
            "kernel_change",
            "‖ΔK‖/‖K₀‖",
            INFO_K_CHANGE,
            lr::kernel_relative_change(&k, &self.k0_probe),
        );
        push(
            "kernel_distance",
            "Kernel distance",
            INFO_K_DIST,
            lr::kernel_distance(&k, &self.k0_probe),
        );
        push(
            "kta",
            "Kernel–target alignment",
            INFO_KTA,
            lr::centered_kernel_alignment(&k, &self.y_probe),
        );

        // Hidden representations on the probe set.
        let hidden = self.net.forward(&self.x_probe).hidden;
        for (l, (h, h0)) in hidden.iter().zip(&self.h0_probe).enumerate() {
            push(
                &format!("cka_{}", l + 1),
                &format!("CKA(h₀, h) layer {}", l + 1),
                INFO_CKA,
                lr::linear_cka(h0, h),
            );
        }
        for (l, h) in self.net.forward(&self.x_pr).hidden.iter().enumerate() {
            push(
                &format!("pr_{}", l + 1),
                &format!("Participation ratio layer {}", l + 1),
                INFO_PR,
                dimensionality::participation_ratio(h),
            );
        }

        // Distance to the linearised model on the test points.
        if let Some(lin) = &self.lin {
            let n_train = self.data.x_train.nrows();
            let rms = if self.lin_diverged.is_some() {
                f64::NAN
            } else {
                let mut sq = 0.0;
                for i in 0..g_test.nrows() {
                    let d = g_test[(i, 0)] - lin.output(n_train + i);
                    sq += d * d;
                }
                (sq / g_test.nrows() as f64).sqrt()
            };
            push("lin_rms", "RMS(g − g_lin)", INFO_LIN, rms);
            let lin_loss = if self.lin_diverged.is_some() {
                f64::NAN
            } else {
                let g_lin = DMatrix::from_fn(n_train, 1, |i, _| lin.output(i));
                loss_and_grad(&g_lin, &self.data.y_train, false).0
            };
            push(
                "lin_train_loss",
                "Train loss, linearised model",
                INFO_LIN_LOSS,
                lin_loss,
            );
        }

        // Context-exclusive and dead units (Flesch et al. 2022), for ReLU
        // units only: their definition counts exact zeros.
        let relu = self.s.net.activation == Activation::Relu;
        if let (Some(ctx), true) = (&self.data.train_context, relu) {
            let h = self.net.forward(&self.data.x_train).hidden;
            if let Some(h) = h.last() {
                let rows_a: Vec<usize> = (0..ctx.len()).filter(|&i| ctx[i] == 0).collect();
                let rows_b: Vec<usize> = (0..ctx.len()).filter(|&i| ctx[i] == 1).collect();
                let counts =
                    lr::exclusive_units(&select_rows(h, &rows_a), &select_rows(h, &rows_b), 0.0);
                push(
                    "exclusive_units",
                    "Context-exclusive units",
                    INFO_EXCL,
                    (counts.exclusive_a + counts.exclusive_b) as f64,
                );
                push("dead_units", "Dead units", INFO_DEAD, counts.dead as f64);
            }
        }

        // Neural collapse on the training set (classification).
        if let Some(labels) = &self.data.labels {
            let fwd = self.net.forward(&self.data.x_train);
            if let Some(h) = fwd.hidden.last() {
                let l = layers - 1;
                let w = self.net.weights[l].transpose() * (self.net.multipliers[l] * self.s.alpha);
                if let Ok(nc) =
                    collapse::neural_collapse(h, &labels.train, labels.n_classes, &w, &g_train)
                {
                    push("nc1", "NC1", INFO_NC1, nc.nc1);
                    let two = labels.n_classes == 2;
                    push(
                        "nc2_equinorm",
                        "NC2 equinorm (means)",
                        if two { INFO_NC2_TWO } else { INFO_NC2N },
                        nc.nc2_equinorm_means,
                    );
                    push(
                        "nc2_equiangular",
                        "NC2 equiangularity (means)",
                        if two { INFO_NC2_TWO } else { INFO_NC2A },
                        nc.nc2_equiangular_means,
                    );
                    push(
                        "nc2_equinorm_classifier",
                        "NC2 equinorm (classifier)",
                        INFO_NC2N,
                        nc.nc2_equinorm_classifier,
                    );
                    push(
                        "nc2_equiangular_classifier",
                        "NC2 equiangularity (classifier)",
                        INFO_NC2A,
                        nc.nc2_equiangular_classifier,
                    );
                    push("nc3", "NC3 self-duality", INFO_NC3, nc.nc3);
                    push("nc4", "NC4 nearest class mean", INFO_NC4, nc.nc4);
                }
            }
        }

        // Manifold geometry of the last hidden layer (GLUE).
        let mut glue_error = None;
        if let (Some(opts), false) = (&self.s.glue, self.glue_classes.is_empty()) {
            let fwd = self.net.forward(&self.data.x_train);
            if let Some(h) = fwd.hidden.last() {
                let manifolds: Vec<DMatrix<f64>> = self
                    .glue_classes
                    .iter()
                    .map(|(_, rows)| select_rows(h, rows))
                    .collect();
                let settings = format!(
                    " Manifolds: {}. Settings: {}.",
                    self.glue_classes
                        .iter()
                        .map(|(n, r)| format!("{n} ({} points)", r.len()))
                        .collect::<Vec<_>>()
                        .join(", "),
                    opts.describe()
                );
                let (a, r, d, u, se) = match glue::glue(&manifolds, opts) {
                    Ok(g) => (g.capacity, g.radius, g.dimension, g.utility, g.capacity_se),
                    Err(e) => {
                        glue_error = Some(format!(
                            "GLUE at step {}: {e}; its values are NaN there",
                            self.step
                        ));
                        (f64::NAN, f64::NAN, f64::NAN, f64::NAN, f64::NAN)
                    }
                };
                let a0 = self
                    .traces
                    .iter()
                    .find(|t| t.key == "glue_capacity")
                    .and_then(|t| t.values.first().copied())
                    .unwrap_or(a);
                push(
                    "glue_capacity",
                    "GLUE capacity α",
                    &format!("{INFO_GLUE_CAPACITY}{settings}"),
                    a,
                );
                push("glue_capacity_se", "GLUE α s.e.", INFO_GLUE_SE, se);
                push(
                    "glue_capacity_gain",
                    "GLUE capacity gain",
                    &format!("{INFO_GLUE_GAIN}{settings}"),
                    a / a0 - 1.0,
                );
                push(
                    "glue_radius",
                    "GLUE radius R",
                    &format!("{INFO_GLUE_RADIUS}{settings}"),
                    r,
                );
                push(
                    "glue_dimension",
                    "GLUE dimension D",
                    &format!("{INFO_GLUE_DIMENSION}{settings}"),
                    d,
                );
                push(
                    "glue_utility",
                    "GLUE utility Ψ",
                    &format!("{INFO_GLUE_UTILITY}{settings}"),
                    u,
                );
            }
        }
        if let Some(e) = glue_error {
            if !self.notes.contains(&e) {
                self.notes.push(e);
            }
        }

        self.record_steps.push(self.step as f64);
        for (key, label, info, v) in row {
            match self.traces.iter_mut().find(|t| t.key == key) {
                Some(t) => t.values.push(v),
                None => self.traces.push(Trace {
                    key,
                    label,
                    info,
                    values: vec![v],
                }),
            }
        }
        self.next_record += 1;
    }

    fn trace(&self, key: &str) -> Option<&Trace> {
        self.traces.iter().find(|t| t.key == key)
    }

    fn series(&self, key: &str) -> Option<Series> {
        self.trace(key).map(|t| Series {
            name: t.label.clone(),
            x: self.record_steps.clone(),
            y: t.values.clone(),
            dashed: false,
        })
    }

    fn series_matching(&self, prefix: &str) -> Vec<Series> {
        self.traces
            .iter()
            .filter(|t| t.key.starts_with(prefix))
            .filter_map(|t| self.series(&t.key))
            .collect()
    }

    fn charts(&self) -> Vec<Chart> {
        let mut charts = Vec::new();
        if self.latent.is_some() {
            charts.push(
                Chart::lines(
                    "decoding",
                    "Linear decodability of the latents",
                    "step",
                    "cross-validated R²",
                    self.series_matching("r2_"),
                )
                .info(INFO_R2),
            );
        }
        let loss_label = if let Some(ssl) = &self.ssl {
            ssl.loss_label()
        } else if self.s.cross_entropy {
            "cross-entropy"
        } else {
            "MSE"
        };
        charts.push(
            Chart::lines(
                "loss",
                "Loss",
                "step",
                loss_label,
                ["train_loss", "test_loss", "lin_train_loss"]
                    .iter()
                    .filter_map(|k| self.series(k))
                    .collect(),
            )
            .log_y()
            .info(INFO_LOSS),
        );
        charts.push(
            Chart::lines(
                "weight-change",
                "Relative weight change",
                "step",
                "‖W − W₀‖_F / ‖W₀‖_F",
                self.series_matching("dw_"),
            )
            .log_y()
            .info(INFO_DW),
        );
        let mut reps = self.series_matching("cka_");
        reps.extend(self.series("kta"));
        charts.push(
            Chart::lines(
                "cka",
                "Representation and kernel alignment",
                "step",
                "CKA, KTA (0–1)",
                reps,
            )
            .info(INFO_CKA),
        );
        charts.push(
            Chart::lines(
                "kernel",
                "Tangent-kernel change",
                "step",
                "relative change / distance",
                ["kernel_change", "kernel_distance"]
                    .iter()
                    .filter_map(|k| self.series(k))
                    .collect(),
            )
            .log_y()
            // The kernel distance at init is 1 − cos of a kernel with itself:
            // rounding leaves ~1e-16, which would stretch the axis 14 decades.
            .y_floor(1e-12)
            .info(INFO_K_CHANGE),
        );
        if self.lin.is_some() {
            charts.push(
                Chart::lines(
                    "linearised",
                    "Distance to the linearised model",
                    "step",
                    "RMS(g − g_lin) on test",
                    self.series("lin_rms").into_iter().collect(),
                )
                .log_y()
                .info(INFO_LIN),
            );
        }
        charts.push(
            Chart::lines(
                "dimension",
                "Participation ratio of the hidden layers",
                "step",
                "PR = (Σλ)²/Σλ²",
                self.series_matching("pr_"),
            )
            .info(INFO_PR),
        );
        if self.data.labels.is_some() {
            charts.push(
                Chart::lines(
                    "collapse",
                    "Neural collapse",
                    "step",
                    "NC metric",
                    self.series_matching("nc")
                        .into_iter()
                        .filter(|s| s.y.iter().any(|v| v.is_finite()))
                        .collect(),
                )
                // NC4 reaches exactly 0 (no test point nearer another
                // class mean): symlog shows it, and the others' decades.
                .symlog_y()
                .info(INFO_NC1),
            );
        }
        if let (Some(opts), Some(cap)) = (&self.s.glue, self.series("glue_capacity")) {
            charts.push(
                Chart::lines(
                    "glue-capacity",
                    "Manifold capacity of the last hidden layer (GLUE)",
                    "step",
                    "α",
                    vec![cap],
                )
                .info(&format!(
                    "{INFO_GLUE_CAPACITY} Settings: {}.",
                    opts.describe()
                )),
            );
            charts.push(
                Chart::lines(
                    "glue-geometry",
                    "Effective geometry of the task manifolds (GLUE)",
                    "step",
                    "R, D, Ψ",
                    ["glue_radius", "glue_dimension", "glue_utility"]
                        .iter()
                        .filter_map(|k| self.series(k))
                        .collect(),
                )
                .log_y()
                .info(&format!(
                    "{INFO_GLUE_RADIUS} {INFO_GLUE_DIMENSION} {INFO_GLUE_UTILITY} Settings: {}.",
                    opts.describe()
                )),
            );
        }
        if self.data.train_context.is_some() && self.s.net.activation == Activation::Relu {
            charts.push(
                Chart::lines(
                    "units",
                    "Context-selective units (last hidden layer)",
                    "step",
                    "units",
                    ["exclusive_units", "dead_units"]
                        .iter()
                        .filter_map(|k| self.series(k))
                        .collect(),
                )
                .info(INFO_EXCL),
            );
        }
        charts.extend(self.state_charts());
        charts
    }

    /// The charts of the current state: PCA of the last hidden layer at init
    /// and now, its RDM, and the tangent kernel.
    fn state_charts(&self) -> Vec<Chart> {
        let mut charts = Vec::new();
        let hidden = self.net.forward(&self.x_probe).hidden;
        let (Some(h), Some(h0)) = (hidden.last(), self.h0_probe.last()) else {
            return charts;
        };
        let groups = self.probe_groups();
        for (id, title, m) in [
            ("pca-init", "Hidden layer at init (top 2 PCs)", h0),
            ("pca-now", "Hidden layer now (top 2 PCs)", h),
        ] {
            let scores = dimensionality::pca_project(m, 2);
            let series = groups
                .iter()
                .map(|(name, rows)| Series {
                    dashed: false,
                    name: name.clone(),
                    x: rows
                        .iter()
                        .map(|&r| scores.get((r, 0)).copied().unwrap_or(0.0))
                        .collect(),
                    y: rows
                        .iter()
                        .map(|&r| scores.get((r, 1)).copied().unwrap_or(0.0))
                        .collect(),
                })
                .collect();
            charts.push(Chart::scatter(id, title, "PC 1", "PC 2", series).info(INFO_PCA));
        }
        let rdm = lr::rdm(h);
        charts.push(
            Chart::heatmap(
                "rdm",
                "Representational dissimilarity (last hidden layer)",
                "probe sample",
                "probe sample",
                Heatmap {
                    // 1 − r lies in [0, 2].
                    value_range: Some([0.0, 2.0]),
                    ..Heatmap::new(rdm.nrows(), rdm.ncols(), row_major(&rdm), "1 − Pearson r")
                },
            )
            .info(INFO_RDM),
        );
        let k = self.net.tangent_kernel(&self.x_probe);
        charts.push(
            Chart::heatmap(
                "ntk",
                "Tangent kernel now",
                "probe sample",
                "probe sample",
                Heatmap::new(k.nrows(), k.ncols(), row_major(&k), "K(x, x′)"),
            )
            .info(INFO_K_CHANGE),
        );
        charts
    }

    /// Probe rows grouped for colouring: by class, by context, or by the
    /// sign of the target.
    fn probe_groups(&self) -> Vec<(String, Vec<usize>)> {
        if let Some(labels) = &self.data.labels {
            return (0..labels.n_classes)
                .map(|c| {
                    (
                        format!("class {}", c + 1),
                        (0..self.probe.len())
                            .filter(|&r| labels.train[self.probe[r]] == c)
                            .collect(),
                    )
                })
                .collect();
        }
        if let Some(ctx) = &self.data.train_context {
            return ["context A", "context B"]
                .iter()
                .enumerate()
                .map(|(c, name)| {
                    (
                        name.to_string(),
                        (0..self.probe.len())
                            .filter(|&r| ctx[self.probe[r]] == c)
                            .collect(),
                    )
                })
                .collect();
        }
        vec![
            (
                "y > 0".into(),
                (0..self.probe.len())
                    .filter(|&r| self.y_probe[(r, 0)] > 0.0)
                    .collect(),
            ),
            (
                "y ≤ 0".into(),
                (0..self.probe.len())
                    .filter(|&r| self.y_probe[(r, 0)] <= 0.0)
                    .collect(),
            ),
        ]
    }
}

/// The self-supervised demo: the objective, how views are made, and a
/// supervised twin (same shape, MSE on the latents) trained beside the
/// network on the same minibatches, for comparison.
struct SelfSupervised {
    objective: Objective,
    temperature: f64,
    view: ViewKind,
    strength: f64,
    view_rng: Rng,
    /// A fixed pair of views on which the loss is recorded.
    eval_views: (DMatrix<f64>, DMatrix<f64>),
    twin: Mlp,
    twin_opt: Sgd,
}

impl SelfSupervised {
    fn new(objective: Objective, s: &Settings, config: &LabConfig, ld: &LatentData) -> Self {
        let view = match config.choice("view").as_str() {
            "jitter" => ViewKind::Jitter,
            "noise" => ViewKind::Noise,
            _ => ViewKind::Nuisance,
        };
        let strength = config.num("view_strength");
        let rows: Vec<usize> = (0..ld.x_train.nrows().min(SSL_EVAL_ROWS)).collect();
        let eval_views = ld.views(&rows, view, strength, &mut Rng::fork(config.seed, 5));
        let mut twin_spec = s.net.clone();
        let last = twin_spec.sizes.len() - 1;
        twin_spec.sizes[last] = ld.k_latents();
        SelfSupervised {
            objective,
            temperature: config.num("temperature"),
            view,
            strength,
            view_rng: Rng::fork(config.seed, 4),
            eval_views,
            twin: Mlp::new(twin_spec, &mut Rng::fork(config.seed, 6)),
            twin_opt: Sgd::new(config.num("twin_lr"), s.momentum, s.weight_decay),
        }
    }

    /// One step of the network on fresh views of the batch rows, and one
    /// supervised step of the twin on the same rows. Returns the network's loss.
    fn step(
        &mut self,
        net: &mut Mlp,
        opt: &mut Sgd,
        ld: &LatentData,
        data: &Dataset,
        batch: &[usize],
    ) -> f64 {
        let (v1, v2) = ld.views(batch, self.view, self.strength, &mut self.view_rng);
        let loss = contrastive::ssl_step(net, opt, &v1, &v2, self.objective, self.temperature);
        let xb = select_rows(&data.x_train, batch);
        let yb = select_rows(&data.y_train, batch);
        let fwd = self.twin.forward(&xb);
        let (twin_loss, d_out) = loss_and_grad(fwd.output(), &yb, false);
        if twin_loss.is_finite() {
            let grads = self.twin.backward(&xb, &fwd, &d_out);
            self.twin_opt.step(&mut self.twin, &grads);
        }
        loss
    }

    /// The objective on the fixed evaluation views.
    fn eval_loss(&self, net: &Mlp) -> f64 {
        let (e1, e2) = (
            net.forward(&self.eval_views.0),
            net.forward(&self.eval_views.1),
        );
        match self.objective {
            Objective::InfoNce => {
                contrastive::info_nce(e1.output(), e2.output(), self.temperature).0
            }
            Objective::Invariance => contrastive::invariance_loss(e1.output(), e2.output()).0,
        }
    }

    fn loss_label(&self) -> &'static str {
        match self.objective {
            Objective::InfoNce => "InfoNCE loss",
            Objective::Invariance => "VICReg loss",
        }
    }
}

impl Lab for LazyRich {
    fn step(&mut self, n: u64) -> Result<(), LabError> {
        if let Some(reason) = &self.stopped {
            return Err(LabError::Diverged {
                step: self.step,
                detail: reason.clone(),
            });
        }
        for _ in 0..n {
            if self.step >= self.s.steps {
                break;
            }
            let loss = self.train_step();
            self.step += 1;
            if !loss.is_finite() {
                let detail = format!("the training loss is {loss}; try a smaller learning rate η");
                self.stopped = Some(detail.clone());
                return Err(LabError::Diverged {
                    step: self.step,
                    detail,
                });
            }
            if self.schedule.get(self.next_record) == Some(&self.step) {
                self.record();
            }
        }
        Ok(())
    }

    fn steps_done(&self) -> u64 {
        self.step
    }

    /// Steps and records ([`Costs`]). The record at construction is not
    /// counted (it is part of building the lab), so `next_record − 1` of the
    /// schedule's records are done.
    fn work(&self) -> Work {
        let records = |n: usize| n.saturating_sub(1) as f64 * self.costs.record;
        Work {
            done: self.step as f64 * self.costs.step + records(self.next_record),
            total: self.s.steps as f64 * self.costs.step + records(self.schedule.len()),
        }
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
        let metrics = self
            .traces
            .iter()
            .map(|t| Metric {
                key: t.key.clone(),
                label: t.label.clone(),
                value: t.values.last().copied().unwrap_or(f64::NAN),
                info: match (&self.lin_diverged, t.key.as_str()) {
                    (Some(why), "lin_rms" | "lin_train_loss") => {
                        format!("{} NaN: {why}.", t.info)
                    }
                    _ => t.info.to_string(),
                },
            })
            .collect();
        Snapshot {
            lab: NAME.into(),
            step: self.step,
            total_steps: self.s.steps,
            done: self.is_done(),
            stopped: self
                .stopped
                .as_ref()
                .map(|d| format!("stopped at step {}: {d}", self.step)),
            metrics,
            charts: self.charts(),
            hash: String::new(),
        }
    }
}

/// The linearised twin counts as diverged when its (minibatch) training
/// loss passes this multiple of its loss at init. Past its stability bound a
/// linear model's loss grows geometrically and would take hundreds of steps
/// more to overflow, squashing the loss chart on the way; within the bound
/// GD never raises it above the start, and heavy-ball momentum μ ≤ 0.99 only
/// by a transient factor of order 1/(1 − μ)².
const LIN_DIVERGED_FACTOR: f64 = 1e6;

/// σ of the node and weight perturbation rules.
const PERTURBATION_SIGMA: f64 = 1e-3;

/// Full-batch GD stability of the linearised model on the MSE: its training
/// residual follows r ← (I − η α² (2/n) K₀) r (for the η actually applied
/// to the weights, η/α² or η), so it diverges when η·α²·λ_max(K₀)·2/n
/// exceeds 2, or 2(1 + μ) with heavy-ball momentum μ (Lee et al. 2019;
/// Lewkowycz et al. 2020). Returns the figure, the bound and the formula
/// as written for these settings. For minibatch SGD n is the batch size
/// and the figure is an estimate from the full kernel.
fn lin_stability(s: &Settings, lin: &Linearised, n_train: usize) -> (f64, f64, String) {
    let n = if s.sgd { s.batch.min(n_train) } else { n_train };
    let eta_alpha2 = s.effective_lr() * s.alpha * s.alpha;
    let figure = eta_alpha2 * lin.lambda_max() * 2.0 / n as f64;
    let formula = if s.lr_over_alpha2 || s.alpha == 1.0 {
        "η·λ_max(K₀)·2/n"
    } else {
        "η·α²·λ_max(K₀)·2/n"
    };
    (figure, 2.0 * (1.0 + s.momentum), formula.to_string())
}

/// "the linearised model diverges at this learning rate: η·λ_max(K₀)·2/n = 2.76 > 2".
fn lin_divergence_note(figure: f64, bound: f64, formula: &str) -> String {
    let mut note = "the linearised model diverges at this learning rate".to_string();
    if figure.is_finite() {
        let relation = if figure > bound { ">" } else { "≤" };
        let bound_text = if bound == 2.0 {
            "2".to_string()
        } else {
            format!("2(1 + μ) = {bound:.2}")
        };
        note.push_str(&format!(
            ": {formula} = {figure:.2} {relation} {bound_text}"
        ));
    }
    note.push_str("; its distance RMS(g − g_lin) is NaN from then on, and the network trains on");
    note
}

/// The loss and ∂L/∂g. MSE: L = mean over samples and outputs of (g − y)²
/// (torch.nn.MSELoss). Cross-entropy: L = −(1/n) Σ_i log softmax(g_i)_{y_i}.
fn loss_and_grad(g: &DMatrix<f64>, y: &DMatrix<f64>, cross_entropy: bool) -> (f64, DMatrix<f64>) {
    let n = g.nrows().max(1) as f64;
    if cross_entropy {
        let mut grad = DMatrix::zeros(g.nrows(), g.ncols());
        let mut loss = 0.0;
        for i in 0..g.nrows() {
            let row = g.row(i);
            let m = row.max();
            let z: f64 = row.iter().map(|&v| libm::exp(v - m)).sum();
            let log_z = m + libm::log(z);
            for c in 0..g.ncols() {
                let p = libm::exp(g[(i, c)] - log_z);
                grad[(i, c)] = (p - y[(i, c)]) / n;
                loss -= y[(i, c)] * (g[(i, c)] - log_z);
            }
        }
        (loss / n, grad)
    } else {
        let count = (g.nrows() * g.ncols()).max(1) as f64;
        let diff = g - y;
        let loss = diff.iter().map(|d| d * d).sum::<f64>() / count;
        (loss, diff * (2.0 / count))
    }
}

/// The per-sample terms of [`loss_and_grad`]'s loss (they sum to it).
fn per_sample_loss(g: &DMatrix<f64>, y: &DMatrix<f64>, cross_entropy: bool) -> Vec<f64> {
    let n = g.nrows().max(1) as f64;
    if cross_entropy {
        (0..g.nrows())
            .map(|i| {
                let row = g.row(i);
                let m = row.max();
                let z: f64 = row.iter().map(|&v| libm::exp(v - m)).sum();
                let log_z = m + libm::log(z);
                let mut l = 0.0;
                for c in 0..g.ncols() {
                    l -= y[(i, c)] * (g[(i, c)] - log_z);
                }
                l / n
            })
            .collect()
    } else {
        let count = (g.nrows() * g.ncols()).max(1) as f64;
        (0..g.nrows())
            .map(|i| {
                let mut l = 0.0;
                for c in 0..g.ncols() {
                    let d = g[(i, c)] - y[(i, c)];
                    l += d * d;
                }
                l / count
            })
            .collect()
    }
}

/// Fraction of rows whose argmax is the label.
fn accuracy(g: &DMatrix<f64>, labels: &[usize]) -> f64 {
    let hits = (0..g.nrows())
        .filter(|&i| g.row(i).transpose().argmax().0 == labels[i])
        .count();
    hits as f64 / g.nrows().max(1) as f64
}

/// Fraction of nonzero targets whose sign the output gets right (the
/// accept/reject decision of the two-context task).
fn sign_accuracy(g: &DMatrix<f64>, y: &DMatrix<f64>) -> f64 {
    let rows: Vec<usize> = (0..y.nrows()).filter(|&i| y[(i, 0)] != 0.0).collect();
    let hits = rows
        .iter()
        .filter(|&&i| (g[(i, 0)] > 0.0) == (y[(i, 0)] > 0.0))
        .count();
    hits as f64 / rows.len().max(1) as f64
}

/// The rows used for kernel and representation metrics: up to
/// [`PROBE_POINTS`] training rows, ordered by class, context or target so
/// that heatmaps show block structure.
fn probe_rows(data: &Dataset) -> Vec<usize> {
    let n = data.x_train.nrows();
    let mut rows: Vec<usize> = if n <= PROBE_POINTS {
        (0..n).collect()
    } else {
        // Evenly spaced rows: deterministic and class-balanced for the
        // interleaved mixture.
        (0..PROBE_POINTS).map(|i| i * n / PROBE_POINTS).collect()
    };
    let key = |r: usize| -> (usize, f64) {
        if let Some(l) = &data.labels {
            (l.train[r], 0.0)
        } else if let Some(c) = &data.train_context {
            (c[r], data.y_train[(r, 0)])
        } else {
            (0, data.y_train[(r, 0)])
        }
    };
    crate::sort::sort_by(&mut rows, &|&a, &b| {
        let (ka, kb) = (key(a), key(b));
        ka.0.cmp(&kb.0).then(ka.1.total_cmp(&kb.1)).then(a.cmp(&b))
    });
    rows
}

/// The step numbers at which metrics are recorded: step 0, about 60
/// evenly spaced steps, and about 40 log-spaced ones (for log-x reading), up
/// to and including the last step. Recording (tangent kernel, decoders) costs
/// far more than a step, so this bounds a run's overhead.
fn record_schedule(total: u64) -> Vec<u64> {
    const LINEAR: u64 = 60;
    const LOG: i32 = 40;
    let mut s: Vec<u64> = (1..=LINEAR).map(|i| (total * i).div_ceil(LINEAR)).collect();
    if total > 1 {
        let lt = libm::log(total as f64);
        s.extend((0..LOG).map(|i| libm::round(libm::exp(lt * i as f64 / (LOG - 1) as f64)) as u64));
    }
    s.push(total);
    s.retain(|&v| v >= 1 && v <= total);
    s.sort_unstable();
    s.dedup();
    s
}

/// GLUE's manifolds of a classification task: one per class (the
/// mixture), or one per (context, sign of the reward) over the training
/// stimuli whose reward is not 0 (the two-context task); none otherwise.
fn glue_classes(data: &Dataset) -> Vec<(String, Vec<usize>)> {
    if let Some(labels) = &data.labels {
        return (0..labels.n_classes)
            .map(|c| {
                let rows = (0..labels.train.len())
                    .filter(|&i| labels.train[i] == c)
                    .collect();
                (format!("class {c}"), rows)
            })
            .collect();
    }
    let Some(ctx) = &data.train_context else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, name) in ["A", "B"].iter().enumerate() {
        for (sign, word) in [(1.0, "accept"), (-1.0, "reject")] {
            let rows: Vec<usize> = (0..ctx.len())
                .filter(|&i| ctx[i] == k && data.y_train[(i, 0)] * sign > 0.0)
                .collect();
            out.push((format!("context {name} {word}"), rows));
        }
    }
    out
}

/// `k` distinct indices from 0..n, by a partial Fisher–Yates shuffle.
fn partial_permutation(rng: &mut Rng, n: usize, k: usize) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    for i in 0..k.min(n) {
        let j = i + rng.below(n - i);
        p.swap(i, j);
    }
    p.truncate(k);
    p
}

/// min(n, k) indices spread evenly over 0..n (all of them when k ≥ n).
fn evenly_spaced(n: usize, k: usize) -> Vec<usize> {
    if k >= n {
        (0..n).collect()
    } else {
        (0..k).map(|i| i * n / k).collect()
    }
}

fn select_rows(m: &DMatrix<f64>, rows: &[usize]) -> DMatrix<f64> {
    DMatrix::from_fn(rows.len(), m.ncols(), |i, j| m[(rows[i], j)])
}

fn row_major(m: &DMatrix<f64>) -> Vec<f64> {
    m.transpose().as_slice().to_vec()
}

const INFO_SSL_LOSS: &str = "The self-supervised objective on a fixed pair of views of 256 training samples: symmetric InfoNCE with normalised embeddings and temperature τ (Oord et al. 2018; Chen et al. 2020), or VICReg's invariance + variance + covariance terms, weights 25/25/1 (Bardes et al. 2022).";
const INFO_R2: &str = "Linear decodability of each latent from the last hidden layer on held-out samples: 5-fold cross-validated ridge regression (λ = 0.01), R² = 1 − SS_res/SS_tot over the pooled held-out predictions. The value at step 0 is the network at init.";
const INFO_R2_NUISANCE: &str = "Cross-validated R² of the nuisance latent, which the views do not share: an invariance objective should discard it.";
const INFO_R2_TWIN: &str = "The same decoding for a twin network of the same shape trained by MSE to predict the latents, on the same minibatches.";
const INFO_LOSS: &str = "MSE = mean over samples and outputs of (g − y)² (as torch.nn.MSELoss); cross-entropy = −mean log softmax(g)_y. g is the model output α·(f(w) − f(w₀)) or α·f(w).";
const INFO_ACC: &str = "Fraction of samples whose largest output is the true class.";
const INFO_SIGN_ACC: &str = "Fraction of stimuli with nonzero reward whose output has the reward's sign (accept vs reject; Flesch et al. 2022).";
const INFO_DW: &str = "‖W_l − W_l(0)‖_F / ‖W_l(0)‖_F per layer. Lazy networks solve the task with tiny changes; rich ones change every layer (Farrell et al. 2023; Flesch et al. 2022).";
const INFO_ALPHA_DW: &str = "α·‖w − w₀‖/‖w₀‖ over all parameters. In the lazy limit (large α, lr η/α²) it is constant in α (Chizat, Oyallon & Bach 2019).";
const INFO_K_CHANGE: &str = "Empirical tangent kernel K(x,x′) = ⟨∇_w f(x), ∇_w f(x′)⟩ on the probe set (Jacot et al. 2018). Relative change ‖K_t − K₀‖_F/‖K₀‖_F.";
const INFO_K_DIST: &str = "Kernel distance 1 − ⟨K_t, K₀⟩_F/(‖K_t‖_F‖K₀‖_F) (Fort et al. 2020).";
const INFO_KTA: &str = "Centred kernel–target alignment ⟨HKH, HYYᵀH⟩_F/(‖HKH‖_F‖HYYᵀH‖_F), H = I − 11ᵀ/n (Cortes et al. 2012). Rich learning aligns the kernel to the task.";
const INFO_CKA: &str = "Linear CKA between the hidden layer at init and now: ‖YᵀX‖_F²/(‖XᵀX‖_F‖YᵀY‖_F) with centred columns (Kornblith et al. 2019). Near 1: the representation kept its geometry (lazy).";
const INFO_PR: &str = "Participation ratio (Σλ)²/Σλ² of the centred covariance eigenvalues of a hidden layer (Gao et al. 2017), on R = min(n_train, max(4 × width, 64)) evenly spaced training inputs. 1 ≤ PR ≤ min(R − 1, N) for N units; isotropic activity gives about (R − 1)N/(R + N), not N (80% of N at R = 4N). Rich learning compresses (Farrell et al. 2023).";
const INFO_LIN: &str = "RMS over test points of g_net − g_lin, where f_lin(w) = f(w₀) + J₀(w − w₀) is trained on its own residuals with the same loss, optimiser and batches (Lee et al. 2019). → 0 in the lazy limit. Under full-batch GD the linearised model diverges when η·α²·λ_max(K₀)·2/n > 2 (with momentum μ: 2(1 + μ)); the network may survive such a step by leaving the linear regime (Lewkowycz et al. 2020), and this distance is then NaN.";
const INFO_LIN_LOSS: &str = "Training MSE of the linearised model f(w₀) + J₀(w − w₀), trained on its own residuals (Lee et al. 2019). With the learning rate η/α² and the centred output it does not depend on α (Chizat et al. 2019). NaN once it diverges.";
const INFO_EXCL: &str = "Task-exclusive units of the last hidden layer, as in Flesch et al. 2022's code (compute_sparsity_stats in summerfieldlab/Flesch_etal_Neuron, Simulations/utils/eval.py): a unit's mean ReLU activity over a context's 25 training stimuli is exactly 0 in one context and > 0 in the other. For ReLU a mean of exactly 0 means silent for every stimulus, so no tolerance is needed; their code's slice 25:-1 omits the last stimulus of context B, here all 25 count. Shown for ReLU only. Rich learning makes many units context-exclusive.";
const INFO_DEAD: &str = "Units whose ReLU activity is exactly 0 for every stimulus of both contexts (n_dead in Flesch et al. 2022's code).";
const INFO_NC1: &str = "NC1 = Tr(Σ_W Σ_B⁺)/C: within-class variability relative to between-class (Papyan, Han & Donoho 2020; the paper's Colab omits /C). NC2–NC4: see each metric's ⓘ.";
const INFO_NC2N: &str = "Equinorm: std/mean of ‖μ_c − μ_G‖ over classes, or of the classifier rows' norms (Papyan et al. 2020; std with C − 1, as torch.std in the paper's Colab).";
const INFO_NC2A: &str = "Equiangularity: mean over c ≠ c′ of |cos(μ_c − μ_G, μ_c′ − μ_G) + 1/(C−1)|, or the same for the classifier rows (Papyan et al. 2020).";
const INFO_NC2_TWO: &str = "Not defined for 2 classes: μ_G is the midpoint of the two class means, so the centred means are μ̃₁ = −μ̃₂ exactly; their norms are equal and their cosine is −1 = −1/(C−1) by construction, at init as at collapse. Shown as NaN, not as perfect collapse (Papyan et al. 2020 use C ≥ 10). The classifier's NC2 is still defined.";
const INFO_NC3: &str = "Self-duality: ‖Wᵀ/‖W‖_F − M̃/‖M̃‖_F‖_F² between the classifier and the centred class means (Papyan et al. 2020).";
const INFO_NC4: &str = "Fraction of training samples where the network's decision differs from the nearest-class-mean decision (Papyan et al. 2020).";
const INFO_GLUE_CAPACITY: &str = "GLUE capacity α = P/E[a] of the last hidden layer's task manifolds, a = ‖t − v*‖² from one joint QP over all manifolds per Gaussian sample t and random labels y (Chou et al., bioRxiv 2024; Chou, Le, Wang & Chung, ICML 2025, Algorithm 2). Chou et al.: it rises as a network learns task-relevant features (rich), and stays at its initial value in the lazy regime.";
const INFO_GLUE_SE: &str = "Monte Carlo standard error of the GLUE capacity, α·sd(a)/(√n_t·E[a]). Every record uses the same samples, so changes over training are far more precise than this.";
const INFO_GLUE_GAIN: &str = "α(now)/α(init) − 1: the GLUE capacity's relative gain since step 0 (the sweep's measure of how far training untangled the task manifolds).";
const INFO_GLUE_RADIUS: &str = "GLUE effective radius √(E[c]/E[b − c]) from the anchor points' axis parts (arXiv 2603.01879, B.3).";
const INFO_GLUE_DIMENSION: &str = "GLUE effective dimension E[b]/P.";
const INFO_GLUE_UTILITY: &str = "GLUE effective utility E[c]/E[a]; α = Ψ(1 + R⁻²)/D exactly.";
const INFO_PCA: &str = "The probe samples' last-hidden-layer activity projected on its own top two principal components.";
const INFO_RDM: &str = "Representational dissimilarity matrix: 1 − Pearson correlation between the hidden patterns of two probe samples (Kriegeskorte et al. 2008).";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_is_sorted_and_ends_at_total() {
        for total in [1u64, 2, 7, 100, 2000, 100_000] {
            let s = record_schedule(total);
            assert_eq!(*s.last().unwrap(), total);
            assert!(s.windows(2).all(|w| w[0] < w[1]));
            assert!(s.len() <= 101);
        }
    }

    #[test]
    fn cross_entropy_gradient_matches_finite_difference() {
        let g = DMatrix::from_row_slice(2, 3, &[0.1, -0.4, 0.7, 1.2, 0.3, -0.2]);
        let y = DMatrix::from_row_slice(2, 3, &[0.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
        let (_, grad) = loss_and_grad(&g, &y, true);
        for idx in 0..6 {
            let mut p = g.clone();
            p[idx] += 1e-6;
            let mut m = g.clone();
            m[idx] -= 1e-6;
            let fd = (loss_and_grad(&p, &y, true).0 - loss_and_grad(&m, &y, true).0) / 2e-6;
            assert!((fd - grad[idx]).abs() < 1e-8);
        }
    }
}
