#!/usr/bin/env bash
# `cpack` builds a .deb with the right dependencies and files; installed with dpkg into a
# throwaway root (its own dpkg database; the libraries come from this machine), it runs.
source "$(dirname "$0")/../lib.bash"
build=$(dirname "$BIN")
sample=$SRC/samples/volcengine/metric-firing.json
(cd "$tmp" && cpack --config "$build/CPackConfig.cmake" -B "$tmp/pkg" >"$tmp/cpack.log" 2>&1)
check "cpack succeeds" eq "$?" 0
deb=$(ls "$tmp"/pkg/cmrelay_*_amd64.deb 2>/dev/null | head -1)
check "one .deb" eq "$([ -f "$deb" ] && echo yes)" yes

depends=$(dpkg-deb -f "$deb" Depends)
for dep in ca-certificates libcurl4 libyaml-cpp0.7 libre2-9 libstdc++6 libc6; do
  check "Depends on $dep" holds "$depends" "$dep"
done
files=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./usr/bin/cmrelay ./usr/libexec/cmrelay/cmrelay-full ./usr/share/man/man1/cmrelay.1 \
  ./usr/share/bash-completion/completions/cmrelay ./usr/share/zsh/vendor-completions/_cmrelay \
  ./usr/lib/systemd/system/cmrelay.service; do
  check "package holds $f" holds "$files" "$f"
done

root=$tmp/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
: >"$root/var/lib/dpkg/status"
dpkg --root="$root" --force-depends --force-script-chrootless --log=/dev/null -i "$deb" >"$tmp/dpkg.log" 2>&1
check "dpkg -i into a clean root" eq "$?" 0
check "dpkg knows it" eq "$(dpkg --root="$root" -s cmrelay 2>/dev/null | grep '^Status:')" "Status: install ok installed"
check "installed --version" eq "$("$root/usr/bin/cmrelay" --version)" "$("$BIN" --version)"
check "installed convert" eq "$("$root/usr/bin/cmrelay" convert "$sample")" "$("$BIN" convert "$sample")"
check "installed send finds cmrelay-full" holds \
  "$("$root/usr/bin/cmrelay" send --dry-run --url http://127.0.0.1:9/ "$sample" 2>/dev/null)" '"channel":"url"'
finish
