"""The precision benchmark's driver (python3, standard library only); run.sh calls it.

  precision.py prepare NAME SOURCE DIR
      DIR becomes a git repository of one commit (the base): SOURCE's HEAD tree (SOURCE is
      a git directory, a bare mirror or a clone), plus an `incident-guard.toml` that turns
      the postmortem lints off (they are about prose; this benchmark is about tests). A
      blob SOURCE lacks is written as a placeholder line. Kept between runs: a DIR whose
      `.precision-source` names SOURCE's HEAD is reset to its base instead.

  precision.py run --bin BIN --corpora DIR --cases FILE [--only REPO] [--runners 0|1]
                   [--json OUT] REPO...
      Runs every case of cases.txt whose repository is among REPO (and is ONLY, when
      given), in DIR/REPO, one after another:
        1. reset to the base (`git reset --hard`, `git clean -fd`);
        2. write a postmortem and the marker for the case's test, commit ("link");
        3. `incident-guard check --base HEAD~1 --format json`: the link's verdict;
        4. when the case has a change: apply it, commit, check again: the change's verdict.
      With runners, the repository's real runner says, at the link and after the change,
      whether the test runs (where one is set up for the repository, see RUNNERS below).
      Prints a table per repository and a total line; exits 1 when a case could not be
      applied (its test was not found: the corpus moved on), 0 otherwise.

The verdicts, for each check, from the findings the case brought (findings the base
already has are left out):
  expected ok         no error, no warning: correct; an error: false error; only
                      warnings: noisy warning. Notes never count.
  expected error:R    an error of rule R (R may list alternatives, `a|b`): correct; only
                      errors of other rules: false error (sure, for the wrong reason); only
                      warnings: warned (the tool said it could not decide); nothing: silent
                      pass.
  expected warning:R  a warning or error of rule R at warning level: correct; an error:
                      false error; nothing: silent pass.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

LINTS_OFF = """# Written by benches/precision: the postmortem lints are about prose, not tests.
[rules]
action-item-missing-owner = "off"
action-item-missing-due = "off"
vague-action-item = "off"
blame-language = "off"
missing-section = "off"
no-prevent-action = "off"
action-item-past-sla = "off"
"""

GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_AUTHOR_DATE": "2026-06-01T12:00:00Z",
    "GIT_COMMITTER_DATE": "2026-06-01T12:00:00Z",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": "/dev/null",
}


def git(repo, *args, check=True, capture=True, input=None):
    env = dict(os.environ, **GIT_ENV)
    r = subprocess.run(
        ["git", "-C", repo, *args],
        env=env,
        input=input,
        stdout=subprocess.PIPE if capture else None,
        stderr=subprocess.PIPE if capture else None,
        check=False,
    )
    if check and r.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} in {repo}: {r.stderr.decode(errors='replace')}")
    return r.stdout.decode(errors="replace") if capture and r.stdout is not None else ""


# --------------------------------------------------------------------------- prepare


# Changes when what `prepare` makes changes, so that older corpora are rebuilt.
STAMP = "prepared-2"


def prepare(name, source, dir):
    src_head = subprocess.run(
        ["git", "--git-dir", source, "rev-parse", "HEAD"], stdout=subprocess.PIPE, check=True, text=True
    ).stdout.strip()
    stamp = os.path.join(dir, ".git", "precision-source")
    if os.path.isfile(stamp) and open(stamp).read().split() == [src_head, STAMP]:
        reset(dir)
        print(f"== {name}: kept ({src_head[:12]})")
        return
    if os.path.exists(dir):
        shutil.rmtree(dir)
    os.makedirs(dir)
    t0 = time.time()
    entries = []
    ls = subprocess.run(
        ["git", "--git-dir", source, "ls-tree", "-r", "-z", "--full-tree", "HEAD"], stdout=subprocess.PIPE, check=True
    ).stdout
    for rec in ls.split(b"\0"):
        if not rec:
            continue
        meta, path = rec.split(b"\t", 1)
        mode, kind, oid = meta.split()
        if kind != b"blob":
            continue  # submodules: not in a snapshot
        entries.append((mode.decode(), oid.decode(), path.decode(errors="surrogateescape")))
    cat = subprocess.Popen(
        ["git", "--git-dir", source, "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    missing = 0
    for mode, oid, path in entries:
        cat.stdin.write(oid.encode() + b"\n")
        cat.stdin.flush()
        header = cat.stdout.readline().split()
        if len(header) == 2 and header[1] == b"missing":
            data = b"placeholder: this blob is not in the snapshot\n"
            missing += 1
        else:
            size = int(header[2])
            data = cat.stdout.read(size)
            cat.stdout.read(1)
        full = os.path.join(dir, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        if mode == "120000":
            try:
                os.symlink(data.decode(errors="surrogateescape"), full)
            except OSError:
                pass
            continue
        with open(full, "wb") as f:
            f.write(data)
        if mode == "100755":
            os.chmod(full, 0o755)
    cat.stdin.close()
    cat.wait()
    with open(os.path.join(dir, "incident-guard.toml"), "w") as f:
        f.write(LINTS_OFF)
    os.makedirs(os.path.join(dir, "postmortems"), exist_ok=True)
    open(os.path.join(dir, "postmortems", ".gitkeep"), "w").close()
    git(dir, "init", "-q", "-b", "main")
    git(dir, "config", "gc.auto", "0")
    git(dir, "config", "core.autocrlf", "false")
    git(dir, "add", "-A", "-f", ".")
    git(dir, "commit", "-q", "--no-verify", "-m", f"{name} at {src_head[:12]}, with incident-guard.toml")
    git(dir, "tag", "precision-base")
    with open(stamp, "w") as f:
        f.write(f"{src_head} {STAMP}\n")
    print(
        f"== {name}: {len(entries)} files from {src_head[:12]}"
        + (f" ({missing} blobs the source lacks: placeholders)" if missing else "")
        + f" in {time.time() - t0:.1f}s"
    )


def reset(dir):
    git(dir, "reset", "-q", "--hard", "precision-base")
    git(dir, "clean", "-qfd")


# --------------------------------------------------------------------------- cases


class Case:
    def __init__(self, lineno, fields):
        self.lineno = lineno
        self.repo, self.file, self.test, self.form, self.change, self.expect = fields
        # `LINK > CHANGE`: what the link gives (default ok), then what the change gives.
        self.link_expect = "ok"
        if " > " in self.expect:
            self.link_expect, self.expect = (x.strip() for x in self.expect.split(" > ", 1))
        if self.change == "none":
            self.link_expect = self.expect
        self.kind = "python" if self.file.endswith(".py") else (
            "rust" if self.file.endswith(".rs") else (
                "java" if self.file.endswith(".java") else (
                    "kotlin" if self.file.endswith(".kt") else "js")))

    def __str__(self):
        return f"{self.file}::{self.test} [{self.form}] {self.change}"


def read_cases(path):
    cases = []
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        # The expected verdict, last, may itself hold `|` (alternatives).
        fields = [f.strip() for f in line.split("|", 5)]
        if len(fields) != 6:
            sys.exit(f"{path}:{n}: expected 6 fields separated by `|`, found {len(fields)}")
        cases.append(Case(n, fields))
    return cases


class CaseError(Exception):
    pass


def def_pattern(case):
    if case.test.startswith("~"):
        # A computed name: the line holding this text (`~'should include ' + method`).
        return re.compile(re.escape(case.test[1:]))
    name = re.escape(case.test)
    if case.kind == "rust":
        # `fn name`, or a macro call whose first argument is the name (`rgtest!(name, …)`).
        return re.compile(rf"^\s*(?:pub(?:\([^)]*\))?\s+)?(?:const\s+)?(?:async\s+)?(?:unsafe\s+)?(?:fn|struct|enum|trait)\s+{name}\b|^\s*[\w:]+!\s*[({{]\s*{name}\s*[,)]|^\s*{name}\s*,\s*$")
    if case.kind == "python":
        return re.compile(rf"^\s*(?:async\s+)?def\s+{name}\s*\(")
    if case.kind == "java":
        return re.compile(rf"^\s*[\w<>\[\], ?]*\b{name}\s*\(")
    if case.kind == "kotlin":
        # `fun name(`, or a Kotest string spec's `"name" {`.
        return re.compile(rf"^\s*(?:\w+\s+)*fun\s+(?:{name}|`{name}`)\s*\(|^\s*\"{name}\"\s*\{{")
    # JavaScript / TypeScript: a test call whose title is the name, or `Deno.test`s.
    q = "['\"`]"
    return re.compile(
        rf"(?:^|[^\w.$])(?:it|test|specify|Deno\.test|bench)(?:\.\w+|\((?:[^()]|\([^()]*\))*\))*\(\s*{q}{name}{q}"
        rf"|(?:^|[^\w.$])Deno\.test\((?:\{{.*\}},\s*)?(?:async\s+)?function\s+{name}\s*\("
        rf"|(?:^|[^\w.$])Deno\.test\(\s*\{{\s*$"  # filtered below: needs `name: "…"` next
    )


def find_def(lines, case):
    pat = def_pattern(case)
    in_block = False
    for i, line in enumerate(lines):
        # A test inside a `/* … */` comment is not a test (tokio keeps some that way).
        if case.kind != "python":
            was = in_block
            if in_block and "*/" in line:
                in_block = False
            elif not in_block and line.lstrip().startswith("/*") and "*/" not in line:
                in_block = True
            if was or in_block:
                continue
        if pat.search(line):
            if case.kind == "js" and line.rstrip().endswith("Deno.test({"):
                if not any(re.search(rf"name:\s*['\"`]{re.escape(case.test)}['\"`]", l) for l in lines[i + 1:i + 4]):
                    continue
            if case.kind == "rust" and re.match(rf"^\s*{re.escape(case.test)}\s*,\s*$", line):
                # The name on a line of its own: the macro call is the line above.
                if i > 0 and re.search(r"!\s*[({]\s*$", lines[i - 1]):
                    return i - 1
                continue
            return i
    raise CaseError(f"test `{case.test}` not found in {case.file}")


ATTR = re.compile(r"^\s*(#\[|@)")


def attrs_start(lines, d, case):
    """The first line of the attributes, decorators or annotations above line d."""
    i = d
    while i > 0:
        prev = lines[i - 1].strip()
        if ATTR.match(lines[i - 1]) and not prev.startswith("@param"):
            i -= 1
            continue
        # The last line of an attribute spread over several lines: up to its start.
        if prev.endswith((")]", ")", "]", "})")) and not prev.endswith(";") and case.kind != "python" or (
            case.kind == "python" and prev.endswith(")") and not prev.startswith(("def ", "return"))
        ):
            j = i - 1
            while j > 0 and j > i - 15 and not ATTR.match(lines[j]):
                j -= 1
            if ATTR.match(lines[j]) and j < i - 1:
                i = j
                continue
        break
    return i


def item_end(lines, d, case):
    """The index of the last line of the item defined at line d."""
    if case.kind == "python":
        indent = len(lines[d]) - len(lines[d].lstrip())
        depth, i = 0, d
        # The signature, to its closing `:`.
        while i < len(lines):
            depth += lines[i].count("(") + lines[i].count("[") - lines[i].count(")") - lines[i].count("]")
            if depth <= 0 and lines[i].rstrip().endswith(":"):
                break
            i += 1
        end = i
        for j in range(i + 1, len(lines)):
            s = lines[j]
            if not s.strip():
                continue
            if len(s) - len(s.lstrip()) <= indent:
                break
            end = j
        return end
    depth, opened = 0, False
    text_mode = None  # None, or the quote closing the string
    for i in range(d, len(lines)):
        line = lines[i]
        k = 0
        while k < len(line):
            c = line[k]
            if text_mode:
                if c == "\\" and text_mode != 'r#"':
                    k += 2
                    continue
                if text_mode == 'r#"':
                    if line.startswith('"#', k):
                        text_mode = None
                        k += 2
                        continue
                elif c == text_mode:
                    text_mode = None
                k += 1
                continue
            if line.startswith("//", k):
                break
            if case.kind == "rust" and line.startswith('r#"', k):
                text_mode = 'r#"'
                k += 3
                continue
            if c == '"' or (c in "'`" and case.kind in ("js",)):
                text_mode = c
            elif c == "'" and case.kind in ("rust", "java", "kotlin"):
                m = re.match(r"'(\\.[^']*|[^\\'])'", line[k:])
                if m:
                    k += len(m.group(0))
                    continue
            elif c in "({[":
                depth += 1
                opened = True
            elif c in ")}]":
                depth -= 1
                if opened and depth == 0:
                    rest = line[k + 1:].strip()
                    # `});`, `);`: the call goes on to its end on this line.
                    if not rest or rest in (";", ",", ");", ")", "});") or rest.startswith("//"):
                        if c == "}" or case.kind == "js" or rest.startswith(";"):
                            return i
            k += 1
        if text_mode == "`" or text_mode == 'r#"':
            continue
        if text_mode and text_mode != "`":
            text_mode = None if case.kind != "rust" else text_mode
    raise CaseError(f"end of `{case.test}` not found in {case.file}")


def marker_lines(case, ident, indent):
    if case.form == "comment":
        return [f"{indent}{'#' if case.kind == 'python' else '//'} incident: {ident}"]
    if case.form == "doc":
        return [f"{indent}/// incident: {ident}"]
    if case.form == "mark":
        return None  # placed just above the def, below the other decorators
    if case.form == "tag":
        return [f'{indent}@org.junit.jupiter.api.Tag("incident:{ident}")']
    raise CaseError(f"unknown form `{case.form}`")


def indent_of(line):
    return line[: len(line) - len(line.lstrip())]


def link(repo, case, ident):
    path = os.path.join(repo, case.file)
    if not os.path.isfile(path):
        raise CaseError(f"{case.file} is not in the corpus")
    lines = open(path, encoding="utf-8", errors="surrogateescape").read().split("\n")
    d = find_def(lines, case)
    a = attrs_start(lines, d, case)
    if case.form == "doctest":
        # Rust: in the item's doc comment, above its first fenced example.
        i = doc_fence(lines, a, case)
        lines.insert(i, f"{indent_of(lines[i])}/// incident: {ident}")
    elif case.form == "tag" and "import org.junit.jupiter.api.Tag;" in lines:
        lines.insert(d, f'{indent_of(lines[d])}@Tag("incident:{ident}")')
    elif case.form == "mark":
        lines.insert(d, f'{indent_of(lines[d])}@pytest.mark.incident("{ident}")')
        if not re.search(r"^import pytest$", "\n".join(lines), re.M):
            lines.insert(0, "import pytest")
    else:
        lines[a:a] = marker_lines(case, ident, indent_of(lines[a]))
    write(path, lines)


def doc_fence(lines, a, case):
    """The first fence line of the doc comment ending above line a."""
    i = a
    while i > 0 and lines[i - 1].strip().startswith("///"):
        i -= 1
    for j in range(i, a):
        if lines[j].strip().startswith("/// ```"):
            return j
    raise CaseError(f"no fenced example in the doc comment of `{case.test}`")


def write(path, lines):
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write("\n".join(lines))


def insert_import(lines, case, imp, after):
    """Adds `imp` after the first line starting with `after`, unless the file has it."""
    if any(l.strip() == imp for l in lines):
        return lines
    for i, l in enumerate(lines):
        if l.startswith(after):
            lines.insert(i + 1, imp)
            return lines
    raise CaseError(f"no `{after}` line to add `{imp}` after in {case.file}")


def js_callee(lines, d, case, new):
    """Replaces the test call's callee on line d (`it(` → `new(`)."""
    m = re.search(r"(?<![\w.$])(it|test|specify)(?=\s*\()", lines[d])
    if not m:
        raise CaseError(f"no it/test call on the line of `{case.test}`")
    lines[d] = lines[d][: m.start()] + new.replace("CALLEE", m.group(1)) + lines[d][m.end():]


def apply_change(repo, case, ident):
    """Applies the case's change to the linked test. Returns nothing; raises CaseError."""
    path = os.path.join(repo, case.file)
    lines = open(path, encoding="utf-8", errors="surrogateescape").read().split("\n")
    d = find_def(lines, case)
    a = attrs_start(lines, d, case)
    ch = case.change
    arg = ""
    if ":" in ch:
        ch, arg = ch.split(":", 1)
    ind = indent_of(lines[d])
    k = case.kind
    # The marker lines written above the attributes go with the test when it goes.
    m = a
    while m > 0 and re.match(r"^\s*(//|#)[/ ]*\s*incident:", lines[m - 1]):
        m -= 1
    if ch == "delete":
        e = item_end(lines, d, case)
        a = m
        # The marker, the attributes and the item; a blank line left behind goes too.
        del lines[a:e + 1]
        if a < len(lines) and not lines[a].strip() and a > 0 and not lines[a - 1].strip():
            del lines[a]
    elif ch == "comment-out":
        e = item_end(lines, d, case)
        sigil = "# " if k == "python" else "// "
        for i in range(d, e + 1):
            lines[i] = sigil + lines[i]
        # The attributes and the marker go with it.
        for i in range(m, d):
            lines[i] = sigil + lines[i]
    elif ch == "rename":
        new = case.test + "_renamed" if k != "js" else case.test + " (renamed)"
        if case.test not in lines[d]:
            raise CaseError("the name is not on the def line")
        lines[d] = lines[d].replace(case.test, new, 1)
    elif ch == "attr":
        # A line just above the def (below the marker and the other attributes).
        lines.insert(d, ind + arg)
        if k == "python" and "__import__" not in arg and "os." in arg:
            lines.insert(0, "import os")
    elif ch == "outer-attr":
        # A line above the marker and the attributes (`#[cfg(…)]` on the whole item).
        lines.insert(a, ind + arg)
    elif ch == "drop-attr":
        # Removes the attribute line `arg` (`#[test]`, `@Test`) from the test.
        for i in range(a, d + 1):
            if lines[i].strip() == arg:
                del lines[i]
                break
        else:
            raise CaseError(f"`{arg}` not on `{case.test}`")
    elif ch == "skip":
        if k == "rust":
            lines.insert(d, ind + "#[ignore]")
        elif k == "python":
            lines.insert(d, ind + '@pytest.mark.skip(reason="benchmark")')
        elif k in ("java", "kotlin"):
            semi = ";" if k == "java" else ""
            text = "\n".join(lines)
            if "org.junit.jupiter" in text:
                lines.insert(d, ind + "@Disabled")
                insert_import(lines, case, f"import org.junit.jupiter.api.Disabled{semi}", "import org.junit.jupiter")
            else:
                lines.insert(d, ind + "@Ignore")
                insert_import(lines, case, f"import org.junit.Ignore{semi}", "import org.junit.")
        else:
            js_callee(lines, d, case, "CALLEE.skip")
    elif ch == "skip-bound":
        # pytest: a skip mark bound to a module-level name, then used as a decorator.
        lines.insert(d, ind + "@_benchmark_skip")
        last_import = max(i for i, l in enumerate(lines) if re.match(r"(import|from) \w", l))
        lines.insert(last_import + 1, '_benchmark_skip = pytest.mark.skip(reason="benchmark")')
    elif ch == "callee":
        # JS: the callee replaced (`it.skipIf(true)`, `(cond ? it : it.skip)`).
        js_callee(lines, d, case, arg)
    elif ch == "first-statement":
        # A statement first in the test's body.
        if not lines[d].rstrip().endswith("{"):
            raise CaseError("the def line does not open the body")
        lines.insert(d + 1, ind + "  " + arg)
    elif ch == "describe":
        # The enclosing describe block's callee replaced.
        for i in range(d - 1, -1, -1):
            if re.search(r"(?<![\w.$])describe\s*\(", lines[i]) and len(indent_of(lines[i])) < len(ind):
                lines[i] = re.sub(r"(?<![\w.$])describe(?=\s*\()", arg, lines[i], count=1)
                break
        else:
            raise CaseError("no enclosing describe")
    elif ch == "module-attr":
        # A module-level line: in Python after the last top-level import, elsewhere at
        # the top of the file (after `//!` lines and a shebang).
        if k == "python":
            i = max(i for i, l in enumerate(lines) if re.match(r"(import|from) \w", l)) + 1
        else:
            i = 0
            while i < len(lines) and lines[i].startswith(("//!", "#!")):
                i += 1
        lines.insert(i, arg)
    elif ch == "fence":
        # Rust doc test: the fence after the marker gets an attribute (`ignore`, `no_run`).
        for j in range(a - 1, -1, -1):
            if "incident:" in lines[j] and lines[j].strip().startswith("///"):
                lines[j + 1] = lines[j + 1].replace("```", "```" + arg, 1)
                break
        else:
            raise CaseError("no doc-comment marker above the test")
    elif ch == "replace":
        # `replace:FILE:OLD=>NEW`, FILE `.` for the test's file: the first OLD becomes NEW.
        target, _, edit = arg.partition(":")
        old, _, new = edit.partition("=>")
        old, new = old.replace("\\n", "\n"), new.replace("\\n", "\n")
        if target == ".":
            text = "\n".join(lines)
            if old not in text:
                raise CaseError(f"`{old}` not in {case.file}")
            lines = text.replace(old, new, 1).split("\n")
        else:
            write(path, lines)
            tp = os.path.join(repo, target)
            text = open(tp, encoding="utf-8").read()
            if old not in text:
                raise CaseError(f"`{old}` not in {target}")
            with open(tp, "w", encoding="utf-8") as f:
                f.write(text.replace(old, new, 1))
            return
    elif ch == "append":
        # A line appended to another file of the repository: `append:FILE:LINE`.
        target, text = arg.split(":", 1)
        write(path, lines)
        tp = os.path.join(repo, target)
        old = open(tp, encoding="utf-8").read() if os.path.exists(tp) else ""
        with open(tp, "w", encoding="utf-8") as f:
            f.write(old + ("" if old.endswith("\n") or not old else "\n") + text.replace("\\n", "\n") + "\n")
        return
    elif ch == "move":
        # The file moved (git mv) to `arg`; a Java/Kotlin class renamed with its file.
        write(path, lines)
        os.makedirs(os.path.dirname(os.path.join(repo, arg)), exist_ok=True)
        git(repo, "mv", case.file, arg)
        if k in ("java", "kotlin"):
            old = os.path.splitext(os.path.basename(case.file))[0]
            new = os.path.splitext(os.path.basename(arg))[0]
            np = os.path.join(repo, arg)
            text = open(np, encoding="utf-8").read()
            write(np, re.sub(rf"\b{re.escape(old)}\b", new, text).split("\n"))
        return
    else:
        raise CaseError(f"unknown change `{case.change}`")
    write(path, lines)


def moved_path(case):
    return case.change.split(":", 1)[1] if case.change.startswith("move:") else case.file


# --------------------------------------------------------------------------- verdicts


def finding_key(f):
    return (f.get("rule"), f.get("path"), f.get("message"))


def run_check(bin, repo, base="HEAD~1"):
    t0 = time.time()
    r = subprocess.run(
        [bin, "check", "--base", base, "--format", "json"],
        cwd=repo,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}, "NO_COLOR": "1"},
    )
    dt = time.time() - t0
    try:
        doc = json.loads(r.stdout)
    except ValueError:
        raise CaseError(f"check exited {r.returncode} without JSON: {r.stderr.decode(errors='replace')[:300]}")
    return doc, dt


def verdict(expect, findings):
    """(class, detail) for the findings a check brought, against the expected verdict."""
    errors = [f for f in findings if f.get("level") == "error"]
    warnings = [f for f in findings if f.get("level") == "warning"]
    def said(fs):
        return "; ".join(f"{f['level']}[{f['rule']}] {f.get('message', '')}" for f in fs)
    if expect == "ok|warning":
        # Either is right: the condition is decided by CI the tool may or may not read.
        if errors:
            return "false error", said(errors)
        return "correct", ""
    if expect == "ok":
        if errors:
            return "false error", said(errors)
        if warnings:
            return "noisy warning", said(warnings)
        return "correct", ""
    level, _, rules = expect.partition(":")
    want = set(rules.split("|")) if rules else None
    if level == "error":
        hit = [f for f in errors if want is None or f["rule"] in want]
        if hit:
            return "correct", said(hit)
        if errors:
            return "false error", "wrong rule: " + said(errors)
        if warnings:
            return "warned", said(warnings)
        return "silent pass", ""
    if level == "warning":
        if errors:
            return "false error", said(errors)
        hit = [f for f in warnings if want is None or f["rule"] in want]
        if hit:
            return "correct", said(hit)
        if warnings:
            return "correct", "other warning: " + said(warnings)
        return "silent pass", ""
    raise CaseError(f"unknown expected verdict `{expect}`")


# --------------------------------------------------------------------------- runners


class Runner:
    """Whether a test runs, by the repository's real runner: True, False, or None (the
    runner could not tell)."""

    def applies(self, case):
        return True

    def runs(self, repo, case, path, changed=False):
        raise NotImplementedError


class Pytest(Runner):
    """pytest in the venv run.sh made: the test's file collected (`--collect-only`; the
    whole suite, as a bare `pytest` collects it, after a change to what is collected:
    a move, `collect_ignore`), then its node id run (`-rA`): passed or failed is "runs",
    skipped, an error or no such node is "does not run"."""

    def __init__(self, python):
        self.python = python

    def pytest(self, repo, *args):
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        r = subprocess.run(
            [self.python, "-m", "pytest", "-p", "no:cacheprovider", *args],
            cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, timeout=300,
        )
        return r.stdout.decode(errors="replace")

    def runs(self, repo, case, path, changed=False):
        whole = changed and case.change.startswith(("move:", "append:"))
        out = self.pytest(repo, "--collect-only", "-q", *([] if whole else [path]))
        ids = [l.strip() for l in out.splitlines() if "::" in l and not l.startswith(("ERROR", "FAILED"))]
        if whole and re.search(r"^Interrupted: ", out, re.M):
            return False  # a bare `pytest` stops before running anything
        name = case.test + ("_renamed" if changed and case.change == "rename" else "")
        mine = [i for i in ids if i.startswith(path + "::") and re.search(rf"::{re.escape(name)}(\[|$)", i)]
        if not mine:
            return False
        out = self.pytest(repo, "-q", "-rA", mine[0])
        if re.search(r"^(PASSED|FAILED|XFAIL|XPASS) ", out, re.M):
            return True
        if re.search(r"^(SKIPPED|ERROR)", out, re.M):
            return False
        return None


class Mocha(Runner):
    """`mocha` with the spec and options of the package's `test` script, limited to the
    test's title with --fgrep: the files mocha loads are the script's."""

    def __init__(self, args):
        self.args = args

    def runs(self, repo, case, path, changed=False):
        title = case.test
        prefix = title.startswith("~")
        if prefix:
            # A computed title: the literal text of its first string.
            m = re.search(r"['\"]([^'\"]+)['\"]", title)
            title = m.group(1) if m else title[1:]
        if changed and case.change == "rename":
            title += " (renamed)"
        out = os.path.join(tempfile.mkdtemp(prefix="ig-mocha-"), "out.json")
        try:
            subprocess.run(
                [os.path.join(repo, "node_modules/.bin/mocha"), *self.args, "--reporter", "json",
                 "--reporter-option", f"output={out}", "--fgrep", title],
                cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300,
            )
            doc = json.load(open(out))
        except (OSError, ValueError, subprocess.TimeoutExpired):
            return None
        finally:
            shutil.rmtree(os.path.dirname(out), ignore_errors=True)
        def mine(ts):
            return [t for t in ts if (t.get("title", "").startswith(title) if prefix else t.get("title") == title)
                    and os.path.relpath(t.get("file", ""), repo) == path]
        ran = mine(doc.get("passes", [])) + mine(doc.get("failures", []))
        if len(ran) + len(mine(doc.get("pending", []))) > 1:
            return None  # the title names more than one test of the file: can't tell
        return bool(ran)


class CargoList(Runner):
    """`cargo test -- --list` of one small crate of the repository, copied out of its
    workspace and built offline against the local registry: whether the test is listed,
    and as what (`: test` runs; `--ignored` lists the ignored ones)."""

    def __init__(self, crate, target):
        self.crate, self.target = crate, target

    def applies(self, case):
        return case.file.startswith(self.crate + "/")

    def runs(self, repo, case, path, changed=False):
        if not path.startswith(self.crate + "/"):
            return False  # moved out of the crate: not its test any more
        work = tempfile.mkdtemp(prefix="ig-cargo-")
        try:
            dst = os.path.join(work, "crate")
            shutil.copytree(os.path.join(repo, self.crate), dst)
            standalone_manifest(repo, os.path.join(dst, "Cargo.toml"))
            lock = os.path.join(os.path.dirname(self.target), "Cargo.lock." + os.path.basename(self.crate))
            if os.path.exists(lock):
                shutil.copy(lock, os.path.join(dst, "Cargo.lock"))
            cmd = ["cargo", "test", "--offline", "-q", "--", "--list", "--format", "terse"]
            env = dict(os.environ, CARGO_TARGET_DIR=self.target, CARGO_TERM_COLOR="never")
            r = subprocess.run(cmd, cwd=dst, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=900)
            if r.returncode != 0:
                return None
            if not os.path.exists(lock) and os.path.exists(os.path.join(dst, "Cargo.lock")):
                shutil.copy(os.path.join(dst, "Cargo.lock"), lock)
            listed = r.stdout.decode(errors="replace").splitlines()
            r2 = subprocess.run(cmd[:-2] + ["--ignored", "--format", "terse"], cwd=dst,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=900)
            ignored = r2.stdout.decode(errors="replace").splitlines() if r2.returncode == 0 else []
        except (OSError, subprocess.TimeoutExpired, CaseError):
            return None
        finally:
            shutil.rmtree(work, ignore_errors=True)
        name = case.test + ("_renamed" if changed and case.change == "rename" else "")
        # `tests::name: test`, or a doc test's `src/lib.rs - path::Name (line 61): test`.
        pat = re.compile(rf"((^|::){re.escape(name)}| - (\w+::)*{re.escape(name)} \(line \d+\)): test$")
        hits = [l for l in listed if pat.search(l)]
        if not hits:
            return False
        return not any(pat.search(l) for l in ignored)


def standalone_manifest(repo, path):
    """Rewrites a workspace member's Cargo.toml to build on its own: what it inherits
    (`edition.workspace = true`, `dep.workspace = true`, `[lints] workspace = true`)
    written out from the workspace's root manifest, or dropped where only metadata."""
    import tomllib

    root = tomllib.load(open(os.path.join(repo, "Cargo.toml"), "rb")).get("workspace", {})
    pkg, deps = root.get("package", {}), root.get("dependencies", {})

    def spec(name):
        d = deps.get(name)
        if isinstance(d, str):
            return f'version = "{d}"'
        if isinstance(d, dict) and "version" in d:
            out = [f'version = "{d["version"]}"']
            if "default-features" in d:
                out.append(f'default-features = {str(d["default-features"]).lower()}')
            if d.get("features"):
                out.append("features = [" + ", ".join(f'"{f}"' for f in d["features"]) + "]")
            return ", ".join(out)
        raise CaseError(f"workspace dependency `{name}` is not a registry crate")

    out, section = [], ""
    for line in open(path, encoding="utf-8").read().split("\n"):
        st = line.strip()
        if st.startswith("["):
            section = st
            if st == "[lints]":
                continue
        if section == "[lints]":
            continue
        m = re.match(r"^([\w-]+)\.workspace\s*=\s*true\s*$", st)
        if m and section == "[package]":
            if m.group(1) in pkg and m.group(1) == "edition":
                out.append(f'edition = "{pkg["edition"]}"')
            continue
        if m:
            out.append(f"{m.group(1)} = {{ {spec(m.group(1))} }}")
            continue
        m = re.match(r"^([\w-]+)\s*=\s*\{(.*)\bworkspace\s*=\s*true(.*)\}\s*$", st)
        if m:
            rest = (m.group(2) + m.group(3)).strip().strip(",").strip()
            out.append(f"{m.group(1)} = {{ {spec(m.group(1))}{', ' + rest if rest else ''} }}")
            continue
        out.append(line)
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out))


def runners(corpora, repos):
    out = {}
    py = os.path.join(corpora, "flask.venv", "bin", "python")
    if "flask" in repos and os.path.exists(py):
        out["flask"] = Pytest(py)
    if "express" in repos and os.path.exists(os.path.join(corpora, "express", "node_modules", ".bin", "mocha")):
        out["express"] = Mocha(["--require", "test/support/env", "--check-leaks", "test/", "test/acceptance/"])
    if "ripgrep" in repos:
        out["ripgrep"] = CargoList("crates/matcher", os.path.join(corpora, "cargo-target"))
    if "cargo" in repos:
        out["cargo"] = CargoList("crates/cargo-platform", os.path.join(corpora, "cargo-target"))
    return out


# --------------------------------------------------------------------------- run


def run(args):
    cases = [c for c in read_cases(args.cases) if c.repo in args.repos and (not args.only or c.repo in args.only.split(","))]
    rs = runners(args.corpora, args.repos) if args.runners else {}
    results = []
    broken = 0
    for n, case in enumerate(cases, 1):
        repo = os.path.join(args.corpora, case.repo)
        ident = f"INC-2026-{n:03d}"
        res = {"line": case.lineno, "repo": case.repo, "case": str(case), "expect": case.expect, "change": case.change}
        try:
            reset(repo)
            if case.repo not in BASELINE:
                # What the repository's own files bring, without any postmortem.
                base_doc, _ = run_check(args.bin, repo, "HEAD")
                BASELINE[case.repo] = {finding_key(f) for f in base_doc.get("findings", [])}
            os.makedirs(os.path.join(repo, "postmortems"), exist_ok=True)
            with open(os.path.join(repo, "postmortems", f"{ident}.md"), "w") as f:
                f.write(
                    f'+++\nid = "{ident}"\ntitle = "Benchmark case {case.lineno}"\ndate = 2026-05-01\n'
                    f'severity = "SEV2"\n+++\n\n## Summary\n\n{case.file}::{case.test}\n'
                )
            link(repo, case, ident)
            git(repo, "add", "-A")
            git(repo, "commit", "-q", "--no-verify", "-m", f"link {case}")
            link_expect = case.link_expect
            doc, dt = run_check(args.bin, repo)
            fs = [f for f in doc.get("findings", []) if finding_key(f) not in BASELINE[case.repo]]
            res["link"], res["link_detail"] = verdict(link_expect, fs)
            res["times"] = [dt]
            runner = rs.get(case.repo)
            runner = runner if runner and runner.applies(case) else None
            if runner:
                res["runner_link"] = runner.runs(repo, case, case.file)
            if case.change != "none" and res["link"] == "false error":
                # The tool does not see the link: what the change does to it says nothing.
                res["result"], res["detail"] = "blocked", "the link itself was a false error"
            elif case.change != "none":
                apply_change(repo, case, ident)
                git(repo, "add", "-A")
                git(repo, "commit", "-q", "--no-verify", "-m", f"change {case}")
                doc, dt = run_check(args.bin, repo)
                fs = [f for f in doc.get("findings", []) if finding_key(f) not in BASELINE[case.repo]]
                res["result"], res["detail"] = verdict(case.expect, fs)
                res["times"].append(dt)
                if runner:
                    res["runner_change"] = runner.runs(repo, case, moved_path(case), changed=True)
            else:
                res["result"], res["detail"] = res["link"], res["link_detail"]
        except (CaseError, RuntimeError, subprocess.TimeoutExpired) as e:
            res["result"] = "broken"
            res["detail"] = str(e)
            broken += 1
        res["confirmed"] = confirmed(case, res)
        results.append(res)
        mark = "" if res["result"] == "correct" else f"  <-- {res['result']}"
        rn = {True: "runs", False: "not run", None: "?"}
        extra = ""
        if "runner_link" in res:
            extra = f" runner: {rn[res['runner_link']]}" + (f" -> {rn[res.get('runner_change')]}" if "runner_change" in res else "")
        print(f"  {case.repo:8} {case.lineno:4} {str(case)[:90]:90} {res['result']}{extra}{mark}", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    table(results, args.repos)
    return 1 if broken else 0


BASELINE = {}


def confirmed(case, res):
    """True when the runner agrees with the case's premise, False when it disagrees, None
    without a runner's word. The premise: a linked test runs (unless the case is a link
    expected to be an error: then it does not); after a change expected to be an error it
    does not run, after one expected ok it does. Warnings are no premise."""
    if res.get("runner_link") is None or case.link_expect.startswith("warning"):
        return None
    link_should = case.link_expect.startswith("ok")
    if res["runner_link"] != link_should:
        return False
    if case.change == "none":
        return True
    after = res.get("runner_change")
    if after is None or case.expect.startswith("warning") or case.expect == "ok|warning":
        # A warning is no premise; nor is a condition CI decides (this machine is one OS).
        return None
    return after == (case.expect == "ok")


def table(results, repos):
    cols = ["links", "changes", "correct", "false errors", "silent passes", "noisy warnings", "warned", "blocked", "broken",
            "runner-confirmed", "runner-disagrees", "check s (median)", "check s (max)"]
    print()
    print("| repository | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    total = {c: 0 for c in cols}
    for repo in repos + ["total"]:
        rows = results if repo == "total" else [r for r in results if r["repo"] == repo]
        if not rows:
            continue
        # Every case links a test: its link verdict counts once; a change case's change
        # verdict counts once more.
        ok = [r for r in rows if r["result"] != "broken"]
        link_v = [r["link"] for r in ok]
        change_v = [r["result"] for r in ok if r["change"] != "none"]
        verdicts = link_v + change_v
        times = [t for r in rows for t in r.get("times", [])]
        times.sort()
        row = {
            "links": len(link_v),
            "changes": len(change_v),
            "correct": verdicts.count("correct"),
            "false errors": verdicts.count("false error"),
            "silent passes": verdicts.count("silent pass"),
            "noisy warnings": verdicts.count("noisy warning"),
            "warned": verdicts.count("warned"),
            "blocked": verdicts.count("blocked"),
            "broken": sum(r["result"] == "broken" for r in rows),
            "runner-confirmed": sum(r.get("confirmed") is True for r in rows),
            "runner-disagrees": sum(r.get("confirmed") is False for r in rows),
            "check s (median)": f"{times[len(times) // 2]:.2f}" if times else "-",
            "check s (max)": f"{times[-1]:.2f}" if times else "-",
        }
        name = "**total**" if repo == "total" else repo
        print(f"| {name} | " + " | ".join(str(row[c]) for c in cols) + " |")
    print()
    print("Verdicts: links and changes together (a change case's link counts as a link).")
    ok = [r for r in results if r["result"] != "broken"]
    for what, vs in (("links", [r["link"] for r in ok]), ("changes", [r["result"] for r in ok if r["change"] != "none"])):
        counts = {v: vs.count(v) for v in ("correct", "false error", "silent pass", "noisy warning", "warned", "blocked")}
        print(f"{what}: {len(vs)}: " + ", ".join(f"{n} {v}" for v, n in counts.items() if n or v == "correct"))
    wrong = [r for r in results if r["result"] != "correct" or r.get("link", "correct") != "correct" or r.get("confirmed") is False]
    if wrong:
        print("\nNot correct:")
        for r in wrong:
            what = r["result"] if r["result"] != "correct" else f"link: {r['link']}"
            if r.get("link", "correct") != "correct" and r["result"] != "correct" and r["change"] != "none":
                what = f"link: {r['link']}; change: {r['result']}"
            detail = r.get("detail") if r["result"] != "correct" else r.get("link_detail")
            if r.get("confirmed") is False:
                what += "; RUNNER DISAGREES with the case's premise"
            print(f"- {r['repo']} cases.txt:{r['line']} {r['case']} (expected {r['expect']}): {what}" + (f" -- {detail[:300]}" if detail else ""))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    pp = sub.add_parser("prepare")
    pp.add_argument("name")
    pp.add_argument("source")
    pp.add_argument("dir")
    pr = sub.add_parser("run")
    pr.add_argument("--bin", required=True)
    pr.add_argument("--corpora", required=True)
    pr.add_argument("--cases", default=os.path.join(HERE, "cases.txt"))
    pr.add_argument("--only", default="")
    pr.add_argument("--runners", type=int, default=1)
    pr.add_argument("--json", default="")
    pr.add_argument("repos", nargs="+")
    a = p.parse_args()
    if a.cmd == "prepare":
        prepare(a.name, a.source, a.dir)
        return 0
    return run(a)


if __name__ == "__main__":
    sys.exit(main())
