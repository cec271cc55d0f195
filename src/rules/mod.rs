//! Service rules with their defaults: the priority table, default durations per visit kind
//! and role, doctor-only kinds and risks, and the equipment catalogue. Every value here can
//! be overridden from the instance's policy (and tier, duration and role per request).
//!
//! The default priority table merges AMI Eure's Annex 3 doctor and nurse lists
//! (shared/domain.md §4, 001:5395-5452) into one order:
//!
//! | tier | kinds | from |
//! |---|---|---|
//! | 1 | `reprise`, `reprise_maternite` | doctor 1; nurse 1 (maternity reprise handed over) |
//! | 2 | `pre_reprise` | doctor 2, nurse 1 |
//! | 3 | `vip_initiale_handicap` | doctor 3 |
//! | 4 | `demande` | doctor 4, nurse 1 |
//! | 5 | `post_exposition` | doctor 5 |
//! | 6 | `sir_embauche` | doctor 6 |
//! | 7 | `vip_initiale_prioritaire` (minors, apprentices, before taking the post) | nurse 2 |
//! | 8 | `rattrapage` (last visit over 6 years ago, never seen since hiring) | nurse 3-4 |
//! | 9 | `vip_initiale_sia` | nurse 5 |
//! | 10 | `mi_carriere` | doctor 7, nurse 6 |
//! | 11 | `sir_intermediaire` | nurse 7 |
//! | 12 | `sir_embauche_differe` (SIR hiring exam that may wait up to 3 months) | doctor 8 |
//! | 13 | `sir_periodique` | not ranked in Annex 3: after the ranked SIR visits |
//! | 14 | `vip_initiale` (SIS within 3 months) | nurse 8 |
//! | 15 | `vip_periodique`, `interim` | nurse 9 |
//!
//! Durations are calibrated on throughput (domain.md §3): 6 to 8 visits per 3.5-hour
//! vacation, i.e. 25-30 minutes, longer for reprise, pré-reprise and the SIR hiring exam.

/// One row of the visit-kind table.
#[derive(Debug, Clone, PartialEq)]
pub struct KindRule {
    /// Stable code, e.g. `vip_initiale`.
    pub code: String,
    /// Priority tier, 1 = first.
    pub tier: u32,
    /// Only a doctor may perform it.
    pub doctor_only: bool,
    /// Default duration with a doctor, minutes.
    pub doctor_minutes: u32,
    /// Default duration with a nurse, minutes.
    pub nurse_minutes: u32,
}

/// `(code, tier, doctor_only, doctor_minutes, nurse_minutes)` of the default table.
const DEFAULT_KINDS: &[(&str, u32, bool, u32, u32)] = &[
    ("reprise", 1, true, 40, 40),
    ("reprise_maternite", 1, false, 30, 35),
    ("pre_reprise", 2, true, 40, 40),
    ("vip_initiale_handicap", 3, true, 35, 35),
    ("demande", 4, false, 30, 30),
    ("post_exposition", 5, true, 35, 35),
    ("sir_embauche", 6, true, 35, 35),
    ("vip_initiale_prioritaire", 7, false, 25, 30),
    ("rattrapage", 8, false, 25, 30),
    ("vip_initiale_sia", 9, false, 25, 30),
    ("mi_carriere", 10, false, 30, 30),
    ("sir_intermediaire", 11, false, 25, 30),
    ("sir_embauche_differe", 12, true, 35, 35),
    ("sir_periodique", 13, true, 30, 30),
    ("vip_initiale", 14, false, 25, 25),
    ("vip_periodique", 15, false, 25, 25),
    ("interim", 15, false, 25, 25),
];

/// Risk codes that exclude delegation to nurses (AMI Eure, 001:3676-3680).
pub const DEFAULT_DOCTOR_ONLY_RISKS: &[&str] = &[
    "asbestos",
    "lead",
    "hyperbaric",
    "ionising_radiation_ab",
    "minor_forbidden_work",
];

/// Equipment codes known without declaration (004:213-216, 001:5474-5508).
pub const DEFAULT_EQUIPMENT: &[&str] = &["audiometry", "vision", "spirometry", "ecg"];

/// The default visit-kind table, tier 1 first.
pub fn default_kinds() -> Vec<KindRule> {
    DEFAULT_KINDS
        .iter()
        .map(|&(code, tier, doctor_only, d, n)| KindRule {
            code: code.to_string(),
            tier,
            doctor_only,
            doctor_minutes: d,
            nurse_minutes: n,
        })
        .collect()
}

/// Default quality weights (level 4).
pub mod weights {
    /// Per appointment with the company's referent professional.
    pub const REFERENT: f64 = 4.0;
    /// Per appointment with the request's preferred professional.
    pub const PREFERRED_PROFESSIONAL: f64 = 4.0;
    /// Per in-person appointment at the preferred (or home) centre.
    pub const PREFERRED_CENTRE: f64 = 2.0;
    /// Per extra vacation one company's appointments are spread over.
    pub const COMPANY_SPREAD: f64 = 1.0;
    /// Per room opened.
    pub const ROOM_OPENED: f64 = 1.0;
}

/// Default relative gap accepted at level 4 (quality): levels 1-3 are always exact.
pub const DEFAULT_QUALITY_GAP: f64 = 1e-2;

/// Default wall-clock limit of a solve, seconds.
pub const DEFAULT_TIME_LIMIT_SECONDS: f64 = 300.0;

/// Minutes from midnight at which the afternoon half-day starts.
pub const AFTERNOON_STARTS_AT: u32 = 13 * 60;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_table_is_ordered_and_unique() {
        let kinds = default_kinds();
        assert!(kinds.windows(2).all(|w| w[0].tier <= w[1].tier));
        let mut codes: Vec<_> = kinds.iter().map(|k| k.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), kinds.len());
    }

    #[test]
    fn durations_follow_calibration() {
        for k in default_kinds() {
            assert!((25..=40).contains(&k.doctor_minutes), "{}", k.code);
            assert!((25..=40).contains(&k.nurse_minutes), "{}", k.code);
        }
        let reprise = default_kinds().into_iter().find(|k| k.code == "reprise");
        assert!(reprise.is_some_and(|k| k.doctor_only && k.doctor_minutes > 30));
    }
}
