//! The manifold-capacity lab (Chung, Lee & Sompolinsky, PRX 2018; Cohen,
//! Chung, Lee & Sompolinsky, Nat Commun 2020; Kuoch, Chung et al.,
//! task-dependent manifolds).
//!
//! An MLP is trained with cross-entropy on a classification task whose
//! classes are manifolds: the UCI handwritten digits (Alpaydin & Kaynak
//! 1998, CC BY 4.0; the copy scikit-learn ships, embedded by
//! [`crate::data::digits`]), Gaussian clouds, spheres, points, or
//! nuisance-transformed prototypes. At a few training stages (the first is
//! the untrained network, random weights) the lab reads the representation
//! of a fixed analysis set in every layer (input, each hidden layer,
//! output), with each class a manifold, and measures there by MFTMA
//! ([`crate::metrics::capacity`]) the capacity α, mean radius R_M, mean
//! dimension D_M, centre correlation ρ_c and rank K, and the three
//! alignments ([`crate::metrics::alignment`]), and by GLUE
//! ([`crate::metrics::capacity::glue`], Chou et al. 2024/2025) the capacity
//! of the manifolds with their correlations and its effective radius,
//! dimension and utility, drawn beside MFTMA per layer. Optionally the simulated
//! capacity (random projections and dichotomies) checks the theory on one
//! layer, and on points and spheres the analytic formulas do.
//!
//! Steps: one lab step is one SGD step or one unit of analysis (one CG run
//! of the centre search, one manifold, the participation ratio, the
//! alignments, [`GLUE_UNITS_PER_STEP`] units of GLUE, or one separability
//! check of the simulation). Each (stage, layer) analysis (and the simulation) has a fixed
//! budget of units, an upper bound on what MFTMA needs (the centre search
//! may stop early: the rest of the budget is empty steps), so the total is
//! known up front, and `step(a); step(b)` equals `step(a + b)`: the MFTMA job
//! does not depend on how it is chunked. Every analysis uses the same MFTMA
//! seed (the lab's seed), so layers and stages are compared with the same
//! Gaussian samples.
//!
//! Objectives (`objective`): supervised cross-entropy, or a self-supervised
//! objective on two views of each sample ([`crate::nn::contrastive`]:
//! InfoNCE or VICReg), with the network's output as the embedding. The
//! untrained stage is the same network whatever the objective (same seed,
//! same weights), so runs with different objectives share their first stage
//! and differ only by training. The credit rule (`rule`) delivers the
//! objective's output error to the hidden layers in either case.
//!
//! RNG streams: data [`STREAM_DATA`], weights [`STREAM_INIT`], minibatches
//! [`STREAM_TRAIN`], feedback matrices [`STREAM_FEEDBACK`], views
//! [`STREAM_VIEWS`].
//!
//! Formulas and oracles: `../shared/SCIENCE.md` §3.

use nalgebra::DMatrix;

use super::references;
use crate::config::LabConfig;
use crate::data::{digits, haxby, manifolds};
use crate::labs::{Lab, LabError, LabSpec, Preset, StepUnit};
use crate::metrics::alignment::{alignment, Alignment};
use crate::metrics::capacity::glue::{self, Centring, GlueJob, GlueOptions, GlueResult, LabelRule};
use crate::metrics::capacity::simulated::{
    max_checks, SimulatedCapacity, SimulatedJob, SimulatedOptions,
};
use crate::metrics::capacity::theory::{ball_capacity, gardner_capacity};
use crate::metrics::capacity::{MftmaJob, MftmaOptions, MftmaResult};
use crate::nn::contrastive::{self, Objective};
use crate::nn::credit::{Cost, Credit, Rule};
use crate::nn::optimizer::Sgd;
use crate::nn::{Activation, Mlp, MlpSpec, Parametrisation};
use crate::params::ParamSpec;
use crate::rng::Rng;
use crate::snapshot::{Chart, ChartBody, Heatmap, Metric, Overlay, Series, Snapshot};

/// The lab's name in URLs.
pub const NAME: &str = "capacity";

/// The stream of the synthetic data sets.
pub const STREAM_DATA: u64 = 1;
/// The stream of the initial weights.
pub const STREAM_INIT: u64 = 2;
/// The stream of the minibatch indices.
pub const STREAM_TRAIN: u64 = 3;
/// The stream of the feedback matrices (FA, DFA).
pub const STREAM_FEEDBACK: u64 = 4;
const STREAM_NOISE: u64 = 5;
/// The stream of the self-supervised views (translations and noise).
pub const STREAM_VIEWS: u64 = 6;
/// The stream of the shared centre directions (`centre_corr` > 0).
pub const STREAM_CENTRES: u64 = 7;

/// GLUE job units (one QP each, or a pass over one sample) per lab step.
pub const GLUE_UNITS_PER_STEP: usize = 8;

/// The lab's parameters, in control-panel order.
pub fn spec() -> LabSpec {
    LabSpec {
        name: NAME.into(),
        title: "Manifold capacity".into(),
        summary: "How linearly separable are a network's class manifolds, layer by layer, before and \
                  after training? Mean-field manifold analysis (MFTMA) gives the capacity α (classes \
                  per dimension a linear readout can separate), the manifolds' radius and dimension, \
                  and their centres' correlation; alignments say how the manifolds are oriented to \
                  each other (Chung, Lee & Sompolinsky 2018; Cohen et al. 2020; Kuoch, Chung et al.). \
                  Real data: the UCI handwritten digits (Alpaydin & Kaynak 1998, CC BY 4.0), 1,797 \
                  images of 8 × 8 pixels, as shipped with scikit-learn; and a human fMRI recording, \
                  ventral temporal cortex viewing 8 object categories (Haxby et al. 2001, Science \
                  293:2425; the subset shipped with PyMVPA, Hanke et al. 2009; CC BY-SA 3.0), analysed \
                  with no network beside the same volumes with shuffled labels."
            .into(),
        params: vec![
            ParamSpec::choice(
                "task",
                "Task",
                &[
                    ("digits", "Handwritten digits (UCI, 8×8)"),
                    ("haxby", "Human ventral temporal cortex, fMRI (Haxby 2001)"),
                    ("clouds", "Gaussian clouds"),
                    ("spheres", "Spheres"),
                    ("points", "Points"),
                    ("prototypes", "Shifted, scaled prototypes"),
                ],
                "digits",
            )
            .group("Task")
            .help("Digits: 1,797 UCI images (Alpaydin & Kaynak 1998, CC BY 4.0), 10 classes, pixels/16. Clouds: x = c + (R/√N) g. Spheres: points on a D-dim sphere of radius R around a random centre c (‖c‖ ≈ 1). Points: R = 0 (the Gardner limit). Prototypes: a smooth random pattern per class, cyclically shifted by up to ±3, scaled by 0.7–1.3, plus a background shared by all classes at a random amplitude, plus noise of std R/√N. Haxby: no network and no training: the 8 object categories (face, house, shoe, cat, scissors, scrambledpix, bottle, chair) of Haxby et al. 2001 (Science 293:2425), subject 1 as PyMVPA ships it, 530 ventral-temporal voxels z-scored within each run, the first M of the 108 volumes of each category; beside it the same volumes with their labels shuffled (chance geometry)."),
            ParamSpec::integer("classes", "Classes P", 2, 40, 10).group("Task").help("Manifolds of the synthetic tasks (the digits have 10)."),
            ParamSpec::integer("samples", "Points per class M", 2, 170, 50)
                .group("Task")
                .help("Points per manifold in the analysis (the first M images of each digit). The synthetic tasks also train on them."),
            ParamSpec::integer("dim", "Ambient dimension N", 2, 500, 100).group("Task").help("Input dimension of the synthetic tasks (the digits have 64)."),
            ParamSpec::number("radius", "Radius R", 0.0, 10.0, 1.0).group("Task").help("Radius of the clouds and spheres (centres have norm ≈ 1); noise of the prototypes."),
            ParamSpec::integer("manifold_dim", "Sphere dimension D", 1, 50, 2).group("Task").help("Dimension of each sphere."),
            ParamSpec::integer("projection", "Random projection (Haxby)", 0, 530, 0).group("Task").help("Haxby only: also analyse the voxels through a random Gaussian projection to this many dimensions, x·G with G_ij ~ N(0, 1/d) (a third layer, 'projected'); 0: off."),
            ParamSpec::number("centre_corr", "Centre correlation ρ", 0.0, 0.99, 0.0).group("Task").help("Clouds, spheres and points: each class is moved rigidly so that its centre becomes √ρ·u + √(1 − ρ)·c, u a direction shared by its group (src/data/manifolds.rs, correlate_centres). 0: centres as drawn (nearly orthogonal)."),
            ParamSpec::integer("centre_groups", "Centre groups", 1, 40, 1).group("Task").help("Classes μ and μ + G share their centre direction u (G groups). 1: every centre shares one direction (rank 1, what MFTMA's centre search removes); G > 1: pairs, triples… of correlated classes, a rank-G structure."),
            ParamSpec::integer("depth", "Hidden layers", 1, 4, 2).group("Network").help("ReLU hidden layers (NTK scaling, He-normal weights)."),
            ParamSpec::integer("width", "Width", 2, 512, 100).unit("units").group("Network"),
            ParamSpec::choice("rule", "Learning rule", &Rule::options(), "bp")
            .group("Training")
            .help("How the output error (of the cross-entropy, or of the self-supervised objective) reaches the hidden layers (src/nn/credit). Node and weight perturbation estimate the gradient from one extra perturbed forward pass (σ = 0.001) and need a smaller η; under any rule but backprop the capacity describes what that rule made of the layers."),
            ParamSpec::choice(
                "objective",
                "Objective",
                &[
                    ("supervised", "Supervised (cross-entropy on the labels)"),
                    ("infonce", "Self-supervised: InfoNCE"),
                    ("invariance", "Self-supervised: VICReg"),
                ],
                "supervised",
            )
            .group("Training")
            .help("Self-supervised objectives never see a label: the same MLP (its output is the embedding) is trained so that two views of each training sample agree, by symmetric InfoNCE at temperature τ (Oord et al. 2018; Chen et al. 2020) or VICReg's invariance + variance + covariance terms (Bardes et al. 2022); src/nn/contrastive.rs. Views: digits: the 8×8 image translated by dx, dy each uniform in {−1, 0, 1} pixel, zero fill, plus N(0, σ_v²) per pixel (pixels in [0, 1]); prototypes: the input vector cyclically shifted by −1, 0 or +1, plus N(0, σ_v²) per feature; clouds, spheres, points: N(0, σ_v²) per feature only (features have unit scale). A view never resamples the class manifold (that would leak the labels)."),
            ParamSpec::log_number("lr", "Learning rate η", 1e-4, 2.0, 0.1).group("Training").help("SGD with momentum 0.9."),
            ParamSpec::integer("batch", "Batch size", 1, 512, 64).unit("samples").group("Training"),
            ParamSpec::log_number("temperature", "Temperature τ", 0.01, 10.0, 0.2)
                .group("Training")
                .help("InfoNCE temperature (self-supervised only)."),
            ParamSpec::number("view_noise", "View noise σ_v", 0.0, 2.0, 0.1)
                .group("Training")
                .help("Std of the noise added to each view (self-supervised only): per pixel on the [0, 1] scale of the digits, per unit-scale feature otherwise."),
            ParamSpec::integer("steps", "Steps (training + analysis)", 1, 50_000, 2840)
                .unit("steps")
                .group("Training")
                .help("Every lab step is one SGD step or one unit of analysis. The analysis takes stages × layers × (P·restarts + P + 2) steps, plus GLUE's ⌈(3·glue_n_t + Gram blocks)/8⌉ with glue=on, (plus, for the simulation, at most sim_reps × (1 + ⌈log₂ N⌉) steps of one separability check each, N the simulated layer's width): 3 × 4 × 32 = 384 with the defaults (3 × 4 × (32 + 38) = 840 with GLUE on); the rest train (the metric 'train_steps')."),
            ParamSpec::integer("stages", "Analysed stages", 2, 6, 3)
                .group("Analysis")
                .help("Training stages analysed, evenly spaced from the untrained network (random weights) to the end."),
            ParamSpec::choice("analyse", "Layers", &[("all", "Every layer, over training"), ("input", "The data only")], "all")
                .group("Analysis")
                .help("The data only: no network, MFTMA on the task's points (for theory checks)."),
            ParamSpec::integer("n_t", "Gaussian samples n_t", 5, 2000, 50).group("Analysis").help("Samples per manifold in MFTMA (papers use 200–300; fewer is faster and noisier)."),
            ParamSpec::number("kappa", "Margin κ", -2.0, 2.0, 0.0).group("Analysis"),
            ParamSpec::integer("restarts", "Centre-search restarts", 1, 10, 2).group("Analysis").help("Random restarts per K of the Stiefel CG that removes the centres' shared structure (published: 10)."),
            ParamSpec::integer("axes", "Alignment axes k", 1, 20, 3).group("Analysis").help("Principal axes per manifold in the axis alignments."),
            ParamSpec::choice("glue", "GLUE", &[("on", "On"), ("off", "Off")], "off")
                .group("GLUE")
                .help("GLUE (Chou et al., bioRxiv 2024; Chou, Le, Wang & Chung, ICML 2025): per layer and stage, one joint QP over all manifolds per Gaussian sample t and random labels y gives the capacity α = P/E[a], a = ‖t − v*‖², with the manifolds' correlations, and its exact split α = Ψ(1 + R⁻²)/D into effective radius R, dimension D and utility Ψ (src/metrics/capacity/glue.rs)."),
            ParamSpec::integer("glue_n_t", "GLUE samples n_t", 10, 2000, 100).group("GLUE").help("Gaussian samples (t, y), one joint QP each; the Monte Carlo error of α falls as 1/√n_t."),
            ParamSpec::integer("glue_points", "GLUE points per class", 2, 170, 50).group("GLUE").help("Points per manifold in GLUE's QPs at most (a seeded subsample; the lab's own code uses 50)."),
            ParamSpec::choice("glue_labels", "GLUE labels", &[("random", "Random signs"), ("balanced", "Balanced dichotomies"), ("one_vs_rest", "One against the rest")], "random").group("GLUE").help("How the labels y of a sample are drawn: independent fair signs, half the classes +1 (at random), or one class +1 and the rest −1."),
            ParamSpec::choice("glue_centre", "GLUE centring", &[("none", "None (as given)"), ("global", "Minus the mean of all points")], "none").group("GLUE").help("None: a component shared by every class (e.g. the mean activity of ReLU units) counts as structure. Global: it is removed first, as MFTMA and the simulation do. The two differ a great deal when the class centres share a component."),
            ParamSpec::choice("simulate", "Simulated capacity", &[("off", "Off"), ("on", "On")], "off")
                .group("Simulation")
                .help("At the end, the simulated capacity P/N_c on one layer: random N-dim projections and random dichotomies, exact separability, N_c where half separate (Cohen et al. 2020)."),
            ParamSpec::integer("sim_layer", "Simulated layer", 0, 5, 0).group("Simulation").help("0 is the input; capped at the output layer."),
            ParamSpec::integer("sim_reps", "Dichotomies per N", 5, 200, 20).group("Simulation"),
        ],
        presets: presets(),
        sweep_metrics: ["capacity_0", "capacity_1", "capacity_2", "capacity_3", "capacity_theory", "capacity_sim", "glue_capacity_0", "glue_capacity_2"]
            .map(String::from)
            .to_vec(),
        step_unit: StepUnit::new(
            "step",
            "One SGD step, or one unit of the analysis: a run of the centre search, one manifold, the participation ratio and alignments of a layer, or one separability check of the simulation. The steps parameter bounds training and analysis together.",
        ),
        references: vec![references::chung_2018(), references::cohen_2020(), references::kuoch_2024(), references::chung_2016(), references::chen_2020(), references::bardes_2022(), references::uci_digits(), references::haxby_2001(), references::hanke_2009(), references::haxby_data()],
    }
}

/// The supervised digits preset, also the pinned run of the
/// self-supervised one.
const DIGITS_SUPERVISED: &str =
    "v=1&lab=capacity&seed=1&task=digits&samples=50&depth=2&width=100&lr=0.3&steps=2384&stages=3&n_t=50";

/// The Haxby recording with the simulation on.
const HAXBY: &str =
    "v=1&lab=capacity&seed=1&task=haxby&samples=108&n_t=300&simulate=on&sim_layer=0&sim_reps=20";

fn presets() -> Vec<Preset> {
    let p = Preset::new;
    // A link value: '&' and '=' percent-encoded (the pinned run's fragment).
    let pin = DIGITS_SUPERVISED.replace('=', "%3D").replace('&', "%26");
    vec![
        p(
            "Digits: capacity rises with depth and training",
            "Cohen et al. 2020 on real images: a 64-100-100-10 ReLU MLP on the UCI digits. Before training, capacity barely changes across layers (0.24–0.27); after 2,000 steps it rises with depth (0.26 at the input, 0.49 at the output), and training shrinks every layer's manifolds: radius and dimension fall below their untrained values (output: R 1.25 → 0.83, D 5.4 → 3.4).",
            DIGITS_SUPERVISED,
        ),
        p(
            "Digits: self-supervised against supervised",
            "The same MLP, seed and untrained network, trained by InfoNCE on two views of each image (±1-pixel translations, pixel noise σ_v = 0.1), never seeing a label; the supervised run is pinned beside it (dashed, '(pinned)'). Found with seed 1: InfoNCE raises the capacity of its embedding (the output, ≈ 0.27 → 0.36) but leaves the last hidden layer's at the untrained value (≈ 0.24, below the input's 0.26: its radius grows, its dimension falls); supervised training raises it to ≈ 0.38.",
            &format!("v=1&lab=capacity&seed=1&task=digits&samples=50&depth=2&width=100&objective=infonce&temperature=0.2&view_noise=0.1&lr=0.1&steps=2384&stages=3&n_t=50&pin={pin}"),
        ),
        p(
            "Theory against simulation",
            "Thirty discs (D = 2, R = 1, 40 points each) in N = 150: MFTMA's α against the simulated P/N_c from random projections and dichotomies (Cohen et al. 2020). They agree within a few per cent (0.662 against 0.656).",
            "v=1&lab=capacity&seed=1&task=spheres&classes=30&samples=40&dim=150&radius=1&manifold_dim=2&analyse=input&n_t=300&restarts=2&simulate=on&sim_layer=0&sim_reps=30",
        ),
        p(
            "Correlated centres: GLUE against MFTMA",
            "Ten Gaussian clouds (R = 1, 40 points each) in N = 100 whose centres come in five correlated pairs (centre correlation ρ = 0.8, 5 groups: classes μ and μ + 5 share a centre direction). MFTMA removes K = 2 centre directions and treats the rest as uncorrelated: α ≈ 0.093. GLUE solves one QP over all ten classes per sample, with the data centred as MFTMA and the simulation centre them: α ≈ 0.144 ± 0.003, near the simulated P/N_c ≈ 0.153 (the vertical lines of the last chart). With independent centres (ρ = 0) the three agree within 8%.",
            "v=1&lab=capacity&seed=1&task=clouds&classes=10&samples=40&dim=100&radius=1&centre_corr=0.8&centre_groups=5&analyse=input&n_t=200&restarts=2&simulate=on&sim_reps=40&glue=on&glue_n_t=400&glue_centre=global",
        ),
        p(
            "Alignment of transformed prototypes",
            "A smooth pattern per class, shifted and scaled, on a background pattern shared by every class at a random amplitude. In the input the manifolds share that nuisance axis: axis alignment ≈ 0.28 with k = 3 axes (independent discs give ≈ 0.01). The hidden layers, random or trained, spread it (≈ 0.1–0.15); the 10-unit output aligns everything (≈ 0.45). The principal angles show the shared axis: the first is ≈ 37° between input manifolds, ≈ 55–60° in the hidden layers. Dashed: the untrained network, same seed.",
            "v=1&lab=capacity&seed=1&task=prototypes&classes=10&samples=40&dim=60&radius=0.3&depth=2&width=100&lr=0.05&steps=784&stages=3&n_t=50",
        ),
        p(
            "Human ventral temporal cortex (Haxby 2001): capacity against chance",
            "fMRI of one subject viewing 8 object categories (Haxby et al. 2001; PyMVPA's copy, CC BY-SA 3.0): 530 ventral-temporal voxels, 108 volumes per category, z-scored within runs; no network. MFTMA's capacity of the 8 category manifolds is 0.043, 2.2 times that of the same volumes with shuffled labels (0.020, chance geometry): radius 1.09 against 1.53, dimension 42 against 72. The simulated capacity is 0.033, below MFTMA's. Centre alignment 0.19; axis alignment 0.34 (shuffled: 0.58).",
            HAXBY,
        ),
        p(
            "Haxby 2001: faces and houses against the other categories",
            "The same recording, per category (Haxby et al. 2001, PyMVPA's copy): houses (α_μ 0.078, D 28) and faces (0.061, D 33) are the most separable manifolds; the other six lie between 0.023 (scrambled pictures, D 64) and 0.047 (scissors). With shuffled labels every category falls to 0.016–0.022.",
            "v=1&lab=capacity&seed=1&task=haxby&samples=108&n_t=300",
        ),
        p(
            "Points: the Gardner capacity",
            "Points (R = 0) at margin κ = 0.5: MFTMA against Gardner's α₀(κ)⁻¹ = ∫_{−κ}^∞ Dt (t + κ)²: α₀(0.5) = 0.961 (α = 2 at κ = 0).",
            "v=1&lab=capacity&seed=1&task=points&classes=20&samples=5&dim=100&kappa=0.5&analyse=input&n_t=1000",
        ),
        p(
            "Spheres: the ball formula",
            "Discs (D = 2) of radius 0.5 with 200 points each: MFTMA against the capacity of L2 balls (Chung, Lee & Sompolinsky 2016), per manifold at its radius relative to its centre's norm: 0.875 against 0.871.",
            "v=1&lab=capacity&seed=1&task=spheres&classes=8&samples=170&dim=50&radius=0.5&manifold_dim=2&analyse=input&n_t=1000",
        ),
    ]
}

/// The task's data: the analysis manifolds (layer 0, as analysed) and the
/// network's training inputs and labels.
#[derive(Clone, Debug)]
pub struct TaskData {
    /// P manifolds, M × N each: the analysis set in input space.
    pub manifolds: Vec<DMatrix<f64>>,
    /// Training inputs as fed to the network (samples × inputs).
    pub x_train: DMatrix<f64>,
    pub y_train: Vec<usize>,
    /// The analysis set as fed to the network (class by class).
    pub x_analysis: DMatrix<f64>,
    /// The same points with their class labels shuffled (the same class
    /// sizes): chance geometry, analysed beside the data (Haxby).
    pub shuffled: Option<Vec<DMatrix<f64>>>,
    /// The points through a random projection (Haxby, `projection` > 0).
    pub projected: Option<Vec<DMatrix<f64>>>,
}

/// Smooth random prototypes, cyclically shifted by −3..3 and scaled by
/// 0.7..1.3, plus a background pattern shared by every class with an
/// amplitude U[−0.5, 0.5] (a nuisance axis common to all manifolds), plus
/// N(0, (noise/√N)²) per coordinate. Patterns are Gaussian vectors smoothed
/// by a 5-tap cyclic box filter, scaled to norm 1. Draws: the background,
/// then per class its pattern and per point shift, gain, noise, amplitude.
pub fn prototypes(p: usize, m: usize, n: usize, noise: f64, rng: &mut Rng) -> Vec<DMatrix<f64>> {
    let s = noise / libm::sqrt(n as f64);
    let background = unit(smooth(&(0..n).map(|_| rng.normal()).collect::<Vec<_>>()));
    (0..p)
        .map(|_| {
            let g: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
            let proto = unit(smooth(&g));
            let mut x = DMatrix::zeros(m, n);
            for i in 0..m {
                let shift = rng.below(7);
                let gain = rng.uniform_in(0.7, 1.3);
                for f in 0..n {
                    let src = (f + n * 3 + shift - 3) % n;
                    x[(i, f)] = gain * proto[src] + s * rng.normal();
                }
                let b = rng.uniform_in(-0.5, 0.5);
                for f in 0..n {
                    x[(i, f)] += b * background[f];
                }
            }
            x
        })
        .collect()
}

/// A 5-tap cyclic box filter.
fn smooth(g: &[f64]) -> Vec<f64> {
    let n = g.len();
    (0..n)
        .map(|i| {
            let mut acc = 0.0;
            for d in 0..5 {
                acc += g[(i + n * 3 + d - 2) % n];
            }
            acc
        })
        .collect()
}

/// `v` scaled to norm 1 (unchanged if zero).
fn unit(mut v: Vec<f64>) -> Vec<f64> {
    let norm = libm::sqrt(v.iter().map(|x| x * x).sum::<f64>());
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    v
}

/// The task of a checked config. Digits: the analysis set is the first M
/// images of each digit (pixels/16), training is on all 1,797. Synthetic:
/// P manifolds of M points drawn from `Rng::fork(seed, STREAM_DATA)`,
/// analysed as drawn and fed to the network scaled by √N (unit-variance
/// features); training is on the same points.
pub fn task_data(c: &LabConfig) -> Result<TaskData, String> {
    let m = c.int("samples").max(2);
    let task = c.choice("task");
    if task == "digits" {
        let d = digits::load()?;
        let x = d.pixels.map(|v| v / 16.0);
        let mut manifolds = Vec::new();
        for class in 0..digits::N_CLASSES {
            let rows: Vec<usize> = (0..d.labels.len())
                .filter(|&i| d.labels[i] == class)
                .take(m)
                .collect();
            manifolds.push(select_rows(&x, &rows));
        }
        let x_analysis = stack(&manifolds);
        return Ok(TaskData {
            manifolds,
            x_train: x,
            y_train: d.labels,
            x_analysis,
            shuffled: None,
            projected: None,
        });
    }
    if task == "haxby" {
        return haxby_task(m.min(HAXBY_PER_CATEGORY), c.seed, c.int("projection"));
    }
    let (p, n) = (c.int("classes").max(2), c.int("dim").max(2));
    let r = c.num("radius");
    let mut rng = Rng::fork(c.seed, STREAM_DATA);
    let manifolds = match task.as_str() {
        "spheres" => manifolds::spheres(p, m, n, c.int("manifold_dim"), r, &mut rng),
        "points" => manifolds::gaussian_clouds(p, m, n, 0.0, &mut rng),
        "prototypes" => prototypes(p, m, n, r, &mut rng),
        _ => manifolds::gaussian_clouds(p, m, n, r, &mut rng),
    };
    let mut manifolds = manifolds;
    if task != "prototypes" {
        manifolds::correlate_centres(
            &mut manifolds,
            c.num("centre_corr"),
            c.int("centre_groups"),
            &mut Rng::fork(c.seed, STREAM_CENTRES),
        );
    }
    let scale = libm::sqrt(n as f64);
    let x_analysis = stack(&manifolds).map(|v| v * scale);
    let y_train = (0..p).flat_map(|mu| std::iter::repeat_n(mu, m)).collect();
    Ok(TaskData {
        manifolds,
        x_train: x_analysis.clone(),
        y_train,
        x_analysis,
        shuffled: None,
        projected: None,
    })
}

/// Volumes per category in the Haxby recording.
pub const HAXBY_PER_CATEGORY: usize = 108;

/// The Haxby task: the first `m` volumes of each category (8 manifolds,
/// 530 voxels), and the same 8·m volumes with their labels permuted by
/// `Rng::fork(seed, STREAM_DATA).permutation`, cut into 8 manifolds of m;
/// if `d` > 0, the manifolds through x·G, G (530 × d) with entries
/// N(0, 1/d) drawn row-major from `Rng::fork(seed, STREAM_INIT)`.
pub fn haxby_task(m: usize, seed: u64, d: usize) -> Result<TaskData, String> {
    let h = haxby::load()?;
    let manifolds: Vec<DMatrix<f64>> = (0..haxby::CATEGORIES.len())
        .map(|c| {
            let x = h.category(c);
            x.rows(0, m.min(x.nrows())).into_owned()
        })
        .collect();
    let x_analysis = stack(&manifolds);
    let perm = Rng::fork(seed, STREAM_DATA).permutation(x_analysis.nrows());
    let sizes: Vec<usize> = manifolds.iter().map(|x| x.nrows()).collect();
    let mut start = 0;
    let shuffled = sizes
        .iter()
        .map(|&n| {
            let rows = &perm[start..start + n];
            start += n;
            select_rows(&x_analysis, rows)
        })
        .collect();
    let y_train = sizes
        .iter()
        .enumerate()
        .flat_map(|(c, &n)| std::iter::repeat_n(c, n))
        .collect();
    let projected = (d > 0).then(|| {
        let n = x_analysis.ncols();
        let mut rng = Rng::fork(seed, STREAM_INIT);
        let scale = 1.0 / libm::sqrt(d as f64);
        let g: Vec<f64> = (0..n * d).map(|_| scale * rng.normal()).collect();
        manifolds
            .iter()
            .map(|x| {
                DMatrix::from_fn(x.nrows(), d, |i, j| {
                    let mut acc = 0.0;
                    for f in 0..n {
                        acc += x[(i, f)] * g[f * d + j];
                    }
                    acc
                })
            })
            .collect()
    });
    Ok(TaskData {
        manifolds,
        x_train: x_analysis.clone(),
        y_train,
        x_analysis,
        shuffled: Some(shuffled),
        projected,
    })
}

fn stack(ms: &[DMatrix<f64>]) -> DMatrix<f64> {
    let n = ms.first().map_or(0, |x| x.ncols());
    let rows: usize = ms.iter().map(|x| x.nrows()).sum();
    let mut out = DMatrix::zeros(rows, n);
    let mut r = 0;
    for x in ms {
        out.view_mut((r, 0), (x.nrows(), n)).copy_from(x);
        r += x.nrows();
    }
    out
}

fn select_rows(m: &DMatrix<f64>, rows: &[usize]) -> DMatrix<f64> {
    DMatrix::from_fn(rows.len(), m.ncols(), |i, j| m[(rows[i], j)])
}

/// The MFTMA options of a checked config (the lab's seed for every call).
pub fn mftma_options(c: &LabConfig) -> MftmaOptions {
    MftmaOptions {
        kappa: c.num("kappa"),
        n_t: c.int("n_t").max(1),
        restarts: c.int("restarts").max(1),
        seed: c.seed,
        data_dimensionality: true,
        ..Default::default()
    }
}

/// Lab steps reserved for one (stage, layer) analysis: at most P·restarts
/// CG runs of the centre search (K ≤ P), P manifolds, the participation
/// ratio, the alignments; and GLUE's units, [`GLUE_UNITS_PER_STEP`] a step
/// (`glue_units`: an upper bound over the layers, 0 with GLUE off).
pub fn analysis_budget(p: usize, restarts: usize, glue_units: usize) -> u64 {
    (p * restarts.max(1) + p + 2 + glue_units.div_ceil(GLUE_UNITS_PER_STEP)) as u64
}

/// GLUE's options of a checked config (the lab's seed).
pub fn glue_options(c: &LabConfig) -> GlueOptions {
    GlueOptions {
        n_t: c.int("glue_n_t").max(1),
        max_points: c.int("glue_points").max(2),
        labels: LabelRule::from_key(&c.choice("glue_labels")).unwrap_or_default(),
        centre: Centring::from_key(&c.choice("glue_centre")).unwrap_or_default(),
        seed: c.seed,
    }
}

/// One piece of the run's plan.
#[derive(Clone, Debug)]
enum Phase {
    /// Train until this many SGD steps are done.
    Train(u64),
    /// Analyse layer `layer` at stage `stage` within `budget` lab steps.
    Analyse {
        stage: usize,
        layer: usize,
        budget: u64,
    },
    /// The simulated capacity, one separability check per lab step, within
    /// `budget` steps (an upper bound: the rest are empty steps).
    Simulate { budget: u64 },
}

impl Phase {
    fn cost(&self, trained: u64) -> u64 {
        match self {
            Phase::Train(t) => t.saturating_sub(trained),
            Phase::Analyse { budget, .. } => *budget,
            Phase::Simulate { budget } => *budget,
        }
    }
}

/// How a view of a training sample is made: the nuisance transformation
/// before the noise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shift {
    /// An 8 × 8 image translated by dx, dy ∈ {−1, 0, 1}, zero fill.
    Image8x8,
    /// The vector cyclically shifted by −1, 0 or +1 (smooth prototypes).
    Cyclic,
    /// No transformation (random features have no neighbours).
    None,
}

/// Self-supervised training of the lab's MLP: two views of each minibatch
/// sample, the embeddings (the network's outputs) scored by
/// [`contrastive::objective_loss`], each view's output error carried to the
/// hidden layers by the lab's credit rule, the two views' gradients summed
/// (the weights are shared), one SGD step.
struct SelfSupervised {
    objective: Objective,
    temperature: f64,
    noise: f64,
    shift: Shift,
    rng: Rng,
}

impl SelfSupervised {
    /// None for `objective=supervised`.
    fn from_config(c: &LabConfig) -> Option<Self> {
        let objective = match c.choice("objective").as_str() {
            "infonce" => Objective::InfoNce,
            "invariance" => Objective::Invariance,
            _ => return None,
        };
        let shift = match c.choice("task").as_str() {
            "digits" => Shift::Image8x8,
            "prototypes" => Shift::Cyclic,
            _ => Shift::None,
        };
        Some(SelfSupervised {
            objective,
            temperature: c.num("temperature"),
            noise: c.num("view_noise").max(0.0),
            shift,
            rng: Rng::fork(c.seed, STREAM_VIEWS),
        })
    }

    /// One view of every row of x. Draws per row: the shift (dx then dy
    /// for images, one for cyclic), then one normal per feature.
    fn view(&mut self, x: &DMatrix<f64>) -> DMatrix<f64> {
        let (b, n) = x.shape();
        let mut out = DMatrix::zeros(b, n);
        for i in 0..b {
            match self.shift {
                Shift::Image8x8 if n == 64 => {
                    let dx = self.rng.below(3) as isize - 1;
                    let dy = self.rng.below(3) as isize - 1;
                    for r in 0..8isize {
                        for col in 0..8isize {
                            let (sr, sc) = (r - dy, col - dx);
                            if (0..8).contains(&sr) && (0..8).contains(&sc) {
                                out[(i, (r * 8 + col) as usize)] = x[(i, (sr * 8 + sc) as usize)];
                            }
                        }
                    }
                }
                Shift::Cyclic => {
                    let k = self.rng.below(3);
                    for f in 0..n {
                        out[(i, f)] = x[(i, (f + n + k - 1) % n)];
                    }
                }
                _ => {
                    for f in 0..n {
                        out[(i, f)] = x[(i, f)];
                    }
                }
            }
            for f in 0..n {
                out[(i, f)] += self.noise * self.rng.normal();
            }
        }
        out
    }

    /// One step on the minibatch x; the loss before the step. A non-finite
    /// loss or gradient leaves the network untouched (the caller stops).
    fn step(&mut self, net: &mut Mlp, credit: &mut Credit, opt: &mut Sgd, x: &DMatrix<f64>) -> f64 {
        let (v1, v2) = (self.view(x), self.view(x));
        let (f1, f2) = (net.forward(&v1), net.forward(&v2));
        let (o, t) = (self.objective, self.temperature);
        let (loss, d1, d2) = contrastive::objective_loss(o, f1.output(), f2.output(), t);
        if !loss.is_finite() {
            return loss;
        }
        // The perturbation rules need the loss as a function of one view's
        // output (the other's held). The objective is not a sum over
        // samples: node perturbation gets the whole loss as every sample's
        // term (a global reward, unbiased to first order); weight
        // perturbation, which sums the terms, gets it once.
        let rule = credit.rule;
        let terms = move |l: f64, b: usize| -> Vec<f64> {
            if rule == Rule::NodePerturbation {
                vec![l; b]
            } else {
                let mut v = vec![0.0; b];
                if let Some(first) = v.first_mut() {
                    *first = l;
                }
                v
            }
        };
        let (e1, e2) = (f1.output().clone(), f2.output().clone());
        let g1 = credit.grads(net, &v1, &f1, &d1, &|out| {
            terms(contrastive::objective_loss(o, out, &e2, t).0, out.nrows())
        });
        let g2 = credit.grads(net, &v2, &f2, &d2, &|out| {
            terms(contrastive::objective_loss(o, &e1, out, t).0, out.nrows())
        });
        let grads = g1.sum(&g2);
        if !grads.all_finite() {
            return f64::NAN;
        }
        opt.step(net, &grads);
        loss
    }
}

/// What one (stage, layer) analysis found.
#[derive(Clone, Debug, Default)]
struct LayerResult {
    mftma: Option<MftmaResult>,
    align: Option<Alignment>,
    glue: Option<GlueResult>,
    /// Why GLUE could not run on this layer (MFTMA may still have).
    glue_error: Option<String>,
    error: Option<String>,
}

/// An analysis in progress.
struct Running {
    job: Option<MftmaJob>,
    glue: Option<GlueJob>,
    used: u64,
}

/// The lab.
pub struct CapacityLab {
    config: LabConfig,
    data: TaskData,
    net: Option<Mlp>,
    credit: Option<Credit>,
    /// The self-supervised objective and its views (None: supervised).
    ssl: Option<SelfSupervised>,
    opt: Sgd,
    batch_rng: Rng,
    batch: usize,
    trained: u64,
    plan: Vec<Phase>,
    phase: usize,
    /// Lab steps done, and their total.
    step: u64,
    total: u64,
    /// Training step of each stage.
    stage_steps: Vec<u64>,
    /// Per stage, per layer.
    results: Vec<Vec<LayerResult>>,
    /// The representations of the analysis set at the current stage.
    reps: Option<(usize, Vec<Vec<DMatrix<f64>>>)>,
    running: Option<Running>,
    sim: Option<Result<SimulatedCapacity, String>>,
    /// The simulation in progress, and the lab steps it has used.
    sim_job: Option<SimulatedJob>,
    sim_used: u64,
    last_loss: f64,
    stopped: Option<String>,
    notes: Vec<String>,
}

impl CapacityLab {
    /// Build from a checked config.
    pub fn new(config: &LabConfig) -> Self {
        let c = config.clone();
        let mut notes = Vec::new();
        let data = match task_data(&c) {
            Ok(d) => d,
            Err(e) => {
                notes.push(e);
                TaskData {
                    manifolds: vec![],
                    x_train: DMatrix::zeros(0, 1),
                    y_train: vec![],
                    x_analysis: DMatrix::zeros(0, 1),
                    shuffled: None,
                    projected: None,
                }
            }
        };
        let p = data.manifolds.len();
        // Recordings have no network: the data (and their control) only.
        let recording = data.shuffled.is_some();
        let input_only = c.choice("analyse") == "input" || recording;
        let (width, depth) = (c.int("width").max(1), c.int("depth").max(1));
        let n_in = data.x_train.ncols();
        let mut sizes = vec![n_in];
        sizes.extend(std::iter::repeat_n(width, depth));
        sizes.push(p.max(1));
        let n_layers = match (input_only, recording) {
            // The data, the data with shuffled labels (, projected).
            (true, true) => 2 + usize::from(data.projected.is_some()),
            (true, false) => 1,
            _ => depth + 2,
        };
        let (net, credit) = if input_only {
            (None, None)
        } else {
            let spec = MlpSpec {
                sizes,
                activation: Activation::Relu,
                parametrisation: Parametrisation::Ntk,
                hidden_std: libm::sqrt(2.0),
                readout_std: 1.0,
                bias_init: 0.0,
            };
            let net = Mlp::new(spec, &mut Rng::fork(c.seed, STREAM_INIT));
            let rule = Rule::from_key(&c.choice("rule")).unwrap_or(Rule::Backprop);
            // B entries U[−a, a] with the std √(2/width) of the effective
            // forward weights c·W (NTK scaling, He init).
            let a = libm::sqrt(6.0 / width as f64);
            let credit = Credit::new(
                rule,
                &net,
                a,
                1e-3, // σ of node and weight perturbation
                &mut Rng::fork(c.seed, STREAM_FEEDBACK),
                Rng::fork(c.seed, STREAM_NOISE),
            );
            (Some(net), Some(credit))
        };
        // `steps` counts every lab step: the analysis takes `analysis`
        // steps, the rest train.
        let limit = c.int("steps") as u64;
        let glue_on = c.choice("glue") == "on";
        let glue_units = if glue_on && p >= 2 {
            // The widest layer bounds the Gram's blocks.
            let widest = if input_only {
                n_in
            } else {
                n_in.max(width).max(p)
            };
            let per_class: usize = data
                .manifolds
                .iter()
                .map(|x| x.nrows().min(c.int("glue_points").max(2)))
                .sum();
            glue::job_units(per_class, widest, c.int("glue_n_t").max(1))
        } else {
            0
        };
        let budget = analysis_budget(p, c.int("restarts"), glue_units);
        let simulate = c.choice("simulate") == "on";
        let stages = if input_only {
            1
        } else {
            c.int("stages").max(2) as u64
        };
        // The simulated layer's width bounds the bisection.
        let sim_layer = c.int("sim_layer").min(n_layers - 1);
        let sim_width = match sim_layer {
            2 if recording => c.int("projection"),
            _ if recording => n_in,
            0 => n_in,
            l if l + 1 == n_layers => p.max(1),
            _ => width,
        };
        let sim_budget = if simulate {
            max_checks(sim_width, c.int("sim_reps").max(1)) as u64
        } else {
            0
        };
        let analysis = stages * n_layers as u64 * budget + sim_budget;
        let (train, stages) = match limit.checked_sub(analysis) {
            Some(t) if t > 0 && !input_only => (t, stages),
            _ => (0, 1),
        };
        if limit < analysis {
            notes.push(format!(
                "the analysis needs {analysis} steps ({stages} stage(s) × {n_layers} layer(s) × {budget}{}) and only {limit} are set: it stops early and nothing is trained",
                if simulate { format!(" + {sim_budget} for the simulation") } else { String::new() }
            ));
        }
        let mut stage_steps: Vec<u64> = if stages == 1 {
            vec![0]
        } else {
            (0..stages)
                .map(|i| (train * i + (stages - 1) / 2) / (stages - 1))
                .collect()
        };
        stage_steps.dedup();
        let mut plan = Vec::new();
        if p >= 2 {
            for (s, &t) in stage_steps.iter().enumerate() {
                if t > 0 {
                    plan.push(Phase::Train(t));
                }
                for layer in 0..n_layers {
                    plan.push(Phase::Analyse {
                        stage: s,
                        layer,
                        budget,
                    });
                }
            }
            if simulate {
                plan.push(Phase::Simulate { budget: sim_budget });
            }
        }
        let mut trained = 0;
        let mut total = 0;
        for ph in &plan {
            total += ph.cost(trained);
            if let Phase::Train(t) = ph {
                trained = *t;
            }
        }
        let total = total.min(limit);
        let results = vec![vec![LayerResult::default(); n_layers]; stage_steps.len()];
        let ssl = if input_only {
            None
        } else {
            SelfSupervised::from_config(&c)
        };
        CapacityLab {
            opt: Sgd::new(c.num("lr"), 0.9, 0.0),
            batch_rng: Rng::fork(c.seed, STREAM_TRAIN),
            batch: c.int("batch").max(1),
            config: c,
            data,
            ssl,
            net,
            credit,
            trained: 0,
            plan,
            phase: 0,
            step: 0,
            total,
            stage_steps,
            results,
            reps: None,
            running: None,
            sim: None,
            sim_job: None,
            sim_used: 0,
            last_loss: f64::NAN,
            stopped: None,
            notes,
        }
    }

    /// Boxed, for the registry.
    pub fn boxed(config: &LabConfig) -> Box<dyn Lab> {
        Box::new(CapacityLab::new(config))
    }

    fn n_layers(&self) -> usize {
        self.results.first().map_or(0, |r| r.len())
    }

    /// The MFTMA result of layer `layer` at stage `stage` (0 = untrained).
    pub fn result(&self, stage: usize, layer: usize) -> Option<&MftmaResult> {
        self.results.get(stage)?.get(layer)?.mftma.as_ref()
    }

    /// The number of stages.
    pub fn stages(&self) -> usize {
        self.stage_steps.len()
    }

    /// One SGD step on a minibatch; the loss.
    fn train_step(&mut self) -> f64 {
        let (Some(net), Some(credit)) = (self.net.as_mut(), self.credit.as_mut()) else {
            return 0.0;
        };
        let n = self.data.x_train.nrows();
        let p = net.spec.sizes.last().copied().unwrap_or(1);
        let idx: Vec<usize> = (0..self.batch).map(|_| self.batch_rng.below(n)).collect();
        let x = select_rows(&self.data.x_train, &idx);
        if let Some(ssl) = self.ssl.as_mut() {
            return ssl.step(net, credit, &mut self.opt, &x);
        }
        let y = DMatrix::from_fn(idx.len(), p, |i, k| {
            if self.data.y_train[idx[i]] == k {
                1.0
            } else {
                0.0
            }
        });
        let fwd = net.forward(&x);
        let cost = Cost::CrossEntropy;
        let loss = cost.loss(fwd.output(), &y);
        let d_out = cost.gradient(fwd.output(), &y);
        let g = credit.grads(net, &x, &fwd, &d_out, &|o| cost.per_sample(o, &y));
        self.opt.step(net, &g);
        loss
    }

    /// The analysis set's manifolds in every layer of the current network.
    fn representations(&self) -> Vec<Vec<DMatrix<f64>>> {
        let mut layers = vec![self.data.manifolds.clone()];
        let Some(net) = &self.net else {
            layers.extend(self.data.shuffled.clone());
            layers.extend(self.data.projected.clone());
            return layers;
        };
        let fwd = net.forward(&self.data.x_analysis);
        let sizes: Vec<usize> = self.data.manifolds.iter().map(|x| x.nrows()).collect();
        let split = |h: &DMatrix<f64>| {
            let mut out = Vec::new();
            let mut r = 0;
            for &m in &sizes {
                out.push(h.rows(r, m).into_owned());
                r += m;
            }
            out
        };
        for h in &fwd.hidden {
            layers.push(split(h));
        }
        layers.push(split(fwd.output()));
        layers
    }

    /// One unit of analysis of (stage, layer).
    fn analyse_unit(&mut self, stage: usize, layer: usize) {
        if self.reps.as_ref().map(|r| r.0) != Some(stage) {
            self.reps = Some((stage, self.representations()));
        }
        let glue_on = self.config.choice("glue") == "on";
        let glue_opts = glue_options(&self.config);
        let run = self.running.get_or_insert(Running {
            job: None,
            glue: None,
            used: 0,
        });
        run.used += 1;
        let res = &mut self.results[stage][layer];
        let mftma_done = res.mftma.is_some() || res.error.is_some();
        let align_done = res.align.is_some() || res.error.is_some();
        let glue_done = !glue_on || res.glue.is_some() || res.glue_error.is_some();
        if mftma_done && align_done && glue_done {
            return; // budget left over: an empty step
        }
        let manifolds = &self.reps.as_ref().expect("just set").1[layer];
        if !mftma_done {
            if run.job.is_none() {
                match MftmaJob::new(manifolds, &mftma_options(&self.config)) {
                    Ok(j) => run.job = Some(j),
                    Err(e) => {
                        res.error = Some(format!("{} layer {layer}: {e}", stage_label(stage)));
                        return;
                    }
                }
            }
            let job = run.job.as_mut().expect("just set");
            match job.advance(1) {
                Ok(true) => {
                    res.mftma = job.result();
                    run.job = None;
                }
                Ok(false) => {}
                Err(e) => {
                    res.error = Some(format!("{} layer {layer}: {e}", stage_label(stage)));
                    run.job = None;
                }
            }
            return;
        }
        if !align_done {
            match alignment(manifolds, self.config.int("axes").max(1)) {
                Ok(a) => res.align = Some(a),
                Err(e) => res.error = Some(format!("alignment, layer {layer}: {e}")),
            }
            return;
        }
        if run.glue.is_none() {
            match GlueJob::new(manifolds, &glue_opts) {
                Ok(j) => run.glue = Some(j),
                Err(e) => {
                    res.glue_error =
                        Some(format!("GLUE, {} layer {layer}: {e}", stage_label(stage)));
                    return;
                }
            }
        }
        let job = run.glue.as_mut().expect("just set");
        if job.advance(GLUE_UNITS_PER_STEP) {
            res.glue = job.result();
            run.glue = None;
        }
    }

    /// One unit of the simulated capacity: the first builds the job (the
    /// simulated layer's representation) and every unit runs one
    /// separability check; once the answer is in, units are empty.
    fn simulate_unit(&mut self) {
        if self.sim.is_some() {
            return;
        }
        if self.sim_job.is_none() {
            let manifolds = self.representations().swap_remove(self.sim_layer());
            let opts = SimulatedOptions {
                repetitions: self.config.int("sim_reps").max(1),
                seed: self.config.seed,
                ..SimulatedOptions::default()
            };
            match SimulatedJob::new(&manifolds, &opts) {
                Ok(j) => self.sim_job = Some(j),
                Err(e) => {
                    self.sim = Some(Err(e.to_string()));
                    return;
                }
            }
        }
        let job = self.sim_job.as_mut().expect("just set");
        if job.advance(1) {
            self.sim = job.result().cloned().map(Ok);
            self.sim_job = None;
        }
    }

    /// The layer compared with the simulation.
    fn sim_layer(&self) -> usize {
        self.config
            .int("sim_layer")
            .min(self.n_layers().saturating_sub(1))
    }

    /// The last stage with any result at `layer`.
    fn last_stage(&self) -> usize {
        (0..self.stages())
            .rev()
            .find(|&s| self.results[s].iter().any(|r| r.mftma.is_some()))
            .unwrap_or(0)
    }

    fn layer_names(&self) -> Vec<String> {
        let n = self.n_layers();
        if self.data.shuffled.is_some() {
            return ["voxels", "shuffled", "projected"][..n.min(3)]
                .iter()
                .map(|s| s.to_string())
                .collect();
        }
        (0..n)
            .map(|l| match l {
                0 => "input".to_string(),
                l if l + 1 == n => "out".to_string(),
                l => format!("h{l}"),
            })
            .collect()
    }

    /// The analytic capacity of the data (points: Gardner; spheres: the
    /// ball formula per manifold at R/‖c‖); NaN for the other tasks.
    fn formula_capacity(&self, input: &MftmaResult) -> f64 {
        let kappa = self.config.num("kappa");
        match self.config.choice("task").as_str() {
            "points" => gardner_capacity(kappa),
            "spheres" => {
                let (r, d) = (self.config.num("radius"), self.config.int("manifold_dim"));
                let p = input.manifolds.len() as f64;
                let inv: f64 = input
                    .manifolds
                    .iter()
                    .map(|m| 1.0 / ball_capacity(kappa, r / m.center_norm, d))
                    .sum();
                1.0 / (inv / p)
            }
            _ => f64::NAN,
        }
    }

    fn metrics(&self) -> Vec<Metric> {
        let mut out = Vec::new();
        let mut add = |key: String, label: String, value: f64, info: &str| {
            out.push(Metric {
                key,
                label,
                value: if value.is_finite() { value } else { f64::NAN },
                info: info.to_string(),
            })
        };
        let last = self.last_stage();
        let names = self.layer_names();
        let glue_on = self.config.choice("glue") == "on";
        let glue_settings = format!("Settings: {}", glue_options(&self.config).describe());
        for (l, (n, res)) in names.iter().zip(&self.results[last]).enumerate() {
            let r = res.mftma.as_ref();
            let a = res.align.as_ref();
            let f = |g: &dyn Fn(&MftmaResult) -> f64| r.map_or(f64::NAN, g);
            add(format!("capacity_{l}"), format!("α, {n}"), f(&|r| r.capacity), "MFTMA capacity α = 1/mean_μ(1/α_μ) at the last analysed stage (Chung, Lee & Sompolinsky 2018).");
            add(
                format!("radius_{l}"),
                format!("R_M, {n}"),
                f(&|r| r.radius),
                "Mean manifold radius, relative to the centre's norm.",
            );
            add(
                format!("dimension_{l}"),
                format!("D_M, {n}"),
                f(&|r| r.dimension),
                "Mean manifold dimension.",
            );
            add(
                format!("center_corr_{l}"),
                format!("ρ_c, {n}"),
                f(&|r| r.center_correlation),
                "Mean |cos| between the centred class centres (Cohen et al. 2020).",
            );
            add(
                format!("k_{l}"),
                format!("K, {n}"),
                f(&|r| r.k as f64),
                "Rank of the centres' shared structure removed before the analysis.",
            );
            add(
                format!("pr_{l}"),
                format!("PR, {n}"),
                f(&|r| r.participation_ratio),
                "Participation ratio of the analysis set in this layer.",
            );
            let g = |h: &dyn Fn(&Alignment) -> f64| a.map_or(f64::NAN, h);
            add(
                format!("center_align_{l}"),
                format!("centre alignment, {n}"),
                g(&|a| a.center_alignment),
                "mean_{μ≠ν} |cos(u_μ, u_ν)|.",
            );
            add(
                format!("axis_align_{l}"),
                format!("axis alignment, {n}"),
                g(&|a| a.axis_alignment),
                "mean_{μ≠ν} ‖A_μᵀA_ν‖_F²/k, k principal axes. A manifold with no spread above rounding (a point) has no axis: its pairs are left out, and the value is NaN if every manifold is a point.",
            );
            add(
                format!("center_axis_align_{l}"),
                format!("centre–axis alignment, {n}"),
                g(&|a| a.center_axis_alignment),
                "mean_{μ≠ν} ‖A_νᵀu_μ‖²/‖u_μ‖². Pairs whose ν has no axis (a point) are left out; NaN if every manifold is a point.",
            );
            if glue_on {
                let g = res.glue.as_ref();
                let gv = |h: &dyn Fn(&GlueResult) -> f64| g.map_or(f64::NAN, h);
                let ambiguous = g
                    .filter(|g| g.ambiguous_share > glue::AMBIGUOUS_NOTE_SHARE)
                    .map_or(String::new(), |g| {
                        format!(
                            " Note: {:.0}% of the samples have non-unique multipliers, and this number depends on which optimal multipliers the solver returns (α does not).",
                            100.0 * g.ambiguous_share
                        )
                    });
                add(
                    format!("glue_capacity_{l}"),
                    format!("GLUE α, {n}"),
                    gv(&|g| g.capacity),
                    &format!("GLUE capacity P/E[a], a = ‖t − v*‖² from the joint QP over all classes (Chou et al. 2024; ICML 2025 Algorithm 2), at the last analysed stage. {glue_settings}."),
                );
                add(
                    format!("glue_capacity_se_{l}"),
                    format!("GLUE α s.e., {n}"),
                    gv(&|g| g.capacity_se),
                    "Monte Carlo standard error of the GLUE capacity, α·sd(a)/(√n_t·E[a]).",
                );
                add(
                    format!("glue_radius_{l}"),
                    format!("GLUE R, {n}"),
                    gv(&|g| g.radius),
                    &format!("GLUE effective radius √(E[c]/E[b − c]) from the anchors' axis parts (arXiv 2603.01879 B.3). {glue_settings}.{ambiguous}"),
                );
                add(
                    format!("glue_dimension_{l}"),
                    format!("GLUE D, {n}"),
                    gv(&|g| g.dimension),
                    &format!("GLUE effective dimension E[b]/P. {glue_settings}.{ambiguous}"),
                );
                add(
                    format!("glue_utility_{l}"),
                    format!("GLUE Ψ, {n}"),
                    gv(&|g| g.utility),
                    &format!("GLUE effective utility E[c]/E[a]; α = Ψ(1 + R⁻²)/D exactly. {glue_settings}.{ambiguous}"),
                );
            }
        }
        if self.stages() > 1 && self.net.is_some() {
            for (l, (name, res)) in names.iter().zip(&self.results[0]).enumerate() {
                let r = res.mftma.as_ref();
                add(
                    format!("capacity_init_{l}"),
                    format!("α untrained, {name}"),
                    r.map_or(f64::NAN, |r| r.capacity),
                    "MFTMA capacity of the untrained network (random weights), same seed.",
                );
            }
        }
        let sim_l = self.sim_layer();
        let theory = self.results[last]
            .get(sim_l)
            .and_then(|r| r.mftma.as_ref())
            .map_or(f64::NAN, |r| r.capacity);
        let sim = match &self.sim {
            Some(Ok(s)) => s.capacity,
            _ => f64::NAN,
        };
        add(
            "capacity_theory".into(),
            format!("α MFTMA, layer {sim_l}"),
            if self.sim.is_some() { theory } else { f64::NAN },
            "MFTMA capacity of the simulated layer (the same data as the simulation).",
        );
        add("capacity_sim".into(), "α simulated".into(), sim, "P/N_c: N_c is where half the random dichotomies of the randomly projected manifolds separate (Cohen et al. 2020).");
        let formula = self.results[last]
            .first()
            .and_then(|r| r.mftma.as_ref())
            .map_or(f64::NAN, |r| self.formula_capacity(r));
        add("capacity_formula".into(), "α formula (input)".into(), formula, "Points: Gardner α₀(κ); spheres: the L2-ball capacity α_B(κ, R/‖c_μ‖, D) per manifold, combined as 1/mean(1/α).");
        if self.data.shuffled.is_some() {
            // Per category, in the data and with shuffled labels.
            for (l, layer) in ["", "_shuffled"].iter().enumerate() {
                let Some(r) = self.results[last].get(l).and_then(|r| r.mftma.as_ref()) else {
                    continue;
                };
                for (name, m) in haxby::CATEGORIES.iter().zip(&r.manifolds) {
                    add(format!("capacity_{name}{layer}"), format!("α_μ, {name}{layer}"), m.capacity, "MFTMA capacity of this category's manifold (1/α = mean over the categories gives α).");
                    add(
                        format!("radius_{name}{layer}"),
                        format!("R_μ, {name}{layer}"),
                        m.radius,
                        "This category's manifold radius, relative to its centre's norm.",
                    );
                    add(
                        format!("dimension_{name}{layer}"),
                        format!("D_μ, {name}{layer}"),
                        m.dimension,
                        "This category's manifold dimension.",
                    );
                }
            }
        }
        add(
            "train_steps".into(),
            "SGD steps done".into(),
            self.trained as f64,
            "Training steps done (the rest of the lab's steps analyse).",
        );
        let (loss_label, loss_info) = match self.ssl.as_ref().map(|s| s.objective) {
            Some(Objective::InfoNce) => ("InfoNCE loss", "Symmetric InfoNCE between the two views' embeddings (the network's outputs) of the last minibatch, temperature τ; log B for random embeddings."),
            Some(Objective::Invariance) => ("VICReg loss", "VICReg's invariance + variance + covariance terms (weights 25/25/1) between the two views' embeddings of the last minibatch."),
            None => ("Training loss", "Minibatch cross-entropy at the last step."),
        };
        add("loss".into(), loss_label.into(), self.last_loss, loss_info);
        out
    }

    /// GLUE's capacity beside MFTMA's per layer, untrained (dashed) and at
    /// the last stage.
    fn glue_chart(&self, names: &[String]) -> Chart {
        let n_l = self.n_layers();
        let last = self.last_stage();
        let x: Vec<f64> = (0..n_l).map(|l| l as f64).collect();
        let mut series = Vec::new();
        let mut stages = vec![0];
        if last > 0 {
            stages.push(last);
        }
        for s in stages {
            let tag = if s == 0 {
                "untrained".to_string()
            } else {
                format!("step {}", self.stage_steps[s])
            };
            let m: Vec<f64> = (0..n_l)
                .map(|l| {
                    self.results[s][l]
                        .mftma
                        .as_ref()
                        .map_or(f64::NAN, |r| r.capacity)
                })
                .collect();
            let g: Vec<f64> = (0..n_l)
                .map(|l| {
                    self.results[s][l]
                        .glue
                        .as_ref()
                        .map_or(f64::NAN, |r| r.capacity)
                })
                .collect();
            let (ms, gs) = (
                Series::new(&format!("MFTMA, {tag}"), x.clone(), m),
                Series::new(&format!("GLUE, {tag}"), x.clone(), g),
            );
            if s == 0 {
                series.push(ms.dashed());
                series.push(gs.dashed());
            } else {
                series.push(ms);
                series.push(gs);
            }
        }
        Chart::with_body(
            "glue_capacity",
            "GLUE beside MFTMA: capacity α per layer",
            "layer",
            "α",
            ChartBody::Profile {
                categories: names.to_vec(),
                series,
            },
        )
        .info(&format!(
            "GLUE solves one QP over all classes per sample, so correlations between the manifolds are in its α; MFTMA treats them as uncorrelated once K centre directions are removed. Dashed: the untrained network. GLUE {}.",
            glue_options(&self.config).describe()
        ))
    }

    fn charts(&self) -> Vec<Chart> {
        let mut charts = Vec::new();
        let names = self.layer_names();
        let n_l = self.n_layers();
        let stage_series_of = |g: &dyn Fn(&LayerResult) -> f64| -> Vec<Series> {
            (0..self.stages())
                .filter(|&s| self.results[s].iter().any(|r| r.mftma.is_some()))
                .map(|s| {
                    let x: Vec<f64> = (0..n_l).map(|l| l as f64).collect();
                    let y = (0..n_l).map(|l| g(&self.results[s][l])).collect();
                    let name = if self.net.is_none() {
                        "data".to_string()
                    } else if s == 0 {
                        "untrained".to_string()
                    } else {
                        format!("step {}", self.stage_steps[s])
                    };
                    let ser = Series::new(&name, x, y);
                    if s == 0 && self.net.is_some() {
                        ser.dashed()
                    } else {
                        ser
                    }
                })
                .collect()
        };
        let stage_series = |g: &dyn Fn(&MftmaResult) -> f64| -> Vec<Series> {
            stage_series_of(&|r: &LayerResult| r.mftma.as_ref().map_or(f64::NAN, g))
        };
        let profile = |id: &str, title: &str, y: &str, series: Vec<Series>, info: &str| {
            Chart::with_body(
                id,
                title,
                "layer",
                y,
                ChartBody::Profile {
                    categories: names.clone(),
                    series,
                },
            )
            .info(info)
        };
        let last = self.last_stage();
        if self.data.shuffled.is_some() {
            charts.extend(self.recording_charts());
        } else if self.net.is_none() {
            // The data alone: MFTMA beside its checks.
            let input = self.results[last].first().and_then(|r| r.mftma.as_ref());
            let sim = match &self.sim {
                Some(Ok(s)) => s.capacity,
                _ => f64::NAN,
            };
            let mftma = input.map_or(f64::NAN, |r| r.capacity);
            let formula = input.map_or(f64::NAN, |r| self.formula_capacity(r));
            // GLUE's bar only when it ran (glue=on), so that a run without
            // it draws what it drew before GLUE existed.
            let (categories, values, info) = if self.config.choice("glue") == "on" {
                let glue_in = self.results[last]
                    .first()
                    .and_then(|r| r.glue.as_ref())
                    .map_or(f64::NAN, |g| g.capacity);
                (
                    vec!["MFTMA", "GLUE", "simulated", "formula"],
                    vec![mftma, glue_in, sim, formula],
                    format!("MFTMA's capacity, GLUE's ({}), the simulated P/N_c (when on) and the analytic formula (points: Gardner; spheres: the ball capacity). Empty: not computed for this task.", glue_options(&self.config).describe()),
                )
            } else {
                (
                    vec!["MFTMA", "simulated", "formula"],
                    vec![mftma, sim, formula],
                    "MFTMA's capacity, the simulated P/N_c (when on) and the analytic formula (points: Gardner; spheres: the ball capacity). Empty: not computed for this task.".to_string(),
                )
            };
            let x: Vec<f64> = (0..values.len()).map(|i| i as f64).collect();
            charts.push(
                Chart::with_body(
                    "capacity",
                    "Capacity α of the data",
                    "",
                    "α",
                    ChartBody::Bars {
                        categories: categories.into_iter().map(String::from).collect(),
                        series: vec![Series::new("α", x, values)],
                    },
                )
                .info(&info),
            );
        } else {
            charts.push(profile("capacity", "Capacity α per layer", "α", stage_series(&|r| r.capacity), "MFTMA capacity per layer, one line per training stage (dashed: untrained). Cohen et al. 2020: it rises with depth and training."));
            if self.config.choice("glue") == "on" {
                charts.push(self.glue_chart(&names));
            }
            charts.push(profile(
                "radius",
                "Radius R_M per layer",
                "R_M",
                stage_series(&|r| r.radius),
                "Mean manifold radius relative to the centre norm.",
            ));
            charts.push(profile(
                "dimension",
                "Dimension D_M per layer",
                "D_M",
                stage_series(&|r| r.dimension),
                "Mean manifold dimension.",
            ));
            charts.push(profile(
                "center_corr",
                "Centre correlation ρ_c per layer",
                "ρ_c",
                stage_series(&|r| r.center_correlation),
                "Mean |cos| between the class centres.",
            ));
            // The alignments, one chart each (SCIENCE.md §3).
            type Kind = (
                &'static str,
                &'static str,
                &'static str,
                fn(&Alignment) -> f64,
            );
            let kinds: [Kind; 3] = [
                ("center_align", "Centre alignment per layer", "mean_{μ≠ν} |cos(u_μ, u_ν)| between the centred class centres.", |a| a.center_alignment),
                ("axis_align", "Axis alignment per layer", "mean_{μ≠ν} ‖A_μᵀA_ν‖_F²/k between the manifolds' top-k principal axes (1: the same subspace, 0: orthogonal).", |a| a.axis_alignment),
                ("center_axis_align", "Centre–axis alignment per layer", "mean_{μ≠ν} ‖A_νᵀu_μ‖²/‖u_μ‖²: how much of one class's centre lies in another's axes.", |a| a.center_axis_alignment),
            ];
            for (id, title, info, g) in kinds {
                let series =
                    stage_series_of(&|r: &LayerResult| r.align.as_ref().map_or(f64::NAN, g));
                charts.push(profile(id, title, "alignment", series, info));
            }
        }
        // Per-manifold radius against dimension.
        let scatter: Vec<Series> = (0..n_l)
            .filter_map(|l| {
                let r = self.results[last][l].mftma.as_ref()?;
                Some(Series::new(
                    &names[l],
                    r.manifolds.iter().map(|m| m.dimension).collect(),
                    r.manifolds.iter().map(|m| m.radius).collect(),
                ))
            })
            .collect();
        charts.push(
            Chart::with_body(
                "radius_dimension",
                "Radius against dimension, per manifold",
                "D_M",
                "R_M",
                ChartBody::Scatter { series: scatter },
            )
            .info("Each point a class manifold at the last stage, one colour per layer."),
        );
        // Principal angles between the manifolds' axes, per layer.
        let k = self.config.int("axes").max(1);
        let angle_series: Vec<Series> = (0..n_l)
            .filter_map(|l| {
                let a = self.results[last][l].align.as_ref()?;
                if a.mean_angles.is_empty() {
                    return None; // no axes (points): no angles
                }
                let y = (0..k)
                    .map(|i| a.mean_angles.get(i).map_or(f64::NAN, |t| t.to_degrees()))
                    .collect();
                Some(Series::new(
                    &names[l],
                    (0..k).map(|i| i as f64).collect(),
                    y,
                ))
            })
            .collect();
        if !angle_series.is_empty() {
            charts.push(
                Chart::with_body(
                    "principal_angles",
                    "Principal angles between class manifolds",
                    "",
                    "mean angle (°)",
                    ChartBody::Profile {
                        categories: (1..=k).map(|i| format!("θ{i}")).collect(),
                        series: angle_series,
                    },
                )
                .info("The principal angles θ₁ ≤ … ≤ θ_k between the top-k principal subspaces of two class manifolds (cos θ_i: the singular values of A_μᵀA_ν; Björck & Golub 1973), averaged over pairs, one line per layer at the last stage. 0°: a shared direction, 90°: orthogonal. The axis alignment is the mean of Σ_i cos²θ_i / k. Manifolds without axes (points) have no angles."),
            );
        }
        // Alignment matrix of the deepest hidden layer (or the input).
        let hl = if n_l >= 3 { n_l - 2 } else { 0 };
        // Drawn when some pair has axes (points have none: no matrix).
        if let Some(a) = self.results[last]
            .get(hl)
            .and_then(|r| r.align.as_ref())
            .filter(|a| a.axis_alignment.is_finite())
        {
            let p = a.axis_matrix.nrows();
            // The diagonal (1 by definition) is left blank so that the
            // colours span the pairs.
            let values = (0..p * p)
                .map(|i| {
                    if i / p == i % p {
                        f64::NAN
                    } else {
                        a.axis_matrix[(i / p, i % p)]
                    }
                })
                .collect();
            charts.push(
                Chart::heatmap(
                    "axis_matrix",
                    &format!("Axis alignment between classes, {}", names[hl]),
                    "class ν",
                    "class μ",
                    Heatmap {
                        // An alignment in [0, 1].
                        value_range: Some([0.0, 1.0]),
                        ..Heatmap::new(p, p, values, "‖A_μᵀA_ν‖²/k")
                    },
                )
                .info("Pairwise axis alignment ‖A_μᵀA_ν‖_F²/k at the last stage; the diagonal (1 by definition) is left blank."),
            );
        }
        // Theory against simulation.
        if let Some(Ok(sim)) = &self.sim {
            let p = self.data.manifolds.len() as f64;
            let (x, y): (Vec<f64>, Vec<f64>) = {
                let mut c = sim.curve.clone();
                crate::sort::sort_by(&mut c, &|a, b| a.0.cmp(&b.0));
                c.into_iter().map(|(n, f)| (n as f64, f)).unzip()
            };
            let mut ch = Chart::lines("theory_sim", "Separable fraction against projection dimension", "N (projection dimension)", "fraction separable", vec![Series::new("simulated", x, y)])
                .overlay(Overlay::VLine { x: sim.critical_dim, label: format!("simulated N_c (α = {:.3})", sim.capacity) })
                .info("Random N-dim projections, random dichotomies, exact separability. Theory: N = P/α.");
            let theory = self.results[last]
                .get(self.sim_layer())
                .and_then(|r| r.mftma.as_ref());
            if let Some(t) = theory {
                ch = ch.overlay(Overlay::VLine {
                    x: p / t.capacity,
                    label: format!("MFTMA P/α (α = {:.3})", t.capacity),
                });
            }
            let glue_sim = self.results[last]
                .get(self.sim_layer())
                .and_then(|r| r.glue.as_ref());
            if let Some(g) = glue_sim.filter(|g| g.capacity.is_finite()) {
                ch = ch.overlay(Overlay::VLine {
                    x: p / g.capacity,
                    label: format!("GLUE P/α (α = {:.3})", g.capacity),
                });
            }
            charts.push(ch);
        }
        charts
    }
}

impl CapacityLab {
    /// The recording's charts: capacity of the data against shuffled
    /// labels and the simulation, and per category α_μ, R_μ, D_μ.
    fn recording_charts(&self) -> Vec<Chart> {
        let last = self.last_stage();
        let res = |l: usize| self.results[last].get(l).and_then(|r| r.mftma.as_ref());
        let alpha = |l: usize| res(l).map_or(f64::NAN, |r| r.capacity);
        let sim = match &self.sim {
            Some(Ok(s)) => s.capacity,
            _ => f64::NAN,
        };
        let mut bars = vec![
            "MFTMA".to_string(),
            "shuffled labels".into(),
            "simulated".into(),
        ];
        let mut values = vec![alpha(0), alpha(1), sim];
        if self.data.projected.is_some() {
            bars.push("projected".into());
            values.push(alpha(2));
        }
        let mut charts = vec![Chart::with_body(
            "capacity",
            "Capacity α: the recording against shuffled labels",
            "",
            "α",
            ChartBody::Bars {
                categories: bars,
                series: vec![Series::new("α", (0..values.len()).map(|i| i as f64).collect(), values)],
            },
        )
        .info("MFTMA's capacity of the 8 category manifolds; of the same volumes with their labels shuffled (chance geometry: the same points, classes of the same sizes); the simulated P/N_c of the simulated layer (when on); and of the voxels through a random projection (when on).")];
        let categories: Vec<String> = haxby::CATEGORIES.iter().map(|c| c.to_string()).collect();
        type Field = fn(&crate::metrics::capacity::ManifoldCapacity) -> f64;
        let fields: [(&str, &str, &str, Field); 3] = [
            (
                "capacity_by_category",
                "Capacity α_μ per category",
                "α_μ",
                |m| m.capacity,
            ),
            (
                "radius_by_category",
                "Radius R_μ per category",
                "R_μ",
                |m| m.radius,
            ),
            (
                "dimension_by_category",
                "Dimension D_μ per category",
                "D_μ",
                |m| m.dimension,
            ),
        ];
        for (id, title, y, f) in fields {
            let series = ["recording", "shuffled labels", "random projection"]
                .iter()
                .enumerate()
                .filter_map(|(l, name)| {
                    let r = res(l)?;
                    Some(Series::new(
                        name,
                        (0..r.manifolds.len()).map(|i| i as f64).collect(),
                        r.manifolds.iter().map(f).collect(),
                    ))
                })
                .collect();
            charts.push(
                Chart::with_body(id, title, "", y, ChartBody::Bars { categories: categories.clone(), series })
                    .info("Each category's manifold, in the recording and with shuffled labels (MFTMA, Chung, Lee & Sompolinsky 2018)."),
            );
        }
        charts
    }
}

fn stage_label(stage: usize) -> String {
    format!("stage {stage}")
}

impl Lab for CapacityLab {
    fn step(&mut self, n: u64) -> Result<(), LabError> {
        if let Some(reason) = &self.stopped {
            return Err(LabError::Diverged {
                step: self.step,
                detail: reason.clone(),
            });
        }
        for _ in 0..n {
            if self.step >= self.total {
                break;
            }
            let Some(phase) = self.plan.get(self.phase).cloned() else {
                break;
            };
            match phase {
                Phase::Train(t) => {
                    if self.trained < t {
                        let loss = self.train_step();
                        self.trained += 1;
                        self.step += 1;
                        self.last_loss = loss;
                        if !loss.is_finite() {
                            let detail = format!(
                                "the training loss is {loss}; try a smaller learning rate η"
                            );
                            self.stopped = Some(detail.clone());
                            return Err(LabError::Diverged {
                                step: self.step,
                                detail,
                            });
                        }
                    }
                    if self.trained >= t {
                        self.phase += 1;
                    }
                }
                Phase::Analyse {
                    stage,
                    layer,
                    budget,
                } => {
                    self.analyse_unit(stage, layer);
                    self.step += 1;
                    if self.running.as_ref().is_some_and(|r| r.used >= budget) {
                        self.running = None;
                        self.phase += 1;
                    }
                }
                Phase::Simulate { budget } => {
                    self.simulate_unit();
                    self.step += 1;
                    self.sim_used += 1;
                    if self.sim_used >= budget {
                        self.phase += 1;
                    }
                }
            }
        }
        Ok(())
    }

    fn steps_done(&self) -> u64 {
        self.step
    }

    fn total_steps(&self) -> u64 {
        self.total
    }

    fn is_done(&self) -> bool {
        self.phase >= self.plan.len() || self.step >= self.total || self.stopped.is_some()
    }

    fn notes(&self) -> Vec<String> {
        let mut notes = self.notes.clone();
        for row in &self.results {
            for r in row {
                if let Some(e) = &r.error {
                    notes.push(e.clone());
                }
                if let Some(e) = &r.glue_error {
                    notes.push(e.clone());
                }
            }
        }
        // GLUE's notes at the last stage (non-unique multipliers, …).
        let names = self.layer_names();
        for (l, r) in self.results[self.last_stage()].iter().enumerate() {
            for note in r.glue.iter().flat_map(|g| &g.notes) {
                notes.push(format!("GLUE, {}: {note}", names[l]));
            }
        }
        if let Some(Err(e)) = &self.sim {
            notes.push(format!("simulated capacity: {e}"));
        }
        let names = self.layer_names();
        let pointlike: Vec<String> = (0..self.n_layers())
            .filter_map(|l| {
                let a = self.results[self.last_stage()][l].align.as_ref()?;
                (a.without_axes > 0).then(|| {
                    format!(
                        "{} of {} in {}",
                        a.without_axes,
                        a.axis_matrix.nrows(),
                        names[l]
                    )
                })
            })
            .collect();
        if !pointlike.is_empty() {
            notes.push(format!(
                "axis alignments: manifolds with no spread above rounding (points) have no principal axis ({}); their pairs are left out, and a layer where none has an axis shows NaN",
                pointlike.join(", ")
            ));
        }
        notes
    }

    fn snapshot_unhashed(&self) -> Snapshot {
        Snapshot {
            lab: NAME.into(),
            step: self.step,
            total_steps: self.total,
            done: self.is_done(),
            stopped: self
                .stopped
                .as_ref()
                .map(|d| format!("stopped at step {}: {d}", self.step)),
            metrics: self.metrics(),
            charts: self.charts(),
            hash: String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labs::check;

    /// The lab at `seed` with `pairs` set as a link would set them (labs sit
    /// below `share` on DESIGN.md's floors, so no link parsing here).
    fn lab(seed: u64, pairs: &[(&str, &str)]) -> CapacityLab {
        let spec = spec();
        let mut c = LabConfig::defaults(&spec);
        c.seed = seed;
        for (key, text) in pairs {
            let (value, problem) = spec.param(key).unwrap().parse_text(text);
            assert!(problem.is_none(), "{key}={text}: {problem:?}");
            c.set(key, value);
        }
        let (c, warnings) = check(&c);
        assert!(warnings.is_empty(), "{warnings:?}");
        CapacityLab::new(&c)
    }

    /// A digits view with no noise is the image moved by (dx, dy) ∈
    /// {−1, 0, 1}², zero fill: a single lit pixel lands on one of its 9
    /// neighbours (or itself), every other pixel stays 0, and all 9 moves
    /// occur.
    #[test]
    fn digit_views_translate_by_one_pixel_with_zero_fill() {
        let c = lab(4, &[("objective", "infonce"), ("view_noise", "0")])
            .config
            .clone();
        let mut ssl = SelfSupervised::from_config(&c).unwrap();
        assert_eq!(ssl.shift, Shift::Image8x8);
        let mut x = DMatrix::zeros(400, 64);
        for i in 0..400 {
            x[(i, 3 * 8 + 4)] = 1.0; // row 3, column 4
        }
        let v = ssl.view(&x);
        let mut seen = [false; 9];
        for i in 0..400 {
            let lit: Vec<usize> = (0..64).filter(|&f| v[(i, f)] != 0.0).collect();
            assert_eq!(lit.len(), 1, "row {i}");
            let (r, col) = ((lit[0] / 8) as isize, (lit[0] % 8) as isize);
            let (dy, dx) = (r - 3, col - 4);
            assert!(dy.abs() <= 1 && dx.abs() <= 1);
            seen[((dy + 1) * 3 + dx + 1) as usize] = true;
            assert_eq!(v[(i, lit[0])], 1.0);
        }
        assert!(seen.iter().all(|&s| s));
        // A pixel on the border moved outwards falls off (zero fill).
        let mut edge = DMatrix::zeros(200, 64);
        for i in 0..200 {
            edge[(i, 0)] = 1.0;
        }
        let v = ssl.view(&edge);
        let kept = (0..200).filter(|&i| v.row(i).sum() == 1.0).count();
        let lost = (0..200).filter(|&i| v.row(i).sum() == 0.0).count();
        assert_eq!(kept + lost, 200);
        // Kept only when dx, dy ∈ {0, 1}: 4 of the 9 moves.
        assert!(kept > 50 && kept < 130, "{kept}");
    }

    /// Self-supervised training never reads a label: scrambling them leaves
    /// every weight the same, bit for bit; supervised training does not.
    #[test]
    fn self_supervised_training_never_reads_the_labels() {
        for (objective, blind) in [
            ("infonce", true),
            ("invariance", true),
            ("supervised", false),
        ] {
            let pairs = [("objective", objective), ("lr", "0.05"), ("n_t", "5")];
            let (mut a, mut b) = (lab(2, &pairs), lab(2, &pairs));
            b.data.y_train.rotate_left(1);
            for _ in 0..20 {
                a.train_step();
                b.train_step();
            }
            assert_eq!(a.net == b.net, blind, "{objective}");
        }
    }

    /// The credit rule still matters with a self-supervised objective: FA
    /// and DFA carry InfoNCE's output error to the hidden layers through
    /// their fixed random matrices, differ from backprop, and still learn
    /// (the loss falls below log B, its value for random embeddings; after
    /// 400 steps, seed 1: BP 2.63, FA 3.85, DFA 3.59 against log 64 = 4.16).
    #[test]
    fn the_rule_carries_the_self_supervised_error() {
        let mut nets = Vec::new();
        for rule in ["bp", "fa", "dfa"] {
            let mut l = lab(
                1,
                &[
                    ("objective", "infonce"),
                    ("rule", rule),
                    ("lr", "0.1"),
                    ("n_t", "5"),
                ],
            );
            let mut tail = 0.0;
            for s in 0..400 {
                let loss = l.train_step();
                if s >= 350 {
                    tail += loss / 50.0;
                }
            }
            let random = (64f64).ln();
            println!("{rule}: InfoNCE over the last 50 steps {tail:.3} (random {random:.3})");
            assert!(tail < random - 0.2, "{rule}: {tail}");
            nets.push(l.net.unwrap());
        }
        assert!(nets[0] != nets[1] && nets[0] != nets[2] && nets[1] != nets[2]);
    }
}
