//! The lazy-rich lab against the oracles of SCIENCE.md §1: the α-scaling of
//! Chizat et al. (2019), Flesch et al.'s (2022) rich-vs-lazy directions, and
//! neural collapse in the terminal phase. Each runs with a fixed seed.

use neurogeom::labs;
use neurogeom::share::{parse_link, LabConfig};
use neurogeom::snapshot::{ChartBody, Snapshot};

fn config(fragment: &str) -> LabConfig {
    let p = parse_link(fragment);
    assert!(p.warnings.is_empty(), "{fragment}: {:?}", p.warnings);
    p.config
}

fn run(fragment: &str) -> Snapshot {
    let (s, warnings) = neurogeom::run::run_to_end(&config(fragment));
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(s.stopped.is_none(), "{fragment}: {:?}", s.stopped);
    s
}

fn metric(s: &Snapshot, key: &str) -> f64 {
    s.metric(key).unwrap_or_else(|| panic!("no metric {key}"))
}

/// The first recorded value of a metric (step 0), from its chart series.
fn initial(s: &Snapshot, label_key: &str) -> f64 {
    let label = s
        .metrics
        .iter()
        .find(|m| m.key == label_key)
        .unwrap()
        .label
        .clone();
    for c in &s.charts {
        if let ChartBody::Lines { series } = &c.body {
            if let Some(ser) = series.iter().find(|x| x.name == label) {
                return ser.y[0];
            }
        }
    }
    panic!("no series for {label_key}")
}

#[test]
fn result_does_not_depend_on_chunking() {
    let c =
        config("v=1&lab=lazy-rich&seed=5&steps=157&width=16&optimizer=sgd&batch=16&momentum=0.5");
    let (mut a, _) = labs::build(&c);
    a.step(157).unwrap();
    let (mut b, _) = labs::build(&c);
    for n in [1, 2, 3, 50, 7, 100] {
        b.step(n).unwrap();
    }
    assert_eq!(b.steps_done(), 157);
    let (sa, sb) = (
        neurogeom::run::snapshot(a.as_ref()),
        neurogeom::run::snapshot(b.as_ref()),
    );
    assert_eq!(sa, sb);
    assert_eq!(sa.hash.len(), 16);
}

#[test]
fn seeds_give_repeatable_and_distinct_results() {
    let a = run("v=1&lab=lazy-rich&seed=1&steps=50&width=16");
    let b = run("v=1&lab=lazy-rich&seed=1&steps=50&width=16");
    let c = run("v=1&lab=lazy-rich&seed=2&steps=50&width=16");
    assert_eq!(a.hash, b.hash);
    assert_ne!(a.hash, c.hash);
}

#[test]
fn training_reduces_the_loss_on_every_task() {
    for task in ["teacher", "context", "mixture"] {
        let s = run(&format!(
            "v=1&lab=lazy-rich&seed=3&task={task}&steps=400&width=64"
        ));
        let (first, last) = (initial(&s, "train_loss"), metric(&s, "train_loss"));
        assert!(last < 0.5 * first, "{task}: loss {first} -> {last}");
    }
}

#[test]
fn divergence_stops_the_run_with_a_message() {
    let c = config("v=1&lab=lazy-rich&seed=1&lr=10000&lr_scaling=none&steps=500&width=64");
    let (mut lab, _) = labs::build(&c);
    let err = lab.step(500).unwrap_err();
    assert!(err.to_string().contains("diverged"), "{err}");
    assert!(lab.is_done());
    let s = neurogeom::run::snapshot(lab.as_ref());
    assert!(s.stopped.unwrap().contains("learning rate"));
    assert!(lab.step(1).is_err(), "a stopped lab stays stopped");
}

/// Chizat et al. 2019: with the learning rate η/α², α·‖Δw‖/‖w₀‖ tends to a
/// constant as α grows, and the network tends to its linearisation.
#[test]
fn alpha_scaling_oracle() {
    let at = |alpha: f64| {
        run(&format!(
            "v=1&lab=lazy-rich&seed=4&task=teacher&width=100&n_train=100&alpha={alpha}&steps=1000"
        ))
    };
    let runs: Vec<(f64, Snapshot)> = [0.1, 1.0, 10.0, 100.0, 1000.0]
        .iter()
        .map(|&a| (a, at(a)))
        .collect();
    let scaled: Vec<f64> = runs.iter().map(|(_, s)| metric(s, "alpha_dw")).collect();
    let lin: Vec<f64> = runs.iter().map(|(_, s)| metric(s, "lin_rms")).collect();
    eprintln!("alpha·|dw|/|w0| = {scaled:?}\nrms(f - f_lin) = {lin:?}");
    // Constant within 20% for α ≥ 10.
    let big = &scaled[2..];
    let (lo, hi) = big
        .iter()
        .fold((f64::MAX, 0f64), |(l, h), &v| (l.min(v), h.max(v)));
    assert!(
        hi / lo < 1.2,
        "α·‖Δw‖/‖w₀‖ not constant for α ≥ 10: {big:?}"
    );
    // The linearised model, trained on its own residuals with η/α², has the
    // same training loss for every α (its function-space step is α-free).
    let lin_loss: Vec<f64> = runs
        .iter()
        .map(|(_, s)| metric(s, "lin_train_loss"))
        .collect();
    eprintln!("linearised train loss = {lin_loss:?}");
    for v in &lin_loss {
        assert!((v - lin_loss[0]).abs() < 1e-9 * lin_loss[0], "{lin_loss:?}");
    }
    // f_net → f_lin: monotone in α, and orders of magnitude apart.
    assert!(lin.windows(2).all(|w| w[1] < w[0]), "{lin:?}");
    assert!(lin[4] < lin[0] / 50.0 && lin[4] < 5e-3, "{lin:?}");
    // The lazy runs solve the task: the loss falls.
    for (a, s) in &runs[2..] {
        assert!(
            metric(s, "train_loss") < 0.5 * initial(s, "train_loss"),
            "α = {a}"
        );
    }
}

/// Flesch et al. 2022: small init std is rich, large is lazy. The two
/// presets are the paper's set-up (see their descriptions for the step sizes).
#[test]
fn flesch_rich_vs_lazy_directions() {
    let presets = labs::spec("lazy-rich").unwrap().presets;
    // Both presets' step sizes are past the linearised model's stability
    // bound (η·λ_max(K₀)·2/n > 2): the lab says so and the run goes on.
    let preset = |word: &str| {
        let p = presets.iter().find(|p| p.title.starts_with(word)).unwrap();
        let (s, warnings) = neurogeom::run::run_to_end(&config(&p.fragment));
        assert!(s.stopped.is_none(), "{word}: {:?}", s.stopped);
        assert!(
            warnings.len() == 1
                && warnings[0].starts_with(
                    "the linearised model diverges at this learning rate: η·λ_max(K₀)·2/n = "
                )
                && warnings[0].contains(" > 2;"),
            "{word}: {warnings:?}"
        );
        eprintln!("{word}: {}", warnings[0]);
        assert!(
            metric(&s, "lin_rms").is_nan(),
            "{word}: the diverged twin's distance is NaN"
        );
        let info = &s.metrics.iter().find(|m| m.key == "lin_rms").unwrap().info;
        assert!(info.contains("diverges at this learning rate"), "{info}");
        (s, warnings[0].clone())
    };
    let ((rich, rich_note), (lazy, _)) = (preset("Rich: Flesch"), preset("Lazy: Flesch"));
    // The figure of the report: λ_max(K₀) = 552 at the rich init,
    // 0.125 · 552 · 2/50 = 2.76.
    assert!(
        rich_note.contains("η·λ_max(K₀)·2/n = 2.76 > 2"),
        "{rich_note}"
    );
    let show = |s: &Snapshot| {
        format!(
            "dW_stim {:.4} dK {:.3} KTA {:.4}->{:.4} CKA {:.3} PR {:.2} excl {} dead {} acc {:.2} loss {:.2e}",
            metric(s, "dw_stim"), metric(s, "kernel_change"), initial(s, "kta"), metric(s, "kta"),
            metric(s, "cka_1"), metric(s, "pr_1"), metric(s, "exclusive_units"), metric(s, "dead_units"),
            metric(s, "train_acc"), metric(s, "train_loss")
        )
    };
    eprintln!("rich: {}\nlazy: {}", show(&rich), show(&lazy));
    assert!(metric(&rich, "dw_stim") > 100.0 * metric(&lazy, "dw_stim"));
    assert!(
        metric(&lazy, "dw_stim") < 0.05,
        "lazy stimulus weights barely move"
    );
    assert!(metric(&rich, "cka_1") < metric(&lazy, "cka_1"));
    let gain = |s: &Snapshot| metric(s, "kta") - initial(s, "kta");
    assert!(
        gain(&rich) > gain(&lazy),
        "KTA gain rich {} lazy {}",
        gain(&rich),
        gain(&lazy)
    );
    assert!(
        metric(&rich, "pr_1") < metric(&lazy, "pr_1"),
        "rich compresses"
    );
    assert!(metric(&rich, "exclusive_units") > metric(&lazy, "exclusive_units") + 20.0);
    // Both solve the task.
    for s in [&rich, &lazy] {
        assert_eq!(metric(s, "train_acc"), 1.0);
        assert!(metric(s, "train_loss") < 1e-2);
    }
}

/// Papyan et al. 2020: past zero training error, NC1–NC4 keep falling.
#[test]
fn neural_collapse_in_the_terminal_phase() {
    let preset = labs::spec("lazy-rich")
        .unwrap()
        .presets
        .into_iter()
        .find(|p| p.title.contains("collapse"))
        .unwrap();
    let c = config(&preset.fragment);
    let (mut lab, _) = labs::build(&c);
    // From the first sixth of the run (already at zero training error) to the end.
    let total = lab.total_steps();
    lab.step(total / 6).unwrap();
    let early = neurogeom::run::snapshot(lab.as_ref());
    lab.step(total).unwrap();
    let end = neurogeom::run::snapshot(lab.as_ref());
    assert_eq!(
        metric(&early, "train_acc"),
        1.0,
        "zero training error by a sixth of the run"
    );
    for key in ["nc1", "nc2_equinorm", "nc2_equiangular", "nc3"] {
        let (a, b) = (metric(&early, key), metric(&end, key));
        eprintln!("{key}: {a:.4e} -> {b:.4e}");
        assert!(b < a, "{key} did not fall: {a} -> {b}");
    }
    assert!(metric(&end, "nc1") < 0.8 * metric(&early, "nc1"));
    assert!(metric(&end, "nc3") < 0.5 * metric(&early, "nc3"));
    assert!(metric(&end, "nc4") <= metric(&early, "nc4"));
}

/// Self-supervised learning of latent structure (Farrell et al. 2023's last
/// point): InfoNCE on views that share the latents makes each latent more
/// linearly decodable than at init; the supervised twin does best.
#[test]
fn self_supervised_network_decodes_the_latents_better_than_at_init() {
    let preset = labs::spec("lazy-rich")
        .unwrap()
        .presets
        .into_iter()
        .find(|p| p.title.starts_with("Self-supervised"))
        .unwrap();
    for objective in ["infonce", "invariance"] {
        let fragment = if objective == "infonce" {
            preset.fragment.clone()
        } else {
            preset
                .fragment
                .replace("objective=infonce", "objective=invariance")
                .replace("lr=0.5", "lr=0.03")
        };
        let s = run(&fragment);
        for k in 1..=3 {
            let key = format!("r2_{k}");
            let (init, end, twin) = (
                initial(&s, &key),
                metric(&s, &key),
                metric(&s, &format!("r2_twin_{k}")),
            );
            eprintln!(
                "{objective} latent {k}: R² {init:.3} -> {end:.3} (supervised twin {twin:.3})"
            );
            assert!(end > init + 0.01, "{objective} latent {k}: {init} -> {end}");
            assert!(twin > 0.9, "supervised twin latent {k}: {twin}");
        }
        let (n0, n1) = (initial(&s, "r2_nuisance"), metric(&s, "r2_nuisance"));
        eprintln!("{objective} nuisance: R² {n0:.3} -> {n1:.3}");
        assert!(n1 < n0, "the nuisance the views do not share is discarded");
    }
}

/// Flesch et al.'s exclusive units count exact zeros of ReLU units: the
/// metric and its chart are hidden for tanh and linear units.
#[test]
fn exclusive_units_only_for_relu() {
    for (activation, shown) in [("relu", true), ("tanh", false), ("linear", false)] {
        let (s, _) = neurogeom::run::run_to_end(&config(&format!(
            "v=1&lab=lazy-rich&seed=1&task=context&activation={activation}&width=20&lr=0.01&lr_scaling=none&steps=20"
        )));
        assert!(s.stopped.is_none());
        assert_eq!(s.metric("exclusive_units").is_some(), shown, "{activation}");
        assert_eq!(s.chart("units").is_some(), shown, "{activation}");
    }
}

/// With two classes the centred means are ±(μ₁ − μ₂)/2: the means' NC2 is
/// NaN with the reason in its ⓘ, and the collapse chart does not draw it as
/// perfect collapse.
#[test]
fn two_class_collapse_says_nc2_of_the_means_is_undefined() {
    let s = run(
        "v=1&lab=lazy-rich&seed=1&task=mixture&classes=2&n_train=100&loss=ce&width=32&steps=30",
    );
    for key in ["nc2_equinorm", "nc2_equiangular"] {
        let m = s.metrics.iter().find(|m| m.key == key).unwrap();
        assert!(m.value.is_nan(), "{key} = {}", m.value);
        assert!(
            m.info.starts_with("Not defined for 2 classes"),
            "{}",
            m.info
        );
    }
    assert!(metric(&s, "nc2_equinorm_classifier").is_finite());
    let chart = s.chart("collapse").unwrap();
    let ChartBody::Lines { series } = &chart.body else {
        panic!("collapse is a line chart")
    };
    assert!(
        series.iter().all(|x| !x.name.contains("(means)")),
        "{series:?}"
    );
    assert!(series.iter().any(|x| x.name == "NC1"));
}

/// The learning-rule control (the credit lab's rules): backprop is the old
/// default bit for bit (hashes recorded before the control existed), and
/// every rule trains the teacher task. (The hashes are 0.2.0's: the shared
/// centred second moment changed the last bits of PR and CKA, CHANGELOG.md.)
#[test]
fn every_learning_rule_trains_the_teacher_task_and_backprop_is_the_old_default() {
    for (link, old_hash) in [
        ("v=1&lab=lazy-rich", "8ac1ad7594c11ae0"),
        ("v=1&lab=lazy-rich&seed=2&task=teacher&steps=400&width=64", "63c31a3931a4c0a5"),
        ("v=1&lab=lazy-rich&seed=2&task=teacher&steps=400&width=64&optimizer=sgd&batch=16&alpha=0.1", "9b39bd84c66db9cc"),
    ] {
        let hash = |l: &str| neurogeom::run::run_to_end(&config(l)).0.hash;
        assert_eq!(hash(link), old_hash, "{link}");
        assert_eq!(hash(&format!("{link}&rule=bp")), old_hash, "{link}");
    }
    // (rule and settings, the factor by which the training loss falls in
    // 1000 steps of full-batch GD; measured: bp ÷126, fa ÷30, dfa ÷30 (with
    // one hidden layer DFA is FA), dfa at depth 2 ÷26, np ÷10, wp ÷3).
    const RULES: [(&str, f64); 6] = [
        ("rule=bp&lr=0.5", 50.0),
        ("rule=fa&lr=0.5", 10.0),
        ("rule=dfa&lr=0.5", 10.0),
        ("rule=dfa&lr=0.5&depth=2", 10.0),
        ("rule=np&lr=0.05", 5.0),
        ("rule=wp&lr=0.005", 2.0),
    ];
    for (rule, factor) in RULES {
        let s = run(&format!(
            "v=1&lab=lazy-rich&seed=2&task=teacher&steps=1000&width=64&{rule}"
        ));
        let (start, end) = (initial(&s, "train_loss"), metric(&s, "train_loss"));
        eprintln!(
            "{rule}: train loss {start:.4} → {end:.5} (÷{:.0})",
            start / end
        );
        assert!(end < start / factor, "{rule}: {start} → {end}");
    }
}
