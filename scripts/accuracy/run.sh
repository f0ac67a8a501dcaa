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
# Larger corpora when present: Go's own packages, CPython's own test files.
if command -v go >/dev/null; then
  src="$(go env GOROOT)/src"
  export ACCURACY_GO_PACKAGES="$src/strings:$src/bytes:$src/encoding/json:$src/net/http:$src/sort:$src/os:$src/regexp:$src/fmt:$src/sync:$src/strconv:$src/net/url:$src/math/big:$src/go/parser:$src/crypto/tls:$src/bufio"
fi
if pydir="$(python3 -c 'import os, test; print(os.path.dirname(test.__file__))' 2>/dev/null)" && [ -f "$pydir/test_textwrap.py" ]; then
  export ACCURACY_PYTHON_DIR="$pydir"
  export ACCURACY_PYTHON_FILES="test_textwrap.py:test_heapq.py:test_bisect.py:test_argparse.py:test_pathlib.py:test_string.py:test_enum.py:test_json/test_decode.py:test_functools.py:test_shlex.py:test_fractions.py:test_statistics.py:test_typing.py:test_difflib.py"
fi
"$venv/bin/pytest" --version
cargo test --test accuracy -- --nocapture --test-threads 1
