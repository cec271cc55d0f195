//! Figures a planner reads: occupancy, teleconsultation share, referent share.

use super::score::counted;
use crate::model::{Instance, Mode};
use crate::proto;
use std::collections::BTreeSet;

/// `num / den`, 0 when `den` is 0.
fn ratio(num: u64, den: u64) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

fn occupancy(id: &str, booked: u64, offered: u64) -> proto::Occupancy {
    proto::Occupancy {
        id: id.to_string(),
        booked_minutes: booked,
        offered_minutes: offered,
        ratio: ratio(booked, offered),
    }
}

/// KPIs of a plan, counting each known request's first appointment in a known vacation:
/// occupancy (booked over offered minutes; 0 when nothing is offered) of every professional
/// (offered: their vacations not cancelled by an absence), room (offered: vacations allocated
/// to it; booked: appointments of those vacations) and centre (its rooms), each list sorted
/// by id; the teleconsultation share of appointments; the referent share (appointments with
/// the company's referent among those whose company has one); scheduled and pending counts.
pub fn kpis(instance: &Instance, plan: &proto::Plan) -> proto::Kpis {
    let apps = counted(instance, plan);

    let mut prof_booked = vec![0u64; instance.professionals.len()];
    let mut prof_offered = vec![0u64; instance.professionals.len()];
    let mut vac_booked = vec![0u64; instance.vacations.len()];
    for v in instance.vacations.iter().filter(|v| !v.cancelled) {
        if let Some(x) = prof_offered.get_mut(v.professional) {
            *x += u64::from(v.minutes());
        }
    }
    for a in &apps {
        if let Some(x) = prof_booked.get_mut(a.professional) {
            *x += u64::from(a.minutes);
        }
        vac_booked[a.vacation] += u64::from(a.minutes);
    }

    // Distinct (room, vacation) pairs, so that a repeated allocation is counted once.
    let pairs: BTreeSet<(usize, usize)> = plan
        .room_allocations
        .iter()
        .filter_map(|a| {
            Some((
                *instance.index.rooms.get(&a.room_id)?,
                *instance.index.vacations.get(&a.vacation_id)?,
            ))
        })
        .collect();
    let mut room_booked = vec![0u64; instance.rooms.len()];
    let mut room_offered = vec![0u64; instance.rooms.len()];
    for &(k, v) in &pairs {
        room_offered[k] += u64::from(instance.vacations[v].minutes());
        room_booked[k] += vac_booked[v];
    }

    let mut professionals: Vec<proto::Occupancy> = instance
        .professionals
        .iter()
        .enumerate()
        .map(|(p, x)| occupancy(&x.id, prof_booked[p], prof_offered[p]))
        .collect();
    let mut rooms: Vec<proto::Occupancy> = instance
        .rooms
        .iter()
        .enumerate()
        .map(|(k, x)| occupancy(&x.id, room_booked[k], room_offered[k]))
        .collect();
    let mut centres: Vec<proto::Occupancy> = instance
        .centres
        .iter()
        .map(|c| {
            let booked = c.rooms.iter().filter_map(|&k| room_booked.get(k)).sum();
            let offered = c.rooms.iter().filter_map(|&k| room_offered.get(k)).sum();
            occupancy(&c.id, booked, offered)
        })
        .collect();
    for list in [&mut professionals, &mut rooms, &mut centres] {
        list.sort_by(|a, b| a.id.cmp(&b.id));
    }

    let tele = apps
        .iter()
        .filter(|a| a.mode == Some(Mode::Teleconsultation))
        .count();
    let (mut with_referent, mut at_referent) = (0u64, 0u64);
    for a in &apps {
        let referent = instance
            .requests
            .get(a.request)
            .and_then(|r| instance.companies.get(r.company))
            .and_then(|c| c.referent);
        if let Some(p) = referent {
            with_referent += 1;
            at_referent += u64::from(p == a.professional);
        }
    }

    proto::Kpis {
        professionals,
        rooms,
        centres,
        teleconsultation_share: ratio(tele as u64, apps.len() as u64),
        referent_share: ratio(at_referent, with_referent),
        scheduled: apps.len() as u32,
        pending: instance.requests.len() as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::parse_instance_json;
    use serde_json::json;

    #[test]
    fn ratio_is_zero_without_a_denominator() {
        assert_eq!(ratio(5, 0), 0.0);
        assert_eq!(ratio(1, 4), 0.25);
    }

    #[test]
    fn cancelled_vacations_offer_nothing() {
        let text = json!({
            "horizon": {"startDate": "2026-11-30", "days": 5},
            "centres": [{"id": "C1", "rooms": [{"id": "R1"}]}],
            "professionals": [{"id": "D1", "role": "ROLE_DOCTOR"}],
            "vacations": [
                {"id": "V1", "professionalId": "D1", "date": "2026-11-30", "start": "08:00", "end": "12:00", "centreIds": ["C1"]},
                {"id": "V2", "professionalId": "D1", "date": "2026-12-01", "start": "08:00", "end": "12:00", "centreIds": ["C1"]}
            ],
            "absences": [{"professionalId": "D1", "from": "2026-12-01", "to": "2026-12-01"}],
            "companies": [{"id": "A"}],
            "requests": [{"id": "r1", "workerId": "W1", "companyId": "A", "kind": "vip_initiale"}]
        })
        .to_string();
        let wire = parse_instance_json(&text).expect("parses");
        let inst = Instance::from_proto(&wire).expect("valid");
        let plan = proto::Plan {
            appointments: vec![proto::Appointment {
                request_id: "r1".into(),
                professional_id: "D1".into(),
                vacation_id: "V1".into(),
                date: "2026-11-30".into(),
                start: "08:00".into(),
                end: "08:24".into(),
                mode: proto::Mode::InPerson as i32,
                centre_id: "C1".into(),
                room_id: "R1".into(),
            }],
            room_allocations: vec![proto::RoomAllocation {
                vacation_id: "V1".into(),
                centre_id: "C1".into(),
                room_id: "R1".into(),
            }],
            ..Default::default()
        };
        let k = kpis(&inst, &plan);
        assert_eq!(k.professionals[0].offered_minutes, 240);
        assert_eq!(k.professionals[0].booked_minutes, 24);
        assert_eq!(k.professionals[0].ratio, 0.1);
        assert_eq!(k.rooms[0].offered_minutes, 240);
        assert_eq!(k.centres[0].booked_minutes, 24);
        assert_eq!(k.referent_share, 0.0);
        assert_eq!((k.scheduled, k.pending), (1, 1));
    }
}
