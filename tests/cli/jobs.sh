#!/usr/bin/env bash
# --jobs: validated (1..256, a usage error otherwise); a SIGINT during a run on several
# threads exits 130 at once with everything read already printed; send --jobs 2 hands the
# events to the sender in input order.
. "$(dirname "$0")/../lib.bash"
cd "$SRC" || exit 2

for bad in 0 -1 257 abc 2x ""; do
  "$BIN" convert --jobs "$bad" samples/volcengine/metric-firing.json >"$tmp/out" 2>"$tmp/err"
  check "--jobs '$bad': usage error" eq "$?" 2
  check "--jobs '$bad': said" holds "$(cat "$tmp/err")" "--jobs"
  check "--jobs '$bad': nothing printed" eq "$(wc -c <"$tmp/out")" 0
done
for good in 1 256; do
  "$BIN" convert -j "$good" samples/volcengine/metric-firing.json >"$tmp/out.$good" 2>"$tmp/err"
  check "--jobs $good: converts" eq "$?" 0
done
check "--jobs 1 and 256 agree on a small input" eq "$(cmp -s "$tmp/out.1" "$tmp/out.256" && echo same)" same
for cmd in convert detect "routes test samples/routes.yaml" send labels; do
  # shellcheck disable=SC2086
  check "$cmd --help shows --jobs" holds "$("$BIN" $cmd --help 2>&1)" "--jobs"
done

# Several MiB of NDJSON: more than a chunk, so the work is shared by threads.
python3 "$SRC/bench/gen.py" 6M "$tmp/big" >/dev/null
big=$tmp/big/volc.metric.ndjson
"$BIN" convert --jobs 1 "$big" >"$tmp/all" 2>/dev/null
events=$(wc -l <"$tmp/all")
check "big input: more than two chunks" eq "$([ "$(wc -c <"$big")" -gt 2500000 ] && [ "$events" -gt 1000 ] && echo many)" many

# --remove-done on 2 threads: a file read whole and converted is removed; one with a body
# rejected (and no --reject) in its middle is kept, saying why.
cp "$big" "$tmp/done.ndjson"
"$BIN" convert --jobs 2 --remove-done "$tmp/done.ndjson" >"$tmp/done.out" 2>"$tmp/err"
check "--remove-done --jobs 2: exit 0" eq "$?" 0
check "--remove-done --jobs 2: removed" eq "$([ -e "$tmp/done.ndjson" ] && echo kept || echo removed)" removed
check "--remove-done --jobs 2: every event printed" eq "$(cmp -s "$tmp/all" "$tmp/done.out" && echo same)" same
{ cat "$big"; echo "no body at all"; cat "$big"; } >"$tmp/kept.ndjson"
"$BIN" convert --jobs 2 --remove-done "$tmp/kept.ndjson" >/dev/null 2>"$tmp/err"
check "--remove-done --jobs 2, a rejection: exit 1" eq "$?" 1
check "--remove-done --jobs 2, a rejection: kept" eq "$([ -e "$tmp/kept.ndjson" ] && echo kept)" kept
check "--remove-done --jobs 2, a rejection: says why" holds "$(cat "$tmp/err")" "kept: a rejected body is kept nowhere else"

# A directory of many small files (every sample, 1500 files): the chunks span files, so the
# threads share them; output, stderr and the reject file are those of one thread.
mkdir "$tmp/many"
mapfile -t samples < <(find samples/volcengine samples/alibaba -type f | sort)
for i in $(seq 1500); do
  s=${samples[$((i % ${#samples[@]}))]}
  cp "$s" "$tmp/many/$(printf '%04d' "$i")-$(basename "$s")"
done
printf 'no body at all\n' >"$tmp/many/0777-junk.json"
: >"$tmp/many/0778-empty.json"
"$BIN" convert --jobs 1 --reject "$tmp/rej.1" "$tmp/many" >"$tmp/many.1" 2>"$tmp/many.err.1"
rc1=$?
"$BIN" convert --jobs 2 --reject "$tmp/rej.2" "$tmp/many" >"$tmp/many.2" 2>"$tmp/many.err.2"
check "1500 files, --jobs 2: exit as --jobs 1" eq "$?" "$rc1"
check "1500 files: many events" eq "$([ "$(wc -l <"$tmp/many.1")" -gt 1500 ] && echo many)" many
check "1500 files, --jobs 2: stdout as --jobs 1" eq "$(cmp -s "$tmp/many.1" "$tmp/many.2" && echo same)" same
check "1500 files, --jobs 2: stderr as --jobs 1" eq "$(cmp -s "$tmp/many.err.1" "$tmp/many.err.2" && echo same)" same
check "1500 files, --jobs 2: rejects as --jobs 1" eq "$(cmp -s "$tmp/rej.1" "$tmp/rej.2" && echo same)" same

# --remove-done --jobs 2 over that directory, no --reject: every file is removed but the one
# with the rejected body, kept and said; the empty one was read whole.
"$BIN" convert --jobs 2 --remove-done "$tmp/many" >"$tmp/many.3" 2>"$tmp/err"
check "--remove-done --jobs 2, a directory: exit 1 (a rejection)" eq "$?" 1
check "--remove-done --jobs 2, a directory: every event" eq "$(cmp -s "$tmp/many.1" "$tmp/many.3" && echo same)" same
check "--remove-done --jobs 2, a directory: only the rejected file left" eq "$(ls "$tmp/many")" 0777-junk.json
check "--remove-done --jobs 2, a directory: says why" holds "$(cat "$tmp/err")" "0777-junk.json: kept: a rejected body is kept nowhere else"

# SIGINT while a pipe that stays open is read on 2 threads: once what was written is
# printed, the signal ends the run at once (exit 130), with every event of it printed.
mkfifo "$tmp/fifo"
{ cat "$big"; exec sleep 30; } >"$tmp/fifo" &
writer=$!
"$BIN" convert --jobs 2 <"$tmp/fifo" >"$tmp/got" 2>"$tmp/err" &
pid=$!
for _ in $(seq 200); do
  [ "$(wc -l <"$tmp/got")" -ge "$events" ] && break
  sleep 0.05
done
check "SIGINT: everything written was printed while the input waits" eq "$(wc -l <"$tmp/got")" "$events"
t0=$(date +%s%N)
kill -INT "$pid"
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.02; done
wait "$pid"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null
check "SIGINT: exit 130" eq "$rc" 130
check "SIGINT: within 2 s (took $ms ms)" eq "$([ "$ms" -lt 2000 ] && echo prompt)" prompt
check "SIGINT: nothing lost, nothing doubled" eq "$(cmp -s "$tmp/all" "$tmp/got" && echo same)" same

# SIGINT while the workers are busy on a file: exit 130, and what was printed is a prefix of
# the whole output, cut at an event's end.
for _ in $(seq 30); do cat "$big"; done >"$tmp/bigger"
"$BIN" convert --jobs 2 "$tmp/bigger" >"$tmp/part" 2>"$tmp/err" &
pid=$!
sleep 0.15
kill -INT "$pid"
wait "$pid"
rc=$?
if [ "$rc" = 130 ]; then
  lines=$(wc -l <"$tmp/part")
  "$BIN" convert --jobs 1 "$tmp/bigger" 2>/dev/null | head -n "$lines" >"$tmp/prefix"
  check "SIGINT mid-file: output is the run's first $lines events" eq "$(cmp -s "$tmp/prefix" "$tmp/part" && echo prefix)" prefix
  check "SIGINT mid-file: no partial line" eq "$(tail -c1 "$tmp/part" | od -An -c | tr -d ' ')" '\n'
else
  check "SIGINT mid-file: exit 130, or 0 when the run was done first" eq "$rc" 0
fi

# send --jobs 2 over the loopback sink, one request at a time: every event, in input order.
start_sink
pad=$(printf 'p%.0s' $(seq 900))
for i in $(seq 2500); do
  printf '{"event_status":"Critical","title_rule":"order %d","alert_key":"order-%d","labels":{"pad":"%s"}}\n' "$i" "$i" "$pad"
done >"$tmp/ordered"
send /s/200 --jobs 2 --concurrency 1 "$tmp/ordered"
check "send --jobs 2: exit 0" eq "$rc" 0
check "send --jobs 2: all delivered" eq "$(stats delivered)" 2500
got=$(jq -r 'select(.alert_key | startswith("order-")) | .alert_key' "$tmp/sink.log" | sed 's/order-//' | md5sum)
check "send --jobs 2: in input order" eq "$got" "$(seq 2500 | md5sum)"
finish
