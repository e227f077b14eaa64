//! The wasm-bindgen boundary, kept thin: JSON text in, core calls, JSON text
//! out. The page's worker drives a [`WasmLab`]; the main thread calls
//! [`draw_chart`]. Bad input gives a JS `Error` with a clear message, never a
//! panic.
//!
//! **Sweeps** (the page's pool of workers), in four calls:
//! 1. the main thread reads the link ([`parse_link`]: `sweep` is
//!    `{axes: [{key, values, log}], seeds}` or null), or the form
//!    ([`sweep_spec`]`(text, seeds)`), and lists the runs:
//!    [`sweep_runs`]`(config, spec)` → `[{index, coords, seed_index, seed,
//!    config}]`, in run order;
//! 2. a pool worker builds `new WasmLab(JSON.stringify(run.config))`, steps
//!    it to the end, and sends back
//!    `lab.sweep_point_at(JSON.stringify(run.coords), run.seed_index)`;
//! 3. the main thread passes the points it has, as a JSON array in any
//!    order, to [`sweep_snapshot`]`(spec, config, points)` and draws the
//!    charts; `hash` is the sweep's once `done` is true, the same as
//!    `neurogeom sweep` gives;
//! 4. [`link_fragment`]`(config, spec, pin)` writes the link back.
//!
//! **Split runs** (a lab with [`labs::Split`], e.g. `credit` with
//! `rules=bp,fa,dfa`): the run worker asks [`split_parts`]`(config)` for the
//! part configs (`[]`: run the lab itself), runs each in its own part worker
//! as a `WasmLab`, collects `lab.part_state()` (a `Float64Array`) from each,
//! and passes them, concatenated as `[n, len_1, …, len_n, state_1…,
//! state_n]`, to [`combine_parts`]`(config, packed)` for the run's snapshot
//! (the hash `neurogeom run` gives).
//!
//! Seeds are u64, which a JS number cannot hold exactly above 2^53. So every
//! config this module hands out carries its seed as a decimal *string*, and
//! every config it takes accepts the seed as a string or a number.

use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use crate::config::LabConfig;
use crate::labs::{self, Lab};
use crate::run;
use crate::share;
use crate::sweep::{self, SweepPoint, SweepSpec};

fn js_error(msg: impl AsRef<str>) -> JsValue {
    js_sys::Error::new(msg.as_ref()).into()
}

/// Install the panic hook so that a panic prints its message to the console
/// (the page then reports it and restarts the worker).
#[wasm_bindgen]
pub fn init() {
    console_error_panic_hook::set_once();
}

/// Panic on purpose. The page's tests use it (through the worker) to check
/// that a panic in the core is reported and the worker restarted.
#[wasm_bindgen]
pub fn debug_panic() {
    panic!("deliberate panic from debug_panic(), to test crash recovery");
}

/// Every lab's spec (name, title, summary, params, presets) as JSON.
#[wasm_bindgen]
pub fn catalog_json() -> String {
    serde_json::to_string(&labs::catalog()).unwrap_or_else(|_| "[]".into())
}

/// Read a link or fragment: JSON `{config, sweep, seeds, pin, embed,
/// warnings, made_with, version_note}` (the config's seed as a string;
/// `sweep` is `{axes, seeds}` or null; `pin` the pinned run's fragment,
/// decoded, or null; `embed` the chart ids of an embedded view, or null;
/// `made_with` the link's `ng=` or null; `version_note` what to say when that
/// is another version, see `version::VersionNote`, or null).
#[wasm_bindgen]
pub fn parse_link(text: &str) -> String {
    let parsed = share::parse_link(text);
    let mut value = serde_json::to_value(&parsed).unwrap_or(serde_json::Value::Null);
    if let Some(config) = value.get_mut("config") {
        seed_to_string(config);
    }
    value.to_string()
}

/// This build's version, `0.2.0+f609125` (the release and the short commit).
#[wasm_bindgen]
pub fn version() -> String {
    crate::version::VERSION.to_string()
}

/// A fragment with `&ng=<this version>` appended: what "Copy link" hands
/// out (see `share::with_version`).
#[wasm_bindgen]
pub fn versioned_fragment(fragment: &str) -> String {
    share::with_version(fragment)
}

/// What to say about a link made with NeuroGeom `made_with` (its `ng=`):
/// a `version::VersionNote` as JSON, or `null` for this very version.
#[wasm_bindgen]
pub fn version_note(made_with: &str) -> String {
    serde_json::to_string(&crate::version::note_for(made_with)).unwrap_or_else(|_| "null".into())
}

/// An SVG chart with the run's provenance (version, link, result hash) in a
/// `<metadata>` element, as exports carry it (see `plot::with_metadata`).
#[wasm_bindgen]
pub fn svg_with_metadata(svg: &str, link: &str, hash: &str) -> String {
    crate::plot::with_metadata(svg, link, hash)
}

/// The canonical URL fragment (without '#') of a config given as JSON.
#[wasm_bindgen]
pub fn fragment(config_json: &str) -> Result<String, JsValue> {
    let config = config_from_json(config_json).map_err(js_error)?;
    Ok(share::config_fragment(&labs::check(&config).0))
}

/// Draw a chart (JSON, as in a snapshot's `charts`) on a canvas. Returns
/// where the data landed, as JSON (`plot::frame::PlotBox`: `{left, top,
/// width, height, x: {lo, hi, log, px_lo, px_hi}, y: {…}}` in CSS pixels of
/// the canvas, display-space ranges), or `null` for a canvas too small to
/// draw in.
#[wasm_bindgen]
pub fn draw_chart(canvas: HtmlCanvasElement, chart_json: &str) -> Result<String, JsValue> {
    draw_chart_pinned(canvas, chart_json, "")
}

/// Draw a chart (JSON) on a canvas with the pinned run's chart of the same
/// id (JSON, or "" for none) beside it: for lines, bands, scatters and
/// profiles the pinned series are drawn dashed in the same colours, named
/// "<name> (pinned)". The pinned chart is only drawn, never hashed. Returns
/// where the data landed, as [`draw_chart`] does.
#[wasm_bindgen]
pub fn draw_chart_pinned(
    canvas: HtmlCanvasElement,
    chart_json: &str,
    pinned_json: &str,
) -> Result<String, JsValue> {
    let chart = crate::plot::chart_from_json(chart_json).map_err(js_error)?;
    let pinned = pinned_chart(pinned_json)?;
    let frame =
        crate::plot::canvas::draw_on_canvas(canvas, &chart, pinned.as_ref()).map_err(js_error)?;
    serde_json::to_string(&frame).map_err(|e| js_error(e.to_string()))
}

/// A chart (JSON) as a standalone SVG document, for the page's export.
#[wasm_bindgen]
pub fn chart_svg(chart_json: &str, width: u32, height: u32) -> Result<String, JsValue> {
    chart_svg_pinned(chart_json, "", width, height)
}

/// [`chart_svg`] with the pinned run's chart (JSON, or "" for none) beside it.
#[wasm_bindgen]
pub fn chart_svg_pinned(
    chart_json: &str,
    pinned_json: &str,
    width: u32,
    height: u32,
) -> Result<String, JsValue> {
    let chart = crate::plot::chart_from_json(chart_json).map_err(js_error)?;
    let pinned = pinned_chart(pinned_json)?;
    crate::plot::chart_svg_pinned(&chart, pinned.as_ref(), width, height).map_err(js_error)
}

/// Charts (a JSON array) and their pinned charts (a JSON array of a chart
/// or null per chart, or "" for none), checked to go together.
fn grid_charts(
    charts_json: &str,
    pinned_json: &str,
) -> Result<
    (
        Vec<crate::snapshot::Chart>,
        Vec<Option<crate::snapshot::Chart>>,
    ),
    JsValue,
> {
    let charts: Vec<crate::snapshot::Chart> =
        serde_json::from_str(charts_json).map_err(|e| js_error(format!("charts: {e}")))?;
    let pinned: Vec<Option<crate::snapshot::Chart>> = match pinned_json.trim() {
        "" | "null" => vec![None; charts.len()],
        text => serde_json::from_str(text).map_err(|e| js_error(format!("pinned charts: {e}")))?,
    };
    if pinned.len() != charts.len() {
        return Err(js_error(format!(
            "{} pinned entries for {} charts",
            pinned.len(),
            charts.len()
        )));
    }
    Ok((charts, pinned))
}

/// The pixel size `[width, height]` of a grid of `n` charts in `columns`
/// columns of the CLI's cell size ([`crate::plot::CELL_WIDTH`] ×
/// [`crate::plot::CELL_HEIGHT`] CSS pixels), at `scale` pixels per CSS pixel.
#[wasm_bindgen]
pub fn charts_grid_size(n: u32, columns: u32, scale: f64) -> Vec<u32> {
    let (w, h) = crate::plot::grid_size(
        n as usize,
        columns as usize,
        crate::plot::CELL_WIDTH,
        crate::plot::CELL_HEIGHT,
        scale,
    );
    vec![w, h]
}

/// All charts (JSON array) in one canvas, a grid of `columns` columns, with
/// each one's pinned chart (JSON array of a chart or null each, or ""):
/// the combined PNG export. Size the canvas with [`charts_grid_size`].
#[wasm_bindgen]
pub fn draw_charts_grid(
    canvas: HtmlCanvasElement,
    charts_json: &str,
    pinned_json: &str,
    columns: u32,
    scale: f64,
) -> Result<(), JsValue> {
    let (charts, pinned) = grid_charts(charts_json, pinned_json)?;
    crate::plot::canvas::draw_grid_on_canvas(canvas, &charts, &pinned, columns as usize, scale)
        .map_err(js_error)
}

/// All charts in one SVG document, as [`draw_charts_grid`] draws them on a
/// canvas (the same layout as `neurogeom plot --out charts.svg`).
#[wasm_bindgen]
pub fn charts_svg(charts_json: &str, pinned_json: &str, columns: u32) -> Result<String, JsValue> {
    let (charts, pinned) = grid_charts(charts_json, pinned_json)?;
    crate::plot::charts_svg_pinned(
        &charts,
        &pinned,
        columns as usize,
        crate::plot::CELL_WIDTH,
        crate::plot::CELL_HEIGHT,
    )
    .map_err(js_error)
}

/// A pinned chart from JSON; "" (or "null") means none.
fn pinned_chart(json: &str) -> Result<Option<crate::snapshot::Chart>, JsValue> {
    match json.trim() {
        "" | "null" => Ok(None),
        text => crate::plot::chart_from_json(text)
            .map(Some)
            .map_err(|e| js_error(format!("pinned chart: {e}"))),
    }
}

/// Read a sweep's text form (`alpha:log:0.01:1000:11`, `init_std:lin:0.5:3:6`,
/// `alpha:0.1,1,10`, `alpha:list:0.1,1,10`, two axes separated by `;`):
/// JSON `{axes: [{key, values, log}], seeds: 1}`, or an `Error` saying what
/// is wrong with the text.
#[wasm_bindgen]
pub fn sweep_parse(text: &str) -> Result<String, JsValue> {
    sweep_spec(text, 1)
}

/// [`sweep_parse`] with `seeds` seeds per point: JSON `{axes, seeds}`. An
/// `Error` if the text is wrong or the grid has more than
/// `sweep::MAX_RUNS` (400) runs.
#[wasm_bindgen]
pub fn sweep_spec(text: &str, seeds: u32) -> Result<String, JsValue> {
    let spec = SweepSpec::parse(text)
        .and_then(|s| s.with_seeds(seeds))
        .map_err(js_error)?;
    serde_json::to_string(&spec).map_err(|e| js_error(e.to_string()))
}

/// The sweep's text form (`alpha:log:0.01:1000:9;width:list:32,64`) of a
/// spec given as JSON; seeds are not part of it (they are `&seeds=N`).
#[wasm_bindgen]
pub fn sweep_text(spec_json: &str) -> Result<String, JsValue> {
    Ok(sweep_from_json(spec_json).map_err(js_error)?.to_text())
}

/// Every run of a sweep, in run order: a JSON array of
/// `{index, coords: [x] or [x, y], seed_index, seed: "<u64>", config}`
/// (the config's seed is a string too). Run `index` sits at `coords` on the
/// grid with seed `seed` = base seed + `seed_index`; the first axis is
/// outermost, the seeds innermost. An `Error` if a key is not a numeric
/// parameter of the lab or a value is outside its range.
#[wasm_bindgen]
pub fn sweep_runs(base_config_json: &str, spec_json: &str) -> Result<String, JsValue> {
    let base = labs::check(&config_from_json(base_config_json).map_err(js_error)?).0;
    let spec = sweep_from_json(spec_json).map_err(js_error)?;
    let runs = spec.runs(&base).map_err(js_error)?;
    let mut value = serde_json::to_value(&runs).map_err(|e| js_error(e.to_string()))?;
    if let Some(list) = value.as_array_mut() {
        for (run, r) in list.iter_mut().zip(&runs) {
            if let Some(config) = run.get_mut("config") {
                seed_to_string(config);
            }
            run["seed"] = serde_json::Value::String(r.config.seed.to_string());
        }
    }
    Ok(value.to_string())
}

/// One configuration per run of a sweep, in run order: a JSON array of
/// configs (seeds as strings). [`sweep_runs`] gives the same with each
/// run's coordinates.
#[wasm_bindgen]
pub fn sweep_configs(base_config_json: &str, spec_json: &str) -> Result<String, JsValue> {
    let base = config_from_json(base_config_json).map_err(js_error)?;
    let spec = sweep_from_json(spec_json).map_err(js_error)?;
    let configs = spec.configs(&base).map_err(js_error)?;
    let mut value = serde_json::to_value(&configs).map_err(|e| js_error(e.to_string()))?;
    if let Some(list) = value.as_array_mut() {
        list.iter_mut().for_each(seed_to_string);
    }
    Ok(value.to_string())
}

/// The sweep so far as a snapshot (JSON), from the points the workers sent:
/// a JSON array of [`WasmLab::sweep_point_at`] results, in any order, maybe
/// fewer than the sweep's runs. Charts: one axis, one seed: lines
/// (`sweep-headline`, `sweep-<chart id>`); one axis, several seeds: the same
/// ids as bands (mean, lowest to highest seed); two axes: one heatmap per
/// headline metric, `sweep-heatmap-<metric key>`. The hash is final when
/// `done` is true, and does not depend on the points' order. An `Error` if a
/// point is not on the grid or two points claim the same run.
#[wasm_bindgen]
pub fn sweep_snapshot(
    spec_json: &str,
    base_config_json: &str,
    points_json: &str,
) -> Result<String, JsValue> {
    let spec = sweep_from_json(spec_json).map_err(js_error)?;
    let base = config_from_json(base_config_json).map_err(js_error)?;
    let points: Vec<SweepPoint> = serde_json::from_str(points_json)
        .map_err(|e| js_error(format!("the sweep's points are not usable: {e}")))?;
    let snapshot = sweep::snapshot(&spec, &labs::check(&base).0, &points).map_err(js_error)?;
    snapshot
        .to_json()
        .map_err(|e| js_error(format!("could not serialise the sweep snapshot: {e}")))
}

/// The canonical fragment (without '#') of a config, with a sweep unless
/// `spec_json` is empty (`...&sweep=alpha:log:0.01:1000:9;width:list:32,64`
/// and `&seeds=N` when N > 1), and a pinned run's fragment unless `pin` is
/// absent or empty (`&pin=<fragment, percent-encoded>`).
#[wasm_bindgen]
pub fn link_fragment(
    config_json: &str,
    spec_json: &str,
    pin: Option<String>,
) -> Result<String, JsValue> {
    let config = labs::check(&config_from_json(config_json).map_err(js_error)?).0;
    let spec = if spec_json.trim().is_empty() {
        None
    } else {
        Some(sweep_from_json(spec_json).map_err(js_error)?)
    };
    let pin = pin
        .as_deref()
        .map(|p| p.trim().trim_start_matches('#'))
        .filter(|p| !p.is_empty());
    Ok(share::link_fragment(&config, spec.as_ref(), pin))
}

/// A sweep given as JSON (`{axes, seeds}`, or the one-axis `{key, values,
/// log}`), checked as the text form is.
fn sweep_from_json(text: &str) -> Result<SweepSpec, String> {
    serde_json::from_str(text).map_err(|e| format!("the sweep is not usable: {e}"))
}

/// Parse a config, accepting the seed as a string or a number.
fn config_from_json(text: &str) -> Result<LabConfig, String> {
    let mut value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| format!("the configuration is not valid JSON: {e}"))?;
    if let Some(seed) = value.get_mut("seed") {
        if let Some(s) = seed.as_str() {
            let n: u64 = s.trim().parse().map_err(|_| {
                format!(
                    "seed '{}' is not a whole number from 0 to {}",
                    crate::params::shorten(s),
                    u64::MAX
                )
            })?;
            *seed = serde_json::Value::from(n);
        }
    }
    serde_json::from_value(value).map_err(|e| format!("the configuration is not usable: {e}"))
}

fn seed_to_string(config: &mut serde_json::Value) {
    if let Some(seed) = config.get_mut("seed") {
        if let Some(n) = seed.as_u64() {
            *seed = serde_json::Value::String(n.to_string());
        }
    }
}

/// The part configs of a split run (see [`labs::parts`]) as a JSON array
/// (seeds as strings); `[]` when the config does not split.
#[wasm_bindgen]
pub fn split_parts(config_json: &str) -> Result<String, JsValue> {
    let config = config_from_json(config_json).map_err(js_error)?;
    let parts: Vec<serde_json::Value> = labs::parts(&config)
        .iter()
        .map(|c| {
            let mut v = serde_json::to_value(c).unwrap_or(serde_json::Value::Null);
            seed_to_string(&mut v);
            v
        })
        .collect();
    serde_json::to_string(&parts).map_err(|e| js_error(e.to_string()))
}

/// The snapshot JSON of a split run from its parts' states, packed as
/// `[n, len_1, …, len_n, state_1…, state_n]` (see the module doc).
#[wasm_bindgen]
pub fn combine_parts(config_json: &str, packed: &[f64]) -> Result<String, JsValue> {
    let config = config_from_json(config_json).map_err(js_error)?;
    let bad = || js_error("the packed part states are malformed");
    let n = *packed.first().ok_or_else(bad)?;
    if !(n >= 0.0 && n.fract() == 0.0 && n < packed.len() as f64) {
        return Err(bad());
    }
    let n = n as usize;
    let mut at = 1 + n;
    let mut states = Vec::with_capacity(n);
    for i in 0..n {
        let len = packed[1 + i];
        if !(len >= 0.0 && len.fract() == 0.0 && at as f64 + len <= packed.len() as f64) {
            return Err(bad());
        }
        let len = len as usize;
        states.push(packed[at..at + len].to_vec());
        at += len;
    }
    let snapshot = run::combine(&config, &states).map_err(js_error)?;
    snapshot.to_json().map_err(|e| js_error(e.to_string()))
}

/// A running lab, owned by the page's worker.
#[wasm_bindgen]
pub struct WasmLab {
    lab: Box<dyn Lab>,
    config: LabConfig,
    warnings: Vec<String>,
}

#[wasm_bindgen]
impl WasmLab {
    /// Build a lab from a config (JSON). The config is checked: unknown or
    /// out-of-range values become defaults, with warnings.
    #[wasm_bindgen(constructor)]
    pub fn new(config_json: &str) -> Result<WasmLab, JsValue> {
        let config = config_from_json(config_json).map_err(js_error)?;
        if let Some(message) = labs::missing_dataset(&config) {
            return Err(js_error(message));
        }
        let (checked, _) = labs::check(&config);
        let (lab, warnings) = labs::build(&config);
        Ok(WasmLab {
            lab,
            config: checked,
            warnings,
        })
    }

    /// The warnings from checking the config, as a JSON array of strings.
    pub fn warnings_json(&self) -> String {
        serde_json::to_string(&self.warnings).unwrap_or_else(|_| "[]".into())
    }

    /// The checked config as JSON (seed as a string).
    pub fn config_json(&self) -> String {
        let mut value = serde_json::to_value(&self.config).unwrap_or(serde_json::Value::Null);
        seed_to_string(&mut value);
        value.to_string()
    }

    /// The canonical fragment of the checked config.
    pub fn fragment(&self) -> String {
        share::config_fragment(&self.config)
    }

    /// Advance up to `n` steps. Divergence gives an `Error` with the message
    /// (and the snapshot's `stopped` says the same).
    pub fn step(&mut self, n: u32) -> Result<(), JsValue> {
        self.lab.step(n as u64).map_err(|e| js_error(e.to_string()))
    }

    /// The current snapshot as JSON (NaN and ±inf appear as `null`).
    pub fn snapshot_json(&self) -> String {
        run::snapshot(self.lab.as_ref())
            .to_json()
            .unwrap_or_else(|e| {
                serde_json::json!({ "error": format!("could not serialise the snapshot: {e}") })
                    .to_string()
            })
    }

    pub fn steps_done(&self) -> f64 {
        self.lab.steps_done() as f64
    }

    /// The state this lab hands over as a part of a split run
    /// ([`Lab::part_state`]; empty for labs that do not split).
    pub fn part_state(&self) -> Vec<f64> {
        self.lab.part_state()
    }

    pub fn total_steps(&self) -> f64 {
        self.lab.total_steps() as f64
    }

    /// The lab's cost model ([`labs::Work`]): `[work done, work of the
    /// whole run]`, for the page's estimate of how long a run will take.
    pub fn work(&self) -> Vec<f64> {
        let w = self.lab.work();
        vec![w.done, w.total]
    }

    pub fn is_done(&self) -> bool {
        self.lab.is_done()
    }

    /// The lab's current snapshot reduced to a sweep point, as JSON: what
    /// a sweep worker sends back when run `{coords, seed_index}` of
    /// [`sweep_runs`] ends. `coords_json` is the run's `coords` array as
    /// JSON (`[0.1]` or `[0.1, 32]`). The point is
    /// `{coords, seed_index, hash, stopped, metrics, finals}`; NaN is `null`,
    /// and every number reads back bit for bit.
    pub fn sweep_point_at(&self, coords_json: &str, seed_index: u32) -> Result<String, JsValue> {
        let coords: Vec<f64> = serde_json::from_str(coords_json).map_err(|e| {
            js_error(format!(
                "the run's coordinates are not a list of numbers: {e}"
            ))
        })?;
        let point = sweep::point(&coords, seed_index, &run::snapshot(self.lab.as_ref()));
        serde_json::to_string(&point)
            .map_err(|e| js_error(format!("could not serialise the sweep point: {e}")))
    }

    /// [`WasmLab::sweep_point_at`] for a one-axis, one-seed sweep: the point
    /// at `value` (kept for the earlier page).
    pub fn sweep_point_json(&self, value: f64) -> String {
        let point = sweep::point(&[value], 0, &run::snapshot(self.lab.as_ref()));
        serde_json::to_string(&point).unwrap_or_else(|e| {
            serde_json::json!({ "error": format!("could not serialise the sweep point: {e}") })
                .to_string()
        })
    }
}

/// The training benchmark (`nn::bench`, docs/benchmarks.md): build the MLP of
/// hidden width `width` and run `steps` SGD steps on a batch of `batch`;
/// returns the last loss (NaN for 0 steps). JS times the call, and subtracts
/// a 0-step call for the set-up. `backend` is "mlp" (the library's MLP) or
/// "nalgebra" or "gemm" (the same step with those products, for comparison).
#[wasm_bindgen]
pub fn bench_train_steps(
    width: usize,
    batch: usize,
    steps: usize,
    seed: u32,
    backend: &str,
) -> Result<f64, JsValue> {
    let backend = crate::nn::bench::Backend::from_key(backend).ok_or_else(|| {
        js_error(format!(
            "unknown benchmark backend {backend:?}: use \"mlp\", \"nalgebra\" or \"gemm\""
        ))
    })?;
    if width == 0 || batch == 0 || width > 4096 || batch > 4096 {
        return Err(js_error("width and batch must be 1..=4096"));
    }
    Ok(crate::nn::bench::train_steps(
        width,
        batch,
        steps,
        seed as u64,
        backend,
    ))
}

/// The credit-assignment benchmark (`nn::credit::bench`, docs/benchmarks.md):
/// build the tanh MLP 30 → width → width → 10 and run `steps` steps of
/// `rule` ("bp", "fa", "dfa", "np", "wp") on a batch of `batch`; returns the
/// last loss. JS times the call and subtracts a 0-step call.
#[wasm_bindgen]
pub fn bench_credit_steps(
    rule: &str,
    width: usize,
    batch: usize,
    steps: usize,
    seed: u32,
) -> Result<f64, JsValue> {
    let rule = crate::nn::credit::Rule::from_key(rule).ok_or_else(|| {
        js_error(format!(
            "unknown rule {rule:?}: use \"bp\", \"fa\", \"dfa\", \"np\" or \"wp\""
        ))
    })?;
    if width == 0 || batch == 0 || width > 4096 || batch > 4096 {
        return Err(js_error("width and batch must be 1..=4096"));
    }
    Ok(crate::nn::credit::bench::train_steps(
        rule,
        width,
        batch,
        steps,
        seed as u64,
    ))
}

/// The capacity benchmark (docs/benchmarks.md, "Manifold capacity"): one
/// data set of `data::manifolds::benchmark_set`, built once, then MFTMA
/// runs timed by the caller (`bench/wasm_capacity_bench.mjs`).
#[wasm_bindgen]
pub struct CapacityBench {
    data: Vec<nalgebra::DMatrix<f64>>,
}

#[wasm_bindgen]
impl CapacityBench {
    /// `kind` is "points" or "spheres"; P manifolds of M points in N dims.
    #[wasm_bindgen(constructor)]
    pub fn new(kind: &str, p: usize, m: usize, n: usize) -> Result<CapacityBench, JsValue> {
        if p < 2 || m < 2 || n < 1 || p * m * n > 50_000_000 {
            return Err(js_error("P ≥ 2, M ≥ 2, N ≥ 1 and P·M·N ≤ 5e7"));
        }
        let data = crate::data::manifolds::benchmark_set(kind, p, m, n).ok_or_else(|| {
            js_error(format!(
                "unknown capacity benchmark kind {kind:?}: use \"points\" or \"spheres\""
            ))
        })?;
        Ok(CapacityBench { data })
    }

    /// Run MFTMA (κ = 0, data dimensionality off, as the native benchmark)
    /// and return JSON `{capacity, radius, dimension, k, bits}` with the
    /// capacity's bits in hex, to compare with the native run.
    pub fn run(&self, n_t: usize, seed: u32) -> Result<String, JsValue> {
        let mut opts = crate::metrics::capacity::MftmaOptions::with_seed(seed as u64);
        opts.n_t = n_t;
        opts.data_dimensionality = false;
        let r = crate::metrics::capacity::mftma(&self.data, &opts)
            .map_err(|e| js_error(e.to_string()))?;
        Ok(serde_json::json!({
            "capacity": r.capacity,
            "radius": r.radius,
            "dimension": r.dimension,
            "k": r.k,
            "bits": format!("{:016x}", r.capacity.to_bits()),
        })
        .to_string())
    }
}

/// The GLUE benchmark (docs/benchmarks.md, "GLUE beside MFTMA"): one data
/// set of `data::manifolds::benchmark_set`, then a GLUE job that the caller
/// (`bench/wasm_glue_bench.mjs`) steps and times, one `advance` call at a
/// time as the Your-data worker does, or in one call.
#[wasm_bindgen]
pub struct GlueBench {
    data: Vec<nalgebra::DMatrix<f64>>,
    job: Option<crate::metrics::capacity::glue::GlueJob>,
}

#[wasm_bindgen]
impl GlueBench {
    /// `kind` is "points" or "spheres"; P manifolds of M points in N dims.
    #[wasm_bindgen(constructor)]
    pub fn new(kind: &str, p: usize, m: usize, n: usize) -> Result<GlueBench, JsValue> {
        let data = CapacityBench::new(kind, p, m, n)?.data;
        Ok(GlueBench { data, job: None })
    }

    /// Start a job (the native example's options: seed, at most
    /// `max_points` points per manifold, default labels and centring).
    pub fn start(&mut self, n_t: usize, seed: u32, max_points: usize) -> Result<(), JsValue> {
        use crate::metrics::capacity::glue::{GlueJob, GlueOptions};
        let opts = GlueOptions {
            n_t,
            max_points,
            seed: seed as u64,
            ..Default::default()
        };
        let job = GlueJob::new(&self.data, &opts).map_err(|e| js_error(e.to_string()))?;
        self.job = Some(job);
        Ok(())
    }

    /// Up to `units` units of the job; true once it is done.
    pub fn advance(&mut self, units: u32) -> Result<bool, JsValue> {
        let job = self
            .job
            .as_mut()
            .ok_or_else(|| js_error("no job: call start"))?;
        Ok(job.advance(units.max(1) as usize))
    }

    /// The job's stage (`Gram`, `Samples`, `Centres`, `Statistics`, `Done`).
    pub fn stage(&self) -> String {
        self.job
            .as_ref()
            .map_or_else(|| "none".into(), |j| format!("{:?}", j.stage()))
    }

    /// JSON `{capacity, radius, dimension, utility, units, bits}` once done,
    /// with the capacity's bits in hex (to compare with the native run).
    pub fn result_json(&self) -> Result<String, JsValue> {
        let job = self
            .job
            .as_ref()
            .ok_or_else(|| js_error("no job: call start"))?;
        let r = job
            .result()
            .ok_or_else(|| js_error("the job has not finished"))?;
        Ok(serde_json::json!({
            "capacity": r.capacity,
            "radius": r.radius,
            "dimension": r.dimension,
            "utility": r.utility,
            "units": job.progress().1,
            "bits": format!("{:016x}", r.capacity.to_bits()),
        })
        .to_string())
    }
}

/// The feedback lab's spectrum benchmark (docs/benchmarks.md): the
/// eigenvalues of `metrics::stability::bench_matrix(n, seed)` by `solver`
/// "ours" (Hessenberg + Francis QR) or "nalgebra" (Schur). Returns the
/// spectrum's checksum; `n = 0` is rejected. JS times the call.
#[wasm_bindgen]
pub fn bench_spectrum(n: usize, seed: u32, solver: &str) -> Result<f64, JsValue> {
    if n == 0 || n > 4000 {
        return Err(js_error("n must be 1..=4000"));
    }
    let a = crate::metrics::stability::bench_matrix(n, seed as u64);
    let eigs = match solver {
        "ours" => crate::metrics::eigen::eigenvalues(&a, n),
        "nalgebra" => Some(
            nalgebra::DMatrix::from_row_slice(n, n, &a)
                .complex_eigenvalues()
                .iter()
                .map(|c| (c.re, c.im))
                .collect(),
        ),
        "setup" => return Ok(a[0]),
        _ => {
            return Err(js_error(
                "solver must be \"ours\", \"nalgebra\" or \"setup\"",
            ))
        }
    };
    Ok(crate::metrics::stability::spectrum_checksum(&eigs))
}

/// The symmetric eigensolver's benchmark (docs/benchmarks.md, `cargo xtask
/// bench symeig`): "checksum\tbits" of `solver`'s decomposition of
/// `metrics::eigen::symmetric::bench::bench_matrix(n, seed)` (the text the
/// native runner prints), or, for solver "setup", "" after only drawing
/// the matrix (JS subtracts its time). JS times the call.
#[wasm_bindgen]
pub fn bench_symeig(n: usize, seed: u32, solver: &str) -> Result<String, JsValue> {
    use crate::metrics::eigen::symmetric::bench;
    if n == 0 || n > 4000 {
        return Err(js_error("n must be 1..=4000"));
    }
    let a = bench::bench_matrix(n, seed as u64);
    if solver == "setup" {
        return Ok(String::new());
    }
    bench::run(&a, solver).ok_or_else(|| {
        js_error(format!(
            "solver must be \"setup\" or one of {:?}",
            bench::SOLVERS
        ))
    })
}

/// The feedback lab's simulation benchmark: `steps` Euler steps (dt 0.1) of
/// the benchmark network of size n; returns the final z.
#[wasm_bindgen]
pub fn bench_feedback_sim(n: usize, steps: usize, seed: u32) -> Result<f64, JsValue> {
    if n == 0 || n > 4000 {
        return Err(js_error("n must be 1..=4000"));
    }
    let (net, mut x) = crate::metrics::stability::bench_network(n, seed as u64);
    net.simulate(
        &mut x,
        0.1,
        steps,
        crate::nn::rate_rnn::Integrator::Euler,
        None,
    );
    Ok(net.output(&x))
}

/// "Your data" (`www/yourdata*.js`): a user's file analysed in the page's
/// worker, in chunks. `new WasmAnalysis(data, name, labels, labelsName,
/// optionsJson)` reads the file (labels may be empty: none); options are
/// `{array, label_column, time_window: [a, b] | null, drop_nonfinite,
/// settings: analyze::Settings (seed as a string or a number)}`. A file
/// the core refuses throws an Error whose message is JSON `{message,
/// choose: [array names] | null, nonfinite: bool}`, so that the page can
/// offer a choice of array, or to drop NaN rows. Then `advance(units)`
/// until true, `progress_json()` between calls, and `report_json()`: the
/// same JSON as `neurogeom analyze --json`, with the same hash.
#[wasm_bindgen]
pub struct WasmAnalysis {
    job: crate::analyze::Job,
    settings: crate::analyze::Settings,
    classes: Vec<String>,
    layout: String,
    notes: Vec<String>,
    name: String,
    sha256: String,
    /// The separate labels file's SHA-256 (hex), empty when there is none.
    labels_sha256: String,
    size: usize,
}

fn load_error(message: String, choose: Option<Vec<String>>, nonfinite: bool) -> JsValue {
    js_error(
        serde_json::json!({"message": message, "choose": choose, "nonfinite": nonfinite})
            .to_string(),
    )
}

#[wasm_bindgen]
impl WasmAnalysis {
    #[wasm_bindgen(constructor)]
    pub fn new(
        data: &[u8],
        name: &str,
        labels: &[u8],
        labels_name: &str,
        options_json: &str,
    ) -> Result<WasmAnalysis, JsValue> {
        use crate::data::files::{self, FileError, Input, LoadOptions};
        let mut v: serde_json::Value = serde_json::from_str(options_json)
            .map_err(|e| load_error(format!("analysis options: {e}"), None, false))?;
        let str_of = |k: &str| v.get(k).and_then(|x| x.as_str()).map(String::from);
        let time_window = match v.get("time_window").and_then(|x| x.as_array()) {
            Some(a) if a.len() == 2 => {
                let (s, e) = (a[0].as_u64(), a[1].as_u64());
                match (s, e) {
                    (Some(s), Some(e)) if s < e => Some((s as usize, e as usize)),
                    _ => {
                        return Err(load_error(
                            "time window: expected whole numbers A < B".into(),
                            None,
                            false,
                        ))
                    }
                }
            }
            _ => None,
        };
        let options = LoadOptions {
            array: str_of("array").filter(|s| !s.is_empty()),
            label_column: str_of("label_column").filter(|s| !s.is_empty()),
            time_window,
            drop_nonfinite: v
                .get("drop_nonfinite")
                .and_then(|x| x.as_bool())
                .unwrap_or(false),
            limit: None,
        };
        let mut settings_v = v
            .get_mut("settings")
            .map(|s| s.take())
            .unwrap_or(serde_json::json!({}));
        if let Some(seed) = settings_v
            .get("seed")
            .and_then(|s| s.as_str())
            .map(String::from)
        {
            let n: u64 = seed.parse().map_err(|_| {
                load_error(format!("seed '{seed}' is not a whole number"), None, false)
            })?;
            settings_v["seed"] = serde_json::json!(n);
        }
        let settings: crate::analyze::Settings = serde_json::from_value(settings_v)
            .map_err(|e| load_error(format!("analysis settings: {e}"), None, false))?;
        let labels_input = if labels.is_empty() {
            None
        } else {
            Some(Input {
                name: labels_name,
                bytes: labels,
            })
        };
        let rec =
            files::load(Input { name, bytes: data }, labels_input, &options).map_err(|e| {
                let (choose, nonfinite) = match &e {
                    FileError::ChooseArray { options, .. } => (Some(options.clone()), false),
                    FileError::NonFinite { .. } => (None, true),
                    _ => (None, false),
                };
                load_error(e.to_string(), choose, nonfinite)
            })?;
        let classes = rec.class_names.clone();
        let layout = rec.layout.clone();
        let mut notes = rec.notes.clone();
        let job =
            crate::analyze::Job::new(rec, &settings).map_err(|e| load_error(e, None, false))?;
        notes.extend(job.notes().iter().cloned());
        Ok(WasmAnalysis {
            job,
            settings,
            classes,
            layout,
            notes,
            name: name.to_string(),
            sha256: crate::analyze::sha256_hex(data),
            labels_sha256: if labels.is_empty() {
                String::new()
            } else {
                crate::analyze::sha256_hex(labels)
            },
            size: data.len(),
        })
    }

    /// Do up to `units` units of work; true once done.
    pub fn advance(&mut self, units: u32) -> Result<bool, JsValue> {
        self.job.advance(units.max(1) as usize).map_err(js_error)
    }

    /// `{done, total, stage}`.
    pub fn progress_json(&self) -> String {
        serde_json::to_string(&self.job.progress()).unwrap_or_else(|_| "{}".into())
    }

    /// The file's SHA-256 (hex).
    pub fn sha256(&self) -> String {
        self.sha256.clone()
    }

    /// The separate labels file's SHA-256 (hex), or "" when the labels are
    /// in the data file: the page's link records it as `labels_sha256`.
    pub fn labels_sha256(&self) -> String {
        self.labels_sha256.clone()
    }

    /// The report (as `neurogeom analyze --json`), once done.
    pub fn report_json(&self) -> Result<String, JsValue> {
        let s = self
            .job
            .snapshot()
            .ok_or_else(|| js_error("the analysis has not finished"))?;
        Ok(crate::analyze::json_report(
            &s,
            self.job.layers(),
            &self.classes,
            &self.settings,
            &self.layout,
            &self.notes,
            &self.name,
            &self.sha256,
            self.size,
        )
        .to_string())
    }
}

/// Points uploaded for a hand-drawn distribution (the modularity lab's
/// `points` key): an `.npy` of N × 2 (or N × 3) numbers or CSV/TSV text,
/// read by the Your-data readers (`data::sources::points_from_file`).
/// Returns the points as link text (`x,y;x,y;…`, 4 decimals), or an
/// `Error` saying what is wrong with the file.
#[wasm_bindgen]
pub fn points_from_file(name: &str, bytes: &[u8]) -> Result<String, JsValue> {
    crate::data::sources::points_from_file(name, bytes)
        .map(|x| crate::data::sources::format_points(&x))
        .map_err(js_error)
}

/// The built-in example file (`analyze::example_npz`), its bytes.
#[wasm_bindgen]
pub fn example_file() -> Vec<u8> {
    crate::analyze::example_npz()
}

/// The built-in example file's name.
#[wasm_bindgen]
pub fn example_file_name() -> String {
    crate::analyze::EXAMPLE_NAME.to_string()
}

/// The data sets (by name) that a config needs and the core does not have
/// yet, as a JSON array: `["haxby2001"]` for the capacity lab's
/// `task=haxby` and `["digits"]` for its `task=digits` until the page has
/// provided them, else `[]`. The page fetches
/// each (`www/datasets.js`) and passes it to [`provide_dataset`] before it
/// builds the lab.
#[wasm_bindgen]
pub fn datasets_needed(config_json: &str) -> Result<String, JsValue> {
    let config = config_from_json(config_json).map_err(js_error)?;
    let missing: Vec<&str> = labs::datasets_needed(&config)
        .into_iter()
        .filter(|&name| match name {
            crate::data::haxby::DATASET => !crate::data::haxby::available(),
            crate::data::digits::DATASET => !crate::data::digits::available(),
            _ => true,
        })
        .collect();
    serde_json::to_string(&missing).map_err(|e| js_error(e.to_string()))
}

/// Give the core a data set's bytes, fetched by the page from its own
/// origin: `"haxby2001"` is `data/haxby2001.npz`, `"digits"` is
/// `data/digits.csv.gz`. Refused unless the bytes have the recorded SHA-256.
#[wasm_bindgen]
pub fn provide_dataset(name: &str, bytes: Vec<u8>) -> Result<(), JsValue> {
    match name {
        crate::data::haxby::DATASET => crate::data::haxby::provide(bytes).map_err(js_error),
        crate::data::digits::DATASET => crate::data::digits::provide(bytes).map_err(js_error),
        other => Err(js_error(format!("unknown data set {other:?}"))),
    }
}

/// The Haxby example's file name.
#[wasm_bindgen]
pub fn haxby_file_name() -> String {
    crate::data::haxby::FILE_NAME.to_string()
}

/// SHA-256 (hex) of a file's bytes, to compare with a link's `sha256`.
#[wasm_bindgen]
pub fn file_sha256(bytes: &[u8]) -> String {
    crate::analyze::sha256_hex(bytes)
}
