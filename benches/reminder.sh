#!/usr/bin/env bash
# Benchmark: what the incident-code reminder (`touches-incident-code`) adds to `check` on
# a repository with 1,000 incidents and a 1,000-file change.
#
# Generates (under a temporary directory, deleted at the end), with `git fast-import`:
#   - 2,000 Rust files under src/ and 1,000 test files under tests/, each test file with
#     one test linked to its incident (INC-2025-0001..1000);
#   - 1,000 fix commits, one per incident, each changing the incident's own source file
#     and its test file (every tenth also src/core/pool.rs, a hotspot), with the
#     message `Fix … (INC-2025-NNNN#A1)`, and 2,000 ordinary commits between them that
#     change random files; a tag `fix-INC-2025-NNNN` on every fix commit;
#   - 1,000 postmortems, committed on top: a third name their fix commit in
#     `fix_commits` (by tag), a third close action item A1 (the fix commit's message is
#     its evidence), a third list their source file in `paths`;
#   - a commit that `git mv`s 100 of the incidents' source files to src/moved/ (renames
#     the reminder must follow);
#   - a `feature` branch whose one commit changes 1,000 source files, 500 of which
#     belong to an incident.
# The repository is packed with `git gc`, as a real clone would be.
#
# Times, RUNS runs each (median wall time), `check --format json --base main` on the
# feature branch:
#   rule-off   the new binary, `--config bench-off.toml`: `touches-incident-code = "off"`
#              (committed, so the base's config agrees and the rule stays off)
#   rule-on    the new binary, the rule at its default level (incident-guard.toml)
#   markdown   the same as rule-on, `--format markdown` (the PR comment with its section)
#   before     BEFORE=/path/to/incident-guard, a binary built without the feature (the
#              postmortems' `paths` and `fix_commits` are unknown keys to it: each is an
#              `invalid-postmortem` finding, which costs nothing measurable)
# The reading of fix commits happens in `analyze`, whatever the rule's level: `rule-off`
# minus `before` is that cost, `rule-on` minus `rule-off` the check and its findings.
# Then the same runs again interleaved, one of each per round, with their CPU time
# (user + system): on a machine shared with other builds that is the steadier figure.
#
# Usage: benches/reminder.sh        (BEFORE=… adds the comparison; KEEP=1 keeps the
#                                     generated repository and prints its path; RUNS=n)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export BENCH_DIR="$ROOT/benches"
BIN="$ROOT/target/release/incident-guard"
RUNS=${RUNS:-5}
N_INC=1000

# shellcheck source=benches/lib.sh
source "$ROOT/benches/lib.sh"
bench_prepare reminder.sh git python3 /usr/bin/time

WORK="$(mktemp -d "${TMPDIR:-/tmp}/ig-reminder.XXXXXX")"
cleanup() {
    if [[ "${KEEP:-0}" == 1 ]]; then
        echo "kept: $WORK" >&2
    else
        rm -rf -- "$WORK"
    fi
}
trap cleanup EXIT
REPO="$WORK/repo"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null HOME="$WORK"
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
unset GITHUB_EVENT_PATH GITHUB_ACTIONS GITHUB_STEP_SUMMARY

now_ns() { date +%s%N; }
secs_since() { awk -v a="$1" -v b="$(now_ns)" 'BEGIN {printf "%.1f", (b - a) / 1e9}'; }

echo "== generating the history with git fast-import in $REPO"
t0=$(now_ns)
git init -q -b main "$REPO"
git -C "$REPO" config gc.auto 0
git -C "$REPO" config commit.gpgsign false

python3 - "$N_INC" "$WORK/manifest.json" <<'PY' | git -C "$REPO" fast-import --quiet
import json, os, random, sys
sys.path.insert(0, os.environ["BENCH_DIR"])
from rustgen import NOUNS, VERBS, rust_file

n_inc, manifest_path = int(sys.argv[1]), sys.argv[2]
rng = random.Random(20250101)
N_FILES = 2000
out = sys.stdout.buffer

def data(b):
    out.write(b"data %d\n" % len(b))
    out.write(b)
    out.write(b"\n")

def iid(i):
    return f"INC-2025-{i:04d}"

paths = [f"src/m{idx // 100:02d}/file_{idx:04d}.rs" for idx in range(N_FILES)]
contents = {p: rust_file(rng, idx, None).encode() for idx, p in enumerate(paths)}
contents["src/core/pool.rs"] = b"pub struct Pool;\n"
# Incident i's own source file: 7 is prime to 2,000, so every incident gets another one.
own = {i: paths[(i * 7) % N_FILES] for i in range(1, n_inc + 1)}
tests = {i: f"tests/inc_{i:04d}.rs" for i in range(1, n_inc + 1)}
for i, p in tests.items():
    contents[p] = (f"// incident: {iid(i)}\n#[test]\nfn regression_{i:04d}() {{\n"
                   f"    assert_eq!(payments::charge({i}), {i});\n}}\n").encode()
contents["src/lib.rs"] = b"pub fn charge(x: u64) -> u64 { x }\n"
contents["Cargo.toml"] = b'[package]\nname = "payments"\nversion = "0.1.0"\nedition = "2021"\n'

t = 1735689600
mark = 0
def commit(message, files):
    global t, mark
    t += rng.randint(60, 2400)
    mark += 1
    who = f"bench <bench@example.com> {t} +0000".encode()
    out.write(b"commit refs/heads/main\nmark :%d\n" % mark)
    out.write(b"author " + who + b"\ncommitter " + who + b"\n")
    data(message.encode())
    for p in files:
        out.write(b"M 100644 inline " + p.encode() + b"\n")
        data(contents[p])
    out.write(b"\n")
    return mark

commit("Initial import of the service", list(contents))
fix_marks = {}
for i in range(1, n_inc + 1):
    for _ in range(2):  # ordinary work between the fixes
        p = rng.choice(paths)
        contents[p] += b"pub const TWEAK_%d: u64 = %d;\n" % (mark, rng.randint(1, 10**6))
        commit(f"Refactor {rng.choice(NOUNS)} {rng.choice(VERBS)}", [p])
    changed = [own[i], tests[i]]
    contents[own[i]] += b"pub const FIX_%d: u64 = %d;\n" % (i, i)
    contents[tests[i]] += b"// covers the fix\n"
    if i % 10 == 0:
        contents["src/core/pool.rs"] += b"// fix %d\n" % i
        changed.append("src/core/pool.rs")
    fix_marks[i] = commit(f"Fix {rng.choice(NOUNS)} {rng.choice(['retry', 'timeout', 'failover'])} ({iid(i)}#A1)", changed)
for i, m in fix_marks.items():
    out.write(f"reset refs/tags/fix-{iid(i)}\nfrom :{m}\n\n".encode())
out.write(b"done\n")
out.flush()
with open(manifest_path, "w") as f:
    json.dump({"own": own}, f)
PY
echo "  fast-import done in $(secs_since "$t0")s"

cd "$REPO"
git reset --hard --quiet main
python3 - "$N_INC" "$WORK/manifest.json" <<'PY'
import json, os, sys
n_inc = int(sys.argv[1])
own = {int(k): v for k, v in json.load(open(sys.argv[2]))["own"].items()}
os.makedirs("postmortems/2025", exist_ok=True)
for i in range(1, n_inc + 1):
    iid = f"INC-2025-{i:04d}"
    if i % 3 == 0:
        code = f'fix_commits = ["fix-{iid}"]\n'
        items = ""
    elif i % 3 == 1:
        code = ""
        items = (f'\n[[action_items]]\nid = "A1"\ntitle = "Bound the retries of the {iid} path"\n'
                 'owner = "@payments"\ndue = 2025-06-01\nstatus = "closed"\nkind = "prevent"\n')
    else:
        code = f'paths = ["{own[i]}"]\n'
        items = ""
    with open(f"postmortems/2025/{iid}.md", "w") as f:
        f.write(f'+++\nid = "{iid}"\ntitle = "Checkout failed under load ({iid})"\ndate = 2025-03-01\n'
                f'severity = "SEV{1 + i % 3}"\n{code}{items}+++\n\n## Summary\n\nSomething went wrong.\n')
PY
# Lints off: minimal postmortems. The reminder is on in incident-guard.toml and off in
# bench-off.toml, both committed, so that the base's config agrees with each run's.
LINTS='[rules]
action-item-missing-owner = "off"
action-item-missing-due = "off"
vague-action-item = "off"
blame-language = "off"
missing-section = "off"
no-prevent-action = "off"
action-item-past-sla = "off"
'
printf '%s' "$LINTS" >incident-guard.toml
printf '%stouches-incident-code = "off"\n' "$LINTS" >bench-off.toml
git add -A && git commit -q -m "Postmortems"
python3 - "$WORK/manifest.json" <<'PY' >"$WORK/moves"
import json
own = json.load(open(__import__("sys").argv[1]))["own"]
for i in range(3, 301, 3):  # 100 incidents whose fix commits must be followed to src/moved/
    print(own[str(i)])
PY
mkdir -p src/moved
while read -r p; do git mv "$p" "src/moved/$(basename "$p")"; done <"$WORK/moves"
git commit -q -m "Move the hot modules"
git gc --quiet
git checkout -q -b feature
# 1,000 changed files: 500 that belong to an incident (moved ones among them), 500 not.
python3 - "$WORK/manifest.json" <<'PY'
import json, os, random, sys
own = set(json.load(open(sys.argv[1]))["own"].values())
rng = random.Random(7)
files = sorted(os.path.join(d, f) for d, _, fs in os.walk("src") for f in fs if f.endswith(".rs") and f != "lib.rs")
mine = [f for f in files if f in own or f.startswith("src/moved/")]
other = [f for f in files if f not in mine and not f.startswith("src/core/")]
for f in rng.sample(mine, 500) + rng.sample(other, 500):
    with open(f, "a") as h:
        h.write("pub const FEATURE: u64 = 1;\n")
PY
git commit -q -am "Feature work across the service"
printf '  %s commits, %s files at HEAD, %s changed on the feature branch, %s postmortems, .git %s (%ss)\n' \
    "$(git rev-list --count HEAD)" "$(git ls-files | wc -l)" "$(git diff --name-only main | wc -l)" \
    "$(ls postmortems/2025 | wc -l)" "$(du -sh .git | cut -f1)" "$(secs_since "$t0")"

: >"$WORK/results"
echo "== timing ($RUNS runs each)"
ARGS=(check --format json --base main --today 2025-01-01)
time_cmd rule-off "$BIN" "${ARGS[@]}" --config bench-off.toml
time_cmd rule-on "$BIN" "${ARGS[@]}"
time_cmd markdown "$BIN" check --format markdown --base main --today 2025-01-01
if [[ -n "${BEFORE:-}" ]]; then
    time_cmd before "$BEFORE" "${ARGS[@]}"
fi

echo "== findings"
python3 - "$WORK/out.rule-on" "$WORK/out.rule-off" <<'PY'
import collections, json, sys
on, off = (json.load(open(p)) for p in sys.argv[1:3])
for name, doc in (("rule-on", on), ("rule-off", off)):
    by_rule = collections.Counter(f["rule"] for f in doc["findings"])
    print(f"{name}: {json.dumps(dict(sorted(by_rule.items())))}")
touch = [f for f in on["findings"] if f["rule"] == "touches-incident-code"]
files = {f["path"] for f in touch}
moved = {f["path"] for f in touch if f["path"].startswith("src/moved/")}
print(f"touches-incident-code: {len(touch)} findings on {len(files)} files ({len(moved)} under src/moved/)")
with_files = sum(1 for i in on["incidents"] if i["files"])
print(f"incidents with files: {with_files} of {len(on['incidents'])}")
if len(files) != 500:
    print(f"UNEXPECTED: expected the 500 changed files that belong to an incident, got {len(files)}")
PY
echo "markdown comment: $(wc -c <"$WORK/out.markdown") bytes"
"$BIN" stats --format json >"$WORK/out.stats"
python3 - "$WORK/out.stats" <<'PY'
import json, sys
hot = json.load(open(sys.argv[1]))["hotspots"]
top = ", ".join(f"{h['path']} ({len(h['incidents'])} incidents)" for h in hot[:3])
print(f"stats hotspots: {len(hot)} file(s): {top}")
PY

# On a shared machine wall times swing with the neighbours' load: the same runs again,
# interleaved (one of each per round, so that load hits all alike), with CPU time
# (user + system), which the load barely moves.
echo "== interleaved ($RUNS rounds): wall and CPU seconds"
: >"$WORK/rounds"
for ((i = 1; i <= RUNS; i++)); do
    /usr/bin/time -f 'rule-off %e %U %S' -a -o "$WORK/rounds" "$BIN" "${ARGS[@]}" --config bench-off.toml >/dev/null 2>&1 || true
    /usr/bin/time -f 'rule-on %e %U %S' -a -o "$WORK/rounds" "$BIN" "${ARGS[@]}" >/dev/null 2>&1 || true
    if [[ -n "${BEFORE:-}" ]]; then
        /usr/bin/time -f 'before %e %U %S' -a -o "$WORK/rounds" "$BEFORE" "${ARGS[@]}" >/dev/null 2>&1 || true
    fi
done
python3 - "$WORK/rounds" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) == 4 and parts[0] in ("rule-off", "rule-on", "before"):
        runs[parts[0]].append((float(parts[1]), float(parts[2]) + float(parts[3])))
print(f"{'run':12} {'wall_median':>11} {'wall_min':>8} {'cpu_median':>10} {'cpu_min':>7}")
for name in ("rule-off", "rule-on", "before"):
    if runs[name]:
        wall, cpu = [r[0] for r in runs[name]], [r[1] for r in runs[name]]
        print(f"{name:12} {statistics.median(wall):11.2f} {min(wall):8.2f} {statistics.median(cpu):10.2f} {min(cpu):7.2f}")
PY

echo
echo "== results ($N_INC incidents, 1,000 changed files; median of $RUNS runs; median_s: /usr/bin/time %e, median_ms: ns clock)"
printf '%-12s %9s %7s %10s %13s %4s\n' run median_s min_s median_ms peak_rss_KiB exit
while read -r label med min ms rss rc; do
    printf '%-12s %9s %7s %10s %13s %4s\n' "$label" "$med" "$min" "$ms" "$rss" "$rc"
done <"$WORK/results"
awk '{ms[$1] = $4} END {
    printf "rule-on - rule-off: %+d ms\n", ms["rule-on"] - ms["rule-off"]
    if ("before" in ms) printf "rule-on - before:   %+d ms (rule-off - before: %+d ms)\n", ms["rule-on"] - ms["before"], ms["rule-off"] - ms["before"]
}' "$WORK/results"
