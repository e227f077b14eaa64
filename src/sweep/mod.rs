//! Sweeps: a grid of ordinary runs over one or two numeric parameters of a
//! lab, each point repeated over seeds, everything else fixed. The page runs
//! the grid in a pool of Web Workers, the CLI on every core or in shards on
//! a cluster; all of them give the same points and the same sweep hash.
//!
//! Text form (in links as `&sweep=...`, axes separated by `;`):
//! - `alpha:0.01,0.1,1,10` or `alpha:list:0.01,0.1,1,10`: the values listed;
//! - `alpha:log:0.01:1000:11`: 11 log-spaced values from 0.01 to 1000;
//! - `init_std:lin:0.5:3:6`: 6 evenly spaced values;
//! - `alpha:log:0.01:1000:9;width:list:32,64,128,256`: a 9 × 4 grid, a
//!   phase diagram.
//!
//! `&seeds=N` (a link key of its own) repeats every grid point over the
//! seeds `seed, seed+1, …, seed+N−1`.
//!
//! **The runs of a sweep** ([`SweepSpec::runs`]) are numbered in a fixed
//! order: the first axis outermost, then the second, then the seeds. Run
//! `i` has the coordinates `(values₀[i₀], values₁[i₁])` and the seed
//! `seed + s`, where `i = (i₀·n₁ + i₁)·seeds + s`. A finished run is reduced
//! to a [`SweepPoint`], which names its coordinates and seed index, so points
//! can arrive in any order, from any machine, through JSON, and
//! [`snapshot`] assembles the same charts and hash from them.
//!
//! The parts: [`point`] (a run's end reduced to what the charts need),
//! [`charts`] (lines, seed bands and heatmaps, and the hash), [`shard`]
//! (every N-th run, and merging the shards), `native` (threads).

mod charts;
#[cfg(not(target_arch = "wasm32"))]
mod native;
mod point;
pub mod shard;

use serde::{Deserialize, Serialize};

use crate::config::LabConfig;
use crate::labs;
use crate::params::{shorten, ParamKind, ParamSpec, ParamValue};

pub use charts::snapshot;
#[cfg(not(target_arch = "wasm32"))]
pub use native::{run_native, threads_from_text};
pub use point::{point, ChartFinal, SweepPoint};

/// The most values one axis may have.
pub const MAX_VALUES: usize = 64;
/// The most runs a sweep may have (values × values × seeds): a 20 × 20
/// phase diagram, or 8 × 8 over 6 seeds.
pub const MAX_RUNS: usize = 400;
/// The most axes of a sweep.
pub const MAX_AXES: usize = 2;

/// One swept parameter and its values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Axis {
    pub key: String,
    pub values: Vec<f64>,
    /// Whether the values are log-spaced (the axis is then drawn log).
    #[serde(default)]
    pub log: bool,
}

/// A sweep: one or two axes and the number of seeds. Always valid: built by
/// [`SweepSpec::parse`] or [`SweepSpec::new`], or read from JSON through the
/// same checks (JSON `{axes: [{key, values, log}], seeds}`; the one-axis form
/// of earlier versions, `{key, values, log}`, is read too).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(try_from = "SpecJson")]
pub struct SweepSpec {
    pub axes: Vec<Axis>,
    pub seeds: u32,
}

/// As JSON: `{axes, seeds}`, and for a one-axis sweep also that axis's
/// `key`, `values` and `log` at the top, as earlier versions wrote it (the
/// earlier page reads `spec.key` and `spec.values`). New code reads `axes`.
impl Serialize for SweepSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Out<'a> {
            axes: &'a [Axis],
            seeds: u32,
            #[serde(flatten, skip_serializing_if = "Option::is_none")]
            one_axis: Option<&'a Axis>,
        }
        Out {
            axes: &self.axes,
            seeds: self.seeds,
            one_axis: match self.axes.as_slice() {
                [only] => Some(only),
                _ => None,
            },
        }
        .serialize(s)
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum SpecJson {
    Grid {
        axes: Vec<Axis>,
        #[serde(default = "one")]
        seeds: u32,
    },
    OneAxis(Axis),
}

fn one() -> u32 {
    1
}

impl TryFrom<SpecJson> for SweepSpec {
    type Error = String;
    fn try_from(json: SpecJson) -> Result<Self, String> {
        match json {
            SpecJson::Grid { axes, seeds } => SweepSpec::new(axes, seeds),
            SpecJson::OneAxis(axis) => SweepSpec::new(vec![axis], 1),
        }
    }
}

/// One run of a sweep: its number, where it sits on the grid, its seed
/// index (0 for the link's seed) and the configuration to run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepRun {
    pub index: usize,
    pub coords: Vec<f64>,
    pub seed_index: u32,
    pub config: LabConfig,
}

const FORMS: &str = "alpha:log:0.01:1000:11, alpha:lin:0.5:3:6, alpha:list:0.1,1,10 or alpha:0.1,1,10 (two axes: separate them with ';')";

impl SweepSpec {
    /// A sweep from its axes and seeds, checked: 1 or 2 axes with distinct
    /// keys, 1 to [`MAX_VALUES`] distinct finite values each, at least one
    /// seed, at most [`MAX_RUNS`] runs in all.
    pub fn new(axes: Vec<Axis>, seeds: u32) -> Result<SweepSpec, String> {
        if axes.is_empty() || axes.len() > MAX_AXES {
            return Err(format!(
                "sweep: give one or two parameters, not {}",
                axes.len()
            ));
        }
        if axes.len() == 2 && axes[0].key == axes[1].key {
            return Err(format!(
                "sweep: '{}' is swept twice; sweep two different parameters",
                shorten(&axes[0].key)
            ));
        }
        for a in &axes {
            let key = shorten(&a.key);
            if a.values.is_empty() || a.values.len() > MAX_VALUES {
                return Err(format!("sweep: give {key} 1 to {MAX_VALUES} values"));
            }
            if let Some(v) = a.values.iter().find(|v| !v.is_finite()) {
                return Err(format!("sweep: {key} = {v} is not a finite number"));
            }
            for (i, v) in a.values.iter().enumerate() {
                if a.values[..i].contains(v) {
                    return Err(format!("sweep: {key} = {v} appears twice"));
                }
            }
        }
        if seeds == 0 {
            return Err("seeds: give at least 1".into());
        }
        let points: usize = axes.iter().map(|a| a.values.len()).product();
        let runs = points.saturating_mul(seeds as usize);
        if runs > MAX_RUNS {
            let sizes: Vec<String> = axes.iter().map(|a| a.values.len().to_string()).collect();
            return Err(format!(
                "sweep: {} values × {seeds} seed(s) = {runs} runs; the most is {MAX_RUNS}: use fewer values or seeds",
                sizes.join(" × ")
            ));
        }
        Ok(SweepSpec { axes, seeds })
    }

    /// Read the text form (see the module docs), with one seed. Errors say
    /// what is wrong.
    pub fn parse(text: &str) -> Result<SweepSpec, String> {
        let axes = text
            .split(';')
            .filter(|a| !a.trim().is_empty())
            .map(parse_axis)
            .collect::<Result<Vec<_>, _>>()?;
        if axes.is_empty() {
            return Err(format!("sweep: empty; write it as {FORMS}"));
        }
        SweepSpec::new(axes, 1)
    }

    /// The same sweep over `seeds` seeds (checked again: the run count grows).
    pub fn with_seeds(self, seeds: u32) -> Result<SweepSpec, String> {
        SweepSpec::new(self.axes, seeds)
    }

    /// The text form: each axis as a `log:` or `lin:` range if its values
    /// are exactly that range, else as a `list:`. Reads back to the same
    /// sweep (seeds aside: they are a link key of their own).
    pub fn to_text(&self) -> String {
        self.axes
            .iter()
            .map(axis_text)
            .collect::<Vec<_>>()
            .join(";")
    }

    /// Points of the grid (the product of the axes' lengths).
    pub fn points(&self) -> usize {
        self.axes.iter().map(|a| a.values.len()).product()
    }

    /// Runs of the sweep: points × seeds.
    pub fn run_count(&self) -> usize {
        self.points() * self.seeds as usize
    }

    /// The number of the run at `coords` with seed index `seed_index`, if
    /// those are on the grid.
    pub fn index_of(&self, coords: &[f64], seed_index: u32) -> Option<usize> {
        if coords.len() != self.axes.len() || seed_index >= self.seeds {
            return None;
        }
        let mut index = 0;
        for (axis, c) in self.axes.iter().zip(coords) {
            let i = axis.values.iter().position(|v| v == c)?;
            index = index * axis.values.len() + i;
        }
        Some(index * self.seeds as usize + seed_index as usize)
    }

    /// The coordinates and seed index of run `index` (`index < run_count()`).
    pub fn coords_of(&self, index: usize) -> (Vec<f64>, u32) {
        let seed_index = (index % self.seeds as usize) as u32;
        let mut rest = index / self.seeds as usize;
        let mut coords = vec![0.0; self.axes.len()];
        for (k, axis) in self.axes.iter().enumerate().rev() {
            coords[k] = axis.values[rest % axis.values.len()];
            rest /= axis.values.len();
        }
        (coords, seed_index)
    }

    /// Every run of the sweep of `base`, in run order (see the module docs).
    /// Errors if a key is not a numeric parameter of the lab, or a value is
    /// outside its range or not a whole number where one is needed.
    pub fn runs(&self, base: &LabConfig) -> Result<Vec<SweepRun>, String> {
        let spec =
            labs::spec(&base.lab).ok_or_else(|| format!("unknown lab '{}'", shorten(&base.lab)))?;
        let params: Vec<&ParamSpec> = self
            .axes
            .iter()
            .map(|a| numeric_param(&spec, &a.key))
            .collect::<Result<_, _>>()?;
        // Check every value once, before building the runs.
        for (axis, p) in self.axes.iter().zip(&params) {
            for &v in &axis.values {
                if let (_, Some(w)) = p.check(ParamValue::Num(v)) {
                    // Not "…; using 0.01": a sweep with a bad value does not run.
                    return Err(format!(
                        "sweep: {}",
                        w.split("; using").next().unwrap_or(&w)
                    ));
                }
            }
        }
        Ok((0..self.run_count())
            .map(|index| {
                let (coords, seed_index) = self.coords_of(index);
                let mut config = base.clone();
                for (axis, &c) in self.axes.iter().zip(&coords) {
                    config.set(&axis.key, ParamValue::Num(c));
                }
                config.seed = base.seed.wrapping_add(seed_index as u64);
                SweepRun {
                    index,
                    coords,
                    seed_index,
                    config,
                }
            })
            .collect())
    }

    /// The configurations of [`SweepSpec::runs`], in run order.
    pub fn configs(&self, base: &LabConfig) -> Result<Vec<LabConfig>, String> {
        Ok(self.runs(base)?.into_iter().map(|r| r.config).collect())
    }

    /// "alpha = 0.1, width = 32": where a point sits, for messages.
    pub fn describe(&self, coords: &[f64]) -> String {
        self.axes
            .iter()
            .zip(coords)
            .map(|(a, &c)| format!("{} = {}", a.key, ParamValue::Num(c).to_fragment_text()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The parameter `key` of a lab, if it is a number.
fn numeric_param<'a>(spec: &'a labs::LabSpec, key: &str) -> Result<&'a ParamSpec, String> {
    let param = spec.param(key).ok_or_else(|| {
        let numeric: Vec<&str> = spec
            .params
            .iter()
            .filter(|p| matches!(p.kind, ParamKind::Number { .. }))
            .map(|p| p.key.as_str())
            .collect();
        format!(
            "sweep: '{}' is not a parameter of {}; numeric ones: {}",
            shorten(key),
            spec.name,
            numeric.join(", ")
        )
    })?;
    if !matches!(param.kind, ParamKind::Number { .. }) {
        return Err(format!("sweep: '{key}' is a choice, not a number"));
    }
    Ok(param)
}

fn number(s: &str) -> Result<f64, String> {
    let x: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("sweep: '{}' is not a number", shorten(s)))?;
    if x.is_finite() {
        Ok(x)
    } else {
        Err(format!("sweep: {x} is not a finite number"))
    }
}

/// One axis: `key:log:a:b:n`, `key:lin:a:b:n`, `key:list:v,…` or `key:v,…`.
fn parse_axis(text: &str) -> Result<Axis, String> {
    let text = text.trim();
    let bad = || format!("sweep '{}' should look like {FORMS}", shorten(text));
    let (key, rest) = text.split_once(':').ok_or_else(bad)?;
    let key = key.trim().to_string();
    if key.is_empty() {
        return Err(bad());
    }
    let parts: Vec<&str> = rest.split(':').collect();
    match parts.as_slice() {
        [kind @ ("log" | "lin"), from, to, n] => {
            let (a, b) = (number(from)?, number(to)?);
            let n: usize = n
                .trim()
                .parse()
                .map_err(|_| format!("sweep: '{}' is not a whole number of values", shorten(n)))?;
            if !(2..=MAX_VALUES).contains(&n) {
                return Err(format!("sweep: {n} values; use 2 to {MAX_VALUES}"));
            }
            let log = *kind == "log";
            if log && (a <= 0.0 || b <= 0.0) {
                return Err("sweep: a log range needs positive ends".into());
            }
            Ok(Axis {
                key,
                values: range(a, b, n, log),
                log,
            })
        }
        ["list", list] | [list] => {
            let values = list
                .split(',')
                .filter(|s| !s.trim().is_empty())
                .map(number)
                .collect::<Result<Vec<_>, _>>()?;
            let log = looks_log(&values);
            Ok(Axis { key, values, log })
        }
        _ => Err(bad()),
    }
}

/// `n` values from `a` to `b`, evenly or log-spaced, rounded to 12
/// significant digits (so they read cleanly, 0.1 not 0.09999999999999999,
/// and are the same on every platform: libm, not the platform's exp/ln).
fn range(a: f64, b: f64, n: usize, log: bool) -> Vec<f64> {
    (0..n)
        .map(|i| {
            let t = i as f64 / (n - 1) as f64;
            if log {
                libm::exp(libm::log(a) + t * (libm::log(b) - libm::log(a)))
            } else {
                a + t * (b - a)
            }
        })
        .map(round_sig)
        .collect()
}

/// A listed axis is drawn log if its values are positive and span at least
/// a factor of 100.
fn looks_log(values: &[f64]) -> bool {
    values.iter().all(|&v| v > 0.0) && {
        let (lo, hi) = values
            .iter()
            .fold((f64::MAX, 0f64), |(l, h), &v| (l.min(v), h.max(v)));
        hi / lo >= 100.0
    }
}

fn axis_text(a: &Axis) -> String {
    let text = |x: f64| ParamValue::Num(x).to_fragment_text();
    let n = a.values.len();
    // Two values read better listed.
    if n >= 3 {
        let (first, last) = (a.values[0], a.values[n - 1]);
        let log_ok = first > 0.0 && last > 0.0;
        if a.log && log_ok && range(first, last, n, true) == a.values {
            return format!("{}:log:{}:{}:{n}", a.key, text(first), text(last));
        }
        if !a.log && range(first, last, n, false) == a.values {
            return format!("{}:lin:{}:{}:{n}", a.key, text(first), text(last));
        }
    }
    let list: Vec<String> = a.values.iter().map(|&v| text(v)).collect();
    format!("{}:list:{}", a.key, list.join(","))
}

/// Round to 12 significant digits.
fn round_sig(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let text = format!("{x:.11e}");
    text.parse().unwrap_or(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_forms() {
        let s = SweepSpec::parse("alpha:log:0.01:1000:11").unwrap();
        let a = &s.axes[0];
        assert_eq!(a.values.len(), 11);
        assert_eq!(a.values[0], 0.01);
        assert_eq!((a.values[2], a.values[4]), (0.1, 1.0));
        assert_eq!(a.values[10], 1000.0);
        assert!(a.log);
        assert_eq!(s.to_text(), "alpha:log:0.01:1000:11");
        let s = SweepSpec::parse("init_std:lin:0.5:3:6").unwrap();
        assert_eq!(s.axes[0].values, vec![0.5, 1.0, 1.5, 2.0, 2.5, 3.0]);
        assert!(!s.axes[0].log);
        assert_eq!(SweepSpec::parse(&s.to_text()).unwrap(), s);
        let s = SweepSpec::parse("width:8,16,32").unwrap();
        assert_eq!(s.axes[0].values, vec![8.0, 16.0, 32.0]);
        assert_eq!(s, SweepSpec::parse("width:list:8,16,32").unwrap());
        assert_eq!(SweepSpec::parse(&s.to_text()).unwrap(), s);
        let s = SweepSpec::parse("alpha:log:0.01:1000:9;width:list:32,64,128,256").unwrap();
        assert_eq!(s.axes.len(), 2);
        assert_eq!((s.points(), s.run_count()), (36, 36));
        assert_eq!(
            s.to_text(),
            "alpha:log:0.01:1000:9;width:list:32,64,128,256"
        );
        assert_eq!(SweepSpec::parse(&s.to_text()).unwrap(), s);
        // A log range whose ends are close reads back as a log range.
        let s = SweepSpec::parse("alpha:log:1:5:3").unwrap();
        assert_eq!(SweepSpec::parse(&s.to_text()).unwrap(), s);
        for bad in [
            "",
            ";",
            "alpha",
            ":1,2",
            "alpha:log:0:1:5",
            "alpha:log:1:10:1",
            "alpha:log:1:10:1000",
            "alpha:a,b",
            "alpha:lin:1:2",
            "alpha:NaN",
            "alpha:1,2,1",
            "alpha:1,2;alpha:3,4",
            "a:1,2;b:1,2;c:1,2",
            "alpha:lin:1:2:30;width:lin:2:40:20",
        ] {
            assert!(SweepSpec::parse(bad).is_err(), "{bad}");
        }
        let err = SweepSpec::parse("alpha:lin:1:2:30;width:lin:2:40:20").unwrap_err();
        assert!(err.contains("600 runs") && err.contains("400"), "{err}");
        let err = SweepSpec::parse("alpha:lin:1:2:20;width:lin:2:40:10")
            .unwrap()
            .with_seeds(3)
            .unwrap_err();
        assert!(
            err.contains("20 × 10 values × 3 seed(s) = 600 runs"),
            "{err}"
        );
    }

    #[test]
    fn the_old_json_form_reads() {
        let s: SweepSpec =
            serde_json::from_str(r#"{"key":"alpha","values":[0.1,1],"log":false}"#).unwrap();
        assert_eq!(s, SweepSpec::parse("alpha:0.1,1").unwrap());
        let text = serde_json::to_string(&s.clone().with_seeds(3).unwrap()).unwrap();
        assert_eq!(
            text,
            r#"{"axes":[{"key":"alpha","values":[0.1,1.0],"log":false}],"seeds":3,"key":"alpha","values":[0.1,1.0],"log":false}"#
        );
        let back: SweepSpec = serde_json::from_str(&text).unwrap();
        assert_eq!(back.seeds, 3);
        // Two axes: no top-level key and values.
        let two = SweepSpec::parse("alpha:0.1,1;width:4,8").unwrap();
        let text = serde_json::to_string(&two).unwrap();
        assert!(text.ends_with(r#"],"seeds":1}"#), "{text}");
        assert_eq!(serde_json::from_str::<SweepSpec>(&text).unwrap(), two);
        assert!(serde_json::from_str::<SweepSpec>(r#"{"axes":[],"seeds":1}"#).is_err());
        assert!(serde_json::from_str::<SweepSpec>(r#"{"key":"a","values":[1,1]}"#).is_err());
    }

    #[test]
    fn runs_are_numbered_axis_by_axis_then_seed() {
        let mut base = LabConfig::defaults(&labs::spec("lazy-rich").unwrap());
        base.seed = 10;
        let s = SweepSpec::parse("alpha:0.1,1,10;width:8,16")
            .unwrap()
            .with_seeds(2)
            .unwrap();
        let runs = s.runs(&base).unwrap();
        assert_eq!(runs.len(), 12);
        for (i, r) in runs.iter().enumerate() {
            assert_eq!(r.index, i);
            assert_eq!(s.index_of(&r.coords, r.seed_index), Some(i));
            assert_eq!(s.coords_of(i), (r.coords.clone(), r.seed_index));
            assert_eq!(r.config.num("alpha"), r.coords[0]);
            assert_eq!(r.config.num("width"), r.coords[1]);
            assert_eq!(r.config.seed, 10 + r.seed_index as u64);
        }
        assert_eq!(
            (runs[5].coords.clone(), runs[5].seed_index),
            (vec![1.0, 8.0], 1)
        );
        assert_eq!(s.index_of(&[1.0, 9.0], 0), None);
        assert_eq!(s.index_of(&[1.0, 8.0], 2), None);
        assert_eq!(s.index_of(&[1.0], 0), None);
    }

    #[test]
    fn runs_check_key_and_range() {
        let base = LabConfig::defaults(&labs::spec("lazy-rich").unwrap());
        let s = SweepSpec::parse("alpha:log:0.01:1000:9").unwrap();
        let cs = s.configs(&base).unwrap();
        assert_eq!(cs.len(), 9);
        assert_eq!(cs[8].num("alpha"), 1000.0);
        let err = |t: &str| SweepSpec::parse(t).unwrap().runs(&base).unwrap_err();
        assert!(err("alpha:0.001,1").contains("outside"));
        assert!(err("nope:1,2").contains("numeric ones"));
        assert!(err("activation:1,2").contains("choice"));
        assert!(err("alpha:1,2;width:8,16.5").contains("whole number"));
    }
}
