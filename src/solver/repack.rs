//! Exact re-packing of a part of the week: a small MILP, built here rather than as the
//! stage model with most columns fixed, that re-places every request a part's vacations
//! hold, together with the waiting requests of the class being filled, and hands the
//! part's rooms round again. Every request of another class stays placed; the class's
//! count only grows.
//!
//! The parts are each cluster of centres' week and each half-day ([`parts`]). Built on its
//! own, a part's MILP has a few hundred to a few thousand columns (interchangeable
//! requests merged into one integer column per place) and HiGHS solves most in
//! milliseconds, where the stage model with its other columns fixed costs seconds of
//! presolve per part ([`super::neighbourhoods`]).
//!
//! What it is for (BENCHMARKS.md): a class a request or two short of its count bound. On
//! national's `ciamt` service, tier 12 due later stopped at 111 of 112 after the greedy
//! pass and packing; its LP (3.2 s) and rounding found the last one, and the marginal class
//! after it got no LP in the service's 11 s. One part's MILP finds it in 0.3 s. What it
//! does not do: close the marginal class's last 3-5 requests under its LP's floor. On
//! `alsace` (392 of 395.6) and ciamt-week (465 of 469.4), no part gained a request, the
//! cluster weeks not even with 3 s each; the whole week with the rounded plan's rooms held
//! stayed at 392 for 100 s.

use super::compat::Compatibility;
use super::disjoint_sets::UnionFind;
use super::greedy::{Placement, Placements};
use super::highs_ext::Lp;
use crate::model::{Instance, Mode};
use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

/// Solves one part's MILP (every column integer, maximised) from a feasible start within
/// `seconds`: the best solution's values, or `None` when HiGHS has none.
pub trait SubMip {
    /// The values of the best solution found from `start`.
    fn solve(&self, lp: &Lp, start: &[f64], seconds: f64) -> Option<Vec<f64>>;
}

/// At most this long for one part's MILP.
const PART_SECONDS: f64 = 0.5;

/// Parts with more columns than this are not searched.
const MAX_PART_COLUMNS: usize = 40_000;

/// Re-packs `plan` part by part ([`parts`]) while time is left, until it holds `target`
/// requests of `class`. Every request of another class stays placed; the class's count
/// only grows (a part may trade one of its requests for two waiting). Returns how many more
/// of the class it holds.
pub fn improve(
    instance: &Instance,
    compat: &Compatibility,
    plan: &mut Placements,
    class: usize,
    target: usize,
    until: Instant,
    mip: &impl SubMip,
) -> usize {
    let count = |plan: &Placements| {
        plan.placed
            .iter()
            .filter(|p| instance.requests[p.request].class_index == class)
            .count()
    };
    let first = count(plan);
    let mut reached = first;
    let parts = parts(instance, compat);
    let in_class: Vec<usize> = (0..instance.requests.len())
        .filter(|&r| instance.requests[r].class_index == class)
        .collect();
    'rounds: loop {
        let round_start = reached;
        for part in &parts {
            if reached >= target || Instant::now() >= until {
                break 'rounds;
            }
            let seconds = PART_SECONDS.min(
                until
                    .saturating_duration_since(Instant::now())
                    .as_secs_f64(),
            );
            let Some(model) = Part::build(instance, compat, plan, class, &in_class, part) else {
                continue;
            };
            let (cols, holds) = (model.lp.cols(), model.holds);
            let t = Instant::now();
            let more = model.solve(plan, mip, seconds);
            tracing::trace!(
                cols,
                holds,
                ?more,
                vacations = part.len(),
                seconds = t.elapsed().as_secs_f64(),
                "part re-packed"
            );
            reached += more.unwrap_or(0);
        }
        if reached == round_start {
            break;
        }
    }
    debug_assert_eq!(count(plan), reached);
    reached - first
}

/// The parts, as sets of vacations, in the order they are searched: each cluster of
/// centres' week (centres linked by a vacation that may be held in either), then each
/// half-day. A part's vacations may take any room no vacation outside it holds at the
/// same time: a cluster's week hands all its rooms round.
fn parts(instance: &Instance, compat: &Compatibility) -> Vec<Vec<usize>> {
    let mut linked = UnionFind::new(instance.centres.len());
    for vac in &instance.vacations {
        linked.union_all(vac.centres.iter().copied());
    }
    let mut centres: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut half_days: BTreeMap<(i64, u32), Vec<usize>> = BTreeMap::new();
    for (v, vac) in instance.vacations.iter().enumerate() {
        if vac.cancelled {
            continue;
        }
        if let (Some(&c), false) = (vac.centres.first(), compat.vacation_rooms[v].is_empty()) {
            centres.entry(linked.find(c)).or_default().push(v);
        }
        let half = crate::model::half_day_of(vac.start) as u32;
        half_days.entry((vac.day, half)).or_default().push(v);
    }
    // Clusters in the order of their first vacation, whichever centre represents them.
    let mut clusters: Vec<Vec<usize>> = centres.into_values().collect();
    clusters.sort_unstable_by_key(|vacations| vacations[0]);
    clusters
        .into_iter()
        .chain(half_days.into_values())
        .collect()
}

/// Where a group's requests may go in a part: vacation, mode, for an in-person visit the
/// rooms it may be in, and minutes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Place {
    vacation: usize,
    mode: Mode,
    rooms: Vec<usize>,
    minutes: u32,
}

/// One part's MILP: a column per (group of interchangeable requests, place), then a
/// column per (centre vacation, room it may hold).
struct Part {
    lp: Lp,
    /// Per request column: its group and place.
    cols: Vec<(usize, Place)>,
    /// Per room column: vacation and room.
    room_cols: Vec<(usize, usize)>,
    /// Members of each group.
    groups: Vec<Vec<usize>>,
    /// Requests of the class the part holds now.
    holds: usize,
    /// The plan as it stands, a value per column.
    start: Vec<f64>,
}

impl Part {
    /// The MILP of `vacations`: every request placed there, and every waiting request of
    /// `class` (whose requests are `in_class`) that may go there. `None` when no waiting
    /// request may, or it is too large.
    fn build(
        instance: &Instance,
        compat: &Compatibility,
        plan: &Placements,
        class: usize,
        in_class: &[usize],
        vacations: &[usize],
    ) -> Option<Part> {
        let mut slot = vec![usize::MAX; instance.vacations.len()];
        for (k, &v) in vacations.iter().enumerate() {
            slot[v] = k;
        }
        // The vacations outside the part holding each room.
        let mut outside: HashMap<usize, Vec<usize>> = HashMap::new();
        for (v, q) in plan.rooms.iter().enumerate() {
            if let (Some(q), true) = (q, slot[v] == usize::MAX) {
                outside.entry(*q).or_default().push(v);
            }
        }
        let overlap = |a: usize, b: usize| {
            let (a, b) = (&instance.vacations[a], &instance.vacations[b]);
            a.day == b.day && a.start < b.end && b.start < a.end
        };
        // The rooms each vacation of the part may hold: those of its centres that no
        // vacation outside the part holds at the same time.
        let holdable: Vec<Vec<usize>> = vacations
            .iter()
            .map(|&v| {
                compat.vacation_rooms[v]
                    .iter()
                    .copied()
                    .filter(|q| {
                        outside
                            .get(q)
                            .is_none_or(|list| list.iter().all(|&w| !overlap(v, w)))
                    })
                    .collect()
            })
            .collect();
        let mut placed_at: Vec<Option<&Placement>> = vec![None; instance.requests.len()];
        for p in &plan.placed {
            placed_at[p.request] = Some(p);
        }
        let places = |r: usize| -> Vec<Place> {
            let mut out = Vec::new();
            for o in &compat.options[r] {
                let k = slot[o.vacation];
                if k == usize::MAX {
                    continue;
                }
                let vac = &instance.vacations[o.vacation];
                let rooms: Vec<usize> = o
                    .rooms
                    .iter()
                    .copied()
                    .filter(|q| holdable[k].contains(q))
                    .collect();
                if !rooms.is_empty() {
                    out.push(Place {
                        vacation: o.vacation,
                        mode: Mode::InPerson,
                        rooms,
                        minutes: o.minutes,
                    });
                }
                if o.tele && (!vac.needs_room() || !holdable[k].is_empty()) {
                    out.push(Place {
                        vacation: o.vacation,
                        mode: Mode::Teleconsultation,
                        rooms: Vec::new(),
                        minutes: o.minutes,
                    });
                }
            }
            out
        };
        let mut holds = 0;
        let mut members: Vec<(usize, bool)> = Vec::new();
        for p in &plan.placed {
            if slot[p.vacation] != usize::MAX {
                members.push((p.request, false));
                holds += usize::from(instance.requests[p.request].class_index == class);
            }
        }
        for &r in in_class {
            if placed_at[r].is_none()
                && compat.options[r]
                    .iter()
                    .any(|o| slot[o.vacation] != usize::MAX)
            {
                members.push((r, true));
            }
        }
        // Interchangeable requests: the same places, and both of the class or both held.
        let mut by_key: HashMap<(bool, Vec<Place>), usize> = HashMap::new();
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut group_places: Vec<Vec<Place>> = Vec::new();
        let mut must: Vec<bool> = Vec::new();
        let mut any_waiting = false;
        for (r, waits) in members {
            let places = places(r);
            if places.is_empty() {
                if waits {
                    continue;
                }
                // A held request always has its own place; none means the part is
                // inconsistent with the plan: leave it alone.
                return None;
            }
            any_waiting |= waits;
            let held = instance.requests[r].class_index != class;
            let g = *by_key.entry((held, places.clone())).or_insert_with(|| {
                groups.push(Vec::new());
                group_places.push(places);
                must.push(held);
                groups.len() - 1
            });
            groups[g].push(r);
        }
        if !any_waiting {
            return None;
        }
        let columns: usize = group_places.iter().map(Vec::len).sum();
        if columns > MAX_PART_COLUMNS {
            return None;
        }
        // Rows: each group; per vacation its minutes (within its span, with a room for a
        // centre vacation), its count cap, its one room; per in-person column, one of its
        // rooms held; per room and vacations alive at one time, one holder.
        let n = vacations.len();
        let mut rows = Rows::default();
        for (g, list) in groups.iter().enumerate() {
            let size = list.len() as f64;
            rows.push(if must[g] { size } else { 0.0 }, size);
        }
        let minutes_row = rows.len();
        for &v in vacations {
            let vac = &instance.vacations[v];
            let span = if vac.needs_room() {
                0.0
            } else {
                f64::from(vac.minutes())
            };
            rows.push(f64::NEG_INFINITY, span);
        }
        let count_row = rows.len();
        for &v in vacations {
            let max = instance.vacations[v].max_appointments;
            rows.push(f64::NEG_INFINITY, max.map_or(f64::INFINITY, f64::from));
        }
        let one_room_row = rows.len();
        for _ in 0..n {
            rows.push(f64::NEG_INFINITY, 1.0);
        }
        let mut lp = Lp::default();
        lp.a_start.push(0);
        let mut start = Vec::new();
        let mut cols = Vec::new();
        // Per vacation, the rows of its in-person columns: row, the rooms the column needs
        // one of, and its upper bound (`x ≤ upper · Σ y`).
        let mut link_rows: Vec<Vec<(usize, Vec<usize>, f64)>> = vec![Vec::new(); n];
        for (g, places) in group_places.iter().enumerate() {
            for place in places {
                let k = slot[place.vacation];
                let vac = &instance.vacations[place.vacation];
                let fit = f64::from(vac.minutes() / place.minutes.max(1));
                let upper = (groups[g].len() as f64).min(fit);
                let here = groups[g]
                    .iter()
                    .filter(|&&r| {
                        placed_at[r]
                            .is_some_and(|p| p.vacation == place.vacation && p.mode == place.mode)
                    })
                    .count();
                let mut entries = vec![
                    (g, 1.0),
                    (minutes_row + k, f64::from(place.minutes)),
                    (count_row + k, 1.0),
                ];
                if place.mode == Mode::InPerson {
                    let row = rows.len();
                    rows.push(f64::NEG_INFINITY, 0.0);
                    entries.push((row, 1.0));
                    link_rows[k].push((row, place.rooms.clone(), upper));
                }
                let cost = if must[g] { 0.0 } else { 1.0 };
                lp.push_col(cost, 0.0, upper, &entries);
                start.push(here as f64);
                cols.push((g, place.clone()));
            }
        }
        // Room columns: y[v, q] for each centre vacation of the part and room it may hold.
        let mut room_cols = Vec::new();
        let mut holders: BTreeMap<usize, Vec<(usize, usize)>> = BTreeMap::new();
        for (k, &v) in vacations.iter().enumerate() {
            if instance.vacations[v].needs_room() {
                for &q in &holdable[k] {
                    holders.entry(q).or_default().push((k, room_cols.len()));
                    room_cols.push((v, q));
                }
            }
        }
        // Per room, the vacations alive at each one's start share it at most once (the
        // maximal cliques of an interval graph).
        let mut overlap_rows: Vec<Vec<usize>> = Vec::new();
        for list in holders.values() {
            let mut cliques: Vec<Vec<usize>> = Vec::new();
            for &(k, _) in list {
                let a = &instance.vacations[vacations[k]];
                let alive: Vec<usize> = list
                    .iter()
                    .filter(|&&(j, _)| {
                        let b = &instance.vacations[vacations[j]];
                        b.day == a.day && b.start <= a.start && a.start < b.end
                    })
                    .map(|&(_, y)| y)
                    .collect();
                if alive.len() > 1 && !cliques.contains(&alive) {
                    cliques.push(alive);
                }
            }
            overlap_rows.extend(cliques);
        }
        let overlap_base = rows.len();
        for _ in &overlap_rows {
            rows.push(f64::NEG_INFINITY, 1.0);
        }
        let mut in_clique: Vec<Vec<usize>> = vec![Vec::new(); room_cols.len()];
        for (i, clique) in overlap_rows.iter().enumerate() {
            for &y in clique {
                in_clique[y].push(overlap_base + i);
            }
        }
        for (y, &(v, q)) in room_cols.iter().enumerate() {
            let k = slot[v];
            let span = f64::from(instance.vacations[v].minutes());
            let mut entries = vec![(minutes_row + k, -span), (one_room_row + k, 1.0)];
            for (row, rooms, upper) in &link_rows[k] {
                if rooms.contains(&q) {
                    entries.push((*row, -upper));
                }
            }
            entries.extend(in_clique[y].iter().map(|&r| (r, 1.0)));
            lp.push_col(0.0, 0.0, 1.0, &entries);
            start.push(if plan.rooms[v] == Some(q) { 1.0 } else { 0.0 });
        }
        lp.row_lower = rows.lower;
        lp.row_upper = rows.upper;
        Some(Part {
            lp,
            cols,
            room_cols,
            groups,
            holds,
            start,
        })
    }

    /// Solves the part and, when it holds more of the class, puts its solution in `plan`:
    /// returns how many more.
    fn solve(self, plan: &mut Placements, mip: &impl SubMip, seconds: f64) -> Option<usize> {
        let x = mip.solve(&self.lp, &self.start, seconds)?;
        if self.lp.violation(&x) > 1e-6 {
            return None;
        }
        let value: f64 = x.iter().zip(&self.lp.col_cost).map(|(v, c)| v * c).sum();
        let reached = value.round() as usize;
        if reached <= self.holds {
            return None;
        }
        for (y, &(v, q)) in self.room_cols.iter().enumerate() {
            if plan.rooms[v] == Some(q) && x[self.cols.len() + y] < 0.5 {
                plan.rooms[v] = None;
            }
        }
        for (y, &(v, q)) in self.room_cols.iter().enumerate() {
            if x[self.cols.len() + y] > 0.5 {
                plan.rooms[v] = Some(q);
            }
        }
        // Per group, how many go to each place; members stay where they were first.
        let mut share: Vec<Vec<(Place, usize)>> = vec![Vec::new(); self.groups.len()];
        for ((g, place), &val) in self.cols.iter().zip(&x) {
            let n = val.round() as usize;
            if n > 0 {
                share[*g].push((place.clone(), n));
            }
        }
        let in_part: HashMap<usize, usize> = self
            .groups
            .iter()
            .enumerate()
            .flat_map(|(g, list)| list.iter().map(move |&r| (r, g)))
            .collect();
        let mut before: HashMap<usize, (usize, Mode)> = HashMap::new();
        plan.placed.retain(|p| {
            if in_part.contains_key(&p.request) {
                before.insert(p.request, (p.vacation, p.mode));
                false
            } else {
                true
            }
        });
        for (g, list) in self.groups.iter().enumerate() {
            let mut left = std::mem::take(&mut share[g]);
            let mut rest = Vec::new();
            for &r in list {
                let stay = before.get(&r).and_then(|&(v, m)| {
                    left.iter_mut()
                        .find(|(p, n)| p.vacation == v && p.mode == m && *n > 0)
                });
                match stay {
                    Some((p, n)) => {
                        *n -= 1;
                        plan.placed.push(Placement {
                            request: r,
                            vacation: p.vacation,
                            mode: p.mode,
                        });
                    }
                    None => rest.push(r),
                }
            }
            for r in rest {
                if let Some((p, n)) = left.iter_mut().find(|(_, n)| *n > 0) {
                    *n -= 1;
                    plan.placed.push(Placement {
                        request: r,
                        vacation: p.vacation,
                        mode: p.mode,
                    });
                }
            }
        }
        Some(reached - self.holds)
    }
}

/// Row bounds, built up.
#[derive(Default)]
struct Rows {
    lower: Vec<f64>,
    upper: Vec<f64>,
}

impl Rows {
    fn push(&mut self, lower: f64, upper: f64) {
        self.lower.push(lower);
        self.upper.push(upper);
    }
    fn len(&self) -> usize {
        self.lower.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Instance;
    use crate::solver::{compat, highs_ext, plan_of};
    use std::time::Duration;

    /// HiGHS on its own, as the runner's solves run but without its deadline.
    struct Plain;

    impl SubMip for Plain {
        fn solve(&self, lp: &Lp, start: &[f64], seconds: f64) -> Option<Vec<f64>> {
            let integer = vec![true; lp.cols()];
            let sense = highs::Sense::Maximise;
            let mut model = highs_ext::pass_mip(lp, &integer, 0.0, sense, None).ok()?;
            model.set_option("time_limit", seconds);
            model.set_option("mip_rel_gap", 0.0);
            model.try_set_solution(Some(start), None, None, None).ok()?;
            let solved = model.try_solve().ok()?;
            (solved.primal_solution_status() == highs::HighsSolutionStatus::Feasible)
                .then(|| solved.get_solution().columns().to_vec())
        }
    }

    fn later() -> Instant {
        Instant::now() + Duration::from_secs(10)
    }

    /// A nurse's and a doctor's 100-minute mornings share a centre's one room, which the
    /// nurse holds with three visits of 30 minutes (25 with a doctor). The periodic visit
    /// waiting fits only once the room, and the three visits, go to the doctor.
    #[test]
    fn a_waiting_request_gets_in_when_the_room_and_the_visits_change_hands() {
        let (inst, mut plan) = crate::solver::fixtures::room_to_hand_over();
        let compat = compat::compute(&inst);
        let class = inst.requests[3].class_index;
        assert_ne!(class, inst.requests[0].class_index);
        let gained = improve(&inst, &compat, &mut plan, class, 1, later(), &Plain);
        assert_eq!(gained, 1);
        assert_eq!(plan.placed.len(), 4, "{:?}", plan.placed);
        assert_eq!(plan.rooms, vec![None, Some(0)]);
        let violations = crate::plan::validate(&inst, &plan_of(&inst, &compat, &plan));
        assert!(violations.is_empty(), "{violations:?}");
    }

    /// On generated weeks, each class re-packed in turn after the greedy pass: every
    /// request of another class stays placed, the class gains what is returned, no request
    /// is placed twice, the plan passes the H1-H7 validator, and some weeks gain.
    #[test]
    fn re_packing_keeps_the_other_classes_and_plans_valid() {
        let mut gained = 0;
        for seed in 1..=8 {
            let wire = crate::generate::generate(crate::generate::Preset::Small, seed);
            let inst = Instance::from_proto(&wire).expect("generated instances are valid");
            let compat = compat::compute(&inst);
            let mut plan = crate::solver::greedy::plan(&inst, &compat);
            for c in 0..inst.classes.len() {
                let in_class = |plan: &Placements| {
                    let placed = plan.placed.iter();
                    placed
                        .filter(|p| inst.requests[p.request].class_index == c)
                        .count()
                };
                let others = |plan: &Placements| -> std::collections::BTreeSet<usize> {
                    let placed = plan.placed.iter().map(|p| p.request);
                    placed
                        .filter(|&r| inst.requests[r].class_index != c)
                        .collect()
                };
                let (count, kept) = (in_class(&plan), others(&plan));
                let target = inst.requests.iter().filter(|r| r.class_index == c).count();
                let more = improve(&inst, &compat, &mut plan, c, target, later(), &Plain);
                assert_eq!(others(&plan), kept, "seed {seed}: another class changed");
                assert_eq!(in_class(&plan), count + more, "seed {seed}");
                let distinct: std::collections::HashSet<usize> =
                    plan.placed.iter().map(|p| p.request).collect();
                assert_eq!(
                    distinct.len(),
                    plan.placed.len(),
                    "seed {seed}: placed twice"
                );
                gained += more;
            }
            let violations = crate::plan::validate(&inst, &plan_of(&inst, &compat, &plan));
            assert!(violations.is_empty(), "seed {seed}: {violations:?}");
        }
        assert!(gained > 0, "re-packing never placed anyone");
    }
}
