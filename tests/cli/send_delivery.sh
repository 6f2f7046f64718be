#!/usr/bin/env bash
# cmrelay send against a real loopback HTTP server: every answer a Flashduty endpoint (or a
# broken network) can give, with the attempt counts, Retry-After waits and redaction.
. "$(dirname "$0")/../lib.bash"
start_sink

# 200: delivered at once, the body exactly what convert prints, as application/json.
"$BIN" convert "$SRC/samples/volcengine/metric-multi-resource.json" >"$tmp/converted"
n=$(wc -l <"$tmp/converted")
send /s/200 "$SRC/samples/volcengine/metric-multi-resource.json"
check "200: exit 0" eq "$rc" 0
conserved "200" "$n"
check "200: all delivered" eq "$(stats delivered)" "$n"
check "200: one request per event" eq "$(jq -s '[.[] | select(.path == "/s/200")] | length' "$tmp/sink.log")" "$n"
check "200: bodies are the converted events" eq "$(jq -r 'select(.path == "/s/200") | .body' "$tmp/sink.log" | sort)" "$(sort "$tmp/converted")"
check "200: Content-Type" eq "$(jq -r 'select(.path == "/s/200") | .content_type' "$tmp/sink.log" | sort -u)" "application/json"

# 200 with an error body: a failure, not retried, Flashduty's code kept.
send /s/200e < <(events e200 2)
check "200e: exit 3" eq "$rc" 3
conserved "200e" 2
check "200e: dead-lettered" eq "$(stats dead_lettered)" 2
check "200e: one attempt each" eq "$(requests e200-)" 2
check "200e: error_code" eq "$(jq -r .error_code "$tmp/dead" | sort -u)" InvalidParameter
check "200e: http_status" eq "$(jq -r .http_status "$tmp/dead" | sort -u)" 200

# 400: not retried, error code and message in the record and on stderr.
send /s/400 < <(events b400 3)
check "400: exit 3" eq "$rc" 3
conserved "400" 3
check "400: one attempt each" eq "$(requests b400-)" 3
check "400: attempts recorded" eq "$(jq -r .attempts "$tmp/dead" | sort -u)" 1
check "400: error message" eq "$(jq -r .error_message "$tmp/dead" | sort -u)" "event_status is invalid"
check "400: stderr names the code" grep -q "HTTP 400 InvalidParameter" "$tmp/err"
check "400: the event kept" eq "$(jq -r .event.alert_key "$tmp/dead" | sort | tr '\n' ' ')" "b400-1 b400-2 b400-3 "
cp "$tmp/dead" "$tmp/dead-400"

# 401 whose message echoes the key: the key is redacted from what is kept.
send /s/401k < <(events k401 1)
check "401: exit 3" eq "$rc" 3
conserved "401" 1
check "401: message redacted" eq "$(jq -r .error_message "$tmp/dead")" "integration_key *** is unknown"
check "401: URL redacted" eq "$(jq -r .url "$tmp/dead")" "http://127.0.0.1:$port/s/401k?integration_key=***&team=ops"

# 501: not retried.
send /s/501 < <(events n501 1)
conserved "501" 1
check "501: one attempt" eq "$(requests n501-)" 1

# 500 then 200, and 408 then 200: retried, delivered.
send /s/500,200 < <(events r500 4)
check "500,200: exit 0" eq "$rc" 0
conserved "500,200" 4
check "500,200: two attempts each" eq "$(requests r500-)" 8
check "500,200: retries counted" eq "$(stats retried)" 4
send /s/408,200 < <(events r408 1)
conserved "408,200" 1
check "408,200: delivered on the second attempt" eq "$(requests r408-):$(stats delivered)" "2:1"

# 429 with Retry-After in seconds: the wait is respected.
send /s/429s1,200 < <(events s429 3)
check "429s1: exit 0" eq "$rc" 0
conserved "429s1" 3
check "429s1: two attempts each" eq "$(requests s429-)" 6
check "429s1: Retry-After seconds respected" eq "$(waits_respected s429-)" 0

# 503 with Retry-After as an HTTP-date.
send /s/503d2,503d1,200 < <(events d503 2)
check "503d: exit 0" eq "$rc" 0
conserved "503d" 2
check "503d: three attempts each" eq "$(requests d503-)" 6
check "503d: Retry-After date respected" eq "$(waits_respected d503-)" 0

# A Retry-After over --max-retry-after: dead-lettered at once rather than waited less.
send /s/429s600 --max-retry-after 5 < <(events l429 1)
conserved "429s600" 1
check "429s600: one attempt" eq "$(requests l429-)" 1
check "429s600: says why" grep -q "over --max-retry-after" "$tmp/dead"

# Always 503: --max-attempts attempts, then dead-lettered with the last status.
send /s/503 --max-attempts 3 < <(events a503 2)
check "503: exit 3" eq "$rc" 3
conserved "503" 2
check "503: three attempts each" eq "$(requests a503-)" 6
check "503: attempts and status recorded" eq "$(jq -r '"\(.attempts) \(.http_status)"' "$tmp/dead" | sort -u)" "3 503"

# A server that hangs past --timeout: timed out, retried, dead-lettered.
send /s/hang5 --timeout 0.3 --max-attempts 2 < <(events hang 2)
check "hang: exit 3" eq "$rc" 3
conserved "hang" 2
check "hang: two attempts each" eq "$(requests hang-)" 4
check "hang: a timeout error" grep -q "Timeout was reached\|timed out" "$tmp/dead"

# A reset connection: retried.
send /s/reset,200 < <(events rst 2)
check "reset,200: exit 0" eq "$rc" 0
conserved "reset,200" 2
check "reset,200: two attempts each" eq "$(requests rst-)" 4
send /s/reset --max-attempts 2 < <(events rsx 1)
conserved "reset" 1
check "reset: dead-lettered after two attempts" eq "$(jq -r .attempts "$tmp/dead")" 2

# --max-elapsed: no retry past the total deadline.
send /s/429s1 --max-elapsed 0.5 --max-attempts 10 < <(events el 1)
conserved "max-elapsed" 1
check "max-elapsed: one attempt" eq "$(requests el-)" 1
check "max-elapsed: says why" grep -q "max-elapsed" "$tmp/dead"

# Nothing listening: connect errors are retried, then dead-lettered.
rm -f "$tmp/dead"
events refused 2 | "$BIN" send --url "http://127.0.0.1:$dead_port/x?token=$SECRET" --dead-letter "$tmp/dead" \
  --stats json --backoff-base 0.01 --max-attempts 3 >"$tmp/stats" 2>"$tmp/err"
check "refused: exit 3" eq "$?" 3
conserved "refused" 2
check "refused: attempts" eq "$(stats attempts)" 6
check "refused: a connect error" grep -q "Couldn't connect\|Connection refused" "$tmp/dead"

# Without --dead-letter the records go to stderr in full.
events stderr 1 | "$BIN" send --url "http://127.0.0.1:$port/s/400?integration_key=$SECRET" >/dev/null 2>"$tmp/err"
check "stderr: exit 3" eq "$?" 3
check "stderr: the record on stderr" eq "$(grep '^{' "$tmp/err" | jq -r .event.alert_key)" stderr-1
check "stderr: the summary on stderr" grep -q "1 dead-lettered" "$tmp/err"
check "stderr: no secret" eq "$(grep -c "$SECRET" "$tmp/err")" 0

# Order per alert_key: a recovery waits for its firing event, even through retries.
send /s/500,500,200 --concurrency 8 < <(events ord 1 Critical; events ord 1 Ok)
conserved "order" 2
check "order: firing (twice failed) before recovery" eq \
  "$(jq -r 'select(.alert_key == "ord-1") | .event_status' "$tmp/sink.log" | tr '\n' ' ')" "Critical Critical Critical Ok "

# Replay: the dead-letter file of the 400 run, sent again, delivers the same events.
send /s/200 --replay "$tmp/dead-400"
check "replay: exit 0" eq "$rc" 0
conserved "replay" 3
check "replay: same bodies" eq "$(jq -r 'select(.path == "/s/200" and (.alert_key | startswith("b400-"))) | .body' "$tmp/sink.log" | sort)" \
  "$(jq -c .event "$tmp/dead-400" | sort)"

finish
