//! A level-1 stage's plan rounded from its LP relaxation's point, in under a second.
//!
//! Where rooms are short, which vacations hold one decides how much of each class fits: the
//! greedy pass opens vacations in the order their first requests come, and higher classes
//! fill the vacations a lower class could use while their own could go elsewhere. The LP's
//! point says which vacations to open and where each class goes. Here each room is matched
//! to the vacation that would serve most of the LP's load in it
//! ([`super::room_match::matched_rooms_by`]) and held from the start; then every class down
//! to the stage's is placed again, each request trying its vacations by decreasing LP
//! weight, within what the LP gives its class in each vacation
//! ([`super::greedy::complete_guided`]), completed along augmenting paths
//! ([`super::repair`]) and packed ([`super::packing`]). The caller keeps the result only
//! when it holds every higher class's count and improves the stage's.
//!
//! Measured on marginal classes (BENCHMARKS.md): ciamt-week seed 1, 324 → 371 unpacked,
//! 464-465 packed (LP bound 469.4, optimum 469); the `rhone` service of the national preset,
//! 218 → 249 unpacked, 340 packed (LP 342.8). Unpacked, the plan leaves 5-20 minutes free
//! in many vacations, too short for anyone, where the LP fills every minute.

use super::compat::Compatibility;
use super::greedy::{self, Guide, Placements};
use super::milp::Milp;
use super::{packing, repair, room_match};
use crate::model::{Instance, Mode};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// At most this long to pack each class's rounded plan ([`packing`]).
const PACKING: Duration = Duration::from_millis(500);

/// How the classes are placed again: all where the LP puts them first, then each anywhere
/// ([`Order::Within`]), or class by class, where the LP puts it then anywhere
/// ([`Order::InOrder`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Every class first where the LP puts it: the LP's places of a lower class are not
    /// taken by a higher one that has others.
    Within,
    /// Class by class: no higher class waits for a lower one's places.
    InOrder,
}

/// The plan of the classes `0..=class` rounded from `point` (a value per base column), in
/// both orders, and the order of the one returned (the one with more of the higher
/// classes, then of `class`).
pub fn round(
    instance: &Instance,
    compat: &Compatibility,
    milp: &Milp,
    point: &[f64],
    class: usize,
    deadline: Instant,
    pack: bool,
) -> (Placements, Order) {
    let rounded = |order| round_in(instance, compat, milp, point, class, deadline, pack, order);
    let (within, in_order) = (rounded(Order::Within), rounded(Order::InOrder));
    if class_counts(instance, &within) >= class_counts(instance, &in_order) {
        (within, Order::Within)
    } else {
        (in_order, Order::InOrder)
    }
}

/// `point` with each value scaled by a factor drawn in `[1 - spread / 2, 1 + spread / 2]`
/// from `seed`: rounded again, it breaks the ties and near-ties of the first rounding
/// another way.
pub fn perturbed(point: &[f64], spread: f64, seed: u64) -> Vec<f64> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    point
        .iter()
        .map(|&x| x * (1.0 + spread * (rng.random::<f64>() - 0.5)))
        .collect()
}

/// The plan of the classes `0..=class` rounded from `point` in one order.
#[allow(clippy::too_many_arguments)]
pub fn round_in(
    instance: &Instance,
    compat: &Compatibility,
    milp: &Milp,
    point: &[f64],
    class: usize,
    deadline: Instant,
    pack: bool,
    order: Order,
) -> Placements {
    // What a vacation would serve of the LP's load in each of its rooms: the minutes of
    // its in-person visits allowed there (centre, equipment) and of its teleconsultations.
    // The LP may split a vacation's room between two centres; the one room it gets should
    // serve the most.
    let mut room_weight: HashMap<(usize, usize), f64> = HashMap::new();
    for (i, x) in milp.x.iter().enumerate() {
        if point[i] <= 1e-9 {
            continue;
        }
        let load = point[i] * f64::from(x.minutes);
        let rooms = match x.mode {
            Mode::InPerson => &compat.options[x.request][x.option].rooms,
            Mode::Teleconsultation => &compat.vacation_rooms[x.vacation],
        };
        for &k in rooms {
            *room_weight.entry((x.vacation, k)).or_default() += load;
        }
    }
    let wished = room_match::matched_rooms_by(instance, compat, |v, k| {
        room_weight.get(&(v, k)).copied().unwrap_or(0.0)
    });
    // Per request, the LP's weight on each option (both modes together), and per class and
    // vacation, the LP's count.
    let mut quota = vec![vec![0.0; instance.vacations.len()]; instance.classes.len()];
    let mut weights: Vec<Vec<f64>> = compat.options.iter().map(|o| vec![0.0; o.len()]).collect();
    for (i, x) in milp.x.iter().enumerate() {
        quota[instance.requests[x.request].class_index][x.vacation] += point[i];
        weights[x.request][x.option] += point[i];
    }
    let guide = Guide { weights, quota };
    // Every matched vacation holds its room from the start: one opened later by its first
    // request would find it taken by the augmenting paths, which know no reservation.
    let empty = Placements {
        placed: Vec::new(),
        rooms: wished.clone(),
    };
    let in_class = |c: usize| move |r: usize| instance.requests[r].class_index == c;
    let repaired = |plan: Placements, c: usize| {
        let mut wanted: Vec<usize> = (0..instance.requests.len())
            .filter(|&r| in_class(c)(r))
            .collect();
        wanted.sort_by_key(|&r| (instance.requests[r].due_day.unwrap_or(i64::MAX), r));
        let plan = repair::insert(instance, compat, plan, &wanted, deadline);
        if !pack {
            return plan;
        }
        let until = deadline.min(Instant::now() + PACKING);
        packing::pack(instance, compat, plan, &wanted, until)
    };
    let place = |plan: Placements, c: usize, g: &mut Guide, strict: bool| {
        greedy::complete_guided(
            instance,
            compat,
            plan,
            in_class(c),
            wished.clone(),
            g,
            strict,
        )
    };
    let mut g = guide;
    let mut plan = empty;
    match order {
        Order::Within => {
            for c in 0..=class {
                plan = place(plan, c, &mut g, true);
            }
            for c in 0..=class {
                plan = repaired(place(plan, c, &mut g, false), c);
            }
        }
        Order::InOrder => {
            for c in 0..=class {
                plan = place(plan, c, &mut g, true);
                plan = repaired(place(plan, c, &mut g, false), c);
            }
        }
    }
    plan
}

/// Scheduled requests per class of a plan.
pub fn class_counts(instance: &Instance, plan: &Placements) -> Vec<usize> {
    let mut counts = vec![0; instance.classes.len()];
    for p in &plan.placed {
        counts[instance.requests[p.request].class_index] += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{generate, Preset};
    use crate::solver::{compat, milp, plan_of, start_vector};
    use rand::{Rng, SeedableRng};
    use std::time::Duration;

    /// A generated small week, its compatibility and model.
    fn small(seed: u64) -> (Instance, Compatibility, Milp) {
        let instance = Instance::from_proto(&generate(Preset::Small, seed)).expect("valid");
        let compat = compat::compute(&instance);
        let (_, milp) = milp::build(&instance, &compat).expect("model builds");
        (instance, compat, milp)
    }

    fn later() -> Instant {
        Instant::now() + Duration::from_secs(60)
    }

    #[test]
    fn any_point_rounds_to_a_valid_plan() {
        for seed in 1..=6 {
            let (instance, compat, milp) = small(seed);
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let point: Vec<f64> = (0..milp.cols()).map(|_| rng.random::<f64>()).collect();
            let last = instance.classes.len() - 1;
            let (rounded, _) = round(&instance, &compat, &milp, &point, last, later(), true);
            let violations =
                crate::plan::validate(&instance, &plan_of(&instance, &compat, &rounded));
            assert!(violations.is_empty(), "seed {seed}: {violations:?}");
            // Classes below the one rounded to are left out.
            let (upto, _) = round(&instance, &compat, &milp, &point, 0, later(), true);
            assert!(class_counts(&instance, &upto)[1..].iter().all(|&n| n == 0));
        }
    }

    #[test]
    fn a_perturbed_point_is_the_same_for_a_seed_and_stays_within_its_spread() {
        let point: Vec<f64> = (0..200).map(|i| f64::from(i % 7) / 6.0).collect();
        let a = perturbed(&point, 0.2, 3);
        assert_eq!(a, perturbed(&point, 0.2, 3));
        assert_ne!(a, perturbed(&point, 0.2, 4));
        for (x, y) in point.iter().zip(&a) {
            assert!(*y >= 0.9 * x - 1e-12 && *y <= 1.1 * x + 1e-12, "{x} -> {y}");
        }
        // Zeros stay zeros: a column the LP leaves out stays out.
        assert!(point.iter().zip(&a).all(|(x, y)| *x != 0.0 || *y == 0.0));
    }

    #[test]
    fn an_integral_point_rounds_back_to_its_class_counts() {
        for seed in 1..=6 {
            let (instance, compat, milp) = small(seed);
            let greedy = greedy::plan(&instance, &compat);
            let point = start_vector(&milp, &greedy);
            let last = instance.classes.len() - 1;
            let (rounded, _) = round(&instance, &compat, &milp, &point, last, later(), true);
            assert!(
                class_counts(&instance, &rounded) >= class_counts(&instance, &greedy),
                "seed {seed}"
            );
        }
    }
}
