//! Eigenvalues and eigenvectors of a real symmetric matrix, as LAPACK's
//! `dsyevd` computes them (numpy's `eigh` and `eigvalsh`), split along
//! LAPACK's own routines so that a reader can hold each file against the
//! reference:
//!
//! 1. [`dsytrd`]: blocked Householder reduction to tridiagonal form
//!    T = QᵀAQ, with the panel [`dlatrd`]; half of the work is the
//!    rank-2k update through [`crate::gemm`], the other half symmetric
//!    matrix–vector products ([`blas`]).
//! 2. Eigenvalues only: [`dsterf`], the square-root-free QL/QR iteration
//!    (O(n²)).
//! 3. With eigenvectors: [`dstedc`], divide and conquer ([`dlaed0`] tears
//!    the matrix, [`dsteqr`] solves the small pieces, [`dlaed1`] merges
//!    them through [`dlaed2`] (deflation), [`dlaed3`] (the secular
//!    equation, [`dlaed4`], [`dlaed6`], and the products)); then
//!    [`dormtr`] applies Q in blocks through gemm.
//!
//! Only the lower triangle of the input is read (as nalgebra's
//! `symmetric_eigen` and LAPACK with UPLO = 'L'). Eigenvalues come in
//! **ascending** order (numpy's and LAPACK's), eigenvectors as the
//! columns of a matrix in the same order, each of unit length; an
//! eigenvector's sign is whatever the algorithm gives (deterministic).
//!
//! Deterministic by construction: `+ − × ÷ sqrt` in a fixed order, no FMA,
//! and the deterministic [`crate::gemm`] products, so a matrix gives the
//! same bits natively and in WebAssembly, whichever gemm micro-kernel
//! runs.

pub mod auxiliary;
pub mod bench;
pub mod blas;
pub mod dlaed0;
pub mod dlaed1;
pub mod dlaed2;
pub mod dlaed3;
pub mod dlaed4;
pub mod dlaed6;
pub mod dlatrd;
pub mod dormtr;
pub mod dstedc;
pub mod dsteqr;
pub mod dsterf;
pub mod dsytrd;

use nalgebra::DMatrix;

/// Why a symmetric eigen-decomposition was refused or failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The matrix is not square.
    NotSquare { rows: usize, cols: usize },
    /// An entry of the lower triangle is NaN or infinite.
    NotFinite { row: usize, col: usize },
    /// The iteration did not converge (not seen on finite input; kept so
    /// that a failure is reported rather than looped on).
    NoConvergence,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::NotSquare { rows, cols } => write!(
                f,
                "the symmetric eigen-decomposition needs a square matrix, got {rows} × {cols}"
            ),
            Error::NotFinite { row, col } => write!(
                f,
                "the matrix has a non-finite entry (NaN or infinite) at row {row}, column {col}"
            ),
            Error::NoConvergence => write!(f, "the symmetric eigensolver did not converge"),
        }
    }
}

impl std::error::Error for Error {}

/// The lower triangle of `a` as a column-major buffer, scaled into the
/// range where the reduction cannot over- or underflow (`dsyevd`'s
/// scaling: max |a_ij| into [√SAFMIN/ε, √(1/SAFMIN)·ε]); returns the
/// buffer and the factor the eigenvalues must be divided by.
fn prepare(a: &DMatrix<f64>) -> Result<(Vec<f64>, usize, f64), Error> {
    let (rows, cols) = a.shape();
    if rows != cols {
        return Err(Error::NotSquare { rows, cols });
    }
    let n = rows;
    let mut anrm = 0.0f64;
    for j in 0..n {
        for i in j..n {
            let v = a[(i, j)];
            if !v.is_finite() {
                return Err(Error::NotFinite { row: i, col: j });
            }
            anrm = anrm.max(v.abs());
        }
    }
    let mut buf = a.as_slice().to_vec();
    let rmin = libm::sqrt(auxiliary::SAFMIN / auxiliary::EPS);
    let rmax = libm::sqrt(auxiliary::EPS / auxiliary::SAFMIN);
    let sigma = if anrm > 0.0 && anrm < rmin {
        rmin / anrm
    } else if anrm > rmax {
        rmax / anrm
    } else {
        1.0
    };
    if sigma != 1.0 {
        for x in buf.iter_mut() {
            *x *= sigma;
        }
    }
    Ok((buf, n, sigma))
}

/// The eigenvalues of the symmetric matrix `a` (lower triangle read), in
/// ascending order, without eigenvectors: [`dsytrd`] then [`dsterf`]
/// (numpy's `eigvalsh`).
pub fn eigenvalues(a: &DMatrix<f64>) -> Result<Vec<f64>, Error> {
    let (mut buf, n, sigma) = prepare(a)?;
    let t = dsytrd::dsytrd(&mut buf, n);
    let (mut d, mut e) = (t.d, t.e);
    if !dsterf::dsterf(&mut d, &mut e) {
        return Err(Error::NoConvergence);
    }
    if sigma != 1.0 {
        for x in d.iter_mut() {
            *x /= sigma;
        }
    }
    Ok(d)
}

/// The eigenvalues (ascending) and unit eigenvectors (the columns of the
/// returned matrix, in the same order) of the symmetric matrix `a` (lower
/// triangle read): A = V diag(λ) Vᵀ. [`dsytrd`], [`dstedc`], then
/// [`dormtr`] (numpy's `eigh`).
pub fn eigen(a: &DMatrix<f64>) -> Result<(Vec<f64>, DMatrix<f64>), Error> {
    let (mut buf, n, sigma) = prepare(a)?;
    let t = dsytrd::dsytrd(&mut buf, n);
    let (mut d, mut e) = (t.d, t.e);
    let mut z = DMatrix::zeros(n, n);
    if !dstedc::dstedc(&mut d, &mut e, z.as_mut_slice()) {
        return Err(Error::NoConvergence);
    }
    dormtr::dormtr(&buf, n, &t.tau, &mut z);
    if sigma != 1.0 {
        for x in d.iter_mut() {
            *x /= sigma;
        }
    }
    Ok((d, z))
}

/// As [`crate::linalg::symmetric_eigen_desc`] (descending, eigenvectors as columns in the
/// same order, lower triangle read, `None` for non-square, empty or
/// non-finite input or a failure), by the divide-and-conquer solver after
/// LAPACK's `dsyevd` ([`eigen`]): at
/// d = 1000 several times faster than nalgebra's implicit QR, with the same
/// bits in wasm and natively. Its eigenvalues agree with
/// [`crate::linalg::symmetric_eigen_desc`]'s to rounding (≈ ε‖A‖); its eigenvectors up to
/// sign (and, within a cluster of equal eigenvalues, up to rotation).
/// "Your data" uses it ([`crate::metrics::covariance::Centred::with_dsyevd`]);
/// the labs keep nalgebra's, so their results keep their bits.
pub fn eigen_desc(a: &DMatrix<f64>) -> Option<(Vec<f64>, DMatrix<f64>)> {
    let n = a.nrows();
    if n == 0 || a.ncols() != n {
        return None;
    }
    // Ascending from the solver: reversed, values and columns together.
    let (mut values, mut vectors) = eigen(a).ok()?;
    values.reverse();
    for c in 0..n / 2 {
        vectors.swap_columns(c, n - 1 - c);
    }
    Some((values, vectors))
}

/// As [`crate::linalg::symmetric_eigenvalues_desc`], by the `dsyevd`-style solver's
/// eigenvalues-only path (tridiagonal reduction then the root-free QR,
/// `dsterf`: numpy's `eigvalsh`); see [`eigen_desc`].
pub fn eigenvalues_desc(a: &DMatrix<f64>) -> Option<Vec<f64>> {
    let n = a.nrows();
    if n == 0 || a.ncols() != n {
        return None;
    }
    let mut values = eigenvalues(a).ok()?;
    values.reverse();
    Some(values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gemm::{with_kernel, Kernel};
    use crate::rng::Rng;

    /// A random symmetric matrix with N(0, 1) entries.
    fn random_symmetric(n: usize, seed: u64) -> DMatrix<f64> {
        let mut rng = Rng::new(seed);
        let mut a = DMatrix::zeros(n, n);
        for j in 0..n {
            for i in j..n {
                let v = rng.normal();
                a[(i, j)] = v;
                a[(j, i)] = v;
            }
        }
        a
    }

    /// A random orthogonal matrix (Q of the QR of a Gaussian matrix).
    fn random_orthogonal(n: usize, seed: u64) -> DMatrix<f64> {
        let mut rng = Rng::new(seed);
        DMatrix::from_fn(n, n, |_, _| rng.normal()).qr().q()
    }

    /// Q diag(λ) Qᵀ, exactly symmetrised.
    fn with_spectrum(lambda: &[f64], seed: u64) -> DMatrix<f64> {
        let n = lambda.len();
        let q = random_orthogonal(n, seed);
        let a =
            &q * DMatrix::from_diagonal(&nalgebra::DVector::from_row_slice(lambda)) * q.transpose();
        (&a + a.transpose()) * 0.5
    }

    fn fro(a: &DMatrix<f64>) -> f64 {
        libm::sqrt(a.iter().map(|x| x * x).sum::<f64>())
    }

    /// ‖AV − VΛ‖_F/‖A‖_F and ‖VᵀV − I‖_F, both to be ≲ 1e-14·N.
    fn check_decomposition(a: &DMatrix<f64>, vals: &[f64], v: &DMatrix<f64>, what: &str) {
        let n = a.nrows();
        assert_eq!(vals.len(), n, "{what}");
        assert_eq!(v.shape(), (n, n), "{what}");
        for w in vals.windows(2) {
            assert!(w[0] <= w[1], "{what}: not ascending");
        }
        let lam = DMatrix::from_diagonal(&nalgebra::DVector::from_row_slice(vals));
        let scale = fro(a).max(f64::MIN_POSITIVE);
        let residual = fro(&(a * v - v * lam)) / scale;
        let orth = fro(&(v.transpose() * v - DMatrix::identity(n, n)));
        let tol = 1e-14 * (n.max(1) as f64);
        assert!(
            residual <= tol,
            "{what}: ‖AV − VΛ‖/‖A‖ = {residual:e} (n = {n})"
        );
        assert!(orth <= tol, "{what}: ‖VᵀV − I‖ = {orth:e} (n = {n})");
        // Σλ = tr A and Σλ² = ‖A‖_F².
        let tr: f64 = (0..n).map(|i| a[(i, i)]).sum();
        let s1: f64 = vals.iter().sum();
        let s2: f64 = vals.iter().map(|x| x * x).sum();
        assert!(
            (s1 - tr).abs() <= tol * scale,
            "{what}: Σλ = {s1} vs tr A = {tr}"
        );
        assert!(
            (s2 - scale * scale).abs() <= tol * scale * scale,
            "{what}: Σλ² = {s2} vs ‖A‖² = {}",
            scale * scale
        );
    }

    /// Both paths on `a`: the decomposition's invariants, and the
    /// eigenvalues-only path equal to the full one's to rounding.
    fn check_both(a: &DMatrix<f64>, what: &str) -> (Vec<f64>, DMatrix<f64>) {
        let (vals, v) = eigen(a).unwrap();
        check_decomposition(a, &vals, &v, what);
        let only = eigenvalues(a).unwrap();
        let scale = fro(a).max(f64::MIN_POSITIVE);
        for (x, y) in only.iter().zip(&vals) {
            assert!(
                (x - y).abs() <= 1e-14 * scale * a.nrows() as f64,
                "{what}: {x} vs {y}"
            );
        }
        (vals, v)
    }

    #[test]
    fn matches_nalgebra_on_random_matrices() {
        // Sizes around the blocking edges: SMLSIZ (25), NX (128), NB (32),
        // the dormtr block (64), and a few merges deep.
        for (n, seed) in [
            (3, 1),
            (10, 2),
            (25, 3),
            (26, 4),
            (60, 5),
            (128, 6),
            (129, 7),
            (161, 8),
            (300, 9),
        ] {
            let a = random_symmetric(n, seed);
            let (vals, v) = check_both(&a, &format!("random n={n}"));
            let theirs = a.clone().symmetric_eigen();
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|&i, &j| theirs.eigenvalues[i].total_cmp(&theirs.eigenvalues[j]));
            let scale = fro(&a);
            for (k, &i) in order.iter().enumerate() {
                let (x, y) = (vals[k], theirs.eigenvalues[i]);
                assert!((x - y).abs() <= 1e-13 * scale, "n={n} λ{k}: {x} vs {y}");
                // Same eigenvector up to sign (random spectra are simple).
                let dot = v.column(k).dot(&theirs.eigenvectors.column(i)).abs();
                let gap = (0..n)
                    .filter(|&m| m != k)
                    .map(|m| (vals[m] - x).abs())
                    .fold(f64::INFINITY, f64::min);
                if gap > 1e-6 * scale {
                    assert!(
                        (dot - 1.0).abs() < 1e-8,
                        "n={n} v{k}: |⟨ours, nalgebra⟩| = {dot}"
                    );
                }
            }
        }
    }

    #[test]
    fn diagonal_matrices_come_back_exactly() {
        let d = [3.0, -1.0, 0.0, 2.5, -7.25, 1e-3, 3.0];
        let n = d.len();
        let a = DMatrix::from_diagonal(&nalgebra::DVector::from_row_slice(&d));
        let mut want = d.to_vec();
        want.sort_by(f64::total_cmp);
        assert_eq!(eigenvalues(&a).unwrap(), want);
        let (vals, v) = eigen(&a).unwrap();
        assert_eq!(vals, want);
        // A permutation matrix: each column a unit vector e_i with d_i = λ.
        for k in 0..n {
            let i = (0..n).find(|&i| v[(i, k)] != 0.0).unwrap();
            assert_eq!(v[(i, k)].abs(), 1.0);
            assert_eq!(d[i], vals[k]);
            assert_eq!(v.column(k).iter().filter(|x| **x != 0.0).count(), 1);
        }
        // A large diagonal matrix goes through every blocked path.
        let big: Vec<f64> = (0..200).map(|i| ((i * 37) % 101) as f64 - 50.0).collect();
        let a = DMatrix::from_diagonal(&nalgebra::DVector::from_row_slice(&big));
        let mut want = big.clone();
        want.sort_by(f64::total_cmp);
        assert_eq!(eigenvalues(&a).unwrap(), want);
        assert_eq!(eigen(&a).unwrap().0, want);
    }

    #[test]
    fn known_spectrum_q_lambda_qt() {
        for (n, seed) in [(7, 11), (40, 12), (150, 13), (257, 14)] {
            let mut rng = Rng::new(seed);
            let mut lambda: Vec<f64> = (0..n).map(|_| 4.0 * rng.uniform() - 2.0).collect();
            lambda.sort_by(f64::total_cmp);
            let a = with_spectrum(&lambda, seed + 100);
            let (vals, _) = check_both(&a, &format!("QΛQᵀ n={n}"));
            for (x, y) in vals.iter().zip(&lambda) {
                assert!((x - y).abs() < 1e-13 * n as f64, "n={n}: {x} vs {y}");
            }
        }
    }

    #[test]
    fn tridiagonal_toeplitz_has_its_cosines() {
        // T = tridiag(1, 0, 1): λ_k = 2cos(kπ/(n+1)), eigenvector
        // v_k(j) = √(2/(n+1)) sin(jkπ/(n+1)).
        for n in [1, 2, 5, 26, 100, 300] {
            let a = DMatrix::from_fn(n, n, |i, j| if i.abs_diff(j) == 1 { 1.0 } else { 0.0 });
            let (vals, v) = check_both(&a, &format!("Toeplitz n={n}"));
            let h = core::f64::consts::PI / (n + 1) as f64;
            let mut want: Vec<f64> = (1..=n).map(|k| 2.0 * libm::cos(k as f64 * h)).collect();
            want.sort_by(f64::total_cmp);
            for (x, y) in vals.iter().zip(&want) {
                assert!((x - y).abs() < 1e-14 * n as f64, "n={n}: {x} vs {y}");
            }
            // Ascending λ is k = n … 1.
            let norm = libm::sqrt(2.0 / (n + 1) as f64);
            for (col, k) in (1..=n).rev().enumerate() {
                let dot: f64 = (1..=n)
                    .map(|j| v[(j - 1, col)] * norm * libm::sin((j * k) as f64 * h))
                    .sum();
                assert!((dot.abs() - 1.0).abs() < 1e-10, "n={n} k={k}: {dot}");
            }
        }
    }

    #[test]
    fn rank_deficient_and_repeated_eigenvalues() {
        // X Xᵀ with X n × r: n − r zero eigenvalues, the rest those of XᵀX.
        let (n, r) = (120, 17);
        let mut rng = Rng::new(21);
        let x = DMatrix::from_fn(n, r, |_, _| rng.normal());
        let a = &x * x.transpose();
        let (vals, _) = check_both(&a, "rank 17");
        let scale = fro(&a);
        for &l in &vals[..n - r] {
            assert!(l.abs() < 1e-13 * scale, "zero eigenvalue {l}");
        }
        let mut small: Vec<f64> = (x.transpose() * &x)
            .symmetric_eigenvalues()
            .iter()
            .copied()
            .collect();
        small.sort_by(f64::total_cmp);
        for (a, b) in vals[n - r..].iter().zip(&small) {
            assert!((a - b).abs() < 1e-12 * scale, "{a} vs {b}");
        }
        // Multiplicities 40, 30, 1, 29: the eigenvalues repeat to rounding
        // and the eigenvectors stay orthonormal (deflation in dlaed2).
        let mut lambda = vec![1.0; 40];
        lambda.extend(vec![-2.0; 30]);
        lambda.push(0.5);
        lambda.extend(vec![3.0; 29]);
        lambda.sort_by(f64::total_cmp);
        let a = with_spectrum(&lambda, 22);
        let (vals, _) = check_both(&a, "repeated");
        for (x, y) in vals.iter().zip(&lambda) {
            assert!((x - y).abs() < 1e-13, "{x} vs {y}");
        }
        // The zero matrix and a multiple of the identity.
        let z = DMatrix::<f64>::zeros(50, 50);
        assert_eq!(eigenvalues(&z).unwrap(), vec![0.0; 50]);
        let (vals, v) = eigen(&z).unwrap();
        assert_eq!(vals, vec![0.0; 50]);
        assert_eq!(v, DMatrix::identity(50, 50));
        let i3 = DMatrix::<f64>::identity(40, 40) * 3.0;
        assert_eq!(eigenvalues(&i3).unwrap(), vec![3.0; 40]);
    }

    #[test]
    fn tiny_and_empty_matrices() {
        assert_eq!(
            eigenvalues(&DMatrix::zeros(0, 0)).unwrap(),
            Vec::<f64>::new()
        );
        let (vals, v) = eigen(&DMatrix::zeros(0, 0)).unwrap();
        assert!(vals.is_empty() && v.shape() == (0, 0));
        let one = DMatrix::from_element(1, 1, -2.5);
        assert_eq!(eigenvalues(&one).unwrap(), vec![-2.5]);
        assert_eq!(
            eigen(&one).unwrap(),
            (vec![-2.5], DMatrix::from_element(1, 1, 1.0))
        );
        // [[2, 1], [1, 2]]: 1 and 3, eigenvectors (1, ∓1)/√2.
        let two = DMatrix::from_row_slice(2, 2, &[2.0, 1.0, 1.0, 2.0]);
        let (vals, v) = check_both(&two, "2 × 2");
        assert!((vals[0] - 1.0).abs() < 1e-15 && (vals[1] - 3.0).abs() < 1e-15);
        let s = 1.0 / libm::sqrt(2.0);
        assert!((v[(0, 1)].abs() - s).abs() < 1e-15 && (v[(0, 1)] - v[(1, 1)]).abs() < 1e-15);
        // Only the lower triangle is read.
        let mut lower = two.clone();
        lower[(0, 1)] = f64::NAN;
        assert_eq!(eigenvalues(&lower).unwrap(), eigenvalues(&two).unwrap());
    }

    #[test]
    fn bad_input_is_an_error() {
        let mut a = random_symmetric(6, 1);
        a[(4, 2)] = f64::NAN;
        assert_eq!(eigenvalues(&a), Err(Error::NotFinite { row: 4, col: 2 }));
        a[(4, 2)] = f64::INFINITY;
        assert_eq!(eigen(&a).unwrap_err(), Error::NotFinite { row: 4, col: 2 });
        let r = DMatrix::<f64>::zeros(3, 4);
        assert_eq!(eigenvalues(&r), Err(Error::NotSquare { rows: 3, cols: 4 }));
        assert!(Error::NotSquare { rows: 3, cols: 4 }
            .to_string()
            .contains("3 × 4"));
    }

    #[test]
    fn extreme_scales_are_handled() {
        let base = random_symmetric(40, 31);
        let want = eigenvalues(&base).unwrap();
        for s in [1e-300, 1e300] {
            let a = &base * s;
            let (vals, v) = eigen(&a).unwrap();
            for (x, y) in vals.iter().zip(&want) {
                assert!((x / s - y).abs() < 1e-12 * 40.0, "scale {s}: {x} vs {y}");
            }
            assert!(fro(&(v.transpose() * &v - DMatrix::identity(40, 40))) < 1e-12);
        }
    }

    /// The decomposition's bits do not depend on the gemm micro-kernel
    /// (each sums every entry in the same order), so they are the ones
    /// WebAssembly computes too (`cargo xtask test` compares those).
    #[test]
    fn every_gemm_kernel_gives_the_same_bits() {
        let a = random_symmetric(300, 41);
        let bits = |(vals, v): (Vec<f64>, DMatrix<f64>)| {
            let mut b: Vec<u64> = vals.iter().map(|x| x.to_bits()).collect();
            b.extend(v.iter().map(|x| x.to_bits()));
            b
        };
        let want = with_kernel(Kernel::Portable, || bits(eigen(&a).unwrap()));
        for k in Kernel::available() {
            assert_eq!(with_kernel(k, || bits(eigen(&a).unwrap())), want, "{k:?}");
        }
    }
}
