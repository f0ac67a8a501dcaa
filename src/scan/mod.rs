//! Finding linked tests in source files. The tree is walked once (see `walk`: ignore
//! files skip only untracked files, `target/` and `.git/` are never entered, nothing
//! outside the repository is read), files that cannot hold a marker are skipped by a
//! byte search before anything parses them, and each remaining file goes to the scanner
//! of its language. Every language scanner reduces a file to the same two
//! lists, comments and items; attaching markers to tests is done here, once, for all.

pub mod clike;
pub mod columns;
pub mod go;
pub mod go_build;
pub mod java;
pub mod javascript;
pub mod js_cond;
pub mod js_glob;
pub mod js_literal;
pub mod markers;
pub mod pep263;
pub mod python;
pub mod rust;
pub mod rust_attrs;
pub mod rust_cfg;
pub mod rust_items;
pub mod rust_lex;

use crate::config::Config;
use crate::finding::Location;
use markers::MarkerWords;
use rust_lex::{Comment, CommentKind};
use std::path::Path;

/// A language whose tests can carry markers.
pub trait Language: Sync {
    fn name(&self) -> &'static str;
    /// Whether `path` (repository-relative) is a source file of this language.
    fn handles(&self, path: &str) -> bool;
    /// Scans one file. `text` is the whole file.
    fn scan(&self, path: &str, text: &str, words: &MarkerWords) -> FileScan;
    /// Whether `path` is, by this language's conventions, a file of tests rather than of
    /// the code under test (a file of both, like a Rust module with `mod tests`, is code).
    fn is_test_file(&self, path: &str) -> bool;
    /// How a test is disabled in this language, for messages.
    fn skip_form(&self) -> &'static str {
        "`#[ignore]`"
    }
    /// Where a marker must stand to link a test, for the help of `marker-on-non-test`.
    fn marker_help(&self) -> &'static str {
        "put the marker in the doc comment or on the `//` lines directly above a test (no blank line between), or use `//!` inside a module to link all its tests"
    }
    /// A file's text. UTF-8, unless the language lets a file declare its encoding
    /// (Python's PEP 263): read any other way, such a file would look unparsable.
    fn decode(&self, bytes: &[u8]) -> Decoded {
        decode_utf8(bytes)
    }
}

/// A source file's text, and why its bytes are not text in the encoding that applies
/// (the line of the first bad byte, the message), if they are not: then `text` is a
/// lossy reading, from which markers are still read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub error: Option<(usize, String)>,
}

/// `String::from_utf8_lossy`, by way of `str::from_utf8`: valid text (nearly every file)
/// is checked several times faster than the lossy decoder checks it.
pub fn lossy(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// UTF-8, lossy where it is not valid.
pub fn decode_utf8(bytes: &[u8]) -> Decoded {
    match std::str::from_utf8(bytes) {
        Ok(text) => Decoded { text: text.to_owned(), error: None },
        Err(e) => {
            let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
            Decoded {
                text: String::from_utf8_lossy(bytes).into_owned(),
                error: Some((line, format!("not valid UTF-8 (invalid byte at offset {})", e.valid_up_to()))),
            }
        }
    }
}

/// Every language scanner, in one place so that none can be forgotten.
pub static LANGUAGES: &[&dyn Language] = &[&rust::Rust, &python::Python, &go::Go, &javascript::JavaScript, &java::Java];

/// The line-comment sigil of a path's language, for messages that show a marker to paste.
pub fn comment_sigil(path: &str) -> &'static str {
    match language_for(path).map(|l| l.name()) {
        Some("python") => "#",
        _ => "//",
    }
}

pub fn language_for(path: &str) -> Option<&'static dyn Language> {
    LANGUAGES.iter().copied().find(|l| l.handles(path))
}

/// Directories that hold tests and what only tests use (fixtures, test data), in every
/// language's usual layout: `tests/` (cargo's integration tests, pytest's), `test/`
/// (Maven's `src/test/`, mocha's), `__tests__/` (Jest), `testdata/` (the go tool).
const TEST_DIRS: &[&str] = &["tests", "test", "__tests__", "testdata"];

/// Whether a repository-relative path is a test file rather than code under test: it lies
/// in a test directory (`TEST_DIRS`), or its language's own convention says so (see
/// `Language::is_test_file`). The code an incident was in is the code a fix changed,
/// less its tests.
pub fn is_test_file(path: &str) -> bool {
    path.split('/').rev().skip(1).any(|dir| TEST_DIRS.contains(&dir))
        || language_for(path).is_some_and(|l| l.is_test_file(path))
}

/// A test found in a source file, with the incidents its markers name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestCase {
    /// `PATH::MODULES::NAME`.
    pub id: String,
    pub name: String,
    /// Where the test's name stands.
    pub loc: Location,
    /// Its `#[ignore]` (or the language's skip, or a condition that never holds), if it
    /// never runs.
    pub ignored: Option<Skip>,
    /// A skip or build condition that cannot be decided from the source
    /// (`@pytest.mark.skipif(…)`, `#[cfg(windows)]`): it may not run everywhere.
    pub conditional_skip: Option<Skip>,
    pub links: Vec<Link>,
    /// The test's source text, for telling a renamed test from a new one.
    pub body: Body,
    /// Found in the text of a file that does not parse: identity and lines are a best guess.
    pub approximate: bool,
}

/// A linked test's own text (see `MAX_BODY`): a span of its file's text, which the file's
/// linked tests share, rather than a copy each. Tests that nest (a JavaScript `it` inside
/// an `it`) overlap, and copies of them grew with the square of the nesting.
#[derive(Clone, Default)]
pub struct Body {
    text: Option<std::sync::Arc<str>>,
    span: std::ops::Range<usize>,
}

impl Body {
    /// A body that is no span of its file's text: a Rust doc test's code block.
    pub fn owned(text: &str) -> Body {
        Body { text: Some(text.into()), span: 0..text.len() }
    }

    pub fn as_str(&self) -> &str {
        self.text.as_deref().and_then(|t| t.get(self.span.clone())).unwrap_or("")
    }

    pub fn is_empty(&self) -> bool {
        self.as_str().is_empty()
    }
}

impl PartialEq for Body {
    fn eq(&self, other: &Body) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Body {}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

/// Why a test does not run, always or under a condition: where that is said, and what
/// says it, in words for a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skip {
    pub loc: Location,
    /// The construct, quoted as code, with what it means when that is not obvious:
    /// "`#[ignore]`", "`#[cfg(any())]`, which never holds", "`#[cfg(windows)]`".
    pub what: String,
    /// For a Rust condition the source cannot decide, the cfg conditions behind it, for
    /// the crate's manifest and CI to decide (see `reach::rust_features`); else empty.
    pub cfg: Vec<rust_cfg::Cond>,
}

impl Skip {
    pub fn new(loc: Location, what: impl Into<String>) -> Skip {
        Skip { loc, what: what.into(), cfg: Vec::new() }
    }

    /// A skip described by its own source text: the `loc.len` characters at `loc` in `text`.
    pub fn quoted(text: &str, loc: Location) -> Skip {
        let quoted: String = text
            .lines()
            .nth(loc.line.saturating_sub(1))
            .unwrap_or("")
            .chars()
            .skip(loc.column.saturating_sub(1))
            .take(loc.len.clamp(1, 80))
            .collect();
        Skip { what: crate::finding::code(quoted.trim()), loc, cfg: Vec::new() }
    }
}

/// Whether a condition holds, as far as the source alone can tell: a skip under a
/// condition that always holds never runs its test, one under a condition that never
/// holds is no skip, and anything else is a condition the reader must check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Truth {
    Yes,
    No,
    Unknown,
}

impl std::ops::Not for Truth {
    type Output = Truth;

    fn not(self) -> Truth {
        match self {
            Truth::Yes => Truth::No,
            Truth::No => Truth::Yes,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

impl Truth {
    pub fn and(self, other: Truth) -> Truth {
        !(!self).or(!other)
    }

    pub fn or(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::Yes, _) | (_, Truth::Yes) => Truth::Yes,
            (Truth::No, Truth::No) => Truth::No,
            _ => Truth::Unknown,
        }
    }

    /// Whether any holds (`No` for none at all).
    pub fn any(items: impl IntoIterator<Item = Truth>) -> Truth {
        items.into_iter().fold(Truth::No, Truth::or)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub incident: String,
    /// Where the ID stands in the marker.
    pub loc: Location,
}

/// A marker that links nothing: it stands on something that is not a test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StrayMarker {
    pub loc: Location,
    pub ids: Vec<Link>,
    /// What it stands on, for the message: "fn helper", "nothing".
    pub target: String,
}

/// A marker token that is not an incident ID, or a marker with no ID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadMarker {
    pub loc: Location,
    pub token: String,
    /// The token is prose standing where IDs belong (`regression for the overflow`).
    pub prose: bool,
}

/// A comment on a test that names a known incident but is not a valid marker
/// (`// incidents: INC-1`, `// Incident INC-1`, `# INC-1 regression`): the user meant to
/// link the test, and it links nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NearMiss {
    pub loc: Location,
    pub incident: String,
    pub test: String,
}

/// Why a file could not be read or parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unparsable {
    pub loc: Location,
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileScan {
    pub path: String,
    pub tests: Vec<TestCase>,
    pub stray: Vec<StrayMarker>,
    pub bad_markers: Vec<BadMarker>,
    pub near_misses: Vec<NearMiss>,
    pub unparsable: Option<Unparsable>,
    /// Whether the file holds at least one marker (linked or not).
    pub has_markers: bool,
    /// Rust: macro calls that markers stand on, of macros the file does not define
    /// (`rgtest!(name, …)` with `rgtest!` in `tests/macros.rs`); the other files of the
    /// crate tell whether each writes a test (`reach::rust::complete`).
    pub macro_calls: Vec<MacroCall>,
}

/// A macro call a marker stands on (see `FileScan::macro_calls`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MacroCall {
    /// The macro's name (`rgtest`).
    pub name: String,
    /// The identifier each top-level argument is, with where it stands.
    pub args: Vec<Option<(String, Location)>>,
    /// The modules around the call.
    pub scope: Vec<String>,
    /// The conditions on the call (`#[cfg]` on it and its modules): never, and depends.
    pub ignored: Option<Skip>,
    pub conditional_skip: Option<Skip>,
    /// The file's stray markers that stand on it, by index.
    pub strays: Vec<usize>,
    /// The links of inner markers (`//!`) of its modules that are not stray (they link
    /// the module's own tests too).
    pub links: Vec<Link>,
}

/// Everything found in the work tree.
#[derive(Debug, Default)]
pub struct Scanned {
    pub files: Vec<FileScan>,
    /// Files or directories that could not be read at all.
    pub unreadable: Vec<Unparsable>,
    /// Source files not read on purpose: symbolic links out of the repository, dangling
    /// links, loops, FIFOs and other special files (see `walk`).
    pub skipped: Vec<Unparsable>,
    /// Texts of scanned files with markers, for showing source lines in diagnostics.
    pub texts: Vec<(String, String)>,
    /// How many source files the walk looked at.
    pub files_seen: usize,
    /// The source files the walk found that git does not track (none without git).
    pub untracked: Vec<String>,
    /// The Rust files read that declare no module (`rust::declares_no_modules`), so that
    /// working out which files cargo compiles need not read them again.
    pub rust_leaves: std::collections::HashSet<String>,
    /// Every Rust file the walk found, read or not.
    pub rust_files: std::collections::HashSet<String>,
    /// The files other than `.rs` that cargo's module trees reach through `include!` or
    /// `#[path]`, filled in by `reach::judge`.
    pub rust_followed: std::collections::HashSet<String>,
}

/// What a language scanner knows about one item of a file.
#[derive(Clone, Debug)]
pub struct Item {
    pub kind: ItemKind,
    /// First line of the item including its attributes and doc comments.
    pub start_line: usize,
    /// The line of its name: comments between `start_line` and here are "between its attributes".
    pub decl_line: usize,
    /// Its last line.
    pub end_line: usize,
    /// For a test, the modules (or classes) around it; for a container, its own path.
    pub scope: Vec<String>,
    /// What it is, for messages: "fn helper", "struct Cart".
    pub what: String,
}

#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)] // items are few per file; boxing would only add noise
pub enum ItemKind {
    Test {
        name: String,
        loc: Location,
        ignored: Option<Skip>,
        conditional_skip: Option<Skip>,
        /// Links the language states in its own syntax (`@pytest.mark.incident("ID")`,
        /// JUnit's `@Tag("incident:ID")`), beside the marker comments.
        direct_links: Vec<Link>,
        /// The test's own bytes in the text, attributes included, when the scanner knows
        /// them; otherwise its body is taken from its lines.
        span: Option<std::ops::Range<usize>>,
    },
    /// A module (or class) whose inner marker links every test inside it.
    Container,
    /// A test class or `describe` block: a marker directly above it links every test
    /// inside it (between its `decl_line` and `end_line`), as a class-level mark or tag
    /// does in its framework.
    Group,
    Other,
}

/// Adds links to a test's, one per incident: a test linked to an incident by several
/// markers (a file's `//!` and its own, or the same marker repeated a thousand times) is
/// linked once, so links grow with incidents, not with markers times tests.
pub(crate) fn add_links(into: &mut Vec<Link>, links: impl IntoIterator<Item = Link>) {
    Linker::default().add(into, 0, links);
}

/// `add_links` for the tests of one file, remembering each test's incidents once it has
/// many: a marker naming 100,000 IDs, or 20,000 markers over one test, took time quadratic
/// in them when each new link was looked for among the test's links.
#[derive(Default)]
pub(crate) struct Linker {
    seen: std::collections::HashMap<usize, std::collections::HashSet<String>>,
}

impl Linker {
    /// Adds `links` to `into`, the links of the file's test number `test`.
    pub(crate) fn add(&mut self, into: &mut Vec<Link>, test: usize, links: impl IntoIterator<Item = Link>) {
        for link in links {
            if into.len() < 16 {
                if !into.iter().any(|l| l.incident == link.incident) {
                    into.push(link);
                }
                continue;
            }
            let seen = self.seen.entry(test).or_insert_with(|| into.iter().map(|l| l.incident.clone()).collect());
            if seen.insert(link.incident.clone()) {
                into.push(link);
            }
        }
    }
}

/// Builds a test identity: `path::scope::name`.
pub fn identity(path: &str, scope: &[String], name: &str) -> String {
    let mut id = path.to_owned();
    for part in scope.iter().map(String::as_str).chain(std::iter::once(name)) {
        id.push_str("::");
        id.push_str(part);
    }
    id
}

/// Attaches every marker comment of a file to the test it stands on, or records it as
/// stray. No marker is dropped: each one ends up as a link, a stray marker or both bad
/// tokens and one of those.
pub fn attach(path: &str, text: &str, comments: &[Comment], items: &[Item], words: &MarkerWords) -> FileScan {
    let mut scan = FileScan { path: path.to_owned(), ..FileScan::default() };
    let mut linker = Linker::default();
    scan.has_markers =
        items.iter().any(|i| matches!(&i.kind, ItemKind::Test { direct_links, .. } if !direct_links.is_empty()));
    scan.tests = items
        .iter()
        .filter_map(|item| match &item.kind {
            ItemKind::Test { name, loc, ignored, conditional_skip, direct_links, .. } => Some(TestCase {
                id: identity(path, &item.scope, name),
                name: name.clone(),
                loc: loc.clone(),
                ignored: ignored.clone(),
                conditional_skip: conditional_skip.clone(),
                links: direct_links.clone(),
                body: Body::default(),
                approximate: false,
            }),
            _ => None,
        })
        .collect();
    let test_index: Vec<Option<usize>> = {
        let mut n = 0;
        items
            .iter()
            .map(|i| {
                matches!(i.kind, ItemKind::Test { .. }).then(|| {
                    n += 1;
                    n - 1
                })
            })
            .collect()
    };
    // A marker stands on the item below the run of own-line comments it is in. Each
    // item's window (that run, its attributes, up to its name) is computed once, and
    // each marker's item found by one sweep: walking up the run again for each marker
    // and each item before its own took time quadratic in the length of the run.
    let comment_lines: std::collections::HashSet<usize> =
        comments.iter().filter(|c| c.own_line).map(|c| c.line).collect();
    let mut run_top: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    let mut sorted_lines: Vec<usize> = comment_lines.iter().copied().collect();
    sorted_lines.sort_unstable();
    for &line in &sorted_lines {
        let top = match line.checked_sub(1).and_then(|above| run_top.get(&above)) {
            Some(&top) => top,
            None => line,
        };
        run_top.insert(line, top);
    }
    let windows: Vec<(usize, usize)> = items
        .iter()
        .map(|item| {
            let above = item.start_line.saturating_sub(1);
            let top =
                if above >= 1 { run_top.get(&above).copied().unwrap_or(item.start_line) } else { item.start_line };
            (top, item.decl_line)
        })
        .collect();
    let outer_lines: Vec<usize> = comments.iter().filter(|c| c.kind != CommentKind::InnerDoc).map(|c| c.line).collect();
    let owners = first_holding(&windows, &outer_lines);
    // The tests a group's or a container's markers link, by item: the same for each.
    let mut tests_in: std::collections::HashMap<usize, Vec<usize>> = std::collections::HashMap::new();

    for c in comments {
        let at =
            |offset: usize, len: usize| Location { path: path.to_owned(), line: c.line, column: c.col + offset, len };
        let Some(marker) = words.parse(c.text) else {
            // Not a marker: a near miss when it stands on a test and names an incident.
            if c.kind != CommentKind::InnerDoc
                && let Some(&i) = owners.get(&c.line)
                && let Some(t) = test_index[i]
            {
                for id in words.known_ids_in(c.text) {
                    let offset = c.text[..c.text.find(&id).unwrap_or(0)].chars().count();
                    let test = scan.tests[t].id.clone();
                    scan.near_misses.push(NearMiss { loc: at(offset, id.chars().count()), incident: id, test });
                }
            }
            continue;
        };
        scan.has_markers = true;
        for (token, offset) in &marker.bad {
            scan.bad_markers.push(BadMarker {
                loc: at(*offset, token.chars().count().max(1)),
                token: token.clone(),
                prose: false,
            });
        }
        if let Some((prose, offset)) = &marker.prose {
            scan.bad_markers.push(BadMarker {
                loc: at(*offset, prose.chars().count().max(1)),
                token: prose.clone(),
                prose: true,
            });
        }
        let links: Vec<Link> = marker
            .ids
            .iter()
            .map(|(id, off)| Link { incident: id.clone(), loc: at(*off, id.chars().count()) })
            .collect();
        let marker_loc = at(marker.offset, marker.len);
        let stray = |target: String| StrayMarker { loc: marker_loc.clone(), ids: links.clone(), target };

        if c.kind != CommentKind::InnerDoc {
            let owner = owners.get(&c.line).map(|&i| (i, &items[i]));
            match owner {
                Some((i, _)) if test_index[i].is_some() => {
                    let t = test_index[i].expect("checked");
                    linker.add(&mut scan.tests[t].links, t, links.iter().cloned());
                }
                Some((i, group)) if matches!(group.kind, ItemKind::Group) => {
                    let inside = tests_in.entry(i).or_insert_with(|| {
                        items
                            .iter()
                            .enumerate()
                            .filter(|(j, t)| *j != i && t.start_line >= group.decl_line && t.end_line <= group.end_line)
                            .filter_map(|(j, _)| test_index[j])
                            .collect()
                    });
                    if inside.is_empty() {
                        scan.stray.push(stray(format!("{}, which has no tests", group.what)));
                    }
                    for &t in inside.iter() {
                        linker.add(&mut scan.tests[t].links, t, links.iter().cloned());
                    }
                }
                Some((_, it)) => scan.stray.push(stray(it.what.clone())),
                None => scan.stray.push(stray(String::new())),
            }
            continue;
        }
        // An inner marker documents the innermost item whose body holds it.
        let holder = items
            .iter()
            .enumerate()
            .filter(|(_, it)| it.decl_line < c.line && c.line <= it.end_line)
            .max_by_key(|(_, it)| (it.start_line, std::cmp::Reverse(it.end_line)));
        let targets: Vec<usize> = match holder {
            Some((i, _)) if test_index[i].is_some() => vec![test_index[i].expect("checked")],
            Some((i, it)) if matches!(it.kind, ItemKind::Container) => tests_in
                .entry(i)
                .or_insert_with(|| {
                    items
                        .iter()
                        .enumerate()
                        .filter(|(_, t)| matches!(t.kind, ItemKind::Test { .. }) && t.scope.starts_with(&it.scope))
                        .filter_map(|(j, _)| test_index[j])
                        .collect()
                })
                .clone(),
            Some((_, it)) => {
                scan.stray.push(stray(it.what.clone()));
                continue;
            }
            None => (0..scan.tests.len()).collect(),
        };
        if targets.is_empty() {
            let what = holder.map_or_else(|| "this file".to_owned(), |(_, it)| it.what.clone());
            scan.stray.push(stray(format!("{what}, which has no tests")));
        }
        for t in targets {
            linker.add(&mut scan.tests[t].links, t, links.iter().cloned());
        }
    }
    let test_items = items.iter().filter(|i| matches!(i.kind, ItemKind::Test { .. }));
    let mut line_starts = None;
    let mut shared: Option<std::sync::Arc<str>> = None;
    for (test, item) in scan.tests.iter_mut().zip(test_items) {
        if !test.links.is_empty() || EVERY_BODY.load(std::sync::atomic::Ordering::Relaxed) > 0 {
            let text_arc = shared.get_or_insert_with(|| std::sync::Arc::from(text));
            test.body = Body { text: Some(text_arc.clone()), span: body(text, item, &mut line_starts) };
        }
    }
    scan
}

/// The largest source file that is parsed. A larger one (generated code, a vendored
/// blob) is read as text for its markers only and reported as `unparsable-source`: a
/// parser's tree of a 100 MB file took gigabytes. Rust is the one language parsed into a
/// syntax tree; the other scanners are lexers that read any file in one pass.
pub const MAX_PARSED_FILE: usize = 8 << 20;

/// At most this many bytes of a test's text are kept as its body. A body only tells a
/// renamed or moved test from a new one, which a test's first 64 KiB do as well as all
/// of it; the cap bounds what a crafted file can make a run hold.
pub const MAX_BODY: usize = 64 * 1024;

/// A linked test's body: its own bytes when the scanner knows them, else its lines,
/// capped at `MAX_BODY`. Only linked tests need one (`history::compare` matches a
/// vanished linked test against tests newly linked to the same incident), so the others
/// are left empty: copying the line of every test of a one-line file of 16,000 tests
/// took gigabytes.
fn body(text: &str, item: &Item, line_starts: &mut Option<Vec<usize>>) -> std::ops::Range<usize> {
    let span = match &item.kind {
        ItemKind::Test { span: Some(span), .. } => span.clone(),
        _ => {
            let starts = line_starts.get_or_insert_with(|| {
                std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect::<Vec<usize>>()
            });
            let start = starts.get(item.start_line.saturating_sub(1)).copied().unwrap_or(text.len());
            let end = starts.get(item.end_line).map_or(text.len(), |&next| next - 1);
            start..end
        }
    };
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(span.start);
    let end = floor(span.end.min(start.saturating_add(MAX_BODY))).max(start);
    start..end
}

/// For each of `lines`, the first of `windows` (inclusive line ranges, by index) that
/// holds it, found in one sweep down the file.
fn first_holding(windows: &[(usize, usize)], lines: &[usize]) -> std::collections::HashMap<usize, usize> {
    use std::cmp::Reverse;
    let mut by_top: Vec<usize> = (0..windows.len()).collect();
    by_top.sort_by_key(|&i| windows[i].0);
    let mut queries = lines.to_vec();
    queries.sort_unstable();
    queries.dedup();
    // The windows opened above the current line, first index on top. One that ended
    // above it is dropped when it reaches the top: the lines only go down.
    let mut open = std::collections::BinaryHeap::new();
    let mut next = 0;
    let mut out = std::collections::HashMap::new();
    for line in queries {
        while next < by_top.len() && windows[by_top[next]].0 <= line {
            open.push(Reverse(by_top[next]));
            next += 1;
        }
        while let Some(&Reverse(i)) = open.peek() {
            if windows[i].1 >= line {
                out.insert(line, i);
                break;
            }
            open.pop();
        }
    }
    out
}

/// Whether a repository-relative path is a source file the config asks to scan.
pub fn wanted(config: &Config, rel: &str) -> bool {
    let in_skipped_dir = rel.split('/').rev().skip(1).any(|dir| dir == "target" || dir == ".git");
    !in_skipped_dir && language_for(rel).is_some_and(|l| config.wants(rel, l.name()))
}

/// Walks the work tree under `root` (see `walk`: ignore files skip only untracked files,
/// and nothing outside the repository or not a regular file is read) and scans every
/// source file that may hold a marker.
pub fn scan_tree(root: &Path, config: &Config, words: &MarkerWords, tracked: &crate::walk::Tracked) -> Scanned {
    let mut scanned = Scanned::default();
    let filter = crate::walk::Filter {
        enter: |name| name != ".git" && name != "target",
        wanted: &|rel| wanted(config, rel),
        report_dir: &|rel| !config.exclude.is_match(rel),
    };
    let walked = crate::walk::walk(root, root, tracked, &filter);
    let at = |path: String| Location { path, line: 1, column: 1, len: 1 };
    for (path, message) in walked.errors {
        scanned.unreadable.push(Unparsable { loc: at(path), message: format!("cannot read: {message}") });
    }
    for (path, message) in walked.skipped {
        scanned.skipped.push(Unparsable { loc: at(path), message });
    }
    scanned.files_seen = walked.files.len();
    scanned.rust_files = walked.files.iter().filter(|f| f.rel.ends_with(".rs")).map(|f| f.rel.clone()).collect();
    let known: std::collections::HashSet<String> = tracked.files().collect();
    if !known.is_empty() {
        scanned.untracked = walked.files.iter().filter(|f| !known.contains(&f.rel)).map(|f| f.rel.clone()).collect();
    }
    let boundary = crate::paths::boundary(root);
    for (rel, leaf, read) in read_and_scan(&walked.files, &boundary, words) {
        if leaf {
            scanned.rust_leaves.insert(rel.clone());
        }
        match read {
            Err(e) => scanned.unreadable.push(Unparsable { loc: at(rel), message: format!("cannot read: {e}") }),
            Ok(None) => {}
            Ok(Some((scan, text))) => {
                if scan.has_markers || scan.unparsable.is_some() || !scan.near_misses.is_empty() {
                    scanned.texts.push((rel, text));
                }
                scanned.files.push(scan);
            }
        }
    }
    scanned
}

/// What reading and scanning one file gave: its path, whether it is a Rust file that
/// declares no module, and its scan and text, `None` when it cannot hold a marker, or why
/// it could not be read.
type Read = (String, bool, std::io::Result<Option<(FileScan, String)>>);

/// Reads and scans `files`, shared out between as many workers as there are cores (at
/// most four): on a large tree, reading the files and searching them for markers is most
/// of a scan. Returns them in the order given.
fn read_and_scan(files: &[crate::walk::File], boundary: &Path, words: &MarkerWords) -> Vec<Read> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4).min(files.len().max(1));
    let next = AtomicUsize::new(0);
    let work = || {
        let mut out: Vec<(usize, Read)> = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(file) = files.get(i) else { break };
            let mut leaf = false;
            let read = file.read(boundary).map(|bytes| {
                leaf = file.rel.ends_with(".rs") && rust::declares_no_modules(&bytes);
                scan_owned(&file.rel, bytes, words)
            });
            out.push((i, (file.rel.clone(), leaf, read)));
        }
        out
    };
    let mut results: Vec<(usize, Read)> = if workers <= 1 {
        work()
    } else {
        std::thread::scope(|s| {
            // Each with a parser's stack, so that the files it parses are parsed in place.
            let handles: Vec<_> = (0..workers)
                .map(|_| rust::with_parser_stack(s, "scan", work).unwrap_or_else(|_| s.spawn(work)))
                .collect();
            handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
        })
    };
    results.sort_unstable_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// `scan_bytes` for bytes the caller is done with: valid UTF-8 becomes the text without a
/// copy (a large file was held two or three times over).
fn scan_owned(path: &str, bytes: Vec<u8>, words: &MarkerWords) -> Option<(FileScan, String)> {
    if !words.may_contain(&bytes) {
        return None;
    }
    let lang = language_for(path)?;
    if lang.name() == "python" {
        return scan_bytes(path, &bytes, words);
    }
    match String::from_utf8(bytes) {
        Ok(text) => Some((lang.scan(path, &text, words), text)),
        Err(e) => scan_bytes(path, e.as_bytes(), words),
    }
}

/// Scans one file's bytes, or returns `None` when it cannot hold a marker. The bytes are
/// decoded as the language says (see `Language::decode`); a file that is not valid text
/// in its encoding is scanned as lossy text and reported unparsable, so its markers still
/// count.
pub fn scan_bytes(path: &str, bytes: &[u8], words: &MarkerWords) -> Option<(FileScan, String)> {
    if !words.may_contain(bytes) {
        return None;
    }
    let lang = language_for(path)?;
    let Decoded { text, error } = lang.decode(bytes);
    let mut scan = lang.scan(path, &text, words);
    if let Some((line, message)) = error {
        scan.unparsable =
            Some(Unparsable { loc: Location { path: path.to_owned(), line, column: 1, len: 1 }, message });
    }
    Some((scan, text))
}

/// How many `scan_every_body` calls are running. A count for the process, not a flag of
/// the thread, since a Rust file may be parsed on a thread of its own; a scan running
/// beside one only keeps more text than it needs meanwhile.
static EVERY_BODY: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A file's tests, each with its text whether it is linked or not, the file read even when
/// it holds no marker: `verify` compares a test as it is now with its text at the fix
/// commit, where a test linked later had no marker yet.
pub fn scan_every_body(path: &str, bytes: &[u8]) -> Option<FileScan> {
    let lang = language_for(path)?;
    let Decoded { text, .. } = lang.decode(bytes);
    let words = markers::MarkerWords::new(&["incident".to_owned()]);
    EVERY_BODY.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let scan = lang.scan(path, &text, &words);
    EVERY_BODY.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    Some(scan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_lists_every_language_once() {
        let names: Vec<&str> = LANGUAGES.iter().map(|l| l.name()).collect();
        assert_eq!(names, ["rust", "python", "go", "javascript", "java"]);
        assert_eq!(names, crate::config::LANGUAGE_NAMES, "the config accepts exactly the registered languages");
        let by_path = |p: &str| language_for(p).map(|l| l.name());
        let cases = [
            ("src/lib.rs", Some("rust")),
            ("tests/test_x.py", Some("python")),
            ("x_test.go", Some("go")),
            ("a.test.js", Some("javascript")),
            ("a.spec.tsx", Some("javascript")),
            ("b.mjs", Some("javascript")),
            ("c.cts", Some("javascript")),
            ("A.java", Some("java")),
            ("A.kt", Some("java")),
            ("README.md", None),
            ("x.pyc", None),
        ];
        for (path, want) in cases {
            assert_eq!(by_path(path), want, "{path}");
            // No path belongs to two languages.
            assert!(LANGUAGES.iter().filter(|l| l.handles(path)).count() <= 1, "{path}");
        }
    }

    /// A linked test's body is its own text, from its attributes to its end, even when it
    /// shares its line with other tests; an unlinked test keeps none.
    #[test]
    fn linked_tests_keep_their_own_text_as_body() {
        let words = markers::MarkerWords::new(&["incident".to_owned()]);
        let cases = [
            (
                "a.rs",
                "fn h() {}\n// incident: A-1\n#[test]\nfn t() { x(); }\n#[test]\nfn u() {}\n",
                "#[test]\nfn t() { x(); }",
            ),
            (
                "a.rs",
                "proptest! {\n    // incident: A-1\n    #[test]\n    fn t(x in 0..1) { y(x); }\n    #[test]\n    fn u(x in 0..1) {}\n}\n",
                "#[test]\n    fn t(x in 0..1) { y(x); }",
            ),
            ("a.test.js", "// incident: A-1\nit('t', () => { x(); }); it('u', () => {});\n", "it('t', () => { x(); })"),
            (
                "a_test.go",
                "package a\n// incident: A-1\nfunc TestT(t *testing.T) { x() }\nfunc TestU(t *testing.T) {}\n",
                "func TestT(t *testing.T) { x() }",
            ),
            (
                "A.java",
                "class A {\n  // incident: A-1\n  @Test void t() { x(); } @Test void u() {}\n}\n",
                "@Test void t() { x(); }",
            ),
            (
                "test_a.py",
                "# incident: A-1\ndef test_t():\n    x()\n\ndef test_u():\n    pass\n",
                "def test_t():\n    x()",
            ),
        ];
        for (path, text, body) in cases {
            let scan = language_for(path).unwrap().scan(path, text, &words);
            let bodies: Vec<&str> = scan.tests.iter().map(|t| t.body.as_str()).collect();
            assert_eq!(bodies, [body, ""], "{path}");
        }
        // Capped, at a character boundary.
        let long = format!("// incident: A-1\nit('t', () => {{ '{}' }});\n", "é".repeat(MAX_BODY));
        let scan = language_for("a.test.js").unwrap().scan("a.test.js", &long, &words);
        let len = scan.tests[0].body.as_str().len();
        assert!(len <= MAX_BODY && len > MAX_BODY - 4);
    }

    // incident: IG-2026-008
    #[test]
    fn a_long_run_of_marker_lines_took_time_quadratic_in_its_length() {
        // Found by the fuzzer: each marker walked up the whole run of comment lines to
        // find its test, 4 × 10⁸ steps for these 20,000 lines; one sweep now.
        let mut src = String::from("package p\n");
        // Distinct IDs: a test is linked once per incident, however many markers say it.
        (0..20_000).for_each(|i| src.push_str(&format!("// incident: R-{i:05}\n")));
        for i in 0..100 {
            src.push_str(&format!("func Test{i}(t *testing.T) {{}}\n"));
        }
        let words = markers::MarkerWords::new(&["incident".to_owned()]);
        let scan = go::Go.scan("p_test.go", &src, &words);
        assert_eq!(scan.tests.len(), 100);
        assert_eq!(scan.tests[0].links.len(), 20_000);
        assert!(scan.tests[1..].iter().all(|t| t.links.is_empty()) && scan.stray.is_empty());
        assert_eq!((scan.tests[0].links[19_999].loc.line, scan.tests[0].links[19_999].loc.column), (20_001, 14));
    }

    // incident: IG-2026-008
    #[test]
    fn a_long_line_of_comments_or_marks_took_time_quadratic_in_its_length() {
        // Found by the fuzzer: each comment (or mark, or tag) on a line counted the
        // characters from the start of the line for its column. 20,000 on one line of
        // 400 kB: 4 × 10⁹ characters counted before; the line once now.
        let words = markers::MarkerWords::new(&["incident".to_owned()]);
        let n = 20_000;
        let last = |scan: &FileScan| {
            let links: Vec<&Link> = scan.tests.iter().flat_map(|t| &t.links).collect();
            let l = links.last().expect("linked");
            (links.len(), l.loc.line, l.loc.column)
        };
        // Distinct IDs of one width: a test is linked once per incident.
        let each = |pattern: &str| (0..n).map(|i| pattern.replace('#', &format!("{i:05}"))).collect::<String>();
        let go = format!("package p\n{}\nfunc TestA(t *testing.T) {{}}\n", each("/* incident: G-# */ "));
        assert_eq!(last(&go::Go.scan("p_test.go", &go, &words)), (n, 2, 24 * (n - 1) + 14));
        let rust = format!("{}\n#[test]\nfn t() {{}}\n", each("/* incident: R-# */ "));
        assert_eq!(last(&rust::Rust.scan("src/lib.rs", &rust, &words)), (n, 1, 24 * (n - 1) + 14));
        let py = format!("pytestmark = [{}]\ndef test_a(): pass\n", each("pytest.mark.incident('P-#'), "));
        assert_eq!(last(&python::Python.scan("test_a.py", &py, &words)), (n, 1, 15 + 33 * (n - 1) + 22));
        let java = format!("class ATest {{\n{}@Test void t() {{}}\n}}\n", each("@Tag(\"incident:J-#\") "));
        assert_eq!(last(&java::Java.scan("ATest.java", &java, &words)), (n, 2, 25 * (n - 1) + 16));
    }

    #[test]
    fn markers_find_the_first_item_whose_window_holds_them() {
        let windows = [(5, 9), (1, 3), (2, 8), (10, 10), (12, 11)];
        let found = first_holding(&windows, &[1, 2, 3, 4, 5, 9, 10, 11, 12, 13]);
        let mut got: Vec<(usize, usize)> = found.into_iter().collect();
        got.sort();
        assert_eq!(got, [(1, 1), (2, 1), (3, 1), (4, 2), (5, 0), (9, 0), (10, 3)]);
    }

    /// Every scanner on random text built from the characters that matter to lexers, and
    /// on the other languages' sources: no panic, no hang, and locations inside the text.
    #[test]
    fn scanners_survive_garbage() {
        let words = markers::MarkerWords::new(&["incident".to_owned()]);
        let alphabet: Vec<&str> = vec![
            "\"",
            "'",
            "`",
            "\"\"\"",
            "'''",
            "/",
            "*",
            "#",
            "@",
            "\\",
            "{",
            "}",
            "(",
            ")",
            "[",
            "]",
            "<",
            ">",
            "$",
            "${",
            "\n",
            " ",
            "\t",
            ":",
            ",",
            ".",
            "=",
            "f",
            "r",
            "b",
            "def ",
            "class ",
            "fun ",
            "func ",
            "it(",
            "describe(",
            "Test",
            "test_",
            "incident: A-1",
            "@Test",
            "@pytest.mark.incident(",
            "é",
            "\r\n",
            "x",
            "1",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut inputs: Vec<String> = (0..300)
            .map(|_| {
                let len = (next() % 200) as usize;
                (0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]).collect()
            })
            .collect();
        inputs.extend(
            ["rust.rs", "python.rs", "clike.rs", "go.rs", "java.rs", "javascript.rs"]
                .iter()
                .map(|f| std::fs::read_to_string(format!("{}/src/scan/{f}", env!("CARGO_MANIFEST_DIR"))).unwrap()),
        );
        let paths = ["a.rs", "test_a.py", "a_test.go", "a.test.tsx", "a.test.ts", "A.java", "A.kt"];
        for text in &inputs {
            let lines = text.lines().count().max(1) + 1;
            for path in paths {
                let scan = language_for(path).unwrap().scan(path, text, &words);
                for t in &scan.tests {
                    assert!(t.loc.line <= lines, "{path}: {t:?}");
                }
            }
        }
    }
}

/// Helpers shared by the language scanners' unit tests.
#[cfg(test)]
pub(crate) mod test_support {
    use super::FileScan;

    /// `(identity, line, ["ID@line:col", …])` of every test.
    pub fn linked(s: &FileScan) -> Vec<(String, usize, Vec<String>)> {
        s.tests
            .iter()
            .map(|t| {
                let links = t.links.iter().map(|l| format!("{}@{}:{}", l.incident, l.loc.line, l.loc.column)).collect();
                (t.id.clone(), t.loc.line, links)
            })
            .collect()
    }

    pub fn ids(s: &FileScan) -> Vec<String> {
        s.tests.iter().map(|t| t.id.clone()).collect()
    }
}
