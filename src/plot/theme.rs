//! The one look of every chart: colours of text, axes and grid, the font
//! stack, and sizes in CSS pixels scaled by the device-pixel ratio.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The font stack: the reader's system UI font (the browser resolves it; the
/// SVG viewer does too).
pub const FONT: &str =
    "system-ui, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, sans-serif";

pub const BACKGROUND: RGBColor = RGBColor(255, 255, 255);
pub const TITLE: RGBColor = RGBColor(26, 26, 26);
pub const TEXT: RGBColor = RGBColor(51, 51, 51);
pub const MUTED: RGBColor = RGBColor(110, 110, 110);
pub const AXIS: RGBColor = RGBColor(140, 140, 140);
pub const GRID: RGBColor = RGBColor(230, 230, 230);
pub const GRID_MINOR: RGBColor = RGBColor(243, 243, 243);

/// Opacity of a seed band's fill (in the series colour), and of a pinned
/// run's band.
pub const BAND_ALPHA: f64 = 0.22;
pub const PINNED_BAND_ALPHA: f64 = 0.08;

/// Sizes in CSS pixels, multiplied by `s` (the device-pixel ratio on a
/// canvas, 1 in SVG) so that text is the same physical size everywhere.
pub struct Theme {
    pub s: f64,
}

impl Theme {
    /// A theme for a scale factor; nonsense scales fall back to 1.
    pub fn new(scale: f64) -> Theme {
        Theme {
            s: if scale.is_finite() && scale > 0.0 {
                scale.clamp(0.25, 8.0)
            } else {
                1.0
            },
        }
    }

    /// `v` CSS pixels in backend pixels, at least 1.
    pub fn px(&self, v: f64) -> i32 {
        (v * self.s).round().max(1.0) as i32
    }

    pub fn font(&self, size: f64) -> FontDesc<'static> {
        (FONT, size * self.s).into_font()
    }

    pub fn text(&self, size: f64, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
        self.font(size).color(&color).pos(Pos::new(h, v))
    }

    /// A line style of `width` CSS pixels.
    pub fn stroke(&self, color: RGBColor, width: f64) -> ShapeStyle {
        color.stroke_width(self.px(width) as u32)
    }

    /// Dash length and gap of a dashed line.
    pub fn dash(&self) -> (i32, i32) {
        (self.px(6.0), self.px(4.0))
    }
}

pub fn err<E: std::fmt::Display>(e: E) -> String {
    format!("drawing failed: {e}")
}

/// Text width as the backend measures it (a fallback estimate in SVG).
pub fn text_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    font: &FontDesc,
) -> i32 {
    area.estimate_text_size(text, &TextStyle::from(font.clone()))
        .map(|(w, _)| w as i32)
        .unwrap_or_else(|_| (text.chars().count() as f64 * font.get_size() * 0.55) as i32)
}

/// Shorten `text` with "…" until it fits in `max` pixels.
pub fn fit_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    font: &FontDesc,
    max: i32,
) -> String {
    if text_width(area, text, font) <= max {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut n = chars.len();
    while n > 1 {
        n -= 1;
        let s: String = chars[..n].iter().collect::<String>() + "…";
        if text_width(area, &s, font) <= max {
            return s;
        }
    }
    "…".into()
}

/// `text` broken at spaces into lines of at most `max` pixels, at most
/// `max_lines` of them (the last shortened with "…" if the text runs on).
pub fn wrap_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    font: &FontDesc,
    max: i32,
    max_lines: usize,
) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if line.is_empty() || text_width(area, &candidate, font) <= max {
            line = candidate;
        } else {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > max_lines.max(1) {
        let rest = lines.split_off(max_lines.max(1) - 1).join(" ");
        lines.push(rest);
    }
    lines
        .into_iter()
        .map(|l| fit_text(area, &l, font, max))
        .collect()
}

/// Points of a polyline cut into dashes of `on` pixels separated by `off`
/// pixels, in backend coordinates. Each dash is its own short polyline, so
/// every backend draws it the same way.
pub fn dashes(points: &[(i32, i32)], on: i32, off: i32) -> Vec<Vec<(i32, i32)>> {
    let (on, off) = (on.max(1) as f64, off.max(1) as f64);
    let mut out: Vec<Vec<(i32, i32)>> = Vec::new();
    let mut current: Vec<(i32, i32)> = Vec::new();
    // Distance left in the current phase, and whether the pen is down.
    let (mut left, mut down) = (on, true);
    let round = |x: f64, y: f64| (x.round() as i32, y.round() as i32);
    for w in points.windows(2) {
        let (a, b) = (
            (w[0].0 as f64, w[0].1 as f64),
            (w[1].0 as f64, w[1].1 as f64),
        );
        let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        if len == 0.0 {
            continue;
        }
        let mut pos = 0.0;
        if down && current.is_empty() {
            current.push(round(a.0, a.1));
        }
        while pos < len {
            let step = left.min(len - pos);
            pos += step;
            left -= step;
            let p = round(a.0 + (b.0 - a.0) * pos / len, a.1 + (b.1 - a.1) * pos / len);
            if down {
                current.push(p);
            }
            if left <= 1e-9 {
                if down {
                    out.push(std::mem::take(&mut current));
                } else {
                    current.push(p);
                }
                down = !down;
                left = if down { on } else { off };
            }
        }
    }
    if current.len() >= 2 {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashes_alternate_along_the_path() {
        let d = dashes(&[(0, 0), (20, 0), (20, 10)], 6, 4);
        // 30 px of path: dashes at 0–6, 10–16, 20–26 (turning the corner).
        assert_eq!(d.len(), 3, "{d:?}");
        assert_eq!(d[0], vec![(0, 0), (6, 0)]);
        assert_eq!(d[1], vec![(10, 0), (16, 0)]);
        assert_eq!(d[2], vec![(20, 0), (20, 6)]);
        assert!(dashes(&[(3, 3)], 6, 4).is_empty());
        assert!(dashes(&[], 6, 4).is_empty());
    }
}
