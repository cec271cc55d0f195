//! `convoplan reoptimize`: re-plans after a change from the plan already sent out.

use convoplan::plan;
use convoplan::solver::SolveOptions;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `reoptimize`.
#[derive(clap::Args)]
pub struct ReoptimizeArgs {
    /// The instance as it is now (JSON): new absences, rooms, requests.
    pub instance: PathBuf,
    /// The plan already sent out (JSON).
    pub previous_plan: PathBuf,
    /// Appointments starting before this local date-time (YYYY-MM-DDTHH:MM) stay as they
    /// are unless their vacation is gone.
    #[arg(long)]
    pub freeze_until: Option<String>,
    /// Where to write the new plan; default: INSTANCE with `.plan.json`.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Where to write the diff; default: the plan's path with `.diff.json`.
    #[arg(long)]
    pub diff: Option<PathBuf>,
    /// Wall-clock limit in seconds (replaces the policy's `solver.timeLimitSeconds`).
    #[arg(long, value_parser = super::seconds)]
    pub time_limit: Option<f64>,
    /// HiGHS threads.
    #[arg(long)]
    pub threads: Option<u32>,
    /// Solve the whole week again instead of the neighbourhood of the change: level 1 over
    /// the whole week, where an appointment may move for a gain of any class (minutes on a
    /// large week)
    #[arg(long)]
    pub whole_week: bool,
}

/// Runs `reoptimize`.
pub fn run(args: ReoptimizeArgs) -> anyhow::Result<ExitCode> {
    let (_, mut instance) = super::read_instance(&args.instance)?;
    super::set_time_limit(&mut instance, args.time_limit);
    let previous = super::read_plan(&args.previous_plan)?;
    let freeze = plan::reoptimize::parse_freeze_until(args.freeze_until.as_deref().unwrap_or(""))?;
    let options = SolveOptions {
        threads: args.threads,
        reopt_whole_week: args.whole_week,
        ..SolveOptions::default()
    };
    let (new_plan, diff) = plan::reoptimize_plan(&instance, &previous, freeze, &options);
    let out = args
        .out
        .unwrap_or_else(|| args.instance.with_extension("plan.json"));
    let diff_path = args.diff.unwrap_or_else(|| out.with_extension("diff.json"));
    super::write_json(&out, &new_plan)?;
    super::write_json(&diff_path, &diff)?;
    print!("{}", super::solve::summary(&new_plan));
    if let Some(scope) = new_plan
        .solver_report
        .as_ref()
        .and_then(|r| r.reopt_scope.as_ref())
    {
        if scope.whole_week {
            println!("solved again: the whole week");
        } else {
            println!(
                "solved again: the neighbourhood of the change ({} requests free, {} vacations open, {} appointments held)",
                scope.free_requests, scope.open_vacations, scope.held_appointments
            );
        }
    }
    println!(
        "kept {}, moved {}, cancelled {}, added {}",
        diff.kept.len(),
        diff.moved.len(),
        diff.cancelled.len(),
        diff.added.len()
    );
    println!(
        "plan written to {}, diff to {}",
        out.display(),
        diff_path.display()
    );
    Ok(ExitCode::SUCCESS)
}
