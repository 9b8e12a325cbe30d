#!/usr/bin/env bash
# `make test`: starts the services the tests need (a private PostgreSQL, s3rver on
# 127.0.0.1), then runs the unit tests (ctest), each libFuzzer target briefly
# (fuzz/run.sh: a clang build in build-fuzz/, FF_TEST_FUZZ_SECONDS each, default 3;
# 0 skips them), and the integration, end-to-end and browser tests (node:test)
# that drive the real binaries over real sockets.
# Every suite runs even when an earlier one failed; the exit code is non-zero if
# any failed. Prints one closing line "tests: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export FF_BUILD_DIR="${FF_BUILD_DIR:-build}"
export FF_BIN_DIR="$root/$FF_BUILD_DIR/bin"
tmp=$(mktemp -d /tmp/ff-test.XXXXXX)
export FF_TEST_TMP="$tmp"
chmod 755 "$tmp"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

cleanup() {
  [ -n "${s3_pid:-}" ] && kill "$s3_pid" 2>/dev/null
  bash scripts/services/postgres.sh stop "$tmp/pg" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

# --- services
pg_port=$(free_port)
if FF_TEST_PG_URL=$(bash scripts/services/postgres.sh start "$tmp/pg" "$pg_port"); then
  export FF_TEST_PG_URL
  echo "services: PostgreSQL at 127.0.0.1:$pg_port"
else
  echo "services: PostgreSQL failed to start" >&2
  cat "$tmp/pg/server.log" >&2 2>/dev/null
  exit 1
fi
s3_port=$(free_port)
mkdir -p "$tmp/s3"
node tests/support/s3rver.mjs --port "$s3_port" --dir "$tmp/s3" >"$tmp/s3rver.log" 2>&1 &
s3_pid=$!
export FF_TEST_S3_ENDPOINT="http://127.0.0.1:$s3_port"
export FF_TEST_S3_DIR="$tmp/s3"  # s3rver keeps each bucket here (tests scan it for plaintext)
for _ in $(seq 100); do
  curl -s -o /dev/null "$FF_TEST_S3_ENDPOINT/" && break
  sleep 0.1
done
echo "services: s3rver at $FF_TEST_S3_ENDPOINT"

passed=0 failed=0
# --- unit tests
ctest --test-dir "$FF_BUILD_DIR" -L unit -j2 --output-on-failure 2>&1 | tee "$tmp/ctest.log"
line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$tmp/ctest.log" | tail -n 1)
if [ -n "$line" ]; then
  total=$(echo "$line" | sed -E 's/.*out of ([0-9]+).*/\1/')
  nfail=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed.*/\1/')
  passed=$((passed + total - nfail)); failed=$((failed + nfail))
else
  echo "unit tests: ctest did not report" >&2; failed=$((failed + 1))
fi

# --- fuzz targets, briefly: a regression that crashes one fails here (each target
# counts as one test). `make fuzz` runs them for longer.
fuzz_seconds=${FF_TEST_FUZZ_SECONDS:-3}
if [ "$fuzz_seconds" != 0 ]; then
  FUZZ_SECONDS=$fuzz_seconds bash fuzz/run.sh 2>&1 | tee "$tmp/fuzz.log"
  line=$(grep -E '^fuzz: [0-9]+ passed, [0-9]+ failed$' "$tmp/fuzz.log" | tail -n 1)
  if [ -n "$line" ]; then
    passed=$((passed + $(echo "$line" | awk '{print $2}')))
    failed=$((failed + $(echo "$line" | awk '{print $4}')))
  else
    echo "fuzz targets: fuzz/run.sh did not report" >&2; failed=$((failed + 1))
  fi
fi

# --- integration, end-to-end and browser tests (node:test)
mapfile -t js_tests < <(ls tests/integration/*.test.mjs tests/e2e/*.test.mjs tests/browser/*.test.mjs 2>/dev/null)
if [ ${#js_tests[@]} -gt 0 ]; then
  node --test --test-concurrency=2 --test-reporter=spec "${js_tests[@]}" 2>&1 | tee "$tmp/node.log"
  npass=$(grep -E '^ℹ pass [0-9]+' "$tmp/node.log" | tail -n 1 | awk '{print $3}')
  nfail=$(grep -E '^ℹ fail [0-9]+' "$tmp/node.log" | tail -n 1 | awk '{print $3}')
  # A test cancelled because its suite's hook failed did not pass either.
  ncancelled=$(grep -E '^ℹ cancelled [0-9]+' "$tmp/node.log" | tail -n 1 | awk '{print $3}')
  if [ -z "$npass" ]; then echo "node tests: no summary" >&2; failed=$((failed + 1)); fi
  passed=$((passed + ${npass:-0})); failed=$((failed + ${nfail:-0} + ${ncancelled:-0}))
fi

echo
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
