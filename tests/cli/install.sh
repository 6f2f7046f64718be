#!/usr/bin/env bash
# `cmake --install` puts the binary and the man page where they belong, and the page renders.
source "$(dirname "$0")/lib.bash"
build=$(dirname "$BIN")
cmake --install "$build" --prefix "$TMP/prefix" >/dev/null
check "binary installed" "$("$TMP/prefix/bin/cmrelay" --version)" "$("$BIN" --version)"
check "cmrelay-full installed in libexec" "$("$TMP/prefix/libexec/cmrelay/cmrelay-full" --version)" "$("$BIN" --version)"
check "installed cmrelay finds cmrelay-full" \
  "$("$TMP/prefix/bin/cmrelay" send --dry-run --url http://127.0.0.1:9/ "$SRC/samples/volcengine/metric-firing.json" 2>/dev/null | grep -c '"channel":"url"')" 1
check "man page installed" "$(cmp -s "$TMP/prefix/share/man/man1/cmrelay.1" "$SRC/man/cmrelay.1" && echo same)" same
if command -v man >/dev/null; then
  warnings=$(MANWIDTH=100 man --warnings -l "$SRC/man/cmrelay.1" 2>&1 >/dev/null)
  check "man page renders without warnings" "$warnings" ""
fi
unit="$TMP/prefix/lib/systemd/system/cmrelay.service"
check "systemd unit installed" "$([ -f "$unit" ] && echo yes)" yes
contains "the unit runs the installed binary" "$(cat "$unit")" "ExecStart=$TMP/prefix/bin/cmrelay serve"
for opt in DynamicUser=yes StateDirectory=cmrelay ProtectSystem=strict NoNewPrivileges=yes LoadCredential=tokens; do
  contains "the unit has $opt" "$(cat "$unit")" "$opt"
done
# Every option the unit passes is one serve knows.
for opt in $(grep -E '^(ExecStart=|  --)' "$unit" | grep -oE -- ' --[a-z-]+' | sort -u); do
  contains "serve --help lists the unit's $opt" "$("$BIN" serve --help)" "$opt"
done
if command -v systemd-analyze >/dev/null; then
  check "systemd-analyze verify" "$(systemd-analyze verify "$unit" 2>&1 | grep -v "not found\|No such\|Command 'man" )" ""
fi
# Every option --help lists is documented in the man page, the complete reference.
for cmd in convert detect send serve; do
  for opt in $("$BIN" "$cmd" --help | grep -oE '^ +--[a-z-]+' | tr -d ' ' | sort -u); do
    [ "$opt" = "--help" ] && continue
    contains "man documents $cmd $opt" "$(cat "$SRC/man/cmrelay.1" | sed 's/\\-/-/g')" "$opt"
  done
done
finish
