#!/usr/bin/env bash
# Issue 9: nothing lost. The reject file as an input, what a directory walk leaves out, an
# unreadable subdirectory, reject records that cannot be written, oversized bodies and NUL
# runs, signals while skipping, and one exit code per outcome.
source "$(dirname "$0")/lib.bash"
S=$SRC/samples/volcengine
one_line() { tr -d '\n' <"$S/metric-firing.json"; echo; }

# 1. --reject inside an input directory (or named as an input) is refused, as send refuses
#    such a --dead-letter; no empty file is left behind.
mkdir "$TMP/in"
one_line >"$TMP/in/a.json"
echo '{"x":1}' >"$TMP/in/bad.json"
timeout 10 "$BIN" convert --reject "$TMP/in/rej.ndjson" "$TMP/in" >/dev/null 2>"$TMP/err"
check "reject file inside an input directory: exit 2" $? 2
contains "reject file inside an input directory: said" "$(cat "$TMP/err")" "--reject $TMP/in/rej.ndjson is also an input"
check "reject file inside an input directory: not left behind" "$(ls "$TMP/in")" "$(printf 'a.json\nbad.json')"
echo '{"x":2}' >"$TMP/in/old-rej.ndjson"
timeout 10 "$BIN" convert --reject "$TMP/in/old-rej.ndjson" "$TMP/in/a.json" "$TMP/in/old-rej.ndjson" >/dev/null 2>&1
check "reject file named as an input: exit 2" $? 2
check "reject file named as an input: untouched" "$(cat "$TMP/in/old-rej.ndjson")" '{"x":2}'
timeout 10 "$BIN" convert "$TMP/in" >"$TMP/in/out.ndjson" 2>"$TMP/err"
check "standard output inside an input directory: exit 2" $? 2
contains "standard output inside an input directory: said" "$(cat "$TMP/err")" "standard output is also an input"
rm -f "$TMP/in/old-rej.ndjson" "$TMP/in/out.ndjson"

# 11. The reject file is created 0600: it holds raw webhook bodies.
"$BIN" convert --reject "$TMP/rej.ndjson" "$TMP/in" >/dev/null 2>&1
check "reject: exit 1" $? 1
check "reject file mode" "$(stat -c %a "$TMP/rej.ndjson")" 600

# 2. A directory walk: every entry it does not read gets a line and exit 5; extensions in any
#    case; --all-files reads every regular file; symlinked directories are reported.
mkdir -p "$TMP/walk/sub" "$TMP/elsewhere" "$TMP/walk/.hidden"
one_line >"$TMP/walk/a.json"
one_line >"$TMP/walk/b.JSON"
one_line >"$TMP/walk/c.json.1"
one_line >"$TMP/walk/d.urlencoded"
one_line >"$TMP/walk/hook-2025-06-14T03.12.40"
one_line >"$TMP/walk/.partial.json"
one_line >"$TMP/walk/sub/e.json"
one_line >"$TMP/elsewhere/f.json"
mkfifo "$TMP/walk/fifo"
ln -s nowhere "$TMP/walk/dangling.json"
ln -s ../elsewhere "$TMP/walk/linked"
timeout 10 "$BIN" convert "$TMP/walk" >"$TMP/out" 2>"$TMP/err"
check "walk: exit 5" $? 5
err=$(cat "$TMP/err")
check "walk: B.JSON read, case-insensitively" "$(wc -l <"$TMP/out")" 3
for f in c.json.1 d.urlencoded hook-2025-06-14T03.12.40; do
  contains "walk: $f said" "$err" "$TMP/walk/$f: skipped: not a capture file name (--include GLOB or --all-files reads it)"
done
contains "walk: FIFO said" "$err" "$TMP/walk/fifo: skipped: a FIFO"
contains "walk: dangling link said" "$err" "$TMP/walk/dangling.json: skipped: a dangling symbolic link"
contains "walk: linked directory said" "$err" "$TMP/walk/linked: skipped: a symbolic link to a directory"
contains "walk: count" "$err" "cmrelay: 6 file(s) skipped"
lacks "walk: hidden files are not inputs" "$err" ".partial.json"
timeout 10 "$BIN" convert --all-files "$TMP/walk" >"$TMP/out" 2>"$TMP/err"
check "--all-files: exit 5 (the FIFO and the links)" $? 5
check "--all-files: every regular file read" "$(wc -l <"$TMP/out")" 6
lacks "--all-files: names no longer skipped" "$(cat "$TMP/err")" "not a capture file name"
timeout 10 "$BIN" convert --include 'hook-*' --include '*.URLencoded' "$TMP/walk" >"$TMP/out" 2>"$TMP/err"
check "--include: exit 5 (c.json.1, the FIFO and the links)" $? 5
check "--include: the names matched are read" "$(wc -l <"$TMP/out")" 5
contains "--include: the rest still skipped" "$(cat "$TMP/err")" "c.json.1: skipped"

# 3. An unreadable subdirectory is reported by its own name and skipped; the walk goes on.
#    (Root reads everything: run as nobody when root.)
mkdir -p "$TMP/tree/a-locked" "$TMP/tree/b"
one_line >"$TMP/tree/a-locked/x.json"
one_line >"$TMP/tree/b/y.json"
one_line >"$TMP/tree/z.json"
chmod 755 "$TMP" "$TMP/tree" "$TMP/tree/b"
chmod 644 "$TMP/tree/b/y.json" "$TMP/tree/z.json"
chmod 000 "$TMP/tree/a-locked"
as_user=()
[ "$(id -u)" = 0 ] && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
"${as_user[@]}" "$BIN" convert "$TMP/tree" >"$TMP/out" 2>"$TMP/err"
check "unreadable subdirectory: exit 5" $? 5
contains "unreadable subdirectory: named" "$(cat "$TMP/err")" "$TMP/tree/a-locked: cannot list: Permission denied"
lacks "unreadable subdirectory: not the parent" "$(cat "$TMP/err")" "$TMP/tree: cannot list"
check "unreadable subdirectory: the rest read" "$(wc -l <"$TMP/out")" 2
chmod 700 "$TMP/tree/a-locked"

# 2. An oversized body is kept whole in the reject file, and a valid body after a run of NUL
#    bytes is not lost inside the rejection.
head -c 3000 /dev/urandom | base64 -w0 | sed 's/^/{"a":"/; s/$/"}/' >"$TMP/big.json"
echo >>"$TMP/big.json"
printf 'x=%05000d\n' 0 >>"$TMP/big.json"
one_line >>"$TMP/big.json"
head -c 5000 /dev/zero >>"$TMP/big.json"
one_line >>"$TMP/big.json"
"$BIN" convert --max-body 1k --reject "$TMP/big-rej.ndjson" "$TMP/big.json" >"$TMP/out" 2>"$TMP/err"
check "oversized: exit 1" $? 1
check "oversized: both valid bodies converted" "$(wc -l <"$TMP/out")" 2
check "oversized: three rejects" "$(wc -l <"$TMP/big-rej.ndjson")" 3
check "oversized JSON kept whole" "$(jq -r 'select(.record == 1) | .body_base64' "$TMP/big-rej.ndjson" | base64 -d | cmp - <(head -1 "$TMP/big.json" | tr -d '\n') && echo same)" same
check "oversized line kept whole" "$(jq -r 'select(.record == 2) | .body_base64' "$TMP/big-rej.ndjson" | base64 -d)" "$(sed -n 2p "$TMP/big.json")"
check "NUL run: its own record" "$(jq -c 'select(.record == 4) | [.length, .reason]' "$TMP/big-rej.ndjson")" \
  '[5000,"5000 NUL bytes: not a body (padding, or a damaged file)"]'
contains "oversized: said when it passed the limit" "$(cat "$TMP/err")" \
  "big.json:1: longer than the 1024-byte limit (--max-body); reading on to its end, into the reject file"

# 5. A reject record the file does not take goes to stderr in full; exit 6.
"$BIN" convert --reject /dev/full "$TMP/in/bad.json" >/dev/null 2>"$TMP/err"
check "reject file full: exit 6" $? 6
contains "reject file full: said" "$(cat "$TMP/err")" "/dev/full: cannot write the reject file: No space left on device; the record follows on stderr"
check "reject file full: the whole record on stderr" "$(grep '^{' "$TMP/err" | jq -c '[.record, .body]')" '[1,"{\"x\":1}"]'
"$BIN" convert --max-body 1k --reject /dev/full "$TMP/big.json" >/dev/null 2>"$TMP/err"
check "reject file full, streamed body: exit 6" $? 6
contains "reject file full, streamed body: said" "$(cat "$TMP/err")" "the body of $TMP/big.json:1 is not kept in it"

# 7. Standard output that cannot be written: exit 7, for every command.
export FLASHDUTY_DBA_KEY=dba-s3cret FLASHDUTY_OPS_KEY=ops-s3cret
"$BIN" convert "$TMP/in/a.json" >/dev/full 2>/dev/null; check "convert > /dev/full: exit 7" $? 7
"$BIN" detect "$TMP/in/a.json" >/dev/full 2>/dev/null; check "detect > /dev/full: exit 7" $? 7
"$BIN" routes check "$SRC/samples/routes.yaml" >/dev/full 2>/dev/null; check "routes check > /dev/full: exit 7" $? 7
"$BIN" routes test "$SRC/samples/routes.yaml" "$TMP/in/a.json" >/dev/full 2>/dev/null; check "routes test > /dev/full: exit 7" $? 7
"$BIN" convert "$TMP/in/a.json" "$TMP/in/bad.json" >/dev/full 2>/dev/null; check "output failure wins over rejects" $? 7
"$BIN" send --url http://127.0.0.1:9/x --stats json </dev/null >/dev/full 2>/dev/null; check "send --stats json > /dev/full: exit 7" $? 7
"$BIN" send --dry-run --url http://127.0.0.1:9/x "$TMP/in/a.json" >/dev/full 2>/dev/null; check "send --dry-run > /dev/full: exit 7" $? 7
"$BIN" labels "$TMP/in/a.json" >/dev/full 2>/dev/null; check "labels > /dev/full: exit 7" $? 7
"$BIN" routes test "$SRC/samples/routes.yaml" --cases "$SRC/samples/routes-tests.yaml" >/dev/full 2>/dev/null
check "routes test --cases > /dev/full: exit 7" $? 7
"$BIN" alerts --state "$TMP/no-state.db" --format table >/dev/full 2>/dev/null; check "alerts (none open) > /dev/full: exit 7" $? 7
for words in --help --version "convert --help" "send --help"; do
  "$BIN" $words >/dev/full 2>/dev/null; check "$words > /dev/full: exit 7" $? 7
done
"$BIN" send --dry-run --url http://127.0.0.1:9/x --reject "$TMP/dl.ndjson" --dead-letter "$TMP/dl.ndjson" "$TMP/in/a.json" >/dev/null 2>"$TMP/err"
check "the same file as --reject and --dead-letter: exit 2" $? 2
contains "the same file as --reject and --dead-letter: said" "$(cat "$TMP/err")" "--reject and --dead-letter must be different files"

# 6. /dev/zero with a small --max-body: reported when it passes the limit, and a signal
#    stops the run at once (not only at the record's end, which never comes).
"$BIN" convert --max-body 1k /dev/zero >/dev/null 2>"$TMP/err" &
pid=$!
for _ in $(seq 100); do grep -q "longer than the 1024-byte limit" "$TMP/err" && break; sleep 0.05; done
contains "/dev/zero: reported when it passes the limit" "$(cat "$TMP/err")" "/dev/zero:1: longer than the 1024-byte limit"
kill -TERM "$pid"
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$pid" 2>/dev/null; then fail "/dev/zero: SIGTERM did not stop convert"; kill -KILL "$pid"; fi
wait "$pid"
check "/dev/zero: exit 143" $? 143

# 2. convert --remove-done removes exactly the files it accounted for.
mkdir "$TMP/rd"
one_line >"$TMP/rd/good.json"
echo '{"x":1}' >"$TMP/rd/bad.json"
one_line >"$TMP/rd/skip.json.1"
"$BIN" convert --remove-done "$TMP/rd" "$TMP/rd/good.json" >"$TMP/out" 2>"$TMP/err"
check "remove-done: exit 5" $? 5
check "remove-done: a rejected body without --reject keeps its file, and the skipped one stays" "$(ls "$TMP/rd" | tr '\n' ' ')" "bad.json skip.json.1 "
contains "remove-done: kept, with why" "$(cat "$TMP/err")" "$TMP/rd/bad.json: kept: a rejected body is kept nowhere else (no --reject)"
lacks "remove-done: a file named twice is removed once, quietly" "$(cat "$TMP/err")" "cannot remove"
check "remove-done: its events printed (twice: named twice)" "$(wc -l <"$TMP/out")" 2
one_line >"$TMP/rd/good2.json"
"$BIN" convert --remove-done --reject "$TMP/rd-rej.ndjson" "$TMP/rd/bad.json" "$TMP/rd/good2.json" >/dev/full 2>"$TMP/err"
check "remove-done, output failed: exit 7" $? 7
check "remove-done, output failed: nothing removed" "$(ls "$TMP/rd" | tr '\n' ' ')" "bad.json good2.json skip.json.1 "
rm "$TMP/rd/good2.json"
"$BIN" convert --remove-done --reject "$TMP/rd-rej.ndjson" "$TMP/rd/bad.json" >/dev/null 2>&1
check "remove-done: a body in the reject file is accounted for" "$(ls "$TMP/rd" | tr '\n' ' ')" "skip.json.1 "
"$BIN" send --dry-run --remove-done --url http://127.0.0.1:9/x "$TMP/rd" >/dev/null 2>&1
check "remove-done with --dry-run: exit 2" $? 2

# 6. send stops at the first signal also while it skips an oversized record (a regular file
#    read is never interrupted by the signal itself).
"$BIN" send --url "http://127.0.0.1:9/x" --max-body 1k --dead-letter "$TMP/zero-dead" /dev/zero >/dev/null 2>"$TMP/err" &
pid=$!
for _ in $(seq 100); do grep -q "longer than the 1024-byte limit" "$TMP/err" && break; sleep 0.05; done
kill -TERM "$pid"
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$pid" 2>/dev/null; then fail "send /dev/zero: the first SIGTERM was ignored"; kill -KILL "$pid"; fi
wait "$pid"
check "send /dev/zero: exit 143" $? 143

# 4. send --routes: an event routed to no channel is dead-lettered with its reason and exits
#    4; so is a replayed record whose channel was removed; routes check warns of no default.
printf 'channels:\n  ops: {url: "http://127.0.0.1:9/ops"}\ncases:\n  - if: [{key: labels.team, oper: IN, vals: [ops]}]\n    channels: [ops]\n' \
  >"$TMP/nodefault.yaml"
printf '{"event_status":"Warning","title_rule":"t","alert_key":"nowhere-1","labels":{"team":"nobody"}}\n' >"$TMP/ev.ndjson"
"$BIN" send --routes "$TMP/nodefault.yaml" --dead-letter "$TMP/unrouted.ndjson" --stats json "$TMP/ev.ndjson" >"$TMP/stats" 2>"$TMP/err"
check "unrouted: exit 4" $? 4
check "unrouted: counted" "$(jq .unrouted "$TMP/stats")" 1
check "unrouted: dead-lettered with the reason" "$(jq -c '[.channel, .attempts, .error, .event.alert_key]' "$TMP/unrouted.ndjson")" \
  '["",0,"routed to no channel","nowhere-1"]'
contains "unrouted: said" "$(cat "$TMP/err")" "event nowhere-1 routed to no channel; dead-lettered"
printf '{"time":"2026-11-22T01:30:00Z","channel":"gone","url":"http://x/","attempts":1,"error":"HTTP 503","event":{"event_status":"Critical","title_rule":"t","alert_key":"gone-1","labels":{"team":"nobody"}}}\n' \
  >"$TMP/replay.ndjson"
"$BIN" send --routes "$TMP/nodefault.yaml" --dead-letter "$TMP/replay-dead.ndjson" --replay "$TMP/replay.ndjson" >/dev/null 2>"$TMP/err"
check "replay to a removed channel: exit 4" $? 4
check "replay to a removed channel: dead-lettered again" "$(jq -r .event.alert_key "$TMP/replay-dead.ndjson")" gone-1
contains "replay to a removed channel: said" "$(cat "$TMP/err")" "its record's channel 'gone' is not in the route file"
"$BIN" routes check "$TMP/nodefault.yaml" >/dev/null 2>"$TMP/err"
check "routes check without a default: still clean" $? 0
contains "routes check without a default: warns" "$(cat "$TMP/err")" "nodefault.yaml: warning: no default"

finish
