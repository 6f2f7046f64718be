#!/usr/bin/env bash
# cmrelay send --routes: each event goes to every channel its route picks, with the
# channel's headers and timeout; dead-letter records replay to their own channel.
. "$(dirname "$0")/../lib.bash"
start_sink
export SEND_TEST_KEY=$SECRET
cat >"$tmp/routes.yaml" <<EOF
channels:
  dba:  {url: "http://127.0.0.1:$port/s/200?integration_key=\${SEND_TEST_KEY}", headers: {X-Team: dba, Authorization: "Bearer \${SEND_TEST_KEY}"}}
  ops:  {url: "http://127.0.0.1:$port/s/400?integration_key=\${SEND_TEST_KEY}"}
  slow: {url: "http://127.0.0.1:$port/s/hang5", timeout: 300ms}
  fix:  {url: "http://127.0.0.1:$port/s/200?token=\${SEND_TEST_KEY}&fixed=1"}
cases:
  - if: [{key: labels.team, oper: IN, vals: [dba]}]
    channels: [dba]
    fallthrough: true
  - if: [{key: labels.team, oper: IN, vals: [dba, ops]}]
    channels: [ops]
  - if: [{key: labels.team, oper: IN, vals: [slow]}]
    channels: [slow]
  - if: [{key: labels.team, oper: IN, vals: [fixed]}]
    channels: [fix]
EOF

# team_events PREFIX TEAM N: N events labelled team=TEAM.
team_events() {
  local i
  for i in $(seq "$3"); do
    printf '{"event_status":"Warning","title_rule":"%s %d","alert_key":"%s-%d","labels":{"team":"%s"}}\n' \
      "$1" "$i" "$1" "$i" "$2"
  done
}
{ team_events rd dba 2; team_events ro ops 1; team_events rs slow 1; team_events rn nobody 1; } >"$tmp/in"

"$BIN" send --routes "$tmp/routes.yaml" --dead-letter "$tmp/dead" --stats json --max-attempts 1 "$tmp/in" \
  >"$tmp/stats" 2>"$tmp/err"
check "routes: exit 3" eq "$?" 3
touch "$tmp/dead"
# The unrouted event is dead-lettered too, with no channel (a replay routes it again).
check "routes: unrouted dead-lettered" eq "$(jq -c 'select(.channel == "") | [.error, .attempts, .event.alert_key]' "$tmp/dead")" \
  '["routed to no channel",0,"rn-1"]'
grep -v '"channel":""' "$tmp/dead" >"$tmp/dead.routed"; mv "$tmp/dead.routed" "$tmp/dead"
# 2 dba events x (dba + ops) + 1 ops + 1 slow = 6 requests; 1 unrouted.
conserved "routes" 6
check "routes: unrouted counted" eq "$(stats unrouted)" 1
check "routes: unrouted said" grep -q "event rn-1 routed to no channel" "$tmp/err"
check "routes: per channel" eq "$(jq -c '[.channels[] | [.name, .events, .delivered, .dead_lettered]]' "$tmp/stats")" \
  '[["dba",2,2,0],["ops",3,0,3],["slow",1,0,1]]'
check "routes: dba got its headers" eq "$(jq -r 'select(.alert_key | startswith("rd-")) | select(.path == "/s/200") | "\(.headers["x-team"]) \(.headers.authorization == "Bearer " + "'"$SECRET"'")"' "$tmp/sink.log" | sort -u)" "dba true"
# Its own 300 ms, not the default: curl says when it gave up, later than 300 ms on a busy machine.
check "routes: slow's own 300 ms timeout" grep -qE "timed out after ([3-9][0-9][0-9]|1[0-9]{3}) milliseconds" "$tmp/dead"
check "routes: records name their channel" eq "$(jq -r .channel "$tmp/dead" | sort | tr '\n' ' ')" "ops ops ops slow "

# Replay with --routes: each record goes back to its own channel only (not dba again),
# here after the route file's ops channel was fixed.
sed -i "s|/s/400?integration_key|/s/200?integration_key|" "$tmp/routes.yaml"
mv "$tmp/dead" "$tmp/replay"
before=$(wc -l <"$tmp/sink.log")
"$BIN" send --routes "$tmp/routes.yaml" --dead-letter "$tmp/dead" --stats json --max-attempts 1 \
  --replay <(grep '"channel":"ops"' "$tmp/replay") >"$tmp/stats" 2>"$tmp/err"
check "replay: exit 0" eq "$?" 0
touch "$tmp/dead"
conserved "replay" 3
check "replay: only to ops" eq "$(jq -c '[.channels[] | [.name, .delivered]]' "$tmp/stats")" '[["ops",3]]'
check "replay: 3 requests" eq "$(($(wc -l <"$tmp/sink.log") - before))" 3

# --dry-run with routes: one line per (event, channel).
"$BIN" send --routes "$tmp/routes.yaml" --dry-run "$tmp/in" >"$tmp/dry" 2>"$tmp/err"
check "dry run: one line per request" eq "$(jq -r .channel "$tmp/dry" | sort | uniq -c | awk '{print $2 "=" $1}' | tr '\n' ' ')" \
  "dba=2 ops=3 slow=1 "
check "dry run: no secret" eq "$(cat "$tmp/dry" "$tmp/err" | grep -c "$SECRET")" 0

# Usage: --routes and --url exclude each other; a bad route file or channel URL is exit 2.
"$BIN" send --routes "$tmp/routes.yaml" --url "http://127.0.0.1:$port/x" "$tmp/in" >/dev/null 2>&1
check "--routes with --url: exit 2" eq "$?" 2
printf 'channels:\n  a: {url: "http://h/x"}\ncases:\n  - if: [{key: severity, oper: LIKE, vals: [x]}]\n    channels: [a]\n' >"$tmp/bad.yaml"
"$BIN" send --routes "$tmp/bad.yaml" "$tmp/in" >/dev/null 2>"$tmp/err"
check "bad route file: exit 2" eq "$?" 2
check "bad route file: FILE:LINE" grep -q "bad.yaml:4:" "$tmp/err"
unset SEND_TEST_KEY
"$BIN" send --routes "$tmp/routes.yaml" "$tmp/in" >/dev/null 2>"$tmp/err"
check "undefined variable: exit 2" eq "$?" 2

finish
