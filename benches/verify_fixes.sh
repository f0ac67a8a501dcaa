#!/usr/bin/env bash
# Benchmark: `incident-guard verify` on real fixes of real repositories, against the truth
# established by hand for each (benches/verify_fixes.py holds the cases, the truth and
# what the hand check showed).
#
# Usage: benches/verify_fixes.sh click=SOURCE tomli=SOURCE semver=SOURCE itsdangerous=SOURCE
#   SOURCE is anything `git clone` takes: https://github.com/pallets/click, or a local
#   mirror (the search tool's `fetch github:pallets/click` gives one under /work/.mirror).
#   The corpora are never vendored: they are cloned into CORPORA.
# Environment: CORPORA (default ${TMPDIR:-/tmp}/ig-verify-fixes, outside this repository,
#   kept between runs: the clones and the venvs are reused), IG (the incident-guard to
#   measure; default: this tree's debug build, built first), TUNED=1 (not the default
#   set-up but a hand-tuned one: PYTHONPATH=src, and a `[verify] rust` command without
#   `--locked`; to tell the tool's errors from the environment's).
# Needs git, python3 with venv and pip (PyPI reachable the first time, for
# `pip install -e . pytest`), cargo (semver has no dependency but optional serde).
#
# Each repository is checked out at a pinned HEAD and set up as a developer would have it:
# for Python a venv with `pip install -e .` and the project's `tests` dependency group
# (else pytest), activated (PATH and VIRTUAL_ENV);
# for Rust, cargo as it is, and the crate as it is (no Cargo.lock). A commit adds one
# postmortem per case, naming the fix commit in `fix_commits`, and the marker
# `# incident: ID` (`// incident: ID`) above the test. Then, with the default
# configuration, `incident-guard verify --format json` runs in each repository, and the
# script prints one row per case (repository, fix, test, truth, verdict, whether they
# agree, the seconds of its two runs), the message of every verdict that disagrees, the
# agreement, the number of wrong `caught` (a proof that is false), and the time per
# verified test (verify's wall-clock time over its tests). Reports and logs are left in
# CORPORA. Exit status 1 when any `caught` is wrong, else 0.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CORPORA="${CORPORA:-${TMPDIR:-/tmp}/ig-verify-fixes}"
(($# > 0)) || { sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 2; }
case "$CORPORA/" in "$ROOT"/*) echo "verify_fixes.sh: CORPORA must be outside the repository" >&2; exit 2 ;; esac
for tool in git python3 cargo; do
    command -v "$tool" >/dev/null || { echo "verify_fixes.sh: needs $tool" >&2; exit 2; }
done
if [[ -z "${IG:-}" ]]; then
    echo "== building incident-guard"
    (cd "$ROOT" && cargo build --quiet)
    IG="$ROOT/target/debug/incident-guard"
fi
echo "== $("$IG" --version) at $(git -C "$ROOT" rev-parse --short HEAD)"
exec python3 "$ROOT/benches/verify_fixes.py" "$IG" "$CORPORA" "$@"
