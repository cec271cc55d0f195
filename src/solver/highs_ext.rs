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

/// Sets the objective cost of column `col`.
pub fn set_cost(model: &mut highs::Model, col: usize, cost: f64) -> Result<(), HighsCallError> {
    let col = index(col, "Highs_changeColCost")?;
    // SAFETY: the pointer is the live HiGHS instance owned by `model`; `col` is checked by
    // HiGHS, which returns an error status when out of range.
    let status = unsafe { highs_sys::Highs_changeColCost(model.as_mut_ptr(), col, cost) };
    check(status, "Highs_changeColCost")
}

/// Sets the bounds of column `col`.
pub fn set_bounds(
    model: &mut highs::Model,
    col: usize,
    lower: f64,
    upper: f64,
) -> Result<(), HighsCallError> {
    let col = index(col, "Highs_changeColBounds")?;
    // SAFETY: as in `set_cost`.
    let status = unsafe { highs_sys::Highs_changeColBounds(model.as_mut_ptr(), col, lower, upper) };
    check(status, "Highs_changeColBounds")
}

/// Adds the row `lower <= Σ coef·x[col] <= upper`.
pub fn add_row(
    model: &mut highs::Model,
    lower: f64,
    upper: f64,
    terms: &[(usize, f64)],
) -> Result<(), HighsCallError> {
    let idx: Vec<c_int> = terms
        .iter()
        .map(|&(c, _)| index(c, "Highs_addRow"))
        .collect::<Result<_, _>>()?;
    let val: Vec<f64> = terms.iter().map(|&(_, v)| v).collect();
    let n = index(terms.len(), "Highs_addRow")?;
    // SAFETY: `idx` and `val` have `n` elements and outlive the call.
    let status = unsafe {
        highs_sys::Highs_addRow(
            model.as_mut_ptr(),
            lower,
            upper,
            n,
            idx.as_ptr(),
            val.as_ptr(),
        )
    };
    check(status, "Highs_addRow")
}

/// Adds an empty column (no row entries) and returns its index.
pub fn add_col(
    model: &mut highs::Model,
    cost: f64,
    lower: f64,
    upper: f64,
    integer: bool,
) -> Result<usize, HighsCallError> {
    let col = model.num_cols();
    // SAFETY: no row entries are passed (null pointers with a count of 0 are accepted).
    let status = unsafe {
        highs_sys::Highs_addCol(
            model.as_mut_ptr(),
            cost,
            lower,
            upper,
            0,
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    check(status, "Highs_addCol")?;
    if integer {
        let c = index(col, "Highs_changeColIntegrality")?;
        // SAFETY: `c` is the column just added. 1 is kHighsVarTypeInteger.
        let status = unsafe { highs_sys::Highs_changeColIntegrality(model.as_mut_ptr(), c, 1) };
        check(status, "Highs_changeColIntegrality")?;
    }
    Ok(col)
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
                    .is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed));
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
