//! The recurrent models' presets. Each text states the numbers its own run
//! gives (seed 1), and `tests/modularity_rnn.rs` asserts them.
//!
//! What is shrunk from the paper's runs, so that each preset runs in well
//! under a minute in the page: the teacher–student student has 32 units,
//! batch 32 and 3,000 steps (the paper: 64, 128 and 60,001); the entorhinal
//! model trains for 5,000 steps (the paper's notebook shows 45,000 and
//! more), at the paper's 64 units, 10 rooms and walks of 25. The frequency
//! RNNs run at the paper's size (16 units, 20,000 steps).

use crate::labs::Preset;

/// The frequency RNNs: the paper's settings (lr 7.5e-4, 20,000 steps).
const FREQ: &str = "v=1&lab=modularity&seed=1&model=rnn_freq&hidden=16&lr=0.00075&steps=20000";
/// The teacher–student RNN, shrunk.
const TEACHER: &str =
    "v=1&lab=modularity&seed=1&model=rnn_teacher&hidden=32&batch=32&lr=0.002&steps=3000";
/// The entorhinal model, shrunk.
pub const GRID: &str =
    "v=1&lab=modularity&seed=1&model=rnn_grid&hidden=64&rooms=10&walk=25&lr=0.001&steps=5000";

/// A link value: '&' and '=' percent-encoded (a pinned run's fragment).
fn encoded(fragment: &str) -> String {
    fragment.replace('=', "%3D").replace('&', "%26")
}

pub fn presets() -> Vec<Preset> {
    let p = Preset::new;
    let grid_random = format!("{GRID}&reward_fixed=0");
    vec![
        p(
            "RNN, (2π, e): one rhythm per neuron",
            "A linear RNN of 16 units turns one pulse per period at 2π and at e into cos 2πt and cos et (the paper's Fig. 3 setting: orthogonal start, 200 steps of 0.1, 20,000 Adam steps). The two cosines' Lissajous curve fills the square, so the theory says modular, and the trained network's frequency modularity is 0.95: nearly all of each neuron's spectrum sits at one frequency.",
            &format!("{FREQ}&freqs=irrational"),
        ),
        p(
            "RNN, (2, 5): one rhythm per neuron",
            "The same linear RNN with cos 2t and cos 5t. Their Lissajous curve passes close to all four corners of the square: the theory says modular, and the frequency modularity is 0.88.",
            &format!("{FREQ}&freqs=rational"),
        ),
        p(
            "RNN, the harmonic pair (2, 4) mixes",
            "cos 4t = 2cos²2t − 1: the Lissajous curve of cos 2t and cos 4t is a parabola that leaves the square's two lower corners empty. The ellipse pokes out of the hull (margin −0.56), the theory says mixed, and the trained network's frequency modularity is 0.42: its neurons carry both rhythms (see the heat map of M).",
            &format!("{FREQ}&freqs=harmonic"),
        ),
        p(
            "ReLU RNN, the harmonic pair (2, 4)",
            "The paper's nonlinear setting: a ReLU RNN gets its pulses at 3 and 1 and must output cos 4t and cos 2t. The theory reads the same parabola (mixed); the trained network's frequency modularity is 0.49.",
            &format!("{FREQ}&freqs=harmonic&rnn_act=relu"),
        ),
        p(
            "Teacher–student RNN: square sources",
            "A 2-unit tanh teacher RNN visits states drawn uniformly from a square at every step; a ReLU student RNN (32 units, batch 32, 3,000 steps: shrunk from the paper's 64, 128 and 60,001) learns its readout from the same inputs. Sources: correlation −0.01, multi-information 0.01, theory modular. The student's linear conditional InfoM is 0.83.",
            &format!("{TEACHER}&dist=square"),
        ),
        p(
            "Teacher–student RNN: a band cuts two corners",
            "The teacher's states confined to the band |s1 − s2| ≤ 0.3 (on a range of 1): two corners cut, correlation 0.79, multi-information 0.11, theory mixed (margin −1.03). The student's ncmi_infom is 0.08, but at this correlation a perfectly modular code would score 0 on it (NCMI clipped at 1; 2/(1 + ρ²) − 1 = 0.23 without the clip): on these sources the metric cannot tell modular from mixed.",
            &format!("{TEACHER}&dist=band&leg=0.7"),
        ),
        p(
            "Teacher–student RNN: both diagonals oversampled",
            "Every teacher state forced into the two diagonal bands |s1 − s2| < 0.1 and |s1 + s2 − 1| < 0.1: the states are dependent (multi-information 0.15) but uncorrelated (ρ = −0.02), and their range is still the square's, so the theory says modular. The student's ncmi_infom is 0.82.",
            &format!("{TEACHER}&dist=x_diagonals&oversample=1"),
        ),
        p(
            "Entorhinal model: the reward anywhere",
            "A linear RNN of 64 units walks periodic 3 × 3 rooms (10 rooms with walks of 25 steps per Adam step, 5,000 steps: shrunk from the paper's 45,000 and more) and reads out its place and the displacement to the room's reward, which can sit anywhere. It reads both out exactly (accuracy 1.00). Every (place, displacement) pair occurs, so the two sources' range is a product (multi-information 0.00); the units' linear conditional InfoM is 0.65.",
            &grid_random,
        ),
        p(
            "Entorhinal model: a fixed reward, against a moving one",
            "The same model with the reward always at (1, 1): the displacement is now a function of the place (multi-information 0.31 over the one room's 9 places). Accuracy 1.00; the units' linear conditional InfoM is 0.58, against 0.65 for the pinned run whose reward moves (dashed).",
            &format!("{GRID}&reward_fixed=1&pin={}", encoded(&grid_random)),
        ),
        p(
            "Entorhinal model: sweep the fixed-reward share",
            "Five runs, the share of rooms with the reward at (1, 1) at 0, 0.25, 0.5, 0.75 and 1: ncmi_infom 0.65, 0.70, 0.69, 0.63 and 0.58, lowest when the reward never moves. At 0.75 the rooms with a moving reward are rare and not yet learned in 5,000 steps (accuracy 0.96).",
            &format!("{GRID}&sweep=reward_fixed:lin:0:1:5"),
        ),
    ]
}
