//! Task generators for the labs. Each returns a [`Dataset`]: train and test
//! inputs (samples × features) and targets (samples × outputs), drawn from
//! the lab's seeded RNG in a fixed order.

pub mod context;
pub mod digits;
pub mod fetched;
pub mod files;
pub mod haxby;
pub mod latent;
pub mod manifolds;
pub mod mixture;
pub mod rhythms;
pub mod rooms;
pub mod sources;
pub mod teacher;
pub mod teacher_rnn;

use nalgebra::DMatrix;

/// Inputs and targets for training and testing.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    pub x_train: DMatrix<f64>,
    pub y_train: DMatrix<f64>,
    pub x_test: DMatrix<f64>,
    pub y_test: DMatrix<f64>,
    /// Class labels, for classification tasks (targets are then one-hot).
    pub labels: Option<Labels>,
    /// Context of each training sample, for the two-context task.
    pub train_context: Option<Vec<usize>>,
}

/// Class labels of the train and test samples.
#[derive(Clone, Debug, PartialEq)]
pub struct Labels {
    pub n_classes: usize,
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

/// One-hot targets (samples × classes) for integer labels.
pub fn one_hot(labels: &[usize], n_classes: usize) -> DMatrix<f64> {
    DMatrix::from_fn(labels.len(), n_classes, |i, c| {
        if labels[i] == c {
            1.0
        } else {
            0.0
        }
    })
}

/// SHA-256 of the bytes, in hex: the file hashes "Your data" records in its
/// links and the shipped data files' recorded hashes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
