//! Capacity of a generated week: centres with their rooms, professionals, their vacations
//! (morning 08:30-12:00 and afternoon 13:30-17:00 half-days) and a few absences.

use super::presets::{PresetSpec, Sessions};
use super::{date, random_round, slug, HORIZON_DAYS};
use crate::proto;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Share of a doctor's time spent in visits (domain.md §2: 1/3 outside visits).
const DOCTOR_VISIT_SHARE: f64 = 2.0 / 3.0;
/// Share of a nurse's time spent in visits (domain.md §2: 1/4 outside visits).
const NURSE_VISIT_SHARE: f64 = 0.75;
/// Half-days a full-time professional works in a week.
const HALF_DAYS_PER_WEEK: f64 = 10.0;

/// Visit kinds of the nurses' narrower delegation protocol (the others get every kind a
/// nurse may perform).
const NURSE_PROTOCOL: &[&str] = &[
    "vip_initiale",
    "vip_initiale_sia",
    "vip_initiale_prioritaire",
    "vip_periodique",
    "interim",
    "mi_carriere",
    "demande",
    "rattrapage",
];

/// What the demand pass needs to know about a centre.
#[derive(Debug, Clone)]
pub(crate) struct CentreInfo {
    /// Display name.
    pub name: String,
    /// Index of its service in the preset.
    pub service: usize,
    /// Workers followed.
    pub workers: u32,
    /// Neighbouring centres (global indexes), same area.
    pub neighbours: Vec<usize>,
    /// Professionals based there (global indexes), doctors first.
    pub professionals: Vec<usize>,
    /// Union of its rooms' equipment.
    pub equipment: Vec<&'static str>,
}

/// The capacity pass's output.
#[derive(Debug, Clone, Default)]
pub(crate) struct Capacity {
    /// Centres with rooms.
    pub centres: Vec<proto::Centre>,
    /// Health professionals.
    pub professionals: Vec<proto::Professional>,
    /// Vacations.
    pub vacations: Vec<proto::Vacation>,
    /// Absences.
    pub absences: Vec<proto::Absence>,
    /// Per centre, indexed like `centres`.
    pub info: Vec<CentreInfo>,
    /// Per professional: is a doctor.
    pub is_doctor: Vec<bool>,
    /// Per service: minutes of the vacations no absence cancels.
    pub active_minutes: Vec<u64>,
}

/// A vacation before it is written out.
#[derive(Debug, Clone)]
struct Session {
    professional: usize,
    day: u32,
    afternoon: bool,
    start: u32,
    end: u32,
    centres: Vec<usize>,
    tele: bool,
    max_appointments: u32,
}

/// An absence in minutes from the horizon start, `[from, to)`.
#[derive(Debug, Clone, Copy)]
struct Away {
    professional: usize,
    from: u32,
    to: u32,
}

const DAY: u32 = 24 * 60;

fn hhmm(minutes: u32) -> String {
    crate::model::format_time(minutes)
}

/// Splits a team's ETP into people: max(1, round(etp)) people sharing it, none for 0.
fn people(etp: f64) -> Vec<f64> {
    if etp <= 0.0 {
        return Vec::new();
    }
    let n = (etp.round() as usize).max(1);
    vec![etp / n as f64; n]
}

/// Times of a session on a half-day.
fn times(rng: &mut ChaCha8Rng, sessions: Sessions, afternoon: bool) -> (u32, u32) {
    match sessions {
        Sessions::HalfDays => {
            // Most vacations keep the standard hours; a few are staggered by 30 minutes.
            let shift: i32 = match rng.random_range(0..10) {
                0 => -30,
                1 => 30,
                _ => 0,
            };
            let base: i32 = if afternoon { 13 * 60 + 30 } else { 8 * 60 + 30 };
            let start = (base + shift) as u32;
            (start, start + 210)
        }
        Sessions::Short(lengths) => {
            let base = if afternoon { 13 * 60 + 30 } else { 8 * 60 + 30 };
            let start = base + 30 * rng.random_range(0..2u32);
            let length = lengths.choose(rng).copied().unwrap_or(60);
            (start, start + length)
        }
    }
}

/// The `serviceId` of service `s`'s professionals and companies: its code on a preset of
/// several services, which no professional crosses (each company joins the service of its
/// territory); empty on a one-service preset.
pub(crate) fn service_id(spec: &PresetSpec, s: usize) -> String {
    if spec.services.len() > 1 {
        spec.services[s].code.clone()
    } else {
        String::new()
    }
}

/// Builds the capacity of a preset.
pub(crate) fn build(spec: &PresetSpec, rng: &mut ChaCha8Rng) -> Capacity {
    let mut cap = Capacity::default();
    let mut home = Vec::new(); // professional -> home centre
    let mut etp = Vec::new(); // professional -> ETP
    let mut centre_ids = Vec::new();

    // Centres and professionals.
    for (s, service) in spec.services.iter().enumerate() {
        let first = cap.info.len();
        let (mut doctors, mut nurses) = (0, 0);
        for (k, c) in service.centres.iter().enumerate() {
            let id = format!("{}-{}", service.code, slug(&c.name));
            let area = k / service.area_size.max(1);
            let neighbours = (0..service.centres.len())
                .filter(|&j| j != k && j / service.area_size.max(1) == area)
                .map(|j| first + j)
                .collect();
            let ci = cap.info.len();
            let mut staff = Vec::new();
            for (is_doctor, e) in people(c.doctor_etp)
                .into_iter()
                .map(|e| (true, e))
                .chain(people(c.nurse_etp).into_iter().map(|e| (false, e)))
            {
                let (letter, counter) = if is_doctor {
                    doctors += 1;
                    ('D', doctors)
                } else {
                    nurses += 1;
                    ('N', nurses)
                };
                // About one nurse in five works under a narrower protocol.
                let qualified_kinds = if !is_doctor && rng.random_bool(0.2) {
                    NURSE_PROTOCOL.iter().map(|k| k.to_string()).collect()
                } else {
                    Vec::new()
                };
                staff.push(cap.professionals.len());
                cap.professionals.push(proto::Professional {
                    id: format!("{}-{letter}{counter:03}", service.code),
                    role: if is_doctor {
                        proto::Role::Doctor
                    } else {
                        proto::Role::Nurse
                    } as i32,
                    qualified_kinds,
                    team_id: format!("{id}-team"),
                    service_id: service_id(spec, s),
                });
                cap.is_doctor.push(is_doctor);
                home.push(ci);
                etp.push(e);
            }
            cap.info.push(CentreInfo {
                name: c.name.clone(),
                service: s,
                workers: c.workers,
                neighbours,
                professionals: staff,
                equipment: Vec::new(),
            });
            centre_ids.push(id);
        }
    }

    // Vacations: each professional's open half-days, at the home centre mostly.
    let mut sessions = Vec::new();
    for p in 0..cap.professionals.len() {
        let count = match spec.vacations_per_professional {
            Some(list) => list.get(p).copied().unwrap_or(1),
            None => {
                let share = if cap.is_doctor[p] {
                    DOCTOR_VISIT_SHARE
                } else {
                    NURSE_VISIT_SHARE
                };
                random_round(rng, etp[p] * HALF_DAYS_PER_WEEK * share * spec.open_share)
            }
        };
        let mut slots: Vec<u32> = (0..HORIZON_DAYS * 2).collect();
        slots.shuffle(rng);
        let mut chosen: Vec<u32> = slots.into_iter().take(count as usize).collect();
        chosen.sort_unstable();
        let centre = home[p];
        let neighbours = &cap.info[centre].neighbours;
        for slot in chosen {
            let (day, afternoon) = (slot / 2, slot % 2 == 1);
            let (start, end) = times(rng, spec.sessions, afternoon);
            let remote = rng.random_bool(spec.remote_share);
            let centres = if remote {
                Vec::new()
            } else {
                // Mobilité de proximité: now and then at, or also at, a neighbouring centre.
                let mut list = vec![centre];
                if let Some(&n) = neighbours.choose(rng) {
                    let r: f64 = rng.random();
                    if r < 0.05 {
                        list = vec![n];
                    } else if r < 0.05 + spec.two_centre_share {
                        list.push(n);
                    }
                }
                list
            };
            let tele = remote || rng.random_bool(spec.tele_share);
            let max_appointments =
                if matches!(spec.sessions, Sessions::HalfDays) && rng.random_bool(0.05) {
                    6
                } else {
                    0
                };
            sessions.push(Session {
                professional: p,
                day,
                afternoon,
                start,
                end,
                centres,
                tele,
                max_appointments,
            });
        }
    }

    // Rooms: 0.6-0.9 of the peak of professionals held at the centre in one half-day.
    let mut peak = vec![[0u32; (HORIZON_DAYS * 2) as usize]; cap.info.len()];
    for s in &sessions {
        if let Some(&c) = s.centres.first() {
            peak[c][(s.day * 2 + u32::from(s.afternoon)) as usize] += 1;
        }
    }
    for (c, id) in centre_ids.iter().enumerate() {
        let top = peak[c].iter().copied().max().unwrap_or(0);
        let count = ((f64::from(top) * rng.random_range(0.6..0.9)).round() as usize).max(1);
        let mut rooms = Vec::new();
        let mut held: Vec<&'static str> = Vec::new();
        for k in 0..count {
            // The first room is the equipped cabinet (audiometer and vision tester, often a
            // spirometer); the others have some equipment now and then.
            let mut equipment = Vec::new();
            for (code, first, other) in [
                ("audiometry", 1.0, 0.25),
                ("vision", 1.0, 0.25),
                ("spirometry", 0.6, 0.15),
            ] {
                if rng.random_bool(if k == 0 { first } else { other }) {
                    equipment.push(code.to_string());
                    if !held.contains(&code) {
                        held.push(code);
                    }
                }
            }
            rooms.push(proto::Room {
                id: format!("{id}-{}", k + 1),
                equipment,
            });
        }
        cap.info[c].equipment = held;
        cap.centres.push(proto::Centre {
            id: id.clone(),
            name: cap.info[c].name.clone(),
            rooms,
        });
    }

    // Absences: one or two professionals away a half-day, a day or two.
    let working: Vec<usize> = {
        let mut w: Vec<usize> = sessions.iter().map(|s| s.professional).collect();
        w.dedup();
        w
    };
    let wanted = ((cap.professionals.len() as f64 * spec.absent_share).round() as usize)
        .max(spec.min_absences)
        .min(working.len());
    let mut away = Vec::new();
    for &p in working.choose_multiple(rng, wanted) {
        let mine: Vec<&Session> = sessions.iter().filter(|s| s.professional == p).collect();
        let Some(s) = mine.choose(rng) else { continue };
        let r: f64 = rng.random();
        let (from, to, proto_from, proto_to) = if r < 0.4 {
            let (a, b) = if s.afternoon {
                (13 * 60, 19 * 60)
            } else {
                (7 * 60, 13 * 60)
            };
            let d = date(i64::from(s.day));
            (
                s.day * DAY + a,
                s.day * DAY + b,
                format!("{d}T{}", hhmm(a)),
                format!("{d}T{}", hhmm(b)),
            )
        } else {
            let last = if r < 0.8 {
                s.day
            } else {
                (s.day + 1).min(HORIZON_DAYS - 1)
            };
            (
                s.day * DAY,
                (last + 1) * DAY,
                date(i64::from(s.day)),
                date(i64::from(last)),
            )
        };
        away.push(Away {
            professional: p,
            from,
            to,
        });
        cap.absences.push(proto::Absence {
            professional_id: cap.professionals[p].id.clone(),
            from: proto_from,
            to: proto_to,
        });
    }

    // Vacations written out, with the minutes no absence cancels.
    cap.active_minutes = vec![0; spec.services.len()];
    for s in &sessions {
        let (begin, end) = (s.day * DAY + s.start, s.day * DAY + s.end);
        let cancelled = away
            .iter()
            .any(|a| a.professional == s.professional && a.from < end && begin < a.to);
        if !cancelled {
            cap.active_minutes[cap.info[home[s.professional]].service] +=
                u64::from(s.end - s.start);
        }
        let prof = &cap.professionals[s.professional].id;
        let modes = if s.centres.is_empty() {
            vec![proto::Mode::Teleconsultation as i32]
        } else if s.tele {
            vec![
                proto::Mode::InPerson as i32,
                proto::Mode::Teleconsultation as i32,
            ]
        } else {
            vec![proto::Mode::InPerson as i32]
        };
        cap.vacations.push(proto::Vacation {
            id: format!(
                "{prof}-{}-{}",
                date(i64::from(s.day)),
                if s.afternoon { "pm" } else { "am" }
            ),
            professional_id: prof.clone(),
            date: date(i64::from(s.day)),
            start: hhmm(s.start),
            end: hhmm(s.end),
            centre_ids: s.centres.iter().map(|&c| centre_ids[c].clone()).collect(),
            modes,
            max_appointments: s.max_appointments,
        });
    }
    cap
}
