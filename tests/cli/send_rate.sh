#!/usr/bin/env bash
# cmrelay send paced per integration against a sink that enforces Flashduty's rate limits
# the strict way (sliding windows, 429 without Retry-After): nothing dead-lettered, the
# limits never exceeded, 429s bounded by --max-elapsed rather than --max-attempts.
. "$(dirname "$0")/../lib.bash"

# most_in_window SECONDS: the most requests the sink received (429s included) in any
# SECONDS-long interval.
most_in_window() {
  python3 - "$tmp/sink.log" "$1" <<'PY'
import json, sys
ts = sorted(json.loads(l)["t"] for l in open(sys.argv[1]))
w = float(sys.argv[2]); most = 0; j = 0
for i, t in enumerate(ts):
    while ts[j] <= t - w:
        j += 1
    most = max(most, i - j + 1)
print(most)
PY
}

# Usage errors.
"$BIN" send --url http://127.0.0.1:1/x --rate 100/q </dev/null 2>"$tmp/err"
check "bad --rate: exit 2" eq "$?" 2
check "bad --rate: says the form" grep -q "N/UNIT" "$tmp/err"
printf 'channels:\n  a:\n    url: http://127.0.0.1:1/x\n    rate: [10/s, lots]\ndefault:\n  channels: [a]\n' >"$tmp/bad.yaml"
"$BIN" routes check "$tmp/bad.yaml" >"$tmp/out" 2>&1
check "bad rate: in a route file is a finding with its line" grep -q "bad.yaml:4: rate of channel 'a'" "$tmp/out"
"$BIN" send --routes "$tmp/bad.yaml" --rate 1/s </dev/null 2>"$tmp/err"
check "--rate with --routes: exit 2" eq "$?" 2

# Flashduty's exact limits, 100/s and 1000/min, and 2,500 events from one send: at least
# 125 s (the 1001st event cannot start before 60 s after the 1st, the 2001st before 120 s,
# then 500 at 100/s). Every event delivered, none dead-lettered, and the sink never
# received more than its limits (its 429s included).
start_sink --limit 100/1,1000/60 --max-seconds 400
events fd 2500 >"$tmp/burst"
started=$(date +%s.%N)
send /s/200 --rate 100/s,1000/m <"$tmp/burst"
ended=$(date +%s.%N)
check "limits: exit 0" eq "$rc" 0
conserved "limits" 2500
check "limits: all delivered" eq "$(stats delivered)" 2500
check "limits: no 429" eq "$(stats throttled)" 0
check "limits: at most 100 requests in any second" le "$(most_in_window 1)" 100
check "limits: at most 1000 requests in any minute" le "$(most_in_window 60)" 1000
check "limits: the rate reported per channel" eq "$(jq -r '.channels[0].rate' "$tmp/stats")" "100/s,1000/m"
check "limits: the last request_id per channel" eq "$(jq -r '.channels[0].last_request_id | startswith("sink-")' "$tmp/stats")" true
echo "send_rate: 2500 events at 100/s,1000/min: $(python3 -c "print(round($ended - $started, 1))") s wall (theoretical minimum 124.99 s)"
kill "$sink_pid" 2>/dev/null; wait "$sink_pid" 2>/dev/null
rm -f "$tmp/port" "$tmp/sink.log"

# No pacing configured, a server over its limits answering 429 without Retry-After: the
# events wait for the window instead of spending --max-attempts, and all are delivered.
start_sink --limit 20/1,60/5
send /s/200 --max-attempts 2 --backoff-cap 5 <(events w 150)
check "429 window: exit 0" eq "$rc" 0
conserved "429 window" 150
check "429 window: all delivered" eq "$(stats delivered)" 150
check "429 window: 429s seen" gt "$(stats throttled)" 0
check "429 window: more attempts than --max-attempts (2) for some event" gt \
  "$(jq -s '[.[] | select(.alert_key | startswith("w-"))] | group_by(.alert_key) | map(length) | max' "$tmp/sink.log")" 2
# ...but --max-elapsed bounds them, and says the next wait would pass it.
send /s/200 --max-attempts 2 --backoff-cap 5 --max-elapsed 0.3 <(events x 150)
check "429 deadline: exit 3" eq "$rc" 3
conserved "429 deadline" 150
check "429 deadline: says the next wait would pass it" grep -q "would pass --max-elapsed" "$tmp/dead"

# Two channels on one integration key share one budget: each says 10/s, together they
# stay within 10/s.
kill "$sink_pid" 2>/dev/null; wait "$sink_pid" 2>/dev/null
rm -f "$tmp/port" "$tmp/sink.log"
start_sink --limit 10/1
cat >"$tmp/routes.yaml" <<YAML
channels:
  a:
    url: http://127.0.0.1:$port/s/200?integration_key=$SECRET
    rate: [10/s]
  b:
    url: http://127.0.0.1:$port/s/200?integration_key=$SECRET&copy=b
    rate: 10/s
cases:
  - channels: [a, b]
YAML
rm -f "$tmp/dead"
"$BIN" send --routes "$tmp/routes.yaml" --dead-letter "$tmp/dead" --stats json <(events s 25) >"$tmp/stats" 2>"$tmp/err"
check "shared: exit 0" eq "$?" 0
check "shared: all delivered" eq "$(stats delivered)" 50
check "shared: no 429" eq "$(stats throttled)" 0
check "shared: at most 10 requests in any second" le "$(most_in_window 1)" 10

# --max-elapsed counts from an event's first attempt: waiting behind the rate limit does
# not use it up (20 events at 5/s take about 4 s; the deadline is 1 s). (First the
# sink's 1 s window of the run above passes.)
sleep 1.2
send /s/200 --rate 5/s --max-elapsed 1 <(events q 20)
check "queued: exit 0" eq "$rc" 0
check "queued: all delivered" eq "$(stats delivered)" 20

finish
