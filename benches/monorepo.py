"""Writes a `git fast-import` stream for benches/monorepo.sh to stdout, and the manifest of
what it seeded to the path given.

Usage: monorepo.py COMMITS MANIFEST   (benches/monorepo.sh pipes it into git fast-import)

The repository:
  - 100 Rust packages svc00..svc99, each a Cargo.toml, src/lib.rs declaring 100 modules
    m00..m99, and each module a directory of mod.rs and nine files f0.rs..f8.rs: 100,200
    files in all;
  - 2,000 postmortems (INC-2024-0001.. and INC-2025-..., dated over the last two years of
    the history), each with five action items: 10,000 items, 6,000 closed, 4,000 open;
  - 5,000 linked tests: a `#[cfg(test)] mod tests` with a marker above a `#[test]` fn in
    5,000 of the f*.rs files, two or three per incident;
  - COMMITS commits on `main`, one every 5 minutes or so over ten years up to 2026-01-01:
    the first adds every file, each later one rewrites one small file. 5,500 of the 6,000
    closed items are named by one commit message each (`Fix ... (INC-2025-0042#A3)`, a
    tenth as a trailer), made after their incident; 500 closed items are named by none.
    Ordinary messages mention incidents and items that are not references (`#A30`, an
    incident without an item), as real histories do;
  - the last commit deletes one linked test.
"""

import json
import random
import sys

n_commits, manifest_path = int(sys.argv[1]), sys.argv[2]
rng = random.Random(20261130)
out = sys.stdout.buffer
N_SVC, N_MOD, N_F = 100, 100, 9
N_INC, ITEMS, N_TESTS = 2000, 5, 5000
START, END = 1451606400, 1767225600  # 2016-01-01 .. 2026-01-01
INC_START = END - 2 * 365 * 86400  # incidents over the last two years
NOUNS = ["cache", "queue", "ledger", "session", "invoice", "webhook", "payment", "search", "upload", "token"]
VERBS = ["retry", "flush", "sync", "render", "batch", "lock", "index", "refund", "stream", "expire"]


def data(b):
    out.write(b"data %d\n" % len(b))
    out.write(b)
    out.write(b"\n")


def day(t):
    import datetime
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%d")


# Incidents: ID, date (epoch), items.
incidents = []
for i in range(N_INC):
    t = INC_START + (i * (END - INC_START - 60 * 86400)) // N_INC
    year = day(t)[:4]
    incidents.append({"id": f"INC-{year}-{i + 1:04d}", "t": t})
items = [(inc["id"], f"A{a}", inc["t"]) for inc in incidents for a in range(1, ITEMS + 1)]
closed = rng.sample(items, 6000)
closed_set = {(i, a) for i, a, _ in closed}
unnamed = set((i, a) for i, a, _ in rng.sample(closed, 500))


def postmortem(inc):
    body = []
    for a in range(1, ITEMS + 1):
        status = "closed" if (inc["id"], f"A{a}") in closed_set else "open"
        body.append(f'\n[[action_items]]\nid = "A{a}"\ntitle = "Add a {rng.choice(VERBS)} guard to the '
                    f'{rng.choice(NOUNS)} path"\nowner = "@team-{a}"\ndue = {day(inc["t"] + 60 * 86400)}\n'
                    f'status = "{status}"\nkind = "{"prevent" if a == 1 else "detect"}"\n')
    return (f'+++\nid = "{inc["id"]}"\ntitle = "The {rng.choice(NOUNS)} {rng.choice(VERBS)} failed under load"\n'
            f'date = {day(inc["t"])}\nseverity = "SEV2"\n{"".join(body)}+++\n\n'
            "## Summary\n\nSomething went wrong.\n\n## Impact\n\nSome requests failed.\n\n"
            "## Timeline\n\n| Time | Event |\n|---|---|\n| 09:00 | Deploy |\n\n"
            "## Contributing factors\n\nA retry storm.\n\n## Action items\n\nSee the front matter.\n")


# Which files carry a linked test, for which incident.
leaves = [(s, m, f) for s in range(N_SVC) for m in range(N_MOD) for f in range(N_F)]
linked = {}
for k, leaf in enumerate(rng.sample(leaves, N_TESTS)):
    linked[leaf] = incidents[k % N_INC]["id"]


def leaf_path(s, m, f):
    return f"svc{s:02d}/src/m{m:02d}/f{f}.rs"


def leaf_text(s, m, f, tweak=0):
    n = (s * N_MOD + m) * N_F + f
    text = f"pub fn f{n}(x: u64) -> u64 {{\n    x.wrapping_mul({n % 97 + 3}).rotate_left({tweak % 63})\n}}\n"
    inc = linked.get((s, m, f))
    if inc:
        text += (f"\n#[cfg(test)]\nmod tests {{\n    // incident: {inc}\n    #[test]\n    fn regression_{n}() {{\n"
                 f"        assert_ne!(super::f{n}(1), 0);\n    }}\n}}\n")
    return text


# Commit messages: evidence for the named closed items, after their incident.
special = {}


def free_commit(after, hi=n_commits):
    lo = min(max(2, int((after + 3600 - START) / (END - START) * n_commits)), hi - 1)
    for _ in range(100):
        c = rng.randrange(lo, hi)
        if c not in special:
            return c
    free = [c for c in range(lo, hi) if c not in special]
    if not free:
        sys.exit(f"monorepo.py: {n_commits} commits are too few for the references to be made after their incidents")
    return rng.choice(free)


referenced = []
for inc, a, t in closed:
    if (inc, a) in unnamed:
        continue
    c = free_commit(t, hi=n_commits - 1002)  # before the base: see fix_pool
    n = rng.choice(NOUNS)
    if rng.random() < 0.1:
        special[c] = f"Alert on {n} errors\n\nPostmortem-Action: {inc}#{a}\n"
    else:
        special[c] = f"Fix {n} {rng.choice(VERBS)} ({inc}#{a})"
    referenced.append(f"{inc}#{a}")
for _ in range(300):  # an item that does not exist: `#A30` is not `#A3`
    inc = rng.choice(incidents)
    special[free_commit(inc["t"])] = f"Prepare {inc['id']}#A{rng.randint(1, 5)}0 follow-up"
for _ in range(300):  # an incident, not an item
    inc = rng.choice(incidents)
    special[free_commit(inc["t"])] = f"Follow-up to {inc['id']}: tune {rng.choice(NOUNS)} alerts"


def one_liner():
    n, v = rng.choice(NOUNS), rng.choice(VERBS)
    msg = rng.choice([f"Fix {n} {v} when the input is empty", f"Refactor {n} module", f"Add tests for {v}_{n}",
                      f"Tidy up {n} logging", f"Make {v} faster for large {n} batches", f"Handle {n} timeouts"])
    return msg + (f" (#{rng.randint(100, 99999)})" if rng.random() < 0.4 else "")


def commit(t, message, files, deletes=()):
    who = b"Bench <bench@example.com> %d +0000" % t
    out.write(b"commit refs/heads/main\nauthor " + who + b"\ncommitter " + who + b"\n")
    data(message.encode())
    for p in deletes:
        out.write(b"D " + p.encode() + b"\n")
    for p, text in files:
        out.write(b"M 100644 inline " + p.encode() + b"\n")
        data(text.encode())
    out.write(b"\n")


step = (END - START) / n_commits
first = [("incident-guard.toml", 'postmortems = "postmortems"\n\n[rules]\noverdue-action-item = "off"\n'
          'action-item-past-sla = "off"\n')]
for inc in incidents:
    first.append((f"postmortems/{inc['id']}.md", postmortem(inc)))
for s in range(N_SVC):
    first.append((f"svc{s:02d}/Cargo.toml", f'[package]\nname = "svc{s:02d}"\nversion = "0.1.0"\nedition = "2021"\n'))
    first.append((f"svc{s:02d}/src/lib.rs", "".join(f"pub mod m{m:02d};\n" for m in range(N_MOD))))
    for m in range(N_MOD):
        first.append((f"svc{s:02d}/src/m{m:02d}/mod.rs", "".join(f"pub mod f{f};\n" for f in range(N_F))))
        for f in range(N_F):
            first.append((leaf_path(s, m, f), leaf_text(s, m, f)))
commit(START, "Initial import of the monorepo", first)
plain = [leaf for leaf in leaves if leaf not in linked]
# Fix commits change files of the first half of the packages, the commits since the base
# (the last thousand) files of the other half: the change under review touches no file an
# incident's fix changed, so no `touches-incident-code` note is due.
fix_pool = [leaf for leaf in plain if leaf[0] < N_SVC // 2]
late_pool = [leaf for leaf in plain if leaf[0] >= N_SVC // 2]
fixes = set(c for c, m in special.items() if m.startswith(("Fix ", "Alert ")))
for c in range(2, n_commits):
    leaf = rng.choice(fix_pool if c in fixes else late_pool if c >= n_commits - 1001 else plain)
    commit(int(START + c * step), special.get(c) or one_liner(), [(leaf_path(*leaf), leaf_text(*leaf, tweak=c))])
# The change under review: one linked test deleted.
gone = sorted(linked)[0]
with_test = leaf_text(*gone)
commit(END, "Remove a test that looked redundant", [(leaf_path(*gone), with_test[: with_test.index("\n#[cfg(test)]")] + "\n")])
out.write(b"done\n")
out.flush()
with open(manifest_path, "w") as f:
    json.dump({"unnamed": sorted(f"{i}#{a}" for i, a in unnamed), "referenced": sorted(referenced),
               "deleted": {"path": leaf_path(*gone), "incident": linked[gone]},
               "files": len(first), "incidents": N_INC,
               "tests": N_TESTS}, f)
