//! MFTMA benchmark (docs/benchmarks.md, "Manifold capacity"): P manifolds of
//! M points in N dimensions, n_t Gaussian samples, for Gaussian point
//! clouds and for spheres; prints tab-separated timings and the results.
//!
//!   cargo run --release --example bench_capacity -- [--reps 3] [--p 50]
//!       [--m 100] [--n 500] [--nt 300] [--kind points|spheres] [--with-dim]
//!       [--write-data DIR]
//!
//! `--with-dim` also times the analysis with the data's participation ratio
//! and PCs for 90% (the published code does not compute them).
//!
//! `--write-data DIR` also writes each data set as DIR/KIND.csv (one row
//! per point: the manifold index, then the N features), for the Python
//! reference to run on the very same numbers.

use std::time::Instant;

use neurogeom::data::manifolds::benchmark_set;
use neurogeom::metrics::capacity::{mftma, MftmaOptions};

fn main() {
    let mut reps = 3usize;
    let (mut p, mut m, mut n, mut nt) = (50usize, 100usize, 500usize, 300usize);
    let mut write: Option<String> = None;
    let mut kinds = vec!["points", "spheres"];
    let mut with_dim = false;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        if args[i] == "--with-dim" {
            with_dim = true;
            i += 1;
            continue;
        }
        let v = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--reps" => reps = v.parse().expect("--reps N"),
            "--p" => p = v.parse().expect("--p N"),
            "--m" => m = v.parse().expect("--m N"),
            "--n" => n = v.parse().expect("--n N"),
            "--nt" => nt = v.parse().expect("--nt N"),
            "--write-data" => write = Some(v),
            "--kind" => {
                kinds = match v.as_str() {
                    "points" => vec!["points"],
                    "spheres" => vec!["spheres"],
                    _ => {
                        eprintln!("--kind points|spheres");
                        std::process::exit(2);
                    }
                }
            }
            other => {
                eprintln!("unknown option {other}");
                std::process::exit(2);
            }
        }
        i += 2;
    }
    println!("# native MFTMA, P = {p}, M = {m}, N = {n}, n_t = {nt}, {reps} reps");
    println!("kind\tseconds (median)\tmin\tmax\tseconds with PR/PCs\tcapacity\tradius\tdimension\trho_c\tK\tcg_iters");
    for kind in kinds {
        let data = benchmark_set(kind, p, m, n).expect("a known kind");
        if let Some(dir) = &write {
            write_csv(&format!("{dir}/{kind}.csv"), &data);
        }
        let mut opts = MftmaOptions::with_seed(1);
        opts.n_t = nt;
        opts.data_dimensionality = false;
        let mut times = Vec::new();
        let mut last = None;
        for _ in 0..reps {
            let t = Instant::now();
            let r = mftma(&data, &opts).expect("valid data");
            times.push(t.elapsed().as_secs_f64());
            last = Some(r);
        }
        let r = last.expect("reps ≥ 1");
        // Optionally again with the participation ratio and PCs for 90%.
        let (dim_secs, pr, pcs) = if with_dim {
            opts.data_dimensionality = true;
            let t = Instant::now();
            let r2 = mftma(&data, &opts).expect("valid data");
            assert_eq!(r2.capacity.to_bits(), r.capacity.to_bits());
            (t.elapsed().as_secs_f64(), r2.participation_ratio, r2.pcs_90)
        } else {
            (f64::NAN, f64::NAN, 0)
        };
        times.sort_by(f64::total_cmp);
        println!(
            "{kind}\t{:.4}\t{:.4}\t{:.4}\t{dim_secs:.4}\t{:.6}\t{:.6}\t{:.4}\t{:.4}\t{}\t{}",
            times[times.len() / 2],
            times[0],
            times[times.len() - 1],
            r.capacity,
            r.radius,
            r.dimension,
            r.center_correlation,
            r.k,
            r.cg_iterations
        );
        println!(
            "# {kind} capacity bits {:016x} PR {pr:.3} PCs90 {pcs}",
            r.capacity.to_bits()
        );
    }
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
