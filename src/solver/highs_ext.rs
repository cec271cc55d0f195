//! The few HiGHS calls the `highs` crate does not expose on a built model (columns are
//! addressed by index here, the crate's `Col` cannot be made outside it): costs, bounds,
//! new rows and columns between lexicographic stages. Each call checks HiGHS's status.

use std::os::raw::c_int;

/// A HiGHS call that returned an error status.
#[derive(Debug, Clone, thiserror::Error)]
#[error("HiGHS call {0} failed")]
pub struct HighsCallError(pub &'static str);

fn check(status: c_int, call: &'static str) -> Result<(), HighsCallError> {
    // kHighsStatusError is -1; warnings (1) are acceptable.
    if status < 0 {
        Err(HighsCallError(call))
    } else {
        Ok(())
    }
}

fn index(i: usize, call: &'static str) -> Result<c_int, HighsCallError> {
    c_int::try_from(i).map_err(|_| HighsCallError(call))
}

/// Sets the bounds of the columns `cols` (one call: HiGHS invalidates its solve state per
/// call).
pub fn set_bounds(
    model: &mut highs::Model,
    cols: &[usize],
    lower: &[f64],
    upper: &[f64],
) -> Result<(), HighsCallError> {
    if cols.is_empty() {
        return Ok(());
    }
    let set: Vec<c_int> = cols
        .iter()
        .map(|&c| index(c, "Highs_changeColsBoundsBySet"))
        .collect::<Result<_, _>>()?;
    if lower.len() != set.len() || upper.len() != set.len() {
        return Err(HighsCallError("Highs_changeColsBoundsBySet"));
    }
    let n = index(set.len(), "Highs_changeColsBoundsBySet")?;
    // SAFETY: `set`, `lower` and `upper` have `n` elements and outlive the call.
    let status = unsafe {
        highs_sys::Highs_changeColsBoundsBySet(
            model.as_mut_ptr(),
            n,
            set.as_ptr(),
            lower.as_ptr(),
            upper.as_ptr(),
        )
    };
    check(status, "Highs_changeColsBoundsBySet")
}

/// Rows waiting to be added in one call, in compressed sparse row form. Adding rows one at
/// a time costs HiGHS a pass over its column-wise matrix each, which is quadratic over the
/// hundreds of thousands of rows of the level-4 model on a large instance.
#[derive(Debug, Default)]
pub struct RowBatch {
    lower: Vec<f64>,
    upper: Vec<f64>,
    starts: Vec<c_int>,
    index: Vec<c_int>,
    value: Vec<f64>,
}

impl RowBatch {
    /// Queues the row `lower <= Σ coef·x[col] <= upper`.
    pub fn push(
        &mut self,
        lower: f64,
        upper: f64,
        terms: &[(usize, f64)],
    ) -> Result<(), HighsCallError> {
        self.starts.push(index(self.index.len(), "Highs_addRows")?);
        for &(c, v) in terms {
            self.index.push(index(c, "Highs_addRows")?);
            self.value.push(v);
        }
        self.lower.push(lower);
        self.upper.push(upper);
        Ok(())
    }

    /// True when no row waits.
    pub fn is_empty(&self) -> bool {
        self.lower.is_empty()
    }

    /// Adds the queued rows to the model and empties the batch.
    pub fn flush(&mut self, model: &mut highs::Model) -> Result<(), HighsCallError> {
        if self.is_empty() {
            return Ok(());
        }
        let rows = index(self.lower.len(), "Highs_addRows")?;
        let nz = index(self.index.len(), "Highs_addRows")?;
        // SAFETY: the arrays have `rows` (bounds, starts) and `nz` (index, value) elements
        // and outlive the call; HiGHS checks the column indices.
        let status = unsafe {
            highs_sys::Highs_addRows(
                model.as_mut_ptr(),
                rows,
                self.lower.as_ptr(),
                self.upper.as_ptr(),
                nz,
                self.starts.as_ptr(),
                self.index.as_ptr(),
                self.value.as_ptr(),
            )
        };
        *self = RowBatch::default();
        check(status, "Highs_addRows")
    }
}

/// Columns waiting to be added in one call (empty: no row entries, zero cost).
#[derive(Debug, Default)]
pub struct ColBatch {
    lower: Vec<f64>,
    upper: Vec<f64>,
    integer: Vec<bool>,
}

impl ColBatch {
    /// Queues a column.
    pub fn push(&mut self, lower: f64, upper: f64, integer: bool) {
        self.lower.push(lower);
        self.upper.push(upper);
        self.integer.push(integer);
    }

    /// Adds the queued columns to the model and empties the batch.
    pub fn flush(&mut self, model: &mut highs::Model) -> Result<(), HighsCallError> {
        if self.lower.is_empty() {
            return Ok(());
        }
        let first = model.num_cols();
        let n = index(self.lower.len(), "Highs_addCols")?;
        let costs = vec![0.0; self.lower.len()];
        // SAFETY: the bound and cost arrays have `n` elements; no row entries are passed
        // (null pointers with a count of 0 are accepted).
        let status = unsafe {
            highs_sys::Highs_addCols(
                model.as_mut_ptr(),
                n,
                costs.as_ptr(),
                self.lower.as_ptr(),
                self.upper.as_ptr(),
                0,
                std::ptr::null(),
                std::ptr::null(),
                std::ptr::null(),
            )
        };
        check(status, "Highs_addCols")?;
        let set: Vec<c_int> = self
            .integer
            .iter()
            .enumerate()
            .filter(|(_, &int)| int)
            .map(|(i, _)| index(first + i, "Highs_changeColsIntegralityBySet"))
            .collect::<Result<_, _>>()?;
        *self = ColBatch::default();
        set_integer_cols(model, &set)
    }
}

/// Makes columns `set` integer.
fn set_integer_cols(model: &mut highs::Model, set: &[c_int]) -> Result<(), HighsCallError> {
    if set.is_empty() {
        return Ok(());
    }
    // 1 is kHighsVarTypeInteger.
    let kinds = vec![1 as c_int; set.len()];
    let m = index(set.len(), "Highs_changeColsIntegralityBySet")?;
    // SAFETY: `set` and `kinds` have `m` elements; HiGHS checks the indices.
    let status = unsafe {
        highs_sys::Highs_changeColsIntegralityBySet(
            model.as_mut_ptr(),
            m,
            set.as_ptr(),
            kinds.as_ptr(),
        )
    };
    check(status, "Highs_changeColsIntegralityBySet")
}

/// Makes every column of `model` integer (an LP passed by [`pass_lp`] becomes a MILP).
pub fn set_all_integer(model: &mut highs::Model) -> Result<(), HighsCallError> {
    let n = model.num_cols();
    let set: Vec<c_int> = (0..n)
        .map(|c| index(c, "Highs_changeColsIntegralityBySet"))
        .collect::<Result<_, _>>()?;
    set_integer_cols(model, &set)
}

/// Sets the objective costs of columns `cols`.
pub fn set_costs(
    model: &mut highs::Model,
    cols: &[usize],
    costs: &[f64],
) -> Result<(), HighsCallError> {
    if cols.is_empty() {
        return Ok(());
    }
    let set: Vec<c_int> = cols
        .iter()
        .map(|&c| index(c, "Highs_changeColsCostBySet"))
        .collect::<Result<_, _>>()?;
    if costs.len() != set.len() {
        return Err(HighsCallError("Highs_changeColsCostBySet"));
    }
    let n = index(set.len(), "Highs_changeColsCostBySet")?;
    // SAFETY: `set` and `costs` have `n` elements and outlive the call.
    let status = unsafe {
        highs_sys::Highs_changeColsCostBySet(model.as_mut_ptr(), n, set.as_ptr(), costs.as_ptr())
    };
    check(status, "Highs_changeColsCostBySet")
}

/// What the HiGHS callback sees while a stage runs: the cancellation flag and where to
/// report improving solutions.
pub struct CallbackState {
    /// Set to stop the solve at HiGHS's next interrupt check.
    pub cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// Progress sink.
    pub progress: Option<super::ProgressSink>,
    /// Current stage: name, index, planned count.
    pub stage: std::sync::Mutex<(String, usize, usize)>,
    /// When the solve started.
    pub started: std::time::Instant,
    /// When the solve must stop: HiGHS's own time limit is only checked between phases
    /// (a long presolve or LP can overrun it by minutes on a large model).
    pub deadline: std::time::Instant,
    /// Stall rule of the current MILP, when it has one: see [`Stall`].
    pub stall: std::sync::Mutex<Option<Stall>>,
}

/// Stops a MILP whose incumbent, once HiGHS has improved on the start, has not improved again for
/// `max(floor, share × time since it began)` seconds: a neighbourhood search that has
/// stalled gives its time to the stages after. Before the first improvement (presolve and
/// root LP can take half a minute) only the budget stops it.
#[derive(Debug, Clone, Copy)]
pub struct Stall {
    /// When the MILP began.
    pub began: std::time::Instant,
    /// When HiGHS last improved its incumbent.
    pub improved: Option<std::time::Instant>,
    /// Best objective so far (the start's at first): HiGHS also reports the start itself
    /// as an improving solution.
    pub best: f64,
    /// True when the objective is maximised.
    pub maximise: bool,
    /// Shortest stall that stops it, in seconds.
    pub floor: f64,
    /// Share of its running time that a stall must exceed.
    pub share: f64,
}

impl Stall {
    /// A stall rule starting now, from an incumbent of objective `start`.
    pub fn new(floor: f64, share: f64, start: f64, maximise: bool) -> Self {
        Stall {
            began: std::time::Instant::now(),
            improved: None,
            best: start,
            maximise,
            floor,
            share,
        }
    }

    /// Records a solution of objective `value` found at `now`.
    fn found(&mut self, value: f64, now: std::time::Instant) {
        let better = if self.maximise {
            value > self.best + 1e-6
        } else {
            value < self.best - 1e-6
        };
        if better {
            self.best = value;
            self.improved = Some(now);
        }
    }

    fn stalled(&self, now: std::time::Instant) -> bool {
        self.improved.is_some_and(|t| {
            let idle = now.duration_since(t).as_secs_f64();
            idle > self
                .floor
                .max(self.share * now.duration_since(self.began).as_secs_f64())
        })
    }
}

// kHighsCallback* constants of highs_c_api.h.
const SIMPLEX_INTERRUPT: c_int = 1;
const IPM_INTERRUPT: c_int = 2;
const MIP_IMPROVING_SOLUTION: c_int = 4;
const MIP_INTERRUPT: c_int = 6;

unsafe extern "C" fn on_callback(
    kind: c_int,
    _message: *const std::os::raw::c_char,
    data_out: *const highs_sys::HighsCallbackDataOut,
    data_in: *mut highs_sys::HighsCallbackDataIn,
    user: *mut std::os::raw::c_void,
) {
    // A panic must not unwind into C++.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        if user.is_null() {
            return;
        }
        // SAFETY: `user` is the `CallbackState` installed by `install_callback`, which the
        // runner keeps alive (boxed) for as long as the model exists.
        let state = unsafe { &*(user as *const CallbackState) };
        match kind {
            SIMPLEX_INTERRUPT | IPM_INTERRUPT | MIP_INTERRUPT => {
                let now = std::time::Instant::now();
                let stalled = kind == MIP_INTERRUPT
                    && state
                        .stall
                        .lock()
                        .is_ok_and(|g| g.is_some_and(|s| s.stalled(now)));
                let stop = state
                    .cancel
                    .as_ref()
                    .is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed))
                    || now >= state.deadline
                    || stalled;
                // Written both ways: HiGHS keeps the flag across runs of the model, so an
                // interrupt left set would stop every later solve at its first check.
                if !data_in.is_null() {
                    // SAFETY: HiGHS passes a valid data_in for interrupt callbacks.
                    unsafe { (*data_in).user_interrupt = i32::from(stop) };
                }
            }
            MIP_IMPROVING_SOLUTION => {
                if !data_in.is_null() {
                    // SAFETY: as above; HiGHS expects no interrupt from this callback.
                    unsafe { (*data_in).user_interrupt = 0 };
                }
                if let (Ok(mut g), false) = (state.stall.lock(), data_out.is_null()) {
                    if let Some(s) = g.as_mut() {
                        // SAFETY: HiGHS passes a valid data_out for MIP callbacks.
                        let value = unsafe { (*data_out).mip_primal_bound };
                        s.found(value, std::time::Instant::now());
                    }
                }
                if let (Some(sink), false) = (&state.progress, data_out.is_null()) {
                    // SAFETY: HiGHS passes a valid data_out for MIP callbacks.
                    let out = unsafe { &*data_out };
                    let (name, index, count) = match state.stage.lock() {
                        Ok(g) => g.clone(),
                        Err(_) => return,
                    };
                    sink(&super::ProgressEvent {
                        stage: name,
                        finished: false,
                        incumbent: out.mip_primal_bound,
                        bound: out.mip_dual_bound,
                        gap: out.mip_gap,
                        elapsed_seconds: state.started.elapsed().as_secs_f64(),
                        index,
                        count,
                    });
                }
            }
            _ => {}
        }
    }));
}

/// Installs the callback on a model; `state` must outlive every later solve of it.
pub fn install_callback(
    model: &mut highs::Model,
    state: &CallbackState,
) -> Result<(), HighsCallError> {
    let ptr = model.as_mut_ptr();
    // SAFETY: `state` outlives the model's solves (the runner owns both, boxed); the
    // callback only reads it.
    let status = unsafe {
        highs_sys::Highs_setCallback(
            ptr,
            Some(on_callback),
            state as *const CallbackState as *mut std::os::raw::c_void,
        )
    };
    check(status, "Highs_setCallback")?;
    let kinds = [
        SIMPLEX_INTERRUPT,
        IPM_INTERRUPT,
        MIP_INTERRUPT,
        MIP_IMPROVING_SOLUTION,
    ];
    for kind in kinds {
        // SAFETY: a valid HiGHS instance and a known callback type.
        let status = unsafe { highs_sys::Highs_startCallback(ptr, kind) };
        check(status, "Highs_startCallback")?;
    }
    Ok(())
}

/// Writes the model to `path` (MPS or LP by its extension), for diagnosing a stage offline.
pub fn write_model(model: &mut highs::Model, path: &std::path::Path) -> Result<(), HighsCallError> {
    let path = std::ffi::CString::new(path.to_string_lossy().as_bytes())
        .map_err(|_| HighsCallError("Highs_writeModel"))?;
    // SAFETY: a valid HiGHS instance and a NUL-terminated path that outlives the call.
    let status = unsafe { highs_sys::Highs_writeModel(model.as_mut_ptr(), path.as_ptr()) };
    check(status, "Highs_writeModel")
}

/// The model's numbers of columns and rows.
fn dims(model: &mut highs::Model) -> Option<(usize, usize)> {
    let ptr = model.as_mut_ptr();
    // SAFETY: a valid HiGHS instance.
    let (cols, rows) = unsafe {
        (
            highs_sys::Highs_getNumCol(ptr),
            highs_sys::Highs_getNumRow(ptr),
        )
    };
    Some((usize::try_from(cols).ok()?, usize::try_from(rows).ok()?))
}

/// The column values of the model's current solution (of its last solve, a relaxation
/// included), or `None` when HiGHS holds none.
pub fn col_values(model: &mut highs::Model) -> Option<Vec<f64>> {
    let (cols, rows) = dims(model)?;
    let ptr = model.as_mut_ptr();
    let mut col_value = vec![0.0; cols];
    let mut col_dual = vec![0.0; cols];
    let mut row_value = vec![0.0; rows];
    let mut row_dual = vec![0.0; rows];
    // SAFETY: the four arrays have the model's column and row counts.
    let status = unsafe {
        highs_sys::Highs_getSolution(
            ptr,
            col_value.as_mut_ptr(),
            col_dual.as_mut_ptr(),
            row_value.as_mut_ptr(),
            row_dual.as_mut_ptr(),
        )
    };
    (status >= 0).then_some(col_value)
}

/// A model's LP (integrality dropped), column-wise: what [`lp_of`] reads and [`pass_lp`]
/// hands to another HiGHS instance.
#[derive(Debug, Clone, Default)]
pub struct Lp {
    /// Objective costs.
    pub col_cost: Vec<f64>,
    /// Column lower bounds.
    pub col_lower: Vec<f64>,
    /// Column upper bounds.
    pub col_upper: Vec<f64>,
    /// Row lower bounds.
    pub row_lower: Vec<f64>,
    /// Row upper bounds.
    pub row_upper: Vec<f64>,
    /// Start of each column's entries in `a_index` / `a_value`, and the end.
    pub a_start: Vec<c_int>,
    /// Row of each entry.
    pub a_index: Vec<c_int>,
    /// Value of each entry.
    pub a_value: Vec<f64>,
}

impl Lp {
    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.col_cost.len()
    }

    /// Appends a column with its entries `(row, value)`; `a_start` must hold its first 0.
    pub fn push_col(&mut self, cost: f64, lower: f64, upper: f64, entries: &[(usize, f64)]) {
        self.col_cost.push(cost);
        self.col_lower.push(lower);
        self.col_upper.push(upper);
        for &(row, value) in entries {
            self.a_index.push(row as c_int);
            self.a_value.push(value);
        }
        self.a_start.push(self.a_index.len() as c_int);
    }

    /// Largest violation of a row or column bound by `x` (0 when `x` is feasible).
    pub fn violation(&self, x: &[f64]) -> f64 {
        let mut activity = vec![0.0; self.row_lower.len()];
        let mut worst: f64 = 0.0;
        for (j, &v) in x.iter().enumerate().take(self.cols()) {
            worst = worst.max(self.col_lower[j] - v).max(v - self.col_upper[j]);
            if v != 0.0 {
                let (a, b) = (self.a_start[j] as usize, self.a_start[j + 1] as usize);
                for k in a..b {
                    activity[self.a_index[k] as usize] += self.a_value[k] * v;
                }
            }
        }
        for (i, &a) in activity.iter().enumerate() {
            worst = worst.max(self.row_lower[i] - a).max(a - self.row_upper[i]);
        }
        worst
    }
}

/// Number of nonzeros of the model's matrix.
pub fn nonzeros(model: &mut highs::Model) -> usize {
    // SAFETY: a valid HiGHS instance.
    let nz = unsafe { highs_sys::Highs_getNumNz(model.as_mut_ptr()) };
    usize::try_from(nz).unwrap_or(usize::MAX)
}

/// The model's current LP: costs, bounds and rows as they stand (edits queued in the
/// `highs` crate's batches must be flushed first).
pub fn lp_of(model: &mut highs::Model) -> Result<Lp, HighsCallError> {
    let (nc, nr) = dims(model).ok_or(HighsCallError("Highs_getLp"))?;
    let ptr = model.as_mut_ptr();
    // SAFETY: a valid HiGHS instance.
    let nz = unsafe { highs_sys::Highs_getNumNz(ptr) };
    let nn = usize::try_from(nz).map_err(|_| HighsCallError("Highs_getLp"))?;
    let mut lp = Lp {
        col_cost: vec![0.0; nc],
        col_lower: vec![0.0; nc],
        col_upper: vec![0.0; nc],
        row_lower: vec![0.0; nr],
        row_upper: vec![0.0; nr],
        a_start: vec![0; nc + 1],
        a_index: vec![0; nn],
        a_value: vec![0.0; nn],
    };
    let mut integrality = vec![0 as c_int; nc];
    let (mut c, mut r, mut n, mut sense, mut offset) = (0, 0, 0, 0, 0.0);
    // SAFETY: every array has the size HiGHS reported for this model; 1 asks for the
    // column-wise matrix.
    let status = unsafe {
        highs_sys::Highs_getLp(
            ptr,
            1,
            &mut c,
            &mut r,
            &mut n,
            &mut sense,
            &mut offset,
            lp.col_cost.as_mut_ptr(),
            lp.col_lower.as_mut_ptr(),
            lp.col_upper.as_mut_ptr(),
            lp.row_lower.as_mut_ptr(),
            lp.row_upper.as_mut_ptr(),
            lp.a_start.as_mut_ptr(),
            lp.a_index.as_mut_ptr(),
            lp.a_value.as_mut_ptr(),
            integrality.as_mut_ptr(),
        )
    };
    check(status, "Highs_getLp")?;
    lp.a_start[nc] = nz;
    Ok(lp)
}

/// A new, quiet HiGHS instance holding `lp` (continuous) with `sense`, stopped by `watch`'s
/// cancellation and deadline when given.
pub fn pass_lp(
    lp: &Lp,
    sense: highs::Sense,
    watch: Option<&CallbackState>,
) -> Result<highs::Model, HighsCallError> {
    // Every column continuous: HiGHS holds it as an LP (`HighsLp::isMip`).
    pass_mip(lp, &vec![false; lp.cols()], 0.0, sense, watch)
}

/// A new, quiet HiGHS instance holding `lp` as a MILP: column `j` integer where
/// `integer[j]`, `offset` added to the objective; stopped by `watch`'s cancellation and
/// deadline when given.
pub fn pass_mip(
    lp: &Lp,
    integer: &[bool],
    offset: f64,
    sense: highs::Sense,
    watch: Option<&CallbackState>,
) -> Result<highs::Model, HighsCallError> {
    let mut model = highs::RowProblem::default().optimise(sense);
    model.make_quiet();
    // The callback goes on while the model has no column. HiGHS (1.15) copies a buffer of
    // one double per column, sized when the callback is set, at every call
    // (`HighsCallbackInput::operator=` returns by value); set on the empty model, the
    // buffer stays empty. IPX's crossover calls it at every push: on the `rhone` service's
    // LP (104,000 columns, 74,000 pushes) 3.3 s of a 9.2 s solve, against 0.9 s unwatched.
    if let Some(state) = watch {
        install_callback(&mut model, state)?;
    }
    let n = |len: usize| index(len, "Highs_passMip");
    if integer.len() != lp.cols() {
        return Err(HighsCallError("Highs_passMip"));
    }
    let hsense: c_int = match sense {
        highs::Sense::Maximise => -1,
        highs::Sense::Minimise => 1,
    };
    // 1 is kHighsVarTypeInteger, 0 continuous.
    let kinds: Vec<c_int> = integer.iter().map(|&i| c_int::from(i)).collect();
    // SAFETY: the arrays have the sizes passed; 1 is the column-wise format.
    let status = unsafe {
        highs_sys::Highs_passMip(
            model.as_mut_ptr(),
            n(lp.cols())?,
            n(lp.row_lower.len())?,
            n(lp.a_index.len())?,
            1,
            hsense,
            offset,
            lp.col_cost.as_ptr(),
            lp.col_lower.as_ptr(),
            lp.col_upper.as_ptr(),
            lp.row_lower.as_ptr(),
            lp.row_upper.as_ptr(),
            lp.a_start.as_ptr(),
            lp.a_index.as_ptr(),
            lp.a_value.as_ptr(),
            kinds.as_ptr(),
        )
    };
    check(status, "Highs_passMip")?;
    Ok(model)
}

/// Sets the bounds of row `row`.
pub fn set_row_bounds(
    model: &mut highs::Model,
    row: usize,
    lower: f64,
    upper: f64,
) -> Result<(), HighsCallError> {
    let r = index(row, "Highs_changeRowBounds")?;
    // SAFETY: a valid HiGHS instance; HiGHS checks the row index.
    let status = unsafe { highs_sys::Highs_changeRowBounds(model.as_mut_ptr(), r, lower, upper) };
    check(status, "Highs_changeRowBounds")
}

/// A simplex basis: the status of every column and row.
#[derive(Debug, Clone, Default)]
pub struct Basis {
    cols: Vec<c_int>,
    rows: Vec<c_int>,
}

/// The model's current basis (after a simplex or crossover solve).
pub fn basis(model: &mut highs::Model) -> Result<Basis, HighsCallError> {
    let (cols, rows) = dims(model).ok_or(HighsCallError("Highs_getBasis"))?;
    let ptr = model.as_mut_ptr();
    let mut b = Basis {
        cols: vec![0; cols],
        rows: vec![0; rows],
    };
    // SAFETY: the arrays have the model's column and row counts.
    let status =
        unsafe { highs_sys::Highs_getBasis(ptr, b.cols.as_mut_ptr(), b.rows.as_mut_ptr()) };
    check(status, "Highs_getBasis")?;
    Ok(b)
}

/// Makes `basis` (taken from this model, same columns and rows) the start of its next
/// simplex solve.
pub fn set_basis(model: &mut highs::Model, basis: &Basis) -> Result<(), HighsCallError> {
    // SAFETY: `basis` was read from this model, whose sizes have not changed.
    let status = unsafe {
        highs_sys::Highs_setBasis(model.as_mut_ptr(), basis.cols.as_ptr(), basis.rows.as_ptr())
    };
    check(status, "Highs_setBasis")
}

/// Zeroes HiGHS's clocks. Its `time_limit` is measured against the run time summed over
/// every run of the model (ERGO-Code/HiGHS#1331, #1477), so without this a stage solved
/// minutes into a solve times out at once.
pub fn zero_clocks(model: &mut highs::Model) -> Result<(), HighsCallError> {
    // SAFETY: a valid HiGHS instance.
    let status = unsafe { highs_sys::Highs_zeroAllClocks(model.as_mut_ptr()) };
    check(status, "Highs_zeroAllClocks")
}

#[cfg(test)]
mod tests {
    use super::Stall;
    use std::time::{Duration, Instant};

    /// Whether a search that ran `ran` seconds, last improved `idle` seconds ago, stalled.
    fn stalled(ran: u64, idle: Option<u64>) -> bool {
        let now = Instant::now() + Duration::from_secs(1000);
        let stall = Stall {
            began: now - Duration::from_secs(ran),
            improved: idle.map(|s| now - Duration::from_secs(s)),
            best: 0.0,
            maximise: true,
            floor: 20.0,
            share: 0.4,
        };
        stall.stalled(now)
    }

    #[test]
    fn a_search_without_an_improvement_is_never_stalled() {
        assert!(!stalled(900, None));
    }

    #[test]
    fn only_a_better_objective_counts_as_an_improvement() {
        let now = Instant::now();
        let mut s = Stall::new(20.0, 0.4, 10.0, true);
        s.found(10.0, now);
        assert!(s.improved.is_none(), "the start itself");
        s.found(11.0, now);
        assert_eq!((s.improved, s.best), (Some(now), 11.0));
        let mut s = Stall::new(20.0, 0.4, 10.0, false);
        s.found(11.0, now);
        assert!(s.improved.is_none(), "worse when minimising");
    }

    #[test]
    fn a_stall_must_exceed_the_floor_and_the_share_of_the_running_time() {
        // Ran 100 s: the share (40 s) decides.
        assert!(stalled(100, Some(41)));
        assert!(!stalled(100, Some(39)));
        // Ran 30 s: the floor (20 s) decides.
        assert!(!stalled(30, Some(19)));
        assert!(stalled(30, Some(21)));
    }
}
