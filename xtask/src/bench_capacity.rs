//! `cargo xtask bench capacity [--reps N] [--reference PYTHON]`: the MFTMA
//! benchmark of docs/benchmarks.md ("Manifold capacity"), P = 50 manifolds ×
//! M = 100 points in N = 500, n_t = 300, for Gaussian point clouds
//! ("points") and spheres, natively and in wasm (Node), and optionally the
//! published Python implementation on the same data.
//!
//! 1. native: `cargo run --release --example bench_capacity` (median of N
//!    runs of the analysis alone), then the example once per kind as a whole
//!    process (`--kind K --reps 1`, data generation and start-up included);
//! 2. wasm: the release wasm build, then `node bench/wasm_capacity_bench.mjs`;
//! 3. with `--reference PYTHON` (an interpreter in which the user has
//!    installed the published package, neural_manifolds_replicaMFT, so that
//!    it imports as `mftma`): the data written as CSV to `target/capdata/`,
//!    and `bench/capacity_reference.py` run once per kind with that
//!    interpreter, timed as a whole process and for the analysis alone.
//!
//! It ends with a table and whether native and wasm computed the same bits.

use crate::bench::capture;
use crate::{cargo, wasm};
use anyhow::{bail, Result};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

struct Row {
    label: String,
    /// Seconds per kind: points, spheres.
    secs: [Option<f64>; 2],
}

const KINDS: [&str; 2] = ["points", "spheres"];

pub fn run(root: &Path, reps: usize, reference: Option<String>) -> Result<()> {
    let reps_s = reps.to_string();
    let mut rows = Vec::new();

    // Native, analysis alone.
    let mut cmd = cargo(root);
    cmd.args([
        "run",
        "--quiet",
        "--release",
        "--example",
        "bench_capacity",
        "--",
    ]);
    cmd.args(["--reps", &reps_s]);
    let native = capture(&mut cmd)?;
    rows.push(Row {
        label: "native, analysis (median)".into(),
        secs: per_kind(&native, 1),
    });
    let native_bits = bits(&native);

    // Native, whole process per kind.
    let exe = root.join("target/release/examples/bench_capacity");
    let mut whole = [None, None];
    for (i, kind) in KINDS.iter().enumerate() {
        let t = Instant::now();
        let mut cmd = Command::new(&exe);
        cmd.args(["--kind", kind, "--reps", "1"]);
        capture(&mut cmd)?;
        whole[i] = Some(t.elapsed().as_secs_f64());
    }
    rows.push(Row {
        label: "native, whole process".into(),
        secs: whole,
    });

    // wasm in Node.
    wasm::build(root, wasm::Profile::Release)?;
    let mut cmd = Command::new("node");
    cmd.current_dir(root)
        .args(["bench/wasm_capacity_bench.mjs", "--reps", &reps_s]);
    let wasm_out = capture(&mut cmd)?;
    rows.push(Row {
        label: "wasm in Node, analysis (median)".into(),
        secs: per_kind(&wasm_out, 1),
    });
    let wasm_bits = bits(&wasm_out);

    if let Some(python) = reference {
        rows.extend(reference_rows(root, &exe, &python)?);
    }

    println!();
    println!("MFTMA, P = 50 manifolds × M = 100 points, N = 500, n_t = 300, κ = 0 (seconds)");
    println!("{:<40}{:>12}{:>12}", "", "points", "spheres");
    for row in &rows {
        print!("{:<40}", row.label);
        for s in row.secs {
            match s {
                Some(s) => print!("{:>12}", format!("{s:.3}")),
                None => print!("{:>12}", "-"),
            }
        }
        println!();
    }
    println!();
    println!("native capacity bits: {native_bits}");
    println!("wasm capacity bits:   {wasm_bits}");
    if native_bits != wasm_bits {
        bail!("native and wasm computed different capacities (determinism broken)");
    }
    println!("native and wasm: identical bits");
    Ok(())
}

fn reference_rows(root: &Path, exe: &Path, python: &str) -> Result<Vec<Row>> {
    // The interpreter is the user's own: this project installs and builds
    // nothing of the published package.
    let python = std::path::PathBuf::from(python);
    if !python.exists() {
        bail!(
            "--reference {}: no such Python interpreter (give one in which the published package imports as `mftma`)",
            python.display()
        );
    }
    let data = root.join("target/capdata");
    std::fs::create_dir_all(&data)?;
    let mut cmd = Command::new(exe);
    cmd.args(["--reps", "1", "--write-data"]).arg(&data);
    capture(&mut cmd)?;
    let mut whole = [None, None];
    let mut analysis = [None, None];
    for (i, kind) in KINDS.iter().enumerate() {
        let t = Instant::now();
        let mut cmd = Command::new(&python);
        cmd.current_dir(root)
            .env("OMP_NUM_THREADS", "1")
            .env("OPENBLAS_NUM_THREADS", "1")
            .arg("bench/capacity_reference.py")
            .arg(data.join(format!("{kind}.csv")));
        let out = capture(&mut cmd)?;
        whole[i] = Some(t.elapsed().as_secs_f64());
        analysis[i] = out
            .lines()
            .find_map(|l| l.split('\t').nth(1).and_then(|s| s.parse().ok()));
    }
    Ok(vec![
        Row {
            label: "published Python, analysis (1 thread)".into(),
            secs: analysis,
        },
        Row {
            label: "published Python, whole process".into(),
            secs: whole,
        },
    ])
}

/// Column `col` of the rows whose first field is a kind.
fn per_kind(out: &str, col: usize) -> [Option<f64>; 2] {
    let mut secs = [None, None];
    for line in out.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        if let Some(i) = KINDS.iter().position(|k| fields.first() == Some(k)) {
            secs[i] = fields.get(col).and_then(|s| s.trim().parse().ok());
        }
    }
    secs
}

/// The `# KIND capacity bits HEX` lines, joined (also for `bench glue`).
pub(crate) fn bits(out: &str) -> String {
    out.lines()
        .filter(|l| l.starts_with('#') && l.contains("capacity bits"))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            format!("{}={}", f.get(1).unwrap_or(&"?"), f.get(4).unwrap_or(&"?"))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rows_and_bits() {
        let out = "# x\nkind\tseconds\npoints\t0.5\t0.4\nspheres\t0.7\t0.6\n# points capacity bits 3fca # PR\n# spheres capacity bits 3fd1 PR\n";
        assert_eq!(per_kind(out, 1), [Some(0.5), Some(0.7)]);
        assert_eq!(bits(out), "points=3fca spheres=3fd1");
    }
}
