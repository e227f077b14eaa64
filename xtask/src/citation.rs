//! CITATION.cff against the Citation File Format schema, with the
//! reference validator `cffconvert --validate` (PyPI), in a venv under
//! `target/cff-venv`. The first run creates the venv and installs
//! cffconvert (PyPI must be reachable once); later runs are offline.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::show;

pub const FILE: &str = "CITATION.cff";
/// cffconvert 2.0.0 validates against CFF 1.2.0, the version the file declares.
const PACKAGE: &str = "cffconvert==2.0.0";

/// The venv's cffconvert, created and installed if missing.
fn cffconvert(root: &Path) -> Result<PathBuf> {
    Ok(crate::venv::ensure(root, "cff-venv", &[PACKAGE])?.join("bin/cffconvert"))
}

/// Validate CITATION.cff; a one-line summary.
pub fn check(root: &Path) -> Result<String> {
    let exe = cffconvert(root)?;
    let mut cmd = Command::new(&exe);
    cmd.current_dir(root).args(["--validate", "-i", FILE]);
    eprintln!("xtask: $ {}", show(&cmd));
    let out = cmd
        .output()
        .with_context(|| format!("could not run {}", exe.display()))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if !out.status.success() {
        bail!("{FILE} does not validate:\n{}", text.trim());
    }
    Ok(format!("{FILE}: {}", text.trim()))
}
