//! The symmetric eigensolver's phases timed apart on the benchmark
//! matrices (docs/benchmarks.md), with the alternatives each replaced or
//! was chosen over, in the same run:
//!
//! - `dsytrd`: the blocked tridiagonal reduction; `dsytd2`: column by
//!   column (unblocked);
//! - `dsterf`: eigenvalues of T without vectors;
//! - `dsteqr`: QL/QR with the rotations accumulated into Z (eigenvectors
//!   of T); `dstedc`: divide and conquer (the same);
//! - `dormtr`: the back-transformation V = QZ.
//!
//! ```text
//! cargo run --release --example bench_symeig_phases -- [n ...]   (default 1000 2000)
//! ```
//! Prints tab-separated rows: n, phase, median wall seconds, median CPU
//! seconds of the thread, reps.

use std::time::Instant;

use nalgebra::DMatrix;
use neurogeom::metrics::eigen::symmetric::bench::bench_matrix;
use neurogeom::metrics::eigen::symmetric::dsteqr::Columns;
use neurogeom::metrics::eigen::symmetric::{dormtr, dstedc, dsteqr, dsterf, dsytrd};

/// CPU seconds this thread has used.
fn cpu_seconds() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// Median wall and CPU seconds of `reps` calls.
fn time<T>(reps: usize, mut f: impl FnMut() -> T) -> (f64, f64) {
    let (mut wall, mut cpu): (Vec<f64>, Vec<f64>) = (0..reps)
        .map(|_| {
            let (s, c) = (Instant::now(), cpu_seconds());
            std::hint::black_box(f());
            (s.elapsed().as_secs_f64(), cpu_seconds() - c)
        })
        .unzip();
    wall.sort_by(f64::total_cmp);
    cpu.sort_by(f64::total_cmp);
    (wall[reps / 2], cpu[reps / 2])
}

fn main() {
    let mut sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    if sizes.is_empty() {
        sizes = vec![1000, 2000];
    }
    println!("n\tphase\tmedian s\tcpu s\treps");
    for &n in &sizes {
        let a = bench_matrix(n, 1);
        let reps = if n <= 1000 { 3 } else { 1 };
        let row =
            |phase: &str, (w, c): (f64, f64)| println!("{n}\t{phase}\t{w:.4}\t{c:.4}\t{reps}");
        row(
            "dsytd2",
            time(reps, || {
                dsytrd::dsytrd_unblocked(&mut a.as_slice().to_vec(), n)
            }),
        );
        row(
            "dsytrd",
            time(reps, || dsytrd::dsytrd(&mut a.as_slice().to_vec(), n)),
        );
        let mut reduced = a.as_slice().to_vec();
        let t = dsytrd::dsytrd(&mut reduced, n);
        row(
            "dsterf",
            time(reps, || dsterf::dsterf(&mut t.d.clone(), &mut t.e.clone())),
        );
        row(
            "dsteqr",
            time(reps, || {
                let mut z = DMatrix::<f64>::identity(n, n);
                let mut cols = Columns {
                    data: z.as_mut_slice(),
                    ld: n,
                    rows: n,
                };
                dsteqr::dsteqr(&mut t.d.clone(), &mut t.e.clone(), &mut cols)
            }),
        );
        let mut z = DMatrix::<f64>::zeros(n, n);
        row(
            "dstedc",
            time(reps, || {
                dstedc::dstedc(&mut t.d.clone(), &mut t.e.clone(), z.as_mut_slice())
            }),
        );
        row(
            "dormtr",
            time(reps, || dormtr::dormtr(&reduced, n, &t.tau, &mut z.clone())),
        );
    }
}
