#!/usr/bin/env bash
# The guide's "From cron" script (docs/GUIDE.md), exactly as it stands there, run twice
# against a loopback sink over a spool that holds every kind of file: the first run's
# deliveries fail (dead-lettered), the second replays them. Only what a run accounted for ever
# leaves incoming/.
. "$(dirname "$0")/../lib.bash"
start_sink
S=$SRC/samples/volcengine

# The script, cut out of docs/GUIDE.md: the first sh block after "## From cron" (fenced
# `sh no-run`: tests/cli/docs.sh leaves it to this test).
awk '/^## From cron/ {on = 1} on && /^```sh( no-run)?$/ {body = 1; next} body && /^```$/ {exit} body' \
  "$SRC/docs/GUIDE.md" >"$tmp/push.sh"
check "the recipe is in docs/GUIDE.md" grep -q -- "--remove-done" "$tmp/push.sh"

# The run may not have root's way with permissions (an unreadable directory must be
# unreadable): everything below belongs to nobody, and the script runs as nobody.
mkdir -p "$tmp/bin" "$tmp/spool/incoming" "$tmp/elsewhere"
cp "$BIN" "$(dirname "$BIN")/cmrelay-full" "$tmp/bin/"  # send runs in cmrelay-full, beside it
in=$tmp/spool/incoming
one_line() { tr -d '\n' <"$1"; echo; }
one_line "$S/metric-firing.json" >"$in/a.json"
one_line "$S/metric-recovered.json" >"$in/b.JSON"
cp "$S/stream.ndjson" "$in/stream.ndjson"
cp "$S/capture-metric.http" "$in/capture.http"
{ head -c 4096 /dev/zero; one_line "$S/nodata-firing.json"; } >"$in/nul-padded.json"
echo '{"x":1}' >"$in/bad.json"
{ printf '{"huge":"'; head -c 9000000 /dev/zero | tr '\0' a; printf '"}\n'; } >"$in/huge.json"
for f in c.json.1 d.urlencoded hook-2025-06-14T03.12.40 .partial.json; do one_line "$S/event-disk-error.json" >"$in/$f"; done
mkfifo "$in/fifo"
ln -s nowhere "$in/dangling.json"
ln -s ../../elsewhere "$in/linked"
mkdir "$in/locked"
one_line "$S/nodata-recovered.json" >"$in/locked/x.json"
kept="c.json.1 d.urlencoded dangling.json fifo hook-2025-06-14T03.12.40 linked locked"
chmod 755 "$tmp"
chown -R 65534:65534 "$tmp/spool" "$tmp/elsewhere"
chmod 000 "$in/locked"
# The events that must arrive: those of the files the run can read.
events_in=$(cd "$in" && "$BIN" convert a.json b.JSON stream.ndjson capture.http nul-padded.json 2>/dev/null | jq -r .alert_key | sort)
n=$(echo "$events_in" | wc -l)

push() {  # push PATH: runs the recipe as nobody with KEY_URL at the sink's PATH; sets rc.
  env -i PATH="$tmp/bin:/usr/bin:/bin" CMRELAY_SPOOL="$tmp/spool" \
    KEY_URL="http://127.0.0.1:$port$1?integration_key=$SECRET" \
    setpriv --reuid=65534 --regid=65534 --clear-groups sh "$tmp/push.sh" >"$tmp/out" 2>"$tmp/err"
  rc=$?
}
left() { (cd "$in" && ls -A | grep -v '^\.partial.json$' | tr '\n' ' '); }

# Run 1: every POST fails (400, not retried): every event is dead-lettered.
push /s/400
check "run 1: exit 3 (dead-lettered wins over skipped files)" eq "$rc" 3
check "run 1: the skipped and unreadable files are kept, nothing else" eq "$(left)" "$kept "
check "run 1: the hidden file is not touched" test -f "$in/.partial.json"
check "run 1: each skipped file said" eq "$(grep -c ': skipped: ' "$tmp/err")" 6
check "run 1: the locked directory said" grep -q "incoming/locked: cannot list: Permission denied" "$tmp/err"
check "run 1: every event in dead.ndjson" eq "$(jq -r .event.alert_key "$tmp/spool/dead.ndjson" | sort)" "$events_in"
check "run 1: the bad body in rejected.ndjson" eq "$(jq -r 'select(.source | endswith("bad.json")) | .body' "$tmp/spool/rejected.ndjson")" '{"x":1}'
check "run 1: the huge body in rejected.ndjson, whole" \
  eq "$(jq -r 'select(.source | endswith("huge.json")) | .body_base64' "$tmp/spool/rejected.ndjson" | base64 -d |
    cmp - <(printf '{"huge":"'; head -c 9000000 /dev/zero | tr '\0' a; printf '"}') && echo same)" same
check "run 1: the NUL padding in rejected.ndjson" grep -q '"reason":"4096 NUL bytes' "$tmp/spool/rejected.ndjson"
check "run 1: the files are 0600" eq "$(command stat -c %a "$tmp/spool/dead.ndjson" "$tmp/spool/rejected.ndjson" | sort -u)" 600
check "run 1: no secret anywhere" eq "$(cat "$tmp/err" "$tmp/out" "$tmp/spool/dead.ndjson" | grep -c "$SECRET")" 0

# Between the runs a new capture arrives; a run that finds the lock taken does nothing.
one_line "$S/metric-notice.json" >"$in/e.json"
chown 65534:65534 "$in/e.json"
flock "$tmp/spool/push.lock" sh -c "$(declare -f push); tmp='$tmp' port='$port' SECRET='$SECRET' push /s/200; exit \$rc"
check "locked out: exit 0" eq "$?" 0
check "locked out: nothing read" test -f "$in/e.json"

# Run 2: the server is back: the replay and the new capture are delivered and removed.
push /s/200
check "run 2: exit 5 (the skipped files are still there)" eq "$rc" 5
check "run 2: only the skipped and unreadable files are left" eq "$(left)" "$kept "
check "run 2: the replay file is gone" eq "$(ls -A "$tmp/spool/replay")" ""
check "run 2: nothing dead-lettered" test ! -s "$tmp/spool/dead.ndjson"
check "run 2: every event delivered" eq "$(jq -r 'select(.path == "/s/200") | .alert_key' "$tmp/sink.log" | sort)" \
  "$(printf '%s\n' "$events_in" "$(one_line "$S/metric-notice.json" | "$BIN" convert | jq -r .alert_key)" | sort)"
check "run 2: no secret anywhere" eq "$(cat "$tmp/err" "$tmp/out" | grep -c "$SECRET")" 0
chmod 700 "$in/locked"

finish
