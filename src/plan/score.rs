//! The lexicographic score of a plan, computed from the plan alone (never from the solver's
//! objective values), so that any plan, solved or hand-made, can be compared.

use super::validate::{mode_of, parse_date, parse_time};
use crate::model::{Instance, Mode, Urgency};
use crate::proto;
use std::collections::{BTreeMap, BTreeSet};

/// One counted appointment: the first appointment of a known request in a known vacation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Counted {
    /// Request index.
    pub request: usize,
    /// Vacation index.
    pub vacation: usize,
    /// Professional of the vacation.
    pub professional: usize,
    /// Day offset: the appointment's date, else its vacation's day when the date is unreadable.
    pub day: i64,
    /// Mode, when it is a known one.
    pub mode: Option<Mode>,
    /// Centre: the appointment's own, else that of its vacation's allocated room.
    pub centre: Option<usize>,
    /// Booked minutes (end - start; 0 when the times are unreadable or reversed).
    pub minutes: u32,
}

/// The appointments a score counts: unknown requests or vacations are ignored, and a request
/// appointed twice counts once, at its first appointment.
pub(super) fn counted(instance: &Instance, plan: &proto::Plan) -> Vec<Counted> {
    let mut allocated_centre: BTreeMap<&str, usize> = BTreeMap::new();
    for a in &plan.room_allocations {
        if let Some(&k) = instance.index.rooms.get(&a.room_id) {
            if let Some(room) = instance.rooms.get(k) {
                allocated_centre
                    .entry(a.vacation_id.as_str())
                    .or_insert(room.centre);
            }
        }
    }
    let mut seen = vec![false; instance.requests.len()];
    let mut out = Vec::new();
    for ap in &plan.appointments {
        let (Some(&r), Some(&v)) = (
            instance.index.requests.get(&ap.request_id),
            instance.index.vacations.get(&ap.vacation_id),
        ) else {
            continue;
        };
        let (Some(done), Some(vac)) = (seen.get_mut(r), instance.vacations.get(v)) else {
            continue;
        };
        if *done {
            continue;
        }
        *done = true;
        let day = parse_date(&ap.date).map_or(vac.day, |d| instance.day_of(d));
        let minutes = match (parse_time(&ap.start), parse_time(&ap.end)) {
            (Some(s), Some(e)) => e.saturating_sub(s),
            _ => 0,
        };
        let centre = instance
            .index
            .centres
            .get(&ap.centre_id)
            .copied()
            .or_else(|| allocated_centre.get(ap.vacation_id.as_str()).copied());
        out.push(Counted {
            request: r,
            vacation: v,
            professional: vac.professional,
            day,
            mode: mode_of(ap.mode),
            centre,
            minutes,
        });
    }
    out
}

/// Wire value of an urgency bucket.
pub fn urgency_to_proto(urgency: Urgency) -> proto::Urgency {
    match urgency {
        Urgency::Overdue => proto::Urgency::Overdue,
        Urgency::DueInHorizon => proto::Urgency::DueInHorizon,
        Urgency::DueLater => proto::Urgency::DueLater,
    }
}

/// Per-class counts and fairness, lateness and quality of a plan.
///
/// - classes, in `instance.classes` order: `pending` = requests of the class, `scheduled` =
///   those with a counted appointment, `companies` = companies with a request in the class,
///   `min`/`mean_company_ratio` over those companies of scheduled / pending in the class
///   (1.0 when a class had no company, which a validated instance never has);
/// - `lateness_days` = Σ over counted appointments of max(0, day − due day);
/// - `quality` = Σ over counted appointments of `referent` (the vacation's professional is
///   the company's referent) + `preferred_professional` (is the request's preferred one) +
///   `preferred_centre` (in person at the request's preferred centre, else the company's home
///   centre), − `company_spread` × Σ over companies of (distinct vacations used − 1),
///   − `room_opened` × distinct known rooms in `room_allocations`.
pub fn score(instance: &Instance, plan: &proto::Plan) -> proto::Score {
    let apps = counted(instance, plan);
    let mut scheduled = vec![false; instance.requests.len()];
    for a in &apps {
        scheduled[a.request] = true;
    }

    let classes = instance
        .classes
        .iter()
        .map(|class| {
            // company -> (pending, scheduled)
            let mut per_company: BTreeMap<usize, (u32, u32)> = BTreeMap::new();
            for (r, req) in instance.requests.iter().enumerate() {
                if req.class != *class {
                    continue;
                }
                let entry = per_company.entry(req.company).or_default();
                entry.0 += 1;
                entry.1 += u32::from(scheduled[r]);
            }
            let pending: u32 = per_company.values().map(|c| c.0).sum();
            let done: u32 = per_company.values().map(|c| c.1).sum();
            let ratios: Vec<f64> = per_company
                .values()
                .map(|&(p, s)| f64::from(s) / f64::from(p.max(1)))
                .collect();
            let (min, mean) = if ratios.is_empty() {
                (1.0, 1.0)
            } else {
                (
                    ratios.iter().copied().fold(f64::INFINITY, f64::min),
                    ratios.iter().sum::<f64>() / ratios.len() as f64,
                )
            };
            proto::ClassScore {
                tier: class.tier,
                urgency: urgency_to_proto(class.urgency) as i32,
                pending,
                scheduled: done,
                companies: per_company.len() as u32,
                min_company_ratio: min,
                mean_company_ratio: mean,
            }
        })
        .collect();

    let lateness_days = apps
        .iter()
        .filter_map(|a| {
            let due = instance.requests[a.request].due_day?;
            u64::try_from(a.day - due).ok()
        })
        .sum();

    proto::Score {
        classes,
        lateness_days,
        quality: quality(instance, plan, &apps),
    }
}

/// The level-4 quality of the counted appointments (see [`score`]).
fn quality(instance: &Instance, plan: &proto::Plan, apps: &[Counted]) -> f64 {
    let w = instance.weights;
    let mut total = 0.0;
    let mut vacations_of: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    for a in apps {
        let req = &instance.requests[a.request];
        let Some(company) = instance.companies.get(req.company) else {
            continue;
        };
        if company.referent == Some(a.professional) {
            total += w.referent;
        }
        if req.preferred_professional == Some(a.professional) {
            total += w.preferred_professional;
        }
        let wanted = req.preferred_centre.or(company.home_centre);
        if a.mode == Some(Mode::InPerson) && wanted.is_some() && a.centre == wanted {
            total += w.preferred_centre;
        }
        vacations_of
            .entry(req.company)
            .or_default()
            .insert(a.vacation);
    }
    let extra: usize = vacations_of
        .values()
        .map(|v| v.len().saturating_sub(1))
        .sum();
    let rooms: BTreeSet<usize> = plan
        .room_allocations
        .iter()
        .filter_map(|a| instance.index.rooms.get(&a.room_id).copied())
        .collect();
    total - w.company_spread * extra as f64 - w.room_opened * rooms.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::parse_instance_json;
    use serde_json::json;

    /// One doctor, V1 Monday and V2 Wednesday at C1; companies A (referent D1) and B;
    /// r1 (A) due Monday, r2 (B) and r3 (B) without due date, all vip_initiale.
    fn tiny() -> Instance {
        let text = json!({
            "horizon": {"startDate": "2026-11-30", "days": 5},
            "centres": [{"id": "C1", "rooms": [{"id": "R1"}]}],
            "professionals": [{"id": "D1", "role": "ROLE_DOCTOR"}],
            "vacations": [
                {"id": "V1", "professionalId": "D1", "date": "2026-11-30", "start": "08:00", "end": "12:00", "centreIds": ["C1"]},
                {"id": "V2", "professionalId": "D1", "date": "2026-12-02", "start": "08:00", "end": "12:00", "centreIds": ["C1"]}
            ],
            "companies": [{"id": "A", "referentProfessionalId": "D1"}, {"id": "B"}],
            "requests": [
                {"id": "r1", "workerId": "W1", "companyId": "A", "kind": "vip_initiale", "dueDate": "2026-11-30"},
                {"id": "r2", "workerId": "W2", "companyId": "B", "kind": "vip_initiale"},
                {"id": "r3", "workerId": "W3", "companyId": "B", "kind": "vip_initiale"}
            ],
            "policy": {"weights": {"preferredCentre": 0, "roomOpened": 0, "companySpread": 0}}
        })
        .to_string();
        let wire = parse_instance_json(&text).expect("parses");
        Instance::from_proto(&wire).expect("valid")
    }

    fn appt(
        request: &str,
        vacation: &str,
        date: &str,
        start: &str,
        end: &str,
    ) -> proto::Appointment {
        proto::Appointment {
            request_id: request.into(),
            professional_id: "D1".into(),
            vacation_id: vacation.into(),
            date: date.into(),
            start: start.into(),
            end: end.into(),
            mode: proto::Mode::InPerson as i32,
            centre_id: "C1".into(),
            room_id: "R1".into(),
        }
    }

    #[test]
    fn counted_keeps_the_first_appointment_of_each_known_request() {
        let inst = tiny();
        let plan = proto::Plan {
            appointments: vec![
                appt("r1", "V2", "garbage", "09:00", "08:00"),
                appt("r1", "V1", "2026-11-30", "08:00", "08:25"),
                appt("r9", "V1", "2026-11-30", "08:25", "08:50"),
            ],
            ..Default::default()
        };
        let c = counted(&inst, &plan);
        assert_eq!(c.len(), 1);
        // Unreadable date: the vacation's day; reversed times: no minutes.
        assert_eq!((c[0].vacation, c[0].day, c[0].minutes), (1, 2, 0));
        assert_eq!(c[0].centre, Some(0));
    }

    #[test]
    fn lateness_counts_days_after_the_due_date() {
        let inst = tiny();
        let plan = proto::Plan {
            appointments: vec![appt("r1", "V2", "2026-12-02", "08:00", "08:25")],
            ..Default::default()
        };
        let s = score(&inst, &plan);
        assert_eq!(s.lateness_days, 2);
        // The referent sees r1.
        assert_eq!(s.quality, 4.0);
    }

    #[test]
    fn class_ratios_weigh_companies_equally() {
        let inst = tiny();
        let plan = proto::Plan {
            appointments: vec![appt("r2", "V1", "2026-11-30", "08:00", "08:25")],
            ..Default::default()
        };
        let s = score(&inst, &plan);
        // r1 is due in the horizon (its own class); r2 and r3 are due later.
        assert_eq!(s.classes.len(), 2);
        let later = &s.classes[1];
        assert_eq!(later.urgency, proto::Urgency::DueLater as i32);
        assert_eq!((later.pending, later.scheduled, later.companies), (2, 1, 1));
        assert_eq!(later.min_company_ratio, 0.5);
        let first = &s.classes[0];
        assert_eq!((first.pending, first.scheduled), (1, 0));
        assert_eq!(first.min_company_ratio, 0.0);
    }

    #[test]
    fn urgency_maps_to_its_wire_value() {
        assert_eq!(urgency_to_proto(Urgency::Overdue), proto::Urgency::Overdue);
        assert_eq!(
            urgency_to_proto(Urgency::DueInHorizon),
            proto::Urgency::DueInHorizon
        );
        assert_eq!(
            urgency_to_proto(Urgency::DueLater),
            proto::Urgency::DueLater
        );
    }
}
