//! Optimality by exhaustive search: on random micro instances (at most 8 requests,
//! 3 vacations, 2 rooms), the solver's per-class counts (level 1) and per-class fairness
//! (level 2: smallest company ratio, then their sum) equal the best found by enumerating
//! every set of scheduled requests, every room allocation and every assignment. The
//! enumeration shares no code with the solver: it only uses the validator's
//! per-appointment check.

use convoplan::model::{Instance, Mode};
use convoplan::plan::{self, validate::appointment_allowed};
use convoplan::proto;
use convoplan::solver::SolveOptions;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A random micro instance.
fn micro(seed: u64) -> proto::Instance {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let two_centres = rng.random_bool(0.5);
    let mut centres = vec![proto::Centre {
        id: "C1".into(),
        name: "One".into(),
        rooms: vec![proto::Room {
            id: "R1".into(),
            equipment: if rng.random_bool(0.4) {
                vec!["audiometry".into()]
            } else {
                vec![]
            },
        }],
    }];
    let second_room = proto::Room {
        id: "R2".into(),
        equipment: vec![],
    };
    if two_centres {
        centres.push(proto::Centre {
            id: "C2".into(),
            name: "Two".into(),
            rooms: vec![second_room],
        });
    } else if rng.random_bool(0.6) {
        centres[0].rooms.push(second_room);
    }
    let professionals = vec![
        proto::Professional {
            id: "D".into(),
            role: proto::Role::Doctor as i32,
            ..Default::default()
        },
        proto::Professional {
            id: "N".into(),
            role: proto::Role::Nurse as i32,
            ..Default::default()
        },
        proto::Professional {
            id: "N2".into(),
            role: proto::Role::Nurse as i32,
            qualified_kinds: vec!["vip_initiale".into(), "vip_periodique".into()],
            ..Default::default()
        },
    ];
    let nv = rng.random_range(1..=3);
    let mut vacations = Vec::new();
    for i in 0..nv {
        // Professional per vacation; the same professional's vacations never overlap.
        let prof = if i == 2 {
            "D"
        } else if i == 1 {
            "N"
        } else if rng.random_bool(0.5) {
            "D"
        } else {
            "N2"
        };
        let start = if i == 2 {
            12 * 60
        } else {
            9 * 60 + rng.random_range(0..3) * 15
        };
        let len = rng.random_range(2..=6) * 15;
        let remote = rng.random_bool(0.15);
        let centre_ids: Vec<String> = if remote {
            vec![]
        } else if two_centres && rng.random_bool(0.4) {
            vec!["C1".into(), "C2".into()]
        } else if two_centres && rng.random_bool(0.5) {
            vec!["C2".into()]
        } else {
            vec!["C1".into()]
        };
        let modes = if remote {
            vec![]
        } else if rng.random_bool(0.4) {
            vec![
                proto::Mode::InPerson as i32,
                proto::Mode::Teleconsultation as i32,
            ]
        } else {
            vec![]
        };
        vacations.push(proto::Vacation {
            id: format!("V{i}"),
            professional_id: prof.into(),
            date: "2026-11-30".into(),
            start: format!("{:02}:{:02}", start / 60, start % 60),
            end: format!("{:02}:{:02}", (start + len) / 60, (start + len) % 60),
            centre_ids,
            modes,
            max_appointments: if rng.random_bool(0.15) { 1 } else { 0 },
        });
    }
    let ncomp = rng.random_range(1..=3);
    let companies = (0..ncomp)
        .map(|k| proto::Company {
            id: format!("E{k}"),
            headcount: 5,
            ..Default::default()
        })
        .collect();
    let kinds = ["reprise", "demande", "vip_initiale", "vip_periodique"];
    let nr = rng.random_range(1..=8);
    let requests = (0..nr)
        .map(|i| {
            let kind = kinds[rng.random_range(0..kinds.len())];
            let due = match rng.random_range(0..3) {
                0 => "2026-11-20".to_string(),
                1 => "2026-11-30".to_string(),
                _ => String::new(),
            };
            let equipment = if rng.random_bool(0.2) {
                vec!["audiometry".into()]
            } else {
                vec![]
            };
            let modes = match rng.random_range(0..4) {
                0 if equipment.is_empty() => vec![proto::Mode::Teleconsultation as i32],
                1 => vec![proto::Mode::InPerson as i32],
                _ => vec![],
            };
            let allowed = if two_centres && rng.random_bool(0.3) {
                vec!["C2".to_string()]
            } else {
                vec![]
            };
            proto::VisitRequest {
                id: format!("r{i}"),
                worker_id: format!("W{i}"),
                company_id: format!("E{}", rng.random_range(0..ncomp)),
                kind: kind.into(),
                due_date: due,
                equipment,
                modes,
                allowed_centre_ids: allowed,
                duration_minutes: if rng.random_bool(0.3) { 20 } else { 0 },
                ..Default::default()
            }
        })
        .collect();
    proto::Instance {
        name: format!("micro {seed}"),
        horizon: Some(proto::Horizon {
            start_date: "2026-11-30".into(),
            days: 1,
        }),
        centres,
        professionals,
        vacations,
        companies,
        requests,
        ..Default::default()
    }
}

/// Level-1 counts then (min ratio, sum of ratios) per class of a set of scheduled requests.
fn score_of(inst: &Instance, scheduled: &[bool]) -> (Vec<u32>, Vec<f64>) {
    let mut counts = vec![0; inst.classes.len()];
    let mut fairness = Vec::new();
    for (c, _) in inst.classes.iter().enumerate() {
        let mut by_company = std::collections::BTreeMap::<usize, (f64, f64)>::new();
        for (r, req) in inst.requests.iter().enumerate() {
            if req.class_index == c {
                let e = by_company.entry(req.company).or_default();
                e.0 += 1.0;
                if scheduled[r] {
                    e.1 += 1.0;
                    counts[c] += 1;
                }
            }
        }
        let ratios: Vec<f64> = by_company.values().map(|(p, s)| s / p).collect();
        fairness.push(ratios.iter().copied().fold(f64::INFINITY, f64::min));
        fairness.push(ratios.iter().sum());
    }
    (counts, fairness)
}

/// True when `a` is lexicographically better than `b`.
fn better(a: &(Vec<u32>, Vec<f64>), b: &(Vec<u32>, Vec<f64>)) -> bool {
    if a.0 != b.0 {
        return a.0 > b.0;
    }
    for (x, y) in a.1.iter().zip(&b.1) {
        if (x - y).abs() > 1e-9 {
            return x > y;
        }
    }
    false
}

/// Can every request of `set` be placed, given each vacation's room?
fn assignable(
    inst: &Instance,
    set: &[usize],
    rooms: &[Option<usize>],
    used: &mut [u32],
    count: &mut [u32],
) -> bool {
    let Some((&r, rest)) = set.split_first() else {
        return true;
    };
    for (v, vac) in inst.vacations.iter().enumerate() {
        if vac.needs_room() && rooms[v].is_none() {
            continue;
        }
        let minutes = inst.requests[r].minutes(inst.professionals[vac.professional].role);
        if used[v] + minutes > vac.minutes() || vac.max_appointments.is_some_and(|m| count[v] >= m)
        {
            continue;
        }
        for mode in [Mode::InPerson, Mode::Teleconsultation] {
            if appointment_allowed(inst, r, v, mode, rooms[v]) {
                used[v] += minutes;
                count[v] += 1;
                let ok = assignable(inst, rest, rooms, used, count);
                used[v] -= minutes;
                count[v] -= 1;
                if ok {
                    return true;
                }
                break;
            }
        }
    }
    false
}

/// Every room allocation: each centre vacation holds one room of its centres or none;
/// overlapping vacations never share one.
fn room_allocations(inst: &Instance) -> Vec<Vec<Option<usize>>> {
    let mut out = vec![Vec::new()];
    for vac in &inst.vacations {
        let mut choices = vec![None];
        if vac.needs_room() {
            for &c in &vac.centres {
                choices.extend(inst.centres[c].rooms.iter().map(|&k| Some(k)));
            }
        }
        out = out
            .into_iter()
            .flat_map(|prefix: Vec<Option<usize>>| {
                choices.iter().map(move |&ch| {
                    let mut p = prefix.clone();
                    p.push(ch);
                    p
                })
            })
            .collect();
    }
    out.retain(|alloc| {
        (0..alloc.len()).all(|a| {
            (a + 1..alloc.len()).all(|b| {
                let (x, y) = (&inst.vacations[a], &inst.vacations[b]);
                alloc[a].is_none() || alloc[a] != alloc[b] || x.end <= y.start || y.end <= x.start
            })
        })
    });
    out
}

/// The best score over every feasible set of scheduled requests.
fn best_by_enumeration(inst: &Instance) -> (Vec<u32>, Vec<f64>) {
    let n = inst.requests.len();
    let allocs = room_allocations(inst);
    let mut feasible = vec![false; 1 << n];
    let mut best = score_of(inst, &vec![false; n]);
    for mask in 0usize..(1 << n) {
        // A set is feasible only if every set with one request less is.
        let subsets_ok = (0..n).all(|i| mask & (1 << i) == 0 || feasible[mask & !(1 << i)]);
        if mask != 0 && !subsets_ok {
            continue;
        }
        let set: Vec<usize> = (0..n).filter(|i| mask & (1 << i) != 0).collect();
        let nv = inst.vacations.len();
        feasible[mask] = allocs
            .iter()
            .any(|a| assignable(inst, &set, a, &mut vec![0; nv], &mut vec![0; nv]));
        if feasible[mask] {
            let scheduled: Vec<bool> = (0..n).map(|i| mask & (1 << i) != 0).collect();
            let s = score_of(inst, &scheduled);
            if better(&s, &best) {
                best = s;
            }
        }
    }
    best
}

#[test]
fn solver_matches_exhaustive_search_on_micro_instances() {
    let mut nontrivial = 0;
    for seed in 0..240 {
        let wire = micro(seed);
        let inst = Instance::from_proto(&wire).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        let plan = plan::solve_plan(&inst, &SolveOptions::default());
        let violations = plan::validate(&inst, &plan);
        assert!(violations.is_empty(), "seed {seed}: {violations:?}");
        let report = plan.solver_report.clone().unwrap_or_default();
        assert!(report.level1_optimal, "seed {seed}: level 1 not proven");
        let expected = best_by_enumeration(&inst);
        let scheduled: Vec<bool> = {
            let ids: std::collections::HashSet<&str> = plan
                .appointments
                .iter()
                .map(|a| a.request_id.as_str())
                .collect();
            inst.requests
                .iter()
                .map(|r| ids.contains(r.id.as_str()))
                .collect()
        };
        let got = score_of(&inst, &scheduled);
        assert_eq!(got.0, expected.0, "seed {seed}: class counts");
        for (i, (g, e)) in got.1.iter().zip(&expected.1).enumerate() {
            assert!(
                (g - e).abs() < 1e-6,
                "seed {seed}: fairness {i}: got {:?} expected {:?}",
                got.1,
                expected.1
            );
        }
        // The plan's own score says the same.
        let score = plan.score.clone().unwrap_or_default();
        let counts: Vec<u32> = score.classes.iter().map(|c| c.scheduled).collect();
        assert_eq!(counts, expected.0, "seed {seed}: plan score");
        if expected.0.iter().sum::<u32>() < inst.requests.len() as u32 {
            nontrivial += 1;
        }
    }
    // Capacity must bind on many seeds for the test to mean something.
    assert!(
        nontrivial >= 100,
        "only {nontrivial} seeds where capacity binds"
    );
}

#[test]
fn enumeration_finds_the_known_optimum_of_a_hand_instance() {
    // One 60-minute vacation, three 25-minute requests of one class and two companies:
    // two fit, one per company (min ratio 1/2 for the company with two requests).
    let mut wire = micro(0);
    wire.centres = vec![proto::Centre {
        id: "C1".into(),
        name: "One".into(),
        rooms: vec![proto::Room {
            id: "R1".into(),
            equipment: vec![],
        }],
    }];
    wire.vacations = vec![proto::Vacation {
        id: "V".into(),
        professional_id: "N".into(),
        date: "2026-11-30".into(),
        start: "09:00".into(),
        end: "10:00".into(),
        centre_ids: vec!["C1".into()],
        ..Default::default()
    }];
    wire.companies = (0..2)
        .map(|k| proto::Company {
            id: format!("E{k}"),
            headcount: 1,
            ..Default::default()
        })
        .collect();
    wire.requests = ["E0", "E0", "E1"]
        .iter()
        .enumerate()
        .map(|(i, c)| proto::VisitRequest {
            id: format!("r{i}"),
            worker_id: format!("W{i}"),
            company_id: (*c).into(),
            kind: "vip_initiale".into(),
            ..Default::default()
        })
        .collect();
    let inst = Instance::from_proto(&wire).expect("valid");
    let best = best_by_enumeration(&inst);
    assert_eq!(best.0, vec![2]);
    assert!(
        (best.1[0] - 0.5).abs() < 1e-9 && (best.1[1] - 1.5).abs() < 1e-9,
        "{:?}",
        best.1
    );
    let plan = plan::solve_plan(&inst, &SolveOptions::default());
    let score = plan.score.unwrap_or_default();
    assert_eq!(score.classes[0].scheduled, 2);
    assert!((score.classes[0].min_company_ratio - 0.5).abs() < 1e-9);
}
