//! Riemannian conjugate gradient on the Stiefel manifold
//! St(n, k) = {V ∈ R^{n×k} : VᵀV = I_k}.
//!
//! The geometry is the embedded one (Absil, Mahony & Sepulchre 2008, §3.6,
//! §4.1, §8.1):
//! - inner product ⟨ξ, η⟩ = Tr(ξᵀη) (Frobenius);
//! - tangent projection P_V(U) = U − V sym(VᵀU), sym(A) = (A + Aᵀ)/2, which
//!   also turns the Euclidean gradient into the Riemannian one and serves as
//!   the vector transport;
//! - retraction R_V(ξ) = qf(V + ξ), the Q factor with a positive diagonal R
//!   (computed by Gram–Schmidt applied twice, which keeps VᵀV = I to ~1e-15).
//!
//! The method is the one the published MFTMA code calls (pymanopt's
//! `ConjugateGradient` with its defaults, after manopt's
//! `conjugategradient.m`): Hestenes–Stiefel β clipped at 0, reset to the
//! negative gradient when the direction is not a descent direction, and the
//! adaptive backtracking line search (first trial 1/‖d‖, then the last
//! accepted step, doubled unless exactly one backtrack was needed; Armijo
//! constant 0.5; halving; at most 10 backtracks; a step that does not lower
//! the cost is rejected). It stops when the gradient norm falls below
//! `min_grad_norm` (1e-6), the step below `min_step` (1e-10), or after
//! `max_iterations` (1000).
//!
//! Every operation is + − × ÷ and sqrt in a fixed order.

// NaN-aware comparisons (`!(x > 0.0)` is true for NaN) are deliberate here.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use nalgebra::DMatrix;

/// A smooth cost on St(n, k) with its Euclidean gradient.
pub trait StiefelCost {
    /// f(V); +∞ where f is undefined (the line search then backtracks).
    fn cost(&self, v: &DMatrix<f64>) -> f64;
    /// ∂f/∂V, the n × k Euclidean gradient.
    fn euclidean_gradient(&self, v: &DMatrix<f64>) -> DMatrix<f64>;
}

/// Stopping rules (pymanopt's defaults).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CgOptions {
    pub max_iterations: usize,
    pub min_grad_norm: f64,
    pub min_step: f64,
}

impl Default for CgOptions {
    fn default() -> Self {
        CgOptions {
            max_iterations: 1000,
            min_grad_norm: 1e-6,
            min_step: 1e-10,
        }
    }
}

/// Why the optimisation stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CgStop {
    GradientNorm,
    StepSize,
    MaxIterations,
}

/// The optimiser's answer.
#[derive(Clone, Debug)]
pub struct CgResult {
    /// The last iterate, on the manifold.
    pub v: DMatrix<f64>,
    pub cost: f64,
    pub grad_norm: f64,
    pub iterations: usize,
    pub stop: CgStop,
}

/// Frobenius inner product, column-major order.
pub fn inner(a: &DMatrix<f64>, b: &DMatrix<f64>) -> f64 {
    let mut s = 0.0;
    for (x, y) in a.as_slice().iter().zip(b.as_slice()) {
        s += x * y;
    }
    s
}

/// P_V(U) = U − V sym(VᵀU).
pub fn project(v: &DMatrix<f64>, u: &DMatrix<f64>) -> DMatrix<f64> {
    let vtu = v.tr_mul(u);
    let sym = (&vtu + vtu.transpose()) * 0.5;
    u - v * sym
}

/// qf(A): the orthonormal Q of A = QR with R's diagonal positive, by
/// classical Gram–Schmidt applied twice per column. A column that is
/// (numerically) dependent on the previous ones is replaced by the first
/// coordinate vector orthogonal to them, so the result is always on the
/// manifold.
pub fn orthonormalize(a: &DMatrix<f64>) -> DMatrix<f64> {
    let (n, k) = a.shape();
    let mut q = a.clone();
    for j in 0..k {
        let original = libm::sqrt(col_dot(&q, j, &q, j));
        for _pass in 0..2 {
            for i in 0..j {
                let r = col_dot(&q, i, &q, j);
                for row in 0..n {
                    q[(row, j)] -= r * q[(row, i)];
                }
            }
        }
        let mut norm = libm::sqrt(col_dot(&q, j, &q, j));
        if !(norm > 1e-12 * original.max(f64::MIN_POSITIVE)) {
            // Dependent column: take a coordinate vector and orthogonalise it.
            for e in 0..n {
                for row in 0..n {
                    q[(row, j)] = if row == e { 1.0 } else { 0.0 };
                }
                for _pass in 0..2 {
                    for i in 0..j {
                        let r = col_dot(&q, i, &q, j);
                        for row in 0..n {
                            q[(row, j)] -= r * q[(row, i)];
                        }
                    }
                }
                norm = libm::sqrt(col_dot(&q, j, &q, j));
                if norm > 0.5 {
                    break;
                }
            }
        }
        for row in 0..n {
            q[(row, j)] /= norm;
        }
    }
    q
}

fn col_dot(a: &DMatrix<f64>, i: usize, b: &DMatrix<f64>, j: usize) -> f64 {
    let mut s = 0.0;
    for (x, y) in a.column(i).iter().zip(b.column(j).iter()) {
        s += x * y;
    }
    s
}

/// R_V(ξ) = qf(V + ξ).
pub fn retract(v: &DMatrix<f64>, xi: &DMatrix<f64>) -> DMatrix<f64> {
    orthonormalize(&(v + xi))
}

/// Minimise `f` on St(n, k) from `v0` (orthonormalised first).
pub fn conjugate_gradient<F: StiefelCost>(f: &F, v0: &DMatrix<f64>, opts: CgOptions) -> CgResult {
    let mut x = orthonormalize(v0);
    let mut cost = f.cost(&x);
    let mut grad = project(&x, &f.euclidean_gradient(&x));
    let mut grad_norm_sq = inner(&grad, &grad);
    let mut grad_norm = libm::sqrt(grad_norm_sq);
    let mut desc = -&grad;
    let mut step = f64::NAN;
    let mut old_alpha: Option<f64> = None;
    let mut iter = 0;

    let stop = loop {
        if iter + 1 >= opts.max_iterations {
            break CgStop::MaxIterations;
        }
        if grad_norm < opts.min_grad_norm {
            break CgStop::GradientNorm;
        }
        if step < opts.min_step {
            break CgStop::StepSize;
        }
        let mut df0 = inner(&grad, &desc);
        if !(df0 < 0.0) {
            desc = -&grad;
            df0 = -grad_norm_sq;
        }

        // Adaptive backtracking line search.
        let norm_d = libm::sqrt(inner(&desc, &desc));
        let mut alpha = old_alpha.unwrap_or(1.0 / norm_d);
        let mut new_x = retract(&x, &(&desc * alpha));
        let mut new_cost = f.cost(&new_x);
        let mut evals = 1;
        while !(new_cost <= cost + 0.5 * alpha * df0) && evals <= 10 {
            alpha *= 0.5;
            new_x = retract(&x, &(&desc * alpha));
            new_cost = f.cost(&new_x);
            evals += 1;
        }
        if !(new_cost <= cost) {
            alpha = 0.0;
            new_x = x.clone();
            new_cost = cost;
        }
        step = alpha * norm_d;
        old_alpha = Some(if evals == 2 { alpha } else { 2.0 * alpha });
        if alpha == 0.0 {
            // Rejected step: the next trial would start at 0; restart the
            // trial size instead, and let the step-size rule stop us.
            old_alpha = None;
        }

        let new_grad = project(&new_x, &f.euclidean_gradient(&new_x));
        let new_grad_norm_sq = inner(&new_grad, &new_grad);

        // Hestenes–Stiefel with transport by projection.
        let old_grad = project(&new_x, &grad);
        let transported = project(&new_x, &desc);
        let diff = &new_grad - &old_grad;
        let num = inner(&new_grad, &diff);
        let den = inner(&diff, &transported);
        let beta = if den == 0.0 {
            1.0
        } else {
            (num / den).max(0.0)
        };
        desc = &transported * beta - &new_grad;

        x = new_x;
        cost = new_cost;
        grad = new_grad;
        grad_norm_sq = new_grad_norm_sq;
        grad_norm = libm::sqrt(grad_norm_sq);
        iter += 1;
    };
    CgResult {
        v: x,
        cost,
        grad_norm,
        iterations: iter,
        stop,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// f(V) = −Tr(VᵀAV)/2 with A symmetric: minimised by the top-k
    /// eigenvectors, at −(sum of the top k eigenvalues)/2 (Ky Fan).
    struct Rayleigh(DMatrix<f64>);
    impl StiefelCost for Rayleigh {
        fn cost(&self, v: &DMatrix<f64>) -> f64 {
            -0.5 * inner(v, &(&self.0 * v))
        }
        fn euclidean_gradient(&self, v: &DMatrix<f64>) -> DMatrix<f64> {
            -(&self.0 * v)
        }
    }

    #[test]
    fn finds_the_top_eigenspace() {
        let n = 8;
        let diag = [9.0, 7.0, 5.0, 3.0, 2.0, 1.0, 0.5, 0.25];
        let mut rng = Rng::new(4);
        let r = orthonormalize(&DMatrix::from_fn(n, n, |_, _| rng.normal()));
        let a =
            &r * DMatrix::from_diagonal(&nalgebra::DVector::from_row_slice(&diag)) * r.transpose();
        let v0 = DMatrix::from_fn(n, 3, |_, _| rng.normal());
        let res = conjugate_gradient(&Rayleigh(a), &v0, CgOptions::default());
        assert!(
            (res.cost + 0.5 * (9.0 + 7.0 + 5.0)).abs() < 1e-9,
            "{}",
            res.cost
        );
        let vtv = res.v.tr_mul(&res.v);
        assert!((vtv - DMatrix::identity(3, 3)).norm() < 1e-12);
        assert_eq!(res.stop, CgStop::GradientNorm);
    }

    #[test]
    fn projection_is_tangent_and_idempotent() {
        let mut rng = Rng::new(5);
        let v = orthonormalize(&DMatrix::from_fn(6, 2, |_, _| rng.normal()));
        let u = DMatrix::from_fn(6, 2, |_, _| rng.normal());
        let p = project(&v, &u);
        let s = v.tr_mul(&p);
        assert!(
            (&s + s.transpose()).norm() < 1e-14,
            "VᵀP + PᵀV = 0 on the tangent space"
        );
        assert!((project(&v, &p) - &p).norm() < 1e-14);
    }
}
