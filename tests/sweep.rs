//! Sweeps on a tiny lazy-rich config: the one-axis lines, the seed band,
//! the two-axis heatmaps, and a hash that depends neither on the order in
//! which points arrive, nor on JSON, nor on the number of threads.

use neurogeom::config::LabConfig;
use neurogeom::labs;
use neurogeom::params::ParamValue;
use neurogeom::share::{link_fragment, parse_link};
use neurogeom::snapshot::{ChartBody, Scale};
use neurogeom::sweep::{self, SweepPoint, SweepSpec};

/// A lazy-rich run of a few milliseconds.
fn tiny() -> LabConfig {
    parse_link("v=1&lab=lazy-rich&seed=3&width=8&n_train=16&steps=40").config
}

fn run(spec: &SweepSpec, base: &LabConfig, threads: usize) -> Vec<SweepPoint> {
    sweep::run_native(&spec.runs(base).unwrap(), threads, |_, _| {})
}

/// The page sends each point from its worker as JSON and builds the sweep
/// from the parsed points, in the order they finish; the hash must equal
/// the CLI's, which never leaves f64. Includes a diverging run (NaN and inf
/// values).
#[test]
fn points_survive_json_and_any_order() {
    let base = tiny();
    for text in [
        "alpha:log:0.01:1000:5",
        "lr:0.5,10000",
        "alpha:0.1,10;width:4,8",
    ] {
        let spec = SweepSpec::parse(text).unwrap().with_seeds(2).unwrap();
        let points = run(&spec, &base, 2);
        if text.starts_with("lr") {
            assert!(points[2].stopped.is_some(), "lr = 10000 diverges");
        }
        let json = serde_json::to_string(&points).unwrap();
        let back: Vec<SweepPoint> = serde_json::from_str(&json).unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), json, "{text}");
        let direct = sweep::snapshot(&spec, &base, &points).unwrap();
        assert!(direct.done);
        let mut reversed = back.clone();
        reversed.reverse();
        let via_json = sweep::snapshot(&spec, &base, &reversed).unwrap();
        assert_eq!(direct.hash, via_json.hash, "{text}");
        // The sweep snapshot itself survives JSON too (the page draws it).
        let text_snap = serde_json::to_string(&direct).unwrap();
        let snap_back: neurogeom::snapshot::Snapshot = serde_json::from_str(&text_snap).unwrap();
        assert_eq!(serde_json::to_string(&snap_back).unwrap(), text_snap);
        // A partial sweep is not done, and has another hash.
        let partial = sweep::snapshot(&spec, &base, &points[1..]).unwrap();
        assert!(!partial.done);
        assert_eq!(partial.step + 1, partial.total_steps);
        assert_ne!(partial.hash, direct.hash);
    }
}

#[test]
fn each_run_is_the_single_run_of_its_config() {
    let base = tiny();
    let spec = SweepSpec::parse("alpha:0.1,10;width:4,8")
        .unwrap()
        .with_seeds(2)
        .unwrap();
    let points = run(&spec, &base, 2);
    let mut single = base.clone();
    single.set("alpha", ParamValue::Num(10.0));
    single.set("width", ParamValue::Num(4.0));
    single.seed = base.seed + 1;
    let (s, _) = neurogeom::run::run_to_end(&single);
    let i = spec.index_of(&[10.0, 4.0], 1).unwrap();
    assert_eq!(points[i].hash, s.hash);
    assert_eq!(points[i].coords, vec![10.0, 4.0]);
}

#[test]
fn one_axis_over_seeds_draws_the_mean_and_the_seed_band() {
    let base = tiny();
    let spec = SweepSpec::parse("alpha:10,0.1,1")
        .unwrap()
        .with_seeds(3)
        .unwrap();
    let points = run(&spec, &base, 2);
    let s = sweep::snapshot(&spec, &base, &points).unwrap();
    let head = s.chart("sweep-headline").unwrap();
    let ChartBody::Band { series } = &head.body else {
        panic!("a seed sweep draws bands, not {:?}", head.body)
    };
    let loss = series.iter().find(|b| b.name.contains("loss")).unwrap();
    assert_eq!(
        loss.x,
        vec![0.1, 1.0, 10.0],
        "ascending, whatever the listed order"
    );
    for (j, &alpha) in loss.x.iter().enumerate() {
        // Independently: the three seeds' final train loss, by running them.
        let seeds: Vec<f64> = (0..3)
            .map(|k| {
                let mut c = base.clone();
                c.set("alpha", ParamValue::Num(alpha));
                c.seed = base.seed + k;
                neurogeom::run::run_to_end(&c)
                    .0
                    .metric("train_loss")
                    .unwrap()
            })
            .collect();
        let mean = (seeds[0] + seeds[1] + seeds[2]) / 3.0;
        assert_eq!(loss.y[j], mean, "alpha = {alpha}");
        assert_eq!(loss.lo[j], seeds.iter().cloned().fold(f64::MAX, f64::min));
        assert_eq!(loss.hi[j], seeds.iter().cloned().fold(f64::MIN, f64::max));
        assert!(loss.lo[j] < loss.hi[j], "the seeds differ");
    }
    // Every line chart of the runs becomes a band chart too.
    assert!(s.charts.len() > 1);
    assert!(s
        .charts
        .iter()
        .all(|c| matches!(c.body, ChartBody::Band { .. })));
    // One seed keeps the line charts.
    let one = SweepSpec::parse("alpha:10,0.1,1").unwrap();
    let s1 = sweep::snapshot(&one, &base, &run(&one, &base, 2)).unwrap();
    assert!(matches!(
        s1.chart("sweep-headline").unwrap().body,
        ChartBody::Lines { .. }
    ));
}

#[test]
fn two_axes_draw_a_heatmap_per_headline_metric() {
    let base = tiny();
    let spec = SweepSpec::parse("alpha:log:0.01:100:3;width:list:8,4")
        .unwrap()
        .with_seeds(2)
        .unwrap();
    let points = run(&spec, &base, 2);
    let s = sweep::snapshot(&spec, &base, &points).unwrap();
    let headline = labs::spec("lazy-rich").unwrap().sweep_metrics;
    let ids: Vec<&str> = s.charts.iter().map(|c| c.id.as_str()).collect();
    // GLUE's gain is a headline metric only of runs with glue=on (off here,
    // and by default): no heatmap for a metric the runs do not have.
    let want: Vec<String> = headline
        .iter()
        .filter(|k| !k.starts_with("glue_"))
        .map(|k| format!("sweep-heatmap-{k}"))
        .collect();
    assert_eq!(ids, want);
    let c = s.chart("sweep-heatmap-train_loss").unwrap();
    assert_eq!((c.x_scale, c.y_scale), (Scale::Log, Scale::Linear));
    let ChartBody::Heatmap(h) = &c.body else {
        panic!()
    };
    // The runs draw the loss on a log axis: so does the phase diagram's colour.
    assert_eq!(h.value_scale, Scale::Log);
    assert_eq!((h.rows, h.cols), (2, 3));
    assert_eq!(h.x_values, vec![0.01, 1.0, 100.0]);
    assert_eq!(
        h.y_values,
        vec![8.0, 4.0],
        "the largest y in row 0, at the top"
    );
    for (r, &width) in h.y_values.iter().enumerate() {
        for (col, &alpha) in h.x_values.iter().enumerate() {
            let of = |k: u32| {
                let i = spec.index_of(&[alpha, width], k).unwrap();
                points[i].metric("train_loss")
            };
            assert_eq!(h.values[r * h.cols + col], (of(0) + of(1)) / 2.0);
        }
    }
    // Cells of runs not finished are NaN.
    let partial = sweep::snapshot(&spec, &base, &points[2..]).unwrap();
    let ChartBody::Heatmap(h) = &partial.chart("sweep-heatmap-train_loss").unwrap().body else {
        panic!()
    };
    // Runs 0 and 1 are alpha = 0.01, width = 8: row 0, column 0.
    assert!(h.values[0].is_nan());
    assert!(h.values[1].is_finite());
}

#[test]
fn points_off_the_grid_or_twice_are_refused() {
    let base = tiny();
    let spec = SweepSpec::parse("alpha:0.1,1").unwrap();
    let mut points = run(&spec, &base, 1);
    let twice = vec![points[0].clone(), points[0].clone()];
    assert!(sweep::snapshot(&spec, &base, &twice)
        .unwrap_err()
        .contains("two points"));
    points[1].coords = vec![0.5];
    assert!(sweep::snapshot(&spec, &base, &points)
        .unwrap_err()
        .contains("not a run"));
    points[1].coords = vec![1.0];
    points[1].seed_index = 1;
    assert!(sweep::snapshot(&spec, &base, &points).is_err());
}

#[test]
fn the_hash_does_not_depend_on_the_thread_count() {
    let base = tiny();
    let spec = SweepSpec::parse("alpha:0.1,1,10;width:4,8").unwrap();
    let hashes: Vec<String> = [1, 2, 5]
        .iter()
        .map(|&t| {
            sweep::snapshot(&spec, &base, &run(&spec, &base, t))
                .unwrap()
                .hash
        })
        .collect();
    assert_eq!(hashes[0], hashes[1]);
    assert_eq!(hashes[0], hashes[2]);
}

#[test]
fn links_carry_two_axes_seeds_and_a_pin() {
    let base = tiny();
    let spec = SweepSpec::parse("alpha:log:0.01:1000:9;width:list:32,64,128,256")
        .unwrap()
        .with_seeds(3)
        .unwrap();
    let pin = "v=1&lab=lazy-rich&seed=1&alpha=100&width=32";
    let frag = link_fragment(&base, Some(&spec), Some(pin));
    assert!(
        frag.contains("&sweep=alpha:log:0.01:1000:9;width:list:32,64,128,256&seeds=3&pin=v%3D1%26lab%3Dlazy-rich"),
        "{frag}"
    );
    let back = parse_link(&format!("http://127.0.0.1:8080/#{frag}"));
    assert!(back.warnings.is_empty(), "{:?}", back.warnings);
    assert_eq!(back.config, base);
    assert_eq!(back.sweep.as_ref(), Some(&spec));
    assert_eq!(back.seeds, 3);
    assert_eq!(back.pin.as_deref(), Some(pin));
    // The pinned run's own fragment reads as a link of its own.
    let pinned = parse_link(back.pin.as_deref().unwrap());
    assert!(pinned.warnings.is_empty());
    assert_eq!(pinned.config.num("alpha"), 100.0);
    // Old links keep working: no seeds, no pin.
    let old = parse_link("#v=1&lab=lazy-rich&width=8&sweep=alpha:0.1,1,10");
    assert!(old.warnings.is_empty(), "{:?}", old.warnings);
    assert_eq!((old.seeds, old.pin.clone()), (1, None));
    assert_eq!(old.sweep.unwrap().axes[0].values, vec![0.1, 1.0, 10.0]);
    // Seeds without a sweep are kept (the CLI's --sweep uses them), quietly.
    let p = parse_link("#seeds=4");
    assert!(p.warnings.is_empty() && p.seeds == 4 && p.sweep.is_none());
    // Bad seeds and too many runs: a warning each.
    for (frag, needle) in [
        ("#sweep=alpha:0.1,1&seeds=0", "seeds"),
        ("#sweep=alpha:0.1,1&seeds=x", "seeds"),
        ("#sweep=alpha:lin:1:2:30;width:lin:2:40:20", "400"),
        (
            "#sweep=alpha:lin:1:2:20;width:lin:2:40:10&seeds=3",
            "600 runs",
        ),
        ("#pin=", "pin"),
    ] {
        let p = parse_link(frag);
        assert!(
            p.warnings.join(" ").contains(needle),
            "{frag}: {:?}",
            p.warnings
        );
    }
}

/// A sweep point with the given headline metrics (and no line charts).
fn point_with(coord: f64, metrics: &[(&str, f64)]) -> SweepPoint {
    SweepPoint {
        coords: vec![coord],
        seed_index: 0,
        hash: format!("{coord}"),
        stopped: None,
        metrics: metrics
            .iter()
            .map(|&(key, value)| neurogeom::snapshot::Metric {
                key: key.into(),
                label: key.into(),
                value,
                info: String::new(),
            })
            .collect(),
        finals: vec![],
    }
}

/// Issue 17 §3: the headline chart's y axis fits its data. The modularity
/// sweep's margin turns negative (a log axis showed "17 points ≤ 0 not
/// shown"): linear. Weight change over six decades: log. The same with a
/// value ≤ 0: symlog, so no point is lost. A two-axis phase diagram of a
/// loss over decades is coloured on a log scale.
#[test]
fn the_headline_axis_fits_its_data() {
    let base = LabConfig::defaults(&labs::spec("modularity").unwrap());
    let spec = SweepSpec::parse("leg:list:0.1,0.4,0.7,1").unwrap();
    let margin = [0.0, -0.035, -0.5, -0.79];
    let angle = [0.0018, 0.0013, 0.785, 0.785];
    let points: Vec<SweepPoint> = spec.axes[0]
        .values
        .iter()
        .enumerate()
        .map(|(i, &l)| {
            point_with(
                l,
                &[("theory_margin", margin[i]), ("max_mixing_angle", angle[i])],
            )
        })
        .collect();
    let s = sweep::snapshot(&spec, &base, &points).unwrap();
    let head = s.chart("sweep-headline").unwrap();
    assert_eq!(head.y_scale, Scale::Linear);
    let svg = neurogeom::plot::chart_svg(head, 560, 360).unwrap();
    assert!(!svg.contains("not shown"), "every margin is drawn");

    let base = LabConfig::defaults(&labs::spec("lazy-rich").unwrap());
    let spec = SweepSpec::parse("alpha:list:0.01,1,1000").unwrap();
    let at = |dw: [f64; 3]| -> Vec<SweepPoint> {
        spec.axes[0]
            .values
            .iter()
            .zip(dw)
            .map(|(&a, d)| point_with(a, &[("dw_1", d), ("train_loss", 1e-3)]))
            .collect()
    };
    let head = |dw| {
        sweep::snapshot(&spec, &base, &at(dw))
            .unwrap()
            .chart("sweep-headline")
            .unwrap()
            .y_scale
    };
    assert_eq!(head([74.0, 0.08, 1e-4]), Scale::Log);
    assert_eq!(head([74.0, 0.08, 0.0]), Scale::Symlog);

    let spec = SweepSpec::parse("alpha:list:0.1,10;width:list:4,8").unwrap();
    let losses = [1e-4, 3e-3, 0.05, 0.3];
    let points: Vec<SweepPoint> = (0..4)
        .map(|i| {
            let (coords, _) = spec.coords_of(i);
            SweepPoint {
                coords,
                ..point_with(0.0, &[("train_loss", losses[i])])
            }
        })
        .collect();
    let s = sweep::snapshot(&spec, &base, &points).unwrap();
    let ChartBody::Heatmap(h) = &s.chart("sweep-heatmap-train_loss").unwrap().body else {
        panic!("a heatmap")
    };
    assert_eq!(h.value_scale, Scale::Log, "3.5 decades of loss");
}
