#!/usr/bin/env bash
# cmrelay labels: the label keys the bodies produce, with counts and example values;
# NDJSON off a terminal, a table on one.
source "$(dirname "$0")/../lib.bash"
S="$SRC/samples/volcengine"

out=$("$BIN" labels "$S/metric-multi-resource.json" "$S/event-disk-error.json" 2>"$tmp/err")
check "exit 0" eq "$?" 0
n=$("$BIN" convert "$S/metric-multi-resource.json" "$S/event-disk-error.json" | wc -l)
check "every event counted" eq "$(cat "$tmp/err")" "cmrelay: labels: $n events"
check "one line per key, as NDJSON" eq "$(echo "$out" | jq -r .key | sort | tr '\n' ' ')" \
  "$("$BIN" convert "$S/metric-multi-resource.json" "$S/event-disk-error.json" | jq -r '.labels | keys[]' | sort -u | tr '\n' ' ')"
check "source on every event" eq "$(echo "$out" | jq -r 'select(.key == "source") | "\(.events) \(.distinct) \(.examples)"')" "$n 1 [\"volcengine\"]"
check "format counted per value" eq "$(echo "$out" | jq -r 'select(.key == "format") | .examples | sort | join(",")')" "volc.event,volc.metric"
check "most frequent first" eq "$(echo "$out" | jq -s '[.[].events] == ([.[].events] | sort | reverse)')" true
check "at most three examples" eq "$(echo "$out" | jq -s 'map(.examples | length) | max')" 3

# On a terminal: an aligned table.
if have_pty; then
  python3 "$SRC/tests/cli/on_tty.py" stdout "$BIN" labels "$S/metric-firing.json" | tr -d '\r' >"$tmp/tty"
  check "table header" holds "$(head -1 "$tmp/tty")" "KEY"
  check "table row" holds "$(grep '^source ' "$tmp/tty")" "volcengine"
  check "no JSON on a terminal" omits "$(cat "$tmp/tty")" '{"key"'

  # A control character in a value is escaped in the table, never sent to the terminal.
  printf '%s\n' '{"event_status":"Info","title_rule":"t","labels":{"x":"a\u001b[31mred"}}' >"$tmp/esc.json"
  python3 "$SRC/tests/cli/on_tty.py" stdout "$BIN" labels "$tmp/esc.json" | tr -d '\r' >"$tmp/tty"
  check "escaped" holds "$(grep '^x ' "$tmp/tty")" 'a\x1b[31mred'
else
  skip "the table on a terminal: no pseudo-terminal here (mount devpts on /dev/pts)"
fi

# Unreadable input: counted, exit 1.
echo '{"not":"a body"}' >"$tmp/bad.json"
"$BIN" labels "$tmp/bad.json" >/dev/null 2>&1
check "rejected input: exit 1" eq "$?" 1

finish
