#!/usr/bin/env bash
# Issue 9, items 8, 9, 10 and 13 (send): no secret of a channel (URL by the redaction rule,
# what it declares, its header values) reaches stderr, a summary, --dry-run, routes check
# or a dead-letter record, also when the server echoes it; the URL can come from a file or
# the environment; a server's message cannot write lines.
. "$(dirname "$0")/../lib.bash"
start_sink

# Every secret of the channel below; none may appear in any output.
export TOK=tok-B3arer-9f8e7d APIKEY=apikey-77aa66bb PW=pw-hunter2x SG=sg-0a1b2c3d AS=as-9z8y7x CR=AKIA-cr-5566 \
  AU=au-4411ee HOOK=hk-T000secret USERTOK=glpat-usertok-1234 CODE=code-c0de99
secrets=(TOK APIKEY PW SG AS CR AU HOOK USERTOK CODE)
no_secret() {  # no_secret NAME FILE...: none of the secrets in the files.
  local what=$1 v
  shift
  for v in "${secrets[@]}"; do
    check "$what: no \$$v" eq "$(cat "$@" | grep -c -- "${!v}")" 0
  done
}
cat >"$tmp/routes.yaml" <<YAML
channels:
  echo:
    url: "http://\${USERTOK}@127.0.0.1:$port/s/401h?password=\${PW}&sig=\${SG}&X-Amz-Signature=\${AS}&credential=\${CR}&auth=\${AU}&team=ops"
    headers: {Authorization: "Bearer \${TOK}", X-Api-Key: "\${APIKEY}", X-Team: ops}
  hook:
    url: "http://127.0.0.1:$port/s/401u/hooks/T000/\${HOOK}?code=\${CODE}"
    redact: {query: [code]}
  whole:
    url: "http://127.0.0.1:$port/s/401u/team/\${HOOK}"
    redact: {path: true}
default: {channels: [echo, hook, whole]}
YAML

# routes check: every URL redacted.
"$BIN" routes check "$tmp/routes.yaml" >"$tmp/check" 2>&1
check "routes check: ok" eq "$?" 0
check "routes check: the rule's query names" grep -qF "echo -> http://***@127.0.0.1:$port/s/401h?password=***&sig=***&X-Amz-Signature=***&credential=***&auth=***&team=ops" "$tmp/check"
check "routes check: a path token after hooks, a declared query" grep -qF "hook -> http://127.0.0.1:$port/s/401u/hooks/***/***?code=***" "$tmp/check"
check "routes check: a declared path" grep -qF "whole -> http://127.0.0.1:$port/***/***/***/***" "$tmp/check"
no_secret "routes check" "$tmp/check"

# --dry-run: the same URLs, nothing sent.
events dry 1 | "$BIN" send --dry-run --routes "$tmp/routes.yaml" >"$tmp/dry" 2>&1
check "dry run: three requests" eq "$(grep -c '^{' "$tmp/dry")" 3
no_secret "dry run" "$tmp/dry"

# Delivery: the server echoes the headers (401h) and the target, path and query (401u).
events echo 2 | "$BIN" send --routes "$tmp/routes.yaml" --dead-letter "$tmp/dead" --stats json >"$tmp/stats" 2>"$tmp/err"
check "echo: exit 3" eq "$?" 3
check "echo: the sink got the headers" eq "$(jq -r 'select(.path == "/s/401h") | .headers.authorization' "$tmp/sink.log" | sort -u)" "Bearer $TOK"
check "echo: all dead-lettered" eq "$(stats dead_lettered)" 6
check "echo: the header echo masked" eq "$(jq -r 'select(.channel == "echo") | .error_message' "$tmp/dead" | sort -u)" \
  "authorization *** x-api-key ***"
check "echo: the target echo masked" eq "$(jq -r 'select(.channel == "hook") | .error_message' "$tmp/dead" | sort -u)" \
  "no hook at /s/401u/hooks/***/***?code=***"
check "echo: a declared path masked in the echo" eq "$(jq -r 'select(.channel == "whole") | .error_message' "$tmp/dead" | sort -u)" \
  "no hook at /***/***/***/***"
no_secret "echo: dead-letter, stderr, summary" "$tmp/dead" "$tmp/err" "$tmp/stats"
events echot 1 | "$BIN" send --routes "$tmp/routes.yaml" >"$tmp/out" 2>"$tmp/err"
check "echo text: exit 3" eq "$?" 3
check "echo text: records on stderr" eq "$(grep -c '^{' "$tmp/err")" 3
no_secret "echo text: stderr records and summary" "$tmp/err" "$tmp/out"

# --url-file and --url-env: the URL never on the command line.
printf '  http://127.0.0.1:%s/s/200?integration_key=%s  \n' "$port" "$SECRET" >"$tmp/url"
events file 2 | "$BIN" send --url-file "$tmp/url" --stats json >"$tmp/stats" 2>"$tmp/err"
check "--url-file: exit 0" eq "$?" 0
check "--url-file: delivered" eq "$(stats delivered)" 2
check "--url-file: redacted in the summary" eq "$(stats 'channels[0].url')" "http://127.0.0.1:$port/s/200?integration_key=***"
check "--url-file: no warning" eq "$(cat "$tmp/err")" ""
export CMRELAY_TEST_URL="http://127.0.0.1:$port/s/200?integration_key=$SECRET"
events env 1 | "$BIN" send --url-env CMRELAY_TEST_URL --stats json >"$tmp/stats" 2>"$tmp/err"
check "--url-env: exit 0" eq "$?" 0
check "--url-env: delivered" eq "$(stats delivered)" 1
check "--url-env: no warning" eq "$(cat "$tmp/err")" ""
# The URL is in no process's arguments while send runs.
mkfifo "$tmp/fifo"
"$BIN" send --url-file "$tmp/url" "$tmp/fifo" >/dev/null 2>&1 &
pid=$!
exec 7>"$tmp/fifo"
check "--url-file: not in ps" eq "$(tr '\0' ' ' <"/proc/$pid/cmdline" | grep -c -- "$SECRET")" 0
exec 7>&-
wait "$pid"
events arg 1 | "$BIN" send --url "$CMRELAY_TEST_URL" --stats json >/dev/null 2>"$tmp/err"
check "--url with a secret: still sent" eq "$?" 0
check "--url with a secret: warned" grep -q "warning: --url holds a secret that any user can read with ps" "$tmp/err"
no_secret "--url warning" "$tmp/err"
printf '' >"$tmp/empty"
printf 'http://a/\nhttp://b/\n' >"$tmp/two"
for bad in "--url-file $tmp/empty:is empty" "--url-file $tmp/two:holds more than one line" \
  "--url-file $tmp/none:cannot read" "--url-env CMRELAY_TEST_UNSET:the variable is not set"; do
  events bad 1 | "$BIN" send ${bad%%:*} >/dev/null 2>"$tmp/err"
  check "${bad%%:*}: exit 2" eq "$?" 2
  check "${bad%%:*}: says ${bad#*:}" grep -q "${bad#*:}" "$tmp/err"
done
"$BIN" send --url-file "$tmp/url" --url-env CMRELAY_TEST_URL </dev/null >/dev/null 2>&1
check "--url-file and --url-env exclude each other" eq "$?" 2
"$BIN" send --url-env CMRELAY_TEST_URL --routes "$tmp/routes.yaml" </dev/null >/dev/null 2>&1
check "--url-env and --routes exclude each other" eq "$?" 2

# A server's message with ESC, BEL and CR LF: escaped on the dead-letter line, kept in the record.
events ctl 1 | "$BIN" send --url-file <(echo "http://127.0.0.1:$port/s/400x") --dead-letter "$tmp/dead2" >/dev/null 2>"$tmp/err"
check "400x: exit 3" eq "$?" 3
check "400x: no ESC, BEL or CR on stderr" eq "$(grep -c $'[\x1b\x07\r]' "$tmp/err")" 0
check "400x: no forged line" eq "$(grep -c '^cmrelay: send: all delivered' "$tmp/err")" 0
check "400x: the message escaped" grep -qF 'bad\x07\r\ncmrelay: send: all delivered' "$tmp/err"
check "400x: the record keeps it exactly" eq "$(jq -r .error_message "$tmp/dead2")" $'bad\x07\r\ncmrelay: send: all delivered'

finish
