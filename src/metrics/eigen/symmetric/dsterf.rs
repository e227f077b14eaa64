//! Eigenvalues of a symmetric tridiagonal matrix, no eigenvectors, by the
//! Pal–Walker–Kahan variant of the implicit QL/QR iteration (LAPACK
//! `dsterf`; W. Kahan and D. Parlett's square-root-free formulation, as in
//! B. N. Parlett, "The Symmetric Eigenvalue Problem", §8.15).
//!
//! The iteration works on d and e² (the squared off-diagonal), so it needs
//! no square root per rotation: O(n²) work in all, a few percent of the
//! reduction to tridiagonal form. Each unreduced block is iterated from
//! the end with the smaller diagonal entry, QL (chasing upwards) when that
//! is the top, QR otherwise, with Wilkinson's shift.
//!
//! Deterministic: `+ − × ÷ sqrt` in the reference routine's order.

use super::auxiliary::{dlae2, dlanst_max, dlapy2, dlascl, EPS, SAFMIN};

/// Iterations allowed per eigenvalue (LAPACK's MAXIT).
const MAXIT: usize = 30;

/// Overwrite `d` (the diagonal, length n) with the eigenvalues of the
/// symmetric tridiagonal matrix, in ascending order; `e` (the off-diagonal,
/// length ≥ n − 1) is destroyed. False if the budget of 30·n iterations
/// ran out before every eigenvalue converged (then `d` holds partial
/// results).
pub fn dsterf(d: &mut [f64], e: &mut [f64]) -> bool {
    let n = d.len();
    if n <= 1 {
        return true;
    }
    assert!(e.len() + 1 >= n, "dsterf: e needs n − 1 entries");
    let eps2 = EPS * EPS;
    let safmax = 1.0 / SAFMIN;
    let ssfmax = libm::sqrt(safmax) / 3.0;
    let ssfmin = libm::sqrt(SAFMIN) / eps2;
    let nmaxit = n * MAXIT;
    let mut jtot = 0;
    // Indices are 0-based; `isize` where the QR branch steps below zero.
    let mut l1 = 0usize;
    while l1 < n {
        if l1 > 0 {
            e[l1 - 1] = 0.0;
        }
        // The unreduced block l1..=m: the first negligible e[m] ends it.
        let mut m = n - 1;
        for mm in l1..n - 1 {
            if e[mm].abs() <= (libm::sqrt(d[mm].abs()) * libm::sqrt(d[mm + 1].abs())) * EPS {
                e[mm] = 0.0;
                m = mm;
                break;
            }
        }
        let (lsv, lendsv) = (l1, m);
        l1 = m + 1;
        if m == lsv {
            continue;
        }
        let anorm = dlanst_max(&d[lsv..=lendsv], &e[lsv..lendsv]);
        if anorm == 0.0 {
            continue;
        }
        // Scale the block into a safe range; undone below.
        let scale = if anorm > ssfmax {
            Some(ssfmax)
        } else if anorm < ssfmin {
            Some(ssfmin)
        } else {
            None
        };
        if let Some(to) = scale {
            dlascl(anorm, to, &mut d[lsv..=lendsv]);
            dlascl(anorm, to, &mut e[lsv..lendsv]);
        }
        for x in e[lsv..lendsv].iter_mut() {
            *x = *x * *x;
        }
        let mut stalled = false;
        // Chase from the end with the smaller diagonal entry.
        let (mut l, lend) = if d[lendsv].abs() < d[lsv].abs() {
            (lendsv as isize, lsv as isize)
        } else {
            (lsv as isize, lendsv as isize)
        };
        if lend >= l {
            // QL iteration: deflate at the top, l moves down.
            loop {
                let mut m = lend;
                if l != lend {
                    for mm in l..lend {
                        let u = mm as usize;
                        if e[u].abs() <= eps2 * (d[u] * d[u + 1]).abs() {
                            m = mm;
                            break;
                        }
                    }
                }
                if m < lend {
                    e[m as usize] = 0.0;
                }
                let lu = l as usize;
                let mut p = d[lu];
                if m == l {
                    d[lu] = p;
                    l += 1;
                    if l <= lend {
                        continue;
                    }
                    break;
                }
                if m == l + 1 {
                    let rte = libm::sqrt(e[lu]);
                    let (rt1, rt2) = dlae2(d[lu], rte, d[lu + 1]);
                    d[lu] = rt1;
                    d[lu + 1] = rt2;
                    e[lu] = 0.0;
                    l += 2;
                    if l <= lend {
                        continue;
                    }
                    break;
                }
                if jtot == nmaxit {
                    stalled = true;
                    break;
                }
                jtot += 1;
                // Wilkinson's shift from the leading 2 × 2.
                let rte = libm::sqrt(e[lu]);
                let mut sigma = (d[lu + 1] - p) / (2.0 * rte);
                let r = dlapy2(sigma, 1.0);
                sigma = p - rte / (sigma + r.copysign(sigma));
                let (mut c, mut s) = (1.0, 0.0);
                let mu = m as usize;
                let mut gamma = d[mu] - sigma;
                p = gamma * gamma;
                for i in (lu..mu).rev() {
                    let bb = e[i];
                    let r = p + bb;
                    if i != mu - 1 {
                        e[i + 1] = s * r;
                    }
                    let oldc = c;
                    c = p / r;
                    s = bb / r;
                    let oldgam = gamma;
                    let alpha = d[i];
                    gamma = c * (alpha - sigma) - s * oldgam;
                    d[i + 1] = oldgam + (alpha - gamma);
                    p = if c != 0.0 {
                        (gamma * gamma) / c
                    } else {
                        oldc * bb
                    };
                }
                e[lu] = s * p;
                d[lu] = sigma + gamma;
            }
        } else {
            // QR iteration: deflate at the bottom, l moves up.
            loop {
                let mut m = lend;
                for mm in (lend + 1..=l).rev() {
                    let u = mm as usize;
                    if e[u - 1].abs() <= eps2 * (d[u] * d[u - 1]).abs() {
                        m = mm;
                        break;
                    }
                }
                if m > lend {
                    e[m as usize - 1] = 0.0;
                }
                let lu = l as usize;
                let mut p = d[lu];
                if m == l {
                    d[lu] = p;
                    l -= 1;
                    if l >= lend {
                        continue;
                    }
                    break;
                }
                if m == l - 1 {
                    let rte = libm::sqrt(e[lu - 1]);
                    let (rt1, rt2) = dlae2(d[lu], rte, d[lu - 1]);
                    d[lu] = rt1;
                    d[lu - 1] = rt2;
                    e[lu - 1] = 0.0;
                    l -= 2;
                    if l >= lend {
                        continue;
                    }
                    break;
                }
                if jtot == nmaxit {
                    stalled = true;
                    break;
                }
                jtot += 1;
                let rte = libm::sqrt(e[lu - 1]);
                let mut sigma = (d[lu - 1] - p) / (2.0 * rte);
                let r = dlapy2(sigma, 1.0);
                sigma = p - rte / (sigma + r.copysign(sigma));
                let (mut c, mut s) = (1.0, 0.0);
                let mu = m as usize;
                let mut gamma = d[mu] - sigma;
                p = gamma * gamma;
                for i in mu..lu {
                    let bb = e[i];
                    let r = p + bb;
                    if i != mu {
                        e[i - 1] = s * r;
                    }
                    let oldc = c;
                    c = p / r;
                    s = bb / r;
                    let oldgam = gamma;
                    let alpha = d[i + 1];
                    gamma = c * (alpha - sigma) - s * oldgam;
                    d[i] = oldgam + (alpha - gamma);
                    p = if c != 0.0 {
                        (gamma * gamma) / c
                    } else {
                        oldc * bb
                    };
                }
                e[lu - 1] = s * p;
                d[lu] = sigma + gamma;
            }
        }
        if let Some(to) = scale {
            dlascl(to, anorm, &mut d[lsv..=lendsv]);
        }
        if stalled {
            return false;
        }
    }
    crate::sort::floats_ascending(d);
    true
}
