//! criterion benchmarks of the level-1 heuristics that an LP rounding and its restarts
//! spend their time in, on fixed work: augmenting paths ([`repair::insert`]) and packing
//! ([`packing::pack`]) from ciamt-week's greedy plan, every request it leaves out wanted.
//! Both run to their end (the deadline is far), so a change of their speed shows here
//! apart from the time limits that cap them inside a solve.

use convoplan::generate::{generate, Preset};
use convoplan::model::Instance;
use convoplan::solver::greedy::{self, Placements};
use convoplan::solver::{compat, packing, repair};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn benches(c: &mut Criterion) {
    let wire = generate(Preset::CiamtWeek, 1);
    let inst = Instance::from_proto(&wire).expect("generated instances are valid");
    let compat = compat::compute(&inst);
    // The greedy plan of the classes above the last three: the rest waits, most urgent
    // first, as the rounding's classes do.
    let last = inst.classes.len().saturating_sub(3);
    let start = greedy::complete_where(
        &inst,
        &compat,
        Placements {
            placed: Vec::new(),
            rooms: vec![None; inst.vacations.len()],
        },
        |r| inst.requests[r].class_index < last,
    );
    let mut placed = vec![false; inst.requests.len()];
    for p in &start.placed {
        placed[p.request] = true;
    }
    let mut wanted: Vec<usize> = (0..inst.requests.len())
        .filter(|&r| !placed[r] && !compat.options[r].is_empty())
        .collect();
    wanted.sort_by_key(|&r| (inst.requests[r].class_index, r));
    let far = || Instant::now() + Duration::from_secs(600);
    let repaired = repair::insert(&inst, &compat, start.clone(), &wanted, far());
    let mut group = c.benchmark_group("ciamt-week heuristics");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("augmenting paths from the greedy plan", |b| {
        b.iter(|| {
            black_box(repair::insert(
                &inst,
                &compat,
                start.clone(),
                &wanted,
                far(),
            ))
        })
    });
    group.bench_function("packing the repaired plan", |b| {
        b.iter(|| {
            black_box(packing::pack(
                &inst,
                &compat,
                repaired.clone(),
                &wanted,
                far(),
            ))
        })
    });
    group.finish();
}

criterion_group!(heuristics, benches);
criterion_main!(heuristics);
