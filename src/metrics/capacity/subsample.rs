//! Subsampling large manifolds before a capacity analysis (MFTMA, and
//! GLUE): each manifold keeps at most N of its points, drawn without
//! replacement with the seeded RNG. This is the usual practice with
//! replicaMFT on large recordings: the anchor QPs grow with the points per
//! manifold, and a few hundred points already sample a manifold's geometry.
//!
//! Manifold μ draws from its own stream `Rng::fork(seed, SUBSAMPLE_STREAM +
//! μ)`, so its subsample depends on neither the other manifolds nor the
//! analyses' own draws (MFTMA uses streams 0 and 1 + μ, the simulated
//! capacity n·2²⁰ + rep). The points kept stay in their original order.

use nalgebra::DMatrix;

use crate::rng::Rng;

/// The first stream number of the subsample draws (manifold μ uses
/// `SUBSAMPLE_STREAM + μ`).
pub const SUBSAMPLE_STREAM: u64 = 1 << 48;

/// `k` of the indices 0..m, uniformly without replacement (a partial
/// Fisher–Yates shuffle), sorted ascending. All of them, without a draw,
/// when k ≥ m.
pub fn choose_indices(m: usize, k: usize, rng: &mut Rng) -> Vec<usize> {
    if k >= m {
        return (0..m).collect();
    }
    let mut idx: Vec<usize> = (0..m).collect();
    for i in 0..k {
        let j = i + rng.below(m - i);
        idx.swap(i, j);
    }
    idx.truncate(k);
    idx.sort_unstable();
    idx
}

/// At most `max_points` of each manifold's rows (`rows[μ]` lists manifold
/// μ's rows of a data matrix): see the module doc. `max_points == 0`
/// keeps every row.
pub fn subsample_rows(rows: &[Vec<usize>], max_points: usize, seed: u64) -> Vec<Vec<usize>> {
    rows.iter()
        .enumerate()
        .map(|(mu, r)| {
            if max_points == 0 || r.len() <= max_points {
                return r.clone();
            }
            let mut rng = Rng::fork(seed, SUBSAMPLE_STREAM + mu as u64);
            choose_indices(r.len(), max_points, &mut rng)
                .into_iter()
                .map(|i| r[i])
                .collect()
        })
        .collect()
}

/// [`subsample_rows`] on manifolds given as samples × features matrices:
/// the same points, copied.
pub fn subsample(manifolds: &[DMatrix<f64>], max_points: usize, seed: u64) -> Vec<DMatrix<f64>> {
    let rows: Vec<Vec<usize>> = manifolds.iter().map(|x| (0..x.nrows()).collect()).collect();
    subsample_rows(&rows, max_points, seed)
        .iter()
        .zip(manifolds)
        .map(|(keep, x)| DMatrix::from_fn(keep.len(), x.ncols(), |i, f| x[(keep[i], f)]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_n_distinct_rows_in_order_reproducibly() {
        let rows: Vec<Vec<usize>> =
            vec![(0..50).collect(), (50..53).collect(), (53..153).collect()];
        let a = subsample_rows(&rows, 10, 7);
        assert_eq!(a, subsample_rows(&rows, 10, 7));
        assert_ne!(a, subsample_rows(&rows, 10, 8));
        assert_eq!(a[1], rows[1], "a manifold with ≤ N points keeps them all");
        for (kept, all) in a.iter().zip(&rows) {
            assert_eq!(kept.len(), all.len().min(10));
            assert!(kept.windows(2).all(|w| w[0] < w[1]), "in order, distinct");
            assert!(kept.iter().all(|r| all.contains(r)));
        }
        assert_eq!(subsample_rows(&rows, 0, 7), rows);
        // Manifold 2's draw does not depend on manifold 0's size.
        let other = vec![(0..20).collect(), (50..53).collect(), (53..153).collect()];
        assert_eq!(subsample_rows(&other, 10, 7)[2], a[2]);
    }

    /// Each of the m indices is kept with probability k/m.
    #[test]
    fn every_point_is_equally_likely() {
        let (m, k, trials) = (12, 4, 6000);
        let mut counts = vec![0usize; m];
        let mut rng = Rng::new(3);
        for _ in 0..trials {
            for i in choose_indices(m, k, &mut rng) {
                counts[i] += 1;
            }
        }
        let want = trials as f64 * k as f64 / m as f64; // 2000
        for c in counts {
            // Binomial sd = sqrt(6000·(1/3)·(2/3)) ≈ 36.5; 5 sd.
            assert!((c as f64 - want).abs() < 183.0, "{c} vs {want}");
        }
    }

    #[test]
    fn matrices_keep_the_chosen_rows() {
        let x = DMatrix::from_fn(30, 3, |i, f| (i * 10 + f) as f64);
        let y = DMatrix::from_fn(4, 3, |i, f| -((i * 10 + f) as f64));
        let s = subsample(&[x.clone(), y.clone()], 5, 1);
        assert_eq!(s[0].shape(), (5, 3));
        assert_eq!(s[1], y);
        for i in 0..5 {
            let r = (s[0][(i, 0)] / 10.0) as usize;
            assert_eq!(s[0].row(i), x.row(r));
        }
    }
}
