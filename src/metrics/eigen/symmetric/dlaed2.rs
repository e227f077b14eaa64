//! Deflation of a merge in the divide and conquer (LAPACK `dlaed2`).
//!
//! The merged problem is Q·(D + ρzzᵀ)·Qᵀ with Q = diag(Q₁, Q₂) the two
//! halves' eigenvectors, D their eigenvalues and z = [last row of Q₁,
//! first row of Q₂]/√2 (so ‖z‖ = 1). Two cases leave an eigenpair of the
//! halves unchanged, and remove it from the secular equation:
//!
//! - a tiny component, ρ|z_j| ≤ tol: (d_j, q_j) is already an eigenpair;
//! - two nearly equal eigenvalues: a plane rotation of q_i, q_j zeroes
//!   z_i, leaving (d_i, q_i) an eigenpair to within tol.
//!
//! with tol = 64·ε·max(|d|, |z|). The k survivors are sorted, and the
//! columns of Q are packed by which half they touch (1: top only, 2: both,
//! 3: bottom only, 4: deflated) so that [`super::dlaed3`]'s products skip
//! the zero blocks (J. Cuppen 1981; J. J. M. Dongarra and D. C. Sorensen
//! 1987; the deflation of Gu & Eisenstat, SIAM J. Matrix Anal. Appl. 16,
//! 1995).

use super::auxiliary::{dlamrg, dlapy2, EPS};

/// What [`dlaed2`] leaves for [`super::dlaed3`].
pub struct Deflated {
    /// Number of eigenvalues that did not deflate.
    pub k: usize,
    /// ρ, now 2|ρ| (for the normalised z).
    pub rho: f64,
    /// The k surviving poles, ascending.
    pub dlamda: Vec<f64>,
    /// The k surviving z components, in `dlamda`'s order.
    pub w: Vec<f64>,
    /// Packed columns of Q: n1 × (ctot₁ + ctot₂) top parts, then
    /// n2 × (ctot₂ + ctot₃) bottom parts (column-major, contiguous).
    pub q2: Vec<f64>,
    /// For each packed (grouped) column, its position in `dlamda`.
    pub indxc: Vec<usize>,
    /// Column counts of the four groups.
    pub ctot: [usize; 4],
}

/// Deflate the merge of the n × n block `q` (leading dimension `ldq`) with
/// halves of n1 and n − n1; `d` holds both halves' eigenvalues, each half
/// ascending in the order `indxq` (0-based, each half's own indices),
/// `z` the coupling vector, `rho` the coupling. On return the deflated
/// eigenvalues are `d[k..]` (descending) with their vectors in columns
/// k.. of `q`.
#[allow(clippy::too_many_arguments)] // LAPACK's argument list, kept for comparison
pub fn dlaed2(
    n: usize,
    n1: usize,
    d: &mut [f64],
    q: &mut [f64],
    ldq: usize,
    indxq: &mut [usize],
    rho: f64,
    z: &mut [f64],
) -> Deflated {
    let n2 = n - n1;
    if rho < 0.0 {
        for x in z[n1..n].iter_mut() {
            *x = -*x;
        }
    }
    let t = 1.0 / libm::sqrt(2.0);
    for x in z[..n].iter_mut() {
        *x *= t;
    }
    let rho = (2.0 * rho).abs();
    for x in indxq[n1..n].iter_mut() {
        *x += n1;
    }
    // indx: all n eigenvalues in ascending order (indices into d).
    let mut dlamda: Vec<f64> = (0..n).map(|i| d[indxq[i]]).collect();
    let merged = dlamrg(n1, n2, &dlamda, 1, 1);
    let mut indx: Vec<usize> = merged.iter().map(|&i| indxq[i]).collect();
    let idamax = |x: &[f64]| {
        let mut best = 0;
        for (i, v) in x.iter().enumerate() {
            if v.abs() > x[best].abs() {
                best = i;
            }
        }
        best
    };
    let imax = idamax(&z[..n]);
    let jmax = idamax(&d[..n]);
    let tol = 8.0 * 8.0 * EPS * d[jmax].abs().max(z[imax].abs());
    if rho * z[imax].abs() <= tol {
        // Everything deflates: reorder d and Q ascending, done.
        let mut q2 = vec![0.0; n * n];
        for (j, &i) in indx.iter().enumerate() {
            for r in 0..n {
                q2[r + j * n] = q[r + i * ldq];
            }
            dlamda[j] = d[i];
        }
        for j in 0..n {
            q[j * ldq..j * ldq + n].copy_from_slice(&q2[j * n..(j + 1) * n]);
        }
        d[..n].copy_from_slice(&dlamda);
        return Deflated {
            k: 0,
            rho,
            dlamda: Vec::new(),
            w: Vec::new(),
            q2: Vec::new(),
            indxc: Vec::new(),
            ctot: [0; 4],
        };
    }
    // Column types: 1 top half, 3 bottom half; 2 and 4 set below.
    let mut coltyp: Vec<usize> = (0..n).map(|i| if i < n1 { 1 } else { 3 }).collect();
    let mut k = 0;
    let mut k2 = n; // deflated ones fill indxp from the end
    let mut indxp = vec![0usize; n];
    let mut dl = Vec::with_capacity(n);
    let mut w = Vec::with_capacity(n);
    // The first that does not deflate by a small z.
    let mut j = 0;
    let mut pj;
    loop {
        let nj = indx[j];
        if rho * z[nj].abs() <= tol {
            k2 -= 1;
            coltyp[nj] = 4;
            indxp[k2] = nj;
            j += 1;
        } else {
            pj = nj;
            break;
        }
    }
    // pj is the last survivor so far; look at each next one against it.
    j += 1;
    while j < n {
        let nj = indx[j];
        if rho * z[nj].abs() <= tol {
            k2 -= 1;
            coltyp[nj] = 4;
            indxp[k2] = nj;
        } else {
            let (s0, c0) = (z[pj], z[nj]);
            let tau = dlapy2(c0, s0);
            let t = d[nj] - d[pj];
            let c = c0 / tau;
            let s = -s0 / tau;
            if (t * c * s).abs() <= tol {
                // Rotate q_pj, q_nj so that z_pj = 0: pj deflates.
                z[nj] = tau;
                z[pj] = 0.0;
                if coltyp[nj] != coltyp[pj] {
                    coltyp[nj] = 2;
                }
                coltyp[pj] = 4;
                for r in 0..n {
                    let x = q[r + pj * ldq];
                    let y = q[r + nj * ldq];
                    q[r + pj * ldq] = c * x + s * y;
                    q[r + nj * ldq] = c * y - s * x;
                }
                let t = d[pj] * (c * c) + d[nj] * (s * s);
                d[nj] = d[pj] * (s * s) + d[nj] * (c * c);
                d[pj] = t;
                // Insert pj among the deflated, keeping them descending.
                k2 -= 1;
                let mut i = 1;
                loop {
                    if k2 + i < n {
                        if d[pj] < d[indxp[k2 + i]] {
                            indxp[k2 + i - 1] = indxp[k2 + i];
                            indxp[k2 + i] = pj;
                            i += 1;
                            continue;
                        }
                        indxp[k2 + i - 1] = pj;
                    } else {
                        indxp[k2 + i - 1] = pj;
                    }
                    break;
                }
                pj = nj;
            } else {
                dl.push(d[pj]);
                w.push(z[pj]);
                indxp[k] = pj;
                k += 1;
                pj = nj;
            }
        }
        j += 1;
    }
    dl.push(d[pj]);
    w.push(z[pj]);
    indxp[k] = pj;
    // Group the columns: type 1, 2, 3 survivors (in indxp's order), then
    // the deflated.
    let mut ctot = [0usize; 4];
    for &ct in &coltyp {
        ctot[ct - 1] += 1;
    }
    let mut psm = [0, ctot[0], ctot[0] + ctot[1], ctot[0] + ctot[1] + ctot[2]];
    let k = n - ctot[3];
    let mut indxc = vec![0usize; n];
    for (j, &js) in indxp.iter().enumerate() {
        let ct = coltyp[js] - 1;
        indx[psm[ct]] = js;
        indxc[psm[ct]] = j;
        psm[ct] += 1;
    }
    // Pack Q2 and put the grouped eigenvalues in z (as the reference does).
    let mut q2 = vec![0.0; n1 * (ctot[0] + ctot[1]) + n2 * (ctot[1] + ctot[2]) + n * ctot[3]];
    let mut iq1 = 0;
    let mut iq2 = (ctot[0] + ctot[1]) * n1;
    let mut i = 0;
    for _ in 0..ctot[0] {
        let js = indx[i];
        q2[iq1..iq1 + n1].copy_from_slice(&q[js * ldq..js * ldq + n1]);
        z[i] = d[js];
        i += 1;
        iq1 += n1;
    }
    for _ in 0..ctot[1] {
        let js = indx[i];
        q2[iq1..iq1 + n1].copy_from_slice(&q[js * ldq..js * ldq + n1]);
        q2[iq2..iq2 + n2].copy_from_slice(&q[js * ldq + n1..js * ldq + n]);
        z[i] = d[js];
        i += 1;
        iq1 += n1;
        iq2 += n2;
    }
    for _ in 0..ctot[2] {
        let js = indx[i];
        q2[iq2..iq2 + n2].copy_from_slice(&q[js * ldq + n1..js * ldq + n]);
        z[i] = d[js];
        i += 1;
        iq2 += n2;
    }
    let iq1 = iq2;
    for _ in 0..ctot[3] {
        let js = indx[i];
        q2[iq2..iq2 + n].copy_from_slice(&q[js * ldq..js * ldq + n]);
        iq2 += n;
        z[i] = d[js];
        i += 1;
    }
    if k < n {
        for c in 0..ctot[3] {
            let col = k + c;
            q[col * ldq..col * ldq + n].copy_from_slice(&q2[iq1 + c * n..iq1 + (c + 1) * n]);
        }
        d[k..n].copy_from_slice(&z[k..n]);
    }
    q2.truncate(iq1);
    Deflated {
        k,
        rho,
        dlamda: dl,
        w,
        q2,
        indxc,
        ctot,
    }
}
