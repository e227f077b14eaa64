//! The capacity lab: Cohen et al. 2020's claim on the UCI digits with a
//! fixed seed, the lab's numbers against direct calls of the MFTMA API on
//! points built along another path, and the theory checks of its presets
//! (simulation, Gardner, ball formula). SCIENCE.md §3.

use nalgebra::DMatrix;
use neurogeom::config::LabConfig;
use neurogeom::labs::{self, capacity, Lab};
use neurogeom::metrics::capacity::simulated::{simulated_capacity, SimulatedOptions};
use neurogeom::metrics::capacity::{mftma, MftmaOptions};
use neurogeom::rng::Rng;
use neurogeom::run;
use neurogeom::share::parse_link;
use neurogeom::snapshot::Snapshot;

fn config(fragment: &str) -> LabConfig {
    let parsed = parse_link(fragment);
    let (c, warnings) = labs::check(&parsed.config);
    assert!(warnings.is_empty(), "{fragment}: {warnings:?}");
    c
}

fn run_fragment(fragment: &str) -> Snapshot {
    let (s, warnings) = run::run_to_end(&config(fragment));
    assert!(warnings.is_empty(), "{fragment}: {warnings:?}");
    assert!(s.done && s.stopped.is_none(), "{fragment}: {:?}", s.stopped);
    s
}

fn metric(s: &Snapshot, key: &str) -> f64 {
    s.metric(key).unwrap_or_else(|| panic!("no metric {key}"))
}

fn preset(title_start: &str) -> String {
    capacity::spec()
        .presets
        .into_iter()
        .find(|p| p.title.starts_with(title_start))
        .unwrap_or_else(|| panic!("no preset {title_start}"))
        .fragment
}

#[test]
fn digits_training_raises_the_capacity_of_the_last_hidden_layer() {
    let s = run_fragment(&preset("Digits"));
    let (input, h2, h2_init) = (
        metric(&s, "capacity_0"),
        metric(&s, "capacity_2"),
        metric(&s, "capacity_init_2"),
    );
    for l in 0..4 {
        println!(
            "layer {l}: α {:.4} (untrained {:.4}), R {:.4}, D {:.3}, ρ_c {:.4}, K {}",
            metric(&s, &format!("capacity_{l}")),
            metric(&s, &format!("capacity_init_{l}")),
            metric(&s, &format!("radius_{l}")),
            metric(&s, &format!("dimension_{l}")),
            metric(&s, &format!("center_corr_{l}")),
            metric(&s, &format!("k_{l}")),
        );
    }
    // The untrained network sees the same input.
    assert_eq!(metric(&s, "capacity_init_0").to_bits(), input.to_bits());
    assert!(h2 > 1.2 * input, "last hidden α {h2} vs input {input}");
    assert!(
        h2 > 1.2 * h2_init,
        "last hidden α {h2} vs untrained {h2_init}"
    );
    // Cohen 2020: capacity rises with depth, dimension falls.
    assert!(metric(&s, "capacity_1") > input && metric(&s, "capacity_3") > h2);
    assert!(metric(&s, "dimension_2") < metric(&s, "dimension_0"));
    assert!(metric(&s, "radius_2") < metric(&s, "radius_0"));
    assert!(metric(&s, "loss") < 0.3);
}

/// The self-supervised preset (InfoNCE on two views of each digit, no
/// labels) against the supervised one it pins, same seed. What was found
/// with seed 1 (n_t = 50), and is asserted here as found:
/// - the untrained network is the same in both runs (bit for bit);
/// - the embedding (the output layer) gains capacity over the untrained
///   network;
/// - the last hidden layer is measurably changed (its radius grows and its
///   dimension falls), but its capacity stays at the untrained value,
///   below the input's and far below what supervised training reaches.
#[test]
fn self_supervised_digits_against_supervised() {
    let frag = preset("Digits: self-supervised");
    let parsed = parse_link(&frag);
    let pinned = parsed
        .pin
        .clone()
        .expect("the preset pins the supervised run");
    assert_eq!(pinned, preset("Digits: capacity rises"));
    let c = config(&frag);
    let mut lab = capacity::CapacityLab::new(&c);
    while !lab.is_done() {
        lab.step(500).unwrap();
    }
    let s = run::snapshot(&lab);
    assert!(s.done && s.stopped.is_none());
    let sup = run_fragment(&pinned);
    let last = lab.stages() - 1;
    for l in 0..4 {
        let (a, a0) = (lab.result(last, l).unwrap(), lab.result(0, l).unwrap());
        println!(
            "layer {l}: InfoNCE α {:.4} R {:.4} D {:.3} | untrained α {:.4} R {:.4} D {:.3} | supervised α {:.4}",
            a.capacity, a.radius, a.dimension, a0.capacity, a0.radius, a0.dimension,
            metric(&sup, &format!("capacity_{l}"))
        );
        assert_eq!(
            metric(&s, &format!("capacity_init_{l}")).to_bits(),
            metric(&sup, &format!("capacity_init_{l}")).to_bits(),
            "layer {l}: the untrained stage differs between objectives"
        );
    }
    let (h2, h2_0) = (lab.result(last, 2).unwrap(), lab.result(0, 2).unwrap());
    let (out, out_0) = (lab.result(last, 3).unwrap(), lab.result(0, 3).unwrap());
    let input = metric(&s, "capacity_0");
    // The embedding separates the classes better than at init.
    assert!(
        out.capacity > 1.2 * out_0.capacity,
        "{} vs {}",
        out.capacity,
        out_0.capacity
    );
    // The last hidden layer moved: its radius grows by > 5 % (0.946 →
    // 1.014) and its dimension falls by > 5 % (7.83 → 7.21), two changes
    // that cancel in α (0.2376 → 0.2382).
    assert!(
        h2.radius > 1.05 * h2_0.radius,
        "{} vs {}",
        h2.radius,
        h2_0.radius
    );
    assert!(
        h2.dimension < 0.95 * h2_0.dimension,
        "{} vs {}",
        h2.dimension,
        h2_0.dimension
    );
    // Its capacity does not rise above the input's (found, not forced) and
    // stays far below the supervised network's.
    assert!(h2.capacity < input, "{} vs input {input}", h2.capacity);
    assert!(h2.capacity < 0.75 * metric(&sup, "capacity_2"));
    // The loss is InfoNCE's, below log B = log 64 of random embeddings.
    assert!(metric(&s, "loss") < 0.6 * 64f64.ln());
}

/// The lab run in uneven chunks equals a direct MFTMA call on clouds drawn
/// here from the lab's documented data stream, in the input and (rebuilt by
/// hand, not through `Mlp::forward`) in the first hidden layer.
#[test]
fn lab_numbers_equal_direct_mftma_calls() {
    let (p, m, n, r, width) = (6usize, 20usize, 30usize, 0.7, 40usize);
    let frag = format!(
        "v=1&lab=capacity&seed=3&task=clouds&classes={p}&samples={m}&dim={n}&radius={r}&depth=1&width={width}&steps=180&n_t=60&restarts=2&glue=off"
    );
    let c = config(&frag);
    let (mut lab, _) = labs::build(&c);
    lab.step(1).unwrap();
    lab.step(7).unwrap();
    while !lab.is_done() {
        lab.step(5).unwrap();
    }
    assert_eq!(lab.steps_done(), lab.total_steps());
    let s = run::snapshot(lab.as_ref());
    assert_eq!(
        s.hash,
        run_fragment(&frag).hash,
        "chunking changed the result"
    );

    let data = neurogeom::data::manifolds::gaussian_clouds(
        p,
        m,
        n,
        r,
        &mut Rng::fork(3, capacity::STREAM_DATA),
    );
    let opts = MftmaOptions {
        n_t: 60,
        restarts: 2,
        ..MftmaOptions::with_seed(3)
    };
    let direct = mftma(&data, &opts).unwrap();
    assert_eq!(
        metric(&s, "capacity_0").to_bits(),
        direct.capacity.to_bits()
    );
    assert_eq!(metric(&s, "radius_0").to_bits(), direct.radius.to_bits());
    assert_eq!(
        metric(&s, "dimension_0").to_bits(),
        direct.dimension.to_bits()
    );
    assert_eq!(
        metric(&s, "center_corr_0").to_bits(),
        direct.center_correlation.to_bits()
    );
    assert_eq!(metric(&s, "k_0"), direct.k as f64);

    // Hidden layer 1 by hand: h = relu(x·√N · W / √N + 0) = relu(x·W),
    // W ~ N(0, 2) drawn row-major from the init stream.
    let mut rng = Rng::fork(3, capacity::STREAM_INIT);
    let w = {
        let mut w = DMatrix::zeros(n, width);
        for i in 0..n {
            for j in 0..width {
                w[(i, j)] = 2f64.sqrt() * rng.normal();
            }
        }
        w
    };
    let hidden: Vec<DMatrix<f64>> = data
        .iter()
        .map(|x| {
            DMatrix::from_fn(m, width, |i, j| {
                let mut a = 0.0;
                for f in 0..n {
                    a += x[(i, f)] * w[(f, j)];
                }
                a.max(0.0)
            })
        })
        .collect();
    let direct_h = mftma(&hidden, &opts).unwrap();
    let rel = |a: f64, b: f64| (a - b).abs() / b.abs();
    println!(
        "h1: lab α {:.6}, direct {:.6}",
        metric(&s, "capacity_1"),
        direct_h.capacity
    );
    assert!(rel(metric(&s, "capacity_1"), direct_h.capacity) < 1e-6);
    assert!(rel(metric(&s, "radius_1"), direct_h.radius) < 1e-6);
    assert!(rel(metric(&s, "dimension_1"), direct_h.dimension) < 1e-6);
    assert_eq!(metric(&s, "k_1"), direct_h.k as f64);
}

#[test]
fn theory_agrees_with_simulation_on_the_preset() {
    let s = run_fragment(&preset("Theory against simulation"));
    let (theory, sim) = (metric(&s, "capacity_theory"), metric(&s, "capacity_sim"));
    let ball = metric(&s, "capacity_formula");
    println!("MFTMA α {theory:.4}, simulated {sim:.4}, ball formula {ball:.4}");
    assert!((sim / theory - 1.0).abs() < 0.10);
    assert!(s.chart("theory_sim").is_some());
    // The simulation runs one separability check per lab step: in uneven
    // chunks the result is the same, and equals a one-call
    // `simulated_capacity` on the lab's data (drawn here from its stream).
    let c = config(&preset("Theory against simulation"));
    let (mut lab, _) = labs::build(&c);
    let mut i = 0;
    while !lab.is_done() {
        lab.step([1, 7, 40, 3][i % 4]).unwrap();
        i += 1;
    }
    assert_eq!(run::snapshot(lab.as_ref()).hash, s.hash);
    let data = neurogeom::data::manifolds::spheres(
        30,
        40,
        150,
        2,
        1.0,
        &mut Rng::fork(1, capacity::STREAM_DATA),
    );
    let direct = simulated_capacity(
        &data,
        &SimulatedOptions {
            repetitions: 30,
            seed: 1,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(sim.to_bits(), direct.capacity.to_bits());
}

#[test]
fn points_and_spheres_match_the_formulas() {
    // Points at κ = 0.5: Gardner α₀ = 1/((1 + κ²)Φ(κ) + κφ(κ)) = 0.9612.
    let s = run_fragment(&preset("Points"));
    let (a, f) = (metric(&s, "capacity_0"), metric(&s, "capacity_formula"));
    println!("points: α {a:.4}, Gardner {f:.4}");
    assert!((f - 0.961_2).abs() < 1e-3);
    // n_t = 1000: the Monte Carlo error of 1/α is about √(Var/n_t)/E ≈ 2%.
    assert!((a / f - 1.0).abs() < 0.03);
    // Points have no principal axes: no axis alignment (not ~k/N of axes
    // found in rounding), while the centres still have theirs.
    assert!(metric(&s, "axis_align_0").is_nan());
    assert!(metric(&s, "center_axis_align_0").is_nan());
    assert!(metric(&s, "center_align_0").is_finite());
    // Discs with 170 points: the sampled hull reaches cos(π/170)·R at least
    // on average; the ball formula per manifold at R/‖c_μ‖.
    let s = run_fragment(&preset("Spheres"));
    let (a, f) = (metric(&s, "capacity_0"), metric(&s, "capacity_formula"));
    println!("spheres: α {a:.4}, ball formula {f:.4}");
    assert!((a / f - 1.0).abs() < 0.03);
}

#[test]
fn every_preset_runs_and_the_keys_are_there() {
    for p in capacity::spec().presets {
        let c = config(&p.fragment);
        let (lab, warnings) = labs::build(&c);
        assert!(warnings.is_empty(), "{}: {warnings:?}", p.title);
        let s = run::snapshot(lab.as_ref());
        for key in [
            "capacity_0",
            "radius_0",
            "dimension_0",
            "center_corr_0",
            "k_0",
            "capacity_theory",
            "capacity_sim",
        ] {
            assert!(s.metric(key).is_some(), "{}: no {key}", p.title);
        }
    }
}

#[test]
fn bad_settings_are_reported_not_panicked() {
    // Spheres of dimension above N, and a huge learning rate.
    let s = run_fragment("v=1&lab=capacity&seed=1&task=spheres&classes=3&samples=4&dim=2&manifold_dim=50&analyse=input&n_t=5");
    assert!(s.done);
    let c = config(
        "v=1&lab=capacity&seed=1&task=clouds&classes=3&samples=10&dim=10&lr=2&steps=300&n_t=5",
    );
    let (mut lab, _) = labs::build(&c);
    let mut steps = 0;
    while !lab.is_done() && steps < 10_000 {
        if lab.step(50).is_err() {
            break;
        }
        steps += 50;
    }
    let s = run::snapshot(lab.as_ref());
    assert!(s.done);
}

/// The page snapshots the run between chunks of any size: every
/// intermediate snapshot must build (the digits preset, snapshots every 37
/// steps).
#[test]
fn snapshots_between_chunks_never_fail() {
    let c = config(&preset("Digits"));
    let (mut lab, _) = labs::build(&c);
    while !lab.is_done() {
        lab.step(37).unwrap();
        let s = run::snapshot(lab.as_ref());
        assert_eq!(s.step, lab.steps_done());
    }
}

/// `task=haxby`: the lab's voxel and shuffled-label manifolds equal the
/// ones built here from the shipped NPZ (read as any upload is, rows picked
/// by label, the documented permutation), bit for bit through MFTMA; the
/// shuffled manifolds hold the same points in classes of the same sizes.
#[test]
fn haxby_numbers_equal_direct_mftma_calls() {
    let (m, seed) = (30usize, 2u64);
    let frag = format!("v=1&lab=capacity&seed={seed}&task=haxby&samples={m}&n_t=60");
    let s = run_fragment(&frag);
    let arrays = neurogeom::data::files::npz::read(
        "haxby2001.npz",
        neurogeom::data::haxby::NPZ,
        &Default::default(),
    )
    .unwrap();
    let get = |k: &str| &arrays.iter().find(|(n, _)| n == k).unwrap().1;
    let (x, y) = (get("X"), get("y"));
    let voxels = x.shape[1];
    let row = |i: usize| &x.data[i * voxels..(i + 1) * voxels];
    let mut stacked: Vec<&[f64]> = Vec::new();
    let data: Vec<DMatrix<f64>> = (0..8)
        .map(|c| {
            let rows: Vec<usize> = (0..y.data.len())
                .filter(|&i| y.data[i] == c as f64)
                .take(m)
                .collect();
            stacked.extend(rows.iter().map(|&i| row(i)));
            DMatrix::from_fn(m, voxels, |i, j| row(rows[i])[j])
        })
        .collect();
    let perm = Rng::fork(seed, capacity::STREAM_DATA).permutation(8 * m);
    let shuffled: Vec<DMatrix<f64>> = (0..8)
        .map(|c| DMatrix::from_fn(m, voxels, |i, j| stacked[perm[c * m + i]][j]))
        .collect();
    let opts = MftmaOptions {
        n_t: 60,
        restarts: 2,
        ..MftmaOptions::with_seed(seed)
    };
    for (l, manifolds) in [(0, &data), (1, &shuffled)] {
        let direct = mftma(manifolds, &opts).unwrap();
        for (key, v) in [
            ("capacity", direct.capacity),
            ("radius", direct.radius),
            ("dimension", direct.dimension),
            ("center_corr", direct.center_correlation),
        ] {
            assert_eq!(
                metric(&s, &format!("{key}_{l}")).to_bits(),
                v.to_bits(),
                "{key}_{l}"
            );
        }
    }
    let direct = mftma(&data, &opts).unwrap();
    for (name, mc) in neurogeom::data::haxby::CATEGORIES
        .iter()
        .zip(&direct.manifolds)
    {
        assert_eq!(metric(&s, &format!("capacity_{name}")), mc.capacity);
    }
    // No network, nothing trained; the shuffle is a permutation.
    assert_eq!(metric(&s, "train_steps"), 0.0);
    let mut sorted = perm.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..8 * m).collect::<Vec<_>>());
}

/// `projection=d` adds the voxels through x·G, G_ij ~ N(0, 1/d) drawn
/// row-major from the init stream: the lab's third layer equals that
/// projection built here, through MFTMA, to rounding (the products are
/// summed in the same order, so to the bit).
#[test]
fn haxby_random_projection_is_the_documented_one() {
    let (m, seed, d) = (20usize, 5u64, 40usize);
    let s = run_fragment(&format!(
        "v=1&lab=capacity&seed={seed}&task=haxby&samples={m}&n_t=60&projection={d}"
    ));
    let h = neurogeom::data::haxby::load().unwrap();
    let n = h.x.ncols();
    let mut rng = Rng::fork(seed, capacity::STREAM_INIT);
    let scale = 1.0 / (d as f64).sqrt();
    // Filled column by column: G's rows in order, as drawn.
    let g = DMatrix::from_fn(d, n, |_, _| scale * rng.normal()).transpose();
    let projected: Vec<DMatrix<f64>> = (0..8)
        .map(|c| {
            let x = h.category(c).rows(0, m).into_owned();
            DMatrix::from_fn(m, d, |i, j| {
                let mut acc = 0.0;
                for f in 0..n {
                    acc += x[(i, f)] * g[(f, j)];
                }
                acc
            })
        })
        .collect();
    let opts = MftmaOptions {
        n_t: 60,
        restarts: 2,
        ..MftmaOptions::with_seed(seed)
    };
    let direct = mftma(&projected, &opts).unwrap();
    assert_eq!(
        metric(&s, "capacity_2").to_bits(),
        direct.capacity.to_bits()
    );
    assert_eq!(
        metric(&s, "dimension_2").to_bits(),
        direct.dimension.to_bits()
    );
}

/// The page fetches exactly the files a run reads: the capacity lab's
/// real-data tasks, and nothing for the synthetic ones or other labs.
/// Natively both files are embedded, so nothing is missing.
#[test]
fn the_data_sets_a_config_needs() {
    use neurogeom::labs::{datasets_needed, missing_dataset};
    let cases = [
        (
            "v=1&lab=capacity&task=digits",
            vec![neurogeom::data::digits::DATASET],
        ),
        (
            "v=1&lab=capacity&task=haxby",
            vec![neurogeom::data::haxby::DATASET],
        ),
        ("v=1&lab=capacity&task=points", vec![]),
        ("v=1&lab=capacity", vec!["digits"]), // the default task
        ("v=1&lab=lazy-rich", vec![]),
    ];
    for (link, want) in cases {
        let c = neurogeom::share::parse_link(link).config;
        assert_eq!(datasets_needed(&c), want, "{link}");
        assert_eq!(missing_dataset(&c), None, "{link}");
    }
    assert_eq!(neurogeom::data::digits::DATASET, "digits");
}
