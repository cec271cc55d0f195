//! `convoplan render`.

use anyhow::Context;
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
    std::fs::write(&args.out, &html).with_context(|| format!("writing {}", args.out.display()))?;
    // The size is worth a glance: the page embeds every appointment of the week.
    println!(
        "written {} ({} KB)",
        args.out.display(),
        html.len().div_ceil(1024)
    );
    Ok(ExitCode::SUCCESS)
}
