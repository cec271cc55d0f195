//! Re-optimisation after a change (an absence, a closed room, new urgent requests): the
//! plan already sent out is the starting point. Appointments before the freeze limit are
//! fixed; right after level 1 come two stages of their own: keep as many appointments
//! exactly as they were (same vacation, mode and room; sequencing then keeps their times),
//! then keep as many of the previously scheduled requests scheduled as possible (a move
//! rather than a cancellation). Levels 2-4 follow as in a full solve.

use super::compat::Compatibility;
use super::greedy::{Placement, Placements};
use super::highs_ext::HighsCallError;
use super::milp::Milp;
use super::stages::{Gaps, Runner};
use crate::model::{Instance, Mode};
use highs::Sense;

/// An appointment of the previous plan, in the indexes of the new instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorAppointment {
    /// Request index.
    pub request: usize,
    /// Vacation index.
    pub vacation: usize,
    /// Mode.
    pub mode: Mode,
    /// Room the vacation held for it, if in a centre.
    pub room: Option<usize>,
    /// Start, minutes from midnight.
    pub start: u32,
    /// Starts before the freeze limit: may not change (its vacation still exists).
    pub frozen: bool,
}

/// The previous plan as the solver sees it.
#[derive(Debug, Clone, Default)]
pub struct Prior {
    /// Appointments whose request and vacation still exist in the new instance.
    pub appointments: Vec<PriorAppointment>,
}

impl Prior {
    /// The prior appointment of each request, if any.
    pub fn by_request(&self, requests: usize) -> Vec<Option<&PriorAppointment>> {
        let mut out = vec![None; requests];
        for a in &self.appointments {
            out[a.request] = Some(a);
        }
        out
    }
}

/// Column of a prior appointment in the base model, if the new model still allows it.
fn column(milp: &Milp, a: &PriorAppointment) -> Option<usize> {
    milp.x_by_request[a.request]
        .iter()
        .copied()
        .find(|&i| milp.x[i].vacation == a.vacation && milp.x[i].mode == a.mode)
}

/// Room column of a prior appointment's vacation and room.
fn room_column(milp: &Milp, a: &PriorAppointment) -> Option<usize> {
    let room = a.room?;
    milp.y
        .iter()
        .position(|y| y.vacation == a.vacation && y.room == room)
        .map(|j| milp.y_col(j))
}

/// The prior appointments that still fit the new instance (frozen ones first), as the
/// start of the solve: the same vacation, mode and room, within the vacation's minutes and
/// cap, with no room held twice at once.
pub fn start_placements(
    instance: &Instance,
    compat: &Compatibility,
    milp: &Milp,
    prior: &Prior,
) -> Placements {
    let nv = instance.vacations.len();
    let mut used = vec![0u32; nv];
    let mut count = vec![0u32; nv];
    let mut rooms: Vec<Option<usize>> = vec![None; nv];
    let mut placed = Vec::new();
    let mut order: Vec<&PriorAppointment> = prior.appointments.iter().collect();
    order.sort_by_key(|a| (!a.frozen, a.vacation, a.start));
    for a in order {
        if column(milp, a).is_none() {
            continue;
        }
        let vac = &instance.vacations[a.vacation];
        let Some(o) = compat.options[a.request]
            .iter()
            .find(|o| o.vacation == a.vacation)
        else {
            continue;
        };
        if used[a.vacation] + o.minutes > vac.minutes()
            || vac.max_appointments.is_some_and(|m| count[a.vacation] >= m)
        {
            continue;
        }
        if vac.needs_room() {
            let Some(k) = a.room else { continue };
            if a.mode == Mode::InPerson && !o.rooms.contains(&k) {
                continue;
            }
            match rooms[a.vacation] {
                Some(held) if held != k => continue,
                Some(_) => {}
                None => {
                    let clash = rooms.iter().enumerate().any(|(u, r)| {
                        let w = &instance.vacations[u];
                        *r == Some(k) && w.day == vac.day && w.start < vac.end && vac.start < w.end
                    });
                    if clash || room_column(milp, a).is_none() {
                        continue;
                    }
                    rooms[a.vacation] = Some(k);
                }
            }
        }
        used[a.vacation] += o.minutes;
        count[a.vacation] += 1;
        placed.push(Placement {
            request: a.request,
            vacation: a.vacation,
            mode: a.mode,
        });
    }
    Placements { placed, rooms }
}

/// Columns a frozen appointment pins at 1 (assignment, scheduled, room), for the frozen
/// appointments the start kept.
pub fn pinned_columns(milp: &Milp, prior: &Prior, start: &Placements) -> Vec<usize> {
    let mut cols = Vec::new();
    for a in prior.appointments.iter().filter(|a| a.frozen) {
        let kept = start
            .placed
            .iter()
            .any(|p| p.request == a.request && p.vacation == a.vacation && p.mode == a.mode);
        if !kept {
            continue;
        }
        if let Some(i) = column(milp, a) {
            cols.push(i);
            cols.extend(milp.s_by_request[a.request]);
            cols.extend(room_column(milp, a));
        }
    }
    cols.sort_unstable();
    cols.dedup();
    cols
}

/// The two re-optimisation stages, run right after level 1: keep appointments exactly,
/// then keep previously scheduled requests scheduled.
pub fn keep_stages(milp: &Milp, prior: &Prior, run: &mut Runner) -> Result<(), HighsCallError> {
    if run.out_of_time() {
        run.skip("R1 keep appointments");
        run.skip("R2 keep requests scheduled");
        return Ok(());
    }
    // R1: k_a <= x_a and, in a centre, k_a <= y[v, room]; maximise Σ k_a.
    let mut keep = Vec::new();
    for a in &prior.appointments {
        let Some(i) = column(milp, a) else { continue };
        let y = room_column(milp, a);
        if a.room.is_some() && y.is_none() {
            continue;
        }
        let start = if run.sol[i] > 0.5 && y.is_none_or(|y| run.sol[y] > 0.5) {
            1.0
        } else {
            0.0
        };
        let k = run.add_col(0.0, 1.0, false, start)?;
        run.add_row(f64::NEG_INFINITY, 0.0, &[(k, 1.0), (i, -1.0)])?;
        if let Some(y) = y {
            run.add_row(f64::NEG_INFINITY, 0.0, &[(k, 1.0), (y, -1.0)])?;
        }
        keep.push((k, 1.0));
    }
    if keep.is_empty() {
        run.close("R1 keep appointments", 0.0, "bound");
    } else if run.value(&keep) >= keep.len() as f64 - 0.5 {
        let v = run.value(&keep);
        run.close("R1 keep appointments", v, "bound");
    } else {
        run.optimise(
            "R1 keep appointments",
            Sense::Maximise,
            &keep,
            Gaps::INTEGER,
        )?;
    }
    if !keep.is_empty() {
        let reached = run.value(&keep).round();
        run.add_row(reached, f64::INFINITY, &keep)?;
    }
    // R2: the previously scheduled requests that stay scheduled, moved if need be.
    let still: Vec<(usize, f64)> = prior
        .appointments
        .iter()
        .filter_map(|a| milp.s_by_request[a.request].map(|s| (s, 1.0)))
        .collect();
    if still.is_empty() || run.value(&still) >= still.len() as f64 - 0.5 {
        let v = run.value(&still);
        run.close("R2 keep requests scheduled", v, "bound");
    } else {
        run.optimise(
            "R2 keep requests scheduled",
            Sense::Maximise,
            &still,
            Gaps::INTEGER,
        )?;
    }
    if !still.is_empty() {
        let reached = run.value(&still).round();
        run.add_row(reached, f64::INFINITY, &still)?;
    }
    Ok(())
}
