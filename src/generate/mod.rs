//! Realistic, deterministic instance generator calibrated on shared/domain.md.
//!
//! Every preset is built in two passes: capacity first ([`capacity`]: centres, rooms,
//! professionals, vacations, absences), then demand sized on it ([`demand`]: member
//! companies and visit requests), so that the requests exceed the capacity by 20 to 40 %
//! (capacity in visits = minutes of the vacations not cancelled by an absence /
//! [`MINUTES_PER_VISIT`]). One ChaCha8 stream per seed, ordered collections only: the same
//! seed gives the same instance on every platform.

mod capacity;
mod demand;
mod presets;

use crate::proto;
use chrono::{Days, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

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

/// Average minutes of one visit used to turn vacation minutes into visits (domain.md §3:
/// 25-30 minutes a visit).
pub const MINUTES_PER_VISIT: f64 = 28.0;

/// Days in the generated horizon (Monday to Friday).
pub const HORIZON_DAYS: u32 = 5;

/// First day of every generated horizon, a Monday ("YYYY-MM-DD").
pub const HORIZON_START: &str = "2026-11-30";

/// The horizon start as a date.
fn start_date() -> NaiveDate {
    // The constant is a valid date; the fallback only keeps the code free of panics.
    NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default()
}

/// "YYYY-MM-DD" of a day offset from the horizon start (negative: before it).
fn date(offset: i64) -> String {
    let start = start_date();
    let d = if offset >= 0 {
        start.checked_add_days(Days::new(offset as u64))
    } else {
        start.checked_sub_days(Days::new(offset.unsigned_abs()))
    };
    d.unwrap_or(start).format("%Y-%m-%d").to_string()
}

/// Day offset of a date from the horizon start.
fn offset_of(d: NaiveDate) -> i64 {
    (d - start_date()).num_days()
}

/// Rounds `x` up or down at random so that the expectation is `x` (x >= 0).
fn random_round(rng: &mut ChaCha8Rng, x: f64) -> u32 {
    let floor = x.floor();
    let up = rng.random_bool((x - floor).clamp(0.0, 1.0));
    floor as u32 + u32::from(up)
}

/// Picks an index with probability proportional to its weight (weights not all zero).
fn weighted_index(rng: &mut ChaCha8Rng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut u = rng.random::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if u < *w {
            return i;
        }
        u -= w;
    }
    weights.len().saturating_sub(1)
}

/// Lower-case ASCII slug of a display name, for ids ("Gare de Lyon" → "gare-de-lyon").
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let c = match c {
            'é' | 'è' | 'ê' | 'ë' | 'É' => 'e',
            'à' | 'â' => 'a',
            'ô' => 'o',
            'î' | 'ï' => 'i',
            'ù' | 'û' => 'u',
            'ç' => 'c',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// Generates an instance of a preset; the same seed gives the same instance.
pub fn generate(preset: Preset, seed: u64) -> proto::Instance {
    let spec = presets::spec(preset);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let cap = capacity::build(&spec, &mut rng);
    let dem = demand::build(&spec, &cap, &mut rng);
    proto::Instance {
        name: format!("{} seed {seed}", spec.label),
        horizon: Some(proto::Horizon {
            start_date: HORIZON_START.to_string(),
            days: HORIZON_DAYS,
        }),
        centres: cap.centres,
        professionals: cap.professionals,
        vacations: cap.vacations,
        absences: cap.absences,
        companies: dem.companies,
        requests: dem.requests,
        policy: None,
    }
}

/// Capacity of a generated instance in visits: minutes of its vacations that no absence
/// cancels, over [`MINUTES_PER_VISIT`]. The generator sizes the demand on it.
pub fn capacity_visits(instance: &crate::model::Instance) -> f64 {
    let minutes: u64 = instance
        .vacations
        .iter()
        .filter(|v| !v.cancelled)
        .map(|v| u64::from(v.minutes()))
        .sum();
    minutes as f64 / MINUTES_PER_VISIT
}

#[cfg(test)]
mod tests;
