//! Simulated capacity (Cohen, Chung, Lee & Sompolinsky 2020, Methods): the
//! numerical check of the theory.
//!
//! 1. Centre the data (the global mean of all points), as MFTMA does.
//! 2. For a dimension n, project every point with one random N_amb × n
//!    Gaussian matrix (linear separability only depends on the projection's
//!    column space, which is a uniformly random n-dim subspace), and draw a
//!    random dichotomy ([`Dichotomies`]): by default each manifold gets the
//!    label ±1 with probability ½, independently (as the published
//!    `manifold_simcap_analysis` draws them); or balanced, exactly ⌊P/2⌋
//!    manifolds +1, chosen uniformly. Independent labels include lopsided
//!    dichotomies, which are easier to separate, so the two capacities
//!    differ by a few per cent (4–11% on the data of issue 17).
//! 3. Test whether some w separates all points through the origin,
//!    y_μ w·x ≥ 1 for every point x of every manifold μ (hard-margin SVM
//!    feasibility), exactly: see [`separate`].
//! 4. The fraction of separable dichotomies rises with n; N_c is where it
//!    crosses ½ (bisection on n, then linear interpolation between the two
//!    neighbouring n), and α_sim = P / N_c.
//!
//! Each (n, repetition) draws from its own stream `Rng::fork(seed, n·2²⁰ +
//! rep)`, so the answer does not depend on the order of evaluation.

// NaN-aware comparisons (`!(x > 0.0)` is true for NaN) are deliberate here.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use nalgebra::DMatrix;

use super::qp::AnchorQp;
use super::{check_manifolds, check_points, CapacityError, Points};
use crate::rng::Rng;

/// The verdict of [`separate`].
#[derive(Clone, Debug, PartialEq)]
pub enum Separation {
    /// A separating w with y_i w·x_i ≥ 1 − 1e-9 checked for every point (the
    /// minimum-norm one: the hard-margin SVM through the origin).
    Separable { w: Vec<f64> },
    /// No separating w: the NNLS certificate λ ≥ 0 with Σλ = 1 and
    /// ‖Σ_i λ_i y_i x_i‖ = `residual` ≈ 0, i.e. 0 lies in the convex hull of
    /// the signed points (Gordan's alternative).
    NotSeparable { residual: f64 },
}

impl Separation {
    pub fn is_separable(&self) -> bool {
        matches!(self, Separation::Separable { .. })
    }
}

/// Exact linear separability through the origin of points z_i = y_i x_i
/// (the rows of `signed`, n_pts × n).
///
/// Lawson & Hanson's least-distance programme (LDP, Solving Least Squares
/// Problems, ch. 23): min ‖w‖ s.t. z_i·w ≥ 1 is feasible iff the NNLS
/// min_{u ≥ 0} ‖E u − e‖ with columns E_i = (z_i, 1), e = (0, …, 0, 1) has
/// a nonzero residual r; then w = −r_{1:n}/r_{n+1}. This NNLS is exactly the
/// anchor QP of [`super::qp`] with t = e and κ = 0 (v = −r), solved by the
/// same active-set code. The answer is checked: a claimed w must satisfy
/// every constraint to 1e-9, else the verdict is "not separable" (the margin
/// is at rounding level).
pub fn separate(signed: &DMatrix<f64>) -> Separation {
    let (m, n) = signed.shape();
    let d = n + 1;
    let mut pts = vec![1.0; d * m];
    for i in 0..m {
        for f in 0..n {
            pts[i * d + f] = signed[(i, f)];
        }
    }
    let mut qp = AnchorQp::new(d, m, pts);
    if m <= 1024 {
        qp.fill_gram();
    }
    let mut e = vec![0.0; d];
    e[n] = 1.0;
    let sol = qp.solve(&e, 0.0);
    let v_last = sol.v[n];
    if v_last > 1e-13 {
        let w: Vec<f64> = (0..n).map(|f| sol.v[f] / -v_last).collect();
        let ok = (0..m).all(|i| {
            let mut s = 0.0;
            for f in 0..n {
                s += signed[(i, f)] * w[f];
            }
            s >= 1.0 - 1e-9
        });
        if ok {
            return Separation::Separable { w };
        }
    }
    let sum = sol.t_minus_v[n];
    let residual = if sum > 0.0 {
        libm::sqrt(
            (0..n)
                .map(|f| sol.t_minus_v[f] * sol.t_minus_v[f])
                .sum::<f64>(),
        ) / sum
    } else {
        0.0
    };
    Separation::NotSeparable { residual }
}

/// How the random dichotomies of the manifolds are drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dichotomies {
    /// Each manifold ±1 with probability ½, independently (the default, as
    /// the published code).
    #[default]
    Random,
    /// Exactly ⌊P/2⌋ manifolds +1 (the rest −1), the subset uniform.
    Balanced,
}

impl Dichotomies {
    /// The name in links and on the command line (`random`, `balanced`).
    pub fn key(self) -> &'static str {
        match self {
            Dichotomies::Random => "random",
            Dichotomies::Balanced => "balanced",
        }
    }

    /// Parse `random` or `balanced`.
    pub fn from_key(key: &str) -> Option<Dichotomies> {
        match key.trim().to_ascii_lowercase().as_str() {
            "random" => Some(Dichotomies::Random),
            "balanced" => Some(Dichotomies::Balanced),
            _ => None,
        }
    }

    /// The ±1 label of each of `p` manifolds, drawn from `rng`.
    fn draw(self, p: usize, rng: &mut Rng) -> Vec<f64> {
        match self {
            Dichotomies::Random => (0..p)
                .map(|_| if rng.uniform() < 0.5 { 1.0 } else { -1.0 })
                .collect(),
            Dichotomies::Balanced => {
                let mut labels = vec![-1.0; p];
                for i in super::subsample::choose_indices(p, p / 2, rng) {
                    labels[i] = 1.0;
                }
                labels
            }
        }
    }
}

/// Options of [`simulated_capacity`].
#[derive(Clone, Debug, PartialEq)]
pub struct SimulatedOptions {
    /// Random dichotomies (each with its own projection) per n (default 100).
    pub repetitions: usize,
    pub seed: u64,
    /// How the dichotomies are drawn (default: independent labels).
    pub dichotomies: Dichotomies,
}

impl Default for SimulatedOptions {
    fn default() -> Self {
        SimulatedOptions {
            repetitions: 100,
            seed: 0,
            dichotomies: Dichotomies::Random,
        }
    }
}

/// The answer of [`simulated_capacity`].
#[derive(Clone, Debug, PartialEq)]
pub struct SimulatedCapacity {
    /// α_sim = P / N_c.
    pub capacity: f64,
    /// N_c, the interpolated dimension where half the dichotomies separate.
    pub critical_dim: f64,
    /// Every (n, separable fraction) evaluated, sorted by n.
    pub curve: Vec<(usize, f64)>,
}

/// Globally centred copy of the manifolds stacked (rows), with the
/// manifold index of each row.
fn stack_centred(points: &Points) -> (DMatrix<f64>, Vec<usize>) {
    let n = points.features();
    let total: usize = (0..points.len()).map(|mu| points.count(mu)).sum();
    let mut all = DMatrix::zeros(total, n);
    let mut owner = Vec::with_capacity(total);
    let mut row = 0;
    for mu in 0..points.len() {
        let m = points.count(mu);
        all.view_mut((row, 0), (m, n))
            .copy_from(&points.manifold(mu));
        owner.extend(std::iter::repeat_n(mu, m));
        row += m;
    }
    for f in 0..n {
        let mut s = 0.0;
        for i in 0..total {
            s += all[(i, f)];
        }
        let mean = s / total as f64;
        for i in 0..total {
            all[(i, f)] -= mean;
        }
    }
    (all, owner)
}

/// Whether the `rep`-th random (projection, dichotomy) pair at dimension
/// `n` is linearly separable. `all` is the stacked, centred data and
/// `owner` each row's manifold. Draws from `Rng::fork(seed, n·2²⁰ + rep)`.
fn check_at(
    all: &DMatrix<f64>,
    owner: &[usize],
    p: usize,
    n: usize,
    rep: usize,
    opts: &SimulatedOptions,
) -> bool {
    let n_amb = all.ncols();
    let mut rng = Rng::fork(opts.seed, ((n as u64) << 20) | rep as u64);
    let proj = DMatrix::from_fn(n_amb, n, |_, _| rng.normal());
    let labels = opts.dichotomies.draw(p, &mut rng);
    let mut z = crate::gemm::mul(all, &proj);
    for (i, &mu) in owner.iter().enumerate() {
        let y = labels[mu];
        for f in 0..n {
            z[(i, f)] *= y;
        }
    }
    separate(&z).is_separable()
}

/// The fraction of `reps` random (projection, dichotomy) pairs at
/// dimension `n` that are linearly separable.
fn fraction_at(
    all: &DMatrix<f64>,
    owner: &[usize],
    p: usize,
    n: usize,
    opts: &SimulatedOptions,
) -> f64 {
    let reps = opts.repetitions.max(1);
    let hits = (0..reps)
        .filter(|&rep| check_at(all, owner, p, n, rep, opts))
        .count();
    hits as f64 / reps as f64
}

/// The separable fraction at each dimension in `dims` (each ≥ 1).
pub fn separability_curve(
    manifolds: &[DMatrix<f64>],
    dims: &[usize],
    options: &SimulatedOptions,
) -> Result<Vec<f64>, CapacityError> {
    check_manifolds(manifolds)?;
    if dims.contains(&0) {
        return Err(CapacityError::BadOption(
            "projection dimensions must be ≥ 1".into(),
        ));
    }
    let (all, owner) = stack_centred(&Points::Borrowed(manifolds));
    Ok(dims
        .iter()
        .map(|&n| fraction_at(&all, &owner, manifolds.len(), n, options))
        .collect())
}

/// Checks (one (projection, dichotomy) pair each) that a
/// [`SimulatedJob`] on data of ambient dimension `n_amb` needs at most:
/// `repetitions` per evaluated n, and the bisection evaluates n_amb, then at
/// most ⌈log₂ n_amb⌉ midpoints (the final lo and hi are among them).
pub fn max_checks(n_amb: usize, repetitions: usize) -> usize {
    let steps = if n_amb <= 1 {
        0
    } else {
        (usize::BITS - (n_amb - 1).leading_zeros()) as usize
    };
    repetitions.max(1) * (1 + steps)
}

/// The simulated capacity computed in resumable pieces: one unit is one
/// separability check (one random projection and dichotomy at one n), so a
/// page can show progress and cancel between units. The result does not
/// depend on how the units are chunked (every check draws from its own
/// stream, and the bisection is a function of the finished fractions), and
/// equals [`simulated_capacity`] bit for bit.
#[derive(Clone, Debug)]
pub struct SimulatedJob {
    all: DMatrix<f64>,
    owner: Vec<usize>,
    p: usize,
    reps: usize,
    options: SimulatedOptions,
    /// Every finished (n, separable fraction), in evaluation order.
    curve: Vec<(usize, f64)>,
    /// The evaluation in progress: (n, checks done, separable so far).
    current: Option<(usize, usize, usize)>,
    checks: usize,
    result: Option<SimulatedCapacity>,
}

impl SimulatedJob {
    /// Check the data and options; nothing is computed yet.
    pub fn new(
        manifolds: &[DMatrix<f64>],
        options: &SimulatedOptions,
    ) -> Result<Self, CapacityError> {
        SimulatedJob::from_points(&Points::Borrowed(manifolds), options)
    }

    /// [`SimulatedJob::new`] on any [`Points`] source (the stacked, centred
    /// copy it keeps is the only copy of the data it makes).
    pub fn from_points(points: &Points, options: &SimulatedOptions) -> Result<Self, CapacityError> {
        check_points(points)?;
        if options.repetitions == 0 {
            return Err(CapacityError::BadOption("repetitions must be ≥ 1".into()));
        }
        let (all, owner) = stack_centred(points);
        Ok(SimulatedJob {
            all,
            owner,
            p: points.len(),
            reps: options.repetitions,
            options: options.clone(),
            curve: Vec::new(),
            current: None,
            checks: 0,
            result: None,
        })
    }

    /// The bisection replayed over the finished fractions: the answer, or
    /// the n whose fraction it needs next. Invariant: f(lo) < ½ ≤ f(hi)
    /// (lo = 0 stands for "nothing separates").
    fn plan(&self) -> Result<SimulatedCapacity, usize> {
        let f = |n: usize| -> Result<f64, usize> {
            self.curve
                .iter()
                .find(|(m, _)| *m == n)
                .map(|&(_, v)| v)
                .ok_or(n)
        };
        let sorted = || {
            let mut c = self.curve.clone();
            crate::sort::sort_by(&mut c, &|a, b| a.0.cmp(&b.0));
            c
        };
        let (mut lo, mut hi) = (0usize, self.all.ncols());
        if f(hi)? < 0.5 {
            return Ok(SimulatedCapacity {
                capacity: f64::NAN,
                critical_dim: f64::NAN,
                curve: sorted(),
            });
        }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if f(mid)? < 0.5 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let f_lo = if lo == 0 { 0.0 } else { f(lo)? };
        let f_hi = f(hi)?;
        let nc = if f_hi > f_lo {
            lo as f64 + (0.5 - f_lo) / (f_hi - f_lo)
        } else {
            hi as f64
        };
        Ok(SimulatedCapacity {
            capacity: self.p as f64 / nc,
            critical_dim: nc,
            curve: sorted(),
        })
    }

    /// Run up to `max_units` checks. Ok(true) once the answer is known
    /// (further calls do nothing).
    pub fn advance(&mut self, max_units: usize) -> bool {
        for _ in 0..max_units {
            if self.result.is_some() {
                break;
            }
            let n = match self.plan() {
                Ok(r) => {
                    self.result = Some(r);
                    break;
                }
                Err(n) => n,
            };
            let (_, done, hits) = match self.current {
                Some(c) if c.0 == n => c,
                _ => (n, 0, 0),
            };
            let ok = check_at(&self.all, &self.owner, self.p, n, done, &self.options);
            let (done, hits) = (done + 1, hits + usize::from(ok));
            self.checks += 1;
            if done == self.reps {
                self.curve.push((n, hits as f64 / self.reps as f64));
                self.current = None;
            } else {
                self.current = Some((n, done, hits));
            }
        }
        if self.result.is_none() {
            if let Ok(r) = self.plan() {
                self.result = Some(r);
            }
        }
        self.result.is_some()
    }

    /// Checks run so far (at most [`max_checks`]).
    pub fn checks_done(&self) -> usize {
        self.checks
    }

    /// The answer, once [`Self::advance`] has returned true.
    pub fn result(&self) -> Option<&SimulatedCapacity> {
        self.result.as_ref()
    }
}

/// α_sim = P / N_c, N_c found by bisection on n ∈ [1, N_amb]: a
/// [`SimulatedJob`] run to its end.
pub fn simulated_capacity(
    manifolds: &[DMatrix<f64>],
    options: &SimulatedOptions,
) -> Result<SimulatedCapacity, CapacityError> {
    let mut job = SimulatedJob::new(manifolds, options)?;
    while !job.advance(usize::MAX) {}
    Ok(job.result.take().expect("advance returned true"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binom(n: u64, k: u64) -> u64 {
        if k > n {
            return 0;
        }
        (0..k).fold(1u64, |acc, i| acc * (n - i) / (i + 1))
    }

    /// Cover (1965): of the 2^P dichotomies of P points in general position
    /// in R^n, exactly C(P, n) = 2 Σ_{k<n} binom(P−1, k) are separable by a
    /// hyperplane through the origin. Enumerate them all.
    #[test]
    fn counts_match_covers_function_counting_theorem() {
        let mut rng = Rng::new(21);
        for &(p, n) in &[(6usize, 2usize), (7, 3), (8, 4), (9, 3), (10, 5)] {
            let x = DMatrix::from_fn(p, n, |_, _| rng.normal());
            let mut count = 0u64;
            for mask in 0u32..(1 << p) {
                let z = DMatrix::from_fn(p, n, |i, f| {
                    if mask >> i & 1 == 1 {
                        x[(i, f)]
                    } else {
                        -x[(i, f)]
                    }
                });
                match separate(&z) {
                    Separation::Separable { .. } => count += 1,
                    Separation::NotSeparable { residual } => {
                        assert!(residual < 1e-9, "certificate residual {residual}")
                    }
                }
            }
            let want = 2 * (0..n as u64).map(|k| binom(p as u64 - 1, k)).sum::<u64>();
            assert_eq!(count, want, "P = {p}, n = {n}");
        }
    }

    /// The job in uneven chunks equals the one-call function bit for bit,
    /// and stays within its announced number of checks.
    #[test]
    fn the_job_is_chunk_independent() {
        let mut rng = Rng::new(3);
        let ms: Vec<DMatrix<f64>> = (0..8)
            .map(|_| {
                let c: Vec<f64> = (0..20).map(|_| rng.normal()).collect();
                DMatrix::from_fn(6, 20, |_, f| c[f] + 0.3 * rng.normal())
            })
            .collect();
        let opts = SimulatedOptions {
            repetitions: 7,
            seed: 9,
            ..Default::default()
        };
        let whole = simulated_capacity(&ms, &opts).unwrap();
        assert!(whole.capacity.is_finite());
        // Against the separable fractions computed directly at each n.
        let dims: Vec<usize> = whole.curve.iter().map(|c| c.0).collect();
        let direct = separability_curve(&ms, &dims, &opts).unwrap();
        for ((_, f), d) in whole.curve.iter().zip(&direct) {
            assert_eq!(f.to_bits(), d.to_bits());
        }
        for chunks in [vec![1usize], vec![3, 1, 5], vec![1000]] {
            let mut job = SimulatedJob::new(&ms, &opts).unwrap();
            let mut i = 0;
            while !job.advance(chunks[i % chunks.len()]) {
                i += 1;
            }
            assert!(job.checks_done() <= max_checks(20, 7));
            assert_eq!(job.result(), Some(&whole));
            assert!(job.advance(5));
        }
        // A bound that is reached: 20 → n = 20, 10, 5, 2 or 3, … (⌈log₂ 20⌉ = 5).
        assert_eq!(max_checks(20, 7), 7 * 6);
        assert_eq!(max_checks(1, 4), 4);
        assert_eq!(max_checks(2, 4), 8);
        assert_eq!(max_checks(16, 1), 5);
        assert_eq!(max_checks(17, 1), 6);
    }

    /// Balanced dichotomies have exactly ⌊P/2⌋ manifolds +1, each manifold
    /// +1 with probability ⌊P/2⌋/P; random ones are the old draw (one
    /// uniform per manifold, +1 below ½), so default results do not move.
    #[test]
    fn balanced_and_random_dichotomies() {
        let mut rng = Rng::new(4);
        let (p, trials) = (7, 7000);
        let mut plus = vec![0usize; p];
        for _ in 0..trials {
            let l = Dichotomies::Balanced.draw(p, &mut rng);
            assert_eq!(l.iter().filter(|&&v| v == 1.0).count(), 3);
            for (c, &v) in plus.iter_mut().zip(&l) {
                *c += usize::from(v == 1.0);
            }
        }
        for c in plus {
            // 3/7 of 7000 = 3000, sd ≈ 41; 5 sd.
            assert!((c as f64 - 3000.0).abs() < 207.0, "{c}");
        }
        let (mut a, mut b) = (Rng::new(9), Rng::new(9));
        let old: Vec<f64> = (0..p)
            .map(|_| if a.uniform() < 0.5 { 1.0 } else { -1.0 })
            .collect();
        assert_eq!(Dichotomies::Random.draw(p, &mut b), old);
        assert_eq!(
            Dichotomies::from_key("Balanced"),
            Some(Dichotomies::Balanced)
        );
        assert_eq!(Dichotomies::from_key("x"), None);
    }

    #[test]
    fn obvious_cases() {
        // All on one side: separable. A point and its negative: not.
        let z = DMatrix::from_row_slice(3, 2, &[1.0, 0.2, 0.5, 0.1, 2.0, -0.3]);
        assert!(separate(&z).is_separable());
        let z = DMatrix::from_row_slice(2, 2, &[1.0, 0.2, -1.0, -0.2]);
        assert!(!separate(&z).is_separable());
    }
}
