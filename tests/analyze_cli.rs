//! `neurogeom analyze`: on a Gaussian-clouds file with known geometry, its
//! JSON equals (bit for bit) the direct MFTMA API on the same points; the
//! other metrics equal their own functions; the chunked job gives the same
//! hash however it is cut; bad files exit 2 with the precise message.

use std::path::PathBuf;
use std::process::Command;

use nalgebra::DMatrix;
use neurogeom::analyze::{self, Job, Settings};
use neurogeom::data::files::{self, npy, npz, Input, LoadOptions};
use neurogeom::data::manifolds::gaussian_clouds;
use neurogeom::metrics::capacity::{mftma, MftmaOptions};
use neurogeom::metrics::dimensionality::participation_ratio;
use neurogeom::rng::Rng;
use serde_json::Value;

fn neurogeom(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_neurogeom"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn tmp(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("neurogeom_analyze_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// P Gaussian clouds (radius r) as an NPZ with X and y.
fn clouds_file(p: usize, m: usize, n: usize, r: f64) -> (Vec<DMatrix<f64>>, Vec<u8>) {
    let mut rng = Rng::new(11);
    let clouds = gaussian_clouds(p, m, n, r, &mut rng);
    let mut x = Vec::new();
    let mut y = Vec::new();
    for (c, cloud) in clouds.iter().enumerate() {
        for i in 0..m {
            x.extend(cloud.row(i).iter().copied());
            y.push(c as f64);
        }
    }
    let bytes = npz::write(
        &[("X", &[p * m, n], &x, "<f8"), ("y", &[p * m], &y, "<i4")],
        false,
    );
    (clouds, bytes)
}

fn metric(json: &Value, key: &str) -> f64 {
    json["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["key"] == key)
        .unwrap_or_else(|| panic!("metric {key} missing"))["value"]
        .as_f64()
        .unwrap_or(f64::NAN)
}

#[test]
fn cli_matches_the_direct_mftma_api_bit_for_bit() {
    let (clouds, bytes) = clouds_file(6, 25, 40, 0.6);
    let path = tmp("clouds.npz", &bytes);
    let out = neurogeom(&[
        "analyze",
        path.to_str().unwrap(),
        "--kappa",
        "0.1",
        "--n-t",
        "120",
        "--seed",
        "3",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();

    let opts = MftmaOptions {
        kappa: 0.1,
        n_t: 120,
        seed: 3,
        ..MftmaOptions::default()
    };
    let direct = mftma(&clouds, &opts).unwrap();
    for (key, want) in [
        ("capacity", direct.capacity),
        ("radius", direct.radius),
        ("dimension", direct.dimension),
        ("center_correlation", direct.center_correlation),
        ("K", direct.k as f64),
    ] {
        assert_eq!(metric(&json, key).to_bits(), want.to_bits(), "{key}");
    }
    // The MFTMA's own participation ratio (Gram of all centred points) and
    // the dimensionality module's (covariance spectrum) agree.
    let pr = metric(&json, "participation_ratio");
    assert!(
        (pr - direct.participation_ratio).abs() < 1e-9 * pr,
        "{pr} vs {}",
        direct.participation_ratio
    );
    assert_eq!(metric(&json, "pcs_90") as usize, direct.pcs_90);
    // Per-manifold arrays beside the metrics.
    let caps = json["manifolds"]["capacity"].as_array().unwrap();
    assert_eq!(caps.len(), 6);
    for (c, m) in caps.iter().zip(&direct.manifolds) {
        assert_eq!(c.as_f64().unwrap().to_bits(), m.capacity.to_bits());
    }
    assert_eq!(json["layers"].as_array().unwrap().len(), 1);
    assert_eq!(json["hash"].as_str().unwrap().len(), 16);
    assert_eq!(
        json["file"]["sha256"].as_str().unwrap(),
        analyze::sha256_hex(&bytes)
    );

    // Known geometry: clouds of radius r around unit centres have R_M ≈ r
    // (up to the centre's own norm ≈ 1 and the finite M) and a capacity
    // between the Gardner point limit (2 at κ = 0) and 0.
    let r = metric(&json, "radius");
    assert!(r > 0.4 && r < 0.8, "radius {r}");
    let a = metric(&json, "capacity");
    assert!(a > 0.05 && a < 2.0, "capacity {a}");
}

#[test]
fn library_job_is_independent_of_chunking_and_matches_other_metrics() {
    let (clouds, bytes) = clouds_file(4, 20, 30, 0.5);
    let load = || {
        files::load(
            Input {
                name: "c.npz",
                bytes: &bytes,
            },
            None,
            &LoadOptions::default(),
        )
        .unwrap()
    };
    let settings = Settings {
        n_t: 60,
        ..Settings::default()
    };
    let analysis = analyze::analyze(load(), &settings).unwrap();
    let (whole, layers) = (analysis.snapshot, analysis.layers);
    let mut job = Job::new(load(), &settings).unwrap();
    let mut steps = 0;
    while !job.advance(1).unwrap() {
        steps += 1;
        let p = job.progress();
        assert!(p.done <= p.total);
    }
    assert!(steps > 4);
    let chunked = job.snapshot().unwrap();
    assert_eq!(whole.hash, chunked.hash);
    assert_eq!(whole, chunked);
    // Participation ratio of all rows = the dimensionality module's.
    let all = DMatrix::from_fn(80, 30, |i, j| clouds[i / 20][(i % 20, j)]);
    assert_eq!(
        layers[0].get("participation_ratio").unwrap().to_bits(),
        participation_ratio(&all).to_bits()
    );
    // Charts: per-class bars, RDM (C × C), PCA scatter with one series per class.
    for id in ["manifold_capacity", "rdm", "pca"] {
        assert!(whole.chart(id).is_some(), "chart {id}");
    }
}

#[test]
fn several_layers_are_drawn_against_the_layer() {
    let mut rng = Rng::new(5);
    let clouds = gaussian_clouds(3, 15, 12, 0.5, &mut rng);
    let mut x = Vec::new();
    let mut y = Vec::new();
    for (c, cloud) in clouds.iter().enumerate() {
        for i in 0..15 {
            x.extend(cloud.row(i).iter().copied());
            y.push(c as f64);
        }
    }
    // layer_1 = 2·layer_0: every scale-invariant metric is the same, CKA = 1.
    let x2: Vec<f64> = x.iter().map(|v| 2.0 * v).collect();
    let bytes = npz::write(
        &[
            ("layer_0", &[45, 12], &x, "<f8"),
            ("layer_1", &[45, 12], &x2, "<f8"),
            ("y", &[45], &y, "<i8"),
        ],
        false,
    );
    let path = tmp("layers.npz", &bytes);
    let out = neurogeom(&["analyze", path.to_str().unwrap(), "--n-t", "50", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let layers = json["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 2);
    let pr0 = layers[0]["metrics"]["participation_ratio"]
        .as_f64()
        .unwrap();
    let pr1 = layers[1]["metrics"]["participation_ratio"]
        .as_f64()
        .unwrap();
    assert!((pr0 - pr1).abs() < 1e-12 * pr0);
    let ids: Vec<&str> = json["charts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    for id in [
        "layer_capacity",
        "layer_participation_ratio",
        "layer_nc1",
        "cka",
    ] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    let cka = json["charts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "cka")
        .unwrap();
    let v = cka["body"]["values"].as_array().unwrap();
    assert!((v[1].as_f64().unwrap() - 1.0).abs() < 1e-12);
}

#[test]
fn bad_files_exit_2_with_the_precise_message() {
    let not_data = tmp("notes.npy", b"\x93NUMPY\x01\x00garbage");
    let out = neurogeom(&["analyze", not_data.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("notes.npy"), "{err}");

    // A single class.
    let x: Vec<f64> = (0..20).map(|i| i as f64).collect();
    let bytes = npz::write(
        &[("X", &[10, 2], &x, "<f8"), ("y", &[10], &[0.0; 10], "<i8")],
        false,
    );
    let one = tmp("one_class.npz", &bytes);
    let out = neurogeom(&["analyze", one.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("class"), "{err}");

    // Labels that do not match the rows.
    let data = tmp("x.npy", &npy::write(&[10, 2], &x, "<f8", false));
    let labels = tmp(
        "y.npy",
        &npy::write(&[7], &[0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0], "<i8", false),
    );
    let out = neurogeom(&[
        "analyze",
        data.to_str().unwrap(),
        "--labels",
        labels.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains('7') && err.contains("10"), "{err}");

    // A bad setting.
    let (_, good) = clouds_file(3, 5, 4, 0.5);
    let good = tmp("good.npz", &good);
    let out = neurogeom(&["analyze", good.to_str().unwrap(), "--time-window", "5:2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("time window"));
}

#[test]
fn the_example_file_reads_and_analyses() {
    let bytes = analyze::example_npz();
    let rec = files::load(
        Input {
            name: analyze::EXAMPLE_NAME,
            bytes: &bytes,
        },
        None,
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(rec.n_classes(), 4);
    assert_eq!(rec.layers[0].x.shape(), (160, 50));
}

/// Rows of `clouds` as one matrix, in the given order of (class, point).
fn stacked(clouds: &[DMatrix<f64>], order: &[(usize, usize)]) -> (Vec<f64>, Vec<String>) {
    let mut x = Vec::new();
    let mut y = Vec::new();
    for &(c, i) in order {
        x.extend(clouds[c].row(i).iter().copied());
        y.push(["cat", "dog", "eel", "fox"][c].to_string());
    }
    (x, y)
}

/// Issue 17: classes are numbered in sorted order, so the same data with
/// its classes appearing in another order gives the same hash; text labels
/// from a CSV give what numeric ones do.
#[test]
fn results_do_not_depend_on_the_order_classes_appear_in() {
    let mut rng = Rng::new(8);
    let clouds = gaussian_clouds(4, 12, 10, 0.5, &mut rng);
    let forward: Vec<(usize, usize)> = (0..4).flat_map(|c| (0..12).map(move |i| (c, i))).collect();
    // Classes first appear as eel, cat, fox, dog; within a class the same order.
    let mut shuffled = Vec::new();
    for i in 0..12 {
        for c in [2, 0, 3, 1] {
            shuffled.push((c, i));
        }
    }
    let csv = |order: &[(usize, usize)]| {
        let (x, y) = stacked(&clouds, order);
        let mut text = String::from("species");
        for j in 0..10 {
            text.push_str(&format!(",f{j}"));
        }
        text.push('\n');
        for (r, label) in y.iter().enumerate() {
            text.push_str(label);
            for j in 0..10 {
                text.push_str(&format!(",{:e}", x[r * 10 + j]));
            }
            text.push('\n');
        }
        text
    };
    let settings = Settings {
        n_t: 40,
        ..Settings::default()
    };
    let run = |text: String| {
        let rec = files::load(
            Input {
                name: "s.csv",
                bytes: text.as_bytes(),
            },
            None,
            &LoadOptions::default(),
        )
        .unwrap();
        assert_eq!(rec.class_names, vec!["cat", "dog", "eel", "fox"]);
        analyze::analyze(rec, &settings).unwrap()
    };
    let a = run(csv(&forward));
    let b = run(csv(&shuffled));
    for key in [
        "capacity",
        "radius",
        "nc1",
        "participation_ratio",
        "center_alignment",
    ] {
        assert_eq!(
            a.layers[0].get(key).unwrap().to_bits(),
            b.layers[0].get(key).unwrap().to_bits(),
            "{key}"
        );
    }
    // The per-class bars are in the same (sorted) order, and the whole
    // result is the same bits.
    assert_eq!(a.layers[0].manifold_capacity, b.layers[0].manifold_capacity);
    assert_eq!(a.snapshot.hash, b.snapshot.hash);
}

/// Issue 17: data whose rows are all 0.1 has no centres to classify by:
/// MFTMA says so (and how to run the rest), instead of rescaling rounding
/// residue into a capacity of 2; without MFTMA the other analyses run.
#[test]
fn constant_data_gets_a_message_not_a_capacity() {
    let x = vec![0.1; 40 * 6];
    let y: Vec<f64> = (0..40).map(|i| (i % 4) as f64).collect();
    let bytes = npz::write(
        &[("X", &[40, 6], &x, "<f8"), ("y", &[40], &y, "<i8")],
        false,
    );
    let path = tmp("constant.npz", &bytes);
    let out = neurogeom(&["analyze", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("MFTMA") && err.contains("same centre") && err.contains("--no-mftma"),
        "{err}"
    );
    let out = neurogeom(&["analyze", path.to_str().unwrap(), "--no-mftma", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(metric(&json, "participation_ratio"), 0.0);
    // No class means to compare: NC1 and NC2 are undefined (null), and
    // the centres have no directions (centre alignment 0 by convention).
    for key in ["nc1", "nc2_equinorm", "nc2_equiangular"] {
        assert!(metric(&json, key).is_nan(), "{key}");
    }
    assert_eq!(metric(&json, "center_alignment"), 0.0);
    assert!(json["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["key"] == "capacity" && m["value"].is_null()));
}

/// Issue 24: --max-points subsamples each class for MFTMA with the seeded
/// RNG, says so in a note, and gives exactly the direct API's result on
/// the same subsample (`capacity::subsample::subsample`); the other
/// analyses still use every point.
#[test]
fn max_points_subsamples_the_classes_for_mftma() {
    let (clouds, bytes) = clouds_file(4, 30, 20, 0.5);
    let path = tmp("sub.npz", &bytes);
    let out = neurogeom(&[
        "analyze",
        path.to_str().unwrap(),
        "--max-points",
        "12",
        "--n-t",
        "60",
        "--seed",
        "5",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let notes = json["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap().contains("at most 12 points per class")),
        "{notes:?}"
    );
    let sub = neurogeom::metrics::capacity::subsample::subsample(&clouds, 12, 5);
    assert!(sub.iter().all(|m| m.nrows() == 12));
    let opts = MftmaOptions {
        n_t: 60,
        seed: 5,
        ..MftmaOptions::default()
    };
    let direct = mftma(&sub, &opts).unwrap();
    assert_eq!(
        metric(&json, "capacity").to_bits(),
        direct.capacity.to_bits()
    );
    assert_eq!(metric(&json, "radius").to_bits(), direct.radius.to_bits());
    // The participation ratio is of all 120 rows.
    let all = DMatrix::from_fn(120, 20, |i, j| clouds[i / 30][(i % 30, j)]);
    assert_eq!(
        metric(&json, "participation_ratio").to_bits(),
        participation_ratio(&all).to_bits()
    );
    let out = neurogeom(&["analyze", path.to_str().unwrap(), "--max-points", "1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("max_points"));
}

/// Issue 17: the simulated capacity's dichotomies, random (the default,
/// the old results) or balanced; unknown names are refused.
#[test]
fn simulated_capacity_offers_balanced_dichotomies() {
    let (clouds, bytes) = clouds_file(6, 10, 30, 0.5);
    let path = tmp("sim.npz", &bytes);
    let run = |labels: &str| {
        let out = neurogeom(&[
            "analyze",
            path.to_str().unwrap(),
            "--no-mftma",
            "--simulated",
            "--sim-repetitions",
            "30",
            "--sim-labels",
            labels,
            "--json",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        metric(&json, "simulated_capacity")
    };
    use neurogeom::metrics::capacity::simulated::{
        simulated_capacity, Dichotomies, SimulatedOptions,
    };
    for (name, kind) in [
        ("random", Dichotomies::Random),
        ("balanced", Dichotomies::Balanced),
    ] {
        let direct = simulated_capacity(
            &clouds,
            &SimulatedOptions {
                repetitions: 30,
                seed: 0,
                dichotomies: kind,
            },
        )
        .unwrap();
        assert_eq!(run(name).to_bits(), direct.capacity.to_bits(), "{name}");
    }
    let out = neurogeom(&[
        "analyze",
        path.to_str().unwrap(),
        "--sim-labels",
        "lopsided",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

/// The shipped fMRI recording (`www/data/haxby2001.npz`) reads like any
/// upload: 8 classes of 108 volumes × 530 voxels, its SHA-256 the recorded
/// one, and MFTMA's numbers those of the direct API on the categories as
/// `data::haxby` reads them.
#[test]
fn the_shipped_haxby_file_analyses_like_any_other() {
    use neurogeom::data::haxby;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("www/data/haxby2001.npz");
    let out = neurogeom(&[
        "analyze",
        path.to_str().unwrap(),
        "--n-t",
        "60",
        "--seed",
        "4",
        "--no-cka",
        "--no-pca",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        format!(
            "{}  {}\n",
            json["file"]["sha256"].as_str().unwrap(),
            haxby::FILE_NAME
        ),
        haxby::NPZ_SHA256_FILE
    );
    // The categories by name, in the file's order (its `label_names`).
    let classes: Vec<&str> = json["manifolds"]["class"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(classes, haxby::CATEGORIES);
    let h = haxby::load().unwrap();
    let categories: Vec<DMatrix<f64>> = (0..8).map(|c| h.category(c)).collect();
    let opts = MftmaOptions {
        n_t: 60,
        seed: 4,
        ..MftmaOptions::default()
    };
    let direct = mftma(&categories, &opts).unwrap();
    assert_eq!(json["manifolds"]["capacity"].as_array().unwrap().len(), 8);
    for (key, want) in [
        ("capacity", direct.capacity),
        ("radius", direct.radius),
        ("dimension", direct.dimension),
    ] {
        assert_eq!(metric(&json, key).to_bits(), want.to_bits(), "{key}");
    }
}

/// Issue 19 ("use every core, with the same bits"): MFTMA's manifolds are
/// shared among threads (the MFTMA thread, the analysis thread once its own
/// analyses are done, and any threads beyond two) and combined in manifold
/// order, so any thread count gives the one-unit-at-a-time result bit for
/// bit, on two layers (two rounds of shared work); and
/// `MftmaJob::run_manifolds_threaded` equals `mftma`.
#[test]
fn mftma_manifolds_on_any_number_of_threads_give_the_same_bits() {
    let mut rng = Rng::new(23);
    let clouds = gaussian_clouds(9, 12, 10, 0.6, &mut rng);
    let mut x = Vec::new();
    let mut y = Vec::new();
    for (c, cloud) in clouds.iter().enumerate() {
        for i in 0..12 {
            x.extend(cloud.row(i).iter().copied());
            y.push(c as f64);
        }
    }
    let x2: Vec<f64> = x.iter().map(|v| libm::tanh(1.5 * v)).collect();
    let bytes = npz::write(
        &[
            ("layer_0", &[108, 10], &x, "<f8"),
            ("layer_1", &[108, 10], &x2, "<f8"),
            ("y", &[108], &y, "<i8"),
        ],
        false,
    );
    let load = || {
        files::load(
            Input {
                name: "two.npz",
                bytes: &bytes,
            },
            None,
            &LoadOptions::default(),
        )
        .unwrap()
    };
    let settings = Settings {
        n_t: 40,
        ..Settings::default()
    };
    let mut job = Job::new(load(), &settings).unwrap();
    while !job.advance(1).unwrap() {}
    let stepped = job.snapshot().unwrap();
    for threads in [1, 2, 3, 5] {
        let a = analyze::analyze_threaded(load(), &settings, threads).unwrap();
        assert_eq!(a.snapshot.hash, stepped.hash, "{threads} threads");
        assert_eq!(a.snapshot, stepped, "{threads} threads");
    }
    // The job on its own, its manifolds on 1 to 4 threads.
    let opts = MftmaOptions {
        n_t: 40,
        ..MftmaOptions::with_seed(3)
    };
    let direct = mftma(&clouds, &opts).unwrap();
    for threads in 1..=4 {
        let mut job = neurogeom::metrics::capacity::MftmaJob::new(&clouds, &opts).unwrap();
        job.run_manifolds_threaded(threads);
        while !job.advance(1).unwrap() {}
        // (Debug text: the same bits, NaN included.)
        assert_eq!(
            format!("{:?}", job.result().unwrap()),
            format!("{direct:?}"),
            "{threads} threads"
        );
    }
}
