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
    // A clamped value says so, not "default": steps = −5 runs 1 step.
    let out = neurogeom(&["run", "#v=1&lab=lazy-rich&steps=-5&width=8"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("steps: -5 is outside [1, 100000]; clamped to 1"),
        "{err}"
    );
    assert!(!err.contains("defaults in"), "{err}");
    let out = neurogeom(&[
        "run",
        "#v=1&lab=lazy-rich&steps=-5&width=8",
        "--lenient",
        "--json",
    ]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("clamped to 1"));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["step"], 1);
    // Hundreds of unknown keys make one grouped line, not hundreds.
    let many: String = (0..420).map(|i| format!("&junk{i}=1")).collect();
    let out = neurogeom(&["run", &format!("#v=1&lab=lazy-rich&steps=2&width=8{many}")]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let problems = err.lines().filter(|l| l.starts_with("  - ")).count();
    assert_eq!(problems, 1, "{err}");
    assert!(
        err.contains("420 keys are not parameters of lazy-rich; ignored: 'junk0', 'junk1'"),
        "{err}"
    );
    assert!(err.contains("(and 412 more)"), "{err}");
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

/// A two-axis sweep over two seeds: 12 runs of a tiny config.
const GRID: &str =
    "#v=1&lab=lazy-rich&seed=5&width=8&n_train=16&steps=40&sweep=alpha:0.1,1,10;width:4,8&seeds=2";

fn stdout_of(out: std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn sweep_output_does_not_depend_on_the_thread_count() {
    let one = stdout_of(neurogeom(&["sweep", GRID, "--threads", "1"]));
    let three = stdout_of(neurogeom(&["sweep", GRID, "--threads", "3"]));
    assert_eq!(one.lines().count(), 13);
    assert_eq!(one.lines().last(), three.lines().last());
    let sorted = |text: &str| {
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        lines.sort();
        lines
    };
    assert_eq!(
        sorted(&one),
        sorted(&three),
        "the same run lines, in any order"
    );
    let summary: serde_json::Value = serde_json::from_str(one.lines().last().unwrap()).unwrap();
    assert_eq!(summary["runs"], 12);
    assert_eq!(summary["seeds"], 2);
    assert_eq!(summary["sweep"], "alpha:log:0.1:10:3;width:list:4,8");
    let run: serde_json::Value = serde_json::from_str(one.lines().next().unwrap()).unwrap();
    for key in ["run", "alpha", "width", "seed", "hash", "metrics", "point"] {
        assert!(run.get(key).is_some(), "no {key} in {run}");
    }
}

/// Three shards run in parallel through `xargs -P 3`, each writing its own
/// file, then merged: the same summary line, hash included, as one run.
#[test]
fn shards_through_xargs_merge_to_the_single_run() {
    let dir = std::env::temp_dir().join(format!("neurogeom-shards-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bin = env!("CARGO_BIN_EXE_neurogeom");
    let status = Command::new("sh")
        .arg("-c")
        .arg(
            r#"printf '0/3\n1/3\n2/3\n' | xargs -P 3 -I{} sh -c '"$0" sweep "$1" --shard "$2" --threads 1 > "$3/shard-$(echo "$2" | tr / _).jsonl"' "$BIN" "$LINK" {} "$DIR""#,
        )
        .env("BIN", bin)
        .env("LINK", GRID)
        .env("DIR", &dir)
        .status()
        .unwrap();
    assert!(status.success());
    let file = |i: usize| dir.join(format!("shard-{i}_3.jsonl"));
    for i in 0..3 {
        let text = std::fs::read_to_string(file(i)).unwrap();
        assert_eq!(text.lines().count(), 5, "4 runs and a summary in shard {i}");
    }
    let files: Vec<String> = (0..3).map(|i| file(i).display().to_string()).collect();
    let mut args = vec!["merge"];
    args.extend(files.iter().map(String::as_str));
    let merged = stdout_of(neurogeom(&args));
    let single = stdout_of(neurogeom(&["sweep", GRID]));
    assert_eq!(merged.trim_end(), single.lines().last().unwrap());
    // With a base URL, merge names the whole sweep's link on that host.
    let mut open_args = args.clone();
    open_args.extend(["--base-url", "https://x.org/lab"]);
    let out = neurogeom(&open_args);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim_end(),
        merged.trim_end()
    );
    let summary: serde_json::Value = serde_json::from_str(merged.trim_end()).unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "open: https://x.org/lab/{}",
            summary["link"].as_str().unwrap()
        )),
        "{err}"
    );

    // --json gives the whole snapshot; --svg draws it.
    let svg = dir.join("sweep.svg");
    let mut json_args = args.clone();
    json_args.extend(["--json", "--svg", svg.to_str().unwrap()]);
    let whole: serde_json::Value = serde_json::from_str(&stdout_of(neurogeom(&json_args))).unwrap();
    let single_summary: serde_json::Value =
        serde_json::from_str(single.lines().last().unwrap()).unwrap();
    assert_eq!(whole["hash"], single_summary["hash"]);
    assert_eq!(whole["charts"][0]["id"], "sweep-heatmap-train_loss");

    // The same shard from a SLURM array's environment.
    let out = Command::new(bin)
        .args(["sweep", GRID, "--shard"])
        .env("SLURM_ARRAY_TASK_ID", "1")
        .env("SLURM_ARRAY_TASK_COUNT", "3")
        .output()
        .unwrap();
    let from_env = stdout_of(out);
    assert_eq!(
        from_env.lines().last(),
        std::fs::read_to_string(file(1)).unwrap().lines().last()
    );
    let out = Command::new(bin)
        .args(["sweep", GRID, "--shard", "auto", "--shards", "3"])
        .env("JOB_COMPLETION_INDEX", "2")
        .output()
        .unwrap();
    assert!(stdout_of(out)
        .lines()
        .last()
        .unwrap()
        .contains(r#""shard":"2/3""#));

    // Missing, duplicate, incomplete and foreign shards are refused.
    let refused = |args: &[&str], needle: &str| {
        let out = neurogeom(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    };
    refused(&["merge", &files[0], &files[2]], "missing shard(s) 1/3");
    refused(
        &["merge", &files[0], &files[1], &files[1], &files[2]],
        "given twice",
    );
    let cut = dir.join("cut.jsonl");
    let text = std::fs::read_to_string(file(1)).unwrap();
    let without_summary: Vec<&str> = text.lines().take(3).collect();
    std::fs::write(&cut, without_summary.join("\n")).unwrap();
    refused(
        &["merge", &files[0], cut.to_str().unwrap(), &files[2]],
        "did not finish",
    );
    let other = dir.join("other.jsonl");
    let other_out = stdout_of(neurogeom(&[
        "sweep",
        &GRID.replace("seed=5", "seed=6"),
        "--shard",
        "1/3",
    ]));
    std::fs::write(&other, other_out).unwrap();
    refused(
        &["merge", &files[0], other.to_str().unwrap(), &files[2]],
        "another sweep",
    );
    let two = dir.join("two.jsonl");
    std::fs::write(
        &two,
        stdout_of(neurogeom(&["sweep", GRID, "--shard", "1/2"])),
    )
    .unwrap();
    refused(
        &["merge", &files[0], two.to_str().unwrap()],
        "different numbers of shards",
    );
    refused(&["sweep", GRID, "--shard", "3/3"], "index counts from 0");
    refused(
        &["sweep", GRID, "--shard", "1/3", "--svg", "x.svg"],
        "merge",
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// The text form prints the lab's notes, as `--json` does under `warnings`:
/// here the Flesch rich set-up, whose linearised twin diverges at step 18.
#[test]
fn text_mode_prints_the_labs_notes() {
    let link = "v=1&lab=lazy-rich&seed=1&task=context&alpha=1&lr_scaling=none&centre=no&init_std=0.01&context_std=0.5&readout_std=0.01&bias_init=0.1&param=standard&width=100&lr=0.125&steps=40";
    let out = neurogeom(&["run", link]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let json = neurogeom(&["run", link, "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let warnings = json["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let note = warnings[0].as_str().unwrap();
    assert!(note.contains("the linearised model diverges"), "{note}");
    assert!(text.contains(&format!("note     {note}")), "{text}");
}

/// `--base-url` (or `NEUROGEOM_BASE_URL`) adds an `open:` line with the full
/// link on that host: on standard output after a text summary, on standard
/// error where standard output is JSON. The link reproduces the run.
#[test]
fn a_base_url_gives_open_lines_with_the_full_link() {
    let base = "https://lab.example.org/neurogeom";
    let out = neurogeom(&["run", LINK, "--base-url", base]);
    let text = stdout_of(out);
    let open = text
        .lines()
        .find_map(|l| l.strip_prefix("open: "))
        .unwrap_or_else(|| panic!("no open: line in\n{text}"));
    assert!(
        open.starts_with("https://lab.example.org/neurogeom/#v=1&lab=lazy-rich&seed=7&"),
        "{open}"
    );
    // The printed link gives the same hash.
    let again: serde_json::Value =
        serde_json::from_slice(&neurogeom(&["run", open, "--json"]).stdout).unwrap();
    assert_eq!(again["hash"], HASH);

    // The environment variable; JSON output keeps stdout clean.
    let out = Command::new(env!("CARGO_BIN_EXE_neurogeom"))
        .args(["run", LINK, "--json"])
        .env("NEUROGEOM_BASE_URL", "https://x.org/lab/")
        .output()
        .unwrap();
    assert!(serde_json::from_slice::<serde_json::Value>(&out.stdout).is_ok());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("open: https://x.org/lab/#v=1&lab=lazy-rich&seed=7&"),
        "{err}"
    );

    // Every preset of `labs` gets its link.
    let text = stdout_of(neurogeom(&["labs", "--base-url", base]));
    let presets = text.lines().filter(|l| l.starts_with("      #")).count();
    let opens: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("      open: "))
        .collect();
    assert!(presets > 5);
    assert_eq!(opens.len(), presets);
    assert!(opens
        .iter()
        .all(|o| o.starts_with("https://lab.example.org/neurogeom/#v=1&lab=")));

    // A sweep: the sweep's link, after the JSON lines.
    let link = "#v=1&lab=lazy-rich&seed=2&width=16&steps=100&sweep=alpha:log:0.1:10:3";
    let out = neurogeom(&["sweep", link, "--base-url", base]);
    assert!(String::from_utf8_lossy(&out.stdout)
        .lines()
        .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("open: https://lab.example.org/neurogeom/#v=1&lab=lazy-rich&seed=2&")
            && err.contains("&sweep=alpha:log:0.1:10:3"),
        "{err}"
    );

    // A bad base URL is a usage error, before any run.
    for bad in ["lab.example.org", "https://x.org/#v=1", "https://x.org/a b"] {
        let out = neurogeom(&["run", LINK, "--base-url", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("base URL"),
            "{bad}"
        );
        assert!(out.stdout.is_empty());
    }
}
