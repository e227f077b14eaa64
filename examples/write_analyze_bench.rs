//! Writes the capacity benchmark's data sets (docs/benchmarks.md, "Manifold
//! capacity": `data::manifolds::benchmark_set(kind, 50, 100, 500)`, seed 7)
//! as NPZ files (`X`: 5000 × 500, `y`: the manifold of each row), for timing
//! `neurogeom analyze` as a whole process ("Your data" section).
//!
//!   cargo run --release --example write_analyze_bench -- DIR

use neurogeom::data::files::npz;
use neurogeom::data::manifolds::benchmark_set;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/capdata".into());
    std::fs::create_dir_all(&dir).expect("create the output directory");
    for kind in ["points", "spheres"] {
        let data = benchmark_set(kind, 50, 100, 500).expect("a known kind");
        let (m, n) = data[0].shape();
        let mut x = Vec::with_capacity(50 * m * n);
        let mut y = Vec::with_capacity(50 * m);
        for (c, cloud) in data.iter().enumerate() {
            for i in 0..m {
                x.extend(cloud.row(i).iter().copied());
                y.push(c as f64);
            }
        }
        let bytes = npz::write(
            &[("X", &[50 * m, n], &x, "<f8"), ("y", &[50 * m], &y, "<i8")],
            false,
        );
        let path = format!("{dir}/{kind}.npz");
        std::fs::write(&path, bytes).expect("write the file");
        println!("wrote {path}");
    }
}
