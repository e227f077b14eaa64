//! GLUE benchmark (docs/benchmarks.md, "GLUE"): P manifolds of M points in
//! N dimensions (the capacity benchmark's data sets), n_t samples; prints
//! tab-separated timings, the results, the capacity's bits (to compare
//! with wasm), the longest unit of the job, the time per stage of the job
//! stepped one unit at a time, and (one thread) the thread's CPU time.
//!
//!   cargo run --release --example bench_glue -- [--reps 3] [--p 10]
//!       [--m 50] [--n 500] [--nt 200] [--kind points|spheres]
//!       [--points MAX] [--threads 1,2] [--write-data DIR]
//!
//! `--write-data DIR` writes each data set as DIR/KIND.csv (one row per
//! point: the manifold index, then the features) for
//! `bench/glue_reference.py`.

use std::time::Instant;

use neurogeom::data::manifolds::benchmark_set;
use neurogeom::metrics::capacity::glue::{glue_threaded, GlueJob, GlueOptions};

fn main() {
    let mut reps = 3usize;
    let (mut p, mut m, mut n, mut nt) = (10usize, 50usize, 500usize, 200usize);
    let mut write: Option<String> = None;
    let mut points: Option<usize> = None;
    let mut kinds = vec!["points", "spheres"];
    let mut threads = vec![1usize, 2];
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let v = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--reps" => reps = v.parse().expect("--reps N"),
            "--p" => p = v.parse().expect("--p N"),
            "--m" => m = v.parse().expect("--m N"),
            "--n" => n = v.parse().expect("--n N"),
            "--nt" => nt = v.parse().expect("--nt N"),
            "--points" => points = Some(v.parse().expect("--points N")),
            "--write-data" => write = Some(v),
            "--threads" => {
                threads = v
                    .split(',')
                    .map(|t| t.parse().expect("--threads 1,2"))
                    .collect()
            }
            "--kind" => kinds = vec![if v == "spheres" { "spheres" } else { "points" }],
            other => {
                eprintln!("unknown option {other}");
                std::process::exit(2);
            }
        }
        i += 2;
    }
    println!("# native GLUE, P = {p}, M = {m}, N = {n}, n_t = {nt}, {reps} reps");
    println!("kind\tthreads\tseconds (median)\tmin\tmax\tcapacity\tradius\tdimension\tutility\tlongest unit (s)\tthread CPU s (median)");
    for kind in kinds {
        let data = benchmark_set(kind, p, m, n).expect("a known kind");
        if let Some(dir) = &write {
            write_csv(&format!("{dir}/{kind}.csv"), &data);
        }
        let opts = GlueOptions {
            n_t: nt,
            max_points: points.unwrap_or(m).max(2),
            seed: 1,
            ..Default::default()
        };
        // The longest unit, one-unit steps as the page runs them.
        let mut job = GlueJob::new(&data, &opts).expect("valid data");
        let mut longest = 0.0f64;
        let mut per_stage: Vec<(String, f64)> = Vec::new();
        loop {
            let stage = format!("{:?}", job.stage());
            let t = Instant::now();
            let done = job.advance(1);
            let dt = t.elapsed().as_secs_f64();
            longest = longest.max(dt);
            match per_stage.iter_mut().find(|(s, _)| *s == stage) {
                Some((_, sum)) => *sum += dt,
                None => per_stage.push((stage, dt)),
            }
            if done {
                break;
            }
        }
        println!(
            "# {kind} stepped, time per stage: {}",
            per_stage
                .iter()
                .map(|(s, t)| format!("{s} {:.1} ms", 1000.0 * t))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let stepped = job.result().expect("done");
        for &th in &threads {
            let mut times = Vec::new();
            let mut cpu = Vec::new();
            let mut last = None;
            for _ in 0..reps {
                let (t, c) = (Instant::now(), thread_cpu());
                let r = glue_threaded(&data, &opts, th).expect("valid data");
                times.push(t.elapsed().as_secs_f64());
                cpu.push(thread_cpu() - c);
                last = Some(r);
            }
            cpu.sort_by(f64::total_cmp);
            // On one thread, this thread's CPU time is the job's (the load
            // of other processes disturbs it far less than wall time).
            let cpu = if th == 1 {
                cpu[cpu.len() / 2]
            } else {
                f64::NAN
            };
            let r = last.expect("reps ≥ 1");
            assert_eq!(r, stepped, "threads and steps give the same bits");
            times.sort_by(f64::total_cmp);
            println!(
                "{kind}\t{th}\t{:.4}\t{:.4}\t{:.4}\t{:.6}\t{:.6}\t{:.4}\t{:.4}\t{longest:.4}\t{cpu:.4}",
                times[times.len() / 2],
                times[0],
                times[times.len() - 1],
                r.capacity,
                r.radius,
                r.dimension,
                r.utility,
            );
        }
        println!(
            "# {kind} capacity bits {:016x} ambiguous share {:.3}",
            stepped.capacity.to_bits(),
            stepped.ambiguous_share
        );
    }
}

/// This thread's CPU time in seconds (Linux: /proc/thread-self/schedstat,
/// nanoseconds on a CPU); NaN elsewhere.
fn thread_cpu() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |ns| ns / 1e9)
}

fn write_csv(path: &str, data: &[nalgebra::DMatrix<f64>]) {
    let mut out = String::new();
    for (mu, x) in data.iter().enumerate() {
        for i in 0..x.nrows() {
            out.push_str(&mu.to_string());
            for f in 0..x.ncols() {
                out.push(',');
                out.push_str(&format!("{:e}", x[(i, f)]));
            }
            out.push('\n');
        }
    }
    std::fs::write(path, out).expect("write the data");
}
