//! Compatibility of requests with vacations: which (request, vacation, mode) triples the
//! hard rules H2, H3, H5 and H7 allow, and in which rooms (H5 equipment, H7 centres). Only
//! these pairs get variables. When a request has none, the first filter that emptied its
//! candidate list is kept as the diagnosis.

use crate::model::{Instance, Request, Role, Vacation};

/// Why a request has no compatible option, in the order the filters run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Exclusion {
    /// No active vacation of a professional of its company's service qualified for the kind
    /// and role.
    NoQualifiedProfessional,
    /// Released after the horizon or the notice limit, or every qualified vacation is
    /// before its release date.
    OutsideWindow,
    /// Unavailable on every half-day with a qualified vacation.
    WorkerUnavailable,
    /// No qualified vacation in an allowed centre, nor a teleconsultation it accepts.
    NoAllowedCentreOrMode,
    /// No room with its equipment in the qualified vacations' centres.
    NoEquippedRoom,
    /// Longer than every compatible vacation.
    TooLong,
}

/// A compatible vacation for a request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Option_ {
    /// Vacation index.
    pub vacation: usize,
    /// Rooms (of the vacation's candidate centres) in which an in-person visit is allowed;
    /// empty when in person is impossible.
    pub rooms: Vec<usize>,
    /// A teleconsultation is possible.
    pub tele: bool,
    /// Minutes with this vacation's professional.
    pub minutes: u32,
    /// `rooms` holds every room the vacation may hold (the request leaves none out for its
    /// centres or equipment): room tests may read the vacation's list, shared by all its
    /// options and warm in cache, instead of this option's own (a cache miss each, most of
    /// the augmenting paths' and packing's time after their option searches). Set by
    /// [`Compatibility::new`].
    pub every_room: bool,
}

/// Compatibility of every request.
#[derive(Debug, Clone, Default)]
pub struct Compatibility {
    /// Options per request, by vacation index.
    pub options: Vec<Vec<Option_>>,
    /// Diagnosis of requests with no option.
    pub exclusions: Vec<Option<Exclusion>>,
    /// Rooms each vacation may hold (rooms of its candidate centres), sorted.
    pub vacation_rooms: Vec<Vec<usize>>,
}

impl Compatibility {
    /// The compatibility of these options (by vacation index), diagnoses and rooms; sets
    /// each option's [`Option_::every_room`].
    pub fn new(
        mut options: Vec<Vec<Option_>>,
        exclusions: Vec<Option<Exclusion>>,
        vacation_rooms: Vec<Vec<usize>>,
    ) -> Self {
        for o in options.iter_mut().flatten() {
            // `rooms` is drawn from the vacation's rooms, in their order.
            o.every_room = o.rooms == vacation_rooms[o.vacation];
        }
        Compatibility {
            options,
            exclusions,
            vacation_rooms,
        }
    }

    /// The rooms option `o` allows in person: the vacation's own list when it is the same.
    pub fn rooms_of<'a>(&'a self, o: &'a Option_) -> &'a [usize] {
        if o.every_room {
            &self.vacation_rooms[o.vacation]
        } else {
            &o.rooms
        }
    }

    /// Number of (request, vacation) pairs.
    pub fn pairs(&self) -> usize {
        self.options.iter().map(Vec::len).sum()
    }
}

/// True when the vacation's professional may perform the request (H2): of the service of
/// the request's company, qualified for its kind and of the role it needs.
pub fn qualified(instance: &Instance, r: &Request, v: &Vacation) -> bool {
    let p = &instance.professionals[v.professional];
    p.service == instance.service_of(r)
        && p.qualified[r.kind]
        && !(r.needs_doctor && p.role != Role::Doctor)
        && !(r.needs_nurse && p.role != Role::Nurse)
}

/// Computes the options of every request.
pub fn compute(instance: &Instance) -> Compatibility {
    let vacation_rooms: Vec<Vec<usize>> = instance
        .vacations
        .iter()
        .map(|v| {
            let mut rooms: Vec<usize> = v
                .centres
                .iter()
                .flat_map(|&c| instance.centres[c].rooms.iter().copied())
                .collect();
            rooms.sort_unstable();
            rooms
        })
        .collect();
    let horizon_end = instance.days as i64;
    // A request only sees the vacations of its company's service (H2): on a platform of
    // many services, this spares most of the pairs the filters would reject.
    let mut by_service: Vec<Vec<usize>> = vec![Vec::new(); instance.services.len()];
    for (vi, v) in instance.vacations.iter().enumerate() {
        by_service[instance.professionals[v.professional].service].push(vi);
    }
    let mut options = Vec::with_capacity(instance.requests.len());
    let mut exclusions = Vec::with_capacity(instance.requests.len());
    for r in &instance.requests {
        let earliest = r.release_day.max(instance.first_bookable_day).max(0);
        // Filters run in order; the furthest filter any vacation got past names the reason.
        let mut found = Vec::new();
        let mut best_stage = None::<Exclusion>;
        for &vi in &by_service[instance.service_of(r)] {
            let v = &instance.vacations[vi];
            let reached = (|| {
                if v.cancelled || !qualified(instance, r, v) {
                    return Exclusion::NoQualifiedProfessional;
                }
                if v.day < earliest || v.day >= horizon_end {
                    return Exclusion::OutsideWindow;
                }
                if r.unavailable
                    .iter()
                    .any(|&(d, h)| d == v.day && h == v.half_day())
                {
                    return Exclusion::WorkerUnavailable;
                }
                let tele = v.tele && r.tele_possible();
                let centre_ok =
                    |c: usize| r.allowed_centres.is_empty() || r.allowed_centres.contains(&c);
                let in_person_centres =
                    v.in_person && r.in_person && v.centres.iter().any(|&c| centre_ok(c));
                if !tele && !in_person_centres {
                    return Exclusion::NoAllowedCentreOrMode;
                }
                let rooms: Vec<usize> = if in_person_centres {
                    vacation_rooms[vi]
                        .iter()
                        .copied()
                        .filter(|&k| {
                            let room = &instance.rooms[k];
                            centre_ok(room.centre) && room.equipment & r.equipment == r.equipment
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                if !tele && rooms.is_empty() {
                    return Exclusion::NoEquippedRoom;
                }
                let minutes = r.minutes(instance.professionals[v.professional].role);
                if minutes > v.minutes() {
                    return Exclusion::TooLong;
                }
                found.push(Option_ {
                    vacation: vi,
                    rooms,
                    tele,
                    minutes,
                    every_room: false,
                });
                Exclusion::TooLong
            })();
            if best_stage.is_none_or(|b| reached > b) {
                best_stage = Some(reached);
            }
        }
        exclusions.push(if found.is_empty() {
            Some(best_stage.unwrap_or(Exclusion::NoQualifiedProfessional))
        } else {
            None
        });
        options.push(found);
    }
    Compatibility::new(options, exclusions, vacation_rooms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{generate, Preset};

    #[test]
    fn an_option_s_rooms_read_through_the_vacation_are_its_own() {
        let mut shared = 0;
        for preset in [Preset::Small, Preset::AmiEureWeek] {
            let instance = Instance::from_proto(&generate(preset, 1)).expect("valid");
            let compat = compute(&instance);
            for o in compat.options.iter().flatten() {
                assert_eq!(compat.rooms_of(o), o.rooms.as_slice());
                shared += usize::from(o.every_room);
            }
            // Rebuilt from options whose rooms shrank (as a re-optimisation's neighbourhood
            // does), the flag follows.
            let mut options = compat.options.clone();
            for o in options.iter_mut().flatten() {
                o.rooms.truncate(1);
            }
            let rooms: Vec<Vec<usize>> = compat
                .vacation_rooms
                .iter()
                .map(|r| r.iter().copied().take(2).collect())
                .collect();
            let narrowed = Compatibility::new(options, compat.exclusions.clone(), rooms);
            for o in narrowed.options.iter().flatten() {
                assert_eq!(narrowed.rooms_of(o), o.rooms.as_slice());
            }
        }
        assert!(shared > 0, "no option allows every room of its vacation");
    }
}
