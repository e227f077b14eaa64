//! The series of a chart as they are drawn: name, colour, dashed or not, and
//! the pinned run's series beside the current ones.
//!
//! Colours go by name. A chart with a palette ([`Chart::palette`]) gives
//! the series named `palette[k]` colour k, and so one name the same colour
//! on every chart that carries the same palette; a trailing " (…)" in a
//! name is not part of it ("bp (control: unused B)" is bp's colour). Names
//! outside the palette, and every name on a chart without one, take the
//! next colours in order of first appearance.
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

/// A series name without a trailing parenthesised remark: the key its
/// colour goes by ("bp (control: unused B)" → "bp").
pub fn colour_key(name: &str) -> &str {
    let name = name.trim();
    match (name.ends_with(')'), name.rfind(" (")) {
        (true, Some(i)) if i > 0 => name[..i].trim_end(),
        _ => name,
    }
}

/// The palette index of own series `i` on `chart`: its key's place in the
/// chart's palette; else the palette's length plus the number of distinct
/// names outside the palette before its name's first occurrence (unnamed
/// series count apart).
fn colour_index(chart: &Chart, own: &[Own], i: usize) -> usize {
    let listed = |name: &str| chart.palette.iter().position(|p| p == colour_key(name));
    if let Some(k) = listed(own[i].0) {
        return k;
    }
    let same = |a: &str, b: &str| !a.trim().is_empty() && a == b;
    let first = own.iter().position(|o| same(o.0, own[i].0)).unwrap_or(i);
    chart.palette.len()
        + (0..first)
            .filter(|&k| listed(own[k].0).is_none())
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
            // one colour and one legend entry.
            color: series_color(colour_index(chart, &own, i)),
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
                .map(|k| series_color(colour_index(chart, &own, k)))
                .or_else(|| {
                    let k = chart.palette.iter().position(|p| p == colour_key(name))?;
                    Some(series_color(k))
                })
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

/// Whether a layer has a point to draw (finite x and y).
fn has_point(l: &Layer) -> bool {
    l.x.iter()
        .zip(l.y)
        .any(|(x, y)| x.is_finite() && y.is_finite())
}

/// The legend: one entry per layer name (none for a lone unnamed series,
/// none for a series with nothing to draw while others have), then one per
/// labelled overlay.
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
        let any_drawn = layers.iter().any(has_point);
        layers
            .iter()
            .filter(|l| !any_drawn || has_point(l))
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

#[cfg(test)]
mod tests {
    use super::super::colors::series_color;
    use super::super::svg_check::{draw, elements, hex, with_color};
    use super::*;
    use crate::snapshot::ChartBody;

    fn rules_chart(id: &str, names: &[&str]) -> Chart {
        let series = names
            .iter()
            .enumerate()
            .map(|(k, n)| Series::new(n, vec![0.0, 1.0], vec![k as f64, k as f64 + 0.5]))
            .collect();
        Chart::lines(id, id, "step", "v", series).palette(&["bp", "fa", "dfa", "np", "wp"])
    }

    #[test]
    fn colour_keys_drop_a_trailing_remark() {
        assert_eq!(colour_key("bp (control: unused B)"), "bp");
        assert_eq!(colour_key("test (pinned)"), "test");
        assert_eq!(colour_key("fa"), "fa");
        assert_eq!(colour_key("(pinned)"), "(pinned)");
        assert_eq!(colour_key("f(x)"), "f(x)");
    }

    /// One name, one colour: fa is the palette's second colour whether or
    /// not bp is on the chart, and the control series takes bp's.
    #[test]
    fn a_palette_gives_each_name_one_colour_on_every_chart() {
        let with_bp = rules_chart("nse", &["bp", "fa", "dfa"]);
        let without_bp = rules_chart("angle", &["fa", "dfa"]);
        let control = rules_chart("signal", &["bp (control: unused B)", "np"]);
        let colour_of = |c: &Chart, name: &str| {
            layers(c, None)
                .into_iter()
                .find(|l| l.name == name)
                .map(|l| l.color)
                .unwrap()
        };
        for c in [&with_bp, &without_bp] {
            assert_eq!(colour_of(c, "fa"), series_color(1));
            assert_eq!(colour_of(c, "dfa"), series_color(2));
        }
        assert_eq!(
            colour_of(&control, "bp (control: unused B)"),
            series_color(0)
        );
        assert_eq!(colour_of(&control, "np"), series_color(3));
        // In the SVG: fa's line is drawn in colour 1 on both charts, and
        // colour 0 (bp's) appears on neither line of the chart without bp.
        for c in [&with_bp, &without_bp] {
            let (svg, _) = draw(c, None, 400, 300);
            let els = elements(&svg);
            assert!(!with_color(&els, "polyline", "stroke", series_color(1)).is_empty());
            let blue_lines = with_color(&els, "polyline", "stroke", series_color(0))
                .into_iter()
                .filter(|e| e.get("stroke-width") == Some("2"))
                .count();
            assert_eq!(blue_lines, usize::from(c.id == "nse"), "{}", c.id);
            assert!(svg.contains(&hex(series_color(1))));
        }
        // Names outside the palette take the colours after it, in order.
        let other = rules_chart("x", &["fa", "mystery", "other"]);
        assert_eq!(colour_of(&other, "mystery"), series_color(5));
        assert_eq!(colour_of(&other, "other"), series_color(6));
        // A series with nothing to draw has no legend entry (it keeps its
        // colour), unless nothing on the chart can be drawn yet.
        let mut empty = rules_chart("z", &["bp (control: unused B)", "fa"]);
        if let ChartBody::Lines { series } = &mut empty.body {
            series[0].y = vec![f64::NAN, f64::NAN];
        }
        let (svg, _) = draw(&empty, None, 400, 300);
        assert!(!svg.contains("bp (control") && svg.contains(">\nfa\n<"));
        assert_eq!(colour_of(&empty, "fa"), series_color(1));
        // Without a palette, the k-th distinct name takes colour k.
        let mut plain = rules_chart("y", &["fa", "dfa"]);
        plain.palette.clear();
        assert_eq!(colour_of(&plain, "fa"), series_color(0));
    }
}
