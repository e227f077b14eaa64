//! Step 2 of MFTMA: the centres' shared low-rank structure (Cohen, Chung,
//! Lee & Sompolinsky 2020, Methods; the published `fun_FA`).
//!
//! The P centred centres (rows of X, in an orthonormal basis of their span,
//! n = rank ≤ P − 1 coordinates) have Gram matrix C = XXᵀ. For an orthonormal
//! n × K matrix V, c = XV (the centres' coordinates in V), and
//!
//! ```text
//! c0_μ = C_μμ − ‖c_μ‖²                       (squared norm left after removing V)
//! F(V) = ½ Σ_{μ,ν} (C_μν − c_μ·c_ν)² / (c0_μ c0_ν)
//! ∂F/∂V = 2 Xᵀ (diag(q) − W) c,   W_μν = (C − ccᵀ)_μν / (c0_μ c0_ν),
//!                                 q_μ = Σ_ν (C − ccᵀ)²_μν / (c0_μ² c0_ν)
//! ```
//!
//! F is the sum of squared correlations of the residual centres (the
//! diagonal terms are the constant P/2). It is minimised on the Stiefel
//! manifold by Riemannian CG ([`super::stiefel`]) for K = 1, 2, …, each K
//! from `restarts` random starts: the start is the orthonormalisation of
//! [Xᵀs, V_{K−1}] with s ~ N(0, I_P), so each K warm-starts from the best
//! solution of K − 1 plus one random direction. Of the restarts, the most
//! stable solution is kept: the one maximising min_μ ‖residual_μ‖/‖X_μ‖ (no
//! centre is removed almost entirely). For each K, the residual correlation
//! is the mean over μ ≠ ν of |cos| between residual centres; K is the
//! argmin over the K tried (the first on ties).
//!
//! The K tried run to maxK = (the number of leading singular values of the
//! centred centres whose cumulative variance fraction stays below 0.95,
//! minus one, at least 0) + 11, as in the published code, capped at n − 1
//! (at K = n nothing is left: every c0 = 0); the loop stops early once the
//! residual correlation has risen three times in a row (after K = 4). With
//! n ≤ 1 (P = 2, or all centres on one line) there is no K to try: K = 0
//! and V is empty.

// NaN-aware comparisons (`!(x > 0.0)` is true for NaN) are deliberate here.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use nalgebra::DMatrix;

use super::stiefel::{conjugate_gradient, orthonormalize, CgOptions, StiefelCost};
use crate::linalg::symmetric_eigen_desc;
use crate::rng::Rng;

/// The cost F(V) of the module doc, for fixed centre coordinates X.
pub struct CenterCost {
    x: DMatrix<f64>,
    c: DMatrix<f64>,
}

impl CenterCost {
    /// `x`: P × n centre coordinates.
    pub fn new(x: DMatrix<f64>) -> Self {
        let c = &x * x.transpose();
        CenterCost { x, c }
    }

    /// (C − ccᵀ, c0, c) at V; None when some c0_μ ≤ 0.
    fn parts(&self, v: &DMatrix<f64>) -> Option<(DMatrix<f64>, Vec<f64>, DMatrix<f64>)> {
        let p = self.x.nrows();
        let cv = &self.x * v;
        let a = &self.c - &cv * cv.transpose();
        let c0: Vec<f64> = (0..p).map(|m| a[(m, m)]).collect();
        if c0.iter().any(|&z| !(z > 0.0)) {
            return None;
        }
        Some((a, c0, cv))
    }
}

impl StiefelCost for CenterCost {
    fn cost(&self, v: &DMatrix<f64>) -> f64 {
        let Some((a, c0, _)) = self.parts(v) else {
            return f64::INFINITY;
        };
        let p = c0.len();
        let mut s = 0.0;
        for nu in 0..p {
            for mu in 0..p {
                let x = a[(mu, nu)];
                s += x * x / (c0[mu] * c0[nu]);
            }
        }
        0.5 * s
    }

    fn euclidean_gradient(&self, v: &DMatrix<f64>) -> DMatrix<f64> {
        let Some((a, c0, cv)) = self.parts(v) else {
            return DMatrix::zeros(v.nrows(), v.ncols());
        };
        let p = c0.len();
        // M = diag(q) − W.
        let mut m = DMatrix::zeros(p, p);
        for nu in 0..p {
            for mu in 0..p {
                m[(mu, nu)] = -a[(mu, nu)] / (c0[mu] * c0[nu]);
            }
        }
        for mu in 0..p {
            let mut q = 0.0;
            for nu in 0..p {
                let x = a[(mu, nu)];
                q += x * x / (c0[mu] * c0[mu] * c0[nu]);
            }
            m[(mu, mu)] += q;
        }
        (self.x.tr_mul(&(m * cv))) * 2.0
    }
}

/// Mean over μ ≠ ν of |cos(x_μ, x_ν)| of the rows of `x`. A zero row makes
/// the result +∞ (its correlations are undefined). Fewer than 2 rows: 0.
pub fn mean_abs_correlation(x: &DMatrix<f64>) -> f64 {
    let p = x.nrows();
    if p < 2 {
        return 0.0;
    }
    let norms: Vec<f64> = (0..p)
        .map(|m| libm::sqrt(x.row(m).iter().map(|v| v * v).sum::<f64>()))
        .collect();
    if norms.iter().any(|&n| !(n > 0.0)) {
        return f64::INFINITY;
    }
    let mut s = 0.0;
    for mu in 0..p {
        for nu in 0..p {
            if mu != nu {
                let d: f64 = x
                    .row(mu)
                    .iter()
                    .zip(x.row(nu).iter())
                    .map(|(a, b)| a * b)
                    .sum();
                s += (d / (norms[mu] * norms[nu])).abs();
            }
        }
    }
    s / (p * (p - 1)) as f64
}

/// What step 2 finds.
#[derive(Clone, Debug)]
pub struct CenterStructure {
    /// The chosen rank K (0 when there was none to try).
    pub k: usize,
    /// The best V for each K tried (n × K, in the centres' basis).
    pub v_by_k: Vec<DMatrix<f64>>,
    /// Residual mean |correlation| for each K tried (index K − 1).
    pub residual_by_k: Vec<f64>,
    /// The centres' mean |correlation| before removal (ρ_c).
    pub rho_c: f64,
    /// maxK, the largest K that could have been tried (before early stop).
    pub max_k: usize,
    /// Total CG iterations over all K and restarts.
    pub cg_iterations: usize,
}

impl CenterStructure {
    /// The chosen V (n × K); n × 0 when K = 0.
    pub fn v(&self, n: usize) -> DMatrix<f64> {
        if self.k == 0 {
            DMatrix::zeros(n, 0)
        } else {
            self.v_by_k[self.k - 1].clone()
        }
    }
}

/// maxK of the published code, from the centre coordinates (P × n), capped
/// at n − 1.
pub fn max_rank(x: &DMatrix<f64>) -> usize {
    let n = x.ncols();
    if n <= 1 {
        return 0;
    }
    let xtx = x.tr_mul(x);
    let values = match symmetric_eigen_desc(&xtx) {
        Some((vals, _)) => vals,
        None => return 0,
    };
    let total: f64 = values.iter().map(|v| v.max(0.0)).sum();
    let mut cum = 0.0;
    let mut last_below = 0;
    for (i, v) in values.iter().enumerate() {
        cum += v.max(0.0);
        if total > 0.0 && cum / total < 0.95 {
            last_below = i;
        }
    }
    (last_below + 11).min(n - 1)
}

/// The incremental state of step 2, so that a job can run it one CG
/// optimisation at a time.
#[derive(Clone, Debug)]
pub struct CenterSearch {
    cost: CenterCost,
    restarts: usize,
    cg: CgOptions,
    rng: Rng,
    /// maxK.
    pub max_k: usize,
    /// K being worked on (1-based), and the restart within it.
    k: usize,
    rep: usize,
    best: Option<(f64, DMatrix<f64>)>,
    done: bool,
    result: CenterStructure,
}

impl Clone for CenterCost {
    fn clone(&self) -> Self {
        CenterCost {
            x: self.x.clone(),
            c: self.c.clone(),
        }
    }
}

impl std::fmt::Debug for CenterCost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CenterCost({}×{})", self.x.nrows(), self.x.ncols())
    }
}

impl CenterSearch {
    /// Start the search for centre coordinates `x` (P × n).
    pub fn new(x: DMatrix<f64>, restarts: usize, cg: CgOptions, rng: Rng) -> Self {
        let max_k = max_rank(&x);
        let rho_c = mean_abs_correlation(&x);
        CenterSearch {
            cost: CenterCost::new(x),
            restarts: restarts.max(1),
            cg,
            rng,
            max_k,
            k: 1,
            rep: 0,
            best: None,
            done: max_k == 0,
            result: CenterStructure {
                k: 0,
                v_by_k: Vec::new(),
                residual_by_k: Vec::new(),
                rho_c,
                max_k,
                cg_iterations: 0,
            },
        }
    }

    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Upper bound on the CG runs still to do.
    pub fn remaining_units(&self) -> usize {
        if self.done {
            0
        } else {
            (self.max_k - self.k + 1) * self.restarts - self.rep
        }
    }

    /// Run one CG optimisation (one restart of one K). Returns true when
    /// the search is complete.
    pub fn step(&mut self) -> bool {
        if self.done {
            return true;
        }
        let v0 = self.draw_start();
        let run = restart(&self.cost, &v0, self.cg);
        self.take(run);
        self.done
    }

    /// Run the remaining restarts of the current K (one unit each) on up
    /// to `threads` threads (native only), then take their results in
    /// restart order: the same bits as that many [`Self::step`] calls. The
    /// restarts of one K are independent: each starts from its own draw
    /// (made here, in restart order, from the one stream) and V_{K−1}.
    /// Returns the units done.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn step_restarts_threaded(&mut self, threads: usize) -> usize {
        if self.done {
            return 0;
        }
        let starts: Vec<DMatrix<f64>> = (self.rep..self.restarts)
            .map(|_| self.draw_start())
            .collect();
        let units = starts.len();
        let threads = threads.clamp(1, units.max(1));
        let chunk = units.div_ceil(threads);
        let (cost, cg) = (&self.cost, self.cg);
        let runs: Vec<(f64, DMatrix<f64>, usize)> = std::thread::scope(|scope| {
            let handles: Vec<_> = starts
                .chunks(chunk)
                .skip(1)
                .map(|part| {
                    scope.spawn(move || {
                        crate::gemm::with_threads(1, || {
                            part.iter()
                                .map(|v0| restart(cost, v0, cg))
                                .collect::<Vec<_>>()
                        })
                    })
                })
                .collect();
            let mut runs: Vec<_> = starts[..chunk.min(units)]
                .iter()
                .map(|v0| restart(cost, v0, cg))
                .collect();
            for h in handles {
                runs.extend(h.join().expect("a centre-search thread panicked"));
            }
            runs
        });
        for run in runs {
            self.take(run);
        }
        units
    }

    /// The start of the next restart: [Xᵀs, V_{K−1}] orthonormalised, s
    /// drawn from the search's stream.
    fn draw_start(&mut self) -> DMatrix<f64> {
        let x = &self.cost.x;
        let (p, n) = x.shape();
        let k = self.k;
        let s: Vec<f64> = (0..p).map(|_| self.rng.normal()).collect();
        let mut v0 = DMatrix::zeros(n, k);
        for j in 0..n {
            let mut acc = 0.0;
            for (mu, sm) in s.iter().enumerate() {
                acc += sm * x[(mu, j)];
            }
            v0[(j, 0)] = acc;
        }
        if let Some(prev) = self.result.v_by_k.last() {
            for c in 0..k - 1 {
                for j in 0..n {
                    v0[(j, c + 1)] = prev[(j, c)];
                }
            }
        }
        orthonormalize(&v0)
    }

    /// Take one restart's (stability, V, CG iterations): keep the best V
    /// of this K (the first of equals), and at the last restart record K's
    /// residual and move on (or finish).
    fn take(&mut self, (stability, v, iterations): (f64, DMatrix<f64>, usize)) {
        self.result.cg_iterations += iterations;
        let better = match &self.best {
            None => true,
            Some((b, _)) => stability > *b,
        };
        if better {
            self.best = Some((stability, v));
        }
        self.rep += 1;
        if self.rep == self.restarts {
            let x = &self.cost.x;
            let (_, v) = self.best.take().expect("at least one restart");
            let residual = x - (x * &v) * v.transpose();
            let r = mean_abs_correlation(&residual);
            self.result.residual_by_k.push(r);
            self.result.v_by_k.push(v);
            let rk = &self.result.residual_by_k;
            let i = rk.len();
            let rising =
                i > 4 && rk[i - 1] > rk[i - 2] && rk[i - 2] > rk[i - 3] && rk[i - 3] > rk[i - 4];
            self.rep = 0;
            self.k += 1;
            if rising || self.k > self.max_k {
                self.finish();
            }
        }
    }

    fn finish(&mut self) {
        self.done = true;
        let mut best_k = 0;
        let mut best_r = f64::INFINITY;
        for (i, &r) in self.result.residual_by_k.iter().enumerate() {
            if r < best_r {
                best_r = r;
                best_k = i + 1;
            }
        }
        // If every K left a zero centre (all +∞), K = 1 is the published
        // argmin; keep it only if it exists.
        if best_k == 0 && !self.result.residual_by_k.is_empty() {
            best_k = 1;
        }
        self.result.k = best_k;
    }

    /// The result (call when done).
    pub fn result(&self) -> &CenterStructure {
        &self.result
    }
}

/// One restart: CG from `v0`, then the stability of its V.
fn restart(cost: &CenterCost, v0: &DMatrix<f64>, cg: CgOptions) -> (f64, DMatrix<f64>, usize) {
    let res = conjugate_gradient(cost, v0, cg);
    (stability(&cost.x, &res.v), res.v, res.iterations)
}

/// min_μ ‖x_μ − x_μVVᵀ‖/‖x_μ‖: how much of the least-preserved centre is
/// left after removing V (0 for a zero centre).
pub fn stability(x: &DMatrix<f64>, v: &DMatrix<f64>) -> f64 {
    let residual = x - (x * v) * v.transpose();
    let mut s = f64::INFINITY;
    for mu in 0..x.nrows() {
        let a = libm::sqrt(residual.row(mu).iter().map(|z| z * z).sum::<f64>());
        let b = libm::sqrt(x.row(mu).iter().map(|z| z * z).sum::<f64>());
        let r = if b > 0.0 { a / b } else { 0.0 };
        if r < s {
            s = r;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradient_matches_finite_differences() {
        let mut rng = Rng::new(8);
        let (p, n, k) = (7, 6, 2);
        let x = DMatrix::from_fn(p, n, |_, _| rng.normal());
        let f = CenterCost::new(x);
        let v = orthonormalize(&DMatrix::from_fn(n, k, |_, _| rng.normal()));
        let g = f.euclidean_gradient(&v);
        let h = 1e-6;
        for i in 0..n {
            for j in 0..k {
                let mut vp = v.clone();
                vp[(i, j)] += h;
                let mut vm = v.clone();
                vm[(i, j)] -= h;
                let fd = (f.cost(&vp) - f.cost(&vm)) / (2.0 * h);
                assert!(
                    (fd - g[(i, j)]).abs() < 1e-6 * (1.0 + fd.abs()),
                    "{fd} vs {}",
                    g[(i, j)]
                );
            }
        }
    }

    /// Each K's restarts on 1 to 4 threads give the search that one restart
    /// per step gives, bit for bit (V per K, residuals, K, CG iterations),
    /// and the same number of units.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn restarts_on_threads_give_the_same_search() {
        let mut rng = Rng::new(12);
        let x = DMatrix::from_fn(9, 7, |_, _| rng.normal());
        let cg = CgOptions::default();
        let mut serial = CenterSearch::new(x.clone(), 5, cg, Rng::fork(4, 0));
        let mut steps = 0;
        while !serial.step() {
            steps += 1;
        }
        steps += 1;
        let want = format!("{:?}", serial.result());
        for threads in 1..=4 {
            let mut s = CenterSearch::new(x.clone(), 5, cg, Rng::fork(4, 0));
            let mut units = 0;
            while !s.is_done() {
                units += s.step_restarts_threaded(threads);
            }
            assert_eq!(units, steps, "{threads} threads");
            assert_eq!(format!("{:?}", s.result()), want, "{threads} threads");
        }
        assert!(serial.result().v_by_k.len() >= 2);
    }

    #[test]
    fn cost_at_empty_v_is_the_squared_correlations() {
        let mut rng = Rng::new(9);
        let x = DMatrix::from_fn(5, 4, |_, _| rng.normal());
        let f = CenterCost::new(x.clone());
        let c = &x * x.transpose();
        let mut want = 0.0;
        for a in 0..5 {
            for b in 0..5 {
                want += c[(a, b)] * c[(a, b)] / (c[(a, a)] * c[(b, b)]);
            }
        }
        let got = f.cost(&DMatrix::zeros(4, 0));
        assert!((got - 0.5 * want).abs() < 1e-12);
    }
}
