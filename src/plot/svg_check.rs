//! Test helpers: draw a chart to SVG and read its elements back, so tests
//! can assert where pixels landed.

use plotters::prelude::*;
use plotters::style::RGBColor;

use super::frame::Frame;
use crate::snapshot::Chart;

/// One SVG element: its tag and attributes.
#[derive(Debug, Clone)]
pub struct El {
    pub tag: String,
    pub attrs: Vec<(String, String)>,
}

impl El {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn num(&self, name: &str) -> f64 {
        self.get(name)
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN)
    }

    /// The `points` of a polyline or polygon.
    pub fn points(&self) -> Vec<(i32, i32)> {
        self.get("points")
            .unwrap_or("")
            .split_whitespace()
            .filter_map(|p| {
                let (x, y) = p.split_once(',')?;
                Some((x.parse().ok()?, y.parse().ok()?))
            })
            .collect()
    }
}

/// Every element of an SVG document, in order (text content ignored).
pub fn elements(svg: &str) -> Vec<El> {
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let end = rest.find('>').unwrap_or(rest.len());
        let body = rest[..end].trim_end_matches('/');
        rest = &rest[end..];
        if body.starts_with('/') || body.starts_with('?') || body.starts_with('!') {
            continue;
        }
        let (tag, mut attrs_text) = body.split_once(char::is_whitespace).unwrap_or((body, ""));
        let mut attrs = Vec::new();
        while let Some(eq) = attrs_text.find("=\"") {
            let name = attrs_text[..eq].trim().to_string();
            let after = &attrs_text[eq + 2..];
            let close = after.find('"').unwrap_or(after.len());
            attrs.push((name, after[..close].to_string()));
            attrs_text = &after[(close + 1).min(after.len())..];
        }
        out.push(El {
            tag: tag.to_string(),
            attrs,
        });
    }
    out
}

/// The SVG form of a colour, as plotters writes it.
pub fn hex(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// Elements of `tag` whose `attr` is colour `c`.
pub fn with_color<'a>(els: &'a [El], tag: &str, attr: &str, c: RGBColor) -> Vec<&'a El> {
    let h = hex(c);
    els.iter()
        .filter(|e| e.tag == tag && e.get(attr) == Some(h.as_str()))
        .collect()
}

/// Draw `chart` (with `pinned`) as a `w` × `h` SVG; return the SVG and where
/// the data landed.
pub fn draw(chart: &Chart, pinned: Option<&Chart>, w: u32, h: u32) -> (String, Option<Frame>) {
    let mut out = String::new();
    let frame;
    {
        let root = SVGBackend::with_string(&mut out, (w, h)).into_drawing_area();
        frame = super::draw_frame(&root, chart, pinned, 1.0, None).unwrap();
        root.present().unwrap();
    }
    (out, frame)
}

/// Whether the SVG has a text element reading exactly `s`.
pub fn has_text(svg: &str, s: &str) -> bool {
    svg.contains(&format!(">\n{s}\n</text>"))
}
