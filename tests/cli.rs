//! The `neurogeom` command line: a fixed link gives a fixed hash, bad input
//! exits with status 2 and says why, and `plot` writes the charts as SVG.

use std::process::Command;

fn neurogeom(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_neurogeom"))
        .args(args)
        .output()
        .expect("the CLI runs")
}

/// A small, fast run. If the lab's numerics change on purpose, update the
/// hash here and say so in the commit: every saved link changes its result.
const LINK: &str = "http://127.0.0.1:8080/#v=1&lab=lazy-rich&seed=7&alpha=0.1&width=32&steps=300";
const HASH: &str = "59d20926bbda028b";

#[test]
fn run_on_a_fixed_link_gives_a_fixed_hash() {
    let out = neurogeom(&["run", LINK]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(&format!("hash     {HASH}")), "{text}");

    let out = neurogeom(&["run", LINK, "--json"]);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["hash"], HASH);
    assert_eq!(json["step"], 300);
    assert_eq!(json["done"], true);
    assert!(json["fragment"]
        .as_str()
        .unwrap()
        .starts_with("v=1&lab=lazy-rich&seed=7"));
    // The fragment the CLI reports reproduces the same run.
    let again = neurogeom(&["run", json["fragment"].as_str().unwrap(), "--json"]);
    let again: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(again["hash"], HASH);
}

#[test]
fn bad_links_exit_with_status_2_and_a_message() {
    for link in [
        "#v=1&lab=lazy-rich&alpha=banana",
        "#lab=nope",
        "#v=1&width=-3",
        "#seed=x",
    ] {
        let out = neurogeom(&["run", link]);
        assert_eq!(out.status.code(), Some(2), "{link}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("the link has problems"), "{link}: {err}");
        assert!(out.stdout.is_empty());
    }
    // --lenient runs with defaults, as the page does.
    let out = neurogeom(&[
        "run",
        "#v=1&lab=lazy-rich&alpha=banana&steps=20&width=8",
        "--lenient",
    ]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("alpha"));
    // Unknown subcommands and missing arguments are usage errors.
    assert_eq!(neurogeom(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(neurogeom(&["run"]).status.code(), Some(2));
}

#[test]
fn divergence_exits_nonzero_and_says_so() {
    let out = neurogeom(&[
        "run",
        "#v=1&lab=lazy-rich&lr=10000&lr_scaling=none&steps=300&width=32",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("STOPPED"));
}

#[test]
fn plot_writes_every_chart_as_svg() {
    let dir = std::env::temp_dir().join(format!("neurogeom-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let all = dir.join("all.svg");
    let out = neurogeom(&["plot", LINK, "--out", all.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = std::fs::read_to_string(&all).unwrap();
    assert!(svg.starts_with("<svg"));
    for title in ["Loss", "Relative weight change", "Tangent kernel now"] {
        assert!(svg.contains(title), "missing {title}");
    }
    let one = dir.join("loss.svg");
    let out = neurogeom(&[
        "plot",
        LINK,
        "--out",
        one.to_str().unwrap(),
        "--chart",
        "loss",
    ]);
    assert!(out.status.success());
    assert!(
        std::fs::read_to_string(&one).unwrap().contains("<polyline")
            || std::fs::read_to_string(&one).unwrap().contains("<path")
    );
    let out = neurogeom(&[
        "plot",
        LINK,
        "--out",
        one.to_str().unwrap(),
        "--chart",
        "nope",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("this lab draws"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn labs_lists_every_lab_and_preset() {
    let out = neurogeom(&["labs"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("lazy-rich"));
    assert!(text.contains("#v=1&lab=lazy-rich"));
}

#[test]
fn sweep_prints_a_json_line_per_run_and_a_stable_summary() {
    let link = "#v=1&lab=lazy-rich&seed=2&width=16&steps=100&sweep=alpha:log:0.1:10:3";
    let run = || {
        let out = neurogeom(&["sweep", link]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let text = run();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    let mut alphas: Vec<f64> = lines[..3]
        .iter()
        .map(|l| l["alpha"].as_f64().unwrap())
        .collect();
    alphas.sort_by(f64::total_cmp);
    assert_eq!(alphas, vec![0.1, 1.0, 10.0]);
    assert!(lines[0]["metrics"]["train_loss"].is_number());
    // Each run's hash is the single run's hash.
    let single = neurogeom(&[
        "run",
        "#v=1&lab=lazy-rich&seed=2&width=16&steps=100&alpha=10",
        "--json",
    ]);
    let single: serde_json::Value = serde_json::from_slice(&single.stdout).unwrap();
    let ten = lines.iter().find(|l| l["alpha"] == 10.0).unwrap();
    assert_eq!(ten["hash"], single["hash"]);
    // The summary hash does not depend on which thread finished first.
    let again = run();
    assert_eq!(text.lines().last(), again.lines().last());
    // --sweep overrides; a bad sweep is a usage error.
    let out = neurogeom(&["sweep", link, "--sweep", "alpha:0.001,1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("outside"));
    let out = neurogeom(&["sweep", "#v=1&lab=lazy-rich"]);
    assert_eq!(out.status.code(), Some(2));
}

/// `neurogeom run '<link>' --json | head -c 10`: the reader closes the pipe
/// early; the CLI exits quietly instead of printing a panic.
#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_neurogeom"))
        .args(["run", LINK, "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the CLI runs");
    let mut head = [0u8; 10];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap();
    // The read end is dropped here, as `head -c 10` exits.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
}
