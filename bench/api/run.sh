#!/usr/bin/env bash
# API benchmark (issue 2). Starts the real orchestrator (SQLite; with --postgres
# also a second one on a private PostgreSQL), seeds it with curl, then drives it
# with wrk on
#   GET  /restore-jobs/{id}     operator token, a job with one log entry
#   GET  /agent/{id}/commands   agent token, no commands queued (empty list)
#   POST /agent/{id}/events     agent token, restore_in_progress on an in_progress
#                               job: one durable WAL record + one DB write each
# and, in the same run with the same wrk settings, nginx serving a 60-byte
# static JSON file, measured between every two orchestrator runs: each row's
# ratio is to the mean of the nginx runs just before and just after it, since
# this machine's throughput drifts by tens of percent within a minute. Prints
# req/s, p99 latency, the ratio to nginx and the targets:
#   authenticated DB-backed GETs >= 0.5 x nginx;  event POSTs >= 5000/s.
#
#   bench/api/run.sh [--postgres] [--keep]
# Environment: BENCH_SECONDS (10), BENCH_THREADS (2), BENCH_CONNECTIONS (64),
#   BENCH_WARMUP_SECONDS (1, not reported), FF_BIN_DIR (build/bin).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
. "$root/bench/lib/common.sh"

postgres=0 keep=0
while [ $# -gt 0 ]; do
  case $1 in
    --postgres) postgres=1; shift ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--postgres] [--keep]" >&2; exit 2 ;;
  esac
done
secs=${BENCH_SECONDS:-10}
threads=${BENCH_THREADS:-2}
conns=${BENCH_CONNECTIONS:-64}
warmup=${BENCH_WARMUP_SECONDS:-1}
bin="${FF_BIN_DIR:-$root/build/bin}/fortfail-orchestrator"
[ -x "$bin" ] || { echo "bench: $bin missing (make build)" >&2; exit 1; }
for t in wrk nginx curl python3; do
  command -v "$t" >/dev/null || { echo "bench: $t missing (bash scripts/deps.sh bench)" >&2; exit 1; }
done

ff_work_dir api

wrk_args=(-t"$threads" -c"$conns" -d"${secs}s" --latency --timeout 5s)

# ---------------------------------------------------------------- nginx
nginx_port=$(ff_free_port)
mkdir -p "$work/nginx/www" "$work/nginx/logs"
chmod 755 "$work/nginx" "$work/nginx/www"
# Exactly 60 bytes of JSON.
python3 - "$work/nginx/www/static.json" <<'PY'
import json, sys
body = {"status": "ok", "service": "static", "pad": ""}
s = json.dumps(body, separators=(",", ":"))
body["pad"] = "x" * (60 - len(s))
s = json.dumps(body, separators=(",", ":"))
assert len(s) == 60, len(s)
open(sys.argv[1], "w").write(s)
PY
chmod 644 "$work/nginx/www/static.json"
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/tmp-body;
  proxy_temp_path $work/nginx/tmp-proxy;
  fastcgi_temp_path $work/nginx/tmp-fastcgi;
  uwsgi_temp_path $work/nginx/tmp-uwsgi;
  scgi_temp_path $work/nginx/tmp-scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nginx_port;
    location = /static.json {
      root $work/nginx/www;
      default_type application/json;
    }
  }
}
EOF
nginx -p "$work/nginx" -e "$work/nginx/logs/error.log" -c "$work/nginx/nginx.conf" \
  -g 'daemon off;' >"$work/nginx/stdout.log" 2>&1 &
pids+=($!)
ff_wait_port "$nginx_port" "${pids[-1]}" "$work/nginx/logs/error.log"
nginx_url=http://127.0.0.1:$nginx_port/static.json
[ "$(curl -fsS "$nginx_url" | wc -c)" = 60 ] || { echo "bench: nginx does not serve the 60-byte file" >&2; exit 1; }

# ---------------------------------------------------------------- helpers
reg_secret=bench-reg-$(ff_rand_hex 12)
jwt_secret=bench-jwt-$(ff_rand_hex 24)

# start_orch NAME DATABASE_URL: sets orch_url, orch_pid, orch_wal.
# The benchmark posts every event as one agent to one job: the per-agent event
# rate and the per-job log cap (docs/security.md) are lifted so it measures the
# event path rather than 429s and 409s.
start_orch() {
  ff_start_orch "$1" "$2" ORCH_AGENT_EVENTS_PER_SECOND=1000000000 ORCH_AGENT_EVENT_BURST=1000000000 \
    ORCH_MAX_JOB_EVENTS=1000000
}

# seed URL: tokens, one snapshot, two restore jobs for agent bench-a1 (one to
# read, one to post events to), both in_progress. Sets op_token, agent_token,
# idle_token, job_get, job_post, agent, idle_agent.
seed() {
  local url=$1 sum snap
  agent=bench-a1 idle_agent=bench-idle
  op_token=$(ff_api POST "$url/auth/token" "" "{\"registration_secret\":\"$reg_secret\"}" | ff_json token)
  agent_token=$(ff_api POST "$url/auth/token" "" \
    "{\"registration_secret\":\"$reg_secret\",\"agent_id\":\"$agent\"}" | ff_json token)
  idle_token=$(ff_api POST "$url/auth/token" "" \
    "{\"registration_secret\":\"$reg_secret\",\"agent_id\":\"$idle_agent\"}" | ff_json token)
  sum=$(ff_rand_hex 32)
  snap=bench-snap-$(ff_rand_hex 4)
  ff_api POST "$url/snapshots" "$op_token" \
    "{\"id\":\"$snap\",\"agent_id\":\"$agent\",\"checksum\":\"$sum\",\"size\":1048576}" >/dev/null
  job_get=$(ff_api POST "$url/restore-jobs" "$op_token" \
    "{\"snapshot_id\":\"$snap\",\"target_agent_id\":\"$agent\"}" | ff_json id)
  job_post=$(ff_api POST "$url/restore-jobs" "$op_token" \
    "{\"snapshot_id\":\"$snap\",\"target_agent_id\":\"$agent\"}" | ff_json id)
  # The agent leases its two restore commands, then reports both jobs started.
  ff_api GET "$url/agent/$agent/commands" "$agent_token" >/dev/null
  for j in "$job_get" "$job_post"; do
    ff_api POST "$url/agent/$agent/events" "$agent_token" \
      "{\"job_id\":\"$j\",\"event_type\":\"restore_started\",\"message\":\"x\"}" >/dev/null
  done
  local st
  st=$(ff_api GET "$url/restore-jobs/$job_post" "$op_token" | ff_json status)
  [ "$st" = in_progress ] || { echo "bench: job $job_post is '$st' after restore_started" >&2; return 1; }
  local cmds
  cmds=$(ff_api GET "$url/agent/$idle_agent/commands" "$idle_token")
  [ "$(echo "$cmds" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 0 ] ||
    { echo "bench: $idle_agent has commands: $cmds" >&2; return 1; }
}

# lua NAME METHOD TOKEN [BODY]: writes $work/NAME.lua for wrk.
lua() {
  local f=$work/$1.lua
  {
    echo "wrk.method = \"$2\""
    [ -n "$3" ] && echo "wrk.headers[\"Authorization\"] = \"Bearer $3\""
    if [ -n "${4-}" ]; then
      echo 'wrk.headers["Content-Type"] = "application/json"'
      echo "wrk.body = '$4'"
    fi
  } >"$f"
  echo "$f"
}

# measure LABEL URL LUA: one wrk run (after a short unreported warm-up); appends
# "label rps p99 non2xx errors requests" to $work/results.
measure() {
  local label=$1 url=$2 script=$3 out
  out=$work/wrk-$(echo "$label" | tr -c 'A-Za-z0-9\n' '_').txt
  if [ "$warmup" != 0 ]; then
    wrk -t"$threads" -c"$conns" -d"${warmup}s" --timeout 5s -s "$script" "$url" >/dev/null
  fi
  wrk "${wrk_args[@]}" -s "$script" "$url" >"$out"
  echo "$label $(python3 "$root/bench/lib/wrk_summary.py" "$out")" >>"$work/results"
  echo "bench: $label done" >&2
}

# nginx_run: one nginx measurement, numbered in order.
nginx_runs=0
nginx_run() {
  nginx_runs=$((nginx_runs + 1))
  measure "nginx_static_60B_(#$nginx_runs)" "$nginx_url" "$(lua nginx GET "")"
}

# bench_orch DB_NAME: the three orchestrator runs against the current instance,
# each followed by an nginx run.
bench_orch() {
  local db=$1 wal_before wal_after
  measure "GET_/restore-jobs/{id}_[$db]" "$orch_url/restore-jobs/$job_get" \
    "$(lua "get-job-$db" GET "$op_token")"
  nginx_run
  measure "GET_/agent/{id}/commands_[$db]" "$orch_url/agent/$idle_agent/commands" \
    "$(lua "get-cmds-$db" GET "$idle_token")"
  nginx_run
  wal_before=$(wc -l <"$orch_wal")
  measure "POST_/agent/{id}/events_[$db]" "$orch_url/agent/$agent/events" \
    "$(lua "post-event-$db" POST "$agent_token" \
      "{\"job_id\":\"$job_post\",\"event_type\":\"restore_in_progress\",\"message\":\"bench\"}")"
  wal_after=$(wc -l <"$orch_wal")
  echo "$db $((wal_after - wal_before))" >>"$work/wal-growth"
  nginx_run
}

echo "FortFail API benchmark: wrk -t$threads -c$conns -d${secs}s on 127.0.0.1," \
  "$(nproc) CPUs, load average $(ff_load)"
ff_build_note "$bin"
: >"$work/results"
: >"$work/wal-growth"

nginx_run

start_orch sqlite "sqlite:///$work/sqlite/o.db"
seed "$orch_url"
bench_orch sqlite
sqlite_pid=$orch_pid

if [ "$postgres" = 1 ]; then
  ff_stop_pids "$sqlite_pid"  # one orchestrator at a time: same CPUs for each
  pg_port=$(ff_free_port)
  pg_dir=$work/pg
  pg_url=$(bash "$root/scripts/services/postgres.sh" start "$pg_dir" "$pg_port")
  start_orch postgres "$pg_url"
  seed "$orch_url"
  bench_orch postgres
fi

# ---------------------------------------------------------------- report
python3 - "$work/results" "$work/wal-growth" "$secs" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
wal = dict(l.split() for l in open(sys.argv[2]) if l.strip())
names = [r[0] for r in rows]
res = {r[0]: [float(x) for x in r[1:]] for r in rows}
nginx_idx = [i for i, n in enumerate(names) if n.startswith("nginx")]
nginx = [res[names[i]][0] for i in nginx_idx]

def reference(i):
    """Mean of the nginx runs just before and just after row i."""
    before = [j for j in nginx_idx if j < i]
    after = [j for j in nginx_idx if j > i]
    near = ([before[-1]] if before else []) + ([after[0]] if after else [])
    return sum(res[names[j]][0] for j in near) / len(near)

print()
print(f"{'':36} {'req/s':>9} {'p99 ms':>8} {'non-2xx':>8} {'sock err':>8} {'x nginx':>8}   target")
for i, name in enumerate(names):
    rps, p99, non2xx, err, total = res[name]
    label = name.replace("_", " ")
    ratio = rps / reference(i) if not name.startswith("nginx") else rps / (sum(nginx) / len(nginx))
    target = ""
    if name.startswith("GET"):
        target = f">= 0.50 x nginx  {'ok' if ratio >= 0.5 else 'BELOW TARGET'}"
    elif name.startswith("POST"):
        target = f">= 5000 req/s    {'ok' if rps >= 5000 else 'BELOW TARGET'}"
    if non2xx or err:
        target += "  (errors: figures not valid)"
    print(f"{label:36} {rps:9.0f} {p99:8.2f} {int(non2xx):8d} {int(err):8d} {ratio:8.2f}   {target}")
ng = sum(nginx) / len(nginx)
print(f"\nx nginx: an orchestrator row against the mean of the nginx runs just before and after it;"
      f"\nan nginx row against the mean of all {len(nginx)} nginx runs ({ng:.0f} req/s;"
      f" they span {(max(nginx) - min(nginx)) / ng * 100:.0f}% of it: the machine's noise)")
for db, n in wal.items():
    print(f"WAL records appended during the timed+warm-up POST run [{db}]: {n}")
PY
