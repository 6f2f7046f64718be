# The one library of the shell tests (tests/cli/*.sh, tests/golden/run.sh), each run as
# `bash SCRIPT BIN SRC_DIR`: source it first. It sets
#   BIN, SRC   the binary and the source tree, absolute;
#   tmp        a fresh directory, removed on exit (with the loopback sink, if one started);
#   XDG_STATE_HOME inside $tmp: send's open-alert state is this run's own, never the user's.
# Checks count; the script's last command is `finish`, which prints "NAME: P passed, F
# failed" and fails when any check did:
#   check DESCRIPTION COMMAND...   passes when COMMAND succeeds, else prints FAIL: DESCRIPTION
#   expect_exit CODE COMMAND...    COMMAND's stdout in $tmp/out, stderr in $tmp/err, exit CODE
#   pass / fail MESSAGE            one outcome decided by the script itself
# Predicates for check (each says what it saw when false): eq ACTUAL EXPECTED, holds TEXT
# PART, omits TEXT PART, file_has FILE PART, file_lacks FILE PART, le A B, gt A B.
# With a loopback sink (tests/net/deliver/sink.py): start_sink, events, send, stats, requests,
# conserved, waits_respected. With cmrelay serve: start_serve, stop_serve, post, metric,
# spool_files, spool_empty, wait_until. KEEP=DIR keeps a copy of $tmp.
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)
tmp=$(mktemp -d)
export XDG_STATE_HOME="$tmp/state-home"
sink_pid=
serve_pid=
passed=0
failed=0
SECRET=s3cr3t-INTEGRATION-key-42
cleanup() {
  stop_serve
  if [ -n "$sink_pid" ]; then kill "$sink_pid" 2>/dev/null; wait "$sink_pid" 2>/dev/null; fi
  [ -n "${KEEP:-}" ] && cp -r "$tmp" "$KEEP"
  rm -rf "$tmp"
}
trap cleanup EXIT

pass() { passed=$((passed + 1)); }
# have_pty: true when a pseudo-terminal can be opened here (a chroot without /dev/pts cannot);
# checks that need one are then skipped, each with a SKIP line saying so.
have_pty() { python3 -c 'import pty; pty.openpty()' 2>/dev/null; }
skip() { echo "SKIP: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

check() {  # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then pass; else fail "$what"; fi
}

expect_exit() {  # expect_exit CODE COMMAND...
  local want=$1
  shift
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then pass; else
    fail "exit $got, want $want: $*"
    sed 's/^/  | /' "$tmp/out" "$tmp/err" | head -20
  fi
}

finish() {  # finish [NAME]: NAME defaults to the script's own.
  echo "${1:-$(basename "$0" .sh)}: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

eq() { [ "$1" = "$2" ] || { echo "  expected [$2], got [$1]"; return 1; }; }
holds() { [[ "$1" == *"$2"* ]] || { echo "  [$2] not found in [$1]"; return 1; }; }
omits() { [[ "$1" != *"$2"* ]] || { echo "  [$2] unexpectedly found"; return 1; }; }
file_has() { grep -qF -- "$2" "$1" || { echo "  $1 lacks [$2]"; return 1; }; }
file_lacks() { ! grep -qF -- "$2" "$1" || { echo "  $1 holds [$2]"; return 1; }; }
le() { [ "$1" -le "$2" ] || { echo "  expected at most $2, got $1"; return 1; }; }
gt() { [ "$1" -gt "$2" ] || { echo "  expected more than $2, got $1"; return 1; }; }

start_sink() {  # [--tls]
  python3 "$SRC/tests/net/deliver/sink.py" --port-file "$tmp/port" --log "$tmp/sink.log" --max-seconds 120 "$@" 2>/dev/null &
  sink_pid=$!
  for _ in $(seq 100); do
    [ -s "$tmp/port" ] && break
    sleep 0.05
  done
  port=$(cat "$tmp/port") || { echo "FAIL: the sink did not start"; exit 1; }
  dead_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
}

# events PREFIX N [STATUS]: N Flashduty standard events with alert keys PREFIX-1..N.
events() {
  local i
  for i in $(seq "$2"); do
    printf '{"event_status":"%s","title_rule":"%s %d","alert_key":"%s-%d","labels":{"n":"%d"}}\n' \
      "${3:-Critical}" "$1" "$i" "$1" "$i" "$i"
  done
}

# send PATH [OPTIONS...] < input: runs cmrelay send at the sink; sets rc, and fills
# $tmp/stats (JSON), $tmp/err, $tmp/dead (the dead-letter file).
send() {
  local path=$1
  shift
  rm -f "$tmp/dead"
  # The URL with its key from the environment, as the docs advise (out of ps, no warning).
  SINK_URL="http://127.0.0.1:$port$path?integration_key=$SECRET&team=ops" "$BIN" send --url-env SINK_URL \
    --dead-letter "$tmp/dead" --stats json --backoff-base 0.05 "$@" >"$tmp/stats" 2>"$tmp/err"
  rc=$?
  touch "$tmp/dead"
}

stats() { jq -r ".$1" "$tmp/stats"; }  # stats FIELD: one field of $tmp/stats.
# Requests the sink saw for alert keys starting with PREFIX.
requests() { jq -s --arg p "$1" '[.[] | select(.alert_key | startswith($p))] | length' "$tmp/sink.log"; }

# conserved NAME N: delivered + dead-lettered == N events, one dead-letter line per
# dead-lettered event, and the secret nowhere in stderr, stdout or the dead-letter file.
conserved() {
  local d x
  d=$(stats delivered)
  x=$(stats dead_lettered)
  check "$1: delivered $d + dead-lettered $x == $2" eq "$((d + x))" "$2"
  check "$1: one dead-letter record per dead-lettered event" eq "$(wc -l <"$tmp/dead")" "$x"
  check "$1: no secret in stderr, stdout or the dead-letter file" eq "$(cat "$tmp/err" "$tmp/stats" "$tmp/dead" | grep -c "$SECRET")" 0
}

# waits_respected PREFIX: every request after one that sent Retry-After came no sooner.
waits_respected() {
  jq -s --arg p "$1" '[.[] | select(.alert_key | startswith($p))] | group_by(.alert_key)
    | map(. as $r | range(1; length) | select($r[. - 1].retry_at != null and $r[.].t < $r[. - 1].retry_at))
    | flatten | length' "$tmp/sink.log"
}

# start_serve LOG ARGS...: cmrelay serve on a free port, stderr in $tmp/LOG; sets serve_pid
# and sport. SERVE_PREFIX (words) runs before it (setpriv, env...).
start_serve() {
  local log=$1
  shift
  ${SERVE_PREFIX:-} "$BIN" serve --listen 127.0.0.1:0 --backoff-base 0.05 "$@" 2>"$tmp/$log" &
  serve_pid=$!
  await_port "$tmp/$log"
}
# await_port LOG: waits for serve's start line in LOG; sets sport, or fails the script.
await_port() {
  sport=
  for _ in $(seq 100); do
    sport=$(grep -oE '[ "]port"?[=:]"?[0-9]+' "$1" 2>/dev/null | head -1 | grep -oE '[0-9]+$')
    [ -n "$sport" ] && return 0
    kill -0 "$serve_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "FAIL: serve did not start: $(cat "$1")"
  exit 1
}
# stop_serve: SIGTERM, then waits; sets serve_rc.
stop_serve() {
  if [ -n "$serve_pid" ]; then kill -TERM "$serve_pid" 2>/dev/null; wait "$serve_pid"; serve_rc=$?; serve_pid=; fi
}
# post PATH FILE [CURL ARGS...]: prints the HTTP status. Content-Type: $CT, else JSON.
post() {
  local path=$1 file=$2
  shift 2
  curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Content-Type: ${CT:-application/json}" \
    --data-binary "@$file" "$@" "http://127.0.0.1:$sport$path"
}
metric() { curl -s --max-time 5 "http://127.0.0.1:$sport/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
# spool_files DIR: the requests waiting in a spool (the names its writer makes).
spool_files() { find "$1" -maxdepth 1 -type f -regextype egrep -regex '.*/[0-9]{20}-[0-9]{8}\.http' | wc -l; }
spool_empty() { [ "$(spool_files "$1")" -eq 0 ]; }
# wait_until SECONDS COMMAND...: polls COMMAND every 0.1 s.
wait_until() {
  local n=$(($1 * 10))
  shift
  for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done
  return 1
}
