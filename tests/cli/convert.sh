#!/usr/bin/env bash
# The convert and detect commands end to end: exit codes, stderr lines, stdin vs files.
source "$(dirname "$0")/lib.bash"
S=$SRC/samples/volcengine

# Files, stdin and `-` give identical output; `cmrelay PATH` means `cmrelay convert PATH`.
"$BIN" convert "$S/stream.ndjson" >"$TMP/file.out"; check "convert exit" $? 0
"$BIN" convert <"$S/stream.ndjson" >"$TMP/stdin.out"
cat "$S/stream.ndjson" | "$BIN" - >"$TMP/pipe.out"
"$BIN" "$S/stream.ndjson" >"$TMP/default.out"
check "stdin = file" "$(cmp -s "$TMP/file.out" "$TMP/stdin.out" && echo same)" same
check "pipe = file" "$(cmp -s "$TMP/file.out" "$TMP/pipe.out" && echo same)" same
check "default command" "$(cmp -s "$TMP/file.out" "$TMP/default.out" && echo same)" same
check "three events" "$(wc -l <"$TMP/file.out")" 3

# A directory is walked recursively in sorted order, skipping hidden and non-capture files.
mkdir -p "$TMP/dir/b" "$TMP/dir/.hidden"
cp "$S/metric-firing.json" "$TMP/dir/b/2.json"
cp "$S/event-disk-error.json" "$TMP/dir/1.json"
cp "$S/metric-notice.json" "$TMP/dir/.hidden/x.json"
echo "not a body" >"$TMP/dir/README.md"
out=$("$BIN" detect "$TMP/dir")
check "walk order" "$(echo "$out" | cut -d: -f1 | xargs -n1 basename | tr '\n' ' ')" "1.json 2.json "

# Bad bodies: one precise stderr line each, the rest still converted, exit 1.
printf '%s\n' '{"Type":"Metric","RuleId":"r","Resources":[{"Id":"i"}]}' '{"a":1,}' '{"x":1}' \
  '{"Type":"Metric","RuleId":"r","Resources":"oops"}' '{"Type":"Event","Id":"e","EventType":"t"}' >"$TMP/mixed.ndjson"
printf '{"s":"\xff"}\n' >>"$TMP/mixed.ndjson"
"$BIN" convert --reject "$TMP/rejects.ndjson" "$TMP/mixed.ndjson" >"$TMP/mixed.out" 2>"$TMP/mixed.err"
check "exit 1 on rejects" $? 1
check "converted events" "$(wc -l <"$TMP/mixed.out")" 2
err=$(cat "$TMP/mixed.err")
contains "invalid JSON line" "$err" "cmrelay: $TMP/mixed.ndjson:2: invalid JSON at byte 7: Missing a name for object member."
contains "unknown shape line" "$err" "cmrelay: $TMP/mixed.ndjson:3: unknown shape: no format matches keys x"
contains "wrong type line" "$err" "cmrelay: $TMP/mixed.ndjson:4: volc.metric: field Resources: expected an array, got a string"
contains "invalid UTF-8 line" "$err" "cmrelay: $TMP/mixed.ndjson:6: invalid UTF-8 in a JSON string at byte 6"
contains "summary" "$err" "cmrelay: 4 of 6 bodies rejected"
contains "warning once" "$err" "volc.event bodies without a severity level are sent as Info"
check "reject records" "$(wc -l <"$TMP/rejects.ndjson")" 4
rec=$(sed -n 1p "$TMP/rejects.ndjson")
contains "reject record fields" "$rec" "\"record\":2,\"offset\":56,\"length\":8,\"reason\":\"invalid JSON at byte 7"
contains "reject keeps the raw body" "$rec" '"body":"{\"a\":1,}"'
contains "non-UTF-8 body kept as base64" "$(sed -n 4p "$TMP/rejects.ndjson")" '"body_base64":"eyJzIjoi/yJ9"'
# The reject file is appended to, never truncated.
"$BIN" convert --reject "$TMP/rejects.ndjson" "$TMP/mixed.ndjson" >/dev/null 2>&1
check "reject appends" "$(wc -l <"$TMP/rejects.ndjson")" 8

# Usage errors exit 2; a missing file is unread input (5) and the rest still runs.
"$BIN" convert --vendor aws "$S/metric-firing.json" >/dev/null 2>"$TMP/err"; check "bad vendor exit" $? 2
contains "bad vendor message" "$(cat "$TMP/err")" "--vendor must be auto, volcengine or alibaba, not 'aws'"
"$BIN" convert --no-such-flag >/dev/null 2>&1; check "unknown flag exit" $? 2
"$BIN" convert --reject /nonexistent/dir/r.ndjson "$S/metric-firing.json" >/dev/null 2>&1; check "unwritable reject exit" $? 2
"$BIN" convert "$TMP/missing.json" "$S/metric-firing.json" >"$TMP/out" 2>"$TMP/err"; check "missing file exit" $? 5
contains "missing file message" "$(cat "$TMP/err")" "$TMP/missing.json: cannot read: No such file or directory"
check "other files still converted" "$(wc -l <"$TMP/out")" 1
contains "unreadable summary" "$(cat "$TMP/err")" "cmrelay: 1 input(s) could not be read"
lacks "no body rejected" "$(cat "$TMP/err")" "bodies rejected"

# --vendor restricts detection.
"$BIN" convert --vendor alibaba "$S/metric-firing.json" >/dev/null 2>"$TMP/err"; check "forced vendor exit" $? 1
contains "forced vendor message" "$(cat "$TMP/err")" "no alibaba format matches"
"$BIN" convert --vendor volcengine "$S/metric-firing.json" >/dev/null; check "volcengine forced" $? 0

# --help has examples, --version the version, --pretty indents.
contains "help examples" "$("$BIN" --help)" "Examples:"
contains "convert help" "$("$BIN" convert --help)" "--reject"
contains "version" "$("$BIN" --version)" "cmrelay 0."
check "pretty lines" "$("$BIN" convert --pretty "$S/metric-firing.json" | head -2 | tail -1)" '  "event_status": "Critical",'

# Hostile input: no crash, no hang, bounded memory.
python3 -c "print('[' * 200000 + ']' * 200000)" >"$TMP/deep-array.json"
python3 -c "print('{\"a\":' * 200000 + '1' + '}' * 200000)" >"$TMP/deep-object.json"
timeout 20 "$BIN" convert "$TMP/deep-array.json" "$TMP/deep-object.json" >/dev/null 2>"$TMP/err"
check "deep nesting exit" $? 1
contains "deep object rejected" "$(cat "$TMP/err")" "JSON nested deeper than 200 levels"
head -c 50000000 /dev/zero | tr '\0' 'a' >"$TMP/huge-line.txt"
printf '\n{"Type":"Event","Id":"after","EventType":"x","Rules":[{"Level":"warning"}]}\n' >>"$TMP/huge-line.txt"
/usr/bin/time -f "%M" -o "$TMP/rss" timeout 30 "$BIN" convert --max-body 1m "$TMP/huge-line.txt" >"$TMP/out" 2>"$TMP/err"
check "huge line exit" $? 1
contains "huge line rejected" "$(cat "$TMP/err")" "huge-line.txt:1: body larger than the 1048576-byte limit"
contains "body after huge line converted" "$(cat "$TMP/out")" '"alert_key":"volc.event/after"'
rss=$(tail -1 "$TMP/rss")
if [ "$rss" -lt 65536 ]; then pass; else fail "peak RSS ${rss} KiB on a 50 MB line (limit 64 MiB)"; fi
head -c 3000000 /dev/urandom >"$TMP/random.bin"
timeout 20 "$BIN" convert "$TMP/random.bin" >/dev/null 2>&1
rc=$?
if [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ]; then pass; else fail "random bytes: exit $rc"; fi

# Over-long fields are cut to Flashduty's limits on code points; said once per run.
long=$(python3 -c "print('实' * 600)")
for i in 1 2; do
  echo "{\"Type\":\"Event\",\"Id\":\"e$i\",\"EventType\":\"$long\",\"Rules\":[{\"Level\":\"warning\"}]}"
done >"$TMP/long.ndjson"
"$BIN" convert "$TMP/long.ndjson" >"$TMP/out" 2>"$TMP/err"; check "truncation exit" $? 0
check "truncation said once" "$(grep -c 'cut to 512 characters' "$TMP/err")" 1
contains "truncation names the record" "$(cat "$TMP/err")" "cmrelay: warning: $TMP/long.ndjson:1: title_rule cut to 512 characters"
title=$(head -1 "$TMP/out" | python3 -c "import json,sys; print(len(json.load(sys.stdin)['title_rule']))")
check "title is 512 code points" "$title" 512

# Found by fuzzing: a captured request whose x-volc-trace-id is not UTF-8 still converts, and
# the output stays valid UTF-8 (the header is dropped, with a warning).
"$BIN" convert "$SRC/tests/fuzz/regressions/read_path_fuzz/trace-id-not-utf8" >"$TMP/out" 2>"$TMP/err"
check "bad trace id: exit 0" $? 0
check "bad trace id: output is UTF-8" "$(python3 -c "open('$TMP/out','rb').read().decode('utf-8'); print('ok')" 2>&1)" ok
contains "bad trace id: said" "$(cat "$TMP/err")" "x-volc-trace-id header is not valid UTF-8"
check "bad trace id: one event" "$(wc -l <"$TMP/out")" 1

# detect prints the format and the keys that decided it.
check "detect line" "$("$BIN" detect "$S/metric-recovered.json")" \
  "$S/metric-recovered.json:1: volc.metric (Type=MetricRecovered, RuleId, RecoveredResources)"

# A policy alarm with no rule name, id or resources still has a title, so that send reads
# convert's own output back (it refuses an empty title_rule).
echo '{"Type":"Metric","Level":"warning","Resources":[]}' >"$TMP/untitled.json"
"$BIN" convert "$TMP/untitled.json" >"$TMP/untitled.out" 2>"$TMP/untitled.err"
check "untitled: converted" "$?" 0
"$BIN" send --dry-run --url "http://127.0.0.1:9/push?integration_key=k" "$TMP/untitled.out" >"$TMP/untitled.dry" 2>"$TMP/untitled.err"
check "untitled: send reads convert's output" "$?" 0
contains "untitled: the title" "$(cat "$TMP/untitled.dry")" '"title_rule":"Volcengine metric alarm"'

# No data is Info by default (Flashduty's Alibaba CM Metrics integration); a route file's
# severity table overrides it for Alibaba, and offers it for Volcengine MetricsNoData.
check "nodata: Info by default" "$("$BIN" convert "$SRC/samples/alibaba/threshold-nodata.form" | grep -c '"event_status":"Info"')" 2
cat >"$TMP/nodata.yaml" <<'YAML'
channels:
  ops: {url: "http://127.0.0.1:9/push"}
default: {channels: [ops]}
severity:
  alibaba: {nodata: Warning}
  volcengine: {nodata: Info}
YAML
check "nodata: overridden" "$("$BIN" convert --routes "$TMP/nodata.yaml" "$SRC/samples/alibaba/threshold-nodata.form" \
  "$SRC/samples/volcengine/nodata-firing.json" | grep -o '"event_status":"[A-Za-z]*"' | tr '\n' ' ')" \
  '"event_status":"Warning" "event_status":"Warning" "event_status":"Info" '

# A vendor rule name that would make the title a Flashduty template is defused, with a
# warning; a standard event read back keeps its own [TPL] (its author meant it).
out=$(jq '.RuleName="[TPL]{{.x}} cpu"' "$S/metric-firing.json" | "$BIN" convert 2>"$TMP/err" | jq -r .title_rule)
contains "[TPL] defused" "$out" "(TPL){{.x}} cpu on "
contains "[TPL] warned" "$(cat "$TMP/err")" "title_rule began with [TPL]"
check "[TPL] kept in a standard event" "$(echo '{"event_status":"Info","title_rule":"[TPL]x"}' | "$BIN" convert | jq -r .title_rule)" "[TPL]x"

# On a pipe, each event is written as soon as its body arrived and the input paused, not
# at the end of the input (tail -F captures | cmrelay convert | consumer).
mkfifo "$TMP/fifo"
"$BIN" convert <"$TMP/fifo" >"$TMP/streamed" &
conv_pid=$!
exec 3>"$TMP/fifo"
cat "$S/metric-firing.json" >&3
for _ in $(seq 100); do
  [ -s "$TMP/streamed" ] && break
  sleep 0.05
done
check "pipe: the first event out before the input ends" "$(wc -l <"$TMP/streamed")" 1
cat "$S/metric-recovered.json" >&3
exec 3>&-
wait "$conv_pid"
check "pipe: both events at the end" "$(jq -r .event_status "$TMP/streamed" | tr '\n' ' ')" "Critical Ok "

finish
