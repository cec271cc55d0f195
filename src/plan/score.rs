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
