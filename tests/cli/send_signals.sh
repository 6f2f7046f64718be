#!/usr/bin/env bash
# cmrelay send and SIGINT/SIGTERM: the first signal stops reading, lets what is in flight
# finish and dead-letters the rest; a second one exits at once, dead-lettering everything.
# Nothing is ever lost: delivered + dead-lettered == events read.
. "$(dirname "$0")/../lib.bash"
start_sink

# wait_requests PREFIX N: until the sink has seen N requests for PREFIX (at most 10 s).
wait_requests() {
  for _ in $(seq 200); do
    [ "$(requests "$1")" -ge "$2" ] && return 0
    sleep 0.05
  done
  echo "  the sink never saw $2 requests for $1"
  return 1
}

# start_send PATH PREFIX N [OPTIONS...]: cmrelay send in the background over N events.
start_send() {
  local path=$1 prefix=$2 n=$3
  shift 3
  events "$prefix" "$n" >"$tmp/in-$prefix"
  rm -f "$tmp/dead"
  "$BIN" send --url "http://127.0.0.1:$port$path?integration_key=$SECRET" --dead-letter "$tmp/dead" \
    --stats json "$@" "$tmp/in-$prefix" >"$tmp/stats" 2>"$tmp/err" &
  send_pid=$!
}

# interrupt [GAP]: SIGTERM to the background send (a second one GAP seconds later), then
# waits for it; sets rc and elapsed (seconds from the first signal to the exit).
interrupt() {
  local t0
  t0=$(date +%s.%N)
  kill -TERM "$send_pid"
  if [ -n "${1:-}" ]; then
    sleep "$1"
    kill -TERM "$send_pid" 2>/dev/null  # It may be gone already.
  fi
  wait "$send_pid"
  rc=$?
  elapsed=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
  touch "$tmp/dead"
}

# One signal: 4 requests hang in flight, 16 wait; the 16 are dead-lettered at once, the 4
# when their attempt times out (not retried), then the summary.
start_send /s/hang20 one 20 --concurrency 4 --timeout 1.5
check "one signal: 4 requests in flight" wait_requests one- 4
interrupt
check "one signal: exit 143 (128 + SIGTERM)" eq "$rc" 143
conserved "one signal" 20
check "one signal: all dead-lettered" eq "$(stats dead_lettered)" 20
check "one signal: in-flight attempts finished first (took $elapsed s)" awk -v e="$elapsed" 'BEGIN { exit !(e > 0.5 && e < 4) }'
check "one signal: no new attempt" eq "$(requests one-)" 4
check "one signal: interrupted in the summary" eq "$(stats interrupted)" true
check "one signal: records say interrupted" eq "$(grep -c interrupted "$tmp/dead")" 20
check "one signal: no line per queued event on stderr" eq "$(grep -c 'dead-lettered after' "$tmp/err")" 0

# Two signals: the attempts in flight are abandoned at once.
start_send /s/hang20 two 20 --concurrency 4 --timeout 15
check "two signals: 4 requests in flight" wait_requests two- 4
interrupt 0.2
check "two signals: exit 143" eq "$rc" 143
conserved "two signals" 20
check "two signals: all dead-lettered" eq "$(stats dead_lettered)" 20
check "two signals: exits at once (took $elapsed s)" awk -v e="$elapsed" 'BEGIN { exit !(e < 2) }'
check "two signals: in-flight ones say so" eq "$(grep -c "interrupted during an attempt" "$tmp/dead")" 4

# A signal while standard input stays open: reading stops, what was read is delivered.
mkfifo "$tmp/fifo"
rm -f "$tmp/dead"
"$BIN" send --url "http://127.0.0.1:$port/s/200?integration_key=$SECRET" --dead-letter "$tmp/dead" --stats json \
  <"$tmp/fifo" >"$tmp/stats" 2>"$tmp/err" &
send_pid=$!
exec 7>"$tmp/fifo"
events open 3 >&7
check "open stdin: 3 delivered while input stays open" wait_requests open- 3
kill -INT "$send_pid"
for _ in $(seq 100); do kill -0 "$send_pid" 2>/dev/null || break; sleep 0.05; done
check "open stdin: exits without waiting for end of input" eq "$(kill -0 "$send_pid" 2>/dev/null && echo running || echo gone)" gone
exec 7>&-
wait "$send_pid"
rc=$?
touch "$tmp/dead"
check "open stdin: exit 130 (128 + SIGINT)" eq "$rc" 130
conserved "open stdin" 3
check "open stdin: all delivered" eq "$(stats delivered)" 3

# A FIFO named as a PATH stays open: the signal interrupts that read, which then ends the
# stream (a second signal, if it comes, finds the run gone or exits at once).
mkfifo "$tmp/fifo2"
"$BIN" send --url "http://127.0.0.1:$port/s/200?integration_key=$SECRET" --stats json "$tmp/fifo2" \
  >"$tmp/stats" 2>"$tmp/err" &
send_pid=$!
exec 8>"$tmp/fifo2"
events fifo 2 >&8
check "fifo: 2 delivered while the FIFO stays open" wait_requests fifo- 2
rm -f "$tmp/dead"
interrupt 0.3
exec 8>&-
check "fifo: exit 143" eq "$rc" 143
check "fifo: exits at the second signal (took $elapsed s)" awk -v e="$elapsed" 'BEGIN { exit !(e < 2) }'
check "fifo: summary printed" eq "$(stats delivered)" 2

# One signal is enough for a FIFO too: the interrupted read ends the stream.
mkfifo "$tmp/fifo3"
"$BIN" send --url "http://127.0.0.1:$port/s/200?integration_key=$SECRET" --stats json "$tmp/fifo3" \
  >"$tmp/stats" 2>"$tmp/err" &
send_pid=$!
{ events fifo1 2; sleep 4; } >"$tmp/fifo3" &  # The writer keeps the FIFO open for 4 s.
writer_pid=$!
check "fifo, one signal: 2 delivered while the FIFO stays open" wait_requests fifo1- 2
interrupt
wait "$writer_pid"
check "fifo, one signal: exit 143" eq "$rc" 143
check "fifo, one signal: exits without waiting for the writer (took $elapsed s)" awk -v e="$elapsed" 'BEGIN { exit !(e < 2) }'
check "fifo, one signal: both delivered" eq "$(stats delivered)" 2

finish
