#!/usr/bin/env bash
# The convert and detect commands end to end: exit codes, stderr lines, stdin vs files.
source "$(dirname "$0")/../lib.bash"
S=$SRC/samples/volcengine

# Files, stdin and `-` give identical output; `cmrelay PATH` means `cmrelay convert PATH`.
"$BIN" convert "$S/stream.ndjson" >"$tmp/file.out"; check "convert exit" eq $? 0
"$BIN" convert <"$S/stream.ndjson" >"$tmp/stdin.out"
cat "$S/stream.ndjson" | "$BIN" - >"$tmp/pipe.out"
"$BIN" "$S/stream.ndjson" >"$tmp/default.out"
check "stdin = file" eq "$(cmp -s "$tmp/file.out" "$tmp/stdin.out" && echo same)" same
check "pipe = file" eq "$(cmp -s "$tmp/file.out" "$tmp/pipe.out" && echo same)" same
check "default command" eq "$(cmp -s "$tmp/file.out" "$tmp/default.out" && echo same)" same
check "three events" eq "$(wc -l <"$tmp/file.out")" 3

# A directory is walked recursively in sorted order, skipping hidden and non-capture files.
mkdir -p "$tmp/dir/b" "$tmp/dir/.hidden"
cp "$S/metric-firing.json" "$tmp/dir/b/2.json"
cp "$S/event-disk-error.json" "$tmp/dir/1.json"
cp "$S/metric-notice.json" "$tmp/dir/.hidden/x.json"
echo "not a body" >"$tmp/dir/README.md"
out=$("$BIN" detect "$tmp/dir")
check "walk order" eq "$(echo "$out" | cut -d: -f1 | xargs -n1 basename | tr '\n' ' ')" "1.json 2.json "

# Bad bodies: one precise stderr line each, the rest still converted, exit 1.
printf '%s\n' '{"Type":"Metric","RuleId":"r","Resources":[{"Id":"i"}]}' '{"a":1,}' '{"x":1}' \
  '{"Type":"Metric","RuleId":"r","Resources":"oops"}' '{"Type":"Event","Id":"e","EventType":"t"}' >"$tmp/mixed.ndjson"
printf '{"s":"\xff"}\n' >>"$tmp/mixed.ndjson"
"$BIN" convert --reject "$tmp/rejects.ndjson" "$tmp/mixed.ndjson" >"$tmp/mixed.out" 2>"$tmp/mixed.err"
check "exit 1 on rejects" eq $? 1
check "converted events" eq "$(wc -l <"$tmp/mixed.out")" 2
err=$(cat "$tmp/mixed.err")
check "invalid JSON line" holds "$err" "cmrelay: $tmp/mixed.ndjson:2: invalid JSON at byte 7: Missing a name for object member."
check "unknown shape line" holds "$err" "cmrelay: $tmp/mixed.ndjson:3: unknown shape: no format matches keys x"
check "wrong type line" holds "$err" "cmrelay: $tmp/mixed.ndjson:4: volc.metric: field Resources: expected an array, got a string"
check "invalid UTF-8 line" holds "$err" "cmrelay: $tmp/mixed.ndjson:6: invalid UTF-8 in a JSON string at byte 6"
check "summary" holds "$err" "cmrelay: 4 of 6 bodies rejected"
check "warning once" holds "$err" "volc.event bodies without a severity level are sent as Info"
check "reject records" eq "$(wc -l <"$tmp/rejects.ndjson")" 4
rec=$(sed -n 1p "$tmp/rejects.ndjson")
check "reject record fields" holds "$rec" "\"record\":2,\"offset\":56,\"length\":8,\"reason\":\"invalid JSON at byte 7"
check "reject keeps the raw body" holds "$rec" '"body":"{\"a\":1,}"'
check "non-UTF-8 body kept as base64" holds "$(sed -n 4p "$tmp/rejects.ndjson")" '"body_base64":"eyJzIjoi/yJ9"'
# The reject file is appended to, never truncated.
"$BIN" convert --reject "$tmp/rejects.ndjson" "$tmp/mixed.ndjson" >/dev/null 2>&1
check "reject appends" eq "$(wc -l <"$tmp/rejects.ndjson")" 8

# Usage errors exit 2; a missing file is unread input (5) and the rest still runs.
"$BIN" convert --vendor aws "$S/metric-firing.json" >/dev/null 2>"$tmp/err"; check "bad vendor exit" eq $? 2
check "bad vendor message" holds "$(cat "$tmp/err")" "--vendor must be auto or one of volcengine, alibaba, tencent, huawei, alertmanager, not 'aws'"
"$BIN" convert --no-such-flag >/dev/null 2>&1; check "unknown flag exit" eq $? 2
"$BIN" convert --reject /nonexistent/dir/r.ndjson "$S/metric-firing.json" >/dev/null 2>&1; check "unwritable reject exit" eq $? 2
"$BIN" convert "$tmp/missing.json" "$S/metric-firing.json" >"$tmp/out" 2>"$tmp/err"; check "missing file exit" eq $? 5
check "missing file message" holds "$(cat "$tmp/err")" "$tmp/missing.json: cannot read: No such file or directory"
check "other files still converted" eq "$(wc -l <"$tmp/out")" 1
check "unreadable summary" holds "$(cat "$tmp/err")" "cmrelay: 1 input(s) could not be read"
check "no body rejected" omits "$(cat "$tmp/err")" "bodies rejected"

# --vendor restricts detection.
"$BIN" convert --vendor alibaba "$S/metric-firing.json" >/dev/null 2>"$tmp/err"; check "forced vendor exit" eq $? 1
check "forced vendor message" holds "$(cat "$tmp/err")" "no alibaba format matches"
"$BIN" convert --vendor volcengine "$S/metric-firing.json" >/dev/null; check "volcengine forced" eq $? 0

# --help has examples, --version the version, --pretty indents.
check "help examples" holds "$("$BIN" --help)" "Examples:"
check "convert help" holds "$("$BIN" convert --help)" "--reject"
check "version" holds "$("$BIN" --version)" "cmrelay 0."
check "pretty lines" eq "$("$BIN" convert --pretty "$S/metric-firing.json" | head -2 | tail -1)" '  "event_status": "Critical",'

# Hostile input: no crash, no hang, bounded memory.
python3 -c "print('[' * 200000 + ']' * 200000)" >"$tmp/deep-array.json"
python3 -c "print('{\"a\":' * 200000 + '1' + '}' * 200000)" >"$tmp/deep-object.json"
timeout 20 "$BIN" convert "$tmp/deep-array.json" "$tmp/deep-object.json" >/dev/null 2>"$tmp/err"
check "deep nesting exit" eq $? 1
check "deep object rejected" holds "$(cat "$tmp/err")" "JSON nested deeper than 200 levels"
head -c 50000000 /dev/zero | tr '\0' 'a' >"$tmp/huge-line.txt"
printf '\n{"Type":"Event","Id":"after","EventType":"x","Rules":[{"Level":"warning"}]}\n' >>"$tmp/huge-line.txt"
/usr/bin/time -f "%M" -o "$tmp/rss" timeout 30 "$BIN" convert --max-body 1m "$tmp/huge-line.txt" >"$tmp/out" 2>"$tmp/err"
check "huge line exit" eq $? 1
check "huge line rejected" holds "$(cat "$tmp/err")" "huge-line.txt:1: body larger than the 1048576-byte limit"
check "body after huge line converted" holds "$(cat "$tmp/out")" '"alert_key":"volc.event/after"'
rss=$(tail -1 "$tmp/rss")
if [ "$rss" -lt 65536 ]; then pass; else fail "peak RSS ${rss} KiB on a 50 MB line (limit 64 MiB)"; fi
head -c 3000000 /dev/urandom >"$tmp/random.bin"
timeout 20 "$BIN" convert "$tmp/random.bin" >/dev/null 2>&1
rc=$?
if [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ]; then pass; else fail "random bytes: exit $rc"; fi

# Over-long fields are cut to Flashduty's limits on code points; said once per run.
long=$(python3 -c "print('实' * 600)")
for i in 1 2; do
  echo "{\"Type\":\"Event\",\"Id\":\"e$i\",\"EventType\":\"$long\",\"Rules\":[{\"Level\":\"warning\"}]}"
done >"$tmp/long.ndjson"
"$BIN" convert "$tmp/long.ndjson" >"$tmp/out" 2>"$tmp/err"; check "truncation exit" eq $? 0
check "truncation said once" eq "$(grep -c 'cut to 512 characters' "$tmp/err")" 1
check "truncation names the record" holds "$(cat "$tmp/err")" "cmrelay: warning: $tmp/long.ndjson:1: title_rule cut to 512 characters"
title=$(head -1 "$tmp/out" | python3 -c "import json,sys; print(len(json.load(sys.stdin)['title_rule']))")
check "title is 512 code points" eq "$title" 512

# Found by fuzzing: a captured request whose x-volc-trace-id is not UTF-8 still converts, and
# the output stays valid UTF-8 (the header is dropped, with a warning).
"$BIN" convert "$SRC/tests/fuzz/regressions/read_path_fuzz/trace-id-not-utf8" >"$tmp/out" 2>"$tmp/err"
check "bad trace id: exit 0" eq $? 0
check "bad trace id: output is UTF-8" eq "$(python3 -c "open('$tmp/out','rb').read().decode('utf-8'); print('ok')" 2>&1)" ok
check "bad trace id: said" holds "$(cat "$tmp/err")" "x-volc-trace-id header is not valid UTF-8"
check "bad trace id: one event" eq "$(wc -l <"$tmp/out")" 1

# detect prints the format and the keys that decided it.
check "detect line" eq "$("$BIN" detect "$S/metric-recovered.json")" \
  "$S/metric-recovered.json:1: volc.metric (Type=MetricRecovered, RuleId, RecoveredResources)"

# A policy alarm with no rule name, id or resources still has a title, so that send reads
# convert's own output back (it refuses an empty title_rule).
echo '{"Type":"Metric","Level":"warning","Resources":[]}' >"$tmp/untitled.json"
"$BIN" convert "$tmp/untitled.json" >"$tmp/untitled.out" 2>"$tmp/untitled.err"
check "untitled: converted" eq "$?" 0
"$BIN" send --dry-run --url "http://127.0.0.1:9/push?integration_key=k" "$tmp/untitled.out" >"$tmp/untitled.dry" 2>"$tmp/untitled.err"
check "untitled: send reads convert's output" eq "$?" 0
check "untitled: the title" holds "$(cat "$tmp/untitled.dry")" '"title_rule":"Volcengine metric alarm"'

# No data is Info by default (Flashduty's Alibaba CM Metrics integration); a route file's
# severity table overrides it for Alibaba, and offers it for Volcengine MetricsNoData.
check "nodata: Info by default" eq "$("$BIN" convert "$SRC/samples/alibaba/threshold-nodata.form" | grep -c '"event_status":"Info"')" 2
cat >"$tmp/nodata.yaml" <<'YAML'
channels:
  ops: {url: "http://127.0.0.1:9/push"}
default: {channels: [ops]}
severity:
  alibaba: {nodata: Warning}
  volcengine: {nodata: Info}
YAML
check "nodata: overridden" eq "$("$BIN" convert --routes "$tmp/nodata.yaml" "$SRC/samples/alibaba/threshold-nodata.form" \
  "$SRC/samples/volcengine/nodata-firing.json" | grep -o '"event_status":"[A-Za-z]*"' | tr '\n' ' ')" \
  '"event_status":"Warning" "event_status":"Warning" "event_status":"Info" '

# A vendor rule name that would make the title a Flashduty template is defused, with a
# warning; a standard event read back keeps its own [TPL] (its author meant it).
out=$(jq '.RuleName="[TPL]{{.x}} cpu"' "$S/metric-firing.json" | "$BIN" convert 2>"$tmp/err" | jq -r .title_rule)
check "[TPL] defused" holds "$out" "(TPL){{.x}} cpu on "
check "[TPL] warned" holds "$(cat "$tmp/err")" "title_rule began with [TPL]"
check "[TPL] kept in a standard event" eq "$(echo '{"event_status":"Info","title_rule":"[TPL]x"}' | "$BIN" convert | jq -r .title_rule)" "[TPL]x"

# On a pipe, each event is written as soon as its body arrived and the input paused, not
# at the end of the input (tail -F captures | cmrelay convert | consumer).
mkfifo "$tmp/fifo"
"$BIN" convert <"$tmp/fifo" >"$tmp/streamed" &
conv_pid=$!
exec 3>"$tmp/fifo"
cat "$S/metric-firing.json" >&3
for _ in $(seq 100); do
  [ -s "$tmp/streamed" ] && break
  sleep 0.05
done
check "pipe: the first event out before the input ends" eq "$(wc -l <"$tmp/streamed")" 1
cat "$S/metric-recovered.json" >&3
exec 3>&-
wait "$conv_pid"
check "pipe: both events at the end" eq "$(jq -r .event_status "$tmp/streamed" | tr '\n' ' ')" "Critical Ok "

finish
