#!/usr/bin/env bash
# Options and files are checked before any work: out-of-range sizes and counts, undocumented
# units, route files, mistyped commands; an expectation that checked nothing does not pass.
source "$(dirname "$0")/lib.bash"
S=$SRC/samples/volcengine
export FLASHDUTY_DBA_KEY=dba-s3cret FLASHDUTY_OPS_KEY=ops-s3cret
FIRING=$S/metric-firing.json

# --max-body: 1k to 1024m, units k and m only.
for v in -1 0 1023 1025m 1g 8mb 1.5m 99999999999999999999; do
  "$BIN" convert --max-body "$v" "$FIRING" >/dev/null 2>"$TMP/err"
  check "--max-body $v is a usage error" $? 2
done
contains "--max-body range said" "$(cat "$TMP/err")" "--max-body"
for v in 1k 64K 8m 1024m 2048; do
  "$BIN" convert --max-body "$v" "$FIRING" >/dev/null 2>&1
  check "--max-body $v accepted" $? 0
done

# --concurrency: 1 to 1024.
for v in -5 0 1025 x; do
  "$BIN" send --dry-run --url http://127.0.0.1:9/ --concurrency "$v" "$FIRING" >/dev/null 2>"$TMP/err"
  check "--concurrency $v is a usage error" $? 2
done
contains "--concurrency range said" "$(cat "$TMP/err")" "--concurrency"

# routes test --expect over no event at all fails instead of passing.
"$BIN" routes test "$SRC/samples/routes.yaml" --expect ops </dev/null >"$TMP/out" 2>"$TMP/err"
check "--expect on no events exit" $? 1
contains "--expect on no events said" "$(cat "$TMP/err")" "routes test --expect: no event was read, so nothing was checked"
echo '{"not":"a body"}' >"$TMP/junk.json"
"$BIN" routes test "$SRC/samples/routes.yaml" --expect ops "$TMP/junk.json" >"$TMP/out" 2>"$TMP/err"
check "--expect on rejected bodies only exit" $? 1

# A mistyped command is a usage error, not an input file: the route file is never printed.
printf 'channels:\n  a: {url: "https://h/a?integration_key=s3cret"}\ncases: []\n' >"$TMP/r.yaml"
(cd "$TMP" && "$BIN" route check r.yaml) >"$TMP/out" 2>"$TMP/err"
check "mistyped command exit" $? 2
check "mistyped command said" "$(cat "$TMP/err")" "cmrelay: 'route' is neither a command (convert, detect, labels, routes, send, serve, alerts) nor a file; did you mean 'routes'?"
lacks "route file not printed" "$(cat "$TMP/out" "$TMP/err")" "s3cret"
(cd "$TMP" && "$BIN" hook) >/dev/null 2>"$TMP/err"
check "unknown bare word exit" $? 2
touch "$TMP/route"
(cd "$TMP" && "$BIN" route) >/dev/null 2>"$TMP/err"
check "an existing file named like a word is still an input" $? 0

# Every route file error is reported, each on its own line; a missing file has no line 0.
printf 'channels:\n  a: {url: "https://h/a"}\ncases:\n  - if: [{key: title, oper: XIN, vals: [a]}]\n    channels: [zz]\n  - if: [{key: severity, oper: NOTIN}]\n    channels: [a]\n' >"$TMP/bad.yaml"
"$BIN" convert --routes "$TMP/bad.yaml" "$FIRING" >/dev/null 2>"$TMP/err"
check "bad route file exit" $? 2
check "every route file error" "$(cat "$TMP/err")" "cmrelay: $TMP/bad.yaml:4: oper must be IN or NOTIN, not 'XIN'
cmrelay: $TMP/bad.yaml:5: channel 'zz' used by case 1 is not declared under channels
cmrelay: $TMP/bad.yaml:6: a condition of case 2 needs key, oper and vals (vals: [] for an empty list)"
"$BIN" convert --routes "$TMP/none.yaml" "$FIRING" >/dev/null 2>"$TMP/err"
check "missing route file" "$(cat "$TMP/err")" "cmrelay: $TMP/none.yaml: cannot read: No such file or directory"

# --url is held to the same rule as a route file's channel URL.
"$BIN" send --dry-run --url "https://h:0/?integration_key=s3cret" "$FIRING" >/dev/null 2>"$TMP/err"
check "--url port 0 exit" $? 2
check "--url port 0 said" "$(grep -v warning: "$TMP/err")" "cmrelay: --url https://h:0/?integration_key=***: port 0 cannot be connected to"

finish
