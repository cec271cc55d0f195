//! criterion benchmarks of `solve` and `reoptimize` on generated instances.
//!
//! `cargo bench` runs the small preset (whole solve) and a re-optimisation of it after a
//! one-day absence, and the re-optimisation of ciamt-week after a one-day absence (from
//! the plan of a 30 s solve). The large presets' whole solves take minutes, so they run only when
//! `CONVOPLAN_BENCH_LARGE=1` is set, with criterion's minimum of 10 samples; the `bench`
//! command is the tool for them (one run each, with the time per level).

use convoplan::generate::{generate, Preset};
use convoplan::model::Instance;
use convoplan::plan;
use convoplan::proto;
use convoplan::solver::SolveOptions;
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::Duration;

fn instance(preset: Preset, seed: u64) -> (proto::Instance, Instance) {
    let wire = generate(preset, seed);
    let inst = Instance::from_proto(&wire).expect("generated instances are valid");
    (wire, inst)
}

/// The instance with the professional of the middle appointment absent that day.
fn with_absence(wire: &proto::Instance, plan: &proto::Plan) -> Instance {
    let mut changed = wire.clone();
    if let Some(a) = plan.appointments.get(plan.appointments.len() / 2) {
        changed.absences.push(proto::Absence {
            professional_id: a.professional_id.clone(),
            from: a.date.clone(),
            to: a.date.clone(),
        });
    }
    Instance::from_proto(&changed).expect("valid")
}

fn bench_preset(c: &mut Criterion, name: &str, preset: Preset) {
    let (wire, inst) = instance(preset, 1);
    let options = SolveOptions::default();
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("solve", |b| {
        b.iter(|| black_box(plan::solve_plan(&inst, &options)))
    });
    let first = plan::solve_plan(&inst, &options);
    let changed = with_absence(&wire, &first);
    group.bench_function("reoptimize one-day absence", |b| {
        b.iter(|| black_box(plan::reoptimize_plan(&changed, &first, None, &options)))
    });
    group.finish();
}

/// Re-optimisation of ciamt-week after a one-day absence (issue 5's 1 s target), from the
/// plan of a 30 s solve: a centre manager's question, not the back-office's.
fn bench_ciamt_reoptimize(c: &mut Criterion) {
    let (wire, inst) = instance(Preset::CiamtWeek, 1);
    let first = plan::solve_plan(
        &inst,
        &SolveOptions {
            time_limit_seconds: Some(30.0),
            ..SolveOptions::default()
        },
    );
    let changed = with_absence(&wire, &first);
    let options = SolveOptions::default();
    let mut group = c.benchmark_group("ciamt-week from a 30 s plan");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("reoptimize one-day absence", |b| {
        b.iter(|| black_box(plan::reoptimize_plan(&changed, &first, None, &options)))
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    bench_preset(c, "small", Preset::Small);
    bench_ciamt_reoptimize(c);
    if std::env::var_os("CONVOPLAN_BENCH_LARGE").is_some() {
        bench_preset(c, "ami-eure-week", Preset::AmiEureWeek);
        bench_preset(c, "ciamt-week", Preset::CiamtWeek);
    }
}

criterion_group!(solve, benches);
criterion_main!(solve);
