#!/usr/bin/env bash
# Runs every libFuzzer harness for a bounded time; fails on any crash, leak, timeout, out of
# memory or sanitizer report, and leaves the input that caused it in $OUT.
#   tests/fuzz/run.sh [SECONDS] [BUILD_DIR]     (default 60 s each, build-fuzz/)
#   tests/fuzz/run.sh 3600                      an hour per harness
# BUILD_DIR must hold a -DCMRELAY_FUZZ=ON build (clang). New inputs the fuzzer finds go to a
# scratch corpus, not to the checked-in seeds; copy an interesting one to
# tests/fuzz/corpus/<harness>/ by hand, and every crash to tests/fuzz/regressions/<harness>/.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
build=${2:-build-fuzz}
out=${OUT:-$build/fuzz-out}
jobs=${FUZZ_JOBS:-1}
mkdir -p "$out"
# FUZZ_JOBS=N runs N fuzzing processes per harness (libFuzzer logs them to ./fuzz-N.log).
parallel=()
[ "$jobs" -gt 1 ] && parallel=(-jobs="$jobs" -workers="$jobs")

shopt -s nullglob
harnesses=(tests/fuzz/*_fuzz.cpp)
[ ${#harnesses[@]} -gt 0 ] || { echo "fuzz: no harnesses" >&2; exit 1; }
# fuzz_one NAME: one harness for $seconds; its verdict in $out/NAME.rc, its report on stdout.
fuzz_one() {
  local name=$1 bin="$build/tests/fuzz/$1" work="$out/$1.corpus" rc
  mkdir -p "$work"
  local seeds=(tests/fuzz/corpus/$name)
  [ -d "tests/fuzz/regressions/$name" ] && seeds+=("tests/fuzz/regressions/$name")
  # -close_fd_mask=3: the harness's own stdout/stderr (one line per rejected body) is
  # silenced; libFuzzer and the sanitizers still report on a duplicate of stderr.
  set +e
  "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -dict=tests/fuzz/vendors.dict -close_fd_mask=3 -print_final_stats=1 \
    ${parallel[@]+"${parallel[@]}"} \
    -artifact_prefix="$out/$name-" "$work" "${seeds[@]}" >"$out/$name.log" 2>&1
  rc=$?
  set -e
  echo "$rc" >"$out/$name.rc"
  grep -E '^stat::number_of_executed_units|^stat::new_units_added' "$out/$name.log" | sed "s/^/fuzz: $name /" || true
  if [ "$rc" -ne 0 ]; then
    echo "fuzz: $name FAILED (exit $rc); log $out/$name.log, input:" >&2
    ls "$out/$name-"* 2>/dev/null >&2 || true
    grep -E 'ERROR|SUMMARY|runtime error|read_path_fuzz:|text_fuzz:' "$out/$name.log" | head -20 >&2 || true
  fi
}

export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
names=()
for src in "${harnesses[@]}"; do
  name=$(basename "$src" .cpp)
  [ -x "$build/tests/fuzz/$name" ] || { echo "fuzz: $build/tests/fuzz/$name is not built (cmake -DCMRELAY_FUZZ=ON)" >&2; exit 1; }
  names+=("$name")
done
# Harnesses run side by side, one per core (FUZZ_PARALLEL=N to change): each is one process.
at_once=${FUZZ_PARALLEL:-$(( $(nproc) / jobs > 0 ? $(nproc) / jobs : 1 ))}
for name in "${names[@]}"; do
  echo "fuzz: $name for ${seconds}s"
  rm -f "$out/$name.rc"
  fuzz_one "$name" &
  while [ "$(jobs -rp | wc -l)" -ge "$at_once" ]; do wait -n || true; done
done
wait
failed=()
for name in "${names[@]}"; do
  [ "$(cat "$out/$name.rc" 2>/dev/null)" = 0 ] || failed+=("$name")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: ${#harnesses[@]} harnesses, ${seconds}s each, no findings"
