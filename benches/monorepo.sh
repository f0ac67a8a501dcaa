#!/usr/bin/env bash
# Benchmark: `incident-guard check --base` on a monorepo-sized history against
# `git log --format=%B` on it.
#
# Generates with `git fast-import` (benches/monorepo.py says what): 100,200 files, COMMITS
# commits (default 1,000,000) over ten years, 2,000 postmortems with 10,000 action items,
# 5,000 linked tests, and a last commit that deletes one of them. Then, interleaved, RUNS
# rounds (default 5) of:
#   check    incident-guard check --format json --base HEAD~1000 --today 2026-01-02
#   cached   the same with --cache DIR, DIR holding what a run at HEAD~1000 read (as the
#            Action's cache holds the run on the base branch)
#   gitlog   git log --format=%B >/dev/null
# and prints one line per comparison (medians; rss is incident-guard's peak):
#   monorepo-check ratio=X.XX check=…s baseline=…s rss=…MB
#   monorepo-cached ratio=X.XX check=…s baseline=…s rss=…MB
# The findings must be exactly the seeded ones: one linked-test-removed and an
# action-item-without-commit for each of the 500 closed items no commit names. The
# script exits 1 otherwise.
#
# Usage: benches/monorepo.sh   (COMMITS=n, RUNS=n; KEEP=1 keeps the repository and prints
# its path; REPO=DIR reuses a repository kept before)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/target/release/incident-guard"
RUNS="${RUNS:-5}"
COMMITS="${COMMITS:-1000000}"
# shellcheck source=benches/lib.sh
source "$ROOT/benches/lib.sh"
bench_prepare monorepo.sh git python3 /usr/bin/time

if [[ -n "${REPO:-}" ]]; then
    WORK="$(dirname "$REPO")"
    KEEP=1
else
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/ig-monorepo.XXXXXX")"
    REPO="$WORK/repo"
fi
cleanup() { if [[ "${KEEP:-0}" == 1 ]]; then echo "kept: $REPO" >&2; else rm -rf -- "$WORK"; fi; }
trap cleanup EXIT
secs() { awk -v a="$1" -v b="$(date +%s%N)" 'BEGIN {printf "%.0f", (b - a) / 1e9}'; }

if [[ ! -d "$REPO/.git" ]]; then
    echo "== generating $COMMITS commits with git fast-import in $REPO"
    t0=$(date +%s%N)
    git init -q -b main "$REPO"
    git -C "$REPO" config gc.auto 0
    python3 "$ROOT/benches/monorepo.py" "$COMMITS" "$WORK/manifest.json" | git -C "$REPO" fast-import --quiet
    echo "  fast-import: $(secs "$t0") s"
    t0=$(date +%s%N)
    git -C "$REPO" repack -a -d -q
    echo "  repack: $(secs "$t0") s"
    t0=$(date +%s%N)
    git -C "$REPO" reset -q --hard main
    git -C "$REPO" worktree add -q --detach "$WORK/at-base" HEAD~1000
    echo "  checkouts: $(secs "$t0") s"
fi
printf '  %s commits, %s files, .git %s\n' "$(git -C "$REPO" rev-list --count HEAD)" \
    "$(git -C "$REPO" ls-files | wc -l)" "$(du -sh "$REPO/.git" | cut -f1)"

# The cache a run on the base branch leaves: a run at HEAD~1000 (a worktree of the same
# repository), kept aside and copied in before each cached run.
rm -rf -- "$WORK/cache-base" "$WORK/cache"
(cd "$WORK/at-base" && "$BIN" check --format json --base HEAD~1 --today 2026-01-02 --cache "$WORK/cache-base" >/dev/null) || true
[[ -f "$WORK/cache-base/incident-guard-history.json" ]] || { echo "FAIL: the run at the base wrote no cache"; exit 1; }

: >"$WORK/results"
(
    cd "$REPO"
    git log --format=%B >/dev/null # warm the page cache
    for ((round = 1; round <= RUNS; round++)); do
        RUNS=1 time_cmd check "$BIN" check --format json --base HEAD~1000 --today 2026-01-02
        rm -rf -- "$WORK/cache" && cp -r "$WORK/cache-base" "$WORK/cache"
        RUNS=1 time_cmd cached "$BIN" check --format json --base HEAD~1000 --today 2026-01-02 --cache "$WORK/cache"
        RUNS=1 time_cmd gitlog bash -c 'git log --format=%B >/dev/null'
    done
)
verdict=0
for label in check cached; do
    python3 - "$WORK/out.$label" "$WORK/manifest.json" "$label" <<'PY' || verdict=1
import collections, json, re, sys
doc, m, label = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
problems = []
got = collections.Counter(f["rule"] for f in doc["findings"])
want = {"linked-test-removed": 1, "action-item-without-commit": len(m["unnamed"])}
if got != collections.Counter(want):
    problems.append(f"findings by rule: {dict(got)}, expected {want}")
flagged = {re.match(r"action item (\S+) ", f["message"]).group(1)
           for f in doc["findings"] if f["rule"] == "action-item-without-commit"}
if flagged != set(m["unnamed"]):
    problems.append(f"{len(flagged - set(m['unnamed']))} flagged that a commit names, "
                    f"{len(set(m['unnamed']) - flagged)} unnamed not flagged")
for f in doc["findings"]:
    if f["rule"] == "linked-test-removed" and (m["deleted"]["path"] not in f["message"] or m["deleted"]["incident"] not in f["message"]):
        problems.append(f"removal reported as: {f['message']}")
evidence = {f"{i['id']}#{a['id']}": a.get("commits", []) for i in doc["incidents"] for a in i["action_items"]}
short = [r for r in m["referenced"] if len(evidence.get(r, [])) != 1]
if short:
    problems.append(f"{len(short)} named items without exactly one evidence commit, e.g. {short[:3]}")
s = doc["summary"]
if (s["incidents"], s["linked_tests"]) != (m["incidents"], m["tests"] - 1):
    problems.append(f"incidents/linked tests: {s['incidents']}/{s['linked_tests']}")
for p in problems:
    print(f"  UNEXPECTED ({label}):", p)
print(f"  findings ({label}): " + ("exactly the seeded ones" if not problems else "NOT the seeded ones"))
sys.exit(1 if problems else 0)
PY
done
med() { awk -v l="$1" '$1 == l {print $4}' "$WORK/results" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)] / 1000}'; }
rss() { awk -v l="$1" '$1 == l && $5 > m {m = $5} END {printf "%.0f", m / 1024}' "$WORK/results"; }
g=$(med gitlog)
echo "== results (median of $RUNS interleaved runs; load $(cut -d' ' -f1-3 /proc/loadavg))"
for label in check cached; do
    awk -v n="monorepo-$label" -v c="$(med "$label")" -v s="$g" -v r="$(rss "$label")" \
        'BEGIN {printf "%s ratio=%.2f check=%.3fs baseline=%.3fs rss=%sMB\n", n, c / s, c, s, r}'
done
exit $verdict
