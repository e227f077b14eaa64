//! A finished run of a sweep, reduced to what the sweep's charts need: its
//! place on the grid, its hash, its end-of-training metrics and the last
//! value of every series of its line charts.
//!
//! Points travel as JSON (the page's workers send them to the main thread,
//! the CLI's shards write them to files), so a point holds no ±inf: JSON
//! writes NaN and ±inf alike as `null`, and a point must read back as the
//! same bits, or the page's sweep hash would differ from the CLI's.
//! (serde_json's `float_roundtrip` feature reads every finite number back
//! exactly.)

use serde::{Deserialize, Serialize};

use crate::snapshot::{ChartBody, Metric, Scale, Snapshot};

/// The end of one run of a sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    /// The run's value on each axis of the sweep.
    pub coords: Vec<f64>,
    /// 0 for the link's seed, 1 for seed + 1, …
    #[serde(default)]
    pub seed_index: u32,
    /// The run's own result hash.
    pub hash: String,
    /// Why the run stopped early, if it did.
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

/// ±inf becomes NaN ("undefined"), which JSON carries as `null` and reads
/// back as NaN.
fn finite_or_nan(x: f64) -> f64 {
    if x.is_finite() {
        x
    } else {
        f64::NAN
    }
}

/// Reduce the final snapshot of the run at `coords` with seed index
/// `seed_index` to a sweep point.
pub fn point(coords: &[f64], seed_index: u32, s: &Snapshot) -> SweepPoint {
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
        coords: coords.to_vec(),
        seed_index,
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

impl SweepPoint {
    /// A metric's value by key (NaN if the run has no such metric).
    pub fn metric(&self, key: &str) -> f64 {
        self.metrics
            .iter()
            .find(|m| m.key == key)
            .map_or(f64::NAN, |m| m.value)
    }

    /// The last value of series `name` of chart `id` (NaN if absent).
    pub fn final_value(&self, id: &str, name: &str) -> f64 {
        self.finals
            .iter()
            .find(|g| g.id == id)
            .and_then(|g| g.series.iter().find(|(n, _)| n == name))
            .map_or(f64::NAN, |(_, v)| *v)
    }
}
