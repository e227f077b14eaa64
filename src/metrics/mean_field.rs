//! Mean-field theory of a trained feedback network (Mastrogiuseppe & Ostojic
//! 2019, "A geometrical analysis of global stability in trained feedback
//! networks", Neural Comput; Rivkind & Barak 2017, PRL). SCIENCE.md §4.
//!
//! The network: dx/dt = −x + χφ(x) + m z + I, z = n·φ(x)/N, φ = tanh,
//! χ_ij ~ N(0, g²/N). Per unit y, x_m, x_I ~ N(0, 1) and
//!
//! - m = σ_m(ρy + √(1−ρ²)x_m), I = σ_I(ρy + √(1−ρ²)x_I),
//! - n = C·(p y + p_m x_m + p_I x_I),
//! - σ_nm = C·σ_m(ρp + √(1−ρ²)p_m), σ_nI = C·σ_I(ρp + √(1−ρ²)p_I),
//!   σ_mI = σ_mσ_Iρ².
//!
//! Averages ⟨f⟩(Δ) = ∫Dξ f(√Δ ξ) are Gauss–Hermite sums (200 nodes by
//! default, computed here by Newton's method on the orthonormal Hermite
//! recurrence). Fixed points solve
//!
//! - z = (σ_nm z + σ_nI)⟨φ'⟩(Δ0),
//! - Δ0 = g²⟨φ²⟩(Δ0) + σ_m²z² + 2σ_mI z + σ_I²,
//!
//! solved by (1) Δ0(z) by Brent on its bracket [c, c + g²], (2) a scan of
//! F(z) = (σ_nm z + σ_nI)⟨φ'⟩(Δ0(z)) − z on an asinh-spaced grid, with each
//! local extremum refined by golden section so that two close roots are not
//! missed, (3) Brent on each sign change.
//!
//! Stability of a fixed point: bulk radius r = g√⟨φ'²⟩(Δ0) and the outlier
//! λ± = [T ± √(T² − 4a·M11)]/2 with M11 = g²(⟨φ'²⟩ + ⟨φφ''⟩),
//! M12 = 2σ_m²z + 2σ_mI, a = σ_nm⟨φ'⟩, b = ½(σ_nm z + σ_nI)⟨φ'''⟩,
//! T = M11 + b·M12 + a. The fixed point is stable iff Re λ+ < 1 and r < 1.
//! [`MeanField::linearisation`] gives the same λ± independently, as the
//! nonzero eigenvalues of the 3×3 Jacobian (finite differences) of the
//! mean-field map over (μ, Δ0, z) in which z is updated first.
//!
//! Readout normalisation (training by the mean-field rule): with the
//! open-loop variance Δ_ol = g²⟨φ²⟩(Δ_ol) + σ_m²A² + 2σ_mI A + σ_I²,
//! C(A) = A / [(σ̂_nI + Aσ̂_nm)⟨φ'⟩(Δ_ol)] (σ̂ = σ at C = 1). C diverges at
//! A_flex = −σ̂_nI/σ̂_nm.
//!
//! Degenerate cases: C(A_flex) is infinite and [`readout_scale`] returns
//! None; A = 0 gives C = 0 (n = 0, only z = 0). Non-finite parameters give
//! no fixed points.

use serde::{Deserialize, Serialize};

use super::roots::{brent, golden_min};

/// Gauss–Hermite nodes and weights for averages over a standard normal:
/// E f(ξ) ≈ Σ_k w_k f(ξ_k), Σ_k w_k = 1.
#[derive(Clone, Debug)]
pub struct GaussHermite {
    pub nodes: Vec<f64>,
    pub weights: Vec<f64>,
}

impl GaussHermite {
    /// `n` nodes (n ≥ 1). The nodes are the eigenvalues of the Jacobi
    /// matrix of the probabilists' Hermite polynomials (zero diagonal,
    /// off-diagonal √k, Golub & Welsch 1969), each found by bisection on a
    /// Sturm count; each is then polished by Newton's method on the
    /// orthonormal Hermite recurrence, whose derivative gives the weight
    /// (as in Numerical Recipes' `gauher`, weight e^{−x²}, x = ξ/√2,
    /// w = 2/p'_n(x)²/√π).
    pub fn new(n: usize) -> Self {
        let n = n.max(1);
        let nf = n as f64;
        // Number of eigenvalues of the Jacobi matrix below x (Sturm count of
        // the LDLᵀ pivots of J − xI).
        let count_below = |x: f64| {
            let mut count = 0;
            let mut d = 1.0;
            for k in 0..n {
                let b2 = if k == 0 { 0.0 } else { k as f64 };
                d = -x - b2 / d;
                if d == 0.0 {
                    d = -1e-300;
                }
                if d < 0.0 {
                    count += 1;
                }
            }
            count
        };
        let bound = 2.0 * libm::sqrt(nf) + 1.0;
        let pim4 = 0.751_125_544_464_942_5; // π^(−1/4)
        let sqrt_pi = libm::sqrt(core::f64::consts::PI);
        let mut nodes = Vec::with_capacity(n);
        let mut weights = Vec::with_capacity(n);
        for k in 0..n {
            // The (k+1)-th smallest eigenvalue: count_below(lo) ≤ k < count_below(hi).
            let (mut lo, mut hi) = (-bound, bound);
            for _ in 0..200 {
                let mid = 0.5 * (lo + hi);
                if mid == lo || mid == hi {
                    break;
                }
                if count_below(mid) > k {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            let mut z = 0.5 * (lo + hi) / core::f64::consts::SQRT_2;
            let mut pp = 1.0;
            for it in 0..4 {
                let mut p1 = pim4;
                let mut p2 = 0.0;
                for j in 0..n {
                    let p3 = p2;
                    p2 = p1;
                    let jf = j as f64;
                    p1 = z * libm::sqrt(2.0 / (jf + 1.0)) * p2 - libm::sqrt(jf / (jf + 1.0)) * p3;
                }
                pp = libm::sqrt(2.0 * nf) * p2;
                let step = p1 / pp;
                if it < 3 && step.is_finite() {
                    z -= step;
                }
            }
            nodes.push(core::f64::consts::SQRT_2 * z);
            // Beyond ~400 nodes the outermost polynomials overflow; their
            // weights are below 1e-300 and count as 0.
            let w = 2.0 / (pp * pp) / sqrt_pi;
            weights.push(if w.is_finite() { w } else { 0.0 });
        }
        if n % 2 == 1 {
            nodes[n / 2] = 0.0;
        }
        // Exact symmetry.
        for k in 0..n / 2 {
            let x = 0.5 * (nodes[n - 1 - k] - nodes[k]);
            let w = 0.5 * (weights[k] + weights[n - 1 - k]);
            nodes[k] = -x;
            nodes[n - 1 - k] = x;
            weights[k] = w;
            weights[n - 1 - k] = w;
        }
        GaussHermite { nodes, weights }
    }

    /// E f(μ + √Δ ξ), ξ ~ N(0, 1).
    pub fn average<F: Fn(f64) -> f64>(&self, mu: f64, delta: f64, f: F) -> f64 {
        let s = libm::sqrt(delta.max(0.0));
        let mut acc = 0.0;
        for (x, w) in self.nodes.iter().zip(&self.weights) {
            acc += w * f(mu + s * x);
        }
        acc
    }
}

/// Gaussian averages of tanh and its derivatives at (μ, Δ).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TanhAverages {
    /// ⟨φ²⟩
    pub phi2: f64,
    /// ⟨φ'⟩
    pub d1: f64,
    /// ⟨φ'²⟩
    pub d1_sq: f64,
    /// ⟨φφ''⟩
    pub phi_d2: f64,
    /// ⟨φ'''⟩
    pub d3: f64,
}

impl TanhAverages {
    /// All five averages in one pass over the nodes. For tanh with t = φ:
    /// φ' = 1−t², φ'' = −2t(1−t²), φ''' = −2(1−3t²)(1−t²).
    pub fn at(gh: &GaussHermite, mu: f64, delta: f64) -> Self {
        let s = libm::sqrt(delta.max(0.0));
        let mut a = TanhAverages::default();
        for (x, w) in gh.nodes.iter().zip(&gh.weights) {
            let t = libm::tanh(mu + s * x);
            let t2 = t * t;
            let d1 = 1.0 - t2;
            a.phi2 += w * t2;
            a.d1 += w * d1;
            a.d1_sq += w * (d1 * d1);
            a.phi_d2 += w * (-2.0 * t2 * d1);
            a.d3 += w * (-2.0 * (1.0 - 3.0 * t2) * d1);
        }
        a
    }
}

/// The statistics of the network's vectors (SCIENCE.md §4 "Vectors").
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Geometry {
    pub g: f64,
    pub sigma_m: f64,
    pub sigma_i: f64,
    pub rho: f64,
    pub p: f64,
    pub p_m: f64,
    pub p_i: f64,
}

impl Default for Geometry {
    /// The reference defaults: g = 0.3, σ_m = 1.2, σ_I = 0.5, ρ = 0.5,
    /// (p, p_m, p_I) = (1, 1, 0.3).
    fn default() -> Self {
        Geometry {
            g: 0.3,
            sigma_m: 1.2,
            sigma_i: 0.5,
            rho: 0.5,
            p: 1.0,
            p_m: 1.0,
            p_i: 0.3,
        }
    }
}

impl Geometry {
    /// √(1 − ρ²), with ρ clamped to [−1, 1].
    fn rho_c(&self) -> f64 {
        let r = self.rho.clamp(-1.0, 1.0);
        libm::sqrt(1.0 - r * r)
    }
    /// σ̂_nm = σ_m(ρp + √(1−ρ²)p_m), the overlap of n and m at C = 1.
    pub fn s_nm_hat(&self) -> f64 {
        self.sigma_m * (self.rho * self.p + self.rho_c() * self.p_m)
    }
    /// σ̂_nI = σ_I(ρp + √(1−ρ²)p_I).
    pub fn s_ni_hat(&self) -> f64 {
        self.sigma_i * (self.rho * self.p + self.rho_c() * self.p_i)
    }
    /// σ_mI = σ_mσ_Iρ².
    pub fn s_mi(&self) -> f64 {
        self.sigma_m * self.sigma_i * self.rho * self.rho
    }
    /// c(z) = σ_m²z² + 2σ_mI z + σ_I², the variance of m z + I.
    pub fn input_variance(&self, z: f64) -> f64 {
        self.sigma_m * self.sigma_m * z * z + 2.0 * self.s_mi() * z + self.sigma_i * self.sigma_i
    }
    fn is_finite(&self) -> bool {
        [
            self.g,
            self.sigma_m,
            self.sigma_i,
            self.rho,
            self.p,
            self.p_m,
            self.p_i,
        ]
        .iter()
        .all(|v| v.is_finite())
    }
}

/// Δ solving Δ = g²⟨φ²⟩(Δ) + c (c ≥ 0), by Brent on [c, c + g²]: the left
/// end gives ≥ 0, the right end ≤ 0 since ⟨φ²⟩ ≤ 1.
pub fn solve_delta(gh: &GaussHermite, g: f64, c: f64) -> f64 {
    let c = c.max(0.0);
    let g2 = g * g;
    if g2 == 0.0 {
        return c;
    }
    let h = |d: f64| g2 * TanhAverages::at(gh, 0.0, d).phi2 + c - d;
    brent(h, c, c + g2, 1e-15 * (1.0 + c)).unwrap_or(c)
}

/// A_flex = −σ̂_nI/σ̂_nm, where the mean-field readout scale diverges.
pub fn a_flex(geom: &Geometry) -> f64 {
    -geom.s_ni_hat() / geom.s_nm_hat()
}

/// The mean-field readout scale C(A) that makes z = A the open-loop output:
/// C = A / [(σ̂_nI + Aσ̂_nm)⟨φ'⟩(Δ_ol)]. None where it diverges (A = A_flex)
/// or is not finite.
pub fn readout_scale(gh: &GaussHermite, geom: &Geometry, a: f64) -> Option<f64> {
    if !geom.is_finite() || !a.is_finite() {
        return None;
    }
    let d_ol = solve_delta(gh, geom.g, geom.input_variance(a));
    let denom = (geom.s_ni_hat() + a * geom.s_nm_hat()) * TanhAverages::at(gh, 0.0, d_ol).d1;
    let c = a / denom;
    if c.is_finite() && denom.abs() > 1e-12 {
        Some(c)
    } else {
        None
    }
}

/// One mean-field fixed point and its stability.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FixedPoint {
    pub z: f64,
    pub delta0: f64,
    /// Bulk radius g√⟨φ'²⟩(Δ0).
    pub radius: f64,
    /// Re λ+ (the outlier).
    pub outlier: f64,
    /// |Im λ+| (nonzero when T² < 4a·M11).
    pub outlier_im: f64,
    /// Re λ−.
    pub lambda_minus: f64,
    /// Re λ+ < 1 and r < 1.
    pub stable: bool,
}

/// The mean-field theory at one readout scale C.
#[derive(Clone, Debug)]
pub struct MeanField {
    pub geom: Geometry,
    pub gh: GaussHermite,
    /// The readout scale C.
    pub scale: f64,
    /// σ_nm = C·σ̂_nm.
    pub s_nm: f64,
    /// σ_nI = C·σ̂_nI.
    pub s_ni: f64,
    /// Points of the F(z) scan (before extremum refinement).
    pub scan_points: usize,
}

impl MeanField {
    /// The theory for a readout trained to target `a` by the mean-field rule
    /// (C = C(A)); None where C diverges.
    pub fn trained(geom: Geometry, a: f64) -> Option<Self> {
        Self::trained_with_nodes(geom, a, 200)
    }

    /// As [`MeanField::trained`] with `nodes` Gauss–Hermite nodes. 200 nodes
    /// put the closed-form outlier within ~5e-4 of its converged value at
    /// Δ0 ≈ 8 (φ''' has poles at distance π/(2√Δ0) from the real axis);
    /// 400 nodes to ~1e-6.
    pub fn trained_with_nodes(geom: Geometry, a: f64, nodes: usize) -> Option<Self> {
        let gh = GaussHermite::new(nodes);
        let c = readout_scale(&gh, &geom, a)?;
        Some(Self::with_scale_and_nodes(geom, c, gh))
    }

    /// The theory at a given readout scale C.
    pub fn with_scale(geom: Geometry, scale: f64) -> Self {
        Self::with_scale_and_nodes(geom, scale, GaussHermite::new(200))
    }

    fn with_scale_and_nodes(geom: Geometry, scale: f64, gh: GaussHermite) -> Self {
        MeanField {
            s_nm: scale * geom.s_nm_hat(),
            s_ni: scale * geom.s_ni_hat(),
            geom,
            gh,
            scale,
            scan_points: 401,
        }
    }

    /// Δ0(z).
    pub fn delta0(&self, z: f64) -> f64 {
        solve_delta(&self.gh, self.geom.g, self.geom.input_variance(z))
    }

    /// F(z) = (σ_nm z + σ_nI)⟨φ'⟩(Δ0(z)) − z.
    pub fn f(&self, z: f64) -> f64 {
        let d = self.delta0(z);
        (self.s_nm * z + self.s_ni) * TanhAverages::at(&self.gh, 0.0, d).d1 - z
    }

    /// A bound L with every root in [−L, L]: ⟨φ'⟩(Δ) ≤ √(2/(πΔ)) and
    /// Δ ≥ σ_m²z²(1 − ρ⁴) give z² ≤ k(|σ_nm||z| + |σ_nI|),
    /// k = √(2/π)/(σ_m√(1−ρ⁴)).
    pub fn root_bound(&self) -> f64 {
        let r2 = self.geom.rho * self.geom.rho;
        let q = self.geom.sigma_m.abs() * libm::sqrt((1.0 - r2 * r2).max(0.0));
        let l = if q > 1e-9 {
            let k = libm::sqrt(2.0 / core::f64::consts::PI) / q;
            k * self.s_nm.abs() + libm::sqrt(k * self.s_ni.abs())
        } else if self.s_nm.abs() < 1.0 {
            self.s_ni.abs() / (1.0 - self.s_nm.abs())
        } else {
            100.0
        };
        (1.05 * l + 1e-3).min(1e4)
    }

    /// Every root of F, ascending, with its stability. Empty if the
    /// parameters are not finite.
    pub fn fixed_points(&self) -> Vec<FixedPoint> {
        if !self.geom.is_finite() || !self.s_nm.is_finite() || !self.s_ni.is_finite() {
            return Vec::new();
        }
        let l = self.root_bound();
        let ul = libm::asinh(l);
        let k = self.scan_points.max(11);
        let mut pts: Vec<(f64, f64)> = (0..k)
            .map(|i| {
                let u = -ul + 2.0 * ul * i as f64 / (k - 1) as f64;
                let z = libm::sinh(u);
                (z, self.f(z))
            })
            .collect();
        // Refine local extrema so that two close roots are not missed.
        let mut extra = Vec::new();
        for i in 1..k - 1 {
            let (f0, f1, f2) = (pts[i - 1].1, pts[i].1, pts[i + 1].1);
            let is_max = f1 > f0 && f1 >= f2;
            let is_min = f1 < f0 && f1 <= f2;
            if (is_max && f1 < 0.0) || (is_min && f1 > 0.0) {
                let sign = if is_min { 1.0 } else { -1.0 };
                let (a, b) = (pts[i - 1].0, pts[i + 1].0);
                let (x, fx) = golden_min(|z| sign * self.f(z), a, b, 1e-13 * (1.0 + a.abs()));
                extra.push((x, sign * fx));
            }
        }
        pts.extend(extra);
        crate::sort::sort_by(&mut pts, &|a, b| a.0.total_cmp(&b.0));
        let mut roots: Vec<f64> = Vec::new();
        for w in pts.windows(2) {
            let ((a, fa), (b, fb)) = (w[0], w[1]);
            if fa == 0.0 {
                roots.push(a);
            } else if fa * fb < 0.0 {
                if let Some(r) = brent(|z| self.f(z), a, b, 1e-14 * (1.0 + a.abs())) {
                    roots.push(r);
                }
            }
        }
        if let Some(&(b, fb)) = pts.last() {
            if fb == 0.0 {
                roots.push(b);
            }
        }
        crate::sort::floats_ascending(&mut roots);
        roots.dedup_by(|a, b| (*a - *b).abs() < 1e-9 * (1.0 + b.abs()));
        roots.into_iter().map(|z| self.stability(z)).collect()
    }

    /// Bulk radius and closed-form outlier at a fixed point z.
    pub fn stability(&self, z: f64) -> FixedPoint {
        let d = self.delta0(z);
        let av = TanhAverages::at(&self.gh, 0.0, d);
        let g2 = self.geom.g * self.geom.g;
        let radius = self.geom.g.abs() * libm::sqrt(av.d1_sq);
        let m11 = g2 * (av.d1_sq + av.phi_d2);
        let m12 = 2.0 * self.geom.sigma_m * self.geom.sigma_m * z + 2.0 * self.geom.s_mi();
        let a = self.s_nm * av.d1;
        let b = 0.5 * (self.s_nm * z + self.s_ni) * av.d3;
        let t = m11 + b * m12 + a;
        let disc = t * t - 4.0 * a * m11;
        let (outlier, outlier_im, lambda_minus) = if disc >= 0.0 {
            let s = libm::sqrt(disc);
            ((t + s) / 2.0, 0.0, (t - s) / 2.0)
        } else {
            (t / 2.0, libm::sqrt(-disc) / 2.0, t / 2.0)
        };
        FixedPoint {
            z,
            delta0: d,
            radius,
            outlier,
            outlier_im,
            lambda_minus,
            stable: outlier < 1.0 && radius < 1.0,
        }
    }

    /// The mean-field map over (μ, Δ0, z) with z updated first:
    /// z' = (σ_nm z + σ_nI)⟨φ'⟩(μ, Δ), μ' = 0 (m and I have zero mean),
    /// Δ' = g²⟨φ²⟩(μ, Δ) + c(z').
    pub fn map(&self, mu: f64, delta: f64, z: f64) -> [f64; 3] {
        let av = TanhAverages::at(&self.gh, mu, delta);
        let z1 = (self.s_nm * z + self.s_ni) * av.d1;
        let d1 = self.geom.g * self.geom.g * av.phi2 + self.geom.input_variance(z1);
        [0.0, d1, z1]
    }

    /// The 3×3 Jacobian of [`MeanField::map`] at the fixed point z, by
    /// central differences (step 1e-5). Rows and columns: (μ, Δ0, z). Its
    /// nonzero eigenvalues are λ± of [`MeanField::stability`].
    pub fn linearisation(&self, z: f64) -> [[f64; 3]; 3] {
        let d = self.delta0(z);
        let x0 = [0.0, d, z];
        let h = 1e-5;
        let mut j = [[0.0; 3]; 3];
        for col in 0..3 {
            let mut xp = x0;
            let mut xm = x0;
            xp[col] += h;
            xm[col] -= h;
            let fp = self.map(xp[0], xp[1], xp[2]);
            let fm = self.map(xm[0], xm[1], xm[2]);
            for row in 0..3 {
                j[row][col] = (fp[row] - fm[row]) / (2.0 * h);
            }
        }
        j
    }
}

/// The mean-field picture at one target A (readout trained by C(A)).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhasePoint {
    pub a: f64,
    /// Ascending; empty where C(A) diverges.
    pub fixed_points: Vec<FixedPoint>,
    /// The target z = A is a fixed point and is locally stable.
    pub target_stable: bool,
    /// Stable fixed points.
    pub n_stable: usize,
    /// Training succeeds globally: the target is stable and the only stable
    /// fixed point.
    pub success: bool,
}

/// The phase point at one A.
pub fn phase_point(geom: &Geometry, a: f64) -> PhasePoint {
    let fps = MeanField::trained(*geom, a)
        .map(|mf| mf.fixed_points())
        .unwrap_or_default();
    let tol = 1e-6 * (1.0 + a.abs());
    let target_stable = fps.iter().any(|f| (f.z - a).abs() < tol && f.stable);
    let n_stable = fps.iter().filter(|f| f.stable).count();
    PhasePoint {
        a,
        success: target_stable && n_stable == 1,
        fixed_points: fps,
        target_stable,
        n_stable,
    }
}

/// The phase diagram over A: one [`PhasePoint`] per value.
pub fn phase_over_a(geom: &Geometry, a_values: &[f64]) -> Vec<PhasePoint> {
    a_values.iter().map(|&a| phase_point(geom, a)).collect()
}

/// The phase diagram over A and the readout's private-feedback weight p_m:
/// `success` (1/0) per (p_m row, A column), row-major.
pub fn success_map(geom: &Geometry, a_values: &[f64], p_m_values: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(a_values.len() * p_m_values.len());
    for &pm in p_m_values {
        let g = Geometry { p_m: pm, ..*geom };
        for &a in a_values {
            out.push(if phase_point(&g, a).success { 1.0 } else { 0.0 });
        }
    }
    out
}

/// The first crossing of h through zero on the ascending grid, refined by
/// Brent. NaN values of h are skipped.
fn first_crossing<H: Fn(f64) -> f64>(h: H, grid: &[f64]) -> Option<f64> {
    let mut prev: Option<(f64, f64)> = None;
    for &a in grid {
        let v = h(a);
        if !v.is_finite() {
            prev = None;
            continue;
        }
        if let Some((pa, pv)) = prev {
            if pv == 0.0 {
                return Some(pa);
            }
            if pv * v < 0.0 {
                return brent(&h, pa, a, 1e-12);
            }
        }
        prev = Some((a, v));
    }
    None
}

fn grid(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64)
        .collect()
}

/// The saddle-node threshold above A_flex: the smallest A > max(A_flex, 0)
/// (searched up to `a_max`) at which a second pair of fixed points appears.
/// Found by bisection on the number of roots (1 below, 3 above).
pub fn saddle_node_threshold(geom: &Geometry, a_max: f64) -> Option<f64> {
    let count = |a: f64| {
        MeanField::trained(*geom, a)
            .map(|mf| mf.fixed_points().len())
            .unwrap_or(0)
    };
    let lo0 = a_flex(geom).max(0.0) + 1e-3;
    let steps = grid(
        lo0,
        a_max,
        ((a_max - lo0) / 0.05).ceil().max(2.0) as usize + 1,
    );
    let mut lo = steps[0];
    if count(lo) != 1 {
        return None;
    }
    let mut hi = None;
    for &a in &steps[1..] {
        if count(a) > 1 {
            hi = Some(a);
            break;
        }
        lo = a;
    }
    let mut hi = hi?;
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        if count(mid) > 1 {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(0.5 * (lo + hi))
}

/// Below A_flex: the A at which the target's outlier crosses 1 (the target
/// is stable below it). Searched on [a_min, A_flex).
pub fn target_threshold(geom: &Geometry, a_min: f64) -> Option<f64> {
    let af = a_flex(geom);
    let h = |a: f64| match MeanField::trained(*geom, a) {
        Some(mf) => mf.stability(a).outlier - 1.0,
        None => f64::NAN,
    };
    let gr = grid(a_min, af - 1e-4, 200);
    first_crossing(h, &gr)
}

/// Below A_flex: the A at which the spurious positive fixed point (the
/// largest root, when it is not the target) loses stability (stable below).
pub fn spurious_threshold(geom: &Geometry, a_min: f64) -> Option<f64> {
    let af = a_flex(geom);
    let h = |a: f64| match MeanField::trained(*geom, a) {
        Some(mf) => {
            let fps = mf.fixed_points();
            match fps.last() {
                Some(f) if f.z > 0.0 && (f.z - a).abs() > 1e-6 => f.outlier - 1.0,
                _ => f64::NAN,
            }
        }
        None => f64::NAN,
    };
    let gr = grid(a_min, af - 1e-4, 100);
    first_crossing(h, &gr)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(x: f64, y: f64, tol: f64, what: &str) {
        assert!((x - y).abs() <= tol, "{what}: {x} vs {y}");
    }

    #[test]
    fn gauss_hermite_moments() {
        let gh = GaussHermite::new(200);
        close(gh.weights.iter().sum::<f64>(), 1.0, 1e-12, "Σw");
        let g4 = GaussHermite::new(400);
        close(g4.weights.iter().sum::<f64>(), 1.0, 1e-12, "Σw 400");
        close(g4.average(0.0, 1.0, |x| x.powi(4)), 3.0, 1e-10, "E ξ⁴ 400");
        close(gh.average(0.0, 1.0, |x| x * x), 1.0, 1e-11, "E ξ²");
        close(gh.average(0.0, 1.0, |x| x.powi(4)), 3.0, 1e-10, "E ξ⁴");
        close(gh.average(0.5, 4.0, |x| x), 0.5, 1e-12, "mean");
        // E cos(aξ) = exp(−a²/2).
        close(
            gh.average(0.0, 1.0, |x| libm::cos(2.0 * x)),
            libm::exp(-2.0),
            1e-12,
            "E cos 2ξ",
        );
        // Odd number of nodes has a node at 0.
        let g5 = GaussHermite::new(5);
        close(
            g5.average(0.0, 1.0, |x| x.powi(8)),
            105.0,
            1e-9,
            "5 nodes exact to degree 9",
        );
    }

    #[test]
    fn tanh_averages_match_quadrature_of_each_function() {
        let gh = GaussHermite::new(200);
        let av = TanhAverages::at(&gh, 0.0, 0.7);
        let d1 = gh.average(0.0, 0.7, |x| 1.0 - libm::tanh(x).powi(2));
        close(av.d1, d1, 1e-14, "⟨φ'⟩");
        // Stein: ⟨ξ φ(√Δ ξ)⟩ = √Δ⟨φ'⟩.
        let stein = gh.average(0.0, 1.0, |x| x * libm::tanh(libm::sqrt(0.7) * x));
        close(stein, libm::sqrt(0.7) * av.d1, 1e-12, "Stein");
        // d⟨φ²⟩/dΔ = ⟨φ'²⟩ + ⟨φφ''⟩.
        let h = 1e-5;
        let num = (TanhAverages::at(&gh, 0.0, 0.7 + h).phi2
            - TanhAverages::at(&gh, 0.0, 0.7 - h).phi2)
            / (2.0 * h);
        close(num, av.d1_sq + av.phi_d2, 1e-8, "d⟨φ²⟩/dΔ");
        // d⟨φ'⟩/dΔ = ½⟨φ'''⟩.
        let num = (TanhAverages::at(&gh, 0.0, 0.7 + h).d1 - TanhAverages::at(&gh, 0.0, 0.7 - h).d1)
            / (2.0 * h);
        close(num, 0.5 * av.d3, 1e-8, "d⟨φ'⟩/dΔ");
    }

    #[test]
    fn a_flex_default() {
        close(a_flex(&Geometry::default()), -0.2318, 1e-4, "A_flex");
    }

    /// SCIENCE.md §4 oracle table: (A, z branches, outliers, radii).
    #[allow(clippy::type_complexity)]
    fn oracle() -> Vec<(f64, Vec<f64>, Vec<f64>, Vec<f64>)> {
        vec![
            (1.003, vec![1.003], vec![0.2110], vec![0.1765]),
            (0.4024, vec![0.4024], vec![0.3871], vec![0.2222]),
            (
                -0.999,
                vec![-0.999, -0.5612, 1.5253],
                vec![0.6843, 1.3863, 0.1102],
                vec![0.1904, 0.2266, 0.1508],
            ),
            (
                -2.0,
                vec![-2.0, -0.3626, 2.3366],
                vec![0.2481, 2.6266, 0.0600],
                vec![],
            ),
        ]
    }

    #[test]
    fn oracle_branches_outliers_radii() {
        let geom = Geometry::default();
        for (a, zs, outs, radii) in oracle() {
            let mf = MeanField::trained(geom, a).unwrap();
            let fps = mf.fixed_points();
            assert_eq!(fps.len(), zs.len(), "A = {a}: {fps:?}");
            // Pair the oracle entries with ours by z.
            for (k, &z) in zs.iter().enumerate() {
                let fp = fps
                    .iter()
                    .min_by(|p, q| (p.z - z).abs().total_cmp(&(q.z - z).abs()))
                    .unwrap();
                close(fp.z, z, 1e-3, &format!("A={a} z"));
                close(fp.outlier, outs[k], 1e-3, &format!("A={a} z={z} outlier"));
                if let Some(&r) = radii.get(k) {
                    close(fp.radius, r, 1e-3, &format!("A={a} z={z} radius"));
                }
            }
            // The target is a fixed point by construction.
            assert!(mf.f(a).abs() < 1e-12);
        }
    }

    #[test]
    fn outlier_equals_linearisation_eigenvalues() {
        let geom = Geometry::default();
        for a in [1.003, 0.4024, -0.999, -2.0] {
            let mf = MeanField::trained_with_nodes(geom, a, 400).unwrap();
            for fp in mf.fixed_points() {
                let j = mf.linearisation(fp.z);
                let m = nalgebra::Matrix3::from_fn(|r, c| j[r][c]);
                let mut ev: Vec<_> = m.complex_eigenvalues().iter().copied().collect();
                ev.sort_by(|p, q| q.re.total_cmp(&p.re));
                // The finite differences see d⟨φ'⟩/dΔ where the closed form
                // uses ½⟨φ'''⟩: the two agree once the quadrature has
                // nearly converged (400 nodes; residual ~5e-5 at Δ0 ≈ 9).
                close(ev[0].re, fp.outlier, 1e-4, "λ+ by 3×3");
                close(ev[0].im.abs(), fp.outlier_im, 5e-4, "Im λ+ by 3×3");
                // One eigenvalue is zero (the μ row), the other is λ−.
                let rest: Vec<f64> = ev[1..].iter().map(|e| e.re).collect();
                assert!(
                    rest.iter().any(|r| (r - fp.lambda_minus).abs() < 1e-4)
                        && rest.iter().any(|r| r.abs() < 1e-6),
                    "{rest:?} vs {}",
                    fp.lambda_minus
                );
            }
        }
    }

    /// The oracle's 0.0600 for the positive branch at A = −2 (Δ0 ≈ 8.9) is
    /// what 200 nodes give; converged quadrature (400 nodes, checked against
    /// a fine trapezoid sum) makes that outlier a complex pair
    /// 0.0307 ± 0.0121i. Both are far below 1: the picture is unchanged.
    #[test]
    fn quadrature_at_large_delta() {
        let geom = Geometry::default();
        let f200 = MeanField::trained(geom, -2.0).unwrap().fixed_points();
        let f400 = MeanField::trained_with_nodes(geom, -2.0, 400)
            .unwrap()
            .fixed_points();
        close(f200[2].outlier, 0.0600, 1e-3, "200 nodes");
        close(f400[2].outlier, 0.0307, 1e-3, "400 nodes");
        close(
            f400[2].outlier_im,
            0.0121,
            1e-3,
            "400 nodes, imaginary part",
        );
        for k in 0..3 {
            close(f200[k].z, f400[k].z, 1e-3, "branches agree");
        }
        // ⟨φ'''⟩(8.5) against a trapezoid sum (h = 5e-4 on [−12, 12]).
        let av = TanhAverages::at(&GaussHermite::new(400), 0.0, 8.5);
        close(av.d3, -0.028180009134880, 1e-5, "⟨φ'''⟩ at Δ = 8.5");
    }

    #[test]
    fn thresholds() {
        let geom = Geometry::default();
        close(
            saddle_node_threshold(&geom, 3.0).unwrap(),
            1.4401,
            1e-3,
            "saddle-node",
        );
        close(
            spurious_threshold(&geom, -2.0).unwrap(),
            -0.3071,
            1e-3,
            "spurious",
        );
        // The target threshold: SCIENCE.md gives −0.7360; we find −0.73798.
        // Our value is tied to the saddle-node 1.4401 (which matches to 1e-5):
        // the fixed points at A are the z with C(z) = C(A) (z = A solves the
        // fixed-point equation with C = C(A)), so the target loses stability
        // where C(z) has its extremum z*, and the saddle-node above A_flex is
        // the A > 0 with C(A) = C(z*). Checked here: C'(z*) = 0, and the third
        // root at the threshold is the saddle-node value.
        let t = target_threshold(&geom, -2.0).unwrap();
        close(t, -0.7360, 2.5e-3, "target (oracle)");
        close(t, -0.73798, 1e-4, "target (ours)");
        let gh = GaussHermite::new(200);
        let c = |a: f64| readout_scale(&gh, &geom, a).unwrap();
        let h = 1e-4;
        assert!(
            (c(t + h) - c(t - h)).abs() / (2.0 * h) < 1e-3 * c(t).abs(),
            "C'(z*) = 0"
        );
        let fps = MeanField::trained(geom, t).unwrap().fixed_points();
        close(
            fps.last().unwrap().z,
            1.4401,
            1e-3,
            "third root at the threshold",
        );
        close(c(1.4401), c(t), 1e-4 * c(t).abs(), "C(A_sn) = C(z*)");
    }

    #[test]
    fn phase_window_and_geometry_classes() {
        let geom = Geometry::default();
        let pts = phase_over_a(&geom, &[-1.5, -0.5, 0.0, 0.5, 1.0, 1.4, 1.6]);
        let ok: Vec<bool> = pts.iter().map(|p| p.success).collect();
        assert_eq!(ok, vec![false, false, true, true, true, true, false]);
        // Along the private feedback direction only: σ_nI = 0, three fixed
        // points, z = 0 unstable, a stable mirror.
        let fb = Geometry {
            p: 0.0,
            p_m: 1.0,
            p_i: 0.0,
            rho: 0.0,
            ..geom
        };
        let pp = phase_point(&fb, 0.8);
        assert_eq!(pp.fixed_points.len(), 3, "{:?}", pp.fixed_points);
        assert!(pp.fixed_points[1].z.abs() < 1e-9 && !pp.fixed_points[1].stable);
        close(pp.fixed_points[0].z, -0.8, 1e-9, "mirror");
        assert!(pp.fixed_points[0].stable && pp.fixed_points[2].stable);
        // Along the private input direction only: σ_nm = 0, one fixed point,
        // negative... (a = 0) so globally stable.
        let inp = Geometry {
            p: 0.0,
            p_m: 0.0,
            p_i: 1.0,
            ..geom
        };
        for a in [-1.5, 0.5, 1.8] {
            let pp = phase_point(&inp, a);
            assert_eq!(pp.fixed_points.len(), 1);
            assert!(pp.success, "{pp:?}");
        }
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        let geom = Geometry::default();
        assert!(
            readout_scale(&GaussHermite::new(50), &geom, a_flex(&geom)).is_none()
                || readout_scale(&GaussHermite::new(50), &geom, a_flex(&geom))
                    .unwrap()
                    .abs()
                    > 1e6
        );
        let bad = Geometry {
            g: f64::NAN,
            ..geom
        };
        assert!(MeanField::trained(bad, 0.5).is_none());
        assert!(MeanField::with_scale(bad, 1.0).fixed_points().is_empty());
        let pp = phase_point(&geom, 0.0);
        assert_eq!(pp.fixed_points.len(), 1);
        assert_eq!(pp.fixed_points[0].z, 0.0);
    }
}
