//! Decomposition into independent components: an instance made of three regional services
//! that share nothing solves, component by component in parallel, to the same per-class
//! counts, company ratios and lateness as the same instance solved as one model, and its
//! plan is valid. Services named by `serviceId` are apart even when their classes and
//! teleconsultations would otherwise tie them, and each plans as it would alone.

use convoplan::generate::{generate, Preset};
use convoplan::model::Instance;
use convoplan::plan;
use convoplan::solver::{compat, components, SolveOptions};
use serde_json::Value;
use std::collections::BTreeMap;

/// Prefixes every id (keys `id`, `...Id`, `...Ids`) of a JSON instance.
fn prefix_ids(v: &mut Value, prefix: &str) {
    match v {
        Value::Object(map) => {
            for (k, x) in map.iter_mut() {
                if k == "id" || k.ends_with("Id") {
                    if let Value::String(s) = x {
                        *s = format!("{prefix}{s}");
                    }
                } else if k.ends_with("Ids") {
                    for s in x.as_array_mut().into_iter().flatten() {
                        if let Value::String(s) = s {
                            *s = format!("{prefix}{s}");
                        }
                    }
                } else {
                    prefix_ids(x, prefix);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| prefix_ids(x, prefix)),
        _ => {}
    }
}

/// One small service with prefixed ids, kept to itself: its in-person requests only at its
/// own centres; without teleconsultation unless `tele` (a remote visit may be held by any
/// service's professional); its tiers shifted by `tier_offset` so that its priority classes
/// are its own (level 2 compares the companies of a class across services).
fn service(seed: u64, prefix: &str, tele: bool, tier_offset: u32) -> Value {
    let proto = generate(Preset::Small, seed);
    let inst = Instance::from_proto(&proto).expect("generated instance is valid");
    let mut v = serde_json::to_value(&proto).expect("serialises");
    let centres: Vec<Value> = v["centres"]
        .as_array()
        .expect("centres")
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    for (r, req) in v["requests"]
        .as_array_mut()
        .expect("requests")
        .iter_mut()
        .enumerate()
    {
        if req["allowedCentreIds"].as_array().is_none_or(Vec::is_empty) {
            req["allowedCentreIds"] = Value::Array(centres.clone());
        }
        req["tier"] = Value::from(inst.requests[r].class.tier + tier_offset);
        if !tele {
            req["modes"] = serde_json::json!(["MODE_IN_PERSON"]);
        }
    }
    if !tele {
        for vac in v["vacations"].as_array_mut().expect("vacations") {
            vac["modes"] = serde_json::json!(["MODE_IN_PERSON"]);
        }
    }
    prefix_ids(&mut v, prefix);
    v
}

/// Three services in one instance.
fn three_services() -> (Instance, Vec<Instance>) {
    combine(&[
        service(1, "a-", true, 0),
        service(2, "b-", false, 20),
        service(3, "c-", false, 40),
    ])
}

/// The instances of `parts` put together, and each on its own.
fn combine(parts: &[Value]) -> (Instance, Vec<Instance>) {
    let mut all = parts[0].clone();
    for p in &parts[1..] {
        for key in [
            "centres",
            "professionals",
            "vacations",
            "absences",
            "companies",
            "requests",
        ] {
            let more = p[key].as_array().cloned().unwrap_or_default();
            match all[key].as_array_mut() {
                Some(a) => a.extend(more),
                None => all[key] = Value::Array(more),
            }
        }
    }
    let parse = |v: &Value| {
        let text = serde_json::to_string(v).expect("serialises");
        let proto = convoplan::model::parse_instance_json(&text).expect("parses");
        Instance::from_proto(&proto).expect("valid")
    };
    (parse(&all), parts.iter().map(parse).collect())
}

/// A small week as the service `code` of a platform: ids prefixed with the code, which its
/// professionals and companies name as their `serviceId`. Teleconsultation and tiers as
/// generated: classes are shared with the other services, and a remote visit could be held
/// by anyone but for the service rule.
fn named_service(seed: u64, code: &str) -> Value {
    let mut v = serde_json::to_value(generate(Preset::Small, seed)).expect("serialises");
    prefix_ids(&mut v, &format!("{code}-"));
    for key in ["professionals", "companies"] {
        for x in v[key].as_array_mut().expect("a list") {
            x["serviceId"] = Value::from(code);
        }
    }
    v
}

/// Per (service, tier, urgency): scheduled, and the smallest and summed company ratios.
fn by_service(inst: &Instance, plan: &convoplan::proto::Plan) -> BTreeMap<Group, (u32, f64, f64)> {
    let mut scheduled = vec![false; inst.requests.len()];
    for a in &plan.appointments {
        scheduled[inst.index.requests[&a.request_id]] = true;
    }
    let mut companies: BTreeMap<(Group, usize), (u32, u32)> = BTreeMap::new();
    for (r, req) in inst.requests.iter().enumerate() {
        let group = (
            inst.services[inst.service_of(req)].clone(),
            req.class.tier,
            format!("{:?}", req.class.urgency),
        );
        let e = companies.entry((group, req.company)).or_default();
        e.0 += u32::from(scheduled[r]);
        e.1 += 1;
    }
    let mut out: BTreeMap<Group, (u32, f64, f64)> = BTreeMap::new();
    for ((group, _), (done, pending)) in companies {
        let ratio = f64::from(done) / f64::from(pending);
        let e = out.entry(group).or_insert((0, f64::INFINITY, 0.0));
        e.0 += done;
        e.1 = e.1.min(ratio);
        e.2 += ratio;
    }
    out
}

/// A service's id, a tier and an urgency.
type Group = (String, u32, String);

#[test]
fn three_services_solve_apart_to_the_undecomposed_optimum() {
    let (inst, services) = three_services();
    let count = |i: &Instance| components::split(i, &compat::compute(i)).len();
    let expected: usize = services.iter().map(count).sum();
    assert!(expected >= 3, "each service is at least one component");
    assert_eq!(count(&inst), expected);

    let apart = plan::solve_plan(&inst, &SolveOptions::default());
    let whole = plan::solve_plan(
        &inst,
        &SolveOptions {
            decompose: Some(false),
            ..SolveOptions::default()
        },
    );
    assert!(plan::validate(&inst, &apart).is_empty(), "invalid plan");
    assert!(plan::validate(&inst, &whole).is_empty(), "invalid plan");
    let (ra, rw) = (
        apart.solver_report.clone().unwrap_or_default(),
        whole.solver_report.clone().unwrap_or_default(),
    );
    assert_eq!(ra.components as usize, expected);
    assert_eq!(rw.components, 1);
    assert!(ra.level1_optimal && rw.level1_optimal);
    // One line per component, each naming its service, adding up to the plan; a solve in
    // one piece has none.
    assert_eq!(ra.component_reports.len(), expected);
    assert!(rw.component_reports.is_empty());
    let ids: Vec<&str> = services
        .iter()
        .flat_map(|s| s.services.iter().map(String::as_str))
        .collect();
    for c in &ra.component_reports {
        assert!(ids.contains(&c.service.as_str()), "service {:?}", c.service);
        assert!(c.level1_optimal && c.first_short_class.is_empty());
        assert!(c.scheduled <= c.requests && c.done_at_seconds <= ra.seconds + 1e-9);
    }
    let scheduled: u32 = ra.component_reports.iter().map(|c| c.scheduled).sum();
    assert_eq!(scheduled as usize, apart.appointments.len());
    let requests: u32 = ra.component_reports.iter().map(|c| c.requests).sum();
    assert_eq!(requests as usize, inst.requests.len());
    let (sa, sw) = (
        apart.score.clone().unwrap_or_default(),
        whole.score.clone().unwrap_or_default(),
    );
    assert_eq!(sa.classes.len(), sw.classes.len());
    for (a, w) in sa.classes.iter().zip(&sw.classes) {
        assert_eq!((a.tier, a.urgency), (w.tier, w.urgency));
        assert_eq!(a.pending, w.pending, "tier {}", a.tier);
        assert_eq!(a.scheduled, w.scheduled, "scheduled of tier {}", a.tier);
        assert!(
            (a.min_company_ratio - w.min_company_ratio).abs() < 1e-9,
            "smallest ratio of tier {}",
            a.tier
        );
        assert!(
            (a.mean_company_ratio - w.mean_company_ratio).abs() < 1e-9,
            "mean ratio of tier {}",
            a.tier
        );
    }
    assert_eq!(sa.lateness_days, sw.lateness_days);
    // Merged stages: one per name, each class's count at level 1 adds up to the plan's.
    for c in &sa.classes {
        let name = |u: &str| format!("L1 tier {} {u}", c.tier);
        let stage = ra.stages.iter().find(|s| {
            s.name == name("overdue")
                || s.name == name("due in horizon")
                || s.name == name("due later")
        });
        assert!(stage.is_some(), "a level-1 stage for tier {}", c.tier);
    }
    let total: f64 = ra
        .stages
        .iter()
        .filter(|s| s.name.starts_with("L1 ") && !s.name.ends_with("neighbourhood"))
        .map(|s| s.objective)
        .sum();
    let scheduled: u32 = sa.classes.iter().map(|c| c.scheduled).sum();
    assert!((total - f64::from(scheduled)).abs() < 0.5);
}

#[test]
fn named_services_split_apart_and_each_plans_as_if_alone() {
    let (inst, alone) = combine(&[
        named_service(1, "north"),
        named_service(2, "south"),
        named_service(3, "west"),
    ]);
    assert_eq!(inst.services, ["north", "south", "west"]);
    // Without the service rule, teleconsultations and shared classes would tie them.
    let c = compat::compute(&inst);
    for (r, options) in c.options.iter().enumerate() {
        let service = inst.service_of(&inst.requests[r]);
        for o in options {
            let p = inst.vacations[o.vacation].professional;
            assert_eq!(
                inst.professionals[p].service, service,
                "a cross-service option"
            );
        }
    }
    let count = |i: &Instance| components::split(i, &compat::compute(i)).len();
    let expected: usize = alone.iter().map(count).sum();
    assert_eq!(count(&inst), expected);

    let together = plan::solve_plan(&inst, &SolveOptions::default());
    assert!(plan::validate(&inst, &together).is_empty(), "invalid plan");
    let report = together.solver_report.clone().unwrap_or_default();
    assert!(report.level1_optimal);
    assert_eq!(report.components as usize, expected);
    let whole = plan::solve_plan(
        &inst,
        &SolveOptions {
            decompose: Some(false),
            ..SolveOptions::default()
        },
    );
    assert!(plan::validate(&inst, &whole).is_empty(), "invalid plan");
    assert!(
        whole
            .solver_report
            .clone()
            .unwrap_or_default()
            .level1_optimal
    );

    // Each service gets what it gets alone: its class counts, its own smallest and summed
    // company ratios; the one model reaches the same.
    let mut expected_groups = BTreeMap::new();
    for one in &alone {
        let p = plan::solve_plan(one, &SolveOptions::default());
        assert!(p.solver_report.clone().unwrap_or_default().level1_optimal);
        expected_groups.extend(by_service(one, &p));
    }
    let close = |a: &BTreeMap<Group, (u32, f64, f64)>| {
        assert_eq!(a.len(), expected_groups.len());
        for (g, (n, min, sum)) in a {
            let (en, emin, esum) = expected_groups[g];
            assert_eq!(*n, en, "scheduled of {g:?}");
            assert!((min - emin).abs() < 1e-9, "smallest ratio of {g:?}");
            assert!((sum - esum).abs() < 1e-9, "sum of ratios of {g:?}");
        }
    };
    close(&by_service(&inst, &together));
    close(&by_service(&inst, &whole));
    assert_eq!(
        together.score.unwrap_or_default().lateness_days,
        whole.score.unwrap_or_default().lateness_days
    );
}

#[test]
fn a_single_component_takes_the_undecomposed_path() {
    let inst = Instance::from_proto(&generate(Preset::Small, 1)).expect("valid");
    assert_eq!(components::split(&inst, &compat::compute(&inst)).len(), 1);
    let a = plan::solve_plan(&inst, &SolveOptions::default());
    let b = plan::solve_plan(
        &inst,
        &SolveOptions {
            decompose: Some(false),
            ..SolveOptions::default()
        },
    );
    let (ra, rb) = (
        a.solver_report.clone().unwrap_or_default(),
        b.solver_report.clone().unwrap_or_default(),
    );
    assert_eq!(ra.components, 1);
    let names = |r: &convoplan::proto::SolverReport| {
        r.stages.iter().map(|s| s.name.clone()).collect::<Vec<_>>()
    };
    assert_eq!(names(&ra), names(&rb));
    assert_eq!(
        (ra.variables, ra.constraints),
        (rb.variables, rb.constraints)
    );
    assert_eq!(a.appointments, b.appointments);
}

#[test]
fn components_report_progress_by_name_and_stop_when_cancelled() {
    use convoplan::solver::ProgressEvent;
    use std::sync::atomic::AtomicBool;
    use std::sync::{Arc, Mutex};
    let (inst, _) = three_services();
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = seen.clone();
    let options = SolveOptions {
        progress: Some(Arc::new(move |e: &ProgressEvent| {
            if let Ok(mut s) = sink.lock() {
                s.push(e.stage.clone());
            }
        })),
        ..SolveOptions::default()
    };
    let plan = plan::solve_plan(&inst, &options);
    let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
    let n = plan.solver_report.unwrap_or_default().components;
    for k in 1..=n {
        let prefix = format!("[{k}/{n}] L1 ");
        assert!(
            seen.iter().any(|s| s.starts_with(&prefix)),
            "no level-1 event of component {k}"
        );
    }
    // Cancelled before it starts: every component gets the greedy plan, still valid.
    let cancelled = plan::solve_plan(
        &inst,
        &SolveOptions {
            cancel: Some(Arc::new(AtomicBool::new(true))),
            ..SolveOptions::default()
        },
    );
    assert!(plan::validate(&inst, &cancelled).is_empty(), "invalid plan");
    let r = cancelled.solver_report.unwrap_or_default();
    assert_eq!(r.components, n);
    assert_eq!(
        convoplan::proto::SolveStatus::try_from(r.status),
        Ok(convoplan::proto::SolveStatus::TimeLimit)
    );
    assert!(!r.level1_optimal);
    assert!(
        !cancelled.appointments.is_empty(),
        "the greedy plan schedules"
    );
}
