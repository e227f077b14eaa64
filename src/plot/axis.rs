//! Axis ranges, tick positions and tick labels, computed here rather than by
//! plotters so that linear, log and symlog axes look the same in the page
//! and the CLI.
//!
//! Everything is in *display space*: a log axis works on log10 of the data,
//! a symlog axis on sign(v)·log10(1 + |v|/c) ([`Map`]), so that plotters
//! only ever sees a linear `f64` range.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};

use crate::snapshot::Scale;

/// How data values map to display space on one axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Map {
    /// d = v.
    Linear,
    /// d = log10 v; v ≤ 0 cannot be shown. With a floor f, positive values
    /// below f are drawn at f (the chart says how many).
    Log { floor: Option<f64> },
    /// d = sign(v)·log10(1 + |v|/c): linear near 0, logarithmic beyond ±c.
    Symlog { c: f64 },
}

impl Map {
    /// The map of `scale` for these data values: symlog takes its c from
    /// them ([`symlog_threshold`]); a log floor must be positive to count.
    pub fn of(scale: Scale, values: impl IntoIterator<Item = f64>, floor: Option<f64>) -> Map {
        match scale {
            Scale::Linear => Map::Linear,
            Scale::Log => Map::Log {
                floor: floor.filter(|f| f.is_finite() && *f > 0.0),
            },
            Scale::Symlog => Map::Symlog {
                c: symlog_threshold(values),
            },
        }
    }

    /// A data value in display space; `None` if it cannot be shown (NaN,
    /// ±inf, or ≤ 0 on a log axis).
    pub fn to_display(self, v: f64) -> Option<f64> {
        if !v.is_finite() {
            return None;
        }
        match self {
            Map::Linear => Some(v),
            Map::Log { floor } if v > 0.0 => Some(libm::log10(floor.map_or(v, |f| v.max(f)))),
            Map::Log { .. } => None,
            Map::Symlog { c } => {
                let d = libm::log10(1.0 + v.abs() / c);
                Some(if v < 0.0 { -d } else { d })
            }
        }
    }

    /// The data value at a display position (the inverse of
    /// [`Map::to_display`] where that is one to one).
    pub fn from_display(self, d: f64) -> f64 {
        match self {
            Map::Linear => d,
            Map::Log { .. } => libm::pow(10.0, d),
            Map::Symlog { c } => {
                let v = c * (libm::pow(10.0, d.abs()) - 1.0);
                if d < 0.0 {
                    -v
                } else {
                    v
                }
            }
        }
    }

    pub fn is_log(self) -> bool {
        matches!(self, Map::Log { .. })
    }

    /// Whether `v` is dropped only because it is ≤ 0 on a log axis.
    pub fn drops(self, v: f64) -> bool {
        self.is_log() && v.is_finite() && v <= 0.0
    }

    /// Whether `v` is drawn on the floor of a log axis rather than at its value.
    pub fn clips(self, v: f64) -> bool {
        matches!(self, Map::Log { floor: Some(f) } if v.is_finite() && v > 0.0 && v < f)
    }
}

/// The linear threshold c of a symlog axis over `values`: the power of ten
/// at or below the smallest nonzero |v|, but no lower than 1e-6 of the
/// largest |v| (so that a residue of 1e-30 does not stretch the axis); 1 when
/// every value is 0 or none is finite.
pub fn symlog_threshold(values: impl IntoIterator<Item = f64>) -> f64 {
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for v in values.into_iter().filter(|v| v.is_finite() && *v != 0.0) {
        lo = lo.min(v.abs());
        hi = hi.max(v.abs());
    }
    if hi == 0.0 {
        return 1.0;
    }
    libm::pow(10.0, libm::floor(libm::log10(lo.max(hi * 1e-6))))
}

/// One axis: its display-space range, its map from data, labelled ticks and
/// unlabelled minor ticks.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub map: Map,
    /// (position, label) of each major tick, in display space.
    pub ticks: Vec<(f64, String)>,
    /// Minor grid positions (log axes: 2…9 × 10^k), in display space.
    pub minor: Vec<f64>,
}

impl Axis {
    /// An axis covering display-space values `[min, max]`, padded by
    /// `pad` (a fraction of the span) on each side, with about `target` ticks.
    pub fn new(min: f64, max: f64, map: Map, pad: f64, target: usize) -> Axis {
        let logish = !matches!(map, Map::Linear);
        let (mut lo, mut hi) = if min.is_finite() && max.is_finite() && min <= max {
            (min, max)
        } else {
            (0.0, 1.0)
        };
        if hi - lo <= span_floor(lo, hi, logish) {
            // A flat series: give it some room around its value.
            let half = if logish {
                0.5
            } else {
                (lo.abs() * 0.1).max(0.5)
            };
            lo -= half;
            hi += half;
        } else {
            let p = (hi - lo) * pad;
            lo -= p;
            hi += p;
        }
        if let Map::Log { floor: Some(f) } = map {
            // Nothing is drawn below the floor: the axis stops there.
            lo = lo.max(libm::log10(f));
            hi = hi.max(lo + 1e-9);
        }
        let target = target.max(2);
        let (ticks, minor) = match map {
            Map::Linear => (linear_ticks(lo, hi, target), vec![]),
            Map::Log { .. } => log_ticks(lo, hi, target),
            Map::Symlog { c } => symlog_ticks(lo, hi, c, target),
        };
        Axis {
            lo,
            hi,
            map,
            ticks,
            minor,
        }
    }

    /// Whether the axis is logarithmic.
    pub fn is_log(&self) -> bool {
        self.map.is_log()
    }

    /// An axis exactly over `[lo, hi]` with no ticks (for an empty chart).
    pub fn bare(lo: f64, hi: f64) -> Axis {
        Axis {
            lo,
            hi,
            map: Map::Linear,
            ticks: vec![],
            minor: vec![],
        }
    }

    /// The label of the major tick at display position `v` ("" if none).
    pub fn label(&self, v: f64) -> String {
        let tol = (self.hi - self.lo).abs() * 1e-9;
        self.ticks
            .iter()
            .find(|(p, _)| (p - v).abs() <= tol)
            .map(|(_, l)| l.clone())
            .unwrap_or_default()
    }

    /// Tick positions only.
    pub fn positions(&self) -> Vec<f64> {
        self.ticks.iter().map(|(p, _)| *p).collect()
    }
}

/// An axis is a plotters coordinate: linear over `[lo, hi]`, with our own
/// tick positions (major for bold grid lines and labels, minor for light
/// ones). Labels come from the mesh's formatter, which calls [`Axis::label`].
impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let span = self.hi - self.lo;
        let len = (limit.1 - limit.0) as f64;
        // A NaN span counts as empty too.
        if span.abs().partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) || !v.is_finite() {
            return limit.0 + (len / 2.0) as i32;
        }
        let f = ((v - self.lo) / span).clamp(-10.0, 10.0);
        limit.0 + (len * f + 1e-3).floor() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.minor.clone()
        } else {
            self.positions()
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// The smallest span treated as non-degenerate.
fn span_floor(lo: f64, hi: f64, log: bool) -> f64 {
    if log {
        1e-9
    } else {
        (lo.abs().max(hi.abs()) * 1e-12).max(1e-300)
    }
}

/// A "nice" step (1, 2, 2.5 or 5 × 10^k) giving about `target` ticks over `span`.
pub fn nice_step(span: f64, target: usize) -> f64 {
    let raw = span / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let m = raw / mag;
    let nice = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 2.5 {
        2.5
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// Linear ticks at multiples of a nice step, with labels that show just
/// enough digits to tell neighbours apart.
pub fn linear_ticks(lo: f64, hi: f64, target: usize) -> Vec<(f64, String)> {
    let span = hi - lo;
    if span.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) || !span.is_finite() {
        return vec![];
    }
    let step = nice_step(span, target);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    if last < first || last - first > 1000 {
        return vec![];
    }
    let biggest = lo.abs().max(hi.abs());
    (first..=last)
        .map(|i| {
            let v = i as f64 * step;
            (v, format_linear(v, step, biggest))
        })
        .collect()
}

/// A tick value printed with as many decimals as its step needs; scientific
/// (`2.5e-4`, `1.2e6`) for very small or very large magnitudes.
pub fn format_linear(v: f64, step: f64, biggest: f64) -> String {
    let v = if v.abs() < step * 1e-6 { 0.0 } else { v };
    if !(1e-3..1e6).contains(&biggest) {
        if v == 0.0 {
            return "0".into();
        }
        let exp = biggest.log10().floor();
        let mant_step = step / 10f64.powf(exp);
        let digits = decimals_for(mant_step);
        return trim_exp(&format!("{:.*e}", digits, v));
    }
    let digits = decimals_for(step);
    format!("{:.*}", digits, v)
}

/// Decimals needed to print multiples of `step` exactly (for nice steps).
fn decimals_for(step: f64) -> usize {
    let mut d = 0usize;
    let mut s = step;
    while d < 12 && (s - s.round()).abs() > 1e-6 * s.abs().max(1e-300) {
        s *= 10.0;
        d += 1;
    }
    d
}

/// Rust prints `1.0e-3`; shorten mantissas like `1.0` to `1`.
fn trim_exp(s: &str) -> String {
    match s.split_once('e') {
        Some((m, e)) => {
            let m = if m.contains('.') {
                m.trim_end_matches('0').trim_end_matches('.')
            } else {
                m
            };
            format!("{m}e{e}")
        }
        None => s.to_string(),
    }
}

/// The label of 10^k: plain decimals while short, `1e-3` style otherwise.
pub fn power_label(k: i32, plain: bool) -> String {
    if plain {
        if k >= 0 {
            format!("{}", 10u64.pow(k as u32))
        } else {
            format!("{:.*}", (-k) as usize, 10f64.powi(k))
        }
    } else if k == 0 {
        "1".into()
    } else {
        format!("1e{k}")
    }
}

/// The label of m × 10^k for a small integer m.
fn mantissa_label(m: u32, k: i32, plain: bool) -> String {
    if m == 1 {
        return power_label(k, plain);
    }
    if plain {
        if k >= 0 {
            format!("{}", m as u64 * 10u64.pow(k as u32))
        } else {
            format!("{:.*}", (-k) as usize, m as f64 * 10f64.powi(k))
        }
    } else {
        format!("{m}e{k}")
    }
}

/// Ticks for a log axis over display range [lo, hi] (log10 units): whole
/// decades when the range spans at least two, else 1-2-5 steps, else
/// linear ticks in data space. Minor lines at 2…9 × 10^k.
fn log_ticks(lo: f64, hi: f64, target: usize) -> (Vec<(f64, String)>, Vec<f64>) {
    let k_lo = lo.ceil() as i32;
    let k_hi = hi.floor() as i32;
    let plain_ok = |a: i32, b: i32| a >= -2 && b <= 3;
    let decades = k_hi - k_lo + 1;
    let mut minor = Vec::new();
    if decades >= 2 {
        let stride = ((decades as f64) / target as f64).ceil().max(1.0) as i32;
        let plain = plain_ok(k_lo, k_hi);
        let ticks: Vec<(f64, String)> = (k_lo..=k_hi)
            .filter(|k| k.rem_euclid(stride) == 0)
            .map(|k| (k as f64, power_label(k, plain)))
            .collect();
        if stride == 1 && decades <= 12 {
            for k in (lo.floor() as i32)..=(hi.ceil() as i32) {
                for m in 2..10 {
                    let p = k as f64 + (m as f64).log10();
                    if p > lo && p < hi {
                        minor.push(p);
                    }
                }
            }
        } else if stride > 1 {
            minor = (k_lo..=k_hi)
                .filter(|k| k.rem_euclid(stride) != 0)
                .map(|k| k as f64)
                .collect();
        }
        if ticks.len() >= 2 {
            return (ticks, minor);
        }
    }
    // Less than two decades: 1, 2, 5 × 10^k, or every m × 10^k when that
    // gives too few labels.
    let plain = plain_ok(lo.floor() as i32, hi.ceil() as i32);
    let at = |mantissas: &[u32]| -> Vec<(f64, String)> {
        let mut ticks = Vec::new();
        for k in (lo.floor() as i32)..=(hi.ceil() as i32) {
            for &m in mantissas {
                let p = k as f64 + (m as f64).log10();
                if p >= lo && p <= hi {
                    ticks.push((p, mantissa_label(m, k, plain)));
                }
            }
        }
        ticks
    };
    let mut ticks = at(&[1, 2, 5]);
    if ticks.len() < 3 {
        let all = at(&[1, 2, 3, 4, 5, 6, 7, 8, 9]);
        if all.len() <= target + 2 {
            ticks = all;
        } else if all.len() > ticks.len() {
            ticks = at(&[1, 2, 3, 5, 7]);
        }
    }
    if ticks.len() >= 2 {
        for k in (lo.floor() as i32)..=(hi.ceil() as i32) {
            for m in 2u32..10 {
                let p = k as f64 + (m as f64).log10();
                if p > lo && p < hi && !ticks.iter().any(|(t, _)| (t - p).abs() < 1e-12) {
                    minor.push(p);
                }
            }
        }
        return (ticks, minor);
    }
    // A narrow range: linear ticks in data space, placed on the log axis.
    let (a, b) = (10f64.powf(lo), 10f64.powf(hi));
    let ticks = linear_ticks(a, b, target.min(4))
        .into_iter()
        .filter(|(v, _)| *v > 0.0)
        .map(|(v, l)| (v.log10(), l))
        .collect();
    (ticks, vec![])
}

/// Ticks for a symlog axis of threshold c over display range [lo, hi]: 0
/// and ±c·10^k (every `stride`-th decade, so that about `target` are
/// labelled), minor lines at ±m·c·10^k; linear ticks in data space when the
/// range holds fewer than two of those.
fn symlog_ticks(lo: f64, hi: f64, c: f64, target: usize) -> (Vec<(f64, String)>, Vec<f64>) {
    let map = Map::Symlog { c };
    let e = libm::round(libm::log10(c)) as i32;
    let at = |k: i32| libm::log10(1.0 + libm::pow(10.0, k as f64));
    // Decades on the wider side.
    let reach = lo.abs().max(hi.abs());
    let mut kmax = 0;
    while kmax < 400 && at(kmax + 1) <= reach {
        kmax += 1;
    }
    let both = lo < 0.0 && hi > 0.0;
    let count = (kmax + 1) as usize * if both { 2 } else { 1 } + 1;
    let stride = count.div_ceil(target.max(2)).max(1) as i32;
    let plain = e >= -2 && e + kmax <= 3;
    let mut ticks = Vec::new();
    if lo <= 0.0 && hi >= 0.0 {
        ticks.push((0.0, "0".to_string()));
    }
    let mut minor = Vec::new();
    for k in 0..=kmax {
        let p = at(k);
        let label = power_label(e + k, plain);
        for (sign, prefix) in [(1.0, ""), (-1.0, "-")] {
            let q = sign * p;
            if q < lo || q > hi {
                continue;
            }
            if k % stride == 0 {
                ticks.push((q, format!("{prefix}{label}")));
            } else {
                minor.push(q);
            }
            if stride == 1 && kmax <= 12 {
                for m in 2..10 {
                    let r = sign * libm::log10(1.0 + m as f64 * libm::pow(10.0, k as f64));
                    if r > lo && r < hi {
                        minor.push(r);
                    }
                }
            }
        }
    }
    crate::sort::sort_by(&mut ticks, &|a, b| a.0.total_cmp(&b.0));
    if ticks.len() >= 2 {
        return (ticks, minor);
    }
    // A narrow range: linear ticks in data space, placed on the symlog axis.
    let (a, b) = (map.from_display(lo), map.from_display(hi));
    let ticks = linear_ticks(a, b, target.min(4))
        .into_iter()
        .filter_map(|(v, l)| map.to_display(v).map(|d| (d, l)))
        .collect();
    (ticks, vec![])
}

/// Display text for a metric value or colour-bar tick: 4 significant digits,
/// scientific outside [1e-3, 1e5).
pub fn format_value(v: f64) -> String {
    if v.is_nan() {
        return "—".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "∞".into()
        } else {
            "−∞".into()
        };
    }
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if !(1e-3..1e5).contains(&a) {
        return trim_exp(&format!("{:.3e}", v));
    }
    let digits = (3 - a.log10().floor() as i32).max(0) as usize;
    let s = format!("{:.*}", digits, v);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: Map = Map::Log { floor: None };

    fn labels(ticks: &[(f64, String)]) -> Vec<&str> {
        ticks.iter().map(|(_, l)| l.as_str()).collect()
    }

    #[test]
    fn linear_ticks_are_nice() {
        assert_eq!(
            labels(&linear_ticks(0.0, 2000.0, 5)),
            ["0", "500", "1000", "1500", "2000"]
        );
        assert_eq!(
            labels(&linear_ticks(0.0, 1.0, 5)),
            ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]
        );
        assert_eq!(
            labels(&linear_ticks(-0.013, 0.013, 4)),
            ["-0.01", "0.00", "0.01"]
        );
        assert_eq!(
            labels(&linear_ticks(0.0, 0.0004, 4)),
            ["0", "1e-4", "2e-4", "3e-4", "4e-4"]
        );
        assert_eq!(
            labels(&linear_ticks(0.0, 3e6, 3)),
            ["0", "1e6", "2e6", "3e6"]
        );
    }

    #[test]
    fn log_ticks_use_decades() {
        let a = Axis::new(-4.0, 0.0, LOG, 0.0, 6);
        assert_eq!(labels(&a.ticks), ["1e-4", "1e-3", "1e-2", "1e-1", "1"]);
        assert!(!a.minor.is_empty());
        let a = Axis::new(-1.0, 2.0, LOG, 0.0, 6);
        assert_eq!(labels(&a.ticks), ["0.1", "1", "10", "100"]);
        let a = Axis::new(-40.0, 40.0, LOG, 0.0, 5);
        assert!(a.ticks.len() <= 6, "{:?}", a.ticks);
    }

    #[test]
    fn half_a_decade_gets_more_than_two_labels() {
        let a = Axis::new(0.1f64.log10(), 0.3f64.log10(), LOG, 0.0, 5);
        assert_eq!(labels(&a.ticks), ["0.1", "0.2", "0.3"]);
    }

    #[test]
    fn narrow_log_ranges_still_have_ticks() {
        let a = Axis::new(0.0f64.log10(), 0.0, LOG, 0.0, 5);
        assert!(a.ticks.len() >= 2);
        let a = Axis::new(0.3, 0.9, LOG, 0.0, 5);
        assert!(a.ticks.len() >= 2, "{:?}", a.ticks);
        let a = Axis::new(0.31, 0.33, LOG, 0.0, 5);
        assert!(a.ticks.len() >= 2, "{:?}", a.ticks);
    }

    #[test]
    fn flat_and_bad_ranges_are_padded() {
        let a = Axis::new(3.0, 3.0, Map::Linear, 0.05, 5);
        assert!(a.lo < 3.0 && a.hi > 3.0);
        let a = Axis::new(f64::NAN, 1.0, Map::Linear, 0.05, 5);
        assert!(a.lo.is_finite() && a.hi.is_finite() && a.lo < a.hi);
    }

    #[test]
    fn symlog_maps_both_signs_and_inverts() {
        let m = Map::Symlog { c: 0.01 };
        // Linear near 0 (slope 1/(c ln 10)), odd, and log10(v/c) far out.
        assert_eq!(m.to_display(0.0), Some(0.0));
        let small = m.to_display(1e-5).unwrap();
        assert!((small - 1e-5 / (0.01 * std::f64::consts::LN_10)).abs() < 1e-6);
        assert_eq!(m.to_display(-3.0), m.to_display(3.0).map(|d| -d));
        assert!((m.to_display(1e4).unwrap() - 6.0).abs() < 1e-5);
        for v in [-250.0, -0.3, -1e-4, 0.0, 2e-3, 0.5, 7.0, 1e6] {
            let back = m.from_display(m.to_display(v).unwrap());
            assert!(
                (back - v).abs() <= 1e-12 * v.abs().max(1e-3),
                "{v} → {back}"
            );
        }
        assert_eq!(m.to_display(f64::NAN), None);
        assert!(!m.drops(-1.0));
    }

    #[test]
    fn symlog_thresholds_come_from_the_smallest_nonzero_value() {
        assert_eq!(symlog_threshold([0.0, -0.035, 0.2, 1.0]), 0.01);
        assert_eq!(symlog_threshold([0.0, 3e-4, -70.0]), 1e-4);
        // A residue far below the rest does not stretch the axis.
        assert_eq!(symlog_threshold([1e-30, 1.0]), 1e-6);
        assert_eq!(symlog_threshold([0.0, f64::NAN]), 1.0);
    }

    #[test]
    fn symlog_ticks_are_zero_and_signed_decades() {
        let m = Map::Symlog { c: 0.01 };
        let (lo, hi) = (m.to_display(-1.0).unwrap(), m.to_display(100.0).unwrap());
        let a = Axis::new(lo, hi, m, 0.0, 12);
        assert_eq!(
            labels(&a.ticks),
            ["-1", "-0.1", "-0.01", "0", "0.01", "0.1", "1", "10", "100"]
        );
        // Each tick sits where its value maps.
        for (p, l) in &a.ticks {
            let v: f64 = l.parse().unwrap();
            assert!((m.to_display(v).unwrap() - p).abs() < 1e-12, "{l}");
        }
        // Fewer labels when the target is small, 0 always among them.
        let a = Axis::new(lo, hi, m, 0.0, 4);
        assert!(
            a.ticks.len() <= 5 && labels(&a.ticks).contains(&"0"),
            "{:?}",
            a.ticks
        );
        // Inside ±c: linear ticks in data space.
        let a = Axis::new(
            m.to_display(-0.004).unwrap(),
            m.to_display(0.004).unwrap(),
            m,
            0.0,
            4,
        );
        assert!(a.ticks.len() >= 2, "{:?}", a.ticks);
    }

    #[test]
    fn a_log_floor_stops_the_axis() {
        let m = Map::Log { floor: Some(1e-8) };
        assert_eq!(m.to_display(1e-30), Some(-8.0));
        assert!(m.clips(1e-30) && !m.clips(1e-3) && !m.clips(0.0));
        let a = Axis::new(-8.0, 0.0, m, 0.05, 6);
        assert_eq!(a.lo, -8.0);
        assert!(a.hi > 0.0);
        // Data above the floor keep their own range.
        let a = Axis::new(-3.0, 0.0, m, 0.0, 6);
        assert_eq!(a.lo, -3.0);
    }

    #[test]
    fn values_format_compactly() {
        assert_eq!(format_value(0.123456), "0.1235");
        assert_eq!(format_value(12.5), "12.5");
        assert_eq!(format_value(2.5e-5), "2.5e-5");
        assert_eq!(format_value(f64::NAN), "—");
        assert_eq!(format_value(1234.0), "1234");
    }
}
