#!/usr/bin/env bash
# Sets everything up and runs the checks CI holds the project to: formatting, clippy with
# warnings as errors, and the whole test suite (release build: the solver tests are heavy).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cargo fmt --all -- --check
cargo clippy --release --locked --all-targets -- -D warnings
cargo test --release --locked
