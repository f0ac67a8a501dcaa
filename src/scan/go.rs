//! Go tests: `func TestXxx(t *testing.T)` in a `_test.go` file (`Xxx` not starting with a
//! lower-case letter, as `go test` requires), with `// incident: ID` on the lines
//! directly above. Identity: `path/x_test.go::TestXxx`; subtests (`t.Run`) are part of
//! their test, not identities of their own. Skipped: `t.Skip(…)`, `t.Skipf(…)` or
//! `t.SkipNow()` as the body's first statement; the same inside an `if` that is the first
//! statement is a conditional skip. A marker on any other `func` (a helper, a benchmark,
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
use super::markers::MarkerWords;
use super::{FileScan, Item, ItemKind, Language, Skip};
use crate::finding::Location;

pub struct Go;

impl Language for Go {
    fn name(&self) -> &'static str {
        "go"
    }

    fn handles(&self, path: &str) -> bool {
        path.ends_with(".go")
    }

    fn scan(&self, path: &str, text: &str, words: &MarkerWords) -> FileScan {
        let lexed = clike::lex(text, &Dialect::GO);
        let items = items(path, &lexed);
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

fn items(path: &str, lexed: &Lexed) -> Vec<Item> {
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
                ItemKind::Test {
                    name: name.to_owned(),
                    loc: loc(path, lexed, j, name.chars().count()),
                    ignored: ignored.map(|l| Skip::quoted(lexed.src, l)),
                    conditional_skip: conditional_skip.map(|l| Skip::quoted(lexed.src, l)),
                    direct_links: Vec::new(),
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

/// `t.Skip…(` as the first statement of the body at `open`, or inside an `if` that is.
fn skips(path: &str, lexed: &Lexed, open: usize, param: &str) -> (Option<Location>, Option<Location>) {
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
        return (Some(l), None);
    }
    if toks.get(open + 1).is_some_and(|t| t.is("if")) {
        let close = lexed.close_of(open);
        let block = (open + 2..close).find(|&k| toks[k].is_punct('{'));
        if let Some(l) = block.and_then(|b| skip_call(b + 1)) {
            return (None, Some(l));
        }
    }
    (None, None)
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
        for junk in ["func", "func (", "func TestA(", "func TestA(t *testing.T", "func TestA[", "type", "}}}{{{"] {
            let _ = scan("p_test.go", junk);
        }
    }
}
