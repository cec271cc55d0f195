//! A stage's MILP with its fixed columns taken out, for HiGHS to solve in its own instance.
//!
//! Most stages hold most of the model fixed: a re-optimisation's neighbourhood pins every
//! held appointment at 1, level 1 fixes the classes below the stage at 0, a neighbourhood
//! search fixes everything outside its part. HiGHS's presolve removes those columns, but
//! it spends most of a small stage's time doing so: on ciamt-week after a doctor's one-day
//! absence (11,778 columns, 4,342 of them free in a level-1 stage), 0.078 s of presolve
//! for a MILP solved at its root, 0.050 s with the fixed columns removed beforehand
//! (highspy on the dumped stage models, BENCHMARKS.md).

use super::highs_ext::Lp;
use std::os::raw::c_int;

/// Tolerance on a row that only fixed columns meet, above which the reduction is refused
/// (the full model then lets HiGHS report the infeasibility).
const ROW_TOLERANCE: f64 = 1e-6;

/// The free columns of a model and the rows they meet.
#[derive(Debug, Clone)]
pub struct Reduced {
    /// The reduced LP: free columns only, each row's bounds shifted by the fixed columns'
    /// activity, the rows no free column meets dropped.
    pub lp: Lp,
    /// Integrality of each reduced column.
    pub integer: Vec<bool>,
    /// Column of the full model of each reduced column.
    pub cols: Vec<usize>,
    /// Objective of the fixed columns (the reduced model's constant).
    pub offset: f64,
    /// The full model's column values with every fixed column at its value.
    fixed_values: Vec<f64>,
}

impl Reduced {
    /// `full` (a value per column of the full model) on the reduced columns.
    pub fn restrict(&self, full: &[f64]) -> Vec<f64> {
        self.cols.iter().map(|&j| full[j]).collect()
    }

    /// A full column vector from a value per reduced column, the fixed columns at their
    /// values.
    pub fn lift(&self, reduced: &[f64]) -> Vec<f64> {
        let mut full = self.fixed_values.clone();
        for (&j, &v) in self.cols.iter().zip(reduced) {
            full[j] = v;
        }
        full
    }
}

/// The model `lp` without its fixed columns (lower bound equal to upper), when at least
/// `min_share` of its columns are fixed; `None` otherwise, or when a row that only fixed
/// columns meet is violated by them.
pub fn without_fixed(lp: &Lp, integer: &[bool], min_share: f64) -> Option<Reduced> {
    let n = lp.cols();
    let fixed: Vec<bool> = (0..n).map(|j| lp.col_lower[j] == lp.col_upper[j]).collect();
    let count = fixed.iter().filter(|&&f| f).count();
    if n == 0 || (count as f64) < min_share * n as f64 {
        return None;
    }
    let rows = lp.row_lower.len();
    let entries = |j: usize| lp.a_start[j] as usize..lp.a_start[j + 1] as usize;
    let mut activity = vec![0.0; rows];
    let mut met = vec![false; rows];
    let mut offset = 0.0;
    let mut fixed_values = vec![0.0; n];
    for j in 0..n {
        if fixed[j] {
            let v = lp.col_lower[j];
            fixed_values[j] = v;
            offset += lp.col_cost[j] * v;
            if v != 0.0 {
                for k in entries(j) {
                    activity[lp.a_index[k] as usize] += lp.a_value[k] * v;
                }
            }
        } else {
            for k in entries(j) {
                met[lp.a_index[k] as usize] = true;
            }
        }
    }
    let mut row_of = vec![c_int::MAX; rows];
    let mut out = Lp::default();
    for i in 0..rows {
        let (lo, up) = (lp.row_lower[i] - activity[i], lp.row_upper[i] - activity[i]);
        if met[i] {
            row_of[i] = out.row_lower.len() as c_int;
            out.row_lower.push(lo);
            out.row_upper.push(up);
        } else if lo > ROW_TOLERANCE || up < -ROW_TOLERANCE {
            return None;
        }
    }
    let mut cols = Vec::with_capacity(n - count);
    let mut kinds = Vec::with_capacity(n - count);
    out.a_start.push(0);
    for j in (0..n).filter(|&j| !fixed[j]) {
        cols.push(j);
        kinds.push(integer.get(j).copied().unwrap_or(false));
        out.col_cost.push(lp.col_cost[j]);
        out.col_lower.push(lp.col_lower[j]);
        out.col_upper.push(lp.col_upper[j]);
        for k in entries(j) {
            out.a_index.push(row_of[lp.a_index[k] as usize]);
            out.a_value.push(lp.a_value[k]);
        }
        out.a_start.push(out.a_index.len() as c_int);
    }
    Some(Reduced {
        lp: out,
        integer: kinds,
        cols,
        offset,
        fixed_values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three columns, two rows: x0 + x1 + x2 <= 2 and x0 - x2 >= 0, x0 fixed at 1.
    fn lp() -> Lp {
        Lp {
            col_cost: vec![3.0, 1.0, 2.0],
            col_lower: vec![1.0, 0.0, 0.0],
            col_upper: vec![1.0, 1.0, 1.0],
            row_lower: vec![f64::NEG_INFINITY, 0.0],
            row_upper: vec![2.0, f64::INFINITY],
            a_start: vec![0, 2, 3, 5],
            a_index: vec![0, 1, 0, 0, 1],
            a_value: vec![1.0, 1.0, 1.0, 1.0, -1.0],
        }
    }

    #[test]
    fn fixed_columns_become_row_shifts_and_an_objective_constant() {
        let r = without_fixed(&lp(), &[true, true, false], 0.3).expect("a third is fixed");
        assert_eq!(r.cols, vec![1, 2]);
        assert_eq!(r.integer, vec![true, false]);
        assert_eq!(r.offset, 3.0);
        assert_eq!(r.lp.row_upper, vec![1.0, f64::INFINITY]);
        assert_eq!(r.lp.row_lower, vec![f64::NEG_INFINITY, -1.0]);
        assert_eq!(r.lp.a_start, vec![0, 1, 3]);
        assert_eq!(r.lp.a_index, vec![0, 0, 1]);
        assert_eq!(r.lift(&[0.0, 1.0]), vec![1.0, 0.0, 1.0]);
        assert_eq!(r.restrict(&[1.0, 0.5, 0.25]), vec![0.5, 0.25]);
        // Any point of the reduced model is one of the full model.
        let full = lp();
        for point in [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]] {
            assert_eq!(r.lp.violation(&point), 0.0);
            assert_eq!(full.violation(&r.lift(&point)), 0.0);
        }
        assert!(r.lp.violation(&[1.0, 1.0]) > 0.0);
        assert!(full.violation(&r.lift(&[1.0, 1.0])) > 0.0);
    }

    #[test]
    fn too_few_fixed_columns_or_a_violated_dropped_row_keep_the_full_model() {
        assert!(without_fixed(&lp(), &[true; 3], 0.5).is_none());
        // x0 alone in a row it violates: 1 <= 0.
        let mut bad = lp();
        bad.row_lower.push(f64::NEG_INFINITY);
        bad.row_upper.push(0.0);
        bad.a_start = vec![0, 3, 4, 6];
        bad.a_index = vec![0, 1, 2, 0, 0, 1];
        bad.a_value = vec![1.0, 1.0, 1.0, 1.0, 1.0, -1.0];
        assert!(without_fixed(&bad, &[true; 3], 0.3).is_none());
        bad.row_upper[2] = 1.0;
        let r = without_fixed(&bad, &[true; 3], 0.3).expect("the row holds");
        assert_eq!(r.lp.row_lower.len(), 2, "the row only x0 meets is dropped");
    }
}
