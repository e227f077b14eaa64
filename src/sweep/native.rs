//! Running a sweep's runs natively on `threads` threads. Each run is an
//! ordinary run of its own configuration, so the points do not depend on
//! the number of threads or on which finishes first.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use super::{point, SweepPoint, SweepRun};

/// `--threads N`: N runs at a time. Absent or empty (`--threads
/// "$SLURM_CPUS_PER_TASK"` where SLURM did not set it) means every core this
/// process may use: `available_parallelism`, which on Linux honours the CPU
/// affinity and cgroup quota a scheduler gives the job.
pub fn threads_from_text(text: Option<&str>) -> Result<usize, String> {
    match text.map(str::trim) {
        None | Some("") => Ok(std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)),
        Some(t) => match t.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(format!(
                "--threads '{}' should be a whole number of at least 1 (or empty for every core)",
                crate::params::shorten(t)
            )),
        },
    }
}

/// Run `runs` (all of a sweep's, or a shard of them), `threads` at a time,
/// calling `on_point` for each in the order of `runs` (as soon as it and every
/// run before it have finished). Returns the
/// points in the order of `runs`.
pub fn run_native(
    runs: &[SweepRun],
    threads: usize,
    mut on_point: impl FnMut(&SweepRun, &SweepPoint),
) -> Vec<SweepPoint> {
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel::<(usize, SweepPoint)>();
    let mut points: Vec<Option<SweepPoint>> = vec![None; runs.len()];
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1).min(runs.len()) {
            let tx = tx.clone();
            let next = &next;
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(run) = runs.get(i) else { break };
                // The runs share the cores: their products start no
                // threads of their own (the bits are the same).
                let (snap, _) =
                    crate::gemm::with_threads(1, || crate::run::run_to_end(&run.config));
                if tx
                    .send((i, point(&run.coords, run.seed_index, &snap)))
                    .is_err()
                {
                    break;
                }
            });
        }
        drop(tx);
        // Report points in run order whatever order the threads finish in
        // (the output of N threads is the output of one): point i is passed
        // on as soon as every point before it is in.
        let mut reported = 0;
        for (i, p) in rx {
            points[i] = Some(p);
            while let Some(Some(p)) = points.get(reported) {
                on_point(&runs[reported], p);
                reported += 1;
            }
        }
    });
    points.into_iter().flatten().collect()
}
