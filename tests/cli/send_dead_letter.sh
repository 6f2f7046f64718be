#!/usr/bin/env bash
# cmrelay send when delivery fails: a dead-letter file that cannot be written.
set -u
BIN=$1
SRC=$2
. "$SRC/tests/deliver/lib.sh"
start_sink

# A dead-letter file that takes nothing (/dev/full): the record goes to stderr in full,
# is counted as dead_letter_failed, and the exit status is still 3.
events full 1 | "$BIN" send --url "http://127.0.0.1:$port/s/400?integration_key=$SECRET" --dead-letter /dev/full \
  --stats json >"$tmp/stats" 2>"$tmp/err"
rc=$?
check "/dev/full: exit 3" eq "$rc" 3
check "/dev/full: dead-lettered" eq "$(stat dead_lettered)" 1
check "/dev/full: dead_letter_failed" eq "$(stat dead_letter_failed)" 1
check "/dev/full: per channel too" eq "$(stat 'channels[0].dead_letter_failed')" 1
check "/dev/full: says so" grep -q "/dev/full: cannot write the dead-letter file" "$tmp/err"
check "/dev/full: the whole record on stderr" eq "$(grep '^{' "$tmp/err" | jq -r '"\(.event.alert_key) \(.http_status)"')" "full-1 400"
check "/dev/full: no secret" eq "$(grep -c "$SECRET" "$tmp/err")" 0
events fullt 2 | "$BIN" send --url "http://127.0.0.1:$port/s/400?integration_key=$SECRET" --dead-letter /dev/full \
  >/dev/null 2>"$tmp/err"
check "/dev/full text: exit 3" eq "$?" 3
check "/dev/full text: the summary does not claim the file has them" \
  grep -q "2 dead-lettered (0 in /dev/full, 2 on stderr: /dev/full could not be written)" "$tmp/err"
check "/dev/full text: both records on stderr" eq "$(grep -c '^{' "$tmp/err")" 2
events ok 1 | "$BIN" send --url "http://127.0.0.1:$port/s/200" --dead-letter "$tmp/unused" --stats json >"$tmp/stats" 2>/dev/null
check "dead_letter_failed is 0 when nothing failed" eq "$(stat dead_letter_failed)" 0

echo "send_dead_letter: $fail failures"
[ "$fail" -eq 0 ]
