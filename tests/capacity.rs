//! Oracle tests of MFTMA (SCIENCE.md §3): points against Gardner, balls
//! against the ball formula, centre structure, theory against simulation,
//! determinism and bad input.
//!
//! Tolerances: MFTMA's capacity is a Monte Carlo average over P·n_t Gaussian
//! samples of a per-sample cost f (α = 1/mean f). Its relative standard
//! error is sd(f)/(mean(f)·sqrt(P·n_t)), which each test computes from the
//! exact law of f (by quadrature, independently of the library), and the
//! test allows 4 standard errors plus any stated systematic bias.

use nalgebra::DMatrix;
use neurogeom::metrics::capacity::simulated::{simulated_capacity, SimulatedOptions};
use neurogeom::metrics::capacity::theory::{ball_capacity, gardner_capacity};
use neurogeom::metrics::capacity::{mftma, CapacityError, MftmaJob, MftmaOptions};
use neurogeom::rng::Rng;

fn phi(t: f64) -> f64 {
    (-0.5 * t * t).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// ∫_a^b g(t) φ(t) dt by composite Simpson with n (even) intervals.
fn simpson(a: f64, b: f64, n: usize, g: impl Fn(f64) -> f64) -> f64 {
    let h = (b - a) / n as f64;
    let mut s = g(a) * phi(a) + g(b) * phi(b);
    for i in 1..n {
        let t = a + i as f64 * h;
        s += if !i.is_multiple_of(2) { 4.0 } else { 2.0 } * g(t) * phi(t);
    }
    s * h / 3.0
}

/// Mean and variance of the points' per-sample cost f = max(t + κ, 0)².
fn points_cost_moments(kappa: f64) -> (f64, f64) {
    let m1 = simpson(-kappa, 14.0, 20_000, |t| (t + kappa).powi(2));
    let m2 = simpson(-kappa, 14.0, 20_000, |t| (t + kappa).powi(4));
    (m1, m2 - m1 * m1)
}

/// P tiny manifolds (radius 1e-7 around random unit centres) of M points.
fn point_manifolds(p: usize, m: usize, n: usize, seed: u64) -> Vec<DMatrix<f64>> {
    let mut rng = Rng::new(seed);
    (0..p)
        .map(|_| {
            let c: Vec<f64> = (0..n).map(|_| rng.normal() / (n as f64).sqrt()).collect();
            DMatrix::from_fn(m, n, |_, f| c[f]).map_with_location(|_, _, v| v + 1e-7 * rng.normal())
        })
        .collect()
}

#[test]
fn points_give_two_and_the_gardner_curve() {
    let (p, n_t) = (16, 2500);
    let data = point_manifolds(p, 4, 60, 1);
    for kappa in [0.0, 0.5, 1.0, -0.5] {
        let (mean, var) = points_cost_moments(kappa);
        let want = 1.0 / mean;
        // The library's closed form against the quadrature.
        assert!(
            (gardner_capacity(kappa) - want).abs() < 1e-9 * want,
            "κ = {kappa}"
        );
        let mut opts = MftmaOptions::with_seed(3);
        opts.kappa = kappa;
        opts.n_t = n_t;
        opts.restarts = 3;
        let r = mftma(&data, &opts).unwrap();
        let se = var.sqrt() / mean / ((p * n_t) as f64).sqrt();
        let rel = r.capacity / want - 1.0;
        println!(
            "points κ = {kappa}: α = {:.5}, Gardner {want:.5}, rel. error {rel:+.4}, SE {se:.4}",
            r.capacity
        );
        assert!(
            rel.abs() < 4.0 * se,
            "κ = {kappa}: α = {} vs {want}",
            r.capacity
        );
        assert!(r.radius < 1e-5, "radius {}", r.radius);
    }
}

/// The ball formula's per-sample cost for ‖t_{1:D}‖ = s and t₀ (κ = 0),
/// the regimes of SCIENCE.md §3.
fn ball_cost(r: f64, s: f64, t0: f64) -> f64 {
    if t0 >= r * s {
        0.0
    } else if t0 > -s / r {
        (r * s - t0).powi(2) / (1.0 + r * r)
    } else {
        t0 * t0 + s * s
    }
}

fn chi_pdf(s: f64, d: usize) -> f64 {
    let h = d as f64 / 2.0;
    // Γ(h) for h = 1, 1.5, 2, …: by recurrence from Γ(1) = 1, Γ(½) = √π.
    let mut g = if d.is_multiple_of(2) {
        1.0
    } else {
        std::f64::consts::PI.sqrt()
    };
    let mut x = if d.is_multiple_of(2) { 1.0 } else { 0.5 };
    while x < h - 0.25 {
        g *= x;
        x += 1.0;
    }
    s.powi(d as i32 - 1) * (-0.5 * s * s).exp() / (2f64.powf(h - 1.0) * g)
}

/// E[f] and Var[f] of the ball cost, by a double Simpson rule (t₀ split at
/// the regime boundaries so each piece is smooth).
fn ball_cost_moments(r: f64, d: usize) -> (f64, f64) {
    let (ns, nt): (usize, usize) = (600, 600);
    let smax = (d as f64).sqrt() + 10.0;
    let hs = smax / ns as f64;
    let (mut m1, mut m2) = (0.0, 0.0);
    for i in 0..=ns {
        let s = i as f64 * hs;
        let w = if i == 0 || i == ns {
            1.0
        } else if !i.is_multiple_of(2) {
            4.0
        } else {
            2.0
        };
        let pieces = [(-12.0 - s / r, -s / r), (-s / r, r * s)];
        let mut a1 = 0.0;
        let mut a2 = 0.0;
        for (lo, hi) in pieces {
            if hi > lo {
                a1 += simpson(lo, hi, nt, |t| ball_cost(r, s, t));
                a2 += simpson(lo, hi, nt, |t| ball_cost(r, s, t).powi(2));
            }
        }
        m1 += w * chi_pdf(s, d) * a1;
        m2 += w * chi_pdf(s, d) * a2;
    }
    m1 *= hs / 3.0;
    m2 *= hs / 3.0;
    (m1, m2 - m1 * m1)
}

/// P balls of dimension D and radius R: centre e_μ, points on the sphere in
/// coordinates P + μD … P + μD + D − 1 (all mutually orthogonal). D = 2: a
/// regular M-gon; D = 3: a Fibonacci lattice of M points.
fn ball_manifolds(p: usize, d: usize, m: usize, r: f64) -> Vec<DMatrix<f64>> {
    let n = p + p * d;
    (0..p)
        .map(|mu| {
            DMatrix::from_fn(m, n, |i, f| {
                if f == mu {
                    return 1.0;
                }
                let off = p + mu * d;
                if f < off || f >= off + d {
                    return 0.0;
                }
                let k = f - off;
                let x = i as f64 + 0.5;
                let dir = match d {
                    2 => {
                        let a = 2.0 * std::f64::consts::PI * i as f64 / m as f64 + 0.1 * mu as f64;
                        [a.cos(), a.sin(), 0.0]
                    }
                    _ => {
                        let z = 1.0 - 2.0 * x / m as f64;
                        let rho = (1.0 - z * z).sqrt();
                        let a = std::f64::consts::PI * (3.0 - 5f64.sqrt()) * i as f64;
                        [rho * a.cos(), rho * a.sin(), z]
                    }
                };
                r * dir[k]
            })
        })
        .collect()
}

#[test]
fn balls_match_the_ball_formula() {
    let n_t = 3000;
    let p = 8;
    for &(d, m, r) in &[(2usize, 200usize, 0.5), (2, 200, 1.5), (3, 600, 1.0)] {
        let data = ball_manifolds(p, d, m, r);
        let mut opts = MftmaOptions::with_seed(5);
        opts.n_t = n_t;
        opts.restarts = 3;
        let res = mftma(&data, &opts).unwrap();
        // Per manifold, the radius in units of its (projected) centre norm.
        let mut inv_theory = 0.0;
        let mut se2 = 0.0;
        for mf in &res.manifolds {
            let reff = r / mf.center_norm;
            let a = ball_capacity(0.0, reff, d);
            let (mean, var) = ball_cost_moments(reff, d);
            assert!(
                (1.0 / mean - a).abs() < 1e-6 * a,
                "formula vs quadrature: {a} vs {}",
                1.0 / mean
            );
            inv_theory += 1.0 / a;
            se2 += var / (n_t as f64);
        }
        let theory = 1.0 / (inv_theory / p as f64);
        // SE of mean_μ(1/α_μ), relative.
        let se = (se2.sqrt() / p as f64) / (inv_theory / p as f64);
        let rel = res.capacity / theory - 1.0;
        println!("ball D = {d}, M = {m}, R = {r}: α = {:.5}, formula {theory:.5}, rel. error {rel:+.4}, SE {se:.4}, K = {}", res.capacity, res.k);
        // The sampled hull is inside the ball (a regular 200-gon reaches
        // cos(π/200) = 0.99988 of the radius; the 600-point lattice about
        // 0.995), so the capacity can only be slightly above the formula:
        // allow 4 SE plus 1%.
        assert!(
            rel.abs() < 4.0 * se + 0.01,
            "D = {d}, R = {r}: {} vs {theory}",
            res.capacity
        );
    }
}

#[test]
fn capacity_falls_with_radius_and_dimension() {
    let mut opts = MftmaOptions::with_seed(2);
    opts.n_t = 1000;
    opts.restarts = 2;
    let cap =
        |d: usize, m: usize, r: f64| mftma(&ball_manifolds(6, d, m, r), &opts).unwrap().capacity;
    let (a05, a1, a2) = (cap(2, 100, 0.5), cap(2, 100, 1.0), cap(2, 100, 2.0));
    println!("D = 2: α(R = 0.5, 1, 2) = {a05:.4}, {a1:.4}, {a2:.4}");
    assert!(a05 > a1 && a1 > a2);
    let a3 = cap(3, 400, 1.0);
    println!(
        "R = 1: α(D = 2) = {a1:.4}, α(D = 3) = {a3:.4}; 2/(D+1) = {:.4}, {:.4}",
        2.0 / 3.0,
        0.5
    );
    assert!(a1 > a3);
}

#[test]
fn shared_rank_three_centre_structure_gives_k_three() {
    let (p, n, m) = (20, 200, 6);
    let mut rng = Rng::new(9);
    // Three shared directions with strong random loadings, plus an
    // independent part per centre.
    let shared: Vec<Vec<f64>> = (0..3)
        .map(|_| (0..n).map(|_| rng.normal()).collect())
        .collect();
    let data: Vec<DMatrix<f64>> = (0..p)
        .map(|_| {
            let load: Vec<f64> = (0..3).map(|_| 3.0 * rng.normal()).collect();
            let own: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
            let c: Vec<f64> = (0..n)
                .map(|f| own[f] + (0..3).map(|k| load[k] * shared[k][f]).sum::<f64>())
                .collect();
            DMatrix::from_fn(m, n, |_, f| c[f]).map(|v| v + 0.3 * rng.normal())
        })
        .collect();
    let mut opts = MftmaOptions::with_seed(4);
    opts.n_t = 50;
    let r = mftma(&data, &opts).unwrap();
    println!(
        "ρ_c = {:.4}, K = {}, residual by K = {:?}",
        r.center_correlation, r.k, r.residual_by_k
    );
    assert_eq!(r.k, 3);
    assert!(r.residual_correlation < 0.5 * r.center_correlation);
    assert!(r.residual_by_k[2] < r.residual_by_k[1] && r.residual_by_k[1] < r.residual_by_k[0]);
}

#[test]
fn theory_agrees_with_simulation() {
    // Well-sampled low-dimensional manifolds: P discs (D = 2) of radius 1
    // with M = 40 points each, random centres in N = 150.
    let (p, n) = (30, 150);
    let mut rng = Rng::new(12);
    let data = neurogeom::data::manifolds::spheres(p, 40, n, 2, 1.0, &mut rng);
    let mut opts = MftmaOptions::with_seed(1);
    opts.n_t = 500;
    opts.restarts = 3;
    let theory = mftma(&data, &opts).unwrap();
    let sim = simulated_capacity(
        &data,
        &SimulatedOptions {
            repetitions: 40,
            seed: 2,
            ..Default::default()
        },
    )
    .unwrap();
    let rel = sim.capacity / theory.capacity - 1.0;
    println!(
        "theory α = {:.4}, simulated α = {:.4} (N_c = {:.2}), rel. {rel:+.3}; curve {:?}",
        theory.capacity, sim.capacity, sim.critical_dim, sim.curve
    );
    assert!(rel.abs() < 0.10);
}

#[test]
fn chunked_job_equals_one_call_and_reports_progress() {
    let mut rng = Rng::new(3);
    let data = neurogeom::data::manifolds::gaussian_clouds(6, 12, 30, 0.8, &mut rng);
    let mut opts = MftmaOptions::with_seed(8);
    opts.n_t = 80;
    let once = mftma(&data, &opts).unwrap();
    let mut job = MftmaJob::new(&data, &opts).unwrap();
    let mut last = 0;
    while !job.advance(1).unwrap() {
        let pr = job.progress();
        assert!(pr.done > last && pr.done <= pr.total);
        last = pr.done;
    }
    let chunked = job.result().unwrap();
    assert_eq!(format!("{once:?}"), format!("{chunked:?}"));
    assert_eq!(job.progress().fraction(), 1.0);
    // A different seed changes the numbers.
    let other = mftma(
        &data,
        &MftmaOptions {
            seed: 9,
            ..opts.clone()
        },
    )
    .unwrap();
    assert_ne!(other.capacity.to_bits(), once.capacity.to_bits());
}

#[test]
fn bad_input_is_a_clear_error() {
    let ok = DMatrix::from_fn(3, 4, |i, j| (i * 4 + j) as f64);
    let opts = MftmaOptions::default();
    assert_eq!(
        mftma(std::slice::from_ref(&ok), &opts).unwrap_err(),
        CapacityError::TooFewManifolds(1)
    );
    let one_point = DMatrix::from_element(1, 4, 1.0);
    assert!(matches!(
        mftma(&[ok.clone(), one_point], &opts).unwrap_err(),
        CapacityError::TooFewPoints {
            manifold: 1,
            points: 1
        }
    ));
    let mut nan = ok.clone();
    nan[(1, 1)] = f64::NAN;
    let e = mftma(&[ok.clone(), nan], &opts).unwrap_err();
    assert_eq!(e, CapacityError::NotFinite { manifold: 1 });
    assert!(e.to_string().contains("NaN"));
    let narrow = DMatrix::from_element(3, 2, 1.0);
    assert!(matches!(
        mftma(&[ok.clone(), narrow], &opts).unwrap_err(),
        CapacityError::FeatureMismatch { .. }
    ));
    let bad = MftmaOptions {
        n_t: 0,
        ..Default::default()
    };
    assert!(matches!(
        mftma(&[ok.clone(), ok.clone() * 2.0], &bad).unwrap_err(),
        CapacityError::BadOption(_)
    ));
    // Two identical manifolds: both centres at the global mean.
    let e = mftma(&[ok.clone(), ok.clone()], &opts).unwrap_err();
    assert!(matches!(e, CapacityError::ZeroCenter { .. }), "{e:?}");
}
