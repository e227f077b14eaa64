//! Your data, analysed: the labs' metrics on a [`Recording`] read from a
//! user's file (`data::files`), as a [`Snapshot`] with its result hash, so
//! that the page ("Your data") and `neurogeom analyze` print the same bits.
//!
//! Per layer, each analysis is chosen by a checkbox of [`Settings`]:
//! - **MFTMA** (`metrics::capacity`, Chung, Lee & Sompolinsky 2018; Cohen
//!   et al. 2020): capacity α_M, radius R_M, dimension D_M, centre
//!   correlation ρ_c and K, with the margin κ and n_t Gaussian samples; one
//!   manifold per class, of at most `max_points` points (a seeded
//!   subsample, `metrics::capacity::subsample`; 0 keeps every point).
//! - **GLUE** (`metrics::capacity::glue`, Chou et al. 2024/2025): the
//!   capacity of correlated manifolds from one joint QP per sample, its
//!   effective radius, dimension and utility, and the anchor centres'
//!   alignments; off by default (n_t joint QPs over up to `glue_points`
//!   points per class: seconds on 50 classes). Its labels, centring, points
//!   per manifold and n_t are settings, named in every GLUE ⓘ.
//! - **Simulated capacity** (`metrics::capacity::simulated`): α_sim = P/N_c,
//!   with independent or balanced random dichotomies (`sim_labels`), on the
//!   same points as MFTMA.
//! - **Alignments** (`metrics::alignment`): centre, axis and centre–axis
//!   alignment with [`ALIGNMENT_AXES`] principal axes per manifold.
//! - **Dimensionality** (`metrics::covariance`, Gao et al. 2017):
//!   participation ratio (Σλ)²/Σλ² of the covariance, PCs for 90% of the
//!   variance.
//! - **Neural collapse** (`metrics::collapse`, Papyan, Han & Donoho 2020):
//!   NC1 = Tr(Σ_W Σ_B⁺)/C and the class means' NC2 (equinorm,
//!   equiangularity). Uploaded data has no classifier, so NC3/NC4 are not
//!   reported.
//! - **CKA between layers** (`metrics::similarity::linear_cka_centred`,
//!   Kornblith et al. 2019), when there are several layers.
//! - **RDM** (`metrics::similarity::rdm`, Kriegeskorte et al. 2008): 1 −
//!   Pearson r between the class means of the last layer.
//! - **PCA scatter** of the last layer's rows on its first two PCs, one
//!   colour per class.
//!
//! **Row order.** The rows are put in class order first (stable), so the
//! results do not depend on the order in which the classes appear in the
//! file: with classes numbered in sorted order (`data::files`), the same
//! points give the same bits.
//!
//! **Shared work.** Each layer's centred data and its second moment (the
//! covariance, or the Gram matrix when there are fewer samples than
//! features), with their eigen-decompositions, are computed once
//! ([`Centred`]) and serve the participation ratio, the PCs, the PCA
//! scatter and CKA; a layer's [`Centred`] is dropped after its last use.
//! The capacity analyses read each class's rows straight from the layer's
//! data (`metrics::capacity::Points::Rows`), so no copy of the whole data
//! is made per class. Peak memory is about twice the data's f64 size.
//!
//! The headline metrics (keys `capacity`, `radius`, `dimension`,
//! `center_correlation`, `K`, `participation_ratio`, …) are the last
//! layer's; with several layers every metric is also drawn against the
//! layer (a Profile chart per metric). Keys of analyses left unchecked are
//! absent, except the six above, which are always present (NaN when not
//! computed) so that scripts can read them.
//!
//! The work is cut into units ([`Job::advance`]): a unit of the MFTMA job,
//! or one other analysis of one layer. The result does not depend on how
//! the units are chunked, nor on whether MFTMA runs on a thread of its own
//! ([`Job::run_to_end`], natively): MFTMA draws from `Rng::fork(seed, ·)`
//! and the simulated capacity from its own seed, and every analysis is a
//! pure function of the data, so the page (wasm, in a worker, with progress
//! and cancel) and the CLI give the same hash.

use std::sync::Arc;

use nalgebra::DMatrix;
use serde::Serialize;

use crate::data::files::Recording;
use crate::metrics::alignment::alignment_of;
use crate::metrics::capacity::glue::{Centring, GlueJob, GlueOptions, GlueResult, LabelRule};
use crate::metrics::capacity::simulated::{Dichotomies, SimulatedJob, SimulatedOptions};
use crate::metrics::capacity::subsample::subsample_rows;
#[cfg(not(target_arch = "wasm32"))]
use crate::metrics::capacity::ManifoldWork;
use crate::metrics::capacity::{CapacityError, MftmaJob, MftmaOptions, MftmaResult, Points};
use crate::metrics::collapse::feature_collapse;
use crate::metrics::covariance::Centred;
use crate::metrics::similarity::{linear_cka_centred, rdm};
use crate::snapshot::{Chart, ChartBody, Heatmap, Metric, Series, Snapshot};

/// The snapshot's `lab` name (it enters the result hash).
pub const LAB: &str = "analyze";

/// Principal axes per manifold for the alignments.
pub const ALIGNMENT_AXES: usize = 5;

/// Most points drawn in the PCA scatter (evenly strided beyond).
pub const SCATTER_MAX_POINTS: usize = 5000;

/// The largest `max_points` taken (0 means every point).
pub const MAX_POINTS_LIMIT: usize = 10_000_000;

/// Which analyses to run, and their parameters.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    pub mftma: bool,
    /// MFTMA's margin κ.
    pub kappa: f64,
    /// MFTMA's Gaussian samples per manifold.
    pub n_t: usize,
    /// At most this many points per manifold for MFTMA and the simulated
    /// capacity (a seeded subsample); 0 = every point.
    pub max_points: usize,
    pub simulated: bool,
    /// Random dichotomies per projection dimension of the simulated capacity.
    pub sim_repetitions: usize,
    /// How the simulated capacity's dichotomies are drawn (`random`:
    /// independent ±1 per class, the default; `balanced`: half the classes
    /// +1).
    pub sim_labels: Dichotomies,
    /// GLUE (off by default).
    pub glue: bool,
    /// GLUE's Gaussian samples (t, y).
    pub glue_n_t: usize,
    /// GLUE's points per manifold, at most (a seeded subsample).
    pub glue_points: usize,
    pub glue_labels: LabelRule,
    pub glue_centre: Centring,
    pub alignment: bool,
    pub dimensionality: bool,
    pub collapse: bool,
    pub cka: bool,
    pub rdm: bool,
    pub pca: bool,
    pub seed: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            mftma: true,
            kappa: 0.0,
            n_t: MftmaOptions::default().n_t,
            max_points: 0,
            simulated: false,
            sim_repetitions: 20,
            sim_labels: Dichotomies::Random,
            glue: false,
            glue_n_t: GlueOptions::default().n_t,
            glue_points: GlueOptions::default().max_points,
            glue_labels: LabelRule::Random,
            glue_centre: Centring::None,
            alignment: true,
            dimensionality: true,
            collapse: true,
            cka: true,
            rdm: true,
            pca: true,
            seed: 0,
        }
    }
}

impl Settings {
    /// The options handed to MFTMA (the direct API's defaults otherwise).
    pub fn mftma_options(&self) -> MftmaOptions {
        MftmaOptions {
            kappa: self.kappa,
            n_t: self.n_t,
            seed: self.seed,
            data_dimensionality: false,
            ..MftmaOptions::default()
        }
    }

    /// The options handed to GLUE.
    pub fn glue_options(&self) -> GlueOptions {
        GlueOptions {
            n_t: self.glue_n_t,
            max_points: self.glue_points,
            labels: self.glue_labels,
            centre: self.glue_centre,
            seed: self.seed,
        }
    }

    /// Range checks, with a message naming the setting.
    pub fn check(&self) -> Result<(), String> {
        self.glue_options().check().map_err(|e| e.to_string())?;
        if !self.kappa.is_finite() || self.kappa.abs() > 100.0 {
            return Err(format!(
                "kappa must be a number in [-100, 100], got {}",
                self.kappa
            ));
        }
        if self.n_t == 0 || self.n_t > 100_000 {
            return Err(format!("n_t must be 1 to 100000, got {}", self.n_t));
        }
        if self.max_points == 1 || self.max_points > MAX_POINTS_LIMIT {
            return Err(format!(
                "max_points must be 0 (every point) or 2 to {MAX_POINTS_LIMIT}, got {}",
                self.max_points
            ));
        }
        if self.sim_repetitions == 0 || self.sim_repetitions > 10_000 {
            return Err(format!(
                "sim_repetitions must be 1 to 10000, got {}",
                self.sim_repetitions
            ));
        }
        Ok(())
    }
}

/// One layer's scalar results (NaN where not computed).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LayerResult {
    pub name: String,
    /// (key, value) in the order they were computed (the snapshot orders
    /// them as [`METRIC_INFO`] does).
    pub metrics: Vec<(String, f64)>,
    /// Per manifold (class): α_M, R_M, D_M (empty without MFTMA).
    pub manifold_capacity: Vec<f64>,
    pub manifold_radius: Vec<f64>,
    pub manifold_dimension: Vec<f64>,
}

impl LayerResult {
    pub fn get(&self, key: &str) -> Option<f64> {
        self.metrics.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }
}

/// The keys, labels and ⓘ texts of the per-layer metrics, with each
/// convention stated (README, "Your data").
pub const METRIC_INFO: &[(&str, &str, &str)] = &[
    ("capacity", "capacity α_M", "MFTMA manifold capacity α = 1/mean_μ(1/α_μ), one manifold per class (Chung, Lee & Sompolinsky, PRX 2018; Cohen et al., Nat Commun 2020)"),
    ("radius", "radius R_M", "MFTMA manifold radius, mean over manifolds: sqrt(mean_t ‖δs̃/s̃₀‖²) (Chung et al. 2018)"),
    ("dimension", "dimension D_M", "MFTMA manifold dimension, mean over manifolds: D·(mean_t t̂·ŝ)² (Chung et al. 2018)"),
    ("center_correlation", "centre correlation ρ_c", "mean |cos| between the class centres, each minus the mean of the class centres (as the published fun_FA; the same quantity as the centre alignment) (Cohen et al. 2020)"),
    ("K", "K", "rank of the centres' shared structure removed before MFTMA (Cohen et al. 2020)"),
    ("simulated_capacity", "simulated capacity α_sim", "P/N_c, N_c the projection dimension where half of random dichotomies of the manifolds are linearly separable; sim_labels=random draws each class's ±1 independently (as the published code), sim_labels=balanced makes half the classes +1 (Cohen et al. 2020)"),
    ("glue_capacity", "GLUE capacity α", "GLUE: P/E[a], a = (St)ᵀ(SSᵀ)⁺(St) = ‖t − v*‖², v* the joint QP's solution for random labels y and t ~ N(0, I): the capacity of the manifolds with their correlations (Chou et al., bioRxiv 2024; Chou, Le, Wang & Chung, ICML 2025, Algorithm 2)"),
    ("glue_capacity_se", "GLUE capacity s.e.", "Monte Carlo standard error of the GLUE capacity, α·sd(a)/(√n_t·E[a])"),
    ("glue_radius", "GLUE radius R", "GLUE effective radius √(E[c]/E[b − c]), from the anchors' axis parts s₁ = s − s₀ (Chou et al. 2024; arXiv 2603.01879 B.3)"),
    ("glue_dimension", "GLUE dimension D", "GLUE effective dimension E[b]/P, b = (S₁t)ᵀ(S₁S₁ᵀ)⁺(S₁t) (Chou et al. 2024)"),
    ("glue_utility", "GLUE utility Ψ", "GLUE effective utility E[c]/E[a], c = (S₁t)ᵀ(S₀S₀ᵀ + S₁S₁ᵀ)⁺(S₁t); α = Ψ(1 + R⁻²)/D exactly (arXiv 2603.01879 B.3)"),
    ("glue_center_alignment", "GLUE centre alignment", "mean over pairs of classes of |cos(s₀^μ, s₀^ν)|, s₀ the mean anchor point (absolute cosines; Chou et al. 2024)"),
    ("glue_axis_alignment", "GLUE axis alignment", "mean over samples and pairs of active classes of |cos(s₁^μ, s₁^ν)| (absolute cosines)"),
    ("glue_center_axis_alignment", "GLUE centre–axis alignment", "mean over samples and pairs of active classes of |cos(s₀^μ, s₁^ν)| (absolute cosines)"),
    ("center_alignment", "centre alignment", "mean over pairs of classes of |cos(u_μ, u_ν)|, u_μ the class centre minus the mean of the class centres (not the mean of all points: the two differ when classes have unequal sizes), as ρ_c (Cohen et al. 2020)"),
    ("axis_alignment", "axis alignment", "mean over pairs of ‖A_μᵀA_ν‖²_F/min(k_μ, k_ν), A the (up to) 5 top principal axes of each class: the mean cos² of the pair's principal angles, 1 for identical subspaces (Cohen et al. 2020)"),
    ("center_axis_alignment", "centre–axis alignment", "mean over pairs of ‖A_νᵀu_μ‖²/‖u_μ‖², u_μ as in the centre alignment (Cohen et al. 2020)"),
    ("participation_ratio", "participation ratio", "(Σλ)²/Σλ² of the covariance of all rows (Gao et al. 2017)"),
    ("pcs_90", "PCs for 90% variance", "fewest principal components holding ≥ 90% of the variance (numpy's argmax(cumsum ≥ 0.9) + 1)"),
    ("nc1", "NC1", "Tr(Σ_W Σ_B⁺)/C: within-class spread against the spread of the class means, Σ_B from the class means minus μ_G, μ_G the mean of the class means (not of all points) (Papyan, Han & Donoho 2020)"),
    ("nc2_equinorm", "NC2 equinorm", "std/mean of the norms ‖μ_c − μ_G‖, μ_G the mean of the class means, std with ddof = 1 (C − 1 denominator, as Papyan et al.'s code; numpy's default ddof = 0 gives √((C−1)/C) times this); undefined with 2 classes"),
    ("nc2_equiangular", "NC2 equiangularity", "mean |cos(μ_c − μ_G, μ_c' − μ_G) + 1/(C−1)| over pairs of classes, μ_G the mean of the class means (Papyan et al. 2020); undefined with 2 classes"),
];

/// Keys always present in the snapshot's metrics.
const ALWAYS: [&str; 6] = [
    "capacity",
    "radius",
    "dimension",
    "center_correlation",
    "K",
    "participation_ratio",
];

/// Where a job is.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
    /// What is being computed ("layer_1: MFTMA").
    pub stage: String,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Task {
    Mftma,
    Simulated,
    Glue,
    Alignment,
    Dimensionality,
    Collapse,
    Rdm,
    Pca,
    Cka,
}

impl Task {
    fn name(self) -> &'static str {
        match self {
            Task::Mftma => "MFTMA",
            Task::Simulated => "simulated capacity",
            Task::Glue => "GLUE",
            Task::Alignment => "alignments",
            Task::Dimensionality => "dimensionality",
            Task::Collapse => "neural collapse",
            Task::Rdm => "RDM",
            Task::Pca => "PCA",
            Task::Cka => "CKA between layers",
        }
    }
}

/// A whole analysis' outcome: the snapshot (with its hash), every layer's
/// results, and the notes of what was done that the user should know.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysis {
    pub snapshot: Snapshot,
    pub layers: Vec<LayerResult>,
    pub notes: Vec<String>,
}

/// The analysis of a recording, run in chunks: build with [`Job::new`],
/// call [`Job::advance`] until it returns true (or [`Job::run_to_end`]),
/// then [`Job::snapshot`]. Cancelling is dropping the job.
pub struct Job {
    settings: Settings,
    /// Each layer's data (samples × features), shared with the capacity
    /// analyses without a copy.
    data: Vec<Arc<DMatrix<f64>>>,
    names: Vec<String>,
    labels: Vec<usize>,
    class_names: Vec<String>,
    /// The rows of each class, in row order.
    class_rows: Vec<Vec<usize>>,
    /// The rows of each class the capacity analyses read: all, or a seeded
    /// subsample of `max_points`.
    capacity_rows: Vec<Vec<usize>>,
    notes: Vec<String>,
    /// Every analysis in order: (layer, task).
    plan: Vec<(usize, Task)>,
    /// The plan's next entry.
    next: usize,
    mftma: Option<MftmaJob>,
    /// MFTMA runs elsewhere (natively, on a thread): its entries are skipped.
    mftma_apart: bool,
    glue: Option<GlueJob>,
    /// GLUE's results per layer (notes for the ⓘ texts).
    glue_results: Vec<Option<GlueResult>>,
    /// Threads for GLUE's samples and MFTMA's own thread (native only).
    threads: usize,
    /// Each layer's centred data and second moment, while a task needs it.
    centred: Vec<Option<Centred>>,
    /// The plan index of the last task that reads each layer's [`Centred`].
    last_use: Vec<Option<usize>>,
    results: Vec<LayerResult>,
    rdm: Option<DMatrix<f64>>,
    cka: Option<Vec<f64>>,
    pca: Option<DMatrix<f64>>,
    done_units: usize,
}

impl Job {
    /// Check the settings and the recording (at least 2 classes of at
    /// least 2 points each) and prepare the work.
    pub fn new(recording: Recording, settings: &Settings) -> Result<Job, String> {
        settings.check()?;
        if recording.layers.is_empty() {
            return Err("the file holds no data".into());
        }
        let c = recording.n_classes();
        if c < 2 {
            return Err(format!(
                "the analyses need at least 2 classes; the labels hold {c}"
            ));
        }
        if recording.labels.iter().any(|&l| l >= c) {
            return Err("a row's class is out of range".into());
        }
        let mut recording = recording;
        group_by_class(&mut recording);
        let mut class_rows = vec![Vec::new(); c];
        for (i, &l) in recording.labels.iter().enumerate() {
            class_rows[l].push(i);
        }
        for (k, rows) in class_rows.iter().enumerate() {
            if rows.len() < 2 {
                return Err(format!(
                    "class '{}' has {} point(s); every class needs at least 2",
                    recording.class_names[k],
                    rows.len()
                ));
            }
        }
        let capacity_rows = subsample_rows(&class_rows, settings.max_points, settings.seed);
        let mut notes = Vec::new();
        let cut = class_rows
            .iter()
            .filter(|r| r.len() > settings.max_points && settings.max_points > 0)
            .count();
        let capacity_on = settings.mftma || settings.simulated;
        if cut > 0 && capacity_on {
            let largest = class_rows.iter().map(Vec::len).max().unwrap_or(0);
            notes.push(format!(
                "MFTMA{} used at most {} points per class: {cut} of {c} classes (up to {largest} points) were subsampled with the seed ({}); the other analyses use every point",
                if settings.simulated { " and the simulated capacity" } else { "" },
                settings.max_points,
                settings.seed
            ));
        }
        let n_layers = recording.layers.len();
        let last = n_layers - 1;
        let mut plan = Vec::new();
        for l in 0..n_layers {
            if settings.mftma {
                plan.push((l, Task::Mftma));
            }
            if settings.simulated {
                plan.push((l, Task::Simulated));
            }
            if settings.glue {
                plan.push((l, Task::Glue));
            }
            if settings.alignment {
                plan.push((l, Task::Alignment));
            }
            // The participation ratio is a headline key: always computed.
            plan.push((l, Task::Dimensionality));
            if settings.collapse {
                plan.push((l, Task::Collapse));
            }
            if l == last && settings.rdm {
                plan.push((l, Task::Rdm));
            }
            if l == last && settings.pca {
                plan.push((l, Task::Pca));
            }
        }
        if settings.cka && n_layers > 1 {
            plan.push((last, Task::Cka));
        }
        let mut last_use = vec![None; n_layers];
        for (i, &(l, task)) in plan.iter().enumerate() {
            match task {
                Task::Dimensionality | Task::Pca => last_use[l] = Some(i),
                Task::Cka => last_use.iter_mut().for_each(|u| *u = Some(i)),
                _ => {}
            }
        }
        let results = recording
            .layers
            .iter()
            .map(|l| LayerResult {
                name: l.name.clone(),
                metrics: Vec::new(),
                manifold_capacity: vec![],
                manifold_radius: vec![],
                manifold_dimension: vec![],
            })
            .collect();
        let names = recording.layers.iter().map(|l| l.name.clone()).collect();
        let data = recording
            .layers
            .into_iter()
            .map(|l| Arc::new(l.x))
            .collect();
        Ok(Job {
            settings: settings.clone(),
            data,
            names,
            labels: recording.labels,
            class_names: recording.class_names,
            class_rows,
            capacity_rows,
            notes,
            plan,
            next: 0,
            mftma: None,
            mftma_apart: false,
            glue: None,
            glue_results: vec![None; n_layers],
            threads: 1,
            centred: (0..n_layers).map(|_| None).collect(),
            last_use,
            results,
            rdm: None,
            cka: None,
            pca: None,
            done_units: 0,
        })
    }

    /// Compute GLUE's samples on this many threads, and MFTMA on a thread
    /// of its own beside the other analyses when more than 1 (natively;
    /// each is independent and handed back in order, so the hash does not
    /// depend on the count). 1 by default.
    pub fn set_threads(&mut self, threads: usize) {
        self.threads = threads.max(1);
    }

    pub fn is_done(&self) -> bool {
        self.next >= self.plan.len()
    }

    /// What the analysis did that the user should know (subsampling).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The class names, in class order.
    pub fn class_names(&self) -> &[String] {
        &self.class_names
    }

    /// Units done and an estimate of the total (MFTMA's centre search can
    /// stop early, so the total can shrink).
    pub fn progress(&self) -> Progress {
        // An MFTMA job not yet started: its centre search (≤ p·restarts)
        // and p manifolds, estimated as 2p units.
        let mftma_guess = 2 * self.class_names.len();
        // A GLUE job not yet started: its Gram (≈ 1 unit) and three passes
        // over its samples.
        let glue_guess = 3 * self.settings.glue_n_t + 1;
        let mut remaining = 0;
        for (i, &(_, task)) in self.plan.iter().enumerate().skip(self.next) {
            remaining += match task {
                Task::Mftma if self.mftma_apart => 0,
                Task::Mftma => match (&self.mftma, i == self.next) {
                    (Some(j), true) => {
                        let pr = j.progress();
                        pr.total - pr.done
                    }
                    _ => mftma_guess,
                },
                Task::Glue => match (&self.glue, i == self.next) {
                    (Some(j), true) => {
                        let (done, total) = j.progress();
                        total - done
                    }
                    _ => glue_guess,
                },
                _ => 1,
            };
        }
        let stage = match self.plan.get(self.next) {
            None => "done".to_string(),
            Some((_, Task::Cka)) => Task::Cka.name().to_string(),
            Some(&(l, task)) => format!("{}: {}", self.names[l], task.name()),
        };
        Progress {
            done: self.done_units,
            total: self.done_units + remaining,
            stage,
        }
    }

    /// The points of layer `l` the capacity analyses read.
    fn capacity_points(&self, l: usize) -> Points<'static> {
        Points::Rows {
            x: Arc::clone(&self.data[l]),
            rows: self.capacity_rows.clone(),
        }
    }

    /// Do up to `max_units` units. Ok(true) once everything is done; an
    /// error names the layer and what failed.
    pub fn advance(&mut self, max_units: usize) -> Result<bool, String> {
        let mut left = max_units;
        while left > 0 && !self.is_done() {
            let (l, task) = self.plan[self.next];
            if task == Task::Mftma && self.mftma_apart {
                self.next += 1;
                continue;
            }
            let name = self.names[l].clone();
            let fail = |e: String| match task {
                Task::Cka => format!("{}: {e}", task.name()),
                _ => format!("{name}: {}: {e}", task.name()),
            };
            let finished = if task == Task::Mftma {
                if self.mftma.is_none() {
                    let job = MftmaJob::from_points(
                        self.capacity_points(l),
                        &self.settings.mftma_options(),
                    )
                    .map_err(|e| fail(describe(&e, &self.class_names)))?;
                    self.mftma = Some(job);
                }
                let job = self.mftma.as_mut().expect("just set");
                let before = job.progress().done;
                let done = job
                    .advance(left)
                    .map_err(|e| fail(describe(&e, &self.class_names)));
                let used = (job.progress().done - before).max(1);
                let done = done?;
                left = left.saturating_sub(used);
                self.done_units += used;
                if done {
                    let r = job.result().expect("done without error");
                    self.mftma = None;
                    store_mftma(&mut self.results[l], &r);
                }
                done
            } else if task == Task::Glue {
                if self.glue.is_none() {
                    let manifolds: Vec<DMatrix<f64>> = self
                        .class_rows
                        .iter()
                        .map(|rows| {
                            let x = &self.data[l];
                            DMatrix::from_fn(rows.len(), x.ncols(), |i, j| x[(rows[i], j)])
                        })
                        .collect();
                    let job = GlueJob::new(&manifolds, &self.settings.glue_options())
                        .map_err(|e| fail(describe(&e, &self.class_names)))?;
                    self.glue = Some(job);
                }
                let job = self.glue.as_mut().expect("just set");
                let before = job.progress().0;
                #[cfg(not(target_arch = "wasm32"))]
                if self.threads > 1 {
                    job.run_samples_threaded(self.threads);
                }
                let done = job.advance(left);
                let used = (job.progress().0 - before).max(1);
                left = left.saturating_sub(used);
                self.done_units += used;
                if done {
                    let r = job.result().expect("done");
                    self.glue = None;
                    store_glue(&mut self.results[l], &r);
                    self.glue_results[l] = Some(r);
                }
                done
            } else {
                self.run_task(task, l).map_err(fail)?;
                left -= 1;
                self.done_units += 1;
                true
            };
            if finished {
                for (layer, u) in self.last_use.iter().enumerate() {
                    if *u == Some(self.next) {
                        self.centred[layer] = None;
                    }
                }
                self.next += 1;
            }
        }
        Ok(self.is_done())
    }

    /// Layer `l`'s centred data and second moment (made on first use).
    fn centred(&mut self, l: usize) -> &Centred {
        if self.centred[l].is_none() {
            self.centred[l] = Some(Centred::new(&self.data[l]).with_dsyevd());
        }
        self.centred[l].as_ref().expect("just set")
    }

    fn run_task(&mut self, task: Task, l: usize) -> Result<(), String> {
        match task {
            Task::Mftma | Task::Glue => unreachable!("handled in advance"),
            Task::Simulated => {
                let opts = SimulatedOptions {
                    repetitions: self.settings.sim_repetitions,
                    seed: self.settings.seed,
                    dichotomies: self.settings.sim_labels,
                };
                let mut job = SimulatedJob::from_points(&self.capacity_points(l), &opts)
                    .map_err(|e| describe(&e, &self.class_names))?;
                while !job.advance(usize::MAX) {}
                let s = job.result().expect("advance returned true").capacity;
                self.results[l]
                    .metrics
                    .push(("simulated_capacity".into(), s));
            }
            Task::Alignment => {
                let points = Points::Rows {
                    x: Arc::clone(&self.data[l]),
                    rows: self.class_rows.clone(),
                };
                let a = alignment_of(&points, ALIGNMENT_AXES)
                    .map_err(|e| describe(&e, &self.class_names))?;
                let out = &mut self.results[l].metrics;
                out.push(("center_alignment".into(), a.center_alignment));
                out.push(("axis_alignment".into(), a.axis_alignment));
                out.push(("center_axis_alignment".into(), a.center_axis_alignment));
            }
            Task::Dimensionality => {
                // The PCA of this layer will need the eigenvectors: solve
                // once, and read the eigenvalues from them.
                let pca_later = self.plan[self.next..]
                    .iter()
                    .any(|&(layer, t)| layer == l && t == Task::Pca);
                let c = self.centred(l);
                if pca_later {
                    c.eigenpairs();
                }
                let (pr, pcs) = (c.participation_ratio(), c.pcs_for_variance(0.9));
                let out = &mut self.results[l].metrics;
                out.push(("participation_ratio".into(), pr));
                out.push(("pcs_90".into(), pcs as f64));
            }
            Task::Collapse => {
                let nc = feature_collapse(&self.data[l], &self.labels, self.class_names.len())?;
                let out = &mut self.results[l].metrics;
                out.push(("nc1".into(), nc.nc1));
                out.push(("nc2_equinorm".into(), nc.nc2_equinorm_means));
                out.push(("nc2_equiangular".into(), nc.nc2_equiangular_means));
            }
            Task::Rdm => {
                let means = class_means(&self.data[l], &self.labels, self.class_names.len());
                self.rdm = Some(rdm(&means));
            }
            Task::Pca => {
                let scores = self.centred(l).pca_scores(2);
                self.pca = Some(scores);
            }
            Task::Cka => {
                let n = self.data.len();
                for layer in 0..n {
                    self.centred(layer);
                }
                let mut values = vec![0.0; n * n];
                for i in 0..n {
                    for j in 0..n {
                        values[i * n + j] = if i == j {
                            1.0
                        } else if j < i {
                            values[j * n + i]
                        } else {
                            let (a, b) = (&self.centred[i], &self.centred[j]);
                            linear_cka_centred(
                                a.as_ref().expect("made above"),
                                b.as_ref().expect("made above"),
                            )
                        };
                    }
                }
                self.cka = Some(values);
            }
        }
        Ok(())
    }

    /// Run every remaining unit. Natively, with MFTMA on and more than one
    /// core, the MFTMA of every layer runs on a thread of its own while the
    /// other analyses run here. MFTMA's centre search runs each K's
    /// restarts on the threads; its manifolds are shared
    /// ([`crate::metrics::capacity::ManifoldWork`]) with this thread once
    /// its own analyses are done, and with any threads beyond two. The
    /// same bits as [`Job::advance`] in any
    /// chunks (each analysis is a pure function of its inputs, MFTMA's
    /// manifolds are combined in manifold order, and the first error in
    /// plan order is the one reported).
    pub fn run_to_end(&mut self) -> Result<(), String> {
        #[cfg(not(target_arch = "wasm32"))]
        if self.settings.mftma && self.next == 0 && self.mftma.is_none() && self.threads > 1 {
            return self.run_mftma_apart();
        }
        while !self.advance(usize::MAX)? {}
        Ok(())
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn run_mftma_apart(&mut self) -> Result<(), String> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let layers: Vec<usize> = self
            .plan
            .iter()
            .filter(|(_, t)| *t == Task::Mftma)
            .map(|(l, _)| *l)
            .collect();
        let points: Vec<Points<'static>> =
            layers.iter().map(|&l| self.capacity_points(l)).collect();
        let options = self.settings.mftma_options();
        let class_names = self.class_names.clone();
        let names = self.names.clone();
        // Layers above this one need no MFTMA: an earlier layer failed here.
        let limit = AtomicUsize::new(usize::MAX);
        self.mftma_apart = true;
        let pool = WorkPool::default();
        let threads = self.threads;
        let (apart, here) = std::thread::scope(|s| {
            let handle = s.spawn(|| {
                // Tell the helpers that no more work will come, however
                // this thread ends.
                let _closing = Closing(&pool);
                crate::gemm::with_threads(1, || {
                    let mut out: Vec<Result<(MftmaResult, usize), String>> = Vec::new();
                    for (&l, p) in layers.iter().zip(points) {
                        if l > limit.load(Ordering::Relaxed) {
                            break;
                        }
                        let fail = |e: &CapacityError| {
                            format!(
                                "{}: {}: {}",
                                names[l],
                                Task::Mftma.name(),
                                describe(e, &class_names)
                            )
                        };
                        let stopped = || l > limit.load(Ordering::Relaxed);
                        let run = MftmaJob::from_points(p, &options).and_then(|mut job| {
                            // The centre search: each K's restarts on
                            // `threads` threads (beside the analysis
                            // thread's own work: the cores are shared).
                            while job.stage() == crate::metrics::capacity::Stage::Centers
                                && !stopped()
                            {
                                job.centres_threaded(threads);
                            }
                            // The manifolds, shared with the analysis
                            // thread once it is free, and with the threads
                            // beyond two.
                            if !stopped() {
                                if let Some(work) = job.manifold_work() {
                                    pool.publish(Some(Arc::clone(&work)));
                                    std::thread::scope(|s| {
                                        for _ in 2..threads {
                                            s.spawn(|| {
                                                crate::gemm::with_threads(1, || work.help())
                                            });
                                        }
                                        work.help();
                                    });
                                    work.wait();
                                    pool.publish(None);
                                    job.finish_manifolds(&work);
                                }
                            }
                            while !stopped() && !job.advance(1)? {}
                            Ok(job)
                        });
                        match run {
                            Ok(job) => match job.result() {
                                Some(r) => out.push(Ok((r, job.progress().done))),
                                None => break, // stopped: a layer below failed
                            },
                            Err(e) => {
                                out.push(Err(fail(&e)));
                                break;
                            }
                        }
                    }
                    out
                })
            });
            let here = (|| -> Result<(), String> {
                while !self.advance(usize::MAX)? {}
                Ok(())
            })();
            if here.is_err() {
                let l = self.plan.get(self.next).map_or(usize::MAX, |p| p.0);
                limit.store(l, Ordering::Relaxed);
            } else {
                crate::gemm::with_threads(1, || {
                    while let Some(work) = pool.next() {
                        work.help();
                    }
                });
            }
            (handle.join(), here)
        });
        self.mftma_apart = false;
        let apart =
            apart.map_err(|_| "MFTMA: the analysis thread stopped unexpectedly".to_string())?;
        // The first error in plan order: MFTMA comes first within a layer.
        let failed_here = here
            .as_ref()
            .err()
            .map(|_| self.plan.get(self.next).map_or(usize::MAX, |p| p.0));
        for (i, r) in apart.into_iter().enumerate() {
            let l = layers[i];
            match r {
                Ok((result, units)) => {
                    if failed_here.is_some_and(|f| l > f) {
                        break;
                    }
                    store_mftma(&mut self.results[l], &result);
                    self.done_units += units;
                }
                Err(e) => {
                    if failed_here.is_none_or(|f| l <= f) {
                        return Err(e);
                    }
                    break;
                }
            }
        }
        here
    }

    /// Per-layer results (complete once done).
    pub fn layers(&self) -> &[LayerResult] {
        &self.results
    }

    /// The snapshot with its result hash, once done.
    pub fn snapshot(&self) -> Option<Snapshot> {
        if !self.is_done() {
            return None;
        }
        let mut s = self.build_snapshot();
        s.step = self.done_units as u64;
        s.total_steps = self.done_units as u64;
        s.hash = crate::run::result_hash(&s);
        Some(s)
    }
}

/// MFTMA's manifolds on offer to the analysis thread (native only): the
/// MFTMA thread publishes each layer's [`ManifoldWork`] while it works on
/// it, and closes the pool when it ends; [`WorkPool::next`] waits for work
/// with a manifold left to take, or None once the pool is closed.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Default)]
struct WorkPool {
    /// The work on offer, and whether the pool is closed.
    state: std::sync::Mutex<(Option<Arc<ManifoldWork>>, bool)>,
    changed: std::sync::Condvar,
}

#[cfg(not(target_arch = "wasm32"))]
impl WorkPool {
    fn lock(&self) -> std::sync::MutexGuard<'_, (Option<Arc<ManifoldWork>>, bool)> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn publish(&self, work: Option<Arc<ManifoldWork>>) {
        self.lock().0 = work;
        self.changed.notify_all();
    }

    fn close(&self) {
        let mut state = self.lock();
        state.0 = None;
        state.1 = true;
        self.changed.notify_all();
    }

    fn next(&self) -> Option<Arc<ManifoldWork>> {
        let mut state = self.lock();
        loop {
            if state.1 {
                return None;
            }
            if let Some(w) = state.0.as_ref().filter(|w| w.has_pending()) {
                return Some(Arc::clone(w));
            }
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// Closes the pool when dropped (also when the MFTMA thread panics, so that
/// the analysis thread never waits for nothing).
#[cfg(not(target_arch = "wasm32"))]
struct Closing<'a>(&'a WorkPool);

#[cfg(not(target_arch = "wasm32"))]
impl Drop for Closing<'_> {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// Put the rows in class order (stable: within a class, the file's order),
/// so that every result is the same bits whatever order the classes first
/// appear in: every sum over rows then runs in the same order. Classes are
/// already numbered in canonical (sorted) order by `data::files`. Permuted
/// in place, one column at a time (no copy of the data).
fn group_by_class(rec: &mut Recording) {
    let labels = &rec.labels;
    if labels.windows(2).all(|w| w[0] <= w[1]) {
        return;
    }
    let mut order: Vec<usize> = (0..labels.len()).collect();
    crate::sort::sort_by(&mut order, &|&a, &b| labels[a].cmp(&labels[b]));
    let mut column = vec![0.0; labels.len()];
    for layer in rec.layers.iter_mut() {
        for mut col in layer.x.column_iter_mut() {
            for (c, v) in column.iter_mut().zip(col.iter()) {
                *c = *v;
            }
            for (dst, &src) in col.iter_mut().zip(&order) {
                *dst = column[src];
            }
        }
    }
    rec.labels = order.iter().map(|&i| rec.labels[i]).collect();
}

/// A capacity error with the class's label in place of its index, and the
/// way on when MFTMA cannot run on this data.
fn describe(e: &CapacityError, class_names: &[String]) -> String {
    let class = |mu: usize| {
        class_names
            .get(mu)
            .map(|n| format!("class '{}'", crate::params::shorten(n)))
            .unwrap_or_else(|| format!("manifold {mu}"))
    };
    let way_on = "run without MFTMA (--no-mftma; on the page, untick MFTMA) for the other analyses";
    match e {
        CapacityError::ZeroCenter { manifold } => format!(
            "{}'s centre is zero after removing the centres' shared structure (up to rounding), so its capacity is undefined; {way_on}",
            class(*manifold)
        ),
        CapacityError::CentresCoincide => format!("{e}; {way_on}"),
        CapacityError::NotFinite { manifold } => {
            format!("{} contains a NaN or infinite value", class(*manifold))
        }
        CapacityError::TooFewPoints { manifold, points } => format!(
            "{} has {points} point(s); each class needs at least 2",
            class(*manifold)
        ),
        CapacityError::AtOrigin { manifold } => format!(
            "{} has every point at the origin (after GLUE's centring), so no readout through the origin separates it and the capacity is undefined; run without GLUE for the other analyses",
            class(*manifold)
        ),
        other => other.to_string(),
    }
}

fn store_mftma(layer: &mut LayerResult, r: &MftmaResult) {
    let m = &mut layer.metrics;
    m.push(("capacity".into(), r.capacity));
    m.push(("radius".into(), r.radius));
    m.push(("dimension".into(), r.dimension));
    m.push(("center_correlation".into(), r.center_correlation));
    m.push(("K".into(), r.k as f64));
    layer.manifold_capacity = r.manifolds.iter().map(|x| x.capacity).collect();
    layer.manifold_radius = r.manifolds.iter().map(|x| x.radius).collect();
    layer.manifold_dimension = r.manifolds.iter().map(|x| x.dimension).collect();
}

fn store_glue(layer: &mut LayerResult, r: &GlueResult) {
    let m = &mut layer.metrics;
    m.push(("glue_capacity".into(), r.capacity));
    m.push(("glue_capacity_se".into(), r.capacity_se));
    m.push(("glue_radius".into(), r.radius));
    m.push(("glue_dimension".into(), r.dimension));
    m.push(("glue_utility".into(), r.utility));
    m.push(("glue_center_alignment".into(), r.center_alignment));
    m.push(("glue_axis_alignment".into(), r.axis_alignment));
    m.push(("glue_center_axis_alignment".into(), r.center_axis_alignment));
}

/// Run a whole analysis in one call ([`Job::run_to_end`]), on every core
/// natively ([`crate::gemm::max_threads`]; one thread in wasm).
pub fn analyze(recording: Recording, settings: &Settings) -> Result<Analysis, String> {
    analyze_threaded(recording, settings, crate::gemm::max_threads())
}

/// [`analyze`] on at most `threads` threads (natively; ignored in wasm):
/// the same bits whatever the count.
pub fn analyze_threaded(
    recording: Recording,
    settings: &Settings,
    threads: usize,
) -> Result<Analysis, String> {
    let mut job = Job::new(recording, settings)?;
    job.set_threads(threads);
    crate::gemm::with_threads(threads.max(1), || job.run_to_end())?;
    let snapshot = job.snapshot().expect("done");
    Ok(Analysis {
        snapshot,
        layers: job.results,
        notes: job.notes,
    })
}

/// What a GLUE ⓘ adds: the open choices, and the last layer's notes (the
/// non-unique-multiplier note beside the radius, dimension and utility,
/// every note beside the capacity).
fn glue_info(key: &str, settings: &Settings, glue: Option<&GlueResult>) -> String {
    let mut out = format!(" Settings: {}.", settings.glue_options().describe());
    let Some(r) = glue else {
        return out;
    };
    let shares_note = matches!(key, "glue_radius" | "glue_dimension" | "glue_utility");
    for note in &r.notes {
        if key == "glue_capacity" || (shares_note && note.contains("non-unique")) {
            out.push_str(&format!(" Note: {note}."));
        }
    }
    out
}

/// The metric keys present, in display order: those of [`METRIC_INFO`]
/// that some layer computed, plus the always-present six.
fn present_keys(
    results: &[LayerResult],
) -> Vec<&'static (&'static str, &'static str, &'static str)> {
    METRIC_INFO
        .iter()
        .filter(|(k, _, _)| ALWAYS.contains(k) || results.iter().any(|r| r.get(k).is_some()))
        .collect()
}

impl Job {
    fn build_snapshot(&self) -> Snapshot {
        let results = &self.results;
        let last = results.last().expect("at least one layer");
        let several = results.len() > 1;
        let keys = present_keys(results);
        let metrics = keys
            .iter()
            .map(|(key, label, info)| {
                let mut info = if several {
                    format!("{info}. Value of the last layer ({}).", last.name)
                } else {
                    info.to_string()
                };
                if key.starts_with("glue_") {
                    if !info.ends_with('.') {
                        info.push('.');
                    }
                    let glue = self.glue_results.last().and_then(|r| r.as_ref());
                    info.push_str(&glue_info(key, &self.settings, glue));
                }
                Metric {
                    key: key.to_string(),
                    label: label.to_string(),
                    value: last.get(key).unwrap_or(f64::NAN),
                    info,
                }
            })
            .collect();
        let mut charts = Vec::new();
        let layer_names: Vec<String> = results.iter().map(|r| r.name.clone()).collect();
        if several {
            for (key, label, info) in &keys {
                if !results.iter().any(|r| r.get(key).is_some()) {
                    continue;
                }
                let x: Vec<f64> = (0..results.len()).map(|i| i as f64).collect();
                let y: Vec<f64> = results
                    .iter()
                    .map(|r| r.get(key).unwrap_or(f64::NAN))
                    .collect();
                charts.push(
                    Chart::with_body(
                        &format!("layer_{key}"),
                        &format!("{label} by layer"),
                        "layer",
                        label,
                        ChartBody::Profile {
                            categories: layer_names.clone(),
                            series: vec![Series::new(label, x, y)],
                        },
                    )
                    .info(info),
                );
            }
        }
        let classes = self.class_names.clone();
        let c = classes.len();
        if !last.manifold_capacity.is_empty() {
            let x: Vec<f64> = (0..c).map(|i| i as f64).collect();
            for (id, label, values) in [
                ("manifold_capacity", "capacity α_M", &last.manifold_capacity),
                ("manifold_radius", "radius R_M", &last.manifold_radius),
                (
                    "manifold_dimension",
                    "dimension D_M",
                    &last.manifold_dimension,
                ),
            ] {
                charts.push(
                    Chart::with_body(
                        id,
                        &format!("{label} per class ({})", last.name),
                        "class",
                        label,
                        ChartBody::Bars {
                            categories: classes.clone(),
                            series: vec![Series::new(label, x.clone(), values.clone())],
                        },
                    )
                    .info("MFTMA per manifold (one manifold per class), Chung, Lee & Sompolinsky 2018"),
                );
            }
        }
        if let Some(d) = &self.rdm {
            let mut map = Heatmap::new(c, c, d.transpose().as_slice().to_vec(), "1 − r");
            // 1 − r lies in [0, 2].
            map.value_range = Some([0.0, 2.0]);
            map.x_values = (0..c).map(|i| i as f64).collect();
            map.y_values = map.x_values.clone();
            charts.push(
                Chart::heatmap(
                    "rdm",
                    &format!("RDM of the class means ({})", last.name),
                    "class",
                    "class",
                    map,
                )
                .info("1 − Pearson r between class means across features (Kriegeskorte, Mur & Bandettini 2008)"),
            );
        }
        if let Some(values) = &self.cka {
            let l = results.len();
            charts.push(
                Chart::heatmap(
                    "cka",
                    "linear CKA between layers",
                    "layer",
                    "layer",
                    Heatmap {
                        // CKA lies in [0, 1].
                        value_range: Some([0.0, 1.0]),
                        ..Heatmap::new(l, l, values.clone(), "CKA")
                    },
                )
                .info(
                    "linear CKA = ‖YᵀX‖²_F/(‖XᵀX‖_F‖YᵀY‖_F), columns centred (Kornblith et al. 2019)",
                ),
            );
        }
        if let Some(scores) = &self.pca {
            let n = scores.nrows();
            let stride = n.div_ceil(SCATTER_MAX_POINTS).max(1);
            let series = (0..c)
                .map(|k| {
                    let rows: Vec<usize> = (0..n)
                        .step_by(stride)
                        .filter(|&i| self.labels[i] == k)
                        .collect();
                    Series::new(
                        &self.class_names[k],
                        rows.iter().map(|&i| scores[(i, 0)]).collect(),
                        rows.iter().map(|&i| scores[(i, 1)]).collect(),
                    )
                })
                .collect();
            charts.push(
                Chart::scatter(
                    "pca",
                    &format!("PCA of {} by class", last.name),
                    "PC 1",
                    "PC 2",
                    series,
                )
                .info("rows projected on the first two principal components of the centred data"),
            );
        }
        Snapshot {
            lab: LAB.into(),
            step: 0,
            total_steps: 0,
            done: true,
            stopped: None,
            metrics,
            charts,
            hash: String::new(),
        }
    }
}

/// Class means (C × features), summed in row order.
pub fn class_means(x: &DMatrix<f64>, labels: &[usize], c: usize) -> DMatrix<f64> {
    let mut m = DMatrix::zeros(c, x.ncols());
    let mut counts = vec![0usize; c];
    for &l in labels {
        counts[l] += 1;
    }
    // Column by column (both matrices' storage order), rows in order: each
    // sum runs over its class's rows in row order.
    for (xc, mut mc) in x.column_iter().zip(m.column_iter_mut()) {
        let mc = mc.as_mut_slice();
        for (&v, &l) in xc.iter().zip(labels) {
            mc[l] += v;
        }
        for (v, &k) in mc.iter_mut().zip(&counts) {
            *v /= k.max(1) as f64;
        }
    }
    m
}

/// `A:B` → the time window [A, B).
pub fn parse_time_window(text: &str) -> Result<(usize, usize), String> {
    let bad = || {
        format!(
            "time window '{}': expected A:B with whole numbers A < B",
            crate::params::shorten(text)
        )
    };
    let (a, b) = text.split_once(':').ok_or_else(bad)?;
    let a: usize = a.trim().parse().map_err(|_| bad())?;
    let b: usize = b.trim().parse().map_err(|_| bad())?;
    if a >= b {
        return Err(bad());
    }
    Ok((a, b))
}

/// SHA-256 of the bytes, in hex (the page records the file's hash in the link).
pub use crate::data::sha256_hex;

/// The JSON report of `neurogeom analyze --json` and of the page's export:
/// the snapshot's `metrics` and `charts`, the last layer's per-manifold
/// arrays (`manifolds`), every layer's metrics and per-manifold arrays
/// (`layers`), the settings, the file's name and SHA-256, and `hash`.
#[allow(clippy::too_many_arguments)]
pub fn json_report(
    snapshot: &Snapshot,
    layers: &[LayerResult],
    classes: &[String],
    settings: &Settings,
    layout: &str,
    notes: &[String],
    file_name: &str,
    file_sha256: &str,
    file_size: usize,
) -> serde_json::Value {
    use serde_json::{json, Map, Value};
    let num = |v: f64| json!(if v.is_finite() { Some(v) } else { None });
    let nums = |v: &[f64]| Value::Array(v.iter().map(|&x| num(x)).collect());
    let layer_json = |r: &LayerResult| {
        let mut m = Map::new();
        for (k, v) in &r.metrics {
            m.insert(k.clone(), num(*v));
        }
        json!({
            "name": r.name,
            "metrics": m,
            "manifolds": {
                "class": classes,
                "capacity": nums(&r.manifold_capacity),
                "radius": nums(&r.manifold_radius),
                "dimension": nums(&r.manifold_dimension),
            }
        })
    };
    let last = layers.last().map(layer_json).unwrap_or(Value::Null);
    json!({
        "version": crate::version::VERSION,
        "file": { "name": file_name, "sha256": file_sha256, "bytes": file_size },
        "layout": layout,
        "notes": notes,
        "settings": settings,
        "metrics": snapshot.metrics,
        "manifolds": last["manifolds"],
        "layers": layers.iter().map(layer_json).collect::<Vec<_>>(),
        "charts": snapshot.charts,
        "hash": snapshot.hash,
    })
}

/// The built-in example file's name.
pub const EXAMPLE_NAME: &str = "neurogeom_example.npz";

/// The built-in example file: an NPZ with `X` (160 × 50: P = 4 classes ×
/// M = 40 points) and `y` (the class of each row, 0–3). Each class is a
/// Gaussian cloud x = c_μ + (r/√N)·g around a random centre c_μ = g'/√N
/// (‖c_μ‖ ≈ 1, centres nearly orthogonal), r = 0.5
/// (`data::manifolds::gaussian_clouds`, seed 1): a known geometry whose
/// radius and capacity the page shows at once.
pub fn example_npz() -> Vec<u8> {
    let (p, m, n) = (4, 40, 50);
    let mut rng = crate::rng::Rng::new(1);
    let clouds = crate::data::manifolds::gaussian_clouds(p, m, n, 0.5, &mut rng);
    let mut x = Vec::with_capacity(p * m * n);
    let mut y = Vec::with_capacity(p * m);
    for (c, cloud) in clouds.iter().enumerate() {
        for i in 0..m {
            x.extend(cloud.row(i).iter().copied());
            y.push(c as f64);
        }
    }
    crate::data::files::npz::write(
        &[("X", &[p * m, n], &x, "<f8"), ("y", &[p * m], &y, "<i8")],
        false,
    )
}
