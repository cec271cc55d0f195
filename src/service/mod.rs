//! The gRPC service: `convoplan.v1.Planner` (Solve, SolveStream, Validate, Reoptimize) over
//! tonic, with the standard health service and server reflection. Solves run on blocking
//! threads, a bounded number at once behind a bounded queue; client deadlines become time
//! limits; a cancelled call stops its solve.

pub mod admission;
pub mod auth;
pub mod deadline;
pub mod errors;
pub mod planner;
pub mod server;

pub use planner::PlannerService;
pub use server::{serve, ServerConfig};
