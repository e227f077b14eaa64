//! `cargo xtask`: the project's build, serve and test commands.
//!
//! ```text
//! cargo xtask build [--debug]                 wasm32 build + wasm-bindgen (library) into www/pkg/
//! cargo xtask serve [--debug] [--port N]      build, then serve the repository root on 127.0.0.1
//! cargo xtask dist [--out DIR] [--base-url URL]
//!                                             the page as one static folder for any host
//! cargo xtask test [--native-only | --browser-only]
//!                                             cargo test, wasm build, then Playwright + Chromium
//! cargo xtask bench [--pytorch] [--seconds S] training steps/s: native, wasm in Node (, PyTorch)
//! cargo xtask bench capacity [--reps N] [--reference PYTHON]
//! cargo xtask bench python --reference PYTHON [--reps N]   neurogeom.mftma vs published, in Python
//!                                             MFTMA seconds: native, wasm in Node (, published Python)
//! cargo xtask bench glue [--reps N] [--reference PYTHON]   GLUE's speed goals: reference, native, wasm
//! cargo xtask bench analyze [--sizes P×M×N,…] [--reps R] [--threads T,…]
//!                                             each analysis of "Your data" alone and all
//!                                             together, against numpy's equivalent
//! cargo xtask bench symeig [--sizes N,N] [--nalgebra] symmetric eigensolver vs numpy eigvalsh/eigh
//! cargo xtask bench sweep [--rounds R] [--steps N]   a 16-point sweep, 1 vs 2 threads
//! cargo xtask bench page [--runs N]           a dist build's bytes and time to the first chart
//! cargo xtask golden [--check]                record every preset's hash in golden/ (or compare)
//! cargo xtask data haxby [--sdist P] [--raw] [--out P]  the Haxby 2001 recording to www/data/haxby2001.npz
//! ```
//!
//! Everything runs from the repository root, found from this crate's
//! `CARGO_MANIFEST_DIR`. Nothing here downloads a binary or a browser: the
//! wasm-bindgen step is a library call and Chromium is the system one.

mod bench;
mod bench_analyze;
mod bench_capacity;
mod bench_glue;
mod bench_python;
mod bench_symeig;
mod citation;
mod dist;
mod golden;
mod haxby;
mod nifti;
mod python;
mod serve;
mod test;
mod venv;
mod wasm;

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  build [--debug]                      build the core for wasm32 and run wasm-bindgen into www/pkg/
  serve [--debug] [--port N]           build, then serve the repository root at http://127.0.0.1:N/
                                       (default 8080, or env PORT)
  test  [--native-only|--browser-only] cargo test --workspace, pytest on the Python bindings (wheel
        [--hashes-only|--python-only]  in target/py-venv), the wasm build, every preset's result
                                       hash in wasm (Node) vs native and the symmetric
                                       eigensolver's bits, then the browser tests
                                       (node --test tests/e2e/) against system Chromium;
                                       also checks every preset against golden/preset-hashes.json
                                       and CITATION.cff against its schema
  golden [--check]                     record every preset's result hash (natively) in
                                       golden/preset-hashes.json; --check compares instead. A
                                       changed preset must then be named in CHANGELOG.md
  data haxby [--sdist PATH] [--raw] [--out PATH]
                                       the Haxby et al. 2001 recording (PyMVPA's copy, from the
                                       pymvpa2 2.6.5 sdist on PyPI, SHA-256 checked) to
                                       www/data/haxby2001.npz and its .sha256: masked, z-scored
                                       within runs (--raw: not), rest dropped
  bench [--pytorch] [--seconds S]      training steps/s of the MLP benchmark, native and wasm in
                                       Node; --pytorch adds PyTorch CPU (venv in target/bench-venv)
  bench credit [--seconds S]           training steps/s of each credit-assignment rule, native
                                       and wasm in Node
  bench rnn [--seconds S]              training steps/s of the modularity lab's recurrent models
                                       (frequency, teacher–student, entorhinal), native and wasm
                                       in Node; checks that both give the same hashes
  bench capacity [--reps N] [--reference PYTHON]
                                       MFTMA (P = 50, M = 100, N = 500, n_t = 300) native and wasm
                                       in Node; --reference PYTHON (an interpreter where the
                                       published package imports as `mftma`) adds its timing
  bench glue [--reps N] [--reference PYTHON]
                                       GLUE (P = 10, M = 50, N = 500, n_t = 200) native (1, 2
                                       threads) and wasm in Node, the longest wasm step;
                                       --reference PYTHON (with numpy and cvxopt) adds
                                       bench/glue_reference.py
  bench analyze [--sizes P×M×N,…] [--reps R] [--threads 2,1]
                                       Your data at 10×50×100 … 100×400×2000: each analysis
                                       alone and all together (in process and as whole
                                       `neurogeom analyze` processes, with peak memory), and
                                       numpy's equivalent of each non-MFTMA analysis
                                       (venv in target/venv) in the same run
  bench python --reference PYTHON [--reps N]
                                       neurogeom.mftma vs the published manifold_analysis_corr in
                                       one Python process (PYTHON imports `mftma`), capacity data
  bench sweep [--rounds R] [--steps N] wall time of a 16-point sweep with --threads 1 and 2,
                                       R rounds interleaved (default 2, 3000 steps), and the ratio
  bench page [--runs N]                a dist build: bytes and gzipped bytes of its files, then
                                       the time to the first chart in Chromium, cold cache
  bench feedback                       the feedback lab: spectrum at N = 500, 1000, 2000 (ours,
                                       nalgebra; native, wasm in Node; numpy eigvals in
                                       target/venv) and a 1000-step simulation at N = 2000
  bench symeig [--sizes N,N,...] [--nalgebra]
                                       the symmetric eigensolver, eigenvalues only and with
                                       vectors, at N = 1000, 2000, 4000 (native, wasm in Node)
                                       against numpy eigvalsh/eigh (1 thread and default threads,
                                       target/venv); --nalgebra adds nalgebra's symmetric_eigen
";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<()> {
    let Some((command, rest)) = args.split_first() else {
        print!("{USAGE}");
        bail!("no command given");
    };
    let mut flags = Flags::new(rest);
    match command.as_str() {
        "build" => {
            let profile = wasm::Profile::from_debug_flag(flags.take_switch("--debug"));
            flags.finish()?;
            wasm::build(&repo_root(), profile)?;
        }
        "serve" => {
            let profile = wasm::Profile::from_debug_flag(flags.take_switch("--debug"));
            let port = match flags.take_value("--port")? {
                Some(p) => Some(p),
                None => std::env::var("PORT").ok(),
            };
            let port: u16 = match port {
                Some(p) => p
                    .parse()
                    .with_context(|| format!("port must be a number 0..65535, got {p:?}"))?,
                None => 8080,
            };
            flags.finish()?;
            let root = repo_root();
            wasm::build(&root, profile)?;
            serve::serve_forever(&root, port)?;
        }
        "dist" => {
            let root = repo_root();
            let out = match flags.take_value("--out")? {
                Some(dir) => std::env::current_dir()?.join(dir),
                None => dist::default_out(&root),
            };
            let base_url = flags.take_value("--base-url")?;
            flags.finish()?;
            dist::run(&root, &out, base_url.as_deref())?;
        }
        "test" => {
            let native_only = flags.take_switch("--native-only");
            let browser_only = flags.take_switch("--browser-only");
            let hashes_only = flags.take_switch("--hashes-only");
            let python_only = flags.take_switch("--python-only");
            flags.finish()?;
            if native_only && browser_only {
                bail!("--native-only and --browser-only exclude each other");
            }
            let scope = match (native_only, browser_only) {
                _ if hashes_only => test::Scope::HashesOnly,
                _ if python_only => test::Scope::PythonOnly,
                (true, _) => test::Scope::NativeOnly,
                (_, true) => test::Scope::BrowserOnly,
                _ => test::Scope::All,
            };
            test::run(&repo_root(), scope)?;
        }
        "golden" => {
            let check_only = flags.take_switch("--check");
            flags.finish()?;
            let root = repo_root();
            let cli = test::build_cli(&root)?;
            golden::run(&root, &cli, check_only)?;
        }
        "data" => {
            if flags.args.first().map(String::as_str) != Some("haxby") {
                bail!("`cargo xtask data` converts one data set: `cargo xtask data haxby`");
            }
            flags.args.remove(0);
            let sdist = flags.take_value("--sdist")?.map(PathBuf::from);
            let out = flags.take_value("--out")?.map(PathBuf::from);
            let raw = flags.take_switch("--raw");
            flags.finish()?;
            haxby::run(&repo_root(), haxby::Options { sdist, raw, out })?;
        }
        "bench" if rest.first().map(String::as_str) == Some("capacity") => {
            let mut flags = Flags::new(&rest[1..]);
            let reps = flags.take_count("--reps", 3)?;
            let reference = flags.take_value("--reference")?;
            flags.finish()?;
            bench_capacity::run(&repo_root(), reps, reference)?;
        }
        "bench" if rest.first().map(String::as_str) == Some("glue") => {
            let mut flags = Flags::new(&rest[1..]);
            let reps = flags.take_count("--reps", 3)?;
            let reference = flags.take_value("--reference")?;
            flags.finish()?;
            bench_glue::run(&repo_root(), reps, reference)?;
        }
        "bench" if flags.args.first().map(String::as_str) == Some("sweep") => {
            flags.args.remove(0);
            let rounds = match flags.take_value("--rounds")? {
                None => 2,
                Some(s) => match s.parse::<usize>() {
                    Ok(n) if n >= 1 => n,
                    _ => bail!("--rounds must be a whole number ≥ 1, got {s:?}"),
                },
            };
            let steps = match flags.take_value("--steps")? {
                None => 3000,
                Some(s) => match s.parse::<usize>() {
                    Ok(n) if n >= 1 => n,
                    _ => bail!("--steps must be a whole number ≥ 1, got {s:?}"),
                },
            };
            flags.finish()?;
            bench::sweep(&repo_root(), rounds, steps)?;
        }
        "bench" if flags.args.first().map(String::as_str) == Some("page") => {
            flags.args.remove(0);
            let runs = match flags.take_value("--runs")? {
                None => 5,
                Some(s) => match s.parse::<usize>() {
                    Ok(n) if n >= 1 => n,
                    _ => bail!("--runs must be a whole number ≥ 1, got {s:?}"),
                },
            };
            flags.finish()?;
            bench::page(&repo_root(), runs)?;
        }
        "bench" if flags.args.first().map(String::as_str) == Some("analyze") => {
            flags.args.remove(0);
            let sizes = match flags.take_value("--sizes")? {
                None => bench_analyze::SIZES.to_vec(),
                Some(s) => bench_analyze::parse_sizes(&s)?,
            };
            let reps = flags.take_count("--reps", 3)?;
            let threads: Vec<usize> = match flags.take_value("--threads")? {
                None => vec![2],
                Some(s) => s
                    .split(',')
                    .map(|t| match t.trim().parse::<usize>() {
                        Ok(n) if n >= 1 => Ok(n),
                        _ => Err(anyhow::anyhow!(
                            "--threads takes counts ≥ 1 like 2,1, got {s:?}"
                        )),
                    })
                    .collect::<Result<_>>()?,
            };
            flags.finish()?;
            bench_analyze::run(&repo_root(), &sizes, reps, &threads)?;
        }
        "bench" if flags.args.first().map(String::as_str) == Some("python") => {
            flags.args.remove(0);
            let reps = flags.take_count("--reps", 5)?;
            let Some(reference) = flags.take_value("--reference")? else {
                bail!("bench python needs --reference PYTHON: an interpreter where the published package imports as `mftma`");
            };
            flags.finish()?;
            bench_python::run(&repo_root(), &reference, reps)?;
        }
        "bench" if flags.args.first().map(String::as_str) == Some("feedback") => {
            flags.args.remove(0);
            flags.finish()?;
            bench::feedback(&repo_root())?;
        }
        "bench" if flags.args.first().map(String::as_str) == Some("rnn") => {
            flags.args.remove(0);
            let seconds = bench::seconds(flags.take_value("--seconds")?)?;
            flags.finish()?;
            bench::run_rnn(&repo_root(), seconds)?;
        }
        "bench" if flags.args.first().map(String::as_str) == Some("symeig") => {
            flags.args.remove(0);
            let sizes = bench_symeig::sizes(flags.take_value("--sizes")?)?;
            let nalgebra = flags.take_switch("--nalgebra");
            flags.finish()?;
            bench_symeig::run(&repo_root(), &sizes, nalgebra)?;
        }
        "bench" => {
            let credit = flags.take_switch("credit");
            let pytorch = flags.take_switch("--pytorch");
            let seconds = bench::seconds(flags.take_value("--seconds")?)?;
            flags.finish()?;
            if credit {
                bench::run_credit(&repo_root(), seconds)?;
            } else {
                bench::run(&repo_root(), pytorch, seconds)?;
            }
        }
        "help" | "--help" | "-h" => print!("{USAGE}"),
        other => {
            print!("{USAGE}");
            bail!("unknown command {other:?}");
        }
    }
    Ok(())
}

/// A tiny flag parser: `--switch`, `--key value` and `--key=value`.
struct Flags {
    args: Vec<String>,
}

impl Flags {
    fn new(args: &[String]) -> Self {
        Flags {
            args: args.to_vec(),
        }
    }

    fn take_switch(&mut self, name: &str) -> bool {
        let before = self.args.len();
        self.args.retain(|a| a != name);
        self.args.len() != before
    }

    fn take_value(&mut self, name: &str) -> Result<Option<String>> {
        let prefix = format!("{name}=");
        if let Some(i) = self.args.iter().position(|a| a.starts_with(&prefix)) {
            let arg = self.args.remove(i);
            return Ok(Some(arg[prefix.len()..].to_string()));
        }
        if let Some(i) = self.args.iter().position(|a| a == name) {
            if i + 1 >= self.args.len() {
                bail!("{name} needs a value");
            }
            let value = self.args.remove(i + 1);
            self.args.remove(i);
            return Ok(Some(value));
        }
        Ok(None)
    }

    /// A whole number ≥ 1 (`default` when the flag is absent).
    fn take_count(&mut self, name: &str, default: usize) -> Result<usize> {
        match self.take_value(name)? {
            None => Ok(default),
            Some(s) => match s.parse::<usize>() {
                Ok(n) if n >= 1 => Ok(n),
                _ => bail!("{name} must be a whole number ≥ 1, got {s:?}"),
            },
        }
    }

    fn finish(self) -> Result<()> {
        if !self.args.is_empty() {
            bail!(
                "unexpected argument(s): {} (see `cargo xtask help`)",
                self.args.join(" ")
            );
        }
        Ok(())
    }
}

/// The repository root: the parent of this crate's directory.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ has a parent directory")
        .to_path_buf()
}

/// Cargo's target directory (honours `CARGO_TARGET_DIR`).
pub fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

/// A `cargo` command run from the repository root, using the same cargo
/// that launched xtask.
pub fn cargo(root: &Path) -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root);
    cmd
}

/// Runs a command to completion, failing with the command line if it fails.
pub fn run_status(cmd: &mut Command) -> Result<()> {
    let shown = show(cmd);
    eprintln!("xtask: $ {shown}");
    let status = cmd
        .status()
        .with_context(|| format!("could not start `{shown}`"))?;
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    Ok(())
}

/// The command line as a human would type it.
pub fn show(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|s| s.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}
