#!/usr/bin/env bash
# Installs the Debian (and npm) packages FortFail needs, only those missing.
# Usage: scripts/deps.sh build|test|bench
# Idempotent: a second run with everything present installs nothing and takes
# well under a second.
set -euo pipefail
cd "$(dirname "$0")/.."

build_pkgs=(
  build-essential cmake ninja-build pkg-config git
  libboost1.81-dev libboost-url1.81-dev
  libssl-dev libsqlite3-dev libpq-dev nlohmann-json3-dev libspdlog-dev
  libcli11-dev libarchive-dev libzstd-dev libcurl4-openssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  dpkg-dev
)
# dpkg-dev: dpkg-shlibdeps, which `make package` uses for the packages' dependencies.
# clang + libclang-rt-14-dev (libFuzzer and the sanitizer runtimes; only a
# Recommends of clang, which --no-install-recommends skips) build fuzz/.
# zsh checks the generated zsh completion (zsh -n); systemd's systemd-analyze
# verifies the packaged units.
test_pkgs=(postgresql python3 python3-botocore chromium curl procps zstd clang libclang-rt-14-dev
  zsh systemd)
bench_pkgs=(wrk nginx restic hyperfine haproxy)

want=("${build_pkgs[@]}")
case "${1:-build}" in
  build) ;;
  test) want+=("${test_pkgs[@]}") ;;
  bench) want+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  *) echo "usage: $0 build|test|bench" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Node.js may come from elsewhere (with its own npm); only ask Debian when absent.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages are pinned by web/package-lock.json and tests/package-lock.json.
npm_install() {
  local dir=$1
  [ -f "$dir/package-lock.json" ] || return 0
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.stamp" ]; then
    echo "deps: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.stamp)
  fi
}
npm_install web
case "${1:-build}" in test|bench) npm_install tests ;; esac
