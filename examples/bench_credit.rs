//! Native training throughput of each credit-assignment rule: steps per
//! second of the workload in `neurogeom::nn::credit::bench`
//! (docs/benchmarks.md, "Credit-assignment rules").
//!
//! ```text
//! cargo run --release --example bench_credit -- [--seconds S] [--reps N]
//! ```
//!
//! Per rule and (width, batch): a warm-up of a quarter of the time budget,
//! then `reps` timed repetitions; prints the median (and min–max) steps per
//! second, and a loss after 5 steps that every build should agree on.

use std::time::Instant;

use neurogeom::nn::credit::bench::{CreditBench, SETTINGS};
use neurogeom::nn::credit::Rule;

fn main() {
    let mut seconds = 1.0f64;
    let mut reps = 7usize;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--seconds" => seconds = value.parse().expect("--seconds S"),
            "--reps" => reps = value.parse().expect("--reps N"),
            other => panic!("unknown argument {other:?}"),
        }
        i += 2;
    }
    println!("# native, {reps} reps");
    println!("rule\twidth\tbatch\tsteps/s (median)\tmin\tmax\tsteps/rep");
    let mut check = Vec::new();
    for rule in Rule::ALL {
        for (width, batch) in SETTINGS {
            let mut bench = CreditBench::new(rule, width, batch, 1);
            let t = Instant::now();
            let mut calib = 0usize;
            while t.elapsed().as_secs_f64() < 0.25 * seconds || calib < 3 {
                bench.step();
                calib += 1;
            }
            let per_step = t.elapsed().as_secs_f64() / calib as f64;
            let steps = ((seconds / reps as f64) / per_step).ceil().max(3.0) as usize;
            let mut rates = Vec::with_capacity(reps);
            for _ in 0..reps {
                let t = Instant::now();
                bench.run(steps);
                rates.push(steps as f64 / t.elapsed().as_secs_f64());
            }
            rates.sort_by(|a, b| a.total_cmp(b));
            println!(
                "{}\t{width}\t{batch}\t{:.1}\t{:.1}\t{:.1}\t{steps}",
                rule.key(),
                rates[rates.len() / 2],
                rates[0],
                rates[rates.len() - 1]
            );
            check.push(format!(
                "{}/{width}:{:e}",
                rule.key(),
                CreditBench::new(rule, width, batch, 1).run(5)
            ));
        }
    }
    println!("# loss after 5 steps (seed 1): {}", check.join(" "));
}
