#!/usr/bin/env bash
# cmrelay send when delivery fails: a dead-letter file that cannot be written, and the
# order of one alert_key's events once one of them is dead-lettered.
. "$(dirname "$0")/../lib.bash"
start_sink

# A dead-letter file that takes nothing (/dev/full): the record goes to stderr in full,
# is counted as dead_letter_failed, and the exit status is 6 (a record could not be written).
events full 1 | "$BIN" send --url "http://127.0.0.1:$port/s/400?integration_key=$SECRET" --dead-letter /dev/full \
  --stats json >"$tmp/stats" 2>"$tmp/err"
rc=$?
check "/dev/full: exit 6" eq "$rc" 6
check "/dev/full: dead-lettered" eq "$(stats dead_lettered)" 1
check "/dev/full: dead_letter_failed" eq "$(stats dead_letter_failed)" 1
check "/dev/full: per channel too" eq "$(stats 'channels[0].dead_letter_failed')" 1
check "/dev/full: says so" grep -q "/dev/full: cannot write the dead-letter file" "$tmp/err"
check "/dev/full: the whole record on stderr" eq "$(grep '^{' "$tmp/err" | jq -r '"\(.event.alert_key) \(.http_status)"')" "full-1 400"
check "/dev/full: no secret" eq "$(grep -c "$SECRET" "$tmp/err")" 0
events fullt 2 | "$BIN" send --url "http://127.0.0.1:$port/s/400?integration_key=$SECRET" --dead-letter /dev/full \
  >/dev/null 2>"$tmp/err"
check "/dev/full text: exit 6" eq "$?" 6
check "/dev/full text: the summary does not claim the file has them" \
  grep -q "2 dead-lettered (0 in /dev/full, 2 on stderr: /dev/full could not be written)" "$tmp/err"
check "/dev/full text: both records on stderr" eq "$(grep -c '^{' "$tmp/err")" 2
events ok 1 | "$BIN" send --url "http://127.0.0.1:$port/s/200" --dead-letter "$tmp/unused" --stats json >"$tmp/stats" 2>/dev/null
check "dead_letter_failed is 0 when nothing failed" eq "$(stats dead_letter_failed)" 0

# A firing event dead-lettered after its attempts: its recovery (same alert_key) follows
# it into the file without an attempt, other keys are unaffected, and the replay sends
# them in order.
# (The sink counts answers per path and alert_key: free-1 has had its two 503s already,
# so it is answered 200 at once.)
send /s/503,503,200 --max-attempts 2 < <(events free 1 Critical)
check "order: free-1 dead-lettered first" eq "$(requests free-):$(stats dead_lettered)" "2:1"
{ events ord 1 Critical; events free 1 Critical; events ord 1 Ok; } >"$tmp/in"
send /s/503,503,200 --max-attempts 2 "$tmp/in"
check "order: exit 3" eq "$rc" 3
conserved "order" 3
check "order: the other key delivered" eq "$(stats delivered)" 1
check "order: the recovery never sent" eq "$(jq -r 'select(.alert_key == "ord-1") | .event_status' "$tmp/sink.log" | tr '\n' ' ')" \
  "Critical Critical "
check "order: the file in input order" eq "$(jq -r '"\(.event.event_status) \(.attempts)"' "$tmp/dead" | tr '\n' ,)" "Critical 2,Ok 0,"
check "order: says why" eq "$(jq -r 'select(.event.event_status == "Ok") | .error' "$tmp/dead")" \
  "an earlier event of this alert_key was dead-lettered"
mv "$tmp/dead" "$tmp/replay"
send /s/200 --replay "$tmp/replay"
check "order replay: exit 0" eq "$rc" 0
conserved "order replay" 2
check "order replay: firing, then recovery" eq \
  "$(jq -r 'select(.path == "/s/200" and .alert_key == "ord-1") | .event_status' "$tmp/sink.log" | tr '\n' ' ')" "Critical Ok "

# The same when the recovery arrives only after the firing event was dead-lettered.
send /s/400 < <(events late 1 Critical; sleep 1; events late 1 Ok)
check "late: exit 3" eq "$rc" 3
conserved "late" 2
check "late: one request, the firing one" eq "$(jq -r 'select(.alert_key == "late-1") | .event_status' "$tmp/sink.log" | tr '\n' ' ')" \
  "Critical "
check "late: the file in input order" eq "$(jq -r .event.event_status "$tmp/dead" | tr '\n' ,)" "Critical,Ok,"

finish
