#!/usr/bin/env bash
# Options and files are checked before any work: out-of-range sizes and counts, undocumented
# units, route files, mistyped commands; an expectation that checked nothing does not pass.
source "$(dirname "$0")/../lib.bash"
S=$SRC/samples/volcengine
export FLASHDUTY_DBA_KEY=dba-s3cret FLASHDUTY_OPS_KEY=ops-s3cret
FIRING=$S/metric-firing.json

# --max-body: 1k to 1g (1024m), units k, m and g only (text/size.h; tests/cli/same_rules.sh for every command).
for v in -1 0 1023 1025m 2g 8mb 1.5m 99999999999999999999; do
  "$BIN" convert --max-body "$v" "$FIRING" >/dev/null 2>"$tmp/err"
  check "--max-body $v is a usage error" eq $? 2
done
check "--max-body range said" holds "$(cat "$tmp/err")" "--max-body"
for v in 1k 64K 8m 1024m 1g 2048; do
  "$BIN" convert --max-body "$v" "$FIRING" >/dev/null 2>&1
  check "--max-body $v accepted" eq $? 0
done

# --concurrency: 1 to 1024.
for v in -5 0 1025 x; do
  "$BIN" send --dry-run --url http://127.0.0.1:9/ --concurrency "$v" "$FIRING" >/dev/null 2>"$tmp/err"
  check "--concurrency $v is a usage error" eq $? 2
done
check "--concurrency range said" holds "$(cat "$tmp/err")" "--concurrency"

# routes test --expect over no event at all fails instead of passing.
"$BIN" routes test "$SRC/samples/routes.yaml" --expect ops </dev/null >"$tmp/out" 2>"$tmp/err"
check "--expect on no events exit" eq $? 1
check "--expect on no events said" holds "$(cat "$tmp/err")" "routes test --expect: no event was read, so nothing was checked"
echo '{"not":"a body"}' >"$tmp/junk.json"
"$BIN" routes test "$SRC/samples/routes.yaml" --expect ops "$tmp/junk.json" >"$tmp/out" 2>"$tmp/err"
check "--expect on rejected bodies only exit" eq $? 1

# A mistyped command is a usage error, not an input file: the route file is never printed.
printf 'channels:\n  a: {url: "https://h/a?integration_key=s3cret"}\ncases: []\n' >"$tmp/r.yaml"
(cd "$tmp" && "$BIN" route check r.yaml) >"$tmp/out" 2>"$tmp/err"
check "mistyped command exit" eq $? 2
check "mistyped command said" eq "$(cat "$tmp/err")" "cmrelay: 'route' is neither a command (convert, detect, labels, routes, send, serve, alerts) nor a file; did you mean 'routes'?"
check "route file not printed" omits "$(cat "$tmp/out" "$tmp/err")" "s3cret"
(cd "$tmp" && "$BIN" hook) >/dev/null 2>"$tmp/err"
check "unknown bare word exit" eq $? 2
touch "$tmp/route"
(cd "$tmp" && "$BIN" route) >/dev/null 2>"$tmp/err"
check "an existing file named like a word is still an input" eq $? 0

# Every route file error is reported, each on its own line; a missing file has no line 0.
printf 'channels:\n  a: {url: "https://h/a"}\ncases:\n  - if: [{key: title, oper: XIN, vals: [a]}]\n    channels: [zz]\n  - if: [{key: severity, oper: NOTIN}]\n    channels: [a]\n' >"$tmp/bad.yaml"
"$BIN" convert --routes "$tmp/bad.yaml" "$FIRING" >/dev/null 2>"$tmp/err"
check "bad route file exit" eq $? 2
check "every route file error" eq "$(cat "$tmp/err")" "cmrelay: $tmp/bad.yaml:4: oper must be IN or NOTIN, not 'XIN'
cmrelay: $tmp/bad.yaml:5: channel 'zz' used by case 1 is not declared under channels
cmrelay: $tmp/bad.yaml:6: a condition of case 2 needs key, oper and vals (vals: [] for an empty list)"
"$BIN" convert --routes "$tmp/none.yaml" "$FIRING" >/dev/null 2>"$tmp/err"
check "missing route file" eq "$(cat "$tmp/err")" "cmrelay: $tmp/none.yaml: cannot read: No such file or directory"

# --url is held to the same rule as a route file's channel URL.
"$BIN" send --dry-run --url "https://h:0/?integration_key=s3cret" "$FIRING" >/dev/null 2>"$tmp/err"
check "--url port 0 exit" eq $? 2
check "--url port 0 said" eq "$(grep -v warning: "$tmp/err")" "cmrelay: --url https://h:0/?integration_key=***: port 0 cannot be connected to"

finish
