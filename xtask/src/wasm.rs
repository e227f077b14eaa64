//! The wasm build: compile the core crate for `wasm32-unknown-unknown`, then
//! run wasm-bindgen *as a library* (`wasm-bindgen-cli-support`) to write
//! `www/pkg/neurogeom.js` and `www/pkg/neurogeom_bg.wasm`.
//!
//! The support crate must be exactly the `wasm-bindgen` version in
//! Cargo.lock, since the generated JS glue and the wasm's custom sections
//! must agree; [`check_bindgen_versions`] enforces that before anything runs.

use crate::{cargo, run_status, target_dir};
use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

pub const TARGET: &str = "wasm32-unknown-unknown";
/// The crate compiled to wasm, and the base name of the generated files.
const CRATE: &str = "neurogeom";
/// Where the page imports the module from: `www/` loads `./pkg/neurogeom.js`.
pub const PKG_DIR: &str = "www/pkg";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// Cargo's `wasm` profile (see Cargo.toml): optimised, with LTO.
    Release,
    Debug,
    /// What `cargo xtask dist` ships: the `wasm` profile's build without
    /// its name and producers sections.
    Dist,
}

impl Profile {
    pub fn from_debug_flag(debug: bool) -> Self {
        if debug {
            Profile::Debug
        } else {
            Profile::Release
        }
    }

    fn dir(self) -> &'static str {
        match self {
            Profile::Release | Profile::Dist => "wasm",
            Profile::Debug => "debug",
        }
    }
}

/// What a build produced.
pub struct Built {
    /// Size of `www/pkg/neurogeom_bg.wasm`.
    pub wasm_bytes: u64,
}

/// Build the core for wasm32 and generate the JS bindings into `www/pkg/`.
pub fn build(root: &Path, profile: Profile) -> Result<Built> {
    build_into(root, profile, &root.join(PKG_DIR))
}

/// The wasm package of `cargo xtask dist`, in `target/dist-pkg/`.
pub fn build_dist(root: &Path) -> Result<std::path::PathBuf> {
    let dir = target_dir(root).join("dist-pkg");
    build_into(root, Profile::Dist, &dir)?;
    Ok(dir)
}

fn build_into(root: &Path, profile: Profile, out_dir: &Path) -> Result<Built> {
    let started = Instant::now();
    // Fail before a long compile if the versions cannot work together.
    check_bindgen_versions(&root.join("Cargo.lock"))?;
    ensure_wasm_target()?;

    let mut cmd = cargo(root);
    cmd.args(["build", "--lib", "--target", TARGET, "-p", CRATE]);
    if profile != Profile::Debug {
        cmd.args(["--profile", profile.dir()]);
    }
    run_status(&mut cmd)?;

    let input = target_dir(root)
        .join(TARGET)
        .join(profile.dir())
        .join(format!("{CRATE}.wasm"));
    if !input.is_file() {
        bail!(
            "cargo did not produce {} (is `crate-type` still [\"rlib\", \"cdylib\"] in Cargo.toml?)",
            input.display()
        );
    }

    // Generated and git-ignored: start clean so no stale snippet survives.
    if out_dir.exists() {
        std::fs::remove_dir_all(out_dir)
            .with_context(|| format!("could not clear {}", out_dir.display()))?;
    }
    let shown_dir = out_dir.strip_prefix(root).unwrap_or(out_dir).display();
    eprintln!(
        "xtask: wasm-bindgen (library {}) {} -> {shown_dir}/",
        bindgen_version(),
        input.display()
    );
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&input)
        .web(true)?
        .out_name(CRATE)
        // The library's defaults differ from the `wasm-bindgen` CLI's; match
        // the CLI so `await init()` finds `neurogeom_bg.wasm` next to the JS
        // (via import.meta.url, in the page and in a module worker alike)
        // and a `.d.ts` documents the exports. The dist build renames the
        // wasm, so there every caller names it (they all do).
        .omit_default_module_path(profile == Profile::Dist)
        .typescript(true)
        .debug(profile == Profile::Debug)
        // Function names (about 200 KB) only name frames in a stack trace;
        // a panic's message reaches the page without them.
        .remove_name_section(profile == Profile::Dist)
        .remove_producers_section(profile == Profile::Dist)
        .generate(out_dir)
        .context("wasm-bindgen failed")?;

    let wasm = out_dir.join(format!("{CRATE}_bg.wasm"));
    let wasm_bytes = std::fs::metadata(&wasm)
        .with_context(|| format!("wasm-bindgen did not write {}", wasm.display()))?
        .len();
    println!(
        "xtask: built {shown_dir}/{CRATE}.js and {shown_dir}/{CRATE}_bg.wasm: {} ({} build, {:.1} s)",
        human_size(wasm_bytes),
        profile.dir(),
        started.elapsed().as_secs_f64()
    );
    Ok(Built { wasm_bytes })
}

/// The version of `wasm-bindgen-cli-support` this xtask was compiled with,
/// as recorded in xtask/Cargo.toml's `=x.y.z` pin.
fn bindgen_version() -> &'static str {
    const MANIFEST: &str = include_str!("../Cargo.toml");
    MANIFEST
        .lines()
        .find(|l| l.trim_start().starts_with("wasm-bindgen-cli-support"))
        .and_then(|l| l.split('"').nth(1))
        .map(|v| v.trim_start_matches('='))
        .unwrap_or("?")
}

/// Compare the locked `wasm-bindgen` (what the core links) with the locked
/// `wasm-bindgen-cli-support` (what this xtask runs). They must be equal.
pub fn check_bindgen_versions(lock_path: &Path) -> Result<()> {
    let lock = std::fs::read_to_string(lock_path).with_context(|| {
        format!(
            "could not read {} (run `cargo generate-lockfile`)",
            lock_path.display()
        )
    })?;
    let runtime = locked_versions(&lock, "wasm-bindgen");
    let support = locked_versions(&lock, "wasm-bindgen-cli-support");
    let Some(support_version) = support.first() else {
        bail!(
            "Cargo.lock has no `wasm-bindgen-cli-support`; xtask/Cargo.toml should depend on it \
             (wasm-bindgen-cli-support = \"={}\")",
            bindgen_version()
        );
    };
    if runtime.is_empty() {
        bail!(
            "Cargo.lock has no `wasm-bindgen`; the core crate should depend on \
             wasm-bindgen = \"={support_version}\" for target wasm32"
        );
    }
    if let Some(other) = runtime.iter().find(|v| *v != support_version) {
        bail!(
            "wasm-bindgen versions differ: Cargo.lock has wasm-bindgen {other} (used by the core crate) \
             but xtask uses wasm-bindgen-cli-support {support_version}. They must be equal: either pin \
             `wasm-bindgen = \"={support_version}\"` in Cargo.toml, or change \
             `wasm-bindgen-cli-support = \"={other}\"` in xtask/Cargo.toml, then rebuild so Cargo.lock \
             updates."
        );
    }
    Ok(())
}

/// All versions of package `name` in a Cargo.lock's text.
fn locked_versions(lock: &str, name: &str) -> Vec<String> {
    let wanted = format!("name = \"{name}\"");
    let mut versions = Vec::new();
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted {
            if let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
            {
                versions.push(v.trim_matches('"').to_string());
            }
        }
    }
    versions
}

/// Add the wasm32 target through rustup when it is missing (auto-install of
/// `rust-toolchain.toml` targets is off on some machines).
fn ensure_wasm_target() -> Result<()> {
    let output = match Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
    {
        Ok(o) if o.status.success() => o,
        Ok(o) => bail!(
            "`rustup target list --installed` failed: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        ),
        Err(_) => {
            eprintln!("xtask: rustup not found; assuming the {TARGET} target is installed");
            return Ok(());
        }
    };
    let installed = String::from_utf8_lossy(&output.stdout);
    if installed.lines().any(|l| l.trim() == TARGET) {
        return Ok(());
    }
    eprintln!("xtask: the {TARGET} target is missing; adding it");
    run_status(Command::new("rustup").args(["target", "add", TARGET]))
}

pub fn human_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!(
            "{:.2} MiB ({bytes} bytes)",
            bytes as f64 / (1024.0 * 1024.0)
        )
    } else {
        format!("{:.1} KiB ({bytes} bytes)", bytes as f64 / 1024.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "wasm-bindgen-cli-support"
version = "0.2.129"
"#;

    #[test]
    fn finds_locked_versions() {
        assert_eq!(locked_versions(LOCK, "wasm-bindgen"), ["0.2.130"]);
        assert_eq!(
            locked_versions(LOCK, "wasm-bindgen-cli-support"),
            ["0.2.129"]
        );
        assert!(locked_versions(LOCK, "wasm").is_empty());
    }

    #[test]
    fn mismatch_names_both_versions() {
        let dir = std::env::temp_dir().join(format!("xtask-lock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("Cargo.lock");
        std::fs::write(&path, LOCK).unwrap();
        let err = check_bindgen_versions(&path).unwrap_err().to_string();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(err.contains("0.2.130") && err.contains("0.2.129"), "{err}");
    }

    #[test]
    fn the_pin_is_read_from_the_manifest() {
        assert!(
            bindgen_version().starts_with("0.2."),
            "{}",
            bindgen_version()
        );
    }
}
