#!/usr/bin/env bash
# cmrelay serve reloading its routes (SIGHUP) to move alerts from one channel to another,
# against the real process: a new route file that keeps the old channel declared but routes
# nothing to it is taken (routes check warns, exit 0); after the reload new alerts follow the
# new routes, while the recovery of an alert opened before still reaches the channel its
# alert reached (and closes it there); once that is closed, the old channel can go.
. "$(dirname "$0")/../lib.bash"
start_sink
TOKEN=tok-$RANDOM-reload
printf '%s\n' "$TOKEN" >"$tmp/tokens"
routes() {  # routes DEFAULT INFO [DECLARED...]: the route file: Info events to INFO ("": no case), the rest to DEFAULT.
  local default=$1 info=$2 ch
  shift 2
  {
    echo "channels:"
    for ch in "$@"; do echo "  $ch: {url: \"http://127.0.0.1:$port/s/200/reload\", headers: {X-Channel: $ch}}"; done
    [ -n "$info" ] && echo "cases: [{if: [{key: severity, oper: IN, vals: [Info]}], channels: [$info]}]"
    echo "default: {channels: [$default]}"
  } >"$tmp/routes.yaml"
}
volc=$SRC/samples/volcengine
key_a=$("$BIN" "$volc/metric-firing.json" | jq -r .alert_key)
key_b=$("$BIN" "$volc/nodata-firing.json" | jq -r .alert_key)
# seen KEY STATUS: the channels the sink saw KEY's events of STATUS at, sorted, on one line.
seen() {
  jq -r --arg k "$1" --arg s "$2" 'select(.path == "/s/200/reload" and .alert_key == $k and .event_status == $s)
    | .headers["x-channel"]' "$tmp/sink.log" | sort | tr '\n' ' '
}
saw() { [ "$(seen "$1" "$2")" = "$3" ]; }
open_alerts() { "$BIN" alerts --state "$tmp/state.db" --format ndjson | jq -r '.alert_key + " " + (.channels | join(","))' | sort; }

routes dba ops dba ops
start_serve r.log --spool "$tmp/spool" --token-file "$tmp/tokens" --routes "$tmp/routes.yaml" \
  --state "$tmp/state.db" --dead-letter "$tmp/dead"
check "alert A fires: 200" eq "$(post "/hook/$TOKEN" "$volc/metric-firing.json")" 200
check "A reaches dba" wait_until 10 saw "$key_a" Critical "dba "

# Everything now goes to ops; dba stays declared so that A can still close there.
routes ops "" dba ops
"$BIN" routes check "$tmp/routes.yaml" >"$tmp/check.out" 2>&1
check "routes check: exit 0 for a channel kept declared" eq "$?" 0
check "routes check: says why it is kept, as a warning" grep -q "warning: channel 'dba' is declared but no case or default routes to it" "$tmp/check.out"
kill -HUP "$serve_pid"
check "the reload is done (not failed)" wait_until 5 grep -q 'serve: reload outcome=done' "$tmp/r.log"
check "and the warning is said" grep -q "warning: channel 'dba' is declared but no case" "$tmp/r.log"
check "alert B fires after the reload: 200" eq "$(post "/hook/$TOKEN" "$volc/nodata-firing.json")" 200
check "B follows the new routes: ops only" wait_until 10 saw "$key_b" Warning "ops "
check "A recovers: 200" eq "$(post "/hook/$TOKEN" "$volc/metric-recovered.json")" 200
check "A's recovery reaches dba (where A went) and ops (the new route)" wait_until 10 saw "$key_a" Ok "dba ops "
check "A is closed; B is open at ops" wait_until 5 eval '[ "$(open_alerts)" = "$key_b ops" ]'

# dba removed once A is closed: B's recovery goes to ops.
routes ops "" ops
kill -HUP "$serve_pid"
check "reloaded without dba" wait_until 5 eval '[ "$(grep -c "reload outcome=done" "$tmp/r.log")" -eq 2 ]'
check "B recovers: 200" eq "$(post "/hook/$TOKEN" "$volc/nodata-recovered.json")" 200
check "B's recovery reaches ops" wait_until 10 saw "$key_b" Ok "ops "
check "nothing dead-lettered" eq "$(wc -c <"$tmp/dead" 2>/dev/null || echo 0)" 0
stop_serve
check "serve exits 0" eq "$serve_rc" 0
finish
