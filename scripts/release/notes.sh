#!/usr/bin/env bash
# Prints the CHANGELOG.md section of one version (the lines under "## [VERSION]" up to
# the next "## ", less the version links that end the file), the body of its GitHub
# Release. Fails when the section is missing or empty, so a tag cannot be released
# without its changelog.
#
# Usage: notes.sh VERSION [CHANGELOG]
set -euo pipefail
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 VERSION [CHANGELOG]" >&2
  exit 2
fi
version=$1
changelog=${2:-$(cd "$(dirname "$0")/../.." && pwd)/CHANGELOG.md}
notes=$(awk -v v="$version" '
  /^## / { if (inside) exit; if (index($0, "## [" v "]") == 1) { inside = 1; next } }
  inside && !/^\[[^]]+\]: / { print }
' "$changelog")
# Trim leading and trailing blank lines.
notes=$(printf '%s\n' "$notes" | sed -e '/./,$!d')
if [ -z "$(printf '%s' "$notes" | tr -d '[:space:]')" ]; then
  echo "notes.sh: $changelog has no section \"## [$version]\" with entries; add it before tagging v$version (see docs/releasing.md)" >&2
  exit 1
fi
printf '%s\n' "$notes"
