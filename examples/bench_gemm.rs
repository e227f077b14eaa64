//! Square f64 products, nalgebra vs the blocked GEMM (`neurogeom::gemm`) with
//! each micro-kernel this machine runs: median milliseconds per product.
//!
//! ```text
//! cargo run --release --example bench_gemm -- [n ...]     (default 64 100 256 512)
//! ```

use std::time::Instant;

use nalgebra::DMatrix;
use neurogeom::gemm;
use neurogeom::rng::Rng;

fn median_ms(reps: usize, mut f: impl FnMut()) -> f64 {
    f();
    let mut t: Vec<f64> = (0..reps)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    t.sort_by(|a, b| a.total_cmp(b));
    t[reps / 2]
}

fn main() {
    let mut sizes: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("sizes are numbers"))
        .collect();
    if sizes.is_empty() {
        sizes = vec![64, 100, 256, 512];
    }
    let mut rng = Rng::new(1);
    let kernels = gemm::Kernel::available();
    print!("n\tnalgebra ms");
    for k in &kernels {
        print!("\t{} ms", k.key());
    }
    print!("\tnalgebra GFLOP/s");
    for k in &kernels {
        print!("\t{} GFLOP/s", k.key());
    }
    println!();
    for n in sizes {
        let a = DMatrix::from_fn(n, n, |_, _| rng.normal());
        let b = DMatrix::from_fn(n, n, |_, _| rng.normal());
        let reps = (2e9 / (n * n * n) as f64).clamp(5.0, 2001.0) as usize;
        let mut ms = vec![median_ms(reps, || {
            std::hint::black_box(&a * &b);
        })];
        for &k in &kernels {
            ms.push(gemm::with_kernel(k, || {
                median_ms(reps, || {
                    std::hint::black_box(gemm::mul(&a, &b));
                })
            }));
        }
        let flop = 2.0 * (n * n * n) as f64;
        let times: Vec<String> = ms.iter().map(|t| format!("{t:.3}")).collect();
        let rates: Vec<String> = ms
            .iter()
            .map(|t| format!("{:.2}", flop / t / 1e6))
            .collect();
        println!("{n}\t{}\t{}", times.join("\t"), rates.join("\t"));
    }
}
