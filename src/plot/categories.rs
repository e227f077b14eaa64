//! A categorical x axis: categories at 0, 1, …, n − 1, each labelled by its
//! name (shortened with "…" when the names do not fit their slots).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axis::{Axis, Map};
use super::theme::{fit_text, Theme};

/// The number of category slots: the names given, or the largest index used.
pub fn slots(categories: &[String], series: &[&[f64]]) -> usize {
    let used = series
        .iter()
        .flat_map(|x| x.iter())
        .filter(|v| v.is_finite() && **v >= 0.0 && **v < 10_000.0)
        .map(|v| v.round() as usize + 1)
        .max()
        .unwrap_or(0);
    categories.len().max(used)
}

/// An axis from −0.5 to n − 0.5 with a labelled tick per category.
pub fn axis<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    categories: &[String],
    n: usize,
    t: &Theme,
) -> Axis {
    let (w, _) = area.dim_in_pixel();
    let slot = ((w as i32 - t.px(90.0)) / n.max(1) as i32 - t.px(6.0)).max(t.px(12.0));
    let font = t.font(11.0);
    Axis {
        lo: -0.5,
        hi: n.max(1) as f64 - 0.5,
        map: Map::Linear,
        ticks: (0..n)
            .map(|i| {
                let name = categories.get(i).cloned().unwrap_or_else(|| i.to_string());
                (i as f64, fit_text(area, &name, &font, slot))
            })
            .collect(),
        minor: vec![],
    }
}
