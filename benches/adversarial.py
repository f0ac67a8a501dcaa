"""Builds the adversarial inputs of benches/adversarial.sh: one tree (a git repository
when the row needs history) per row and size. Usage: adversarial.py ROW SIZE DIR; prints
the `check` arguments the row is run with."""

import os
import subprocess
import sys

row, size, root = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(os.path.join(root, "postmortems"), exist_ok=True)
OFF = ("[rules]\naction-item-missing-owner = \"off\"\naction-item-missing-due = \"off\"\n"
       "vague-action-item = \"off\"\nblame-language = \"off\"\nmissing-section = \"off\"\n"
       "no-prevent-action = \"off\"\naction-item-past-sla = \"off\"\noverdue-action-item = \"off\"\n")


def write(rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def pm(iid, extra=""):
    return f'+++\nid = "{iid}"\ntitle = "Incident {iid}"\ndate = 2024-03-05\nseverity = "SEV2"\n{extra}+++\n\n## Summary\n'


def git(*args):
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.com", "GIT_COMMITTER_NAME": "b",
           "GIT_COMMITTER_EMAIL": "b@example.com", "GIT_AUTHOR_DATE": "1735689600 +0000",
           "GIT_COMMITTER_DATE": "1735689600 +0000"}
    return subprocess.run(["git", "-C", root, *args], check=True, capture_output=True, text=True, env=env).stdout


def commit(message):
    git("add", "-A")
    git("commit", "-q", "--no-verify", "-m", message)
    return git("rev-parse", "HEAD").strip()


write("incident-guard.toml", OFF)
linked = "// incident: INC-1\n#[test]\nfn guard() {}\n"
args = ["--no-git"]
if row == "items":
    # One postmortem with SIZE open action items.
    items = "".join(f'\n[[action_items]]\nid = "A{i}"\ntitle = "Add a retry to path {i}"\nowner = "@o"\n'
                    f'due = 2030-01-01\nstatus = "open"\n' for i in range(size))
    write("postmortems/i.md", pm("INC-1", items))
    write("tests/a.rs", linked)
    git("init", "-q")
    commit("base")
    args = []
elif row == "commits":
    # SIZE closed items, each naming a commit in `commits`.
    git("init", "-q")
    write("tests/a.rs", linked)
    sha = commit("base")
    items = "".join(f'\n[[action_items]]\nid = "A{i}"\ntitle = "Add a retry to path {i}"\nowner = "@o"\n'
                    f'status = "closed"\ncommits = ["{sha[:12]}"]\n' for i in range(size))
    write("postmortems/i.md", pm("INC-1", items))
    commit("postmortem")
    args = []
elif row == "postmortems":
    # SIZE postmortem files, every incident linked by one marker line.
    for i in range(size):
        write(f"postmortems/INC-{i}.md", pm(f"INC-{i}"))
    ids = ", ".join(f"INC-{i}" for i in range(size))
    write("tests/a.rs", f"// incident: {ids}\n#[test]\nfn guard() {{}}\n")
elif row == "tests":
    # SIZE linked tests in one file.
    write("postmortems/i.md", pm("INC-1"))
    write("tests/a.rs", "".join(f"// incident: INC-1\n#[test]\nfn t{i}() {{ assert_eq!({i}, {i}); }}\n"
                                for i in range(size)))
elif row == "similarity":
    # One removed linked test of 20 KB; SIZE new linked tests of 20 KB in a changed file.
    def body(seed):
        return "".join(f"    assert_eq!(compute_{(seed * 7 + k) % 1000}({k}), {k * seed % 997});\n" for k in range(430))
    write("postmortems/i.md", pm("INC-1"))
    write("tests/a.rs", f"// incident: INC-1\n#[test]\nfn removed() {{\n{body(1)}}}\n")
    git("init", "-q")
    base = commit("base")
    write("tests/a.rs", "".join(f"// incident: INC-1\n#[test]\nfn new_{i}() {{\n{body(i + 2)}}}\n"
                                for i in range(size)))
    commit("replace")
    args = ["--base", base]
elif row == "suggest":
    # SIZE-byte incident ID, and a marker naming it with one character changed, 5 times.
    iid = "INC-" + "7" * size
    write("postmortems/i.md", pm(iid))
    near = "INC-" + "7" * (size - 1) + "8"
    write("tests/a.rs", f"// incident: {iid}\n#[test]\nfn guard() {{}}\n"
          + "".join(f"// incident: {near}\n#[test]\nfn t{i}() {{}}\n" for i in range(5)))
elif row == "bigfile":
    # A Rust file of SIZE MB with a marker.
    write("postmortems/i.md", pm("INC-1"))
    fn = "pub fn f{0}(x: u64) -> u64 {{ let y = x.wrapping_mul({0}); y ^ (y >> 7) }}\n"
    chunk = "".join(fn.format(i) for i in range(1000))
    os.makedirs(os.path.join(root, "tests"), exist_ok=True)
    with open(os.path.join(root, "tests/a.rs"), "w") as f:
        f.write(linked)
        written = 0
        k = 0
        while written < size * 1_000_000:
            text = chunk.replace("pub fn f", f"pub fn g{k}_")
            f.write(text)
            written += len(text)
            k += 1
elif row == "jsline":
    # One line of SIZE `it()` calls, the first linked.
    write("postmortems/i.md", pm("INC-1"))
    calls = "".join(f"it('case {i}', () => {{ expect(f({i})).toBe({i}); }}); " for i in range(size))
    write("tests/a.test.js", f"// incident: INC-1\n{calls}\n")
elif row == "unknown":
    # A marker line naming SIZE distinct unknown IDs.
    write("postmortems/i.md", pm("INC-1"))
    ids = " ".join(f"INC-9{i}" for i in range(size))
    write("tests/a.rs", f"// incident: INC-1 {ids}\n#[test]\nfn guard() {{}}\n")
else:
    sys.exit(f"unknown row {row}")
print(" ".join(args))
