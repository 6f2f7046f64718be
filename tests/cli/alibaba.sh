#!/usr/bin/env bash
# Alibaba bodies through the real binary: every mode, --vendor, stdin, rejects naming fields.
source "$(dirname "$0")/lib.bash"
A=$SRC/samples/alibaba

# Every Alibaba sample converts; each body is one event.
"$BIN" convert "$A" >"$TMP/all.out" 2>"$TMP/all.err"; check "alibaba samples exit" $? 0
check "one event per body" "$(wc -l <"$TMP/all.out")" "$("$BIN" detect "$A" | wc -l)"
for id in ali.event ali.threshold ali.sysevent; do
  contains "detect finds $id" "$("$BIN" detect "$A")" ": $id ("
done

# --vendor: Alibaba only reads Alibaba bodies, Volcengine never does.
"$BIN" detect --vendor alibaba "$A" >/dev/null; check "--vendor alibaba exit" $? 0
n=$("$BIN" detect "$A" | wc -l)
"$BIN" convert --vendor volcengine "$A" >"$TMP/volc.out" 2>"$TMP/volc.err"; check "--vendor volcengine exit" $? 1
check "--vendor volcengine converts none" "$(wc -l <"$TMP/volc.out")" 0
contains "--vendor volcengine rejects all" "$(cat "$TMP/volc.err")" "cmrelay: $n of $n bodies rejected"
"$BIN" convert --vendor alibaba "$SRC/samples/volcengine/metric-firing.json" >/dev/null 2>"$TMP/ali.err"
check "--vendor alibaba on Volcengine exit" $? 1
contains "--vendor alibaba on Volcengine" "$(cat "$TMP/ali.err")" "unknown shape: no alibaba format matches keys Type"

# A threshold callback and its recovery piped on stdin: the same key, firing then Ok.
out=$(cat "$A/threshold-cpu-alert.form" "$A/threshold-cpu-ok.form" | "$BIN" -)
check "threshold pair exit" $? 0
check "threshold pair statuses" "$(echo "$out" | grep -o '"event_status":"[A-Za-z]*"' | tr '\n' ' ')" \
  '"event_status":"Critical" "event_status":"Ok" '
check "threshold pair keys" "$(echo "$out" | grep -o '"alert_key":"[^"]*"' | sort -u | wc -l)" 1

# A broken JSON string inside a form field is rejected naming the field; the next body converts.
printf 'batchId=b&alert=%%7B%%22alertStatus\nalertState=ALERT&metricName=m&ruleId=r&triggerLevel=WARN\n' >"$TMP/bad.form"
"$BIN" convert "$TMP/bad.form" >"$TMP/bad.out" 2>"$TMP/bad.err"; check "bad form exit" $? 1
check "bad form: the good body converts" "$(wc -l <"$TMP/bad.out")" 1
contains "bad form: names the field" "$(cat "$TMP/bad.err")" "$TMP/bad.form:1: ali.event: field alert: JSON inside the string: invalid JSON"

finish
