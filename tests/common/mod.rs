//! Test helpers: a random micro-instance generator and an exhaustive enumerator of the
//! lexicographic optimum (level 1 class counts, then level 2 fairness per class).
//!
//! The enumerator shares no code with the solver: its only link to the crate's rules is the
//! validator's per-appointment check, `plan::validate::appointment_allowed`. Scores depend
//! only on which requests are scheduled, so it enumerates sets of requests and decides
//! each one's feasibility over every room allocation and every assignment.

#![allow(dead_code)]

use convoplan::model::{Instance, Mode};
use convoplan::plan::validate::appointment_allowed;
use convoplan::proto;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};

pub mod reopt_checks;

/// Tolerance on service ratios when comparing fairness.
pub const RATIO_TOLERANCE: f64 = 1e-9;

/// The lexicographic score of a set of scheduled requests: class counts first, then per
/// class the smallest company ratio and the sum of the ratios.
#[derive(Debug, Clone, PartialEq)]
pub struct Lex {
    /// Scheduled requests per class, in `instance.classes` order.
    pub counts: Vec<u32>,
    /// `(min ratio, sum of ratios)` per class over companies with requests in the class.
    pub fairness: Vec<(f64, f64)>,
}

impl Lex {
    /// The score as one flat vector (counts, then min and sum per class), for messages.
    pub fn flat(&self) -> Vec<f64> {
        let mut v: Vec<f64> = self.counts.iter().map(|&c| f64::from(c)).collect();
        for &(min, sum) in &self.fairness {
            v.push(min);
            v.push(sum);
        }
        v
    }

    /// True when `self` is lexicographically better than `other` (ratios up to
    /// [`RATIO_TOLERANCE`]).
    pub fn better_than(&self, other: &Lex) -> bool {
        if self.counts != other.counts {
            return self.counts > other.counts;
        }
        for (a, b) in self.fairness.iter().zip(&other.fairness) {
            for (x, y) in [(a.0, b.0), (a.1, b.1)] {
                if (x - y).abs() > RATIO_TOLERANCE {
                    return x > y;
                }
            }
        }
        false
    }
}

/// Score of the requests flagged in `scheduled`.
pub fn lex_of(inst: &Instance, scheduled: &[bool]) -> Lex {
    let mut counts = vec![0u32; inst.classes.len()];
    let mut fairness = Vec::with_capacity(inst.classes.len());
    for (c, count) in counts.iter_mut().enumerate() {
        // company -> (pending, scheduled)
        let mut per_company: BTreeMap<usize, (u32, u32)> = BTreeMap::new();
        for (r, req) in inst.requests.iter().enumerate() {
            if req.class_index != c {
                continue;
            }
            let e = per_company.entry(req.company).or_default();
            e.0 += 1;
            if scheduled[r] {
                e.1 += 1;
                *count += 1;
            }
        }
        let ratios: Vec<f64> = per_company
            .values()
            .map(|&(p, s)| f64::from(s) / f64::from(p))
            .collect();
        let min = ratios.iter().copied().fold(f64::INFINITY, f64::min);
        fairness.push((min, ratios.iter().sum()));
    }
    Lex { counts, fairness }
}

/// Score read from a plan's own score (sum of ratios = mean × companies).
pub fn lex_of_plan(inst: &Instance, plan: &proto::Plan) -> Lex {
    let score = convoplan::plan::score(inst, plan);
    Lex {
        counts: score.classes.iter().map(|c| c.scheduled).collect(),
        fairness: score
            .classes
            .iter()
            .map(|c| {
                (
                    c.min_company_ratio,
                    c.mean_company_ratio * f64::from(c.companies),
                )
            })
            .collect(),
    }
}

/// True when the two scores are equal, ratios within `tolerance`.
pub fn same(a: &Lex, b: &Lex, tolerance: f64) -> bool {
    a.counts == b.counts
        && a.fairness.len() == b.fairness.len()
        && a.fairness
            .iter()
            .zip(&b.fairness)
            .all(|(x, y)| (x.0 - y.0).abs() <= tolerance && (x.1 - y.1).abs() <= tolerance)
}

/// True when two vacations overlap in time (same day, intersecting spans).
fn overlap(inst: &Instance, a: usize, b: usize) -> bool {
    let (x, y) = (&inst.vacations[a], &inst.vacations[b]);
    x.day == y.day && x.start < y.end && y.start < x.end
}

/// Every room allocation: each centre vacation holds one room of its candidate centres or
/// none (then it holds nothing); overlapping vacations never share a room.
pub fn room_allocations(inst: &Instance) -> Vec<Vec<Option<usize>>> {
    let mut out: Vec<Vec<Option<usize>>> = vec![Vec::new()];
    for (v, vac) in inst.vacations.iter().enumerate() {
        let mut choices = vec![None];
        for &c in &vac.centres {
            choices.extend(inst.centres[c].rooms.iter().map(|&k| Some(k)));
        }
        let mut next = Vec::new();
        for prefix in &out {
            for &choice in &choices {
                let clash =
                    choice.is_some() && (0..v).any(|u| prefix[u] == choice && overlap(inst, u, v));
                if !clash {
                    let mut p = prefix.clone();
                    p.push(choice);
                    next.push(p);
                }
            }
        }
        out = next;
    }
    out
}

/// Feasibility of every set of requests (indexed by bit mask): some room allocation and
/// some assignment of each request of the set to a vacation and mode such that every
/// appointment is allowed (qualification, dates, modes, equipment of the room, allowed
/// centre, absence) and each vacation's minutes and `max_appointments` hold.
pub fn feasible_sets(inst: &Instance) -> Vec<bool> {
    let n = inst.requests.len();
    assert!(n <= 12, "the enumerator is for micro instances");
    let nv = inst.vacations.len();
    let mut feasible = vec![false; 1 << n];
    for alloc in room_allocations(inst) {
        // Vacations each request may take under this allocation, with its minutes there.
        let options: Vec<Vec<(usize, u32)>> = (0..n)
            .map(|r| {
                (0..nv)
                    .filter(|&v| {
                        [Mode::InPerson, Mode::Teleconsultation]
                            .into_iter()
                            .any(|m| appointment_allowed(inst, r, v, m, alloc[v]))
                    })
                    .map(|v| {
                        let role = inst.professionals[inst.vacations[v].professional].role;
                        (v, inst.requests[r].minutes(role))
                    })
                    .collect()
            })
            .collect();
        // Forward search over the requests: states are (set, minutes used, appointments)
        // per vacation; a request is skipped or placed in one of its vacations.
        let mut states: BTreeSet<(usize, Vec<u32>, Vec<u32>)> = BTreeSet::new();
        states.insert((0, vec![0; nv], vec![0; nv]));
        for (r, opts) in options.iter().enumerate() {
            let mut next = states.clone();
            for (mask, used, count) in &states {
                for &(v, minutes) in opts {
                    let vac = &inst.vacations[v];
                    if used[v] + minutes > vac.minutes()
                        || vac.max_appointments.is_some_and(|m| count[v] >= m)
                    {
                        continue;
                    }
                    let (mut u, mut c) = (used.clone(), count.clone());
                    u[v] += minutes;
                    c[v] += 1;
                    next.insert((mask | 1 << r, u, c));
                }
            }
            states = next;
        }
        for (mask, _, _) in states {
            feasible[mask] = true;
        }
    }
    feasible
}

/// The lexicographically best score over every feasible set, with one set reaching it.
pub fn best_by_enumeration(inst: &Instance) -> (Lex, usize) {
    let n = inst.requests.len();
    let feasible = feasible_sets(inst);
    let mut best = (lex_of(inst, &vec![false; n]), 0);
    for (mask, ok) in feasible.iter().enumerate() {
        if !ok {
            continue;
        }
        let scheduled: Vec<bool> = (0..n).map(|i| mask & (1 << i) != 0).collect();
        let s = lex_of(inst, &scheduled);
        if s.better_than(&best.0) {
            best = (s, mask);
        }
    }
    best
}

/// Requests scheduled by a plan, by request index.
pub fn scheduled_of(inst: &Instance, plan: &proto::Plan) -> Vec<bool> {
    let ids: BTreeSet<&str> = plan
        .appointments
        .iter()
        .map(|a| a.request_id.as_str())
        .collect();
    inst.requests
        .iter()
        .map(|r| ids.contains(r.id.as_str()))
        .collect()
}

const IN_PERSON: i32 = proto::Mode::InPerson as i32;
const TELE: i32 = proto::Mode::Teleconsultation as i32;

/// "HH:MM" of minutes from midnight.
fn hhmm(m: u32) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// Visit kinds of the micro instances: doctor-only and delegable ones over several tiers.
const MICRO_KINDS: &[&str] = &[
    "reprise",
    "pre_reprise",
    "demande",
    "vip_initiale_prioritaire",
    "mi_carriere",
    "vip_initiale",
    "vip_periodique",
];

/// A random micro instance (valid for every seed): at most 8 requests, 3 vacations and 2
/// rooms over 1-2 centres and 1-2 days; short vacations (30-90 min) that compete for rooms,
/// equipment, teleconsultation, allowed centres, two-centre and remote vacations, tiers and
/// due dates spread over several classes, and now and then a release date, an
/// unavailability, an absence, a notice limit or a cap on appointments.
pub fn micro(seed: u64) -> proto::Instance {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let days: u32 = if rng.random_bool(0.2) { 2 } else { 1 };
    let date = |d: u32| format!("2026-{}", ["11-30", "12-01"][d as usize]);

    // Centres and rooms: one centre with 1-2 rooms, or two centres (the second one may have
    // no room: requests allowed only there cannot be seen in person).
    let two_centres = rng.random_bool(0.5);
    let room_count = if rng.random_bool(0.6) { 2 } else { 1 };
    let room = |k: usize, rng: &mut ChaCha8Rng| {
        let mut equipment = Vec::new();
        if rng.random_bool(0.35) {
            equipment.push("audiometry".to_string());
        }
        if rng.random_bool(0.25) {
            equipment.push("vision".to_string());
        }
        proto::Room {
            id: format!("R{k}"),
            equipment,
        }
    };
    let mut centres = vec![proto::Centre {
        id: "C1".into(),
        name: "One".into(),
        rooms: vec![room(1, &mut rng)],
    }];
    if two_centres {
        centres.push(proto::Centre {
            id: "C2".into(),
            name: "Two".into(),
            rooms: if room_count == 2 {
                vec![room(2, &mut rng)]
            } else {
                vec![]
            },
        });
    } else if room_count == 2 {
        let r = room(2, &mut rng);
        centres[0].rooms.push(r);
    }
    let c2_has_room = two_centres && room_count == 2;

    // Professionals.
    let n_prof = rng.random_range(1..=3);
    let professionals: Vec<proto::Professional> = (0..n_prof)
        .map(|i| {
            let doctor = rng.random_bool(0.5);
            let qualified_kinds = if !doctor && rng.random_bool(0.3) {
                vec![
                    "vip_initiale".into(),
                    "vip_periodique".into(),
                    "demande".into(),
                ]
            } else {
                vec![]
            };
            proto::Professional {
                id: format!("P{i}"),
                role: if doctor {
                    proto::Role::Doctor
                } else {
                    proto::Role::Nurse
                } as i32,
                qualified_kinds,
                team_id: String::new(),
                service_id: String::new(),
            }
        })
        .collect();

    // Vacations: short, often overlapping; one professional's vacations never overlap.
    let n_vac = [1, 2, 2, 3, 3][rng.random_range(0..5)];
    let mut vacations: Vec<proto::Vacation> = Vec::new();
    let mut spans: Vec<(usize, u32, u32, u32)> = Vec::new(); // (prof, day, start, end)
    for i in 0..n_vac {
        let mut placed = None;
        for _ in 0..20 {
            let p = rng.random_range(0..n_prof);
            let day = rng.random_range(0..days);
            let start = if rng.random_bool(0.1) {
                840
            } else {
                *[510u32, 540, 570, 600].choose(&mut rng).unwrap_or(&540)
            };
            let end = start + 15 * rng.random_range(2..=6u32);
            let clash = spans
                .iter()
                .any(|&(q, d, s, e)| q == p && d == day && s < end && start < e);
            if !clash {
                placed = Some((p, day, start, end));
                break;
            }
        }
        let Some((p, day, start, end)) = placed else {
            continue;
        };
        spans.push((p, day, start, end));
        let remote = rng.random_bool(0.15);
        let centre_ids: Vec<String> = if remote {
            vec![]
        } else if two_centres && rng.random_bool(0.35) {
            vec!["C1".into(), "C2".into()]
        } else if c2_has_room && rng.random_bool(0.4) {
            vec!["C2".into()]
        } else {
            vec!["C1".into()]
        };
        let modes = if remote {
            if rng.random_bool(0.5) {
                vec![TELE]
            } else {
                vec![]
            }
        } else if rng.random_bool(0.35) {
            vec![IN_PERSON, TELE]
        } else if rng.random_bool(0.5) {
            vec![IN_PERSON]
        } else {
            vec![]
        };
        vacations.push(proto::Vacation {
            id: format!("V{i}"),
            professional_id: format!("P{p}"),
            date: date(day),
            start: hhmm(start),
            end: hhmm(end),
            centre_ids,
            modes,
            max_appointments: if rng.random_bool(0.15) {
                rng.random_range(1..=2)
            } else {
                0
            },
        });
    }

    // Absences: now and then a professional away for a day or a morning.
    let mut absences = Vec::new();
    if rng.random_bool(0.1) {
        if let Some(&(p, day, _, _)) = spans.choose(&mut rng) {
            let (from, to) = if rng.random_bool(0.5) {
                (date(day), date(day))
            } else {
                (
                    format!("{}T08:00", date(day)),
                    format!("{}T12:00", date(day)),
                )
            };
            absences.push(proto::Absence {
                professional_id: format!("P{p}"),
                from,
                to,
            });
        }
    }

    let n_comp = if rng.random_bool(0.85) {
        rng.random_range(2..=3)
    } else {
        1
    };
    let companies: Vec<proto::Company> = (0..n_comp)
        .map(|k| proto::Company {
            id: format!("E{k}"),
            headcount: [3, 40, 800][k % 3],
            referent_professional_id: String::new(),
            home_centre_id: "C1".into(),
            service_id: String::new(),
        })
        .collect();

    // Requests over a few kinds and urgencies, so that classes hold several requests of
    // several companies (fairness then matters).
    let n_kinds = rng.random_range(1..=3);
    let kinds: Vec<&str> = MICRO_KINDS
        .choose_multiple(&mut rng, n_kinds)
        .copied()
        .collect();
    let dues: Vec<u32> = [0u32, 1, 2, 3]
        .choose_multiple(&mut rng, 2)
        .copied()
        .collect();
    let n_req = if rng.random_bool(0.8) {
        rng.random_range(5..=8)
    } else {
        rng.random_range(1..=4)
    };
    let requests = (0..n_req)
        .map(|i| {
            let kind = *kinds.choose(&mut rng).unwrap_or(&"demande");
            let doctor_only = matches!(kind, "reprise" | "pre_reprise");
            let due_date = match dues.choose(&mut rng).copied().unwrap_or(3) {
                0 => "2026-11-20".to_string(),
                1 => date(rng.random_range(0..days)),
                2 => "2027-01-15".to_string(),
                _ => String::new(),
            };
            let equipment: Vec<String> = if rng.random_bool(0.15) {
                vec![["audiometry", "vision"][rng.random_range(0..2)].to_string()]
            } else {
                vec![]
            };
            let modes = if !equipment.is_empty() {
                vec![IN_PERSON]
            } else {
                match rng.random_range(0..4) {
                    0 => vec![TELE],
                    1 => vec![IN_PERSON],
                    2 => vec![IN_PERSON, TELE],
                    _ => vec![],
                }
            };
            let allowed_centre_ids = if rng.random_bool(0.3) {
                if two_centres && rng.random_bool(0.5) {
                    vec!["C2".to_string()]
                } else {
                    vec!["C1".to_string()]
                }
            } else {
                vec![]
            };
            // Release on the second day (due dates stay after it).
            let release_date = if days == 2 && rng.random_bool(0.15) && due_date != date(0) {
                if due_date == "2026-11-20" {
                    String::new()
                } else {
                    date(1)
                }
            } else {
                String::new()
            };
            let unavailable = if rng.random_bool(0.12) {
                vec![proto::HalfDaySlot {
                    date: date(rng.random_range(0..days)),
                    half_day: if rng.random_bool(0.7) {
                        proto::HalfDay::Morning
                    } else {
                        proto::HalfDay::Afternoon
                    } as i32,
                }]
            } else {
                vec![]
            };
            let r: f64 = rng.random();
            let (required_role, risks) = if r < 0.07 && !doctor_only {
                (proto::Role::Nurse as i32, vec![])
            } else if r < 0.12 {
                (proto::Role::Doctor as i32, vec![])
            } else if r < 0.16 {
                (0, vec!["asbestos".to_string()])
            } else {
                (0, vec![])
            };
            proto::VisitRequest {
                id: format!("r{i}"),
                worker_id: format!("W{i}"),
                company_id: format!("E{}", rng.random_range(0..n_comp)),
                kind: kind.into(),
                follow_up: 0,
                release_date,
                due_date,
                tier: if rng.random_bool(0.1) {
                    rng.random_range(1..=3)
                } else {
                    0
                },
                duration_minutes: if rng.random_bool(0.25) {
                    *[15u32, 20, 30].choose(&mut rng).unwrap_or(&20)
                } else {
                    0
                },
                required_role,
                equipment,
                modes,
                allowed_centre_ids,
                preferred_professional_id: String::new(),
                unavailable,
                risks,
                preferred_centre_id: String::new(),
            }
        })
        .collect();

    // Now and then a notice limit: nothing bookable before the second day.
    let policy = (days == 2 && rng.random_bool(0.3)).then(|| proto::Policy {
        publication_date: "2026-11-27".into(),
        notice_days: 4,
        ..Default::default()
    });

    proto::Instance {
        name: format!("micro {seed}"),
        horizon: Some(proto::Horizon {
            start_date: "2026-11-30".into(),
            days,
        }),
        centres,
        professionals,
        vacations,
        absences,
        companies,
        requests,
        policy,
    }
}
