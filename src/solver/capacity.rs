//! H4 capacity: the minutes of a vacation's appointments fit in its span (any set that fits
//! can be sequenced back to back, so the knapsack is exact), its optional cap on
//! appointments holds, and a centre vacation holds appointments only with a room (H6).

use super::milp::Builder;
use good_lp::Expression;

/// Adds the capacity rows of every vacation.
pub fn add(b: &mut Builder) {
    for v in 0..b.instance.vacations.len() {
        let cols = &b.x_by_vacation[v];
        if cols.is_empty() {
            continue;
        }
        let vac = &b.instance.vacations[v];
        let total: u32 = cols.iter().map(|&i| b.x[i].0.minutes).sum();
        let mut minutes = Expression::with_capacity(cols.len() + 4);
        for &i in cols {
            minutes.add_mul(f64::from(b.x[i].0.minutes), b.x[i].1);
        }
        if vac.needs_room() {
            // Minutes <= span × (rooms held): no room, no appointment.
            let span = f64::from(vac.minutes().min(total));
            let mut rhs = b.rooms_expr(v, None);
            rhs *= span;
            b.constraints.push(minutes.leq(rhs));
        } else if total > vac.minutes() {
            b.constraints.push(minutes.leq(f64::from(vac.minutes())));
        }
        // Cardinality cuts: at most floor(span / t) appointments of t minutes or more. They
        // are implied by the knapsack in integers but cut off the LP's fractional last
        // appointment of every vacation, which otherwise adds up to a bound that branching
        // must close class after class.
        let mut lengths: Vec<u32> = cols.iter().map(|&i| b.x[i].0.minutes).collect();
        lengths.sort_unstable();
        lengths.dedup();
        let mut last_cap = u32::MAX;
        for &t in &lengths {
            let cap = vac.minutes() / t.max(1);
            let longer: Vec<usize> = cols
                .iter()
                .copied()
                .filter(|&i| b.x[i].0.minutes >= t)
                .collect();
            if cap >= last_cap || longer.len() as u32 <= cap {
                continue;
            }
            last_cap = cap;
            let mut count = Expression::with_capacity(longer.len());
            for i in longer {
                count.add_mul(1.0, b.x[i].1);
            }
            b.constraints.push(count.leq(f64::from(cap)));
        }
        if let Some(max) = vac.max_appointments {
            if cols.len() as u32 > max {
                let mut count = Expression::with_capacity(cols.len());
                for &i in &b.x_by_vacation[v] {
                    count.add_mul(1.0, b.x[i].1);
                }
                b.constraints.push(count.leq(f64::from(max)));
            }
        }
    }
}
