//! An LP dive that finds a level-1 stage's optimum on models too large to branch on.
//!
//! Once every centre vacation holds a fixed room and every vacation a fixed capacity
//! pattern (how many appointments of each length), what is left of a level-1 stage is a
//! flow: classes → requests → (vacation, length) slots, with the held class counts as lower
//! bounds on the first arcs. Its LP optimum is integral. So the dive writes a pattern
//! choice for every vacation that still has a plain knapsack row (that LP bounds the stage
//! too, sometimes tighter than the plain one), asks for the bound's floor as a row, rounds
//! the rooms (or, when the rounding loses the target, dives on them), then fixes vacation
//! after vacation to the LP's largest pattern, re-solving the LP by warm-started simplex
//! after each batch. A batch that leaves the LP infeasible is halved, the last optimal basis
//! restored; a single pattern that can be neither 1 nor 0 is set aside. With every room and
//! pattern fixed, the assignments still fractional (vacations left with a knapsack row) are
//! settled by a small MILP over their vacations ([`Dive::finish`]), else one by one. When
//! nothing is fractional the LP's point is a plan that reaches the bound: the stage is
//! proven. A dead end lowers the target by one (a better incumbent, no proof) and goes on.
//!
//! The dive runs on a copy of the stage's LP in its own HiGHS instance, with identical
//! requests merged ([`super::aggregate`]), so the stage model is untouched; the point it
//! ends on is lifted back to the requests and checked against every row and bound of the
//! stage before it becomes the incumbent. On ciamt-week's marginal class (215,306 columns,
//! 101,079 merged) it reaches 469, the floor of the LP bound 469.4, in 140-170 s, where the
//! neighbourhood searches reach 435-467 (BENCHMARKS.md).

use super::aggregate::Aggregated;
use super::capacity;
use super::highs_ext::{self, HighsCallError, Lp};
use super::milp::Milp;
use super::stages::Runner;
use crate::model::Instance;
use highs::{HighsModelStatus, Sense};
use std::collections::BTreeMap;
use std::time::Instant;

/// Candidates fixed per LP solve at first: the batch doubles after a success (up to
/// [`MAX_BATCH`]) and halves after a failure. Fixing one at a time took ciamt-week's
/// marginal class 400 solves of up to 2 s each.
const BATCH: usize = 8;
/// Largest batch.
const MAX_BATCH: usize = 64;
/// A vacation with more maximal patterns than this keeps its knapsack row; the dive then
/// fixes its fractional assignments directly.
const MAX_PATTERNS: usize = 5_000;
/// Simplex iterations one warm-started LP of the dive may take: a batch whose fixings are
/// infeasible can keep the dual simplex busy for minutes; stopped, it counts as
/// infeasible. Within this, the limit is [`STEP_FACTOR`] times the recent successful
/// solves' iterations. The limit counts iterations, not seconds, so that the dive takes
/// the same path on a loaded machine as on a quiet one: with a limit in seconds (three
/// times the recent solves, at most 3 s) ciamt-week's marginal dive proved the class once
/// in 332 s and, on the same code, ran out of its 480 s budget twice. HiGHS runs about 250
/// iterations a second on that LP here, so 800 is about the 3 s that made the proof; a cap
/// of 40,000 let stopped steps take 20-28 s each and the dive made 53 steps in 426 s
/// (BENCHMARKS.md).
const MAX_STEP_ITERATIONS: f64 = 800.0;
/// Fewest simplex iterations a step may take before it counts as failed (about the old
/// 0.5 s floor).
const MIN_STEP_ITERATIONS: f64 = 150.0;
/// A step may take this many times the recent successful steps' iterations. Measured on
/// ciamt-week's marginal dive with the time limit it replaces: ten times made batches grow
/// to 32 and the dive slower than three times.
const STEP_FACTOR: f64 = 3.0;
/// Wall-clock guard of one step, far above what its iteration limit takes (a few seconds
/// on ciamt-week): only a stalled simplex meets it.
const STEP_GUARD_SECONDS: f64 = 60.0;
/// Values within this of 0 or 1 count as integral.
const INTEGRAL: f64 = 1e-6;

/// Farther than [`INTEGRAL`] from every integer.
fn fractional(v: f64) -> bool {
    (v - v.round()).abs() > INTEGRAL
}

/// What the dive ended with, for the stage's log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The incumbent already meets the floor of the LP bound (plain or with patterns):
    /// nothing to dive for.
    Nothing,
    /// Some column could be neither 1 nor 0 for any target above the incumbent (or the
    /// end point failed the check against the stage's rows).
    DeadEnd,
    /// Out of time (or stopped) before the end.
    OutOfTime,
    /// Reached an integral point of this many requests, now the incumbent.
    Reached(u32),
}

/// What a dive found.
#[derive(Debug, Clone)]
pub struct Dived {
    /// How it ended.
    pub outcome: Outcome,
    /// The LP bound with every vacation's capacity written as patterns, when solved: a
    /// valid bound on the stage, sometimes below the plain LP's.
    pub bound: Option<f64>,
    /// The last LP point solved (base columns): stopped before the end, nearer to integral
    /// than the first, a better support for [`super::neighbourhoods::lp_support`].
    pub last: Option<Vec<f64>>,
}

impl Dived {
    fn new(outcome: Outcome, last: Option<Vec<f64>>, bound: Option<f64>) -> Self {
        Dived {
            outcome,
            bound,
            last,
        }
    }
}

/// Dives on the LP relaxation of a level-1 stage whose objective is `terms` (plain LP
/// optimum `lp` at `point`), for `seconds` at most, and makes the plan it reaches the
/// incumbent when it is better. Recorded as a heuristic stage `<name> LP dive`.
pub fn pattern_dive(
    instance: &Instance,
    milp: &Milp,
    run: &mut Runner,
    name: &str,
    terms: &[(usize, f64)],
    (lp, point): (f64, &[f64]),
    seconds: f64,
) -> Result<Dived, HighsCallError> {
    let before = run.value(terms);
    let mut dived = Dived {
        outcome: Outcome::Nothing,
        bound: None,
        last: None,
    };
    if (lp + INTEGRAL).floor() <= before + 0.5 {
        return Ok(dived);
    }
    let t0 = Instant::now();
    let until = t0 + std::time::Duration::from_secs_f64(seconds.max(0.0));
    let base = run.lp_copy(terms)?;
    // The dive works on identical requests merged: its LP is half the size and without
    // the symmetric optima among which the simplex wandered.
    let agg = Aggregated::new(&base, milp);
    let n = agg.cols();
    let of = |c: usize| agg.of_col[c];
    let patterns = added_patterns(instance, milp, &base);
    let mut lpm = run.lp_instance(&agg.lp, Sense::Maximise, false)?;
    let mut zs: Vec<(usize, usize)> = milp
        .z
        .iter()
        .enumerate()
        .map(|(j, z)| (of(milp.z_col(j)), z.vacation))
        .collect();
    add_patterns(
        &mut lpm,
        instance,
        milp,
        &patterns,
        (n, &agg.of_col),
        &mut zs,
    )?;
    dump_lp(&mut lpm, name);
    let ys: Vec<(usize, usize)> = milp
        .y
        .iter()
        .enumerate()
        .map(|(j, y)| (of(milp.y_col(j)), y.vacation))
        .collect();
    let (merged, groups) = agg.merged();
    tracing::debug!(
        stage = name,
        columns = base.cols(),
        aggregated = n,
        merged,
        groups,
        "LP dive: identical requests merged"
    );
    let bounds = (agg.lp.col_lower.clone(), agg.lp.col_upper.clone());
    let total = lpm.num_cols();
    let mut vacation_of = vec![None; total];
    let mut owner = vec![None; total];
    for (xs, s) in milp.x_by_request.iter().zip(&milp.s_by_request) {
        for &i in xs {
            vacation_of[of(i)] = Some(milp.x[i].vacation);
            owner[of(i)] = s.map(of);
        }
    }
    for &(c, v) in &zs {
        vacation_of[c] = Some(v);
    }
    let mut dive = Dive {
        model: Some(lpm),
        run,
        until,
        good: None,
        batch: BATCH,
        typical: None,
        steps: StepCounts::default(),
        lower: bounds.0,
        upper: bounds.1,
        vacation_of,
        owner,
    };
    let rooms: Vec<(usize, f64)> = round_rooms(instance, milp, &base, point)
        .into_iter()
        .map(|(c, v)| (of(c), v))
        .collect();
    let aterms = agg.terms(terms);
    let Dived {
        outcome,
        bound,
        last,
    } = dive.run(&aterms, (lp, before), &rooms, &[&ys, &zs], n)?;
    let steps = dive.steps;
    let run = dive.run;
    dived.bound = bound;
    let mut reached = None;
    if let (Outcome::Reached(_), Some(values)) = (outcome, &last) {
        let candidate = agg.lift_integral(&values[..n]);
        let fractional = values.iter().take(n).any(|&v| fractional(v));
        // Within the stage's own bounds and rows: a plan of the stage.
        let violation = base.violation(&candidate);
        if fractional || violation > 1e-6 || candidate.len() != run.sol.len() {
            tracing::error!(
                stage = name,
                violation,
                fractional,
                "LP dive ended on a point that is not a plan; ignored"
            );
        } else {
            reached = Some(candidate);
        }
    }
    dived.outcome = match (outcome, reached) {
        (Outcome::Reached(_), Some(candidate)) => {
            let value: f64 = terms.iter().map(|&(c, w)| w * candidate[c]).sum();
            if value > before + 0.5 {
                run.sol = candidate;
            }
            Outcome::Reached(value.round() as u32)
        }
        (Outcome::Reached(_), None) => Outcome::DeadEnd,
        (o, _) => o,
    };
    let seconds = t0.elapsed().as_secs_f64();
    run.heuristic(&format!("{name} LP dive"), run.value(terms), seconds);
    tracing::debug!(
        stage = name,
        before,
        after = run.value(terms),
        lp,
        pattern_bound = bound,
        outcome = ?dived.outcome,
        steps_optimal = steps.optimal,
        steps_infeasible = steps.infeasible,
        steps_stopped = steps.stopped,
        step_iterations = steps.iterations,
        seconds,
        "LP dive done"
    );
    dived.last = last.map(|v| agg.lift_even(&v[..n]));
    Ok(dived)
}

/// With `CONVOPLAN_DUMP_DIR` set, writes the dive's LP with its patterns (`dive-<stage>.mps`)
/// before it is solved, so that a slow dive can be studied offline.
fn dump_lp(model: &mut highs::Model, name: &str) {
    let Some(path) = super::stages::dump_path("dive-", name) else {
        return;
    };
    if let Err(e) = highs_ext::write_model(model, &path.with_extension("mps")) {
        tracing::warn!(error = %e, "dive LP not written");
    }
}

/// One room per centre vacation (or none), as `(column, value)` for every room column: the
/// LP's largest room values first, each kept when the room is free over the vacation's span
/// that day. Rooms already fixed at 1 (pins of a re-optimisation) come first.
fn round_rooms(instance: &Instance, milp: &Milp, lp: &Lp, point: &[f64]) -> Vec<(usize, f64)> {
    let mut order: Vec<usize> = (0..milp.y.len()).collect();
    let key = |j: usize| {
        let c = milp.y_col(j);
        let pinned = lp.col_lower[c] > 0.5;
        (pinned, point.get(c).copied().unwrap_or(0.0))
    };
    order.sort_by(|&a, &b| {
        key(b)
            .partial_cmp(&key(a))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut held = vec![false; instance.vacations.len()];
    let mut busy: BTreeMap<(usize, i64), Vec<(u32, u32)>> = BTreeMap::new();
    let mut chosen = vec![false; milp.y.len()];
    for j in order {
        let c = milp.y_col(j);
        let (pinned, value) = key(j);
        if (!pinned && value < INTEGRAL) || lp.col_upper[c] < 0.5 {
            continue;
        }
        let y = milp.y[j];
        let v = &instance.vacations[y.vacation];
        if held[y.vacation] {
            continue;
        }
        let spans = busy.entry((y.room, v.day)).or_default();
        if spans.iter().any(|&(s, e)| s < v.end && v.start < e) {
            continue;
        }
        spans.push((v.start, v.end));
        held[y.vacation] = true;
        chosen[j] = true;
    }
    chosen
        .iter()
        .enumerate()
        .map(|(j, &on)| (milp.y_col(j), if on { 1.0 } else { 0.0 }))
        .collect()
}

/// The pattern choice of one vacation that had a plain knapsack row.
struct Choice {
    vacation: usize,
    /// Assignment columns per length, and the patterns (a count per length).
    lengths: Vec<(u32, Vec<usize>)>,
    patterns: Vec<Vec<u32>>,
}

/// Pattern choices for the vacations whose minutes can overflow their span and that have
/// no patterns in the base model, over the assignment columns still open in `lp`.
fn added_patterns(instance: &Instance, milp: &Milp, lp: &Lp) -> Vec<Choice> {
    let mut has = vec![false; instance.vacations.len()];
    for z in &milp.z {
        has[z.vacation] = true;
    }
    let mut by_vacation: Vec<Vec<usize>> = vec![Vec::new(); instance.vacations.len()];
    for (i, x) in milp.x.iter().enumerate() {
        if lp.col_upper[i] > 0.5 && !has[x.vacation] {
            by_vacation[x.vacation].push(i);
        }
    }
    let mut out = Vec::new();
    for (v, cols) in by_vacation.into_iter().enumerate() {
        let span = instance.vacations[v].minutes();
        let total: u32 = cols.iter().map(|&i| milp.x[i].minutes).sum();
        if cols.is_empty() || total <= span {
            continue;
        }
        let mut lengths: Vec<(u32, Vec<usize>)> = Vec::new();
        for &i in &cols {
            let m = milp.x[i].minutes;
            match lengths.iter_mut().find(|(l, _)| *l == m) {
                Some(e) => e.1.push(i),
                None => lengths.push((m, vec![i])),
            }
        }
        lengths.sort_unstable_by_key(|(l, _)| *l);
        let avail: Vec<(u32, u32)> = lengths
            .iter()
            .map(|(l, c)| (*l, u32::try_from(c.len()).unwrap_or(u32::MAX)))
            .collect();
        if let Some(patterns) = capacity::maximal_patterns(span, &avail, MAX_PATTERNS) {
            out.push(Choice {
                vacation: v,
                lengths,
                patterns,
            });
        }
    }
    out
}

/// Adds the pattern columns (after the `n` base columns) and their rows to the dive's LP:
/// at most one pattern, and per length the assignments within its count. The new columns
/// are appended to `zs` with their vacation.
fn add_patterns(
    model: &mut highs::Model,
    instance: &Instance,
    milp: &Milp,
    choices: &[Choice],
    (n, of_col): (usize, &[usize]),
    zs: &mut Vec<(usize, usize)>,
) -> Result<(), HighsCallError> {
    let mut cols = highs_ext::ColBatch::default();
    let mut rows = highs_ext::RowBatch::default();
    let mut next = n;
    for choice in choices {
        let first = next;
        for _ in &choice.patterns {
            cols.push(0.0, 1.0, false);
            zs.push((next, choice.vacation));
            next += 1;
        }
        // One pattern at most, and only with a room where the vacation needs one.
        let mut row: Vec<(usize, f64)> = (first..next).map(|c| (c, 1.0)).collect();
        if instance.vacations[choice.vacation].needs_room() {
            row.extend(
                milp.y
                    .iter()
                    .enumerate()
                    .filter(|(_, y)| y.vacation == choice.vacation)
                    .map(|(j, _)| (of_col[milp.y_col(j)], -1.0)),
            );
            rows.push(f64::NEG_INFINITY, 0.0, &row)?;
        } else {
            rows.push(f64::NEG_INFINITY, 1.0, &row)?;
        }
        for (k, (_, xcols)) in choice.lengths.iter().enumerate() {
            // A group's members stand at one aggregated column, which counts them all.
            let mut cols: Vec<usize> = xcols.iter().map(|&i| of_col[i]).collect();
            cols.sort_unstable();
            cols.dedup();
            let mut terms: Vec<(usize, f64)> = cols.into_iter().map(|i| (i, 1.0)).collect();
            for (p, counts) in choice.patterns.iter().enumerate() {
                if counts[k] > 0 {
                    terms.push((first + p, -f64::from(counts[k])));
                }
            }
            rows.push(f64::NEG_INFINITY, 0.0, &terms)?;
        }
    }
    cols.flush(model)?;
    rows.flush(model)
}

/// How one LP of the dive is solved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Solve {
    /// From scratch, by interior point (then crossover, for a basis).
    First,
    /// From the last basis after a large change, by simplex, within the dive's budget.
    Big,
    /// From the last basis after a batch of fixings, by simplex, within a step's limit.
    Step,
}

/// The dive's LP and the runner whose clock and stop flag it follows.
struct Dive<'r, 'a> {
    model: Option<highs::Model>,
    run: &'r mut Runner<'a>,
    /// End of the dive's own budget.
    until: Instant,
    /// The point of the last LP solved to optimality.
    good: Option<Vec<f64>>,
    /// Candidates to fix in the next batch.
    batch: usize,
    /// Moving average of the simplex iterations of successful warm-started solves.
    typical: Option<f64>,
    /// What the step solves did, for the log.
    steps: StepCounts,
    /// Bounds of the aggregated columns before the dive (the pattern columns after them
    /// are binaries), restored when a fix fails.
    lower: Vec<f64>,
    upper: Vec<f64>,
    /// The vacation of every assignment and pattern column of the dive's LP.
    vacation_of: Vec<Option<usize>>,
    /// The "scheduled" column of every assignment column's request (or group).
    owner: Vec<Option<usize>>,
}

/// Step solves of a dive, by outcome.
#[derive(Debug, Clone, Copy, Default)]
struct StepCounts {
    optimal: u32,
    infeasible: u32,
    stopped: u32,
    iterations: i64,
}

impl Dive<'_, '_> {
    /// Solves the LP (interior point the first time, warm-started simplex after); true
    /// when it is optimal.
    fn solve(&mut self, kind: Solve) -> Result<bool, HighsCallError> {
        let mut model = self.model.take().ok_or(HighsCallError("model lost"))?;
        highs_ext::zero_clocks(&mut model)?;
        let mut limit = self.seconds_left();
        let iterations = match (kind, self.typical) {
            (Solve::Step, Some(t)) => {
                limit = limit.min(STEP_GUARD_SECONDS);
                (STEP_FACTOR * t).clamp(MIN_STEP_ITERATIONS, MAX_STEP_ITERATIONS)
            }
            (Solve::Step, None) => MAX_STEP_ITERATIONS,
            _ => f64::from(i32::MAX),
        };
        model.set_option("time_limit", limit.max(0.01));
        model.set_option("simplex_iteration_limit", iterations as i32);
        let solver = if kind == Solve::First {
            "ipm"
        } else {
            "simplex"
        };
        model.set_option("solver", solver);
        let t0 = Instant::now();
        let solved = model.try_solve().map_err(|_| HighsCallError("Highs_run"))?;
        let status = solved.status();
        let used = solved
            .int_info_value(c"simplex_iteration_count")
            .unwrap_or(0);
        tracing::trace!(
            ?status,
            iterations = used,
            limit = iterations,
            seconds = t0.elapsed().as_secs_f64(),
            "dive LP"
        );
        self.model = Some(solved.into());
        let ok = status == HighsModelStatus::Optimal;
        if ok {
            self.good = Some(self.values()?);
        }
        if kind == Solve::Step {
            self.steps.iterations += used;
            match status {
                HighsModelStatus::Optimal => {
                    self.steps.optimal += 1;
                    let used = used as f64;
                    self.typical = Some(self.typical.map_or(used, |t| 0.8 * t + 0.2 * used));
                }
                HighsModelStatus::Infeasible => self.steps.infeasible += 1,
                _ => self.steps.stopped += 1,
            }
        }
        Ok(ok)
    }

    fn values(&mut self) -> Result<Vec<f64>, HighsCallError> {
        let model = self.model.as_mut().ok_or(HighsCallError("model lost"))?;
        highs_ext::col_values(model).ok_or(HighsCallError("Highs_getSolution"))
    }

    /// Fixes each of `cols` at its value in the last optimal point rounded by `round`
    /// (up: 1 for a binary, the next count for a group's column).
    fn fix(&mut self, cols: &[usize], round: fn(f64) -> f64) -> Result<(), HighsCallError> {
        let x = self
            .good
            .as_deref()
            .ok_or(HighsCallError("Highs_getSolution"))?;
        let v: Vec<f64> = cols.iter().map(|&c| round(x[c])).collect();
        let model = self.model.as_mut().ok_or(HighsCallError("model lost"))?;
        highs_ext::set_bounds(model, cols, &v, &v)
    }

    /// Gives `cols` back their bounds from before the dive.
    fn free(&mut self, cols: &[usize]) -> Result<(), HighsCallError> {
        let bound = |b: &[f64], c: usize, default: f64| b.get(c).copied().unwrap_or(default);
        let lower: Vec<f64> = cols.iter().map(|&c| bound(&self.lower, c, 0.0)).collect();
        let upper: Vec<f64> = cols.iter().map(|&c| bound(&self.upper, c, 1.0)).collect();
        let model = self.model.as_mut().ok_or(HighsCallError("model lost"))?;
        highs_ext::set_bounds(model, cols, &lower, &upper)
    }

    fn out_of_time(&self) -> bool {
        self.run.too_short() || self.run.stopped || Instant::now() >= self.until
    }

    /// Seconds left in the dive's budget and the stage's.
    fn seconds_left(&self) -> f64 {
        self.run.end_in().min(
            self.until
                .saturating_duration_since(Instant::now())
                .as_secs_f64(),
        )
    }

    /// Per group of `cols` (`(column, group)`) without a column at 1, its largest
    /// fractional column not in `banned`; largest first. `None` when there is none.
    fn candidates(
        &self,
        cols: &[(usize, usize)],
        banned: &[usize],
    ) -> Result<Option<Vec<usize>>, HighsCallError> {
        // The last solve was optimal (every caller checks): its point is `good`.
        let x = self
            .good
            .as_deref()
            .ok_or(HighsCallError("Highs_getSolution"))?;
        // Binaries, but for the columns of merged requests (counts): in the last phase,
        // where every column is its own group.
        let mut whole = std::collections::BTreeSet::new();
        for &(c, g) in cols {
            if x[c] >= 1.0 - INTEGRAL && !fractional(x[c]) {
                whole.insert(g);
            }
        }
        let mut best: BTreeMap<usize, usize> = BTreeMap::new();
        for &(c, g) in cols {
            if fractional(x[c]) && !whole.contains(&g) && !banned.contains(&c) {
                let e = best.entry(g).or_insert(c);
                if x[c] > x[*e] {
                    *e = c;
                }
            }
        }
        let mut list: Vec<usize> = best.into_values().collect();
        list.sort_by(|&a, &b| x[b].partial_cmp(&x[a]).unwrap_or(std::cmp::Ordering::Equal));
        Ok((!list.is_empty()).then_some(list))
    }

    /// Settles the assignments still fractional once every room and pattern is fixed
    /// (those of vacations left with a knapsack row) by HiGHS, on a small MILP: the dive's
    /// LP as it stands, every column at 0 in its point fixed there but for the columns of
    /// the vacations of the fractional ones (and their requests' "scheduled" columns).
    /// Fixing them one by one, the dive wandered for 200 s on ciamt-week's marginal class
    /// without an end (BENCHMARKS.md). Returns the MILP's point when it keeps the target
    /// row (any point does: the row is in the LP), or `None`.
    fn finish(&mut self) -> Result<Option<Vec<f64>>, HighsCallError> {
        let t0 = Instant::now();
        let x = self
            .good
            .clone()
            .ok_or(HighsCallError("Highs_getSolution"))?;
        let open: std::collections::BTreeSet<usize> = (0..x.len())
            .filter(|&c| fractional(x[c]))
            .filter_map(|c| self.vacation_of.get(c).copied().flatten())
            .collect();
        let model = self.model.as_mut().ok_or(HighsCallError("model lost"))?;
        let mut lp = highs_ext::lp_of(model)?;
        let mut free: Vec<bool> = x.iter().map(|&v| v > INTEGRAL).collect();
        for c in 0..lp.cols() {
            if self.vacation_of[c].is_some_and(|v| open.contains(&v)) {
                free[c] = true;
                if let Some(s) = self.owner[c] {
                    free[s] = true;
                }
            }
        }
        for c in (0..lp.cols()).filter(|&c| !free[c] && lp.col_lower[c] <= 0.0) {
            lp.col_upper[c] = 0.0;
        }
        let mut mip = self.run.lp_instance(&lp, Sense::Maximise, true)?;
        highs_ext::set_all_integer(&mut mip)?;
        // Half the dive's time left: when it fails, the fixing goes on with the rest.
        let limit = self.seconds_left() * 0.5;
        mip.set_option("time_limit", limit.max(0.01));
        mip.set_option("mip_abs_gap", 0.99);
        mip.set_option("mip_rel_gap", 0.0);
        mip.set_option("mip_feasibility_tolerance", 1e-7);
        let solved = mip.try_solve().map_err(|_| HighsCallError("Highs_run"))?;
        let status = solved.status();
        let found = solved.primal_solution_status() == highs::HighsSolutionStatus::Feasible;
        let mut mip: highs::Model = solved.into();
        let values = found
            .then(|| highs_ext::col_values(&mut mip))
            .flatten()
            .filter(|v| v.iter().all(|&v| !fractional(v)));
        tracing::debug!(
            vacations = open.len(),
            free = free.iter().filter(|&&f| f).count(),
            ?status,
            found = values.is_some(),
            seconds = t0.elapsed().as_secs_f64(),
            "dive: the last fractional assignments settled by a MILP"
        );
        Ok(values)
    }

    /// The last optimal basis, restored after a fix that fails.
    fn save(&mut self) -> Result<highs_ext::Basis, HighsCallError> {
        let model = self.model.as_mut().ok_or(HighsCallError("model lost"))?;
        highs_ext::basis(model)
    }

    fn restore(&mut self, cols: &[usize], basis: &highs_ext::Basis) -> Result<(), HighsCallError> {
        self.free(cols)?;
        let model = self.model.as_mut().ok_or(HighsCallError("model lost"))?;
        highs_ext::set_basis(model, basis)
    }

    /// Fixes `candidates` (largest first) at 1, halving the batch while the LP fails
    /// (infeasible, or too slow to tell); a single candidate that cannot be 1 is fixed at
    /// 0, and when that fails too it is left free and set aside (`banned`). After a
    /// failure the bounds and the last optimal basis are restored, so the LP stays solved.
    /// `Ok(false)` out of time.
    fn fix_some(
        &mut self,
        mut candidates: Vec<usize>,
        banned: &mut Vec<usize>,
    ) -> Result<bool, HighsCallError> {
        let basis = self.save()?;
        loop {
            if self.out_of_time() {
                return Ok(false);
            }
            self.fix(&candidates, f64::ceil)?;
            if self.solve(Solve::Step)? {
                self.batch = (candidates.len() * 2).min(MAX_BATCH);
                return Ok(true);
            }
            self.restore(&candidates, &basis)?;
            self.batch = (candidates.len() / 2).max(1);
            if candidates.len() == 1 {
                banned.push(candidates[0]);
                self.fix(&candidates, f64::floor)?;
                if self.solve(Solve::Step)? {
                    return Ok(true);
                }
                self.restore(&candidates, &basis)?;
                // Solved again from the optimal basis: no iteration.
                return self.solve(Solve::Step);
            }
            candidates.truncate(candidates.len() / 2);
        }
    }

    /// Solves the LP with the patterns (its optimum bounds the stage), asks for its floor
    /// as a row when that beats the incumbent's `before`, then dives: each phase's columns
    /// are `(column, group)`, and per group without a column at 1 the largest fractional
    /// one is a candidate (rooms, then patterns, per vacation), then any of the `n` base
    /// columns still fractional (vacations left with a knapsack row). Returns the outcome,
    /// the last point solved and the pattern bound.
    fn run(
        &mut self,
        terms: &[(usize, f64)],
        (lp, before): (f64, f64),
        rooms: &[(usize, f64)],
        phases: &[&[(usize, usize)]],
        n: usize,
    ) -> Result<Dived, HighsCallError> {
        if self.out_of_time() || !self.solve(Solve::First)? {
            return Ok(Dived::new(Outcome::OutOfTime, None, None));
        }
        let value = |x: &[f64]| terms.iter().map(|&(c, w)| w * x[c]).sum::<f64>();
        let bound = self.good.as_deref().map(value).unwrap_or(lp).min(lp);
        let mut target = (bound + INTEGRAL).floor();
        if target <= before + 0.5 {
            return Ok(Dived::new(Outcome::Nothing, None, Some(bound)));
        }
        let target_row = {
            let model = self.model.as_mut().ok_or(HighsCallError("model lost"))?;
            let row = model.num_rows();
            let mut batch = highs_ext::RowBatch::default();
            batch.push(target, f64::INFINITY, terms)?;
            batch.flush(model)?;
            row
        };
        if !self.solve(Solve::Step)? {
            return Ok(Dived::new(Outcome::OutOfTime, None, Some(bound)));
        }
        // The LP's rooms rounded at once keep the target on ciamt-week's every stage; where
        // they do not (scarce rooms), the rooms are dived on like the patterns.
        let (cols, values): (Vec<usize>, Vec<f64>) = rooms.iter().copied().unzip();
        let basis = self.save()?;
        {
            let model = self.model.as_mut().ok_or(HighsCallError("model lost"))?;
            highs_ext::set_bounds(model, &cols, &values, &values)?;
        }
        // One large change: the dive's budget, not one step's.
        if !self.solve(Solve::Big)? {
            self.restore(&cols, &basis)?;
            if !self.solve(Solve::Step)? {
                return Ok(Dived::new(Outcome::OutOfTime, None, Some(bound)));
            }
        }
        let rest: Vec<(usize, usize)> = (0..n).map(|c| (c, c)).collect();
        let mut banned: Vec<usize> = Vec::new();
        loop {
            for (phase, cols) in phases.iter().copied().chain([rest.as_slice()]).enumerate() {
                // Once every room and pattern is fixed, the fractional assignments left
                // are settled by a MILP, in one go. (Tried earlier, with 50 or 12 pattern
                // vacations still fractional, that MILP was infeasible on ciamt-week.)
                if phase == phases.len() && self.candidates(cols, &banned)?.is_some() {
                    if let Some(values) = self.finish()? {
                        return Ok(Dived::new(Outcome::Reached(0), Some(values), Some(bound)));
                    }
                }
                while let Some(candidates) = self.candidates(cols, &banned)? {
                    tracing::trace!(
                        phase,
                        fractional = candidates.len(),
                        batch = self.batch,
                        "dive round"
                    );
                    let batch: Vec<usize> = candidates.into_iter().take(self.batch).collect();
                    if !self.fix_some(batch, &mut banned)? {
                        return Ok(Dived::new(
                            Outcome::OutOfTime,
                            self.good.take(),
                            Some(bound),
                        ));
                    }
                }
            }
            let values = self.values()?;
            // Columns set aside (neither 1 nor 0 kept the target) may still be fractional:
            // a dead end for this target. Ask for one request less (no proof, but still a
            // better incumbent) and go on from the same fixings.
            if !banned
                .iter()
                .any(|&c| values[c] > INTEGRAL && values[c] < 1.0 - INTEGRAL)
            {
                break;
            }
            target -= 1.0;
            if target <= before + 0.5 {
                return Ok(Dived::new(Outcome::DeadEnd, Some(values), Some(bound)));
            }
            tracing::trace!(target, "dive target lowered");
            banned.clear();
            let model = self.model.as_mut().ok_or(HighsCallError("model lost"))?;
            highs_ext::set_row_bounds(model, target_row, target, f64::INFINITY)?;
            if !self.solve(Solve::Step)? {
                return Ok(Dived::new(
                    Outcome::OutOfTime,
                    self.good.take(),
                    Some(bound),
                ));
            }
        }
        let values = self.values()?;
        Ok(Dived::new(Outcome::Reached(0), Some(values), Some(bound)))
    }
}
