#!/usr/bin/env bash
# Benchmark: the git history checks of `incident-guard check` on a repository with a long
# history, against plain git doing comparable work.
#
# Generates (under a temporary directory, deleted at the end), with `git fast-import`:
#   - 20,000 linear commits on `main`; the first adds every file, each later one appends a
#     line to one or two random files that carry no marker;
#   - 2,000 Rust files of 100-200 lines, each ending in a `#[cfg(test)] mod tests` with a
#     few `#[test]` fns; 50 carry one `// incident: INC-2024-0NN` marker above one test;
#   - 50 postmortems (INC-2024-001..050), each with two `closed` action items A1 and A2;
#     half of the 100 items are mentioned by a commit message (`Fix ... (INC-2024-007#A1)`,
#     a few as a `Postmortem-Action:` trailer), the other messages are ordinary one-liners,
#     some naming an incident without an item, a few naming a nonexistent item `#A10`.
# The repository is packed with `git gc` and checked out, as a real clone would be.
#
# Times, 3 runs each (median and min wall time, peak RSS), in the repository:
#   incident-guard check --format json --base HEAD~1000 --today 2026-01-01   (exit 0 or 1)
#   git log --format=%B | grep -c '#A'
#   git diff --stat HEAD~1000
# and checks the findings against what the generator knows: the only errors expected are
# `action-item-without-commit` for exactly the 50 items no commit mentions.
#
# Usage: benches/history.sh        (KEEP=1 keeps the generated repository and prints its path)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export BENCH_DIR="$ROOT/benches"
BIN="$ROOT/target/release/incident-guard"
RUNS=3
N_COMMITS=20000
BASE_REV="HEAD~1000"

# shellcheck source=benches/lib.sh
source "$ROOT/benches/lib.sh"
bench_prepare history.sh git python3 /usr/bin/time

WORK="$(mktemp -d "${TMPDIR:-/tmp}/ig-history.XXXXXX")"
cleanup() {
    if [[ "${KEEP:-0}" == 1 ]]; then
        echo "kept: $WORK" >&2
    else
        rm -rf -- "$WORK"
    fi
}
trap cleanup EXIT
REPO="$WORK/repo"

now_ns() { date +%s%N; }
secs_since() { awk -v a="$1" -v b="$(now_ns)" 'BEGIN {printf "%.1f", (b - a) / 1e9}'; }

echo "== generating $N_COMMITS commits with git fast-import in $REPO"
t0=$(now_ns)
git init -q -b main "$REPO"
git -C "$REPO" config user.name bench
git -C "$REPO" config user.email bench@example.com
git -C "$REPO" config gc.auto 0

python3 - "$N_COMMITS" "$WORK/manifest.json" <<'PY' | git -C "$REPO" fast-import --quiet
import json, os, random, sys
sys.path.insert(0, os.environ["BENCH_DIR"])
from rustgen import NOUNS, VERBS, rust_file

n_commits, manifest_path = int(sys.argv[1]), sys.argv[2]
rng = random.Random(20240305)
N_FILES, N_INC = 2000, 50
out = sys.stdout.buffer

AUTHORS = [("Ana Souza", "ana"), ("Bo Chen", "bo"), ("Chidi Okafor", "chidi"),
           ("Dana Levi", "dana"), ("Erik Lund", "erik"), ("Fatima Noor", "fatima"),
           ("Gus Pereira", "gus"), ("Hana Sato", "hana")]
DEPS = ["serde", "tokio", "hyper", "sqlx", "tracing", "reqwest", "rustls", "clap"]

def postmortem(i):
    iid = f"INC-2024-{i:03d}"
    items = "".join(
        f'\n[[action_items]]\nid = "{a}"\ntitle = "{t} the {rng.choice(NOUNS)} path"\n'
        f'owner = "@{rng.choice(AUTHORS)[1]}"\ndue = 2024-{(i % 12) + 1:02d}-28\nstatus = "closed"\nkind = "{k}"\n'
        for a, t, k in (("A1", "Add backoff to", "prevent"), ("A2", "Alert on errors in", "detect")))
    return (f'+++\nid = "{iid}"\ntitle = "{rng.choice(NOUNS).capitalize()} {rng.choice(VERBS)} failed under load"\n'
            f'date = 2024-{(i % 12) + 1:02d}-{(i % 27) + 1:02d}\nseverity = "SEV2"\n{items}+++\n\n'
            '## Summary\n\nSomething went wrong.\n\n## Impact\n\nSome checkouts failed.\n\n'
            '## Timeline\n\n| Time | Event |\n|---|---|\n| 09:00 | Deploy |\n\n'
            '## Contributing factors\n\nA retry storm.\n\n## Action items\n\nSee the front matter.\n')

def one_liner():
    n, v = rng.choice(NOUNS), rng.choice(VERBS)
    msg = rng.choice([
        f"Fix {n} {v} when the input is empty",
        f"Refactor {n} module",
        f"Add tests for {v}_{n}",
        f"Tidy up {n} logging",
        f"Bump {rng.choice(DEPS)} to 1.{rng.randint(0, 40)}.{rng.randint(0, 9)}",
        f"Make {v} faster for large {n} batches",
        f"Handle {n} timeouts in {v}",
        f"Remove dead code from {n}",
        f"Document {v}_{n}",
    ])
    if rng.random() < 0.4:
        msg += f" (#{rng.randint(100, 9999)})"
    return msg

def data(b):
    out.write(b"data %d\n" % len(b))
    out.write(b)
    out.write(b"\n")

# Which commits mention which action items (half of the 100 items, once each).
items = [(f"INC-2024-{i:03d}", a) for i in range(1, N_INC + 1) for a in ("A1", "A2")]
referenced = rng.sample(items, len(items) // 2)
unreferenced = [it for it in items if it not in referenced]
special = {}
for inc, a in referenced:
    c = rng.randrange(2, n_commits + 1)
    while c in special:
        c = rng.randrange(2, n_commits + 1)
    n = rng.choice(NOUNS)
    if rng.random() < 0.2:
        special[c] = f"Alert on {n} errors\n\nPostmortem-Action: {inc}#{a}\n"
    else:
        special[c] = f"Fix {n} {rng.choice(['retry', 'backoff', 'timeout', 'failover'])} ({inc}#{a})"
for inc, a in rng.sample(unreferenced, 5):        # not evidence: `#A10` is another item
    c = rng.randrange(2, n_commits + 1)
    while c in special:
        c = rng.randrange(2, n_commits + 1)
    special[c] = f"Prepare {inc}#{a}0 follow-up"
for _ in range(30):                                # naming an incident, not an item
    c = rng.randrange(2, n_commits + 1)
    while c in special:
        c = rng.randrange(2, n_commits + 1)
    special[c] = f"Follow-up to INC-2024-{rng.randint(1, N_INC):03d}: tune {rng.choice(NOUNS)} alerts"

marked = dict(zip(rng.sample(range(N_FILES), N_INC), range(1, N_INC + 1)))
paths = [f"src/m{idx // 100:02d}/file_{idx:04d}.rs" for idx in range(N_FILES)]
contents = {}
for idx, p in enumerate(paths):
    contents[p] = rust_file(rng, idx, f"INC-2024-{marked[idx]:03d}" if idx in marked else None).encode()
plain = [p for idx, p in enumerate(paths) if idx not in marked]

t = 1735689600  # 2025-01-01, after every postmortem
for c in range(1, n_commits + 1):
    t += rng.randint(60, 2400)
    name, user = rng.choice(AUTHORS)
    who = f"{name} <{user}@example.com> {t} +0000".encode()
    out.write(b"commit refs/heads/main\n")
    out.write(b"author " + who + b"\ncommitter " + who + b"\n")
    if c == 1:
        data(b"Initial import of the service")
        files = {**{f"postmortems/INC-2024-{i:03d}.md": postmortem(i).encode() for i in range(1, N_INC + 1)},
                 **contents, "README.md": b"# service\n"}
    else:
        data(special.get(c, one_liner()).encode())
        files = {}
        for p in rng.sample(plain, rng.choice((1, 1, 2))):
            contents[p] += b"pub const TWEAK_%d: u64 = %d;\n" % (c, rng.randint(1, 10**6))
            files[p] = contents[p]
    for p, b in files.items():
        out.write(b"M 100644 inline " + p.encode() + b"\n")
        data(b)
    out.write(b"\n")
out.write(b"done\n")
out.flush()
with open(manifest_path, "w") as f:
    json.dump({"referenced": sorted(f"{i}#{a}" for i, a in referenced),
               "unreferenced": sorted(f"{i}#{a}" for i, a in unreferenced)}, f)
PY
echo "  fast-import done in $(secs_since "$t0")s"
t1=$(now_ns)
git -C "$REPO" gc --quiet
echo "  git gc done in $(secs_since "$t1")s"
t1=$(now_ns)
git -C "$REPO" reset --hard --quiet main
echo "  checkout done in $(secs_since "$t1")s (total $(secs_since "$t0")s)"
printf '  %s commits, %s files at HEAD, %s changed since %s, .git %s\n' \
    "$(git -C "$REPO" rev-list --count HEAD)" "$(git -C "$REPO" ls-files | wc -l)" \
    "$(git -C "$REPO" diff --name-only "$BASE_REV" | wc -l)" "$BASE_REV" "$(du -sh "$REPO/.git" | cut -f1)"

: >"$WORK/results"
echo "== timing ($RUNS runs each)"
(
    cd "$REPO"
    time_cmd check "$BIN" check --format json --base "$BASE_REV" --today 2026-01-01
    time_cmd gitlog bash -c 'git log --format=%B | grep -c "#A"'
    time_cmd diffstat git diff --stat "$BASE_REV"
    # Not one of the comparisons: the same check without git (scan only), to show what
    # the history checks add.
    time_cmd nogit "$BIN" check --format json --no-git --today 2026-01-01
)

echo "== findings"
check_rc=$(awk '$1 == "check" {print $6}' "$WORK/results")
if [[ "$check_rc" != 0 && "$check_rc" != 1 ]]; then
    echo "FAIL: check exited $check_rc"; cat "$WORK/err.check"; exit 1
fi
verdict=0
python3 - "$WORK/out.check" "$WORK/manifest.json" <<'PY' || verdict=$?
import collections, json, re, sys
doc = json.load(open(sys.argv[1]))
manifest = json.load(open(sys.argv[2]))
print("base:", json.dumps(doc.get("base")))
print("summary:", json.dumps(doc["summary"]))
by_rule = collections.Counter((f["rule"], f["level"]) for f in doc["findings"])
print("findings by rule:", json.dumps({f"{r} ({l})": n for (r, l), n in sorted(by_rule.items())}))
problems = []
s = doc["summary"]
if (s["incidents"], s["linked_tests"]) != (50, 50):
    problems.append(f"expected 50 incidents and 50 linked tests, got {s['incidents']} and {s['linked_tests']}")
flagged = set()
for f in doc["findings"]:
    m = re.match(r"action item (\S+) ", f["message"]) if f["rule"] == "action-item-without-commit" else None
    if m:
        flagged.add(m.group(1))
    else:
        problems.append(f"unexpected finding: {f['rule']}: {f['message']}")
want = set(manifest["unreferenced"])
if flagged - want:
    problems.append(f"flagged although a commit mentions them: {sorted(flagged - want)}")
if want - flagged:
    problems.append(f"not flagged although no commit mentions them: {sorted(want - flagged)}")
evidence = {f"{i['id']}#{a['id']}": a["commits"] for i in doc["incidents"] for a in i["action_items"]}
wrong = {r: len(evidence.get(r, [])) for r in manifest["referenced"] if len(evidence.get(r, [])) != 1}
if wrong:
    problems.append(f"referenced items without exactly one evidence commit: {wrong}")
print(f"action-item-without-commit: {len(flagged)} flagged, {len(want)} expected (items no commit mentions)")
for p in problems:
    print("UNEXPECTED:", p)
sys.exit(1 if problems else 0)
PY
echo "git log | grep -c '#A' printed: $(cat "$WORK/out.gitlog")"
echo "git diff --stat last line: $(tail -n 1 "$WORK/out.diffstat")"

echo
echo "== results ($N_COMMITS commits, 2000 .rs files, base $BASE_REV; median_s/min_s: /usr/bin/time %e, median_ms: ns clock)"
printf '%-72s %9s %7s %10s %13s %4s\n' command median_s min_s median_ms peak_rss_KiB exit
while read -r label med min ms rss rc; do
    case $label in
        check) name="incident-guard check --format json --base $BASE_REV --today 2026-01-01" ;;
        gitlog) name="git log --format=%B | grep -c '#A'" ;;
        diffstat) name="git diff --stat $BASE_REV" ;;
        nogit) name="(breakdown) incident-guard check --format json --no-git" ;;
    esac
    printf '%-72s %9s %7s %10s %13s %4s\n' "$name" "$med" "$min" "$ms" "$rss" "$rc"
done <"$WORK/results"
awk '$1 == "check" {c = $2; cm = $4} $1 == "gitlog" {g = $2; gm = $4}
     END {if (g > 0 && gm > 0) printf "ratio check / git-log (median wall): %.2f (%%e), %.2f (ns clock)\n", c / g, cm / gm
          else print "ratio: git log too fast to measure"}' "$WORK/results"
if ((verdict != 0)); then
    echo "NOTE: the findings differ from what the generator expects (see UNEXPECTED above)"
fi
