#!/usr/bin/env bash
# The one place that lists cmrelay's Debian packages, builds it, and runs it.
#   ./setup.sh                 install what is missing, build (Release) into build/, convert samples/
#                              and say in four lines what came of it (--print: the events too)
#   ./setup.sh test [STAGE...] the same set-up, then the test stages (default: all, in this order):
#       unit      ctest on the Release build (unit, CLI, golden, property tests)
#       sanitize  the whole ctest suite again, built with ASan+UBSan in build-san/
#       fuzz      every libFuzzer harness (clang, build-fuzz/) for FUZZ_SECONDS each (default 60)
#       tidy      clang-format-14 over every C++ file (.clang-format), then clang-tidy over
#                 src/ with .clang-tidy; any change or finding fails
#   Each stage prints its time; the first failing stage is named and ends the run (exit 1).
set -euo pipefail
cd "$(dirname "$0")"

# Every package from Debian 12. What a user needs to build and run cmrelay:
PACKAGES=(
  cmake g++ make pkg-config
  libcli11-dev rapidjson-dev libyaml-cpp-dev libcurl4-openssl-dev libre2-dev zlib1g-dev libmicrohttpd-dev liburiparser-dev libsqlite3-dev libncurses-dev
  libhiredis-dev libssl-dev libkainjow-mustache-dev
  ca-certificates
)
# What the test stages need on top (./setup.sh test): the test framework and scripts' tools,
# the package test (dpkg-dev), the fuzzers and clang-tidy, the benchmark's tools, and the
# fleet test's real parts (redis-server and haproxy, started by the test on loopback ports).
DEV_PACKAGES=(
  doctest-dev python3 time jq dpkg-dev file curl
  clang-14 libclang-rt-14-dev clang-tidy-14 clang-format-14 hyperfine wrk valgrind
  redis-server haproxy
)
testing=OFF
if [ "${1:-run}" = test ]; then
  PACKAGES+=("${DEV_PACKAGES[@]}")
  testing=ON
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  else
    echo "setup: missing Debian packages; run this, then ./setup.sh again:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 2
  fi
fi

BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DCMRELAY_WERROR=ON -DBUILD_TESTING=$testing >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"

stage_unit() { ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)"; }

stage_sanitize() {
  cmake -S . -B build-san -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMRELAY_WERROR=ON -DCMRELAY_SANITIZE=ON >/dev/null
  cmake --build build-san -j "$(nproc)"
  # Tests labelled slow (serve.fleet: a fleet behind HAProxy; serve.fault: SIGKILL twice;
  # cli.send_rate: three minutes of pacing; all in real time) ran in the unit stage; their
  # code paths are unit-tested here too.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-san --output-on-failure -j "$(nproc)" -LE slow
}

stage_fuzz() {
  cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 -DCMRELAY_WERROR=ON -DCMRELAY_FUZZ=ON >/dev/null
  cmake --build build-fuzz -j "$(nproc)" --target fuzzers
  ctest --test-dir build-fuzz --output-on-failure -j "$(nproc)" -R '^fuzz\.'   # Corpora and regressions replayed.
  tests/fuzz/run.sh "${FUZZ_SECONDS:-60}" build-fuzz
}

stage_tidy() {
  # Layout first: every C++ file as clang-format-14 lays it out (.clang-format); a file it
  # would change is named and fails the stage (fix: clang-format-14 -i FILE).
  find src tests bench \( -name '*.cpp' -o -name '*.h' \) -print0 | xargs -0 clang-format-14 --dry-run --Werror
  # The Release build's compile_commands.json; GCC-only warning flags mean nothing to clang,
  # and RapidJSON's iterator comparisons are C++20-ambiguous in its header (CMakeLists.txt).
  find src -name '*.cpp' -print0 | sort -z |
    xargs -0 -n 4 -P "$(nproc)" clang-tidy-14 -p "$BUILD_DIR" --quiet \
      --extra-arg=-Wno-unknown-warning-option --extra-arg=-Wno-ambiguous-reversed-operator
}

# The first run's last words: what was built, what the samples became, what to try next. The
# events themselves with --print (`./setup.sh run --print`, or `./setup.sh --print`).
first_contact() {
  local print=${1:-} dirs=(samples/*/) out
  out=$(mktemp -d)
  local rc=0
  "$BUILD_DIR/cmrelay" convert --reject "$out/rejected" "${dirs[@]}" >"$out/events" 2>"$out/err" || rc=$?
  if [ "$print" = --print ]; then cat "$out/events"; fi
  local bodies events rejected
  bodies=$("$BUILD_DIR/cmrelay" detect "${dirs[@]}" 2>/dev/null | wc -l)
  events=$(wc -l <"$out/events")
  rejected=$( [ -f "$out/rejected" ] && wc -l <"$out/rejected" || echo 0)
  echo "setup: built $BUILD_DIR/cmrelay and $BUILD_DIR/cmrelay-full ($(grep -m1 CMAKE_BUILD_TYPE: "$BUILD_DIR/CMakeCache.txt" | cut -d= -f2))"
  echo "setup: converted ${dirs[*]}: $bodies bodies, $events Flashduty events, $rejected rejected (exit $rc)"
  [ "$print" = --print ] || echo "setup: ./setup.sh --print shows the events; the tour is in README.md"
  echo "setup: next: export PATH=\"\$PWD/$BUILD_DIR:\$PATH\"; cmrelay convert --pretty samples/volcengine/metric-firing.json"
  rm -rf "$out"
  return "$rc"
}

[ "${1:-}" = --print ] && set -- run --print
case "${1:-run}" in
  run)  first_contact "${2:-}" ;;
  test)
    shift
    stages=("$@")
    [ ${#stages[@]} -gt 0 ] || stages=(unit sanitize fuzz tidy)
    for stage in "${stages[@]}"; do
      declare -F "stage_$stage" >/dev/null || { echo "setup: no test stage '$stage'" >&2; exit 2; }
    done
    export -f stage_unit stage_sanitize stage_fuzz stage_tidy
    for stage in "${stages[@]}"; do
      echo "setup: stage $stage" >&2
      start=$SECONDS
      # A stage runs in its own bash with -e: a function called under `if` would run with
      # -e switched off, and a failing step inside it would go unnoticed.
      if ! BUILD_DIR=$BUILD_DIR bash -euo pipefail -c "stage_$stage"; then
        echo "setup: stage $stage FAILED after $((SECONDS - start)) s" >&2
        exit 1
      fi
      echo "setup: stage $stage passed in $((SECONDS - start)) s" >&2
    done
    ;;
  *)    echo "usage: ./setup.sh [run [--print]|--print|test [unit|sanitize|fuzz|tidy]...]" >&2; exit 2 ;;
esac
