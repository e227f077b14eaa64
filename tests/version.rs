//! The version in every result and link of the CLI: `--version`, `version`
//! in the JSON, `&ng=` at the end of the links it prints, SVG metadata; and
//! a link made with another version (older, newer, malformed) runs to the
//! same hash with a note, since the version never enters the hash.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_neurogeom");
const RELEASE: &str = env!("CARGO_PKG_VERSION");

/// tests/cli.rs's fixed link and its hash.
const LINK: &str = "#v=1&lab=lazy-rich&seed=7&alpha=0.1&width=32&steps=300";
const HASH: &str = "7d2f4fea89f3d62d";

fn run(args: &[&str]) -> (String, String) {
    let out = Command::new(BIN).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// This build's version, from `--version` ("neurogeom 0.2.0+abc1234").
fn version() -> String {
    let (out, _) = run(&["--version"]);
    let v = out
        .trim()
        .strip_prefix("neurogeom ")
        .expect("neurogeom <version>")
        .to_string();
    assert!(v == RELEASE || v.starts_with(&format!("{RELEASE}+")), "{v}");
    if let Some(commit) = v.strip_prefix(&format!("{RELEASE}+")) {
        assert!(
            commit.len() >= 7 && commit.chars().all(|c| c.is_ascii_alphanumeric()),
            "{v}"
        );
    }
    v
}

#[test]
fn results_and_links_carry_the_version() {
    let v = version();
    let (out, _) = run(&["run", LINK, "--json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["version"], v);
    assert_eq!(json["hash"], HASH);
    assert_eq!(
        json["link"],
        format!("#{}&ng={v}", json["fragment"].as_str().unwrap())
    );
    assert!(json.get("version_note").is_none());
    let (text, _) = run(&["run", LINK]);
    assert!(text.contains(&format!("version  {v}\n")), "{text}");
    assert!(text.contains(&format!("&ng={v}\n")), "{text}");
    // The printed link reproduces the run, with no note.
    let (again, err) = run(&["run", json["link"].as_str().unwrap(), "--json"]);
    let again: serde_json::Value = serde_json::from_str(&again).unwrap();
    assert_eq!(again["hash"], HASH);
    assert!(
        again.get("version_note").is_none() && err.is_empty(),
        "{err}"
    );

    // Sweeps: the summary line's link and version.
    let grid = "#v=1&lab=lazy-rich&seed=5&width=8&n_train=16&steps=20&sweep=alpha:0.1,10";
    let (out, _) = run(&["sweep", grid]);
    let summary: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(summary["version"], v);
    assert!(
        summary["link"]
            .as_str()
            .unwrap()
            .ends_with(&format!("&ng={v}")),
        "{summary}"
    );

    // SVG: provenance in <metadata>.
    let svg = std::env::temp_dir().join(format!("neurogeom-version-{}.svg", std::process::id()));
    run(&[
        "plot",
        LINK,
        "--out",
        svg.to_str().unwrap(),
        "--chart",
        "loss",
    ]);
    let text = std::fs::read_to_string(&svg).unwrap();
    std::fs::remove_file(&svg).ok();
    let tag = "<metadata id=\"neurogeom\">";
    let start = text.find(tag).expect("metadata") + tag.len();
    let meta: serde_json::Value = serde_json::from_str(
        &text[start..start + text[start..].find("</metadata>").unwrap()].replace("&amp;", "&"),
    )
    .unwrap();
    assert_eq!(meta["version"], v);
    assert_eq!(meta["hash"], HASH);
    assert!(meta["link"]
        .as_str()
        .unwrap()
        .ends_with(&format!("&ng={v}")));
}

#[test]
fn a_link_from_another_version_runs_to_the_same_hash_and_says_so() {
    let v = version();
    for (ng, kind, needle) in [
        (
            "0.1.0+abc1234",
            "older",
            format!("made with NeuroGeom 0.1.0+abc1234; this is {v}"),
        ),
        (
            "99.0.0",
            "newer",
            format!("made with NeuroGeom 99.0.0, newer than this {v}"),
        ),
        (
            "banana",
            "malformed",
            "ng='banana' is not a NeuroGeom version".to_string(),
        ),
        (
            "",
            "malformed",
            "ng='' is not a NeuroGeom version".to_string(),
        ),
    ] {
        let link = format!("{LINK}&ng={ng}");
        let (out, _) = run(&["run", &link, "--json"]);
        let json: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            json["hash"], HASH,
            "{ng}: the version never enters the hash"
        );
        assert_eq!(json["version_note"]["kind"], kind, "{ng}");
        assert_eq!(json["version_note"]["made_with"], ng);
        assert!(
            json["version_note"]["text"]
                .as_str()
                .unwrap()
                .contains(&needle),
            "{json}"
        );
        assert!(
            json["warnings"].as_array().unwrap().is_empty(),
            "a note, not a link problem"
        );
        // Text mode says it among the notes; sweep and plot on stderr.
        let (text, _) = run(&["run", &link]);
        assert!(text.contains(&format!("note     link {needle}")), "{text}");
    }
    // An older link lists the result changes of every release since, from
    // the changelog (0.2.0's list may be empty: then it says so).
    let (out, _) = run(&["run", &format!("{LINK}&ng=0.1.0"), "--json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let changes = json["version_note"]["changes"].as_array().unwrap();
    let (text, _) = run(&["run", &format!("{LINK}&ng=0.1.0")]);
    if changes.is_empty() {
        assert!(
            text.contains("note       the changelog lists no result change between the two"),
            "{text}"
        );
    } else {
        assert!(
            text.contains("note       result change in 0.2.0: "),
            "{text}"
        );
    }
    for c in changes {
        assert_ne!(
            c["version"], "0.1.0",
            "0.1.0's own changes were already in the link"
        );
    }
    let grid = "#v=1&lab=lazy-rich&seed=5&width=8&n_train=16&steps=20&sweep=alpha:0.1,10&ng=0.1.0";
    let (_, err) = run(&["sweep", grid]);
    assert!(err.contains("made with NeuroGeom 0.1.0"), "{err}");
}

#[test]
fn analyze_json_has_the_version() {
    let v = version();
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/files/both.npz");
    let (out, _) = run(&["analyze", file, "--no-mftma", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["version"], v);
    let (text, _) = run(&["analyze", file, "--no-mftma"]);
    assert!(text.contains(&format!("version {v}")), "{text}");
}
