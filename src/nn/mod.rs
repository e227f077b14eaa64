//! Models, learning rules and optimisers.

pub mod activation;
pub mod autoencoder;
pub mod bench;
pub mod contrastive;
pub mod credit;
pub mod linearised;
pub mod mlp;
pub mod optimizer;
pub mod rate_rnn;
pub mod rnn;

pub use activation::Activation;
pub use mlp::{Mlp, MlpSpec, Parametrisation};
