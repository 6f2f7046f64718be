#!/usr/bin/env bash
# cmrelay serve --log-format json, against the real process: every line it writes on stderr
# is one JSON object with a time and a kind, the diagnostics of other layers included (a route
# file's warnings, a state that cannot be opened, a body that cannot be decoded, a reload
# refused, an event dead-lettered to stderr, a usage error).
. "$(dirname "$0")/../lib.bash"
start_sink
TOKEN=tok-$RANDOM-log
printf '%s\n' "$TOKEN" >"$tmp/tokens"
cat >"$tmp/routes.yaml" <<YAML
channels:
  ops: {url: "http://127.0.0.1:$port/s/200?integration_key=$SECRET"}
cases:
  - {if: [{key: labels.current_value, oper: IN, vals: ["/.*/"]}], channels: [ops]}
  - {if: [{key: labels.source, oper: IN, vals: [volcengine]}], channels: [ops]}
YAML
# all_json FILE: every line one JSON object with "time" and "kind" (or a dead-letter record,
# with "time" and "event", as the dead-letter file holds it); prints the first that is not.
all_json() {
  python3 - "$1" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    try:
        o = json.loads(line)
        assert isinstance(o, dict) and "time" in o and ("kind" in o or "event" in o)
    except Exception:
        print(line.rstrip("\n"))
        sys.exit(1)
PY
}
start_serve j.log --spool "$tmp/spool" --token-file "$tmp/tokens" --routes "$tmp/routes.yaml" \
  --state "$tmp/tokens/state.db" --log-format json
printf 'not a webhook {' >"$tmp/garbage"
check "an undecodable body: 200 once stored" eq "$(post "/hook/$TOKEN" "$tmp/garbage")" 200
check "an Alibaba body no case routes (dead-lettered to stderr): 200" eq \
  "$(post "/hook/$TOKEN" "$SRC/samples/alibaba/event-sys-critical.json")" 200
check "a routed one: 200" eq "$(post "/hook/$TOKEN" "$SRC/samples/volcengine/metric-firing.json")" 200
check "delivered" wait_until 10 grep -q '"outcome":"delivered"' "$tmp/j.log"
check "rejected" wait_until 10 grep -q '"kind":"rejected"' "$tmp/j.log"
check "unrouted" wait_until 10 grep -q '"outcome":"unrouted"' "$tmp/j.log"
printf 'channels: [\n' >"$tmp/routes.yaml"
kill -HUP "$serve_pid"
check "a broken route file: reload failed" wait_until 5 grep -q '"kind":"reload","outcome":"failed"' "$tmp/j.log"
stop_serve
check "the body's diagnostic is an object naming the file, the record and the reason" grep -q \
  '"kind":"body","file":"[^"]*spool/[0-9-]*\.http","record":"1","reason":"' "$tmp/j.log"
check "the route file's warning is an object" grep -q '"kind":"message","message":"[^"]*routes.yaml:4: warning: [^"]*current_value' "$tmp/j.log"
check "the state's failure is a message object" grep -q '"kind":"message","message":"state ' "$tmp/j.log"
check "the reload's findings too" grep -q '"kind":"message","message":"[^"]*routes.yaml:[0-9]*: ' "$tmp/j.log"
check "the unrouted event's dead-letter record is one JSON object" grep -q '"error":"routed to no channel"' "$tmp/j.log"
check "every stderr line is one JSON object" all_json "$tmp/j.log"
check "no line in the text form" eq "$(grep -c '^cmrelay: ' "$tmp/j.log")" 0

# Usage errors found after the options are parsed are JSON too.
CMRELAY_TOKEN=t "$BIN" serve --listen 127.0.0.1:0 --spool "$tmp/s2" --url http://127.0.0.1:9/ --vendor nope \
  --log-format json 2>"$tmp/err"
check "a bad --vendor: exit 2" eq "$?" 2
check "said as one JSON object" all_json "$tmp/err"
check "which says what" grep -q '"message":"serve: --vendor must be' "$tmp/err"
finish
