//! The planner an assistant would be by hand: requests sorted by class then due date, each
//! put in the earliest compatible free place. It gives the MILP its first incumbent (which
//! often closes a class by its bound at once) and is the baseline of the `bench` command.

use super::compat::Compatibility;
use crate::model::{Instance, Mode};

/// A placement without times: request, vacation, mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    /// Request index.
    pub request: usize,
    /// Vacation index.
    pub vacation: usize,
    /// Mode.
    pub mode: Mode,
}

/// Placements and the room held by each vacation.
#[derive(Debug, Clone, Default)]
pub struct Placements {
    /// Scheduled requests.
    pub placed: Vec<Placement>,
    /// Room held per vacation.
    pub rooms: Vec<Option<usize>>,
}

/// Runs the greedy planner.
pub fn plan(instance: &Instance, compat: &Compatibility) -> Placements {
    complete(
        instance,
        compat,
        Placements {
            placed: Vec::new(),
            rooms: vec![None; instance.vacations.len()],
        },
    )
}

/// The greedy plan on rooms matched first ([`super::room_match`]): each vacation takes its
/// matched room when its first request can use it. The MILP's first incumbent; `plan`
/// stays the assistant's baseline.
pub fn plan_matched(instance: &Instance, compat: &Compatibility) -> Placements {
    let wished = super::room_match::matched_rooms(instance, compat);
    let start = Placements {
        placed: Vec::new(),
        rooms: vec![None; instance.vacations.len()],
    };
    fill(
        instance,
        compat,
        start,
        |_| true,
        &[],
        Rooms::Reserved(wished),
        None,
    )
}

/// A fractional plan (an LP relaxation's point) that steers the greedy pass.
#[derive(Debug, Clone)]
pub struct Guide {
    /// Per request, a weight per option (indexed like [`Compatibility::options`]): its
    /// options are tried by decreasing weight.
    pub weights: Vec<Vec<f64>>,
    /// Per class and vacation, the appointments the fractional plan still gives the class
    /// there; a placement takes one.
    pub quota: Vec<Vec<f64>>,
}

/// [`complete_where`] steered by `guide`: each request tries its options by decreasing
/// weight, then earliest first; with `strict`, only where its class has quota left. A
/// vacation that holds no room yet takes its `wished` one when its first request can use
/// it.
pub fn complete_guided(
    instance: &Instance,
    compat: &Compatibility,
    start: Placements,
    wanted: impl Fn(usize) -> bool,
    wished: Vec<Option<usize>>,
    guide: &mut Guide,
    strict: bool,
) -> Placements {
    let rooms = Rooms::Reserved(wished);
    fill(
        instance,
        compat,
        start,
        wanted,
        &[],
        rooms,
        Some((guide, strict)),
    )
}

/// Extends a valid set of placements greedily with the requests it leaves out (used when
/// the time limit stops the MILP: lower classes then get what capacity is left).
pub fn complete(instance: &Instance, compat: &Compatibility, start: Placements) -> Placements {
    complete_where(instance, compat, start, |_| true)
}

/// [`complete`] restricted to the requests `wanted` accepts.
pub fn complete_where(
    instance: &Instance,
    compat: &Compatibility,
    start: Placements,
    wanted: impl Fn(usize) -> bool,
) -> Placements {
    complete_preferring(instance, compat, start, wanted, &[])
}

/// Where a request would rather go: a vacation, the room that vacation would rather hold,
/// and the mode (a previous plan's place, in a re-optimisation).
pub type Preference = Option<(usize, Option<usize>, Mode)>;

/// [`complete_where`] that tries each request's preferred vacation first, and gives a
/// vacation that holds no room yet the room some request wished for it; `prefer` is
/// indexed by request (shorter: no preference).
pub fn complete_preferring(
    instance: &Instance,
    compat: &Compatibility,
    start: Placements,
    wanted: impl Fn(usize) -> bool,
    prefer: &[Preference],
) -> Placements {
    // The room each vacation was wished to hold, whichever request reaches it first.
    let mut wished: Vec<Option<usize>> = vec![None; instance.vacations.len()];
    for &(v, room, _) in prefer.iter().flatten() {
        if wished[v].is_none() {
            wished[v] = room;
        }
    }
    fill(
        instance,
        compat,
        start,
        wanted,
        prefer,
        Rooms::Wished(wished),
        None,
    )
}

/// The room each vacation should take when its first request comes, if it can use it.
enum Rooms {
    /// Tried first; any free room otherwise.
    Wished(Vec<Option<usize>>),
    /// Tried first, and kept from the other vacations that overlap it until it holds a
    /// room (a matching of rooms to vacations, which first come, first served would undo).
    Reserved(Vec<Option<usize>>),
}

/// The greedy pass of [`complete_preferring`], a vacation that holds no room yet taking its
/// wished one when its first request can use it.
fn fill(
    instance: &Instance,
    compat: &Compatibility,
    start: Placements,
    wanted: impl Fn(usize) -> bool,
    prefer: &[Preference],
    rooms: Rooms,
    mut guide: Option<(&mut Guide, bool)>,
) -> Placements {
    let (wished, reserve) = match rooms {
        Rooms::Wished(w) => (w, false),
        Rooms::Reserved(w) => (w, true),
    };
    // Per room, the vacations it is reserved for.
    let mut reserved_for: Vec<Vec<usize>> = vec![Vec::new(); instance.rooms.len()];
    if reserve {
        for (v, k) in wished.iter().enumerate() {
            if let Some(k) = k {
                reserved_for[*k].push(v);
            }
        }
    }
    let nv = instance.vacations.len();
    let mut used = vec![0u32; nv];
    let mut count = vec![0u32; nv];
    let mut room_of: Vec<Option<usize>> = start.rooms;
    // Vacations holding each room, to refuse a room to an overlapping vacation.
    let mut holders: Vec<Vec<usize>> = vec![Vec::new(); instance.rooms.len()];
    for (v, room) in room_of.iter().enumerate() {
        if let Some(k) = room {
            holders[*k].push(v);
        }
    }
    let mut done = vec![false; instance.requests.len()];
    for p in &start.placed {
        let role = instance.professionals[instance.vacations[p.vacation].professional].role;
        used[p.vacation] += instance.requests[p.request].minutes(role);
        count[p.vacation] += 1;
        done[p.request] = true;
    }
    let mut placed = start.placed;
    let mut order: Vec<usize> = (0..instance.requests.len())
        .filter(|&r| !done[r] && wanted(r))
        .collect();
    // Within a class, the requests that have a place to go back to first: otherwise others
    // of their class take those places and a re-optimisation swaps whole sets of workers
    // (ciamt-week, 5 s after a one-day absence: 165 cancelled and 141 added).
    order.sort_by_key(|&r| {
        let q = &instance.requests[r];
        let returning = prefer.get(r).copied().flatten().is_some();
        (q.class_index, !returning, q.due_day.unwrap_or(i64::MAX), r)
    });
    // Minutes that requests still to be placed hold in their preferred vacation: a request
    // without a place of its own looks for free time elsewhere before taking theirs, so
    // one displaced worker does not push a chain of others out of their slots.
    let returning_minutes = |r: usize| {
        let (v, _, _) = prefer.get(r).copied().flatten()?;
        compat.options[r]
            .iter()
            .find(|o| o.vacation == v)
            .map(|o| (v, o.minutes))
    };
    let mut reserved = vec![0u32; nv];
    for &r in &order {
        if let Some((v, m)) = returning_minutes(r) {
            reserved[v] += m;
        }
    }
    for r in order {
        if let Some((v, m)) = returning_minutes(r) {
            reserved[v] = reserved[v].saturating_sub(m);
        }
        let preferred = prefer.get(r).copied().flatten();
        let class = instance.requests[r].class_index;
        let weights = guide.as_ref().and_then(|(g, _)| g.weights.get(r));
        let weight = |i: usize| {
            let w = weights.and_then(|w| w.get(i)).copied().unwrap_or(0.0);
            // Millionths, for a total order.
            std::cmp::Reverse((w * 1e6).round() as i64)
        };
        let mut opts: Vec<usize> = (0..compat.options[r].len()).collect();
        opts.sort_by_key(|&i| {
            let vi = compat.options[r][i].vacation;
            let v = &instance.vacations[vi];
            (
                preferred.is_none_or(|(p, _, _)| p != vi),
                weight(i),
                v.day,
                v.start,
                vi,
            )
        });

        // First without the time others will come back to, then anywhere.
        'passes: for (honour, &i) in [true, false]
            .iter()
            .flat_map(|&honour| opts.iter().map(move |i| (honour, i)))
        {
            let o = &compat.options[r][i];
            let v = &instance.vacations[o.vacation];
            if let Some((g, strict)) = &guide {
                if *strict && g.quota[class][o.vacation] < 0.5 {
                    continue;
                }
            }
            let held = if honour { reserved[o.vacation] } else { 0 };
            if used[o.vacation] + held + o.minutes > v.minutes()
                || v.max_appointments.is_some_and(|m| count[o.vacation] >= m)
            {
                continue;
            }
            // A worker coming back to their vacation keeps their mode where it can.
            let wants_tele = o.tele
                && preferred
                    .is_some_and(|(p, _, m)| p == o.vacation && m == Mode::Teleconsultation);
            let mode = if !v.needs_room() {
                Some(Mode::Teleconsultation)
            } else if let Some(room) = room_of[o.vacation] {
                if wants_tele {
                    Some(Mode::Teleconsultation)
                } else if o.rooms.contains(&room) {
                    Some(Mode::InPerson)
                } else if o.tele {
                    Some(Mode::Teleconsultation)
                } else {
                    None
                }
            } else {
                let apart = |w: usize| {
                    let x = &instance.vacations[w];
                    x.day != v.day || x.end <= v.start || v.end <= x.start
                };
                let free = |k: &usize| {
                    holders[*k].iter().all(|&w| apart(w))
                        && reserved_for[*k]
                            .iter()
                            .all(|&w| w == o.vacation || room_of[w].is_some() || apart(w))
                };
                // The wished room first; then keep equipped rooms for the visits that need
                // them.
                let pick = |rooms: &[usize]| {
                    rooms
                        .iter()
                        .filter(|k| free(k))
                        .min_by_key(|&&k| {
                            (
                                Some(k) != wished[o.vacation],
                                instance.rooms[k].equipment.count_ones(),
                                k,
                            )
                        })
                        .copied()
                };
                let (room, mode) = match pick(&o.rooms) {
                    Some(_) if wants_tele => (
                        pick(&compat.vacation_rooms[o.vacation]),
                        Some(Mode::Teleconsultation),
                    ),
                    Some(k) => (Some(k), Some(Mode::InPerson)),
                    None if o.tele => (
                        pick(&compat.vacation_rooms[o.vacation]),
                        Some(Mode::Teleconsultation),
                    ),
                    None => (None, None),
                };
                match room {
                    Some(k) => {
                        room_of[o.vacation] = Some(k);
                        holders[k].push(o.vacation);
                        mode
                    }
                    None => None,
                }
            };
            if let Some(mode) = mode {
                if let Some((g, _)) = guide.as_mut() {
                    g.quota[class][o.vacation] -= 1.0;
                }
                used[o.vacation] += o.minutes;
                count[o.vacation] += 1;
                placed.push(Placement {
                    request: r,
                    vacation: o.vacation,
                    mode,
                });
                break 'passes;
            }
        }
    }
    Placements {
        placed,
        rooms: room_of,
    }
}
