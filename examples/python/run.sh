#!/usr/bin/env bash
# Creates a virtualenv with grpcio, generates the Python stubs from proto/, and solves an
# instance on a running server: examples/python/run.sh [INSTANCE] [client options...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r "$here/requirements.txt"
fi
mkdir -p "$here/gen"
"$venv/bin/python" -m grpc_tools.protoc -I "$root/proto" \
  --python_out="$here/gen" --grpc_python_out="$here/gen" \
  "$root"/proto/convoplan/v1/*.proto
instance="${1:-$root/instances/small.json}"
shift || true
PYTHONPATH="$here/gen" exec "$venv/bin/python" "$here/client.py" "$instance" "$@"
