//! The i-th root of the secular equation of a rank-one update of a
//! diagonal matrix (LAPACK `dlaed4`, with `dlaed5` for two poles):
//!
//!   eigenvalues of D + ρ z zᵀ,  D = diag(d₁ < d₂ < … < d_n), ρ > 0, ‖z‖ = 1,
//!
//! are the roots λ of w(λ) = 1/ρ + Σ_j z_j²/(d_j − λ), one in each
//! interval (d_i, d_{i+1}) and the last in (d_n, d_n + ρ). The root is
//! found as λ = d_K + τ with the origin d_K at the nearer pole, so the
//! differences δ_j = d_j − λ, which give the eigenvectors
//! (v_j ∝ z_j/δ_j), are accurate to a few ulps. The iteration is
//! R.-C. Li's "middle way" (LAPACK Working Note 89, 1994): a rational
//! model of the two nearest pole terms (or of three, through
//! [`super::dlaed6`], when the root is far from both), safeguarded by
//! bisection on a bracket. The reference routine's 1-based indices are
//! kept, so the code reads line by line against it.

use super::auxiliary::EPS;
use super::dlaed6::dlaed6;

/// Iterations allowed.
const MAXIT: usize = 30;

/// The root λ_i (i is 1-based, 1 ≤ i ≤ n) of the secular equation of
/// D + ρzzᵀ, with `delta[j−1]` = d_j − λ_i on return (for n = 2, the
/// normalised eigenvector instead, as LAPACK's `dlaed5` returns; for
/// n = 1, δ₁ = 1). None if 30 iterations do not converge.
pub fn dlaed4(
    n: usize,
    i: usize,
    d: &[f64],
    z: &[f64],
    delta: &mut [f64],
    rho: f64,
) -> Option<f64> {
    // 1-based views.
    let d1 = |j: usize| d[j - 1];
    let z1 = |j: usize| z[j - 1];
    if n == 1 {
        delta[0] = 1.0;
        return Some(d1(1) + rho * z1(1) * z1(1));
    }
    if n == 2 {
        return Some(dlaed5(i, d, z, delta, rho));
    }
    let rhoinv = 1.0 / rho;
    if i == n {
        // The last root, in (d_n, d_n + ρ): origin at d_n.
        let ii = n - 1;
        let midpt = rho / 2.0;
        for j in 1..=n {
            delta[j - 1] = (d1(j) - d1(i)) - midpt;
        }
        let mut psi = 0.0;
        for j in 1..=n - 2 {
            psi += z1(j) * z1(j) / delta[j - 1];
        }
        let c = rhoinv + psi;
        let w = c + z1(ii) * z1(ii) / delta[ii - 1] + z1(n) * z1(n) / delta[n - 1];
        let (mut tau, mut dltlb, mut dltub);
        if w <= 0.0 {
            let temp = z1(n - 1) * z1(n - 1) / (d1(n) - d1(n - 1) + rho) + z1(n) * z1(n) / rho;
            if c <= temp {
                tau = rho;
            } else {
                let del = d1(n) - d1(n - 1);
                let a = -c * del + z1(n - 1) * z1(n - 1) + z1(n) * z1(n);
                let b = z1(n) * z1(n) * del;
                tau = if a < 0.0 {
                    2.0 * b / (libm::sqrt(a * a + 4.0 * b * c) - a)
                } else {
                    (a + libm::sqrt(a * a + 4.0 * b * c)) / (2.0 * c)
                };
            }
            dltlb = midpt;
            dltub = rho;
        } else {
            let del = d1(n) - d1(n - 1);
            let a = -c * del + z1(n - 1) * z1(n - 1) + z1(n) * z1(n);
            let b = z1(n) * z1(n) * del;
            tau = if a < 0.0 {
                2.0 * b / (libm::sqrt(a * a + 4.0 * b * c) - a)
            } else {
                (a + libm::sqrt(a * a + 4.0 * b * c)) / (2.0 * c)
            };
            dltlb = 0.0;
            dltub = midpt;
        }
        for j in 1..=n {
            delta[j - 1] = (d1(j) - d1(i)) - tau;
        }
        // ψ over the poles below, φ for the last; w = 1/ρ + ψ + φ.
        let sums = |delta: &[f64], tau: f64| {
            let (mut dpsi, mut psi, mut erretm) = (0.0, 0.0, 0.0);
            for j in 1..=ii {
                let temp = z1(j) / delta[j - 1];
                psi += z1(j) * temp;
                dpsi += temp * temp;
                erretm += psi;
            }
            let erretm = erretm.abs();
            let temp = z1(n) / delta[n - 1];
            let phi = z1(n) * temp;
            let dphi = temp * temp;
            let erretm = 8.0 * (-phi - psi) + erretm - phi + rhoinv + tau.abs() * (dpsi + dphi);
            (psi, dpsi, phi, dphi, erretm, rhoinv + phi + psi)
        };
        let (_, mut dpsi, _, mut dphi, mut erretm, mut w) = sums(delta, tau);
        if w.abs() <= EPS * erretm {
            return Some(d1(i) + tau);
        }
        if w <= 0.0 {
            dltlb = dltlb.max(tau);
        } else {
            dltub = dltub.min(tau);
        }
        // The first step.
        let mut c = w - delta[n - 2] * dpsi - delta[n - 1] * dphi;
        let a = (delta[n - 2] + delta[n - 1]) * w - delta[n - 2] * delta[n - 1] * (dpsi + dphi);
        let b = delta[n - 2] * delta[n - 1] * w;
        if c < 0.0 {
            c = c.abs();
        }
        let mut eta = if c == 0.0 {
            -w / (dpsi + dphi)
        } else if a >= 0.0 {
            (a + libm::sqrt((a * a - 4.0 * b * c).abs())) / (2.0 * c)
        } else {
            2.0 * b / (a - libm::sqrt((a * a - 4.0 * b * c).abs()))
        };
        if w * eta > 0.0 {
            eta = -w / (dpsi + dphi);
        }
        let temp = tau + eta;
        if temp > dltub || temp < dltlb {
            let eta1 = -w / (dpsi + dphi);
            let temp = tau + eta1;
            let eta2 = if w < 0.0 {
                (dltub - tau) / 2.0
            } else {
                (dltlb - tau) / 2.0
            };
            eta = if dltlb <= temp && temp <= dltub {
                1.0f64.copysign(eta1) * libm::sqrt(eta1.abs()) * libm::sqrt(eta2.abs())
            } else {
                eta2
            };
        }
        for x in delta[..n].iter_mut() {
            *x -= eta;
        }
        tau += eta;
        (_, dpsi, _, dphi, erretm, w) = sums(delta, tau);
        // The main loop.
        for _ in 2..=MAXIT {
            if w.abs() <= EPS * erretm {
                return Some(d1(i) + tau);
            }
            if w <= 0.0 {
                dltlb = dltlb.max(tau);
            } else {
                dltub = dltub.min(tau);
            }
            let c = w - delta[n - 2] * dpsi - delta[n - 1] * dphi;
            let a = (delta[n - 2] + delta[n - 1]) * w - delta[n - 2] * delta[n - 1] * (dpsi + dphi);
            let b = delta[n - 2] * delta[n - 1] * w;
            let mut eta = if a >= 0.0 {
                (a + libm::sqrt((a * a - 4.0 * b * c).abs())) / (2.0 * c)
            } else {
                2.0 * b / (a - libm::sqrt((a * a - 4.0 * b * c).abs()))
            };
            if w * eta > 0.0 {
                eta = -w / (dpsi + dphi);
            }
            let temp = tau + eta;
            if temp > dltub || temp < dltlb {
                eta = if w < 0.0 {
                    (dltub - tau) / 2.0
                } else {
                    (dltlb - tau) / 2.0
                };
            }
            for x in delta[..n].iter_mut() {
                *x -= eta;
            }
            tau += eta;
            (_, dpsi, _, dphi, erretm, w) = sums(delta, tau);
        }
        return None;
    }

    // 1 ≤ i < n: the root in (d_i, d_{i+1}).
    let ip1 = i + 1;
    let del = d1(ip1) - d1(i);
    let midpt = del / 2.0;
    for j in 1..=n {
        delta[j - 1] = (d1(j) - d1(i)) - midpt;
    }
    let mut psi = 0.0;
    for j in 1..i {
        psi += z1(j) * z1(j) / delta[j - 1];
    }
    let mut phi = 0.0;
    for j in (i + 2..=n).rev() {
        phi += z1(j) * z1(j) / delta[j - 1];
    }
    let c = rhoinv + psi + phi;
    let w = c + z1(i) * z1(i) / delta[i - 1] + z1(ip1) * z1(ip1) / delta[ip1 - 1];
    // The root is nearer d_i (orgati) when w(midpoint) > 0.
    let orgati = w > 0.0;
    let (mut tau, mut dltlb, mut dltub);
    if orgati {
        let a = c * del + z1(i) * z1(i) + z1(ip1) * z1(ip1);
        let b = z1(i) * z1(i) * del;
        tau = if a > 0.0 {
            2.0 * b / (a + libm::sqrt((a * a - 4.0 * b * c).abs()))
        } else {
            (a - libm::sqrt((a * a - 4.0 * b * c).abs())) / (2.0 * c)
        };
        dltlb = 0.0;
        dltub = midpt;
    } else {
        let a = c * del - z1(i) * z1(i) - z1(ip1) * z1(ip1);
        let b = z1(ip1) * z1(ip1) * del;
        tau = if a < 0.0 {
            2.0 * b / (a - libm::sqrt((a * a + 4.0 * b * c).abs()))
        } else {
            -(a + libm::sqrt((a * a + 4.0 * b * c).abs())) / (2.0 * c)
        };
        dltlb = -midpt;
        dltub = 0.0;
    }
    let origin = if orgati { d1(i) } else { d1(ip1) };
    for j in 1..=n {
        delta[j - 1] = (d1(j) - origin) - tau;
    }
    let ii = if orgati { i } else { i + 1 };
    let iim1 = ii - 1;
    let iip1 = ii + 1;
    // ψ over the poles below ii, φ over those above, then the ii term.
    let sums = |delta: &[f64], tau: f64| {
        let (mut dpsi, mut psi, mut erretm) = (0.0, 0.0, 0.0);
        for j in 1..=iim1 {
            let temp = z1(j) / delta[j - 1];
            psi += z1(j) * temp;
            dpsi += temp * temp;
            erretm += psi;
        }
        let mut erretm = erretm.abs();
        let (mut dphi, mut phi) = (0.0, 0.0);
        for j in (iip1..=n).rev() {
            let temp = z1(j) / delta[j - 1];
            phi += z1(j) * temp;
            dphi += temp * temp;
            erretm += phi;
        }
        let temp = z1(ii) / delta[ii - 1];
        let dw = dpsi + dphi + temp * temp;
        let temp = z1(ii) * temp;
        let w = rhoinv + phi + psi + temp;
        erretm = 8.0 * (phi - psi) + erretm + 2.0 * rhoinv + 3.0 * temp.abs() + tau.abs() * dw;
        (psi, dpsi, phi, dphi, dw, w, erretm)
    };
    let (mut psi, mut dpsi, mut phi, mut dphi, mut dw, mut w, mut erretm) = sums(delta, tau);
    // Three-pole model when the first w points away from the near pole.
    let mut swtch3 = if orgati {
        rhoinv + phi + psi < 0.0
    } else {
        rhoinv + phi + psi > 0.0
    };
    if ii == 1 || ii == n {
        swtch3 = false;
    }
    if w.abs() <= EPS * erretm {
        return Some(origin + tau);
    }
    if w <= 0.0 {
        dltlb = dltlb.max(tau);
    } else {
        dltub = dltub.min(tau);
    }
    // The first step.
    let mut niter = 2;
    let mut eta;
    if !swtch3 {
        let c = if orgati {
            let q = z1(i) / delta[i - 1];
            w - delta[ip1 - 1] * dw - (d1(i) - d1(ip1)) * q * q
        } else {
            let q = z1(ip1) / delta[ip1 - 1];
            w - delta[i - 1] * dw - (d1(ip1) - d1(i)) * q * q
        };
        let mut a = (delta[i - 1] + delta[ip1 - 1]) * w - delta[i - 1] * delta[ip1 - 1] * dw;
        let b = delta[i - 1] * delta[ip1 - 1] * w;
        eta = if c == 0.0 {
            if a == 0.0 {
                a = if orgati {
                    z1(i) * z1(i) + delta[ip1 - 1] * delta[ip1 - 1] * (dpsi + dphi)
                } else {
                    z1(ip1) * z1(ip1) + delta[i - 1] * delta[i - 1] * (dpsi + dphi)
                };
            }
            b / a
        } else if a <= 0.0 {
            (a - libm::sqrt((a * a - 4.0 * b * c).abs())) / (2.0 * c)
        } else {
            2.0 * b / (a + libm::sqrt((a * a - 4.0 * b * c).abs()))
        };
    } else {
        let temp = rhoinv + psi + phi;
        let mut zz = [0.0; 3];
        let c;
        if orgati {
            let t1 = z1(iim1) / delta[iim1 - 1];
            let t1 = t1 * t1;
            c = temp - delta[iip1 - 1] * (dpsi + dphi) - (d1(iim1) - d1(iip1)) * t1;
            zz[0] = z1(iim1) * z1(iim1);
            zz[2] = delta[iip1 - 1] * delta[iip1 - 1] * ((dpsi - t1) + dphi);
        } else {
            let t1 = z1(iip1) / delta[iip1 - 1];
            let t1 = t1 * t1;
            c = temp - delta[iim1 - 1] * (dpsi + dphi) - (d1(iip1) - d1(iim1)) * t1;
            zz[0] = delta[iim1 - 1] * delta[iim1 - 1] * (dpsi + (dphi - t1));
            zz[2] = z1(iip1) * z1(iip1);
        }
        zz[1] = z1(ii) * z1(ii);
        eta = dlaed6(niter, orgati, c, &delta[iim1 - 1..iim1 + 2], &zz, w)?;
    }
    if w * eta >= 0.0 {
        eta = -w / dw;
    }
    let temp = tau + eta;
    if temp > dltub || temp < dltlb {
        eta = if w < 0.0 {
            (dltub - tau) / 2.0
        } else {
            (dltlb - tau) / 2.0
        };
    }
    let mut prew = w;
    for x in delta[..n].iter_mut() {
        *x -= eta;
    }
    // Note the error bound uses |τ + η| before τ is updated, as the
    // reference does.
    (psi, dpsi, phi, dphi, dw, w, erretm) = sums(delta, tau + eta);
    let mut swtch = if orgati {
        -w > prew.abs() / 10.0
    } else {
        w > prew.abs() / 10.0
    };
    tau += eta;
    // The main loop.
    niter += 1;
    while niter <= MAXIT {
        if w.abs() <= EPS * erretm {
            return Some(origin + tau);
        }
        if w <= 0.0 {
            dltlb = dltlb.max(tau);
        } else {
            dltub = dltub.min(tau);
        }
        if !swtch3 {
            let c = if !swtch {
                if orgati {
                    let q = z1(i) / delta[i - 1];
                    w - delta[ip1 - 1] * dw - (d1(i) - d1(ip1)) * q * q
                } else {
                    let q = z1(ip1) / delta[ip1 - 1];
                    w - delta[i - 1] * dw - (d1(ip1) - d1(i)) * q * q
                }
            } else {
                let temp = z1(ii) / delta[ii - 1];
                if orgati {
                    dpsi += temp * temp;
                } else {
                    dphi += temp * temp;
                }
                w - delta[i - 1] * dpsi - delta[ip1 - 1] * dphi
            };
            let mut a = (delta[i - 1] + delta[ip1 - 1]) * w - delta[i - 1] * delta[ip1 - 1] * dw;
            let b = delta[i - 1] * delta[ip1 - 1] * w;
            eta = if c == 0.0 {
                if a == 0.0 {
                    a = if !swtch {
                        if orgati {
                            z1(i) * z1(i) + delta[ip1 - 1] * delta[ip1 - 1] * (dpsi + dphi)
                        } else {
                            z1(ip1) * z1(ip1) + delta[i - 1] * delta[i - 1] * (dpsi + dphi)
                        }
                    } else {
                        delta[i - 1] * delta[i - 1] * dpsi + delta[ip1 - 1] * delta[ip1 - 1] * dphi
                    };
                }
                b / a
            } else if a <= 0.0 {
                (a - libm::sqrt((a * a - 4.0 * b * c).abs())) / (2.0 * c)
            } else {
                2.0 * b / (a + libm::sqrt((a * a - 4.0 * b * c).abs()))
            };
        } else {
            let temp = rhoinv + psi + phi;
            let mut zz = [0.0; 3];
            let c;
            if swtch {
                c = temp - delta[iim1 - 1] * dpsi - delta[iip1 - 1] * dphi;
                zz[0] = delta[iim1 - 1] * delta[iim1 - 1] * dpsi;
                zz[2] = delta[iip1 - 1] * delta[iip1 - 1] * dphi;
            } else if orgati {
                let t1 = z1(iim1) / delta[iim1 - 1];
                let t1 = t1 * t1;
                c = temp - delta[iip1 - 1] * (dpsi + dphi) - (d1(iim1) - d1(iip1)) * t1;
                zz[0] = z1(iim1) * z1(iim1);
                zz[2] = delta[iip1 - 1] * delta[iip1 - 1] * ((dpsi - t1) + dphi);
            } else {
                let t1 = z1(iip1) / delta[iip1 - 1];
                let t1 = t1 * t1;
                c = temp - delta[iim1 - 1] * (dpsi + dphi) - (d1(iip1) - d1(iim1)) * t1;
                zz[0] = delta[iim1 - 1] * delta[iim1 - 1] * (dpsi + (dphi - t1));
                zz[2] = z1(iip1) * z1(iip1);
            }
            zz[1] = z1(ii) * z1(ii);
            eta = dlaed6(niter, orgati, c, &delta[iim1 - 1..iim1 + 2], &zz, w)?;
        }
        if w * eta >= 0.0 {
            eta = -w / dw;
        }
        let temp = tau + eta;
        if temp > dltub || temp < dltlb {
            let eta1 = -w / dw;
            let temp = tau + eta1;
            let eta2 = if w < 0.0 {
                (dltub - tau) / 2.0
            } else {
                (dltlb - tau) / 2.0
            };
            eta = if dltlb <= temp && temp <= dltub {
                1.0f64.copysign(eta1) * libm::sqrt(eta1.abs()) * libm::sqrt(eta2.abs())
            } else {
                eta2
            };
        }
        for x in delta[..n].iter_mut() {
            *x -= eta;
        }
        tau += eta;
        prew = w;
        (psi, dpsi, phi, dphi, dw, w, erretm) = sums(delta, tau);
        if w * prew > 0.0 && w.abs() > prew.abs() / 10.0 {
            swtch = !swtch;
        }
        niter += 1;
    }
    None
}

/// The i-th (1-based) eigenvalue of diag(d₁, d₂) + ρzzᵀ, d₁ < d₂, ρ > 0
/// (LAPACK `dlaed5`), with `delta` set to its unit eigenvector.
fn dlaed5(i: usize, d: &[f64], z: &[f64], delta: &mut [f64], rho: f64) -> f64 {
    let del = d[1] - d[0];
    let dlam;
    if i == 1 {
        let w = 1.0 + 2.0 * rho * (z[1] * z[1] - z[0] * z[0]) / del;
        if w > 0.0 {
            let b = del + rho * (z[0] * z[0] + z[1] * z[1]);
            let c = rho * z[0] * z[0] * del;
            let tau = 2.0 * c / (b + libm::sqrt((b * b - 4.0 * c).abs()));
            dlam = d[0] + tau;
            delta[0] = -z[0] / tau;
            delta[1] = z[1] / (del - tau);
        } else {
            let b = -del + rho * (z[0] * z[0] + z[1] * z[1]);
            let c = rho * z[1] * z[1] * del;
            let tau = if b > 0.0 {
                -2.0 * c / (b + libm::sqrt(b * b + 4.0 * c))
            } else {
                (b - libm::sqrt(b * b + 4.0 * c)) / 2.0
            };
            dlam = d[1] + tau;
            delta[0] = -z[0] / (del + tau);
            delta[1] = -z[1] / tau;
        }
    } else {
        let b = -del + rho * (z[0] * z[0] + z[1] * z[1]);
        let c = rho * z[1] * z[1] * del;
        let tau = if b > 0.0 {
            (b + libm::sqrt(b * b + 4.0 * c)) / 2.0
        } else {
            2.0 * c / (-b + libm::sqrt(b * b + 4.0 * c))
        };
        dlam = d[1] + tau;
        delta[0] = -z[0] / (del + tau);
        delta[1] = -z[1] / tau;
    }
    let temp = libm::sqrt(delta[0] * delta[0] + delta[1] * delta[1]);
    delta[0] /= temp;
    delta[1] /= temp;
    dlam
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// Every root of a random secular equation, checked against the
    /// eigenvalue equation: det(D + ρzzᵀ − λI) = 0 ⇔ w(λ) = 0, and the
    /// vector z_j/δ_j is an eigenvector.
    #[test]
    fn roots_interlace_and_solve_the_equation() {
        let mut rng = Rng::new(1);
        for n in [1, 2, 3, 4, 10, 50] {
            let mut d: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
            d.sort_by(f64::total_cmp);
            let mut z: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
            let norm = libm::sqrt(z.iter().map(|x| x * x).sum::<f64>());
            z.iter_mut().for_each(|x| *x /= norm);
            let rho = 0.8;
            let mut prev = f64::NEG_INFINITY;
            for i in 1..=n {
                let mut delta = vec![0.0; n];
                let lam = dlaed4(n, i, &d, &z, &mut delta, rho).unwrap();
                assert!(lam > d[i - 1] - 1e-14 && lam > prev, "n={n} i={i}");
                if i < n {
                    assert!(lam < d[i] + 1e-14);
                } else {
                    assert!(lam <= d[n - 1] + rho + 1e-14);
                }
                prev = lam;
                // Eigenvector v_j = z_j/(d_j − λ): (D + ρzzᵀ)v = λv.
                let v: Vec<f64> = if n <= 2 {
                    delta.clone()
                } else {
                    (0..n).map(|j| z[j] / delta[j]).collect()
                };
                let vn = libm::sqrt(v.iter().map(|x| x * x).sum::<f64>());
                let zv: f64 = z.iter().zip(&v).map(|(a, b)| a * b).sum();
                for j in 0..n {
                    let r = d[j] * v[j] + rho * z[j] * zv - lam * v[j];
                    assert!(r.abs() < 1e-12 * vn, "n={n} i={i} j={j}: {r}");
                }
            }
        }
    }
}
