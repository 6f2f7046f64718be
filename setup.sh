#!/usr/bin/env bash
# The one place that lists cmrelay's Debian packages, builds it, and runs it.
#   ./setup.sh         install what is missing, build (Release) into build/, convert samples/
#   ./setup.sh test    the same set-up, then the whole test suite (ctest)
set -euo pipefail
cd "$(dirname "$0")"

# Build and test dependencies, all from Debian 12.
PACKAGES=(
  cmake g++ make pkg-config
  libcli11-dev rapidjson-dev doctest-dev libyaml-cpp-dev libcurl4-openssl-dev libre2-dev
  python3 time jq
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  else
    echo "setup: missing Debian packages; run this, then ./setup.sh again:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 2
  fi
fi

BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"

case "${1:-run}" in
  run)  "$BUILD_DIR/cmrelay" convert samples/ ;;
  test) ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)" ;;
  *)    echo "usage: ./setup.sh [run|test]" >&2; exit 2 ;;
esac
