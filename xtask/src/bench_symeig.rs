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

/// One tool's rows: (n, solver) → (median seconds, checksum text).
fn rows(out: &str) -> BTreeMap<(usize, String), (f64, String)> {
    out.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("n\t"))
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let n = f.first()?.trim().parse().ok()?;
            let t = f.get(2)?.trim().parse().ok()?;
            Some(((n, f.get(1)?.to_string()), (t, f.get(4).unwrap_or(&"").to_string())))
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
    cmd.args(["run", "--quiet", "--release", "--example", "bench_symeig", "--"]);
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
    println!("# load average before numpy (default threads): {}", load_average());
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
    println!(
        "{:<6} {:<17} {:>10} {:>10} {:>12} {:>12} {:>13} {:>11}",
        "N", "what", "native s", "wasm s", "numpy 1t s", "numpy s", "native/np1t", "wasm/np1t"
    );
    let mut differ = Vec::new();
    for &n in sizes {
        for solver in solvers.split(',') {
            let reference = if solver.ends_with("values") { "eigvalsh" } else { "eigh" };
            let np1 = numpy1.get(&(n, format!("numpy-{reference}-1t"))).map(|r| r.0);
            let np = numpy.get(&(n, format!("numpy-{reference}"))).map(|r| r.0);
            let nat = native.get(&(n, solver.to_string()));
            let wa = wasm_rows.get(&(n, solver.to_string()));
            if let (Some(a), Some(b)) = (nat, wa) {
                if OURS.contains(&solver) && a.1 != b.1 {
                    differ.push(format!("N = {n} {solver}: native {} ≠ wasm {}", a.1, b.1));
                }
            }
            let (nat, wa) = (nat.map(|r| r.0), wa.map(|r| r.0));
            println!(
                "{:<6} {:<17} {:>10} {:>10} {:>12} {:>12} {:>13} {:>11}",
                n,
                solver,
                cell(nat),
                cell(wa),
                cell(np1),
                cell(np),
                ratio(nat, np1),
                ratio(wa, np1)
            );
        }
    }
    if !differ.is_empty() {
        bail!(
            "our solver's checksums differ between native and wasm:\n{}",
            differ.join("\n")
        );
    }
    println!("\nour checksums: identical bits natively and in wasm");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rows_and_sizes() {
        let out = "# native\nn\tsolver\tmedian s\treps\tchecksum\n1000\tvalues\t0.3727\t3\t2.88e5\n";
        let r = rows(out);
        assert_eq!(
            r.get(&(1000, "values".to_string())),
            Some(&(0.3727, "2.88e5".to_string()))
        );
        assert_eq!(sizes(None).unwrap(), vec![1000, 2000, 4000]);
        assert_eq!(sizes(Some("10, 20".into())).unwrap(), vec![10, 20]);
        assert!(sizes(Some("0".into())).is_err());
        assert!(sizes(Some("5000".into())).is_err());
    }
}
