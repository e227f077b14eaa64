//! LAPACK's small auxiliary routines that the symmetric solvers share:
//! `dlapy2` (a hypotenuse without overflow), `dlartg` (a plane rotation),
//! `dlae2` and `dlaev2` (the eigen-decomposition of a 2 × 2 symmetric
//! matrix), `dlanst('M')` (the largest entry of a tridiagonal matrix),
//! `dlamrg` (the merge permutation of two sorted lists) and `dlascl` (a
//! safe rescaling), each following its LAPACK 3.12 reference routine.
//!
//! Only `+ − × ÷` and `sqrt` (correctly rounded everywhere), so each gives
//! the same bits natively and in WebAssembly.

/// The machine epsilon as LAPACK's `dlamch('E')` defines it: 2⁻⁵³ (the
/// relative rounding error, half of Rust's `f64::EPSILON`).
pub const EPS: f64 = f64::EPSILON * 0.5;
/// `dlamch('S')`: the smallest positive normal number (its reciprocal does
/// not overflow).
pub const SAFMIN: f64 = f64::MIN_POSITIVE;

/// √(x² + y²) without overflow or needless underflow (`dlapy2`): with
/// w = max(|x|, |y|) and z = min(|x|, |y|), w·√(1 + (z/w)²).
pub fn dlapy2(x: f64, y: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if y.is_nan() {
        return y;
    }
    let (xa, ya) = (x.abs(), y.abs());
    let w = xa.max(ya);
    let z = xa.min(ya);
    if z == 0.0 || w > f64::MAX {
        w
    } else {
        let q = z / w;
        w * libm::sqrt(1.0 + q * q)
    }
}

/// A plane rotation (`dlartg`, LAPACK 3.10's version): c, s and r with
/// [c s; −s c]·[f; g] = [r; 0], c ≥ 0 and r carrying the sign of f.
pub fn dlartg(f: f64, g: f64) -> (f64, f64, f64) {
    let rtmin = libm::sqrt(SAFMIN);
    let rtmax = libm::sqrt(1.0 / SAFMIN / 2.0);
    let (f1, g1) = (f.abs(), g.abs());
    if g == 0.0 {
        (1.0, 0.0, f)
    } else if f == 0.0 {
        (0.0, 1.0f64.copysign(g), g1)
    } else if f1 > rtmin && f1 < rtmax && g1 > rtmin && g1 < rtmax {
        let d = libm::sqrt(f * f + g * g);
        let c = f1 / d;
        let r = d.copysign(f);
        (c, g / r, r)
    } else {
        let u = (1.0 / SAFMIN).min(SAFMIN.max(f1).max(g1));
        let (fs, gs) = (f / u, g / u);
        let d = libm::sqrt(fs * fs + gs * gs);
        let c = fs.abs() / d;
        let r = d.copysign(f);
        (c, gs / r, r * u)
    }
}

/// The shared part of `dlae2`/`dlaev2`: rt = √((a − c)² + 4b²) computed
/// without overflow, and the larger-magnitude eigenvalue rt1 of
/// [a b; b c] with the smaller rt2 = (det)/rt1 (accurate by that quotient,
/// not by cancellation). Returns (rt1, rt2, sm, df, rt, tb, ab).
fn dlae2_parts(a: f64, b: f64, c: f64) -> (f64, f64, f64, f64, f64, f64, f64) {
    let sm = a + c;
    let df = a - c;
    let adf = df.abs();
    let tb = b + b;
    let ab = tb.abs();
    let (acmx, acmn) = if a.abs() > c.abs() { (a, c) } else { (c, a) };
    let rt = if adf > ab {
        let q = ab / adf;
        adf * libm::sqrt(1.0 + q * q)
    } else if adf < ab {
        let q = adf / ab;
        ab * libm::sqrt(1.0 + q * q)
    } else {
        ab * libm::sqrt(2.0)
    };
    let (rt1, rt2) = if sm < 0.0 {
        let rt1 = 0.5 * (sm - rt);
        (rt1, (acmx / rt1) * acmn - (b / rt1) * b)
    } else if sm > 0.0 {
        let rt1 = 0.5 * (sm + rt);
        (rt1, (acmx / rt1) * acmn - (b / rt1) * b)
    } else {
        (0.5 * rt, -0.5 * rt)
    };
    (rt1, rt2, sm, df, rt, tb, ab)
}

/// Eigenvalues of the symmetric 2 × 2 matrix [a b; b c] (`dlae2`):
/// (rt1, rt2) with |rt1| ≥ |rt2|.
pub fn dlae2(a: f64, b: f64, c: f64) -> (f64, f64) {
    let (rt1, rt2, ..) = dlae2_parts(a, b, c);
    (rt1, rt2)
}

/// Eigen-decomposition of the symmetric 2 × 2 matrix [a b; b c]
/// (`dlaev2`): (rt1, rt2, cs1, sn1) with |rt1| ≥ |rt2| and (cs1, sn1) the
/// unit eigenvector for rt1:
/// [cs1 sn1; −sn1 cs1]·[a b; b c]·[cs1 −sn1; sn1 cs1] = diag(rt1, rt2).
pub fn dlaev2(a: f64, b: f64, c: f64) -> (f64, f64, f64, f64) {
    let (rt1, rt2, sm, df, rt, tb, ab) = dlae2_parts(a, b, c);
    let sgn1 = if sm < 0.0 { -1 } else { 1 };
    let (cs, sgn2) = if df >= 0.0 {
        (df + rt, 1)
    } else {
        (df - rt, -1)
    };
    let (mut cs1, mut sn1);
    if cs.abs() > ab {
        let ct = -tb / cs;
        sn1 = 1.0 / libm::sqrt(1.0 + ct * ct);
        cs1 = ct * sn1;
    } else if ab == 0.0 {
        cs1 = 1.0;
        sn1 = 0.0;
    } else {
        let tn = -cs / tb;
        cs1 = 1.0 / libm::sqrt(1.0 + tn * tn);
        sn1 = tn * cs1;
    }
    if sgn1 == sgn2 {
        let tn = cs1;
        cs1 = -sn1;
        sn1 = tn;
    }
    (rt1, rt2, cs1, sn1)
}

/// The largest absolute entry of the tridiagonal matrix with diagonal `d`
/// and off-diagonal `e` (`dlanst('M')`). NaN if any entry is NaN.
pub fn dlanst_max(d: &[f64], e: &[f64]) -> f64 {
    let mut m = 0.0f64;
    for &x in d.iter().chain(e) {
        let a = x.abs();
        if a.is_nan() {
            return f64::NAN;
        }
        if a > m {
            m = a;
        }
    }
    m
}

/// Multiply `x` by cto/cfrom without over- or underflow (`dlascl('G')`):
/// in steps of at most 1/SAFMIN when the ratio is out of range.
pub fn dlascl(cfrom: f64, cto: f64, x: &mut [f64]) {
    let smlnum = SAFMIN;
    let bignum = 1.0 / smlnum;
    let (mut cfromc, mut ctoc) = (cfrom, cto);
    loop {
        let cfrom1 = cfromc * smlnum;
        let (mul, done);
        if cfrom1 == cfromc {
            mul = ctoc / cfromc;
            done = true;
        } else {
            let cto1 = ctoc / bignum;
            if cto1 == ctoc {
                mul = ctoc;
                done = true;
                cfromc = 1.0;
            } else if cfrom1.abs() > ctoc.abs() && ctoc != 0.0 {
                mul = smlnum;
                done = false;
                cfromc = cfrom1;
            } else if cto1.abs() > cfromc.abs() {
                mul = bignum;
                done = false;
                ctoc = cto1;
            } else {
                mul = ctoc / cfromc;
                done = true;
                if mul == 1.0 {
                    return;
                }
            }
        }
        for v in x.iter_mut() {
            *v *= mul;
        }
        if done {
            return;
        }
    }
}

/// The permutation that merges two sorted runs of `a` into one ascending
/// list (`dlamrg`): `a[..n1]` sorted in the direction `s1` (+1 ascending,
/// −1 descending), `a[n1..]` in direction `s2`. Entry k of the result is
/// the 0-based index into `a` of the k-th smallest value; ties take the
/// first run's entry first.
pub fn dlamrg(n1: usize, n2: usize, a: &[f64], s1: i32, s2: i32) -> Vec<usize> {
    let mut out = Vec::with_capacity(n1 + n2);
    // Cursors as signed positions so a descending run can step below 0.
    let mut i1: isize = if s1 > 0 { 0 } else { n1 as isize - 1 };
    let mut i2: isize = if s2 > 0 {
        n1 as isize
    } else {
        (n1 + n2) as isize - 1
    };
    let (mut left1, mut left2) = (n1, n2);
    while left1 > 0 && left2 > 0 {
        if a[i1 as usize] <= a[i2 as usize] {
            out.push(i1 as usize);
            i1 += s1 as isize;
            left1 -= 1;
        } else {
            out.push(i2 as usize);
            i2 += s2 as isize;
            left2 -= 1;
        }
    }
    for _ in 0..left2 {
        out.push(i2 as usize);
        i2 += s2 as isize;
    }
    for _ in 0..left1 {
        out.push(i1 as usize);
        i1 += s1 as isize;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_by_two_eigen_decomposition() {
        for &(a, b, c) in &[
            (2.0, 1.0, 3.0),
            (-1.0, 0.5, -4.0),
            (1.0, 0.0, 1.0),
            (0.0, 1e-200, 1e-200),
            (1e300, 1e300, -1e300),
            (3.0, -2.0, 3.0),
        ] {
            let (rt1, rt2, cs, sn) = dlaev2(a, b, c);
            assert!(rt1.abs() >= rt2.abs());
            assert_eq!((rt1, rt2), dlae2(a, b, c));
            // The trace and the eigenvector equation, to rounding.
            let scale = a.abs().max(b.abs()).max(c.abs());
            assert!(((rt1 + rt2) - (a + c)).abs() <= 4.0 * EPS * scale);
            let r0 = a * cs + b * sn - rt1 * cs;
            let r1 = b * cs + c * sn - rt1 * sn;
            assert!(r0.abs() <= 8.0 * EPS * scale, "{a} {b} {c}: {r0}");
            assert!(r1.abs() <= 8.0 * EPS * scale, "{a} {b} {c}: {r1}");
            assert!((cs * cs + sn * sn - 1.0).abs() <= 4.0 * EPS);
        }
    }

    #[test]
    fn rotations_and_hypotenuse() {
        for &(f, g) in &[
            (3.0, 4.0),
            (-3.0, 4.0),
            (0.0, -2.0),
            (5.0, 0.0),
            (1e-300, 1e-300),
            (1e300, -1e300),
        ] {
            let (c, s, r) = dlartg(f, g);
            assert!(c >= 0.0);
            let scale = f.abs().max(g.abs());
            assert!((c * f + s * g - r).abs() <= 4.0 * EPS * scale);
            assert!((-s * f + c * g).abs() <= 4.0 * EPS * scale);
            assert!((r.abs() - dlapy2(f, g)).abs() <= 4.0 * EPS * scale);
        }
        assert_eq!(dlapy2(3.0, -4.0), 5.0);
        assert!(dlapy2(f64::NAN, 1.0).is_nan());
    }

    #[test]
    fn merge_permutation_and_scaling() {
        let a = [1.0, 4.0, 9.0, 8.0, 3.0, 2.0];
        assert_eq!(dlamrg(3, 3, &a, 1, -1), vec![0, 5, 4, 1, 3, 2]);
        assert_eq!(dlamrg(3, 3, &a, 1, 1)[0], 0);
        assert_eq!(dlanst_max(&[1.0, -7.0], &[3.0]), 7.0);
        // A ratio of 1e600 overflows in one step; dlascl takes several,
        // each exact or rounded once.
        let mut x = [1e-300, 2e-300];
        dlascl(1e-300, 1e300, &mut x);
        assert!((x[0] / 1e300 - 1.0).abs() < 4.0 * EPS && (x[1] / 2e300 - 1.0).abs() < 4.0 * EPS);
        let mut y = [3.0, -6.0];
        dlascl(3.0, 1.0, &mut y);
        assert_eq!(y, [1.0, -2.0]);
    }
}
