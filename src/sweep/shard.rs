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
//! On a cluster the shard comes from the job array's environment
//! ([`Shard::from_env`]): SLURM's `SLURM_ARRAY_TASK_ID` (less
//! `SLURM_ARRAY_TASK_MIN`) out of `SLURM_ARRAY_TASK_COUNT`, or Kubernetes'
//! `JOB_COMPLETION_INDEX` of an Indexed Job, with the count from
//! `--shards N` or `NEUROGEOM_SHARDS`.

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
    /// such as `std::env::var(..).ok()`); `count` (from `--shards N`)
    /// overrides the count the environment gives.
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
        if let Some(id) = number("SLURM_ARRAY_TASK_ID")? {
            let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            let n = match count {
                Some(n) => n,
                None => number("SLURM_ARRAY_TASK_COUNT")?.ok_or(
                    "SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not; give --shards N",
                )?,
            };
            let index = id.checked_sub(min).ok_or_else(|| {
                format!("SLURM_ARRAY_TASK_ID={id} is below SLURM_ARRAY_TASK_MIN={min}")
            })?;
            return Shard::new(index, n).map_err(|e| {
                format!("{e} (from SLURM_ARRAY_TASK_ID={id}, _MIN={min}, count {n}: use a contiguous array such as --array=0-{})", n.saturating_sub(1))
            });
        }
        if let Some(index) = number("JOB_COMPLETION_INDEX")? {
            let n = match count {
                Some(n) => n,
                None => number(SHARDS_ENV)?.ok_or_else(|| {
                    format!(
                        "JOB_COMPLETION_INDEX is set but not the shard count: give --shards N or set {SHARDS_ENV} (the Job's completions)"
                    )
                })?,
            };
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
        let value: Value = serde_json::from_str(line)
            .map_err(|e| format!("{}: not a JSON line of `neurogeom sweep` ({e})", at()))?;
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
    for o in outputs {
        if o.summary.link != first.summary.link {
            return Err(format!(
                "{} is from another sweep than {}:\n  #{}\n  #{}",
                o.name, first.name, o.summary.link, first.summary.link
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
        let slurm = env(&[
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_COUNT", "64"),
        ]);
        assert_eq!(
            Shard::from_env(slurm, None).unwrap(),
            Shard {
                index: 5,
                count: 64
            }
        );
        // --array=1-64: the index counts from the array's first id.
        let slurm1 = env(&[
            ("SLURM_ARRAY_TASK_ID", "64"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "64"),
        ]);
        assert_eq!(
            Shard::from_env(slurm1, None).unwrap(),
            Shard {
                index: 63,
                count: 64
            }
        );
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
    }
}
