//! Checks of a re-optimisation after a one-day absence (issue 4, "Done when"), shared by
//! tests/reoptimize_ciamt.rs and tests/reoptimize_neighbourhood.rs. They read only the
//! plans, the diff, the instance and the compatibility options, never the solver's
//! internals. Each check returns its failures (empty when the property holds) and prints
//! its figures on stderr.

use chrono::{Datelike, NaiveDateTime, Weekday};
use convoplan::model::Instance;
use convoplan::plan::{self, reoptimize::parse_freeze_until};
use convoplan::proto;
use convoplan::solver::compat;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Failures listed in full in an assertion message (the count is always given).
pub const LISTED_FAILURES: usize = 25;

/// The professional-day (a weekday) holding the most appointments of `plan`, as
/// (professional id, date "YYYY-MM-DD", appointments); ties: the smallest (id, date).
pub fn busiest_professional_day(plan: &proto::Plan) -> Option<(String, String, usize)> {
    let mut per_day: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for a in &plan.appointments {
        let weekday = chrono::NaiveDate::parse_from_str(&a.date, "%Y-%m-%d")
            .expect("appointment date")
            .weekday();
        if !matches!(weekday, Weekday::Sat | Weekday::Sun) {
            *per_day
                .entry((a.professional_id.as_str(), a.date.as_str()))
                .or_default() += 1;
        }
    }
    per_day
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(&(p, d), &n)| (p.to_string(), d.to_string(), n))
}

/// `wire` with `professional` absent on `date`.
pub fn with_absence(wire: &proto::Instance, professional: &str, date: &str) -> proto::Instance {
    let mut changed = wire.clone();
    changed.absences.push(proto::Absence {
        professional_id: professional.to_string(),
        from: date.to_string(),
        to: date.to_string(),
    });
    changed
}

/// The freeze limit at noon of `date` ("YYYY-MM-DD").
pub fn noon_of(date: &str) -> NaiveDateTime {
    parse_freeze_until(&format!("{date}T12:00"))
        .expect("readable")
        .expect("set")
}

/// Minutes from midnight of "HH:MM".
pub fn minutes(hhmm: &str) -> u32 {
    let (h, m) = hhmm.split_once(':').expect("HH:MM");
    h.parse::<u32>().expect("hours") * 60 + m.parse::<u32>().expect("minutes")
}

/// `[start, end)` of an appointment, in minutes.
pub fn span(a: &proto::Appointment) -> (u32, u32) {
    (minutes(&a.start), minutes(&a.end))
}

pub fn overlaps(a: (u32, u32), b: (u32, u32)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// "class N (tier T, urgency U)" of a request.
pub fn class_label(inst: &Instance, request_id: &str) -> String {
    let r = &inst.requests[inst.index.requests[request_id]];
    format!(
        "class {} (tier {}, {:?})",
        r.class_index, r.class.tier, r.class.urgency
    )
}

pub fn class_of(inst: &Instance, request_id: &str) -> usize {
    inst.requests[inst.index.requests[request_id]].class_index
}

/// True when `a` is an appointment of the absent professional-day.
pub fn displaced_by(a: &proto::Appointment, professional: &str, date: &str) -> bool {
    a.professional_id == professional && a.date == date
}

/// Room held by each vacation id in a plan (room allocations, else its appointments).
pub fn rooms_held(plan: &proto::Plan) -> HashMap<&str, &str> {
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

pub fn by_request(plan: &proto::Plan) -> HashMap<&str, &proto::Appointment> {
    plan.appointments
        .iter()
        .map(|a| (a.request_id.as_str(), a))
        .collect()
}

/// The validator's violations of a plan, as failures.
pub fn validation_failures(inst: &Instance, plan: &proto::Plan) -> Vec<String> {
    plan::validate(inst, plan)
        .iter()
        .map(|v| format!("invalid plan: {v:?}"))
        .collect()
}

/// Asserts that a plan passes the validator.
pub fn assert_valid(inst: &Instance, plan: &proto::Plan, label: &str) {
    assert_no_failures(
        &validation_failures(inst, plan),
        &format!("{label}: violations"),
    );
}

/// Asserts that no failure was collected, listing the first ones.
/// Splits the failures of [`neighbourhood_rule_failures`] into the held appointments only
/// re-timed in their vacation (sequencing fits newcomers by minutes, not by the gaps
/// between kept appointments: a known limitation, see README) and the rest.
pub fn split_retimed(failures: Vec<String>) -> (Vec<String>, Vec<String>) {
    failures.into_iter().partition(|f| f.contains(RETIMED_MARK))
}

/// Marks a held appointment whose vacation, mode and room were kept but not its time.
pub const RETIMED_MARK: &str = "re-timed in its vacation, ";

pub fn assert_no_failures(failures: &[String], what: &str) {
    assert!(
        failures.is_empty(),
        "{} {what}:\n{}",
        failures.len(),
        failures[..failures.len().min(LISTED_FAILURES)].join("\n")
    );
}

/// "vacation date start-end mode room" of an appointment, for messages.
pub fn place(a: &proto::Appointment) -> String {
    let mode = proto::Mode::try_from(a.mode)
        .map(|m| m.as_str_name().to_string())
        .unwrap_or_else(|_| a.mode.to_string());
    format!(
        "{} {} {}-{} {mode} room {:?}",
        a.vacation_id, a.date, a.start, a.end, a.room_id
    )
}

/// True when the two appointments are the same in every respect a worker sees.
pub fn same_place(a: &proto::Appointment, b: &proto::Appointment) -> bool {
    a.vacation_id == b.vacation_id
        && a.professional_id == b.professional_id
        && a.date == b.date
        && a.start == b.start
        && a.end == b.end
        && a.mode == b.mode
        && a.room_id == b.room_id
}

/// Class counts (level 1) of a plan, in class order.
pub fn counts(plan: &proto::Plan) -> Vec<u32> {
    plan.score
        .as_ref()
        .map(|s| s.classes.iter().map(|c| c.scheduled).collect())
        .unwrap_or_default()
}

/// How the level 1 of `new` compares with that of `prior`, for messages.
pub fn level1_change(prior: &proto::Plan, new: &proto::Plan) -> String {
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

/// Status, level-1 proof, scope and stage statuses of a plan's solver report, for the run
/// log.
pub fn report_summary(plan: &proto::Plan) -> String {
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
    let scope = match &r.reopt_scope {
        None => "no scope".to_string(),
        Some(s) if s.whole_week => "whole week".to_string(),
        Some(s) => format!(
            "neighbourhood: {} free requests, {} open vacations, {} held",
            s.free_requests, s.open_vacations, s.held_appointments
        ),
    };
    format!(
        "{status}, level 1 {}, {scope}, {} columns, stages {stages:?} [{}]",
        if r.level1_optimal {
            "proven"
        } else {
            "not proven"
        },
        r.variables,
        notable.join("; ")
    )
}

/// Property "Re-optimising a plan against its own unchanged instance gives an empty diff":
/// every prior appointment is kept exactly and listed in `diff.kept`, nothing is added,
/// and the diff's moved, cancelled and added lists are empty.
pub fn unchanged_diff_failures(
    inst: &Instance,
    prior: &proto::Plan,
    new: &proto::Plan,
    diff: &proto::PlanDiff,
) -> Vec<String> {
    let level1 = level1_change(prior, new);
    eprintln!("unchanged week: {level1}");
    let kept: HashSet<&str> = diff.kept.iter().map(String::as_str).collect();
    let new_by_request = by_request(new);
    let mut failures = Vec::new();
    for a in &prior.appointments {
        let id = a.request_id.as_str();
        let class = class_label(inst, id);
        let what = match new_by_request.get(id) {
            Some(n) if same_place(a, n) => None,
            Some(n) => Some(format!("moved from {} to {}", place(a), place(n))),
            None => Some(format!("cancelled from {}", place(a))),
        };
        match (kept.contains(id), what) {
            (true, None) => {}
            (false, None) => failures.push(format!("{id} ({class}): unchanged, not in diff.kept")),
            (_, Some(w)) => failures.push(format!("{id} ({class}): {w} ({level1})")),
        }
    }
    let before = by_request(prior);
    for n in &new.appointments {
        if !before.contains_key(n.request_id.as_str()) {
            let class = class_label(inst, &n.request_id);
            failures.push(format!(
                "{} ({class}): added at {} ({level1})",
                n.request_id,
                place(n)
            ));
        }
    }
    if diff.kept.len() != prior.appointments.len() {
        failures.push(format!(
            "diff.kept holds {} requests, the prior plan {} appointments",
            diff.kept.len(),
            prior.appointments.len()
        ));
    }
    if !(diff.moved.is_empty() && diff.cancelled.is_empty() && diff.added.is_empty()) {
        failures.push(format!(
            "the diff is not empty: moved {}, cancelled {}, added {}",
            diff.moved.len(),
            diff.cancelled.len(),
            diff.added.len()
        ));
    }
    failures
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

/// True when `a`, now `n`, stayed in its vacation (mode and room) at another time because
/// the appointments new to the vacation cannot all fit in the gaps left with every
/// appointment that was there before held at its old time: the knapsack of the model
/// guarantees minutes, not gaps, so one of them had to give way in time.
fn retimed_for_gaps(
    inst: &Instance,
    a: &proto::Appointment,
    n: &proto::Appointment,
    prior: &proto::Plan,
    new: &proto::Plan,
) -> bool {
    if n.vacation_id != a.vacation_id || n.mode != a.mode || n.room_id != a.room_id {
        return false;
    }
    let vac = &inst.vacations[inst.index.vacations[&a.vacation_id]];
    let before: HashMap<&str, (u32, u32)> = prior
        .appointments
        .iter()
        .filter(|p| p.vacation_id == a.vacation_id)
        .map(|p| (p.request_id.as_str(), span(p)))
        .collect();
    let (mut fixed, mut loose) = (Vec::new(), Vec::new());
    for m in new
        .appointments
        .iter()
        .filter(|m| m.vacation_id == a.vacation_id)
    {
        match before.get(m.request_id.as_str()) {
            Some(&s) => fixed.push(s),
            None => loose.push(span(m).1 - span(m).0),
        }
    }
    let mut gaps = gap_lengths(vac.start, vac.end, fixed);
    loose.sort_unstable_by(|x, y| y.cmp(x));
    !packs(&loose, &mut gaps)
}

/// Minutes of each free stretch of `[start, end)` around the `busy` spans (any order).
pub fn gap_lengths(start: u32, end: u32, mut busy: Vec<(u32, u32)>) -> Vec<u32> {
    busy.sort_unstable();
    let mut gaps = Vec::new();
    let mut t = start;
    for (s, e) in busy.into_iter().chain(std::iter::once((end, end))) {
        if s > t {
            gaps.push(s - t);
        }
        t = t.max(e);
    }
    gaps
}

/// Whether appointments of `lengths` (longest first) fit in `gaps` (minutes each).
fn packs(lengths: &[u32], gaps: &mut [u32]) -> bool {
    let Some((&d, rest)) = lengths.split_first() else {
        return true;
    };
    for g in 0..gaps.len() {
        if gaps[g] >= d {
            gaps[g] -= d;
            let ok = packs(rest, gaps);
            gaps[g] += d;
            if ok {
                return true;
            }
        }
    }
    false
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

/// Property "every appointment outside the absent professional's vacations is kept, or
/// moved only to make room for a request of a higher class": off the absent day, a prior
/// appointment is kept exactly (and listed in `diff.kept`), or its old place is now used by
/// a newcomer ([`newcomers`]): of any class for a move, of a strictly higher class for a
/// cancellation.
pub fn kept_or_justified_failures(
    changed: &Instance,
    prior: &proto::Plan,
    new: &proto::Plan,
    diff: &proto::PlanDiff,
    absent_professional: &str,
    absent_date: &str,
) -> Vec<String> {
    let inst = changed;
    eprintln!("after the absence: {}", level1_change(prior, new));
    let prior_by_request = by_request(prior);
    let new_by_request = by_request(new);
    let new_rooms = rooms_held(new);
    let kept: HashSet<&str> = diff.kept.iter().map(String::as_str).collect();
    let moved: HashSet<&str> = diff.moved.iter().map(|m| m.request_id.as_str()).collect();
    let cancelled: HashSet<&str> = diff
        .cancelled
        .iter()
        .map(|c| c.request_id.as_str())
        .collect();
    let mut failures = Vec::new();
    let mut tally: BTreeMap<String, u32> = BTreeMap::new();
    let mut checked = 0;
    for a in &prior.appointments {
        if displaced_by(a, absent_professional, absent_date) {
            continue;
        }
        checked += 1;
        let id = a.request_id.as_str();
        let class = class_of(inst, id);
        let label = class_label(inst, id);
        let v = inst.index.vacations[&a.vacation_id];
        if inst.vacations[v].cancelled {
            failures.push(format!(
                "{id} ({label}): vacation {} off the absent day is cancelled",
                a.vacation_id
            ));
            continue;
        }
        let now = new_by_request.get(id);
        if kept.contains(id) {
            match now {
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
        let takers = newcomers(inst, a, &prior_by_request, new, &new_rooms);
        let best = takers.iter().min_by_key(|t| (t.class, t.how));
        if moved.contains(id) {
            let Some(n) = now else {
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
                None if retimed_for_gaps(inst, a, n, prior, new) => {
                    *tally
                        .entry(
                            "re-timed in its vacation: its newcomers fit the minutes, not the gaps"
                                .into(),
                        )
                        .or_default() += 1;
                }
                None => failures.push(format!(
                    "{id} ({label}): moved from {} to {} although no newcomer uses its old \
                     place; {}",
                    place(a),
                    place(n),
                    occupancy(inst, a, new)
                )),
            }
        } else if cancelled.contains(id) {
            if now.is_some() {
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
                        Some(b) if displaced_by(b, absent_professional, absent_date) =>
                            format!("displaced from {}", place(b)),
                        Some(b) => format!("moved from {}", place(b)),
                        None => "not scheduled before".to_string(),
                    }
                )),
                None => failures.push(format!(
                    "{id} ({label}): cancelled from {} although no newcomer uses its old \
                     place; {}",
                    place(a),
                    occupancy(inst, a, new)
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
    failures
}

/// Property "the displaced appointments are re-placed where capacity allows, in class
/// order": the appointments of the absent professional-day have lost their vacation; each
/// is re-placed (listed in `diff.moved`), or cancelled (listed in `diff.cancelled`) while
/// none of its options could take it by removing only appointments of lower classes
/// (minutes, cap and room of the new plan).
pub fn displaced_re_placed_failures(
    changed: &Instance,
    prior: &proto::Plan,
    new: &proto::Plan,
    diff: &proto::PlanDiff,
    absent_professional: &str,
    absent_date: &str,
) -> Vec<String> {
    let inst = changed;
    let compat = compat::compute(inst);
    let mut failures = Vec::new();
    let displaced: Vec<&proto::Appointment> = prior
        .appointments
        .iter()
        .filter(|a| displaced_by(a, absent_professional, absent_date))
        .collect();
    if displaced.is_empty() {
        failures.push(format!(
            "no displaced appointment ({absent_professional} on {absent_date})"
        ));
    }
    for a in &displaced {
        let v = inst.index.vacations[&a.vacation_id];
        if !inst.vacations[v].cancelled {
            failures.push(format!(
                "{} ({}): vacation {} of the absent day is not cancelled",
                a.request_id,
                class_label(inst, &a.request_id),
                a.vacation_id
            ));
        }
    }
    let moved: HashSet<&str> = diff.moved.iter().map(|m| m.request_id.as_str()).collect();
    let cancelled: HashSet<&str> = diff
        .cancelled
        .iter()
        .map(|c| c.request_id.as_str())
        .collect();
    let new_by_request = by_request(new);
    let new_rooms = rooms_held(new);
    // Appointments of the new plan by vacation index.
    let mut at: Vec<Vec<&proto::Appointment>> = vec![Vec::new(); inst.vacations.len()];
    for a in &new.appointments {
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
    for a in &displaced {
        let id = a.request_id.as_str();
        let d = inst.index.requests[id];
        let class = inst.requests[d].class_index;
        let entry = per_class.entry(class).or_default();
        entry.0 += 1;
        if new_by_request.contains_key(id) {
            entry.1 += 1;
            if !moved.contains(id) {
                failures.push(format!(
                    "{id} ({}): displaced and re-placed, not in diff.moved",
                    class_label(inst, id)
                ));
            }
            continue;
        }
        if !cancelled.contains(id) {
            failures.push(format!(
                "{id} ({}): displaced and left unscheduled, not in diff.cancelled",
                class_label(inst, id)
            ));
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
    failures
}

/// Property "appointments before the freeze limit are untouched": a prior appointment
/// starting before `limit` whose vacation still exists is kept exactly (and listed in
/// `diff.kept`) ([`frozen_count`] says whether there is any).
pub fn frozen_untouched_failures(
    changed: &Instance,
    prior: &proto::Plan,
    new: &proto::Plan,
    diff: &proto::PlanDiff,
    absent_professional: &str,
    absent_date: &str,
    limit: NaiveDateTime,
) -> Vec<String> {
    let inst = changed;
    let kept: HashSet<&str> = diff.kept.iter().map(String::as_str).collect();
    let new_by_request = by_request(new);
    let mut frozen = 0;
    let mut failures = Vec::new();
    for a in &prior.appointments {
        let start = chrono::NaiveDate::parse_from_str(&a.date, "%Y-%m-%d")
            .expect("date")
            .and_hms_opt(span(a).0 / 60, span(a).0 % 60, 0)
            .expect("time");
        let alive = inst
            .index
            .vacations
            .get(&a.vacation_id)
            .is_some_and(|&v| !inst.vacations[v].cancelled);
        if alive == displaced_by(a, absent_professional, absent_date) {
            failures.push(format!(
                "{} ({}): at {}, its vacation is {}",
                a.request_id,
                class_label(inst, &a.request_id),
                place(a),
                if alive {
                    "active on the absent day"
                } else {
                    "cancelled off the absent day"
                }
            ));
        }
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
    failures
}

/// Prior appointments starting before `limit` whose vacation still exists: those
/// [`frozen_untouched_failures`] checks (none makes the check vacuous).
pub fn frozen_count(changed: &Instance, prior: &proto::Plan, limit: NaiveDateTime) -> usize {
    prior
        .appointments
        .iter()
        .filter(|a| {
            let start = chrono::NaiveDate::parse_from_str(&a.date, "%Y-%m-%d")
                .expect("date")
                .and_hms_opt(span(a).0 / 60, span(a).0 % 60, 0)
                .expect("time");
            start < limit
                && changed
                    .index
                    .vacations
                    .get(&a.vacation_id)
                    .is_some_and(|&v| !changed.vacations[v].cancelled)
        })
        .count()
}

/// The exact rule of the re-optimisation's neighbourhood (`solver::reopt::Neighbourhood`),
/// derived from the compatibility of the changed week and the prior plan alone:
/// - *touched* requests are the displaced ones (their vacation is cancelled) and those the
///   prior plan neither scheduled nor listed as unscheduled;
/// - a prior appointment off the absent day is *free* when its class is strictly lower than
///   the best (smallest) class of a touched request having an option in its vacation;
///   every other one is held: it must be kept exactly;
/// - a free appointment that moved went to its old vacation or to one that had room left
///   (minutes and cap) beside the prior appointments off the absent day;
/// - a request the prior plan left out may only take the place of a withdrawn request: an
///   absence withdraws none, so nothing is added.
///
/// Meant for a neighbourhood solve (not the whole week); returns the failures and the
/// number of free appointments.
pub fn neighbourhood_rule_failures(
    changed: &Instance,
    prior: &proto::Plan,
    new: &proto::Plan,
    diff: &proto::PlanDiff,
    absent_professional: &str,
    absent_date: &str,
) -> (Vec<String>, usize) {
    let inst = changed;
    let compat = compat::compute(inst);
    let nv = inst.vacations.len();
    let scheduled_before = by_request(prior);
    let left_out_before: HashSet<&str> = prior
        .unscheduled
        .iter()
        .map(|u| u.request_id.as_str())
        .collect();
    let touched: Vec<usize> = inst
        .requests
        .iter()
        .enumerate()
        .filter(|(_, r)| match scheduled_before.get(r.id.as_str()) {
            Some(a) => displaced_by(a, absent_professional, absent_date),
            None => !left_out_before.contains(r.id.as_str()),
        })
        .map(|(i, _)| i)
        .collect();
    let mut best_touched = vec![usize::MAX; nv];
    for &r in &touched {
        for o in &compat.options[r] {
            best_touched[o.vacation] = best_touched[o.vacation].min(inst.requests[r].class_index);
        }
    }
    // Minutes and appointments of each vacation in the prior plan, off the absent day.
    let mut used = vec![0u32; nv];
    let mut count = vec![0u32; nv];
    for a in &prior.appointments {
        if !displaced_by(a, absent_professional, absent_date) {
            let v = inst.index.vacations[&a.vacation_id];
            used[v] += span(a).1 - span(a).0;
            count[v] += 1;
        }
    }
    let kept: HashSet<&str> = diff.kept.iter().map(String::as_str).collect();
    let new_by_request = by_request(new);
    let mut failures = Vec::new();
    let mut free = 0;
    for a in &prior.appointments {
        if displaced_by(a, absent_professional, absent_date) {
            continue;
        }
        let id = a.request_id.as_str();
        let r = inst.index.requests[id];
        let class = inst.requests[r].class_index;
        let v = inst.index.vacations[&a.vacation_id];
        let is_free = class > best_touched[v];
        free += usize::from(is_free);
        let now = new_by_request.get(id);
        let unchanged = now.is_some_and(|n| same_place(a, n));
        if unchanged && kept.contains(id) {
            continue;
        }
        let outcome = match now {
            None => "cancelled".to_string(),
            Some(n) => format!("moved to {}", place(n)),
        };
        if !is_free {
            let best = match best_touched[v] {
                usize::MAX => "none".to_string(),
                c => c.to_string(),
            };
            // Its vacation, mode and room kept, only its time changed: sequencing re-packed
            // the vacation around requests that joined it.
            let retimed = now.is_some_and(|n| {
                n.vacation_id == a.vacation_id && n.mode == a.mode && n.room_id == a.room_id
            });
            let joined: Vec<String> = new
                .appointments
                .iter()
                .filter(|n| {
                    n.vacation_id == a.vacation_id
                        && scheduled_before
                            .get(n.request_id.as_str())
                            .is_none_or(|b| b.vacation_id != a.vacation_id)
                })
                .map(|n| format!("{} ({})", n.request_id, class_label(inst, &n.request_id)))
                .collect();
            failures.push(format!(
                "{id} ({}): held at {} (the best class of a touched request with an option \
                 there is {best}), yet {}{outcome}; joined its vacation: [{}]",
                class_label(inst, id),
                place(a),
                if retimed { RETIMED_MARK } else { "" },
                joined.join(", ")
            ));
            continue;
        }
        let Some(n) = now else { continue };
        let w = inst.index.vacations[&n.vacation_id];
        if w == v {
            continue;
        }
        let vac = &inst.vacations[w];
        let minutes = compat.options[r]
            .iter()
            .find(|o| o.vacation == w)
            .map(|o| o.minutes);
        let fits = minutes.is_some_and(|m| {
            used[w] + m <= vac.minutes() && vac.max_appointments.is_none_or(|cap| count[w] < cap)
        });
        if !fits {
            failures.push(format!(
                "{id} ({}): free at {}, moved to {} which had no room left beside the prior \
                 appointments ({} min used of {}, {} appointments, cap {:?}, option {:?} min)",
                class_label(inst, id),
                place(a),
                place(n),
                used[w],
                vac.minutes(),
                count[w],
                vac.max_appointments,
                minutes
            ));
        }
    }
    for n in &new.appointments {
        if !scheduled_before.contains_key(n.request_id.as_str()) {
            let touched_request = touched.contains(&inst.index.requests[&n.request_id]);
            if !touched_request {
                failures.push(format!(
                    "{} ({}): left out by the prior plan, added at {}",
                    n.request_id,
                    class_label(inst, &n.request_id),
                    place(n)
                ));
            }
        }
    }
    eprintln!(
        "neighbourhood: {} touched requests, {free} free prior appointments, {} outside the rule",
        touched.len(),
        failures.len()
    );
    (failures, free)
}
