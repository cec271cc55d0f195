//! Re-optimisation: an unchanged instance gives an empty diff; after a one-day absence,
//! the whole week re-solved on request has the level 1 of a full solve of the changed
//! instance, appointments outside the
//! absent professional's day are kept unless a higher-class request needed their place,
//! and appointments before the freeze limit are untouched. Every plan passes the validator.

use chrono::NaiveDateTime;
use convoplan::generate::{generate, Preset};
use convoplan::model::Instance;
use convoplan::plan::{self, reoptimize::parse_freeze_until};
use convoplan::proto;
use convoplan::solver::SolveOptions;
use std::collections::{HashMap, HashSet};

fn solve(wire: &proto::Instance) -> (Instance, proto::Plan) {
    let inst = Instance::from_proto(wire).expect("valid instance");
    let plan = plan::solve_plan(&inst, &SolveOptions::default());
    assert!(plan::validate(&inst, &plan).is_empty(), "invalid plan");
    (inst, plan)
}

fn counts(plan: &proto::Plan) -> Vec<u32> {
    plan.score
        .as_ref()
        .map(|s| s.classes.iter().map(|c| c.scheduled).collect())
        .unwrap_or_default()
}

/// The changed instance: the professional of the middle appointment is absent that day.
fn with_absence(wire: &proto::Instance, plan: &proto::Plan) -> (proto::Instance, String, String) {
    let a = &plan.appointments[plan.appointments.len() / 2];
    let mut changed = wire.clone();
    changed.absences.push(proto::Absence {
        professional_id: a.professional_id.clone(),
        from: a.date.clone(),
        to: a.date.clone(),
    });
    (changed, a.professional_id.clone(), a.date.clone())
}

#[test]
fn unchanged_instance_gives_an_empty_diff() {
    for seed in 1..=3 {
        let wire = generate(Preset::Small, seed);
        let (inst, first) = solve(&wire);
        let (again, diff) = plan::reoptimize_plan(&inst, &first, None, &SolveOptions::default());
        assert!(plan::validate(&inst, &again).is_empty(), "seed {seed}");
        assert_eq!(diff.kept.len(), first.appointments.len(), "seed {seed}");
        assert!(
            diff.moved.is_empty() && diff.cancelled.is_empty() && diff.added.is_empty(),
            "seed {seed}: {diff:?}"
        );
    }
}

#[test]
fn absence_moves_only_what_higher_classes_need() {
    for seed in 1..=3 {
        let wire = generate(Preset::Small, seed);
        let (_, first) = solve(&wire);
        let (changed, professional, date) = with_absence(&wire, &first);
        let (inst, full) = solve(&changed);
        // The whole week re-solved: level 1 as a full solve's (the default, the
        // neighbourhood of the change, moves an appointment only for a higher class).
        let whole = SolveOptions {
            reopt_whole_week: true,
            ..SolveOptions::default()
        };
        let (re, diff) = plan::reoptimize_plan(&inst, &first, None, &whole);
        assert!(plan::validate(&inst, &re).is_empty(), "seed {seed}");
        // Level 1 comes first: the same class counts as a full solve of the changed week.
        assert_eq!(counts(&re), counts(&full), "seed {seed}: level 1");
        let class_of = |id: &str| inst.requests[inst.index.requests[id]].class_index;
        let displaced: HashSet<&str> = first
            .appointments
            .iter()
            .filter(|a| a.professional_id == professional && a.date == date)
            .map(|a| a.request_id.as_str())
            .collect();
        assert!(!displaced.is_empty());
        // Requests that gained a place: displaced ones re-placed, or ones not planned before.
        let before: HashSet<&str> = first
            .appointments
            .iter()
            .map(|a| a.request_id.as_str())
            .collect();
        let gained: Vec<usize> = re
            .appointments
            .iter()
            .filter(|a| {
                displaced.contains(a.request_id.as_str()) || !before.contains(a.request_id.as_str())
            })
            .map(|a| class_of(&a.request_id))
            .collect();
        // An appointment outside the absent day is cancelled only to make room for a request
        // of a higher class; it is moved (still planned) only when level 1 gained a request
        // (which, the class counts being lexicographic, may be of any class).
        let touched = diff
            .moved
            .iter()
            .map(|m| (m.request_id.as_str(), true))
            .chain(
                diff.cancelled
                    .iter()
                    .map(|c| (c.request_id.as_str(), false)),
            );
        for (id, still_planned) in touched {
            if displaced.contains(id) {
                continue;
            }
            let c = class_of(id);
            let reason = gained.iter().any(|&g| g < c || still_planned);
            assert!(reason, "seed {seed}: {id} (class {c}) touched without need");
        }
        // Displaced requests are re-placed in class order where capacity allows: none is
        // left out while a displaced request of a lower class with the same options gets in.
        let planned: HashMap<&str, &proto::Appointment> = re
            .appointments
            .iter()
            .map(|a| (a.request_id.as_str(), a))
            .collect();
        for &out in displaced.iter().filter(|id| !planned.contains_key(*id)) {
            let r = inst.index.requests[out];
            for &inn in displaced.iter().filter(|id| planned.contains_key(*id)) {
                let q = inst.index.requests[inn];
                let same_needs = inst.requests[r].kind == inst.requests[q].kind
                    && inst.requests[r].allowed_centres == inst.requests[q].allowed_centres
                    && inst.requests[r].equipment == inst.requests[q].equipment;
                assert!(
                    !(same_needs && class_of(inn) > class_of(out)),
                    "seed {seed}: {out} left out while {inn} of a lower class got in"
                );
            }
        }
    }
}

#[test]
fn appointments_before_the_freeze_limit_are_untouched() {
    for seed in 1..=3 {
        let wire = generate(Preset::Small, seed);
        let (_, first) = solve(&wire);
        let (changed, _, _) = with_absence(&wire, &first);
        let inst = Instance::from_proto(&changed).expect("valid");
        // Freeze the first half of the week's appointments.
        let mut starts: Vec<String> = first
            .appointments
            .iter()
            .map(|a| format!("{}T{}", a.date, a.start))
            .collect();
        starts.sort();
        let limit_text = starts[starts.len() / 2].clone();
        let limit: NaiveDateTime = parse_freeze_until(&limit_text)
            .expect("readable")
            .expect("set");
        let (re, diff) =
            plan::reoptimize_plan(&inst, &first, Some(limit), &SolveOptions::default());
        assert!(plan::validate(&inst, &re).is_empty(), "seed {seed}");
        let kept: HashSet<&str> = diff.kept.iter().map(String::as_str).collect();
        for a in &first.appointments {
            let starts_before = format!("{}T{}", a.date, a.start) < limit_text;
            let vacation_alive = inst
                .index
                .vacations
                .get(&a.vacation_id)
                .is_some_and(|&v| !inst.vacations[v].cancelled);
            if starts_before && vacation_alive {
                assert!(
                    kept.contains(a.request_id.as_str()),
                    "seed {seed}: frozen {} touched",
                    a.request_id
                );
            }
        }
    }
}

#[test]
fn unreadable_freeze_limits_are_refused() {
    assert!(parse_freeze_until("").expect("empty is none").is_none());
    assert!(parse_freeze_until("2026-12-01T10:30")
        .expect("readable")
        .is_some());
    assert!(parse_freeze_until("2026-12-01")
        .expect("a date alone")
        .is_some());
    let err = parse_freeze_until("tomorrow").expect_err("unreadable");
    assert!(err.to_string().starts_with("freezeUntil:"));
}
