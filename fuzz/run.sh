#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, build-fuzz/) and runs each one for
# FUZZ_SECONDS (default 60) from its committed seed corpus.
#   make fuzz                          every target, 60 s each
#   FUZZ_SECONDS=600 fuzz/run.sh jwt   one target (name with or without _fuzz)
#   scripts/test.sh runs it with FUZZ_SECONDS=3 on every `make test`.
# New interesting inputs go to build-fuzz/corpus/<target>/ (kept between runs,
# never committed automatically); a crash leaves its input in
# build-fuzz/artifacts/ and the log in build-fuzz/logs/. Reproduce one with
#   build-fuzz/bin/<target>_fuzz build-fuzz/artifacts/<target>-crash-...
# Prints "fuzz: N passed, N failed" (one test per target); exits non-zero when
# a target crashed or the build failed.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${FF_FUZZ_BUILD_DIR:-build-fuzz}
seconds=${FUZZ_SECONDS:-60}

if [ ! -f "$build/build.ninja" ]; then
  mkdir -p "$build"
  if ! CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
      -DFF_FUZZ=ON >"$build/configure.log" 2>&1; then
    cat "$build/configure.log" >&2
    echo "fuzz: 0 passed, 1 failed"
    exit 1
  fi
fi
if ! cmake --build "$build" -j"${FF_FUZZ_BUILD_JOBS:-2}"; then
  echo "fuzz: the clang build failed" >&2
  echo "fuzz: 0 passed, 1 failed"
  exit 1
fi

if [ $# -gt 0 ]; then
  targets=()
  for t in "$@"; do targets+=("${t%_fuzz}"); done
else
  mapfile -t targets < <(ls fuzz/*_fuzz.cc | sed -E 's|fuzz/(.*)_fuzz\.cc|\1|')
fi

mkdir -p "$build/artifacts" "$build/logs"
passed=0 failed=0
for t in "${targets[@]}"; do
  bin="$root/$build/bin/${t}_fuzz"
  work="$root/$build/corpus/$t"
  log="$root/$build/logs/$t.log"
  mkdir -p "$work"
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$root/$build/artifacts/$t-")
  [ -f "fuzz/dict/$t.dict" ] && args+=(-dict="$root/fuzz/dict/$t.dict")
  # The first corpus directory receives new inputs; the committed seeds stay as they are.
  if "$bin" "${args[@]}" "$work" "$root/fuzz/corpus/$t" >"$log" 2>&1; then
    runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
    echo "fuzz: $t ok (${runs:-?} inputs in ${seconds}s)"
    passed=$((passed + 1))
  else
    echo "fuzz: $t FAILED (log: $log)" >&2
    grep -E 'ERROR: |property violated|SUMMARY|Test unit written to' "$log" | head -n 8 >&2
    failed=$((failed + 1))
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
