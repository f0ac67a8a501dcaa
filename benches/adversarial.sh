#!/usr/bin/env bash
# Benchmark: how `incident-guard check` scales on adversarial inputs. Each row is built at a
# size and at ten times that size (benches/adversarial.py), checked RUNS times (median),
# and printed as one line:
#   adv-ROW ratio=T10/T1 check=T10 baseline=T1 rss=PEAK_RSS_AT_10x
# ratio is the time at ten times the input over the time at the input: linear is about 10,
# the target at most 12 (ratios below 10 mean fixed costs still dominate at the small size).
#
# Rows (size, then ten times it):
#   items        action items in one postmortem (git repository, one commit)
#   commits      closed action items, each with a `commits` entry (git repository)
#   postmortems  postmortem files, all linked by one marker line
#   tests        linked tests in one Rust file
#   similarity   new linked 20 KB tests against one removed 20 KB test (`--base`)
#   suggest      the length of an unknown ID one character away from a known one (×5)
#   bigfile      megabytes of one Rust file with a marker
#   jsline       `it()` calls on one line of a JavaScript test file
#   unknown      distinct unknown IDs on one marker line
#
# Usage: benches/adversarial.sh [ROW...]     (RUNS=n, default 3; KEEP=1 keeps the trees)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/target/release/incident-guard"
RUNS="${RUNS:-3}"
declare -A SIZE=([items]=10000 [commits]=2000 [postmortems]=4000 [tests]=4000 [similarity]=8
    [suggest]=6000 [bigfile]=10 [jsline]=1600 [unknown]=10000)
ROWS=("$@")
((${#ROWS[@]})) || ROWS=(items commits postmortems tests similarity suggest bigfile jsline unknown)

# shellcheck source=benches/lib.sh
source "$ROOT/benches/lib.sh"
bench_prepare adversarial.sh git python3 /usr/bin/time
WORK="$(mktemp -d "${TMPDIR:-/tmp}/ig-adversarial.XXXXXX")"
cleanup() { if [[ "${KEEP:-0}" == 1 ]]; then echo "kept: $WORK" >&2; else rm -rf -- "$WORK"; fi; }
trap cleanup EXIT
: >"$WORK/results"

lines=()
for row in "${ROWS[@]}"; do
    n=${SIZE[$row]:?unknown row $row}
    for scale in 1 10; do
        dir="$WORK/$row-$scale"
        mkdir -p "$dir"
        read -ra args < <(python3 "$ROOT/benches/adversarial.py" "$row" $((n * scale)) "$dir")
        (cd "$dir" && time_cmd "$row-$scale" "$BIN" check --format json --today 2025-01-01 "${args[@]}")
        rc=$(awk -v l="$row-$scale" '$1 == l {print $6}' "$WORK/results")
        if [[ "$rc" != 0 && "$rc" != 1 ]]; then
            echo "FAIL: $row at $((n * scale)) exited $rc"; tail -n 3 "$WORK/err.$row-$scale"
        fi
    done
    read -r t1 < <(awk -v l="$row-1" '$1 == l {print $4 / 1000}' "$WORK/results")
    read -r t10 rss < <(awk -v l="$row-10" '$1 == l {print $4 / 1000, $5}' "$WORK/results")
    lines+=("$(awk -v r="$row" -v a="$t1" -v b="$t10" -v m="$rss" -v n="$n" \
        'BEGIN {printf "adv-%s ratio=%.2f check=%.3fs baseline=%.3fs rss=%.0fMB (size %d and %d)", r, b / a, b, a, m / 1024, n, n * 10}')")
    echo "${lines[-1]}"
done
echo "== results (median of $RUNS runs; load $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%s\n' "${lines[@]}"
