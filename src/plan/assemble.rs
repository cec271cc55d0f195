//! Turns a solver solution into the wire plan: timed appointments, room allocations,
//! reasons for the unscheduled, score, KPIs and the solver report.

use super::{kpis, reasons, score};
use crate::model::{format_time, Instance, Mode};
use crate::proto;
use crate::solver::{self, Solution, SolveOptions, Status};

/// Solves and assembles the plan.
pub fn solve_plan(instance: &Instance, options: &SolveOptions) -> proto::Plan {
    build_plan(instance, &solver::solve(instance, options))
}

/// The plan an assistant would make by hand ([`solver::greedy`]): requests sorted by class
/// then due date, each put in the earliest compatible free place. The baseline the optimum
/// is compared with.
pub fn greedy_plan(instance: &Instance) -> proto::Plan {
    let started = std::time::Instant::now();
    let compat = solver::compat::compute(instance);
    let placements = solver::greedy::plan(instance, &compat);
    let solution = Solution {
        assignments: solver::sequence::sequence(instance, &placements.placed),
        rooms: placements.rooms,
        report: solver::Report {
            seconds: started.elapsed().as_secs_f64(),
            components: 0,
            ..solver::Report::unsolved(Status::Trivial)
        },
        compat,
    };
    build_plan(instance, &solution)
}

/// Wire value of a mode.
pub fn mode_to_proto(mode: Mode) -> proto::Mode {
    match mode {
        Mode::InPerson => proto::Mode::InPerson,
        Mode::Teleconsultation => proto::Mode::Teleconsultation,
    }
}

/// Assembles the wire plan of a solution.
pub fn build_plan(instance: &Instance, solution: &Solution) -> proto::Plan {
    let mut assignments = solution.assignments.clone();
    assignments.sort_by_key(|a| {
        let v = &instance.vacations[a.vacation];
        (v.day, v.start, a.vacation, a.start)
    });
    let appointments = assignments
        .iter()
        .map(|a| {
            let v = &instance.vacations[a.vacation];
            let room = solution.rooms[a.vacation];
            proto::Appointment {
                request_id: instance.requests[a.request].id.clone(),
                professional_id: instance.professionals[v.professional].id.clone(),
                vacation_id: v.id.clone(),
                date: v.date.format("%Y-%m-%d").to_string(),
                start: format_time(a.start),
                end: format_time(a.end),
                mode: mode_to_proto(a.mode) as i32,
                centre_id: room
                    .map(|k| instance.centres[instance.rooms[k].centre].id.clone())
                    .unwrap_or_default(),
                room_id: room
                    .map(|k| instance.rooms[k].id.clone())
                    .unwrap_or_default(),
            }
        })
        .collect();
    let room_allocations = solution
        .rooms
        .iter()
        .enumerate()
        .filter_map(|(v, room)| {
            room.map(|k| proto::RoomAllocation {
                vacation_id: instance.vacations[v].id.clone(),
                centre_id: instance.centres[instance.rooms[k].centre].id.clone(),
                room_id: instance.rooms[k].id.clone(),
            })
        })
        .collect();
    let mut plan = proto::Plan {
        instance_name: instance.name.clone(),
        appointments,
        unscheduled: reasons::explain(instance, solution),
        room_allocations,
        score: None,
        kpis: None,
        solver_report: Some(report_to_proto(&solution.report)),
    };
    plan.score = Some(score(instance, &plan));
    plan.kpis = Some(kpis(instance, &plan));
    // The validator shares no code with the solver's rows: a plan it rejects is a solver
    // bug (e.g. a stage closed by a bound on an incumbent that breaks a row), to be seen in
    // the logs rather than sent out unnoticed. Ids only: they are pseudonymous.
    let violations = super::validate(instance, &plan);
    if let Some(first) = violations.first() {
        tracing::error!(
            violations = violations.len(),
            rule = ?first.rule,
            request = first.request_id,
            vacation = first.vacation_id,
            message = first.message,
            "the plan breaks the model contract (a solver bug)"
        );
    }
    plan
}

fn report_to_proto(r: &solver::Report) -> proto::SolverReport {
    let finite = |x: f64| if x.is_finite() { x } else { 0.0 };
    proto::SolverReport {
        status: match r.status {
            Status::Optimal => proto::SolveStatus::Optimal,
            Status::TimeLimit => proto::SolveStatus::TimeLimit,
            Status::Trivial => proto::SolveStatus::Trivial,
        } as i32,
        level1_optimal: r.level1_optimal,
        stages: r
            .stages
            .iter()
            .map(|s| proto::StageReport {
                name: s.name.clone(),
                objective: finite(s.objective),
                bound: Some(s.bound).filter(|b| b.is_finite()),
                gap: Some(s.gap).filter(|g| g.is_finite()),
                seconds: s.seconds,
                status: s.status.clone(),
                lp_bound: s.lp_bound.filter(|b| b.is_finite()),
            })
            .collect(),
        seconds: r.seconds,
        variables: r.variables,
        constraints: r.constraints,
        components: r.components,
        gap: Some(r.gap).filter(|g| g.is_finite()),
        reopt_scope: r.reopt_scope.map(|n| proto::ReoptScope {
            whole_week: n.whole_week,
            free_requests: n.free_requests,
            open_vacations: n.open_vacations,
            held_appointments: n.held_appointments,
        }),
        component_reports: r
            .component_reports
            .iter()
            .map(|c| {
                let short = c.first_short.as_ref();
                proto::ComponentReport {
                    service: c.service.clone(),
                    requests: u32::try_from(c.requests).unwrap_or(u32::MAX),
                    vacations: u32::try_from(c.vacations).unwrap_or(u32::MAX),
                    scheduled: u32::try_from(c.scheduled).unwrap_or(u32::MAX),
                    level1_optimal: c.level1_optimal,
                    budget_seconds: c.budget_seconds,
                    done_at_seconds: c.done_at_seconds,
                    first_short_class: short.map(|st| st.stage.clone()).unwrap_or_default(),
                    first_short_reached: short
                        .map_or(0, |st| u32::try_from(st.reached).unwrap_or(u32::MAX)),
                    first_short_lp_bound: short
                        .and_then(|st| st.lp_bound.filter(|b| b.is_finite())),
                }
            })
            .collect(),
    }
}
