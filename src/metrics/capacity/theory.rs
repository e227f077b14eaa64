//! Closed-form capacities that MFTMA must reproduce (SCIENCE.md §3 oracles).
//!
//! - Points (Gardner 1988): α₀(κ)⁻¹ = ∫_{−κ}^{∞} Dt (t + κ)²
//!   = (1 + κ²) Φ(κ) + κ φ(κ), with φ, Φ the standard normal density and
//!   distribution. α₀(0) = 2.
//! - D-dimensional L2 balls of radius R (Chung, Lee & Sompolinsky, PRE 2016),
//!   with s ~ χ_D and t₀ ~ N(0, 1):
//!
//!   ```text
//!   α_B⁻¹(κ, R, D) = E_s[ ∫_{κ−s/R}^{κ+Rs} Dt₀ (κ + Rs − t₀)² / (1 + R²)
//!                       + ∫_{−∞}^{κ−s/R} Dt₀ ((t₀ − κ)² + s²) ]
//!   ```
//!
//!   The inner integrals are Gaussian moments in closed form; the
//!   expectation over s uses composite Simpson on [0, √D + 14] (the χ_D
//!   density is below 1e-40 beyond) with 4000 intervals. R = 0 is the points
//!   formula; at R = 1 and κ = 0 the value is exactly 2/(D + 1).

// NaN-aware comparisons (`!(x > 0.0)` is true for NaN) are deliberate here.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

/// Standard normal density φ(x).
pub fn normal_pdf(x: f64) -> f64 {
    libm::exp(-0.5 * x * x) / libm::sqrt(2.0 * core::f64::consts::PI)
}

/// Standard normal distribution Φ(x).
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / core::f64::consts::SQRT_2)
}

/// ∫_a^b Dt (c − t)² in closed form (a may be −∞, b may be +∞).
fn gauss_square(a: f64, b: f64, c: f64) -> f64 {
    let (pa, pb) = (normal_pdf(a), normal_pdf(b));
    let m0 = normal_cdf(b) - normal_cdf(a);
    let m1 = pa - pb;
    let ta = if a.is_finite() { a * pa } else { 0.0 };
    let tb = if b.is_finite() { b * pb } else { 0.0 };
    let m2 = m0 + ta - tb;
    c * c * m0 - 2.0 * c * m1 + m2
}

/// Gardner's capacity of points at margin κ: 1 / ((1 + κ²)Φ(κ) + κφ(κ)).
pub fn gardner_capacity(kappa: f64) -> f64 {
    1.0 / ((1.0 + kappa * kappa) * normal_cdf(kappa) + kappa * normal_pdf(kappa))
}

/// The ball formula's integrand over s: the inverse capacity given ‖s‖ = s.
fn ball_inverse_given_s(kappa: f64, r: f64, s: f64) -> f64 {
    let split = kappa - s / r;
    let touching = gauss_square(split, kappa + r * s, kappa + r * s) / (1.0 + r * r);
    let embedded = gauss_square(f64::NEG_INFINITY, split, kappa) + s * s * normal_cdf(split);
    touching + embedded
}

/// The χ_D density at s.
fn chi_pdf(s: f64, d: usize) -> f64 {
    if s <= 0.0 {
        return if d == 1 {
            libm::sqrt(2.0 / core::f64::consts::PI)
        } else {
            0.0
        };
    }
    let h = 0.5 * d as f64;
    let log = (d as f64 - 1.0) * libm::log(s)
        - 0.5 * s * s
        - (h - 1.0) * core::f64::consts::LN_2
        - libm::lgamma(h);
    libm::exp(log)
}

/// Capacity α_B(κ, R, D) of D-dimensional L2 balls of radius R (relative to
/// the centre's norm). NaN for negative or non-finite R, or D = 0 with
/// R > 0 (D = 0 or R = 0 is the points formula).
pub fn ball_capacity(kappa: f64, radius: f64, dim: usize) -> f64 {
    if !(radius >= 0.0) || !radius.is_finite() || !kappa.is_finite() {
        return f64::NAN;
    }
    if radius == 0.0 || dim == 0 {
        return gardner_capacity(kappa);
    }
    let hi = libm::sqrt(dim as f64) + 14.0;
    let n = 4000;
    let h = hi / n as f64;
    let mut sum = 0.0;
    for i in 0..=n {
        let s = i as f64 * h;
        let w = if i == 0 || i == n {
            1.0
        } else if i % 2 == 1 {
            4.0
        } else {
            2.0
        };
        sum += w * chi_pdf(s, dim) * ball_inverse_given_s(kappa, radius, s);
    }
    1.0 / (sum * h / 3.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gardner_at_zero_is_two() {
        assert!((gardner_capacity(0.0) - 2.0).abs() < 1e-15);
    }

    #[test]
    fn ball_at_unit_radius_is_two_over_d_plus_one() {
        for d in [1, 2, 3, 5, 10, 50] {
            let a = ball_capacity(0.0, 1.0, d);
            let want = 2.0 / (d as f64 + 1.0);
            assert!((a - want).abs() < 1e-9 * want, "D = {d}: {a} vs {want}");
        }
    }

    #[test]
    fn ball_falls_with_radius_and_dimension_and_tends_to_points() {
        assert!((ball_capacity(0.0, 1e-9, 3) - 2.0).abs() < 1e-6);
        let mut last = f64::INFINITY;
        for r in [0.1, 0.3, 1.0, 3.0] {
            let a = ball_capacity(0.0, r, 4);
            assert!(a < last);
            last = a;
        }
        let mut last = f64::INFINITY;
        for d in [1, 2, 4, 8] {
            let a = ball_capacity(0.0, 0.5, d);
            assert!(a < last);
            last = a;
        }
    }
}
