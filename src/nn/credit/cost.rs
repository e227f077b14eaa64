//! Output costs for the credit-assignment rules, with per-sample losses
//! (the perturbation rules need them) and the gradient ∂L/∂output.
//!
//! Both are means over the batch of a per-sample cost, so the batch loss
//! L = Σ_i l_i with l_i = cost(sample i)/n:
//!
//! - MSE: l_i = ½‖ŷ_i − y_i‖²/n. The ½ and the sum over outputs follow
//!   Lillicrap et al. 2016, whose online update is ΔW ∝ e xᵀ with e = y − ŷ
//!   (so η means the same here as in the paper). This differs from the
//!   lazy-rich lab's torch-style MSE (mean over outputs, no ½).
//! - Cross-entropy: l_i = −log softmax(ŷ_i)_{y_i}/n with one-hot y
//!   (log-sum-exp shifted by the row maximum).

use nalgebra::DMatrix;

/// An output cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cost {
    Mse,
    CrossEntropy,
}

impl Cost {
    /// Parse the URL key ("mse", "ce").
    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "mse" => Some(Cost::Mse),
            "ce" => Some(Cost::CrossEntropy),
            _ => None,
        }
    }

    /// The per-sample terms l_i (summing to the batch loss).
    pub fn per_sample(self, out: &DMatrix<f64>, target: &DMatrix<f64>) -> Vec<f64> {
        let n = out.nrows().max(1) as f64;
        (0..out.nrows())
            .map(|i| match self {
                Cost::Mse => {
                    let s: f64 = (0..out.ncols())
                        .map(|c| {
                            let d = out[(i, c)] - target[(i, c)];
                            d * d
                        })
                        .sum();
                    0.5 * s / n
                }
                Cost::CrossEntropy => {
                    let log_z = log_sum_exp(out, i);
                    let s: f64 = (0..out.ncols())
                        .map(|c| -target[(i, c)] * (out[(i, c)] - log_z))
                        .sum();
                    s / n
                }
            })
            .collect()
    }

    /// The batch loss L = Σ_i l_i.
    pub fn loss(self, out: &DMatrix<f64>, target: &DMatrix<f64>) -> f64 {
        self.per_sample(out, target).iter().sum()
    }

    /// ∂L/∂ŷ: (ŷ − y)/n for MSE, (softmax(ŷ) − y)/n for cross-entropy.
    pub fn gradient(self, out: &DMatrix<f64>, target: &DMatrix<f64>) -> DMatrix<f64> {
        let n = out.nrows().max(1) as f64;
        match self {
            Cost::Mse => (out - target) / n,
            Cost::CrossEntropy => {
                let mut g = DMatrix::zeros(out.nrows(), out.ncols());
                for i in 0..out.nrows() {
                    let log_z = log_sum_exp(out, i);
                    for c in 0..out.ncols() {
                        g[(i, c)] = (libm::exp(out[(i, c)] - log_z) - target[(i, c)]) / n;
                    }
                }
                g
            }
        }
    }
}

/// log Σ_c exp(out_ic), shifted by the row maximum.
fn log_sum_exp(out: &DMatrix<f64>, i: usize) -> f64 {
    let m = (0..out.ncols())
        .map(|c| out[(i, c)])
        .fold(f64::NEG_INFINITY, f64::max);
    if !m.is_finite() {
        return m;
    }
    let z: f64 = (0..out.ncols()).map(|c| libm::exp(out[(i, c)] - m)).sum();
    m + libm::log(z)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradients_match_finite_differences() {
        let out = DMatrix::from_row_slice(2, 3, &[0.1, -0.4, 0.7, 1.2, 0.3, -0.2]);
        let y = DMatrix::from_row_slice(2, 3, &[0.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
        for cost in [Cost::Mse, Cost::CrossEntropy] {
            let g = cost.gradient(&out, &y);
            for idx in 0..6 {
                let (mut p, mut m) = (out.clone(), out.clone());
                p[idx] += 1e-6;
                m[idx] -= 1e-6;
                let fd = (cost.loss(&p, &y) - cost.loss(&m, &y)) / 2e-6;
                assert!(
                    (fd - g[idx]).abs() < 1e-8,
                    "{cost:?} {idx}: {fd} vs {}",
                    g[idx]
                );
            }
        }
    }

    #[test]
    fn mse_is_half_the_squared_error_per_sample() {
        let out = DMatrix::from_row_slice(1, 2, &[1.0, 2.0]);
        let y = DMatrix::from_row_slice(1, 2, &[0.0, 0.0]);
        assert_eq!(Cost::Mse.loss(&out, &y), 2.5);
        // Uniform logits: CE = ln C.
        let z = DMatrix::zeros(1, 4);
        let t = DMatrix::from_row_slice(1, 4, &[0.0, 1.0, 0.0, 0.0]);
        assert!((Cost::CrossEntropy.loss(&z, &t) - libm::log(4.0)).abs() < 1e-15);
    }
}
