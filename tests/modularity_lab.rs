//! The modularity lab: its metrics on codes with known answers, and the
//! trained linear autoencoder against the paper's claims (SCIENCE.md §5).

use nalgebra::DMatrix;
use neurogeom::config::LabConfig;
use neurogeom::data::sources::points_from_text;
use neurogeom::data::sources::{generate, SourceKind, SourceSpec};
use neurogeom::labs;
use neurogeom::metrics::modularity as m;
use neurogeom::params::ParamValue;
use neurogeom::rng::Rng;
use neurogeom::run;
use neurogeom::share::parse_link;

fn grid() -> DMatrix<f64> {
    let spec = SourceSpec {
        kind: SourceKind::Grid,
        n_sources: 2,
        leg: 0.0,
        grid_n: 21,
        n_random: 0,
        diagonal_extra: 0,
    };
    generate(&spec, &mut Rng::new(1))
}

/// Codes z = s Aᵀ (+ small positive offsets) for a matrix A of tunings.
fn code(s: &DMatrix<f64>, a: &[[f64; 2]]) -> DMatrix<f64> {
    DMatrix::from_fn(s.nrows(), a.len(), |i, j| {
        a[j][0] * s[(i, 0)] + a[j][1] * s[(i, 1)] + 0.1 * j as f64
    })
}

/// InfoM is 1 for an axis-aligned code and 0 for a code rotated by 45°,
/// and the angle metric reads 0 and π/4.
#[test]
fn infom_axis_aligned_and_rotated() {
    let s = grid();
    let aligned = [[1.0, 0.0], [0.0, 2.0], [0.5, 0.0], [0.0, 0.7]];
    let z = code(&s, &aligned);
    let (im, ic) = m::infom_infoc(&s, &z);
    assert!((im - 1.0).abs() < 1e-12, "InfoM {im}");
    assert!((m::ncmi_infom(&s, &z) - 1.0).abs() < 1e-12);
    // Two latents per source: each source's information is split in half.
    assert!((ic - 1.0 / 3.0).abs() < 1e-9, "InfoC {ic}");
    let tun: Vec<Vec<f64>> = aligned.iter().map(|w| w.to_vec()).collect();
    assert_eq!(m::max_mixing_angle(&tun, &[true; 4]), 0.0);

    let r = std::f64::consts::FRAC_1_SQRT_2;
    let rotated = [[r, r], [r, -r]];
    let z = code(&s, &rotated);
    let (im, _) = m::infom_infoc(&s, &z);
    assert!(im < 0.2, "rotated InfoM {im}");
    assert!(m::ncmi_infom(&s, &z) < 1e-9);
    let tun: Vec<Vec<f64>> = rotated.iter().map(|w| w.to_vec()).collect();
    assert!((m::max_mixing_angle(&tun, &[true; 2]) - std::f64::consts::FRAC_PI_4).abs() < 1e-15);
    // The MLP path: regression slopes recover a linear code's tunings.
    let slopes = m::linear_tuning(&s, &z);
    for (w, a) in slopes.iter().zip(rotated) {
        assert!((w[0] - a[0]).abs() < 1e-12 && (w[1] - a[1]).abs() < 1e-12);
    }
}

/// The paper's linear NCMI, computed from residual sums of squares, equals
/// the closed form r(z, s_i)²/(1 − ρ12²) for two correlated sources.
#[test]
fn linear_ncmi_matches_the_closed_form() {
    let mut rng = Rng::new(5);
    let n = 500;
    let s = DMatrix::from_fn(n, 2, |_, _| rng.normal());
    // Correlate the sources: s2 ← 0.6 s1 + 0.8 s2.
    let s = DMatrix::from_fn(n, 2, |i, k| {
        if k == 0 {
            s[(i, 0)]
        } else {
            0.6 * s[(i, 0)] + 0.8 * s[(i, 1)]
        }
    });
    let z = DMatrix::from_fn(n, 3, |i, j| {
        let (a, b) = [(1.0, 0.3), (0.2, 1.0), (0.5, -0.5)][j];
        a * s[(i, 0)] + b * s[(i, 1)] + 0.3 * rng.normal()
    });
    let col = |x: &DMatrix<f64>, j: usize| x.column(j).iter().copied().collect::<Vec<f64>>();
    let rho = m::correlation(&col(&s, 0), &col(&s, 1));
    let ncmi = m::linear_ncmi(&s, &z);
    let mut checked = 0;
    for i in 0..2 {
        for j in 0..3 {
            let r = m::correlation(&col(&z, j), &col(&s, i));
            let closed = (r * r / (1.0 - rho * rho)).clamp(0.0, 1.0);
            assert!(
                (ncmi[(i, j)] - closed).abs() < 1e-10,
                "{i},{j}: {} vs {closed}",
                ncmi[(i, j)]
            );
            if closed < 1.0 {
                checked += 1;
            }
        }
    }
    assert!(checked >= 3, "too many clipped entries");
    assert!((rho - 0.6).abs() < 0.1);
}

/// Multi-information: 0 for the independent grid, larger for the
/// oversampled diagonal.
#[test]
fn multi_information() {
    assert!(m::normalised_multi_information(&grid()).abs() < 1e-12);
    let spec = SourceSpec {
        kind: SourceKind::Diagonal,
        n_sources: 2,
        leg: 0.0,
        grid_n: 21,
        n_random: 0,
        diagonal_extra: 6,
    };
    let d = generate(&spec, &mut Rng::new(1));
    assert!(m::normalised_multi_information(&d) > 0.03);
}

fn config(fragment: &str) -> LabConfig {
    let parsed = parse_link(fragment);
    let (c, warnings) = labs::check(&parsed.config);
    assert!(warnings.is_empty(), "{warnings:?}");
    c
}

fn run_metrics(fragment: &str) -> (f64, f64, f64) {
    let (snap, _) = run::run_to_end(&config(fragment));
    (
        snap.metric("theory_modular").unwrap(),
        snap.metric("max_mixing_angle").unwrap(),
        snap.metric("theory_margin").unwrap(),
    )
}

/// The paper's claim on the trained linear AE (21 × 21 grid on [0,1]², a
/// triangle corner of leg L cut, seed 1): modular (max mixing angle < 0.03
/// rad) for L ≤ 0.3, mixed (a ≈ 45° neuron) for L ≥ 0.6; the diagonal
/// oversampled stays modular.
#[test]
fn trained_linear_autoencoder_follows_the_theory() {
    for (leg, modular) in [(0.1, true), (0.3, true), (0.6, false), (0.9, false)] {
        let (theory, angle, margin) = run_metrics(&format!(
            "v=1&lab=modularity&seed=1&dist=triangle&leg={leg}&steps=20000"
        ));
        println!("L = {leg}: theory {theory}, margin {margin:.4}, angle {angle:.4}");
        assert_eq!(theory, if modular { 1.0 } else { 0.0 });
        if modular {
            assert!(angle < 0.03, "L = {leg}: angle {angle}");
        } else {
            assert!(
                (angle - std::f64::consts::FRAC_PI_4).abs() < 0.05,
                "L = {leg}: angle {angle}"
            );
        }
    }
    let (theory, angle, _) =
        run_metrics("v=1&lab=modularity&seed=1&dist=diagonal&diag_extra=6&steps=20000");
    println!("diagonal: theory {theory}, angle {angle:.4}");
    assert_eq!(theory, 1.0);
    assert!(angle < 0.03, "diagonal: angle {angle}");
}

/// Hand-drawn points in the link give the same verdict as the same points
/// uploaded as CSV; bad text is a note, not a panic.
#[test]
fn points_in_the_link_and_from_csv_agree() {
    let text = "0.1,0.9;0.4,0.2;0.95,0.05;0.5,0.5;0,0;0.8,0.7;0.2,0.3;1,0.4;0,1;1,1";
    let mut c = config("v=1&lab=modularity&seed=1&dist=points&steps=100");
    c.set("points", ParamValue::Choice(text.into()));
    let (lab, notes) = labs::build(&c);
    assert!(notes.is_empty(), "{notes:?}");
    let snap = run::snapshot(lab.as_ref());
    let csv =
        points_from_text("points.csv", &format!("x,y\n{}\n", text.replace(';', "\n"))).unwrap();
    let cond = m::pairwise_condition(&csv).unwrap();
    assert_eq!(
        snap.metric("theory_modular").unwrap(),
        if cond.modular { 1.0 } else { 0.0 }
    );
    assert_eq!(
        snap.metric("theory_margin").unwrap().to_bits(),
        cond.margin.to_bits()
    );

    for bad in [
        "0.1,0.2",
        "1,2;3,x;5,6",
        "0,0;1,1;2,2",
        "1,2,3,4;1,2,3,4;0,0,0,0",
    ] {
        let mut c = config("v=1&lab=modularity&seed=1&dist=points&steps=10");
        c.set("points", ParamValue::Choice(bad.into()));
        let (mut lab, notes) = labs::build(&c);
        assert!(!notes.is_empty(), "{bad}: no note");
        lab.step(10).unwrap();
        let _ = run::snapshot(lab.as_ref());
    }
}

/// step(a); step(b) gives the same snapshot as step(a + b), for both models
/// and three sources.
#[test]
fn chunking_does_not_change_the_result() {
    for f in [
        "v=1&lab=modularity&seed=2&dist=square&n=200&steps=1500",
        "v=1&lab=modularity&seed=2&dist=band&leg=0.4&model=mlp&steps=1500",
        "v=1&lab=modularity&seed=2&dist=triangle&sources=3&leg=0.5&steps=1500",
    ] {
        let c = config(f);
        let (mut a, _) = labs::build(&c);
        a.step(1500).unwrap();
        let (mut b, _) = labs::build(&c);
        b.step(333).unwrap();
        b.step(1167).unwrap();
        let (sa, sb) = (run::snapshot(a.as_ref()), run::snapshot(b.as_ref()));
        assert_eq!(sa.hash, sb.hash, "{f}");
        for key in [
            "theory_modular",
            "theory_margin",
            "infom",
            "infoc",
            "ncmi_infom",
            "max_mixing_angle",
            "source_correlation",
        ] {
            assert!(sa.metric(key).is_some(), "{f}: no {key}");
        }
    }
}

/// The MLP autoencoder with the paper's set-up (kylehkhsu/modular: small
/// initial weights, energies as means over latents), seed 1: modular on the
/// full 21 × 21 grid and with a small corner cut, mixed with a large one.
/// (From the torch-style initialisation it was mixed even on the grid:
/// most-mixed angle 0.54 rad at the lab's defaults.)
#[test]
fn trained_mlp_autoencoder_follows_the_theory() {
    for (dist, modular) in [
        ("dist=grid", true),
        ("dist=triangle&leg=0.3", true),
        ("dist=triangle&leg=0.9", false),
    ] {
        let f = format!("v=1&lab=modularity&seed=1&model=mlp&{dist}&steps=12000");
        let (snap, _) = run::run_to_end(&config(&f));
        let angle = snap.metric("max_mixing_angle").unwrap();
        let ncmi = snap.metric("ncmi_infom").unwrap();
        println!("MLP {dist}: angle {angle:.4}, NCMI InfoM {ncmi:.3}");
        assert_eq!(
            snap.metric("theory_modular").unwrap(),
            if modular { 1.0 } else { 0.0 }
        );
        if modular {
            assert!(angle < 0.03, "{dist}: angle {angle}");
            assert!(ncmi > 0.95, "{dist}: NCMI InfoM {ncmi}");
        } else {
            assert!(
                (angle - std::f64::consts::FRAC_PI_4).abs() < 0.05,
                "{dist}: angle {angle}"
            );
            assert!(ncmi < 0.8, "{dist}: NCMI InfoM {ncmi}");
        }
    }
}

/// The oracle: the same points given in the link, uploaded as CSV
/// and uploaded as NPY give the same points and the same verdict, bit for
/// bit (the uploads go through the Your-data readers, the link through the
/// lab's parser).
#[test]
fn points_from_link_csv_and_npy_agree() {
    use neurogeom::data::files::npy;
    use neurogeom::data::sources::{format_points, parse_points, points_from_file};
    // A triangle corner cut from a 6 × 6 grid (mixed), and the full grid (modular).
    for keep in [1.2, 2.0] {
        let mut pts = vec![];
        for i in 0..6 {
            for j in 0..6 {
                let (x, y) = (i as f64 * 0.2, j as f64 * 0.2);
                if x + y <= keep + 1e-9 {
                    pts.push([x, y]);
                }
            }
        }
        let link = format_points(&DMatrix::from_fn(pts.len(), 2, |i, k| pts[i][k]));
        let from_link = parse_points(&link).unwrap();
        let csv = format!("s1,s2\n{}\n", link.replace(';', "\n"));
        let from_csv = points_from_file("points.csv", csv.as_bytes()).unwrap();
        let flat: Vec<f64> = (0..from_link.nrows())
            .flat_map(|i| [from_link[(i, 0)], from_link[(i, 1)]])
            .collect();
        let bytes = npy::write(&[from_link.nrows(), 2], &flat, "<f8", false);
        let from_npy = points_from_file("points.npy", &bytes).unwrap();
        assert_eq!(from_csv, from_link);
        assert_eq!(from_npy, from_link);
        assert_eq!(format_points(&from_npy), link);
        // The lab reads the uploaded points as link text (4 decimals): the
        // same verdict and margin, bit for bit, as the theory on each.
        let mut c = config("v=1&lab=modularity&seed=1&dist=points&steps=100");
        c.set("points", ParamValue::Choice(format_points(&from_npy)));
        let (lab, _) = labs::build(&c);
        let snap = run::snapshot(lab.as_ref());
        for x in [&from_link, &from_csv, &from_npy] {
            let cond = m::pairwise_condition(x).unwrap();
            assert_eq!(
                snap.metric("theory_modular").unwrap(),
                if cond.modular { 1.0 } else { 0.0 }
            );
            assert_eq!(
                snap.metric("theory_margin").unwrap().to_bits(),
                cond.margin.to_bits()
            );
        }
        assert_eq!(
            snap.metric("theory_modular").unwrap(),
            if keep > 1.5 { 1.0 } else { 0.0 }
        );
    }
    // Files that are not points say why.
    let cube = npy::write(&[2, 2, 2], &[0.0; 8], "<f8", false);
    assert!(points_from_file("cube.npy", &cube)
        .unwrap_err()
        .contains("N × 2"));
    let wide = npy::write(&[3, 4], &[0.0; 12], "<f8", false);
    assert!(points_from_file("wide.npy", &wide)
        .unwrap_err()
        .contains("4 columns"));
    let nan = npy::write(&[3, 2], &[0.0, 1.0, f64::NAN, 0.0, 1.0, 1.0], "<f8", false);
    assert!(points_from_file("nan.npy", &nan)
        .unwrap_err()
        .contains("row 1"));
    assert!(points_from_file("bin.dat", &[0, 159, 146, 150]).is_err());
}

/// Fewer than 3 hand-drawn points (the point editor's start): shown, with a
/// note, not analysed or trained on, and never a panic.
#[test]
fn too_few_points_are_shown_not_trained() {
    for text in ["", "0.5,0.5", "0.1,0.2;0.3,0.4"] {
        let mut c = config("v=1&lab=modularity&seed=1&dist=points&steps=100");
        c.set("points", ParamValue::Choice(text.into()));
        let (mut lab, notes) = labs::build(&c);
        assert!(
            notes.iter().any(|n| n.contains("point(s) drawn")),
            "{text}: {notes:?}"
        );
        assert!(lab.is_done());
        lab.step(10).unwrap();
        let snap = run::snapshot(lab.as_ref());
        assert!(snap.metric("theory_modular").unwrap().is_nan());
        let n = text.split(';').filter(|s| !s.is_empty()).count();
        match &snap.charts[0].body {
            neurogeom::snapshot::ChartBody::Scatter { series } => assert_eq!(series[0].x.len(), n),
            _ => panic!("the sources chart is a scatter"),
        }
    }
}
