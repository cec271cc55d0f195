//! The neighbourhood searches of large models (the LP's support, then part by part of the
//! week: half-days, teams) only ever improve a level-1 incumbent. Forced on generated small
//! weeks, where the plain solve proves every class, they reach the same per-class counts and
//! valid plans; and the local search does run there.

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
        ..Default::default()
    };
    let mut local = 0;
    for seed in 1..=12 {
        let inst = Instance::from_proto(&generate(Preset::Small, seed)).expect("valid instance");
        let plain = plan::solve_plan(&inst, &SolveOptions::default());
        let report = plain.solver_report.clone().unwrap_or_default();
        assert!(report.level1_optimal, "seed {seed}: plain solve unproven");
        let searched = plan::solve_plan(&inst, &forced);
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
            .filter(|s| s.name.ends_with("local search"))
            .count();
        eprintln!("seed {seed}: {ran} local searches");
        local += ran;
    }
    assert!(local >= 3, "the local search ran {local} times");
}
