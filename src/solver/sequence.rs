//! Sequencing: turns the requests assigned to a vacation into timed appointments, back to
//! back from its start (the knapsack of [`super::capacity`] guarantees they fit), one
//! company's workers next to each other, in class order within a company. In a
//! re-optimisation, appointments kept in their vacation keep their times and the others
//! fill the gaps ([`sequence_pinned`]).

use super::{Assignment, Placement};
use crate::model::{Instance, Role};

/// Where a request was in the previous plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pin {
    /// Vacation index.
    pub vacation: usize,
    /// Start, minutes from midnight.
    pub start: u32,
    /// Before the freeze limit.
    pub frozen: bool,
    /// Held by a re-optimisation's neighbourhood (no request of a higher class could use
    /// its vacation): it gives way in time only when no other kept appointment can.
    pub held: bool,
}

/// Times the placements, keeping the previous start of every request that stays in its
/// vacation where the others still fit around them: frozen ones first, then the other
/// kept ones, then the rest first fit in the gaps in company order. When the rest does
/// not fit around the kept ones (the knapsack guarantees minutes, not gaps), one kept
/// appointment, then two, give way in time (those that could give way to a higher class
/// before held ones, the latest first); failing that only frozen appointments keep their
/// times, and as a last resort the vacation is packed back to back.
pub fn sequence_pinned(
    instance: &Instance,
    placed: &[Placement],
    pins: &[Option<Pin>],
) -> Vec<Assignment> {
    let packed = sequence(instance, placed);
    let mut by_vacation: Vec<Vec<&Placement>> = vec![Vec::new(); instance.vacations.len()];
    for p in placed {
        by_vacation[p.vacation].push(p);
    }
    let mut out = Vec::with_capacity(placed.len());
    for (v, list) in by_vacation.iter().enumerate() {
        if list.is_empty() {
            continue;
        }
        let vac = &instance.vacations[v];
        let role = instance.professionals[vac.professional].role;
        let minutes = |p: &Placement| instance.requests[p.request].minutes(role);
        // Pinned: kept in this vacation from the previous plan.
        let mut pinned: Vec<(&Placement, Pin)> = list
            .iter()
            .filter_map(|p| {
                pins[p.request]
                    .filter(|pin| pin.vacation == v)
                    .map(|pin| (*p, pin))
            })
            .collect();
        pinned.sort_by_key(|(_, pin)| (!pin.frozen, pin.start));
        let mut rest: Vec<&Placement> = list
            .iter()
            .copied()
            .filter(|p| pins[p.request].is_none_or(|pin| pin.vacation != v))
            .collect();
        rest.sort_by(|a, b| {
            let (ra, rb) = (&instance.requests[a.request], &instance.requests[b.request]);
            (&instance.companies[ra.company].id, ra.class_index, &ra.id).cmp(&(
                &instance.companies[rb.company].id,
                rb.class_index,
                &rb.id,
            ))
        });
        // Times with the pins in `keep` held (the others join the rest), or None.
        let attempt = |keep: &[bool]| -> Option<Vec<Assignment>> {
            let mut busy: Vec<(u32, u32)> = Vec::new();
            let mut timed = Vec::new();
            let mut loose: Vec<&Placement> = Vec::new();
            for (&(p, pin), &k) in pinned.iter().zip(keep) {
                let end = pin.start + minutes(p);
                let free = busy.iter().all(|&(a, b)| end <= a || b <= pin.start);
                if k && pin.start >= vac.start && end <= vac.end && free {
                    busy.push((pin.start, end));
                    timed.push(Assignment {
                        request: p.request,
                        vacation: v,
                        mode: p.mode,
                        start: pin.start,
                        end,
                    });
                } else if pin.frozen {
                    return None;
                } else {
                    loose.push(p);
                }
            }
            loose.extend(rest.iter().copied());
            // First fit in company order (workers of a company side by side); when that
            // leaves one out, the longest first, each in the tightest gap that holds it
            // (gaps are bins: minutes that fit may still not fit this way round).
            // Each of `order` in the first gap that holds it or, `tightest`, the smallest.
            let fit = |order: &[&Placement], tightest: bool| -> Option<Vec<Assignment>> {
                let mut busy = busy.clone();
                let mut out = Vec::with_capacity(order.len());
                for p in order {
                    let d = minutes(p);
                    busy.sort_unstable();
                    let mut t = vac.start;
                    let mut best: Option<(u32, u32)> = None; // (gap length, start)
                    for &(a, b) in busy.iter().chain(std::iter::once(&(vac.end, vac.end))) {
                        if t + d <= a && best.is_none_or(|(len, _)| tightest && a - t < len) {
                            best = Some((a - t, t));
                            if !tightest {
                                break;
                            }
                        }
                        t = t.max(b);
                    }
                    let (_, start) = best?;
                    busy.push((start, start + d));
                    out.push(Assignment {
                        request: p.request,
                        vacation: v,
                        mode: p.mode,
                        start,
                        end: start + d,
                    });
                }
                Some(out)
            };
            let mut longest_first = loose.clone();
            longest_first.sort_by_key(|p| std::cmp::Reverse(minutes(p)));
            timed.extend(fit(&loose, false).or_else(|| fit(&longest_first, true))?);
            Some(timed)
        };
        // Every pin held; else release as few unfrozen pins as possible (one, then two),
        // preferring the latest; else frozen pins only; else back to back.
        let n = pinned.len();
        let all = vec![true; n];
        // Appointments that could give way to a higher class first, held ones last.
        let mut releasable: Vec<usize> = (0..n).rev().filter(|&i| !pinned[i].1.frozen).collect();
        releasable.sort_by_key(|&i| pinned[i].1.held);
        let without = |drop: &[usize]| {
            let mut keep = all.clone();
            for &i in drop {
                keep[i] = false;
            }
            attempt(&keep)
        };
        let timed = attempt(&all)
            .or_else(|| releasable.iter().find_map(|&i| without(&[i])))
            .or_else(|| {
                releasable
                    .iter()
                    .enumerate()
                    .find_map(|(a, &i)| releasable[a + 1..].iter().find_map(|&j| without(&[i, j])))
            })
            .or_else(|| attempt(&pinned.iter().map(|(_, pin)| pin.frozen).collect::<Vec<_>>()));
        match timed {
            Some(timed) => out.extend(timed),
            None => out.extend(packed.iter().filter(|a| a.vacation == v).cloned()),
        }
    }
    out
}

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
