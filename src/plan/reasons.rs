//! Reasons for unscheduled requests.
