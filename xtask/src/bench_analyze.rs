//! `cargo xtask bench analyze [--sizes P×M×N,…] [--reps R] [--threads 2,1]`:
//! "Your data" at
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
//! Each at every thread count of `--threads` (default 2: NEUROGEOM_THREADS
//! for ours, OPENBLAS_NUM_THREADS for numpy). Times are wall seconds and CPU
//! seconds (every thread's; OpenBLAS's spinning threads count too). It
//! prints the machine's load average first and last (timings on a shared
//! machine are only comparable within one run), then one table.

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

/// (analysis → (median wall, median CPU) seconds) from rows `size,
/// analysis, median, min, max, CPU`.
fn medians(out: &str) -> BTreeMap<String, (f64, f64)> {
    out.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let num = |i: usize| f.get(i).and_then(|v| v.trim().parse::<f64>().ok());
            Some((f.get(1)?.to_string(), (num(2)?, num(5).unwrap_or(f64::NAN))))
        })
        .collect()
}

/// One row of the table: ours and numpy's (wall, CPU) seconds.
struct Row {
    name: String,
    ours: Option<(f64, f64)>,
    numpy: Option<(f64, f64)>,
}

pub fn run(
    root: &Path,
    sizes: &[(usize, usize, usize)],
    reps: usize,
    thread_counts: &[usize],
) -> Result<()> {
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
    let mut table: Vec<(String, Vec<Row>)> = Vec::new();
    for &(p, m, n) in sizes {
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
        for &threads in thread_counts {
            let t = threads.to_string();
            let label = format!("{p}×{m}×{n}, {threads} thr.");
            let ours = medians(&capture(
                Command::new(&example)
                    .env("NEUROGEOM_THREADS", &t)
                    .arg(&dir)
                    .arg(&reps_s),
            )?);
            let numpy = medians(&capture(
                Command::new(&python)
                    .current_dir(root)
                    .env("OPENBLAS_NUM_THREADS", &t)
                    .env("OMP_NUM_THREADS", &t)
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
                rows.push(Row {
                    name: name.to_string(),
                    ours: ours.get(name).copied(),
                    numpy: numpy.get(name).copied(),
                });
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
                cmd.env("NEUROGEOM_THREADS", &t)
                    .arg("analyze")
                    .arg(dir.join("X.npy"))
                    .arg("--labels")
                    .arg(dir.join("y.npy"))
                    .args(flags);
                eprintln!("xtask: $ {}", crate::show(&cmd));
                let started = Instant::now();
                let out = cmd.output().context("running neurogeom analyze")?;
                let secs = started.elapsed().as_secs_f64();
                if !out.status.success() {
                    bail!(
                        "neurogeom analyze failed: {}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
                let err = String::from_utf8_lossy(&out.stderr);
                let field = |key: &str| {
                    err.lines()
                        .find(|l| l.contains(key))
                        .and_then(|l| l.rsplit(':').next())
                        .and_then(|v| v.trim().parse::<f64>().ok())
                };
                let cpu = match (field("User time (seconds)"), field("System time (seconds)")) {
                    (Some(u), Some(s)) => u + s,
                    _ => f64::NAN,
                };
                rows.push(Row {
                    name: name.to_string(),
                    ours: Some((secs, cpu)),
                    numpy: None,
                });
                if let (true, Some(kb)) = (
                    name.contains("every default"),
                    field("Maximum resident set size"),
                ) {
                    let mb = kb * 1024.0 / 1e6;
                    println!(
                        "{label}\tpeak memory\t{mb:.0} MB\t{:.2}× the data's {data_mb:.0} MB",
                        mb / data_mb
                    );
                    rows.push(Row {
                        name: format!("peak memory MB (data {data_mb:.0} MB)"),
                        ours: Some((mb, mb / data_mb)),
                        numpy: None,
                    });
                }
            }
            table.push((label, rows));
        }
    }
    let ended = load_average();
    println!();
    println!("load average: {started} at the start, {ended} at the end (2 cores)");
    println!(
        "{:<40} {:>22} {:>9} {:>9} {:>7} {:>9} {:>9} {:>7}",
        "what", "size", "ours s", "numpy s", "ratio", "ours CPU", "np CPU", "ratio"
    );
    let cell = |v: Option<f64>| match v {
        Some(x) if x.is_finite() => format!("{x:.3}"),
        _ => "-".into(),
    };
    let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if b > 0.0 && a.is_finite() => format!("{:.2}", a / b),
        _ => "-".into(),
    };
    for (label, rows) in &table {
        for r in rows {
            let (ow, oc) = (r.ours.map(|o| o.0), r.ours.map(|o| o.1));
            let (nw, nc) = (r.numpy.map(|o| o.0), r.numpy.map(|o| o.1));
            println!(
                "{:<40} {:>22} {:>9} {:>9} {:>7} {:>9} {:>9} {:>7}",
                r.name,
                label,
                cell(ow),
                cell(nw),
                ratio(ow, nw),
                cell(oc),
                cell(nc),
                ratio(oc, nc)
            );
        }
    }
    Ok(())
}
