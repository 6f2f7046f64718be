#!/usr/bin/env bash
# cmrelay serve over loopback, with real processes: every sample POSTed concurrently is
# stored and delivered; wrong or missing tokens get 401 with nothing stored; oversize bodies
# 413; a slow client is cut off; a full spool answers 503 with Retry-After and what it holds
# survives a stop and is delivered at the next start; vendor retries are delivered once;
# undecodable bodies move to rejected/; SIGHUP keeps the old routes when the new file is
# broken. The token never reaches a file serve wrote, a log line or the metrics.
. "$(dirname "$0")/../lib.bash"
start_sink
TOKEN=tok-$RANDOM-Zq9x
printf '# accepted tokens\n%s\n' "$TOKEN" >"$tmp/tokens"
# Conditions wait_until re-evaluates each time (a $(...) in its arguments would be read once).
answered() { [ "$(cat "$tmp"/code.* 2>/dev/null | grep -c 200)" -eq "$1" ]; }
sink_saw() { [ "$(requests '')" -eq "$1" ]; }
has_reason() { ls "$tmp"/rejected/*.reason >/dev/null 2>&1; }
URL="http://127.0.0.1:$port/s/200?integration_key=$SECRET"

# No token, no start (unless --no-auth is explicit).
"$BIN" serve --listen 127.0.0.1:0 --spool "$tmp/s0" --url "$URL" 2>"$tmp/err"
check "serve without a token exits 2" eq "$?" 2
check "and says how to give one, or --no-auth" grep -q -- '--no-auth' "$tmp/err"
CMRELAY_TOKEN=t "$BIN" serve --listen 127.0.0.1:0 --spool "$tmp/s0" --url "$URL" --spool-max-files 0 2>"$tmp/err"
check "--spool-max-files 0 exits 2" eq "$?" 2
CMRELAY_TOKEN=t "$BIN" serve --listen 127.0.0.1:0 --spool "$tmp/s0" --url "$URL" --no-auth 2>"$tmp/err"
check "--no-auth with a token exits 2" eq "$?" 2

# Every sample body, POSTed concurrently: each stored, then delivered.
start_serve a.log --spool "$tmp/spool" --token-file "$tmp/tokens" --url "$URL" --dead-letter "$tmp/dead"
expected=0
n=0
for f in "$SRC"/samples/*/*.json "$SRC"/samples/*/*.form; do
  [ "$("$BIN" detect "$f" 2>/dev/null | wc -l)" -eq 1 ] || continue  # One request holds one body.
  case $f in *.form) type=application/x-www-form-urlencoded ;; *) type=application/json ;; esac
  expected=$((expected + $("$BIN" convert "$f" 2>/dev/null | wc -l)))
  n=$((n + 1))
  CT=$type post "/hook/$TOKEN" "$f" >"$tmp/code.$n" &
done
wait_until 20 answered "$n"
check "all $n sample bodies answered 200" eq "$(cat "$tmp"/code.* | tr -d '\n' | sed 's/200//g')" ""
check "the spool empties" wait_until 20 spool_empty "$tmp/spool"
check "every event of every sample delivered ($expected)" eq "$(metric 'cmrelay_serve_events_delivered_total{channel="url"}')" "$expected"
check "the sink saw them" eq "$(requests '')" "$expected"
check "nothing dead-lettered" eq "$(wc -c <"$tmp/dead" 2>/dev/null || echo 0)" 0

# The Token header and GET (Alibaba's form in the query string).
query=$(sed -n '1s/^GET [^?]*?\([^ ]*\) HTTP.*/\1/p' "$SRC/samples/alibaba/capture-event-get.http")
check "GET with the body in its query, token in the Token header: 200" eq \
  "$(curl -s -o /dev/null -w '%{http_code}' -H "Token: $TOKEN" "http://127.0.0.1:$sport/hook?$query")" 200
check "and delivered" wait_until 10 sink_saw $((expected + 1))

# Wrong or missing token: 401, nothing stored.
before=$(metric cmrelay_serve_bodies_stored_total)
body="$SRC/samples/volcengine/metric-firing.json"
check "wrong token in the path: 401" eq "$(post /hook/wrong-token "$body")" 401
check "wrong Token header: 401" eq "$(post /hook "$body" -H 'Token: nope')" 401
check "no token: 401" eq "$(post /hook "$body")" 401
check "a token prefix: 401" eq "$(post "/hook/${TOKEN%?}" "$body")" 401
check "nothing stored for them" eq "$(metric cmrelay_serve_bodies_stored_total)" "$before"
check "other paths: 404" eq "$(post /other "$body")" 404
check "/healthz" eq "$(curl -s "http://127.0.0.1:$sport/healthz")" ok
check "/readyz" eq "$(curl -s "http://127.0.0.1:$sport/readyz")" ready

# A vendor retry (same x-volc-trace-id) is delivered once.
seen=$(requests '')
for _ in 1 2 3; do post "/hook/$TOKEN" "$SRC/samples/volcengine/metric-notice.json" -H 'x-volc-trace-id: 6f1c-retry-1' >/dev/null; done
check "three tries of one delivery: stored three times" wait_until 10 spool_empty "$tmp/spool"
check "delivered once" eq "$(requests '')" $((seen + 1))
check "two counted as duplicates" eq "$(metric cmrelay_serve_duplicates_total)" 2

# An undecodable body: 200 once stored, then moved to rejected/ with its reason.
printf 'not a webhook {' >"$tmp/garbage"
check "garbage: 200 once stored" eq "$(post "/hook/$TOKEN" "$tmp/garbage")" 200
check "moved to rejected/ with a reason" wait_until 10 has_reason
check "counted" eq "$(metric cmrelay_serve_bodies_rejected_total)" 1
check "the rejected capture reads back with detect (token masked)" grep -q 'POST /hook/\*\*\* HTTP/1.1' "$tmp"/rejected/*.http
check "spool files are 0600" eq "$(command stat -c %a "$tmp"/rejected/*.http | sort -u)" 600
stop_serve
check "SIGTERM: exit 0" eq "$serve_rc" 0

# Oversize body: 413, nothing stored. Slow client: cut off by --request-timeout.
start_serve b.log --spool "$tmp/spool-b" --token-file "$tmp/tokens" --url "$URL" --max-body 4k \
  --request-timeout 1 --idle-timeout 1
head -c 10000 /dev/zero | tr '\0' 'x' >"$tmp/big"
check "a 10 kB body over --max-body 4k: 413" eq "$(post "/hook/$TOKEN" "$tmp/big")" 413
check "chunked, no Content-Length: 413 too" eq "$(post "/hook/$TOKEN" "$tmp/big" -H 'Transfer-Encoding: chunked')" 413
slow=$(timeout 10 python3 - "$sport" "$TOKEN" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(f"POST /hook/{sys.argv[2]} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{{".encode())
start = time.time()
s.settimeout(8)
data = b""
try:
    while time.time() - start < 8:
        time.sleep(0.3)
        s.sendall(b" ")  # One byte now and then: never idle, never done.
except OSError:
    pass
try:
    data = s.recv(100)
except OSError:
    pass
print("cut" if time.time() - start < 6 and b" 200 " not in data else "held")
PY
)
check "a client dripping its body is cut off" eq "$slow" cut
check "and nothing was stored" eq "$(metric cmrelay_serve_bodies_stored_total)" 0
stop_serve

# SIGTERM with a request in flight: it is finished (200, stored), then serve exits 0, the
# request kept in the spool for the next start.
start_serve h.log --spool "$tmp/spool-h" --token-file "$tmp/tokens" --url "$URL" --drain-timeout 5
inflight=$(timeout 20 python3 - "$sport" "$TOKEN" "$serve_pid" "$SRC/samples/volcengine/event-disk-error.json" <<'PY'
import os, signal, socket, sys, time
body = open(sys.argv[4], "rb").read()
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(f"POST /hook/{sys.argv[2]} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          f"Content-Length: {len(body)}\r\n\r\n".encode() + body[:10])
time.sleep(0.3)
os.kill(int(sys.argv[3]), signal.SIGTERM)
time.sleep(0.5)
s.sendall(body[10:])
s.settimeout(10)
print(s.recv(100).split(b"\r\n")[0].decode())
PY
)
wait "$serve_pid"
serve_rc=$?
serve_pid=
check "a request in flight at SIGTERM is finished" eq "$inflight" "HTTP/1.1 200 OK"
check "serve then exits 0" eq "$serve_rc" 0
check "its request stays in the spool" eq "$(spool_files "$tmp/spool-h")" 1
check "exactly one request was answered 200" eq "$(grep -c 'status=200' "$tmp/h.log")" 1

# Full spool: 503 with Retry-After; what it holds stays through a stop and is delivered at
# the next start.
start_serve c.log --spool "$tmp/spool-c" --token-file "$tmp/tokens" --spool-max-files 2 --retry-after 7 \
  --url "http://127.0.0.1:$port/s/hang20" --timeout 20 --drain-timeout 0.5
check "first: 200" eq "$(post "/hook/$TOKEN" "$SRC/samples/volcengine/metric-firing.json" -H 'x-volc-trace-id: c-1')" 200
check "second: 200" eq "$(post "/hook/$TOKEN" "$SRC/samples/volcengine/metric-recovered.json" -H 'x-volc-trace-id: c-2')" 200
hdr=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
  --data-binary "@$SRC/samples/volcengine/nodata-firing.json" "http://127.0.0.1:$sport/hook/$TOKEN")
check "third, over --spool-max-files: 503" grep -q '^HTTP/1.1 503' <<<"$hdr"
check "with Retry-After: 7" grep -qi '^Retry-After: 7' <<<"$hdr"
stop_serve
check "stopped with deliveries hanging: exit 0" eq "$serve_rc" 0
check "the two requests stay in the spool" eq "$(spool_files "$tmp/spool-c")" 2
start_serve d.log --spool "$tmp/spool-c" --token-file "$tmp/tokens" --url "$URL"
check "restarted: the spool empties" wait_until 10 spool_empty "$tmp/spool-c"
check "both delivered" eq "$(metric 'cmrelay_serve_events_delivered_total{channel="url"}')" 2
stop_serve

# SIGHUP: a broken route file is refused (the old routes stay); a good one is taken.
cat >"$tmp/routes.yaml" <<YAML
channels:
  first: {url: "http://127.0.0.1:$port/s/200?integration_key=$SECRET&v=1"}
default:
  channels: [first]
YAML
start_serve e.log --spool "$tmp/spool-e" --token-file "$tmp/tokens" --routes "$tmp/routes.yaml" --log-format json
printf 'channels: [\n' >"$tmp/routes.yaml"
kill -HUP "$serve_pid"
check "broken route file: reload failed, logged" wait_until 5 grep -q '"kind":"reload","outcome":"failed"' "$tmp/e.log"
check "still delivering with the old routes" eq "$(post /hook "$SRC/samples/alibaba/event-sys-critical.json" -H "Token: $TOKEN")" 200
check "to channel first" wait_until 10 grep -q '"channel":"first".*"outcome":"delivered"' "$tmp/e.log"
cat >"$tmp/routes.yaml" <<YAML
channels:
  second: {url: "http://127.0.0.1:$port/s/200?integration_key=$SECRET&v=2"}
default:
  channels: [second]
YAML
kill -HUP "$serve_pid"
check "good route file: reloaded" wait_until 5 grep -q '"kind":"reload","outcome":"done"' "$tmp/e.log"
check "posted after it" eq "$(post /hook "$SRC/samples/alibaba/event-sys-warning.json" -H "Token: $TOKEN")" 200
check "goes to channel second" wait_until 10 grep -q '"channel":"second".*"outcome":"delivered"' "$tmp/e.log"
check "JSON log lines carry Flashduty's request_id" grep -q '"request_id":"sink-[0-9]*"' "$tmp/e.log"
stop_serve

# Built-in TLS, and an address allow-list that leaves loopback out.
start_serve f.log --spool "$tmp/spool-f" --token-file "$tmp/tokens" --url "$URL" \
  --tls-cert "$SRC/tests/net/deliver/tls-cert.pem" --tls-key "$SRC/tests/net/deliver/tls-key.pem"
check "HTTPS with --tls-cert/--tls-key: 200" eq "$(curl -sk -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
  --data-binary "@$SRC/samples/volcengine/nodata-recovered.json" "https://127.0.0.1:$sport/hook/$TOKEN")" 200
check "and delivered" wait_until 10 grep -q 'outcome=delivered' "$tmp/f.log"
stop_serve
start_serve g.log --spool "$tmp/spool-g" --token-file "$tmp/tokens" --url "$URL" --allow 192.0.2.0/24
check "a client outside --allow: 403" eq "$(post "/hook/$TOKEN" "$body")" 403
stop_serve

# A route file whose only findings are warnings (a condition on a value that differs on
# recovery, where the state matters most) is usable: serve starts with it, saying them.
cat >"$tmp/warn-routes.yaml" <<YAML
channels:
  ops: {url: "http://127.0.0.1:$port/s/200/warn"}
cases:
  - {if: [{key: labels.current_value, oper: IN, vals: ["/.*/"]}], channels: [ops]}
default: {channels: [ops]}
YAML
start_serve w.log --spool "$tmp/spool-w" --token-file "$tmp/tokens" --routes "$tmp/warn-routes.yaml" --state none
check "warnings only: serve starts" kill -0 "$serve_pid"
check "warnings only: said" grep -q 'warning: .*current_value' "$tmp/w.log"
stop_serve

# The open-alert state (--state): the firing event (Critical) goes to dba; then SIGHUP loads
# a route file that sends Critical to ops: its recovery by the route file alone only reaches
# ops, with the state dba too (where its alert went); then nothing is left open.
state_routes() {  # state_routes CRITICAL_CHANNEL
  cat >"$tmp/state-routes.yaml" <<YAML
channels:
  dba: {url: "http://127.0.0.1:$port/s/200/state", headers: {X-Channel: dba}}
  ops: {url: "http://127.0.0.1:$port/s/200/state", headers: {X-Channel: ops}}
cases:
  - {if: [{key: severity, oper: IN, vals: [Critical]}], channels: [$1]}
  - {if: [{key: severity, oper: IN, vals: [Info]}], channels: [dba]}
default: {channels: [ops]}
YAML
}
state_routes dba
skey=$("$BIN" "$SRC/samples/volcengine/metric-firing.json" | jq -r .alert_key)
state_channels() {  # state_channels STATUS: the channels the sink saw skey's events of STATUS at, sorted.
  jq -r --arg k "$skey" --arg s "$1" 'select(.path == "/s/200/state" and .alert_key == $k and .event_status == $s)
    | .headers["x-channel"]' "$tmp/sink.log" | sort | tr '\n' ' '
}
state_fired() { [ "$(state_channels Critical)" = "dba " ]; }
state_recovered() { [ "$(state_channels Ok)" = "dba ops " ]; }
start_serve st.log --spool "$tmp/spool-st" --token-file "$tmp/tokens" --routes "$tmp/state-routes.yaml" \
  --state "$tmp/state.db" --dead-letter "$tmp/dead-st"
check "--state: start line says the state is open" grep -q 'state=open' "$tmp/st.log"
check "--state: firing posted" eq "$(post "/hook/$TOKEN" "$SRC/samples/volcengine/metric-firing.json")" 200
check "--state: firing at dba" wait_until 10 state_fired
open_alerts() { "$BIN" alerts --state "$tmp/state.db" --format ndjson | jq -r '.alert_key + " " + (.channels | join(","))'; }
check "--state: its alert is open, at dba" eq "$(open_alerts)" "$skey dba"
state_routes ops
kill -HUP "$serve_pid"
check "--state: routes reloaded" wait_until 5 grep -q 'serve: reload outcome=done' "$tmp/st.log"
check "--state: recovery posted" eq "$(post "/hook/$TOKEN" "$SRC/samples/volcengine/metric-recovered.json")" 200
check "--state: the recovery reaches dba (its alert's channel) and ops (its route)" wait_until 10 state_recovered
check "--state: firing reached dba only" eq "$(state_channels Critical)" "dba "
check "--state: spool emptied" wait_until 10 spool_empty "$tmp/spool-st"
stop_serve
check "--state: no open alert left" eq "$("$BIN" alerts --state "$tmp/state.db" | wc -l)" 0
# A state that cannot be opened: said once; serve starts and delivers by the route file.
start_serve sf.log --spool "$tmp/spool-sf" --token-file "$tmp/tokens" --routes "$tmp/state-routes.yaml" \
  --state "$tmp/tokens/state.db" --dead-letter "$tmp/dead-sf"
check "unusable --state: one stderr line" eq "$(grep -c '^cmrelay: state ' "$tmp/sf.log")" 1
check "unusable --state: the start line says so" grep -q 'state="failed: routes alone decide"' "$tmp/sf.log"
check "unusable --state: still delivers" eq "$(post "/hook/$TOKEN" "$SRC/samples/volcengine/metric-firing.json")" 200
check "unusable --state: delivered by the route" wait_until 10 grep -q 'channel=ops.*outcome=delivered' "$tmp/sf.log"
stop_serve
"$BIN" serve --listen 127.0.0.1:0 --spool "$tmp/s0" --no-auth --routes "$tmp/state-routes.yaml" --rate 2/s 2>"$tmp/err"
check "--rate with --routes exits 2" eq "$?" 2
check "and says where rates go" grep -q -- 'rate: \[100/s, 1000/m\]' "$tmp/err"
"$BIN" serve --listen 127.0.0.1:0 --spool "$tmp/s0" --no-auth --url "$URL" --rate 2/fortnight 2>"$tmp/err"
check "a bad --rate exits 2" eq "$?" 2

# --rate 2/s with --url: 4 bodies take at least a second between the first request and the last.
RURL="http://127.0.0.1:$port/s/200/rate?integration_key=$SECRET"
start_serve r.log --spool "$tmp/spool-r" --token-file "$tmp/tokens" --url "$RURL" --rate 2/s
for f in metric-firing metric-recovered event-disk-error nodata-firing; do
  check "--rate: $f posted" eq "$(post "/hook/$TOKEN" "$SRC/samples/volcengine/$f.json")" 200
done
rate_seen() { jq -s '[.[] | select(.path == "/s/200/rate")] | length' "$tmp/sink.log"; }
rate_done() { [ "$(rate_seen)" -ge 4 ]; }
check "--rate: every body delivered" wait_until 15 rate_done
rate_spread() { jq -se '[.[] | select(.path == "/s/200/rate") | .t] | (max - min) >= 0.95' "$tmp/sink.log" >/dev/null; }
check "--rate: first to last request at least ~1 s apart" rate_spread
stop_serve

# The secrets: the token nowhere but in the token file; the integration key nowhere.
check "no token in any file serve wrote or logged" eq "$(grep -rl -- "$TOKEN" "$tmp" | grep -v "$tmp/tokens" | grep -c .)" 0
check "no integration key in the logs, spool or dead letters" eq \
  "$(grep -rl --exclude=sink.log --exclude=routes.yaml -- "$SECRET" "$tmp" | grep -c .)" 0

finish
