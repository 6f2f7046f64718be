#!/usr/bin/env bash
# Golden test: every sample under samples/ is converted and detected, and the output must
# match, byte for byte, what is checked in under tests/golden/<same path>.out / .detect.
# A sample whose bodies are meant to be partly rejected also has a .err (stderr + exit code).
# Every sample is run with --jobs 1 and --jobs 2; then a stream many chunks long (a generated
# corpus with every sample and unreadable bodies mixed in) must come out of --jobs 2 and 3
# byte for byte as out of --jobs 1: stdout, stderr, exit code and the --reject file; so must
# every sample directory read at once.
#   UPDATE=1 bash tests/golden/run.sh BIN SRC   rewrites the expected files.
source "$(dirname "$0")/../lib.bash"
cd "$SRC" || exit 2
golden=tests/golden
count=0

while IFS= read -r -d '' sample; do
  case "$sample" in
    *.yaml|*.yml|*.md) continue ;;
  esac
  count=$((count + 1))
  rel=${sample#samples/}
  exp="$golden/$rel"
  mkdir -p "$(dirname "$exp")"
  for jobs in 1 2; do
  "$BIN" convert --jobs "$jobs" "$sample" >"$tmp/out" 2>"$tmp/err"
  echo "exit $?" >>"$tmp/err"
  "$BIN" detect --jobs "$jobs" "$sample" >"$tmp/detect" 2>/dev/null
  if [ "${UPDATE:-0}" = 1 ]; then
    cp "$tmp/out" "$exp.out"
    cp "$tmp/detect" "$exp.detect"
    if [ "$(cat "$tmp/err")" != "exit 0" ]; then cp "$tmp/err" "$exp.err"; else rm -f "$exp.err"; fi
    continue
  fi
  for kind in out detect; do
    if [ ! -f "$exp.$kind" ]; then
      fail "$sample: no expected output $exp.$kind (run with UPDATE=1 and review it)"
    elif cmp -s "$tmp/$kind" "$exp.$kind"; then
      pass
    else
      fail "$sample: $kind differs from $exp.$kind"
      diff -u "$exp.$kind" "$tmp/$kind" | head -20
    fi
  done
  if [ -f "$exp.err" ]; then
    cmp -s "$tmp/err" "$exp.err" || { fail "$sample: stderr/exit differ from $exp.err"; diff -u "$exp.err" "$tmp/err" | head; }
  elif [ "$(cat "$tmp/err")" != "exit 0" ]; then
    fail "$sample --jobs $jobs: expected a clean conversion, got:"; cat "$tmp/err"
  fi
  done
done < <(find samples -type f -print0 | sort -z)

# The parallel path taken: files of several MiB (chunks are 1 MiB), with every JSON sample,
# lines no vendor wrote, and bodies over --max-body spread through them.
big="$tmp/big"
check "bench/gen.py makes the large corpus" python3 bench/gen.py 8M "$big" >/dev/null
python3 - "$big" <<'PY'
import pathlib, sys
big = pathlib.Path(sys.argv[1])
samples = [p.read_bytes() for p in sorted(pathlib.Path("samples").rglob("*.json"))]
for path in sorted(big.glob("*.ndjson")) + sorted(big.glob("*.json")):
    lines = path.read_bytes().split(b"\n")
    out = []
    for i, line in enumerate(lines):
        out.append(line)
        if i % 97 == 5:
            out.append(b"a line no vendor wrote %d \xff" % i)
        if i % 193 == 7:
            out.append(samples[i % len(samples)].strip())
        if i % 509 == 11:
            out.append(b'{"too_big":"' + b"x" * 70000 + b'"}')
    path.write_bytes(b"\n".join(out))
PY
mapfile -t big_files < <(find "$big" -type f ! -name manifest.tsv | sort)
# run NAME ARGS...: one run per --jobs, each compared with --jobs 1.
run_jobs() {
  local name=$1 jobs
  shift
  for jobs in 1 2 3; do
    rm -f "$tmp/rej.$jobs"
    "$BIN" "$@" --jobs "$jobs" --reject "$tmp/rej.$jobs" --max-body 64k "${big_files[@]}" >"$tmp/out.$jobs" 2>"$tmp/err.$jobs"
    echo "exit $?" >>"$tmp/err.$jobs"
  done
  check "$name: output enough to span chunks" gt "$(wc -l <"$tmp/out.1")" 3000
  check "$name: a body over --max-body" grep -q "over\|longer than" "$tmp/err.1"
  same_as_one "$name" "" 2 3
}
# same_as_one NAME PREFIX JOBS...: $tmp/PREFIX{out,err,rej}.JOBS are those of --jobs 1.
same_as_one() {
  local name=$1 prefix=$2 jobs kind
  shift 2
  for jobs in "$@"; do
    for kind in out err rej; do
      if cmp -s "$tmp/$prefix$kind.1" "$tmp/$prefix$kind.$jobs"; then pass; else
        fail "$name --jobs $jobs: $kind differs from --jobs 1"
        diff "$tmp/$prefix$kind.1" "$tmp/$prefix$kind.$jobs" | head -5
      fi
    done
  done
}
run_jobs "convert (large)" convert
run_jobs "convert --routes (large)" convert --routes samples/routes.yaml
run_jobs "convert --max-errors 3 (large)" convert --max-errors 3
run_jobs "detect (large)" detect
run_jobs "routes test (large)" routes test samples/routes.yaml

# Every sample directory at once (the chunks span files): --jobs 2 as --jobs 1.
for cmd in convert detect; do
  for jobs in 1 2; do
    rm -f "$tmp/all-rej.$jobs"
    "$BIN" "$cmd" --jobs "$jobs" --reject "$tmp/all-rej.$jobs" samples/volcengine samples/alibaba samples/tencent samples/huawei samples/alertmanager >"$tmp/all-out.$jobs" 2>"$tmp/all-err.$jobs"
    echo "exit $?" >>"$tmp/all-err.$jobs"
  done
  same_as_one "$cmd samples/" all- 2
done

# Expected files whose sample is gone are stale.
while IFS= read -r exp; do
  rel=${exp#$golden/}
  rel=${rel%.*}
  [ -f "samples/$rel" ] || fail "$exp: no sample samples/$rel"
done < <(find "$golden" -type f \( -name '*.out' -o -name '*.detect' -o -name '*.err' \))

[ "$count" -gt 0 ] || fail "no samples found"
echo "golden: $count samples"
finish golden
