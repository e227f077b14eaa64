//! One-dimensional root finding and minimisation: Brent's method and golden
//! section. Deterministic (fixed iteration order, no FMA), used by the
//! mean-field theory of the feedback lab.

/// A root of `f` in [a, b] by Brent's method (Brent 1973, "Algorithms for
/// minimization without derivatives", ch. 4), to absolute tolerance `tol` in
/// x. Needs f(a), f(b) of opposite signs (or one of them zero); returns
/// `None` otherwise or if f gives NaN.
pub fn brent<F: FnMut(f64) -> f64>(mut f: F, a: f64, b: f64, tol: f64) -> Option<f64> {
    let (mut a, mut b) = (a, b);
    let mut fa = f(a);
    let mut fb = f(b);
    if fa.is_nan() || fb.is_nan() {
        return None;
    }
    if fa == 0.0 {
        return Some(a);
    }
    if fb == 0.0 {
        return Some(b);
    }
    if (fa > 0.0) == (fb > 0.0) {
        return None;
    }
    let mut c = a;
    let mut fc = fa;
    let mut d = b - a;
    let mut e = d;
    for _ in 0..200 {
        if (fb > 0.0) == (fc > 0.0) {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol1 = 2.0 * f64::EPSILON * b.abs() + 0.5 * tol;
        let xm = 0.5 * (c - b);
        if xm.abs() <= tol1 || fb == 0.0 {
            return Some(b);
        }
        if e.abs() >= tol1 && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                p = 2.0 * xm * s;
                q = 1.0 - s;
            } else {
                let qq = fa / fc;
                let r = fb / fc;
                p = s * (2.0 * xm * qq * (qq - r) - (b - a) * (r - 1.0));
                q = (qq - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            }
            p = p.abs();
            let min1 = 3.0 * xm * q - (tol1 * q).abs();
            let min2 = (e * q).abs();
            if 2.0 * p < min1.min(min2) {
                e = d;
                d = p / q;
            } else {
                d = xm;
                e = d;
            }
        } else {
            d = xm;
            e = d;
        }
        a = b;
        fa = fb;
        if d.abs() > tol1 {
            b += d;
        } else {
            b += if xm > 0.0 { tol1 } else { -tol1 };
        }
        fb = f(b);
        if fb.is_nan() {
            return None;
        }
    }
    Some(b)
}

/// The minimiser of `f` on [a, b] by golden-section search, to absolute
/// tolerance `tol` in x. Returns (x, f(x)).
pub fn golden_min<F: FnMut(f64) -> f64>(mut f: F, a: f64, b: f64, tol: f64) -> (f64, f64) {
    let r = 0.618_033_988_749_894_9;
    let (mut a, mut b) = (a, b);
    let mut x1 = b - r * (b - a);
    let mut x2 = a + r * (b - a);
    let mut f1 = f(x1);
    let mut f2 = f(x2);
    for _ in 0..200 {
        if (b - a).abs() <= tol {
            break;
        }
        if f1 < f2 {
            b = x2;
            x2 = x1;
            f2 = f1;
            x1 = b - r * (b - a);
            f1 = f(x1);
        } else {
            a = x1;
            x1 = x2;
            f1 = f2;
            x2 = a + r * (b - a);
            f2 = f(x2);
        }
    }
    if f1 < f2 {
        (x1, f1)
    } else {
        (x2, f2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brent_finds_known_roots() {
        let r = brent(|x| x * x - 2.0, 0.0, 3.0, 1e-14).unwrap();
        assert!((r - 2f64.sqrt()).abs() < 1e-12);
        let r = brent(|x| libm::cos(x) - x, 0.0, 1.0, 1e-14).unwrap();
        assert!((r - 0.739_085_133_215_160_6).abs() < 1e-12);
        assert!(brent(|x| x * x + 1.0, -1.0, 1.0, 1e-12).is_none());
    }

    #[test]
    fn golden_finds_minimum() {
        let (x, fx) = golden_min(|x| (x - 0.3) * (x - 0.3) + 1.0, -2.0, 2.0, 1e-10);
        assert!((x - 0.3).abs() < 1e-6);
        assert!((fx - 1.0).abs() < 1e-12);
    }
}
