//! H5-H7 through rooms: a centre vacation holds at most one room of its candidate centres;
//! vacations that overlap in time never share a room; an in-person visit that needs
//! equipment or an allowed centre is only possible when the vacation holds a room that has
//! it (which fixes the centre of every in-person visit of the vacation).

use super::milp::Builder;
use good_lp::Expression;
use std::collections::{BTreeMap, BTreeSet};

/// Adds the room rows.
pub fn add(b: &mut Builder) {
    let inst = b.instance;
    // One room per vacation.
    for v in 0..inst.vacations.len() {
        if b.y_by_vacation[v].len() > 1 {
            let e = b.rooms_expr(v, None);
            b.constraints.push(e.leq(1.0));
        }
    }
    // In-person visits restricted to some of the vacation's rooms.
    for i in 0..b.x.len() {
        let (col, var) = b.x[i];
        if col.mode != crate::model::Mode::InPerson {
            continue;
        }
        let allowed = &b.compat.options[col.request][col.option].rooms;
        if allowed.len() < b.y_by_vacation[col.vacation].len() {
            let rhs = b.rooms_expr(col.vacation, Some(allowed));
            b.constraints.push(Expression::from(var).leq(rhs));
        }
    }
    // Overlapping vacations never share a room: one row per room and maximal clique of
    // overlapping intervals (on an interval graph, the sets alive at each start time).
    let mut users: BTreeMap<(usize, i64), Vec<usize>> = BTreeMap::new();
    for (j, (col, _)) in b.y.iter().enumerate() {
        users
            .entry((col.room, inst.vacations[col.vacation].day))
            .or_default()
            .push(j);
    }
    for list in users.values() {
        if list.len() < 2 {
            continue;
        }
        let mut cliques: BTreeSet<Vec<usize>> = BTreeSet::new();
        for &j in list {
            let t = inst.vacations[b.y[j].0.vacation].start;
            let alive: Vec<usize> = list
                .iter()
                .copied()
                .filter(|&k| {
                    let w = &inst.vacations[b.y[k].0.vacation];
                    w.start <= t && t < w.end
                })
                .collect();
            if alive.len() > 1 {
                cliques.insert(alive);
            }
        }
        for clique in cliques {
            let mut e = Expression::with_capacity(clique.len());
            for j in clique {
                e.add_mul(1.0, b.y[j].1);
            }
            b.constraints.push(e.leq(1.0));
        }
    }
}
