//! `convoplan generate`.

use convoplan::generate::{generate, Preset};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `generate`.
#[derive(clap::Args)]
pub struct GenerateArgs {
    /// Instance shape.
    #[arg(long, value_enum, default_value = "small")]
    pub preset: Preset,
    /// Random seed (same seed, same instance).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output file.
    #[arg(long)]
    pub out: PathBuf,
}

/// Runs `generate`.
pub fn run(args: GenerateArgs) -> anyhow::Result<ExitCode> {
    let instance = generate(args.preset, args.seed);
    super::write_json(&args.out, &instance)?;
    println!(
        "{} requests, {} vacations, {} professionals, {} centres written to {}",
        instance.requests.len(),
        instance.vacations.len(),
        instance.professionals.len(),
        instance.centres.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
