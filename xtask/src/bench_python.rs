//! `cargo xtask bench python --reference PYTHON [--reps N]`: the Python
//! bindings' MFTMA against the published one in one Python process, on the
//! capacity benchmark's data (docs/benchmarks.md, "MFTMA from Python").
//!
//! 1. the data written as CSV to `target/capdata/` by the
//!    `bench_capacity` example (P = 50, M = 100, N = 500, points and
//!    spheres);
//! 2. the wheel built by maturin (the venv of the tests, [`crate::python`])
//!    into `target/wheels/`, and unpacked with PYTHON's pip into
//!    `target/bench-python-site/` (nothing is installed into PYTHON itself);
//! 3. `bench/python_mftma.py` run by PYTHON with that folder on PYTHONPATH:
//!    `neurogeom.mftma` (median of N) and `manifold_analysis_corr`
//!    (once), interleaved.

use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::Command;

use crate::bench::capture;
use crate::{cargo, run_status, target_dir};

pub fn run(root: &Path, python: &str, reps: usize) -> Result<()> {
    let python = std::path::PathBuf::from(python);
    if !python.exists() {
        bail!(
            "--reference {}: no such Python interpreter (give one in which the published package imports as `mftma`)",
            python.display()
        );
    }
    run_status(cargo(root).args(["build", "--release", "--example", "bench_capacity"]))?;
    let data = target_dir(root).join("capdata");
    std::fs::create_dir_all(&data)?;
    capture(
        Command::new(target_dir(root).join("release/examples/bench_capacity"))
            .args(["--reps", "1", "--write-data"])
            .arg(&data),
    )?;

    let venv = crate::venv::ensure(root, "py-venv", crate::python::PACKAGES)?;
    let wheels = target_dir(root).join("wheels");
    let _ = std::fs::remove_dir_all(&wheels);
    run_status(
        Command::new(venv.join("bin/maturin"))
            .current_dir(root.join(crate::python::CRATE_DIR))
            .args(["build", "--release", "--quiet", "--out"])
            .arg(&wheels),
    )?;
    let wheel = std::fs::read_dir(&wheels)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|e| e == "whl"))
        .context("maturin built no wheel")?;
    let site = target_dir(root).join("bench-python-site");
    let _ = std::fs::remove_dir_all(&site);
    run_status(
        Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "--no-deps", "--target"])
            .arg(&site)
            .arg(&wheel),
    )?;
    let mut cmd = Command::new(&python);
    cmd.current_dir(root)
        .env("PYTHONPATH", &site)
        .env("OMP_NUM_THREADS", "1")
        .env("OPENBLAS_NUM_THREADS", "1")
        .arg("bench/python_mftma.py")
        .arg(&data)
        .args(["--reps", &reps.to_string()]);
    capture(&mut cmd)?;
    Ok(())
}
