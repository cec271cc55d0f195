//! Realistic, deterministic instance generator calibrated on shared/domain.md.

use crate::proto;

/// A named instance size and shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Preset {
    /// A handful of requests, checkable by hand.
    Tiny,
    /// A few dozen requests over two centres.
    Small,
    /// AMI Eure: 12 centres, 40 professionals, ~950 visits a week.
    AmiEureWeek,
    /// CIAMT: 26 centres, ~110 professionals, ~4,000 requests with backlog.
    CiamtWeek,
    /// A national platform: at least 40,000 requests.
    National,
}

/// Generates an instance of a preset; the same seed gives the same instance.
pub fn generate(preset: Preset, seed: u64) -> proto::Instance {
    let _ = (preset, seed);
    proto::Instance::default()
}
