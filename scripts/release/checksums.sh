#!/usr/bin/env bash
# Writes DIR/SHA256SUMS for the release archives in DIR, in the format `sha256sum -c`
# reads: "<hex digest>  <file name>", one line per archive, sorted by name.
#
# Usage: checksums.sh DIR
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
cd "$1"
shopt -s nullglob
archives=(incident-guard-*.tar.gz incident-guard-*.zip)
if [ ${#archives[@]} -eq 0 ]; then
  echo "checksums.sh: no incident-guard-* archive in $1" >&2
  exit 1
fi
if command -v sha256sum > /dev/null; then sum=(sha256sum); else sum=(shasum -a 256); fi
printf '%s\n' "${archives[@]}" | LC_ALL=C sort | while IFS= read -r f; do "${sum[@]}" "$f"; done > SHA256SUMS
cat SHA256SUMS
