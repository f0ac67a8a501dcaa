#!/usr/bin/env bash
# Packs one release binary the way the Action, cargo-binstall and the README expect it:
# incident-guard-VERSION-TARGET.tar.gz (.zip for Windows), holding one directory of the
# same name with the binary, the README, the changelog and the licenses. The release
# workflow runs it for every target; the Action's tests run it to make a fake release,
# so the names cannot drift apart.
#
# Usage: archive.sh TARGET VERSION BINARY OUTDIR    (prints the archive's path)
set -euo pipefail
if [ $# -ne 4 ]; then
  echo "usage: $0 TARGET VERSION BINARY OUTDIR" >&2
  exit 2
fi
target=$1 version=$2 binary=$3 outdir=$4
root=$(cd "$(dirname "$0")/../.." && pwd)
name="incident-guard-${version}-${target}"
case "$target" in
  *-windows-*) ext=zip exe=.exe ;;
  *) ext=tar.gz exe= ;;
esac

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/$name"
cp "$binary" "$stage/$name/incident-guard$exe"
chmod 755 "$stage/$name/incident-guard$exe"
for f in README.md CHANGELOG.md LICENSE-MIT LICENSE-APACHE; do
  cp "$root/$f" "$stage/$name/$f"
done
mkdir -p "$outdir"
out="$(cd "$outdir" && pwd)/$name.$ext"
rm -f "$out"
if [ "$ext" = tar.gz ]; then
  tar -C "$stage" -czf "$out" "$name"
else
  # Windows runners have 7-Zip; elsewhere zip or Python's zipfile.
  if command -v 7z > /dev/null; then
    (cd "$stage" && 7z a -tzip -bd "$out" "$name" > /dev/null)
  elif command -v zip > /dev/null; then
    (cd "$stage" && zip -qr "$out" "$name")
  else
    python=$(command -v python3 || command -v python)
    (cd "$stage" && "$python" -m zipfile -c "$out" "$name")
  fi
fi
echo "$out"
