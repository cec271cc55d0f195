//! Optimality by exhaustive search: on random micro instances (at most 8 requests,
//! 3 vacations, 2 rooms) the solver's plan is valid, proven at level 1, and its per-class
//! counts (level 1) and per-class fairness (level 2: smallest company ratio, then the sum of
//! the ratios) equal the best found by enumerating every set of scheduled requests, every
//! room allocation and every assignment (tests/common). The enumeration shares no code with
//! the solver; it is itself checked on hand-made instances with a known optimum.

mod common;

use common::{
    best_by_enumeration, feasible_sets, lex_of, lex_of_plan, micro, same, scheduled_of, Lex,
};
use convoplan::model::{parse_instance_json, Instance};
use convoplan::plan;
use convoplan::solver::SolveOptions;
use serde_json::{json, Value};

/// Seeds of the micro instances.
const SEEDS: u64 = 500;

fn convert(v: &Value) -> Instance {
    let wire = parse_instance_json(&v.to_string()).expect("instance JSON parses");
    Instance::from_proto(&wire).expect("instance is valid")
}

fn micro_instance(seed: u64) -> Instance {
    Instance::from_proto(&micro(seed)).unwrap_or_else(|e| panic!("micro seed {seed}: {e:?}"))
}

#[test]
fn micro_instances_are_valid_and_varied() {
    let (mut multi_class, mut binding, mut equipment, mut two_centre, mut tele) = (0, 0, 0, 0, 0);
    let (mut fairness_decides, mut rooms_compete) = (0, 0);
    for seed in 0..SEEDS {
        let inst = micro_instance(seed);
        assert!(inst.requests.len() <= 8 && inst.vacations.len() <= 3 && inst.rooms.len() <= 2);
        multi_class += usize::from(inst.classes.len() >= 3);
        equipment += usize::from(inst.requests.iter().any(|r| r.equipment != 0));
        two_centre += usize::from(inst.vacations.iter().any(|v| v.centres.len() == 2));
        tele += usize::from(inst.vacations.iter().any(|v| v.tele));
        let (best, _) = best_by_enumeration(&inst);
        binding += usize::from((best.counts.iter().sum::<u32>() as usize) < inst.requests.len());
        // Level 2 breaks a tie: a feasible set with the best counts but worse fairness.
        let n = inst.requests.len();
        fairness_decides += usize::from(feasible_sets(&inst).iter().enumerate().any(|(m, &ok)| {
            let s = lex_of(
                &inst,
                &(0..n).map(|i| m & (1 << i) != 0).collect::<Vec<_>>(),
            );
            ok && s.counts == best.counts && best.better_than(&s)
        }));
        rooms_compete += usize::from(inst.vacations.iter().enumerate().any(|(a, x)| {
            inst.vacations[a + 1..].iter().any(|y| {
                x.day == y.day
                    && x.start < y.end
                    && y.start < x.end
                    && x.needs_room()
                    && y.needs_room()
            })
        }));
    }
    let n = SEEDS as usize;
    assert!(multi_class > n / 3, "{multi_class} seeds with 3+ classes");
    assert!(binding > n / 2, "capacity binds on only {binding} seeds");
    assert!(equipment > n / 5 && two_centre > n / 5 && tele > n / 3);
    assert!(
        fairness_decides > n / 20,
        "fairness decides on {fairness_decides} seeds"
    );
    assert!(
        rooms_compete > n / 10,
        "rooms compete on {rooms_compete} seeds"
    );
}

#[test]
fn solver_matches_exhaustive_search_on_micro_instances() {
    matches_exhaustive_search(0..SEEDS, &SolveOptions::default());
}

/// The neighbourhood searches that large models run before each level-1 MILP (the LP's
/// support, then part by part of the week) only ever improve the incumbent: forced on micro
/// instances, the optimum is unchanged.
#[test]
fn lp_neighbourhood_search_keeps_the_optimum_on_micro_instances() {
    let options = SolveOptions {
        neighbourhood_above_columns: Some(0),
        lp_dive: Some(false),
        lp_rounding: Some(false),
        packing: Some(false),
        repack: Some(false),
        ..Default::default()
    };
    // The LP relaxation closes most micro stages at once; the search runs on the others.
    let ran = matches_exhaustive_search(0..SEEDS, &options);
    assert!(
        ran.support >= 15,
        "the search ran on {} seeds only",
        ran.support
    );
    // The LP's support nearly always proves a micro stage; tests/neighbourhoods.rs runs the
    // local search on small weeks.
    assert!(ran.local >= 1, "the local search never ran");
    assert!(
        ran.tail >= 10,
        "the classes' joint LP bound closed a later class on {} seeds only",
        ran.tail
    );
}

/// The LP dive over the vacations' patterns (solver/dive.rs), which large models run first,
/// only ever improves the incumbent either: forced on micro instances, the optimum is
/// unchanged. It runs where the LP does not prove the greedy incumbent at once (here with
/// the LP neighbourhood searched before it turned off, which would settle most of them).
#[test]
fn lp_dive_keeps_the_optimum_on_micro_instances() {
    let options = SolveOptions {
        neighbourhood_above_columns: Some(0),
        lp_dive: Some(true),
        near_lp_first: Some(false),
        lp_rounding: Some(false),
        packing: Some(false),
        repack: Some(false),
        ..Default::default()
    };
    let ran = matches_exhaustive_search(0..SEEDS, &options);
    assert!(ran.dive >= 15, "the dive ran on {} seeds only", ran.dive);
}

/// Where a dived stage is a request or two short of its LP bound, the LP's neighbourhood
/// is searched before the dive: forced on micro instances, the optimum is unchanged, and
/// that search settles most of those stages (the dive then does not run).
#[test]
fn lp_neighbourhood_before_the_dive_keeps_the_optimum_on_micro_instances() {
    let options = SolveOptions {
        neighbourhood_above_columns: Some(0),
        lp_dive: Some(true),
        near_lp_first: Some(true),
        lp_rounding: Some(false),
        packing: Some(false),
        repack: Some(false),
        ..Default::default()
    };
    let ran = matches_exhaustive_search(0..SEEDS, &options);
    assert!(
        ran.support_first >= 15,
        "the search before the dive ran on {} seeds only",
        ran.support_first
    );
}

/// The rounding of a large stage from its LP's point (solver/lp_rounding.rs) only ever
/// improves the incumbent: forced on micro instances, with every search after it, the
/// optimum is unchanged.
#[test]
fn lp_rounding_keeps_the_optimum_on_micro_instances() {
    let options = SolveOptions {
        neighbourhood_above_columns: Some(0),
        ..Default::default()
    };
    let ran = matches_exhaustive_search(0..SEEDS, &options);
    assert!(
        ran.rounding >= 15,
        "the rounding ran on {} seeds only",
        ran.rounding
    );
}

/// Re-packing part by part (solver/repack.rs), which large models run on a class a few
/// requests short of its count bound before its LP, only ever improves the incumbent:
/// forced on micro instances (without the packing's moves and swaps, which place most of
/// those requests first), the optimum is unchanged.
#[test]
fn repacking_keeps_the_optimum_on_micro_instances() {
    let options = SolveOptions {
        neighbourhood_above_columns: Some(0),
        packing: Some(false),
        ..Default::default()
    };
    let ran = matches_exhaustive_search(0..SEEDS, &options);
    // 12 of the 500 seeds when written: the greedy pass and augmenting paths leave few micro
    // classes short of a count they can reach.
    assert!(
        ran.repack >= 10,
        "re-packing gained on {} seeds only",
        ran.repack
    );
}

/// On how many seeds each search of large level-1 stages ran.
#[derive(Debug, Default)]
struct Searches {
    dive: usize,
    support: usize,
    /// Seeds where the LP neighbourhood was searched before the dive (a stage a few
    /// requests short of its LP bound).
    support_first: usize,
    local: usize,
    rounding: usize,
    /// Seeds where re-packing placed more of a class.
    repack: usize,
    /// Seeds where a level-1 stage was closed by an LP bound solved before it, in no time:
    /// the LP of its class and those after it together, solved after a class the LP left
    /// short of its count bound.
    tail: usize,
}

/// Checks every seed; returns on how many a level-1 stage dived on the LP, searched the LP
/// neighbourhood, and went on part by part of the week.
fn matches_exhaustive_search(seeds: std::ops::Range<u64>, options: &SolveOptions) -> Searches {
    let mut failures = Vec::new();
    let mut ran_on = Searches::default();
    let count = seeds.end - seeds.start;
    for seed in seeds {
        let inst = micro_instance(seed);
        let plan = plan::solve_plan(&inst, options);
        let report = plan.solver_report.clone().unwrap_or_default();
        assert!(report.level1_optimal, "seed {seed}: {report:?}");
        let ran =
            |search: &str| usize::from(report.stages.iter().any(|s| s.name.ends_with(search)));
        ran_on.dive += ran("LP dive");
        ran_on.support += ran("LP neighbourhood");
        ran_on.support_first += ran("LP neighbourhood before the dive");
        ran_on.local += ran("local search");
        ran_on.rounding += ran("LP rounding");
        ran_on.repack += ran("re-packed");
        ran_on.tail += usize::from(report.stages.iter().any(|s| {
            s.name.starts_with("L1 ")
                && s.status == "lp bound"
                && s.seconds == 0.0
                && s.lp_bound.is_some()
        }));
        let violations = plan::validate(&inst, &plan);
        assert!(
            violations.is_empty(),
            "seed {seed}: invalid plan: {violations:?}"
        );
        let (best, mask) = best_by_enumeration(&inst);
        let got = lex_of_plan(&inst, &plan);
        // The plan's own score agrees with a recount of its scheduled requests.
        let recount = lex_of(&inst, &scheduled_of(&inst, &plan));
        assert!(
            same(&got, &recount, 1e-9),
            "seed {seed}: plan score {got:?} vs recount {recount:?}"
        );
        if !same(&got, &best, 1e-6) {
            let optimal: Vec<&str> = inst
                .requests
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, r)| r.id.as_str())
                .collect();
            failures.push(format!(
                "seed {seed}: solver {:?} != enumeration {:?} (one optimal set: {optimal:?}; \
                 instance: {})",
                got.flat(),
                best.flat(),
                serde_json::to_string(&micro(seed)).unwrap_or_default()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} seeds differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    ran_on
}

#[test]
fn solver_reports_level1_optimal_on_micro_instances() {
    for seed in 0..SEEDS {
        let inst = micro_instance(seed);
        let plan = plan::solve_plan(&inst, &SolveOptions::default());
        let report = plan.solver_report.unwrap_or_default();
        assert!(report.level1_optimal, "seed {seed}: {report:?}");
    }
}

/// HiGHS sizes a thread's task scheduler at its first run and refuses a later run that asks
/// for another size: solves of different `threads` on one thread (a service's worker) each
/// prove their optimum, with the LP dive's own HiGHS instances among their runs.
#[test]
fn solves_of_different_threads_on_one_thread_each_prove_level1() {
    let dive = |threads| SolveOptions {
        threads: Some(threads),
        neighbourhood_above_columns: Some(0),
        lp_dive: Some(true),
        near_lp_first: Some(false),
        ..Default::default()
    };
    for seed in 0..8 {
        let inst = micro_instance(seed);
        let scores: Vec<_> = [2, 1, 2, 0, 1]
            .into_iter()
            .map(|threads| {
                let plan = plan::solve_plan(&inst, &dive(threads));
                let report = plan.solver_report.clone().unwrap_or_default();
                assert!(
                    report.level1_optimal,
                    "seed {seed}, {threads} threads: {report:?}"
                );
                plan.score.unwrap_or_default().classes
            })
            .collect();
        assert!(scores.windows(2).all(|w| w[0] == w[1]), "seed {seed}");
    }
}

/// One centre C1 with room R1 (audiometry when `audiometry`), a doctor D and a nurse N.
fn base(audiometry: bool) -> Value {
    json!({
        "name": "hand",
        "horizon": {"startDate": "2026-11-30", "days": 1},
        "centres": [{"id": "C1", "name": "One", "rooms": [
            {"id": "R1", "equipment": if audiometry { vec!["audiometry"] } else { vec![] }}
        ]}],
        "professionals": [
            {"id": "D", "role": "ROLE_DOCTOR"},
            {"id": "N", "role": "ROLE_NURSE"}
        ],
        "companies": [{"id": "E0", "headcount": 500}, {"id": "E1", "headcount": 3}],
        "vacations": [],
        "requests": []
    })
}

fn vacation(id: &str, prof: &str, start: &str, end: &str) -> Value {
    json!({"id": id, "professionalId": prof, "date": "2026-11-30", "start": start, "end": end,
           "centreIds": ["C1"]})
}

fn request(id: &str, company: &str, kind: &str) -> Value {
    json!({"id": id, "workerId": format!("W-{id}"), "companyId": company, "kind": kind,
           "modes": ["MODE_IN_PERSON"]})
}

fn best_of(v: &Value) -> Lex {
    best_by_enumeration(&convert(v)).0
}

#[test]
fn enumeration_puts_the_first_class_first() {
    // 60 doctor minutes: the reprise (40 min, tier 1) beats two VIP (25 min each, tier 14).
    let mut v = base(false);
    v["vacations"] = json!([vacation("V", "D", "09:00", "10:00")]);
    v["requests"] = json!([
        request("a", "E0", "reprise"),
        request("b", "E0", "vip_initiale"),
        request("c", "E1", "vip_initiale"),
    ]);
    let best = best_of(&v);
    assert_eq!(best.counts, vec![1, 0]);
    assert_eq!(best.fairness, vec![(1.0, 1.0), (0.0, 0.0)]);
}

#[test]
fn enumeration_shares_a_class_between_companies() {
    // Room for two VIP of three: one each for E0 (two pending) and E1 (one pending).
    let mut v = base(false);
    v["vacations"] = json!([vacation("V", "N", "09:00", "10:00")]);
    v["requests"] = json!([
        request("a", "E0", "vip_initiale"),
        request("b", "E0", "vip_initiale"),
        request("c", "E1", "vip_initiale"),
    ]);
    let best = best_of(&v);
    assert_eq!(best.counts, vec![2]);
    let (min, sum) = best.fairness[0];
    assert!(
        (min - 0.5).abs() < 1e-12 && (sum - 1.5).abs() < 1e-12,
        "{best:?}"
    );
}

#[test]
fn enumeration_never_lets_overlapping_vacations_share_a_room() {
    // Four 25-minute VIP; two 60-minute vacations but one room.
    let requests = json!([
        request("a", "E0", "vip_initiale"),
        request("b", "E0", "vip_initiale"),
        request("c", "E1", "vip_initiale"),
        request("d", "E1", "vip_initiale"),
    ]);
    let mut v = base(false);
    v["requests"] = requests.clone();
    v["vacations"] = json!([
        vacation("V1", "D", "09:00", "10:00"),
        vacation("V2", "N", "09:30", "10:30")
    ]);
    assert_eq!(
        best_of(&v).counts,
        vec![2],
        "overlapping: one vacation only"
    );
    v["vacations"] = json!([
        vacation("V1", "D", "09:00", "10:00"),
        vacation("V2", "N", "10:00", "11:00")
    ]);
    assert_eq!(best_of(&v).counts, vec![4], "back to back: both vacations");
    // A teleconsultation still needs the vacation's room; a remote vacation needs none.
    v["vacations"] = json!([
        vacation("V1", "D", "09:00", "10:00"),
        {"id": "V2", "professionalId": "N", "date": "2026-11-30", "start": "09:30",
         "end": "10:30"}
    ]);
    for r in v["requests"].as_array_mut().into_iter().flatten() {
        r["modes"] = json!(["MODE_IN_PERSON", "MODE_TELECONSULTATION"]);
    }
    assert_eq!(
        best_of(&v).counts,
        vec![4],
        "remote vacation beside the room"
    );
}

#[test]
fn enumeration_needs_the_equipment_in_the_room() {
    let mut v = base(false);
    v["vacations"] = json!([vacation("V", "N", "09:00", "10:00")]);
    let mut r = request("a", "E0", "vip_periodique");
    r["equipment"] = json!(["audiometry"]);
    v["requests"] = json!([r]);
    assert_eq!(best_of(&v).counts, vec![0]);
    v["centres"][0]["rooms"][0]["equipment"] = json!(["audiometry"]);
    assert_eq!(best_of(&v).counts, vec![1]);
}

#[test]
fn enumeration_respects_max_appointments_and_qualification() {
    let mut v = base(false);
    let mut vac = vacation("V", "N", "09:00", "11:00");
    vac["maxAppointments"] = json!(2);
    v["vacations"] = json!([vac]);
    v["requests"] = json!([
        request("a", "E0", "vip_initiale"),
        request("b", "E0", "vip_initiale"),
        request("c", "E1", "vip_initiale"),
        request("d", "E1", "reprise"),
    ]);
    // The nurse may not do the reprise; the cap keeps two of the three VIP.
    let best = best_of(&v);
    assert_eq!(best.counts, vec![0, 2]);
}
