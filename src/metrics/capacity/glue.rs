//! GLUE: the capacity and effective geometry of correlated manifolds, from
//! one joint quadratic programme per Gaussian sample.
//!
//! Papers: Chou, Kim, Arend, …, Perich & Chung, "Geometry linked to
//! untangling efficiency reveals structure and computation in neural
//! populations", bioRxiv 10.1101/2024.02.26.582157 (the method, GLUE);
//! Chou, Le, Wang & Chung, "Feature learning beyond the lazy–rich
//! dichotomy: insights from representational geometry", ICML 2025, arXiv
//! 2503.18114, Algorithm 2 (the estimator); Chou, Kirsanov, Yang & Chung,
//! arXiv 2603.01879, Appendix B.3 (the exact decomposition of α into
//! radius, dimension and utility). MFTMA ([`super`]) treats the manifolds as
//! uncorrelated once K centre directions are removed; GLUE solves for all
//! manifolds at once, so their correlations are in the answer.
//!
//! # The method (margin κ = 0)
//!
//! P manifolds, each a set of points x^μ_i ∈ R^N. For each of n_t samples:
//!
//! 1. Draw labels y ∈ {±1}^P ([`LabelRule`]) and t ~ N(0, I_N).
//! 2. Solve v* = argmin ‖v − t‖² subject to y_μ⟨v, x^μ_i⟩ ≥ 0 for every
//!    point of every manifold: one joint QP, solved exactly by the
//!    project's active-set NNLS on its dual ([`super::qp`],
//!    [`AnchorQp::solve_signed`]: the points are stored once, the signs
//!    change per sample). Its multipliers are λ^μ_i ≥ 0, and
//!    t − v* = −Σ_μ y_μ Σ_i λ^μ_i x^μ_i.
//! 3. Manifold μ is *active* when Λ_μ = Σ_i λ^μ_i > 1e-8 × the sample's
//!    largest multiplier. Its *anchor point* is
//!    s^μ = Σ_i λ^μ_i x^μ_i / Λ_μ, a point of its convex hull.
//!
//! Anchor statistics. s^μ_0 is the mean of s^μ over the samples where μ is
//! active (its centre), and s^μ_1 = s^μ − s^μ_0 on those samples (its axis
//! part). Per sample, S stacks the active manifolds' anchors as rows (in
//! manifold order), S_0 their centres and S_1 = S − S_0, and
//!
//! ```text
//! a = (S t)ᵀ (S Sᵀ)⁺ (S t)
//! b = (S_1 t)ᵀ (S_1 S_1ᵀ)⁺ (S_1 t)
//! c = (S_1 t)ᵀ (S_0 S_0ᵀ + S_1 S_1ᵀ)⁺ (S_1 t)
//! ```
//!
//! (the signs of y cancel in each). A sample with no active manifold (t
//! already on the right side of every point) has a = b = c = 0. Then
//!
//! ```text
//! capacity α = P / E[a]            effective dimension D = E[b] / P
//! effective radius R = √(E[c] / E[b − c])    utility Ψ = E[c] / E[a]
//! ```
//!
//! so that α = Ψ (1 + R⁻²) / D exactly (2603.01879, B.3; a test checks it
//! to 1e-12). At κ = 0, v* is orthogonal to every active anchor and t − v*
//! lies in their span, so a = ‖t − v*‖² (the KKT conditions): the job
//! computes a both ways and reports the largest difference
//! ([`GlueResult::a_kkt_gap`]).
//!
//! Alignments (absolute cosines; see "Where this follows the issue" below):
//! centre alignment = mean over μ ≠ ν of |cos(s^μ_0, s^ν_0)|; axis
//! alignment = mean over samples and active pairs μ ≠ ν of
//! |cos(s^μ_1, s^ν_1)|; centre–axis alignment = the same mean of
//! |cos(s^μ_0, s^ν_1)|. An axis part below 1e-5 of the sample's largest
//! anchor norm (a point manifold, whose anchor is always the point) has no
//! direction: its pairs are left out, and a mean over no pair is NaN.
//!
//! # Choices the papers leave open (each an option, default first)
//!
//! - **Labels** ([`LabelRule`]): independent fair signs (`random`), random
//!   balanced dichotomies (`balanced`: ⌊P/2⌋ manifolds +1, the rest −1,
//!   then the whole y flipped with probability ½), or one manifold against
//!   the rest (`one_vs_rest`).
//! - **Centring** ([`Centring`]): the data as given (`none`), or minus the
//!   mean of all points (`global`). With `none`, a component shared by every
//!   class centre (the mean activity of ReLU units, for instance) counts as
//!   structure; with `global` it is removed first. The numbers differ a
//!   great deal when the centres share such a component, so every place
//!   that shows GLUE says which centring was used.
//! - **s^μ_0** is the mean over the samples where μ is active, and s^μ_1 is
//!   defined on those samples only.
//! - **Points per manifold**: at most `max_points` (default 50, as the
//!   lab's own code subsamples), chosen without replacement by one seeded
//!   stream, kept in their original order.
//! - **Pseudo-inverses**: eigenvalues below 1e-10 × the largest eigenvalue
//!   of S Sᵀ are cut, in all three matrices. (A cutoff relative to each
//!   matrix's own largest eigenvalue would count the rounding noise of
//!   S_1 S_1ᵀ as signal: one-point manifolds would get D = 0.5, not 0.)
//! - **Non-unique multipliers.** When the active points are linearly
//!   dependent, λ can be non-unique: v*, t − v* and so a and α are unique,
//!   but how λ splits among a manifold's points (its anchor), and so R, D
//!   and Ψ, depends on which optimal λ the solver returns. The share of
//!   such samples is [`GlueResult::ambiguous_share`]
//!   ([`super::qp::QpSolution::ambiguous`]); a note is added above 10%.
//!
//! # Where this follows the issue's reading
//!
//! The papers' full texts were not reachable from this project's search
//! tools (only abstracts and third-party summaries), so the formulas above
//! are issue 19's reading of Algorithm 2 and of 2603.01879 B.3, checked
//! here against their own consequences (the oracles of `tests/glue.rs`).
//! One third-party transcription of arXiv 2503.18114v2 reports that
//! Algorithm 2's pseudocode uses signed, normalised cosines for the
//! alignments while Definition B.6 uses absolute, unnormalised inner
//! products, and that Algorithm 2 samples balanced dichotomies; we use
//! absolute cosines and independent signs by default, as the issue asks,
//! and offer `balanced` labels.
//!
//! # Determinism and threads
//!
//! The subsample draws from `Rng::fork(seed, SUBSAMPLE_STREAM)` and sample j
//! from `Rng::fork(seed, SAMPLE_STREAM + j)` (labels, then t), so every
//! sample is a fixed function of (data, options, j). Samples can be
//! computed anywhere (another thread: [`GlueJob::compute_samples`]; another
//! worker of the page: [`GlueJob::part_state`]) and handed back
//! ([`GlueJob::insert_samples`]); the statistics then sum them in sample
//! order, so the result does not depend on the number of threads or on the
//! chunking. Arithmetic is + − × ÷ and sqrt in a fixed order, plus
//! nalgebra's symmetric eigendecomposition of P × P matrices: the same
//! bits in wasm and natively.

// NaN-aware comparisons (`!(x > 0.0)` is true for NaN) are deliberate here.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

use super::qp::{dot, AnchorQp};
use super::subsample::choose_indices;
use super::{check_manifolds, CapacityError};
use crate::rng::Rng;

/// The stream of the per-manifold subsample.
pub const SUBSAMPLE_STREAM: u64 = 0x474c_5545_0000_0000;
/// Sample j draws from stream `SAMPLE_STREAM + j`.
pub const SAMPLE_STREAM: u64 = 0x474c_5545_0000_0001;

/// A manifold is active in a sample when its multipliers sum above this
/// fraction of the sample's largest multiplier.
pub const ACTIVE_FRACTION: f64 = 1e-8;
/// Eigenvalues of the three Gram matrices below this fraction of the
/// largest eigenvalue of S Sᵀ are cut from the pseudo-inverses.
pub const PINV_CUTOFF: f64 = 1e-10;
/// Above this share of samples with non-unique multipliers, a note says
/// that R, D and Ψ depend on the solver's choice.
pub const AMBIGUOUS_NOTE_SHARE: f64 = 0.1;

/// Gram entries (multiply–adds) per unit of the Gram stage: about 10 ms
/// natively, so that no unit of the job takes long in wasm.
const GRAM_UNIT_FLOPS: usize = 20_000_000;

/// Most points whose whole Gram matrix is filled up front (8 × 4096² bytes
/// = 134 MB).
const GRAM_MAX_POINTS: usize = 4096;

/// How the labels y of a sample are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LabelRule {
    /// Independent fair signs per manifold.
    #[default]
    Random,
    /// ⌊P/2⌋ manifolds +1 and the rest −1 (a random choice), the whole y
    /// then flipped with probability ½.
    Balanced,
    /// One random manifold +1, the rest −1.
    OneVsRest,
}

impl LabelRule {
    /// The option's name in links and settings.
    pub fn key(self) -> &'static str {
        match self {
            LabelRule::Random => "random",
            LabelRule::Balanced => "balanced",
            LabelRule::OneVsRest => "one_vs_rest",
        }
    }

    /// Parse a name.
    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "random" => Some(LabelRule::Random),
            "balanced" => Some(LabelRule::Balanced),
            "one_vs_rest" => Some(LabelRule::OneVsRest),
            _ => None,
        }
    }

    /// Parse a name given as option `what` (`--glue-labels`, `labels`), or
    /// say what it must be.
    pub fn parse(key: &str, what: &str) -> Result<Self, String> {
        Self::from_key(key).ok_or_else(|| {
            format!(
                "{what} must be random, balanced or one_vs_rest, got '{}'",
                crate::params::shorten(key)
            )
        })
    }

    /// Draw y ∈ {±1}^p.
    fn draw(self, p: usize, rng: &mut Rng) -> Vec<f64> {
        match self {
            LabelRule::Random => (0..p)
                .map(|_| if rng.uniform() < 0.5 { 1.0 } else { -1.0 })
                .collect(),
            LabelRule::Balanced => {
                let order = rng.permutation(p);
                let mut y = vec![-1.0; p];
                for &mu in &order[..p / 2] {
                    y[mu] = 1.0;
                }
                if rng.uniform() < 0.5 {
                    y.iter_mut().for_each(|v| *v = -*v);
                }
                y
            }
            LabelRule::OneVsRest => {
                let mut y = vec![-1.0; p];
                y[rng.below(p)] = 1.0;
                y
            }
        }
    }
}

/// What is subtracted from the data before the analysis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Centring {
    /// The data as given.
    #[default]
    None,
    /// The mean of all points.
    Global,
}

impl Centring {
    pub fn key(self) -> &'static str {
        match self {
            Centring::None => "none",
            Centring::Global => "global",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "none" => Some(Centring::None),
            "global" => Some(Centring::Global),
            _ => None,
        }
    }

    /// Parse a name given as option `what` (`--glue-centre`, `centre`), or
    /// say what it must be.
    pub fn parse(key: &str, what: &str) -> Result<Self, String> {
        Self::from_key(key).ok_or_else(|| {
            format!(
                "{what} must be none or global, got '{}'",
                crate::params::shorten(key)
            )
        })
    }
}

/// GLUE's parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GlueOptions {
    /// Gaussian samples (t, y), n_t (default 200).
    pub n_t: usize,
    /// Points per manifold at most (default 50).
    pub max_points: usize,
    pub labels: LabelRule,
    pub centre: Centring,
    pub seed: u64,
}

impl Default for GlueOptions {
    fn default() -> Self {
        GlueOptions {
            n_t: 200,
            max_points: 50,
            labels: LabelRule::Random,
            centre: Centring::None,
            seed: 0,
        }
    }
}

impl GlueOptions {
    /// Defaults with this seed.
    pub fn with_seed(seed: u64) -> Self {
        GlueOptions {
            seed,
            ..Default::default()
        }
    }

    /// Range checks, with a message naming the option.
    pub fn check(&self) -> Result<(), CapacityError> {
        if !(1..=1_000_000).contains(&self.n_t) {
            return Err(CapacityError::BadOption(format!(
                "GLUE's n_t (Gaussian samples) must be 1 to 1000000, got {}",
                self.n_t
            )));
        }
        if !(2..=100_000).contains(&self.max_points) {
            return Err(CapacityError::BadOption(format!(
                "GLUE's points per manifold must be 2 to 100000, got {}",
                self.max_points
            )));
        }
        Ok(())
    }

    /// One line naming the open choices, for ⓘ texts and reports.
    pub fn describe(&self) -> String {
        format!(
            "labels {}, centring {}, ≤ {} points per manifold, n_t = {}",
            self.labels.key(),
            self.centre.key(),
            self.max_points,
            self.n_t
        )
    }
}

/// One sample's solution: the support of λ (point index, multiplier), in
/// point order, a = ‖t − v*‖², and whether λ may be non-unique.
#[derive(Clone, Debug, PartialEq)]
pub struct GlueSample {
    pub support: Vec<(usize, f64)>,
    pub a_kkt: f64,
    pub ambiguous: bool,
}

impl GlueSample {
    /// Append as plain numbers: a, ambiguous (0/1), k, then k (index, λ).
    fn encode(&self, out: &mut Vec<f64>) {
        out.push(self.a_kkt);
        out.push(if self.ambiguous { 1.0 } else { 0.0 });
        out.push(self.support.len() as f64);
        for &(i, l) in &self.support {
            out.push(i as f64);
            out.push(l);
        }
    }

    /// Read one sample from `data` at `*pos`; None if malformed.
    fn decode(data: &[f64], pos: &mut usize, points: usize) -> Option<GlueSample> {
        let head = data.get(*pos..*pos + 3)?;
        let (a_kkt, amb, k) = (head[0], head[1], head[2]);
        if !(k >= 0.0) || k.fract() != 0.0 || k > points as f64 {
            return None;
        }
        let k = k as usize;
        let body = data.get(*pos + 3..*pos + 3 + 2 * k)?;
        let mut support = Vec::with_capacity(k);
        for pair in body.chunks_exact(2) {
            let i = pair[0];
            if !(i >= 0.0) || i.fract() != 0.0 || i >= points as f64 || !(pair[1] > 0.0) {
                return None;
            }
            support.push((i as usize, pair[1]));
        }
        *pos += 3 + 2 * k;
        Some(GlueSample {
            support,
            a_kkt,
            ambiguous: amb != 0.0,
        })
    }
}

/// GLUE's answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GlueResult {
    /// α = P / E[a].
    pub capacity: f64,
    /// Its Monte Carlo standard error, α · sd(a) / (√n_t · E[a]).
    pub capacity_se: f64,
    /// R = √(E[c] / E[b − c]).
    pub radius: f64,
    /// D = E[b] / P.
    pub dimension: f64,
    /// Ψ = E[c] / E[a].
    pub utility: f64,
    /// mean_{μ≠ν} |cos(s^μ_0, s^ν_0)|.
    pub center_alignment: f64,
    /// mean over samples and active pairs of |cos(s^μ_1, s^ν_1)|.
    pub axis_alignment: f64,
    /// mean over samples and active pairs of |cos(s^μ_0, s^ν_1)|.
    pub center_axis_alignment: f64,
    /// E[a], E[b], E[c], E[b − c].
    pub mean_a: f64,
    pub mean_b: f64,
    pub mean_c: f64,
    pub mean_b_minus_c: f64,
    /// The largest |a − ‖t − v*‖²| over the samples (the KKT identity).
    pub a_kkt_gap: f64,
    /// Share of samples whose multipliers may be non-unique.
    pub ambiguous_share: f64,
    /// Mean share of the manifolds active in a sample.
    pub active_share: f64,
    /// Manifolds never active in any sample.
    pub never_active: Vec<usize>,
    /// Points used per manifold (after subsampling).
    pub points: Vec<usize>,
    pub n_t: usize,
    /// What a reader of these numbers should know (never-active manifolds,
    /// non-unique multipliers, coincident manifolds, undefined ratios).
    pub notes: Vec<String>,
}

/// Where a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum GlueStage {
    /// The points' Gram matrix, a block of columns per unit.
    Gram,
    /// One QP per unit.
    Samples,
    /// The anchors' centres, one sample per unit.
    Centres,
    /// a, b, c and the alignments, one sample per unit.
    Statistics,
    Done,
}

/// GLUE run in units, with progress. Build with [`GlueJob::new`] (which
/// checks the input), call [`GlueJob::advance`] until it returns true, read
/// [`GlueJob::result`]. Dropping it cancels. The result does not depend on
/// how the units are chunked, nor on where the samples were computed.
#[derive(Clone, Debug)]
pub struct GlueJob {
    options: GlueOptions,
    /// Number of manifolds.
    p: usize,
    /// Features.
    n: usize,
    /// The manifold of each point.
    owner: Vec<usize>,
    /// Points used per manifold.
    counts: Vec<usize>,
    /// The points (columns, N each) with their Gram columns.
    qp: AnchorQp,
    /// The same points as an N × m matrix (for the blocked Gram).
    x: DMatrix<f64>,
    gram_done: usize,
    gram_block: usize,
    /// The labels, Gaussian vectors and scores of a block of samples.
    block: Option<ScoreBlock>,
    samples: Vec<Option<GlueSample>>,
    /// Samples computed, in order, for the stage logic.
    next_sample: usize,
    centre_sums: Vec<Vec<f64>>,
    centre_counts: Vec<usize>,
    centres_done: usize,
    centres: Vec<Option<Vec<f64>>>,
    /// ⟨s^μ_0, s^ν_0⟩ (0 where a manifold has no centre).
    centre_gram: DMatrix<f64>,
    stats: Accumulator,
    stats_done: usize,
    done_units: usize,
    notes: Vec<String>,
}

/// Samples lo..lo + B: labels, Gaussian vectors (N × B) and the points'
/// scores x_i·t (m × B).
#[derive(Clone, Debug)]
struct ScoreBlock {
    lo: usize,
    ys: Vec<Vec<f64>>,
    ts: DMatrix<f64>,
    scores: DMatrix<f64>,
}

/// Samples whose scores are computed by one blocked product.
const SCORE_BLOCK: usize = 16;

/// The per-sample sums of the statistics stage, in sample order.
#[derive(Clone, Debug, Default)]
struct Accumulator {
    a: f64,
    a_sq: f64,
    b: f64,
    c: f64,
    b_minus_c: f64,
    kkt_gap: f64,
    axis: (f64, usize),
    centre_axis: (f64, usize),
    active: f64,
    ambiguous: usize,
}

impl GlueJob {
    /// Check the input and options, centre and subsample the manifolds
    /// (samples × features each), and prepare the QP (no Gram yet).
    pub fn new(manifolds: &[DMatrix<f64>], options: &GlueOptions) -> Result<Self, CapacityError> {
        options.check()?;
        let n = check_manifolds(manifolds)?;
        let p = manifolds.len();
        let mean = match options.centre {
            Centring::None => vec![0.0; n],
            Centring::Global => global_mean(manifolds),
        };
        let mut rng = Rng::fork(options.seed, SUBSAMPLE_STREAM);
        let mut owner = Vec::new();
        let mut counts = Vec::with_capacity(p);
        let mut cols: Vec<f64> = Vec::new();
        for (mu, x) in manifolds.iter().enumerate() {
            let rows = choose_indices(x.nrows(), options.max_points, &mut rng);
            let mut all_zero = true;
            for &i in &rows {
                for f in 0..n {
                    let v = x[(i, f)] - mean[f];
                    all_zero &= v == 0.0;
                    cols.push(v);
                }
                owner.push(mu);
            }
            if all_zero {
                return Err(CapacityError::AtOrigin { manifold: mu });
            }
            counts.push(rows.len());
        }
        let m = owner.len();
        let x = DMatrix::from_column_slice(n, m, &cols);
        let qp = AnchorQp::new(n, m, cols);
        let notes = coincident_notes(&x, &counts);
        let gram_block = gram_block(m, n);
        // Above GRAM_MAX_POINTS the columns are computed as points enter a
        // passive set (the same bits), not all up front.
        let gram_done = if m > GRAM_MAX_POINTS { m } else { 0 };
        Ok(GlueJob {
            options: options.clone(),
            p,
            n,
            owner,
            counts,
            qp,
            x,
            gram_done,
            gram_block,
            block: None,
            samples: vec![None; options.n_t],
            next_sample: 0,
            centre_sums: vec![vec![0.0; n]; p],
            centre_counts: vec![0; p],
            centres_done: 0,
            centres: Vec::new(),
            centre_gram: DMatrix::zeros(0, 0),
            stats: Accumulator::default(),
            stats_done: 0,
            done_units: 0,
            notes,
        })
    }

    /// The options.
    pub fn options(&self) -> &GlueOptions {
        &self.options
    }

    /// Total points m after subsampling.
    pub fn points(&self) -> usize {
        self.owner.len()
    }

    /// The current stage.
    pub fn stage(&self) -> GlueStage {
        let m = self.points();
        if self.gram_done < m {
            GlueStage::Gram
        } else if self.next_sample < self.options.n_t {
            GlueStage::Samples
        } else if self.centres_done < self.options.n_t {
            GlueStage::Centres
        } else if self.stats_done < self.options.n_t {
            GlueStage::Statistics
        } else {
            GlueStage::Done
        }
    }

    pub fn is_done(&self) -> bool {
        self.stage() == GlueStage::Done
    }

    /// Units done and the total (exact: every stage's count is known).
    pub fn progress(&self) -> (usize, usize) {
        let m = self.points();
        let n_t = self.options.n_t;
        let total = job_units(m, self.n, n_t);
        let gram_left = (m - self.gram_done).div_ceil(self.gram_block);
        let left = gram_left
            + (n_t - self.next_sample)
            + (n_t - self.centres_done)
            + (n_t - self.stats_done);
        (total - left, total)
    }

    /// Do up to `max_units` units; true once the job is done.
    pub fn advance(&mut self, max_units: usize) -> bool {
        for _ in 0..max_units {
            match self.stage() {
                GlueStage::Gram => {
                    let lo = self.gram_done;
                    let hi = (lo + self.gram_block).min(self.points());
                    self.qp.fill_gram_columns(&self.x, lo, hi);
                    self.gram_done = hi;
                }
                GlueStage::Samples => {
                    let j = self.next_sample;
                    if self.samples[j].is_none() {
                        let s = self.solve_sample(j, self.options.n_t);
                        self.samples[j] = Some(s);
                    }
                    self.next_sample += 1;
                    // Skip over samples handed in from elsewhere.
                    while self.next_sample < self.options.n_t
                        && self.samples[self.next_sample].is_some()
                    {
                        self.next_sample += 1;
                    }
                }
                GlueStage::Centres => self.centre_unit(),
                GlueStage::Statistics => self.statistics_unit(),
                GlueStage::Done => break,
            }
            self.done_units += 1;
        }
        self.is_done()
    }

    /// Whether the samples can be computed now (the Gram is complete).
    pub fn ready_for_samples(&self) -> bool {
        self.gram_done == self.points()
    }

    /// The samples not yet computed, as a range (those handed in by
    /// [`Self::insert_samples`] beyond it are skipped when reached).
    pub fn pending_samples(&self) -> std::ops::Range<usize> {
        self.next_sample..self.options.n_t
    }

    /// Compute samples lo..hi without storing them (for another thread;
    /// the Gram must be complete, else its columns are computed on the fly
    /// with the same bits).
    pub fn compute_samples(&mut self, lo: usize, hi: usize) -> Vec<GlueSample> {
        let hi = hi.min(self.options.n_t);
        (lo..hi).map(|j| self.solve_sample(j, hi)).collect()
    }

    /// Hand in samples computed elsewhere, starting at sample `lo`.
    pub fn insert_samples(&mut self, lo: usize, samples: Vec<GlueSample>) {
        for (k, s) in samples.into_iter().enumerate() {
            if let Some(slot) = self.samples.get_mut(lo + k) {
                *slot = Some(s);
            }
        }
        while self.next_sample < self.options.n_t && self.samples[self.next_sample].is_some() {
            self.next_sample += 1;
        }
    }

    /// Samples lo..hi as plain numbers (for a page worker to post back).
    pub fn part_state(&mut self, lo: usize, hi: usize) -> Vec<f64> {
        let mut out = Vec::new();
        for s in self.compute_samples(lo, hi) {
            s.encode(&mut out);
        }
        out
    }

    /// Hand in a part's state (samples lo..lo + count). An error names a
    /// malformed state (wrong length or out-of-range numbers).
    pub fn insert_part_state(
        &mut self,
        lo: usize,
        count: usize,
        state: &[f64],
    ) -> Result<(), String> {
        let mut pos = 0;
        let mut samples = Vec::with_capacity(count);
        for k in 0..count {
            let s = GlueSample::decode(state, &mut pos, self.points())
                .ok_or_else(|| format!("GLUE part state: sample {} is malformed", lo + k))?;
            samples.push(s);
        }
        if pos != state.len() {
            return Err("GLUE part state: trailing numbers".into());
        }
        if lo + count > self.options.n_t {
            return Err("GLUE part state: samples out of range".into());
        }
        self.insert_samples(lo, samples);
        Ok(())
    }

    /// Run the pending samples on `threads` threads (native only), each on
    /// its own copy of the prepared QP; the samples are handed back in
    /// order, so the result is the one-thread result, bit for bit.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn run_samples_threaded(&mut self, threads: usize) {
        self.run_some_samples_threaded(threads, usize::MAX);
    }

    /// [`Self::run_samples_threaded`] for the next `count` pending samples
    /// at most (so that a caller can report progress between calls).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn run_some_samples_threaded(&mut self, threads: usize, count: usize) {
        while !self.ready_for_samples() {
            self.advance(1);
        }
        let pending = self.pending_samples();
        let range = pending.start..pending.end.min(pending.start.saturating_add(count));
        let threads = threads.max(1).min(range.len().max(1));
        if threads <= 1 {
            let samples = self.compute_samples(range.start, range.end);
            self.insert_samples(range.start, samples);
            return;
        }
        let chunk = range.len().div_ceil(threads);
        let parts: Vec<(usize, Vec<GlueSample>)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|k| {
                    let lo = range.start + k * chunk;
                    let hi = (lo + chunk).min(range.end);
                    let mut job = self.clone();
                    scope.spawn(move || {
                        // Products on one thread: the threads share the cores.
                        crate::gemm::with_threads(1, || (lo, job.compute_samples(lo, hi)))
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a GLUE sample thread panicked"))
                .collect()
        });
        for (lo, samples) in parts {
            self.insert_samples(lo, samples);
        }
    }

    /// Sample j (of a range ending at `hi`): its labels, t and scores come
    /// from the cached block of samples, computed when j is not in it.
    fn solve_sample(&mut self, j: usize, hi: usize) -> GlueSample {
        let covered = self
            .block
            .as_ref()
            .is_some_and(|b| (b.lo..b.lo + b.ys.len()).contains(&j));
        if !covered {
            self.block = Some(self.score_block(j, hi.min(j + SCORE_BLOCK).max(j + 1)));
        }
        let block = self.block.as_ref().expect("just set");
        let c = j - block.lo;
        let y = &block.ys[c];
        let signs: Vec<f64> = self.owner.iter().map(|&mu| -y[mu]).collect();
        let t: Vec<f64> = block.ts.column(c).iter().copied().collect();
        let b: Vec<f64> = block.scores.column(c).iter().copied().collect();
        let sol = self.qp.solve_signed(&t, &b, &signs);
        let support = sol
            .lambda
            .iter()
            .enumerate()
            .filter(|(_, &l)| l > 0.0)
            .map(|(i, &l)| (i, l))
            .collect();
        GlueSample {
            support,
            a_kkt: dot(&sol.t_minus_v, &sol.t_minus_v),
            ambiguous: sol.ambiguous,
        }
    }

    /// Samples lo..hi drawn, and their scores x_i·t by one blocked product
    /// (each entry summed in feature order from 0: the bits of `dot`).
    fn score_block(&self, lo: usize, hi: usize) -> ScoreBlock {
        let mut ys = Vec::with_capacity(hi - lo);
        let mut ts = DMatrix::zeros(self.n, hi - lo);
        for j in lo..hi {
            let (y, t) = self.draw(j);
            ys.push(y);
            ts.column_mut(j - lo).copy_from_slice(&t);
        }
        let scores = crate::gemm::mul_tn(&self.x, &ts);
        ScoreBlock { lo, ys, ts, scores }
    }

    /// The labels and the Gaussian vector of sample j.
    fn draw(&self, j: usize) -> (Vec<f64>, Vec<f64>) {
        let mut rng = Rng::fork(self.options.seed, SAMPLE_STREAM.wrapping_add(j as u64));
        let y = self.options.labels.draw(self.p, &mut rng);
        let t = (0..self.n).map(|_| rng.normal()).collect();
        (y, t)
    }

    /// The active manifolds of a sample and their anchors (rows, manifold
    /// order).
    fn anchors(&self, s: &GlueSample) -> Vec<(usize, Vec<f64>)> {
        let largest = s.support.iter().map(|&(_, l)| l).fold(0.0, f64::max);
        let mut sums: Vec<Option<(f64, Vec<f64>)>> = vec![None; self.p];
        for &(i, l) in &s.support {
            let mu = self.owner[i];
            let entry = sums[mu].get_or_insert_with(|| (0.0, vec![0.0; self.n]));
            entry.0 += l;
            for (a, x) in entry.1.iter_mut().zip(self.qp.point(i)) {
                *a += l * x;
            }
        }
        sums.into_iter()
            .enumerate()
            .filter_map(|(mu, e)| {
                let (lam, mut v) = e?;
                if !(lam > ACTIVE_FRACTION * largest) {
                    return None;
                }
                v.iter_mut().for_each(|x| *x /= lam);
                Some((mu, v))
            })
            .collect()
    }

    fn sample(&self, j: usize) -> &GlueSample {
        self.samples[j]
            .as_ref()
            .expect("samples are computed before the statistics")
    }

    /// Pass 1: add sample j's anchors to their manifolds' centre sums.
    fn centre_unit(&mut self) {
        let j = self.centres_done;
        for (mu, s) in self.anchors(self.sample(j)) {
            for (acc, v) in self.centre_sums[mu].iter_mut().zip(&s) {
                *acc += v;
            }
            self.centre_counts[mu] += 1;
        }
        self.centres_done += 1;
        if self.centres_done == self.options.n_t {
            self.centres = (0..self.p)
                .map(|mu| {
                    let c = self.centre_counts[mu];
                    (c > 0).then(|| self.centre_sums[mu].iter().map(|v| v / c as f64).collect())
                })
                .collect();
            let zero = vec![0.0; self.n];
            let rows: Vec<&[f64]> = self
                .centres
                .iter()
                .map(|c| c.as_deref().unwrap_or(&zero))
                .collect();
            self.centre_gram = symmetric_gram(&rows);
        }
    }

    /// Pass 2: sample j's a, b, c and its axis alignments.
    fn statistics_unit(&mut self) {
        let j = self.stats_done;
        let sample = self.sample(j).clone();
        let anchors = self.anchors(&sample);
        let (_, t) = self.draw(j);
        let k = anchors.len();
        let acc = &mut self.stats;
        acc.active += k as f64 / self.p as f64;
        if sample.ambiguous {
            acc.ambiguous += 1;
        }
        let (mut a, mut b, mut c) = (0.0, 0.0, 0.0);
        if k > 0 {
            let mus: Vec<usize> = anchors.iter().map(|(mu, _)| *mu).collect();
            let n = self.n;
            // S, S₀ and S₁ = S − S₀ (k × N, rows in manifold order).
            let sm = DMatrix::from_fn(k, n, |r, f| anchors[r].1[f]);
            let s0m = DMatrix::from_fn(k, n, |r, f| {
                self.centres[mus[r]]
                    .as_ref()
                    .expect("an active manifold has a centre")[f]
            });
            let s1m = &sm - &s0m;
            // Blocked products (every entry summed in feature order): S Sᵀ,
            // S₁S₁ᵀ, S t, S₁t, and S₀S₁ᵀ for the alignments; S₀S₀ᵀ from the
            // centres' Gram matrix.
            let g = crate::gemm::mul_nt(&sm, &sm);
            let g1 = crate::gemm::mul_nt(&s1m, &s1m);
            let g01 = DMatrix::from_fn(k, k, |r, q| self.centre_gram[(mus[r], mus[q])]) + &g1;
            let tv = DMatrix::from_column_slice(n, 1, &t);
            let st: Vec<f64> = crate::gemm::mul(&sm, &tv).iter().copied().collect();
            let s1t: Vec<f64> = crate::gemm::mul(&s1m, &tv).iter().copied().collect();
            let g0_1 = crate::gemm::mul_nt(&s0m, &s1m);
            let eig = g.clone().symmetric_eigen();
            let largest = eig.eigenvalues.iter().copied().fold(0.0, f64::max);
            let cutoff = PINV_CUTOFF * largest;
            a = pinv_quadratic(&eig, &st, cutoff);
            b = pinv_quadratic(&g1.clone().symmetric_eigen(), &s1t, cutoff);
            c = pinv_quadratic(&g01.symmetric_eigen(), &s1t, cutoff);
            // Axis parts with a direction: ‖s₁‖² above the same cutoff
            // relative to the largest ‖s‖².
            let max_sq = (0..k).map(|r| g[(r, r)]).fold(0.0, f64::max);
            let has_axis: Vec<bool> = (0..k).map(|r| g1[(r, r)] > PINV_CUTOFF * max_sq).collect();
            for r in 0..k {
                let n0 = self.centre_gram[(mus[r], mus[r])];
                for q in 0..k {
                    if r == q || !has_axis[q] {
                        continue;
                    }
                    if has_axis[r] {
                        let cos = g1[(r, q)] / libm::sqrt(g1[(r, r)] * g1[(q, q)]);
                        acc.axis.0 += cos.abs();
                        acc.axis.1 += 1;
                    }
                    if n0 > 0.0 {
                        let cos = g0_1[(r, q)] / libm::sqrt(n0 * g1[(q, q)]);
                        acc.centre_axis.0 += cos.abs();
                        acc.centre_axis.1 += 1;
                    }
                }
            }
        }
        acc.a += a;
        acc.a_sq += a * a;
        acc.b += b;
        acc.c += c;
        acc.b_minus_c += b - c;
        let gap = (a - sample.a_kkt).abs();
        if !(gap <= acc.kkt_gap) {
            acc.kkt_gap = gap;
        }
        self.stats_done += 1;
    }

    /// The result, once done.
    pub fn result(&self) -> Option<GlueResult> {
        if !self.is_done() {
            return None;
        }
        let acc = &self.stats;
        let nt = self.options.n_t as f64;
        let p = self.p as f64;
        let (ma, mb, mc, mbc) = (acc.a / nt, acc.b / nt, acc.c / nt, acc.b_minus_c / nt);
        let capacity = p / ma;
        let var = (acc.a_sq / nt - ma * ma).max(0.0) * nt / (nt - 1.0).max(1.0);
        let capacity_se = capacity * libm::sqrt(var / nt) / ma;
        let radius = libm::sqrt(mc / mbc);
        let dimension = mb / p;
        let utility = mc / ma;
        let mut notes = self.notes.clone();
        let never_active: Vec<usize> = (0..self.p)
            .filter(|&mu| self.centre_counts[mu] == 0)
            .collect();
        if !never_active.is_empty() {
            notes.push(format!(
                "manifold(s) {} never touched the solution in {} samples (their points always lay on the right side): they add nothing to E[a] and have no anchor centre",
                list(&never_active),
                self.options.n_t
            ));
        }
        let ambiguous_share = acc.ambiguous as f64 / nt;
        if ambiguous_share > AMBIGUOUS_NOTE_SHARE {
            notes.push(format!(
                "{:.0}% of the samples have non-unique multipliers (the active points are linearly dependent, e.g. more points than dimensions): α is unique, but the radius, dimension and utility depend on which optimal multipliers the solver returns",
                100.0 * ambiguous_share
            ));
        }
        if !(ma > 0.0) {
            notes.push("no sample touched any manifold (E[a] = 0): the capacity is unbounded, reported as NaN".into());
        }
        if !(mb > 0.0) {
            notes.push("the anchors have no axis part (E[b] = 0; e.g. every manifold is a point): the dimension is 0 and the radius undefined (NaN)".into());
        }
        // The centres' pairwise |cos|.
        let mut centre = (0.0, 0usize);
        let cg = &self.centre_gram;
        for mu in 0..self.p {
            for nu in 0..self.p {
                if mu != nu && cg[(mu, mu)] > 0.0 && cg[(nu, nu)] > 0.0 {
                    centre.0 += (cg[(mu, nu)] / libm::sqrt(cg[(mu, mu)] * cg[(nu, nu)])).abs();
                    centre.1 += 1;
                }
            }
        }
        let mean_of = |(s, c): (f64, usize)| if c > 0 { s / c as f64 } else { f64::NAN };
        let finite = |v: f64| if v.is_finite() { v } else { f64::NAN };
        Some(GlueResult {
            capacity: finite(capacity),
            capacity_se: finite(capacity_se),
            radius: finite(radius),
            dimension: finite(dimension),
            utility: finite(utility),
            center_alignment: mean_of(centre),
            axis_alignment: mean_of(acc.axis),
            center_axis_alignment: mean_of(acc.centre_axis),
            mean_a: ma,
            mean_b: mb,
            mean_c: mc,
            mean_b_minus_c: mbc,
            a_kkt_gap: acc.kkt_gap,
            ambiguous_share,
            active_share: acc.active / nt,
            never_active,
            points: self.counts.clone(),
            n_t: self.options.n_t,
            notes,
        })
    }
}

/// Gram columns per unit for m points in N features.
fn gram_block(m: usize, n: usize) -> usize {
    (GRAM_UNIT_FLOPS / (m * n).max(1)).clamp(1, m.max(1))
}

/// The units of a job on m points (after subsampling) in N features with
/// n_t samples: its Gram blocks and three passes over the samples. Known
/// before the data (the labs budget their steps with it).
pub fn job_units(m: usize, n: usize, n_t: usize) -> usize {
    let gram = if m > GRAM_MAX_POINTS {
        0
    } else {
        m.div_ceil(gram_block(m, n))
    };
    gram + 3 * n_t
}

/// GLUE in one call.
pub fn glue(
    manifolds: &[DMatrix<f64>],
    options: &GlueOptions,
) -> Result<GlueResult, CapacityError> {
    let mut job = GlueJob::new(manifolds, options)?;
    while !job.advance(usize::MAX) {}
    Ok(job.result().expect("done"))
}

/// GLUE with the samples on `threads` threads (native only): the same bits
/// as [`glue`].
#[cfg(not(target_arch = "wasm32"))]
pub fn glue_threaded(
    manifolds: &[DMatrix<f64>],
    options: &GlueOptions,
    threads: usize,
) -> Result<GlueResult, CapacityError> {
    let mut job = GlueJob::new(manifolds, options)?;
    job.run_samples_threaded(threads);
    while !job.advance(usize::MAX) {}
    Ok(job.result().expect("done"))
}

/// The Gram matrix of the rows, by one blocked product (each entry summed
/// in feature order from 0, as `dot`).
fn symmetric_gram(rows: &[&[f64]]) -> DMatrix<f64> {
    let m = rows_matrix(rows);
    crate::gemm::mul_nt(&m, &m)
}

/// The rows as a k × N matrix.
fn rows_matrix(rows: &[&[f64]]) -> DMatrix<f64> {
    let n = rows.first().map_or(0, |r| r.len());
    DMatrix::from_fn(rows.len(), n, |r, f| rows[r][f])
}

/// qᵀ M⁺ q from M's eigendecomposition, eigenvalues ≤ `cutoff` cut; the
/// terms summed in eigenvalue order.
fn pinv_quadratic(
    eig: &nalgebra::SymmetricEigen<f64, nalgebra::Dyn>,
    q: &[f64],
    cutoff: f64,
) -> f64 {
    let mut s = 0.0;
    for (k, &l) in eig.eigenvalues.iter().enumerate() {
        if l > cutoff {
            let u = eig.eigenvectors.column(k);
            let mut uq = 0.0;
            for (ui, qi) in u.iter().zip(q) {
                uq += ui * qi;
            }
            s += uq * uq / l;
        }
    }
    s
}

/// The mean of all points (features), summed manifold by manifold in row
/// order.
fn global_mean(manifolds: &[DMatrix<f64>]) -> Vec<f64> {
    let n = manifolds[0].ncols();
    let total: usize = manifolds.iter().map(|x| x.nrows()).sum();
    let mut mean = vec![0.0; n];
    for x in manifolds {
        for (f, g) in mean.iter_mut().enumerate() {
            let mut s = 0.0;
            for v in x.column(f).iter() {
                s += v;
            }
            *g += s;
        }
    }
    mean.iter_mut().for_each(|g| *g /= total as f64);
    mean
}

/// Notes for manifolds whose (subsampled) point sets coincide exactly.
fn coincident_notes(x: &DMatrix<f64>, counts: &[usize]) -> Vec<String> {
    let mut start = Vec::with_capacity(counts.len());
    let mut s = 0;
    for &c in counts {
        start.push(s);
        s += c;
    }
    let block = |mu: usize| x.columns(start[mu], counts[mu]);
    let mut pairs = Vec::new();
    for mu in 0..counts.len() {
        for nu in mu + 1..counts.len() {
            if counts[mu] == counts[nu] && block(mu) == block(nu) {
                pairs.push(format!("{mu} and {nu}"));
            }
        }
    }
    if pairs.is_empty() {
        Vec::new()
    } else {
        vec![format!(
            "manifolds {} are identical point sets: whenever their labels differ the readout must be orthogonal to them, which lowers the capacity; check the labels",
            pairs.join(", ")
        )]
    }
}

fn list(v: &[usize]) -> String {
    v.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
