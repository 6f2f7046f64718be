#!/usr/bin/env bash
# The light binary starts without the delivery libraries and hands delivering commands to
# cmrelay-full (src/cli/full.h); both halves behave as one program.
source "$(dirname "$0")/lib.bash"
build=$(dirname "$BIN")
libs=$(ldd "$BIN")
for lib in libcurl libssl libgnutls libsqlite3 libmicrohttpd; do
  lacks "cmrelay does not load $lib" "$libs" "$lib"
done
contains "cmrelay-full loads libcurl" "$(ldd "$build/cmrelay-full")" libcurl

# send through the light binary is the full binary's: same output, same exit status.
sample=$SRC/samples/volcengine/metric-firing.json
light=$("$BIN" send --dry-run --url 'http://127.0.0.1:9/x?integration_key=s3cr3t' "$sample"; echo "rc=$?")
full=$("$build/cmrelay-full" send --dry-run --url 'http://127.0.0.1:9/x?integration_key=s3cr3t' "$sample"; echo "rc=$?")
check "send via the light binary" "$light" "$full"
contains "send ran" "$light" '"channel":"url"'
"$BIN" send --no-such-option >/dev/null 2>&1
check "usage error passes through" "$?" 2
contains "send --help is the full help" "$("$BIN" send --help)" "--max-attempts"
# exec, not a child: the same process becomes cmrelay-full, its command line unchanged.
mkfifo "$TMP/fifo"
"$BIN" send --dry-run --url http://127.0.0.1:9/ "$TMP/fifo" >/dev/null 2>&1 &
pid=$!
exec 3>"$TMP/fifo"  # The reader blocks on the FIFO until this opens it.
for _ in $(seq 50); do
  [ "$(readlink "/proc/$pid/exe")" = "$(readlink -f "$build/cmrelay-full")" ] && break
  sleep 0.1
done
check "the same process runs cmrelay-full" "$(readlink "/proc/$pid/exe")" "$(readlink -f "$build/cmrelay-full")"
check "its command line is the user's" "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "$BIN send --dry-run --url http://127.0.0.1:9/ $TMP/fifo "
exec 3>&-
wait "$pid"
check "it ends when its input does" "$?" 0

# Without cmrelay-full, one clear line and the usage status; the light commands still work.
cp "$BIN" "$TMP/cmrelay"
"$TMP/cmrelay" send --dry-run --url http://127.0.0.1:9/ "$sample" >/dev/null 2>"$TMP/err"
check "missing full binary exits 2" "$?" 2
contains "missing full binary is named" "$(cat "$TMP/err")" "cmrelay-full"
check "missing full binary: one line" "$(wc -l <"$TMP/err")" 1
"$TMP/cmrelay" convert "$sample" >/dev/null
check "convert needs no full binary" "$?" 0
finish
