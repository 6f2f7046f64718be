#!/usr/bin/env bash
# Tencent, Huawei and Alertmanager bodies end to end (issue 22): every sample converts, --vendor
# takes the new names, SMN's handshake is rejected as what it is with its token masked, and a
# documentation body with a trailing comma is one rejection with the parser's reason.
source "$(dirname "$0")/../lib.bash"
B=$SRC/tests/vendors/bodies

for v in tencent huawei alertmanager; do
  "$BIN" convert "$SRC/samples/$v" >"$tmp/$v.out" 2>"$tmp/$v.err"
  check "$v samples exit 0" eq $? 0
  check "$v: every event of the vendor" eq "$(grep -vc "\"source\":\"$v\"" "$tmp/$v.out")" 0
  "$BIN" convert --vendor "$v" "$SRC/samples/$v" >"$tmp/$v.only" 2>/dev/null
  check "--vendor $v converts its own" eq "$(cmp -s "$tmp/$v.out" "$tmp/$v.only" && echo same)" same
done
"$BIN" convert --vendor tencent "$SRC/samples/huawei/ces-alarm.json" >/dev/null 2>"$tmp/err"
check "--vendor tencent on a Huawei body exit" eq $? 1
check "--vendor tencent: no tencent format" holds "$(cat "$tmp/err")" "unknown shape: no tencent format matches keys"
"$BIN" detect --vendor ALERTMANAGER "$SRC/samples/alertmanager/grafana-firing.json" >"$tmp/out"
check "--vendor in any case" holds "$(cat "$tmp/out")" "am.webhook (alerts[], version, groupKey, receiver"

# SMN's subscription handshake: detected, rejected, the URL's token masked everywhere it is said.
token=5d1f0a9c8b7e4d3c2b1a0f9e8d7c6b5ae4c2a0f8
"$BIN" convert --reject "$tmp/rej" "$B/huawei-smn-subscription-confirmation.json" >"$tmp/out" 2>"$tmp/err"
check "subscription confirmation: exit 1" eq $? 1
check "subscription confirmation: said for what it is" holds "$(cat "$tmp/err")" \
  "hw.ces: Huawei SMN SubscriptionConfirmation for topic urn:smn:cn-east-3:"
check "subscription confirmation: the URL, masked" holds "$(cat "$tmp/err")" \
  "GET its subscribe_url https://console.huaweicloud.com/smn/subscription/confirm?token=***&topic_urn="
check "subscription confirmation: no token on stderr" omits "$(cat "$tmp/err")" "$token"
check "subscription confirmation: the reason in the reject record, masked" eq \
  "$(jq -r .reason "$tmp/rej" | grep -c 'token=\*\*\*')" 1
check "subscription confirmation: no event" eq "$(wc -c <"$tmp/out")" 0
"$BIN" detect "$B/huawei-smn-unsubscribe-confirmation.json" >"$tmp/out"
check "unsubscribe confirmation: detected as hw.ces" holds "$(cat "$tmp/out")" "hw.ces (type=UnsubscribeConfirmation"

# A documentation sample with a trailing comma, then a good body: one rejection, one event.
cat "$B/alibaba-doc-trailing-comma.json" "$SRC/samples/alibaba/sysevent-disk-object.json" >"$tmp/doc.json"
"$BIN" convert "$tmp/doc.json" >"$tmp/out" 2>"$tmp/err"
check "trailing comma: exit 1" eq $? 1
check "trailing comma: the parser's reason and offset" holds "$(cat "$tmp/err")" \
  "$tmp/doc.json:1: invalid JSON at byte 496: Missing a name for object member."
check "trailing comma: one rejection" holds "$(cat "$tmp/err")" "cmrelay: 1 of 2 bodies rejected"
check "trailing comma: no second reason" omits "$(cat "$tmp/err")" "unknown shape"
check "trailing comma: the body after it converts" eq "$(wc -l <"$tmp/out")" 1

finish clouds
