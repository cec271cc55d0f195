//! Reasons for unscheduled requests, as stable codes with a detail a planner can act on:
//! from the compatibility diagnosis when a request had no option, else from who holds the
//! capacity it could have used.

use crate::model::Instance;
use crate::proto::{self, UnscheduledReason as Code};
use crate::solver::compat::Exclusion;
use crate::solver::levels::class_name;
use crate::solver::{Solution, Status};
use std::collections::BTreeMap;

fn exclusion_reason(e: Exclusion) -> (Code, &'static str) {
    match e {
        Exclusion::NoQualifiedProfessional => (
            Code::NoQualifiedProfessional,
            "no vacation this week of a professional of its service qualified for its visit kind and role",
        ),
        Exclusion::OutsideWindow => (
            Code::OutsideWindow,
            "released after the horizon or the notice limit, or no qualified vacation after its release date",
        ),
        Exclusion::WorkerUnavailable => (
            Code::WorkerUnavailable,
            "the worker is unavailable on every half-day with a qualified vacation",
        ),
        Exclusion::NoAllowedCentreOrMode => (
            Code::NoAllowedCentreOrMode,
            "no qualified vacation in an allowed centre, nor a teleconsultation the worker accepts",
        ),
        Exclusion::NoEquippedRoom => (
            Code::NoEquippedRoom,
            "no room with the equipment it needs in the centres of the qualified vacations",
        ),
        Exclusion::TooLong => (
            Code::TooLong,
            "its duration exceeds every compatible vacation",
        ),
    }
}

/// One entry per unscheduled request, in input order.
pub fn explain(instance: &Instance, solution: &Solution) -> Vec<proto::Unscheduled> {
    let mut occupants: Vec<Vec<usize>> = vec![Vec::new(); instance.vacations.len()];
    let mut scheduled = vec![false; instance.requests.len()];
    for a in &solution.assignments {
        occupants[a.vacation].push(a.request);
        scheduled[a.request] = true;
    }
    let stopped = solution.report.status == Status::TimeLimit;
    let mut out = Vec::new();
    for (r, req) in instance.requests.iter().enumerate() {
        if scheduled[r] {
            continue;
        }
        let (reason, detail) = if let Some(e) = solution.compat.exclusions[r] {
            let (code, text) = exclusion_reason(e);
            (code, text.to_string())
        } else if stopped && !solution.report.level1_optimal {
            (
                Code::SolverStopped,
                "the time limit stopped the solver before its class was proven; a longer limit may place it".to_string(),
            )
        } else {
            // Who holds the vacations it could have used.
            let options = &solution.compat.options[r];
            let mut same_class = 0usize;
            let mut higher: BTreeMap<usize, usize> = BTreeMap::new();
            for o in options {
                for &q in &occupants[o.vacation] {
                    let c = instance.requests[q].class_index;
                    if c == req.class_index {
                        same_class += 1;
                    } else if c < req.class_index {
                        *higher.entry(c).or_default() += 1;
                    }
                }
            }
            let n = options.len();
            if same_class > 0 && higher.is_empty() || same_class > higher.values().sum() {
                (
                    Code::FairShareOfClass,
                    format!(
                        "its {n} compatible vacations went to {same_class} requests of its own class ({}), shared fairly between companies",
                        class_name(instance, req.class_index)
                    ),
                )
            } else if !higher.is_empty() {
                let list: Vec<String> = higher
                    .iter()
                    .map(|(c, k)| format!("{} {}", k, class_name(instance, *c)))
                    .collect();
                (
                    Code::CapacityTakenByHigherClasses,
                    format!(
                        "its {n} compatible vacations are filled by higher classes: {}",
                        list.join(", ")
                    ),
                )
            } else {
                (
                    Code::CapacityTakenByHigherClasses,
                    format!(
                        "its {n} compatible vacations have no free minutes or no free room left for it once higher classes are placed"
                    ),
                )
            }
        };
        out.push(proto::Unscheduled {
            request_id: req.id.clone(),
            reason: reason as i32,
            detail,
        });
    }
    out
}
