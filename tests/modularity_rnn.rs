//! The modularity lab's recurrent models: the metrics they add, checked on
//! codes with known answers (SCIENCE.md §5; Dorrell, Hsu, …, Whittington,
//! ICLR 2025), and their presets' claims.

use nalgebra::DMatrix;
use neurogeom::metrics::modularity as m;
use neurogeom::rng::Rng;

/// Two Gaussian sources with correlation ρ (s2 = ρ s1 + √(1 − ρ²) n).
fn correlated(rho: f64, n: usize, seed: u64) -> DMatrix<f64> {
    let mut rng = Rng::new(seed);
    let a: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    let b: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    let c = (1.0 - rho * rho).sqrt();
    DMatrix::from_fn(
        n,
        2,
        |i, k| if k == 0 { a[i] } else { rho * a[i] + c * b[i] },
    )
}

/// A modular code of correlated sources scores 1 − 2ρ² (ρ the sample
/// correlation) on the linear conditional InfoM with NCMI clipped at 1,
/// and 0 once ρ² ≥ ½; a modular code with extra units tuned to the same
/// sources scores the same.
#[test]
fn the_ceiling_of_a_modular_code() {
    for (rho, seed) in [(0.0, 1), (0.3, 2), (0.6, 3), (0.8, 4)] {
        let s = correlated(rho, 3000, seed);
        let col = |k: usize| s.column(k).iter().copied().collect::<Vec<f64>>();
        let r = m::correlation(&col(0), &col(1));
        let want = (1.0 - 2.0 * r * r).max(0.0);
        let got = m::ncmi_infom_ceiling(&s);
        assert!((got - want).abs() < 1e-10, "ρ = {r}: {got} vs {want}");
        // Units: 2 s1 + 1, s2, 0.5 s1 (each on one source).
        let z = DMatrix::from_fn(s.nrows(), 3, |i, j| match j {
            0 => 2.0 * s[(i, 0)] + 1.0,
            1 => s[(i, 1)],
            _ => 0.5 * s[(i, 0)],
        });
        assert!((m::ncmi_infom(&s, &z) - want).abs() < 1e-10);
        // The unclipped closed form 2/(1 + ρ²) − 1 is what the ratio of
        // r² terms gives: (1/(1 − ρ²)) / ((1 + ρ²)/(1 − ρ²)) = 1/(1 + ρ²).
        let unclipped = 2.0 / (1.0 + r * r) - 1.0;
        assert!(unclipped >= got - 1e-12);
    }
}

/// numpy's 'auto' bins: for 0, 1, …, 99, Sturges' width 99/(log₂100 + 1)
/// beats Freedman–Diaconis' 2·49.5·100^(−1/3), giving ⌈7.64⌉ = 8 bins
/// (np.histogram(np.arange(100), bins='auto') has 8); digitize codes run
/// 1..=8, the maximum in the last bin.
#[test]
fn auto_bins_follow_numpy() {
    let x: Vec<f64> = (0..100).map(|i| i as f64).collect();
    let c = m::auto_bin_codes(&x);
    assert_eq!(c[0], 1);
    assert_eq!(c[99], 8);
    let mut distinct = c.clone();
    distinct.dedup();
    assert_eq!(distinct, (1..=8).collect::<Vec<_>>());
    // Bin width 99/8: 0..12 in bin 1, 13 starts bin 2 (12.375 · 1 < 13).
    assert_eq!(c[12], 1);
    assert_eq!(c[13], 2);
}

/// Multi-information: ≈ 0 for independent sources, exactly ½ when one
/// source is a copy of the other (H(s1) + H(s2) − H(s) = H over 2H), and
/// in between for correlated ones.
#[test]
fn multi_information_auto_bins() {
    let mut rng = Rng::new(9);
    let n = 4000;
    let ind = DMatrix::from_fn(n, 2, |_, _| rng.uniform());
    let mi0 = m::multi_information_auto_bins(&ind);
    assert!(mi0 < 0.03, "{mi0}");
    let copy = DMatrix::from_fn(n, 2, |i, _| ind[(i, 0)]);
    assert!((m::multi_information_auto_bins(&copy) - 0.5).abs() < 1e-12);
    let mid = m::multi_information_auto_bins(&correlated(0.8, n, 3));
    // Gaussian sources, ρ = 0.8: I = −½ln(1 − ρ²) ≈ 0.51 nats against
    // binned entropies of ≈ 3.2 nats each (bins of ≈ 0.17σ).
    assert!(mid > 0.06 && mid < 0.12, "{mid}");
}

/// The preset with this title, run to its end (seed 1).
fn preset_run(title: &str) -> neurogeom::snapshot::Snapshot {
    let spec = neurogeom::labs::spec("modularity").unwrap();
    let p = spec
        .presets
        .iter()
        .find(|p| p.title == title)
        .unwrap_or_else(|| panic!("no preset '{title}'"));
    let parsed = neurogeom::share::parse_link(&p.fragment);
    let (config, warnings) = neurogeom::labs::check(&parsed.config);
    assert!(warnings.is_empty(), "{warnings:?}");
    neurogeom::run::run_to_end(&config).0
}

/// `value` rounds to `stated` at its printed precision (2 decimals).
fn says(snap: &neurogeom::snapshot::Snapshot, key: &str, stated: f64) {
    let v = snap
        .metric(key)
        .unwrap_or_else(|| panic!("no metric {key}"));
    assert!(
        (v - stated).abs() <= 0.005 + 1e-12,
        "{key}: the text says {stated}, the run gives {v}"
    );
}

/// The frequency RNN presets' numbers: the two pairs whose Lissajous
/// curve fills the square are modular (theory and network), the harmonic
/// pair mixes, linear and ReLU.
#[test]
fn frequency_presets_state_their_runs() {
    let s = preset_run("RNN, (2π, e): one rhythm per neuron");
    says(&s, "freq_modularity", 0.95);
    assert_eq!(s.metric("theory_modular"), Some(1.0));
    let s = preset_run("RNN, (2, 5): one rhythm per neuron");
    says(&s, "freq_modularity", 0.88);
    assert_eq!(s.metric("theory_modular"), Some(1.0));
    let s = preset_run("RNN, the harmonic pair (2, 4) mixes");
    says(&s, "freq_modularity", 0.42);
    says(&s, "theory_margin", -0.56);
    assert_eq!(s.metric("theory_modular"), Some(0.0));
    let s = preset_run("ReLU RNN, the harmonic pair (2, 4)");
    says(&s, "freq_modularity", 0.49);
    assert_eq!(s.metric("theory_modular"), Some(0.0));
}

/// The teacher–student presets' numbers.
#[test]
fn teacher_presets_state_their_runs() {
    let s = preset_run("Teacher–student RNN: square sources");
    says(&s, "source_correlation", -0.01);
    says(&s, "source_mi", 0.01);
    says(&s, "ncmi_infom", 0.83);
    assert_eq!(s.metric("theory_modular"), Some(1.0));
    let s = preset_run("Teacher–student RNN: a band cuts two corners");
    says(&s, "source_correlation", 0.79);
    says(&s, "source_mi", 0.11);
    says(&s, "theory_margin", -1.03);
    assert_eq!(s.metric("theory_modular"), Some(0.0));
    says(&s, "ncmi_infom", 0.08);
    assert_eq!(s.metric("ncmi_ceiling"), Some(0.0));
    says(&s, "ncmi_ceiling_unclipped", 0.23);
    let s = preset_run("Teacher–student RNN: both diagonals oversampled");
    says(&s, "source_mi", 0.15);
    says(&s, "source_correlation", -0.02);
    assert_eq!(s.metric("theory_modular"), Some(1.0));
    says(&s, "ncmi_infom", 0.82);
}

/// The entorhinal presets' numbers, the pinned run's and the sweep's.
#[test]
fn entorhinal_presets_state_their_runs() {
    let random = preset_run("Entorhinal model: the reward anywhere");
    says(&random, "accuracy", 1.0);
    says(&random, "source_mi", 0.0);
    says(&random, "ncmi_infom", 0.65);
    let fixed = preset_run("Entorhinal model: a fixed reward, against a moving one");
    says(&fixed, "source_mi", 0.31);
    says(&fixed, "accuracy", 1.0);
    says(&fixed, "ncmi_infom", 0.58);
    // The pinned run is the first preset's.
    let spec = neurogeom::labs::spec("modularity").unwrap();
    let p = spec
        .presets
        .iter()
        .find(|p| p.title == "Entorhinal model: a fixed reward, against a moving one")
        .unwrap();
    let pin = neurogeom::share::parse_link(&p.fragment)
        .pin
        .expect("a pinned run");
    let pinned = neurogeom::share::parse_link(&pin);
    let (config, _) = neurogeom::labs::check(&pinned.config);
    assert_eq!(neurogeom::run::run_to_end(&config).0.hash, random.hash);
    // The sweep: one run per share, the first the reward-anywhere run.
    let p = spec
        .presets
        .iter()
        .find(|p| p.title == "Entorhinal model: sweep the fixed-reward share")
        .unwrap();
    let parsed = neurogeom::share::parse_link(&p.fragment);
    let (base, _) = neurogeom::labs::check(&parsed.config);
    let configs = parsed.sweep.expect("a sweep").configs(&base).unwrap();
    let stated = [0.65, 0.70, 0.69, 0.63, 0.58];
    assert_eq!(configs.len(), stated.len());
    for (i, (c, s)) in configs.iter().zip(stated).enumerate() {
        let snap = neurogeom::run::run_to_end(c).0;
        says(&snap, "ncmi_infom", s);
        if i == 0 {
            assert_eq!(snap.hash, random.hash);
        }
        if i == 4 {
            assert_eq!(snap.hash, fixed.hash);
        }
        if i == 3 {
            says(&snap, "accuracy", 0.96);
        }
    }
}
