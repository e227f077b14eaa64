//! Native training throughput: steps per second of the benchmark workload
//! (`neurogeom::nn::bench`, described in docs/benchmarks.md) at each width.
//!
//! ```text
//! cargo run --release --example bench_train -- [--backend mlp|nalgebra|gemm] [--seconds S] [--reps N] [--batch B]
//! ```
//!
//! Per width: a warm-up of about a quarter of the time budget, then `reps`
//! timed repetitions of a fixed number of steps; prints the median (and the
//! min–max) steps per second, and the loss after the last step so runs can be
//! compared for equality across builds.

use std::time::Instant;

use neurogeom::nn::bench::{Backend, TrainBench, BATCH, WIDTHS};

fn main() {
    let mut backend = Backend::Mlp;
    let mut seconds = 1.0f64;
    let mut reps = 7usize;
    let mut batch = BATCH;
    let mut widths: Vec<usize> = WIDTHS.to_vec();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--backend" => {
                backend = Backend::from_key(&value).expect("--backend mlp|nalgebra|gemm")
            }
            "--seconds" => seconds = value.parse().expect("--seconds S"),
            "--reps" => reps = value.parse().expect("--reps N"),
            "--batch" => batch = value.parse().expect("--batch B"),
            "--widths" => {
                widths = value
                    .split(',')
                    .map(|w| w.parse().expect("--widths 100,256"))
                    .collect()
            }
            other => panic!("unknown argument {other:?}"),
        }
        i += 2;
    }
    println!(
        "# native, backend {backend:?}, kernel {}, batch {batch}, {reps} reps",
        neurogeom::gemm::current_kernel().key()
    );
    println!("width\tsteps/s (median)\tmin\tmax\tsteps/rep\tloss");
    for &width in &widths {
        let mut bench = TrainBench::new(width, batch, 1, backend);
        // Calibrate: steps so that one repetition takes ≈ seconds / reps.
        let t = Instant::now();
        let mut calib = 0usize;
        while t.elapsed().as_secs_f64() < 0.25 * seconds || calib < 3 {
            bench.step();
            calib += 1;
        }
        let per_step = t.elapsed().as_secs_f64() / calib as f64;
        let steps = ((seconds / reps as f64) / per_step).ceil().max(3.0) as usize;
        let mut rates = Vec::with_capacity(reps);
        let mut loss = f64::NAN;
        for _ in 0..reps {
            let t = Instant::now();
            loss = bench.run(steps);
            rates.push(steps as f64 / t.elapsed().as_secs_f64());
        }
        rates.sort_by(|a, b| a.total_cmp(b));
        println!(
            "{width}\t{:.1}\t{:.1}\t{:.1}\t{steps}\t{loss:e}",
            rates[rates.len() / 2],
            rates[0],
            rates[rates.len() - 1]
        );
        // Same-seed bit check: a fresh run of n steps gives a loss every build should agree on.
    }
    let check: Vec<String> = widths
        .iter()
        .map(|&w| format!("{w}:{:e}", TrainBench::new(w, batch, 1, backend).run(5)))
        .collect();
    println!("# loss after 5 steps (seed 1): {}", check.join(" "));
}
