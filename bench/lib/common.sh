# shellcheck shell=bash
# Helpers shared by the bench scripts. Sourced (not run) by bench/*/run.sh,
# which set -euo pipefail themselves. Everything listens on 127.0.0.1 only.

# A free TCP port on 127.0.0.1 (bound to port 0, then released).
ff_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# N random bytes as lowercase hex.
ff_rand_hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }

# Seconds since the epoch with nanoseconds, and arithmetic on such values.
ff_now() { date +%s.%N; }
ff_calc() { python3 -c "import sys; print(format(eval(sys.argv[1]), sys.argv[2]))" "$1" "${2:-.2f}"; }

# One field of the JSON object on stdin: ff_json key [key2 ...] (nested).
ff_json() {
  python3 -c '
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1:]:
    v = v[k]
print("" if v is None else v)' "$@"
}

# ff_wait_live URL PID LOG: waits (up to 30 s) until URL/health/live answers 200;
# fails with the server log when the process died or never came up.
ff_wait_live() {
  local url=$1 pid=$2 log=$3
  for _ in $(seq 300); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "bench: server (pid $pid) exited during start-up; its log:" >&2
      tail -n 30 "$log" >&2 || true
      return 1
    fi
    curl -fsS -o /dev/null --max-time 2 "$url/health/live" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench: $url/health/live never answered; server log:" >&2
  tail -n 30 "$log" >&2 || true
  return 1
}

# ff_wait_port PORT PID LOG: waits until something accepts on 127.0.0.1:PORT.
ff_wait_port() {
  local port=$1 pid=$2 log=$3
  for _ in $(seq 300); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "bench: process $pid exited during start-up; its log:" >&2
      tail -n 30 "$log" >&2 || true
      return 1
    fi
    python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' \
      "$port" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench: nothing listens on 127.0.0.1:$port; log:" >&2
  tail -n 30 "$log" >&2 || true
  return 1
}

# ff_api METHOD URL TOKEN [JSON_BODY]: prints the response body; on a non-2xx
# answer prints the exact request and response to stderr and fails.
ff_api() {
  local method=$1 url=$2 token=$3 body=${4-} out code
  out=$(mktemp)
  local args=(-sS -o "$out" -w '%{http_code}' -X "$method" --max-time 60)
  [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
  code=$(curl "${args[@]}" "$url") || code=000
  if [ "${code:0:1}" != 2 ]; then
    {
      echo "bench: request failed: $method $url${body:+ body $body}"
      echo "bench: response $code: $(head -c 2000 "$out")"
    } >&2
    rm -f "$out"
    return 1
  fi
  cat "$out"
  rm -f "$out"
}

# ff_stop_pids PID...: SIGTERM, up to 10 s grace, then SIGKILL. Only the given pids.
ff_stop_pids() {
  local p alive
  for p in "$@"; do kill -TERM "$p" 2>/dev/null || true; done
  for _ in $(seq 100); do
    alive=0
    for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for p in "$@"; do kill -KILL "$p" 2>/dev/null || true; done
  for p in "$@"; do wait "$p" 2>/dev/null || true; done
}

# Load average now, for the header of each report (noisy machines).
ff_load() { cut -d' ' -f1-3 /proc/loadavg; }

# ff_build_note BIN: one line naming the optimisation level BIN was compiled
# with (from the FLAGS of its CMake/Ninja build dir), loud when unoptimised:
# such figures are not worth comparing.
ff_build_note() {
  local ninja opt
  ninja=$(dirname "$1")/../build.ninja
  [ -f "$ninja" ] || return 0
  opt=$(grep -m1 -o -- ' -O[0-3sgz]\b' <(grep '^ *FLAGS = ' "$ninja") | tr -d ' ' || true)
  case "$opt" in
    -O2 | -O3 | -Os) echo "build: $opt ($(cd "$(dirname "$ninja")" && pwd))" ;;
    *) echo "WARNING: $1 is not an optimised build (FLAGS without -O2/-O3 in $ninja):" \
      "reconfigure with -DCMAKE_BUILD_TYPE=Release before trusting these figures" ;;
  esac
}

# ff_work_dir NAME: a private temp dir in $work (mode 755: nginx workers and
# PostgreSQL must reach files in it), an empty $pids and no $pg_dir. On exit
# (also Ctrl-C, SIGTERM) stops every pid in $pids and the PostgreSQL server in
# $pg_dir (scripts/services/postgres.sh, under $root), and removes $work
# unless keep=1.
ff_work_dir() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/ff-bench-$1.XXXXXX")
  chmod 755 "$work"
  pids=()
  pg_dir=
  trap ff_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}
ff_cleanup() {
  set +e
  [ ${#pids[@]} -gt 0 ] && ff_stop_pids "${pids[@]}"
  [ -n "$pg_dir" ] && bash "${root:?}/scripts/services/postgres.sh" stop "$pg_dir" >/dev/null 2>&1
  if [ "${keep:-0}" = 1 ]; then echo "bench: kept $work"; else rm -rf "$work"; fi
}

# ff_start_orch NAME DATABASE_URL [VAR=VALUE...]: starts $bin (the orchestrator)
# on a free port with its WAL, data dir and log under $work/NAME, the secrets
# $jwt_secret and $reg_secret, log level warn and the extra variables given;
# waits until it is live. Appends its pid to $pids; sets orch_url, orch_pid,
# orch_wal.
ff_start_orch() {
  local name=$1 db=$2 port
  shift 2
  port=$(ff_free_port)
  mkdir -p "$work/$name"
  orch_wal=$work/$name/wal.log
  env ORCH_LISTEN="127.0.0.1:$port" DATABASE_URL="$db" WAL_PATH="$orch_wal" \
    ORCH_DATA_DIR="$work/$name/data" ORCH_JWT_SECRET="${jwt_secret:?}" \
    ORCH_REG_SECRET="${reg_secret:?}" ORCH_LOG_LEVEL=warn "$@" \
    "${bin:?}" >"$work/$name.log" 2>&1 &
  orch_pid=$!
  pids+=("$orch_pid")
  orch_url=http://127.0.0.1:$port
  ff_wait_live "$orch_url" "$orch_pid" "$work/$name.log"
}
