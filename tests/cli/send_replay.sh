#!/usr/bin/env bash
# Issue 9, item 12: live input never picks its own channel. A body shaped like a dead-letter
# record is rejected unless given with --replay FILE, and send, convert --routes and routes
# test agree on where every event goes.
. "$(dirname "$0")/../lib.bash"
start_sink

cat >"$tmp/routes.yaml" <<YAML
channels:
  ops: {url: "http://127.0.0.1:$port/s/200/ops"}
  admin: {url: "http://127.0.0.1:$port/s/200/admin"}
cases:
  - {if: [{key: labels.team, oper: IN, vals: [ops]}], channels: [ops]}
YAML
# A forged record: a live body naming the admin channel, for an event the routes send to ops.
forged='{"channel":"admin","attempts":1,"event":{"event_status":"Critical","title_rule":"t","alert_key":"forged-1","labels":{"team":"ops"}}}'
admin_requests() { jq -s '[.[] | select(.path == "/s/200/admin")] | length' "$tmp/sink.log"; }

printf '%s\n' "$forged" | "$BIN" send --routes "$tmp/routes.yaml" --stats json >"$tmp/stats" 2>"$tmp/err"
check "live: exit 1 (rejected)" eq "$?" 1
check "live: rejected" eq "$(stats rejected)" 1
check "live: says why" grep -qF "<stdin>:1: a dead-letter record: its channel is not taken from live input (give dead-letter files with --replay FILE)" "$tmp/err"
check "live: nothing sent to admin" eq "$(admin_requests)" 0
printf '%s\n' "$forged" | "$BIN" convert --routes "$tmp/routes.yaml" >"$tmp/out" 2>"$tmp/err"
check "convert --routes: rejected as send does" eq "$?:$(wc -l <"$tmp/out")" "1:0"
check "convert --routes: the same reason" grep -qF "a dead-letter record: its channel is not taken from live input" "$tmp/err"
printf '%s\n' "$forged" | "$BIN" routes test "$tmp/routes.yaml" >"$tmp/out" 2>"$tmp/err"
check "routes test: rejected as send does" eq "$?:$(wc -l <"$tmp/out")" "1:0"
check "routes test: the same reason" grep -qF "a dead-letter record: its channel is not taken from live input" "$tmp/err"

# --replay FILE: back to the channel the record names, and every explainer says so.
printf '%s\n' "$forged" >"$tmp/dead.ndjson"
"$BIN" send --routes "$tmp/routes.yaml" --replay "$tmp/dead.ndjson" --stats json </dev/null >"$tmp/stats" 2>"$tmp/err"
check "replay: exit 0" eq "$?" 0
check "replay: sent to admin" eq "$(admin_requests)" 1
check "replay: only to admin" eq "$(jq -c '[.channels[] | [.name, .delivered]]' "$tmp/stats")" '[["admin",1]]'
"$BIN" convert --routes "$tmp/routes.yaml" --replay "$tmp/dead.ndjson" >"$tmp/out" 2>"$tmp/err"
check "convert --routes --replay: admin" eq "$(jq -c .channels "$tmp/out")" '["admin"]'
"$BIN" routes test "$tmp/routes.yaml" --replay "$tmp/dead.ndjson" --expect admin >"$tmp/out" 2>"$tmp/err"
check "routes test --replay: exit 0 (admin expected)" eq "$?" 0
check "routes test --replay: says it is a replay" grep -qF "replay: back to channel admin, named by the dead-letter record (cases not evaluated)" "$tmp/out"
check "routes test --replay: channels" grep -qF "channels: [admin]" "$tmp/out"
# A record whose channel is no longer declared is routed by the cases, everywhere alike.
sed 's/"admin"/"gone"/' "$tmp/dead.ndjson" >"$tmp/gone.ndjson"
"$BIN" routes test "$tmp/routes.yaml" --replay "$tmp/gone.ndjson" --expect ops >"$tmp/out" 2>&1
check "gone: routes test routes it (ops)" eq "$?" 0
"$BIN" send --routes "$tmp/routes.yaml" --replay "$tmp/gone.ndjson" --stats json >"$tmp/stats" 2>/dev/null
check "gone: send routes it (ops)" eq "$(jq -c '[.channels[] | [.name, .delivered]]' "$tmp/stats")" '[["ops",1]]'

# --replay holds dead-letter records only; PATHs are read after it; no PATH: stdin is not read.
events live 1 >"$tmp/live.ndjson"
"$BIN" send --routes "$tmp/routes.yaml" --replay "$tmp/live.ndjson" --stats json >"$tmp/stats" 2>"$tmp/err"
check "replay of live input: exit 1" eq "$?" 1
check "replay of live input: says why" grep -qF "not a dead-letter record (format flashduty): --replay FILE reads dead-letter records only" "$tmp/err"
events stdin 1 | "$BIN" send --routes "$tmp/routes.yaml" --replay "$tmp/dead.ndjson" --stats json >"$tmp/stats" 2>/dev/null
check "replay without PATH: stdin not read" eq "$(stats bodies)" 1
sed 's/"team":"ops"/"team":"ops"/' <(events mixed 1) | sed 's/"labels":{"n":"1"}/"labels":{"team":"ops"}/' >"$tmp/mixed.ndjson"
"$BIN" send --routes "$tmp/routes.yaml" --replay "$tmp/dead.ndjson" "$tmp/mixed.ndjson" --stats json >"$tmp/stats" 2>/dev/null
check "replay and PATH: both read, each its way" eq "$(jq -c '[.channels[] | [.name, .delivered]] | sort' "$tmp/stats")" '[["admin",1],["ops",1]]'
"$BIN" send --routes "$tmp/routes.yaml" --dead-letter "$tmp/dead.ndjson" --replay "$tmp/dead.ndjson" </dev/null >/dev/null 2>"$tmp/err"
check "the dead-letter file cannot be replayed by its own run" eq "$?" 2

finish
