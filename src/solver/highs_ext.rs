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
        if set.is_empty() {
            return Ok(());
        }
        // 1 is kHighsVarTypeInteger.
        let kinds = vec![1 as c_int; set.len()];
        let m = index(set.len(), "Highs_changeColsIntegralityBySet")?;
        // SAFETY: `set` and `kinds` have `m` elements, every index a column just added.
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
                let stop = state
                    .cancel
                    .as_ref()
                    .is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed))
                    || std::time::Instant::now() >= state.deadline;
                if stop && !data_in.is_null() {
                    // SAFETY: HiGHS passes a valid data_in for interrupt callbacks.
                    unsafe { (*data_in).user_interrupt = 1 };
                }
            }
            MIP_IMPROVING_SOLUTION => {
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
    let mut kinds = vec![SIMPLEX_INTERRUPT, IPM_INTERRUPT, MIP_INTERRUPT];
    if state.progress.is_some() {
        kinds.push(MIP_IMPROVING_SOLUTION);
    }
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

/// The column values of the model's current solution (of its last solve, a relaxation
/// included), or `None` when HiGHS holds none.
pub fn col_values(model: &mut highs::Model) -> Option<Vec<f64>> {
    let ptr = model.as_mut_ptr();
    // SAFETY: a valid HiGHS instance.
    let (cols, rows) = unsafe {
        (
            highs_sys::Highs_getNumCol(ptr),
            highs_sys::Highs_getNumRow(ptr),
        )
    };
    let (cols, rows) = (usize::try_from(cols).ok()?, usize::try_from(rows).ok()?);
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

/// Zeroes HiGHS's clocks. Its `time_limit` is measured against the run time summed over
/// every run of the model (ERGO-Code/HiGHS#1331, #1477), so without this a stage solved
/// minutes into a solve times out at once.
pub fn zero_clocks(model: &mut highs::Model) -> Result<(), HighsCallError> {
    // SAFETY: a valid HiGHS instance.
    let status = unsafe { highs_sys::Highs_zeroAllClocks(model.as_mut_ptr()) };
    check(status, "Highs_zeroAllClocks")
}
