#!/usr/bin/env bash
# Issue 9, items 13 and 14: input cannot write lines or terminal controls into a diagnostic
# (escaped, one body one line), and a channel header cannot add request headers.
source "$(dirname "$0")/../lib.bash"

esc=$'\x1b'
export FLASHDUTY_DBA_KEY=dba-key FLASHDUTY_OPS_KEY=ops-key
# One NDJSON body whose keys hold ESC/BEL (a title escape), CR LF with a forged
# "cmrelay:" line, NUL and U+202E; and a file name with ESC and a newline.
body='{"\u001b]0;pwned\u0007key\r\ncmrelay: forged line":1,"x\u0000y\u202ez":2}'
name="$tmp/bad"$'\x1b[31m'"name"$'\n'"x.json"
printf '%s\n' "$body" >"$name"
for cmd in detect convert "routes test $SRC/samples/routes.yaml"; do
  err=$($BIN $cmd "$name" 2>&1 >/dev/null)
  check "$cmd: one line per body and one summary" eq "$(printf '%s\n' "$err" | wc -l)" 2
  check "$cmd: no ESC" omits "$err" "$esc"
  check "$cmd: no BEL" omits "$err" $'\x07'
  check "$cmd: no CR" omits "$err" $'\r'
  check "$cmd: no U+202E" omits "$err" $'\u202e'
  check "$cmd: no forged line" omits "$(printf '%s\n' "$err" | grep -c '^cmrelay: forged')" 1
  check "$cmd: the file name escaped" holds "$err" 'bad\x1b[31mname\nx.json:1:'
  check "$cmd: the keys escaped" holds "$err" '\x1b]0;pwned\x07key\r\ncmrelay: forged line, x\x00y\u{202e}z'
done

# routes test: a title and a label value seen by a condition, from the input, escaped.
event='{"event_status":"Critical","title_rule":"disk\u001b[2J\r\ncmrelay: all good","alert_key":"k","labels":{"team":"dba\u202e\nx"}}'
out=$(printf '%s\n' "$event" | $BIN routes test "$SRC/samples/routes.yaml" 2>&1)
check "routes test: no ESC" omits "$out" "$esc"
check "routes test: no U+202E" omits "$out" $'\u202e'
check "routes test: the title escaped" holds "$out" '"disk\x1b[2J\r\ncmrelay: all good"'
check "routes test: the value seen escaped" holds "$out" "(saw 'dba\\u{202e}\\nx')"
check "routes test: no line starts with the forged text" eq "$(printf '%s\n' "$out" | grep -c '^cmrelay: all good')" 0

# convert --routes and send: an alert_key with controls in the "routed to no channel" line.
cat >"$tmp/none.yaml" <<'YAML'
channels:
  a: {url: "http://127.0.0.1:9/a"}
cases:
  - {if: [{key: labels.never, oper: IN, vals: [x]}], channels: [a]}
YAML
key_event='{"event_status":"Critical","title_rule":"t","alert_key":"k\u001b[1A\rcmrelay: sent"}'
err=$(printf '%s\n' "$key_event" | $BIN convert --routes "$tmp/none.yaml" 2>&1 >/dev/null)
check "convert --routes: the alert_key escaped" holds "$err" 'event k\x1b[1A\rcmrelay: sent routed to no channel'
check "convert --routes: no ESC" omits "$err" "$esc"
err=$(printf '%s\n' "$key_event" | $BIN send --dry-run --routes "$tmp/none.yaml" 2>&1 >/dev/null)
check "send: the alert_key escaped" holds "$err" 'event k\x1b[1A\rcmrelay: sent routed to no channel'
check "send: no ESC" omits "$err" "$esc"

# A capture whose request line is not HTTP/1.x (an HTTP/2 dump, a line without protocol):
# its headers are never quoted, whatever the reason; the body is kept in --reject.
printf 'POST /hook?integration_key=QK1 HTTP/2\r\nAuthorization: Bearer AUTH1\r\nContent-Type: application/json\r\nContent-Length: 8\r\n\r\n{"a":1}\n' >"$tmp/h2.http"
printf 'GET /x?integration_key=QK2 HTTP/2.0\r\nAuthorization: Bearer AUTH2\r\n\r\n' >>"$tmp/h2.http"
# Without a protocol the line is no request line: its header lines stand alone (own file: after
# an HTTP/2 capture they would be part of that rejection, up to the next request line).
printf 'POST /hook\r\nAuthorization: Bearer AUTH3\r\nX-Api-Key: AUTH4\r\n\r\n{"a":1}\n' >"$tmp/h1.txt"
for cmd in detect convert; do
  err=$($BIN $cmd --reject "$tmp/rej-$cmd" "$tmp/h2.http" "$tmp/h1.txt" 2>&1 >/dev/null)
  check "$cmd HTTP/2: exit 1" eq "$?" 1
  for s in QK1 QK2 AUTH1 AUTH2 AUTH3 AUTH4; do check "$cmd HTTP/2: no $s on stderr" omits "$err" "$s"; done
  check "$cmd HTTP/2: says why" holds "$err" "h2.http:1: captured HTTP request: HTTP/2 request: only HTTP/1.x captures can be read"
  check "$cmd HTTP/2 GET: says why" holds "$err" "h2.http:2: captured HTTP request: HTTP/2.0 request: only HTTP/1.x captures can be read"
  check "$cmd header line: says why" holds "$err" "a line shaped like an HTTP header ('Name: value') outside a captured HTTP/1.x request; its value is not shown"
done
check "HTTP/2: its body kept in --reject" eq "$(head -1 "$tmp/rej-convert" | jq -r .body)" '{"a":1}'
# A broken capture's record keeps what follows its headers, never the request line or headers.
for s in QK1 QK2 AUTH1 AUTH2; do check "HTTP/2: no $s in the reject file" omits "$(cat "$tmp/rej-convert")" "$s"; done

# Header injection: CR/LF in a header value (literal, or from ${VAR}) and a name that is not
# a token are refused by routes check (exit 1, one finding each) and at load (exit 2).
cat >"$tmp/inject.yaml" <<'YAML'
channels:
  a:
    url: "http://127.0.0.1:9/a"
    headers:
      X-Tag: "v\r\nX-Admin: yes"
      Authorization: "${CMRELAY_INJECT}"
      "X Bad": "v"
default: {channels: [a]}
YAML
export CMRELAY_INJECT=$'Bearer tok3n\r\nX-Admin: yes'
out=$($BIN routes check "$tmp/inject.yaml" 2>&1)
check "routes check: exit 1" eq "$?" 1
check "routes check: not ok" omits "$out" ": ok:"
check "routes check: the literal CR LF" holds "$out" "inject.yaml:5: header X-Tag of channel 'a' holds a control character"
check "routes check: the one from \${VAR}" holds "$out" "inject.yaml:6: header Authorization of channel 'a' holds a control character (CR, LF, NUL...) after \${VAR} expansion"
check "routes check: the bad name" holds "$out" "inject.yaml:7: header name 'X Bad' of channel 'a' is not an HTTP token"
check "routes check: never the value" omits "$out" "tok3n"
for cmd in "send --dry-run --routes" "convert --routes" "routes test"; do
  err=$(printf '%s\n' "$key_event" | $BIN $cmd "$tmp/inject.yaml" 2>&1 >/dev/null)
  check "$cmd: refuses the file (exit 2)" eq "$?" 2
  check "$cmd: says why" holds "$err" "inject.yaml:5: header X-Tag of channel 'a' holds a control character"
  check "$cmd: never the value" omits "$err" "tok3n"
done
unset CMRELAY_INJECT

finish
