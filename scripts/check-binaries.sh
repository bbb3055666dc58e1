#!/usr/bin/env bash
# Rebuilds every committed RISC-V binary from source and fails if any differs from the committed one.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for dir in user tests/conformance; do
  [ -f "$dir/Makefile" ] || continue
  make -s -C "$dir" clean
  make -s -C "$dir" -j2
done
if ! git diff --quiet --exit-code -- user tests/conformance; then
  echo "check-binaries: committed binaries differ from what their sources build:" >&2
  git diff --stat -- user tests/conformance >&2
  status=1
fi
untracked=$(git ls-files --others --exclude-standard -- user tests/conformance)
if [ -n "$untracked" ]; then
  echo "check-binaries: build produced files that are not committed:" >&2
  echo "$untracked" >&2
  status=1
fi
exit $status
