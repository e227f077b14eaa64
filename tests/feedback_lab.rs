//! The feedback lab against the mean-field theory (SCIENCE.md §4), with
//! fixed seeds, at N = 2000 (the lab's largest N; with the multishift
//! eigensolver its spectrum takes a few seconds). Tolerances follow the
//! finite-size spread at N = 2000: an independent numpy simulation over
//! three seeds gave z = 0.369–0.411, top eigenvalue 0.392–0.409 and bulk
//! radius 0.224–0.233 against the theory's 0.4, 0.3876 and 0.2224, and the
//! top eigenvalue rises as z falls below A. Hence z ±8%, radius ±0.015 and
//! outlier ±0.035: this seed lands at z = 0.373 (−6.7%), outlier 0.418
//! (+0.030), radius 0.230, inside the spread of z and on the outlier's
//! trend with z.

use neurogeom::labs::feedback::{spec, Feedback};
use neurogeom::labs::Lab;
use neurogeom::metrics::mean_field::{Geometry, MeanField};
use neurogeom::run::snapshot;
use neurogeom::share::parse_link;
use neurogeom::snapshot::Snapshot;

fn run(fragment: &str) -> Snapshot {
    let parsed = parse_link(fragment);
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    let (config, warnings) = parsed.config.checked_against(&spec());
    assert!(warnings.is_empty(), "{warnings:?}");
    let mut lab = Feedback::new(&config);
    // Chunked stepping, as the page does.
    while !lab.is_done() {
        lab.step(7).unwrap();
    }
    snapshot(&lab)
}

fn metric(s: &Snapshot, key: &str) -> f64 {
    s.metric(key).unwrap_or_else(|| panic!("no metric {key}"))
}

#[test]
fn a_04_matches_mean_field() {
    let theory = MeanField::trained(Geometry::default(), 0.4)
        .unwrap()
        .fixed_points();
    assert_eq!(theory.len(), 1);
    let th = theory[0];
    // z, the top eigenvalue and the bulk radius at N = 2000 (the lab's
    // largest N).
    let s = run("v=1&lab=feedback&seed=3&A=0.4&n=2000&steps=300&inits=1");
    let z = metric(&s, "z_end");
    assert!((z - 0.4).abs() < 0.08 * 0.4, "z = {z}");
    assert_eq!(metric(&s, "basin_target"), 1.0);
    let out = metric(&s, "sim_outlier");
    let rad = metric(&s, "sim_radius");
    assert!(
        (out - th.outlier).abs() < 0.035,
        "outlier {out} vs {}",
        th.outlier
    );
    assert!(
        (rad - th.radius).abs() < 0.015,
        "radius {rad} vs {}",
        th.radius
    );
    assert_eq!(metric(&s, "mf_stable_1"), 1.0);
    assert!((metric(&s, "mf_outlier_1") - 0.3876).abs() < 1e-3);
    assert!((metric(&s, "mf_radius_1") - 0.2224).abs() < 1e-3);
}

#[test]
fn a_minus_06_never_settles_at_the_target() {
    let s = run("v=1&lab=feedback&seed=1&A=-0.6&n=1000&steps=300&inits=8");
    assert_eq!(metric(&s, "basin_target"), 0.0);
    let z = metric(&s, "z_end");
    // SCIENCE.md: +1.49 or ≈ −0.92.
    assert!(
        (z - 1.49).abs() < 0.12 || (z + 0.92).abs() < 0.12,
        "end state z = {z}"
    );
}

#[test]
fn private_feedback_readout_has_a_stable_mirror() {
    let s = run("v=1&lab=feedback&seed=1&A=0.8&p=0&p_m=1&p_i=0&n=500&steps=400&inits=16");
    // Theory: three fixed points, the middle one unstable, a stable mirror.
    assert_eq!(metric(&s, "mf_stable_1"), 1.0);
    assert_eq!(metric(&s, "mf_stable_2"), 0.0);
    assert_eq!(metric(&s, "mf_stable_3"), 1.0);
    let mirror = metric(&s, "mf_z_1");
    assert!(mirror < -0.5);
    // Simulation: two stable fixed points, one near the mirror, one near A;
    // the initial states split between them.
    assert_eq!(metric(&s, "sim_stable_fixed_points"), 2.0);
    let b = metric(&s, "basin_target");
    assert!(b > 0.1 && b < 0.9, "basin {b}");
    let z = metric(&s, "z_end");
    assert!(
        (z - mirror).abs() < 0.1 * mirror.abs() || (z - 0.8).abs() < 0.08,
        "z = {z}"
    );
}

#[test]
fn step_chunks_do_not_change_the_result() {
    let frag = "v=1&lab=feedback&seed=4&A=0.4&n=60&steps=120&inits=3&readout=force&force_steps=120";
    let a = run(frag);
    let parsed = parse_link(frag);
    let (config, _) = parsed.config.checked_against(&spec());
    let mut lab = Feedback::new(&config);
    lab.step(1_000_000).unwrap();
    assert_eq!(a.hash, snapshot(&lab).hash);
}

/// σ_m = 0: no feedback overlap, so C(A) diverges nowhere and A_flex =
/// −σ̂_nI/0 is not a number. It is reported as NaN, never as ±∞ (which JSON
/// cannot carry: the page would read back another number than the core
/// hashed).
#[test]
fn no_feedback_overlap_has_no_a_flex() {
    let s = run("#v=1&lab=feedback&seed=1&sigma_m=0&n=50&steps=10&inits=1");
    assert!(metric(&s, "a_flex").is_nan());
    assert!(s.numbers().iter().all(|x| x.is_finite() || x.is_nan()));
}
