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
