//! Your data, analysed: the labs' metrics on a [`Recording`] read from a
//! user's file (`data::files`), as a [`Snapshot`] with its result hash, so
//! that the page ("Your data") and `neurogeom analyze` print the same bits.
//!
//! Per layer, each analysis is chosen by a checkbox of [`Settings`]:
//! - **MFTMA** (`metrics::capacity`, Chung, Lee & Sompolinsky 2018; Cohen
//!   et al. 2020): capacity α_M, radius R_M, dimension D_M, centre
//!   correlation ρ_c and K, with the margin κ and n_t Gaussian samples; one
//!   manifold per class.
//! - **Simulated capacity** (`metrics::capacity::simulated`): α_sim = P/N_c.
//! - **GLUE** (`metrics::capacity::glue`, Chou et al. 2024/2025): the
//!   capacity of correlated manifolds from one joint QP per sample, its
//!   effective radius, dimension and utility, and the anchor centres'
//!   alignments; off by default (n_t joint QPs over up to 50 points per
//!   class: seconds on 50 classes). Its labels, centring, points per
//!   manifold and n_t are settings, named in every GLUE ⓘ.
//! - **Alignments** (`metrics::alignment`): centre, axis and centre–axis
//!   alignment with [`ALIGNMENT_AXES`] principal axes per manifold.
//! - **Dimensionality** (`metrics::dimensionality`, Gao et al. 2017):
//!   participation ratio (Σλ)²/Σλ² of the covariance, PCs for 90% of the
//!   variance.
//! - **Neural collapse** (`metrics::collapse`, Papyan, Han & Donoho 2020):
//!   NC1 = Tr(Σ_W Σ_B⁺)/C and the class means' NC2 (equinorm,
//!   equiangularity). Uploaded data has no classifier, so NC3/NC4 are not
//!   reported.
//! - **CKA between layers** (`metrics::lazy_rich::linear_cka`, Kornblith et
//!   al. 2019), when there are several layers.
//! - **RDM** (`metrics::lazy_rich::rdm`, Kriegeskorte et al. 2008): 1 −
//!   Pearson r between the class means of the last layer.
//! - **PCA scatter** of the last layer's rows on its first two PCs, one
//!   colour per class.
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
//! the units are chunked: MFTMA draws from `Rng::fork(seed, ·)` and the
//! simulated capacity from its own seed, so the page (wasm, in a worker,
//! with progress and cancel) and the CLI give the same hash.

use nalgebra::DMatrix;
use serde::Serialize;

use crate::data::files::Recording;
use crate::metrics::alignment::alignment;
use crate::metrics::capacity::glue::{Centring, GlueJob, GlueOptions, GlueResult, LabelRule};
use crate::metrics::capacity::simulated::{simulated_capacity, SimulatedOptions};
use crate::metrics::capacity::{MftmaJob, MftmaOptions, MftmaResult};
use crate::metrics::collapse::neural_collapse;
use crate::metrics::dimensionality::{participation_ratio, pca_project, pcs_for_variance};
use crate::metrics::lazy_rich::{linear_cka, rdm};
use crate::snapshot::{Chart, ChartBody, Heatmap, Metric, Series, Snapshot};

/// The snapshot's `lab` name (it enters the result hash).
pub const LAB: &str = "analyze";

/// Principal axes per manifold for the alignments.
pub const ALIGNMENT_AXES: usize = 5;

/// Most points drawn in the PCA scatter (evenly strided beyond).
pub const SCATTER_MAX_POINTS: usize = 5000;

/// Which analyses to run, and their parameters.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    pub mftma: bool,
    /// MFTMA's margin κ.
    pub kappa: f64,
    /// MFTMA's Gaussian samples per manifold.
    pub n_t: usize,
    pub simulated: bool,
    /// Random dichotomies per projection dimension of the simulated capacity.
    pub sim_repetitions: usize,
    /// GLUE (off by default).
    pub glue: bool,
    /// GLUE's Gaussian samples (t, y).
    pub glue_n_t: usize,
    /// GLUE's points per manifold, at most.
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
            simulated: false,
            sim_repetitions: 20,
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
        if self.sim_repetitions == 0 || self.sim_repetitions > 10_000 {
            return Err(format!(
                "sim_repetitions must be 1 to 10000, got {}",
                self.sim_repetitions
            ));
        }
        Ok(())
    }
}

/// One layer's scalar results (NaN where not computed), in display order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LayerResult {
    pub name: String,
    /// (key, value) in display order.
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

/// The keys, labels and ⓘ texts of the per-layer metrics.
const METRIC_INFO: &[(&str, &str, &str)] = &[
    ("capacity", "capacity α_M", "MFTMA manifold capacity α = 1/mean_μ(1/α_μ), one manifold per class (Chung, Lee & Sompolinsky, PRX 2018; Cohen et al., Nat Commun 2020)"),
    ("radius", "radius R_M", "MFTMA manifold radius, mean over manifolds: sqrt(mean_t ‖δs̃/s̃₀‖²) (Chung et al. 2018)"),
    ("dimension", "dimension D_M", "MFTMA manifold dimension, mean over manifolds: D·(mean_t t̂·ŝ)² (Chung et al. 2018)"),
    ("center_correlation", "centre correlation ρ_c", "mean |cos| between the centred class centres (Cohen et al. 2020)"),
    ("K", "K", "rank of the centres' shared structure removed before MFTMA (Cohen et al. 2020)"),
    ("simulated_capacity", "simulated capacity α_sim", "P/N_c, N_c the projection dimension where half of random dichotomies of the manifolds are linearly separable (Cohen et al. 2020)"),
    ("glue_capacity", "GLUE capacity α", "GLUE: P/E[a], a = (St)ᵀ(SSᵀ)⁺(St) = ‖t − v*‖², v* the joint QP's solution for random labels y and t ~ N(0, I): the capacity of the manifolds with their correlations (Chou et al., bioRxiv 2024; Chou, Le, Wang & Chung, ICML 2025, Algorithm 2)"),
    ("glue_capacity_se", "GLUE capacity s.e.", "Monte Carlo standard error of the GLUE capacity, α·sd(a)/(√n_t·E[a])"),
    ("glue_radius", "GLUE radius R", "GLUE effective radius √(E[c]/E[b − c]), from the anchors' axis parts s₁ = s − s₀ (Chou et al. 2024; arXiv 2603.01879 B.3)"),
    ("glue_dimension", "GLUE dimension D", "GLUE effective dimension E[b]/P, b = (S₁t)ᵀ(S₁S₁ᵀ)⁺(S₁t) (Chou et al. 2024)"),
    ("glue_utility", "GLUE utility Ψ", "GLUE effective utility E[c]/E[a], c = (S₁t)ᵀ(S₀S₀ᵀ + S₁S₁ᵀ)⁺(S₁t); α = Ψ(1 + R⁻²)/D exactly (arXiv 2603.01879 B.3)"),
    ("glue_center_alignment", "GLUE centre alignment", "mean over pairs of classes of |cos(s₀^μ, s₀^ν)|, s₀ the mean anchor point (absolute cosines; Chou et al. 2024)"),
    ("glue_axis_alignment", "GLUE axis alignment", "mean over samples and pairs of active classes of |cos(s₁^μ, s₁^ν)| (absolute cosines)"),
    ("glue_center_axis_alignment", "GLUE centre–axis alignment", "mean over samples and pairs of active classes of |cos(s₀^μ, s₁^ν)| (absolute cosines)"),
    ("center_alignment", "centre alignment", "mean over pairs of classes of |cos(u_μ, u_ν)|, u the centred class centre (Cohen et al. 2020)"),
    ("axis_alignment", "axis alignment", "mean over pairs of ‖A_μᵀA_ν‖²_F/k, A the top-5 principal axes of each class (Cohen et al. 2020)"),
    ("center_axis_alignment", "centre–axis alignment", "mean over pairs of ‖A_νᵀu_μ‖²/‖u_μ‖² (Cohen et al. 2020)"),
    ("participation_ratio", "participation ratio", "(Σλ)²/Σλ² of the covariance of all rows (Gao et al. 2017)"),
    ("pcs_90", "PCs for 90% variance", "fewest principal components holding ≥ 90% of the variance"),
    ("nc1", "NC1", "Tr(Σ_W Σ_B⁺)/C: within-class spread against the spread of the class means (Papyan, Han & Donoho 2020)"),
    ("nc2_equinorm", "NC2 equinorm", "std/mean of the centred class means' norms (Papyan et al. 2020; undefined with 2 classes)"),
    ("nc2_equiangular", "NC2 equiangularity", "mean |cos(μ_c, μ_c') + 1/(C−1)| over pairs of centred class means (Papyan et al. 2020; undefined with 2 classes)"),
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
        }
    }
}

/// The analysis of a recording, run in chunks: build with [`Job::new`],
/// call [`Job::advance`] until it returns true, then [`Job::snapshot`].
/// Cancelling is dropping the job.
pub struct Job {
    recording: Recording,
    settings: Settings,
    /// The manifolds (one per class) of each layer.
    manifolds: Vec<Vec<DMatrix<f64>>>,
    tasks: Vec<Task>,
    layer: usize,
    task: usize,
    mftma: Option<MftmaJob>,
    glue: Option<GlueJob>,
    /// GLUE's results per layer (notes for the ⓘ texts).
    glue_results: Vec<Option<GlueResult>>,
    /// Threads for MFTMA's manifolds and GLUE's samples (native only).
    threads: usize,
    results: Vec<LayerResult>,
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
        for k in 0..c {
            let n = recording.labels.iter().filter(|&&l| l == k).count();
            if n < 2 {
                return Err(format!(
                    "class '{}' has {n} point(s); every class needs at least 2",
                    recording.class_names[k]
                ));
            }
        }
        let n_layers = recording.layers.len();
        let manifolds = (0..n_layers)
            .map(|l| (0..c).map(|k| recording.class_points(l, k)).collect())
            .collect();
        let mut tasks = Vec::new();
        if settings.mftma {
            tasks.push(Task::Mftma);
        }
        if settings.simulated {
            tasks.push(Task::Simulated);
        }
        if settings.glue {
            tasks.push(Task::Glue);
        }
        if settings.alignment {
            tasks.push(Task::Alignment);
        }
        // The participation ratio is a headline key: always computed.
        tasks.push(Task::Dimensionality);
        if settings.collapse {
            tasks.push(Task::Collapse);
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
        Ok(Job {
            recording,
            settings: settings.clone(),
            manifolds,
            tasks,
            layer: 0,
            task: 0,
            mftma: None,
            glue: None,
            glue_results: vec![None; n_layers],
            threads: 1,
            results,
            done_units: 0,
        })
    }

    pub fn is_done(&self) -> bool {
        self.layer >= self.recording.layers.len()
    }

    /// Compute MFTMA's manifolds and GLUE's samples on this many threads
    /// (native; each is independent and is handed back in order, so the
    /// hash does not depend on the count). 1 by default.
    pub fn set_threads(&mut self, threads: usize) {
        self.threads = threads.max(1);
    }

    /// Units done and an estimate of the total (MFTMA's centre search can
    /// stop early, so the total can shrink).
    pub fn progress(&self) -> Progress {
        let layers = self.recording.layers.len();
        let p = self.recording.n_classes();
        // An MFTMA job not yet started: its centre search (≤ p·restarts)
        // and p manifolds, estimated as 2p units; a GLUE job: its Gram
        // (≈ 1 unit) and three passes over its samples.
        let mftma_guess = 2 * p;
        let glue_guess = 3 * self.settings.glue_n_t + 1;
        let guess = |t: &Task| match t {
            Task::Mftma => mftma_guess,
            Task::Glue => glue_guess,
            _ => 1,
        };
        let per_layer: usize = self.tasks.iter().map(guess).sum();
        let mut remaining = 0;
        if !self.is_done() {
            remaining += per_layer * (layers - self.layer - 1);
            for t in &self.tasks[self.task..] {
                remaining += match (t, &self.mftma, &self.glue) {
                    (Task::Mftma, Some(j), _) => {
                        let pr = j.progress();
                        pr.total - pr.done
                    }
                    (Task::Glue, _, Some(j)) => {
                        let (done, total) = j.progress();
                        total - done
                    }
                    _ => guess(t),
                };
            }
        }
        let stage = if self.is_done() {
            "done".to_string()
        } else {
            format!(
                "{}: {}",
                self.recording.layers[self.layer].name,
                self.tasks[self.task].name()
            )
        };
        Progress {
            done: self.done_units,
            total: self.done_units + remaining,
            stage,
        }
    }

    /// Do up to `max_units` units. Ok(true) once everything is done; an
    /// error names the layer and what failed.
    pub fn advance(&mut self, max_units: usize) -> Result<bool, String> {
        let mut left = max_units;
        while left > 0 && !self.is_done() {
            let l = self.layer;
            let task = self.tasks[self.task];
            let name = self.recording.layers[l].name.clone();
            let fail = |e: String| format!("{name}: {}: {e}", task.name());
            let finished = match task {
                Task::Mftma => {
                    if self.mftma.is_none() {
                        let job = MftmaJob::new(&self.manifolds[l], &self.settings.mftma_options())
                            .map_err(|e| fail(e.to_string()))?;
                        self.mftma = Some(job);
                    }
                    let job = self.mftma.as_mut().expect("just set");
                    let before = job.progress().done;
                    #[cfg(not(target_arch = "wasm32"))]
                    if self.threads > 1 {
                        job.run_manifolds_threaded(self.threads);
                    }
                    let done = job.advance(left).map_err(|e| fail(e.to_string()))?;
                    let used = (job.progress().done - before).max(1);
                    left = left.saturating_sub(used);
                    self.done_units += used;
                    if done {
                        let r = job.result().expect("done without error");
                        self.mftma = None;
                        store_mftma(&mut self.results[l], &r);
                    }
                    done
                }
                Task::Glue => {
                    if self.glue.is_none() {
                        let job = GlueJob::new(&self.manifolds[l], &self.settings.glue_options())
                            .map_err(|e| fail(e.to_string()))?;
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
                }
                _ => {
                    self.run_task(task, l).map_err(fail)?;
                    left -= 1;
                    self.done_units += 1;
                    true
                }
            };
            if finished {
                self.task += 1;
                if self.task == self.tasks.len() {
                    self.task = 0;
                    self.layer += 1;
                }
            }
        }
        Ok(self.is_done())
    }

    fn run_task(&mut self, task: Task, l: usize) -> Result<(), String> {
        let manifolds = &self.manifolds[l];
        let x = &self.recording.layers[l].x;
        let out = &mut self.results[l].metrics;
        match task {
            Task::Mftma | Task::Glue => unreachable!("handled in advance"),
            Task::Simulated => {
                let opts = SimulatedOptions {
                    repetitions: self.settings.sim_repetitions,
                    seed: self.settings.seed,
                };
                let s = simulated_capacity(manifolds, &opts).map_err(|e| e.to_string())?;
                out.push(("simulated_capacity".into(), s.capacity));
            }
            Task::Alignment => {
                let a = alignment(manifolds, ALIGNMENT_AXES).map_err(|e| e.to_string())?;
                out.push(("center_alignment".into(), a.center_alignment));
                out.push(("axis_alignment".into(), a.axis_alignment));
                out.push(("center_axis_alignment".into(), a.center_axis_alignment));
            }
            Task::Dimensionality => {
                out.push(("participation_ratio".into(), participation_ratio(x)));
                out.push(("pcs_90".into(), pcs_for_variance(x, 0.9) as f64));
            }
            Task::Collapse => {
                let c = self.recording.n_classes();
                let w = DMatrix::zeros(c, x.ncols());
                let o = DMatrix::zeros(x.nrows(), c);
                let nc = neural_collapse(x, &self.recording.labels, c, &w, &o)?;
                out.push(("nc1".into(), nc.nc1));
                out.push(("nc2_equinorm".into(), nc.nc2_equinorm_means));
                out.push(("nc2_equiangular".into(), nc.nc2_equiangular_means));
            }
        }
        Ok(())
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
        let glue = self.glue_results.last().and_then(|r| r.as_ref());
        let mut s = build_snapshot(&self.recording, &self.settings, &self.results, glue);
        s.step = self.done_units as u64;
        s.total_steps = self.done_units as u64;
        s.hash = crate::run::result_hash(&s);
        Some(s)
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

/// Run a whole analysis in one call.
pub fn analyze(
    recording: Recording,
    settings: &Settings,
) -> Result<(Snapshot, Vec<LayerResult>), String> {
    analyze_threaded(recording, settings, 1)
}

/// [`analyze`] with MFTMA's manifolds and GLUE's samples on `threads`
/// threads (natively; ignored in wasm): the same bits.
pub fn analyze_threaded(
    recording: Recording,
    settings: &Settings,
    threads: usize,
) -> Result<(Snapshot, Vec<LayerResult>), String> {
    let mut job = Job::new(recording, settings)?;
    job.set_threads(threads);
    while !job.advance(usize::MAX)? {}
    let s = job.snapshot().expect("done");
    Ok((s, job.results))
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

fn build_snapshot(
    rec: &Recording,
    settings: &Settings,
    results: &[LayerResult],
    glue: Option<&GlueResult>,
) -> Snapshot {
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
                info.push_str(&glue_info(key, settings, glue));
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
    let classes = rec.class_names.clone();
    if !last.manifold_capacity.is_empty() {
        let x: Vec<f64> = (0..classes.len()).map(|i| i as f64).collect();
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
    let x_last = &rec.layers[rec.layers.len() - 1].x;
    if settings.rdm {
        let c = rec.n_classes();
        let means = class_means(x_last, &rec.labels, c);
        let d = rdm(&means);
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
    if settings.cka && several {
        let l = rec.layers.len();
        let mut values = vec![0.0; l * l];
        for i in 0..l {
            for j in 0..l {
                values[i * l + j] = if i == j {
                    1.0
                } else if j < i {
                    values[j * l + i]
                } else {
                    linear_cka(&rec.layers[i].x, &rec.layers[j].x)
                };
            }
        }
        charts.push(
            Chart::heatmap(
                "cka",
                "linear CKA between layers",
                "layer",
                "layer",
                Heatmap {
                    // CKA lies in [0, 1].
                    value_range: Some([0.0, 1.0]),
                    ..Heatmap::new(l, l, values, "CKA")
                },
            )
            .info(
                "linear CKA = ‖YᵀX‖²_F/(‖XᵀX‖_F‖YᵀY‖_F), columns centred (Kornblith et al. 2019)",
            ),
        );
    }
    if settings.pca {
        let scores = pca_project(x_last, 2);
        let n = x_last.nrows();
        let stride = n.div_ceil(SCATTER_MAX_POINTS).max(1);
        let series = (0..rec.n_classes())
            .map(|c| {
                let rows: Vec<usize> = (0..n)
                    .step_by(stride)
                    .filter(|&i| rec.labels[i] == c)
                    .collect();
                Series::new(
                    &rec.class_names[c],
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

/// Class means (C × features), summed in row order.
fn class_means(x: &DMatrix<f64>, labels: &[usize], c: usize) -> DMatrix<f64> {
    let mut m = DMatrix::zeros(c, x.ncols());
    let mut counts = vec![0usize; c];
    for (i, &l) in labels.iter().enumerate() {
        counts[l] += 1;
        for j in 0..x.ncols() {
            m[(l, j)] += x[(i, j)];
        }
    }
    for (l, &k) in counts.iter().enumerate() {
        for j in 0..x.ncols() {
            m[(l, j)] /= k.max(1) as f64;
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
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

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
