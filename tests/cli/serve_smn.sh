#!/usr/bin/env bash
# cmrelay serve and Huawei SMN's subscription handshake, over loopback with real processes: a
# SubscriptionConfirmation posted twice (SMN retries) is confirmed by exactly one GET to its
# subscribe_url when the URL's host is allowed (--smn-confirm-host), never otherwise (the
# default hosts are Huawei's: a loopback URL is refused); an UnsubscribeConfirmation is logged
# and kept, never confirmed; the token in the URL reaches no log line.
. "$(dirname "$0")/../lib.bash"
start_sink
serve_pid=
stop_serve() {
  if [ -n "$serve_pid" ]; then kill -TERM "$serve_pid" 2>/dev/null; wait "$serve_pid"; serve_pid=; fi
}
trap 'stop_serve; cleanup' EXIT
# start_serve LOG ARGS...: cmrelay serve on a free port, no token (loopback only); sets sport.
start_serve() {
  local log=$1
  shift
  "$BIN" serve --listen 127.0.0.1:0 --no-auth --url "http://127.0.0.1:$port/s/200?integration_key=$SECRET" "$@" \
    2>"$tmp/$log" &
  serve_pid=$!
  await_port "$tmp/$log"
}
# post FILE TYPE: as SMN posts, with its headers; prints the HTTP status.
post() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H 'Content-Type: application/json; charset=UTF-8' \
    -H "X-SMN-MESSAGE-TYPE: $2" -H 'X-SMN-MESSAGE-ID: 1f3b5d7a' -H 'X-SMN-TOPIC-URN: urn:smn:cn-east-3:0a1b:ops' \
    --data-binary "@$1" "http://127.0.0.1:$sport/hook"
}
wait_until() {
  local n=$(($1 * 10))
  shift
  for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done
  return 1
}
gets() { jq -s --arg p "$1" '[.[] | select(.method == "GET" and .path == $p)] | length' "$tmp/sink.log" 2>/dev/null || echo 0; }
saw_get() { [ "$(gets "$1")" -ge 1 ]; }
logged() { grep -q -- "$2" "$tmp/$1"; }
TOKEN=c0ffee5ecret0a1b2c3d4e5f60718293a4b5c6d7e8f9
# confirmation FILE PATH TYPE: an SMN handshake body whose subscribe_url is the sink's PATH.
confirmation() {
  jq -n --arg url "http://127.0.0.1:$port$2?token=$TOKEN&topic_urn=urn:smn:cn-east-3:0a1b:ops&region=cn-east-3" \
    --arg type "$3" '{type: $type, topic_urn: "urn:smn:cn-east-3:0a1b:ops", message_id: "1f3b5d7a",
      signature_version: "v1", signature: "c2ln", message: "You are invited to subscribe to topic: urn:smn:cn-east-3:0a1b:ops.",
      subscribe_url: $url, signing_cert_url: "https://smn.cn-east-3.myhuaweicloud.com/smn/x.pem",
      timestamp: "2026-05-20T09:07:14Z"}' >"$1"
}

# Allowed: confirmed by exactly one GET, however often SMN posts it.
confirmation "$tmp/sub.json" /s/200/smn/subscription/confirm SubscriptionConfirmation
start_serve a.log --spool "$tmp/spool" --smn-confirm-host 127.0.0.1
check "subscription confirmation answered 200" eq "$(post "$tmp/sub.json" SubscriptionConfirmation)" 200
check "posted again (an SMN retry): 200" eq "$(post "$tmp/sub.json" SubscriptionConfirmation)" 200
check "the GET reaches the subscribe_url" wait_until 10 saw_get /s/200/smn/subscription/confirm
check "the second post is logged as confirmed already" wait_until 10 logged a.log "already confirmed in this run"
check "exactly one GET at the loopback subscribe_url" eq "$(gets /s/200/smn/subscription/confirm)" 1
check "the GET carries the token the URL names" eq \
  "$(jq -rs '[.[] | select(.method == "GET")][0].path' "$tmp/sink.log")" /s/200/smn/subscription/confirm
check "the outcome is logged" wait_until 10 logged a.log "outcome=confirmed"
check "the log line names the topic" file_has "$tmp/a.log" "topic=urn:smn:cn-east-3:0a1b:ops"
check "no event delivered for it" eq "$(jq -s '[.[] | select(.method == "POST")] | length' "$tmp/sink.log")" 0
check "the body is kept in rejected/ with its reason" wait_until 10 eval "ls $tmp/rejected/*.reason >/dev/null 2>&1"
check "the reason says what it is" holds "$(cat "$tmp"/rejected/*.reason)" "Huawei SMN SubscriptionConfirmation"

# Not allowed: another host is logged and never visited.
confirmation "$tmp/other.json" /s/200/other/confirm SubscriptionConfirmation
sed -i 's|http://127.0.0.1:|http://127.0.0.2:|' "$tmp/other.json"
check "another host: 200" eq "$(post "$tmp/other.json" SubscriptionConfirmation)" 200
check "another host: not confirmed, said" wait_until 10 logged a.log "host 127.0.0.2 is not one of --smn-confirm-host"
# An UnsubscribeConfirmation: logged and kept, never confirmed.
confirmation "$tmp/unsub.json" /s/200/unsub/confirm UnsubscribeConfirmation
check "unsubscribe: 200" eq "$(post "$tmp/unsub.json" UnsubscribeConfirmation)" 200
check "unsubscribe: logged, never confirmed" wait_until 10 logged a.log "never confirmed"
check "unsubscribe: kept in rejected/" wait_until 10 eval "grep -q UnsubscribeConfirmation $tmp/rejected/*.reason"
stop_serve
check "no GET but the one confirmation" eq "$(jq -s '[.[] | select(.method == "GET")] | length' "$tmp/sink.log")" 1
check "the token reaches no log line" file_lacks "$tmp/a.log" "$TOKEN"
check "the URL is logged masked" file_has "$tmp/a.log" "token=***"

# The default hosts are Huawei's: a loopback subscribe_url is not confirmed.
confirmation "$tmp/def.json" /s/200/default/confirm SubscriptionConfirmation
start_serve b.log --spool "$tmp/spool2"
check "default hosts: 200" eq "$(post "$tmp/def.json" SubscriptionConfirmation)" 200
check "default hosts: loopback refused, said" wait_until 10 logged b.log "host 127.0.0.1 is not one of --smn-confirm-host"
stop_serve
check "default hosts: no GET" eq "$(gets /s/200/default/confirm)" 0

finish
