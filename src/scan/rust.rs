//! Rust tests, read with `syn`. A test is a `fn` with an attribute whose last path
//! segment is `test` (`#[test]`, `#[tokio::test]`, …) or one of the test-framework
//! attributes below, including the fns inside `proptest! { … }` whose tokens parse.
//! Comments come from `rust_lex`, because `syn` keeps doc comments but drops `//` ones.

use super::markers::MarkerWords;
use super::rust_lex::{self, CommentKind};
use super::{FileScan, Item, ItemKind, Language, Skip, TestCase, Unparsable};
use crate::finding::Location;
use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use syn::spanned::Spanned;

/// Deeper bracket nesting than this is refused rather than parsed: `syn` is recursive
/// and would overflow the stack (an abort, not a recoverable error) on hostile input.
const MAX_NESTING: usize = 256;
/// Attributes that make a fn a test besides those whose last segment is `test`.
const TEST_ATTRS: &[&str] = &["rstest", "test_case", "proptest", "quickcheck"];

pub struct Rust;

impl Language for Rust {
    fn name(&self) -> &'static str {
        "rust"
    }

    fn handles(&self, path: &str) -> bool {
        path.ends_with(".rs")
    }

    fn scan(&self, path: &str, text: &str, words: &MarkerWords) -> FileScan {
        let lexed = rust_lex::lex(text);
        let parsed = if lexed.max_depth > MAX_NESTING {
            Err(Unparsable {
                loc: Location { path: path.to_owned(), line: 1, column: 1, len: 1 },
                message: format!("brackets nest deeper than {MAX_NESTING} levels; not parsed"),
            })
        } else {
            syn::parse_file(text).map_err(|e| {
                let start = e.span().start();
                Unparsable {
                    loc: Location { path: path.to_owned(), line: start.line.max(1), column: start.column + 1, len: 1 },
                    message: e.to_string(),
                }
            })
        };
        match parsed {
            Ok(file) => {
                let mut items = Vec::new();
                collect(path, &file.items, &mut Vec::new(), &mut items);
                super::attach(path, text, &lexed.comments, &items, words)
            }
            Err(unparsable) => {
                let mut scan = text_fallback(path, text, &lexed.comments, words);
                scan.unparsable = Some(unparsable);
                scan
            }
        }
    }
}

fn line(span: Span) -> usize {
    span.start().line
}

fn loc(path: &str, span: Span, len: usize) -> Location {
    let start = span.start();
    Location { path: path.to_owned(), line: start.line, column: start.column + 1, len }
}

fn is_test_attr(path: &syn::Path) -> bool {
    path.segments.last().is_some_and(|seg| seg.ident == "test" || TEST_ATTRS.iter().any(|a| seg.ident == a))
}

fn ignore_attr(path: &str, attrs: &[syn::Attribute]) -> Option<Skip> {
    attrs.iter().find(|a| a.path().is_ident("ignore")).map(|a| Skip::new(loc(path, a.span(), 9), "`#[ignore]`"))
}

/// The first line of an item: its first outer attribute (doc comments included).
fn start_line(attrs: &[syn::Attribute], fallback: usize) -> usize {
    attrs
        .iter()
        .filter(|a| matches!(a.style, syn::AttrStyle::Outer))
        .map(|a| line(a.span()))
        .min()
        .unwrap_or(fallback)
        .min(fallback)
}

/// The line after the last outer attribute, where an item's keyword usually stands.
fn decl_line(attrs: &[syn::Attribute], span: Span) -> usize {
    attrs
        .iter()
        .filter(|a| matches!(a.style, syn::AttrStyle::Outer))
        .map(|a| a.span().end().line + 1)
        .max()
        .unwrap_or(line(span))
        .max(line(span))
}

fn collect(path: &str, items: &[syn::Item], modules: &mut Vec<String>, out: &mut Vec<Item>) {
    for item in items {
        match item {
            syn::Item::Fn(f) => {
                let name_line = line(f.sig.ident.span());
                let name = f.sig.ident.to_string();
                let kind = if f.attrs.iter().any(|a| is_test_attr(a.path())) {
                    ItemKind::Test {
                        loc: loc(path, f.sig.ident.span(), name.chars().count()),
                        ignored: ignore_attr(path, &f.attrs),
                        conditional_skip: None,
                        direct_links: Vec::new(),
                        name: name.clone(),
                    }
                } else {
                    ItemKind::Other
                };
                out.push(Item {
                    kind,
                    start_line: start_line(&f.attrs, line(f.span())),
                    decl_line: name_line,
                    end_line: f.block.brace_token.span.close().end().line,
                    scope: modules.clone(),
                    what: format!("fn {name}"),
                });
            }
            syn::Item::Mod(m) => {
                let name = m.ident.to_string();
                let end = m.content.as_ref().map_or(line(m.ident.span()), |(brace, _)| brace.span.close().end().line);
                modules.push(name.clone());
                out.push(Item {
                    kind: if m.content.is_some() { ItemKind::Container } else { ItemKind::Other },
                    start_line: start_line(&m.attrs, line(m.span())),
                    decl_line: line(m.ident.span()),
                    end_line: end,
                    scope: modules.clone(),
                    what: format!("mod {name}"),
                });
                if let Some((_, inner)) = &m.content {
                    collect(path, inner, modules, out);
                }
                modules.pop();
            }
            syn::Item::Macro(m) if m.mac.path.segments.last().is_some_and(|s| s.ident == "proptest") => {
                out.push(other(&m.attrs, m.span(), "a `proptest!` block".into(), modules));
                proptest_fns(path, m.mac.tokens.clone(), modules, out);
            }
            syn::Item::Impl(imp) => {
                out.push(other(&imp.attrs, imp.span(), "an impl block".into(), modules));
                for it in &imp.items {
                    if let syn::ImplItem::Fn(f) = it {
                        out.push(Item {
                            kind: ItemKind::Other,
                            start_line: start_line(&f.attrs, line(f.span())),
                            decl_line: line(f.sig.ident.span()),
                            end_line: f.block.brace_token.span.close().end().line,
                            scope: modules.clone(),
                            what: format!("method {}", f.sig.ident),
                        });
                    }
                }
            }
            other_item => {
                let (attrs, what) = describe(other_item);
                out.push(other(attrs, other_item.span(), what, modules));
            }
        }
    }
}

fn other(attrs: &[syn::Attribute], span: Span, what: String, modules: &[String]) -> Item {
    Item {
        kind: ItemKind::Other,
        start_line: start_line(attrs, line(span)),
        decl_line: decl_line(attrs, span),
        end_line: span.end().line,
        scope: modules.to_vec(),
        what,
    }
}

fn describe(item: &syn::Item) -> (&[syn::Attribute], String) {
    match item {
        syn::Item::Struct(s) => (&s.attrs, format!("struct {}", s.ident)),
        syn::Item::Enum(e) => (&e.attrs, format!("enum {}", e.ident)),
        syn::Item::Const(c) => (&c.attrs, format!("const {}", c.ident)),
        syn::Item::Static(s) => (&s.attrs, format!("static {}", s.ident)),
        syn::Item::Trait(t) => (&t.attrs, format!("trait {}", t.ident)),
        syn::Item::Type(t) => (&t.attrs, format!("type {}", t.ident)),
        syn::Item::Use(u) => (&u.attrs, "a `use` declaration".into()),
        syn::Item::Macro(m) => (&m.attrs, "a macro invocation".into()),
        syn::Item::Union(u) => (&u.attrs, format!("union {}", u.ident)),
        syn::Item::ExternCrate(e) => (&e.attrs, format!("extern crate {}", e.ident)),
        syn::Item::ForeignMod(f) => (&f.attrs, "an extern block".into()),
        syn::Item::TraitAlias(t) => (&t.attrs, format!("trait alias {}", t.ident)),
        _ => (&[], "an item".into()),
    }
}

/// The fns of a `proptest! { … }` block. Their parameters (`x in 0..10`) are not Rust
/// syntax, so the tokens are walked directly: attributes, `fn`, a name, arguments and a
/// body.
fn proptest_fns(path: &str, tokens: TokenStream, modules: &[String], out: &mut Vec<Item>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut attrs: Vec<(String, Span)> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Punct(p) if p.as_char() == '#' => {
                // `#[attr]` (outer) or `#![attr]` (inner, e.g. proptest_config): keep outer ones.
                let inner = matches!(tokens.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!');
                let group = if inner { i + 2 } else { i + 1 };
                if let Some(TokenTree::Group(g)) = tokens.get(group)
                    && g.delimiter() == Delimiter::Bracket
                {
                    if !inner {
                        let name = g
                            .stream()
                            .into_iter()
                            .take_while(|t| !matches!(t, TokenTree::Group(_)))
                            .map(|t| t.to_string())
                            .collect::<String>();
                        attrs.push((name, p.span()));
                    }
                    i = group + 1;
                    continue;
                }
                i += 1;
            }
            TokenTree::Ident(kw) if kw == "fn" => {
                let Some(TokenTree::Ident(name)) = tokens.get(i + 1) else {
                    i += 1;
                    continue;
                };
                let body = tokens[i + 2..]
                    .iter()
                    .position(|t| matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace));
                let end_line = body.map_or(line(name.span()), |b| tokens[i + 2 + b].span().end().line);
                let is_test = attrs.iter().any(|(a, _)| a.rsplit("::").next() == Some("test"));
                let name_str = name.to_string();
                out.push(Item {
                    kind: if is_test {
                        ItemKind::Test {
                            loc: loc(path, name.span(), name_str.chars().count()),
                            ignored: attrs
                                .iter()
                                .find(|(a, _)| a == "ignore")
                                .map(|(_, s)| Skip::new(loc(path, *s, 9), "`#[ignore]`")),
                            conditional_skip: None,
                            direct_links: Vec::new(),
                            name: name_str.clone(),
                        }
                    } else {
                        ItemKind::Other
                    },
                    start_line: attrs.iter().map(|(_, s)| line(*s)).min().unwrap_or(line(kw.span())),
                    decl_line: line(name.span()),
                    end_line,
                    scope: modules.to_vec(),
                    what: format!("fn {name_str}"),
                });
                attrs.clear();
                i += 2 + body.map_or(0, |b| b + 1);
            }
            _ => {
                attrs.clear();
                i += 1;
            }
        }
    }
}

/// For a file `syn` cannot parse: every marker still links something, so that the
/// incident it names is not reported as missing a test. An outer marker links the first
/// `fn` below it (within the attribute lines that follow); an inner marker, or one with
/// no `fn` below, links the file itself.
fn text_fallback(path: &str, text: &str, comments: &[rust_lex::Comment], words: &MarkerWords) -> FileScan {
    let lines: Vec<&str> = text.lines().collect();
    let comment_lines: std::collections::HashSet<usize> =
        comments.iter().filter(|c| c.own_line).map(|c| c.line).collect();
    let mut scan = FileScan { path: path.to_owned(), ..FileScan::default() };
    for c in comments {
        let Some(marker) = words.parse(c.text) else { continue };
        scan.has_markers = true;
        let at =
            |offset: usize, len: usize| Location { path: path.to_owned(), line: c.line, column: c.col + offset, len };
        for (token, offset) in &marker.bad {
            scan.bad_markers
                .push(super::BadMarker { loc: at(*offset, token.chars().count().max(1)), token: token.clone() });
        }
        let links: Vec<super::Link> = marker
            .ids
            .iter()
            .map(|(id, off)| super::Link { incident: id.clone(), loc: at(*off, id.chars().count()) })
            .collect();
        let mut found = None;
        let mut ignored = None;
        if c.kind != CommentKind::InnerDoc {
            for (n, l) in lines.iter().enumerate().skip(c.line).take(40) {
                let l = l.trim_start();
                if l.starts_with("#[ignore") {
                    ignored = Some(Skip::new(
                        Location { path: path.to_owned(), line: n + 1, column: 1, len: 9 },
                        "`#[ignore]`",
                    ));
                }
                if let Some(name) = fn_name(l) {
                    found = Some((name, n + 1));
                    break;
                }
                if !(l.starts_with("#[")
                    || l.starts_with('#')
                    || comment_lines.contains(&(n + 1))
                    || l.starts_with(']')
                    || l.starts_with(')'))
                {
                    break;
                }
            }
        }
        let (name, line) = found.unwrap_or_else(|| (format!("(marker on line {})", c.line), c.line));
        let id = super::identity(path, &[], &name);
        if let Some(existing) = scan.tests.iter_mut().find(|t| t.id == id) {
            existing.links.extend(links);
            continue;
        }
        scan.tests.push(TestCase {
            id,
            loc: Location { path: path.to_owned(), line, column: 1, len: 1 },
            name,
            ignored,
            conditional_skip: None,
            links,
            body: String::new(),
            approximate: true,
        });
    }
    scan
}

/// `fn name` at the start of a line (after visibility and qualifiers), if any.
fn fn_name(line: &str) -> Option<String> {
    let mut rest = line;
    for prefix in ["pub(crate) ", "pub(super) ", "pub ", "async ", "const ", "unsafe ", "extern \"C\" "] {
        rest = rest.strip_prefix(prefix).unwrap_or(rest).trim_start();
    }
    let rest = rest.strip_prefix("fn ")?.trim_start();
    let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(src: &str) -> FileScan {
        Rust.scan("src/lib.rs", src, &MarkerWords::new(&["incident".to_owned()]))
    }

    fn links(scan: &FileScan) -> Vec<(String, Vec<String>)> {
        scan.tests
            .iter()
            .filter(|t| !t.links.is_empty())
            .map(|t| {
                (
                    t.id.clone(),
                    t.links.iter().map(|l| format!("{}@{}:{}", l.incident, l.loc.line, l.loc.column)).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn doc_and_plain_markers_above_and_between_attributes() {
        let s = scan(
            "/// incident: A-1\n#[test]\nfn doc() {}\n\n// incident: B-1, C-1\n#[tokio::test]\nasync fn plain() {}\n\n#[test]\n// incident: D-1\n#[should_panic]\nfn between() {}\n",
        );
        assert_eq!(
            links(&s),
            [
                ("src/lib.rs::doc".to_owned(), vec!["A-1@1:15".to_owned()]),
                ("src/lib.rs::plain".to_owned(), vec!["B-1@5:14".to_owned(), "C-1@5:19".to_owned()]),
                ("src/lib.rs::between".to_owned(), vec!["D-1@10:14".to_owned()]),
            ]
        );
        assert!(s.stray.is_empty());
    }

    #[test]
    fn inner_markers_link_files_and_modules() {
        let s = scan(
            "//! incident: F-1\n#[test]\nfn top() {}\nmod a {\n    //! incident: M-1\n    mod b {\n        #[test]\n        #[ignore]\n        fn deep() {}\n    }\n}\n",
        );
        assert_eq!(
            links(&s),
            [
                ("src/lib.rs::top".to_owned(), vec!["F-1@1:15".to_owned()]),
                ("src/lib.rs::a::b::deep".to_owned(), vec!["F-1@1:15".to_owned(), "M-1@5:19".to_owned()]),
            ]
        );
        assert_eq!(s.tests[1].ignored.as_ref().map(|s| &s.loc).map(|l| l.line), Some(8));
    }

    #[test]
    fn blank_line_breaks_attachment_and_non_tests_are_stray() {
        let s = scan(
            "// incident: X-1\n\n#[test]\nfn t() {}\n/// incident: Y-1\nfn helper() {}\nfn body() {\n    // incident: Z-1\n}\n",
        );
        assert!(links(&s).is_empty());
        let targets: Vec<(usize, &str)> = s.stray.iter().map(|m| (m.loc.line, m.target.as_str())).collect();
        assert_eq!(targets, [(1, ""), (5, "fn helper"), (8, "")]);
    }

    #[test]
    fn framework_attributes_and_proptest_blocks() {
        let s = scan(
            "// incident: R-1\n#[rstest]\nfn r() {}\n// incident: T-1\n#[test_case(1)]\nfn tc(x: u8) {}\nproptest! {\n    #![proptest_config(ProptestConfig::with_cases(5))]\n    // incident: P-1\n    #[test]\n    fn prop(x in 0..10u8) { prop_assert!(x < 10); }\n}\n",
        );
        let ids: Vec<String> = links(&s).into_iter().map(|(id, _)| id).collect();
        assert_eq!(ids, ["src/lib.rs::r", "src/lib.rs::tc", "src/lib.rs::prop"]);
    }

    #[test]
    fn unparsable_file_keeps_its_links() {
        let s = scan("// incident: U-1\n#[test]\nfn broken() { let x = ; }\n");
        let u = s.unparsable.as_ref().unwrap();
        assert_eq!(u.loc.line, 3);
        assert_eq!(links(&s), [("src/lib.rs::broken".to_owned(), vec!["U-1@1:14".to_owned()])]);
        assert!(s.tests[0].approximate);
    }

    #[test]
    fn markers_in_strings_are_not_markers() {
        let s = scan("#[test]\nfn t() { let s = \"// incident: S-1\"; }\n");
        assert!(!s.has_markers && s.tests[0].links.is_empty());
    }

    #[test]
    fn deep_nesting_is_refused_not_a_crash() {
        let src = format!("// incident: D-1\n#[test]\nfn t() {{ {}1{} }}\n", "(".repeat(5000), ")".repeat(5000));
        let s = scan(&src);
        assert!(s.unparsable.unwrap().message.contains("nest deeper"));
    }
}
