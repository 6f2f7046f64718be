#!/usr/bin/env bash
# `cmake --install` puts the binary and the man page where they belong, and the page renders.
source "$(dirname "$0")/../lib.bash"
build=$(dirname "$BIN")
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
check "binary installed" eq "$("$tmp/prefix/bin/cmrelay" --version)" "$("$BIN" --version)"
check "cmrelay-full installed in libexec" eq "$("$tmp/prefix/libexec/cmrelay/cmrelay-full" --version)" "$("$BIN" --version)"
check "installed cmrelay finds cmrelay-full" eq \
  "$("$tmp/prefix/bin/cmrelay" send --dry-run --url http://127.0.0.1:9/ "$SRC/samples/volcengine/metric-firing.json" 2>/dev/null | grep -c '"channel":"url"')" 1
check "man page installed" eq "$(cmp -s "$tmp/prefix/share/man/man1/cmrelay.1" "$SRC/man/cmrelay.1" && echo same)" same
if command -v man >/dev/null; then
  warnings=$(MANWIDTH=100 man --warnings -l "$SRC/man/cmrelay.1" 2>&1 >/dev/null)
  check "man page renders without warnings" eq "$warnings" ""
fi
unit="$tmp/prefix/lib/systemd/system/cmrelay.service"
check "systemd unit installed" eq "$([ -f "$unit" ] && echo yes)" yes
check "the unit runs the installed binary" holds "$(cat "$unit")" "ExecStart=$tmp/prefix/bin/cmrelay serve"
for opt in DynamicUser=yes StateDirectory=cmrelay ProtectSystem=strict NoNewPrivileges=yes LoadCredential=tokens; do
  check "the unit has $opt" holds "$(cat "$unit")" "$opt"
done
# Every option the unit passes is one serve knows.
for opt in $(grep -E '^(ExecStart=|  --)' "$unit" | grep -oE -- ' --[a-z-]+' | sort -u); do
  check "serve --help lists the unit's $opt" holds "$("$BIN" serve --help)" "$opt"
done
if command -v systemd-analyze >/dev/null; then
  check "systemd-analyze verify" eq "$(systemd-analyze verify "$unit" 2>&1 | grep -v "not found\|No such\|Command 'man" )" ""
fi
# Every option --help lists is documented in the man page, the complete reference.
for cmd in convert detect send serve; do
  for opt in $("$BIN" "$cmd" --help | grep -oE '^ +--[a-z-]+' | tr -d ' ' | sort -u); do
    [ "$opt" = "--help" ] && continue
    check "man documents $cmd $opt" holds "$(cat "$SRC/man/cmrelay.1" | sed 's/\\-/-/g')" "$opt"
  done
done
finish
