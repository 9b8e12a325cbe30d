#!/usr/bin/env bash
# Runs every benchmark in turn (`make bench`): the API (SQLite, and PostgreSQL
# unless BENCH_POSTGRES=0), storage, the backup and repository benchmarks
# when present, and the fleet (one SQLite orchestrator; unless BENCH_POSTGRES=0
# also two replicas on PostgreSQL behind haproxy).
# Each prints its own figures; a failing one does not stop the others, but the
# exit status is non-zero when any failed. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
failed=()
run() {
  local name=$1; shift
  echo "=== $name: $*"
  if "$@"; then :; else failed+=("$name (exit $?)"); fi
  echo
}
api_args=()
[ "${BENCH_POSTGRES:-1}" = 1 ] && api_args+=(--postgres)
run api bash bench/api/run.sh "${api_args[@]}"
run storage bash bench/storage/run.sh
[ -f bench/backup/run.sh ] && run backup bash bench/backup/run.sh
[ -f bench/repo/run.sh ] && run repo bash bench/repo/run.sh
run fleet bash bench/fleet/run.sh
[ "${BENCH_POSTGRES:-1}" = 1 ] &&
  run fleet-replicas bash bench/fleet/run.sh --replicas 2 --db postgres --agents 1000,5000
if [ ${#failed[@]} -gt 0 ]; then
  echo "bench: failed: ${failed[*]}" >&2
  exit 1
fi
