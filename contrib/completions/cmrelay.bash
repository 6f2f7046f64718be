# bash completion for cmrelay(1). Commands, options and which options take a file are read
# from cmrelay's own --help (under 10 ms), so the completion never goes stale.

# _cmrelay_help BIN WORD...: the --help text of `BIN WORD... --help`.
_cmrelay_help() {
  local bin=$1
  shift
  "$bin" "$@" --help 2>/dev/null
}

# Subcommand names from a --help text: the first word of each line of its Subcommands section.
_cmrelay_subcommands() {
  awk '/^Subcommands:/ { on = 1; next } on && /^$/ { exit } on && /^  [a-z]/ { print $1 }'
}

_cmrelay() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  local bin=${COMP_WORDS[0]}
  bin=${bin/#\~/$HOME}
  command -v "$bin" >/dev/null 2>&1 || bin=cmrelay

  # The command path typed so far (e.g. `routes test`), each word a subcommand of the last.
  local -a path=()
  local help subs i word
  help=$(_cmrelay_help "$bin")
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    [[ $word == -* ]] && continue
    subs=$(_cmrelay_subcommands <<<"$help")
    if [[ -n $subs ]] && grep -qx -- "$word" <<<"$subs"; then
      path+=("$word")
      help=$(_cmrelay_help "$bin" "${path[@]}")
    else
      break
    fi
  done

  # The value of an option that names a file or directory.
  if [[ $prev == -* ]]; then
    local kind
    kind=$(grep -E '^  -' <<<"$help" | awk -v opt="$prev" '{
        for (i = 1; i <= NF; i++) { n = split($i, names, ","); for (j = 1; j <= n; j++)
          if (names[j] == opt && i < NF) { print $(i + 1); exit } } }')
    case $kind in
      FILE* | *.yaml* | PATH*) COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null; return ;;
      DIR*) COMPREPLY=($(compgen -d -- "$cur")); compopt -o filenames 2>/dev/null; return ;;
      [A-Z]*) COMPREPLY=(); return ;;
    esac
  fi

  if [[ $cur == -* ]]; then
    # Option names are at the start of the Options lines (the examples below mention others).
    COMPREPLY=($(compgen -W "$(grep -E '^  -' <<<"$help" | grep -oE -- '(^|[ ,])--?[A-Za-z][A-Za-z0-9-]*' |
      tr -d ' ,' | sort -u)" -- "$cur"))
    return
  fi
  subs=$(_cmrelay_subcommands <<<"$help")
  if [[ -n $subs ]]; then
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
    # `cmrelay PATH...` means `cmrelay convert PATH...`: files too at the top.
    if [[ ${#path[@]} -eq 0 ]]; then
      COMPREPLY+=($(compgen -f -- "$cur"))
      compopt -o filenames 2>/dev/null
    fi
    return
  fi
  COMPREPLY=($(compgen -f -- "$cur"))
  compopt -o filenames 2>/dev/null
}
complete -F _cmrelay cmrelay
