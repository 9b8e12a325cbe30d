#!/usr/bin/env bash
# Storage benchmark (issue 3). In one run, on 127.0.0.1:
#   1. S3: s3rver plus an orchestrator with S3_ENDPOINT pointing at it. A random
#      file of BENCH_MB MiB is PUT straight to s3rver (the presigned_url of one
#      snapshot) and through the orchestrator (PUT /snapshots/{id}/object of
#      another); then the orchestrator's object is downloaded straight from
#      s3rver (SigV4 by curl) and through the orchestrator. Target: >= 0.8.
#   2. Local store: an orchestrator without S3_ENDPOINT; the upload against
#      `cp` + `sha256sum` + fsync of the copy (the store must hash and make the
#      object durable), the download (into a file) against `cp`. Target: >= 0.7.
#   3. Memory: a fresh orchestrator per store uploads and downloads a
#      BENCH_RSS_MB object; VmHWM (peak RSS) before and after. Target: < 64 MiB.
# Prints seconds, MiB/s and the orchestrator's CPU seconds for each transfer.
#
#   bench/storage/run.sh [--keep]
# Environment: BENCH_MB (1024), BENCH_RSS_MB (2048), FF_BIN_DIR (build/bin),
#   TMPDIR (where the files go; needs about 4 x BENCH_MB + 4 x BENCH_RSS_MB free).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
. "$root/bench/lib/common.sh"

keep=0
while [ $# -gt 0 ]; do
  case $1 in
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--keep]" >&2; exit 2 ;;
  esac
done
mb=${BENCH_MB:-1024}
rss_mb=${BENCH_RSS_MB:-2048}
bin="${FF_BIN_DIR:-$root/build/bin}/fortfail-orchestrator"
[ -x "$bin" ] || { echo "bench: $bin missing (make build)" >&2; exit 1; }
for t in node curl python3 sha256sum; do
  command -v "$t" >/dev/null || { echo "bench: $t missing (bash scripts/deps.sh bench)" >&2; exit 1; }
done
[ -d "$root/tests/node_modules/s3rver" ] ||
  { echo "bench: tests/node_modules/s3rver missing (bash scripts/deps.sh bench)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/ff-bench-storage.XXXXXX")
pids=()
cleanup() {
  set +e
  [ ${#pids[@]} -gt 0 ] && ff_stop_pids "${pids[@]}"
  if [ "$keep" = 1 ]; then echo "bench: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

need_mib=$((4 * mb + 4 * rss_mb + 256))
avail_mib=$(($(df -Pk "$work" | awk 'NR==2 {print $4}') / 1024))
if [ "$avail_mib" -lt "$need_mib" ]; then
  echo "bench: $work has $avail_mib MiB free, needs ~$need_mib MiB (set TMPDIR or BENCH_MB)" >&2
  exit 1
fi

reg_secret=bench-reg-$(ff_rand_hex 12)
jwt_secret=bench-jwt-$(ff_rand_hex 24)
bucket=bench
mib() { ff_calc "$1 / 1048576" .0f; }

# ---------------------------------------------------------------- processes
s3_port=$(ff_free_port)
mkdir -p "$work/s3rver"
node "$root/tests/support/s3rver.mjs" --port "$s3_port" --dir "$work/s3rver" >"$work/s3rver.log" 2>&1 &
s3_pid=$!
pids+=("$s3_pid")
ff_wait_port "$s3_port" "$s3_pid" "$work/s3rver.log"
s3_url=http://127.0.0.1:$s3_port

# start_orch NAME s3|local [VAR=VALUE...]: sets orch_url and orch_pid.
start_orch() {
  local name=$1 kind=$2 port
  shift 2
  port=$(ff_free_port)
  mkdir -p "$work/$name"
  local env_args=(ORCH_LISTEN="127.0.0.1:$port" DATABASE_URL="sqlite:///$work/$name/o.db"
    WAL_PATH="$work/$name/wal.log" ORCH_DATA_DIR="$work/$name/data"
    ORCH_JWT_SECRET="$jwt_secret" ORCH_REG_SECRET="$reg_secret" ORCH_LOG_LEVEL=warn)
  if [ "$kind" = s3 ]; then
    env_args+=(S3_ENDPOINT="$s3_url" S3_ACCESS_KEY=S3RVER S3_SECRET_KEY=S3RVER S3_BUCKET="$bucket")
  fi
  env_args+=("$@")
  env -u S3_ENDPOINT "${env_args[@]}" "$bin" >"$work/$name.log" 2>&1 &
  orch_pid=$!
  pids+=("$orch_pid")
  orch_url=http://127.0.0.1:$port
  ff_wait_live "$orch_url" "$orch_pid" "$work/$name.log"
}

# Peak and current RSS (KiB) and CPU ticks (user+system) of a process.
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
cpu_secs() {
  python3 -c '
import os, sys
f = open(f"/proc/{sys.argv[1]}/stat").read().rsplit(")", 1)[1].split()
print((int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK"))' "$1"
}

op_token=
token() {  # operator token (valid on every instance: same JWT secret)
  [ -n "$op_token" ] ||
    op_token=$(ff_api POST "$1/auth/token" "" "{\"registration_secret\":\"$reg_secret\"}" | ff_json token)
}

# new_snapshot URL ID FILE: registers FILE's size and SHA-256; prints the JSON answer.
declare -A sums=()
file_sum() {
  [ -n "${sums[$1]-}" ] || sums[$1]=$(sha256sum "$1" | cut -d' ' -f1)
  echo "${sums[$1]}"
}
new_snapshot() {
  local size sum
  size=$(stat -c %s "$3")
  sum=$(file_sum "$3")
  ff_api POST "$1/snapshots" "$op_token" \
    "{\"id\":\"$2\",\"agent_id\":\"bench-agent\",\"checksum\":\"$sum\",\"size\":$size}"
}

# transfer LABEL EXPECTED_CODE CURL_ARGS...: one timed curl (no Expect:
# 100-continue wait: the transfer itself is measured). Sets t_secs, t_bytes;
# on an unexpected status prints the request and response and fails.
transfer() {
  local label=$1 want=$2; shift 2
  local resp=$work/resp.txt hdr=$work/resp-headers.txt line code
  rm -f "$resp" "$hdr"
  sync
  line=$(curl -sS -H 'Expect:' -D "$hdr" -w '%{http_code} %{time_total} %{size_upload} %{size_download}' \
    "$@") || { echo "bench: $label: curl failed: curl $*" >&2; return 1; }
  read -r code t_secs up down <<<"$line"
  if [ "$code" != "$want" ]; then
    echo "bench: $label: expected HTTP $want, got $code: curl $*" >&2
    [ -f "$resp" ] && echo "bench: response body: $(head -c 2000 "$resp")" >&2
    return 1
  fi
  t_bytes=$((up > down ? up : down))
}

row() {  # label seconds bytes [orch cpu seconds]
  printf '  %-44s %8.2f s %9s MiB/s %10s\n' "$1" "$2" "$(ff_calc "$3 / 1048576 / $2" .0f)" "${4:--}"
}
ratio_line() {  # label fast_secs_of_reference orch_secs target
  local r
  r=$(ff_calc "$2 / $3")
  printf '  %-44s %8s   (target >= %s)  %s\n' "$1" "$r" "$4" \
    "$(python3 -c "print('ok' if $r >= $4 else 'BELOW TARGET')")"
  summary+=("$(printf '%-44s %6s  target >= %s' "$1" "$r" "$4")")
}
summary=()

# upload_orch URL ID FILE LABEL PID: PUT through the orchestrator, checks the answer.
upload_orch() {
  local c0 c1
  c0=$(cpu_secs "$5")
  transfer "$4" 200 -T "$3" -X PUT -H "Authorization: Bearer $op_token" \
    -H 'Content-Type: application/octet-stream' -o "$work/resp.txt" "$1/snapshots/$2/object"
  c1=$(cpu_secs "$5")
  orch_cpu=$(ff_calc "$c1 - $c0")
  grep -q '"uploaded"' "$work/resp.txt" || { echo "bench: $4: unexpected answer $(cat "$work/resp.txt")" >&2; return 1; }
}
# download_orch URL ID FILE LABEL PID [OUT]: GET through the orchestrator into OUT
# (default /dev/null); checks status, length and ETag.
download_orch() {
  local c0 c1
  c0=$(cpu_secs "$5")
  transfer "$4" 200 -H "Authorization: Bearer $op_token" -o "${6:-/dev/null}" "$1/snapshots/$2/object"
  c1=$(cpu_secs "$5")
  orch_cpu=$(ff_calc "$c1 - $c0")
  [ "$t_bytes" = "$(stat -c %s "$3")" ] || { echo "bench: $4: got $t_bytes bytes" >&2; return 1; }
  grep -qi "^etag: \"$(file_sum "$3")\"" "$work/resp-headers.txt" ||
    { echo "bench: $4: wrong or missing ETag: $(grep -i etag "$work/resp-headers.txt")" >&2; return 1; }
}

# ---------------------------------------------------------------- input
file=$work/object.bin
echo "bench: writing $mb MiB of random bytes" >&2
head -c "$((mb * 1048576))" /dev/urandom >"$file"
size=$(stat -c %s "$file")
file_sum "$file" >/dev/null
sync

echo "FortFail storage benchmark: $mb MiB random object, curl on 127.0.0.1," \
  "$(nproc) CPUs, load average $(ff_load)"
ff_build_note "$bin"
printf '  %-44s %10s %15s %10s\n' "" "time" "throughput" "orch CPU s"

# ---------------------------------------------------------------- S3 (s3rver)
start_orch orch-s3 s3
s3_orch=$orch_url s3_orch_pid=$orch_pid
token "$s3_orch"
tag=$(ff_rand_hex 4)
id_direct=bench-direct-$tag id_orch=bench-orch-$tag

# Does the orchestrator answer Expect: 100-continue? (curl otherwise waits 1 s
# before each upload above 1 MiB; the timed transfers below send no Expect.)
probe=$work/probe.bin
head -c $((2 * 1048576)) /dev/urandom >"$probe"
new_snapshot "$s3_orch" "bench-probe-$tag" "$probe" >/dev/null
curl -sS -v -T "$probe" -X PUT -H "Authorization: Bearer $op_token" -o /dev/null \
  -w '%{time_total}\n' "$s3_orch/snapshots/bench-probe-$tag/object" >"$work/probe.time" 2>"$work/probe.log"
if grep -q '^< HTTP/1.1 100' "$work/probe.log"; then
  expect_note="orchestrator answers Expect: 100-continue"
else
  expect_note="NOTE: orchestrator did not answer Expect: 100-continue (curl waited; 2 MiB PUT took $(cat "$work/probe.time") s)"
fi

echo "S3 store (s3rver, bucket $bucket)"
presigned=$(new_snapshot "$s3_orch" "$id_direct" "$file" | ff_json presigned_url)
[ -n "$presigned" ] || { echo "bench: POST /snapshots gave no presigned_url with S3_ENDPOINT set" >&2; exit 1; }
new_snapshot "$s3_orch" "$id_orch" "$file" >/dev/null

transfer "direct presigned PUT" 200 -T "$file" -o "$work/resp.txt" "$presigned"
s3_up_direct=$t_secs
row "upload: direct PUT to s3rver (presigned)" "$t_secs" "$size"
upload_orch "$s3_orch" "$id_orch" "$file" "upload through orchestrator" "$s3_orch_pid"
s3_up_orch=$t_secs
row "upload: PUT through orchestrator" "$t_secs" "$size" "$orch_cpu"
ratio_line "S3 upload: orchestrator / direct" "$s3_up_direct" "$s3_up_orch" 0.8

# For comparison: the same upload as a multipart upload (S3_STREAM_PUT_MAX_BYTES=0,
# what objects above 5 GiB always use), whose completion s3rver pays for by
# copying every part again. Not a target row.
start_orch orch-s3-multipart s3 S3_STREAM_PUT_MAX_BYTES=0
s3_mp_orch=$orch_url s3_mp_pid=$orch_pid
id_mp=bench-multipart-$tag
new_snapshot "$s3_mp_orch" "$id_mp" "$file" >/dev/null
upload_orch "$s3_mp_orch" "$id_mp" "$file" "upload through orchestrator (multipart)" "$s3_mp_pid"
row "upload: PUT through orch., multipart (info)" "$t_secs" "$size" "$orch_cpu"
echo "  S3 upload (multipart): orch. / direct = $(ff_calc "$s3_up_direct / $t_secs") (information; s3rver copies the parts again at completion)"
ff_stop_pids "$s3_mp_pid"

# The presigned object is verified on demand (a download asks for it): hash it now,
# so no background verification runs during the timed downloads.
c0=$(cpu_secs "$s3_orch_pid")
transfer "verify presigned upload" 206 -H "Authorization: Bearer $op_token" -H 'Range: bytes=0-0' \
  -o /dev/null "$s3_orch/snapshots/$id_direct/object"
row "verify presigned upload (1st GET, 1 byte)" "$t_secs" "$size" "$(ff_calc "$(cpu_secs "$s3_orch_pid") - $c0")"
st=$(ff_api GET "$s3_orch/snapshots/$id_direct" "$op_token" | ff_json status)
[ "$st" = available ] || { echo "bench: presigned snapshot $id_direct is '$st' after verification" >&2; exit 1; }

# curl 7.88 signs but does not send x-amz-content-sha256, which s3rver requires:
# the SHA-256 of the empty body.
transfer "direct GET" 200 --aws-sigv4 "aws:amz:us-east-1:s3" --user S3RVER:S3RVER -o /dev/null \
  -H "x-amz-content-sha256: $(printf '' | sha256sum | cut -d' ' -f1)" \
  "$s3_url/$bucket/snapshots/$id_orch"
[ "$t_bytes" = "$size" ] || { echo "bench: direct GET returned $t_bytes bytes" >&2; exit 1; }
s3_down_direct=$t_secs
row "download: direct GET from s3rver (SigV4)" "$t_secs" "$size"
download_orch "$s3_orch" "$id_orch" "$file" "download through orchestrator" "$s3_orch_pid"
s3_down_orch=$t_secs
row "download: GET through orchestrator" "$t_secs" "$size" "$orch_cpu"
ratio_line "S3 download: orchestrator / direct" "$s3_down_direct" "$s3_down_orch" 0.8
ff_stop_pids "$s3_orch_pid"

# ---------------------------------------------------------------- local store
echo "Local store (ORCH_DATA_DIR)"
start_orch orch-local local
local_orch=$orch_url local_orch_pid=$orch_pid
id_local=bench-local-$tag
new_snapshot "$local_orch" "$id_local" "$file" >/dev/null
presigned=$(new_snapshot "$local_orch" "bench-local-null-$tag" "$file" | ff_json presigned_url)
[ -z "$presigned" ] || echo "  note: the local store returned a presigned_url: $presigned"

copy=$work/copy.bin
sync
t0=$(ff_now); cp "$file" "$copy"; t1=$(ff_now)
sha256sum "$copy" >/dev/null; t2=$(ff_now)
sync "$copy"; t3=$(ff_now)
cp_s=$(ff_calc "$t1 - $t0" .3f) sha_s=$(ff_calc "$t2 - $t1" .3f) fsync_s=$(ff_calc "$t3 - $t2" .3f)
base_up=$(ff_calc "$t3 - $t0" .3f) base_down=$cp_s
rm -f "$copy"
row "cp (page cache to page cache)" "$cp_s" "$size"
row "sha256sum" "$sha_s" "$size"
row "fsync of the copy" "$fsync_s" "$size"
row "baseline up: cp + sha256sum + fsync" "$base_up" "$size"
upload_orch "$local_orch" "$id_local" "$file" "local upload through orchestrator" "$local_orch_pid"
local_up=$t_secs
row "upload: PUT through orchestrator" "$t_secs" "$size" "$orch_cpu"
ratio_line "local upload: orchestrator / baseline" "$base_up" "$local_up" 0.7
# Download: the orchestrator's bytes go into a new file, as cp's do; nothing is
# hashed on either side (the store hashed at upload; clients verify themselves).
row "baseline down: cp" "$base_down" "$size"
download_orch "$local_orch" "$id_local" "$file" "local download through orchestrator" "$local_orch_pid" \
  "$work/download.bin"
local_down=$t_secs
row "download: GET through orchestrator" "$t_secs" "$size" "$orch_cpu"
ratio_line "local download: orchestrator / baseline" "$base_down" "$local_down" 0.7
# The issue's baseline for both directions is cp + sha256sum: a verified copy.
# Its counterpart is the download plus the client's sha256sum of what it got.
t0=$(ff_now); sha256sum "$work/download.bin" >/dev/null; t1=$(ff_now)
rm -f "$work/download.bin"
verified_down=$(ff_calc "$local_down + $t1 - $t0" .3f)
row "baseline: cp + sha256sum" "$(ff_calc "$cp_s + $sha_s" .3f)" "$size"
row "download through orch. + sha256sum of it" "$verified_down" "$size"
ratio_line "verified local download / cp + sha256sum" "$(ff_calc "$cp_s + $sha_s" .3f)" "$verified_down" 0.7
ff_stop_pids "$local_orch_pid"

# ---------------------------------------------------------------- peak RSS
if [ "$rss_mb" = "$mb" ]; then
  big=$file
else
  rm -f "$file"
  big=$work/big.bin
  echo "bench: writing $rss_mb MiB of random bytes" >&2
  head -c "$((rss_mb * 1048576))" /dev/urandom >"$big"
  file_sum "$big" >/dev/null
fi
small=$work/warm.bin
head -c 1048576 /dev/urandom >"$small"

echo "Peak RSS (VmHWM) of a fresh orchestrator: upload + download of $rss_mb MiB"
printf '  %-20s %12s %12s %12s %14s\n' "" "HWM before" "HWM after" "growth" "RSS after"
for kind in s3 local; do
  start_orch "rss-$kind" "$kind"
  tag=$(ff_rand_hex 4)
  # Warm-up: one small upload and download, so pools and caches exist before
  # the baseline is taken.
  new_snapshot "$orch_url" "bench-warm-$tag" "$small" >/dev/null
  upload_orch "$orch_url" "bench-warm-$tag" "$small" "warm-up upload ($kind)" "$orch_pid"
  download_orch "$orch_url" "bench-warm-$tag" "$small" "warm-up download ($kind)" "$orch_pid"
  before=$(hwm_kib "$orch_pid")
  new_snapshot "$orch_url" "bench-rss-$tag" "$big" >/dev/null
  upload_orch "$orch_url" "bench-rss-$tag" "$big" "$rss_mb MiB upload ($kind)" "$orch_pid"
  rss_up_s=$t_secs
  download_orch "$orch_url" "bench-rss-$tag" "$big" "$rss_mb MiB download ($kind)" "$orch_pid"
  rss_down_s=$t_secs
  after=$(hwm_kib "$orch_pid")
  growth=$(((after - before) / 1024))
  printf '  %-20s %8d MiB %8d MiB %8d MiB %10d MiB   (target < 64 MiB) %s; up %s s, down %s s\n' \
    "$kind store" $((before / 1024)) $((after / 1024)) "$growth" $(($(rss_kib "$orch_pid") / 1024)) \
    "$([ "$growth" -lt 64 ] && echo ok || echo ABOVE TARGET)" "$(ff_calc "$rss_up_s")" "$(ff_calc "$rss_down_s")"
  summary+=("$(printf '%-44s %6s  target < 64 MiB' "peak RSS growth, $kind store (MiB)" "$growth")")
  ff_stop_pids "$orch_pid"
  # The next instance starts from an empty store.
  rm -rf "$work/rss-$kind/data"
done

echo
echo "Summary ($mb MiB object; RSS with $rss_mb MiB; $expect_note)"
for s in "${summary[@]}"; do echo "  $s"; done
