//! Demand of a generated week: a member population per centre skewed to small companies,
//! and visit requests drawn in proportion to the companies' headcounts, sized so that they
//! exceed the capacity by 20 to 40 %.

use super::capacity::Capacity;
use super::presets::PresetSpec;
use super::{date, offset_of, start_date, weighted_index, HORIZON_DAYS, MINUTES_PER_VISIT};
use crate::proto;
use chrono::Months;
use rand::seq::IndexedRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Visit mix (kind, share in %): CIAMT 2024 (domain.md §3): 41 % VIP initiale, 15 % VIP
/// périodique, 16 % on request, 8 % reprise, 4 % pré-reprise, 6 % SIR hiring exam, 3 %
/// mi-carrière, the remaining 7 % over the other kinds.
pub(crate) const KIND_MIX: &[(&str, f64)] = &[
    ("vip_initiale", 33.0),
    ("vip_initiale_sia", 4.0),
    ("vip_initiale_prioritaire", 3.0),
    ("vip_initiale_handicap", 1.0),
    ("vip_periodique", 15.0),
    ("demande", 16.0),
    ("reprise", 6.0),
    ("reprise_maternite", 2.0),
    ("pre_reprise", 4.0),
    ("sir_embauche", 4.0),
    ("sir_embauche_differe", 2.0),
    ("mi_carriere", 3.0),
    ("sir_periodique", 2.5),
    ("sir_intermediaire", 1.5),
    ("post_exposition", 1.0),
    ("rattrapage", 1.0),
    ("interim", 1.0),
];

/// Company size bands (share, smallest, largest + 1), log-uniform inside a band: with these
/// shares about 87 % of the members have fewer than 20 workers (domain.md §5).
pub(crate) const SIZE_BANDS: &[(f64, f64, f64)] = &[
    (0.800, 1.0, 10.0),
    (0.155, 10.0, 50.0),
    (0.037, 50.0, 300.0),
    (0.008, 300.0, 5_000.0),
];

/// Risks of SIR posts; some of them exclude delegation to nurses.
const SIR_RISKS: &[&str] = &[
    "noise",
    "chemical",
    "asbestos",
    "lead",
    "ionising_radiation_ab",
    "heights",
    "machinery",
    "night_work",
];

/// Lower bound of the demand/capacity ratio.
pub(crate) const RATIO_MIN: f64 = 1.21;
/// Upper bound of the demand/capacity ratio.
pub(crate) const RATIO_MAX: f64 = 1.39;

/// The demand pass's output.
#[derive(Debug, Clone, Default)]
pub(crate) struct Demand {
    /// Companies with at least one pending request.
    pub companies: Vec<proto::Company>,
    /// Visit requests.
    pub requests: Vec<proto::VisitRequest>,
}

/// A member company of the population.
#[derive(Debug, Clone)]
struct Member {
    headcount: u32,
    centre: usize,
    referent: Option<usize>,
}

/// Draws a company headcount from [`SIZE_BANDS`].
pub(crate) fn headcount(rng: &mut ChaCha8Rng) -> u32 {
    let shares: Vec<f64> = SIZE_BANDS.iter().map(|b| b.0).collect();
    let (_, lo, hi) = SIZE_BANDS[weighted_index(rng, &shares)];
    let x = (lo.ln() + rng.random::<f64>() * (hi.ln() - lo.ln())).exp();
    (x.floor() as u32).clamp(lo as u32, hi as u32 - 1)
}

/// Number of requests: capacity × a ratio drawn in 1.25-1.35, kept inside
/// [`RATIO_MIN`, `RATIO_MAX`] and the preset's bounds.
fn request_count(spec: &PresetSpec, capacity: f64, rng: &mut ChaCha8Rng) -> usize {
    let ratio = rng.random_range(1.25..1.35);
    let mut n = (capacity * ratio).round() as usize;
    let (lo, hi) = (
        (capacity * RATIO_MIN).ceil() as usize,
        (capacity * RATIO_MAX).floor() as usize,
    );
    if lo <= hi {
        n = n.clamp(lo, hi);
    }
    n.clamp(spec.request_bounds.0, spec.request_bounds.1)
}

/// Builds companies and requests on top of a capacity.
pub(crate) fn build(spec: &PresetSpec, cap: &Capacity, rng: &mut ChaCha8Rng) -> Demand {
    let minutes: u64 = cap.active_minutes.iter().sum();
    let capacity = minutes as f64 / MINUTES_PER_VISIT;
    let total = request_count(spec, capacity, rng);

    // Member population per centre, until its headcounts cover the workers it follows.
    let mut members: Vec<Member> = Vec::new();
    let mut service_members: Vec<Vec<usize>> = vec![Vec::new(); spec.services.len()];
    for (c, info) in cap.info.iter().enumerate() {
        let mut covered = 0u32;
        while covered < info.workers {
            let h = headcount(rng);
            covered += h;
            service_members[info.service].push(members.len());
            members.push(Member {
                headcount: h,
                centre: c,
                referent: referent(cap, c, rng),
            });
        }
    }

    // Requests per service in proportion to its capacity, then per company in proportion to
    // its headcount: large companies ask a lot.
    let mut asked = vec![0u32; members.len()];
    let mut drawn: Vec<usize> = Vec::with_capacity(total);
    let mut assigned = 0;
    for (s, list) in service_members.iter().enumerate() {
        let n = if s + 1 == spec.services.len() {
            total - assigned
        } else if minutes == 0 {
            0
        } else {
            (total as f64 * cap.active_minutes[s] as f64 / minutes as f64).floor() as usize
        };
        assigned += n;
        let mut cumulative = Vec::with_capacity(list.len());
        let mut sum = 0u64;
        for &m in list {
            sum += u64::from(members[m].headcount);
            cumulative.push(sum);
        }
        if sum == 0 {
            continue;
        }
        for _ in 0..n {
            let u = rng.random_range(0..sum);
            let k = cumulative.partition_point(|&c| c <= u);
            if let Some(&m) = list.get(k) {
                drawn.push(m);
            }
        }
    }

    // Companies with pending requests, in population order (stable ids).
    let mut companies = Vec::new();
    let mut company_id = vec![String::new(); members.len()];
    for &m in &drawn {
        asked[m] += 1;
    }
    for (m, member) in members.iter().enumerate() {
        if asked[m] == 0 {
            continue;
        }
        let service = &spec.services[cap.info[member.centre].service];
        company_id[m] = format!("{}-E{:06}", service.code, m + 1);
        companies.push(proto::Company {
            id: company_id[m].clone(),
            headcount: member.headcount,
            referent_professional_id: member
                .referent
                .map(|p| cap.professionals[p].id.clone())
                .unwrap_or_default(),
            home_centre_id: cap.centres[member.centre].id.clone(),
            service_id: super::capacity::service_id(spec, cap.info[member.centre].service),
        });
    }

    let requests = drawn
        .iter()
        .enumerate()
        .map(|(i, &m)| request(rng, cap, i, &members[m], &company_id[m]))
        .collect();
    Demand {
        companies,
        requests,
    }
}

/// The company's referent: a professional of its home centre (a doctor mostly), else of a
/// neighbouring centre; none for about 15 % of the companies.
fn referent(cap: &Capacity, centre: usize, rng: &mut ChaCha8Rng) -> Option<usize> {
    if rng.random_bool(0.15) {
        return None;
    }
    let info = &cap.info[centre];
    let mut pool: Vec<usize> = info.professionals.clone();
    if pool.is_empty() {
        pool = info
            .neighbours
            .iter()
            .flat_map(|&n| cap.info[n].professionals.iter().copied())
            .collect();
    }
    let doctors: Vec<usize> = pool.iter().copied().filter(|&p| cap.is_doctor[p]).collect();
    if !doctors.is_empty() && rng.random_bool(0.75) {
        doctors.choose(rng).copied()
    } else {
        pool.choose(rng).copied()
    }
}

/// Day offset of `months` after the day offset `from`.
fn months_after(from: i64, months: u32) -> i64 {
    let start = start_date();
    let d = if from >= 0 {
        start.checked_add_days(chrono::Days::new(from as u64))
    } else {
        start.checked_sub_days(chrono::Days::new(from.unsigned_abs()))
    };
    d.and_then(|d| d.checked_add_months(Months::new(months)))
        .map_or(from + 30 * i64::from(months), offset_of)
}

/// Release and due day offsets of a request of `kind` (release <= due); `None`: no date.
fn dates(rng: &mut ChaCha8Rng, kind: &str) -> (Option<i64>, Option<i64>) {
    let received = -rng.random_range(1..=60);
    let (release, due) = match kind {
        // Within 8 days of the return to work.
        "reprise" | "reprise_maternite" => {
            let back = rng.random_range(-12..=3);
            (Some(back), Some(back + 8))
        }
        "pre_reprise" => {
            let asked = rng.random_range(-20..=0);
            let due = rng
                .random_bool(0.6)
                .then(|| asked + rng.random_range(14..=30));
            (Some(asked), due)
        }
        // Within 3 months of hiring (2 months for an adult apprentice).
        "vip_initiale" | "vip_initiale_sia" | "vip_initiale_handicap" => {
            let hired = rng.random_range(-100..=3);
            let months = if rng.random_bool(0.1) { 2 } else { 3 };
            (Some(hired), Some(months_after(hired, months)))
        }
        "sir_embauche_differe" => {
            let hired = rng.random_range(-60..=3);
            (Some(hired), Some(months_after(hired, 3)))
        }
        // Before taking the post.
        "vip_initiale_prioritaire" | "sir_embauche" => {
            (Some(received), Some(rng.random_range(-5..=25)))
        }
        "demande" => {
            let asked = rng.random_range(-30..=2);
            let due = rng
                .random_bool(0.5)
                .then(|| asked + rng.random_range(21..=45));
            (Some(asked), due)
        }
        // In the calendar year of the 45th birthday.
        "mi_carriere" => {
            let year_end = if rng.random_bool(0.6) {
                "2026-12-31"
            } else {
                "2027-12-31"
            };
            let due = chrono::NaiveDate::parse_from_str(year_end, "%Y-%m-%d").map_or(31, offset_of);
            (Some(received - 30), Some(due))
        }
        // Last visit over 6 years ago: long overdue.
        "rattrapage" => (Some(received), Some(-rng.random_range(30..=400))),
        "post_exposition" => (Some(received), Some(rng.random_range(-30..=60))),
        "vip_periodique" => (Some(received), Some(rng.random_range(-150..=200))),
        _ => (Some(received), Some(rng.random_range(-120..=300))),
    };
    let release = match (release, due) {
        (Some(r), Some(d)) => Some(r.min(d)),
        (r, _) => r,
    };
    (release, due)
}

/// One visit request of a company's worker.
fn request(
    rng: &mut ChaCha8Rng,
    cap: &Capacity,
    index: usize,
    member: &Member,
    company_id: &str,
) -> proto::VisitRequest {
    let weights: Vec<f64> = KIND_MIX.iter().map(|k| k.1).collect();
    let kind = KIND_MIX[weighted_index(rng, &weights)].0;
    let sir = kind.starts_with("sir_") || kind == "post_exposition";
    let follow_up = if sir {
        proto::FollowUp::Sir
    } else if matches!(kind, "vip_initiale_sia" | "vip_initiale_handicap")
        || (kind == "vip_periodique" && rng.random_bool(0.2))
    {
        proto::FollowUp::Sia
    } else {
        proto::FollowUp::Si
    };
    let risks: Vec<String> = if sir {
        SIR_RISKS
            .choose(rng)
            .map(|r| vec![r.to_string()])
            .unwrap_or_default()
    } else {
        Vec::new()
    };

    // In person at the home centre, often also at a neighbouring one.
    let home = member.centre;
    let mut allowed = vec![home];
    let neighbours = &cap.info[home].neighbours;
    if rng.random_bool(0.6) {
        if let Some(&n) = neighbours.choose(rng) {
            allowed.push(n);
        }
    }
    let preferred_centre = if allowed.len() > 1 && rng.random_bool(0.3) {
        cap.centres[allowed[1]].id.clone()
    } else {
        String::new()
    };

    // Equipment: audiometry for noise, vision for drivers, spirometry for chemicals; only
    // what an allowed centre holds.
    let p_equipment = match kind {
        "vip_periodique" | "sir_periodique" | "sir_intermediaire" | "interim" => 0.25,
        "sir_embauche" | "sir_embauche_differe" => 0.3,
        "vip_initiale" => 0.05,
        _ => 0.0,
    };
    let mut equipment = Vec::new();
    if rng.random_bool(p_equipment) {
        let code = ["audiometry", "vision", "spirometry"][weighted_index(rng, &[0.5, 0.35, 0.15])];
        if allowed
            .iter()
            .any(|&c| cap.info[c].equipment.contains(&code))
        {
            equipment.push(code.to_string());
        }
    }

    let in_person = proto::Mode::InPerson as i32;
    let tele = proto::Mode::Teleconsultation as i32;
    let modes = if !equipment.is_empty() {
        vec![in_person]
    } else {
        let r: f64 = rng.random();
        if r < 0.28 {
            vec![in_person, tele]
        } else if r < 0.30 {
            vec![tele]
        } else {
            vec![in_person]
        }
    };

    let (release, due) = dates(rng, kind);
    let required_role = if kind == "demande" && rng.random_bool(0.1) {
        proto::Role::Doctor as i32
    } else {
        0
    };
    let duration_minutes = if matches!(kind, "reprise" | "pre_reprise") && rng.random_bool(0.03) {
        45
    } else {
        0
    };
    let preferred_professional_id = match member.referent {
        Some(p) if rng.random_bool(0.2) => cap.professionals[p].id.clone(),
        _ => String::new(),
    };
    let mut unavailable = Vec::new();
    if rng.random_bool(0.06) {
        let mut slots: Vec<(u32, bool)> = (0..rng.random_range(1..=3))
            .map(|_| (rng.random_range(0..HORIZON_DAYS), rng.random_bool(0.5)))
            .collect();
        slots.sort_unstable();
        slots.dedup();
        unavailable = slots
            .into_iter()
            .map(|(d, pm)| proto::HalfDaySlot {
                date: date(i64::from(d)),
                half_day: if pm {
                    proto::HalfDay::Afternoon
                } else {
                    proto::HalfDay::Morning
                } as i32,
            })
            .collect();
    }

    proto::VisitRequest {
        id: format!("R{:06}", index + 1),
        worker_id: format!("W{:06}", index + 1),
        company_id: company_id.to_string(),
        kind: kind.to_string(),
        follow_up: follow_up as i32,
        release_date: release.map(date).unwrap_or_default(),
        due_date: due.map(date).unwrap_or_default(),
        tier: 0,
        duration_minutes,
        required_role,
        equipment,
        modes,
        allowed_centre_ids: allowed.iter().map(|&c| cap.centres[c].id.clone()).collect(),
        preferred_professional_id,
        unavailable,
        risks,
        preferred_centre_id: preferred_centre,
    }
}
