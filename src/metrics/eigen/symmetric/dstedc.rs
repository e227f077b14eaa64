//! Eigenvalues and eigenvectors of a symmetric tridiagonal matrix by
//! divide and conquer (LAPACK `dstedc` with COMPZ = 'I'; J. J. M. Cuppen,
//! "A divide and conquer method for the symmetric tridiagonal
//! eigenproblem", Numer. Math. 36, 1981; M. Gu and S. C. Eisenstat, SIAM
//! J. Matrix Anal. Appl. 16, 1995).
//!
//! The matrix splits where an off-diagonal entry is negligible; each
//! unreduced block larger than [`SMLSIZ`] is scaled to unit norm and
//! solved by [`super::dlaed0`], smaller ones by [`super::dsteqr`]. Then the
//! eigenpairs are sorted ascending. Most of the work is the merges'
//! matrix products, so this beats the QL/QR iteration with accumulated
//! rotations (≈ 6n³ flops of rotations) by a wide margin from n ≈ 100 on.

use super::auxiliary::{dlanst_max, dlascl, EPS};
use super::dlaed0::dlaed0;
use super::dsteqr::{dsteqr, Columns};

/// The largest piece solved by the QL/QR iteration (LAPACK's ILAENV(9)).
pub const SMLSIZ: usize = 25;

/// Overwrite `d` with the eigenvalues (ascending) of the n × n symmetric
/// tridiagonal matrix (d, e) and `z` (n × n, column-major, leading
/// dimension n; its contents on entry are ignored) with its eigenvectors;
/// `e` (n − 1 entries) is destroyed. False if an iteration did not
/// converge.
pub fn dstedc(d: &mut [f64], e: &mut [f64], z: &mut [f64]) -> bool {
    let n = d.len();
    assert_eq!(z.len(), n * n, "dstedc: z must be n × n");
    z.fill(0.0);
    for i in 0..n {
        z[i + i * n] = 1.0;
    }
    if n <= 1 {
        return true;
    }
    if n <= SMLSIZ {
        return dsteqr(
            d,
            e,
            &mut Columns {
                data: z,
                ld: n,
                rows: n,
            },
        );
    }
    if dlanst_max(d, &e[..n - 1]) == 0.0 {
        return true;
    }
    let mut start = 0;
    while start < n {
        // The unreduced block start..=finish.
        let mut finish = start;
        while finish < n - 1 {
            let tiny = EPS * libm::sqrt(d[finish].abs()) * libm::sqrt(d[finish + 1].abs());
            if e[finish].abs() > tiny {
                finish += 1;
            } else {
                break;
            }
        }
        let m = finish - start + 1;
        if m > 1 {
            let block = &mut z[start + start * n..];
            if m > SMLSIZ {
                let orgnrm = dlanst_max(&d[start..=finish], &e[start..finish]);
                dlascl(orgnrm, 1.0, &mut d[start..=finish]);
                dlascl(orgnrm, 1.0, &mut e[start..finish]);
                if !dlaed0(&mut d[start..=finish], &mut e[start..finish], block, n) {
                    return false;
                }
                dlascl(1.0, orgnrm, &mut d[start..=finish]);
            } else if !dsteqr(
                &mut d[start..=finish],
                &mut e[start..finish],
                &mut Columns {
                    data: block,
                    ld: n,
                    rows: m,
                },
            ) {
                return false;
            }
        }
        start = finish + 1;
    }
    // Selection sort, ascending, swapping whole eigenvectors.
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
            for r in 0..n {
                z.swap(r + i * n, r + k * n);
            }
        }
    }
    true
}
