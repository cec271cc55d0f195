//! Figures a planner reads: occupancy, teleconsultation share, referent share.

use crate::model::Instance;
use crate::proto;

/// KPIs of a plan.
pub fn kpis(instance: &Instance, plan: &proto::Plan) -> proto::Kpis {
    let _ = (instance, plan);
    proto::Kpis::default()
}
