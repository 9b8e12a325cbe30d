#!/usr/bin/env bash
# Fleet benchmark (issue 16): how many agents one orchestrator holds. For each
# N it starts a fresh orchestrator (SQLite, embedded object store, a free port,
# a private temp dir, the open-files limit raised to the hard limit), then runs
# bench/fleet/fleet.mjs: N simulated agents registering, long-polling with
# wait=20 (one connection each), renewing their tokens and reporting restore
# jobs; operators creating restore jobs; WebSocket listeners counting events.
# Prints, per N, latency by request kind, the orchestrator's RSS, CPU and
# descriptors, the generator's own CPU, and the lost/duplicated checks.
#
#   bench/fleet/run.sh [--agents 1000,5000,15000] [--duration 60] [--keep]
#                      [--replicas 2 --db postgres [--haproxy-cfg FILE]]
#                      [-- extra fleet.mjs arguments, e.g. --workers 3]
#
# --replicas 2 --db postgres: two orchestrators on one private PostgreSQL
# database (scripts/services/postgres.sh) behind haproxy. The haproxy config is
# --haproxy-cfg, else deploy/haproxy.cfg when present, else a minimal one
# written here; it is started as deploy/haproxy.cfg expects, with
# FF_HAPROXY_BIND and FF_HAPROXY_STATS_BIND (127.0.0.1 and free ports) and
# FF_REPLICA_1, FF_REPLICA_2 (host:port of each replica) in its environment.
# Environment: FF_BIN_DIR (build/bin), FLEET_NICE (10: the generator's nice level).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
. "$root/bench/lib/common.sh"

agents_list=1000,5000,15000 duration=60 replicas=1 db=sqlite haproxy_cfg='' keep=0
extra=()
usage() {
  echo "usage: $0 [--agents N[,N...]] [--duration SECONDS] [--replicas 1|2] [--db sqlite|postgres]" \
    "[--haproxy-cfg FILE] [--keep] [-- fleet.mjs args]" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case $1 in
    --agents) agents_list=${2:?}; shift 2 ;;
    --duration) duration=${2:?}; shift 2 ;;
    --replicas) replicas=${2:?}; shift 2 ;;
    --db) db=${2:?}; shift 2 ;;
    --haproxy-cfg) haproxy_cfg=${2:?}; shift 2 ;;
    --keep) keep=1; shift ;;
    --) shift; extra=("$@"); break ;;
    *) usage ;;
  esac
done
case "$replicas/$db" in
  1/sqlite | 1/postgres | 2/postgres) ;;
  *) echo "bench: --replicas 2 needs --db postgres (replicas share one database)" >&2; exit 2 ;;
esac
bin="${FF_BIN_DIR:-$root/build/bin}/fortfail-orchestrator"
[ -x "$bin" ] || { echo "bench: $bin missing (make build)" >&2; exit 1; }
for t in node curl python3; do
  command -v "$t" >/dev/null || { echo "bench: $t missing" >&2; exit 1; }
done
if [ "$replicas" = 2 ]; then
  command -v haproxy >/dev/null || { echo "bench: haproxy missing (apt-get install -y haproxy)" >&2; exit 1; }
  [ -z "$haproxy_cfg" ] && [ -f "$root/deploy/haproxy.cfg" ] && haproxy_cfg=$root/deploy/haproxy.cfg
fi

# One descriptor per connected agent: raise the soft limit as far as allowed.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
nofile=$(ulimit -n)
# The orchestrator's default cap is the limit less a quarter; a fleet needs
# N agents plus the generator's shared pools, so keep back 1,000 instead.
max_conns=$((nofile > 2000 ? nofile - 1000 : nofile * 3 / 4))

ff_work_dir fleet

echo "fleet: $(nproc) CPUs, load $(ff_load), open files $nofile (ORCH_MAX_CONNECTIONS=$max_conns)," \
  "mode: $replicas x $db, N = $agents_list, ${duration} s each"
ff_build_note "$bin"

reg_secret=fleet-reg-$(ff_rand_hex 12)
jwt_secret=fleet-jwt-$(ff_rand_hex 24)
pg_url=
if [ "$db" = postgres ]; then
  pg_dir=$work/pg
  pg_url=$(bash "$root/scripts/services/postgres.sh" start "$pg_dir" "$(ff_free_port)")
fi

# start_orch NAME DATABASE_URL: appends to pids; sets orch_url, orch_pid.
# Every simulated agent mints its tokens from 127.0.0.1, so the per-address
# minting limit is lifted; everything else keeps its default.
start_orch() {
  ff_start_orch "$1" "$2" ORCH_MAX_CONNECTIONS="$max_conns" \
    ORCH_TOKEN_RATE_BURST=1000000000 ORCH_TOKEN_RATE_PER_SECOND=1000000000
}

# start_haproxy NAME BACKEND1 BACKEND2: sets haproxy_url.
start_haproxy() {
  local name=$1 port cfg
  port=$(ff_free_port)
  cfg=$haproxy_cfg
  if [ -z "$cfg" ]; then
    cfg=$work/$name-haproxy.cfg
    cat >"$cfg" <<'EOF'
global
  maxconn 9000
defaults
  mode http
  timeout connect 5s
  timeout client 90s
  timeout server 90s
  timeout tunnel 1h
frontend fleet
  bind "${FF_HAPROXY_BIND}"
  default_backend orchestrators
backend orchestrators
  balance leastconn
  option httpchk GET /health/ready
  server orchestrator-1 "${FF_REPLICA_1}" check inter 1s
  server orchestrator-2 "${FF_REPLICA_2}" check inter 1s
EOF
  fi
  FF_HAPROXY_BIND=127.0.0.1:$port FF_HAPROXY_STATS_BIND=127.0.0.1:$(ff_free_port) \
    FF_REPLICA_1=${2#http://} FF_REPLICA_2=${3#http://} haproxy -db -f "$cfg" >"$work/$name-haproxy.log" 2>&1 &
  pids+=($!)
  haproxy_url=http://127.0.0.1:$port
  ff_wait_live "$haproxy_url" "${pids[-1]}" "$work/$name-haproxy.log"
}

# haproxy_registrations LOG N: haproxy's own timing of the registration
# burst (deploy/haproxy.cfg logs every request; the minimal config does not),
# printed beside the generator's: the replicas' response time (Tr, from
# haproxy's request to the replica until its response headers) and
# haproxy's total (Ta). What the generator measured beyond Ta was spent
# between the generator and haproxy: on this machine, waiting for a CPU.
haproxy_registrations() {
  local log=$1 n=$2 timings
  # The operator's own token comes first, then the N registrations.
  timings=$(grep -F '"POST /auth/token ' "$log" | head -n "$((n + 1))" | awk '{print $5}' |
    awk -F/ 'NF == 5 {print $4, $5}') || return 0
  [ -n "$timings" ] || return 0
  for col in 1 2; do
    sort -n -k"$col" <<<"$timings" | awk -v c="$col" -v label="$label" '
      { v[NR] = $c }
      END {
        printf "%s: haproxy saw the registrations (%d): %s p50 %d, p95 %d, p99 %d, max %d ms\n", label, NR,
          (c == 1 ? "replica response (Tr)" : "total (Ta)"),
          v[int((NR - 1) * 0.50) + 1], v[int((NR - 1) * 0.95) + 1], v[int((NR - 1) * 0.99) + 1], v[NR]
      }'
  done
}

results=() failed=0
IFS=, read -r -a ns <<<"$agents_list"
for n in "${ns[@]}"; do
  run_pids=() # everything in pids: stopped after each N
  dburl=sqlite:///$work/n$n/orchestrator.db
  mkdir -p "$work/n$n"
  if [ "$db" = postgres ]; then
    psql "$pg_url" -qc "CREATE DATABASE fleet_$n" >/dev/null
    dburl=${pg_url%/*}/fleet_$n
  fi
  start_orch "n$n" "$dburl"
  url=$orch_url orch_pids=$orch_pid orch_urls=$orch_url proxy_args=()
  run_pids+=("$orch_pid")
  if [ "$replicas" = 2 ]; then
    first=$orch_url
    start_orch "n$n-r2" "$dburl"
    orch_pids=$orch_pids,$orch_pid orch_urls=$orch_urls,$orch_url
    run_pids+=("$orch_pid")
    start_haproxy "n$n" "$first" "$orch_url"
    url=$haproxy_url
    run_pids+=("${pids[-1]}")
    proxy_args=(--proxy-pids "${pids[-1]}")
  fi
  label=$n
  [ "$replicas" = 2 ] && label="$n x2 pg"
  [ "$replicas/$db" = 1/postgres ] && label="$n pg"
  echo "=== fleet N=$n ($label)"
  if nice -n "${FLEET_NICE:-10}" node "$root/bench/fleet/fleet.mjs" --url "$url" --reg-secret "$reg_secret" \
    --agents "$n" --duration "$duration" --orch-pids "$orch_pids" --orch-urls "$orch_urls" --label "$label" \
    --out "$work/n$n.json" "${proxy_args[@]}" "${extra[@]}"; then :; else failed=1; fi
  [ -f "$work/n$n.json" ] && results+=("$work/n$n.json")
  ff_stop_pids "${run_pids[@]}"
  [ "$replicas" = 2 ] && haproxy_registrations "$work/n$n-haproxy.log" "$n"
  pids=()
  echo
done

if [ ${#results[@]} -gt 1 ]; then
  echo "=== fleet: all N (mode $replicas x $db, ${duration} s each; load now $(ff_load))"
  node "$root/bench/fleet/fleet.mjs" --report "${results[@]}"
fi
exit "$failed"
