//! Runs and sweeps from a link, as the command line and the Python bindings
//! do them: the link checked, a sweep planned (whole or one shard), its
//! output lines, and the shards merged back into the sweep's snapshot. Both
//! faces call these functions, so `neurogeom sweep` and
//! `neurogeom.sweep()` print the same lines and the same hash.
//!
//! The sweep's runs are independent: a caller may run them in chunks (the
//! Python bindings check Ctrl-C between chunks) and hand the points to
//! [`SweepPlan::finish`] in run order; the hash does not depend on how they
//! were chunked or threaded.

use serde_json::{json, Value};

use crate::share::{config_fragment, link_fragment, parse_link, with_version, ParsedLink};
use crate::snapshot::Snapshot;
use crate::sweep::shard::{self, Shard, ShardOutput, ShardSummary};
use crate::sweep::{SweepPoint, SweepRun, SweepSpec};
use crate::version::VERSION;

/// Parse a link. Its warnings (unknown keys, values out of range) are an
/// error unless `lenient`, when the run goes on with the values each
/// warning names, as the page does.
pub fn read_link(link: &str, lenient: bool) -> Result<ParsedLink, String> {
    let parsed = parse_link(link);
    if !parsed.warnings.is_empty() && !lenient {
        return Err(format!(
            "the link has problems:\n{}\n(use --lenient to run anyway, with the values each line names, as the page does)",
            warning_list(&parsed.warnings)
        ));
    }
    Ok(parsed)
}

/// The link's warnings, one `  - ` line each.
pub fn warning_list(warnings: &[String]) -> String {
    warnings
        .iter()
        .map(|w| format!("  - {w}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The JSON of `neurogeom run --json`: the canonical fragment and link
/// (with `ng=`), the warnings, the note on a link made with another version,
/// then the snapshot's fields, `version` first; pretty-printed.
pub fn run_output(
    parsed: &ParsedLink,
    snapshot: &Snapshot,
    warnings: &[String],
) -> Result<String, String> {
    #[derive(serde::Serialize)]
    struct RunOutput<'a> {
        fragment: String,
        link: String,
        warnings: &'a [String],
        #[serde(skip_serializing_if = "Option::is_none")]
        version_note: Option<&'a crate::version::VersionNote>,
        #[serde(flatten)]
        snapshot: &'a Snapshot,
    }
    let fragment = config_fragment(&parsed.config);
    let out = RunOutput {
        link: format!("#{}", with_version(&fragment)),
        fragment,
        warnings,
        version_note: parsed.version_note.as_ref(),
        snapshot,
    };
    serde_json::to_string_pretty(&crate::snapshot::Versioned::of(&out)).map_err(|e| e.to_string())
}

/// A sweep ready to run: its grid, the runs to do (all, or one shard's),
/// and what its output lines name.
pub struct SweepPlan {
    pub parsed: ParsedLink,
    pub spec: SweepSpec,
    /// The runs to do, in run order.
    pub runs: Vec<SweepRun>,
    /// Runs in the whole sweep.
    pub total: usize,
    pub shard: Option<Shard>,
}

impl SweepPlan {
    /// The sweep of `parsed` (or `sweep`, the text of `--sweep`), with
    /// `seeds` if given, restricted to `shard` if given.
    pub fn new(
        parsed: ParsedLink,
        sweep: Option<&str>,
        seeds: Option<u32>,
        shard: Option<Shard>,
    ) -> Result<SweepPlan, String> {
        let spec = match sweep {
            Some(text) => SweepSpec::parse(text)?.with_seeds(parsed.seeds)?,
            None => parsed
                .sweep
                .clone()
                .ok_or("no sweep: add --sweep alpha:log:0.01:1000:11 or &sweep=... to the link")?,
        };
        let spec = match seeds {
            Some(n) => spec.with_seeds(n)?,
            None => spec,
        };
        let runs = spec.runs(&parsed.config)?;
        let total = runs.len();
        let runs = shard.unwrap_or(Shard::ALL).select(runs);
        Ok(SweepPlan {
            parsed,
            spec,
            runs,
            total,
            shard,
        })
    }

    /// The sweep's canonical link, with this build's `ng=`.
    pub fn link(&self) -> String {
        with_version(&link_fragment(&self.parsed.config, Some(&self.spec), None))
    }

    /// The JSON line of one finished run.
    pub fn run_line(&self, run: &SweepRun, point: &SweepPoint) -> Value {
        let keys: Vec<&str> = self.spec.axes.iter().map(|a| a.key.as_str()).collect();
        shard::run_line(run, &keys, point)
    }

    /// The last line, once every run of the plan is done (`points` in the
    /// order of [`SweepPlan::runs`]): a shard's summary line, or the whole
    /// sweep's line with its hash and the sweep's snapshot.
    pub fn finish(&self, points: &[SweepPoint]) -> Result<(Value, Option<Snapshot>), String> {
        let link = self.link();
        match self.shard {
            Some(s) => Ok((
                shard::summary_line(&ShardSummary {
                    link,
                    sweep: self.spec.to_text(),
                    seeds: self.spec.seeds,
                    runs: self.total,
                    shard: s.to_string(),
                    done: points.len(),
                }),
                None,
            )),
            None => {
                let summary = crate::sweep::snapshot(&self.spec, &self.parsed.config, points)?;
                Ok((summary_line(&self.spec, &link, &summary), Some(summary)))
            }
        }
    }
}

/// The last line of an unsharded sweep, and of a merge. `link` ends with
/// the `ng=` of the version that computed the runs.
pub fn summary_line(spec: &SweepSpec, link: &str, summary: &Snapshot) -> Value {
    json!({
        "sweep": spec.to_text(),
        "seeds": spec.seeds,
        "link": format!("#{link}"),
        "runs": summary.step,
        "hash": summary.hash,
        "version": VERSION,
    })
}

/// Shards put back together.
pub struct Merged {
    /// The link the shards ran (with their `ng=`).
    pub link: String,
    pub parsed: ParsedLink,
    pub spec: SweepSpec,
    /// The whole sweep's snapshot, with its hash.
    pub snapshot: Snapshot,
}

impl Merged {
    /// The summary line, the same as the unsharded sweep's.
    pub fn summary_line(&self) -> Value {
        summary_line(&self.spec, &self.link, &self.snapshot)
    }
}

/// Merge shards' outputs (read with [`shard::read_output`]) into the
/// sweep's snapshot. Refuses shards of another link or grid, a shard given
/// twice or missing, and runs that are not where their number says.
pub fn merge(outputs: &[ShardOutput]) -> Result<Merged, String> {
    let (summary, points) = shard::merge(outputs)?;
    let parsed = parse_link(&summary.link);
    let spec = match (&parsed.sweep, parsed.warnings.is_empty()) {
        (Some(spec), true) => spec.clone(),
        _ => {
            return Err(format!(
                "the shards' link does not read as a sweep here (another version of neurogeom?): #{}\n  {}",
                summary.link,
                parsed.warnings.join("\n  ")
            ))
        }
    };
    if spec.run_count() != summary.runs {
        return Err(format!(
            "the shards say the sweep has {} runs, but its link gives {}",
            summary.runs,
            spec.run_count()
        ));
    }
    for (run, p) in &points {
        if spec.index_of(&p.coords, p.seed_index) != Some(*run) {
            return Err(format!(
                "run {run} of the shards is at {} (seed index {}), which is not run {run} of the sweep",
                spec.describe(&p.coords),
                p.seed_index
            ));
        }
    }
    let points: Vec<_> = points.into_iter().map(|(_, p)| p).collect();
    let snapshot = crate::sweep::snapshot(&spec, &parsed.config, &points)?;
    Ok(Merged {
        link: summary.link,
        parsed,
        spec,
        snapshot,
    })
}
