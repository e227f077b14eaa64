//! `cargo xtask test`: native tests, CITATION.cff against its schema
//! ([`crate::citation`]), the wasm build, the wasm-vs-native hash of every
//! preset and the golden hashes ([`preset_hashes`], [`crate::golden`]), the
//! symmetric eigensolver's bits ([`symeig_bits`]), then the browser tests.
//!
//! The browser phase never passes by skipping: without Chromium it fails and
//! says which Debian package to install. It runs `node --test` on every
//! `tests/e2e/*.test.mjs` against the static server (started here on an
//! ephemeral port) with these variables:
//!
//! - `BASE_URL`       e.g. `http://127.0.0.1:41234/` (the repository root)
//! - `CHROMIUM_PATH`  the system Chromium
//! - `NEUROGEOM_CLI`  absolute path of the release `neurogeom` binary
//! - `E2E_OUT`        absolute path of `tests/e2e/out/` (screenshots)
//! - `NEUROGEOM_DIST`       a `cargo xtask dist` folder (target/e2e-dist/plain)
//! - `NEUROGEOM_DIST_NEXT`  another, made with `--base-url` [`NEXT_BASE_URL`]
//!   (a second deploy, for the offline and "Copy link" tests)

use crate::{cargo, dist, run_status, serve, show, target_dir, wasm};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

mod preset_hashes;
mod symeig_bits;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    NativeOnly,
    BrowserOnly,
    /// Only the wasm build and the wasm-vs-native preset hashes.
    HashesOnly,
}

const E2E_DIR: &str = "tests/e2e";
/// The public address the second dist folder of the browser tests records.
const NEXT_BASE_URL: &str = "https://lab.example.org/neurogeom/";
const DEBIAN_PACKAGE: &str = "chromium";

pub fn run(root: &Path, scope: Scope) -> Result<()> {
    let started = Instant::now();
    let mut summary = Vec::new();

    // Cheap checks first, so a missing browser is reported before minutes
    // of compiling.
    let chromium = if scope == Scope::All || scope == Scope::BrowserOnly {
        Some(find_chromium()?)
    } else {
        None
    };

    if scope == Scope::All || scope == Scope::NativeOnly {
        let t = Instant::now();
        run_status(cargo(root).args(["test", "--workspace"]))?;
        summary.push(format!(
            "native tests passed ({:.0} s)",
            t.elapsed().as_secs_f64()
        ));
    }

    // CITATION.cff against its schema (cffconvert, in a venv made once).
    if scope == Scope::All || scope == Scope::NativeOnly {
        summary.push(crate::citation::check(root)?);
    }

    let built = wasm::build(root, wasm::Profile::Release)?;
    summary.push(format!("wasm {}", wasm::human_size(built.wasm_bytes)));
    // The same build as it ships (`dist`): without its name section.
    let dist_pkg = wasm::build_dist(root)?;

    // The page and the CLI agree bit for bit on every preset of every lab,
    // checked on the wasm that `dist` ships. A mismatch fails the run, after
    // the browser tests have had their say.
    let hashes = if scope != Scope::BrowserOnly {
        let outcome = build_cli(root).and_then(|cli| preset_hashes::check(root, &cli, &dist_pkg));
        match &outcome {
            Ok(line) => summary.push(line.clone()),
            Err(_) => summary.push("preset hashes: FAILED".into()),
        }
        let bits = symeig_bits::check(root);
        match &bits {
            Ok(line) => summary.push(line.clone()),
            Err(_) => summary.push("symmetric eigensolver bits: FAILED".into()),
        }
        outcome.and(bits).map(|_| ())
    } else {
        Ok(())
    };

    if let Some(chromium) = chromium {
        let t = Instant::now();
        let outcome = browser_tests(root, &chromium, &dist_pkg);
        let counts = match &outcome {
            Ok(c) | Err((_, c)) => *c,
        };
        let line = match &counts {
            Some((pass, fail)) => format!("browser tests: {pass} passed, {fail} failed"),
            None => "browser tests: no result counts".to_string(),
        };
        summary.push(format!("{line} ({:.0} s)", t.elapsed().as_secs_f64()));
        print_summary(&summary, started);
        if let Some((pass, fail)) = counts {
            // The plain closing line CI reads.
            println!("browser: {pass} passed, {fail} failed");
        }
        if let Err((err, _)) = outcome {
            return Err(err);
        }
    } else {
        print_summary(&summary, started);
    }
    hashes
}

/// The release `neurogeom` binary, built if needed.
pub fn build_cli(root: &Path) -> Result<PathBuf> {
    run_status(cargo(root).args(["build", "--release", "--bin", "neurogeom"]))?;
    let cli = target_dir(root).join("release/neurogeom");
    if !cli.is_file() {
        bail!("cargo did not produce {}", cli.display());
    }
    Ok(cli)
}

fn print_summary(parts: &[String], started: Instant) {
    println!(
        "xtask test: {} — {:.0} s in all",
        parts.join("; "),
        started.elapsed().as_secs_f64()
    );
}

type Counts = Option<(u64, u64)>;

/// Runs the e2e suite; returns the pass/fail counts either way.
fn browser_tests(
    root: &Path,
    chromium: &Path,
    dist_pkg: &Path,
) -> Result<Counts, (anyhow::Error, Counts)> {
    let no_counts = |e: anyhow::Error| (e, None);
    let tests = e2e_test_files(root).map_err(no_counts)?;
    ensure_node_modules(root).map_err(no_counts)?;

    let cli = build_cli(root).map_err(no_counts)?;

    let out_dir = root.join(E2E_DIR).join("out");
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("could not create {}", out_dir.display()))
        .map_err(no_counts)?;
    let tap = target_dir(root).join("e2e-report.tap");
    let _ = std::fs::remove_file(&tap);

    let (dist_plain, dist_next) = dist_folders(root, dist_pkg).map_err(no_counts)?;

    let server = serve::start(root, 0, false).map_err(no_counts)?;
    let base_url = server.url();
    eprintln!(
        "xtask: static server at {base_url} (serving {})",
        root.display()
    );

    let mut cmd = Command::new("node");
    cmd.current_dir(root)
        .args(["--test", "--test-concurrency=1"])
        // Readable output on the terminal, and TAP in a file for the counts.
        .args(["--test-reporter=spec", "--test-reporter-destination=stdout"])
        .arg("--test-reporter=tap")
        .arg(format!("--test-reporter-destination={}", tap.display()))
        .args(&tests)
        .env("BASE_URL", &base_url)
        .env("CHROMIUM_PATH", chromium)
        .env("NEUROGEOM_CLI", &cli)
        .env("E2E_OUT", &out_dir)
        .env("NEUROGEOM_DIST", &dist_plain)
        .env("NEUROGEOM_DIST_NEXT", &dist_next);
    let shown = show(&cmd);
    eprintln!(
        "xtask: BASE_URL={base_url} CHROMIUM_PATH={} NEUROGEOM_CLI={} E2E_OUT={}",
        chromium.display(),
        cli.display(),
        out_dir.display()
    );
    eprintln!("xtask: $ {shown}");
    let status = cmd
        .status()
        .with_context(|| "could not start `node` (Node.js 20 or newer is needed)")
        .map_err(no_counts)?;
    let counts = std::fs::read_to_string(&tap)
        .ok()
        .and_then(|t| tap_counts(&t));
    if !status.success() {
        return Err((anyhow::anyhow!("browser tests failed ({status})"), counts));
    }
    match counts {
        Some((0, _)) | None => Err((
            anyhow::anyhow!("the browser tests ran no test; that is a failure, not a pass"),
            counts,
        )),
        _ => Ok(counts),
    }
}

/// Two dist folders for the browser tests, from the wasm the tests check:
/// a plain build and one with a public address (another deploy).
fn dist_folders(root: &Path, pkg: &Path) -> Result<(PathBuf, PathBuf)> {
    let dir = target_dir(root).join("e2e-dist");
    if dir.exists() {
        std::fs::remove_dir_all(&dir)
            .with_context(|| format!("could not clear {}", dir.display()))?;
    }
    let (plain, next) = (dir.join("plain"), dir.join("next"));
    dist::write_folder(root, pkg, &plain, None)?;
    dist::write_folder(root, pkg, &next, Some(NEXT_BASE_URL))?;
    Ok((plain, next))
}

/// `tests/e2e/*.test.mjs`, sorted; an empty suite is an error.
fn e2e_test_files(root: &Path) -> Result<Vec<PathBuf>> {
    let dir = root.join(E2E_DIR);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("could not read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(".test.mjs"))
        })
        .map(|p| p.strip_prefix(root).map(Path::to_path_buf).unwrap_or(p))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("no browser tests: {E2E_DIR}/ has no *.test.mjs file");
    }
    Ok(files)
}

/// Chromium from `CHROMIUM_PATH`, else `/usr/bin/chromium`, else `chromium`
/// on `PATH`. Missing is an error: the browser tests are never skipped.
fn find_chromium() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM_PATH").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        if path.is_file() {
            return Ok(path);
        }
        bail!(
            "CHROMIUM_PATH={} is not a file. Point it at a Chromium binary, or unset it and \
             install the Debian package: apt-get install {DEBIAN_PACKAGE}",
            path.display()
        );
    }
    let default = PathBuf::from("/usr/bin/chromium");
    if default.is_file() {
        return Ok(default);
    }
    if let Some(found) = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("chromium"))
            .find(|p| p.is_file())
    }) {
        return Ok(found);
    }
    bail!(
        "Chromium is needed for the browser tests and was not found (looked at $CHROMIUM_PATH, \
         /usr/bin/chromium and `chromium` on PATH). Install the Debian package: \
         `apt-get install {DEBIAN_PACKAGE}` (or set CHROMIUM_PATH). The browser tests are never skipped."
    )
}

/// `npm ci` when `node_modules/playwright-core` is missing.
fn ensure_node_modules(root: &Path) -> Result<()> {
    if root
        .join("node_modules/playwright-core/package.json")
        .is_file()
    {
        return Ok(());
    }
    if !root.join("package-lock.json").is_file() {
        bail!("package-lock.json is missing, so `npm ci` cannot install playwright-core");
    }
    eprintln!("xtask: node_modules/playwright-core is missing; running npm ci");
    run_status(Command::new("npm").arg("ci").current_dir(root))
        .context("`npm ci` failed (is npm installed and the npm registry reachable?)")
}

/// `# pass N` and `# fail N` from a TAP report.
fn tap_counts(tap: &str) -> Counts {
    let count = |key: &str| {
        tap.lines()
            .rev()
            .find_map(|l| l.strip_prefix(key)?.trim().parse::<u64>().ok())
    };
    Some((count("# pass ")?, count("# fail ")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tap_counts() {
        let tap = "TAP version 13\nok 1 - a\n# tests 3\n# pass 2\n# fail 1\n# skipped 0\n";
        assert_eq!(tap_counts(tap), Some((2, 1)));
        assert_eq!(tap_counts("TAP version 13\n"), None);
    }
}
