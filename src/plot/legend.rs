//! The header of every chart: a left-aligned title, the chart's note (at
//! most two muted lines), and a legend row (rows) under it, one entry per
//! series, pinned series and labelled overlay.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::theme::{dashes, err, fit_text, text_width, wrap_text, Theme, MUTED, TEXT, TITLE};
use crate::snapshot::Chart;

/// How a legend entry is marked.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mark {
    /// A line (a line series, an overlay).
    Line,
    /// A dot (a scatter group).
    Dot,
    /// A line with a dot on it (a profile).
    LineDot,
    /// A filled box (a bar).
    Bar,
    /// A line over a translucent band (a seed band).
    Band,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LegendItem {
    pub name: String,
    pub color: RGBColor,
    pub mark: Mark,
    pub dashed: bool,
}

/// A chart title wraps onto at most this many lines (on a phone a title
/// that holds values, "Spectrum of S at the fixed point z = 0.3455", needs
/// two); only a longer one is shortened with "…".
const TITLE_LINES: usize = 3;

/// Draw the title and the legend; return the header height.
pub fn draw_header<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart,
    legend: &[LegendItem],
    t: &Theme,
) -> Result<i32, String> {
    let (w, _) = area.dim_in_pixel();
    let left = t.px(12.0);
    // Room on the right for the page's ⓘ button.
    let right = w as i32 - t.px(34.0);
    let title_font = t.font(14.0).style(FontStyle::Bold);
    let mut y = t.px(9.0);
    for line in wrap_text(area, &chart.title, &title_font, right - left, TITLE_LINES) {
        area.draw(&Text::new(
            line,
            (left, y),
            title_font
                .clone()
                .color(&TITLE)
                .pos(Pos::new(HPos::Left, VPos::Top)),
        ))
        .map_err(err)?;
        y += t.px(18.0);
    }
    y += t.px(2.0);
    if !chart.note.trim().is_empty() {
        let font = t.font(11.0);
        for line in wrap_text(area, &chart.note, &font, right - left, 2) {
            area.draw(&Text::new(
                line,
                (left, y),
                t.text(11.0, MUTED, HPos::Left, VPos::Top),
            ))
            .map_err(err)?;
            y += t.px(15.0);
        }
        y += t.px(2.0);
    }
    if legend.is_empty() {
        return Ok(y + t.px(2.0));
    }

    // Lay the entries out left to right, wrapping to new rows.
    let font = t.font(12.0);
    let row_h = t.px(17.0);
    let swatch = t.px(18.0);
    let mut x = left;
    let mut cy = y + row_h / 2;
    for item in legend {
        let name = fit_text(
            area,
            &item.name,
            &font,
            (right - left - swatch - t.px(6.0)).max(t.px(20.0)),
        );
        let tw = text_width(area, &name, &font);
        let item_w = swatch + t.px(6.0) + tw;
        if x > left && x + item_w > w as i32 - t.px(8.0) {
            x = left;
            y += row_h;
            cy = y + row_h / 2;
        }
        draw_swatch(area, item, (x, cy), swatch, t)?;
        area.draw(&Text::new(
            name,
            (x + swatch + t.px(6.0), cy),
            t.text(12.0, TEXT, HPos::Left, VPos::Center),
        ))
        .map_err(err)?;
        x += item_w + t.px(18.0);
    }
    Ok(y + row_h + t.px(4.0))
}

/// The mark of one legend entry, `swatch` pixels wide, centred at height `cy`.
fn draw_swatch<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    item: &LegendItem,
    (x, cy): (i32, i32),
    swatch: i32,
    t: &Theme,
) -> Result<(), String> {
    let line = |area: &DrawingArea<DB, Shift>| -> Result<(), String> {
        let pts = vec![(x, cy), (x + swatch, cy)];
        let style = t.stroke(item.color, 2.5);
        if item.dashed {
            let (on, off) = (t.px(5.0), t.px(3.0));
            for d in dashes(&pts, on, off) {
                area.draw(&PathElement::new(d, style)).map_err(err)?;
            }
            Ok(())
        } else {
            area.draw(&PathElement::new(pts, style)).map_err(err)
        }
    };
    match item.mark {
        Mark::Line => line(area)?,
        Mark::Dot => {
            let style = if item.dashed {
                item.color.stroke_width(t.px(1.5) as u32)
            } else {
                item.color.filled()
            };
            area.draw(&Circle::new((x + swatch / 2, cy), t.px(4.0), style))
                .map_err(err)?
        }
        Mark::LineDot => {
            line(area)?;
            area.draw(&Circle::new(
                (x + swatch / 2, cy),
                t.px(3.5),
                item.color.filled(),
            ))
            .map_err(err)?
        }
        Mark::Bar => area
            .draw(&Rectangle::new(
                [
                    (x + t.px(3.0), cy - t.px(6.0)),
                    (x + swatch - t.px(3.0), cy + t.px(6.0)),
                ],
                item.color.filled(),
            ))
            .map_err(err)?,
        Mark::Band => {
            area.draw(&Rectangle::new(
                [(x, cy - t.px(6.0)), (x + swatch, cy + t.px(6.0))],
                item.color.mix(super::theme::BAND_ALPHA).filled(),
            ))
            .map_err(err)?;
            line(area)?
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::svg_check::{draw, has_text};
    use crate::snapshot::{Chart, Heatmap};

    #[test]
    fn a_chart_note_is_drawn_under_the_title() {
        let chart = Chart::heatmap(
            "cka",
            "CKA",
            "rule",
            "rule",
            Heatmap::new(2, 2, vec![1.0, f64::NAN, f64::NAN, f64::NAN], "CKA"),
        )
        .note("the bp hidden layer is all zeros, so its CKA is undefined (NaN)");
        let (svg, _) = draw(&chart, None, 520, 320);
        assert!(
            has_text(
                &svg,
                "the bp hidden layer is all zeros, so its CKA is undefined (NaN)"
            ),
            "{svg}"
        );
        // On a narrow chart it wraps rather than running off.
        let (svg, _) = draw(&chart, None, 260, 320);
        assert!(svg.contains(">\nthe bp hidden layer is all"), "{svg}");
        assert!(
            svg.contains("undefined (NaN)\n</text>"),
            "the second line ends the note"
        );
        assert!(!has_text(
            &svg,
            "the bp hidden layer is all zeros, so its CKA is undefined (NaN)"
        ));
    }
}
