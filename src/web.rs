//! The wasm-bindgen boundary, kept thin: JSON text in, core calls, JSON text
//! out. The page's worker drives a [`WasmLab`]; the main thread calls
//! [`draw_chart`]. In a sweep, each pool worker runs one [`WasmLab`] per value
//! to its end and sends back [`WasmLab::sweep_point_json`]; the main thread
//! assembles the points with [`sweep_snapshot`]. Bad input gives a JS `Error`
//! with a clear message, never a panic.
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

/// Read a link or fragment: JSON `{config, warnings}` (seed as a string).
#[wasm_bindgen]
pub fn parse_link(text: &str) -> String {
    let parsed = share::parse_link(text);
    let mut value = serde_json::to_value(&parsed).unwrap_or(serde_json::Value::Null);
    if let Some(config) = value.get_mut("config") {
        seed_to_string(config);
    }
    value.to_string()
}

/// The canonical URL fragment (without '#') of a config given as JSON.
#[wasm_bindgen]
pub fn fragment(config_json: &str) -> Result<String, JsValue> {
    let config = config_from_json(config_json).map_err(js_error)?;
    Ok(share::config_fragment(&labs::check(&config).0))
}

/// Draw a chart (JSON, as in a snapshot's `charts`) on a canvas.
#[wasm_bindgen]
pub fn draw_chart(canvas: HtmlCanvasElement, chart_json: &str) -> Result<(), JsValue> {
    let chart = crate::plot::chart_from_json(chart_json).map_err(js_error)?;
    crate::plot::canvas::draw_on_canvas(canvas, &chart).map_err(js_error)
}

/// A chart (JSON) as a standalone SVG document, for the page's export.
#[wasm_bindgen]
pub fn chart_svg(chart_json: &str, width: u32, height: u32) -> Result<String, JsValue> {
    let chart = crate::plot::chart_from_json(chart_json).map_err(js_error)?;
    crate::plot::chart_svg(&chart, width, height).map_err(js_error)
}

/// Read a sweep's text form (`alpha:log:0.01:1000:11`, `init_std:lin:0.5:3:6`,
/// `alpha:0.1,1,10`): JSON `{key, values, log}`, or an `Error` saying what is
/// wrong with the text.
#[wasm_bindgen]
pub fn sweep_parse(text: &str) -> Result<String, JsValue> {
    let spec = SweepSpec::parse(text).map_err(js_error)?;
    serde_json::to_string(&spec).map_err(|e| js_error(e.to_string()))
}

/// One configuration per value of a sweep: a JSON array of configs (seeds as
/// strings), in the sweep's order. An `Error` if the key is not a numeric
/// parameter of the lab or a value is outside its range.
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

/// The sweep so far as a snapshot (JSON), from the points the workers sent
/// (a JSON array of [`WasmLab::sweep_point_json`] results, in any order,
/// maybe fewer than the sweep's values).
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
    serde_json::to_string(&sweep::snapshot(&spec, &labs::check(&base).0, &points))
        .map_err(|e| js_error(format!("could not serialise the sweep snapshot: {e}")))
}

/// The canonical fragment (without '#') of a config and, unless `spec_json`
/// is empty, a sweep (`...&sweep=alpha:0.01,0.1,...`).
#[wasm_bindgen]
pub fn link_fragment(config_json: &str, spec_json: &str) -> Result<String, JsValue> {
    let config = labs::check(&config_from_json(config_json).map_err(js_error)?).0;
    if spec_json.trim().is_empty() {
        return Ok(share::link_fragment(&config, None));
    }
    let spec = sweep_from_json(spec_json).map_err(js_error)?;
    Ok(share::link_fragment(&config, Some(&spec)))
}

/// A sweep given as JSON `{key, values, log}`, checked as the text form is.
fn sweep_from_json(text: &str) -> Result<SweepSpec, String> {
    let spec: SweepSpec =
        serde_json::from_str(text).map_err(|e| format!("the sweep is not usable: {e}"))?;
    if spec.values.is_empty() || spec.values.len() > sweep::MAX_VALUES {
        return Err(format!("sweep: give 1 to {} values", sweep::MAX_VALUES));
    }
    if spec.values.iter().any(|v| !v.is_finite()) {
        return Err("sweep: every value must be a finite number".into());
    }
    Ok(spec)
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
        serde_json::to_string(&run::snapshot(self.lab.as_ref())).unwrap_or_else(|e| {
            serde_json::json!({ "error": format!("could not serialise the snapshot: {e}") })
                .to_string()
        })
    }

    pub fn steps_done(&self) -> f64 {
        self.lab.steps_done() as f64
    }

    pub fn total_steps(&self) -> f64 {
        self.lab.total_steps() as f64
    }

    pub fn is_done(&self) -> bool {
        self.lab.is_done()
    }

    /// The lab's current snapshot reduced to a sweep point for `value` (the
    /// swept parameter's value), as JSON: what a sweep worker sends back
    /// when its run ends.
    pub fn sweep_point_json(&self, value: f64) -> String {
        let point = sweep::point(value, &run::snapshot(self.lab.as_ref()));
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
