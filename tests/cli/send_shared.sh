#!/usr/bin/env bash
# send and alerts with --shared, against a real redis-server this test starts on a loopback
# port: the options' rules (--fleet-size, --shared-file/-env, a password kept out of every
# line, rediss:// refused, --state FILE excluded), the open-alert state kept in Redis across
# runs (two runs stand for two hosts), alerts --shared listing and forgetting, and Redis
# unreachable: every event delivered, the outage said once, exit 8.
. "$(dirname "$0")/../lib.bash"
start_sink
S=$SRC/samples/volcengine
rport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp" --requirepass 'pa ss' \
  --logfile "$tmp/redis.log" &
redis_pid=$!
trap 'kill "$redis_pid" 2>/dev/null; wait "$redis_pid" 2>/dev/null; cleanup' EXIT
for _ in $(seq 100); do
  [ "$(redis-cli -p "$rport" -a 'pa ss' --no-auth-warning PING 2>/dev/null)" = PONG ] && break
  sleep 0.05
done
URL="redis://:pa%20ss@127.0.0.1:$rport/3"
export FLEET_REDIS=$URL
cat >"$tmp/routes.yaml" <<EOF
channels:
  hot:  {url: "http://127.0.0.1:$port/s/200", headers: {X-Channel: hot}}
  cold: {url: "http://127.0.0.1:$port/s/200", headers: {X-Channel: cold}}
cases:
  - {if: [{key: labels.current_value, oper: IN, vals: ["num:ge:90"]}], channels: [hot]}
default: {channels: [cold]}
EOF
channels_of() {  # channels_of KEY STATUS: where the sink saw that alert's events of that status, sorted.
  jq -r --arg k "$1" --arg s "$2" 'select(.alert_key == $k and .event_status == $s) | .headers["x-channel"]' \
    "$tmp/sink.log" | sort | tr '\n' ' '
}
key=$("$BIN" "$S/metric-firing.json" | jq -r .alert_key)
shared() {  # shared [OPTIONS...] INPUT...: send --routes with the fleet's Redis from the environment.
  "$BIN" send --routes "$tmp/routes.yaml" --shared-env FLEET_REDIS --fleet-size 2 --dead-letter "$tmp/dead" \
    --max-attempts 1 "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
}

# The options' rules.
expect_exit 2 "$BIN" send --routes "$tmp/routes.yaml" --shared "$URL" "$S/metric-firing.json"
check "--shared needs --fleet-size" file_has "$tmp/err" "--shared needs --fleet-size N"
check "... and never says the password" file_lacks "$tmp/err" "pa%20ss"
expect_exit 2 "$BIN" send --routes "$tmp/routes.yaml" --fleet-size 2 "$S/metric-firing.json"
check "--fleet-size needs --shared" file_has "$tmp/err" "--fleet-size goes with --shared"
expect_exit 2 "$BIN" send --routes "$tmp/routes.yaml" --shared "rediss://:pa%20ss@127.0.0.1:$rport" --fleet-size 2 \
  "$S/metric-firing.json"
check "rediss:// refused with the way to TLS" file_has "$tmp/err" "local tunnel"
check "... the password unsaid" file_lacks "$tmp/err" "pa%20ss"
expect_exit 2 "$BIN" send --routes "$tmp/routes.yaml" --shared "redis://:wrong@127.0.0.1:$rport" --fleet-size 2 \
  "$S/metric-firing.json"
check "a refused password is a usage error" file_has "$tmp/err" "AUTH refused"
check "... naming Redis without the password" file_has "$tmp/err" "redis://127.0.0.1:$rport/0"
check "... which it never says" file_lacks "$tmp/err" "wrong"
expect_exit 2 "$BIN" send --routes "$tmp/routes.yaml" --shared-env FLEET_REDIS --fleet-size 2 --state "$tmp/s.db" \
  "$S/metric-firing.json"
check "--state FILE and --shared exclude each other" file_has "$tmp/err" "exclude each other"
printf '%s\n' "$URL" >"$tmp/shared.url"
"$BIN" send --routes "$tmp/routes.yaml" --shared-file "$tmp/shared.url" --fleet-size 2 --dry-run \
  "$S/metric-firing.json" >/dev/null 2>"$tmp/err"
check "--shared-file: read, no warning" eq "$(cat "$tmp/err" | grep -c 'warning: --shared')" 0
"$BIN" send --routes "$tmp/routes.yaml" --shared "$URL" --fleet-size 2 --dry-run "$S/metric-firing.json" \
  >/dev/null 2>"$tmp/err"
check "--shared with a password: warned about ps" file_has "$tmp/err" "warning: --shared holds a password"

# Two runs stand for two hosts: the firing (96.35: hot) in one, its recovery (41.8: cold by
# its route) in the other; the state in Redis sends the recovery to hot too.
shared "$S/metric-firing.json"
check "firing run: exit 0" eq "$rc" 0
check "firing at hot" eq "$(channels_of "$key" Critical)" "hot "
"$BIN" alerts --shared-env FLEET_REDIS --format ndjson >"$tmp/open" 2>"$tmp/err"
check "alerts --shared: exit 0" eq "$?" 0
check "alerts --shared: the open alert at hot" eq "$(jq -c '[.alert_key, .channels]' "$tmp/open")" "[\"$key\",[\"hot\"]]"
check "kept in the URL's database" eq "$(redis-cli -p "$rport" -a 'pa ss' --no-auth-warning -n 3 EXISTS "cmrelay:alert:$key")" 1
check "expiring with --state-max-age" gt "$(redis-cli -p "$rport" -a 'pa ss' --no-auth-warning -n 3 TTL "cmrelay:alert:$key")" 2000000
"$BIN" alerts --shared-env FLEET_REDIS --format table >"$tmp/table"
check "alerts --shared: the table names Redis, not the password" file_has "$tmp/table" \
  "1 open alerts in redis://127.0.0.1:$rport/3"
shared "$S/metric-recovered.json"
check "recovery run: exit 0" eq "$rc" 0
check "the recovery reaches hot (its alert's) and cold (its route's)" eq "$(channels_of "$key" Ok)" "cold hot "
check "closed: nothing open" eq "$("$BIN" alerts --shared-env FLEET_REDIS --format ndjson | wc -l)" 0

# alerts --forget across the fleet.
shared "$S/metric-firing.json"
expect_exit 0 "$BIN" alerts --shared-env FLEET_REDIS --forget "$key"
expect_exit 1 "$BIN" alerts --shared-env FLEET_REDIS --forget "$key"
check "--forget: not open the second time" file_has "$tmp/err" "is not open"
shared "$S/metric-firing.json"
expect_exit 0 "$BIN" alerts --shared-env FLEET_REDIS --forget-all
check "--forget-all counts" file_has "$tmp/err" "forgot 1 open alerts"
expect_exit 2 "$BIN" alerts --shared-env FLEET_REDIS --state "$tmp/s.db"

# Redis unreachable: nothing refused, everything delivered by its route, said once, exit 8.
kill "$redis_pid"
wait "$redis_pid" 2>/dev/null
: >"$tmp/sink.log"
shared "$S/metric-firing.json" "$S/metric-recovered.json"
check "redis away: exit 8" eq "$rc" 8
check "redis away: the firing delivered" eq "$(channels_of "$key" Critical)" "hot "
check "redis away: the recovery by its route alone" eq "$(channels_of "$key" Ok)" "cold "
check "redis away: said once" eq "$(grep -c 'is unreachable' "$tmp/err")" 1
check "redis away: what is done meanwhile" file_has "$tmp/err" "budgets at 1/2 of each, recoveries by their routes"
check "redis away: the events counted, not replayed" file_has "$tmp/err" "without the shared state while Redis was away"
check "redis away: the password nowhere" file_lacks "$tmp/err" "pa%20ss"
check "redis away: nothing dead-lettered" eq "$(wc -c <"$tmp/dead")" 0
expect_exit 8 "$BIN" alerts --shared-env FLEET_REDIS
check "alerts with redis away: exit 8, why" file_has "$tmp/err" "unreachable"
finish
