//! The eigensolver's two phases timed apart on the feedback benchmark
//! matrices (docs/benchmarks.md): the Hessenberg reduction and the QR
//! iteration on the Hessenberg matrix.
//!
//! ```text
//! cargo run --release --example bench_eigen_phases -- [n ...]   (default 500 1000)
//! ```
//! Prints tab-separated rows: n, phase, median seconds, reps.

use std::time::Instant;

use neurogeom::metrics::eigen::hessenberg::hessenberg_unblocked;
use neurogeom::metrics::eigen::{hessenberg, hessenberg_eigenvalues};
use neurogeom::metrics::stability::bench_matrix;

fn main() {
    let mut sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    if sizes.is_empty() {
        sizes = vec![500, 1000];
    }
    println!("n\tphase\tmedian s\treps");
    for &n in &sizes {
        let a = bench_matrix(n, 1);
        let reps = if n <= 500 { 5 } else { 3 };
        let mut tu = Vec::new();
        let mut th = Vec::new();
        let mut tq = Vec::new();
        for _ in 0..reps {
            let mut h = a.clone();
            let s = Instant::now();
            hessenberg_unblocked(&mut h, n);
            tu.push(s.elapsed().as_secs_f64());
            let mut h = a.clone();
            let s = Instant::now();
            hessenberg(&mut h, n);
            th.push(s.elapsed().as_secs_f64());
            let s = Instant::now();
            let e = hessenberg_eigenvalues(&mut h, n);
            tq.push(s.elapsed().as_secs_f64());
            assert!(e.is_some());
        }
        tu.sort_by(f64::total_cmp);
        th.sort_by(f64::total_cmp);
        println!("{n}\thessenberg-unblocked\t{:.4}\t{reps}", tu[reps / 2]);
        tq.sort_by(f64::total_cmp);
        println!("{n}\thessenberg\t{:.4}\t{reps}", th[reps / 2]);
        println!("{n}\tqr\t{:.4}\t{reps}", tq[reps / 2]);
    }
}
