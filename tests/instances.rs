//! The committed instances solve to their expected primary score (the per-class counts in
//! `instances/NAME.score.json`), proven optimal, and every plan passes the validator.

use convoplan::model::{parse_instance_json, Instance};
use convoplan::plan;
use convoplan::solver::SolveOptions;
use serde_json::Value;
use std::path::Path;

fn check(name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("instances");
    let text = std::fs::read_to_string(dir.join(format!("{name}.json"))).expect("instance file");
    let inst = Instance::from_proto(&parse_instance_json(&text).expect("parse")).expect("valid");
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join(format!("{name}.score.json"))).expect("score file"),
    )
    .expect("score json");
    let plan = plan::solve_plan(&inst, &SolveOptions::default());
    assert!(
        plan::validate(&inst, &plan).is_empty(),
        "{name}: invalid plan"
    );
    let report = plan.solver_report.clone().unwrap_or_default();
    assert!(report.level1_optimal, "{name}: level 1 not proven optimal");
    let score = plan.score.unwrap_or_default();
    let want = expected["primaryScore"].as_array().expect("primaryScore");
    assert_eq!(score.classes.len(), want.len(), "{name}: number of classes");
    for (got, want) in score.classes.iter().zip(want) {
        assert_eq!(
            u64::from(got.tier),
            want["tier"].as_u64().unwrap_or(0),
            "{name}"
        );
        assert_eq!(
            u64::from(got.pending),
            want["pending"].as_u64().unwrap_or(0),
            "{name}: pending of tier {}",
            got.tier
        );
        assert_eq!(
            u64::from(got.scheduled),
            want["scheduled"].as_u64().unwrap_or(0),
            "{name}: scheduled of tier {}",
            got.tier
        );
    }
}

#[test]
fn tiny_reaches_its_expected_primary_score() {
    check("tiny");
}

#[test]
fn small_reaches_its_expected_primary_score() {
    check("small");
}
