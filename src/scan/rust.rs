//! Rust tests, read with `syn`. A test is a `fn` with an attribute whose last path
//! segment is `test` (`#[test]`, `#[tokio::test]`, …) or one of the test-framework
//! attributes below, including the fns inside `proptest! { … }` whose tokens parse.
//! Comments come from `rust_lex`, because `syn` keeps doc comments but drops `//` ones.

use super::markers::MarkerWords;
use super::rust_attrs;
use super::rust_cfg;
use super::rust_items::{self, Kind, Tree};
use super::rust_lex::{self, CommentKind};
use super::{FileScan, Item, ItemKind, Language, Skip, TestCase, Unparsable};
use crate::finding::Location;

/// `syn` parses by recursive descent, and rustc accepts nesting far deeper than a normal
/// thread's stack allows (rustc grows its stack on demand); overflowing the stack is an
/// abort, not an error. So each file is parsed on a thread whose stack is sized for it:
/// at most this much per level of recursion (measured with optimised `syn`: nested
/// generic types take about 7.8 KiB a level, nested blocks 5.3 KiB, unary chains 1.3 KiB).
const STACK_PER_LEVEL: usize = 10 * 1024;
/// The stack every parse thread reserves. It is address space, not memory: only the
/// pages a parse reaches are ever touched. A file whose estimated depth needs more is
/// read as text instead. Up to `STACK / STACK_PER_LEVEL` tokens the estimate is the
/// token count, a sound bound; past it, the lexer's nesting estimate, which follows
/// brackets, statements and lists, and which a crafted file of more than 100,000 tokens
/// could still outwit only by recursing some 100,000 levels without them.
const STACK: usize = 1 << 30;

pub struct Rust;

impl Language for Rust {
    fn name(&self) -> &'static str {
        "rust"
    }

    fn handles(&self, path: &str) -> bool {
        path.ends_with(".rs")
    }

    /// Cargo's integration tests live in `tests/` (the test directories every language
    /// shares); in `src/`, a file called `tests.rs` is by convention the `mod tests` of
    /// the module beside it.
    fn is_test_file(&self, path: &str) -> bool {
        path.rsplit('/').next() == Some("tests.rs")
    }

    fn scan(&self, path: &str, text: &str, words: &MarkerWords) -> FileScan {
        let lexed = rust_lex::lex(text);
        if text.len() > super::MAX_PARSED_FILE {
            let mut scan = text_fallback(path, text, &lexed.comments, words);
            let message = format!(
                "it is {:.1} MiB, more than the {} MiB a file may have to be parsed, so it was read as text",
                text.len() as f64 / (1 << 20) as f64,
                super::MAX_PARSED_FILE >> 20
            );
            scan.unparsable =
                Some(Unparsable { loc: Location { path: path.to_owned(), line: 1, column: 1, len: 1 }, message });
            return scan;
        }
        match on_parser_stack(&lexed, || parse(path, text, &lexed.comments, words)) {
            Ok(scan) => scan,
            Err(message) => {
                let mut scan = text_fallback(path, text, &lexed.comments, words);
                scan.unparsable =
                    Some(Unparsable { loc: Location { path: path.to_owned(), line: 1, column: 1, len: 1 }, message });
                scan
            }
        }
    }
}

thread_local! {
    /// Whether this thread's stack is a parser's, and no parse is running on it.
    static PARSER_STACK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Spawns a scoped thread with the stack a parse may need, on which `on_parser_stack`
/// parses in place.
pub fn with_parser_stack<'scope, T: Send + 'scope>(
    s: &'scope std::thread::Scope<'scope, '_>,
    name: &str,
    f: impl FnOnce() -> T + Send + 'scope,
) -> std::io::Result<std::thread::ScopedJoinHandle<'scope, T>> {
    std::thread::Builder::new().name(name.to_owned()).stack_size(STACK).spawn_scoped(s, move || {
        PARSER_STACK.with(|free| free.set(true));
        f()
    })
}

/// Runs `f` (which parses the file `lexed` came from) on a thread with the stack a parse
/// of that file may need, or says why it cannot.
pub fn on_parser_stack<T: Send>(lexed: &rust_lex::Lexed, f: impl FnOnce() -> T + Send) -> Result<T, String> {
    // Each level of recursion consumes a token, so the token count is a sound bound
    // on the depth; past the budget, the lexer's nesting estimate decides.
    let levels = if lexed.tokens.saturating_mul(STACK_PER_LEVEL) <= STACK { lexed.tokens } else { lexed.nesting };
    if levels.saturating_mul(STACK_PER_LEVEL) > STACK {
        return Err(format!(
            "nests too deeply to parse safely (about {levels} levels of syntax; the limit is {})",
            STACK / STACK_PER_LEVEL
        ));
    }
    // On a thread made with `with_parser_stack` (the scan's workers), in place: a thread
    // of its own for each of 15,000 files was a tenth of a monorepo's scan. Not twice on
    // one stack: a parse inside this one gets a thread.
    if PARSER_STACK.with(|free| free.replace(false)) {
        let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        PARSER_STACK.with(|free| free.set(true));
        return ran.map_err(|_| "the parser panicked on this file".into());
    }
    let ran = std::thread::scope(|s| {
        std::thread::Builder::new().name("parse-rust".into()).stack_size(STACK).spawn_scoped(s, f).map(|h| h.join())
    });
    match ran {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(_)) => Err("the parser panicked on this file".into()),
        Err(e) => Err(format!("cannot start a parser thread: {e}")),
    }
}

/// A `mod NAME;` declaration, for working out which files cargo compiles.
#[derive(Clone, Debug)]
pub struct ModDecl {
    pub name: String,
    /// Its `#[path = "…"]`, if any.
    pub path_attr: Option<String>,
    /// The inline modules around it, outermost first, each with its own `#[path]`.
    pub inline: Vec<(String, Option<String>)>,
    /// The conditions on the way: `#[cfg]` on it and on the inline modules around it.
    pub conds: Vec<rust_cfg::Cond>,
    /// The item macros whose call declares it (`cfg_loom! { mod m; }`), with where each
    /// call stands: the crate's `macro_rules!` may put a cfg on their items.
    pub macros: Vec<(String, Location)>,
}

/// What a file contributes to the module tree.
#[derive(Clone, Debug, Default)]
pub struct ModFile {
    pub decls: Vec<ModDecl>,
    /// `include!("…")` paths at item level: the file is compiled as part of this module.
    pub includes: Vec<String>,
    /// `#![cfg(…)]` of the file itself.
    pub conds: Vec<rust_cfg::Cond>,
}

/// Whether a Rust file's bytes show that it declares no module in a file of its own and
/// includes no file: no `include` anywhere, and each `mod` is part of a longer word or
/// opens an inline module (`mod NAME {`), whose own declarations have their own `mod`.
/// Anything else after a `mod` (a `;`, a comment, a macro variable) may declare one. A
/// crate's files with a `mod tests { … }` are most of its files: such a file was read a
/// second time to find that it declares nothing.
pub fn declares_no_modules(bytes: &[u8]) -> bool {
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
    if memchr::memmem::find(bytes, b"include").is_some() {
        return false;
    }
    let skip_space = |mut i: usize| {
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    };
    for at in memchr::memmem::find_iter(bytes, b"mod") {
        if at.checked_sub(1).is_some_and(|i| ident(bytes[i])) || bytes.get(at + 3).is_some_and(|&b| ident(b)) {
            continue; // `module`, `chmod`: not the keyword
        }
        let mut i = skip_space(at + 3);
        let name = i;
        while bytes.get(i).is_some_and(|&b| ident(b)) {
            i += 1;
        }
        if i == name || bytes.get(skip_space(i)) != Some(&b'{') {
            return false;
        }
    }
    true
}

/// The `mod` declarations of a file (also those inside inline modules, and `mod NAME;`
/// visible in the tokens of item macros such as `cfg_if!`), or why it cannot be read.
/// Read from the file's skeleton (`rust_items`): only attributes that state conditions go
/// to `syn`.
pub fn module_decls(path: &str, text: &str) -> Result<ModFile, String> {
    // Without the word `mod` or `include` a file declares no module and includes nothing:
    // nothing is reached through it, and its own `#![cfg]` is read when it is scanned.
    // Most leaf modules are such files, and skipping them halves the reading of a crate.
    if declares_no_modules(text.as_bytes()) {
        return Ok(ModFile::default());
    }
    let skeleton = rust_items::parse(text).map_err(|e| e.message)?;
    let src = Source::new(path, text, Vec::new(), &[]);
    let mut out = ModFile { conds: src.conditions(&skeleton.inner_attrs, "this file"), ..ModFile::default() };
    mod_items(&src, &skeleton.items, &mut Vec::new(), &mut Vec::new(), &mut out);
    Ok(out)
}

fn path_attr(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find(|a| a.path().is_ident("path")).and_then(|a| match &a.meta {
        syn::Meta::NameValue(nv) => match &nv.value {
            syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

fn mod_items(
    src: &Source,
    items: &[rust_items::Item],
    inline: &mut Vec<(String, Option<String>)>,
    conds: &mut Vec<rust_cfg::Cond>,
    out: &mut ModFile,
) {
    for item in items {
        match &item.kind {
            Kind::Mod { name, body } => {
                let name = src.text[name.clone()].to_owned();
                let outer = conds.len();
                let inner: &[rust_items::Attr] = body.as_ref().map_or(&[], |b| &b.inner_attrs);
                let attrs: Vec<rust_items::Attr> = item.attrs.iter().chain(inner).cloned().collect();
                conds.extend(src.conditions(&attrs, &format!("mod {name}")));
                let path = src.path_attr(&attrs);
                match body {
                    None => out.decls.push(ModDecl {
                        name,
                        path_attr: path,
                        inline: inline.clone(),
                        conds: conds.clone(),
                        macros: Vec::new(),
                    }),
                    Some(body) => {
                        inline.push((name, path));
                        mod_items(src, &body.items, inline, conds, out);
                        inline.pop();
                    }
                }
                conds.truncate(outer);
            }
            Kind::Macro { name, tokens } => {
                if &src.text[name.clone()] == "include" {
                    let inner = &src.text[tokens.start + 1..tokens.end - 1];
                    if let Ok(lit) = syn::parse_str::<syn::LitStr>(inner) {
                        out.includes.push(lit.value());
                    }
                    continue;
                }
                // Only a macro whose tokens say `mod` can declare a module.
                if src.text[tokens.clone()].contains("mod") {
                    let call = (src.text[name.clone()].to_owned(), src.loc(name.start, name.len() + 1));
                    macro_mods(src, tokens.clone(), inline, conds, &call, out);
                }
            }
            _ => {}
        }
    }
}

/// `mod NAME;` in a macro's tokens (`cfg_if! { if #[cfg(unix)] { mod unix; } }`): the
/// module exists when the macro expands it, which the source cannot tell, except that a
/// `#[cfg(…)]` right before the declaration or its braces is read as such. Groups are
/// followed with a stack of their own, not by recursion: a macro may nest deeply.
fn macro_mods(
    src: &Source,
    group: std::ops::Range<usize>,
    inline: &[(String, Option<String>)],
    conds: &[rust_cfg::Cond],
    call: &(String, Location),
    out: &mut ModFile,
) {
    let mut work = vec![(group, conds.to_vec())];
    while let Some((group, conds)) = work.pop() {
        let Ok(trees) = rust_items::trees(src.text, group) else { continue };
        let mut pending: Vec<rust_items::Attr> = Vec::new();
        let mut i = 0;
        while i < trees.len() {
            match &trees[i] {
                Tree::Punct(b'#', at) => {
                    if let Some(Tree::Group(b'[', g, depth)) = trees.get(i + 1) {
                        let path = src.text[g.start + 1..g.end - 1].split(['(', '=', '[', '{']).next().unwrap_or("");
                        pending.push(rust_items::Attr {
                            span: *at..g.end,
                            path: path.chars().filter(|c| !c.is_whitespace()).collect(),
                            cfg_test: false,
                            depth: *depth,
                        });
                        i += 2;
                        continue;
                    }
                    i += 1;
                }
                Tree::Doc { .. } => i += 1,
                Tree::Ident(kw) if &src.text[kw.clone()] == "mod" => {
                    if let (Some(Tree::Ident(name)), Some(Tree::Punct(b';', _))) = (trees.get(i + 1), trees.get(i + 2))
                    {
                        let name = src.text[name.clone()].to_owned();
                        let mut all = conds.clone();
                        all.extend(src.conditions_in_macro(&pending, &format!("mod {name}")));
                        out.decls.push(ModDecl {
                            name,
                            path_attr: src.path_attr(&pending),
                            inline: inline.to_vec(),
                            conds: all,
                            macros: vec![call.clone()],
                        });
                        i += 3;
                    } else {
                        i += 1;
                    }
                    pending.clear();
                }
                Tree::Group(_, g, _) => {
                    let mut all = conds.clone();
                    all.extend(src.conditions_in_macro(&pending, "a macro branch"));
                    if src.text[g.clone()].contains("mod") {
                        work.push((g.clone(), all));
                    }
                    pending.clear();
                    i += 1;
                }
                Tree::Ident(kw) if matches!(&src.text[kw.clone()], "pub" | "crate") => i += 1,
                _ => {
                    pending.clear();
                    i += 1;
                }
            }
        }
    }
}

/// Reads the file's skeleton, then attaches markers. `syn` checks that the items a marker
/// stands on or in parse (the whole file when a `//!` marker stands at its top); a file
/// whose skeleton cannot be read, or one of whose marked items does not parse, is read
/// as text instead. Runs on the thread `scan` made.
fn parse(path: &str, text: &str, comments: &[rust_lex::Comment], words: &MarkerWords) -> FileScan {
    let unparsable = |at: (usize, usize), message: String| {
        let mut scan = text_fallback(path, text, comments, words);
        let loc = Location { path: path.to_owned(), line: at.0.max(1), column: at.1 + 1, len: 1 };
        scan.unparsable = Some(Unparsable { loc, message });
        scan
    };
    let skeleton = match rust_items::parse(text) {
        Ok(s) => s,
        Err(e) => {
            let cols = super::columns::Columns::new(text);
            return unparsable((cols.line(e.at), cols.col(e.at) - 1), e.message);
        }
    };
    let mut src = Source::new(path, text, Vec::new(), words.rust_test_attributes());
    if let Err((at, message)) = check_marked(&src, &skeleton, comments, words) {
        return unparsable(at, message);
    }
    src.aliases = test_attr_aliases(&src, &skeleton.items);
    src.macros = test_macros_in(text, &skeleton.items, &[]);
    let mut items = Vec::new();
    let mut conds = src.conditions(&skeleton.inner_attrs, "this file");
    collect(&src, &skeleton.items, &mut Vec::new(), &mut conds, &mut items);
    let (docs, used) = doc_tests(&src, &skeleton, comments, words);
    let mut scan = if used.is_empty() {
        super::attach(path, text, comments, &items, words)
    } else {
        // The markers of doc tests are theirs, not the item's below the doc comment.
        let used: std::collections::HashSet<usize> = used.into_iter().collect();
        let rest: Vec<rust_lex::Comment> =
            comments.iter().enumerate().filter(|(i, _)| !used.contains(i)).map(|(_, c)| c.clone()).collect();
        let mut scan = super::attach(path, text, &rest, &items, words);
        scan.has_markers = true;
        scan
    };
    merge_alternatives(&mut scan);
    scan.macro_calls = pending_calls(&src, &skeleton, comments, words, &scan, src.calls.take());
    scan.tests.extend(docs);
    scan
}

/// Parses with `syn` the items that markers stand on or in, or the whole file when a
/// `//!` marker stands at its top: what a marker links must be Rust, and where it is not,
/// the file is read as text (`unparsable-source`). The other items are only read as a
/// skeleton: a syntax error inside them changes nothing a marker says. The error: its
/// line and 0-based column in the file, and its message.
fn check_marked(
    src: &Source,
    skeleton: &rust_items::Skeleton,
    comments: &[rust_lex::Comment],
    words: &MarkerWords,
) -> Result<(), ((usize, usize), String)> {
    let base = src.text.as_ptr() as usize;
    let mut marked: Vec<&rust_items::Item> = Vec::new();
    let mut whole_file = false;
    for c in comments {
        if words.parse(c.text).is_none() && words.known_ids_in(c.text).is_empty() {
            continue;
        }
        let at = c.text.as_ptr() as usize - base;
        let inner = c.kind == CommentKind::InnerDoc;
        match marked_item(&skeleton.items, at, inner) {
            Some(item) => marked.push(item),
            None => whole_file |= inner,
        }
    }
    let error = |e: syn::Error, shift: rust_cfg::Shift| (shift.at(e.span().start()), e.to_string());
    if whole_file {
        return syn::parse_file(src.text).map(drop).map_err(|e| error(e, rust_cfg::Shift::default()));
    }
    marked.sort_by_key(|i| i.span.start);
    marked.dedup_by_key(|i| i.span.start);
    for item in marked {
        syn::parse_str::<syn::Item>(&src.text[item.span.clone()]).map_err(|e| error(e, src.shift(item.span.start)))?;
    }
    Ok(())
}

/// The item (of a module: at the top of the file or in an inline module) that a comment
/// at `at` stands in or above. An inner comment (`//!`) between items documents the
/// module around it: the inline module itself, or `None` at the top of the file.
fn marked_item(items: &[rust_items::Item], at: usize, inner: bool) -> Option<&rust_items::Item> {
    let i = items.partition_point(|it| it.span.end <= at);
    let item = items.get(i).filter(|it| !inner || it.span.start <= at)?;
    if let Kind::Mod { body: Some(body), .. } = &item.kind
        && body.braces.start < at
    {
        return match marked_item(&body.items, at, inner) {
            None if inner => Some(item),
            found => found,
        };
    }
    Some(item)
}

/// The file being read: its text and lines, where each byte stands, and the names `use`
/// declarations give test attributes.
struct Source<'a> {
    path: &'a str,
    text: &'a str,
    /// Its lines (`str::lines`), for quoting attributes; made when first needed, as most
    /// module files `module_decls` reads need neither these nor `cols`.
    lines: std::cell::OnceCell<Vec<&'a str>>,
    cols: std::cell::OnceCell<super::columns::Columns<'a>>,
    /// Names a `use` gives test attributes: `use tokio::test as maybe_tokio_test;`.
    aliases: Vec<String>,
    /// The config's own test attributes (`[scan.rust] test_attributes`).
    configured: &'a [String],
    /// The file's own macros that write tests.
    macros: Vec<TestMacro>,
    /// Calls of macros the file does not define, with the line each starts on and what
    /// a marker on it stands on: whether they write tests is for the crate to tell.
    calls: std::cell::RefCell<Vec<(usize, String, super::MacroCall)>>,
}

/// How deeply an attribute's brackets may nest for `syn` to parse it on any thread: its
/// parser recurses on them. Deeper ones (no real attribute) count as unreadable.
const MAX_ATTR_DEPTH: usize = 48;

impl<'a> Source<'a> {
    fn new(path: &'a str, text: &'a str, aliases: Vec<String>, configured: &'a [String]) -> Source<'a> {
        Source {
            path,
            text,
            lines: Default::default(),
            cols: Default::default(),
            aliases,
            configured,
            macros: Vec::new(),
            calls: Default::default(),
        }
    }

    fn cols(&self) -> &super::columns::Columns<'a> {
        self.cols.get_or_init(|| super::columns::Columns::new(self.text))
    }

    fn lines(&self) -> &[&'a str] {
        self.lines.get_or_init(|| self.text.lines().collect())
    }

    /// The byte offset in the text of a comment's text.
    fn offset(&self, c: &rust_lex::Comment) -> usize {
        (c.text.as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize)
    }

    /// The 1-based line of a byte offset.
    fn line(&self, byte: usize) -> usize {
        self.cols().line(byte)
    }

    fn loc(&self, byte: usize, len: usize) -> Location {
        Location { path: self.path.to_owned(), line: self.line(byte), column: self.cols().col(byte), len }
    }

    /// Where a piece parsed on its own from `byte` stands in the file.
    fn shift(&self, byte: usize) -> rust_cfg::Shift {
        rust_cfg::Shift { lines: self.line(byte) - 1, column: self.cols().col(byte) - 1 }
    }

    /// The attribute parsed by `syn`, with where it stands; `None` when it does not parse
    /// or nests too deeply.
    fn syn_attr(&self, attr: &rust_items::Attr) -> Option<(syn::Attribute, rust_cfg::Shift)> {
        if attr.depth > MAX_ATTR_DEPTH {
            return None;
        }
        let text = &self.text[attr.span.clone()];
        let parser = if text.as_bytes().get(1) == Some(&b'!') {
            syn::Attribute::parse_inner
        } else {
            syn::Attribute::parse_outer
        };
        let parsed = syn::parse::Parser::parse_str(parser, text).ok()?;
        parsed.into_iter().next().map(|a| (a, self.shift(attr.span.start)))
    }

    /// The conditions of `attrs` (see `rust_cfg::conditions`). Only those that can state
    /// one go to `syn`; `#[cfg(test)]` always holds and never does.
    fn conditions(&self, attrs: &[rust_items::Attr], on: &str) -> Vec<rust_cfg::Cond> {
        if attrs
            .iter()
            .all(|a| a.cfg_test || !matches!(a.path.trim_start_matches(':'), "cfg" | "cfg_attr" | "rustversion::attr"))
        {
            return Vec::new();
        }
        self.conditions_with(self.path, self.lines(), attrs, on)
    }

    /// The same, for attributes inside a macro's tokens, which the macro may rearrange:
    /// quoted by their tokens, with no path.
    fn conditions_in_macro(&self, attrs: &[rust_items::Attr], on: &str) -> Vec<rust_cfg::Cond> {
        self.conditions_with("", &[], attrs, on)
    }

    fn conditions_with(&self, path: &str, lines: &[&str], attrs: &[rust_items::Attr], on: &str) -> Vec<rust_cfg::Cond> {
        let mut parsed = Vec::new();
        let mut unread = Vec::new();
        for attr in attrs {
            let name = attr.path.trim_start_matches(':');
            if attr.cfg_test || !matches!(name, "cfg" | "cfg_attr" | "rustversion::attr") {
                continue;
            }
            match self.syn_attr(attr) {
                Some(p) => parsed.push(p),
                // Too deep to read: a `cfg` the source cannot decide.
                None if name == "cfg" => {
                    let quoted: String = self.text[attr.span.clone()].chars().take(120).collect();
                    let on = if on.is_empty() { String::new() } else { format!(" on {}", crate::finding::code(on)) };
                    let mut loc = self.loc(attr.span.start, 1);
                    loc.path = path.to_owned();
                    unread.push(rust_cfg::Cond {
                        runs: rust_cfg::Truth::Depends,
                        skip: Skip::new(loc, format!("{}{on}", crate::finding::code(&quoted))),
                        expr: None,
                    });
                }
                None => {}
            }
        }
        let mut conds = rust_cfg::conditions(path, lines, parsed.iter().map(|(a, s)| (a, *s)), on);
        if !unread.is_empty() {
            conds.extend(unread);
            conds.sort_by_key(|c| (c.skip.loc.line, c.skip.loc.column));
        }
        conds
    }

    /// `#[path = "…"]` among `attrs`.
    fn path_attr(&self, attrs: &[rust_items::Attr]) -> Option<String> {
        let parsed: Vec<syn::Attribute> =
            attrs.iter().filter(|a| a.path == "path").filter_map(|a| self.syn_attr(a)).map(|(a, _)| a).collect();
        path_attr(&parsed)
    }

    /// Whether an attribute makes its fn a test: a test attribute, one the config names,
    /// one of their aliases, or rstest_reuse's `#[apply(template)]`.
    fn is_test_attr(&self, attr: &rust_items::Attr) -> bool {
        let path = attr.path.trim_start_matches(':');
        rust_attrs::is_test_path(path)
            || rust_attrs::is_configured(path, self.configured)
            || path == "apply"
            || (!path.contains(':') && self.aliases.iter().any(|a| a == path))
    }

    /// Whether `#[cfg_attr(…, test)]` (or `#[cfg_attr(…, tokio::test)]`) is among `attrs`.
    fn cfg_attr_test(&self, attrs: &[rust_items::Attr]) -> bool {
        use syn::punctuated::Punctuated;
        attrs.iter().filter(|a| a.path == "cfg_attr").filter_map(|a| self.syn_attr(a)).any(|(a, _)| {
            a.parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
                .is_ok_and(|args| args.iter().skip(1).any(|m| rust_attrs::is_test_attr(m.path())))
        })
    }
}

/// The names under which `use` declarations anywhere in the file (but inside fns) bring
/// in a test attribute (`use tokio::test as maybe_tokio_test;`, `use rstest::{rstest as r}`).
fn test_attr_aliases(src: &Source, items: &[rust_items::Item]) -> Vec<String> {
    fn walk(tree: &syn::UseTree, out: &mut Vec<String>) {
        match tree {
            syn::UseTree::Path(p) => walk(&p.tree, out),
            syn::UseTree::Rename(r) if rust_attrs::names_test_attr(&r.ident.to_string()) => {
                out.push(r.rename.to_string());
            }
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| walk(t, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for item in items {
        match &item.kind {
            Kind::Use => {
                let text = &src.text[item.span.clone()];
                // Only a renaming `use` gives a new name, and only one of a test
                // attribute matters.
                if rust_attrs::may_rename_test_attr(text)
                    && let Ok(u) = syn::parse_str::<syn::ItemUse>(text)
                {
                    walk(&u.tree, &mut out);
                }
            }
            Kind::Mod { body: Some(body), .. } => out.extend(test_attr_aliases(src, &body.items)),
            _ => {}
        }
    }
    out
}

/// A `macro_rules!` macro that writes a test fn named by one of its arguments (ripgrep's
/// `rgtest!(name, |dir, cmd| { … })`, globset's `syntax!(name, …)`): for each arm that
/// writes one, how many arguments it takes and which one names the test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestMacro {
    pub name: String,
    pub arms: Vec<(usize, usize)>,
}

impl TestMacro {
    /// Which argument of a call with `arity` arguments names the test: the arm that takes
    /// as many, or the one place every arm agrees on.
    pub fn position(&self, arity: usize) -> Option<usize> {
        if let Some((_, pos)) = self.arms.iter().find(|(n, _)| *n == arity) {
            return Some(*pos);
        }
        if let Some((_, pos)) = self.arms.iter().find(|(n, _)| *n == ANY_ARITY) {
            return Some(*pos);
        }
        let first = self.arms.first()?.1;
        self.arms.iter().all(|(_, p)| *p == first).then_some(first)
    }
}

/// The arity of an arm that takes any tokens (`($($tt:tt)*)`) and hands them on.
const ANY_ARITY: usize = usize::MAX;

/// In a forwarded call's arguments, the arm's whole input handed on (`$($tt)*`).
const REST: &str = "*";

/// One arm of a `macro_rules!`, as far as tests go: the matcher's variables by top-level
/// argument, the variable a test fn of the body is named by, and the calls of other
/// macros in the body with the variable each of their arguments is.
struct Arm {
    vars: Vec<Vec<String>>,
    /// Whether the matcher is one repetition of any tokens, handed on whole.
    rest: bool,
    direct: Option<String>,
    forwards: Vec<Forward>,
}

/// A macro an arm calls, with the variable each of its arguments is (if one).
type Forward = (String, Vec<Option<String>>);

/// The trees of a group split at its top-level commas (a trailing comma adds nothing).
fn segments(trees: &[Tree]) -> Vec<&[Tree]> {
    let mut out: Vec<&[Tree]> = trees.split(|t| matches!(t, Tree::Punct(b',', _))).collect();
    if out.len() > 1 && out.last().is_some_and(|s| s.is_empty()) {
        out.pop();
    }
    if out.len() == 1 && out[0].is_empty() {
        out.clear();
    }
    out
}

/// The arms of a `macro_rules!` whose tokens are `tokens`.
fn macro_arms(text: &str, tokens: std::ops::Range<usize>) -> Vec<Arm> {
    let Ok(trees) = rust_items::trees(text, tokens) else { return Vec::new() };
    let mut arms = Vec::new();
    let mut i = 0;
    while i + 3 < trees.len() {
        if let (Tree::Group(_, matcher, _), Tree::Punct(b'=', _), Tree::Punct(b'>', _), Tree::Group(_, body, _)) =
            (&trees[i], &trees[i + 1], &trees[i + 2], &trees[i + 3])
        {
            let vars = rust_items::trees(text, matcher.clone())
                .map(|m| {
                    segments(&m)
                        .iter()
                        .map(|seg| {
                            seg.windows(2)
                                .filter_map(|w| match w {
                                    [Tree::Punct(b'$', _), Tree::Ident(v)] => Some(text[v.clone()].to_owned()),
                                    _ => None,
                                })
                                .collect()
                        })
                        .collect()
                })
                .unwrap_or_default();
            let rest = rust_items::trees(text, matcher.clone()).is_ok_and(|m| {
                matches!(m.as_slice(), [Tree::Punct(b'$', _), Tree::Group(b'(', ..), .., Tree::Punct(b'*', _)])
            });
            let (direct, forwards) = arm_body(text, body.clone());
            arms.push(Arm { vars, rest, direct, forwards });
            i += 4;
        } else {
            i += 1;
        }
    }
    arms
}

/// In a macro arm's body: the variable a test fn is named by (`#[test] fn $name`), and
/// the macros it calls with the variable of each argument (`toregex!($name, $pat, …)`).
fn arm_body(text: &str, body: std::ops::Range<usize>) -> (Option<String>, Vec<Forward>) {
    let Ok(trees) = rust_items::trees(text, body) else { return (None, Vec::new()) };
    let (mut test_attr, mut direct, mut forwards) = (false, None, Vec::new());
    let mut i = 0;
    while i < trees.len() {
        match &trees[i] {
            Tree::Punct(b'#', _) => {
                if let Some(Tree::Group(b'[', g, _)) = trees.get(i + 1) {
                    let path: String = text[g.start + 1..g.end - 1]
                        .split(['(', '=', '[', '{'])
                        .next()
                        .unwrap_or("")
                        .chars()
                        .filter(|c| !c.is_whitespace())
                        .collect();
                    test_attr |= rust_attrs::is_test_path(path.trim_start_matches("$crate"));
                    i += 2;
                    continue;
                }
            }
            Tree::Ident(kw) if &text[kw.clone()] == "fn" => {
                if let (true, Some(Tree::Punct(b'$', _)), Some(Tree::Ident(v))) =
                    (test_attr, trees.get(i + 1), trees.get(i + 2))
                {
                    direct.get_or_insert_with(|| text[v.clone()].to_owned());
                }
                test_attr = false;
            }
            Tree::Ident(m) if matches!(trees.get(i + 1), Some(Tree::Punct(b'!', _))) => {
                if let Some(Tree::Group(_, args, _)) = trees.get(i + 2)
                    && let Ok(args) = rust_items::trees(text, args.clone())
                {
                    let vars = segments(&args)
                        .iter()
                        .map(|seg| match seg {
                            [Tree::Punct(b'$', _), Tree::Ident(v)] => Some(text[v.clone()].to_owned()),
                            [Tree::Punct(b'$', _), Tree::Group(b'(', ..), .., Tree::Punct(b'*', _)] => {
                                Some(REST.to_owned())
                            }
                            _ => None,
                        })
                        .collect();
                    forwards.push((text[m.clone()].to_owned(), vars));
                    i += 3;
                    continue;
                }
            }
            Tree::Doc { .. } => {}
            _ => test_attr &= matches!(&trees[i], Tree::Ident(_) | Tree::Punct(..) | Tree::Group(b'[', ..)),
        }
        i += 1;
    }
    (direct, forwards)
}

/// The `macro_rules!` definitions among `items` (and in the modules inside them), by
/// name, with their arms.
fn macro_defs(text: &str, items: &[rust_items::Item], out: &mut Vec<(String, Vec<Arm>)>) {
    for item in items {
        match &item.kind {
            Kind::Macro { name, tokens } if &text[name.clone()] == "macro_rules" => {
                let own = text[name.end..tokens.start].trim_start_matches([' ', '\t', '\n', '\r', '!']).trim();
                if !own.is_empty() && own.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    out.push((own.to_owned(), macro_arms(text, tokens.clone())));
                }
            }
            Kind::Mod { body: Some(body), .. } => macro_defs(text, &body.items, out),
            _ => {}
        }
    }
}

/// The macros among `defs` that write tests (also through other macros of `defs` and
/// `known`), given the test macros already `known` (those of other files of the crate).
fn resolve_test_macros(defs: &[(String, Vec<Arm>)], known: &[TestMacro]) -> Vec<TestMacro> {
    let mut found: Vec<TestMacro> = Vec::new();
    let lookup = |found: &[TestMacro], name: &str| -> Option<TestMacro> {
        found.iter().chain(known).find(|m| m.name == name).cloned()
    };
    // Each round adds at least one arm, or stops: a chain of forwards resolves in as many
    // rounds as it is long.
    for _ in 0..=defs.len() {
        let mut grew = false;
        for (name, arms) in defs {
            let mut positions: Vec<(usize, usize)> = Vec::new();
            for arm in arms {
                let at_var = |var: &str| arm.vars.iter().position(|seg| seg.iter().any(|v| v == var));
                let arity = if arm.rest { ANY_ARITY } else { arm.vars.len() };
                let pos = arm.direct.as_deref().and_then(at_var).or_else(|| {
                    arm.forwards.iter().find_map(|(m, vars)| {
                        let pos = lookup(&found, m)?.position(vars.len())?;
                        match vars.get(pos)? {
                            Some(v) if v != REST => at_var(v),
                            // Within the input handed on whole: `extract!(basename_literal, $($tt)*)`.
                            _ => {
                                let rest = vars.iter().position(|v| v.as_deref() == Some(REST))?;
                                (arm.rest && rest <= pos).then(|| pos - rest)
                            }
                        }
                    })
                });
                if let Some(pos) = pos {
                    positions.push((arity, pos));
                }
            }
            if positions.is_empty() {
                continue;
            }
            match found.iter_mut().find(|m| &m.name == name) {
                Some(m) if m.arms.len() < positions.len() => {
                    m.arms = positions;
                    grew = true;
                }
                Some(_) => {}
                None => {
                    found.push(TestMacro { name: name.clone(), arms: positions });
                    grew = true;
                }
            }
        }
        if !grew {
            break;
        }
    }
    found
}

/// The macros of a file that write tests named by an argument, knowing those of other
/// files (`known`), which its own may call. Read from the file's skeleton.
pub fn test_macros(text: &str, known: &[TestMacro]) -> Vec<TestMacro> {
    if !text.contains("macro_rules") {
        return Vec::new();
    }
    let Ok(skeleton) = rust_items::parse(text) else { return Vec::new() };
    test_macros_in(text, &skeleton.items, known)
}

/// The same, from a skeleton already read.
fn test_macros_in(text: &str, items: &[rust_items::Item], known: &[TestMacro]) -> Vec<TestMacro> {
    if !text.contains("macro_rules") {
        return Vec::new();
    }
    let mut defs = Vec::new();
    macro_defs(text, items, &mut defs);
    resolve_test_macros(&defs, known)
}

/// The identifier that each top-level argument of a macro call ends with, if it is one,
/// with where it stands: `rgtest!(r16, |dir, cmd| …)` gives `r16` and nothing.
fn call_args(text: &str, tokens: std::ops::Range<usize>) -> Vec<Option<(String, usize)>> {
    let Ok(trees) = rust_items::trees(text, tokens) else { return Vec::new() };
    segments(&trees)
        .iter()
        .map(|seg| {
            // The name, after any attributes (`#[ignore] name`).
            let rest: Vec<&Tree> = seg
                .iter()
                .filter(|t| !matches!(t, Tree::Group(b'[', ..) | Tree::Punct(b'#', _) | Tree::Doc { .. }))
                .collect();
            match rest.as_slice() {
                [Tree::Ident(r)] => Some((text[r.clone()].to_owned(), r.start)),
                _ => None,
            }
        })
        .collect()
}

/// A fenced code block of a doc comment, as rustdoc reads its info string (`rust`,
/// `ignore`, `no_run`, `compile_fail`, `should_panic`, `edition2021`, …): whether it is
/// a doc test at all, and how it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fence {
    /// Another language (`text`, `toml`, `console`): not a test.
    NotRust,
    Runs,
    Ignored,
    /// `ignore-<target>`: ignored on some targets.
    IgnoredOn,
    /// `no_run`: compiled, never run.
    NoRun,
}

/// What a fence's info string makes of its block. A word rustdoc does not know makes the
/// block another language's, unless `rust` is among the words.
fn fence_kind(info: &str) -> Fence {
    let words: Vec<&str> = info.split(|c: char| c == ',' || c.is_whitespace()).filter(|w| !w.is_empty()).collect();
    let known = |w: &str| {
        matches!(
            w,
            "rust"
                | "ignore"
                | "should_panic"
                | "no_run"
                | "compile_fail"
                | "test_harness"
                | "standalone_crate"
                | "allow_fail"
        ) || w.starts_with("edition")
            || w.starts_with("ignore-")
            || (w.len() == 5 && w.starts_with('E') && w[1..].bytes().all(|b| b.is_ascii_digit()))
            || w.starts_with('{')
    };
    if words.iter().any(|w| !known(w)) && !words.contains(&"rust") {
        return Fence::NotRust;
    }
    if words.contains(&"ignore") {
        Fence::Ignored
    } else if words.iter().any(|w| w.starts_with("ignore-")) {
        Fence::IgnoredOn
    } else if words.contains(&"no_run") {
        Fence::NoRun
    } else {
        Fence::Runs
    }
}

/// The text of a doc comment line as rustdoc reads it: its one leading space gone.
fn doc_line<'t>(c: &rust_lex::Comment<'t>) -> &'t str {
    let t = c.text.strip_prefix(' ').unwrap_or(c.text);
    // A block doc comment's lines (`/** … */`) may carry a leading `*`.
    t.trim_end_matches("*/")
}

/// The doc tests that markers in doc comments link: a marker line, then (in the same
/// run of doc comment lines) the first fenced block of Rust below it. Their names are
/// cargo's for the file and its item (`src/lib.rs - add_one (line 12)`, where the line is
/// the fence's), before the crate's module path and the package's directory are known
/// (`reach::rust::complete` completes them). Returns the tests and the indices of the
/// comments that are their markers.
fn doc_tests(
    src: &Source,
    skeleton: &rust_items::Skeleton,
    comments: &[rust_lex::Comment],
    words: &MarkerWords,
) -> (Vec<TestCase>, Vec<usize>) {
    let (mut tests, mut used) = (Vec::new(), Vec::new());
    let mut i = 0;
    while i < comments.len() {
        let kind = comments[i].kind;
        // A run of doc comment lines of one kind, on consecutive lines.
        let mut end = i + 1;
        while end < comments.len()
            && comments[end].kind == kind
            && comments[end].line == comments[end - 1].line + 1
            && kind != CommentKind::Plain
        {
            end += 1;
        }
        if kind == CommentKind::Plain {
            i = end;
            continue;
        }
        let run = &comments[i..end];
        let mut pending: Vec<usize> = Vec::new();
        let mut open: Option<&str> = None;
        for (k, c) in run.iter().enumerate() {
            let line = doc_line(c).trim_start();
            let fence = ["```", "~~~"].into_iter().find(|f| line.starts_with(f));
            match (open, fence) {
                (Some(f), Some(g)) if f == g && line.trim_start_matches(g.as_bytes()[0] as char).trim().is_empty() => {
                    open = None
                }
                (Some(_), _) => {}
                (None, Some(f)) => {
                    open = Some(f);
                    let info = line.trim_start_matches(f.as_bytes()[0] as char);
                    let fence = fence_kind(info);
                    if fence == Fence::NotRust || pending.is_empty() {
                        continue;
                    }
                    let mut test_only = skeleton.inner_attrs.iter().any(|a| a.cfg_test).then(|| "this file".to_owned());
                    let item = doc_item(
                        src,
                        &skeleton.items,
                        src.offset(c),
                        kind == CommentKind::InnerDoc,
                        &mut Vec::new(),
                        &mut test_only,
                    );
                    let name = if item.is_empty() {
                        format!("{} - (line {})", src.path, c.line)
                    } else {
                        format!("{} - {item} (line {})", src.path, c.line)
                    };
                    let loc = Location {
                        path: src.path.to_owned(),
                        line: c.line,
                        column: c.col,
                        len: line.chars().count().max(1),
                    };
                    let marked = crate::finding::code(info.trim());
                    let (ignored, conditional_skip) = match (fence, test_only) {
                        (_, Some(on)) => (
                            Some(Skip::new(
                                loc.clone(),
                                format!(
                                    "`#[cfg(test)]` on {}: rustdoc does not build with `cfg(test)`, so this doc test is never compiled",
                                    crate::finding::code(&on)
                                ),
                            )),
                            None,
                        ),
                        (Fence::Ignored, _) => (
                            Some(Skip::new(
                                loc.clone(),
                                format!("its code block is marked {marked}, so rustdoc ignores it"),
                            )),
                            None,
                        ),
                        (Fence::IgnoredOn, _) => (
                            None,
                            Some(Skip::new(
                                loc.clone(),
                                format!("its code block is marked {marked}: rustdoc ignores it on those targets"),
                            )),
                        ),
                        (Fence::NoRun, _) => (
                            None,
                            Some(Skip::new(
                                loc.clone(),
                                format!(
                                    "its code block is marked {marked}: rustdoc compiles this doc test but never runs it"
                                ),
                            )),
                        ),
                        _ => (None, None),
                    };
                    let mut links = Vec::new();
                    for &p in &pending {
                        let m = &run[p];
                        if let Some(marker) = words.parse(m.text) {
                            links.extend(marker.ids.iter().map(|(id, off)| super::Link {
                                incident: id.clone(),
                                loc: Location {
                                    path: src.path.to_owned(),
                                    line: m.line,
                                    column: m.col + off,
                                    len: id.chars().count(),
                                },
                            }));
                        }
                        used.push(i + p);
                    }
                    pending.clear();
                    // Its code, up to the closing fence: what tells a doc test moved by
                    // an edit above it (its name has its line) from a new one.
                    let code: Vec<&str> =
                        run[k + 1..].iter().map(doc_line).take_while(|l| !l.trim_start().starts_with(f)).collect();
                    tests.push(TestCase {
                        id: name.clone(),
                        name,
                        loc,
                        ignored,
                        conditional_skip,
                        links,
                        body: super::Body::owned(&code.join("\n")),
                        approximate: false,
                    });
                }
                (None, None) => {
                    if words.parse(c.text).is_some() {
                        pending.push(k);
                    }
                }
            }
        }
        i = end;
    }
    (tests, used)
}

/// The path rustdoc names a doc test by, inside the file: the item a doc comment at
/// `at` documents (`Cart::new`, `inner::deep::T::m`), or for an inner one (`//!`) the
/// module it stands in; empty for the file's own module. `scope` is the path so far.
fn doc_item(
    src: &Source,
    items: &[rust_items::Item],
    at: usize,
    inner: bool,
    scope: &mut Vec<String>,
    test_only: &mut Option<String>,
) -> String {
    let text = src.text;
    let joined =
        |scope: &[String], last: Option<String>| scope.iter().cloned().chain(last).collect::<Vec<_>>().join("::");
    // The item around `at`, by halving: items are in order, and a file may have tens of
    // thousands of doc tests.
    let i = items.partition_point(|it| it.span.end <= at);
    if let Some(item) = items.get(i).filter(|it| it.span.start <= at) {
        let documents = !inner && at < item.head;
        let inner_attrs: &[rust_items::Attr] = match &item.kind {
            Kind::Mod { body: Some(body), .. } => &body.inner_attrs,
            _ => &[],
        };
        if test_only.is_none() && item.attrs.iter().chain(inner_attrs).any(|a| a.cfg_test) {
            *test_only = Some(item_what(text, item));
        }
        let name = match &item.kind {
            Kind::Fn { name, .. } | Kind::Mod { name, .. } => Some(text[name.clone()].to_owned()),
            Kind::Macro { name, tokens } if &text[name.clone()] == "macro_rules" => {
                Some(text[name.end..tokens.start].trim_start_matches([' ', '\t', '\n', '\r', '!']).trim().to_owned())
            }
            Kind::Impl { body } => Some(impl_type(&text[item.head..body.braces.start])),
            Kind::Other { what } => what.split_whitespace().last().map(str::to_owned),
            _ => None,
        };
        if documents {
            return joined(scope, name);
        }
        match &item.kind {
            Kind::Mod { body: Some(body), .. } | Kind::Impl { body } if body.braces.start < at => {
                scope.extend(name);
                if inner
                    && matches!(item.kind, Kind::Mod { .. })
                    && !body.items.iter().any(|it| it.span.start <= at && at < it.span.end)
                {
                    return joined(scope, None);
                }
                return doc_item(src, &body.items, at, inner, scope, test_only);
            }
            Kind::Other { what } if what.starts_with("trait ") => {
                // A trait's items are not in the skeleton: the one below the comment.
                let below = src
                    .lines()
                    .iter()
                    .skip(src.line(at))
                    .find(|l| !l.trim_start().starts_with("//") && !l.trim_start().starts_with("#["));
                let member = below.and_then(|l| fn_name(l.trim_start()));
                scope.extend(name);
                return joined(scope, member);
            }
            _ => {}
        }
    }
    joined(scope, None)
}

/// An item as messages name it: `mod tests`, `fn helper`.
fn item_what(text: &str, item: &rust_items::Item) -> String {
    match &item.kind {
        Kind::Fn { name, .. } => format!("fn {}", &text[name.clone()]),
        Kind::Mod { name, .. } => format!("mod {}", &text[name.clone()]),
        Kind::Other { what } => what.clone(),
        _ => "an item".to_owned(),
    }
}

/// The type an impl block's head (`impl<T: A> Trait for Vec<T> where …`) is for, as
/// rustdoc names its items' doc tests: the last segment of its path, without generics.
fn impl_type(head: &str) -> String {
    let mut rest = head.trim().strip_prefix("unsafe").unwrap_or(head.trim()).trim_start();
    rest = rest.strip_prefix("impl").unwrap_or(rest).trim_start();
    // The impl's own generics.
    if rest.starts_with('<') {
        let mut depth = 0usize;
        for (i, c) in rest.char_indices() {
            match c {
                '<' => depth += 1,
                '>' => {
                    depth -= 1;
                    if depth == 0 {
                        rest = &rest[i + 1..];
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    let rest = rest.split(" where").next().unwrap_or(rest);
    let ty = rest.rsplit(" for ").next().unwrap_or(rest);
    let ty = ty.split('<').next().unwrap_or(ty).trim().trim_start_matches(['&', '!']);
    let ty = ty.strip_prefix("dyn ").unwrap_or(ty);
    ty.rsplit("::").next().unwrap_or(ty).trim().to_owned()
}

/// Whether two quoted cfg attributes are `#[cfg(p)]` and `#[cfg(not(p))]`.
fn complementary(a: &str, b: &str) -> bool {
    let pred =
        |s: &str| s.trim_matches('`').strip_prefix("#[cfg(").and_then(|r| r.strip_suffix(")]")).map(str::to_owned);
    match (pred(a), pred(b)) {
        (Some(a), Some(b)) => a == format!("not({b})") || b == format!("not({a})"),
        _ => false,
    }
}

/// Two fns with one identity are the cfg alternatives of one test (`#[cfg(unix)] fn e`
/// and `#[cfg(not(unix))] fn e`): one test, linked by the markers of either. It is
/// disabled only when every alternative is; conditional only when every one is.
fn merge_alternatives(scan: &mut FileScan) {
    let mut merged: Vec<TestCase> = Vec::with_capacity(scan.tests.len());
    // By identity, not a search of the tests so far: 40,000 tests in a file took time
    // quadratic in them.
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for t in std::mem::take(&mut scan.tests) {
        match index.get(&t.id).map(|&i| &mut merged[i]) {
            None => {
                index.insert(t.id.clone(), merged.len());
                merged.push(t);
            }
            Some(m) => {
                super::add_links(&mut m.links, t.links);
                if t.ignored.is_none() {
                    let first_ran = m.ignored.is_none();
                    m.ignored = None;
                    m.conditional_skip = match (m.conditional_skip.take(), t.conditional_skip) {
                        // `cfg(x)` and `cfg(not(x))`: between them, it always runs.
                        (Some(a), Some(b)) if complementary(&a.what, &b.what) => None,
                        (Some(a), Some(_)) if first_ran => Some(a),
                        (_, b) if !first_ran => b,
                        _ => None,
                    };
                }
            }
        }
    }
    scan.tests = merged;
}

/// The items of `items` and of the modules inside them, for `attach`. `conds` are the
/// conditions of the file and the modules around `items`.
fn collect(
    src: &Source,
    items: &[rust_items::Item],
    modules: &mut Vec<String>,
    conds: &mut Vec<rust_cfg::Cond>,
    out: &mut Vec<Item>,
) {
    let text = src.text;
    // The line of a range's last byte: where a closing brace stands.
    let last_line = |r: &std::ops::Range<usize>| src.line(r.end.saturating_sub(1).max(r.start));
    for item in items {
        match &item.kind {
            Kind::Fn { name, body } => {
                let name_str = text[name.clone()].to_owned();
                // rstest_reuse's `#[template]` carries `#[rstest]` but is a template, not a test.
                let template = item.attrs.iter().any(|a| a.path == "template");
                let kind = if !template
                    && (item.attrs.iter().any(|a| src.is_test_attr(a)) || src.cfg_attr_test(&item.attrs))
                {
                    let mut all = conds.clone();
                    all.extend(src.conditions(&item.attrs, ""));
                    for a in item.attrs.iter().filter(|a| src.is_test_attr(a)) {
                        let quoted: String = text[a.span.clone()].split_whitespace().collect::<Vec<_>>().join(" ");
                        let quoted: String = quoted.chars().take(120).collect();
                        if let Some(why) = rust_attrs::condition(a.path.trim_start_matches(':'), &quoted) {
                            let quoted = crate::finding::code(&quoted);
                            let loc = src.loc(a.span.start, quoted.chars().count().saturating_sub(2).max(1));
                            all.push(rust_cfg::Cond {
                                runs: rust_cfg::Truth::Depends,
                                skip: Skip::new(loc, format!("{quoted} {why}")),
                                expr: None,
                            });
                        }
                    }
                    let (never, depends) = rust_cfg::resolve(&all);
                    let ignored = item
                        .attrs
                        .iter()
                        .find(|a| a.path == "ignore")
                        .map(|a| Skip::new(src.loc(a.span.start, 9), "`#[ignore]`"))
                        .or(never);
                    ItemKind::Test {
                        loc: src.loc(name.start, name_str.chars().count()),
                        conditional_skip: if ignored.is_some() { None } else { depends },
                        ignored,
                        direct_links: Vec::new(),
                        name: name_str.clone(),
                        span: Some(item.span.clone()),
                    }
                } else {
                    ItemKind::Other
                };
                out.push(Item {
                    kind,
                    start_line: src.line(item.span.start),
                    decl_line: src.line(name.start),
                    end_line: last_line(body.as_ref().unwrap_or(&item.span)),
                    scope: modules.clone(),
                    what: format!("fn {name_str}"),
                });
            }
            Kind::Mod { name, body } => {
                let name_line = src.line(name.start);
                let name = text[name.clone()].to_owned();
                modules.push(name.clone());
                out.push(Item {
                    kind: if body.is_some() { ItemKind::Container } else { ItemKind::Other },
                    start_line: src.line(item.span.start),
                    decl_line: name_line,
                    end_line: body.as_ref().map_or(name_line, |b| last_line(&b.braces)),
                    scope: modules.clone(),
                    what: format!("mod {name}"),
                });
                if let Some(body) = body {
                    let outer = conds.len();
                    let attrs: Vec<rust_items::Attr> = item.attrs.iter().chain(&body.inner_attrs).cloned().collect();
                    conds.extend(src.conditions(&attrs, &format!("mod {name}")));
                    collect(src, &body.items, modules, conds, out);
                    conds.truncate(outer);
                }
                modules.pop();
            }
            Kind::Macro { name, tokens } if &text[name.clone()] == "proptest" => {
                out.push(other(src, item, "a `proptest!` block".into(), modules));
                macro_body_fns(src, tokens.clone(), modules, conds, out);
            }
            Kind::Macro { name, .. } if &text[name.clone()] == "macro_rules" => {
                out.push(other(src, item, "a macro definition".into(), modules));
            }
            Kind::Macro { name, tokens } => {
                let macro_name = &text[name.clone()];
                let args = call_args(text, tokens.clone());
                let mut all = conds.clone();
                all.extend(src.conditions(&item.attrs, ""));
                let (never, depends) = rust_cfg::resolve(&all);
                let generated = src
                    .macros
                    .iter()
                    .find(|m| m.name == macro_name)
                    .and_then(|m| m.position(args.len()))
                    .and_then(|pos| args.get(pos).cloned().flatten());
                if let Some((test, at)) = generated {
                    // A test the file's own macro writes: `syntax!(literal1, "a", …)`.
                    let start = src.line(item.span.start);
                    out.push(Item {
                        kind: ItemKind::Test {
                            loc: src.loc(at, test.chars().count()),
                            conditional_skip: if never.is_some() { None } else { depends },
                            ignored: never,
                            direct_links: Vec::new(),
                            name: test.clone(),
                            span: Some(item.span.clone()),
                        },
                        start_line: start,
                        decl_line: item.attrs_end.map_or(start, |end| src.line(end.saturating_sub(1)) + 1).max(start),
                        end_line: src.line(item.span.end.saturating_sub(1).max(item.span.start)),
                        scope: modules.clone(),
                        what: format!("fn {test}"),
                    });
                    continue;
                }
                let what = format!("a `{macro_name}!` invocation");
                if text.as_bytes().get(tokens.start) == Some(&b'{') && text[tokens.clone()].contains("fn") {
                    // `#[test] fn` items inside a brace-bodied macro (tokio's `rt_test! { … }`):
                    // the macro pastes them, as `proptest!` does.
                    out.push(other(src, item, what.clone(), modules));
                    macro_body_fns(src, tokens.clone(), modules, conds, out);
                } else {
                    out.push(other(src, item, what.clone(), modules));
                }
                if args.iter().any(Option::is_some) {
                    let args = args.into_iter().map(|a| {
                        a.map(|(n, at)| {
                            let len = n.chars().count();
                            (n, src.loc(at, len))
                        })
                    });
                    src.calls.borrow_mut().push((
                        src.line(item.span.start),
                        what,
                        super::MacroCall {
                            name: macro_name.to_owned(),
                            args: args.collect(),
                            scope: modules.clone(),
                            ignored: never,
                            conditional_skip: depends,
                            strays: Vec::new(),
                            links: Vec::new(),
                        },
                    ));
                }
            }
            Kind::Impl { body } => {
                out.push(other(src, item, "an impl block".into(), modules));
                for it in &body.items {
                    if let Kind::Fn { name, body } = &it.kind {
                        out.push(Item {
                            kind: ItemKind::Other,
                            start_line: src.line(it.span.start),
                            decl_line: src.line(name.start),
                            end_line: last_line(body.as_ref().unwrap_or(&it.span)),
                            scope: modules.clone(),
                            what: format!("method {}", &text[name.clone()]),
                        });
                    }
                }
            }
            Kind::Use => out.push(other(src, item, "a `use` declaration".into(), modules)),
            Kind::Other { what } => out.push(other(src, item, what.clone(), modules)),
        }
    }
}

/// How deeply a token tree's brackets nest.
fn depth_of(tree: &Tree) -> usize {
    match tree {
        Tree::Group(_, _, depth) => *depth,
        _ => 0,
    }
}

/// The calls of macros the file does not define that markers stand on: each with the
/// indices of the stray markers above it (what a marker on one stands on names the
/// macro, and a marker stands on the first item below it).
/// An inner marker (`//!`) links the calls in its module too: its links, and its stray
/// when the module has no test of its own.
fn pending_calls(
    src: &Source,
    skeleton: &rust_items::Skeleton,
    comments: &[rust_lex::Comment],
    words: &MarkerWords,
    scan: &FileScan,
    calls: Vec<(usize, String, super::MacroCall)>,
) -> Vec<super::MacroCall> {
    let mut calls = calls;
    if calls.is_empty() {
        return Vec::new();
    }
    calls.sort_by_key(|(line, _, _)| *line);
    // The first call below each stray, found by halving: strays and calls can both be
    // tens of thousands.
    let mut stray_at: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for (i, stray) in scan.stray.iter().enumerate() {
        stray_at.entry(stray.loc.line).or_insert(i);
        let below = calls.partition_point(|(line, _, _)| *line <= stray.loc.line);
        if let Some((_, what, call)) = calls.get_mut(below)
            && *what == stray.target
        {
            call.strays.push(i);
        }
    }
    for c in comments.iter().filter(|c| c.kind == CommentKind::InnerDoc) {
        let Some(marker) = words.parse(c.text) else { continue };
        let module = doc_item(src, &skeleton.items, src.offset(c), true, &mut Vec::new(), &mut None);
        let stray = stray_at.get(&c.line).copied();
        for (_, _, call) in calls.iter_mut() {
            let scope = call.scope.join("::");
            let inside = module.is_empty()
                || scope == module
                || scope.strip_prefix(&module).is_some_and(|rest| rest.starts_with("::"));
            if !inside {
                continue;
            }
            match stray {
                Some(i) => call.strays.push(i),
                None => call.links.extend(marker.ids.iter().map(|(id, off)| super::Link {
                    incident: id.clone(),
                    loc: Location {
                        path: src.path.to_owned(),
                        line: c.line,
                        column: c.col + off,
                        len: id.chars().count(),
                    },
                })),
            }
        }
    }
    calls.into_iter().map(|(_, _, c)| c).filter(|c| !c.strays.is_empty() || !c.links.is_empty()).collect()
}

/// An item that is not a test: from its first attribute, named on the line after its
/// attributes, to its last token.
fn other(src: &Source, item: &rust_items::Item, what: String, modules: &[String]) -> Item {
    let start = src.line(item.span.start);
    Item {
        kind: ItemKind::Other,
        start_line: start,
        decl_line: item.attrs_end.map_or(start, |end| src.line(end.saturating_sub(1)) + 1).max(start),
        end_line: src.line(item.span.end.saturating_sub(1).max(item.span.start)),
        scope: modules.to_vec(),
        what,
    }
}

/// The fns of a `proptest! { … }` block, or of any brace-bodied macro call that pastes
/// the items it is given (tokio's `rt_test! { … }`). Their parameters (`x in 0..10`) need
/// not be Rust syntax, so the tokens are walked directly: attributes, `fn`, a name,
/// arguments and a body. `conds` are those of the modules around the call.
fn macro_body_fns(
    src: &Source,
    tokens: std::ops::Range<usize>,
    modules: &[String],
    conds: &[rust_cfg::Cond],
    out: &mut Vec<Item>,
) {
    let text = src.text;
    let Ok(tokens) = rust_items::trees(text, tokens) else { return };
    // Outer attributes so far: the text of their path, and where their `#` stands.
    let mut attrs: Vec<(String, usize)> = Vec::new();
    // The same, as the skeleton's attributes, for reading their conditions.
    let mut cfgs: Vec<rust_items::Attr> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Tree::Punct(b'#', at) => {
                // `#[attr]` (outer) or `#![attr]` (inner, e.g. proptest_config): keep outer ones.
                let inner = matches!(tokens.get(i + 1), Some(Tree::Punct(b'!', _)));
                let group = if inner { i + 2 } else { i + 1 };
                if let Some(Tree::Group(b'[', g, _)) = tokens.get(group) {
                    if !inner {
                        let name = text[g.start + 1..g.end - 1].split(['(', '[', '{', '=']).next().unwrap_or("");
                        let path: String = name.chars().filter(|c| !c.is_whitespace()).collect();
                        if matches!(path.as_str(), "cfg" | "cfg_attr") {
                            let cfg_test = text[*at..g.end].split_whitespace().collect::<String>() == "#[cfg(test)]";
                            cfgs.push(rust_items::Attr {
                                span: *at..g.end,
                                path: path.clone(),
                                cfg_test,
                                depth: depth_of(&tokens[group]),
                            });
                        }
                        attrs.push((path, *at));
                    }
                    i = group + 1;
                    continue;
                }
                i += 1;
            }
            Tree::Doc { span, inner } => {
                if !inner {
                    attrs.push(("doc".into(), span.start));
                }
                i += 1;
            }
            Tree::Ident(kw) if &text[kw.clone()] == "fn" => {
                let Some(Tree::Ident(name)) = tokens.get(i + 1) else {
                    i += 1;
                    continue;
                };
                let body = tokens[i + 2..].iter().position(|t| matches!(t, Tree::Group(b'{', ..)));
                let body_span = body.map(|b| tokens[i + 2 + b].span());
                let end_line = body_span.as_ref().map_or(src.line(name.start), |b| src.line(b.end - 1));
                let is_test = attrs.iter().any(|(a, _)| a.rsplit("::").next() == Some("test"));
                let name_str = text[name.clone()].to_owned();
                let first = attrs.iter().map(|(_, at)| *at).min().unwrap_or(kw.start);
                let mut all = conds.to_vec();
                all.extend(src.conditions(&cfgs, ""));
                let (never, depends) = rust_cfg::resolve(&all);
                let ignored = attrs
                    .iter()
                    .find(|(a, _)| a == "ignore")
                    .map(|(_, at)| Skip::new(src.loc(*at, 9), "`#[ignore]`"))
                    .or(never);
                out.push(Item {
                    kind: if is_test {
                        ItemKind::Test {
                            loc: src.loc(name.start, name_str.chars().count()),
                            conditional_skip: if ignored.is_some() { None } else { depends },
                            ignored,
                            direct_links: Vec::new(),
                            name: name_str.clone(),
                            span: Some(first..body_span.as_ref().map_or(name.end, |b| b.end)),
                        }
                    } else {
                        ItemKind::Other
                    },
                    start_line: src.line(first),
                    decl_line: src.line(name.start),
                    end_line,
                    scope: modules.to_vec(),
                    what: format!("fn {name_str}"),
                });
                attrs.clear();
                cfgs.clear();
                i += 2 + body.map_or(0, |b| b + 1);
            }
            _ => {
                attrs.clear();
                cfgs.clear();
                i += 1;
            }
        }
    }
}

/// For a file `syn` cannot parse, read as text: a test is a `fn` line whose attribute
/// lines above it name a test attribute (`#[test]`, `#[tokio::test]`, `#[rstest]`, …),
/// and a marker links it when it stands in the comment and attribute lines directly
/// above. A marker above anything else links nothing: a broken file must not turn a
/// helper into a regression test. An inner marker links every such test in the file.
/// Identities lack the module path (the modules cannot be read), so they are marked
/// approximate and compared by name.
fn text_fallback(path: &str, text: &str, comments: &[rust_lex::Comment], words: &MarkerWords) -> FileScan {
    let lines: Vec<&str> = text.lines().collect();
    let comment_lines: std::collections::HashSet<usize> =
        comments.iter().filter(|c| c.own_line).map(|c| c.line).collect();
    let at = |line: usize, column: usize, len: usize| Location { path: path.to_owned(), line, column, len };
    // The `fn` that the attribute and comment lines starting at line `from` (1-based)
    // stand on: its name and line, whether a test attribute is among them, and `#[ignore]`.
    let item_below = |from: usize| -> Option<(String, usize, bool, Option<Skip>)> {
        let (mut test, mut ignored) = (false, None);
        for (n, l) in lines.iter().enumerate().skip(from.saturating_sub(1)).take(40) {
            let l = l.trim_start();
            if let Some(name) = fn_name(l) {
                return Some((name, n + 1, test, ignored));
            }
            if let Some(attr) = l.strip_prefix("#[") {
                let path: String = attr.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
                test |=
                    rust_attrs::is_test_path(&path) || rust_attrs::is_configured(&path, words.rust_test_attributes());
                if path == "ignore" {
                    ignored = Some(Skip::new(at(n + 1, 1, 9), "`#[ignore]`"));
                }
            } else if !(comment_lines.contains(&(n + 1))
                || l.starts_with(']')
                || l.starts_with(')')
                || l.is_empty() && n + 1 == from)
            {
                return None;
            }
        }
        None
    };
    let mut scan = FileScan { path: path.to_owned(), ..FileScan::default() };
    let mut by_id: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut add_test = |scan: &mut FileScan, name: &str, line: usize, ignored: Option<Skip>| -> usize {
        let id = super::identity(path, &[], name);
        if let Some(&i) = by_id.get(&id) {
            return i;
        }
        by_id.insert(id.clone(), scan.tests.len());
        scan.tests.push(TestCase {
            id,
            loc: at(line, 1, 1),
            name: name.to_owned(),
            ignored,
            conditional_skip: None,
            links: Vec::new(),
            body: Default::default(),
            approximate: true,
        });
        scan.tests.len() - 1
    };
    let mut every_test: Option<Vec<(String, usize, Option<Skip>)>> = None;
    let mut linker = super::Linker::default();
    for c in comments {
        let Some(marker) = words.parse(c.text) else { continue };
        scan.has_markers = true;
        let mark = |offset: usize, len: usize| at(c.line, c.col + offset, len);
        for (token, offset) in &marker.bad {
            scan.bad_markers.push(super::BadMarker {
                loc: mark(*offset, token.chars().count().max(1)),
                token: token.clone(),
                prose: false,
            });
        }
        if let Some((prose, offset)) = &marker.prose {
            scan.bad_markers.push(super::BadMarker {
                loc: mark(*offset, prose.chars().count().max(1)),
                token: prose.clone(),
                prose: true,
            });
        }
        let links: Vec<super::Link> = marker
            .ids
            .iter()
            .map(|(id, off)| super::Link { incident: id.clone(), loc: mark(*off, id.chars().count()) })
            .collect();
        let stray =
            |target: String| super::StrayMarker { loc: mark(marker.offset, marker.len), ids: links.clone(), target };
        if c.kind == CommentKind::InnerDoc {
            // What looks like a test does not depend on the marker: read once, not once
            // per inner marker (which took time quadratic in the file).
            let every_test = every_test.get_or_insert_with(|| {
                (1..=lines.len())
                    .filter(|&n| {
                        lines[n - 1].trim_start().starts_with("#[")
                            && (n == 1 || !lines[n - 2].trim_start().starts_with("#["))
                    })
                    .filter_map(|n| match item_below(n) {
                        Some((name, line, true, ignored)) => Some((name, line, ignored)),
                        _ => None,
                    })
                    .collect::<Vec<_>>()
            });
            let linked = !every_test.is_empty();
            for (name, line, ignored) in every_test.iter() {
                let i = add_test(&mut scan, name, *line, ignored.clone());
                linker.add(&mut scan.tests[i].links, i, links.iter().cloned());
            }
            if !linked {
                scan.stray.push(stray("this file, in which no test could be read (it does not parse)".into()));
            }
            continue;
        }
        match item_below(c.line + 1) {
            Some((name, line, true, ignored)) => {
                let i = add_test(&mut scan, &name, line, ignored);
                linker.add(&mut scan.tests[i].links, i, links);
            }
            Some((name, _, false, _)) => {
                scan.stray.push(stray(format!("fn {name} (read as text: the file does not parse)")));
            }
            None => scan.stray.push(stray(String::new())),
        }
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

    // incident: IG-2026-013
    #[test]
    fn custom_test_attributes_of_real_suites_were_not_tests() {
        let s = scan(
            "use cargo_test_support::prelude::*;\n\
// incident: C-1\n#[cargo_test]\nfn cargo_plain() {}\n\
// incident: C-1\n#[cargo_test(nightly, reason = \"-Zfoo is unstable\")]\nfn cargo_nightly() {}\n\
// incident: C-1\n#[sqlx::test(migrations = \"m\")]\nasync fn sqlx(pool: PgPool) {}\n\
// incident: C-1\n#[test_log::test(tokio::test)]\nasync fn logged() {}\n\
// incident: C-1\n#[tokio::test(flavor = \"multi_thread\", worker_threads = 2)]\nasync fn tokio_mt() {}\n\
// incident: C-1\n#[googletest::test]\nfn google() {}\n\
// incident: C-1\n#[gtest]\nfn gtest() {}\n\
// incident: C-1\n#[test_matrix([1, 2], [3, 4])]\nfn matrix(a: u8, b: u8) {}\n\
// incident: C-1\n#[wasm_bindgen_test]\nfn wasm() {}\n",
        );
        let got: Vec<(&str, Option<&str>)> =
            s.tests.iter().map(|t| (t.name.as_str(), t.conditional_skip.as_ref().map(|k| k.what.as_str()))).collect();
        let names: Vec<&str> = got.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            ["cargo_plain", "cargo_nightly", "sqlx", "logged", "tokio_mt", "google", "gtest", "matrix", "wasm"]
        );
        assert!(s.stray.is_empty(), "{:?}", s.stray);
        let cond = |n: &str| got.iter().find(|(m, _)| *m == n).and_then(|(_, c)| *c);
        assert_eq!(cond("cargo_plain"), None);
        assert!(cond("cargo_nightly").is_some_and(|c| c.starts_with("`#[cargo_test(nightly") && c.contains("ignores")));
        assert!(cond("wasm").is_some_and(|c| c.contains("wasm targets")));
        assert_eq!(cond("tokio_mt"), None);
    }

    #[test]
    fn configured_test_attributes_make_tests() {
        let words =
            MarkerWords::new(&["incident".to_owned()]).with_rust_test_attributes(vec!["my_crate::check".to_owned()]);
        let src = "use my_crate::check;\n// incident: M-1\n#[check]\nfn imported() {}\n// incident: M-1\n#[my_crate::check(slow)]\nfn full() {}\n// incident: M-1\n#[other::check]\nfn other() {}\n";
        let s = Rust.scan("src/lib.rs", src, &words);
        let ids: Vec<String> = links(&s).into_iter().map(|(id, _)| id).collect();
        assert_eq!(ids, ["src/lib.rs::imported", "src/lib.rs::full"]);
        assert_eq!(s.stray.len(), 1);
        // Without the config, none is a test.
        assert!(links(&scan(src)).is_empty());
        // Read as text too.
        let broken = Rust.scan("src/lib.rs", "// incident: M-1\n#[check]\nfn t() { let = ; }\n", &words);
        assert_eq!(broken.tests.len(), 1);
    }

    // incident: IG-2026-013
    #[test]
    fn tests_written_by_the_crates_own_macros_were_not_tests() {
        // globset's `syntax!` and `toregex!` (which forwards to its other arm), mdman's
        // `test!` with parentheses, in a `mod tests`.
        let s = scan(
            "#[cfg(test)]\nmod tests {\n    macro_rules! syntax {\n        ($name:ident, $pat:expr, $tokens:expr) => {\n            #[test]\n            fn $name() { assert_eq!($tokens, $pat); }\n        };\n    }\n\
    macro_rules! toregex {\n        ($name:ident, $pat:expr, $re:expr) => {\n            toregex!($name, $pat, $re, Options::default());\n        };\n        ($name:ident, $pat:expr, $re:expr, $options:expr) => {\n            #[test]\n            fn $name() {}\n        };\n    }\n\
    macro_rules! test( ($name:ident) => ( #[test] fn $name() {} ) );\n\
    macro_rules! helper { ($e:expr) => { fn $e() {} } }\n\
    // incident: G-1\n    syntax!(literal1, \"a\", vec![Literal('a')]);\n\
    // incident: G-1\n    toregex!(re_casei1, \"a\", \"(?i)^a$\");\n\
    // incident: G-1\n    test!(basic);\n\
    // incident: G-1\n    helper!(nope);\n\
    #[cfg(any())]\n    // incident: G-1\n    syntax!(never, \"a\", vec![]);\n}\n",
        );
        let ids: Vec<String> = links(&s).into_iter().map(|(id, _)| id).collect();
        assert_eq!(
            ids,
            [
                "src/lib.rs::tests::literal1",
                "src/lib.rs::tests::re_casei1",
                "src/lib.rs::tests::basic",
                "src/lib.rs::tests::never"
            ]
        );
        let literal1 = &s.tests.iter().find(|t| t.name == "literal1").unwrap();
        assert_eq!((literal1.loc.line, literal1.loc.column), (21, 13));
        assert!(s.tests.iter().find(|t| t.name == "never").unwrap().ignored.is_some());
        assert_eq!(s.stray.len(), 1, "{:?}", s.stray);
        assert_eq!(s.stray[0].target, "a `helper!` invocation");
        // Handing the whole input on (`$($tt)*`), as globset's `baseliteral!` does.
        let s = scan(
            "macro_rules! extract {\n    ($which:ident, $name:ident, $pat:expr) => { #[test] fn $name() {} };\n}\nmacro_rules! baseliteral {\n    ($($tt:tt)*) => { extract!(basename_literal, $($tt)*); }\n}\n// incident: G-1\nbaseliteral!(extract_baselit1, \"**/foo\");\n",
        );
        assert_eq!(links(&s).into_iter().map(|(id, _)| id).collect::<Vec<_>>(), ["src/lib.rs::extract_baselit1"]);
        // A macro the file does not define: left for the crate to tell.
        let s = scan("// incident: R-1\nrgtest!(r16, |dir: Dir, mut cmd: TestCommand| {\n    cmd.arg(\"x\");\n});\n");
        assert_eq!(s.stray.len(), 1);
        assert_eq!(s.macro_calls.len(), 1);
        assert_eq!(s.macro_calls[0].name, "rgtest");
        assert_eq!(s.macro_calls[0].strays, [0]);
        assert_eq!(s.macro_calls[0].args[0].as_ref().map(|(n, l)| (n.as_str(), l.line)), Some(("r16", 2)));
    }

    // incident: IG-2026-013
    #[test]
    fn tests_inside_a_brace_bodied_macro_call_were_not_tests() {
        // tokio's `rt_test! { … }`, which pastes its items into a module per runtime.
        let s = scan(
            "rt_test! {\n    #[cfg(not(target_os=\"wasi\"))]\n    use std::thread;\n\n    // incident: T-1\n    #[test]\n    fn block_on_sync() {}\n\n    // incident: T-1\n    #[cfg(not(target_os=\"wasi\"))]\n    #[test]\n    fn spawn_two() {}\n\n    // incident: T-1\n    #[cfg(any())]\n    #[test]\n    fn never() {}\n}\n",
        );
        let got: Vec<(String, bool, Option<String>)> = s
            .tests
            .iter()
            .filter(|t| !t.links.is_empty())
            .map(|t| (t.name.clone(), t.ignored.is_some(), t.conditional_skip.as_ref().map(|c| c.what.clone())))
            .collect();
        assert_eq!(
            got,
            [
                ("block_on_sync".to_owned(), false, None),
                ("spawn_two".to_owned(), false, Some("`#[cfg(not(target_os=\"wasi\"))]`".to_owned())),
                ("never".to_owned(), true, None),
            ]
        );
        assert!(s.stray.is_empty(), "{:?}", s.stray);
    }

    // incident: IG-2026-013
    #[test]
    fn doc_tests_marked_in_their_doc_comment_were_not_tests() {
        let s = scan(
            "//! Crate.\n//!\n//! incident: D-1\n//! ```\n//! assert!(true);\n//! ```\n\n\
/// Adds one.\n///\n/// incident: D-1\n///\n/// ```\n/// assert_eq!(add_one(1), 2);\n/// ```\n///\n/// incident: D-1\n/// ```ignore\n/// x\n/// ```\n/// incident: D-1\n/// ```text\n/// not rust\n/// ```\n\
pub fn add_one(x: i32) -> i32 { x + 1 }\n\
pub struct Cart;\nimpl<T> Into<T> for Cart {\n    /// incident: D-1\n    /// ```no_run\n    /// loop {}\n    /// ```\n    fn into(self) -> T { todo!() }\n}\n",
        );
        let got: Vec<(&str, bool, bool)> =
            s.tests.iter().map(|t| (t.name.as_str(), t.ignored.is_some(), t.conditional_skip.is_some())).collect();
        assert_eq!(
            got,
            [
                ("src/lib.rs - (line 4)", false, false),
                ("src/lib.rs - add_one (line 12)", false, false),
                ("src/lib.rs - add_one (line 17)", true, false),
                ("src/lib.rs - Cart::into (line 28)", false, true),
            ]
        );
        assert!(s.tests.iter().all(|t| t.links.len() == 1 && t.id == t.name));
        assert_eq!(s.tests[1].links[0].loc.line, 10);
        assert_eq!(s.tests[1].body.as_str(), "assert_eq!(add_one(1), 2);");
        // The marker above a `text` block stands on no test: it is the fn's, which is none.
        assert_eq!(s.stray.len(), 1, "{:?}", s.stray);
        assert_eq!(s.stray[0].loc.line, 20);
    }

    #[test]
    fn many_doc_tests_and_macro_calls_are_read_in_linear_time() {
        // Each doc test looked through every item of the file for the one it documents,
        // and each stray marker through every macro call below it: 20,000 of each.
        let mut src = String::new();
        for i in 0..20_000 {
            src.push_str(&format!("/// incident: D-1\n/// ```\n/// f{i}();\n/// ```\npub fn f{i}() {{}}\n"));
            src.push_str(&format!("// incident: D-1\nother!(t{i});\n"));
        }
        let s = scan(&src);
        assert_eq!(s.tests.len(), 20_000);
        assert_eq!(s.tests[19_999].name, "src/lib.rs - f19999 (line 139995)");
        assert_eq!((s.stray.len(), s.macro_calls.len()), (20_000, 20_000));
        assert!(s.macro_calls.iter().enumerate().all(|(i, c)| c.strays == [i]));
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
    fn deep_nesting_that_rustc_accepts_parses() {
        for (open, close) in [("(", ")"), ("{", "}"), ("[", "]")] {
            let src = format!("// incident: D-1\n#[test]\nfn t() {{ {}1{} }}\n", open.repeat(5000), close.repeat(5000));
            let s = scan(&src);
            assert!(s.unparsable.is_none(), "{open}: {:?}", s.unparsable);
            assert_eq!(links(&s), [("src/lib.rs::t".to_owned(), vec!["D-1@1:14".to_owned()])]);
        }
        let src = format!(
            "// incident: D-1\n#[test]\nfn t() {{ let x: {}u8{} = 1; let y = {}1; }}\n",
            "Vec<".repeat(5000),
            ">".repeat(5000),
            "!".repeat(20000)
        );
        assert!(scan(&src).unparsable.is_none());
    }

    #[test]
    fn nesting_past_the_stack_budget_is_refused_not_a_crash() {
        let src = format!("// incident: D-1\n#[test]\nfn t() {{ {}1{} }}\n", "(".repeat(200_000), ")".repeat(200_000));
        let s = scan(&src);
        assert!(s.unparsable.as_ref().unwrap().message.contains("nests too deeply"));
        // Still read as text: the marker links the test.
        assert_eq!(links(&s), [("src/lib.rs::t".to_owned(), vec!["D-1@1:14".to_owned()])]);
    }

    #[test]
    fn unparsable_file_links_only_what_looks_like_a_test() {
        let s = scan(
            "// incident: U-1\nfn helper() { let x = ; }\n// incident: U-2\n#[tokio::test]\n#[ignore]\nasync fn t() {}\n",
        );
        assert_eq!(links(&s), [("src/lib.rs::t".to_owned(), vec!["U-2@3:14".to_owned()])]);
        assert!(s.tests[0].ignored.is_some());
        assert_eq!(s.stray.len(), 1);
        assert!(s.stray[0].target.contains("fn helper"), "{:?}", s.stray);
        let inner = scan("//! incident: U-3\n#[test]\nfn a() { let = ; }\n#[test]\nfn b() {}\nfn c() {}\n");
        let ids: Vec<String> = links(&inner).into_iter().map(|(id, _)| id).collect();
        assert_eq!(ids, ["src/lib.rs::a", "src/lib.rs::b"]);
    }

    // incident: IG-2026-008
    #[test]
    fn inner_markers_in_an_unparsable_file_took_time_quadratic_in_the_file() {
        // Found by the fuzzer: each `//!` marker read every line of the file again to
        // find what looks like a test. 2,000 markers over 50,000 lines: once now.
        let mut src: String = (0..2_000).map(|i| format!("//! incident: I-{i}\n")).collect();
        src.push_str(&"const X: u8 = 1;\n".repeat(50_000));
        src.push_str("#[test]\nfn t() { let = ; }\n#[test]\nfn u() {}\n");
        let s = scan(&src);
        assert!(s.unparsable.is_some());
        let linked: Vec<(&str, usize)> = s.tests.iter().map(|t| (t.name.as_str(), t.links.len())).collect();
        assert_eq!(linked, [("t", 2_000), ("u", 2_000)]);
    }

    // incident: IG-2026-008
    #[test]
    fn doc_comments_took_time_quadratic_in_the_file() {
        // Found by the fuzzer: every `///` and `//!` line is a `doc` attribute, and each
        // was quoted from the file (found again by counting lines) before being
        // recognised as no condition: 30,000 marker lines, 4.5 × 10⁸ lines counted.
        let markers: String = (0..30_000).map(|i| format!("//! incident: D-{i}\n")).collect();
        let src = format!("{markers}#[cfg(unix)]\n#[test]\nfn t() {{}}\n");
        let s = scan(&src);
        assert_eq!(s.tests[0].links.len(), 30_000);
        assert_eq!(
            s.tests[0].conditional_skip.as_ref().map(|k| (k.loc.line, k.what.as_str())),
            Some((30_001, "`#[cfg(unix)]`"))
        );
    }

    #[test]
    fn cfg_decides_whether_a_test_is_compiled() {
        let src = "// incident: C-1\n#[cfg(any())]\n#[test]\nfn never() {}\n\
// incident: C-1\n#[cfg(windows)]\n#[test]\nfn windows_only() {}\n\
// incident: C-1\n#[cfg_attr(all(), ignore)]\n#[test]\nfn always_ignored() {}\n\
// incident: C-1\n#[cfg_attr(miri, ignore)]\n#[test]\nfn not_under_miri() {}\n\
// incident: C-1\n#[cfg(test)]\n#[test]\nfn plain() {}\n\
// incident: C-1\n#[cfg_attr(any(), test)]\nfn never_a_test() {}\n\
#[cfg(any())]\nmod off {\n    // incident: C-1\n    #[test]\n    fn inside() {}\n}\n\
mod inner {\n    #![cfg(unix)]\n    // incident: C-1\n    #[test]\n    fn unix_only() {}\n}\n\
// incident: C-1\n#[rustversion::attr(not(nightly), ignore)]\n#[test]\nfn nightly_only() {}\n";
        let s = scan(src);
        let got: Vec<(String, Option<String>, Option<String>)> = s
            .tests
            .iter()
            .map(|t| {
                (
                    t.name.clone(),
                    t.ignored.as_ref().map(|k| k.what.clone()),
                    t.conditional_skip.as_ref().map(|k| k.what.clone()),
                )
            })
            .collect();
        let n = |s: &str| Some(s.to_owned());
        assert_eq!(
            got,
            [
                ("never".into(), n("`#[cfg(any())]`, which never holds, so it is compiled out"), None),
                ("windows_only".into(), None, n("`#[cfg(windows)]`")),
                (
                    "always_ignored".into(),
                    n("`#[cfg_attr(all(), ignore)]`, whose condition always holds, so it is always ignored"),
                    None
                ),
                // Ignored only under Miri: it runs in every ordinary build.
                ("not_under_miri".into(), None, None),
                ("plain".into(), None, None),
                (
                    "never_a_test".into(),
                    n("`#[cfg_attr(any(), test)]`, whose condition never holds, so it is never a test"),
                    None
                ),
                ("inside".into(), n("`#[cfg(any())]` on `mod off`, which never holds, so it is compiled out"), None),
                ("unix_only".into(), None, n("`#![cfg(unix)]` on `mod inner`")),
                ("nightly_only".into(), None, n("`#[rustversion::attr(not(nightly), ignore)]`")),
            ]
        );
        let file = scan("#![cfg(any())]\n// incident: C-1\n#[test]\nfn t() {}\n");
        assert!(file.tests[0].ignored.as_ref().unwrap().what.contains("on `this file`"));
    }

    #[test]
    fn aliased_and_reused_test_attributes_were_not_tests() {
        let s = scan(
            "use tokio::test as maybe_tokio_test;\nuse rstest_reuse::{self, apply, template};\n\
// incident: A-1\n#[maybe_tokio_test]\nasync fn aliased() {}\n\
// incident: A-2\n#[template]\n#[rstest]\n#[case(1)]\nfn tpl(#[case] x: u8) {}\n\
// incident: A-3\n#[apply(tpl)]\nfn applied(x: u8) {}\n",
        );
        assert_eq!(
            links(&s),
            [
                ("src/lib.rs::aliased".to_owned(), vec!["A-1@3:14".to_owned()]),
                ("src/lib.rs::applied".to_owned(), vec!["A-3@11:14".to_owned()])
            ]
        );
        assert!(s.stray.iter().any(|m| m.target == "fn tpl"), "{:?}", s.stray);
    }

    #[test]
    fn cfg_alternatives_with_one_identity_were_two_tests() {
        let s = scan("// incident: E-1\n#[cfg(unix)]\n#[test]\nfn e() {}\n#[cfg(not(unix))]\n#[test]\nfn e() {}\n");
        assert_eq!(s.tests.len(), 1, "{:?}", s.tests);
        assert_eq!(s.tests[0].links.len(), 1);
        // One alternative or the other runs everywhere: no condition is left.
        assert!(s.tests[0].conditional_skip.is_none() && s.tests[0].ignored.is_none(), "{:?}", s.tests[0]);
    }

    #[test]
    fn a_file_whose_only_modules_are_inline_declares_none() {
        use super::declares_no_modules as none;
        assert!(none(b"fn f() {}"));
        assert!(none(b"#[cfg(test)]\nmod tests {\n    #[test] fn t() {}\n}"));
        assert!(none(b"pub(crate) mod inner\n{ }\nfn module() { chmod(); let modulo = 1; }"));
        for declares in [
            &b"mod a;"[..],
            b"pub mod a ;",
            b"mod tests { mod inner; }",
            b"mod /* why */ a;",
            b"mod a // x\n;",
            b"macro_rules! m { ($n:ident) => { mod $n; } }",
            b"mod r#async;",
            b"include!(\"x.rs\");",
            b"mod tests { fn f() { include_str!(\"a\"); } }",
            b"mod",
            b"mod a",
        ] {
            assert!(!none(declares), "{}", String::from_utf8_lossy(declares));
        }
    }
}
