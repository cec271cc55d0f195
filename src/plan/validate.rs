//! Independent checker of the hard rules H1-H7 (shared/design.md §1), and of the plan's
//! coverage: every request is either scheduled or listed unscheduled with its reason.
//!
//! It reads the wire plan and the validated instance only: it shares no code path with the
//! solver's constraints, recomputes absence cancellations from the absences themselves, and
//! accepts any plan, however broken (unknown ids, "25:99", wrong dates), reporting what is
//! wrong instead of panicking.

use crate::model::{Instance, Mode, Role};
use crate::proto;
use chrono::{NaiveDate, NaiveDateTime};
use std::collections::{BTreeMap, HashMap, HashSet};

/// A hard rule of the model contract (shared/design.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// At most one appointment per request.
    H1,
    /// Qualification and role.
    H2,
    /// Dates: horizon, release, unavailability, notice.
    H3,
    /// Inside the vacation, duration, no overlap, max appointments, no absence.
    H4,
    /// Mode and equipment.
    H5,
    /// Rooms.
    H6,
    /// Allowed centres.
    H7,
    /// Every request of the instance is scheduled or listed as unscheduled (a request that
    /// is neither would be silently dropped, without the reason a planner acts on).
    Coverage,
}

/// A broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The rule.
    pub rule: Rule,
    /// Request concerned, if any.
    pub request_id: String,
    /// Vacation concerned, if any.
    pub vacation_id: String,
    /// What is wrong.
    pub message: String,
}

/// Collects violations with their context.
#[derive(Default)]
struct Report(Vec<Violation>);

impl Report {
    fn push(&mut self, rule: Rule, request_id: &str, vacation_id: &str, message: String) {
        self.0.push(Violation {
            rule,
            request_id: request_id.to_string(),
            vacation_id: vacation_id.to_string(),
            message,
        });
    }
}

/// "YYYY-MM-DD", strictly (the plan's own format).
pub(super) fn parse_date(s: &str) -> Option<NaiveDate> {
    if s.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Minutes from midnight of "HH:MM", "24:00" included.
pub(super) fn parse_time(s: &str) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let h: u32 = h.parse().ok()?;
    let m: u32 = m.parse().ok()?;
    match (h, m) {
        (24, 0) => Some(24 * 60),
        (0..=23, 0..=59) => Some(h * 60 + m),
        _ => None,
    }
}

/// Mode of the wire enum value; `None` for unspecified or unknown values.
pub(super) fn mode_of(value: i32) -> Option<Mode> {
    match proto::Mode::try_from(value).ok()? {
        proto::Mode::InPerson => Some(Mode::InPerson),
        proto::Mode::Teleconsultation => Some(Mode::Teleconsultation),
        proto::Mode::Unspecified => None,
    }
}

/// Instant of `minutes` after midnight of `date`; `None` on overflow.
fn at(date: NaiveDate, minutes: u32) -> Option<NaiveDateTime> {
    date.and_hms_opt(0, 0, 0)?
        .checked_add_signed(chrono::Duration::minutes(i64::from(minutes)))
}

/// True when an absence of the vacation's professional overlaps the vacation, recomputed from
/// `instance.absences` (the flag set at conversion is deliberately not trusted).
pub fn cancelled_by_absence(instance: &Instance, vacation: usize) -> bool {
    let Some(v) = instance.vacations.get(vacation) else {
        return false;
    };
    let (Some(begin), Some(end)) = (at(v.date, v.start), at(v.date, v.end)) else {
        return false;
    };
    instance
        .absences
        .iter()
        .any(|a| a.professional == v.professional && a.from < end && begin < a.to)
}

/// H2: the vacation's professional may perform the request.
fn check_professional(instance: &Instance, r: usize, v: usize, out: &mut Vec<(Rule, String)>) {
    let req = &instance.requests[r];
    let prof_index = instance.vacations[v].professional;
    let Some(prof) = instance.professionals.get(prof_index) else {
        out.push((Rule::H2, "vacation of an unknown professional".to_string()));
        return;
    };
    let kind = instance
        .kinds
        .get(req.kind)
        .map_or("?", |k| k.code.as_str());
    if !prof.qualified.get(req.kind).copied().unwrap_or(false) {
        out.push((
            Rule::H2,
            format!(
                "professional {:?} is not qualified for kind {kind:?}",
                prof.id
            ),
        ));
    }
    if req.needs_doctor && prof.role != Role::Doctor {
        out.push((
            Rule::H2,
            format!("request needs a doctor, {:?} is not one", prof.id),
        ));
    }
    if req.needs_nurse && prof.role != Role::Nurse {
        out.push((
            Rule::H2,
            format!("request needs a nurse, {:?} is not one", prof.id),
        ));
    }
    let company_service = instance.companies.get(req.company).map(|c| c.service);
    if company_service.is_some_and(|s| s != prof.service) {
        let name = |s: Option<usize>| {
            s.and_then(|s| instance.services.get(s))
                .map_or("?", String::as_str)
        };
        out.push((
            Rule::H2,
            format!(
                "professional {:?} is of service {:?}, the request's company of {:?}",
                prof.id,
                name(Some(prof.service)),
                name(company_service)
            ),
        ));
    }
}

/// H3: the vacation's day is bookable for the request.
fn check_day(instance: &Instance, r: usize, v: usize, out: &mut Vec<(Rule, String)>) {
    let req = &instance.requests[r];
    let vac = &instance.vacations[v];
    let day = vac.day;
    if !(0..i64::from(instance.days)).contains(&day) {
        out.push((Rule::H3, format!("vacation day {day} outside the horizon")));
    }
    if day < req.release_day {
        out.push((
            Rule::H3,
            format!(
                "on {} before the release date {}",
                vac.date,
                instance.date_of(req.release_day)
            ),
        ));
    }
    if day < instance.first_bookable_day {
        out.push((
            Rule::H3,
            format!(
                "on {} before the first bookable date {} (notice)",
                vac.date,
                instance.date_of(instance.first_bookable_day)
            ),
        ));
    }
    let half = vac.half_day();
    if req.unavailable.contains(&(day, half)) {
        out.push((
            Rule::H3,
            format!("worker unavailable on {} {half:?}", vac.date),
        ));
    }
}

/// H4 (absences): the vacation is not cancelled by an absence of its professional.
fn check_absence(instance: &Instance, v: usize, out: &mut Vec<(Rule, String)>) {
    if cancelled_by_absence(instance, v) {
        out.push((
            Rule::H4,
            "vacation overlaps an absence of its professional (cancelled)".to_string(),
        ));
    }
}

/// H5: the mode is accepted by the request and offered by the vacation.
fn check_mode(instance: &Instance, r: usize, v: usize, mode: Mode, out: &mut Vec<(Rule, String)>) {
    let req = &instance.requests[r];
    let vac = &instance.vacations[v];
    match mode {
        Mode::Teleconsultation => {
            if !req.tele {
                out.push((Rule::H5, "request does not accept teleconsultation".into()));
            }
            if !vac.tele {
                out.push((Rule::H5, "vacation does not offer teleconsultation".into()));
            }
            if req.equipment != 0 {
                out.push((
                    Rule::H5,
                    "request needs equipment, hence an in-person visit".into(),
                ));
            }
        }
        Mode::InPerson => {
            if !req.in_person {
                out.push((
                    Rule::H5,
                    "request does not accept an in-person visit".into(),
                ));
            }
            if !vac.in_person {
                out.push((Rule::H5, "vacation does not offer in-person visits".into()));
            }
        }
    }
}

/// Equipment codes of `needed` missing from `held`, for messages.
fn missing_equipment(instance: &Instance, needed: u64, held: u64) -> Vec<&str> {
    let missing = needed & !held;
    instance
        .equipment
        .iter()
        .enumerate()
        .filter(|(i, _)| *i < 64 && missing & (1u64 << i) != 0)
        .map(|(_, c)| c.as_str())
        .collect()
}

/// True when one candidate appointment (request, vacation, mode, room) satisfies every
/// per-appointment rule: H2, H3, the vacation not cancelled by an absence, the duration fits
/// the vacation, H5, and for the room (`None` exactly for a remote vacation) that it belongs
/// to a candidate centre, holds the request's equipment and, in person, is at an allowed
/// centre (H7). Out-of-range indexes give false.
pub fn appointment_allowed(
    instance: &Instance,
    request: usize,
    vacation: usize,
    mode: Mode,
    room: Option<usize>,
) -> bool {
    let (Some(req), Some(vac)) = (
        instance.requests.get(request),
        instance.vacations.get(vacation),
    ) else {
        return false;
    };
    let Some(prof) = instance.professionals.get(vac.professional) else {
        return false;
    };
    let mut out = Vec::new();
    check_professional(instance, request, vacation, &mut out);
    check_day(instance, request, vacation, &mut out);
    check_absence(instance, vacation, &mut out);
    check_mode(instance, request, vacation, mode, &mut out);
    if !out.is_empty() {
        return false;
    }
    let minutes = req.minutes(prof.role);
    if minutes == 0 || minutes > vac.end.saturating_sub(vac.start) {
        return false;
    }
    match room {
        None => vac.centres.is_empty(),
        Some(k) => {
            let Some(room) = instance.rooms.get(k) else {
                return false;
            };
            vac.centres.contains(&room.centre)
                && req.equipment & !room.equipment == 0
                && (mode != Mode::InPerson
                    || req.allowed_centres.is_empty()
                    || req.allowed_centres.contains(&room.centre))
        }
    }
}

/// One appointment resolved against the instance.
struct Resolved {
    /// Position in `plan.appointments`.
    position: usize,
    vacation: usize,
    /// `[start, end)` in minutes, when both times parse and end > start.
    interval: Option<(u32, u32)>,
}

/// Checks a plan against H1-H7 and its coverage; empty when it is valid. Unknown request ids
/// and requests listed twice (as appointments, unscheduled, or both) are reported under H1,
/// requests listed nowhere under [`Rule::Coverage`], unreadable dates under H3, unknown vacations and unreadable times under H4, unknown
/// modes under H5, unknown rooms and centres under H6; absence-cancelled vacations under H4.
pub fn validate(instance: &Instance, plan: &proto::Plan) -> Vec<Violation> {
    let mut report = Report::default();
    let allocations = check_allocations(instance, plan, &mut report);
    let resolved = check_appointments(instance, plan, &allocations, &mut report);
    check_vacations(instance, plan, &resolved, &mut report);
    check_unscheduled(instance, plan, &mut report);
    report.0
}

/// Room allocations: known vacation, room and centre, centre vacations only, one per vacation,
/// no room shared by overlapping vacations. Returns the room of each vacation that has
/// exactly one valid-looking allocation (the room the other checks compare against).
fn check_allocations(
    instance: &Instance,
    plan: &proto::Plan,
    report: &mut Report,
) -> HashMap<usize, usize> {
    let mut per_vacation: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for a in &plan.room_allocations {
        let vid = a.vacation_id.as_str();
        let Some(&v) = instance.index.vacations.get(vid) else {
            report.push(
                Rule::H6,
                "",
                vid,
                format!("room allocation for an unknown vacation {vid:?}"),
            );
            continue;
        };
        let vac = &instance.vacations[v];
        let Some(&k) = instance.index.rooms.get(&a.room_id) else {
            report.push(
                Rule::H6,
                "",
                vid,
                format!("room allocation to an unknown room {:?}", a.room_id),
            );
            continue;
        };
        let room = &instance.rooms[k];
        let centre_id = instance
            .centres
            .get(room.centre)
            .map_or("", |c| c.id.as_str());
        if a.centre_id != centre_id {
            report.push(
                Rule::H6,
                "",
                vid,
                format!(
                    "allocation names centre {:?} but room {:?} is in centre {centre_id:?}",
                    a.centre_id, room.id
                ),
            );
        }
        if vac.centres.is_empty() {
            report.push(
                Rule::H6,
                "",
                vid,
                format!("remote vacation given room {:?}", room.id),
            );
        } else if !vac.centres.contains(&room.centre) {
            report.push(
                Rule::H6,
                "",
                vid,
                format!(
                    "room {:?} is in centre {centre_id:?}, not a candidate centre of the vacation",
                    room.id
                ),
            );
        }
        per_vacation.entry(v).or_default().push(k);
    }

    let mut rooms = HashMap::new();
    for (&v, list) in &per_vacation {
        let mut distinct = list.clone();
        distinct.sort_unstable();
        distinct.dedup();
        if list.len() > 1 {
            report.push(
                Rule::H6,
                "",
                &instance.vacations[v].id,
                format!("{} room allocations, one expected", list.len()),
            );
        }
        if let [k] = distinct[..] {
            rooms.insert(v, k);
        }
    }

    // Two vacations overlapping in time never share a room; every (vacation, room) pair
    // counts, even from duplicate allocations.
    let mut per_room: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (&v, list) in &per_vacation {
        let mut distinct = list.clone();
        distinct.sort_unstable();
        distinct.dedup();
        for k in distinct {
            per_room.entry(k).or_default().push(v);
        }
    }
    for (&k, vacations) in &per_room {
        for (i, &x) in vacations.iter().enumerate() {
            for &y in &vacations[i + 1..] {
                let (vx, vy) = (&instance.vacations[x], &instance.vacations[y]);
                if vx.date == vy.date && vx.start < vy.end && vy.start < vx.end {
                    report.push(
                        Rule::H6,
                        "",
                        &vy.id,
                        format!(
                            "room {:?} shared with vacation {:?}, which overlaps it",
                            instance.rooms[k].id, vx.id
                        ),
                    );
                }
            }
        }
    }
    rooms
}

/// Per-appointment rules; returns the appointments whose request and vacation are known.
fn check_appointments(
    instance: &Instance,
    plan: &proto::Plan,
    allocations: &HashMap<usize, usize>,
    report: &mut Report,
) -> Vec<Resolved> {
    let mut seen: HashSet<usize> = HashSet::new();
    let mut resolved = Vec::new();
    for (position, ap) in plan.appointments.iter().enumerate() {
        let (rid, vid) = (ap.request_id.as_str(), ap.vacation_id.as_str());
        let request = instance.index.requests.get(rid).copied();
        let vacation = instance.index.vacations.get(vid).copied();
        match request {
            None => report.push(
                Rule::H1,
                rid,
                vid,
                format!("appointment for an unknown request {rid:?}"),
            ),
            Some(r) => {
                if !seen.insert(r) {
                    report.push(
                        Rule::H1,
                        rid,
                        vid,
                        "request has more than one appointment".into(),
                    );
                }
            }
        }
        if vacation.is_none() {
            report.push(
                Rule::H4,
                rid,
                vid,
                format!("appointment in an unknown vacation {vid:?}"),
            );
        }
        let mode = mode_of(ap.mode);
        if mode.is_none() {
            report.push(
                Rule::H5,
                rid,
                vid,
                format!("mode {} is neither in person nor teleconsultation", ap.mode),
            );
        }
        let start = parse_time(&ap.start);
        let end = parse_time(&ap.end);
        if start.is_none() {
            report.push(
                Rule::H4,
                rid,
                vid,
                format!("start {:?} is not a time (HH:MM)", ap.start),
            );
        }
        if end.is_none() {
            report.push(
                Rule::H4,
                rid,
                vid,
                format!("end {:?} is not a time (HH:MM)", ap.end),
            );
        }
        let interval = match (start, end) {
            (Some(s), Some(e)) if e > s => Some((s, e)),
            (Some(_), Some(_)) => {
                report.push(
                    Rule::H4,
                    rid,
                    vid,
                    format!("end {} is not after start {}", ap.end, ap.start),
                );
                None
            }
            _ => None,
        };
        let date = parse_date(&ap.date);
        match date {
            None => report.push(
                Rule::H3,
                rid,
                vid,
                format!("date {:?} is not a date (YYYY-MM-DD)", ap.date),
            ),
            Some(d) if !(0..i64::from(instance.days)).contains(&instance.day_of(d)) => {
                report.push(Rule::H3, rid, vid, format!("date {d} outside the horizon"))
            }
            _ => {}
        }

        let (Some(r), Some(v)) = (request, vacation) else {
            continue;
        };
        let req = &instance.requests[r];
        let vac = &instance.vacations[v];
        let mut out = Vec::new();

        // H2: the appointment names the vacation's professional, who may perform it.
        let vac_prof = instance
            .professionals
            .get(vac.professional)
            .map_or("", |p| p.id.as_str());
        if ap.professional_id != vac_prof {
            out.push((
                Rule::H2,
                format!(
                    "professional {:?} is not the vacation's professional {vac_prof:?}",
                    ap.professional_id
                ),
            ));
        }
        check_professional(instance, r, v, &mut out);

        // H3: the appointment is held on its vacation's day, which must be bookable.
        if let Some(d) = date {
            if d != vac.date {
                out.push((
                    Rule::H3,
                    format!("date {d} is not the vacation's date {}", vac.date),
                ));
            }
        }
        check_day(instance, r, v, &mut out);

        // H4: absence, inside the vacation, exact duration.
        check_absence(instance, v, &mut out);
        if let Some((s, e)) = interval {
            if s < vac.start || e > vac.end {
                out.push((
                    Rule::H4,
                    format!(
                        "{}-{} is not inside the vacation {}-{}",
                        ap.start,
                        ap.end,
                        crate::model::format_time(vac.start),
                        crate::model::format_time(vac.end)
                    ),
                ));
            }
            let role = instance
                .professionals
                .get(vac.professional)
                .map_or(Role::Doctor, |p| p.role);
            let expected = req.minutes(role);
            if e - s != expected {
                out.push((
                    Rule::H4,
                    format!("lasts {} min, the request takes {expected} min", e - s),
                ));
            }
        }

        // H5: mode.
        if let Some(m) = mode {
            check_mode(instance, r, v, m, &mut out);
        }

        // H6: the appointment's centre and room are its vacation's.
        let allocated = allocations.get(&v).copied();
        if vac.centres.is_empty() {
            if !ap.centre_id.is_empty() || !ap.room_id.is_empty() {
                out.push((
                    Rule::H6,
                    format!(
                        "remote vacation, yet centre {:?} room {:?} given",
                        ap.centre_id, ap.room_id
                    ),
                ));
            }
        } else if let Some(k) = allocated {
            let room = &instance.rooms[k];
            let centre_id = instance
                .centres
                .get(room.centre)
                .map_or("", |c| c.id.as_str());
            if ap.room_id != room.id || ap.centre_id != centre_id {
                out.push((
                    Rule::H6,
                    format!(
                        "centre {:?} room {:?} differ from the vacation's allocation {centre_id:?} {:?}",
                        ap.centre_id, ap.room_id, room.id
                    ),
                ));
            }
        }
        // Missing allocations are reported once per vacation (check_vacations).

        // H6: the vacation's room (else the appointment's own) holds the equipment.
        let room = allocated.or_else(|| instance.index.rooms.get(&ap.room_id).copied());
        if req.equipment != 0 {
            if let Some(k) = room {
                let missing =
                    missing_equipment(instance, req.equipment, instance.rooms[k].equipment);
                if !missing.is_empty() {
                    out.push((
                        Rule::H6,
                        format!(
                            "room {:?} lacks {}",
                            instance.rooms[k].id,
                            missing.join(", ")
                        ),
                    ));
                }
            }
        }

        // H7: in person at an allowed centre; every centre the plan implies is checked.
        if mode == Some(Mode::InPerson) && !req.allowed_centres.is_empty() {
            let mut centres: Vec<usize> = Vec::new();
            if let Some(k) = allocated {
                centres.push(instance.rooms[k].centre);
            }
            if let Some(&c) = instance.index.centres.get(&ap.centre_id) {
                centres.push(c);
            }
            centres.dedup();
            if centres.is_empty() {
                out.push((
                    Rule::H7,
                    "in-person appointment at no known centre, the request lists allowed centres"
                        .into(),
                ));
            }
            for c in centres {
                if !req.allowed_centres.contains(&c) {
                    let id = instance.centres.get(c).map_or("", |x| x.id.as_str());
                    out.push((Rule::H7, format!("centre {id:?} is not allowed")));
                }
            }
        }

        for (rule, message) in out {
            report.push(rule, rid, vid, message);
        }
        resolved.push(Resolved {
            position,
            vacation: v,
            interval,
        });
    }
    resolved
}

/// Per-vacation rules: no overlap, `max_appointments`, a room for every held centre vacation.
fn check_vacations(
    instance: &Instance,
    plan: &proto::Plan,
    resolved: &[Resolved],
    report: &mut Report,
) {
    let allocated: HashSet<&str> = plan
        .room_allocations
        .iter()
        .map(|a| a.vacation_id.as_str())
        .collect();
    let mut per_vacation: BTreeMap<usize, Vec<&Resolved>> = BTreeMap::new();
    for a in resolved {
        per_vacation.entry(a.vacation).or_default().push(a);
    }
    for (&v, list) in &per_vacation {
        let vac = &instance.vacations[v];
        if let Some(max) = vac.max_appointments {
            if list.len() > max as usize {
                report.push(
                    Rule::H4,
                    "",
                    &vac.id,
                    format!("{} appointments, at most {max} allowed", list.len()),
                );
            }
        }
        // Overlaps: sweep by start, remembering the appointment that ends last so far.
        let mut timed: Vec<(u32, u32, usize)> = list
            .iter()
            .filter_map(|a| a.interval.map(|(s, e)| (s, e, a.position)))
            .collect();
        timed.sort_unstable();
        let mut last: Option<(u32, usize)> = None;
        for &(s, e, p) in &timed {
            if let Some((end, q)) = last {
                if s < end {
                    let other = plan
                        .appointments
                        .get(q)
                        .map_or("", |x| x.request_id.as_str());
                    let rid = plan
                        .appointments
                        .get(p)
                        .map_or("", |x| x.request_id.as_str());
                    report.push(
                        Rule::H4,
                        rid,
                        &vac.id,
                        format!("overlaps the appointment of request {other:?}"),
                    );
                }
            }
            if last.is_none_or(|(end, _)| e > end) {
                last = Some((e, p));
            }
        }
        if vac.needs_room() && !allocated.contains(vac.id.as_str()) {
            report.push(
                Rule::H6,
                "",
                &vac.id,
                "centre vacation holds appointments but has no room allocation".into(),
            );
        }
    }
}

/// H1: unscheduled ids are known, listed once, and not scheduled too; coverage: every
/// request of the instance is scheduled or unscheduled.
fn check_unscheduled(instance: &Instance, plan: &proto::Plan, report: &mut Report) {
    let scheduled: HashSet<&str> = plan
        .appointments
        .iter()
        .map(|a| a.request_id.as_str())
        .collect();
    let mut listed: HashSet<&str> = HashSet::new();
    for u in &plan.unscheduled {
        let rid = u.request_id.as_str();
        if !instance.index.requests.contains_key(rid) {
            report.push(
                Rule::H1,
                rid,
                "",
                format!("unscheduled entry for an unknown request {rid:?}"),
            );
        } else if !listed.insert(rid) {
            // A repeat says nothing new about scheduling: reported once, as a repeat.
            report.push(
                Rule::H1,
                rid,
                "",
                "request listed more than once as unscheduled".into(),
            );
        } else if scheduled.contains(rid) {
            report.push(
                Rule::H1,
                rid,
                "",
                "request is both scheduled and unscheduled".into(),
            );
        }
    }
    for req in &instance.requests {
        let rid = req.id.as_str();
        if !scheduled.contains(rid) && !listed.contains(rid) {
            report.push(
                Rule::Coverage,
                rid,
                "",
                "request is neither scheduled nor listed as unscheduled".into(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::parse_instance_json;
    use serde_json::json;

    /// D1 holds V1 on Monday and V2 on Tuesday at C1; an absence on Tuesday 10:00-11:00
    /// cancels V2. r1 is a 25-minute vip_initiale.
    fn tiny() -> Instance {
        let text = json!({
            "horizon": {"startDate": "2026-11-30", "days": 5},
            "centres": [{"id": "C1", "rooms": [{"id": "R1"}]}],
            "professionals": [{"id": "D1", "role": "ROLE_DOCTOR"}],
            "vacations": [
                {"id": "V1", "professionalId": "D1", "date": "2026-11-30", "start": "08:00", "end": "12:00", "centreIds": ["C1"]},
                {"id": "V2", "professionalId": "D1", "date": "2026-12-01", "start": "08:00", "end": "12:00", "centreIds": ["C1"]}
            ],
            "absences": [{"professionalId": "D1", "from": "2026-12-01T10:00", "to": "2026-12-01T11:00"}],
            "companies": [{"id": "A"}],
            "requests": [{"id": "r1", "workerId": "W1", "companyId": "A", "kind": "vip_initiale"}]
        })
        .to_string();
        let wire = parse_instance_json(&text).expect("parses");
        Instance::from_proto(&wire).expect("valid")
    }

    fn plan(vacation: &str, date: &str, start: &str, end: &str) -> proto::Plan {
        proto::Plan {
            appointments: vec![proto::Appointment {
                request_id: "r1".into(),
                professional_id: "D1".into(),
                vacation_id: vacation.into(),
                date: date.into(),
                start: start.into(),
                end: end.into(),
                mode: proto::Mode::InPerson as i32,
                centre_id: "C1".into(),
                room_id: "R1".into(),
            }],
            room_allocations: vec![proto::RoomAllocation {
                vacation_id: vacation.into(),
                centre_id: "C1".into(),
                room_id: "R1".into(),
            }],
            ..Default::default()
        }
    }

    fn rules(violations: &[Violation]) -> Vec<Rule> {
        let mut r: Vec<Rule> = violations.iter().map(|v| v.rule).collect();
        r.dedup();
        r
    }

    #[test]
    fn parse_time_reads_strict_hh_mm() {
        assert_eq!(parse_time("08:30"), Some(510));
        assert_eq!(parse_time("00:00"), Some(0));
        assert_eq!(parse_time("24:00"), Some(1440));
        for bad in [
            "24:01", "25:99", "8:30", "+1:00", "08:3a", "", ":", "08:30:00", "-0:30",
        ] {
            assert_eq!(parse_time(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn parse_date_rejects_anything_but_yyyy_mm_dd() {
        assert!(parse_date("2026-11-30").is_some());
        for bad in ["2026-11-3", "2026-02-30", "+2026-11-30", "30/11/2026", ""] {
            assert_eq!(parse_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn mode_of_knows_only_the_two_modes() {
        assert_eq!(mode_of(1), Some(Mode::InPerson));
        assert_eq!(mode_of(2), Some(Mode::Teleconsultation));
        assert_eq!(mode_of(0), None);
        assert_eq!(mode_of(3), None);
        assert_eq!(mode_of(-1), None);
    }

    #[test]
    fn cancelled_by_absence_recomputes_the_overlap() {
        let inst = tiny();
        assert!(!cancelled_by_absence(&inst, 0));
        assert!(cancelled_by_absence(&inst, 1));
        assert!(!cancelled_by_absence(&inst, 99));
    }

    #[test]
    fn accepts_a_valid_single_appointment() {
        assert_eq!(
            validate(&tiny(), &plan("V1", "2026-11-30", "08:00", "08:25")),
            vec![]
        );
    }

    #[test]
    fn catches_an_appointment_of_a_cancelled_vacation_under_h4() {
        let v = validate(&tiny(), &plan("V2", "2026-12-01", "08:00", "08:25"));
        assert_eq!(rules(&v), vec![Rule::H4]);
        assert!(v[0].message.contains("absence"));
    }

    #[test]
    fn reports_unknown_ids_under_the_most_relevant_rule() {
        let inst = tiny();
        let mut p = plan("V1", "2026-11-30", "08:00", "08:25");
        p.appointments[0].request_id = "nobody".into();
        // r1, the instance's only request, is then accounted for nowhere.
        assert_eq!(rules(&validate(&inst, &p)), vec![Rule::H1, Rule::Coverage]);
        let mut p = plan("V1", "2026-11-30", "08:00", "08:25");
        p.appointments[0].vacation_id = "V9".into();
        assert_eq!(rules(&validate(&inst, &p)), vec![Rule::H4]);
        let mut p = plan("V1", "2026-11-30", "08:00", "08:25");
        p.room_allocations[0].room_id = "R9".into();
        assert_eq!(rules(&validate(&inst, &p)), vec![Rule::H6]);
    }

    #[test]
    fn appointment_allowed_rejects_a_cancelled_vacation_and_a_missing_room() {
        let inst = tiny();
        assert!(appointment_allowed(&inst, 0, 0, Mode::InPerson, Some(0)));
        assert!(!appointment_allowed(&inst, 0, 1, Mode::InPerson, Some(0)));
        assert!(!appointment_allowed(&inst, 0, 0, Mode::InPerson, None));
        assert!(!appointment_allowed(
            &inst,
            0,
            0,
            Mode::Teleconsultation,
            Some(0)
        ));
    }
}
