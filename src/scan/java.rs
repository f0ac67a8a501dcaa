//! Java and Kotlin tests (`.java`, `.kt`): methods (Kotlin `fun`s) annotated `@Test`
//! (JUnit 4 and 5, TestNG, kotlin.test), JUnit 5's `@ParameterizedTest`,
//! `@RepeatedTest`, `@TestFactory`, `@TestTemplate`, JUnit 4's `@Theory`, jqwik's
//! `@Property` and `@Example`; the `public void testX()` methods of JUnit 3 `TestCase`
//! subclasses (run by JUnit 4 and JUnit 5's vintage engine, without annotations); and
//! Kotest specs' tests (`java_kotest.rs`). Identity: `path::Class::method`, with nested
//! (`@Nested`) classes in the path; a Kotlin name in backticks is written without them
//! (`path::CartTest::adds two items`).
//!
//! Markers: `// incident: ID` (or a `/* */`, `/** */` comment) on the lines directly
//! above the method or between its annotations, or directly above a test class to link
//! all its tests; and JUnit 5's `@Tag("incident:ID")` (also inside `@Tags({…})`), which,
//! as in JUnit, a test inherits from its classes. Skipped: `@Disabled`, `@Ignore` (on
//! the method or a class around it; JUnit 3 reads no annotation on a method);
//! `@DisabledIf…`, `@DisabledOn…`, `@EnabledIf…`, `@EnabledOn…`, `@DisabledFor…`,
//! `@EnabledFor…` are conditional. Each test's tags, JUnit 4 categories, top-level class
//! and package are kept for the build's filters (`facts`, read by `reach::java`).
//!
//! Read with the shared C-like lexer (`clike`): Java text blocks and char literals,
//! Kotlin string templates, raw strings, nested comments and backticked names.
//! Declarations are found in class bodies by their keywords and brackets; method bodies
//! and initializers are skipped whole. tree-sitter-java and tree-sitter-kotlin-ng would
//! add ~2.7 s to a `-j1` build plus tree-sitter itself and their parse tables (Kotlin's
//! are the largest of the six grammars measured; see `clike`), and Kotlin has no grammar
//! crate maintained with tree-sitter itself. Which tests Surefire runs was compared with
//! Surefire 2.22.3 itself (docs/languages.md); the fixtures in the unit tests,
//! `tests/languages.rs` and `tests/java_truth.rs` cover every form above.

use super::clike::{self, Dialect, Lexed, TokKind};
use super::markers::MarkerWords;
use super::{BadMarker, FileScan, Item, ItemKind, Language, Link, Skip, StrayMarker};
use crate::finding::Location;

#[path = "java_kotest.rs"]
mod kotest;
/// Kotest's spec styles: a test under one has Kotest's tags, not JUnit's.
pub(crate) use kotest::STYLES as KOTEST_STYLES;

/// Classes nested deeper than this are not read: no real code nests so deep, and each
/// level copies its scope.
const MAX_CLASS_NESTING: usize = 100;
/// JUnit 4 and 5, TestNG, kotlin.test; JUnit 4's theories (`@Theory`); jqwik's
/// properties and examples (`@Property`, `@Example`, also junit-quickcheck's `@Property`).
const TEST_ANNOTATIONS: &[&str] =
    &["Test", "ParameterizedTest", "RepeatedTest", "TestFactory", "TestTemplate", "Theory", "Property", "Example"];
/// The JUnit 3 base class: its subclasses' `public void testX()` methods are tests (run by
/// JUnit 4 and by JUnit 5's vintage engine), without any annotation.
const JUNIT3_BASE: &str = "TestCase";
const CLASS_KEYWORDS: &[&str] = &["class", "interface", "enum", "record", "object"];
/// Words that start a Kotlin declaration when they begin a line.
const KOTLIN_STARTS: &[&str] = &[
    "fun",
    "val",
    "var",
    "class",
    "interface",
    "object",
    "init",
    "companion",
    "constructor",
    "private",
    "public",
    "protected",
    "internal",
    "override",
    "open",
    "abstract",
    "final",
    "suspend",
    "inline",
    "data",
    "sealed",
    "enum",
    "inner",
    "lateinit",
    "const",
    "annotation",
    "operator",
    "infix",
    "tailrec",
    "external",
    "actual",
    "expect",
    "value",
];

pub struct Java;

impl Language for Java {
    fn name(&self) -> &'static str {
        "java"
    }

    fn handles(&self, path: &str) -> bool {
        path.ends_with(".java") || path.ends_with(".kt")
    }

    /// Maven's and Gradle's tests live in `src/test/` (a test directory); elsewhere, the
    /// class names Surefire runs by default: `Test*`, `*Test`, `*Tests`, `*TestCase`.
    fn is_test_file(&self, path: &str) -> bool {
        let base = path.rsplit('/').next().unwrap_or(path);
        let stem = base.rsplit_once('.').map_or(base, |(s, _)| s);
        stem.starts_with("Test") || ["Test", "Tests", "TestCase"].iter().any(|s| stem.ends_with(s))
    }

    fn scan(&self, path: &str, text: &str, words: &MarkerWords) -> FileScan {
        let kotlin = path.ends_with(".kt");
        let dialect = if kotlin { Dialect::KOTLIN } else { Dialect::JAVA };
        let lexed = clike::lex(text, &dialect);
        let mut p = Parser::new(path, &lexed, words, kotlin);
        p.run();
        let Parser { mut items, mut bad, mut stray, found_tag, .. } = p;
        items.sort_by_key(|it| it.start_line);
        let mut scan = super::attach(path, text, &lexed.comments, &items, words);
        scan.has_markers |= found_tag;
        scan.bad_markers.append(&mut bad);
        scan.stray.append(&mut stray);
        scan.stray.sort_by_key(|s| (s.loc.line, s.loc.column));
        scan
    }

    fn skip_form(&self) -> &'static str {
        "`@Disabled`/`@Ignore`"
    }

    fn marker_help(&self) -> &'static str {
        "put `// incident: ID` on the lines directly above a `@Test` method (or between its annotations, or above its class for all its tests), or use `@Tag(\"incident:ID\")`"
    }
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Marks {
    pub(crate) links: Vec<Link>,
    tag_at: Option<Location>,
    pub(crate) disabled: Option<Location>,
    pub(crate) conditional: Option<Location>,
    /// JUnit 5 tags (`@Tag("fast")`, incident tags too) and JUnit 4 categories
    /// (`@Category(Slow.class)`, by simple name), own and inherited from the classes around.
    tags: Vec<(String, Location)>,
    categories: Vec<(String, Location)>,
    /// The supertypes named by the classes around, nearest first: their tags are
    /// inherited too (JUnit 5's `@Tag` is `@Inherited`), from wherever they are written.
    supers: Vec<String>,
}

impl Marks {
    fn inherit(&mut self, outer: &Marks) {
        self.links.extend(outer.links.iter().cloned());
        self.disabled = self.disabled.clone().or_else(|| outer.disabled.clone());
        self.conditional = self.conditional.clone().or_else(|| outer.conditional.clone());
        self.tags.extend(outer.tags.iter().cloned());
        self.categories.extend(outer.categories.iter().cloned());
        self.supers.extend(outer.supers.iter().cloned());
    }
}

/// What a build's test filters look at, for one test: its top-level class and package,
/// and its tags and categories. See `reach::java`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// The top-level class the runner is given (`CartTest` for `CartTest::Nested::t`).
    pub class: String,
    /// From the file's `package` line; empty in the default package.
    pub package: String,
    pub tags: Vec<(String, Location)>,
    pub categories: Vec<(String, Location)>,
    /// The top-level class is `abstract`: it runs only through subclasses, whatever
    /// their names.
    pub is_abstract: bool,
    /// The supertypes of the classes around the test (as written: `Base`, `a.b.Base`).
    pub supers: Vec<String>,
    /// The file's imports, fully qualified (`a.b.Base`), to find a supertype's file.
    pub imports: Vec<String>,
}

/// A top-level class of a file, for the tags its subclasses inherit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClassFacts {
    pub name: String,
    pub tags: Vec<(String, Location)>,
    pub categories: Vec<(String, Location)>,
    pub supers: Vec<String>,
}

/// The top-level classes of a Java or Kotlin file with their own tags and supertypes.
pub fn classes(path: &str, text: &str) -> (Vec<ClassFacts>, Vec<String>, String) {
    let kotlin = path.ends_with(".kt");
    let dialect = if kotlin { Dialect::KOTLIN } else { Dialect::JAVA };
    let lexed = clike::lex(text, &dialect);
    let words = MarkerWords::new(&[]);
    let mut p = Parser::new(path, &lexed, &words, kotlin);
    p.run();
    let out = std::mem::take(&mut p.class_facts);
    (out, imports_of(&lexed), package_of(&lexed))
}

/// The fully qualified names the file imports (not `*` or static imports).
fn imports_of(lexed: &Lexed<'_>) -> Vec<String> {
    let toks = &lexed.tokens;
    let mut out = Vec::new();
    for k in 0..toks.len() {
        if !toks[k].is("import") || toks.get(k + 1).is_some_and(|s| s.is("static")) {
            continue;
        }
        let name: String = toks[k + 1..]
            .iter()
            .take_while(|t| t.line == toks[k].line && (t.kind == TokKind::Ident || t.is_punct('.')))
            .map(|t| t.text)
            .collect();
        if !name.is_empty() && !name.ends_with('.') {
            out.push(name);
        }
    }
    out
}

/// The facts of each test of a Java or Kotlin file, by identity.
pub fn facts(path: &str, text: &str) -> Vec<(String, Facts)> {
    let kotlin = path.ends_with(".kt");
    let dialect = if kotlin { Dialect::KOTLIN } else { Dialect::JAVA };
    let lexed = clike::lex(text, &dialect);
    let words = MarkerWords::new(&[]);
    let mut p = Parser::new(path, &lexed, &words, kotlin);
    p.run();
    let package = package_of(&lexed);
    let imports = imports_of(&lexed);
    let mut out = Vec::new();
    for (item, marks, is_abstract) in std::mem::take(&mut p.facts) {
        let it = &p.items[item];
        let ItemKind::Test { name, .. } = &it.kind else { continue };
        out.push((
            super::identity(path, &it.scope, name),
            Facts {
                class: it.scope.first().cloned().unwrap_or_default(),
                package: package.clone(),
                tags: marks.tags,
                categories: marks.categories,
                is_abstract,
                supers: marks.supers,
                imports: imports.clone(),
            },
        ));
    }
    out
}

/// The dotted name on the `package` line, if any.
fn package_of(lexed: &Lexed<'_>) -> String {
    let toks = &lexed.tokens;
    let Some(k) = toks.iter().position(|t| t.is("package")) else { return String::new() };
    toks[k + 1..]
        .iter()
        .take_while(|t| t.line == toks[k].line && (t.kind == TokKind::Ident || t.is_punct('.')))
        .map(|t| t.text)
        .collect()
}

struct Annotation {
    /// Index of its `@`.
    at: usize,
    name: usize,
    args: Option<(usize, usize)>,
}

/// A class body to read: token range, scope, and the marks its tests inherit.
struct Work {
    from: usize,
    to: usize,
    scope: Vec<String>,
    inherited: Marks,
    class_item: Option<usize>,
    /// A JUnit 3 class: a subclass of `TestCase`, in this file's view.
    junit3: bool,
    /// The top-level class around is `abstract`.
    top_abstract: bool,
}

struct Parser<'a, 'b> {
    path: &'b str,
    lexed: &'b Lexed<'a>,
    words: &'b MarkerWords,
    kotlin: bool,
    items: Vec<Item>,
    bad: Vec<BadMarker>,
    stray: Vec<StrayMarker>,
    found_tag: bool,
    /// Each test item's marks (own and inherited) and whether its top class is abstract.
    facts: Vec<(usize, Marks, bool)>,
    /// Classes of this file that extend `TestCase`, directly or through each other.
    junit3: std::collections::HashSet<String>,
    /// Class items that hold tests found outside their own body (Kotest specs).
    spec_classes: Vec<usize>,
    /// The top-level classes with their own tags and supertypes.
    class_facts: Vec<ClassFacts>,
}

impl<'a, 'b> Parser<'a, 'b> {
    fn new(path: &'b str, lexed: &'b Lexed<'a>, words: &'b MarkerWords, kotlin: bool) -> Self {
        let mut p = Parser {
            path,
            lexed,
            words,
            kotlin,
            items: Vec::new(),
            bad: Vec::new(),
            stray: Vec::new(),
            found_tag: false,
            facts: Vec::new(),
            junit3: Default::default(),
            spec_classes: Vec::new(),
            class_facts: Vec::new(),
        };
        p.junit3 = p.junit3_classes();
        p
    }

    /// The simple name of the class a class header extends: Java's `extends A.B<T>`,
    /// Kotlin's first supertype called as a constructor (`: B()`). `from` is the token
    /// after the class's name.
    fn superclass(&self, from: usize) -> Option<(&'a str, usize)> {
        let toks = &self.lexed.tokens;
        let mut j = from;
        while j < toks.len() {
            let t = &toks[j];
            if t.is_punct('{')
                || t.is_punct(';')
                || t.is_punct('}')
                || (self.kotlin && j > from && self.kotlin_start(j))
            {
                return None;
            }
            let starts = if self.kotlin { t.is_punct(':') || t.is_punct(',') } else { t.is("extends") };
            if starts {
                // A dotted name: its last part.
                let mut k = j + 1;
                while toks.get(k).is_some_and(|i| i.kind == TokKind::Ident)
                    && toks.get(k + 1).is_some_and(|d| d.is_punct('.'))
                {
                    k += 2;
                }
                let name = toks.get(k).filter(|i| i.kind == TokKind::Ident)?;
                if !self.kotlin || toks.get(k + 1).is_some_and(|p| p.is_punct('(')) {
                    return Some((name.text, k));
                }
            }
            j = if t.is_punct('(') || t.is_punct('[') { self.lexed.close_of(j) + 1 } else { j + 1 };
        }
        None
    }

    /// The supertypes a class header names (`extends A<T> implements B, C`; Kotlin's
    /// `: A(), B`), from the token after the class's name to `to`.
    fn supertypes(&self, from: usize, to: usize) -> Vec<String> {
        let toks = &self.lexed.tokens;
        let mut out = Vec::new();
        let mut collecting = false;
        let mut angle = 0usize;
        let mut j = from;
        while j < to.min(toks.len()) {
            let t = &toks[j];
            if t.is_punct('{') || t.is_punct(';') || t.is("where") {
                break;
            }
            if t.is_punct('(') || t.is_punct('[') {
                j = self.lexed.close_of(j) + 1;
                continue;
            }
            if t.is_punct('<') {
                angle += 1;
            } else if t.is_punct('>') {
                angle = angle.saturating_sub(1);
            } else if angle == 0 {
                if t.is("extends") || t.is("implements") || (self.kotlin && t.is_punct(':')) {
                    collecting = true;
                } else if t.is("by") {
                    collecting = false;
                } else if t.is_punct(',') && self.kotlin {
                    collecting = true;
                } else if collecting && t.kind == TokKind::Ident && !(j > 0 && toks[j - 1].is_punct('.')) {
                    let mut name = t.text.to_owned();
                    let mut k = j;
                    while toks.get(k + 1).is_some_and(|d| d.is_punct('.'))
                        && toks.get(k + 2).is_some_and(|i| i.kind == TokKind::Ident)
                    {
                        name.push('.');
                        name.push_str(toks[k + 2].text);
                        k += 2;
                    }
                    out.push(name);
                    j = k + 1;
                    if self.kotlin {
                        collecting = false;
                    }
                    continue;
                }
            }
            j += 1;
        }
        out
    }

    /// The classes of this file that are JUnit 3 test classes: `TestCase`'s subclasses,
    /// also through other classes of the file (`class B extends A`, `class A extends TestCase`).
    fn junit3_classes(&self) -> std::collections::HashSet<String> {
        let toks = &self.lexed.tokens;
        let mut extends: Vec<(&str, &str)> = Vec::new();
        for k in 0..toks.len() {
            if toks[k].is("class")
                && toks.get(k + 1).is_some_and(|n| n.kind == TokKind::Ident)
                && let Some((sup, _)) = self.superclass(k + 2)
            {
                extends.push((toks[k + 1].text, sup));
            }
        }
        let mut set: std::collections::HashSet<String> = std::collections::HashSet::new();
        loop {
            let before = set.len();
            for (class, sup) in &extends {
                if *sup == JUNIT3_BASE || set.contains(*sup) {
                    set.insert((*class).to_owned());
                }
            }
            if set.len() == before {
                return set;
            }
        }
    }

    fn loc(&self, i: usize, len: usize) -> Location {
        let t = &self.lexed.tokens[i];
        Location { path: self.path.to_owned(), line: t.line, column: self.lexed.col(t.start), len }
    }

    fn is_group(&self, i: usize, c: char) -> bool {
        self.lexed.tokens.get(i).is_some_and(|t| t.is_punct(c))
    }

    /// Whether token `k` starts a new Kotlin declaration (a declaration word first on its line).
    fn kotlin_start(&self, k: usize) -> bool {
        let toks = &self.lexed.tokens;
        let first_on_line = k == 0 || toks[k - 1].end_line < toks[k].line;
        toks[k].is_punct(';')
            || (first_on_line
                && (toks[k].is_punct('@') || (toks[k].kind == TokKind::Ident && KOTLIN_STARTS.contains(&toks[k].text))))
    }

    /// Skips a Kotlin expression (a property initializer or an `= expr` body) from `k`:
    /// returns the index of the next declaration start (or `to`).
    fn skip_kotlin_expr(&self, mut k: usize, to: usize) -> usize {
        let toks = &self.lexed.tokens;
        while k < to {
            if self.kotlin_start(k) {
                return k;
            }
            k = if toks[k].kind == TokKind::Punct && matches!(toks[k].text, "(" | "[" | "{") {
                self.lexed.close_of(k) + 1
            } else {
                k + 1
            };
        }
        to
    }

    fn marks(&mut self, anns: &[Annotation]) -> Marks {
        let lexed = self.lexed;
        let toks = &lexed.tokens;
        let mut m = Marks::default();
        for a in anns {
            let name = toks[a.name].text;
            let at = self.loc(a.at, toks[a.name].start + name.len() - toks[a.at].start);
            match name {
                // Kotest's `@Ignored` on a spec.
                "Disabled" | "Ignore" | "Ignored" => {
                    m.disabled.get_or_insert(at);
                }
                n if ["DisabledIf", "DisabledOn", "EnabledIf", "EnabledOn", "DisabledFor", "EnabledFor"]
                    .iter()
                    .any(|p| n.starts_with(p)) =>
                {
                    m.conditional.get_or_insert(at);
                }
                "Tag" | "Tags" => {
                    let Some((open, close)) = a.args else { continue };
                    for k in open + 1..close {
                        // `@Tag("…")` itself, or each `@Tag("…")` inside `@Tags({…})`.
                        let direct = name == "Tag" && k == open + 1;
                        let nested = k >= 2 && toks[k - 1].is_punct('(') && toks[k - 2].is("Tag");
                        if toks[k].kind == TokKind::Lit && (direct || nested) {
                            if let Some(v) = lexed.string_value(k) {
                                m.tags.push((v.trim().to_owned(), self.loc(k, toks[k].text.chars().count())));
                            }
                            self.tag(k, &mut m);
                        }
                    }
                }
                // TestNG: `@Test(groups = {"slow", "db"})`, `groups = "slow"`.
                "Test" => {
                    let Some((open, close)) = a.args else { continue };
                    let Some(g) = (open + 1..close)
                        .find(|&k| toks[k].is("groups") && toks.get(k + 1).is_some_and(|e| e.is_punct('=')))
                    else {
                        continue;
                    };
                    // One literal, or `{…}` of them.
                    let (from, to) = if self.is_group(g + 2, '{') {
                        (g + 3, self.lexed.close_of(g + 2))
                    } else {
                        (g + 2, (g + 3).min(close))
                    };
                    for (k, t) in toks.iter().enumerate().take(to).skip(from) {
                        if t.kind == TokKind::Lit
                            && let Some(v) = lexed.string_value(k)
                        {
                            m.tags.push((v.trim().to_owned(), self.loc(k, t.text.chars().count())));
                        }
                    }
                }
                "Category" => {
                    // `@Category(Slow.class)`, `@Category({A.class, b.B.class})`, `Slow::class`.
                    let Some((open, close)) = a.args else { continue };
                    for k in open + 1..close {
                        let java = toks[k].is_punct('.') && toks.get(k + 1).is_some_and(|c| c.is("class"));
                        let kotlin = toks[k].is_punct(':')
                            && toks.get(k + 1).is_some_and(|c| c.is_punct(':'))
                            && toks.get(k + 2).is_some_and(|c| c.is("class"));
                        if (java || kotlin) && k > open + 1 && toks[k - 1].kind == TokKind::Ident {
                            let t = &toks[k - 1];
                            m.categories.push((t.text.to_owned(), self.loc(k - 1, t.text.chars().count())));
                        }
                    }
                }
                _ => {}
            }
        }
        m
    }

    /// A `@Tag` string: a marker when it starts with a marker word and `:`. The marker
    /// is read from the literal as written, escapes and all, as it is from a comment:
    /// decoded, `"incident\u003aX"` would be a marker that the byte search which skips
    /// files without one (`MarkerWords::may_contain`) cannot see, so whether it counted
    /// would depend on the rest of the file. Read as written, offsets in it are offsets
    /// in the source, also across the lines of a text block.
    fn tag(&mut self, k: usize, m: &mut Marks) {
        if self.lexed.string_value(k).is_none() {
            return; // not a plain string: a template with `${…}`, a char
        }
        let text = self.lexed.tokens[k].text;
        let quotes = if text.starts_with("\"\"\"") { 3 } else { 1 };
        let written = &text[quotes..text.len() - quotes];
        let Some(marker) = self.words.parse(written) else { return };
        self.found_tag = true;
        let base = self.loc(k, 1);
        let at = |offset: usize, len: usize| {
            let (mut line, mut column) = (base.line, base.column + quotes);
            for c in written.chars().take(offset) {
                if c == '\n' {
                    line += 1;
                    column = 1;
                } else {
                    column += 1;
                }
            }
            Location { line, column, len, ..base.clone() }
        };
        m.tag_at.get_or_insert(at(marker.offset, marker.len));
        for (token, offset) in marker.bad {
            self.bad.push(BadMarker { loc: at(offset, token.chars().count().max(1)), token, prose: false });
        }
        for (id, offset) in marker.ids {
            let len = id.chars().count();
            m.links.push(Link { incident: id, loc: at(offset, len) });
        }
    }

    fn run(&mut self) {
        let n = self.lexed.tokens.len();
        let mut work = vec![Work {
            from: 0,
            to: n,
            scope: Vec::new(),
            inherited: Marks::default(),
            class_item: None,
            junit3: false,
            top_abstract: false,
        }];
        let mut classes: Vec<(usize, Option<usize>, Marks)> = Vec::new(); // (item, enclosing class item, own marks)
        let mut has_tests: Vec<bool> = Vec::new(); // by item
        while let Some(w) = work.pop() {
            let first_new = self.items.len();
            self.body(&w, &mut work, &mut classes);
            has_tests.resize(self.items.len(), false);
            if self.items[first_new..].iter().any(|t| matches!(t.kind, ItemKind::Test { .. })) {
                // Mark this class and every class around it.
                let mut up = w.class_item;
                while let Some(c) = up.filter(|&c| !has_tests[c]) {
                    has_tests[c] = true;
                    up = classes.iter().find(|(item, _, _)| *item == c).and_then(|(_, parent, _)| *parent);
                }
            }
        }
        for c in std::mem::take(&mut self.spec_classes) {
            let mut up = Some(c);
            while let Some(c) = up.filter(|&c| !has_tests[c]) {
                has_tests[c] = true;
                up = classes.iter().find(|(item, _, _)| *item == c).and_then(|(_, parent, _)| *parent);
            }
        }
        // A class holding tests is a group: a marker above it links them all.
        for (item, _, marks) in classes {
            if has_tests[item] {
                self.items[item].kind = ItemKind::Group;
            } else if let Some(at) = marks.tag_at {
                let target = format!("{}, which has no tests", self.items[item].what);
                self.stray.push(StrayMarker { loc: at, ids: marks.links, target });
            }
        }
    }

    fn body(&mut self, w: &Work, work: &mut Vec<Work>, classes: &mut Vec<(usize, Option<usize>, Marks)>) {
        let lexed = self.lexed;
        let toks = &lexed.tokens;
        let mut pending: Vec<Annotation> = Vec::new();
        let mut decl_start: Option<usize> = None;
        let mut k = w.from;
        while k < w.to {
            let t = &toks[k];
            let reset = |pending: &mut Vec<Annotation>, decl_start: &mut Option<usize>| {
                pending.clear();
                *decl_start = None;
            };
            if t.is_punct('@') && !toks.get(k + 1).is_some_and(|i| i.is("interface")) {
                let mut j = k + 1;
                if toks.get(j + 1).is_some_and(|c| c.is_punct(':'))
                    && toks.get(j + 2).is_some_and(|i| i.kind == TokKind::Ident)
                {
                    j += 2; // Kotlin use-site target: `@field:Rule`
                }
                while toks.get(j + 1).is_some_and(|d| d.is_punct('.'))
                    && toks.get(j + 2).is_some_and(|i| i.kind == TokKind::Ident)
                {
                    j += 2;
                }
                if toks.get(j).is_none_or(|i| i.kind != TokKind::Ident) {
                    k += 1;
                    continue;
                }
                let args = self.is_group(j + 1, '(').then(|| (j + 1, self.lexed.close_of(j + 1)));
                decl_start.get_or_insert(k);
                pending.push(Annotation { at: k, name: j, args });
                k = args.map_or(j + 1, |(_, c)| c + 1);
                continue;
            }
            if t.kind == TokKind::Punct {
                match t.text {
                    "{" => {
                        // An initializer block, `init { … }`, or an enum constant's body.
                        k = self.lexed.close_of(k) + 1;
                        reset(&mut pending, &mut decl_start);
                        continue;
                    }
                    "(" | "[" => {
                        k = self.lexed.close_of(k) + 1;
                        continue;
                    }
                    ";" | "}" => {
                        reset(&mut pending, &mut decl_start);
                        k += 1;
                        continue;
                    }
                    "=" if !self.kotlin => {
                        // A field initializer: up to its `;`.
                        let start = decl_start.unwrap_or(k);
                        let mut j = k + 1;
                        while j < w.to && !toks[j].is_punct(';') {
                            j = if toks[j].kind == TokKind::Punct && matches!(toks[j].text, "(" | "[" | "{") {
                                self.lexed.close_of(j) + 1
                            } else {
                                j + 1
                            };
                        }
                        let name = toks[k.saturating_sub(1)].text;
                        self.other(
                            &pending,
                            start,
                            k.saturating_sub(1),
                            j.min(w.to.saturating_sub(1)),
                            w,
                            format!("field {name}"),
                        );
                        reset(&mut pending, &mut decl_start);
                        k = j + 1;
                        continue;
                    }
                    _ => {
                        k += 1;
                        continue;
                    }
                }
            }
            let after_dot = k > 0
                && (toks[k - 1].is_punct('.') || (toks[k - 1].is_punct(':') && k > 1 && toks[k - 2].is_punct(':')));
            let companion = t.is("object") && k > 0 && toks[k - 1].is("companion");
            if CLASS_KEYWORDS.contains(&t.text) && t.kind == TokKind::Ident && !after_dot {
                let name_tok = toks.get(k + 1).filter(|n| n.kind == TokKind::Ident && !n.is("fun"));
                if name_tok.is_none() && !companion {
                    k += 1;
                    continue;
                }
                let (name, name_i) = match name_tok {
                    Some(n) => (n.text.to_owned(), k + 1),
                    None => ("Companion".to_owned(), k),
                };
                // The body: the next `{` before anything that starts another declaration.
                let mut j = name_i + 1;
                let mut body = None;
                while j < w.to {
                    let tj = &toks[j];
                    if tj.is_punct('{') {
                        body = Some(j);
                        break;
                    }
                    if tj.is_punct(';')
                        || tj.is_punct('}')
                        || tj.is_punct('@')
                        || (self.kotlin && self.kotlin_start(j) && j > name_i + 1)
                    {
                        break;
                    }
                    j = if tj.is_punct('(') || tj.is_punct('[') { self.lexed.close_of(j) + 1 } else { j + 1 };
                }
                let start = decl_start.unwrap_or(k);
                let end = body.map_or(j.saturating_sub(1).max(name_i), |b| self.lexed.close_of(b));
                let mut marks = self.marks(&pending);
                let mut scope = w.scope.clone();
                scope.push(name.clone());
                let item = self.items.len();
                self.items.push(Item {
                    kind: ItemKind::Other,
                    start_line: toks[start].line,
                    decl_line: toks[name_i].line,
                    end_line: toks[end.min(toks.len() - 1)].end_line,
                    scope: scope.clone(),
                    what: format!("{} {name}", t.text),
                });
                classes.push((item, w.class_item, marks.clone()));
                marks.inherit(&w.inherited);
                let supers = self.supertypes(name_i + 1, body.unwrap_or(j).max(name_i + 1));
                if w.scope.is_empty() {
                    self.class_facts.push(ClassFacts {
                        name: name.clone(),
                        tags: marks.tags.clone(),
                        categories: marks.categories.clone(),
                        supers: supers.clone(),
                    });
                }
                let mut own_supers = supers;
                own_supers.append(&mut marks.supers);
                marks.supers = own_supers;
                let is_abstract = toks[start..k].iter().any(|m| m.is("abstract"));
                let top_abstract = if w.scope.is_empty() { is_abstract } else { w.top_abstract };
                if self.kotlin && w.scope.len() < MAX_CLASS_NESTING {
                    let spec = kotest::Spec { scope: &scope, marks: &marks, top_abstract };
                    let mut found = false;
                    if let Some((_, i)) = self.superclass(name_i + 1).filter(|(s, _)| kotest::STYLES.contains(s)) {
                        // `: StringSpec({ … })`: the spec's body is the constructor's lambda.
                        let open = i + 1;
                        if self.is_group(open + 1, '{')
                            && self.lexed.close_of(open + 1) + 1 == self.lexed.close_of(open)
                        {
                            found |= kotest::read(self, open + 2, self.lexed.close_of(open + 1), &spec);
                        }
                        // `: FunSpec() { init { … } }`.
                        if let Some(b) = body {
                            let close = self.lexed.close_of(b);
                            let mut q = b + 1;
                            while q < close {
                                if toks[q].is("init") && self.is_group(q + 1, '{') {
                                    found |= kotest::read(self, q + 2, self.lexed.close_of(q + 1), &spec);
                                }
                                q = if toks[q].kind == TokKind::Punct && matches!(toks[q].text, "(" | "[" | "{") {
                                    self.lexed.close_of(q) + 1
                                } else {
                                    q + 1
                                };
                            }
                        }
                    }
                    if found {
                        self.spec_classes.push(item);
                    }
                }
                if let Some(b) = body.filter(|_| w.scope.len() < MAX_CLASS_NESTING) {
                    work.push(Work {
                        from: b + 1,
                        to: self.lexed.close_of(b),
                        scope,
                        inherited: marks,
                        class_item: Some(item),
                        junit3: self.junit3.contains(&name),
                        top_abstract,
                    });
                }
                reset(&mut pending, &mut decl_start);
                k = body.map_or(j, |_| end + 1);
                continue;
            }
            if self.kotlin && (t.is("val") || t.is("var")) {
                let start = decl_start.unwrap_or(k);
                let name = toks.get(k + 1).map_or("", |n| n.text);
                let end = self.skip_kotlin_expr(k + 1, w.to);
                self.other(&pending, start, k + 1, end.saturating_sub(1).max(k), w, format!("property {name}"));
                reset(&mut pending, &mut decl_start);
                k = end.max(k + 1);
                continue;
            }
            let fun = if self.kotlin && t.is("fun") && !toks.get(k + 1).is_some_and(|i| i.is("interface")) {
                // `fun <T> Receiver.name(`: the name is the identifier before the first `(`.
                (k + 1..w.to)
                    .find(|&j| toks[j].is_punct('(') || toks[j].is_punct('{') || toks[j].is_punct('='))
                    .filter(|&p| toks[p].is_punct('(') && p > k + 1)
                    .map(|p| p - 1)
            } else if !self.kotlin
                && t.kind == TokKind::Ident
                && self.is_group(k + 1, '(')
                && k > w.from
                && (toks[k - 1].kind == TokKind::Ident || toks[k - 1].is_punct('>') || toks[k - 1].is_punct(']'))
                && !toks[k - 1].is("new")
            {
                Some(k)
            } else {
                None
            };
            let Some(name_i) = fun else {
                if t.kind == TokKind::Ident {
                    decl_start.get_or_insert(k);
                }
                k += 1;
                continue;
            };
            let start = decl_start.unwrap_or(k);
            let params_close = self.lexed.close_of(name_i + 1);
            let mut j = params_close + 1;
            let mut end = params_close;
            while j < w.to {
                let tj = &toks[j];
                if tj.is_punct('{') {
                    end = self.lexed.close_of(j);
                    j = end + 1;
                    break;
                }
                if tj.is_punct(';') {
                    end = j;
                    j += 1;
                    break;
                }
                if self.kotlin && tj.is_punct('=') {
                    let next = self.skip_kotlin_expr(j + 1, w.to);
                    end = next.saturating_sub(1).max(j);
                    j = next;
                    break;
                }
                if tj.is_punct('@') || tj.is_punct('}') || (self.kotlin && self.kotlin_start(j)) {
                    break;
                }
                j = if tj.is_punct('(') || tj.is_punct('[') { self.lexed.close_of(j) + 1 } else { j + 1 };
            }
            let name = toks[name_i].text;
            let annotated = pending.iter().any(|a| TEST_ANNOTATIONS.contains(&toks[a.name].text));
            let junit3 = !annotated && w.junit3 && self.junit3_method(start, name_i, params_close);
            let is_test = annotated || junit3;
            let mut marks = self.marks(&pending);
            if junit3 {
                // JUnit 3's runner reads no annotation on a method; `@Ignore` on the class
                // is read (JUnit 4 looks for it before choosing the runner).
                marks.disabled = None;
                marks.conditional = None;
            }
            let own = (marks.tag_at.clone(), marks.links.clone());
            marks.inherit(&w.inherited);
            let kind = if is_test {
                ItemKind::Test {
                    name: name.to_owned(),
                    loc: self.loc(name_i, name.chars().count()),
                    ignored: marks.disabled.clone().map(|l| Skip::quoted(self.lexed.src, l)),
                    conditional_skip: marks.conditional.clone().map(|l| Skip::quoted(self.lexed.src, l)),
                    direct_links: marks.links.clone(),
                    span: Some(self.lexed.span(start, end.min(toks.len() - 1))),
                }
            } else {
                if let (Some(at), links) = own {
                    self.stray.push(StrayMarker { loc: at, ids: links, target: format!("method {name}") });
                }
                ItemKind::Other
            };
            if is_test {
                self.facts.push((self.items.len(), marks.clone(), w.top_abstract));
            }
            self.items.push(Item {
                kind,
                start_line: toks[start].line,
                decl_line: toks[name_i].line,
                end_line: toks[end.min(toks.len() - 1)].end_line,
                scope: w.scope.clone(),
                what: format!("method {name}"),
            });
            reset(&mut pending, &mut decl_start);
            k = j.max(k + 1);
        }
    }

    /// Whether the method named at `name_i` is a JUnit 3 test of a `TestCase` subclass:
    /// `public void testX()` without parameters and not static (Kotlin: a `fun testX()`
    /// that is neither private, protected nor internal and returns `Unit`).
    fn junit3_method(&self, start: usize, name_i: usize, params_close: usize) -> bool {
        let toks = &self.lexed.tokens;
        if !toks[name_i].text.starts_with("test") || params_close != name_i + 2 {
            return false;
        }
        let mods = &toks[start..name_i];
        if self.kotlin {
            let hidden = mods.iter().any(|m| m.is("private") || m.is("protected") || m.is("internal"));
            let typed = toks.get(params_close + 1).is_some_and(|c| c.is_punct(':'))
                && !toks.get(params_close + 2).is_some_and(|u| u.is("Unit"));
            !hidden && !typed && !mods.iter().any(|m| m.is("<"))
        } else {
            name_i > 0
                && toks[name_i - 1].is("void")
                && mods.iter().any(|m| m.is("public"))
                && !mods.iter().any(|m| m.is("static"))
        }
    }

    /// A declaration that is not a test (a field, a property): a tag marker on it is stray.
    fn other(&mut self, pending: &[Annotation], start: usize, name: usize, end: usize, w: &Work, what: String) {
        let lexed = self.lexed;
        let toks = &lexed.tokens;
        let marks = self.marks(pending);
        if let Some(at) = marks.tag_at {
            self.stray.push(StrayMarker { loc: at, ids: marks.links, target: what.clone() });
        }
        let last = toks.len().saturating_sub(1);
        self.items.push(Item {
            kind: ItemKind::Other,
            start_line: toks[start.min(last)].line,
            decl_line: toks[name.min(last)].line,
            end_line: toks[end.min(last)].end_line,
            scope: w.scope.clone(),
            what,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::test_support::linked;

    fn scan(path: &str, src: &str) -> FileScan {
        Java.scan(path, src, &MarkerWords::new(&["incident".to_owned()]))
    }

    const JAVA: &str = r#"package shop;

import org.junit.jupiter.api.*;

@Tag("incident:INC-9")
class CartTest {
    @RegisterExtension
    static Ext ext = new Ext(() -> { return 1; });

    // incident: INC-1
    @Test
    void addsItems() {
        String s = "// incident: X-1";
    }

    @Test
    // incident: INC-2
    @DisplayName("totals")
    public void totals() throws Exception {}

    @Tags({@Tag("fast"), @Tag("incident:INC-3")})
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void parameterized(int x) {}

    void helper() {}

    @Nested
    class Empty {
        @Disabled("flaky")
        @RepeatedTest(3)
        <T> List<T> repeated() { return null; }
    }
}
"#;

    #[test]
    fn java_tests_tags_nested_classes_and_skips() {
        let s = scan("src/test/java/shop/CartTest.java", JAVA);
        let p = "src/test/java/shop/CartTest.java::CartTest";
        assert_eq!(
            linked(&s),
            [
                (format!("{p}::addsItems"), 12, vec!["INC-9@5:16".to_owned(), "INC-1@10:18".to_owned()]),
                (format!("{p}::totals"), 19, vec!["INC-9@5:16".to_owned(), "INC-2@17:18".to_owned()]),
                (format!("{p}::parameterized"), 24, vec!["INC-3@21:41".to_owned(), "INC-9@5:16".to_owned()]),
                (format!("{p}::Empty::repeated"), 32, vec!["INC-9@5:16".to_owned()]),
            ]
        );
        assert_eq!(s.tests[3].ignored.as_ref().map(|s| &s.loc).map(|l| (l.line, l.column, l.len)), Some((30, 9, 9)));
        assert!(s.stray.is_empty() && s.bad_markers.is_empty(), "{:?}", s.stray);
        assert!(s.has_markers);
    }

    const KOTLIN: &str = r#"package shop

// incident: INC-1
class CartTest {
    private val cart = Cart(listOf("a", "b")) { it.size }

    @Test
    fun `adds two items`() = runTest {
        val s = "${cart.items["// incident: X"]} /* "
    }

    // incident: INC-2
    @Test
    @EnabledOnOs(OS.LINUX)
    suspend fun totals() {
    }

    @Ignore
    @Test fun ignored() {}

    // incident: INC-3
    fun helper() = 1

    companion object {
        // incident: INC-4
        @JvmStatic
        fun data() = listOf(1)
    }

    @Nested
    inner class Rounding {
        @Test
        fun halfUp() {}
    }
}
"#;

    #[test]
    fn kotlin_tests_backticks_expression_bodies_and_strays() {
        let s = scan("src/test/kotlin/CartTest.kt", KOTLIN);
        let p = "src/test/kotlin/CartTest.kt::CartTest";
        assert_eq!(
            linked(&s),
            [
                (format!("{p}::adds two items"), 8, vec!["INC-1@3:14".to_owned()]),
                (format!("{p}::totals"), 15, vec!["INC-1@3:14".to_owned(), "INC-2@12:18".to_owned()]),
                (format!("{p}::ignored"), 19, vec!["INC-1@3:14".to_owned()]),
                (format!("{p}::Rounding::halfUp"), 33, vec!["INC-1@3:14".to_owned()]),
            ]
        );
        assert_eq!(s.tests[0].body.as_str().lines().count(), 4);
        assert_eq!(s.tests[1].conditional_skip.as_ref().map(|s| &s.loc).map(|l| l.line), Some(14));
        assert_eq!(s.tests[2].ignored.as_ref().map(|s| &s.loc).map(|l| l.line), Some(18));
        let stray: Vec<(usize, &str)> = s.stray.iter().map(|m| (m.loc.line, m.target.as_str())).collect();
        assert_eq!(stray, [(21, "method helper"), (25, "method data")]);
    }

    #[test]
    fn bad_tags_and_tags_on_non_tests() {
        let src = "class A {\n    @Tag(\"incident:INC#1\")\n    @Test void a() {}\n    @Tag(\"incident: H-1\")\n    void helper() {}\n    @Tag(\"incident:F-1\") int f = 1;\n}\n@Tag(\"incident:E-1\")\nclass Empty {}\n";
        let s = scan("A.java", src);
        assert_eq!(
            s.bad_markers.iter().map(|b| (b.loc.line, b.loc.column, b.token.as_str())).collect::<Vec<_>>(),
            [(2, 20, "INC#1")]
        );
        let stray: Vec<(usize, &str, usize)> =
            s.stray.iter().map(|m| (m.loc.line, m.target.as_str(), m.ids.len())).collect();
        assert_eq!(stray, [(4, "method helper", 1), (6, "field f", 1), (8, "class Empty, which has no tests", 1)]);
    }

    #[test]
    fn tag_in_a_text_block_was_located_past_the_end_of_its_line() {
        // Found by the fuzzer: the ID's column was counted along the line the literal
        // starts on, past its end.
        let src = "class A {\n    @Tag(\"\"\"\n        incident:T-4\"\"\")\n    @Test void a() {}\n}\n";
        assert_eq!(linked(&scan("A.java", src)), [("A.java::A::a".to_owned(), 4, vec!["T-4@3:18".to_owned()])]);
    }

    #[test]
    fn tag_with_an_escaped_colon_was_a_marker_the_prefilter_cannot_see() {
        // Found by the fuzzer: decoded, `incident\u3a` was a marker in a file the byte
        // search skips, so it counted only when another marker stood in the same file.
        let words = MarkerWords::new(&["incident".to_owned()]);
        let src = "class A {\n    @Tag(\"incident\\u003aT-5\") @Test void b() {}\n    @Tag(\"incident:\\u0041-6\") @Test void c() {}\n}\n";
        // The first holds no marker as written; the second names a token that is no ID.
        assert!(!words.may_contain("@Tag(\"incident\\u003aT-5\")".as_bytes()));
        let s = scan("A.java", src);
        assert_eq!(linked(&s), [("A.java::A::b".to_owned(), 2, vec![]), ("A.java::A::c".to_owned(), 3, vec![])]);
        let bad: Vec<(usize, usize, &str)> =
            s.bad_markers.iter().map(|b| (b.loc.line, b.loc.column, b.token.as_str())).collect();
        assert_eq!(bad, [(3, 20, "\\u0041-6")]);
    }

    #[test]
    fn commented_out_tests_and_markers_in_strings_are_nothing() {
        let src = "class A {\n    // @Test\n    // void old() {}\n    /*\n    @Test\n    void older() {}\n    */\n    String s = \"\"\"\n    // incident: X-1\n    \"\"\";\n    char c = '\"';\n    @Test void kept() { String t = \"/* incident: X-2 */\"; }\n}\n";
        let s = scan("A.java", src);
        assert_eq!(linked(&s), [("A.java::A::kept".to_owned(), 12, vec![])]);
        assert!(!s.has_markers && s.stray.is_empty());
    }

    /// Each test's identity (after the file's path), its skip and its condition, quoted.
    fn verdicts(s: &FileScan) -> Vec<(String, Option<String>, Option<String>)> {
        s.tests
            .iter()
            .map(|t| {
                let id = t.id.split_once("::").map_or(t.id.as_str(), |(_, r)| r).to_owned();
                (id, t.ignored.as_ref().map(|s| s.what.clone()), t.conditional_skip.as_ref().map(|s| s.what.clone()))
            })
            .collect()
    }

    fn plain(id: &str) -> (String, Option<String>, Option<String>) {
        (id.to_owned(), None, None)
    }

    // incident: IG-2026-013
    #[test]
    fn junit3_testcase_methods_are_tests() {
        let src = r#"package shop;
import junit.framework.TestCase;
import org.junit.Ignore;

// incident: INC-1
public class CartTest extends TestCase {
    public void testAdds() {}
    @Ignore public void testIgnoreIsNotReadByJUnit3() {}
    void testPackagePrivate() {}
    public static void testStatic() {}
    public void testWithArgs(int x) {}
    public int testReturns() { return 1; }
    public void helper() {}
    protected void setUp() {}
}
class MoreCartTest extends CartTest {
    public void testMore() {}
}
@Ignore
class IgnoredTest extends junit.framework.TestCase {
    public void testOff() {}
}
class NotJUnit3 extends Base {
    public void testNothing() {}
}
"#;
        let s = scan("src/test/java/shop/CartTest.java", src);
        assert_eq!(
            verdicts(&s),
            [
                plain("CartTest::testAdds"),
                plain("CartTest::testIgnoreIsNotReadByJUnit3"),
                plain("MoreCartTest::testMore"),
                ("IgnoredTest::testOff".to_owned(), Some("`@Ignore`".to_owned()), None),
            ]
        );
        assert_eq!(linked(&s)[0].2, ["INC-1@5:14"]);
        let kt = "class CartTest : TestCase() {\n    fun testAdds() {}\n    private fun testHidden() {}\n    fun testTyped(): Int = 1\n    fun testUnit(): Unit {}\n}\n";
        assert_eq!(verdicts(&scan("CartTest.kt", kt)), [plain("CartTest::testAdds"), plain("CartTest::testUnit")]);
    }

    // incident: IG-2026-013
    #[test]
    fn jqwik_properties_and_examples_and_junit4_theories_are_tests() {
        let src = "class P {\n    @Property(tries = 10)\n    @Label(\"x\")\n    boolean holds(@ForAll int n) { return true; }\n    @Example void example() {}\n    @Disabled @Property void off(@ForAll int n) {}\n    @Theory public void theory(int x) {}\n    @Provide Arbitrary<Integer> ints() { return null; }\n}\n";
        assert_eq!(
            verdicts(&scan("P.java", src)),
            [
                plain("P::holds"),
                plain("P::example"),
                ("P::off".to_owned(), Some("`@Disabled`".to_owned()), None),
                plain("P::theory"),
            ]
        );
    }

    const KOTEST: &str = r#"package shop

class StringsSpec : StringSpec({
    // incident: INC-1
    "adds items" {
        cart.add("x") shouldBe 1
    }
    "!bang disables" { }
    "configured off".config(enabled = false) { }
    "configured maybe".config(enabled = onCi, timeout = 3.seconds) { }
    "templated $n" { }
    if (System.getenv("CI") != null) {
        "only on CI" { }
    }
})

class FunsSpec : FunSpec() {
    init {
        // incident: INC-2
        context("totals") {
            test("rounds") { }
            xtest("x-ed") { }
        }
        xcontext("off") {
            test("inside off") { }
        }
        test("top").config(enabledIf = { true }) { }
        withData(
            1, 2,
        ) { n -> n shouldBe n }
    }
}

class DescribesSpec : DescribeSpec({
    describe("a cart") {
        it("is empty") { }
        xit("not yet") { }
    }
})

class FreesSpec : FreeSpec({
    "outer" - {
        "inner" { }
    }
})

class WordsSpec : WordSpec({
    "a cart" should {
        "hold items" { }
    }
})

class BehaviorsSpec : BehaviorSpec({
    given("a cart") {
        `when`("adding") {
            then("it holds") { }
        }
    }
})

@Ignored
class IgnoredSpec : ShouldSpec({
    should("never run") { }
})

class NotASpec : Something({
    "not a test" { }
})
"#;

    // incident: IG-2026-013
    #[test]
    fn kotest_specs_of_every_style_are_tests_with_their_skips() {
        let src = KOTEST;
        let s = scan("src/test/kotlin/shop/Specs.kt", src);
        let off = |id: &str, why: &str| (id.to_owned(), Some(why.to_owned()), None);
        let cond = |id: &str, why: &str| (id.to_owned(), None, Some(why.to_owned()));
        assert_eq!(
            verdicts(&s),
            [
                plain("StringsSpec::adds items"),
                off("StringsSpec::!bang disables", "`\"!bang disables\"`"),
                off("StringsSpec::configured off", "`enabled = false`"),
                cond("StringsSpec::configured maybe", "`enabled = onCi`"),
                plain("StringsSpec::templated $n"),
                cond("StringsSpec::only on CI", "`if (System.getenv(\"CI\") != null)`"),
                plain("FunsSpec::totals -- rounds"),
                off("FunsSpec::totals -- x-ed", "`xtest`"),
                off("FunsSpec::off -- inside off", "`xcontext`"),
                cond("FunsSpec::top", "`enabledIf = { true }`"),
                plain("FunsSpec::withData( 1, 2, )"),
                plain("DescribesSpec::a cart -- is empty"),
                off("DescribesSpec::a cart -- not yet", "`xit`"),
                plain("FreesSpec::outer -- inner"),
                plain("WordsSpec::a cart -- hold items"),
                plain("BehaviorsSpec::a cart -- adding -- it holds"),
                off("IgnoredSpec::never run", "`@Ignored`"),
            ]
        );
        let links: Vec<(String, Vec<String>)> =
            linked(&s).into_iter().filter(|l| !l.2.is_empty()).map(|(id, _, l)| (id, l)).collect();
        let p = "src/test/kotlin/shop/Specs.kt::";
        assert_eq!(
            links,
            [
                (format!("{p}StringsSpec::adds items"), vec!["INC-1@4:18".to_owned()]),
                (format!("{p}FunsSpec::totals -- rounds"), vec!["INC-2@19:22".to_owned()]),
                (format!("{p}FunsSpec::totals -- x-ed"), vec!["INC-2@19:22".to_owned()]),
            ]
        );
        assert_eq!(s.tests[0].body.as_str(), "\"adds items\" {\n        cart.add(\"x\") shouldBe 1\n    }");
        assert!(s.stray.is_empty(), "{:?}", s.stray);
    }

    #[test]
    fn facts_give_class_package_tags_and_categories() {
        let src = "package a.b;\n@Tag(\"slow\")\nclass CartTest {\n    @Nested class Inner { @Test @Tag(\"db\") void t() {} }\n    @Test @Category({Fast.class, x.Db.class}) void u() {}\n}\nabstract class BaseTest { @Test void v() {} }\n";
        let f = facts("CartTest.java", src);
        type Shown = (String, String, String, Vec<String>, Vec<String>, bool);
        let show: Vec<Shown> = f
            .into_iter()
            .map(|(id, f)| {
                (
                    id,
                    f.class,
                    f.package,
                    f.tags.into_iter().map(|t| t.0).collect(),
                    f.categories.into_iter().map(|t| t.0).collect(),
                    f.is_abstract,
                )
            })
            .collect();
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            show,
            [
                ("CartTest.java::BaseTest::v".into(), "BaseTest".into(), "a.b".into(), s(&[]), s(&[]), true),
                (
                    "CartTest.java::CartTest::u".into(),
                    "CartTest".into(),
                    "a.b".into(),
                    s(&["slow"]),
                    s(&["Fast", "Db"]),
                    false
                ),
                (
                    "CartTest.java::CartTest::Inner::t".into(),
                    "CartTest".into(),
                    "a.b".into(),
                    s(&["db", "slow"]),
                    s(&[]),
                    false
                ),
            ]
        );
    }

    #[test]
    fn garbage_never_panics() {
        for src in [JAVA, KOTLIN, KOTEST] {
            for (path, cut) in ["a.java", "a.kt"].iter().flat_map(|p| (0..=src.len()).map(move |c| (*p, c))) {
                let _ = scan(path, &src[..cut]);
            }
        }
        for junk in [
            "@",
            "@Test",
            "@Test fun",
            "@Tag(",
            "class",
            "companion object",
            "fun interface",
            "record R(",
            "= ;",
            "@a:",
        ] {
            let _ = scan("a.kt", junk);
            let _ = scan("a.java", junk);
        }
        let deep = "class A { ".repeat(20_000);
        let _ = scan("a.java", &deep);
    }
}
