//! Sequencing: turns the requests assigned to a vacation into timed appointments, back to
//! back from its start (the knapsack of [`super::capacity`] guarantees they fit), one
//! company's workers next to each other, in class order within a company.

use super::{Assignment, Placement};
use crate::model::{Instance, Role};

/// Times the placements of every vacation.
pub fn sequence(instance: &Instance, placed: &[Placement]) -> Vec<Assignment> {
    let mut by_vacation: Vec<Vec<&Placement>> = vec![Vec::new(); instance.vacations.len()];
    for p in placed {
        by_vacation[p.vacation].push(p);
    }
    let mut out = Vec::with_capacity(placed.len());
    for (v, list) in by_vacation.iter_mut().enumerate() {
        let vac = &instance.vacations[v];
        let role: Role = instance.professionals[vac.professional].role;
        list.sort_by(|a, b| {
            let (ra, rb) = (&instance.requests[a.request], &instance.requests[b.request]);
            (&instance.companies[ra.company].id, ra.class_index, &ra.id).cmp(&(
                &instance.companies[rb.company].id,
                rb.class_index,
                &rb.id,
            ))
        });
        let mut t = vac.start;
        for p in list.iter() {
            let d = instance.requests[p.request].minutes(role);
            out.push(Assignment {
                request: p.request,
                vacation: v,
                mode: p.mode,
                start: t,
                end: t + d,
            });
            t += d;
        }
    }
    out
}
