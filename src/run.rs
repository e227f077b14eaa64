//! Running a lab to a result: the snapshot with its result hash, and a run
//! from start to end. Above the labs (it hashes what they hand out), below
//! the link parser, sweeps, the wasm boundary and the CLI.

use sha2::{Digest, Sha256};

use crate::config::LabConfig;
use crate::labs::{self, Lab};
use crate::snapshot::Snapshot;

/// The snapshot of a lab, with its result hash filled in.
pub fn snapshot(lab: &dyn Lab) -> Snapshot {
    let mut s = lab.snapshot_unhashed();
    s.hash = result_hash(&s);
    s
}

/// Run a lab to the end and return its final snapshot. The error, if any,
/// is also recorded in the snapshot's `stopped`.
pub fn run_to_end(config: &LabConfig) -> (Snapshot, Vec<String>) {
    let (mut lab, warnings) = labs::build(config);
    let total = lab.total_steps();
    let _ = lab.step(total);
    (snapshot(lab.as_ref()), warnings)
}

/// The result hash: SHA-256 over the lab name and every number of the
/// snapshot (their IEEE-754 bits, little-endian), first 16 hex digits. Two
/// runs agree on it only if they agree bit for bit.
pub fn result_hash(snapshot: &Snapshot) -> String {
    let mut h = Sha256::new();
    h.update(snapshot.lab.as_bytes());
    for x in snapshot.numbers() {
        // One NaN pattern, so that NaNs that print alike hash alike.
        let bits = if x.is_nan() {
            f64::NAN.to_bits()
        } else {
            x.to_bits()
        };
        h.update(bits.to_le_bytes());
    }
    let digest = h.finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// The snapshot of a split run (see [`labs::Split`]) from its parts'
/// [`Lab::part_state`]s, with its result hash: what the page shows when its
/// part workers are done.
pub fn combine(config: &LabConfig, states: &[Vec<f64>]) -> Result<Snapshot, String> {
    let mut s = labs::combine_parts(config, states)?;
    s.hash = result_hash(&s);
    Ok(s)
}

/// Run a split configuration the page's way: every part to its end on its
/// own (natively each on a thread, in wasm one after another), then
/// [`combine`]. `None` when the configuration does not split
/// ([`labs::parts`] is empty). Gives the hash of [`run_to_end`].
pub fn run_parts_then_combine(config: &LabConfig) -> Option<Result<Snapshot, String>> {
    let parts = labs::parts(config);
    if parts.is_empty() {
        return None;
    }
    let run_part = |c: &LabConfig| {
        let (mut lab, _) = labs::build(c);
        let total = lab.total_steps();
        let _ = lab.step(total);
        lab.part_state()
    };
    #[cfg(not(target_arch = "wasm32"))]
    let states: Vec<Vec<f64>> = std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .iter()
            .map(|c| scope.spawn(move || crate::gemm::with_threads(1, || run_part(c))))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    #[cfg(target_arch = "wasm32")]
    let states: Vec<Vec<f64>> = parts.iter().map(run_part).collect();
    Some(combine(config, &states))
}

/// [`run_to_end`] for the CLI: a split run's parts run on threads (natively;
/// see [`run_parts_then_combine`]), the same snapshot bit for bit, sooner on
/// several cores. Other runs, or a part that failed, go the plain way.
pub fn run_to_end_parallel(config: &LabConfig) -> (Snapshot, Vec<String>) {
    match run_parts_then_combine(config) {
        Some(Ok(snapshot)) => {
            // The warnings of checking and building the whole configuration.
            let (_, warnings) = labs::build(config);
            (snapshot, warnings)
        }
        _ => run_to_end(config),
    }
}
