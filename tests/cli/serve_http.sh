#!/usr/bin/env bash
# cmrelay serve at the door, against the real process, as a hostile or careless client: a
# token in an odd path never reaches a log line, a metric, the spool or a reject record; a
# client dripping its request line, headers or body is cut at --request-timeout, counted
# and logged; a POST without a length gets 411 (never 200 for a body not kept), two lengths
# 400; thousands of query parameters get 414 at once, logged; a JSON body sent as a form is
# rejected saying so; a token file's byte order mark is no part of its first token.
. "$(dirname "$0")/../lib.bash"
start_sink
TOKEN=tok-$RANDOM-http-A
TOKEN2=tok-$RANDOM-http-B
printf '%s\n%s\n' "$TOKEN" "$TOKEN2" >"$tmp/tokens"
URL="http://127.0.0.1:$port/s/200?integration_key=$SECRET"
firing=$SRC/samples/volcengine/metric-firing.json
start_serve a.log --spool "$tmp/spool" --token-file "$tmp/tokens" --url "$URL" --request-timeout 1 \
  --idle-timeout 3 --dead-letter "$tmp/dead"

# 9. The token, whatever the path looks like.
for path in "//hook/$TOKEN" "/hook//$TOKEN" "/Hook/$TOKEN" "/$TOKEN" "/hook/$TOKEN/x" "/metrics/$TOKEN" \
  "/hook/%2F$TOKEN/x" "//hook//$TOKEN?q=1"; do
  check "POST $path: 404" eq "$(post "$path" "$firing" | sed "s/$TOKEN/TOKEN/")" 404
done
# The right token in the Token header and another one in an odd path: nothing is stored
# under that path (the spool would keep it).
check "/hook//TOKEN2 with a good Token header: 404" eq "$(post "/hook//$TOKEN2" "$firing" -H "Token: $TOKEN")" 404
check "/hook/TOKEN2/x with a good Token header: 404" eq "$(post "/hook/$TOKEN2/x" "$firing" -H "Token: $TOKEN")" 404
check "the odd paths are logged, masked" grep -q 'path=//hook/\*\*\* status=404' "$tmp/a.log"
check "and so is the capital one" grep -q 'path=/Hook/\*\*\* status=404' "$tmp/a.log"
check "a plain /hook/TOKEN still works" eq "$(post "/hook/$TOKEN" "$firing")" 200
check "and is delivered" wait_until 10 spool_empty "$tmp/spool"
metrics=$(curl -s "http://127.0.0.1:$sport/metrics")
check "no token in /metrics" omits "$metrics" "tok-"
check "404s counted under path=\"other\"" holds "$metrics" 'cmrelay_serve_requests_total{path="other",code="404"}'

# 11. Dripping: the request line, the headers, the body. Each is cut by --request-timeout
# (from the request line; before it, --idle-timeout + --request-timeout), answered nothing,
# counted as a 408 and logged.
drip() {  # drip HEAD UNIT: sends HEAD, then UNIT every 0.3 s; prints how long until cut, or "held".
  timeout 15 python3 - "$sport" "$1" "$2" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode())
start = time.time()
try:
    while time.time() - start < 10:
        time.sleep(0.3)
        s.sendall(sys.argv[3].encode().decode("unicode_escape").encode())
    print("held")
except OSError:
    print("%.1f" % (time.time() - start))
PY
}
before=$(grep -c 'status=408' "$tmp/a.log")
cut=$(drip "POST /hook/$TOKEN HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n" 'X-Drip: 1\r\n')
check "dripping header lines: cut (not held for 10 s)" holds "$cut" .
check "within about --request-timeout" le "${cut%.*}" 3
cut=$(drip "POST /hook/$TOKEN HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{" ' ')
check "dripping the body: cut" holds "$cut" .
cut=$(drip "POST /hook/$TOKEN" 'x')
check "dripping the request line: cut" holds "$cut" .
check "within about --idle-timeout + --request-timeout" le "${cut%.*}" 5
logged_408() { [ "$(grep -c 'status=408' "$tmp/a.log")" -eq $((before + 3)) ]; }
check "each logged as a 408" wait_until 3 logged_408
check "with why" grep -q 'status=408 error="request timeout: not read whole within --request-timeout' "$tmp/a.log"
check "none logs the token" eq "$(grep 'status=408' "$tmp/a.log" | grep -c "$TOKEN")" 0
check "counted in /metrics" eq "$(metric 'cmrelay_serve_requests_total{path="/hook",code="408"}')" 2
check "the one cut before its path counted as other" eq "$(metric 'cmrelay_serve_requests_total{path="other",code="408"}')" 1
keepalive=$(timeout 10 python3 - "$sport" "$TOKEN" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(5)
out = []
for i in range(2):
    body = b'{"RuleName":"keep-alive %d"}' % i
    s.sendall(b"POST /hook/%s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
              % (sys.argv[2].encode(), len(body)) + body)
    out.append(s.recv(200).split(b"\r\n")[0].decode())
    time.sleep(1.5)  # Quiet, under --idle-timeout; together past --request-timeout.
print(" | ".join(out))
PY
)
check "a kept-alive connection quiet between requests is not cut" eq "$keepalive" "HTTP/1.1 200 OK | HTTP/1.1 200 OK"

# 16. A POST without a length (HTTP/1.0: the body runs to the end), two lengths, and a
# query of thousands of parameters.
cat >"$tmp/raw.py" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(sys.stdin.read().rstrip("\n").encode().decode("unicode_escape").encode())
s.shutdown(socket.SHUT_WR)
s.settimeout(8)
try:
    print(s.recv(200).split(b"\r\n")[0].decode() or "none")
except OSError:
    print("none")
PY
raw() { timeout 10 python3 "$tmp/raw.py" "$sport"; }  # raw < REQUEST: the answer's status line, or "none". \r\n as in C.
stored=$(metric cmrelay_serve_bodies_stored_total)
body='{"RuleName":"x"}'
check "HTTP/1.0 POST without Content-Length: 411" holds \
  "$(raw <<<"POST /hook/$TOKEN HTTP/1.0\r\nHost: x\r\nContent-Type: application/json\r\n\r\n$body")" " 411 "
check "HTTP/1.1 POST without Content-Length nor chunked: 411" holds \
  "$(raw <<<"POST /hook/$TOKEN HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n$body")" " 411 "
check "two different Content-Length: 400" holds \
  "$(raw <<<"POST /hook/$TOKEN HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 16\r\nContent-Length: 9\r\n\r\n$body")" " 400 "
check "a Content-Length that is no number: 400" holds \
  "$(raw <<<"POST /hook/$TOKEN HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 16, 16\r\n\r\n$body")" " 400 "
check "none of them stored" eq "$(metric cmrelay_serve_bodies_stored_total)" "$stored"
check "the same length twice is one length: 200" holds \
  "$(raw <<<"POST /hook/$TOKEN HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 16\r\nContent-Length: 16\r\nConnection: close\r\n\r\n$body")" " 200 "
check "logged: 411 and 400" eq "$(grep -cE 'status=(411|400) ' "$tmp/a.log")" 3
q=$(python3 -c 'print("&".join("a%d=b" % i for i in range(2000)))')
check "2000 query parameters: 414 at once" eq \
  "$(curl -s -m 5 -o /dev/null -w '%{http_code}' -H "Token: $TOKEN" "http://127.0.0.1:$sport/hook?$q")" 414
check "logged" grep -q 'method=GET path=/hook status=414' "$tmp/a.log"
q=$(python3 -c 'print("&".join("a%d=b" % i for i in range(20000)))')
check "20000 (a 150 kB line, past libmicrohttpd's own limit): answered too" holds \
  "$(raw <<<"GET /hook/$TOKEN?$q HTTP/1.1\r\nHost: x\r\n\r\n")" " 4"
query=$(sed -n '1s/^GET [^?]*?\([^ ]*\) HTTP.*/\1/p' "$SRC/samples/alibaba/capture-event-get.http")
check "a GET with its body in the query still works: 200" eq \
  "$(curl -s -o /dev/null -w '%{http_code}' -H "Token: $TOKEN" "http://127.0.0.1:$sport/hook?$query")" 200
check "its query is stored whole, and delivered" wait_until 5 grep -q 'i-uf69c2n5t0w8r3k1j4xe' "$tmp/sink.log"
# A JSON body sent as a form (curl -d's default Content-Type): stored, then rejected saying so.
check "JSON posted as a form: 200 once stored" eq "$(CT=application/x-www-form-urlencoded post "/hook/$TOKEN" "$firing")" 200
form_reason() { cat "$tmp"/rejected/*.reason 2>/dev/null; }
has_form_reason() { [ -n "$(form_reason)" ]; }
check "then rejected" wait_until 10 has_form_reason
check "with why: read as a form, looks like JSON" holds "$(form_reason)" \
  "the body was read as application/x-www-form-urlencoded (its Content-Type) but looks like JSON"
stop_serve

# A token file that starts with a UTF-8 byte order mark: its first token works.
printf '\xef\xbb\xbf%s\n' "$TOKEN" >"$tmp/tokens-bom"
start_serve bom.log --spool "$tmp/spool-bom" --token-file "$tmp/tokens-bom" --url "$URL"
check "the first token of a token file with a BOM: 200" eq "$(post "/hook/$TOKEN" "$firing")" 200
stop_serve

# The token nowhere: not in a log, the spool, a reject record or the dead letters.
check "no token in any file serve wrote or logged" eq "$(grep -rlE -- "$TOKEN|$TOKEN2" "$tmp" | grep -vE "$tmp/tokens(-bom)?$" | grep -c .)" 0
finish
