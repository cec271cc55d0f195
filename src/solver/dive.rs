//! An LP dive that finds a level-1 stage's optimum on models too large to branch on.
//!
//! Once every centre vacation holds a fixed room and every vacation a fixed capacity
//! pattern (how many appointments of each length), what is left of a level-1 stage is a
//! flow: classes → requests → (vacation, length) slots, with the held class counts as lower
//! bounds on the first arcs. Its LP optimum is integral. So the dive rounds the rooms once,
//! writes a pattern choice for every vacation that still has a plain knapsack row, asks for
//! the LP bound's floor as a row, and then fixes one vacation's pattern after another at
//! the LP's largest choice, re-solving the LP (warm-started simplex) after each batch. A
//! fix that leaves the LP infeasible is undone and that pattern forbidden instead. When no
//! pattern is fractional the LP's point is a plan that reaches the bound: the stage is
//! proven. On ciamt-week's marginal class (215,000 columns) it reaches 469, the floor of
//! the LP bound 469.4, in about a minute, where local search had reached 455 in ten.
//!
//! The dive runs on a copy of the stage's LP in its own HiGHS instance, so the stage
//! model is untouched; the point it ends on is checked against every row of the copy
//! before it becomes the incumbent.

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
/// Time one warm-started LP of the dive may take: a batch whose fixings are infeasible can
/// keep the dual simplex busy for minutes; stopped, it counts as infeasible. Within this,
/// the limit is three times the recent successful solves' (about 0.7 s each late in
/// ciamt-week's marginal dive, where 29 solves stopped at a flat 3 s took 88 s of 225).
const SOLVE_SECONDS: f64 = 3.0;
/// Values within this of 0 or 1 count as integral.
const INTEGRAL: f64 = 1e-6;

/// What the dive ended with, for the stage's log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The incumbent already meets the target: nothing to dive for.
    Nothing,
    /// The LP with the rounded rooms cannot reach more than the incumbent.
    RoomsTooTight,
    /// Every fix of some candidate left the LP infeasible.
    DeadEnd,
    /// Out of time (or stopped) before the end.
    OutOfTime,
    /// Reached an integral point of this many requests, now the incumbent.
    Reached(u32),
}

/// Dives from the LP relaxation's optimum `point` (value `lp`) of a level-1 stage whose
/// objective is `terms`, for `seconds` at most, and makes the plan it reaches the
/// incumbent when it is better. Recorded as a heuristic stage `<name> LP dive`. Also
/// returns the last LP point it solved (of the base columns): stopped before the end,
/// that point is nearer to integral than the first, a better support for
/// [`super::neighbourhoods::lp_support`].
#[allow(clippy::too_many_arguments)]
pub fn pattern_dive(
    instance: &Instance,
    milp: &Milp,
    run: &mut Runner,
    name: &str,
    terms: &[(usize, f64)],
    point: &[f64],
    lp: f64,
    seconds: f64,
) -> Result<(Outcome, Option<Vec<f64>>), HighsCallError> {
    let target = (lp + INTEGRAL).floor();
    let before = run.value(terms);
    if target <= before + 0.5 {
        return Ok((Outcome::Nothing, None));
    }
    let t0 = Instant::now();
    let until = t0 + std::time::Duration::from_secs_f64(seconds.max(0.0));
    let mut base = run.lp_copy(terms)?;
    let n = base.cols();
    round_rooms(instance, milp, &mut base, point);
    let patterns = added_patterns(instance, milp, &base);
    let mut lpm = highs_ext::pass_lp(&base, Sense::Maximise)?;
    let mut zs: Vec<(usize, usize)> = milp
        .z
        .iter()
        .enumerate()
        .map(|(j, z)| (milp.z_col(j), z.vacation))
        .collect();
    add_patterns(&mut lpm, &patterns, n, &mut zs)?;
    let mut rows = highs_ext::RowBatch::default();
    rows.push(target, f64::INFINITY, terms)?;
    rows.flush(&mut lpm)?;

    let mut dive = Dive {
        model: Some(lpm),
        run,
        until,
        good: None,
        batch: BATCH,
        typical: 0.3,
    };
    let (outcome, last) = dive.run(&zs, n)?;
    let run = dive.run;
    let mut reached = None;
    if let (Outcome::Reached(_), Some(values)) = (outcome, &last) {
        let candidate: Vec<f64> = values.iter().take(n).map(|v| v.round()).collect();
        let fractional = values
            .iter()
            .take(n)
            .any(|v| (v - v.round()).abs() > INTEGRAL);
        // The copy's bounds are the stage's with the rooms fixed, so a point within them
        // and its rows is a plan of the stage.
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
    let outcome = match (outcome, reached) {
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
        target,
        ?outcome,
        seconds,
        "LP dive done"
    );
    let last = last.map(|mut v| {
        v.truncate(n);
        v
    });
    Ok((outcome, last))
}

/// Fixes one room per centre vacation (or none) in `lp`'s bounds: the LP's largest room
/// values first, each kept when the room is free over the vacation's span that day.
/// Rooms already fixed at 1 (pins of a re-optimisation) come first.
fn round_rooms(instance: &Instance, milp: &Milp, lp: &mut Lp, point: &[f64]) {
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
    for (j, &on) in chosen.iter().enumerate() {
        let c = milp.y_col(j);
        let value = if on { 1.0 } else { 0.0 };
        lp.col_lower[c] = value;
        lp.col_upper[c] = value;
    }
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
    choices: &[Choice],
    n: usize,
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
        let all: Vec<(usize, f64)> = (first..next).map(|c| (c, 1.0)).collect();
        rows.push(f64::NEG_INFINITY, 1.0, &all)?;
        for (k, (_, xcols)) in choice.lengths.iter().enumerate() {
            let mut terms: Vec<(usize, f64)> = xcols.iter().map(|&i| (i, 1.0)).collect();
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
    /// Moving average of the seconds of successful warm-started solves.
    typical: f64,
}

impl Dive<'_, '_> {
    /// Solves the LP (interior point the first time, warm-started simplex after); true
    /// when it is optimal.
    fn solve(&mut self, first: bool) -> Result<bool, HighsCallError> {
        let mut model = self.model.take().ok_or(HighsCallError("model lost"))?;
        highs_ext::zero_clocks(&mut model)?;
        let mut limit = self.run.end_in().min(
            self.until
                .saturating_duration_since(Instant::now())
                .as_secs_f64(),
        );
        if !first {
            limit = limit.min((3.0 * self.typical).clamp(0.5, SOLVE_SECONDS));
        }
        model.set_option("time_limit", limit.max(0.01));
        model.set_option("solver", if first { "ipm" } else { "simplex" });
        let t0 = Instant::now();
        let solved = model.try_solve().map_err(|_| HighsCallError("Highs_run"))?;
        let status = solved.status();
        tracing::trace!(?status, seconds = t0.elapsed().as_secs_f64(), "dive LP");
        self.model = Some(solved.into());
        let ok = status == HighsModelStatus::Optimal;
        if ok {
            self.good = Some(self.values()?);
            if !first {
                self.typical = 0.8 * self.typical + 0.2 * t0.elapsed().as_secs_f64();
            }
        }
        Ok(ok)
    }

    fn values(&mut self) -> Result<Vec<f64>, HighsCallError> {
        let model = self.model.as_mut().ok_or(HighsCallError("model lost"))?;
        highs_ext::col_values(model).ok_or(HighsCallError("Highs_getSolution"))
    }

    fn fix(&mut self, cols: &[usize], value: f64) -> Result<(), HighsCallError> {
        let model = self.model.as_mut().ok_or(HighsCallError("model lost"))?;
        let v = vec![value; cols.len()];
        highs_ext::set_bounds(model, cols, &v, &v)
    }

    fn free(&mut self, cols: &[usize]) -> Result<(), HighsCallError> {
        let model = self.model.as_mut().ok_or(HighsCallError("model lost"))?;
        highs_ext::set_bounds(model, cols, &vec![0.0; cols.len()], &vec![1.0; cols.len()])
    }

    fn out_of_time(&self) -> bool {
        self.run.too_short() || self.run.stopped || Instant::now() >= self.until
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
            self.fix(&candidates, 1.0)?;
            if self.solve(false)? {
                self.batch = (candidates.len() * 2).min(MAX_BATCH);
                return Ok(true);
            }
            self.restore(&candidates, &basis)?;
            self.batch = (candidates.len() / 2).max(1);
            if candidates.len() == 1 {
                banned.push(candidates[0]);
                self.fix(&candidates, 0.0)?;
                if self.solve(false)? {
                    return Ok(true);
                }
                self.restore(&candidates, &basis)?;
                // Solved again from the optimal basis: no iteration.
                return self.solve(false);
            }
            candidates.truncate(candidates.len() / 2);
        }
    }

    /// Dives over the patterns `zs` (column, vacation), then over any of the `n` base
    /// columns still fractional (vacations left with a knapsack row). Returns the final
    /// point when it is reached.
    fn run(
        &mut self,
        zs: &[(usize, usize)],
        n: usize,
    ) -> Result<(Outcome, Option<Vec<f64>>), HighsCallError> {
        if self.out_of_time() {
            return Ok((Outcome::OutOfTime, None));
        }
        if !self.solve(true)? {
            let outcome = if self.out_of_time() {
                Outcome::OutOfTime
            } else {
                Outcome::RoomsTooTight
            };
            return Ok((outcome, None));
        }
        let mut banned: Vec<usize> = Vec::new();
        // Patterns, then the base columns (knapsack vacations with too many patterns).
        for phase in 0..2 {
            loop {
                let x = self.values()?;
                let fractional =
                    |c: usize| x[c] > INTEGRAL && x[c] < 1.0 - INTEGRAL && !banned.contains(&c);
                let candidates: Vec<usize> = if phase == 0 {
                    // Per vacation without a whole pattern, its largest fractional one.
                    let mut whole = std::collections::BTreeSet::new();
                    for &(c, v) in zs {
                        if x[c] >= 1.0 - INTEGRAL {
                            whole.insert(v);
                        }
                    }
                    let mut best: BTreeMap<usize, usize> = BTreeMap::new();
                    for &(c, v) in zs {
                        if !whole.contains(&v) && fractional(c) {
                            let e = best.entry(v).or_insert(c);
                            if x[c] > x[*e] {
                                *e = c;
                            }
                        }
                    }
                    best.into_values().collect()
                } else {
                    (0..n).filter(|&c| fractional(c)).collect()
                };
                if candidates.is_empty() {
                    break;
                }
                let mut candidates = candidates;
                candidates
                    .sort_by(|&a, &b| x[b].partial_cmp(&x[a]).unwrap_or(std::cmp::Ordering::Equal));
                tracing::trace!(
                    phase,
                    fractional = candidates.len(),
                    batch = self.batch,
                    "dive round"
                );
                candidates.truncate(self.batch);
                if !self.fix_some(candidates, &mut banned)? {
                    let outcome = if self.out_of_time() {
                        Outcome::OutOfTime
                    } else {
                        Outcome::DeadEnd
                    };
                    return Ok((outcome, self.good.take()));
                }
            }
        }
        let values = self.values()?;
        // Columns set aside may still be fractional.
        if banned
            .iter()
            .any(|&c| values[c] > INTEGRAL && values[c] < 1.0 - INTEGRAL)
        {
            return Ok((Outcome::DeadEnd, Some(values)));
        }
        Ok((Outcome::Reached(0), Some(values)))
    }
}
