//! The Python bindings (`crates/neurogeom-py`) in `cargo xtask test`: the
//! wheel built by maturin and installed with pip into a venv under
//! `target/py-venv` (made once from PyPI, [`crate::venv`]), then pytest on
//! `crates/neurogeom-py/tests` with `NEUROGEOM_CLI` set to the release CLI,
//! whose numbers and hashes the tests compare against.
//!
//! The wheel is installed the way the README says (`pip install
//! ./crates/neurogeom-py`), without build isolation so that the venv's
//! maturin builds it offline and cargo reuses `target/release`.

use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::{run_status, show};

pub const CRATE_DIR: &str = "crates/neurogeom-py";

/// What the tests and the example notebook import. Versions are left to
/// pip (the newest that suit this Python); the stamp pins what was
/// installed until this list changes.
pub const PACKAGES: &[&str] = &[
    "maturin>=1.9,<2",
    "numpy",
    "pytest",
    "hypothesis",
    "dask[distributed]",
    "nbclient",
    "nbformat",
    "ipykernel",
    "matplotlib",
];

/// The venv with the packages and the freshly built wheel installed.
pub fn install(root: &Path) -> Result<std::path::PathBuf> {
    let venv = crate::venv::ensure(root, "py-venv", PACKAGES)?;
    let bin = venv.join("bin");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![bin.clone()];
    paths.extend(std::env::split_paths(&path));
    run_status(
        Command::new(bin.join("pip"))
            .current_dir(root)
            .args([
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-build-isolation",
                "--no-deps",
                "--force-reinstall",
            ])
            .arg(format!("./{CRATE_DIR}"))
            // maturin from the venv, found on PATH by pip's build hook.
            .env("PATH", std::env::join_paths(paths)?),
    )
    .context("could not build and install the Python wheel")?;
    Ok(venv)
}

/// Build and install the wheel, run pytest; a one-line summary.
pub fn test(root: &Path, cli: &Path) -> Result<String> {
    let t = Instant::now();
    let venv = install(root)?;
    let mut cmd = Command::new(venv.join("bin/python"));
    cmd.current_dir(root)
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .arg(format!("{CRATE_DIR}/tests"))
        .env("NEUROGEOM_CLI", cli);
    let shown = show(&cmd);
    eprintln!("xtask: $ NEUROGEOM_CLI={} {shown}", cli.display());
    let out = cmd
        .output()
        .with_context(|| format!("could not start `{shown}`"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    let last = stdout
        .lines()
        .rev()
        .find(|l| l.contains(" passed") || l.contains(" failed") || l.contains("no tests ran"))
        .unwrap_or("no result line")
        .trim()
        .to_string();
    if !out.status.success() {
        bail!("Python tests failed: {last}");
    }
    if !last.contains(" passed") {
        bail!("the Python tests ran no test ({last}); that is a failure, not a pass");
    }
    Ok(format!(
        "Python tests: {} ({:.0} s)",
        last.trim_matches('='),
        t.elapsed().as_secs_f64()
    ))
}
