#!/usr/bin/env bash
# cmrelay serve's spool, against the real process: the places serve writes must be apart
# (--spool, --rejected, --dead-letter, --state: none the same as another or inside it); the
# spool reads only the names its writer makes; one process owns a spool (a second one is
# refused, naming the first); the gauges are what is on disk (a capture copied in or removed
# by hand never wraps them or blocks the door); /readyz comes back once the disk takes
# writes again.
. "$(dirname "$0")/../lib.bash"
start_sink
TOKEN=tok-$RANDOM-spool
printf '%s\n' "$TOKEN" >"$tmp/tokens"
URL="http://127.0.0.1:$port/s/200?integration_key=$SECRET"
HANG="http://127.0.0.1:$port/s/hang20?integration_key=$SECRET"
firing=$SRC/samples/volcengine/metric-firing.json
# apart_refused WHAT ARGS...: serve with ARGS exits 2 at once (a loop or a start would hit
# the timeout), naming both options and both paths of the pair ($1 $2 $3 $4).
apart_refused() {
  local what=$1 opt_a=$2 path_a=$3 opt_b=$4 path_b=$5
  shift 5
  CMRELAY_TOKEN=t timeout 5 "$BIN" serve --listen 127.0.0.1:0 "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  check "$what: exit 2" eq "$rc" 2
  check "$what: names $opt_a and $opt_b" grep -qF -- "$opt_a $path_a" "$tmp/err"
  check "$what: and the other path" grep -qF -- "$opt_b $path_b" "$tmp/err"
}

# 1. The dead-letter file inside the spool.
apart_refused "--dead-letter inside --spool" --dead-letter "$tmp/a/spool/dead.ndjson" --spool "$tmp/a/spool" \
  --spool "$tmp/a/spool" --url "$URL" --dead-letter "$tmp/a/spool/dead.ndjson"
check "nothing was created for it" eq "$(ls "$tmp/a" 2>/dev/null | wc -l)" 0
# 2. The state database inside the spool, given or by default (XDG_STATE_HOME there).
printf 'channels:\n  ops: {url: "%s"}\ndefault: {channels: [ops]}\n' "$URL" >"$tmp/routes.yaml"
apart_refused "--state inside --spool" --state "$tmp/b/spool/state.db" --spool "$tmp/b/spool" \
  --spool "$tmp/b/spool" --routes "$tmp/routes.yaml" --state "$tmp/b/spool/state.db"
XDG_STATE_HOME=$tmp/b/spool apart_refused "the default --state inside --spool" "--state (by default)" \
  "$tmp/b/spool/cmrelay/state.db" --spool "$tmp/b/spool" --spool "$tmp/b/spool" --routes "$tmp/routes.yaml"
mkdir -p "$tmp/b"
CMRELAY_TOKEN=t XDG_STATE_HOME=$tmp/b/spool timeout 1 "$BIN" serve --listen 127.0.0.1:0 --spool "$tmp/b/spool" \
  --routes "$tmp/routes.yaml" --state none 2>"$tmp/err"
check "--state none with the same spool starts (and runs until stopped)" eq "$?" 124
# 3. The rejected folder equal to the spool, inside it, or around it; a link is no way around.
apart_refused "--rejected equal to --spool" --rejected "$tmp/c/spool" --spool "$tmp/c/spool" \
  --spool "$tmp/c/spool" --rejected "$tmp/c/spool" --url "$URL"
apart_refused "--rejected inside --spool" --rejected "$tmp/c/spool/rej" --spool "$tmp/c/spool" \
  --spool "$tmp/c/spool" --rejected "$tmp/c/spool/rej" --url "$URL"
apart_refused "--spool inside --rejected" --spool "$tmp/c/rej/spool" --rejected "$tmp/c/rej" \
  --spool "$tmp/c/rej/spool" --rejected "$tmp/c/rej" --url "$URL"
mkdir -p "$tmp/c/real"
ln -s "$tmp/c/real" "$tmp/c/link"
apart_refused "--rejected a link to --spool" --rejected "$tmp/c/link/" --spool "$tmp/c/real" \
  --spool "$tmp/c/real" --rejected "$tmp/c/link/" --url "$URL"
apart_refused "--dead-letter equal to --state" --dead-letter "$tmp/c/x.db" --state "$tmp/c/x.db" \
  --spool "$tmp/c/s2" --routes "$tmp/routes.yaml" --state "$tmp/c/x.db" --dead-letter "$tmp/c/x.db"
check "no reason file was ever written" eq "$(find "$tmp/c" -name '*.reason' | wc -l)" 0

# The spool reads only its own names: a dead-letter file, a state database and a note left
# in it by hand stay where they are, untouched, and one line says so.
mkdir -p "$tmp/d/spool"
cp "$firing" "$tmp/d/spool/dead.ndjson"
printf 'SQLite format 3\0' >"$tmp/d/spool/state.db"
cp "$SRC/samples/alibaba/capture-event-get.http" "$tmp/d/spool/copy.http"
sums=$(cd "$tmp/d/spool" && md5sum dead.ndjson state.db copy.http)
start_serve d.log --spool "$tmp/d/spool" --token-file "$tmp/tokens" --url "$URL"
check "foreign files: serve starts" kill -0 "$serve_pid"
check "foreign files: one line says how many are left alone" grep -q 'spool ignored=3 first=' "$tmp/d.log"
check "a request is stored and delivered meanwhile" eq "$(post "/hook/$TOKEN" "$firing")" 200
check "delivered" wait_until 10 grep -q 'outcome=delivered' "$tmp/d.log"
sleep 1.2  # Past a rescan of the spool.
check "foreign files untouched" eq "$(cd "$tmp/d/spool" && md5sum dead.ndjson state.db copy.http)" "$sums"
check "none moved to rejected/" eq "$(ls "$tmp/d/rejected" | wc -l)" 0
check "the gauges count none of them" eq "$(metric cmrelay_serve_spool_files)" 0

# 4. One process per spool: a second serve is refused at once, naming the first's pid; the
# spool works on; once the first is gone (even by SIGKILL), another may take it.
CMRELAY_TOKEN=t timeout 5 "$BIN" serve --listen 127.0.0.1:0 --spool "$tmp/d/spool" --url "$URL" 2>"$tmp/err"
check "a second serve on one spool: exit 2" eq "$?" 2
check "it says the spool is in use, and by which process" grep -q "in use by another cmrelay serve (pid $serve_pid)" "$tmp/err"
check "the first still answers" eq "$(post "/hook/$TOKEN" "$firing" -H 'x-volc-trace-id: second')" 200
check "and delivers, once" wait_until 10 spool_empty "$tmp/d/spool"
kill -KILL "$serve_pid"
wait "$serve_pid" 2>/dev/null
serve_pid=
start_serve d2.log --spool "$tmp/d/spool" --token-file "$tmp/tokens" --url "$URL"
check "after SIGKILL of the owner, a new serve takes the spool" kill -0 "$serve_pid"
stop_serve
check "each request delivered once" eq "$(requests '')" 2

# 6. Gauges from the disk. A capture re-queued by hand as the man page says (copied under a
# hidden name, renamed to the spool's form) is delivered, and the gauges stay true: no wrap,
# no 503 with an empty spool.
mkdir -p "$tmp/e" "$tmp/f"
start_serve e.log --spool "$tmp/e/spool" --token-file "$tmp/tokens" --url "$URL" --spool-max-files 2
cp "$SRC/samples/alibaba/capture-threshold.http" "$tmp/e/spool/.requeue"
mv "$tmp/e/spool/.requeue" "$tmp/e/spool/$(printf '%020d' "$(date +%s%N)")-00000000.http"
check "a capture moved in by hand is delivered" wait_until 10 spool_empty "$tmp/e/spool"
check "spool_files is 0, not wrapped" eq "$(metric cmrelay_serve_spool_files)" 0
check "spool_bytes is 0, not wrapped" eq "$(metric cmrelay_serve_spool_bytes)" 0
check "the next webhook: 200, not 'spool full'" eq "$(post "/hook/$TOKEN" "$firing" -H 'x-volc-trace-id: e1')" 200
check "/readyz: ready" eq "$(curl -s "http://127.0.0.1:$sport/readyz")" ready
stop_serve
# A request removed by hand while its delivery hangs frees its place.
start_serve f.log --spool "$tmp/f/spool" --token-file "$tmp/tokens" --url "$HANG" --timeout 20 \
  --spool-max-files 1 --drain-timeout 0.2
check "first request: 200" eq "$(post "/hook/$TOKEN" "$firing" -H 'x-volc-trace-id: f1')" 200
check "the spool is full: 503" eq "$(post "/hook/$TOKEN" "$firing" -H 'x-volc-trace-id: f2')" 503
rm "$tmp"/f/spool/*.http
spool_freed() { [ "$(metric cmrelay_serve_spool_files)" = 0 ]; }
check "removed by hand: the gauge follows the disk" wait_until 5 spool_freed
check "and the next request is taken" eq "$(post "/hook/$TOKEN" "$firing" -H 'x-volc-trace-id: f3')" 200
stop_serve

# 7. /readyz after a refused store: 503 while the disk refuses, ready again once it takes
# writes (here a file size limit, lifted from outside), with no webhook needed.
mkdir -p "$tmp/g"
head -c 6000 /dev/zero | tr '\0' ' ' >"$tmp/g/big.json"
printf '{}' >>"$tmp/g/big.json"
(
  trap '' XFSZ
  ulimit -S -f 3  # 3 KiB: the start's small files fit, a 6 kB request does not.
  exec "$BIN" serve --listen 127.0.0.1:0 --spool "$tmp/g/spool" --token-file "$tmp/tokens" --url "$URL"
) 2> >(cat >"$tmp/g.log") &
serve_pid=$!
await_port "$tmp/g.log"
ready() { curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$sport/readyz"; }
check "ready before" eq "$(ready)" 200
check "a store the disk refuses: 503" eq "$(post "/hook/$TOKEN" "$tmp/g/big.json")" 503
check "logged" wait_until 5 grep -q 'spool error=.*cannot store a request' "$tmp/g.log"
check "/readyz: 503 while the disk refuses" eq "$(ready)" 503
sleep 1.1
check "/readyz: still 503 a second later (the probe is refused too)" eq "$(ready)" 503
prlimit --pid "$serve_pid" --fsize=unlimited:
ready_again() { [ "$(ready)" = 200 ]; }
check "/readyz: 200 again once the disk takes writes, without any webhook" wait_until 5 ready_again
check "and the request is taken now" eq "$(post "/hook/$TOKEN" "$tmp/g/big.json")" 200
check "no probe file left behind" eq "$(find "$tmp/g/spool" -name '.tmp-*' | wc -l)" 0
stop_serve

# A backlog past the relay's read-ahead (1,024 files), as a target outage leaves it: every
# file is delivered once, the rest taken as room frees up (listed again, not at every flush),
# and the delivered files' spares are removed at the stop.
mkdir -p "$tmp/h/spool"
python3 - "$tmp/h/spool" "$firing" <<'PY'
import sys
body = open(sys.argv[2]).read()
for i in range(2500):
    b = body.replace('"prod-ecs-cpu"', '"backlog-%d"' % i).encode()
    head = b"POST /hook/*** HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(b)
    open("%s/%020d-%08d.http" % (sys.argv[1], 1796600000000000000 + i, i), "wb").write(head + b)
PY
: >"$tmp/sink.log"
start_serve h.log --spool "$tmp/h/spool" --token-file "$tmp/tokens" --url "$URL" --dead-letter "$tmp/h/dead"
check "backlog: the spool empties" wait_until 60 spool_empty "$tmp/h/spool"
check "backlog: each of the 2,500 delivered once" eq \
  "$(grep -o 'backlog-[0-9]*' "$tmp/sink.log" | sort -u | wc -l)" 2500
check "backlog: no more requests than files" eq "$(grep -c 'backlog-' "$tmp/sink.log")" 2500
stop_serve
check "backlog: no spare left at the stop" eq "$(find "$tmp/h/spool" -name '.tmp-*' | wc -l)" 0

finish
