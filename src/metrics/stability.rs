//! Fixed points of a rate network with feedback and their local stability
//! (Rivkind & Barak 2017; Mastrogiuseppe & Ostojic 2019; SCIENCE.md §4).
//!
//! - Fixed points solve F(x) = −x + χφ(x) + m z(x) + I = 0,
//!   z(x) = n·φ(x)/N. They are found by Newton's method with a
//!   backtracking line search on ‖F‖ from many initial states, and
//!   deduplicated (two points are one if ‖x − x'‖/√N < 1e-6).
//! - The Jacobian is −1 + S with S = (χ + m nᵀ/N)·diag(φ'(x*)); the fixed
//!   point is stable iff every Re λ(S) < 1. Eigenvalues come from
//!   [`super::eigen`] (Hessenberg + Francis QR, deterministic).
//! - The spectrum is summarised by its top real part (the outlier when it
//!   lies outside the bulk) and the bulk radius: the largest |λ| once the
//!   eigenvalue with the largest real part (and its conjugate) is removed.

// `!(r < tol)` is deliberate: a NaN residual counts as not converged.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use nalgebra::{DMatrix, DVector};

use super::eigen::eigenvalues;
use crate::nn::rate_rnn::RateNetwork;

/// F(x) = −x + χφ(x) + m z + I.
pub fn residual(net: &RateNetwork, x: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; net.n];
    net.velocity(x, None, &mut out);
    out
}

/// S = (χ + m nᵀ/N)·diag(φ'(x)), row-major N × N.
pub fn s_matrix(net: &RateNetwork, x: &[f64]) -> Vec<f64> {
    let n = net.n;
    let d: Vec<f64> = x
        .iter()
        .map(|v| {
            let t = libm::tanh(*v);
            1.0 - t * t
        })
        .collect();
    let nf = n as f64;
    let mut s = vec![0.0; n * n];
    for i in 0..n {
        let mi = net.m[i] / nf;
        for j in 0..n {
            s[i * n + j] = (net.chi[i * n + j] + mi * net.readout[j]) * d[j];
        }
    }
    s
}

/// ‖v‖₂.
fn norm(v: &[f64]) -> f64 {
    let mut acc = 0.0;
    for x in v {
        acc += x * x;
    }
    libm::sqrt(acc)
}

/// Newton's method on F(x) = 0 from x0, with a backtracking line search
/// that halves the step until ‖F‖ falls. Returns the point and ‖F‖/√N.
pub fn newton(net: &RateNetwork, x0: &[f64], max_iter: usize, tol: f64) -> (Vec<f64>, f64) {
    let n = net.n;
    let sq = libm::sqrt(n as f64);
    let mut x = x0.to_vec();
    let mut f = residual(net, &x);
    let mut fn_ = norm(&f);
    for _ in 0..max_iter {
        if !(fn_ / sq > tol) {
            break;
        }
        let s = s_matrix(net, &x);
        let mut j = DMatrix::from_row_slice(n, n, &s);
        for i in 0..n {
            j[(i, i)] -= 1.0;
        }
        let rhs = DVector::from_iterator(n, f.iter().map(|v| -v));
        let Some(dx) = j.lu().solve(&rhs) else {
            break;
        };
        let mut step = 1.0;
        let mut improved = false;
        for _ in 0..30 {
            let xt: Vec<f64> = x.iter().zip(dx.iter()).map(|(a, b)| a + step * b).collect();
            let ft = residual(net, &xt);
            let nt = norm(&ft);
            if nt < fn_ {
                x = xt;
                f = ft;
                fn_ = nt;
                improved = true;
                break;
            }
            step *= 0.5;
        }
        if !improved {
            break;
        }
    }
    (x, fn_ / sq)
}

/// A fixed point and its stability.
#[derive(Clone, Debug, PartialEq)]
pub struct FoundFixedPoint {
    pub x: Vec<f64>,
    pub z: f64,
    /// ‖F(x)‖/√N.
    pub residual: f64,
    pub spectrum: SpectrumSummary,
}

/// The spectrum of S and its summary.
#[derive(Clone, Debug, PartialEq)]
pub struct SpectrumSummary {
    /// (re, im) of every eigenvalue of S.
    pub eigenvalues: Vec<(f64, f64)>,
    /// max Re λ.
    pub top_re: f64,
    /// Im of that eigenvalue (≥ 0).
    pub top_im: f64,
    /// The bulk radius (see the module doc).
    pub radius: f64,
    /// max Re λ < 1.
    pub stable: bool,
}

/// Summarise eigenvalues (re, im). NaN fields for an empty list.
pub fn summarise(eigs: Vec<(f64, f64)>) -> SpectrumSummary {
    let mut top = (f64::NAN, f64::NAN);
    for &(re, im) in &eigs {
        if top.0.is_nan() || re > top.0 || (re == top.0 && im.abs() > top.1) {
            top = (re, im.abs());
        }
    }
    let mut radius = f64::NAN;
    for &(re, im) in &eigs {
        if re == top.0 && im.abs() == top.1 {
            continue;
        }
        let r = libm::hypot(re, im);
        if radius.is_nan() || r > radius {
            radius = r;
        }
    }
    SpectrumSummary {
        stable: top.0 < 1.0,
        top_re: top.0,
        top_im: top.1,
        radius,
        eigenvalues: eigs,
    }
}

/// The spectrum of S at x; None if the eigensolver fails.
pub fn spectrum(net: &RateNetwork, x: &[f64]) -> Option<SpectrumSummary> {
    eigenvalues(&s_matrix(net, x), net.n).map(summarise)
}

/// Newton from each initial state; the converged points (‖F‖/√N < tol),
/// deduplicated, in ascending z, each with its spectrum.
pub fn find_fixed_points(net: &RateNetwork, inits: &[Vec<f64>], tol: f64) -> Vec<FoundFixedPoint> {
    let sq = libm::sqrt(net.n as f64);
    let mut found: Vec<(Vec<f64>, f64)> = Vec::new();
    for x0 in inits {
        let (x, res) = newton(net, x0, 50, tol);
        if !(res < tol) {
            continue;
        }
        let dup = found.iter().any(|(y, _)| {
            let d: Vec<f64> = x.iter().zip(y).map(|(a, b)| a - b).collect();
            norm(&d) / sq < 1e-6
        });
        if !dup {
            found.push((x, res));
        }
    }
    let mut out: Vec<FoundFixedPoint> = found
        .into_iter()
        .filter_map(|(x, residual)| {
            let spectrum = spectrum(net, &x)?;
            Some(FoundFixedPoint {
                z: net.output(&x),
                x,
                residual,
                spectrum,
            })
        })
        .collect();
    crate::sort::sort_by(&mut out, &|a, b| a.z.total_cmp(&b.z));
    out
}

/// The benchmark workload (docs/benchmarks.md, `cargo xtask bench
/// feedback`): the default network of SCIENCE.md §4 at size n, readout
/// direction u with scale 0.5, and S at a state x ~ N(0, 1), all drawn from
/// `seed`. Row-major n × n.
pub fn bench_matrix(n: usize, seed: u64) -> Vec<f64> {
    let (net, x) = bench_network(n, seed);
    s_matrix(&net, &x)
}

/// The benchmark network and a state x ~ N(0, 1) (see [`bench_matrix`]).
pub fn bench_network(n: usize, seed: u64) -> (RateNetwork, Vec<f64>) {
    use crate::nn::rate_rnn::RateSpec;
    let spec = RateSpec {
        n,
        g: 0.3,
        sigma_m: 1.2,
        sigma_i: 0.5,
        rho: 0.5,
        p: 1.0,
        p_m: 1.0,
        p_i: 0.3,
    };
    let mut rng = crate::rng::Rng::new(seed);
    let mut net = RateNetwork::draw(&spec, &mut rng);
    net.set_readout_scale(0.5);
    let x: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    (net, x)
}

/// A checksum of the spectrum (Σ re + Σ |im|), to compare native and wasm
/// bits; NaN if the solver fails.
pub fn spectrum_checksum(eigs: &Option<Vec<(f64, f64)>>) -> f64 {
    match eigs {
        Some(v) => {
            let mut acc = 0.0;
            for (re, im) in v {
                acc += re + im.abs();
            }
            acc
        }
        None => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::roots::brent;
    use crate::nn::rate_rnn::RateSpec;
    use crate::rng::Rng;

    /// χ = 0, I = 0, m = 1, n = w: every fixed point has x_i = z with
    /// z = w tanh z. For w = 2: z = 0 (S = w·11ᵀ/N has eigenvalue 2,
    /// unstable) and z = ±z* (eigenvalue w(1 − tanh² z*) < 1, stable).
    #[test]
    fn finds_the_fixed_points_of_a_hand_built_network() {
        let n = 4;
        let mut rng = Rng::new(1);
        let spec = RateSpec {
            n,
            g: 0.0,
            sigma_m: 1.0,
            sigma_i: 0.0,
            rho: 1.0,
            p: 0.0,
            p_m: 0.0,
            p_i: 0.0,
        };
        let mut net = RateNetwork::draw(&spec, &mut rng);
        net.m = vec![1.0; n];
        net.input = vec![0.0; n];
        net.readout = vec![2.0; n];
        let zs = brent(|z| 2.0 * libm::tanh(z) - z, 1.0, 3.0, 1e-15).unwrap();
        let inits: Vec<Vec<f64>> = (0..20)
            .map(|_| (0..n).map(|_| 2.0 * rng.normal()).collect())
            .collect();
        let mut inits = inits;
        inits.push(vec![0.01, -0.01, 0.02, 0.0]);
        let fps = find_fixed_points(&net, &inits, 1e-10);
        let z: Vec<f64> = fps.iter().map(|f| f.z).collect();
        assert_eq!(fps.len(), 3, "{z:?}");
        assert!((z[0] + zs).abs() < 1e-9 && z[1].abs() < 1e-9 && (z[2] - zs).abs() < 1e-9);
        let t = libm::tanh(zs);
        let lam = 2.0 * (1.0 - t * t);
        for f in [&fps[0], &fps[2]] {
            assert!(f.spectrum.stable);
            assert!((f.spectrum.top_re - lam).abs() < 1e-9);
        }
        assert!(!fps[1].spectrum.stable);
        assert!((fps[1].spectrum.top_re - 2.0).abs() < 1e-9);
        // The other eigenvalues of a rank-one S are 0.
        assert!(fps[1].spectrum.radius.abs() < 1e-9);
    }

    #[test]
    fn summary_of_a_known_spectrum() {
        let s = summarise(vec![(0.2, 0.1), (0.2, -0.1), (0.9, 0.0), (-0.3, 0.0)]);
        assert_eq!(s.top_re, 0.9);
        assert!((s.radius - 0.3).abs() < 1e-15);
        assert!(s.stable);
        let s = summarise(vec![]);
        assert!(s.top_re.is_nan() && !s.stable);
    }
}
