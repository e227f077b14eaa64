//! A sweep's points assembled into one snapshot: its charts and its hash.
//!
//! - One axis, one seed: the lab's headline metrics (`LabSpec::sweep_metrics`)
//!   at the end of training against the swept value (`sweep-headline`), then
//!   one chart per line chart of the runs, each series reduced to its last
//!   value (`sweep-<chart id>`).
//! - One axis, several seeds: the same charts as bands: the line is the mean
//!   over seeds, the band runs from the lowest to the highest seed.
//! - Two axes: a heatmap per headline metric over the grid
//!   (`sweep-heatmap-<metric key>`), each cell the mean over seeds; columns
//!   are the first axis ascending, rows the second axis with the largest
//!   value in row 0 (the top), so a phase diagram reads with y upwards.
//!   Log-spaced axes are drawn log; a metric the runs draw on a log axis (a
//!   loss), or one that spans two decades or more, is coloured on a log
//!   scale.
//!
//! The y axis of the headline chart fits its data ([`Scale::for_values`]):
//! linear unless the values span four decades, then log, or symlog when
//! some are ≤ 0 (a margin that turns negative would vanish from a log
//! axis). A chart of the runs' series keeps their scale unless it is log
//! and the data cross zero.
//!
//! A run that diverged has NaN metrics: it is left out of the mean and the
//! band (and named in the snapshot's `stopped`); a cell or value whose every
//! seed is NaN is NaN.

use crate::config::LabConfig;
use crate::labs;
use crate::params::ParamValue;
use crate::run::result_hash;
use crate::snapshot::{BandSeries, Chart, ChartBody, Heatmap, Scale, Series, Snapshot};

use super::{SweepPoint, SweepSpec};

/// The sweep so far as a snapshot. `points` may be partial (the page draws
/// as its workers finish) and in any order: each is placed by its
/// coordinates and seed index. Errors if a point is not on the grid, or two
/// points claim the same run. The hash covers the charts' numbers and every
/// run's own hash, in run order, so it does not depend on the order in which
/// points arrive.
pub fn snapshot(
    spec: &SweepSpec,
    base: &LabConfig,
    points: &[SweepPoint],
) -> Result<Snapshot, String> {
    let mut slots: Vec<Option<&SweepPoint>> = vec![None; spec.run_count()];
    for p in points {
        let i = spec.index_of(&p.coords, p.seed_index).ok_or_else(|| {
            format!(
                "a point at {} (seed index {}) is not a run of the sweep {} over {} seed(s)",
                describe_coords(&p.coords),
                p.seed_index,
                spec.to_text(),
                spec.seeds
            )
        })?;
        if slots[i].is_some() {
            return Err(format!(
                "two points for the run at {}, seed index {}",
                spec.describe(&p.coords),
                p.seed_index
            ));
        }
        slots[i] = Some(p);
    }
    let grid = Grid {
        spec,
        slots: &slots,
        labels: axis_labels(spec, base),
        headline: labs::spec(&base.lab)
            .map(|s| s.sweep_metrics)
            .unwrap_or_default(),
    };
    let charts = match spec.axes.len() {
        1 => grid.one_axis(spec.seeds > 1),
        _ => grid.heatmaps(),
    };
    let stopped: Vec<String> = slots
        .iter()
        .flatten()
        .filter_map(|p| {
            let reason = p.stopped.as_ref()?;
            let seed = if spec.seeds > 1 {
                format!(" (seed {})", base.seed.wrapping_add(p.seed_index as u64))
            } else {
                String::new()
            };
            Some(format!("{}{seed}: {reason}", spec.describe(&p.coords)))
        })
        .collect();
    let done = slots.iter().flatten().count();
    let mut s = Snapshot {
        lab: format!("{}/sweep", base.lab),
        step: done as u64,
        total_steps: slots.len() as u64,
        done: done == slots.len(),
        stopped: if stopped.is_empty() {
            None
        } else {
            Some(stopped.join("; "))
        },
        metrics: Vec::new(),
        charts,
        hash: String::new(),
    };
    s.hash = sweep_hash(&s, &slots);
    Ok(s)
}

fn describe_coords(coords: &[f64]) -> String {
    let parts: Vec<String> = coords
        .iter()
        .map(|&c| ParamValue::Num(c).to_fragment_text())
        .collect();
    format!("({})", parts.join(", "))
}

/// "Output scale α" or "Width (units)", per axis.
fn axis_labels(spec: &SweepSpec, base: &LabConfig) -> Vec<String> {
    let lab = labs::spec(&base.lab);
    spec.axes
        .iter()
        .map(|a| {
            lab.as_ref()
                .and_then(|s| s.param(&a.key))
                .map(|p| {
                    if p.unit.is_empty() {
                        p.label.clone()
                    } else {
                        format!("{} ({})", p.label, p.unit)
                    }
                })
                .unwrap_or_else(|| a.key.clone())
        })
        .collect()
}

fn scale(log: bool) -> Scale {
    if log {
        Scale::Log
    } else {
        Scale::Linear
    }
}

/// The indices of `values` in ascending order of value.
fn ascending(values: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    crate::sort::sort_by(&mut order, &|&a, &b| values[a].total_cmp(&values[b]));
    order
}

/// Mean, lowest and highest of the values that are not NaN, summed in the
/// order given (the seed order); all NaN if none is.
fn spread(values: impl Iterator<Item = f64>) -> (f64, f64, f64) {
    let (mut sum, mut n, mut lo, mut hi) = (0.0, 0usize, f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| !v.is_nan()) {
        sum += v;
        n += 1;
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if n == 0 {
        (f64::NAN, f64::NAN, f64::NAN)
    } else {
        (sum / n as f64, lo, hi)
    }
}

/// The placed points and what the charts are labelled with.
struct Grid<'a> {
    spec: &'a SweepSpec,
    /// One slot per run, in run order.
    slots: &'a [Option<&'a SweepPoint>],
    labels: Vec<String>,
    headline: Vec<String>,
}

/// What a chart draws per point: a metric, or the last value of a series
/// of one of the run's line charts.
enum Value<'a> {
    Metric(&'a str),
    Final { chart: &'a str, series: &'a str },
}

impl Value<'_> {
    fn of(&self, p: &SweepPoint) -> f64 {
        match self {
            Value::Metric(key) => p.metric(key),
            Value::Final { chart, series } => p.final_value(chart, series),
        }
    }
}

impl Grid<'_> {
    /// The seeds' points at grid point `p` (0..spec.points()).
    fn seeds_at(&self, p: usize) -> impl Iterator<Item = &SweepPoint> + '_ {
        let n = self.spec.seeds as usize;
        self.slots[p * n..(p + 1) * n].iter().flatten().copied()
    }

    /// The first point in run order.
    fn first(&self) -> Option<&SweepPoint> {
        self.slots.iter().flatten().copied().next()
    }

    /// The headline metrics some point has: (key, label).
    fn headline_metrics(&self) -> Vec<(String, String)> {
        self.headline
            .iter()
            .filter_map(|key| {
                let m = self
                    .slots
                    .iter()
                    .flatten()
                    .find_map(|p| p.metrics.iter().find(|m| &m.key == key))?;
                Some((key.clone(), m.label.clone()))
            })
            .collect()
    }

    /// One axis: the values that have at least one point, ascending, with
    /// the spread of `value` over their seeds.
    fn column(&self, value: &Value) -> (Vec<f64>, Vec<(f64, f64, f64)>) {
        let values = &self.spec.axes[0].values;
        ascending(values)
            .into_iter()
            .filter(|&i| self.seeds_at(i).next().is_some())
            .map(|i| (values[i], spread(self.seeds_at(i).map(|p| value.of(p)))))
            .unzip()
    }

    /// A one-axis body: lines of the value (one seed), or bands.
    fn one_axis_body(&self, band: bool, named: &[(String, Value)]) -> ChartBody {
        let columns = named.iter().map(|(name, v)| (name, self.column(v)));
        if band {
            ChartBody::Band {
                series: columns
                    .map(|(name, (x, s))| BandSeries {
                        name: name.clone(),
                        x,
                        y: s.iter().map(|v| v.0).collect(),
                        lo: s.iter().map(|v| v.1).collect(),
                        hi: s.iter().map(|v| v.2).collect(),
                    })
                    .collect(),
            }
        } else {
            ChartBody::Lines {
                series: columns
                    .map(|(name, (x, s))| Series::new(name, x, s.iter().map(|v| v.0).collect()))
                    .collect(),
            }
        }
    }

    /// The one-axis charts, as lines (one seed) or bands (several).
    fn one_axis(&self, band: bool) -> Vec<Chart> {
        let x_scale = scale(self.spec.axes[0].log);
        let label = &self.labels[0];
        let seeds_note = if band {
            format!(
                " The line is the mean over {} seeds, the band runs from the lowest to the highest seed; runs that diverged are left out.",
                self.spec.seeds
            )
        } else {
            String::new()
        };
        let mut charts = Vec::new();
        let metrics = self.headline_metrics();
        if !metrics.is_empty() {
            let named: Vec<(String, Value)> = metrics
                .iter()
                .map(|(key, label)| (label.clone(), Value::Metric(key)))
                .collect();
            let body = self.one_axis_body(band, &named);
            let mut c = Chart::with_body(
                "sweep-headline",
                &format!("End of training against {label}"),
                label,
                "value at the last step",
                body,
            )
            .info(&format!(
                "Each point is one full run with every other parameter fixed; the lines join the end-of-training values.{seeds_note}"
            ));
            c.x_scale = x_scale;
            c.y_scale = Scale::for_values(c.numbers_y());
            charts.push(c);
        }
        if let Some(first) = self.first() {
            for f in &first.finals {
                // The series names over every point, each once (a run may
                // name its series by what they show: the feedback lab's
                // trajectories by where they end).
                let mut names: Vec<&str> = Vec::new();
                for p in self.slots.iter().flatten() {
                    let Some(g) = p.finals.iter().find(|g| g.id == f.id) else {
                        continue;
                    };
                    for (name, _) in &g.series {
                        if !names.contains(&name.as_str()) {
                            names.push(name);
                        }
                    }
                }
                let named: Vec<(String, Value)> = names
                    .into_iter()
                    .map(|name| {
                        let v = Value::Final {
                            chart: &f.id,
                            series: name,
                        };
                        (name.to_string(), v)
                    })
                    .collect();
                let mut c = Chart::with_body(
                    &format!("sweep-{}", f.id),
                    &f.title,
                    label,
                    &f.y_label,
                    self.one_axis_body(band, &named),
                )
                .info(&format!("{}{seeds_note}", f.info));
                c.x_scale = x_scale;
                c.y_scale = f.y_scale;
                let values = c.numbers_y();
                if f.y_scale == Scale::Log && values.iter().any(|v| *v <= 0.0) {
                    c.y_scale = Scale::for_values(values);
                }
                charts.push(c);
            }
        }
        charts
    }

    /// Whether the runs draw the series named `label` on a log axis.
    fn drawn_log(&self, label: &str) -> bool {
        self.first().is_some_and(|p| {
            p.finals
                .iter()
                .any(|f| f.y_scale == Scale::Log && f.series.iter().any(|(n, _)| n == label))
        })
    }

    /// Two axes: one heatmap per headline metric.
    fn heatmaps(&self) -> Vec<Chart> {
        let (ax, ay) = (&self.spec.axes[0], &self.spec.axes[1]);
        let cols = ascending(&ax.values);
        let mut rows = ascending(&ay.values);
        rows.reverse();
        let ny = ay.values.len();
        let seeds = if self.spec.seeds > 1 {
            format!("the mean over {} seeds of ", self.spec.seeds)
        } else {
            String::new()
        };
        self.headline_metrics()
            .into_iter()
            .map(|(key, label)| {
                let values: Vec<f64> = rows
                    .iter()
                    .flat_map(|&r| cols.iter().map(move |&c| c * ny + r))
                    .map(|p| spread(self.seeds_at(p).map(|q| q.metric(&key))).0)
                    .collect();
                // Log colours for a quantity the runs draw on a log axis
                // (a loss), or one that spans two decades.
                let positive = values.iter().all(|v| !(v.is_finite() && *v <= 0.0));
                let value_scale = if positive && self.drawn_log(&label) {
                    Scale::Log
                } else {
                    Scale::for_colours(values.iter().copied())
                };
                let map = Heatmap {
                    x_values: cols.iter().map(|&c| ax.values[c]).collect(),
                    y_values: rows.iter().map(|&r| ay.values[r]).collect(),
                    value_scale,
                    ..Heatmap::new(rows.len(), cols.len(), values, &label)
                };
                let mut c = Chart::heatmap(
                    &format!("sweep-heatmap-{key}"),
                    &format!("{label} over {} and {}", self.labels[0], self.labels[1]),
                    &self.labels[0],
                    &self.labels[1],
                    map,
                )
                .info(&format!(
                    "Each cell is {seeds}the end-of-training value of one full run with every other parameter fixed; an empty cell has not finished, or diverged."
                ));
                c.x_scale = scale(ax.log);
                c.y_scale = scale(ay.log);
                c
            })
            .collect()
    }
}

/// The sweep's hash: the charts' numbers and each run's own hash, in run
/// order ("-" for a run not finished).
fn sweep_hash(s: &Snapshot, slots: &[Option<&SweepPoint>]) -> String {
    let mut tagged = s.clone();
    tagged.lab = format!(
        "{}|{}",
        s.lab,
        slots
            .iter()
            .map(|p| p.map_or("-", |p| p.hash.as_str()))
            .collect::<Vec<_>>()
            .join(",")
    );
    result_hash(&tagged)
}
