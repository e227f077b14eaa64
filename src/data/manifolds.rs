//! Synthetic object manifolds for capacity analysis: P classes, each a set
//! of M points (samples × features, numpy's layout) around a random centre.
//!
//! Centres are c_μ = g/√N with g ~ N(0, I_N), so ‖c_μ‖ ≈ 1 and distinct
//! centres are nearly orthogonal in high N. Radii are relative to that unit.
//! Draws come from the given RNG in a fixed order: manifold by manifold,
//! the centre first, then the manifold's axes, then its points.

use nalgebra::DMatrix;

use crate::rng::Rng;

fn centre(n: usize, rng: &mut Rng) -> Vec<f64> {
    let s = 1.0 / libm::sqrt(n as f64);
    (0..n).map(|_| s * rng.normal()).collect()
}

/// Gaussian point clouds: x = c_μ + (radius/√N)·g, g ~ N(0, I_N), so the
/// points' mean distance from the centre is about `radius`. `radius` = 0
/// gives P points repeated M times (the "points" limit).
pub fn gaussian_clouds(
    p: usize,
    m: usize,
    n: usize,
    radius: f64,
    rng: &mut Rng,
) -> Vec<DMatrix<f64>> {
    let s = radius / libm::sqrt(n as f64);
    (0..p)
        .map(|_| {
            let c = centre(n, rng);
            let mut x = DMatrix::zeros(m, n);
            for i in 0..m {
                for f in 0..n {
                    x[(i, f)] = c[f] + s * rng.normal();
                }
            }
            x
        })
        .collect()
}

/// Points on D-dimensional spheres: x = c_μ + radius · U_μ u with U_μ an
/// N × D orthonormal frame (Gram–Schmidt of a Gaussian matrix) and u
/// uniform on the unit sphere S^{D−1} (a normalised Gaussian). Needs
/// D ≤ N.
pub fn spheres(
    p: usize,
    m: usize,
    n: usize,
    dim: usize,
    radius: f64,
    rng: &mut Rng,
) -> Vec<DMatrix<f64>> {
    let dim = dim.min(n).max(1);
    (0..p)
        .map(|_| {
            let c = centre(n, rng);
            let g = DMatrix::from_fn(n, dim, |_, _| rng.normal());
            let u = gram_schmidt(g);
            let mut x = DMatrix::zeros(m, n);
            for i in 0..m {
                let mut dir: Vec<f64> = (0..dim).map(|_| rng.normal()).collect();
                let norm = libm::sqrt(dir.iter().map(|v| v * v).sum::<f64>());
                dir.iter_mut().for_each(|v| *v *= radius / norm);
                for f in 0..n {
                    let mut s = c[f];
                    for (k, dk) in dir.iter().enumerate() {
                        s += u[(f, k)] * dk;
                    }
                    x[(i, f)] = s;
                }
            }
            x
        })
        .collect()
}

/// Orthonormal columns by Gram–Schmidt applied twice (the columns of a
/// Gaussian matrix are independent almost surely).
fn gram_schmidt(mut g: DMatrix<f64>) -> DMatrix<f64> {
    let (n, k) = g.shape();
    for j in 0..k {
        for _pass in 0..2 {
            for i in 0..j {
                let mut r = 0.0;
                for f in 0..n {
                    r += g[(f, i)] * g[(f, j)];
                }
                for f in 0..n {
                    g[(f, j)] -= r * g[(f, i)];
                }
            }
        }
        let mut norm = 0.0;
        for f in 0..n {
            norm += g[(f, j)] * g[(f, j)];
        }
        let norm = libm::sqrt(norm);
        for f in 0..n {
            g[(f, j)] /= norm;
        }
    }
    g
}

/// The capacity benchmark's data sets (docs/benchmarks.md), seed 7:
/// `"points"` is P Gaussian clouds of radius 1, `"spheres"` P spheres of
/// dimension 10 and radius 1; both M points each in N dimensions. None for
/// another kind.
pub fn benchmark_set(kind: &str, p: usize, m: usize, n: usize) -> Option<Vec<DMatrix<f64>>> {
    let mut rng = Rng::new(7);
    match kind {
        "points" => Some(gaussian_clouds(p, m, n, 1.0, &mut rng)),
        "spheres" => Some(spheres(p, m, n, 10, 1.0, &mut rng)),
        _ => None,
    }
}

/// Correlate the manifolds' centres: class μ is moved rigidly so that its
/// mean becomes √ρ·u_g + √(1 − ρ)·c_μ, c_μ its mean before and u_g a
/// direction shared by the classes of group g = μ mod `groups` (u_g = g'/√N,
/// g' ~ N(0, I_N), drawn from `rng` in group order). With one group every
/// pair of centres has cos ≈ ρ; with G groups, classes μ and μ + G share a
/// component and the structure has rank G, which K centre directions
/// removed by MFTMA need not capture. The spread about each centre is
/// unchanged. ρ = 0 draws nothing and changes nothing.
pub fn correlate_centres(manifolds: &mut [DMatrix<f64>], rho: f64, groups: usize, rng: &mut Rng) {
    if rho.is_nan() || rho <= 0.0 || manifolds.is_empty() {
        return;
    }
    let n = manifolds[0].ncols();
    let groups = groups.max(1);
    let shared: Vec<Vec<f64>> = (0..groups).map(|_| centre(n, rng)).collect();
    let (a, b) = (libm::sqrt(rho), libm::sqrt(1.0 - rho.min(1.0)));
    for (mu, x) in manifolds.iter_mut().enumerate() {
        let m = x.nrows() as f64;
        let u = &shared[mu % groups];
        for (f, &uf) in u.iter().enumerate() {
            let mut s = 0.0;
            for v in x.column(f).iter() {
                s += v;
            }
            let shift = a * uf + (b - 1.0) * (s / m);
            for v in x.column_mut(f).iter_mut() {
                *v += shift;
            }
        }
    }
}
