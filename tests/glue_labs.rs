//! GLUE in the labs (issue 19). The capacity lab: its glue_* keys equal the
//! direct GLUE API on the data it analyses, bit for bit, whatever the
//! chunks; the exact identity holds in every layer; the correlated-centres
//! preset shows what its text says. The lazy-rich lab: see the tests at the
//! end of this file.

use neurogeom::config::LabConfig;
use neurogeom::labs::{self, capacity};
use neurogeom::metrics::capacity::glue::{glue, GlueOptions};
use neurogeom::rng::Rng;
use neurogeom::run;
use neurogeom::share::parse_link;
use neurogeom::snapshot::Snapshot;

fn config(fragment: &str) -> LabConfig {
    let parsed = parse_link(fragment);
    assert!(
        parsed.warnings.is_empty(),
        "{fragment}: {:?}",
        parsed.warnings
    );
    parsed.config
}

fn run_fragment(fragment: &str) -> Snapshot {
    run::run_to_end(&config(fragment)).0
}

fn metric(s: &Snapshot, key: &str) -> f64 {
    s.metric(key).unwrap_or_else(|| panic!("no metric {key}"))
}

fn preset(lab: &str, title_start: &str) -> String {
    labs::spec(lab)
        .unwrap()
        .presets
        .into_iter()
        .find(|p| p.title.starts_with(title_start))
        .unwrap_or_else(|| panic!("no preset '{title_start}'"))
        .fragment
}

#[test]
fn capacity_lab_glue_equals_the_direct_api_in_any_chunks() {
    let (p, m, n, r) = (6usize, 20usize, 30usize, 0.7);
    let frag = format!(
        "v=1&lab=capacity&seed=3&task=clouds&classes={p}&samples={m}&dim={n}&radius={r}&centre_corr=0.5&centre_groups=2&depth=1&width=40&steps=400&n_t=30&restarts=2&glue_n_t=50&glue_points=15&glue_labels=balanced&glue_centre=global"
    );
    let whole = run_fragment(&frag);
    let (mut lab, _) = labs::build(&config(&frag));
    for chunk in [1, 3, 11, 2, 97].iter().cycle() {
        if lab.is_done() {
            break;
        }
        lab.step(*chunk).unwrap();
    }
    let chunked = run::snapshot(lab.as_ref());
    assert_eq!(chunked.hash, whole.hash, "chunking changed the result");
    assert!(metric(&whole, "train_steps") > 0.0);

    // The input layer: the lab's documented data streams, then GLUE.
    let mut data = neurogeom::data::manifolds::gaussian_clouds(
        p,
        m,
        n,
        r,
        &mut Rng::fork(3, capacity::STREAM_DATA),
    );
    neurogeom::data::manifolds::correlate_centres(
        &mut data,
        0.5,
        2,
        &mut Rng::fork(3, capacity::STREAM_CENTRES),
    );
    let c = config(&frag);
    let direct = glue(&data, &capacity::glue_options(&c)).unwrap();
    assert_eq!(
        capacity::glue_options(&c),
        GlueOptions {
            n_t: 50,
            max_points: 15,
            labels: neurogeom::metrics::capacity::glue::LabelRule::Balanced,
            centre: neurogeom::metrics::capacity::glue::Centring::Global,
            seed: 3,
        }
    );
    for (key, want) in [
        ("glue_capacity_0", direct.capacity),
        ("glue_radius_0", direct.radius),
        ("glue_dimension_0", direct.dimension),
        ("glue_utility_0", direct.utility),
    ] {
        assert_eq!(metric(&whole, key).to_bits(), want.to_bits(), "{key}");
    }
    // α = Ψ(1 + R⁻²)/D in every layer.
    for l in 0..3 {
        let (a, psi, rr, d) = (
            metric(&whole, &format!("glue_capacity_{l}")),
            metric(&whole, &format!("glue_utility_{l}")),
            metric(&whole, &format!("glue_radius_{l}")),
            metric(&whole, &format!("glue_dimension_{l}")),
        );
        assert!(
            ((psi * (1.0 + 1.0 / (rr * rr)) / d) / a - 1.0).abs() < 1e-12,
            "layer {l}"
        );
    }
    // The chart beside MFTMA is drawn, with both methods at both stages.
    let chart = whole.chart("glue_capacity").expect("the GLUE chart");
    let names: Vec<String> = match &chart.body {
        neurogeom::snapshot::ChartBody::Profile { series, .. } => {
            series.iter().map(|s| s.name.clone()).collect()
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(names.len(), 4, "{names:?}");
    assert!(names.iter().any(|n| n.starts_with("GLUE, step")));
    // Off: no GLUE key, no GLUE chart.
    let off = run_fragment(&format!("{frag}&glue=off"));
    assert!(off.metric("glue_capacity_0").is_none() && off.chart("glue_capacity").is_none());
}

/// The preset's text, number by number: MFTMA ≈ 0.093 with K = 2, GLUE ≈
/// 0.144 ± 0.003, the simulation ≈ 0.153; with ρ = 0 all three within 8%.
#[test]
fn correlated_centres_glue_follows_the_simulation_and_mftma_does_not() {
    let frag = preset("capacity", "Correlated centres");
    let s = run_fragment(&frag);
    let (mftma, g, se, sim) = (
        metric(&s, "capacity_0"),
        metric(&s, "glue_capacity_0"),
        metric(&s, "glue_capacity_se_0"),
        metric(&s, "capacity_sim"),
    );
    println!(
        "ρ = 0.8: MFTMA {mftma:.4} (K {}), GLUE {g:.4} ± {se:.4}, simulated {sim:.4}",
        metric(&s, "k_0")
    );
    assert_eq!(metric(&s, "k_0"), 2.0);
    assert!((mftma - 0.093).abs() < 0.0005, "{mftma}");
    assert!(
        (g - 0.144).abs() < 0.0005 && (se - 0.003).abs() < 0.0006,
        "{g} ± {se}"
    );
    assert!((sim - 0.153).abs() < 0.0005, "{sim}");
    assert!(g > 0.9 * sim && mftma < 0.65 * sim);
    let flat = run_fragment(&frag.replace("centre_corr=0.8", "centre_corr=0"));
    let (mftma, g, sim) = (
        metric(&flat, "capacity_0"),
        metric(&flat, "glue_capacity_0"),
        metric(&flat, "capacity_sim"),
    );
    println!("ρ = 0: MFTMA {mftma:.4}, GLUE {g:.4}, simulated {sim:.4}");
    for x in [mftma, g] {
        assert!((x / sim - 1.0).abs() < 0.08, "{x} against {sim}");
    }
}
