//! Times each analysis of `neurogeom analyze` alone, in this process, on
//! the benchmark files of `cargo xtask bench analyze` (docs/benchmarks.md,
//! "Your data at scale"): DIR/X.npy and DIR/y.npy, written by
//! `bench/analyze_numpy.py write`.
//!
//!   cargo run --release --example bench_analyze -- DIR [REPS]
//!
//! Prints rows `P×M×N<TAB>analysis<TAB>median s<TAB>min<TAB>max<TAB>median
//! CPU s` (CPU: every thread, from /proc/self/stat), the same
//! analyses as bench/analyze_numpy.py, plus `mftma`, `mftma centres` (its
//! serial centre search alone) and `all` (every
//! default analysis, MFTMA on its own thread: `Job::run_to_end`).

use std::sync::Arc;
use std::time::Instant;

use neurogeom::analyze::{self, Job, Settings, ALIGNMENT_AXES};
use neurogeom::data::files::{self, Input, LoadOptions, Recording};
use neurogeom::metrics::alignment::alignment_of;
use neurogeom::metrics::capacity::{MftmaJob, Points};
use neurogeom::metrics::collapse::feature_collapse;
use neurogeom::metrics::covariance::Centred;
use neurogeom::metrics::similarity::{linear_cka_centred, rdm};

/// This process's CPU time (user + system, every thread) in seconds, from
/// /proc/self/stat (clock ticks of 10 ms); NaN where it cannot be read.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // Fields after the command name (which is in parentheses).
    let rest = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        f.get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    // utime and stime are fields 14 and 15 of stat, 12 and 13 here.
    (ticks(11) + ticks(12)) / 100.0
}

/// (median wall, min wall, max wall, median CPU) seconds over `reps` runs.
fn timed(reps: usize, mut f: impl FnMut()) -> (f64, f64, f64, f64) {
    let mut ts: Vec<(f64, f64)> = (0..reps)
        .map(|_| {
            let (t, c) = (Instant::now(), cpu_seconds());
            f();
            (t.elapsed().as_secs_f64(), cpu_seconds() - c)
        })
        .collect();
    let mut cpu: Vec<f64> = ts.iter().map(|t| t.1).collect();
    cpu.sort_by(f64::total_cmp);
    ts.sort_by(|a, b| a.0.total_cmp(&b.0));
    (
        ts[ts.len() / 2].0,
        ts[0].0,
        ts[ts.len() - 1].0,
        cpu[cpu.len() / 2],
    )
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: bench_analyze DIR [REPS]");
    let reps: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(3);
    let load = || -> Recording {
        let x = std::fs::read(format!("{dir}/X.npy")).expect("X.npy");
        let y = std::fs::read(format!("{dir}/y.npy")).expect("y.npy");
        files::load(
            Input {
                name: "X.npy",
                bytes: &x,
            },
            Some(Input {
                name: "y.npy",
                bytes: &y,
            }),
            &LoadOptions::default(),
        )
        .expect("the benchmark file reads")
    };
    let rec = load();
    let x = rec.layers[0].x.clone();
    let labels = rec.labels.clone();
    let c = rec.n_classes();
    let size = format!("{c}×{}×{}", x.nrows() / c, x.ncols());
    let mut rows = vec![Vec::new(); c];
    for (i, &l) in labels.iter().enumerate() {
        rows[l].push(i);
    }
    let shared = Arc::new(x.clone());
    let z = x.map(libm::tanh);
    let print = |name: &str, t: (f64, f64, f64, f64)| {
        println!(
            "{size}\t{name}\t{:.4}\t{:.4}\t{:.4}\t{:.2}",
            t.0, t.1, t.2, t.3
        );
    };
    print("load", timed(reps, || drop(load())));
    // The parts of the dimensionality: the second moment, and the
    // symmetric eigensolver "Your data" uses (after LAPACK's dsyevd) with
    // and without eigenvectors on it.
    let moment = Centred::new(&x).moment().clone();
    print(
        "moment",
        timed(reps, || {
            std::hint::black_box(Centred::new(&x).moment().nrows());
        }),
    );
    print(
        "eigvalsh",
        timed(reps, || {
            std::hint::black_box(neurogeom::metrics::eigen::symmetric::eigenvalues_desc(
                &moment,
            ));
        }),
    );
    print(
        "eigh",
        timed(reps, || {
            std::hint::black_box(neurogeom::metrics::eigen::symmetric::eigen_desc(&moment));
        }),
    );
    print(
        "dimensionality",
        timed(reps, || {
            let cen = Centred::new(&x).with_dsyevd();
            std::hint::black_box((cen.participation_ratio(), cen.pcs_for_variance(0.9)));
        }),
    );
    print(
        "pca",
        timed(reps, || {
            let cen = Centred::new(&x).with_dsyevd();
            std::hint::black_box(cen.pca_scores(2));
        }),
    );
    print(
        "collapse",
        timed(reps, || {
            std::hint::black_box(feature_collapse(&x, &labels, c).expect("collapse"));
        }),
    );
    print(
        "alignment",
        timed(reps, || {
            let points = Points::Rows {
                x: Arc::clone(&shared),
                rows: rows.clone(),
            };
            std::hint::black_box(alignment_of(&points, ALIGNMENT_AXES).expect("alignment"));
        }),
    );
    print(
        "rdm",
        timed(reps, || {
            std::hint::black_box(rdm(&analyze::class_means(&x, &labels, c)));
        }),
    );
    print(
        "cka",
        timed(reps, || {
            std::hint::black_box(linear_cka_centred(&Centred::new(&x), &Centred::new(&z)));
        }),
    );
    let settings = Settings::default();
    print(
        "mftma",
        timed(reps.min(2), || {
            let points = Points::Rows {
                x: Arc::clone(&shared),
                rows: rows.clone(),
            };
            let mut job = MftmaJob::from_points(points, &settings.mftma_options()).expect("mftma");
            while !job.advance(usize::MAX).expect("mftma") {}
            std::hint::black_box(job.result());
        }),
    );
    // MFTMA's serial part: the centre search (the manifolds after it are
    // independent and split across threads).
    print(
        "mftma centres",
        timed(reps.min(2), || {
            let points = Points::Rows {
                x: Arc::clone(&shared),
                rows: rows.clone(),
            };
            let mut job = MftmaJob::from_points(points, &settings.mftma_options()).expect("mftma");
            while job.stage() == neurogeom::metrics::capacity::Stage::Centers {
                job.advance(1).expect("mftma");
            }
            std::hint::black_box(job.progress());
        }),
    );
    print(
        "all",
        timed(reps.min(2), || {
            let mut job = Job::new(rec.clone(), &settings).expect("job");
            job.run_to_end().expect("analysis");
            std::hint::black_box(job.snapshot());
        }),
    );
}
