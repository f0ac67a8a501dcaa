//! Python tests, as pytest collects them: in a test file (`test*.py` or `*_test.py`:
//! pytest's `test_*.py`/`*_test.py` and unittest's `test*.py`), a `def test…` (also
//! `async def`) at module level or in a test class; a test class is a `class Test…` at
//! module level or nested in a test class, or a subclass of `…TestCase`. Identity:
//! pytest's node id, `path/test_x.py::TestClass::test_name` (parametrized cases are one
//! test).
//!
//! Markers: `# incident: ID` on the lines directly above (above or between decorators),
//! and `@pytest.mark.incident("ID", …)` (any configured marker word after `mark.`). As in
//! pytest, a mark on a test class, or in a `pytestmark = …` assignment of the module or
//! class, applies to every test inside; so does a `# incident:` comment directly above a
//! test class. Skipped: `@pytest.mark.skip`, `@unittest.skip`, and `pytest.skip(…)`,
//! `self.skipTest(…)` or `raise unittest.SkipTest(…)` as the first statement.
//! `@pytest.mark.skipif`, `@unittest.skipIf`, `@unittest.skipUnless` and
//! `@pytest.mark.xfail(run=False)` are skips when their condition is made of literals
//! that always hold (`skipif(True)`, `skipif("1")`, `skipif` with no condition at all),
//! no skips when it never holds, and conditional otherwise. A name bound to one of these
//! marks at module level or in the class body (`skip_flaky = pytest.mark.skip(…)`, then
//! `@skip_flaky` or `pytestmark = [skip_flaky]`) is that mark; bound under an `if`, it is
//! conditional. pytest collects nothing from a
//! module or class with `__test__ = False`, and nothing from a module that calls
//! `pytest.skip(…, allow_module_level=True)` or raises `unittest.SkipTest` when imported:
//! those disable every test there (conditionally when under an `if` or `try`), and a
//! module-level `pytest.importorskip("numpy")` makes them conditional on the import.
//! Files are decoded by their PEP 263 declaration (`pep263`).
//!
//! Read with a hand-written lexer: strings with every prefix, triple quotes, f-strings
//! whose `{…}` hold strings of the same quote (Python 3.12) and format specs, comments,
//! bracket depth, backslash continuations and indentation, on an explicit stack (no
//! recursion, so no input overflows it). Logical lines and their indentation are all
//! the structure needed. tree-sitter-python would add 0.4 s to a `-j1` debug build
//! (measured) plus tree-sitter itself (1.4 s) and its parse tables (see `clike`); it was
//! not needed for accuracy. On the project in `scripts/accuracy/python/` (classes,
//! nested classes three deep, async tests, parametrize on functions and methods,
//! unittest classes, a class with `__init__`, conftest, `*_test.py`, tests inside
//! functions, strings and comments), `pytest --collect-only -q` (pytest 9.2) lists 26
//! items, 21 tests once parametrized cases are merged; the scanner finds all 21, and one
//! more that pytest cannot see: a test defined in the `else` branch of a Python-version
//! check (`tests/accuracy.rs`, run by `scripts/accuracy/run.sh`). On 14 of CPython
//! 3.11's own test files pytest lists 4,408 tests: the scanner finds 1,530 and nothing
//! that is not a test; the rest are its two known gaps, methods a class inherits from a
//! mixin or another test class (1,474, which pytest lists again under each subclass)
//! and methods `test_argparse` generates at run time (1,404).

#[path = "python_conftest.rs"]
pub mod conftest;

use super::markers::MarkerWords;
use super::rust_lex::{Comment, CommentKind};
use super::{BadMarker, FileScan, Item, ItemKind, Language, Link, Skip, StrayMarker, Truth};
use crate::finding::Location;
use std::collections::HashMap;

pub struct Python;

impl Language for Python {
    fn name(&self) -> &'static str {
        "python"
    }

    fn handles(&self, path: &str) -> bool {
        path.ends_with(".py")
    }

    fn is_test_file(&self, path: &str) -> bool {
        is_test_file(path)
    }

    fn scan(&self, path: &str, text: &str, words: &MarkerWords) -> FileScan {
        scan(path, text, words)
    }

    fn decode(&self, bytes: &[u8]) -> super::Decoded {
        super::pep263::decode(bytes)
    }

    fn skip_form(&self) -> &'static str {
        "skip (`@pytest.mark.skip`, `@unittest.skip`, `pytest.skip()`)"
    }

    fn marker_help(&self) -> &'static str {
        "put `# incident: ID` on the lines directly above a `def test…` (or above its decorators, or above a test class), or use `@pytest.mark.incident(\"ID\")`; tests live in `test*.py` or `*_test.py` files"
    }
}

/// The names of the classes in `src` that subclass a `…TestCase`: unittest collects their
/// `test*` methods by its own rules, whatever pytest's `python_classes` and
/// `python_functions` say.
pub fn unittest_classes(src: &str) -> Vec<String> {
    let lx = lex(src.strip_prefix('\u{feff}').unwrap_or(src));
    lx.lines
        .iter()
        .filter_map(|ll| match &lx.toks[ll.from..ll.to] {
            [class, name, bases @ ..]
                if class.is("class")
                    && name.kind == Kind::Name
                    && bases.iter().any(|t| t.kind == Kind::Name && t.text.ends_with("TestCase")) =>
            {
                Some(name.text.to_owned())
            }
            _ => None,
        })
        .collect()
}

/// Whether pytest or unittest collects tests from this file by default.
fn is_test_file(path: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path);
    base.starts_with("test") || base.ends_with("_test.py")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Name,
    Str,
    Num,
    Op,
}

#[derive(Clone, Debug)]
struct Tok<'a> {
    kind: Kind,
    text: &'a str,
    start: usize,
    line: usize,
}

impl Tok<'_> {
    fn is(&self, s: &str) -> bool {
        self.kind != Kind::Str && self.text == s
    }
}

/// A logical line: its tokens (a range into `Lexed::toks`) and indentation.
#[derive(Clone, Debug)]
struct LogicalLine {
    from: usize,
    to: usize,
    indent: usize,
    last_line: usize,
}

#[derive(Debug, Default)]
struct Lexed<'a> {
    toks: Vec<Tok<'a>>,
    lines: Vec<LogicalLine>,
    comments: Vec<Comment<'a>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Frame {
    Str {
        quote: u8,
        triple: bool,
        raw: bool,
        fmt: bool,
    },
    /// Code inside an f-string's `{…}`, with its bracket depth.
    Expr(u32),
    /// A format spec after `:` in an f-string's `{…}`.
    Spec,
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// The length of a string prefix (`r`, `b`, `f`, `rb`, `Rf`, `t`, `u`, …) at `pos` that
/// is directly followed by a quote, else `None`.
fn string_prefix(b: &[u8], pos: usize) -> Option<usize> {
    let n = b[pos..].iter().take_while(|c| matches!(c.to_ascii_lowercase(), b'r' | b'b' | b'u' | b'f' | b't')).count();
    (n <= 2 && matches!(b.get(pos + n), Some(b'"' | b'\''))).then_some(n)
}

/// Skips a string literal whose prefix starts at `pos` (`prefix` bytes, then the quote).
/// Returns the end offset and the number of newlines inside.
fn skip_string(b: &[u8], pos: usize, prefix: usize) -> usize {
    let flags = |p: &[u8]| {
        let lower: Vec<u8> = p.iter().map(u8::to_ascii_lowercase).collect();
        (lower.contains(&b'r'), lower.contains(&b'f') || lower.contains(&b't'))
    };
    let open = |at: usize, prefix: usize| -> (Frame, usize) {
        let (raw, fmt) = flags(&b[at..at + prefix]);
        let q = at + prefix;
        let quote = b[q];
        let triple = b.get(q + 1) == Some(&quote) && b.get(q + 2) == Some(&quote);
        (Frame::Str { quote, triple, raw, fmt }, q + if triple { 3 } else { 1 })
    };
    let (first, mut i) = open(pos, prefix);
    let mut stack = vec![first];
    while let Some(&top) = stack.last() {
        let Some(&c) = b.get(i) else { return b.len() };
        match top {
            Frame::Str { quote, triple, raw, fmt } => match c {
                b'\\' if !(raw && fmt && b.get(i + 1) == Some(&b'{')) => i += 2,
                b'\n' if !triple => return i, // unterminated: the string ends with its line
                b'{' if fmt && b.get(i + 1) == Some(&b'{') => i += 2,
                b'{' if fmt => {
                    stack.push(Frame::Expr(0));
                    i += 1;
                }
                q if q == quote => {
                    if !triple {
                        stack.pop();
                        i += 1;
                    } else if b.get(i + 1) == Some(&quote) && b.get(i + 2) == Some(&quote) {
                        stack.pop();
                        i += 3;
                    } else {
                        i += 1;
                    }
                }
                _ => i += 1,
            },
            Frame::Expr(depth) => match c {
                b'(' | b'[' | b'{' => {
                    stack.pop();
                    stack.push(Frame::Expr(depth + 1));
                    i += 1;
                }
                b')' | b']' | b'}' if depth > 0 => {
                    stack.pop();
                    stack.push(Frame::Expr(depth - 1));
                    i += 1;
                }
                b'}' => {
                    stack.pop();
                    i += 1;
                }
                b':' if depth == 0 => {
                    stack.pop();
                    stack.push(Frame::Spec);
                    i += 1;
                }
                b'\n' if !stack.iter().any(|f| matches!(f, Frame::Str { triple: true, .. })) => return i,
                b'"' | b'\'' => {
                    let (frame, next) = open(i, 0);
                    stack.push(frame);
                    i = next;
                }
                c if c.is_ascii_alphabetic() && (i == 0 || !is_name_byte(b[i - 1])) => match string_prefix(b, i) {
                    Some(p) => {
                        let (frame, next) = open(i, p);
                        stack.push(frame);
                        i = next;
                    }
                    None => i += 1,
                },
                _ => i += 1,
            },
            Frame::Spec => match c {
                b'{' => {
                    stack.push(Frame::Expr(0));
                    i += 1;
                }
                b'}' => {
                    stack.pop();
                    i += 1;
                }
                b'\n' if !stack.iter().any(|f| matches!(f, Frame::Str { triple: true, .. })) => return i,
                _ => i += 1,
            },
        }
    }
    i.min(b.len())
}

fn lex(src: &str) -> Lexed<'_> {
    let b = src.as_bytes();
    let mut out = Lexed::default();
    let (mut pos, mut line, mut line_start) = (0usize, 1usize, 0usize);
    let mut depth = 0usize;
    let mut line_from = 0usize; // first token of the logical line being read
    let mut indent = 0usize;
    let mut at_line_start = true;
    let columns = super::columns::Columns::new(src);
    let finish = |out: &mut Lexed, from: &mut usize, indent: usize, last_line: usize| {
        if out.toks.len() > *from {
            out.lines.push(LogicalLine { from: *from, to: out.toks.len(), indent, last_line });
        }
        *from = out.toks.len();
    };
    while pos < b.len() {
        if at_line_start && depth == 0 && out.toks.len() == line_from {
            // Indentation of a new logical line (tabs to the next multiple of 8).
            let mut width = 0;
            while let Some(&c) = b.get(pos) {
                match c {
                    b' ' => width += 1,
                    b'\t' => width = (width / 8 + 1) * 8,
                    b'\x0c' => width = 0,
                    _ => break,
                }
                pos += 1;
            }
            indent = width;
            at_line_start = false;
            continue;
        }
        at_line_start = false;
        let c = b[pos];
        match c {
            b'\n' => {
                if depth == 0 {
                    finish(&mut out, &mut line_from, indent, line);
                }
                pos += 1;
                line += 1;
                line_start = pos;
                at_line_start = true;
            }
            b'\\' if matches!(b.get(pos + 1), Some(b'\n')) || b[pos + 1..].starts_with(b"\r\n") => {
                pos += if b.get(pos + 1) == Some(&b'\n') { 2 } else { 3 };
                line += 1;
                line_start = pos;
            }
            b'#' => {
                let own_line = b[line_start..pos].iter().all(|c| c.is_ascii_whitespace());
                let start = pos;
                while pos < b.len() && b[pos] != b'\n' {
                    pos += 1;
                }
                let text = &src[start + 1..pos];
                let text = text.strip_suffix('\r').unwrap_or(text);
                let col = columns.col(start) + 1;
                out.comments.push(Comment { line, col, text, kind: CommentKind::Plain, own_line });
            }
            c if c.is_ascii_whitespace() => pos += 1,
            b'"' | b'\'' => {
                let end = skip_string(b, pos, 0);
                push(&mut out, src, Kind::Str, pos, end, line);
                count_lines(b, pos, end, &mut line, &mut line_start);
                pos = end;
            }
            c if is_name_byte(c) && !c.is_ascii_digit() => {
                if let Some(p) = string_prefix(b, pos) {
                    let end = skip_string(b, pos, p);
                    push(&mut out, src, Kind::Str, pos, end, line);
                    count_lines(b, pos, end, &mut line, &mut line_start);
                    pos = end;
                } else {
                    let start = pos;
                    while pos < b.len() && is_name_byte(b[pos]) {
                        pos += 1;
                    }
                    push(&mut out, src, Kind::Name, start, pos, line);
                }
            }
            c if c.is_ascii_digit() => {
                let start = pos;
                while pos < b.len() && (is_name_byte(b[pos]) || b[pos] == b'.') {
                    pos += 1;
                }
                push(&mut out, src, Kind::Num, start, pos, line);
            }
            _ => {
                match c {
                    b'(' | b'[' | b'{' => depth += 1,
                    b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
                push(&mut out, src, Kind::Op, pos, pos + 1, line);
                pos += 1;
            }
        }
    }
    finish(&mut out, &mut line_from, indent, line);
    out
}

fn push<'a>(out: &mut Lexed<'a>, src: &'a str, kind: Kind, start: usize, end: usize, line: usize) {
    let end = end.min(src.len());
    // Every boundary is at an ASCII byte or the end, so `text` is always a valid slice.
    let text = src.get(start..end).unwrap_or("");
    out.toks.push(Tok { kind, text, start, line });
}

fn count_lines(b: &[u8], from: usize, to: usize, line: &mut usize, line_start: &mut usize) {
    for (i, &c) in b[from..to.min(b.len())].iter().enumerate() {
        if c == b'\n' {
            *line += 1;
            *line_start = from + i + 1;
        }
    }
}

/// What the marks of a decorator list or a `pytestmark` assignment say.
#[derive(Clone, Debug, Default)]
struct Marks {
    links: Vec<Link>,
    /// Where an incident mark stands, for a stray marker when it links nothing.
    at: Option<Location>,
    /// A skip that always applies: the test never runs.
    skip: Option<Skip>,
    /// A skip, or a condition to run, that the source cannot decide.
    skip_if: Option<Skip>,
    has_mark: bool,
    /// The names of the marks (`pytest.mark.NAME`), for `-m` expressions; `maybe_names`
    /// are those of names bound to a mark under an `if`.
    names: Vec<String>,
    maybe_names: Vec<String>,
}

impl Marks {
    fn extend(&mut self, other: &Marks) {
        self.links.extend(other.links.iter().cloned());
        self.at = self.at.clone().or_else(|| other.at.clone());
        self.skip = self.skip.clone().or_else(|| other.skip.clone());
        self.skip_if = self.skip_if.clone().or_else(|| other.skip_if.clone());
        self.has_mark |= other.has_mark;
        self.names.extend(other.names.iter().cloned());
        self.maybe_names.extend(other.maybe_names.iter().cloned());
    }

    /// Records a skip whose condition is `holds`: always, never (nothing to record) or
    /// undecided.
    fn skip_when(&mut self, holds: Truth, skip: impl FnOnce(Truth) -> Skip) {
        match holds {
            Truth::Yes => {
                self.skip.get_or_insert_with(|| skip(Truth::Yes));
            }
            Truth::No => {}
            Truth::Unknown => {
                self.skip_if.get_or_insert_with(|| skip(Truth::Unknown));
            }
        }
    }
}

/// The truth of an expression made only of literals (`True`, `0`, `None`, `"x"`, `not …`,
/// parentheses), else `Unknown`. With `eval_strings`, a string is an expression to
/// evaluate, as pytest evaluates `skipif("sys.platform == 'win32'")`; otherwise it is a
/// value, true when not empty, as `unittest.skipIf("x", …)` sees it.
fn truth(toks: &[Tok], eval_strings: bool) -> Truth {
    // Conditions worth deciding are short; a long one is not made of literals anyway,
    // and the cap keeps the peeling below linear in what a hostile file can nest.
    if toks.len() > 64 {
        return Truth::Unknown;
    }
    // `not` and parentheses are peeled in a loop, not by recursion.
    let mut toks = toks;
    let mut negated = false;
    loop {
        match toks {
            [not, rest @ ..] if not.is("not") && !rest.is_empty() => {
                negated = !negated;
                toks = rest;
            }
            [open, inner @ .., close] if open.is("(") && close.is(")") && encloses(inner) => toks = inner,
            _ => break,
        }
    }
    let value = match toks {
        [t] if t.kind == Kind::Str => match str_value(t.text) {
            // One level only: inside the evaluated string, a string is a value.
            Some((inner, _)) if eval_strings => truth(&lex(inner.trim()).toks, false),
            Some((inner, _)) => {
                if inner.is_empty() {
                    Truth::No
                } else {
                    Truth::Yes
                }
            }
            None => Truth::Unknown,
        },
        [t] if t.is("True") => Truth::Yes,
        [t] if t.is("False") || t.is("None") => Truth::No,
        [t] if t.kind == Kind::Num => {
            let digits: String = t.text.chars().filter(|&c| c != '_').map(|c| c.to_ascii_lowercase()).collect();
            match digits.parse::<f64>() {
                Ok(0.0) => Truth::No,
                Ok(_) => Truth::Yes,
                Err(_) if digits.starts_with("0x") || digits.starts_with("0o") || digits.starts_with("0b") => {
                    if digits[2..].chars().all(|c| c == '0') { Truth::No } else { Truth::Yes }
                }
                Err(_) => Truth::Unknown,
            }
        }
        _ => Truth::Unknown,
    };
    if negated { !value } else { value }
}

/// Whether the brackets in `toks` balance, so that `(` + `toks` + `)` is one group.
fn encloses(toks: &[Tok]) -> bool {
    let mut depth = 0i32;
    for t in toks {
        match t.text {
            "(" | "[" | "{" if t.kind == Kind::Op => depth += 1,
            ")" | "]" | "}" if t.kind == Kind::Op => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

/// A range of token indexes, `from..to`.
type Range = (usize, usize);

struct Ctx<'a, 'b> {
    path: &'b str,
    src: &'a str,
    /// Token columns: a file may be one long line.
    columns: super::columns::Columns<'a>,
    lx: &'b Lexed<'a>,
    words: &'b MarkerWords,
    bad: Vec<BadMarker>,
    /// Names bound to a skip mark (`skip_flaky = pytest.mark.skip(…)`) at module level.
    module_bound: HashMap<String, Bound>,
    /// The same in class bodies, by the class's item index.
    class_bound: HashMap<usize, HashMap<String, Bound>>,
    /// The class whose body is being read, for its bound names.
    class_scope: Option<usize>,
}

/// A name bound to a skip mark: what the mark says, and the binding's line.
#[derive(Clone, Debug)]
struct Bound {
    marks: Marks,
    line: usize,
}

impl<'a> Ctx<'a, '_> {
    fn loc(&self, byte: usize, len: usize, line: usize) -> Location {
        Location { path: self.path.to_owned(), line, column: self.columns.col(byte), len }
    }

    fn tok_loc(&self, i: usize, len: usize) -> Location {
        let t = &self.lx.toks[i];
        self.loc(t.start, len, t.line)
    }

    /// Reads the marks in tokens `from..to`: every dotted name that names a mark, with
    /// its call arguments.
    fn marks(&mut self, from: usize, to: usize, decorator: bool) -> Marks {
        let toks = &self.lx.toks;
        let mut m = Marks::default();
        let mut i = from;
        while i < to {
            if toks[i].kind != Kind::Name || (i > from && toks[i - 1].is(".")) {
                i += 1;
                continue;
            }
            let start = i;
            let mut parts = vec![toks[i].text];
            while i + 2 < to && toks[i + 1].is(".") && toks[i + 2].kind == Kind::Name {
                parts.push(toks[i + 2].text);
                i += 2;
            }
            let last = i;
            i += 1;
            let path_len = toks[last].start + toks[last].text.len() - toks[start].start;
            let at = self.tok_loc(start, self.src[toks[start].start..toks[start].start + path_len].chars().count());
            let n = parts.len();
            if n >= 2 && parts[n - 2] == "mark" {
                m.names.push(parts[n - 1].to_owned());
            }
            let mark_word = n >= 2
                && parts[n - 2] == "mark"
                && self.words.words().iter().any(|w| w.eq_ignore_ascii_case(parts[n - 1]));
            let call = (i < to && toks[i].is("(")).then_some(i);
            let at_decorator = decorator && start == from;
            // A mark whose arguments were read here is stepped over: its arguments hold
            // no other mark, and reading the rest of a line of unclosed
            // `mark.incident(` calls again for each took time quadratic in the line.
            // A name bound to a skip mark, used as the decorator or as an element of
            // `pytestmark`: the mark itself (not inside another call's arguments).
            let bound = match parts.as_slice() {
                [name] if at_decorator || (!decorator && self.top_level(from, start)) => self.bound(name),
                _ => None,
            };
            if let Some(b) = bound {
                let name = parts[0];
                let wrap = |s: Skip| Skip::new(at.clone(), format!("`{name}`, which is {} (line {})", s.what, b.line));
                if let Some(s) = b.marks.skip.clone() {
                    m.skip.get_or_insert_with(|| wrap(s));
                }
                if let Some(s) = b.marks.skip_if.clone() {
                    m.skip_if.get_or_insert_with(|| wrap(s));
                }
                m.names.extend(b.marks.names.iter().cloned());
                m.maybe_names.extend(b.marks.maybe_names.iter().cloned());
                if let Some(open) = call {
                    i = i.max(self.close_paren(open, to) + 1);
                }
                continue;
            }
            let read_args = match (parts.as_slice(), mark_word) {
                (_, true) => {
                    m.has_mark = true;
                    m.at.get_or_insert(at.clone());
                    let args = call.map(|open| self.call_args(open, to));
                    self.incident_args(args, &at, &mut m);
                    true
                }
                // `pytest.param(…, marks=pytest.mark.skip)` skips one case, not the test.
                ([.., "param"], _) if call.is_some() => true,
                ([.., "mark", "skip"] | ["unittest", "skip"], _) => {
                    m.skip.get_or_insert(Skip::quoted(self.src, at));
                    true
                }
                (["skip"], _) if at_decorator => {
                    m.skip.get_or_insert(Skip::quoted(self.src, at));
                    true
                }
                ([.., "mark", "skipif"], _) => {
                    // pytest skips when any condition holds, and always when there is none.
                    let (positional, keywords) = self.split_args(call, to);
                    let conditions: Vec<Truth> = positional
                        .iter()
                        .chain(keywords.iter().filter(|(k, _)| *k == "condition").map(|(_, r)| r))
                        .map(|&(a, b)| truth(&toks[a..b], true))
                        .collect();
                    let unconditional = conditions.is_empty();
                    let holds = if unconditional { Truth::Yes } else { Truth::any(conditions) };
                    let call_text = self.call_text(start, toks[start].start + path_len, call, to);
                    m.skip_when(holds, |t| match (t, unconditional) {
                        (Truth::Yes, true) => {
                            Skip::new(at, format!("{call_text} without a condition, which always skips"))
                        }
                        (Truth::Yes, false) => Skip::new(at, format!("{call_text}, whose condition always holds")),
                        _ => Skip::new(at, call_text),
                    });
                    true
                }
                ([.., "mark", "xfail"], _) => {
                    // `run=False` never runs the test; without it an xfail test still runs.
                    let (positional, keywords) = self.split_args(call, to);
                    let run = keywords.iter().find(|(k, _)| *k == "run").map(|&(_, (a, b))| truth(&toks[a..b], false));
                    let conditions: Vec<Truth> = positional
                        .iter()
                        .chain(keywords.iter().filter(|(k, _)| *k == "condition").map(|(_, r)| r))
                        .map(|&(a, b)| truth(&toks[a..b], true))
                        .collect();
                    let applies = if conditions.is_empty() { Truth::Yes } else { Truth::any(conditions) };
                    let holds = match (run.map(|r| !r), applies) {
                        (None | Some(Truth::No), _) | (_, Truth::No) => Truth::No,
                        (Some(Truth::Yes), Truth::Yes) => Truth::Yes,
                        _ => Truth::Unknown,
                    };
                    let call_text = self.call_text(start, toks[start].start + path_len, call, to);
                    m.skip_when(holds, |t| match t {
                        Truth::Yes => Skip::new(at, format!("{call_text}, which never runs the test")),
                        _ => Skip::new(at, call_text),
                    });
                    true
                }
                (["unittest", name @ ("skipIf" | "skipUnless")], _) | ([name @ ("skipIf" | "skipUnless")], _)
                    if parts.len() == 2 || at_decorator =>
                {
                    let (positional, _) = self.split_args(call, to);
                    let condition = positional.first().map_or(Truth::Unknown, |&(a, b)| truth(&toks[a..b], false));
                    let holds = if *name == "skipIf" { condition } else { !condition };
                    let call_text = self.call_text(start, toks[start].start + path_len, call, to);
                    m.skip_when(holds, |t| match (t, *name) {
                        (Truth::Yes, "skipIf") => Skip::new(at, format!("{call_text}, whose condition always holds")),
                        (Truth::Yes, _) => Skip::new(at, format!("{call_text}, whose condition never holds")),
                        _ => Skip::new(at, call_text),
                    });
                    true
                }
                _ => false,
            };
            if read_args && let Some(open) = call {
                i = i.max(self.close_paren(open, to) + 1);
            }
        }
        m
    }

    /// What `name` is bound to in the class being read or the module.
    fn bound(&self, name: &str) -> Option<Bound> {
        self.class_scope
            .and_then(|c| self.class_bound.get(&c))
            .and_then(|names| names.get(name))
            .or_else(|| self.module_bound.get(name))
            .cloned()
    }

    /// Whether token `at` of `from..` stands at the top of an expression or of a list or
    /// tuple there (`pytestmark = [skip_flaky, …]`), not inside a call's arguments.
    fn top_level(&self, from: usize, at: usize) -> bool {
        let toks = &self.lx.toks;
        let mut open: Vec<usize> = Vec::new();
        for (k, t) in toks.iter().enumerate().take(at).skip(from) {
            match t.text {
                "(" | "[" | "{" if t.kind == Kind::Op => open.push(k),
                ")" | "]" | "}" if t.kind == Kind::Op => {
                    open.pop();
                }
                _ => {}
            }
        }
        match open.as_slice() {
            [] => true,
            // A list, or a tuple: a `(` that does not follow a name or a `)` (a call).
            &[k] => {
                toks[k].is("[")
                    || (toks[k].is("(") && (k == from || !(toks[k - 1].kind == Kind::Name || toks[k - 1].is(")"))))
            }
            _ => false,
        }
    }

    /// The skip marks of `name = …` (tokens `from..to` after the `=`) when the value is
    /// one skip mark, with or without its call: `pytest.mark.skip(reason=…)`,
    /// `pytest.mark.skipif(…)`, `pytest.mark.xfail(run=False)`, `unittest.skip(…)`, or
    /// a name already bound to one. `None` for any other value.
    fn binding(&mut self, from: usize, to: usize) -> Option<Marks> {
        let toks = &self.lx.toks;
        let mut parts = Vec::new();
        let mut i = from;
        while i < to && toks[i].kind == Kind::Name {
            parts.push(toks[i].text);
            if i + 2 < to && toks[i + 1].is(".") {
                i += 2;
            } else {
                i += 1;
                break;
            }
        }
        // Nothing after the path but its one call.
        let rest_ok = i == to || (toks[i].is("(") && self.close_paren(i, to) + 1 == to && toks[to - 1].is(")"));
        let skip_mark = match parts.as_slice() {
            // Any mark but the tool's own (whose IDs are read where it is used).
            [.., "mark", name] => !self.words.words().iter().any(|w| w.eq_ignore_ascii_case(name)),
            ["unittest", "skip" | "skipIf" | "skipUnless"] => true,
            [name] => self.bound(name).is_some(),
            _ => false,
        };
        if !rest_ok || !skip_mark {
            return None;
        }
        Some(self.marks(from, to, true))
    }

    /// A statement of a module or class body that decides whether pytest collects
    /// anything there: `__test__ = False` (module or class), and at module level
    /// `pytest.importorskip("numpy")`, `pytest.skip(…, allow_module_level=True)` and
    /// `raise unittest.SkipTest(…)`. Wherever it stands in the body, it runs when the
    /// module is imported, before any test; `direct` says it is not under an `if`.
    fn body_statement(&self, ll: &LogicalLine, direct: bool, class: Option<&str>) -> Marks {
        let toks = &self.lx.toks;
        let line = &toks[ll.from..ll.to];
        let mut m = Marks::default();
        // Under an `if`, what would always hold holds only sometimes.
        let placed = |holds: Truth| if direct || holds == Truth::No { holds } else { Truth::Unknown };
        if line.len() >= 3 && line[0].is("__test__") && line[1].is("=") && !line[2].is("=") {
            let holds = placed(!truth(&line[2..], false));
            let (text, at) = self.statement(ll.from, ll.to);
            m.skip_when(holds, |t| match (t, class) {
                (Truth::Yes, None) => Skip::new(at, format!("{text}, so pytest collects nothing from this module")),
                (Truth::Yes, Some(c)) => {
                    Skip::new(at, format!("{text} in class `{c}`, so pytest collects none of its tests"))
                }
                (_, None) => Skip::new(at, format!("{text}, which decides whether pytest collects this module")),
                (_, Some(c)) => {
                    Skip::new(at, format!("{text} in class `{c}`, which decides whether pytest collects its tests"))
                }
            });
            return m;
        }
        if class.is_some() {
            return m;
        }
        let callee = |k: usize, name: &str| {
            line[k].is(name)
                && line.get(k + 1).is_some_and(|t| t.is("("))
                && (k == 0 || line[k - 1].is("=") || (k >= 2 && line[k - 1].is(".") && line[k - 2].is("pytest")))
        };
        let call_at = |k: usize| {
            let start = if k >= 2 && line[k - 1].is(".") { k - 2 } else { k };
            let (from, name) = (ll.from + start, &toks[ll.from + k]);
            let end = name.start + name.text.len();
            (from, end, ll.from + k + 1)
        };
        if let Some(k) = (0..line.len()).find(|&k| callee(k, "importorskip")) {
            let (from, end, open) = call_at(k);
            let text = self.call_text(from, end, Some(open), ll.to);
            let (positional, keywords) = self.split_args(Some(open), ll.to);
            let module = positional
                .first()
                .or(keywords.iter().find(|(k, _)| *k == "modname").map(|(_, r)| r))
                .filter(|&&(a, b)| b == a + 1 && toks[a].kind == Kind::Str)
                .and_then(|&(a, _)| str_value(toks[a].text))
                .map_or_else(|| "the module".to_owned(), |(v, _)| format!("`{v}`"));
            let at = self.loc(toks[from].start, self.src[toks[from].start..end].chars().count(), toks[from].line);
            m.skip_if = Some(Skip::new(at, format!("{text}: runs only where {module} imports")));
            return m;
        }
        if let Some(k) = (0..line.len().min(3)).find(|&k| callee(k, "skip") && (k == 0 || k == 2)) {
            let (from, end, open) = call_at(k);
            let (_, keywords) = self.split_args(Some(open), ll.to);
            // Without `allow_module_level`, pytest fails the whole run instead.
            if let Some(&(_, (a, b))) = keywords.iter().find(|(k, _)| *k == "allow_module_level") {
                let holds = placed(truth(&toks[a..b], false));
                let text = self.call_text(from, end, Some(open), ll.to);
                let at = self.loc(toks[from].start, self.src[toks[from].start..end].chars().count(), toks[from].line);
                m.skip_when(holds, |t| match t {
                    Truth::Yes => {
                        Skip::new(at, format!("{text} at module level, which skips every test in the module"))
                    }
                    _ => Skip::new(at, format!("{text} at module level")),
                });
            }
            return m;
        }
        let raises = match line {
            [r, u, dot, st, ..] if r.is("raise") && u.is("unittest") && dot.is(".") && st.is("SkipTest") => true,
            [r, st, ..] => r.is("raise") && st.is("SkipTest"),
            _ => false,
        };
        if raises {
            let (text, at) = self.statement(ll.from, ll.to);
            m.skip_when(placed(Truth::Yes), |t| match t {
                Truth::Yes => Skip::new(at, format!("{text} at module level, which skips every test in the module")),
                _ => Skip::new(at, format!("{text} at module level")),
            });
        }
        m
    }

    /// Tokens `from..to` as quoted code (their first line, shortened when long) and where
    /// they stand.
    fn statement(&self, from: usize, to: usize) -> (String, Location) {
        let toks = &self.lx.toks;
        let start = toks[from].start;
        let end = toks[to - 1].start + toks[to - 1].text.len();
        let text = self.src.get(start..end).unwrap_or("");
        let first_line = text.lines().next().unwrap_or("").trim_end();
        let len = first_line.chars().count();
        let quoted = if first_line.len() < text.len() || len > 100 {
            format!("`{}…`", first_line.chars().take(100).collect::<String>())
        } else {
            format!("`{first_line}`")
        };
        (quoted, self.loc(start, len, toks[from].line))
    }

    /// The index of the `)` (or other closer) matching the bracket at `open`, or `to - 1`.
    fn close_paren(&self, open: usize, to: usize) -> usize {
        let toks = &self.lx.toks;
        let mut depth = 0usize;
        for (k, t) in toks.iter().enumerate().take(to).skip(open) {
            match t.text {
                "(" | "[" | "{" if t.kind == Kind::Op => depth += 1,
                ")" | "]" | "}" if t.kind == Kind::Op => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return k;
                    }
                }
                _ => {}
            }
        }
        to.saturating_sub(1).max(open)
    }

    /// A call's positional arguments and its keyword arguments (name, value range).
    fn split_args(&self, call: Option<usize>, to: usize) -> (Vec<Range>, Vec<(&'a str, Range)>) {
        let toks = &self.lx.toks;
        let mut positional = Vec::new();
        let mut keywords = Vec::new();
        for (a, b) in call.map(|open| self.call_args(open, to)).unwrap_or_default() {
            // `name=value`, not `name == value`: the lexer reads `==` as two `=`.
            let keyword = b - a >= 3 && toks[a].kind == Kind::Name && toks[a + 1].is("=") && !toks[a + 2].is("=");
            if keyword {
                keywords.push((toks[a].text, (a + 2, b)));
            } else if b - a >= 1 && !toks[a].is("*") {
                positional.push((a, b));
            }
        }
        (positional, keywords)
    }

    /// A call as quoted code for a message: its source when it fits on one line, else
    /// the callee followed by `(…)`.
    fn call_text(&self, start: usize, callee_end: usize, call: Option<usize>, to: usize) -> String {
        let toks = &self.lx.toks;
        let from = toks[start].start;
        let callee = self.src.get(from..callee_end).unwrap_or("");
        let Some(open) = call else { return format!("`{callee}`") };
        let close = self.close_paren(open, to);
        let end = (toks[close].start + toks[close].text.len()).min(self.src.len());
        let whole = &self.src[from..end.max(from)];
        if !whole.contains('\n') && whole.chars().count() <= 100 && toks[close].is(")") {
            format!("`{whole}`")
        } else {
            format!("`{callee}(…)`")
        }
    }

    /// The arguments of a call whose `(` is at `open`: token ranges split at top-level commas.
    fn call_args(&self, open: usize, to: usize) -> Vec<(usize, usize)> {
        let toks = &self.lx.toks;
        let mut args = Vec::new();
        let mut depth = 0;
        let mut start = open + 1;
        for (k, t) in toks.iter().enumerate().take(to).skip(open) {
            match t.text {
                "(" | "[" | "{" if t.kind == Kind::Op => depth += 1,
                ")" | "]" | "}" if t.kind == Kind::Op => {
                    depth -= 1;
                    if depth == 0 {
                        if k > start {
                            args.push((start, k));
                        }
                        return args;
                    }
                }
                "," if t.kind == Kind::Op && depth == 1 => {
                    args.push((start, k));
                    start = k + 1;
                }
                _ => {}
            }
        }
        if to > start {
            args.push((start, to));
        }
        args
    }

    /// `mark.incident("ID", "ID2, ID3", reason=…)`: each string names IDs.
    fn incident_args(&mut self, args: Option<Vec<(usize, usize)>>, at: &Location, m: &mut Marks) {
        let toks = &self.lx.toks;
        let mut named = false;
        for (from, to) in args.unwrap_or_default() {
            if to <= from {
                continue; // an empty argument (`mark.incident(, "A-1")`): no Python, no ID
            }
            if to - from >= 2 && toks[from].kind == Kind::Name && toks[from + 1].is("=") {
                continue; // a keyword argument
            }
            let value = (to - from == 1 && toks[from].kind == Kind::Str).then(|| str_value(toks[from].text)).flatten();
            let Some((value, offset)) = value else {
                let text = &self.src[toks[from].start..toks[to - 1].start + toks[to - 1].text.len()];
                self.bad.push(BadMarker {
                    loc: self.tok_loc(from, text.chars().count()),
                    token: text.to_owned(),
                    prose: false,
                });
                named = true;
                continue;
            };
            let base = self.tok_loc(from, 1);
            let mut token = String::new();
            let mut token_start = 0;
            for (pos, c) in value.chars().chain(std::iter::once(' ')).enumerate() {
                if c == ',' || c.is_whitespace() {
                    if !token.is_empty() {
                        let t = std::mem::take(&mut token);
                        let loc = Location {
                            column: base.column + offset + token_start,
                            len: t.chars().count(),
                            ..base.clone()
                        };
                        named = true;
                        if crate::postmortem::is_valid_id(&t) {
                            m.links.push(Link { incident: t, loc });
                        } else {
                            self.bad.push(BadMarker { loc, token: t, prose: false });
                        }
                    }
                } else {
                    if token.is_empty() {
                        token_start = pos;
                    }
                    token.push(c);
                }
            }
        }
        if !named {
            self.bad.push(BadMarker { loc: at.clone(), token: String::new(), prose: false });
        }
    }
}

/// The value of a plain string literal and the offset (in characters) of its content:
/// `None` for f-strings, byte strings and strings with escapes.
fn str_value(text: &str) -> Option<(String, usize)> {
    let prefix = text.find(['"', '\'']).filter(|&p| p <= 2)?;
    if text[..prefix].chars().any(|c| !matches!(c, 'r' | 'R' | 'u' | 'U')) {
        return None;
    }
    let body = &text[prefix..];
    let q = if body.starts_with("\"\"\"") || body.starts_with("'''") { 3 } else { 1 };
    if body.len() < 2 * q || !body.ends_with(&body[..q]) {
        return None;
    }
    let inner = &body[q..body.len() - q];
    (!inner.contains('\\')).then(|| (inner.to_owned(), prefix + q))
}

#[derive(Clone, Debug)]
enum BlockKind {
    Class { test: bool, name: String, unittest: bool },
    Def,
}

#[derive(Clone, Debug)]
struct Block {
    indent: usize,
    item: usize,
    kind: BlockKind,
    /// A def waiting for its first statement (to see `pytest.skip()`).
    first_stmt: bool,
    /// The indentation of the body's statements: a statement indented deeper stands
    /// under an `if` or a `try`, and runs only sometimes.
    body_indent: Option<usize>,
}

/// Per-item information that `Item` does not carry.
#[derive(Clone, Debug, Default)]
struct Extra {
    marks: Marks,
    /// The test classes around a test (item indexes), for their class-level marks.
    classes: Vec<usize>,
}

fn scan(path: &str, src: &str, words: &MarkerWords) -> FileScan {
    scan_with_marks(path, src, words).0
}

/// The marks of one test: their names, and the names it has only sometimes (bound to a
/// mark under an `if`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TestMarks {
    pub names: Vec<String>,
    pub maybe: Vec<String>,
}

/// Every test of the file with the names of its marks (its own, its classes', the
/// module's), by test identity: what pytest's `-m` expressions match.
pub fn test_marks(path: &str, src: &str, words: &MarkerWords) -> Vec<(String, TestMarks)> {
    scan_with_marks(path, src, words).1
}

fn scan_with_marks(path: &str, src: &str, words: &MarkerWords) -> (FileScan, Vec<(String, TestMarks)>) {
    // A byte order mark is not code: left in, it would glue itself to the first name.
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let lx = lex(src);
    let mut cx = Ctx {
        path,
        src,
        columns: super::columns::Columns::new(src),
        lx: &lx,
        words,
        bad: Vec::new(),
        module_bound: HashMap::new(),
        class_bound: HashMap::new(),
        class_scope: None,
    };
    let test_file = is_test_file(path);
    let toks = &lx.toks;
    let mut items: Vec<Item> = Vec::new();
    let mut extra: Vec<Extra> = Vec::new();
    let mut stack: Vec<Block> = Vec::new();
    let mut decorators: Vec<(usize, Marks)> = Vec::new(); // (first line, marks)
    let mut module_marks = Marks::default();
    // For each item that is a class: its marks (decorators and `pytestmark` in its body).
    let mut class_marks: Vec<Option<Marks>> = Vec::new();
    let mut stray: Vec<StrayMarker> = Vec::new();
    let mut uncollected: Vec<usize> = Vec::new(); // test classes with `__init__`

    for ll in &lx.lines {
        let first = &toks[ll.from];
        while stack.last().is_some_and(|b| b.indent >= ll.indent) {
            stack.pop();
        }
        for b in &stack {
            items[b.item].end_line = ll.last_line;
        }
        if let Some(top) = stack.last_mut()
            && top.body_indent.is_none()
        {
            top.body_indent = Some(ll.indent);
        }
        // The first statement of a def: `pytest.skip(…)` and friends disable the test.
        if let Some(top) = stack.last_mut()
            && top.first_stmt
        {
            let texts: Vec<&str> = toks[ll.from..ll.to].iter().take(4).map(|t| t.text).collect();
            let docstring = first.kind == Kind::Str && ll.to - ll.from == 1;
            if !docstring {
                top.first_stmt = false;
                let skip = matches!(texts.as_slice(), ["pytest", ".", "skip", "("] | ["self", ".", "skipTest", "("])
                    || matches!(texts.as_slice(), ["raise", "unittest", ".", "SkipTest"] | ["raise", "SkipTest", ..]);
                if skip && let ItemKind::Test { ignored, .. } = &mut items[top.item].kind {
                    let len = toks[ll.to - 1].start + toks[ll.to - 1].text.len() - first.start;
                    let at = cx.loc(first.start, src[first.start..first.start + len].chars().count(), first.line);
                    ignored.get_or_insert(Skip::quoted(src, at));
                }
            }
        }
        cx.class_scope = match stack.last() {
            Some(Block { kind: BlockKind::Class { .. }, item, .. }) => Some(*item),
            _ => None,
        };
        if first.is("@") {
            let m = cx.marks(ll.from + 1, ll.to, true);
            decorators.push((first.line, m));
            continue;
        }
        let mut k = ll.from;
        if toks[k].is("async") && ll.to > k + 1 {
            k += 1;
        }
        let keyword = toks[k].text;
        let header = (toks[k].is("def") || toks[k].is("class"))
            && toks.get(k + 1).is_some_and(|t| t.kind == Kind::Name)
            && k + 1 < ll.to;
        if !header {
            // Where the statement stands: directly in the module or a class body (it
            // always runs), or under an `if` or `try` there (it may not).
            let in_class = match stack.last() {
                Some(b @ Block { kind: BlockKind::Class { name, .. }, .. }) => {
                    Some((name.clone(), b.item, b.body_indent == Some(ll.indent)))
                }
                _ => None,
            };
            if stack.is_empty() {
                module_marks.extend(&cx.body_statement(ll, ll.indent == 0, None));
            } else if let Some((name, item, direct)) = &in_class
                && let Some(Some(cm)) = class_marks.get_mut(*item)
            {
                cm.extend(&cx.body_statement(ll, *direct, Some(name)));
            }
            // `pytestmark = …` at module level or in a class body.
            if first.is("pytestmark") && toks.get(ll.from + 1).is_some_and(|t| t.is("=")) {
                let mut m = cx.marks(ll.from + 2, ll.to, false);
                let direct = if stack.is_empty() { ll.indent == 0 } else { in_class.as_ref().is_some_and(|c| c.2) };
                if !direct {
                    // Under an `if`: a skip that always holds there holds only sometimes.
                    m.skip_if = m.skip_if.or(m.skip.take());
                    let names = std::mem::take(&mut m.names);
                    m.maybe_names.extend(names);
                }
                match stack.last() {
                    None => module_marks.extend(&m),
                    Some(Block { kind: BlockKind::Class { .. }, item, .. }) => {
                        if let Some(Some(cm)) = class_marks.get_mut(*item) {
                            cm.extend(&m);
                        }
                    }
                    Some(_) => {
                        if let Some(at) = &m.at {
                            stray.push(StrayMarker { loc: at.clone(), ids: m.links.clone(), target: String::new() });
                        }
                    }
                }
            }
            // `skip_flaky = pytest.mark.skip(…)` at module level or in a class body.
            let binds = first.kind == Kind::Name
                && !first.is("pytestmark")
                && ll.to - ll.from >= 3
                && toks[ll.from + 1].is("=")
                && !toks[ll.from + 2].is("=");
            let scope = match stack.last() {
                None => Some(None),
                Some(Block { kind: BlockKind::Class { .. }, item, .. }) => Some(Some(*item)),
                Some(_) => None,
            };
            if binds && let Some(scope) = scope {
                let direct = if stack.is_empty() { ll.indent == 0 } else { in_class.as_ref().is_some_and(|c| c.2) };
                let value = cx.binding(ll.from + 2, ll.to);
                let names = match scope {
                    None => &mut cx.module_bound,
                    Some(item) => cx.class_bound.entry(item).or_default(),
                };
                match value {
                    Some(mut marks) if marks.skip.is_some() || marks.skip_if.is_some() || !marks.names.is_empty() => {
                        if !direct {
                            // Under an `if`: bound to the skip only sometimes.
                            marks.skip_if = marks.skip_if.or(marks.skip.take());
                            let names = std::mem::take(&mut marks.names);
                            marks.maybe_names.extend(names);
                        }
                        names.insert(first.text.to_owned(), Bound { marks, line: first.line });
                    }
                    _ if direct => {
                        names.remove(first.text);
                    }
                    // Rebound under an `if` (`else: skip_flaky = no_op`): the skip holds
                    // only sometimes.
                    _ => {
                        if let Some(b) = names.get_mut(first.text) {
                            b.marks.skip_if = b.marks.skip_if.take().or(b.marks.skip.take());
                            let names = std::mem::take(&mut b.marks.names);
                            b.marks.maybe_names.extend(names);
                        }
                    }
                }
            }
            for (_, m) in decorators.drain(..) {
                if let Some(at) = m.at {
                    stray.push(StrayMarker { loc: at, ids: m.links, target: String::new() });
                }
            }
            continue;
        }
        let name_i = k + 1;
        let name = toks[name_i].text;
        // pytest does not collect a `Test…` class with an `__init__` (unittest classes aside).
        if keyword == "def"
            && name == "__init__"
            && let Some(Block { kind: BlockKind::Class { test: true, unittest: false, .. }, item, .. }) = stack.last()
        {
            uncollected.push(*item);
        }
        let start_line = decorators.first().map_or(first.line, |(l, _)| *l);
        let mut marks = Marks::default();
        for (_, m) in decorators.drain(..) {
            marks.extend(&m);
        }
        // Tests live at module level or in test classes, never inside a def.
        let in_def = stack.iter().any(|b| matches!(b.kind, BlockKind::Def));
        let classes: Vec<&Block> = stack.iter().filter(|b| matches!(b.kind, BlockKind::Class { .. })).collect();
        let collectable = !in_def && classes.iter().all(|b| matches!(b.kind, BlockKind::Class { test: true, .. }));
        let scope: Vec<String> = classes
            .iter()
            .filter_map(|b| match &b.kind {
                BlockKind::Class { name, .. } => Some(name.clone()),
                BlockKind::Def => None,
            })
            .collect();
        let class_items: Vec<usize> = classes.iter().map(|b| b.item).collect();
        let (kind, what, block) = if keyword == "class" {
            let bases_test =
                toks[name_i + 1..ll.to].iter().any(|t| t.kind == Kind::Name && t.text.ends_with("TestCase"));
            let test = collectable && test_file && (name.starts_with("Test") || bases_test);
            let kind = if test { ItemKind::Group } else { ItemKind::Other };
            let block = BlockKind::Class { test, name: name.to_owned(), unittest: bases_test };
            (kind, format!("class {name}"), block)
        } else {
            let test = collectable && test_file && name.starts_with("test");
            let kind = if test {
                ItemKind::Test {
                    name: name.to_owned(),
                    loc: cx.tok_loc(name_i, name.chars().count()),
                    ignored: None,
                    conditional_skip: None,
                    direct_links: Vec::new(),
                    // A `def` and its block have lines of their own.
                    span: None,
                }
            } else {
                ItemKind::Other
            };
            let what = if !test && collectable && !test_file && name.starts_with("test") {
                format!("def {name} (not in a test file: `test*.py` or `*_test.py`)")
            } else {
                format!("def {name}")
            };
            (kind, what, BlockKind::Def)
        };
        items.push(Item {
            kind,
            start_line,
            decl_line: toks[name_i].line,
            end_line: ll.last_line,
            scope: scope.clone(),
            what,
        });
        class_marks.push((keyword == "class").then(|| marks.clone()));
        extra.push(Extra { marks, classes: class_items });
        stack.push(Block {
            indent: ll.indent,
            item: items.len() - 1,
            kind: block,
            first_stmt: keyword == "def",
            body_indent: None,
        });
    }

    // Apply marks: a test's own, its classes', the module's.
    for (idx, item) in items.iter_mut().enumerate() {
        let in_uncollected = uncollected.contains(&idx) || extra[idx].classes.iter().any(|c| uncollected.contains(c));
        if in_uncollected && !matches!(item.kind, ItemKind::Other) {
            item.kind = ItemKind::Other;
            item.what.push_str(" (in a test class with `__init__`, which pytest does not collect)");
        }
    }
    let test_count = items.iter().filter(|i| matches!(i.kind, ItemKind::Test { .. })).count();
    let mut has_tests = vec![false; items.len()];
    for (idx, item) in items.iter().enumerate() {
        if matches!(item.kind, ItemKind::Test { .. }) {
            for &c in &extra[idx].classes {
                has_tests[c] = true;
            }
        }
    }
    let mut marks_of: Vec<(String, TestMarks)> = Vec::new();
    for (idx, item) in items.iter_mut().enumerate() {
        let own = extra[idx].marks.clone();
        match &mut item.kind {
            ItemKind::Test { name, ignored, conditional_skip, direct_links, .. } => {
                let mut all = own;
                for &c in &extra[idx].classes {
                    if let Some(Some(m)) = class_marks.get(c) {
                        all.extend(m);
                    }
                }
                all.extend(&module_marks);
                let names = std::mem::take(&mut all.names);
                let maybe = std::mem::take(&mut all.maybe_names);
                marks_of.push((super::identity(path, &item.scope, name), TestMarks { names, maybe }));
                super::add_links(direct_links, all.links);
                *ignored = ignored.take().or(all.skip);
                *conditional_skip = all.skip_if;
            }
            ItemKind::Group => {
                let m = class_marks[idx].clone().unwrap_or_default();
                if let (Some(at), false) = (&m.at, has_tests[idx]) {
                    stray.push(StrayMarker {
                        loc: at.clone(),
                        ids: m.links,
                        target: format!("{}, which has no tests", item.what),
                    });
                }
            }
            _ => {
                let m = if matches!(item.kind, ItemKind::Other) && item.what.starts_with("class ") {
                    class_marks[idx].clone().unwrap_or(own)
                } else {
                    own
                };
                if let Some(at) = m.at {
                    stray.push(StrayMarker { loc: at, ids: m.links, target: item.what.clone() });
                }
            }
        }
    }
    if test_count == 0
        && let Some(at) = &module_marks.at
    {
        stray.push(StrayMarker {
            loc: at.clone(),
            ids: module_marks.links.clone(),
            target: "this module, which has no tests".to_owned(),
        });
    }

    let mut scan = super::attach(path, src, &lx.comments, &items, words);
    scan.has_markers |= !cx.bad.is_empty() || !stray.is_empty();
    scan.bad_markers.append(&mut cx.bad);
    scan.stray.append(&mut stray);
    scan.stray.sort_by_key(|s| (s.loc.line, s.loc.column));
    (scan, marks_of)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::test_support::{ids, linked};

    fn scan_at(path: &str, src: &str) -> FileScan {
        Python.scan(path, src, &MarkerWords::new(&["incident".to_owned()]))
    }

    fn scan(src: &str) -> FileScan {
        scan_at("tests/test_pool.py", src)
    }

    #[test]
    fn functions_methods_async_and_nested_classes() {
        let src = "import pytest\n\n# incident: INC-1\ndef test_top():\n    pass\n\n\nclass TestPool:\n    # incident: INC-2\n    async def test_method(self):\n        def test_inner():\n            pass\n\n    class TestNested:\n        def test_deep(self):\n            pass\n\n    def helper(self):\n        pass\n\n\nclass Helper:\n    def test_not_collected(self):\n        pass\n\n\nclass PoolTests(unittest.TestCase):\n    def testLegacy(self):\n        pass\n";
        let s = scan(src);
        assert_eq!(
            linked(&s),
            [
                ("tests/test_pool.py::test_top".to_owned(), 4, vec!["INC-1@3:13".to_owned()]),
                ("tests/test_pool.py::TestPool::test_method".to_owned(), 10, vec!["INC-2@9:17".to_owned()]),
                ("tests/test_pool.py::TestPool::TestNested::test_deep".to_owned(), 15, vec![]),
                ("tests/test_pool.py::PoolTests::testLegacy".to_owned(), 28, vec![]),
            ]
        );
        assert_eq!(s.tests[1].loc.column, 15);
        assert!(s.stray.is_empty() && s.bad_markers.is_empty());
    }

    #[test]
    fn markers_above_decorators_between_them_and_above_classes() {
        let src = "# incident: A-1\n@pytest.mark.parametrize(\n    \"x\", [1, 2]\n)\n# incident: A-2\n@pytest.mark.slow\ndef test_a(x):\n    pass\n\n# incident: C-1\nclass TestAll:\n    def test_b(self):\n        pass\n\n    def test_c(self):\n        pass\n";
        let s = scan(src);
        assert_eq!(
            linked(&s),
            [
                ("tests/test_pool.py::test_a".to_owned(), 7, vec!["A-1@1:13".to_owned(), "A-2@5:13".to_owned()]),
                ("tests/test_pool.py::TestAll::test_b".to_owned(), 12, vec!["C-1@10:13".to_owned()]),
                ("tests/test_pool.py::TestAll::test_c".to_owned(), 15, vec!["C-1@10:13".to_owned()]),
            ]
        );
    }

    #[test]
    fn pytest_incident_marks_on_tests_classes_and_modules() {
        let src = "pytestmark = [pytest.mark.incident(\"M-1\"), pytest.mark.db]\n\n@pytest.mark.incident(\"A-1\", 'B-1, C-1', reason=\"x\")\ndef test_a():\n    pass\n\n@mark.incident(\"K-1\")\nclass TestK:\n    pytestmark = pytest.mark.incident(\"P-1\")\n\n    def test_k(self):\n        pass\n";
        let s = scan(src);
        assert_eq!(
            linked(&s),
            [
                (
                    "tests/test_pool.py::test_a".to_owned(),
                    4,
                    vec!["A-1@3:24".to_owned(), "B-1@3:31".to_owned(), "C-1@3:36".to_owned(), "M-1@1:37".to_owned()]
                ),
                (
                    "tests/test_pool.py::TestK::test_k".to_owned(),
                    11,
                    vec!["K-1@7:17".to_owned(), "P-1@9:40".to_owned(), "M-1@1:37".to_owned()]
                ),
            ]
        );
        assert!(s.has_markers && s.stray.is_empty() && s.bad_markers.is_empty());
    }

    #[test]
    fn bad_ids_in_marks_and_marks_on_non_tests() {
        let src = "@pytest.mark.incident(\"INC#1\", ID)\ndef test_a():\n    pass\n\n@pytest.mark.incident()\ndef test_b():\n    pass\n\n@pytest.mark.incident(\"H-1\")\ndef helper():\n    pass\n\n@pytest.mark.incident(\"E-1\")\nclass TestEmpty:\n    pass\n";
        let s = scan(src);
        let bad: Vec<(usize, usize, &str)> =
            s.bad_markers.iter().map(|b| (b.loc.line, b.loc.column, b.token.as_str())).collect();
        assert_eq!(bad, [(1, 24, "INC#1"), (1, 32, "ID"), (5, 2, "")]);
        let stray: Vec<(usize, &str, Vec<&str>)> = s
            .stray
            .iter()
            .map(|m| (m.loc.line, m.target.as_str(), m.ids.iter().map(|l| l.incident.as_str()).collect()))
            .collect();
        assert_eq!(stray, [(9, "def helper", vec!["H-1"]), (13, "class TestEmpty, which has no tests", vec!["E-1"])]);
    }

    #[test]
    fn skips_and_conditional_skips() {
        let src = "@pytest.mark.skip(reason=\"flaky\")\ndef test_a():\n    pass\n\n@unittest.skipIf(sys.platform == \"win32\", \"posix\")\ndef test_b():\n    pass\n\ndef test_c():\n    \"\"\"Doc.\"\"\"\n    pytest.skip(\"later\")\n\n@pytest.mark.skipif(sys.version_info < (3, 8), reason=\"x\")\nclass TestD:\n    def test_d(self):\n        self.skipTest(\"no\")\n\ndef test_e():\n    x = 1\n    pytest.skip(\"not first\")\n";
        let s = scan(src);
        type Skips = (Option<(usize, usize, usize)>, Option<usize>);
        let got: Vec<Skips> = s
            .tests
            .iter()
            .map(|t| {
                (
                    t.ignored.as_ref().map(|s| &s.loc).map(|l| (l.line, l.column, l.len)),
                    t.conditional_skip.as_ref().map(|s| &s.loc).map(|l| l.line),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (Some((1, 2, 16)), None),
                (None, Some(5)),
                (Some((11, 5, 20)), None),
                (Some((16, 9, 19)), Some(13)),
                (None, None)
            ]
        );
        let module = scan("pytestmark = pytest.mark.skip\n\ndef test_x():\n    pass\n");
        assert_eq!(module.tests[0].ignored.as_ref().map(|s| &s.loc).map(|l| l.line), Some(1));
    }

    /// `(name, what never runs it, what it runs only under)` of every test.
    fn skips(s: &FileScan) -> Vec<(String, Option<String>, Option<String>)> {
        s.tests
            .iter()
            .map(|t| {
                (
                    t.name.clone(),
                    t.ignored.as_ref().map(|k| format!("{}@{}", k.what, k.loc.line)),
                    t.conditional_skip.as_ref().map(|k| format!("{}@{}", k.what, k.loc.line)),
                )
            })
            .collect()
    }

    fn skip(name: &str, ignored: Option<&str>, conditional: Option<&str>) -> (String, Option<String>, Option<String>) {
        (name.to_owned(), ignored.map(str::to_owned), conditional.map(str::to_owned))
    }

    #[test]
    fn dunder_test_false_in_a_module_or_class_was_not_a_skip() {
        let s = scan(
            "def test_a():\n    pass\n\nclass TestB:\n    __test__ = False\n\n    def test_b(self):\n        pass\n\n    class TestC:\n        def test_c(self):\n            pass\n\nclass TestD:\n    if os.environ.get(\"CI\"):\n        __test__ = False\n\n    def test_d(self):\n        pass\n\n__test__ = 0\n",
        );
        let module = "`__test__ = 0`, so pytest collects nothing from this module@21";
        let class = "`__test__ = False` in class `TestB`, so pytest collects none of its tests@5";
        assert_eq!(
            skips(&s),
            [
                skip("test_a", Some(module), None),
                skip("test_b", Some(class), None),
                skip("test_c", Some(class), None),
                skip(
                    "test_d",
                    Some(module),
                    Some("`__test__ = False` in class `TestD`, which decides whether pytest collects its tests@16")
                ),
            ]
        );
        assert_eq!(s.tests[1].ignored.as_ref().unwrap().loc.column, 5);
        let kept = scan("__test__ = True\n\nclass TestE:\n    __test__ = 1\n    def test_e(self):\n        pass\n");
        assert_eq!(skips(&kept), [skip("test_e", None, None)]);
    }

    #[test]
    fn importorskip_at_module_level_was_not_a_condition() {
        let s = scan(
            "import pytest\n\nnp = pytest.importorskip(\"numpy\")\n\ndef test_a():\n    pass\n\nclass TestB:\n    def test_b(self):\n        pass\n",
        );
        let what = "`pytest.importorskip(\"numpy\")`: runs only where `numpy` imports@3";
        assert_eq!(skips(&s), [skip("test_a", None, Some(what)), skip("test_b", None, Some(what))]);
        assert_eq!(s.tests[0].conditional_skip.as_ref().unwrap().loc.column, 6);
        let bare = scan(
            "from pytest import importorskip\nimportorskip(modname=\"yaml\", minversion=\"6\")\ndef test_a():\n    importorskip(\"inside\")\n",
        );
        assert_eq!(
            skips(&bare),
            [skip(
                "test_a",
                None,
                Some("`importorskip(modname=\"yaml\", minversion=\"6\")`: runs only where `yaml` imports@2")
            )]
        );
    }

    #[test]
    fn skip_conditions_that_always_hold_were_only_conditional() {
        let src = "@pytest.mark.skipif(True, reason=\"x\")\ndef test_true(): pass\n\n@pytest.mark.skipif(1)\ndef test_one(): pass\n\n@pytest.mark.skipif(\"True\")\ndef test_string(): pass\n\n@pytest.mark.skipif(reason=\"no condition\")\ndef test_none(): pass\n\n@pytest.mark.skipif(False, reason=\"x\")\ndef test_false(): pass\n\n@pytest.mark.skipif(sys.platform == \"win32\", reason=\"posix\")\ndef test_platform(): pass\n\n@pytest.mark.skipif(x == 1)\ndef test_compare(): pass\n\n@unittest.skipIf(True, \"x\")\ndef test_skip_if(): pass\n\n@unittest.skipUnless(False, \"x\")\ndef test_skip_unless(): pass\n\n@skipUnless(not False, \"x\")\ndef test_skip_unless_true(): pass\n\n@pytest.mark.xfail(run=False)\ndef test_xfail_no_run(): pass\n\n@pytest.mark.xfail(reason=\"flaky\")\ndef test_xfail_runs(): pass\n\n@pytest.mark.xfail(sys.platform == \"win32\", run=False)\ndef test_xfail_maybe(): pass\n\n@pytest.mark.skipif(\"False\", \"0\", None)\ndef test_all_false(): pass\n";
        let s = scan(src);
        assert_eq!(
            skips(&s),
            [
                skip(
                    "test_true",
                    Some("`pytest.mark.skipif(True, reason=\"x\")`, whose condition always holds@1"),
                    None
                ),
                skip("test_one", Some("`pytest.mark.skipif(1)`, whose condition always holds@4"), None),
                skip("test_string", Some("`pytest.mark.skipif(\"True\")`, whose condition always holds@7"), None),
                skip(
                    "test_none",
                    Some("`pytest.mark.skipif(reason=\"no condition\")` without a condition, which always skips@10"),
                    None
                ),
                skip("test_false", None, None),
                skip(
                    "test_platform",
                    None,
                    Some("`pytest.mark.skipif(sys.platform == \"win32\", reason=\"posix\")`@16")
                ),
                skip("test_compare", None, Some("`pytest.mark.skipif(x == 1)`@19")),
                skip("test_skip_if", Some("`unittest.skipIf(True, \"x\")`, whose condition always holds@22"), None),
                skip(
                    "test_skip_unless",
                    Some("`unittest.skipUnless(False, \"x\")`, whose condition never holds@25"),
                    None
                ),
                skip("test_skip_unless_true", None, None),
                skip("test_xfail_no_run", Some("`pytest.mark.xfail(run=False)`, which never runs the test@31"), None),
                skip("test_xfail_runs", None, None),
                skip("test_xfail_maybe", None, Some("`pytest.mark.xfail(sys.platform == \"win32\", run=False)`@37")),
                skip("test_all_false", None, None),
            ]
        );
        let module = scan("pytestmark = pytest.mark.skipif(True, reason=\"off\")\n\ndef test_a():\n    pass\n");
        assert_eq!(
            skips(&module),
            [skip("test_a", Some("`pytest.mark.skipif(True, reason=\"off\")`, whose condition always holds@1"), None)]
        );
        let guarded =
            scan("if sys.platform == \"win32\":\n    pytestmark = pytest.mark.skip\n\ndef test_a():\n    pass\n");
        assert_eq!(skips(&guarded), [skip("test_a", None, Some("`pytest.mark.skip`@2"))]);
    }

    #[test]
    fn module_level_skip_with_allow_module_level_was_not_a_skip() {
        let s = scan("import pytest\n\npytest.skip(\"broken\", allow_module_level=True)\n\ndef test_a():\n    pass\n");
        assert_eq!(
            skips(&s),
            [skip(
                "test_a",
                Some(
                    "`pytest.skip(\"broken\", allow_module_level=True)` at module level, which skips every test in the module@3"
                ),
                None
            )]
        );
        let guarded = scan(
            "try:\n    import numpy\nexcept ImportError:\n    pytest.skip(\"no numpy\", allow_module_level=True)\n\ndef test_a():\n    pass\n",
        );
        assert_eq!(
            skips(&guarded),
            [skip("test_a", None, Some("`pytest.skip(\"no numpy\", allow_module_level=True)` at module level@4"))]
        );
        let raised = scan(
            "import unittest\nraise unittest.SkipTest(\"off\")\n\nclass TestA(unittest.TestCase):\n    def test_a(self):\n        pass\n",
        );
        assert_eq!(
            skips(&raised),
            [skip(
                "test_a",
                Some("`raise unittest.SkipTest(\"off\")` at module level, which skips every test in the module@2"),
                None
            )]
        );
        // Without `allow_module_level`, pytest reports an error for the module: no skip to find.
        let refused = scan("pytest.skip(\"x\")\n\ndef test_a():\n    pass\n");
        assert_eq!(skips(&refused), [skip("test_a", None, None)]);
    }

    // incident: IG-2026-013
    #[test]
    fn skip_marks_bound_to_a_name_were_not_skips() {
        let src = "import pytest, sys, unittest\n\nskip_flaky = pytest.mark.skip(reason=\"flaky\")\nskip_on_ci = pytest.mark.skipif(True, reason=\"ci\")\nonly_linux = pytest.mark.skipif(sys.platform != \"linux\", reason=\"x\")\nnever = pytest.mark.skipif(False, reason=\"x\")\nalias = skip_flaky\nold = unittest.skip(\"old\")\nslow = pytest.mark.slow\n\n@skip_flaky\ndef test_a(): pass\n\n@skip_on_ci\ndef test_b(): pass\n\n@only_linux\ndef test_c(): pass\n\n@never\ndef test_d(): pass\n\n@alias(reason=\"again\")\ndef test_e(): pass\n\n@old\ndef test_f(): pass\n\n@slow\n@pytest.mark.parametrize(\"m\", [skip_flaky])\ndef test_g(m): pass\n\nclass TestH:\n    pytestmark = [pytest.mark.db, skip_flaky]\n\n    def test_h(self): pass\n\nclass TestI:\n    local = pytest.mark.skip\n\n    @local\n    def test_i(self): pass\n\n@local\ndef test_j(): pass\n";
        let s = scan(src);
        let flaky = "`skip_flaky`, which is `pytest.mark.skip` (line 3)";
        assert_eq!(
            skips(&s),
            [
                skip("test_a", Some(&format!("{flaky}@11")), None),
                skip(
                    "test_b",
                    Some(
                        "`skip_on_ci`, which is `pytest.mark.skipif(True, reason=\"ci\")`, whose condition always holds (line 4)@14"
                    ),
                    None
                ),
                skip(
                    "test_c",
                    None,
                    Some(
                        "`only_linux`, which is `pytest.mark.skipif(sys.platform != \"linux\", reason=\"x\")` (line 5)@17"
                    )
                ),
                skip("test_d", None, None),
                skip(
                    "test_e",
                    Some("`alias`, which is `skip_flaky`, which is `pytest.mark.skip` (line 3) (line 7)@23"),
                    None
                ),
                skip("test_f", Some("`old`, which is `unittest.skip` (line 8)@26"), None),
                skip("test_g", None, None),
                skip("test_h", Some(&format!("{flaky}@34")), None),
                skip("test_i", Some("`local`, which is `pytest.mark.skip` (line 39)@41"), None),
                skip("test_j", None, None),
            ]
        );
        // Bound under an `if`, or rebound in its `else`: only sometimes a skip.
        let guarded = scan(
            "if sys.platform == \"win32\":\n    skip_win = pytest.mark.skip\nelse:\n    skip_win = lambda f: f\n\n@skip_win\ndef test_a(): pass\n\npytestmark = skip_win\n",
        );
        assert_eq!(skips(&guarded), [skip("test_a", None, Some("`skip_win`, which is `pytest.mark.skip` (line 2)@6"))]);
        // Rebound at module level to something else: no longer a skip.
        let rebound = scan("s = pytest.mark.skip\ns = pytest.mark.slow\n\n@s\ndef test_a(): pass\n");
        assert_eq!(skips(&rebound), [skip("test_a", None, None)]);
        let module =
            scan("skip_all = pytest.mark.skip(reason=\"off\")\npytestmark = [skip_all]\n\ndef test_a(): pass\n");
        assert_eq!(skips(&module), [skip("test_a", Some("`skip_all`, which is `pytest.mark.skip` (line 1)@2"), None)]);
    }

    #[test]
    fn the_marks_of_each_test_for_m_expressions() {
        let src = "import pytest\n\npytestmark = pytest.mark.web\nheavy = pytest.mark.stress\nif CI:\n    maybe = pytest.mark.flaky\nelse:\n    maybe = lambda f: f\n\n@heavy\n@pytest.mark.parametrize(\"x\", [pytest.param(1, marks=pytest.mark.skip)])\ndef test_a(x): pass\n\n@maybe\nclass TestB:\n    pytestmark = [pytest.mark.db]\n    def test_b(self): pass\n";
        let got: Vec<(String, Vec<String>, Vec<String>)> =
            test_marks("tests/test_pool.py", src, &MarkerWords::new(&["incident".to_owned()]))
                .into_iter()
                .map(|(id, m)| (id, m.names, m.maybe))
                .collect();
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            got,
            [
                ("tests/test_pool.py::test_a".to_owned(), v(&["stress", "parametrize", "web"]), v(&[])),
                ("tests/test_pool.py::TestB::test_b".to_owned(), v(&["db", "web"]), v(&["flaky"])),
            ]
        );
    }

    #[test]
    fn a_skip_mark_on_one_parametrized_case_does_not_skip_the_test() {
        let s = scan(
            "@pytest.mark.parametrize(\"x\", [1, pytest.param(2, marks=pytest.mark.skip)])\ndef test_a(x):\n    pass\n",
        );
        assert_eq!(skips(&s), [skip("test_a", None, None)]);
    }

    #[test]
    fn a_byte_order_mark_does_not_hide_a_test_on_line_one() {
        let s = scan("\u{feff}def test_a():\n    pass\n");
        assert_eq!(linked(&s), [("tests/test_pool.py::test_a".to_owned(), 1, vec![])]);
        assert_eq!(s.tests[0].loc.column, 5);
        let d = Python.decode(b"\xEF\xBB\xBF# incident: INC-1\ndef test_a():\n    pass\n");
        let s = scan(&d.text);
        assert_eq!(linked(&s), [("tests/test_pool.py::test_a".to_owned(), 2, vec!["INC-1@1:13".to_owned()])]);
    }

    #[test]
    fn commented_out_tests_and_markers_in_strings_are_nothing() {
        let src = "# # incident: X-1\n# def test_old():\n#     pass\n\ns = \"# incident: X-2\"\nt = '''\n# incident: X-3\n'''\nu = f\"{d[\"#\"]} # incident: X-4\"\n\ndef test_new():\n    v = f'{x:#x} # incident: X-5'\n";
        let s = scan(src);
        assert_eq!(linked(&s), [("tests/test_pool.py::test_new".to_owned(), 11, vec![])]);
        assert!(!s.has_markers && s.stray.is_empty());
    }

    #[test]
    fn strays_blank_lines_and_non_test_files() {
        let src = "# incident: S-1\n\ndef test_a():\n    # incident: S-2\n    pass\n\n# incident: S-3\ndef helper():\n    pass\n";
        let s = scan(src);
        let stray: Vec<(usize, &str)> = s.stray.iter().map(|m| (m.loc.line, m.target.as_str())).collect();
        assert_eq!(stray, [(1, ""), (4, ""), (7, "def helper")]);
        let outside = scan_at("src/pool.py", "# incident: S-1\ndef test_a():\n    pass\n");
        assert!(outside.tests.is_empty());
        assert_eq!(outside.stray[0].target, "def test_a (not in a test file: `test*.py` or `*_test.py`)");
        assert_eq!(ids(&scan_at("pkg/pool_test.py", "def test_a(): pass\n")), ["pkg/pool_test.py::test_a"]);
    }

    #[test]
    fn indentation_continuations_and_conditional_definitions() {
        let src = "if sys.version_info >= (3, 8):\n    def test_cond():\n        pass\nx = [\n    1,\n  2]\n# incident: B-1\ndef test_after(a,\n               b):\n    return \\\n        1\n\tdef not_nested_in_test_after(): pass\nclass TestT:\n\tdef test_tab(self): pass\n";
        let s = scan(src);
        assert_eq!(
            ids(&s),
            ["tests/test_pool.py::test_cond", "tests/test_pool.py::test_after", "tests/test_pool.py::TestT::test_tab"]
        );
        // Only a linked test keeps its body (to recognise it when it moves).
        assert_eq!(s.tests[1].body.as_str().lines().count(), 5);
        assert!(s.tests[0].body.is_empty() && s.tests[2].body.is_empty());
        let init = scan(
            "class TestI:\n    def __init__(self):\n        pass\n\n    # incident: I-1\n    def test_i(self):\n        pass\n",
        );
        assert!(init.tests.is_empty());
        assert_eq!(init.stray[0].target, "def test_i (in a test class with `__init__`, which pytest does not collect)");
    }

    // incident: IG-2026-008
    #[test]
    fn a_line_of_unclosed_marks_took_time_and_memory_quadratic_in_its_length() {
        // Found by the fuzzer: each `mark.incident(` read the rest of the line as its
        // argument, and reported all of it as a bad marker: 20,000 of them, each up to
        // 440 kB long. The first reads the rest once; the others are inside it.
        let src = format!("{}\ndef test_a(): pass\n", "@pytest.mark.incident(".repeat(20_000));
        let s = scan(&src);
        assert_eq!(s.bad_markers.len(), 1);
        assert_eq!((s.bad_markers[0].loc.line, s.bad_markers[0].loc.column), (1, 23));
        assert!(s.tests.is_empty(), "the `def` is inside the unclosed call");
        // Marks side by side are all read.
        let s = scan("@pytest.mark.incident(\"A-1\") @pytest.mark.incident(\"B-1\")(x)\ndef test_b(): pass\n");
        assert_eq!(linked(&s)[0].2, ["A-1@1:24", "B-1@1:53"]);
    }

    #[test]
    fn an_empty_mark_argument_panicked_the_scanner() {
        // Found by the fuzzer: `mark.incident(` and a comma sliced the source backwards,
        // and the panic stopped the whole run.
        let s = scan("@pytest.mark.incident(\n, \"A-1\")\ndef test_a(): pass\n");
        assert_eq!(linked(&s), [("tests/test_pool.py::test_a".to_owned(), 3, vec!["A-1@2:4".to_owned()])]);
        let s = scan("@t.mark.incident(\n,");
        assert_eq!(s.bad_markers.len(), 1);
        assert_eq!(s.bad_markers[0].token, "");
    }

    #[test]
    fn garbage_never_panics() {
        let src = "@pytest.mark.incident(\"A-1\")\nclass TestA:\n    pytestmark = [pytest.mark.skip]\n    async def test_a(self):\n        s = f\"{x!r:>{w}} {'a' if b else \"c\"}\" rb'\\x' '''\n'''\n";
        for cut in 0..=src.len() {
            let _ = scan(&src[..cut]);
        }
        for junk in [
            "@",
            "@pytest.mark.incident(",
            "def",
            "class",
            "async",
            "f\"{",
            "f'{x:",
            "'''",
            "\\",
            "\\\r",
            "pytestmark =",
            "\tdef test_(",
            "é'",
            ")]}",
            "rb",
            "f\"{'{'}\"",
            "__test__ =",
            "__test__ = not",
            "np = pytest.importorskip(",
            "pytest.skip(allow_module_level=",
            "@pytest.mark.skipif(not (",
            "@pytest.mark.xfail(run=",
            "@pytest.mark.parametrize(pytest.param(",
            "@unittest.skipUnless(\"\"",
            "\u{feff}",
            "s = pytest.mark.skip(",
            "s = pytest.mark.skipif(\n@s",
            "s = s\n@s(",
            "pytestmark = [s",
        ] {
            let _ = scan(junk);
        }
        let deep = "f\"{f'{".repeat(10_000);
        let _ = scan(&deep);
        let nots = format!("@pytest.mark.skipif({}True)\ndef test_a(): pass\n", "not ".repeat(100_000));
        assert!(scan(&nots).tests[0].conditional_skip.is_some());
        let parens = format!("__test__ = {}False{}\ndef test_a(): pass\n", "(".repeat(100_000), ")".repeat(100_000));
        let _ = scan(&parens);
    }
}
