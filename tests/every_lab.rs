//! Tests every registered lab gets without writing them: they iterate over
//! [`labs::REGISTRY`], so a new lab (one file and one line in the registry)
//! is covered with no edit here.
//!
//! - its defaults build and run a few steps;
//! - every preset runs a short version of itself (steps capped), with the
//!   same hash twice and whatever the chunking of the steps;
//! - hostile fragments never panic, in the link parser or in the lab;
//! - the snapshot's JSON reads back to the same numbers bit for bit (NaN is
//!   written as `null` and read back as NaN), so the page draws and hashes
//!   what the core computed.

use neurogeom::config::LabConfig;
use neurogeom::labs::{self, LabSpec};
use neurogeom::params::{ParamKind, ParamValue};
use neurogeom::run;
use neurogeom::share::parse_link;
use neurogeom::snapshot::Snapshot;
use proptest::prelude::*;

/// Steps a short run takes: enough to move every metric off its initial
/// value, few enough that every preset of every lab runs in seconds.
const SHORT_STEPS: u64 = 6;

fn specs() -> Vec<LabSpec> {
    labs::catalog()
}

/// `config` with its `steps` parameter (if the lab has one) capped.
fn capped(mut config: LabConfig, steps: u64) -> LabConfig {
    if let Some(ParamValue::Num(x)) = config.params.get("steps") {
        let x = x.min(steps as f64);
        config.set("steps", ParamValue::Num(x));
    }
    config
}

/// Build `config` and advance it in the given chunks (stopping at
/// divergence, as the page does); the hashed snapshot.
fn run_in_chunks(config: &LabConfig, chunks: &[u64]) -> Snapshot {
    let (mut lab, _) = labs::build(config);
    for &n in chunks {
        if lab.is_done() || lab.step(n).is_err() {
            break;
        }
    }
    run::snapshot(lab.as_ref())
}

/// The snapshot through JSON and back: every number the same bits (NaN
/// stays NaN), and so the same hash.
fn assert_json_round_trip(what: &str, s: &Snapshot) {
    let text = serde_json::to_string(s).expect("a snapshot serialises");
    let back: Snapshot = serde_json::from_str(&text).expect("a snapshot reads back");
    let (a, b) = (s.numbers(), back.numbers());
    assert_eq!(a.len(), b.len(), "{what}: numbers lost in JSON");
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        assert!(
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
            "{what}: number {i} is {x:e} but reads back from JSON as {y:e} (±inf has no JSON form: hand out NaN)"
        );
    }
    assert_eq!(run::result_hash(&back), s.hash, "{what}: hash after JSON");
    assert_eq!(
        serde_json::to_string(&back).unwrap(),
        text,
        "{what}: JSON is not stable"
    );
}

#[test]
fn the_registry_is_sound() {
    let specs = specs();
    assert!(!specs.is_empty());
    let mut names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), specs.len(), "two labs share a name");
    for spec in &specs {
        let mut keys: Vec<&str> = spec.params.iter().map(|p| p.key.as_str()).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(
            keys.len(),
            spec.params.len(),
            "{}: duplicate parameter",
            spec.name
        );
        for reserved in ["v", "lab", "seed", "sweep", "seeds", "pin"] {
            assert!(
                spec.param(reserved).is_none(),
                "{}: '{reserved}' is a link key, not a parameter name",
                spec.name
            );
        }
        assert!(
            spec.param("steps").is_some(),
            "{}: no steps parameter",
            spec.name
        );
        // The defaults are a checked configuration.
        let d = LabConfig::defaults(spec);
        let (checked, w) = labs::check(&d);
        assert!(w.is_empty(), "{}: defaults warn: {w:?}", spec.name);
        assert_eq!(checked, d);
    }
}

#[test]
fn defaults_build_and_run_a_few_steps() {
    for spec in specs() {
        let config = LabConfig::defaults(&spec);
        let (mut lab, warnings) = labs::build(&config);
        assert!(warnings.is_empty(), "{}: {warnings:?}", spec.name);
        assert_eq!(lab.steps_done(), 0);
        assert!(lab.total_steps() > 0);
        lab.step(3)
            .unwrap_or_else(|e| panic!("{}: defaults diverge: {e}", spec.name));
        assert_eq!(lab.steps_done(), 3.min(lab.total_steps()), "{}", spec.name);
        let s = run::snapshot(lab.as_ref());
        assert_eq!(s.lab, spec.name);
        assert_eq!(s.step, lab.steps_done());
        assert!(s.stopped.is_none(), "{}", spec.name);
        assert!(!s.metrics.is_empty(), "{}: no metrics", spec.name);
        assert!(!s.charts.is_empty(), "{}: no charts", spec.name);
        // A sweep's headline chart draws the sweep metrics that its runs
        // report; a lab whose metrics depend on a list parameter (the credit
        // lab's `rules`) may name more than its defaults report, but the
        // defaults must report at least one.
        assert!(
            spec.sweep_metrics.is_empty()
                || spec.sweep_metrics.iter().any(|k| s.metric(k).is_some()),
            "{}: none of the sweep metrics {:?} is a metric of the default snapshot",
            spec.name,
            spec.sweep_metrics
        );
        let mut ids: Vec<&str> = s.charts.iter().map(|c| c.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(
            ids.len(),
            s.charts.len(),
            "{}: two charts share an id",
            spec.name
        );
        assert_json_round_trip(&spec.name, &s);
    }
}

#[test]
fn every_preset_runs_short_with_a_stable_hash_whatever_the_chunking() {
    for spec in specs() {
        for preset in &spec.presets {
            let what = format!("{} / {}", spec.name, preset.title);
            let parsed = parse_link(&preset.fragment);
            assert!(parsed.warnings.is_empty(), "{what}: {:?}", parsed.warnings);
            let config = capped(parsed.config, SHORT_STEPS);
            let whole = run_in_chunks(&config, &[SHORT_STEPS]);
            assert_eq!(whole.step, SHORT_STEPS.min(whole.total_steps), "{what}");
            let again = run_in_chunks(&config, &[SHORT_STEPS]);
            assert_eq!(whole.hash, again.hash, "{what}: two runs differ");
            let chunked = run_in_chunks(&config, &[1, 2, 3]);
            assert_eq!(
                whole.hash, chunked.hash,
                "{what}: step(1);step(2);step(3) ≠ step(6)"
            );
            // The end of a short run equals run_to_end of the same config
            // (when the capped steps are the whole run: a lab's steps may be
            // work units beyond the `steps` parameter).
            if whole.done {
                let (end, _) = run::run_to_end(&config);
                assert_eq!(end.hash, whole.hash, "{what}: run_to_end differs");
            }
            assert_json_round_trip(&what, &whole);
        }
    }
}

/// The cost model ([`labs::Work`]) the page's long-run estimate reads: for
/// the defaults and every preset (steps at their minimum, so that each runs
/// to its end), stepped one step at a time: work is finite, never
/// decreases, stays within 0 ≤ done ≤ total, grows with the steps, and
/// done == total at the end of a run that did not diverge. And every lab
/// says what its step is.
#[test]
fn every_lab_reports_its_work_consistently() {
    for spec in specs() {
        assert!(
            !spec.step_unit.name.is_empty() && spec.step_unit.help.ends_with('.'),
            "{}: step unit {:?}",
            spec.name,
            spec.step_unit
        );
        let configs = std::iter::once(("defaults".to_string(), LabConfig::defaults(&spec))).chain(
            spec.presets
                .iter()
                .map(|p| (p.title.clone(), parse_link(&p.fragment).config)),
        );
        for (title, config) in configs {
            let what = format!("{} / {title}", spec.name);
            let (mut lab, _) = labs::build(&capped(config, 1));
            let mut last = lab.work();
            assert!(
                last.done.is_finite() && last.total.is_finite() && last.total > 0.0,
                "{what}: {last:?}"
            );
            assert!(
                last.done >= 0.0 && last.done <= last.total,
                "{what}: {last:?} at the start"
            );
            let mut diverged = false;
            while !lab.is_done() {
                if lab.step(1).is_err() {
                    diverged = true;
                    break;
                }
                let w = lab.work();
                assert!(w.done.is_finite() && w.total.is_finite(), "{what}: {w:?}");
                assert!(
                    w.done >= last.done,
                    "{what}: work went back from {last:?} to {w:?}"
                );
                assert!(
                    w.done <= w.total * (1.0 + 1e-12),
                    "{what}: {w:?} at step {}",
                    lab.steps_done()
                );
                last = w;
            }
            if !diverged {
                assert!(last.done > 0.0, "{what}: no work done");
                assert!(
                    (last.done - last.total).abs() <= 1e-12 * last.total,
                    "{what}: at the end {last:?}"
                );
            }
        }
    }
}

/// Every numeric parameter at its minimum (the degenerate corner: one
/// hidden unit, the fewest samples, zero rates) still builds and steps.
#[test]
fn every_lab_survives_its_minimum_corner() {
    for spec in specs() {
        let mut config = LabConfig::defaults(&spec);
        for p in &spec.params {
            if let ParamKind::Number { min, .. } = p.kind {
                config.set(&p.key, ParamValue::Num(min));
            }
        }
        let config = capped(labs::check(&config).0, SHORT_STEPS);
        let s = run_in_chunks(&config, &[2, 4]);
        assert_json_round_trip(&format!("{} at its minima", spec.name), &s);
    }
}

/// Values that have broken parsers before, and arbitrary text. No huge
/// numbers here: they clamp to each parameter's maximum, which is valid
/// and merely slow (the parser test below covers them without building).
fn hostile_value() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,24}",
        Just("NaN".to_string()),
        Just("inf".to_string()),
        Just("-inf".to_string()),
        Just("-1e308".to_string()),
        Just("-0".to_string()),
        Just("0".to_string()),
        Just("1e-320".to_string()),
        Just("%FF%FE".to_string()),
        Just("0x10".to_string()),
        Just(",,,".to_string()),
        Just(";".to_string()),
    ]
}

/// A lab and a few of its own keys (plus link keys), each with a value.
fn hostile_fragment(value: BoxedStrategy<String>) -> impl Strategy<Value = String> {
    let specs = specs();
    (0..specs.len()).prop_flat_map(move |i| {
        let spec = &specs[i];
        let mut keys: Vec<String> = spec.params.iter().map(|p| p.key.clone()).collect();
        keys.extend(["v", "seed", "sweep", "seeds", "pin", "", "%"].map(String::from));
        let name = spec.name.clone();
        proptest::collection::vec((proptest::sample::select(keys), value.clone()), 0..6).prop_map(
            move |pairs| {
                let body: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("#v=1&lab={name}&{}", body.join("&"))
            },
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Parsing: no panic, a checked configuration that round-trips, for
    /// every lab, including huge values.
    #[test]
    fn hostile_fragments_parse_to_checked_configs(
        frag in hostile_fragment(prop_oneof![
            hostile_value(),
            Just("1e308".to_string()),
            Just("18446744073709551616".to_string()),
        ].boxed())
    ) {
        let p = parse_link(&frag);
        let (checked, w) = labs::check(&p.config);
        prop_assert!(w.is_empty(), "{}: unchecked config: {:?}", frag, w);
        prop_assert_eq!(&checked, &p.config);
        for (k, v) in &p.config.params {
            if let ParamValue::Num(x) = v {
                prop_assert!(x.is_finite(), "{}: {} = {}", frag, k, x);
            }
        }
        let again = parse_link(&neurogeom::share::config_fragment(&p.config));
        prop_assert!(again.warnings.is_empty(), "{:?}", again.warnings);
        prop_assert_eq!(again.config, p.config);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Building and stepping what a hostile fragment gives: no panic.
    #[test]
    fn hostile_fragments_build_and_step(frag in hostile_fragment(hostile_value().boxed())) {
        let config = capped(parse_link(&frag).config, 2);
        let s = run_in_chunks(&config, &[1, 1]);
        prop_assert!(s.step <= 2);
        assert_json_round_trip(&frag, &s);
    }
}
