//! The per-sample quadratic programme of MFTMA, solved exactly by an active
//! set method (Lawson & Hanson's NNLS) on its dual.
//!
//! # The problem
//!
//! For one Gaussian vector t ∈ R^{D+1} and a manifold of m points s_j (the
//! columns of the (D+1) × m matrix S, whose last row is all ones):
//!
//! ```text
//! min_v ‖v − t‖²   subject to   v·s_j + κ ≤ 0   for every j.
//! ```
//!
//! (Chung, Lee & Sompolinsky, PRX 2018, §III A.) The Lagrangian stationarity
//! gives v = t − Sλ with λ ≥ 0, and the dual is
//!
//! ```text
//! min_{λ ≥ 0} ½‖Sλ‖² − λ·(Sᵀt) − κ Σ_j λ_j.
//! ```
//!
//! Because every s_j ends in 1, Σ_j λ_j = (Sλ)_{D+1} = e·Sλ with e the last
//! unit vector, and the dual is, up to a constant,
//!
//! ```text
//! min_{λ ≥ 0} ½‖t' − Sλ‖²,   t' = t + κ e,
//! ```
//!
//! a nonnegative least-squares problem: Sλ* is the projection of t' on the
//! cone spanned by the points. Lawson–Hanson's active-set NNLS solves it
//! exactly (finite termination; the answer is the solution of one linear
//! system on the final passive set). The cone projection Sλ* is unique even
//! when λ* is not (duplicate or affinely dependent points), and so are v and
//! Σλ = (Sλ*)_{D+1}.
//!
//! # Signed points (GLUE)
//!
//! GLUE's joint problem (Chou et al. 2025; [`super::glue`]) has the
//! constraints y_μ⟨v, x_i⟩ ≥ 0, i.e. v·s_i ≤ 0 with s_i = σ_i x_i and the
//! sign σ_i = −y_μ of the point's manifold: one QP per (t, y), over the
//! same points with new signs. [`AnchorQp::solve_signed`] takes the signs
//! beside the unsigned points and their unsigned Gram columns and works in
//! unsigned space: w_i = σ_i(b_i − Σ_p G_ip σ_p λ_p). Multiplying by ±1 is
//! exact and rounding is symmetric, so every number it computes is, bit for
//! bit, the one the same method computes on the explicitly signed points
//! ([`AnchorQp::solve_working_set`]; a test checks this), while the Gram
//! matrix is filled once for all samples. The points need no row of ones
//! here (κ = 0). It prices a working set of points rather than all of them
//! (see `solve_core`): GLUE's problems have thousands of points, of which a
//! few hundred touch the solution.
//!
//! # How it is solved
//!
//! In Gram form: the gradient w = Sᵀt' − G λ with G = SᵀS. The columns of G
//! are computed the first time a point enters a passive set and kept for
//! the manifold's later samples, so the cost per sample is one Sᵀt' (m·(D+1))
//! plus O(m k) per active-set change, k the number of touching points. The
//! passive set's Gram block is kept as a Cholesky factor, extended by one
//! row when a point enters and refactored when points leave. A point that is
//! (numerically) a combination of the passive ones is never added: its
//! gradient is zero at the subproblem's optimum anyway.
//!
//! The search starts from the point with the largest projection on t (the
//! first index NNLS picks is argmax_j s_j·t'), which is the published
//! method's "max-projection" point. Only + − × ÷ and sqrt are used, in a
//! fixed order: the same bits in wasm and natively.

// NaN-aware comparisons (`!(x > 0.0)` is true for NaN) are deliberate here.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

/// The anchor-point QP for one manifold: its points, and the Gram columns
/// computed so far.
#[derive(Clone, Debug)]
pub struct AnchorQp {
    /// Rows (D + 1) of each point.
    d: usize,
    /// Number of points.
    m: usize,
    /// Column-major (D + 1) × m: point j is `points[j * d..(j + 1) * d]`.
    points: Vec<f64>,
    /// ‖s_j‖².
    norms_sq: Vec<f64>,
    /// Gram columns G[:, j] = Sᵀ s_j, computed on first use (empty before).
    gram: Vec<Vec<f64>>,
    /// max_j ‖s_j‖, for the scale of the stopping tolerance.
    max_norm: f64,
}

/// The solution of one QP.
#[derive(Clone, Debug, PartialEq)]
pub struct QpSolution {
    /// The minimiser v (length D + 1).
    pub v: Vec<f64>,
    /// Lagrange multipliers λ ≥ 0 (length m), one optimal set.
    pub lambda: Vec<f64>,
    /// t − v = Sλ (length D + 1), the projection of t + κe on the cone of
    /// the points; its last entry is Σλ.
    pub t_minus_v: Vec<f64>,
    /// Number of points with λ_j > 0 (touching the solution).
    pub support: usize,
    /// Whether the optimal λ may be non-unique: a point outside the final
    /// passive set is active (|s_j·v| ≤ 1e-9 of the problem's scale) and
    /// lies, to 1e-10 of its norm, in the span of the passive points, so
    /// weight can move between it and them without changing Sλ. The cone
    /// projection Sλ (so v, t − v and Σλ) is unique either way; how λ splits
    /// among points, and so GLUE's anchor points, is not.
    pub ambiguous: bool,
}

impl AnchorQp {
    /// The QP for the points given as the columns of a column-major
    /// `d × m` slice. Panics (a programming error, never reached from user
    /// input) if the slice length is not d·m.
    pub fn new(d: usize, m: usize, points: Vec<f64>) -> Self {
        assert_eq!(
            points.len(),
            d * m,
            "AnchorQp::new: {} != {d}·{m}",
            points.len()
        );
        let norms_sq: Vec<f64> = (0..m)
            .map(|j| dot(&points[j * d..(j + 1) * d], &points[j * d..(j + 1) * d]))
            .collect();
        let max_norm = libm::sqrt(norms_sq.iter().copied().fold(0.0, f64::max));
        AnchorQp {
            d,
            m,
            points,
            norms_sq,
            gram: vec![Vec::new(); m],
            max_norm,
        }
    }

    /// The QP for the columns of a (D + 1) × m matrix.
    pub fn from_matrix(s: &nalgebra::DMatrix<f64>) -> Self {
        AnchorQp::new(s.nrows(), s.ncols(), s.as_slice().to_vec())
    }

    /// Compute every Gram column now, with one blocked product (the same
    /// bits as the lazy dot products). Skipped above 4096 points (memory):
    /// the columns are then computed as points enter a passive set.
    pub fn fill_gram(&mut self) {
        if self.m > 4096 || self.m == 0 {
            return;
        }
        let s = nalgebra::DMatrix::from_column_slice(self.d, self.m, &self.points);
        let g = crate::gemm::mul_tn(&s, &s);
        for j in 0..self.m {
            self.gram[j] = g.column(j).iter().copied().collect();
        }
    }

    /// Compute the Gram columns lo..hi now, with one blocked product
    /// against `s`, the same points as a d × m matrix (the same bits as the
    /// lazy dot products: every entry is summed in feature order from 0).
    ///
    /// When the columns 0..lo are already there (the blocks are filled in
    /// order, as GLUE's job does), only rows lo.. are computed: rows 0..lo
    /// of these columns are the mirror images of entries already computed.
    /// That is the same bits (x_i·x_j and x_j·x_i are sums of the same
    /// products in the same feature order, and each product commutes
    /// exactly; `gemm::gram_tn` relies on the same) at about half the cost
    /// over all blocks.
    pub fn fill_gram_columns(&mut self, s: &nalgebra::DMatrix<f64>, lo: usize, hi: usize) {
        if hi <= lo {
            return;
        }
        let block = s.columns(lo, hi - lo).into_owned();
        let mirrored = lo > 0 && self.gram[..lo].iter().all(|c| c.len() == self.m);
        if !mirrored {
            let g = crate::gemm::mul_tn(s, &block);
            for (k, j) in (lo..hi).enumerate() {
                self.gram[j] = g.column(k).iter().copied().collect();
            }
            return;
        }
        let below = s.columns(lo, self.m - lo).into_owned();
        let g = crate::gemm::mul_tn(&below, &block);
        for (k, j) in (lo..hi).enumerate() {
            let mut col = Vec::with_capacity(self.m);
            col.extend((0..lo).map(|i| self.gram[i][j]));
            col.extend(g.column(k).iter().copied());
            self.gram[j] = col;
        }
    }

    /// Dimension D + 1 of the points.
    pub fn dim(&self) -> usize {
        self.d
    }

    /// Number of points m.
    pub fn len(&self) -> usize {
        self.m
    }

    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.m == 0
    }

    /// Point j.
    pub fn point(&self, j: usize) -> &[f64] {
        &self.points[j * self.d..(j + 1) * self.d]
    }

    fn gram_column(&mut self, j: usize) -> &[f64] {
        if self.gram[j].is_empty() {
            let d = self.d;
            let sj = &self.points[j * d..(j + 1) * d];
            let col: Vec<f64> = (0..self.m)
                .map(|i| dot(&self.points[i * d..(i + 1) * d], sj))
                .collect();
            self.gram[j] = col;
        }
        &self.gram[j]
    }

    /// The projections b_j = s_j·t' with t' = t + κe, the NNLS right-hand
    /// side (and, less κ, the published method's max-projection scores).
    pub fn scores(&self, t: &[f64], kappa: f64) -> Vec<f64> {
        let d = self.d;
        let mut tp = t.to_vec();
        tp[d - 1] += kappa;
        (0..self.m).map(|j| dot(self.point(j), &tp)).collect()
    }

    /// Solve min ‖v − t‖² s.t. v·s_j + κ ≤ 0 exactly. `t` has length D + 1.
    pub fn solve(&mut self, t: &[f64], kappa: f64) -> QpSolution {
        let b = self.scores(t, kappa);
        self.solve_with_scores(t, kappa, &b)
    }

    /// [`Self::solve`] with the scores b = Sᵀ(t + κe) already computed (the
    /// MFTMA loop computes them for all samples at once).
    pub fn solve_with_scores(&mut self, t: &[f64], kappa: f64, b: &[f64]) -> QpSolution {
        self.solve_core(t, kappa, b, Unsigned, false)
    }

    /// [`Self::solve`] (κ = 0) by the working-set variant that
    /// [`Self::solve_signed`] uses: the same optimum (to rounding), not the
    /// same bits as `solve`. For tests.
    pub fn solve_working_set(&mut self, t: &[f64]) -> QpSolution {
        let b = self.scores(t, 0.0);
        self.solve_core(t, 0.0, &b, Unsigned, true)
    }

    /// Solve min ‖v − t‖² s.t. σ_j (v·x_j) ≤ 0 for the stored points x_j
    /// and signs σ_j ∈ {−1, +1} (κ = 0), given the unsigned scores
    /// b_j = x_j·t. Bit for bit the answer of [`Self::solve_working_set`]
    /// on the points σ_j x_j (see the module doc); `lambda` are the multipliers of the
    /// signed constraints and `t_minus_v` = Σ_j λ_j σ_j x_j.
    pub fn solve_signed(&mut self, t: &[f64], b: &[f64], signs: &[f64]) -> QpSolution {
        assert_eq!(
            signs.len(),
            self.m,
            "AnchorQp::solve_signed: one sign per point"
        );
        self.solve_core(t, 0.0, b, Signed(signs), true)
    }

    /// Lawson–Hanson NNLS on the (signed) points. `b` holds the unsigned
    /// scores x_j·(t + κe); the gradient is kept in unsigned space,
    /// w_u = b − G·(σ⊙λ), and the signed gradient is σ_j w_u,j.
    ///
    /// With `working_set` (GLUE), two things change. Points leaving the
    /// passive set are deleted from its Cholesky factor by Givens rotations
    /// (O(k²)) rather than by refactoring it (O(k³)). And above
    /// 4 × [`WORKING_SET_GROWTH`] points, the points priced and updated
    /// each iteration are a working set W: at first the
    /// [`WORKING_SET_GROWTH`] most violated points, then, whenever none in
    /// W is violated, a full pass over every point adds the most violated
    /// outside W (the same number again); the answer is optimal when that
    /// pass finds none. W's Gram block is kept compact, so an iteration
    /// reads |W|·|P| numbers, not m·|P| (GLUE's joint problems have
    /// thousands of points of which a few hundred matter). Without it, W
    /// is every point and the factor is refactored (Lawson–Hanson as MFTMA
    /// has always run it, whose bits its preset hashes pin).
    fn solve_core<S: Signs>(
        &mut self,
        t: &[f64],
        kappa: f64,
        b: &[f64],
        sg: S,
        working_set: bool,
    ) -> QpSolution {
        let (d, m) = (self.d, self.m);
        let mut lambda = vec![0.0; m];
        let mut tp_norm_sq = dot(t, t);
        tp_norm_sq += kappa * (2.0 * t[d - 1] + kappa);
        let scale = libm::sqrt(tp_norm_sq.max(0.0)).max(1.0) * self.max_norm.max(1e-300);
        let tol = 1e-13 * scale;

        let kmax = d.min(m);
        let mut passive: Vec<usize> = Vec::with_capacity(kmax);
        let mut in_passive = vec![false; m];
        let mut banned = vec![false; m];
        let mut chol = Cholesky::new(kmax);
        let max_outer = 3 * m + 50;
        // The signed Gram entries G'_pj = σ_p σ_j G_pj of point j against
        // the passive points.
        let signed_col = |qp: &mut AnchorQp, j: usize, passive: &[usize]| -> Vec<f64> {
            let sj = sg.at(j);
            let col = qp.gram_column(j);
            passive.iter().map(|&p| sg.at(p) * sj * col[p]).collect()
        };
        let mut ws = if working_set && m > 4 * WORKING_SET_GROWTH {
            let mut ws = WorkingSet::empty(m);
            let grow = violated_outside(&ws, b, sg, tol);
            ws.grow(self, &grow, b);
            ws
        } else {
            WorkingSet::all(m, b)
        };

        for _ in 0..max_outer {
            if passive.len() == kmax {
                break;
            }
            // The most violated point of W not yet passive.
            let mut best = usize::MAX;
            let mut best_w = tol;
            for (r, &j) in ws.idx.iter().enumerate() {
                let wj = sg.at(j) * ws.w[r];
                if !in_passive[j] && !banned[j] && wj > best_w {
                    best_w = wj;
                    best = j;
                }
            }
            if best == usize::MAX {
                if ws.cols.is_none() {
                    break;
                }
                // Price every point; grow W by the most violated outside.
                let full = self.gradient(b, sg, &passive, &lambda);
                let grow = violated_outside(&ws, &full, sg, tol);
                if grow.is_empty() {
                    break;
                }
                ws.grow(self, &grow, &full);
                continue;
            }
            let j = best;
            // Extend the factor of G_PP by point j.
            let g_j = signed_col(self, j, &passive);
            if !chol.push(&g_j, self.norms_sq[j]) {
                banned[j] = true;
                continue;
            }
            passive.push(j);
            in_passive[j] = true;

            // Inner loop: keep the unconstrained solution on P feasible.
            let mut first = true;
            loop {
                let rhs: Vec<f64> = passive.iter().map(|&p| sg.at(p) * b[p]).collect();
                let z = chol.solve(&rhs);
                if first && z[z.len() - 1] <= 0.0 {
                    // Rounding: the new point does not help. Undo and ban.
                    passive.pop();
                    in_passive[j] = false;
                    chol.pop();
                    banned[j] = true;
                    break;
                }
                first = false;
                if z.iter().all(|&zi| zi > 0.0) {
                    for (k, &p) in passive.iter().enumerate() {
                        lambda[p] = z[k];
                    }
                    // A new point entered: earlier bans may no longer hold.
                    banned.iter_mut().for_each(|x| *x = false);
                    break;
                }
                // Step from λ toward z until the first λ hits zero.
                let mut alpha = f64::INFINITY;
                let mut hit = 0;
                for (k, &p) in passive.iter().enumerate() {
                    if z[k] <= 0.0 {
                        let a = lambda[p] / (lambda[p] - z[k]);
                        if a < alpha {
                            alpha = a;
                            hit = k;
                        }
                    }
                }
                for (k, &p) in passive.iter().enumerate() {
                    lambda[p] += alpha * (z[k] - lambda[p]);
                }
                lambda[passive[hit]] = 0.0;
                if working_set {
                    // Delete the zeroed points from the factor, last first
                    // (Givens rotations, O(k²) each).
                    for k in (0..passive.len()).rev() {
                        let p = passive[k];
                        if lambda[p] <= 0.0 {
                            lambda[p] = 0.0;
                            in_passive[p] = false;
                            chol.remove(k);
                            passive.remove(k);
                        }
                    }
                } else {
                    let keep: Vec<usize> = passive
                        .iter()
                        .copied()
                        .filter(|&p| lambda[p] > 0.0)
                        .collect();
                    for &p in &passive {
                        if lambda[p] <= 0.0 {
                            lambda[p] = 0.0;
                            in_passive[p] = false;
                        }
                    }
                    passive = keep;
                    // Refactor the smaller passive block.
                    chol.clear();
                    let mut ok = Vec::with_capacity(passive.len());
                    for &p in &passive {
                        let g = signed_col(self, p, &ok);
                        if chol.push(&g, self.norms_sq[p]) {
                            ok.push(p);
                        } else {
                            lambda[p] = 0.0;
                            in_passive[p] = false;
                        }
                    }
                    passive = ok;
                }
                if passive.is_empty() {
                    break;
                }
            }
            // w_u = b − G (σ⊙λ) over the passive set, on W.
            for (r, &i) in ws.idx.iter().enumerate() {
                ws.w[r] = b[i];
            }
            for &p in &passive {
                let lp = sg.at(p) * lambda[p];
                let col = match &ws.cols {
                    None => self.gram_column(p),
                    Some(cols) => &cols[ws.pos[p]],
                };
                for (wi, gi) in ws.w.iter_mut().zip(col.iter()) {
                    *wi -= gi * lp;
                }
            }
        }

        // The gradient at every point.
        let w = if ws.cols.is_none() {
            std::mem::take(&mut ws.w)
        } else {
            self.gradient(b, sg, &passive, &lambda)
        };
        // Non-unique multipliers: an active point outside the passive set
        // that lies in the passive points' span.
        let active_tol = 1e-9 * scale;
        let mut ambiguous = false;
        if !passive.is_empty() {
            for j in 0..m {
                if in_passive[j] || self.norms_sq[j] <= 0.0 || (sg.at(j) * w[j]).abs() > active_tol
                {
                    continue;
                }
                let g_j = signed_col(self, j, &passive);
                if chol.residual_sq(&g_j, self.norms_sq[j]) <= 1e-10 * self.norms_sq[j] {
                    ambiguous = true;
                    break;
                }
            }
        }

        // t − v = Sλ, summed over points in index order.
        let mut u = vec![0.0; d];
        let mut support = 0;
        for (j, &l) in lambda.iter().enumerate() {
            if l > 0.0 {
                support += 1;
                let ls = sg.at(j) * l;
                let s = &self.points[j * d..(j + 1) * d];
                for (ui, si) in u.iter_mut().zip(s) {
                    *ui += ls * si;
                }
            }
        }
        let v: Vec<f64> = t.iter().zip(&u).map(|(ti, ui)| ti - ui).collect();
        QpSolution {
            v,
            lambda,
            t_minus_v: u,
            support,
            ambiguous,
        }
    }

    /// The unsigned gradient b − G (σ⊙λ) at every point (passive order).
    fn gradient<S: Signs>(
        &mut self,
        b: &[f64],
        sg: S,
        passive: &[usize],
        lambda: &[f64],
    ) -> Vec<f64> {
        let mut w = b.to_vec();
        for &p in passive {
            let lp = sg.at(p) * lambda[p];
            let col = self.gram_column(p);
            for (wi, gi) in w.iter_mut().zip(col.iter()) {
                *wi -= gi * lp;
            }
        }
        w
    }
}

/// Points added to a working set at a time (and its first size).
pub const WORKING_SET_GROWTH: usize = 64;

/// The points a solve prices: all (`cols` None: the Gram columns are read
/// whole) or a working set with its compact Gram block.
struct WorkingSet {
    /// The points, in pricing order.
    idx: Vec<usize>,
    /// Each point's row in `idx` (usize::MAX if absent).
    pos: Vec<usize>,
    /// Column r: G[idx[·], idx[r]] (unsigned).
    cols: Option<Vec<Vec<f64>>>,
    /// The unsigned gradient at idx.
    w: Vec<f64>,
}

impl WorkingSet {
    fn all(m: usize, b: &[f64]) -> Self {
        WorkingSet {
            idx: (0..m).collect(),
            pos: (0..m).collect(),
            cols: None,
            w: b.to_vec(),
        }
    }

    fn empty(m: usize) -> Self {
        WorkingSet {
            idx: Vec::new(),
            pos: vec![usize::MAX; m],
            cols: Some(Vec::new()),
            w: Vec::new(),
        }
    }

    /// Add points (with their current unsigned gradients `w_all`).
    fn grow(&mut self, qp: &mut AnchorQp, new: &[usize], w_all: &[f64]) {
        let cols = self.cols.as_mut().expect("a working set");
        for (c, col) in cols.iter_mut().enumerate() {
            let g = qp.gram_column(self.idx[c]);
            col.extend(new.iter().map(|&i| g[i]));
        }
        for &i in new {
            self.pos[i] = self.idx.len();
            self.idx.push(i);
            self.w.push(w_all[i]);
        }
        for &i in new {
            let g = qp.gram_column(i);
            cols.push(self.idx.iter().map(|&r| g[r]).collect());
        }
    }
}

/// The [`WORKING_SET_GROWTH`] most violated points outside W (signed
/// gradient above `tol`), most violated first, ties by index.
fn violated_outside<S: Signs>(ws: &WorkingSet, w: &[f64], sg: S, tol: f64) -> Vec<usize> {
    let mut v: Vec<(f64, usize)> = (0..w.len())
        .filter(|&i| ws.pos[i] == usize::MAX)
        .map(|i| (sg.at(i) * w[i], i))
        .filter(|&(x, _)| x > tol)
        .collect();
    crate::sort::sort_by(&mut v, &|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    v.truncate(WORKING_SET_GROWTH);
    v.into_iter().map(|(_, i)| i).collect()
}

/// The signs of the points: all +1 (MFTMA, the simulation) or given.
trait Signs: Copy {
    fn at(&self, j: usize) -> f64;
}

/// Every point unsigned (σ_j = 1: multiplying by it is exact, and the
/// compiler drops it).
#[derive(Clone, Copy)]
struct Unsigned;

impl Signs for Unsigned {
    #[inline(always)]
    fn at(&self, _j: usize) -> f64 {
        1.0
    }
}

/// σ_j ∈ {−1, +1} per point.
#[derive(Clone, Copy)]
struct Signed<'a>(&'a [f64]);

impl Signs for Signed<'_> {
    #[inline(always)]
    fn at(&self, j: usize) -> f64 {
        self.0[j]
    }
}

/// x·y summed in index order.
pub(crate) fn dot(x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for (a, b) in x.iter().zip(y) {
        s += a * b;
    }
    s
}

/// A lower-triangular Cholesky factor L (G_PP = L Lᵀ) grown one row at a
/// time, stored row by row (row i holds i + 1 entries from i(i+1)/2).
#[derive(Clone, Debug)]
struct Cholesky {
    kmax: usize,
    k: usize,
    l: Vec<f64>,
}

impl Cholesky {
    fn new(kmax: usize) -> Self {
        Cholesky {
            kmax,
            k: 0,
            l: Vec::new(),
        }
    }

    #[inline]
    fn at(&self, i: usize, j: usize) -> f64 {
        self.l[i * (i + 1) / 2 + j]
    }

    fn clear(&mut self) {
        self.k = 0;
        self.l.clear();
    }

    fn pop(&mut self) {
        self.k -= 1;
        self.l.truncate(self.k * (self.k + 1) / 2);
    }

    /// Append a column with off-diagonal Gram entries `g` (against the
    /// current rows) and diagonal `diag`. False (and nothing changes) if it
    /// is numerically dependent on the current columns: its squared
    /// distance from their span is at most 1e-12 of its squared norm.
    fn push(&mut self, g: &[f64], diag: f64) -> bool {
        let k = self.k;
        if k == self.kmax || diag <= 0.0 {
            return false;
        }
        let start = self.l.len();
        for (i, gi) in g.iter().enumerate().take(k) {
            let row = i * (i + 1) / 2;
            let mut s = *gi;
            for jj in 0..i {
                s -= self.l[row + jj] * self.l[start + jj];
            }
            let y = s / self.l[row + i];
            self.l.push(y);
        }
        let mut yy = 0.0;
        for y in &self.l[start..] {
            yy += y * y;
        }
        let pivot = diag - yy;
        if !(pivot > 1e-12 * diag) {
            self.l.truncate(start);
            return false;
        }
        self.l.push(libm::sqrt(pivot));
        self.k += 1;
        true
    }

    /// Delete column (and row) `q` of the factored matrix: the rows of L
    /// below q lose their entry in column q and become lower Hessenberg;
    /// Givens rotations of columns (i, i + 1), i = q…k − 2, restore the
    /// triangle with a positive diagonal. O(k²).
    fn remove(&mut self, q: usize) {
        let k = self.k;
        // Dense copy of L without row q: (k − 1) × k, row-major.
        let mut a = vec![0.0; (k - 1) * k];
        for i in 0..k - 1 {
            let src = if i < q { i } else { i + 1 };
            for j in 0..=src {
                a[i * k + j] = self.at(src, j);
            }
        }
        for i in q..k - 1 {
            let (x, y) = (a[i * k + i], a[i * k + i + 1]);
            let r = libm::sqrt(x * x + y * y);
            let (c, s) = if r > 0.0 { (x / r, y / r) } else { (1.0, 0.0) };
            for row in i..k - 1 {
                let (u, v) = (a[row * k + i], a[row * k + i + 1]);
                a[row * k + i] = c * u + s * v;
                a[row * k + i + 1] = c * v - s * u;
            }
        }
        self.k = k - 1;
        self.l.clear();
        for i in 0..k - 1 {
            for j in 0..=i {
                self.l.push(a[i * k + j]);
            }
        }
    }

    /// The squared distance ‖s‖² − ‖L⁻¹g‖² of a point (off-diagonal Gram
    /// entries `g` against the current rows, squared norm `diag`) from the
    /// span of the current columns.
    fn residual_sq(&self, g: &[f64], diag: f64) -> f64 {
        let k = self.k;
        let mut y = vec![0.0; k];
        for i in 0..k {
            let row = i * (i + 1) / 2;
            let mut s = g[i];
            for (jj, yj) in y.iter().enumerate().take(i) {
                s -= self.l[row + jj] * yj;
            }
            y[i] = s / self.l[row + i];
        }
        let mut yy = 0.0;
        for v in &y {
            yy += v * v;
        }
        diag - yy
    }

    /// Solve L Lᵀ z = rhs.
    fn solve(&self, rhs: &[f64]) -> Vec<f64> {
        let k = self.k;
        let mut y = vec![0.0; k];
        for i in 0..k {
            let row = i * (i + 1) / 2;
            let mut s = rhs[i];
            for (jj, yj) in y.iter().enumerate().take(i) {
                s -= self.l[row + jj] * yj;
            }
            y[i] = s / self.l[row + i];
        }
        let mut z = vec![0.0; k];
        for i in (0..k).rev() {
            let mut s = y[i];
            for (jj, zj) in z.iter().enumerate().skip(i + 1) {
                s -= self.at(jj, i) * zj;
            }
            z[i] = s / self.at(i, i);
        }
        z
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// Hildreth's method (cyclic dual coordinate ascent) for
    /// min ‖v − t‖² s.t. s_j·v ≤ −κ: a different algorithm from NNLS,
    /// converging linearly in v; run to a fixed point.
    fn hildreth(pts: &[Vec<f64>], t: &[f64], kappa: f64) -> Vec<f64> {
        let mut v = t.to_vec();
        let mut lam = vec![0.0; pts.len()];
        for _sweep in 0..200_000 {
            let mut change: f64 = 0.0;
            for (j, s) in pts.iter().enumerate() {
                let ss = dot(s, s);
                if ss == 0.0 {
                    continue;
                }
                // Maximise the dual in λ_j alone: v = t − Σ λ s.
                let viol = dot(s, &v) + kappa;
                let new = (lam[j] + viol / ss).max(0.0);
                let delta = new - lam[j];
                if delta != 0.0 {
                    for (vi, si) in v.iter_mut().zip(s) {
                        *vi -= delta * si;
                    }
                    lam[j] = new;
                    change = change.max(delta.abs() * libm::sqrt(ss));
                }
            }
            if change < 1e-15 {
                break;
            }
        }
        v
    }

    fn random_problem(rng: &mut Rng, dim: usize, m: usize) -> Vec<Vec<f64>> {
        // Points with last coordinate 1 (as in MFTMA).
        (0..m)
            .map(|_| {
                let mut s: Vec<f64> = (0..dim - 1).map(|_| 0.7 * rng.normal()).collect();
                s.push(1.0);
                s
            })
            .collect()
    }

    fn check(pts: &[Vec<f64>], t: &[f64], kappa: f64) -> f64 {
        let d = t.len();
        let flat: Vec<f64> = pts.iter().flatten().copied().collect();
        let mut qp = AnchorQp::new(d, pts.len(), flat);
        let sol = qp.solve(t, kappa);
        // KKT: feasibility, λ ≥ 0, complementary slackness.
        for (j, s) in pts.iter().enumerate() {
            let c = dot(s, &sol.v) + kappa;
            assert!(c <= 1e-10, "infeasible: {c}");
            assert!(sol.lambda[j] >= 0.0);
            assert!(
                (sol.lambda[j] * c).abs() < 1e-9,
                "slackness {}",
                sol.lambda[j] * c
            );
        }
        let sum: f64 = sol.lambda.iter().sum();
        assert!((sum - sol.t_minus_v[d - 1]).abs() < 1e-9 * sum.max(1.0));
        let h = hildreth(pts, t, kappa);
        sol.v
            .iter()
            .zip(&h)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max)
    }

    /// The Gram filled in column blocks (rows above a block mirrored from
    /// the blocks before it), in one product, and by the lazy dot
    /// products: the same bits, at block sizes around the gemm's edges.
    #[test]
    fn gram_in_blocks_is_the_full_gram_bit_for_bit() {
        let mut rng = Rng::new(17);
        for &(d, m) in &[(7usize, 1usize), (300, 37), (5, 64), (257, 90)] {
            let cols: Vec<f64> = (0..d * m).map(|_| rng.normal()).collect();
            let s = nalgebra::DMatrix::from_column_slice(d, m, &cols);
            let mut full = AnchorQp::new(d, m, cols.clone());
            full.fill_gram();
            let mut lazy = AnchorQp::new(d, m, cols.clone());
            for block in [1usize, 3, 16, 100] {
                let mut q = AnchorQp::new(d, m, cols.clone());
                let mut lo = 0;
                while lo < m {
                    let hi = (lo + block).min(m);
                    q.fill_gram_columns(&s, lo, hi);
                    lo = hi;
                }
                for j in 0..m {
                    let want: Vec<u64> = full.gram[j].iter().map(|v| v.to_bits()).collect();
                    let got: Vec<u64> = q.gram[j].iter().map(|v| v.to_bits()).collect();
                    assert_eq!(got, want, "d {d}, m {m}, block {block}, column {j}");
                    let dots: Vec<u64> = lazy.gram_column(j).iter().map(|v| v.to_bits()).collect();
                    assert_eq!(dots, want, "d {d}, m {m}: lazy column {j}");
                }
            }
        }
    }

    #[test]
    fn equals_an_independent_solver_on_random_problems() {
        let mut rng = Rng::new(11);
        let mut worst: f64 = 0.0;
        for case in 0..60 {
            let dim = 2 + case % 7; // D + 1 from 2 to 8
            let m = 1 + (case * 5) % 23; // M < D and M > D both occur
            let mut pts = random_problem(&mut rng, dim, m);
            match case % 4 {
                1 => {
                    // Duplicate points.
                    let p = pts[0].clone();
                    pts.push(p.clone());
                    pts.push(p);
                }
                2 => {
                    // A point at the centre (0, …, 0, 1).
                    let mut c = vec![0.0; dim];
                    c[dim - 1] = 1.0;
                    pts.push(c);
                }
                // A point that is the midpoint of two others.
                3 if pts.len() >= 2 => {
                    let mid: Vec<f64> = pts[0]
                        .iter()
                        .zip(&pts[1])
                        .map(|(a, b)| 0.5 * (a + b))
                        .collect();
                    pts.push(mid);
                }
                _ => {}
            }
            for &kappa in &[0.0, 0.3, -0.2] {
                let t: Vec<f64> = (0..dim).map(|_| 1.5 * rng.normal()).collect();
                worst = worst.max(check(&pts, &t, kappa));
            }
        }
        assert!(worst < 1e-9, "largest |v − v_ref| = {worst:e}");
    }

    #[test]
    fn interior_and_single_point_closed_forms() {
        // One point s = (0, 1): the constraint is v_2 ≤ −κ.
        let mut qp = AnchorQp::new(2, 1, vec![0.0, 1.0]);
        let sol = qp.solve(&[0.4, 0.7], 0.1);
        assert_eq!(sol.v[0], 0.4);
        assert!((sol.v[1] + 0.1).abs() < 1e-15);
        assert!((sol.lambda[0] - 0.8).abs() < 1e-15);
        // Interior: t already satisfies every constraint.
        let sol = qp.solve(&[0.4, -0.7], 0.1);
        assert_eq!(sol.v, vec![0.4, -0.7]);
        assert_eq!(sol.support, 0);
    }

    #[test]
    fn deterministic_bits() {
        let mut rng = Rng::new(3);
        let pts = random_problem(&mut rng, 6, 30);
        let flat: Vec<f64> = pts.iter().flatten().copied().collect();
        let t: Vec<f64> = (0..6).map(|_| rng.normal()).collect();
        let a = AnchorQp::new(6, 30, flat.clone()).solve(&t, 0.0);
        let b = AnchorQp::new(6, 30, flat).solve(&t, 0.0);
        assert_eq!(a, b);
    }

    #[test]
    fn signed_solve_is_the_solve_of_the_signed_points_bit_for_bit() {
        let mut rng = Rng::new(5);
        for case in 0..60 {
            // Up to 400 points: several growths of the working set.
            let (dim, m) = (3 + case % 30, 2 + (case * 37) % 400);
            let pts: Vec<Vec<f64>> = (0..m)
                .map(|_| (0..dim).map(|_| rng.normal()).collect())
                .collect();
            let signs: Vec<f64> = (0..m)
                .map(|_| if rng.uniform() < 0.5 { 1.0 } else { -1.0 })
                .collect();
            let t: Vec<f64> = (0..dim).map(|_| rng.normal()).collect();
            let flat: Vec<f64> = pts.iter().flatten().copied().collect();
            let signed: Vec<f64> = pts
                .iter()
                .zip(&signs)
                .flat_map(|(p, &s)| p.iter().map(move |x| s * x))
                .collect();
            let mut unsigned_qp = AnchorQp::new(dim, m, flat);
            unsigned_qp.fill_gram();
            let b: Vec<f64> = (0..m).map(|j| dot(unsigned_qp.point(j), &t)).collect();
            let a = unsigned_qp.solve_signed(&t, &b, &signs);
            let mut signed_qp = AnchorQp::new(dim, m, signed);
            let reference = signed_qp.solve_working_set(&t);
            assert_eq!(a, reference, "case {case}");
            // The working set reaches Lawson–Hanson's optimum.
            let plain = signed_qp.solve(&t, 0.0);
            let gap =
                a.v.iter()
                    .zip(&plain.v)
                    .map(|(x, y)| (x - y).abs())
                    .fold(0.0, f64::max);
            assert!(gap < 1e-10, "case {case}: |v − v_LH| = {gap:e}");
        }
    }

    #[test]
    fn a_duplicated_touching_point_makes_the_multipliers_ambiguous() {
        // t far on the wrong side of the point (0, 1): the point touches;
        // its duplicate could take any share of λ.
        let pts = vec![0.0, 1.0, 0.0, 1.0, 1.0, -1.0];
        let mut qp = AnchorQp::new(2, 3, pts);
        let sol = qp.solve(&[-0.3, 2.0], 0.0);
        assert_eq!(sol.support, 1);
        assert!(sol.ambiguous);
        // Without the duplicate the answer is unique.
        let mut qp = AnchorQp::new(2, 2, vec![0.0, 1.0, 1.0, -1.0]);
        let sol = qp.solve(&[-0.3, 2.0], 0.0);
        assert!(!sol.ambiguous);
    }
}
