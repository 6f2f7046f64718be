#!/usr/bin/env bash
# Captured HTTP requests end to end: a broken capture is one rejection; gzip is decoded within
# --max-body, and a gzip bomb is one rejection in bounded memory.
source "$(dirname "$0")/../lib.bash"
BODY='{"Type":"Event","Id":"gz","EventType":"x","Rules":[{"Level":"warning"}]}'

# Each broken capture: one stderr line, one reject record, no event, then the next capture.
{
  printf 'POST /hook HTTP/2\r\ncontent-type: application/json\r\n\r\n%s\n' "$BODY"
  printf 'POST /a HTTP/1.1\r\nContent-Length: 7\r\nContent-Length: 70\r\n\r\n{"a":1}\n%s\n' "$BODY"
  printf 'POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nnot-hex\r\n'
  for i in $(seq 1 200); do printf '"k%d": 1,\r\n' "$i"; done
  printf '0\r\n\r\n'
  printf 'POST /c HTTP/1.1\r\nContent-Type: application/json\r\n'
  for i in $(seq 1 800); do printf 'X-Pad-%d: %0100d\r\n' "$i" 0; done
  printf '\r\n%s\n' "$BODY"
  printf 'POST /ok HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' "${#BODY}" "$BODY"
} >"$tmp/broken.http"
"$BIN" convert --reject "$tmp/rej.ndjson" "$tmp/broken.http" >"$tmp/out" 2>"$tmp/err"
check "broken captures exit" eq $? 1
check "one event, from the good capture" eq "$(wc -l <"$tmp/out")" 1
check "one line per broken capture" eq "$(grep -c "broken.http:[0-9]*: captured HTTP request" "$tmp/err")" 4
check "one reject record each" eq "$(wc -l <"$tmp/rej.ndjson")" 4
check "HTTP/2 said plainly" holds "$(cat "$tmp/err")" "broken.http:1: captured HTTP request: HTTP/2 request: only HTTP/1.x captures can be read"
check "summary" holds "$(cat "$tmp/err")" "cmrelay: 4 of 5 bodies rejected"

# gzip is decoded; another coding is one plain rejection.
printf '%s' "$BODY" | gzip -c >"$tmp/body.gz"
{
  printf 'POST /gz HTTP/1.1\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n' \
    "$(stat -c %s "$tmp/body.gz")"
  cat "$tmp/body.gz"
  printf 'POST /br HTTP/1.1\r\nContent-Encoding: br\r\nContent-Length: 3\r\n\r\nabc'
} >"$tmp/gzip.http"
"$BIN" convert "$tmp/gzip.http" >"$tmp/out" 2>"$tmp/err"
check "gzip exit" eq $? 1
check "gzip body converted" holds "$(cat "$tmp/out")" '"alert_key":"volc.event/gz"'
check "br rejected" holds "$(cat "$tmp/err")" "gzip.http:2: captured HTTP request: Content-Encoding 'br' is not supported (only gzip and deflate)"

# A gzip bomb: 256 MiB in a few hundred KiB. One rejection, memory bounded by --max-body.
head -c 268435456 /dev/zero | gzip -1 >"$tmp/bomb.gz"
{
  printf 'POST /bomb HTTP/1.1\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n' "$(stat -c %s "$tmp/bomb.gz")"
  cat "$tmp/bomb.gz"
  printf 'POST /ok HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' "${#BODY}" "$BODY"
} >"$tmp/bomb.http"
/usr/bin/time -f "%M" -o "$tmp/rss" timeout 60 "$BIN" convert --max-body 4m "$tmp/bomb.http" >"$tmp/out" 2>"$tmp/err"
check "bomb exit" eq $? 1
check "bomb rejected" holds "$(cat "$tmp/err")" "bomb.http:1: captured HTTP request: gzip body decodes to more than the 4194304-byte limit (--max-body)"
check "capture after the bomb converted" eq "$(wc -l <"$tmp/out")" 1
rss=$(tail -1 "$tmp/rss")
# AddressSanitizer's shadow memory and quarantine add their own tens of MiB (the sanitize stage).
limit=32768
ldd "$BIN" | grep -q libasan && limit=98304
if [ "$rss" -lt "$limit" ]; then pass; else fail "peak RSS ${rss} KiB on a 256 MiB gzip bomb (limit $((limit / 1024)) MiB)"; fi

finish
