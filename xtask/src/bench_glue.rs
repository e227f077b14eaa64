//! `cargo xtask bench glue [--reps N] [--reference PYTHON]`: issue 19's
//! GLUE speed goals (docs/benchmarks.md, "GLUE beside MFTMA"), P = 10
//! manifolds × M = 50 points in N = 500, n_t = 200, for the capacity
//! benchmark's Gaussian point clouds ("points") and spheres:
//!
//! 1. native: `cargo run --release --example bench_glue` (median of N runs
//!    of the analysis alone, on 1 and 2 threads, and the longest unit);
//! 2. wasm: the release wasm build, then `node bench/wasm_glue_bench.mjs`
//!    (the whole job in one call, and stepped one unit per `advance` call
//!    as the Your-data worker steps it: the longest step);
//! 3. with `--reference PYTHON` (an interpreter with numpy and cvxopt): the
//!    data written as CSV to `target/gluedata/`, and
//!    `bench/glue_reference.py` (cvxopt's QP per sample) on each, one BLAS
//!    thread, timed for the analysis alone.
//!
//! Wall and CPU seconds (this thread's, or the reference process's): the
//! ratios use CPU time, which the load of other processes disturbs least.
//! It ends with a table, the goals (native ≥ 20× the reference, wasm ≤ 2×
//! native, every wasm step ≤ 100 ms) and whether native and wasm computed
//! the same bits.

use crate::bench::capture;
use crate::bench_capacity::bits;
use crate::{cargo, wasm};
use anyhow::{bail, Result};
use std::path::Path;
use std::process::Command;

const KINDS: [&str; 2] = ["points", "spheres"];

/// Seconds (wall and CPU, and the longest unit or step) per kind.
#[derive(Clone, Copy, Default)]
struct Cell {
    secs: Option<f64>,
    cpu: Option<f64>,
    longest: Option<f64>,
}

pub fn run(root: &Path, reps: usize, reference: Option<String>) -> Result<()> {
    let reps_s = reps.to_string();
    let data = root.join("target/gluedata");
    std::fs::create_dir_all(&data)?;

    let mut cmd = cargo(root);
    cmd.args([
        "run",
        "--quiet",
        "--release",
        "--example",
        "bench_glue",
        "--",
    ]);
    cmd.args(["--reps", &reps_s, "--threads", "1,2", "--write-data"])
        .arg(&data);
    let native = capture(&mut cmd)?;
    let native1 = cells(&native, "1");
    let native2 = cells(&native, "2");
    let native_bits = bits(&native);

    wasm::build(root, wasm::Profile::Release)?;
    let mut cmd = Command::new("node");
    cmd.current_dir(root)
        .args(["bench/wasm_glue_bench.mjs", "--reps", &reps_s]);
    let wasm_out = capture(&mut cmd)?;
    let wasm = cells(&wasm_out, "1");
    let wasm_bits = bits(&wasm_out);

    let mut refs = [Cell::default(); 2];
    if let Some(python) = &reference {
        let python = std::path::PathBuf::from(python);
        if !python.exists() {
            bail!(
                "--reference {}: no such Python interpreter (give one with numpy and cvxopt)",
                python.display()
            );
        }
        for (i, kind) in KINDS.iter().enumerate() {
            let mut cmd = Command::new(&python);
            cmd.current_dir(root)
                .env("OMP_NUM_THREADS", "1")
                .env("OPENBLAS_NUM_THREADS", "1")
                .arg("bench/glue_reference.py")
                .arg(data.join(format!("{kind}.csv")))
                .args(["--seed", "1"]);
            let out = capture(&mut cmd)?;
            let field = |n: usize, unit: &str| -> Option<f64> {
                out.lines()
                    .find_map(|l| l.split('\t').nth(n))
                    .and_then(|s| s.trim_end_matches(unit).parse().ok())
            };
            refs[i].secs = field(1, " s");
            refs[i].cpu = field(2, " s CPU");
        }
    }

    println!();
    println!("GLUE, P = 10 manifolds × M = 50 points, N = 500, n_t = 200, κ = 0 (seconds)");
    println!("{:<44}{:>12}{:>12}", "", "points", "spheres");
    #[derive(Clone, Copy)]
    enum Of {
        Wall,
        Cpu,
        Longest,
    }
    let row = |label: &str, cells: [Cell; 2], of: Of| {
        print!("{label:<44}");
        for c in cells {
            let v = match of {
                Of::Wall => c.secs,
                Of::Cpu => c.cpu,
                Of::Longest => c.longest,
            };
            match v {
                Some(s) => print!("{:>12}", format!("{s:.4}")),
                None => print!("{:>12}", "-"),
            }
        }
        println!();
    };
    if reference.is_some() {
        row("reference (cvxopt QP per sample), wall", refs, Of::Wall);
        row("reference, CPU", refs, Of::Cpu);
    }
    row("native, 1 thread, wall (median)", native1, Of::Wall);
    row("native, 1 thread, CPU (median)", native1, Of::Cpu);
    row("native, 2 threads, wall (median)", native2, Of::Wall);
    row("wasm in Node, wall (median)", wasm, Of::Wall);
    row("wasm in Node, CPU (median)", wasm, Of::Cpu);
    row("native, longest unit", native1, Of::Longest);
    row("wasm, longest step (one advance call)", wasm, Of::Longest);
    println!();
    // By CPU time, which the load of other processes disturbs least.
    let ratio = |a: [Cell; 2], b: [Cell; 2]| -> Vec<Option<f64>> {
        (0..2).map(|i| Some(a[i].cpu? / b[i].cpu?)).collect()
    };
    let show = |v: &[Option<f64>]| {
        v.iter()
            .map(|r| r.map_or("-".into(), |r| format!("{r:.1}")))
            .collect::<Vec<_>>()
            .join(" / ")
    };
    if reference.is_some() {
        println!(
            "reference / native (1 thread), CPU (goal ≥ 20): {}",
            show(&ratio(refs, native1))
        );
    }
    println!(
        "wasm / native (1 thread), CPU (goal ≤ 2):       {}",
        show(&ratio(wasm, native1))
    );
    let worst = wasm.iter().filter_map(|c| c.longest).fold(0.0f64, f64::max);
    println!(
        "longest wasm step (goal ≤ 100 ms):              {:.1} ms",
        1000.0 * worst
    );
    println!();
    println!("native capacity bits: {native_bits}");
    println!("wasm capacity bits:   {wasm_bits}");
    if native_bits != wasm_bits {
        bail!("native and wasm computed different capacities (determinism broken)");
    }
    println!("native and wasm: identical bits");
    Ok(())
}

/// Per kind, the row with this thread count: median seconds (column 2),
/// the longest unit (column 9) and the median CPU seconds (column 10).
fn cells(out: &str, threads: &str) -> [Cell; 2] {
    let mut cells = [Cell::default(); 2];
    for line in out.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        if let Some(i) = KINDS.iter().position(|k| f.first() == Some(k)) {
            if f.get(1) == Some(&threads) {
                let num = |n: usize| f.get(n).and_then(|s| s.trim().parse::<f64>().ok());
                cells[i] = Cell {
                    secs: num(2),
                    cpu: num(10).filter(|c| c.is_finite()),
                    longest: num(9),
                };
            }
        }
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rows_and_bits() {
        let out = "# x\nkind\tthreads\npoints\t1\t0.15\t0.1\t0.2\t0.25\t0.6\t9.7\t0.7\t0.008\t0.12\npoints\t2\t0.09\t0.1\t0.2\t0.25\t0.6\t9.7\t0.7\t0.008\nspheres\t1\t0.13\t0.1\t0.2\t0.3\t0.7\t6\t0.7\t0.009\n# points capacity bits 3fd0 ambiguous share 0.000\n# spheres capacity bits 3fd4\n";
        let one = cells(out, "1");
        assert_eq!(one[0].secs, Some(0.15));
        assert_eq!(one[1].longest, Some(0.009));
        assert_eq!(one[0].cpu, Some(0.12));
        assert_eq!(one[1].cpu, None);
        assert_eq!(cells(out, "2")[0].secs, Some(0.09));
        assert_eq!(cells(out, "2")[1].secs, None);
        assert_eq!(bits(out), "points=3fd0 spheres=3fd4");
    }
}
