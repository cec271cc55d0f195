//! gRPC statuses of the planner's errors: bad input is INVALID_ARGUMENT with one
//! google.rpc.BadRequest field violation per bad field; nothing internal leaks.

use crate::model::InvalidInstance;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

/// INVALID_ARGUMENT naming every bad field, under `prefix` (e.g. `instance.`).
pub fn invalid_instance(err: &InvalidInstance, prefix: &str) -> Status {
    let mut details = ErrorDetails::new();
    for e in &err.errors {
        details.add_bad_request_violation(format!("{prefix}{}", e.path), e.message.clone());
    }
    let first = err
        .errors
        .first()
        .map(|e| format!("{prefix}{}: {}", e.path, e.message))
        .unwrap_or_default();
    let more = err.errors.len().saturating_sub(1);
    let message = if more > 0 {
        format!("invalid instance: {first} (and {more} more)")
    } else {
        format!("invalid instance: {first}")
    };
    Status::with_error_details(Code::InvalidArgument, message, details)
}

/// INVALID_ARGUMENT for one field.
pub fn invalid_field(field: &str, description: impl Into<String>) -> Status {
    let description = description.into();
    Status::with_error_details(
        Code::InvalidArgument,
        format!("{field}: {description}"),
        ErrorDetails::with_bad_request_violation(field, description),
    )
}

/// A generic INTERNAL status; the cause goes to the server's log only.
pub fn internal(request_id: u64) -> Status {
    Status::internal(format!(
        "the planner failed on this request (id {request_id}); the server log has the details"
    ))
}
