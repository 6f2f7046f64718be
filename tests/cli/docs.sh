#!/usr/bin/env bash
# Every command in the ```sh blocks of README.md and docs/GUIDE.md runs as written. Each
# document's blocks are joined, in order, into one script that bash runs as a reader's shell
# would (files, variables and `cd` carry from block to block), in a scratch directory holding
# a copy of samples/, with this build's cmrelay first on PATH and the state file inside the
# scratch directory. A command must exit 0, or the status its comment announces (`# exits N`,
# which it must then give): an ERR trap reports each failing command's line and status.
# Blocks fenced ```sh no-run (the network, root, a service, a long build) are only shown;
# the cron script's block is run by cron_recipe.sh.
. "$(dirname "$0")/../lib.bash"
bindir=$(cd "$(dirname "$BIN")" && pwd)

# extract DOC SCRIPT MAP: SCRIPT gets DOC's runnable blocks after a trap line; MAP one line
# per script line of a block, "SCRIPT_LINE DOC_LINE COMMAND_START EXPECTED", where a command is
# a line with its backslash continuations, COMMAND_START is its first script line and
# EXPECTED the status its `# exits N` comment gives (0 without one).
extract() {
  awk -v script="$2" -v map="$3" '
    function flush(   i, want) {
      if (cmd ~ /^[ \t]*(#[^\n]*)?\n$/) { cmd = ""; nlines = 0; return }   # blank or comment
      want = 0
      if (match(cmd, /# exits [0-9]+/)) want = substr(cmd, RSTART + 8, RLENGTH - 8) + 0
      for (i = 0; i < nlines; i++) print lines[i], start, want > map
      cmd = ""; nlines = 0
    }
    BEGIN { print "trap '\''echo \"$LINENO $?\" >&9'\'' ERR" > script; n = 1 }
    /^```sh[ \t]*$/ { on = 1; blocks++; next }
    on && /^```/ { on = 0; next }
    on {
      print > script; n++
      if (nlines == 0) start = n
      lines[nlines++] = n " " NR
      cmd = cmd $0 "\n"
      if ($0 !~ /\\$/) flush()
    }
    END { print "echo end >&8" > script; print blocks + 0 }
  ' "$1"
}

for doc in README.md docs/GUIDE.md; do
  [ -f "$SRC/$doc" ] || { fail "$doc is missing"; continue; }
  name=$(basename "$doc" .md)
  work=$tmp/$name
  mkdir -p "$work/home"
  cp -r "$SRC/samples" "$work/samples"
  : >"$tmp/$name.map"
  blocks=$(extract "$SRC/$doc" "$tmp/$name.sh" "$tmp/$name.map")
  : >"$tmp/$name.errs"
  : >"$tmp/$name.end"
  (cd "$work" && env HOME="$work/home" XDG_STATE_HOME="$work/home/state" PATH="$bindir:$PATH" \
    timeout 300 bash -E -o pipefail "$tmp/$name.sh" 9>>"$tmp/$name.errs" 8>>"$tmp/$name.end" \
    </dev/null >"$tmp/$name.out" 2>&1)
  rc=$?
  check "$doc: the script ran to its end (exit $rc; output: $(tail -c 600 "$tmp/$name.out"))" \
    eq "$(cat "$tmp/$name.end")" end

  # Every failing command: its status must be the one its comment announces.
  declare -A start=() want=() doc_line=() seen=()
  while read -r line dline cstart expected; do
    start[$line]=$cstart; want[$cstart]=$expected; doc_line[$cstart]=$dline
  done <"$tmp/$name.map"
  while read -r line status; do
    c=${start[$line]:-}
    if [ -z "$c" ]; then fail "$doc: script line $line exited $status outside any block"; continue; fi
    seen[$c]=1
    if [ "$status" = "${want[$c]}" ]; then pass; else
      fail "$doc:${doc_line[$c]}: [$(sed -n "${c}p" "$tmp/$name.sh")] exited $status, expected ${want[$c]}"
    fi
  done <"$tmp/$name.errs"
  # Every command that announces a status other than 0 gave it.
  commands=0
  for c in "${!want[@]}"; do
    commands=$((commands + 1))
    if [ "${want[$c]}" != 0 ] && [ -z "${seen[$c]:-}" ]; then
      fail "$doc:${doc_line[$c]}: [$(sed -n "${c}p" "$tmp/$name.sh")] exited 0, expected ${want[$c]}"
    fi
  done
  if [ "$commands" -gt 0 ]; then pass; else fail "$doc: no command to run"; fi
  echo "$doc: $commands commands in $blocks blocks run"
  unset start want doc_line seen
done
# The README's quick start is two commands, set up and run, then test; CI (.ci/run) runs the
# second exactly.
check "README's quick start" eq "$(grep -oE '^\./setup\.sh( test)?( |$)' "$SRC/README.md" | tr -d ' ' | tr '\n' ,)" \
  "./setup.sh,./setup.shtest,"
check "CI runs README's test command" eq "$(grep -v '^#' "$SRC/.ci/run" | grep -v '^set \|^cd ')" "exec ./setup.sh test"

# ./setup.sh's last words (its first_contact, run on this build): a summary, not the events.
summary() { (cd "$SRC" && source <(sed -n '/^first_contact() {/,/^}/p' setup.sh) && BUILD_DIR=$(dirname "$BIN") first_contact "$@"); }
bodies=$("$BIN" detect "$SRC"/samples/*/ 2>/dev/null | wc -l)
events=$("$BIN" convert "$SRC"/samples/*/ 2>/dev/null | wc -l)
out=$(summary)
check "setup's summary: 4 lines" eq "$(printf '%s\n' "$out" | wc -l)" 4
check "setup's summary counts bodies and events" holds "$out" ": $bodies bodies, $events Flashduty events, "
check "setup's summary names the next command" holds "$out" "next: export PATH="
check "setup's summary prints no event" omits "$out" '"event_status"'
check "setup --print prints the events too" eq "$(summary --print | grep -c '"event_status"')" "$events"
finish
