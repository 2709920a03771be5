#!/usr/bin/env bash
# Runs every native Go fuzz target in the module for a bounded time each.
# Usage: scripts/fuzz-all.sh [FUZZTIME]   (default 30s)
set -euo pipefail
fuzztime=${1:-30s}
cd "$(dirname "$0")/.."
found=0
for pkg in $(go list ./...); do
  for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
    found=1
    echo "== $pkg $target ($fuzztime)"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"
  done
done
if [ "$found" = 0 ]; then echo "no fuzz targets found"; fi
