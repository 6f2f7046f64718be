#!/usr/bin/env bash
# Benchmark: what --shared costs per event, end to end. `cmrelay send --routes` over a
# bench/gen.py corpus (SIZE, default 20M) to a loopback sink, three ways, RUNS times each
# (default 3, the best kept): --state none; a fresh state file; --shared with a fresh Redis
# (started here on a loopback port, no persistence) and --fleet-size 1. The route file's two
# channels are paced at a window too large to wait (rate: [100000/s]), so that with --shared
# every request also takes its slot through the fleet's script. Prints send's CPU (user +
# system) and wall time per event, and with --shared the Redis server's own CPU per event;
# then the per-operation figures of build/cmrelay_shared_bench (built with -DCMRELAY_BENCH=ON).
#   bench/shared.sh [BIN]        BIN defaults to build/cmrelay
#   SIZE=20M RUNS=3 OPS=100000 bench/shared.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/cmrelay}
size=${SIZE:-20M}
runs=${RUNS:-3}
ops=${OPS:-100000}
tmp=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

python3 bench/gen.py "$size" "$tmp/corpus" >/dev/null
python3 tests/net/deliver/sink.py --port-file "$tmp/port" --max-seconds 3600 --max-requests 100000000 2>/dev/null &
pids+=($!)
rport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp" --logfile "$tmp/redis.log" &
pids+=($!)
for _ in $(seq 100); do [ -s "$tmp/port" ] && [ "$(redis-cli -p "$rport" PING 2>/dev/null)" = PONG ] && break; sleep 0.05; done
sink="http://127.0.0.1:$(cat "$tmp/port")"
cat >"$tmp/routes.yaml" <<EOF
channels:
  critical: {url: "$sink/bench/a?integration_key=bench-a", rate: [100000/s]}
  other:    {url: "$sink/bench/b?integration_key=bench-b", rate: [100000/s]}
cases:
  - {if: [{key: severity, oper: IN, vals: [Critical]}], channels: [critical]}
default: {channels: [other]}
EOF

redis_cpu() {  # The Redis server's CPU seconds so far.
  redis-cli -p "$rport" INFO cpu | tr -d '\r' | awk -F: '/^used_cpu_(sys|user):/ { s += $2 } END { printf "%.3f", s }'
}

# run MODE: one send; prints "CPU WALL REDIS_CPU EVENTS".
run() {
  local mode=$1 extra=()
  case $mode in
    none) extra=(--state none) ;;
    file) rm -f "$tmp/state.db"*; extra=(--state "$tmp/state.db") ;;
    shared) redis-cli -p "$rport" FLUSHALL >/dev/null; extra=(--shared "redis://127.0.0.1:$rport" --fleet-size 1) ;;
  esac
  local r0 t0 t1
  r0=$(redis_cpu)
  t0=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$tmp/time" "$bin" send --routes "$tmp/routes.yaml" --stats json --dead-letter "$tmp/dead" \
    "${extra[@]}" "$tmp/corpus" >"$tmp/stats" 2>"$tmp/err"
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" -v r0="$r0" -v r1="$(redis_cpu)" -v ev="$(jq -r .delivered "$tmp/stats")" \
    'END { printf "%.3f %.3f %.3f %d\n", $1 + $2, b - a, r1 - r0, ev }' "$tmp/time"  # Its last line: a first may say the exit status.
}

declare -A best
for mode in none file shared; do
  for _ in $(seq "$runs"); do
    line=$(run "$mode")
    cpu=${line%% *}
    if [ -z "${best[$mode]:-}" ] || awk -v a="$cpu" -v b="${best[$mode]%% *}" 'BEGIN { exit !(a < b) }'; then
      best[$mode]=$line
    fi
  done
done
read -r none_cpu none_wall _ events <<<"${best[none]}"
for mode in none file shared; do
  read -r cpu wall rcpu ev <<<"${best[$mode]}"
  awk -v m="$mode" -v c="$cpu" -v w="$wall" -v r="$rcpu" -v e="$ev" -v c0="$none_cpu" -v w0="$none_wall" 'BEGIN {
    printf "%-7s %d events: send CPU %.2f s (%+.1f us/event), wall %.2f s (%+.1f us/event)", m, e, c, (c - c0) / e * 1e6, w, (w - w0) / e * 1e6
    if (m == "shared") printf ", Redis CPU %.2f s (%.1f us/event)", r, r / e * 1e6
    printf "\n" }'
done

if [ -x build/cmrelay_shared_bench ]; then
  build/cmrelay_shared_bench "$ops" "redis://127.0.0.1:$rport" "$tmp/ops.db"
fi
