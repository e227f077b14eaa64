//! Golden preset hashes: `golden/preset-hashes.json` records every preset's
//! result hash (a sweep preset's sweep hash) and the release whose results
//! first had it. The preset-hash step of `cargo xtask test` compares every
//! preset against it, and checks that each preset whose result changed in
//! the current release is named in that release's section of CHANGELOG.md.
//! `cargo xtask golden` records the current hashes; `cargo xtask golden
//! --check` runs the comparison alone (native only, no wasm build).
//!
//! An entry: `{lab, title, hash, since, before, fragment}`. `since` is the
//! release (Cargo.toml's version) whose results first had `hash`. When a
//! preset's hash changes during a release, `before` keeps the hash (and its
//! `since`) the previous release gave, until the release changes: a change
//! back to it restores the entry. The changelog check reads every entry
//! with `since` = the current release and a `before`.

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

#[path = "../../src/changelog.rs"]
mod changelog;

/// The golden file, relative to the repository root.
pub const FILE: &str = "golden/preset-hashes.json";
pub const CHANGELOG: &str = "CHANGELOG.md";

/// The command that updates the file, as messages name it.
const UPDATE: &str = "cargo xtask golden";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Golden {
    /// What the file is, for a reader who finds it.
    pub about: String,
    /// The release the file was last written by.
    pub version: String,
    pub presets: Vec<Entry>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub lab: String,
    pub title: String,
    pub hash: String,
    pub since: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Before>,
    pub fragment: String,
}

/// The hash a changed preset had in the previous release.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Before {
    pub hash: String,
    pub since: String,
}

/// One preset as `neurogeom labs` lists it, with its current hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Current {
    pub lab: String,
    pub title: String,
    pub fragment: String,
    pub hash: String,
}

impl Entry {
    fn key(&self) -> (String, String) {
        (self.lab.clone(), self.title.clone())
    }
}

const ABOUT: &str = "Every preset's result hash (a sweep preset's sweep hash), as `cargo xtask test` \
    checks it: `since` is the release whose results first had it, `before` the hash of the release \
    before when it changed in `since`. Update with `cargo xtask golden` and name changed presets in \
    CHANGELOG.md (see its header).";

/// Read the golden file (`None` if there is none yet).
pub fn read(root: &Path) -> Result<Option<Golden>> {
    let path = root.join(FILE);
    if !path.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let golden = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a golden-hash file", path.display()))?;
    Ok(Some(golden))
}

/// The new golden file for `current` hashes under `release`, from the old
/// one; and one line per change, for the terminal.
pub fn update(old: Option<&Golden>, current: &[Current], release: &str) -> (Golden, Vec<String>) {
    let old_entries: BTreeMap<(String, String), &Entry> = old
        .map(|g| g.presets.iter().map(|e| (e.key(), e)).collect())
        .unwrap_or_default();
    let mut lines = Vec::new();
    let mut presets = Vec::new();
    for c in current {
        let key = (c.lab.clone(), c.title.clone());
        let entry = match old_entries.get(&key) {
            None => {
                lines.push(format!("new      {} \"{}\": {}", c.lab, c.title, c.hash));
                Entry {
                    lab: c.lab.clone(),
                    title: c.title.clone(),
                    hash: c.hash.clone(),
                    since: release.into(),
                    before: None,
                    fragment: c.fragment.clone(),
                }
            }
            Some(e) if e.hash == c.hash => Entry {
                fragment: c.fragment.clone(),
                ..(*e).clone()
            },
            Some(e) => {
                lines.push(format!(
                    "changed  {} \"{}\": {} -> {}",
                    c.lab, c.title, e.hash, c.hash
                ));
                // The hash the previous release gave: kept from an earlier
                // change in this release, else the old entry itself (unless
                // the preset is new in this release).
                let before = if e.since == release {
                    e.before.clone()
                } else {
                    Some(Before {
                        hash: e.hash.clone(),
                        since: e.since.clone(),
                    })
                };
                let (since, before) = match before {
                    // Back to the previous release's result.
                    Some(b) if b.hash == c.hash => (b.since, None),
                    b => (release.to_string(), b),
                };
                Entry {
                    lab: c.lab.clone(),
                    title: c.title.clone(),
                    hash: c.hash.clone(),
                    since,
                    before,
                    fragment: c.fragment.clone(),
                }
            }
        };
        presets.push(entry);
    }
    let kept: std::collections::BTreeSet<(String, String)> = current
        .iter()
        .map(|c| (c.lab.clone(), c.title.clone()))
        .collect();
    for e in old.map(|g| g.presets.as_slice()).unwrap_or_default() {
        if !kept.contains(&e.key()) {
            lines.push(format!(
                "removed  {} \"{}\" (was {})",
                e.lab, e.title, e.hash
            ));
        }
    }
    (
        Golden {
            about: ABOUT.into(),
            version: release.into(),
            presets,
        },
        lines,
    )
}

/// Every difference between the golden file and the current hashes, one
/// line each naming the preset with its old and new hash. Empty when they
/// agree.
pub fn compare(golden: &Golden, current: &[Current]) -> Vec<String> {
    let recorded: BTreeMap<(String, String), &Entry> =
        golden.presets.iter().map(|e| (e.key(), e)).collect();
    let mut problems = Vec::new();
    for c in current {
        match recorded.get(&(c.lab.clone(), c.title.clone())) {
            Some(e) if e.hash == c.hash => {}
            Some(e) => problems.push(format!(
                "  {} \"{}\": golden {}, now {}\n    #{}",
                c.lab, c.title, e.hash, c.hash, c.fragment
            )),
            None => problems.push(format!(
                "  {} \"{}\": a new preset, not in the golden file (now {})",
                c.lab, c.title, c.hash
            )),
        }
    }
    let listed: std::collections::BTreeSet<(String, String)> = current
        .iter()
        .map(|c| (c.lab.clone(), c.title.clone()))
        .collect();
    for e in &golden.presets {
        if !listed.contains(&e.key()) {
            problems.push(format!(
                "  {} \"{}\": in the golden file ({}) but no longer a preset",
                e.lab, e.title, e.hash
            ));
        }
    }
    problems
}

/// The presets whose result changed in `release` (a `before` and `since` =
/// `release`) that its section of the changelog does not name; an error if
/// the changelog has no section for `release`.
pub fn unnamed_changes(golden: &Golden, changelog: &str, release: &str) -> Result<Vec<Entry>> {
    let releases = changelog::parse(changelog);
    let Some(section) = releases.iter().find(|r| r.version == release) else {
        bail!(
            "{CHANGELOG} has no section for {release}, the version in Cargo.toml: add `## [{release}]` with a `### Result changes` list"
        );
    };
    Ok(golden
        .presets
        .iter()
        .filter(|e| e.since == release && e.before.is_some())
        .filter(|e| {
            !section
                .result_changes
                .iter()
                .any(|c| c.names(&e.lab, &e.title))
        })
        .cloned()
        .collect())
}

/// What to write in the changelog for `entries`.
fn changelog_hint(entries: &[Entry], release: &str) -> String {
    let mut out = format!(
        "Name them under `### Result changes` in the `## [{release}]` section of {CHANGELOG}, saying why the numbers changed, one bullet per cause:\n"
    );
    let mut by_lab: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for e in entries {
        by_lab.entry(&e.lab).or_default().push(&e.title);
    }
    for (lab, titles) in by_lab {
        let quoted: Vec<String> = titles.iter().map(|t| format!("\"{t}\"")).collect();
        out.push_str(&format!("  - `{lab}` {}: <why>.\n", quoted.join(", ")));
    }
    out.push_str(
        "  (or - `<lab>`, every preset: <why>. when all of a lab's presets changed for one reason)",
    );
    out
}

/// The whole check: the hashes against the file, then the changelog. The
/// error names every preset that changed, with its old and new hash, and
/// says which command to run and what to write.
pub fn check(root: &Path, current: &[Current], release: &str) -> Result<String> {
    let Some(golden) = read(root)? else {
        bail!("{FILE} is missing: run `{UPDATE}` to record every preset's hash");
    };
    let problems = compare(&golden, current);
    if !problems.is_empty() {
        let changed: Vec<Entry> = current
            .iter()
            .map(|c| Entry {
                lab: c.lab.clone(),
                title: c.title.clone(),
                hash: c.hash.clone(),
                since: release.into(),
                before: None,
                fragment: c.fragment.clone(),
            })
            .filter(|c| {
                golden
                    .presets
                    .iter()
                    .any(|e| e.key() == c.key() && e.hash != c.hash)
            })
            .collect();
        bail!(
            "{} preset(s) differ from {FILE}:\n{}\n\nA result change must never be silent. If it is intended, run `{UPDATE}` to record the new hashes, then:\n{}",
            problems.len(),
            problems.join("\n"),
            changelog_hint(&changed, release)
        );
    }
    let changelog = std::fs::read_to_string(root.join(CHANGELOG))
        .with_context(|| format!("cannot read {CHANGELOG}"))?;
    let unnamed = unnamed_changes(&golden, &changelog, release)?;
    if !unnamed.is_empty() {
        let list: Vec<String> = unnamed
            .iter()
            .map(|e| {
                let before = e.before.as_ref().map_or("?", |b| b.hash.as_str());
                format!("  {} \"{}\": {} -> {}", e.lab, e.title, before, e.hash)
            })
            .collect();
        bail!(
            "{} preset(s) changed their result in {release}, but {CHANGELOG} does not name them:\n{}\n\n{}",
            unnamed.len(),
            list.join("\n"),
            changelog_hint(&unnamed, release)
        );
    }
    let changed = golden
        .presets
        .iter()
        .filter(|e| e.since == release && e.before.is_some())
        .count();
    Ok(format!(
        "golden hashes: {} presets as recorded ({changed} changed in {release}, each named in {CHANGELOG})",
        current.len()
    ))
}

/// The release in Cargo.toml (the `version` of `[package]`).
pub fn release(root: &Path) -> Result<String> {
    let text =
        std::fs::read_to_string(root.join("Cargo.toml")).context("cannot read Cargo.toml")?;
    let mut in_package = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package {
            if let Some(v) = line.strip_prefix("version").map(str::trim) {
                if let Some(v) = v.strip_prefix('=') {
                    return Ok(v.trim().trim_matches('"').to_string());
                }
            }
        }
    }
    bail!("Cargo.toml has no [package] version")
}

/// Every preset of `neurogeom labs`, in its order, as (lab, title, fragment).
pub fn catalog(cli: &Path) -> Result<Vec<(String, String, String)>> {
    let out = Command::new(cli)
        .arg("labs")
        .output()
        .with_context(|| format!("could not run {} labs", cli.display()))?;
    if !out.status.success() {
        bail!("`{} labs` failed ({})", cli.display(), out.status);
    }
    Ok(parse_catalog(&String::from_utf8_lossy(&out.stdout)))
}

/// The presets of a `neurogeom labs` listing: a title line, then the
/// fragment indented with a leading '#'.
pub fn parse_catalog(text: &str) -> Vec<(String, String, String)> {
    let mut presets = Vec::new();
    let mut previous = "";
    for line in text.lines() {
        if let Some(fragment) = line.strip_prefix("      #") {
            let lab = fragment
                .split('&')
                .find_map(|kv| kv.strip_prefix("lab="))
                .unwrap_or("?");
            presets.push((
                lab.to_string(),
                previous.trim().to_string(),
                fragment.to_string(),
            ));
        }
        previous = line;
    }
    presets
}

/// A preset's hash natively: `neurogeom run` (the run's hash), or for a
/// preset with `sweep=` its sweep's hash (`neurogeom sweep`, last line).
pub fn native_hash(cli: &Path, fragment: &str) -> Result<String> {
    let sweep = fragment.split('&').any(|kv| kv.starts_with("sweep="));
    let mut cmd = Command::new(cli);
    if sweep {
        cmd.args(["sweep", fragment]);
    } else {
        cmd.args(["run", fragment, "--json"]);
    }
    let out = cmd
        .stderr(Stdio::piped())
        .output()
        .with_context(|| format!("could not run {}", cli.display()))?;
    // Exit status 1 is a run that stopped (divergence): still a hash.
    let text = String::from_utf8_lossy(&out.stdout);
    let json = if sweep {
        text.lines().last().unwrap_or("").to_string()
    } else {
        text.to_string()
    };
    serde_json::from_str::<serde_json::Value>(&json)
        .ok()
        .and_then(|v| v["hash"].as_str().map(String::from))
        .with_context(|| {
            format!(
                "no hash from `{} {} {fragment}` (exit {}): {}",
                cli.display(),
                if sweep { "sweep" } else { "run" },
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            )
        })
}

/// Every preset's current hash (presets sharing a fragment run once).
pub fn current_hashes(cli: &Path, known: &BTreeMap<String, String>) -> Result<Vec<Current>> {
    let mut done: BTreeMap<String, String> = known.clone();
    let mut out = Vec::new();
    for (lab, title, fragment) in catalog(cli)? {
        let hash = match done.get(&fragment) {
            Some(h) => h.clone(),
            None => {
                let h = native_hash(cli, &fragment)?;
                done.insert(fragment.clone(), h.clone());
                h
            }
        };
        out.push(Current {
            lab,
            title,
            fragment,
            hash,
        });
    }
    Ok(out)
}

/// `cargo xtask golden [--check]`.
pub fn run(root: &Path, cli: &Path, check_only: bool) -> Result<()> {
    let release = release(root)?;
    eprintln!("xtask: every preset's hash, natively ({})", cli.display());
    let current = current_hashes(cli, &BTreeMap::new())?;
    if check_only {
        println!("{}", check(root, &current, &release)?);
        return Ok(());
    }
    let old = read(root)?;
    let (golden, lines) = update(old.as_ref(), &current, &release);
    let path: PathBuf = root.join(FILE);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut text = serde_json::to_string_pretty(&golden)?;
    text.push('\n');
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    for l in &lines {
        println!("{l}");
    }
    println!(
        "wrote {FILE}: {} presets, {} change(s)",
        golden.presets.len(),
        lines.len()
    );
    let changelog = std::fs::read_to_string(root.join(CHANGELOG)).unwrap_or_default();
    match unnamed_changes(&golden, &changelog, &release) {
        Ok(unnamed) if unnamed.is_empty() => {}
        Ok(unnamed) => println!(
            "\n{} preset(s) changed in {release} and are not yet in {CHANGELOG}.\n{}",
            unnamed.len(),
            changelog_hint(&unnamed, &release)
        ),
        Err(e) => println!("\n{e}"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cur(lab: &str, title: &str, hash: &str) -> Current {
        Current {
            lab: lab.into(),
            title: title.into(),
            fragment: format!("v=1&lab={lab}"),
            hash: hash.into(),
        }
    }

    const LOG: &str = "## [0.3.0]\n### Result changes\n- `feedback`, every preset: new solver.\n- `credit` \"A: b\": a fix.\n## [0.2.0]\n";

    #[test]
    fn a_change_keeps_the_previous_releases_hash_until_the_release_changes() {
        let (g1, lines) = update(
            None,
            &[cur("feedback", "F", "aa"), cur("credit", "A: b", "cc")],
            "0.2.0",
        );
        assert_eq!(lines.len(), 2);
        assert!(g1
            .presets
            .iter()
            .all(|e| e.since == "0.2.0" && e.before.is_none()));
        // 0.3.0: F changes twice, then A changes and comes back.
        let (g2, _) = update(
            Some(&g1),
            &[cur("feedback", "F", "ab"), cur("credit", "A: b", "cd")],
            "0.3.0",
        );
        let (g3, lines) = update(
            Some(&g2),
            &[cur("feedback", "F", "ac"), cur("credit", "A: b", "cc")],
            "0.3.0",
        );
        assert_eq!(
            lines,
            [
                "changed  feedback \"F\": ab -> ac",
                "changed  credit \"A: b\": cd -> cc"
            ]
        );
        let f = &g3.presets[0];
        assert_eq!((f.hash.as_str(), f.since.as_str()), ("ac", "0.3.0"));
        assert_eq!(
            f.before,
            Some(Before {
                hash: "aa".into(),
                since: "0.2.0".into()
            })
        );
        let a = &g3.presets[1];
        assert_eq!(
            (a.hash.as_str(), a.since.as_str(), a.before.clone()),
            ("cc", "0.2.0", None)
        );
        // An unchanged preset keeps its entry; a dropped one is reported.
        let (g4, lines) = update(Some(&g3), &[cur("feedback", "F", "ac")], "0.3.0");
        assert_eq!(g4.presets, vec![f.clone()]);
        assert_eq!(lines, ["removed  credit \"A: b\" (was cc)"]);
    }

    #[test]
    fn compare_names_every_changed_new_and_removed_preset() {
        let (g, _) = update(
            None,
            &[cur("a", "one", "11"), cur("a", "two", "22")],
            "0.2.0",
        );
        assert!(compare(&g, &[cur("a", "one", "11"), cur("a", "two", "22")]).is_empty());
        let p = compare(&g, &[cur("a", "one", "19"), cur("b", "three", "33")]);
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p[0].contains("a \"one\": golden 11, now 19"), "{}", p[0]);
        assert!(p[1].contains("a new preset"), "{}", p[1]);
        assert!(p[2].contains("no longer a preset"), "{}", p[2]);
    }

    #[test]
    fn changes_in_this_release_must_be_in_its_changelog_section() {
        let (g1, _) = update(
            None,
            &[
                cur("feedback", "F", "aa"),
                cur("credit", "A: b", "cc"),
                cur("credit", "Z", "zz"),
            ],
            "0.2.0",
        );
        let (g2, _) = update(
            Some(&g1),
            &[
                cur("feedback", "F", "ab"),
                cur("credit", "A: b", "cd"),
                cur("credit", "Z", "zy"),
            ],
            "0.3.0",
        );
        let unnamed = unnamed_changes(&g2, LOG, "0.3.0").unwrap();
        let names: Vec<&str> = unnamed.iter().map(|e| e.title.as_str()).collect();
        assert_eq!(names, ["Z"]);
        let hint = changelog_hint(&unnamed, "0.3.0");
        assert!(hint.contains("- `credit` \"Z\": <why>."), "{hint}");
        assert!(hint.contains("## [0.3.0]"), "{hint}");
        // New presets need no result-change entry; a missing section is an error.
        let (g3, _) = update(Some(&g1), &[cur("x", "new", "00")], "0.3.0");
        assert!(unnamed_changes(&g3, LOG, "0.3.0").unwrap().is_empty());
        assert!(unnamed_changes(&g3, LOG, "0.4.0")
            .unwrap_err()
            .to_string()
            .contains("## [0.4.0]"));
    }

    #[test]
    fn reads_the_labs_listing_with_repeated_fragments() {
        let text = "lazy-rich — Lazy\n  summary\n\n  presets:\n    Rich: small init\n      #v=1&lab=lazy-rich&seed=1\n    Same link\n      #v=1&lab=lazy-rich&seed=1\n";
        let p = parse_catalog(text);
        assert_eq!(p.len(), 2);
        assert_eq!(
            p[0],
            (
                "lazy-rich".into(),
                "Rich: small init".into(),
                "v=1&lab=lazy-rich&seed=1".into()
            )
        );
        assert_eq!(p[1].1, "Same link");
    }

    #[test]
    fn the_release_is_read_from_the_package_section() {
        let v = release(&crate::repo_root()).unwrap();
        assert!(v.split('.').count() == 3, "{v}");
    }
}
