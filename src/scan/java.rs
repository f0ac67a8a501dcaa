//! Java and Kotlin tests (`.java`, `.kt`): methods (Kotlin `fun`s) annotated `@Test`
//! (JUnit 4 and 5, TestNG, kotlin.test) or JUnit 5's `@ParameterizedTest`,
//! `@RepeatedTest`, `@TestFactory`, `@TestTemplate`. Identity: `path::Class::method`,
//! with nested (`@Nested`) classes in the path; a Kotlin name in backticks is written
//! without them (`path::CartTest::adds two items`).
//!
//! Markers: `// incident: ID` (or a `/* */`, `/** */` comment) on the lines directly
//! above the method or between its annotations, or directly above a test class to link
//! all its tests; and JUnit 5's `@Tag("incident:ID")` (also inside `@Tags({…})`), which,
//! as in JUnit, a test inherits from its classes. Skipped: `@Disabled`, `@Ignore` (on
//! the method or a class around it); `@DisabledIf…`, `@DisabledOn…`, `@EnabledIf…`,
//! `@EnabledOn…`, `@DisabledFor…`, `@EnabledFor…` are conditional.
//!
//! Read with the shared C-like lexer (`clike`): Java text blocks and char literals,
//! Kotlin string templates, raw strings, nested comments and backticked names.
//! Declarations are found in class bodies by their keywords and brackets; method bodies
//! and initializers are skipped whole. tree-sitter-java and tree-sitter-kotlin-ng would
//! add ~2.7 s to a `-j1` build plus tree-sitter itself and their parse tables (Kotlin's
//! are the largest of the six grammars measured; see `clike`), and Kotlin has no grammar
//! crate maintained with tree-sitter itself. No JVM test runner is run by the accuracy
//! scripts (none is installed on the build machine); the fixtures in the unit tests and
//! `tests/languages.rs` cover every form above.

use super::clike::{self, Dialect, Lexed, TokKind};
use super::markers::MarkerWords;
use super::{BadMarker, FileScan, Item, ItemKind, Language, Link, Skip, StrayMarker};
use crate::finding::Location;

/// Classes nested deeper than this are not read: no real code nests so deep, and each
/// level copies its scope.
const MAX_CLASS_NESTING: usize = 100;
const TEST_ANNOTATIONS: &[&str] = &["Test", "ParameterizedTest", "RepeatedTest", "TestFactory", "TestTemplate"];
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
        let mut p = Parser {
            path,
            lexed: &lexed,
            words,
            kotlin,
            items: Vec::new(),
            bad: Vec::new(),
            stray: Vec::new(),
            found_tag: false,
        };
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
struct Marks {
    links: Vec<Link>,
    tag_at: Option<Location>,
    disabled: Option<Location>,
    conditional: Option<Location>,
}

impl Marks {
    fn inherit(&mut self, outer: &Marks) {
        self.links.extend(outer.links.iter().cloned());
        self.disabled = self.disabled.clone().or_else(|| outer.disabled.clone());
        self.conditional = self.conditional.clone().or_else(|| outer.conditional.clone());
    }
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
}

impl Parser<'_, '_> {
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
                "Disabled" | "Ignore" => {
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
                            self.tag(k, &mut m);
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
        let mut work = vec![Work { from: 0, to: n, scope: Vec::new(), inherited: Marks::default(), class_item: None }];
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
                if let Some(b) = body.filter(|_| w.scope.len() < MAX_CLASS_NESTING) {
                    work.push(Work {
                        from: b + 1,
                        to: self.lexed.close_of(b),
                        scope,
                        inherited: marks,
                        class_item: Some(item),
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
            let is_test = pending.iter().any(|a| TEST_ANNOTATIONS.contains(&toks[a.name].text));
            let mut marks = self.marks(&pending);
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

    #[test]
    fn garbage_never_panics() {
        for src in [JAVA, KOTLIN] {
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
