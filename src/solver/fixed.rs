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

/// Tolerance of the bound deductions of [`propagate`].
const BOUND_TOLERANCE: f64 = 1e-6;
/// [`propagate`] stops after this many row entries visited per entry of the matrix.
const PROPAGATION_WORK: usize = 20;

/// The rows contradict the bounds: no point satisfies them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Infeasible;

/// Tightens the column bounds of `lp` by what its rows imply for every point that satisfies
/// them (integer columns rounded inward; a continuous column only when it comes out fixed),
/// row after row until nothing changes; returns how many columns it fixed. The MILP keeps
/// the same feasible points, and more of its columns are fixed for [`without_fixed`] to
/// take out: on ciamt-week after a doctor's day, a level-1 stage's 4,342 free columns
/// become 2,275 (a count of a class above the stage held at its number of requests forces
/// every one of them in; a request placed cannot take a second place). HiGHS's presolve
/// finds the same and more, in more time (BENCHMARKS.md).
pub fn propagate(lp: &mut Lp, integer: &[bool]) -> Result<usize, Infeasible> {
    let n = lp.cols();
    let rows = lp.row_lower.len();
    // Row-wise copy of the matrix.
    let mut row_start = vec![0usize; rows + 1];
    for &i in &lp.a_index {
        row_start[i as usize + 1] += 1;
    }
    for i in 0..rows {
        row_start[i + 1] += row_start[i];
    }
    let mut fill = row_start.clone();
    let mut entries = vec![(0usize, 0.0f64); lp.a_index.len()];
    for j in 0..n {
        for k in lp.a_start[j] as usize..lp.a_start[j + 1] as usize {
            let i = lp.a_index[k] as usize;
            entries[fill[i]] = (j, lp.a_value[k]);
            fill[i] += 1;
        }
    }
    let fixed = |lp: &Lp, j: usize| lp.col_lower[j] == lp.col_upper[j];
    let was_fixed = (0..n).filter(|&j| fixed(lp, j)).count();
    let mut queued = vec![true; rows];
    let mut queue: std::collections::VecDeque<usize> = (0..rows).collect();
    let mut budget = PROPAGATION_WORK * lp.a_index.len().max(1);
    while let Some(i) = queue.pop_front() {
        queued[i] = false;
        let row = &entries[row_start[i]..row_start[i + 1]];
        budget = budget.saturating_sub(2 * row.len());
        if budget == 0 {
            break;
        }
        // Least and greatest activity of the row over the column bounds.
        let (mut least, mut most) = (0.0, 0.0);
        let mut finite = true;
        for &(j, a) in row {
            let (lo, up) = (lp.col_lower[j], lp.col_upper[j]);
            if !lo.is_finite() || !up.is_finite() {
                finite = false;
                break;
            }
            let (l, u) = if a > 0.0 {
                (a * lo, a * up)
            } else {
                (a * up, a * lo)
            };
            least += l;
            most += u;
        }
        if !finite {
            continue;
        }
        let (rl, ru) = (lp.row_lower[i], lp.row_upper[i]);
        let slack = BOUND_TOLERANCE * (1.0 + rl.abs().min(ru.abs()).min(1e9));
        if least > ru + slack || most < rl - slack {
            return Err(Infeasible);
        }
        for &(j, a) in row {
            let (lo, up) = (lp.col_lower[j], lp.col_upper[j]);
            if lo == up {
                continue;
            }
            // a·x_j lies within [rl - (most - its most), ru - (least - its least)].
            let (l, u) = if a > 0.0 {
                (a * lo, a * up)
            } else {
                (a * up, a * lo)
            };
            let (hi_a, lo_a) = (ru - (least - l), rl - (most - u));
            let (mut new_lo, mut new_up) = if a > 0.0 {
                (lo_a / a, hi_a / a)
            } else {
                (hi_a / a, lo_a / a)
            };
            if integer.get(j).copied().unwrap_or(false) {
                new_lo = (new_lo - BOUND_TOLERANCE).ceil();
                new_up = (new_up + BOUND_TOLERANCE).floor();
            } else {
                // A continuous column only when it comes out fixed at one of its bounds.
                new_lo = if new_lo >= up - BOUND_TOLERANCE {
                    up
                } else {
                    lo
                };
                new_up = if new_up <= lo + BOUND_TOLERANCE {
                    lo
                } else {
                    up
                };
            }
            let (new_lo, new_up) = (new_lo.max(lo), new_up.min(up));
            if new_lo > new_up {
                return Err(Infeasible);
            }
            if new_lo > lo || new_up < up {
                lp.col_lower[j] = new_lo;
                lp.col_upper[j] = new_up;
                for k in lp.a_start[j] as usize..lp.a_start[j + 1] as usize {
                    let r = lp.a_index[k] as usize;
                    if !queued[r] {
                        queued[r] = true;
                        queue.push_back(r);
                    }
                }
            }
        }
    }
    Ok((0..n).filter(|&j| fixed(lp, j)).count() - was_fixed)
}

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
    fn rows_fix_the_columns_they_force_and_nothing_else() {
        // x0 fixed at 1; x0 + x1 + x2 <= 2 and x0 - x2 >= 0 leave x1 + x2 <= 1: nothing
        // forced.
        let mut free = lp();
        assert_eq!(propagate(&mut free, &[true; 3]), Ok(0));
        assert_eq!(free.col_upper, vec![1.0, 1.0, 1.0]);
        // With x1 + x2 >= 1 and x2 <= 0 forced by x0 fixed at 0: x2 = 0, then x1 = 1.
        let mut forced = lp();
        forced.col_upper[0] = 0.0;
        forced.col_lower[0] = 0.0;
        forced.row_lower.push(1.0);
        forced.row_upper.push(f64::INFINITY);
        forced.a_start = vec![0, 2, 4, 7];
        forced.a_index = vec![0, 1, 0, 2, 0, 1, 2];
        forced.a_value = vec![1.0, 1.0, 1.0, 1.0, 1.0, -1.0, 1.0];
        let before = forced.clone();
        assert_eq!(propagate(&mut forced, &[true; 3]), Ok(2));
        assert_eq!(
            (forced.col_lower.clone(), forced.col_upper.clone()),
            (vec![0.0, 1.0, 0.0], vec![0.0, 1.0, 0.0])
        );
        // The only feasible point of the original is the forced one.
        assert_eq!(before.violation(&[0.0, 1.0, 0.0]), 0.0);
        // A contradiction: x1 + x2 >= 3.
        let mut bad = before.clone();
        bad.row_lower[2] = 3.0;
        assert_eq!(propagate(&mut bad, &[true; 3]), Err(Infeasible));
    }

    #[test]
    fn a_continuous_column_is_only_ever_fixed() {
        // 2·x0 + x1 <= 1.5, x0 integer in [0, 1], x1 continuous in [0, 1]: x0 = 0 would
        // need the bound 0.75 rounded; x1 stays in [0, 1] whatever x0.
        let mut lp = Lp {
            col_cost: vec![0.0, 0.0],
            col_lower: vec![0.0, 0.0],
            col_upper: vec![1.0, 1.0],
            row_lower: vec![f64::NEG_INFINITY],
            row_upper: vec![1.5],
            a_start: vec![0, 1, 2],
            a_index: vec![0, 0],
            a_value: vec![2.0, 1.0],
        };
        assert_eq!(propagate(&mut lp, &[true, false]), Ok(1));
        assert_eq!(lp.col_upper, vec![0.0, 1.0]);
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
