//! `neurogeom._core`: the Python face of the core, a shell like `src/web.rs`
//! and `src/main.rs`. It turns numpy arrays into the core's matrices and the
//! core's results into Python values; it computes nothing itself, so every
//! number equals the CLI's and the page's, hash included.
//!
//! The Python package (`python/neurogeom/`) wraps these functions with
//! docstrings, dataclasses and a tqdm bar; call them through it.
//!
//! Every long call runs in chunks with the GIL released (`py.detach`):
//! between chunks it calls the optional `progress(done, total, stage)`
//! callback and checks for signals, so Ctrl-C raises KeyboardInterrupt
//! within one chunk. Bad input raises ValueError with the CLI's message;
//! a panic in the core (a bug) is caught and raised as RuntimeError, never
//! as pyo3's PanicException.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use nalgebra::DMatrix;
use numpy::{PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

use neurogeom::analyze::{self as an, Settings};
use neurogeom::batch::{self, SweepPlan};
use neurogeom::data::files::{self, Input, Layer, LoadOptions, Recording};
use neurogeom::metrics::capacity::glue::{Centring, GlueJob, GlueOptions, GlueStage, LabelRule};
use neurogeom::metrics::capacity::{MftmaJob, MftmaOptions};
use neurogeom::snapshot::Snapshot;
use neurogeom::sweep::shard::{self, Shard};
use neurogeom::sweep::{self as core_sweep, SweepPoint};

fn value_error(message: impl Into<String>) -> PyErr {
    PyValueError::new_err(message.into())
}

/// Run `f` with the GIL released; a panic becomes a RuntimeError.
fn detached<T: Send>(py: Python<'_>, f: impl FnOnce() -> T + Send) -> PyResult<T> {
    py.detach(|| catch_unwind(AssertUnwindSafe(f)))
        .map_err(|e| {
            let what = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown".into());
            PyRuntimeError::new_err(format!(
                "internal error in neurogeom ({what}); please report it with the input that caused it"
            ))
        })
}

/// Between chunks: report progress, then let Ctrl-C through.
fn tick(
    py: Python<'_>,
    progress: Option<&Bound<'_, PyAny>>,
    done: usize,
    total: usize,
    stage: &str,
) -> PyResult<()> {
    if let Some(cb) = progress {
        cb.call1((done, total, stage))?;
    }
    py.check_signals()
}

/// A samples × features matrix from a C-contiguous float64 array.
fn matrix(a: &PyReadonlyArray2<'_, f64>) -> PyResult<DMatrix<f64>> {
    let shape = a.shape();
    let (rows, cols) = (shape[0], shape[1]);
    let data = a
        .as_slice()
        .map_err(|_| value_error("the array must be C-contiguous float64"))?;
    Ok(DMatrix::from_row_slice(rows, cols, data))
}

/// Label texts, one per row: numeric labels as the CLI reads them from a
/// file ([`files::number_label`]), text labels as given.
fn label_texts(
    numbers: Option<PyReadonlyArray1<'_, f64>>,
    texts: Option<Vec<String>>,
) -> PyResult<Vec<String>> {
    match (numbers, texts) {
        (Some(n), None) => Ok(n
            .as_array()
            .iter()
            .map(|&v| files::number_label(v))
            .collect()),
        (None, Some(t)) => Ok(t),
        _ => Err(value_error("give the labels once, as numbers or as text")),
    }
}

/// A recording from named layers (the same rows each) and labels, with the
/// checks and messages of a file's.
fn recording(
    layers: Vec<(String, PyReadonlyArray2<'_, f64>)>,
    labels: Vec<String>,
    drop_nonfinite: bool,
) -> PyResult<Recording> {
    let layers = layers
        .iter()
        .map(|(name, a)| {
            Ok(Layer {
                name: name.clone(),
                x: matrix(a)?,
            })
        })
        .collect::<PyResult<Vec<_>>>()?;
    let options = LoadOptions {
        drop_nonfinite,
        ..LoadOptions::default()
    };
    files::from_arrays(layers, labels, &options).map_err(|e| value_error(e.to_string()))
}

fn settings_from_json(text: &str) -> PyResult<Settings> {
    let s: Settings =
        serde_json::from_str(text).map_err(|e| value_error(format!("settings: {e}")))?;
    s.check().map_err(value_error)?;
    Ok(s)
}

/// Run an analysis job in chunks; the JSON report of `neurogeom analyze
/// --json`.
#[allow(clippy::too_many_arguments)]
fn run_analysis(
    py: Python<'_>,
    rec: Recording,
    settings: &Settings,
    file_name: &str,
    file_sha256: &str,
    file_size: usize,
    progress: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    let layout = rec.layout.clone();
    let notes = rec.notes.clone();
    let classes = rec.class_names.clone();
    let mut job = an::Job::new(rec, settings).map_err(value_error)?;
    loop {
        let done = detached(py, || job.advance(1))?.map_err(value_error)?;
        let p = job.progress();
        tick(py, progress, p.done, p.total, &p.stage)?;
        if done {
            break;
        }
    }
    let snapshot = job.snapshot().expect("done");
    let out = an::json_report(
        &snapshot,
        job.layers(),
        &classes,
        settings,
        &layout,
        &notes,
        file_name,
        file_sha256,
        file_size,
    );
    Ok(out.to_string())
}

/// `analyze` on arrays: `layers` as (name, samples × features), labels as
/// numbers or texts, settings as JSON (analyze::Settings). Returns JSON.
#[pyfunction]
#[pyo3(signature = (layers, label_numbers, label_texts_, settings, drop_nonfinite=false, progress=None))]
fn analyze_arrays(
    py: Python<'_>,
    layers: Vec<(String, PyReadonlyArray2<'_, f64>)>,
    label_numbers: Option<PyReadonlyArray1<'_, f64>>,
    label_texts_: Option<Vec<String>>,
    settings: &str,
    drop_nonfinite: bool,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<String> {
    let settings = settings_from_json(settings)?;
    let labels = label_texts(label_numbers, label_texts_)?;
    let rec = recording(layers, labels, drop_nonfinite)?;
    run_analysis(py, rec, &settings, "<arrays>", "", 0, progress.as_ref())
}

/// `analyze` on a file's bytes, exactly as `neurogeom analyze FILE`.
#[pyfunction]
#[pyo3(signature = (name, data, labels, settings, array=None, label_column=None, time_window=None, drop_nonfinite=false, progress=None))]
#[allow(clippy::too_many_arguments)]
fn analyze_file(
    py: Python<'_>,
    name: &str,
    data: &[u8],
    labels: Option<(String, Vec<u8>)>,
    settings: &str,
    array: Option<String>,
    label_column: Option<String>,
    time_window: Option<&str>,
    drop_nonfinite: bool,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<String> {
    let settings = settings_from_json(settings)?;
    let time_window = time_window
        .map(an::parse_time_window)
        .transpose()
        .map_err(value_error)?;
    let options = LoadOptions {
        array,
        label_column,
        time_window,
        drop_nonfinite,
        ..LoadOptions::default()
    };
    let rec = files::load(
        Input { name, bytes: data },
        labels.as_ref().map(|(n, b)| Input { name: n, bytes: b }),
        &options,
    )
    .map_err(|e| value_error(e.to_string()))?;
    run_analysis(
        py,
        rec,
        &settings,
        name,
        &an::sha256_hex(data),
        data.len(),
        progress.as_ref(),
    )
}

/// The manifolds (one per class, samples × features) of X grouped by label,
/// with the class names in the CLI's order.
fn class_manifolds(
    x: PyReadonlyArray2<'_, f64>,
    labels: Vec<String>,
) -> PyResult<(Vec<DMatrix<f64>>, Vec<String>, Recording)> {
    let rec = recording(vec![("X".into(), x)], labels, false)?;
    let manifolds = (0..rec.n_classes())
        .map(|c| rec.class_points(0, c))
        .collect();
    Ok((manifolds, rec.class_names.clone(), rec))
}

/// MFTMA result as plain values: (capacity, radius, dimension,
/// center_correlation, K, residual_correlation, per-manifold capacity,
/// radius, dimension, centre norm, touching fraction).
type MftmaTuple = (
    f64,
    f64,
    f64,
    f64,
    usize,
    f64,
    Vec<f64>,
    Vec<f64>,
    Vec<f64>,
    Vec<f64>,
    Vec<f64>,
);

fn run_mftma(
    py: Python<'_>,
    manifolds: &[DMatrix<f64>],
    options: &MftmaOptions,
    progress: Option<&Bound<'_, PyAny>>,
) -> PyResult<MftmaTuple> {
    let mut job = MftmaJob::new(manifolds, options).map_err(|e| value_error(e.to_string()))?;
    loop {
        let done = detached(py, || job.advance(1))?.map_err(|e| value_error(e.to_string()))?;
        let p = job.progress();
        tick(py, progress, p.done, p.total, &format!("{:?}", p.stage))?;
        if done {
            break;
        }
    }
    let r = job.result().expect("done");
    let per = |f: fn(&neurogeom::metrics::capacity::ManifoldCapacity) -> f64| {
        r.manifolds.iter().map(f).collect::<Vec<f64>>()
    };
    Ok((
        r.capacity,
        r.radius,
        r.dimension,
        r.center_correlation,
        r.k,
        r.residual_correlation,
        per(|m| m.capacity),
        per(|m| m.radius),
        per(|m| m.dimension),
        per(|m| m.center_norm),
        per(|m| m.touching_fraction),
    ))
}

/// MFTMA of X (samples × features) grouped by label, with the options of
/// `neurogeom analyze` (so the numbers equal its). Returns the class names
/// and the [`MftmaTuple`].
#[pyfunction]
#[pyo3(signature = (x, label_numbers, label_texts_, kappa, n_t, seed, restarts, progress=None))]
#[allow(clippy::too_many_arguments)]
fn mftma(
    py: Python<'_>,
    x: PyReadonlyArray2<'_, f64>,
    label_numbers: Option<PyReadonlyArray1<'_, f64>>,
    label_texts_: Option<Vec<String>>,
    kappa: f64,
    n_t: usize,
    seed: u64,
    restarts: usize,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<(Vec<String>, MftmaTuple)> {
    let settings = Settings {
        kappa,
        n_t,
        seed,
        ..Settings::default()
    };
    settings.check().map_err(value_error)?;
    let options = MftmaOptions {
        restarts,
        ..settings.mftma_options()
    };
    let labels = label_texts(label_numbers, label_texts_)?;
    let (manifolds, classes, _) = class_manifolds(x, labels)?;
    let out = run_mftma(py, &manifolds, &options, progress.as_ref())?;
    Ok((classes, out))
}

/// GLUE result as plain values: (capacity, capacity_se, radius, dimension,
/// utility, center_alignment, axis_alignment, center_axis_alignment, notes).
type GlueTuple = (f64, f64, f64, f64, f64, f64, f64, f64, Vec<String>);

/// GLUE (Chou et al. 2024; Chou, Le, Wang & Chung, ICML 2025) of X grouped
/// by label, with the options of `neurogeom analyze --glue` (so the numbers
/// equal its). Returns the class names and the [`GlueTuple`].
#[pyfunction]
#[pyo3(signature = (x, label_numbers, label_texts_, n_t, points, labels, centre, seed, progress=None))]
#[allow(clippy::too_many_arguments)]
fn glue(
    py: Python<'_>,
    x: PyReadonlyArray2<'_, f64>,
    label_numbers: Option<PyReadonlyArray1<'_, f64>>,
    label_texts_: Option<Vec<String>>,
    n_t: usize,
    points: usize,
    labels: &str,
    centre: &str,
    seed: u64,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<(Vec<String>, GlueTuple)> {
    let options = GlueOptions {
        n_t,
        max_points: points,
        labels: LabelRule::parse(labels, "labels").map_err(value_error)?,
        centre: Centring::parse(centre, "centre").map_err(value_error)?,
        seed,
    };
    options.check().map_err(|e| value_error(e.to_string()))?;
    let row_labels = label_texts(label_numbers, label_texts_)?;
    let (manifolds, classes, _) = class_manifolds(x, row_labels)?;
    let mut job = GlueJob::new(&manifolds, &options).map_err(|e| value_error(e.to_string()))?;
    // The samples on every core (the same bits as one thread: they are
    // handed back in sample order), 8 per thread between progress reports.
    let threads = neurogeom::gemm::max_threads();
    loop {
        let done = detached(py, || {
            if threads > 1 && job.stage() == GlueStage::Samples {
                job.run_some_samples_threaded(threads, 8 * threads);
                job.advance(0)
            } else {
                job.advance(8)
            }
        })?;
        let (d, total) = job.progress();
        tick(py, progress.as_ref(), d, total, "GLUE")?;
        if done {
            break;
        }
    }
    let r = job.result().expect("done");
    Ok((
        classes,
        (
            r.capacity,
            r.capacity_se,
            r.radius,
            r.dimension,
            r.utility,
            r.center_alignment,
            r.axis_alignment,
            r.center_axis_alignment,
            r.notes.clone(),
        ),
    ))
}

/// MFTMA of manifolds given one by one (samples × features each), for the
/// replicaMFT drop-in.
#[pyfunction]
#[pyo3(signature = (manifolds, kappa, n_t, seed, restarts, progress=None))]
fn mftma_manifolds(
    py: Python<'_>,
    manifolds: Vec<PyReadonlyArray2<'_, f64>>,
    kappa: f64,
    n_t: usize,
    seed: u64,
    restarts: usize,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<MftmaTuple> {
    let manifolds = manifolds.iter().map(matrix).collect::<PyResult<Vec<_>>>()?;
    let options = MftmaOptions {
        kappa,
        n_t,
        seed,
        restarts,
        data_dimensionality: false,
        ..MftmaOptions::default()
    };
    run_mftma(py, &manifolds, &options, progress.as_ref())
}

/// Centre, axis and centre–axis alignment with `axes` principal axes.
#[pyfunction]
fn alignment(
    py: Python<'_>,
    x: PyReadonlyArray2<'_, f64>,
    label_numbers: Option<PyReadonlyArray1<'_, f64>>,
    label_texts_: Option<Vec<String>>,
    axes: usize,
) -> PyResult<(Vec<String>, f64, f64, f64)> {
    if axes == 0 {
        return Err(value_error("axes must be at least 1"));
    }
    let labels = label_texts(label_numbers, label_texts_)?;
    let (manifolds, classes, _) = class_manifolds(x, labels)?;
    let a = detached(py, || {
        neurogeom::metrics::alignment::alignment(&manifolds, axes)
    })?
    .map_err(|e| value_error(e.to_string()))?;
    Ok((
        classes,
        a.center_alignment,
        a.axis_alignment,
        a.center_axis_alignment,
    ))
}

/// Participation ratio and PCs for a variance fraction.
#[pyfunction]
fn participation_ratio(
    py: Python<'_>,
    x: PyReadonlyArray2<'_, f64>,
    fraction: f64,
) -> PyResult<(f64, usize)> {
    let x = finite_matrix(&x, "X")?;
    if !(fraction > 0.0 && fraction <= 1.0) {
        return Err(value_error(format!(
            "the variance fraction must be in (0, 1], got {fraction}"
        )));
    }
    detached(py, || {
        use neurogeom::metrics::dimensionality as d;
        (
            d::participation_ratio(&x),
            d::pcs_for_variance(&x, fraction),
        )
    })
}

/// A matrix that must hold only finite numbers, with a message like a
/// file's.
fn finite_matrix(a: &PyReadonlyArray2<'_, f64>, what: &str) -> PyResult<DMatrix<f64>> {
    let x = matrix(a)?;
    if x.nrows() == 0 || x.ncols() == 0 {
        return Err(value_error(format!(
            "{what} is empty ({} × {}); give samples × features",
            x.nrows(),
            x.ncols()
        )));
    }
    if let Some(i) = (0..x.nrows()).find(|&i| x.row(i).iter().any(|v| !v.is_finite())) {
        return Err(value_error(format!(
            "{what}: row {i} holds NaN or infinite values"
        )));
    }
    Ok(x)
}

/// Linear CKA between two representations of the same samples.
#[pyfunction]
fn cka(
    py: Python<'_>,
    x: PyReadonlyArray2<'_, f64>,
    y: PyReadonlyArray2<'_, f64>,
) -> PyResult<f64> {
    let x = finite_matrix(&x, "X")?;
    let y = finite_matrix(&y, "Y")?;
    if x.nrows() != y.nrows() {
        return Err(value_error(format!(
            "X has {} rows and Y {}: CKA compares two representations of the same samples",
            x.nrows(),
            y.nrows()
        )));
    }
    detached(py, || neurogeom::metrics::lazy_rich::linear_cka(&x, &y))
}

/// NC1 and the class means' NC2, as `neurogeom analyze`.
#[pyfunction]
fn neural_collapse(
    py: Python<'_>,
    x: PyReadonlyArray2<'_, f64>,
    label_numbers: Option<PyReadonlyArray1<'_, f64>>,
    label_texts_: Option<Vec<String>>,
) -> PyResult<(Vec<String>, f64, f64, f64)> {
    let labels = label_texts(label_numbers, label_texts_)?;
    let (_, classes, rec) = class_manifolds(x, labels)?;
    let nc = detached(py, || {
        let x = &rec.layers[0].x;
        let c = rec.n_classes();
        let w = DMatrix::zeros(c, x.ncols());
        let o = DMatrix::zeros(x.nrows(), c);
        neurogeom::metrics::collapse::neural_collapse(x, &rec.labels, c, &w, &o)
    })?
    .map_err(value_error)?;
    Ok((
        classes,
        nc.nc1,
        nc.nc2_equinorm_means,
        nc.nc2_equiangular_means,
    ))
}

/// Class names, α_sim, N_c and the (dimension, separable fraction) curve.
type SimulatedTuple = (Vec<String>, f64, f64, Vec<(usize, f64)>);

/// Simulated capacity P/N_c, as `neurogeom analyze --simulated`.
#[pyfunction]
fn simulated_capacity(
    py: Python<'_>,
    x: PyReadonlyArray2<'_, f64>,
    label_numbers: Option<PyReadonlyArray1<'_, f64>>,
    label_texts_: Option<Vec<String>>,
    repetitions: usize,
    seed: u64,
) -> PyResult<SimulatedTuple> {
    use neurogeom::metrics::capacity::simulated::{self as sim, SimulatedOptions};
    let settings = Settings {
        sim_repetitions: repetitions,
        ..Settings::default()
    };
    settings.check().map_err(value_error)?;
    let labels = label_texts(label_numbers, label_texts_)?;
    let (manifolds, classes, _) = class_manifolds(x, labels)?;
    let opts = SimulatedOptions {
        repetitions,
        seed,
        ..SimulatedOptions::default()
    };
    let r = detached(py, || sim::simulated_capacity(&manifolds, &opts))?
        .map_err(|e| value_error(e.to_string()))?;
    Ok((classes, r.capacity, r.critical_dim, r.curve))
}

/// Messages from the thread that runs a lab.
enum RunMessage {
    Progress(u64, u64),
    Done(Box<Snapshot>, Vec<String>),
}

/// Run a link to its end: the JSON of `neurogeom run --json`. The lab runs
/// on a thread of its own in chunks of about 0.1 s; this thread waits with
/// the GIL released, reports progress and checks signals, and stops the
/// lab (after its current chunk) on Ctrl-C.
#[pyfunction]
#[pyo3(signature = (link, lenient=false, progress=None))]
fn run(
    py: Python<'_>,
    link: &str,
    lenient: bool,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<String> {
    let parsed = batch::read_link(link, lenient).map_err(value_error)?;
    let config = parsed.config.clone();
    let cancel = Arc::new(AtomicBool::new(false));
    let (tx, mut rx) = mpsc::channel();
    let worker = {
        let cancel = cancel.clone();
        std::thread::spawn(move || {
            let (mut lab, warnings) = neurogeom::labs::build(&config);
            let total = lab.total_steps();
            let mut chunk = 1u64;
            while !lab.is_done() && lab.steps_done() < total && !cancel.load(Ordering::Relaxed) {
                let t = Instant::now();
                if lab.step(chunk).is_err() {
                    break;
                }
                if t.elapsed() < Duration::from_millis(50) {
                    chunk = (chunk * 2).min(1 << 20);
                }
                let _ = tx.send(RunMessage::Progress(lab.steps_done(), total));
            }
            let _ = tx.send(RunMessage::Done(
                Box::new(neurogeom::run::snapshot(lab.as_ref())),
                warnings,
            ));
        })
    };
    let stop = |e: PyErr| {
        cancel.store(true, Ordering::Relaxed);
        e
    };
    let result = loop {
        let receiver = &mut rx;
        let message = py.detach(move || receiver.recv_timeout(Duration::from_millis(100)));
        match message {
            Ok(RunMessage::Progress(done, total)) => {
                tick(py, progress.as_ref(), done as usize, total as usize, "steps").map_err(stop)?
            }
            Ok(RunMessage::Done(snapshot, warnings)) => break Ok((snapshot, warnings)),
            Err(mpsc::RecvTimeoutError::Timeout) => py.check_signals().map_err(stop)?,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                break Err(PyRuntimeError::new_err(
                    "internal error in neurogeom: the run stopped without a result; please report it with the link",
                ))
            }
        }
    };
    let _ = py.detach(|| worker.join());
    let (snapshot, warnings) = result?;
    batch::run_output(&parsed, &snapshot, &warnings).map_err(PyRuntimeError::new_err)
}

/// Every lab's spec (parameters, presets) as JSON.
#[pyfunction]
fn labs() -> PyResult<String> {
    serde_json::to_string(&neurogeom::labs::catalog())
        .map_err(|e| PyRuntimeError::new_err(e.to_string()))
}

/// A link's sweep (or one shard of it): the JSON lines `neurogeom sweep`
/// prints, the last one the summary. Runs `threads` at a time, checking
/// signals between batches.
#[pyfunction]
#[pyo3(signature = (link, sweep=None, seeds=None, shard=None, threads=None, lenient=false, progress=None))]
#[allow(clippy::too_many_arguments)]
fn sweep(
    py: Python<'_>,
    link: &str,
    sweep: Option<&str>,
    seeds: Option<u32>,
    shard: Option<&str>,
    threads: Option<usize>,
    lenient: bool,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<Vec<String>> {
    if link.trim().is_empty() {
        return Err(value_error("no link given"));
    }
    let parsed = batch::read_link(link, lenient).map_err(value_error)?;
    let shard = shard.map(Shard::parse).transpose().map_err(value_error)?;
    let plan = SweepPlan::new(parsed, sweep, seeds, shard).map_err(value_error)?;
    let threads = match threads {
        Some(0) => return Err(value_error("threads must be at least 1")),
        Some(n) => n,
        None => core_sweep::threads_from_text(None).map_err(value_error)?,
    };
    let mut lines = Vec::with_capacity(plan.runs.len() + 1);
    let mut points: Vec<SweepPoint> = Vec::with_capacity(plan.runs.len());
    tick(py, progress.as_ref(), 0, plan.runs.len(), "runs")?;
    for batch in plan.runs.chunks(threads) {
        let done = detached(py, || core_sweep::run_native(batch, threads, |_, _| {}))?;
        for (run, p) in batch.iter().zip(&done) {
            lines.push(plan.run_line(run, p).to_string());
        }
        points.extend(done);
        tick(py, progress.as_ref(), points.len(), plan.runs.len(), "runs")?;
    }
    let (line, _) = plan.finish(&points).map_err(value_error)?;
    lines.push(line.to_string());
    Ok(lines)
}

/// Merge shards' outputs, each (name, text of its JSON lines): the summary
/// line (the same as the unsharded sweep's) and the sweep's snapshot, JSON.
#[pyfunction]
fn merge(parts: Vec<(String, String)>) -> PyResult<(String, String)> {
    let outputs = parts
        .iter()
        .map(|(name, text)| shard::read_output(name, text))
        .collect::<Result<Vec<_>, String>>()
        .map_err(value_error)?;
    let merged = batch::merge(&outputs).map_err(value_error)?;
    let snapshot = serde_json::to_string(&merged.snapshot)
        .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    Ok((merged.summary_line().to_string(), snapshot))
}

/// The number of runs in a link's sweep (its grid × seeds).
#[pyfunction]
fn sweep_runs(link: &str) -> PyResult<usize> {
    let parsed = batch::read_link(link, false).map_err(value_error)?;
    Ok(SweepPlan::new(parsed, None, None, None)
        .map_err(value_error)?
        .total)
}

/// The UCI handwritten digits the capacity lab trains on: pixels (1797 × 64,
/// row-major, grey levels 0..16) and labels.
#[pyfunction]
fn digits() -> PyResult<(Vec<f64>, Vec<usize>)> {
    let d = neurogeom::data::digits::load().map_err(PyRuntimeError::new_err)?;
    let p = &d.pixels;
    let mut values = Vec::with_capacity(p.nrows() * p.ncols());
    for i in 0..p.nrows() {
        values.extend(p.row(i).iter().copied());
    }
    Ok((values, d.labels))
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", neurogeom::version::VERSION)?;
    m.add_function(wrap_pyfunction!(analyze_arrays, m)?)?;
    m.add_function(wrap_pyfunction!(analyze_file, m)?)?;
    m.add_function(wrap_pyfunction!(mftma, m)?)?;
    m.add_function(wrap_pyfunction!(mftma_manifolds, m)?)?;
    m.add_function(wrap_pyfunction!(glue, m)?)?;
    m.add_function(wrap_pyfunction!(alignment, m)?)?;
    m.add_function(wrap_pyfunction!(participation_ratio, m)?)?;
    m.add_function(wrap_pyfunction!(cka, m)?)?;
    m.add_function(wrap_pyfunction!(neural_collapse, m)?)?;
    m.add_function(wrap_pyfunction!(simulated_capacity, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(labs, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(merge, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_runs, m)?)?;
    m.add_function(wrap_pyfunction!(digits, m)?)?;
    Ok(())
}
