//! Sweeps on a SLURM cluster, without SLURM: the CLI with the environment
//! variables `sbatch` sets for an array task and for a rerun of one task,
//! and the README's array script itself, extracted from README.md and run
//! by bash as written, so that the README cannot drift from the CLI.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_neurogeom");

/// A sweep of 12 short runs.
const GRID: &str =
    "#v=1&lab=lazy-rich&seed=5&width=8&n_train=16&steps=40&sweep=alpha:0.1,1,10;width:4,8&seeds=2";

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("neurogeom-slurm-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn refused(out: Output, needle: &str) -> String {
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(err.contains(needle), "expected {needle:?} in: {err}");
    assert!(out.stdout.is_empty(), "nothing runs");
    err
}

/// The variables SLURM sets for task `id` of an array with IDs min..=max.
fn slurm(cmd: &mut Command, id: usize, min: usize, max: usize, count: usize) -> &mut Command {
    cmd.env("SLURM_ARRAY_TASK_ID", id.to_string())
        .env("SLURM_ARRAY_TASK_MIN", min.to_string())
        .env("SLURM_ARRAY_TASK_MAX", max.to_string())
        .env("SLURM_ARRAY_TASK_COUNT", count.to_string())
}

fn summary(text: &str) -> serde_json::Value {
    serde_json::from_str(text.lines().last().expect("a summary line")).unwrap()
}

#[test]
fn a_rerun_of_one_task_runs_exactly_its_shard() {
    // The task as first run, in an array 0-3 of 4 shards.
    let first = ok(slurm(
        Command::new(BIN).args(["sweep", GRID, "--shard", "--threads", "1"]),
        2,
        0,
        3,
        4,
    )
    .output()
    .unwrap());
    assert_eq!(summary(&first)["shard"], "2/4");
    // `sbatch --array=2`: SLURM's variables for that rerun.
    for args in [
        vec!["sweep", GRID, "--shard", "--shards", "4", "--threads", "1"],
        vec!["sweep", GRID, "--shard", "2/4", "--threads", "1"],
    ] {
        let again = ok(slurm(Command::new(BIN).args(&args), 2, 2, 2, 1)
            .output()
            .unwrap());
        assert_eq!(again, first, "{args:?}: the same shard, byte for byte");
    }
    // NEUROGEOM_SHARDS states the count as well as --shards does.
    let again = ok(slurm(
        Command::new(BIN).args(["sweep", GRID, "--shard", "--threads", "1"]),
        2,
        2,
        2,
        1,
    )
    .env("NEUROGEOM_SHARDS", "4")
    .output()
    .unwrap());
    assert_eq!(again, first);
    // Without a stated count, a rerun must not run the whole sweep.
    refused(
        slurm(
            Command::new(BIN).args(["sweep", GRID, "--shard"]),
            2,
            2,
            2,
            1,
        )
        .output()
        .unwrap(),
        "IDs 2 to 2",
    );
    // A stepped array (--array=1-4:3: IDs 1 and 4, two tasks) is refused
    // past the count, with the hint.
    let err = refused(
        slurm(
            Command::new(BIN).args(["sweep", GRID, "--shard", "--shards", "2"]),
            4,
            1,
            4,
            2,
        )
        .output()
        .unwrap(),
        "past the shard count 2",
    );
    assert!(err.contains("--array=0-1"), "{err}");
    // `--shard "$SLURM_ARRAY_TASK_ID/64"` where the variable is unset.
    refused(
        Command::new(BIN)
            .args(["sweep", GRID, "--shard", "/64"])
            .output()
            .unwrap(),
        "is SLURM_ARRAY_TASK_ID set",
    );
}

#[test]
fn an_empty_link_or_thread_count_says_what_is_missing() {
    for args in [
        vec!["sweep", "", "--shard", "0/2"],
        vec!["sweep", "--shard", "0/2"],
        vec!["sweep", "  "],
    ] {
        refused(
            Command::new(BIN).args(&args).output().unwrap(),
            "no link given (is LINK set in the job's environment?)",
        );
    }
    // An unset $SLURM_CPUS_PER_TASK: every core, the same output.
    let all = ok(Command::new(BIN)
        .args(["sweep", GRID, "--threads", ""])
        .output()
        .unwrap());
    let one = ok(Command::new(BIN)
        .args(["sweep", GRID, "--threads", "1"])
        .output()
        .unwrap());
    assert_eq!(all, one);
    refused(
        Command::new(BIN)
            .args(["sweep", GRID, "--threads", "0"])
            .output()
            .unwrap(),
        "--threads '0' should be a whole number of at least 1",
    );
}

#[test]
fn a_shard_cut_in_the_middle_of_a_line_must_be_run_again() {
    let dir = scratch("cut");
    let mut files = Vec::new();
    for i in 0..2 {
        let text = ok(Command::new(BIN)
            .args([
                "sweep",
                GRID,
                "--shard",
                &format!("{i}/2"),
                "--threads",
                "1",
            ])
            .output()
            .unwrap());
        let path = dir.join(format!("shard-{i}.jsonl"));
        std::fs::write(&path, &text).unwrap();
        files.push(path);
    }
    // Shard 1 stopped (its time limit) while writing its third run line.
    let text = std::fs::read_to_string(&files[1]).unwrap();
    let third = text.match_indices('\n').nth(1).unwrap().0 + 1;
    let cut = dir.join("shard-1-cut.jsonl");
    std::fs::write(&cut, &text[..third + 40]).unwrap();
    let out = Command::new(BIN)
        .arg("merge")
        .args([&files[0], &cut])
        .output()
        .unwrap();
    let err = refused(out, "line 3: the line is cut short");
    assert!(
        err.contains("2 complete run(s) before it") && err.contains("run that shard again"),
        "{err}"
    );
    // The whole file merges.
    let merged = ok(Command::new(BIN)
        .arg("merge")
        .args(&files)
        .output()
        .unwrap());
    let single = ok(Command::new(BIN).args(["sweep", GRID]).output().unwrap());
    assert_eq!(merged.trim_end(), single.lines().last().unwrap());
    std::fs::remove_dir_all(&dir).ok();
}

/// The README's SLURM script: the first ```sh block that starts with
/// `#!/bin/bash` and has `#SBATCH` lines.
fn readme_script() -> String {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let mut blocks = readme.split("```sh\n").skip(1);
    let script = blocks
        .find(|b| b.starts_with("#!/bin/bash\n") && b.contains("#SBATCH --array="))
        .expect("README.md has a SLURM array script");
    script[..script.find("```").unwrap()].to_string()
}

/// The array's size from the script's `#SBATCH --array=0-N`.
fn array_size(script: &str) -> usize {
    let line = script
        .lines()
        .find(|l| l.starts_with("#SBATCH --array=0-"))
        .unwrap();
    line["#SBATCH --array=0-".len()..]
        .trim()
        .parse::<usize>()
        .unwrap()
        + 1
}

/// Run the script as sbatch would run task `id`: a clean environment with
/// SLURM's variables, `neurogeom` on PATH, standard output as the task's
/// `--output` file. `link` is an exported LINK, if any.
fn run_task(
    script: &Path,
    id: usize,
    range: (usize, usize),
    link: Option<&str>,
    path: &str,
) -> Output {
    let mut cmd = Command::new("bash");
    cmd.arg(script).env_clear().env("PATH", path);
    slurm(&mut cmd, id, range.0, range.1, range.1 - range.0 + 1);
    if let Some(l) = link {
        cmd.env("LINK", l);
    }
    cmd.output().unwrap()
}

#[test]
fn the_readme_script_runs_as_written() {
    let dir = scratch("readme");
    let script = dir.join("job.sh");
    let text = readme_script();
    std::fs::write(&script, &text).unwrap();
    let n = array_size(&text);
    assert!(
        text.contains(&format!("/{n}\"")),
        "the count in --shard is the array's size:\n{text}"
    );
    let bin_dir = Path::new(BIN).parent().unwrap().display().to_string();
    let path = format!("{bin_dir}:/usr/bin:/bin");

    // The whole array, with an exported LINK (small, so that 64 tasks are
    // quick): each task writes its shard; merged, they are the sweep.
    let mut files = Vec::new();
    for id in 0..n {
        let out = run_task(&script, id, (0, n - 1), Some(GRID), &path);
        let shard = ok(out);
        assert_eq!(summary(&shard)["shard"], format!("{id}/{n}"));
        let file = dir.join(format!("shard-{id}.jsonl"));
        std::fs::write(&file, &shard).unwrap();
        files.push(file);
    }
    let merged = ok(Command::new(BIN)
        .arg("merge")
        .args(&files)
        .output()
        .unwrap());
    let single = ok(Command::new(BIN).args(["sweep", GRID]).output().unwrap());
    assert_eq!(merged.trim_end(), single.lines().last().unwrap());

    // Task 2 failed: `sbatch --array=2 job.sh` reruns it alone, to the same
    // bytes, and the merge still gives the sweep.
    let before = std::fs::read_to_string(&files[2]).unwrap();
    std::fs::remove_file(&files[2]).unwrap();
    let rerun = ok(run_task(&script, 2, (2, 2), Some(GRID), &path));
    assert_eq!(rerun, before);
    std::fs::write(&files[2], rerun).unwrap();
    let again = ok(Command::new(BIN)
        .arg("merge")
        .args(&files)
        .output()
        .unwrap());
    assert_eq!(again, merged);

    // As written, with no LINK in the environment: the script's own sweep
    // (one task, its last, to keep the test short).
    let own = ok(run_task(&script, n - 1, (0, n - 1), None, &path));
    let s = summary(&own);
    assert_eq!(s["shard"], format!("{}/{n}", n - 1));
    assert!(
        s["link"]
            .as_str()
            .unwrap()
            .contains("sweep=alpha:log:0.01:1000:9"),
        "{s}"
    );
    assert_eq!(s["done"], own.lines().count() - 1);

    // neurogeom missing from the compute node's PATH: the script says so.
    let out = run_task(&script, 0, (0, n - 1), Some(GRID), "/usr/bin:/bin");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("neurogeom is not on PATH"), "{err}");
    assert!(out.stdout.is_empty());
    std::fs::remove_dir_all(&dir).ok();
}
