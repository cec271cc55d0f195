//! A self-contained weekly HTML view of a plan for centre managers: header figures, one
//! room × half-day grid per centre, one agenda per professional and the unscheduled requests
//! with their reasons.
//!
//! The page is one file with inline CSS and a small inline script (filters, expand/collapse,
//! opening every agenda before printing); it loads nothing from the network. Every figure
//! carries `data-` attributes with its exact values so that tests (and curious users) can
//! read them back from the DOM. Only ids already present in the plan or the instance are
//! shown: never a worker id.

mod agendas;
mod centres;
mod escape;
mod figures;
mod page;
mod unscheduled;

pub use escape::esc;

use crate::model::{Instance, Urgency};
use crate::plan;
use crate::proto;

/// Appends formatted text to a `String`; writing to a `String` cannot fail, so the
/// `fmt::Result` carries no information and is dropped here once for all modules.
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {{
        use ::std::fmt::Write as _;
        let _ = $out.write_fmt(::std::format_args!($($arg)*));
    }};
}
pub(crate) use w;

/// Renders the plan as one self-contained HTML page.
///
/// The figures use the plan's own `score` and `kpis` (recomputed from the appointments only
/// when the plan has none); when the plan's score disagrees with the one recomputed from its
/// appointments the page says so in a banner rather than silently picking one.
pub fn render_html(instance: &Instance, plan: &proto::Plan) -> String {
    let view = View::new(instance, plan);
    page::page(&view)
}

/// One appointment the page shows: the first appointment of a known request in a known
/// vacation, like the score counts them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shown<'a> {
    /// The wire appointment.
    pub ap: &'a proto::Appointment,
    /// Request index.
    pub request: usize,
    /// Vacation index.
    pub vacation: usize,
    /// Booked minutes (end − start, 0 when unreadable).
    pub minutes: u32,
    /// Held by teleconsultation.
    pub tele: bool,
}

/// Everything the sections need, computed once.
pub(crate) struct View<'a> {
    /// The instance.
    pub inst: &'a Instance,
    /// The plan.
    pub plan: &'a proto::Plan,
    /// The plan's score (recomputed when absent).
    pub score: proto::Score,
    /// True when the plan carried no score and `score` was recomputed.
    pub score_recomputed: bool,
    /// True when the plan's own score differs from the recomputed one.
    pub score_mismatch: bool,
    /// The plan's KPIs (recomputed when absent).
    pub kpis: proto::Kpis,
    /// Shown appointments, in plan order.
    pub apps: Vec<Shown<'a>>,
    /// Indexes into `apps` per vacation, in start order.
    pub by_vacation: Vec<Vec<usize>>,
    /// Booked minutes per vacation.
    pub booked: Vec<u32>,
    /// Allocated room per vacation.
    pub room: Vec<Option<usize>>,
    /// Scheduled flag per request.
    pub scheduled: Vec<bool>,
    /// Appointments not shown: unknown request or vacation, or a request's second one.
    pub ignored: usize,
}

/// True when two scores have the same counts and lateness, and ratios equal to 1e-9: a plan
/// read back from JSON may differ from the recomputed score in the last bit of a ratio.
fn same_score(a: &proto::Score, b: &proto::Score) -> bool {
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-9;
    a.lateness_days == b.lateness_days
        && a.classes.len() == b.classes.len()
        && a.classes.iter().zip(&b.classes).all(|(x, y)| {
            (x.tier, x.urgency, x.pending, x.scheduled, x.companies)
                == (y.tier, y.urgency, y.pending, y.scheduled, y.companies)
                && close(x.min_company_ratio, y.min_company_ratio)
                && close(x.mean_company_ratio, y.mean_company_ratio)
        })
}

/// Minutes from midnight of "HH:MM".
fn parse_time(s: &str) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

impl<'a> View<'a> {
    fn new(inst: &'a Instance, plan: &'a proto::Plan) -> Self {
        let recomputed = plan::score(inst, plan);
        let score_mismatch = plan
            .score
            .as_ref()
            .is_some_and(|s| !same_score(s, &recomputed));
        let (score, score_recomputed) = match &plan.score {
            Some(s) => (s.clone(), false),
            None => (recomputed, true),
        };
        let kpis = plan.kpis.clone().unwrap_or_else(|| plan::kpis(inst, plan));

        let mut scheduled = vec![false; inst.requests.len()];
        let mut apps = Vec::with_capacity(plan.appointments.len());
        let mut ignored = 0;
        for ap in &plan.appointments {
            let (Some(&r), Some(&v)) = (
                inst.index.requests.get(&ap.request_id),
                inst.index.vacations.get(&ap.vacation_id),
            ) else {
                ignored += 1;
                continue;
            };
            if std::mem::replace(&mut scheduled[r], true) {
                ignored += 1;
                continue;
            }
            let minutes = match (parse_time(&ap.start), parse_time(&ap.end)) {
                (Some(s), Some(e)) => e.saturating_sub(s),
                _ => 0,
            };
            apps.push(Shown {
                ap,
                request: r,
                vacation: v,
                minutes,
                tele: ap.mode == proto::Mode::Teleconsultation as i32,
            });
        }
        let mut by_vacation = vec![Vec::new(); inst.vacations.len()];
        let mut booked = vec![0u32; inst.vacations.len()];
        for (i, a) in apps.iter().enumerate() {
            by_vacation[a.vacation].push(i);
            booked[a.vacation] += a.minutes;
        }
        for list in &mut by_vacation {
            list.sort_by_key(|&i| parse_time(&apps[i].ap.start).unwrap_or(0));
        }
        let mut room = vec![None; inst.vacations.len()];
        for a in &plan.room_allocations {
            if let (Some(&v), Some(&k)) = (
                inst.index.vacations.get(&a.vacation_id),
                inst.index.rooms.get(&a.room_id),
            ) {
                room[v].get_or_insert(k);
            }
        }
        View {
            inst,
            plan,
            score,
            score_recomputed,
            score_mismatch,
            kpis,
            apps,
            by_vacation,
            booked,
            room,
            scheduled,
            ignored,
        }
    }

    /// Short label of a priority class, e.g. "T3 overdue".
    pub fn class_label(&self, class: usize) -> String {
        self.inst.classes.get(class).map_or_else(
            || "?".to_string(),
            |c| format!("T{} {}", c.tier, urgency_label(c.urgency)),
        )
    }
}

/// Column header of a day offset, e.g. "Mon 30 Nov".
pub(crate) fn day_label(inst: &Instance, day: i64) -> String {
    inst.date_of(day).format("%a %-d %b").to_string()
}

/// "1 visit", "2 visits": a count with its noun.
pub(crate) fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Short label of an urgency bucket.
pub(crate) fn urgency_label(u: Urgency) -> &'static str {
    match u {
        Urgency::Overdue => "overdue",
        Urgency::DueInHorizon => "due this week",
        Urgency::DueLater => "due later",
    }
}

/// Label of a wire urgency value.
pub(crate) fn wire_urgency_label(u: i32) -> &'static str {
    match proto::Urgency::try_from(u) {
        Ok(proto::Urgency::Overdue) => "overdue",
        Ok(proto::Urgency::DueInHorizon) => "due this week",
        Ok(proto::Urgency::DueLater) => "due later",
        _ => "?",
    }
}

/// `num / den` as a ratio, 0 when `den` is 0.
pub(crate) fn ratio(num: u64, den: u64) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

/// A ratio as a percentage with one decimal, e.g. "71.4 %" (the format of every figure).
pub fn percent(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

/// A ratio as a whole percentage for the dense grids, e.g. "71 %".
pub(crate) fn percent0(x: f64) -> String {
    format!("{:.0} %", x * 100.0)
}

/// Width of a bar, "NN.N%", clamped to 0-100 so that a bad plan cannot overflow a cell.
pub(crate) fn width(x: f64) -> String {
    let x = if x.is_finite() {
        x.clamp(0.0, 1.0)
    } else {
        0.0
    };
    format!("{:.1}%", x * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_valid_times() {
        assert_eq!(parse_time("08:30"), Some(510));
        assert_eq!(parse_time("24:00"), None);
        assert_eq!(parse_time("8h30"), None);
    }

    #[test]
    fn bar_widths_stay_inside_their_cell() {
        assert_eq!(width(1.7), "100.0%");
        assert_eq!(width(f64::NAN), "0.0%");
        assert_eq!(width(0.25), "25.0%");
        assert_eq!(percent(0.714_28), "71.4 %");
        assert_eq!(count(1, "visit"), "1 visit");
        assert_eq!(count(0, "visit"), "0 visits");
    }
}
