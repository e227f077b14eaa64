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

pub use crate::config::{LabConfig, LabSpec, Preset};
use crate::params::shorten;
use crate::snapshot::Snapshot;

/// One registered lab: its spec, and how to build it from a checked
/// configuration.
pub struct LabEntry {
    pub spec: fn() -> LabSpec,
    pub build: fn(&LabConfig) -> Box<dyn Lab>,
}

/// Every lab, in picker order. The first is opened when a link names none.
pub const REGISTRY: &[LabEntry] = &[
    LabEntry {
        spec: lazy_rich::spec,
        build: lazy_rich::LazyRich::boxed,
    },
    LabEntry {
        spec: capacity::spec,
        build: capacity::CapacityLab::boxed,
    },
    LabEntry {
        spec: feedback::spec,
        build: feedback::Feedback::boxed,
    },
    LabEntry {
        spec: modularity::spec,
        build: modularity::Modularity::boxed,
    },
    LabEntry {
        spec: credit::spec,
        build: credit::CreditLab::boxed,
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

/// Build a lab from a configuration. The configuration is checked first
/// (see [`check`]); the warnings and the lab's own notes are returned with it.
pub fn build(config: &LabConfig) -> (Box<dyn Lab>, Vec<String>) {
    let (config, mut warnings) = check(config);
    let entry = entry(&config.lab).unwrap_or(&REGISTRY[0]);
    let lab = (entry.build)(&config);
    warnings.extend(lab.notes());
    (lab, warnings)
}
