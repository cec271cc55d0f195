//! Re-optimisation on the ciamt-week instance (issue 4, "Done when"): one professional is
//! absent for the weekday on which they hold the most appointments of a plan already sent
//! out. The checks are independent of the solver: they read only the plans, the diff, the
//! instance and the compatibility options.
//!
//! - Against its own unchanged instance, the re-optimised plan has an empty diff.
//! - Outside the absent professional's day, an appointment is kept exactly, or its old
//!   place is now used by a newcomer (of a strictly higher class for a cancellation).
//! - A displaced request left out could not have taken any of its options by removing only
//!   appointments of lower classes.
//! - Appointments before the freeze limit whose vacation still exists are kept.
//!
//! The generated week, the prior plan and each re-optimisation are computed once per test
//! binary and shared by the tests.

use chrono::{Datelike, NaiveDateTime, Weekday};
use convoplan::generate::{generate, Preset};
use convoplan::model::Instance;
use convoplan::plan::{self, reoptimize::parse_freeze_until};
use convoplan::proto;
use convoplan::solver::{compat, SolveOptions};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;
use std::time::Instant;

/// Time limit of the prior plan's solve (any valid plan is a plan already sent out).
const PRIOR_LIMIT_SECONDS: f64 = 20.0;
/// Time limit of each re-optimisation.
const REOPT_LIMIT_SECONDS: f64 = 60.0;
/// Failures listed in full in an assertion message (the count is always given).
const LISTED_FAILURES: usize = 25;

/// The week, the plan already sent out, and the week with one professional-day absent.
struct Fixture {
    /// The unchanged week.
    inst: Instance,
    /// The plan already sent out (solved on the unchanged week).
    prior: proto::Plan,
    /// The absent professional's id.
    absent_professional: String,
    /// The absent day, "YYYY-MM-DD".
    absent_date: String,
    /// The week with the absence.
    changed: Instance,
}

/// A re-optimised plan and its diff from the prior plan.
struct Reopt {
    plan: proto::Plan,
    diff: proto::PlanDiff,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let wire = generate(Preset::CiamtWeek, 1);
        let inst = Instance::from_proto(&wire).expect("ciamt-week is a valid instance");
        let started = Instant::now();
        let prior = plan::solve_plan(
            &inst,
            &SolveOptions {
                time_limit_seconds: Some(PRIOR_LIMIT_SECONDS),
                ..Default::default()
            },
        );
        eprintln!(
            "prior plan: {:.1} s, {} appointments, {} requests",
            started.elapsed().as_secs_f64(),
            prior.appointments.len(),
            inst.requests.len()
        );
        let violations = plan::validate(&inst, &prior);
        assert!(
            violations.is_empty(),
            "the prior plan is invalid: {:?}",
            &violations[..violations.len().min(LISTED_FAILURES)]
        );
        // The professional-day (weekday) holding the most appointments; ties: smallest
        // (professional id, date).
        let mut per_day: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for a in &prior.appointments {
            let weekday = chrono::NaiveDate::parse_from_str(&a.date, "%Y-%m-%d")
                .expect("appointment date")
                .weekday();
            if !matches!(weekday, Weekday::Sat | Weekday::Sun) {
                *per_day
                    .entry((a.professional_id.as_str(), a.date.as_str()))
                    .or_default() += 1;
            }
        }
        let (&(professional, date), &count) = per_day
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .expect("the prior plan holds weekday appointments");
        eprintln!("absence: professional {professional} on {date} ({count} appointments)");
        let mut changed_wire = wire.clone();
        changed_wire.absences.push(proto::Absence {
            professional_id: professional.to_string(),
            from: date.to_string(),
            to: date.to_string(),
        });
        let changed = Instance::from_proto(&changed_wire).expect("the changed week is valid");
        Fixture {
            absent_professional: professional.to_string(),
            absent_date: date.to_string(),
            inst,
            prior,
            changed,
        }
    })
}

/// Re-optimises the prior plan against `inst`, printing the time and the diff counts.
fn reoptimize(label: &str, inst: &Instance, freeze: Option<NaiveDateTime>) -> Reopt {
    let f = fixture();
    let started = Instant::now();
    let (plan, diff) = plan::reoptimize_plan(
        inst,
        &f.prior,
        freeze,
        &SolveOptions {
            time_limit_seconds: Some(REOPT_LIMIT_SECONDS),
            ..Default::default()
        },
    );
    eprintln!(
        "re-optimisation ({label}): {:.1} s ({}), kept {}, moved {}, cancelled {}, added {}; \
         {} appointments",
        started.elapsed().as_secs_f64(),
        report_summary(&plan),
        diff.kept.len(),
        diff.moved.len(),
        diff.cancelled.len(),
        diff.added.len(),
        plan.appointments.len()
    );
    Reopt { plan, diff }
}

/// Status, level-1 proof and stage statuses of a plan's solver report, for the run log.
fn report_summary(plan: &proto::Plan) -> String {
    let Some(r) = plan.solver_report.as_ref() else {
        return "no solver report".to_string();
    };
    let status = proto::SolveStatus::try_from(r.status)
        .map(|s| s.as_str_name().to_string())
        .unwrap_or_else(|_| r.status.to_string());
    let mut stages: BTreeMap<&str, u32> = BTreeMap::new();
    for s in &r.stages {
        *stages.entry(s.status.as_str()).or_default() += 1;
    }
    // The stages that did not close at once, and the re-optimisation's own (R*) stages.
    let notable: Vec<String> = r
        .stages
        .iter()
        .filter(|s| {
            s.name.starts_with('R') || !matches!(s.status.as_str(), "bound" | "skipped" | "optimal")
        })
        .map(|s| format!("{}: {} {:.1} s", s.name, s.status, s.seconds))
        .collect();
    format!(
        "{status}, level 1 {}, {} columns, stages {stages:?} [{}]",
        if r.level1_optimal {
            "proven"
        } else {
            "not proven"
        },
        r.variables,
        notable.join("; ")
    )
}

/// The prior plan re-optimised against its own unchanged week.
fn unchanged() -> &'static Reopt {
    static R: OnceLock<Reopt> = OnceLock::new();
    R.get_or_init(|| reoptimize("unchanged week", &fixture().inst, None))
}

/// The prior plan re-optimised after the absence, without a freeze limit.
fn after_absence() -> &'static Reopt {
    static R: OnceLock<Reopt> = OnceLock::new();
    R.get_or_init(|| reoptimize("absence", &fixture().changed, None))
}

/// The freeze limit: the absent day at 12:00.
fn freeze_limit() -> NaiveDateTime {
    parse_freeze_until(&format!("{}T12:00", fixture().absent_date))
        .expect("readable")
        .expect("set")
}

/// The prior plan re-optimised after the absence, frozen until the absent day at noon.
fn after_absence_frozen() -> &'static Reopt {
    static R: OnceLock<Reopt> = OnceLock::new();
    R.get_or_init(|| reoptimize("absence, frozen", &fixture().changed, Some(freeze_limit())))
}

/// Minutes from midnight of "HH:MM".
fn minutes(hhmm: &str) -> u32 {
    let (h, m) = hhmm.split_once(':').expect("HH:MM");
    h.parse::<u32>().expect("hours") * 60 + m.parse::<u32>().expect("minutes")
}

/// `[start, end)` of an appointment, in minutes.
fn span(a: &proto::Appointment) -> (u32, u32) {
    (minutes(&a.start), minutes(&a.end))
}

fn overlaps(a: (u32, u32), b: (u32, u32)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// "class N (tier T, urgency U)" of a request.
fn class_label(inst: &Instance, request_id: &str) -> String {
    let r = &inst.requests[inst.index.requests[request_id]];
    format!(
        "class {} (tier {}, {:?})",
        r.class_index, r.class.tier, r.class.urgency
    )
}

fn class_of(inst: &Instance, request_id: &str) -> usize {
    inst.requests[inst.index.requests[request_id]].class_index
}

/// Room held by each vacation id in a plan (room allocations, else its appointments).
fn rooms_held(plan: &proto::Plan) -> HashMap<&str, &str> {
    let mut out: HashMap<&str, &str> = HashMap::new();
    for a in &plan.appointments {
        if !a.room_id.is_empty() {
            out.insert(a.vacation_id.as_str(), a.room_id.as_str());
        }
    }
    for r in &plan.room_allocations {
        if !r.room_id.is_empty() {
            out.insert(r.vacation_id.as_str(), r.room_id.as_str());
        }
    }
    out
}

fn by_request(plan: &proto::Plan) -> HashMap<&str, &proto::Appointment> {
    plan.appointments
        .iter()
        .map(|a| (a.request_id.as_str(), a))
        .collect()
}

/// Asserts that a plan passes the validator.
fn assert_valid(inst: &Instance, plan: &proto::Plan, label: &str) {
    let violations = plan::validate(inst, plan);
    assert!(
        violations.is_empty(),
        "{label}: {} violations, first ones: {:?}",
        violations.len(),
        &violations[..violations.len().min(LISTED_FAILURES)]
    );
}

/// Asserts that no failure was collected, listing the first ones.
fn assert_no_failures(failures: &[String], what: &str) {
    assert!(
        failures.is_empty(),
        "{} {what}:\n{}",
        failures.len(),
        failures[..failures.len().min(LISTED_FAILURES)].join("\n")
    );
}

/// "vacation date start-end mode room" of an appointment, for messages.
fn place(a: &proto::Appointment) -> String {
    let mode = proto::Mode::try_from(a.mode)
        .map(|m| m.as_str_name().to_string())
        .unwrap_or_else(|_| a.mode.to_string());
    format!(
        "{} {} {}-{} {mode} room {:?}",
        a.vacation_id, a.date, a.start, a.end, a.room_id
    )
}

/// True when the two appointments are the same in every respect a worker sees.
fn same_place(a: &proto::Appointment, b: &proto::Appointment) -> bool {
    a.vacation_id == b.vacation_id
        && a.professional_id == b.professional_id
        && a.date == b.date
        && a.start == b.start
        && a.end == b.end
        && a.mode == b.mode
        && a.room_id == b.room_id
}

/// Class counts (level 1) of a plan, in class order.
fn counts(plan: &proto::Plan) -> Vec<u32> {
    plan.score
        .as_ref()
        .map(|s| s.classes.iter().map(|c| c.scheduled).collect())
        .unwrap_or_default()
}

/// How the level 1 of `new` compares with that of `prior`, for messages.
fn level1_change(prior: &proto::Plan, new: &proto::Plan) -> String {
    let (a, b) = (counts(prior), counts(new));
    match a.iter().zip(&b).position(|(x, y)| x != y) {
        None => "level 1 unchanged".to_string(),
        Some(c) => format!(
            "level 1 {} at class {c} ({} -> {}); scheduled in all {} -> {}",
            if b[c] > a[c] { "better" } else { "worse" },
            a[c],
            b[c],
            a.iter().sum::<u32>(),
            b.iter().sum::<u32>()
        ),
    }
}

#[test]
fn ciamt_unchanged_week_gives_an_empty_diff() {
    let f = fixture();
    let r = unchanged();
    assert_valid(&f.inst, &r.plan, "unchanged week");
    let level1 = level1_change(&f.prior, &r.plan);
    eprintln!("unchanged week: {level1}");
    let kept: HashSet<&str> = r.diff.kept.iter().map(String::as_str).collect();
    let new = by_request(&r.plan);
    let mut failures = Vec::new();
    for a in &f.prior.appointments {
        let id = a.request_id.as_str();
        let class = class_label(&f.inst, id);
        let what = match new.get(id) {
            Some(n) if same_place(a, n) => None,
            Some(n) => Some(format!("moved from {} to {}", place(a), place(n))),
            None => Some(format!("cancelled from {}", place(a))),
        };
        match (kept.contains(id), what) {
            (true, None) => {}
            (false, None) => failures.push(format!("{id} ({class}): unchanged, not in diff.kept")),
            (_, Some(w)) => failures.push(format!("{id} ({class}): {w}")),
        }
    }
    let before = by_request(&f.prior);
    for n in &r.plan.appointments {
        if !before.contains_key(n.request_id.as_str()) {
            let class = class_label(&f.inst, &n.request_id);
            failures.push(format!("{} ({class}): added at {}", n.request_id, place(n)));
        }
    }
    assert_no_failures(
        &failures,
        &format!("changes re-optimising the unchanged week ({level1})"),
    );
    assert_eq!(
        r.diff.kept.len(),
        f.prior.appointments.len(),
        "diff.kept must hold every prior appointment"
    );
    assert!(
        r.diff.moved.is_empty() && r.diff.cancelled.is_empty() && r.diff.added.is_empty(),
        "the diff of the unchanged week is not empty: moved {}, cancelled {}, added {}",
        r.diff.moved.len(),
        r.diff.cancelled.len(),
        r.diff.added.len()
    );
}

/// A request of the new plan now using the old place of a prior appointment, and how.
struct Newcomer<'p> {
    request_id: &'p str,
    class: usize,
    how: &'static str,
}

/// The requests of the new plan using the old place of prior appointment `a` that were not
/// there in the prior plan:
/// - "slot": at `a`'s old vacation at a time overlapping `a`'s old span, and not at that
///   vacation before;
/// - "capacity": at `a`'s old vacation (any time), not at it before, when `a` would no
///   longer fit there beside the new plan's appointments (minutes or cap);
/// - "room": at a vacation of `a`'s date that now holds `a`'s old room over a span
///   overlapping `a`'s old span, and not in that room that day before.
fn newcomers<'p>(
    inst: &Instance,
    a: &proto::Appointment,
    prior_by_request: &HashMap<&str, &proto::Appointment>,
    new: &'p proto::Plan,
    new_rooms: &HashMap<&str, &str>,
) -> Vec<Newcomer<'p>> {
    let old = span(a);
    let vac = &inst.vacations[inst.index.vacations[&a.vacation_id]];
    // The new plan's appointments at `a`'s old vacation, `a` itself left out.
    let others: Vec<&proto::Appointment> = new
        .appointments
        .iter()
        .filter(|n| n.vacation_id == a.vacation_id && n.request_id != a.request_id)
        .collect();
    let used: u32 = others.iter().map(|n| span(n).1 - span(n).0).sum();
    let full = used + (old.1 - old.0) > vac.minutes()
        || vac
            .max_appointments
            .is_some_and(|m| others.len() as u32 + 1 > m);
    let mut out = Vec::new();
    for n in &new.appointments {
        if n.request_id == a.request_id || n.date != a.date {
            continue;
        }
        let before = prior_by_request.get(n.request_id.as_str());
        let class = class_of(inst, &n.request_id);
        if n.vacation_id == a.vacation_id && before.is_none_or(|b| b.vacation_id != a.vacation_id) {
            let how = if overlaps(span(n), old) {
                Some("slot")
            } else if full {
                Some("capacity")
            } else {
                None
            };
            if let Some(how) = how {
                out.push(Newcomer {
                    request_id: &n.request_id,
                    class,
                    how,
                });
                continue;
            }
        }
        if a.room_id.is_empty()
            || new_rooms.get(n.vacation_id.as_str()) != Some(&a.room_id.as_str())
        {
            continue;
        }
        let w = &inst.vacations[inst.index.vacations[&n.vacation_id]];
        if overlaps((w.start, w.end), old)
            && before.is_none_or(|b| b.room_id != a.room_id || b.date != a.date)
        {
            out.push(Newcomer {
                request_id: &n.request_id,
                class,
                how: "room",
            });
        }
    }
    out
}

/// What `a`'s old vacation holds in the new plan, for messages.
fn occupancy(inst: &Instance, a: &proto::Appointment, new: &proto::Plan) -> String {
    let vac = &inst.vacations[inst.index.vacations[&a.vacation_id]];
    let at: Vec<&proto::Appointment> = new
        .appointments
        .iter()
        .filter(|n| n.vacation_id == a.vacation_id)
        .collect();
    let used: u32 = at.iter().map(|n| span(n).1 - span(n).0).sum();
    format!(
        "its old vacation now holds {used}/{} min in {} appointments (cap {:?})",
        vac.minutes(),
        at.len(),
        vac.max_appointments
    )
}

#[test]
fn ciamt_absence_keeps_or_moves_only_for_a_need() {
    let f = fixture();
    let inst = &f.changed;
    let r = after_absence();
    assert_valid(inst, &r.plan, "after the absence");
    eprintln!("after the absence: {}", level1_change(&f.prior, &r.plan));
    let prior_by_request = by_request(&f.prior);
    let new_by_request = by_request(&r.plan);
    let new_rooms = rooms_held(&r.plan);
    let kept: HashSet<&str> = r.diff.kept.iter().map(String::as_str).collect();
    let moved: HashSet<&str> = r.diff.moved.iter().map(|m| m.request_id.as_str()).collect();
    let cancelled: HashSet<&str> = r
        .diff
        .cancelled
        .iter()
        .map(|c| c.request_id.as_str())
        .collect();
    let mut failures = Vec::new();
    let mut tally: BTreeMap<String, u32> = BTreeMap::new();
    let mut checked = 0;
    for a in &f.prior.appointments {
        if a.professional_id == f.absent_professional && a.date == f.absent_date {
            continue;
        }
        checked += 1;
        let id = a.request_id.as_str();
        let class = class_of(inst, id);
        let label = class_label(inst, id);
        let v = inst.index.vacations[&a.vacation_id];
        assert!(
            !inst.vacations[v].cancelled,
            "{id} ({label}): vacation {} off the absent day is cancelled",
            a.vacation_id
        );
        let new = new_by_request.get(id);
        if kept.contains(id) {
            match new {
                Some(n) if same_place(a, n) => *tally.entry("kept".into()).or_default() += 1,
                Some(n) => failures.push(format!(
                    "{id} ({label}): in diff.kept but moved from {} to {}",
                    place(a),
                    place(n)
                )),
                None => failures.push(format!(
                    "{id} ({label}): in diff.kept but no longer scheduled"
                )),
            }
            continue;
        }
        let takers = newcomers(inst, a, &prior_by_request, &r.plan, &new_rooms);
        let best = takers.iter().min_by_key(|t| (t.class, t.how));
        if moved.contains(id) {
            let Some(n) = new else {
                failures.push(format!("{id} ({label}): in diff.moved but not scheduled"));
                continue;
            };
            match best {
                Some(t) => {
                    let rank = if t.class <= class {
                        "class at least as high"
                    } else {
                        "lower class only"
                    };
                    *tally
                        .entry(format!("moved for a newcomer of a {rank} (by {})", t.how))
                        .or_default() += 1;
                }
                None => failures.push(format!(
                    "{id} ({label}): moved from {} to {} although no newcomer uses its old \
                     place; {}",
                    place(a),
                    place(n),
                    occupancy(inst, a, &r.plan)
                )),
            }
        } else if cancelled.contains(id) {
            if new.is_some() {
                failures.push(format!(
                    "{id} ({label}): in diff.cancelled but still scheduled"
                ));
                continue;
            }
            match best {
                Some(t) if t.class < class => {
                    *tally
                        .entry(format!("cancelled for a higher class (by {})", t.how))
                        .or_default() += 1;
                }
                Some(t) => failures.push(format!(
                    "{id} ({label}): cancelled from {}; its old place is used only by newcomers \
                     of class >= {class}, the highest {} (class {}, by {}, {})",
                    place(a),
                    t.request_id,
                    t.class,
                    t.how,
                    match prior_by_request.get(t.request_id) {
                        Some(b)
                            if b.professional_id == f.absent_professional
                                && b.date == f.absent_date =>
                            format!("displaced from {}", place(b)),
                        Some(b) => format!("moved from {}", place(b)),
                        None => "not scheduled before".to_string(),
                    }
                )),
                None => failures.push(format!(
                    "{id} ({label}): cancelled from {} although no newcomer uses its old \
                     place; {}",
                    place(a),
                    occupancy(inst, a, &r.plan)
                )),
            }
        } else {
            failures.push(format!(
                "{id} ({label}): neither kept, moved nor cancelled in the diff"
            ));
        }
    }
    eprintln!(
        "off the absent day: {checked} prior appointments; unjustified {}",
        failures.len()
    );
    for (what, n) in &tally {
        eprintln!("  {what}: {n}");
    }
    assert_no_failures(
        &failures,
        "appointments off the absent day changed without need",
    );
}

#[test]
fn ciamt_displaced_requests_are_re_placed_in_class_order_where_capacity_allows() {
    let f = fixture();
    let inst = &f.changed;
    let r = after_absence();
    assert_valid(inst, &r.plan, "after the absence");
    let compat = compat::compute(inst);
    let displaced: Vec<&proto::Appointment> = f
        .prior
        .appointments
        .iter()
        .filter(|a| a.professional_id == f.absent_professional && a.date == f.absent_date)
        .collect();
    assert!(!displaced.is_empty(), "no displaced appointment");
    for a in &displaced {
        let v = inst.index.vacations[&a.vacation_id];
        assert!(
            inst.vacations[v].cancelled,
            "{} ({}): vacation {} of the absent day is not cancelled",
            a.request_id,
            class_label(inst, &a.request_id),
            a.vacation_id
        );
    }
    let new_by_request = by_request(&r.plan);
    let new_rooms = rooms_held(&r.plan);
    // Appointments of the new plan by vacation index.
    let mut at: Vec<Vec<&proto::Appointment>> = vec![Vec::new(); inst.vacations.len()];
    for a in &r.plan.appointments {
        at[inst.index.vacations[&a.vacation_id]].push(a);
    }
    let room_index = |v: usize| {
        new_rooms
            .get(inst.vacations[v].id.as_str())
            .map(|k| inst.index.rooms[*k])
    };
    // True when room `k` is free of every other vacation overlapping `v` in the new plan.
    let room_free = |v: usize, k: usize| {
        let x = &inst.vacations[v];
        inst.vacations.iter().enumerate().all(|(u, y)| {
            u == v
                || y.day != x.day
                || !overlaps((y.start, y.end), (x.start, x.end))
                || room_index(u) != Some(k)
        })
    };
    let mut per_class: BTreeMap<usize, (u32, u32)> = BTreeMap::new();
    let mut failures = Vec::new();
    for a in &displaced {
        let id = a.request_id.as_str();
        let d = inst.index.requests[id];
        let class = inst.requests[d].class_index;
        let entry = per_class.entry(class).or_default();
        entry.0 += 1;
        if new_by_request.contains_key(id) {
            entry.1 += 1;
            continue;
        }
        for o in &compat.options[d] {
            let v = o.vacation;
            let vac = &inst.vacations[v];
            let higher: Vec<&&proto::Appointment> = at[v]
                .iter()
                .filter(|n| class_of(inst, &n.request_id) <= class)
                .collect();
            let used: u32 = higher.iter().map(|n| span(n).1 - span(n).0).sum();
            if used + o.minutes > vac.minutes() {
                continue;
            }
            if vac
                .max_appointments
                .is_some_and(|m| higher.len() as u32 + 1 > m)
            {
                continue;
            }
            let room_works = if !vac.needs_room() {
                true
            } else {
                match room_index(v) {
                    Some(k) => o.tele || o.rooms.contains(&k),
                    None => {
                        let candidates: Vec<usize> = if o.tele {
                            compat.vacation_rooms[v].clone()
                        } else {
                            o.rooms.clone()
                        };
                        candidates.iter().any(|&k| room_free(v, k))
                    }
                }
            };
            if !room_works {
                continue;
            }
            failures.push(format!(
                "{id} ({}): displaced and left unscheduled, yet vacation {} ({} {}) could take \
                 it by removing only lower-class appointments: {used} min of class <= {class} \
                 + {} min <= {} min, {} such appointments (cap {:?}), room {:?}, tele {}",
                class_label(inst, id),
                vac.id,
                vac.date,
                convoplan::model::format_time(vac.start),
                o.minutes,
                vac.minutes(),
                higher.len(),
                vac.max_appointments,
                room_index(v).map(|k| inst.rooms[k].id.as_str()),
                o.tele
            ));
        }
    }
    let summary: Vec<String> = per_class
        .iter()
        .map(|(c, (n, placed))| format!("class {c}: {placed}/{n}"))
        .collect();
    let placed: u32 = per_class.values().map(|p| p.1).sum();
    eprintln!(
        "displaced: {} appointments, {placed} re-placed ({})",
        displaced.len(),
        summary.join(", ")
    );
    assert_no_failures(
        &failures,
        "placements of displaced requests were possible at the expense of lower classes only",
    );
}

#[test]
fn ciamt_appointments_before_the_freeze_limit_are_untouched() {
    let f = fixture();
    let inst = &f.changed;
    let limit = freeze_limit();
    let r = after_absence_frozen();
    assert_valid(inst, &r.plan, "after the absence, frozen");
    let kept: HashSet<&str> = r.diff.kept.iter().map(String::as_str).collect();
    let new_by_request = by_request(&r.plan);
    let mut frozen = 0;
    let mut failures = Vec::new();
    for a in &f.prior.appointments {
        let start = chrono::NaiveDate::parse_from_str(&a.date, "%Y-%m-%d")
            .expect("date")
            .and_hms_opt(span(a).0 / 60, span(a).0 % 60, 0)
            .expect("time");
        let alive = inst
            .index
            .vacations
            .get(&a.vacation_id)
            .is_some_and(|&v| !inst.vacations[v].cancelled);
        if start >= limit || !alive {
            continue;
        }
        frozen += 1;
        let id = a.request_id.as_str();
        let unchanged = new_by_request.get(id).is_some_and(|n| same_place(a, n));
        if !kept.contains(id) || !unchanged {
            failures.push(format!(
                "{id} ({}): at {}, before the freeze limit {limit}, but {}",
                class_label(inst, id),
                place(a),
                match new_by_request.get(id) {
                    None => "cancelled".to_string(),
                    Some(n) => format!("now {}", place(n)),
                }
            ));
        }
    }
    eprintln!(
        "freeze limit {limit}: {frozen} prior appointments frozen, {} touched",
        failures.len()
    );
    assert!(frozen > 0, "no prior appointment before the freeze limit");
    assert_no_failures(&failures, "frozen appointments touched");
}
