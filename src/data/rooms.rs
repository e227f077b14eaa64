//! Rooms and walks for the entorhinal model of the modularity paper
//! (Dorrell, Hsu, …, Whittington, ICLR 2025, Fig. 4), as its code sets them
//! up (kylehkhsu/modular, `Grid_Warp_Train.ipynb` and `Grid_Warp_Plot.ipynb`):
//!
//! - A periodic room of [`SIDE`] × [`SIDE`] places. Place (x, y) has index
//!   x·3 + y (the code's `all_positions` order).
//! - Four actions move by (−1, 0), (+1, 0), (0, −1), (0, +1), wrapping
//!   round. A walk starts at (0, 0); action a_{t−1} takes place p_{t−1} to
//!   p_t. Actions are uniform and independent.
//! - Each room has a reward at one place: with probability `reward_fixed`
//!   at the fixed place (1, 1), else uniform over the 9 places.
//! - The network reads the reward's place (one-hot, 9) once, at t = 0.
//! - At every step it must read out the one-hot place (9) and the one-hot
//!   displacement to the reward, ((r_x − x) mod 3, (r_y − y) mod 3) (9):
//!   18 targets.
//! - **The evaluation set** (`Grid_Warp_Plot.ipynb`): a fixed walk through
//!   all 9 places (actions +x, +x, +y, +x, +x, +y, +x, +x), in every room
//!   the training law can give: all 9 reward places, or only the fixed one
//!   when `reward_fixed` = 1. The sources the metric reads are the place's
//!   index and the displacement's index as numbers 0..8, as there.

use nalgebra::DMatrix;

use crate::nn::rnn::{Recurrence, Sequences, NO_RECURRENCE};
use crate::rng::Rng;

/// The room's side L.
pub const SIDE: usize = 3;
/// Places per room, L².
pub const PLACES: usize = SIDE * SIDE;
/// The actions.
pub const ACTIONS: usize = 4;
/// The fixed reward place (1, 1).
pub const FIXED_REWARD: (usize, usize) = (1, 1);
/// The evaluation walk's actions (`steoreotyped_actions`, L = 3).
pub const TOUR: [usize; PLACES - 1] = [1, 1, 3, 1, 1, 3, 1, 1];

/// The move of an action.
fn step_of(a: usize) -> (isize, isize) {
    match a {
        0 => (-1, 0),
        1 => (1, 0),
        2 => (0, -1),
        _ => (0, 1),
    }
}

/// The place index x·L + y.
pub fn place_index(p: (usize, usize)) -> usize {
    p.0 * SIDE + p.1
}

/// The displacement index of ((r_x − x) mod L, (r_y − y) mod L).
pub fn displacement_index(p: (usize, usize), reward: (usize, usize)) -> usize {
    let d = |r: usize, x: usize| (r + SIDE - x) % SIDE;
    d(reward.0, p.0) * SIDE + d(reward.1, p.1)
}

/// The places of a walk from (0, 0) under `actions` (one place more than
/// actions).
pub fn walk(actions: &[usize]) -> Vec<(usize, usize)> {
    let mut p = (0usize, 0usize);
    let mut out = vec![p];
    for &a in actions {
        let (dx, dy) = step_of(a);
        let wrap = |v: usize, d: isize| ((v as isize + d).rem_euclid(SIDE as isize)) as usize;
        p = (wrap(p.0, dx), wrap(p.1, dy));
        out.push(p);
    }
    out
}

/// A batch of rooms and walks: the network's sequences (input at t = 0, the
/// action's matrix after), the 18 targets per step, and the two sources
/// (place index, displacement index) per step.
#[derive(Clone, Debug, PartialEq)]
pub struct RoomBatch {
    pub seq: Sequences,
    pub targets: Vec<DMatrix<f64>>,
    pub sources: Vec<DMatrix<f64>>,
}

impl RoomBatch {
    /// Every step's sources stacked (rows t·B + b), samples × 2.
    pub fn stacked_sources(&self) -> DMatrix<f64> {
        let b = self.seq.batch;
        DMatrix::from_fn(self.sources.len() * b, 2, |r, k| {
            self.sources[r / b][(r % b, k)]
        })
    }
}

/// The batch for given rewards (one per room) and actions (`actions[d]`, one
/// fewer than the steps, the same count in every room).
pub fn rooms(rewards: &[(usize, usize)], actions: &[Vec<usize>]) -> RoomBatch {
    let d_len = rewards.len();
    let t_len = actions.first().map_or(1, |a| a.len() + 1);
    let walks: Vec<Vec<(usize, usize)>> = actions.iter().map(|a| walk(a)).collect();
    let mut x = vec![None; t_len];
    x[0] = Some(DMatrix::from_fn(d_len, PLACES, |d, k| {
        if place_index(rewards[d]) == k {
            1.0
        } else {
            0.0
        }
    }));
    let index: Vec<Vec<usize>> = (0..t_len)
        .map(|t| {
            (0..d_len)
                .map(|d| {
                    if t == 0 {
                        NO_RECURRENCE
                    } else {
                        actions[d][t - 1]
                    }
                })
                .collect()
        })
        .collect();
    let mut targets = Vec::with_capacity(t_len);
    let mut sources = Vec::with_capacity(t_len);
    for t in 0..t_len {
        let mut y = DMatrix::zeros(d_len, 2 * PLACES);
        let mut s = DMatrix::zeros(d_len, 2);
        for (d, (w, &reward)) in walks.iter().zip(rewards).enumerate() {
            let p = w[t];
            let (pi, di) = (place_index(p), displacement_index(p, reward));
            y[(d, pi)] = 1.0;
            y[(d, PLACES + di)] = 1.0;
            s[(d, 0)] = pi as f64;
            s[(d, 1)] = di as f64;
        }
        targets.push(y);
        sources.push(s);
    }
    RoomBatch {
        seq: Sequences {
            x,
            recurrence: Recurrence::Indexed(index),
            batch: d_len,
        },
        targets,
        sources,
    }
}

/// A training batch: `n_rooms` rooms with walks of `steps` steps. Draws: the
/// actions (step by step, room by room, as the code's `[T, D]` array), then
/// each room's reward (a uniform draw against `reward_fixed`, then, if not
/// fixed, x and y).
pub fn training(n_rooms: usize, steps: usize, reward_fixed: f64, rng: &mut Rng) -> RoomBatch {
    let steps = steps.max(1);
    let mut actions = vec![Vec::with_capacity(steps - 1); n_rooms];
    for _ in 0..steps - 1 {
        for a in actions.iter_mut() {
            a.push(rng.below(ACTIONS));
        }
    }
    let rewards: Vec<(usize, usize)> = (0..n_rooms)
        .map(|_| {
            if rng.uniform() < reward_fixed {
                FIXED_REWARD
            } else {
                let x = rng.below(SIDE);
                (x, rng.below(SIDE))
            }
        })
        .collect();
    rooms(&rewards, &actions)
}

/// The evaluation set: the tour in every room the law can give (all 9
/// reward places in index order, or only the fixed one at
/// `reward_fixed` = 1).
pub fn evaluation(reward_fixed: f64) -> RoomBatch {
    let rewards: Vec<(usize, usize)> = if reward_fixed >= 1.0 {
        vec![FIXED_REWARD]
    } else {
        (0..PLACES).map(|k| (k / SIDE, k % SIDE)).collect()
    };
    let actions = vec![TOUR.to_vec(); rewards.len()];
    rooms(&rewards, &actions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tour_visits_every_place_once() {
        let mut seen: Vec<usize> = walk(&TOUR).into_iter().map(place_index).collect();
        seen.sort();
        assert_eq!(seen, (0..PLACES).collect::<Vec<_>>());
        // The code's positions for this tour, x then y.
        let w = walk(&TOUR);
        let xs: Vec<usize> = w.iter().map(|p| p.0).collect();
        let ys: Vec<usize> = w.iter().map(|p| p.1).collect();
        assert_eq!(xs, vec![0, 1, 2, 2, 0, 1, 1, 2, 0]);
        assert_eq!(ys, vec![0, 0, 0, 1, 1, 1, 2, 2, 2]);
    }

    #[test]
    fn evaluation_sources_cover_the_product_unless_fixed() {
        let e = evaluation(0.5);
        let s = e.stacked_sources();
        let mut pairs: Vec<(i64, i64)> = (0..s.nrows())
            .map(|i| (s[(i, 0)] as i64, s[(i, 1)] as i64))
            .collect();
        pairs.sort();
        pairs.dedup();
        assert_eq!(pairs.len(), 81);
        let f = evaluation(1.0).stacked_sources();
        assert_eq!(f.nrows(), 9);
        // One room with the reward at (1, 1): the displacement is a function
        // of the place; at the reward it is 0.
        for i in 0..9 {
            if f[(i, 0)] == 4.0 {
                assert_eq!(f[(i, 1)], 0.0);
            }
        }
        // Targets are two one-hots.
        for y in &e.targets {
            for d in 0..y.nrows() {
                let row: f64 = (0..18).map(|k| y[(d, k)]).sum();
                assert_eq!(row, 2.0);
            }
        }
    }
}
