//! The modularity lab (Dorrell, Hsu, …, Whittington, ICLR 2025, "Range, not
//! independence, drives modularity in biologically inspired
//! representations"; Whittington et al. ICLR 2023; Hsu et al. 2023 for the
//! InfoMEC metrics).
//!
//! A nonnegative, energy-efficient autoencoder encodes 2 or 3 sources. The
//! theory says its optimal code is modular (each neuron tuned to one source)
//! exactly when the sources' joint support is spread enough — the ellipse
//! xᵀS⁻¹x ≤ 1 inside the convex hull of the data — whatever their
//! correlation. The lab shows the sources with their hull and ellipse, the
//! theory's verdict and margin, and trains the network to compare.
//!
//! Formulas: `../shared/SCIENCE.md` §5 and [`crate::metrics::modularity`].
//!
//! Training: full batch, Adam. The learning rate drops ×0.1 at 60 % and
//! again at 80 % of the step cap (so Adam's jitter settles and the neurons'
//! angles can be read), and the run stops early once the loss has
//! plateaued at the last rate (relative change below 1e-7 over 1000 steps).

use nalgebra::DMatrix;

use super::references;
use crate::config::LabConfig;
use crate::data::sources::{self, SourceKind, SourceSpec};
use crate::labs::{Lab, LabError, LabSpec, Preset, StepUnit};
use crate::metrics::modularity::{self as m, PairwiseCondition};
use crate::nn::autoencoder::{Adam, Autoencoder, Energies, MLP_LATENTS};
use crate::params::ParamSpec;
use crate::rng::Rng;
use crate::snapshot::{Chart, ChartBody, Metric, Series, Snapshot};

mod charts;
mod recurrent;
mod rnn_freq;
mod rnn_grid;
mod rnn_presets;
mod rnn_teacher;

/// The lab's name in URLs.
pub const NAME: &str = "modularity";

/// Steps between plateau checks.
const PLATEAU_WINDOW: u64 = 1000;
/// Relative change of the loss over a window below which it has plateaued.
const PLATEAU_TOL: f64 = 1e-7;
/// Records of the metrics over a run.
const RECORDS: u64 = 100;
/// Fewer hand-drawn points than this are shown, but not analysed or trained on.
const MIN_POINTS: usize = 3;

/// The lab's parameters, in control-panel order.
pub fn spec() -> LabSpec {
    LabSpec {
        name: NAME.into(),
        title: "Modularity: range, not independence".into(),
        summary: "A nonnegative, energy-efficient autoencoder encodes two or three sources. The theory \
                  (Dorrell, Hsu, …, Whittington, ICLR 2025) says the optimal code is modular — each \
                  neuron tuned to one source — exactly when the ellipse xᵀS⁻¹x ≤ 1 fits inside the \
                  convex hull of the sources, whatever their correlation. Cutting a corner of the \
                  square (changing the support) mixes the code; oversampling the diagonal \
                  (correlating the sources, same support) does not. Critical legs in the continuum: \
                  one triangle corner L_c = 0.372, two triangles 0.274; a square corner stays modular \
                  for every L < 1 in the continuum (on a 21 × 21 lattice it flips at 0.60). The \
                  metric theory_critical_leg gives L_c for the lattice in use. \
                  Recurrent networks (the paper's Fig. 3 and 4, trained by backpropagation through \
                  time): rnn_freq turns pulses into two cosines, whose Lissajous curve is the \
                  sources' support; (2π, e) and (2, 5) reach the corners of the square, or nearly, \
                  but cos 4t = 2cos²2t − 1 traces a parabola that leaves two corners empty, so only \
                  the harmonic pair (2, 4) should mix. rnn_teacher trains a student RNN on a 2-unit \
                  teacher whose states are the sources (shrunk from the paper's 64 units, batch 128 \
                  and 60,001 steps to 32, 32 and 3,000 in the presets). rnn_grid walks 3 × 3 rooms \
                  and reads out its place and the displacement to a reward (5,000 steps in the \
                  presets; the paper's notebook shows 45,000 and more). In the paper its code \
                  modularises into place cells and reward-vector cells when the reward moves \
                  between rooms (linear conditional InfoM ≈ 0.96) and mixes when the reward never \
                  moves (≈ 0.62): place and reward are then one variable, as in the experiments \
                  where grid maps warp towards a fixed reward while object-vector cells keep a \
                  code of their own. The shrunk presets show the fixed reward lowest (0.58) but \
                  the moving reward's code far from modular (0.65)."
            .into(),
        params: vec![
            ParamSpec::choice(
                "dist",
                "Sources",
                &[
                    ("grid", "Square, 21 × 21 grid"),
                    ("square", "Square, uniform random"),
                    ("triangle", "Triangle corner cut"),
                    ("two_triangles", "Two triangle corners cut"),
                    ("square_corner", "Square corner cut"),
                    ("band", "Diagonal band"),
                    ("diagonal", "Diagonal oversampled"),
                    ("x_diagonals", "Both diagonals oversampled"),
                    ("points", "Hand-drawn points"),
                ],
                "grid",
            )
            .group("Sources")
            .help("The joint distribution of the sources. Cuts are taken from the lattice; 'diagonal' repeats the points near s1 = s2 (correlated, same support), 'x_diagonals' those near either diagonal (dependent, uncorrelated, same support). The teacher–student RNN draws from the same regions as continuous laws."),
            ParamSpec::integer("sources", "Sources", 2, 3, 2)
                .group("Sources")
                .help("Two or three sources; cuts act on the first two, a third is independent. With three the theory is checked pairwise."),
            ParamSpec::number("leg", "Cut leg L", 0.0, 1.0, 0.5)
                .group("Sources")
                .help("Leg of the cut corner(s) or square; the band keeps |s1 − s2| ≤ 1 − L."),
            ParamSpec::integer("grid_n", "Lattice levels", 5, 61, 21)
                .unit("per source")
                .group("Sources")
                .help("Levels per source of the lattice (at most 11 with three sources)."),
            ParamSpec::integer("n", "Random samples", 20, 5000, 1000)
                .group("Sources")
                .help("Samples of the uniform random square."),
            ParamSpec::integer("diag_extra", "Diagonal oversampling", 0, 20, 6)
                .group("Sources")
                .help("Extra copies of a point on the diagonal (fewer off it, Gaussian of width 0.1)."),
            ParamSpec::text("points", "Points", "", 8000)
                .group("Sources")
                .help("Hand-drawn points x,y;x,y;… (4 decimals), used when Sources is 'Hand-drawn points'. Draw them on the source scatter (click to add, drag to move, shift-click to delete) or upload a CSV or NPY file of N × 2 numbers there."),
            ParamSpec::choice(
                "model",
                "Model",
                &[
                    ("linear", "Linear autoencoder"),
                    ("mlp", "MLP autoencoder"),
                    ("rnn_freq", "RNN: two frequencies"),
                    ("rnn_teacher", "RNN: teacher–student"),
                    ("rnn_grid", "RNN: entorhinal (rooms and reward)"),
                ],
                "linear",
            )
            .group("Model")
            .help("Linear: z = W1 s + b1, ŝ = W2 z + b2. MLP: d → 16 → ReLU → 6 latents → 16 → ReLU → d, small initial weights (N(0, (0.3/√fan_in)²), as the paper's code). The RNNs (trained by backpropagation through time, Adam at a constant rate): rnn_freq turns pulses at two frequencies into their cosines; rnn_teacher learns a 2-unit teacher RNN whose states are the sources; rnn_grid walks 3 × 3 rooms and reads out its place and the displacement to a reward."),
            ParamSpec::integer("latents", "Latents (linear)", 2, 32, 16)
                .group("Model")
                .help("Latent neurons of the linear autoencoder (the MLP has 6)."),
            ParamSpec::integer("hidden", "Hidden units (RNN)", 2, 128, 16)
                .group("Model")
                .help("Units of the recurrent network: 16 in the paper's frequency RNNs, 64 in its teacher–student and entorhinal models."),
            ParamSpec::choice(
                "rnn_act",
                "Nonlinearity (rnn_freq)",
                &[("linear", "Linear"), ("relu", "ReLU")],
                "linear",
            )
            .group("Model")
            .help("The frequency RNN's φ in h ← φ(W_rec h + b_rec + W_in x + b_in). The ReLU network gets its pulses at (f1 ± f2)/2, as the paper's code."),
            ParamSpec::choice(
                "freqs",
                "Frequencies (rnn_freq)",
                &[
                    ("irrational", "(2π, e)"),
                    ("rational", "(2, 5)"),
                    ("harmonic", "(2, 4)"),
                ],
                "irrational",
            )
            .group("Model")
            .help("The two target frequencies, in rad per unit time: cos f1 t and cos f2 t over 200 steps of 0.1."),
            ParamSpec::number("oversample", "Oversampled share (rnn_teacher)", 0.0, 1.0, 1.0)
                .group("Model")
                .help("For 'diagonal' and 'x_diagonals': the share of the teacher's states forced into the diagonal band(s) of half-width 0.1; the rest are uniform on the square."),
            ParamSpec::integer("batch", "Batch (rnn_teacher)", 1, 256, 32)
                .unit("sequences")
                .group("Model")
                .help("Sequences of 20 steps per Adam step (128 in the paper)."),
            ParamSpec::number("reward_fixed", "Reward fixed (rnn_grid)", 0.0, 1.0, 0.0)
                .group("Model")
                .help("The share of rooms whose reward sits at the fixed place (1, 1); elsewhere it is at a uniform random place."),
            ParamSpec::integer("rooms", "Rooms per step (rnn_grid)", 1, 50, 10)
                .group("Model")
                .help("Rooms (each with its own walk) per Adam step; 10 in the paper."),
            ParamSpec::integer("walk", "Walk length (rnn_grid)", 2, 50, 25)
                .unit("steps")
                .group("Model")
                .help("Steps of each random walk; 25 in the paper."),
            ParamSpec::log_number("act", "Activity energy λ_act", 1e-6, 1.0, 1e-3)
                .group("Energies (linear)")
                .help("Weight of ½·mean‖z‖²."),
            ParamSpec::log_number("neg", "Negativity λ_neg", 1e-4, 10.0, 0.5)
                .group("Energies (linear)")
                .help("Weight of mean Σ relu(−z)."),
            ParamSpec::log_number("wd", "Weight energy λ_w", 1e-7, 1e-1, 1e-4)
                .group("Energies (linear)")
                .help("Weight of ½(‖W1‖² + ‖W2‖²)."),
            ParamSpec::log_number("mlp_act", "Activity energy λ_act", 1e-6, 1.0, 1e-2)
                .group("Energies (MLP)")
                .help("Weight of mean over samples and latents of z² (the paper's code's activation_energy)."),
            ParamSpec::log_number("mlp_neg", "Negativity λ_neg", 1e-4, 10.0, 1.0)
                .group("Energies (MLP)")
                .help("Weight of mean over samples and latents of relu(−z) (activation_negativity)."),
            ParamSpec::log_number("mlp_wd", "Weight energy λ_w", 1e-7, 1e-1, 1e-4)
                .group("Energies (MLP)")
                .help("Weight of Σ‖W‖² over the MLP's weights, biases free (weight_energy)."),
            ParamSpec::log_number("lr", "Learning rate", 1e-5, 1e-1, 1e-3)
                .group("Training")
                .help("Adam's learning rate. The autoencoders drop it ×0.1 at 60 % and 80 % of the steps; the RNNs keep it constant, as the paper's code (7.5e-4 for the frequency RNNs, 2e-3 teacher–student, 1e-3 entorhinal)."),
            ParamSpec::integer("steps", "Step cap", 100, 200_000, 25_000)
                .unit("steps")
                .group("Training")
                .help("Full-batch Adam steps at most; the run stops earlier once the loss plateaus at the last rate."),
        ],
        presets: [presets(), rnn_presets::presets()].concat(),
        sweep_metrics: [
            "theory_margin",
            "theory_modular",
            "theory_critical_leg",
            "max_mixing_angle",
            "ncmi_infom",
            "freq_modularity",
        ]
        .map(String::from)
        .to_vec(),
        step_unit: StepUnit::new(
            "step",
            "One full-batch Adam step. The run may stop before the step cap once the loss plateaus.",
        ),
        references: vec![references::dorrell_2025(), references::whittington_2023(), references::hsu_2023()],
    }
}

fn presets() -> Vec<Preset> {
    let p = Preset::new;
    vec![
        p(
            "A modular square",
            "Independent sources on the 21 × 21 grid: the ellipse touches the hull (margin 0, the tight case) and the trained code is modular: every active neuron's weights lie on an axis (the most-mixed angle is ≈ 0.002 rad).",
            "v=1&lab=modularity&seed=1&dist=grid&model=linear",
        ),
        p(
            "A cut corner mixes",
            "Cut a triangle of leg 0.6 from the grid: the ellipse pokes out of the hull, the margin is negative (≈ −0.36), and the trained network grows a neuron at 45° (π/4). The sources are only weakly correlated (ρ ≈ −0.30).",
            "v=1&lab=modularity&seed=1&dist=triangle&leg=0.6&model=linear",
        ),
        p(
            "Correlation vs range: diagonal oversampled (modular)",
            "The grid with its diagonal oversampled: the sources are correlated (ρ ≈ 0.51) but cover the whole square (margin 0), and the code stays modular. Compare with the diagonal band below.",
            "v=1&lab=modularity&seed=1&dist=diagonal&diag_extra=6&model=linear",
        ),
        p(
            "Correlation vs range: diagonal band (mixed)",
            "The grid cut to the band |s1 − s2| ≤ 0.6: the sources are less correlated than with the oversampled diagonal (ρ ≈ 0.35 against 0.51), but two corners of the support are gone, the margin is negative (≈ −0.39) and the code mixes: a neuron at 45°.",
            "v=1&lab=modularity&seed=1&dist=band&leg=0.4&model=linear",
        ),
        p(
            "The MLP autoencoder: a modular square",
            "The nonlinear autoencoder (d → 16 → ReLU → 6 latents → 16 → ReLU → d) with the paper's energies and small initial weights, on the 21 × 21 grid: every active latent is tuned to one source.",
            "v=1&lab=modularity&seed=1&dist=grid&model=mlp&steps=12000",
        ),
        p(
            "The MLP autoencoder: a cut corner mixes",
            "The same MLP with a triangle of leg 0.9 cut from the grid: the theory says mixed, and a latent tunes to both sources at 45°.",
            "v=1&lab=modularity&seed=1&dist=triangle&leg=0.9&model=mlp&steps=12000",
        ),
        p(
            "The theory's boundary: sweep the leg L",
            "Ten legs from 0.1 to 1, one run each: the margin turns negative past the lattice's L_c (0.35 on the 21 × 21 grid, the metric theory_critical_leg; 0.372 in the continuum) and the trained network's most-mixed angle jumps from ≈ 0 to π/4 by L = 0.6. Between, the optimiser lags the theory: at L = 0.4 the network is still modular, at 0.5 slightly mixed.",
            "v=1&lab=modularity&seed=1&dist=triangle&model=linear&steps=20000&sweep=leg:lin:0.1:1:10",
        ),
    ]
}

/// One metric's time series.
struct Trace {
    key: &'static str,
    label: &'static str,
    info: &'static str,
    values: Vec<f64>,
}

/// The modularity lab.
pub struct Modularity {
    x: DMatrix<f64>,
    theory: Result<PairwiseCondition, String>,
    critical_leg: f64,
    correlation: f64,
    multi_info: f64,
    net: Autoencoder,
    adam: Adam,
    energies: Energies,
    lr: f64,
    steps: u64,
    step: u64,
    plateaued: bool,
    window_loss: f64,
    record_every: u64,
    record_steps: Vec<f64>,
    traces: Vec<Trace>,
    stopped: Option<String>,
    notes: Vec<String>,
}

/// The cut kinds with a critical leg.
fn is_cut(kind: SourceKind) -> bool {
    matches!(
        kind,
        SourceKind::Triangle
            | SourceKind::TwoTriangles
            | SourceKind::SquareCorner
            | SourceKind::Band
    )
}

impl Modularity {
    pub fn new(config: &LabConfig) -> Self {
        let mut notes = Vec::new();
        let dist = config.choice("dist");
        let n_sources = config.int("sources").clamp(2, 3);
        let mut spec = SourceSpec {
            kind: SourceKind::from_key(&dist).unwrap_or(SourceKind::Grid),
            n_sources,
            leg: config.num("leg").clamp(0.0, 1.0),
            grid_n: config.int("grid_n").max(2),
            n_random: config.int("n").max(3),
            diagonal_extra: config.int("diag_extra"),
        };
        let mut data_rng = Rng::fork(config.seed, 1);
        let x = if dist == "points" {
            match sources::parse_point_list(&config.choice("points")) {
                Ok(p) if p.nrows() < MIN_POINTS => {
                    notes.push(format!(
                        "{} point(s) drawn: click on the source scatter to add points (the theory and the network need at least {MIN_POINTS})",
                        p.nrows()
                    ));
                    p
                }
                Ok(p) => {
                    if p.ncols() != n_sources {
                        notes.push(format!(
                            "the points have {} coordinates each: using {} sources",
                            p.ncols(),
                            p.ncols()
                        ));
                    }
                    p
                }
                Err(e) => {
                    notes.push(format!("{e}; showing the 21 × 21 grid instead"));
                    spec.kind = SourceKind::Grid;
                    sources::generate(&spec, &mut data_rng)
                }
            }
        } else {
            sources::generate(&spec, &mut data_rng)
        };
        let enough = x.nrows() >= MIN_POINTS;
        let theory = if enough {
            m::pairwise_condition(&x)
        } else {
            Err(format!("{} point(s)", x.nrows()))
        };
        if let (Err(e), true) = (&theory, enough) {
            notes.push(format!("the theory's condition is undefined here: {e}"));
        }
        if x.ncols() == 3 {
            notes.push("three sources: the theory's condition is checked on each pair of sources (pairwise, an assumption)".into());
        }
        if let Ok(t) = &theory {
            if spec.kind == SourceKind::Square && dist != "points" && t.margin < 0.0 {
                notes.push(format!(
                    "random samples of a square are the tight case: their hull edges sit a little off the axes, giving a margin of {:.4} (≈ −1/√N); the grid is exactly tight",
                    t.margin
                ));
            }
        }
        let critical_leg = if is_cut(spec.kind) && dist != "points" {
            critical_leg(&spec)
        } else {
            f64::NAN
        };
        let (correlation, multi_info) = if enough {
            (
                m::correlation(
                    &x.column(0).iter().copied().collect::<Vec<_>>(),
                    &x.column(1).iter().copied().collect::<Vec<_>>(),
                ),
                m::normalised_multi_information(&x),
            )
        } else {
            (f64::NAN, f64::NAN)
        };
        let mlp = config.choice("model") == "mlp";
        let mut net_rng = Rng::fork(config.seed, 2);
        let (net, energies) = if mlp {
            (
                Autoencoder::mlp(x.ncols(), &mut net_rng),
                Energies::mlp(
                    config.num("mlp_act"),
                    config.num("mlp_neg"),
                    config.num("mlp_wd"),
                    MLP_LATENTS,
                ),
            )
        } else {
            (
                Autoencoder::linear(x.ncols(), config.int("latents").max(1), &mut net_rng),
                Energies {
                    rec: 1.0,
                    act: config.num("act"),
                    neg: config.num("neg"),
                    weight: config.num("wd"),
                },
            )
        };
        let lr = config.num("lr");
        let steps = config.int("steps").max(1) as u64;
        let trace = |key, label, info| Trace {
            key,
            label,
            info,
            values: Vec::new(),
        };
        let mut lab = Modularity {
            x,
            theory,
            critical_leg,
            correlation,
            multi_info,
            net,
            adam: Adam::new(lr),
            energies,
            lr,
            steps,
            step: 0,
            plateaued: false,
            window_loss: f64::NAN,
            record_every: (steps / RECORDS).max(1),
            record_steps: Vec::new(),
            traces: vec![
                trace("infom", "InfoM", "InfoM (Hsu et al. 2023): NMI_ij = I(s_i; z_j)/H(s_i) by a binned plug-in estimator (10 equal-width bins per variable); active latents have range > 0.1 × the largest; InfoM = (mean_j max_i NMI_ij/Σ_i NMI_ij − 1/d)/(1 − 1/d). 1 = modular."),
                trace("infoc", "InfoC", "InfoC (Hsu et al. 2023): the same over sources, (mean_i max_j NMI_ij/Σ_j NMI_ij − 1/a)/(1 − 1/a), a active latents. 1 = each source in one neuron."),
                trace("ncmi_infom", "Linear conditional InfoM", "The papers' main measure: NCMI_ij = r(z_j, s_i)²/(1 − R²(s_i|s₋i)) on standardised data, clipped to [0, 1], then the InfoM formula (Dorrell et al. 2025; kylehkhsu/modular)."),
                trace("max_mixing_angle", "Most-mixed neuron angle", "For each active latent with tuning w over the sources (|W1| row; for the MLP a least-squares slope), the angle to the nearest source axis, arctan(a/b) folded to [0, π/4] for two sources. The maximum, in radians: 0 modular, π/4 ≈ 0.785 fully mixed."),
                trace("loss", "Loss", "MSE + λ_act·½·mean‖z‖² + λ_neg·mean Σ relu(−z) + λ_w·½Σ‖W‖² on the full batch."),
            ],
            stopped: None,
            notes,
        };
        if enough {
            lab.record();
        }
        lab
    }

    /// The lab for a configuration: the autoencoders here, the recurrent
    /// models in their own files.
    pub fn boxed(config: &LabConfig) -> Box<dyn Lab> {
        match config.choice("model").as_str() {
            "rnn_freq" => Box::new(rnn_freq::build(config)),
            "rnn_teacher" => Box::new(rnn_teacher::build(config)),
            "rnn_grid" => Box::new(rnn_grid::build(config)),
            _ => Box::new(Self::new(config)),
        }
    }

    /// Whether there are enough points to analyse and train on.
    fn enough_points(&self) -> bool {
        self.x.nrows() >= MIN_POINTS
    }

    /// The learning rate at step `t` (×0.1 at 60 % and 80 % of the cap).
    fn lr_at(&self, t: u64) -> f64 {
        if t >= self.steps * 8 / 10 {
            self.lr * 0.01
        } else if t >= self.steps * 6 / 10 {
            self.lr * 0.1
        } else {
            self.lr
        }
    }

    fn tuning(&self, z: &DMatrix<f64>) -> Vec<Vec<f64>> {
        if self.net.layers.len() == 2 {
            let w = &self.net.layers[0].w;
            (0..w.nrows())
                .map(|j| (0..w.ncols()).map(|k| w[(j, k)]).collect())
                .collect()
        } else {
            m::linear_tuning(&self.x, z)
        }
    }

    fn record(&mut self) {
        let z = self.net.encode(&self.x);
        let active = m::active_latents(&z);
        let (infom, infoc) = m::info_m_c(&m::nmi_binned(&self.x, &z, m::BINS), &active);
        let ncmi = m::info_m_c(&m::linear_ncmi(&self.x, &z), &active).0;
        let angle = m::max_mixing_angle(&self.tuning(&z), &active);
        let loss = self.net.loss(&self.x, &self.energies).total;
        for (t, v) in self
            .traces
            .iter_mut()
            .zip([infom, infoc, ncmi, angle, loss])
        {
            t.values.push(v);
        }
        self.record_steps.push(self.step as f64);
    }

    fn charts(&self) -> Vec<Chart> {
        let col = |k: usize| self.x.column(k).iter().copied().collect::<Vec<f64>>();
        let scatter = charts::sources_chart(
            "sources",
            "Sources, their convex hull and the theory's ellipse",
            ("source 1", "source 2"),
            vec![Series::new("samples", col(0), col(1))],
            &self.theory,
            "The ellipse {x : (x − mean)ᵀS⁻¹(x − mean) = 1}, S = [[e1², −c], [−c, e2²]], e_k = min(|min s̃_k|, |max s̃_k|), c = mean(s̃1 s̃2). Modular iff it lies inside the convex hull (Dorrell et al. 2025).",
        );
        let (mut ax, mut ay, mut sx, mut sy) = (vec![], vec![], vec![], vec![]);
        let (tuning, active) = if self.enough_points() {
            let z = self.net.encode(&self.x);
            (self.tuning(&z), m::active_latents(&z))
        } else {
            (vec![], vec![])
        };
        for (w, a) in tuning.iter().zip(&active) {
            let (vx, vy) = (w[0], w.get(1).copied().unwrap_or(0.0));
            if *a {
                ax.push(vx);
                ay.push(vy);
            } else {
                sx.push(vx);
                sy.push(vy);
            }
        }
        let arrows = Chart::with_body(
            "tuning",
            "Neurons' tuning in source space",
            "weight on source 1",
            "weight on source 2",
            ChartBody::Arrows {
                series: vec![
                    Series::new("active neurons", ax, ay),
                    Series::new("silent neurons", sx, sy),
                ],
            },
        )
        .info("Each latent neuron's weights (W1 row for the linear model; least-squares slopes of z_j on the sources for the MLP) as an arrow. Modular: every active arrow on an axis.");
        let t = &self.record_steps;
        let series = |i: usize| {
            Series::new(
                self.traces[i].label,
                t.clone(),
                self.traces[i].values.clone(),
            )
        };
        let metrics = Chart::lines(
            "metrics",
            "Modularity over training",
            "step",
            "value",
            vec![series(0), series(1), series(2), series(3)],
        );
        let loss = Chart::lines("loss", "Loss", "step", "loss", vec![series(4)]).log_y();
        vec![scatter, arrows, metrics, loss]
    }
}

/// The lattice's critical leg for a cut kind: the largest L at which the
/// theory still says modular, by bisection on [0, 1] (40 halvings), or NaN
/// if the verdict does not change over [0, 1).
fn critical_leg(spec: &SourceSpec) -> f64 {
    let verdict = |l: f64| {
        let s = SourceSpec {
            leg: l,
            ..spec.clone()
        };
        let x = sources::generate(&s, &mut Rng::new(0));
        m::pairwise_condition(&x)
            .map(|c| c.modular)
            .unwrap_or(false)
    };
    let (mut a, mut b) = (0.0, 0.99);
    if !verdict(a) || verdict(b) {
        return f64::NAN;
    }
    for _ in 0..40 {
        let mid = 0.5 * (a + b);
        if verdict(mid) {
            a = mid;
        } else {
            b = mid;
        }
    }
    a
}

impl Lab for Modularity {
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
            self.adam.lr = self.lr_at(self.step);
            let (parts, grads) = self.net.loss_and_grads(&self.x, &self.energies, true);
            if !parts.total.is_finite() {
                let detail = format!("the loss is {}; try a smaller learning rate", parts.total);
                self.stopped = Some(detail.clone());
                return Err(LabError::Diverged {
                    step: self.step,
                    detail,
                });
            }
            if let Some(g) = grads {
                self.adam.step(&mut self.net, &g);
            }
            self.step += 1;
            if self.step.is_multiple_of(PLATEAU_WINDOW) {
                let now = self.net.loss(&self.x, &self.energies).total;
                let last_stage = self.step >= self.steps * 8 / 10;
                if last_stage
                    && self.window_loss.is_finite()
                    && (self.window_loss - now).abs() <= PLATEAU_TOL * self.window_loss.abs()
                {
                    self.plateaued = true;
                }
                self.window_loss = now;
            }
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
        self.step >= self.steps || self.plateaued || self.stopped.is_some() || !self.enough_points()
    }

    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }

    fn snapshot_unhashed(&self) -> Snapshot {
        let (modular, margin) = match &self.theory {
            Ok(t) => (if t.modular { 1.0 } else { 0.0 }, t.margin),
            Err(_) => (f64::NAN, f64::NAN),
        };
        let pairwise = if self.x.ncols() > 2 {
            " (pairwise over the sources, an assumption)"
        } else {
            ""
        };
        let mut metrics = vec![
            Metric {
                key: "theory_modular".into(),
                label: format!("Theory: modular{pairwise}"),
                value: modular,
                info: "1 if the optimal nonnegative efficient code is modular: for every hull edge with outward unit normal u and support h, h² ≥ uᵀSu (Dorrell et al. 2025), allowing −1e-3 for the tight case.".into(),
            },
            Metric {
                key: "theory_margin".into(),
                label: "Theory: margin".into(),
                value: margin,
                info: "min over hull edges of h² − uᵀSu, with each source in units of its e_k (so it does not change when a source is rescaled). 0 on a full square (tight), negative when the code mixes.".into(),
            },
            Metric {
                key: "theory_critical_leg".into(),
                label: "Theory: critical leg L_c".into(),
                value: self.critical_leg,
                info: "For a cut: the largest L at which the theory still says modular, on this lattice (bisection). Continuum values: one triangle 0.372, two triangles 0.274.".into(),
            },
        ];
        for t in &self.traces {
            metrics.push(Metric {
                key: t.key.into(),
                label: t.label.into(),
                value: t.values.last().copied().unwrap_or(f64::NAN),
                info: t.info.into(),
            });
        }
        metrics.push(Metric {
            key: "source_correlation".into(),
            label: "Source correlation ρ(s1, s2)".into(),
            value: self.correlation,
            info: "Pearson correlation of sources 1 and 2.".into(),
        });
        metrics.push(Metric {
            key: "multi_information".into(),
            label: "Sources' normalised multi-information".into(),
            value: self.multi_info,
            info: "(Σ_i H(s_i) − H(s))/Σ_i H(s_i), binned plug-in entropies (10 bins per source), clipped to [0, 1]; 0 for independent sources.".into(),
        });
        Snapshot {
            lab: NAME.into(),
            step: self.step,
            total_steps: self.steps,
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
