#!/usr/bin/env bash
# The guide's serve recipe ("From zero to a working endpoint", docs/GUIDE.md) and the
# packaged systemd unit, end to end: the recipe runs as written into a throwaway root (its
# /etc/cmrelay there, `cmake --install` with DESTDIR), then serve starts as the installed
# unit would start it: its ExecStart's arguments (paths under the root, a free port for
# 8080), its user rules (an unprivileged user of its own, no home, the StateDirectory made
# for it with its mode, the UMask, the credential, the EnvironmentFile, a bare environment,
# working directory /). A firing and its recovery are posted: both are delivered, and the
# alert is open in between and closed after in `cmrelay alerts`. Then a reload
# (ExecReload), a stop (KillSignal), `alerts` run by root, and a second start.
. "$(dirname "$0")/../lib.bash"
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
  skip "serve_unit: needs root and setpriv to run serve as the unit's unprivileged user"
  finish
  exit
fi
start_sink
build=$(dirname "$BIN")
root=$tmp/root
mkdir -p "$root"
chmod 755 "$tmp"  # The unit's user walks to the installed files and its state directory.

# The recipe, cut out of the guide; `systemctl` and `curl 127.0.0.1:8080` are what the rest
# of this test does by hand.
awk '/^### From zero to a working endpoint/ {on = 1} on && /^```sh( no-run)?$/ {body = 1; next}
  body && /^```$/ {exit} body' "$SRC/docs/GUIDE.md" >"$tmp/recipe.sh"
check "the recipe is in docs/GUIDE.md" grep -q '^systemctl daemon-reload && systemctl enable --now cmrelay' "$tmp/recipe.sh"
sed -e "s#/etc/cmrelay#$root/etc/cmrelay#g" -e "s#^cmake --install build#DESTDIR=$root cmake --install $build#" \
  -e '/^systemctl /d' -e '/^curl /d' "$tmp/recipe.sh" >"$tmp/recipe-root.sh"
check "the recipe installs" grep -q "^DESTDIR=$root cmake --install" "$tmp/recipe-root.sh"
(cd "$SRC" && PATH="$build:$PATH" bash -e "$tmp/recipe-root.sh") >"$tmp/recipe.log" 2>&1
check "the recipe runs as written (exit 0)" eq "$?" 0 || cat "$tmp/recipe.log"
etc=$root/etc/cmrelay
check "it made a token" eq "$(wc -l <"$etc/tokens")" 1
check "the token file is root's alone" eq "$(stat -c %a "$etc/tokens")" 600
# "then edit it": the sample route file's channels point at the loopback sink.
sed -i -e "s#https://api.flashcat.cloud/event/push/alert/standard#http://127.0.0.1:$port/s/200/unit/fd#" \
  -e "s#https://hooks.example.com/#http://127.0.0.1:$port/s/200/unit/#" "$etc/routes.yaml"
TOKEN=$(head -1 "$etc/tokens")

# The installed unit: its command line and its rules.
unit=$root/usr/local/lib/systemd/system/cmrelay.service
check "the unit is installed under the prefix" test -f "$unit"
value() { sed -n "s/^$1=//p" "$unit"; }  # value KEY: the unit's KEY=VALUE values, one a line.
exec_start=$(awk '/^ExecStart=/ {on = 1; sub(/^ExecStart=/, "")} on {c = sub(/\\$/, ""); printf "%s ", $0; if (!c) exit}' "$unit")
check "the unit runs serve as a dynamic user" eq "$(value DynamicUser)" yes
check "its state lives in its StateDirectory (a dynamic user has no home)" holds "$exec_start" \
  "--state /var/lib/$(value StateDirectory)/state.db"
uport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
state_dir=$root/var/lib/$(value StateDirectory)
cred=$root/run/credentials/cmrelay.service
args=()
for a in $exec_start; do
  case $a in
    %d/*) args+=("$cred/${a#%d/}") ;;
    /*) args+=("$root$a") ;;
    127.0.0.1:8080) args+=("127.0.0.1:$uport") ;;
    *) args+=("$a") ;;
  esac
done
check "ExecStart starts the installed binary" eq "${args[0]:-}" "$root/usr/local/bin/cmrelay"
# What systemd makes before the start: the StateDirectory (owned by the unit's user, its
# mode), the credentials (readable by that user only), the environment (EnvironmentFile on
# a bare one; a dynamic user's HOME is /, where it cannot write).
start_unit() {  # start_unit LOG
  install -d -o nobody -g nogroup -m "$(value StateDirectoryMode)" "$state_dir"
  install -d -o nobody -m 500 "$cred"
  local c
  for c in $(value LoadCredential); do install -o nobody -m 400 "$root${c#*:}" "$cred/${c%%:*}"; done
  local envfile envs=(PATH=/usr/local/bin:/usr/bin:/bin HOME=/ USER=nobody LOGNAME=nobody
    "CREDENTIALS_DIRECTORY=$cred" "STATE_DIRECTORY=$state_dir")
  envfile=$(value EnvironmentFile)
  envfile=$root${envfile#-}
  [ -f "$envfile" ] && mapfile -t -O ${#envs[@]} envs < <(grep -E '^[A-Za-z_][A-Za-z0-9_]*=' "$envfile")
  (cd / && exec env -i "${envs[@]}" setpriv --reuid=nobody --regid=nogroup --clear-groups --no-new-privs \
    sh -c 'umask "$0" && exec "$@"' "$(value UMask)" "${args[@]}") 2>"$tmp/$1" &
  serve_pid=$!
  await_port "$tmp/$1"
}
start_unit unit.log
check "serve starts as the unit's user" eq "$(ps -o user= -p "$serve_pid")" nobody
check "on the unit's address" grep -q "listen=127.0.0.1:$uport" "$tmp/unit.log"
check "the start line shows the open-alert state open" grep -q 'state=open' "$tmp/unit.log"
check "/readyz: ready" eq "$(curl -s "http://127.0.0.1:$uport/readyz")" ready

volc=$SRC/samples/volcengine
key=$("$BIN" "$volc/metric-firing.json" | jq -r .alert_key)
hook() { curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "@$1" \
  "http://127.0.0.1:$uport/hook/$TOKEN"; }
alerts() { "$BIN" alerts --state "$state_dir/state.db" --format ndjson | jq -r .alert_key; }
delivered() {  # delivered STATUS: the channels the sink saw the alert's STATUS events at, sorted.
  jq -r --arg k "$key" --arg s "$1" 'select(.alert_key == $k and .event_status == $s) | .path' "$tmp/sink.log" |
    sort | tr '\n' ' '
}
fired() { [ "$(delivered Critical)" = "/s/200/unit/checkout /s/200/unit/oncall " ]; }
recovered() { [ "$(delivered Ok)" = "/s/200/unit/checkout /s/200/unit/oncall " ]; }
check "the firing: 200" eq "$(hook "$volc/metric-firing.json")" 200
check "the firing is delivered (oncall and checkout, as the route file says)" wait_until 10 fired
check "the alert is open in alerts" eq "$(alerts)" "$key"
check "its recovery: 200" eq "$(hook "$volc/metric-recovered.json")" 200
check "the recovery is delivered where its alert went" wait_until 10 recovered
closed() { [ -z "$(alerts)" ]; }
check "the alert is closed in alerts" wait_until 5 closed
check "the spool is empty" spool_empty "$state_dir/spool"
check "the state is the unit's user's, 0600 (UMask)" eq "$(stat -c '%U %a' "$state_dir/state.db")" "nobody 600"
check "the StateDirectory keeps its mode" eq "$(stat -c '%U %a' "$state_dir")" "nobody $(value StateDirectoryMode | sed 's/^0//')"

# ExecReload (kill -HUP $MAINPID), then the stop (KillSignal=SIGTERM): exit 0.
check "ExecReload is a SIGHUP" eq "$(value ExecReload)" '/bin/kill -HUP $MAINPID'
kill -HUP "$serve_pid"
check "reloaded" wait_until 5 grep -q 'reload outcome=done' "$tmp/unit.log"
check "KillSignal is SIGTERM" eq "$(value KillSignal)" SIGTERM
stop_serve
check "stopped: exit 0" eq "$serve_rc" 0
# root looks at the state while the service is down; the next start still opens it.
check "alerts as root, the service down: nothing open" eq "$(alerts)" ""
start_unit unit2.log
check "started again: the state is open" grep -q 'state=open' "$tmp/unit2.log"
stop_serve
check "no token, key or failure in the logs" eq "$(grep -cE -e "$TOKEN|failed|error" "$tmp/unit.log" "$tmp/unit2.log" | awk -F: '{ s += $2 } END { print s }')" 0
finish
