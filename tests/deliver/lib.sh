# Shared by tests/cli/send_*.sh: a loopback sink (tests/deliver/sink.py) and checks.
# Source it after setting BIN and SRC. Everything lives in $tmp, removed on exit.
tmp=$(mktemp -d)
# send keeps its open-alert state under XDG_STATE_HOME: this run's own, never the user's.
export XDG_STATE_HOME="$tmp/state-home"
sink_pid=
fail=0
SECRET=s3cr3t-INTEGRATION-key-42
cleanup() {
  if [ -n "$sink_pid" ]; then kill "$sink_pid" 2>/dev/null; wait "$sink_pid" 2>/dev/null; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

start_sink() {  # [--tls]
  python3 "$SRC/tests/deliver/sink.py" --port-file "$tmp/port" --log "$tmp/sink.log" --max-seconds 120 "$@" 2>/dev/null &
  sink_pid=$!
  for _ in $(seq 100); do
    [ -s "$tmp/port" ] && break
    sleep 0.05
  done
  port=$(cat "$tmp/port") || { echo "FAIL: the sink did not start"; exit 1; }
  dead_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
}

check() {  # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then :; else
    echo "FAIL: $what"
    fail=$((fail + 1))
  fi
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

stat() { jq -r ".$1" "$tmp/stats"; }
# Requests the sink saw for alert keys starting with PREFIX.
requests() { jq -s --arg p "$1" '[.[] | select(.alert_key | startswith($p))] | length' "$tmp/sink.log"; }
eq() { [ "$1" = "$2" ] || { echo "  expected '$2', got '$1'"; return 1; }; }

# conserved NAME N: delivered + dead-lettered == N events, one dead-letter line per
# dead-lettered event, and the secret nowhere in stderr, stdout or the dead-letter file.
conserved() {
  local d x
  d=$(stat delivered)
  x=$(stat dead_lettered)
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
