//! `convoplan solve`.

use convoplan::plan;
use convoplan::proto;
use convoplan::solver::{ProgressEvent, SolveOptions};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// Arguments of `solve`.
#[derive(clap::Args)]
pub struct SolveArgs {
    /// Instance file (JSON).
    pub instance: PathBuf,
    /// Where to write the plan (JSON); default: INSTANCE with `.plan.json`.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Wall-clock limit in seconds (replaces the policy's `solver.timeLimitSeconds`).
    #[arg(long, value_parser = super::seconds)]
    pub time_limit: Option<f64>,
    /// HiGHS threads.
    #[arg(long)]
    pub threads: Option<u32>,
    /// No progress display.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `solve`.
pub fn run(args: SolveArgs) -> anyhow::Result<ExitCode> {
    let (_, mut instance) = super::read_instance(&args.instance)?;
    super::set_time_limit(&mut instance, args.time_limit);
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new_spinner()
    };
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let sink_bar = bar.clone();
    let options = SolveOptions {
        threads: args.threads,
        progress: Some(Arc::new(move |e: &ProgressEvent| {
            sink_bar.set_length(e.count as u64);
            sink_bar.set_position(e.index as u64);
            sink_bar.set_message(e.stage.clone());
        })),
        cancel: None,
        ..SolveOptions::default()
    };
    let plan = plan::solve_plan(&instance, &options);
    bar.finish_and_clear();
    let out = args
        .out
        .unwrap_or_else(|| args.instance.with_extension("plan.json"));
    super::write_json(&out, &plan)?;
    print!("{}", summary(&plan));
    println!("plan written to {}", out.display());
    Ok(ExitCode::SUCCESS)
}

/// The short summary a planner reads.
pub fn summary(plan: &proto::Plan) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let score = plan.score.clone().unwrap_or_default();
    let _ = writeln!(
        s,
        "{:<28} {:>9} {:>8} {:>9} {:>9}",
        "class", "scheduled", "pending", "min ratio", "mean ratio"
    );
    for c in &score.classes {
        let urgency = match proto::Urgency::try_from(c.urgency) {
            Ok(proto::Urgency::Overdue) => "overdue",
            Ok(proto::Urgency::DueInHorizon) => "due in horizon",
            _ => "due later",
        };
        let _ = writeln!(
            s,
            "{:<28} {:>9} {:>8} {:>9.3} {:>9.3}",
            format!("tier {:>2} {urgency}", c.tier),
            c.scheduled,
            c.pending,
            c.min_company_ratio,
            c.mean_company_ratio
        );
    }
    let scheduled: u32 = score.classes.iter().map(|c| c.scheduled).sum();
    let pending: u32 = score.classes.iter().map(|c| c.pending).sum();
    let _ = writeln!(
        s,
        "scheduled {scheduled} of {pending} requests; lateness {} days; quality {:.1}",
        score.lateness_days, score.quality
    );
    if let Some(r) = &plan.solver_report {
        s.push_str(&components_table(r));
        let status = proto::SolveStatus::try_from(r.status)
            .map(|x| x.as_str_name())
            .unwrap_or("UNKNOWN");
        let level1 = if r.level1_optimal {
            "proven optimal".to_string()
        } else {
            level1_room(r)
        };
        let gap = r.gap.map_or("unknown".to_string(), |g| format!("{g:.2e}"));
        let _ = writeln!(
            s,
            "status {status}; level 1 {level1}; gap {gap}; {:.2} s; {} variables, {} constraints",
            r.seconds, r.variables, r.constraints
        );
    }
    s
}

/// A decomposed solve's components, one line each: where each one's level 1 stopped.
/// Empty for a solve in one piece.
fn components_table(r: &proto::SolverReport) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    if r.component_reports.is_empty() {
        return s;
    }
    let _ = writeln!(
        s,
        "{:>9} {:<16} {:>8} {:>9} {:>9} {:>10} {:<26} {:>7} {:>8}",
        "component",
        "service",
        "requests",
        "scheduled",
        "budget s",
        "done at s",
        "first class short",
        "reached",
        "LP bound"
    );
    for (k, c) in r.component_reports.iter().enumerate() {
        let (class, reached, lp) = super::short_cells(c).unwrap_or((
            "level 1 proven".to_string(),
            String::new(),
            String::new(),
        ));
        let _ = writeln!(
            s,
            "{:>9} {:<16} {:>8} {:>9} {:>9.1} {:>10.1} {:<26} {:>7} {:>8}",
            k + 1,
            c.service,
            c.requests,
            c.scheduled,
            c.budget_seconds,
            c.done_at_seconds,
            class,
            reached,
            lp
        );
    }
    s
}

/// How far an unproven level 1 may be from its optimum, in requests: the sum over its
/// classes of the bound (rounded down) minus the count reached. Readable where the relative
/// gap is not (a class of 2 against a bound of 367 is a gap of 182). Classes without a bound
/// (components that did not reach them) are counted apart: the sum says nothing of them.
fn level1_room(r: &proto::SolverReport) -> String {
    let mut more = 0u64;
    let mut unreached = 0;
    let mut unbounded = 0;
    for st in r.stages.iter().filter(|st| st.name.starts_with("L1 ")) {
        match st.status.as_str() {
            "heuristic" => {}
            "skipped" => unreached += 1,
            _ => match st.bound {
                Some(bound) => {
                    let room = (bound + 1e-6).floor() - st.objective.round();
                    if room > 0.0 {
                        more += room as u64;
                    }
                }
                None => unbounded += 1,
            },
        }
    }
    let classes = |n: usize| if n == 1 { "class" } else { "classes" };
    let requests = if more == 1 { "request" } else { "requests" };
    let mut text = format!("NOT proven (the bounds leave room for at most {more} more {requests}");
    if unbounded > 0 {
        text.push_str(&format!(
            " in the classes with a bound; {unbounded} {} without one",
            classes(unbounded)
        ));
    }
    if unreached > 0 {
        text.push_str(&format!(", {unreached} {} not reached", classes(unreached)));
    }
    text.push(')');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(name: &str, status: &str, objective: f64, bound: Option<f64>) -> proto::StageReport {
        proto::StageReport {
            name: name.to_string(),
            objective,
            bound,
            status: status.to_string(),
            ..Default::default()
        }
    }

    #[test]
    fn level1_room_adds_what_the_bounds_leave_per_class() {
        let report = proto::SolverReport {
            stages: vec![
                stage("L1 tier 1 overdue", "bound", 85.0, Some(85.0)),
                stage("L1 tier 14 due later", "time_limit", 422.0, Some(469.4)),
                stage(
                    "L1 tier 14 due later LP neighbourhood",
                    "heuristic",
                    422.0,
                    None,
                ),
                stage("L1 tier 15 overdue", "lp bound", 3.0, Some(3.9)),
                stage("L1 tier 15 due later", "skipped", 0.0, None),
                // A merged row some component never reached: no bound, not a bound of 0.
                stage("L1 tier 15 due in horizon", "time_limit", 2.0, None),
                stage("L2 min ratio tier 1 overdue", "optimal", 0.5, Some(0.9)),
            ],
            ..Default::default()
        };
        assert_eq!(
            level1_room(&report),
            "NOT proven (the bounds leave room for at most 47 more requests in the classes with a bound; 1 class without one, 1 class not reached)"
        );
    }

    #[test]
    fn components_get_a_line_each_saying_where_their_level_1_stopped() {
        let component =
            |service: &str, proven: bool, short: &str, lp: Option<f64>| proto::ComponentReport {
                service: service.to_string(),
                requests: 4735,
                vacations: 514,
                scheduled: 3112,
                level1_optimal: proven,
                budget_seconds: 11.6,
                done_at_seconds: 27.1,
                first_short_class: short.to_string(),
                first_short_reached: 392,
                first_short_lp_bound: lp,
            };
        let report = proto::SolverReport {
            component_reports: vec![
                component("alsace", false, "L1 tier 14 due later", Some(395.6)),
                component("amieure", false, "L1 tier 12 due later", None),
                component("nord", true, "", None),
            ],
            ..Default::default()
        };
        let table = components_table(&report);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4, "{table}");
        assert!(lines[1].contains("alsace") && lines[1].contains("tier 14 due later"));
        assert!(
            lines[1].trim_end().ends_with("392    395.6"),
            "{}",
            lines[1]
        );
        assert!(
            lines[2].trim_end().ends_with("392        -"),
            "{}",
            lines[2]
        );
        assert!(lines[3].contains("level 1 proven"), "{}", lines[3]);
        assert!(components_table(&proto::SolverReport::default()).is_empty());
    }
}
