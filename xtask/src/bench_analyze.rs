//! `cargo xtask bench analyze [--sizes P×M×N,…] [--reps R]`: "Your data" at
//! the scale of real recordings (docs/benchmarks.md, "Your data at scale").
//!
//! For each size (default 10×50×100, 50×100×500, 100×100×1000 and
//! 100×400×2000: P classes × M points × N features, Gaussian clouds written
//! by numpy into `target/bench-analyze/PxMxN/`), in one run:
//!
//! 1. ours, in process (`examples/bench_analyze.rs`): each analysis alone
//!    (median of R), with the second moment and the symmetric eigensolver
//!    apart, MFTMA alone, and every default analysis together;
//! 2. numpy's equivalent of each non-MFTMA analysis in the same process
//!    (`bench/analyze_numpy.py`, a venv in `target/venv`);
//! 3. `neurogeom analyze` as whole processes under `/usr/bin/time -v`
//!    (wall time, and peak memory against the data's f64 size): every
//!    default analysis, everything but MFTMA, MFTMA alone, nothing optional.
//!
//! It prints the machine's load average first and last (timings on a
//! shared machine are only comparable within one run), then one table.

use crate::bench::{capture, numpy_venv};
use crate::cargo;
use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// The default sizes, (P, M, N).
pub const SIZES: [(usize, usize, usize); 4] = [
    (10, 50, 100),
    (50, 100, 500),
    (100, 100, 1000),
    (100, 400, 2000),
];

/// The whole-process runs: a name and `neurogeom analyze`'s flags.
const PROCESSES: [(&str, &[&str]); 4] = [
    ("process: every default analysis", &[]),
    ("process: everything but MFTMA", &["--no-mftma"]),
    (
        "process: MFTMA alone",
        &["--no-alignment", "--no-collapse", "--no-rdm", "--no-pca"],
    ),
    (
        "process: nothing optional (PR, PCs)",
        &[
            "--no-mftma",
            "--no-alignment",
            "--no-collapse",
            "--no-rdm",
            "--no-pca",
        ],
    ),
];

/// Parse `10x50x100,50x100x500` (× or x).
pub fn parse_sizes(text: &str) -> Result<Vec<(usize, usize, usize)>> {
    text.split(',')
        .map(|s| {
            let parts: Vec<usize> = s
                .split(['x', '×'])
                .map(|p| p.trim().parse::<usize>())
                .collect::<Result<_, _>>()
                .with_context(|| format!("size {s:?}: expected P×M×N"))?;
            match parts.as_slice() {
                [p, m, n] if *p >= 2 && *m >= 2 && *n >= 1 => Ok((*p, *m, *n)),
                _ => bail!("size {s:?}: expected P×M×N with P, M ≥ 2"),
            }
        })
        .collect()
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// (analysis → median seconds) from rows `size, analysis, median, …`.
fn medians(out: &str) -> BTreeMap<String, f64> {
    out.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Some((f.get(1)?.to_string(), f.get(2)?.trim().parse().ok()?))
        })
        .collect()
}

pub fn run(root: &Path, sizes: &[(usize, usize, usize)], reps: usize) -> Result<()> {
    let started = load_average();
    eprintln!("xtask: load average at the start: {started}");
    let python = numpy_venv(root)?;
    crate::run_status(cargo(root).args([
        "build",
        "--release",
        "--bin",
        "neurogeom",
        "--example",
        "bench_analyze",
    ]))?;
    let cli = root.join("target/release/neurogeom");
    let example = root.join("target/release/examples/bench_analyze");
    let time_v = Path::new("/usr/bin/time").exists();
    let reps_s = reps.to_string();
    // (size label, row) → (ours, numpy) seconds; memory rows apart.
    let mut table: Vec<(String, Vec<(String, Option<f64>, Option<f64>)>)> = Vec::new();
    for &(p, m, n) in sizes {
        let label = format!("{p}×{m}×{n}");
        let dir = root.join(format!("target/bench-analyze/{p}x{m}x{n}"));
        if !dir.join("X.npy").exists() || !dir.join("y.npy").exists() {
            std::fs::create_dir_all(&dir)?;
            crate::run_status(
                Command::new(&python)
                    .current_dir(root)
                    .arg("bench/analyze_numpy.py")
                    .arg("write")
                    .arg(&dir)
                    .args([p.to_string(), m.to_string(), n.to_string()]),
            )?;
        }
        let ours = medians(&capture(Command::new(&example).arg(&dir).arg(&reps_s))?);
        let numpy = medians(&capture(
            Command::new(&python)
                .current_dir(root)
                .arg("bench/analyze_numpy.py")
                .arg("time")
                .arg(&dir)
                .arg(&reps_s),
        )?);
        let mut rows = Vec::new();
        for name in [
            "load",
            "moment",
            "eigvalsh",
            "eigh",
            "dimensionality",
            "pca",
            "collapse",
            "alignment",
            "rdm",
            "cka",
            "mftma",
            "all",
        ] {
            rows.push((
                name.to_string(),
                ours.get(name).copied(),
                numpy.get(name).copied(),
            ));
        }
        let data_mb = (p * m * n * 8) as f64 / 1e6;
        for (name, flags) in PROCESSES {
            let mut cmd = if time_v {
                let mut c = Command::new("/usr/bin/time");
                c.arg("-v").arg(&cli);
                c
            } else {
                Command::new(&cli)
            };
            cmd.arg("analyze")
                .arg(dir.join("X.npy"))
                .arg("--labels")
                .arg(dir.join("y.npy"))
                .args(flags);
            eprintln!("xtask: $ {}", crate::show(&cmd));
            let t = Instant::now();
            let out = cmd.output().context("running neurogeom analyze")?;
            let secs = t.elapsed().as_secs_f64();
            if !out.status.success() {
                bail!(
                    "neurogeom analyze failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            rows.push((name.to_string(), Some(secs), None));
            if name.contains("every default") {
                let err = String::from_utf8_lossy(&out.stderr);
                if let Some(kb) = err
                    .lines()
                    .find(|l| l.contains("Maximum resident set size"))
                    .and_then(|l| l.rsplit(':').next())
                    .and_then(|v| v.trim().parse::<f64>().ok())
                {
                    let mb = kb * 1024.0 / 1e6;
                    println!(
                        "{label}\tpeak memory\t{mb:.0} MB\t{:.2}× the data's {data_mb:.0} MB",
                        mb / data_mb
                    );
                    rows.push(("peak memory ÷ data (f64)".into(), Some(mb / data_mb), None));
                }
            }
        }
        table.push((label, rows));
    }
    let ended = load_average();
    println!();
    println!("load average: {started} at the start, {ended} at the end (2 cores)");
    println!(
        "{:<40} {:>12} {:>10} {:>10} {:>9}",
        "size / what", "", "ours s", "numpy s", "ratio"
    );
    for (label, rows) in &table {
        for (name, ours, numpy) in rows {
            let cell = |v: &Option<f64>| v.map(|x| format!("{x:.3}")).unwrap_or_else(|| "-".into());
            let ratio = match (ours, numpy) {
                (Some(a), Some(b)) if *b > 0.0 => format!("{:.2}", a / b),
                _ => "-".into(),
            };
            println!(
                "{:<40} {:>12} {:>10} {:>10} {:>9}",
                name,
                label,
                cell(ours),
                cell(numpy),
                ratio
            );
        }
    }
    Ok(())
}
