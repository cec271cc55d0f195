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
