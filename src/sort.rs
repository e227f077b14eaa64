//! Stable sorts through one compiled copy per element type.
//!
//! `slice::sort_by` is compiled anew for every comparator closure (each
//! closure is its own type) and element type, about 5 KB of wasm each
//! time; some twenty call sites made a tenth of the page's wasm code. These
//! wrappers sort positions (`usize`) with the same stable sort, the
//! comparator behind a `&dyn Fn`, and permute the slice: one compiled sort
//! in all, and every result is the same (equal elements keep their order).
//! The indirect call per comparison and the permutation cost nothing
//! measurable next to the work around these sorts (a handful to a few
//! thousand elements, once per analysis step).

use std::cmp::Ordering;

/// `v.sort_by(cmp)`: stable, the same order. The positions are sorted (the
/// one compiled sort, on `usize`), then `v` is permuted in place.
pub fn sort_by<T>(v: &mut [T], cmp: &dyn Fn(&T, &T) -> Ordering) {
    let mut order: Vec<usize> = (0..v.len()).collect();
    sort_indices(&mut order, &|&i, &j| cmp(&v[i], &v[j]));
    permute(v, order);
}

/// Stable sort of positions by a comparator.
fn sort_indices(order: &mut [usize], cmp: &dyn Fn(&usize, &usize) -> Ordering) {
    order.sort_by(|a, b| cmp(a, b));
}

/// Rearrange `v` so that its entry k is the old `v[order[k]]` (`order` a
/// permutation), following each cycle of the permutation with swaps.
fn permute<T>(v: &mut [T], mut order: Vec<usize>) {
    for start in 0..v.len() {
        // Done (or fixed) positions point at themselves.
        let mut at = start;
        while order[at] != at {
            let from = order[at];
            order[at] = at;
            if from == start {
                break;
            }
            v.swap(at, from);
            at = from;
        }
    }
}

/// Floats ascending by `f64::total_cmp` (stable; equal bits keep their
/// order, which no caller can tell apart).
pub fn floats_ascending(v: &mut [f64]) {
    sort_by(v, &f64::total_cmp);
}

/// Floats descending by `f64::total_cmp`, stable.
pub fn floats_descending(v: &mut [f64]) {
    sort_by(v, &|a, b| b.total_cmp(a));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same permutation as `slice::sort_by`, ties included (stability
    /// is what keeps the results' hashes).
    #[test]
    fn the_same_order_as_the_standard_stable_sort() {
        let keys = [
            3.0,
            -1.0,
            3.0,
            f64::NAN,
            0.0,
            -0.0,
            2.5,
            -1.0,
            3.0,
            1e300,
            -f64::INFINITY,
        ];
        let mut mine: Vec<(f64, usize)> = keys.iter().copied().zip(0..).collect();
        let mut std_sorted = mine.clone();
        sort_by(&mut mine, &|a, b| a.0.total_cmp(&b.0));
        std_sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        assert_eq!(format!("{mine:?}"), format!("{std_sorted:?}"));
        // The ties by key keep their input order: the 3.0s are 0, 2, 8.
        let threes: Vec<usize> = mine.iter().filter(|p| p.0 == 3.0).map(|p| p.1).collect();
        assert_eq!(threes, vec![0, 2, 8]);

        let mut up = keys.to_vec();
        floats_ascending(&mut up);
        let mut down = keys.to_vec();
        floats_descending(&mut down);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let mut want = keys.to_vec();
        want.sort_by(f64::total_cmp);
        assert_eq!(bits(&up), bits(&want));
        want.reverse();
        assert_eq!(bits(&down), bits(&want));
        assert_eq!(up[0], f64::NEG_INFINITY);
        assert!(down[0].is_nan());
    }

    /// Every permutation of a few elements, and longer cycles, land where
    /// the standard sort puts them (non-Copy elements too).
    #[test]
    fn permuting_in_place_follows_every_cycle() {
        let mut state = 12345u64;
        for n in [0usize, 1, 2, 3, 7, 64, 257] {
            for _ in 0..20 {
                let keys: Vec<(u64, String)> = (0..n)
                    .map(|i| {
                        state = state
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        ((state >> 33) % 5, format!("item {i}"))
                    })
                    .collect();
                let mut mine = keys.clone();
                sort_by(&mut mine, &|a, b| a.0.cmp(&b.0));
                let mut want = keys.clone();
                want.sort_by_key(|a| a.0);
                assert_eq!(mine, want, "n = {n}");
            }
        }
        let mut v = vec!['a', 'b', 'c', 'd', 'e'];
        permute(&mut v, vec![4, 0, 1, 2, 3]);
        assert_eq!(v, vec!['e', 'a', 'b', 'c', 'd']);
    }
}
