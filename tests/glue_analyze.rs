//! GLUE in "Your data" (`neurogeom analyze --glue`, issue 19): the report's
//! glue_* metrics equal the direct GLUE API on the class manifolds bit for
//! bit, the hash does not depend on the thread count (MFTMA's manifolds and
//! GLUE's samples on threads), the ⓘ texts name the open choices, and bad
//! GLUE settings exit 2 with a message.

use std::path::PathBuf;
use std::process::Command;

use nalgebra::DMatrix;
use neurogeom::data::files::npz;
use neurogeom::data::manifolds::gaussian_clouds;
use neurogeom::metrics::capacity::glue::{glue, Centring, GlueOptions, LabelRule};
use neurogeom::rng::Rng;
use serde_json::Value;

fn neurogeom(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_neurogeom"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// P Gaussian clouds with correlated centres (a shared component) as an
/// NPZ with X and y.
fn file(p: usize, m: usize, n: usize) -> (Vec<DMatrix<f64>>, PathBuf) {
    let mut rng = Rng::new(5);
    let mut clouds = gaussian_clouds(p, m, n, 0.7, &mut rng);
    let shared: Vec<f64> = (0..n).map(|_| rng.normal() / (n as f64).sqrt()).collect();
    for c in clouds.iter_mut() {
        for i in 0..m {
            for f in 0..n {
                c[(i, f)] += shared[f];
            }
        }
    }
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
    let dir = std::env::temp_dir().join(format!("neurogeom_glue_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("clouds.npz");
    std::fs::write(&path, bytes).unwrap();
    (clouds, path)
}

fn metric<'a>(json: &'a Value, key: &str) -> &'a Value {
    json["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["key"] == key)
        .unwrap_or_else(|| panic!("metric {key} missing"))
}

fn run(path: &std::path::Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "analyze",
        path.to_str().unwrap(),
        "--seed",
        "4",
        "--n-t",
        "60",
        "--json",
        "--glue",
        "--glue-n-t",
        "90",
        "--glue-points",
        "30",
    ];
    args.extend_from_slice(extra);
    let out = neurogeom(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn analyze_glue_matches_the_direct_api_and_threads_do_not_change_the_hash() {
    let (clouds, path) = file(5, 40, 30);
    let one = run(
        &path,
        &[
            "--threads",
            "1",
            "--glue-centre",
            "global",
            "--glue-labels",
            "balanced",
        ],
    );
    let two = run(
        &path,
        &[
            "--threads",
            "2",
            "--glue-centre",
            "global",
            "--glue-labels",
            "balanced",
        ],
    );
    assert_eq!(one["hash"], two["hash"]);
    let direct = glue(
        &clouds,
        &GlueOptions {
            n_t: 90,
            max_points: 30,
            labels: LabelRule::Balanced,
            centre: Centring::Global,
            seed: 4,
        },
    )
    .unwrap();
    for (key, want) in [
        ("glue_capacity", direct.capacity),
        ("glue_capacity_se", direct.capacity_se),
        ("glue_radius", direct.radius),
        ("glue_dimension", direct.dimension),
        ("glue_utility", direct.utility),
        ("glue_center_alignment", direct.center_alignment),
        ("glue_axis_alignment", direct.axis_alignment),
        ("glue_center_axis_alignment", direct.center_axis_alignment),
    ] {
        let got = metric(&one, key)["value"].as_f64().unwrap();
        assert_eq!(got.to_bits(), want.to_bits(), "{key}: {got} against {want}");
    }
    // The ⓘ says which choices produced the numbers.
    let info = metric(&one, "glue_capacity")["info"].as_str().unwrap();
    assert!(
        info.contains("centring global") && info.contains("labels balanced"),
        "{info}"
    );
    // The settings are in the report.
    assert_eq!(one["settings"]["glue_centre"], "global");
    // Without --glue the keys are absent.
    let out = neurogeom(&["analyze", path.to_str().unwrap(), "--n-t", "40", "--json"]);
    let plain: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(plain["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| !m["key"].as_str().unwrap().starts_with("glue_")));
}

#[test]
fn bad_glue_settings_exit_2_with_a_message() {
    let (_, path) = file(3, 10, 6);
    for (args, needle) in [
        (vec!["--glue-labels", "pairs"], "--glue-labels"),
        (vec!["--glue-centre", "class"], "--glue-centre"),
        (vec!["--glue-points", "1"], "points per manifold"),
        (vec!["--glue-n-t", "0"], "n_t"),
    ] {
        let mut all = vec!["analyze", path.to_str().unwrap(), "--glue"];
        all.extend(args);
        let out = neurogeom(&all);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{err}");
    }
}
