//! NeuroGeom: the geometry of neural representations, in the browser and on
//! the command line. One core drives both faces: a [`config::LabConfig`] goes
//! in, [`labs::Lab::step`] advances it, and a [`snapshot::Snapshot`] comes out.
//!
//! See `../shared/DESIGN.md` for the architecture and `../shared/SCIENCE.md`
//! for the formulas each module implements.

pub mod analyze;
pub mod batch;
pub mod changelog;
pub mod config;
pub mod data;
pub mod gemm;
pub mod labs;
pub mod linalg;
pub mod metrics;
pub mod nn;
pub mod params;
pub mod plot;
pub mod rng;
pub mod run;
pub mod share;
pub mod snapshot;
pub mod sort;
pub mod sweep;
pub mod version;

#[cfg(target_arch = "wasm32")]
pub mod web;
