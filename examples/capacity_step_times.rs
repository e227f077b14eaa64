//! The longest single lab step of every preset of the capacity lab (and of
//! its defaults), natively: the page runs a lab step by step in a worker
//! and can only show progress and cancel between steps, so no step may take
//! long (issue 8: an analysis over 0.5 s shows progress and can be
//! cancelled; wasm is about 1.5× slower than native).
//!
//!   cargo run --release --example capacity_step_times [-- FRAGMENT …]
//!
//! Prints, per run: the total time, the number of steps, and the three
//! longest steps with their index. Timings are wall-clock on a shared
//! machine: compare them within one run.

use std::time::Instant;

use neurogeom::config::LabConfig;
use neurogeom::labs::{self, capacity};
use neurogeom::share::parse_link;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runs: Vec<(String, String)> = if args.is_empty() {
        let spec = capacity::spec();
        let mut v = vec![(
            "defaults".to_string(),
            neurogeom::share::config_fragment(&LabConfig::defaults(&spec)),
        )];
        v.extend(spec.presets.into_iter().map(|p| (p.title, p.fragment)));
        v
    } else {
        args.iter().map(|a| (a.clone(), a.clone())).collect()
    };
    for (title, fragment) in runs {
        let (config, _) = labs::check(&parse_link(&fragment).config);
        let (mut lab, _) = labs::build(&config);
        let start = Instant::now();
        let mut times: Vec<(f64, u64)> = Vec::new();
        while !lab.is_done() {
            let t = Instant::now();
            let at = lab.steps_done();
            if lab.step(1).is_err() {
                break;
            }
            times.push((t.elapsed().as_secs_f64(), at));
        }
        let total = start.elapsed().as_secs_f64();
        times.sort_by(|a, b| b.0.total_cmp(&a.0));
        let top: Vec<String> = times
            .iter()
            .take(3)
            .map(|(t, at)| format!("{:.3} s (step {at})", t))
            .collect();
        println!(
            "{title}\n  {total:.2} s over {} steps; longest: {}",
            times.len(),
            top.join(", ")
        );
    }
}
