#!/usr/bin/env bash
# Golden test: every sample under samples/ is converted and detected, and the output must
# match, byte for byte, what is checked in under tests/golden/<same path>.out / .detect.
# A sample whose bodies are meant to be partly rejected also has a .err (stderr + exit code).
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
  "$BIN" convert "$sample" >"$tmp/out" 2>"$tmp/err"
  echo "exit $?" >>"$tmp/err"
  "$BIN" detect "$sample" >"$tmp/detect" 2>/dev/null
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
    fail "$sample: expected a clean conversion, got:"; cat "$tmp/err"
  fi
done < <(find samples -type f -print0 | sort -z)

# Expected files whose sample is gone are stale.
while IFS= read -r exp; do
  rel=${exp#$golden/}
  rel=${rel%.*}
  [ -f "samples/$rel" ] || fail "$exp: no sample samples/$rel"
done < <(find "$golden" -type f \( -name '*.out' -o -name '*.detect' -o -name '*.err' \))

[ "$count" -gt 0 ] || fail "no samples found"
echo "golden: $count samples"
finish golden
