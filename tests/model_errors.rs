//! Every bad input of the instance is rejected with an error naming its field path, and no
//! input makes the conversion panic.

use convoplan::model::{parse_instance_json, Instance, InvalidInstance};
use convoplan::proto;
use proptest::prelude::*;
use serde_json::{json, Value};

/// A small valid instance as JSON, to break one field at a time.
fn base() -> Value {
    json!({
        "name": "base",
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
            {"id": "V2", "professionalId": "D1", "date": "2026-11-30", "start": "13:30", "end": "17:00", "centreIds": ["C1", "C2"]},
            {"id": "V3", "professionalId": "N1", "date": "2026-12-01", "start": "08:30", "end": "12:00", "modes": ["MODE_TELECONSULTATION"]}
        ],
        "absences": [{"professionalId": "N1", "from": "2026-12-03", "to": "2026-12-04"}],
        "companies": [
            {"id": "A", "headcount": 8, "referentProfessionalId": "N1", "homeCentreId": "C1"},
            {"id": "B", "headcount": 400}
        ],
        "requests": [
            {"id": "r1", "workerId": "W1", "companyId": "A", "kind": "reprise", "releaseDate": "2026-11-20", "dueDate": "2026-12-02"},
            {"id": "r2", "workerId": "W2", "companyId": "B", "kind": "vip_initiale", "equipment": ["audiometry"], "allowedCentreIds": ["C1"]},
            {"id": "r3", "workerId": "W3", "companyId": "B", "kind": "vip_periodique", "unavailable": [{"date": "2026-12-01", "halfDay": "HALF_DAY_MORNING"}]}
        ],
        "policy": {"publicationDate": "2026-11-23", "noticeDays": 3}
    })
}

/// Converts JSON to a validated instance, through the same parser as the CLI.
fn convert(v: &Value) -> Result<Instance, InvalidInstance> {
    let wire = parse_instance_json(&v.to_string())?;
    Instance::from_proto(&wire)
}

/// Applies `edit` to the base instance and expects an error at `path`.
fn rejects(path: &str, edit: impl FnOnce(&mut Value)) -> InvalidInstance {
    let mut v = base();
    edit(&mut v);
    match convert(&v) {
        Ok(_) => panic!("accepted an instance that should fail at {path}"),
        Err(e) => {
            assert!(e.has_path(path), "expected an error at {path}, got: {e}");
            e
        }
    }
}

#[test]
fn accepts_the_base_instance() {
    let inst = convert(&base()).expect("base instance is valid");
    assert_eq!(inst.requests.len(), 3);
    assert_eq!(inst.first_bookable_day, -4);
    assert!(inst.requests[0].needs_doctor, "reprise is doctor-only");
}

#[test]
fn rejects_unknown_ids() {
    rejects("vacations[0].professionalId", |v| {
        v["vacations"][0]["professionalId"] = json!("X")
    });
    rejects("vacations[1].centreIds[1]", |v| {
        v["vacations"][1]["centreIds"][1] = json!("C9")
    });
    rejects("requests[1].companyId", |v| {
        v["requests"][1]["companyId"] = json!("Z")
    });
    rejects("requests[1].allowedCentreIds[0]", |v| {
        v["requests"][1]["allowedCentreIds"][0] = json!("C9")
    });
    rejects("requests[0].preferredProfessionalId", |v| {
        v["requests"][0]["preferredProfessionalId"] = json!("P9")
    });
    rejects("companies[0].referentProfessionalId", |v| {
        v["companies"][0]["referentProfessionalId"] = json!("P9")
    });
    rejects("companies[0].homeCentreId", |v| {
        v["companies"][0]["homeCentreId"] = json!("C9")
    });
    rejects("absences[0].professionalId", |v| {
        v["absences"][0]["professionalId"] = json!("P9")
    });
}

/// The base instance as a platform of two services: D1 and company B in "north", N1 and
/// company A (whose referent is N1) in "south".
fn two_services(v: &mut Value) {
    v["professionals"][0]["serviceId"] = json!("north");
    v["professionals"][1]["serviceId"] = json!("south");
    v["companies"][0]["serviceId"] = json!("south");
    v["companies"][1]["serviceId"] = json!("north");
}

#[test]
fn accepts_services_named_everywhere() {
    let mut v = base();
    two_services(&mut v);
    let inst = convert(&v).expect("two services are valid");
    assert_eq!(inst.services, ["north", "south"]);
    assert_eq!(inst.professionals[0].service, 0);
    assert_eq!(inst.companies[0].service, 1);
    assert_eq!(convert(&base()).expect("valid").services, [""]);
}

#[test]
fn rejects_services_named_on_some_only_or_crossed() {
    rejects("professionals[1].serviceId", |v| {
        two_services(v);
        v["professionals"][1]["serviceId"] = json!("");
    });
    rejects("companies[1].serviceId", |v| {
        v["companies"][1]["serviceId"] = json!("north")
    });
    let e = rejects("companies[1].serviceId", |v| {
        two_services(v);
        v["companies"][1]["serviceId"] = json!("east");
    });
    assert!(
        e.to_string()
            .contains("no professional of service \"east\""),
        "{e}"
    );
    rejects("companies[0].referentProfessionalId", |v| {
        two_services(v);
        v["companies"][0]["referentProfessionalId"] = json!("D1");
    });
    rejects("requests[2].preferredProfessionalId", |v| {
        two_services(v);
        v["requests"][2]["preferredProfessionalId"] = json!("N1");
    });
}

#[test]
fn rejects_duplicate_ids() {
    rejects("requests[2].id", |v| v["requests"][2]["id"] = json!("r1"));
    rejects("vacations[1].id", |v| v["vacations"][1]["id"] = json!("V1"));
    rejects("centres[1].rooms[0].id", |v| {
        v["centres"][1]["rooms"][0]["id"] = json!("R1")
    });
    rejects("professionals[1].id", |v| {
        v["professionals"][1]["id"] = json!("D1")
    });
    rejects("companies[1].id", |v| v["companies"][1]["id"] = json!("A"));
    rejects("centres[1].id", |v| v["centres"][1]["id"] = json!("C1"));
    rejects("requests[0].id", |v| v["requests"][0]["id"] = json!(""));
}

#[test]
fn rejects_end_not_after_start() {
    rejects("vacations[0].end", |v| {
        v["vacations"][0]["end"] = json!("08:30")
    });
    rejects("absences[0].to", |v| {
        v["absences"][0]["to"] = json!("2026-12-03T00:00")
    });
}

#[test]
fn rejects_overlapping_vacations_of_one_professional() {
    let e = rejects("vacations[1].start", |v| {
        v["vacations"][1]["start"] = json!("11:00")
    });
    assert!(e.to_string().contains("overlaps vacation \"V1\""), "{e}");
}

#[test]
fn rejects_due_date_before_release_date() {
    let e = rejects("requests[0].dueDate", |v| {
        v["requests"][0]["dueDate"] = json!("2026-11-10")
    });
    assert_eq!(
        e.to_string(),
        "invalid instance: requests[0].dueDate: before releaseDate"
    );
}

#[test]
fn rejects_bad_durations() {
    // Negative: refused by the JSON mapping of uint32, with its path.
    rejects("requests[1].durationMinutes", |v| {
        v["requests"][1]["durationMinutes"] = json!(-5)
    });
    // Longer than every vacation (the longest lasts 210 minutes).
    rejects("requests[1].durationMinutes", |v| {
        v["requests"][1]["durationMinutes"] = json!(240)
    });
    // A new kind needs its durations.
    rejects("policy.kinds[0].doctorMinutes", |v| {
        v["policy"]["kinds"] = json!([{"kind": "new_kind", "tier": 3}])
    });
}

#[test]
fn rejects_unknown_kinds_roles_and_equipment() {
    rejects("requests[2].kind", |v| {
        v["requests"][2]["kind"] = json!("astrology")
    });
    rejects("professionals[1].qualifiedKinds[1]", |v| {
        v["professionals"][1]["qualifiedKinds"][1] = json!("astrology")
    });
    rejects("professionals[0].role", |v| {
        v["professionals"][0]["role"] = json!("ROLE_UNSPECIFIED")
    });
    rejects("professionals[0].role", |v| {
        v["professionals"][0]["role"] = json!("ROLE_PILOT")
    });
    rejects("requests[0].requiredRole", |v| {
        v["requests"][0]["requiredRole"] = json!("ROLE_NURSE")
    });
    rejects("requests[1].equipment[0]", |v| {
        v["requests"][1]["equipment"][0] = json!("xray")
    });
    rejects("centres[0].rooms[0].equipment[0]", |v| {
        v["centres"][0]["rooms"][0]["equipment"][0] = json!("xray")
    });
    rejects("vacations[0].modes[0]", |v| {
        v["vacations"][0]["modes"] = json!(["MODE_UNSPECIFIED"])
    });
    rejects("vacations[2].modes", |v| {
        v["vacations"][2]["modes"] = json!(["MODE_IN_PERSON"])
    });
    rejects("requests[1].modes", |v| {
        v["requests"][1]["modes"] = json!(["MODE_TELECONSULTATION"])
    });
    rejects("requests[2].unavailable[0].halfDay", |v| {
        v["requests"][2]["unavailable"][0]["halfDay"] = json!("HALF_DAY_UNSPECIFIED")
    });
}

#[test]
fn accepts_a_kind_declared_in_the_policy() {
    let mut v = base();
    v["policy"]["kinds"] =
        json!([{"kind": "new_kind", "tier": 3, "doctorMinutes": 30, "nurseMinutes": 30}]);
    v["requests"][2]["kind"] = json!("new_kind");
    let inst = convert(&v).expect("declared kind");
    assert_eq!(inst.requests[2].class.tier, 3);
}

#[test]
fn rejects_impossible_dates_and_times() {
    rejects("horizon.startDate", |v| {
        v["horizon"]["startDate"] = json!("2026-02-30")
    });
    rejects("horizon.days", |v| v["horizon"]["days"] = json!(0));
    rejects("vacations[0].date", |v| {
        v["vacations"][0]["date"] = json!("2026-13-01")
    });
    rejects("vacations[0].date", |v| {
        v["vacations"][0]["date"] = json!("2027-01-04")
    });
    rejects("vacations[0].start", |v| {
        v["vacations"][0]["start"] = json!("25:00")
    });
    rejects("vacations[0].end", |v| {
        v["vacations"][0]["end"] = json!("12h00")
    });
    rejects("requests[0].releaseDate", |v| {
        v["requests"][0]["releaseDate"] = json!("2026-11-31")
    });
    rejects("requests[0].dueDate", |v| {
        v["requests"][0]["dueDate"] = json!("tomorrow")
    });
    rejects("requests[2].unavailable[0].date", |v| {
        v["requests"][2]["unavailable"][0]["date"] = json!("2026-00-01")
    });
    rejects("absences[0].from", |v| {
        v["absences"][0]["from"] = json!("2026-12-03T24:30")
    });
    rejects("policy.publicationDate", |v| {
        v["policy"]["publicationDate"] = json!("yesterday")
    });
}

#[test]
fn rejects_wrong_json_types_with_their_path() {
    rejects("requests[0].tier", |v| {
        v["requests"][0]["tier"] = json!("high")
    });
    rejects("horizon.days", |v| v["horizon"]["days"] = json!("five"));
}

#[test]
fn reports_every_error_at_once() {
    let mut v = base();
    v["requests"][0]["kind"] = json!("astrology");
    v["vacations"][0]["end"] = json!("07:00");
    v["companies"][0]["homeCentreId"] = json!("C9");
    let e = convert(&v).expect_err("three errors");
    assert_eq!(e.errors.len(), 3, "{e}");
}

#[test]
fn absences_cancel_overlapping_vacations_whole() {
    let mut v = base();
    v["absences"] =
        json!([{"professionalId": "D1", "from": "2026-11-30T15:00", "to": "2026-11-30T16:00"}]);
    let inst = convert(&v).expect("valid");
    assert!(!inst.vacations[0].cancelled);
    assert!(inst.vacations[1].cancelled);
}

fn arb_string() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("C1".to_string()),
        Just("R1".to_string()),
        Just("D1".to_string()),
        Just("V1".to_string()),
        Just("A".to_string()),
        Just("2026-11-30".to_string()),
        Just("2026-12-02T10:00".to_string()),
        Just("08:30".to_string()),
        Just("24:00".to_string()),
        Just("reprise".to_string()),
        Just("audiometry".to_string()),
        "\\PC{0,12}",
    ]
}

prop_compose! {
    fn arb_instance()(
        days in 0u32..400,
        start in arb_string(),
        rooms in proptest::collection::vec((arb_string(), proptest::collection::vec(arb_string(), 0..2)), 0..4),
        profs in proptest::collection::vec((arb_string(), -1i32..4, proptest::collection::vec(arb_string(), 0..2), arb_string()), 0..4),
        vacs in proptest::collection::vec((arb_string(), arb_string(), arb_string(), arb_string(), arb_string(), proptest::collection::vec(arb_string(), 0..3), proptest::collection::vec(-1i32..4, 0..3), 0u32..5), 0..6),
        absences in proptest::collection::vec((arb_string(), arb_string(), arb_string()), 0..3),
        comps in proptest::collection::vec((arb_string(), arb_string(), arb_string(), arb_string()), 0..3),
        reqs in proptest::collection::vec((arb_string(), arb_string(), arb_string(), arb_string(), arb_string(), 0u32..20, 0u32..500, -1i32..4, proptest::collection::vec(arb_string(), 0..2), proptest::collection::vec(-1i32..4, 0..3)), 0..8),
        notice in 0u32..10,
        publication in arb_string(),
    ) -> proto::Instance {
        proto::Instance {
            name: "arb".into(),
            horizon: Some(proto::Horizon { start_date: start, days }),
            centres: vec![proto::Centre {
                id: "C1".into(),
                name: String::new(),
                rooms: rooms.into_iter().map(|(id, equipment)| proto::Room { id, equipment }).collect(),
            }],
            professionals: profs.into_iter().map(|(id, role, qualified_kinds, service_id)| proto::Professional { id, role, qualified_kinds, service_id, ..Default::default() }).collect(),
            vacations: vacs.into_iter().map(|(id, professional_id, date, start, end, centre_ids, modes, max_appointments)| proto::Vacation { id, professional_id, date, start, end, centre_ids, modes, max_appointments }).collect(),
            absences: absences.into_iter().map(|(professional_id, from, to)| proto::Absence { professional_id, from, to }).collect(),
            companies: comps.into_iter().map(|(id, referent_professional_id, home_centre_id, service_id)| proto::Company { id, headcount: 3, referent_professional_id, home_centre_id, service_id }).collect(),
            requests: reqs.into_iter().map(|(id, company_id, kind, release_date, due_date, tier, duration_minutes, required_role, equipment, modes)| proto::VisitRequest {
                id, worker_id: "W".into(), company_id, kind, release_date, due_date, tier, duration_minutes, required_role, equipment, modes, ..Default::default()
            }).collect(),
            policy: Some(proto::Policy { notice_days: notice, publication_date: publication, ..Default::default() }),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    /// No input makes the conversion panic; every error names a field.
    #[test]
    fn never_panics_on_arbitrary_instances(p in arb_instance()) {
        match Instance::from_proto(&p) {
            Ok(inst) => prop_assert!(inst.requests.len() <= p.requests.len()),
            Err(e) => prop_assert!(e.errors.iter().all(|f| !f.path.is_empty() && !f.message.is_empty())),
        }
    }
}
