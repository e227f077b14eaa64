//! The feedback lab's benchmark (docs/benchmarks.md, `cargo xtask bench
//! feedback`): the Jacobian spectrum at several N by our eigenvalues-only
//! solver and by nalgebra's Schur decomposition, and a 1000-step Euler
//! simulation at N = 2000. Writes each benchmark matrix to
//! `target/feedback-bench/S_<n>.f64` (row-major, little-endian) for numpy.
//!
//! ```text
//! cargo run --release --example bench_feedback -- [n ...]   (default 500 1000 2000)
//! ```
//! Prints tab-separated rows: n, solver, median seconds, reps, checksum.

use std::time::Instant;

use nalgebra::DMatrix;
use neurogeom::metrics::eigen::eigenvalues;
use neurogeom::metrics::stability::{bench_matrix, bench_network, spectrum_checksum};
use neurogeom::nn::rate_rnn::Integrator;

fn median_s(reps: usize, mut f: impl FnMut() -> f64) -> (f64, f64) {
    let mut out = 0.0;
    let mut t: Vec<f64> = (0..reps)
        .map(|_| {
            let s = Instant::now();
            out = f();
            s.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(|a, b| a.total_cmp(b));
    (t[reps / 2], out)
}

fn main() {
    let mut sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    if sizes.is_empty() {
        sizes = vec![500, 1000, 2000];
    }
    let dir = std::path::Path::new("target/feedback-bench");
    std::fs::create_dir_all(dir).expect("create target/feedback-bench");
    println!("# native, {} ", std::env::consts::ARCH);
    println!("n\tsolver\tmedian s\treps\tchecksum");
    for &n in &sizes {
        let a = bench_matrix(n, 1);
        let bytes: Vec<u8> = a.iter().flat_map(|v| v.to_le_bytes()).collect();
        std::fs::write(dir.join(format!("S_{n}.f64")), bytes).expect("write matrix");
        let reps = if n <= 500 { 5 } else { 3 };
        let (t, c) = median_s(reps, || spectrum_checksum(&eigenvalues(&a, n)));
        println!("{n}\tours\t{t:.4}\t{reps}\t{c:e}");
        let (t, c) = median_s(reps, || {
            let m = DMatrix::from_row_slice(n, n, &a);
            let e: Vec<(f64, f64)> = m
                .complex_eigenvalues()
                .iter()
                .map(|c| (c.re, c.im))
                .collect();
            spectrum_checksum(&Some(e))
        });
        println!("{n}\tnalgebra\t{t:.4}\t{reps}\t{c:e}");
    }
    let (net, x0) = bench_network(2000, 1);
    let (t, z) = median_s(3, || {
        let mut x = x0.clone();
        net.simulate(&mut x, 0.1, 1000, Integrator::Euler, None);
        net.output(&x)
    });
    println!("2000\tsim1000\t{t:.4}\t3\t{z:e}");
}
