//! The credit-assignment lab against the oracles of SCIENCE.md §2, each with
//! a fixed seed: feedback alignment on the linear task (Lillicrap et al.
//! 2016), DFA from a zero init (Nøkland 2016), and the slowness of node
//! perturbation (Werfel, Xie & Seung 2005). The rules' gradients themselves
//! (finite differences, B = Wᵀ, the σ → 0 limit, the √(2/(πD)) cosine) are
//! checked in `src/nn/credit/tests.rs`.

use neurogeom::labs::credit::CreditLab;
use neurogeom::labs::{self, Lab as _};
use neurogeom::nn::credit::Rule;
use neurogeom::share::{parse_link, LabConfig};
use neurogeom::snapshot::{ChartBody, Snapshot};

fn config(fragment: &str) -> LabConfig {
    let p = parse_link(fragment);
    assert!(p.warnings.is_empty(), "{fragment}: {:?}", p.warnings);
    let (c, warnings) = labs::check(&p.config);
    assert!(warnings.is_empty(), "{warnings:?}");
    c
}

fn trained(fragment: &str) -> CreditLab {
    let mut lab = CreditLab::new(&config(fragment));
    let total = lab.total_steps();
    lab.step(total)
        .unwrap_or_else(|e| panic!("{fragment}: {e}"));
    lab
}

fn metric(s: &Snapshot, key: &str) -> f64 {
    s.metric(key).unwrap_or_else(|| panic!("no metric {key}"))
}

/// The mean of the finite values of a recorded series over the steps in
/// [from, to].
fn mean_between(trace: &(Vec<f64>, Vec<f64>), from: f64, to: f64) -> f64 {
    let v: Vec<f64> = trace
        .0
        .iter()
        .zip(&trace.1)
        .filter(|(x, y)| **x >= from && **x <= to && y.is_finite())
        .map(|(_, y)| *y)
        .collect();
    v.iter().sum::<f64>() / v.len() as f64
}

/// The first recorded step at which a series is below `level`.
fn first_below(trace: &(Vec<f64>, Vec<f64>), level: f64) -> Option<f64> {
    trace
        .0
        .iter()
        .zip(&trace.1)
        .find(|(_, y)| **y < level)
        .map(|(x, _)| *x)
}

const FA_LINEAR: &str = "v=1&lab=credit&seed=1&task=linear&rules=bp,fa&lr=0.001&steps=2000";

#[test]
fn feedback_alignment_learns_the_linear_task_and_aligns_with_b() {
    let lab = trained(FA_LINEAR);
    let s = neurogeom::run::snapshot(&lab);
    let signal = lab.trace(Rule::FeedbackAlignment, "angle_signal").unwrap();
    // Recorded every 10 steps: the first window is steps 1–10.
    let start = signal.1[1];
    let late = mean_between(&signal, 1000.0, 2000.0);
    let nse = lab.trace(Rule::FeedbackAlignment, "nse").unwrap();
    let (nse0, nse_end) = (nse.1[0], *nse.1.last().unwrap());
    eprintln!(
        "FA linear: ∠(Be,Wᵀe) steps 1-10 {start:.1}°, at step 100 {:.1}°, mean over 300-2000 {:.1}°, over 1000-2000 {late:.1}°; NSE {nse0:.3} → {nse_end:.2e}; fa_angle_update {:.1}, fa_angle_wb {:.1}",
        signal.1[10],
        mean_between(&signal, 300.0, 2000.0),
        metric(&s, "fa_angle_update"),
        metric(&s, "fa_angle_wb"),
    );
    assert!((80.0..=100.0).contains(&start), "starts near 90°: {start}");
    assert!(late < 60.0, "late mean {late}");
    assert!((15.0..=45.0).contains(&late), "typically 20–45°: {late}");
    assert!(nse_end < 0.1 * nse0, "NSE {nse0} → {nse_end}");
    // In the linear task the hidden update is B e xᵀ vs Wᵀe xᵀ: the same angle.
    assert!((metric(&s, "fa_angle_update") - metric(&s, "fa_angle_signal")).abs() < 1e-9);

    // Backprop's control: the same B, never used, stays at 90° ± 5° from Wᵀe
    // and from the readout.
    let bp_signal = lab.trace(Rule::Backprop, "angle_signal").unwrap();
    let bp_wb = lab.trace(Rule::Backprop, "angle_wb").unwrap();
    let (m_signal, m_wb) = (
        mean_between(&bp_signal, 0.0, 2000.0),
        mean_between(&bp_wb, 0.0, 2000.0),
    );
    eprintln!("BP control: mean ∠(Be,Wᵀe) {m_signal:.1}°, mean ∠(W,B) {m_wb:.1}°");
    assert!((m_signal - 90.0).abs() < 5.0, "{m_signal}");
    assert!((m_wb - 90.0).abs() < 5.0, "{m_wb}");
    assert_eq!(metric(&s, "bp_angle_update"), 0.0);
}

#[test]
fn dfa_learns_from_a_zero_init_and_backprop_does_not() {
    let lab = trained(
        "v=1&lab=credit&seed=1&task=teacher&rules=bp,dfa&init_scale=0&lr=0.05&batch=10&steps=3000",
    );
    let s = neurogeom::run::snapshot(&lab);
    let (dfa, bp) = (metric(&s, "dfa_loss"), metric(&s, "bp_loss"));
    let angles = lab
        .trace(Rule::DirectFeedbackAlignment, "angle_update")
        .unwrap();
    let max_angle = angles
        .1
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    eprintln!("DFA from zero: dfa_loss {dfa:.2e}, bp_loss {bp:.4}, dfa_angle_update {:.1}°, max window angle {max_angle:.1}°", metric(&s, "dfa_angle_update"));
    assert!(dfa < 0.01, "DFA NSE {dfa}");
    // Backprop from zero: every hidden gradient is exactly 0, only the output
    // bias moves, so the NSE stays at 1 (up to the test set's mean).
    assert!((bp - 1.0).abs() < 0.02, "BP NSE {bp}");
    assert!(max_angle < 90.0, "{max_angle}");
}

#[test]
fn node_perturbation_is_slower_by_about_the_number_of_outputs() {
    // Each rule near its largest stable rate: backprop at η = 0.01 (0.03
    // diverges), node perturbation at η/20 (η/10 diverges).
    let lab =
        trained("v=1&lab=credit&seed=1&task=linear&rules=bp,np&lr=0.01&perturb_lr=0.05&steps=3000");
    let t_bp = first_below(&lab.trace(Rule::Backprop, "nse").unwrap(), 0.1).unwrap();
    let t_np = first_below(&lab.trace(Rule::NodePerturbation, "nse").unwrap(), 0.1).unwrap();
    eprintln!(
        "NSE < 0.1: BP at step {t_bp}, NP at step {t_np}, ratio {:.1} (10 outputs)",
        t_np / t_bp
    );
    assert!((4.0..=25.0).contains(&(t_np / t_bp)), "{t_bp} {t_np}");
    // At backprop's rate node perturbation blows up, and the lab says so.
    let mut lab = CreditLab::new(&config(
        "v=1&lab=credit&seed=1&task=linear&rules=bp,np&lr=0.01&steps=3000",
    ));
    let err = lab.step(3000).unwrap_err().to_string();
    assert!(err.contains("Node perturbation"), "{err}");
}

#[test]
fn a_rule_trains_the_same_alone_or_beside_others() {
    let alone = trained("v=1&lab=credit&seed=3&task=teacher&rules=fa&steps=300&batch=4&lr=0.01");
    let together = trained("v=1&lab=credit&seed=3&task=teacher&rules=bp,fa,dfa,np,wp&steps=300&batch=4&lr=0.01&perturb_lr=0.01");
    for id in ["nse", "angle_update", "angle_signal", "angle_wb"] {
        let (a, b) = (
            alone.trace(Rule::FeedbackAlignment, id).unwrap(),
            together.trace(Rule::FeedbackAlignment, id).unwrap(),
        );
        assert_eq!(format!("{a:?}"), format!("{b:?}"), "{id}");
    }
}

#[test]
fn snapshot_keys_and_chunking() {
    let c = config("v=1&lab=credit&seed=2&task=mixture&rules=bp,fa,dfa,np,wp&cost=ce&steps=157&batch=8&lr=0.05&perturb_lr=0.01&local=classifier");
    let (mut a, _) = labs::build(&c);
    a.step(157).unwrap();
    let (mut b, _) = labs::build(&c);
    for n in [1, 2, 3, 50, 7, 100] {
        b.step(n).unwrap();
    }
    let (sa, sb) = (
        neurogeom::run::snapshot(a.as_ref()),
        neurogeom::run::snapshot(b.as_ref()),
    );
    // Step 0 has no angle yet (NaN, never equal to itself): compare the
    // printed form and the hash.
    assert_eq!(sa.hash, sb.hash);
    assert!(
        format!("{sa:?}") == format!("{sb:?}"),
        "chunked run differs"
    );
    for r in ["bp", "fa", "dfa", "np", "wp"] {
        assert!(sa.metric(&format!("{r}_loss")).unwrap().is_finite());
        assert!(sa.metric(&format!("{r}_angle_update")).is_some());
    }
    for r in ["fa", "dfa"] {
        assert!(sa.metric(&format!("{r}_angle_wb")).unwrap().is_finite());
    }
    assert!(sa.metric("bp_angle_wb").is_none());
    let cka = sa.chart("cka").unwrap();
    match &cka.body {
        ChartBody::Heatmap(h) => {
            assert_eq!((h.rows, h.cols), (5, 5));
            for i in 0..5 {
                assert!((h.values[i * 5 + i] - 1.0).abs() < 1e-9);
            }
        }
        _ => panic!("cka is a heatmap"),
    }
    assert!(matches!(
        sa.chart("pr").unwrap().body,
        ChartBody::Profile { .. }
    ));
    assert!(matches!(
        sa.chart("nc").unwrap().body,
        ChartBody::Bars { .. }
    ));
}

#[test]
fn local_costs_and_cross_entropy_train_the_mixture() {
    for local in ["none", "classifier", "reconstruction"] {
        let s = neurogeom::run::run_to_end(&config(&format!(
            "v=1&lab=credit&seed=4&task=mixture&rules=bp,fa&cost=ce&local={local}&lr=0.05&batch=16&steps=1500"
        )))
        .0;
        let (bp, fa) = (metric(&s, "bp_accuracy"), metric(&s, "fa_accuracy"));
        eprintln!("mixture, local={local}: accuracy bp {bp:.3}, fa {fa:.3}");
        assert!(bp > 0.7 && fa > 0.7, "{local}: {bp} {fa}");
    }
}

/// Each rule's part run alone (as the page's part workers do), `steps` steps
/// or to its end, then combined.
fn parts_then_combine(c: &LabConfig, steps: Option<u64>) -> Snapshot {
    let states: Vec<Vec<f64>> = labs::parts(c)
        .iter()
        .map(|p| {
            let (mut lab, _) = labs::build(p);
            let n = steps.unwrap_or(lab.total_steps());
            let _ = lab.step(n);
            lab.part_state()
        })
        .collect();
    assert!(states.len() >= 2);
    neurogeom::run::combine(c, &states).unwrap()
}

#[test]
fn parts_then_combine_equal_the_single_run_bit_for_bit() {
    for (link, pause) in [
        // Every rule, local costs, the mixture task (accuracy, NC charts).
        ("v=1&lab=credit&seed=2&task=mixture&rules=bp,fa,dfa,np,wp&cost=ce&steps=157&batch=8&lr=0.05&perturb_lr=0.01&local=classifier", None),
        // Paused parts at one common step.
        ("v=1&lab=credit&seed=3&task=teacher&rules=bp,fa,dfa&steps=400&batch=4&lr=0.01", Some(123)),
        // Node perturbation diverges (a loss that is not finite) while
        // backprop goes on: the run stops where its first part stops.
        ("v=1&lab=credit&seed=1&task=linear&rules=bp,np&lr=0.01&steps=3000", None),
        // A loss that is not finite, between recording steps (every 1000):
        // backprop's part ran on to step 3000 and is run again.
        ("v=1&lab=credit&seed=1&task=linear&rules=bp,fa,np&lr=0.01&steps=200000", Some(3000)),
        // A huge test error (found at a recording step) stops the run.
        ("v=1&lab=credit&seed=1&task=linear&rules=bp,fa,wp&lr=0.01&steps=2000", None),
    ] {
        let c = config(link);
        let (mut single, _) = labs::build(&c);
        let _ = single.step(pause.unwrap_or(single.total_steps()));
        let single = neurogeom::run::snapshot(single.as_ref());
        let combined = parts_then_combine(&c, pause);
        eprintln!("{link}: step {}, stopped {:?}", single.step, single.stopped);
        assert_eq!(single.hash, combined.hash, "{link}");
        assert_eq!(format!("{single:?}"), format!("{combined:?}"), "{link}");
        if pause.is_none() {
            let threaded = neurogeom::run::run_parts_then_combine(&c).unwrap().unwrap();
            assert_eq!(threaded.hash, neurogeom::run::run_to_end(&c).0.hash);
            let (cli, _) = neurogeom::run::run_to_end_parallel(&c);
            assert_eq!(format!("{cli:?}"), format!("{single:?}"));
        }
    }
    // A part that ran past the others' common step is run again to it.
    let c = config("v=1&lab=credit&seed=3&task=teacher&rules=bp,fa&steps=400&batch=4&lr=0.01");
    let parts = labs::parts(&c);
    let states: Vec<Vec<f64>> = parts
        .iter()
        .zip([200, 400])
        .map(|(p, n)| {
            let (mut lab, _) = labs::build(p);
            lab.step(n).unwrap();
            lab.part_state()
        })
        .collect();
    assert_eq!(
        neurogeom::run::combine(&c, &states).unwrap().hash,
        neurogeom::run::run_to_end(&c).0.hash
    );
    // Malformed states are refused, never a panic.
    assert!(neurogeom::run::combine(&c, &[vec![1.0, 2.0]]).is_err());
    assert!(neurogeom::run::combine(&c, &[vec![f64::NAN; 40]]).is_err());
    // Labs that do not split have no parts; one rule is one part: no split.
    assert!(labs::parts(&config("v=1&lab=credit&rules=fa")).is_empty());
    assert!(labs::parts(&config("v=1&lab=lazy-rich")).is_empty());
}

/// Under backprop B is never used, so by the symmetry B → −B the control
/// angles are 90° on average over B. For one B they are not 90° ± 5°: late
/// in training the error lives in the task's few slowest directions, and the
/// mean of ∠(Be, Wᵀe) over those settles at 90° plus a chance offset (seeds
/// 1–6 with FA's single B gave 101, 87, 101, 86, 82, 91°; 16 draws still
/// gave 84° at seed 4). The lab averages the control over 64 random B's,
/// which brings it within 90° ± 5° at every seed.
#[test]
fn backprop_control_angles_stay_at_90_degrees_at_every_seed() {
    for seed in 1..=8 {
        let lab = trained(&format!(
            "v=1&lab=credit&seed={seed}&task=linear&rules=bp&lr=0.001&steps=5000"
        ));
        let s = neurogeom::run::snapshot(&lab);
        let signal = lab.trace(Rule::Backprop, "angle_signal").unwrap();
        let wb = lab.trace(Rule::Backprop, "angle_wb").unwrap();
        let late = metric(&s, "bp_angle_signal");
        let whole = mean_between(&signal, 0.0, 5000.0);
        let wb_end = *wb.1.last().unwrap();
        let wb_max = wb.1.iter().map(|a| (a - 90.0).abs()).fold(0.0, f64::max);
        eprintln!("seed {seed}: BP control ∠(Be,Wᵀe) late {late:.1}°, whole run {whole:.1}°; ∠(W,B) end {wb_end:.1}°, max |∠ − 90°| {wb_max:.1}°");
        for a in [late, whole, wb_end] {
            assert!((a - 90.0).abs() < 5.0, "seed {seed}: {a}");
        }
        assert!(wb_max < 5.0, "seed {seed}: {wb_max}");
    }
}

#[test]
fn deeper_networks_report_the_feedback_angle_of_every_hidden_layer() {
    let lab =
        trained("v=1&lab=credit&seed=1&task=teacher&rules=bp,fa,dfa&lr=0.01&batch=10&steps=3000");
    let s = neurogeom::run::snapshot(&lab);
    for r in ["fa", "dfa"] {
        let (h1, h2) = (
            metric(&s, &format!("{r}_angle_wb_1")),
            metric(&s, &format!("{r}_angle_wb_2")),
        );
        eprintln!("{r}: ∠(W, B) per hidden layer: h1 {h1:.1}°, h2 {h2:.1}°");
        // The top layer's is the rule's ∠(Wᵀ, B), bit for bit.
        assert_eq!(h2, metric(&s, &format!("{r}_angle_wb")));
        // Both layers' forward weights have come to align with their B.
        assert!(h1 < 80.0 && h2 < 80.0, "{r}: {h1} {h2}");
    }
    assert!(s.metric("bp_angle_wb_1").is_none());
    assert!(s.chart("angle_wb_layers").is_some());
    // One hidden layer: only the top angle, no per-layer chart.
    let s = neurogeom::run::snapshot(&trained(
        "v=1&lab=credit&seed=1&task=linear&rules=fa&steps=200",
    ));
    assert!(s.metric("fa_angle_wb").is_some() && s.metric("fa_angle_wb_1").is_none());
    assert!(s.chart("angle_wb_layers").is_none());
}

/// The legend entries of an SVG chart: (name, colour of the swatch drawn
/// just before the name), for the names `wanted` accepts.
fn legend_colours(svg: &str, wanted: impl Fn(&str) -> bool) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = svg;
    let mut offset = 0;
    while let Some(i) = rest.find("<text") {
        let start = offset + i;
        let after = &svg[start..];
        let body = after.find('>').map(|j| &after[j + 1..]).unwrap_or("");
        let name = body.split("</text>").next().unwrap_or("").trim();
        if wanted(name) {
            // The swatch: the last stroke or fill colour before the name.
            let before = &svg[..start];
            let colour = ["stroke=\"#", "fill=\"#"]
                .iter()
                .filter_map(|k| {
                    before
                        .rfind(k)
                        .map(|p| (p, &before[p + k.len()..p + k.len() + 6]))
                })
                .max_by_key(|(p, _)| *p)
                .map(|(_, c)| c.to_string())
                .unwrap_or_default();
            out.push((name.to_string(), colour));
        }
        offset = start + 5;
        rest = &svg[offset..];
    }
    out
}

/// Where the last legend entry's name ends: the plot is drawn after it.
fn last_legend_end(svg: &str) -> usize {
    let mut end = 0;
    let mut from = 0;
    while let Some(i) = svg[from..].find("<text") {
        let start = from + i;
        let close = svg[start..]
            .find("</text>")
            .map_or(svg.len(), |j| start + j + 7);
        let name = svg[start..close]
            .split('>')
            .nth(1)
            .unwrap_or("")
            .split('<')
            .next()
            .unwrap_or("")
            .trim();
        if is_rule_name(name) {
            end = close;
        }
        from = close;
    }
    end
}

fn is_rule_name(name: &str) -> bool {
    Rule::ALL.iter().any(|r| name == r.key()) || name.starts_with("bp (control")
}

/// Issue 17 §5: a rule has one colour on every chart (fa is not blue on the
/// chart backprop is missing from), its control series takes its colour,
/// two runs with different rules agree, every legend entry has a line in
/// its colour, and a series with nothing to draw has no legend entry.
#[test]
fn every_rule_has_one_colour_on_every_chart_of_every_run() {
    use std::collections::BTreeMap;
    let runs = [
        "v=1&lab=credit&seed=1&task=linear&rules=bp,fa,dfa,np&lr=0.001&perturb_lr=0.05&steps=300",
        "v=1&lab=credit&seed=1&task=linear&rules=fa,np&lr=0.001&perturb_lr=0.05&steps=300",
        "v=1&lab=credit&seed=1&task=teacher&rules=bp,dfa&init_scale=0&lr=0.05&batch=10&steps=300",
    ];
    let mut colours: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for link in runs {
        let (s, _) = neurogeom::run::run_to_end(&config(link));
        for chart in &s.charts {
            let svg = neurogeom::plot::chart_svg(chart, 800, 500).unwrap();
            if matches!(chart.body, ChartBody::Heatmap(_)) {
                continue; // its rule names are tick labels, not a legend
            }
            // The header (title, legend) is drawn first: what follows the
            // last legend name is the plot.
            let plot = &svg[last_legend_end(&svg)..];
            for (name, colour) in legend_colours(&svg, is_rule_name) {
                // Drawn: the plot has an element in its colour.
                assert!(
                    plot.contains(&format!("\"#{colour}\"")),
                    "{link} / {}: '{name}' has a legend entry but no line",
                    chart.id
                );
                let key = name.split(" (").next().unwrap().to_string();
                colours
                    .entry(key)
                    .or_default()
                    .push(format!("{colour} ({} of {link})", chart.id));
            }
            if link.contains("init_scale=0") && chart.id.starts_with("angle_") {
                assert!(
                    !svg.contains("bp (control"),
                    "{}: bp's control has nothing to draw",
                    chart.id
                );
            }
        }
    }
    let mut seen: Vec<&str> = Vec::new();
    for (rule, cs) in &colours {
        let first = &cs[0][..6];
        assert!(
            cs.iter().all(|c| &c[..6] == first),
            "{rule} in several colours: {cs:#?}"
        );
        assert!(!seen.contains(&first), "two rules share colour #{first}");
        seen.push(first);
    }
    assert_eq!(
        colours.keys().collect::<Vec<_>>(),
        ["bp", "dfa", "fa", "np"]
    );
}

/// The CKA heatmap names its cells by rule, spans [0, 1], and says why a
/// cell is NaN.
#[test]
fn the_cka_heatmap_names_rules_on_a_unit_scale() {
    let (s, _) = neurogeom::run::run_to_end(&config(
        "v=1&lab=credit&seed=1&task=teacher&rules=bp,dfa&init_scale=0&lr=0.05&batch=10&steps=300",
    ));
    let cka = s.chart("cka").unwrap();
    let ChartBody::Heatmap(map) = &cka.body else {
        panic!("CKA is a heatmap")
    };
    assert_eq!(map.x_labels, ["bp", "dfa"]);
    assert_eq!(map.value_range, Some([0.0, 1.0]));
    assert!(map.values[0].is_nan() && map.values[3] > 0.99);
    assert!(
        cka.note.starts_with("bp's last hidden layer is all zeros"),
        "{}",
        cka.note
    );
    let svg = neurogeom::plot::chart_svg(cka, 600, 400).unwrap();
    for tick in [
        ">\nbp\n</text>",
        ">\ndfa\n</text>",
        ">\n0.0\n</text>",
        ">\n1.0\n</text>",
    ] {
        assert!(svg.contains(tick), "{tick}");
    }
    assert!(!svg.contains(">\n1.4\n</text>") && !svg.contains(">\n1.2\n</text>"));
}
