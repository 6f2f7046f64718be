# Sourced by the tests/cli/*.sh scripts: run as `bash SCRIPT BIN SRC_DIR`.
# Each check prints a line on failure; the script ends with "N passed, M failed".
set -u
BIN=$1
SRC=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
passed=0
failed=0

pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

# check NAME ACTUAL EXPECTED
check() {
  if [ "$2" == "$3" ]; then pass; else fail "$1: expected [$3], got [$2]"; fi
}
# contains NAME HAYSTACK NEEDLE
contains() {
  if [[ "$2" == *"$3"* ]]; then pass; else fail "$1: [$3] not found in [$2]"; fi
}
# lacks NAME HAYSTACK NEEDLE
lacks() {
  if [[ "$2" != *"$3"* ]]; then pass; else fail "$1: [$3] unexpectedly found"; fi
}

finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
