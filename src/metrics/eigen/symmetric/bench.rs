//! The symmetric eigensolver's benchmark (docs/benchmarks.md, `cargo xtask
//! bench symeig`): one matrix family and one checksum, shared by the native
//! runner (`examples/bench_symeig.rs`) and the wasm one
//! (`bench/symeig_wasm.mjs` through `web::bench_symeig`), so both time the
//! same work and print comparable checksums.

use nalgebra::{DMatrix, SymmetricEigen};

use crate::rng::Rng;

/// The solvers the benchmark times, by the name its rows print: ours
/// ([`super::eigenvalues`], [`super::eigen`]) and nalgebra's.
pub const SOLVERS: [&str; 4] = ["values", "vectors", "nalgebra-values", "nalgebra-vectors"];

/// A Wigner matrix: A_ij = A_ji ~ N(0, 1/n) for i ≠ j and N(0, 2/n) on the
/// diagonal (the Gaussian orthogonal ensemble scaled so that the spectrum
/// fills the semicircle on [−2, 2]). Drawn column by column over the lower
/// triangle with the seeded RNG, then mirrored.
pub fn bench_matrix(n: usize, seed: u64) -> DMatrix<f64> {
    let mut rng = Rng::new(seed);
    let s = 1.0 / libm::sqrt(n as f64);
    let mut a = DMatrix::zeros(n, n);
    for j in 0..n {
        a[(j, j)] = rng.normal() * s * core::f64::consts::SQRT_2;
        for i in j + 1..n {
            let v = rng.normal() * s;
            a[(i, j)] = v;
            a[(j, i)] = v;
        }
    }
    a
}

/// The checksum of a decomposition: Σᵢ (i + 1)·λᵢ over the eigenvalues in
/// ascending order, plus Σᵢⱼ |Vᵢⱼ| when eigenvectors are given (the sign of
/// an eigenvector is arbitrary, its absolute values are not). Printed in
/// shortest round-trip form, equal checksums from two builds mean (short of
/// a coincidence) equal bits; against numpy they agree to rounding.
pub fn checksum(values: &[f64], vectors: Option<&DMatrix<f64>>) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let mut acc = 0.0;
    for (i, x) in v.iter().enumerate() {
        acc += (i + 1) as f64 * x;
    }
    if let Some(m) = vectors {
        for x in m.iter() {
            acc += x.abs();
        }
    }
    acc
}

/// A 64-bit FNV-1a hash of the bits of every eigenvalue and eigenvector
/// entry, in order: equal hashes mean equal bits.
pub fn bits_hash(values: &[f64], vectors: Option<&DMatrix<f64>>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let all = values
        .iter()
        .chain(vectors.into_iter().flat_map(|m| m.iter()));
    for x in all {
        for byte in x.to_bits().to_le_bytes() {
            h ^= byte as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Decompose `a` with `solver` (one of [`SOLVERS`]) and return
/// "checksum\tbits": the [`checksum`] in shortest round-trip form and the
/// [`bits_hash`] in hex, formatted here so that the native and the wasm
/// runners print the same text for the same bits. None for an unknown
/// solver or a failed decomposition.
pub fn run(a: &DMatrix<f64>, solver: &str) -> Option<String> {
    let (values, vectors): (Vec<f64>, Option<DMatrix<f64>>) = match solver {
        "values" => (super::eigenvalues(a).ok()?, None),
        "vectors" => {
            let (v, z) = super::eigen(a).ok()?;
            (v, Some(z))
        }
        "nalgebra-values" => (a.clone().symmetric_eigenvalues().as_slice().to_vec(), None),
        "nalgebra-vectors" => {
            let e = SymmetricEigen::new(a.clone());
            (e.eigenvalues.as_slice().to_vec(), Some(e.eigenvectors))
        }
        _ => return None,
    };
    let c = checksum(&values, vectors.as_ref());
    Some(format!(
        "{c:e}\t{:016x}",
        bits_hash(&values, vectors.as_ref())
    ))
}
