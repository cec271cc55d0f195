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
            let exact = || {
                let lengths: Vec<u32> = longest_first.iter().map(|p| minutes(p)).collect();
                let gaps = free_gaps(&busy, vac.start, vac.end);
                let starts = pack_in_gaps(&lengths, &gaps)?;
                Some(
                    longest_first
                        .iter()
                        .zip(starts)
                        .map(|(p, start)| Assignment {
                            request: p.request,
                            vacation: v,
                            mode: p.mode,
                            start,
                            end: start + minutes(p),
                        })
                        .collect::<Vec<_>>(),
                )
            };
            timed.extend(
                fit(&loose, false)
                    .or_else(|| fit(&longest_first, true))
                    .or_else(exact)?,
            );
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

/// The free `[start, end)` stretches of `[from, to)` around `busy` (any order).
fn free_gaps(busy: &[(u32, u32)], from: u32, to: u32) -> Vec<(u32, u32)> {
    let mut busy = busy.to_vec();
    busy.sort_unstable();
    let mut gaps = Vec::new();
    let mut t = from;
    for (a, b) in busy.into_iter().chain(std::iter::once((to, to))) {
        if a > t {
            gaps.push((t, a));
        }
        t = t.max(b);
    }
    gaps
}

/// Most appointments [`pack_in_gaps`] places exactly, and the most assignments it tries:
/// a vacation holds a dozen appointments at most, and beyond that a pin gives way instead.
const EXACT_ITEMS: usize = 16;
const EXACT_NODES: usize = 200_000;

/// Starts for appointments of `lengths` (longest first) in `gaps`, every gap filled back to
/// back from its start, found by exhaustive search: the first-fit rules of
/// [`sequence_pinned`] can miss a packing that exists, and each miss moves a kept
/// appointment. `None` when there is none (or the search is too large).
fn pack_in_gaps(lengths: &[u32], gaps: &[(u32, u32)]) -> Option<Vec<u32>> {
    if lengths.len() > EXACT_ITEMS {
        return None;
    }
    fn place(
        k: usize,
        lengths: &[u32],
        left: &mut [u32],
        at: &mut [usize],
        nodes: &mut usize,
    ) -> bool {
        if k == lengths.len() {
            return true;
        }
        *nodes += 1;
        if *nodes > EXACT_NODES {
            return false;
        }
        for g in 0..left.len() {
            // Gaps with the same room left are interchangeable: try one of them.
            if left[g] < lengths[k] || left[..g].contains(&left[g]) {
                continue;
            }
            left[g] -= lengths[k];
            at[k] = g;
            if place(k + 1, lengths, left, at, nodes) {
                return true;
            }
            left[g] += lengths[k];
        }
        false
    }
    let mut left: Vec<u32> = gaps.iter().map(|&(a, b)| b - a).collect();
    let mut at = vec![0; lengths.len()];
    let mut nodes = 0;
    if !place(0, lengths, &mut left, &mut at, &mut nodes) {
        return None;
    }
    let mut next: Vec<u32> = gaps.iter().map(|&(a, _)| a).collect();
    Some(
        lengths
            .iter()
            .zip(&at)
            .map(|(&d, &g)| {
                next[g] += d;
                next[g] - d
            })
            .collect(),
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A packing the first-fit rules miss (gaps of 45 and 40; lengths 25, 20, 20, 20: the
    /// tightest gap takes 25 and leaves 15, first fit puts two 20s in 45), found exactly
    /// (25 + 20, 20 + 20), within the gaps and without overlaps; none where the minutes fit
    /// but the gaps do not.
    #[test]
    fn exact_packing_fills_gaps_the_first_fit_rules_miss() {
        let gaps = free_gaps(&[(525, 565)], 480, 605);
        assert_eq!(gaps, vec![(480, 525), (565, 605)]);
        let lengths = [25, 20, 20, 20];
        let starts = pack_in_gaps(&lengths, &gaps).expect("a packing exists");
        let mut spans: Vec<(u32, u32)> = starts
            .iter()
            .zip(&lengths)
            .map(|(&s, &d)| (s, s + d))
            .collect();
        spans.sort_unstable();
        for w in spans.windows(2) {
            assert!(w[0].1 <= w[1].0, "{spans:?} overlap");
        }
        for &(s, e) in &spans {
            assert!(gaps.iter().any(|&(a, b)| a <= s && e <= b), "{spans:?}");
        }
        // 55 minutes free, but in gaps of 40 and 15: 30 + 25 do not fit.
        let gaps = free_gaps(&[(520, 700)], 480, 715);
        assert_eq!(pack_in_gaps(&[30, 25], &gaps), None);
    }
}
