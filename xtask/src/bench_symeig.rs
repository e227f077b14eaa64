//! `cargo xtask bench symeig [--sizes 1000,2000,4000] [--nalgebra]`: the
//! symmetric eigensolver (`metrics::eigen::symmetric`, docs/benchmarks.md)
//! natively (`examples/bench_symeig.rs`) and in wasm in Node
//! (`bench/symeig_wasm.mjs`), against numpy's `eigvalsh` and `eigh` on the
//! very matrices the native run writes (`bench/symeig_numpy.py`, venv in
//! `target/venv`), with one BLAS thread and with OpenBLAS's default.
//! `--nalgebra` adds nalgebra's `symmetric_eigen` (slow: about 15 minutes
//! natively at N = 4000 with eigenvectors).
//!
//! Prints every tool's rows, the 1-minute load average before each, then
//! one table of median seconds and ratios to numpy on one thread. Fails if
//! our checksums differ between native and wasm (they must be the same
//! bits).

use crate::bench::{capture, load_average, numpy_venv};
use crate::{cargo, wasm};
use anyhow::{bail, Result};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// Our solvers and nalgebra's, as the runners name them.
const OURS: [&str; 2] = ["values", "vectors"];
const NALGEBRA: [&str; 2] = ["nalgebra-values", "nalgebra-vectors"];

/// Parse `--sizes` (default 1000, 2000, 4000; each 1..=4000, the wasm
/// entry point's limit).
pub fn sizes(value: Option<String>) -> Result<Vec<usize>> {
    let Some(s) = value else {
        return Ok(vec![1000, 2000, 4000]);
    };
    let mut out = Vec::new();
    for part in s.split(',') {
        match part.trim().parse::<usize>() {
            Ok(n) if (1..=4000).contains(&n) => out.push(n),
            _ => bail!("--sizes takes numbers 1..=4000 separated by commas, got {s:?}"),
        }
    }
    Ok(out)
}

/// One tool's row: median wall and CPU seconds, and the checksum text
/// (checksum and bits hash for our runners, the checksum for numpy).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Row {
    pub wall: f64,
    pub cpu: f64,
    pub check: String,
}

/// A tool's rows by (n, solver); columns n, solver, median s, cpu s, reps,
/// checksum[, bits].
pub(crate) fn rows(out: &str) -> BTreeMap<(usize, String), Row> {
    out.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("n\t"))
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let n = f.first()?.trim().parse().ok()?;
            let row = Row {
                wall: f.get(2)?.trim().parse().ok()?,
                cpu: f.get(3)?.trim().parse().ok()?,
                check: f.get(5..).unwrap_or(&[]).join(" "),
            };
            Some(((n, f.get(1)?.to_string()), row))
        })
        .collect()
}

pub fn run(root: &Path, sizes: &[usize], nalgebra: bool) -> Result<()> {
    let list = sizes.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    let mut solvers: Vec<&str> = OURS.to_vec();
    if nalgebra {
        solvers.extend(NALGEBRA);
    }
    let solvers = solvers.join(",");

    println!("# load average before native: {}", load_average());
    let mut cmd = cargo(root);
    cmd.args([
        "run",
        "--quiet",
        "--release",
        "--example",
        "bench_symeig",
        "--",
    ]);
    cmd.args(&list).args(["--solvers", &solvers]);
    let native = capture(&mut cmd)?;

    let python = numpy_venv(root)?;
    println!("# load average before numpy (1 thread): {}", load_average());
    let mut cmd = Command::new(&python);
    cmd.current_dir(root)
        .arg("bench/symeig_numpy.py")
        .args(&list)
        .env("OPENBLAS_NUM_THREADS", "1")
        .env("OMP_NUM_THREADS", "1");
    let numpy1 = capture(&mut cmd)?;
    println!(
        "# load average before numpy (default threads): {}",
        load_average()
    );
    let mut cmd = Command::new(&python);
    cmd.current_dir(root)
        .arg("bench/symeig_numpy.py")
        .args(&list)
        .env_remove("OPENBLAS_NUM_THREADS")
        .env_remove("OMP_NUM_THREADS");
    let numpy = capture(&mut cmd)?;

    wasm::build(root, wasm::Profile::Release)?;
    println!("# load average before wasm: {}", load_average());
    let mut cmd = Command::new("node");
    cmd.current_dir(root)
        .args(["bench/symeig_wasm.mjs", &list.join(","), &solvers]);
    let wasm_out = capture(&mut cmd)?;
    println!("# load average after: {}", load_average());

    let (native, wasm_rows) = (rows(&native), rows(&wasm_out));
    let (numpy1, numpy) = (rows(&numpy1), rows(&numpy));
    let cell = |v: Option<f64>| v.map(|x| format!("{x:.3}")).unwrap_or_else(|| "-".into());
    let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}", a / b),
        _ => "-".into(),
    };
    println!();
    println!("median seconds, wall (CPU); ratios to numpy on one thread, by wall and by CPU time");
    println!(
        "{:<5} {:<17} {:>16} {:>16} {:>16} {:>9} {:>15} {:>15}",
        "N", "what", "native", "wasm", "numpy 1 thread", "numpy", "native/np", "wasm/np"
    );
    let pair = |r: Option<&Row>| match r {
        Some(r) => format!("{:.3} ({:.3})", r.wall, r.cpu),
        None => "-".into(),
    };
    let ratios = |r: Option<&Row>, np: Option<&Row>| match (r, np) {
        (Some(r), Some(np)) => format!(
            "{} ({})",
            ratio(Some(r.wall), Some(np.wall)),
            ratio(Some(r.cpu), Some(np.cpu))
        ),
        _ => "-".into(),
    };
    let mut differ = Vec::new();
    for &n in sizes {
        for solver in solvers.split(',') {
            let reference = if solver.ends_with("values") {
                "eigvalsh"
            } else {
                "eigh"
            };
            let np1 = numpy1.get(&(n, format!("numpy-{reference}-1t")));
            let np = numpy
                .get(&(n, format!("numpy-{reference}")))
                .map(|r| r.wall);
            let nat = native.get(&(n, solver.to_string()));
            let wa = wasm_rows.get(&(n, solver.to_string()));
            if let (Some(a), Some(b)) = (nat, wa) {
                if OURS.contains(&solver) && a.check != b.check {
                    differ.push(format!(
                        "N = {n} {solver}: native {} ≠ wasm {}",
                        a.check, b.check
                    ));
                }
            }
            println!(
                "{:<5} {:<17} {:>16} {:>16} {:>16} {:>9} {:>15} {:>15}",
                n,
                solver,
                pair(nat),
                pair(wa),
                pair(np1),
                cell(np),
                ratios(nat, np1),
                ratios(wa, np1)
            );
        }
    }
    if !differ.is_empty() {
        bail!(
            "our solver's results differ between native and wasm:\n{}",
            differ.join("\n")
        );
    }
    println!("\nour results: identical bits natively and in wasm (checksum and bits hash)");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rows_and_sizes() {
        let out = "# native\nn\tsolver\tmedian s\tcpu s\treps\tchecksum\tbits\n1000\tvalues\t0.3727\t0.35\t3\t2.88e5\tab12\n";
        let r = rows(out);
        assert_eq!(
            r.get(&(1000, "values".to_string())),
            Some(&Row {
                wall: 0.3727,
                cpu: 0.35,
                check: "2.88e5 ab12".to_string()
            })
        );
        assert_eq!(sizes(None).unwrap(), vec![1000, 2000, 4000]);
        assert_eq!(sizes(Some("10, 20".into())).unwrap(), vec![10, 20]);
        assert!(sizes(Some("0".into())).is_err());
        assert!(sizes(Some("5000".into())).is_err());
    }
}
