//! Identical requests merged into one column per option, for the LP dive.
//!
//! Two requests whose assignment and "scheduled" columns are the same but for their own
//! H1 row (same options, minutes, bounds, costs, and the same entries in every other row)
//! are interchangeable in any LP or plan of the model: only the number of them placed in
//! each option matters. The aggregated LP holds one column per option of each such group,
//! with bounds scaled by its size, and one H1 row for the group (the others' stay, empty).
//! A member's own rows (`x ≤ Σ y`: in person only with one of these rooms) are kept once,
//! for the group's column, which they bound by its size (`x ≤ k Σ y`): the projection of
//! the members' rows, as their columns are interchangeable.
//! On ciamt-week's marginal class the 1,052 requests fall into 186 groups and the stage's
//! 174,000 assignment columns into 81,000, and the symmetric optima the simplex wandered
//! between are gone.
//!
//! A point of the aggregated LP lifts back to the model's columns: split evenly among a
//! group's members (an LP point) or, when integral, member by member (a plan). Rows other
//! than H1 see only the group's sums, so both keep every row.

use super::highs_ext::Lp;
use super::milp::Milp;
use std::collections::HashMap;

/// The aggregated LP and how its columns map to the model's.
#[derive(Debug, Clone)]
pub struct Aggregated {
    /// The LP over the aggregated columns (rows as in the model).
    pub lp: Lp,
    /// The aggregated column of every model column.
    pub of_col: Vec<usize>,
    /// Per aggregated column, the model columns it stands for (one per group member).
    members: Vec<Vec<usize>>,
    /// Groups of more than one request: per member, its "scheduled" column then its
    /// assignment columns, in the same order for every member.
    groups: Vec<Vec<Vec<usize>>>,
}

/// The rows of `lp` row-wise, and which rows hold a single request column (an
/// assignment's own row, e.g. "in person only with one of these rooms": `x ≤ Σ y`).
struct Rows {
    entries: Vec<Vec<(usize, f64)>>,
    private: Vec<bool>,
}

impl Rows {
    fn new(lp: &Lp, request_col: &[bool]) -> Self {
        let mut entries = vec![Vec::new(); lp.row_lower.len()];
        let mut count = vec![0usize; lp.row_lower.len()];
        for (c, &request) in request_col.iter().enumerate() {
            for k in lp.a_start[c] as usize..lp.a_start[c + 1] as usize {
                let row = lp.a_index[k] as usize;
                entries[row].push((c, lp.a_value[k]));
                count[row] += usize::from(request);
            }
        }
        let private = count.iter().map(|&n| n == 1).collect();
        Rows { entries, private }
    }

    /// Entries of column `c` other than in row `skip`, with its bounds and cost: what two
    /// interchangeable columns share. A row of `c`'s own stands by its content (bounds and
    /// the other columns' entries), not by its index.
    fn signature(&self, lp: &Lp, c: usize, skip: usize, key: &mut Vec<u64>) {
        key.extend([
            lp.col_lower[c].to_bits(),
            lp.col_upper[c].to_bits(),
            lp.col_cost[c].to_bits(),
        ]);
        let (a, b) = (lp.a_start[c] as usize, lp.a_start[c + 1] as usize);
        for k in a..b {
            let row = lp.a_index[k] as usize;
            if row == skip {
                continue;
            }
            if self.private[row] {
                key.extend([
                    u64::MAX - 1,
                    lp.a_value[k].to_bits(),
                    lp.row_lower[row].to_bits(),
                    lp.row_upper[row].to_bits(),
                ]);
                for &(o, v) in self.entries[row].iter().filter(|&&(o, _)| o != c) {
                    key.extend([o as u64, v.to_bits()]);
                }
                key.push(u64::MAX - 2);
            } else {
                key.extend([row as u64, lp.a_value[k].to_bits()]);
            }
        }
        key.push(u64::MAX);
    }
}

/// The rows of column `c`.
fn rows_of(lp: &Lp, c: usize) -> &[std::ffi::c_int] {
    &lp.a_index[lp.a_start[c] as usize..lp.a_start[c + 1] as usize]
}

impl Aggregated {
    /// Groups the requests of `lp` (the model's LP as it stands, bounds included) that are
    /// interchangeable.
    pub fn new(lp: &Lp, milp: &Milp) -> Self {
        let n = lp.cols();
        let mut request_col = vec![false; n];
        for (xs, s) in milp.x_by_request.iter().zip(&milp.s_by_request) {
            for &c in xs.iter().chain(s) {
                request_col[c] = true;
            }
        }
        let rows = Rows::new(lp, &request_col);
        // Each request's columns ("scheduled" first, then its assignments in a canonical
        // order) under its key; a request whose H1 row cannot be told stays alone.
        let mut by_key: HashMap<Vec<u64>, usize> = HashMap::new();
        let mut groups: Vec<Vec<Vec<usize>>> = Vec::new();
        for (r, xs) in milp.x_by_request.iter().enumerate() {
            let (Some(s), Some(&first)) = (milp.s_by_request[r], xs.first()) else {
                continue;
            };
            let common: Vec<usize> = rows_of(lp, s)
                .iter()
                .filter(|row| rows_of(lp, first).contains(row))
                .map(|&row| row as usize)
                .collect();
            let [h1] = common[..] else { continue };
            let mut cols: Vec<(Vec<u64>, usize)> = xs
                .iter()
                .map(|&c| {
                    let mut k = Vec::new();
                    rows.signature(lp, c, h1, &mut k);
                    (k, c)
                })
                .collect();
            cols.sort();
            let mut key = Vec::new();
            rows.signature(lp, s, h1, &mut key);
            let mut list = vec![s];
            for (k, c) in cols {
                key.extend(k);
                list.push(c);
            }
            let g = *by_key.entry(key).or_insert_with(|| {
                groups.push(Vec::new());
                groups.len() - 1
            });
            groups[g].push(list);
        }
        groups.retain(|g| g.len() > 1);
        // A group's columns stand at its first member's; every other column for itself.
        let mut stands: Vec<Option<Vec<usize>>> = vec![None; n];
        let mut absorbed = vec![false; n];
        for lists in &groups {
            for j in 0..lists[0].len() {
                stands[lists[0][j]] = Some(lists.iter().map(|l| l[j]).collect());
                for l in &lists[1..] {
                    absorbed[l[j]] = true;
                }
            }
        }
        let mut out = Lp {
            row_lower: lp.row_lower.clone(),
            row_upper: lp.row_upper.clone(),
            a_start: vec![0],
            ..Lp::default()
        };
        let mut of_col = vec![usize::MAX; n];
        let mut members: Vec<Vec<usize>> = Vec::new();
        // A member's own rows say what its first member's say: they go free, and the first
        // member's, over the group's column, are scaled (`x ≤ Σ y` becomes `x ≤ k Σ y`).
        for c in (0..n).filter(|&c| absorbed[c]) {
            for k in lp.a_start[c] as usize..lp.a_start[c + 1] as usize {
                let row = lp.a_index[k] as usize;
                if rows.private[row] {
                    out.row_lower[row] = f64::NEG_INFINITY;
                    out.row_upper[row] = f64::INFINITY;
                }
            }
        }
        for c in 0..n {
            if absorbed[c] {
                continue;
            }
            let group = stands[c].take().unwrap_or_else(|| vec![c]);
            let k = group.len() as f64;
            for &m in &group {
                of_col[m] = members.len();
            }
            members.push(group);
            out.col_cost.push(lp.col_cost[c]);
            out.col_lower.push(lp.col_lower[c] * k);
            out.col_upper.push(lp.col_upper[c] * k);
            let (a, b) = (lp.a_start[c] as usize, lp.a_start[c + 1] as usize);
            out.a_index.extend_from_slice(&lp.a_index[a..b]);
            out.a_value.extend((a..b).map(|e| {
                let own = request_col[c] && rows.private[lp.a_index[e] as usize];
                if own {
                    lp.a_value[e] / k
                } else {
                    lp.a_value[e]
                }
            }));
            out.a_start.push(out.a_index.len() as std::ffi::c_int);
        }
        Aggregated {
            lp: out,
            of_col,
            members,
            groups,
        }
    }

    /// Number of aggregated columns.
    pub fn cols(&self) -> usize {
        self.members.len()
    }

    /// Number of requests merged into groups, and of groups.
    pub fn merged(&self) -> (usize, usize) {
        (self.groups.iter().map(Vec::len).sum(), self.groups.len())
    }

    /// `terms` over model columns as terms over aggregated ones (a group's members share
    /// their weight, so its column keeps it).
    pub fn terms(&self, terms: &[(usize, f64)]) -> Vec<(usize, f64)> {
        let mut seen = std::collections::BTreeMap::new();
        for &(c, w) in terms {
            seen.entry(self.of_col[c]).or_insert(w);
        }
        seen.into_iter().collect()
    }

    /// The model point of an aggregated one, a group's values split evenly among its
    /// members: a point of the model's LP when `x` is one of the aggregated LP's.
    pub fn lift_even(&self, x: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.of_col.len()];
        for (a, group) in self.members.iter().enumerate() {
            let share = x[a] / group.len() as f64;
            for &m in group {
                out[m] = share;
            }
        }
        out
    }

    /// The model point of an integral aggregated one: each group's members placed in turn
    /// in its options by their counts (the rest unscheduled), every other column rounded.
    pub fn lift_integral(&self, x: &[f64]) -> Vec<f64> {
        let mut out: Vec<f64> = self.of_col.iter().map(|&a| x[a].round()).collect();
        for lists in &self.groups {
            for l in lists {
                for &c in l {
                    out[c] = 0.0;
                }
            }
            let mut next = lists.iter();
            for j in 1..lists[0].len() {
                let count = x[self.of_col[lists[0][j]]].round().max(0.0) as usize;
                for member in next.by_ref().take(count) {
                    out[member[0]] = 1.0;
                    out[member[j]] = 1.0;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{generate, Preset};
    use crate::model::Instance;
    use crate::solver::{compat, greedy, highs_ext, milp, start_vector};

    /// The greedy plan of generated weeks, summed into the aggregated columns and lifted
    /// back, is again a plan of the model (every row and bound holds) with the same count
    /// per class and objective; split evenly it is a point of the model's LP.
    #[test]
    fn merged_plans_lift_back_to_plans_of_the_model() {
        let mut merged = 0;
        for seed in 1..=10 {
            let wire = generate(Preset::Small, seed);
            let instance = Instance::from_proto(&wire).expect("generated instances are valid");
            let compat = compat::compute(&instance);
            let (mut model, milp) = milp::build(&instance, &compat).expect("model");
            let mut lp = highs_ext::lp_of(&mut model).expect("lp");
            // A cost per class on the "scheduled" columns, as the stages' objectives and
            // held counts tell the classes apart (the base model alone does not).
            for (r, s) in milp.s_by_request.iter().enumerate() {
                if let Some(s) = s {
                    lp.col_cost[*s] = 1.0 + instance.requests[r].class_index as f64;
                }
            }
            let agg = Aggregated::new(&lp, &milp);
            merged += agg.merged().0;
            assert!(agg.cols() < lp.cols() || agg.merged().0 == 0);
            assert!(agg.lp.violation(&vec![0.0; agg.cols()]) < 1e-9);
            let plan = start_vector(&milp, &greedy::plan(&instance, &compat));
            assert!(lp.violation(&plan) < 1e-9, "seed {seed}: the greedy plan");
            let mut summed = vec![0.0; agg.cols()];
            for (c, v) in plan.iter().enumerate() {
                summed[agg.of_col[c]] += v;
            }
            assert!(agg.lp.violation(&summed) < 1e-9, "seed {seed}: merged plan");
            let lifted = agg.lift_integral(&summed);
            assert!(lp.violation(&lifted) < 1e-9, "seed {seed}: lifted plan");
            let per_class = |x: &[f64]| {
                let mut n = vec![0.0; instance.classes.len()];
                for (r, s) in milp.s_by_request.iter().enumerate() {
                    if let Some(s) = s {
                        n[instance.requests[r].class_index] += x[*s];
                    }
                }
                n
            };
            assert_eq!(per_class(&lifted), per_class(&plan), "seed {seed}");
            let cost = |x: &[f64]| x.iter().zip(&lp.col_cost).map(|(v, c)| v * c).sum::<f64>();
            let merged_cost: f64 = summed
                .iter()
                .zip(&agg.lp.col_cost)
                .map(|(v, c)| v * c)
                .sum();
            assert!((cost(&lifted) - merged_cost).abs() < 1e-9, "seed {seed}");
            assert!(lp.violation(&agg.lift_even(&summed)) < 1e-9, "seed {seed}");
            // Neither relaxation is stronger: same LP optimum, and the aggregated LP's
            // point lifts to a point of the model's LP.
            let optimum = |lp: &Lp| {
                let mut model = highs_ext::pass_lp(lp, highs::Sense::Maximise, None).expect("lp");
                model.set_option("threads", 1);
                let solved = model.solve();
                assert_eq!(solved.status(), highs::HighsModelStatus::Optimal);
                let x = solved.get_solution().columns().to_vec();
                let value: f64 = x.iter().zip(&lp.col_cost).map(|(v, c)| v * c).sum();
                (value, x)
            };
            let (full, _) = optimum(&lp);
            let (merged_lp, point) = optimum(&agg.lp);
            assert!(
                (full - merged_lp).abs() < 1e-6,
                "seed {seed}: {full} vs {merged_lp}"
            );
            assert!(lp.violation(&agg.lift_even(&point)) < 1e-6, "seed {seed}");
        }
        assert!(merged > 0, "no generated week had identical requests");
    }
}
