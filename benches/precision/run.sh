#!/usr/bin/env bash
# Precision benchmark: real tests of real repositories linked to postmortems, and real
# changes that stop them, each with the verdict `incident-guard check` must give; the
# real runner says, where it runs offline here, whether the test runs.
#
# Usage: benches/precision/run.sh NAME=SOURCE...
#   NAME is a repository of benches/precision/cases.txt; SOURCE a git directory holding
#   it (a bare mirror or a clone; its HEAD is used). The corpora are never vendored: to
#   rebuild them, clone (or mirror) these and pass their git directories:
#     ripgrep=https://github.com/BurntSushi/ripgrep   tokio=https://github.com/tokio-rs/tokio
#     cargo=https://github.com/rust-lang/cargo         deno=https://github.com/denoland/deno
#     flask=https://github.com/pallets/flask           express=https://github.com/expressjs/express
#     vitest=https://github.com/vitest-dev/vitest      gson=https://github.com/google/gson
#     junit5-samples=https://github.com/junit-team/junit5-samples
#   e.g. `git clone --bare https://github.com/pallets/flask /tmp/m/flask.git`, then
#     benches/precision/run.sh flask=/tmp/m/flask.git
#   The figures in benches/precision/README.md name the commit of each.
# Environment:
#   CORPORA       where the prepared repositories go (default ${TMPDIR:-/tmp}/ig-precision;
#                 never inside this repository); kept between runs, rebuilt when SOURCE's
#                 HEAD changes
#   ONLY=a,b      only these repositories' cases
#   RUNNERS=0     no runner (default 1: pytest in a venv for flask, mocha for express,
#                 `cargo test -- --list` offline for ripgrep's globset and cargo's
#                 cargo-platform; installed from the registries while preparing)
#   PREPARE_ONLY=1  prepare the corpora and runners, run no case
#   BIN           the binary to measure (default: this repository's release build, built
#                 once here)
#
# Each case (one line of cases.txt) resets its repository to the prepared base, writes a
# postmortem and the marker above the test, commits, runs `incident-guard check --base
# HEAD~1 --format json` (the link's verdict), applies the case's change, commits, checks
# again (the change's verdict). See precision.py for how verdicts are classified. Prints
# one line per case, a table per repository and a total line, then the cases that were
# not correct. Exits 1 when a case could not be applied, 2 on a usage error.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/benches/precision"
CORPORA="${CORPORA:-${TMPDIR:-/tmp}/ig-precision}"
RUNNERS="${RUNNERS:-1}"
ONLY="${ONLY:-}"

(($# > 0)) || { sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 2; }
case "$CORPORA/" in "$ROOT"/*) echo "precision: CORPORA must be outside the repository" >&2; exit 2 ;; esac
# shellcheck source=benches/lib.sh
source "$ROOT/benches/lib.sh"
if [[ -n "${BIN:-}" ]]; then
    [[ -x "$BIN" ]] || { echo "precision: BIN=$BIN is not an executable" >&2; exit 2; }
else
    bench_prepare precision git python3
    BIN="$ROOT/target/release/incident-guard"
fi
mkdir -p "$CORPORA"

names=()
for arg in "$@"; do
    [[ "$arg" == *=* ]] || { echo "precision: expected NAME=SOURCE, got $arg" >&2; exit 2; }
    name=${arg%%=*} source=${arg#*=}
    if [[ -n "$ONLY" && ",$ONLY," != *",$name,"* ]]; then continue; fi
    grep -q "^$name *|" "$HERE/cases.txt" || { echo "precision: no case for $name in cases.txt" >&2; exit 2; }
    git --git-dir="$source" rev-parse -q --verify HEAD >/dev/null 2>&1 ||
        source="$source/.git"
    python3 "$HERE/precision.py" prepare "$name" "$source" "$CORPORA/$name"
    names+=("$name")
    [[ "$RUNNERS" == 1 ]] || continue
    # The runners, installed once from the registries (pip, npm, cargo's local registry).
    case "$name" in
    flask)
        if [[ ! -x "$CORPORA/flask.venv/bin/python" ]]; then
            echo "== flask: pytest and flask's dependencies in $CORPORA/flask.venv"
            python3 -m venv "$CORPORA/flask.venv"
            # flask's `tests` dependency group, at the versions of its uv.lock.
            pins=$(python3 - "$CORPORA/flask" <<'PY'
import re, sys, tomllib
root = sys.argv[1]
group = tomllib.load(open(f"{root}/pyproject.toml", "rb"))["dependency-groups"]["tests"]
lock = {p["name"]: p["version"] for p in tomllib.load(open(f"{root}/uv.lock", "rb"))["package"] if "version" in p}
for req in group:
    name = re.match(r"[A-Za-z0-9_.-]+", req).group(0).lower()
    print(f"{name}=={lock[name]}" if name in lock else name)
PY
)
            # shellcheck disable=SC2086
            "$CORPORA/flask.venv/bin/pip" install -q $pins "$CORPORA/flask" ||
                { echo "  pip failed: flask's cases run without a runner"; rm -rf "$CORPORA/flask.venv"; }
        fi ;;
    express)
        if [[ ! -x "$CORPORA/express/node_modules/.bin/mocha" ]] && command -v npm >/dev/null; then
            echo "== express: npm install (devDependencies: mocha, supertest, …)"
            (cd "$CORPORA/express" && npm install -q --no-audit --no-fund --ignore-scripts >/dev/null) ||
                echo "  npm failed: express's cases run without a runner"
        fi ;;
    esac
done
((${#names[@]} > 0)) || { echo "precision: no repository left (ONLY=$ONLY)" >&2; exit 2; }
[[ "${PREPARE_ONLY:-0}" == 1 ]] && exit 0

echo "== $(date -u +%H:%M:%S) binary: $BIN ($("$BIN" --version)); load $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s)
rc=0
python3 "$HERE/precision.py" run --bin "$BIN" --corpora "$CORPORA" --cases "$HERE/cases.txt" \
    --only "$ONLY" --runners "$RUNNERS" --json "$CORPORA/results.json" "${names[@]}" || rc=$?
echo "== $(($(date +%s) - start)) s; per case: $CORPORA/results.json"
exit "$rc"
