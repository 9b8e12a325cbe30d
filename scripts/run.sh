#!/usr/bin/env bash
# `make run`: the orchestrator on embedded defaults (SQLite + local object store),
# every piece of state under ./data of the checkout. Environment overrides win.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p data
export DATABASE_URL="${DATABASE_URL:-sqlite:///./data/orchestrator.db}"
export WAL_PATH="${WAL_PATH:-./data/orchestrator_wal.log}"
export ORCH_DATA_DIR="${ORCH_DATA_DIR:-./data}"
export ORCH_LISTEN="${ORCH_LISTEN:-0.0.0.0:8000}"
echo "FortFail orchestrator on http://${ORCH_LISTEN} (control panel: /control, API docs: /docs)"
exec build/bin/fortfail-orchestrator
