//! Representation metrics: pure functions of matrices (samples × features,
//! numpy's layout), used on trained networks and uploaded data alike.

pub mod alignment;
pub mod capacity;
pub mod collapse;
pub mod covariance;
pub mod decoding;
pub mod dimensionality;
pub mod eigen;
pub mod frequency_modularity;
pub mod lazy_rich;
pub mod mean_field;
pub mod modularity;
pub mod roots;
pub mod similarity;
pub mod stability;
