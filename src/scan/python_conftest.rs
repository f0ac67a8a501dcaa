//! What pytest takes from a `conftest.py` before it collects the tests beside it, read
//! from the source with the Python lexer (nothing is run): the `collect_ignore` and
//! `collect_ignore_glob` lists of the module, and the marks its hooks register
//! (`config.addinivalue_line("markers", "incident: …")`).
//!
//! The lists are followed statement by statement at module level: `collect_ignore = [
//! "a.py", …]` (also a tuple, or annotated), `+= […]`, `.append("x")`, `.extend([…])`,
//! `.insert(i, "x")`. A statement under an `if`, `try`, `for` or `with` makes what it adds
//! conditional (and what an assignment there replaces); a value that is not a plain
//! string, or any other statement on the list, makes the list partly unknown.
//!
//! Also, with the same lexer, the `pytest.mark.NAME` a test module touches when it is
//! imported (`mark_uses`): pytest looks every one of them up, and an unknown name is a
//! warning, or under `--strict-markers` an error, while the module is collected.

use super::{Kind, Tok, lex, str_value};

/// One string of a list, or one statement the list cannot be followed through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The string (for an unknown value: empty).
    pub value: String,
    /// Where it stands (1-based line and column, length in characters).
    pub line: usize,
    pub column: usize,
    pub len: usize,
    /// The statement that puts it in the list, quoted as code.
    pub statement: String,
    /// Whether every import of the module puts it there (not only under an `if`).
    pub certain: bool,
}

/// `collect_ignore` or `collect_ignore_glob` of one conftest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathList {
    /// Whether the module sets the name at all, and whether it always does.
    pub defined: bool,
    pub always: bool,
    pub entries: Vec<Entry>,
    /// A statement whose values the source cannot tell, if there is one.
    pub unknown: Option<Entry>,
}

/// A `config.addinivalue_line("markers", …)` call: the mark's name, or `None` when the
/// line is not a plain string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
    pub name: Option<String>,
    pub line: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Conftest {
    pub collect_ignore: PathList,
    pub collect_ignore_glob: PathList,
    pub registrations: Vec<Registration>,
    /// The line of a module-level `pytest_plugins = …`: plugins that may register marks.
    pub plugins: Option<usize>,
}

/// Reads a `conftest.py`.
pub fn read(src: &str) -> Conftest {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let lx = lex(src);
    let toks = &lx.toks;
    let mut out = Conftest::default();
    // Compound statements open at each indentation: (indent, whether a def or class).
    let mut stack: Vec<(usize, bool)> = Vec::new();
    let columns = super::super::columns::Columns::new(src);
    for ll in &lx.lines {
        while stack.last().is_some_and(|&(indent, _)| indent >= ll.indent) {
            stack.pop();
        }
        let line = &toks[ll.from..ll.to];
        registrations(line, &mut out.registrations);
        let first = &line[0];
        let keyword = |t: &Tok| {
            ["if", "elif", "else", "try", "except", "finally", "for", "while", "with", "async", "match", "case"]
                .iter()
                .any(|k| t.is(k))
        };
        let header = line.last().is_some_and(|t| t.is(":"));
        let defines =
            first.is("def") || first.is("class") || (first.is("async") && line.get(1).is_some_and(|t| t.is("def")));
        if header {
            stack.push((ll.indent, defines || first.is("@")));
            continue;
        }
        if stack.iter().any(|&(_, d)| d) || first.is("@") {
            continue;
        }
        let mut direct = stack.is_empty();
        let mut stmt = line;
        // `if cond: collect_ignore.append("x")` on one line.
        if keyword(first) {
            let Some(colon) = top_level(line, ":") else { continue };
            stmt = &line[colon + 1..];
            direct = false;
        }
        let Some(head) = stmt.first() else { continue };
        if head.is("pytest_plugins") && stmt.get(1).is_some_and(|t| t.is("=")) {
            out.plugins.get_or_insert(head.line);
            continue;
        }
        let list = if head.is("collect_ignore") {
            &mut out.collect_ignore
        } else if head.is("collect_ignore_glob") {
            &mut out.collect_ignore_glob
        } else {
            continue;
        };
        let quoted = quote(src, stmt);
        let at = |t: &Tok, value: String, certain: bool| Entry {
            value,
            line: t.line,
            column: columns.col(t.start),
            len: t.text.chars().count(),
            statement: quoted.clone(),
            certain,
        };
        let unknown = || Entry { value: String::new(), ..at(head, String::new(), direct) };
        match statement(stmt) {
            Some(Change::Assign(values)) => {
                if direct {
                    list.entries.clear();
                    list.unknown = None;
                    list.always = true;
                } else {
                    for e in &mut list.entries {
                        e.certain = false;
                    }
                }
                list.defined = true;
                match values {
                    Some(v) => list.entries.extend(v.into_iter().map(|t| at(t, string(t), direct))),
                    None => list.unknown = Some(unknown()),
                }
            }
            Some(Change::Add(Some(v))) => list.entries.extend(v.into_iter().map(|t| at(t, string(t), direct))),
            Some(Change::Add(None)) | None => list.unknown = Some(unknown()),
        }
    }
    out
}

enum Change<'t, 'a> {
    /// `= […]`: the new values, `None` when they cannot be read.
    Assign(Option<Vec<&'t Tok<'a>>>),
    /// `+= […]`, `.append(…)`, `.extend(…)`, `.insert(…)`.
    Add(Option<Vec<&'t Tok<'a>>>),
}

/// What a statement that starts with the list's name does to it; `None` when it does
/// something else (`del`, `.remove`, a slice…).
fn statement<'t, 'a>(stmt: &'t [Tok<'a>]) -> Option<Change<'t, 'a>> {
    match stmt {
        [_, eq, rest @ ..] if eq.is("=") && !rest.first().is_some_and(|t| t.is("=")) => {
            Some(Change::Assign(strings(rest)))
        }
        [_, colon, rest @ ..] if colon.is(":") => {
            let eq = top_level(rest, "=")?;
            Some(Change::Assign(strings(&rest[eq + 1..])))
        }
        [_, plus, eq, rest @ ..] if plus.is("+") && eq.is("=") => Some(Change::Add(strings(rest))),
        [_, dot, method, open, args @ .., close] if dot.is(".") && open.is("(") && close.is(")") => {
            let args = split(args);
            match (method.text, args.as_slice()) {
                ("append", [[value]]) | ("insert", [_, [value]]) => {
                    Some(Change::Add((value.kind == Kind::Str && str_value(value.text).is_some()).then(|| vec![value])))
                }
                ("append" | "insert", _) => Some(Change::Add(None)),
                ("extend", [value]) => Some(Change::Add(strings(value))),
                ("extend", _) => Some(Change::Add(None)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The strings of a list or tuple literal made only of plain strings (`[]`, `()` and
/// `list()` are empty); `None` for anything else.
fn strings<'t, 'a>(toks: &'t [Tok<'a>]) -> Option<Vec<&'t Tok<'a>>> {
    let inner = match toks {
        [list, open, close] if list.is("list") && open.is("(") && close.is(")") => return Some(Vec::new()),
        [open, inner @ .., close] if (open.is("[") && close.is("]")) || (open.is("(") && close.is(")")) => inner,
        _ => return None,
    };
    split(inner)
        .into_iter()
        .map(|item| match item {
            [t] if t.kind == Kind::Str && str_value(t.text).is_some() => Some(t),
            _ => None,
        })
        .collect()
}

fn string(t: &Tok) -> String {
    str_value(t.text).map(|(v, _)| v).unwrap_or_default()
}

/// Splits tokens at top-level commas; a trailing comma adds nothing.
fn split<'t, 'a>(toks: &'t [Tok<'a>]) -> Vec<&'t [Tok<'a>]> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, t) in toks.iter().enumerate() {
        if t.kind != Kind::Op {
            continue;
        }
        match t.text {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => depth = depth.saturating_sub(1),
            "," if depth == 0 => {
                out.push(&toks[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < toks.len() {
        out.push(&toks[start..]);
    }
    out
}

/// The index of the first `op` outside brackets.
fn top_level(toks: &[Tok], op: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, t) in toks.iter().enumerate() {
        if t.kind != Kind::Op {
            continue;
        }
        match t.text {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => depth = depth.saturating_sub(1),
            o if o == op && depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

/// Tokens as quoted code: their first line, shortened when long.
fn quote(src: &str, toks: &[Tok]) -> String {
    let (Some(first), Some(last)) = (toks.first(), toks.last()) else { return String::new() };
    let text = src.get(first.start..(last.start + last.text.len()).min(src.len())).unwrap_or("");
    let line = text.lines().next().unwrap_or("").trim_end();
    if line.len() < text.len() || line.chars().count() > 100 {
        format!("`{}…`", line.chars().take(100).collect::<String>())
    } else {
        format!("`{line}`")
    }
}

/// `….addinivalue_line("markers", "name: …")` calls in one logical line.
fn registrations(line: &[Tok], out: &mut Vec<Registration>) {
    for (i, t) in line.iter().enumerate() {
        if !(t.is("addinivalue_line") && line.get(i + 1).is_some_and(|t| t.is("("))) {
            continue;
        }
        let Some(close) = closing(line, i + 1) else { continue };
        let args = split(&line[i + 2..close]);
        let literal = |arg: &[Tok]| match arg {
            [t] if t.kind == Kind::Str => str_value(t.text).map(|(v, _)| v),
            _ => None,
        };
        let Some(first) = args.first() else { continue };
        match literal(first) {
            Some(name) if name != "markers" => continue,
            // A setting named by a variable may be `markers`.
            None if !first.iter().any(|t| t.kind == Kind::Name) => continue,
            _ => {}
        }
        let name = args.get(1).and_then(|a| literal(a)).map(|line| marker_name(&line));
        out.push(Registration { name, line: t.line });
    }
}

/// The index of the bracket closing the one at `open`.
fn closing(toks: &[Tok], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, t) in toks.iter().enumerate().skip(open) {
        if t.kind != Kind::Op {
            continue;
        }
        match t.text {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The name a `markers` line registers, as pytest reads it: `incident(id): …` →
/// `incident`.
pub fn marker_name(line: &str) -> String {
    let signature = line.split(':').next().unwrap_or("");
    signature.split('(').next().unwrap_or("").trim().to_owned()
}

/// A `….mark.NAME` a module touches when it is imported, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarkUse {
    pub name: String,
    pub line: usize,
    pub column: usize,
    pub len: usize,
}

/// The marks named `words` (as written, compared without case as the scanner does) that
/// the module looks up when it is imported: in decorators, `pytestmark` and any other
/// statement outside a function body.
pub fn mark_uses(src: &str, words: &[String]) -> Vec<MarkUse> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let lx = lex(src);
    let toks = &lx.toks;
    let columns = super::super::columns::Columns::new(src);
    let mut out = Vec::new();
    let mut stack: Vec<(usize, bool)> = Vec::new();
    for ll in &lx.lines {
        while stack.last().is_some_and(|&(indent, _)| indent >= ll.indent) {
            stack.pop();
        }
        let line = &toks[ll.from..ll.to];
        let first = &line[0];
        let is_def = first.is("def") || (first.is("async") && line.get(1).is_some_and(|t| t.is("def")));
        let in_def = stack.iter().any(|&(_, d)| d);
        if !in_def {
            // A `def` header's own parts (defaults, annotations) run at import too; its
            // body does not, even on the same line.
            let until = if is_def { top_level(line, ":").map_or(line.len(), |c| c + 1) } else { line.len() };
            for k in 2..until {
                let (mark, dot, name) = (&line[k - 2], &line[k - 1], &line[k]);
                if mark.is("mark")
                    && dot.is(".")
                    && name.kind == Kind::Name
                    && words.iter().any(|w| w.eq_ignore_ascii_case(name.text))
                {
                    out.push(MarkUse {
                        name: name.text.to_owned(),
                        line: mark.line,
                        column: columns.col(mark.start),
                        len: name.start + name.text.len() - mark.start,
                    });
                }
            }
        }
        if line.last().is_some_and(|t| t.is(":")) {
            stack.push((ll.indent, is_def));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(list: &PathList) -> Vec<(String, usize, bool)> {
        list.entries.iter().map(|e| (e.value.clone(), e.line, e.certain)).collect()
    }

    fn e(value: &str, line: usize, certain: bool) -> (String, usize, bool) {
        (value.to_owned(), line, certain)
    }

    #[test]
    fn collect_ignore_lists_followed_statement_by_statement() {
        let c = read(
            "import sys\ncollect_ignore = [\"setup.py\", 'docs/conf.py',]\nif sys.version_info < (3, 10):\n    collect_ignore.append(\"test_new.py\")\ncollect_ignore += (\"test_old.py\",)\ncollect_ignore.extend([\"a\"])\n\ndef pytest_configure(config):\n    collect_ignore.append(\"inside.py\")\n\ncollect_ignore_glob: list[str] = [\"*_old.py\"]\nif True: collect_ignore_glob.insert(0, \"x*\")\n",
        );
        assert_eq!(
            values(&c.collect_ignore),
            [
                e("setup.py", 2, true),
                e("docs/conf.py", 2, true),
                e("test_new.py", 4, false),
                e("test_old.py", 5, true),
                e("a", 6, true)
            ]
        );
        assert!(c.collect_ignore.always && c.collect_ignore.unknown.is_none());
        assert_eq!(c.collect_ignore.entries[1].column, 31);
        assert_eq!(c.collect_ignore.entries[2].statement, "`collect_ignore.append(\"test_new.py\")`");
        assert_eq!(values(&c.collect_ignore_glob), [e("*_old.py", 11, true), e("x*", 12, false)]);
    }

    #[test]
    fn assignments_under_an_if_and_values_that_cannot_be_read() {
        let c = read(
            "collect_ignore = [\"a.py\"]\ntry:\n    import numpy\nexcept ImportError:\n    collect_ignore = [\"b.py\"]\ncollect_ignore_glob = [str(p) for p in paths]\n",
        );
        assert_eq!(values(&c.collect_ignore), [e("a.py", 1, false), e("b.py", 5, false)]);
        assert!(c.collect_ignore.always);
        let unknown = c.collect_ignore_glob.unknown.as_ref().unwrap();
        assert_eq!((unknown.line, unknown.statement.as_str()), (6, "`collect_ignore_glob = [str(p) for p in paths]`"));
        let c = read("if x:\n    collect_ignore = []\ncollect_ignore.remove(\"y\")\n");
        assert!(c.collect_ignore.defined && !c.collect_ignore.always);
        assert_eq!(c.collect_ignore.unknown.as_ref().map(|u| u.line), Some(3));
        assert_eq!(read("x = 1\n"), Conftest::default());
    }

    #[test]
    fn marker_registrations_and_plugins() {
        let c = read(
            "pytest_plugins = [\"tests.plugin\"]\n\ndef pytest_configure(config):\n    config.addinivalue_line(\"markers\", \"incident(id): links a test to a postmortem\")\n    config.addinivalue_line(\"markers\", f\"{name}: x\")\n    config.addinivalue_line(\"filterwarnings\", \"error\")\n    config.addinivalue_line(KEY, \"slow: x\")\n",
        );
        assert_eq!(
            c.registrations,
            [
                Registration { name: Some("incident".to_owned()), line: 4 },
                Registration { name: None, line: 5 },
                Registration { name: Some("slow".to_owned()), line: 7 }
            ]
        );
        assert_eq!(c.plugins, Some(1));
    }

    #[test]
    fn marks_touched_at_import() {
        let words = ["incident".to_owned()];
        let src = "import pytest\nfrom pytest import mark\n\npytestmark = pytest.mark.incident(\"A-1\")\n\n@mark.incident(\"B-1\")\ndef test_a():\n    x = pytest.mark.incident\n\nclass TestB:\n    @pytest.mark.Incident(\"C-1\")\n    def test_b(self): y = pytest.mark.incident\n\nz = obj.other.mark.incident\n";
        let uses: Vec<(String, usize, usize, usize)> =
            mark_uses(src, &words).into_iter().map(|u| (u.name, u.line, u.column, u.len)).collect();
        assert_eq!(
            uses,
            [
                ("incident".to_owned(), 4, 21, 13),
                ("incident".to_owned(), 6, 2, 13),
                ("Incident".to_owned(), 11, 13, 13),
                ("incident".to_owned(), 14, 15, 13)
            ]
        );
    }

    #[test]
    fn garbage_never_panics() {
        for junk in [
            "collect_ignore",
            "collect_ignore.",
            "collect_ignore.append(",
            "collect_ignore = [",
            "if x:",
            "collect_ignore:",
            "addinivalue_line(",
            "addinivalue_line(\"markers\",",
            "a.mark.",
            "mark.incident",
            ")",
            "if: collect_ignore = 1",
        ] {
            let _ = read(junk);
            let _ = mark_uses(junk, &["incident".to_owned()]);
        }
    }
}
