//! The committed instances solve to their expected primary score (the per-class counts in
//! `instances/NAME.score.json`), proven optimal, and every plan passes the validator.
//!
//! The per-class counts are level 1's alone, and its proven optimum is unique whatever path
//! the solve takes, so the check does not depend on the machine's speed as long as level 1
//! is proven in the time limit.

use convoplan::model::{parse_instance_json, Instance};
use convoplan::plan;
use convoplan::solver::SolveOptions;
use serde_json::Value;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

fn check(name: &str) {
    check_with(name, None, SolveOptions::default());
}

/// Checks `name`, with the instance's time limit raised to `limit` seconds when given.
fn check_with(name: &str, limit: Option<f64>, options: SolveOptions) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("instances");
    let text = std::fs::read_to_string(dir.join(format!("{name}.json"))).expect("instance file");
    let mut inst =
        Instance::from_proto(&parse_instance_json(&text).expect("parse")).expect("valid");
    if let Some(limit) = limit {
        inst.settings.time_limit_seconds = limit;
    }
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join(format!("{name}.score.json"))).expect("score file"),
    )
    .expect("score json");
    let plan = plan::solve_plan(&inst, &options);
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

/// ami-eure-week seed 1 (`convoplan generate --preset ami-eure-week --seed 1`): 1,216
/// requests, 126 vacations, 12 centres. Its level 1 is proven in about 100 s on the 2-core
/// machine of BENCHMARKS.md; the solve is cancelled as level 2 starts, since levels 2-4 do
/// not change the per-class counts and would run to the limit. The limit is raised from the
/// default 300 s to 900 s so that a slower or busier machine still proves level 1 (level 1
/// may take 90 % of it) rather than fail the test.
#[test]
fn ami_eure_week_reaches_its_expected_primary_score() {
    check_level1("ami-eure-week", 900.0);
}

/// ciamt-week seed 1 (`convoplan generate --preset ciamt-week --seed 1`): 3,908 requests,
/// 415 vacations, 26 centres, 215,306 columns. Its level 1 is proven in about 215 s on the
/// machine of BENCHMARKS.md, by the LP dive on the marginal class (tier 14 due later, 469,
/// the floor of its LP bound 469.4) and one LP bound for the three classes after it; the
/// limit is raised to 1,800 s so that a slower machine still proves it. Cancelled as
/// level 2 starts, like ami-eure-week.
#[test]
fn ciamt_week_reaches_its_expected_primary_score() {
    check_level1("ciamt-week", 1800.0);
}

/// Checks `name` with the limit raised to `limit` seconds, cancelled as level 2 starts.
fn check_level1(name: &str, limit: f64) {
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = cancel.clone();
    let options = SolveOptions {
        cancel: Some(cancel),
        progress: Some(Arc::new(move |e| {
            if e.stage.starts_with("L2") {
                flag.store(true, Ordering::Relaxed);
            }
        })),
        ..Default::default()
    };
    check_with(name, Some(limit), options);
}
