//! The labs and their registry. Each lab is data in, data out: a checked
//! [`LabConfig`] goes in, [`Lab::step`] advances it, and
//! [`Lab::snapshot_unhashed`] gives plain data. The worker, the CLI, sweeps
//! and the tests all drive labs through this one interface, and find them in
//! one table, [`REGISTRY`].
//!
//! **Adding a lab** is one file in this folder (spec, state, `new`, `step`,
//! `snapshot`, then tests) and one line in [`REGISTRY`]. The page's picker
//! and controls, the CLI, sweeps, the presets gallery and the generic per-lab
//! tests (`tests/every_lab.rs`) find it there.

pub mod capacity;
pub mod credit;
pub mod feedback;
pub mod lazy_rich;
pub mod modularity;
pub mod references;

pub use crate::config::{LabConfig, LabSpec, Preset, StepUnit};
use crate::params::{shorten, ParamValue};
use crate::snapshot::Snapshot;

/// One registered lab: its spec, how to build it from a checked
/// configuration, and whether its runs split into independent parts.
pub struct LabEntry {
    pub spec: fn() -> LabSpec,
    pub build: fn(&LabConfig) -> Box<dyn Lab>,
    pub split: Option<Split>,
}

/// A lab whose run is several independent runs side by side, one per option
/// of one `multi` key (the credit lab's `rules=bp,fa,dfa`: one network per
/// rule, on the same seed). Each part is the same lab with that key set to
/// one option; it runs alone (in its own page worker, or thread) and hands
/// over [`Lab::part_state`] when it stops. `combine` turns the parts' states,
/// in the order of the key's list, into the snapshot of the whole run,
/// computing the cross-part results (the credit lab's CKA between rules)
/// from them.
///
/// The contract, tested per lab: for every configuration,
/// `combine(config, [part_state of each part run to its end])` has the same
/// hash as running `build(config)` to its end. Parts may stop at different
/// steps (one diverges): `combine` then re-runs, from the configuration,
/// whatever it needs to reproduce the joint run (the whole run stops where
/// its first part stops). Parts that were paused at one common step combine
/// into the joint run's snapshot at that step.
pub struct Split {
    /// The `multi` key whose options are the parts.
    pub key: &'static str,
    /// The snapshot (unhashed) of the whole run from its parts' states.
    /// Errors name a malformed state.
    pub combine: fn(&LabConfig, &[Vec<f64>]) -> Result<Snapshot, String>,
}

/// Every lab, in picker order. The first is opened when a link names none.
pub const REGISTRY: &[LabEntry] = &[
    LabEntry {
        spec: lazy_rich::spec,
        build: lazy_rich::LazyRich::boxed,
        split: None,
    },
    LabEntry {
        spec: capacity::spec,
        build: capacity::CapacityLab::boxed,
        split: None,
    },
    LabEntry {
        spec: feedback::spec,
        build: feedback::Feedback::boxed,
        split: None,
    },
    LabEntry {
        spec: modularity::spec,
        build: modularity::Modularity::boxed,
        split: None,
    },
    LabEntry {
        spec: credit::spec,
        build: credit::CreditLab::boxed,
        split: Some(Split {
            key: "rules",
            combine: credit::combine,
        }),
    },
];

/// Why a lab stopped before its last step.
#[derive(Clone, Debug, PartialEq)]
pub enum LabError {
    /// The loss became NaN or infinite.
    Diverged { step: u64, detail: String },
}

impl std::fmt::Display for LabError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LabError::Diverged { step, detail } => {
                write!(f, "the run diverged at step {step}: {detail}")
            }
        }
    }
}

/// A lab's cost model: the work done so far and the work of the whole run,
/// in units the lab chooses so that equal amounts of work take about equal
/// compute time (for example multiply–adds). Only ratios matter. The page
/// estimates how long a run will take from the time its work after the
/// first step took (see `www/long-run.js`), so a lab whose steps differ in
/// cost (a step that records every metric, a spectrum after many cheap
/// integration steps) says so here, and a long first step (one-off set-up)
/// is not taken for the cost of every step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Work {
    pub done: f64,
    pub total: f64,
}

impl Work {
    /// Every step the same cost: work is steps.
    pub fn steps(done: u64, total: u64) -> Work {
        Work {
            done: done as f64,
            total: total as f64,
        }
    }
}

/// A running lab.
pub trait Lab {
    /// Advance up to `n` steps (fewer if the run ends). `step(a); step(b)`
    /// gives exactly the state of `step(a + b)`, so the result does not
    /// depend on how the page or the CLI chunk the run.
    fn step(&mut self, n: u64) -> Result<(), LabError>;

    /// Steps done so far.
    fn steps_done(&self) -> u64;

    /// The steps the configuration asks for.
    fn total_steps(&self) -> u64;

    /// Whether the run has stopped (finished or diverged).
    fn is_done(&self) -> bool;

    /// The current snapshot, without its hash (`run::snapshot` adds it).
    fn snapshot_unhashed(&self) -> Snapshot;

    /// What the lab wants the user to know about this configuration (for
    /// example a learning rate at which the linearised model diverges).
    /// Shown in the message area, not as link problems.
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }

    /// The work done and planned ([`Work`]). The default counts steps, for
    /// labs whose steps all cost about the same. Contract (tested for every
    /// preset): `done` never decreases, `0 ≤ done ≤ total`, both finite,
    /// and `done == total` once a run has finished all its steps.
    fn work(&self) -> Work {
        Work::steps(self.steps_done(), self.total_steps())
    }

    /// The state a part of a split run hands to its lab's
    /// [`Split::combine`], as plain numbers (so that it crosses the page's
    /// worker boundary bit for bit). Empty for labs that do not split.
    fn part_state(&self) -> Vec<f64> {
        Vec::new()
    }
}

/// Every lab's spec, in picker order.
pub fn catalog() -> Vec<LabSpec> {
    REGISTRY.iter().map(|e| (e.spec)()).collect()
}

/// The names of all labs.
pub fn names() -> Vec<String> {
    catalog().into_iter().map(|s| s.name).collect()
}

/// The lab opened when a link names none (or an unknown one).
pub fn default_spec() -> LabSpec {
    (REGISTRY[0].spec)()
}

/// A lab's spec by name.
pub fn spec(name: &str) -> Option<LabSpec> {
    entry(name).map(|e| (e.spec)())
}

fn entry(name: &str) -> Option<&'static LabEntry> {
    REGISTRY.iter().find(|e| (e.spec)().name == name)
}

/// Check a configuration against its lab's spec (see
/// [`LabConfig::checked_against`]). An unknown lab opens the default lab with
/// its defaults, and says so.
pub fn check(config: &LabConfig) -> (LabConfig, Vec<String>) {
    match spec(&config.lab) {
        Some(s) => config.checked_against(&s),
        None => {
            let fallback = default_spec();
            let warning = format!(
                "unknown lab '{}'; opening '{}' (labs: {})",
                shorten(&config.lab),
                fallback.name,
                names().join(", ")
            );
            (
                LabConfig {
                    seed: config.seed,
                    ..LabConfig::defaults(&fallback)
                },
                vec![warning],
            )
        }
    }
}

/// The parts of a split run: one configuration per option of the lab's
/// split key, in the key's order, each with the key set to that option
/// alone. Empty when the lab does not split or the key lists fewer than two
/// options (the run is then one part: the lab itself).
pub fn parts(config: &LabConfig) -> Vec<LabConfig> {
    let (config, _) = check(config);
    let Some(split) = entry(&config.lab).and_then(|e| e.split.as_ref()) else {
        return Vec::new();
    };
    let items = config.list(split.key);
    if items.len() < 2 {
        return Vec::new();
    }
    items
        .iter()
        .map(|item| {
            let mut part = config.clone();
            part.set(split.key, ParamValue::Choice(item.clone()));
            part
        })
        .collect()
}

/// The unhashed snapshot of a split run from its parts' states (see
/// [`Split`]); an error for a lab that does not split or a malformed state.
pub fn combine_parts(config: &LabConfig, states: &[Vec<f64>]) -> Result<Snapshot, String> {
    let (config, _) = check(config);
    match entry(&config.lab).and_then(|e| e.split.as_ref()) {
        Some(split) => (split.combine)(&config, states),
        None => Err(format!("the {} lab does not split into parts", config.lab)),
    }
}

/// The data sets a configuration needs that the wasm does not carry, by
/// the name the page provides them under (`provide_dataset` in
/// `src/web.rs`): the page's workers fetch these before they build the lab.
/// Natively every data set is embedded, so this matters only in wasm.
pub fn datasets_needed(config: &LabConfig) -> Vec<&'static str> {
    let (config, _) = check(config);
    if config.lab != "capacity" {
        return Vec::new();
    }
    match config.choice("task").as_str() {
        "haxby" => vec![crate::data::haxby::DATASET],
        "digits" => vec![crate::data::digits::DATASET],
        _ => Vec::new(),
    }
}

/// The first of [`datasets_needed`] that is not at hand, as the message
/// that says so; `None` when the lab can be built.
pub fn missing_dataset(config: &LabConfig) -> Option<String> {
    datasets_needed(config)
        .into_iter()
        .find_map(|name| match name {
            crate::data::haxby::DATASET => crate::data::haxby::bytes().err(),
            crate::data::digits::DATASET => crate::data::digits::bytes().err(),
            other => Some(format!("unknown data set {other:?}")),
        })
}

/// Build a lab from a configuration. The configuration is checked first
/// (see [`check`]); the warnings and the lab's own notes are returned with it.
pub fn build(config: &LabConfig) -> (Box<dyn Lab>, Vec<String>) {
    let (config, mut warnings) = check(config);
    let entry = entry(&config.lab).unwrap_or(&REGISTRY[0]);
    let lab = (entry.build)(&config);
    warnings.extend(lab.notes());
    (lab, warnings)
}
