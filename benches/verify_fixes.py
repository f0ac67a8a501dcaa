#!/usr/bin/env python3
"""The cases of benches/verify_fixes.sh, and the run: see that script for how to use it.

Each case is a real fix commit of a real repository and one test of it, with the truth
established by hand: the test as the fix wrote it, run in a worktree at the fix (it
passed) and in a worktree at the fix's parent with the fix's test file brought in (it
failed: `caught`; it passed: `does-not-catch`), the code imported checked to be the
worktree's. The repository is set up as a developer would have it (Python: a venv with
`pip install -e .` and pytest, activated), at a pinned HEAD, on a branch that adds one
postmortem per case naming the fix commit and a marker above the test. Then
`incident-guard verify --format json` runs with the default configuration, and its
outcomes are compared with the truth.
"""

import ast
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

# Where the repositories stand: the HEAD the links are added to.
HEADS = {
    "click": "2c8cd3ac958a7eb316d67f2d316c27086c4c0369",
    "tomli": "920e20b1cf495b63f6d4a6aa3cd5e4ff25f5f5a7",
    "semver": "8591f2344b52b31d85b538de58b76a676fe9ff90",
    "itsdangerous": "672971d66a2ef9f85151e53283113f33d642dabd",
}
LANGUAGE = {"click": "python", "tomli": "python", "semver": "rust", "itsdangerous": "python"}

# (repository, fix commit, test identity, truth, what the hand check showed)
CASES = [
    ("click", "07c909f23f0f83b5ca137c167b9a134d66201f67",
     "tests/test_utils/test_style.py::test_styling_invalid_color", "caught",
     "without: 36 failed (DID NOT RAISE ValueError); with: 36 passed"),
    ("click", "07c909f23f0f83b5ca137c167b9a134d66201f67",
     "tests/test_utils/test_style.py::test_unstyle_other_ansi", "does-not-catch",
     "an older test of the same file, linked by mistake: passes on both sides as the fix has it"),
    ("click", "6f85d26dcd50c1745e81040ed4f2b61f8bf293cf",
     "tests/test_types.py::test_path_dash_no_byteswarning", "caught",
     "without: BytesWarning traceback from a `python -bb` child; with: passed"),
    ("click", "051bb0f30b545cf7426deef819811815297c2798",
     "tests/test_termui.py::test_get_pager_file_missing_pager_keeps_borrowed_stream_open", "caught",
     "without: the borrowed stream is closed; with: passed"),
    ("click", "7d05a59b9d46a415d85937630d1d812cf477f60a",
     "tests/test_defaults.py::test_parameter_source_during_paramtype_convert", "caught",
     "without: AssertionError on the parameter source; with: passed"),
    ("click", "61f8101f4e0d02cb902ef17853fa35ad88185265",
     "tests/test_options.py::test_show_default_with_empty_string", "caught",
     "without: '[default: \"\"]' not in the help; with: passed"),
    ("click", "0551bf53588ae87f462d336f24f853a156fefe3a",
     "tests/test_formatting.py::test_help_formatter_write_usage", "caught",
     "without: 4 of 5 cases failed; with: 5 passed"),
    ("tomli", "4e245a4bbbefed99e550e196095ea65c851cf31d",
     "tests/test_error.py::TestError::test_type_error", "caught",
     "without: the old TypeError message; with: passed"),
    ("tomli", "8b962e13490a569d4aab90076451def23ed6c6d8",
     "tests/test_misc.py::TestMiscellaneous::test_incorrect_load", "caught",
     "without: AttributeError ('str' has no 'decode'), not TypeError; with: passed"),
    ("tomli", "794c8e50d676f1e8e081914eb77e4a48a4f6a20b",
     "tests/test_error.py::TestError::test_invalid_parse_float", "caught",
     "without: ValueError not raised; with: passed"),
    ("tomli", "41881885a360e9f6526badafc1c5b2eec4133393",
     "tests/test_misc.py::TestMiscellaneous::test_types_import", "does-not-catch",
     "a coverage test added with an import-time change: passes on both sides"),
    ("semver", "d92a4d8ff7d1a90caf9fcac9bf120c360455d8d9",
     "tests/test_version.rs::test_parse", "caught",
     "without: the old 'unexpected end of input' message; with: passed"),
    ("semver", "af79743e2011378d769174dca84c5e909a3e4dd6",
     "tests/test_version_req.rs::test_wildcard_and_another", "caught",
     "the same test, the next fix of the day: without: \"unexpected character '*'\"; with: passed"),
    ("semver", "cf82eb0ad61edff04e62daa2c0ca8f479299f1cb",
     "tests/test_version_req.rs::test_wildcard_and_another", "caught",
     "without: the old 'unexpected character after wildcard' message; with: passed"),
    ("semver", "b2d8468fde511e88e1bfed6ae3a74135e4be98a9",
     "tests/test_version.rs::test_align", "caught",
     "without: padding ignored; with: passed"),
    ("itsdangerous", "c30678d19e37011890e2374cca04f7789e101793",
     "tests/test_itsdangerous/test_timed.py::TestTimestampSigner::test_future_age", "caught",
     "without: DID NOT RAISE SignatureExpired; with: passed"),
    ("itsdangerous", "526b1ea02934f529606dcbf3c3340ab429dcde04",
     "tests/test_itsdangerous/test_timed.py::TestTimestampSigner::test_sig_error_date_signed", "caught",
     "without: date_signed is an int, not a datetime; with: passed"),
]


def sh(args, cwd=None, env=None, check=True):
    out = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    if check and out.returncode != 0:
        sys.exit(f"verify_fixes: {' '.join(map(str, args))} failed ({out.returncode}):\n{out.stdout}{out.stderr}")
    return out


def git(repo, *args):
    return sh(["git", "-C", str(repo), "-c", "user.name=bench", "-c", "user.email=bench@example.com", *args]).stdout


def marker_line_python(text, test_id, marker):
    """The (0-based) line to put `marker` on and its indentation: above the test's
    decorators, or its `def`."""
    parts = test_id.split("::")[1:]
    nodes = ast.parse(text).body
    node = None
    for name in parts:
        node = next((n for n in nodes if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                     and n.name == name), None)
        if node is None:
            sys.exit(f"verify_fixes: no {name} in {test_id} at HEAD")
        nodes = node.body
    first = min([d.lineno for d in node.decorator_list] + [node.lineno]) - 1
    return first, " " * node.col_offset + f"# incident: {marker}"


def marker_line_rust(text, test_id, marker):
    name = test_id.split("::")[-1]
    lines = text.split("\n")
    at = next((i for i, l in enumerate(lines) if re.match(rf"\s*(pub )?fn {re.escape(name)}\(", l)), None)
    if at is None:
        sys.exit(f"verify_fixes: no fn {name} in {test_id} at HEAD")
    indent = re.match(r"\s*", lines[at]).group(0)
    while at > 0 and lines[at - 1].strip().startswith(("#[", "///")):
        at -= 1
    return at, f"{indent}// incident: {marker}"


def prepare(name, source, corpora):
    """A clone of `source` at its pinned HEAD, on a branch with the cases' postmortems and
    markers; for Python, its venv. Returns the clone and the environment to run in."""
    repo = corpora / name
    if not (repo / ".git").is_dir():
        print(f"== cloning {source} into {repo}", flush=True)
        sh(["git", "clone", "-q", "--no-checkout", source, str(repo)])
    git(repo, "checkout", "-q", "-f", "--detach", HEADS[name])
    git(repo, "clean", "-qfdx")
    env = dict(os.environ)
    if LANGUAGE[name] == "python":
        venv = corpora / f"{name}.venv"
        if not (venv / "bin" / "python").exists():
            deps = test_dependencies(repo)
            print(f"== a venv for {name}: pip install -e . {' '.join(deps)}", flush=True)
            sh([sys.executable, "-m", "venv", str(venv)])
            sh([str(venv / "bin" / "pip"), "install", "-q", "-e", str(repo), *deps])
        # As `source venv/bin/activate` leaves it.
        env["VIRTUAL_ENV"] = str(venv)
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
        env.pop("PYTHONHOME", None)
    if os.environ.get("TUNED") == "1":
        # Hand-tuned, as a user who knows the pitfalls would: each side imports the code of
        # its own worktree, and cargo may write the Cargo.lock a library does not commit.
        env["PYTHONPATH"] = "src"
        (repo / "incident-guard.toml").write_text(
            'guard_change_reason = "benchmark: a hand-tuned set-up"\n'
            '[verify]\nrust = ["cargo", "test", "-p", "{crate}", "{target_flags}", "--", "--exact", "{name}"]\n'
        )
    cases = [c for c in CASES if c[0] == name]
    for i, (_, fix, test, _, _) in enumerate(cases):
        incident = incident_id(name, i)
        path = repo / test.split("::")[0]
        text = path.read_text()
        find = marker_line_python if LANGUAGE[name] == "python" else marker_line_rust
        at, line = find(text, test, incident)
        lines = text.split("\n")
        lines.insert(at, line)
        path.write_text("\n".join(lines))
        pm = repo / "postmortems" / f"{incident}.md"
        pm.parent.mkdir(exist_ok=True)
        pm.write_text(
            f'+++\nid = "{incident}"\ntitle = "Bug fixed in {fix[:8]}"\ndate = 2026-01-01\n'
            f'fix_commits = ["{fix}"]\n+++\n\n## Summary\n\nFixed by {fix}.\n'
        )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Postmortems of fixed bugs, with the tests that catch them")
    return repo, env


def test_dependencies(repo):
    """What the project's `tests` dependency group lists (pip of Python 3.11 cannot
    install a group itself), else pytest."""
    import tomllib
    try:
        groups = tomllib.loads((repo / "pyproject.toml").read_text()).get("dependency-groups", {})
    except (OSError, ValueError):
        groups = {}
    deps = [d for d in groups.get("tests", []) if isinstance(d, str)]
    return deps or ["pytest"]


def incident_id(name, i):
    return f"INC-2026-{list(HEADS).index(name) + 1}{i + 1:02}"


def main():
    ig, corpora, sources = sys.argv[1], Path(sys.argv[2]), dict(a.split("=", 1) for a in sys.argv[3:])
    missing = [n for n in HEADS if n not in sources]
    if missing:
        sys.exit(f"verify_fixes: give a source for {', '.join(missing)}")
    corpora.mkdir(parents=True, exist_ok=True)
    rows, walls = [], []
    for name in HEADS:
        repo, env = prepare(name, sources[name], corpora)
        cases = [c for c in CASES if c[0] == name]
        print(f"== {name}: incident-guard verify --format json ({len(cases)} tests)", flush=True)
        t0 = time.monotonic()
        out = sh([ig, "verify", "--format", "json"], cwd=repo, env=env, check=False)
        wall = time.monotonic() - t0
        walls.append((name, wall, len(cases)))
        (corpora / f"{name}.verify.json").write_text(out.stdout)
        (corpora / f"{name}.verify.log").write_text(out.stderr)
        try:
            report = json.loads(out.stdout)
        except ValueError:
            report = {"results": []}
            print(f"   verify exited {out.returncode} with no report: {out.stderr.strip()[:400]}")
        by_incident = {r["incident"]: r for r in report.get("results", [])}
        for i, (_, fix, test, truth, why) in enumerate(cases):
            r = by_incident.get(incident_id(name, i), {})
            runs = r.get("runs", [])
            rows.append({
                "repo": name, "fix": fix[:8], "test": test.split("::", 1)[1], "truth": truth,
                "verdict": r.get("outcome", "(none)"), "message": r.get("message", out.stderr.strip()[:200]),
                "seconds": sum(run.get("seconds", 0) for run in runs), "source": r.get("test_source", ""),
            })
    width = max(len(r["test"]) for r in rows)
    rw = max(len(r["repo"]) for r in rows)
    print(f"\n{'repo':<{rw}} {'fix':<8} {'test':<{width}} {'truth':<15} {'verdict':<27} agree runs(s) test text")
    for r in rows:
        agree = "yes" if r["verdict"] == r["truth"] else "NO"
        print(f"{r['repo']:<{rw}} {r['fix']:<8} {r['test']:<{width}} {r['truth']:<15} {r['verdict']:<27} {agree:<5} "
              f"{r['seconds']:6.1f} {r['source'] or '-'}")
    print()
    for r in rows:
        if r["verdict"] != r["truth"]:
            print(f"  {r['repo']} {r['fix']}: {r['verdict']}: {r['message']}")
    agree = sum(r["verdict"] == r["truth"] for r in rows)
    wrong_caught = sum(r["verdict"] == "caught" and r["truth"] != "caught" for r in rows)
    total_wall = sum(w for _, w, _ in walls)
    print(f"\nagreement: {agree} of {len(rows)}; wrong `caught`: {wrong_caught}")
    for name, wall, n in walls:
        print(f"time: {name}: {wall:.1f} s for {n} tests, {wall / n:.1f} s per verified test")
    print(f"time: all: {total_wall:.1f} s for {len(rows)} tests, {total_wall / len(rows):.1f} s per verified test")
    met = agree * 12 >= 11 * len(rows) and wrong_caught == 0
    print(f"target (at least 11 in 12 agree, no wrong `caught`): {'met' if met else 'not met'}")
    (corpora / "verify_fixes.json").write_text(json.dumps(rows, indent=1))
    return 1 if wrong_caught else 0


if __name__ == "__main__":
    sys.exit(main())
