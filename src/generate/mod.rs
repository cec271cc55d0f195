//! Instance generator.
