//! Native training throughput of the modularity lab's recurrent models:
//! steps per second of each preset-sized configuration in
//! [`CONFIGS`] (docs/benchmarks.md, "Recurrent models").
//!
//! ```text
//! cargo run --release --example bench_rnn -- [--seconds S] [--reps N]
//! ```
//!
//! Per configuration: a lab built from its link, a warm-up of a quarter of
//! the time budget, then `reps` timed repetitions of `Lab::step(n)`; prints
//! the median (and min–max) steps per second, and the result hash after 20
//! steps, which the wasm build must match (bench/rnn_bench.mjs).

use std::time::Instant;

use neurogeom::labs;
use neurogeom::run;
use neurogeom::share::parse_link;

/// (name, link): the presets' sizes, and the paper's teacher–student size.
/// bench/rnn_bench.mjs lists the same.
const CONFIGS: [(&str, &str); 6] = [
    (
        "rnn_freq linear",
        "v=1&lab=modularity&seed=1&model=rnn_freq&freqs=irrational&steps=200000",
    ),
    (
        "rnn_freq relu",
        "v=1&lab=modularity&seed=1&model=rnn_freq&freqs=harmonic&rnn_act=relu&steps=200000",
    ),
    (
        "rnn_teacher 32/32",
        "v=1&lab=modularity&seed=1&model=rnn_teacher&hidden=32&batch=32&steps=200000",
    ),
    (
        "rnn_teacher 64/128",
        "v=1&lab=modularity&seed=1&model=rnn_teacher&hidden=64&batch=128&steps=200000",
    ),
    (
        "rnn_grid 32",
        "v=1&lab=modularity&seed=1&model=rnn_grid&hidden=32&steps=200000",
    ),
    (
        "rnn_grid 64",
        "v=1&lab=modularity&seed=1&model=rnn_grid&hidden=64&steps=200000",
    ),
];

fn build(link: &str) -> Box<dyn labs::Lab> {
    let (config, warnings) = labs::check(&parse_link(link).config);
    assert!(warnings.is_empty(), "{warnings:?}");
    labs::build(&config).0
}

fn main() {
    let mut seconds = 2.0f64;
    let mut reps = 5usize;
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
    println!("model\tsteps/s (median)\tmin\tmax\tsteps/rep");
    let mut check = Vec::new();
    for (name, link) in CONFIGS {
        let mut lab = build(link);
        let t = Instant::now();
        let mut calib = 0u64;
        while t.elapsed().as_secs_f64() < 0.25 * seconds || calib < 3 {
            lab.step(1).expect("no divergence");
            calib += 1;
        }
        let per_step = t.elapsed().as_secs_f64() / calib as f64;
        let steps = ((seconds / reps as f64) / per_step).ceil().max(3.0) as u64;
        let mut rates = Vec::with_capacity(reps);
        for _ in 0..reps {
            let t = Instant::now();
            lab.step(steps).expect("no divergence");
            rates.push(steps as f64 / t.elapsed().as_secs_f64());
        }
        rates.sort_by(|a, b| a.total_cmp(b));
        println!(
            "{name}\t{:.1}\t{:.1}\t{:.1}\t{steps}",
            rates[rates.len() / 2],
            rates[0],
            rates[rates.len() - 1]
        );
        let mut lab = build(link);
        lab.step(20).expect("no divergence");
        check.push(format!(
            "{}:{}",
            name.replace(' ', "_"),
            run::snapshot(lab.as_ref()).hash
        ));
    }
    println!("# hash after 20 steps (seed 1): {}", check.join(" "));
}
