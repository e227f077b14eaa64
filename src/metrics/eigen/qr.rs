//! The Francis double-shift QR iteration for the eigenvalues of a small
//! upper Hessenberg matrix (Golub & Van Loan, "Matrix Computations",
//! §7.5; the iteration follows EISPACK's `hqr` as given in Numerical Recipes
//! §11.6): one bulge at a time, each sweep updating only the active
//! unreduced block, never accumulating Q. Used on its own for small
//! matrices and inside the multishift solver ([`super::multishift`]) for
//! small windows and for the shifts.
//!
//! Storage is column-major: entry (i, j) is `a[i + j·n]`.

// Index loops mirror the formulas (and LAPACK's loops) entry by entry.
#![allow(clippy::needless_range_loop)]

/// Eigenvalues (re, im) of the upper Hessenberg column-major matrix `a`
/// (destroyed), by the Francis double-shift QR iteration. None if an
/// eigenvalue needs more than 60 iterations (or the input is not finite).
pub fn double_shift(a: &mut [f64], n: usize) -> Option<Vec<(f64, f64)>> {
    iterate(a, n, None)
}

/// The real Schur form of the upper Hessenberg column-major matrix `a`, in
/// place: quasi-triangular, with 1 × 1 blocks for real eigenvalues and
/// 2 × 2 blocks (not standardised) for complex pairs and for some real
/// pairs; a 2 × 2 block is marked by its nonzero subdiagonal entry, every
/// other subdiagonal entry is exactly zero. The transformations are
/// accumulated into `z` from the right (Z ← Z·Q, column-major n × n; start
/// from the identity to get the Schur vectors, A = Z T Zᵀ). Returns the
/// eigenvalues as [`double_shift`] does, the i-th belonging to row i.
pub fn schur(a: &mut [f64], n: usize, z: &mut [f64]) -> Option<Vec<(f64, f64)>> {
    iterate(a, n, Some(z))
}

/// The iteration; with `z`, the full Schur form (every column and row
/// updated, Q accumulated), without, only the active block.
#[allow(unused_assignments)]
fn iterate(a: &mut [f64], n: usize, mut zq: Option<&mut [f64]>) -> Option<Vec<(f64, f64)>> {
    if a.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let full = zq.is_some();
    // 1-based access as in the reference algorithm.
    let ix = |i: usize, j: usize| (i - 1) + (j - 1) * n;
    let mut wr = vec![0.0; n + 1];
    let mut wi = vec![0.0; n + 1];
    let mut anorm = 0.0;
    for i in 1..=n {
        for j in i.saturating_sub(1).max(1)..=n {
            anorm += a[ix(i, j)].abs();
        }
    }
    let mut nn = n;
    let (mut p, mut q, mut r, mut x, mut y, mut z, mut w);
    p = 0.0;
    q = 0.0;
    r = 0.0;
    while nn >= 1 {
        let mut its = 0;
        loop {
            let mut l = nn;
            while l >= 2 {
                let mut s = a[ix(l - 1, l - 1)].abs() + a[ix(l, l)].abs();
                if s == 0.0 {
                    s = anorm;
                }
                if a[ix(l, l - 1)].abs() + s == s {
                    a[ix(l, l - 1)] = 0.0;
                    break;
                }
                l -= 1;
            }
            x = a[ix(nn, nn)];
            if l == nn {
                wr[nn] = x;
                wi[nn] = 0.0;
                nn -= 1;
            } else {
                y = a[ix(nn - 1, nn - 1)];
                w = a[ix(nn, nn - 1)] * a[ix(nn - 1, nn)];
                if l == nn - 1 {
                    p = 0.5 * (y - x);
                    q = p * p + w;
                    z = libm::sqrt(q.abs());
                    if q >= 0.0 {
                        z = p + if p >= 0.0 { z.abs() } else { -z.abs() };
                        wr[nn - 1] = x + z;
                        wr[nn] = x + z;
                        if z != 0.0 {
                            wr[nn] = x - w / z;
                        }
                        wi[nn - 1] = 0.0;
                        wi[nn] = 0.0;
                    } else {
                        wr[nn - 1] = x + p;
                        wr[nn] = x + p;
                        wi[nn - 1] = -z;
                        wi[nn] = z;
                    }
                    nn -= 2;
                } else {
                    if its == 60 {
                        return None;
                    }
                    if its == 10 || its == 20 || its == 30 || its == 40 || its == 50 {
                        // Exceptional shift (EISPACK's, without moving
                        // the diagonal: the step uses only differences).
                        let s = a[ix(nn, nn - 1)].abs() + a[ix(nn - 1, nn - 2)].abs();
                        x += 0.75 * s;
                        y = x;
                        w = -0.4375 * s * s;
                    }
                    its += 1;
                    let mut m = nn - 2;
                    loop {
                        z = a[ix(m, m)];
                        r = x - z;
                        let s0 = y - z;
                        p = (r * s0 - w) / a[ix(m + 1, m)] + a[ix(m, m + 1)];
                        q = a[ix(m + 1, m + 1)] - z - r - s0;
                        r = a[ix(m + 2, m + 1)];
                        let s = p.abs() + q.abs() + r.abs();
                        p /= s;
                        q /= s;
                        r /= s;
                        if m == l {
                            break;
                        }
                        let u = a[ix(m, m - 1)].abs() * (q.abs() + r.abs());
                        let v = p.abs()
                            * (a[ix(m - 1, m - 1)].abs() + z.abs() + a[ix(m + 1, m + 1)].abs());
                        if u + v == v {
                            break;
                        }
                        m -= 1;
                    }
                    for i in m + 2..=nn {
                        a[ix(i, i - 2)] = 0.0;
                        if i != m + 2 {
                            a[ix(i, i - 3)] = 0.0;
                        }
                    }
                    let mut k = m;
                    while k < nn {
                        if k != m {
                            p = a[ix(k, k - 1)];
                            q = a[ix(k + 1, k - 1)];
                            r = 0.0;
                            if k != nn - 1 {
                                r = a[ix(k + 2, k - 1)];
                            }
                            x = p.abs() + q.abs() + r.abs();
                            if x != 0.0 {
                                p /= x;
                                q /= x;
                                r /= x;
                            }
                        }
                        let norm = libm::sqrt(p * p + q * q + r * r);
                        let s = if p >= 0.0 { norm } else { -norm };
                        if s != 0.0 {
                            if k == m {
                                if l != m {
                                    a[ix(k, k - 1)] = -a[ix(k, k - 1)];
                                }
                            } else {
                                a[ix(k, k - 1)] = -s * x;
                                // The bulge below it is gone (EISPACK leaves
                                // the stale values, which the full Schur
                                // form must not keep).
                                a[ix(k + 1, k - 1)] = 0.0;
                                if k != nn - 1 {
                                    a[ix(k + 2, k - 1)] = 0.0;
                                }
                            }
                            p += s;
                            x = p / s;
                            y = q / s;
                            z = r / s;
                            q /= p;
                            r /= p;
                            let jend = if full { n } else { nn };
                            for j in k..=jend {
                                let mut pp = a[ix(k, j)] + q * a[ix(k + 1, j)];
                                if k != nn - 1 {
                                    pp += r * a[ix(k + 2, j)];
                                    a[ix(k + 2, j)] -= pp * z;
                                }
                                a[ix(k + 1, j)] -= pp * y;
                                a[ix(k, j)] -= pp * x;
                            }
                            let mmin = if nn < k + 3 { nn } else { k + 3 };
                            let istart = if full { 1 } else { l };
                            for i in istart..=mmin {
                                let mut pp = x * a[ix(i, k)] + y * a[ix(i, k + 1)];
                                if k != nn - 1 {
                                    pp += z * a[ix(i, k + 2)];
                                    a[ix(i, k + 2)] -= pp * r;
                                }
                                a[ix(i, k + 1)] -= pp * q;
                                a[ix(i, k)] -= pp;
                            }
                            if let Some(zm) = zq.as_deref_mut() {
                                for i in 1..=n {
                                    let mut pp = x * zm[ix(i, k)] + y * zm[ix(i, k + 1)];
                                    if k != nn - 1 {
                                        pp += z * zm[ix(i, k + 2)];
                                        zm[ix(i, k + 2)] -= pp * r;
                                    }
                                    zm[ix(i, k + 1)] -= pp * q;
                                    zm[ix(i, k)] -= pp;
                                }
                            }
                        }
                        k += 1;
                    }
                }
            }
            if nn < 2 || l + 1 >= nn {
                break;
            }
        }
    }
    Some((1..=n).map(|i| (wr[i], wi[i])).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn schur_form_reproduces_the_matrix() {
        for (n, seed, sym) in [
            (3, 1, false),
            (4, 1, false),
            (6, 1, false),
            (10, 1, false),
            (30, 1, false),
            (60, 2, true),
            (90, 3, false),
        ] {
            let mut rng = Rng::new(seed);
            let mut h = vec![0.0; n * n];
            for j in 0..n {
                for i in 0..(j + 2).min(n) {
                    h[i + j * n] = rng.normal();
                }
            }
            if sym {
                for j in 0..n {
                    for i in j + 2..n {
                        h[i + j * n] = 0.0;
                    }
                    if j + 1 < n {
                        h[j + (j + 1) * n] = h[j + 1 + j * n];
                    }
                    for i in 0..j.saturating_sub(1) {
                        h[i + j * n] = 0.0;
                    }
                }
            }
            let mut t = h.clone();
            let mut z = vec![0.0; n * n];
            for i in 0..n {
                z[i + i * n] = 1.0;
            }
            schur(&mut t, n, &mut z).unwrap();
            // Z T Zᵀ − H
            let mut worst = 0.0f64;
            for i in 0..n {
                for j in 0..n {
                    let mut acc = 0.0;
                    for a in 0..n {
                        for b in 0..n {
                            acc += z[i + a * n] * t[a + b * n] * z[j + b * n];
                        }
                    }
                    worst = worst.max((acc - h[i + j * n]).abs());
                }
            }
            assert!(worst < 1e-12, "n = {n}: residual {worst:e}");
            for j in 0..n {
                for i in j + 2..n {
                    assert_eq!(t[i + j * n], 0.0, "({i},{j})");
                }
            }
        }
    }
}
