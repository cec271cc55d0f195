//! Decomposition of an instance into independent components, solved in parallel.
//!
//! Two requests or vacations are in one component when a term of the model links them:
//! - a request and every vacation it has an option with (its assignment columns);
//! - vacations that may hold a common room, on any day: H6 forbids overlapping ones to
//!   share it, and level 4's "rooms opened" counts a room once over the whole week;
//! - every request of one company: level 2 compares companies' ratios within a class, and
//!   level 4's grouping term counts the vacations a company is spread over;
//! - every request of a class and service whose smallest company ratio level 2 may have to
//!   raise (at least two companies, each with a request that has an option): that smallest
//!   ratio is a minimum over all those companies, which no component can maximise alone.
//!   Level 2 compares companies of one service only, and no professional sees two
//!   services' requests, so the services of a platform are apart.
//!
//! Requests without any option join their company's component (they count in its
//! pending requests, hence in its ratios), or none when no request of the company has an
//! option: such requests stay unscheduled whatever happens.
//!
//! Why the solve of the components is exact, level by level:
//! 1. Class counts are sums over components whose feasible sets are independent, and the
//!    lexicographic maximum of a sum of independent vectors is the sum of their
//!    lexicographic maxima (every global optimum has each component at its own).
//! 2. Each company's ratio in a class lies in one component (company union). A class and
//!    service whose smallest ratio can be raised lies in one component (class union), so
//!    its stages see every company. In any other, some company has nothing schedulable,
//!    the smallest ratio is 0 whatever is planned, and the undecomposed solve skips
//!    straight to the sum of ratios: each component is told so
//!    ([`super::SolveOptions::min_ratio_moot`]) instead of raising its own smallest ratio.
//!    The sum of ratios is a sum over components.
//! 3. Lateness is a sum over appointments.
//! 4. Quality is a sum of per-appointment, per-(company, vacation), per-company and per-room
//!    terms, each inside one component by the unions above.

use super::compat::Compatibility;
use super::disjoint_sets::UnionFind;
use super::{
    finish, greedy, solve_with, ComponentReport, ProgressEvent, Report, ShortClass, Solution,
    SolveOptions, StageReport, Status,
};
use crate::model::{Indexes, Instance};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Requests and vacations of one independent part of an instance.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Component {
    /// Request indexes, ascending.
    pub requests: Vec<usize>,
    /// Vacation indexes, ascending: those some request of the component has an option with.
    pub vacations: Vec<usize>,
    /// Compatible (request, vacation) pairs: the size of each of its models.
    pub pairs: usize,
    /// Its estimated work, the measure used to share the time: `pairs`, then times the
    /// classes that may each need an LP of their own ([`weigh`]).
    pub work: usize,
    /// The first class (in priority order) the whole week's greedy plan leaves short in
    /// it, the number of classes when none ([`weigh`]).
    pub first_short: usize,
}

/// The (class, service) pairs in which some company with pending requests has none with an
/// option: their smallest company ratio is then 0 in every plan, so level 2 does not raise
/// it.
pub fn min_ratio_moot(instance: &Instance, compat: &Compatibility) -> BTreeSet<(usize, usize)> {
    let mut schedulable: BTreeMap<(usize, usize, usize), bool> = BTreeMap::new();
    for (r, req) in instance.requests.iter().enumerate() {
        let has = !compat.options[r].is_empty();
        *schedulable
            .entry((req.class_index, instance.service_of(req), req.company))
            .or_insert(false) |= has;
    }
    schedulable
        .into_iter()
        .filter(|&(_, has)| !has)
        .map(|((c, s, _), _)| (c, s))
        .collect()
}

/// Splits an instance into independent components, most pairs first.
pub fn split(instance: &Instance, compat: &Compatibility) -> Vec<Component> {
    let nr = instance.requests.len();
    let nv = instance.vacations.len();
    let mut uf = UnionFind::new(nr + nv);
    let mut held = vec![false; nv];
    for (r, options) in compat.options.iter().enumerate() {
        for o in options {
            uf.union(r, nr + o.vacation);
            held[o.vacation] = true;
        }
    }
    // Vacations that may hold one room. Vacations no request can use never hold one and
    // link nothing.
    let mut by_room: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (v, rooms) in compat.vacation_rooms.iter().enumerate() {
        if held[v] {
            for &k in rooms {
                by_room.entry(k).or_default().push(nr + v);
            }
        }
    }
    for list in by_room.values() {
        uf.union_all(list.iter().copied());
    }
    let schedulable = |r: usize| !compat.options[r].is_empty();
    let mut by_company: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for r in (0..nr).filter(|&r| schedulable(r)) {
        by_company
            .entry(instance.requests[r].company)
            .or_default()
            .push(r);
    }
    for list in by_company.values() {
        uf.union_all(list.iter().copied());
    }
    // Classes and services whose smallest ratio level 2 may raise: at least two companies,
    // none of them without an option.
    let moot = min_ratio_moot(instance, compat);
    let mut groups: BTreeMap<(usize, usize), (BTreeSet<usize>, Vec<usize>)> = BTreeMap::new();
    for (r, req) in instance.requests.iter().enumerate() {
        let group = groups
            .entry((req.class_index, instance.service_of(req)))
            .or_default();
        group.0.insert(req.company);
        group.1.push(r);
    }
    for (key, (companies, requests)) in groups {
        if !moot.contains(&key) && companies.len() > 1 {
            uf.union_all(requests);
        }
    }
    // Components are numbered by their root, in order of first request.
    let mut number: BTreeMap<usize, usize> = BTreeMap::new();
    let mut parts: Vec<Component> = Vec::new();
    let mut company_part: BTreeMap<usize, usize> = BTreeMap::new();
    for r in (0..nr).filter(|&r| schedulable(r)) {
        let root = uf.find(r);
        let next = parts.len();
        let k = *number.entry(root).or_insert(next);
        if k == parts.len() {
            parts.push(Component::default());
        }
        parts[k].requests.push(r);
        parts[k].pairs += compat.options[r].len();
        company_part.insert(instance.requests[r].company, k);
    }
    for r in (0..nr).filter(|&r| !schedulable(r)) {
        if let Some(&k) = company_part.get(&instance.requests[r].company) {
            parts[k].requests.push(r);
        }
    }
    for v in (0..nv).filter(|&v| held[v]) {
        if let Some(&k) = number.get(&uf.find(nr + v)) {
            parts[k].vacations.push(v);
        }
    }
    for p in &mut parts {
        p.requests.sort_unstable();
        p.work = p.pairs;
    }
    parts.sort_by(|a, b| b.pairs.cmp(&a.pairs).then(a.requests.cmp(&b.requests)));
    parts
}

/// Sets each part's work to its pairs times the classes the greedy plan of the whole
/// instance leaves short in it (at least one), and at least [`URGENT_SHARE`] of the mean
/// for the one part short in a class more urgent than any other's; sorts the parts most
/// work first. A class left short needs an LP of its own and searches; on national seed 1,
/// amieure (52,659 pairs of 3.1 million, short from its sixth tier on) got 2 s of the
/// minute by its pairs alone, too little for its classes' LPs (0.6-1 s each).
fn weigh(instance: &Instance, compat: &Compatibility, parts: &mut [Component]) {
    let t0 = Instant::now();
    let plan = super::greedy::plan_matched(instance, compat);
    let mut placed = vec![false; instance.requests.len()];
    for p in &plan.placed {
        placed[p.request] = true;
    }
    let n = instance.classes.len();
    for part in parts.iter_mut() {
        let mut short = vec![false; n];
        for &r in &part.requests {
            if !placed[r] && !compat.options[r].is_empty() {
                short[instance.requests[r].class_index] = true;
            }
        }
        let classes = short.iter().filter(|&&s| s).count();
        part.work = part.pairs * classes.max(1);
        part.first_short = short.iter().position(|&s| s).unwrap_or(n);
    }
    // The one short in a class more urgent than any other's: its gaps outrank all of
    // theirs, so its work counts at least a share of the mean, whatever its pairs.
    let most_urgent = parts.iter().map(|p| p.first_short).min().unwrap_or(n);
    if parts
        .iter()
        .filter(|p| p.first_short == most_urgent)
        .count()
        == 1
        && parts.len() > 1
    {
        let mean = parts.iter().map(|p| p.work).sum::<usize>() / parts.len();
        for p in parts.iter_mut().filter(|p| p.first_short == most_urgent) {
            p.work = p.work.max((URGENT_SHARE * mean as f64) as usize);
        }
    }
    parts.sort_by(|a, b| b.work.cmp(&a.work).then(a.requests.cmp(&b.requests)));
    tracing::debug!(
        seconds = t0.elapsed().as_secs_f64(),
        "components weighed by their short classes"
    );
}

/// The instance restricted to a component: same professionals, centres, rooms, companies,
/// kinds and classes (their indexes stay valid), only the component's vacations and
/// requests, reindexed in their original order.
fn sub_instance(instance: &Instance, part: &Component) -> Instance {
    let vacations: Vec<_> = part
        .vacations
        .iter()
        .map(|&v| instance.vacations[v].clone())
        .collect();
    let requests: Vec<_> = part
        .requests
        .iter()
        .map(|&r| instance.requests[r].clone())
        .collect();
    let index = Indexes {
        vacations: vacations
            .iter()
            .enumerate()
            .map(|(i, v)| (v.id.clone(), i))
            .collect(),
        requests: requests
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect(),
        ..instance.index.clone()
    };
    Instance {
        name: instance.name.clone(),
        start_date: instance.start_date,
        days: instance.days,
        centres: instance.centres.clone(),
        rooms: instance.rooms.clone(),
        professionals: instance.professionals.clone(),
        vacations,
        absences: instance.absences.clone(),
        companies: instance.companies.clone(),
        services: instance.services.clone(),
        requests,
        kinds: instance.kinds.clone(),
        equipment: instance.equipment.clone(),
        classes: instance.classes.clone(),
        first_bookable_day: instance.first_bookable_day,
        weights: instance.weights,
        settings: instance.settings,
        index,
    }
}

/// The greedy plan of a component that got no time (deadline passed or cancelled before
/// it started): building its model alone would overrun.
fn greedy_only(sub: &Instance) -> Solution {
    let started = Instant::now();
    let compat = super::compat::compute(sub);
    let g = greedy::plan_matched(sub, &compat);
    let report = Report::unsolved(Status::TimeLimit);
    finish(sub, compat, &g.placed, g.rooms, report, started, None)
}

/// Seconds a component (not the last) may overrun its budget for the first rounding of a
/// level-1 stage's LP ([`SolveOptions::rounding_grace_seconds`]), and at most this share of
/// the time its budget leaves before the solve's deadline.
const ROUNDING_GRACE: f64 = 1.0;
const GRACE_SHARE: f64 = 0.1;

/// The one component short in a class more urgent than any other's counts at least this
/// share of the mean work. National's amieure, short from its sixth class on where the
/// other ten services are short from their tier 14, weighs 0.84 million by its pairs (a
/// mean of 2.4 million): taken last, it got 4.2 s and left its tier 12 due later one request
/// under its LP's floor, which it reaches in 5.5 s. At 0.6 it gets 5.0-5.2 s and reaches it
/// (three runs of three, with [`ROUNDING_GRACE`]: without it, garonne's rounding was cut in
/// three runs of four); at 0.9 it is no longer taken last, and the service taken last
/// instead (rhone) lost its marginal LP (BENCHMARKS.md).
const URGENT_SHARE: f64 = 0.6;

/// Share of the time left that the last component taken gets: the rest is for merging the
/// plans (national seed 1: 0.1-0.3 s) and what the solve may overrun its deadline by.
const LAST_SHARE: f64 = 0.8;

/// Solves the components of `instance` in parallel and merges their solutions.
///
/// Time: components are taken most work first by a pool of `min(components, cores)`
/// workers, each solve on one HiGHS thread. When a worker takes a component, it gets the
/// time left before the caller's deadline times its share of the cores' remaining work:
/// `workers × work / work of the unfinished components` (capped at 1). A component that finishes
/// early leaves its time to those after it; none can run past the deadline. Components
/// still waiting at the deadline or after a cancellation get the greedy plan.
pub(super) fn solve(
    instance: &Instance,
    options: &SolveOptions,
    compat: Compatibility,
    mut parts: Vec<Component>,
    started: Instant,
) -> Solution {
    let deadline = super::deadline_of(instance, options, started);
    weigh(instance, &compat, &mut parts);
    let n = parts.len();
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let workers = n.min(cores).max(1);
    tracing::info!(
        components = n,
        workers,
        largest_pairs = parts.first().map_or(0, |p| p.pairs),
        largest_work = parts.first().map_or(0, |p| p.work),
        "solving independent components"
    );
    let moot = Arc::new(min_ratio_moot(instance, &compat));
    let unfinished = AtomicUsize::new(parts.iter().map(|p| p.work).sum());
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<(Solution, ComponentReport)>>> = Mutex::new(vec![None; n]);
    let no_cancel = AtomicBool::new(false);
    let cancel = options.cancel.as_deref().unwrap_or(&no_cancel);
    let work = || loop {
        let k = next.fetch_add(1, Ordering::SeqCst);
        let Some(part) = parts.get(k) else { break };
        let sub = sub_instance(instance, part);
        let left = deadline.saturating_duration_since(Instant::now());
        let remaining = unfinished.load(Ordering::SeqCst).max(1);
        // The last component taken keeps its worker's time and the others' once they
        // finish: nothing waits after it. Its level 1 leaves the time it cannot use.
        let by_work = (workers as f64 * part.work as f64 / remaining as f64).min(1.0);
        let share = if k + 1 == n {
            LAST_SHARE
        } else if k + 2 == n && workers >= 2 {
            // The one before the last: the last is taken by whichever worker frees first,
            // and the other worker has nothing after this one. Its share by work counts
            // the components still running as if not started (national: rhone got 8.1 s
            // and its worker then idled 2.1 s while amieure finished).
            by_work.max(LAST_SHARE)
        } else {
            by_work
        };
        let budget = left.as_secs_f64() * share;
        // Every log line of the component's solve names it (and its service, if any).
        let service = service_of(instance, part);
        let _span = tracing::debug_span!("component", k, service).entered();
        tracing::debug!(
            component = k,
            pairs = part.pairs,
            work = part.work,
            first_short = part.first_short,
            budget,
            "component taken"
        );
        let solution = if budget <= 0.01 || cancel.load(Ordering::Relaxed) {
            greedy_only(&sub)
        } else {
            // Every component but the last may overrun its budget for its first rounding,
            // within what the solve's deadline leaves after its budget.
            let after = deadline
                .saturating_duration_since(Instant::now())
                .as_secs_f64()
                - budget;
            let grace = (k + 1 < n).then(|| ROUNDING_GRACE.min(GRACE_SHARE * after));
            let opts = component_options(options, &moot, k, n, budget, started, grace);
            solve_with(&sub, &opts, None, None)
        };
        let summary = ComponentReport {
            service: service.to_string(),
            requests: part.requests.len(),
            vacations: part.vacations.len(),
            scheduled: solution.assignments.len(),
            level1_optimal: solution.report.level1_optimal,
            budget_seconds: budget,
            done_at_seconds: started.elapsed().as_secs_f64(),
            first_short: first_short(&sub, &solution),
        };
        let short = summary.first_short.as_ref();
        tracing::debug!(
            scheduled = summary.scheduled,
            level1_proven = summary.level1_optimal,
            short_class = short.map(|st| st.stage.as_str()),
            reached = short.map(|st| st.reached),
            lp_bound = short.and_then(|st| st.lp_bound),
            seconds = summary.done_at_seconds,
            "component done"
        );
        unfinished.fetch_sub(part.work, Ordering::SeqCst);
        if let Ok(mut r) = results.lock() {
            r[k] = Some((solution, summary));
        }
    };
    match rayon::ThreadPoolBuilder::new().num_threads(workers).build() {
        Ok(pool) => pool.scope(|s| {
            for _ in 0..workers {
                s.spawn(|_| work());
            }
        }),
        Err(e) => {
            tracing::warn!(error = %e, "no thread pool; solving the components one by one");
            work();
        }
    }
    let (solutions, summaries): (Vec<Option<Solution>>, Vec<Option<ComponentReport>>) = results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .map(|r| match r {
            Some((s, c)) => (Some(s), Some(c)),
            None => (None, None),
        })
        .unzip();
    let mut solution = merge(instance, compat, &parts, solutions, started);
    solution.report.component_reports = summaries.into_iter().flatten().collect();
    solution
}

/// The service of a component's requests, when they share one ("" otherwise): it names the
/// component in logs and reports (service ids only, no personal data).
fn service_of<'a>(instance: &'a Instance, part: &Component) -> &'a str {
    let mut services = part
        .requests
        .iter()
        .map(|&r| instance.service_of(&instance.requests[r]));
    match services.next() {
        Some(first) if services.all(|s| s == first) => {
            instance.services.get(first).map_or("", String::as_str)
        }
        _ => "",
    }
}

/// Where a component's level 1 stopped: the first class left short of its bound (stopped
/// or not reached), with its count in the component's plan (a class not reached still
/// gets the greedy completion's) and the stage's LP bound when one was computed.
fn first_short(sub: &Instance, solution: &Solution) -> Option<ShortClass> {
    let stage = solution.report.stages.iter().find(|st| {
        st.name.starts_with("L1 ") && matches!(st.status.as_str(), "time_limit" | "skipped")
    })?;
    let class = (0..sub.classes.len())
        .find(|&c| stage.name.strip_prefix("L1 ") == Some(&super::levels::class_name(sub, c)))?;
    let count = solution
        .assignments
        .iter()
        .filter(|a| sub.requests[a.request].class_index == class)
        .count();
    Some(ShortClass {
        stage: stage.name.clone(),
        reached: count,
        lp_bound: stage.lp_bound,
    })
}

/// Options of component `k` (0-based) of `n`: its budget, one HiGHS thread, the classes
/// whose smallest ratio is moot over the whole instance, and progress events named after
/// the component ("[3/11] L1 tier 1 overdue") and timed from the start of the whole solve.
fn component_options(
    options: &SolveOptions,
    moot: &Arc<BTreeSet<(usize, usize)>>,
    k: usize,
    n: usize,
    budget: f64,
    started: Instant,
    grace: Option<f64>,
) -> SolveOptions {
    let offset = started.elapsed().as_secs_f64();
    let progress = options.progress.clone().map(|sink| {
        let wrapped: super::ProgressSink = Arc::new(move |e: &ProgressEvent| {
            sink(&ProgressEvent {
                stage: format!("[{}/{n}] {}", k + 1, e.stage),
                elapsed_seconds: e.elapsed_seconds + offset,
                ..e.clone()
            })
        });
        wrapped
    });
    SolveOptions {
        time_limit_seconds: Some(budget),
        threads: Some(1),
        progress,
        cancel: options.cancel.clone(),
        neighbourhood_above_columns: options.neighbourhood_above_columns,
        lp_dive: options.lp_dive,
        near_lp_first: options.near_lp_first,
        lp_rounding: options.lp_rounding,
        packing: options.packing,
        repack: options.repack,
        decompose: Some(false),
        min_ratio_moot: Some(moot.clone()),
        reopt_whole_week: options.reopt_whole_week,
        rounding_grace_seconds: grace,
    }
}

/// Maps the components' solutions back to the instance's indexes and merges their reports.
fn merge(
    instance: &Instance,
    compat: Compatibility,
    parts: &[Component],
    solutions: Vec<Option<Solution>>,
    started: Instant,
) -> Solution {
    let mut assignments = Vec::new();
    let mut rooms = vec![None; instance.vacations.len()];
    let mut reports = Vec::new();
    for (part, solution) in parts.iter().zip(solutions) {
        // Every component leaves a solution (a panic in a worker propagates out of the
        // pool's scope); a missing one would only leave its requests unscheduled.
        let Some(s) = solution else {
            reports.push(None);
            continue;
        };
        for mut a in s.assignments {
            a.request = part.requests[a.request];
            a.vacation = part.vacations[a.vacation];
            assignments.push(a);
        }
        for (v, room) in s.rooms.into_iter().enumerate() {
            rooms[part.vacations[v]] = room;
        }
        reports.push(Some(s.report));
    }
    let report = merge_reports(&reports, started);
    Solution {
        assignments,
        rooms,
        report,
        compat,
    }
}

/// One report for the whole instance: stages of the same name added up over the
/// components (`None`: a component that left no report).
fn merge_reports(reports: &[Option<Report>], started: Instant) -> Report {
    let all: Vec<&Report> = reports.iter().flatten().collect();
    let missing = all.len() < reports.len();
    // Every component has pairs, so one without stages was given the greedy plan (or its
    // model failed to build): every stage is then unproven.
    let incomplete = missing || all.iter().any(|r| r.stages.is_empty());
    let status = if incomplete || all.iter().any(|r| r.status == Status::TimeLimit) {
        Status::TimeLimit
    } else if all.iter().all(|r| r.status == Status::Trivial) {
        Status::Trivial
    } else {
        Status::Optimal
    };
    let mut names: Vec<String> = Vec::new();
    let mut by_name: BTreeMap<String, Vec<&StageReport>> = BTreeMap::new();
    for r in &all {
        for s in &r.stages {
            if !by_name.contains_key(&s.name) {
                names.push(s.name.clone());
            }
            by_name.entry(s.name.clone()).or_default().push(s);
        }
    }
    let stages: Vec<StageReport> = names
        .iter()
        .map(|name| merge_stage(name, &by_name[name], incomplete))
        .collect();
    let gap = super::headline_gap(&stages);
    Report {
        status,
        level1_optimal: !incomplete && all.iter().all(|r| r.level1_optimal),
        stages,
        seconds: started.elapsed().as_secs_f64(),
        variables: all.iter().map(|r| r.variables).sum(),
        constraints: all.iter().map(|r| r.constraints).sum(),
        components: reports.len() as u32,
        gap,
        reopt_scope: None,
        component_reports: Vec::new(),
    }
}

/// A stage over the components that ran it: objectives, bounds and seconds (the work
/// spent, components running side by side) added up; the weakest status. Components where
/// the stage was moot ran no stage of that name and add nothing to either side. A level-2
/// smallest ratio is a minimum, not a sum, but it is only ever run by one component (its
/// class and service lie in one) or closed at 0 by all (moot), so the sum is that minimum.
fn merge_stage(name: &str, stages: &[&StageReport], incomplete: bool) -> StageReport {
    let ran: Vec<&&StageReport> = stages.iter().filter(|s| s.status != "skipped").collect();
    // A component that skipped a level-1 stage still holds what its greedy completion gave
    // the class (the stage says so): counted, the stage list and the class table agree.
    let objective = if stages.iter().all(|s| s.objective.is_finite()) {
        stages.iter().map(|s| s.objective).sum()
    } else if ran.is_empty() {
        f64::NAN
    } else {
        ran.iter().map(|s| s.objective).sum()
    };
    let skipped = ran.len() < stages.len();
    // A skipped component has no bound, so neither has the sum.
    let bound = if skipped {
        f64::NAN
    } else {
        stages.iter().map(|s| s.bound).sum()
    };
    let gap = if objective.is_finite() && bound.is_finite() {
        (bound - objective).abs() / objective.abs().max(1.0)
    } else {
        f64::NAN
    };
    // The LP bound of the sum: where a component computed no LP, the count its stage was
    // closed at, which its LP cannot exceed. A component whose budget ran out before its LP
    // leaves the sum unknown: its count bound summed in read as an "LP bound" of 4,327 for
    // national's tier 14 due later, where the LPs that were solved add up to about 3,800.
    let closed = |s: &StageReport| {
        matches!(s.status.as_str(), "bound" | "optimal" | "lp bound") && s.bound.is_finite()
    };
    let lp_bound = if skipped || stages.iter().all(|s| s.lp_bound.is_none()) {
        None
    } else {
        stages
            .iter()
            .map(|s| s.lp_bound.or_else(|| closed(s).then_some(s.bound)))
            .sum::<Option<f64>>()
    };
    let has = |status: &str| stages.iter().any(|s| s.status == status);
    let status = if ran.is_empty() {
        "skipped"
    } else if ran.iter().all(|s| s.status == "heuristic") {
        // A search of the components' own stages: no bound, whatever its outcome.
        "heuristic"
    } else if skipped || incomplete || has("time_limit") {
        "time_limit"
    } else if has("optimal") {
        "optimal"
    } else if has("lp bound") {
        "lp bound"
    } else {
        "bound"
    };
    StageReport {
        name: name.to_string(),
        objective,
        bound,
        gap,
        seconds: stages.iter().map(|s| s.seconds).sum(),
        status: status.to_string(),
        lp_bound,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{parse_instance_json, Instance};
    use crate::solver::compat::Option_;

    /// The tiny instance cut to three requests of distinct companies and classes 0, 1, 1,
    /// and two vacations; the compatibility is set by hand.
    fn three_requests() -> Instance {
        let text = include_str!("../../instances/tiny.json");
        let proto = parse_instance_json(text).expect("tiny parses");
        let mut inst = Instance::from_proto(&proto).expect("tiny is valid");
        assert!(inst.classes.len() >= 2 && inst.companies.len() >= 3);
        inst.requests.truncate(3);
        inst.vacations.truncate(2);
        for (r, req) in inst.requests.iter_mut().enumerate() {
            req.company = r;
            req.class_index = r.min(1);
        }
        inst
    }

    fn option(vacation: usize) -> Option_ {
        Option_ {
            vacation,
            rooms: Vec::new(),
            tele: true,
            minutes: 30,
            every_room: false,
        }
    }

    fn compat(options: Vec<Vec<usize>>, rooms: Vec<Vec<usize>>) -> Compatibility {
        let exclusions = vec![None; options.len()];
        let options = options
            .into_iter()
            .map(|o| o.into_iter().map(option).collect())
            .collect();
        Compatibility::new(options, exclusions, rooms)
    }

    fn shape(parts: &[Component]) -> Vec<(Vec<usize>, Vec<usize>)> {
        let mut s: Vec<_> = parts
            .iter()
            .map(|p| (p.requests.clone(), p.vacations.clone()))
            .collect();
        s.sort();
        s
    }

    #[test]
    fn a_shared_room_links_two_vacations() {
        let inst = three_requests();
        // Request 2 has no option: class 1 is moot, so requests 1 and 2 are not joined by it.
        let apart = compat(vec![vec![0], vec![1], vec![]], vec![vec![0], vec![1]]);
        assert_eq!(min_ratio_moot(&inst, &apart), BTreeSet::from([(1, 0)]));
        assert_eq!(
            shape(&split(&inst, &apart)),
            vec![(vec![0], vec![0]), (vec![1], vec![1])]
        );
        let shared = compat(vec![vec![0], vec![1], vec![]], vec![vec![0], vec![0, 1]]);
        assert_eq!(
            shape(&split(&inst, &shared)),
            vec![(vec![0, 1], vec![0, 1])]
        );
    }

    #[test]
    fn a_company_links_two_requests_and_brings_its_unschedulable_ones() {
        let mut inst = three_requests();
        inst.requests[1].company = 0;
        inst.requests[2].company = 0;
        let c = compat(vec![vec![0], vec![1], vec![]], vec![vec![0], vec![1]]);
        // One component; request 2 counts in its company's pending requests.
        assert_eq!(shape(&split(&inst, &c)), vec![(vec![0, 1, 2], vec![0, 1])]);
    }

    #[test]
    fn a_class_whose_smallest_ratio_can_rise_links_its_companies() {
        let inst = three_requests();
        // Requests 1 and 2 (class 1, two companies) both have options: level 2 may raise
        // the class's smallest ratio, which couples them.
        let c = compat(vec![vec![0], vec![1], vec![1]], vec![vec![0], vec![1]]);
        assert!(min_ratio_moot(&inst, &c).is_empty());
        assert_eq!(
            shape(&split(&inst, &c)),
            vec![(vec![0], vec![0]), (vec![1, 2], vec![1])]
        );
        let c = compat(vec![vec![0], vec![0], vec![1]], vec![vec![0], vec![1]]);
        assert_eq!(shape(&split(&inst, &c)), vec![(vec![0, 1, 2], vec![0, 1])]);
    }

    #[test]
    fn a_class_does_not_link_companies_of_two_services() {
        let mut inst = three_requests();
        inst.services = vec!["north".into(), "south".into()];
        inst.companies[2].service = 1;
        // Requests 1 and 2 share a class, but their companies belong to two services whose
        // ratios level 2 does not compare.
        let c = compat(vec![vec![0], vec![1], vec![0]], vec![vec![0], vec![1]]);
        assert_eq!(
            shape(&split(&inst, &c)),
            vec![(vec![0, 2], vec![0]), (vec![1], vec![1])]
        );
    }

    #[test]
    fn a_part_the_greedy_plan_leaves_short_in_more_classes_weighs_more() {
        // Part A: three requests of class 0 in vacation 0, 30 minutes each, all placed.
        // Part B: one request of each of classes 1-3 in vacation 1 (210 minutes), 120
        // minutes each: one placed, classes 2 and 3 short. Same pairs; B has the work.
        let text = include_str!("../../instances/tiny.json");
        let proto = parse_instance_json(text).expect("tiny parses");
        let mut inst = Instance::from_proto(&proto).expect("tiny is valid");
        assert!(inst.classes.len() >= 4 && inst.companies.len() >= 6);
        inst.requests.truncate(6);
        for (r, req) in inst.requests.iter_mut().enumerate() {
            req.company = r;
            req.class_index = r.saturating_sub(2);
        }
        let option = |vacation: usize, minutes: u32| Option_ {
            vacation,
            rooms: Vec::new(),
            tele: true,
            minutes,
            every_room: false,
        };
        let c = Compatibility::new(
            (0..6)
                .map(|r| vec![if r < 3 { option(0, 30) } else { option(1, 120) }])
                .collect(),
            vec![None; 6],
            vec![vec![0], vec![1]],
        );
        let mut parts = split(&inst, &c);
        assert_eq!(
            shape(&parts),
            vec![(vec![0, 1, 2], vec![0]), (vec![3, 4, 5], vec![1])]
        );
        assert_eq!(parts.iter().map(|p| p.pairs).collect::<Vec<_>>(), [3, 3]);
        weigh(&inst, &c, &mut parts);
        let weighed: Vec<_> = parts.iter().map(|p| (p.requests.clone(), p.work)).collect();
        assert_eq!(weighed, vec![(vec![3, 4, 5], 6), (vec![0, 1, 2], 3)]);
    }

    #[test]
    fn the_one_part_short_in_a_more_urgent_class_weighs_at_least_a_share_of_the_mean() {
        // Part A: four requests of classes 2, 3, 2, 3 in vacation 1 (210 minutes), 120
        // minutes each: one placed, classes 2 and 3 short; 4 pairs, work 8. Part B: two
        // requests of class 1 in vacation 0, 120 minutes each: one placed, class 1 short;
        // 2 pairs, work 2 by its pairs, but its gap outranks A's.
        let text = include_str!("../../instances/tiny.json");
        let proto = parse_instance_json(text).expect("tiny parses");
        let mut inst = Instance::from_proto(&proto).expect("tiny is valid");
        inst.requests.truncate(6);
        let classes = [2, 3, 2, 3, 1, 1];
        for (r, req) in inst.requests.iter_mut().enumerate() {
            req.company = r;
            req.class_index = classes[r];
        }
        let option = |vacation: usize| Option_ {
            vacation,
            rooms: Vec::new(),
            tele: true,
            minutes: 120,
            every_room: false,
        };
        let c = Compatibility::new(
            (0..6)
                .map(|r| vec![option(if r < 4 { 1 } else { 0 })])
                .collect(),
            vec![None; 6],
            vec![vec![0], vec![1]],
        );
        let mut parts = split(&inst, &c);
        weigh(&inst, &c, &mut parts);
        let weighed: Vec<_> = parts
            .iter()
            .map(|p| (p.requests.clone(), p.first_short, p.work))
            .collect();
        // The mean is 5: B weighs 0.6 × 5 = 3, not 2.
        assert_eq!(weighed, vec![(vec![0, 1, 2, 3], 2, 8), (vec![4, 5], 1, 3)]);
    }

    #[test]
    fn merged_stages_add_up_and_keep_the_weakest_status() {
        let stage = |objective: f64, status: &str, lp: Option<f64>| StageReport {
            name: "L1 tier 1 overdue".into(),
            objective,
            bound: objective,
            gap: 0.0,
            seconds: 1.0,
            status: status.into(),
            lp_bound: lp,
        };
        let (a, b) = (stage(3.0, "bound", None), stage(4.0, "lp bound", Some(4.5)));
        let m = merge_stage("L1 tier 1 overdue", &[&a, &b], false);
        assert_eq!((m.objective, m.bound, m.seconds), (7.0, 7.0, 2.0));
        assert_eq!((m.status.as_str(), m.lp_bound), ("lp bound", Some(7.5)));
        let s = StageReport {
            objective: f64::NAN,
            bound: f64::NAN,
            ..stage(0.0, "skipped", None)
        };
        let m = merge_stage("L1 tier 1 overdue", &[&a, &s], false);
        assert_eq!((m.objective, m.status.as_str()), (3.0, "time_limit"));
        // Skipped with the count its greedy completion reached: counted, without a bound.
        let filled = StageReport {
            objective: 2.0,
            ..s.clone()
        };
        let m = merge_stage("L1 tier 1 overdue", &[&a, &filled], false);
        assert_eq!((m.objective, m.status.as_str()), (5.0, "time_limit"));
        assert!(m.bound.is_nan() && m.lp_bound.is_none());
        // A component out of time before its LP: its count bound is no LP bound.
        let spent = StageReport {
            objective: 2.0,
            bound: 9.0,
            ..stage(2.0, "time_limit", None)
        };
        let m = merge_stage("L1 tier 1 overdue", &[&b, &spent], false);
        assert_eq!((m.objective, m.bound, m.lp_bound), (6.0, 13.0, None));
        let h = StageReport {
            bound: f64::NAN,
            ..stage(5.0, "heuristic", None)
        };
        let m = merge_stage("L1 tier 1 overdue LP rounding", &[&h, &h], false);
        assert_eq!((m.objective, m.status.as_str()), (10.0, "heuristic"));
        assert!(m.bound.is_nan() && m.lp_bound.is_none());
    }
}
