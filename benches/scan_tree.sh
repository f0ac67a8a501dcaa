#!/usr/bin/env bash
# Benchmark: how long `incident-guard check --no-git` takes to scan a large source tree.
#
# Generates (under a temporary directory, deleted at the end) a tree with 50 postmortems
# (INC-2024-001..050) and 2,000 Rust files of 100-200 lines each, every file ending in a
# `#[cfg(test)] mod tests` with a few `#[test]` fns. Exactly 50 files carry one
# `// incident: INC-2024-0NN` marker above one test (one file per incident).
#
# Times, 3 runs each (median and min wall time, peak RSS):
#   incident-guard check --no-git --format json DIR      (exit 0 expected)
#   grep -rc 'incident:' DIR/src | wc -l                 (baseline: reading the tree)
#
# Usage: benches/scan_tree.sh        (KEEP=1 keeps the generated tree and prints its path)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export BENCH_DIR="$ROOT/benches"
BIN="$ROOT/target/release/incident-guard"
RUNS=3

# shellcheck source=benches/lib.sh
source "$ROOT/benches/lib.sh"
bench_prepare scan_tree.sh python3 /usr/bin/time

WORK="$(mktemp -d "${TMPDIR:-/tmp}/ig-scan-tree.XXXXXX")"
cleanup() {
    if [[ "${KEEP:-0}" == 1 ]]; then
        echo "kept: $WORK" >&2
    else
        rm -rf -- "$WORK"
    fi
}
trap cleanup EXIT
TREE="$WORK/tree"
mkdir -p "$TREE"

echo "== generating tree in $TREE"
gen_start=$(date +%s%N)
python3 - "$TREE" <<'PY'
import os, random, sys
sys.path.insert(0, os.environ["BENCH_DIR"])
from rustgen import NOUNS, VERBS, rust_file

root = sys.argv[1]
rng = random.Random(20240305)
N_FILES, N_INC = 2000, 50

pm_dir = os.path.join(root, "postmortems")
os.makedirs(pm_dir)
for i in range(1, N_INC + 1):
    iid = f"INC-2024-{i:03d}"
    with open(os.path.join(pm_dir, f"{iid}.md"), "w") as f:
        f.write(f'+++\nid = "{iid}"\ntitle = "{rng.choice(NOUNS).capitalize()} {rng.choice(VERBS)} failed under load"\n'
                f'date = 2024-{(i % 12) + 1:02d}-{(i % 27) + 1:02d}\nseverity = "SEV2"\n\n'
                f'[[action_items]]\nid = "A1"\ntitle = "Add a regression test"\nowner = "@platform"\nstatus = "open"\n'
                f'+++\n\n## Summary\n\nSomething went wrong.\n')

marked = dict(zip(rng.sample(range(N_FILES), N_INC), range(1, N_INC + 1)))
for idx in range(N_FILES):
    d = os.path.join(root, "src", f"m{idx // 100:02d}")
    os.makedirs(d, exist_ok=True)
    inc = f"INC-2024-{marked[idx]:03d}" if idx in marked else None
    with open(os.path.join(d, f"file_{idx:04d}.rs"), "w") as f:
        f.write(rust_file(rng, idx, inc))
PY
gen_end=$(date +%s%N)
n_files=$(find "$TREE/src" -name '*.rs' | wc -l)
n_lines=$(find "$TREE/src" -name '*.rs' -exec cat {} + | wc -l)
n_markers=$(grep -rh '^ *// incident:' "$TREE/src" | wc -l)
printf 'generated %s .rs files, %s lines, %s markers, %s in %.1fs\n' \
    "$n_files" "$n_lines" "$n_markers" "$(du -sh "$TREE" | cut -f1)" "$(awk -v a="$gen_start" -v b="$gen_end" 'BEGIN {print (b - a) / 1e9}')"

: >"$WORK/results"
echo "== timing"
time_cmd check "$BIN" check --no-git --format json "$TREE"
# shellcheck disable=SC2016 # $1 is expanded by the inner bash
time_cmd grep bash -c 'grep -rc "incident:" "$1/src" | wc -l' _ "$TREE"

echo "== verifying"
check_rc=$(awk '$1 == "check" {print $6}' "$WORK/results")
[[ "$check_rc" == 0 ]] || { echo "FAIL: check exited $check_rc (expected 0)"; cat "$WORK/err.check"; exit 1; }
summary=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(s["incidents"], s["linked_tests"], s["errors"], s["warnings"], s["notes"])' "$WORK/out.check")
read -r s_inc s_tests s_err s_warn s_notes <<<"$summary"
echo "JSON summary: incidents=$s_inc linked_tests=$s_tests errors=$s_err warnings=$s_warn notes=$s_notes"
[[ "$s_inc" == 50 && "$s_tests" == 50 ]] || { echo "FAIL: expected 50 incidents and 50 linked tests"; exit 1; }
echo "grep output: $(cat "$WORK/out.grep") (files listed by grep -rc)"

echo
echo "== results ($RUNS runs each; $n_files files, $n_lines lines; median_s/min_s: /usr/bin/time %e, median_ms: ns clock)"
printf '%-44s %9s %7s %10s %13s %4s\n' command median_s min_s median_ms peak_rss_KiB exit
while read -r label med min ms rss rc; do
    case $label in
        check) name="incident-guard check --no-git --format json" ;;
        grep) name="grep -rc 'incident:' src | wc -l" ;;
    esac
    printf '%-44s %9s %7s %10s %13s %4s\n' "$name" "$med" "$min" "$ms" "$rss" "$rc"
done <"$WORK/results"
