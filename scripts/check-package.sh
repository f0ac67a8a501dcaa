#!/usr/bin/env bash
# The crate as crates.io would get it: only what builds the tool (Cargo.toml's `include`),
# under a size limit, and it builds from its own contents (`cargo package` unpacks it in
# target/package/ and builds it there). Run by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
# The file list above is what keeps fixtures and docs out; the size limit is a backstop
# for a large file slipping into src/. The crate is about 512 KiB compressed (140 files,
# 2026-12-08, none over 100 KiB), so the limit leaves a quarter for growth: a fixture or
# generated file of any size would still stand out.
limit_kib=${PACKAGE_LIMIT_KIB:-640}
version=$(sed -n 's/^version = "\([^"]*\)".*/\1/p' Cargo.toml | head -n 1)

# --allow-dirty: the check is about the package's contents, not about a clean tree (a
# real `cargo publish` refuses a dirty one anyway).
list=$(cargo package --locked --allow-dirty --list 2> /dev/null)
unexpected=$(grep -Ev '^(src/.+|Cargo\.toml|Cargo\.toml\.orig|Cargo\.lock|\.cargo_vcs_info\.json|README\.md|CHANGELOG\.md|LICENSE-MIT|LICENSE-APACHE)$' <<< "$list" || true)
if [ -n "$unexpected" ]; then
  echo "check-package: the crate would publish files that do not build it (see include in Cargo.toml):" >&2
  echo "$unexpected" >&2
  exit 1
fi
for must in Cargo.toml Cargo.lock src/main.rs src/lib.rs README.md CHANGELOG.md LICENSE-MIT LICENSE-APACHE; do
  grep -qx "$must" <<< "$list" || { echo "check-package: the crate lacks $must" >&2; exit 1; }
done

# Cargo says once per test target that the tests stay behind; that is the point.
cargo package --locked --allow-dirty 2>&1 | grep -v '^warning: ignoring test `'
crate="target/package/incident-guard-$version.crate"
bytes=$(wc -c < "$crate")
files=$(wc -l <<< "$list")
echo "check-package: $crate: $files files, $((bytes / 1024)) KiB (limit $limit_kib KiB)"
if [ "$bytes" -gt $((limit_kib * 1024)) ]; then
  echo "check-package: the crate is over $limit_kib KiB; look for files that do not belong in it" >&2
  exit 1
fi
