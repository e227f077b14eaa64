//! Eigenvalues and eigenvectors of a symmetric tridiagonal matrix by the
//! implicit QL/QR iteration with Wilkinson's shift (LAPACK `dsteqr`;
//! Golub & Van Loan, "Matrix Computations", §8.3), the rotations of each
//! sweep accumulated into Z from the right (`dlasr`).
//!
//! Each unreduced block is chased from the end with the smaller diagonal
//! entry: QL (bulge moving up) when that is the top, QR otherwise. The
//! rotations cost O(n) per sweep on the tridiagonal and O(n·rows) on Z, so
//! this is the solver for small matrices: the leaves of the divide and
//! conquer ([`super::dlaed0`]) and matrices up to [`super::dstedc::SMLSIZ`].
//!
//! Deterministic: `+ − × ÷ sqrt` in the reference routine's order.

use super::auxiliary::{dlaev2, dlanst_max, dlapy2, dlartg, dlascl, EPS, SAFMIN};

/// Iterations allowed per eigenvalue (LAPACK's MAXIT).
const MAXIT: usize = 30;

/// A block of columns of a column-major matrix: column j (0-based, local)
/// holds `rows` entries at `data[j·ld ..]`.
pub struct Columns<'a> {
    pub data: &'a mut [f64],
    pub ld: usize,
    pub rows: usize,
}

impl Columns<'_> {
    /// Apply the plane rotation (c, s) to columns j and j + 1 from the
    /// right (one step of `dlasr('R', 'V', …)`):
    /// z_j ← s·z_{j+1} + c·z_j, z_{j+1} ← c·z_{j+1} − s·z_j.
    fn rotate(&mut self, j: usize, c: f64, s: f64) {
        if c == 1.0 && s == 0.0 {
            return;
        }
        let (ld, rows) = (self.ld, self.rows);
        let (left, right) = self.data.split_at_mut((j + 1) * ld);
        let zj = &mut left[j * ld..j * ld + rows];
        let zk = &mut right[..rows];
        for (a, b) in zj.iter_mut().zip(zk.iter_mut()) {
            let t = *b;
            *b = c * t - s * *a;
            *a = s * t + c * *a;
        }
    }

    fn swap(&mut self, i: usize, k: usize) {
        for r in 0..self.rows {
            self.data.swap(r + i * self.ld, r + k * self.ld);
        }
    }
}

/// Overwrite `d` (the diagonal, length n) with the eigenvalues of the
/// symmetric tridiagonal matrix T in ascending order, and multiply `z`
/// (n columns) from the right by the orthogonal Q of T = Q Λ Qᵀ: start `z`
/// at the identity to get T's eigenvectors, or at the Q of a reduction
/// A = Z T Zᵀ to get A's. `e` (the off-diagonal, length ≥ n − 1) is
/// destroyed. False if 30·n iterations did not converge.
pub fn dsteqr(d: &mut [f64], e: &mut [f64], z: &mut Columns) -> bool {
    let n = d.len();
    if n <= 1 {
        return true;
    }
    assert!(e.len() + 1 >= n, "dsteqr: e needs n − 1 entries");
    let eps2 = EPS * EPS;
    let safmax = 1.0 / SAFMIN;
    let ssfmax = libm::sqrt(safmax) / 3.0;
    let ssfmin = libm::sqrt(SAFMIN) / eps2;
    let nmaxit = n * MAXIT;
    let mut jtot = 0;
    // One sweep's rotations, applied to Z after the sweep.
    let mut cs = vec![0.0; n];
    let mut sn = vec![0.0; n];
    let mut l1 = 0usize;
    while l1 < n {
        if l1 > 0 {
            e[l1 - 1] = 0.0;
        }
        let mut m = n - 1;
        for mm in l1..n - 1 {
            let tst = e[mm].abs();
            if tst == 0.0 {
                m = mm;
                break;
            }
            if tst <= (libm::sqrt(d[mm].abs()) * libm::sqrt(d[mm + 1].abs())) * EPS {
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
        let mut stalled = false;
        let (mut l, lend) = if d[lendsv].abs() < d[lsv].abs() {
            (lendsv as isize, lsv as isize)
        } else {
            (lsv as isize, lendsv as isize)
        };
        if lend > l {
            // QL iteration.
            loop {
                let mut m = lend;
                if l != lend {
                    for mm in l..lend {
                        let u = mm as usize;
                        let tst = e[u].abs() * e[u].abs();
                        if tst <= (eps2 * d[u].abs()) * d[u + 1].abs() + SAFMIN {
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
                    let (rt1, rt2, c, s) = dlaev2(d[lu], e[lu], d[lu + 1]);
                    z.rotate(lu, c, s);
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
                let mu = m as usize;
                let mut g = (d[lu + 1] - p) / (2.0 * e[lu]);
                let r = dlapy2(g, 1.0);
                g = d[mu] - p + (e[lu] / (g + r.copysign(g)));
                let (mut s, mut c) = (1.0, 1.0);
                p = 0.0;
                for i in (lu..mu).rev() {
                    let f = s * e[i];
                    let b = c * e[i];
                    let (cc, ss, r) = dlartg(g, f);
                    c = cc;
                    s = ss;
                    if i != mu - 1 {
                        e[i + 1] = r;
                    }
                    g = d[i + 1] - p;
                    let r = (d[i] - g) * s + 2.0 * c * b;
                    p = s * r;
                    d[i + 1] = g + p;
                    g = c * r - b;
                    cs[i] = c;
                    sn[i] = -s;
                }
                // dlasr('R', 'V', 'B'): the last rotation first.
                for i in (lu..mu).rev() {
                    z.rotate(i, cs[i], sn[i]);
                }
                d[lu] -= p;
                e[lu] = g;
            }
        } else {
            // QR iteration.
            loop {
                let mut m = lend;
                if l != lend {
                    for mm in (lend + 1..=l).rev() {
                        let u = mm as usize;
                        let tst = e[u - 1].abs() * e[u - 1].abs();
                        if tst <= (eps2 * d[u].abs()) * d[u - 1].abs() + SAFMIN {
                            m = mm;
                            break;
                        }
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
                    let (rt1, rt2, c, s) = dlaev2(d[lu - 1], e[lu - 1], d[lu]);
                    z.rotate(lu - 1, c, s);
                    d[lu - 1] = rt1;
                    d[lu] = rt2;
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
                let mu = m as usize;
                let mut g = (d[lu - 1] - p) / (2.0 * e[lu - 1]);
                let r = dlapy2(g, 1.0);
                g = d[mu] - p + (e[lu - 1] / (g + r.copysign(g)));
                let (mut s, mut c) = (1.0, 1.0);
                p = 0.0;
                for i in mu..lu {
                    let f = s * e[i];
                    let b = c * e[i];
                    let (cc, ss, r) = dlartg(g, f);
                    c = cc;
                    s = ss;
                    if i != mu {
                        e[i - 1] = r;
                    }
                    g = d[i] - p;
                    let r = (d[i + 1] - g) * s + 2.0 * c * b;
                    p = s * r;
                    d[i] = g + p;
                    g = c * r - b;
                    cs[i] = c;
                    sn[i] = s;
                }
                // dlasr('R', 'V', 'F'): the first rotation first.
                for i in mu..lu {
                    z.rotate(i, cs[i], sn[i]);
                }
                d[lu] -= p;
                e[lu - 1] = g;
            }
        }
        if let Some(to) = scale {
            dlascl(to, anorm, &mut d[lsv..=lendsv]);
            dlascl(to, anorm, &mut e[lsv..lendsv]);
        }
        if stalled {
            return false;
        }
    }
    // Selection sort, ascending, swapping the eigenvectors along (as the
    // reference does: at most n − 1 swaps, each a column exchange).
    for i in 0..n - 1 {
        let mut k = i;
        let mut p = d[i];
        for (j, &dj) in d.iter().enumerate().skip(i + 1) {
            if dj < p {
                k = j;
                p = dj;
            }
        }
        if k != i {
            d[k] = d[i];
            d[i] = p;
            z.swap(i, k);
        }
    }
    true
}
