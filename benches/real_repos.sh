#!/usr/bin/env bash
# Benchmark: `incident-guard check` on real repositories against the script a user would
# write instead, and the scan alone against grep.
#
# Usage: benches/real_repos.sh NAME=SOURCE...
#   SOURCE is anything `git clone` takes: a URL (https://github.com/denoland/deno) or a
#   local git directory (a bare mirror). For the figures in the notes:
#     benches/real_repos.sh deno=https://github.com/denoland/deno \
#         bevy=https://github.com/bevyengine/bevy cargo=https://github.com/rust-lang/cargo
# Environment: CORPORA (where the clones go; default ${TMPDIR:-/tmp}/ig-corpora, kept
# between runs and never inside this repository), RUNS (default 7), PREPARE_ONLY=1.
#
# Each repository is cloned with its full history (once; a clone already seeded is
# reused), then seeded by benches/seed_real.py: 50 postmortems, markers above 51 real
# `#[test]` fns, one fix commit per incident naming its action items, a base commit,
# and HEAD deleting one linked test. A mirror may lack its largest blobs; those files are
# replaced by a placeholder in a commit of their own before seeding (git log and the
# history walk read commits, never those blobs).
#
# Then, interleaved, RUNS rounds of:
#   check     incident-guard check --format json --base BASE --today DAY
#   script    grep -rlI 'incident:' . >/dev/null; git log --format=%B | grep -c INC-
#   scan      incident-guard check --format json --no-git --today DAY
#   grep      grep -rlI 'incident:' .
# and prints, per repository, one line per comparison (medians; rss is check's peak):
#   NAME-check ratio=X.XX check=…s baseline=…s rss=…MB
#   NAME-scan ratio=X.XX check=…s baseline=…s rss=…MB
# The findings of `check` must be exactly the seeded ones: a linked-test-removed for the
# deleted test, an action-item-without-commit for the item no commit names, and, when the
# deleted test's file is code rather than a test file, the touches-incident-code note the
# change earns by touching a file its incident's fix commit changed. The script exits 1
# otherwise.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/target/release/incident-guard"
CORPORA="${CORPORA:-${TMPDIR:-/tmp}/ig-corpora}"
RUNS="${RUNS:-7}"

(($# > 0)) || { sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 2; }
case "$CORPORA/" in "$ROOT"/*) echo "real_repos.sh: CORPORA must be outside the repository" >&2; exit 2 ;; esac
# shellcheck source=benches/lib.sh
source "$ROOT/benches/lib.sh"
bench_prepare real_repos.sh git python3 /usr/bin/time grep
mkdir -p "$CORPORA"

# prepare NAME SOURCE: a seeded clone at $CORPORA/NAME, its manifest at $CORPORA/NAME.json.
prepare() {
    local name=$1 source=$2 dir="$CORPORA/$1"
    if [[ -f "$CORPORA/$name.json" && -d "$dir/.git" ]]; then
        git -C "$dir" reset -q --hard "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["head"])' "$CORPORA/$name.json")"
        git -C "$dir" clean -qfdx
        return
    fi
    rm -rf -- "$dir" "$CORPORA/$name.json"
    echo "== cloning $source into $dir"
    git clone -q --no-checkout "$source" "$dir"
    git -C "$dir" config gc.auto 0
    git -C "$dir" config core.autocrlf false
    # Blobs the source lacks: point their paths at a placeholder, then check out.
    git -C "$dir" read-tree HEAD
    local missing
    missing=$(git -C "$dir" ls-files -s | awk '$1 != "160000" {print $2}' |
        git -C "$dir" cat-file --batch-check='%(objectname) %(objecttype)' | awk '$2 == "missing" {print $1}' | sort -u)
    if [[ -n "$missing" ]]; then
        local placeholder n=0
        placeholder=$(printf 'placeholder: this blob is not in the snapshot\n' | git -C "$dir" hash-object -w --stdin)
        while read -r mode oid _stage path; do
            if grep -qxF "$oid" <<<"$missing"; then
                git -C "$dir" update-index --cacheinfo "$mode,$placeholder,$path"
                n=$((n + 1))
            fi
        done < <(git -C "$dir" ls-files -s)
        echo "  $n files whose blobs the source lacks replaced by a placeholder"
    fi
    git -C "$dir" checkout-index -a -f
    if [[ -n "$missing" ]]; then
        GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench \
            GIT_COMMITTER_EMAIL=bench@example.com \
            GIT_COMMITTER_DATE="$(git -C "$dir" log -1 --format=%ct) +0000" \
            git -C "$dir" commit -q --no-verify -m "Placeholders for blobs not in the snapshot"
    fi
    python3 "$ROOT/benches/seed_real.py" "$dir" "$CORPORA/$name.json"
}


verdict=0
lines=()
for arg in "$@"; do
    name=${arg%%=*} source=${arg#*=}
    prepare "$name" "$source"
    [[ "${PREPARE_ONLY:-0}" == 1 ]] && continue
    dir="$CORPORA/$name" manifest="$CORPORA/$name.json"
    read -r base today < <(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["base"], m["today"])' "$manifest")
    printf '== %s: %s files (%s .rs), %s commits; load %s\n' "$name" "$(git -C "$dir" ls-files | wc -l)" \
        "$(git -C "$dir" ls-files '*.rs' | wc -l)" "$(git -C "$dir" rev-list --count HEAD)" "$(cut -d' ' -f1-3 /proc/loadavg)"
    WORK="$CORPORA/$name.runs"
    rm -rf -- "$WORK" && mkdir -p "$WORK"
    : >"$WORK/results"
    (
        cd "$dir"
        # Warm the page cache once, so that no command pays for the first read.
        grep -rlI 'incident:' . >/dev/null || true
        git log --format=%B >/dev/null
        # Interleaved: one run of each per round, so that a change in the machine's load
        # falls on all of them alike.
        for ((round = 1; round <= RUNS; round++)); do
            RUNS=1 time_cmd check "$BIN" check --format json --base "$base" --today "$today"
            RUNS=1 time_cmd script bash -c "grep -rlI 'incident:' . >/dev/null; git log --format=%B | grep -c INC-"
            RUNS=1 time_cmd scan "$BIN" check --format json --no-git --today "$today"
            RUNS=1 time_cmd grep bash -c "grep -rlI 'incident:' . >/dev/null"
        done
    )
    python3 - "$WORK/out.check" "$manifest" <<'PY' || verdict=1
import collections, json, sys
doc, m = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
got = collections.Counter(f["rule"] for f in doc["findings"])
d = m["deleted"]
# The deleted test's file was changed by its incident's fix commit: unless it is a test
# file (under tests/, or a tests.rs), it is the incident's code, and the change touches it.
dirs = d["path"].split("/")[:-1]
test_file = any(x in ("tests", "test", "__tests__", "testdata") for x in dirs) or d["path"].endswith("/tests.rs")
want = {"linked-test-removed": 1, "action-item-without-commit": 1}
if not test_file:
    want["touches-incident-code"] = 1
problems = []
if got != collections.Counter(want):
    problems.append(f"findings by rule: {dict(got)}, expected {want}")
for f in doc["findings"]:
    if f["rule"] == "linked-test-removed":
        if f"{d['path']}::" not in f["message"] or d["test"] not in f["message"] or d["incident"] not in f["message"]:
            problems.append(f"removal reported as {f.get('path')}: {f['message']}")
    elif f["rule"] == "action-item-without-commit":
        if m["missing"] not in f["message"]:
            problems.append(f"action-item-without-commit for the wrong item: {f['message']}")
    elif f["rule"] == "touches-incident-code":
        if d["incident"] not in f["message"] or d["path"] not in f["message"]:
            problems.append(f"touches-incident-code about something else: {f['message']}")
    else:
        problems.append(f"unexpected: {f['rule']} {f.get('path')}:{f.get('line')}: {f['message']}")
s = doc["summary"]
if s["incidents"] != m["incidents"] or s["linked_tests"] != m["incidents"]:
    problems.append(f"incidents/linked tests: {s['incidents']}/{s['linked_tests']}")
for p in problems:
    print("  UNEXPECTED:", p)
print("  findings: exactly the seeded ones" if not problems else "  findings: NOT the seeded ones")
sys.exit(1 if problems else 0)
PY
    # median wall time per label (ns clock), and the largest peak RSS.
    med() { awk -v l="$1" '$1 == l {print $4}' "$WORK/results" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)] / 1000}'; }
    rss() { awk -v l="$1" '$1 == l && $5 > m {m = $5} END {printf "%.0f", m / 1024}' "$WORK/results"; }
    c=$(med check) s=$(med script) n=$(med scan) g=$(med grep)
    lines+=("$(awk -v n="$name" -v c="$c" -v s="$s" -v r="$(rss check)" 'BEGIN {printf "%s-check ratio=%.2f check=%.3fs baseline=%.3fs rss=%sMB", n, c / s, c, s, r}')")
    lines+=("$(awk -v n="$name" -v c="$n" -v s="$g" -v r="$(rss scan)" 'BEGIN {printf "%s-scan ratio=%.2f check=%.3fs baseline=%.3fs rss=%sMB", n, c / s, c, s, r}')")
    printf '%s\n' "${lines[@]: -2}"
done
[[ "${PREPARE_ONLY:-0}" == 1 ]] && exit 0
echo "== results (median of $RUNS interleaved runs; load $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%s\n' "${lines[@]}"
exit $verdict
