//! Pulse trains and cosines for the frequency RNNs of the modularity paper
//! (Dorrell, Hsu, …, Whittington, ICLR 2025, Fig. 3a–d). Every setting is
//! the paper's code's (kylehkhsu/modular, `RNN_linear_modularity_torch.py`
//! and `RNN_nonlinear_modularity.py`):
//!
//! - Time runs over `np.arange(0, T, 0.1)` with T = 20: [`STEPS`] = 200
//!   steps t_n = n·[`DT`].
//! - **Input** (`periodic_pulse`): one pulse per period of a frequency f, a 1
//!   at step ⌊2πn/f/0.1⌋ for n = 0, 1, …, ⌊fT/2π⌋ (while inside the
//!   sequence), 0 elsewhere. One input channel per frequency.
//! - **Target** (`periodic_output`): cos(f t) per frequency.
//! - **The ReLU network** (`solve`, `freq_mixing_terms`) gets its pulses at
//!   (f_max + f_min)/2 and (f_max − f_min)/2 and must output
//!   cos((a + b)t) and cos((a − b)t) for those two, which are the pair's own
//!   cosines, f_max first.
//!
//! The pairs ([`FreqPair`]) are the issue's: (2π, e), (2, 5) and (2, 4).

use nalgebra::DMatrix;

/// The time step.
pub const DT: f64 = 0.1;
/// The sequence's duration T.
pub const DURATION: f64 = 20.0;
/// Steps per sequence: `len(np.arange(0, 20, 0.1))`.
pub const STEPS: usize = 200;

/// A pair of target frequencies (rad per unit time).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FreqPair {
    /// (2π, e): incommensurate, the Lissajous curve fills the square.
    Irrational,
    /// (2, 5): commensurate, neither a multiple of the other.
    Rational,
    /// (2, 4): one a multiple of the other: cos 4t = 2cos²2t − 1, a parabola.
    Harmonic,
}

impl FreqPair {
    pub fn from_key(key: &str) -> Option<FreqPair> {
        Some(match key {
            "irrational" => FreqPair::Irrational,
            "rational" => FreqPair::Rational,
            "harmonic" => FreqPair::Harmonic,
            _ => return None,
        })
    }

    /// (f₁, f₂) in the pair's order.
    pub fn freqs(self) -> [f64; 2] {
        match self {
            FreqPair::Irrational => [2.0 * core::f64::consts::PI, core::f64::consts::E],
            FreqPair::Rational => [2.0, 5.0],
            FreqPair::Harmonic => [2.0, 4.0],
        }
    }
}

/// The time of step n: `np.arange(0, T, 0.1)[n]` = n·0.1.
pub fn time(n: usize) -> f64 {
    n as f64 * DT
}

/// The pulse train at frequency f over [`STEPS`] steps, as
/// `periodic_pulse`: a 1 at step ⌊((2π·n)/f)/0.1⌋ for n = 0..=⌊fT/2π⌋,
/// evaluated in that order of operations.
pub fn pulses(f: f64) -> Vec<f64> {
    let mut x = vec![0.0; STEPS];
    let two_pi = 2.0 * core::f64::consts::PI;
    let count = (f * DURATION / 2.0 / core::f64::consts::PI) as usize + 1;
    for n in 0..count {
        let at = (two_pi * n as f64 / f / DT) as usize;
        if at < STEPS {
            x[at] = 1.0;
        }
    }
    x
}

/// cos(f t_n) for n = 0..steps.
pub fn cosine(f: f64, steps: usize) -> Vec<f64> {
    (0..steps).map(|n| libm::cos(f * time(n))).collect()
}

/// The task of one network: input pulses (steps × 2), targets (steps × 2)
/// and the two frequencies the targets carry, in the targets' column order.
#[derive(Clone, Debug, PartialEq)]
pub struct RhythmTask {
    pub inputs: DMatrix<f64>,
    pub targets: DMatrix<f64>,
    pub target_freqs: [f64; 2],
}

/// The linear network's task: pulses at f₁ and f₂, targets cos f₁t, cos f₂t.
pub fn linear_task(pair: FreqPair) -> RhythmTask {
    let [f1, f2] = pair.freqs();
    let (p1, p2) = (pulses(f1), pulses(f2));
    let (c1, c2) = (cosine(f1, STEPS), cosine(f2, STEPS));
    RhythmTask {
        inputs: DMatrix::from_fn(STEPS, 2, |n, k| if k == 0 { p1[n] } else { p2[n] }),
        targets: DMatrix::from_fn(STEPS, 2, |n, k| if k == 0 { c1[n] } else { c2[n] }),
        target_freqs: [f1, f2],
    }
}

/// The ReLU network's task (`RNN_nonlinear_modularity.py`): pulses at
/// a = (f_max + f_min)/2 and b = (f_max − f_min)/2, targets cos((a + b)t)
/// and cos((a − b)t), i.e. cos f_max t and cos f_min t.
pub fn relu_task(pair: FreqPair) -> RhythmTask {
    let [f1, f2] = pair.freqs();
    let (hi, lo) = (f1.max(f2), f1.min(f2));
    let (a, b) = ((hi + lo) / 2.0, (hi - lo) / 2.0);
    let (p1, p2) = (pulses(a), pulses(b));
    let (c1, c2) = (cosine(a + b, STEPS), cosine(a - b, STEPS));
    RhythmTask {
        inputs: DMatrix::from_fn(STEPS, 2, |n, k| if k == 0 { p1[n] } else { p2[n] }),
        targets: DMatrix::from_fn(STEPS, 2, |n, k| if k == 0 { c1[n] } else { c2[n] }),
        target_freqs: [a + b, (a - b).abs()],
    }
}

/// The pair's Lissajous curve (cos f₁t, cos f₂t) at t_n = n·0.1 for
/// n = 0..steps (samples × 2): the joint support of the two targets, the
/// "sources" whose range the theory reads.
pub fn lissajous(pair: FreqPair, steps: usize) -> DMatrix<f64> {
    let [f1, f2] = pair.freqs();
    let (c1, c2) = (cosine(f1, steps), cosine(f2, steps));
    DMatrix::from_fn(steps, 2, |n, k| if k == 0 { c1[n] } else { c2[n] })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pulses_fall_once_per_period() {
        // f = 2: period π, pulses at ⌊10πn⌋ = 0, 31, 62, 94, 125, 157, 188.
        let idx: Vec<usize> = pulses(2.0)
            .iter()
            .enumerate()
            .filter(|p| *p.1 == 1.0)
            .map(|p| p.0)
            .collect();
        assert_eq!(idx, vec![0, 31, 62, 94, 125, 157, 188]);
        // f = 2π: period 1, a pulse every 10 steps (rounding may put one a
        // step early), 20 in all.
        let p = pulses(2.0 * core::f64::consts::PI);
        assert_eq!(p.iter().filter(|v| **v == 1.0).count(), 20);
    }

    #[test]
    fn relu_targets_are_the_pairs_cosines() {
        for pair in [FreqPair::Irrational, FreqPair::Rational, FreqPair::Harmonic] {
            let t = relu_task(pair);
            let [f1, f2] = pair.freqs();
            let (hi, lo) = (f1.max(f2), f1.min(f2));
            for n in 0..STEPS {
                assert!((t.targets[(n, 0)] - libm::cos(hi * time(n))).abs() < 1e-12);
                assert!((t.targets[(n, 1)] - libm::cos(lo * time(n))).abs() < 1e-12);
            }
        }
        // The harmonic pair's curve is the parabola y = 2x² − 1.
        let c = lissajous(FreqPair::Harmonic, 500);
        for n in 0..500 {
            let x = c[(n, 0)];
            assert!((c[(n, 1)] - (2.0 * x * x - 1.0)).abs() < 1e-12);
        }
    }
}
