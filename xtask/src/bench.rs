//! `cargo xtask bench [--pytorch] [--seconds S]`: the training-throughput
//! benchmark of docs/benchmarks.md, every face in one table.
//!
//! 1. native: `cargo run --release --example bench_train` (the MLP as the
//!    library has it, with each GEMM micro-kernel forced by
//!    `NEUROGEOM_KERNEL=sse2|avx2|avx512`, and the same step with nalgebra's
//!    products);
//! 2. wasm: the release wasm build into `www/pkg/`, then
//!    `node bench/wasm_bench.mjs` (the same two);
//! 3. with `--pytorch`: `bench/run_pytorch.sh`, PyTorch eager on CPU, f64 and
//!    f32 × 1 and 2 threads, in a venv under `target/bench-venv` (made on the
//!    first run; downloads torch, several GB).
//!
//! Each tool prints tab-separated rows (`width`, median steps/s, …) and a
//! `# loss after 5 steps` check line; this collects the medians into one
//! table and says whether native and wasm computed the same bits.

use crate::{cargo, show, wasm};
use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// One row of the final table: a label and, per width, the median and the
/// best repetition's steps/s.
struct Row {
    label: String,
    rates: BTreeMap<usize, (f64, f64)>,
}

pub fn run(root: &Path, pytorch: bool, seconds: f64) -> Result<()> {
    let secs = format!("{seconds}");
    let mut rows = Vec::new();
    let mut checks = Vec::new();

    // Native: the MLP with each GEMM micro-kernel forced through
    // NEUROGEOM_KERNEL (a kernel this CPU lacks falls back to the widest it
    // has, and says so: the `# native ... kernel K` line names the one used),
    // then the same step with nalgebra's products.
    let native = [
        ("mlp", Some("sse2"), "gemm sse2 (= wasm's order)"),
        ("mlp", Some("avx2"), "gemm avx2"),
        ("mlp", Some("avx512"), "gemm avx512"),
        ("nalgebra", None, "nalgebra"),
    ];
    for (backend, kernel, label) in native {
        let mut cmd = cargo(root);
        cmd.args([
            "run",
            "--quiet",
            "--release",
            "--example",
            "bench_train",
            "--",
        ]);
        cmd.args(["--seconds", &secs, "--backend", backend]);
        if let Some(k) = kernel {
            cmd.env("NEUROGEOM_KERNEL", k);
        }
        let out = capture(&mut cmd)?;
        let used = out
            .lines()
            .find_map(|l| l.split(", kernel ").nth(1))
            .and_then(|t| t.split(',').next())
            .unwrap_or("?");
        let label = match kernel {
            Some(k) if k != used => format!("native, {label} (ran {used})"),
            _ => format!("native, {label}"),
        };
        rows.push(Row {
            label,
            rates: rates(&out, 0),
        });
        let group = if backend == "mlp" { "gemm" } else { "nalgebra" };
        checks.push((
            format!("native {} {group}", kernel.unwrap_or("")),
            check_line(&out),
        ));
    }

    wasm::build(root, wasm::Profile::Release)?;
    for (backend, label) in [("mlp", "gemm"), ("nalgebra", "nalgebra")] {
        let mut cmd = Command::new("node");
        cmd.current_dir(root).args([
            "bench/wasm_bench.mjs",
            "--seconds",
            &secs,
            "--backend",
            backend,
        ]);
        let out = capture(&mut cmd)?;
        rows.push(Row {
            label: format!("wasm in Node, {label}"),
            rates: rates(&out, 0),
        });
        checks.push((format!("wasm {label}"), check_line(&out)));
    }

    if pytorch {
        let mut cmd = Command::new("bash");
        cmd.current_dir(root)
            .args(["bench/run_pytorch.sh", "--seconds", &secs]);
        let out = capture(&mut cmd)?;
        // Rows: dtype, threads, width, median, ...
        let mut by_config: BTreeMap<(String, String), BTreeMap<usize, (f64, f64)>> =
            BTreeMap::new();
        for fields in data_rows(&out) {
            if let (Some(dtype), Some(threads)) = (fields.first(), fields.get(1)) {
                let (w, med, best) = (parse(&fields, 2), parse(&fields, 3), parse(&fields, 5));
                if let (Some(w), Some(med), Some(best)) = (w, med, best) {
                    by_config
                        .entry((dtype.to_string(), threads.to_string()))
                        .or_default()
                        .insert(w, (med, best));
                }
            }
        }
        // float64 first: it is the like-for-like reference.
        let mut configs: Vec<_> = by_config.into_iter().collect();
        configs.sort_by_key(|((dtype, threads), _)| (dtype != "float64", threads.clone()));
        for ((dtype, threads), rates) in configs {
            let s = if threads == "1" { "" } else { "s" };
            rows.push(Row {
                label: format!("PyTorch eager, {dtype}, {threads} thread{s}"),
                rates,
            });
        }
    }

    print_table(&rows);
    println!();
    for (label, line) in &checks {
        println!("{label:<16} {line}");
    }
    // Per backend, every row's losses after 5 steps must be the same bits:
    // each native kernel and wasm for the MLP; native and wasm for nalgebra.
    let same = ["gemm", "nalgebra"].iter().all(|backend| {
        let group: Vec<_> = checks.iter().filter(|c| c.0.ends_with(backend)).collect();
        !group.is_empty()
            && group
                .iter()
                .all(|c| c.1 == group[0].1 && c.1 != "(missing)")
    });
    println!(
        "every kernel's, nalgebra's and wasm's losses after 5 steps: {}",
        if same {
            "identical bits"
        } else {
            "DIFFER (determinism broken)"
        }
    );
    if !same {
        bail!("the rows computed different losses");
    }
    Ok(())
}

/// `cargo xtask bench credit`: steps/s of every credit-assignment rule
/// (`nn::credit::bench`), natively (`examples/bench_credit.rs`) and in wasm
/// in Node (`bench/credit_bench.mjs`), in one table, and whether both
/// computed the same losses.
pub fn run_credit(root: &Path, seconds: f64) -> Result<()> {
    let secs = format!("{seconds}");
    let mut cmd = cargo(root);
    cmd.args([
        "run",
        "--quiet",
        "--release",
        "--example",
        "bench_credit",
        "--",
    ]);
    cmd.args(["--seconds", &secs]);
    let native = capture(&mut cmd)?;
    wasm::build(root, wasm::Profile::Release)?;
    let mut cmd = Command::new("node");
    cmd.current_dir(root)
        .args(["bench/credit_bench.mjs", "--seconds", &secs]);
    let wasm = capture(&mut cmd)?;
    let rows = |out: &str| -> BTreeMap<(String, usize, usize), (f64, f64)> {
        data_rows(out)
            .into_iter()
            .filter_map(|f| {
                let key = (f.first()?.to_string(), parse(&f, 1)?, parse(&f, 2)?);
                Some((key, (parse(&f, 3)?, parse(&f, 5)?)))
            })
            .collect()
    };
    let (n, w) = (rows(&native), rows(&wasm));
    println!("rule  width  batch   native steps/s (best)    wasm steps/s (best)   wasm/native");
    for (key, (nm, nb)) in &n {
        let (wm, wb) = w.get(key).copied().unwrap_or((f64::NAN, f64::NAN));
        println!(
            "{:<5} {:>5} {:>6}   {:>10.1} ({:>8.1})   {:>10.1} ({:>8.1})   {:>6.2}",
            key.0,
            key.1,
            key.2,
            nm,
            nb,
            wm,
            wb,
            wm / nm
        );
    }
    let (cn, cw) = (check_line(&native), check_line(&wasm));
    println!("\nnative {cn}\nwasm   {cw}");
    let same = cn == cw;
    println!(
        "native and wasm losses after 5 steps: {}",
        if same {
            "identical bits"
        } else {
            "DIFFER (determinism broken)"
        }
    );
    if !same {
        bail!("native and wasm computed different losses");
    }
    Ok(())
}

/// `cargo xtask bench rnn`: steps/s of each recurrent model of the
/// modularity lab (examples/bench_rnn.rs natively, bench/rnn_bench.mjs in
/// Node on the wasm build), side by side, and the check that both give the
/// same result hash after 20 steps.
pub fn run_rnn(root: &Path, seconds: f64) -> Result<()> {
    let secs = format!("{seconds}");
    let mut cmd = cargo(root);
    cmd.args([
        "run",
        "--quiet",
        "--release",
        "--example",
        "bench_rnn",
        "--",
    ]);
    cmd.args(["--seconds", &secs]);
    let native = capture(&mut cmd)?;
    wasm::build(root, wasm::Profile::Release)?;
    let mut cmd = Command::new("node");
    cmd.current_dir(root)
        .args(["bench/rnn_bench.mjs", "--seconds", &secs]);
    let wasm = capture(&mut cmd)?;
    let rows = |out: &str| -> BTreeMap<String, (f64, f64)> {
        data_rows(out)
            .into_iter()
            .filter_map(|f| Some((f.first()?.to_string(), (parse(&f, 1)?, parse(&f, 3)?))))
            .collect()
    };
    let (n, w) = (rows(&native), rows(&wasm));
    println!("model                 native steps/s (best)    wasm steps/s (best)   wasm/native");
    for (key, (nm, nb)) in &n {
        let (wm, wb) = w.get(key).copied().unwrap_or((f64::NAN, f64::NAN));
        println!(
            "{:<20}  {:>10.1} ({:>8.1})   {:>10.1} ({:>8.1})   {:>6.2}",
            key,
            nm,
            nb,
            wm,
            wb,
            wm / nm
        );
    }
    let hashes = |out: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix("# hash after 20 steps (seed 1): "))
            .unwrap_or("(missing)")
            .to_string()
    };
    let (hn, hw) = (hashes(&native), hashes(&wasm));
    println!("\nnative {hn}\nwasm   {hw}");
    if hn != hw {
        bail!("native and wasm gave different hashes (determinism broken)");
    }
    println!("native and wasm hashes after 20 steps: identical");
    Ok(())
}

/// The `--seconds` value (time per width and tool): default 2.
pub fn seconds(value: Option<String>) -> Result<f64> {
    match value {
        None => Ok(2.0),
        Some(s) => match s.parse::<f64>() {
            Ok(x) if x > 0.0 && x.is_finite() => Ok(x),
            _ => bail!("--seconds must be a positive number, got {s:?}"),
        },
    }
}

/// The Python of a venv in `target/venv` with numpy (made, and numpy
/// installed from PyPI, on the first call). Never needed by the tests.
pub(crate) fn numpy_venv(root: &Path) -> Result<std::path::PathBuf> {
    let venv = root.join("target/venv");
    if !venv.join("bin/python").exists() {
        let status = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .context("python3 -m venv")?;
        if !status.success() {
            bail!("could not make the venv {}", venv.display());
        }
        let status = Command::new(venv.join("bin/pip"))
            .args(["install", "-q", "numpy"])
            .status()
            .context("pip install numpy")?;
        if !status.success() {
            bail!("pip install numpy failed");
        }
    }
    Ok(venv.join("bin/python"))
}

/// Run a command, echoing and returning its standard output.
pub(crate) fn capture(cmd: &mut Command) -> Result<String> {
    let shown = show(cmd);
    eprintln!("xtask: $ {shown}");
    let out = cmd
        .output()
        .with_context(|| format!("could not start `{shown}`"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    print!("{text}");
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    if !out.status.success() {
        bail!("`{shown}` failed ({})", out.status);
    }
    Ok(text)
}

/// The tab-separated data rows: not comments, not the header.
fn data_rows(out: &str) -> Vec<Vec<&str>> {
    out.lines()
        .filter(|l| !l.starts_with('#') && !l.contains("steps/s"))
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|f| f.len() >= 3)
        .collect()
}

fn parse<T: std::str::FromStr>(fields: &[&str], i: usize) -> Option<T> {
    fields.get(i).and_then(|s| s.trim().parse().ok())
}

/// (median, best) steps/s per width from rows `width, median, min, max, ...`
/// starting at column `at`.
fn rates(out: &str, at: usize) -> BTreeMap<usize, (f64, f64)> {
    data_rows(out)
        .into_iter()
        .filter_map(|f| Some((parse(&f, at)?, (parse(&f, at + 1)?, parse(&f, at + 3)?))))
        .collect()
}

/// The `# loss after 5 steps …` line's values.
fn check_line(out: &str) -> String {
    out.lines()
        .find_map(|l| l.strip_prefix("# loss after 5 steps (seed 1): "))
        .unwrap_or("(missing)")
        .to_string()
}

fn print_table(rows: &[Row]) {
    let mut widths: Vec<usize> = rows.iter().flat_map(|r| r.rates.keys().copied()).collect();
    widths.sort_unstable();
    widths.dedup();
    println!();
    println!("training steps/s, median (best repetition), batch 64, MLP 100 → W → W → 10, ReLU, MSE, SGD");
    print!("{:<36}", "");
    for w in &widths {
        print!("{:>18}", format!("W={w}"));
    }
    println!();
    for row in rows {
        print!("{:<36}", row.label);
        for w in &widths {
            match row.rates.get(w) {
                Some((med, best)) => print!("{:>18}", format!("{med:.0} ({best:.0})")),
                None => print!("{:>18}", "-"),
            }
        }
        println!();
    }
}

/// `cargo xtask bench feedback`: the feedback lab's spectrum (N = 500,
/// 1000, 2000) by our eigenvalues-only solver and nalgebra's Schur,
/// natively and in wasm (Node), against numpy's `eigvals` on the same
/// matrices (a venv in `target/venv`, made on the first run), and a
/// 1000-step simulation at N = 2000. Prints every tool's rows, then one
/// table of median seconds.
pub fn feedback(root: &Path) -> Result<()> {
    let mut cmd = cargo(root);
    cmd.args(["run", "--quiet", "--release", "--example", "bench_feedback"]);
    let native = capture(&mut cmd)?;
    print!("{native}");
    let mut cmd = Command::new(numpy_venv(root)?);
    cmd.current_dir(root).arg("bench/feedback_numpy.py");
    let numpy = capture(&mut cmd)?;
    print!("{numpy}");
    wasm::build(root, wasm::Profile::Release)?;
    let mut cmd = Command::new("node");
    cmd.current_dir(root).arg("bench/feedback_wasm.mjs");
    let wasm_out = capture(&mut cmd)?;
    print!("{wasm_out}");
    // One table: rows (n, solver) -> median seconds per tool.
    let mut table: BTreeMap<(usize, String), [Option<f64>; 3]> = BTreeMap::new();
    for (k, out) in [&native, &wasm_out, &numpy].iter().enumerate() {
        for f in data_rows(out) {
            if let (Some(n), Some(t)) = (parse::<usize>(&f, 0), parse::<f64>(&f, 2)) {
                let solver = f.get(1).unwrap_or(&"").to_string();
                table.entry((n, solver)).or_insert([None; 3])[k] = Some(t);
            }
        }
    }
    let numpy_at = |n: usize| table.get(&(n, "numpy".to_string())).and_then(|r| r[2]);
    println!();
    println!(
        "{:<6} {:<10} {:>10} {:>10} {:>10} {:>12}",
        "N", "what", "native s", "wasm s", "numpy s", "wasm/numpy"
    );
    let cell = |v: Option<f64>| v.map(|x| format!("{x:.3}")).unwrap_or_else(|| "-".into());
    for ((n, solver), r) in &table {
        if solver == "numpy" {
            continue;
        }
        let ratio = match (r[1], numpy_at(*n)) {
            (Some(w), Some(p)) if solver != "sim1000" => format!("{:.2}", w / p),
            _ => "-".into(),
        };
        println!(
            "{:<6} {:<10} {:>10} {:>10} {:>10} {:>12}",
            n,
            solver,
            cell(r[0]),
            cell(r[1]),
            if solver == "sim1000" {
                "-".into()
            } else {
                cell(numpy_at(*n))
            },
            ratio
        );
    }
    Ok(())
}

/// `cargo xtask bench sweep [--rounds R] [--steps N]`: the wall time of one
/// 16-point sweep (the lazy-rich lab, width 100, α on a log grid) with
/// `--threads 1` and with `--threads 2`, R rounds interleaved (1, 2, 1, 2,
/// …), and the ratio t₂ / t₁ per round (issue 13's goal: ≤ 0.6 on 2 cores).
/// Also the CPU time each run used (user + system, all threads), which
/// shows whether the two threads had the cores to themselves: on an idle
/// 2-core machine t₂ ≈ CPU₂ / 2. Fails if the two outputs differ by a byte.
pub fn sweep(root: &Path, rounds: usize, steps: usize) -> Result<()> {
    let mut build = cargo(root);
    build.args(["build", "--quiet", "--release", "--bin", "neurogeom"]);
    let status = build
        .status()
        .with_context(|| format!("could not start `{}`", show(&build)))?;
    if !status.success() {
        bail!("`{}` failed ({status})", show(&build));
    }
    let exe = root.join("target/release/neurogeom");
    let link = format!("v=1&lab=lazy-rich&seed=1&task=teacher&width=100&n_train=100&steps={steps}");
    let grid = "alpha:log:0.01:1000:16";
    println!("# neurogeom sweep \"{link}\" --sweep {grid} --threads T");
    println!(
        "# {} cores; load average before: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average()
    );
    println!("# CPU s / wall s = the cores the run had: on a free 2-core machine ≈ 1 and ≈ 2.");
    println!("# Under load (or with Linux's autogroup scheduling, where every session gets");
    println!("# an equal share of the CPU whatever its thread count) the 2-thread run gets");
    println!("# fewer cores, and t2/t1 measures the machine, not the sweep.");
    println!("round\tthreads\twall s\tCPU s\tcores\tratio t2/t1\tload average");
    let mut ratios = Vec::new();
    let mut reference: Option<Vec<u8>> = None;
    for round in 1..=rounds {
        let mut walls = [0.0f64; 2];
        for (slot, threads) in [1usize, 2].into_iter().enumerate() {
            let mut cmd = Command::new(&exe);
            cmd.current_dir(root).args([
                "sweep",
                &link,
                "--sweep",
                grid,
                "--threads",
                &threads.to_string(),
            ]);
            let (wall, cpu, out) = timed(&mut cmd)?;
            match &reference {
                None => reference = Some(out),
                Some(r) if *r != out => bail!(
                    "the sweep's output with --threads {threads} differs from the first run's"
                ),
                Some(_) => {}
            }
            walls[slot] = wall;
            let ratio = if threads == 2 {
                let r = walls[1] / walls[0];
                ratios.push(r);
                format!("{r:.2}")
            } else {
                String::new()
            };
            let (cpu, cores) = match cpu {
                Some(c) => (format!("{c:.1}"), format!("{:.2}", c / wall)),
                None => ("?".to_string(), "?".to_string()),
            };
            println!(
                "{round}\t{threads}\t{wall:.2}\t{cpu}\t{cores}\t{ratio}\t{}",
                load_average()
            );
        }
    }
    ratios.sort_by(|a, b| a.total_cmp(b));
    if let (Some(best), Some(median)) = (ratios.first(), ratios.get(ratios.len() / 2)) {
        println!(
            "# t2/t1: median {median:.2}, best {best:.2} over {} rounds (goal ≤ 0.60); output identical for 1 and 2 threads",
            ratios.len()
        );
    }
    Ok(())
}

/// Run `cmd` to its end; its wall time, its CPU time (user + system of all
/// its threads, from /proc/PID/stat sampled every 10 ms until it exits;
/// None where /proc is missing) and its standard output. Exit status 1 is
/// accepted: `neurogeom sweep` uses it when a point diverged.
fn timed(cmd: &mut Command) -> Result<(f64, Option<f64>, Vec<u8>)> {
    use std::io::Read;
    use std::process::Stdio;
    let shown = show(cmd);
    let start = std::time::Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("could not start `{shown}`"))?;
    let mut stdout = child.stdout.take().context("no stdout")?;
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        stdout.read_to_end(&mut buf).map(|_| buf)
    });
    let stat = format!("/proc/{}/stat", child.id());
    let mut cpu = None;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if let Some(c) = std::fs::read_to_string(&stat)
            .ok()
            .and_then(|s| cpu_seconds(&s))
        {
            cpu = Some(c);
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    let wall = start.elapsed().as_secs_f64();
    let out = reader
        .join()
        .map_err(|_| anyhow::anyhow!("reading `{shown}`"))??;
    if !(status.success() || status.code() == Some(1)) {
        bail!("`{shown}` failed ({status})");
    }
    Ok((wall, cpu, out))
}

/// utime + stime from a /proc/PID/stat line, in seconds (100 ticks/s, the
/// Linux USER_HZ).
fn cpu_seconds(stat: &str) -> Option<f64> {
    // Fields after the command name (which is in parentheses and may hold
    // spaces): state is field 3, utime 14, stime 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// `cargo xtask bench page [--runs N]`: what a visitor downloads from a
/// dist build (every file raw and gzipped at level 9, as `gzip -9` gives
/// it), then `node bench/first_chart.mjs`: the time from navigation to the
/// first chart, cold cache, N fresh browser contexts.
pub fn page(root: &Path, runs: usize) -> Result<()> {
    let out = crate::target_dir(root).join("bench-dist");
    if out.exists() {
        std::fs::remove_dir_all(&out)
            .with_context(|| format!("could not clear {}", out.display()))?;
    }
    crate::dist::run(root, &out, None)?;
    let mut files = Vec::new();
    let mut stack = vec![out.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    let (mut raw, mut zipped) = (0, 0);
    println!("file	bytes	gzip -9 bytes");
    for path in &files {
        let bytes = std::fs::metadata(path)?.len();
        let gzip = Command::new("gzip")
            .args(["-9", "-c"])
            .arg(path)
            .output()
            .context("could not run gzip")?;
        if !gzip.status.success() {
            bail!("gzip -9 {} failed", path.display());
        }
        let gz = gzip.stdout.len() as u64;
        raw += bytes;
        zipped += gz;
        if path.extension().is_some_and(|e| e == "wasm") || bytes > 20_000 {
            let name = path.strip_prefix(&out).unwrap_or(path).display();
            println!("{name}	{bytes}	{gz}");
        }
    }
    println!("all {} files	{raw}	{zipped}", files.len());
    let mut node = Command::new("node");
    node.current_dir(root)
        .arg("bench/first_chart.mjs")
        .arg(&out)
        .args(["--runs", &runs.to_string()]);
    capture(&mut node)?; // prints the rows
    println!("# load average {}", load_average());
    Ok(())
}

/// The 1-minute load average, or "?".
pub(crate) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_tools_rows() {
        let native = "# native\nwidth\tsteps/s (median)\tmin\tmax\n100\t950.5\t900\t990\n512\t80.0\t70\t81\n# loss after 5 steps (seed 1): 100:1e0\n";
        let r = rates(native, 0);
        assert_eq!(r.get(&100), Some(&(950.5, 990.0)));
        assert_eq!(r.get(&512), Some(&(80.0, 81.0)));
        assert_eq!(check_line(native), "100:1e0");
        let torch = "dtype\tthreads\twidth\tsteps/s (median)\nfloat64\t1\t256\t300.0\t1\n";
        assert_eq!(seconds(None).unwrap(), 2.0);
        assert!(seconds(Some("0".into())).is_err());
        assert_eq!(
            data_rows(torch),
            vec![vec!["float64", "1", "256", "300.0", "1"]]
        );
    }
}
