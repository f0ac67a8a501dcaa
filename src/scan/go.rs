//! Go tests: `func TestXxx(t *testing.T)` in a `_test.go` file (`Xxx` not starting with a
//! lower-case letter, as `go test` requires), with `// incident: ID` on the lines
//! directly above. Identity: `path/x_test.go::TestXxx`; subtests (`t.Run`) are part of
//! their test, not identities of their own. Skipped: `t.Skip(…)`, `t.Skipf(…)` or
//! `t.SkipNow()` as the body's first statement; the same inside an `if` that is the first
//! statement is a skip when the condition is a constant that holds (`if true`,
//! `if 1 == 1`), none when it never does (`if false`), and conditional otherwise. A file's
//! build constraints (`//go:build ignore`, `//go:build linux`, `_windows_test.go`) apply to
//! every test in it (`go_build`). A marker on any other `func` (a helper, a benchmark,
//! `TestMain`, a method, or a `TestXxx` outside a `_test.go` file) is a stray marker.
//!
//! Read with the shared C-like lexer (`clike`): Go's comments, strings, raw strings and
//! runes are all it needs, and top-level `func` declarations are found by brackets.
//! tree-sitter-go would add 0.3 s to a `-j1` debug build (measured) plus tree-sitter
//! itself (1.4 s) and its parse tables (see `clike`); it was not needed for accuracy. On
//! the package in `scripts/accuracy/go/` (tests, `Test`, `Test_x`, non-ASCII names,
//! subtests, skips, `TestMain`, benchmarks, fuzz targets, examples, methods, a
//! lower-case `Testx`, tests in raw strings and comments, a look-alike outside
//! `_test.go`), `go test -list .` (Go 1.19) lists 7 tests and the scanner finds the
//! same 7, nothing more; on 15 packages of Go's standard library it lists 1,614 tests
//! and the scanner finds all of them, plus 33 in files whose build constraints exclude
//! them on Linux (`tests/accuracy.rs`, run by `scripts/accuracy/run.sh`).

use super::clike::{self, Dialect, Lexed, TokKind};
use super::go_build::FileConstraint;
use super::markers::MarkerWords;
use super::{FileScan, Item, ItemKind, Language, Skip, Truth};
use crate::finding::Location;

pub struct Go;

impl Language for Go {
    fn name(&self) -> &'static str {
        "go"
    }

    fn handles(&self, path: &str) -> bool {
        path.ends_with(".go")
    }

    fn is_test_file(&self, path: &str) -> bool {
        path.ends_with("_test.go")
    }

    fn scan(&self, path: &str, text: &str, words: &MarkerWords) -> FileScan {
        let lexed = clike::lex(text, &Dialect::GO);
        let constraint = super::go_build::constraints(path, text);
        let items = items(path, &lexed, &constraint);
        super::attach(path, text, &lexed.comments, &items, words)
    }

    fn skip_form(&self) -> &'static str {
        "`t.Skip(…)`"
    }

    fn marker_help(&self) -> &'static str {
        "put `// incident: ID` on the lines directly above a `func TestXxx(t *testing.T)` in a `_test.go` file (no blank line between)"
    }
}

fn loc(path: &str, lexed: &Lexed, i: usize, len: usize) -> Location {
    let t = &lexed.tokens[i];
    Location { path: path.to_owned(), line: t.line, column: lexed.col(t.start), len }
}

/// Whether `name` is a name `go test` runs as a test: `Test`, or `Test` followed by a
/// character that is not a lower-case letter.
fn is_test_name(name: &str) -> bool {
    name.strip_prefix("Test").is_some_and(|rest| !rest.starts_with(|c: char| c.is_lowercase()))
}

fn items(path: &str, lexed: &Lexed, constraint: &FileConstraint) -> Vec<Item> {
    let toks = &lexed.tokens;
    let test_file = path.ends_with("_test.go");
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        if t.kind == TokKind::Punct && matches!(t.text, "(" | "[" | "{") {
            i = lexed.close_of(i).max(i) + 1;
            continue;
        }
        if t.is("type") || t.is("var") || t.is("const") {
            let name = toks.get(i + 1).filter(|n| n.kind == TokKind::Ident).map_or("(…)", |n| n.text);
            // The declaration runs to the end of its line, or of a bracket group opened on it.
            let mut end = i;
            let mut k = i + 1;
            while k < toks.len() && toks[k].line == t.line {
                end = k;
                if toks[k].kind == TokKind::Punct && matches!(toks[k].text, "(" | "[" | "{") {
                    end = lexed.close_of(k).max(k);
                    k = end;
                }
                k += 1;
            }
            out.push(Item {
                kind: ItemKind::Other,
                start_line: t.line,
                decl_line: t.line,
                end_line: toks[end].end_line,
                scope: Vec::new(),
                what: format!("{} {name}", t.text),
            });
            i = end + 1;
            continue;
        }
        if !t.is("func") {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        let method = toks.get(j).is_some_and(|r| r.is_punct('('));
        if method {
            j = lexed.close_of(j) + 1;
        }
        let Some(name_tok) = toks.get(j).filter(|n| n.kind == TokKind::Ident) else {
            i += 1;
            continue;
        };
        let name = name_tok.text;
        let generic = toks.get(j + 1).is_some_and(|b| b.is_punct('['));
        let params_open = if generic { lexed.close_of(j + 1) + 1 } else { j + 1 };
        let params_close = if toks.get(params_open).is_some_and(|p| p.is_punct('(')) {
            lexed.close_of(params_open)
        } else {
            params_open
        };
        // The body: the first `{` after the parameters (results may be parenthesized).
        let mut k = params_close + 1;
        let mut body = None;
        while k < toks.len() {
            let tk = &toks[k];
            if tk.is_punct('{') {
                body = Some(k);
                break;
            }
            if tk.is("func") || tk.is("type") || tk.is("var") || tk.is("const") {
                break;
            }
            k = if tk.kind == TokKind::Punct && matches!(tk.text, "(" | "[") { lexed.close_of(k) + 1 } else { k + 1 };
        }
        let end = body.map_or(params_close.min(toks.len() - 1), |b| lexed.close_of(b));
        let t_param = (!method && !generic).then(|| testing_t_param(lexed, params_open + 1, params_close)).flatten();
        let kind = match t_param {
            Some(param) if test_file && is_test_name(name) => {
                let (ignored, conditional_skip) = body.map_or((None, None), |b| skips(path, lexed, b, param));
                let loc = loc(path, lexed, j, name.chars().count());
                // The file's own constraints come first: a file never built has no test
                // whose skip matters.
                let file_name = constraint.file_name.as_ref().map(|what| Skip::new(loc.clone(), what.clone()));
                ItemKind::Test {
                    name: name.to_owned(),
                    ignored: constraint.never.clone().or(ignored),
                    conditional_skip: constraint.only.clone().or(file_name).or(conditional_skip),
                    loc,
                    direct_links: Vec::new(),
                    span: Some(lexed.span(i, end)),
                }
            }
            _ => ItemKind::Other,
        };
        let what = match (&kind, method) {
            (_, true) => format!("method {name}"),
            (ItemKind::Other, false) if is_test_name(name) && !test_file => {
                format!("func {name} (not in a `_test.go` file)")
            }
            _ => format!("func {name}"),
        };
        out.push(Item {
            kind,
            start_line: t.line,
            decl_line: name_tok.line,
            end_line: toks[end].end_line,
            scope: Vec::new(),
            what,
        });
        i = end + 1;
    }
    out
}

/// The parameter list `t *testing.T` (or `*testing.T`) between token indexes `from` and
/// `to` (exclusive): returns the parameter's name (`""` when unnamed).
fn testing_t_param<'a>(lexed: &Lexed<'a>, from: usize, to: usize) -> Option<&'a str> {
    let toks = lexed.tokens.get(from..to)?;
    let texts: Vec<&str> = toks.iter().map(|t| t.text).collect();
    match texts.as_slice() {
        [name, "*", _pkg, ".", "T"] if toks[0].kind == TokKind::Ident => Some(name),
        ["*", _pkg, ".", "T"] => Some(""),
        _ => None,
    }
}

/// `t.Skip…(` as the first statement of the body at `open` (the test never runs), or
/// inside an `if` that is: never runs when the condition always holds (`if true`,
/// `if 1 == 1`), runs when it never does (`if false`), else runs only sometimes.
fn skips(path: &str, lexed: &Lexed, open: usize, param: &str) -> (Option<Skip>, Option<Skip>) {
    let toks = &lexed.tokens;
    let skip_call = |at: usize| -> Option<Location> {
        let [p, dot, skip, paren] = toks.get(at..at + 4)? else { return None };
        (!param.is_empty()
            && p.is(param)
            && dot.is_punct('.')
            && matches!(skip.text, "Skip" | "Skipf" | "SkipNow")
            && paren.is_punct('('))
        .then(|| loc(path, lexed, at, param.chars().count() + 1 + skip.text.len()))
    };
    if let Some(l) = skip_call(open + 1) {
        return (Some(Skip::quoted(lexed.src, l)), None);
    }
    if toks.get(open + 1).is_some_and(|t| t.is("if")) {
        let close = lexed.close_of(open);
        let block = (open + 2..close).find(|&k| toks[k].is_punct('{'));
        if let Some((b, l)) = block.and_then(|b| skip_call(b + 1).map(|l| (b, l))) {
            let skip = Skip::quoted(lexed.src, l.clone());
            let condition = &toks[open + 2..b];
            return match condition_truth(condition) {
                Truth::Yes => {
                    let (first, last) = (&condition[0], &condition[condition.len() - 1]);
                    let text = &lexed.src[first.start..last.start + last.text.len()];
                    (Some(Skip::new(l, format!("{} under `if {text}`, which always holds", skip.what))), None)
                }
                Truth::No => (None, None),
                Truth::Unknown => (None, Some(skip)),
            };
        }
    }
    (None, None)
}

/// The truth of an `if` condition made only of constants: `true`, `false`, integers, `!`,
/// `==`, `!=`, `&&`, `||` and parentheses. Anything else (a call, a variable, an init
/// statement) is undecided. `true` and `false` could be shadowed; no test file does that
/// by accident.
fn condition_truth(toks: &[clike::Token]) -> Truth {
    #[derive(Clone, Copy, PartialEq)]
    enum Value {
        Bool(Truth),
        Int(i128),
    }
    struct P<'t, 'a> {
        toks: &'t [clike::Token<'a>],
        pos: usize,
        depth: usize,
    }
    impl P<'_, '_> {
        /// A two-character operator made of adjacent tokens (`==`, `&&`): the lexer
        /// gives one token per punctuation character.
        fn op(&mut self, op: &str) -> bool {
            let [a, b] = op.as_bytes() else { return false };
            let hit = match self.toks.get(self.pos..self.pos + 2) {
                Some([x, y]) => x.is_punct(char::from(*a)) && y.is_punct(char::from(*b)) && y.start == x.start + 1,
                _ => false,
            };
            if hit {
                self.pos += 2;
            }
            hit
        }
        fn truth(v: Option<Value>) -> Option<Truth> {
            match v? {
                Value::Bool(t) => Some(t),
                Value::Int(_) => None,
            }
        }
        fn or(&mut self) -> Option<Value> {
            let mut v = self.and()?;
            while self.op("||") {
                let r = self.and()?;
                v = Value::Bool(Self::truth(Some(v))?.or(Self::truth(Some(r))?));
            }
            Some(v)
        }
        fn and(&mut self) -> Option<Value> {
            let mut v = self.cmp()?;
            while self.op("&&") {
                let r = self.cmp()?;
                v = Value::Bool(Self::truth(Some(v))?.and(Self::truth(Some(r))?));
            }
            Some(v)
        }
        fn cmp(&mut self) -> Option<Value> {
            let l = self.unary()?;
            let eq = if self.op("==") {
                true
            } else if self.op("!=") {
                false
            } else {
                return Some(l);
            };
            let r = self.unary()?;
            let same = match (l, r) {
                (Value::Int(a), Value::Int(b)) => {
                    if a == b {
                        Truth::Yes
                    } else {
                        Truth::No
                    }
                }
                (Value::Bool(a), Value::Bool(b)) if a != Truth::Unknown && b != Truth::Unknown => {
                    if a == b {
                        Truth::Yes
                    } else {
                        Truth::No
                    }
                }
                _ => Truth::Unknown,
            };
            Some(Value::Bool(if eq { same } else { !same }))
        }
        fn unary(&mut self) -> Option<Value> {
            self.depth += 1;
            if self.depth > 100 {
                return None;
            }
            let t = self.toks.get(self.pos)?;
            self.pos += 1;
            let v = if t.is_punct('!') {
                Value::Bool(!Self::truth(self.unary())?)
            } else if t.is_punct('(') {
                let v = self.or()?;
                self.toks.get(self.pos).filter(|c| c.is_punct(')'))?;
                self.pos += 1;
                v
            } else if t.is("true") {
                Value::Bool(Truth::Yes)
            } else if t.is("false") {
                Value::Bool(Truth::No)
            } else if t.kind == TokKind::Num {
                Value::Int(t.text.replace('_', "").parse().ok()?)
            } else {
                return None;
            };
            self.depth -= 1;
            Some(v)
        }
    }
    let mut p = P { toks, pos: 0, depth: 0 };
    match p.or() {
        Some(Value::Bool(t)) if p.pos == toks.len() => t,
        _ => Truth::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::test_support::linked;

    fn scan(path: &str, src: &str) -> FileScan {
        Go.scan(path, src, &MarkerWords::new(&["incident".to_owned()]))
    }

    #[test]
    fn tests_markers_and_identities() {
        let src = "package pool\n\nimport (\n\t\"testing\"\n)\n\n// incident: INC-1\nfunc TestReconnect(t *testing.T) {\n\tt.Run(\"sub\", func(t *testing.T) {})\n}\n\n// Checks the thing.\n// incident: INC-2, INC-3\nfunc Test(t *testing.T) {}\n\nfunc TestÉtat(t *testing.T) {}\n";
        let s = scan("pool/pool_test.go", src);
        assert_eq!(
            linked(&s),
            [
                ("pool/pool_test.go::TestReconnect".to_owned(), 8, vec!["INC-1@7:14".to_owned()]),
                ("pool/pool_test.go::Test".to_owned(), 14, vec!["INC-2@13:14".to_owned(), "INC-3@13:21".to_owned()]),
                ("pool/pool_test.go::TestÉtat".to_owned(), 16, vec![]),
            ]
        );
        assert!(s.stray.is_empty() && s.bad_markers.is_empty());
        assert_eq!(s.tests[0].loc.column, 6);
    }

    #[test]
    fn non_tests_are_stray() {
        let src = "package p\n// incident: A-1\nfunc Testlower(t *testing.T) {}\n// incident: A-2\nfunc BenchmarkX(b *testing.B) {}\n// incident: A-3\nfunc TestMain(m *testing.M) {}\n// incident: A-4\nfunc (s *S) TestMethod(t *testing.T) {}\n// incident: A-5\ntype S struct {\n\tx int\n}\nfunc helper() {\n\t// incident: A-6\n}\n";
        let s = scan("p_test.go", src);
        assert!(s.tests.is_empty());
        let stray: Vec<(usize, &str)> = s.stray.iter().map(|m| (m.loc.line, m.target.as_str())).collect();
        assert_eq!(
            stray,
            [
                (2, "func Testlower"),
                (4, "func BenchmarkX"),
                (6, "func TestMain"),
                (8, "method TestMethod"),
                (10, "type S"),
                (15, "")
            ]
        );
        let outside = scan("p.go", "package p\n// incident: A-1\nfunc TestX(t *testing.T) {}\n");
        assert_eq!(outside.stray[0].target, "func TestX (not in a `_test.go` file)");
    }

    #[test]
    fn skips_first_statement_only() {
        let src = "package p\nfunc TestA(t *testing.T) {\n\tt.Skip(\"flaky\")\n}\nfunc TestB(tt *testing.T) {\n\tif testing.Short() {\n\t\ttt.Skipf(\"short\")\n\t}\n}\nfunc TestC(t *testing.T) {\n\tx := 1\n\tt.Skip()\n}\n";
        let s = scan("p_test.go", src);
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
        assert_eq!(got, [(Some((3, 2, 6)), None), (None, Some(7)), (None, None)]);
    }

    /// `(name, what never runs it, what it runs only under)` of every test.
    fn skips(s: &FileScan) -> Vec<(&str, Option<String>, Option<String>)> {
        s.tests
            .iter()
            .map(|t| {
                (
                    t.name.as_str(),
                    t.ignored.as_ref().map(|k| format!("{}@{}:{}", k.what, k.loc.line, k.loc.column)),
                    t.conditional_skip.as_ref().map(|k| format!("{}@{}:{}", k.what, k.loc.line, k.loc.column)),
                )
            })
            .collect()
    }

    #[test]
    fn if_true_skip_was_only_conditional() {
        let src = "package p\nfunc TestTrue(t *testing.T) {\n\tif true {\n\t\tt.Skip()\n\t}\n}\nfunc TestOne(t *testing.T) {\n\tif 1 == 1 {\n\t\tt.SkipNow()\n\t}\n}\nfunc TestNotFalse(t *testing.T) {\n\tif !false && (2 != 3) {\n\t\tt.Skipf(\"x\")\n\t}\n}\nfunc TestFalse(t *testing.T) {\n\tif false {\n\t\tt.Skip()\n\t}\n}\nfunc TestShort(t *testing.T) {\n\tif testing.Short() {\n\t\tt.Skip()\n\t}\n}\nfunc TestInit(t *testing.T) {\n\tif x := 1; x == 1 {\n\t\tt.Skip()\n\t}\n}\nfunc TestAssign(t *testing.T) {\n\tif true = 1 {\n\t\tt.Skip()\n\t}\n}\n";
        let s = scan("p_test.go", src);
        let s_ = |v: &str| Some(v.to_owned());
        assert_eq!(
            skips(&s),
            [
                ("TestTrue", s_("`t.Skip` under `if true`, which always holds@4:3"), None),
                ("TestOne", s_("`t.SkipNow` under `if 1 == 1`, which always holds@9:3"), None),
                ("TestNotFalse", s_("`t.Skipf` under `if !false && (2 != 3)`, which always holds@14:3"), None),
                ("TestFalse", None, None),
                ("TestShort", None, s_("`t.Skip`@24:3")),
                ("TestInit", None, s_("`t.Skip`@29:3")),
                ("TestAssign", None, s_("`t.Skip`@34:3")),
            ]
        );
    }

    #[test]
    fn build_ignore_and_file_name_constraints_were_not_seen() {
        let src = "//go:build ignore\n\npackage p\n\n// incident: INC-1\nfunc TestA(t *testing.T) {}\n\nfunc TestB(t *testing.T) {\n\tif testing.Short() {\n\t\tt.Skip()\n\t}\n}\n";
        let s = scan("p/p_test.go", src);
        let never = Some("`//go:build ignore`: the go tool never builds this file@1:1".to_owned());
        assert_eq!(skips(&s), [("TestA", never.clone(), None), ("TestB", never, Some("`t.Skip`@10:3".to_owned()))]);
        assert_eq!(s.tests[0].links.len(), 1);

        let s = scan("p/p_test.go", &src.replace("ignore", "linux && !race"));
        let only = Some("`//go:build linux && !race`@1:1".to_owned());
        assert_eq!(skips(&s), [("TestA", None, only.clone()), ("TestB", None, only)]);

        let s = scan("p/pool_windows_test.go", &src.replace("//go:build ignore\n", ""));
        let windows = "`_windows` in the file name: the go tool builds it only for GOOS=windows";
        assert_eq!(
            skips(&s),
            [("TestA", None, Some(format!("{windows}@5:6"))), ("TestB", None, Some(format!("{windows}@7:6")))]
        );
        let s = scan("p/windows_test.go", &src.replace("//go:build ignore\n", ""));
        assert_eq!(skips(&s)[0], ("TestA", None, None));
    }

    #[test]
    fn commented_out_tests_and_markers_in_strings_are_nothing() {
        let src = "package p\n/*\n// incident: X-1\nfunc TestOld(t *testing.T) {}\n*/\nvar s = `\n// incident: X-2\n`\nfunc TestNew(t *testing.T) { _ = \"// incident: X-3\" }\n";
        let s = scan("p_test.go", src);
        assert_eq!(s.tests.len(), 1);
        assert!(s.tests[0].links.is_empty());
        // `// incident:` inside a block comment is not a marker: the comment's text is `// …`.
        assert!(s.stray.is_empty() && !s.has_markers);
    }

    #[test]
    fn garbage_never_panics() {
        let src = "package p\n// incident: A-1\nfunc TestA(t *testing.T) {\n\tt.Skip(\"x\")\n}\nfunc (r *R) M() {}\ntype T struct{}\n";
        for cut in 0..=src.len() {
            let _ = scan("p_test.go", &src[..cut]);
        }
        for junk in [
            "func",
            "func (",
            "func TestA(",
            "func TestA(t *testing.T",
            "func TestA[",
            "type",
            "}}}{{{",
            "//go:build",
            "//go:build !",
            "// +build ,",
            "/*\n//go:build ignore",
            "func TestA(t *testing.T) { if (((",
            "func TestA(t *testing.T) { if !! {t.Skip()",
            "func TestA(t *testing.T) { if 99999999999999999999999999999999999999999 == 1 { t.Skip() } }",
        ] {
            let _ = scan("p_test.go", junk);
        }
    }
}
