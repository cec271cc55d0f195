//! Generates the protobuf / gRPC code, its canonical JSON mapping (pbjson) and the file
//! descriptor set that server reflection serves.
use std::{env, path::PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(env::var("OUT_DIR")?);
    let descriptor = out.join("convoplan_descriptor.bin");
    let protos = [
        "proto/convoplan/v1/model.proto",
        "proto/convoplan/v1/plan.proto",
        "proto/convoplan/v1/planner.proto",
    ];
    for p in &protos {
        println!("cargo:rerun-if-changed={p}");
    }
    tonic_prost_build::configure()
        .file_descriptor_set_path(&descriptor)
        .compile_protos(&protos, &["proto"])?;
    let set = std::fs::read(&descriptor)?;
    pbjson_build::Builder::new()
        .register_descriptors(&set)?
        .build(&[".convoplan.v1"])?;
    Ok(())
}
