"""Seeds a clone of a real repository for benches/real_repos.sh: 50 postmortems, markers
above 51 real `#[test]` fns, the commits behind the action items, a base commit, and a
commit that deletes one linked test. Writes what it seeded to a JSON manifest, from which
the bench checks that the findings are exactly the seeded ones.

Usage: seed_real.py REPO MANIFEST

History it builds on top of the snapshot's HEAD (U):
  P        the snapshot's files whose blobs the mirror lacks, replaced by a placeholder
           (only when there are any; done by real_repos.sh before this runs)
  F_1..F_50  one fix commit per incident: its postmortem and the marker above its test,
           the message `Add a regression test for ... (INC-2026-0NN#A1)`; A2 is named in
           a `Postmortem-Action:` trailer, except for one incident whose A2 is closed and
           named by no commit (the seeded `action-item-without-commit`)
  A        the base: `incident-guard.toml`
  D        HEAD: deletes one linked test, marker and fn (the seeded `linked-test-removed`;
           its incident has a second linked test, so nothing else changes)
Incident dates are spread over the 700 days before U's commit date, as a real team's
would be; the commits are dated after U, an hour apart.
"""

import json
import os
import random
import re
import subprocess
import sys

N_INC = 50
PREFIX = "INC-2026-"

repo, manifest_path = sys.argv[1], sys.argv[2]
name = os.path.basename(os.path.normpath(repo))
rng = random.Random(f"incident-guard:{name}")


def git(*args, env=None, text=True):
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, text=text,
                          env={**os.environ, **(env or {})}).stdout


head_time = int(git("log", "-1", "--format=%ct").strip())
files = [f for f in git("ls-files", "-z", "*.rs").split("\0") if f]


def crate_dirs(manifest):
    """For a manifest with a `[package]`, the directories (relative to it) that hold its
    crate roots: `src`, and those of `path = "…"` in `[lib]` and `[[bin]]`. None for a
    virtual manifest."""
    try:
        with open(os.path.join(repo, manifest), encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError):
        return None
    if not re.search(r"^\[package\]", text, re.M):
        return None
    dirs = {"src"}
    for section in re.split(r"^(?=\[)", text, flags=re.M):
        if section.startswith(("[lib]", "[[bin]]")):
            m = re.search(r'^path\s*=\s*"([^"]+)"', section, re.M)
            if m:
                dirs.add(os.path.dirname(m.group(1)))
    return dirs


manifests = {}
for f in git("ls-files", "-z").split("\0"):
    if f == "Cargo.toml" or f.endswith("/Cargo.toml"):
        dirs = crate_dirs(f)
        if dirs is not None:
            manifests[os.path.dirname(f)] = dirs


def compiled(path):
    """Whether cargo surely builds `path`: below a crate root's directory of the nearest
    manifest with a `[package]` (not in its `tests/`, `benches/` or `examples/`), or an
    integration test `tests/NAME.rs` of it (a test fixture's crate is not)."""
    d = os.path.dirname(path)
    while d not in manifests:
        if not d:
            return False
        d = os.path.dirname(d)
    rel = path[len(d) + 1:] if d else path
    if re.fullmatch(r"tests/[^/]+\.rs", rel):
        return True
    if rel.split("/")[0] in ("tests", "benches", "examples"):
        return False
    return any(root == "" or rel.startswith(root + "/") for root in manifests[d])


# A candidate test: a `#[test]` line directly below a blank line or an opening brace (so
# the marker becomes the first line of the attribute block), with only attributes between
# it and `fn NAME(` and no `#[ignore]`, `#[should_panic]` or `#[cfg…]` among them; not in
# a raw string (test code in a string, as cargo's tests write fixtures, is no test), nor
# in a macro's body, nor in a module under a condition other than `cfg(test)` (declared
# in the file, or by its parent's `mod NAME;`); in a file without `#![cfg`, whose path
# names no platform, in a package's library or an integration test's root file (a
# binary may set `test = false`).
PLATFORM = re.compile(r"(windows|win32|unix|linux|macos|darwin|wasm|android|ios|fuchsia|bsd)", re.I)
FN = re.compile(r"^\s*(pub(\(crate\))? )?(async )?fn ([A-Za-z_][A-Za-z0-9_]*)\s*(<|\()")
CFG = re.compile(r"^\s*#\[cfg\((?!test\)\])")
candidates = []


def string_lines(text):
    """The (0-based) lines a string literal (plain, byte or raw) continues on: test code
    in a string, as cargo writes the files it generates, is no test. Comments are skipped so
    that a quote in one opens nothing."""
    out, i, n, line = set(), 0, len(text), 0
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
        elif text.startswith("//", i):
            i = text.find("\n", i)
            i = n if i < 0 else i
            continue
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            line += text.count("\n", i, end)
            i = end
            continue
        elif c == "'" and i + 2 < n and (text[i + 2] == "'" or text[i + 1] == "\\"):
            end = text.find("'", i + 2 + (text[i + 1] == "\\"))
            i = n if end < 0 else end + 1
            continue
        elif c == '"' or (c == "r" and re.match(r'r#*"', text[i:i + 260]) and not text[i - 1:i].isalnum()):
            if c == "r":
                hashes = re.match(r'r(#*)"', text[i:]).group(1)
                end = text.find('"' + hashes, i + len(hashes) + 2)
                end = n if end < 0 else end + len(hashes) + 1
            else:
                end = i + 1
                while end < n and text[end] != '"':
                    end += 2 if text[end] == "\\" else 1
                end += 1
            first = line
            line += text.count("\n", i, end)
            out.update(range(first + 1, line + 1))
            i = end
            continue
        i += 1
    return out


def block_end(lines, i, strings):
    """The line of the `}` that closes the block opened on line `i`, counting braces
    outside strings, char literals and comments."""
    depth = 0
    for k in range(i, len(lines)):
        if k in strings and k != i:
            continue
        code = re.sub(r'"(\\.|[^"\\])*"|\'(\\.|[^\'\\])\'|//.*', "", lines[k])
        depth += code.count("{") - code.count("}")
        if depth <= 0 and k > i:
            return k
    return len(lines) - 1


def under_condition(lines, i):
    """Whether the attributes above line `i` (up to a blank line or the end of the item
    before) hold a `#[cfg(…)]` other than `#[cfg(test)]`."""
    k = i - 1
    while k >= 0 and lines[k].strip() and not lines[k].rstrip().endswith((";", "}", "{")):
        if CFG.match(lines[k]) or "cfg_attr" in lines[k]:
            return True
        k -= 1
    return False


def excluded_lines(lines, strings):
    """Lines inside a macro's braces, or inside a module under a condition."""
    out = set()
    for i, line in enumerate(lines):
        opens_macro = re.search(r"!\s*(\w+\s*)?[{(\[]\s*$", line)
        conditional_mod = re.match(r"^\s*(pub(\(\w+\))? )?mod \w+\s*\{", line) and under_condition(lines, i)
        if opens_macro or conditional_mod:
            out.update(range(i, block_end(lines, i, strings) + 1))
    return out


def declared_under_condition(path, depth=0):
    """Whether a module on the way from the crate root declares this file's module (or
    an ancestor's) under a condition: `#[cfg(feature = "x")] mod glob;`."""
    if depth > 12:
        return False
    stem = os.path.basename(os.path.dirname(path)) if path.endswith("/mod.rs") else os.path.basename(path)[:-3]
    here = os.path.dirname(os.path.dirname(path) if path.endswith("/mod.rs") else path)
    parents = [os.path.join(here, n) for n in ("lib.rs", "main.rs", "mod.rs")] + [here + ".rs"]
    # A module may also be declared inside an inline module of a crate root further up
    # (`mod impls { #[cfg(feature = "std")] mod std; }` with `#[path]`).
    up = here
    while up:
        up = os.path.dirname(up)
        parents += [os.path.join(up, n) for n in ("lib.rs", "main.rs")]
    for parent in parents:
        if parent == path:
            continue
        try:
            with open(os.path.join(repo, parent), encoding="utf-8") as f:
                lines = f.read().split("\n")
        except (OSError, UnicodeDecodeError):
            continue
        for i, line in enumerate(lines):
            if re.match(rf"^\s*(pub(\(\w+\))? )?mod {stem};", line):
                if under_condition(lines, i) or "#![cfg" in "\n".join(lines):
                    return True
                if not parent.endswith(("lib.rs", "main.rs")):
                    return declared_under_condition(parent, depth + 1)
                return False
    return False


for path in files:
    if not compiled(path) or "/bin/" in path or path.endswith("main.rs") or PLATFORM.search(path) or "/fixtures/" in path or "/testdata/" in path:
        continue
    try:
        with open(os.path.join(repo, path), encoding="utf-8") as f:
            text = f.read()
    except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
        continue
    if "#[test]" not in text or "#![cfg" in text or "incident:" in text.lower() or "include!" in text:
        continue
    if declared_under_condition(path):
        continue
    lines = text.split("\n")
    strings = string_lines(text)
    skip = strings | excluded_lines(lines, strings)
    for i, line in enumerate(lines):
        if line.strip() != "#[test]" or i == 0 or i in skip or i - 1 in skip:
            continue
        prev = lines[i - 1].strip()
        if prev and not prev.endswith("{"):
            continue
        j = i + 1
        while j < len(lines) and lines[j].strip().startswith("#["):
            j += 1
        attrs = " ".join(lines[i:j])
        m = FN.match(lines[j]) if j < len(lines) else None
        if not m or "ignore" in attrs or "cfg" in attrs or "should_panic" in attrs:
            continue
        candidates.append((path, i, m.group(4)))

by_file = {}
for c in candidates:
    by_file.setdefault(c[0], []).append(c)
# One test per incident, at most two in a file; the deleted test's incident gets a
# second test, so that only the removal is reported.
pool = [c for f in sorted(by_file) for c in rng.sample(by_file[f], min(2, len(by_file[f])))]
if len(pool) < N_INC + 1:
    sys.exit(f"seed_real.py: only {len(pool)} usable #[test] fns in {repo}")
picked = rng.sample(pool, N_INC + 1)
chosen = list(zip(range(1, N_INC + 1), picked))
second = picked[N_INC]
deleted_inc = rng.randrange(1, N_INC + 1)
missing_inc = rng.choice([i for i in range(1, N_INC + 1) if i != deleted_inc])
dates = sorted(head_time - rng.randint(30, 700) * 86400 for _ in range(N_INC))

SECTIONS = ("## Summary\n\n{title}.\n\n## Impact\n\nSome requests failed for {mins} minutes.\n\n"
            "## Timeline\n\n| Time | Event |\n|---|---|\n| 09:00 | Deploy |\n| 09:{mins:02d} | Rolled back |\n\n"
            "## Contributing factors\n\nA code path without a test.\n\n## Action items\n\nSee the front matter.\n")


def iso(t):
    return subprocess.run(["date", "-u", "-d", f"@{t}", "+%Y-%m-%d"], check=True, capture_output=True,
                          text=True).stdout.strip()


def postmortem(i, test):
    iid = f"{PREFIX}{i:03d}"
    title = f"{test.replace('_', ' ').capitalize()} regressed in production"
    items = (f'\n[[action_items]]\nid = "A1"\ntitle = "Add a regression test for {test}"\n'
             f'owner = "@team-{i % 7}"\ndue = {iso(dates[i - 1] + 30 * 86400)}\nstatus = "closed"\nkind = "prevent"\n'
             f'\n[[action_items]]\nid = "A2"\ntitle = "Alert when {test} fails in production"\n'
             f'owner = "@team-{i % 5}"\ndue = {iso(dates[i - 1] + 40 * 86400)}\nstatus = "closed"\nkind = "detect"\n')
    return (f'+++\nid = "{iid}"\ntitle = "{title}"\ndate = {iso(dates[i - 1])}\nseverity = "SEV2"\n{items}+++\n\n'
            + SECTIONS.format(title=title, mins=10 + i))


inserted = {}


def add_marker(path, line_no, iid):
    """Puts the marker above line `line_no` of the file as it was before seeding."""
    full = os.path.join(repo, path)
    with open(full, encoding="utf-8") as f:
        lines = f.read().split("\n")
    at = line_no + sum(1 for k in inserted.get(path, []) if k < line_no)
    inserted.setdefault(path, []).append(line_no)
    target = lines[at]
    indent = target[: len(target) - len(target.lstrip())]
    lines.insert(at, f"{indent}// incident: {iid}")
    with open(full, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


def commit(message, t, *paths):
    env = {"GIT_AUTHOR_DATE": f"{t} +0000", "GIT_COMMITTER_DATE": f"{t} +0000",
           "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}
    git("add", "--", *paths)
    git("commit", "-q", "--no-verify", "-m", message, env=env)
    return git("rev-parse", "HEAD").strip()


os.makedirs(os.path.join(repo, "postmortems"), exist_ok=True)
t = head_time
linked = {}
for i, (path, line_no, test) in chosen:
    iid = f"{PREFIX}{i:03d}"
    pm = f"postmortems/{iid}.md"
    with open(os.path.join(repo, pm), "w", encoding="utf-8") as f:
        f.write(postmortem(i, test))
    add_marker(path, line_no, iid)
    paths = [pm, path]
    linked[iid] = [(path, test)]
    if i == deleted_inc:
        add_marker(second[0], second[1], iid)
        paths.append(second[0])
        linked[iid].append((second[0], second[2]))
    trailer = "" if i == missing_inc else f"\n\nPostmortem-Action: {iid}#A2\n"
    t += 3600
    commit(f"Add a regression test for {test} ({iid}#A1){trailer}", t, *paths)

with open(os.path.join(repo, "incident-guard.toml"), "w", encoding="utf-8") as f:
    f.write('# Seeded by incident-guard benches/real_repos.sh\nid_pattern = "^INC-[0-9]{4}-[0-9]{3}$"\n')
t += 3600
base = commit("Check incidents with incident-guard", t, "incident-guard.toml")

# Delete the deleted incident's first test: its marker and the fn, attributes to the
# closing brace at the fn's indentation.
path, _, test = chosen[deleted_inc - 1][1]
full = os.path.join(repo, path)
with open(full, encoding="utf-8") as f:
    lines = f.read().split("\n")
start = next(k for k, l in enumerate(lines) if l.strip() == f"// incident: {PREFIX}{deleted_inc:03d}")
fn_line = next(k for k in range(start, len(lines)) if FN.match(lines[k]))
indent = lines[fn_line][: len(lines[fn_line]) - len(lines[fn_line].lstrip())]
end = next(k for k in range(fn_line, len(lines)) if lines[k].rstrip() == f"{indent}}}" or
           (k == fn_line and lines[k].rstrip().endswith("}")))
del lines[start:end + 1]
with open(full, "w", encoding="utf-8") as f:
    f.write("\n".join(lines))
t += 3600
head = commit(f"Remove {test}", t, path)

with open(manifest_path, "w") as f:
    json.dump({
        "base": base, "head": head, "today": iso(t),
        "incidents": N_INC,
        "linked": {k: [f"{p}::{n}" for p, n in v] for k, v in linked.items()},
        "deleted": {"incident": f"{PREFIX}{deleted_inc:03d}", "path": path, "test": test},
        "missing": f"{PREFIX}{missing_inc:03d}#A2",
        "earliest_incident": iso(dates[0]),
    }, f, indent=1)
print(f"seeded {name}: {N_INC} incidents, base {base[:12]}, head {head[:12]}, "
      f"deleted {path}::{test} ({PREFIX}{deleted_inc:03d}), no commit for {PREFIX}{missing_inc:03d}#A2")
