//! Generator tests: validity for every preset, determinism, calibration (counts per preset,
//! demand/capacity ratio, visit mix, company sizes).

use super::demand::{headcount, KIND_MIX, RATIO_MAX, RATIO_MIN};
use super::*;
use crate::model::{Instance, Urgency};
use std::collections::BTreeMap;

fn valid(preset: Preset, seed: u64) -> (proto::Instance, Instance) {
    let wire = generate(preset, seed);
    match Instance::from_proto(&wire) {
        Ok(inst) => (wire, inst),
        Err(e) => panic!("{preset:?} seed {seed} is invalid: {e:?}"),
    }
}

fn ratio(inst: &Instance) -> f64 {
    inst.requests.len() as f64 / capacity_visits(inst)
}

#[test]
fn small_presets_are_valid_and_calibrated_on_many_seeds() {
    for seed in 0..60 {
        for (preset, lo, hi) in [(Preset::Tiny, 6, 10), (Preset::Small, 40, 60)] {
            let (_, inst) = valid(preset, seed);
            let n = inst.requests.len();
            assert!(
                (lo..=hi).contains(&n),
                "{preset:?} seed {seed}: {n} requests"
            );
            let r = ratio(&inst);
            assert!(
                (1.2..=1.4).contains(&r),
                "{preset:?} seed {seed}: demand/capacity {r:.3}"
            );
        }
        let (_, tiny) = valid(Preset::Tiny, seed);
        assert_eq!((tiny.centres.len(), tiny.professionals.len()), (1, 2));
        let (_, small) = valid(Preset::Small, seed);
        assert_eq!((small.centres.len(), small.professionals.len()), (2, 4));
    }
}

#[test]
fn ami_eure_week_is_valid_and_calibrated() {
    for seed in 0..5 {
        let (_, inst) = valid(Preset::AmiEureWeek, seed);
        assert_eq!(inst.centres.len(), 12);
        assert_eq!(inst.professionals.len(), 40);
        let visits = capacity_visits(&inst);
        assert!((800.0..1_100.0).contains(&visits), "capacity {visits:.0}");
        let r = ratio(&inst);
        assert!((1.2..=1.4).contains(&r), "seed {seed}: ratio {r:.3}");
    }
}

#[test]
fn ciamt_week_matches_the_service() {
    let (_, inst) = valid(Preset::CiamtWeek, 1);
    assert_eq!(inst.centres.len(), 26);
    let pros = inst.professionals.len();
    assert!((100..=120).contains(&pros), "{pros} professionals");
    let n = inst.requests.len();
    assert!((3_500..=4_500).contains(&n), "{n} requests");
    let r = ratio(&inst);
    assert!((1.2..=1.4).contains(&r), "ratio {r:.3}");
    assert!(inst.centres.iter().any(|c| c.name == "St Lazare"));
    assert!(inst.centres.iter().any(|c| c.name == "Louvre"));
    assert!(!inst.absences.is_empty());
    assert!(inst.vacations.iter().any(|v| v.cancelled));
    assert!(inst.vacations.iter().any(|v| v.centres.is_empty()));
    assert!(inst.vacations.iter().any(|v| v.centres.len() == 2));
    assert!(inst.vacations.iter().any(|v| v.tele && v.in_person));
    assert!(inst.requests.iter().any(|r| r.equipment != 0));
    assert!(inst.requests.iter().any(|r| !r.unavailable.is_empty()));
    assert!(inst.requests.iter().any(|r| r.release_day > 0));
    assert!(inst.rooms.iter().any(|r| r.equipment != 0));
    // Every urgency bucket is represented.
    for u in [Urgency::Overdue, Urgency::DueInHorizon, Urgency::DueLater] {
        assert!(inst.requests.iter().any(|r| r.class.urgency == u), "{u:?}");
    }
}

#[test]
fn ciamt_week_visit_mix_follows_ciamt_2024() {
    let (wire, _) = valid(Preset::CiamtWeek, 2);
    let n = wire.requests.len() as f64;
    let share = |pred: &dyn Fn(&str) -> bool| {
        100.0 * wire.requests.iter().filter(|r| pred(&r.kind)).count() as f64 / n
    };
    // (group, kind prefix, expected share in %)
    let groups = [
        ("vip initiale", "vip_initiale", 41.0),
        ("vip périodique", "vip_periodique", 15.0),
        ("demande", "demande", 16.0),
        ("reprise", "reprise", 8.0),
        ("pré-reprise", "pre_reprise", 4.0),
        ("sir embauche", "sir_embauche", 6.0),
        ("mi-carrière", "mi_carriere", 3.0),
    ];
    for (name, prefix, expected) in groups {
        let got = share(&|k: &str| k.starts_with(prefix));
        assert!(
            (got - expected).abs() < 3.0,
            "{name}: {got:.1} % vs {expected} %"
        );
    }
    let total: f64 = KIND_MIX.iter().map(|k| k.1).sum();
    assert!((total - 100.0).abs() < 1e-9);
}

#[test]
fn national_is_large_and_valid() {
    let (wire, inst) = valid(Preset::National, 1);
    assert!(inst.requests.len() >= 40_000, "{}", inst.requests.len());
    let pros = inst.professionals.len();
    assert!((1_000..=1_250).contains(&pros), "{pros} professionals");
    let r = ratio(&inst);
    assert!((1.2..=1.4).contains(&r), "ratio {r:.3}");
    assert!(wire.companies.len() > 1_000);
}

#[test]
fn same_seed_same_instance_other_seed_other_instance() {
    for preset in [
        Preset::Tiny,
        Preset::Small,
        Preset::AmiEureWeek,
        Preset::CiamtWeek,
    ] {
        assert_eq!(generate(preset, 7), generate(preset, 7), "{preset:?}");
        assert_ne!(generate(preset, 7), generate(preset, 8), "{preset:?}");
    }
}

const _: () = assert!(1.2 <= RATIO_MIN && RATIO_MAX <= 1.4);

#[test]
fn member_sizes_are_skewed_to_small_companies() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let sizes: Vec<u32> = (0..20_000).map(|_| headcount(&mut rng)).collect();
    let under_20 = sizes.iter().filter(|&&h| h < 20).count() as f64 / sizes.len() as f64;
    assert!(
        (0.85..0.89).contains(&under_20),
        "{under_20:.3} under 20 workers"
    );
    let mut bands: BTreeMap<u32, usize> = BTreeMap::new();
    for h in sizes {
        let band = match h {
            0..=9 => 0,
            10..=49 => 1,
            50..=299 => 2,
            _ => 3,
        };
        *bands.entry(band).or_default() += 1;
    }
    assert_eq!(bands.len(), 4, "every size band occurs");
}

#[test]
fn large_companies_ask_more_than_small_ones() {
    let (wire, _) = valid(Preset::CiamtWeek, 3);
    let mut per_company: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &wire.requests {
        *per_company.entry(r.company_id.as_str()).or_default() += 1;
    }
    let headcount: BTreeMap<&str, u32> = wire
        .companies
        .iter()
        .map(|c| (c.id.as_str(), c.headcount))
        .collect();
    let (mut big, mut small) = ((0usize, 0usize), (0usize, 0usize));
    for (id, n) in per_company {
        if headcount[id] >= 300 {
            big = (big.0 + n, big.1 + 1);
        } else if headcount[id] < 10 {
            small = (small.0 + n, small.1 + 1);
        }
    }
    assert!(big.1 > 0 && small.1 > 0);
    let (big_mean, small_mean) = (big.0 as f64 / big.1 as f64, small.0 as f64 / small.1 as f64);
    assert!(
        big_mean > 5.0 * small_mean,
        "{big_mean:.1} vs {small_mean:.1}"
    );
}

#[test]
fn slugs_are_ascii_ids() {
    assert_eq!(slug("Gare de Lyon"), "gare-de-lyon");
    assert_eq!(slug("Évreux Nétreville"), "evreux-netreville");
    assert_eq!(slug("St Lazare"), "st-lazare");
}
