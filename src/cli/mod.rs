//! Subcommands of the CLI and the file handling they share.

pub mod bench;
pub mod generate;
pub mod render;
pub mod reoptimize;
pub mod serve;
pub mod solve;
pub mod validate;

use anyhow::Context;
use convoplan::model::{self, Instance};
use convoplan::proto;
use std::path::Path;

/// Reads and validates an instance file (canonical protobuf JSON).
pub fn read_instance(path: &Path) -> anyhow::Result<(proto::Instance, Instance)> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading instance {}", path.display()))?;
    let wire = model::parse_instance_json(&text)
        .with_context(|| format!("parsing instance {}", path.display()))?;
    let instance = Instance::from_proto(&wire)
        .with_context(|| format!("validating instance {}", path.display()))?;
    Ok((wire, instance))
}

/// Parses `--time-limit`: a positive, finite number of seconds.
pub fn seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(t) if t.is_finite() && t > 0.0 => Ok(t),
        _ => Err(format!("{text:?} is not a positive number of seconds")),
    }
}

/// The CLI's `--time-limit` replaces the instance's own limit (`policy.solver.
/// timeLimitSeconds`), longer or shorter: whoever runs the command asks for that long, and
/// editing the instance to give a solve more time is no way to work. (A gRPC call's
/// deadline only ever shortens the policy's.)
pub fn set_time_limit(instance: &mut Instance, limit: Option<f64>) {
    if let Some(t) = limit {
        instance.settings.time_limit_seconds = t;
    }
}

/// Where a component of a decomposed solve stopped, as table cells: its first class left
/// short (without the "L1 " of its stage), the count reached, and the LP bound ("-" when
/// none); `None` when its level 1 is proven.
pub fn short_cells(c: &proto::ComponentReport) -> Option<(String, String, String)> {
    if c.level1_optimal || c.first_short_class.is_empty() {
        return None;
    }
    Some((
        c.first_short_class.trim_start_matches("L1 ").to_string(),
        c.first_short_reached.to_string(),
        c.first_short_lp_bound
            .map_or("-".to_string(), |b| format!("{b:.1}")),
    ))
}

/// Reads a plan file.
pub fn read_plan(path: &Path) -> anyhow::Result<proto::Plan> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading plan {}", path.display()))?;
    let de = &mut serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(de)
        .map_err(|e| anyhow::anyhow!("{}: {}", e.path(), e.inner()))
        .with_context(|| format!("parsing plan {}", path.display()))
}

/// Writes a message as pretty JSON.
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    std::fs::write(path, text + "\n").with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_limits_are_positive_seconds() {
        assert_eq!(seconds("1200"), Ok(1200.0));
        assert_eq!(seconds("0.5"), Ok(0.5));
        for bad in ["0", "-1", "NaN", "inf", "soon"] {
            assert!(seconds(bad).is_err(), "{bad} accepted");
        }
    }

    /// `--time-limit` may give a solve more time than the instance's policy, not only less.
    #[test]
    fn the_cli_limit_replaces_the_policy_limit() {
        let wire = convoplan::generate::generate(convoplan::generate::Preset::Tiny, 1);
        let mut instance = Instance::from_proto(&wire).expect("valid");
        let policy = instance.settings.time_limit_seconds;
        set_time_limit(&mut instance, None);
        assert_eq!(instance.settings.time_limit_seconds, policy);
        set_time_limit(&mut instance, Some(policy * 4.0));
        assert_eq!(instance.settings.time_limit_seconds, policy * 4.0);
        set_time_limit(&mut instance, Some(1.0));
        assert_eq!(instance.settings.time_limit_seconds, 1.0);
    }
}
