//! Every preset's text against its run. Each preset of every lab has an
//! entry in [`CLAIMS`], by lab and title, whose check runs the preset and
//! asserts what its description says, with tolerances that fit the wording:
//! "≈ 0.39" allows the last digit shown, "about 8×" a range around 8,
//! "every" means all of them. Each number is checked together with the words
//! that state it ([`Ctx::claim`] asserts that the description contains them),
//! so editing the text without the check fails, and so does a run that
//! drifts from its text.
//!
//! The table is checked against the registry both ways: a preset without an
//! entry fails (a new preset must say what it shows), and so does an entry
//! whose preset is gone. A few presets are asserted in their lab's own test
//! file, beside their model's oracles ([`CLAIMED_ELSEWHERE`], checked to name
//! them). Beside the claims, every chart of every preset is
//! checked for what a log axis would hide: no point ≤ 0 but a series' first
//! (a change from init is 0 at init), and no more than 12 decades shown.
//!
//! The presets run in parallel, one thread per core; the failures of all of
//! them are reported together.
//!
//! `CLAIMS_FILTER=text cargo test --test preset_claims` checks only the
//! presets whose title contains `text` (to check one preset's text while
//! editing it; the full run checks them all).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use neurogeom::config::{LabConfig, Preset};
use neurogeom::labs;
use neurogeom::metrics::mean_field::{saddle_node_threshold, Geometry};
use neurogeom::params::ParamValue;
use neurogeom::plot::axis::Map;
use neurogeom::run;
use neurogeom::share::parse_link;
use neurogeom::snapshot::{Chart, ChartBody, Scale, Snapshot};
use neurogeom::sweep::{self, SweepPoint};

/// A preset's run: one run, or a sweep's points and its snapshot.
enum Run {
    One {
        snapshot: Snapshot,
        warnings: Vec<String>,
    },
    Sweep {
        points: Vec<SweepPoint>,
        snapshot: Snapshot,
    },
}

/// What a check sees: the preset, its configuration and its run.
struct Ctx<'a> {
    preset: &'a Preset,
    config: LabConfig,
    run: Run,
}

/// Run a fragment to its end: a sweep if it asks for one.
fn run_fragment(fragment: &str) -> (LabConfig, Run) {
    let parsed = parse_link(fragment);
    assert!(
        parsed.warnings.is_empty(),
        "{fragment}: {:?}",
        parsed.warnings
    );
    let config = parsed.config;
    let run = match parsed.sweep {
        Some(spec) => {
            let runs = spec.runs(&config).expect("the sweep's runs");
            let points = sweep::run_native(&runs, 1, |_, _| {});
            let snapshot = sweep::snapshot(&spec, &config, &points).expect("the sweep snapshot");
            Run::Sweep { points, snapshot }
        }
        None => {
            let (snapshot, warnings) = run::run_to_end(&config);
            Run::One { snapshot, warnings }
        }
    };
    (config, run)
}

fn preset_of(lab: &str, title: &str) -> Preset {
    labs::spec(lab)
        .and_then(|s| s.presets.into_iter().find(|p| p.title == title))
        .unwrap_or_else(|| panic!("no preset '{title}' in {lab}"))
}

fn metric_of(s: &Snapshot, key: &str) -> f64 {
    s.metric(key)
        .unwrap_or_else(|| panic!("no metric {key} in {}", s.lab))
}

fn series_of<'s>(s: &'s Snapshot, chart: &str, name: &str) -> (&'s [f64], &'s [f64]) {
    let c = s
        .chart(chart)
        .unwrap_or_else(|| panic!("no chart {chart} in {}", s.lab));
    let series = match &c.body {
        ChartBody::Lines { series }
        | ChartBody::Scatter { series }
        | ChartBody::Profile { series, .. }
        | ChartBody::Bars { series, .. }
        | ChartBody::Arrows { series } => series,
        _ => panic!("chart {chart} has no series"),
    };
    let s = series
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no series '{name}' in chart {chart}"));
    (&s.x, &s.y)
}

/// The first step at which a series is at or below `level`.
fn first_step_at_or_below(s: &Snapshot, chart: &str, name: &str, level: f64) -> f64 {
    let (x, y) = series_of(s, chart, name);
    x.iter()
        .zip(y)
        .find(|(_, v)| **v <= level)
        .map(|(x, _)| *x)
        .unwrap_or_else(|| panic!("{name} never reaches {level}"))
}

impl Ctx<'_> {
    fn one(&self) -> &Snapshot {
        match &self.run {
            Run::One { snapshot, .. } => snapshot,
            Run::Sweep { .. } => panic!("a sweep, not a run"),
        }
    }

    fn warnings(&self) -> &[String] {
        match &self.run {
            Run::One { warnings, .. } => warnings,
            Run::Sweep { .. } => &[],
        }
    }

    fn points(&self) -> &[SweepPoint] {
        match &self.run {
            Run::Sweep { points, .. } => points,
            Run::One { .. } => panic!("a run, not a sweep"),
        }
    }

    fn sweep_snapshot(&self) -> &Snapshot {
        match &self.run {
            Run::Sweep { snapshot, .. } => snapshot,
            Run::One { .. } => panic!("a run, not a sweep"),
        }
    }

    /// A metric of the run at its end.
    fn m(&self, key: &str) -> f64 {
        metric_of(self.one(), key)
    }

    /// A series of one of the run's charts.
    fn series(&self, chart: &str, name: &str) -> (&[f64], &[f64]) {
        series_of(self.one(), chart, name)
    }

    /// The value of a series at a step (x).
    fn at(&self, chart: &str, name: &str, step: f64) -> f64 {
        let (x, y) = self.series(chart, name);
        x.iter()
            .position(|&v| v == step)
            .map(|i| y[i])
            .unwrap_or_else(|| panic!("{chart}/{name} has no point at {step}"))
    }

    /// The first value of a series (the run's start).
    fn first(&self, chart: &str, name: &str) -> f64 {
        self.series(chart, name).1[0]
    }

    /// A metric of the sweep's run at `coord`.
    fn pm(&self, coord: f64, key: &str) -> f64 {
        self.points()
            .iter()
            .find(|p| (p.coords[0] - coord).abs() <= 1e-9 * coord.abs().max(1.0))
            .unwrap_or_else(|| panic!("no sweep point at {coord}"))
            .metric(key)
    }

    /// The description says `quote`.
    fn says(&self, quote: &str) {
        assert!(
            self.preset.description.contains(quote),
            "the text no longer says \"{quote}\": {}",
            self.preset.description
        );
    }

    /// The description says `quote`, which states `stated`; the run's
    /// `value` is within `tol` of it.
    fn claim(&self, quote: &str, value: f64, stated: f64, tol: f64) {
        self.says(quote);
        assert!(
            (value - stated).abs() <= tol,
            "\"{quote}\": the run gives {value}, not {stated} ± {tol}"
        );
    }

    /// The description says `quote`, and `holds` (with `detail` if not).
    fn claim_that(&self, quote: &str, holds: bool, detail: String) {
        self.says(quote);
        assert!(holds, "\"{quote}\" does not hold: {detail}");
    }

    /// The preset's configuration with some parameters changed, run to its
    /// end (a claim about a neighbouring run).
    fn variant(&self, changes: &[(&str, &str)]) -> (Snapshot, Vec<String>) {
        let mut c = self.config.clone();
        for (k, v) in changes {
            let value = match v.parse::<f64>() {
                Ok(x) => ParamValue::Num(x),
                Err(_) => ParamValue::Choice(v.to_string()),
            };
            c.set(k, value);
        }
        let (c, w) = labs::check(&c);
        assert!(w.is_empty(), "{changes:?}: {w:?}");
        run::run_to_end(&c)
    }

    /// Another preset of the same lab, run to its end.
    fn other(&self, title: &str) -> Snapshot {
        let p = preset_of(&self.config.lab, title);
        match run_fragment(&p.fragment).1 {
            Run::One { snapshot, .. } => snapshot,
            Run::Sweep { snapshot, .. } => snapshot,
        }
    }
}

type Check = fn(&Ctx);

/// (lab, preset title, check): one entry per preset of every lab.
const CLAIMS: &[(&str, &str, Check)] = &[
    // ---------------------------------------------------------- lazy-rich
    (
        "lazy-rich",
        "Rich: Flesch two-context task, small init",
        |c| {
            c.claim("(‖ΔW‖/‖W₀‖ ≈ 11)", c.m("dw_stim"), 11.0, 0.5);
            let kta0 = c.first("cka", "Kernel–target alignment");
            c.claim(
                "(kernel–target alignment 0.0002 → 0.30)",
                kta0,
                0.0002,
                0.00005,
            );
            c.claim(
                "(kernel–target alignment 0.0002 → 0.30)",
                c.m("kta"),
                0.30,
                0.005,
            );
            c.claim("(participation ratio ≈ 3.2", c.m("pr_1"), 3.2, 0.05);
            let lazy = c.other("Lazy: Flesch two-context task, large init");
            c.claim(
                "against ≈ 8.2 in the lazy preset)",
                metric_of(&lazy, "pr_1"),
                8.2,
                0.05,
            );
            let excl0 = c.first("units", "Context-exclusive units");
            c.claim("already at init (51, then 47", excl0, 51.0, 0.0);
            c.claim(
                "then 47 at the end with seed 1)",
                c.m("exclusive_units"),
                47.0,
                0.0,
            );
            c.claim_that(
                "About half the units are context-exclusive",
                [excl0, c.m("exclusive_units")]
                    .iter()
                    .all(|&n| (40.0..=60.0).contains(&n)),
                format!("{excl0} and {} of 100", c.m("exclusive_units")),
            );
            // Mean (g − y)² over the task's 50 samples: ∇ = (2/50)·Σ(g − y)∇g,
            // so η·2/50 is the step on ½·Σ(g − y)².
            c.claim(
                "η = 0.125 here equals the paper code's η = 5e-3",
                c.config.num("lr") * 2.0 / 50.0,
                5e-3,
                1e-12,
            );
            c.claim_that(
                "(η·λ_max(K₀)·2/n = 2.76 > 2)",
                c.warnings()
                    .iter()
                    .any(|w| w.contains("η·λ_max(K₀)·2/n = 2.76 > 2")),
                format!("{:?}", c.warnings()),
            );
        },
    ),
    (
        "lazy-rich",
        "Lazy: Flesch two-context task, large init",
        |c| {
            c.claim("(train loss ≈ 0.002)", c.m("train_loss"), 0.002, 0.0005);
            c.claim("change by under 1 % (0.7 %)", c.m("dw_stim"), 0.007, 0.0005);
            let (_, cka) = c.series("cka", "CKA(h₀, h) layer 1");
            c.claim_that(
                "CKA to init stays near 1 (0.9995)",
                cka.iter().all(|&v| v >= 0.999),
                format!("{cka:?}"),
            );
            c.claim(
                "CKA to init stays near 1 (0.9995)",
                c.m("cka_1"),
                0.9995,
                0.00005,
            );
            c.claim_that(
                "(2.25 > 2)",
                c.warnings().iter().any(|w| w.contains("= 2.25 > 2")),
                format!("{:?}", c.warnings()),
            );
            c.claim(
                "(3 with seed 1, as at init)",
                c.m("exclusive_units"),
                3.0,
                0.0,
            );
            c.claim(
                "(3 with seed 1, as at init)",
                c.first("units", "Context-exclusive units"),
                3.0,
                0.0,
            );
            let (faster, _) = c.variant(&[("lr", "0.01")]);
            c.claim(
                "(stimulus weights change 11 %)",
                metric_of(&faster, "dw_stim"),
                0.11,
                0.005,
            );
            c.claim(
                "and 16 units become exclusive",
                metric_of(&faster, "exclusive_units"),
                16.0,
                0.0,
            );
            c.claim("which is 0.125 here", 5e-3 * 50.0 / 2.0, 0.125, 1e-12);
            let (paper, _) = c.variant(&[("lr", "0.125")]);
            c.claim(
                "(the loss stays at 2)",
                metric_of(&paper, "train_loss"),
                2.0,
                0.01,
            );
        },
    ),
    (
        "lazy-rich",
        "Lazy limit: large α tracks the linearised model",
        |c| {
            c.claim(
                "(RMS 0.006 after 2,000 steps",
                c.m("lin_rms"),
                0.006,
                0.0005,
            );
            let (_, rms) = c.series("linearised", "RMS(g − g_lin)");
            let worst = rms
                .iter()
                .copied()
                .filter(|v| v.is_finite())
                .fold(0.0, f64::max);
            c.claim_that(
                "f_net − f_lin stays tiny",
                worst < 0.0065,
                format!("max {worst}"),
            );
            let (rich, _) = c.variant(&[("alpha", "0.1")]);
            c.claim(
                "against 0.11 at α = 0.1)",
                metric_of(&rich, "lin_rms"),
                0.11,
                0.005,
            );
            let adw = c.m("alpha_dw");
            c.claim("α·‖Δw‖/‖w₀‖ ≈ 0.129", adw, 0.129, 0.0005);
            for alpha in ["10", "1000"] {
                let (other, _) = c.variant(&[("alpha", alpha)]);
                let r = metric_of(&other, "alpha_dw") / adw;
                c.claim(
                    "(α = 10 and 1000 give the same within 0.3 %)",
                    r,
                    1.0,
                    0.003,
                );
            }
        },
    ),
    ("lazy-rich", "Rich limit: small α", |c| {
        let lazy = c.other("Lazy limit: large α tracks the linearised model");
        let loss_at_2 = |s: &Snapshot| {
            let (x, y) = series_of(s, "loss", "Train loss");
            y[x.iter().position(|&v| v == 2.0).expect("step 2")]
        };
        c.claim(
            "(train loss ≈ 0.216 after two steps in both)",
            loss_at_2(c.one()),
            0.216,
            0.001,
        );
        c.claim(
            "(train loss ≈ 0.216 after two steps in both)",
            loss_at_2(&lazy),
            0.216,
            0.001,
        );
        c.claim("‖ΔW‖/‖W₀‖ ≈ 0.64", c.m("dw_1"), 0.64, 0.005);
        c.claim("kernel change ≈ 0.56", c.m("kernel_change"), 0.56, 0.005);
        c.claim(
            "against 0.001 and 0.007 at α = 100",
            metric_of(&lazy, "dw_1"),
            0.001,
            0.0002,
        );
        c.claim(
            "against 0.001 and 0.007 at α = 100",
            metric_of(&lazy, "kernel_change"),
            0.007,
            0.0005,
        );
    }),
    ("lazy-rich", "The lazy → rich transition: sweep α", |c| {
        let alphas: Vec<f64> = c.points().iter().map(|p| p.coords[0]).collect();
        c.claim_that(
            "Eleven runs from α = 0.01 to 1000",
            alphas.len() == 11 && alphas[0] == 0.01 && alphas[10] == 1000.0,
            format!("{alphas:?}"),
        );
        let large: Vec<f64> = alphas.iter().copied().filter(|&a| a >= 1.0).collect();
        for w in large.windows(2) {
            // 1/α: each half-decade divides the change by √10, within 10 %.
            let r = c.pm(w[0], "dw_1") / c.pm(w[1], "dw_1") / (w[1] / w[0]);
            c.claim("the hidden weights' change falls as 1/α", r, 1.0, 0.1);
        }
        c.claim("(0.085 → 9e-5)", c.pm(1.0, "dw_1"), 0.085, 0.001);
        c.claim("(0.085 → 9e-5)", c.pm(1000.0, "dw_1"), 9e-5, 0.5e-5);
        let kc = |a: f64| c.pm(a, "kernel_change");
        let upto10: Vec<f64> = large.iter().copied().filter(|&a| a <= 10.0).collect();
        for w in upto10.windows(2) {
            let r = kc(w[0]) / kc(w[1]) / (w[1] / w[0]);
            c.claim_that(
                "the kernel change falls with it up to α = 10",
                (0.6..1.5).contains(&r),
                format!("{w:?}: {r}"),
            );
        }
        c.claim("(0.064 → 0.007)", kc(1.0), 0.064, 0.001);
        c.claim("(0.064 → 0.007)", kc(10.0), 0.007, 0.0005);
        for a in alphas.iter().copied().filter(|&a| a > 30.0 && a < 400.0) {
            c.claim_that(
                "then stalls near 1e-3 from α = 30 to 300",
                (0.0008..0.0016).contains(&kc(a)),
                format!("{a}: {}", kc(a)),
            );
        }
        for a in alphas.iter().copied().filter(|&a| a >= 3.0) {
            c.claim("levels off at ≈ 0.105", c.pm(a, "alpha_dw"), 0.105, 0.0015);
        }
        let rms: Vec<f64> = alphas.iter().map(|&a| c.pm(a, "lin_rms")).collect();
        c.claim_that(
            "the distance to the linearised model falls",
            rms.windows(2).all(|w| w[1] < w[0]),
            format!("{rms:?}"),
        );
        c.claim("falls from 0.5 to 2e-4", rms[0], 0.5, 0.01);
        c.claim("falls from 0.5 to 2e-4", rms[10], 2e-4, 0.1e-4);
    }),
    ("lazy-rich", "Self-supervised latents (InfoNCE)", |c| {
        for k in 1..=3 {
            let name = format!("R² latent {k}");
            let (init, end) = (c.first("decoding", &name), c.m(&format!("r2_{k}")));
            c.claim("(R² ≈ 0.87 → 0.92–0.93)", init, 0.87, 0.012);
            c.claim("(R² ≈ 0.87 → 0.92–0.93)", end, 0.925, 0.007);
            c.claim_that(
                "makes every latent more linearly decodable than at init",
                end > init,
                format!("{name}: {init} → {end}"),
            );
            let twin = c.m(&format!("r2_twin_{k}"));
            c.claim(
                "approaching a supervised twin (≈ 0.94–0.95)",
                twin,
                0.945,
                0.007,
            );
            c.claim_that(
                "approaching a supervised twin",
                end < twin,
                format!("{end} vs {twin}"),
            );
        }
        c.claim(
            "its R² only falls from 0.86 to 0.82",
            c.first("decoding", "R² nuisance"),
            0.86,
            0.005,
        );
        c.claim(
            "its R² only falls from 0.86 to 0.82",
            c.m("r2_nuisance"),
            0.82,
            0.005,
        );
    }),
    ("lazy-rich", "Neural collapse in the terminal phase", |c| {
        let (early, _) = c.variant(&[("steps", "1000")]);
        c.claim_that(
            "well past zero training error",
            metric_of(&early, "train_acc") == 1.0,
            "not at zero error by step 1,000".into(),
        );
        c.claim(
            "NC1 0.096 → 0.068",
            c.at("collapse", "NC1", 1000.0),
            0.096,
            0.001,
        );
        c.claim("NC1 0.096 → 0.068", c.m("nc1"), 0.068, 0.001);
        c.claim(
            "NC3 0.33 → 0.07",
            c.at("collapse", "NC3 self-duality", 1000.0),
            0.33,
            0.005,
        );
        c.claim("NC3 0.33 → 0.07", c.m("nc3"), 0.07, 0.005);
        for name in ["NC1", "NC3 self-duality"] {
            let v: Vec<f64> = (1..=6)
                .map(|k| c.at("collapse", name, 1000.0 * k as f64))
                .collect();
            c.claim_that(
                "keep falling",
                v.windows(2).all(|w| w[1] < w[0]),
                format!("{name}: {v:?}"),
            );
        }
        let (x, nc4) = c.series("collapse", "NC4 nearest class mean");
        c.claim_that(
            "the nearest-class-mean mismatch (NC4) stays at 0",
            x.iter()
                .zip(nc4)
                .filter(|(s, _)| **s >= 1000.0)
                .all(|(_, v)| *v == 0.0),
            format!("{nc4:?}"),
        );
    }),
    // ----------------------------------------------------------- capacity
    (
        "capacity",
        "Digits: capacity rises with depth and training",
        |c| {
            c.claim("after 2,000 steps", c.m("train_steps"), 2000.0, 0.0);
            for l in 0..4 {
                c.claim(
                    "(0.24–0.27)",
                    c.m(&format!("capacity_init_{l}")),
                    // Two digits: 0.235 to 0.275.
                    0.255,
                    0.02,
                );
            }
            let cap: Vec<f64> = (0..4).map(|l| c.m(&format!("capacity_{l}"))).collect();
            c.claim_that(
                "it rises with depth",
                cap.windows(2).all(|w| w[1] > w[0]),
                format!("{cap:?}"),
            );
            c.claim(
                "(0.26 at the input, 0.49 at the output)",
                cap[0],
                0.26,
                0.005,
            );
            c.claim(
                "(0.26 at the input, 0.49 at the output)",
                cap[3],
                0.49,
                0.005,
            );
            for l in 1..4 {
                for (chart, key) in [("radius", "radius"), ("dimension", "dimension")] {
                    let untrained = c.at(chart, "untrained", l as f64);
                    let now = c.m(&format!("{key}_{l}"));
                    c.claim_that(
                        "radius and dimension fall below their untrained values",
                        now < untrained,
                        format!("{key} layer {l}: {untrained} → {now}"),
                    );
                }
            }
            c.claim(
                "(output: R 1.25 → 0.83",
                c.at("radius", "untrained", 3.0),
                1.25,
                0.005,
            );
            c.claim("(output: R 1.25 → 0.83", c.m("radius_3"), 0.83, 0.005);
            c.claim(
                "D 5.4 → 3.4)",
                c.at("dimension", "untrained", 3.0),
                5.4,
                0.05,
            );
            c.claim("D 5.4 → 3.4)", c.m("dimension_3"), 3.4, 0.05);
        },
    ),
    (
        "capacity",
        "Digits: self-supervised against supervised",
        |c| {
            let pinned = parse_link(&c.preset.fragment).pin.expect("a pinned run");
            let supervised = match run_fragment(&pinned).1 {
                Run::One { snapshot, .. } => snapshot,
                Run::Sweep { .. } => panic!("the pin is a sweep"),
            };
            for l in 0..4 {
                let key = format!("capacity_init_{l}");
                c.claim_that(
                    "The same MLP, seed and untrained network",
                    c.m(&key).to_bits() == metric_of(&supervised, &key).to_bits(),
                    key,
                );
            }
            c.claim(
                "(the output, ≈ 0.27 → 0.36)",
                c.m("capacity_init_3"),
                0.27,
                0.005,
            );
            c.claim(
                "(the output, ≈ 0.27 → 0.36)",
                c.m("capacity_3"),
                0.36,
                0.005,
            );
            c.claim(
                "at the untrained value (≈ 0.24",
                c.m("capacity_2"),
                0.24,
                0.005,
            );
            c.claim(
                "at the untrained value (≈ 0.24",
                c.m("capacity_2") - c.m("capacity_init_2"),
                0.0,
                0.002,
            );
            c.claim("below the input's 0.26", c.m("capacity_0"), 0.26, 0.005);
            c.claim_that(
                "below the input's 0.26",
                c.m("capacity_2") < c.m("capacity_0"),
                String::new(),
            );
            c.claim_that(
                "its radius grows",
                c.m("radius_2") > c.at("radius", "untrained", 2.0),
                String::new(),
            );
            c.claim_that(
                "its dimension falls",
                c.m("dimension_2") < c.at("dimension", "untrained", 2.0),
                String::new(),
            );
            c.claim(
                "supervised training raises it to ≈ 0.38",
                metric_of(&supervised, "capacity_2"),
                0.38,
                0.005,
            );
        },
    ),
    ("capacity", "Theory against simulation", |c| {
        let n = |k: &str| c.config.num(k);
        c.claim_that(
            "Thirty discs (D = 2, R = 1, 40 points each) in N = 150",
            (
                n("classes"),
                n("manifold_dim"),
                n("radius"),
                n("samples"),
                n("dim"),
            ) == (30.0, 2.0, 1.0, 40.0, 150.0),
            format!("{:?}", c.config.params),
        );
        c.claim(
            "(0.662 against 0.656)",
            c.m("capacity_theory"),
            0.662,
            0.0005,
        );
        c.claim("(0.662 against 0.656)", c.m("capacity_sim"), 0.656, 0.0005);
        c.claim(
            "They agree within a few per cent",
            c.m("capacity_theory") / c.m("capacity_sim"),
            1.0,
            0.03,
        );
    }),
    ("capacity", "Alignment of transformed prototypes", |c| {
        c.claim(
            "axis alignment ≈ 0.28 with k = 3 axes",
            c.m("axis_align_0"),
            0.28,
            0.005,
        );
        let discs = c.other("Theory against simulation");
        c.claim(
            "(independent discs give ≈ 0.01)",
            metric_of(&discs, "axis_align_0"),
            0.01,
            0.005,
        );
        for l in 1..3 {
            for v in [
                c.m(&format!("axis_align_{l}")),
                c.at("axis_align", "untrained", l as f64),
            ] {
                c.claim(
                    "The hidden layers, random or trained, spread it (≈ 0.1–0.15)",
                    v,
                    0.125,
                    0.03,
                );
            }
        }
        c.claim(
            "the 10-unit output aligns everything (≈ 0.45)",
            c.m("axis_align_3"),
            0.45,
            0.01,
        );
        c.claim(
            "the first is ≈ 37° between input manifolds",
            c.at("principal_angles", "input", 0.0),
            37.0,
            1.0,
        );
        for layer in ["h1", "h2"] {
            c.claim(
                "≈ 55–60° in the hidden layers",
                c.at("principal_angles", layer, 0.0),
                57.5,
                3.0,
            );
        }
        c.claim_that(
            "Dashed: the untrained network",
            c.series("capacity", "untrained").1.len() == 4,
            String::new(),
        );
    }),
    (
        "capacity",
        "Human ventral temporal cortex (Haxby 2001): capacity against chance",
        |c| {
            c.claim(
                "capacity of the 8 category manifolds is 0.043",
                c.m("capacity_0"),
                0.043,
                0.0005,
            );
            c.claim("(0.020, chance geometry)", c.m("capacity_1"), 0.020, 0.0005);
            c.claim(
                "2.2 times that of the same volumes with shuffled labels",
                c.m("capacity_0") / c.m("capacity_1"),
                2.2,
                0.05,
            );
            c.claim("radius 1.09 against 1.53", c.m("radius_0"), 1.09, 0.005);
            c.claim("radius 1.09 against 1.53", c.m("radius_1"), 1.53, 0.005);
            c.claim("dimension 42 against 72", c.m("dimension_0"), 42.0, 0.5);
            c.claim("dimension 42 against 72", c.m("dimension_1"), 72.0, 0.5);
            c.claim(
                "The simulated capacity is 0.033",
                c.m("capacity_sim"),
                0.033,
                0.0005,
            );
            c.claim_that(
                "below MFTMA's",
                c.m("capacity_sim") < c.m("capacity_theory")
                    && c.m("capacity_theory") == c.m("capacity_0"),
                format!("{} against {}", c.m("capacity_sim"), c.m("capacity_theory")),
            );
            c.claim("Centre alignment 0.19", c.m("center_align_0"), 0.19, 0.005);
            c.claim("axis alignment 0.34", c.m("axis_align_0"), 0.34, 0.005);
            c.claim("(shuffled: 0.58)", c.m("axis_align_1"), 0.58, 0.005);
            c.claim_that(
                "530 ventral-temporal voxels, 108 volumes per category",
                c.config.num("samples") == 108.0,
                format!("{:?}", c.config.params),
            );
        },
    ),
    (
        "capacity",
        "Haxby 2001: faces and houses against the other categories",
        |c| {
            c.claim(
                "houses (α_μ 0.078, D 28)",
                c.m("capacity_house"),
                0.078,
                0.0005,
            );
            c.claim(
                "houses (α_μ 0.078, D 28)",
                c.m("dimension_house"),
                28.0,
                0.5,
            );
            c.claim("faces (0.061, D 33)", c.m("capacity_face"), 0.061, 0.0005);
            c.claim("faces (0.061, D 33)", c.m("dimension_face"), 33.0, 0.5);
            let others = ["shoe", "cat", "scissors", "scrambledpix", "bottle", "chair"];
            let alpha: Vec<f64> = others
                .iter()
                .map(|k| c.m(&format!("capacity_{k}")))
                .collect();
            let (lo, hi) = alpha
                .iter()
                .fold((f64::INFINITY, 0.0f64), |(a, b), &v| (a.min(v), b.max(v)));
            c.claim_that(
                "are the most separable manifolds",
                hi < c.m("capacity_face") && c.m("capacity_face") < c.m("capacity_house"),
                format!("{alpha:?}"),
            );
            c.claim(
                "between 0.023 (scrambled pictures, D 64)",
                lo,
                0.023,
                0.0005,
            );
            c.claim(
                "between 0.023 (scrambled pictures, D 64)",
                c.m("capacity_scrambledpix"),
                lo,
                0.0,
            );
            c.claim(
                "between 0.023 (scrambled pictures, D 64)",
                c.m("dimension_scrambledpix"),
                64.0,
                0.5,
            );
            c.claim("and 0.047 (scissors)", hi, 0.047, 0.0005);
            c.claim("and 0.047 (scissors)", c.m("capacity_scissors"), hi, 0.0);
            let shuffled: Vec<f64> = neurogeom::data::haxby::CATEGORIES
                .iter()
                .map(|k| c.m(&format!("capacity_{k}_shuffled")))
                .collect();
            let (slo, shi) = shuffled
                .iter()
                .fold((f64::INFINITY, 0.0f64), |(a, b), &v| (a.min(v), b.max(v)));
            c.claim("every category falls to 0.016–0.022", slo, 0.016, 0.0005);
            c.claim("every category falls to 0.016–0.022", shi, 0.022, 0.0005);
        },
    ),
    ("capacity", "Points: the Gardner capacity", |c| {
        c.claim("α₀(0.5) = 0.961", c.m("capacity_formula"), 0.961, 0.0005);
        c.claim("MFTMA against Gardner's", c.m("capacity_0"), 0.961, 0.005);
        let (zero, _) = c.variant(&[("kappa", "0")]);
        c.claim(
            "(α = 2 at κ = 0)",
            metric_of(&zero, "capacity_formula"),
            2.0,
            1e-3,
        );
    }),
    ("capacity", "Spheres: the ball formula", |c| {
        c.claim("0.875 against 0.871", c.m("capacity_0"), 0.875, 0.0005);
        c.claim(
            "0.875 against 0.871",
            c.m("capacity_formula"),
            0.871,
            0.0005,
        );
    }),
    // ----------------------------------------------------------- feedback
    ("feedback", "Globally stable readout (A = 0.4)", |c| {
        c.claim("(A_flex ≈ −0.23)", c.m("a_flex"), -0.23, 0.005);
        let sn = saddle_node_threshold(&Geometry::default(), 3.0).expect("a saddle-node");
        c.claim("A_flex < A < 1.44", sn, 1.44, 0.005);
        c.claim_that(
            "one fixed point",
            c.m("sim_fixed_points") == 1.0 && c.one().metric("mf_z_2").is_none(),
            String::new(),
        );
        c.claim(
            "the theory's outlier ≈ 0.39",
            c.m("mf_outlier_1"),
            0.39,
            0.005,
        );
        c.claim("and bulk ≈ 0.22", c.m("mf_radius_1"), 0.22, 0.005);
        c.claim("(0.40 and 0.23)", c.m("sim_outlier"), 0.40, 0.005);
        c.claim("(0.40 and 0.23)", c.m("sim_radius"), 0.23, 0.005);
        c.claim(
            "every initial state ends at the target",
            c.m("basin_target"),
            1.0,
            0.0,
        );
    }),
    (
        "feedback",
        "Bistable: readout along the private feedback direction",
        |c| {
            c.claim(
                "z = 0 is unstable (outlier ≈ 1.43)",
                c.m("mf_z_2"),
                0.0,
                1e-9,
            );
            c.claim(
                "z = 0 is unstable (outlier ≈ 1.43)",
                c.m("mf_outlier_2"),
                1.43,
                0.005,
            );
            c.claim("z = 0 is unstable", c.m("mf_stable_2"), 0.0, 0.0);
            c.claim("the mirror −A = −0.8", c.m("mf_z_1"), -0.8, 1e-6);
            c.claim(
                "symmetric under z → −z",
                c.m("mf_z_1") + c.m("mf_z_3"),
                0.0,
                1e-6,
            );
            for k in [1, 3] {
                c.claim(
                    "(outlier ≈ 0.50 at both)",
                    c.m(&format!("mf_outlier_{k}")),
                    0.50,
                    0.005,
                );
                c.claim(
                    "is as stable as the target",
                    c.m(&format!("mf_stable_{k}")),
                    1.0,
                    0.0,
                );
            }
            c.claim(
                "(outlier ≈ 0.50 at both)",
                c.m("mf_outlier_1") - c.m("mf_outlier_3"),
                0.0,
                1e-6,
            );
            let ends = z_ends(c.one());
            c.claim("(6 of 16 at the target)", ends.len() as f64, 16.0, 0.0);
            c.claim_that(
                "(its states end near +0.74 and −0.85)",
                ends.iter()
                    .all(|z| (z - 0.74).abs() < 0.01 || (z + 0.85).abs() < 0.01),
                format!("{ends:?}"),
            );
            c.claim(
                "(6 of 16 at the target)",
                c.m("basin_target"),
                6.0 / 16.0,
                0.0,
            );
        },
    ),
    (
        "feedback",
        "A target below −0.736 that fails (A = −1)",
        |c| {
            c.claim(
                "The target is locally stable (outlier ≈ 0.68)",
                c.m("mf_z_1"),
                -1.0,
                1e-6,
            );
            c.claim(
                "The target is locally stable (outlier ≈ 0.68)",
                c.m("mf_outlier_1"),
                0.68,
                0.005,
            );
            c.claim("The target is locally stable", c.m("mf_stable_1"), 1.0, 0.0);
            c.claim(
                "a spurious positive fixed point near z = 1.5",
                c.m("mf_z_3"),
                1.5,
                0.05,
            );
            c.claim(
                "is stable too (outlier ≈ 0.11)",
                c.m("mf_outlier_3"),
                0.11,
                0.005,
            );
            c.claim("is stable too", c.m("mf_stable_3"), 1.0, 0.0);
            let ends = z_ends(c.one());
            c.claim_that(
                "every initial state goes there (16 of 16)",
                ends.len() == 16 && ends.iter().all(|&z| z > 1.2),
                format!("{ends:?}"),
            );
            c.claim(
                "every initial state goes there (16 of 16)",
                c.m("basin_target"),
                0.0,
                0.0,
            );
        },
    ),
    ("feedback", "Training by least squares", |c| {
        c.claim("(z ends at 0.400)", c.m("z_end"), 0.4, 0.0005);
        c.claim("(0.23 against 0.22)", c.m("sim_radius"), 0.23, 0.005);
        c.claim("(0.23 against 0.22)", c.m("mf_radius_1"), 0.22, 0.005);
        c.claim("(0.26 against 0.39)", c.m("sim_outlier"), 0.26, 0.005);
        c.claim("(0.26 against 0.39)", c.m("mf_outlier_1"), 0.39, 0.005);
    }),
    ("feedback", "Training by FORCE", |c| {
        let (_, curve) = c.series("force", "|error|");
        c.claim_that(
            "the error falls below 1e-5",
            c.m("force_error") < 1e-5 && curve.len() > 10,
            format!("{}", c.m("force_error")),
        );
        c.claim("z ends at 0.400", c.m("z_end"), 0.4, 0.0005);
    }),
    (
        "feedback",
        "Training by the mean-field rule (compare the two above)",
        |c| {
            c.claim(
                "(0.41 and 0.23 against 0.39 and 0.22)",
                c.m("sim_outlier"),
                0.41,
                0.005,
            );
            c.claim(
                "(0.41 and 0.23 against 0.39 and 0.22)",
                c.m("sim_radius"),
                0.23,
                0.005,
            );
            c.claim(
                "(0.41 and 0.23 against 0.39 and 0.22)",
                c.m("mf_outlier_1"),
                0.39,
                0.005,
            );
            c.claim(
                "(0.41 and 0.23 against 0.39 and 0.22)",
                c.m("mf_radius_1"),
                0.22,
                0.005,
            );
            c.claim("z ends at 0.35, not 0.4", c.m("z_end"), 0.35, 0.005);
            for title in ["Training by least squares", "Training by FORCE"] {
                let s = c.other(title);
                c.claim(
                    "the two rules above put the target exactly",
                    metric_of(&s, "z_end"),
                    0.4,
                    0.0005,
                );
            }
        },
    ),
    // --------------------------------------------------------- modularity
    ("modularity", "A modular square", |c| {
        c.claim(
            "(margin 0, the tight case)",
            c.m("theory_margin"),
            0.0,
            1e-3,
        );
        c.claim(
            "the trained code is modular",
            c.m("theory_modular"),
            1.0,
            0.0,
        );
        c.claim(
            "(the most-mixed angle is ≈ 0.002 rad)",
            c.m("max_mixing_angle"),
            0.002,
            0.001,
        );
    }),
    ("modularity", "A cut corner mixes", |c| {
        c.claim(
            "the margin is negative (≈ −0.36)",
            c.m("theory_margin"),
            -0.36,
            0.005,
        );
        c.claim(
            "grows a neuron at 45° (π/4)",
            c.m("max_mixing_angle"),
            std::f64::consts::FRAC_PI_4,
            0.01,
        );
        c.claim("(ρ ≈ −0.30)", c.m("source_correlation"), -0.30, 0.005);
    }),
    (
        "modularity",
        "Correlation vs range: diagonal oversampled (modular)",
        |c| {
            c.claim(
                "the sources are correlated (ρ ≈ 0.51)",
                c.m("source_correlation"),
                0.51,
                0.005,
            );
            c.claim(
                "cover the whole square (margin 0)",
                c.m("theory_margin"),
                0.0,
                1e-3,
            );
            c.claim("the code stays modular", c.m("max_mixing_angle"), 0.0, 0.01);
            c.claim("the code stays modular", c.m("theory_modular"), 1.0, 0.0);
        },
    ),
    (
        "modularity",
        "Correlation vs range: diagonal band (mixed)",
        |c| {
            let diagonal = c.other("Correlation vs range: diagonal oversampled (modular)");
            c.claim(
                "(ρ ≈ 0.35 against 0.51)",
                c.m("source_correlation"),
                0.35,
                0.005,
            );
            c.claim(
                "(ρ ≈ 0.35 against 0.51)",
                metric_of(&diagonal, "source_correlation"),
                0.51,
                0.005,
            );
            c.claim(
                "the margin is negative (≈ −0.39)",
                c.m("theory_margin"),
                -0.39,
                0.005,
            );
            c.claim(
                "the code mixes: a neuron at 45°",
                c.m("max_mixing_angle"),
                std::f64::consts::FRAC_PI_4,
                0.01,
            );
        },
    ),
    ("modularity", "The MLP autoencoder: a modular square", |c| {
        c.claim(
            "every active latent is tuned to one source",
            c.m("max_mixing_angle"),
            0.0,
            0.01,
        );
        c.claim("on the 21 × 21 grid", c.m("theory_modular"), 1.0, 0.0);
    }),
    (
        "modularity",
        "The MLP autoencoder: a cut corner mixes",
        |c| {
            c.claim("the theory says mixed", c.m("theory_modular"), 0.0, 0.0);
            c.claim(
                "a latent tunes to both sources at 45°",
                c.m("max_mixing_angle"),
                std::f64::consts::FRAC_PI_4,
                0.01,
            );
        },
    ),
    (
        "modularity",
        "The theory's boundary: sweep the leg L",
        |c| {
            let legs: Vec<f64> = c.points().iter().map(|p| p.coords[0]).collect();
            c.claim_that(
                "Ten legs from 0.1 to 1",
                legs.len() == 10 && legs[0] == 0.1 && legs[9] == 1.0,
                format!("{legs:?}"),
            );
            for &l in &legs {
                c.claim(
                    "(0.35 on the 21 × 21 grid, the metric theory_critical_leg",
                    c.pm(l, "theory_critical_leg"),
                    0.35,
                    0.005,
                );
                let margin = c.pm(l, "theory_margin");
                c.claim_that(
                    "the margin turns negative past the lattice's L_c",
                    if l < 0.35 {
                        margin > -1e-3
                    } else {
                        margin < -0.01
                    },
                    format!("L = {l}: {margin}"),
                );
            }
            let (fine, _) = c.variant(&[("grid_n", "61"), ("steps", "100")]);
            c.claim(
                "0.372 in the continuum",
                metric_of(&fine, "theory_critical_leg"),
                0.372,
                0.01,
            );
            let angle = |l: f64| c.pm(l, "max_mixing_angle");
            for &l in legs.iter().filter(|&&l| l <= 0.45) {
                c.claim("jumps from ≈ 0", angle(l), 0.0, 0.03);
            }
            for &l in legs.iter().filter(|&&l| l >= 0.55) {
                c.claim(
                    "to π/4 by L = 0.6",
                    angle(l),
                    std::f64::consts::FRAC_PI_4,
                    0.01,
                );
            }
            c.claim(
                "at L = 0.4 the network is still modular",
                angle(0.4),
                0.0,
                0.01,
            );
            c.claim_that(
                "at 0.5 slightly mixed",
                (0.03..0.3).contains(&angle(0.5)),
                format!("{}", angle(0.5)),
            );
            // The chart shows the margin: the headline axis is not log.
            let head = c
                .sweep_snapshot()
                .chart("sweep-headline")
                .expect("a headline chart");
            c.claim_that(
                "the margin turns negative",
                head.y_scale != Scale::Log,
                format!("{:?}", head.y_scale),
            );
        },
    ),
    // ------------------------------------------------------------- credit
    ("credit", "Feedback alignment on the linear task", |c| {
        let (_, fa) = c.series("angle_signal", "fa");
        let first = fa
            .iter()
            .copied()
            .find(|v| v.is_finite())
            .unwrap_or(f64::NAN);
        c.claim("falls from 90° to ≈ 30°", first, 90.0, 5.0);
        c.claim("falls from 90° to ≈ 30°", c.m("fa_angle_signal"), 30.0, 2.0);
        c.claim("(∠(Wᵀ, B) ≈ 33°)", c.m("fa_angle_wb"), 33.0, 1.0);
        let s = c.one();
        c.claim(
            "(step 750 against 1,950)",
            first_step_at_or_below(s, "nse", "fa", 0.1),
            750.0,
            0.0,
        );
        c.claim(
            "(step 750 against 1,950)",
            first_step_at_or_below(s, "nse", "bp", 0.1),
            1950.0,
            0.0,
        );
    }),
    ("credit", "DFA from a zero init", |c| {
        let (_, bp) = c.series("nse", "bp");
        c.claim_that(
            "it stays at NSE ≈ 1",
            bp.iter().all(|v| (v - 1.0).abs() < 0.05),
            format!("{bp:?}"),
        );
        c.claim("it stays at NSE ≈ 1", c.m("bp_loss"), 1.0, 0.01);
        c.claim("it learns (NSE ≈ 0.002)", c.m("dfa_loss"), 0.002, 0.0005);
        // Backprop's hidden layers stay 0: its CKA is NaN, and the chart says why.
        let cka = c.one().chart("cka").expect("a CKA chart");
        let ChartBody::Heatmap(map) = &cka.body else {
            panic!("CKA is a heatmap")
        };
        c.claim_that(
            "Backprop's hidden gradients are exactly 0",
            map.values[0].is_nan() && cka.note.contains("bp's last hidden layer is all zeros"),
            format!("{:?} / {}", map.values, cka.note),
        );
    }),
    ("credit", "Perturbation learning is slower", |c| {
        let cos = c.m("np_angle_update").to_radians().cos();
        let theory = (2.0 / (std::f64::consts::PI * 30.0)).sqrt();
        c.claim(
            "for node perturbation D = 30 perturbed units, a cosine ≈ 0.15",
            cos,
            theory,
            0.015,
        );
        c.claim(
            "for node perturbation D = 30 perturbed units, a cosine ≈ 0.15",
            cos,
            0.15,
            0.01,
        );
        c.claim(
            "(its update is ≈ 81° from backprop's)",
            c.m("np_angle_update"),
            81.0,
            1.0,
        );
        c.claim("backprop at η = 0.01", c.config.num("lr"), 0.01, 0.0);
        c.claim(
            "node perturbation at η/20",
            c.config.num("perturb_lr"),
            0.05,
            0.0,
        );
        let (bp_fast, _) = c.variant(&[("rules", "bp"), ("lr", "0.03")]);
        c.claim_that(
            "(0.03 diverges)",
            bp_fast.stopped.is_some(),
            "backprop at η = 0.03 did not stop".into(),
        );
        let (np_fast, _) = c.variant(&[("rules", "np"), ("perturb_lr", "0.1")]);
        c.claim_that(
            "(η/10 diverges)",
            np_fast.stopped.is_some(),
            "NP at η/10 did not stop".into(),
        );
        let s = c.one();
        let ratio = first_step_at_or_below(s, "nse", "np", 0.1)
            / first_step_at_or_below(s, "nse", "bp", 0.1);
        c.claim("it reaches NSE 0.1 about 8× later", ratio, 8.0, 1.5);
        c.claim("about the number of outputs", 10.0 / ratio, 1.0, 0.35);
        // The linear task's student is 30-20-10: 30·20 + 20 + 20·10 + 10.
        c.claim(
            "(D = 830)",
            (30 * 20 + 20 + 20 * 10 + 10) as f64,
            830.0,
            0.0,
        );
        let (wp, _) = c.variant(&[("rules", "wp")]);
        c.claim_that(
            "(it diverges at η/20)",
            wp.stopped.is_some(),
            "WP at η/20 did not stop".into(),
        );
    }),
];

/// The end value of every trajectory on the feedback lab's z(t) chart.
fn z_ends(s: &Snapshot) -> Vec<f64> {
    match &s.chart("z_t").expect("a z(t) chart").body {
        ChartBody::Lines { series } => series.iter().map(|t| *t.y.last().unwrap()).collect(),
        _ => panic!("z(t) is a line chart"),
    }
}

/// What a log y axis would hide or squash on `chart`: points ≤ 0 other than
/// a series' first, and a span of more than 12 decades above its floor.
fn log_axis_problems(chart: &Chart) -> Option<String> {
    if chart.y_scale != Scale::Log {
        return None;
    }
    let ys: Vec<&[f64]> = match &chart.body {
        ChartBody::Lines { series }
        | ChartBody::Scatter { series }
        | ChartBody::Profile { series, .. }
        | ChartBody::Bars { series, .. } => series.iter().map(|s| &s.y[..]).collect(),
        ChartBody::Band { series } => series
            .iter()
            .flat_map(|s| [&s.y[..], &s.lo[..], &s.hi[..]])
            .collect(),
        _ => return None,
    };
    let hidden: usize = ys
        .iter()
        .map(|y| {
            y.iter()
                .skip(1)
                .filter(|v| v.is_finite() && **v <= 0.0)
                .count()
        })
        .sum();
    if hidden > 0 {
        return Some(format!("{hidden} points ≤ 0 hidden on its log axis"));
    }
    let map = Map::of(Scale::Log, [], chart.y_floor);
    let shown: Vec<f64> = ys
        .iter()
        .flat_map(|y| y.iter())
        .filter_map(|&v| map.to_display(v))
        .collect();
    let (lo, hi) = shown
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &d| (a.min(d), b.max(d)));
    (hi - lo > 12.0).then(|| format!("its log axis spans {:.0} decades", hi - lo))
}

/// Presets whose texts are asserted, number by number, in a lab's own test
/// file (with the oracles of their models): (lab, title prefix, the file,
/// its text). The file must name the preset by that prefix, and the
/// preset's own check lives there, beside the model's other tests.
const CLAIMED_ELSEWHERE: &[(&str, &str, &str, &str)] = &[
    (
        "modularity",
        "RNN, (2π, e): one rhythm per neuron",
        "tests/modularity_rnn.rs",
        include_str!("modularity_rnn.rs"),
    ),
    (
        "modularity",
        "RNN, (2, 5): one rhythm per neuron",
        "tests/modularity_rnn.rs",
        include_str!("modularity_rnn.rs"),
    ),
    (
        "modularity",
        "RNN, the harmonic pair (2, 4) mixes",
        "tests/modularity_rnn.rs",
        include_str!("modularity_rnn.rs"),
    ),
    (
        "modularity",
        "ReLU RNN, the harmonic pair (2, 4)",
        "tests/modularity_rnn.rs",
        include_str!("modularity_rnn.rs"),
    ),
    (
        "modularity",
        "Teacher–student RNN: square sources",
        "tests/modularity_rnn.rs",
        include_str!("modularity_rnn.rs"),
    ),
    (
        "modularity",
        "Teacher–student RNN: a band cuts two corners",
        "tests/modularity_rnn.rs",
        include_str!("modularity_rnn.rs"),
    ),
    (
        "modularity",
        "Teacher–student RNN: both diagonals oversampled",
        "tests/modularity_rnn.rs",
        include_str!("modularity_rnn.rs"),
    ),
    (
        "modularity",
        "Entorhinal model: the reward anywhere",
        "tests/modularity_rnn.rs",
        include_str!("modularity_rnn.rs"),
    ),
    (
        "modularity",
        "Entorhinal model: a fixed reward, against a moving one",
        "tests/modularity_rnn.rs",
        include_str!("modularity_rnn.rs"),
    ),
    (
        "modularity",
        "Entorhinal model: sweep the fixed-reward share",
        "tests/modularity_rnn.rs",
        include_str!("modularity_rnn.rs"),
    ),
    (
        "lazy-rich",
        "Rich: the task manifolds untangle",
        "tests/glue_labs.rs",
        include_str!("glue_labs.rs"),
    ),
    (
        "lazy-rich",
        "Lazy: the task manifolds stay",
        "tests/glue_labs.rs",
        include_str!("glue_labs.rs"),
    ),
    (
        "lazy-rich",
        "GLUE capacity gain over α",
        "tests/glue_labs.rs",
        include_str!("glue_labs.rs"),
    ),
    (
        "capacity",
        "Correlated centres",
        "tests/glue_labs.rs",
        include_str!("glue_labs.rs"),
    ),
];

#[test]
fn every_preset_has_claims_and_every_claim_a_preset() {
    for (lab, prefix, file, text) in CLAIMED_ELSEWHERE {
        assert!(
            text.contains(&format!("\"{prefix}")),
            "{file} does not name the preset {lab} / {prefix}…"
        );
        assert!(
            labs::catalog()
                .iter()
                .any(|s| s.name == *lab && s.presets.iter().any(|p| p.title.starts_with(prefix))),
            "CLAIMED_ELSEWHERE names a preset that does not exist: {lab} / {prefix}…"
        );
    }
    let mut missing = Vec::new();
    let mut all = Vec::new();
    for spec in labs::catalog() {
        for p in &spec.presets {
            all.push((spec.name.clone(), p.title.clone()));
            let elsewhere = CLAIMED_ELSEWHERE
                .iter()
                .any(|(lab, prefix, _, _)| *lab == spec.name && p.title.starts_with(prefix));
            if !elsewhere
                && !CLAIMS
                    .iter()
                    .any(|(lab, title, _)| *lab == spec.name && *title == p.title)
            {
                missing.push(format!("{} / {}", spec.name, p.title));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "presets with no entry in CLAIMS (add one that asserts what the text says): {missing:#?}"
    );
    for (lab, title, _) in CLAIMS {
        assert!(
            all.iter().any(|(l, t)| l == lab && t == title),
            "CLAIMS names a preset that does not exist: {lab} / {title}"
        );
    }
    let mut fragments: Vec<String> = labs::catalog()
        .iter()
        .flat_map(|s| s.presets.iter().map(|p| p.fragment.clone()))
        .collect();
    let n = fragments.len();
    fragments.sort();
    fragments.dedup();
    assert_eq!(fragments.len(), n, "two presets are the same link");
}

/// Runs every preset (in parallel) and its checks; reports every failure.
#[test]
fn every_preset_says_what_its_run_shows() {
    let jobs: Vec<(Preset, Check)> = labs::catalog()
        .into_iter()
        .flat_map(|spec| {
            spec.presets.into_iter().filter_map(move |p| {
                let check = CLAIMS
                    .iter()
                    .find(|(lab, title, _)| *lab == spec.name && *title == p.title)?
                    .2;
                Some((p, check))
            })
        })
        .filter(|(p, _)| {
            std::env::var("CLAIMS_FILTER").map_or(true, |f| p.title.contains(f.as_str()))
        })
        .collect();
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 4);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some((preset, check)) = jobs.get(i) else {
                    break;
                };
                let outcome = catch_unwind(AssertUnwindSafe(|| {
                    let (config, run) = run_fragment(&preset.fragment);
                    let snapshot = match &run {
                        Run::One { snapshot, .. } | Run::Sweep { snapshot, .. } => snapshot,
                    };
                    assert!(
                        snapshot.stopped.is_none(),
                        "the run stopped: {:?}",
                        snapshot.stopped
                    );
                    for chart in &snapshot.charts {
                        if let Some(problem) = log_axis_problems(chart) {
                            panic!("chart {}: {problem}", chart.id);
                        }
                    }
                    check(&Ctx {
                        preset,
                        config,
                        run,
                    });
                }));
                if let Err(e) = outcome {
                    let why = e
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    failures
                        .lock()
                        .unwrap()
                        .push(format!("{}: {why}", preset.title));
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} preset(s) fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
