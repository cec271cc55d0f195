//! The searches of large models (re-packing by part before the LP, the LP dive over the
//! vacations' patterns, the LP's support, then part by part of the week: half-days, teams)
//! only ever improve a level-1 incumbent.
//! Forced on generated small weeks, where the plain solve proves every class, they reach the
//! same per-class counts and valid plans; and each of them does run there.

mod common;

use common::lex_of_plan;
use convoplan::generate::{generate, Preset};
use convoplan::model::Instance;
use convoplan::plan;
use convoplan::solver::SolveOptions;

#[test]
fn forced_neighbourhood_searches_keep_the_proven_counts_on_small_weeks() {
    let forced = SolveOptions {
        neighbourhood_above_columns: Some(0),
        lp_dive: Some(false),
        packing: Some(false),
        repack: Some(false),
        ..Default::default()
    };
    let (local, _) = keeps_the_proven_counts(&forced, "local search", "lp bound");
    assert!(local >= 3, "the local search ran {local} times");
}

/// The dive alone proves most of the stages it runs on, which then close on their LP bound
/// with no search after it (14 of 21 on these weeks when written).
#[test]
fn forced_lp_dive_keeps_the_proven_counts_on_small_weeks() {
    let forced = SolveOptions {
        neighbourhood_above_columns: Some(0),
        lp_dive: Some(true),
        near_lp_first: Some(false),
        lp_rounding: Some(false),
        packing: Some(false),
        repack: Some(false),
        ..Default::default()
    };
    let (dives, proving) = keeps_the_proven_counts(&forced, "LP dive", "lp bound");
    assert!(dives >= 6, "the dive ran {dives} times");
    assert!(proving >= 10, "the dive proved {proving} stages of {dives}");
}

/// The LP rounding closes most of the stages it runs on at once, before any search (16 of 25
/// on these weeks when written).
#[test]
fn forced_lp_rounding_keeps_the_proven_counts_on_small_weeks() {
    let forced = SolveOptions {
        neighbourhood_above_columns: Some(0),
        lp_dive: Some(false),
        repack: Some(false),
        ..Default::default()
    };
    let (rounded, proving) = keeps_the_proven_counts(&forced, "LP rounding", "lp bound");
    assert!(rounded >= 20, "the rounding ran {rounded} times");
    assert!(
        proving >= 10,
        "the rounding proved {proving} stages of {rounded}"
    );
}

/// Re-packing part by part closes most stages it gains in at their count bound, before any
/// LP (without the packing's moves and swaps before it, which find most of these requests).
#[test]
fn forced_repacking_keeps_the_proven_counts_on_small_weeks() {
    let forced = SolveOptions {
        neighbourhood_above_columns: Some(0),
        packing: Some(false),
        ..Default::default()
    };
    let (repacked, proving) = keeps_the_proven_counts(&forced, "re-packed", "bound");
    // 3 stages gain and 2 of them reach their count on these weeks (written so).
    assert!(repacked >= 3, "re-packing gained in {repacked} stages");
    assert!(
        proving >= 2,
        "re-packing closed {proving} stages of {repacked}"
    );
}

/// Solves 12 small weeks plainly and with `forced`; checks the same per-class counts, proven,
/// and valid plans. Returns how many stages named `... <search>` ran, and after how many of
/// them their level-1 stage closed at once with status `closing`.
fn keeps_the_proven_counts(forced: &SolveOptions, search: &str, closing: &str) -> (usize, usize) {
    let (mut count, mut proved) = (0, 0);
    for seed in 1..=12 {
        let inst = Instance::from_proto(&generate(Preset::Small, seed)).expect("valid instance");
        let plain = plan::solve_plan(&inst, &SolveOptions::default());
        let report = plain.solver_report.clone().unwrap_or_default();
        assert!(report.level1_optimal, "seed {seed}: plain solve unproven");
        let searched = plan::solve_plan(&inst, forced);
        let violations = plan::validate(&inst, &searched);
        assert!(violations.is_empty(), "seed {seed}: {violations:?}");
        let report = searched.solver_report.clone().unwrap_or_default();
        assert!(
            report.level1_optimal,
            "seed {seed}: searched solve unproven"
        );
        assert_eq!(
            lex_of_plan(&inst, &searched).counts,
            lex_of_plan(&inst, &plain).counts,
            "seed {seed}"
        );
        let ran = report
            .stages
            .iter()
            .filter(|s| s.name.ends_with(search))
            .count();
        // Searches after which their stage closed at once.
        let proving = report
            .stages
            .windows(2)
            .filter(|w| w[0].name.ends_with(search) && w[1].status == closing)
            .count();
        eprintln!("seed {seed}: {ran} × {search}, {proving} proving");
        count += ran;
        proved += proving;
    }
    (count, proved)
}
