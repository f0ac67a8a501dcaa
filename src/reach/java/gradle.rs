//! Gradle: the `test` task's filters, where the build script writes them as literals.
//! Read from the module's `build.gradle` or `build.gradle.kts` (blocks `test { … }`,
//! `tasks.test { … }`, `tasks.named("test") { … }`, `tasks.withType(Test) { … }`, also
//! inside `tasks { … }` and `allprojects { … }`), from the root build script's
//! `subprojects { … }` and `allprojects { … }`, and from scripts applied with a literal
//! `apply from:`. Gradle runs every test class it finds unless they filter.

use super::{Decision, Subject, ant_match, join, read, tag_expression, wildcard};
use crate::finding::{Location, code};
use crate::scan::Skip;
use crate::scan::clike::{self, Backtick, Dialect, Lexed, TokKind};
use std::path::Path;

const FILES: &[&str] = &["build.gradle", "build.gradle.kts"];
/// Groovy: `'…'` and `"…"` strings, `"""…"""`, `${…}` in double quotes.
const GROOVY: Dialect = Dialect {
    backtick: Backtick::None,
    single_quote_strings: true,
    triple_quotes: true,
    dollar_templates: true,
    nested_comments: false,
    regex: false,
    jsx: false,
};
/// Where convention plugins live: a filter written there is not read.
const CONVENTION_DIRS: &[&str] = &["buildSrc", "build-logic", "gradle/plugins", "conventions"];
/// The settings that filter, as they appear in any build script.
const FILTER_WORDS: &[&str] = &[
    "includeTags",
    "excludeTags",
    "includeTestsMatching",
    "excludeTestsMatching",
    "includeCategories",
    "excludeCategories",
    "includeGroups",
    "excludeGroups",
    "includePatterns",
    "excludePatterns",
];
/// Blocks inside a test task's configuration that hold no filter of the test task
/// itself (JaCoCo's `excludes` are classes not to instrument).
const OTHER_BLOCKS: &[&str] = &[
    "jacoco",
    "testLogging",
    "reports",
    "doFirst",
    "doLast",
    "beforeTest",
    "afterTest",
    "beforeSuite",
    "afterSuite",
    "retry",
    "develocity",
    "predictiveTestSelection",
    "distribution",
    "javaLauncher",
    "environment",
    "systemProperties",
    "jvmArgumentProviders",
];

#[derive(Debug, Default)]
struct Filters {
    includes: Vec<(String, Location)>,
    excludes: Vec<(String, Location)>,
    tests_include: Vec<(String, Location)>,
    tests_exclude: Vec<(String, Location)>,
    include_tags: Vec<(String, Location)>,
    exclude_tags: Vec<(String, Location)>,
    disabled: Option<Location>,
    unsure: Option<Skip>,
}

/// A Gradle module's test task, as far as it could be read.
#[derive(Debug, Default)]
pub(crate) struct Build {
    filters: Filters,
    /// Another task that runs tests (`register<Test>`, `type: Test`, the JUnit Platform
    /// console launcher), whose selection is not read.
    other_tasks: Option<Location>,
}

impl Build {
    pub(crate) fn load(root: &Path, dir: &str) -> Option<Build> {
        let file = FILES.iter().map(|f| join(dir, f)).find(|f| read(root, f).is_some())?;
        let mut build = Build::default();
        let mut seen = vec![file.clone()];
        read_script(root, &file, Scope::Own, &mut build, &mut seen);
        // The root script's `subprojects { … }` and `allprojects { … }`.
        if !dir.is_empty()
            && let Some(root_file) = FILES.iter().map(|f| (*f).to_owned()).find(|f| read(root, f).is_some())
        {
            seen.push(root_file.clone());
            read_script(root, &root_file, Scope::Parent, &mut build, &mut seen);
        }
        if build.filters.unsure.is_none()
            && let Some(loc) = convention_filters(root)
        {
            build.filters.unsure = Some(Skip::new(
                loc,
                "test filters in a convention plugin of the build, which incident-guard does not evaluate",
            ));
        }
        Some(build)
    }

    pub(crate) fn decide(&self, s: &Subject<'_>) -> Decision {
        let f = &self.filters;
        let decision = self.filter(s);
        match (decision, &f.unsure) {
            (_, Some(skip)) => Decision::Unsure(skip.clone()),
            (Decision::NotRun { why, loc }, None) if self.other_tasks.is_some() => {
                let other = self.other_tasks.clone().expect("checked");
                Decision::Unsure(Skip::new(
                    other.clone(),
                    format!(
                        "another task that runs tests (`{}`, line {}), which incident-guard does not read, while the `test` task does not run it: {why} ({}:{})",
                        other.path, other.line, loc.path, loc.line
                    ),
                ))
            }
            (d, None) => d,
        }
    }

    fn filter(&self, s: &Subject<'_>) -> Decision {
        let f = &self.filters;
        if let Some(loc) = &f.disabled {
            return Decision::NotRun {
                why: "the `test` task is disabled (`enabled = false`)".to_owned(),
                loc: loc.clone(),
            };
        }
        let class_file = format!("{}.class", s.class_path);
        let pattern = |p: &str| {
            let p = if p.ends_with('/') { format!("{p}**") } else { p.to_owned() };
            ant_match(&p, &class_file)
        };
        if let Some((_, loc)) = f.includes.first()
            && !f.includes.iter().any(|(p, _)| pattern(p))
        {
            let list = f.includes.iter().map(|(p, _)| code(p)).collect::<Vec<_>>().join(", ");
            return Decision::NotRun {
                why: format!("the `test` task includes only {list}, and `{class_file}` matches none of them"),
                loc: loc.clone(),
            };
        }
        if let Some((p, loc)) = f.excludes.iter().find(|(p, _)| pattern(p)) {
            return Decision::NotRun {
                why: format!("the `test` task excludes {}, which matches `{class_file}`", code(p)),
                loc: loc.clone(),
            };
        }
        let simple = s.class_name.rsplit('.').next().unwrap_or(&s.class_name);
        let name_matches = |p: &str| {
            let full = format!("{}.{}", s.class_name, s.method);
            let short = format!("{simple}.{}", s.method);
            let by_simple = p.starts_with(|c: char| c.is_uppercase()) && (wildcard(p, simple) || wildcard(p, &short));
            wildcard(p, &s.class_name)
                || wildcard(p, &full)
                || by_simple
                || (p.ends_with(".*") && wildcard(p, &format!("{}.x", s.class_name)))
        };
        if let Some((_, loc)) = f.tests_include.first()
            && !f.tests_include.iter().any(|(p, _)| name_matches(p))
        {
            let list = f.tests_include.iter().map(|(p, _)| code(p)).collect::<Vec<_>>().join(", ");
            return Decision::NotRun {
                why: format!(
                    "the `test` task's filter includes only tests matching {list}, and `{}` matches none",
                    s.class_name
                ),
                loc: loc.clone(),
            };
        }
        if let Some((p, loc)) = f.tests_exclude.iter().find(|(p, _)| name_matches(p)) {
            return Decision::NotRun {
                why: format!("the `test` task's filter excludes tests matching {}", code(p)),
                loc: loc.clone(),
            };
        }
        if let Some((_, loc)) = f.include_tags.first().or(f.exclude_tags.first())
            && let Some(skip) = super::kotest_unsure(s.facts, loc, "the `test` task's tag filter")
        {
            return Decision::Unsure(skip);
        }
        if let Some((_, loc)) = f.include_tags.first() {
            let mut any = false;
            for (e, l) in &f.include_tags {
                match tag_expression(e, s.facts) {
                    Some(v) => any |= v,
                    None => {
                        return Decision::Unsure(Skip::new(
                            l.clone(),
                            format!("the tag expression {}, which does not parse", code(e)),
                        ));
                    }
                }
            }
            if !any {
                let list = f.include_tags.iter().map(|(t, _)| code(t)).collect::<Vec<_>>().join(", ");
                return Decision::NotRun {
                    why: format!("the `test` task runs only tests tagged {list}, and this test has none of them"),
                    loc: loc.clone(),
                };
            }
        }
        for (e, l) in &f.exclude_tags {
            match tag_expression(e, s.facts) {
                Some(true) => {
                    return Decision::NotRun {
                        why: format!("the `test` task excludes tests tagged {}, and this test is one", code(e)),
                        loc: l.clone(),
                    };
                }
                Some(false) => {}
                None => {
                    return Decision::Unsure(Skip::new(
                        l.clone(),
                        format!("the tag expression {}, which does not parse", code(e)),
                    ));
                }
            }
        }
        Decision::Runs
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// The module's own script: its top level, `tasks { }`, `allprojects { }`.
    Own,
    /// The root script seen from a subproject: `subprojects { }`, `allprojects { }`.
    Parent,
}

fn read_script(root: &Path, file: &str, scope: Scope, build: &mut Build, seen: &mut Vec<String>) {
    let Some(bytes) = read(root, file) else { return };
    let text = crate::scan::lossy(&bytes);
    let dialect = if file.ends_with(".kts") { Dialect::KOTLIN } else { GROOVY };
    let lexed = clike::lex(&text, &dialect);
    let r = Reader { file, lexed: &lexed };
    let toks = &lexed.tokens;
    if build.other_tasks.is_none() {
        build.other_tasks = r.other_test_task();
    }
    r.blocks(0, toks.len(), scope == Scope::Own, 0, &mut build.filters);
    // `apply from: 'gradle/test.gradle'` (or `apply(from = "…")`): read as part of the script.
    for k in 0..toks.len() {
        if toks[k].is("from") && k > 0 && (toks[k - 1].is("apply") || toks[k - 1].is_punct('(')) {
            let v = (k + 1..(k + 3).min(toks.len())).find(|&j| toks[j].kind == TokKind::Lit);
            match v.and_then(|j| lexed.string_value(j)) {
                Some(path) if !path.contains("://") => {
                    let applied = super::join(super::parent(file), &path);
                    let applied = normalize(&applied);
                    if let Some(a) = applied.filter(|a| !seen.contains(a) && seen.len() < 16) {
                        seen.push(a.clone());
                        read_script(root, &a, scope, build, seen);
                    }
                }
                _ => {
                    build.filters.unsure.get_or_insert(Skip::new(
                        r.loc(k, 4),
                        "a script applied from a computed or remote location, which incident-guard does not read",
                    ));
                }
            }
        }
    }
}

fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The first filter word in a convention plugin's sources, if any.
fn convention_filters(root: &Path) -> Option<Location> {
    for dir in CONVENTION_DIRS {
        let base = root.join(dir);
        if !base.is_dir() {
            continue;
        }
        let walker = ignore::WalkBuilder::new(&base).follow_links(false).max_depth(Some(12)).build();
        for entry in walker.flatten().take(2000) {
            let p = entry.path();
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if !(name.ends_with(".gradle")
                || name.ends_with(".kts")
                || name.ends_with(".kt")
                || name.ends_with(".groovy")
                || name.ends_with(".java"))
            {
                continue;
            }
            let rel = crate::paths::relative(root, p);
            let Some(bytes) = read(root, &rel) else { continue };
            let text = crate::scan::lossy(&bytes);
            for (i, line) in text.lines().enumerate() {
                if let Some(col) = FILTER_WORDS.iter().find_map(|w| line.find(w)) {
                    return Some(Location { path: rel, line: i + 1, column: col + 1, len: 1 });
                }
            }
        }
    }
    None
}

struct Reader<'r, 'a> {
    file: &'r str,
    lexed: &'r Lexed<'a>,
}

impl Reader<'_, '_> {
    fn loc(&self, k: usize, len: usize) -> Location {
        let t = &self.lexed.tokens[k];
        Location { path: self.file.to_owned(), line: t.line, column: self.lexed.col(t.start), len }
    }

    fn loc_tok(&self, k: usize) -> Location {
        self.loc(k, self.lexed.tokens[k].text.chars().count().max(1))
    }

    /// The opener of the group that `close` closes.
    fn open_of(&self, close: usize) -> Option<usize> {
        (0..close).rev().find(|&i| self.lexed.close_of(i) == close && i != close)
    }

    /// The statement head before the `{` at `open`: its tokens, each string as its
    /// value in quotes, joined without spaces (`tasks.named<Test>("test")`).
    fn head(&self, open: usize) -> (String, usize) {
        let toks = &self.lexed.tokens;
        let mut k = open;
        while k > 0 {
            let prev = &toks[k - 1];
            if prev.is_punct('{') || prev.is_punct('}') || prev.is_punct(';') {
                break;
            }
            // A new line ends the head, unless a `.` continues it.
            if prev.end_line < toks[k].line && !toks[k].is_punct('.') && !prev.is_punct('.') {
                break;
            }
            if (prev.is_punct(')') || prev.is_punct(']'))
                && let Some(o) = self.open_of(k - 1)
            {
                k = o;
                continue;
            }
            k -= 1;
        }
        let mut s = String::new();
        for (j, t) in toks.iter().enumerate().take(open).skip(k) {
            if t.kind == TokKind::Lit {
                s.push('"');
                s.push_str(&self.lexed.string_value(j).unwrap_or_else(|| t.text.to_owned()));
                s.push('"');
            } else {
                s.push_str(t.text);
            }
        }
        (s, k)
    }

    /// Walks the blocks in `from..to`, reading those that configure the test task.
    fn blocks(&self, from: usize, to: usize, own: bool, depth: usize, out: &mut Filters) {
        if depth > 40 {
            return;
        }
        let toks = &self.lexed.tokens;
        let mut k = from;
        while k < to {
            if !toks[k].is_punct('{') {
                k += 1;
                continue;
            }
            let close = self.lexed.close_of(k);
            let (head, _) = self.head(k);
            if own && is_test_block(&head) {
                self.test_block(k + 1, close, out);
            } else {
                let word = head.split(['(', '.', '<', ' ']).next().unwrap_or("");
                let inner_own = match word {
                    "subprojects" => !own,
                    "allprojects" => true,
                    "tasks" | "afterEvaluate" | "configure" | "project" | "gradle" => own,
                    _ => false,
                };
                if word == "testing"
                    && (k..close)
                        .any(|j| FILTER_WORDS.contains(&toks[j].text) || toks[j].is("include") || toks[j].is("exclude"))
                {
                    out.unsure.get_or_insert(Skip::new(
                        self.loc_tok(k.saturating_sub(1)),
                        "test suites configured in `testing { … }`, which incident-guard does not read",
                    ));
                }
                if matches!(word, "subprojects" | "allprojects" | "tasks" | "afterEvaluate" | "configure" | "project")
                    || (own && head.starts_with("tasks"))
                {
                    self.blocks(k + 1, close, inner_own, depth + 1, out);
                }
            }
            k = close.max(k) + 1;
        }
    }

    /// Reads one test task configuration block.
    fn test_block(&self, from: usize, to: usize, out: &mut Filters) {
        let toks = &self.lexed.tokens;
        let mut k = from;
        let mut branch: Option<usize> = None;
        while k < to {
            let t = &toks[k];
            if t.is_punct('{') {
                let (head, _) = self.head(k);
                let word = head.split(['(', '.', ' ']).next().unwrap_or("");
                let close = self.lexed.close_of(k);
                if OTHER_BLOCKS.contains(&word) {
                    k = close + 1;
                    continue;
                }
                if word == "onlyIf" {
                    out.unsure.get_or_insert(Skip::new(
                        self.loc_tok(k.saturating_sub(1).max(from)),
                        "the `test` task's `onlyIf { … }`, a condition evaluated at build time",
                    ));
                }
                if word == "exclude" || word == "include" {
                    out.unsure.get_or_insert(Skip::new(
                        self.loc_tok(k - 1),
                        format!("the `test` task's `{word} {{ … }}`, a filter computed at build time"),
                    ));
                }
                k += 1;
                continue;
            }
            if t.kind != TokKind::Ident || (k > 0 && toks[k - 1].is_punct('.') && !(k > 1 && toks[k - 2].is("filter")))
            {
                k += 1;
                continue;
            }
            if matches!(t.text, "if" | "when" | "for" | "while" | "switch") {
                branch.get_or_insert(k);
            }
            let target = match t.text {
                "include" | "includes" | "setIncludes" => Some(&mut out.includes),
                "exclude" | "excludes" | "setExcludes" => Some(&mut out.excludes),
                "includeTestsMatching" | "includePatterns" => Some(&mut out.tests_include),
                "excludeTestsMatching" | "excludePatterns" => Some(&mut out.tests_exclude),
                "includeTags" | "includeCategories" => Some(&mut out.include_tags),
                "excludeTags" | "excludeCategories" => Some(&mut out.exclude_tags),
                "includeGroups" | "excludeGroups" | "includeEngines" | "excludeEngines" => {
                    out.unsure.get_or_insert(Skip::new(
                        self.loc_tok(k),
                        format!("the `test` task's `{}`, which incident-guard does not evaluate", t.text),
                    ));
                    None
                }
                "enabled" | "isEnabled" => {
                    let v = toks
                        .get(k + 1)
                        .filter(|e| e.is_punct('='))
                        .map(|_| k + 2)
                        .or_else(|| (toks.get(k + 1).is_some_and(|p| p.is_punct('('))).then_some(k + 2));
                    match v.and_then(|v| toks.get(v)) {
                        Some(b) if b.is("false") => {
                            out.disabled.get_or_insert(self.loc_tok(k));
                        }
                        Some(b) if b.is("true") => {}
                        Some(_) => {
                            out.unsure.get_or_insert(Skip::new(
                                self.loc_tok(k),
                                "the `test` task's `enabled`, computed at build time",
                            ));
                        }
                        None => {}
                    }
                    None
                }
                _ => None,
            };
            let Some(target) = target else {
                k += 1;
                continue;
            };
            let word = t.text;
            let (values, next) = self.args(k + 1, to);
            match values {
                Some(vs) if branch.is_none() => target.extend(vs.into_iter().map(|(v, at)| (v, self.loc_tok(at)))),
                _ => {
                    out.unsure.get_or_insert(Skip::new(
                        self.loc_tok(k),
                        format!("the `test` task's `{word}` with a value computed at build time (not a literal, or under a condition)"),
                    ));
                }
            }
            k = next.max(k + 1);
        }
    }

    /// The literal string arguments from `k`: `('a', "b")`, Groovy's `'a', 'b'` up to
    /// the end of the line, `= ['a']`, `+= listOf("a")`, `setOf(…)`. `None` when any
    /// argument is not a plain literal. Also the index after them.
    fn args(&self, mut k: usize, to: usize) -> (Option<Vec<(String, usize)>>, usize) {
        let toks = &self.lexed.tokens;
        let Some(first) = toks.get(k) else { return (None, k) };
        let line = first.line;
        let mut end;
        if first.is_punct('(') {
            end = self.lexed.close_of(k);
            k += 1;
        } else {
            if first.is_punct('=') || (first.is_punct('+') && toks.get(k + 1).is_some_and(|e| e.is_punct('='))) {
                k += if first.is_punct('=') { 1 } else { 2 };
            }
            end = k;
            while end < to && toks[end].line == line && !toks[end].is_punct(';') && !toks[end].is_punct('}') {
                end = if toks[end].kind == TokKind::Punct && matches!(toks[end].text, "(" | "[") {
                    self.lexed.close_of(end) + 1
                } else {
                    end + 1
                };
            }
            end = end.min(to);
        }
        let mut out = Vec::new();
        let mut ok = true;
        for (j, t) in toks.iter().enumerate().take(end.min(toks.len())).skip(k) {
            match t.kind {
                TokKind::Lit => match self.lexed.string_value(j) {
                    Some(v) => out.push((v, j)),
                    None => ok = false,
                },
                TokKind::Punct if matches!(t.text, "," | "[" | "]" | "(" | ")") => {}
                TokKind::Ident
                    if matches!(t.text, "listOf" | "setOf" | "arrayOf" | "mutableListOf" | "mutableSetOf") => {}
                _ => ok = false,
            }
        }
        let next = if first.is_punct('(') { end + 1 } else { end };
        ((ok && !out.is_empty()).then_some(out), next)
    }

    /// Another task that runs tests: `task x(type: Test)`, `register("x", Test)`,
    /// `register<Test>("x")`, `by registering(Test::class)`, or the JUnit Platform
    /// console launcher.
    fn other_test_task(&self) -> Option<Location> {
        let toks = &self.lexed.tokens;
        for k in 0..toks.len() {
            let t = &toks[k];
            let is_test = |i: usize| toks.get(i).is_some_and(|x| x.is("Test"));
            let hit = (t.is("type") && toks.get(k + 1).is_some_and(|c| c.is_punct(':')) && is_test(k + 2))
                || (matches!(t.text, "register" | "create" | "registering" | "creating")
                    && t.kind == TokKind::Ident
                    && ((toks.get(k + 1).is_some_and(|p| p.is_punct('<')) && is_test(k + 2))
                        || (self.lexed.tokens.get(k + 1).is_some_and(|p| p.is_punct('('))
                            && (k + 2..self.lexed.close_of(k + 1)).any(|j| is_test(j) && !toks[j - 1].is_punct('.')))))
                || t.text.contains("ConsoleLauncher");
            if hit {
                return Some(self.loc_tok(k));
            }
        }
        None
    }
}

/// Whether a block's head configures the test task.
fn is_test_block(head: &str) -> bool {
    let h = head.trim_end_matches(".configure").trim_end_matches(".configureEach");
    h == "test"
        || h == "tasks.test"
        || h.starts_with("tasks.withType(Test")
        || h.starts_with("withType(Test")
        || h.starts_with("tasks.withType<Test>")
        || h.starts_with("withType<Test>")
        || ["named(\"test\"", "named<Test>(\"test\"", "getByName(\"test\"", "getByName<Test>(\"test\""]
            .iter()
            .any(|n| h.starts_with(n) || h.starts_with(&format!("tasks.{n}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_task_heads() {
        for h in [
            "test",
            "tasks.test",
            "tasks.named(\"test\")",
            "tasks.named<Test>(\"test\")",
            "tasks.withType(Test)",
            "tasks.withType(Test).configureEach",
            "tasks.withType<Test>().configureEach",
            "withType<Test>",
            "named(\"test\",Test)",
            "tasks.getByName(\"test\")",
        ] {
            assert!(is_test_block(h), "{h}");
        }
        for h in ["sourceSets", "testing", "dependencies", "tasks.named(\"integrationTest\")", "testLogging"] {
            assert!(!is_test_block(h), "{h}");
        }
    }
}
