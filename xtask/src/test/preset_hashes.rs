//! Every preset of every registered lab gives the same result hash in the
//! wasm build (run by Node, as the page's worker runs it) and natively (the
//! release CLI). This checks the README's promise that the page and the CLI
//! agree bit for bit, on every link we ship.
//!
//! Both sides read the presets from their own registry: the wasm side from
//! `catalog_json()` (tests/wasm/preset_hashes.mjs), the native side from
//! `neurogeom labs`. A lab added to `src/labs/mod.rs` is picked up with no
//! edit here, and a preset present on one side only is a failure.
//!
//! Node runs the presets one after another on one core while the native runs
//! go one at a time on the other, so the check costs about the wasm time.
//!
//! The native hashes are then held against the golden file
//! ([`crate::golden`]): a preset whose result changed fails the step until
//! `cargo xtask golden` records it and CHANGELOG.md names it.

use anyhow::{bail, Context, Result};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// The Node script that prints the wasm hashes, relative to the root.
pub const SCRIPT: &str = "tests/wasm/preset_hashes.mjs";

/// One preset's outcome on one side.
#[derive(Clone, Debug, Default)]
struct Outcome {
    lab: String,
    title: String,
    hash: Option<String>,
    error: Option<String>,
    seconds: f64,
}

/// Run the comparison; `cli` is the release `neurogeom` binary and `pkg`
/// the wasm package directory (www/pkg). Returns a one-line summary.
pub fn check(root: &Path, cli: &Path, pkg: &Path) -> Result<String> {
    let started = Instant::now();
    let native_presets = native_catalog(cli)?;
    if native_presets.is_empty() {
        bail!("`{} labs` lists no preset", cli.display());
    }

    // Node in the background, native runs here meanwhile.
    let mut node = Command::new("node");
    node.current_dir(root)
        .arg(SCRIPT)
        .arg("--pkg")
        .arg(pkg)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    eprintln!("xtask: $ {}", crate::show(&node));
    let child = node
        .spawn()
        .context("could not start `node` (Node.js 20 or newer is needed)")?;

    let mut native = BTreeMap::new();
    for (fragment, (lab, title)) in &native_presets {
        let t = Instant::now();
        let out = Command::new(cli)
            .args(["run", fragment, "--json"])
            .stderr(Stdio::piped())
            .output()
            .with_context(|| format!("could not run {}", cli.display()))?;
        let mut o = Outcome {
            lab: lab.clone(),
            title: title.clone(),
            seconds: t.elapsed().as_secs_f64(),
            ..Outcome::default()
        };
        // Exit status 1 means the run stopped (divergence): still a hash.
        match serde_json::from_slice::<Value>(&out.stdout) {
            Ok(v) => o.hash = v["hash"].as_str().map(String::from),
            Err(_) => {
                o.error = Some(format!(
                    "exit {}: {}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr).trim()
                ))
            }
        }
        native.insert(fragment.clone(), o);
    }
    let native_seconds = started.elapsed().as_secs_f64();

    let out = child
        .wait_with_output()
        .context("could not read the Node script's output")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut wasm = BTreeMap::new();
    let mut wasm_seconds = f64::NAN;
    for line in stdout.lines().filter(|l| l.starts_with('{')) {
        let v: Value = serde_json::from_str(line)
            .with_context(|| format!("{SCRIPT} printed a line that is not JSON: {line}"))?;
        if let Some(s) = v["seconds"].as_f64().filter(|_| v.get("presets").is_some()) {
            wasm_seconds = s;
            continue;
        }
        let Some(fragment) = v["fragment"].as_str() else {
            continue;
        };
        wasm.insert(
            fragment.to_string(),
            Outcome {
                lab: v["lab"].as_str().unwrap_or("?").into(),
                title: v["title"].as_str().unwrap_or("?").into(),
                hash: v["hash"].as_str().map(String::from),
                error: v["error"].as_str().map(String::from),
                seconds: v["seconds"].as_f64().unwrap_or(f64::NAN),
            },
        );
    }
    if wasm.is_empty() {
        bail!(
            "{SCRIPT} reported no preset ({}); is {} built (`cargo xtask build`)?",
            out.status,
            pkg.display()
        );
    }

    let (table, problems) = compare(&native, &wasm);
    println!("{table}");
    if !problems.is_empty() {
        bail!(
            "wasm and native result hashes differ on {} preset(s):\n{}",
            problems.len(),
            problems.join("\n")
        );
    }
    if !out.status.success() {
        bail!("{SCRIPT} failed ({})", out.status);
    }
    // Against the golden file: the runs' hashes from above, sweep presets'
    // sweep hashes run now.
    let known: BTreeMap<String, String> = native
        .iter()
        .filter(|(f, _)| !f.split('&').any(|kv| kv.starts_with("sweep=")))
        .filter_map(|(f, o)| o.hash.clone().map(|h| (f.clone(), h)))
        .collect();
    let current = crate::golden::current_hashes(cli, &known)?;
    let golden = crate::golden::check(root, &current, &crate::golden::release(root)?)?;
    Ok(format!(
        "preset hashes: {} presets agree, wasm (Node) {wasm_seconds:.0} s, native {native_seconds:.0} s; {golden}",
        wasm.len()
    ))
}

/// The comparison table, and one line per problem (missing on one side,
/// an error, or differing hashes).
fn compare(
    native: &BTreeMap<String, Outcome>,
    wasm: &BTreeMap<String, Outcome>,
) -> (String, Vec<String>) {
    let mut table = String::from("lab\tnative hash\twasm hash\tnative s\twasm s\tpreset\n");
    let mut problems = Vec::new();
    let mut fragments: Vec<&String> = native.keys().chain(wasm.keys()).collect();
    fragments.sort();
    fragments.dedup();
    let show = |o: Option<&Outcome>| -> String {
        match o {
            None => "(absent)".into(),
            Some(o) => o
                .hash
                .clone()
                .unwrap_or_else(|| format!("(error: {})", o.error.as_deref().unwrap_or("no hash"))),
        }
    };
    for f in fragments {
        let (n, w) = (native.get(f), wasm.get(f));
        let named = n.or(w).expect("in one of the maps");
        table.push_str(&format!(
            "{}\t{}\t{}\t{:.1}\t{:.1}\t{}\n",
            named.lab,
            show(n),
            show(w),
            n.map_or(f64::NAN, |o| o.seconds),
            w.map_or(f64::NAN, |o| o.seconds),
            named.title
        ));
        let ok = matches!((n, w), (Some(a), Some(b)) if a.hash.is_some() && a.hash == b.hash);
        if !ok {
            problems.push(format!(
                "  {} — {}\n    #{f}\n    native {}\n    wasm   {}",
                named.lab,
                named.title,
                show(n),
                show(w)
            ));
        }
    }
    (table, problems)
}

/// fragment → (lab, title) for every preset `neurogeom labs` lists (a
/// fragment two presets share runs once).
fn native_catalog(cli: &Path) -> Result<BTreeMap<String, (String, String)>> {
    Ok(crate::golden::catalog(cli)?
        .into_iter()
        .map(|(lab, title, fragment)| (fragment, (lab, title)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_differing_or_missing_hash_is_a_problem() {
        let o = |h: &str| Outcome {
            lab: "l".into(),
            title: "t".into(),
            hash: Some(h.into()),
            ..Outcome::default()
        };
        let native = BTreeMap::from([("a".to_string(), o("1")), ("b".to_string(), o("2"))]);
        let wasm = BTreeMap::from([("a".to_string(), o("1")), ("c".to_string(), o("3"))]);
        let (_, problems) = compare(&native, &wasm);
        assert_eq!(problems.len(), 2, "{problems:?}");
        let (_, none) = compare(&native, &native);
        assert!(none.is_empty());
    }
}
