//! Reading a chart back from JSON (the page sends charts to the core to
//! draw). serde_json writes NaN and ±inf as `null`; every number of a chart
//! may come back as `null` and is then NaN (skipped when drawing).

use crate::snapshot::{Chart, ChartBody, Overlay};

/// Stands in for `null` while deserialising; turned into NaN after. It is
/// f64::MAX, which no chart can draw anyway.
const NULL: f64 = f64::MAX;

/// Read a chart from JSON, accepting `null` wherever a number is expected.
pub fn chart_from_json(text: &str) -> Result<Chart, String> {
    if let Ok(chart) = serde_json::from_str::<Chart>(text) {
        return Ok(chart);
    }
    let mut value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("chart JSON is malformed: {e}"))?;
    if value.get("body").is_none() {
        return Err("chart JSON has no 'body'".into());
    }
    let mut saw_null = false;
    replace_nulls(&mut value, &mut saw_null);
    let mut chart: Chart = serde_json::from_value(value)
        .map_err(|e| format!("chart JSON does not describe a chart: {e}"))?;
    if saw_null {
        for_each_number(&mut chart, |v| {
            if *v == NULL {
                *v = f64::NAN
            }
        });
    }
    Ok(chart)
}

/// Replace every `null` inside arrays and in overlay fields by [`NULL`].
/// (Optional fields are not numbers: there are none in a chart's body.)
fn replace_nulls(v: &mut serde_json::Value, saw: &mut bool) {
    match v {
        serde_json::Value::Array(items) => items.iter_mut().for_each(|x| replace_nulls(x, saw)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|x| replace_nulls(x, saw)),
        serde_json::Value::Null => {
            *saw = true;
            *v = serde_json::Value::from(NULL);
        }
        _ => {}
    }
}

/// Call `f` on every number a chart holds.
fn for_each_number(chart: &mut Chart, mut f: impl FnMut(&mut f64)) {
    let mut all = |v: &mut Vec<f64>| v.iter_mut().for_each(&mut f);
    match &mut chart.body {
        ChartBody::Lines { series }
        | ChartBody::Scatter { series }
        | ChartBody::Arrows { series }
        | ChartBody::Profile { series, .. }
        | ChartBody::Bars { series, .. } => series.iter_mut().for_each(|s| {
            all(&mut s.x);
            all(&mut s.y);
        }),
        ChartBody::Band { series } => series.iter_mut().for_each(|s| {
            all(&mut s.x);
            all(&mut s.y);
            all(&mut s.lo);
            all(&mut s.hi);
        }),
        ChartBody::Heatmap(h) => {
            all(&mut h.values);
            all(&mut h.x_values);
            all(&mut h.y_values);
        }
    }
    for o in &mut chart.overlays {
        match o {
            Overlay::Circle { cx, cy, r, .. } => [cx, cy, r].into_iter().for_each(&mut f),
            Overlay::VLine { x, .. } => f(x),
            Overlay::HLine { y, .. } => f(y),
            Overlay::Polygon { x, y, .. } => {
                x.iter_mut().chain(y.iter_mut()).for_each(&mut f);
            }
            Overlay::Ellipse {
                cx,
                cy,
                s11,
                s12,
                s22,
                ..
            } => [cx, cy, s11, s12, s22].into_iter().for_each(&mut f),
        }
    }
}
