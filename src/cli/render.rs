//! `convoplan render`.

use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `render`.
#[derive(clap::Args)]
pub struct RenderArgs {
    /// Instance file (JSON).
    pub instance: PathBuf,
    /// Plan file (JSON).
    pub plan: PathBuf,
    /// Output HTML file.
    #[arg(long, default_value = "plan.html")]
    pub out: PathBuf,
}

/// Runs `render`.
pub fn run(args: RenderArgs) -> anyhow::Result<ExitCode> {
    let (_, instance) = super::read_instance(&args.instance)?;
    let plan = super::read_plan(&args.plan)?;
    let html = convoplan::render::render_html(&instance, &plan);
    std::fs::write(&args.out, html)?;
    println!("written {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}
