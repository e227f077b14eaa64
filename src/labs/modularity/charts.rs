//! The modularity lab's charts shared by its feedforward and recurrent
//! models.

use crate::metrics::modularity::PairwiseCondition;
use crate::snapshot::{Chart, Overlay, Series};

/// A scatter of sources with their convex hull and the theory's ellipse
/// (Dorrell et al. 2025: the code is modular iff the ellipse lies inside
/// the hull), labelled by the theory's verdict.
pub fn sources_chart(
    id: &str,
    title: &str,
    labels: (&str, &str),
    series: Vec<Series>,
    theory: &Result<PairwiseCondition, String>,
    info: &str,
) -> Chart {
    let mut chart = Chart::scatter(id, title, labels.0, labels.1, series).info(info);
    if let Ok(t) = theory {
        let c = &t.pairs[0].2;
        chart = chart.overlay(Overlay::Polygon {
            x: c.hull.iter().map(|p| p[0]).collect(),
            y: c.hull.iter().map(|p| p[1]).collect(),
            label: "convex hull".into(),
        });
        if c.has_ellipse() {
            let (s11, s12, s22) = c.s_matrix();
            chart = chart.overlay(Overlay::Ellipse {
                cx: c.mean[0],
                cy: c.mean[1],
                s11,
                s12,
                s22,
                label: if t.modular {
                    "ellipse (modular)"
                } else {
                    "ellipse (mixed)"
                }
                .into(),
            });
        }
    }
    chart
}
