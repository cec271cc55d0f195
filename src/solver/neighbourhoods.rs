//! Large-neighbourhood searches that improve a level-1 stage's incumbent on models too large
//! for HiGHS's branch and bound to make progress on (ciamt-week: 215,000 columns, a root LP
//! of a minute). Each is a MILP over a few thousand to a few tens of thousands of columns,
//! the others held at their incumbent values; none of them proves anything, so their
//! stages are reported as heuristics and the stage's bound stays the LP's.

use super::highs_ext::HighsCallError;
use super::milp::Milp;
use super::stages::Runner;
use crate::model::Instance;
use highs::Sense;

/// Time one part's MILP may take. On ciamt-week's marginal class about half of the half-days
/// finish within it and the others have found their improvement well before (highspy on
/// the dumped stage model: 422 → 448 over one sweep of ten half-days at 20 s each); most
/// teams take about a second (then 450 → 457 over one sweep of the 26 teams).
const PART_SECONDS: f64 = 15.0;

/// Improves the incumbent of a level-1 stage with a MILP over the assignment columns that
/// the LP relaxation's optimum uses or the incumbent holds (a few thousand of the hundreds
/// of thousands): on ciamt-week's marginal class it finds in a minute what the full
/// MILP does not reach in forty (the LP is nearly integral there, the full model's LP is
/// slow). Recorded as the heuristic stage `search`; it takes `seconds` at most.
pub fn lp_support(
    milp: &Milp,
    run: &mut Runner,
    search: &str,
    terms: &[(usize, f64)],
    classes: &[Vec<usize>],
    point: &[f64],
    seconds: f64,
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
    run.restricted(search, Sense::Maximise, terms, &off, seconds)?;
    tracing::debug!(
        stage = search,
        columns = milp.x.len() - off.len(),
        before,
        after = run.value(terms),
        "LP neighbourhood searched"
    );
    Ok(())
}

/// Improves the incumbent part by part of the week: each MILP frees every assignment of the
/// stage's classes into the vacations of one part, and holds every other request where the
/// incumbent has it (a request placed elsewhere may still move into the part). The parts
/// are the half-days, then the teams (a team's vacations over the week): the LP support
/// above cannot trade a request's place on Monday for one on Thursday when neither is in
/// the LP's support, and each half-day is re-packed whole here; once the half-days gain
/// nothing, a team's week often still does, and the other way round. Sweeps until a round
/// of both gains nothing, `done` says the incumbent is proven, or the stage's budget ends.
/// Recorded as one heuristic stage.
pub fn local_search(
    instance: &Instance,
    milp: &Milp,
    run: &mut Runner,
    name: &str,
    terms: &[(usize, f64)],
    classes: &[Vec<usize>],
    done: impl Fn(f64) -> bool,
) -> Result<(), HighsCallError> {
    let cols: Vec<usize> = classes
        .iter()
        .flatten()
        .copied()
        .filter(|&i| i < milp.x.len())
        .collect();
    let partitions = [
        partition(&cols, |i| {
            let v = &instance.vacations[milp.x[i].vacation];
            (v.day, v.half_day())
        }),
        partition(&cols, |i| {
            let p = &instance.professionals[instance.vacations[milp.x[i].vacation].professional];
            // Without teams, each professional's week.
            if p.team_id.is_empty() {
                p.id.as_str()
            } else {
                p.team_id.as_str()
            }
        }),
    ];
    let first = run.reports.len();
    let before = run.value(terms);
    let searched = format!("{name} local search");
    'rounds: loop {
        let round_start = run.value(terms);
        for (kind, part_of) in partitions.iter().enumerate() {
            let parts = part_of.iter().max().map_or(0, |&p| p + 1);
            for part in 0..parts {
                if done(run.value(terms)) || run.too_short() || run.stopped {
                    break 'rounds;
                }
                let off: Vec<usize> = cols
                    .iter()
                    .zip(part_of)
                    .filter(|&(&i, &p)| p != part && run.sol[i] < 0.5)
                    .map(|(&i, _)| i)
                    .collect();
                let seconds = PART_SECONDS.min(run.end_in());
                run.restricted(&searched, Sense::Maximise, terms, &off, seconds)?;
                tracing::debug!(
                    stage = name,
                    kind,
                    part,
                    columns = cols.len() - off.len(),
                    reached = run.value(terms),
                    "part of the week searched"
                );
            }
        }
        if run.value(terms) < round_start + 0.5 {
            break;
        }
    }
    // One report for the whole search, its seconds those of every part's MILP.
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
        "local search done"
    );
    Ok(())
}

/// The part (numbered from 0 in key order) of each column of `cols`.
fn partition<K: Ord>(cols: &[usize], key: impl Fn(usize) -> K) -> Vec<usize> {
    let keys: Vec<K> = cols.iter().map(|&i| key(i)).collect();
    let mut sorted: Vec<&K> = keys.iter().collect();
    sorted.sort();
    sorted.dedup();
    keys.iter()
        .map(|k| sorted.binary_search(&k).unwrap_or(0))
        .collect()
}
