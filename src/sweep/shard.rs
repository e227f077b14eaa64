//! Sweeps beyond one machine: a shard `I/N` runs every N-th run of the
//! sweep starting at run I, and the shards' outputs merge into the sweep.
//!
//! A shard prints one JSON line per run (see [`run_line`]) and, when all its
//! runs are done, one summary line (see [`summary_line`]). [`merge`] reads
//! the lines of every shard's file and checks that they belong together:
//! the same link, the same shard count, each shard once, each finished, and
//! each run of the grid exactly once. The merged points give the same sweep
//! snapshot and hash as one unsharded run, since a point is placed by its
//! coordinates, whatever machine or order it came from.
//!
//! On a cluster the shard is the job array's task ID ([`Shard::from_env`]):
//! SLURM's `SLURM_ARRAY_TASK_ID`, or Kubernetes' `JOB_COMPLETION_INDEX` of an
//! Indexed Job, with the count stated once: `--shards N`, `NEUROGEOM_SHARDS`,
//! or (SLURM) the array's own task count when the array runs 0 to N − 1.
//! The task ID itself is the shard, never its rank within the array, so a
//! failed task rerun alone (`sbatch --array=2`, where SLURM sets
//! `SLURM_ARRAY_TASK_MIN=2` and `SLURM_ARRAY_TASK_COUNT=1`) runs shard 2
//! again, not the whole sweep.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::{SweepPoint, SweepRun};

/// Shard `index` of `count`: the runs whose number is `index` modulo `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

/// The environment variable that gives the shard count where the scheduler
/// does not (a Kubernetes Indexed Job).
pub const SHARDS_ENV: &str = "NEUROGEOM_SHARDS";

impl Shard {
    /// The whole sweep as one shard.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// A shard from its index and count, checked.
    pub fn new(index: usize, count: usize) -> Result<Shard, String> {
        if count == 0 {
            return Err("shard: the count must be at least 1".into());
        }
        if index >= count {
            return Err(format!(
                "shard {index}/{count}: the index counts from 0 to {}",
                count - 1
            ));
        }
        Ok(Shard { index, count })
    }

    /// `I/N`, as in `--shard 2/8`.
    pub fn parse(text: &str) -> Result<Shard, String> {
        if let Some(count) = text.trim().strip_prefix('/') {
            return Err(format!(
                "shard '{}' has no index before the '/': is SLURM_ARRAY_TASK_ID set (run the script with sbatch --array=0-{})?",
                crate::params::shorten(text),
                count.trim().parse::<usize>().map_or("N".to_string(), |n| n.saturating_sub(1).to_string())
            ));
        }
        let bad = || {
            format!(
                "shard '{}' should look like 0/8 (index from 0, then the count)",
                crate::params::shorten(text)
            )
        };
        let (i, n) = text.trim().split_once('/').ok_or_else(bad)?;
        let i: usize = i.trim().parse().map_err(|_| bad())?;
        let n: usize = n.trim().parse().map_err(|_| bad())?;
        Shard::new(i, n)
    }

    /// The shard of this job in a job array, read through `env` (a lookup
    /// such as `std::env::var(..).ok()`): the task ID is the shard's index.
    /// The count is `count` (from `--shards N`), else `NEUROGEOM_SHARDS`,
    /// else, in SLURM, `SLURM_ARRAY_TASK_COUNT` if the array runs exactly
    /// the IDs 0 to count − 1 (`SLURM_ARRAY_TASK_MIN` = 0 and `_MAX` =
    /// count − 1). Any other array (a rerun of some tasks, an array from 1,
    /// a stepped one) must state the count.
    pub fn from_env(
        env: impl Fn(&str) -> Option<String>,
        count: Option<usize>,
    ) -> Result<Shard, String> {
        let number = |key: &str| -> Result<Option<usize>, String> {
            match env(key) {
                None => Ok(None),
                Some(v) => v.trim().parse().map(Some).map_err(|_| {
                    format!(
                        "{key}='{}' is not a whole number",
                        crate::params::shorten(&v)
                    )
                }),
            }
        };
        let stated = match count {
            Some(n) => Some(n),
            None => number(SHARDS_ENV)?,
        };
        if let Some(id) = number("SLURM_ARRAY_TASK_ID")? {
            let n = match stated {
                Some(n) => n,
                None => {
                    let total = number("SLURM_ARRAY_TASK_COUNT")?;
                    let min = number("SLURM_ARRAY_TASK_MIN")?;
                    let max = number("SLURM_ARRAY_TASK_MAX")?;
                    match (total, min, max) {
                        (Some(n), Some(0) | None, m) if m.is_none_or(|m| m + 1 == n) => n,
                        (Some(n), min, max) => {
                            return Err(format!(
                                "this SLURM array runs {} task(s) with IDs {} to {}, not 0 to {}: a rerun of some tasks, or an array not from 0, cannot give the shard count; state it: --shard \"$SLURM_ARRAY_TASK_ID/N\" or --shards N (or {SHARDS_ENV}=N), so that task K runs shard K of N",
                                n,
                                min.map_or("?".into(), |m| m.to_string()),
                                max.map_or("?".into(), |m| m.to_string()),
                                n.saturating_sub(1)
                            ))
                        }
                        (None, ..) => {
                            return Err(format!(
                                "SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not; give --shards N (or {SHARDS_ENV}=N)"
                            ))
                        }
                    }
                }
            };
            return Shard::new(id, n).map_err(|_| {
                format!(
                    "SLURM_ARRAY_TASK_ID={id} is past the shard count {n}: the task IDs must be the shards 0 to {} (an array from 0 without steps, --array=0-{}, or a rerun of some of them, --array=K)",
                    n.saturating_sub(1),
                    n.saturating_sub(1)
                )
            });
        }
        if let Some(index) = number("JOB_COMPLETION_INDEX")? {
            let n = stated.ok_or_else(|| {
                format!(
                    "JOB_COMPLETION_INDEX is set but not the shard count: give --shards N or set {SHARDS_ENV} (the Job's completions)"
                )
            })?;
            return Shard::new(index, n);
        }
        Err("--shard without I/N reads the job array's index, but neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set; give --shard I/N".into())
    }

    /// Whether run `index` of the sweep is this shard's.
    pub fn takes(&self, run: usize) -> bool {
        run % self.count == self.index
    }

    /// This shard's runs, in run order.
    pub fn select(&self, runs: Vec<SweepRun>) -> Vec<SweepRun> {
        runs.into_iter().filter(|r| self.takes(r.index)).collect()
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// A run's JSON line: `{"run": i, <key>: <value> per axis, "seed": s,
/// "hash", "stopped", "metrics": {key: value}, "point": <the SweepPoint>}`.
/// The first fields are for people and scripts; `point` is what [`merge`]
/// reads back, bit for bit.
pub fn run_line(run: &SweepRun, keys: &[&str], point: &SweepPoint) -> Value {
    let mut line = Map::new();
    line.insert("run".into(), json!(run.index));
    for (key, c) in keys.iter().zip(&run.coords) {
        line.insert(key.to_string(), json!(c));
    }
    line.insert("seed".into(), json!(run.config.seed));
    line.insert("hash".into(), json!(point.hash));
    line.insert("stopped".into(), json!(point.stopped));
    let metrics: Map<String, Value> = point
        .metrics
        .iter()
        .map(|m| (m.key.clone(), json!(m.value)))
        .collect();
    line.insert("metrics".into(), Value::Object(metrics));
    line.insert("point".into(), json!(point));
    Value::Object(line)
}

/// The last line of a shard's output: what it belongs to and that it
/// finished.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShardSummary {
    /// The sweep's canonical link (with `sweep=` and `seeds=`).
    pub link: String,
    /// The sweep's text form.
    pub sweep: String,
    pub seeds: u32,
    /// Runs in the whole sweep.
    pub runs: usize,
    /// Which shard, as `I/N`.
    pub shard: String,
    /// Runs this shard did.
    pub done: usize,
}

/// The summary line of a shard.
pub fn summary_line(summary: &ShardSummary) -> Value {
    json!(summary)
}

/// One shard's output, read back.
#[derive(Clone, Debug)]
pub struct ShardOutput {
    pub name: String,
    pub summary: ShardSummary,
    pub shard: Shard,
    /// (run number, point), in the order of the file.
    pub points: Vec<(usize, SweepPoint)>,
}

/// Read a shard's output (its JSON lines); `name` names it in errors.
pub fn read_output(name: &str, text: &str) -> Result<ShardOutput, String> {
    #[derive(Deserialize)]
    struct RunLine {
        run: usize,
        point: SweepPoint,
    }
    let mut summary: Option<ShardSummary> = None;
    let mut points = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = || format!("{name}, line {}", n + 1);
        let value: Value = serde_json::from_str(line).map_err(|e| {
            if e.is_eof() {
                // The text stops inside a JSON value: the process writing it
                // was stopped (time limit, node failure) mid-line.
                format!(
                    "{}: the line is cut short, so its shard was stopped while writing it ({} complete run(s) before it); run that shard again",
                    at(),
                    points.len()
                )
            } else {
                format!("{}: not a JSON line of `neurogeom sweep` ({e})", at())
            }
        })?;
        if value.get("point").is_some() {
            let r: RunLine = serde_json::from_value(value)
                .map_err(|e| format!("{}: a run line that cannot be read ({e})", at()))?;
            points.push((r.run, r.point));
        } else if value.get("shard").is_some() {
            if summary.is_some() {
                return Err(format!(
                    "{}: a second summary line; give each shard's output in its own file",
                    at()
                ));
            }
            summary = Some(
                serde_json::from_value(value)
                    .map_err(|e| format!("{}: a summary line that cannot be read ({e})", at()))?,
            );
        } else {
            return Err(format!(
                "{}: neither a run nor a shard's summary (was it written by `neurogeom sweep --shard`?)",
                at()
            ));
        }
    }
    let summary = summary.ok_or_else(|| {
        format!(
            "{name} has no summary line: its shard did not finish ({} run(s) in the file); run it again",
            points.len()
        )
    })?;
    let shard = Shard::parse(&summary.shard).map_err(|e| format!("{name}: {e}"))?;
    if points.len() != summary.done {
        return Err(format!(
            "{name}: the summary says {} run(s) but the file has {}",
            summary.done,
            points.len()
        ));
    }
    for (run, _) in &points {
        if !shard.takes(*run) || *run >= summary.runs {
            return Err(format!(
                "{name}: run {run} is not one of shard {shard}'s runs"
            ));
        }
    }
    Ok(ShardOutput {
        name: name.to_string(),
        summary,
        shard,
        points,
    })
}

/// The shards put together: the sweep's link and every run's point, in run
/// order. Errors name what is missing, given twice or from another sweep.
pub fn merge(outputs: &[ShardOutput]) -> Result<(ShardSummary, Vec<(usize, SweepPoint)>), String> {
    let first = outputs
        .first()
        .ok_or("merge: give the files of every shard")?;
    let count = first.shard.count;
    let mut by_index: Vec<Option<&ShardOutput>> = vec![None; count];
    let (first_link, first_version) = crate::version::split_link(&first.summary.link);
    for o in outputs {
        let (link, version) = crate::version::split_link(&o.summary.link);
        if link != first_link {
            return Err(format!(
                "{} is from another sweep than {}:\n  #{}\n  #{}",
                o.name, first.name, o.summary.link, first.summary.link
            ));
        }
        if version != first_version {
            let says = |v: &Option<String>| match v {
                Some(v) => format!("NeuroGeom {v}"),
                None => "a NeuroGeom before 0.2.0 (no ng= in its link)".into(),
            };
            return Err(format!(
                "{} was made with {} but {} with {}: results may differ between versions; run every shard with one build",
                o.name,
                says(&version),
                first.name,
                says(&first_version)
            ));
        }
        if o.shard.count != count {
            return Err(format!(
                "{} is shard {} but {} is shard {}: the sweep was cut into different numbers of shards",
                o.name, o.shard, first.name, first.shard
            ));
        }
        if let Some(other) = by_index[o.shard.index] {
            return Err(format!(
                "shard {} is given twice: {} and {}",
                o.shard, other.name, o.name
            ));
        }
        by_index[o.shard.index] = Some(o);
    }
    let missing: Vec<String> = (0..count)
        .filter(|&i| by_index[i].is_none())
        .map(|i| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "missing shard(s) {} of {count}: give every shard's file",
            missing.join(", ")
        ));
    }
    let runs = first.summary.runs;
    let mut points: Vec<Option<SweepPoint>> = vec![None; runs];
    for o in outputs {
        for (run, p) in &o.points {
            if points[*run].is_some() {
                return Err(format!("{}: run {run} appears twice", o.name));
            }
            points[*run] = Some(p.clone());
        }
    }
    let missing = points.iter().filter(|p| p.is_none()).count();
    if missing > 0 {
        return Err(format!("{missing} of {runs} run(s) are in no shard's file"));
    }
    Ok((
        first.summary.clone(),
        points
            .into_iter()
            .enumerate()
            .filter_map(|(i, p)| p.map(|p| (i, p)))
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_from_text_and_environment() {
        assert_eq!(Shard::parse("2/8").unwrap(), Shard { index: 2, count: 8 });
        for bad in ["8/8", "1/0", "x/3", "3", "-1/3", ""] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        // The whole array, --array=0-63: the count is the array's.
        let slurm = env(&[
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_MAX", "63"),
            ("SLURM_ARRAY_TASK_COUNT", "64"),
        ]);
        assert_eq!(
            Shard::from_env(slurm, None).unwrap(),
            Shard {
                index: 5,
                count: 64
            }
        );
        // A rerun of task 2 alone (sbatch --array=2): what SLURM sets.
        let rerun = env(&[
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_MIN", "2"),
            ("SLURM_ARRAY_TASK_MAX", "2"),
            ("SLURM_ARRAY_TASK_COUNT", "1"),
        ]);
        assert_eq!(
            Shard::from_env(rerun, Some(64)).unwrap(),
            Shard {
                index: 2,
                count: 64
            },
            "--shards 64 with the task ID: shard 2/64, not 0/64"
        );
        let err = Shard::from_env(rerun, None).unwrap_err();
        assert!(
            err.contains("IDs 2 to 2") && err.contains("--shards N"),
            "without a stated count a rerun must not run the whole sweep: {err}"
        );
        let with_env = env(&[
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_MIN", "2"),
            ("SLURM_ARRAY_TASK_MAX", "2"),
            ("SLURM_ARRAY_TASK_COUNT", "1"),
            ("NEUROGEOM_SHARDS", "64"),
        ]);
        assert_eq!(
            Shard::from_env(with_env, None).unwrap(),
            Shard {
                index: 2,
                count: 64
            }
        );
        // --array=1-64 with --shards 64: the last task is past the count.
        let from_one = env(&[
            ("SLURM_ARRAY_TASK_ID", "64"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_MAX", "64"),
            ("SLURM_ARRAY_TASK_COUNT", "64"),
        ]);
        let err = Shard::from_env(from_one, Some(64)).unwrap_err();
        assert!(
            err.contains("past the shard count 64") && err.contains("--array=0-63"),
            "{err}"
        );
        assert!(Shard::from_env(from_one, None)
            .unwrap_err()
            .contains("IDs 1 to 64"));
        // A stepped array, --array=1-4:3 (IDs 1 and 4, two tasks): refused
        // past the count, with the hint.
        let stepped = env(&[
            ("SLURM_ARRAY_TASK_ID", "4"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_MAX", "4"),
            ("SLURM_ARRAY_TASK_COUNT", "2"),
        ]);
        assert!(Shard::from_env(stepped, Some(2))
            .unwrap_err()
            .contains("past the shard count 2"));
        assert!(Shard::from_env(stepped, None).is_err());
        let k8s = env(&[("JOB_COMPLETION_INDEX", "3"), ("NEUROGEOM_SHARDS", "4")]);
        assert_eq!(
            Shard::from_env(k8s, None).unwrap(),
            Shard { index: 3, count: 4 }
        );
        let k8s = env(&[("JOB_COMPLETION_INDEX", "3")]);
        assert!(Shard::from_env(k8s, None).unwrap_err().contains("--shards"));
        assert_eq!(
            Shard::from_env(k8s, Some(10)).unwrap(),
            Shard {
                index: 3,
                count: 10
            }
        );
        let none = env(&[]);
        assert!(Shard::from_env(none, None)
            .unwrap_err()
            .contains("SLURM_ARRAY_TASK_ID"));
        let bad = env(&[
            ("SLURM_ARRAY_TASK_ID", "x"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ]);
        assert!(Shard::from_env(bad, None)
            .unwrap_err()
            .contains("not a whole number"));
        let over = env(&[
            ("SLURM_ARRAY_TASK_ID", "4"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ]);
        assert!(Shard::from_env(over, None).is_err());
        // `--shard "$SLURM_ARRAY_TASK_ID/64"` outside an array.
        let err = Shard::parse("/64").unwrap_err();
        assert!(
            err.contains("SLURM_ARRAY_TASK_ID") && err.contains("--array=0-63"),
            "{err}"
        );
    }

    #[test]
    fn a_line_cut_short_says_to_run_the_shard_again() {
        let text = "{\"run\":2,\"alpha\":0.1,\"metr";
        let err = read_output("shard-2.jsonl", text).unwrap_err();
        assert!(
            err.contains("shard-2.jsonl, line 1: the line is cut short")
                && err.contains("run that shard again"),
            "{err}"
        );
        let err = read_output("x", "{\"run\": 0} trailing").unwrap_err();
        assert!(err.contains("not a JSON line"), "{err}");
    }
}
