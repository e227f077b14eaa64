//! The eigensolver's two phases timed apart on the feedback benchmark
//! matrices (docs/benchmarks.md), each beside the unblocked one-bulge
//! method it replaced, in the same run:
//!
//! - `hessenberg-unblocked`: column-by-column Householder (`dgehd2`);
//! - `hessenberg`: the blocked reduction (`dgehrd`/`dlahr2` through gemm);
//! - `qr-double-shift`: Francis double-shift QR on the whole Hessenberg
//!   matrix, one bulge at a time (EISPACK `hqr`);
//! - `qr`: multishift QR with aggressive early deflation.
//!
//! ```text
//! cargo run --release --example bench_eigen_phases -- [n ...]   (default 500 1000)
//! ```
//! Prints tab-separated rows: n, phase, median seconds, reps.

use std::time::Instant;

use neurogeom::metrics::eigen::hessenberg::hessenberg_unblocked;
use neurogeom::metrics::eigen::qr::double_shift;
use neurogeom::metrics::eigen::{hessenberg, hessenberg_eigenvalues};
use neurogeom::metrics::stability::bench_matrix;

fn median(mut t: Vec<f64>) -> f64 {
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

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
        let mut t = [vec![], vec![], vec![], vec![]];
        for _ in 0..reps {
            let mut h = a.clone();
            let s = Instant::now();
            hessenberg_unblocked(&mut h, n);
            t[0].push(s.elapsed().as_secs_f64());
            let mut h = a.clone();
            let s = Instant::now();
            hessenberg(&mut h, n);
            t[1].push(s.elapsed().as_secs_f64());
            let mut h2 = h.clone();
            let s = Instant::now();
            assert!(double_shift(&mut h2, n).is_some());
            t[2].push(s.elapsed().as_secs_f64());
            let s = Instant::now();
            assert!(hessenberg_eigenvalues(&mut h, n).is_some());
            t[3].push(s.elapsed().as_secs_f64());
        }
        let names = [
            "hessenberg-unblocked",
            "hessenberg",
            "qr-double-shift",
            "qr",
        ];
        for (name, ts) in names.iter().zip(t) {
            println!("{n}\t{name}\t{:.4}\t{reps}", median(ts));
        }
    }
}
