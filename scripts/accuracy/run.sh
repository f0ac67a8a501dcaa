#!/usr/bin/env bash
# Compares the scanners with the real test runners (see tests/accuracy.rs): pytest from
# PyPI in a virtualenv under /tmp, Node's built-in runner, and `go test -list` when Go is
# installed. Not part of `cargo test`'s default run: it needs the runners and a network.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv="${ACCURACY_VENV:-/tmp/incident-guard-accuracy-venv}"
if [ ! -x "$venv/bin/pytest" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet pytest
fi
export ACCURACY_PYTEST="$venv/bin/pytest"
if command -v node >/dev/null; then export ACCURACY_NODE="$(command -v node)"; fi
if command -v go >/dev/null; then export ACCURACY_GO="$(command -v go)"; fi
"$venv/bin/pytest" --version
cargo test --test accuracy -- --nocapture --test-threads 1
