//! Simulated capacity (Cohen, Chung, Lee & Sompolinsky 2020, Methods): the
//! numerical check of the theory.
//!
//! 1. Centre the data (the global mean of all points), as MFTMA does.
//! 2. For a dimension n, project every point with one random N_amb × n
//!    Gaussian matrix (linear separability only depends on the projection's
//!    column space, which is a uniformly random n-dim subspace), and draw a
//!    random dichotomy: each manifold gets the label ±1 with probability ½.
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
use super::{check_manifolds, CapacityError};
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

/// Options of [`simulated_capacity`].
#[derive(Clone, Debug, PartialEq)]
pub struct SimulatedOptions {
    /// Random dichotomies (each with its own projection) per n (default 100).
    pub repetitions: usize,
    pub seed: u64,
}

impl Default for SimulatedOptions {
    fn default() -> Self {
        SimulatedOptions {
            repetitions: 100,
            seed: 0,
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
fn stack_centred(manifolds: &[DMatrix<f64>]) -> (DMatrix<f64>, Vec<usize>) {
    let n = manifolds[0].ncols();
    let total: usize = manifolds.iter().map(|x| x.nrows()).sum();
    let mut all = DMatrix::zeros(total, n);
    let mut owner = Vec::with_capacity(total);
    let mut row = 0;
    for (mu, x) in manifolds.iter().enumerate() {
        all.view_mut((row, 0), (x.nrows(), n)).copy_from(x);
        owner.extend(std::iter::repeat_n(mu, x.nrows()));
        row += x.nrows();
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

/// The fraction of `repetitions` random (projection, dichotomy) pairs at
/// dimension `n` that are linearly separable. `all` is the stacked,
/// centred data and `owner` each row's manifold.
fn fraction_at(
    all: &DMatrix<f64>,
    owner: &[usize],
    p: usize,
    n: usize,
    reps: usize,
    seed: u64,
) -> f64 {
    let n_amb = all.ncols();
    let mut hits = 0;
    for rep in 0..reps {
        let mut rng = Rng::fork(seed, ((n as u64) << 20) | rep as u64);
        let proj = DMatrix::from_fn(n_amb, n, |_, _| rng.normal());
        let labels: Vec<f64> = (0..p)
            .map(|_| if rng.uniform() < 0.5 { 1.0 } else { -1.0 })
            .collect();
        let mut z = crate::gemm::mul(all, &proj);
        for (i, &mu) in owner.iter().enumerate() {
            let y = labels[mu];
            for f in 0..n {
                z[(i, f)] *= y;
            }
        }
        if separate(&z).is_separable() {
            hits += 1;
        }
    }
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
    let (all, owner) = stack_centred(manifolds);
    let reps = options.repetitions.max(1);
    Ok(dims
        .iter()
        .map(|&n| fraction_at(&all, &owner, manifolds.len(), n, reps, options.seed))
        .collect())
}

/// α_sim = P / N_c, N_c found by bisection on n ∈ [1, N_amb].
pub fn simulated_capacity(
    manifolds: &[DMatrix<f64>],
    options: &SimulatedOptions,
) -> Result<SimulatedCapacity, CapacityError> {
    check_manifolds(manifolds)?;
    if options.repetitions == 0 {
        return Err(CapacityError::BadOption("repetitions must be ≥ 1".into()));
    }
    let p = manifolds.len();
    let (all, owner) = stack_centred(manifolds);
    let n_amb = all.ncols();
    let mut curve: Vec<(usize, f64)> = Vec::new();
    let eval = |n: usize, curve: &mut Vec<(usize, f64)>| -> f64 {
        if let Some(&(_, f)) = curve.iter().find(|(m, _)| *m == n) {
            return f;
        }
        let f = fraction_at(&all, &owner, p, n, options.repetitions, options.seed);
        curve.push((n, f));
        f
    };
    // Invariant: f(lo) < ½ ≤ f(hi) (lo = 0 stands for "nothing separates").
    let (mut lo, mut hi) = (0usize, n_amb);
    let f_hi = eval(hi, &mut curve);
    if f_hi < 0.5 {
        curve.sort_by_key(|c| c.0);
        return Ok(SimulatedCapacity {
            capacity: f64::NAN,
            critical_dim: f64::NAN,
            curve,
        });
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if eval(mid, &mut curve) < 0.5 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let f_lo = if lo == 0 { 0.0 } else { eval(lo, &mut curve) };
    let f_hi = eval(hi, &mut curve);
    let nc = if f_hi > f_lo {
        lo as f64 + (0.5 - f_lo) / (f_hi - f_lo)
    } else {
        hi as f64
    };
    curve.sort_by_key(|c| c.0);
    Ok(SimulatedCapacity {
        capacity: p as f64 / nc,
        critical_dim: nc,
        curve,
    })
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

    #[test]
    fn obvious_cases() {
        // All on one side: separable. A point and its negative: not.
        let z = DMatrix::from_row_slice(3, 2, &[1.0, 0.2, 0.5, 0.1, 2.0, -0.3]);
        assert!(separate(&z).is_separable());
        let z = DMatrix::from_row_slice(2, 2, &[1.0, 0.2, -1.0, -0.2]);
        assert!(!separate(&z).is_separable());
    }
}
