//! H4 capacity: the minutes of a vacation's appointments fit in its span (any set that fits
//! can be sequenced back to back, so the knapsack is exact), its optional cap on
//! appointments holds, and a centre vacation holds appointments only with a room (H6).
//!
//! The knapsack row alone has a weak LP relaxation: every vacation lends the LP a fraction
//! of one more appointment in its unused minutes, which over hundreds of vacations adds up
//! to hundreds of phantom appointments that branching cannot close. Where a vacation's
//! appointments come in a few lengths, its capacity is written instead as a choice of one
//! *pattern* (how many appointments of each length, maximal for the span): the
//! configuration formulation of bin packing, whose LP bound is close to the integer one.

use super::milp::{Builder, ZCol};
use good_lp::{variable, Expression};

/// Above this many maximal patterns a vacation keeps the plain knapsack row, on models of
/// at most [`MID_SIZE_COLUMNS`] assignment columns: patterns for every vacation of
/// ami-eure-week (about 4,400 more columns) let HiGHS prove its marginal class at the root.
const MAX_PATTERNS: usize = 400;

/// On larger models, where every stage LP counts, the few-pattern vacations only: 400
/// patterns per vacation made ciamt-week's LP 15 times slower without tightening its bound
/// (the LP dive adds the rest to its own copy).
const MAX_PATTERNS_LARGE: usize = 60;

/// Assignment columns above which a model counts as large here.
const MID_SIZE_COLUMNS: usize = 100_000;

/// Adds the capacity rows of every vacation. Returns how many vacations whose appointments
/// may overrun their span kept the plain knapsack row (too many patterns).
pub fn add(b: &mut Builder) -> usize {
    let mut knapsacks = 0;
    let limit = if b.x.len() > MID_SIZE_COLUMNS {
        MAX_PATTERNS_LARGE
    } else {
        MAX_PATTERNS
    };
    for v in 0..b.instance.vacations.len() {
        let cols = b.x_by_vacation[v].clone();
        if cols.is_empty() {
            continue;
        }
        let vac = &b.instance.vacations[v];
        let span = vac.minutes();
        let total: u32 = cols.iter().map(|&i| b.x[i].0.minutes).sum();
        // Rooms held (0 or 1) for a centre vacation, else 1.
        let held = if vac.needs_room() {
            b.rooms_expr(v, None)
        } else {
            Expression::from(1.0)
        };
        let mut lengths: Vec<(u32, u32)> = Vec::new();
        for &i in &cols {
            let m = b.x[i].0.minutes;
            match lengths.iter_mut().find(|(l, _)| *l == m) {
                Some(e) => e.1 += 1,
                None => lengths.push((m, 1)),
            }
        }
        lengths.sort_unstable();
        let patterns = if total > span {
            let patterns = maximal_patterns(span, &lengths, limit);
            knapsacks += usize::from(patterns.is_none());
            patterns
        } else {
            None
        };
        let mut minutes = Expression::with_capacity(cols.len() + 4);
        for &i in &cols {
            minutes.add_mul(f64::from(b.x[i].0.minutes), b.x[i].1);
        }
        if let Some(patterns) = patterns {
            // One pattern at most, and only with a room; per length, the appointments fit
            // in the pattern's count.
            let mut choice = Expression::with_capacity(patterns.len());
            let mut per_length = vec![Expression::with_capacity(patterns.len()); lengths.len()];
            for counts in patterns {
                let z = b.vars.add(variable().binary());
                choice.add_mul(1.0, z);
                for (k, &n) in counts.iter().enumerate() {
                    if n > 0 {
                        per_length[k].add_mul(-f64::from(n), z);
                    }
                }
                b.z.push((
                    ZCol {
                        vacation: v,
                        counts: lengths.iter().map(|&(l, _)| l).zip(counts).collect(),
                    },
                    z,
                ));
            }
            b.constraints.push(choice.leq(held.clone()));
            for (k, mut row) in per_length.into_iter().enumerate() {
                for &i in &cols {
                    if b.x[i].0.minutes == lengths[k].0 {
                        row.add_mul(1.0, b.x[i].1);
                    }
                }
                b.constraints.push(row.leq(0.0));
            }
        }
        if vac.needs_room() {
            // Minutes <= span × (rooms held): no room, no appointment.
            let mut rhs = held;
            rhs *= f64::from(span.min(total));
            b.constraints.push(minutes.leq(rhs));
        } else if total > span {
            b.constraints.push(minutes.leq(f64::from(span)));
        }
        if let Some(max) = vac.max_appointments {
            if cols.len() as u32 > max {
                let mut count = Expression::with_capacity(cols.len());
                for &i in &cols {
                    count.add_mul(1.0, b.x[i].1);
                }
                b.constraints.push(count.leq(f64::from(max)));
            }
        }
    }
    knapsacks
}

/// The maximal count vectors over `lengths` (`(minutes, available)`, sorted) that fit in
/// `span`: no further appointment of any length fits, or none is available. `None` when
/// there are more than `limit`.
pub fn maximal_patterns(span: u32, lengths: &[(u32, u32)], limit: usize) -> Option<Vec<Vec<u32>>> {
    let mut out = Vec::new();
    let mut counts = vec![0u32; lengths.len()];
    if !recurse(span, lengths, 0, &mut counts, &mut out, limit) {
        return None;
    }
    Some(out)
}

fn recurse(
    left: u32,
    lengths: &[(u32, u32)],
    k: usize,
    counts: &mut Vec<u32>,
    out: &mut Vec<Vec<u32>>,
    limit: usize,
) -> bool {
    if k == lengths.len() {
        let maximal = lengths
            .iter()
            .zip(counts.iter())
            .all(|(&(m, avail), &n)| n >= avail || m > left);
        if maximal {
            if out.len() >= limit {
                return false;
            }
            out.push(counts.clone());
        }
        return true;
    }
    let (m, avail) = lengths[k];
    let most = (left / m.max(1)).min(avail);
    for n in (0..=most).rev() {
        counts[k] = n;
        if !recurse(left - n * m, lengths, k + 1, counts, out, limit) {
            return false;
        }
    }
    counts[k] = 0;
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every count vector that fits is dominated by a maximal pattern, and every pattern
    /// fits and is maximal: checked against brute force.
    #[test]
    fn patterns_are_the_maximal_fitting_vectors() {
        let cases: &[(u32, &[(u32, u32)])] = &[
            (210, &[(25, 9), (30, 9)]),
            (240, &[(25, 3), (30, 9), (35, 2), (40, 9)]),
            (60, &[(25, 9), (40, 1)]),
            (100, &[(30, 1)]),
        ];
        for &(span, lengths) in cases {
            let patterns = maximal_patterns(span, lengths, 10_000).expect("few patterns");
            let fits = |c: &[u32]| {
                c.iter()
                    .zip(lengths)
                    .map(|(&n, &(m, _))| n * m)
                    .sum::<u32>()
                    <= span
            };
            for p in &patterns {
                assert!(fits(p));
                for k in 0..lengths.len() {
                    let mut q = p.clone();
                    q[k] += 1;
                    assert!(q[k] > lengths[k].1 || !fits(&q), "{p:?} not maximal");
                }
            }
            // Brute force over all vectors within availability.
            let mut all = vec![vec![]];
            for &(m, avail) in lengths {
                let most = (span / m).min(avail);
                all = all
                    .into_iter()
                    .flat_map(|v: Vec<u32>| {
                        (0..=most).map(move |n| {
                            let mut w = v.clone();
                            w.push(n);
                            w
                        })
                    })
                    .collect();
            }
            for v in all.iter().filter(|v| fits(v)) {
                assert!(
                    patterns
                        .iter()
                        .any(|p| p.iter().zip(v).all(|(a, b)| a >= b)),
                    "{v:?} not covered"
                );
            }
        }
        assert!(maximal_patterns(240, &[(5, 48), (6, 40), (7, 34)], 10).is_none());
    }
}
