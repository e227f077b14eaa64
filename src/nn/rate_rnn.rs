//! A rate network with one feedback loop (Mastrogiuseppe & Ostojic 2019;
//! Rivkind & Barak 2017; SCIENCE.md §4):
//!
//!   dx/dt = −x + χφ(x) + m z + I,  z = n·φ(x)/N,  φ = tanh,
//!
//! χ_ij ~ N(0, g²/N). Per unit y, x_m, x_I ~ N(0, 1) and
//! m = σ_m(ρy + √(1−ρ²)x_m), I = σ_I(ρy + √(1−ρ²)x_I); the readout direction
//! is u = p y + p_m x_m + p_I x_I and the readout n is u scaled (mean-field
//! rule), or learned from data (least squares, FORCE).
//!
//! Determinism: every sum runs in index order, tanh is `libm::tanh`, draws
//! come from the lab's seeded [`Rng`] in a fixed order (χ row by row, then
//! y, x_m, x_I unit by unit).

use crate::rng::Rng;

/// The integration scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Integrator {
    Euler,
    Rk4,
}

/// The network's parameters (SCIENCE.md §4 "Vectors").
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateSpec {
    pub n: usize,
    pub g: f64,
    pub sigma_m: f64,
    pub sigma_i: f64,
    pub rho: f64,
    pub p: f64,
    pub p_m: f64,
    pub p_i: f64,
}

/// A drawn network. `chi` is N × N row-major.
#[derive(Clone, Debug)]
pub struct RateNetwork {
    pub n: usize,
    pub chi: Vec<f64>,
    pub m: Vec<f64>,
    pub input: Vec<f64>,
    /// The readout direction u = p y + p_m x_m + p_I x_I (unscaled).
    pub direction: Vec<f64>,
    /// The readout n (z = n·φ(x)/N).
    pub readout: Vec<f64>,
}

impl RateNetwork {
    /// Draw χ, then y, x_m, x_I per unit. The readout starts as the
    /// direction u (scale 1).
    pub fn draw(spec: &RateSpec, rng: &mut Rng) -> Self {
        let n = spec.n.max(1);
        let s = spec.g / libm::sqrt(n as f64);
        let chi: Vec<f64> = (0..n * n).map(|_| s * rng.normal()).collect();
        let rho = spec.rho.clamp(-1.0, 1.0);
        let rc = libm::sqrt(1.0 - rho * rho);
        let mut m = Vec::with_capacity(n);
        let mut input = Vec::with_capacity(n);
        let mut direction = Vec::with_capacity(n);
        for _ in 0..n {
            let y = rng.normal();
            let xm = rng.normal();
            let xi = rng.normal();
            m.push(spec.sigma_m * (rho * y + rc * xm));
            input.push(spec.sigma_i * (rho * y + rc * xi));
            direction.push(spec.p * y + spec.p_m * xm + spec.p_i * xi);
        }
        RateNetwork {
            n,
            chi,
            m,
            input,
            readout: direction.clone(),
            direction,
        }
    }

    /// Set the readout to C·u (the mean-field rule with scale C).
    pub fn set_readout_scale(&mut self, c: f64) {
        self.readout = self.direction.iter().map(|u| c * u).collect();
    }

    /// z = n·φ/N for given φ(x).
    pub fn output_of_rates(&self, r: &[f64]) -> f64 {
        let mut acc = 0.0;
        for (a, b) in self.readout.iter().zip(r) {
            acc += a * b;
        }
        acc / self.n as f64
    }

    /// z at state x.
    pub fn output(&self, x: &[f64]) -> f64 {
        let r: Vec<f64> = x.iter().map(|v| libm::tanh(*v)).collect();
        self.output_of_rates(&r)
    }

    /// y = χ r.
    pub fn chi_times(&self, r: &[f64], out: &mut [f64]) {
        let n = self.n;
        for (i, o) in out.iter_mut().enumerate().take(n) {
            let row = &self.chi[i * n..(i + 1) * n];
            let mut acc = 0.0;
            for (a, b) in row.iter().zip(r) {
                acc += a * b;
            }
            *o = acc;
        }
    }

    /// dx/dt at x. With `clamp = Some(A)` the loop is open: z = A.
    /// Returns z (the fed-back value).
    pub fn velocity(&self, x: &[f64], clamp: Option<f64>, out: &mut [f64]) -> f64 {
        let r: Vec<f64> = x.iter().map(|v| libm::tanh(*v)).collect();
        let z = clamp.unwrap_or_else(|| self.output_of_rates(&r));
        self.chi_times(&r, out);
        for i in 0..self.n {
            out[i] = -x[i] + out[i] + self.m[i] * z + self.input[i];
        }
        z
    }

    /// One step of length dt. Returns the closed-loop z at the start.
    pub fn step(&self, x: &mut [f64], dt: f64, method: Integrator, clamp: Option<f64>) -> f64 {
        let n = self.n;
        match method {
            Integrator::Euler => {
                let mut k = vec![0.0; n];
                let z = self.velocity(x, clamp, &mut k);
                for i in 0..n {
                    x[i] += dt * k[i];
                }
                z
            }
            Integrator::Rk4 => {
                let mut k1 = vec![0.0; n];
                let mut k2 = vec![0.0; n];
                let mut k3 = vec![0.0; n];
                let mut k4 = vec![0.0; n];
                let mut tmp = vec![0.0; n];
                let z = self.velocity(x, clamp, &mut k1);
                for i in 0..n {
                    tmp[i] = x[i] + 0.5 * dt * k1[i];
                }
                self.velocity(&tmp, clamp, &mut k2);
                for i in 0..n {
                    tmp[i] = x[i] + 0.5 * dt * k2[i];
                }
                self.velocity(&tmp, clamp, &mut k3);
                for i in 0..n {
                    tmp[i] = x[i] + dt * k3[i];
                }
                self.velocity(&tmp, clamp, &mut k4);
                for i in 0..n {
                    x[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
                }
                z
            }
        }
    }

    /// Integrate `steps` steps from x; returns z at every step (before it).
    pub fn simulate(
        &self,
        x: &mut [f64],
        dt: f64,
        steps: usize,
        method: Integrator,
        clamp: Option<f64>,
    ) -> Vec<f64> {
        (0..steps)
            .map(|_| self.step(x, dt, method, clamp))
            .collect()
    }

    /// Least-squares readout on the open-loop state x_ol (z clamped to A):
    /// n = N·A·φ(x_ol)/‖φ(x_ol)‖², the minimum-norm n with n·φ(x_ol)/N = A.
    pub fn set_readout_least_squares(&mut self, x_ol: &[f64], a: f64) {
        let r: Vec<f64> = x_ol.iter().map(|v| libm::tanh(*v)).collect();
        let mut nn = 0.0;
        for v in &r {
            nn += v * v;
        }
        let s = self.n as f64 * a / nn.max(1e-300);
        self.readout = r.iter().map(|v| s * v).collect();
    }
}

/// FORCE learning (Sussillo & Abbott 2009): recursive least squares on the
/// closed loop. With w = n/N, r = φ(x), e = w·r − A:
/// k = P r / (1 + rᵀP r), P ← P − k (P r)ᵀ, w ← w − e k.
/// P starts at I/α. O(N²) per update.
#[derive(Clone, Debug)]
pub struct Force {
    /// w = n/N.
    pub w: Vec<f64>,
    /// N × N row-major.
    pub p: Vec<f64>,
    pub target: f64,
}

impl Force {
    pub fn new(w0: Vec<f64>, alpha: f64, target: f64) -> Self {
        let n = w0.len();
        let mut p = vec![0.0; n * n];
        for i in 0..n {
            p[i * n + i] = 1.0 / alpha;
        }
        Force { w: w0, p, target }
    }

    /// One RLS update at rates r; returns the error before the update.
    #[allow(clippy::needless_range_loop)]
    pub fn update(&mut self, r: &[f64]) -> f64 {
        let n = self.w.len();
        let mut e = -self.target;
        for (a, b) in self.w.iter().zip(r) {
            e += a * b;
        }
        let mut pr = vec![0.0; n];
        for (i, o) in pr.iter_mut().enumerate() {
            let row = &self.p[i * n..(i + 1) * n];
            let mut acc = 0.0;
            for (a, b) in row.iter().zip(r) {
                acc += a * b;
            }
            *o = acc;
        }
        let mut rpr = 0.0;
        for (a, b) in r.iter().zip(&pr) {
            rpr += a * b;
        }
        let c = 1.0 / (1.0 + rpr);
        // P is symmetric: P ← P − c (Pr)(Pr)ᵀ.
        for i in 0..n {
            let ci = c * pr[i];
            let row = &mut self.p[i * n..(i + 1) * n];
            for (pij, prj) in row.iter_mut().zip(&pr) {
                *pij -= ci * prj;
            }
        }
        for i in 0..n {
            self.w[i] -= e * c * pr[i];
        }
        e
    }
}

/// One FORCE training step of the closed loop: update the readout at the
/// current rates, then integrate one step with the new readout. Returns the
/// error before the update.
pub fn force_step(
    net: &mut RateNetwork,
    force: &mut Force,
    x: &mut [f64],
    dt: f64,
    method: Integrator,
) -> f64 {
    let r: Vec<f64> = x.iter().map(|v| libm::tanh(*v)).collect();
    let e = force.update(&r);
    let nf = net.n as f64;
    net.readout = force.w.iter().map(|w| w * nf).collect();
    net.step(x, dt, method, None);
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(n: usize) -> RateSpec {
        RateSpec {
            n,
            g: 0.3,
            sigma_m: 1.2,
            sigma_i: 0.5,
            rho: 0.5,
            p: 1.0,
            p_m: 1.0,
            p_i: 0.3,
        }
    }

    #[test]
    fn vectors_have_the_stated_statistics() {
        let mut rng = Rng::new(3);
        let net = RateNetwork::draw(&spec(3000), &mut rng);
        let n = net.n as f64;
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>() / n;
        // ⟨m I⟩ = σ_mσ_Iρ² = 0.15, ⟨m²⟩ = 1.44, ⟨n m⟩ = σ̂_nm.
        assert!((dot(&net.m, &net.input) - 0.15).abs() < 0.05);
        assert!((dot(&net.m, &net.m) - 1.44).abs() < 0.1);
        let s_nm = 1.2 * (0.5 + libm::sqrt(0.75));
        assert!((dot(&net.direction, &net.m) - s_nm).abs() < 0.1);
    }

    #[test]
    fn rk4_and_euler_agree_at_small_step() {
        let mut rng = Rng::new(4);
        let mut net = RateNetwork::draw(&spec(100), &mut rng);
        net.set_readout_scale(0.5);
        let x0: Vec<f64> = (0..100).map(|_| rng.normal()).collect();
        let mut a = x0.clone();
        let mut b = x0.clone();
        net.simulate(&mut a, 0.001, 2000, Integrator::Euler, None);
        net.simulate(&mut b, 0.01, 200, Integrator::Rk4, None);
        let d: f64 = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        assert!(d < 2e-3, "{d}");
    }

    #[test]
    fn least_squares_and_force_hit_the_target() {
        let mut rng = Rng::new(5);
        let mut net = RateNetwork::draw(&spec(200), &mut rng);
        let a = 0.4;
        let mut x = vec![0.0; 200];
        net.simulate(&mut x, 0.1, 400, Integrator::Euler, Some(a));
        net.set_readout_least_squares(&x, a);
        assert!((net.output(&x) - a).abs() < 1e-12);
        // The open-loop state is then a fixed point of the closed loop.
        let mut v = vec![0.0; 200];
        net.velocity(&x, None, &mut v);
        assert!(v.iter().all(|d| d.abs() < 1e-6));

        let mut net = RateNetwork::draw(&spec(200), &mut rng);
        net.set_readout_scale(0.0);
        let mut force = Force::new(vec![0.0; 200], 1.0, a);
        let mut x: Vec<f64> = (0..200).map(|_| 0.5 * rng.normal()).collect();
        let errs: Vec<f64> = (0..600)
            .map(|_| force_step(&mut net, &mut force, &mut x, 0.1, Integrator::Euler))
            .collect();
        assert!(errs.last().unwrap().abs() < 1e-3, "{:?}", &errs[590..]);
        net.simulate(&mut x, 0.1, 300, Integrator::Euler, None);
        assert!((net.output(&x) - a).abs() < 1e-2);
    }
}
