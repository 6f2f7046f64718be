#!/usr/bin/env bash
# routes check, routes test (explain, --expect, --cases) and convert --routes, run on the
# real binary with samples/routes.yaml, samples/routes-tests.yaml and small route files.
source "$(dirname "$0")/../lib.bash"
cd "$SRC" || exit 2

export FLASHDUTY_DBA_KEY=dba-s3cret FLASHDUTY_OPS_KEY=ops-s3cret

# routes check: clean, with findings, unreadable.
expect_exit 0 "$BIN" routes check samples/routes.yaml
check "stdout holds it" file_has "$tmp/out" "samples/routes.yaml: ok: 6 channels, 7 cases"
check "stdout holds it" file_has "$tmp/out" "dba id 3521074710131 -> https://api.flashcat.cloud/event/push/alert/standard?integration_key=***"
check "stdout lacks it" file_lacks "$tmp/out" "s3cret"

cat >"$tmp/lint.yaml" <<'YAML'
channels:
  a: {url: "https://h/a?token=${FLASHDUTY_OPS_KEY}"}
  unused: {url: "https://h/u"}
cases:
  - name: all
    channels: [a]
  - name: never
    if: [{key: labels.x, oper: MAYBE, vals: ["/(/", "cidr:300.0.0.0/8", "num:gt:high"]}]
    channels: [ghost]
  - {name: typo, chanels: [a]}
YAML
expect_exit 1 "$BIN" routes check "$tmp/lint.yaml"
cat >"$tmp/want" <<WANT
$tmp/lint.yaml:3: warning: channel 'unused' is declared but no case or default routes to it: only recoveries of alerts that went there before (as the open-alert state remembers) still reach it; remove it once \`cmrelay alerts\` shows none open there
$tmp/lint.yaml:7: never can never be reached: all (line 5) matches every event and stops
$tmp/lint.yaml:8: oper must be IN or NOTIN, not 'MAYBE'
$tmp/lint.yaml:8: invalid regex /(/: missing ): (
$tmp/lint.yaml:8: malformed cidr: value 'cidr:300.0.0.0/8': '300.0.0.0' is not an IPv4 or IPv6 address
$tmp/lint.yaml:8: malformed num: value 'num:gt:high' (expected num:gt|ge|lt|le:NUMBER)
$tmp/lint.yaml:9: channel 'ghost' used by never is not declared under channels
$tmp/lint.yaml:10: unknown key 'chanels' in typo (known: name, if, channels, channel_ids, channel_from, fallthrough)
$tmp/lint.yaml:10: typo can never be reached: all (line 5) matches every event and stops
WANT
diff -u "$tmp/want" "$tmp/out" || fail "routes check findings differ"
check "stdout lacks it" file_lacks "$tmp/out" "s3cret"

# A channel kept declared that nothing routes to (so that its open alerts still close): a
# warning, and the file is clean.
printf 'channels:\n  old: {url: "https://h/old"}\n  new: {url: "https://h/new"}\ndefault: {channels: [new]}\n' >"$tmp/kept.yaml"
expect_exit 0 "$BIN" routes check "$tmp/kept.yaml"
check "a channel kept declared, routed to by nothing: a warning" file_has "$tmp/out" \
  "$tmp/kept.yaml:2: warning: channel 'old' is declared but no case or default routes to it"

printf '{\n  "cases": [\n    {"if": [}\n' >"$tmp/broken-routes"
expect_exit 1 "$BIN" routes check "$tmp/broken-routes"
check "stdout holds it" file_has "$tmp/out" "$tmp/broken-routes:3: syntax error at column 13: Invalid value."

expect_exit 2 "$BIN" routes check "$tmp/missing.yaml"
check "stderr holds it" file_has "$tmp/err" "cmrelay: $tmp/missing.yaml: cannot read: No such file or directory"

env -u FLASHDUTY_DBA_KEY "$BIN" routes check samples/routes.yaml >"$tmp/out" 2>&1
[ $? -eq 1 ] || fail "an undefined variable is a finding"
check "stdout holds it" file_has "$tmp/out" "samples/routes.yaml:6: url of channel 'dba': undefined environment variable \${FLASHDUTY_DBA_KEY}"

# routes test --cases: the shipped batch passes; a wrong expectation fails with exit 1.
expect_exit 0 "$BIN" routes test samples/routes.yaml --cases samples/routes-tests.yaml
[ "$(tail -1 "$tmp/out")" = "16 passed, 0 failed" ] || fail "batch summary: $(tail -1 "$tmp/out")"
# The route file with every target kind, and its cases.
expect_exit 0 "$BIN" routes test samples/targets.yaml --cases samples/targets-tests.yaml
[ "$(tail -1 "$tmp/out")" = "4 passed, 0 failed" ] || fail "targets batch summary: $(tail -1 "$tmp/out")"
cat >"$tmp/cases.yaml" <<YAML
tests:
  - {name: right, payload: $PWD/samples/volcengine/metric-recovered.json, expect: [oncall, checkout]}
  - {name: wrong, event: {severity: Critical, labels: {team: checkout}}, expect: [dba]}
YAML
expect_exit 1 "$BIN" routes test samples/routes.yaml --cases "$tmp/cases.yaml"
check "stdout holds it" file_has "$tmp/out" "PASS right: [oncall, checkout]"
check "stdout holds it" file_has "$tmp/out" "FAIL wrong: expected [dba], got [checkout]"
[ "$(tail -1 "$tmp/out")" = "1 passed, 1 failed" ] || fail "failing batch summary: $(tail -1 "$tmp/out")"
# A firing event and its recovery together: a route file that sends the recovery elsewhere
# (the issue's: Critical to dba, the rest to ops, and a condition on the value) fails.
cat >"$tmp/strand.yaml" <<'YAML'
channels:
  dba: {url: "https://h/dba"}
  hot: {url: "https://h/hot"}
  ops: {url: "https://h/ops"}
cases:
  - {if: [{key: severity, oper: IN, vals: [Critical]}], channels: [dba], fallthrough: true}
  - {if: [{key: labels.current_value, oper: IN, vals: ["num:ge:95"]}], channels: [hot]}
default: {channels: [ops]}
YAML
cat >"$tmp/pair.yaml" <<YAML
tests:
  - {name: strands, payload: $PWD/samples/volcengine/metric-firing.json, expect: [dba, hot],
     recovery: $PWD/samples/volcengine/metric-recovered.json}
  - {name: with the state, payload: $PWD/samples/volcengine/metric-firing.json, expect: [dba, hot],
     recovery: $PWD/samples/volcengine/metric-recovered.json, relies_on_state: true, expect_recovery: [dba, hot]}
  - {name: inline, event: {severity: Critical, labels: {current_value: "99"}}, expect: [dba, hot],
     recovery: {labels: {current_value: "1"}}, expect_recovery: [dba]}
YAML
expect_exit 1 "$BIN" routes test "$tmp/strand.yaml" --cases "$tmp/pair.yaml"
check "stdout holds it" file_has "$tmp/out" "FAIL strands: expected [dba, hot], by the route file alone the recovery goes to [dba] and misses [hot], where its alert went (only the state file would close it there)"
check "stdout holds it" file_has "$tmp/out" "PASS with the state: [dba, hot], and its recovery"
check "stdout holds it" file_has "$tmp/out" "FAIL inline: expected [dba, hot], the recovery goes to [dba, hot], not [dba]"
expect_exit 0 "$BIN" routes check "$tmp/strand.yaml"
check "stdout holds it" file_has "$tmp/out" "$tmp/strand.yaml:7: warning: labels.current_value IN [num:ge:95] in case 2 reads a field that can differ between an alert and its recovery"
# Flashduty's /route/info body as it stores it, with a channel map beside it.
expect_exit 0 "$BIN" routes check tests/route/flashduty/channels.yaml
check "stdout holds it" file_has "$tmp/out" "tests/route/flashduty/channels.yaml: ok: 6 channels, 5 cases"
check "stdout holds it" file_has "$tmp/out" "tests/route/flashduty/route-info.json:24: warning: title IN [/disk.full/] in case 3 reads a field"
check "stdout lacks it" file_lacks "$tmp/out" "extension"
expect_exit 0 "$BIN" routes test tests/route/flashduty/channels.yaml samples/volcengine/metric-firing.json --expect pager
check "stdout holds it" file_has "$tmp/out" "    alert_severity IN [Critical]: true (saw 'Critical')"
expect_exit 0 "$BIN" routes check --flashduty samples/routes.yaml
check "stdout holds it" file_has "$tmp/out" "samples/routes.yaml:17: warning: extension: a case name (Flashduty's route would not accept it)"
check "stdout holds it" file_has "$tmp/out" "samples/routes.yaml:53: warning: extension: channel_from (Flashduty's route would not accept it)"
check "stdout holds it" file_has "$tmp/out" "samples/routes.yaml:57: warning: extension: the severity: table (Flashduty's route would not accept it)"
expect_exit 0 "$BIN" routes check samples/routes.yaml
check "stdout lacks it" file_lacks "$tmp/out" "extension"
printf 'tests:\n  - {name: x, expect: [a], payloud: y}\n' >"$tmp/badcases.yaml"
expect_exit 2 "$BIN" routes test samples/routes.yaml --cases "$tmp/badcases.yaml"
check "stderr holds it" file_has "$tmp/err" "badcases.yaml:2: unknown key 'payloud' in x"
# A second YAML document is refused as the route loader refuses one, not ignored.
printf 'tests:\n  - {name: x, event: {severity: Critical}, expect: [dba]}\n---\ntests: []\n' >"$tmp/twocases.yaml"
expect_exit 2 "$BIN" routes test samples/routes.yaml --cases "$tmp/twocases.yaml"
check "stderr holds it" file_has "$tmp/err" "cmrelay: $tmp/twocases.yaml:3: more than one YAML document"
printf 'tests: [\n' >"$tmp/brokencases.yaml"
expect_exit 2 "$BIN" routes test samples/routes.yaml --cases "$tmp/brokencases.yaml"
check "stderr holds it" file_has "$tmp/err" "cmrelay: $tmp/brokencases.yaml:2: syntax error at column 1: "

expect_exit 2 "$BIN" routes test samples/routes.yaml --cases samples/routes-tests.yaml samples/volcengine/
check "stderr holds it" file_has "$tmp/err" "routes test --cases takes neither PATH nor --expect"

# routes test over payloads: the explanation, and --expect.
expect_exit 0 "$BIN" routes test samples/routes.yaml samples/volcengine/metric-firing.json --expect checkout,oncall
check "stdout holds it" file_has "$tmp/out" 'samples/volcengine/metric-firing.json:1 event 1: Critical "prod-ecs-cpu on checkout-api-03: CpuTotal 96.35% (threshold 90%)"'
check "stdout holds it" file_has "$tmp/out" "  case hot-cpu (line 29): matched, adds [oncall], falls through"
check "stdout holds it" file_has "$tmp/out" "    labels.threshold IN [num:ge:90]: true (saw '90')"
check "stdout holds it" file_has "$tmp/out" "    labels.ip IN [cidr:10.0.0.0/8, cidr:fd00::/8]: false (absent)"
check "stdout holds it" file_has "$tmp/out" "  case by-team (line 52): matched, adds [checkout], falls through (labels.team = 'checkout')"
check "stdout holds it" file_has "$tmp/out" "  channels: [oncall, checkout]"
check "stdout holds it" file_has "$tmp/out" "  expected [checkout, oncall]: ok"
expect_exit 0 "$BIN" routes test samples/routes.yaml samples/volcengine/metric-recovered.json
check "stdout holds it" file_has "$tmp/out" 'event 1: Ok "Recovered: prod-ecs-cpu on checkout-api-03: CpuTotal 41.8% (threshold 90%)" (a recovery, routed with its alert'"'"'s severity Critical)'
check "stdout holds it" file_has "$tmp/out" "    severity IN [Critical, Warning]: true (saw 'Critical')"
check "stdout holds it" file_has "$tmp/out" "  channels: [oncall, checkout]"
expect_exit 1 "$BIN" routes test samples/routes.yaml samples/volcengine/nodata-firing.json --expect dba
check "stdout holds it" file_has "$tmp/out" "  default: used (the matched cases gave no channel)"
check "stdout holds it" file_has "$tmp/out" "  MISMATCH: expected [dba], got [ops]"
check "stderr holds it" file_has "$tmp/err" "cmrelay: 1 events did not route to [dba]"
"$BIN" routes test samples/routes.yaml --expect ops <samples/volcengine/nodata-firing.json >"$tmp/out" 2>&1
[ $? -eq 0 ] || fail "routes test reads standard input"
check "stdout holds it" file_has "$tmp/out" "<stdin>:1 event 1: Warning"

# convert --routes: channels on every line, the file's severity table, unrouted events.
expect_exit 0 "$BIN" convert --routes samples/routes.yaml samples/volcengine/metric-notice.json
check "stdout holds it" file_has "$tmp/out" '"event_status":"Warning"'
check "stdout holds it" file_has "$tmp/out" '"channels":["storage"]}'
expect_exit 0 "$BIN" samples/volcengine/metric-notice.json
check "stdout holds it" file_has "$tmp/out" '"event_status":"Info"'
check "stdout lacks it" file_lacks "$tmp/out" '"channels"'
cat >"$tmp/partial.json" <<'JSON'
{"channels": {"dba": {"url": "https://h/dba", "id": 3521074710131}},
 "cases": [{"if": [{"key": "labels.team", "oper": "IN", "vals": ["dba"]}], "channel_ids": [3521074710131]}]}
JSON
expect_exit 0 "$BIN" convert --routes "$tmp/partial.json" samples/volcengine/metric-multi-resource.json samples/volcengine/metric-firing.json
[ "$(grep -c '"channels":\["dba"\]}$' "$tmp/out")" = 3 ] || fail "3 events should reach dba"
[ "$(grep -c '"channels":\[\]}$' "$tmp/out")" = 1 ] || fail "1 event should reach no channel"
check "stderr holds it" file_has "$tmp/err" "cmrelay: samples/volcengine/metric-firing.json:1: event volc.metric/1856012345678901234/i-3tq8pmb1xkz2c9w0a7f1/group=ag-5e1c0d7a routed to no channel"
check "stderr holds it" file_has "$tmp/err" "cmrelay: 1 of 4 events routed to no channel"

printf 'channels:\n  a: {url: "https://h/?integration_key=${CMRELAY_NOT_SET_ANYWHERE}"}\ncases:\n  - {if: [{key: severity, oper: IN, vals: [Critical]}], channels: [b]}\n' >"$tmp/bad.yaml"
expect_exit 2 "$BIN" convert --routes "$tmp/bad.yaml" samples/volcengine/metric-firing.json
check "stderr holds it" file_has "$tmp/err" "cmrelay: $tmp/bad.yaml:4: channel 'b' used by case 1 is not declared under channels"
[ ! -s "$tmp/out" ] || fail "no events are printed when the route file is bad"
# send refuses an undefined variable (convert --routes and routes test show a placeholder).
expect_exit 2 "$BIN" send --dry-run --routes "$tmp/bad.yaml" samples/volcengine/metric-firing.json
check "stderr holds it" file_has "$tmp/err" "cmrelay: $tmp/bad.yaml:2: url of channel 'a': undefined environment variable \${CMRELAY_NOT_SET_ANYWHERE}"

# Files routes check used to call ok: an empty url, an overflowing timeout, headers and ids
# given twice, a second document, an alias bomb (which must fail fast and small), host bits.
cat >"$tmp/wrong.yaml" <<'YAML'
channels:
  a: {url: "${CMRELAY_TEST_EMPTY}", timeout: 9223372036854775807m}
  b: {url: "https://h/b", id: "05", headers: {X-Team: b, x-team: c}}
  c: {url: "https://h/c", id: 5}
cases:
  - if: [{key: labels.ip, oper: IN, vals: ["cidr:10.1.2.3/8", "cidr:::ffff:10.0.0.0/104"]}, {key: labels.v, oper: IN, vals: ["num:gt:nan"]}]
    channels: [a, b, c]
severity:
  volcengine: {notice: Ok}
  VOLCENGINE: {notice: Info}
YAML
CMRELAY_TEST_EMPTY='' expect_exit 1 "$BIN" routes check "$tmp/wrong.yaml"
cat >"$tmp/want" <<WANT
$tmp/wrong.yaml:2: url of channel 'a' is empty (after \${VAR} expansion)
$tmp/wrong.yaml:2: timeout of channel 'a': a duration is at most 1000000000s (about 31 years), not '9223372036854775807m'
$tmp/wrong.yaml:3: header 'x-team' of channel 'b' is given twice (as 'X-Team' on line 3; header names ignore case)
$tmp/wrong.yaml:4: channel id 5 is used by 'b' too
$tmp/wrong.yaml:6: malformed num: value 'num:gt:nan' (expected num:gt|ge|lt|le:NUMBER)
$tmp/wrong.yaml:6: 'cidr:10.1.2.3/8' in case 1 has host bits set: it is the range 10.0.0.0/8
$tmp/wrong.yaml:10: vendor 'VOLCENGINE' appears twice in severity (line 9)
WANT
diff -u "$tmp/want" "$tmp/out" || fail "routes check findings on wrong.yaml differ"

# A channel's timeout reads durations as the command line does: 1h, 1.5m, 2min, a bare number
# of seconds; a bad one gets the very message --timeout gives.
printf 'channels:\n  a: {url: "https://h/a", timeout: 1h}\n  b: {url: "https://h/b", timeout: 1.5m}\n  c: {url: "https://h/c", timeout: 2min}\n  d: {url: "https://h/d", timeout: 10}\ndefault: {channels: [a, b, c, d]}\n' >"$tmp/hours.yaml"
expect_exit 0 "$BIN" routes check "$tmp/hours.yaml"
check "stdout holds it" file_has "$tmp/out" "$tmp/hours.yaml: ok: 4 channels, 0 cases"
printf 'channels:\n  a: {url: "https://h/a", timeout: 1y}\ndefault: {channels: [a]}\n' >"$tmp/years.yaml"
expect_exit 1 "$BIN" routes check "$tmp/years.yaml"
expect_exit 2 "$BIN" send --dry-run --url https://h/x --timeout 1y /dev/null
grep -o "not a duration: .*" "$tmp/err" >"$tmp/cli-why"
expect_exit 1 "$BIN" routes check "$tmp/years.yaml"
check "stdout holds it" file_has "$tmp/out" "$tmp/years.yaml:2: timeout of channel 'a': $(cat "$tmp/cli-why")"
[ -s "$tmp/cli-why" ] || fail "--timeout 1y: no 'not a duration' message"

printf 'channels:\n  a: {url: "https://h/a"}\ndefault: {channels: [a]}\n---\ncases: []\n' >"$tmp/two.yaml"
expect_exit 2 "$BIN" convert --routes "$tmp/two.yaml" samples/volcengine/metric-firing.json
check "stderr holds it" file_has "$tmp/err" "cmrelay: $tmp/two.yaml:4: more than one YAML document"

printf 'a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n' >"$tmp/bomb.yaml"
for i in 1 2 3 4 5 6 7 8; do
  p="*a$((i - 1))"
  printf 'a%d: &a%d [%s,%s,%s,%s,%s,%s,%s,%s,%s,%s]\n' "$i" "$i" "$p" "$p" "$p" "$p" "$p" "$p" "$p" "$p" "$p" "$p" >>"$tmp/bomb.yaml"
done
# Within 1 GB of address space; under AddressSanitizer, whose shadow memory needs far more
# address space than it uses, within 20 seconds instead.
if ldd "$BIN" 2>/dev/null | grep -q libasan; then
  timeout 20 "$BIN" routes check "$tmp/bomb.yaml" >"$tmp/out" 2>"$tmp/err"
else
  (ulimit -v 1048576; exec "$BIN" routes check "$tmp/bomb.yaml") >"$tmp/out" 2>"$tmp/err"
fi
[ $? -eq 1 ] || fail "an alias bomb is one finding (exit 1), within 1 GB (or 20 s under ASan)"
grep -qE "^$tmp/bomb.yaml:[0-9]+: route file too large \(more than 100000 nodes; aliases\?\)$" "$tmp/out" || fail "alias bomb: $(head -c 300 "$tmp/out" "$tmp/err")"

# A mapped IPv6 address meets an IPv4 range; a Windows path wildcard keeps its backslashes.
cat >"$tmp/mapped.yaml" <<'YAML'
channels:
  net: {url: "https://h/net"}
  logs: {url: "https://h/logs"}
cases:
  - {if: [{key: labels.ip, oper: IN, vals: ["cidr:10.0.0.0/8"]}], channels: [net], fallthrough: true}
  - {if: [{key: labels.file, oper: IN, vals: ['C:\logs\app-*.log']}], channels: [logs]}
YAML
cat >"$tmp/mapped-tests.yaml" <<'YAML'
tests:
  - {name: mapped, event: {labels: {ip: "::ffff:10.1.2.3"}}, expect: [net]}
  - {name: path, event: {labels: {file: 'C:\logs\app-1.log'}}, expect: [logs]}
  - {name: other, event: {labels: {ip: "::ffff:11.1.2.3", file: 'C:\logs\web-1.log'}}, expect: []}
YAML
expect_exit 0 "$BIN" routes test "$tmp/mapped.yaml" --cases "$tmp/mapped-tests.yaml"
[ "$(tail -1 "$tmp/out")" = "3 passed, 0 failed" ] || fail "mapped/path cases: $(cat "$tmp/out")"

expect_exit 2 "$BIN" routes
expect_exit 2 "$BIN" routes test
"$BIN" --help >"$tmp/out" 2>&1
check "stdout holds it" file_has "$tmp/out" "routes"
"$BIN" convert --help >"$tmp/out" 2>&1
check "stdout holds it" file_has "$tmp/out" "--routes"

# routes test and convert --routes run without the real secrets: an undefined ${VAR} in a
# url or header becomes <unset:VAR>, said once per variable; send still refuses it.
cat >"$tmp/unset.yaml" <<'YAML'
channels:
  ops:
    url: https://api.flashcat.cloud/event/push/alert/standard?integration_key=${CMRELAY_TEST_UNSET_KEY}
    headers: {X-Token: "${CMRELAY_TEST_UNSET_TOKEN}"}
  dba:
    url: ${CMRELAY_TEST_UNSET_URL}
cases:
  - if: [{key: labels.format, oper: IN, vals: [volc.metric]}]
    channels: [dba]
default:
  channels: [ops]
YAML
unset CMRELAY_TEST_UNSET_KEY CMRELAY_TEST_UNSET_TOKEN CMRELAY_TEST_UNSET_URL
expect_exit 0 "$BIN" routes test "$tmp/unset.yaml" samples/volcengine/metric-firing.json --expect dba
[ "$(grep -c 'is not set: shown as <unset:' "$tmp/err")" = 3 ] || fail "one line per unset variable"
check "stderr holds it" file_has "$tmp/err" "cmrelay: $tmp/unset.yaml: \${CMRELAY_TEST_UNSET_URL} is not set: shown as <unset:CMRELAY_TEST_UNSET_URL> here (send refuses it)"
expect_exit 0 "$BIN" convert --routes "$tmp/unset.yaml" samples/volcengine/metric-firing.json
check "stdout holds it" file_has "$tmp/out" '"channels":["dba"]'
expect_exit 2 "$BIN" send --dry-run --routes "$tmp/unset.yaml" samples/volcengine/metric-firing.json
check "stderr holds it" file_has "$tmp/err" "undefined environment variable \${CMRELAY_TEST_UNSET_KEY}"

finish
