//! The four levels of the objective (design.md §1), as stages on the [`Runner`]:
//! 1. class by class, the number of scheduled requests;
//! 2. class by class, the smallest company service ratio, then their sum;
//! 3. total days of lateness;
//! 4. quality (referent, preferred professional and centre, grouping, rooms opened).

use super::aggregate::Aggregated;
use super::compat::Compatibility;
use super::dive;
use super::greedy::{self, Placements};
use super::highs_ext::HighsCallError;
use super::milp::Milp;
use super::neighbourhoods;
use super::repack;
use super::repair;
use super::stages::{Gaps, Runner, StageStatus};
use super::{lp_rounding, packing};
use crate::model::{Instance, Mode, Urgency};
use highs::Sense;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Human name of a class, e.g. "tier 1 overdue".
pub fn class_name(instance: &Instance, class: usize) -> String {
    let c = instance.classes[class];
    let u = match c.urgency {
        Urgency::Overdue => "overdue",
        Urgency::DueInHorizon => "due in horizon",
        Urgency::DueLater => "due later",
    };
    format!("tier {} {u}", c.tier)
}

/// "Scheduled" columns of the requests of each class.
fn class_columns(instance: &Instance, milp: &Milp) -> Vec<Vec<usize>> {
    let mut cols = vec![Vec::new(); instance.classes.len()];
    for (r, s) in milp.s_by_request.iter().enumerate() {
        if let Some(s) = s {
            cols[instance.requests[r].class_index].push(*s);
        }
    }
    cols
}

/// Assignment and "scheduled" columns of the requests of each class.
fn class_all_columns(instance: &Instance, milp: &Milp) -> Vec<Vec<usize>> {
    let mut cols = class_columns(instance, milp);
    for (r, list) in milp.x_by_request.iter().enumerate() {
        cols[instance.requests[r].class_index].extend(list.iter().copied());
    }
    cols
}

/// Level 1: maximise each class count in order and fix it. Returns true when every class
/// is proven optimal. `pinned` (sorted) columns are fixed at 1 by the caller.
///
/// The base model is a packing, so the requests of lower classes never constrain a class's
/// count: each stage sees only the columns of its class and those above (the others are
/// fixed at 0, and HiGHS's presolve drops them), which keeps the first stages small. Each
/// stage starts from the incumbent completed greedily with the class's own requests.
pub fn level1(
    instance: &Instance,
    compat: &Compatibility,
    milp: &Milp,
    run: &mut Runner,
    pinned: &[usize],
    stay: &[Option<usize>],
) -> Result<bool, HighsCallError> {
    let cols = class_columns(instance, milp);
    let mut all = class_all_columns(instance, milp);
    // Pinned columns (frozen appointments of a re-optimisation) stay at 1 throughout.
    for list in &mut all {
        list.retain(|i| pinned.binary_search(i).is_err());
    }
    let below: Vec<usize> = all.iter().skip(1).flatten().copied().collect();
    // Where the starting incumbent put each request (a previous plan's place in a
    // re-optimisation): each class tries those places first when it is filled again.
    let prefer = {
        let (placed, rooms) = super::read_solution(instance, milp, &run.sol);
        let mut prefer: Vec<greedy::Preference> = vec![None; instance.requests.len()];
        for p in placed {
            prefer[p.request] = Some((p.vacation, rooms[p.vacation], p.mode));
        }
        prefer
    };
    for &i in &below {
        run.sol[i] = 0.0;
    }
    run.set_bounds(&below, 0.0, 0.0)?;
    let mut proven = true;
    let proves = |lp: f64, current: f64| (lp + 1e-6).floor() <= current + 0.5;
    // The LP optimum of the counts of every class from some class on, together: a bound on
    // each of them (each class's stage has fewer free columns and more held rows). Solved
    // after a class was left short by its own LP (the capacity is then spent), it closes
    // the classes after the marginal one in one LP rather than one each.
    let mut tail: Option<f64> = None;
    let mut short_of_lp = false;
    // Some class's LP was under its count bound: the capacity binds from there on.
    let mut capacity_short = false;
    // Requests of each class that have an option: the count bound.
    let mut count_bound = vec![0usize; cols.len()];
    for (r, o) in instance.requests.iter().zip(&compat.options) {
        if !o.is_empty() {
            count_bound[r.class_index] += 1;
        }
    }
    for (c, list) in cols.iter().enumerate() {
        let name = format!("L1 {}", class_name(instance, c));
        // Out of time in a plain solve, the classes left go to the greedy completion of the
        // plan in one pass ([`super::solve`]): refilled here one by one, they took 4 s past
        // national's deadline (0.1-1 s each on 15 million columns).
        if !run.reoptimising && run.out_of_time() {
            run.skip(&name);
            proven = false;
            continue;
        }
        if c > 0 {
            run.set_bounds(&all[c], 0.0, 1.0)?;
        }
        // Refilled even out of time in a re-optimisation (milliseconds there): the lower
        // classes were taken out of the incumbent above, and a re-optimisation must find its
        // workers back in their places rather than in whatever a greedy completion gives
        // them.
        // Augmenting paths move placed appointments: not in a re-optimisation, where those
        // already back in place are pinned (the MILP alone may move the others).
        fill_class(instance, compat, milp, run, c, &prefer, stay.is_empty());
        // A re-optimisation's previous appointments of this class that are back in their
        // places stay there from now on: only a higher class may have pushed them out.
        let staying: Vec<usize> = (0..stay.len())
            .filter(|&r| instance.requests[r].class_index == c)
            .filter_map(|r| stay[r])
            .filter(|&i| run.sol[i] > 0.5)
            .collect();
        run.set_bounds(&staying, 1.0, 1.0)?;
        if run.out_of_time() {
            run.skip(&name);
            proven = false;
            continue;
        }
        // Bound: requests of the class that have any option.
        let bound = count_bound[c] as f64;
        let terms: Vec<(usize, f64)> = list.iter().map(|&i| (i, 1.0)).collect();
        let large = run.sol.len() > run.neighbourhood_above(NEIGHBOURHOOD_ABOVE_COLUMNS);
        let short = bound - run.value(&terms);
        // Not once a higher class was left short by its LP: the capacity is then spent, and
        // the search found nothing on national's amieure (1.3 s for its tier 11 classes).
        let repack =
            large && run.repack() && stay.is_empty() && !run.reoptimising && !capacity_short;
        if repack && short > 0.5 && short <= REPACK_SHORT {
            repack_class(instance, compat, milp, run, c, &name, bound as usize);
        }
        let current = run.value(&terms);
        let needs_lp = !terms.is_empty()
            && current < bound - 0.5
            && !tail.is_some_and(|t| proves(t, current))
            && run.until_share(LEVEL1_SHARE) > 0.01;
        // A new joint LP only when the last one, less what the classes since reached,
        // leaves little room: on a service short of capacity from a high class on
        // (national's amieure), each class after it was left short by its own LP and the
        // joint LP (1 s there) never proved one.
        let tail_room = tail.map_or(0.0, |t| t - current);
        if large
            && short_of_lp
            && needs_lp
            && c + 1 < cols.len()
            && tail_room <= TAIL_ROOM
            && later_fit(instance, compat, milp, run, c) <= TAIL_ROOM as usize
        {
            short_of_lp = false;
            let free: Vec<usize> = all[c + 1..].iter().flatten().copied().collect();
            let joint: Vec<(usize, f64)> = cols[c..].iter().flatten().map(|&i| (i, 1.0)).collect();
            tail = merged_lp_point(milp, run, &joint, &free)?.map(|(v, _)| v);
            tracing::debug!(
                class = c,
                bound = tail,
                "LP bound of this class and those after"
            );
        }
        let result = if terms.is_empty() {
            run.close(&name, 0.0, "bound")
        } else if current >= bound - 0.5 {
            run.close(&name, current, "bound")
        } else if let Some(t) = tail.filter(|&t| proves(t, current)) {
            run.close_by_lp(&name, current, t)
        } else if run.until_share(LEVEL1_SHARE) <= 0.01 {
            // Level 1's time is spent: not even the LP (half a minute on ciamt-week).
            run.spent(&name, current, bound)
        } else {
            // The LP relaxation proves the incumbent when its optimum rounds down to it.
            // Not in a re-optimisation's neighbourhood: its incumbent is short for want of
            // augmenting paths, so the LP proved none of the stages it ran, and the MILP's
            // root solves it again. After a one-day absence on ciamt-week, 0.2 s of 1.2 s
            // for the same plan (BENCHMARKS.md).
            let class_started = Instant::now();
            let lp = if large {
                merged_lp_point(milp, run, &terms, &[])?
            } else if !stay.is_empty() {
                None
            } else {
                run.lp_bound(Sense::Maximise, &terms)?
                    .map(|v| (v, Vec::new()))
            };
            // Rounded from the LP's point, the incumbent often meets the bound at once.
            let current = match lp.as_ref().filter(|(_, p)| !p.is_empty()) {
                Some((_, point)) if stay.is_empty() && !run.reoptimising && run.lp_rounding() => {
                    let lp_value = lp.as_ref().map_or(f64::INFINITY, |(v, _)| *v);
                    // Where the time left is many times the LP's, the dive has room to
                    // reach the LP's floor and prove the class (ciamt-week: 97 s after a
                    // 4 s LP); the restarts there cost seconds for nothing (466 → 468 in
                    // 11 s, the dive the same 97 s after). Short of it, they are what
                    // improves the plan.
                    let restarts =
                        run.left() < RESTARTS_BELOW * class_started.elapsed().as_secs_f64();
                    let rounding = Rounding {
                        point,
                        lp: lp_value,
                        name: &name,
                        restarts,
                    };
                    round_from_lp(instance, compat, milp, run, c, &cols, &rounding);
                    run.value(&terms)
                }
                _ => current,
            };
            short_of_lp = lp.as_ref().is_some_and(|&(v, _)| v < bound - 0.5);
            capacity_short |= short_of_lp;
            match lp {
                Some((lp, _)) if proves(lp, current) => run.close(&name, current, "lp bound"),
                lp => {
                    // The classes after this one that have requests to place may each
                    // need what this one took for its LP and rounding: that time stays
                    // theirs, beyond SEARCH_FACTOR times it for this class's searches.
                    // On national's amieure, short of capacity from its sixth class on, a
                    // class one request under its LP bound took 21 s of searches that
                    // found nothing, and the classes after it got only their greedy fill.
                    let took = class_started.elapsed().as_secs_f64();
                    let later = count_bound[c + 1..].iter().filter(|&&n| n > 0).count();
                    let unreserved = run.left() - later as f64 * took;
                    run.cap(
                        (run.left() * STAGE_SHARE)
                            .min(run.until_share(LEVEL1_SHARE))
                            .min(unreserved.max(SEARCH_FACTOR * took)),
                    );
                    // The plain LP's bound, or the dive's with patterns when lower.
                    let mut bound = lp.as_ref().map(|(v, _)| *v);
                    let searching = run.end_in() > SEARCH_AT_LEAST;
                    if let Some((lp, point)) =
                        lp.as_ref().filter(|(_, p)| searching && !p.is_empty())
                    {
                        let mut last = None;
                        // A few requests short of the LP: the LP's neighbourhood often
                        // finds them at once, where the dive takes minutes.
                        let dives = run.dives(milp.knapsack_vacations);
                        let near = proves(lp - NEAR_LP_REQUESTS, current);
                        if near && dives && run.near_lp_first() {
                            let seconds = run.end_in() * NEAR_LP_SHARE;
                            neighbourhoods::lp_support(
                                milp,
                                run,
                                &format!("{name} LP neighbourhood before the dive"),
                                &terms,
                                &all[..=c],
                                point,
                                seconds,
                            )?;
                        }
                        if dives && !proves(*lp, run.value(&terms)) {
                            let seconds = run.end_in() * DIVE_SHARE;
                            let dived = dive::pattern_dive(
                                instance,
                                milp,
                                run,
                                &name,
                                &terms,
                                (*lp, point),
                                seconds,
                            )?;
                            if let Some(b) = dived.bound {
                                bound = Some(b.min(*lp));
                            }
                            last = dived.last;
                        }
                        let b = bound.unwrap_or(*lp);
                        if !proves(b, run.value(&terms)) {
                            // The whole stage budget: the full MILP after it only gets what
                            // a finished search leaves, since its root LP alone can take
                            // longer than the budget.
                            let seconds = run.end_in();
                            neighbourhoods::lp_support(
                                milp,
                                run,
                                &format!("{name} LP neighbourhood"),
                                &terms,
                                &all[..=c],
                                last.as_deref().unwrap_or(point),
                                seconds,
                            )?;
                        }
                        if !proves(b, run.value(&terms)) {
                            let done = |reached| proves(b, reached);
                            neighbourhoods::local_search(
                                instance,
                                milp,
                                run,
                                &name,
                                &terms,
                                &all[..=c],
                                done,
                            )?;
                        }
                    }
                    let reached = run.value(&terms);
                    let result = match bound {
                        Some(b) if proves(b, reached) => run.close(&name, reached, "lp bound"),
                        Some(b) if run.too_short() => run.spent(&name, reached, b),
                        _ => {
                            let result =
                                run.optimise(&name, Sense::Maximise, &terms, Gaps::INTEGER)?;
                            match bound {
                                Some(b) => run.tighten(b, result),
                                None => result,
                            }
                        }
                    };
                    run.uncap();
                    result
                }
            }
        };
        if result.status == StageStatus::Stopped {
            proven = false;
        }
        if !terms.is_empty() {
            // Held exactly, not at `reached - 0.5`: in the LP relaxation of the stages
            // after, half a request per class would be given up for free, which on the
            // small preset lifts the bound of a lower class from 4.4 to 9.
            let reached = run.value(&terms).round();
            run.add_row(reached, f64::INFINITY, &terms)?;
            // The joint LP bounds the classes after this one by what is left of it: an
            // integer plan holding this class at `reached` is a point of that LP.
            tail = tail.map(|t| t - reached);
        }
    }
    Ok(proven)
}

/// Requests of the classes after `c` that a greedy completion of the incumbent places.
/// That plan is a point of the joint LP of class `c` and those after it, so the joint LP
/// leaves at least this many requests of room above class `c`'s count, and proves none of
/// them when it is more than [`TAIL_ROOM`]: national's amieure, short of some kinds of
/// professionals from its sixth class on, solved it (1.1 s of its 4.2 s) and proved
/// nothing, with 200 of its tier-14 requests still placed by the greedy pass.
fn later_fit(
    instance: &Instance,
    compat: &Compatibility,
    milp: &Milp,
    run: &Runner,
    c: usize,
) -> usize {
    let (placed, rooms) = super::read_solution(instance, milp, &run.sol);
    let before = placed.len();
    let later = |r: usize| instance.requests[r].class_index > c;
    let filled = greedy::complete_where(instance, compat, Placements { placed, rooms }, later);
    filled.placed.len() - before
}

/// The LP optimum of `terms` over the stage as it stands, with the columns `free` (classes
/// below, fixed at 0 in the stage) back in [0, 1], and its point: solved on a copy with
/// identical requests merged ([`Aggregated`]), which keeps the optimum, in a fifth of the
/// stage LP's time on ciamt-week's marginal class (BENCHMARKS.md). The point is the merged
/// one split evenly among each group's members, an optimal point of the stage's LP.
fn merged_lp_point(
    milp: &Milp,
    run: &mut Runner,
    terms: &[(usize, f64)],
    free: &[usize],
) -> Result<Option<(f64, Vec<f64>)>, HighsCallError> {
    let mut base = run.lp_copy(terms)?;
    for &c in free {
        base.col_lower[c] = 0.0;
        base.col_upper[c] = 1.0;
    }
    let merged = Aggregated::new(&base, milp);
    tracing::debug!(
        columns = base.cols(),
        merged = merged.cols(),
        fixed_at_zero = merged.lp.col_upper.iter().filter(|&&u| u == 0.0).count(),
        "LP relaxation on identical requests merged"
    );
    let point = run.lp_point_of(&merged.lp, Sense::Maximise)?;
    Ok(point.map(|(v, x)| (v, merged.lift_even(&x))))
}

/// Models above this many columns search the LP relaxation's neighbourhood before the
/// full MILP: there, HiGHS spends minutes on the root LP of the full model alone.
const NEIGHBOURHOOD_ABOVE_COLUMNS: usize = 20_000;
/// Share of the time left that one level-1 MILP stage may take; the rest goes to the
/// classes and levels after it. With [`DIVE_SHARE`], about 190 s of the default 300 s for
/// ciamt-week's marginal dive, which proves the class in about 170 s (it had 117 s with
/// 0.6 and 0.7, and the searches after it reached 435-455 of 469; BENCHMARKS.md).
const STAGE_SHARE: f64 = 0.8;
/// Share of a level-1 stage's budget that the LP dive may take; the LP-support and local
/// searches get the rest, from the dive's last point when it stopped before the end.
const DIVE_SHARE: f64 = 0.85;
/// At most this many requests between a large stage's incumbent and its LP bound, the LP
/// neighbourhood is searched before the dive, for [`NEAR_LP_SHARE`] of the stage's budget.
/// On ciamt-week seed 3 the class above the marginal one starts one request short of its
/// LP bound; the dive took 160 s to find it, this search 17.5 s (BENCHMARKS.md). Only gaps
/// of one request were measured.
const NEAR_LP_REQUESTS: f64 = 2.0;
/// At most this long to pack a level-1 incumbent ([`packing`]) before its stage: the LP
/// comes next, and its rounding packs again.
const FILL_PACKING: Duration = Duration::from_millis(250);
/// Share of the stage's budget for that early search.
const NEAR_LP_SHARE: f64 = 0.15;
/// At most this many perturbed roundings of a stage's LP ([`round_from_lp`]).
const MAX_RESTARTS: usize = 16;
/// Those roundings run only when the time left is under this many times what the stage's
/// LP took: above, the dive has room to prove the class.
const RESTARTS_BELOW: f64 = 10.0;
/// Share of the time left that those roundings may take.
const RESTARTS_SHARE: f64 = 0.8;
/// How far a perturbed rounding scales each LP value: by 0.9 to 1.1.
const RESTART_SPREAD: f64 = 0.2;
/// A large level-1 stage at most this many requests short of its count bound is re-packed
/// part by part ([`repack`]) before its LP.
const REPACK_SHORT: f64 = 3.0;
/// At most this long for that search.
const REPACK_SECONDS: f64 = 2.0;
/// Nor more than this share of the time left.
const REPACK_SHARE: f64 = 0.1;
/// A new joint LP of a class and those after it is solved only when the last one, less
/// what the classes since reached, leaves at most this many requests of room.
const TAIL_ROOM: f64 = 5.0;
/// A level-1 stage's searches may take at least this many times what its LP and rounding
/// took, whatever the classes after it need: on amieure's tier 12 due later (0.8 s of LP
/// and rounding), the LP's neighbourhood found the request that meets its bound in 1.2 s.
const SEARCH_FACTOR: f64 = 4.0;
/// Under this many seconds of budget, a level-1 stage starts no search (the dive alone
/// takes 0.2-1.3 s to set up on a national service).
const SEARCH_AT_LEAST: f64 = 0.05;
/// Share of the whole time limit after which level-1 stages stop branching, so that
/// levels 2-4 keep the rest. Measured with 0.7 (BENCHMARKS.md): on ami-eure-week and
/// ciamt-week the level-2 stage of the marginal class used the 30 % and improved nothing,
/// while lower classes stayed far from their LP bounds; level 1 comes first.
const LEVEL1_SHARE: f64 = 0.9;

/// A level-1 stage's LP, to round from.
struct Rounding<'a> {
    /// The LP's point, a value per base column.
    point: &'a [f64],
    /// The LP's optimum: its floor is the most the class can reach.
    lp: f64,
    /// The stage's name.
    name: &'a str,
    /// Whether perturbed roundings may follow the first one.
    restarts: bool,
}

/// Replaces the incumbent by the plan rounded from the LP's point ([`lp_rounding`]) when
/// that plan holds the count of every class above `c` and schedules more of `c`; recorded
/// as the heuristic stage `<name> LP rounding`. Short of the LP's floor, and where
/// `lp.restarts` allows, the point is rounded again, perturbed
/// ([`lp_rounding::perturbed`]), in the order that won, within [`RESTARTS_SHARE`] of the
/// time left: ties broken another way place one or two more requests on a quarter to a
/// third of the restarts (national's services, 12 restarts each: provence 319-322,
/// garonne 514-516, rhone 341-342, alsace 391-394 against LP bounds of 322.4, 517.8, 342.8
/// and 395.6).
fn round_from_lp(
    instance: &Instance,
    compat: &Compatibility,
    milp: &Milp,
    run: &mut Runner,
    c: usize,
    cols: &[Vec<usize>],
    lp: &Rounding,
) {
    let t0 = Instant::now();
    // A component's first rounding may overrun its budget a little: cut, it places far
    // fewer (national's garonne: 498 against 515 of 517.8 when its LP ends 0.3 s later).
    let (mut plan, order) = lp_rounding::round(
        instance,
        compat,
        milp,
        lp.point,
        c,
        run.rounding_deadline(),
        run.packing(),
    );
    let mut counts = lp_rounding::class_counts(instance, &plan);
    let first = counts[c];
    // One order takes about half of the two.
    let each = t0.elapsed().as_secs_f64() / 2.0;
    let until = Instant::now() + Duration::from_secs_f64(run.left() * RESTARTS_SHARE);
    let floor = (lp.lp + 1e-6).floor();
    let mut restarts = 0;
    while lp.restarts
        && restarts < MAX_RESTARTS
        && (counts[c] as f64) < floor
        && Instant::now() + Duration::from_secs_f64(each) < until
    {
        restarts += 1;
        let point = lp_rounding::perturbed(lp.point, RESTART_SPREAD, restarts as u64);
        let again = lp_rounding::round_in(
            instance,
            compat,
            milp,
            &point,
            c,
            run.deadline(),
            run.packing(),
            order,
        );
        let again_counts = lp_rounding::class_counts(instance, &again);
        if again_counts[..=c] > counts[..=c] {
            (plan, counts) = (again, again_counts);
        }
    }
    if let Some(path) = super::stages::dump_path("", &format!("rounding-{c}")) {
        let text = |v: &[f64]| v.iter().map(|x| format!("{x}\n")).collect::<String>();
        let _ = std::fs::write(path.with_extension("point"), text(lp.point));
        let _ = std::fs::write(
            path.with_extension("start"),
            text(&super::start_vector(milp, &plan)),
        );
    }
    let held = |k: usize| cols[k].iter().map(|&i| run.sol[i]).sum::<f64>().round() as usize;
    let keeps = (0..c).all(|k| counts[k] >= held(k));
    let before = held(c);
    tracing::debug!(
        class = c,
        before,
        rounded = counts[c],
        first,
        ?order,
        restarts,
        keeps,
        seconds = t0.elapsed().as_secs_f64(),
        "LP rounding"
    );
    let kept = keeps && counts[c] > before;
    if kept {
        run.sol = super::start_vector(milp, &plan);
    }
    let reached = if kept { counts[c] } else { before };
    run.heuristic(
        &format!("{} LP rounding", lp.name),
        reached as f64,
        t0.elapsed().as_secs_f64(),
    );
}

/// Re-packs the incumbent part by part ([`repack`]) towards `target` requests of class `c`
/// (its count bound), within [`REPACK_SECONDS`]; recorded as the heuristic stage `<name>
/// re-packed` when it places any. On the national preset's `ciamt` service, two classes
/// one request short of their count each took an LP of 3-4 s to place it, and the marginal
/// class after them got no LP in the service's 11 s.
fn repack_class(
    instance: &Instance,
    compat: &Compatibility,
    milp: &Milp,
    run: &mut Runner,
    c: usize,
    name: &str,
    target: usize,
) {
    let t0 = Instant::now();
    let (placed, rooms) = super::read_solution(instance, milp, &run.sol);
    let mut plan = Placements { placed, rooms };
    let until = run
        .deadline()
        .min(t0 + Duration::from_secs_f64(REPACK_SECONDS.min(run.left() * REPACK_SHARE)));
    let gained = repack::improve(instance, compat, &mut plan, c, target, until, &*run);
    tracing::debug!(
        class = c,
        gained,
        seconds = t0.elapsed().as_secs_f64(),
        "re-packed part by part"
    );
    if gained > 0 {
        run.sol = super::start_vector(milp, &plan);
        let reached = lp_rounding::class_counts(instance, &plan)[c];
        run.heuristic(
            &format!("{name} re-packed"),
            reached as f64,
            t0.elapsed().as_secs_f64(),
        );
    }
}

/// Extends the incumbent with requests of class `c`, greedily then along augmenting paths
/// (only base columns exist during level 1).
fn fill_class(
    instance: &Instance,
    compat: &Compatibility,
    milp: &Milp,
    run: &mut Runner,
    c: usize,
    prefer: &[greedy::Preference],
    repair_paths: bool,
) {
    let (placed, rooms) = super::read_solution(instance, milp, &run.sol);
    let before = placed.len();
    let in_class = |r: usize| instance.requests[r].class_index == c;
    let filled = greedy::complete_preferring(
        instance,
        compat,
        Placements { placed, rooms },
        in_class,
        prefer,
    );
    let mut wanted: Vec<usize> = (0..instance.requests.len())
        .filter(|&r| in_class(r))
        .collect();
    wanted.sort_by_key(|&r| (instance.requests[r].due_day.unwrap_or(i64::MAX), r));
    let greedy_count = filled.placed.len();
    let filled = if repair_paths {
        let repaired = repair::insert(instance, compat, filled, &wanted, run.deadline());
        if run.packing() {
            let until = run.deadline().min(Instant::now() + FILL_PACKING);
            packing::pack(instance, compat, repaired, &wanted, until)
        } else {
            repaired
        }
    } else {
        filled
    };
    tracing::debug!(
        class = c,
        before,
        greedy = greedy_count,
        repaired = filled.placed.len(),
        "level-1 incumbent"
    );
    if filled.placed.len() > before {
        run.sol = super::start_vector(milp, &filled);
    }
}

/// Level 2: per class, then per service (one group for a one-service instance), maximise
/// the smallest company service ratio, then their sum. A service's companies are only
/// compared with each other: they share its professionals and no other service's.
pub fn level2(
    instance: &Instance,
    compat: &Compatibility,
    milp: &Milp,
    run: &mut Runner,
) -> Result<(), HighsCallError> {
    for c in 0..instance.classes.len() {
        // Per service, the companies of the class: pending count, columns, schedulable
        // count.
        let mut groups: BTreeMap<usize, Companies> = BTreeMap::new();
        for (r, req) in instance.requests.iter().enumerate() {
            if req.class_index != c {
                continue;
            }
            let e = groups
                .entry(instance.service_of(req))
                .or_default()
                .entry(req.company)
                .or_insert((0.0, Vec::new(), 0.0));
            e.0 += 1.0;
            e.1.extend(milp.s_by_request[r]);
            if !compat.options[r].is_empty() {
                e.2 += 1.0;
            }
        }
        for (service, companies) in &groups {
            let mut name = class_name(instance, c);
            if instance.services.len() > 1 {
                name = format!("{name} {}", instance.services[*service]);
            }
            if run.out_of_time() {
                run.skip(&format!("L2 {name}"));
                continue;
            }
            let moot_elsewhere = run.min_ratio_moot(c, *service);
            level2_group(run, &name, companies, moot_elsewhere)?;
        }
    }
    Ok(())
}

/// Per company of a class and service: pending requests, their `s` columns, and how many
/// of them have an option.
type Companies = BTreeMap<usize, (f64, Vec<usize>, f64)>;

/// Level 2 for the companies of one class and service: the smallest ratio (unless
/// `moot_elsewhere`: a company outside this component has nothing schedulable), then the
/// sum of ratios, each held before what follows.
fn level2_group(
    run: &mut Runner,
    name: &str,
    companies: &Companies,
    moot_elsewhere: bool,
) -> Result<(), HighsCallError> {
    let count: Vec<(usize, f64)> = companies
        .values()
        .flat_map(|(_, cols, _)| cols.iter().map(|&i| (i, 1.0)))
        .collect();
    let scheduled = run.value(&count).round();
    let pending: f64 = companies.values().map(|e| e.0).sum();
    // Every ratio is fixed when the class is empty or full, or held by one company.
    if companies.len() < 2 || scheduled < 0.5 || scheduled > pending - 0.5 {
        return Ok(());
    }
    let ratio_of = |run: &Runner, cols: &[usize], p: f64| {
        cols.iter().map(|&i| run.sol[i]).sum::<f64>().round() / p
    };
    // Smallest ratio: moot when some company can have nothing scheduled.
    let cap = companies
        .values()
        .map(|(p, _, s)| s / p)
        .fold(f64::INFINITY, f64::min);
    // A component of a decomposed solve whose class has a company without options
    // elsewhere: the class's smallest ratio is 0, as the undecomposed solve finds it.
    let current_min = if moot_elsewhere {
        0.0
    } else {
        companies
            .values()
            .map(|(p, cols, _)| ratio_of(run, cols, *p))
            .fold(f64::INFINITY, f64::min)
    };
    let min_name = format!("L2 min ratio {name}");
    let reached = if moot_elsewhere || cap <= 0.0 || current_min >= cap - 1e-9 {
        run.close(&min_name, current_min, "bound");
        current_min
    } else {
        let z = run.add_col(0.0, 1.0, false, current_min)?;
        for (p, cols, _) in companies.values() {
            let mut row: Vec<(usize, f64)> = cols.iter().map(|&i| (i, 1.0)).collect();
            row.push((z, -p));
            run.add_row(0.0, f64::INFINITY, &row)?;
        }
        run.optimise(&min_name, Sense::Maximise, &[(z, 1.0)], Gaps::EXACT)?;
        run.set_bounds(&[z], 0.0, 0.0)?;
        run.sol[z] = 0.0;
        companies
            .values()
            .map(|(p, cols, _)| ratio_of(run, cols, *p))
            .fold(f64::INFINITY, f64::min)
    };
    // Hold the smallest ratio, however it was reached, as integer floors per company:
    // exact, no fractional tolerance.
    for (p, cols, _) in companies.values() {
        let need = (reached * p - 1e-9).ceil();
        if need > 0.0 {
            let row: Vec<(usize, f64)> = cols.iter().map(|&i| (i, 1.0)).collect();
            run.add_row(need, f64::INFINITY, &row)?;
        }
    }
    // Sum of ratios.
    let terms: Vec<(usize, f64)> = companies
        .values()
        .flat_map(|(p, cols, _)| cols.iter().map(move |&i| (i, 1.0 / p)))
        .collect();
    let sum_name = format!("L2 sum ratios {name}");
    let cap_sum: f64 = companies.values().map(|(p, _, s)| s / p).sum();
    if run.value(&terms) >= cap_sum - 1e-9 {
        run.close(&sum_name, run.value(&terms), "bound");
    } else {
        run.optimise(&sum_name, Sense::Maximise, &terms, Gaps::EXACT)?;
    }
    let reached: f64 = companies
        .values()
        .map(|(p, cols, _)| ratio_of(run, cols, *p))
        .sum();
    run.add_row(reached - 1e-9, f64::INFINITY, &terms)?;
    Ok(())
}

/// Days late of request `r` in vacation `v`.
pub fn lateness(instance: &Instance, r: usize, v: usize) -> i64 {
    let req = &instance.requests[r];
    req.due_day
        .map_or(0, |d| (instance.vacations[v].day - d).max(0))
}

/// Level 3: minimise the total days of lateness, then fix it.
pub fn level3(instance: &Instance, milp: &Milp, run: &mut Runner) -> Result<(), HighsCallError> {
    if run.out_of_time() {
        run.skip("L3 lateness");
        return Ok(());
    }
    let terms: Vec<(usize, f64)> = milp
        .x
        .iter()
        .enumerate()
        .filter_map(|(i, x)| {
            let late = lateness(instance, x.request, x.vacation);
            (late > 0).then_some((i, late as f64))
        })
        .collect();
    if terms.is_empty() || run.value(&terms) < 0.5 {
        run.close("L3 lateness", run.value(&terms), "bound");
        return Ok(());
    }
    run.optimise("L3 lateness", Sense::Minimise, &terms, Gaps::INTEGER)?;
    let reached = run.value(&terms).round();
    run.add_row(f64::NEG_INFINITY, reached, &terms)
}

/// Level 4: maximise the weighted quality terms.
pub fn level4(
    instance: &Instance,
    compat: &Compatibility,
    milp: &Milp,
    run: &mut Runner,
) -> Result<(), HighsCallError> {
    if run.out_of_time() {
        run.skip("L4 quality");
        return Ok(());
    }
    let w = instance.weights;
    let mut terms: Vec<(usize, f64)> = Vec::new();
    // Per-appointment bonuses: referent, preferred professional, preferred centre when the
    // vacation has a single candidate centre.
    let mut pairs: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
    for (i, x) in milp.x.iter().enumerate() {
        let req = &instance.requests[x.request];
        let vac = &instance.vacations[x.vacation];
        let company = &instance.companies[req.company];
        let mut bonus = 0.0;
        if company.referent == Some(vac.professional) {
            bonus += w.referent;
        }
        if req.preferred_professional == Some(vac.professional) {
            bonus += w.preferred_professional;
        }
        let wanted = req.preferred_centre.or(company.home_centre);
        if let (Mode::InPerson, Some(c)) = (x.mode, wanted) {
            if vac.centres == [c] {
                bonus += w.preferred_centre;
            } else if vac.centres.contains(&c) && w.preferred_centre > 0.0 {
                // w <= x and w <= rooms of that centre the visit may use.
                let rooms: Vec<usize> = compat.options[x.request][x.option]
                    .rooms
                    .iter()
                    .copied()
                    .filter(|&k| instance.rooms[k].centre == c)
                    .collect();
                let ycols: Vec<usize> = milp
                    .y
                    .iter()
                    .enumerate()
                    .filter(|(_, y)| y.vacation == x.vacation && rooms.contains(&y.room))
                    .map(|(j, _)| milp.y_col(j))
                    .collect();
                let start = if run.sol[i] > 0.5 && ycols.iter().any(|&y| run.sol[y] > 0.5) {
                    1.0
                } else {
                    0.0
                };
                let col = run.add_col(0.0, 1.0, true, start)?;
                run.add_row(f64::NEG_INFINITY, 0.0, &[(col, 1.0), (i, -1.0)])?;
                let mut row: Vec<(usize, f64)> = ycols.iter().map(|&y| (y, -1.0)).collect();
                row.push((col, 1.0));
                run.add_row(f64::NEG_INFINITY, 0.0, &row)?;
                terms.push((col, w.preferred_centre));
            }
        }
        if bonus > 0.0 {
            terms.push((i, bonus));
        }
        pairs.entry((req.company, x.vacation)).or_default().push(i);
    }
    // Company spread: g[k,v] >= x for each of k's columns in v; u_k <= Σ_v g[k,v]; the
    // penalty is Σ g - Σ u = extra vacations per company.
    if w.company_spread > 0.0 {
        let mut by_company: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for ((k, _), cols) in &pairs {
            let start = if cols.iter().any(|&i| run.sol[i] > 0.5) {
                1.0
            } else {
                0.0
            };
            let g = run.add_col(0.0, 1.0, true, start)?;
            for &i in cols {
                run.add_row(f64::NEG_INFINITY, 0.0, &[(i, 1.0), (g, -1.0)])?;
            }
            terms.push((g, -w.company_spread));
            by_company.entry(*k).or_default().push(g);
        }
        for gs in by_company.values() {
            let start = if gs.iter().any(|&g| run.sol[g] > 0.5) {
                1.0
            } else {
                0.0
            };
            let u = run.add_col(0.0, 1.0, false, start)?;
            let mut row: Vec<(usize, f64)> = gs.iter().map(|&g| (g, -1.0)).collect();
            row.push((u, 1.0));
            run.add_row(f64::NEG_INFINITY, 0.0, &row)?;
            terms.push((u, w.company_spread));
        }
    }
    // Rooms opened: open[k] >= y[v,k].
    if w.room_opened > 0.0 {
        let mut by_room: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (j, y) in milp.y.iter().enumerate() {
            by_room.entry(y.room).or_default().push(milp.y_col(j));
        }
        for ys in by_room.values() {
            let start = if ys.iter().any(|&y| run.sol[y] > 0.5) {
                1.0
            } else {
                0.0
            };
            let open = run.add_col(0.0, 1.0, false, start)?;
            for &y in ys {
                run.add_row(f64::NEG_INFINITY, 0.0, &[(y, 1.0), (open, -1.0)])?;
            }
            terms.push((open, -w.room_opened));
        }
    }
    if terms.is_empty() {
        run.close("L4 quality", 0.0, "bound");
        return Ok(());
    }
    let gaps = Gaps {
        abs: 1e-6,
        rel: instance.settings.relative_gap,
    };
    run.optimise("L4 quality", Sense::Maximise, &terms, gaps)?;
    Ok(())
}
