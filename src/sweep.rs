//! Sweeps: one numeric parameter of a lab over a list of values, everything
//! else fixed. Each value is an ordinary run (the page gives each its own Web
//! Worker, the CLI its own thread); the end-of-training metrics are then drawn
//! against the swept value — for `lazy-rich` and `alpha`, the lazy → rich
//! transition on one chart.
//!
//! Text form (in links as `&sweep=...`):
//! - `alpha:0.01,0.1,1,10` — the values listed;
//! - `alpha:log:0.01:1000:11` — 11 log-spaced values from 0.01 to 1000;
//! - `init_std:lin:0.5:3:6` — 6 evenly spaced values.

use serde::{Deserialize, Serialize};

use crate::config::LabConfig;
use crate::labs;
use crate::params::{shorten, ParamKind, ParamValue};
use crate::run::result_hash;
use crate::snapshot::{Chart, ChartBody, Metric, Scale, Series, Snapshot};

/// The most values a sweep may have.
pub const MAX_VALUES: usize = 64;

/// Which parameter to sweep, and over which values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepSpec {
    pub key: String,
    pub values: Vec<f64>,
    /// Whether the values were given as a log range (the x axis is then log).
    #[serde(default)]
    pub log: bool,
}

impl SweepSpec {
    /// Read the text form (see the module docs). Errors say what is wrong.
    pub fn parse(text: &str) -> Result<SweepSpec, String> {
        let text = text.trim();
        let (key, rest) = text.split_once(':').ok_or_else(|| {
            format!(
                "sweep '{}' should look like alpha:log:0.01:1000:11 or alpha:0.1,1,10",
                shorten(text)
            )
        })?;
        let key = key.trim().to_string();
        let num = |s: &str| -> Result<f64, String> {
            let x: f64 = s
                .trim()
                .parse()
                .map_err(|_| format!("sweep: '{}' is not a number", shorten(s)))?;
            if x.is_finite() {
                Ok(x)
            } else {
                Err(format!("sweep: {x} is not a finite number"))
            }
        };
        let parts: Vec<&str> = rest.split(':').collect();
        let (values, log) = match parts.as_slice() {
            [kind @ ("log" | "lin"), from, to, n] => {
                let (a, b) = (num(from)?, num(to)?);
                let n: usize = n.trim().parse().map_err(|_| {
                    format!("sweep: '{}' is not a whole number of values", shorten(n))
                })?;
                if !(2..=MAX_VALUES).contains(&n) {
                    return Err(format!("sweep: {n} values; use 2 to {MAX_VALUES}"));
                }
                let log = *kind == "log";
                if log && (a <= 0.0 || b <= 0.0) {
                    return Err("sweep: a log range needs positive ends".into());
                }
                let values = (0..n)
                    .map(|i| {
                        let t = i as f64 / (n - 1) as f64;
                        if log {
                            libm::exp(libm::log(a) + t * (libm::log(b) - libm::log(a)))
                        } else {
                            a + t * (b - a)
                        }
                    })
                    .map(round_sig)
                    .collect();
                (values, log)
            }
            [list] => {
                let values = list
                    .split(',')
                    .filter(|s| !s.trim().is_empty())
                    .map(num)
                    .collect::<Result<Vec<_>, _>>()?;
                if values.is_empty() || values.len() > MAX_VALUES {
                    return Err(format!("sweep: give 1 to {MAX_VALUES} values"));
                }
                let log = values.iter().all(|&v| v > 0.0) && {
                    let (lo, hi) = values
                        .iter()
                        .fold((f64::MAX, 0f64), |(l, h), &v| (l.min(v), h.max(v)));
                    hi / lo >= 100.0
                };
                (values, log)
            }
            _ => {
                return Err(format!(
                    "sweep '{}' should look like alpha:log:0.01:1000:11 or alpha:0.1,1,10",
                    shorten(text)
                ))
            }
        };
        Ok(SweepSpec { key, values, log })
    }

    /// The text form, listing the values (so it round-trips exactly).
    pub fn to_text(&self) -> String {
        let list: Vec<String> = self
            .values
            .iter()
            .map(|v| ParamValue::Num(*v).to_fragment_text())
            .collect();
        format!("{}:{}", self.key, list.join(","))
    }

    /// One configuration per value. Errors if the key is not a numeric
    /// parameter of the lab, or a value is outside its range.
    pub fn configs(&self, base: &LabConfig) -> Result<Vec<LabConfig>, String> {
        let spec =
            labs::spec(&base.lab).ok_or_else(|| format!("unknown lab '{}'", shorten(&base.lab)))?;
        let param = spec
            .params
            .iter()
            .find(|p| p.key == self.key)
            .ok_or_else(|| {
                let numeric: Vec<&str> = spec
                    .params
                    .iter()
                    .filter(|p| matches!(p.kind, ParamKind::Number { .. }))
                    .map(|p| p.key.as_str())
                    .collect();
                format!(
                    "sweep: '{}' is not a parameter of {}; numeric ones: {}",
                    shorten(&self.key),
                    spec.name,
                    numeric.join(", ")
                )
            })?;
        if !matches!(param.kind, ParamKind::Number { .. }) {
            return Err(format!("sweep: '{}' is a choice, not a number", self.key));
        }
        self.values
            .iter()
            .map(|&v| {
                let (checked, warning) = param.check(ParamValue::Num(v));
                match warning {
                    // Not "…; using 0.01": a sweep with a bad value does not run.
                    Some(w) => Err(format!(
                        "sweep: {}",
                        w.split("; using").next().unwrap_or(&w)
                    )),
                    None => {
                        let mut c = base.clone();
                        c.set(&self.key, checked);
                        Ok(c)
                    }
                }
            })
            .collect()
    }
}

/// Round to 12 significant digits, so log-spaced values read cleanly
/// (0.1, not 0.09999999999999999) and stay identical on every platform.
fn round_sig(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let text = format!("{x:.11e}");
    text.parse().unwrap_or(x)
}

/// The end of one run of a sweep: what the sweep charts need.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    pub value: f64,
    pub hash: String,
    pub stopped: Option<String>,
    pub metrics: Vec<Metric>,
    /// The last point of every series of the run's line charts, by chart.
    pub finals: Vec<ChartFinal>,
}

/// A line chart of a run, reduced to the last value of each series.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChartFinal {
    pub id: String,
    pub title: String,
    pub y_label: String,
    pub y_scale: Scale,
    pub info: String,
    /// (series name, last value); NaN is written as `null` in JSON.
    #[serde(deserialize_with = "finals_from_json")]
    pub series: Vec<(String, f64)>,
}

/// JSON has no NaN: serde_json writes it as `null`; read `null` back as NaN.
fn finals_from_json<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Vec<(String, f64)>, D::Error> {
    let v = Vec::<(String, Option<f64>)>::deserialize(d)?;
    Ok(v.into_iter()
        .map(|(name, x)| (name, x.unwrap_or(f64::NAN)))
        .collect())
}

/// ±inf becomes NaN: JSON writes both as `null`, and a point must read back
/// from JSON as the same numbers (the page's workers send points as JSON),
/// or the page's sweep hash would differ from the CLI's.
fn finite_or_nan(x: f64) -> f64 {
    if x.is_finite() {
        x
    } else {
        f64::NAN
    }
}

/// Reduce a run's final snapshot to a sweep point. Non-finite values become
/// NaN ("undefined"), so that the point survives a JSON round trip exactly.
pub fn point(value: f64, s: &Snapshot) -> SweepPoint {
    let finals = s
        .charts
        .iter()
        .filter_map(|c| match &c.body {
            ChartBody::Lines { series } => Some(ChartFinal {
                id: c.id.clone(),
                title: c.title.clone(),
                y_label: c.y_label.clone(),
                y_scale: c.y_scale,
                info: c.info.clone(),
                series: series
                    .iter()
                    .map(|x| {
                        let last = x.y.last().copied().unwrap_or(f64::NAN);
                        (x.name.clone(), finite_or_nan(last))
                    })
                    .collect(),
            }),
            _ => None,
        })
        .collect();
    SweepPoint {
        value,
        hash: s.hash.clone(),
        stopped: s.stopped.clone(),
        metrics: s
            .metrics
            .iter()
            .map(|m| Metric {
                value: finite_or_nan(m.value),
                ..m.clone()
            })
            .collect(),
        finals,
    }
}

/// The sweep as a snapshot: a headline chart of the lab's chosen metrics
/// against the swept value, then one chart per line chart of the runs.
/// `points` may be partial (the page draws as workers finish) and in any
/// order; they are sorted by value. The hash covers every point's hash.
pub fn snapshot(spec: &SweepSpec, base: &LabConfig, points: &[SweepPoint]) -> Snapshot {
    let mut pts: Vec<&SweepPoint> = points.iter().collect();
    pts.sort_by(|a, b| a.value.total_cmp(&b.value));
    let label = labs::spec(&base.lab)
        .and_then(|s| s.params.into_iter().find(|p| p.key == spec.key))
        .map(|p| {
            if p.unit.is_empty() {
                p.label
            } else {
                format!("{} ({})", p.label, p.unit)
            }
        })
        .unwrap_or_else(|| spec.key.clone());
    let x: Vec<f64> = pts.iter().map(|p| p.value).collect();
    let x_scale = if spec.log { Scale::Log } else { Scale::Linear };

    let mut charts = Vec::new();
    let headline_keys = labs::spec(&base.lab)
        .map(|s| s.sweep_metrics)
        .unwrap_or_default();
    let headline: Vec<Series> = headline_keys
        .iter()
        .filter_map(|key| {
            let first = pts
                .iter()
                .find_map(|p| p.metrics.iter().find(|m| &m.key == key))?;
            Some(Series {
                dashed: false,
                name: first.label.clone(),
                x: x.clone(),
                y: pts
                    .iter()
                    .map(|p| {
                        p.metrics
                            .iter()
                            .find(|m| &m.key == key)
                            .map(|m| m.value)
                            .unwrap_or(f64::NAN)
                    })
                    .collect(),
            })
        })
        .collect();
    if !headline.is_empty() {
        let mut c = Chart::lines(
            "sweep-headline",
            &format!("End of training against {label}"),
            &label,
            "value at the last step",
            headline,
        )
        .log_y()
        .info("Each point is one full run with every other parameter fixed; the lines join the end-of-training values.");
        c.x_scale = x_scale;
        charts.push(c);
    }
    if let Some(first) = pts.first() {
        for f in &first.finals {
            let series = f
                .series
                .iter()
                .map(|(name, _)| Series {
                    dashed: false,
                    name: name.clone(),
                    x: x.clone(),
                    y: pts
                        .iter()
                        .map(|p| {
                            p.finals
                                .iter()
                                .find(|g| g.id == f.id)
                                .and_then(|g| g.series.iter().find(|(n, _)| n == name))
                                .map(|(_, v)| *v)
                                .unwrap_or(f64::NAN)
                        })
                        .collect(),
                })
                .collect();
            let mut c = Chart::lines(
                &format!("sweep-{}", f.id),
                &f.title,
                &label,
                &f.y_label,
                series,
            )
            .info(&f.info);
            c.x_scale = x_scale;
            c.y_scale = f.y_scale;
            charts.push(c);
        }
    }
    let stopped: Vec<String> = pts
        .iter()
        .filter_map(|p| {
            p.stopped.as_ref().map(|s| {
                format!(
                    "{} = {}: {s}",
                    spec.key,
                    ParamValue::Num(p.value).to_fragment_text()
                )
            })
        })
        .collect();
    let mut s = Snapshot {
        lab: format!("{}/sweep", base.lab),
        step: pts.len() as u64,
        total_steps: spec.values.len() as u64,
        done: pts.len() == spec.values.len(),
        stopped: if stopped.is_empty() {
            None
        } else {
            Some(stopped.join("; "))
        },
        metrics: Vec::new(),
        charts,
        hash: String::new(),
    };
    s.hash = sweep_hash(&s, &pts);
    s
}

/// The sweep's hash: the charts' numbers and each run's own hash.
fn sweep_hash(s: &Snapshot, points: &[&SweepPoint]) -> String {
    let mut tagged = s.clone();
    tagged.lab = format!(
        "{}|{}",
        s.lab,
        points
            .iter()
            .map(|p| p.hash.as_str())
            .collect::<Vec<_>>()
            .join(",")
    );
    result_hash(&tagged)
}

/// Run a sweep natively, `threads` runs at a time, calling `on_point` as
/// each finishes (in completion order). Returns the points in value order.
#[cfg(not(target_arch = "wasm32"))]
pub fn run_native(
    spec: &SweepSpec,
    base: &LabConfig,
    threads: usize,
    mut on_point: impl FnMut(&SweepPoint),
) -> Result<Vec<SweepPoint>, String> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;

    let configs = spec.configs(base)?;
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel::<(usize, SweepPoint)>();
    let mut points: Vec<Option<SweepPoint>> = vec![None; configs.len()];
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1).min(configs.len()) {
            let tx = tx.clone();
            let (next, configs) = (&next, &configs);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(config) = configs.get(i) else { break };
                let (snap, _) = crate::run::run_to_end(config);
                if tx.send((i, point(spec.values[i], &snap))).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        for (i, p) in rx {
            on_point(&p);
            points[i] = Some(p);
        }
    });
    Ok(points.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_forms() {
        let s = SweepSpec::parse("alpha:log:0.01:1000:11").unwrap();
        assert_eq!(s.values.len(), 11);
        assert_eq!(s.values[0], 0.01);
        assert_eq!((s.values[2], s.values[4]), (0.1, 1.0));
        assert_eq!(s.values[10], 1000.0);
        assert!(s.log);
        let s = SweepSpec::parse("init_std:lin:0.5:3:6").unwrap();
        assert_eq!(s.values, vec![0.5, 1.0, 1.5, 2.0, 2.5, 3.0]);
        assert!(!s.log);
        let s = SweepSpec::parse("width:8,16,32").unwrap();
        assert_eq!(s.values, vec![8.0, 16.0, 32.0]);
        assert_eq!(SweepSpec::parse(&s.to_text()).unwrap(), s);
        for bad in [
            "",
            "alpha",
            "alpha:log:0:1:5",
            "alpha:log:1:10:1",
            "alpha:log:1:10:1000",
            "alpha:a,b",
            "alpha:lin:1:2",
            "alpha:NaN",
        ] {
            assert!(SweepSpec::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn configs_check_key_and_range() {
        let base = LabConfig::defaults(&labs::spec("lazy-rich").unwrap());
        let s = SweepSpec::parse("alpha:log:0.01:1000:9").unwrap();
        let cs = s.configs(&base).unwrap();
        assert_eq!(cs.len(), 9);
        assert_eq!(cs[8].num("alpha"), 1000.0);
        assert!(SweepSpec::parse("alpha:0.001,1")
            .unwrap()
            .configs(&base)
            .unwrap_err()
            .contains("outside"));
        assert!(SweepSpec::parse("nope:1,2")
            .unwrap()
            .configs(&base)
            .unwrap_err()
            .contains("numeric ones"));
        assert!(SweepSpec::parse("activation:1,2")
            .unwrap()
            .configs(&base)
            .unwrap_err()
            .contains("choice"));
    }

    /// The page sends each point from its worker as JSON and builds the
    /// sweep from the parsed points; the hash must equal the CLI's, which
    /// never leaves f64. Includes a diverging run (NaN and inf values).
    #[test]
    fn points_survive_json_exactly() {
        let mut base = LabConfig::defaults(&labs::spec("lazy-rich").unwrap());
        for (key, value) in [("width", 16.0), ("n_train", 30.0), ("steps", 300.0)] {
            base.set(key, ParamValue::Num(value));
        }
        for text in ["alpha:log:0.01:1000:5", "lr:0.5,10000"] {
            let spec = SweepSpec::parse(text).unwrap();
            let points = run_native(&spec, &base, 2, |_| {}).unwrap();
            if text.starts_with("lr") {
                assert!(points[1].stopped.is_some(), "lr = 10000 diverges");
            }
            let json = serde_json::to_string(&points).unwrap();
            let back: Vec<SweepPoint> = serde_json::from_str(&json).unwrap();
            let direct = snapshot(&spec, &base, &points);
            let mut reversed = back.clone();
            reversed.reverse();
            let via_json = snapshot(&spec, &base, &reversed);
            assert_eq!(direct.hash, via_json.hash, "{text}");
            assert_eq!(serde_json::to_string(&back).unwrap(), json);
        }
    }
}
