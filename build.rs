//! The version every face reports (`neurogeom --version`, snapshots, links'
//! `ng=`, the page): the release from Cargo.toml plus, as semver build
//! metadata, the short commit the build was made from: `0.2.0+f609125`.
//!
//! Where the commit comes from, first found:
//! 1. `NEUROGEOM_COMMIT` in the build's environment (a packager that knows
//!    it; an empty value means "no commit": the plain release);
//! 2. `git rev-parse --short=7 HEAD` in the source tree;
//! 3. `.cargo_vcs_info.json`, which `cargo package` writes into a crate's
//!    source tarball (`{"git": {"sha1": "…"}}`);
//! 4. none: a source tarball without either gives the plain release, `0.2.0`.
//!
//! Cargo reruns this script when HEAD moves (the files git keeps it in are
//! watched), so a new commit gives a new version without a clean build. A
//! tree with uncommitted changes reports the commit it started from.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let release = std::env::var("CARGO_PKG_VERSION").expect("cargo sets CARGO_PKG_VERSION");
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    println!("cargo:rerun-if-env-changed=NEUROGEOM_COMMIT");
    println!("cargo:rerun-if-changed=build.rs");

    let commit = match std::env::var("NEUROGEOM_COMMIT") {
        Ok(c) => Some(c.trim().to_string()).filter(|c| !c.is_empty()),
        Err(_) => git_commit(&root).or_else(|| vcs_info_commit(&root)),
    };
    let version = match commit {
        Some(c) if c.chars().all(|ch| ch.is_ascii_alphanumeric()) => format!("{release}+{c}"),
        _ => release,
    };
    println!("cargo:rustc-env=NEUROGEOM_VERSION={version}");
}

/// The short commit of HEAD, and the files to watch for it to change.
fn git_commit(root: &Path) -> Option<String> {
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git")
            .args(args)
            .current_dir(root)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let commit = git(&["rev-parse", "--short=7", "HEAD"])?;
    // HEAD lives in the (worktree's) git dir; the branch it names, in the
    // common dir, loose or packed.
    let absolute = |p: String| {
        let p = PathBuf::from(p);
        if p.is_absolute() {
            p
        } else {
            root.join(p)
        }
    };
    if let Some(dir) = git(&["rev-parse", "--git-dir"]).map(absolute) {
        watch(&dir.join("HEAD"));
    }
    if let Some(common) = git(&["rev-parse", "--git-common-dir"]).map(absolute) {
        watch(&common.join("packed-refs"));
        if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
            watch(&common.join(branch));
        }
    }
    Some(commit)
}

/// Cargo reruns a script whose watched file is missing on every build, so
/// only files that exist are watched.
fn watch(path: &Path) {
    if path.is_file() {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}

/// The commit `cargo package` recorded in a crate's source tarball.
fn vcs_info_commit(root: &Path) -> Option<String> {
    let text = std::fs::read_to_string(root.join(".cargo_vcs_info.json")).ok()?;
    let at = text.find("\"sha1\"")?;
    let rest = &text[at + "\"sha1\"".len()..];
    let start = rest.find('"')? + 1;
    let sha: String = rest[start..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    (sha.len() >= 7).then(|| sha[..7].to_string())
}
