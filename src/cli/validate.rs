//! `convoplan validate`.

use convoplan::plan;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `validate`.
#[derive(clap::Args)]
pub struct ValidateArgs {
    /// Instance file (JSON).
    pub instance: PathBuf,
    /// Plan file (JSON).
    pub plan: PathBuf,
}

/// Runs `validate`: exit 0 when H1-H7 hold and every request is accounted for, 1 listing
/// the violations.
pub fn run(args: ValidateArgs) -> anyhow::Result<ExitCode> {
    let (_, instance) = super::read_instance(&args.instance)?;
    let plan = super::read_plan(&args.plan)?;
    let violations = plan::validate(&instance, &plan);
    if violations.is_empty() {
        println!(
            "valid: {} appointments satisfy H1-H7, {} requests left unscheduled",
            plan.appointments.len(),
            plan.unscheduled.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    for v in &violations {
        println!(
            "{:?} request {:?} vacation {:?}: {}",
            v.rule, v.request_id, v.vacation_id, v.message
        );
    }
    println!("{} violations", violations.len());
    Ok(ExitCode::from(1))
}
