//! Augmenting-path insertion: places requests the greedy pass left out by moving already
//! placed requests along a chain of vacations (r goes into v0, one request of v0 moves to
//! v1, one of v1 to v2, ..., until a vacation with free minutes takes the last one). A
//! better incumbent before a level-1 stage often meets the class's bound at once, which
//! proves the stage without branching.
//!
//! Rooms held by vacations stay as they are; a vacation that needs a room and holds none
//! may take a free one, as in the greedy pass. Only the count of the class grows; the
//! moved requests stay scheduled.

use super::compat::Compatibility;
use super::greedy::{Placement, Placements};
use crate::model::{Instance, Mode};
use std::collections::{HashSet, VecDeque};
use std::time::Instant;

/// Placements being changed: per vacation its minutes, appointments, room and members,
/// per request where it is. Shared with [`super::packing`].
#[derive(Clone)]
pub(super) struct State<'a> {
    pub(super) instance: &'a Instance,
    pub(super) compat: &'a Compatibility,
    pub(super) used: Vec<u32>,
    pub(super) count: Vec<u32>,
    pub(super) room: Vec<Option<usize>>,
    holders: Vec<Vec<usize>>,
    pub(super) members: Vec<Vec<usize>>,
    pub(super) at: Vec<Option<(usize, Mode)>>,
    /// Per placed request, the minutes it takes where it is: read for every member of
    /// every vacation an augmenting path or a packing chain passes, where looking its
    /// option up again was most of the search's time.
    held: Vec<u32>,
}

impl<'a> State<'a> {
    /// The state of `start`.
    pub(super) fn new(
        instance: &'a Instance,
        compat: &'a Compatibility,
        start: Placements,
    ) -> Self {
        let nv = instance.vacations.len();
        let mut s = State {
            instance,
            compat,
            used: vec![0; nv],
            count: vec![0; nv],
            room: start.rooms,
            holders: vec![Vec::new(); instance.rooms.len()],
            members: vec![Vec::new(); nv],
            at: vec![None; instance.requests.len()],
            held: vec![0; instance.requests.len()],
        };
        for (v, k) in s.room.iter().enumerate() {
            if let Some(k) = k {
                s.holders[*k].push(v);
            }
        }
        for p in &start.placed {
            s.put(p.request, p.vacation, p.mode, None);
        }
        s
    }

    /// The placements of the state, by request.
    pub(super) fn into_placements(self) -> Placements {
        let placed = self
            .at
            .iter()
            .enumerate()
            .filter_map(|(r, a)| {
                a.map(|(vacation, mode)| Placement {
                    request: r,
                    vacation,
                    mode,
                })
            })
            .collect();
        Placements {
            placed,
            rooms: self.room,
        }
    }

    pub(super) fn option(&self, r: usize, v: usize) -> Option<&super::compat::Option_> {
        let opts = &self.compat.options[r];
        opts.binary_search_by_key(&v, |o| o.vacation)
            .ok()
            .map(|i| &opts[i])
    }

    pub(super) fn minutes(&self, r: usize, v: usize) -> u32 {
        self.option(r, v).map_or(u32::MAX, |o| o.minutes)
    }

    /// The minutes placed request `r` takes in its vacation.
    pub(super) fn placed_minutes(&self, r: usize) -> u32 {
        debug_assert!(self.at[r].is_some(), "request {r} is not placed");
        self.held[r]
    }

    fn room_free(&self, k: usize, v: usize) -> bool {
        let w = &self.instance.vacations[v];
        self.holders[k].iter().all(|&u| {
            let x = &self.instance.vacations[u];
            x.day != w.day || x.end <= w.start || w.end <= x.start
        })
    }

    /// Mode of `r` in `v` given the room `v` holds, and the room it would take if it holds
    /// none.
    pub(super) fn mode(&self, r: usize, v: usize) -> Option<(Mode, Option<usize>)> {
        self.mode_in(self.option(r, v)?, v)
    }

    /// [`Self::mode`] with the request's option for `v` at hand: the search for it was
    /// most of the augmenting paths' time (a fifth of a regional service's solve).
    pub(super) fn mode_in(
        &self,
        o: &super::compat::Option_,
        v: usize,
    ) -> Option<(Mode, Option<usize>)> {
        let vac = &self.instance.vacations[v];
        if !vac.needs_room() {
            return o.tele.then_some((Mode::Teleconsultation, None));
        }
        let rooms = self.compat.rooms_of(o);
        match self.room[v] {
            Some(k) if rooms.contains(&k) => Some((Mode::InPerson, None)),
            Some(_) => o.tele.then_some((Mode::Teleconsultation, None)),
            None => {
                let pick = |rooms: &[usize]| {
                    rooms
                        .iter()
                        .copied()
                        .filter(|&k| self.room_free(k, v))
                        .min_by_key(|&k| (self.instance.rooms[k].equipment.count_ones(), k))
                };
                if let Some(k) = pick(rooms) {
                    Some((Mode::InPerson, Some(k)))
                } else if o.tele {
                    pick(&self.compat.vacation_rooms[v]).map(|k| (Mode::Teleconsultation, Some(k)))
                } else {
                    None
                }
            }
        }
    }

    pub(super) fn fits(&self, v: usize, minutes: u32, freed: u32, count_delta: i64) -> bool {
        let vac = &self.instance.vacations[v];
        self.used[v] + minutes <= vac.minutes() + freed
            && vac
                .max_appointments
                .is_none_or(|m| i64::from(self.count[v]) + count_delta <= i64::from(m))
    }

    /// The vacations holding room `k` at a time that overlaps `v`'s.
    pub(super) fn holders_over(&self, k: usize, v: usize) -> Vec<usize> {
        let w = &self.instance.vacations[v];
        self.holders[k]
            .iter()
            .copied()
            .filter(|&u| {
                let x = &self.instance.vacations[u];
                x.day == w.day && x.start < w.end && w.start < x.end
            })
            .collect()
    }

    /// Gives `v` room `k` in place of the room it holds, if any.
    pub(super) fn set_room(&mut self, v: usize, k: Option<usize>) {
        if let Some(old) = self.room[v].take() {
            self.holders[old].retain(|&u| u != v);
        }
        if let Some(k) = k {
            self.room[v] = Some(k);
            self.holders[k].push(v);
        }
    }

    pub(super) fn remove(&mut self, r: usize) {
        if let Some((v, _)) = self.at[r].take() {
            self.used[v] -= self.held[r];
            self.count[v] -= 1;
            self.members[v].retain(|&q| q != r);
        }
    }

    pub(super) fn put(&mut self, r: usize, v: usize, mode: Mode, take: Option<usize>) {
        if let Some(k) = take {
            self.room[v] = Some(k);
            self.holders[k].push(v);
        }
        self.held[r] = self.minutes(r, v);
        self.used[v] += self.held[r];
        self.count[v] += 1;
        self.members[v].push(r);
        self.at[r] = Some((v, mode));
    }

    /// Tries to place `r` through an augmenting path; true when placed.
    fn insert(&mut self, r: usize) -> bool {
        let mut nodes: Vec<Node> = Vec::new();
        let mut seen = vec![false; self.instance.vacations.len()];
        let mut queue = VecDeque::new();
        for o in &self.compat.options[r] {
            let v = o.vacation;
            let Some((mode, take)) = self.mode_in(o, v) else {
                continue;
            };
            if self.fits(v, o.minutes, 0, 1) {
                self.put(r, v, mode, take);
                return true;
            }
            if !seen[v] && !self.members[v].is_empty() {
                seen[v] = true;
                nodes.push(Node {
                    vacation: v,
                    entering: r,
                    parent: None,
                });
                queue.push_back(nodes.len() - 1);
            }
        }
        while let Some(n) = queue.pop_front() {
            let v = nodes[n].vacation;
            let need = self.minutes(nodes[n].entering, v);
            // Eject q from v to make room for the entering request; q goes to w.
            for qi in 0..self.members[v].len() {
                let q = self.members[v][qi];
                if on_chain(&nodes, n, q) || !self.fits(v, need, self.held[q], 0) {
                    continue;
                }
                for o in &self.compat.options[q] {
                    let w = o.vacation;
                    if w == v || seen[w] {
                        continue;
                    }
                    // The cheap tests first: a vacation that neither has the minutes nor
                    // holds anyone to move on is no step, whatever its room.
                    let free = self.fits(w, o.minutes, 0, 1);
                    if !free && self.members[w].is_empty() {
                        continue;
                    }
                    let Some((_, take)) = self.mode_in(o, w) else {
                        continue;
                    };
                    seen[w] = true;
                    nodes.push(Node {
                        vacation: w,
                        entering: q,
                        parent: Some(n),
                    });
                    if free {
                        let path = chain(&nodes, nodes.len() - 1);
                        self.apply(&path, take);
                        return true;
                    }
                    queue.push_back(nodes.len() - 1);
                }
            }
        }
        false
    }

    /// Gives rooms to vacations that hold none but could take waiting requests: the
    /// vacations holding a candidate room at that time are emptied (their appointments
    /// re-placed elsewhere along augmenting paths, all of them or the move is undone), and
    /// the move is kept when the vacation then takes more waiting requests than before.
    /// The first greedy pass hands rooms out first come, first served, which can leave a
    /// room to a vacation with one appointment while another stays closed for want of it.
    fn reallocate_rooms(&mut self, wanted: &[usize], deadline: Instant) {
        let inst = self.instance;
        for v in 0..inst.vacations.len() {
            if Instant::now() >= deadline {
                return;
            }
            let vac = &inst.vacations[v];
            if !vac.needs_room() || self.room[v].is_some() || vac.cancelled {
                continue;
            }
            let waiting: Vec<usize> = wanted
                .iter()
                .copied()
                .filter(|&r| self.at[r].is_none() && self.option(r, v).is_some())
                .collect();
            if waiting.is_empty() {
                continue;
            }
            for &k in &self.compat.vacation_rooms[v] {
                let saved = self.clone();
                if self.give_room(v, k, &waiting) > 0 {
                    break;
                }
                *self = saved;
            }
        }
    }

    /// Empties the vacations holding room `k` at the time of `v`, gives `k` to `v`, and
    /// fills `v` with `waiting` requests. Returns how many were placed, 0 when an evicted
    /// appointment found no other place (the state is then to be restored by the caller).
    fn give_room(&mut self, v: usize, k: usize, waiting: &[usize]) -> usize {
        let blockers: Vec<usize> = self.holders[k]
            .iter()
            .copied()
            .filter(|&u| {
                let (a, b) = (&self.instance.vacations[u], &self.instance.vacations[v]);
                a.day == b.day && a.start < b.end && b.start < a.end
            })
            .collect();
        let mut evicted = Vec::new();
        for &u in &blockers {
            for q in self.members[u].clone() {
                self.remove(q);
                evicted.push(q);
            }
            self.room[u] = None;
            self.holders[k].retain(|&w| w != u);
        }
        self.room[v] = Some(k);
        self.holders[k].push(v);
        if !evicted.iter().all(|&q| self.insert(q)) {
            return 0;
        }
        let mut placed = 0;
        for &r in waiting {
            if self.at[r].is_some() {
                continue;
            }
            let Some(minutes) = self.option(r, v).map(|o| o.minutes) else {
                continue;
            };
            if let Some((mode, None)) = self.mode(r, v) {
                if self.fits(v, minutes, 0, 1) {
                    self.put(r, v, mode, None);
                    placed += 1;
                }
            }
        }
        placed
    }

    /// Applies a chain, last move first: `chain[0]` goes into a vacation with room (taking
    /// room `take` if it holds none), each later one takes the place the one before left.
    fn apply(&mut self, chain: &[(usize, usize)], take: Option<usize>) {
        for (i, &(q, w)) in chain.iter().enumerate() {
            self.remove(q);
            let (mode, t) = if i == 0 {
                let (m, _) = self.mode(q, w).unwrap_or((Mode::Teleconsultation, None));
                (m, take)
            } else {
                self.mode(q, w).unwrap_or((Mode::Teleconsultation, None))
            };
            self.put(q, w, mode, t);
        }
    }
}

/// A step of an augmenting path: `entering` goes into `vacation`, after one request of
/// it was moved on to the child step.
struct Node {
    vacation: usize,
    entering: usize,
    parent: Option<usize>,
}

/// True when `q` already enters a vacation on the path ending at node `n`.
fn on_chain(nodes: &[Node], n: usize, q: usize) -> bool {
    let mut cur = Some(n);
    while let Some(i) = cur {
        if nodes[i].entering == q {
            return true;
        }
        cur = nodes[i].parent;
    }
    false
}

/// The moves of the path ending at node `last`, last move first.
fn chain(nodes: &[Node], last: usize) -> Vec<(usize, usize)> {
    let mut moves = Vec::new();
    let mut cur = Some(last);
    while let Some(i) = cur {
        moves.push((nodes[i].entering, nodes[i].vacation));
        cur = nodes[i].parent;
    }
    moves
}

/// Places as many of the requests `wanted` accepts as augmenting paths allow, in the
/// order given, within `deadline`.
pub fn insert(
    instance: &Instance,
    compat: &Compatibility,
    start: Placements,
    wanted: &[usize],
    deadline: Instant,
) -> Placements {
    let mut s = State::new(instance, compat, start);
    // Requests with the same options fail alike: try each signature until one fails.
    let mut failed: HashSet<&[super::compat::Option_]> = HashSet::new();
    for &r in wanted {
        if s.at[r].is_some() || Instant::now() >= deadline {
            continue;
        }
        let key = compat.options[r].as_slice();
        if key.is_empty() || failed.contains(key) {
            continue;
        }
        if !s.insert(r) {
            failed.insert(key);
        }
    }
    if Instant::now() < deadline {
        s.reallocate_rooms(wanted, deadline);
    }
    s.into_placements()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{generate, Preset};
    use crate::solver::{compat, greedy};
    use std::time::Duration;

    /// Lower classes are placed first, so that the upper ones need augmenting paths; the
    /// result must keep every placement and pass the independent H1-H7 validator.
    #[test]
    fn insertion_keeps_placements_and_plans_valid() {
        let mut gained = 0;
        for seed in 1..=25 {
            let wire = generate(Preset::Small, seed);
            let instance = Instance::from_proto(&wire).expect("generated instances are valid");
            let compat = compat::compute(&instance);
            let half = instance.classes.len() / 2;
            let low = greedy::complete_where(
                &instance,
                &compat,
                Placements {
                    placed: Vec::new(),
                    rooms: vec![None; instance.vacations.len()],
                },
                |r| instance.requests[r].class_index >= half,
            );
            let greedy_high = greedy::complete_where(&instance, &compat, low.clone(), |r| {
                instance.requests[r].class_index < half
            });
            let wanted: Vec<usize> = (0..instance.requests.len())
                .filter(|&r| instance.requests[r].class_index < half)
                .collect();
            let deadline = Instant::now() + Duration::from_secs(10);
            let out = insert(&instance, &compat, greedy_high.clone(), &wanted, deadline);
            let before: HashSet<usize> = greedy_high.placed.iter().map(|p| p.request).collect();
            let after: HashSet<usize> = out.placed.iter().map(|p| p.request).collect();
            assert!(
                before.is_subset(&after),
                "seed {seed}: a placed request was lost"
            );
            gained += after.len() - before.len();
            let plan = crate::solver::plan_of(&instance, &compat, &out);
            let violations = crate::plan::validate(&instance, &plan);
            assert!(violations.is_empty(), "seed {seed}: {violations:?}");
        }
        assert!(gained > 0, "no instance needed an augmenting path");
    }
}
