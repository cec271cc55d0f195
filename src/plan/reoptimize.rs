//! Re-optimisation at the plan level: reads the previous plan against the new instance,
//! runs [`crate::solver::reoptimize`], and writes the diff a centre manager acts on (kept,
//! moved, cancelled with a reason, added).

use super::validate::{mode_of, parse_date, parse_time};
use crate::model::Instance;
use crate::proto;
use crate::solver::reopt::{Prior, PriorAppointment};
use crate::solver::{self, SolveOptions};
use chrono::{NaiveDate, NaiveDateTime};
use std::collections::HashMap;

/// A freeze limit that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("freezeUntil: expected YYYY-MM-DDTHH:MM, got {0:?}")]
pub struct BadFreezeLimit(pub String);

/// Parses a freeze limit, `YYYY-MM-DDTHH:MM` (or a date alone: its midnight); empty: none.
pub fn parse_freeze_until(text: &str) -> Result<Option<NaiveDateTime>, BadFreezeLimit> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if let Ok(dt) = NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M") {
        return Ok(Some(dt));
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0));
    }
    Err(BadFreezeLimit(text.to_string()))
}

/// The previous plan's appointments in the new instance's indexes: those whose request and
/// vacation still exist (the others are cancelled by the change itself).
pub fn prior_of(
    instance: &Instance,
    previous: &proto::Plan,
    freeze: Option<NaiveDateTime>,
) -> Prior {
    let mut appointments = Vec::new();
    let mut freed = Vec::new();
    for a in &previous.appointments {
        if !instance.index.requests.contains_key(&a.request_id) {
            if let Some(&v) = instance.index.vacations.get(&a.vacation_id) {
                freed.push(v);
            }
            continue;
        }
        let (Some(&request), Some(&vacation)) = (
            instance.index.requests.get(&a.request_id),
            instance.index.vacations.get(&a.vacation_id),
        ) else {
            continue;
        };
        let (Some(mode), Some(start)) = (mode_of(a.mode), parse_time(&a.start)) else {
            continue;
        };
        let room = instance.index.rooms.get(&a.room_id).copied();
        let frozen = match (freeze, parse_date(&a.date)) {
            (Some(limit), Some(date)) => date
                .and_hms_opt(start / 60, start % 60, 0)
                .is_some_and(|t| t < limit),
            _ => false,
        };
        appointments.push(PriorAppointment {
            request,
            vacation,
            mode,
            room,
            start,
            frozen,
        });
    }
    let mut settled = vec![false; instance.requests.len()];
    for u in &previous.unscheduled {
        if let Some(&r) = instance.index.requests.get(&u.request_id) {
            settled[r] = true;
        }
    }
    freed.sort_unstable();
    freed.dedup();
    Prior {
        appointments,
        settled,
        freed,
    }
}

/// Re-optimises and returns the new plan with its diff from the previous one.
pub fn reoptimize_plan(
    instance: &Instance,
    previous: &proto::Plan,
    freeze: Option<NaiveDateTime>,
    options: &SolveOptions,
) -> (proto::Plan, proto::PlanDiff) {
    let prior = prior_of(instance, previous, freeze);
    let solution = solver::reoptimize(instance, &prior, options);
    let plan = super::build_plan(instance, &solution);
    let diff = diff(instance, previous, &plan);
    (plan, diff)
}

/// True when two appointments are the same in every respect a worker sees.
fn same(a: &proto::Appointment, b: &proto::Appointment) -> bool {
    a.vacation_id == b.vacation_id
        && a.date == b.date
        && a.start == b.start
        && a.end == b.end
        && a.mode == b.mode
        && a.room_id == b.room_id
}

/// The diff between two plans of one instance, by request.
pub fn diff(instance: &Instance, previous: &proto::Plan, next: &proto::Plan) -> proto::PlanDiff {
    let new_by_request: HashMap<&str, &proto::Appointment> = next
        .appointments
        .iter()
        .map(|a| (a.request_id.as_str(), a))
        .collect();
    let reasons: HashMap<&str, &proto::Unscheduled> = next
        .unscheduled
        .iter()
        .map(|u| (u.request_id.as_str(), u))
        .collect();
    let mut out = proto::PlanDiff::default();
    let mut seen = std::collections::HashSet::new();
    for old in &previous.appointments {
        if !seen.insert(old.request_id.as_str()) {
            continue;
        }
        match new_by_request.get(old.request_id.as_str()) {
            Some(new) if same(old, new) => out.kept.push(old.request_id.clone()),
            Some(new) => out.moved.push(proto::Move {
                request_id: old.request_id.clone(),
                from: Some(old.clone()),
                to: Some((*new).clone()),
            }),
            None => {
                let (reason, detail) = if !instance.index.requests.contains_key(&old.request_id) {
                    ("request withdrawn".to_string(), String::new())
                } else if instance
                    .index
                    .vacations
                    .get(&old.vacation_id)
                    .is_none_or(|&v| instance.vacations[v].cancelled)
                {
                    (
                        "vacation cancelled".to_string(),
                        format!(
                            "vacation {} is gone or cancelled by an absence",
                            old.vacation_id
                        ),
                    )
                } else {
                    match reasons.get(old.request_id.as_str()) {
                        Some(u) => (
                            proto::UnscheduledReason::try_from(u.reason)
                                .map(|r| r.as_str_name().to_string())
                                .unwrap_or_default(),
                            u.detail.clone(),
                        ),
                        None => (String::new(), String::new()),
                    }
                };
                out.cancelled.push(proto::Cancellation {
                    request_id: old.request_id.clone(),
                    previous: Some(old.clone()),
                    reason,
                    detail,
                });
            }
        }
    }
    for new in &next.appointments {
        if !seen.contains(new.request_id.as_str()) {
            out.added.push(new.clone());
        }
    }
    out
}
