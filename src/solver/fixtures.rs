//! Instances shared by the solver's unit tests.

use super::greedy::{Placement, Placements};
use crate::model::{parse_instance_json, Instance, Mode};

/// A nurse's and a doctor's 100-minute mornings share a centre's one room, which the nurse
/// holds with three priority visits of 30 minutes (25 with a doctor); a periodic visit of 25
/// minutes waits (request 3). Handed over to the doctor, room and visits leave it room.
/// Returns the instance and that plan.
pub fn room_to_hand_over() -> (Instance, Placements) {
    let request = |id: &str, kind: &str| {
        format!(r#"{{"id": "{id}", "workerId": "W{id}", "companyId": "A", "kind": "{kind}"}}"#)
    };
    let requests = [
        request("p1", "vip_initiale_prioritaire"),
        request("p2", "vip_initiale_prioritaire"),
        request("p3", "vip_initiale_prioritaire"),
        request("m1", "vip_periodique"),
    ]
    .join(",");
    let text = format!(
        r#"{{
        "name": "hand over",
        "horizon": {{"startDate": "2026-11-30", "days": 1}},
        "centres": [{{"id": "C1", "name": "One", "rooms": [{{"id": "R1"}}]}}],
        "professionals": [{{"id": "N1", "role": "ROLE_NURSE"}}, {{"id": "D1", "role": "ROLE_DOCTOR"}}],
        "vacations": [
            {{"id": "V1", "professionalId": "N1", "date": "2026-11-30", "start": "08:30", "end": "10:10", "centreIds": ["C1"]}},
            {{"id": "V2", "professionalId": "D1", "date": "2026-11-30", "start": "08:30", "end": "10:10", "centreIds": ["C1"]}}
        ],
        "companies": [{{"id": "A"}}],
        "requests": [{requests}]
    }}"#
    );
    let inst = Instance::from_proto(&parse_instance_json(&text).expect("parses")).expect("valid");
    let at = |request| Placement {
        request,
        vacation: 0,
        mode: Mode::InPerson,
    };
    let plan = Placements {
        placed: vec![at(0), at(1), at(2)],
        rooms: vec![Some(0), None],
    };
    (inst, plan)
}
