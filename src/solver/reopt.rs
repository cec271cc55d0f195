//! Re-optimisation after a change (an absence, a closed room, new urgent requests): the
//! plan already sent out is the starting point, and on a large week only the neighbourhood
//! of the change is solved again ([`Neighbourhood`]). Appointments before the freeze limit
//! are fixed; right after level 1 come two stages of their own: keep as many appointments
//! exactly as they were (same vacation, mode and room; sequencing then keeps their times),
//! then keep as many of the previously scheduled requests scheduled as possible (a move
//! rather than a cancellation). Levels 2-4 follow as in a full solve.

use super::compat::{Compatibility, Option_};
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
    /// Per request of the new instance: the previous plan listed it as unscheduled (it was
    /// weighed then and left out). Requests absent from this list (new ones, or ones whose
    /// appointment's vacation is gone) are touched by the change; an empty list makes
    /// every request not in `appointments` touched.
    pub settled: Vec<bool>,
    /// Vacations (still active) whose previous appointments' requests were withdrawn: the
    /// capacity the change freed.
    pub freed: Vec<usize>,
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

/// The option of a prior appointment in `compat`, if it still allows its vacation and mode
/// (and its room, in a centre): the model then has its columns.
fn option_of<'a>(
    instance: &Instance,
    compat: &'a Compatibility,
    a: &PriorAppointment,
) -> Option<&'a Option_> {
    let o = compat.options[a.request]
        .iter()
        .find(|o| o.vacation == a.vacation)?;
    let mode_ok = match a.mode {
        Mode::InPerson => !o.rooms.is_empty(),
        Mode::Teleconsultation => o.tele,
    };
    let room_ok = !instance.vacations[a.vacation].needs_room()
        || a.room
            .is_some_and(|k| compat.vacation_rooms[a.vacation].binary_search(&k).is_ok());
    (mode_ok && room_ok).then_some(o)
}

/// The prior appointments that still fit the new instance (frozen ones first), as the
/// start of the solve: the same vacation, mode and room, within the vacation's minutes and
/// cap, with no room held twice at once.
pub fn start_placements(instance: &Instance, compat: &Compatibility, prior: &Prior) -> Placements {
    let nv = instance.vacations.len();
    let mut used = vec![0u32; nv];
    let mut count = vec![0u32; nv];
    let mut rooms: Vec<Option<usize>> = vec![None; nv];
    let mut placed = Vec::new();
    let mut order: Vec<&PriorAppointment> = prior.appointments.iter().collect();
    order.sort_by_key(|a| (!a.frozen, a.vacation, a.start));
    for a in order {
        let Some(o) = option_of(instance, compat, a) else {
            continue;
        };
        let vac = &instance.vacations[a.vacation];
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
                    if clash {
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

/// The part of the week a change touches, as the model of the re-optimisation sees it.
///
/// Solving the whole week again would put every class's level-1 MILP back on the table
/// (minutes on ciamt-week) and hand the solver hundreds of moves that level 1 is
/// indifferent to. Only what the change reaches is opened instead:
/// - *touched* requests (their previous appointment no longer fits, or the previous plan
///   did not weigh them: new requests) may go anywhere they are compatible with;
/// - the *open* vacations are those the touched requests could use, and those whose
///   previous appointments were withdrawn; there, an appointment of a lower class than a
///   touched request that could use the vacation may stay, move to a vacation with room
///   enough left, or give its place up (level 1 decides);
/// - requests the previous plan left out may take the withdrawn requests' places;
/// - every other appointment is *held* where it is (its columns fixed at 1), as are the
///   frozen ones.
///
/// An appointment thus moves only to make room for a request of a higher class, as a
/// centre manager expects: a displaced worker does not push aside one of the same or a
/// higher class. Level 1 over this neighbourhood is what the change can buy; a placement
/// elsewhere would have been as possible before the change, when the previous plan was
/// made.
pub struct Neighbourhood {
    /// The options the model is built on: touched requests keep all theirs, the others
    /// only those described above (none for a request that stays out).
    pub compat: Compatibility,
    /// Per prior appointment: held at its place (frozen, or outside the open vacations).
    pub held: Vec<bool>,
    /// Requests with more than their held option.
    pub free_requests: usize,
    /// Open vacations.
    pub open_vacations: usize,
    /// The whole week is open (`SolveOptions::reopt_whole_week`).
    pub whole: bool,
}

/// Computes the neighbourhood of a change from the prior appointments that still fit
/// (`kept`, from [`start_placements`]); `whole`: the whole week is open, only the frozen
/// appointments are held.
pub fn neighbourhood(
    instance: &Instance,
    compat: &Compatibility,
    prior: &Prior,
    kept: &Placements,
    whole: bool,
) -> Neighbourhood {
    let nr = instance.requests.len();
    let nv = instance.vacations.len();
    let prior_at = prior.by_request(nr);
    let mut kept_at: Vec<Option<usize>> = vec![None; nr];
    if whole {
        for p in &kept.placed {
            kept_at[p.request] = Some(p.vacation);
        }
        return Neighbourhood {
            compat: compat.clone(),
            held: prior
                .appointments
                .iter()
                .map(|a| a.frozen && kept_at[a.request] == Some(a.vacation))
                .collect(),
            free_requests: compat.options.iter().filter(|o| !o.is_empty()).count(),
            open_vacations: nv,
            whole,
        };
    }
    let mut used = vec![0u32; nv];
    let mut count = vec![0u32; nv];
    for p in &kept.placed {
        kept_at[p.request] = Some(p.vacation);
        count[p.vacation] += 1;
        if let Some(o) = compat.options[p.request]
            .iter()
            .find(|o| o.vacation == p.vacation)
        {
            used[p.vacation] += o.minutes;
        }
    }
    let touched: Vec<bool> = (0..nr)
        .map(|r| match prior_at[r] {
            Some(_) => kept_at[r].is_none(),
            None => !prior.settled.get(r).copied().unwrap_or(false),
        })
        .collect();
    // Capacity the change freed: withdrawn requests' vacations, and the still-active
    // vacations of appointments that no longer fit there.
    let mut freed = vec![false; nv];
    for &v in &prior.freed {
        freed[v] = !instance.vacations[v].cancelled;
    }
    for a in &prior.appointments {
        if touched[a.request] && !instance.vacations[a.vacation].cancelled {
            freed[a.vacation] = true;
        }
    }
    let mut open = freed.clone();
    // Per vacation, the highest class (lowest index) of a touched request that could use
    // it: only appointments of a lower class than that may give way there.
    let mut best_touched = vec![usize::MAX; nv];
    for r in (0..nr).filter(|&r| touched[r]) {
        let class = instance.requests[r].class_index;
        for o in &compat.options[r] {
            open[o.vacation] = true;
            best_touched[o.vacation] = best_touched[o.vacation].min(class);
        }
    }
    let fits = |o: &Option_| {
        let vac = &instance.vacations[o.vacation];
        used[o.vacation] + o.minutes <= vac.minutes()
            && vac.max_appointments.is_none_or(|m| count[o.vacation] < m)
    };
    let held: Vec<bool> = prior
        .appointments
        .iter()
        .map(|a| {
            let gives_way = instance.requests[a.request].class_index > best_touched[a.vacation];
            kept_at[a.request] == Some(a.vacation) && (a.frozen || !gives_way)
        })
        .collect();
    let mut held_request = vec![false; nr];
    for (a, &h) in prior.appointments.iter().zip(&held) {
        held_request[a.request] |= h;
    }
    let options: Vec<Vec<Option_>> = (0..nr)
        .map(|r| {
            let all = &compat.options[r];
            let out: Vec<Option_> = if touched[r] {
                all.clone()
            } else if let Some(v) = kept_at[r] {
                if held_request[r] {
                    all.iter().filter(|o| o.vacation == v).cloned().collect()
                } else {
                    all.iter()
                        .filter(|o| o.vacation == v || fits(o))
                        .cloned()
                        .collect()
                }
            } else {
                all.iter().filter(|o| freed[o.vacation]).cloned().collect()
            };
            out
        })
        .collect();
    // A vacation keeps the room its kept appointments are in: a new room would move every
    // one of them, for whichever request wanted the room, of any class. Only vacations
    // that kept nothing (a closed room, an emptied vacation) choose again.
    let vacation_rooms: Vec<Vec<usize>> = (0..nv)
        .map(|v| match kept.rooms[v] {
            Some(k) => vec![k],
            None => compat.vacation_rooms[v].clone(),
        })
        .collect();
    // An option's in-person rooms are those its vacation may still hold (the model's room
    // rows take them as a subset of the vacation's); an option left with neither mode goes.
    let options: Vec<Vec<Option_>> = options
        .into_iter()
        .map(|list| {
            list.into_iter()
                .filter_map(|mut o| {
                    let held = &vacation_rooms[o.vacation];
                    if held.len() < compat.vacation_rooms[o.vacation].len() {
                        o.rooms.retain(|k| held.contains(k));
                    }
                    (o.tele || !o.rooms.is_empty()).then_some(o)
                })
                .collect()
        })
        .collect();
    let free_requests = (0..nr)
        .filter(|&r| !held_request[r] && !options[r].is_empty())
        .count();
    Neighbourhood {
        compat: Compatibility::new(options, compat.exclusions.clone(), vacation_rooms),
        held,
        free_requests,
        open_vacations: open.iter().filter(|&&o| o).count(),
        whole,
    }
}

/// Per request, the column of its previous place when it may give way (not held): level 1
/// pins it there once its own class's stage finds it back in place, so that it moves only
/// for a higher class, never for a request of its own class or a lower one.
pub fn stay_columns(milp: &Milp, prior: &Prior, near: &Neighbourhood) -> Vec<Option<usize>> {
    let mut stay = vec![None; milp.x_by_request.len()];
    for (a, &h) in prior.appointments.iter().zip(&near.held) {
        if !h {
            stay[a.request] = column(milp, a);
        }
    }
    stay
}

/// Columns a held appointment (see [`Neighbourhood::held`]) pins at 1: assignment,
/// scheduled, room.
pub fn pinned_columns(milp: &Milp, prior: &Prior, held: &[bool]) -> Vec<usize> {
    let mut cols = Vec::new();
    for (a, _) in prior.appointments.iter().zip(held).filter(|(_, &h)| h) {
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
pub fn keep_stages(
    milp: &Milp,
    prior: &Prior,
    held: &[bool],
    run: &mut Runner,
) -> Result<(), HighsCallError> {
    if run.out_of_time() {
        run.skip("R1 keep appointments");
        run.skip("R2 keep requests scheduled");
        return Ok(());
    }
    // R1: k_a <= x_a and, in a centre, k_a <= y[v, room]; maximise Σ k_a.
    let mut keep = Vec::new();
    let mut cols = Vec::new();
    let mut prior_cols = std::collections::HashSet::new();
    for (a, &h) in prior.appointments.iter().zip(held) {
        let Some(i) = column(milp, a) else { continue };
        let y = room_column(milp, a);
        if a.room.is_some() && y.is_none() {
            continue;
        }
        if h {
            // Pinned already: a constant of the count, not a decision.
            let k = run.add_col(1.0, 1.0, false, 1.0)?;
            keep.push((k, 1.0));
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
        cols.push((k, i, y));
        prior_cols.insert(i);
    }
    if keep.is_empty() {
        run.close("R1 keep appointments", 0.0, "bound");
    } else if run.value(&keep) >= keep.len() as f64 - 0.5 {
        let v = run.value(&keep);
        run.close("R1 keep appointments", v, "bound");
    } else {
        // Level 1's MILPs placed the open part as any optimum of the class counts would,
        // moving hundreds of appointments for nothing (ciamt-week: a start keeping 2,246
        // where 2,474 can be kept), and the full stage then spends seconds finding back
        // what a MILP over two places per request (the previous one, the current one)
        // finds at once. The full stage then proves it.
        let off: Vec<usize> = (0..milp.x.len())
            .filter(|&i| run.sol[i] < 0.5 && !prior_cols.contains(&i))
            .collect();
        let seconds = run.left() * 0.5;
        run.restricted(
            "R1 keep appointments, previous or current places",
            Sense::Maximise,
            &keep,
            &off,
            seconds,
        )?;
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
        // The appointments kept stay as they are: the stages after may not trade one kept
        // appointment for another (same count, but a needless move for a worker).
        let pinned: Vec<usize> = cols
            .iter()
            .filter(|&&(k, _, _)| run.sol[k] > 0.5)
            .flat_map(|&(_, i, y)| std::iter::once(i).chain(y))
            .collect();
        run.set_bounds(&pinned, 1.0, 1.0)?;
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
