#!/usr/bin/env bash
# Backup benchmark (issue 4): a generated ~1 GiB mixed tree (~20k files) is
#   1. backed up through fortfail-agent -> orchestrator -> object store and
#      restored onto a second agent (timed with `fortfail backup/restore --wait`),
#   2. backed up and restored by restic to a local repository,
#   3. piped through `tar | zstd -1 | sha256sum` (the floor).
# Prints the times and the ratios; target: FortFail backup <= restic and
# <= 1.5 x the floor. Everything runs on 127.0.0.1 under a private temp dir.
#   bench/backup/run.sh [--size-mib N] [--files N] [--keep]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
bin="${FF_BIN_DIR:-$root/build/bin}"
size_mib=1024 files=20000 keep=0
while [ $# -gt 0 ]; do
  case $1 in
    --size-mib) size_mib=$2; shift 2 ;;
    --files) files=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--size-mib N] [--files N] [--keep]" >&2; exit 2 ;;
  esac
done
for b in fortfail-orchestrator fortfail-agent fortfail; do
  [ -x "$bin/$b" ] || { echo "bench: $bin/$b missing (make build)" >&2; exit 1; }
done
command -v restic >/dev/null || { echo "bench: restic missing (scripts/deps.sh bench)" >&2; exit 1; }

work=$(mktemp -d /tmp/ff-bench-backup.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ "$keep" = 1 ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.2f}')"; }
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }

# --- the tree (bench/lib/tree.py, deterministic): half the bytes in six large files,
# the rest in small files, mostly text-like
src=$work/tree
echo "bench: generating ~${size_mib} MiB in ~${files} files under $src"
python3 bench/lib/tree.py gen "$src" --size-mib "$size_mib" --files "$files"
tree_bytes=$(du -sb "$src" | cut -f1)
tree_files=$(find "$src" -type f | wc -l)
echo "bench: tree $((tree_bytes / 1048576)) MiB, $tree_files files"
sync

# --- floor: tar | zstd -1 | sha256sum
t0=$(now)
tar -C "$src" -cf - . | zstd -1 -q -T0 | sha256sum >/dev/null
t1=$(now); floor=$(elapsed "$t0" "$t1")

# --- restic
export RESTIC_PASSWORD=bench RESTIC_REPOSITORY=$work/restic-repo
restic init -q >/dev/null
t0=$(now); restic backup -q "$src" >/dev/null; t1=$(now); restic_backup=$(elapsed "$t0" "$t1")
t0=$(now); restic restore latest -q --target "$work/restic-restore" >/dev/null; t1=$(now)
restic_restore=$(elapsed "$t0" "$t1")
restic_size=$(du -sb "$RESTIC_REPOSITORY" | cut -f1)

# --- FortFail: orchestrator (embedded SQLite + local store) and two agents
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
reg=bench-reg-$RANDOM$RANDOM
mkdir -p "$work/orch" "$work/a-spool" "$work/b-restore" "$work/b-spool" "$work/b-empty"
ORCH_LISTEN=127.0.0.1:$port ORCH_JWT_SECRET=bench-jwt-secret-$RANDOM$RANDOM ORCH_REG_SECRET=$reg \
  DATABASE_URL="sqlite:///$work/orch/orchestrator.db" WAL_PATH="$work/orch/wal.log" \
  ORCH_DATA_DIR="$work/orch/data" ORCH_LOG_LEVEL=warn \
  "$bin/fortfail-orchestrator" >"$work/orch.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -fs "$url/health/live" >/dev/null && break; sleep 0.1; done
start_agent() {  # id backup_dir restore_dir spool_dir
  ORCHESTRATOR_URL=$url AGENT_ID=$1 AGENT_REG_SECRET=$reg BACKUP_DIR=$2 RESTORE_DIR=$3 \
    AGENT_SPOOL_DIR=$4 POLL_INTERVAL=1 BACKUP_ON_START=0 AGENT_LOG_LEVEL="${AGENT_LOG_LEVEL:-warn}" AGENT_ZSTD_LEVEL="${AGENT_ZSTD_LEVEL:-1}" \
    "$bin/fortfail-agent" >"$work/$1.log" 2>&1 &
  pids+=($!)
}
start_agent bench-a "$src" "$work/a-restore" "$work/a-spool"
start_agent bench-b "$work/b-empty" "$work/b-restore" "$work/b-spool"
export FORTFAIL_CONFIG=$work/cli-token
"$bin/fortfail" --url "$url" login --secret "$reg" >/dev/null
t0=$(now)
snap=$("$bin/fortfail" --url "$url" --json backup bench-a --wait | python3 -c 'import json,sys; print(json.load(sys.stdin)["snapshot_id"])')
t1=$(now); ff_backup=$(elapsed "$t0" "$t1")
# What the backup stored: stored_bytes (repository snapshots; size is their logical size there), else the tar's size.
ff_size=$("$bin/fortfail" --url "$url" --json snapshot show "$snap" |
  python3 -c 'import json,sys; s = json.load(sys.stdin); v = s.get("stored_bytes"); print(s["size"] if v is None else v)')
t0=$(now)
"$bin/fortfail" --url "$url" restore "$snap" --to bench-b --wait >/dev/null
t1=$(now); ff_restore=$(elapsed "$t0" "$t1")
if ! diff -rq "$src" "$work/b-restore/$snap" >/dev/null; then
  echo "bench: restored tree differs from the source" >&2; exit 1
fi

echo
printf '%-34s %10s %12s\n' "" "seconds" "stored MiB"
printf '%-34s %10s %12s\n' "tar | zstd -1 | sha256sum (floor)" "$floor" "-"
printf '%-34s %10s %12s\n' "restic backup" "$restic_backup" "$((restic_size / 1048576))"
printf '%-34s %10s %12s\n' "restic restore" "$restic_restore" "-"
printf '%-34s %10s %12s\n' "fortfail backup (agent->orch->store)" "$ff_backup" "$((ff_size / 1048576))"
printf '%-34s %10s %12s\n' "fortfail restore (store->orch->agent)" "$ff_restore" "-"
echo
echo "fortfail backup / restic backup:   $(ratio "$ff_backup" "$restic_backup")  (target <= 1.0)"
echo "fortfail backup / floor:           $(ratio "$ff_backup" "$floor")  (target <= 1.5)"
echo "fortfail restore / restic restore: $(ratio "$ff_restore" "$restic_restore")"
