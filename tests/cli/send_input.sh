#!/usr/bin/env bash
# cmrelay send: what it reads (convert's output, vendor bodies, dead-letter records, bad
# input), --dry-run, the text summary, usage errors and concurrent dead-letter appends.
. "$(dirname "$0")/../lib.bash"
start_sink
url="http://127.0.0.1:$port/s/200?integration_key=$SECRET"

# convert | send: the events arrive exactly as convert printed them.
"$BIN" convert "$SRC/samples/" >"$tmp/converted"
n=$(wc -l <"$tmp/converted")
"$BIN" convert "$SRC/samples/" | "$BIN" send --url "$url" --stats json >"$tmp/stats" 2>"$tmp/err"
check "convert | send: exit 0" eq "$?" 0
touch "$tmp/dead"
conserved "convert | send" "$n"
check "convert | send: bodies unchanged" eq "$(jq -r .body "$tmp/sink.log" | sort)" "$(sort "$tmp/converted")"
check "detect: convert's output is flashduty" eq "$("$BIN" detect "$tmp/converted" | grep -vc ': flashduty (event_status, title_rule)$')" 0

# Connections are kept alive and reused: 200 events, at most --concurrency connections.
"$BIN" send --url "http://127.0.0.1:$port/s/200?k=reuse" --concurrency 4 --stats json <(events reuse 200) >"$tmp/stats" 2>"$tmp/err"
check "reuse: all delivered" eq "$(stats delivered)" 200
check "reuse: at most 4 connections" [ "$(jq -s '[.[] | select(.alert_key | startswith("reuse-")) | .conn] | unique | length' "$tmp/sink.log")" -le 4 ]

# --dry-run: one line per request, the URL redacted, nothing sent.
before=$(wc -l <"$tmp/sink.log")
"$BIN" send --dry-run --url "$url" "$SRC/samples/" >"$tmp/dry" 2>"$tmp/err"
check "dry run: exit 5 (the route files in samples/ are skipped)" eq "$?" 5
check "dry run: the skipped route file said" grep -q "samples/routes.yaml: skipped: not a capture file name" "$tmp/err"
check "dry run: nothing sent" eq "$(wc -l <"$tmp/sink.log")" "$before"
check "dry run: one request per event" eq "$(wc -l <"$tmp/dry")" "$n"
check "dry run: channel and redacted URL" eq "$(jq -r '"\(.channel) \(.url)"' "$tmp/dry" | sort -u)" \
  "url http://127.0.0.1:$port/s/200?integration_key=***"
check "dry run: the bodies" eq "$(jq -c .body "$tmp/dry" | sort)" "$(jq -c . "$tmp/converted" | sort)"
check "dry run: no secret" eq "$(cat "$tmp/dry" "$tmp/err" | grep -c "$SECRET")" 0

# Rejected input goes through --reject; the rest is delivered; exit 1.
{ events rej 2; echo '{"event_status":"critical","title_rule":"x"}'; echo '{not json'; } >"$tmp/mixed"
"$BIN" send --url "$url" --reject "$tmp/rejected" "$tmp/mixed" >"$tmp/out" 2>"$tmp/err"
check "rejected: exit 1" eq "$?" 1
check "rejected: both bodies in --reject" eq "$(wc -l <"$tmp/rejected")" 2
check "rejected: event_status named" grep -q "event_status: expected Critical" "$tmp/err"
check "rejected: text summary" grep -q "2 events read from 4 bodies, 2 rejected; 2 delivered, 0 retries, 0 dead-lettered" "$tmp/err"
check "rejected: per-channel line, redacted" grep -q "url http://127.0.0.1:$port/s/200?integration_key=\*\*\*: 2 events, 2 attempts, 2 delivered" "$tmp/err"

# Usage errors: exit 2, and the URL in the message redacted.
"$BIN" send "$tmp/mixed" >/dev/null 2>"$tmp/err"
check "no --url: exit 2" eq "$?" 2
"$BIN" send --url "ftp://h/x?token=$SECRET" "$tmp/mixed" >/dev/null 2>"$tmp/err"
check "ftp URL: exit 2" eq "$?" 2
check "ftp URL: redacted message" grep -q "ftp://h/x?token=\*\*\*: only http and https" "$tmp/err"
check "ftp URL: no secret" eq "$(grep -c "$SECRET" "$tmp/err")" 0
"$BIN" send --url "$url" --stats yaml "$tmp/mixed" >/dev/null 2>&1
check "bad --stats: exit 2" eq "$?" 2
# Durations take units, as route files do.
"$BIN" send --url "$url" --timeout 500ms --connect-timeout 2s --max-elapsed 2m --backoff-cap 1h --dry-run \
  "$tmp/mixed" >/dev/null 2>&1
check "duration units: accepted" eq "$?" 1
for bad in "--concurrency 0" "--max-attempts 0" "--timeout 0" "--connect-timeout 0" "--max-elapsed 0" "--timeout -1" \
  "--timeout 5x" "--max-elapsed -2s"; do
  # shellcheck disable=SC2086
  "$BIN" send --url "$url" $bad "$tmp/mixed" >/dev/null 2>&1
  check "$bad: exit 2" eq "$?" 2
done
"$BIN" send --url "$url" --dead-letter "$tmp/no/such/dir/dead" "$tmp/mixed" >/dev/null 2>&1
check "unwritable dead-letter file: exit 2" eq "$?" 2

# Replaying a dead-letter file into itself would read its own new records: refused.
events self 1 >"$tmp/self.ndjson"
"$BIN" send --url "$url" --dead-letter "$tmp/self.ndjson" "$tmp/self.ndjson" >/dev/null 2>"$tmp/err"
check "dead-letter file as input: exit 2" eq "$?" 2
check "dead-letter file as input: said" grep -q "is also an input" "$tmp/err"

# Concurrent runs appending to one dead-letter file: every record a whole line.
events conc 300 >"$tmp/many"
rm -f "$tmp/shared-dead"
pids=()
for _ in 1 2 3; do
  "$BIN" send --url "http://127.0.0.1:$port/s/400?integration_key=$SECRET" --dead-letter "$tmp/shared-dead" \
    "$tmp/many" >/dev/null 2>&1 &
  pids+=($!)
done
wait "${pids[@]}"
check "concurrent: every record kept" eq "$(wc -l <"$tmp/shared-dead")" 900
check "concurrent: every line a whole record" eq "$(jq -c .event.alert_key "$tmp/shared-dead" 2>/dev/null | wc -l)" 900

finish
