//! Re-optimisation after the other changes a centre manager meets (issue 4): a new urgent
//! request, withdrawn requests, a closed room. Each runs over the neighbourhood of the
//! change, forced on the small preset (a week that small is otherwise re-solved whole), and
//! is checked against the neighbourhood's rule from the outside: an appointment that is not
//! kept exactly was of a lower class than a touched request that could use its vacation.

mod common;

use chrono::{Duration, NaiveDate};
use common::reopt_checks::{gap_lengths, minutes};
use convoplan::generate::{generate, Preset};
use convoplan::model::Instance;
use convoplan::plan;
use convoplan::proto;
use convoplan::solver::compat;
use convoplan::solver::SolveOptions;
use std::collections::{HashMap, HashSet};

const SEEDS: std::ops::RangeInclusive<u64> = 1..=10;

fn neighbourhood_only() -> SolveOptions {
    SolveOptions {
        reopt_whole_week: false,
        ..SolveOptions::default()
    }
}

/// A small week and its plan.
fn week(seed: u64) -> (proto::Instance, proto::Plan) {
    let wire = generate(Preset::Small, seed);
    let inst = Instance::from_proto(&wire).expect("valid instance");
    let plan = plan::solve_plan(&inst, &SolveOptions::default());
    assert!(
        plan::validate(&inst, &plan).is_empty(),
        "seed {seed}: prior"
    );
    (wire, plan)
}

/// Re-optimises `previous` against `changed` over the neighbourhood; checks validity and
/// that the plan says so.
fn reoptimize(
    changed: &proto::Instance,
    previous: &proto::Plan,
    seed: u64,
) -> (Instance, proto::Plan, proto::PlanDiff) {
    let inst = Instance::from_proto(changed).expect("valid changed instance");
    let (re, diff) = plan::reoptimize_plan(&inst, previous, None, &neighbourhood_only());
    let violations = plan::validate(&inst, &re);
    assert!(violations.is_empty(), "seed {seed}: {violations:?}");
    let scope = re
        .solver_report
        .as_ref()
        .and_then(|r| r.reopt_scope)
        .expect("a re-optimisation reports its scope");
    assert!(
        !scope.whole_week,
        "seed {seed}: the neighbourhood was forced"
    );
    (inst, re, diff)
}

/// The previous appointments that changed or disappeared, for requests that still exist.
fn touched_prior<'p>(
    inst: &Instance,
    previous: &'p proto::Plan,
    diff: &proto::PlanDiff,
) -> Vec<&'p proto::Appointment> {
    let kept: HashSet<&str> = diff.kept.iter().map(String::as_str).collect();
    previous
        .appointments
        .iter()
        .filter(|a| !kept.contains(a.request_id.as_str()))
        .filter(|a| inst.index.requests.contains_key(&a.request_id))
        .collect()
}

/// Asserts the neighbourhood's rule for every appointment in `changed` whose request is not
/// in `touched`: some request of `touched` (by id) has an option in its old vacation and a
/// strictly higher class.
fn assert_gave_way_to_a_higher_class(
    inst: &Instance,
    changed: &[&proto::Appointment],
    touched: &HashSet<String>,
    seed: u64,
) {
    let options = compat::compute(inst);
    for a in changed {
        if touched.contains(&a.request_id) {
            continue;
        }
        let class = inst.requests[inst.index.requests[&a.request_id]].class_index;
        let vacation = inst.index.vacations.get(&a.vacation_id).copied();
        let reason = touched.iter().any(|t| {
            inst.index.requests.get(t).is_some_and(|&r| {
                inst.requests[r].class_index < class
                    && options.options[r]
                        .iter()
                        .any(|o| Some(o.vacation) == vacation)
            })
        });
        assert!(
            reason,
            "seed {seed}: {} (class {class}) changed without a higher-class request needing {}",
            a.request_id, a.vacation_id
        );
    }
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

#[test]
fn a_new_urgent_request_takes_a_place_only_from_lower_classes() {
    let mut gave_way = 0;
    for seed in SEEDS {
        let (wire, first) = week(seed);
        let inst = Instance::from_proto(&wire).expect("valid");
        // The twin: a scheduled request of the lowest class, so capacity for its kind exists.
        let twin = first
            .appointments
            .iter()
            .max_by_key(|a| {
                let r = inst.index.requests[&a.request_id];
                (inst.requests[r].class_index, a.request_id.clone())
            })
            .expect("an appointment");
        let mut urgent = wire
            .requests
            .iter()
            .find(|r| r.id == twin.request_id)
            .expect("twin request")
            .clone();
        let start = date(&wire.horizon.as_ref().expect("horizon").start_date);
        urgent.id = "NEW-URGENT".to_string();
        urgent.worker_id = "W-NEW-URGENT".to_string();
        urgent.tier = 1;
        urgent.due_date = (start - Duration::days(5)).format("%Y-%m-%d").to_string();
        urgent.release_date = (start - Duration::days(40)).format("%Y-%m-%d").to_string();
        urgent.unavailable.clear();
        let mut changed = wire.clone();
        changed.requests.push(urgent);
        let (inst, re, diff) = reoptimize(&changed, &first, seed);
        let new = inst.index.requests["NEW-URGENT"];
        let twin_class = inst.requests[inst.index.requests[&twin.request_id]].class_index;
        assert!(
            inst.requests[new].class_index < twin_class,
            "seed {seed}: the new request outranks its twin"
        );
        assert!(
            re.appointments.iter().any(|a| a.request_id == "NEW-URGENT"),
            "seed {seed}: the urgent request is left out while its twin's class held a place"
        );
        assert!(
            diff.added.iter().any(|a| a.request_id == "NEW-URGENT"),
            "seed {seed}: listed as added"
        );
        let touched = HashSet::from(["NEW-URGENT".to_string()]);
        let changed_prior = touched_prior(&inst, &first, &diff);
        eprintln!("seed {seed}: {}", counts(&diff));
        gave_way += changed_prior.len();
        assert_gave_way_to_a_higher_class(&inst, &changed_prior, &touched, seed);
    }
    // The weeks are full: the urgent request must have pushed someone aside somewhere.
    assert!(gave_way > 0, "no seed exercised the rule");
}

fn counts(diff: &proto::PlanDiff) -> String {
    format!(
        "kept {}, moved {}, cancelled {}, added {}",
        diff.kept.len(),
        diff.moved.len(),
        diff.cancelled.len(),
        diff.added.len()
    )
}

#[test]
fn withdrawn_requests_free_places_that_waiting_requests_take_and_nothing_else_moves_but_in_time() {
    for seed in SEEDS {
        let (wire, first) = week(seed);
        let n = first.appointments.len();
        let withdrawn: HashSet<String> = [0, n / 2, n - 1]
            .iter()
            .map(|&i| first.appointments[i].request_id.clone())
            .collect();
        let freed: HashSet<&str> = first
            .appointments
            .iter()
            .filter(|a| withdrawn.contains(&a.request_id))
            .map(|a| a.vacation_id.as_str())
            .collect();
        let mut changed = wire.clone();
        changed.requests.retain(|r| !withdrawn.contains(&r.id));
        let (inst, re, diff) = reoptimize(&changed, &first, seed);
        eprintln!("seed {seed}: {}", counts(&diff));
        let cancelled: HashSet<&str> = diff
            .cancelled
            .iter()
            .map(|c| c.request_id.as_str())
            .collect();
        assert_eq!(
            cancelled,
            withdrawn.iter().map(String::as_str).collect(),
            "seed {seed}: only the withdrawn requests are cancelled"
        );
        assert!(
            diff.cancelled
                .iter()
                .all(|c| c.reason == "request withdrawn"),
            "seed {seed}: {:?}",
            diff.cancelled
        );
        // A kept appointment may only give way in time, within its vacation, where the
        // requests added there fit the minutes the withdrawal freed but not its largest gap
        // (solver/sequence.rs: the knapsack guarantees minutes, not gaps).
        for m in &diff.moved {
            let (Some(from), Some(to)) = (&m.from, &m.to) else {
                panic!("seed {seed}: {} moved out or in: {m:?}", m.request_id);
            };
            assert!(
                from.vacation_id == to.vacation_id && from.room_id == to.room_id,
                "seed {seed}: {} changed vacation or room: {m:?}",
                m.request_id
            );
            let v = from.vacation_id.as_str();
            assert!(
                freed.contains(v),
                "seed {seed}: {} retimed in {v}, which the change did not free",
                m.request_id
            );
            let added: u32 = diff
                .added
                .iter()
                .filter(|a| a.vacation_id == v)
                .map(|a| minutes(&a.end) - minutes(&a.start))
                .sum();
            let gap = largest_gap(&inst, &first, v, &withdrawn);
            assert!(
                added > gap,
                "seed {seed}: {} retimed although the {added} minutes added in {v} fit its \
                 largest gap ({gap} minutes)",
                m.request_id
            );
        }
        for a in &diff.added {
            assert!(
                freed.contains(a.vacation_id.as_str()),
                "seed {seed}: {} added in {}, which the change did not free",
                a.request_id,
                a.vacation_id
            );
        }
        // Refilled as far as capacity allows: no waiting request still fits in the minutes
        // left in a freed vacation (with the room it holds).
        let options = compat::compute(&inst);
        let planned: HashSet<&str> = re
            .appointments
            .iter()
            .map(|a| a.request_id.as_str())
            .collect();
        let mut used: HashMap<&str, (u32, u32, &str)> = HashMap::new();
        for a in &re.appointments {
            let e = used.entry(a.vacation_id.as_str()).or_insert((0, 0, ""));
            e.0 += minutes(&a.end) - minutes(&a.start);
            e.1 += 1;
            if !a.room_id.is_empty() {
                e.2 = a.room_id.as_str();
            }
        }
        for (r, request) in inst.requests.iter().enumerate() {
            if planned.contains(request.id.as_str()) {
                continue;
            }
            for o in &options.options[r] {
                let vac = &inst.vacations[o.vacation];
                if !freed.contains(vac.id.as_str()) {
                    continue;
                }
                let Some(&(minutes_used, count, room)) = used.get(vac.id.as_str()) else {
                    continue;
                };
                let room_ok = o.tele
                    || !vac.needs_room()
                    || inst
                        .index
                        .rooms
                        .get(room)
                        .is_some_and(|k| o.rooms.contains(k));
                let fits = minutes_used + o.minutes <= vac.minutes()
                    && vac.max_appointments.is_none_or(|m| count < m);
                assert!(
                    !(room_ok && fits),
                    "seed {seed}: {} waits while {} has {} minutes free",
                    request.id,
                    vac.id,
                    vac.minutes() - minutes_used
                );
            }
        }
    }
}

/// Longest free stretch of vacation `vacation_id` in `plan`, the `gone` requests' appointments
/// removed.
fn largest_gap(
    inst: &Instance,
    plan: &proto::Plan,
    vacation_id: &str,
    gone: &HashSet<String>,
) -> u32 {
    let vac = &inst.vacations[inst.index.vacations[vacation_id]];
    let busy: Vec<(u32, u32)> = plan
        .appointments
        .iter()
        .filter(|a| a.vacation_id == vacation_id && !gone.contains(&a.request_id))
        .map(|a| (minutes(&a.start), minutes(&a.end)))
        .collect();
    gap_lengths(vac.start, vac.end, busy)
        .into_iter()
        .max()
        .unwrap_or(0)
}

#[test]
fn a_closed_room_moves_its_appointments_and_only_lower_classes_for_them() {
    for seed in SEEDS {
        // Every centre gets a second room (the small preset has one per centre), so that
        // closing one leaves its vacations somewhere to go.
        let mut wire = generate(Preset::Small, seed);
        for c in &mut wire.centres {
            let mut twin = c.rooms[0].clone();
            twin.id = format!("{}-bis", twin.id);
            c.rooms.push(twin);
        }
        let inst = Instance::from_proto(&wire).expect("valid instance");
        let first = plan::solve_plan(&inst, &SolveOptions::default());
        assert!(
            plan::validate(&inst, &first).is_empty(),
            "seed {seed}: prior"
        );
        // The room holding the most appointments closes.
        let mut per_room: HashMap<&str, usize> = HashMap::new();
        for a in first.appointments.iter().filter(|a| !a.room_id.is_empty()) {
            *per_room.entry(a.room_id.as_str()).or_default() += 1;
        }
        let Some((&room, _)) = per_room.iter().max_by_key(|&(id, n)| (*n, *id)) else {
            continue;
        };
        let mut changed = wire.clone();
        for c in &mut changed.centres {
            c.rooms.retain(|r| r.id != room);
        }
        let (inst, re, diff) = reoptimize(&changed, &first, seed);
        assert!(
            re.appointments.iter().all(|a| a.room_id != room),
            "seed {seed}: the closed room is used"
        );
        let displaced: HashSet<String> = first
            .appointments
            .iter()
            .filter(|a| a.room_id == room)
            .map(|a| a.request_id.clone())
            .collect();
        let changed_prior = touched_prior(&inst, &first, &diff);
        eprintln!("seed {seed}: {}", counts(&diff));
        // Everyone else in the closed room's vacations had to change too (same vacation,
        // new room), so they count as touched.
        let closed_vacations: HashSet<&str> = first
            .appointments
            .iter()
            .filter(|a| a.room_id == room)
            .map(|a| a.vacation_id.as_str())
            .collect();
        let touched: HashSet<String> = first
            .appointments
            .iter()
            .filter(|a| closed_vacations.contains(a.vacation_id.as_str()))
            .map(|a| a.request_id.clone())
            .chain(displaced)
            .collect();
        assert_gave_way_to_a_higher_class(&inst, &changed_prior, &touched, seed);
    }
}
