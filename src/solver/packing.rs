//! Packing repair: gathers the minutes a plan leaves free in pieces too short for any
//! visit until they make room for one more request of the class being filled.
//!
//! A plan rounded from the LP, or completed greedily, leaves 5-20 free minutes in many
//! vacations: the class being filled needs 25 and fits nowhere, where the LP fills every
//! minute. Single-ejection chains ([`super::repair`]) cannot help: once no vacation has 25
//! free minutes, no placed visit (all 25 minutes or more) can move anywhere. Swaps can: a
//! 30-minute visit of a vacation with 20 free minutes exchanged with a 25-minute one of a
//! vacation with 5 free leaves the first with 25.
//!
//! Two searches, each keeping every placed request placed and every vacation's room:
//! - a descent over moves and swaps that raise a measure of the free minutes: per minute
//!   and per squared minute (bin packing's consolidation measure: it grows when free
//!   minutes go where there are more already), 64 times more where a waiting request could
//!   go. The linear part sends a visit to the professional it takes less time with (a
//!   periodic visit is 25 minutes with a doctor, 30 with a nurse): on the `rhone` service
//!   the LP's point did that for about 20 visits the rounding had left with nurses;
//! - rooms handed over whole ([`Packer::hand_over_rooms`]): a vacation without a room
//!   takes one from a vacation of the same time, with all its appointments;
//! - then chains ([`Packer::chain_to`]): a vacation a few minutes short sends a request on
//!   and takes a shorter one back, the vacation that receives it makes up the difference
//!   the same way, and so on to a vacation with the minutes to spare.
//!
//! A waiting request is placed wherever enough minutes come together. Measured
//! (BENCHMARKS.md): ciamt-week's marginal class rounded from the LP, 371 → 465-466 of 469
//! in about a second; the regional services of the national preset, 25-31 % short of their
//! LP bounds → 0.3-1.25 %.

use super::compat::{Compatibility, Option_};
use super::greedy::Placements;
use super::repair::State;
use crate::model::{Mode, Role};
use std::time::Instant;

/// Places more of the requests of `wanted` (in that order of preference) by moving and
/// swapping placed requests, within `deadline`.
pub fn pack(
    instance: &crate::model::Instance,
    compat: &Compatibility,
    start: Placements,
    wanted: &[usize],
    deadline: Instant,
) -> Placements {
    let t0 = Instant::now();
    let before = start.placed.len();
    // Nothing to place: the moves would only shuffle the plan (30 ms a class on a
    // regional service, every class of both of the rounding's orders).
    let mut placed = vec![false; instance.requests.len()];
    for p in &start.placed {
        placed[p.request] = true;
    }
    if wanted
        .iter()
        .all(|&r| placed[r] || compat.options[r].is_empty())
    {
        return start;
    }
    let mut p = Packer::new(State::new(instance, compat, start), wanted);
    p.run(deadline);
    if tracing::enabled!(tracing::Level::DEBUG) {
        // Free minutes left where a waiting request could go, and the appointments added.
        let stranded: u32 = (0..p.need.len())
            .filter(|&v| p.need[v] != u32::MAX)
            .map(|v| p.free(v))
            .sum();
        let after = p.s.at.iter().filter(|a| a.is_some()).count();
        tracing::debug!(
            before,
            after,
            stranded,
            seconds = t0.elapsed().as_secs_f64(),
            "packing done"
        );
    }
    p.s.into_placements()
}

struct Packer<'a> {
    s: State<'a>,
    /// Per vacation, the waiting requests that have an option there, in the order wanted.
    waiting: Vec<Vec<usize>>,
    /// Per vacation, the fewest minutes a waiting request needs there (`u32::MAX`: none
    /// can go there, so its free minutes are worth nothing).
    need: Vec<u32>,
    /// Per vacation, its professional's role.
    role: Vec<Role>,
    /// Per request, its minutes with a doctor and with a nurse: read for every member of
    /// every vacation a swap or a chain looks at, where the request itself (200 bytes) was
    /// a cache miss each time.
    lengths: Vec<[u32; 2]>,
}

impl<'a> Packer<'a> {
    fn new(s: State<'a>, wanted: &[usize]) -> Self {
        let nv = s.instance.vacations.len();
        let mut waiting = vec![Vec::new(); nv];
        for &r in wanted {
            if s.at[r].is_none() {
                for o in &s.compat.options[r] {
                    waiting[o.vacation].push(r);
                }
            }
        }
        let role = s
            .instance
            .vacations
            .iter()
            .map(|v| s.instance.professionals[v.professional].role)
            .collect();
        let lengths = s
            .instance
            .requests
            .iter()
            .map(|r| [r.doctor_minutes, r.nurse_minutes])
            .collect();
        let mut p = Packer {
            s,
            waiting,
            need: vec![u32::MAX; nv],
            role,
            lengths,
        };
        for v in 0..nv {
            p.refresh_need(v);
        }
        p
    }

    /// Minutes request `r` takes with `v`'s professional.
    fn length(&self, r: usize, v: usize) -> u32 {
        match self.role[v] {
            Role::Doctor => self.lengths[r][0],
            Role::Nurse => self.lengths[r][1],
        }
    }

    fn free(&self, v: usize) -> u32 {
        self.s.instance.vacations[v].minutes() - self.s.used[v]
    }

    fn full(&self, v: usize) -> bool {
        self.s.instance.vacations[v]
            .max_appointments
            .is_some_and(|m| self.s.count[v] >= m)
    }

    /// Drops placed requests from `waiting[v]` and recomputes `need[v]`.
    fn refresh_need(&mut self, v: usize) {
        let at = &self.s.at;
        self.waiting[v].retain(|&r| at[r].is_none());
        self.need[v] = if self.full(v) {
            u32::MAX
        } else {
            self.waiting[v]
                .iter()
                .filter(|&&r| self.s.mode(r, v).is_some())
                .map(|&r| self.s.minutes(r, v))
                .min()
                .unwrap_or(u32::MAX)
        };
    }

    /// What `free` minutes are worth in `v`: linear and square parts (see the module
    /// documentation), [`USEFUL_WEIGHT`] times more where a waiting request could go.
    fn value(&self, v: usize, free: u32) -> i64 {
        let f = i64::from(free);
        if self.need[v] == u32::MAX {
            f * (1 + f)
        } else {
            USEFUL_WEIGHT * f * (MINUTE_WEIGHT + f)
        }
    }

    /// Places waiting requests in `v` while one fits.
    fn fill(&mut self, v: usize) {
        while self.need[v] <= self.free(v) {
            let free = self.free(v);
            let found = self.waiting[v].iter().find_map(|&r| {
                let (mode, take) = self.s.mode(r, v)?;
                (self.s.at[r].is_none() && self.s.minutes(r, v) <= free).then_some((r, mode, take))
            });
            let Some((r, mode, take)) = found else {
                break;
            };
            self.s.put(r, v, mode, take);
            for o in &self.s.compat.options[r] {
                let w = o.vacation;
                if self.waiting[w].contains(&r) {
                    self.refresh_need(w);
                }
            }
            self.refresh_need(v);
        }
    }

    fn run(&mut self, deadline: Instant) {
        let nv = self.s.instance.vacations.len();
        for v in 0..nv {
            self.fill(v);
        }
        let t0 = Instant::now();
        self.descend(deadline);
        if self.hand_over_rooms(deadline) {
            self.descend(deadline);
        }
        tracing::trace!(seconds = t0.elapsed().as_secs_f64(), "descent");
        // Stuck: chains through vacations whose own free minutes stay, from the vacations
        // with the most minutes left over.
        for _ in 0..CHAIN_ROUNDS {
            let mut short: Vec<usize> = (0..nv)
                .filter(|&v| self.need[v] != u32::MAX && self.free(v) > 0)
                .collect();
            short.sort_by_key(|&v| (std::cmp::Reverse(self.free(v)), v));
            let mut found = false;
            for v in short {
                if Instant::now() >= deadline {
                    return;
                }
                if self.need[v] == u32::MAX || self.need[v] <= self.free(v) || self.free(v) == 0 {
                    continue;
                }
                if let Some(path) = self.chain_to(v) {
                    for step in path {
                        self.apply(step);
                    }
                    self.fill(v);
                    found = true;
                }
            }
            tracing::trace!(seconds = t0.elapsed().as_secs_f64(), "chains");
            if !found {
                return;
            }
            self.descend(deadline);
        }
    }

    /// Hands rooms over whole: a vacation without one takes the room of a vacation of the
    /// same time with all its appointments, when each of them may go there and the
    /// measure grows or a waiting request gets placed (a visit of 30 minutes with a nurse
    /// is 25 with a doctor; the LP chooses which professionals of a half-day get the
    /// centre's rooms by what they can serve, the matching only by its weights).
    /// True when a room changed hands.
    fn hand_over_rooms(&mut self, deadline: Instant) -> bool {
        let inst = self.s.instance;
        let mut any = false;
        for b in 0..inst.vacations.len() {
            if Instant::now() >= deadline {
                break;
            }
            let vb = &inst.vacations[b];
            if !vb.needs_room() || vb.cancelled || self.s.room[b].is_some() {
                continue;
            }
            if !self.waiting[b].iter().any(|&r| self.s.at[r].is_none()) {
                continue;
            }
            for &k in &self.s.compat.vacation_rooms[b] {
                let held = self.s.holders_over(k, b);
                let [a] = held[..] else { continue };
                if self.hand_over(a, b, k) {
                    any = true;
                    break;
                }
            }
        }
        any
    }

    /// Moves `a`'s room `k` and every appointment of `a` to `b`; kept when it places a
    /// waiting request or raises the measure, undone otherwise.
    fn hand_over(&mut self, a: usize, b: usize, k: usize) -> bool {
        let s = &self.s;
        let vb = &s.instance.vacations[b];
        let members = s.members[a].clone();
        if vb
            .max_appointments
            .is_some_and(|m| members.len() > m as usize)
        {
            return false;
        }
        let mut minutes = 0;
        let mut modes = Vec::with_capacity(members.len());
        for &q in &members {
            let Some(o) = s.option(q, b) else {
                return false;
            };
            let (_, was) = s.at[q].expect("a member is placed");
            let mode = if was == Mode::InPerson && o.rooms.contains(&k) {
                Mode::InPerson
            } else if o.tele {
                Mode::Teleconsultation
            } else if o.rooms.contains(&k) {
                Mode::InPerson
            } else {
                return false;
            };
            minutes += o.minutes;
            modes.push((q, was, mode));
        }
        if minutes > vb.minutes() {
            return false;
        }
        let placed_before = s.at.iter().filter(|x| x.is_some()).count();
        let before = self.value(a, self.free(a)) + self.value(b, self.free(b));
        for &(q, _, _) in &modes {
            self.s.remove(q);
        }
        self.s.set_room(a, None);
        self.s.set_room(b, Some(k));
        for &(q, _, mode) in &modes {
            self.s.put(q, b, mode, None);
        }
        self.refresh_need(a);
        self.refresh_need(b);
        self.fill(b);
        let placed_after = self.s.at.iter().filter(|x| x.is_some()).count();
        let after = self.value(a, self.free(a)) + self.value(b, self.free(b));
        if placed_after > placed_before || after > before {
            return true;
        }
        for &(q, was, _) in &modes {
            self.s.remove(q);
            self.s.put(q, a, was, None);
        }
        self.s.set_room(b, None);
        self.s.set_room(a, Some(k));
        self.refresh_need(a);
        self.refresh_need(b);
        false
    }

    /// Moves and swaps that each raise the measure, until none does.
    fn descend(&mut self, deadline: Instant) {
        let nv = self.s.instance.vacations.len();
        loop {
            let mut improved = false;
            for v in 0..nv {
                if Instant::now() >= deadline {
                    return;
                }
                while let Some(step) = self.best_step(v) {
                    self.apply(step);
                    improved = true;
                    self.fill(v);
                }
            }
            if !improved {
                return;
            }
        }
    }

    /// Where `q`, placed in `x`, may go without taking a room: each other vacation of its
    /// options, with its mode there given the room that vacation holds.
    fn destinations(&self, q: usize, x: usize) -> impl Iterator<Item = (&Option_, Mode)> + '_ {
        self.s.compat.options[q]
            .iter()
            .filter(move |o| o.vacation != x)
            .filter_map(move |o| match self.s.mode_in(o, o.vacation) {
                Some((mode, None)) => Some((o, mode)),
                _ => None,
            })
    }

    /// The move or swap that takes a request out of `v` and raises the measure most.
    fn best_step(&self, v: usize) -> Option<Step> {
        let s = &self.s;
        let fv = self.free(v);
        let mut best: Option<(i64, Step)> = None;
        for &q in &s.members[v] {
            let mq_v = s.placed_minutes(q);
            for (o, q_mode) in self.destinations(q, v) {
                let w = o.vacation;
                let fw = self.free(w);
                let base = self.value(v, fv) + self.value(w, fw);
                // q moves to w.
                if o.minutes <= fw && !self.full(w) {
                    let gain = self.value(v, fv + mq_v) + self.value(w, fw - o.minutes) - base;
                    if gain > best.as_ref().map_or(0, |b| b.0) {
                        best = Some((gain, Step::Move { q, v, w, q_mode }));
                    }
                }
                // q and a request p of w swap.
                for &p in &s.members[w] {
                    let (mp_v, mp_w) = (self.length(p, v), self.length(p, w));
                    // v: -q +p; w: -p +q.
                    let (Some(nfv), Some(nfw)) = (
                        (fv + mq_v).checked_sub(mp_v),
                        (fw + mp_w).checked_sub(o.minutes),
                    ) else {
                        continue;
                    };
                    let gain = self.value(v, nfv) + self.value(w, nfw) - base;
                    if gain <= best.as_ref().map_or(0, |b| b.0) {
                        continue;
                    }
                    let Some((p_mode, None)) = s.mode(p, v) else {
                        continue;
                    };
                    let step = Step::Swap {
                        q,
                        v,
                        w,
                        q_mode,
                        p,
                        p_mode,
                    };
                    best = Some((gain, step));
                }
            }
        }
        best.map(|(_, step)| step)
    }

    /// A chain of moves and swaps that gives `v` more free minutes and leaves every other
    /// vacation within its minutes: `v` sends a request to `x1` (and may take a shorter one
    /// back), `x1` sends one on to `x2` to make up what it lacks, and so on until a vacation
    /// `y` has the minutes. Taken when `v` then fits a waiting request, or when the measure
    /// grows (`v` ends with more free minutes than `y` had: the pieces gather over several
    /// chains). Breadth first over (vacation, minutes it lacks), at most [`CHAIN_NODES`]
    /// of them.
    fn chain_to(&self, v: usize) -> Option<Vec<Step>> {
        let s = &self.s;
        let fv = self.free(v);
        // Whether a chain that gives `v` `gain` minutes and `y` `fy_new` free of `fy` is
        // worth taking.
        let worth = |gain: u32, y: usize, fy: u32, fy_new: u32| {
            fv + gain >= self.need[v]
                || self.value(v, fv + gain) + self.value(y, fy_new)
                    > self.value(v, fv) + self.value(y, fy)
        };
        let mut nodes = vec![ChainNode {
            vacation: v,
            lacks: 1,
            left: None,
            parent: None,
            step: None,
            gain: 0,
        }];
        let mut seen = rustc_hash::FxHashSet::default();
        seen.insert((v, 1));
        let mut next = 0;
        while next < nodes.len() && nodes.len() < CHAIN_NODES {
            let n = next;
            next += 1;
            let (x, lacks, left) = (nodes[n].vacation, nodes[n].lacks, nodes[n].left);
            // What `v` gains: decided by the first step, from the root.
            let root = n == 0;
            let on_path = |y: usize| {
                let mut cur = Some(n);
                while let Some(i) = cur {
                    if nodes[i].vacation == y {
                        return true;
                    }
                    cur = nodes[i].parent;
                }
                false
            };
            let mut found: Option<Step> = None;
            let mut children = Vec::new();
            'requests: for &q in &s.members[x] {
                if Some(q) == left {
                    continue;
                }
                let mq_x = s.placed_minutes(q);
                for (o, q_mode) in self.destinations(q, x) {
                    let y = o.vacation;
                    if on_path(y) {
                        continue;
                    }
                    let fy = self.free(y);
                    if mq_x >= lacks && !self.full(y) {
                        let step = Step::Move {
                            q,
                            v: x,
                            w: y,
                            q_mode,
                        };
                        let gain = if root { mq_x } else { nodes[n].gain };
                        match fy.checked_sub(o.minutes) {
                            Some(left) if worth(gain, y, fy, left) => {
                                found = Some(step);
                                break 'requests;
                            }
                            Some(_) => {}
                            None => children.push((step, None, o.minutes - fy, y, gain)),
                        }
                    }
                    for &p in &s.members[y] {
                        // What p would take in x, before looking for its option there.
                        let mp_x = self.length(p, x);
                        if mq_x < lacks + mp_x {
                            continue;
                        }
                        let Some((p_mode, None)) = s.mode(p, x) else {
                            continue;
                        };
                        let step = Step::Swap {
                            q,
                            v: x,
                            w: y,
                            q_mode,
                            p,
                            p_mode,
                        };
                        let gain = if root { mq_x - mp_x } else { nodes[n].gain };
                        // y: p leaves, q enters.
                        match (fy + s.placed_minutes(p)).checked_sub(o.minutes) {
                            Some(left) if worth(gain, y, fy, left) => {
                                found = Some(step);
                                break 'requests;
                            }
                            Some(_) => {}
                            None => {
                                let short = o.minutes - fy - s.placed_minutes(p);
                                children.push((step, Some(p), short, y, gain));
                            }
                        }
                    }
                }
            }
            if let Some(step) = found {
                tracing::trace!(nodes = nodes.len(), expanded = n, "chain found");
                let mut path = vec![step];
                let mut cur = Some(n);
                while let Some(i) = cur {
                    path.extend(nodes[i].step);
                    cur = nodes[i].parent;
                }
                return Some(path);
            }
            for (step, left, lacks, y, gain) in children {
                if seen.insert((y, lacks)) {
                    nodes.push(ChainNode {
                        vacation: y,
                        lacks,
                        left,
                        parent: Some(n),
                        step: Some(step),
                        gain,
                    });
                }
            }
        }
        tracing::trace!(nodes = nodes.len(), "no chain");
        None
    }

    fn apply(&mut self, step: Step) {
        match step {
            Step::Move { q, v, w, q_mode } => {
                self.s.remove(q);
                self.s.put(q, w, q_mode, None);
                self.refresh_need(v);
                self.refresh_need(w);
            }
            Step::Swap {
                q,
                v,
                w,
                q_mode,
                p,
                p_mode,
            } => {
                self.s.remove(q);
                self.s.remove(p);
                self.s.put(q, w, q_mode, None);
                self.s.put(p, v, p_mode, None);
                self.refresh_need(v);
                self.refresh_need(w);
            }
        }
    }
}

/// What a free minute is worth beside the square of a vacation's free minutes.
const MINUTE_WEIGHT: i64 = 64;

/// How much more a free minute is worth where a waiting request could go than elsewhere.
const USEFUL_WEIGHT: i64 = 64;

/// The most states a chain search visits.
const CHAIN_NODES: usize = 2_000;

/// The most rounds of chain searches, each after a descent.
const CHAIN_ROUNDS: usize = 4;

/// A state of [`Packer::chain_to`]: `vacation` lacks `lacks` minutes after `step` (from
/// its parent) sent it a request, and took `left` out of it for a swap; the chain's first
/// vacation gains `gain` minutes.
struct ChainNode {
    vacation: usize,
    lacks: u32,
    left: Option<usize>,
    parent: Option<usize>,
    step: Option<Step>,
    gain: u32,
}

/// A change of the plan that keeps every request placed.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// `q` goes from `v` to `w`.
    Move {
        q: usize,
        v: usize,
        w: usize,
        q_mode: Mode,
    },
    /// `q` goes from `v` to `w`, `p` from `w` to `v`.
    Swap {
        q: usize,
        v: usize,
        w: usize,
        q_mode: Mode,
        p: usize,
        p_mode: Mode,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{parse_instance_json, Instance};
    use crate::solver::greedy::Placement;
    use crate::solver::{compat, plan_of, repair};
    use std::time::Duration;

    /// Two doctors' 90-minute mornings in one centre of two rooms. Four tier-1 visits (35,
    /// 35, 30, 30 minutes) and two 25-minute periodic ones fit exactly, 35 + 30 + 25 in
    /// each morning.
    fn instance() -> Instance {
        let request = |id: &str, kind: &str, minutes: u32| {
            format!(
                r#"{{"id": "{id}", "workerId": "W{id}", "companyId": "A", "kind": "{kind}", "durationMinutes": {minutes}}}"#
            )
        };
        let requests = [
            request("h1", "reprise", 35),
            request("h2", "reprise", 35),
            request("h3", "reprise", 30),
            request("h4", "reprise", 30),
            request("m1", "vip_periodique", 25),
            request("m2", "vip_periodique", 25),
        ]
        .join(",");
        let text = format!(
            r#"{{
            "name": "packing",
            "horizon": {{"startDate": "2026-11-30", "days": 1}},
            "centres": [{{"id": "C1", "name": "One", "rooms": [{{"id": "R1"}}, {{"id": "R2"}}]}}],
            "professionals": [{{"id": "D1", "role": "ROLE_DOCTOR"}}, {{"id": "D2", "role": "ROLE_DOCTOR"}}],
            "vacations": [
                {{"id": "V1", "professionalId": "D1", "date": "2026-11-30", "start": "08:30", "end": "10:00", "centreIds": ["C1"]}},
                {{"id": "V2", "professionalId": "D2", "date": "2026-11-30", "start": "08:30", "end": "10:00", "centreIds": ["C1"]}}
            ],
            "companies": [{{"id": "A"}}],
            "requests": [{requests}]
        }}"#
        );
        Instance::from_proto(&parse_instance_json(&text).expect("parses")).expect("valid")
    }

    fn at(request: usize, vacation: usize) -> Placement {
        Placement {
            request,
            vacation,
            mode: Mode::InPerson,
        }
    }

    #[test]
    fn a_swap_gathers_the_minutes_left_in_pieces() {
        let inst = instance();
        let compat = compat::compute(&inst);
        // V1 holds both 35s (20 minutes left), V2 both 30s and m1 (5 left): m2 fits nowhere.
        let start = Placements {
            placed: vec![at(0, 0), at(1, 0), at(2, 1), at(3, 1), at(4, 1)],
            rooms: vec![Some(0), Some(1)],
        };
        let later = Instant::now() + Duration::from_secs(10);
        // Ejection chains cannot help: no visit is short enough for 5 or 20 minutes.
        let chained = repair::insert(&inst, &compat, start.clone(), &[5], later);
        assert_eq!(chained.placed.len(), 5);
        let packed = pack(&inst, &compat, start, &[5], later);
        assert_eq!(packed.placed.len(), 6, "{:?}", packed.placed);
        let violations = crate::plan::validate(&inst, &plan_of(&inst, &compat, &packed));
        assert!(violations.is_empty(), "{violations:?}");
    }

    /// On generated weeks, every class packed in turn after the greedy pass: no placed
    /// request is lost, the plan passes the H1-H7 validator, and some weeks gain.
    #[test]
    fn packing_keeps_placements_and_plans_valid() {
        let mut gained = 0;
        for seed in 1..=12 {
            let wire = crate::generate::generate(crate::generate::Preset::Small, seed);
            let inst = Instance::from_proto(&wire).expect("generated instances are valid");
            let compat = compat::compute(&inst);
            let mut plan = crate::solver::greedy::plan(&inst, &compat);
            for c in 0..inst.classes.len() {
                let wanted: Vec<usize> = (0..inst.requests.len())
                    .filter(|&r| inst.requests[r].class_index == c)
                    .collect();
                let later = Instant::now() + Duration::from_secs(10);
                let packed = pack(&inst, &compat, plan.clone(), &wanted, later);
                let before: std::collections::HashSet<usize> =
                    plan.placed.iter().map(|p| p.request).collect();
                let after: std::collections::HashSet<usize> =
                    packed.placed.iter().map(|p| p.request).collect();
                assert!(before.is_subset(&after), "seed {seed}: a request was lost");
                assert!(
                    after.difference(&before).all(|&r| wanted.contains(&r)),
                    "seed {seed}: a request of another class was placed"
                );
                gained += after.len() - before.len();
                plan = packed;
            }
            let violations = crate::plan::validate(&inst, &plan_of(&inst, &compat, &plan));
            assert!(violations.is_empty(), "seed {seed}: {violations:?}");
        }
        assert!(gained > 0, "packing never placed anyone");
    }

    /// A nurse's and a doctor's 100-minute mornings share a centre's one room, which the
    /// nurse holds with three visits of 30 minutes (25 with a doctor): handed over whole to
    /// the doctor, room and visits, they leave 25 minutes for a fourth.
    #[test]
    fn a_room_handed_over_with_its_visits_makes_room_for_one_more() {
        let (inst, start) = crate::solver::fixtures::room_to_hand_over();
        let compat = compat::compute(&inst);
        let later = Instant::now() + Duration::from_secs(10);
        let packed = pack(&inst, &compat, start, &[3], later);
        assert_eq!(packed.placed.len(), 4, "{:?}", packed.placed);
        assert_eq!(packed.rooms, vec![None, Some(0)]);
        let violations = crate::plan::validate(&inst, &plan_of(&inst, &compat, &packed));
        assert!(violations.is_empty(), "{violations:?}");
    }
}
