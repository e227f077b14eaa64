//! `neurogeom`, the command-line face of the core: it runs the same
//! `LabConfig` as the page, from a link or a fragment, and prints the final
//! snapshot or writes its charts as SVG. Bad input exits with status 2.
//!
//! Every result it prints carries the version that computed it
//! (`neurogeom::version::VERSION`), and every link it prints ends with
//! `&ng=<version>`; a link made with another version runs all the same and
//! gets a note naming the result changes since.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use neurogeom::batch::{self, SweepPlan};
use neurogeom::labs;
use neurogeom::metrics::capacity::glue::{Centring, LabelRule};
use neurogeom::run;
use neurogeom::share::{self, config_fragment, with_version, ParsedLink};
use neurogeom::snapshot::Snapshot;
use neurogeom::sweep;
use neurogeom::sweep::shard::{self, Shard};
use neurogeom::version::{NoteKind as VersionNoteKind, VersionNote, VERSION};

#[derive(Parser)]
#[command(
    name = "neurogeom",
    version = VERSION,
    about = "NeuroGeom: the geometry of neural representations, from the command line."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// The page's public address, e.g. https://example.org/neurogeom/ (or
    /// the NEUROGEOM_BASE_URL environment variable): `run`, `sweep`,
    /// `merge` and `labs` then print an `open:` line with the full link
    /// (on standard error where standard output is JSON).
    #[arg(long, global = true, value_name = "URL")]
    base_url: Option<String>,
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
        /// as the page does (defaults, values clamped into range), instead of
        /// exiting with status 2.
        #[arg(long)]
        lenient: bool,
    },
    /// Run a lab and write its charts as one SVG.
    Plot {
        #[arg(required_unless_present = "gallery")]
        link: Option<String>,
        /// The SVG file to write.
        #[arg(long)]
        out: std::path::PathBuf,
        /// Only this chart (by id, e.g. "loss"); all charts if absent.
        #[arg(long)]
        chart: Option<String>,
        #[arg(long)]
        lenient: bool,
        /// Draw one chart of each kind from fixed data instead (no link).
        #[arg(long)]
        gallery: bool,
    },
    /// Run a sweep: one run per point of a grid over one or two parameters
    /// (and per seed), on every core. Prints one JSON line per run, in run
    /// order whatever the thread count, then the sweep's summary line (with
    /// its hash).
    Sweep {
        /// A link or fragment: the fixed parameters (and maybe `&sweep=...`
        /// and `&seeds=N`).
        link: Option<String>,
        /// The sweep, e.g. `alpha:log:0.01:1000:11` or
        /// `alpha:log:0.01:1000:9;width:list:32,64,128`; overrides the link's
        /// own `sweep=`.
        #[arg(long)]
        sweep: Option<String>,
        /// Run every point over this many seeds (seed, seed+1, …); overrides
        /// the link's `seeds=`.
        #[arg(long)]
        seeds: Option<u32>,
        /// Runs at a time (default, or empty as from an unset
        /// $SLURM_CPUS_PER_TASK: every core this process may use).
        #[arg(long, value_name = "N")]
        threads: Option<String>,
        /// Run only shard I/N: every N-th run starting at run I
        /// (`--shard "$SLURM_ARRAY_TASK_ID/64"` in a SLURM array). Without a
        /// value (or `auto`), I is the job array's task ID
        /// (SLURM_ARRAY_TASK_ID, or JOB_COMPLETION_INDEX) and N comes from
        /// --shards N, NEUROGEOM_SHARDS, or a SLURM array that runs 0 to
        /// N − 1. Merge the outputs with `merge`.
        #[arg(long, num_args = 0..=1, default_missing_value = "auto", value_name = "I/N")]
        shard: Option<String>,
        /// The shard count, where the environment does not give it.
        #[arg(long)]
        shards: Option<usize>,
        /// Also write the sweep's charts to this SVG file (not with --shard:
        /// merge the shards and give --svg to `merge`).
        #[arg(long)]
        svg: Option<std::path::PathBuf>,
        #[arg(long)]
        lenient: bool,
    },
    /// Put the outputs of a sweep's shards (`sweep --shard I/N`, one file
    /// each) together: prints the sweep's summary line, with the same hash
    /// as the unsharded sweep.
    Merge {
        /// Every shard's output file.
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
        /// Also write the sweep's charts to this SVG file.
        #[arg(long)]
        svg: Option<std::path::PathBuf>,
        /// Print the whole sweep snapshot as JSON instead of the summary line.
        #[arg(long)]
        json: bool,
    },
    /// List the labs, their parameters and presets.
    Labs,
    /// Analyse your own data (NPY, NPZ, CSV/TSV: samples × features plus a
    /// label per row, or several layers): MFTMA capacity, alignments,
    /// dimensionality, neural collapse, CKA, RDM, PCA. Prints the metrics
    /// and the result hash (the page's "Your data" gives the same hash).
    Analyze(AnalyzeArgs),
}

#[derive(clap::Args)]
struct AnalyzeArgs {
    /// The data file (.npy, .npz, .csv, .tsv).
    file: std::path::PathBuf,
    /// A separate labels file (a 1-D .npy, or one label per line).
    #[arg(long)]
    labels: Option<std::path::PathBuf>,
    /// Which array of an NPZ holds the data, when several could.
    #[arg(long)]
    array: Option<String>,
    /// The label column of a CSV: a name, a 0-based index, or `none`.
    #[arg(long)]
    label_column: Option<String>,
    /// For trials × neurons × time arrays: average over time steps A..B (B excluded).
    #[arg(long, value_name = "A:B")]
    time_window: Option<String>,
    /// Drop rows holding NaN or infinite values instead of refusing the file.
    #[arg(long)]
    drop_nonfinite: bool,
    /// MFTMA's margin κ.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    kappa: f64,
    /// MFTMA's Gaussian samples per manifold.
    #[arg(long, default_value_t = 300)]
    n_t: usize,
    /// At most N points per class for MFTMA and the simulated capacity (a
    /// seeded subsample, the usual practice with replicaMFT on large
    /// recordings); 0 = every point.
    #[arg(long, value_name = "N", default_value_t = 0)]
    max_points: usize,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// The memory the analysis may use (e.g. 16G, 800MiB); files up to
    /// this ÷ 2.5 as 64-bit floats are read. Default: NEUROGEOM_MAX_MEMORY,
    /// else the machine's memory.
    #[arg(long, value_name = "SIZE")]
    max_memory: Option<String>,
    /// Skip MFTMA (capacity, radius, dimension, centre correlation, K are then null).
    #[arg(long)]
    no_mftma: bool,
    /// Also compute the simulated capacity (random projections; slow).
    #[arg(long)]
    simulated: bool,
    /// Random dichotomies per dimension for the simulated capacity.
    #[arg(long, default_value_t = 20)]
    sim_repetitions: usize,
    /// Also compute GLUE, the capacity and effective geometry of correlated
    /// manifolds (one joint QP per sample; seconds on 50 classes).
    #[arg(long)]
    glue: bool,
    /// GLUE's Gaussian samples.
    #[arg(long, default_value_t = 200)]
    glue_n_t: usize,
    /// GLUE's points per class, at most (a seeded subsample).
    #[arg(long, default_value_t = 50)]
    glue_points: usize,
    /// GLUE's labels: random (independent signs), balanced or one_vs_rest.
    #[arg(long, default_value = "random")]
    glue_labels: String,
    /// GLUE's centring: none (the data as given) or global (minus the mean of all points).
    #[arg(long, default_value = "none")]
    glue_centre: String,
    /// Threads for MFTMA's manifolds and GLUE's samples (default: every
    /// core); the result is the same bits whatever the count.
    #[arg(long)]
    threads: Option<usize>,
    /// The simulated capacity's dichotomies: `random` (each class ±1
    /// independently, as the published code) or `balanced` (half the
    /// classes +1).
    #[arg(long, value_name = "random|balanced", default_value = "random")]
    sim_labels: String,
    #[arg(long)]
    no_alignment: bool,
    #[arg(long)]
    no_collapse: bool,
    #[arg(long)]
    no_cka: bool,
    #[arg(long)]
    no_rdm: bool,
    #[arg(long)]
    no_pca: bool,
    /// Print metrics, per-manifold and per-layer arrays, charts and hash as JSON.
    #[arg(long)]
    json: bool,
}

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = Cli::parse();
    let base = cli
        .base_url
        .or_else(|| std::env::var("NEUROGEOM_BASE_URL").ok())
        .filter(|u| !u.trim().is_empty());
    let opener = match base.as_deref().map(share::base_url).transpose() {
        Ok(base) => Opener { base },
        Err(message) => {
            eprintln!("neurogeom: {message}");
            return ExitCode::from(2);
        }
    };
    match run(cli.command, &opener) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("neurogeom: {message}");
            ExitCode::from(2)
        }
    }
}

/// Prints `open: <full link>` when a base URL was given.
struct Opener {
    base: Option<String>,
}

impl Opener {
    fn line(&self, fragment: &str) -> Option<String> {
        let base = self.base.as_deref()?;
        Some(format!("open: {}", share::public_link(base, fragment)))
    }

    /// On standard output, after a text summary.
    fn print(&self, fragment: &str) {
        if let Some(line) = self.line(fragment) {
            println!("{line}");
        }
    }

    /// On standard error, where standard output is JSON.
    fn eprint(&self, fragment: &str) {
        if let Some(line) = self.line(fragment) {
            eprintln!("{line}");
        }
    }
}

fn run(command: Command, opener: &Opener) -> Result<ExitCode, String> {
    match command {
        Command::Analyze(args) => analyze(args),
        Command::Run {
            link,
            json,
            lenient,
        } => {
            let parsed = read_link(&link, lenient)?;
            let config = &parsed.config;
            let (snapshot, warnings) = run::run_to_end_parallel(config);
            if json {
                println!("{}", batch::run_output(&parsed, &snapshot, &warnings)?);
                opener.eprint(&with_version(&config_fragment(config)));
            } else {
                print_summary(&parsed, &snapshot, &warnings);
                opener.print(&with_version(&config_fragment(config)));
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
            gallery,
        } => {
            if gallery {
                std::fs::write(&out, neurogeom::plot::gallery::svg()?)
                    .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
                eprintln!("wrote the chart gallery to {}", out.display());
                return Ok(ExitCode::SUCCESS);
            }
            let parsed = read_link(&link.unwrap_or_default(), lenient)?;
            note_to_stderr(parsed.version_note.as_ref());
            let config = &parsed.config;
            let (snapshot, _) = run::run_to_end_parallel(config);
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
            let svg = neurogeom::plot::with_metadata(
                &neurogeom::plot::charts_svg(&charts, 2)?,
                &format!("#{}", with_version(&config_fragment(config))),
                &snapshot.hash,
            );
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
            seeds,
            threads,
            shard,
            shards,
            svg,
            lenient,
        } => {
            let link = link.unwrap_or_default();
            if link.trim().is_empty() {
                return Err("no link given (is LINK set in the job's environment?)".into());
            }
            let threads = sweep::threads_from_text(threads.as_deref())?;
            let parsed = read_link(&link, lenient)?;
            note_to_stderr(parsed.version_note.as_ref());
            let shard = match shard.as_deref() {
                None => None,
                Some("auto") => Some(Shard::from_env(|k| std::env::var(k).ok(), shards)?),
                Some(text) => {
                    let s = Shard::parse(text)?;
                    if shards.is_some_and(|n| n != s.count) {
                        return Err(format!(
                            "--shard {s} and --shards {} disagree",
                            shards.unwrap_or(0)
                        ));
                    }
                    Some(s)
                }
            };
            if shard.is_some() && svg.is_some() {
                return Err("--svg draws the whole sweep: merge the shards and give --svg to `neurogeom merge`".into());
            }
            let plan = SweepPlan::new(parsed, sweep.as_deref(), seeds, shard)?;
            let points = sweep::run_native(&plan.runs, threads, |run, p| {
                println!("{}", plan.run_line(run, p));
            });
            opener.eprint(&plan.link());
            let stopped = points.iter().any(|p| p.stopped.is_some());
            let (line, summary) = plan.finish(&points)?;
            println!("{line}");
            if let Some(summary) = summary {
                write_svg(svg.as_deref(), &plan.link(), &summary)?;
            }
            Ok(if stopped {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Merge { files, svg, json } => {
            let outputs = files
                .iter()
                .map(|path| {
                    let text = std::fs::read_to_string(path)
                        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                    shard::read_output(&path.display().to_string(), &text)
                })
                .collect::<Result<Vec<_>, String>>()?;
            let merged = batch::merge(&outputs)?;
            for line in note_lines(merged.parsed.version_note.as_ref()) {
                eprintln!("neurogeom: shards' {line}");
            }
            let snapshot = &merged.snapshot;
            if json {
                println!("{}", snapshot.to_json_pretty().map_err(|e| e.to_string())?);
            } else {
                println!("{}", merged.summary_line());
            }
            opener.eprint(&merged.link);
            write_svg(svg.as_deref(), &merged.link, snapshot)?;
            Ok(if snapshot.stopped.is_some() {
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
                    if let Some(line) = opener.line(&preset.fragment) {
                        println!("      {line}");
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `neurogeom analyze`.
fn analyze(a: AnalyzeArgs) -> Result<ExitCode, String> {
    use neurogeom::analyze::{self as an, Settings};
    use neurogeom::data::files::{self, Input, Limit, LoadOptions};
    use neurogeom::metrics::capacity::simulated::Dichotomies;
    let read = |p: &std::path::Path| {
        std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()))
    };
    let name = |p: &std::path::Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| p.display().to_string())
    };
    let time_window = match &a.time_window {
        None => None,
        Some(t) => Some(an::parse_time_window(t)?),
    };
    let sim_labels = Dichotomies::from_key(&a.sim_labels).ok_or_else(|| {
        format!(
            "--sim-labels '{}': expected random or balanced",
            a.sim_labels
        )
    })?;
    let limit = match &a.max_memory {
        Some(m) => Limit::from_memory(
            files::parse_memory_size(m).map_err(|e| format!("--max-memory: {e}"))?,
            "the budget --max-memory",
        ),
        None => Limit::for_this_machine()?,
    };
    let settings = Settings {
        mftma: !a.no_mftma,
        kappa: a.kappa,
        n_t: a.n_t,
        max_points: a.max_points,
        simulated: a.simulated,
        sim_repetitions: a.sim_repetitions,
        glue: a.glue,
        glue_n_t: a.glue_n_t,
        glue_points: a.glue_points,
        glue_labels: LabelRule::parse(&a.glue_labels, "--glue-labels")?,
        glue_centre: Centring::parse(&a.glue_centre, "--glue-centre")?,
        sim_labels,
        alignment: !a.no_alignment,
        dimensionality: true,
        collapse: !a.no_collapse,
        cka: !a.no_cka,
        rdm: !a.no_rdm,
        pca: !a.no_pca,
        seed: a.seed,
    };
    settings.check()?;
    let options = LoadOptions {
        array: a.array.clone(),
        label_column: a.label_column.clone(),
        time_window,
        drop_nonfinite: a.drop_nonfinite,
        limit: Some(limit),
    };
    let data_name = name(&a.file);
    // The file's bytes live only while it is read: its hash and size are
    // taken first, and the matrices are all that remains.
    let (recording, sha256, size) = {
        let data = read(&a.file)?;
        let labels = match &a.labels {
            Some(p) => Some((name(p), read(p)?)),
            None => None,
        };
        // The hash on a thread of its own while the file is parsed.
        let (recording, sha256) = std::thread::scope(|s| {
            let sha256 = s.spawn(|| an::sha256_hex(&data));
            let recording = files::load(
                Input {
                    name: &data_name,
                    bytes: &data,
                },
                labels.as_ref().map(|(n, b)| Input { name: n, bytes: b }),
                &options,
            );
            (recording, sha256.join())
        });
        let recording = recording.map_err(|e| e.to_string())?;
        let sha256 = sha256.map_err(|_| "SHA-256 of the file: the thread stopped".to_string())?;
        (recording, sha256, data.len())
    };
    let layout = recording.layout.clone();
    let mut notes = recording.notes.clone();
    let classes = recording.class_names.clone();
    let threads = a
        .threads
        .unwrap_or_else(neurogeom::gemm::max_threads)
        .max(1);
    let result = an::analyze_threaded(recording, &settings, threads)?;
    notes.extend(result.notes.iter().cloned());
    let snapshot = &result.snapshot;
    if a.json {
        let out = an::json_report(
            snapshot,
            &result.layers,
            &classes,
            &settings,
            &layout,
            &notes,
            &data_name,
            &sha256,
            size,
        );
        println!(
            "{}",
            serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
        );
    } else {
        println!("{data_name}: {layout}");
        println!("version {VERSION}");
        for n in &notes {
            println!("note: {n}");
        }
        for m in &snapshot.metrics {
            println!("{:<24} {}", m.key, m.value);
        }
        println!("hash {}", snapshot.hash);
    }
    Ok(ExitCode::SUCCESS)
}

/// Read a link; its warnings are errors unless `lenient` (then printed, and
/// defaults run in their place). A note on its version is not a warning: a
/// link made with another version runs, and the caller says so.
fn read_link(link: &str, lenient: bool) -> Result<ParsedLink, String> {
    let parsed = batch::read_link(link, lenient)?;
    if !parsed.warnings.is_empty() {
        eprintln!(
            "neurogeom: the link has problems; running with the values each line names:\n{}",
            batch::warning_list(&parsed.warnings)
        );
    }
    Ok(parsed)
}

/// A link made with another version, said on standard error (where the
/// JSON lines of `sweep` do not go).
fn note_to_stderr(note: Option<&VersionNote>) {
    for line in note_lines(note) {
        eprintln!("neurogeom: {line}");
    }
}

/// What to say of a link made with another version: the note, then each
/// result change since (or that the changelog lists none).
fn note_lines(note: Option<&VersionNote>) -> Vec<String> {
    let Some(note) = note else {
        return Vec::new();
    };
    let mut lines = vec![format!("link {}", note.text)];
    for c in &note.changes {
        lines.push(format!("  result change in {}: {}", c.version, c.text));
    }
    if note.kind == VersionNoteKind::Older && note.changes.is_empty() {
        lines.push("  the changelog lists no result change between the two".into());
    }
    lines
}

fn write_svg(path: Option<&std::path::Path>, link: &str, s: &Snapshot) -> Result<(), String> {
    if let Some(path) = path {
        let text = neurogeom::plot::with_metadata(
            &neurogeom::plot::charts_svg(&s.charts, 2)?,
            &format!("#{link}"),
            &s.hash,
        );
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// The text form of `neurogeom run`: the lab's notes (the same as `warnings`
/// in `--json`) come before the metrics, so that a diverged twin or a clamped
/// parameter is never missed.
fn print_summary(parsed: &ParsedLink, s: &Snapshot, notes: &[String]) {
    println!("lab      {}", s.lab);
    println!(
        "link     #{}",
        with_version(&config_fragment(&parsed.config))
    );
    println!("version  {VERSION}");
    for line in note_lines(parsed.version_note.as_ref()) {
        println!("note     {line}");
    }
    println!("steps    {} / {}", s.step, s.total_steps);
    if let Some(reason) = &s.stopped {
        println!("STOPPED  {reason}");
    }
    for note in notes {
        println!("note     {note}");
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
