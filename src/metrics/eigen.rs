//! Eigenvalues of a real nonsymmetric matrix, without eigenvectors:
//! Householder reduction to upper Hessenberg form, then the Francis
//! double-shift QR iteration with deflation (Golub & Van Loan, "Matrix
//! Computations", §7.4–7.5; the iteration follows EISPACK's `hqr` as given in
//! Numerical Recipes §11.6), never accumulating Q. This does roughly a third
//! of the work of a full Schur decomposition.
//!
//! Deterministic by construction: plain `+ − × ÷ sqrt`, fixed loop order, no
//! FMA, so a matrix gives the same bits natively and in WebAssembly.

/// Reduce the n × n row-major matrix `a` to upper Hessenberg form in place
/// by Householder reflections (similarity transforms; Q is discarded).
pub fn hessenberg(a: &mut [f64], n: usize) {
    let mut v = vec![0.0; n];
    let mut s = vec![0.0; n];
    for k in 0..n.saturating_sub(2) {
        // x = a[k+1.., k]
        let mut scale = 0.0f64;
        for i in k + 1..n {
            scale = scale.max(a[i * n + k].abs());
        }
        if scale == 0.0 {
            continue;
        }
        let mut norm2 = 0.0;
        for i in k + 1..n {
            let t = a[i * n + k] / scale;
            v[i] = t;
            norm2 += t * t;
        }
        let norm = libm::sqrt(norm2);
        let alpha = if v[k + 1] > 0.0 { -norm } else { norm };
        v[k + 1] -= alpha;
        let mut vv = 0.0;
        for vi in &v[k + 1..n] {
            vv += vi * vi;
        }
        if vv == 0.0 {
            continue;
        }
        let beta = 2.0 / vv;
        // Left: A[k+1.., k..] -= β v (vᵀ A[k+1.., k..]).
        for sj in s[k..n].iter_mut() {
            *sj = 0.0;
        }
        for i in k + 1..n {
            let vi = v[i];
            let row = &a[i * n + k..i * n + n];
            for (sj, aij) in s[k..n].iter_mut().zip(row) {
                *sj += vi * aij;
            }
        }
        for i in k + 1..n {
            let f = beta * v[i];
            let row = &mut a[i * n + k..i * n + n];
            for (aij, sj) in row.iter_mut().zip(&s[k..n]) {
                *aij -= f * sj;
            }
        }
        // Right: A[.., k+1..] -= β (A[.., k+1..] v) vᵀ.
        for i in 0..n {
            let row = &mut a[i * n + k + 1..i * n + n];
            let mut d = 0.0;
            for (aij, vj) in row.iter().zip(&v[k + 1..n]) {
                d += aij * vj;
            }
            let f = beta * d;
            for (aij, vj) in row.iter_mut().zip(&v[k + 1..n]) {
                *aij -= f * vj;
            }
        }
        // The column below the subdiagonal is zero up to rounding: set it.
        a[(k + 1) * n + k] = alpha * scale;
        for i in k + 2..n {
            a[i * n + k] = 0.0;
        }
    }
}

/// Eigenvalues (re, im) of the upper Hessenberg row-major matrix `a`
/// (destroyed), by the Francis double-shift QR iteration. None if an
/// eigenvalue needs more than 60 iterations (or the input is not finite).
#[allow(unused_assignments)]
pub fn hessenberg_eigenvalues(a: &mut [f64], n: usize) -> Option<Vec<(f64, f64)>> {
    if a.iter().any(|v| !v.is_finite()) {
        return None;
    }
    // 1-based access as in the reference algorithm.
    let ix = |i: usize, j: usize| (i - 1) * n + (j - 1);
    let mut wr = vec![0.0; n + 1];
    let mut wi = vec![0.0; n + 1];
    let mut anorm = 0.0;
    for i in 1..=n {
        for j in i.saturating_sub(1).max(1)..=n {
            anorm += a[ix(i, j)].abs();
        }
    }
    let mut nn = n;
    let mut t = 0.0;
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
                wr[nn] = x + t;
                wi[nn] = 0.0;
                nn -= 1;
            } else {
                y = a[ix(nn - 1, nn - 1)];
                w = a[ix(nn, nn - 1)] * a[ix(nn - 1, nn)];
                if l == nn - 1 {
                    p = 0.5 * (y - x);
                    q = p * p + w;
                    z = libm::sqrt(q.abs());
                    x += t;
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
                        // Exceptional shift.
                        t += x;
                        for i in 1..=nn {
                            a[ix(i, i)] -= x;
                        }
                        let s = a[ix(nn, nn - 1)].abs() + a[ix(nn - 1, nn - 2)].abs();
                        x = 0.75 * s;
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
                            }
                            p += s;
                            x = p / s;
                            y = q / s;
                            z = r / s;
                            q /= p;
                            r /= p;
                            for j in k..=nn {
                                let mut pp = a[ix(k, j)] + q * a[ix(k + 1, j)];
                                if k != nn - 1 {
                                    pp += r * a[ix(k + 2, j)];
                                    a[ix(k + 2, j)] -= pp * z;
                                }
                                a[ix(k + 1, j)] -= pp * y;
                                a[ix(k, j)] -= pp * x;
                            }
                            let mmin = if nn < k + 3 { nn } else { k + 3 };
                            for i in l..=mmin {
                                let mut pp = x * a[ix(i, k)] + y * a[ix(i, k + 1)];
                                if k != nn - 1 {
                                    pp += z * a[ix(i, k + 2)];
                                    a[ix(i, k + 2)] -= pp * r;
                                }
                                a[ix(i, k + 1)] -= pp * q;
                                a[ix(i, k)] -= pp;
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

/// Eigenvalues (re, im) of the n × n row-major matrix `a`, in the order the
/// iteration deflates them. None if the input is not finite or the
/// iteration does not converge.
pub fn eigenvalues(a: &[f64], n: usize) -> Option<Vec<(f64, f64)>> {
    if a.len() != n * n {
        return None;
    }
    let mut h = a.to_vec();
    hessenberg(&mut h, n);
    hessenberg_eigenvalues(&mut h, n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use nalgebra::DMatrix;

    fn sort(v: &mut [(f64, f64)]) {
        v.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    }

    fn compare_with_nalgebra(n: usize, seed: u64) {
        let mut rng = Rng::new(seed);
        let a: Vec<f64> = (0..n * n)
            .map(|_| rng.normal() / libm::sqrt(n as f64))
            .collect();
        let mut ours = eigenvalues(&a, n).unwrap();
        let m = DMatrix::from_row_slice(n, n, &a);
        let mut theirs: Vec<(f64, f64)> = m
            .complex_eigenvalues()
            .iter()
            .map(|c| (c.re, c.im))
            .collect();
        sort(&mut ours);
        sort(&mut theirs);
        let scale = theirs
            .iter()
            .map(|c| libm::hypot(c.0, c.1))
            .fold(0.0, f64::max);
        for (x, y) in ours.iter().zip(&theirs) {
            let d = libm::hypot(x.0 - y.0, x.1 - y.1);
            assert!(d <= 1e-8 * scale, "n={n}: {x:?} vs {y:?}");
        }
    }

    #[test]
    fn matches_nalgebra_on_random_matrices() {
        for (n, seed) in [(1, 1), (2, 2), (3, 3), (7, 4), (30, 5), (120, 6)] {
            compare_with_nalgebra(n, seed);
        }
    }

    #[test]
    fn known_spectrum_q_lambda_q_inverse() {
        // Block-diagonal Λ with real eigenvalues and complex pairs a ± bi,
        // conjugated by a random well-conditioned Q (identity + small noise).
        let n = 12;
        let mut lam = DMatrix::<f64>::zeros(n, n);
        let mut expect = Vec::new();
        let reals = [1.5, -0.7, 0.2, 0.9, -2.0, 0.05];
        for (i, r) in reals.iter().enumerate() {
            lam[(i, i)] = *r;
            expect.push((*r, 0.0));
        }
        for (k, (re, im)) in [(0.3, 0.8), (-1.1, 0.25), (0.6, 1.7)].iter().enumerate() {
            let i = 6 + 2 * k;
            lam[(i, i)] = *re;
            lam[(i + 1, i + 1)] = *re;
            lam[(i, i + 1)] = *im;
            lam[(i + 1, i)] = -*im;
            expect.push((*re, *im));
            expect.push((*re, -*im));
        }
        let mut rng = Rng::new(9);
        let q = DMatrix::from_fn(n, n, |i, j| {
            (if i == j { 1.0 } else { 0.0 }) + 0.2 * rng.normal()
        });
        let qi = q.clone().try_inverse().unwrap();
        let a = &q * lam * qi;
        let rows: Vec<f64> = (0..n * n).map(|k| a[(k / n, k % n)]).collect();
        let mut ours = eigenvalues(&rows, n).unwrap();
        sort(&mut ours);
        sort(&mut expect);
        for (x, y) in ours.iter().zip(&expect) {
            assert!(
                (x.0 - y.0).abs() < 1e-10 && (x.1 - y.1).abs() < 1e-10,
                "{x:?} vs {y:?}"
            );
        }
    }

    #[test]
    fn degenerate_inputs() {
        assert!(eigenvalues(&[f64::NAN], 1).is_none());
        assert!(eigenvalues(&[1.0, 2.0], 2).is_none());
        assert_eq!(eigenvalues(&[0.0; 9], 3).unwrap(), vec![(0.0, 0.0); 3]);
        assert_eq!(eigenvalues(&[], 0).unwrap(), vec![]);
    }
}
