#!/usr/bin/env bash
# Test results on a real crate: links every `#[test]` of a Rust crate to one incident (in
# a copy), runs its tests with cargo-nextest writing JUnit, then times
# `incident-guard check --test-results` on the report and counts how many linked tests
# map to a result. Then times the read of a 200 MB JUnit file made here. Prints
# "LABEL median_s min_s median_ms peak_rss_kib exit" lines (see lib.sh).
#
#   benches/test_results.sh path/to/incident-guard CRATE_DIR [NEXTEST_ARGS…]
#   e.g. benches/test_results.sh target/release/incident-guard ~/src/tokio/tokio --features full
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
IG=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
CRATE=$(cd "$2" && pwd)
shift 2
RUNS=${RUNS:-5}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
: > "$WORK/results"

# The crate, its tests linked: a marker above every test attribute line.
cp -R "$CRATE" "$WORK/crate"
cd "$WORK/crate"
rm -rf target .git
find . -name '*.rs' -print0 | xargs -0 sed -i -E 's|^([[:space:]]*)#\[((tokio::)?test)\]|\1// incident: INC-1\n\1#[\2]|'
mkdir -p postmortems
printf '+++\nid = "INC-1"\ntitle = "Every test"\ndate = 2026-01-01\ntest_waiver = "A benchmark links every test of the crate to this incident."\n+++\n' > postmortems/inc-1.md
printf '[rules]\nmissing-section = "off"\nno-prevent-action = "off"\nlinked-test-skipped-conditionally = "off"\n' > incident-guard.toml
mkdir -p .config
printf '[profile.ci.junit]\npath = "junit.xml"\n[profile.ci]\nfail-fast = false\n' > .config/nextest.toml
echo "running the crate's tests (this builds them)"
cargo nextest run --profile ci --no-fail-fast "$@" > "$WORK/nextest.log" 2>&1 || true
JUNIT=target/nextest/ci/junit.xml
echo "report: $(du -h "$JUNIT" | cut -f1), $(grep -c '<testcase' "$JUNIT") test cases"
time_cmd crate-check "$IG" check . --no-git --format json --test-results "$JUNIT"
python3 - "$WORK/out.crate-check" <<'PY'
import json, sys, collections
doc = json.load(open(sys.argv[1]))
runs = collections.Counter(t.get("run", "no results") for i in doc["incidents"] for t in i["linked_tests"])
print("linked tests:", doc["summary"]["linked_tests"], dict(runs))
PY
time_cmd crate-no-results "$IG" check . --no-git --format json --no-test-results

# 200 MB of JUnit: 60,000 failing cases with 1.5 KB of failure text and output each.
python3 - "$WORK/huge.xml" <<'PY'
import sys
noise = "x" * 1500
with open(sys.argv[1], "w") as f:
    f.write('<testsuites name="nextest-run"><testsuite name="huge">\n')
    i = 0
    while f.tell() < 200 * 1024 * 1024:
        f.write(f'<testcase classname="huge" name="t{i}"><failure message="boom">{noise}</failure><system-out>{noise}</system-out></testcase>\n')
        i += 1
    f.write('</testsuite></testsuites>\n')
PY
time_cmd huge-200mb "$IG" check . --no-git --format json --test-results "$WORK/huge.xml"
echo
cat "$WORK/results"
