//! The URL fragment: round trips, warnings, and that no text makes it panic.

use neurogeom::labs;
use neurogeom::params::ParamValue;
use neurogeom::share::{parse_link, LabConfig};
use proptest::prelude::*;

#[test]
fn config_fragment_config_round_trip() {
    for spec in labs::catalog() {
        let mut c = LabConfig::defaults(&spec);
        c.seed = 1234567890123;
        // Only the keys this lab has (labs differ in their parameters).
        for (key, value) in [
            ("alpha", ParamValue::Num(0.1)),
            ("width", ParamValue::Num(37.0)),
            ("lr", ParamValue::Num(0.000123456789)),
            ("activation", ParamValue::Choice("tanh".into())),
        ] {
            if spec.param(key).is_some() {
                c.set(key, value);
            }
        }
        let (c, w) = labs::check(&c);
        assert!(w.is_empty(), "{w:?}");
        let back = parse_link(&format!(
            "http://127.0.0.1:8080/#{}",
            neurogeom::share::config_fragment(&c)
        ));
        assert!(back.warnings.is_empty(), "{:?}", back.warnings);
        assert_eq!(back.config, c);
        // The fragment alone, with or without '#', reads the same.
        assert_eq!(parse_link(&neurogeom::share::config_fragment(&c)).config, c);
        assert_eq!(
            parse_link(&format!("#{}", neurogeom::share::config_fragment(&c))).config,
            c
        );
    }
}

#[test]
fn every_preset_parses_cleanly() {
    for spec in labs::catalog() {
        for p in &spec.presets {
            let parsed = parse_link(&p.fragment);
            assert!(
                parsed.warnings.is_empty(),
                "{}: {:?}",
                p.title,
                parsed.warnings
            );
            assert_eq!(parsed.config.lab, spec.name);
        }
    }
}

#[test]
fn the_issue_example_parses() {
    let p = parse_link("#v=1&lab=lazy-rich&seed=7&alpha=0.1&width=128&steps=2000");
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    assert_eq!(p.config.seed, 7);
    assert_eq!(p.config.num("alpha"), 0.1);
    assert_eq!(p.config.int("width"), 128);
    assert_eq!(p.config.int("steps"), 2000);
}

#[test]
fn bad_fragments_warn_and_fall_back() {
    let p = parse_link(
        "#v=9&lab=lazy-rich&alpha=banana&width=-5&bogus=1&seed=-3&activation=sigmoid&noequals",
    );
    let w = p.warnings.join("\n");
    for needle in [
        "version",
        "alpha",
        "width",
        "bogus",
        "seed",
        "activation",
        "noequals",
    ] {
        assert!(w.contains(needle), "no warning about {needle}: {w}");
    }
    let spec = labs::spec("lazy-rich").unwrap();
    let defaults = LabConfig::defaults(&spec);
    assert_eq!(p.config.num("alpha"), defaults.num("alpha"));
    assert_eq!(p.config.int("width"), 2, "clamped to the minimum");
    assert_eq!(p.config.choice("activation"), defaults.choice("activation"));
    assert_eq!(p.config.seed, 1);

    let p = parse_link("#lab=no-such-lab&alpha=2");
    assert!(p.warnings[0].contains("unknown lab"));
    assert_eq!(p.config.lab, labs::default_spec().name);

    let p = parse_link("");
    assert!(p.warnings.is_empty());
    assert_eq!(p.config, LabConfig::defaults(&labs::default_spec()));
}

#[test]
fn checked_fills_defaults_and_clamps() {
    let spec = labs::spec("lazy-rich").unwrap();
    let mut c = LabConfig::defaults(&spec);
    c.params.clear();
    c.set("width", ParamValue::Num(1e9));
    c.set("nonsense", ParamValue::Num(1.0));
    let (checked, warnings) = labs::check(&c);
    assert_eq!(checked.int("width"), 1024);
    assert_eq!(checked.params.len(), spec.params.len());
    assert_eq!(warnings.len(), 2, "{warnings:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Any text at all: no panic, and the result is a checked configuration.
    #[test]
    fn arbitrary_text_never_panics(text in ".{0,200}") {
        let p = parse_link(&text);
        let (checked, w) = labs::check(&p.config);
        prop_assert!(w.is_empty(), "parse_link returned an unchecked config: {:?}", w);
        prop_assert_eq!(checked, p.config);
    }

    /// Fragments built from real keys with hostile values.
    #[test]
    fn hostile_values_never_panic(
        pairs in proptest::collection::vec(
            (prop_oneof![Just("v"), Just("lab"), Just("seed"), Just("alpha"), Just("width"), Just("steps"),
                         Just("activation"), Just("task"), Just("lr"), Just("depth"), Just("%"), Just("")],
             prop_oneof![".{0,30}", Just("NaN".to_string()), Just("inf".to_string()), Just("-inf".to_string()),
                         Just("1e308".to_string()), Just("-0".to_string()), Just("%FF%FE".to_string()),
                         Just("18446744073709551616".to_string()), Just("0x10".to_string())]),
            0..12)
    ) {
        let frag = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
        let p = parse_link(&format!("#{frag}"));
        for (k, v) in &p.config.params {
            if let ParamValue::Num(x) = v {
                prop_assert!(x.is_finite(), "{} = {}", k, x);
            }
        }
        // And what it gives round-trips.
        let again = parse_link(&neurogeom::share::config_fragment(&p.config));
        prop_assert!(again.warnings.is_empty(), "{:?}", again.warnings);
        prop_assert_eq!(again.config, p.config);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Any pinned text (a fragment with its own '&', '=', '%', '#', spaces,
    /// non-ASCII) survives link_fragment -> parse_link, next to a sweep.
    #[test]
    fn a_pin_survives_the_link(pin in "[^#\\s].{0,80}", seeds in 1u32..5) {
        let config = parse_link("v=1&lab=lazy-rich&width=8").config;
        let sweep = neurogeom::sweep::SweepSpec::parse("alpha:0.1,1;width:4,8")
            .unwrap()
            .with_seeds(seeds)
            .unwrap();
        let frag = neurogeom::share::link_fragment(&config, Some(&sweep), Some(&pin));
        let back = parse_link(&format!("#{frag}"));
        let want = pin.trim().trim_start_matches('#');
        if want.is_empty() {
            prop_assert!(back.pin.is_none());
        } else {
            prop_assert!(back.warnings.is_empty(), "{:?}", back.warnings);
            prop_assert_eq!(back.pin.as_deref(), Some(want));
        }
        prop_assert_eq!(back.seeds, seeds);
        prop_assert_eq!(back.sweep, Some(sweep));
        prop_assert_eq!(back.config, config);
    }
}

/// `ng=` records the version that made a link: it is not a parameter, not a
/// problem, and not part of the configuration.
#[test]
fn the_version_key_is_read_apart_from_the_configuration() {
    use neurogeom::share::with_version;
    use neurogeom::version::{NoteKind, VERSION};
    let plain = parse_link("#v=1&lab=lazy-rich&seed=7&alpha=0.1");
    assert_eq!(plain.made_with, None);
    assert_eq!(plain.version_note, None);
    let fragment = neurogeom::share::config_fragment(&plain.config);
    let versioned = with_version(&fragment);
    assert_eq!(versioned, format!("{fragment}&ng={VERSION}"));
    let same = parse_link(&versioned);
    assert_eq!(same.config, plain.config);
    assert!(same.warnings.is_empty(), "{:?}", same.warnings);
    assert_eq!(same.made_with.as_deref(), Some(VERSION));
    assert_eq!(same.version_note, None, "this very version needs no note");
    for (ng, kind) in [
        ("0.1.0", NoteKind::Older),
        ("1000.0.0", NoteKind::Newer),
        ("x.y", NoteKind::Malformed),
    ] {
        let p = parse_link(&format!("{fragment}&ng={ng}"));
        assert_eq!(p.config, plain.config, "{ng}");
        assert!(p.warnings.is_empty(), "{ng}: {:?}", p.warnings);
        assert_eq!(p.version_note.unwrap().kind, kind, "{ng}");
    }
    // Percent-encoded, and before other keys: the same reading.
    let p = parse_link("#v=1&ng=0.1.0%2Babc1234&lab=lazy-rich&seed=7&alpha=0.1");
    assert_eq!(p.made_with.as_deref(), Some("0.1.0+abc1234"));
    assert_eq!(p.config, plain.config);
}
