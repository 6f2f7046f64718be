#!/usr/bin/env bash
# send's open-alert state: a recovery reaches every channel its alert reached, in one run
# and across runs, with the route file changed in between, with two runs at once; cmrelay
# alerts lists and forgets; a corrupt or unusable state delivers anyway and exits 8.
. "$(dirname "$0")/../lib.bash"
start_sink
S=$SRC/samples/volcengine
# The issue's route file: Critical to dba, the rest to ops, and a condition on the value.
routes() {  # routes FILE [CRITICAL_CHANNEL]
  cat >"$1" <<EOF
channels:
  dba:   {url: "http://127.0.0.1:$port/s/200", headers: {X-Channel: dba}}
  hot:   {url: "http://127.0.0.1:$port/s/200", headers: {X-Channel: hot}}
  ops:   {url: "http://127.0.0.1:$port/s/200", headers: {X-Channel: ops}}
  pager: {url: "http://127.0.0.1:$port/s/200", headers: {X-Channel: pager}}
  flaky: {url: "http://127.0.0.1:$port/s/400", headers: {X-Channel: flaky}}
cases:
  - {if: [{key: severity, oper: IN, vals: [Critical]}], channels: [${2:-dba}], fallthrough: true}
  - {if: [{key: labels.current_value, oper: IN, vals: ["num:ge:95"]}], channels: [hot], fallthrough: true}
  - {if: [{key: labels.team, oper: IN, vals: [flaky]}], channels: [flaky]}
default: {channels: [ops]}
EOF
}
routes "$tmp/routes.yaml"
# channels_of KEY STATUS: the channels the sink saw that alert's events of that status at, sorted.
channels_of() {
  jq -r --arg k "$1" --arg s "$2" 'select(.alert_key == $k and .event_status == $s) | .headers["x-channel"]' \
    "$tmp/sink.log" | sort | tr '\n' ' '
}
key=$("$BIN" "$S/metric-firing.json" | jq -r .alert_key)
run() {  # run STATE [OPTIONS...] INPUT...: send with the route file; rc, $tmp/err
  local state=$1
  shift
  "$BIN" send --routes "$tmp/routes.yaml" --state "$state" --dead-letter "$tmp/dead" --max-attempts 1 "$@" \
    >"$tmp/out" 2>"$tmp/err"
  rc=$?
}

# One run: the firing event reaches dba and hot (96.35 >= 95); its recovery (41.8, severity
# Critical from Level) by the route alone only dba, with the state hot too.
run "$tmp/one.db" "$S/metric-firing.json" "$S/metric-recovered.json"
check "one run: exit 0" eq "$rc" 0
check "one run: firing at dba and hot" eq "$(channels_of "$key" Critical)" "dba hot "
check "one run: recovery at dba and hot" eq "$(channels_of "$key" Ok)" "dba hot "
check "one run: nothing left open" eq "$("$BIN" alerts --state "$tmp/one.db" | wc -l)" 0

# Without the state, the recovery strands hot: the failure the state exists for.
: >"$tmp/sink.log"
run none "$S/metric-firing.json" "$S/metric-recovered.json"
check "--state none: recovery at dba only" eq "$(channels_of "$key" Ok)" "dba "

# Two runs (cron): the firing in one, the recovery in the next. The default location is
# $XDG_STATE_HOME/cmrelay/state.db.
: >"$tmp/sink.log"
"$BIN" send --routes "$tmp/routes.yaml" --max-attempts 1 "$S/metric-firing.json" 2>"$tmp/err"
check "run 1: exit 0" eq "$?" 0
check "default location under XDG_STATE_HOME" test -s "$XDG_STATE_HOME/cmrelay/state.db"
check "state file is the user's alone" eq "$(command stat -c %a "$XDG_STATE_HOME/cmrelay/state.db")" 600
"$BIN" alerts >"$tmp/open"
check "alerts: one open alert" eq "$(wc -l <"$tmp/open")" 1
check "alerts: key, severity, title, channels" eq \
  "$(jq -c '[.alert_key == "'"$key"'", .severity, .title, .channels, (.first_seen | test("^20[0-9-]+T[0-9:]+Z$"))]' "$tmp/open")" \
  '[true,"Critical","prod-ecs-cpu on checkout-api-03: CpuTotal 96.35% (threshold 90%)",["dba","hot"],true]'
"$BIN" alerts --format table >"$tmp/table"
check "alerts: a table on request" grep -q "^ALERT_KEY  *SEVERITY  *FIRST_SEEN  *LAST_SEEN  *CHANNELS  *TITLE" "$tmp/table"
"$BIN" alerts >/dev/full 2>/dev/null
check "alerts > /dev/full: exit 7" eq "$?" 7
"$BIN" alerts --format table >/dev/full 2>/dev/null
check "alerts --format table > /dev/full: exit 7" eq "$?" 7
check "alerts: the count" grep -q "^1 open alerts in $XDG_STATE_HOME/cmrelay/state.db" "$tmp/table"
"$BIN" send --routes "$tmp/routes.yaml" --max-attempts 1 "$S/metric-recovered.json" 2>"$tmp/err"
check "run 2: exit 0" eq "$?" 0
check "run 2: recovery at dba and hot" eq "$(channels_of "$key" Ok)" "dba hot "
check "run 2: closed" eq "$("$BIN" alerts | wc -l)" 0

# The route file changed between the runs: Critical now goes to pager. The recovery reaches
# pager (its route) and dba and hot (where the alert went).
: >"$tmp/sink.log"
run "$tmp/changed.db" "$S/metric-firing.json"
routes "$tmp/routes.yaml" pager
run "$tmp/changed.db" "$S/metric-recovered.json"
check "route changed: recovery at dba, hot and pager" eq "$(channels_of "$key" Ok)" "dba hot pager "
routes "$tmp/routes.yaml"

# A channel the route file no longer declares: said once, the rest still closed.
: >"$tmp/sink.log"
run "$tmp/gone.db" "$S/metric-firing.json"
sed -i '/^  hot:/d; s/channels: \[hot\]/channels: [ops]/' "$tmp/routes.yaml"
run "$tmp/gone.db" "$S/metric-recovered.json"
check "channel gone: recovery at dba" eq "$(channels_of "$key" Ok)" "dba "
check "channel gone: said" grep -q "was sent to channel 'hot', which $tmp/routes.yaml no longer declares" "$tmp/err"
check "channel gone: hot stays open" eq "$("$BIN" alerts --state "$tmp/gone.db" | jq -c .channels)" '["hot"]'
routes "$tmp/routes.yaml"

# Standard events (no severity on recovery): the state's severity routes the recovery, and
# a recovery dead-lettered at one channel leaves the alert open there.
cat >"$tmp/std-fire" <<'EOF'
{"event_status":"Critical","title_rule":"disk 99%","alert_key":"std-1","labels":{"current_value":"99","team":"flaky"}}
EOF
cat >"$tmp/std-ok" <<'EOF'
{"event_status":"Ok","title_rule":"disk 10%","alert_key":"std-1","labels":{"current_value":"10"}}
EOF
: >"$tmp/sink.log"
run "$tmp/std.db" "$tmp/std-fire"
check "std: firing dead-lettered at flaky: exit 3" eq "$rc" 3
run "$tmp/std.db" "$tmp/std-ok"
check "std: recovery by the remembered severity and the memory" eq "$(channels_of std-1 Ok)" "dba flaky hot "
check "std: exit 3 (flaky refused the recovery)" eq "$rc" 3
check "std: open at flaky only" eq "$("$BIN" alerts --state "$tmp/std.db" | jq -c .channels)" '["flaky"]'
# Replaying the dead-lettered recovery to flaky, fixed now, closes the alert there.
grep '"event_status":"Ok"' "$tmp/dead" >"$tmp/replay"
check "std: the recovery was dead-lettered at flaky" eq "$(jq -r .channel "$tmp/replay")" flaky
rm -f "$tmp/dead"
sed -i 's|/s/400", headers: {X-Channel: flaky}|/s/200", headers: {X-Channel: flaky}|' "$tmp/routes.yaml"
run "$tmp/std.db" --replay "$tmp/replay"
check "replay: exit 0" eq "$rc" 0
check "replay: closed" eq "$("$BIN" alerts --state "$tmp/std.db" | wc -l)" 0
routes "$tmp/routes.yaml"

# Forgetting: one, an unknown one (exit 1), all.
run "$tmp/std.db" "$tmp/std-fire"
"$BIN" alerts --state "$tmp/std.db" --forget std-1 2>"$tmp/err"
check "forget: exit 0" eq "$?" 0
check "forget: gone" eq "$("$BIN" alerts --state "$tmp/std.db" | wc -l)" 0
"$BIN" alerts --state "$tmp/std.db" --forget std-1 2>"$tmp/err"
check "forget unknown: exit 1" eq "$?" 1
check "forget unknown: said" grep -q "cmrelay: alerts: std-1 is not open" "$tmp/err"
# A key the table shows escaped (a tab, an escape character) is forgotten as it was shown.
printf '{"event_status":"Critical","title_rule":"t","alert_key":"odd\\tkey\\u001b[1m"}\n' >"$tmp/odd"
run "$tmp/std.db" "$tmp/odd"
shown=$("$BIN" alerts --state "$tmp/std.db" --format table | awk 'NR == 2 { print $1 }')
check "an odd key is shown escaped" eq "$shown" 'odd\tkey\x1b[1m'
"$BIN" alerts --state "$tmp/std.db" --forget "$shown" 2>"$tmp/err"
check "forget the key as shown: exit 0" eq "$?" 0
check "forget the key as shown: gone" eq "$("$BIN" alerts --state "$tmp/std.db" | wc -l)" 0
run "$tmp/std.db" "$tmp/std-fire" "$S/metric-firing.json"
"$BIN" alerts --state "$tmp/std.db" --forget-all 2>"$tmp/err"
check "forget all: said" grep -q "forgot 2 open alerts" "$tmp/err"
check "forget all: empty" eq "$("$BIN" alerts --state "$tmp/std.db" | wc -l)" 0

# Two runs at once share the state: each fires 150 alerts, then one run recovers all 300;
# every recovery reaches the two channels its alert reached.
for r in a b; do
  for i in $(seq 150); do
    printf '{"event_status":"Critical","title_rule":"t","alert_key":"c%s-%d","labels":{"current_value":"99"}}\n' "$r" "$i"
  done >"$tmp/fire-$r"
  sed 's/"Critical"/"Ok"/; s/"99"/"1"/' "$tmp/fire-$r" >"$tmp/ok-$r"
done
: >"$tmp/sink.log"
"$BIN" send --routes "$tmp/routes.yaml" --state "$tmp/both.db" --max-attempts 1 "$tmp/fire-a" 2>"$tmp/err-a" &
pa=$!
"$BIN" send --routes "$tmp/routes.yaml" --state "$tmp/both.db" --max-attempts 1 "$tmp/fire-b" 2>"$tmp/err-b" &
pb=$!
wait $pa; ra=$?
wait $pb; rb=$?
check "at once: both exit 0" eq "$ra $rb" "0 0"
check "at once: 300 open" eq "$("$BIN" alerts --state "$tmp/both.db" | wc -l)" 300
run "$tmp/both.db" "$tmp/ok-a" "$tmp/ok-b"
check "at once: recoveries exit 0" eq "$rc" 0
check "at once: every recovery at dba and hot" eq \
  "$(jq -r 'select(.event_status == "Ok") | .alert_key + " " + .headers["x-channel"]' "$tmp/sink.log" | sort -u | wc -l)" 600
check "at once: all closed" eq "$("$BIN" alerts --state "$tmp/both.db" | wc -l)" 0

# A corrupt state file: one line, every event delivered by its route anyway, exit 8.
head -c 8192 /dev/urandom >"$tmp/corrupt.db"
: >"$tmp/sink.log"
run "$tmp/corrupt.db" "$S/metric-firing.json" "$S/metric-recovered.json"
check "corrupt: exit 8" eq "$rc" 8
check "corrupt: one line" eq "$(grep -c '^cmrelay: state ' "$tmp/err")" 1
check "corrupt: names the file and the reason" grep -q "^cmrelay: state $tmp/corrupt.db: .*file is not a database" "$tmp/err"
check "corrupt: firing delivered" eq "$(channels_of "$key" Critical)" "dba hot "
check "corrupt: recovery delivered by its route" eq "$(channels_of "$key" Ok)" "dba "
check "corrupt: file left as it was" eq "$(command stat -c %s "$tmp/corrupt.db")" 8192
"$BIN" alerts --state "$tmp/corrupt.db" >/dev/null 2>"$tmp/err"
check "corrupt: alerts exit 8" eq "$?" 8
# A state that cannot be created: said once, every event delivered anyway, exit 8.
run /proc/cmrelay/state.db "$S/metric-firing.json"
check "uncreatable: exit 8" eq "$rc" 8
check "uncreatable: said" grep -q "^cmrelay: state /proc/cmrelay/state.db: cannot create its directory" "$tmp/err"
check "uncreatable: still delivered" grep -q "2 delivered" "$tmp/err"

# routes test --state shows what send does for a recovery: the firing (96.35) went to dba and
# hot; its recovery (41.8) goes to dba by the route file alone, and to hot too from the state,
# in routes test --state and send --dry-run alike. Neither writes the state.
run "$tmp/rt.db" "$S/metric-firing.json"
check "routes test --state: the firing was sent" eq "$rc" 0
"$BIN" routes test "$tmp/routes.yaml" --state "$tmp/rt.db" "$S/metric-recovered.json" >"$tmp/rt" 2>"$tmp/err"
check "routes test --state: exit 0" eq "$?" 0
check "routes test --state: what the state added" file_has "$tmp/rt" "  state: its alert went to [dba, hot], adds [hot]"
check "routes test --state: the recovery's channels" eq "$(grep '^  channels:' "$tmp/rt")" "  channels: [dba, hot]"
run "$tmp/rt.db" --dry-run "$S/metric-recovered.json"
check "send --dry-run names the same channels" eq "$(jq -r .channel "$tmp/out" | tr '\n' ' ')" "dba hot "
"$BIN" routes test "$tmp/routes.yaml" --state "$tmp/rt.db" --expect hot,dba "$S/metric-recovered.json" >/dev/null 2>&1
check "routes test --state --expect checks those channels" eq "$?" 0
check "neither wrote the state" eq "$("$BIN" alerts --state "$tmp/rt.db" | jq -c .channels)" '["dba","hot"]'
"$BIN" routes test "$tmp/routes.yaml" "$S/metric-recovered.json" >"$tmp/rt" 2>"$tmp/err"
check "routes test without --state: the route file alone" eq "$(grep '^  channels:' "$tmp/rt")" "  channels: [dba]"
check "without --state: no state line" file_lacks "$tmp/rt" "state:"
"$BIN" routes test "$tmp/routes.yaml" --state none "$S/metric-recovered.json" >"$tmp/rt" 2>"$tmp/err"
check "routes test --state none: the route file alone" eq "$(grep '^  channels:' "$tmp/rt")" "  channels: [dba]"
"$BIN" routes test "$tmp/routes.yaml" --state "$tmp/absent.db" "$S/metric-recovered.json" >"$tmp/rt" 2>"$tmp/err"
check "routes test --state MISSING: an empty state, exit 0" eq "$?:$(grep '^  channels:' "$tmp/rt")" "0:  channels: [dba]"
check "routes test --state MISSING: not created" test ! -e "$tmp/absent.db"
"$BIN" routes test "$tmp/routes.yaml" --state "$tmp/corrupt.db" "$S/metric-recovered.json" >"$tmp/rt" 2>"$tmp/err"
check "routes test --state CORRUPT: exit 8" eq "$?" 8
check "routes test --state CORRUPT: said" grep -q "^cmrelay: state $tmp/corrupt.db: " "$tmp/err"
"$BIN" routes test "$tmp/routes.yaml" --state "$tmp/rt.db" --cases "$SRC/samples/routes-tests.yaml" 2>"$tmp/err"
check "routes test --cases --state: usage error" eq "$?" 2
# The state is SQLite, which only cmrelay-full loads: the light binary hands the run over (no
# cmrelay-full beside it: it says so), and runs routes test without --state itself.
mkdir "$tmp/alone" && cp "$BIN" "$tmp/alone/cmrelay"
"$tmp/alone/cmrelay" routes test "$tmp/routes.yaml" --state "$tmp/rt.db" "$S/metric-recovered.json" >/dev/null 2>"$tmp/err"
check "light binary alone: routes test --state needs cmrelay-full" eq "$?:$(grep -c 'cmrelay-full' "$tmp/err")" "2:1"
"$tmp/alone/cmrelay" routes test "$tmp/routes.yaml" "$S/metric-recovered.json" >/dev/null 2>"$tmp/err"
check "light binary alone: routes test runs itself" eq "$?" 0

# --dry-run reads the state but writes nothing.
run "$tmp/dry.db" --dry-run "$S/metric-firing.json"
check "dry run: no state created" test ! -e "$tmp/dry.db"

finish
