#!/usr/bin/env bash
# Benchmark: N events (default 10,000) POSTed to a loopback sink, by `cmrelay send` at its
# default concurrency and by a shell loop running curl once per event (what cron scripts do
# today). The sink is tests/net/deliver/sink.py (asyncio, HTTP/1.1 keep-alive, 127.0.0.1 only).
#   bench/send.sh [BIN]          BIN defaults to build/cmrelay
#   EVENTS=10000 CURL_EVENTS=1000 bench/send.sh
# CURL_EVENTS (default: EVENTS) limits the curl loop; its rate is then measured on fewer
# events, and its time for EVENTS is extrapolated (said in the output).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/cmrelay}
events=${EVENTS:-10000}
curl_events=${CURL_EVENTS:-$events}
tmp=$(mktemp -d)
sink_pid=
cleanup() {
  if [ -n "$sink_pid" ]; then kill "$sink_pid" 2>/dev/null || true; wait "$sink_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

python3 tests/net/deliver/sink.py --port-file "$tmp/port" --max-seconds 3600 --max-requests 10000000 2>"$tmp/sink.err" &
sink_pid=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
url="http://127.0.0.1:$(cat "$tmp/port")/bench?integration_key=bench-key"

python3 - "$events" >"$tmp/events.ndjson" <<'PY'
import json, sys
for i in range(int(sys.argv[1])):
    print(json.dumps({"event_status": "Critical", "title_rule": f"bench event {i}", "alert_key": f"bench/{i}",
                      "description": "CPU 97% over 90% for 3 periods", "labels": {"source": "bench", "n": str(i)}},
                     separators=(",", ":")))
PY

now() { date +%s.%N; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }

t0=$(now)
"$bin" send --url "$url" --stats json "$tmp/events.ndjson" >"$tmp/stats"
t1=$(now)
cm=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
delivered=$(jq -r .delivered "$tmp/stats")
[ "$delivered" = "$events" ] || { echo "bench: only $delivered of $events delivered" >&2; exit 1; }

head -n "$curl_events" "$tmp/events.ndjson" >"$tmp/curl.ndjson"
t0=$(now)
while IFS= read -r line; do
  curl -sS -o /dev/null -H 'Content-Type: application/json' --data-binary "$line" "$url"
done <"$tmp/curl.ndjson"
t1=$(now)
cu=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
cu_full=$(awk -v s="$cu" -v n="$curl_events" -v e="$events" 'BEGIN { printf "%.3f", s * e / n }')

echo "events:          $events"
echo "cmrelay send:    ${cm} s, $(rate "$events" "$cm") events/s (concurrency 16)"
if [ "$curl_events" = "$events" ]; then
  echo "curl loop:       ${cu} s, $(rate "$curl_events" "$cu") events/s"
else
  echo "curl loop:       ${cu} s for $curl_events events, $(rate "$curl_events" "$cu") events/s; ${cu_full} s for $events (extrapolated)"
fi
echo "speed-up:        $(awk -v a="$cu_full" -v b="$cm" 'BEGIN { printf "%.0fx", a / b }')"
