#!/usr/bin/env bash
# What the operator sees from cmrelay send: -v lines (one per attempt, nothing secret),
# --log-format json, --quiet, --max-errors, request_id kept, redirects named, and no
# progress line when stderr is not a terminal.
. "$(dirname "$0")/../lib.bash"
start_sink

# -v: one line per attempt, with the status, Flashduty's code and request_id, and the
# wait chosen and why; the integration key nowhere.
send /s/500,429s1,200 -v < <(events v 2)
check "-v: exit 0" eq "$rc" 0
check "-v: one line per attempt" eq "$(grep -c ': attempt [0-9]' "$tmp/err")" "$(stats attempts)"
check "-v: backoff named" grep -q "attempt 1: HTTP 500 (retried); next in .* (backoff)" "$tmp/err"
check "-v: Retry-After named" grep -q "attempt 2: HTTP 429 RequestTooFrequently: slow down (retried); next in 1 s (Retry-After); request_id sink-" "$tmp/err"
check "-v: delivered with its request_id" grep -q "attempt 3: HTTP 200 delivered.*; request_id sink-" "$tmp/err"
check "-v: the URL redacted" grep -q "(http://127.0.0.1:$port/s/500,429s1,200?integration_key=\*\*\*&team=ops)" "$tmp/err"
check "-v: no secret" eq "$(grep -c "$SECRET" "$tmp/err")" 0
check "-v: the alert_key on each line" eq "$(grep -c '): v-[12]: attempt ' "$tmp/err")" "$(stats attempts)"
check "-v: no progress line off a terminal" eq "$(grep -c $'\r' "$tmp/err")" 0

# -vv and the rate limit: the wait for the budget is named on the attempt that waited.
send /s/200 -vv --rate 2/s < <(events vv 4)
check "-vv: waits for the rate limit said" grep -q "waiting .* (rate limit)" "$tmp/err"
check "-vv: the attempt says it waited" grep -q "attempt 1: HTTP 200 delivered; waited .* for the rate limit" "$tmp/err"

# --log-format json: the same lines as JSON objects.
send /s/400 -v --log-format json < <(events j 1)
check "json: every line JSON" eq "$(grep -v '^cmrelay: send: ' "$tmp/err" | jq -c 'select(.event)' | wc -l)" 2
check "json: attempt fields" eq "$(grep '"event":"attempt"' "$tmp/err" | jq -r '"\(.attempt) \(.http_status) \(.error_code) \(.result) \(.request_id|startswith("sink-"))"')" "1 400 InvalidParameter failed true"
check "json: dead-lettered line" eq "$(grep '"event":"dead-lettered"' "$tmp/err" | jq -r .error_code)" InvalidParameter
check "json: no secret" eq "$(grep -c "$SECRET" "$tmp/err")" 0
check "--log-format bad: exit 2" eq "$("$BIN" send --url http://x/ --log-format xml </dev/null 2>/dev/null; echo $?)" 2

# request_id in the dead-letter record and in --stats json.
check "request_id: in the record" eq "$(jq -r '.request_id | startswith("sink-")' "$tmp/dead")" true
check "request_id: last per channel" eq "$(jq -r '.channels[0].last_request_id | startswith("sink-")' "$tmp/stats")" true

# Redirects are not followed; the Location is shown, redacted.
send /s/302 < <(events r 1)
check "302: exit 3" eq "$rc" 3
check "302: said not followed, with the Location redacted" grep -q "HTTP 302: redirects are not followed (Location: http://127.0.0.1:1/s/302?integration_key=\*\*\*&team=ops)" "$tmp/dead"
check "302: no secret" eq "$(grep -c "$SECRET" "$tmp/dead" "$tmp/err" | grep -c ':[1-9]')" 0

# --quiet: only the summary (no dead-letter lines, no rejection lines, no warnings).
{ events q 2; echo '{"not":"an alert"}'; } >"$tmp/mixed"
send /s/400 --quiet "$tmp/mixed"
check "--quiet: exit 3" eq "$rc" 3
check "--quiet: nothing but the count of unshown lines" eq "$(cat "$tmp/err")" "cmrelay: 1 rejection line not shown (--quiet or --max-errors)"
"$BIN" send --url "http://127.0.0.1:$port/s/400?integration_key=$SECRET" --quiet --dead-letter "$tmp/dead" "$tmp/mixed" 2>"$tmp/err"
check "--quiet: the text summary stays" grep -q "^cmrelay: send: 2 events read from 3 bodies, 1 rejected; 0 delivered" "$tmp/err"
check "--quiet: no per-event line" eq "$(grep -c 'dead-lettered after\|mixed:3' "$tmp/err")" 0
check "--quiet and -v exclude each other" eq "$("$BIN" send --url http://x/ -q -v </dev/null 2>/dev/null; echo $?)" 2

# --max-errors N: N rejection lines, then a count.
for i in $(seq 7); do echo "{\"bad\":$i}"; done >"$tmp/bad"
send /s/200 --max-errors 3 "$tmp/bad"
check "--max-errors: exit 1" eq "$rc" 1
check "--max-errors: three lines" eq "$(grep -c "bad:[0-9]*: " "$tmp/err")" 3
check "--max-errors: the rest counted" grep -q "^cmrelay: 4 rejection lines not shown (--quiet or --max-errors)" "$tmp/err"
"$BIN" convert --max-errors 0 "$tmp/bad" >/dev/null 2>"$tmp/err"
check "--max-errors 0 (convert): only the counts" eq "$(cat "$tmp/err")" $'cmrelay: 7 of 7 bodies rejected\ncmrelay: 7 rejection lines not shown (--quiet or --max-errors)'

# On a terminal: one refreshing line (carriage return, the terminal's clear-to-end-of-line),
# erased before the summary. Standard error on a pseudo-terminal, TERM=xterm.
on_tty() { python3 "$SRC/tests/cli/on_tty.py" stderr "$@"; }
if have_pty; then
  events tty 12 >"$tmp/tty"
  on_tty "$BIN" send --url "http://127.0.0.1:$port/s/200?integration_key=$SECRET" --rate 10/s "$tmp/tty" >"$tmp/seen"
  check "tty: a progress line" grep -q 'sending: 12 bodies read, 10 delivered, 0 retrying, 2 queued, 0 dead-lettered' "$tmp/seen"
  check "tty: drawn with cr and el" grep -q $'\rsending: .*\e\\[K' "$tmp/seen"
  check "tty: erased before the summary" grep -q $'\r\e\\[Kcmrelay: send: 12 events read' "$tmp/seen"
  on_tty "$BIN" send --quiet --url "http://127.0.0.1:$port/s/200?integration_key=$SECRET" --rate 10/s "$tmp/tty" >"$tmp/seen"
  check "tty --quiet: no progress line" eq "$(grep -c 'sending:' "$tmp/seen")" 0
else
  skip "the progress line on a terminal: no pseudo-terminal here (mount devpts on /dev/pts)"
fi

finish
