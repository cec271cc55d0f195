//! Plans: assembly from a solver solution, the H1-H7 validator (which shares no code path
//! with the solver's constraints), the score, the KPIs and the reasons for unscheduled
//! requests.

pub mod assemble;
pub mod kpis;
pub mod reasons;
pub mod reoptimize;
pub mod score;
pub mod validate;

pub use assemble::{build_plan, greedy_plan, solve_plan};
pub use kpis::kpis;
pub use reoptimize::{diff, reoptimize_plan};
pub use score::score;
pub use validate::{validate, Rule, Violation};
