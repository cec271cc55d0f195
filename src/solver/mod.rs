//! The lexicographic MILP: compatibility, model building (one file per constraint family),
//! the stages of levels 1-4 on HiGHS, and sequencing inside vacations.

mod aggregate;
pub mod capacity;
pub mod compat;
pub mod components;
mod disjoint_sets;
pub mod dive;
mod fixed;
#[cfg(test)]
mod fixtures;
pub mod greedy;
mod highs_ext;
pub mod levels;
pub mod lp_rounding;
pub mod milp;
pub mod neighbourhoods;
pub mod packing;
pub mod reopt;
mod repack;
pub mod repair;
pub mod room_match;
pub mod rooms;
pub mod sequence;
pub mod stages;

pub use greedy::{Placement, Placements};

use crate::model::{Instance, Mode};
use highs_ext::HighsCallError;
use milp::Milp;
use stages::Runner;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A progress event of a running solve.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressEvent {
    /// Stage name, e.g. "L1 tier 1 overdue".
    pub stage: String,
    /// True when the stage finished, false when it started.
    pub finished: bool,
    /// Objective of the stage's incumbent (finished events).
    pub incumbent: f64,
    /// Best bound of the stage (finished events).
    pub bound: f64,
    /// Relative gap of the stage (finished events).
    pub gap: f64,
    /// Seconds since the solve started.
    pub elapsed_seconds: f64,
    /// Index of the stage, from 0.
    pub index: usize,
    /// Number of stages planned.
    pub count: usize,
}

/// Receives progress events.
pub type ProgressSink = Arc<dyn Fn(&ProgressEvent) + Send + Sync>;

/// How to run a solve, beyond the instance's own policy.
#[derive(Clone, Default)]
pub struct SolveOptions {
    /// Wall-clock limit in seconds; the smaller of this and the policy's applies.
    pub time_limit_seconds: Option<f64>,
    /// HiGHS threads; overrides the policy's.
    pub threads: Option<u32>,
    /// Progress callback.
    pub progress: Option<ProgressSink>,
    /// Set to true to stop the solve; it returns the best plan found so far.
    pub cancel: Option<Arc<AtomicBool>>,
    /// Models with more columns than this search the LP relaxation's neighbourhood before
    /// each level-1 MILP; `None` for the default (20,000). Tests set 0 to check that the
    /// search keeps the optimum.
    pub neighbourhood_above_columns: Option<usize>,
    /// Whether those large models dive on the LP over the vacations' patterns first
    /// ([`dive`]); `None` for the default: when some vacation's capacity is written as a
    /// knapsack row rather than patterns (large models). Tests set true to check the dive,
    /// false to check the searches after it on their own.
    pub lp_dive: Option<bool>,
    /// Whether a dived stage a few requests short of its LP bound searches the LP's
    /// neighbourhood before the dive ([`levels`]); `None` for the default (true). Tests set
    /// false to check the dive on its own.
    pub near_lp_first: Option<bool>,
    /// Whether a large level-1 stage the LP leaves short is first rounded from the LP's point
    /// ([`lp_rounding`]); `None` for the default (true). Tests set false to check the dive
    /// on its own.
    pub lp_rounding: Option<bool>,
    /// Whether level-1 incumbents and rounded plans are packed ([`packing`]): placed
    /// requests moved and swapped to gather free minutes; `None` for the default (true).
    /// Tests set false to check the searches after it on their own.
    pub packing: Option<bool>,
    /// Whether a large level-1 stage a few requests short of its count bound is re-packed
    /// part by part before its LP ([`repack`]); `None` for the default (true). Tests set
    /// false to check the LP's rounding and dive on their own.
    pub repack: Option<bool>,
    /// A re-optimisation solves only the neighbourhood of the change
    /// ([`reopt::Neighbourhood`]); true solves the whole week again (level 1 over the whole
    /// week, where an appointment may move for a gain of any class; minutes on a large week).
    pub reopt_whole_week: bool,
    /// Solve independent components separately and in parallel ([`components`]); `None`
    /// for the default (true). Tests set false to compare with the undecomposed solve.
    pub decompose: Option<bool>,
    /// The (class, service) pairs whose smallest company ratio is 0 whatever is planned
    /// because of companies outside this instance: set by the decomposition on each
    /// component.
    pub min_ratio_moot: Option<Arc<std::collections::BTreeSet<(usize, usize)>>>,
    /// Seconds past the time limit that the first rounding of a level-1 stage's LP may
    /// run: set by the decomposition on every component but the last, whose budget is a
    /// share of the time left, not the caller's deadline (the components taken after it
    /// share what it overruns). `None`: none.
    pub rounding_grace_seconds: Option<f64>,
}

/// One scheduled request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// Request index.
    pub request: usize,
    /// Vacation index.
    pub vacation: usize,
    /// Mode.
    pub mode: Mode,
    /// Start, minutes from midnight.
    pub start: u32,
    /// End, minutes from midnight.
    pub end: u32,
}

/// Outcome of a solve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Every level proven optimal (levels 3-4 within the gap).
    Optimal,
    /// Stopped by the time limit or a cancellation; the plan is the best found.
    TimeLimit,
    /// Nothing to plan.
    Trivial,
}

/// Report of one lexicographic stage.
#[derive(Debug, Clone, PartialEq)]
pub struct StageReport {
    /// Stage name.
    pub name: String,
    /// Objective reached.
    pub objective: f64,
    /// Best bound.
    pub bound: f64,
    /// Relative gap.
    pub gap: f64,
    /// Seconds spent.
    pub seconds: f64,
    /// "optimal", "time_limit", "bound", "lp bound" or "skipped".
    pub status: String,
    /// Optimum of the stage's LP relaxation, when computed.
    pub lp_bound: Option<f64>,
}

/// What the solver did.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Overall status.
    pub status: Status,
    /// Every level-1 class count proven optimal.
    pub level1_optimal: bool,
    /// Stages in order.
    pub stages: Vec<StageReport>,
    /// Total seconds.
    pub seconds: f64,
    /// Model columns.
    pub variables: u64,
    /// Model rows.
    pub constraints: u64,
    /// Independent components.
    pub components: u32,
    /// Relative gap of the plan ([`headline_gap`]): of its first unproven stage, or the
    /// largest within the tolerances when every stage is proven.
    pub gap: f64,
    /// Re-optimisation only: what was solved again.
    pub reopt_scope: Option<ReoptScope>,
    /// A decomposed solve: what each component reached, in the order taken.
    pub component_reports: Vec<ComponentReport>,
}

/// What one independent component of a decomposed solve reached.
#[derive(Debug, Clone, PartialEq)]
pub struct ComponentReport {
    /// Its requests' service ("" when they span several).
    pub service: String,
    /// Requests in it.
    pub requests: usize,
    /// Vacations in it.
    pub vacations: usize,
    /// Requests it scheduled.
    pub scheduled: usize,
    /// Every level-1 class count of it proven optimal.
    pub level1_optimal: bool,
    /// Its time budget, seconds.
    pub budget_seconds: f64,
    /// When it was done, seconds from the start of the whole solve.
    pub done_at_seconds: f64,
    /// The first level-1 stage it left unproven (stopped or not reached).
    pub first_short: Option<ShortClass>,
}

/// Where a component's level 1 stopped: the first class left short of its bound.
#[derive(Debug, Clone, PartialEq)]
pub struct ShortClass {
    /// Its stage's name ("L1 tier 14 due later").
    pub stage: String,
    /// Its count in the component's plan.
    pub reached: usize,
    /// The stage's LP bound, when computed.
    pub lp_bound: Option<f64>,
}

impl Report {
    /// The report of a plan no MILP was run for (a greedy plan): `status`, level 1 not
    /// proven, no stage, no model, one component, no gap.
    pub fn unsolved(status: Status) -> Report {
        Report {
            status,
            level1_optimal: false,
            stages: Vec::new(),
            seconds: 0.0,
            variables: 0,
            constraints: 0,
            components: 1,
            gap: f64::NAN,
            reopt_scope: None,
            component_reports: Vec::new(),
        }
    }
}

/// What a re-optimisation solved again ([`reopt::Neighbourhood`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReoptScope {
    /// The whole week (a small week).
    pub whole_week: bool,
    /// Requests that could be placed or moved.
    pub free_requests: u32,
    /// Vacations whose appointments could give way.
    pub open_vacations: u32,
    /// Previous appointments held where they were.
    pub held_appointments: u32,
}

/// A solved schedule in domain terms.
#[derive(Debug, Clone)]
pub struct Solution {
    /// Scheduled requests with their times.
    pub assignments: Vec<Assignment>,
    /// Room held by each vacation (indexed like `Instance::vacations`), if any.
    pub rooms: Vec<Option<usize>>,
    /// What the solver did.
    pub report: Report,
    /// Compatibility of the requests (for the reasons of unscheduled ones).
    pub compat: compat::Compatibility,
}

/// Solves an instance under its lexicographic objective; never fails: when HiGHS reports
/// an error or time runs out, the best plan found so far (at worst the greedy one) is
/// returned with an honest status.
pub fn solve(instance: &Instance, options: &SolveOptions) -> Solution {
    if options.decompose != Some(false) {
        let started = Instant::now();
        let compat = compat::compute(instance);
        let parts = components::split(instance, &compat);
        if parts.len() > 1 {
            return components::solve(instance, options, compat, parts, started);
        }
        return solve_with(instance, options, None, Some((started, compat)));
    }
    solve_with(instance, options, None, None)
}

/// Re-optimises from a previous plan ([`reopt`]): frozen appointments stay, then level 1,
/// then as many appointments kept exactly and requests kept scheduled as level 1 allows,
/// then levels 2-4. Kept appointments keep their times.
pub fn reoptimize(instance: &Instance, prior: &reopt::Prior, options: &SolveOptions) -> Solution {
    solve_with(instance, options, Some(prior), None)
}

fn solve_with(
    instance: &Instance,
    options: &SolveOptions,
    prior: Option<&reopt::Prior>,
    // The clock and compatibility of a caller that already computed it (to split the
    // instance into components).
    known: Option<(Instant, compat::Compatibility)>,
) -> Solution {
    let (started, known_compat) = known.map_or((Instant::now(), None), |(t, c)| (t, Some(c)));
    let deadline = deadline_of(instance, options, started);
    let threads = options.threads.unwrap_or(instance.settings.threads);
    let compat = known_compat.unwrap_or_else(|| compat::compute(instance));
    tracing::debug!(
        pairs = compat.pairs(),
        seconds = started.elapsed().as_secs_f64(),
        "compatibility"
    );

    // From a previous plan: its appointments that still fit, and the model restricted to
    // the neighbourhood of the change (reopt::Neighbourhood); the full compatibility still
    // explains the requests left out.
    let reopt = prior.map(|p| {
        let kept = reopt::start_placements(instance, &compat, p);
        let whole = options.reopt_whole_week;
        let near = reopt::neighbourhood(instance, &compat, p, &kept, whole);
        tracing::info!(
            free_requests = near.free_requests,
            open_vacations = near.open_vacations,
            held = near.held.iter().filter(|&&h| h).count(),
            "re-optimisation neighbourhood"
        );
        (kept, near)
    });
    let pins = prior.map(|p| {
        let held = reopt.as_ref().map(|(_, near)| near.held.as_slice());
        pins_of(instance, p, held.unwrap_or_default())
    });
    let model_compat = reopt.as_ref().map_or(&compat, |(_, near)| &near.compat);
    let greedy = match &reopt {
        Some((kept, near)) => greedy::complete(instance, &near.compat, kept.clone()),
        None => greedy::plan_matched(instance, &compat),
    };
    tracing::debug!(
        scheduled = greedy.placed.len(),
        seconds = started.elapsed().as_secs_f64(),
        "greedy plan"
    );
    let mut report = Report {
        level1_optimal: true,
        gap: 0.0,
        reopt_scope: reopt.as_ref().map(|(_, near)| ReoptScope {
            whole_week: near.whole,
            free_requests: near.free_requests as u32,
            open_vacations: near.open_vacations as u32,
            held_appointments: near.held.iter().filter(|&&h| h).count() as u32,
        }),
        ..Report::unsolved(Status::Trivial)
    };
    if model_compat.pairs() == 0 {
        report.seconds = started.elapsed().as_secs_f64();
        return Solution {
            assignments: Vec::new(),
            rooms: vec![None; instance.vacations.len()],
            report,
            compat,
        };
    }
    let (model, milp) = match milp::build(instance, model_compat) {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(error = %e, "model build failed; returning the greedy plan");
            return finish(
                instance,
                compat,
                &greedy.placed,
                greedy.rooms,
                report,
                started,
                pins.as_deref(),
            );
        }
    };
    tracing::debug!(
        cols = milp.cols(),
        rows = milp.rows,
        seconds = started.elapsed().as_secs_f64(),
        "model built"
    );
    dump_columns(instance, &milp);
    report.variables = milp.cols() as u64;
    report.constraints = milp.rows as u64;
    let pinned = match (prior, &reopt) {
        (Some(p), Some((_, near))) => reopt::pinned_columns(&milp, p, &near.held),
        _ => Vec::new(),
    };
    let sol = start_vector(&milp, &greedy);
    let mut run = Runner::new(model, sol, options, started, deadline, threads);
    if reopt.as_ref().is_some_and(|(_, near)| !near.whole) {
        run.light_presolve();
    }
    tracing::debug!(
        seconds = started.elapsed().as_secs_f64(),
        "HiGHS instance ready"
    );
    run.planned = 3 * instance.classes.len() + 2 + if prior.is_some() { 2 } else { 0 };
    run.reoptimising = prior.is_some();
    let outcome = (|| -> Result<bool, HighsCallError> {
        run.set_bounds(&pinned, 1.0, 1.0)?;
        let stay = match (prior, &reopt) {
            (Some(p), Some((_, near))) if !near.whole => reopt::stay_columns(&milp, p, near),
            _ => Vec::new(),
        };
        let proven = levels::level1(instance, model_compat, &milp, &mut run, &pinned, &stay)?;
        if let Some(p) = prior {
            let held = reopt.as_ref().map(|(_, near)| near.held.as_slice());
            reopt::keep_stages(&milp, p, held.unwrap_or_default(), &mut run)?;
        }
        levels::level2(instance, model_compat, &milp, &mut run)?;
        if !instance.settings.skip_quality {
            levels::level3(instance, &milp, &mut run)?;
            levels::level4(instance, model_compat, &milp, &mut run)?;
        }
        Ok(proven)
    })();
    let proven = match outcome {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(error = %e, "HiGHS failed; returning the best plan found");
            run.stopped = true;
            false
        }
    };
    let (mut placed, mut rooms) = read_solution(instance, &milp, &run.sol);
    if run.stopped {
        // Classes the stopped MILP did not reach still get the capacity left.
        let filled = greedy::complete(instance, model_compat, Placements { placed, rooms });
        let counts = lp_rounding::class_counts(instance, &filled);
        skipped_counts(instance, &counts, &mut run.reports);
        placed = filled.placed;
        rooms = filled.rooms;
    }
    report.level1_optimal = proven;
    // A stage stopped at its own budget leaves the solve going, but the plan is no longer
    // proven optimal.
    let budget_spent = run.reports.iter().any(|s| s.status == "time_limit");
    report.status = if run.stopped || budget_spent || !proven {
        Status::TimeLimit
    } else {
        Status::Optimal
    };
    report.gap = headline_gap(&run.reports);
    report.stages = std::mem::take(&mut run.reports);
    finish(
        instance,
        compat,
        &placed,
        rooms,
        report,
        started,
        pins.as_deref(),
    )
}

/// Gives each level-1 stage skipped for want of time its class's count in the plan
/// (`counts`, per class, of its greedy completion): what the stage holds, without a bound.
fn skipped_counts(instance: &Instance, counts: &[usize], reports: &mut [StageReport]) {
    for (c, &n) in counts.iter().enumerate() {
        let name = format!("L1 {}", levels::class_name(instance, c));
        for st in reports.iter_mut().filter(|st| st.name == name) {
            if st.status == "skipped" && st.objective.is_nan() {
                st.objective = n as f64;
            }
        }
    }
}

/// The gap a planner reads for a whole plan. The stages are in lexicographic order, so the
/// first one a time limit stopped (or left unreached) is where the plan may first fall short
/// of the optimum, and its gap is the one that matters: later stages were solved (or
/// skipped) under its count. The largest gap over all stages read 182 on ciamt-week (a
/// class of 2 after the marginal one, against a bound of 367) where the marginal class's
/// own gap is 0.11. NaN (unknown) when that stage has no bound: a decomposed solve's stage
/// that some component never reached read 0 before, on a plan far from proven. With every
/// stage proven, the largest gap left within the policy's tolerances.
pub fn headline_gap(stages: &[StageReport]) -> f64 {
    match stages
        .iter()
        .find(|s| matches!(s.status.as_str(), "time_limit" | "skipped"))
    {
        Some(first) => first.gap,
        None => stages
            .iter()
            .map(|s| s.gap)
            .filter(|g| g.is_finite())
            .fold(0.0, f64::max),
    }
}

/// When a solve started at `started` must end: the smaller of the caller's and the
/// policy's limits.
pub(crate) fn deadline_of(
    instance: &Instance,
    options: &SolveOptions,
    started: Instant,
) -> Instant {
    let limit = options
        .time_limit_seconds
        .map_or(instance.settings.time_limit_seconds, |t| {
            t.min(instance.settings.time_limit_seconds)
        })
        .max(0.0);
    started + Duration::from_secs_f64(limit)
}

/// The greedy plan as a column vector of the base model (the MIP start of the first stage).
pub(crate) fn start_vector(milp: &Milp, greedy: &Placements) -> Vec<f64> {
    let mut sol = vec![0.0; milp.cols()];
    for p in &greedy.placed {
        if let Some(&i) = milp.x_by_request[p.request]
            .iter()
            .find(|&&i| milp.x[i].vacation == p.vacation && milp.x[i].mode == p.mode)
        {
            sol[i] = 1.0;
        }
    }
    for (j, y) in milp.y.iter().enumerate() {
        if greedy.rooms[y.vacation] == Some(y.room) {
            sol[milp.y_col(j)] = 1.0;
        }
    }
    for p in &greedy.placed {
        if let Some(s) = milp.s_by_request[p.request] {
            sol[s] = 1.0;
        }
    }
    // Per vacation, the first pattern that holds its appointments' lengths.
    let mut lengths: Vec<Vec<u32>> = vec![Vec::new(); greedy.rooms.len()];
    for (i, x) in milp.x.iter().enumerate() {
        if sol[i] > 0.5 {
            lengths[x.vacation].push(x.minutes);
        }
    }
    let mut chosen = vec![false; greedy.rooms.len()];
    for (j, z) in milp.z.iter().enumerate() {
        let v = z.vacation;
        let holds = z
            .counts
            .iter()
            .all(|&(m, n)| lengths[v].iter().filter(|&&l| l == m).count() as u32 <= n);
        if !chosen[v] && holds && !lengths[v].is_empty() {
            chosen[v] = true;
            sol[milp.z_col(j)] = 1.0;
        }
    }
    sol
}

/// Placements and rooms of a column vector; a room only for vacations that hold something.
pub(crate) fn read_solution(
    instance: &Instance,
    milp: &Milp,
    sol: &[f64],
) -> (Vec<Placement>, Vec<Option<usize>>) {
    let placed: Vec<Placement> = milp
        .x
        .iter()
        .enumerate()
        .filter(|&(i, _)| sol[i] > 0.5)
        .map(|(_, x)| Placement {
            request: x.request,
            vacation: x.vacation,
            mode: x.mode,
        })
        .collect();
    let mut used = vec![false; instance.vacations.len()];
    for p in &placed {
        used[p.vacation] = true;
    }
    let mut rooms = vec![None; instance.vacations.len()];
    for (j, y) in milp.y.iter().enumerate() {
        if used[y.vacation] && sol[milp.y_col(j)] > 0.5 {
            rooms[y.vacation] = Some(y.room);
        }
    }
    (placed, rooms)
}

/// Wished start times of the requests of a previous plan (`held` per prior appointment,
/// may be empty).
fn pins_of(instance: &Instance, prior: &reopt::Prior, held: &[bool]) -> Vec<Option<sequence::Pin>> {
    let mut pins = vec![None; instance.requests.len()];
    for (i, a) in prior.appointments.iter().enumerate() {
        pins[a.request] = Some(sequence::Pin {
            vacation: a.vacation,
            start: a.start,
            frozen: a.frozen,
            held: held.get(i).copied().unwrap_or(false),
        });
    }
    pins
}

/// Sequences the placements and closes the report.
fn finish(
    instance: &Instance,
    compat: compat::Compatibility,
    placed: &[Placement],
    rooms: Vec<Option<usize>>,
    mut report: Report,
    started: Instant,
    pins: Option<&[Option<sequence::Pin>]>,
) -> Solution {
    let assignments = match pins {
        Some(p) => sequence::sequence_pinned(instance, placed, p),
        None => sequence::sequence(instance, placed),
    };
    report.seconds = started.elapsed().as_secs_f64();
    Solution {
        assignments,
        rooms,
        report,
        compat,
    }
}

/// With `CONVOPLAN_DUMP_DIR` set, writes what each base column means (`columns.tsv`), beside
/// the stage models the runner writes there.
fn dump_columns(instance: &Instance, milp: &Milp) {
    use std::fmt::Write;
    let Some(dir) = std::env::var_os("CONVOPLAN_DUMP_DIR") else {
        return;
    };
    let mut out = String::from(
        "col\tkind\trequest\tclass\tvacation\tprofessional\tday\tstart\tend\tdetail\tminutes\n",
    );
    let vac = |v: usize| {
        let w = &instance.vacations[v];
        format!(
            "{}\t{}\t{}\t{}\t{}",
            w.id, instance.professionals[w.professional].id, w.day, w.start, w.end
        )
    };
    for (i, x) in milp.x.iter().enumerate() {
        let r = &instance.requests[x.request];
        let _ = writeln!(
            out,
            "{i}\tx\t{}\t{}\t{}\t{:?}\t{}",
            x.request,
            r.class_index,
            vac(x.vacation),
            x.mode,
            x.minutes
        );
    }
    for (j, y) in milp.y.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}\ty\t\t\t{}\t{}\t",
            milp.y_col(j),
            vac(y.vacation),
            instance.rooms[y.room].id
        );
    }
    for (r, s) in milp.s_by_request.iter().enumerate() {
        if let Some(s) = s {
            let _ = writeln!(
                out,
                "{s}\ts\t{r}\t{}\t\t\t\t\t\t\t",
                instance.requests[r].class_index
            );
        }
    }
    for (j, z) in milp.z.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}\tz\t\t\t{}\t{:?}\t",
            milp.z_col(j),
            vac(z.vacation),
            z.counts
        );
    }
    let path = std::path::Path::new(&dir).join("columns.tsv");
    if let Err(e) = std::fs::write(&path, out) {
        tracing::warn!(error = %e, "columns not written");
    }
}

/// The plan of `placements`, through the same assembly as a solve: what the heuristics'
/// tests hand to the H1-H7 validator.
#[cfg(test)]
pub(crate) fn plan_of(
    instance: &Instance,
    compat: &compat::Compatibility,
    placements: &Placements,
) -> crate::proto::Plan {
    let solution = Solution {
        assignments: sequence::sequence(instance, &placements.placed),
        rooms: placements.rooms.clone(),
        report: Report::unsolved(Status::TimeLimit),
        compat: compat.clone(),
    };
    crate::plan::build_plan(instance, &solution)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(name: &str, status: &str, gap: f64) -> StageReport {
        StageReport {
            name: name.to_string(),
            objective: 0.0,
            bound: 0.0,
            gap,
            seconds: 0.0,
            status: status.to_string(),
            lp_bound: None,
        }
    }

    #[test]
    fn the_plan_gap_is_that_of_its_first_unproven_stage() {
        let stages = vec![
            stage("L1 tier 1 overdue", "bound", 0.0),
            stage("L1 tier 6 due in horizon", "optimal", 0.004),
            stage(
                "L1 tier 14 due later LP neighbourhood",
                "heuristic",
                f64::NAN,
            ),
            stage("L1 tier 14 due later", "time_limit", 0.11),
            stage("L1 tier 15 overdue", "time_limit", 182.0),
            stage("L1 tier 15 due later", "skipped", f64::NAN),
        ];
        assert_eq!(headline_gap(&stages), 0.11);
        // Every stage proven: the largest gap left within the tolerances.
        let proven = vec![
            stage("L1 tier 1 overdue", "bound", 0.0),
            stage("L3 lateness", "optimal", 1e-5),
            stage("L4 quality", "optimal", 2e-4),
        ];
        assert_eq!(headline_gap(&proven), 2e-4);
        assert_eq!(headline_gap(&[]), 0.0);
        // The first unproven stage has no bound (a component never reached it): unknown,
        // not the gap of some later stage.
        let unreached = vec![
            stage("L1 tier 1 overdue", "bound", 0.0),
            stage("L1 tier 12 due later", "time_limit", f64::NAN),
            stage("L1 tier 14 due later", "time_limit", 0.009),
        ];
        assert!(headline_gap(&unreached).is_nan());
    }

    #[test]
    fn a_skipped_class_reports_what_the_completion_gave_it() {
        let wire = crate::generate::generate(crate::generate::Preset::Small, 1);
        let instance = Instance::from_proto(&wire).expect("valid");
        let compat = compat::compute(&instance);
        let plan = greedy::plan(&instance, &compat);
        let mut count = vec![0.0; instance.classes.len()];
        for p in &plan.placed {
            count[instance.requests[p.request].class_index] += 1.0;
        }
        let c = count.iter().position(|&n| n > 0.0).expect("a class placed");
        let name = |c: usize| format!("L1 {}", levels::class_name(&instance, c));
        let skipped = |c: usize| StageReport {
            objective: f64::NAN,
            bound: f64::NAN,
            ..stage(&name(c), "skipped", f64::NAN)
        };
        let mut reports = vec![
            StageReport {
                objective: 1.0,
                ..stage(&name(c), "time_limit", 0.5)
            },
            skipped(c + 1),
            StageReport {
                objective: f64::NAN,
                ..stage(
                    &format!("L2 {}", levels::class_name(&instance, c)),
                    "skipped",
                    0.0,
                )
            },
        ];
        let counts = lp_rounding::class_counts(&instance, &plan);
        skipped_counts(&instance, &counts, &mut reports);
        // A stage that ran keeps its own value; a skipped one gets the plan's count, still
        // without a bound; a level-2 stage is no count.
        assert_eq!(reports[0].objective, 1.0);
        assert_eq!(reports[1].objective, count[c + 1]);
        assert!(reports[1].bound.is_nan());
        assert!(reports[2].objective.is_nan());
    }
}
