//! The symmetric eigensolver (`metrics::eigen::symmetric`) gives the same
//! bits in the wasm build (Node) and natively, on the benchmark matrices at
//! sizes that take every path: 1 and 2, the QL/QR solver alone (≤ 25), the
//! unblocked and blocked reductions (≤ 128 and beyond), and the divide and
//! conquer a few merges deep. Eigenvalues only and with eigenvectors.
//!
//! Both runners print, per case, a checksum and a hash of every output bit,
//! formatted by the library (`bench::run`), so equal text means equal bits:
//! the native one is `examples/bench_symeig.rs`, the wasm one
//! `bench/symeig_wasm.mjs` (reading `www/pkg`). The presets check the
//! solver inside the labs too ([`super::preset_hashes`]); this checks it on
//! its own, where a difference would be found first.

use crate::bench::capture;
use crate::bench_symeig::rows;
use crate::cargo;
use anyhow::{bail, Result};
use std::path::Path;
use std::process::Command;

/// The sizes checked.
const SIZES: [usize; 6] = [1, 2, 3, 30, 129, 300];

/// Run both sides and compare; a one-line summary.
pub fn check(root: &Path) -> Result<String> {
    let list: Vec<String> = SIZES.iter().map(|n| n.to_string()).collect();
    let mut cmd = cargo(root);
    cmd.args([
        "run",
        "--quiet",
        "--release",
        "--example",
        "bench_symeig",
        "--",
    ])
    .args(&list)
    .args(["--solvers", "values,vectors", "--reps", "1"]);
    let native = rows(&capture(&mut cmd)?);
    let mut cmd = Command::new("node");
    cmd.current_dir(root)
        .args(["bench/symeig_wasm.mjs", &list.join(","), "values,vectors"]);
    let wasm = rows(&capture(&mut cmd)?);
    let mut problems = Vec::new();
    for &n in &SIZES {
        for solver in ["values", "vectors"] {
            let key = (n, solver.to_string());
            match (native.get(&key), wasm.get(&key)) {
                (Some(a), Some(b)) if a.check == b.check && !a.check.starts_with("NaN") => {}
                (a, b) => problems.push(format!(
                    "N = {n} {solver}: native {:?}, wasm {:?}",
                    a.map(|r| &r.check),
                    b.map(|r| &r.check)
                )),
            }
        }
    }
    if !problems.is_empty() {
        bail!(
            "the symmetric eigensolver differs between wasm and native:\n{}",
            problems.join("\n")
        );
    }
    Ok(format!(
        "symmetric eigensolver: {} cases, same bits in wasm and natively",
        SIZES.len() * 2
    ))
}
