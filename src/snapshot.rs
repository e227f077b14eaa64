//! What a lab hands out: plain data that the page draws, the CLI prints, and
//! the tests check. Nothing here knows how it will be drawn.

use serde::{Deserialize, Serialize};

/// The state of a lab after some steps: its metric time series, the current
/// state the charts need, and the result hash over all of those numbers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The lab's name, as in the URL.
    pub lab: String,
    /// Training steps done so far.
    pub step: u64,
    /// The steps the configuration asks for.
    pub total_steps: u64,
    /// True once `step == total_steps` or the run stopped early.
    pub done: bool,
    /// Why the run stopped early (divergence), if it did.
    pub stopped: Option<String>,
    /// The latest value of each headline metric, in display order.
    pub metrics: Vec<Metric>,
    /// The charts, the most telling first.
    pub charts: Vec<Chart>,
    /// [`crate::share::result_hash`] of everything above.
    pub hash: String,
}

/// One scalar metric with its explanation (formula and paper), for the ⓘ.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    pub key: String,
    pub label: String,
    /// NaN where the metric is undefined (JSON `null`).
    #[serde(deserialize_with = "nan_from_null::one")]
    pub value: f64,
    pub info: String,
}

/// How an axis maps values to pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    #[default]
    Linear,
    Log,
    /// Symmetric log: sign(v)·log10(1 + |v|/c), linear within ±c of 0 and
    /// logarithmic beyond, so values that cross or touch zero and span
    /// decades all show. The plot chooses c from the data: the power of ten
    /// at or below the smallest nonzero |v|, at least 1e-6 of the largest.
    Symlog,
}

impl Scale {
    /// The scale that shows `values` best: log when they are all positive
    /// and span at least [`Scale::DECADES`] decades, symlog when they span
    /// that many decades of |v| but some are zero or negative, else linear.
    /// NaN and ±inf are ignored.
    pub fn for_values(values: impl IntoIterator<Item = f64>) -> Scale {
        let (mut min_abs, mut max_abs, mut nonpositive) = (f64::INFINITY, 0.0f64, false);
        for v in values.into_iter().filter(|v| v.is_finite()) {
            nonpositive |= v <= 0.0;
            if v != 0.0 {
                min_abs = min_abs.min(v.abs());
                max_abs = max_abs.max(v.abs());
            }
        }
        if max_abs == 0.0 || max_abs < min_abs * libm::pow(10.0, Scale::DECADES) {
            Scale::Linear
        } else if nonpositive {
            Scale::Symlog
        } else {
            Scale::Log
        }
    }

    /// The span, in decades, from which [`Scale::for_values`] leaves a
    /// linear axis: below it a linear axis shows every value well.
    pub const DECADES: f64 = 4.0;

    /// The colour scale that shows `values` best: log when they are all
    /// positive and span at least two decades (on a linear colour scale the
    /// lower decades would share one colour), else linear.
    pub fn for_colours(values: impl IntoIterator<Item = f64>) -> Scale {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in values.into_iter().filter(|v| v.is_finite()) {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if lo > 0.0 && hi >= 100.0 * lo {
            Scale::Log
        } else {
            Scale::Linear
        }
    }
}

/// One chart: titles, axes and a body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    /// A stable identifier (the canvas id on the page, the file stem in the CLI).
    pub id: String,
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    #[serde(default)]
    pub x_scale: Scale,
    #[serde(default)]
    pub y_scale: Scale,
    /// The formula and paper behind the chart, for the ⓘ.
    #[serde(default)]
    pub info: String,
    pub body: ChartBody,
    /// Shapes drawn over the body in data coordinates: a circle, a vertical
    /// line, a polygon, an ellipse (the feedback lab's spectrum, the
    /// modularity lab's hull and ellipse).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overlays: Vec<Overlay>,
    /// Series names in the order of the palette: a series whose name (less
    /// a trailing " (…)") is `palette[k]` takes colour k, so that one name
    /// has one colour on every chart that lists the same names (the credit
    /// lab's rules). Other series take the colours after them. Empty: the
    /// k-th distinct name takes colour k.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub palette: Vec<String>,
    /// On a log y axis, the lowest value shown: points below it are drawn
    /// on the axis floor, and the chart says how many. For quantities whose
    /// interesting range is known (a test error below 1e-8 is solved).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y_floor: Option<f64>,
    /// A note drawn in the chart's corner: why a value is missing (a NaN
    /// cell, a series left out).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// What a chart shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChartBody {
    /// Lines through (x, y) points, one per series.
    Lines { series: Vec<Series> },
    /// Unconnected points, one colour per series (group).
    Scatter { series: Vec<Series> },
    /// A matrix of values drawn as coloured cells, row 0 at the top.
    Heatmap(Heatmap),
    /// Lines with a shaded band from `lo` to `hi` around each (the spread
    /// over seeds).
    Band { series: Vec<BandSeries> },
    /// Vectors drawn as arrows from the origin, one colour per series: each
    /// (x, y) point is an arrow's tip (neurons' tuning vectors).
    Arrows { series: Vec<Series> },
    /// A value per category (a metric per layer: "input, h1, h2, out"), one
    /// line with markers per series. Each series' `x` holds category indices.
    Profile {
        categories: Vec<String>,
        series: Vec<Series>,
    },
    /// Grouped bars: for each category, one bar per series. Each series' `x`
    /// holds category indices.
    Bars {
        categories: Vec<String>,
        series: Vec<Series>,
    },
}

/// A line with a shaded band around it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BandSeries {
    pub name: String,
    #[serde(deserialize_with = "nan_from_null::many")]
    pub x: Vec<f64>,
    /// The line (for seeds: the mean).
    #[serde(deserialize_with = "nan_from_null::many")]
    pub y: Vec<f64>,
    /// The band's lower edge (for seeds: the lowest).
    #[serde(deserialize_with = "nan_from_null::many")]
    pub lo: Vec<f64>,
    /// The band's upper edge (for seeds: the highest).
    #[serde(deserialize_with = "nan_from_null::many")]
    pub hi: Vec<f64>,
}

/// A shape drawn over a chart, in data coordinates, with an optional legend
/// label.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "shape", rename_all = "snake_case")]
pub enum Overlay {
    /// The circle of centre (cx, cy) and radius r.
    Circle {
        cx: f64,
        cy: f64,
        r: f64,
        label: String,
    },
    /// The vertical line x = const.
    VLine { x: f64, label: String },
    /// The horizontal line y = const.
    HLine { y: f64, label: String },
    /// A closed polygon through the points, in order (a convex hull).
    Polygon {
        x: Vec<f64>,
        y: Vec<f64>,
        label: String,
    },
    /// The ellipse {p : (p − c)ᵀ S⁻¹ (p − c) = 1}, with S = [[s11, s12],
    /// [s12, s22]] symmetric positive definite.
    Ellipse {
        cx: f64,
        cy: f64,
        s11: f64,
        s12: f64,
        s22: f64,
        label: String,
    },
}

impl Overlay {
    /// Every number, in a fixed order (for the result hash).
    pub fn numbers(&self) -> Vec<f64> {
        match self {
            Overlay::Circle { cx, cy, r, .. } => vec![*cx, *cy, *r],
            Overlay::VLine { x, .. } => vec![*x],
            Overlay::HLine { y, .. } => vec![*y],
            Overlay::Polygon { x, y, .. } => x.iter().chain(y.iter()).copied().collect(),
            Overlay::Ellipse {
                cx,
                cy,
                s11,
                s12,
                s22,
                ..
            } => vec![*cx, *cy, *s11, *s12, *s22],
        }
    }
}

/// A named sequence of (x, y) points.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub name: String,
    #[serde(deserialize_with = "nan_from_null::many")]
    pub x: Vec<f64>,
    #[serde(deserialize_with = "nan_from_null::many")]
    pub y: Vec<f64>,
    /// Drawn dashed (an unstable branch; a pinned run's series).
    #[serde(default, skip_serializing_if = "is_false")]
    pub dashed: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Series {
    /// A solid series.
    pub fn new(name: &str, x: Vec<f64>, y: Vec<f64>) -> Self {
        Series {
            name: name.into(),
            x,
            y,
            dashed: false,
        }
    }

    /// The same series, dashed.
    pub fn dashed(mut self) -> Self {
        self.dashed = true;
        self
    }
}

/// A rows × cols matrix, row-major.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Heatmap {
    pub rows: usize,
    pub cols: usize,
    #[serde(deserialize_with = "nan_from_null::many")]
    pub values: Vec<f64>,
    /// What the colour means.
    pub value_label: String,
    /// The numeric value of each column (a phase diagram's x parameter);
    /// empty: the columns are indices 0..cols.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub x_values: Vec<f64>,
    /// The numeric value of each row, likewise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub y_values: Vec<f64>,
    /// A name for each column (the credit lab's rules), drawn as the tick
    /// labels instead of indices; empty: indices (or `x_values`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub x_labels: Vec<String>,
    /// A name for each row, likewise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub y_labels: Vec<String>,
    /// The colour bar's range when the quantity is bounded (CKA in [0, 1]):
    /// the same value has the same colour on every run. None: the data's
    /// range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_range: Option<[f64; 2]>,
    /// How values map to colours: linear, or log for a quantity that spans
    /// decades (a phase diagram of the loss).
    #[serde(default)]
    pub value_scale: Scale,
}

impl Heatmap {
    /// A rows × cols matrix with index axes.
    pub fn new(rows: usize, cols: usize, values: Vec<f64>, value_label: &str) -> Self {
        Heatmap {
            x_values: vec![],
            y_values: vec![],
            x_labels: vec![],
            y_labels: vec![],
            value_range: None,
            value_scale: Scale::Linear,
            rows,
            cols,
            values,
            value_label: value_label.into(),
        }
    }
}

impl Chart {
    /// A line chart with linear axes.
    pub fn lines(id: &str, title: &str, x_label: &str, y_label: &str, series: Vec<Series>) -> Self {
        Chart {
            id: id.into(),
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            x_scale: Scale::Linear,
            y_scale: Scale::Linear,
            info: String::new(),
            body: ChartBody::Lines { series },
            overlays: Vec::new(),
            palette: Vec::new(),
            y_floor: None,
            note: String::new(),
        }
    }

    /// A scatter chart with linear axes.
    pub fn scatter(
        id: &str,
        title: &str,
        x_label: &str,
        y_label: &str,
        series: Vec<Series>,
    ) -> Self {
        Chart {
            body: ChartBody::Scatter { series },
            ..Chart::lines(id, title, x_label, y_label, vec![])
        }
    }

    /// A heatmap.
    pub fn heatmap(id: &str, title: &str, x_label: &str, y_label: &str, map: Heatmap) -> Self {
        Chart {
            body: ChartBody::Heatmap(map),
            ..Chart::lines(id, title, x_label, y_label, vec![])
        }
    }

    /// A chart of any other body, with linear axes.
    pub fn with_body(id: &str, title: &str, x_label: &str, y_label: &str, body: ChartBody) -> Self {
        Chart {
            body,
            ..Chart::lines(id, title, x_label, y_label, vec![])
        }
    }

    /// Add a shape drawn over the body.
    pub fn overlay(mut self, overlay: Overlay) -> Self {
        self.overlays.push(overlay);
        self
    }

    pub fn log_y(mut self) -> Self {
        self.y_scale = Scale::Log;
        self
    }

    pub fn symlog_y(mut self) -> Self {
        self.y_scale = Scale::Symlog;
        self
    }

    pub fn log_x(mut self) -> Self {
        self.x_scale = Scale::Log;
        self
    }

    pub fn info(mut self, info: &str) -> Self {
        self.info = info.into();
        self
    }

    /// Colour the series by these names (see [`Chart::palette`]).
    pub fn palette<S: AsRef<str>>(mut self, names: &[S]) -> Self {
        self.palette = names.iter().map(|s| s.as_ref().to_string()).collect();
        self
    }

    /// Show a log y axis down to `floor` only (see [`Chart::y_floor`]).
    pub fn y_floor(mut self, floor: f64) -> Self {
        self.y_floor = Some(floor);
        self
    }

    /// A note in the chart's corner (see [`Chart::note`]).
    pub fn note(mut self, note: &str) -> Self {
        self.note = note.into();
        self
    }

    /// The y values of the chart's series (bands: also their edges), for
    /// choosing a scale.
    pub fn numbers_y(&self) -> Vec<f64> {
        match &self.body {
            ChartBody::Lines { series }
            | ChartBody::Scatter { series }
            | ChartBody::Arrows { series }
            | ChartBody::Profile { series, .. }
            | ChartBody::Bars { series, .. } => {
                series.iter().flat_map(|s| s.y.iter().copied()).collect()
            }
            ChartBody::Band { series } => series
                .iter()
                .flat_map(|s| s.y.iter().chain(&s.lo).chain(&s.hi).copied())
                .collect(),
            ChartBody::Heatmap(h) => h.values.clone(),
        }
    }

    /// Every number in the chart, in a fixed order (for the result hash):
    /// the data and the overlays. How they are drawn (scales, palette, floor,
    /// a heatmap's colour range and labels) is not a result and not hashed.
    pub fn numbers(&self) -> Vec<f64> {
        let mut out: Vec<f64> = match &self.body {
            ChartBody::Lines { series }
            | ChartBody::Scatter { series }
            | ChartBody::Arrows { series }
            | ChartBody::Profile { series, .. }
            | ChartBody::Bars { series, .. } => series
                .iter()
                .flat_map(|s| s.x.iter().chain(s.y.iter()).copied())
                .collect(),
            ChartBody::Heatmap(h) => h
                .values
                .iter()
                .chain(h.x_values.iter())
                .chain(h.y_values.iter())
                .copied()
                .collect(),
            ChartBody::Band { series } => series
                .iter()
                .flat_map(|s| s.x.iter().chain(&s.y).chain(&s.lo).chain(&s.hi).copied())
                .collect(),
        };
        for o in &self.overlays {
            out.extend(o.numbers());
        }
        out
    }
}

impl Snapshot {
    /// The latest value of a metric by key.
    pub fn metric(&self, key: &str) -> Option<f64> {
        self.metrics.iter().find(|m| m.key == key).map(|m| m.value)
    }

    /// A chart by id.
    pub fn chart(&self, id: &str) -> Option<&Chart> {
        self.charts.iter().find(|c| c.id == id)
    }

    /// Every number the snapshot holds, in a fixed order: step, metrics,
    /// then each chart's numbers.
    pub fn numbers(&self) -> Vec<f64> {
        let mut out = vec![self.step as f64, self.total_steps as f64];
        out.extend(self.metrics.iter().map(|m| m.value));
        for c in &self.charts {
            out.extend(c.numbers());
        }
        out
    }

    /// The snapshot as JSON, as every face hands it out: `version` (the
    /// NeuroGeom that computed it, [`crate::version::VERSION`]) first, then
    /// the snapshot's own fields. The version is not one of the numbers, so
    /// it never enters the result hash; reading the JSON back as a
    /// `Snapshot` ignores it.
    pub fn to_json(&self) -> serde_json::Result<String> {
        serde_json::to_string(&Versioned::of(self))
    }

    /// [`Snapshot::to_json`], indented.
    pub fn to_json_pretty(&self) -> serde_json::Result<String> {
        serde_json::to_string_pretty(&Versioned::of(self))
    }
}

/// Any serialisable result with the version in front (see
/// [`Snapshot::to_json`]).
#[derive(Serialize)]
pub struct Versioned<'a, T: Serialize> {
    pub version: &'static str,
    #[serde(flatten)]
    pub inner: &'a T,
}

impl<'a, T: Serialize> Versioned<'a, T> {
    pub fn of(inner: &'a T) -> Self {
        Versioned {
            version: crate::version::VERSION,
            inner,
        }
    }
}

/// JSON has no NaN: serde_json writes NaN and ±inf as `null`. Reading a
/// snapshot back (the page sends charts to the core to draw) turns `null`
/// into NaN again, so an undefined metric stays undefined instead of failing.
mod nan_from_null {
    use serde::{Deserialize, Deserializer};

    pub fn one<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
    }

    pub fn many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        let v = Vec::<Option<f64>>::deserialize(d)?;
        Ok(v.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_fit_their_values() {
        // A margin that turns negative beside angles and verdicts: linear.
        let modularity = [0.0, -0.035, -0.79, 1.0, 0.35, 0.0005, 0.785];
        assert_eq!(Scale::for_values(modularity), Scale::Linear);
        // Weight change over six decades: log; with a zero or a sign: symlog.
        let lazy = [74.0, 2.9, 0.08, 1e-4, 0.26];
        assert_eq!(Scale::for_values(lazy), Scale::Log);
        assert_eq!(
            Scale::for_values(lazy.into_iter().chain([0.0])),
            Scale::Symlog
        );
        assert_eq!(Scale::for_values([-3e-3, 40.0]), Scale::Symlog);
        assert_eq!(Scale::for_values([f64::NAN, 0.0]), Scale::Linear);
        assert_eq!(Scale::for_colours([1e-4, 0.3]), Scale::Log);
        assert_eq!(Scale::for_colours([0.01, 0.3]), Scale::Linear);
        assert_eq!(Scale::for_colours([0.0, 0.3]), Scale::Linear);
    }

    #[test]
    fn nan_survives_a_json_round_trip() {
        let chart = Chart::lines(
            "c",
            "t",
            "x",
            "y",
            vec![Series::new("s", vec![0.0, 1.0], vec![f64::NAN, 2.0])],
        );
        let text = serde_json::to_string(&chart).unwrap();
        assert!(text.contains("null"));
        let back: Chart = serde_json::from_str(&text).unwrap();
        match back.body {
            ChartBody::Lines { series } => {
                assert!(series[0].y[0].is_nan());
                assert_eq!(series[0].y[1], 2.0);
            }
            _ => panic!("wrong body"),
        }
        let m: Metric =
            serde_json::from_str(r#"{"key":"k","label":"l","value":null,"info":""}"#).unwrap();
        assert!(m.value.is_nan());
    }
}
