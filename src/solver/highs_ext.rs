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
    let status =
        unsafe { highs_sys::Highs_changeColBounds(model.as_mut_ptr(), col, lower, upper) };
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
        let status =
            unsafe { highs_sys::Highs_changeColIntegrality(model.as_mut_ptr(), c, 1) };
        check(status, "Highs_changeColIntegrality")?;
    }
    Ok(col)
}
