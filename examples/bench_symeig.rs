//! The symmetric eigensolver's benchmark, natively (docs/benchmarks.md,
//! `cargo xtask bench symeig`): eigenvalues alone and with eigenvectors, by
//! each solver of `metrics::eigen::symmetric::bench`, on the Wigner matrix
//! `bench_matrix(n, 1)`. Writes each matrix to
//! `target/symeig-bench/A_<n>.f64` (little-endian; symmetric, so row- and
//! column-major alike) for `bench/symeig_numpy.py`.
//!
//! ```text
//! cargo run --release --example bench_symeig -- [n ...] [--solvers a,b] [--reps R]
//! ```
//! Default sizes 1000 2000 4000; reps 3 up to n = 1000, else 1. Prints
//! tab-separated rows: n, solver, median wall seconds, median CPU seconds
//! of the thread (what the run cost, whatever the machine's load), reps,
//! checksum, bits (a hash of every output bit).

use std::time::Instant;

use neurogeom::metrics::eigen::symmetric::bench::{bench_matrix, run, SOLVERS};

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

fn median(mut t: Vec<f64>) -> f64 {
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

fn main() {
    let mut sizes = Vec::new();
    let mut solvers: Vec<String> = SOLVERS.iter().map(|s| s.to_string()).collect();
    let mut reps_flag = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--solvers" => {
                solvers = args
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .map(str::to_string)
                    .collect()
            }
            "--reps" => reps_flag = args.next().and_then(|r| r.parse::<usize>().ok()),
            _ => match a.parse() {
                Ok(n) => sizes.push(n),
                Err(_) => {
                    eprintln!("bench_symeig: unknown argument {a:?}");
                    std::process::exit(2);
                }
            },
        }
    }
    if sizes.is_empty() {
        sizes = vec![1000, 2000, 4000];
    }
    for s in &solvers {
        if !SOLVERS.contains(&s.as_str()) {
            eprintln!("bench_symeig: unknown solver {s:?} (one of {SOLVERS:?})");
            std::process::exit(2);
        }
    }
    let dir = std::path::Path::new("target/symeig-bench");
    std::fs::create_dir_all(dir).expect("create target/symeig-bench");
    println!(
        "# native {}, kernel {}",
        std::env::consts::ARCH,
        neurogeom::gemm::current_kernel().key()
    );
    println!("n\tsolver\tmedian s\tcpu s\treps\tchecksum\tbits");
    for &n in &sizes {
        let a = bench_matrix(n, 1);
        let bytes: Vec<u8> = a.iter().flat_map(|v| v.to_le_bytes()).collect();
        std::fs::write(dir.join(format!("A_{n}.f64")), bytes).expect("write matrix");
        let reps = reps_flag.unwrap_or(if n <= 1000 { 3 } else { 1 }).max(1);
        for solver in &solvers {
            let mut out = String::new();
            let (mut wall, mut cpu) = (Vec::new(), Vec::new());
            for _ in 0..reps {
                let (s, c) = (Instant::now(), cpu_seconds());
                out = run(&a, solver).unwrap_or_else(|| "NaN\t-".into());
                cpu.push(cpu_seconds() - c);
                wall.push(s.elapsed().as_secs_f64());
            }
            println!(
                "{n}\t{solver}\t{:.4}\t{:.4}\t{reps}\t{out}",
                median(wall),
                median(cpu)
            );
        }
    }
}
