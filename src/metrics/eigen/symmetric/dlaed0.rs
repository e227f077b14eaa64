//! The divide and conquer on one unreduced tridiagonal block (LAPACK
//! `dlaed0` with ICOMPQ = 2: the eigenvectors of T itself).
//!
//! The matrix is torn into pieces of at most [`super::dstedc::SMLSIZ`] rows
//! by rank-one tearing (Cuppen 1981): at each cut between rows c − 1 and c,
//! T = diag(T₁, T₂) + |β|·u uᵀ with β = e_{c−1}, u = e_{c−1} ± e_c, once
//! |β| is taken from both diagonal entries beside the cut. The pieces are
//! solved by [`super::dsteqr`], then merged pairwise, level by level, by
//! [`super::dlaed1`]: each merge costs one secular equation and two
//! matrix products, so the work is mostly gemm.

use super::dlaed1::dlaed1;
use super::dstedc::SMLSIZ;
use super::dsteqr::{dsteqr, Columns};

/// Eigenvalues (in `d`, ascending) and eigenvectors (columns of the m × m
/// block `q`, leading dimension `ldq`, which must hold the identity on
/// entry) of the m × m tridiagonal matrix (d, e); `e` is destroyed. False
/// if an iteration did not converge.
pub fn dlaed0(d: &mut [f64], e: &mut [f64], q: &mut [f64], ldq: usize) -> bool {
    let m = d.len();
    if m == 0 {
        return true;
    }
    // Piece sizes: halve (floor, ceil) until the last is small enough.
    let mut sizes = vec![m];
    while *sizes.last().unwrap() > SMLSIZ {
        sizes = sizes.iter().flat_map(|&s| [s / 2, s.div_ceil(2)]).collect();
    }
    // ends[i]: one past the last row of piece i.
    let mut ends: Vec<usize> = sizes
        .iter()
        .scan(0, |acc, &s| {
            *acc += s;
            Some(*acc)
        })
        .collect();
    // Tear at each cut.
    for &c in &ends[..ends.len() - 1] {
        let b = e[c - 1].abs();
        d[c - 1] -= b;
        d[c] -= b;
    }
    // Solve the pieces; each piece's eigenvalues come back ascending.
    let mut indxq = vec![0usize; m];
    let mut start = 0;
    for &end in &ends {
        let size = end - start;
        let mut cols = Columns {
            data: &mut q[start + start * ldq..],
            ld: ldq,
            rows: size,
        };
        if !dsteqr(
            &mut d[start..end],
            &mut e[start..end.max(start + 1) - 1],
            &mut cols,
        ) {
            return false;
        }
        for (k, x) in indxq[start..end].iter_mut().enumerate() {
            *x = k;
        }
        start = end;
    }
    // Merge pairs, level by level.
    while ends.len() > 1 {
        let mut merged = Vec::with_capacity(ends.len() / 2);
        for pair in ends.chunks(2) {
            let start = merged.last().copied().unwrap_or(0);
            let end = pair[1];
            let cut = pair[0] - start;
            let rho = e[pair[0] - 1];
            if !dlaed1(
                end - start,
                &mut d[start..end],
                &mut q[start + start * ldq..],
                ldq,
                &mut indxq[start..end],
                rho,
                cut,
            ) {
                return false;
            }
            merged.push(end);
        }
        ends = merged;
    }
    // Sort the eigenpairs by indxq.
    let dsorted: Vec<f64> = indxq.iter().map(|&j| d[j]).collect();
    let mut qs = vec![0.0; m * m];
    for (i, &j) in indxq.iter().enumerate() {
        qs[i * m..(i + 1) * m].copy_from_slice(&q[j * ldq..j * ldq + m]);
    }
    d.copy_from_slice(&dsorted);
    for i in 0..m {
        q[i * ldq..i * ldq + m].copy_from_slice(&qs[i * m..(i + 1) * m]);
    }
    true
}
