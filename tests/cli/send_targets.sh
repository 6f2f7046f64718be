#!/usr/bin/env bash
# Every target kind (route files' kind:) against the loopback sink answering as each
# target's documentation says (tests/net/deliver/sink.py's /t/KIND/ paths): success, rate
# limit, another refusal and a 200 carrying an error code; DingTalk's and Feishu's
# signatures checked by the sink; every secret kept out of stderr, stdout, the dead-letter
# file and ps; dead letters replayed and rendered again; serve delivering to a kind; and a
# burst of 60 events to a DingTalk robot at rate 2/s digested within its budget.
. "$(dirname "$0")/../lib.bash"
SIGN=SECdingtalkfeishu-signing-0123456789   # The robots' signing secret (the sink checks it).
start_sink --secret "$SIGN"
export PD_KEY=pd-routing-key-R0UT1NGKEY0123456789ab DT_TOKEN=dt-access-token-AcCe55T0k3n99 \
  WC_KEY=wc-webhook-key-W3C0MK3Y-4242 FS_HOOK=fs-hook-F3i5hu-7777 SL_PATH=T0SLACK/B0SLACK/sl4ckS3cr3tP4th \
  HOOK_TOKEN=hook-bearer-H00KT0K3N-1 SIGN
SECRETS=("$PD_KEY" "$DT_TOKEN" "$WC_KEY" "$FS_HOOK" sl4ckS3cr3tP4th "$HOOK_TOKEN" "$SIGN")
firing=$SRC/samples/volcengine/metric-firing.json
recovered=$SRC/samples/volcengine/metric-recovered.json
base=http://127.0.0.1:$port/t

# url KIND STEPS LABEL: the channel URL of a kind at the sink (/t/KIND/STEPS/LABEL: the label
# tells runs apart in the log), its secret where the real one has it.
url() {
  case $1 in
    dingtalk) echo "$base/dingtalk/$2/$3?access_token=\${DT_TOKEN}" ;;
    feishu) echo "$base/feishu/$2/$3/hook/\${FS_HOOK}" ;;
    wecom) echo "$base/wecom/$2/$3?key=\${WC_KEY}" ;;
    slack) echo "$base/slack/$2/$3/services/\${SL_PATH}" ;;
    *) echo "$base/$1/$2/$3" ;;
  esac
}
# extra KIND: the kind's own keys.
extra() {
  case $1 in
    pagerduty) echo ", routing_key: \"\${PD_KEY}\"" ;;
    dingtalk | feishu) echo ", secret: \"\${SIGN}\"" ;;
    webhook) echo ", headers: {Authorization: \"Bearer \${HOOK_TOKEN}\"}, template: '{\"what\": \"{{title_rule}}\", \"state\": \"{{event_status}}\", \"host\": \"{{labels.resource}}\"}'" ;;
  esac
}
# routes KIND STEPS [LABEL [KEYS]]: $tmp/r.yaml sending every event to one channel of KIND;
# KEYS replace the kind's usual extra keys.
routes() {
  printf 'channels:\n  c: {kind: %s, url: "%s", rate: none%s}\ndefault:\n  channels: [c]\n' \
    "$1" "$(url "$1" "$2" "${3:-x}")" "${4-$(extra "$1")}" >"$tmp/r.yaml"
}
# deliver ARGS...: cmrelay send --routes $tmp/r.yaml; sets rc, $tmp/stats, $tmp/err, $tmp/dead.
deliver() {
  rm -f "$tmp/dead"
  "$BIN" send --routes "$tmp/r.yaml" --dead-letter "$tmp/dead" --stats json --backoff-base 0.05 "$@" \
    >"$tmp/stats" 2>"$tmp/err"
  rc=$?
  touch "$tmp/dead"
}
# seen KIND STEPS [LABEL [LOG]]: the sink's log lines for that channel URL.
seen() {
  jq -c --arg k "$1" --arg s "$2" --arg l "${3:-x}" \
    'select(.path | split("/") | .[2] == $k and .[3] == $s and .[4] == $l)' "${4:-$tmp/sink.log}"
}
no_secret() {  # no_secret NAME FILE...
  local s n=0
  for s in "${SECRETS[@]}"; do n=$((n + $(cat "${@:2}" | grep -c -- "$s"))); done
  check "$1: no secret in stderr, stdout or the dead-letter file" eq "$n" 0
}

for kind in pagerduty dingtalk feishu wecom slack webhook; do
  # Success: the firing and its recovery, each rendered as the kind takes it.
  routes "$kind" ok
  deliver "$firing" "$recovered"
  check "$kind ok: exit 0" eq "$rc" 0
  check "$kind ok: both delivered" eq "$(stats delivered)" 2
  check "$kind ok: two requests, none with a bad signature" eq "$(seen "$kind" ok | jq -r .step | sort | uniq -c | tr -s ' ')" " 2 ok"
  seen "$kind" ok | jq -r .body >"$tmp/bodies.$kind"
  no_secret "$kind ok" "$tmp/err" "$tmp/stats" "$tmp/dead"

  # The kind's rate limit, then success: retried after a wait, not counted as a failure.
  routes "$kind" limit,ok
  deliver --max-attempts 1 "$firing"
  check "$kind limit: delivered after the limit (not counted against --max-attempts)" eq "$rc/$(stats delivered)" 0/1
  check "$kind limit: the sink saw the limit, then success" eq "$(seen "$kind" limit,ok | jq -r .step | tr '\n' ' ')" "limit ok "

  # Another refusal: dead-lettered with the target's own words, the event kept for a replay.
  routes "$kind" refuse
  deliver "$firing"
  check "$kind refuse: exit 3" eq "$rc" 3
  check "$kind refuse: one attempt" eq "$(jq -r .attempts "$tmp/dead")" 1
  check "$kind refuse: the record holds the standard event" eq "$(jq -r .event.event_status "$tmp/dead")" Critical
  jq -r .error "$tmp/dead" >"$tmp/why.$kind"
  no_secret "$kind refuse" "$tmp/err" "$tmp/stats" "$tmp/dead"
  # Replayed to the same channel, now answering ok: rendered again for the kind.
  cp "$tmp/dead" "$tmp/replay.$kind"
  sed -i "s|/t/$kind/refuse/x|/t/$kind/ok/replay|" "$tmp/r.yaml"
  deliver --replay "$tmp/replay.$kind"
  check "$kind replay: delivered" eq "$rc/$(stats delivered)" 0/1
  check "$kind replay: rendered again for the kind" eq "$(seen "$kind" ok replay | jq -r .body | sed 's/"timestamp":"[0-9]*","sign":"[^"]*",//')" \
    "$(seen "$kind" refuse | jq -r .body | sed 's/"timestamp":"[0-9]*","sign":"[^"]*",//')"
done

# What each kind's body holds.
pd=$tmp/bodies.pagerduty
check "pagerduty: trigger then resolve" eq "$(jq -r .event_action "$pd" | tr '\n' ' ')" "trigger resolve "
check "pagerduty: one dedup_key for both" eq "$(jq -r .dedup_key "$pd" | sort -u | wc -l)" 1
check "pagerduty: dedup_key is the alert key" eq "$(jq -r .dedup_key "$pd" | head -1)" \
  "$("$BIN" "$firing" | jq -r .alert_key)"
check "pagerduty: severity and source" eq "$(jq -r 'select(.payload) | .payload.severity + " " + .payload.source' "$pd")" \
  "critical checkout-api-03"
check "pagerduty: the routing key in the body" eq "$(jq -r .routing_key "$pd" | sort -u)" "$PD_KEY"
check "pagerduty: labels and description in custom_details" eq \
  "$(jq -r 'select(.payload) | (.payload.custom_details.region + " " + (.payload.custom_details.description | length > 0 | tostring))' "$pd")" \
  "cn-shanghai true"
check "dingtalk: markdown, the recovery says so" eq "$(jq -r '.msgtype + " " + .markdown.title' "$tmp/bodies.dingtalk" | tail -1 | cut -c1-20)" \
  "markdown [Resolved] "
check "dingtalk: signed (timestamp and sign in the query)" eq "$(seen dingtalk ok | jq -r '.query | test("timestamp=[0-9]{13}&sign=")' | sort -u)" true
check "feishu: a card coloured red, then green" eq "$(jq -r .card.header.template "$tmp/bodies.feishu" | tr '\n' ' ')" "red green "
check "feishu: signed in the body" eq "$(jq -r '(.timestamp | length) > 0 and (.sign | length) > 0' "$tmp/bodies.feishu" | sort -u)" true
check "wecom: markdown content within 4096 bytes" eq "$(jq -r '.markdown.content | utf8bytelength <= 4096' "$tmp/bodies.wecom" | sort -u)" true
check "slack: text and blocks" eq "$(jq -r '(.text | length > 0) and (.blocks | length == 2)' "$tmp/bodies.slack" | sort -u)" true
check "webhook: the template rendered, values JSON-escaped" eq "$(jq -r '.what + "|" + .state + "|" + .host' "$tmp/bodies.webhook" | head -1)" \
  "$("$BIN" "$firing" | jq -r .title_rule)|Critical|checkout-api-03"
check "webhook: the channel's header" eq "$(seen webhook ok | jq -r .headers.authorization | sort -u)" "Bearer $HOOK_TOKEN"
check "pagerduty refusal: PagerDuty's message" holds "$(cat "$tmp/why.pagerduty")" "HTTP 400: Event object is invalid; 'payload.severity' is invalid"
check "dingtalk refusal: 200 with errcode and errmsg" holds "$(cat "$tmp/why.dingtalk")" "HTTP 200 errcode 300001: token is not exist"
check "feishu refusal: 200 with code and msg" holds "$(cat "$tmp/why.feishu")" "HTTP 200 code 19001"
check "wecom refusal: 200 with errcode" holds "$(cat "$tmp/why.wecom")" "HTTP 200 errcode 93000: invalid webhook url"
check "slack refusal: Slack's word" holds "$(cat "$tmp/why.slack")" "HTTP 404: no_service"
check "webhook refusal: the status" holds "$(cat "$tmp/why.webhook")" "HTTP 400"

# A wrong signing secret: the robot refuses the signature (dead-lettered, not retried).
routes dingtalk ok badsign ", secret: wrong-secret-value"
deliver "$firing"
check "dingtalk bad signature: refused" holds "$(jq -r .error "$tmp/dead")" "errcode 310000: sign not match"
check "dingtalk bad signature: the wrong secret is masked too" eq "$(grep -c wrong-secret-value "$tmp/dead" "$tmp/err" | awk -F: '{s += $2} END {print s}')" 0

# A template that renders invalid JSON is an error before anything is sent.
routes webhook ok invalid ", template: '{\"raw\": {{{title_rule}}}}'"
deliver "$firing"
check "invalid JSON body: dead-lettered unsent" eq "$rc/$(jq -r .attempts "$tmp/dead")/$(seen webhook ok invalid | wc -l)" "3/0/0"
check "invalid JSON body: said" holds "$(jq -r .error "$tmp/dead")" "not JSON"

# --dry-run and routes test show each rendered body, secrets masked.
routes pagerduty ok
"$BIN" send --dry-run --routes "$tmp/r.yaml" "$firing" >"$tmp/dry" 2>"$tmp/dry.err"
check "dry run: the rendered PagerDuty body" eq "$(jq -r '.kind + " " + .body.event_action + " " + .body.routing_key' "$tmp/dry" | head -1)" \
  "pagerduty trigger ***"
routes dingtalk ok
"$BIN" routes test "$tmp/r.yaml" "$firing" >"$tmp/rt" 2>&1
check "routes test: the rendered DingTalk request" holds "$(cat "$tmp/rt")" "  request to c (dingtalk): POST http://127.0.0.1:$port/t/dingtalk/ok/x?access_token=***&timestamp="
check "routes test: the signature masked" holds "$(cat "$tmp/rt")" "&sign=***"
check "routes test: the body" holds "$(cat "$tmp/rt")" "    {\"msgtype\":\"markdown\""
no_secret "dry run and routes test" "$tmp/dry" "$tmp/dry.err" "$tmp/rt"

# routes check names each kind's mistakes.
cat >"$tmp/bad.yaml" <<'EOF'
channels:
  pd: {kind: pagerduty}
  wc: {kind: wecom, url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", secret: s}
  xx: {kind: pagerdooty, url: "https://example.com/"}
  hook:
    kind: webhook
    url: https://hooks.example.com/alerts
    template: |
      {"summary": "{{title_rule}}",
         "state": "{{#labels}}{{event_status}}"}
default:
  channels: [pd, wc, xx, hook]
EOF
"$BIN" routes check "$tmp/bad.yaml" >"$tmp/check" 2>&1
check "routes check: the file is refused" eq "$?" 1
check "routes check: missing routing_key" holds "$(cat "$tmp/check")" "bad.yaml:2: channel 'pd' needs routing_key"
check "routes check: a secret on a kind that has none" holds "$(cat "$tmp/check")" "bad.yaml:3: secret is not a key of a wecom channel 'wc'"
check "routes check: an unknown kind" holds "$(cat "$tmp/check")" "bad.yaml:4: unknown kind 'pagerdooty'"
check "routes check: a template error with line and column" holds "$(cat "$tmp/check")" \
  "bad.yaml:10: template of channel 'hook': unclosed section \"labels\" at column 20"

# 60 firing events in one burst to a DingTalk robot at rate 2/s, a sink of its own answering
# 130101 past 2 requests in any second: every alert key reaches it, the budget is never
# exceeded, and fewer digest messages than events are sent. (No secret is on its command line.)
python3 "$SRC/tests/net/deliver/sink.py" --port-file "$tmp/port2" --log "$tmp/burst.log" --max-seconds 60 \
  --secret "$SIGN" --limit 2/1 2>/dev/null &
limited_pid=$!
for _ in $(seq 100); do [ -s "$tmp/port2" ] && break; sleep 0.05; done
events burst 60 >"$tmp/burst"
routes dingtalk ok burst
sed -i "s|rate: none|rate: [2/s]|; s|:$port/|:$(cat "$tmp/port2")/|" "$tmp/r.yaml"
"$BIN" send --routes "$tmp/r.yaml" --dead-letter "$tmp/dead" --stats json "$tmp/burst" >"$tmp/stats" 2>"$tmp/err" &
pid=$!
sleep 0.3
check "ps: no secret on the command line" eq "$(tr '\0' ' ' <"/proc/$pid/cmdline" | grep -c -- "$DT_TOKEN\|$SIGN")" 0
wait "$pid"
rc=$?
kill "$limited_pid"
wait "$limited_pid" 2>/dev/null
check "burst: exit 0, all 60 delivered" eq "$rc/$(stats delivered)" 0/60
n=$(seen dingtalk ok burst "$tmp/burst.log" | wc -l)
check "burst: fewer messages than events ($n)" le "$n" 59
check "burst: the budget never exceeded (no 130101)" eq "$(seen dingtalk ok burst "$tmp/burst.log" | jq -r .step | grep -vc '^ok$')" 0
keys=$(seen dingtalk ok burst "$tmp/burst.log" | jq -r .body | jq -r .markdown.text | grep -oE 'burst-[0-9]+' | sort -u | wc -l)
check "burst: every alert key reached the robot" eq "$keys" 60
echo "  burst: $n messages for 60 events"

# serve delivers to a kind too.
routes wecom ok serve
printf 'tok-%s\n' "$RANDOM" >"$tmp/tokens"
"$BIN" serve --listen 127.0.0.1:0 --spool "$tmp/spool" --token-file "$tmp/tokens" --routes "$tmp/r.yaml" \
  --dead-letter "$tmp/serve-dead" --backoff-base 0.05 2>"$tmp/serve.log" &
serve_pid=$!
for _ in $(seq 100); do
  sport=$(grep -oE '[ "]port"?[=:]"?[0-9]+' "$tmp/serve.log" 2>/dev/null | head -1 | grep -oE '[0-9]+$')
  [ -n "$sport" ] && break
  sleep 0.05
done
curl -s -o /dev/null --max-time 10 -H "Content-Type: application/json" --data-binary "@$firing" \
  "http://127.0.0.1:$sport/hook/$(cat "$tmp/tokens")"
for _ in $(seq 100); do [ "$(seen wecom ok serve | wc -l)" -ge 1 ] && break; sleep 0.1; done
kill -TERM "$serve_pid"
wait "$serve_pid"
check "serve: delivered to the WeCom robot" eq "$(seen wecom ok serve | jq -r .body | jq -r .msgtype)" markdown
no_secret "serve" "$tmp/serve.log"

finish
