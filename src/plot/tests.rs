//! Tests of the dispatcher and of every kind together: rendering, degenerate
//! data, pinned comparisons, JSON with nulls, the gallery.

use super::*;
use crate::snapshot::Overlay;
use crate::snapshot::{Heatmap, Series};

fn series(name: &str, x: Vec<f64>, y: Vec<f64>) -> Series {
    Series {
        dashed: false,
        name: name.into(),
        x,
        y,
    }
}

fn steps(n: usize) -> Vec<f64> {
    (0..n).map(|i| i as f64 * 10.0).collect()
}

fn loss_chart() -> Chart {
    let x = steps(200);
    let train: Vec<f64> = x.iter().map(|s| (-s / 400.0).exp() + 1e-3).collect();
    let test: Vec<f64> = x.iter().map(|s| (-s / 500.0).exp() + 3e-3).collect();
    Chart::lines(
        "loss",
        "Loss",
        "step",
        "MSE",
        vec![series("train", x.clone(), train), series("test", x, test)],
    )
    .log_y()
}

fn assert_svg(svg: &str) {
    assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(80)]);
    assert!(svg.trim_end().ends_with("</svg>"));
}

#[test]
fn lines_render() {
    let svg = chart_svg(&loss_chart(), 640, 400).unwrap();
    assert_svg(&svg);
    assert!(svg.contains("Loss"));
    assert!(svg.contains("train") && svg.contains("test"));
    assert!(
        svg.contains("1e-3") || svg.contains("0.001") || svg.contains("0.01"),
        "log ticks: {svg}"
    );
    assert!(svg.contains("<polyline"));
}

#[test]
fn scatter_renders() {
    let a = series("class 0", vec![0.0, 1.0, 2.0], vec![1.0, 0.5, 0.2]);
    let b = series("class 1", vec![-1.0, -2.0], vec![-1.0, 0.3]);
    let svg = chart_svg(
        &Chart::scatter("pca", "PCA", "PC 1", "PC 2", vec![a, b]),
        500,
        400,
    )
    .unwrap();
    assert_svg(&svg);
    assert!(svg.contains("<circle"));
    assert!(svg.contains("class 1"));
}

#[test]
fn heatmap_renders() {
    let n = 12;
    let values = (0..n * n)
        .map(|i| ((i / n) as f64 - (i % n) as f64).abs())
        .collect();
    let map = Heatmap::new(n, n, values, "1 − correlation");
    let svg = chart_svg(
        &Chart::heatmap("rdm", "RDM", "sample", "sample", map),
        500,
        400,
    )
    .unwrap();
    assert_svg(&svg);
    assert!(svg.matches("<rect").count() >= n * n);
    assert!(svg.contains("correlation"));
}

#[test]
fn ragged_and_flat_heatmaps_render() {
    let short = Heatmap::new(3, 4, vec![1.0, f64::NAN], "");
    chart_svg(&Chart::heatmap("h", "H", "", "", short), 300, 200).unwrap();
    let flat = Heatmap::new(2, 2, vec![5.0; 4], "v");
    chart_svg(&Chart::heatmap("h", "H", "", "", flat), 300, 200).unwrap();
    let wide = Heatmap::new(1, 300, (0..300).map(|i| i as f64).collect(), "v");
    chart_svg(&Chart::heatmap("h", "H", "", "", wide), 600, 200).unwrap();
}

#[test]
fn log_axes_skip_zeros_and_nans() {
    let s = series(
        "loss",
        vec![0.0, 1.0, 2.0, 3.0, 4.0, f64::NAN, 6.0],
        vec![0.0, 1.0, f64::NAN, -1.0, 0.1, 0.2, f64::INFINITY],
    );
    let chart = Chart::lines("loss", "Loss", "step", "loss", vec![s])
        .log_y()
        .log_x();
    let svg = chart_svg(&chart, 640, 400).unwrap();
    assert_svg(&svg);
    assert!(svg.contains("not shown"));
}

#[test]
fn empty_charts_render() {
    for chart in [
        Chart::lines("a", "Nothing", "step", "loss", vec![]),
        Chart::lines(
            "b",
            "Empty series",
            "step",
            "loss",
            vec![series("x", vec![], vec![])],
        ),
        Chart::lines(
            "c",
            "All NaN",
            "step",
            "loss",
            vec![series("x", vec![1.0], vec![f64::NAN])],
        )
        .log_y(),
        Chart::scatter("d", "None", "", "", vec![]),
        Chart::heatmap("e", "Empty", "", "", Heatmap::new(0, 0, vec![], "v")),
    ] {
        let svg = chart_svg(&chart, 400, 300).unwrap();
        assert_svg(&svg);
        assert!(
            svg.contains("no data yet") || svg.contains("no positive"),
            "{}",
            chart.id
        );
    }
    // Tiny and zero-sized areas do not fail either.
    chart_svg(&loss_chart(), 0, 0).unwrap();
    chart_svg(&loss_chart(), 30, 30).unwrap();
}

#[test]
fn single_points_and_flat_lines_render() {
    let one = series("one", vec![5.0], vec![2.0]);
    let flat = series("flat", vec![0.0, 1.0, 2.0], vec![1.0, 1.0, 1.0]);
    chart_svg(
        &Chart::lines("a", "One", "x", "y", vec![one, flat.clone()]),
        400,
        300,
    )
    .unwrap();
    chart_svg(
        &Chart::lines("b", "Flat", "x", "y", vec![flat]).log_y(),
        400,
        300,
    )
    .unwrap();
}

#[test]
fn a_grid_of_charts_renders() {
    let charts = vec![
        loss_chart(),
        Chart::lines("e", "Empty", "", "", vec![]),
        loss_chart(),
    ];
    let svg = charts_svg_sized(&charts, 2, 400, 300).unwrap();
    assert_svg(&svg);
    assert!(
        svg.contains("width=\"800\"") && svg.contains("height=\"600\""),
        "{}",
        &svg[..200]
    );
    assert_svg(&charts_svg(&[], 2).unwrap());
}

/// The combined figure: a pinned chart is drawn in its cell (its series
/// named "(pinned)"), the others alone, and the grid is sized as asked.
#[test]
fn a_grid_draws_each_chart_with_its_pinned_one() {
    let mut pinned = loss_chart();
    if let ChartBody::Lines { series, .. } = &mut pinned.body {
        for s in series.iter_mut() {
            for y in s.y.iter_mut() {
                *y *= 2.0;
            }
        }
    }
    let charts = vec![loss_chart(), Chart::lines("e", "Empty", "", "", vec![])];
    let svg = charts_svg_pinned(&charts, &[Some(pinned), None], 1, 300, 200).unwrap();
    assert_svg(&svg);
    assert!(
        svg.contains("width=\"300\"") && svg.contains("height=\"400\""),
        "{}",
        &svg[..200]
    );
    assert_eq!(
        svg.matches("(pinned)").count(),
        2,
        "both series of the first chart, pinned"
    );
    let plain = charts_svg_sized(&charts, 1, 300, 200).unwrap();
    assert!(!plain.contains("(pinned)"));
    assert_eq!(grid_size(11, 3, 560, 360, 2.0), (3360, 2880));
    assert_eq!(grid_size(0, 3, 560, 360, 1.0), (560, 360));
}

/// A title too long for the width wraps onto more lines instead of being
/// cut with "…"; only one longer than three lines is shortened.
#[test]
fn long_titles_wrap_rather_than_cut() {
    let mut chart = loss_chart();
    chart.title = "Spectrum of S at the fixed point z = 0.3455 (readout trained by C(A))".into();
    let svg = chart_svg(&chart, 300, 300).unwrap();
    assert!(!svg.contains('…'), "cut: {svg}");
    for word in ["Spectrum", "0.3455", "C(A))"] {
        assert!(svg.contains(word), "{word} missing");
    }
    chart.title = "word ".repeat(60);
    let svg = chart_svg(&chart, 300, 300).unwrap();
    assert_eq!(
        svg.matches('…').count(),
        1,
        "a very long title is cut once, on its third line"
    );
}

/// `NEUROGEOM_PLOT_SAMPLES=dir cargo test --lib plot::tests::samples -- --ignored`
/// writes sample SVGs to look at.
#[test]
#[ignore]
fn samples() {
    let dir =
        std::env::var("NEUROGEOM_PLOT_SAMPLES").unwrap_or_else(|_| "target/plot-samples".into());
    std::fs::create_dir_all(&dir).unwrap();
    let n = 16;
    let values = (0..n * n)
        .map(|i| 1.0 - (-(((i / n) as f64 - (i % n) as f64).abs()) / 4.0).exp())
        .collect();
    let map = Heatmap::new(n, n, values, "1 − Pearson r");
    let pts = |c: f64| -> Vec<f64> {
        (0..40)
            .map(|i| c + ((i * 37 % 17) as f64 / 17.0 - 0.5))
            .collect()
    };
    let charts = vec![
        loss_chart(),
        Chart::lines(
            "cka",
            "Representation and kernel alignment",
            "step",
            "CKA, KTA (0–1)",
            vec![
                series(
                    "CKA(H₀, H)",
                    steps(200),
                    (0..200)
                        .map(|i| 1.0 - 0.4 * (1.0 - (-(i as f64) / 50.0).exp()))
                        .collect(),
                ),
                series(
                    "KTA",
                    steps(200),
                    (0..200)
                        .map(|i| 0.2 + 0.5 * (1.0 - (-(i as f64) / 80.0).exp()))
                        .collect(),
                ),
            ],
        ),
        Chart::scatter(
            "pca",
            "Hidden layer, PCA",
            "PC 1",
            "PC 2",
            vec![
                series("class 0", pts(0.0), pts(1.0)),
                series("class 1", pts(2.0), pts(0.0)),
                series("class 2", pts(-1.0), pts(-1.5)),
            ],
        ),
        Chart::heatmap(
            "rdm",
            "Representational dissimilarity",
            "probe sample",
            "probe sample",
            map,
        ),
        Chart::lines(
            "empty",
            "Tangent-kernel change",
            "step",
            "relative change",
            vec![],
        )
        .log_y(),
    ];
    for c in &charts {
        std::fs::write(
            format!("{dir}/{}.svg", c.id),
            chart_svg(c, 560, 360).unwrap(),
        )
        .unwrap();
    }
    std::fs::write(format!("{dir}/all.svg"), charts_svg(&charts, 2).unwrap()).unwrap();
    for (c, pinned) in gallery::charts() {
        std::fs::write(
            format!("{dir}/{}.svg", c.id),
            chart_svg_pinned(&c, pinned.as_ref(), 520, 380).unwrap(),
        )
        .unwrap();
    }
    std::fs::write(format!("{dir}/gallery.svg"), gallery::svg().unwrap()).unwrap();
    // The gallery in narrow cells, as on a phone.
    let small: Vec<Chart> = gallery::charts().into_iter().map(|(c, _)| c).collect();
    std::fs::write(
        format!("{dir}/gallery_small.svg"),
        charts_svg_sized(&small, 3, 320, 260).unwrap(),
    )
    .unwrap();
}

#[test]
fn chart_json_with_nulls_reads_back() {
    let mut chart = loss_chart();
    if let ChartBody::Lines { series } = &mut chart.body {
        series[0].y[3] = f64::NAN;
        series[1].x[0] = f64::INFINITY;
    }
    let text = serde_json::to_string(&chart).unwrap();
    assert!(text.contains("null"));
    let back = chart_from_json(&text).unwrap();
    match (&back.body, &chart.body) {
        (ChartBody::Lines { series: a }, ChartBody::Lines { series: b }) => {
            assert!(a[0].y[3].is_nan() && a[1].x[0].is_nan());
            // serde_json (without float_roundtrip) may differ in the last bit.
            assert!((a[0].y[4] - b[0].y[4]).abs() <= 1e-15 * b[0].y[4].abs());
            assert_eq!(a[1].name, "test");
        }
        _ => panic!("wrong body"),
    }
    let map = Heatmap::new(1, 2, vec![1.0, f64::NAN], "v");
    let text = serde_json::to_string(&Chart::heatmap("h", "H", "", "", map)).unwrap();
    match chart_from_json(&text).unwrap().body {
        ChartBody::Heatmap(m) => assert!(m.values[0] == 1.0 && m.values[1].is_nan()),
        _ => panic!("wrong body"),
    }
    assert!(chart_from_json("{").unwrap_err().contains("malformed"));
    assert!(chart_from_json("{}").is_err());
    assert!(chart_from_json("[1,2]").is_err());
    assert!(chart_from_json(r#"{"body":{"kind":"pie"}}"#).is_err());
}

/// Every kind of body, built around the given series data.
fn every_kind(x: Vec<f64>, y: Vec<f64>) -> Vec<Chart> {
    use crate::snapshot::{BandSeries, Overlay};
    let s = || vec![series("s", x.clone(), y.clone())];
    let cats = vec!["a".to_string(), "b".to_string()];
    let n = x.len();
    vec![
        Chart::lines("lines", "Lines", "x", "y", s()),
        Chart::scatter("scatter", "Scatter", "x", "y", s()).overlay(Overlay::Circle {
            cx: 0.0,
            cy: 0.0,
            r: 1.0,
            label: "c".into(),
        }),
        Chart::with_body(
            "band",
            "Band",
            "x",
            "y",
            ChartBody::Band {
                series: vec![BandSeries {
                    name: "b".into(),
                    x: x.clone(),
                    y: y.clone(),
                    lo: y.clone(),
                    hi: y.clone(),
                }],
            },
        ),
        Chart::with_body(
            "arrows",
            "Arrows",
            "x",
            "y",
            ChartBody::Arrows { series: s() },
        ),
        Chart::with_body(
            "profile",
            "Profile",
            "x",
            "y",
            ChartBody::Profile {
                categories: cats.clone(),
                series: s(),
            },
        ),
        Chart::with_body(
            "bars",
            "Bars",
            "x",
            "y",
            ChartBody::Bars {
                categories: cats,
                series: s(),
            },
        ),
        Chart::heatmap("heat", "Heat", "x", "y", Heatmap::new(1, n, y.clone(), "v")),
    ]
}

#[test]
fn degenerate_data_never_fails_and_says_so() {
    let nan = f64::NAN;
    // Empty and all-NaN: a note in the frame.
    for (x, y) in [(vec![], vec![]), (vec![nan, nan], vec![nan, nan])] {
        for chart in every_kind(x.clone(), y.clone()) {
            for log in [false, true] {
                let chart = if log {
                    chart.clone().log_x().log_y()
                } else {
                    chart.clone()
                };
                let svg = chart_svg(&chart, 400, 300).unwrap();
                assert_svg(&svg);
                assert!(
                    svg.contains("no data yet")
                        || svg.contains("NaN")
                        || svg.contains("no positive"),
                    "{} (log {log}) shows no note",
                    chart.id
                );
            }
        }
    }
    // A single point, a zero range, huge and tiny values, infinities,
    // ragged x/y: drawn, never a panic.
    let cases = [
        (vec![1.0], vec![2.0]),
        (vec![0.0, 1.0, 2.0], vec![3.0, 3.0, 3.0]),
        (vec![1.0, 1.0], vec![0.0, 0.0]),
        (vec![0.0, 1.0], vec![1e300, -1e300]),
        (vec![0.0, 1.0], vec![1e-300, 2e-300]),
        (
            vec![0.0, f64::INFINITY, 1.0],
            vec![1.0, 2.0, f64::NEG_INFINITY],
        ),
        (vec![0.0, 1.0, 2.0], vec![1.0]),
    ];
    for (x, y) in cases {
        for chart in every_kind(x.clone(), y.clone()) {
            for log in [false, true] {
                let chart = if log {
                    chart.clone().log_x().log_y()
                } else {
                    chart.clone()
                };
                assert_svg(&chart_svg(&chart, 400, 300).unwrap());
                assert_svg(&chart_svg(&chart, 30, 30).unwrap());
                assert_svg(&chart_svg_pinned(&chart, Some(&chart), 400, 300).unwrap());
            }
        }
    }
}

#[test]
fn the_gallery_draws_every_kind() {
    let svg = gallery::svg().unwrap();
    assert_svg(&svg);
    let kinds: Vec<&str> = gallery::charts()
        .iter()
        .map(|(c, _)| match c.body {
            ChartBody::Lines { .. } => "lines",
            ChartBody::Scatter { .. } => "scatter",
            ChartBody::Heatmap(_) => "heatmap",
            ChartBody::Band { .. } => "band",
            ChartBody::Arrows { .. } => "arrows",
            ChartBody::Profile { .. } => "profile",
            ChartBody::Bars { .. } => "bars",
        })
        .collect();
    for k in [
        "lines", "scatter", "heatmap", "band", "arrows", "profile", "bars",
    ] {
        assert!(kinds.contains(&k), "{k}");
    }
    assert!(svg.contains("(pinned)") && !svg.contains("not drawn"));
    // The symlog chart shows its negative margin: nothing is hidden.
    assert!(svg.contains("symlog axis") && !svg.contains("not shown"));
}

#[test]
fn pins_apply_to_lines_bands_scatters_and_profiles_only() {
    let x = vec![0.0, 1.0];
    let y = vec![1.0, 2.0];
    for chart in every_kind(x.clone(), y.clone()) {
        let mut pinned = chart.clone();
        if let ChartBody::Band { series } = &mut pinned.body {
            series[0].y = vec![2.0, 3.0];
        }
        let svg = chart_svg_pinned(&chart, Some(&pinned), 400, 300).unwrap();
        let expect = matches!(
            chart.body,
            ChartBody::Lines { .. }
                | ChartBody::Band { .. }
                | ChartBody::Scatter { .. }
                | ChartBody::Profile { .. }
        );
        assert_eq!(svg.contains("(pinned)"), expect, "{}", chart.id);
    }
}

#[test]
fn canvas_heatmaps_paint_each_cell_in_its_colour() {
    // The canvas path paints one bitmap; run it on the SVG backend with a
    // painter that records the bitmap, and read pixels at cell centres.
    let chart = Chart::heatmap(
        "h",
        "H",
        "α",
        "",
        Heatmap {
            x_values: vec![1.0, 10.0, 100.0],
            ..Heatmap::new(2, 3, vec![0.0, 1.0, 2.0, 3.0, f64::NAN, 5.0], "")
        },
    )
    .log_x();
    let mut out = String::new();
    type Bitmap = ((i32, i32), (u32, u32), Vec<u8>);
    let mut bitmaps: Vec<Bitmap> = vec![];
    let frame = {
        let root = SVGBackend::with_string(&mut out, (500, 300)).into_drawing_area();
        let mut paint = |at: (i32, i32), size: (u32, u32), rgb: &[u8]| {
            bitmaps.push((at, size, rgb.to_vec()));
            Ok(())
        };
        draw_frame(&root, &chart, None, 1.0, Some(&mut paint))
            .unwrap()
            .unwrap()
    };
    let ((x0, y0), (w, _), rgb) = &bitmaps[0];
    let pixel = |(x, y): (i32, i32)| {
        let i = (((y - y0) as u32 * w + (x - x0) as u32) * 3) as usize;
        RGBColor(rgb[i], rgb[i + 1], rgb[i + 2])
    };
    for r in 0..2 {
        for c in 0..3 {
            // Row 0 on top: index rows span [1 − r, 2 − r] in display space.
            let at = frame.px((c as f64, 1.5 - r as f64));
            let v = [0.0, 1.0, 2.0, 3.0, f64::NAN, 5.0][r * 3 + c];
            let want = if v.is_nan() {
                heatmap::NAN_COLOR
            } else {
                colors::viridis(v / 5.0)
            };
            assert_eq!(pixel(at), want, "cell ({r}, {c})");
        }
    }
}

#[test]
fn chart_json_of_every_kind_reads_back_with_nulls() {
    let nan = f64::NAN;
    for mut chart in every_kind(vec![0.0, 1.0], vec![nan, 2.0]) {
        chart = chart
            .overlay(Overlay::VLine {
                x: nan,
                label: "v".into(),
            })
            .overlay(Overlay::Polygon {
                x: vec![0.0, nan],
                y: vec![1.0, 1.0],
                label: String::new(),
            });
        let text = serde_json::to_string(&chart).unwrap();
        assert!(text.contains("null"));
        let back = chart_from_json(&text).unwrap();
        assert_eq!(back.id, chart.id);
        let (a, b) = (back.numbers(), chart.numbers());
        assert_eq!(a.len(), b.len(), "{}", chart.id);
        for (p, q) in a.iter().zip(&b) {
            assert!(p == q || (p.is_nan() && q.is_nan()), "{} {p} {q}", chart.id);
        }
    }
}

/// The plot box the page uses to map pointer positions to data: the circles
/// of a scatter sit where its axes say (read back from the SVG, a second
/// path), pixels map back to the same data, a log axis maps through log10,
/// CSS pixels are backend pixels over the scale, and an empty chart still
/// has a [0, 1]² frame to click into.
#[test]
fn plot_boxes_map_pixels_to_data_and_back() {
    use super::svg_check::{draw, elements};
    let xs = vec![0.0, 3.0, -1.0, 2.5];
    let ys = vec![0.0, 1.0, 2.0, -0.5];
    let chart = Chart::scatter(
        "s",
        "S",
        "x",
        "y",
        vec![series("g", xs.clone(), ys.clone())],
    );
    let (svg, frame) = draw(&chart, None, 400, 300);
    let b = frame.unwrap().plot_box(1.0);
    assert!(b.left > 0.0 && b.top > 0.0 && b.width > 100.0 && b.height > 100.0);
    assert!(b.left + b.width <= 400.0 && b.top + b.height <= 300.0);
    assert!(b.y.px_hi < b.y.px_lo, "y runs upwards");
    let circles: Vec<(f64, f64)> = elements(&svg)
        .iter()
        .filter(|e| e.tag == "circle")
        .map(|e| (e.num("cx"), e.num("cy")))
        .collect();
    for (&x, &y) in xs.iter().zip(&ys) {
        let (px, py) = (b.x.to_px(x).unwrap(), b.y.to_px(y).unwrap());
        assert!(
            circles
                .iter()
                .any(|&(cx, cy)| (cx - px).abs() <= 1.0 && (cy - py).abs() <= 1.0),
            "({x}, {y}) at ({px}, {py}) not among {circles:?}"
        );
        assert!((b.x.from_px(px) - x).abs() < 1e-12 && (b.y.from_px(py) - y).abs() < 1e-12);
        assert!(px >= b.left && px <= b.left + b.width && py >= b.top && py <= b.top + b.height);
    }
    // Twice the resolution: the same CSS pixels, within a device pixel.
    let root_svg = {
        let mut out = String::new();
        let root = SVGBackend::with_string(&mut out, (800, 600)).into_drawing_area();
        let f = draw_frame(&root, &chart, None, 2.0, None).unwrap().unwrap();
        let b2 = f.plot_box(2.0);
        assert!((b2.left - b.left).abs() <= 1.0 && (b2.width - b.width).abs() <= 1.5);
        assert!((b2.top - b.top).abs() <= 1.0 && (b2.height - b.height).abs() <= 1.5);
        drop(root);
        out
    };
    assert!(root_svg.contains("<circle"));
    // A log axis maps log10 of the data.
    let log = Chart::scatter(
        "l",
        "L",
        "x",
        "y",
        vec![series("g", vec![1.0, 1000.0], vec![1.0, 2.0])],
    )
    .log_x();
    let b = draw(&log, None, 400, 300).1.unwrap().plot_box(1.0);
    assert!(b.x.log);
    let (p1, p10, p100) = (
        b.x.to_px(1.0).unwrap(),
        b.x.to_px(10.0).unwrap(),
        b.x.to_px(100.0).unwrap(),
    );
    assert!(((p10 - p1) - (p100 - p10)).abs() < 1e-9);
    assert!((b.x.from_px(p100) - 100.0).abs() < 1e-9);
    assert_eq!(b.x.to_px(0.0), None);
    // An empty chart: a frame over [0, 1]².
    let empty = Chart::scatter("e", "E", "x", "y", vec![series("g", vec![], vec![])]);
    let b = draw(&empty, None, 400, 300).1.unwrap().plot_box(1.0);
    assert_eq!((b.x.lo, b.x.hi, b.y.lo, b.y.hi), (0.0, 1.0, 0.0, 1.0));
    let json = serde_json::to_string(&b).unwrap();
    for key in ["left", "top", "width", "height", "px_lo", "px_hi", "log"] {
        assert!(json.contains(key), "{json}");
    }
}
