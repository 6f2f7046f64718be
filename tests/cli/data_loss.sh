#!/usr/bin/env bash
# Issue 9: nothing lost. The reject file as an input, what a directory walk leaves out, an
# unreadable subdirectory, reject records that cannot be written, oversized bodies and NUL
# runs, signals while skipping, and one exit code per outcome.
source "$(dirname "$0")/../lib.bash"
S=$SRC/samples/volcengine
one_line() { tr -d '\n' <"$S/metric-firing.json"; echo; }

# 1. --reject inside an input directory (or named as an input) is refused, as send refuses
#    such a --dead-letter; no empty file is left behind.
mkdir "$tmp/in"
one_line >"$tmp/in/a.json"
echo '{"x":1}' >"$tmp/in/bad.json"
timeout 10 "$BIN" convert --reject "$tmp/in/rej.ndjson" "$tmp/in" >/dev/null 2>"$tmp/err"
check "reject file inside an input directory: exit 2" eq $? 2
check "reject file inside an input directory: said" holds "$(cat "$tmp/err")" "--reject $tmp/in/rej.ndjson is also an input"
check "reject file inside an input directory: not left behind" eq "$(ls "$tmp/in")" "$(printf 'a.json\nbad.json')"
echo '{"x":2}' >"$tmp/in/old-rej.ndjson"
timeout 10 "$BIN" convert --reject "$tmp/in/old-rej.ndjson" "$tmp/in/a.json" "$tmp/in/old-rej.ndjson" >/dev/null 2>&1
check "reject file named as an input: exit 2" eq $? 2
check "reject file named as an input: untouched" eq "$(cat "$tmp/in/old-rej.ndjson")" '{"x":2}'
timeout 10 "$BIN" convert "$tmp/in" >"$tmp/in/out.ndjson" 2>"$tmp/err"
check "standard output inside an input directory: exit 2" eq $? 2
check "standard output inside an input directory: said" holds "$(cat "$tmp/err")" "standard output is also an input"
rm -f "$tmp/in/old-rej.ndjson" "$tmp/in/out.ndjson"

# 11. The reject file is created 0600: it holds raw webhook bodies.
"$BIN" convert --reject "$tmp/rej.ndjson" "$tmp/in" >/dev/null 2>&1
check "reject: exit 1" eq $? 1
check "reject file mode" eq "$(stat -c %a "$tmp/rej.ndjson")" 600

# 2. A directory walk: every entry it does not read gets a line and exit 5; extensions in any
#    case; --all-files reads every regular file; symlinked directories are reported.
mkdir -p "$tmp/walk/sub" "$tmp/elsewhere" "$tmp/walk/.hidden"
one_line >"$tmp/walk/a.json"
one_line >"$tmp/walk/b.JSON"
one_line >"$tmp/walk/c.json.1"
one_line >"$tmp/walk/d.urlencoded"
one_line >"$tmp/walk/hook-2025-06-14T03.12.40"
one_line >"$tmp/walk/.partial.json"
one_line >"$tmp/walk/sub/e.json"
one_line >"$tmp/elsewhere/f.json"
mkfifo "$tmp/walk/fifo"
ln -s nowhere "$tmp/walk/dangling.json"
ln -s ../elsewhere "$tmp/walk/linked"
timeout 10 "$BIN" convert "$tmp/walk" >"$tmp/out" 2>"$tmp/err"
check "walk: exit 5" eq $? 5
err=$(cat "$tmp/err")
check "walk: B.JSON read, case-insensitively" eq "$(wc -l <"$tmp/out")" 3
for f in c.json.1 d.urlencoded hook-2025-06-14T03.12.40; do
  check "walk: $f said" holds "$err" "$tmp/walk/$f: skipped: not a capture file name (--include GLOB or --all-files reads it)"
done
check "walk: FIFO said" holds "$err" "$tmp/walk/fifo: skipped: a FIFO"
check "walk: dangling link said" holds "$err" "$tmp/walk/dangling.json: skipped: a dangling symbolic link"
check "walk: linked directory said" holds "$err" "$tmp/walk/linked: skipped: a symbolic link to a directory"
check "walk: count" holds "$err" "cmrelay: 6 file(s) skipped"
check "walk: hidden files are not inputs" omits "$err" ".partial.json"
timeout 10 "$BIN" convert --all-files "$tmp/walk" >"$tmp/out" 2>"$tmp/err"
check "--all-files: exit 5 (the FIFO and the links)" eq $? 5
check "--all-files: every regular file read" eq "$(wc -l <"$tmp/out")" 6
check "--all-files: names no longer skipped" omits "$(cat "$tmp/err")" "not a capture file name"
timeout 10 "$BIN" convert --include 'hook-*' --include '*.URLencoded' "$tmp/walk" >"$tmp/out" 2>"$tmp/err"
check "--include: exit 5 (c.json.1, the FIFO and the links)" eq $? 5
check "--include: the names matched are read" eq "$(wc -l <"$tmp/out")" 5
check "--include: the rest still skipped" holds "$(cat "$tmp/err")" "c.json.1: skipped"

# 3. An unreadable subdirectory is reported by its own name and skipped; the walk goes on.
#    (Root reads everything: run as nobody when root.)
mkdir -p "$tmp/tree/a-locked" "$tmp/tree/b"
one_line >"$tmp/tree/a-locked/x.json"
one_line >"$tmp/tree/b/y.json"
one_line >"$tmp/tree/z.json"
chmod 755 "$tmp" "$tmp/tree" "$tmp/tree/b"
chmod 644 "$tmp/tree/b/y.json" "$tmp/tree/z.json"
chmod 000 "$tmp/tree/a-locked"
as_user=()
[ "$(id -u)" = 0 ] && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
"${as_user[@]}" "$BIN" convert "$tmp/tree" >"$tmp/out" 2>"$tmp/err"
check "unreadable subdirectory: exit 5" eq $? 5
check "unreadable subdirectory: named" holds "$(cat "$tmp/err")" "$tmp/tree/a-locked: cannot list: Permission denied"
check "unreadable subdirectory: not the parent" omits "$(cat "$tmp/err")" "$tmp/tree: cannot list"
check "unreadable subdirectory: the rest read" eq "$(wc -l <"$tmp/out")" 2
chmod 700 "$tmp/tree/a-locked"

# 2. An oversized body is kept whole in the reject file, and a valid body after a run of NUL
#    bytes is not lost inside the rejection.
head -c 3000 /dev/urandom | base64 -w0 | sed 's/^/{"a":"/; s/$/"}/' >"$tmp/big.json"
echo >>"$tmp/big.json"
printf 'x=%05000d\n' 0 >>"$tmp/big.json"
one_line >>"$tmp/big.json"
head -c 5000 /dev/zero >>"$tmp/big.json"
one_line >>"$tmp/big.json"
"$BIN" convert --max-body 1k --reject "$tmp/big-rej.ndjson" "$tmp/big.json" >"$tmp/out" 2>"$tmp/err"
check "oversized: exit 1" eq $? 1
check "oversized: both valid bodies converted" eq "$(wc -l <"$tmp/out")" 2
check "oversized: three rejects" eq "$(wc -l <"$tmp/big-rej.ndjson")" 3
check "oversized JSON kept whole" eq "$(jq -r 'select(.record == 1) | .body_base64' "$tmp/big-rej.ndjson" | base64 -d | cmp - <(head -1 "$tmp/big.json" | tr -d '\n') && echo same)" same
check "oversized line kept whole" eq "$(jq -r 'select(.record == 2) | .body_base64' "$tmp/big-rej.ndjson" | base64 -d)" "$(sed -n 2p "$tmp/big.json")"
check "NUL run: its own record" eq "$(jq -c 'select(.record == 4) | [.length, .reason]' "$tmp/big-rej.ndjson")" \
  '[5000,"5000 NUL bytes: not a body (padding, or a damaged file)"]'
check "oversized: said when it passed the limit" holds "$(cat "$tmp/err")" \
  "big.json:1: longer than the 1024-byte limit (--max-body); reading on to its end, into the reject file"

# 5. A reject record the file does not take goes to stderr in full; exit 6.
"$BIN" convert --reject /dev/full "$tmp/in/bad.json" >/dev/null 2>"$tmp/err"
check "reject file full: exit 6" eq $? 6
check "reject file full: said" holds "$(cat "$tmp/err")" "/dev/full: cannot write the reject file: No space left on device; the record follows on stderr"
check "reject file full: the whole record on stderr" eq "$(grep '^{' "$tmp/err" | jq -c '[.record, .body]')" '[1,"{\"x\":1}"]'
"$BIN" convert --max-body 1k --reject /dev/full "$tmp/big.json" >/dev/null 2>"$tmp/err"
check "reject file full, streamed body: exit 6" eq $? 6
check "reject file full, streamed body: said" holds "$(cat "$tmp/err")" "the body of $tmp/big.json:1 is not kept in it"

# 7. Standard output that cannot be written: exit 7, for every command.
export FLASHDUTY_DBA_KEY=dba-s3cret FLASHDUTY_OPS_KEY=ops-s3cret
"$BIN" convert "$tmp/in/a.json" >/dev/full 2>/dev/null; check "convert > /dev/full: exit 7" eq $? 7
"$BIN" convert "$tmp/in/a.json" >/dev/full 2>"$tmp/err"
check "convert > /dev/full: said" holds "$(cat "$tmp/err")" "writing standard output: No space left on device"
"$BIN" detect "$tmp/in/a.json" >/dev/full 2>"$tmp/err"
check "detect > /dev/full: said" holds "$(cat "$tmp/err")" "writing standard output: No space left on device"
"$BIN" detect "$tmp/in/a.json" >/dev/full 2>/dev/null; check "detect > /dev/full: exit 7" eq $? 7
"$BIN" routes check "$SRC/samples/routes.yaml" >/dev/full 2>/dev/null; check "routes check > /dev/full: exit 7" eq $? 7
"$BIN" routes test "$SRC/samples/routes.yaml" "$tmp/in/a.json" >/dev/full 2>/dev/null; check "routes test > /dev/full: exit 7" eq $? 7
"$BIN" convert "$tmp/in/a.json" "$tmp/in/bad.json" >/dev/full 2>/dev/null; check "output failure wins over rejects" eq $? 7
"$BIN" send --url http://127.0.0.1:9/x --stats json </dev/null >/dev/full 2>/dev/null; check "send --stats json > /dev/full: exit 7" eq $? 7
"$BIN" send --dry-run --url http://127.0.0.1:9/x "$tmp/in/a.json" >/dev/full 2>/dev/null; check "send --dry-run > /dev/full: exit 7" eq $? 7
"$BIN" labels "$tmp/in/a.json" >/dev/full 2>/dev/null; check "labels > /dev/full: exit 7" eq $? 7
"$BIN" routes test "$SRC/samples/routes.yaml" --cases "$SRC/samples/routes-tests.yaml" >/dev/full 2>/dev/null
check "routes test --cases > /dev/full: exit 7" eq $? 7
"$BIN" alerts --state "$tmp/no-state.db" --format table >/dev/full 2>/dev/null; check "alerts (none open) > /dev/full: exit 7" eq $? 7
for words in --help --version "convert --help" "send --help"; do
  "$BIN" $words >/dev/full 2>/dev/null; check "$words > /dev/full: exit 7" eq $? 7
done
"$BIN" send --dry-run --url http://127.0.0.1:9/x --reject "$tmp/dl.ndjson" --dead-letter "$tmp/dl.ndjson" "$tmp/in/a.json" >/dev/null 2>"$tmp/err"
check "the same file as --reject and --dead-letter: exit 2" eq $? 2
check "the same file as --reject and --dead-letter: said" holds "$(cat "$tmp/err")" "--reject and --dead-letter must be different files"

# The "longer than the limit" line goes with its rejection line: not under --quiet, and
# within --max-errors.
for i in 1 2 3 4 5; do printf '{"x":"%s"}\n' "$(head -c 3000 /dev/zero | tr '\0' y)"; done >"$tmp/over.ndjson"
"$BIN" convert --max-body 2k --quiet "$tmp/over.ndjson" >/dev/null 2>"$tmp/err"
check "over --max-body, --quiet: no line" eq "$(grep -c 'longer than the' "$tmp/err")" 0
"$BIN" convert --max-body 2k --max-errors 2 "$tmp/over.ndjson" >/dev/null 2>"$tmp/err"
check "over --max-body, --max-errors 2: two lines" eq "$(grep -c 'longer than the' "$tmp/err")" 2

# 6. /dev/zero with a small --max-body: reported when it passes the limit, and a signal
#    stops the run at once (not only at the record's end, which never comes).
"$BIN" convert --max-body 1k /dev/zero >/dev/null 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do grep -q "longer than the 1024-byte limit" "$tmp/err" && break; sleep 0.05; done
check "/dev/zero: reported when it passes the limit" holds "$(cat "$tmp/err")" "/dev/zero:1: longer than the 1024-byte limit"
kill -TERM "$pid"
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$pid" 2>/dev/null; then fail "/dev/zero: SIGTERM did not stop convert"; kill -KILL "$pid"; fi
wait "$pid"
check "/dev/zero: exit 143" eq $? 143

# 2. convert --remove-done removes exactly the files it accounted for.
mkdir "$tmp/rd"
one_line >"$tmp/rd/good.json"
echo '{"x":1}' >"$tmp/rd/bad.json"
one_line >"$tmp/rd/skip.json.1"
"$BIN" convert --remove-done "$tmp/rd" "$tmp/rd/good.json" >"$tmp/out" 2>"$tmp/err"
check "remove-done: exit 5" eq $? 5
check "remove-done: a rejected body without --reject keeps its file, and the skipped one stays" eq "$(ls "$tmp/rd" | tr '\n' ' ')" "bad.json skip.json.1 "
check "remove-done: kept, with why" holds "$(cat "$tmp/err")" "$tmp/rd/bad.json: kept: a rejected body is kept nowhere else (no --reject)"
check "remove-done: a file named twice is removed once, quietly" omits "$(cat "$tmp/err")" "cannot remove"
check "remove-done: its events printed (twice: named twice)" eq "$(wc -l <"$tmp/out")" 2
one_line >"$tmp/rd/good2.json"
"$BIN" convert --remove-done --reject "$tmp/rd-rej.ndjson" "$tmp/rd/bad.json" "$tmp/rd/good2.json" >/dev/full 2>"$tmp/err"
check "remove-done, output failed: exit 7" eq $? 7
check "remove-done, output failed: nothing removed" eq "$(ls "$tmp/rd" | tr '\n' ' ')" "bad.json good2.json skip.json.1 "
rm "$tmp/rd/good2.json"
"$BIN" convert --remove-done --reject "$tmp/rd-rej.ndjson" "$tmp/rd/bad.json" >/dev/null 2>&1
check "remove-done: a body in the reject file is accounted for" eq "$(ls "$tmp/rd" | tr '\n' ' ')" "skip.json.1 "
"$BIN" send --dry-run --remove-done --url http://127.0.0.1:9/x "$tmp/rd" >/dev/null 2>&1
check "remove-done with --dry-run: exit 2" eq $? 2

# 5. send --remove-done keeps an input rewritten in place during the run (cp over it, same
#    length, same inode): its new body was never sent.
start_sink
mkdir "$tmp/rw"
printf '{"event_status":"Critical","title_rule":"old","alert_key":"rw-1"}\n' >"$tmp/rw/a.json"
printf '{"event_status":"Critical","title_rule":"new","alert_key":"rw-1"}\n' >"$tmp/rw/b.json"
ino=$(stat -c %i "$tmp/rw/a.json")
# The first attempt gets 429 with Retry-After: 2 s: the file is rewritten within that wait.
SINK_URL="http://127.0.0.1:$port/s/429s2,200" "$BIN" send --url-env SINK_URL --dead-letter "$tmp/rw-dead" \
  --remove-done "$tmp/rw/a.json" >/dev/null 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do [ "$(requests rw-)" -ge 1 ] && break; sleep 0.05; done
cp "$tmp/rw/b.json" "$tmp/rw/a.json"
wait "$pid"
check "rewritten in place: send exits 0 (the old body delivered)" eq $? 0
check "rewritten in place: same inode, same size (the case device, inode and size miss)" eq \
  "$(stat -c '%i %s' "$tmp/rw/a.json")" "$ino $(stat -c %s "$tmp/rw/b.json")"
check "rewritten in place: kept" eq "$(cat "$tmp/rw/a.json" 2>/dev/null)" "$(cat "$tmp/rw/b.json")"
check "rewritten in place: said" holds "$(cat "$tmp/err")" "$tmp/rw/a.json: kept: it changed (or was replaced) since it was read"
check "rewritten in place: only the old body was sent" eq "$(jq -r 'select(.alert_key == "rw-1") | .body' "$tmp/sink.log" | jq -r .title_rule | sort -u)" old

# 6. send stops at the first signal also while it skips an oversized record (a regular file
#    read is never interrupted by the signal itself).
"$BIN" send --url "http://127.0.0.1:9/x" --max-body 1k --dead-letter "$tmp/zero-dead" /dev/zero >/dev/null 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do grep -q "longer than the 1024-byte limit" "$tmp/err" && break; sleep 0.05; done
kill -TERM "$pid"
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$pid" 2>/dev/null; then fail "send /dev/zero: the first SIGTERM was ignored"; kill -KILL "$pid"; fi
wait "$pid"
check "send /dev/zero: exit 143" eq $? 143

# 4. send --routes: an event routed to no channel is dead-lettered with its reason and exits
#    4; so is a replayed record whose channel was removed; routes check warns of no default.
printf 'channels:\n  ops: {url: "http://127.0.0.1:9/ops"}\ncases:\n  - if: [{key: labels.team, oper: IN, vals: [ops]}]\n    channels: [ops]\n' \
  >"$tmp/nodefault.yaml"
printf '{"event_status":"Warning","title_rule":"t","alert_key":"nowhere-1","labels":{"team":"nobody"}}\n' >"$tmp/ev.ndjson"
"$BIN" send --routes "$tmp/nodefault.yaml" --dead-letter "$tmp/unrouted.ndjson" --stats json "$tmp/ev.ndjson" >"$tmp/stats" 2>"$tmp/err"
check "unrouted: exit 4" eq $? 4
check "unrouted: counted" eq "$(jq .unrouted "$tmp/stats")" 1
check "unrouted: dead-lettered with the reason" eq "$(jq -c '[.channel, .attempts, .error, .event.alert_key]' "$tmp/unrouted.ndjson")" \
  '["",0,"routed to no channel","nowhere-1"]'
check "unrouted: said" holds "$(cat "$tmp/err")" "event nowhere-1 routed to no channel; dead-lettered"
printf '{"time":"2026-11-22T01:30:00Z","channel":"gone","url":"http://x/","attempts":1,"error":"HTTP 503","event":{"event_status":"Critical","title_rule":"t","alert_key":"gone-1","labels":{"team":"nobody"}}}\n' \
  >"$tmp/replay.ndjson"
"$BIN" send --routes "$tmp/nodefault.yaml" --dead-letter "$tmp/replay-dead.ndjson" --replay "$tmp/replay.ndjson" >/dev/null 2>"$tmp/err"
check "replay to a removed channel: exit 4" eq $? 4
check "replay to a removed channel: dead-lettered again" eq "$(jq -r .event.alert_key "$tmp/replay-dead.ndjson")" gone-1
check "replay to a removed channel: said" holds "$(cat "$tmp/err")" "its record's channel 'gone' is not in the route file"
# The per-event lines are bounded as rejection lines are: none with --quiet, N with
# --max-errors N; the summary still counts every one (and the exit code says it).
for i in 1 2 3; do sed "s/nowhere-1/nowhere-$i/" "$tmp/ev.ndjson"; done >"$tmp/ev3.ndjson"
"$BIN" send --quiet --routes "$tmp/nodefault.yaml" --dead-letter "$tmp/unrouted-q.ndjson" "$tmp/ev3.ndjson" >/dev/null 2>"$tmp/err"
check "unrouted --quiet: exit 4" eq $? 4
check "unrouted --quiet: no per-event line" omits "$(cat "$tmp/err")" "routed to no channel; dead-lettered"
check "unrouted --quiet: all dead-lettered" eq "$(wc -l <"$tmp/unrouted-q.ndjson")" 3
"$BIN" send --max-errors 1 --routes "$tmp/nodefault.yaml" --dead-letter "$tmp/unrouted-m.ndjson" "$tmp/ev3.ndjson" >/dev/null 2>"$tmp/err"
check "unrouted --max-errors 1: one per-event line" eq "$(grep -c 'routed to no channel; dead-lettered' "$tmp/err")" 1
"$BIN" convert --quiet --routes "$tmp/nodefault.yaml" "$tmp/ev3.ndjson" >/dev/null 2>"$tmp/err"
check "convert --routes --quiet: no per-event line" eq "$(grep -c 'event nowhere-[0-9]* routed to no channel' "$tmp/err")" 0
check "convert --routes --quiet: the count" holds "$(cat "$tmp/err")" "3 of 3 events routed to no channel"
"$BIN" convert --max-errors 2 --routes "$tmp/nodefault.yaml" "$tmp/ev3.ndjson" >/dev/null 2>"$tmp/err"
check "convert --routes --max-errors 2: two per-event lines" eq "$(grep -c 'event nowhere-[0-9]* routed to no channel' "$tmp/err")" 2
"$BIN" routes check "$tmp/nodefault.yaml" >/dev/null 2>"$tmp/err"
check "routes check without a default: still clean" eq $? 0
check "routes check without a default: warns" holds "$(cat "$tmp/err")" "nodefault.yaml: warning: no default"

finish
