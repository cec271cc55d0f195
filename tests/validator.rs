//! The independent validator catches every broken hard rule (H1-H7) of a hand-made plan,
//! and every request the plan fails to account for exactly once, naming the rule; it never
//! panics on garbage; the score and KPIs of the hand-made plan are
//! exactly the numbers worked out by hand.

use convoplan::model::{parse_instance_json, Instance, Mode};
use convoplan::plan::validate::appointment_allowed;
use convoplan::plan::{kpis, score, validate, Rule, Violation};
use convoplan::proto;
use proptest::prelude::*;
use serde_json::{json, Value};

/// A small instance. Monday 2026-11-30, five days.
///
/// - C1 has R1 (audiometry) and R2; C2 has R3.
/// - D1 (doctor, every kind); N1 (nurse, vip_initiale and vip_periodique only).
/// - V1 D1 Mon 08:30-12:00 at C1; V2 N1 Mon 09:00-12:00 at C1 or C2, both modes;
///   V3 N1 Tue 08:30-12:00 remote; V4 D1 Thu 08:30-12:00 at C2, cancelled by D1's absence;
///   V5 D1 Mon 13:30-17:00 at C1 (unused by the plan).
/// - A (referent N1, home C1), B.
/// - r1 A reprise (doctor only, 40 min) due Wed; r2 B vip_initiale with audiometry, C1 only;
///   r3 B vip_periodique, unavailable Mon morning; r4 A vip_periodique released Tue, nurse
///   required, in person only; r5 A vip_initiale overdue (due Fri 27th), prefers N1, C1 only.
fn instance_json() -> Value {
    json!({
        "name": "validator",
        "horizon": {"startDate": "2026-11-30", "days": 5},
        "centres": [
            {"id": "C1", "name": "One", "rooms": [{"id": "R1", "equipment": ["audiometry"]}, {"id": "R2"}]},
            {"id": "C2", "name": "Two", "rooms": [{"id": "R3"}]}
        ],
        "professionals": [
            {"id": "D1", "role": "ROLE_DOCTOR"},
            {"id": "N1", "role": "ROLE_NURSE", "qualifiedKinds": ["vip_initiale", "vip_periodique"]}
        ],
        "vacations": [
            {"id": "V1", "professionalId": "D1", "date": "2026-11-30", "start": "08:30", "end": "12:00", "centreIds": ["C1"]},
            {"id": "V2", "professionalId": "N1", "date": "2026-11-30", "start": "09:00", "end": "12:00", "centreIds": ["C1", "C2"],
             "modes": ["MODE_IN_PERSON", "MODE_TELECONSULTATION"]},
            {"id": "V3", "professionalId": "N1", "date": "2026-12-01", "start": "08:30", "end": "12:00"},
            {"id": "V4", "professionalId": "D1", "date": "2026-12-03", "start": "08:30", "end": "12:00", "centreIds": ["C2"]},
            {"id": "V5", "professionalId": "D1", "date": "2026-11-30", "start": "13:30", "end": "17:00", "centreIds": ["C1"]}
        ],
        "absences": [{"professionalId": "D1", "from": "2026-12-03", "to": "2026-12-03"}],
        "companies": [
            {"id": "A", "headcount": 10, "referentProfessionalId": "N1", "homeCentreId": "C1"},
            {"id": "B", "headcount": 300}
        ],
        "requests": [
            {"id": "r1", "workerId": "W1", "companyId": "A", "kind": "reprise", "dueDate": "2026-12-02"},
            {"id": "r2", "workerId": "W2", "companyId": "B", "kind": "vip_initiale", "equipment": ["audiometry"],
             "allowedCentreIds": ["C1"]},
            {"id": "r3", "workerId": "W3", "companyId": "B", "kind": "vip_periodique",
             "unavailable": [{"date": "2026-11-30", "halfDay": "HALF_DAY_MORNING"}]},
            {"id": "r4", "workerId": "W4", "companyId": "A", "kind": "vip_periodique", "releaseDate": "2026-12-01",
             "requiredRole": "ROLE_NURSE", "modes": ["MODE_IN_PERSON"]},
            {"id": "r5", "workerId": "W5", "companyId": "A", "kind": "vip_initiale", "dueDate": "2026-11-27",
             "preferredProfessionalId": "N1", "allowedCentreIds": ["C1"]}
        ]
    })
}

fn convert(v: &Value) -> Instance {
    let wire = parse_instance_json(&v.to_string()).expect("instance JSON parses");
    Instance::from_proto(&wire).expect("instance is valid")
}

fn instance() -> Instance {
    convert(&instance_json())
}

/// An instance edited before conversion.
fn instance_with(edit: impl FnOnce(&mut Value)) -> Instance {
    let mut v = instance_json();
    edit(&mut v);
    convert(&v)
}

const IN_PERSON: i32 = proto::Mode::InPerson as i32;
const TELE: i32 = proto::Mode::Teleconsultation as i32;

#[allow(clippy::too_many_arguments)]
fn appt(
    request: &str,
    professional: &str,
    vacation: &str,
    date: &str,
    start: &str,
    end: &str,
    mode: i32,
    centre: &str,
    room: &str,
) -> proto::Appointment {
    proto::Appointment {
        request_id: request.into(),
        professional_id: professional.into(),
        vacation_id: vacation.into(),
        date: date.into(),
        start: start.into(),
        end: end.into(),
        mode,
        centre_id: centre.into(),
        room_id: room.into(),
    }
}

fn alloc(vacation: &str, centre: &str, room: &str) -> proto::RoomAllocation {
    proto::RoomAllocation {
        vacation_id: vacation.into(),
        centre_id: centre.into(),
        room_id: room.into(),
    }
}

const MON: &str = "2026-11-30";
const TUE: &str = "2026-12-01";
const THU: &str = "2026-12-03";

/// The hand-made valid plan: r1, r2, r5 on Monday at C1 (V1 in R2, V2 in R1), r3 by
/// teleconsultation on Tuesday, r4 left out.
fn valid_plan() -> proto::Plan {
    proto::Plan {
        instance_name: "validator".into(),
        appointments: vec![
            appt(
                "r1", "D1", "V1", MON, "08:30", "09:10", IN_PERSON, "C1", "R2",
            ),
            appt(
                "r2", "N1", "V2", MON, "09:00", "09:25", IN_PERSON, "C1", "R1",
            ),
            appt(
                "r5", "N1", "V2", MON, "09:25", "09:50", IN_PERSON, "C1", "R1",
            ),
            appt("r3", "N1", "V3", TUE, "08:30", "08:55", TELE, "", ""),
        ],
        unscheduled: vec![proto::Unscheduled {
            request_id: "r4".into(),
            reason: proto::UnscheduledReason::NoAllowedCentreOrMode as i32,
            detail: "no in-person nurse vacation after its release".into(),
        }],
        room_allocations: vec![alloc("V1", "C1", "R2"), alloc("V2", "C1", "R1")],
        ..Default::default()
    }
}

/// A plan holding `appointment` alone, every other request listed unscheduled (so that
/// only the appointment and its allocations can break a rule).
fn alone(
    appointment: proto::Appointment,
    room_allocations: Vec<proto::RoomAllocation>,
) -> proto::Plan {
    let unscheduled = ["r1", "r2", "r3", "r4", "r5"]
        .into_iter()
        .filter(|&r| r != appointment.request_id)
        .map(|r| proto::Unscheduled {
            request_id: r.into(),
            ..Default::default()
        })
        .collect();
    proto::Plan {
        appointments: vec![appointment],
        unscheduled,
        room_allocations,
        ..Default::default()
    }
}

/// The valid plan with one appointment (by request id) edited.
fn with_appointment(request: &str, edit: impl FnOnce(&mut proto::Appointment)) -> proto::Plan {
    let mut plan = valid_plan();
    let a = plan
        .appointments
        .iter_mut()
        .find(|a| a.request_id == request)
        .expect("request in the valid plan");
    edit(a);
    plan
}

/// The valid plan with one appointment (by request id) replaced.
fn replacing(request: &str, new: proto::Appointment) -> proto::Plan {
    with_appointment(request, |a| *a = new)
}

fn show(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(|v| {
            format!(
                "{:?} r={:?} v={:?}: {}",
                v.rule, v.request_id, v.vacation_id, v.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Asserts that `rule` is reported about `id` (a request or a vacation); returns all.
fn caught(instance: &Instance, plan: &proto::Plan, rule: Rule, id: &str) -> Vec<Violation> {
    let violations = validate(instance, plan);
    assert!(
        violations
            .iter()
            .any(|v| v.rule == rule && (v.request_id == id || v.vacation_id == id)),
        "expected {rule:?} about {id:?}, got:\n{}",
        show(&violations)
    );
    violations
}

/// Asserts that exactly the rules in `rules` are reported (each at least once).
fn only_rules(violations: &[Violation], rules: &[Rule]) {
    for v in violations {
        assert!(rules.contains(&v.rule), "unexpected:\n{}", show(violations));
    }
}

fn assert_valid(instance: &Instance, plan: &proto::Plan) {
    let violations = validate(instance, plan);
    assert!(violations.is_empty(), "{}", show(&violations));
}

// ---- valid plans ----------------------------------------------------------------------------

#[test]
fn accepts_the_hand_made_plan() {
    assert_valid(&instance(), &valid_plan());
}

#[test]
fn accepts_a_plan_that_leaves_every_request_unscheduled() {
    let mut plan = valid_plan();
    for a in plan.appointments.drain(..) {
        plan.unscheduled.push(proto::Unscheduled {
            request_id: a.request_id,
            ..Default::default()
        });
    }
    plan.room_allocations.clear();
    assert_valid(&instance(), &plan);
}

#[test]
fn accepts_a_teleconsultation_held_from_a_centre_vacation() {
    let plan = with_appointment("r5", |a| a.mode = TELE);
    assert_valid(&instance(), &plan);
}

#[test]
fn accepts_one_room_for_two_vacations_that_do_not_overlap() {
    // V5 (Monday afternoon) takes R2, which V1 holds in the morning.
    let mut plan = replacing(
        "r1",
        appt(
            "r1", "D1", "V5", MON, "13:30", "14:10", IN_PERSON, "C1", "R2",
        ),
    );
    plan.room_allocations.push(alloc("V5", "C1", "R2"));
    assert_valid(&instance(), &plan);
    // r4 in V1 breaks H2 (nurse required) and H3 (released Tuesday), nothing about rooms.
    plan.appointments.push(appt(
        "r4", "D1", "V1", MON, "08:30", "08:55", IN_PERSON, "C1", "R2",
    ));
    plan.unscheduled.clear();
    let violations = validate(&instance(), &plan);
    only_rules(&violations, &[Rule::H2, Rule::H3]);
}

#[test]
fn accepts_an_allocation_of_a_vacation_without_appointments() {
    let mut plan = valid_plan();
    plan.room_allocations.push(alloc("V5", "C1", "R2"));
    assert_valid(&instance(), &plan);
}

// ---- H1 -------------------------------------------------------------------------------------

#[test]
fn catches_a_request_appointed_twice() {
    let mut plan = valid_plan();
    plan.appointments.push(appt(
        "r1", "D1", "V1", MON, "09:10", "09:50", IN_PERSON, "C1", "R2",
    ));
    let v = caught(&instance(), &plan, Rule::H1, "r1");
    only_rules(&v, &[Rule::H1]);
}

#[test]
fn catches_a_request_both_scheduled_and_unscheduled() {
    let mut plan = valid_plan();
    plan.unscheduled.push(proto::Unscheduled {
        request_id: "r3".into(),
        ..Default::default()
    });
    let v = caught(&instance(), &plan, Rule::H1, "r3");
    only_rules(&v, &[Rule::H1]);
}

#[test]
fn catches_an_unknown_request() {
    let mut plan = valid_plan();
    plan.appointments.push(appt(
        "ghost", "D1", "V1", MON, "09:10", "09:50", IN_PERSON, "C1", "R2",
    ));
    caught(&instance(), &plan, Rule::H1, "ghost");
    plan.appointments.pop();
    plan.unscheduled.push(proto::Unscheduled {
        request_id: "ghost".into(),
        ..Default::default()
    });
    caught(&instance(), &plan, Rule::H1, "ghost");
}

#[test]
fn catches_a_request_listed_twice_as_unscheduled() {
    let mut plan = valid_plan();
    let again = plan.unscheduled[0].clone();
    plan.unscheduled.push(again);
    let v = caught(&instance(), &plan, Rule::H1, "r4");
    only_rules(&v, &[Rule::H1]);
    assert_eq!(v.len(), 1, "one report for the repeat:\n{}", show(&v));
}

// ---- coverage -------------------------------------------------------------------------------

#[test]
fn catches_a_request_neither_scheduled_nor_unscheduled() {
    let mut plan = valid_plan();
    plan.unscheduled.clear();
    let v = caught(&instance(), &plan, Rule::Coverage, "r4");
    only_rules(&v, &[Rule::Coverage]);
    assert_eq!(v.len(), 1, "{}", show(&v));
}

#[test]
fn catches_every_request_of_an_empty_plan() {
    let v = validate(&instance(), &proto::Plan::default());
    only_rules(&v, &[Rule::Coverage]);
    let mut ids: Vec<&str> = v.iter().map(|x| x.request_id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["r1", "r2", "r3", "r4", "r5"]);
}

// ---- H2 -------------------------------------------------------------------------------------

#[test]
fn catches_a_nurse_on_a_doctor_only_request() {
    // Reprise lasts 40 min with a nurse too, so only the professional is wrong.
    let plan = replacing(
        "r1",
        appt(
            "r1", "N1", "V2", MON, "09:50", "10:30", IN_PERSON, "C1", "R1",
        ),
    );
    let v = caught(&instance(), &plan, Rule::H2, "r1");
    only_rules(&v, &[Rule::H2]);
    assert!(v.iter().any(|x| x.message.contains("needs a doctor")));
    assert!(v.iter().any(|x| x.message.contains("not qualified")));
}

#[test]
fn catches_a_doctor_on_a_nurse_only_request() {
    let mut plan = valid_plan();
    plan.unscheduled.clear();
    plan.appointments.push(appt(
        "r4", "D1", "V5", MON, "13:30", "13:55", IN_PERSON, "C1", "R2",
    ));
    plan.room_allocations.push(alloc("V5", "C1", "R2"));
    let v = caught(&instance(), &plan, Rule::H2, "r4");
    assert!(v.iter().any(|x| x.message.contains("needs a nurse")));
}

#[test]
fn catches_a_professional_other_than_the_vacations() {
    let plan = with_appointment("r1", |a| a.professional_id = "N1".into());
    let v = caught(&instance(), &plan, Rule::H2, "r1");
    only_rules(&v, &[Rule::H2]);
    let plan = with_appointment("r1", |a| a.professional_id = "nobody".into());
    caught(&instance(), &plan, Rule::H2, "r1");
}

#[test]
fn catches_a_professional_of_another_service() {
    let services = |a: &'static str, b: &'static str| {
        instance_with(move |v| {
            v["professionals"][0]["serviceId"] = json!(a);
            v["professionals"][1]["serviceId"] = json!(b);
            v["companies"][0]["serviceId"] = json!(b);
            v["companies"][1]["serviceId"] = json!(a);
        })
    };
    assert_valid(&services("one", "one"), &valid_plan());
    // D1 and company B in "north", N1 and company A in "south": r1 (A) is with D1, r2 and
    // r3 (B) with N1.
    let crossed = services("north", "south");
    for r in ["r1", "r2", "r3"] {
        let v = caught(&crossed, &valid_plan(), Rule::H2, r);
        assert!(
            v.iter()
                .any(|x| x.request_id == r && x.message.contains("of service")),
            "{r}"
        );
    }
    only_rules(&validate(&crossed, &valid_plan()), &[Rule::H2]);
}

// ---- H3 -------------------------------------------------------------------------------------

#[test]
fn catches_a_half_day_the_worker_declared_unavailable() {
    let plan = replacing(
        "r3",
        appt(
            "r3", "N1", "V2", MON, "09:50", "10:15", IN_PERSON, "C1", "R1",
        ),
    );
    let v = caught(&instance(), &plan, Rule::H3, "r3");
    only_rules(&v, &[Rule::H3]);
}

#[test]
fn catches_a_visit_before_its_release_date() {
    let mut plan = valid_plan();
    plan.unscheduled.clear();
    plan.appointments.push(appt(
        "r4", "N1", "V2", MON, "09:50", "10:15", IN_PERSON, "C1", "R1",
    ));
    let v = caught(&instance(), &plan, Rule::H3, "r4");
    only_rules(&v, &[Rule::H3]);
}

#[test]
fn catches_a_visit_before_the_notice_limit() {
    // Published Saturday 28th with 3 days' notice: nothing before Tuesday.
    let inst = instance_with(|v| {
        v["policy"] = json!({"publicationDate": "2026-11-28", "noticeDays": 3});
    });
    let v = caught(&inst, &valid_plan(), Rule::H3, "r1");
    only_rules(&v, &[Rule::H3]);
    assert!(v.iter().all(|x| x.request_id != "r3"), "{}", show(&v));
}

#[test]
fn catches_a_date_other_than_the_vacations() {
    let plan = with_appointment("r1", |a| a.date = TUE.into());
    let v = caught(&instance(), &plan, Rule::H3, "r1");
    only_rules(&v, &[Rule::H3]);
}

#[test]
fn catches_a_date_outside_the_horizon_or_unreadable() {
    for date in ["2027-01-04", "2026-11-29", "30/11/2026", "", "2026-02-30"] {
        let plan = with_appointment("r1", |a| a.date = date.into());
        let v = caught(&instance(), &plan, Rule::H3, "r1");
        only_rules(&v, &[Rule::H3]);
    }
}

// ---- H4 -------------------------------------------------------------------------------------

#[test]
fn catches_overlapping_appointments_of_one_vacation() {
    let plan = with_appointment("r5", |a| {
        a.start = "09:10".into();
        a.end = "09:35".into();
    });
    let v = caught(&instance(), &plan, Rule::H4, "r5");
    only_rules(&v, &[Rule::H4]);
    assert!(v.iter().any(|x| x.message.contains("overlaps")));
}

#[test]
fn catches_an_appointment_longer_than_the_request() {
    let plan = with_appointment("r1", |a| a.end = "09:30".into());
    let v = caught(&instance(), &plan, Rule::H4, "r1");
    only_rules(&v, &[Rule::H4]);
    assert!(v.iter().any(|x| x.message.contains("lasts 60 min")));
}

#[test]
fn catches_an_appointment_shorter_than_the_request() {
    let plan = with_appointment("r2", |a| a.end = "09:20".into());
    let v = caught(&instance(), &plan, Rule::H4, "r2");
    only_rules(&v, &[Rule::H4]);
}

#[test]
fn catches_an_appointment_outside_its_vacation() {
    let plan = with_appointment("r1", |a| {
        a.start = "11:40".into();
        a.end = "12:20".into();
    });
    let v = caught(&instance(), &plan, Rule::H4, "r1");
    only_rules(&v, &[Rule::H4]);
    assert!(v.iter().any(|x| x.message.contains("not inside")));
    let plan = with_appointment("r2", |a| {
        a.start = "08:35".into();
        a.end = "09:00".into();
    });
    caught(&instance(), &plan, Rule::H4, "r2");
}

#[test]
fn catches_more_appointments_than_the_vacation_allows() {
    let inst = instance_with(|v| v["vacations"][1]["maxAppointments"] = json!(1));
    let v = caught(&inst, &valid_plan(), Rule::H4, "V2");
    only_rules(&v, &[Rule::H4]);
}

#[test]
fn catches_an_appointment_in_a_vacation_cancelled_by_an_absence() {
    let mut plan = replacing(
        "r1",
        appt(
            "r1", "D1", "V4", THU, "08:30", "09:10", IN_PERSON, "C2", "R3",
        ),
    );
    plan.room_allocations.push(alloc("V4", "C2", "R3"));
    let v = caught(&instance(), &plan, Rule::H4, "r1");
    only_rules(&v, &[Rule::H4]);
    assert!(v.iter().any(|x| x.message.contains("absence")));
}

#[test]
fn catches_an_absence_cancellation_even_when_the_model_flag_is_cleared() {
    // The validator recomputes cancellations from the absences, not from the model's flag.
    let mut inst = instance();
    for v in &mut inst.vacations {
        v.cancelled = false;
    }
    let mut plan = replacing(
        "r1",
        appt(
            "r1", "D1", "V4", THU, "08:30", "09:10", IN_PERSON, "C2", "R3",
        ),
    );
    plan.room_allocations.push(alloc("V4", "C2", "R3"));
    caught(&inst, &plan, Rule::H4, "r1");
}

#[test]
fn catches_a_partial_day_absence_overlapping_a_vacation() {
    let inst = instance_with(|v| {
        v["absences"] =
            json!([{"professionalId": "D1", "from": "2026-11-30T11:30", "to": "2026-11-30T12:30"}]);
    });
    let v = caught(&inst, &valid_plan(), Rule::H4, "r1");
    only_rules(&v, &[Rule::H4]);
    // An absence ending when the vacation starts leaves it alone.
    let inst = instance_with(|v| {
        v["absences"] =
            json!([{"professionalId": "D1", "from": "2026-11-30T07:00", "to": "2026-11-30T08:30"}]);
    });
    assert_valid(&inst, &valid_plan());
}

#[test]
fn catches_an_unknown_vacation() {
    let plan = with_appointment("r1", |a| a.vacation_id = "V9".into());
    let v = caught(&instance(), &plan, Rule::H4, "r1");
    only_rules(&v, &[Rule::H4]);
}

#[test]
fn catches_unreadable_or_reversed_times() {
    for (start, end) in [
        ("25:99", "09:10"),
        ("08:30", "9:10"),
        ("", ""),
        ("+8:30", "09:10"),
        ("09:10", "08:30"),
        ("08:30", "08:30"),
    ] {
        let plan = with_appointment("r1", |a| {
            a.start = start.into();
            a.end = end.into();
        });
        let v = caught(&instance(), &plan, Rule::H4, "r1");
        only_rules(&v, &[Rule::H4]);
    }
}

// ---- H5 -------------------------------------------------------------------------------------

#[test]
fn catches_a_teleconsultation_for_a_request_needing_equipment() {
    let plan = with_appointment("r2", |a| a.mode = TELE);
    let v = caught(&instance(), &plan, Rule::H5, "r2");
    only_rules(&v, &[Rule::H5]);
}

#[test]
fn catches_a_teleconsultation_in_a_vacation_that_does_not_offer_it() {
    let plan = with_appointment("r1", |a| a.mode = TELE);
    let v = caught(&instance(), &plan, Rule::H5, "r1");
    only_rules(&v, &[Rule::H5]);
}

#[test]
fn catches_a_teleconsultation_the_worker_refuses() {
    let mut plan = valid_plan();
    plan.unscheduled.clear();
    plan.appointments
        .push(appt("r4", "N1", "V3", TUE, "08:55", "09:20", TELE, "", ""));
    let v = caught(&instance(), &plan, Rule::H5, "r4");
    only_rules(&v, &[Rule::H5]);
}

#[test]
fn catches_an_in_person_visit_in_a_remote_vacation() {
    let plan = with_appointment("r3", |a| a.mode = IN_PERSON);
    let v = caught(&instance(), &plan, Rule::H5, "r3");
    only_rules(&v, &[Rule::H5]);
}

#[test]
fn catches_an_unknown_mode() {
    for mode in [0, 7, -1] {
        let plan = with_appointment("r1", |a| a.mode = mode);
        let v = caught(&instance(), &plan, Rule::H5, "r1");
        only_rules(&v, &[Rule::H5]);
    }
}

// ---- H6 -------------------------------------------------------------------------------------

#[test]
fn catches_a_missing_room_allocation() {
    let mut plan = valid_plan();
    plan.room_allocations.retain(|a| a.vacation_id != "V1");
    let v = caught(&instance(), &plan, Rule::H6, "V1");
    only_rules(&v, &[Rule::H6]);
}

#[test]
fn catches_a_missing_room_for_teleconsultations_of_a_centre_vacation() {
    let plan = alone(
        appt("r5", "N1", "V2", MON, "09:00", "09:25", TELE, "", ""),
        vec![],
    );
    let v = caught(&instance(), &plan, Rule::H6, "V2");
    only_rules(&v, &[Rule::H6]);
}

#[test]
fn catches_a_room_shared_by_overlapping_vacations() {
    let mut plan = with_appointment("r1", |a| a.room_id = "R1".into());
    plan.room_allocations[0] = alloc("V1", "C1", "R1");
    let v = caught(&instance(), &plan, Rule::H6, "V2");
    only_rules(&v, &[Rule::H6]);
    assert!(v.iter().any(|x| x.message.contains("shared")));
}

#[test]
fn catches_a_room_lacking_the_equipment() {
    let mut plan = valid_plan();
    for a in &mut plan.appointments {
        if a.vacation_id == "V2" {
            a.room_id = "R2".into();
        }
    }
    plan.room_allocations = vec![alloc("V1", "C1", "R1"), alloc("V2", "C1", "R2")];
    for a in &mut plan.appointments {
        if a.vacation_id == "V1" {
            a.room_id = "R1".into();
        }
    }
    let v = caught(&instance(), &plan, Rule::H6, "r2");
    only_rules(&v, &[Rule::H6]);
    assert!(v.iter().any(|x| x.message.contains("audiometry")));
}

#[test]
fn catches_a_room_outside_the_candidate_centres() {
    let mut plan = with_appointment("r1", |a| {
        a.centre_id = "C2".into();
        a.room_id = "R3".into();
    });
    plan.room_allocations[0] = alloc("V1", "C2", "R3");
    let v = caught(&instance(), &plan, Rule::H6, "V1");
    only_rules(&v, &[Rule::H6]);
}

#[test]
fn catches_a_room_given_to_a_remote_vacation() {
    let mut plan = valid_plan();
    plan.room_allocations.push(alloc("V3", "C2", "R3"));
    let v = caught(&instance(), &plan, Rule::H6, "V3");
    only_rules(&v, &[Rule::H6]);
}

#[test]
fn catches_a_remote_appointment_naming_a_room() {
    let plan = with_appointment("r3", |a| {
        a.centre_id = "C2".into();
        a.room_id = "R3".into();
    });
    let v = caught(&instance(), &plan, Rule::H6, "r3");
    only_rules(&v, &[Rule::H6]);
}

#[test]
fn catches_an_appointment_in_another_room_than_its_vacations() {
    let plan = with_appointment("r1", |a| a.room_id = "R1".into());
    let v = caught(&instance(), &plan, Rule::H6, "r1");
    only_rules(&v, &[Rule::H6]);
}

#[test]
fn catches_an_allocation_naming_the_wrong_centre() {
    let mut plan = valid_plan();
    plan.room_allocations[0].centre_id = "C2".into();
    let v = caught(&instance(), &plan, Rule::H6, "V1");
    only_rules(&v, &[Rule::H6]);
}

#[test]
fn catches_two_allocations_for_one_vacation() {
    let mut plan = valid_plan();
    plan.room_allocations.push(alloc("V1", "C1", "R2"));
    let v = caught(&instance(), &plan, Rule::H6, "V1");
    only_rules(&v, &[Rule::H6]);
}

#[test]
fn catches_unknown_rooms_and_vacations_in_allocations() {
    let mut plan = valid_plan();
    plan.room_allocations[0].room_id = "R9".into();
    caught(&instance(), &plan, Rule::H6, "V1");
    let mut plan = valid_plan();
    plan.room_allocations.push(alloc("V9", "C1", "R2"));
    caught(&instance(), &plan, Rule::H6, "V9");
}

// ---- H7 -------------------------------------------------------------------------------------

#[test]
fn catches_an_in_person_visit_outside_the_allowed_centres() {
    let mut plan = valid_plan();
    for a in &mut plan.appointments {
        if a.vacation_id == "V2" {
            a.centre_id = "C2".into();
            a.room_id = "R3".into();
        }
    }
    plan.room_allocations[1] = alloc("V2", "C2", "R3");
    let v = caught(&instance(), &plan, Rule::H7, "r5");
    caught(&instance(), &plan, Rule::H7, "r2");
    // r2 also loses its audiometer (H6); nothing else breaks.
    only_rules(&v, &[Rule::H6, Rule::H7]);
    // By teleconsultation, the allowed centres do not apply.
    let plan = alone(
        appt("r5", "N1", "V2", MON, "09:00", "09:25", TELE, "C2", "R3"),
        vec![alloc("V2", "C2", "R3")],
    );
    assert_valid(&instance(), &plan);
}

// ---- appointment_allowed --------------------------------------------------------------------

fn idx(inst: &Instance, kind: &str, id: &str) -> usize {
    let map = match kind {
        "request" => &inst.index.requests,
        "vacation" => &inst.index.vacations,
        _ => &inst.index.rooms,
    };
    map[id]
}

#[test]
fn appointment_allowed_follows_the_per_appointment_rules() {
    let inst = instance();
    let r = |id| idx(&inst, "request", id);
    let v = |id| idx(&inst, "vacation", id);
    let k = |id| Some(idx(&inst, "room", id));
    let ok = |req, vac, mode, room| appointment_allowed(&inst, r(req), v(vac), mode, room);
    assert!(ok("r1", "V1", Mode::InPerson, k("R2")));
    assert!(ok("r1", "V1", Mode::InPerson, k("R1")));
    assert!(!ok("r1", "V1", Mode::InPerson, k("R3")), "C2 is not V1's");
    assert!(!ok("r1", "V1", Mode::InPerson, None), "V1 needs a room");
    assert!(!ok("r1", "V1", Mode::Teleconsultation, k("R2")));
    assert!(!ok("r1", "V2", Mode::InPerson, k("R1")), "nurse");
    assert!(!ok("r1", "V4", Mode::InPerson, k("R3")), "absence");
    assert!(ok("r2", "V2", Mode::InPerson, k("R1")));
    assert!(!ok("r2", "V2", Mode::InPerson, k("R2")), "equipment");
    assert!(
        !ok("r2", "V2", Mode::Teleconsultation, k("R1")),
        "equipment"
    );
    assert!(ok("r5", "V2", Mode::Teleconsultation, k("R3")));
    assert!(!ok("r5", "V2", Mode::InPerson, k("R3")), "H7");
    assert!(!ok("r3", "V2", Mode::InPerson, k("R1")), "unavailable");
    assert!(ok("r3", "V3", Mode::Teleconsultation, None));
    assert!(!ok("r3", "V3", Mode::Teleconsultation, k("R1")), "remote");
    assert!(
        !ok("r4", "V3", Mode::Teleconsultation, None),
        "in person only"
    );
    assert!(!ok("r4", "V2", Mode::InPerson, k("R1")), "before release");
    assert!(!appointment_allowed(&inst, 99, 0, Mode::InPerson, None));
    assert!(!appointment_allowed(&inst, 0, 99, Mode::InPerson, None));
    assert!(!appointment_allowed(&inst, 0, 0, Mode::InPerson, Some(99)));
}

#[test]
fn appointment_allowed_agrees_with_validate_on_single_appointment_plans() {
    // Every candidate, placed alone at its vacation's start with its room, is valid exactly
    // when appointment_allowed says so; the two share only the per-rule helpers.
    for inst in [
        instance(),
        instance_with(|v| {
            v["policy"] = json!({"publicationDate": "2026-11-28", "noticeDays": 3});
            v["requests"][0]["durationMinutes"] = json!(200);
        }),
        instance_with(|v| {
            v["requests"][2]["durationMinutes"] = json!(210);
            v["requests"][3]["modes"] = json!([]);
        }),
    ] {
        let mut counts = [0usize; 2];
        let mut rooms: Vec<Option<usize>> = (0..inst.rooms.len()).map(Some).collect();
        rooms.push(None);
        for (r, req) in inst.requests.iter().enumerate() {
            for (v, vac) in inst.vacations.iter().enumerate() {
                let prof = &inst.professionals[vac.professional];
                for mode in [Mode::InPerson, Mode::Teleconsultation] {
                    for &room in &rooms {
                        let start = vac.start;
                        let end = start + req.minutes(prof.role);
                        let (centre, room_id) = match room {
                            Some(k) => (
                                inst.centres[inst.rooms[k].centre].id.clone(),
                                inst.rooms[k].id.clone(),
                            ),
                            None => (String::new(), String::new()),
                        };
                        let plan = alone(
                            proto::Appointment {
                                request_id: req.id.clone(),
                                professional_id: prof.id.clone(),
                                vacation_id: vac.id.clone(),
                                date: vac.date.format("%Y-%m-%d").to_string(),
                                start: convoplan::model::format_time(start),
                                end: convoplan::model::format_time(end.min(24 * 60)),
                                mode: match mode {
                                    Mode::InPerson => IN_PERSON,
                                    Mode::Teleconsultation => TELE,
                                },
                                centre_id: centre.clone(),
                                room_id: room_id.clone(),
                            },
                            room.map(|_| alloc(&vac.id, &centre, &room_id))
                                .into_iter()
                                .collect(),
                        );
                        let allowed = appointment_allowed(&inst, r, v, mode, room);
                        counts[usize::from(allowed)] += 1;
                        let violations = validate(&inst, &plan);
                        assert_eq!(
                            allowed,
                            violations.is_empty(),
                            "{} in {} {mode:?} room {room:?}:\n{}",
                            req.id,
                            vac.id,
                            show(&violations)
                        );
                    }
                }
            }
        }
        assert!(
            counts[0] > 0 && counts[1] > 0,
            "both outcomes occur: {counts:?}"
        );
    }
}

// ---- score and KPIs -------------------------------------------------------------------------

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn scores_the_hand_made_plan_exactly() {
    let s = score(&instance(), &valid_plan());
    let classes: Vec<(u32, i32, u32, u32, u32)> = s
        .classes
        .iter()
        .map(|c| (c.tier, c.urgency, c.pending, c.scheduled, c.companies))
        .collect();
    let (overdue, due_in, later) = (
        proto::Urgency::Overdue as i32,
        proto::Urgency::DueInHorizon as i32,
        proto::Urgency::DueLater as i32,
    );
    assert_eq!(
        classes,
        vec![
            (1, due_in, 1, 1, 1),   // r1 reprise, due Wednesday
            (14, overdue, 1, 1, 1), // r5 vip_initiale, due Friday 27th
            (14, later, 1, 1, 1),   // r2 vip_initiale, no due date
            (15, later, 2, 1, 2),   // r3 (B, scheduled), r4 (A, not)
        ]
    );
    for c in &s.classes[..3] {
        assert!(close(c.min_company_ratio, 1.0) && close(c.mean_company_ratio, 1.0));
    }
    assert!(close(s.classes[3].min_company_ratio, 0.0));
    assert!(close(s.classes[3].mean_company_ratio, 0.5));
    // r5 seen Monday 30th, due Friday 27th: 3 days late; r1 is on time.
    assert_eq!(s.lateness_days, 3);
    // r1: home centre C1 (+2); r5: referent N1 (+4), preferred N1 (+4), home centre (+2);
    // spread: A over V1 and V2 (-1), B over V2 and V3 (-1); rooms R1 and R2 (-2).
    assert!(close(s.quality, 8.0), "quality {}", s.quality);
}

#[test]
fn score_counts_a_duplicated_request_once_and_ignores_unknown_ids() {
    let mut plan = valid_plan();
    plan.appointments.push(appt(
        "r1", "D1", "V1", MON, "09:10", "09:50", IN_PERSON, "C1", "R2",
    ));
    plan.appointments.push(appt(
        "ghost", "D1", "V1", MON, "09:50", "10:30", IN_PERSON, "C1", "R2",
    ));
    plan.appointments.push(appt(
        "r4", "N1", "V9", TUE, "09:00", "09:25", IN_PERSON, "C1", "R2",
    ));
    assert_eq!(score(&instance(), &plan), score(&instance(), &valid_plan()));
    assert_eq!(kpis(&instance(), &plan), kpis(&instance(), &valid_plan()));
}

#[test]
fn score_follows_the_policy_weights() {
    let inst = instance_with(|v| {
        v["policy"] = json!({"weights": {"referent": 10, "preferredProfessional": 0,
            "preferredCentre": 1, "companySpread": 3, "roomOpened": 0.5}});
    });
    // Referent 10 (r5) + centre 1 + 1 (r1, r5) - 3 × 2 - 0.5 × 2.
    assert!(close(score(&inst, &valid_plan()).quality, 5.0));
}

#[test]
fn kpis_of_the_hand_made_plan_are_exact() {
    let k = kpis(&instance(), &valid_plan());
    let occ = |list: &[proto::Occupancy]| -> Vec<(String, u64, u64)> {
        list.iter()
            .map(|o| (o.id.clone(), o.booked_minutes, o.offered_minutes))
            .collect()
    };
    let s = |x: &str| x.to_string();
    // D1: V1 and V5 offered (V4 is cancelled), r1 booked; N1: V2 and V3, r2 r5 r3.
    assert_eq!(
        occ(&k.professionals),
        vec![(s("D1"), 40, 420), (s("N1"), 75, 390)]
    );
    assert_eq!(
        occ(&k.rooms),
        vec![(s("R1"), 50, 180), (s("R2"), 40, 210), (s("R3"), 0, 0)]
    );
    assert_eq!(occ(&k.centres), vec![(s("C1"), 90, 390), (s("C2"), 0, 0)]);
    assert!(close(k.professionals[0].ratio, 40.0 / 420.0));
    assert!(close(k.rooms[0].ratio, 50.0 / 180.0));
    assert!(close(k.rooms[2].ratio, 0.0));
    assert!(close(k.centres[0].ratio, 90.0 / 390.0));
    assert!(close(k.teleconsultation_share, 0.25));
    // r1 and r5 belong to A, whose referent N1 sees r5 only.
    assert!(close(k.referent_share, 0.5));
    assert_eq!((k.scheduled, k.pending), (4, 5));
}

#[test]
fn kpis_of_an_empty_plan_are_zero() {
    let k = kpis(&instance(), &proto::Plan::default());
    assert!(k
        .rooms
        .iter()
        .all(|o| o.booked_minutes == 0 && o.offered_minutes == 0));
    assert!(k
        .professionals
        .iter()
        .all(|o| o.booked_minutes == 0 && o.ratio == 0.0));
    assert_eq!(k.teleconsultation_share, 0.0);
    assert_eq!(k.referent_share, 0.0);
    assert_eq!((k.scheduled, k.pending), (0, 5));
    let s = score(&instance(), &proto::Plan::default());
    assert!(s
        .classes
        .iter()
        .all(|c| c.scheduled == 0 && c.min_company_ratio == 0.0));
    assert_eq!(s.lateness_days, 0);
    assert_eq!(s.quality, 0.0);
}

#[test]
fn a_plan_survives_the_json_round_trip_and_stays_valid() {
    let text = serde_json::to_string(&valid_plan()).expect("plan serialises");
    assert!(text.contains("\"roomAllocations\""), "{text}");
    let plan: proto::Plan = serde_json::from_str(&text).expect("plan parses");
    assert_valid(&instance(), &plan);
}

// ---- garbage --------------------------------------------------------------------------------

fn id_of(pool: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(pool).prop_map(String::from),
        1 => "\\PC{0,4}",
    ]
}

fn time() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (0u32..26, 0u32..100).prop_map(|(h, m)| format!("{h:02}:{m:02}")),
        1 => proptest::sample::select(&["24:00", "25:99", "", "9:00", "+1:00", "aa:bb", ":"][..])
            .prop_map(String::from),
        1 => "\\PC{0,6}",
    ]
}

fn date() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (2025i32..2028, 0u32..14, 0u32..33).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}")),
        1 => "\\PC{0,12}",
    ]
}

const REQUESTS: &[&str] = &["r1", "r2", "r3", "r4", "r5", "", "rx"];
const VACATIONS: &[&str] = &["V1", "V2", "V3", "V4", "V5", "", "Vx"];
const PROFESSIONALS: &[&str] = &["D1", "N1", "", "Px"];
const CENTRES: &[&str] = &["C1", "C2", "", "Cx"];
const ROOMS: &[&str] = &["R1", "R2", "R3", "", "Rx"];

fn appointment() -> impl Strategy<Value = proto::Appointment> {
    (
        id_of(REQUESTS),
        id_of(PROFESSIONALS),
        id_of(VACATIONS),
        date(),
        time(),
        time(),
        prop_oneof![3 => 0i32..3, 1 => any::<i32>()],
        id_of(CENTRES),
        id_of(ROOMS),
    )
        .prop_map(|(r, p, v, d, s, e, mode, c, k)| proto::Appointment {
            request_id: r,
            professional_id: p,
            vacation_id: v,
            date: d,
            start: s,
            end: e,
            mode,
            centre_id: c,
            room_id: k,
        })
}

fn garbage_plan() -> impl Strategy<Value = proto::Plan> {
    (
        proptest::collection::vec(appointment(), 0..12),
        proptest::collection::vec(
            (id_of(VACATIONS), id_of(CENTRES), id_of(ROOMS))
                .prop_map(|(v, c, k)| alloc(&v, &c, &k)),
            0..6,
        ),
        proptest::collection::vec(id_of(REQUESTS), 0..4),
    )
        .prop_map(
            |(appointments, room_allocations, unscheduled)| proto::Plan {
                appointments,
                room_allocations,
                unscheduled: unscheduled
                    .into_iter()
                    .map(|request_id| proto::Unscheduled {
                        request_id,
                        reason: 3,
                        detail: String::new(),
                    })
                    .collect(),
                ..Default::default()
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn never_panics_on_garbage_plans(plan in garbage_plan()) {
        let inst = instance();
        let violations = validate(&inst, &plan);
        let s = score(&inst, &plan);
        let k = kpis(&inst, &plan);
        prop_assert_eq!(s.classes.len(), inst.classes.len());
        for c in &s.classes {
            prop_assert!(c.scheduled <= c.pending);
            prop_assert!((0.0..=1.0).contains(&c.min_company_ratio));
            prop_assert!(c.min_company_ratio <= c.mean_company_ratio + 1e-12);
        }
        prop_assert!(k.scheduled <= k.pending);
        prop_assert!((0.0..=1.0).contains(&k.teleconsultation_share));
        // Anything that is not one of the known ids must be reported.
        let unknown = plan.appointments.iter().any(|a| {
            !REQUESTS[..5].contains(&a.request_id.as_str())
                || !VACATIONS[..5].contains(&a.vacation_id.as_str())
        });
        prop_assert!(!unknown || !violations.is_empty());
    }
}
