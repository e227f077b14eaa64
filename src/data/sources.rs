//! Source distributions for the modularity lab (Dorrell, Hsu, …, Whittington,
//! ICLR 2025, "Range, not independence, drives modularity"; SCIENCE.md §5).
//!
//! Each distribution is a set of samples (samples × sources, numpy's layout)
//! of 2 or 3 sources on the unit square / cube. The corner cuts act on the
//! first two sources; a third source, when asked for, is independent of them.
//!
//! - `square`: uniform random samples on [0,1]^d (the seeded RNG).
//! - `grid`: the full lattice of `grid_n` levels per source on [0,1]^d
//!   (21 × 21 in the paper's figures).
//! - `triangle`: the lattice without the corner {s1 + s2 > 2 − L}.
//! - `two_triangles`: also without the opposite corner {s1 + s2 < L}.
//! - `square_corner`: the lattice without the L × L corner {s1 > 1 − L and
//!   s2 > 1 − L}.
//! - `band`: the diagonal band {|s1 − s2| ≤ 1 − L} (two triangles of leg L cut
//!   off the off-diagonal corners).
//! - `diagonal`: the full lattice, with the points near the diagonal repeated
//!   (oversampled): the sources become correlated but their joint support
//!   (and so the theory's verdict) is that of the full square.
//! - `x_diagonals`: the same with the points near either diagonal repeated
//!   (s1 = s2 and s1 + s2 = 1): the sources become dependent, with no
//!   correlation, and their support stays the square.
//!
//! [`sample_point`] draws one point at a time from the same regions taken as
//! continuous laws on the unit square (uniform on the region), and from the
//! paper's oversampled bands, for the teacher–student RNN, whose sources are
//! drawn afresh at every step.
//!
//! The cut regions are sampled on the lattice, so they are deterministic and
//! match the paper's trained-network set-up (a 21 × 21 grid); a finer lattice
//! approaches the continuous region (the oracles' critical legs). With three
//! sources the lattice has at most [`MAX_LEVELS_3D`] levels per source, to
//! keep the sample count trainable in the browser.
//!
//! Hand-drawn points come as text (`points=0.1,0.9;0.4,0.2;…`, see
//! [`parse_points`]) and uploaded points through [`points_from_text`] (the "Your data" reader).

use nalgebra::DMatrix;

use crate::rng::Rng;

/// Levels per source of a 3-source lattice, at most.
pub const MAX_LEVELS_3D: usize = 11;

/// The most hand-drawn points a link may carry (the 21 × 21 grid, 441
/// points, fits, so that the point editor can start from it).
pub const MAX_POINTS: usize = 500;

/// Slack of the region tests, so that lattice points on a cut line are kept.
pub const BOUNDARY_EPS: f64 = 1e-9;

/// Which source distribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceKind {
    Square,
    Grid,
    Triangle,
    TwoTriangles,
    SquareCorner,
    Band,
    Diagonal,
    XDiagonals,
}

impl SourceKind {
    /// The kind named in a link (`dist=...`); `None` for `points` and
    /// unknown names.
    pub fn from_key(key: &str) -> Option<SourceKind> {
        Some(match key {
            "square" => SourceKind::Square,
            "grid" => SourceKind::Grid,
            "triangle" => SourceKind::Triangle,
            "two_triangles" => SourceKind::TwoTriangles,
            "square_corner" => SourceKind::SquareCorner,
            "band" => SourceKind::Band,
            "diagonal" => SourceKind::Diagonal,
            "x_diagonals" => SourceKind::XDiagonals,
            _ => return None,
        })
    }

    /// Whether (s1, s2) in [0,1]² is kept by this region with leg `leg`.
    /// The regions are closed: a lattice point on the cut line (up to
    /// [`BOUNDARY_EPS`], for the rounding of i/(n − 1)) is kept.
    pub fn keeps(self, s1: f64, s2: f64, leg: f64) -> bool {
        const E: f64 = BOUNDARY_EPS;
        match self {
            SourceKind::Square
            | SourceKind::Grid
            | SourceKind::Diagonal
            | SourceKind::XDiagonals => true,
            SourceKind::Triangle => s1 + s2 <= 2.0 - leg + E,
            SourceKind::TwoTriangles => s1 + s2 <= 2.0 - leg + E && s1 + s2 >= leg - E,
            SourceKind::SquareCorner => !(s1 > 1.0 - leg + E && s2 > 1.0 - leg + E),
            SourceKind::Band => (s1 - s2).abs() <= 1.0 - leg + E,
        }
    }
}

/// How to build a distribution.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceSpec {
    pub kind: SourceKind,
    /// 2 or 3 sources.
    pub n_sources: usize,
    /// The leg L of the cut (triangles, square corner, band).
    pub leg: f64,
    /// Lattice levels per source.
    pub grid_n: usize,
    /// Random samples (`square` only).
    pub n_random: usize,
    /// Extra copies of a point on the diagonal (`diagonal` only); a point at
    /// |s1 − s2| = t gets round(extra · exp(−t² / (2 · 0.1²))) extra copies.
    pub diagonal_extra: usize,
}

/// Width of the oversampled diagonal (`diagonal`), in source units.
pub const DIAGONAL_WIDTH: f64 = 0.1;

/// The samples (samples × sources) of `spec`. Random draws (`square`) come
/// from `rng` in row order; the lattice kinds draw nothing.
pub fn generate(spec: &SourceSpec, rng: &mut Rng) -> DMatrix<f64> {
    let d = spec.n_sources.clamp(2, 3);
    if spec.kind == SourceKind::Square {
        let n = spec.n_random.max(3);
        let mut x = DMatrix::zeros(n, d);
        for i in 0..n {
            for k in 0..d {
                x[(i, k)] = rng.uniform();
            }
        }
        return x;
    }
    let levels = if d == 3 {
        spec.grid_n.clamp(2, MAX_LEVELS_3D)
    } else {
        spec.grid_n.max(2)
    };
    let level = |i: usize| i as f64 / (levels - 1) as f64;
    let third: Vec<f64> = if d == 3 {
        (0..levels).map(level).collect()
    } else {
        vec![f64::NAN]
    };
    let mut rows: Vec<[f64; 3]> = Vec::new();
    for i in 0..levels {
        for j in 0..levels {
            let (a, b) = (level(i), level(j));
            if !spec.kind.keeps(a, b, spec.leg) {
                continue;
            }
            let bump = |d: f64| {
                let t = d / DIAGONAL_WIDTH;
                libm::exp(-0.5 * t * t)
            };
            let copies = match spec.kind {
                SourceKind::Diagonal => {
                    1 + (spec.diagonal_extra as f64 * bump(a - b)).round() as usize
                }
                SourceKind::XDiagonals => {
                    let near = bump(a - b).max(bump(a + b - 1.0));
                    1 + (spec.diagonal_extra as f64 * near).round() as usize
                }
                _ => 1,
            };
            for &c in &third {
                for _ in 0..copies {
                    rows.push([a, b, c]);
                }
            }
        }
    }
    DMatrix::from_fn(rows.len(), d, |i, k| rows[i][k])
}

/// Half-width of the oversampled diagonal bands of [`sample_point`]
/// (|s1 − s2| < 0.1, and |s1 + s2 − 1| < 0.1 for the second diagonal), on
/// the unit range: the paper's `intercept_x = -0.1` on its range of 1
/// (kylehkhsu/modular, `disentangled_rnn_params.py`).
pub const BAND_HALF_WIDTH: f64 = 0.1;

/// The largest leg [`sample_point`] takes: at L = 1 the band, the two
/// triangles and the square corner leave a region of no area to draw from.
pub const MAX_SAMPLED_LEG: f64 = 0.95;

/// One point of a continuous law on [0, 1]², drawn by rejection (uniform
/// draws in pairs, s1 then s2, until one is accepted):
/// - `square` and `grid`: uniform on the square;
/// - `triangle`, `two_triangles`, `square_corner`, `band`: uniform on the
///   region [`SourceKind::keeps`] keeps, leg clamped to [`MAX_SAMPLED_LEG`];
/// - `diagonal`: with probability `oversample` uniform on the band
///   |s1 − s2| < [`BAND_HALF_WIDTH`], else uniform on the square;
/// - `x_diagonals`: with probability `oversample` uniform on the union of
///   that band and |s1 + s2 − 1| < [`BAND_HALF_WIDTH`], else uniform.
///
/// The last two are the paper's `oversample_diagonal_2` and
/// `oversample_diagonals` (kylehkhsu/modular, `check_and_resample_input`):
/// a point whose draw of U(0, 1) falls below `prop_batch_oversample` is
/// redrawn until it lies in the band(s), which leaves it uniform there.
pub fn sample_point(kind: SourceKind, leg: f64, oversample: f64, rng: &mut Rng) -> [f64; 2] {
    let leg = leg.clamp(0.0, MAX_SAMPLED_LEG);
    let w = BAND_HALF_WIDTH;
    let accept: Box<dyn Fn(f64, f64) -> bool> = match kind {
        SourceKind::Square | SourceKind::Grid => Box::new(|_, _| true),
        SourceKind::Triangle
        | SourceKind::TwoTriangles
        | SourceKind::SquareCorner
        | SourceKind::Band => Box::new(move |a, b| kind.keeps(a, b, leg)),
        SourceKind::Diagonal | SourceKind::XDiagonals => {
            let forced = rng.uniform() < oversample;
            let both = kind == SourceKind::XDiagonals;
            Box::new(move |a: f64, b: f64| {
                !forced || (a - b).abs() < w || (both && (a + b - 1.0).abs() < w)
            })
        }
    };
    loop {
        let a = rng.uniform();
        let b = rng.uniform();
        if accept(a, b) {
            return [a, b];
        }
    }
}

/// The corners of the support of [`sample_point`]'s law on the unit square,
/// counter-clockwise (a corner may repeat at leg 0): its convex hull, which
/// the theory reads. The oversampled diagonals keep the whole square.
pub fn law_corners(kind: SourceKind, leg: f64) -> Vec<[f64; 2]> {
    let l = leg.clamp(0.0, MAX_SAMPLED_LEG);
    match kind {
        SourceKind::Square | SourceKind::Grid | SourceKind::Diagonal | SourceKind::XDiagonals => {
            vec![[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]
        }
        // The hull of the square without its L × L corner is the triangle
        // cut's.
        SourceKind::Triangle | SourceKind::SquareCorner => {
            vec![
                [0.0, 0.0],
                [1.0, 0.0],
                [1.0, 1.0 - l],
                [1.0 - l, 1.0],
                [0.0, 1.0],
            ]
        }
        SourceKind::TwoTriangles => vec![
            [l, 0.0],
            [1.0, 0.0],
            [1.0, 1.0 - l],
            [1.0 - l, 1.0],
            [0.0, 1.0],
            [0.0, l],
        ],
        SourceKind::Band => {
            let w = 1.0 - l;
            vec![
                [0.0, 0.0],
                [w, 0.0],
                [1.0, 1.0 - w],
                [1.0, 1.0],
                [1.0 - w, 1.0],
                [0.0, w],
            ]
        }
    }
}

/// Read hand-drawn points: `x,y;x,y;…` (or `x,y,z;…` for three sources).
/// Spaces are ignored; an empty item (a trailing `;`) is skipped. Returns
/// the points (samples × sources) or a message saying what is wrong. Never
/// panics. At least 3 points: [`parse_point_list`] accepts fewer.
pub fn parse_points(text: &str) -> Result<DMatrix<f64>, String> {
    let x = parse_point_list(text)?;
    if x.nrows() < 3 {
        return Err(format!(
            "points: {} point(s); the theory needs at least 3 points that are not on one line",
            x.nrows()
        ));
    }
    Ok(x)
}

/// [`parse_points`] without the lower bound: any number of points from 0
/// (an empty text is 0 × 2), as the point editor has while drawing.
pub fn parse_point_list(text: &str) -> Result<DMatrix<f64>, String> {
    let mut rows: Vec<Vec<f64>> = Vec::new();
    for (i, item) in text.split(';').enumerate() {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let mut row = Vec::new();
        for part in item.split(',') {
            let v: f64 = part.trim().parse().map_err(|_| {
                format!(
                    "points: item {} ('{}') has '{}', which is not a number",
                    i + 1,
                    crate::params::shorten(item),
                    crate::params::shorten(part.trim())
                )
            })?;
            if !v.is_finite() {
                return Err(format!("points: item {} is not finite", i + 1));
            }
            row.push(v);
        }
        if !(2..=3).contains(&row.len()) {
            return Err(format!(
                "points: item {} has {} coordinates; each point needs 2 (or 3 for three sources)",
                i + 1,
                row.len()
            ));
        }
        if let Some(first) = rows.first() {
            if first.len() != row.len() {
                return Err(format!(
                    "points: item {} has {} coordinates but the first has {}",
                    i + 1,
                    row.len(),
                    first.len()
                ));
            }
        }
        rows.push(row);
        if rows.len() > MAX_POINTS {
            return Err(format!("points: more than {MAX_POINTS} points"));
        }
    }
    let d = rows.first().map_or(2, |r| r.len());
    Ok(DMatrix::from_fn(rows.len(), d, |i, k| rows[i][k]))
}

/// Points uploaded as delimited text (CSV, TSV, …; a header row is
/// allowed), read by the "Your data" reader with every column a source.
/// Non-finite values are refused with the line they are on.
pub fn points_from_text(name: &str, text: &str) -> Result<DMatrix<f64>, String> {
    let t = crate::data::files::csv::read(name, text.as_bytes(), Some("none"))
        .map_err(|e| e.to_string())?;
    if let Some(i) = (0..t.rows).find(|&i| {
        t.values[i * t.cols..(i + 1) * t.cols]
            .iter()
            .any(|v| !v.is_finite())
    }) {
        return Err(format!("{name}, line {}: not a finite number", t.lines[i]));
    }
    Ok(DMatrix::from_row_slice(t.rows, t.cols, &t.values))
}

/// Points uploaded as a file: an `.npy` array of N × 2 (or N × 3) numbers,
/// or delimited text ([`points_from_text`]), both read by the "Your data"
/// readers ([`crate::data::files`]). At most [`MAX_POINTS`] points, every
/// value finite; anything else is a message naming the file.
pub fn points_from_file(name: &str, bytes: &[u8]) -> Result<DMatrix<f64>, String> {
    use crate::data::files::{csv, npy};
    let x = if npy::looks_like_npy(bytes) {
        let a = npy::read(name, bytes).map_err(|e| e.to_string())?;
        if a.ndim() != 2 {
            return Err(format!(
                "{name}: an array of shape {:?}; points need N × 2 (or N × 3), one point per row",
                a.shape
            ));
        }
        if let Some(i) = a.data.iter().position(|v| !v.is_finite()) {
            return Err(format!(
                "{name}: row {} holds a value that is not finite",
                i / a.shape[1]
            ));
        }
        DMatrix::from_row_slice(a.shape[0], a.shape[1], &a.data)
    } else if csv::looks_like_text(bytes) {
        points_from_text(name, std::str::from_utf8(bytes).unwrap_or(""))?
    } else {
        return Err(format!(
            "{name}: neither NPY nor text (CSV, TSV); save the points as one of those"
        ));
    };
    if !(2..=3).contains(&x.ncols()) {
        return Err(format!(
            "{name}: {} columns; points need 2 (or 3 for three sources)",
            x.ncols()
        ));
    }
    if x.nrows() > MAX_POINTS {
        return Err(format!(
            "{name}: {} points, more than a link carries ({MAX_POINTS})",
            x.nrows()
        ));
    }
    Ok(x)
}

/// Write points as link text, each coordinate rounded to 4 decimals (the
/// inverse of [`parse_points`] up to that rounding).
pub fn format_points(x: &DMatrix<f64>) -> String {
    (0..x.nrows())
        .map(|i| {
            (0..x.ncols())
                .map(|k| {
                    let v = (x[(i, k)] * 1e4).round() / 1e4;
                    let s = format!("{v:.4}");
                    let s = s.trim_end_matches('0').trim_end_matches('.').to_string();
                    if s == "-0" || s.is_empty() {
                        "0".to_string()
                    } else {
                        s
                    }
                })
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect::<Vec<_>>()
        .join(";")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: SourceKind, leg: f64) -> SourceSpec {
        SourceSpec {
            kind,
            n_sources: 2,
            leg,
            grid_n: 21,
            n_random: 100,
            diagonal_extra: 4,
        }
    }

    #[test]
    fn lattice_counts() {
        let mut rng = Rng::new(1);
        assert_eq!(
            generate(&spec(SourceKind::Grid, 0.0), &mut rng).nrows(),
            441
        );
        // x + y > 2 − 0.5 on a 21-level grid of step 0.05 removes the
        // points with i + j > 30: 10 + 9 + … + 1 = 55 of them (the 11 on
        // the line i + j = 30 are kept).
        let t = generate(&spec(SourceKind::Triangle, 0.5), &mut rng);
        assert_eq!(t.nrows(), 441 - 55);
        let mut s3 = spec(SourceKind::Grid, 0.0);
        s3.n_sources = 3;
        assert_eq!(generate(&s3, &mut rng).nrows(), 11 * 11 * 11);
        let r = generate(&spec(SourceKind::Square, 0.0), &mut rng);
        assert_eq!((r.nrows(), r.ncols()), (100, 2));
    }

    #[test]
    fn diagonal_oversampling_keeps_the_support() {
        let mut rng = Rng::new(1);
        let g = generate(&spec(SourceKind::Grid, 0.0), &mut rng);
        let d = generate(&spec(SourceKind::Diagonal, 0.0), &mut rng);
        assert!(d.nrows() > g.nrows());
        // Every lattice point is present, and nothing else.
        let key = |x: &DMatrix<f64>, i: usize| {
            (
                (x[(i, 0)] * 20.0).round() as i64,
                (x[(i, 1)] * 20.0).round() as i64,
            )
        };
        let mut a: Vec<_> = (0..g.nrows()).map(|i| key(&g, i)).collect();
        let mut b: Vec<_> = (0..d.nrows()).map(|i| key(&d, i)).collect();
        a.sort();
        b.sort();
        b.dedup();
        assert_eq!(a, b);
    }

    #[test]
    fn points_round_trip_and_bad_text() {
        let x = parse_points("0.1,0.9; 0.4,0.2;0.5,0.5;").unwrap();
        assert_eq!((x.nrows(), x.ncols()), (3, 2));
        assert_eq!(x[(1, 0)], 0.4);
        assert_eq!(format_points(&x), "0.1,0.9;0.4,0.2;0.5,0.5");
        let y = DMatrix::from_row_slice(3, 2, &[0.123456, -0.5, 1.0, 0.00004, 0.3, 0.7]);
        assert_eq!(format_points(&y), "0.1235,-0.5;1,0;0.3,0.7");
        for bad in [
            "",
            "0.1,0.2",
            "a,b;c,d;e,f",
            "1,2;3;4,5",
            "1,2;3,4,5;6,7",
            "1,2,3,4;1,2,3,4;1,2,3,4",
            "1e999,0;1,1;0,1",
        ] {
            assert!(parse_points(bad).is_err(), "{bad}");
        }
    }
}
