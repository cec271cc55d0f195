#!/usr/bin/env bash
# Sets everything up, builds, and solves the bundled default instance (instances/small.json).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cargo build --release --locked
# The binary where cargo put it: a CARGO_TARGET_DIR set in the environment moves it.
target="${CARGO_TARGET_DIR:-target}"
"$target/release/convoplan" solve instances/small.json --out "$target/small.plan.json" "$@"
"$target/release/convoplan" validate instances/small.json "$target/small.plan.json"
