//! One merge of the divide and conquer (LAPACK `dlaed1`): from the
//! eigen-decompositions of the two halves of a torn tridiagonal matrix,
//! that of the whole, T = diag(T₁, T₂) + ρ·u uᵀ = Q(D + ρ z zᵀ)Qᵀ with
//! z = Qᵀu: build z, deflate ([`super::dlaed2`]), solve the secular
//! equation and form the eigenvectors ([`super::dlaed3`]), and return the
//! permutation that sorts the eigenvalues (`dlamrg`).

use super::auxiliary::dlamrg;
use super::dlaed2::dlaed2;
use super::dlaed3::dlaed3;

/// Merge the n × n block `q` (leading dimension `ldq`; block diagonal with
/// the halves' eigenvectors, the first `cutpnt` columns for the top half)
/// and eigenvalues `d` (each half's in the order `indxq`, 0-based within
/// the half) coupled by `rho`. On return `d` and the columns of `q` hold
/// the merged eigenpairs and `indxq` the order that sorts `d` ascending.
/// False if the secular equation did not converge.
pub fn dlaed1(
    n: usize,
    d: &mut [f64],
    q: &mut [f64],
    ldq: usize,
    indxq: &mut [usize],
    rho: f64,
    cutpnt: usize,
) -> bool {
    if n == 0 {
        return true;
    }
    // z = [last row of Q₁, first row of Q₂].
    let mut z = vec![0.0; n];
    for (j, zj) in z[..cutpnt].iter_mut().enumerate() {
        *zj = q[(cutpnt - 1) + j * ldq];
    }
    for (j, zj) in z[cutpnt..].iter_mut().enumerate() {
        *zj = q[cutpnt + (cutpnt + j) * ldq];
    }
    let defl = dlaed2(n, cutpnt, d, q, ldq, indxq, rho, &mut z);
    if defl.k == 0 {
        for (i, x) in indxq[..n].iter_mut().enumerate() {
            *x = i;
        }
        return true;
    }
    if !dlaed3(n, cutpnt, d, q, ldq, &defl) {
        return false;
    }
    let order = dlamrg(defl.k, n - defl.k, &d[..n], 1, -1);
    indxq[..n].copy_from_slice(&order);
    true
}
