#!/usr/bin/env bash
# The bash completion (contrib/completions/cmrelay.bash) completes commands, options and file
# arguments from the real binary's --help.
source "$(dirname "$0")/../lib.bash"
BIN=$(readlink -f "$BIN")
source "$SRC/contrib/completions/cmrelay.bash"

# complete_words WORD...: COMPREPLY for the command line WORD... with the cursor on the last.
complete_words() {
  COMP_WORDS=("$BIN" "$@")
  COMP_CWORD=$#
  COMPREPLY=()
  _cmrelay 2>/dev/null
  [ ${#COMPREPLY[@]} -eq 0 ] || printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}
cd "$tmp" && touch hook.json routes.yaml && mkdir captures

check "se completes to send and serve" eq "$(complete_words se)" "send serve "
check "routes subcommands" eq "$(complete_words routes '')" "check test "
check "send options" holds "$(complete_words send --dead)" "--dead-letter"
check "convert options" holds "$(complete_words convert --p)" "--pretty"
check "convert has no send options" omits "$(complete_words convert --)" "--dead-letter"
check "file argument of --reject" eq "$(complete_words send --reject h)" "hook.json "
check "no completion for a number" eq "$(complete_words send --concurrency '')" ""
check "route file of routes test" eq "$(complete_words routes test r)" "routes.yaml "
for cmd in convert detect send "routes test"; do
  # shellcheck disable=SC2086
  check "$cmd has --jobs" holds "$(complete_words $cmd --jo)" "--jobs"
done
check "no completion for the number of --jobs" eq "$(complete_words convert --jobs '')" ""
check "top level: commands and files" eq "$(complete_words h)" "hook.json "
check "after a path, files" eq "$(complete_words convert c)" "captures "
finish
