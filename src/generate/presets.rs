//! The shape of each preset: services, their centres with the workers they follow and the
//! team in ETP, and how much of the professionals' consultation time is still open.
//!
//! CIAMT's figures come from its *projet de service* (shared/domain.md §6: St Lazare 55,220
//! workers and 7.83 doctor ETP, Louvre 11,997 and 0.77; totals 433,816 workers, 65 doctor
//! ETP, 43 nurse ETP); the other CIAMT centres are plausible Paris-area sites whose figures
//! add up to those totals. AMI Eure: 12 centres, 91,650 workers, 14 doctors, 26 nurses.

use super::Preset;

/// A centre of a service: display name, workers followed, doctor and nurse ETP.
#[derive(Debug, Clone)]
pub(crate) struct CentreSpec {
    /// Display name; the id is derived from it.
    pub name: String,
    /// Workers followed by the centre (sizes its member companies).
    pub workers: u32,
    /// Doctor full-time equivalents.
    pub doctor_etp: f64,
    /// Nurse full-time equivalents.
    pub nurse_etp: f64,
}

/// Length of the vacations of a preset.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Sessions {
    /// Full half-days: 08:30-12:00 and 13:30-17:00, a few staggered by 30 minutes.
    HalfDays,
    /// Short sessions of the given lengths in minutes (hand-checkable presets).
    Short(&'static [u32]),
}

/// One occupational-health service (SPSTI).
#[derive(Debug, Clone)]
pub(crate) struct ServiceSpec {
    /// Id prefix, e.g. `ciamt`.
    pub code: String,
    /// Centres; consecutive centres form areas of neighbours.
    pub centres: Vec<CentreSpec>,
    /// Centres per area of neighbours (mobilité de proximité).
    pub area_size: usize,
}

/// Everything that shapes one preset.
#[derive(Debug, Clone)]
pub(crate) struct PresetSpec {
    /// Label prefix of the instance.
    pub label: &'static str,
    /// Services side by side.
    pub services: Vec<ServiceSpec>,
    /// Share of the professionals' consultation half-days still open for this run (the rest
    /// is already booked by earlier runs, workplace actions and meetings).
    pub open_share: f64,
    /// Vacation lengths.
    pub sessions: Sessions,
    /// Exact vacations per professional, overriding the ETP-based count (tiny presets).
    pub vacations_per_professional: Option<&'static [u32]>,
    /// Absences: share of professionals absent a day or two.
    pub absent_share: f64,
    /// Absences: at least this many.
    pub min_absences: usize,
    /// Share of vacations held at two candidate centres.
    pub two_centre_share: f64,
    /// Share of vacations held remotely (teleconsultation only).
    pub remote_share: f64,
    /// Share of centre vacations that also offer teleconsultation.
    pub tele_share: f64,
    /// Bounds on the number of requests, besides the demand/capacity ratio.
    pub request_bounds: (usize, usize),
}

/// CIAMT's 26 centres: (name, workers, doctor ETP, nurse ETP).
const CIAMT: &[(&str, u32, f64, f64)] = &[
    ("St Lazare", 55_220, 7.83, 5.2),
    ("Opéra", 10_211, 1.78, 0.5),
    ("Madeleine", 7_419, 0.95, 0.9),
    ("Louvre", 11_997, 0.77, 0.5),
    ("République", 13_688, 1.82, 1.3),
    ("Bastille", 8_508, 1.39, 1.0),
    ("Gare de Lyon", 6_649, 1.02, 0.7),
    ("Nation", 24_536, 3.71, 4.0),
    ("Vincennes", 9_316, 1.39, 0.7),
    ("Montreuil", 22_067, 3.51, 1.3),
    ("Italie", 22_068, 2.82, 1.7),
    ("Ivry", 11_761, 1.55, 1.6),
    ("Créteil", 18_423, 2.6, 2.2),
    ("Montparnasse", 13_572, 2.16, 1.2),
    ("Grenelle", 21_326, 3.83, 2.1),
    ("Issy", 9_756, 1.72, 0.9),
    ("Boulogne", 7_483, 1.18, 1.0),
    ("Massy", 20_627, 3.55, 1.7),
    ("La Défense", 16_526, 2.57, 2.0),
    ("Neuilly", 11_064, 1.56, 0.9),
    ("Levallois", 8_879, 1.58, 0.8),
    ("Batignolles", 9_914, 1.74, 0.8),
    ("Saint-Ouen", 22_666, 3.48, 3.5),
    ("Saint-Denis", 24_736, 4.31, 2.9),
    ("Pantin", 22_198, 3.28, 1.5),
    ("Cergy", 23_206, 2.9, 2.1),
];

/// AMI Eure's 12 centres: (name, workers, doctors, nurses).
const AMI_EURE: &[(&str, u32, f64, f64)] = &[
    ("Évreux", 22_000, 3.0, 5.0),
    ("Évreux Nétreville", 6_500, 0.0, 2.0),
    ("Pacy-sur-Eure", 3_500, 1.0, 1.0),
    ("Vernon", 11_000, 2.0, 3.0),
    ("Gaillon", 4_150, 1.0, 1.0),
    ("Les Andelys", 5_000, 1.0, 2.0),
    ("Gisors", 4_200, 1.0, 1.0),
    ("Louviers", 9_000, 1.0, 3.0),
    ("Val-de-Reuil", 10_500, 1.0, 3.0),
    ("Pont-Audemer", 6_000, 1.0, 2.0),
    ("Bernay", 6_000, 1.0, 2.0),
    ("Verneuil-sur-Avre", 3_800, 1.0, 1.0),
];

/// Regional services of the national preset: (code, main city).
const REGIONS: &[(&str, &str)] = &[
    ("rhone", "Lyon"),
    ("nord", "Lille"),
    ("gironde", "Bordeaux"),
    ("garonne", "Toulouse"),
    ("provence", "Marseille"),
    ("loire", "Nantes"),
    ("alsace", "Strasbourg"),
    ("herault", "Montpellier"),
    ("bretagne", "Rennes"),
];

/// Quarters that name the centres of a regional service.
const QUARTERS: &[&str] = &[
    "Centre",
    "Gare",
    "Nord",
    "Sud",
    "Est",
    "Ouest",
    "Port",
    "Zone Industrielle",
    "Technopole",
    "Aéroport",
    "Université",
    "Hôpital",
    "Marché",
    "Parc",
    "Faubourg",
    "Rive Droite",
    "Rive Gauche",
    "Plateau",
];

fn table(rows: &[(&str, u32, f64, f64)]) -> Vec<CentreSpec> {
    rows.iter()
        .map(|&(name, workers, doctor_etp, nurse_etp)| CentreSpec {
            name: name.to_string(),
            workers,
            doctor_etp,
            nurse_etp,
        })
        .collect()
}

fn ciamt() -> ServiceSpec {
    ServiceSpec {
        code: "ciamt".into(),
        centres: table(CIAMT),
        area_size: 3,
    }
}

fn ami_eure() -> ServiceSpec {
    ServiceSpec {
        code: "amieure".into(),
        centres: table(AMI_EURE),
        area_size: 3,
    }
}

/// A regional service of 15 to 18 centres, about 105 professionals. Sizes vary with the
/// region's index only, so that the preset stays deterministic without a random stream.
fn regional(index: usize, code: &str, city: &str) -> ServiceSpec {
    let count = 15 + index % 4;
    let centres = (0..count)
        .map(|k| {
            // A spread of centre sizes between ~9,000 and ~40,000 workers.
            let workers = 9_000 + ((k * 7 + index * 3) % 11) as u32 * 3_100;
            let doctor_etp = workers as f64 / 6_700.0;
            let nurse_etp = workers as f64 / 10_000.0 * (0.7 + ((k + index) % 5) as f64 * 0.15);
            CentreSpec {
                name: format!("{city} {}", QUARTERS[k % QUARTERS.len()]),
                workers,
                doctor_etp,
                nurse_etp,
            }
        })
        .collect();
    ServiceSpec {
        code: code.to_string(),
        centres,
        area_size: 3,
    }
}

/// The shape of a preset.
pub(crate) fn spec(preset: Preset) -> PresetSpec {
    let big = |label, services, open_share| PresetSpec {
        label,
        services,
        open_share,
        sessions: Sessions::HalfDays,
        vacations_per_professional: None,
        absent_share: 0.03,
        min_absences: 1,
        two_centre_share: 0.15,
        remote_share: 0.04,
        tele_share: 0.25,
        request_bounds: (1, usize::MAX),
    };
    match preset {
        Preset::Tiny => PresetSpec {
            label: "tiny",
            services: vec![ServiceSpec {
                code: "demo".into(),
                centres: vec![CentreSpec {
                    name: "Louvre".into(),
                    workers: 400,
                    doctor_etp: 1.0,
                    nurse_etp: 1.0,
                }],
                area_size: 1,
            }],
            open_share: 1.0,
            sessions: Sessions::Short(&[60, 75]),
            vacations_per_professional: Some(&[1, 2]),
            absent_share: 0.0,
            min_absences: 0,
            two_centre_share: 0.0,
            remote_share: 0.0,
            tele_share: 0.5,
            request_bounds: (6, 10),
        },
        Preset::Small => PresetSpec {
            label: "small",
            services: vec![ServiceSpec {
                code: "demo".into(),
                centres: vec![
                    CentreSpec {
                        name: "Opéra".into(),
                        workers: 2_500,
                        doctor_etp: 1.0,
                        nurse_etp: 1.0,
                    },
                    CentreSpec {
                        name: "Louvre".into(),
                        workers: 1_500,
                        doctor_etp: 1.0,
                        nurse_etp: 1.0,
                    },
                ],
                area_size: 2,
            }],
            open_share: 1.0,
            sessions: Sessions::HalfDays,
            vacations_per_professional: Some(&[2, 2, 1, 1]),
            absent_share: 0.0,
            min_absences: 1,
            two_centre_share: 0.2,
            remote_share: 0.0,
            tele_share: 0.3,
            request_bounds: (40, 60),
        },
        Preset::AmiEureWeek => big("ami-eure-week", vec![ami_eure()], 0.44),
        Preset::CiamtWeek => PresetSpec {
            request_bounds: (3_500, 4_500),
            ..big("ciamt-week", vec![ciamt()], 0.545)
        },
        Preset::National => {
            let mut services = vec![ciamt(), ami_eure()];
            services.extend(
                REGIONS
                    .iter()
                    .enumerate()
                    .map(|(i, &(code, city))| regional(i, code, city)),
            );
            PresetSpec {
                request_bounds: (40_000, usize::MAX),
                ..big("national", services, 0.62)
            }
        }
    }
}
