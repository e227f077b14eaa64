//! `neurogeom`, the command-line face of the core: it runs the same
//! `LabConfig` as the page, from a link or a fragment, and prints the final
//! snapshot or writes its charts as SVG. Bad input exits with status 2.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use serde::Serialize;

use neurogeom::config::LabConfig;
use neurogeom::labs;
use neurogeom::run;
use neurogeom::share::{config_fragment, link_fragment, parse_link};
use neurogeom::snapshot::Snapshot;
use neurogeom::sweep::{self, SweepSpec};

#[derive(Parser)]
#[command(
    name = "neurogeom",
    version,
    about = "NeuroGeom: the geometry of neural representations, from the command line."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a lab to its last step and print the final metrics and result hash.
    Run {
        /// A page link (http://…/#v=1&lab=…) or just its fragment (v=1&lab=…).
        link: String,
        /// Print the whole final snapshot as JSON.
        #[arg(long)]
        json: bool,
        /// Run even if the link has problems (unknown keys, bad values),
        /// using defaults as the page does, instead of exiting with status 2.
        #[arg(long)]
        lenient: bool,
    },
    /// Run a lab and write its charts as one SVG.
    Plot {
        link: String,
        /// The SVG file to write.
        #[arg(long)]
        out: std::path::PathBuf,
        /// Only this chart (by id, e.g. "loss"); all charts if absent.
        #[arg(long)]
        chart: Option<String>,
        #[arg(long)]
        lenient: bool,
    },
    /// Run one run per value of a parameter, in parallel, and print one JSON
    /// line per run as it finishes, then the sweep's summary line.
    Sweep {
        /// A link or fragment: the fixed parameters (and maybe `&sweep=...`).
        link: String,
        /// The sweep, e.g. `alpha:log:0.01:1000:11` or `init_std:0.01,0.1,1,3`;
        /// overrides the link's own `sweep=`.
        #[arg(long)]
        sweep: Option<String>,
        /// Runs at a time (default: the number of cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Also write the sweep's charts to this SVG file.
        #[arg(long)]
        svg: Option<std::path::PathBuf>,
        #[arg(long)]
        lenient: bool,
    },
    /// List the labs, their parameters and presets.
    Labs,
}

/// The JSON printed by `run --json`: the snapshot's fields, plus the
/// canonical fragment of the configuration that was run and any warnings.
#[derive(Serialize)]
struct RunOutput<'a> {
    fragment: String,
    warnings: &'a [String],
    #[serde(flatten)]
    snapshot: &'a Snapshot,
}

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("neurogeom: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> Result<ExitCode, String> {
    match command {
        Command::Run {
            link,
            json,
            lenient,
        } => {
            let config = read_link(&link, lenient)?;
            let (snapshot, warnings) = run::run_to_end(&config);
            if json {
                let out = RunOutput {
                    fragment: config_fragment(&config),
                    warnings: &warnings,
                    snapshot: &snapshot,
                };
                println!(
                    "{}",
                    serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
                );
            } else {
                print_summary(&config, &snapshot);
            }
            Ok(if snapshot.stopped.is_some() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Plot {
            link,
            out,
            chart,
            lenient,
        } => {
            let config = read_link(&link, lenient)?;
            let (snapshot, _) = run::run_to_end(&config);
            let charts: Vec<_> = match &chart {
                Some(id) => {
                    let c = snapshot.chart(id).ok_or_else(|| {
                        let ids: Vec<&str> =
                            snapshot.charts.iter().map(|c| c.id.as_str()).collect();
                        format!("no chart '{id}'; this lab draws: {}", ids.join(", "))
                    })?;
                    vec![c.clone()]
                }
                None => snapshot.charts.clone(),
            };
            let svg = neurogeom::plot::charts_svg(&charts, 2)?;
            std::fs::write(&out, svg)
                .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
            eprintln!(
                "wrote {} chart(s) to {} (result hash {})",
                charts.len(),
                out.display(),
                snapshot.hash
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Sweep {
            link,
            sweep,
            threads,
            svg,
            lenient,
        } => {
            let parsed = parse_link(&link);
            let config = read_link(&link, lenient)?;
            let spec = match sweep {
                Some(text) => SweepSpec::parse(&text)?,
                None => parsed.sweep.ok_or(
                    "no sweep: add --sweep alpha:log:0.01:1000:11 or &sweep=... to the link",
                )?,
            };
            spec.configs(&config)?;
            let threads = threads.unwrap_or_else(|| {
                std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(1)
            });
            let points = sweep::run_native(&spec, &config, threads, |p| {
                let metrics: serde_json::Map<String, serde_json::Value> = p
                    .metrics
                    .iter()
                    .map(|m| (m.key.clone(), serde_json::json!(m.value)))
                    .collect();
                let line = serde_json::json!({
                    spec.key.as_str(): p.value,
                    "hash": p.hash,
                    "stopped": p.stopped,
                    "metrics": metrics,
                });
                println!("{line}");
            })?;
            let summary = sweep::snapshot(&spec, &config, &points);
            println!(
                "{}",
                serde_json::json!({
                    "sweep": spec.to_text(),
                    "link": format!("#{}", link_fragment(&config, Some(&spec))),
                    "runs": points.len(),
                    "hash": summary.hash,
                })
            );
            if let Some(path) = svg {
                let text = neurogeom::plot::charts_svg(&summary.charts, 2)?;
                std::fs::write(&path, text)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            }
            Ok(if summary.stopped.is_some() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Labs => {
            for spec in labs::catalog() {
                println!("{} — {}\n  {}\n", spec.name, spec.title, spec.summary);
                for p in &spec.params {
                    println!("  {:<14} {}  ({})", p.key, p.label, p.help);
                }
                println!("\n  presets:");
                for preset in &spec.presets {
                    println!("    {}\n      #{}", preset.title, preset.fragment);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Parse a link; its warnings are errors unless `lenient`.
fn read_link(link: &str, lenient: bool) -> Result<LabConfig, String> {
    let parsed = parse_link(link);
    if !parsed.warnings.is_empty() {
        let list = parsed
            .warnings
            .iter()
            .map(|w| format!("  - {w}"))
            .collect::<Vec<_>>()
            .join("\n");
        if !lenient {
            return Err(format!("the link has problems:\n{list}\n(use --lenient to run with defaults in their place)"));
        }
        eprintln!("neurogeom: running with defaults in place of:\n{list}");
    }
    Ok(parsed.config)
}

fn print_summary(config: &LabConfig, s: &Snapshot) {
    println!("lab      {}", s.lab);
    println!("link     #{}", config_fragment(&config));
    println!("steps    {} / {}", s.step, s.total_steps);
    if let Some(reason) = &s.stopped {
        println!("STOPPED  {reason}");
    }
    for m in &s.metrics {
        println!("  {:<34} {:>14.6e}", m.label, m.value);
    }
    println!("hash     {}", s.hash);
}

/// `neurogeom run '<link>' --json | head -c 10`: the reader closes the pipe
/// early and `println!` panics on the write error. Exit quietly instead, as
/// command-line tools do; any other panic keeps the default report.
fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info.payload_as_str().unwrap_or("");
        if message.contains("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}
