//! Validated domain types, built once from the proto messages at the edge
//! ([`Instance::from_proto`]) with field-pathed errors. The solver and the plan checks only
//! see these types: indexes instead of string ids, minutes instead of "HH:MM", day offsets
//! from the horizon start instead of dates.

mod convert;
mod error;

pub use convert::parse_instance_json;
pub use error::{FieldError, InvalidInstance};

use chrono::{NaiveDate, NaiveDateTime};
use std::collections::HashMap;

/// Profession of a health professional.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Occupational doctor.
    Doctor,
    /// Occupational-health nurse under a delegation protocol.
    Nurse,
}

/// How a visit is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    /// In a room of a centre.
    InPerson,
    /// Remote.
    Teleconsultation,
}

/// Half-day of a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HalfDay {
    /// Starts before 13:00.
    Morning,
    /// Starts at 13:00 or later.
    Afternoon,
}

/// Urgency bucket relative to the horizon, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Urgency {
    /// Due before the horizon starts.
    Overdue,
    /// Due within the horizon.
    DueInHorizon,
    /// Due later, or no due date.
    DueLater,
}

/// A priority class: requests are ranked by tier, then urgency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Class {
    /// Tier, 1 first.
    pub tier: u32,
    /// Urgency bucket.
    pub urgency: Urgency,
}

/// A set of equipment codes as a bitmask over [`Instance::equipment`].
pub type EquipmentSet = u64;

/// A site with rooms.
#[derive(Debug, Clone)]
pub struct Centre {
    /// Id from the input.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Indexes into [`Instance::rooms`].
    pub rooms: Vec<usize>,
}

/// A consultation room.
#[derive(Debug, Clone)]
pub struct Room {
    /// Id from the input, unique over the instance.
    pub id: String,
    /// Index of its centre.
    pub centre: usize,
    /// Equipment it holds.
    pub equipment: EquipmentSet,
}

/// A health professional.
#[derive(Debug, Clone)]
pub struct Professional {
    /// Id from the input.
    pub id: String,
    /// Doctor or nurse.
    pub role: Role,
    /// Kinds this professional may perform, indexed like [`Instance::kinds`].
    pub qualified: Vec<bool>,
    /// Team id (reporting only).
    pub team_id: String,
    /// Index of its service in [`Instance::services`].
    pub service: usize,
}

/// A consultation session.
#[derive(Debug, Clone)]
pub struct Vacation {
    /// Id from the input.
    pub id: String,
    /// Index of the professional.
    pub professional: usize,
    /// Calendar date.
    pub date: NaiveDate,
    /// Day offset from the horizon start (inside the horizon).
    pub day: i64,
    /// Start, minutes from midnight.
    pub start: u32,
    /// End, minutes from midnight, after `start`.
    pub end: u32,
    /// Candidate centres (indexes); empty for a remote vacation.
    pub centres: Vec<usize>,
    /// Offers in-person visits.
    pub in_person: bool,
    /// Offers teleconsultations.
    pub tele: bool,
    /// Cap on appointments, if any.
    pub max_appointments: Option<u32>,
    /// Cancelled by an absence of its professional.
    pub cancelled: bool,
}

impl Vacation {
    /// Length in minutes.
    pub fn minutes(&self) -> u32 {
        self.end - self.start
    }
    /// Half-day the vacation belongs to (by its start).
    pub fn half_day(&self) -> HalfDay {
        half_day_of(self.start)
    }
    /// True when held in a centre (needs a room).
    pub fn needs_room(&self) -> bool {
        !self.centres.is_empty()
    }
}

/// The half-day a time of day (minutes) falls in.
pub fn half_day_of(minutes: u32) -> HalfDay {
    if minutes < crate::rules::AFTERNOON_STARTS_AT {
        HalfDay::Morning
    } else {
        HalfDay::Afternoon
    }
}

/// An absence of a professional, `[from, to)`.
#[derive(Debug, Clone)]
pub struct Absence {
    /// Index of the professional.
    pub professional: usize,
    /// Start, inclusive.
    pub from: NaiveDateTime,
    /// End, exclusive.
    pub to: NaiveDateTime,
}

/// A member company (adhérent).
#[derive(Debug, Clone)]
pub struct Company {
    /// Id from the input.
    pub id: String,
    /// Workers followed (reporting only).
    pub headcount: u32,
    /// Referent professional, if any.
    pub referent: Option<usize>,
    /// Home centre, if any.
    pub home_centre: Option<usize>,
    /// Index of its service in [`Instance::services`].
    pub service: usize,
}

/// A visit kind with its rules resolved from defaults and policy.
#[derive(Debug, Clone)]
pub struct Kind {
    /// Code, e.g. `vip_initiale`.
    pub code: String,
    /// Tier.
    pub tier: u32,
    /// Doctor-only.
    pub doctor_only: bool,
    /// Default minutes with a doctor.
    pub doctor_minutes: u32,
    /// Default minutes with a nurse.
    pub nurse_minutes: u32,
}

/// A pending visit request with every rule resolved.
#[derive(Debug, Clone)]
pub struct Request {
    /// Id from the input.
    pub id: String,
    /// Pseudonymous worker id (never logged).
    pub worker_id: String,
    /// Index of the company.
    pub company: usize,
    /// Index of the kind.
    pub kind: usize,
    /// Priority class.
    pub class: Class,
    /// Index of the class in [`Instance::classes`].
    pub class_index: usize,
    /// First bookable day offset (release date, horizon start at the earliest).
    pub release_day: i64,
    /// Due day offset, if any (may be negative: overdue).
    pub due_day: Option<i64>,
    /// Minutes with a doctor.
    pub doctor_minutes: u32,
    /// Minutes with a nurse.
    pub nurse_minutes: u32,
    /// Needs a doctor (kind, risk or explicit role).
    pub needs_doctor: bool,
    /// Explicitly requires a nurse.
    pub needs_nurse: bool,
    /// Equipment needed.
    pub equipment: EquipmentSet,
    /// Accepts an in-person visit.
    pub in_person: bool,
    /// Accepts a teleconsultation.
    pub tele: bool,
    /// Allowed centres for an in-person visit; empty: any.
    pub allowed_centres: Vec<usize>,
    /// Preferred professional.
    pub preferred_professional: Option<usize>,
    /// Preferred centre.
    pub preferred_centre: Option<usize>,
    /// Unavailable half-days `(day offset, half-day)`.
    pub unavailable: Vec<(i64, HalfDay)>,
}

impl Request {
    /// Duration with a professional of `role`, minutes.
    pub fn minutes(&self, role: Role) -> u32 {
        match role {
            Role::Doctor => self.doctor_minutes,
            Role::Nurse => self.nurse_minutes,
        }
    }
    /// True when teleconsultation is possible for the request itself (no equipment).
    pub fn tele_possible(&self) -> bool {
        self.tele && self.equipment == 0
    }
}

/// Quality weights (level 4).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// Per appointment with the company's referent.
    pub referent: f64,
    /// Per appointment with the preferred professional.
    pub preferred_professional: f64,
    /// Per in-person appointment at the preferred or home centre.
    pub preferred_centre: f64,
    /// Per extra vacation a company is spread over.
    pub company_spread: f64,
    /// Per room opened.
    pub room_opened: f64,
}

/// Solver settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Wall-clock limit, seconds.
    pub time_limit_seconds: f64,
    /// Relative gap accepted at levels 3-4.
    pub relative_gap: f64,
    /// HiGHS threads.
    pub threads: u32,
    /// Skip levels 3 and 4.
    pub skip_quality: bool,
}

/// A validated instance.
#[derive(Debug, Clone)]
pub struct Instance {
    /// Label.
    pub name: String,
    /// First day of the horizon.
    pub start_date: NaiveDate,
    /// Days in the horizon.
    pub days: u32,
    /// Centres.
    pub centres: Vec<Centre>,
    /// Rooms of every centre.
    pub rooms: Vec<Room>,
    /// Professionals.
    pub professionals: Vec<Professional>,
    /// Vacations, cancelled ones included (flagged).
    pub vacations: Vec<Vacation>,
    /// Absences.
    pub absences: Vec<Absence>,
    /// Companies.
    pub companies: Vec<Company>,
    /// Service (SPSTI) ids, sorted; one empty id when the input names none. A professional
    /// sees only the requests of companies of its own service.
    pub services: Vec<String>,
    /// Requests.
    pub requests: Vec<Request>,
    /// Visit kinds (defaults merged with the policy).
    pub kinds: Vec<Kind>,
    /// Equipment codes; bit `i` of an [`EquipmentSet`] is `equipment[i]`.
    pub equipment: Vec<String>,
    /// Non-empty classes in priority order.
    pub classes: Vec<Class>,
    /// First bookable day offset from the notice limit (0 when none).
    pub first_bookable_day: i64,
    /// Quality weights.
    pub weights: Weights,
    /// Solver settings.
    pub settings: Settings,
    /// Ids to indexes.
    pub index: Indexes,
}

/// Id lookups.
#[derive(Debug, Clone, Default)]
pub struct Indexes {
    /// Centre id to index.
    pub centres: HashMap<String, usize>,
    /// Room id to index.
    pub rooms: HashMap<String, usize>,
    /// Professional id to index.
    pub professionals: HashMap<String, usize>,
    /// Vacation id to index.
    pub vacations: HashMap<String, usize>,
    /// Company id to index.
    pub companies: HashMap<String, usize>,
    /// Request id to index.
    pub requests: HashMap<String, usize>,
}

impl Instance {
    /// Date of a day offset.
    pub fn date_of(&self, day: i64) -> NaiveDate {
        self.start_date + chrono::Days::new(day.max(0) as u64)
    }
    /// Day offset of a date.
    pub fn day_of(&self, date: NaiveDate) -> i64 {
        (date - self.start_date).num_days()
    }
    /// Service of a request: that of its company.
    pub fn service_of(&self, request: &Request) -> usize {
        self.companies[request.company].service
    }
}

/// "HH:MM" of minutes from midnight.
pub fn format_time(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}
