#!/usr/bin/env bash
# One URL rule and one size grammar (cmrelay(1), "URLs and sizes"): send, serve and convert
# (and routes check, detect, labels, routes test) accept and refuse the same URLs, given as
# --url or as a route file channel's url, and the same --max-body values, each refusal a
# usage error that says why in the same words.
source "$(dirname "$0")/../lib.bash"
FIRING=$SRC/samples/volcengine/metric-firing.json
n=0

# serve_verdict ARGS...: "accepts" when serve starts with ARGS (then stopped with SIGTERM), else
# "refuses N" with its exit status N and its stderr in $tmp/err.
serve_verdict() {
  n=$((n + 1))
  "$BIN" serve --listen 127.0.0.1:0 --no-auth --spool "$tmp/spool-$n" --state none "$@" 2>"$tmp/err" &
  local pid=$! rc
  for _ in $(seq 100); do
    grep -q 'serve: start ' "$tmp/err" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if grep -q 'serve: start ' "$tmp/err"; then
    kill -TERM "$pid"
    wait "$pid"
    echo accepts
  else
    wait "$pid"
    rc=$?
    echo "refuses $rc"
  fi
}

# verdict COMMAND...: "accepts" (exit 0) or "refuses N"; stderr in $tmp/err.
verdict() {
  "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  local rc=$?
  if [ "$rc" -eq 0 ]; then echo accepts; else echo "refuses $rc"; fi
}

# routes_with URL: a route file whose one channel has URL, as $tmp/routes.yaml.
routes_with() {
  printf 'channels:\n  ch: {url: "%s"}\ncases:\n  - if: [{key: severity, oper: IN, vals: [Critical, Warning, Info]}]\n    channels: [ch]\n' \
    "$1" >"$tmp/routes.yaml"
}

# --- URLs: accepted by every command ---
for url in 'http://127.0.0.1:9/x' 'https://h.example:443/p?integration_key=k' 'http://[::1]:9/' 'HTTP://H:1/' \
  'http://h:/x' 'http://a_b.c-d~e:65535/'; do
  check "send --url $url accepted" eq "$(verdict "$BIN" send --dry-run --state none --url "$url" "$FIRING")" accepts
  check "serve --url $url accepted" eq "$(serve_verdict --url "$url")" accepts
  routes_with "$url"
  check "convert --routes (url $url) accepted" eq "$(verdict "$BIN" convert --routes "$tmp/routes.yaml" "$FIRING")" accepts
  check "send --routes (url $url) accepted" eq \
    "$(verdict "$BIN" send --dry-run --state none --routes "$tmp/routes.yaml" "$FIRING")" accepts
  check "serve --routes (url $url) accepted" eq "$(serve_verdict --routes "$tmp/routes.yaml")" accepts
  check "routes check (url $url) clean" eq "$(verdict "$BIN" routes check "$tmp/routes.yaml")" accepts
done

# --- URLs: refused by every command, with the same reason ---
while IFS='|' read -r url why; do
  check "send --url $url refused" eq "$(verdict "$BIN" send --dry-run --state none --url "$url" "$FIRING")" "refuses 2"
  check "send --url $url: why" holds "$(cat "$tmp/err")" "$why"
  check "serve --url $url refused" eq "$(serve_verdict --url "$url")" "refuses 2"
  check "serve --url $url: why" holds "$(cat "$tmp/err")" "$why"
  routes_with "$url"
  check "convert --routes (url $url) refused" eq "$(verdict "$BIN" convert --routes "$tmp/routes.yaml" "$FIRING")" \
    "refuses 2"
  check "convert --routes (url $url): why" holds "$(cat "$tmp/err")" "url of channel 'ch': "
  check "convert --routes (url $url): the same why" holds "$(cat "$tmp/err")" "$why"
  check "send --routes (url $url) refused" eq \
    "$(verdict "$BIN" send --dry-run --state none --routes "$tmp/routes.yaml" "$FIRING")" "refuses 2"
  check "send --routes (url $url): why" holds "$(cat "$tmp/err")" "$why"
  check "serve --routes (url $url) refused" eq "$(serve_verdict --routes "$tmp/routes.yaml")" "refuses 2"
  check "serve --routes (url $url): why" holds "$(cat "$tmp/err")" "$why"
  check "routes check (url $url) finds it" eq "$(verdict "$BIN" routes check "$tmp/routes.yaml")" "refuses 1"
  check "routes check (url $url): why" holds "$(cat "$tmp/err" "$tmp/out" 2>/dev/null)" "$why"
done <<'EOF'
http://127.0.0.1:0/x|port 0 cannot be connected to
http://[::1]:0/|port 0 cannot be connected to
ftp://h/x|only http and https are supported
http://h:65536/|the port is not a number from 1 to 65535
http:///x|no host
http://a!b/|the host name holds a character other than
http://a%20b/|the host name holds a character other than
http://[v1.x]/|an IPvFuture address cannot be connected to
http://h/a b|not a valid URL (at character 11)
EOF

# --- --max-body: accepted by every command that reads ---
for v in 1k 1024 64K 8m 8M 1g 1024m ' 2 m '; do
  for cmd in convert detect labels; do
    check "$cmd --max-body '$v' accepted" eq "$(verdict "$BIN" $cmd --max-body "$v" "$FIRING")" accepts
  done
  routes_with http://127.0.0.1:9/x
  check "routes test --max-body '$v' accepted" eq \
    "$(verdict "$BIN" routes test "$tmp/routes.yaml" --max-body "$v" "$FIRING")" accepts
  check "send --max-body '$v' accepted" eq \
    "$(verdict "$BIN" send --dry-run --state none --url http://127.0.0.1:9/x --max-body "$v" "$FIRING")" accepts
  check "serve --max-body '$v' accepted" eq "$(serve_verdict --url http://127.0.0.1:9/x --max-body "$v")" accepts
done

# --- --max-body: refused by every command, with the same message ---
while IFS='|' read -r v why; do
  for cmd in convert detect labels; do
    check "$cmd --max-body '$v' refused" eq "$(verdict "$BIN" $cmd --max-body "$v" "$FIRING")" "refuses 2"
    check "$cmd --max-body '$v': why" holds "$(cat "$tmp/err")" "--max-body: $why"
  done
  check "routes test --max-body '$v' refused" eq \
    "$(verdict "$BIN" routes test "$tmp/routes.yaml" --max-body "$v" "$FIRING")" "refuses 2"
  check "send --max-body '$v' refused" eq \
    "$(verdict "$BIN" send --dry-run --state none --url http://127.0.0.1:9/x --max-body "$v" "$FIRING")" "refuses 2"
  check "send --max-body '$v': why" holds "$(cat "$tmp/err")" "--max-body: $why"
  check "serve --max-body '$v' refused" eq "$(serve_verdict --url http://127.0.0.1:9/x --max-body "$v")" "refuses 2"
  check "serve --max-body '$v': why" holds "$(cat "$tmp/err")" "--max-body: $why"
done <<'EOF'
0|a size from 1k to 1g, not '0'
1023|a size from 1k to 1g, not '1023'
2g|a size from 1k to 1g, not '2g'
1025m|a size from 1k to 1g, not '1025m'
99999999999999999999|a size from 1k to 1g, not '99999999999999999999'
8mb|not a size: '8mb' (a size is a whole number of bytes with an optional unit k, m or g
1KiB|not a size: '1KiB'
1.5m|not a size: '1.5m'
-1|not a size: '-1'
|not a size: ''
EOF

# --- serve's --spool-max-bytes: the same grammar ---
check "serve --spool-max-bytes 4g accepted" eq "$(serve_verdict --url http://127.0.0.1:9/x --spool-max-bytes 4g)" accepts
check "serve --spool-max-bytes 1gb refused" eq "$(serve_verdict --url http://127.0.0.1:9/x --spool-max-bytes 1gb)" \
  "refuses 2"
check "serve --spool-max-bytes 1gb: why" holds "$(cat "$tmp/err")" "--spool-max-bytes: not a size: '1gb'"
check "serve --spool-max-bytes below --max-body refused" eq \
  "$(serve_verdict --url http://127.0.0.1:9/x --max-body 8m --spool-max-bytes 4m)" "refuses 2"
finish
