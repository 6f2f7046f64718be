#!/usr/bin/env bash
# The light binary starts without the delivery libraries and hands delivering commands to
# cmrelay-full (src/cli/full.h); both halves behave as one program.
source "$(dirname "$0")/../lib.bash"
build=$(dirname "$BIN")
libs=$(ldd "$BIN")
for lib in libcurl libssl libcrypto libgnutls libsqlite3 libmicrohttpd libhiredis; do
  check "cmrelay does not load $lib" omits "$libs" "$lib"
done
check "cmrelay-full loads libcurl" holds "$(ldd "$build/cmrelay-full")" libcurl
# The C++ libraries are linked in (CMakeLists.txt, CMRELAY_STATIC_DEPS), so that the dynamic
# loader has little to do; not under the sanitizers, whose runtimes need the shared libstdc++.
if ! grep -q libasan <<<"$libs"; then
  for lib in libstdc++ libyaml-cpp libre2; do
    check "cmrelay links $lib statically" omits "$libs" "$lib"
  done
fi

# send through the light binary is the full binary's: same output, same exit status.
sample=$SRC/samples/volcengine/metric-firing.json
light=$("$BIN" send --dry-run --url 'http://127.0.0.1:9/x?integration_key=s3cr3t' "$sample"; echo "rc=$?")
full=$("$build/cmrelay-full" send --dry-run --url 'http://127.0.0.1:9/x?integration_key=s3cr3t' "$sample"; echo "rc=$?")
check "send via the light binary" eq "$light" "$full"
check "send ran" holds "$light" '"channel":"url"'
"$BIN" send --no-such-option >/dev/null 2>&1
check "usage error passes through" eq "$?" 2
check "send --help is the full help" holds "$("$BIN" send --help)" "--max-attempts"
# exec, not a child: the same process becomes cmrelay-full, its command line unchanged.
mkfifo "$tmp/fifo"
"$BIN" send --dry-run --url http://127.0.0.1:9/ "$tmp/fifo" >/dev/null 2>&1 &
pid=$!
exec 3>"$tmp/fifo"  # The reader blocks on the FIFO until this opens it.
for _ in $(seq 50); do
  [ "$(readlink "/proc/$pid/exe")" = "$(readlink -f "$build/cmrelay-full")" ] && break
  sleep 0.1
done
check "the same process runs cmrelay-full" eq "$(readlink "/proc/$pid/exe")" "$(readlink -f "$build/cmrelay-full")"
check "its command line is the user's" eq "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "$BIN send --dry-run --url http://127.0.0.1:9/ $tmp/fifo "
exec 3>&-
wait "$pid"
check "it ends when its input does" eq "$?" 0

# Without cmrelay-full, one clear line and the usage status; the light commands still work.
cp "$BIN" "$tmp/cmrelay"
"$tmp/cmrelay" send --dry-run --url http://127.0.0.1:9/ "$sample" >/dev/null 2>"$tmp/err"
check "missing full binary exits 2" eq "$?" 2
check "missing full binary is named" holds "$(cat "$tmp/err")" "cmrelay-full"
check "missing full binary: one line" eq "$(wc -l <"$tmp/err")" 1
"$tmp/cmrelay" convert "$sample" >/dev/null
check "convert needs no full binary" eq "$?" 0
finish
