//! Conversion of the proto `Instance` into the validated domain [`Instance`], collecting
//! every error with its JSON field path.

use super::*;
use crate::proto;
use crate::rules;
use chrono::NaiveTime;
use std::collections::{HashMap, HashSet};

/// Parses an instance from its canonical protobuf JSON text; a syntax or type error names
/// its field path (e.g. `requests[3].durationMinutes`).
pub fn parse_instance_json(text: &str) -> Result<proto::Instance, InvalidInstance> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { "$".to_string() } else { path };
        InvalidInstance::one(path, e.inner().to_string())
    })
}

/// Collects errors while walking the input.
#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            path: path.into(),
            message: message.into(),
        });
    }
}

/// The services of an instance (sorted ids, or one empty id when none is named), with
/// every professional's and company's index set. Either all of them name their service or
/// none does; a company's service must have professionals, and its referent must be one
/// of them.
fn services_of(
    e: &mut Errors,
    p: &proto::Instance,
    professionals: &mut [Professional],
    companies: &mut [Company],
) -> Vec<String> {
    let named = p.professionals.iter().any(|x| !x.service_id.is_empty())
        || p.companies.iter().any(|c| !c.service_id.is_empty());
    if !named {
        return vec![String::new()];
    }
    const ALL_OR_NONE: &str =
        "empty, but other professionals or companies name their service: name it on every one or none";
    let mut services: Vec<String> = p
        .professionals
        .iter()
        .filter(|x| !x.service_id.is_empty())
        .map(|x| x.service_id.clone())
        .collect();
    services.sort();
    services.dedup();
    let index = |id: &str| services.binary_search_by(|s| s.as_str().cmp(id)).ok();
    for (i, (pr, out)) in p
        .professionals
        .iter()
        .zip(professionals.iter_mut())
        .enumerate()
    {
        match index(&pr.service_id) {
            Some(s) => out.service = s,
            None => e.push(format!("professionals[{i}].serviceId"), ALL_OR_NONE),
        }
    }
    for (i, (c, out)) in p.companies.iter().zip(companies.iter_mut()).enumerate() {
        let path = format!("companies[{i}].serviceId");
        match index(&c.service_id) {
            Some(s) => out.service = s,
            None if c.service_id.is_empty() => e.push(path, ALL_OR_NONE),
            None => e.push(
                path,
                format!("no professional of service {:?}", c.service_id),
            ),
        }
        if let Some(r) = out.referent {
            if let Some(message) = other_service(&p.professionals[r].service_id, &c.service_id) {
                e.push(format!("companies[{i}].referentProfessionalId"), message);
            }
        }
    }
    services
}

/// The error of a professional of service `professional` named for a company of service
/// `company`, when both are named and differ.
fn other_service(professional: &str, company: &str) -> Option<String> {
    (!professional.is_empty() && !company.is_empty() && professional != company).then(|| {
        format!("a professional of service {professional:?}, the company's is {company:?}")
    })
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    if s.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Minutes from midnight of "HH:MM" ("24:00" allowed as an end).
fn parse_time(s: &str) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
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

/// "YYYY-MM-DD" (as the start of the day, or of the next day when `end_of_day`) or
/// "YYYY-MM-DDTHH:MM".
fn parse_datetime(s: &str, end_of_day: bool) -> Option<NaiveDateTime> {
    if let Some(d) = parse_date(s) {
        let d = if end_of_day { d.succ_opt()? } else { d };
        return d.and_hms_opt(0, 0, 0);
    }
    let (d, t) = s.split_once('T')?;
    let d = parse_date(d)?;
    let t = parse_time(t)?;
    if t >= 24 * 60 {
        return None;
    }
    Some(d.and_time(NaiveTime::from_hms_opt(t / 60, t % 60, 0)?))
}

/// Builds an id index, reporting empty and duplicate ids.
fn index_ids<'a>(
    errors: &mut Errors,
    list: &str,
    ids: impl Iterator<Item = &'a str>,
) -> HashMap<String, usize> {
    let mut map = HashMap::new();
    for (i, id) in ids.enumerate() {
        if id.trim().is_empty() {
            errors.push(format!("{list}[{i}].id"), "empty id");
        } else if map.insert(id.to_string(), i).is_some() {
            errors.push(format!("{list}[{i}].id"), format!("duplicate id {id:?}"));
        }
    }
    map
}

fn role_of(value: i32) -> Option<Role> {
    match proto::Role::try_from(value).ok()? {
        proto::Role::Doctor => Some(Role::Doctor),
        proto::Role::Nurse => Some(Role::Nurse),
        proto::Role::Unspecified => None,
    }
}

fn mode_of(value: i32) -> Option<Mode> {
    match proto::Mode::try_from(value).ok()? {
        proto::Mode::InPerson => Some(Mode::InPerson),
        proto::Mode::Teleconsultation => Some(Mode::Teleconsultation),
        proto::Mode::Unspecified => None,
    }
}

/// Resolves a list of modes; `None` when the list is empty (caller's default).
fn modes_of(errors: &mut Errors, path: &str, modes: &[i32]) -> Option<(bool, bool)> {
    if modes.is_empty() {
        return None;
    }
    let (mut in_person, mut tele) = (false, false);
    for (j, &m) in modes.iter().enumerate() {
        match mode_of(m) {
            Some(Mode::InPerson) => in_person = true,
            Some(Mode::Teleconsultation) => tele = true,
            None => errors.push(
                format!("{path}[{j}]"),
                "unknown mode: use MODE_IN_PERSON or MODE_TELECONSULTATION",
            ),
        }
    }
    Some((in_person, tele))
}

fn lookup(
    errors: &mut Errors,
    path: String,
    map: &HashMap<String, usize>,
    what: &str,
    id: &str,
) -> Option<usize> {
    match map.get(id) {
        Some(&i) => Some(i),
        None => {
            errors.push(path, format!("unknown {what} id {id:?}"));
            None
        }
    }
}

fn optional_ref(
    errors: &mut Errors,
    path: String,
    map: &HashMap<String, usize>,
    what: &str,
    id: &str,
) -> Option<usize> {
    if id.is_empty() {
        None
    } else {
        lookup(errors, path, map, what, id)
    }
}

fn equipment_set(
    errors: &mut Errors,
    path: &str,
    catalogue: &HashMap<String, usize>,
    codes: &[String],
) -> EquipmentSet {
    let mut set = 0;
    for (j, code) in codes.iter().enumerate() {
        match catalogue.get(code.as_str()) {
            Some(&bit) => set |= 1u64 << bit,
            None => errors.push(
                format!("{path}[{j}]"),
                format!("unknown equipment {code:?}: declare it in policy.extraEquipment"),
            ),
        }
    }
    set
}

fn opt_weight(errors: &mut Errors, path: &str, value: Option<f64>, default: f64) -> f64 {
    match value {
        None => default,
        Some(v) if v.is_finite() && v >= 0.0 => v,
        Some(_) => {
            errors.push(path, "must be a finite number >= 0");
            default
        }
    }
}

impl Instance {
    /// Validates and converts a proto instance; returns every error found.
    pub fn from_proto(p: &proto::Instance) -> Result<Instance, InvalidInstance> {
        let mut e = Errors::default();
        let policy = p.policy.clone().unwrap_or_default();

        // Kinds: defaults, overridden and extended by the policy.
        let mut kinds: Vec<Kind> = rules::default_kinds()
            .into_iter()
            .map(|k| Kind {
                code: k.code,
                tier: k.tier,
                doctor_only: k.doctor_only,
                doctor_minutes: k.doctor_minutes,
                nurse_minutes: k.nurse_minutes,
            })
            .collect();
        let mut kind_index: HashMap<String, usize> = kinds
            .iter()
            .enumerate()
            .map(|(i, k)| (k.code.clone(), i))
            .collect();
        let mut seen_policy_kinds = HashSet::new();
        for (i, k) in policy.kinds.iter().enumerate() {
            let path = format!("policy.kinds[{i}]");
            if k.kind.trim().is_empty() {
                e.push(format!("{path}.kind"), "empty kind code");
                continue;
            }
            if !seen_policy_kinds.insert(k.kind.clone()) {
                e.push(
                    format!("{path}.kind"),
                    format!("duplicate kind {:?}", k.kind),
                );
                continue;
            }
            let idx = *kind_index.entry(k.kind.clone()).or_insert_with(|| {
                kinds.push(Kind {
                    code: k.kind.clone(),
                    tier: 0,
                    doctor_only: false,
                    doctor_minutes: 0,
                    nurse_minutes: 0,
                });
                kinds.len() - 1
            });
            let kind = &mut kinds[idx];
            if k.tier > 0 {
                kind.tier = k.tier;
            }
            // The row replaces the default entry: a service whose protocol delegates a kind to
            // nurses lists it with doctorOnly false.
            kind.doctor_only = k.doctor_only;
            if k.doctor_minutes > 0 {
                kind.doctor_minutes = k.doctor_minutes;
            }
            if k.nurse_minutes > 0 {
                kind.nurse_minutes = k.nurse_minutes;
            }
            if kind.tier == 0 {
                e.push(format!("{path}.tier"), "a new kind needs a tier >= 1");
            }
            if kind.doctor_minutes == 0 {
                e.push(
                    format!("{path}.doctorMinutes"),
                    "a new kind needs a duration > 0",
                );
            }
            if kind.nurse_minutes == 0 && !kind.doctor_only {
                e.push(
                    format!("{path}.nurseMinutes"),
                    "a new kind needs a duration > 0",
                );
            }
        }

        // Equipment catalogue.
        let mut equipment: Vec<String> = rules::DEFAULT_EQUIPMENT
            .iter()
            .map(|s| s.to_string())
            .collect();
        for (i, code) in policy.extra_equipment.iter().enumerate() {
            if code.trim().is_empty() {
                e.push(
                    format!("policy.extraEquipment[{i}]"),
                    "empty equipment code",
                );
            } else if !equipment.contains(code) {
                equipment.push(code.clone());
            }
        }
        if equipment.len() > 64 {
            e.push("policy.extraEquipment", "at most 64 equipment codes");
            equipment.truncate(64);
        }
        let equipment_index: HashMap<String, usize> = equipment
            .iter()
            .enumerate()
            .map(|(i, c)| (c.clone(), i))
            .collect();
        let doctor_only_risks: HashSet<String> = if policy.doctor_only_risks.is_empty() {
            rules::DEFAULT_DOCTOR_ONLY_RISKS
                .iter()
                .map(|s| s.to_string())
                .collect()
        } else {
            policy.doctor_only_risks.iter().cloned().collect()
        };

        // Horizon.
        let horizon = p.horizon.clone().unwrap_or_default();
        let start_date = parse_date(&horizon.start_date).unwrap_or_else(|| {
            e.push(
                "horizon.startDate",
                format!("not a date (YYYY-MM-DD): {:?}", horizon.start_date),
            );
            NaiveDate::default()
        });
        if !(1..=366).contains(&horizon.days) {
            e.push("horizon.days", "must be between 1 and 366");
        }
        let days = horizon.days.clamp(1, 366);
        let day_of = |d: NaiveDate| (d - start_date).num_days();

        // Centres and rooms.
        let centre_index = index_ids(&mut e, "centres", p.centres.iter().map(|c| c.id.as_str()));
        let mut rooms = Vec::new();
        let mut room_index = HashMap::new();
        let mut centres = Vec::new();
        for (ci, c) in p.centres.iter().enumerate() {
            let mut list = Vec::new();
            for (ri, r) in c.rooms.iter().enumerate() {
                let path = format!("centres[{ci}].rooms[{ri}]");
                if r.id.trim().is_empty() {
                    e.push(format!("{path}.id"), "empty id");
                    continue;
                }
                if room_index.insert(r.id.clone(), rooms.len()).is_some() {
                    e.push(
                        format!("{path}.id"),
                        format!("duplicate room id {:?}", r.id),
                    );
                    continue;
                }
                let eq = equipment_set(
                    &mut e,
                    &format!("{path}.equipment"),
                    &equipment_index,
                    &r.equipment,
                );
                list.push(rooms.len());
                rooms.push(Room {
                    id: r.id.clone(),
                    centre: ci,
                    equipment: eq,
                });
            }
            centres.push(Centre {
                id: c.id.clone(),
                name: c.name.clone(),
                rooms: list,
            });
        }

        // Professionals.
        let prof_index = index_ids(
            &mut e,
            "professionals",
            p.professionals.iter().map(|x| x.id.as_str()),
        );
        let mut professionals = Vec::new();
        for (i, pr) in p.professionals.iter().enumerate() {
            let role = role_of(pr.role).unwrap_or_else(|| {
                e.push(
                    format!("professionals[{i}].role"),
                    "unknown role: use ROLE_DOCTOR or ROLE_NURSE",
                );
                Role::Doctor
            });
            let qualified = if pr.qualified_kinds.is_empty() {
                kinds
                    .iter()
                    .map(|k| role == Role::Doctor || !k.doctor_only)
                    .collect()
            } else {
                let mut q = vec![false; kinds.len()];
                for (j, code) in pr.qualified_kinds.iter().enumerate() {
                    match kind_index.get(code) {
                        Some(&k) => q[k] = true,
                        None => e.push(
                            format!("professionals[{i}].qualifiedKinds[{j}]"),
                            format!("unknown visit kind {code:?}: add it to policy.kinds"),
                        ),
                    }
                }
                q
            };
            professionals.push(Professional {
                id: pr.id.clone(),
                role,
                qualified,
                team_id: pr.team_id.clone(),
                service: 0,
            });
        }

        // Absences.
        let mut absences = Vec::new();
        for (i, a) in p.absences.iter().enumerate() {
            let path = format!("absences[{i}]");
            let prof = lookup(
                &mut e,
                format!("{path}.professionalId"),
                &prof_index,
                "professional",
                &a.professional_id,
            );
            let from = parse_datetime(&a.from, false);
            let to = parse_datetime(&a.to, true);
            if from.is_none() {
                e.push(
                    format!("{path}.from"),
                    format!("not a date or date-time: {:?}", a.from),
                );
            }
            if to.is_none() {
                e.push(
                    format!("{path}.to"),
                    format!("not a date or date-time: {:?}", a.to),
                );
            }
            if let (Some(prof), Some(from), Some(to)) = (prof, from, to) {
                if to <= from {
                    e.push(format!("{path}.to"), "not after from");
                } else {
                    absences.push(Absence {
                        professional: prof,
                        from,
                        to,
                    });
                }
            }
        }

        // Vacations.
        let vac_index = index_ids(
            &mut e,
            "vacations",
            p.vacations.iter().map(|v| v.id.as_str()),
        );
        let mut vacations: Vec<Vacation> = Vec::new();
        let mut ok_vacations = Vec::new();
        for (i, v) in p.vacations.iter().enumerate() {
            let path = format!("vacations[{i}]");
            let n_before = e.0.len();
            let prof = lookup(
                &mut e,
                format!("{path}.professionalId"),
                &prof_index,
                "professional",
                &v.professional_id,
            );
            let date = parse_date(&v.date);
            match date {
                None => e.push(
                    format!("{path}.date"),
                    format!("not a date (YYYY-MM-DD): {:?}", v.date),
                ),
                Some(d) if !(0..days as i64).contains(&day_of(d)) => {
                    e.push(format!("{path}.date"), "outside the horizon")
                }
                _ => {}
            }
            let start = parse_time(&v.start);
            let end = parse_time(&v.end);
            if start.is_none() || start == Some(24 * 60) {
                e.push(
                    format!("{path}.start"),
                    format!("not a time (HH:MM): {:?}", v.start),
                );
            }
            if end.is_none() {
                e.push(
                    format!("{path}.end"),
                    format!("not a time (HH:MM): {:?}", v.end),
                );
            }
            if let (Some(s), Some(t)) = (start, end) {
                if t <= s {
                    e.push(format!("{path}.end"), "not after start");
                }
            }
            let mut vc = Vec::new();
            for (j, c) in v.centre_ids.iter().enumerate() {
                if let Some(ci) = lookup(
                    &mut e,
                    format!("{path}.centreIds[{j}]"),
                    &centre_index,
                    "centre",
                    c,
                ) {
                    if vc.contains(&ci) {
                        e.push(
                            format!("{path}.centreIds[{j}]"),
                            format!("duplicate centre {c:?}"),
                        );
                    } else {
                        vc.push(ci);
                    }
                }
            }
            let (in_person, tele) = modes_of(&mut e, &format!("{path}.modes"), &v.modes)
                .unwrap_or((!vc.is_empty(), vc.is_empty()));
            if vc.is_empty() && in_person {
                e.push(
                    format!("{path}.modes"),
                    "a remote vacation (no centreIds) cannot offer in-person visits",
                );
            }
            if !vc.is_empty() && vc.iter().all(|&c| centres[c].rooms.is_empty()) {
                e.push(
                    format!("{path}.centreIds"),
                    "none of the candidate centres has a room",
                );
            }
            if e.0.len() > n_before {
                continue;
            }
            let (Some(prof), Some(date), Some(start), Some(end)) = (prof, date, start, end) else {
                continue;
            };
            let begin_dt = date.and_hms_opt(0, 0, 0).unwrap_or_default()
                + chrono::Duration::minutes(start as i64);
            let end_dt = date.and_hms_opt(0, 0, 0).unwrap_or_default()
                + chrono::Duration::minutes(end as i64);
            let cancelled = absences
                .iter()
                .any(|a| a.professional == prof && a.from < end_dt && begin_dt < a.to);
            ok_vacations.push(i);
            vacations.push(Vacation {
                id: v.id.clone(),
                professional: prof,
                date,
                day: day_of(date),
                start,
                end,
                centres: vc,
                in_person,
                tele,
                max_appointments: (v.max_appointments > 0).then_some(v.max_appointments),
                cancelled,
            });
        }
        // Overlapping vacations of one professional.
        let mut by_prof: HashMap<(usize, i64), Vec<usize>> = HashMap::new();
        for (k, v) in vacations.iter().enumerate() {
            by_prof.entry((v.professional, v.day)).or_default().push(k);
        }
        let mut overlaps = Vec::new();
        for list in by_prof.values() {
            for (a, &x) in list.iter().enumerate() {
                for &y in &list[a + 1..] {
                    let (vx, vy) = (&vacations[x], &vacations[y]);
                    if vx.start < vy.end && vy.start < vx.end {
                        let later = x.max(y);
                        let other = if later == x { y } else { x };
                        overlaps.push((ok_vacations[later], vacations[other].id.clone()));
                    }
                }
            }
        }
        overlaps.sort();
        for (i, other) in overlaps {
            e.push(
                format!("vacations[{i}].start"),
                format!("overlaps vacation {other:?} of the same professional"),
            );
        }
        let longest_vacation = vacations.iter().map(|v| v.minutes()).max();

        // Companies.
        let comp_index = index_ids(
            &mut e,
            "companies",
            p.companies.iter().map(|c| c.id.as_str()),
        );
        let mut companies: Vec<Company> = p
            .companies
            .iter()
            .enumerate()
            .map(|(i, c)| Company {
                id: c.id.clone(),
                headcount: c.headcount,
                referent: optional_ref(
                    &mut e,
                    format!("companies[{i}].referentProfessionalId"),
                    &prof_index,
                    "professional",
                    &c.referent_professional_id,
                ),
                home_centre: optional_ref(
                    &mut e,
                    format!("companies[{i}].homeCentreId"),
                    &centre_index,
                    "centre",
                    &c.home_centre_id,
                ),
                service: 0,
            })
            .collect();
        let services = services_of(&mut e, p, &mut professionals, &mut companies);

        // Notice limit.
        let first_bookable_day = if policy.publication_date.is_empty() {
            if policy.notice_days > 0 {
                e.push("policy.publicationDate", "required when noticeDays is set");
            }
            0
        } else {
            match parse_date(&policy.publication_date) {
                Some(d) => day_of(d) + policy.notice_days as i64,
                None => {
                    e.push(
                        "policy.publicationDate",
                        format!("not a date (YYYY-MM-DD): {:?}", policy.publication_date),
                    );
                    0
                }
            }
        };

        // Requests.
        let req_index = index_ids(&mut e, "requests", p.requests.iter().map(|r| r.id.as_str()));
        let mut requests = Vec::new();
        for (i, r) in p.requests.iter().enumerate() {
            let path = format!("requests[{i}]");
            let n_before = e.0.len();
            if r.worker_id.trim().is_empty() {
                e.push(format!("{path}.workerId"), "empty worker id");
            }
            let company = lookup(
                &mut e,
                format!("{path}.companyId"),
                &comp_index,
                "company",
                &r.company_id,
            );
            let kind = kind_index.get(&r.kind).copied();
            if kind.is_none() {
                e.push(
                    format!("{path}.kind"),
                    format!("unknown visit kind {:?}: add it to policy.kinds", r.kind),
                );
            }
            let release = if r.release_date.is_empty() {
                Some(None)
            } else {
                parse_date(&r.release_date).map(Some)
            };
            if release.is_none() {
                e.push(
                    format!("{path}.releaseDate"),
                    format!("not a date (YYYY-MM-DD): {:?}", r.release_date),
                );
            }
            let due = if r.due_date.is_empty() {
                Some(None)
            } else {
                parse_date(&r.due_date).map(Some)
            };
            if due.is_none() {
                e.push(
                    format!("{path}.dueDate"),
                    format!("not a date (YYYY-MM-DD): {:?}", r.due_date),
                );
            }
            if let (Some(Some(rel)), Some(Some(d))) = (release, due) {
                if d < rel {
                    e.push(format!("{path}.dueDate"), "before releaseDate");
                }
            }
            let required = if r.required_role == 0 {
                None
            } else {
                let role = role_of(r.required_role);
                if role.is_none() {
                    e.push(
                        format!("{path}.requiredRole"),
                        "unknown role: use ROLE_DOCTOR or ROLE_NURSE",
                    );
                }
                role
            };
            let eq = equipment_set(
                &mut e,
                &format!("{path}.equipment"),
                &equipment_index,
                &r.equipment,
            );
            let (in_person, tele) =
                modes_of(&mut e, &format!("{path}.modes"), &r.modes).unwrap_or((true, true));
            if eq != 0 && !in_person {
                e.push(format!("{path}.modes"), "equipment needs an in-person visit, but the worker accepts teleconsultation only");
            }
            let mut allowed = Vec::new();
            for (j, c) in r.allowed_centre_ids.iter().enumerate() {
                if let Some(ci) = lookup(
                    &mut e,
                    format!("{path}.allowedCentreIds[{j}]"),
                    &centre_index,
                    "centre",
                    c,
                ) {
                    if !allowed.contains(&ci) {
                        allowed.push(ci);
                    }
                }
            }
            let preferred_professional = optional_ref(
                &mut e,
                format!("{path}.preferredProfessionalId"),
                &prof_index,
                "professional",
                &r.preferred_professional_id,
            );
            if let (Some(c), Some(pp)) = (company, preferred_professional) {
                let (ps, cs) = (&p.professionals[pp].service_id, &p.companies[c].service_id);
                if let Some(message) = other_service(ps, cs) {
                    e.push(format!("{path}.preferredProfessionalId"), message);
                }
            }
            let preferred_centre = optional_ref(
                &mut e,
                format!("{path}.preferredCentreId"),
                &centre_index,
                "centre",
                &r.preferred_centre_id,
            );
            let mut unavailable = Vec::new();
            for (j, u) in r.unavailable.iter().enumerate() {
                let d = parse_date(&u.date);
                if d.is_none() {
                    e.push(
                        format!("{path}.unavailable[{j}].date"),
                        format!("not a date (YYYY-MM-DD): {:?}", u.date),
                    );
                }
                let h = match proto::HalfDay::try_from(u.half_day) {
                    Ok(proto::HalfDay::Morning) => Some(HalfDay::Morning),
                    Ok(proto::HalfDay::Afternoon) => Some(HalfDay::Afternoon),
                    _ => {
                        e.push(
                            format!("{path}.unavailable[{j}].halfDay"),
                            "use HALF_DAY_MORNING or HALF_DAY_AFTERNOON",
                        );
                        None
                    }
                };
                if let (Some(d), Some(h)) = (d, h) {
                    unavailable.push((day_of(d), h));
                }
            }
            let needs_doctor_by_risk = r.risks.iter().any(|x| doctor_only_risks.contains(x));
            if let Some(k) = kind {
                let kd = &kinds[k];
                if required == Some(Role::Nurse) && (kd.doctor_only || needs_doctor_by_risk) {
                    e.push(
                        format!("{path}.requiredRole"),
                        "a nurse is required but the kind or a risk needs a doctor",
                    );
                }
                if r.duration_minutes > 0 {
                    if let Some(longest) = longest_vacation {
                        if r.duration_minutes > longest {
                            e.push(
                                format!("{path}.durationMinutes"),
                                format!(
                                    "longer than every vacation (the longest lasts {longest} min)"
                                ),
                            );
                        }
                    }
                }
            }
            if e.0.len() > n_before {
                continue;
            }
            let (Some(company), Some(kind), Some(release), Some(due)) =
                (company, kind, release, due)
            else {
                continue;
            };
            let kd = &kinds[kind];
            let tier = if r.tier > 0 { r.tier } else { kd.tier };
            let due_day = due.map(day_of);
            let urgency = match due_day {
                Some(d) if d < 0 => Urgency::Overdue,
                Some(d) if d < days as i64 => Urgency::DueInHorizon,
                _ => Urgency::DueLater,
            };
            let (dm, nm) = if r.duration_minutes > 0 {
                (r.duration_minutes, r.duration_minutes)
            } else {
                (kd.doctor_minutes, kd.nurse_minutes)
            };
            requests.push(Request {
                id: r.id.clone(),
                worker_id: r.worker_id.clone(),
                company,
                kind,
                class: Class { tier, urgency },
                class_index: 0,
                release_day: release.map(day_of).unwrap_or(0).max(0),
                due_day,
                doctor_minutes: dm,
                nurse_minutes: nm,
                needs_doctor: kd.doctor_only
                    || needs_doctor_by_risk
                    || required == Some(Role::Doctor),
                needs_nurse: required == Some(Role::Nurse),
                equipment: eq,
                in_person,
                tele,
                allowed_centres: allowed,
                preferred_professional,
                preferred_centre,
                unavailable,
            });
        }

        // Weights and settings.
        let w = policy.weights.unwrap_or_default();
        let weights = Weights {
            referent: opt_weight(
                &mut e,
                "policy.weights.referent",
                w.referent,
                rules::weights::REFERENT,
            ),
            preferred_professional: opt_weight(
                &mut e,
                "policy.weights.preferredProfessional",
                w.preferred_professional,
                rules::weights::PREFERRED_PROFESSIONAL,
            ),
            preferred_centre: opt_weight(
                &mut e,
                "policy.weights.preferredCentre",
                w.preferred_centre,
                rules::weights::PREFERRED_CENTRE,
            ),
            company_spread: opt_weight(
                &mut e,
                "policy.weights.companySpread",
                w.company_spread,
                rules::weights::COMPANY_SPREAD,
            ),
            room_opened: opt_weight(
                &mut e,
                "policy.weights.roomOpened",
                w.room_opened,
                rules::weights::ROOM_OPENED,
            ),
        };
        let s = policy.solver.unwrap_or_default();
        if !s.time_limit_seconds.is_finite() || s.time_limit_seconds < 0.0 {
            e.push(
                "policy.solver.timeLimitSeconds",
                "must be a finite number >= 0",
            );
        }
        if !s.relative_gap.is_finite() || !(0.0..1.0).contains(&s.relative_gap) {
            e.push("policy.solver.relativeGap", "must be in [0, 1)");
        }
        let settings = Settings {
            time_limit_seconds: if s.time_limit_seconds > 0.0 && s.time_limit_seconds.is_finite() {
                s.time_limit_seconds
            } else {
                rules::DEFAULT_TIME_LIMIT_SECONDS
            },
            relative_gap: if s.relative_gap.is_finite() && s.relative_gap > 0.0 {
                s.relative_gap.min(0.99)
            } else {
                rules::DEFAULT_QUALITY_GAP
            },
            threads: s.threads,
            skip_quality: s.skip_quality,
        };

        if !e.0.is_empty() {
            return Err(InvalidInstance { errors: e.0 });
        }

        // Classes in priority order.
        let mut classes: Vec<Class> = requests.iter().map(|r| r.class).collect();
        classes.sort();
        classes.dedup();
        let class_pos: HashMap<Class, usize> =
            classes.iter().enumerate().map(|(i, c)| (*c, i)).collect();
        for r in &mut requests {
            r.class_index = class_pos[&r.class];
        }

        Ok(Instance {
            name: p.name.clone(),
            start_date,
            days,
            centres,
            rooms,
            professionals,
            vacations,
            absences,
            companies,
            services,
            requests,
            kinds,
            equipment,
            classes,
            first_bookable_day,
            weights,
            settings,
            index: Indexes {
                centres: centre_index,
                rooms: room_index,
                professionals: prof_index,
                vacations: vac_index,
                companies: comp_index,
                requests: req_index,
            },
        })
    }
}
