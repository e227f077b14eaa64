//! Manifold capacity: mean-field theoretic manifold analysis (MFTMA) and its
//! numerical check, simulated capacity.
//!
//! Papers: Chung, Lee & Sompolinsky, "Classification and geometry of general
//! perceptual manifolds", PRX 2018 (capacity, anchor points, R_M, D_M);
//! Cohen, Chung, Lee & Sompolinsky, "Separability and geometry of object
//! manifolds in deep neural networks", Nat Commun 2020 (centre correlations,
//! simulated capacity). The method is the published one
//! (neural_manifolds_replicaMFT, `manifold_analysis_corr`), step by step as
//! in SCIENCE.md §3:
//!
//! 1. **Centring.** Subtract the global mean of all points. The centres c_μ
//!    are the manifolds' means.
//! 2. **Centre correlations** ([`centers`]): an orthonormal K-column V that
//!    removes the centres' shared low-rank structure, by Riemannian CG on the
//!    Stiefel manifold ([`stiefel`]) for K = 1, 2, … with random restarts
//!    (the most stable solution kept); K minimises the residual mean
//!    |correlation|. ρ_c is the mean |cos| between centred centres.
//! 3. **Per manifold.** Project the points on the null space of V, subtract
//!    the manifold's mean and divide by its norm (the centre has norm 1). If
//!    the dimension N exceeds the number of points M, reduce to M
//!    coordinates (an isometry of the points: rows of the Cholesky factor of
//!    their Gram matrix, equivalent to the published QR up to a rotation,
//!    which the isotropic t cannot see). Append a coordinate 1: S is
//!    (D + 1) × M, D = min(N, M).
//! 4. **Anchor points** ([`qp`]): for each of n_t Gaussian t ∈ R^{D+1}, if the
//!    point with the largest projection s* has t·s* + κ < 0, the anchor is
//!    s* (interior). Otherwise solve min ‖v − t‖² s.t. v·s_j + κ ≤ 0 exactly;
//!    the anchor is s̃ = (t − v)/Σλ (s* again if ‖v − t‖ < 1e-8).
//! 5. **Per manifold results.**
//!    α_M = 1 / mean_t[max(t·s̃ + κ, 0)² / ‖s̃‖²];
//!    R_M = sqrt(mean_t ‖δs̃_{1:D} / s̃_{D+1}‖²), δs̃ = s̃ − mean_t s̃;
//!    D_M = D · (mean_t t̂_{1:D}·ŝ_{1:D})², ŝ = s/sqrt(‖s‖² + 1e-12).
//! 6. **Aggregates.** α = 1/mean_μ(1/α_μ), mean R_M, mean D_M, ρ_c, K, and
//!    the data's participation ratio and PCs for 90% of the variance.
//!
//! Determinism: the centre search draws from `Rng::fork(seed, 0)` and
//! manifold μ's Gaussian vectors from `Rng::fork(seed, 1 + μ)`, so the
//! result is a fixed function of (data, options) however the work is cut
//! into chunks; all arithmetic is + − × ÷ and sqrt in a fixed order (and
//! nalgebra's symmetric eigenvalues, which use libm), so wasm and native
//! agree bit for bit.
//!
//! Degenerate cases: fewer than 2 manifolds, a manifold with fewer than 2
//! points, mismatched feature counts, no features or a non-finite entry are
//! errors ([`CapacityError`]). A manifold whose centre lies on the removed
//! subspace (zero norm after step 3) is an error too: its capacity is
//! undefined; so are centres that all coincide. "Zero" is relative to the
//! data's scale ([`CENTRE_ABS_TOL`]): centring leaves rounding residue that
//! must not be rescaled into a manifold. α_M = +∞ when no Gaussian sample touches the manifold (a
//! very negative κ).
//!
//! Use [`mftma`] for one call, or [`MftmaJob`] to run in chunks with
//! progress (the page and the labs: call `advance` until done, drop the job
//! to cancel).

// NaN-aware comparisons (`!(x > 0.0)` is true for NaN) are deliberate here.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod centers;
pub mod glue;
pub mod qp;
pub mod simulated;
pub mod stiefel;
pub mod subsample;
pub mod theory;

use std::sync::Arc;

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

use crate::rng::Rng;
use centers::{CenterSearch, CenterStructure};
use qp::AnchorQp;
use stiefel::CgOptions;

/// Why an analysis could not run.
#[derive(Clone, Debug, PartialEq)]
pub enum CapacityError {
    /// Fewer than 2 manifolds.
    TooFewManifolds(usize),
    /// Manifold `manifold` has fewer than 2 points.
    TooFewPoints { manifold: usize, points: usize },
    /// The manifolds have no features.
    NoFeatures,
    /// Manifold `manifold` has `got` features, the first has `expected`.
    FeatureMismatch {
        manifold: usize,
        expected: usize,
        got: usize,
    },
    /// Manifold `manifold` has a NaN or infinite entry.
    NotFinite { manifold: usize },
    /// Manifold `manifold`'s centre is zero after removing the centres'
    /// shared structure (or coincides with the global mean).
    ZeroCenter { manifold: usize },
    /// Manifold `manifold` has every point at the origin (after centring):
    /// GLUE's constraints y⟨v, x⟩ ≥ 0 never bind on it.
    AtOrigin { manifold: usize },
    /// Every manifold has the same centre, up to rounding: the centres
    /// carry no direction to classify by.
    CentresCoincide,
    /// An option out of range.
    BadOption(String),
}

impl std::fmt::Display for CapacityError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CapacityError::TooFewManifolds(p) => write!(
                f,
                "manifold capacity needs at least 2 manifolds (classes), got {p}"
            ),
            CapacityError::TooFewPoints { manifold, points } => write!(
                f,
                "manifold {manifold} has {points} point(s); each manifold needs at least 2"
            ),
            CapacityError::NoFeatures => write!(f, "the manifolds have no features (0 columns)"),
            CapacityError::FeatureMismatch {
                manifold,
                expected,
                got,
            } => write!(
                f,
                "manifold {manifold} has {got} features, but manifold 0 has {expected}"
            ),
            CapacityError::NotFinite { manifold } => write!(
                f,
                "manifold {manifold} contains a NaN or infinite value"
            ),
            CapacityError::ZeroCenter { manifold } => write!(
                f,
                "manifold {manifold}'s centre is zero after removing the centres' shared structure: its capacity is undefined"
            ),
            CapacityError::AtOrigin { manifold } => write!(
                f,
                "manifold {manifold} has every point at the origin: no linear readout through the origin can place it on either side, so its capacity is undefined"
            ),
            CapacityError::CentresCoincide => write!(
                f,
                "every manifold has the same centre (up to rounding): the classes' means coincide, so their capacity is undefined"
            ),
            CapacityError::BadOption(msg) => write!(f, "{msg}"),
        }
    }
}

impl std::error::Error for CapacityError {}

/// Relative size, against √N·max|x| over all points, of the smallest
/// centre norm MFTMA takes as nonzero (after centring and step 3's
/// projection). Centring in floating point leaves errors of at most about
/// (M + 1)·u·max|x| per coordinate (u = 1.1e-16: the mean's summation and
/// the subtraction), under 1.2e-11·max|x| for up to 10⁵ points, so a
/// centre norm below 1e-10·√N·max|x| is rounding residue: data whose rows
/// are all 0.1 has no centre, not a rescaled residue with a capacity of 2.
/// The same bound as the alignments' `AXIS_ABS_TOL`.
pub const CENTRE_ABS_TOL: f64 = 1e-10;

/// The analysis' parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MftmaOptions {
    /// Margin κ (default 0).
    pub kappa: f64,
    /// Gaussian samples per manifold, n_t (default 300; papers use 200–300).
    pub n_t: usize,
    /// Random restarts per K in the centre search (default 10, as published).
    pub restarts: usize,
    /// Seed of every random draw.
    pub seed: u64,
    /// Also compute the data's participation ratio and PCs for 90% of the
    /// variance (default true; one Gram matrix and its eigenvalues).
    pub data_dimensionality: bool,
    /// Stopping rules of the Stiefel CG.
    #[serde(skip, default)]
    pub cg: CgOptionsSerde,
}

/// [`CgOptions`] inside [`MftmaOptions`] (kept out of serde).
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct CgOptionsSerde(pub Option<CgOptions>);

impl Default for MftmaOptions {
    fn default() -> Self {
        MftmaOptions {
            kappa: 0.0,
            n_t: 300,
            restarts: 10,
            seed: 0,
            data_dimensionality: true,
            cg: CgOptionsSerde(None),
        }
    }
}

impl MftmaOptions {
    /// Defaults with this seed.
    pub fn with_seed(seed: u64) -> Self {
        MftmaOptions {
            seed,
            ..Default::default()
        }
    }

    fn check(&self) -> Result<(), CapacityError> {
        if !self.kappa.is_finite() {
            return Err(CapacityError::BadOption(format!(
                "the margin κ must be a finite number, got {}",
                self.kappa
            )));
        }
        if !(1..=1_000_000).contains(&self.n_t) {
            return Err(CapacityError::BadOption(format!(
                "n_t (Gaussian samples per manifold) must be 1 to 1000000, got {}",
                self.n_t
            )));
        }
        if !(1..=1000).contains(&self.restarts) {
            return Err(CapacityError::BadOption(format!(
                "restarts must be 1 to 1000, got {}",
                self.restarts
            )));
        }
        Ok(())
    }
}

/// One manifold's results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManifoldCapacity {
    /// α_M.
    pub capacity: f64,
    /// R_M (relative to the centre's norm).
    pub radius: f64,
    /// D_M.
    pub dimension: f64,
    /// ‖centre‖ after step 3's projection (the unit the radius is in).
    pub center_norm: f64,
    /// D, the manifold's coordinates after reduction (min(N, M)).
    pub ambient_dim: usize,
    /// Fraction of the Gaussian samples that touch the manifold (QP solved
    /// with a nonzero solution).
    pub touching_fraction: f64,
}

/// The whole analysis.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MftmaResult {
    /// Per manifold, in input order.
    pub manifolds: Vec<ManifoldCapacity>,
    /// α = 1 / mean_μ(1/α_μ).
    pub capacity: f64,
    /// mean_μ R_M.
    pub radius: f64,
    /// mean_μ D_M.
    pub dimension: f64,
    /// ρ_c: mean over μ ≠ ν of |cos(c_μ, c_ν)| of the centred centres.
    pub center_correlation: f64,
    /// K, the rank of the removed centre structure.
    pub k: usize,
    /// Residual mean |correlation| of the centres after removing K dims
    /// (equal to ρ_c when K = 0).
    pub residual_correlation: f64,
    /// Residual mean |correlation| for each K tried (index K − 1).
    pub residual_by_k: Vec<f64>,
    /// Participation ratio (Σλ)²/Σλ² of all points' covariance (NaN if not
    /// computed).
    pub participation_ratio: f64,
    /// Number of principal components for 90% of the variance (0 if not
    /// computed).
    pub pcs_90: usize,
    /// Stiefel CG iterations spent in the centre search.
    pub cg_iterations: usize,
}

/// Which part of the analysis a job is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    /// Step 2, one CG optimisation per unit.
    Centers,
    /// Steps 3–5, one manifold per unit.
    Manifolds,
    /// Participation ratio and PCs, one unit.
    Dimensionality,
    Done,
}

/// How far a job is: `done` of about `total` units (the centre search's
/// count is an upper bound until it stops early, so `total` can shrink).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
    pub stage: Stage,
}

impl Progress {
    /// done / total in [0, 1].
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            (self.done as f64 / self.total as f64).min(1.0)
        }
    }
}

/// MFTMA run in chunks. Build with [`MftmaJob::new`] (which checks the
/// input), call [`MftmaJob::advance`] until it returns true, read
/// [`MftmaJob::result`]. Cancelling is dropping the job. The result does
/// not depend on the chunk sizes.
#[derive(Clone, Debug)]
pub struct MftmaJob {
    options: MftmaOptions,
    /// The manifolds' points (not centred).
    points: Points<'static>,
    /// The smallest centre norm (after step 3's projection) taken as
    /// nonzero: [`CENTRE_ABS_TOL`]·√N·max|x| (see there).
    zero_centre: f64,
    /// The global mean of all points (summed manifold by manifold); each
    /// manifold is centred on it when it is analysed.
    global: Vec<f64>,
    /// Orthonormal basis (N × n) of the centred centres' span.
    basis: DMatrix<f64>,
    search: CenterSearch,
    /// V in feature space (N × K), once the search is done.
    v_features: Option<DMatrix<f64>>,
    per_manifold: Vec<ManifoldCapacity>,
    dimensionality: Option<(f64, usize)>,
    done_units: usize,
    error: Option<CapacityError>,
}

/// MFTMA's manifolds stage, shared among threads (native only): each
/// thread that calls [`ManifoldWork::help`] takes the next manifold not yet
/// taken, until none is left. Each manifold is a fixed function of (its
/// points, V, the options, its index), and [`MftmaJob::finish_manifolds`]
/// reads the results in manifold order, so the result is the same bits
/// for any number of helpers and any timing.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug)]
pub struct ManifoldWork {
    points: Points<'static>,
    global: Vec<f64>,
    v: DMatrix<f64>,
    zero_centre: f64,
    options: MftmaOptions,
    /// The first manifold of the work.
    start: usize,
    /// The next manifold to take.
    next: std::sync::atomic::AtomicUsize,
    /// Manifold start + k's result in slot k.
    slots: Vec<std::sync::OnceLock<Result<ManifoldCapacity, CapacityError>>>,
    /// Manifolds finished, signalled when all are.
    finished: std::sync::Mutex<usize>,
    all_done: std::sync::Condvar,
}

#[cfg(not(target_arch = "wasm32"))]
impl ManifoldWork {
    /// Manifolds in the work.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Whether a manifold is left for a helper to take.
    pub fn has_pending(&self) -> bool {
        self.next.load(std::sync::atomic::Ordering::Relaxed) < self.start + self.len()
    }

    /// Analyse manifolds (the next one not taken, again and again) until
    /// none is left to take.
    pub fn help(&self) {
        use std::sync::atomic::Ordering;
        loop {
            let mu = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(slot) = self.slots.get(mu.wrapping_sub(self.start)) else {
                return;
            };
            let x = centred_manifold(&self.points, &self.global, mu);
            let r = analyse_manifold(&x, &self.v, mu, self.zero_centre, &self.options);
            // Each index is taken once, so its slot is empty.
            let _ = slot.set(r);
            let mut finished = self.finished.lock().unwrap_or_else(|e| e.into_inner());
            *finished += 1;
            if *finished == self.len() {
                self.all_done.notify_all();
            }
        }
    }

    /// Block until every manifold is done (by any helper).
    pub fn wait(&self) {
        let mut finished = self.finished.lock().unwrap_or_else(|e| e.into_inner());
        while *finished < self.len() {
            finished = self
                .all_done
                .wait(finished)
                .unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// Check the manifolds (samples × features each).
pub fn check_manifolds(manifolds: &[DMatrix<f64>]) -> Result<usize, CapacityError> {
    check_points(&Points::Borrowed(manifolds))
}

/// Where a job reads its manifolds: matrices of their own, or the rows of
/// one samples × features matrix grouped by manifold (what "Your data"
/// passes, so that no copy of the whole data is made: a manifold is
/// gathered when it is analysed).
#[derive(Clone, Debug)]
pub enum Points<'a> {
    /// One samples × features matrix per manifold.
    Borrowed(&'a [DMatrix<f64>]),
    /// Owned matrices, one per manifold.
    Owned(Vec<DMatrix<f64>>),
    /// Manifold μ is the rows `rows[μ]` of `x`, in that order.
    Rows {
        x: Arc<DMatrix<f64>>,
        rows: Vec<Vec<usize>>,
    },
}

impl Points<'_> {
    /// The number of manifolds.
    pub fn len(&self) -> usize {
        match self {
            Points::Borrowed(m) => m.len(),
            Points::Owned(m) => m.len(),
            Points::Rows { rows, .. } => rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Features (0 without manifolds).
    pub fn features(&self) -> usize {
        match self {
            Points::Borrowed(m) => m.first().map_or(0, |x| x.ncols()),
            Points::Owned(m) => m.first().map_or(0, |x| x.ncols()),
            Points::Rows { x, .. } => x.ncols(),
        }
    }

    /// Points of manifold μ.
    pub fn count(&self, mu: usize) -> usize {
        match self {
            Points::Borrowed(m) => m[mu].nrows(),
            Points::Owned(m) => m[mu].nrows(),
            Points::Rows { rows, .. } => rows[mu].len(),
        }
    }

    /// Entry (i, f) of manifold μ.
    fn at(&self, mu: usize, i: usize, f: usize) -> f64 {
        match self {
            Points::Borrowed(m) => m[mu][(i, f)],
            Points::Owned(m) => m[mu][(i, f)],
            Points::Rows { x, rows } => x[(rows[mu][i], f)],
        }
    }

    /// Manifold μ as a samples × features matrix (a copy).
    pub fn manifold(&self, mu: usize) -> DMatrix<f64> {
        DMatrix::from_fn(self.count(mu), self.features(), |i, f| self.at(mu, i, f))
    }

    /// The same points, owned (a `Borrowed` source is copied).
    pub fn into_owned(self) -> Points<'static> {
        match self {
            Points::Borrowed(m) => Points::Owned(m.to_vec()),
            Points::Owned(m) => Points::Owned(m),
            Points::Rows { x, rows } => Points::Rows { x, rows },
        }
    }
}

/// Check the manifolds: at least 2, each of at least 2 points, the same
/// features (at least 1), finite entries. Returns the feature count.
pub fn check_points(points: &Points) -> Result<usize, CapacityError> {
    if points.len() < 2 {
        return Err(CapacityError::TooFewManifolds(points.len()));
    }
    let n = points.features();
    if n == 0 {
        return Err(CapacityError::NoFeatures);
    }
    for mu in 0..points.len() {
        if let Points::Borrowed(m) = points {
            if m[mu].ncols() != n {
                return Err(CapacityError::FeatureMismatch {
                    manifold: mu,
                    expected: n,
                    got: m[mu].ncols(),
                });
            }
        }
        if let Points::Owned(m) = points {
            if m[mu].ncols() != n {
                return Err(CapacityError::FeatureMismatch {
                    manifold: mu,
                    expected: n,
                    got: m[mu].ncols(),
                });
            }
        }
        let m = points.count(mu);
        if m < 2 {
            return Err(CapacityError::TooFewPoints {
                manifold: mu,
                points: m,
            });
        }
        let finite = match points {
            Points::Rows { x, rows } => rows[mu]
                .iter()
                .all(|&r| x.row(r).iter().all(|v| v.is_finite())),
            _ => (0..m).all(|i| (0..n).all(|f| points.at(mu, i, f).is_finite())),
        };
        if !finite {
            return Err(CapacityError::NotFinite { manifold: mu });
        }
    }
    Ok(n)
}

/// Manifold μ minus the global mean, entry by entry.
fn centred_manifold(points: &Points, global: &[f64], mu: usize) -> DMatrix<f64> {
    DMatrix::from_fn(points.count(mu), global.len(), |i, f| {
        points.at(mu, i, f) - global[f]
    })
}

/// Mean of the rows of `x` (length ncols), summed in row order.
fn row_mean(x: &DMatrix<f64>) -> Vec<f64> {
    let m = x.nrows() as f64;
    x.column_iter()
        .map(|c| {
            let mut s = 0.0;
            for v in c.iter() {
                s += v;
            }
            s / m
        })
        .collect()
}

/// An orthonormal basis (N × n) of the span of the columns of `a` (N × P),
/// by Gram–Schmidt applied twice, dropping columns whose remainder is below
/// 1e-10 of the largest column norm; and the coordinates (P × n) of the
/// columns in it.
pub fn span_basis(a: &DMatrix<f64>) -> (DMatrix<f64>, DMatrix<f64>) {
    let (nrow, p) = a.shape();
    let max_norm = (0..p)
        .map(|j| libm::sqrt(a.column(j).iter().map(|v| v * v).sum::<f64>()))
        .fold(0.0, f64::max);
    let mut cols: Vec<Vec<f64>> = Vec::new();
    for j in 0..p {
        let mut v: Vec<f64> = a.column(j).iter().copied().collect();
        for _pass in 0..2 {
            for q in &cols {
                let r = qp::dot(q, &v);
                for (vi, qi) in v.iter_mut().zip(q) {
                    *vi -= r * qi;
                }
            }
        }
        let norm = libm::sqrt(qp::dot(&v, &v));
        if norm > 1e-10 * max_norm && norm > 0.0 {
            v.iter_mut().for_each(|x| *x /= norm);
            cols.push(v);
        }
    }
    let n = cols.len();
    let basis = DMatrix::from_fn(nrow, n, |i, k| cols[k][i]);
    let coords = DMatrix::from_fn(p, n, |mu, k| qp::dot(&cols[k], a.column(mu).as_slice()));
    (basis, coords)
}

impl MftmaJob {
    /// Check the input and prepare the job (the global mean and the
    /// centres' basis; no optimisation yet). The manifolds are copied;
    /// [`MftmaJob::from_points`] takes them without a copy.
    pub fn new(manifolds: &[DMatrix<f64>], options: &MftmaOptions) -> Result<Self, CapacityError> {
        MftmaJob::from_points(Points::Borrowed(manifolds), options)
    }

    /// [`MftmaJob::new`] on any [`Points`] source (a `Borrowed` one is
    /// copied, the others are kept as they are).
    pub fn from_points(points: Points, options: &MftmaOptions) -> Result<Self, CapacityError> {
        options.check()?;
        let n = check_points(&points)?;
        let points = points.into_owned();
        let p = points.len();
        // Global mean of all points, summed manifold by manifold.
        let total: usize = (0..p).map(|mu| points.count(mu)).sum();
        let mut global = vec![0.0; n];
        for mu in 0..p {
            for (f, g) in global.iter_mut().enumerate() {
                let mut s = 0.0;
                for i in 0..points.count(mu) {
                    s += points.at(mu, i, f);
                }
                *g += s;
            }
        }
        global.iter_mut().for_each(|g| *g /= total as f64);
        // Centres, centred by their own mean (as the published fun_FA).
        let centres: Vec<Vec<f64>> = (0..p)
            .map(|mu| row_mean(&centred_manifold(&points, &global, mu)))
            .collect();
        let mut cmean = vec![0.0; n];
        for c in &centres {
            for (a, b) in cmean.iter_mut().zip(c) {
                *a += b;
            }
        }
        cmean.iter_mut().for_each(|a| *a /= p as f64);
        let cc = DMatrix::from_fn(n, p, |f, mu| centres[mu][f] - cmean[f]);
        let scale = (0..p)
            .flat_map(|mu| (0..points.count(mu)).map(move |i| (mu, i)))
            .fold(0.0f64, |m, (mu, i)| {
                (0..n).fold(m, |m, f| m.max(points.at(mu, i, f).abs()))
            });
        let zero_centre = CENTRE_ABS_TOL * libm::sqrt(n as f64) * scale;
        let spread = (0..p)
            .map(|mu| libm::sqrt(cc.column(mu).iter().map(|v| v * v).sum::<f64>()))
            .fold(0.0f64, f64::max);
        if !(spread > zero_centre) {
            return Err(CapacityError::CentresCoincide);
        }
        let (basis, coords) = span_basis(&cc);
        let cg = options.cg.0.unwrap_or_default();
        let search = CenterSearch::new(coords, options.restarts, cg, Rng::fork(options.seed, 0));
        Ok(MftmaJob {
            options: options.clone(),
            points,
            zero_centre,
            global,
            basis,
            search,
            v_features: None,
            per_manifold: Vec::with_capacity(p),
            dimensionality: None,
            done_units: 0,
            error: None,
        })
    }

    /// The current stage.
    pub fn stage(&self) -> Stage {
        if self.error.is_some() {
            Stage::Done
        } else if !self.search.is_done() {
            Stage::Centers
        } else if self.per_manifold.len() < self.points.len() {
            Stage::Manifolds
        } else if self.options.data_dimensionality && self.dimensionality.is_none() {
            Stage::Dimensionality
        } else {
            Stage::Done
        }
    }

    /// Whether the job has finished (or failed).
    pub fn is_done(&self) -> bool {
        self.stage() == Stage::Done
    }

    /// Units done and (an upper bound on) the total.
    pub fn progress(&self) -> Progress {
        let remaining = self.search.remaining_units()
            + (self.points.len() - self.per_manifold.len())
            + usize::from(self.options.data_dimensionality && self.dimensionality.is_none());
        Progress {
            done: self.done_units,
            total: self.done_units + if self.error.is_some() { 0 } else { remaining },
            stage: self.stage(),
        }
    }

    /// Do up to `max_units` units of work (a unit is one CG run of the
    /// centre search, one manifold, or the dimensionality). Ok(true) when
    /// the job is complete.
    pub fn advance(&mut self, max_units: usize) -> Result<bool, CapacityError> {
        for _ in 0..max_units {
            if let Some(e) = &self.error {
                return Err(e.clone());
            }
            match self.stage() {
                Stage::Centers => {
                    self.search.step();
                }
                Stage::Manifolds => {
                    let v = self.feature_v().clone();
                    let mu = self.per_manifold.len();
                    let x = centred_manifold(&self.points, &self.global, mu);
                    match analyse_manifold(&x, &v, mu, self.zero_centre, &self.options) {
                        Ok(r) => self.per_manifold.push(r),
                        Err(e) => {
                            self.error = Some(e.clone());
                            return Err(e);
                        }
                    }
                }
                Stage::Dimensionality => {
                    let centred: Vec<DMatrix<f64>> = (0..self.points.len())
                        .map(|mu| centred_manifold(&self.points, &self.global, mu))
                        .collect();
                    self.dimensionality = Some(data_dimensionality(&centred));
                }
                Stage::Done => break,
            }
            self.done_units += 1;
        }
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        Ok(self.is_done())
    }

    /// Finish the centre search, then analyse the remaining manifolds on
    /// `threads` threads (native only). Each manifold is a fixed function
    /// of (its points, V, options, its index) and the results are kept in
    /// manifold order, so this gives the one-thread result bit for bit.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn run_manifolds_threaded(&mut self, threads: usize) {
        while self.stage() == Stage::Centers {
            self.centres_threaded(threads);
        }
        if threads < 2 {
            return;
        }
        let Some(work) = self.manifold_work() else {
            return;
        };
        std::thread::scope(|scope| {
            for _ in 1..threads.min(work.len()) {
                scope.spawn(|| crate::gemm::with_threads(1, || work.help()));
            }
            crate::gemm::with_threads(1, || work.help());
        });
        self.finish_manifolds(&work);
    }

    /// In the centre search: the remaining restarts of the current K on up
    /// to `threads` threads ([`CenterSearch::step_restarts_threaded`]: the
    /// same bits as one [`Self::advance`] unit per restart). Nothing in
    /// other stages.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn centres_threaded(&mut self, threads: usize) {
        if self.stage() == Stage::Centers {
            self.done_units += self.search.step_restarts_threaded(threads);
        }
    }

    /// The remaining manifolds as work that any number of threads can
    /// share ([`ManifoldWork::help`]); None unless the job is at the
    /// manifolds stage (the centre search is done). Hand it back with
    /// [`Self::finish_manifolds`] once [`ManifoldWork::wait`] returns.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn manifold_work(&mut self) -> Option<Arc<ManifoldWork>> {
        if self.stage() != Stage::Manifolds {
            return None;
        }
        let v = self.feature_v().clone();
        let start = self.per_manifold.len();
        let p = self.points.len();
        Some(Arc::new(ManifoldWork {
            points: self.points.clone(),
            global: self.global.clone(),
            v,
            zero_centre: self.zero_centre,
            options: self.options.clone(),
            start,
            next: std::sync::atomic::AtomicUsize::new(start),
            slots: (start..p).map(|_| std::sync::OnceLock::new()).collect(),
            finished: std::sync::Mutex::new(0),
            all_done: std::sync::Condvar::new(),
        }))
    }

    /// Take the results of [`Self::manifold_work`] (every manifold must be
    /// done: after [`ManifoldWork::wait`]), in manifold order, up to the
    /// first error, where [`Self::advance`] would have stopped.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn finish_manifolds(&mut self, work: &ManifoldWork) {
        assert_eq!(
            work.start,
            self.per_manifold.len(),
            "the work belongs to this job's manifolds stage"
        );
        for slot in &work.slots {
            match slot.get().expect("every manifold is done").clone() {
                Ok(m) => {
                    self.per_manifold.push(m);
                    self.done_units += 1;
                }
                Err(e) => {
                    self.error = Some(e);
                    return;
                }
            }
        }
    }

    /// V in feature space (N × K).
    fn feature_v(&mut self) -> &DMatrix<f64> {
        if self.v_features.is_none() {
            let n = self.basis.ncols();
            let v = self.search.result().v(n);
            self.v_features = Some(&self.basis * v);
        }
        self.v_features.as_ref().expect("just set")
    }

    /// The centre search's result (complete once the stage has passed
    /// `Centers`).
    pub fn centers(&self) -> &CenterStructure {
        self.search.result()
    }

    /// The result, once done.
    pub fn result(&self) -> Option<MftmaResult> {
        if !self.is_done() || self.error.is_some() {
            return None;
        }
        let cs = self.search.result();
        let per = self.per_manifold.clone();
        let p = per.len() as f64;
        let mut inv = 0.0;
        let mut r = 0.0;
        let mut d = 0.0;
        for m in &per {
            inv += 1.0 / m.capacity;
            r += m.radius;
            d += m.dimension;
        }
        let (pr, pcs) = self.dimensionality.unwrap_or((f64::NAN, 0));
        Some(MftmaResult {
            capacity: 1.0 / (inv / p),
            radius: r / p,
            dimension: d / p,
            center_correlation: cs.rho_c,
            k: cs.k,
            residual_correlation: if cs.k == 0 {
                cs.rho_c
            } else {
                cs.residual_by_k[cs.k - 1]
            },
            residual_by_k: cs.residual_by_k.clone(),
            participation_ratio: pr,
            pcs_90: pcs,
            cg_iterations: cs.cg_iterations,
            manifolds: per,
        })
    }
}

/// MFTMA in one call: manifolds as samples × features matrices.
pub fn mftma(
    manifolds: &[DMatrix<f64>],
    options: &MftmaOptions,
) -> Result<MftmaResult, CapacityError> {
    let mut job = MftmaJob::new(manifolds, options)?;
    while !job.advance(usize::MAX)? {}
    Ok(job.result().expect("done without error"))
}

/// One manifold's MFTMA capacity on its own (steps 3–5 with K = 0 and no
/// global centring): its points as given (M × N), its centre their mean.
/// Manifold μ's Gaussian samples are those of [`mftma`]'s manifold
/// `index` with the same seed. GLUE's oracle for manifolds in orthogonal
/// subspaces (`tests/glue.rs`) compares against 1/mean_μ(1/α_μ) of these.
pub fn manifold_capacity(
    x: &DMatrix<f64>,
    index: usize,
    options: &MftmaOptions,
) -> Result<ManifoldCapacity, CapacityError> {
    options.check()?;
    check_manifolds(&[x.clone(), x.clone()])?;
    let scale = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let zero_centre = CENTRE_ABS_TOL * libm::sqrt(x.ncols() as f64) * scale;
    analyse_manifold(
        x,
        &DMatrix::zeros(x.ncols(), 0),
        index,
        zero_centre,
        options,
    )
}

/// Steps 3–5 for one globally centred manifold (M × N) and V (N × K).
fn analyse_manifold(
    x: &DMatrix<f64>,
    v: &DMatrix<f64>,
    mu: usize,
    zero_centre: f64,
    options: &MftmaOptions,
) -> Result<ManifoldCapacity, CapacityError> {
    let (m, n) = x.shape();
    // Null space of V: X − (XV)Vᵀ.
    let xp = if v.ncols() == 0 {
        x.clone()
    } else {
        x - crate::gemm::mul_nt(&crate::gemm::mul(x, v), v)
    };
    let centre = row_mean(&xp);
    let norm = libm::sqrt(qp::dot(&centre, &centre));
    if !(norm > zero_centre) {
        return Err(CapacityError::ZeroCenter { manifold: mu });
    }
    let y = DMatrix::from_fn(m, n, |i, f| (xp[(i, f)] - centre[f]) / norm);
    // Coordinates: D × M.
    let coords = if n > m {
        reduce_to_span(&y)
    } else {
        y.transpose()
    };
    let d = coords.nrows();
    let d1 = d + 1;
    let mut s = DMatrix::from_element(d1, m, 1.0);
    s.view_mut((0, 0), (d, m)).copy_from(&coords);

    let n_t = options.n_t;
    let kappa = options.kappa;
    let mut rng = Rng::fork(options.seed, 1 + mu as u64);
    let t = DMatrix::from_fn(d1, n_t, |_, _| 0.0);
    let mut t = t;
    for j in 0..n_t {
        for i in 0..d1 {
            t[(i, j)] = rng.normal();
        }
    }
    // Scores b_j(t) = s_j·t + κ for all samples: (m × n_t).
    let mut scores = crate::gemm::mul_tn(&s, &t);
    scores.iter_mut().for_each(|b| *b += kappa);
    let mut qp = AnchorQp::from_matrix(&s);
    qp.fill_gram();

    let mut anchors = DMatrix::zeros(d1, n_t);
    let mut touching = 0usize;
    for j in 0..n_t {
        let tj = t.column(j);
        let b = scores.column(j);
        // The max-projection point (first on ties).
        let mut best = 0;
        for i in 1..m {
            if b[i] > b[best] {
                best = i;
            }
        }
        let interior = |anchors: &mut DMatrix<f64>| {
            anchors.column_mut(j).copy_from(&s.column(best));
        };
        if b[best] < 0.0 {
            interior(&mut anchors);
            continue;
        }
        let sol = qp.solve_with_scores(tj.as_slice(), kappa, b.as_slice());
        let dist = libm::sqrt(qp::dot(&sol.t_minus_v, &sol.t_minus_v));
        if dist < 1e-8 {
            interior(&mut anchors);
            continue;
        }
        touching += 1;
        let sum = sol.t_minus_v[d1 - 1];
        for i in 0..d1 {
            anchors[(i, j)] = sol.t_minus_v[i] / sum;
        }
    }
    let (capacity, radius, dimension) = anchor_statistics(&t, &anchors, kappa);
    Ok(ManifoldCapacity {
        capacity,
        radius,
        dimension,
        center_norm: norm,
        ambient_dim: d,
        touching_fraction: touching as f64 / n_t as f64,
    })
}

/// α_M, R_M and D_M from the samples t and anchors s̃ (both (D+1) × n_t),
/// step 5 of the module doc.
pub fn anchor_statistics(t: &DMatrix<f64>, s: &DMatrix<f64>, kappa: f64) -> (f64, f64, f64) {
    let (d1, n_t) = t.shape();
    let d = d1 - 1;
    let nt = n_t as f64;
    // Capacity.
    let mut slam = 0.0;
    for j in 0..n_t {
        let ts = qp::dot(t.column(j).as_slice(), s.column(j).as_slice()) + kappa;
        let ss = qp::dot(s.column(j).as_slice(), s.column(j).as_slice());
        let h = ts.max(0.0);
        let lamb = if ss > 0.0 { h / ss } else { 0.0 };
        slam += lamb * lamb * ss;
    }
    let capacity = 1.0 / (slam / nt);
    // Radius.
    let mut mean = vec![0.0; d1];
    for j in 0..n_t {
        for i in 0..d1 {
            mean[i] += s[(i, j)];
        }
    }
    mean.iter_mut().for_each(|x| *x /= nt);
    let mut rsum = 0.0;
    for j in 0..n_t {
        let last = s[(d, j)];
        let mut q = 0.0;
        for i in 0..d {
            let z = (s[(i, j)] - mean[i]) / last;
            q += z * z;
        }
        rsum += q;
    }
    let radius = libm::sqrt(rsum / nt);
    // Dimension.
    let mut dots = 0.0;
    for j in 0..n_t {
        let mut tt = 0.0;
        let mut ss = 0.0;
        let mut ts = 0.0;
        for i in 0..d {
            tt += t[(i, j)] * t[(i, j)];
            ss += s[(i, j)] * s[(i, j)];
            ts += t[(i, j)] * s[(i, j)];
        }
        dots += ts / (libm::sqrt(tt) * libm::sqrt(ss + 1e-12));
    }
    let mdot = dots / nt;
    (capacity, radius, d as f64 * mdot * mdot)
}

/// Coordinates (M × M, one point per column) of the M points (rows of `y`,
/// M < N) in an orthonormal basis of an M-dimensional space containing
/// them: Lᵀ with LLᵀ = YYᵀ (Cholesky of the Gram matrix; a pivot below
/// 1e-12 of its diagonal — a point in the span of the earlier ones — gives
/// a zero row).
pub fn reduce_to_span(y: &DMatrix<f64>) -> DMatrix<f64> {
    let m = y.nrows();
    let g = crate::gemm::mul_nt(y, y);
    let mut l = DMatrix::<f64>::zeros(m, m);
    for j in 0..m {
        for i in 0..j {
            if l[(i, i)] == 0.0 {
                continue;
            }
            let mut s = g[(j, i)];
            for k in 0..i {
                s -= l[(j, k)] * l[(i, k)];
            }
            l[(j, i)] = s / l[(i, i)];
        }
        let mut s = g[(j, j)];
        for k in 0..j {
            s -= l[(j, k)] * l[(j, k)];
        }
        l[(j, j)] = if s > 1e-12 * g[(j, j)] {
            libm::sqrt(s)
        } else {
            0.0
        };
    }
    l.transpose()
}

/// Participation ratio and PCs for 90% of the variance of all points
/// (globally centred already), from the eigenvalues of the smaller Gram
/// matrix (N × N or total points squared).
pub fn data_dimensionality(centred: &[DMatrix<f64>]) -> (f64, usize) {
    let n = centred[0].ncols();
    let total: usize = centred.iter().map(|x| x.nrows()).sum();
    let mut all = DMatrix::zeros(total, n);
    let mut row = 0;
    for x in centred {
        all.view_mut((row, 0), (x.nrows(), n)).copy_from(x);
        row += x.nrows();
    }
    let g = if n <= total {
        crate::gemm::mul_tn(&all, &all)
    } else {
        crate::gemm::mul_nt(&all, &all)
    };
    let vals = g.symmetric_eigenvalues();
    let mut vals: Vec<f64> = vals.iter().map(|v| v.max(0.0)).collect();
    crate::sort::floats_descending(&mut vals);
    let sum: f64 = vals.iter().sum();
    let sum_sq: f64 = vals.iter().map(|v| v * v).sum();
    if !(sum > 0.0) {
        return (0.0, 0);
    }
    let pr = sum * sum / sum_sq;
    let mut cum = 0.0;
    let mut k = 0;
    for v in &vals {
        cum += v;
        k += 1;
        if cum >= 0.9 * sum {
            break;
        }
    }
    (pr, k)
}
