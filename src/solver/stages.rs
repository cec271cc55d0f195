//! Runs the lexicographic stages on one HiGHS model: each stage sets its objective, starts
//! from the incumbent of the stage before (a full MIP start, always feasible since every
//! fixed level holds for it), and its optimum is then fixed as a row for the stages after.

use super::fixed;
use super::highs_ext::{self, HighsCallError};
use super::{ProgressEvent, SolveOptions, StageReport};
use highs::{HighsModelStatus, HighsSolutionStatus, Sense};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// A neighbourhood search stops once its incumbent has not improved for this many seconds
/// and for this share of its running time (ciamt-week's marginal class: the best plan comes
/// within about a minute, nothing in the minute after).
const STALL_FLOOR_SECONDS: f64 = 20.0;
const STALL_SHARE: f64 = 0.4;

/// Columns above which the LP relaxation is solved by the interior-point method.
const IPM_ABOVE_COLUMNS: usize = 20_000;

/// Gap settings of a stage.
#[derive(Debug, Clone, Copy)]
pub struct Gaps {
    /// Absolute gap (0.99 proves an integer objective).
    pub abs: f64,
    /// Relative gap.
    pub rel: f64,
}

impl Gaps {
    /// Exact for an integer objective.
    pub const INTEGER: Gaps = Gaps {
        abs: 0.99,
        rel: 0.0,
    };
    /// Exact for a fractional objective.
    pub const EXACT: Gaps = Gaps {
        abs: 1e-7,
        rel: 0.0,
    };
}

/// How a stage ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StageStatus {
    /// Solved to the gap.
    Optimal,
    /// Closed by a bound without a MILP.
    Bound,
    /// Stopped by the time limit or a cancellation.
    Stopped,
}

/// Result of one stage.
#[derive(Debug, Clone, Copy)]
pub struct StageResult {
    /// Objective of the incumbent after the stage.
    pub objective: f64,
    /// Best bound.
    pub bound: f64,
    /// How it ended.
    pub status: StageStatus,
}

/// The model and its incumbent across the stages.
pub struct Runner<'a> {
    model: Option<highs::Model>,
    // Declared after `model` so that it is dropped after it: HiGHS holds a pointer to it.
    callback: Box<highs_ext::CallbackState>,
    rows: highs_ext::RowBatch,
    cols: highs_ext::ColBatch,
    /// Incumbent value of every column.
    pub sol: Vec<f64>,
    integer: Vec<bool>,
    costed: Vec<usize>,
    options: &'a SolveOptions,
    started: Instant,
    deadline: Instant,
    /// Reports of the stages run so far.
    pub reports: Vec<StageReport>,
    /// Planned number of stages (for progress).
    pub planned: usize,
    /// True in a re-optimisation: out of time, level 1 still refills each class from the
    /// previous plan's places rather than leaving them to the greedy completion.
    pub reoptimising: bool,
    /// True once a stage was stopped: later stages are skipped.
    pub stopped: bool,
    /// LP bound computed for the stage about to be reported, and the seconds it took.
    lp: Option<f64>,
    lp_seconds: f64,
    /// End of the current stage's own time budget, before the deadline: a stage stopped by
    /// it leaves the solve running (its level is then held at the incumbent, unproven).
    cap: Option<Instant>,
    threads: u32,
    /// [`Runner::light_presolve`] was called.
    light: bool,
}

/// HiGHS presolve rules a re-optimisation's neighbourhood model turns off: the aggregator
/// (bit 12) and probing (bit 15). On ciamt-week after a one-day absence (10,009 columns,
/// mostly pinned), they took most of each stage's time for no reduction that mattered:
/// keep-appointments stage 3.3 s → 0.9 s, marginal class 1.8 s → 0.8 s (highspy on the
/// dumped models, same optimum).
const LIGHT_PRESOLVE_RULES_OFF: i32 = (1 << 12) | (1 << 15);

impl<'a> Runner<'a> {
    /// Lighter presolve for small models around a fixed plan (a re-optimisation's
    /// neighbourhood), where HiGHS's probing costs more than it saves.
    pub fn light_presolve(&mut self) {
        self.light = true;
        if let Some(m) = self.model.as_mut() {
            m.set_option("presolve_rule_off", LIGHT_PRESOLVE_RULES_OFF);
        }
    }

    /// The options every HiGHS instance of the stages runs with: log, tolerance, threads,
    /// the LP method for a model of `cols` columns, presolve.
    fn configure(model: &mut highs::Model, threads: u32, cols: usize, light: bool) {
        Self::common(model, threads);
        model.set_option("mip_feasibility_tolerance", 1e-7);
        // The root LP of a large MILP takes several times longer by simplex (ciamt-week:
        // about 90 s against 25 s).
        if cols > IPM_ABOVE_COLUMNS {
            model.set_option("mip_lp_solver", "ipm");
        }
        if light {
            model.set_option("presolve_rule_off", LIGHT_PRESOLVE_RULES_OFF);
        }
    }

    /// The options of every HiGHS instance of a solve, LP or MILP: the log, and the
    /// solve's threads (an instance left at HiGHS's default would size the thread's task
    /// scheduler by the machine's cores, not by the policy).
    fn common(model: &mut highs::Model, threads: u32) {
        // HiGHS's own log on stdout, for diagnosing a slow stage.
        if std::env::var_os("CONVOPLAN_HIGHS_LOG").is_some() {
            model.set_option("output_flag", true);
            model.set_option("log_to_console", true);
        } else {
            model.make_quiet();
        }
        if threads > 0 {
            model.set_option("threads", threads as i32);
        }
    }

    /// A new HiGHS instance of this solve holding `lp`, all continuous, with `sense`;
    /// `watched`, cancellation and the deadline stop it as they stop the stage model.
    pub fn lp_instance(
        &self,
        lp: &highs_ext::Lp,
        sense: Sense,
        watched: bool,
    ) -> Result<highs::Model, HighsCallError> {
        let watch = watched.then_some(&*self.callback);
        let mut model = highs_ext::pass_lp(lp, sense, watch)?;
        Self::common(&mut model, self.threads);
        Ok(model)
    }

    /// Wraps a model whose columns `0..sol.len()` are all integer, with an initial feasible
    /// solution.
    pub fn new(
        mut model: highs::Model,
        sol: Vec<f64>,
        options: &'a SolveOptions,
        started: Instant,
        deadline: Instant,
        threads: u32,
    ) -> Self {
        let n = sol.len();
        Self::configure(&mut model, threads, n, false);
        let callback = Box::new(highs_ext::CallbackState {
            cancel: options.cancel.clone(),
            progress: options.progress.clone(),
            stage: std::sync::Mutex::new((String::new(), 0, 0)),
            started,
            deadline,
            stall: std::sync::Mutex::new(None),
        });
        if let Err(e) = highs_ext::install_callback(&mut model, &callback) {
            tracing::warn!(error = %e, "no HiGHS callback: cancellation only between stages");
        }
        Runner {
            model: Some(model),
            callback,
            rows: highs_ext::RowBatch::default(),
            cols: highs_ext::ColBatch::default(),
            sol,
            integer: vec![true; n],
            costed: Vec::new(),
            options,
            started,
            deadline,
            reports: Vec::new(),
            planned: 0,
            reoptimising: false,
            stopped: false,
            lp: None,
            lp_seconds: 0.0,
            cap: None,
            threads,
            light: false,
        }
    }

    fn model(&mut self) -> Result<&mut highs::Model, HighsCallError> {
        self.model.as_mut().ok_or(HighsCallError("model lost"))
    }

    /// Adds a column with start value `start` (queued until the next solve).
    pub fn add_col(
        &mut self,
        lower: f64,
        upper: f64,
        integer: bool,
        start: f64,
    ) -> Result<usize, HighsCallError> {
        let col = self.sol.len();
        self.cols.push(lower, upper, integer);
        self.sol.push(start);
        self.integer.push(integer);
        Ok(col)
    }

    /// Adds a row (queued until the next solve).
    pub fn add_row(
        &mut self,
        lower: f64,
        upper: f64,
        terms: &[(usize, f64)],
    ) -> Result<(), HighsCallError> {
        self.rows.push(lower, upper, terms)
    }

    /// Hands the queued columns, then rows, to HiGHS.
    fn flush(&mut self) -> Result<(), HighsCallError> {
        let model = self.model.as_mut().ok_or(HighsCallError("model lost"))?;
        self.cols.flush(model)?;
        self.rows.flush(model)
    }

    /// Changes the bounds of columns `cols` to `[lower, upper]`.
    pub fn set_bounds(
        &mut self,
        cols: &[usize],
        lower: f64,
        upper: f64,
    ) -> Result<(), HighsCallError> {
        self.flush()?;
        // HiGHS refuses a set with repeated or unsorted indexes.
        let mut cols = cols.to_vec();
        cols.sort_unstable();
        cols.dedup();
        let lo = vec![lower; cols.len()];
        let up = vec![upper; cols.len()];
        highs_ext::set_bounds(self.model()?, &cols, &lo, &up)
    }

    /// True once the time is up, the solve was cancelled or a stage was stopped: what is
    /// left is skipped.
    pub fn out_of_time(&self) -> bool {
        self.stopped || self.cancelled() || Instant::now() >= self.deadline
    }

    /// Records a stage skipped for want of time, without building it.
    pub fn skip(&mut self, name: &str) {
        self.stopped = true;
        self.record(name, f64::NAN, f64::NAN, f64::NAN, 0.0, "skipped");
    }

    /// Emits the end of stage `name` and adds its report, with the LP bound computed for
    /// it, if any.
    fn record(
        &mut self,
        name: &str,
        objective: f64,
        bound: f64,
        gap: f64,
        seconds: f64,
        status: &str,
    ) {
        self.emit(name, true, objective, bound, gap);
        self.reports.push(StageReport {
            name: name.to_string(),
            objective,
            bound,
            gap,
            seconds,
            status: status.to_string(),
            lp_bound: self.lp.take(),
        });
    }

    /// Value of `terms` at the incumbent.
    pub fn value(&self, terms: &[(usize, f64)]) -> f64 {
        terms.iter().map(|&(c, w)| w * self.sol[c]).sum()
    }

    /// When the solve must stop.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// When the first rounding of a level-1 stage's LP must end: the deadline, plus the
    /// grace a component of a decomposed solve has ([`SolveOptions::rounding_grace_seconds`]).
    pub fn rounding_deadline(&self) -> Instant {
        let grace = self.options.rounding_grace_seconds.unwrap_or(0.0).max(0.0);
        self.deadline + Duration::from_secs_f64(grace)
    }

    /// Columns above which a level-1 stage searches the LP neighbourhood first.
    pub fn neighbourhood_above(&self, default: usize) -> usize {
        self.options.neighbourhood_above_columns.unwrap_or(default)
    }

    /// Whether large level-1 stages dive on the LP ([`SolveOptions::lp_dive`]); by default
    /// when some vacation's capacity is a knapsack row in the model (`knapsack_vacations`),
    /// so that the dive's pattern LP is tighter than the MILP's. Where every vacation has
    /// its patterns, HiGHS's own search does better: on ami-eure-week, the dive took 116 s
    /// of a stage that the MILP then proved in 14 s.
    pub fn dives(&self, knapsack_vacations: usize) -> bool {
        self.options.lp_dive.unwrap_or(knapsack_vacations > 0)
    }

    /// Whether a dived stage close to its LP bound searches the LP's neighbourhood first
    /// ([`SolveOptions::near_lp_first`]).
    pub fn near_lp_first(&self) -> bool {
        self.options.near_lp_first.unwrap_or(true)
    }

    /// Whether a large stage is rounded from its LP's point first
    /// ([`SolveOptions::lp_rounding`]).
    pub fn lp_rounding(&self) -> bool {
        self.options.lp_rounding.unwrap_or(true)
    }

    /// Whether a level-1 stage a few requests short of its count bound is re-packed first
    /// ([`SolveOptions::repack`]).
    pub fn repack(&self) -> bool {
        self.options.repack.unwrap_or(true)
    }

    /// Whether level-1 incumbents are packed ([`SolveOptions::packing`]).
    pub fn packing(&self) -> bool {
        self.options.packing.unwrap_or(true)
    }

    /// True when the smallest company ratio of class `c` in `service` is 0 whatever this
    /// instance's plan, by companies outside it ([`SolveOptions::min_ratio_moot`]).
    pub fn min_ratio_moot(&self, c: usize, service: usize) -> bool {
        self.options
            .min_ratio_moot
            .as_ref()
            .is_some_and(|m| m.contains(&(c, service)))
    }

    /// Seconds left until `share` of the solve's whole time has passed (0 once it has).
    pub fn until_share(&self, share: f64) -> f64 {
        let total = self.deadline.saturating_duration_since(self.started);
        let at = self.started + total.mul_f64(share.clamp(0.0, 1.0));
        at.saturating_duration_since(Instant::now()).as_secs_f64()
    }

    /// Seconds left before the deadline.
    pub fn left(&self) -> f64 {
        self.deadline
            .saturating_duration_since(Instant::now())
            .as_secs_f64()
    }

    /// Gives the next MILP solves at most `seconds` (until [`Runner::uncap`]); when one
    /// stops at that budget rather than at the deadline, the solve goes on.
    pub fn cap(&mut self, seconds: f64) {
        self.cap = Some(Instant::now() + std::time::Duration::from_secs_f64(seconds.max(0.0)));
    }

    fn set_stall(&mut self, stall: Option<highs_ext::Stall>) {
        if let Ok(mut g) = self.callback.stall.lock() {
            *g = stall;
        }
    }

    /// Removes the budget set by [`Runner::cap`].
    pub fn uncap(&mut self) {
        self.cap = None;
    }

    /// End of the current budget: the cap, or the deadline.
    fn end(&self) -> Instant {
        self.cap.map_or(self.deadline, |c| c.min(self.deadline))
    }

    /// Seconds left in the current budget.
    pub fn end_in(&self) -> f64 {
        self.end()
            .saturating_duration_since(Instant::now())
            .as_secs_f64()
    }

    /// True when the current stage has too little time left to start a MILP: under a
    /// second on a long solve, under a twentieth of the limit on a short one. A
    /// re-optimisation's neighbourhood stages take milliseconds: with a fixed second, a
    /// `--time-limit 1` re-plan skipped every one of them and returned a worse plan
    /// (ciamt-week, tier 10 due later 97 of 98) in 0.53 s, where a 2 s limit proved the
    /// optimum in 0.41 s.
    pub fn too_short(&self) -> bool {
        let total = self
            .deadline
            .saturating_duration_since(self.started)
            .as_secs_f64();
        self.end_in() < (total * 0.05).min(1.0)
    }

    /// Seconds since the solve started.
    pub fn elapsed(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    fn cancelled(&self) -> bool {
        self.options
            .cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
    }

    fn emit(&self, name: &str, finished: bool, objective: f64, bound: f64, gap: f64) {
        if let Some(sink) = &self.options.progress {
            sink(&ProgressEvent {
                stage: name.to_string(),
                finished,
                incumbent: objective,
                bound,
                gap,
                elapsed_seconds: self.elapsed(),
                index: self.reports.len(),
                count: self.planned.max(self.reports.len() + 1),
            });
        }
    }

    /// Records a stage closed without a MILP (its incumbent meets a bound, or it is moot).
    pub fn close(&mut self, name: &str, objective: f64, status: &str) -> StageResult {
        tracing::debug!(stage = name, objective, status, "stage closed");
        let seconds = std::mem::take(&mut self.lp_seconds);
        self.record(name, objective, objective, 0.0, seconds, status);
        StageResult {
            objective,
            bound: objective,
            status: StageStatus::Bound,
        }
    }

    /// Records a stage closed by the LP bound `lp` (its incumbent is its floor), solved for
    /// this stage or before it, for several classes together.
    pub fn close_by_lp(&mut self, name: &str, objective: f64, lp: f64) -> StageResult {
        self.lp = Some(lp);
        self.close(name, objective, "lp bound")
    }

    /// Records a stage whose budget was spent before its MILP could run (by a neighbourhood
    /// search): unproven, held at `objective`, with `bound` (the LP's) as its bound.
    pub fn spent(&mut self, name: &str, objective: f64, bound: f64) -> StageResult {
        let gap = (bound - objective).abs() / objective.abs().max(1.0);
        tracing::debug!(stage = name, objective, bound, "stage budget spent");
        let seconds = std::mem::take(&mut self.lp_seconds);
        self.record(name, objective, bound, gap, seconds, "time_limit");
        if self.left() <= 0.01 || self.cancelled() {
            self.stopped = true;
        }
        StageResult {
            objective,
            bound,
            status: StageStatus::Stopped,
        }
    }

    /// Flushes queued edits and takes the model out, its objective set to `terms` (the
    /// previous stage's costs cleared) and its time limit to `left` seconds.
    fn take_with_objective(
        &mut self,
        sense: Sense,
        terms: &[(usize, f64)],
        left: f64,
    ) -> Result<highs::Model, HighsCallError> {
        self.flush()?;
        let costed = std::mem::take(&mut self.costed);
        let mut model = self.model.take().ok_or(HighsCallError("model lost"))?;
        highs_ext::set_costs(&mut model, &costed, &vec![0.0; costed.len()])?;
        let (cols, weights): (Vec<usize>, Vec<f64>) = terms.iter().copied().unzip();
        highs_ext::set_costs(&mut model, &cols, &weights)?;
        self.costed = cols;
        model.set_sense(sense);
        highs_ext::zero_clocks(&mut model)?;
        model.set_option("time_limit", left);
        Ok(model)
    }

    /// The optimum of the LP relaxation of `terms` (a bound on the stage's MILP), or
    /// `None` when the LP is not solved in the time left.
    pub fn lp_bound(
        &mut self,
        sense: Sense,
        terms: &[(usize, f64)],
    ) -> Result<Option<f64>, HighsCallError> {
        let left = self
            .deadline
            .saturating_duration_since(Instant::now())
            .as_secs_f64();
        if self.out_of_time() || left <= 0.01 {
            return Ok(None);
        }
        let t0 = Instant::now();
        let mut model = self.take_with_objective(sense, terms, left)?;
        model.set_option("solve_relaxation", true);
        // On large models the interior-point method solves the relaxation several times
        // faster than simplex (ciamt-week, 215,000 columns: 22 s against 75-160 s).
        if self.sol.len() > IPM_ABOVE_COLUMNS {
            model.set_option("solver", "ipm");
        }
        let solved = model.try_solve().map_err(|_| HighsCallError("Highs_run"))?;
        let value =
            (solved.status() == HighsModelStatus::Optimal).then(|| solved.objective_value());
        if solved.status() == HighsModelStatus::Infeasible {
            tracing::error!("LP relaxation infeasible: a pin or a row contradicts the incumbent");
        }
        tracing::debug!(
            lp = value,
            seconds = t0.elapsed().as_secs_f64(),
            "LP relaxation bound"
        );
        let mut model: highs::Model = solved.into();
        model.set_option("solve_relaxation", false);
        model.set_option("solver", "choose");
        self.lp = value;
        self.lp_seconds = t0.elapsed().as_secs_f64();
        self.model = Some(model);
        Ok(value)
    }

    /// The optimum and optimal point of `lp` (a copy of the stage's LP, reshaped, e.g. with
    /// identical requests merged) in its own HiGHS instance, recorded as the stage's LP
    /// bound as [`Runner::lp_bound`] records its own; `None` when it is not solved in the
    /// time left. The stage model is untouched.
    pub fn lp_point_of(
        &mut self,
        lp: &highs_ext::Lp,
        sense: Sense,
    ) -> Result<Option<(f64, Vec<f64>)>, HighsCallError> {
        let left = self.left();
        if self.out_of_time() || left <= 0.01 {
            return Ok(None);
        }
        let t0 = Instant::now();
        // The columns the stage holds fixed (the classes below it, a held appointment) go
        // before HiGHS sees the LP: its presolve, which does not call back, took 22 s to
        // remove them from national's merged LP, past the deadline.
        let reduced = fixed::without_fixed(lp, &[], LP_WITHOUT_FIXED_SHARE);
        let (value, values) = match &reduced {
            Some(r) if r.lp.cols() == 0 => (Some(r.offset), Some(r.lift(&[]))),
            _ => {
                let (solve, offset) = reduced.as_ref().map_or((lp, 0.0), |r| (&r.lp, r.offset));
                let mut model = self.lp_instance(solve, sense, true)?;
                if let Some(path) = dump_path(&format!("{:02}-", self.reports.len()), "lp") {
                    if let Err(e) = highs_ext::write_model(&mut model, &path.with_extension("mps"))
                    {
                        tracing::warn!(error = %e, "LP relaxation not written");
                    }
                }
                model.set_option("time_limit", left);
                if solve.cols() > IPM_ABOVE_COLUMNS {
                    model.set_option("solver", "ipm");
                }
                // A failed LP leaves the stage without a bound, not the solve without a
                // plan: HiGHS 1.15's interior point returns an error, not a time-limit
                // status, when the deadline cuts it (national's last components), and the
                // whole solve used to stop there with its stage unrecorded.
                match model.try_solve() {
                    Err(e) => {
                        if !self.out_of_time() && self.left() > 0.01 {
                            tracing::warn!(error = ?e, "LP relaxation failed");
                        }
                        (None, None)
                    }
                    Ok(solved) => {
                        let status = solved.status();
                        let value = (status == HighsModelStatus::Optimal)
                            .then(|| solved.objective_value() + offset);
                        if status == HighsModelStatus::Infeasible {
                            tracing::error!(
                                "LP relaxation infeasible: a pin or a row contradicts the incumbent"
                            );
                        }
                        let mut model: highs::Model = solved.into();
                        let values = value.and_then(|_| highs_ext::col_values(&mut model));
                        let values = match &reduced {
                            Some(r) => values.map(|x| r.lift(&x)),
                            None => values,
                        };
                        (value, values)
                    }
                }
            }
        };
        tracing::debug!(
            lp = value,
            columns = lp.cols(),
            free = reduced.as_ref().map_or(lp.cols(), |r| r.lp.cols()),
            seconds = t0.elapsed().as_secs_f64(),
            "LP relaxation bound (own instance)"
        );
        self.lp = value;
        // Added: a stage may solve more than one LP copy before it is recorded.
        self.lp_seconds += t0.elapsed().as_secs_f64();
        Ok(value.zip(values))
    }

    /// Optimises `terms` from the incumbent; keeps the incumbent when HiGHS finds nothing
    /// better in the time left.
    pub fn optimise(
        &mut self,
        name: &str,
        sense: Sense,
        terms: &[(usize, f64)],
        gaps: Gaps,
    ) -> Result<StageResult, HighsCallError> {
        let before = self.value(terms);
        let left = self
            .end()
            .saturating_duration_since(Instant::now())
            .as_secs_f64();
        if self.stopped || self.cancelled() || left <= 0.01 {
            // Only the deadline or a cancellation stops the solve, not a spent stage budget.
            self.stopped = self.stopped || self.cancelled() || self.left() <= 0.01;
            self.record(name, before, f64::NAN, f64::NAN, 0.0, "skipped");
            return Ok(StageResult {
                objective: before,
                bound: f64::NAN,
                status: StageStatus::Stopped,
            });
        }
        self.emit(name, false, before, f64::NAN, f64::NAN);
        if let Ok(mut g) = self.callback.stage.lock() {
            *g = (
                name.to_string(),
                self.reports.len(),
                self.planned.max(self.reports.len() + 1),
            );
        }
        let t0 = Instant::now();
        let sol = self.sol.clone();
        let mut model = self.take_with_objective(sense, terms, left)?;
        model.set_option("mip_abs_gap", gaps.abs);
        model.set_option("mip_rel_gap", gaps.rel);
        dump_stage(&mut model, self.reports.len(), name, &sol);
        let reduced = self.without_fixed(&mut model)?;
        let mut solved = match &reduced {
            // Every column fixed by the rows: their values are the only solution.
            Some(r) if r.lp.cols() == 0 => {
                self.model = Some(model);
                Solved {
                    model: None,
                    status: HighsModelStatus::Optimal,
                    columns: Some(Vec::new()),
                    bound: Some(r.offset),
                    objective: None,
                }
            }
            Some(r) => {
                let watch = Some(&*self.callback);
                let mut own = highs_ext::pass_mip(&r.lp, &r.integer, r.offset, sense, watch)?;
                Self::configure(&mut own, self.threads, r.lp.cols(), self.light);
                own.set_option("time_limit", left);
                own.set_option("mip_abs_gap", gaps.abs);
                own.set_option("mip_rel_gap", gaps.rel);
                let start = r.restrict(&sol);
                dump_stage(
                    &mut own,
                    self.reports.len(),
                    &format!("{name} reduced"),
                    &start,
                );
                // The stage model waits, unsolved, for the next stage's edits.
                self.model = Some(model);
                solve_from(own, &start)?
            }
            None => solve_from(model, &sol)?,
        };
        let status = solved.status;
        if status == HighsModelStatus::Infeasible {
            // The incumbent satisfies every row it was built for: an infeasible stage means
            // a pin or a row contradicts it, a bug to report rather than a time limit.
            tracing::error!(
                stage = name,
                "stage model infeasible; keeping the incumbent"
            );
        }
        let mut result_status = match status {
            HighsModelStatus::Optimal => StageStatus::Optimal,
            _ => StageStatus::Stopped,
        };
        let bound_info = solved.bound;
        if let Some(cols) = solved.columns.take() {
            let cols = match &reduced {
                Some(r) => r.lift(&cols),
                None => cols,
            };
            // A proof holds only for the solution it was reached with: HiGHS 1.16 was seen
            // to report an optimum of 2 while returning its MIP start, of value 1.
            let returned: f64 = terms.iter().map(|&(c, w)| w * cols[c]).sum();
            if let Some(reported) = solved.objective {
                let off = (reported - returned).abs() > 1e-6 * returned.abs().max(1.0);
                if off && result_status == StageStatus::Optimal {
                    tracing::warn!(
                        stage = name,
                        reported,
                        returned,
                        "HiGHS's solution falls short of the optimum it reports; stage not proven"
                    );
                    result_status = StageStatus::Stopped;
                }
            }
            let candidate: Vec<f64> = cols
                .iter()
                .zip(&self.integer)
                .map(|(&v, &int)| if int { v.round() } else { v })
                .collect();
            let value: f64 = terms.iter().map(|&(c, w)| w * candidate[c]).sum();
            let better = match sense {
                Sense::Maximise => value >= before - 1e-9,
                Sense::Minimise => value <= before + 1e-9,
            };
            if better && candidate.len() == self.sol.len() {
                self.sol = candidate;
            }
        } else if status == HighsModelStatus::Infeasible {
            // The incumbent is feasible, so this is a numerical failure: keep it.
            result_status = StageStatus::Stopped;
        }
        if let Some(model) = solved.model {
            if reduced.is_none() {
                self.model = Some(model);
            }
        }
        let objective = self.value(terms);
        let bound = match (result_status, bound_info) {
            (StageStatus::Optimal, _) => objective,
            (_, Some(b)) if b.is_finite() => b,
            _ => f64::NAN,
        };
        let gap = if bound.is_nan() {
            f64::NAN
        } else {
            (bound - objective).abs() / objective.abs().max(1.0)
        };
        // A stop at the stage's own budget, with time left before the deadline, lets the
        // stages after run.
        let at_cap = self.cap.is_some_and(|c| c < self.deadline)
            && !self.cancelled()
            && Instant::now() < self.deadline;
        if result_status == StageStatus::Stopped && !at_cap {
            self.stopped = true;
        }
        let seconds = t0.elapsed().as_secs_f64() + std::mem::take(&mut self.lp_seconds);
        tracing::debug!(
            stage = name,
            objective,
            bound,
            gap,
            seconds,
            status = ?result_status,
            "stage finished"
        );
        let status = match result_status {
            StageStatus::Optimal => "optimal",
            StageStatus::Bound => "bound",
            StageStatus::Stopped => "time_limit",
        };
        self.record(name, objective, bound, gap, seconds, status);
        Ok(StageResult {
            objective,
            bound,
            status: result_status,
        })
    }

    /// The stage's LP as it stands (every row and bound), its objective `terms`: for a
    /// heuristic to work on in its own HiGHS instance.
    pub fn lp_copy(&mut self, terms: &[(usize, f64)]) -> Result<highs_ext::Lp, HighsCallError> {
        self.flush()?;
        let mut lp = highs_ext::lp_of(self.model()?)?;
        lp.col_cost.iter_mut().for_each(|c| *c = 0.0);
        for &(c, w) in terms {
            lp.col_cost[c] = w;
        }
        Ok(lp)
    }

    /// Lowers the bound of the maximisation stage just recorded to `bound` when that is
    /// tighter than HiGHS's (a relaxation stronger than the model's, e.g. the LP dive's
    /// with patterns): the report and `result` then say how far the stage may really be.
    pub fn tighten(&mut self, bound: f64, mut result: StageResult) -> StageResult {
        if let Some(report) = self.reports.last_mut() {
            if report.bound.is_nan() || bound < report.bound {
                report.bound = bound.max(report.objective);
                report.gap =
                    (report.bound - report.objective).abs() / report.objective.abs().max(1.0);
                result.bound = report.bound;
            }
        }
        result
    }

    /// Records a heuristic that ran outside HiGHS's branch and bound (it proves nothing:
    /// no bound); the LP bound waiting to be reported stays for the stage itself.
    pub fn heuristic(&mut self, name: &str, objective: f64, seconds: f64) {
        let lp = self.lp.take();
        self.record(name, objective, f64::NAN, f64::NAN, seconds, "heuristic");
        self.lp = lp;
    }

    /// A MILP on a neighbourhood of the incumbent: the columns `off` are held at 0 for
    /// `seconds` at most, then freed. It only improves the incumbent: its bound is not the
    /// stage's, so it is reported as a heuristic, and the LP bound waiting to be reported
    /// stays for the stage itself.
    pub fn restricted(
        &mut self,
        name: &str,
        sense: Sense,
        terms: &[(usize, f64)],
        off: &[usize],
        seconds: f64,
    ) -> Result<StageResult, HighsCallError> {
        let (lp, lp_seconds) = (self.lp.take(), std::mem::take(&mut self.lp_seconds));
        self.set_bounds(off, 0.0, 0.0)?;
        let outer = self.cap;
        let until = Instant::now() + std::time::Duration::from_secs_f64(seconds.max(0.0));
        self.cap = Some(outer.map_or(until, |o| o.min(until)));
        let start = self.value(terms);
        let maximise = matches!(sense, Sense::Maximise);
        self.set_stall(Some(highs_ext::Stall::new(
            STALL_FLOOR_SECONDS,
            STALL_SHARE,
            start,
            maximise,
        )));
        let was_stopped = self.stopped;
        let result = self.optimise(name, sense, terms, Gaps::INTEGER);
        self.set_stall(None);
        self.cap = outer;
        // Stopped by its budget or a stall, the search leaves the stage running.
        self.stopped = was_stopped || self.cancelled() || self.left() <= 0.01;
        self.set_bounds(off, 0.0, 1.0)?;
        let result = result?;
        if let Some(report) = self.reports.last_mut() {
            report.status = "heuristic".to_string();
            report.bound = f64::NAN;
            report.gap = f64::NAN;
        }
        (self.lp, self.lp_seconds) = (lp, lp_seconds);
        Ok(result)
    }
}

/// At least this share of a stage's columns fixed, its MILP is solved without them
/// ([`fixed`]).
const WITHOUT_FIXED_SHARE: f64 = 0.25;
/// Models above this many nonzeros are solved whole: their copy would cost more memory
/// than HiGHS's presolve saves time (the national week: 15 million columns).
const WITHOUT_FIXED_MAX_NONZEROS: usize = 5_000_000;

impl Runner<'_> {
    /// The stage model without its fixed columns, when enough of them are.
    fn without_fixed(
        &mut self,
        model: &mut highs::Model,
    ) -> Result<Option<fixed::Reduced>, HighsCallError> {
        if highs_ext::nonzeros(model) > WITHOUT_FIXED_MAX_NONZEROS {
            return Ok(None);
        }
        let mut lp = highs_ext::lp_of(model)?;
        // Infeasible rows: the full model lets HiGHS say so.
        if fixed::propagate(&mut lp, &self.integer).is_err() {
            return Ok(None);
        }
        let reduced = fixed::without_fixed(&lp, &self.integer, WITHOUT_FIXED_SHARE);
        if let Some(r) = &reduced {
            tracing::trace!(
                columns = lp.cols(),
                free = r.lp.cols(),
                rows = r.lp.row_lower.len(),
                "stage solved without its fixed columns"
            );
        }
        Ok(reduced)
    }
}

/// Share of fixed columns above which an LP relaxation is solved without them (below, the
/// copy costs more than HiGHS's presolve saves).
const LP_WITHOUT_FIXED_SHARE: f64 = 0.1;

/// A stage MILP's outcome.
struct Solved {
    /// The model, solved (none when there was nothing to solve).
    model: Option<highs::Model>,
    status: HighsModelStatus,
    /// Column values of the best solution found, if any.
    columns: Option<Vec<f64>>,
    /// HiGHS's dual bound.
    bound: Option<f64>,
    /// The objective HiGHS reports for `columns`.
    objective: Option<f64>,
}

/// Solves `model` from the MIP start `start`.
fn solve_from(mut model: highs::Model, start: &[f64]) -> Result<Solved, HighsCallError> {
    model
        .try_set_solution(Some(start), None, None, None)
        .map_err(|_| HighsCallError("Highs_setSolution"))?;
    let solved = model.try_solve().map_err(|_| HighsCallError("Highs_run"))?;
    let status = solved.status();
    let columns = (solved.primal_solution_status() == HighsSolutionStatus::Feasible)
        .then(|| solved.get_solution().columns().to_vec());
    let bound = solved.double_info_value(c"mip_dual_bound").ok();
    let objective = columns.as_ref().map(|_| solved.objective_value());
    Ok(Solved {
        model: Some(solved.into()),
        status,
        columns,
        bound,
        objective,
    })
}

/// With `CONVOPLAN_DUMP_DIR` set, where to write a file about stage `name`:
/// `<dir>/<prefix><name with every non-alphanumeric character as '-'>`.
pub(crate) fn dump_path(prefix: &str, name: &str) -> Option<std::path::PathBuf> {
    let dir = std::env::var_os("CONVOPLAN_DUMP_DIR")?;
    let slug: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    Some(std::path::Path::new(&dir).join(format!("{prefix}{slug}")))
}

/// With `CONVOPLAN_DUMP_DIR` set, writes each MILP stage's model (`NN-stage.mps`, costs and
/// bounds as handed to HiGHS) and its starting incumbent (`NN-stage.start`, one value per
/// column), so that a slow stage can be studied offline (e.g. with highspy); a stage solved
/// without its fixed columns also as `NN-stage-reduced.mps`, what HiGHS solved.
fn dump_stage(model: &mut highs::Model, index: usize, name: &str, start: &[f64]) {
    let Some(base) = dump_path(&format!("{index:02}-"), name) else {
        return;
    };
    if let Err(e) = highs_ext::write_model(model, &base.with_extension("mps")) {
        tracing::warn!(error = %e, "stage model not written");
    }
    let text: String = start.iter().map(|v| format!("{v}\n")).collect();
    if let Err(e) = std::fs::write(base.with_extension("start"), text) {
        tracing::warn!(error = %e, "stage start not written");
    }
}

/// A part's MILP ([`super::repack`]) in its own HiGHS instance, stopped by the solve's
/// deadline and cancellation.
impl super::repack::SubMip for Runner<'_> {
    fn solve(&self, lp: &highs_ext::Lp, start: &[f64], seconds: f64) -> Option<Vec<f64>> {
        let integer = vec![true; lp.cols()];
        let watch = Some(&*self.callback);
        let mut model = highs_ext::pass_mip(lp, &integer, 0.0, Sense::Maximise, watch).ok()?;
        Self::common(&mut model, self.threads);
        model.set_option("time_limit", seconds.max(0.01));
        model.set_option("mip_rel_gap", 0.0);
        model.set_option("mip_feasibility_tolerance", 1e-7);
        solve_from(model, start).ok()?.columns
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A runner over an empty model, with one maximisation stage recorded at `objective`
    /// and HiGHS's `bound`.
    fn recorded(options: &SolveOptions, objective: f64, bound: f64) -> Runner<'_> {
        let model = highs::RowProblem::default().optimise(Sense::Maximise);
        let now = Instant::now();
        let mut run = Runner::new(model, Vec::new(), options, now, now, 1);
        let gap = (bound - objective) / objective;
        run.record(
            "L1 tier 12 due later",
            objective,
            bound,
            gap,
            1.0,
            "time_limit",
        );
        run
    }

    fn result(objective: f64, bound: f64) -> StageResult {
        StageResult {
            objective,
            bound,
            status: StageStatus::Stopped,
        }
    }

    #[test]
    fn a_tighter_bound_replaces_highs_and_a_looser_one_does_not() {
        let options = SolveOptions::default();
        // ami-eure-week's tier 12 due later: 5 reached, HiGHS's bound 7, the pattern LP's 6.
        let mut run = recorded(&options, 5.0, 7.0);
        let r = run.tighten(6.0, result(5.0, 7.0));
        let report = run.reports.last().expect("recorded");
        assert_eq!((r.bound, report.bound), (6.0, 6.0));
        assert!((report.gap - 0.2).abs() < 1e-12);
        let mut run = recorded(&options, 5.0, 7.0);
        let r = run.tighten(9.0, result(5.0, 7.0));
        assert_eq!((r.bound, run.reports[0].bound), (7.0, 7.0));
        // HiGHS stopped before any bound: the relaxation's, never below the objective.
        let mut run = recorded(&options, 5.0, f64::NAN);
        let r = run.tighten(4.9, result(5.0, f64::NAN));
        assert_eq!((r.bound, run.reports[0].bound), (5.0, 5.0));
    }
}
