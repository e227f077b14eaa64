//! The feedback-network lab (Mastrogiuseppe & Ostojic 2019, "A geometrical
//! analysis of global stability in trained feedback networks"; Rivkind &
//! Barak 2017, "Local dynamics in trained recurrent networks").
//!
//! A random rate network dx/dt = −x + χφ(x) + m z + I, z = n·φ(x)/N, is
//! trained so that the constant input I gives the constant output z = A.
//! The readout's direction relative to m and I decides whether the trained
//! fixed point is stable locally and globally. The lab:
//!
//! 1. evaluates the mean-field theory ([`crate::metrics::mean_field`]) at
//!    the current parameters and over A ∈ [−2, 2] (branches z*(A)),
//! 2. trains the readout (mean-field rule C(A)·u, least squares on the
//!    open-loop state, or FORCE),
//! 3. integrates the closed loop from several random initial states,
//! 4. finds the fixed points near the end states by Newton's method and
//!    computes their Jacobian spectra ([`crate::metrics::stability`]).
//!
//! Each of these is cut into work units (at most [`CHUNK`] integration
//! steps, one Newton search or one spectrum per unit), so the page shows
//! progress. Formulas and oracles: SCIENCE.md §4.

// `!(r < tol)` is deliberate: a NaN residual counts as not converged.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use super::references;
use crate::config::LabConfig;
use crate::labs::{Lab, LabError, LabSpec, Preset, StepUnit, Work};
use crate::metrics::mean_field::{self, FixedPoint, Geometry, MeanField};
use crate::metrics::stability::{self, FoundFixedPoint};
use crate::nn::rate_rnn::{force_step, Force, Integrator, RateNetwork, RateSpec};
use crate::params::ParamSpec;
use crate::rng::Rng;
use crate::snapshot::{Chart, ChartBody, Metric, Overlay, Series, Snapshot};

/// The lab's name in URLs.
pub const NAME: &str = "feedback";

/// Integration steps per work unit.
pub const CHUNK: usize = 50;

/// The z(t) chart's series names: every trajectory is drawn, coloured by
/// where it ends.
const AT_TARGET: &str = "ends at the target A";
const ELSEWHERE: &str = "ends elsewhere";
const RUNNING: &str = "running";

/// Values of A for the mean-field branches chart.
const BRANCH_POINTS: usize = 41;

/// The cost model ([`Lab::work`]), in multiply–adds of the network's
/// matrix–vector product: an Euler step is N² + N·[`TANH_COST`] (RK4 four
/// of them), a FORCE update adds about 3N² for the RLS update of P; the
/// Newton search about [`NEWTON_PER_N3`]·N³ (a few LU solves); a Jacobian
/// spectrum (Jacobian, Hessenberg reduction and QR) about
/// [`SPECTRUM_PER_N3`]·N³: the ratios measured in wasm on the presets at
/// N = 500 and 1000 (a spectrum at N = 1000 took as long as 27 trajectory
/// units, the Newton search 12). The mean-field theory does not depend on
/// N: it is [`THEORY_COST`], done in the first unit.
const TANH_COST: f64 = 20.0;
const NEWTON_PER_N3: f64 = 1.0;
const SPECTRUM_PER_N3: f64 = 1.5;
const THEORY_COST: f64 = 1e9;

/// The lab's parameters, in control-panel order.
pub fn spec() -> LabSpec {
    LabSpec {
        name: NAME.into(),
        title: "Trained feedback networks: fixed points and global stability".into(),
        summary: "A random rate network with one feedback loop is trained so that a constant \
                  input gives a constant output A. The geometry of the readout relative to the \
                  feedback and input vectors decides whether the trained fixed point is stable, \
                  and whether it is the only stable one. Mean-field theory against simulation \
                  (Mastrogiuseppe & Ostojic 2019; Rivkind & Barak 2017)."
            .into(),
        params: vec![
            ParamSpec::number("A", "Target A", -2.5, 2.5, 0.4)
                .group("Task")
                .help("The constant output the readout is trained to give."),
            ParamSpec::choice(
                "readout",
                "Readout training",
                &[
                    ("mean_field", "Mean-field normalisation C(A)"),
                    ("least_squares", "Least squares on the open-loop state"),
                    ("force", "FORCE (recursive least squares)"),
                ],
                "mean_field",
            )
            .group("Task")
            .help("How n is trained. The mean-field rule scales the direction p y + p_m x_m + p_I x_I by C(A); least squares and FORCE learn n from the network's own rates (n is then correlated with χ, and the theory is approximate)."),
            ParamSpec::integer("force_steps", "FORCE updates", 10, 5000, 400)
                .group("Task")
                .help("Closed-loop RLS updates (one per integration step). O(N²) each."),
            ParamSpec::integer("n", "Units N", 10, 2000, 500)
                .group("Network")
                .help("Network size. The spectrum costs O(N³)."),
            ParamSpec::number("g", "Gain g", 0.0, 1.5, 0.3)
                .group("Network")
                .help("χ_ij ~ N(0, g²/N)."),
            ParamSpec::number("sigma_m", "σ_m", 0.0, 3.0, 1.2)
                .group("Vectors")
                .help("m = σ_m(ρy + √(1−ρ²)x_m)."),
            ParamSpec::number("sigma_i", "σ_I", 0.0, 3.0, 0.5)
                .group("Vectors")
                .help("I = σ_I(ρy + √(1−ρ²)x_I)."),
            ParamSpec::number("rho", "ρ", 0.0, 1.0, 0.5)
                .group("Vectors")
                .help("Shared component of m and I (their correlation is ρ²)."),
            ParamSpec::number("p", "p (shared)", -3.0, 3.0, 1.0)
                .group("Readout direction")
                .help("Weight of the shared direction y in the readout."),
            ParamSpec::number("p_m", "p_m (private feedback)", -3.0, 3.0, 1.0)
                .group("Readout direction")
                .help("Weight of the private feedback direction x_m."),
            ParamSpec::number("p_i", "p_I (private input)", -3.0, 3.0, 0.3)
                .group("Readout direction")
                .help("Weight of the private input direction x_I."),
            ParamSpec::choice(
                "method",
                "Integrator",
                &[("euler", "Euler"), ("rk4", "Runge–Kutta 4")],
                "euler",
            )
            .group("Simulation"),
            ParamSpec::number("dt", "Step dt", 0.001, 0.5, 0.1)
                .group("Simulation")
                .help("Integration step (time in units of the unit time constant)."),
            ParamSpec::integer("steps", "Steps", 10, 20000, 600)
                .unit("steps")
                .group("Simulation")
                .help("Integration steps per trajectory: the duration is steps·dt."),
            ParamSpec::integer("inits", "Initial states", 1, 64, 12)
                .group("Simulation")
                .help("Random initial states x0 ~ N(0, s²); the share that ends at the target is basin_target."),
            ParamSpec::number("init_std", "Initial spread s", 0.0, 5.0, 1.5)
                .group("Simulation"),
        ],
        presets: presets(),
        sweep_metrics: ["basin_target", "z_end", "sim_outlier", "mf_outlier_1"]
            .map(String::from)
            .to_vec(),
        step_unit: StepUnit::new(
            "unit",
            "One work unit: the mean-field theory, 50 integration steps of one trajectory (or of training), the Newton search for fixed points, or one Jacobian spectrum. The steps parameter is the number of integration steps per trajectory, so 12 trajectories of 600 steps are 144 units of trajectories.",
        ),
        references: vec![references::mastrogiuseppe_2019(), references::rivkind_2017(), references::sussillo_2009()],
    }
}

fn presets() -> Vec<Preset> {
    let p = Preset::new;
    vec![
        p(
            "Globally stable readout (A = 0.4)",
            "The default geometry inside its window A_flex < A < 1.44 (A_flex ≈ −0.23): one fixed point, and the theory's outlier ≈ 0.39 and bulk ≈ 0.22 are what the network of N = 1000 shows (0.40 and 0.23); every initial state ends at the target. Sweep A (&sweep=A:lin:-2:2:17) to see the window.",
            "v=1&lab=feedback&seed=2&A=0.4&n=1000&steps=300&inits=8",
        ),
        p(
            "Bistable: readout along the private feedback direction",
            "p = p_I = 0 and ρ = 0: σ_nI = σ_mI = 0, so the mean-field equations are symmetric under z → −z. Three fixed points: z = 0 is unstable (outlier ≈ 1.43) and the mirror −A = −0.8 is as stable as the target (outlier ≈ 0.50 at both). The finite network breaks the symmetry a little (its states end near +0.74 and −0.85), and the initial states split between the two (6 of 16 at the target).",
            "v=1&lab=feedback&seed=1&A=0.8&p=0&p_m=1&p_i=0&rho=0&n=500&steps=400&inits=16",
        ),
        p(
            "A target below −0.736 that fails (A = −1)",
            "The target is locally stable (outlier ≈ 0.68) but a spurious positive fixed point near z = 1.5 is stable too (outlier ≈ 0.11), and every initial state goes there (16 of 16).",
            "v=1&lab=feedback&seed=1&A=-1&n=500&steps=400&inits=16",
        ),
        p(
            "Training by least squares",
            "n by least squares from the open-loop state: the target is a fixed point (z ends at 0.400) and the bulk is the theory's (0.23 against 0.22), but the outlier is not (0.26 against 0.39): least squares finds another readout than the theory's n = C(A)·u.",
            "v=1&lab=feedback&seed=1&A=0.4&readout=least_squares&n=500&steps=400&inits=8",
        ),
        p(
            "Training by FORCE",
            "Recursive least squares on the closed loop (the learning curve is shown: the error falls below 1e-5); then the loop runs free and z ends at 0.400.",
            "v=1&lab=feedback&seed=1&A=0.4&readout=force&force_steps=400&n=400&steps=400&inits=8",
        ),
        p(
            "Training by the mean-field rule (compare the two above)",
            "n = C(A)·u: the readout the theory describes. Its outlier and bulk match the theory (0.41 and 0.23 against 0.39 and 0.22), but at N = 500 z ends at 0.35, not 0.4: the two rules above put the target exactly.",
            "v=1&lab=feedback&seed=1&A=0.4&readout=mean_field&n=500&steps=400&inits=8",
        ),
    ]
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Readout {
    MeanField,
    LeastSquares,
    Force,
}

#[derive(Clone, Debug)]
struct Settings {
    a: f64,
    readout: Readout,
    force_steps: usize,
    geom: Geometry,
    n: usize,
    method: Integrator,
    dt: f64,
    steps: usize,
    inits: usize,
    init_std: f64,
}

fn units(steps: usize) -> usize {
    steps.div_ceil(CHUNK)
}

/// The lab's state.
pub struct Feedback {
    s: Settings,
    net: RateNetwork,
    notes: Vec<String>,
    /// Units done and planned.
    done: u64,
    total: u64,
    // Theory.
    mf_points: Vec<FixedPoint>,
    branches: Vec<mean_field::PhasePoint>,
    theory_done: bool,
    // Training.
    train_x: Vec<f64>,
    train_done: usize,
    train_total: usize,
    force: Option<Force>,
    force_curve: Vec<f64>,
    // Trajectories.
    states: Vec<Vec<f64>>,
    traces: Vec<Vec<f64>>,
    traj_steps: Vec<usize>,
    // Analysis.
    fixed_points: Vec<FoundFixedPoint>,
    spectra_done: usize,
    analysis_started: bool,
    stopped: Option<String>,
}

impl Feedback {
    pub fn boxed(config: &LabConfig) -> Box<dyn Lab> {
        Box::new(Self::new(config))
    }

    pub fn new(c: &LabConfig) -> Self {
        let readout = match c.choice("readout").as_str() {
            "least_squares" => Readout::LeastSquares,
            "force" => Readout::Force,
            _ => Readout::MeanField,
        };
        let s = Settings {
            a: c.num("A"),
            readout,
            force_steps: c.int("force_steps").max(1),
            geom: Geometry {
                g: c.num("g"),
                sigma_m: c.num("sigma_m"),
                sigma_i: c.num("sigma_i"),
                rho: c.num("rho"),
                p: c.num("p"),
                p_m: c.num("p_m"),
                p_i: c.num("p_i"),
            },
            n: c.int("n").max(1),
            method: if c.choice("method") == "rk4" {
                Integrator::Rk4
            } else {
                Integrator::Euler
            },
            dt: c.num("dt"),
            steps: c.int("steps").max(1),
            inits: c.int("inits").max(1),
            init_std: c.num("init_std"),
        };
        let mut notes = Vec::new();
        let spec = RateSpec {
            n: s.n,
            g: s.geom.g,
            sigma_m: s.geom.sigma_m,
            sigma_i: s.geom.sigma_i,
            rho: s.geom.rho,
            p: s.geom.p,
            p_m: s.geom.p_m,
            p_i: s.geom.p_i,
        };
        let mut net = RateNetwork::draw(&spec, &mut Rng::fork(c.seed, 1));
        let mut init_rng = Rng::fork(c.seed, 2);
        let states: Vec<Vec<f64>> = (0..s.inits)
            .map(|_| (0..s.n).map(|_| s.init_std * init_rng.normal()).collect())
            .collect();
        let mut force = None;
        let train_total = match s.readout {
            Readout::MeanField => {
                let gh = mean_field::GaussHermite::new(200);
                match mean_field::readout_scale(&gh, &s.geom, s.a) {
                    Some(scale) => net.set_readout_scale(scale),
                    None => {
                        notes.push(format!(
                            "the mean-field readout scale C(A) diverges at A = A_flex = {:.4}; the readout is set to 0",
                            mean_field::a_flex(&s.geom)
                        ));
                        net.set_readout_scale(0.0);
                    }
                }
                0
            }
            Readout::LeastSquares => s.steps,
            Readout::Force => {
                net.set_readout_scale(0.0);
                force = Some(Force::new(vec![0.0; s.n], 1.0, s.a));
                s.force_steps
            }
        };
        let train_x = match s.readout {
            Readout::Force => states[0].clone(),
            _ => vec![0.0; s.n],
        };
        // theory + training + trajectories + Newton + up to 3 spectra.
        let total = 1 + units(train_total) + s.inits * units(s.steps) + 1 + 3;
        Feedback {
            traces: vec![Vec::new(); s.inits],
            traj_steps: vec![0; s.inits],
            states,
            net,
            notes,
            done: 0,
            total: total as u64,
            mf_points: Vec::new(),
            branches: Vec::new(),
            theory_done: false,
            train_x,
            train_done: 0,
            train_total,
            force,
            force_curve: Vec::new(),
            fixed_points: Vec::new(),
            spectra_done: 0,
            analysis_started: false,
            stopped: None,
            s,
        }
    }

    /// The mean-field fixed points at the current A and the branches z*(A).
    fn theory(&mut self) {
        if let Some(mf) = MeanField::trained(self.s.geom, self.s.a) {
            self.mf_points = mf.fixed_points();
        }
        let grid: Vec<f64> = (0..BRANCH_POINTS)
            .map(|i| -2.0 + 4.0 * i as f64 / (BRANCH_POINTS - 1) as f64)
            .collect();
        self.branches = mean_field::phase_over_a(&self.s.geom, &grid);
        self.theory_done = true;
    }

    fn train_unit(&mut self) {
        let k = CHUNK.min(self.train_total - self.train_done);
        match self.s.readout {
            Readout::LeastSquares => {
                self.net.simulate(
                    &mut self.train_x,
                    self.s.dt,
                    k,
                    self.s.method,
                    Some(self.s.a),
                );
                self.train_done += k;
                if self.train_done == self.train_total {
                    self.net.set_readout_least_squares(&self.train_x, self.s.a);
                }
            }
            Readout::Force => {
                if let Some(force) = self.force.as_mut() {
                    for _ in 0..k {
                        let e = force_step(
                            &mut self.net,
                            force,
                            &mut self.train_x,
                            self.s.dt,
                            self.s.method,
                        );
                        self.force_curve.push(e.abs());
                    }
                }
                self.train_done += k;
                if self.train_done == self.train_total {
                    // P is O(N²): free it.
                    self.force = None;
                }
            }
            Readout::MeanField => self.train_done = self.train_total,
        }
    }

    fn trajectory_unit(&mut self) -> Option<usize> {
        let t = (0..self.s.inits).find(|&t| self.traj_steps[t] < self.s.steps)?;
        let k = CHUNK.min(self.s.steps - self.traj_steps[t]);
        let zs = self
            .net
            .simulate(&mut self.states[t], self.s.dt, k, self.s.method, None);
        self.traces[t].extend(zs);
        self.traj_steps[t] += k;
        Some(t)
    }

    /// Newton from the end states, after merging end states that are
    /// already together (‖Δx‖/√N < 1e-2).
    fn newton_unit(&mut self) {
        let sq = libm::sqrt(self.s.n as f64);
        let mut seeds: Vec<Vec<f64>> = Vec::new();
        for x in &self.states {
            let near = seeds.iter().any(|y| {
                let mut d = 0.0;
                for (a, b) in x.iter().zip(y) {
                    d += (a - b) * (a - b);
                }
                libm::sqrt(d) / sq < 1e-2
            });
            if !near && x.iter().all(|v| v.is_finite()) {
                seeds.push(x.clone());
            }
        }
        let tol = 1e-9;
        let mut found: Vec<(Vec<f64>, f64)> = Vec::new();
        for x0 in &seeds {
            let (x, res) = stability::newton(&self.net, x0, 30, tol);
            if !(res < tol) {
                continue;
            }
            let dup = found.iter().any(|(y, _)| {
                let mut d = 0.0;
                for (a, b) in x.iter().zip(y) {
                    d += (a - b) * (a - b);
                }
                libm::sqrt(d) / sq < 1e-6
            });
            if !dup {
                found.push((x, res));
            }
        }
        let mut fps: Vec<FoundFixedPoint> = found
            .into_iter()
            .map(|(x, residual)| FoundFixedPoint {
                z: self.net.output(&x),
                x,
                residual,
                spectrum: stability::summarise(Vec::new()),
            })
            .collect();
        crate::sort::sort_by(&mut fps, &|a, b| a.z.total_cmp(&b.z));
        // Spectra for at most 3: the one nearest the first trajectory's end
        // first, then the others in ascending z.
        let z0 = self.z_end();
        if let Some(i) =
            (0..fps.len()).min_by(|&i, &j| (fps[i].z - z0).abs().total_cmp(&(fps[j].z - z0).abs()))
        {
            let first = fps.remove(i);
            fps.insert(0, first);
        }
        self.fixed_points = fps;
        self.analysis_started = true;
    }

    fn spectrum_unit(&mut self) {
        let k = self.spectra_done;
        if let Some(fp) = self.fixed_points.get_mut(k) {
            if let Some(sp) = stability::spectrum(&self.net, &fp.x) {
                fp.spectrum = sp;
            } else {
                self.notes
                    .push("the eigenvalue iteration did not converge at one fixed point".into());
            }
        }
        self.spectra_done += 1;
    }

    fn z_end(&self) -> f64 {
        if self.traj_steps.first() != Some(&self.s.steps) {
            return f64::NAN;
        }
        self.net.output(&self.states[0])
    }

    /// Whether an output z counts as the target: within 0.25·max(|A|, 0.2)
    /// of A (wide enough for the finite-size spread of z, ±6% at N = 500;
    /// narrow enough to tell the target from the other branches).
    fn at_target(&self, z: f64) -> bool {
        (z - self.s.a).abs() < 0.25 * self.s.a.abs().max(0.2)
    }

    /// The share of initial states whose end z is at the target
    /// ([`Feedback::at_target`]).
    fn basin_target(&self) -> f64 {
        if self.traj_steps.iter().any(|&s| s < self.s.steps) {
            return f64::NAN;
        }
        let hits = self
            .states
            .iter()
            .filter(|x| self.at_target(self.net.output(x)))
            .count();
        hits as f64 / self.s.inits as f64
    }

    fn one_unit(&mut self) -> Result<(), String> {
        if !self.theory_done {
            self.theory();
        } else if self.train_done < self.train_total {
            self.train_unit();
            if self.force_curve.last().is_some_and(|e| !e.is_finite()) {
                return Err("the FORCE error is not finite".into());
            }
        } else if let Some(t) = {
            let pending = self.traj_steps.iter().any(|&s| s < self.s.steps);
            if pending {
                self.trajectory_unit()
            } else {
                None
            }
        } {
            if self.states[t].iter().any(|v| !v.is_finite()) {
                return Err(format!(
                    "trajectory {} diverged; try a smaller dt or RK4",
                    t + 1
                ));
            }
        } else if !self.analysis_started {
            self.newton_unit();
        } else {
            self.spectrum_unit();
        }
        Ok(())
    }

    fn charts(&self) -> Vec<Chart> {
        let mut charts = Vec::new();
        // z(t): every trajectory, named by where it ends.
        let series: Vec<Series> = self
            .traces
            .iter()
            .zip(&self.traj_steps)
            .filter(|(tr, _)| !tr.is_empty())
            .map(|(tr, &done)| {
                let stride = tr.len().div_ceil(300).max(1);
                let idx: Vec<usize> = (0..tr.len()).step_by(stride).collect();
                let name = match tr.last() {
                    _ if done < self.s.steps => RUNNING,
                    Some(&z) if self.at_target(z) => AT_TARGET,
                    _ => ELSEWHERE,
                };
                Series::new(
                    name,
                    idx.iter().map(|&i| i as f64 * self.s.dt).collect(),
                    idx.iter().map(|&i| tr[i]).collect(),
                )
            })
            .collect();
        charts.push(
            Chart::lines(
                "z_t",
                &format!("Output z(t) from {} initial states", self.s.inits),
                "time t",
                "z",
                series,
            )
            .palette(&[AT_TARGET, ELSEWHERE, RUNNING])
            .info("Each line starts at a random state x0 ~ N(0, s²); every initial state is drawn, coloured by where its z ends: within 0.25·max(|A|, 0.2) of the target A, or elsewhere (the share at the target is the metric basin_target)."),
        );
        // Spectrum.
        if let Some(fp) = self.fixed_points.first() {
            if !fp.spectrum.eigenvalues.is_empty() {
                let (re, im): (Vec<f64>, Vec<f64>) =
                    fp.spectrum.eigenvalues.iter().copied().unzip();
                let mut series = vec![Series::new("eigenvalues of S", re, im)];
                let mut chart_overlays = vec![Overlay::VLine {
                    x: 1.0,
                    label: "Re λ = 1".into(),
                }];
                if let Some(th) = self.theory_at(fp.z) {
                    chart_overlays.push(Overlay::Circle {
                        cx: 0.0,
                        cy: 0.0,
                        r: th.radius,
                        label: "bulk radius (theory)".into(),
                    });
                    series.push(Series::new(
                        "outlier (theory)",
                        vec![th.outlier, th.outlier],
                        vec![th.outlier_im, -th.outlier_im],
                    ));
                }
                let mut chart = Chart::with_body(
                    "spectrum",
                    &format!("Spectrum of S at the fixed point z = {:.4}", fp.z),
                    "Re λ",
                    "Im λ",
                    ChartBody::Scatter { series },
                )
                .info(
                    "S = (χ + m nᵀ/N)·diag(φ'(x*)); the fixed point is stable iff every Re λ < 1.",
                );
                for o in chart_overlays {
                    chart = chart.overlay(o);
                }
                charts.push(chart);
            }
        }
        // Branches.
        if !self.branches.is_empty() {
            let mut series = branch_series(&self.branches);
            for fp in &self.fixed_points {
                let w = 0.04;
                let name = if fp.spectrum.eigenvalues.is_empty() {
                    "network fixed point"
                } else if fp.spectrum.stable {
                    "network fixed point (stable)"
                } else {
                    "network fixed point (unstable)"
                };
                series.push(Series::new(
                    name,
                    vec![self.s.a - w, self.s.a + w],
                    vec![fp.z, fp.z],
                ));
            }
            charts.push(
                Chart::lines(
                    "branches",
                    "Mean-field fixed points z*(A) (readout trained by C(A))",
                    "target A",
                    "z*",
                    series,
                )
                .overlay(Overlay::VLine {
                    x: self.s.a,
                    label: "current A".into(),
                })
                .info("Solid: stable; dashed: unstable. Short bars: the simulated network's fixed points at the current A."),
            );
        }
        if !self.force_curve.is_empty() {
            let n = self.force_curve.len();
            let stride = n.div_ceil(400).max(1);
            let idx: Vec<usize> = (0..n).step_by(stride).collect();
            charts.push(
                Chart::lines(
                    "force",
                    "FORCE learning curve",
                    "update",
                    "|z − A|",
                    vec![Series::new(
                        "|error|",
                        idx.iter().map(|&i| i as f64).collect(),
                        idx.iter()
                            .map(|&i| self.force_curve[i].max(1e-16))
                            .collect(),
                    )],
                )
                .log_y(),
            );
        }
        charts
    }

    /// The mean-field fixed point nearest z (within 0.25·max(1, |z|)).
    fn theory_at(&self, z: f64) -> Option<FixedPoint> {
        self.mf_points
            .iter()
            .min_by(|a, b| (a.z - z).abs().total_cmp(&(b.z - z).abs()))
            .filter(|p| (p.z - z).abs() < 0.25 * z.abs().max(1.0))
            .copied()
    }

    fn metrics(&self) -> Vec<Metric> {
        let m = |key: &str, label: &str, value: f64, info: &str| Metric {
            key: key.into(),
            label: label.into(),
            value,
            info: info.into(),
        };
        let mut out = Vec::new();
        for (k, fp) in self.mf_points.iter().enumerate() {
            let i = k + 1;
            out.push(m(
                &format!("mf_z_{i}"),
                &format!("Mean-field z*_{i}"),
                fp.z,
                "Mean-field fixed point, ascending.",
            ));
            out.push(m(
                &format!("mf_outlier_{i}"),
                &format!("Outlier at z*_{i}"),
                fp.outlier,
                "Re λ+ of the closed-form outlier.",
            ));
            out.push(m(
                &format!("mf_radius_{i}"),
                &format!("Bulk radius at z*_{i}"),
                fp.radius,
                "g√⟨φ'²⟩(Δ0).",
            ));
            out.push(m(
                &format!("mf_stable_{i}"),
                &format!("z*_{i} stable"),
                if fp.stable { 1.0 } else { 0.0 },
                "1 if Re λ+ < 1 and r < 1.",
            ));
        }
        // With σ̂_nm = 0 (no feedback overlap, e.g. σ_m = 0) C(A) diverges
        // nowhere: −σ̂_nI/0 = ±∞ is no value (and has no JSON form).
        let a_flex = mean_field::a_flex(&self.s.geom);
        out.push(m(
            "a_flex",
            "A_flex",
            if a_flex.is_finite() { a_flex } else { f64::NAN },
            "−σ̂_nI/σ̂_nm: the mean-field readout scale diverges here (NaN when σ̂_nm = 0: it diverges nowhere).",
        ));
        out.push(m(
            "z_end",
            "Simulated z at the end",
            self.z_end(),
            "z of the first trajectory at its last step.",
        ));
        let (so, sr) = self
            .fixed_points
            .first()
            .map(|f| (f.spectrum.top_re, f.spectrum.radius))
            .unwrap_or((f64::NAN, f64::NAN));
        out.push(m(
            "sim_outlier",
            "Largest Re λ (simulation)",
            so,
            "At the fixed point nearest the first trajectory's end.",
        ));
        out.push(m(
            "sim_radius",
            "Bulk radius (simulation)",
            sr,
            "Largest |λ| without the top eigenvalue (and its conjugate).",
        ));
        out.push(m(
            "basin_target",
            "Share ending at the target",
            self.basin_target(),
            "Share of initial states whose end z is within 0.25·max(|A|, 0.2) of A.",
        ));
        out.push(m(
            "sim_fixed_points",
            "Fixed points found",
            if self.analysis_started {
                self.fixed_points.len() as f64
            } else {
                f64::NAN
            },
            "By Newton from the (merged) end states.",
        ));
        let stable = self
            .fixed_points
            .iter()
            .take(self.spectra_done)
            .filter(|f| f.spectrum.stable)
            .count();
        out.push(m(
            "sim_stable_fixed_points",
            "Stable fixed points found",
            if self.analysis_started {
                stable as f64
            } else {
                f64::NAN
            },
            "Among those whose spectrum was computed (at most 3).",
        ));
        out.push(m(
            "readout_norm",
            "‖n‖/√N",
            {
                let mut acc = 0.0;
                for v in &self.net.readout {
                    acc += v * v;
                }
                libm::sqrt(acc / self.s.n as f64)
            },
            "Size of the trained readout.",
        ));
        if let Some(e) = self.force_curve.last() {
            out.push(m(
                "force_error",
                "Last FORCE error",
                *e,
                "|z − A| before the last RLS update.",
            ));
        }
        out
    }
}

/// Mean-field branches as line segments: a segment continues while the
/// number of roots and the root's stability stay the same.
#[allow(clippy::type_complexity)]
fn branch_series(points: &[mean_field::PhasePoint]) -> Vec<Series> {
    let mut out = Vec::new();
    // (count, index, stable) -> current segment
    let mut open: Vec<((usize, usize, bool), Vec<f64>, Vec<f64>)> = Vec::new();
    let mut prev_keys: Vec<(usize, usize, bool)> = Vec::new();
    for p in points {
        let count = p.fixed_points.len();
        let keys: Vec<(usize, usize, bool)> = p
            .fixed_points
            .iter()
            .enumerate()
            .map(|(i, f)| (count, i, f.stable))
            .collect();
        // Close segments whose key vanished.
        let mut still = Vec::new();
        for seg in open.drain(..) {
            if keys.contains(&seg.0) {
                still.push(seg);
            } else {
                out.push(seg);
            }
        }
        open = still;
        for (i, f) in p.fixed_points.iter().enumerate() {
            let key = keys[i];
            if let Some(seg) = open.iter_mut().find(|s| s.0 == key) {
                seg.1.push(p.a);
                seg.2.push(f.z);
            } else {
                open.push((key, vec![p.a], vec![f.z]));
            }
        }
        prev_keys = keys;
    }
    let _ = prev_keys;
    out.extend(open);
    out.into_iter()
        .map(|(key, x, y)| {
            if key.2 {
                Series::new("stable", x, y)
            } else {
                Series::new("unstable", x, y).dashed()
            }
        })
        .collect()
}

impl Lab for Feedback {
    fn step(&mut self, n: u64) -> Result<(), LabError> {
        if let Some(reason) = &self.stopped {
            return Err(LabError::Diverged {
                step: self.done,
                detail: reason.clone(),
            });
        }
        for _ in 0..n {
            if self.done >= self.total {
                break;
            }
            let r = self.one_unit();
            self.done += 1;
            if let Err(detail) = r {
                self.stopped = Some(detail.clone());
                return Err(LabError::Diverged {
                    step: self.done,
                    detail,
                });
            }
        }
        Ok(())
    }

    fn steps_done(&self) -> u64 {
        self.done
    }

    fn total_steps(&self) -> u64 {
        self.total
    }

    /// The units weighted by their cost (see [`THEORY_COST`]). Up to three
    /// spectra are planned until the Newton search has found the fixed
    /// points, then one per fixed point (at most three).
    fn work(&self) -> Work {
        let n = self.s.n as f64;
        let euler = n * n + TANH_COST * n;
        let step = match self.s.method {
            Integrator::Rk4 => 4.0 * euler,
            Integrator::Euler => euler,
        };
        let train_step = match self.s.readout {
            Readout::Force => step + 3.0 * n * n,
            _ => step,
        };
        let n3 = n * n * n;
        let spectra_planned = if self.analysis_started {
            self.fixed_points.len().min(3)
        } else {
            3
        } as f64;
        let traj_done: usize = self.traj_steps.iter().sum();
        let done = if self.theory_done { THEORY_COST } else { 0.0 }
            + self.train_done as f64 * train_step
            + traj_done as f64 * step
            + if self.analysis_started {
                NEWTON_PER_N3 * n3
            } else {
                0.0
            }
            + (self.spectra_done as f64).min(spectra_planned) * SPECTRUM_PER_N3 * n3;
        let total = THEORY_COST
            + self.train_total as f64 * train_step
            + (self.s.inits * self.s.steps) as f64 * step
            + NEWTON_PER_N3 * n3
            + spectra_planned * SPECTRUM_PER_N3 * n3;
        Work { done, total }
    }

    fn is_done(&self) -> bool {
        self.done >= self.total || self.stopped.is_some()
    }

    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }

    fn snapshot_unhashed(&self) -> Snapshot {
        Snapshot {
            lab: NAME.into(),
            step: self.done,
            total_steps: self.total,
            done: self.is_done(),
            stopped: self
                .stopped
                .as_ref()
                .map(|d| format!("stopped at step {}: {d}", self.done)),
            metrics: self.metrics(),
            charts: self.charts(),
            hash: String::new(),
        }
    }
}
