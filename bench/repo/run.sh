#!/usr/bin/env bash
# Repository benchmark (issue 12): eleven "days" of backups of one generated
# tree (bench/lib/tree.py: ~1 GiB, ~20k files, deterministic), by FortFail and
# by restic, interleaved in the same run (FortFail first on even days, restic
# first on odd ones):
#   day 0        full backup
#   day 1        the unchanged tree again
#   days 2..N    after ~2 % churn each (modified, appended, new, deleted,
#                renamed small files; parts of two large files)
# then a restore of the last snapshot by each (FortFail onto a second agent
# holding the same key). FortFail: an agent with a key (AGENT_KEY_FILE from
# `fortfail key generate`) -> orchestrator (SQLite, local store). restic: a
# local repository, password from RESTIC_PASSWORD (a random one if unset).
# Prints seconds per day, bytes stored after each day (du -sb of the store:
# FortFail's object dir plus its SQLite index; restic's repository), what each
# FortFail snapshot added (stored_bytes), peak RSS (agent: VmHWM, reset before
# each step; restic: /usr/bin/time), and the ratios FortFail / restic with the
# issue's targets. Checks both restored trees against the source.
#   bench/repo/run.sh [--size-mib N] [--files N] [--days N] [--churn-percent P] [--keep]
# A smoke run: --size-mib 64 --files 2000.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
# shellcheck source=bench/lib/common.sh
source bench/lib/common.sh
bin="${FF_BIN_DIR:-$root/build/bin}"
size_mib=1024 files=20000 days=10 percent=2 keep=0
usage() { echo "usage: $0 [--size-mib N] [--files N] [--days N] [--churn-percent P] [--keep]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --size-mib) size_mib=$2; shift 2 ;;
    --files) files=$2; shift 2 ;;
    --days) days=$2; shift 2 ;;
    --churn-percent) percent=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) usage ;;
  esac
done
[ "$days" -ge 2 ] || { echo "bench: --days must be at least 2 (day 1 is the unchanged one)" >&2; exit 2; }
for b in fortfail-orchestrator fortfail-agent fortfail; do
  [ -x "$bin/$b" ] || { echo "bench: $bin/$b missing (make build)" >&2; exit 1; }
done
command -v restic >/dev/null || { echo "bench: restic missing (scripts/deps.sh bench)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time missing (Debian package time)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/ff-bench-repo.XXXXXX")
pids=()
cleanup() {
  [ ${#pids[@]} -gt 0 ] && ff_stop_pids "${pids[@]}"
  if [ "$keep" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

echo "bench/repo: $(nproc) CPUs, load $(ff_load), $(restic version | cut -d' ' -f1-2)"
ff_build_note "$bin/fortfail-agent"

# --- the tree
src=$work/tree
echo "bench: generating ~${size_mib} MiB in ~${files} files under $src"
python3 bench/lib/tree.py gen "$src" --size-mib "$size_mib" --files "$files"
echo "bench: tree $(($(du -sb "$src" | cut -f1) / 1048576)) MiB, $(find "$src" -type f | wc -l) files"
sync

# --- FortFail: orchestrator (SQLite + local store), agent A backs up, agent B restores
port=$(ff_free_port)
url=http://127.0.0.1:$port
reg=$(ff_rand_hex 16)
mkdir -p "$work/orch" "$work/b-empty"
ORCH_LISTEN=127.0.0.1:$port ORCH_JWT_SECRET=$(ff_rand_hex 32) ORCH_REG_SECRET=$reg \
  DATABASE_URL="sqlite:///$work/orch/orchestrator.db" WAL_PATH="$work/orch/wal.log" \
  ORCH_DATA_DIR="$work/orch/data" ORCH_LOG_LEVEL=warn \
  "$bin/fortfail-orchestrator" >"$work/orch.log" 2>&1 &
pids+=($!)
ff_wait_live "$url" "${pids[-1]}" "$work/orch.log"
"$bin/fortfail" key generate --out "$work/key" >"$work/key.out" 2>&1
echo "bench: repository key $(grep -oE '[0-9a-f]{32}' "$work/key.out" | head -n 1)"

start_agent() {  # ID BACKUP_DIR; sets agent_pid
  mkdir -p "$work/$1-restore" "$work/$1-spool" "$work/$1-state"
  ORCHESTRATOR_URL=$url AGENT_ID=$1 AGENT_REG_SECRET=$reg BACKUP_DIR=$2 RESTORE_DIR="$work/$1-restore" \
    AGENT_SPOOL_DIR="$work/$1-spool" AGENT_STATE_DIR="$work/$1-state" AGENT_KEY_FILE="$work/key" \
    POLL_INTERVAL=1 AGENT_LONG_POLL=25 BACKUP_ON_START=0 AGENT_LOG_LEVEL="${AGENT_LOG_LEVEL:-warn}" \
    "$bin/fortfail-agent" >"$work/$1.log" 2>&1 &
  agent_pid=$!
  pids+=("$agent_pid")
}
start_agent bench-a "$src"
pid_a=$agent_pid
start_agent bench-b "$work/b-empty"
pid_b=$agent_pid
export FORTFAIL_CONFIG=$work/cli-token
ff() { "$bin/fortfail" --url "$url" "$@"; }
ff login --secret "$reg" >/dev/null

# Peak RSS of a running process in KiB since the last reset (writing 5 to
# clear_refs resets VmHWM; without that right it is the lifetime peak).
reset_peak() { echo 5 >"/proc/$1/clear_refs" 2>/dev/null || rss_note=" (lifetime peak: clear_refs refused)"; }
peak_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
rss_note=""

# --- restic: a local repository
export RESTIC_REPOSITORY=$work/restic-repo RESTIC_CACHE_DIR=$work/restic-cache
export RESTIC_PASSWORD=${RESTIC_PASSWORD:-$(ff_rand_hex 16)}
restic init -q >/dev/null

declare -a ff_s ff_bytes ff_added ff_rss r_s r_bytes r_rss
ff_store_bytes() { echo $(($(du -sb "$work/orch/data" | cut -f1) + $(stat -c %s "$work/orch/orchestrator.db"))); }

fortfail_day() {  # DAY
  local t0 t1 job snap
  reset_peak "$pid_a"
  t0=$(ff_now)
  job=$(ff --json backup bench-a --wait --timeout 3600 2>>"$work/cli.log") || { echo "bench: FortFail backup of day $1 failed; agent log:" >&2; tail -n 30 "$work/bench-a.log" >&2; exit 1; }
  t1=$(ff_now)
  snap=$(ff_json snapshot_id <<<"$job")
  ff_s[$1]=$(ff_calc "$t1 - $t0")
  ff_rss[$1]=$(peak_kib "$pid_a")
  ff_bytes[$1]=$(ff_store_bytes)
  ff_added[$1]=$(ff --json snapshot show "$snap" | ff_json stored_bytes)
  last_snap=$snap
}
restic_day() {  # DAY
  local t0 t1
  t0=$(ff_now)
  /usr/bin/time -f '%M' -o "$work/restic.time" restic backup -q --host bench "$src" >/dev/null
  t1=$(ff_now)
  r_s[$1]=$(ff_calc "$t1 - $t0")
  r_rss[$1]=$(tail -n 1 "$work/restic.time")
  r_bytes[$1]=$(du -sb "$RESTIC_REPOSITORY" | cut -f1)
}

for day in $(seq 0 "$days"); do
  if [ "$day" -ge 2 ]; then python3 bench/lib/tree.py churn "$src" --day "$day" --percent "$percent"; fi
  sync
  if [ $((day % 2)) = 0 ]; then fortfail_day "$day"; restic_day "$day"; else restic_day "$day"; fortfail_day "$day"; fi
  echo "day $day: fortfail ${ff_s[$day]} s, restic ${r_s[$day]} s"
done

# --- restore of the last snapshot
sync
reset_peak "$pid_b"
t0=$(ff_now)
ff restore "$last_snap" --to bench-b --wait --timeout 3600 >>"$work/cli.log" 2>&1 || { echo "bench: FortFail restore failed; agent log:" >&2; tail -n 30 "$work/bench-b.log" >&2; exit 1; }
t1=$(ff_now)
ff_restore=$(ff_calc "$t1 - $t0")
ff_restore_rss=$(peak_kib "$pid_b")
sync
t0=$(ff_now)
/usr/bin/time -f '%M' -o "$work/restic.time" restic restore latest -q --target "$work/restic-restore" >/dev/null
t1=$(ff_now)
r_restore=$(ff_calc "$t1 - $t0")
r_restore_rss=$(tail -n 1 "$work/restic.time")
diff -rq --no-dereference "$src" "$work/bench-b-restore/$last_snap" >/dev/null ||
  { echo "bench: the FortFail restore differs from the source" >&2; exit 1; }
diff -rq --no-dereference "$src" "$work/restic-restore$src" >/dev/null ||
  { echo "bench: the restic restore differs from the source" >&2; exit 1; }

# --- report
mib() { ff_calc "$1 / 1048576" .1f; }
ratio() { ff_calc "$1 / $2"; }
median() { python3 -c 'import statistics, sys; print(statistics.median(float(v) for v in sys.argv[1:]))' "$@"; }
echo
printf '%-5s %9s %9s %7s %12s %12s %11s %9s %9s\n' day "ff s" "restic s" "ff/r" "ff MiB" "restic MiB" "ff added" "ff RSS" "r RSS"
for day in $(seq 0 "$days"); do
  printf '%-5s %9s %9s %7s %12s %12s %11s %9s %9s\n' "$day" "${ff_s[$day]}" "${r_s[$day]}" "$(ratio "${ff_s[$day]}" "${r_s[$day]}")" \
    "$(mib "${ff_bytes[$day]}")" "$(mib "${r_bytes[$day]}")" "$(mib "${ff_added[$day]}")" \
    "$((ff_rss[day] / 1024))M" "$((r_rss[day] / 1024))M"
done
printf '%-5s %9s %9s %7s %12s %12s %11s %9s %9s\n' restore "$ff_restore" "$r_restore" "$(ratio "$ff_restore" "$r_restore")" \
  - - - "$((ff_restore_rss / 1024))M" "$((r_restore_rss / 1024))M"
echo "(MiB: du -sb after the day; ff added: the snapshot's stored_bytes; RSS: peak of the agent$rss_note / of restic)"

churn_ff=$(median "${ff_s[@]:2}")
churn_r=$(median "${r_s[@]:2}")
peak_rss=$(printf '%s\n' "${ff_rss[@]}" "$ff_restore_rss" | sort -n | tail -n 1)
echo
echo "FortFail / restic                         ratio  target"
printf '%-40s %6s  <= 0.5\n' "first backup (day 0)" "$(ratio "${ff_s[0]}" "${r_s[0]}")"
printf '%-40s %6s  <= 0.5\n' "unchanged re-backup (day 1)" "$(ratio "${ff_s[1]}" "${r_s[1]}")"
printf '%-40s %6s  <= 0.5\n' "median churn day ($churn_ff s / $churn_r s)" "$(ratio "$churn_ff" "$churn_r")"
printf '%-40s %6s  <= 1.0\n' "stored bytes after day $days" "$(ratio "${ff_bytes[$days]}" "${r_bytes[$days]}")"
printf '%-40s %6s  <= 0.7\n' "restore of the last snapshot" "$(ratio "$ff_restore" "$r_restore")"
echo "agent peak RSS: $((peak_rss / 1024)) MiB (target <= 128 MiB)"
