//! Python venvs under `target/`, made once from PyPI: the one function every
//! xtask step that needs Python packages uses (CITATION.cff's validator, the
//! Python bindings' tests).
//!
//! `ensure(root, NAME, packages)` creates `target/NAME` with `python3 -m
//! venv` if it is missing and installs `packages` with pip. A stamp file in
//! the venv records the list it installed, so a later run with the same list
//! starts at once and offline, and a changed list installs again.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{run_status, target_dir};

const STAMP: &str = "xtask-packages.txt";

/// The venv `target/NAME` with `packages` installed; returns its folder.
pub fn ensure(root: &Path, name: &str, packages: &[&str]) -> Result<PathBuf> {
    let venv = target_dir(root).join(name);
    let stamp = venv.join(STAMP);
    let wanted = packages.join("\n");
    let python = venv.join("bin/python");
    if python.is_file() && std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return Ok(venv);
    }
    if !python.is_file() {
        eprintln!(
            "xtask: creating {} with {} (once; needs PyPI)",
            venv.display(),
            packages.join(" ")
        );
        run_status(Command::new("python3").args(["-m", "venv"]).arg(&venv))
            .context("could not create a Python venv (apt-get install python3-venv)")?;
    }
    let pip = venv.join("bin/pip");
    // Three tries: a registry that drops a connection should not fail CI.
    let mut last = None;
    for attempt in 1..=3 {
        match run_status(
            Command::new(&pip)
                .args(["install", "--quiet", "--disable-pip-version-check"])
                .args(packages),
        ) {
            Ok(()) => {
                last = None;
                break;
            }
            Err(e) => {
                eprintln!("xtask: pip install failed (try {attempt} of 3)");
                last = Some(e);
            }
        }
    }
    if let Some(e) = last {
        return Err(e).with_context(|| {
            format!(
                "could not install {} into {}: PyPI is needed once; run `{} install {}` where it is reachable",
                packages.join(" "),
                venv.display(),
                pip.display(),
                packages.join(" ")
            )
        });
    }
    std::fs::write(&stamp, &wanted)
        .with_context(|| format!("could not write {}", stamp.display()))?;
    Ok(venv)
}
