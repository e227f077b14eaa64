//! Running a sweep's runs natively on `threads` threads. Each run is an
//! ordinary run of its own configuration, so the points do not depend on
//! the number of threads or on which finishes first.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use super::{point, SweepPoint, SweepRun};

/// Run `runs` (all of a sweep's, or a shard of them), `threads` at a time,
/// calling `on_point` as each finishes (in completion order). Returns the
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
                let (snap, _) = crate::run::run_to_end(&run.config);
                if tx
                    .send((i, point(&run.coords, run.seed_index, &snap)))
                    .is_err()
                {
                    break;
                }
            });
        }
        drop(tx);
        for (i, p) in rx {
            on_point(&runs[i], &p);
            points[i] = Some(p);
        }
    });
    points.into_iter().flatten().collect()
}
