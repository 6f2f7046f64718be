#!/usr/bin/env bash
# cmrelay serve's options as a careless operator gives them, against the real process:
# values that would make serve useless are usage errors (--max-body 0 or 100,
# --request-timeout 0, --listen with a port past 65535); --url-file and --url-env work as
# send's (and --url holding a key is warned about, as send warns); --no-auth on an address
# other than loopback is refused unless --no-auth-anywhere says it is meant, then logged.
. "$(dirname "$0")/../lib.bash"
start_sink
TOKEN=tok-$RANDOM-opts
printf '%s\n' "$TOKEN" >"$tmp/tokens"
URL="http://127.0.0.1:$port/s/200?integration_key=$SECRET"
firing=$SRC/samples/volcengine/metric-firing.json
n=0
# refused WHY ARGS...: serve with ARGS exits 2 at once (timeout: it started), saying WHY.
refused() {
  local why=$1
  shift
  n=$((n + 1))
  CMRELAY_TOKEN=t timeout 5 "$BIN" serve --spool "$tmp/s$n" "$@" >/dev/null 2>"$tmp/err"
  local rc=$?
  check "refused ($why): exit 2" eq "$rc" 2
  check "refused ($why): says so" grep -qF -- "$why" "$tmp/err"
}

# 8. Values that make serve useless.
refused "--max-body: a size from 1k to 1g, not '0'" --listen 127.0.0.1:0 --url "$URL" --max-body 0
refused "--max-body: a size from 1k to 1g, not '100'" --listen 127.0.0.1:0 --url "$URL" --max-body 100
refused "--request-timeout and --idle-timeout must be at least 1s" --listen 127.0.0.1:0 --url "$URL" --request-timeout 0
refused "--request-timeout and --idle-timeout must be at least 1s" --listen 127.0.0.1:0 --url "$URL" --request-timeout 500ms
refused "--request-timeout and --idle-timeout must be at least 1s" --listen 127.0.0.1:0 --url "$URL" --idle-timeout 0
refused "--listen 127.0.0.1:70000: expected ADDR:PORT" --listen 127.0.0.1:70000 --url "$URL"
refused "the port 1 to 65535 (0 picks a free one)" --listen 127.0.0.1:65536 --url "$URL"
refused "--listen 127.0.0.1:http: expected ADDR:PORT" --listen 127.0.0.1:http --url "$URL"
refused "--listen 127.0.0.1: expected ADDR:PORT" --listen 127.0.0.1 --url "$URL"
check "nothing was created for them" eq "$(ls -d "$tmp"/s[0-9]* 2>/dev/null | wc -l)" 0

# 10. The URL from a file or the environment, out of ps; on the command line, a warning.
printf '%s\n' "$URL" >"$tmp/url"
start_serve f.log --spool "$tmp/spool-f" --token-file "$tmp/tokens" --url-file "$tmp/url"
check "--url-file: a request is delivered" eq "$(post "/hook/$TOKEN" "$firing")" 200
check "--url-file: to the file's URL" wait_until 10 grep -q 'outcome=delivered' "$tmp/f.log"
check "--url-file: the key is not in ps" eq "$(tr '\0' ' ' </proc/"$serve_pid"/cmdline | grep -c -- "$SECRET")" 0
check "--url-file: no warning" eq "$(grep -c warning "$tmp/f.log")" 0
stop_serve
SERVE_URL=$URL start_serve e.log --spool "$tmp/spool-e" --token-file "$tmp/tokens" --url-env SERVE_URL
check "--url-env: a request is delivered" eq "$(post "/hook/$TOKEN" "$firing" -H 'x-volc-trace-id: e')" 200
check "--url-env: to the variable's URL" wait_until 10 grep -q 'outcome=delivered' "$tmp/e.log"
check "--url-env: the key is not in ps" eq "$(tr '\0' ' ' </proc/"$serve_pid"/cmdline | grep -c -- "$SECRET")" 0
stop_serve
start_serve u.log --spool "$tmp/spool-u" --token-file "$tmp/tokens" --url "$URL"
check "--url with a key: a warning, as send gives" grep -q \
  'warning: --url holds a secret that any user can read with ps while serve runs; give it with --url-file FILE or --url-env NAME' "$tmp/u.log"
check "the warning holds no key" eq "$(grep -c -- "$SECRET" "$tmp/u.log")" 0
stop_serve
refused "--url-file $tmp/nowhere: cannot read" --listen 127.0.0.1:0 --url-file "$tmp/nowhere"
: >"$tmp/empty"
refused "--url-file $tmp/empty is empty" --listen 127.0.0.1:0 --url-file "$tmp/empty"
printf '%s\n%s\n' "$URL" "$URL" >"$tmp/two"
refused "holds more than one line" --listen 127.0.0.1:0 --url-file "$tmp/two"
refused "--url-env UNSET_URL_VAR: the variable is not set" --listen 127.0.0.1:0 --url-env UNSET_URL_VAR
printf 'http://bad host/\n' >"$tmp/bad"
refused "--url " --listen 127.0.0.1:0 --url-file "$tmp/bad"
printf 'channels:\n  ops: {url: "%s"}\ndefault: {channels: [ops]}\n' "$URL" >"$tmp/routes.yaml"
refused "excludes" --listen 127.0.0.1:0 --routes "$tmp/routes.yaml" --url-file "$tmp/url"
refused "excludes" --listen 127.0.0.1:0 --url "$URL" --url-env SERVE_URL
check "no key in any refusal" eq "$(grep -c -- "$SECRET" "$tmp/err")" 0

# 12. --no-auth: loopback only, unless --no-auth-anywhere; then a warning at start.
refused "--no-auth on --listen 0.0.0.0:0, not a loopback address" --listen 0.0.0.0:0 --no-auth --url "$URL"
refused "add --no-auth-anywhere if that is meant" --listen 0.0.0.0:0 --no-auth --url "$URL"
refused "--no-auth-anywhere requires --no-auth" --listen 0.0.0.0:0 --no-auth-anywhere --url "$URL"
"$BIN" serve --listen 0.0.0.0:0 --no-auth --no-auth-anywhere --spool "$tmp/spool-a" --url "$URL" 2>"$tmp/a.log" &
serve_pid=$!
await_port "$tmp/a.log"
check "--no-auth --no-auth-anywhere on 0.0.0.0: starts" kill -0 "$serve_pid"
check "the start line says so" grep -q 'auth="none (--no-auth-anywhere)"' "$tmp/a.log"
check "and a warning line follows" grep -q 'serve: warning message="--no-auth-anywhere: requests without a token are accepted from anyone who can reach 0.0.0.0:0"' "$tmp/a.log"
check "it takes requests without a token" eq "$(post /hook "$firing")" 200
stop_serve
# A bare system (debootstrap minbase) may have no /etc/hosts: localhost then resolves to
# nothing, and serve rightly says so; the case needs the name.
if getent hosts localhost >/dev/null; then
  "$BIN" serve --listen localhost:0 --no-auth --spool "$tmp/spool-l" --url-file "$tmp/url" 2>"$tmp/l.log" &
  serve_pid=$!
  await_port "$tmp/l.log"
  check "--no-auth on localhost (loopback once resolved): starts" grep -q 'auth="none (--no-auth)"' "$tmp/l.log"
  check "without a warning" eq "$(grep -c warning "$tmp/l.log")" 0
  stop_serve
else
  echo "  skipped: --no-auth on localhost (the name does not resolve on this system)"
fi
finish
