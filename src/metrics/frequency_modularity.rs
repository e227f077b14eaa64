//! Frequency modularity of a recurrent code (Dorrell, Hsu, …, Whittington,
//! ICLR 2025, Fig. 3a–d): how far each neuron's activity is carried by one
//! target frequency rather than several. As the paper's code computes it
//! (kylehkhsu/modular, `rel_fft_power` and `MI` in
//! `RNN_linear_modularity_torch.py`):
//!
//! - Each neuron's activity over the sequence, h_i(t_n) (n = 0..N, step dt),
//!   is demeaned and Fourier transformed: X_k = Σ_n x_n e^{−2πikn/N}.
//! - Only the non-negative frequencies of `np.fft.fftfreq` are kept,
//!   ω_k = 2πk/(N dt) for k = 0..⌈N/2⌉ − 1.
//! - **M_ij** = Σ_{k: |ω_k − f_j| ≤ δ} (|X_k| + 1e-8) / Σ_k (|X_k| + 1e-8),
//!   the neuron's share of the spectrum within δ = 0.2 rad per unit time of
//!   target frequency f_j. (The code's function is named `rel_fft_power`,
//!   but it sums magnitudes |X_k|, not their squares; so does this.)
//! - **MI** = (Σ_i max_j M_ij / Σ_ij M_ij − 1/F)/(1 − 1/F) for F target
//!   frequencies: 1 when every neuron's share sits at one frequency, 0 when
//!   each neuron splits it evenly. Every neuron counts (the code has no
//!   active-neuron filter); a silent neuron's shares are those of the 1e-8
//!   floor, a few per cent spread over the windows.
//!
//! The transform is a direct sum (N = 200 here), with twiddles
//! cos/sin(2π·(kn mod N)/N) from `libm`, so it gives the same bits natively
//! and in wasm.

use nalgebra::DMatrix;

/// Half-width of the window around each target frequency (rad per unit
/// time), the paper's `delta=0.2`.
pub const WINDOW: f64 = 0.2;

/// The floor added to every magnitude (`np.absolute(spectrum) + 1e-8`).
const FLOOR: f64 = 1e-8;

/// |X_k| of the demeaned signal for the non-negative frequencies
/// k = 0..⌈N/2⌉ − 1 (direct DFT).
pub fn magnitudes(signal: &[f64]) -> Vec<f64> {
    let n = signal.len();
    if n == 0 {
        return Vec::new();
    }
    let mut mean = 0.0;
    for v in signal {
        mean += v;
    }
    mean /= n as f64;
    let x: Vec<f64> = signal.iter().map(|v| v - mean).collect();
    let two_pi = 2.0 * core::f64::consts::PI;
    let (cos, sin): (Vec<f64>, Vec<f64>) = (0..n)
        .map(|m| {
            let a = two_pi * m as f64 / n as f64;
            (libm::cos(a), libm::sin(a))
        })
        .unzip();
    (0..n.div_ceil(2))
        .map(|k| {
            let (mut re, mut im) = (0.0, 0.0);
            for (j, v) in x.iter().enumerate() {
                let m = (k * j) % n;
                re += v * cos[m];
                im -= v * sin[m];
            }
            libm::hypot(re, im)
        })
        .collect()
}

/// ω_k = 2πk/(N dt) for the non-negative frequencies, as
/// `np.fft.fftfreq(N, d=dt) * 2 * np.pi` computes them.
pub fn angular_frequencies(n: usize, dt: f64) -> Vec<f64> {
    let val = 1.0 / (n as f64 * dt);
    (0..n.div_ceil(2))
        .map(|k| k as f64 * val * (2.0 * core::f64::consts::PI))
        .collect()
}

/// M (neurons × frequencies): each neuron's share of its spectrum within
/// [`WINDOW`] of each frequency. `h` is steps × neurons, sampled every `dt`.
pub fn frequency_shares(h: &DMatrix<f64>, freqs: &[f64], dt: f64) -> DMatrix<f64> {
    let omega = angular_frequencies(h.nrows(), dt);
    let mut m = DMatrix::zeros(h.ncols(), freqs.len());
    for i in 0..h.ncols() {
        let col: Vec<f64> = h.column(i).iter().copied().collect();
        let mag: Vec<f64> = magnitudes(&col).iter().map(|v| v + FLOOR).collect();
        let mut total = 0.0;
        for v in &mag {
            total += v;
        }
        for (j, &f) in freqs.iter().enumerate() {
            let mut s = 0.0;
            for (w, v) in omega.iter().zip(&mag) {
                if (w - f).abs() <= WINDOW {
                    s += v;
                }
            }
            m[(i, j)] = if total > 0.0 { s / total } else { 0.0 };
        }
    }
    m
}

/// MI = (Σ_i max_j M_ij / Σ_ij M_ij − 1/F)/(1 − 1/F); NaN if M sums to 0 or
/// has fewer than two columns.
pub fn modularity_index(m: &DMatrix<f64>) -> f64 {
    let f = m.ncols();
    if f < 2 {
        return f64::NAN;
    }
    let (mut top, mut all) = (0.0, 0.0);
    for i in 0..m.nrows() {
        let mut best = f64::NEG_INFINITY;
        for j in 0..f {
            best = best.max(m[(i, j)]);
            all += m[(i, j)];
        }
        top += best;
    }
    if all <= 0.0 {
        return f64::NAN;
    }
    let inv = 1.0 / f as f64;
    (top / all - inv) / (1.0 - inv)
}

/// The frequency modularity of a code: [`modularity_index`] of
/// [`frequency_shares`].
pub fn frequency_modularity(h: &DMatrix<f64>, freqs: &[f64], dt: f64) -> f64 {
    modularity_index(&frequency_shares(h, freqs, dt))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parseval: Σ over all N frequencies of |X_k|² = N Σ x² (demeaned);
    /// for a real signal the negative half mirrors the positive one.
    #[test]
    fn magnitudes_satisfy_parseval() {
        let n = 64;
        let x: Vec<f64> = (0..n)
            .map(|i| libm::sin(0.3 * i as f64) + 0.2 * ((i * i) % 7) as f64)
            .collect();
        let mean = x.iter().sum::<f64>() / n as f64;
        let energy: f64 = x.iter().map(|v| (v - mean) * (v - mean)).sum();
        let mag = magnitudes(&x);
        // k = 0 (0 after demeaning) and N/2 appear once, 1..N/2 twice;
        // N/2 is not among the non-negative frequencies: add it directly.
        let nyq: f64 = x
            .iter()
            .enumerate()
            .map(|(i, v)| if i % 2 == 0 { v - mean } else { mean - v })
            .sum();
        let mut sum = mag[0] * mag[0] + nyq * nyq;
        for m in &mag[1..] {
            sum += 2.0 * m * m;
        }
        assert!((sum - n as f64 * energy).abs() < 1e-9 * sum);
    }

    /// The same magnitudes by a second path: complex exponentials at the
    /// angle 2πkn/N taken directly (no table, no reduction mod N).
    #[test]
    fn magnitudes_match_a_direct_complex_sum() {
        let n = 200;
        let x: Vec<f64> = (0..n)
            .map(|i| libm::cos(2.7 * i as f64 * 0.1) + 0.3 * libm::sin(0.9 * i as f64))
            .collect();
        let mean = x.iter().sum::<f64>() / n as f64;
        let mag = magnitudes(&x);
        assert_eq!(mag.len(), 100);
        for (k, m) in mag.iter().enumerate() {
            let (mut re, mut im) = (0.0, 0.0);
            for (j, v) in x.iter().enumerate() {
                let a = -2.0 * core::f64::consts::PI * (k * j) as f64 / n as f64;
                re += (v - mean) * a.cos();
                im += (v - mean) * a.sin();
            }
            assert!((m - (re * re + im * im).sqrt()).abs() < 1e-9, "k = {k}");
        }
    }

    /// Neurons that are pure cosines at exact DFT bins (ω_20 = 2π and
    /// ω_9 = 0.9π for N = 200, dt = 0.1) put all their share at their
    /// frequency; one that sums both puts half at each. With a pure and b
    /// mixed neurons, MI = a/(a + b), up to the 1e-8 floor.
    #[test]
    fn pure_and_mixed_neurons() {
        let (n, dt) = (200, 0.1);
        let omega = angular_frequencies(n, dt);
        let (f1, f2) = (omega[20], omega[9]);
        assert!((f1 - 2.0 * core::f64::consts::PI).abs() < 1e-12);
        let wave = |f: f64, t: usize| libm::cos(f * t as f64 * dt);
        let h = DMatrix::from_fn(n, 6, |t, i| match i {
            0..=2 => 2.0 * wave(f1, t) + 1.0,
            3 | 4 => 0.5 * wave(f2, t),
            _ => wave(f1, t) + wave(f2, t),
        });
        let m = frequency_shares(&h, &[f1, f2], dt);
        for i in 0..5 {
            let (on, off) = if i < 3 { (0, 1) } else { (1, 0) };
            assert!((m[(i, on)] - 1.0).abs() < 1e-6 && m[(i, off)] < 1e-6, "{m}");
        }
        assert!((m[(5, 0)] - 0.5).abs() < 1e-6 && (m[(5, 1)] - 0.5).abs() < 1e-6);
        assert!((modularity_index(&m) - 5.0 / 6.0).abs() < 1e-6);
        // A frequency between two bins, within the window of both
        // (ω_6 = 1.885 and ω_7 = 2.199 for f = 2): both count.
        let w = angular_frequencies(n, dt);
        let inside: Vec<usize> = (0..w.len())
            .filter(|&k| (w[k] - 2.0).abs() <= WINDOW)
            .collect();
        assert_eq!(inside, vec![6, 7]);
    }
}
