//! Large-neighbourhood searches that improve a level-1 stage's incumbent on models too large
//! for HiGHS's branch and bound to make progress on (ciamt-week: 215,000 columns, a root LP
//! of a minute). Each is a MILP over a few thousand to a few tens of thousands of columns,
//! the others held at their incumbent values; none of them proves anything, so their
//! stages are reported as heuristics and the stage's bound stays the LP's.

use super::highs_ext::HighsCallError;
use super::milp::Milp;
use super::stages::Runner;
use crate::model::{HalfDay, Instance};
use highs::Sense;
use std::collections::BTreeMap;

/// Time one half-day's MILP may take. On ciamt-week's marginal class about half of them
/// finish within it; the others have found their improvement well before (highspy on the
/// dumped stage model: 422 → 448 over one sweep of ten half-days at 20 s each).
const HALF_DAY_SECONDS: f64 = 15.0;

/// Improves the incumbent of a level-1 stage with a MILP over the assignment columns that
/// the LP relaxation's optimum uses or the incumbent holds (a few thousand of the hundreds
/// of thousands): on ciamt-week's marginal class it finds in a minute what the full
/// MILP does not reach in forty (the LP is nearly integral there, the full model's LP is
/// slow).
pub fn lp_support(
    milp: &Milp,
    run: &mut Runner,
    name: &str,
    terms: &[(usize, f64)],
    classes: &[Vec<usize>],
    point: &[f64],
) -> Result<(), HighsCallError> {
    let off: Vec<usize> = classes
        .iter()
        .flatten()
        .copied()
        .filter(|&i| {
            i < milp.x.len() && point.get(i).is_some_and(|&v| v < 1e-6) && run.sol[i] < 0.5
        })
        .collect();
    let before = run.value(terms);
    // The whole stage budget: the full MILP after it only gets what a finished search
    // leaves, since its root LP alone can take longer than the budget.
    let seconds = run.end_in();
    run.restricted(
        &format!("{name} LP neighbourhood"),
        Sense::Maximise,
        terms,
        &off,
        seconds,
    )?;
    tracing::debug!(
        stage = name,
        columns = milp.x.len() - off.len(),
        before,
        after = run.value(terms),
        "LP neighbourhood searched"
    );
    Ok(())
}

/// Improves the incumbent half-day by half-day: each MILP frees every assignment of the
/// stage's classes into the vacations of one half-day, and holds every other request where
/// the incumbent has it (a request placed on another day may still move into this one).
/// The LP support above cannot trade a request's place on Monday for one on Thursday when
/// neither is in the LP's support; here each half-day is re-packed whole. Sweeps over the
/// week until one gains nothing, `done` says the incumbent is proven, or the stage's budget
/// ends. Recorded as one heuristic stage.
pub fn half_days(
    instance: &Instance,
    milp: &Milp,
    run: &mut Runner,
    name: &str,
    terms: &[(usize, f64)],
    classes: &[Vec<usize>],
    done: impl Fn(f64) -> bool,
) -> Result<(), HighsCallError> {
    let mut slots: BTreeMap<(i64, HalfDay), Vec<usize>> = BTreeMap::new();
    for &i in classes.iter().flatten() {
        if let Some(col) = milp.x.get(i) {
            let v = &instance.vacations[col.vacation];
            slots.entry((v.day, v.half_day())).or_default().push(i);
        }
    }
    let first = run.reports.len();
    let before = run.value(terms);
    let searched = format!("{name} half-day search");
    'sweeps: loop {
        let sweep_start = run.value(terms);
        for (&(day, half), free) in &slots {
            if done(run.value(terms)) || run.end_in() < 1.0 {
                break 'sweeps;
            }
            let off: Vec<usize> = slots
                .iter()
                .filter(|(&key, _)| key != (day, half))
                .flat_map(|(_, cols)| cols.iter().copied())
                .filter(|&i| run.sol[i] < 0.5)
                .collect();
            let seconds = HALF_DAY_SECONDS.min(run.end_in());
            run.restricted(&searched, Sense::Maximise, terms, &off, seconds)?;
            tracing::debug!(
                stage = name,
                day,
                ?half,
                columns = free.len(),
                reached = run.value(terms),
                "half-day searched"
            );
        }
        if run.value(terms) < sweep_start + 0.5 {
            break;
        }
    }
    // One report for the whole search, its seconds those of every half-day's MILP.
    if run.reports.len() > first {
        let seconds = run.reports[first..].iter().map(|r| r.seconds).sum();
        let objective = run.value(terms);
        run.reports.truncate(first + 1);
        let report = &mut run.reports[first];
        report.objective = objective;
        report.seconds = seconds;
    }
    tracing::debug!(
        stage = name,
        before,
        after = run.value(terms),
        "half-days searched"
    );
    Ok(())
}
