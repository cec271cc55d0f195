//! convoplan: an optimal weekly convocation planner for French occupational-health services
//! (SPSTI). The library behind the `convoplan` CLI and gRPC service.
//!
//! Layers: [`proto`] (the wire schema, JSON files and gRPC alike), [`model`] (validated
//! domain types), [`rules`] (defaults), [`solver`] (the lexicographic MILP), [`plan`]
//! (assembly, validation of H1-H7, score and KPIs), [`generate`] (realistic instances).

pub mod generate;
pub mod model;
pub mod plan;
pub mod render;
pub mod rules;
pub mod service;
pub mod solver;

/// Generated protobuf types with their canonical JSON mapping.
#[allow(missing_docs, clippy::all, clippy::pedantic)]
pub mod proto {
    include!(concat!(env!("OUT_DIR"), "/convoplan.v1.rs"));
    include!(concat!(env!("OUT_DIR"), "/convoplan.v1.serde.rs"));

    /// Encoded file descriptor set of the schema, for server reflection.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/convoplan_descriptor.bin"));
}
