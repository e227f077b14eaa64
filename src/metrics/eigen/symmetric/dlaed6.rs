//! One root of the secular equation with three poles (LAPACK `dlaed6`),
//! used by [`super::dlaed4`] for its middle roots:
//!
//!   f(x) = ρ + z₁/(d₁ − x) + z₂/(d₂ − x) + z₃/(d₃ − x) = 0
//!
//! in the interval between the two poles next to the origin (d₂, d₃ if
//! `orgati`, else d₁, d₂), by the cubically convergent iteration of
//! R.-C. Li, "Solving secular equations stably and efficiently" (LAPACK
//! Working Note 89, 1994), safeguarded by bisection on a bracket.

use super::auxiliary::EPS;

/// Iterations allowed.
const MAXIT: usize = 40;
/// 2^⌊log₂(SAFMIN)/3⌋ = 2⁻³⁴⁰ (LAPACK's SMALL1), and its square.
const SMALL1: f64 = f64::from_bits((1023 - 340) << 52);
const SMALL2: f64 = SMALL1 * SMALL1;
const SMINV1: f64 = 1.0 / SMALL1;
const SMINV2: f64 = SMINV1 * SMINV1;

/// The root τ of f (see the module doc), with `finit` = f(0) and `kniter`
/// the caller's iteration count (at 2 the first guess comes from a
/// quadratic model). None if 40 iterations do not converge.
pub fn dlaed6(
    kniter: usize,
    orgati: bool,
    rho: f64,
    d: &[f64],
    z: &[f64],
    finit: f64,
) -> Option<f64> {
    let (mut lbd, mut ubd) = if orgati { (d[1], d[2]) } else { (d[0], d[1]) };
    if finit < 0.0 {
        lbd = 0.0;
    } else {
        ubd = 0.0;
    }
    let mut tau = 0.0;
    if kniter == 2 {
        let (a, b, c);
        if orgati {
            let temp = (d[2] - d[1]) / 2.0;
            c = rho + z[0] / ((d[0] - d[1]) - temp);
            a = c * (d[1] + d[2]) + z[1] + z[2];
            b = c * d[1] * d[2] + z[1] * d[2] + z[2] * d[1];
        } else {
            let temp = (d[0] - d[1]) / 2.0;
            c = rho + z[2] / ((d[2] - d[1]) - temp);
            a = c * (d[0] + d[1]) + z[0] + z[1];
            b = c * d[0] * d[1] + z[0] * d[1] + z[1] * d[0];
        }
        let temp = a.abs().max(b.abs()).max(c.abs());
        let (a, b, c) = (a / temp, b / temp, c / temp);
        tau = if c == 0.0 {
            b / a
        } else if a <= 0.0 {
            (a - libm::sqrt((a * a - 4.0 * b * c).abs())) / (2.0 * c)
        } else {
            2.0 * b / (a + libm::sqrt((a * a - 4.0 * b * c).abs()))
        };
        if tau < lbd || tau > ubd {
            tau = (lbd + ubd) / 2.0;
        }
        if d[0] == tau || d[1] == tau || d[2] == tau {
            tau = 0.0;
        } else {
            let temp = finit
                + tau * z[0] / (d[0] * (d[0] - tau))
                + tau * z[1] / (d[1] * (d[1] - tau))
                + tau * z[2] / (d[2] * (d[2] - tau));
            if temp <= 0.0 {
                lbd = tau;
            } else {
                ubd = tau;
            }
            if finit.abs() <= temp.abs() {
                tau = 0.0;
            }
        }
    }
    // Scale up when the root is very close to a pole.
    let gap = if orgati {
        (d[1] - tau).abs().min((d[2] - tau).abs())
    } else {
        (d[0] - tau).abs().min((d[1] - tau).abs())
    };
    let mut dscale = [d[0], d[1], d[2]];
    let mut zscale = [z[0], z[1], z[2]];
    let mut sclinv = None;
    if gap <= SMALL1 {
        let (sclfac, inv) = if gap <= SMALL2 {
            (SMINV2, SMALL2)
        } else {
            (SMINV1, SMALL1)
        };
        for i in 0..3 {
            dscale[i] = d[i] * sclfac;
            zscale[i] = z[i] * sclfac;
        }
        tau *= sclfac;
        lbd *= sclfac;
        ubd *= sclfac;
        sclinv = Some(inv);
    }
    let unscale = |t: f64| match sclinv {
        Some(s) => t * s,
        None => t,
    };
    let (mut fc, mut df, mut ddf) = (0.0, 0.0, 0.0);
    for i in 0..3 {
        let temp = 1.0 / (dscale[i] - tau);
        let temp1 = zscale[i] * temp;
        let temp2 = temp1 * temp;
        let temp3 = temp2 * temp;
        fc += temp1 / dscale[i];
        df += temp2;
        ddf += temp3;
    }
    let mut f = finit + tau * fc;
    if f.abs() <= 0.0 {
        return Some(unscale(tau));
    }
    if f <= 0.0 {
        lbd = tau;
    } else {
        ubd = tau;
    }
    for _ in 2..=MAXIT {
        let (temp1, temp2) = if orgati {
            (dscale[1] - tau, dscale[2] - tau)
        } else {
            (dscale[0] - tau, dscale[1] - tau)
        };
        let a = (temp1 + temp2) * f - temp1 * temp2 * df;
        let b = temp1 * temp2 * f;
        let c = f - (temp1 + temp2) * df + temp1 * temp2 * ddf;
        let temp = a.abs().max(b.abs()).max(c.abs());
        let (a, b, c) = (a / temp, b / temp, c / temp);
        let mut eta = if c == 0.0 {
            b / a
        } else if a <= 0.0 {
            (a - libm::sqrt((a * a - 4.0 * b * c).abs())) / (2.0 * c)
        } else {
            2.0 * b / (a + libm::sqrt((a * a - 4.0 * b * c).abs()))
        };
        if f * eta >= 0.0 {
            eta = -f / df;
        }
        tau += eta;
        if tau < lbd || tau > ubd {
            tau = (lbd + ubd) / 2.0;
        }
        fc = 0.0;
        let mut erretm = 0.0;
        df = 0.0;
        ddf = 0.0;
        for i in 0..3 {
            if dscale[i] - tau == 0.0 {
                return Some(unscale(tau));
            }
            let temp = 1.0 / (dscale[i] - tau);
            let temp1 = zscale[i] * temp;
            let temp2 = temp1 * temp;
            let temp3 = temp2 * temp;
            let temp4 = temp1 / dscale[i];
            fc += temp4;
            erretm += temp4.abs();
            df += temp2;
            ddf += temp3;
        }
        f = finit + tau * fc;
        let erretm = 8.0 * (finit.abs() + tau.abs() * erretm) + tau.abs() * df;
        if f.abs() <= 4.0 * EPS * erretm || (ubd - lbd) <= 4.0 * EPS * tau.abs() {
            return Some(unscale(tau));
        }
        if f <= 0.0 {
            lbd = tau;
        } else {
            ubd = tau;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small1_is_two_to_the_minus_340() {
        assert_eq!(SMALL1, libm::ldexp(1.0, -340));
    }

    #[test]
    fn finds_the_root_between_the_poles() {
        // Poles (relative to the origin) at −1, 0.5 and 2, root in (0.5, 2)
        // when orgati. f(0) = ρ + Σ z/d.
        let d = [-1.0, 0.5, 2.0];
        let z = [0.3, 0.2, 0.4];
        let rho = 0.7;
        let f = |x: f64| rho + (0..3).map(|i| z[i] / (d[i] - x)).sum::<f64>();
        let finit = f(0.0);
        // finit > 0 here, so the root lies in (d₁, 0) for !orgati.
        let tau = dlaed6(1, false, rho, &d, &z, finit).unwrap();
        assert!(tau > d[0] && tau < 0.0, "{tau}");
        assert!(f(tau).abs() < 1e-12, "{}", f(tau));
        let tau2 = dlaed6(2, false, rho, &d, &z, finit).unwrap();
        assert!((tau2 - tau).abs() < 1e-14);
    }
}
