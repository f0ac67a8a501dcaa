//! JavaScript and TypeScript tests (`.js .jsx .mjs .cjs .ts .tsx .mts .cts`), as Jest,
//! Vitest, Mocha, Jasmine, Playwright and `node:test` write them: `it(…)`, `test(…)`,
//! `specify(…)` calls with a title and a function, inside `describe(…)` / `context(…)` /
//! `suite(…)` / `test.describe(…)` blocks, with modifiers (`.only`, `.each(…)`,
//! `.concurrent`, …). Identity: `path::describe title > test title` (the titles as
//! written; a `.each` title keeps its `%s`, so its cases are one test; a title that is
//! not a string literal is written as its source text).
//!
//! A test call is a test in any file: which files the project's runner collects is read
//! from its configuration (`reach::js`: mocha, Jest, Vitest, `node --test`, Deno, Bun),
//! and a linked test in a file it does not collect is reported as never run. `Deno.test`
//! (a title, an options object with `name` and `ignore`, a named function) is a test too.
//! `is_test_file` keeps the runners' shared default names (`*.test.*`, `*.spec.*`,
//! `*-test.*`, `*_test.*`, `test-*.*`, `test.*`, `__tests__/`, `test/`, `tests/`): it
//! tells test files from the code under test, and is the rule where no package.json says
//! which runner runs the tests.
//!
//! Markers: `// incident: ID` (or a `/* */` or `/** */` comment) on the lines directly
//! above a test, or directly above a `describe` block to link every test in it. Skipped:
//! `it.skip`, `test.skip`, `describe.skip`, `xit`, `xtest`, `xdescribe`, `it.todo`,
//! Playwright's `test.fixme` (inherited from a skipped block), and a mocha test whose
//! `function` body starts with `this.skip()`. Vitest's `.skipIf(c)` and `.runIf(c)`, an
//! `if (c)` around a test (or `if (c) return;` before it in its block), a callee that is
//! an expression (`(c ? describe.skip : describe)(…)`) or a name bound to one
//! (`const itUnix = isWin ? it.skip : it;`), and `if (c) this.skip()` as a body's first
//! statement: a skip when the source decides `c` (`true`, `false`, `!0`, … see
//! `js_cond`), conditional when it cannot.
//!
//! Read with the shared C-like lexer (`clike`), which knows template literals,
//! regular-expression literals and JSX (`<p>Don't</p>` holds no string). Tests are found
//! among the top-level tokens by their call shape and bracket pairs. tree-sitter's
//! JavaScript and TypeScript/TSX grammars would add ~1.9 s to a `-j1` build plus
//! tree-sitter itself, and about 3 MB of parse tables to the binary (see `clike`).
//! Accuracy against a real runner: on the project in `scripts/accuracy/javascript/`
//! (nested `describe`s, `it`/`test`, skip and todo, options objects, template titles,
//! titles with escapes, regular expressions and tests inside strings, templates and
//! comments), Node 20's runner (`node --test`, TAP) reports 12 tests and the scanner
//! finds the same 12, and one more Node does not report: a test inside a skipped
//! `describe` (`tests/accuracy.rs`, run by `scripts/accuracy/run.sh`).

use super::clike::{self, Dialect, Lexed, TokKind};
use super::js_cond;
use super::markers::MarkerWords;
use super::{FileScan, Item, ItemKind, Language, Skip, Truth};
use crate::finding::Location;
use std::collections::HashMap;

const EXTENSIONS: &[&str] = &[".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts"];
const DESCRIBE: &[&str] = &["describe", "context", "suite", "xdescribe", "xcontext", "fdescribe"];
const TEST: &[&str] = &["it", "test", "specify", "xit", "xtest", "xspecify", "fit", "ftest"];
/// Modifiers a test or block call may carry; any other (`test.step`, `test.use`, …) is
/// not a test.
const MODIFIERS: &[&str] = &[
    "skip",
    "only",
    "todo",
    "each",
    "for",
    "concurrent",
    "sequential",
    "failing",
    "fails",
    "fixme",
    "fail",
    "skipIf",
    "runIf",
    "shuffle",
    "serial",
    "parallel",
    "describe",
];
/// `describe` blocks nested deeper than this do not add to identities (each test joins
/// the titles around it).
const MAX_NESTING: usize = 100;
const HOOKS: &[&str] = &["beforeEach", "afterEach", "beforeAll", "afterAll", "before", "after", "setup", "teardown"];

pub struct JavaScript;

impl Language for JavaScript {
    fn name(&self) -> &'static str {
        "javascript"
    }

    fn handles(&self, path: &str) -> bool {
        EXTENSIONS.iter().any(|e| path.ends_with(e))
    }

    fn is_test_file(&self, path: &str) -> bool {
        is_test_file(path)
    }

    fn scan(&self, path: &str, text: &str, words: &MarkerWords) -> FileScan {
        let ts = [".ts", ".mts", ".cts"].iter().any(|e| path.ends_with(e));
        let dialect = if ts { Dialect::TYPESCRIPT } else { Dialect::JAVASCRIPT };
        let lexed = clike::lex(text, &dialect);
        let items = items(path, &lexed, &mut Vec::new());
        super::attach(path, text, &lexed.comments, &items, words)
    }

    fn skip_form(&self) -> &'static str {
        "skip (`it.skip`, `test.skip`, `xit`, `describe.skip`)"
    }

    fn marker_help(&self) -> &'static str {
        "put `// incident: ID` on the lines directly above an `it(…)` or `test(…)` call (or above a `describe(…)` block for all its tests) in a file the project's test runner collects"
    }
}

/// Whether a file is a test file by the runners' default conventions.
pub fn is_test_file(path: &str) -> bool {
    let mut parts = path.split('/').rev();
    let base = parts.next().unwrap_or(path);
    if parts.any(|dir| matches!(dir, "__tests__" | "test" | "tests")) {
        return true;
    }
    let stem = base.split('.').next().unwrap_or(base);
    base.contains(".test.")
        || base.contains(".spec.")
        || stem.ends_with("-test")
        || stem.ends_with("_test")
        || stem.starts_with("test-")
        || stem == "test"
}

struct Block {
    close: usize,
    title: String,
    part: Part,
    skip: Option<Skip>,
    conditional: Option<Skip>,
}

/// A condition around tests: an `if` (its branch), or the rest of a block after
/// `if (…) return`. Tests between its tokens run when `holds` does.
struct Guard {
    from: usize,
    to: usize,
    holds: Truth,
    skip: Skip,
}

/// What a callee (`it.skip`, `describe.each(…)`, `(c ? describe.skip : describe)`, or a
/// name bound to one of those) says about the calls it makes.
#[derive(Clone)]
struct Callee {
    is_describe: bool,
    todo: bool,
    /// `.each(…)` / `.for(…)`: its title is a format (`%s`, `$a`) for each case.
    each: bool,
    skip: Option<Skip>,
    conditional: Option<Skip>,
    text: String,
}

fn loc(path: &str, lexed: &Lexed, i: usize) -> Location {
    let t = &lexed.tokens[i];
    Location { path: path.to_owned(), line: t.line, column: lexed.col(t.start), len: t.text.chars().count().max(1) }
}

fn source<'a>(lexed: &Lexed<'a>, from: usize, to: usize) -> &'a str {
    let toks = &lexed.tokens;
    if from >= to || to > toks.len() {
        return "";
    }
    let end = toks[to - 1].start + toks[to - 1].text.len();
    lexed.src.get(toks[from].start..end).unwrap_or("")
}

/// Reads the callee chain `root(.modifier)*` whose root is token `i` (a name in
/// `DESCRIBE` or `TEST`), where `.each(…)`, `.for(…)`, `.skipIf(…)` and `.runIf(…)` take
/// arguments (or a tagged template table) of their own. Returns it and the index of the
/// token after it; `None` when a modifier is not one of a test call.
fn chain(path: &str, lexed: &Lexed, i: usize) -> Option<(Callee, usize)> {
    let toks = &lexed.tokens;
    let root = &toks[i];
    let mut j = i + 1;
    let mut mods: Vec<(usize, &str)> = Vec::new();
    let mut decided: Option<(Truth, usize, usize, bool)> = None;
    while toks.get(j).is_some_and(|d| d.is_punct('.')) && toks.get(j + 1).is_some_and(|m| m.kind == TokKind::Ident) {
        let m = toks[j + 1].text;
        if !MODIFIERS.contains(&m) {
            return None;
        }
        mods.push((j + 1, m));
        j += 2;
        if matches!(m, "each" | "for" | "skipIf" | "runIf") {
            match toks.get(j) {
                Some(p) if p.is_punct('(') => {
                    let close = lexed.close_of(j);
                    if matches!(m, "skipIf" | "runIf") && decided.is_none() {
                        decided = Some((js_cond::truth(lexed, j + 1, close), j - 1, close, m == "skipIf"));
                    }
                    j = close + 1;
                }
                Some(l) if l.kind == TokKind::Lit => j += 1,
                _ => {}
            }
        }
    }
    let text = source(lexed, i, j).to_owned();
    let quoted = crate::finding::code(&text);
    let is_describe = DESCRIBE.contains(&root.text) || mods.first().is_some_and(|(_, m)| *m == "describe");
    let todo = mods.iter().any(|(_, m)| *m == "todo");
    let mut skip = if root.text.starts_with('x') {
        Some(loc(path, lexed, i))
    } else {
        mods.iter().find(|(_, m)| matches!(*m, "skip" | "todo" | "fixme")).map(|(k, _)| loc(path, lexed, *k))
    }
    .map(|l| Skip::new(l, quoted.clone()));
    let mut conditional = None;
    if let Some((holds, at, _, skip_if)) = decided {
        let at = loc(path, lexed, at);
        // `.skipIf(c)` skips when `c` holds; `.runIf(c)` when it does not.
        let skips = if skip_if { holds } else { !holds };
        match skips {
            Truth::Yes => {
                let why = if skip_if { "whose condition always holds" } else { "whose condition never holds" };
                skip.get_or_insert(Skip::new(at, format!("{quoted}, {why}")));
            }
            Truth::No => {}
            Truth::Unknown => conditional = Some(Skip::new(at, quoted.clone())),
        }
    }
    let each = mods.iter().any(|(_, m)| matches!(*m, "each" | "for"));
    Some((Callee { is_describe, todo, each, skip, conditional, text }, j))
}

/// Whether the tokens `from..to` are exactly one callee chain, and which.
fn whole_chain(path: &str, lexed: &Lexed, from: usize, to: usize) -> Option<Callee> {
    let t = lexed.tokens.get(from)?;
    if t.kind != TokKind::Ident || !(DESCRIBE.contains(&t.text) || TEST.contains(&t.text)) {
        return None;
    }
    let (callee, end) = chain(path, lexed, from)?;
    (end == to).then_some(callee)
}

/// A callee written as an expression over callees: `cond ? describe.skip : describe`
/// (in parentheses where it is called), or a single chain (`describe.skipIf(c)`), as
/// bound to a name. The condition decides which, when the source can; otherwise calls
/// through it are conditional.
fn callee_expr(path: &str, lexed: &Lexed, from: usize, to: usize) -> Option<Callee> {
    let toks = &lexed.tokens;
    let (mut from, mut to) = (from, to);
    while from < to && toks[from].is_punct('(') && lexed.close_of(from) == to - 1 {
        from += 1;
        to -= 1;
    }
    if let Some(single) = whole_chain(path, lexed, from, to) {
        return Some(single);
    }
    // `cond ? a : b` at the top level.
    let mut k = from;
    let mut question = None;
    let mut colon = None;
    while k < to {
        let t = &toks[k];
        if t.kind == TokKind::Punct && matches!(t.text, "(" | "[" | "{") {
            k = lexed.close_of(k).max(k) + 1;
            continue;
        }
        let next_is = |c: char| toks.get(k + 1).is_some_and(|n| n.is_punct(c));
        if t.is_punct('?') && !next_is('.') && !next_is('?') && question.is_none() {
            question = Some(k);
        } else if t.is_punct(':') && question.is_some() && colon.is_none() {
            colon = Some(k);
        }
        k += 1;
    }
    let (q, c) = (question?, colon?);
    let a = whole_chain(path, lexed, q + 1, c)?;
    let b = whole_chain(path, lexed, c + 1, to)?;
    if a.is_describe != b.is_describe {
        return None;
    }
    let text = source(lexed, from, to).to_owned();
    let at = loc(path, lexed, from);
    let quoted = crate::finding::code(&text);
    Some(match js_cond::truth(lexed, from, q) {
        Truth::Yes => Callee { text, ..a },
        Truth::No => Callee { text, ..b },
        Truth::Unknown => {
            let skip = match (&a.skip, &b.skip) {
                (Some(s), Some(_)) => Some(s.clone()),
                _ => None,
            };
            let conditional = if skip.is_none() && (a.skip.is_some() || b.skip.is_some()) {
                Some(Skip::new(at, quoted))
            } else {
                a.conditional.or(b.conditional)
            };
            Callee {
                is_describe: a.is_describe,
                todo: a.todo && b.todo,
                each: a.each || b.each,
                skip,
                conditional,
                text,
            }
        }
    })
}

/// Names bound to callees anywhere in the file (`const itUnix = isWin ? it.skip : it;`,
/// `const describeWin = describe.runIf(isWin);`), read before the calls through them.
fn aliases<'a>(path: &str, lexed: &Lexed<'a>) -> HashMap<&'a str, Callee> {
    let toks = &lexed.tokens;
    let mut out = HashMap::new();
    for k in 0..toks.len().saturating_sub(3) {
        if !(toks[k].is("const") || toks[k].is("let") || toks[k].is("var")) {
            continue;
        }
        let (name, eq) = (&toks[k + 1], &toks[k + 2]);
        if name.kind != TokKind::Ident || !eq.is_punct('=') || toks[k + 3].is_punct('=') {
            continue;
        }
        if DESCRIBE.contains(&name.text) || TEST.contains(&name.text) {
            continue;
        }
        let mut end = js_cond::statement_end(lexed, k + 3);
        if toks.get(end).is_some_and(|t| t.is_punct(';') || t.is_punct(',')) {
            end = end.saturating_sub(1);
        }
        if let Some(callee) = callee_expr(path, lexed, k + 3, end + 1) {
            out.insert(name.text, callee);
        }
    }
    out
}

/// A mocha test body that starts by skipping itself: `this.skip()`, or that under an
/// `if` (`if (!db) this.skip();`, `if (c) { return this.skip(); }`). Only a `function`
/// has mocha's `this`.
fn skips_itself(path: &str, lexed: &Lexed, (from, to): (usize, usize)) -> (Option<Skip>, Option<Skip>) {
    let toks = &lexed.tokens;
    let none = (None, None);
    let mut k = from;
    if toks.get(k).is_some_and(|t| t.is("async")) {
        k += 1;
    }
    if !toks.get(k).is_some_and(|t| t.is("function")) {
        return none;
    }
    let Some(body) = (k..to).find(|&m| toks[m].is_punct('{')) else { return none };
    let this_skip = |m: usize| -> Option<usize> {
        let m = if toks.get(m).is_some_and(|t| t.is("return")) { m + 1 } else { m };
        let w = toks.get(m..m + 5)?;
        (w[0].is("this") && w[1].is_punct('.') && w[2].is("skip") && w[3].is_punct('(') && w[4].is_punct(')'))
            .then_some(m + 2)
    };
    let first = body + 1;
    if let Some(at) = this_skip(first) {
        return (Some(Skip::new(loc(path, lexed, at), "`this.skip()`")), None);
    }
    if toks.get(first).is_some_and(|t| t.is("if")) && toks.get(first + 1).is_some_and(|p| p.is_punct('(')) {
        let close = lexed.close_of(first + 1);
        let then = if toks.get(close + 1).is_some_and(|b| b.is_punct('{')) { close + 2 } else { close + 1 };
        if let Some(at) = this_skip(then) {
            let cond = source(lexed, first + 2, close);
            let what = crate::finding::code(&format!("if ({cond}) this.skip()"));
            let at = loc(path, lexed, at);
            return match js_cond::truth(lexed, first + 2, close) {
                Truth::Yes => (Some(Skip::new(at, format!("{what}, whose condition always holds"))), None),
                Truth::No => none,
                Truth::Unknown => (None, Some(Skip::new(at, what))),
            };
        }
    }
    none
}

/// Splits the arguments of the call whose `(` is at `open` into token ranges.
fn args(lexed: &Lexed, open: usize) -> Vec<(usize, usize)> {
    let close = lexed.close_of(open);
    let mut out = Vec::new();
    let mut start = open + 1;
    let mut k = open + 1;
    while k < close {
        let t = &lexed.tokens[k];
        if t.kind == TokKind::Punct && matches!(t.text, "(" | "[" | "{") {
            k = lexed.close_of(k).max(k) + 1;
            continue;
        }
        if t.is_punct(',') {
            out.push((start, k));
            start = k + 1;
        }
        k += 1;
    }
    if close > start {
        out.push((start, close));
    }
    out
}

/// Whether the argument `from..to` is a function: `() => …`, `async (…) => …`,
/// `function …`, `x => …`, or a name (a function defined elsewhere).
fn is_function(lexed: &Lexed, (from, to): (usize, usize)) -> bool {
    let toks = &lexed.tokens;
    let Some(first) = toks.get(from) else { return false };
    if first.is("function") || first.is("async") {
        return true;
    }
    if first.is_punct('(') {
        let after = lexed.close_of(from) + 1;
        // `(…) => …`, or `(…): T => …` in TypeScript.
        return toks
            .get(after..to)
            .is_some_and(|rest| rest.windows(2).any(|w| w[0].is_punct('=') && w[1].is_punct('>')));
    }
    first.kind == TokKind::Ident
        && (to - from == 1 || toks.get(from + 1..from + 3).is_some_and(|w| w[0].is_punct('=') && w[1].is_punct('>')))
}

/// How a title shows up in a runner's report: as written, or (computed at run time:
/// `'adds ' + n`, `` `adds ${n}` ``, a `.each` format with `%s` or `$a`) as a pattern,
/// a regular expression that the reported title must match whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    Literal(String),
    Pattern(String),
}

/// The `Part` of the title argument `from..to`.
fn title_part(lexed: &Lexed, from: usize, to: usize, each: bool) -> Part {
    let toks = &lexed.tokens;
    if to - from == 1
        && let Some(value) = lexed.string_value(from)
    {
        if !each || !(value.contains('%') || value.contains('$')) {
            return Part::Literal(value);
        }
        return Part::Pattern(format_pattern(&value));
    }
    // `a + b + …` at the top level: literal operands as written, the others anything.
    let mut pattern = String::new();
    let mut start = from;
    let mut k = from;
    let mut operands = Vec::new();
    while k < to {
        let t = &toks[k];
        if t.kind == TokKind::Punct && matches!(t.text, "(" | "[" | "{") {
            k = lexed.close_of(k).max(k) + 1;
            continue;
        }
        if t.is_punct('+') {
            operands.push((start, k));
            start = k + 1;
        }
        k += 1;
    }
    operands.push((start, to));
    for (a, b) in operands {
        if b == a + 1 {
            if let Some(value) = lexed.string_value(a) {
                pattern.push_str(&regex::escape(&value));
                continue;
            }
            if toks[a].interpolated {
                pattern.push_str(&template_pattern(toks[a].text));
                continue;
            }
        }
        if !pattern.ends_with(".*") {
            pattern.push_str(".*");
        }
    }
    Part::Pattern(pattern)
}

/// `` `adds ${n} items` `` as `adds .* items`.
fn template_pattern(text: &str) -> String {
    let inner = text.strip_prefix('`').and_then(|t| t.strip_suffix('`')).unwrap_or(text);
    let mut out = String::new();
    let mut chars = inner.chars().peekable();
    let mut literal = String::new();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    literal.push(match n {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    });
                }
            }
            '$' if chars.peek() == Some(&'{') => {
                chars.next();
                let mut depth = 1;
                for c in chars.by_ref() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                out.push_str(&regex::escape(&std::mem::take(&mut literal)));
                out.push_str(".*");
            }
            c => literal.push(c),
        }
    }
    out.push_str(&regex::escape(&literal));
    out
}

/// A `.each` title (`adds %i items`, `$name works`) as the pattern of its cases' titles:
/// Jest's and Vitest's printf placeholders and `$key` (`$a.b`) interpolation, `%%` a `%`.
fn format_pattern(title: &str) -> String {
    let mut out = String::new();
    let mut literal = String::new();
    let mut chars = title.chars().peekable();
    let flush = |out: &mut String, literal: &mut String| {
        out.push_str(&regex::escape(literal));
        literal.clear();
        if !out.ends_with(".*") {
            out.push_str(".*");
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '%' => match chars.peek() {
                Some('%') => {
                    chars.next();
                    literal.push('%');
                }
                Some('s' | 'd' | 'i' | 'f' | 'j' | 'o' | 'O' | 'p' | '#' | '$' | 'c') => {
                    chars.next();
                    flush(&mut out, &mut literal);
                }
                _ => literal.push('%'),
            },
            '$' if chars.peek().is_some_and(|n| n.is_alphanumeric() || *n == '_' || *n == '#') => {
                while chars.peek().is_some_and(|n| n.is_alphanumeric() || matches!(*n, '_' | '.' | '#')) {
                    chars.next();
                }
                flush(&mut out, &mut literal);
            }
            c => literal.push(c),
        }
    }
    out.push_str(&regex::escape(&literal));
    out
}

/// For each test of a JavaScript file, by name (as in its identity), the parts of its
/// title as a runner reports them. `results` matches computed titles by these.
pub fn title_parts(path: &str, text: &str) -> std::collections::HashMap<String, Vec<Part>> {
    let ts = [".ts", ".mts", ".cts"].iter().any(|e| path.ends_with(e));
    let dialect = if ts { Dialect::TYPESCRIPT } else { Dialect::JAVASCRIPT };
    let lexed = clike::lex(text, &dialect);
    let mut parts = Vec::new();
    let items = items(path, &lexed, &mut parts);
    let names = items.into_iter().filter_map(|i| match i.kind {
        ItemKind::Test { name, .. } => Some(name),
        _ => None,
    });
    names.zip(parts).collect()
}

/// `Deno.test("title", fn)`, `Deno.test("title", options, fn)`, `Deno.test(function
/// title() {…})`, `Deno.test({ name: "title", ignore: c, fn })`, and `Deno.test.ignore` /
/// `.only`. Returns the test and the token to go on from (inside its arguments).
fn deno_test(path: &str, lexed: &Lexed, i: usize, guards: &[Guard]) -> Option<(Item, usize, Part)> {
    let toks = &lexed.tokens;
    if !(toks.get(i + 1)?.is_punct('.') && toks.get(i + 2)?.is("test")) {
        return None;
    }
    let mut j = i + 3;
    let mut skip = None;
    while toks.get(j).is_some_and(|d| d.is_punct('.')) {
        let m = toks.get(j + 1)?;
        match m.text {
            "ignore" => skip = Some(Skip::new(loc(path, lexed, j + 1), "`Deno.test.ignore`")),
            "only" => {}
            _ => return None,
        }
        j += 2;
    }
    let open = j;
    if !toks.get(open)?.is_punct('(') {
        return None;
    }
    let close = lexed.close_of(open);
    let a = args(lexed, open);
    let &(from, to) = a.first()?;
    if from >= to {
        return None;
    }
    let mut conditional = None;
    let mut part = None;
    let (title, title_at) = if let Some(value) = (to - from == 1).then(|| lexed.string_value(from)).flatten() {
        (value, from)
    } else if toks[from].is("function") && toks.get(from + 1).is_some_and(|n| n.kind == TokKind::Ident) {
        (toks[from + 1].text.to_owned(), from + 1)
    } else if toks[from].is_punct('{') {
        let mut title = None;
        for (a0, a1) in args(lexed, from) {
            if a1 <= a0 + 2 || !toks[a0 + 1].is_punct(':') {
                continue;
            }
            if toks[a0].is("name") && a1 == a0 + 3 {
                title = lexed.string_value(a0 + 2).map(|v| (v, a0 + 2));
            } else if toks[a0].is("ignore") {
                let at = loc(path, lexed, a0);
                let what = crate::finding::code(source(lexed, a0, a1));
                match js_cond::truth(lexed, a0 + 2, a1) {
                    Truth::Yes => skip = skip.or(Some(Skip::new(at, format!("{what}, which always holds")))),
                    Truth::No => {}
                    Truth::Unknown => conditional = Some(Skip::new(at, what)),
                }
            }
        }
        title?
    } else {
        part = Some(title_part(lexed, from, to, false));
        (source(lexed, from, to).to_owned(), from)
    };
    let part = part.unwrap_or_else(|| Part::Literal(title.clone()));
    let around = guards.iter().filter(|g| g.from < i && i <= g.to);
    let never = around.clone().find(|g| g.holds == Truth::No).map(|g| {
        let mut s = g.skip.clone();
        s.what = format!("{}, which never holds", s.what);
        s
    });
    let maybe = around.clone().rfind(|g| g.holds == Truth::Unknown).map(|g| g.skip.clone());
    let t = &toks[i];
    let item = Item {
        kind: ItemKind::Test {
            name: title.clone(),
            loc: loc(path, lexed, title_at),
            ignored: skip.or(never),
            conditional_skip: conditional.or(maybe),
            direct_links: Vec::new(),
            span: Some(lexed.span(i, close)),
        },
        start_line: t.line,
        decl_line: t.line,
        end_line: toks[close].end_line,
        scope: Vec::new(),
        what: crate::finding::code(&format!("Deno.test({title:?}, …)")),
    };
    Some((item, open + 1, part))
}

/// The items of a file, and for each test (in order) how its titles, outermost first,
/// show up in a runner's report (see `Part`).
fn items(path: &str, lexed: &Lexed, parts: &mut Vec<Vec<Part>>) -> Vec<Item> {
    let toks = &lexed.tokens;
    let aliases = aliases(path, lexed);
    let mut out = Vec::new();
    let mut blocks: Vec<Block> = Vec::new();
    let mut guards: Vec<Guard> = Vec::new();
    // The closers of the `{` blocks around the current token.
    let mut braces: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        while blocks.last().is_some_and(|b| i > b.close) {
            blocks.pop();
        }
        guards.retain(|g| i <= g.to);
        while braces.last().is_some_and(|&c| i > c) {
            braces.pop();
        }
        let t = &toks[i];
        if t.is_punct('{') && lexed.close_of(i) > i {
            braces.push(lexed.close_of(i));
        }
        let prev_dot = i > 0 && (toks[i - 1].is_punct('.') || toks[i - 1].is("function"));
        if t.is("if") && !prev_dot && toks.get(i + 1).is_some_and(|p| p.is_punct('(')) {
            let close = lexed.close_of(i + 1);
            let holds = js_cond::truth(lexed, i + 2, close);
            let cond = source(lexed, i + 2, close);
            let what = crate::finding::code(&format!("if ({cond})"));
            let at = loc(path, lexed, i);
            let body_end = js_cond::statement_end(lexed, close + 1);
            let returns = toks.get(close + 1).is_some_and(|r| r.is("return"))
                || (toks.get(close + 1).is_some_and(|b| b.is_punct('{'))
                    && toks.get(close + 2).is_some_and(|r| r.is("return")));
            if returns {
                // `if (c) return;`: what follows in the block runs when `c` does not hold.
                if let Some(&block_end) = braces.last() {
                    let skip = Skip::new(at.clone(), format!("{what} return"));
                    guards.push(Guard { from: body_end, to: block_end, holds: !holds, skip });
                }
            } else {
                guards.push(Guard { from: close, to: body_end, holds, skip: Skip::new(at.clone(), what.clone()) });
                if toks.get(body_end + 1).is_some_and(|e| e.is("else")) {
                    let else_end = js_cond::statement_end(lexed, body_end + 2);
                    let skip = Skip::new(at, format!("the `else` of {what}"));
                    guards.push(Guard { from: body_end + 1, to: else_end, holds: !holds, skip });
                }
            }
            i = close + 1;
            continue;
        }
        if t.is("Deno")
            && !prev_dot
            && let Some((item, next, part)) = deno_test(path, lexed, i, &guards)
        {
            parts.push(vec![part]);
            out.push(item);
            i = next;
            continue;
        }
        // `(cond ? describe.skip : describe)('title', …)`: a callee that is an expression.
        let expr_callee = (t.is_punct('(') && !prev_dot)
            .then(|| lexed.close_of(i))
            .filter(|&close| close > i && toks.get(close + 1).is_some_and(|p| p.is_punct('(')))
            .filter(|_| {
                i == 0 || !matches!(toks[i - 1].kind, TokKind::Ident | TokKind::Lit) || toks[i - 1].is("return")
            })
            .and_then(|close| callee_expr(path, lexed, i + 1, close).map(|c| (c, close + 1)));
        let (callee, open) = if let Some(found) = expr_callee {
            found
        } else {
            if t.kind != TokKind::Ident || prev_dot {
                i += 1;
                continue;
            }
            if t.is("function") || t.is("class") {
                if let Some(name) = toks.get(i + 1).filter(|n| n.kind == TokKind::Ident) {
                    let body = (i + 2..toks.len()).take(64).find(|&k| toks[k].is_punct('{'));
                    let end = body.map_or(i + 1, |b| lexed.close_of(b));
                    out.push(Item {
                        kind: ItemKind::Other,
                        start_line: t.line,
                        decl_line: name.line,
                        end_line: toks[end].end_line,
                        scope: Vec::new(),
                        what: format!("{} {}", t.text, name.text),
                    });
                }
                i += 1;
                continue;
            }
            if HOOKS.contains(&t.text) && toks.get(i + 1).is_some_and(|p| p.is_punct('(')) {
                out.push(Item {
                    kind: ItemKind::Other,
                    start_line: t.line,
                    decl_line: t.line,
                    end_line: toks[lexed.close_of(i + 1)].end_line,
                    scope: Vec::new(),
                    what: format!("the `{}` hook", t.text),
                });
                i += 2;
                continue;
            }
            let found = if DESCRIBE.contains(&t.text) || TEST.contains(&t.text) {
                chain(path, lexed, i)
            } else {
                aliases.get(t.text).filter(|_| i == 0 || !toks[i - 1].is_punct('=')).map(|c| (c.clone(), i + 1))
            };
            let Some((callee, j)) = found else {
                i += 1;
                continue;
            };
            let Some(open) = toks.get(j).filter(|p| p.is_punct('(')).map(|_| j) else {
                i += 1;
                continue;
            };
            (callee, open)
        };
        let close = lexed.close_of(open);
        let a = args(lexed, open);
        let has_fn = a.iter().skip(1).any(|&r| is_function(lexed, r));
        // An empty first argument (`it.each()( , fn)`) is no JavaScript, and no title.
        if a.is_empty() || a[0].0 >= a[0].1 || !(has_fn || callee.todo) {
            i += 1;
            continue;
        }
        let (from, to) = a[0];
        let title = if to - from == 1 { lexed.string_value(from) } else { None }
            .unwrap_or_else(|| source(lexed, from, to).to_owned());
        let Callee { is_describe, skip, mut conditional, text: callee_text, each, .. } = callee;
        let part = title_part(lexed, from, to, each);
        let mut skip = skip;
        if !is_describe
            && skip.is_none()
            && let Some(&body) = a.iter().skip(1).find(|&&r| is_function(lexed, r))
        {
            let (own_skip, own_conditional) = skips_itself(path, lexed, body);
            skip = own_skip;
            conditional = conditional.or(own_conditional);
        }
        let around = guards.iter().filter(|g| g.from < i && i <= g.to);
        let never = around.clone().find(|g| g.holds == Truth::No).map(|g| {
            let mut s = g.skip.clone();
            s.what = format!("{}, which never holds", s.what);
            s
        });
        let maybe = around.clone().rfind(|g| g.holds == Truth::Unknown).map(|g| g.skip.clone());
        let skip = skip.or(never).or_else(|| blocks.iter().rev().find_map(|b| b.skip.clone()));
        let conditional = conditional.or(maybe).or_else(|| blocks.iter().rev().find_map(|b| b.conditional.clone()));
        let mut full: Vec<&str> = blocks.iter().map(|b| b.title.as_str()).collect();
        full.push(&title);
        let full = full.join(" > ");
        if !is_describe {
            let mut all: Vec<Part> = blocks.iter().map(|b| b.part.clone()).collect();
            all.push(part.clone());
            parts.push(all);
        }
        let kind = if is_describe {
            ItemKind::Group
        } else {
            ItemKind::Test {
                name: full,
                loc: loc(path, lexed, from),
                ignored: skip.clone(),
                conditional_skip: conditional.clone(),
                direct_links: Vec::new(),
                span: Some(lexed.span(i, close)),
            }
        };
        let what = crate::finding::code(&format!("{callee_text}({title:?}, …)"));
        out.push(Item {
            kind,
            start_line: t.line,
            decl_line: t.line,
            end_line: toks[close].end_line,
            scope: Vec::new(),
            what,
        });
        if is_describe && blocks.len() < MAX_NESTING {
            blocks.push(Block { close, title, part, skip, conditional });
        }
        i = open + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::test_support::{ids, linked};

    fn scan_at(path: &str, src: &str) -> FileScan {
        JavaScript.scan(path, src, &MarkerWords::new(&["incident".to_owned()]))
    }

    fn scan(src: &str) -> FileScan {
        scan_at("src/cart.test.ts", src)
    }

    #[test]
    fn tests_in_describe_blocks_with_markers() {
        let src = "import { describe, it, expect } from 'vitest';\n\n// incident: INC-1\ntest('top level', () => {});\n\ndescribe('cart', () => {\n  /* incident: INC-2 */\n  it(\"adds items\", async () => {\n    expect(1).toBe(1);\n  });\n\n  describe(`totals`, function () {\n    /**\n     * Rounds half up.\n     * incident: INC-3, INC-4\n     */\n    it('rounds', (done) => done());\n  });\n});\n";
        let s = scan(src);
        assert_eq!(
            linked(&s),
            [
                ("src/cart.test.ts::top level".to_owned(), 4, vec!["INC-1@3:14".to_owned()]),
                ("src/cart.test.ts::cart > adds items".to_owned(), 8, vec!["INC-2@7:16".to_owned()]),
                (
                    "src/cart.test.ts::cart > totals > rounds".to_owned(),
                    17,
                    vec!["INC-3@15:18".to_owned(), "INC-4@15:25".to_owned()]
                ),
            ]
        );
        assert_eq!((s.tests[1].loc.column, s.tests[1].loc.len), (6, 12));
        assert!(s.stray.is_empty());
    }

    #[test]
    fn marker_above_describe_links_every_test_in_it() {
        let src = "// incident: D-1\ndescribe('checkout', () => {\n  it('a', () => {});\n  test.each([[1], [2]])('b %i', (x) => {});\n  describe.each`\n    a\n    ${1}\n  `('c $a', ({ a }) => { it('d', () => {}) });\n});\n// incident: D-2\ndescribe('empty', () => {});\n";
        let s = scan(src);
        assert_eq!(
            linked(&s),
            [
                ("src/cart.test.ts::checkout > a".to_owned(), 3, vec!["D-1@1:14".to_owned()]),
                ("src/cart.test.ts::checkout > b %i".to_owned(), 4, vec!["D-1@1:14".to_owned()]),
                ("src/cart.test.ts::checkout > c $a > d".to_owned(), 8, vec!["D-1@1:14".to_owned()]),
            ]
        );
        assert_eq!(
            s.stray.iter().map(|m| m.target.as_str()).collect::<Vec<_>>(),
            ["`describe(\"empty\", …)`, which has no tests"]
        );
    }

    #[test]
    fn skips_and_conditional_skips() {
        let src = "it.skip('a', () => {});\nxit('b', () => {});\ntest.todo('c');\ndescribe.skip('d', () => {\n  it('e', () => {});\n});\ntest.skipIf(isWindows)('f', () => {});\nit.only('g', () => {});\ntest.fixme('h', async ({ page }) => {});\n";
        let s = scan(src);
        type Skips<'a> = (&'a str, Option<(usize, usize)>, Option<usize>);
        let got: Vec<Skips> = s
            .tests
            .iter()
            .map(|t| {
                (
                    t.name.as_str(),
                    t.ignored.as_ref().map(|s| &s.loc).map(|l| (l.line, l.column)),
                    t.conditional_skip.as_ref().map(|s| &s.loc).map(|l| l.line),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("a", Some((1, 4)), None),
                ("b", Some((2, 1)), None),
                ("c", Some((3, 6)), None),
                ("d > e", Some((4, 10)), None),
                ("f", None, Some(7)),
                ("g", None, None),
                ("h", Some((9, 6)), None),
            ]
        );
    }

    /// `(name, ignored at line:col with what, conditional at line with what)` of each test.
    fn decided(s: &FileScan) -> Vec<(String, Option<String>, Option<String>)> {
        let show = |k: &Option<Skip>| k.as_ref().map(|k| format!("{}@{}:{}", k.what, k.loc.line, k.loc.column));
        s.tests.iter().map(|t| (t.name.clone(), show(&t.ignored), show(&t.conditional_skip))).collect()
    }

    // incident: IG-2026-013
    #[test]
    fn skips_the_source_decides_were_conditional_or_missed() {
        let src = "it.skipIf(true)('a', () => {});\ntest.runIf(false)('b', () => {});\nit.skipIf(false)('c', () => {});\ntest.runIf(!0)('d', () => {});\nit.skipIf(isWindows)('e', () => {});\nit('f', function () {\n  this.skip();\n});\nit('g', () => { this.skip(); });\nit('h', async function () {\n  if (!process.env.DB) this.skip();\n});\nit('i', function () { if (false) { return this.skip(); } });\n";
        let got = decided(&scan(src));
        let s = |x: &str| Some(x.to_owned());
        assert_eq!(
            got,
            [
                ("a".into(), s("`it.skipIf(true)`, whose condition always holds@1:4"), None),
                ("b".into(), s("`test.runIf(false)`, whose condition never holds@2:6"), None),
                ("c".into(), None, None),
                ("d".into(), None, None),
                ("e".into(), None, s("`it.skipIf(isWindows)`@5:4")),
                ("f".into(), s("`this.skip()`@7:8"), None),
                ("g".into(), None, None),
                ("h".into(), None, s("`if (!process.env.DB) this.skip()`@11:29")),
                ("i".into(), None, None),
            ]
        );
    }

    // incident: IG-2026-013
    #[test]
    fn tests_under_an_if_were_taken_to_run_always() {
        let src = "if (process.platform !== 'win32') {\n  it('a', () => {});\n} else {\n  it('b', () => {});\n}\nif (false) it('c', () => {})\nit('d', () => {});\nif (false) {\n  describe('e', () => { it('f', () => {}); });\n} else it('g', () => {});\ndescribe('h', () => {\n  it('i', () => {});\n  if (!hasDb) return;\n  it('j', () => {});\n});\nit('k', () => {});\nif (true) { it('l', () => {}); }\n";
        let got = decided(&scan(src));
        let s = |x: &str| Some(x.to_owned());
        assert_eq!(
            got,
            [
                ("a".into(), None, s("`if (process.platform !== 'win32')`@1:1")),
                ("b".into(), None, s("the `else` of `if (process.platform !== 'win32')`@1:1")),
                ("c".into(), s("`if (false)`, which never holds@6:1"), None),
                ("d".into(), None, None),
                ("e > f".into(), s("`if (false)`, which never holds@8:1"), None),
                ("g".into(), None, None),
                ("h > i".into(), None, None),
                ("h > j".into(), None, s("`if (!hasDb)` return@13:3")),
                ("k".into(), None, None),
                ("l".into(), None, None),
            ]
        );
    }

    // incident: IG-2026-013
    #[test]
    fn callees_that_are_expressions_were_no_tests() {
        let src = "(isCI ? describe.skip : describe)('slow', () => {\n  it('a', () => {});\n});\n(true ? describe.skip : describe)('b', () => { it('c', () => {}) });\nconst itUnix = process.platform === 'win32' ? it.skip : it;\nitUnix('d', () => {});\nconst describeWin = describe.runIf(false);\ndescribeWin('e', () => { it('f', () => {}) });\n(cond ? it.only : it)('g', () => {});\n";
        let s = scan(src);
        assert_eq!(
            ids(&s),
            [
                "src/cart.test.ts::slow > a",
                "src/cart.test.ts::b > c",
                "src/cart.test.ts::d",
                "src/cart.test.ts::e > f",
                "src/cart.test.ts::g"
            ]
        );
        let o = |x: &str| Some(x.to_owned());
        assert_eq!(
            decided(&s),
            [
                ("slow > a".into(), None, o("`isCI ? describe.skip : describe`@1:2")),
                ("b > c".into(), o("`describe.skip`@4:18"), None),
                ("d".into(), None, o("`process.platform === 'win32' ? it.skip : it`@5:16")),
                ("e > f".into(), o("`describe.runIf(false)`, whose condition never holds@7:30"), None),
                ("g".into(), None, None),
            ]
        );
    }

    // incident: IG-2026-013
    #[test]
    fn computed_titles_are_patterns() {
        let src = "describe(`${name} cart`, () => {\n  it('should include ' + method + \"!\", () => {});\n  it.each([1])('rounds %i to $to %%', () => {});\n  it(title, () => {});\n  it('plain %s', () => {});\n});\n";
        let parts = title_parts("a.test.js", src);
        let p = |s: &str| Part::Pattern(s.to_owned());
        let l = |s: &str| Part::Literal(s.to_owned());
        let cart = p(".* cart");
        assert_eq!(
            parts["`${name} cart` > 'should include ' + method + \"!\""],
            [cart.clone(), p("should include .*!")]
        );
        assert_eq!(parts["`${name} cart` > rounds %i to $to %%"], [cart.clone(), p("rounds .* to .* %")]);
        assert_eq!(parts["`${name} cart` > title"], [cart.clone(), p(".*")]);
        assert_eq!(parts["`${name} cart` > plain %s"], [cart, l("plain %s")]);
    }

    #[test]
    fn playwright_and_node_forms() {
        let src = "test.describe('login', () => {\n  test.beforeEach(async ({ page }) => {});\n  test('works', { tag: '@fast' }, async ({ page }) => {\n    await test.step('step one', async () => {});\n    test.skip(browserName === 'webkit', 'no');\n  });\n});\nimport { test as nodeTest } from 'node:test';\nsuite('s', () => { test('t', (t) => {}) });\n";
        assert_eq!(ids(&scan(src)), ["src/cart.test.ts::login > works", "src/cart.test.ts::s > t"]);
    }

    #[test]
    fn computed_titles_keep_their_source_text() {
        let src = "describe(Cart.name, () => {\n  it(`adds ${n} items`, () => {});\n  it('a' + 'b', () => {});\n});\n";
        assert_eq!(
            ids(&scan(src)),
            ["src/cart.test.ts::Cart.name > `adds ${n} items`", "src/cart.test.ts::Cart.name > 'a' + 'b'"]
        );
    }

    #[test]
    fn commented_out_tests_strings_regex_and_jsx_hide_nothing_and_fake_nothing() {
        let src = "// // incident: X-1\n// it('old', () => {});\n/*\nit('older', () => {});\n*/\nconst s = \"// incident: X-2\";\nconst r = /\\/\\/ incident: X-3/;\nconst t = `\n// incident: X-4\nit('in template', () => {})\n`;\nit('renders', () => {\n  render(<p>Don't // incident: X-5</p>);\n});\n";
        let s = scan_at("src/cart.test.jsx", src);
        assert_eq!(ids(&s), ["src/cart.test.jsx::renders"]);
        assert!(!s.has_markers && s.stray.is_empty());
    }

    #[test]
    fn non_tests_and_non_test_files_are_stray() {
        let src = "// incident: S-1\nfunction helper() {}\n// incident: S-2\nbeforeEach(() => {});\n// incident: S-3\nconst x = 1;\nit('t', () => {\n  // incident: S-4\n});\n";
        let s = scan(src);
        let stray: Vec<(usize, &str)> = s.stray.iter().map(|m| (m.loc.line, m.target.as_str())).collect();
        assert_eq!(stray, [(1, "function helper"), (3, "the `beforeEach` hook"), (5, ""), (8, "")]);
        // Which files are tests is the runner's to say (`reach::js`): a test call is a
        // test wherever it stands.
        let outside = scan_at("spec/cart.js", "// incident: S-1\nit('t', () => {});\n");
        assert_eq!(linked(&outside), [("spec/cart.js::t".to_owned(), 2, vec!["S-1@1:14".to_owned()])]);
    }

    #[test]
    fn deno_tests() {
        let src = "// incident: D-1\nDeno.test(\"adds\", () => {});\nDeno.test({\n  name: \"opts\",\n  ignore: Deno.build.os === \"windows\",\n  fn() {},\n});\nDeno.test.ignore(\"off\", () => {});\nDeno.test(function named() {});\nDeno.test({ name: \"never\", ignore: true, fn: () => {} });\nDeno.test(\"perm\", { permissions: { read: true } }, async (t) => {\n  await t.step(\"inner\", () => {});\n});\n";
        let s = scan_at("tests/math_test.ts", src);
        assert_eq!(
            decided(&s),
            [
                ("adds".into(), None, None),
                ("opts".into(), None, Some("`ignore: Deno.build.os === \"windows\"`@5:3".to_owned())),
                ("off".into(), Some("`Deno.test.ignore`@8:11".to_owned()), None),
                ("named".into(), None, None),
                ("never".into(), Some("`ignore: true`, which always holds@10:28".to_owned()), None),
                ("perm".into(), None, None),
            ]
        );
        assert_eq!(linked(&s)[0].2, ["D-1@1:14"]);
    }

    #[test]
    fn test_file_conventions() {
        for yes in [
            "a.test.js",
            "a.spec.tsx",
            "x/__tests__/a.js",
            "test/a.mjs",
            "tests/a.cjs",
            "a-test.js",
            "a_test.ts",
            "test-a.js",
            "test.js",
        ] {
            assert!(is_test_file(yes), "{yes}");
        }
        for no in ["a.js", "src/testing.ts", "contest.js", "latest.js"] {
            assert!(!is_test_file(no), "{no}");
        }
        assert!(JavaScript.handles("a.mts") && !JavaScript.handles("a.json"));
    }

    #[test]
    fn an_empty_first_argument_panicked_the_scanner() {
        // Found by the fuzzer: the title of `it.each()( , fn)` was sliced backwards, and
        // the panic stopped the whole run.
        let s = scan("// incident: J-1\nit.each()( ,()=>{})\nit('kept', () => {})\n");
        assert_eq!(ids(&s), ["src/cart.test.ts::kept"]);
        assert_eq!(s.stray.len(), 1);
    }

    #[test]
    fn garbage_never_panics() {
        let src = "describe.each`a\n${1}`('x', () => {\n  it.skip(`y${z}`, async () => <div a=\"'\">{`${'}'}`}</div>);\n  test.each([[1]])('z', () => {});\n});\n";
        for cut in 0..=src.len() {
            let _ = scan_at("a.test.tsx", &src[..cut]);
            let _ = scan_at("a.test.ts", &src[..cut]);
        }
        for junk in
            ["it", "it(", "it.", "it.each(", "describe('a', () => {", "xit('", "test.each``(", "function", ")(){"]
        {
            let _ = scan(junk);
        }
    }
}
