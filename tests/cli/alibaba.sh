#!/usr/bin/env bash
# Alibaba bodies through the real binary: every mode, --vendor, stdin, rejects naming fields.
source "$(dirname "$0")/../lib.bash"
A=$SRC/samples/alibaba

# Every Alibaba sample converts; each body is one event.
"$BIN" convert "$A" >"$tmp/all.out" 2>"$tmp/all.err"; check "alibaba samples exit" eq $? 0
check "one event per body" eq "$(wc -l <"$tmp/all.out")" "$("$BIN" detect "$A" | wc -l)"
for id in ali.event ali.threshold ali.sysevent; do
  check "detect finds $id" holds "$("$BIN" detect "$A")" ": $id ("
done

# --vendor: Alibaba only reads Alibaba bodies, Volcengine never does.
"$BIN" detect --vendor alibaba "$A" >/dev/null; check "--vendor alibaba exit" eq $? 0
n=$("$BIN" detect "$A" | wc -l)
"$BIN" convert --vendor volcengine "$A" >"$tmp/volc.out" 2>"$tmp/volc.err"; check "--vendor volcengine exit" eq $? 1
check "--vendor volcengine converts none" eq "$(wc -l <"$tmp/volc.out")" 0
check "--vendor volcengine rejects all" holds "$(cat "$tmp/volc.err")" "cmrelay: $n of $n bodies rejected"
"$BIN" convert --vendor alibaba "$SRC/samples/volcengine/metric-firing.json" >/dev/null 2>"$tmp/ali.err"
check "--vendor alibaba on Volcengine exit" eq $? 1
check "--vendor alibaba on Volcengine" holds "$(cat "$tmp/ali.err")" "unknown shape: no alibaba format matches keys Type"

# A threshold callback and its recovery piped on stdin: the same key, firing then Ok.
out=$(cat "$A/threshold-cpu-alert.form" "$A/threshold-cpu-ok.form" | "$BIN" -)
check "threshold pair exit" eq $? 0
check "threshold pair statuses" eq "$(echo "$out" | grep -o '"event_status":"[A-Za-z]*"' | tr '\n' ' ')" \
  '"event_status":"Critical" "event_status":"Ok" '
check "threshold pair keys" eq "$(echo "$out" | grep -o '"alert_key":"[^"]*"' | sort -u | wc -l)" 1

# A broken JSON string inside a form field is rejected naming the field; the next body converts.
printf 'batchId=b&alert=%%7B%%22alertStatus\nalertState=ALERT&metricName=m&ruleId=r&triggerLevel=WARN\n' >"$tmp/bad.form"
"$BIN" convert "$tmp/bad.form" >"$tmp/bad.out" 2>"$tmp/bad.err"; check "bad form exit" eq $? 1
check "bad form: the good body converts" eq "$(wc -l <"$tmp/bad.out")" 1
check "bad form: names the field" holds "$(cat "$tmp/bad.err")" "$tmp/bad.form:1: ali.event: field alert: JSON inside the string: invalid JSON"

finish
