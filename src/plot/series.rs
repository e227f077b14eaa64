//! The series of a chart as they are drawn: name, colour, dashed or not, and
//! the pinned run's series beside the current ones.
//!
//! A pinned comparison draws the pinned chart's series dashed, in the colour
//! of the current series of the same name (else of the same position), named
//! "<name> (pinned)". Only the drawing sees the pinned chart: its numbers
//! never enter the current snapshot or its hash.

use plotters::style::RGBColor;

use super::colors::series_color;
use super::legend::{LegendItem, Mark};
use crate::snapshot::{Chart, ChartBody, Series};

/// One series as drawn.
pub struct Layer<'a> {
    pub name: String,
    pub color: RGBColor,
    pub dashed: bool,
    /// From the pinned run.
    pub pinned: bool,
    pub x: &'a [f64],
    pub y: &'a [f64],
    /// A band's lower and upper edges.
    pub band: Option<(&'a [f64], &'a [f64])>,
}

/// The series of a body, in order (no pinned ones).
type Own<'a> = (
    &'a str,
    &'a [f64],
    &'a [f64],
    Option<(&'a [f64], &'a [f64])>,
    bool,
);

fn plain(s: &[Series]) -> Vec<Own<'_>> {
    s.iter()
        .map(|s| (s.name.as_str(), &s.x[..], &s.y[..], None, s.dashed))
        .collect()
}

fn own_series(body: &ChartBody) -> Vec<Own<'_>> {
    match body {
        ChartBody::Lines { series }
        | ChartBody::Scatter { series }
        | ChartBody::Arrows { series }
        | ChartBody::Profile { series, .. }
        | ChartBody::Bars { series, .. } => plain(series),
        ChartBody::Band { series } => series
            .iter()
            .map(|s| {
                (
                    s.name.as_str(),
                    &s.x[..],
                    &s.y[..],
                    Some((&s.lo[..], &s.hi[..])),
                    false,
                )
            })
            .collect(),
        ChartBody::Heatmap(_) => vec![],
    }
}

/// Whether a pinned chart is drawn beside `chart`: the same id, the same
/// kind, and a kind that compares by lines or points.
pub fn pin_applies(chart: &Chart, pinned: &Chart) -> bool {
    chart.id == pinned.id
        && matches!(
            (&chart.body, &pinned.body),
            (ChartBody::Lines { .. }, ChartBody::Lines { .. })
                | (ChartBody::Band { .. }, ChartBody::Band { .. })
                | (ChartBody::Scatter { .. }, ChartBody::Scatter { .. })
                | (ChartBody::Profile { .. }, ChartBody::Profile { .. })
        )
}

fn display_name(name: &str, i: usize) -> String {
    if name.trim().is_empty() {
        format!("series {}", i + 1)
    } else {
        name.to_string()
    }
}

/// The palette index of own series `i`: the number of distinct names
/// before its name's first occurrence (unnamed series count apart).
fn distinct_index(own: &[Own], i: usize) -> usize {
    let same = |a: &str, b: &str| !a.trim().is_empty() && a == b;
    let first = own.iter().position(|o| same(o.0, own[i].0)).unwrap_or(i);
    (0..first)
        .filter(|&k| !own[..k].iter().any(|o| same(o.0, own[k].0)))
        .count()
}

/// The layers of `chart`, then those of `pinned` when it applies.
pub fn layers<'a>(chart: &'a Chart, pinned: Option<&'a Chart>) -> Vec<Layer<'a>> {
    let own = own_series(&chart.body);
    let mut out: Vec<Layer> = own
        .iter()
        .enumerate()
        .map(|(i, &(name, x, y, band, dashed))| Layer {
            name: display_name(name, i),
            // Series that share a name (one curve drawn in pieces) share
            // one colour, the palette's k-th for the k-th distinct name,
            // and one legend entry.
            color: series_color(distinct_index(&own, i)),
            dashed,
            pinned: false,
            x,
            y,
            band,
        })
        .collect();
    if let Some(p) = pinned.filter(|p| pin_applies(chart, p)) {
        for (i, (name, x, y, band, _)) in own_series(&p.body).into_iter().enumerate() {
            let color = own
                .iter()
                .position(|o| !name.trim().is_empty() && o.0 == name)
                .map(|k| series_color(distinct_index(&own, k)))
                .unwrap_or_else(|| series_color(i));
            out.push(Layer {
                name: format!("{} (pinned)", display_name(name, i)),
                color,
                dashed: true,
                pinned: true,
                x,
                y,
                band,
            });
        }
    }
    out
}

/// The colour of overlay `k`: dark grey first, then colours the series
/// palette uses late.
pub fn overlay_color(k: usize) -> RGBColor {
    const OVERLAY: [RGBColor; 4] = [
        RGBColor(40, 40, 40),
        RGBColor(213, 94, 0),
        RGBColor(204, 121, 167),
        RGBColor(0, 158, 115),
    ];
    OVERLAY[k % OVERLAY.len()]
}

/// The legend: one entry per layer name (none for a lone unnamed series),
/// then one per labelled overlay.
pub fn legend_items(chart: &Chart, layers: &[Layer]) -> Vec<LegendItem> {
    let mark = match &chart.body {
        ChartBody::Lines { .. } | ChartBody::Arrows { .. } => Mark::Line,
        ChartBody::Scatter { .. } => Mark::Dot,
        ChartBody::Profile { .. } => Mark::LineDot,
        ChartBody::Bars { .. } => Mark::Bar,
        ChartBody::Band { .. } => Mark::Band,
        ChartBody::Heatmap(_) => Mark::Line,
    };
    let own = own_series(&chart.body);
    let lone_unnamed = layers.len() == 1 && own.len() == 1 && own[0].0.trim().is_empty();
    let mut items: Vec<LegendItem> = if lone_unnamed {
        vec![]
    } else {
        layers
            .iter()
            .map(|l| LegendItem {
                name: l.name.clone(),
                color: l.color,
                mark: if l.pinned && mark == Mark::Band {
                    Mark::Line
                } else {
                    mark
                },
                dashed: l.dashed,
            })
            .fold(Vec::new(), |mut acc: Vec<LegendItem>, item| {
                if !acc.iter().any(|a| a.name == item.name) {
                    acc.push(item);
                }
                acc
            })
    };
    for (k, o) in chart.overlays.iter().enumerate() {
        let label = super::overlays::label(o);
        if !label.trim().is_empty() {
            items.push(LegendItem {
                name: label.to_string(),
                color: overlay_color(k),
                mark: Mark::Line,
                dashed: false,
            });
        }
    }
    items
}
