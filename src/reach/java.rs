//! Which test classes the build runs. Maven Surefire runs only the classes its includes
//! select (by default `**/Test*.java`, `**/*Test.java`, `**/*Tests.java`,
//! `**/*TestCase.java`), less its excludes, and only the tests whose JUnit 5 tags or
//! JUnit 4 categories pass `<groups>`/`<excludedGroups>`; Failsafe, when the build
//! declares it, runs `**/IT*.java`, `**/*IT.java`, `**/*ITCase.java` in the same way.
//! Gradle's `test` task runs every test class unless `include`/`exclude`, `filter {
//! includeTestsMatching … }` or `useJUnitPlatform { includeTags … excludeTags … }` (and
//! JUnit 4's `includeCategories`/`excludeCategories`) say otherwise. Renaming `CartTest`
//! to `CartChecks` in a Maven project, or tagging it `slow` where `slow` is excluded,
//! keeps the test in the tree, marker and all, and takes it out of every run.
//!
//! The build of a test is the nearest `pom.xml`, `build.gradle` or `build.gradle.kts`
//! above its file (a module of a multi-module build). Maven's parent poms are followed
//! while they are in the repository (`<relativePath>`, by default `../pom.xml`).
//! Where the build cannot be read — a `${property}` that no pom of the repository sets,
//! a profile that configures the plugin, a parent pom outside the repository, Gradle
//! settings computed at configuration time, other test tasks, convention plugins — the
//! answer is a warning that says which, never a silent pass or a guessed error.

mod gradle;
mod maven;

use super::{TestVerdict, Verdict};
use crate::finding::Location;
use crate::scan::java::Facts;
use crate::scan::{Skip, TestCase};
use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

/// Build files are small; anything larger is not one worth reading.
const MAX_BUILD_BYTES: usize = 4 << 20;

/// What a build does with one test class.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    Runs,
    /// Never run: why, and the setting (or the test) to point at.
    NotRun {
        why: String,
        loc: Location,
    },
    /// The build cannot be read far enough to tell: what stands in the way.
    Unsure(Skip),
}

/// One test as a build's filters see it.
pub(crate) struct Subject<'a> {
    /// `com/example/CartTest`: the class file's path without `.class`.
    pub class_path: String,
    /// `com.example.CartTest`.
    pub class_name: String,
    pub method: &'a str,
    pub facts: &'a Facts,
    /// The test's file, relative to the root.
    pub file: &'a str,
    pub loc: &'a Location,
}

enum Build {
    Maven(Rc<maven::Module>),
    Gradle(Rc<gradle::Build>),
    None,
}

/// Verdicts for the linked Java and Kotlin tests.
pub fn judge(root: &Path, tests: &[&TestCase]) -> Vec<TestVerdict> {
    let mut facts: HashMap<String, HashMap<String, Facts>> = HashMap::new();
    let mut builds: HashMap<String, Rc<Build>> = HashMap::new();
    let mut poms = maven::Poms::default();
    let mut classes: HashMap<String, Option<Rc<FileClasses>>> = HashMap::new();
    let mut out = Vec::new();
    for t in tests {
        let path = t.loc.path.as_str();
        let of_file = facts.entry(path.to_owned()).or_insert_with(|| {
            let Some(bytes) = read(root, path) else { return HashMap::new() };
            crate::scan::java::facts(path, &crate::scan::lossy(&bytes)).into_iter().collect()
        });
        let Some(f) = of_file.get(&t.id) else { continue };
        if f.is_abstract || f.class.is_empty() {
            continue; // run through its subclasses, whatever their names
        }
        let mut with_inherited;
        let f = if f.supers.is_empty() {
            f
        } else {
            with_inherited = f.clone();
            inherit_tags(root, path, &f.package, &f.imports, &f.supers, &mut with_inherited, &mut classes, 0);
            &with_inherited
        };
        let build = build_for(root, parent(path), &mut builds, &mut poms);
        let dotted_pkg = f.package.clone();
        let subject = Subject {
            class_path: if dotted_pkg.is_empty() {
                f.class.clone()
            } else {
                format!("{}/{}", dotted_pkg.replace('.', "/"), f.class)
            },
            class_name: if dotted_pkg.is_empty() { f.class.clone() } else { format!("{dotted_pkg}.{}", f.class) },
            method: &t.name,
            facts: f,
            file: path,
            loc: &t.loc,
        };
        let decision = match &*build {
            Build::Maven(m) => m.decide(&subject),
            Build::Gradle(g) => g.decide(&subject),
            Build::None => Decision::Runs,
        };
        let verdict = match decision {
            Decision::Runs => continue,
            Decision::NotRun { why, loc } => Verdict::NotRun { why, loc },
            Decision::Unsure(skip) => Verdict::Conditional(skip),
        };
        out.push(TestVerdict { test: t.id.clone(), verdict });
    }
    out
}

/// A file's top-level classes, imports and package.
type FileClasses = (Vec<crate::scan::java::ClassFacts>, Vec<String>, String);

/// Adds to `into` the tags and categories the supertypes `supers` (named in `file`)
/// carry, and theirs in turn: JUnit 5's `@Tag` and JUnit 4's `@Category` are inherited.
/// A supertype is looked for in the same file, then where its package puts it under the
/// file's source root (through the imports, else the same package); one that is not in
/// the repository (a framework's base class) adds nothing.
#[allow(clippy::too_many_arguments)]
fn inherit_tags(
    root: &Path,
    file: &str,
    package: &str,
    imports: &[String],
    supers: &[String],
    into: &mut Facts,
    cache: &mut HashMap<String, Option<Rc<FileClasses>>>,
    depth: usize,
) {
    if depth > 8 {
        return;
    }
    let dir = parent(file);
    let pkg_dir = package.replace('.', "/");
    let source_root = if pkg_dir.is_empty() {
        Some(dir)
    } else if dir == pkg_dir {
        Some("")
    } else {
        dir.strip_suffix(pkg_dir.as_str()).and_then(|r| r.strip_suffix('/').or((r.is_empty()).then_some(r)))
    };
    for sup in supers {
        let simple = sup.rsplit('.').next().unwrap_or(sup);
        let fqn = if sup.contains('.') {
            sup.clone()
        } else if let Some(i) = imports.iter().find(|i| i.rsplit('.').next() == Some(simple)) {
            i.clone()
        } else if package.is_empty() {
            sup.clone()
        } else {
            format!("{package}.{sup}")
        };
        let mut candidates = vec![file.to_owned()];
        if let Some(r) = source_root {
            for ext in ["java", "kt"] {
                candidates.push(join(r, &format!("{}.{ext}", fqn.replace('.', "/"))));
            }
        }
        for cand in candidates {
            let Some(found) = load_classes(root, &cand, cache) else { continue };
            let Some(c) = found.0.iter().find(|c| c.name == simple) else { continue };
            for t in &c.tags {
                if !into.tags.iter().any(|(n, _)| *n == t.0) {
                    into.tags.push(t.clone());
                }
            }
            into.categories.extend(c.categories.iter().cloned());
            let (supers, imports, package) = (c.supers.clone(), found.1.clone(), found.2.clone());
            inherit_tags(root, &cand, &package, &imports, &supers, into, cache, depth + 1);
            break;
        }
    }
}

fn load_classes(
    root: &Path,
    rel: &str,
    cache: &mut HashMap<String, Option<Rc<FileClasses>>>,
) -> Option<Rc<FileClasses>> {
    cache
        .entry(rel.to_owned())
        .or_insert_with(|| {
            let bytes = read(root, rel)?;
            Some(Rc::new(crate::scan::java::classes(rel, &crate::scan::lossy(&bytes))))
        })
        .clone()
}

/// The build governing `dir`: the nearest `pom.xml` or Gradle build file at or above it.
fn build_for(root: &Path, dir: &str, cache: &mut HashMap<String, Rc<Build>>, poms: &mut maven::Poms) -> Rc<Build> {
    let mut visited = Vec::new();
    let mut current = Some(dir);
    let found = loop {
        let Some(d) = current else { break Rc::new(Build::None) };
        if let Some(b) = cache.get(d) {
            break b.clone();
        }
        visited.push(d.to_owned());
        if let Some(m) = maven::Module::load(root, d, poms) {
            break Rc::new(Build::Maven(Rc::new(m)));
        }
        if let Some(g) = gradle::Build::load(root, d) {
            break Rc::new(Build::Gradle(Rc::new(g)));
        }
        current = if d.is_empty() { None } else { Some(parent(d)) };
    };
    for d in visited {
        cache.insert(d, found.clone());
    }
    found
}

/// The directory part of a root-relative path (`""` at the root).
pub(crate) fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

pub(crate) fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() { name.to_owned() } else { format!("{dir}/{name}") }
}

/// A file of the checkout, relative to the root: only inside it, never a special file.
pub(crate) fn read(root: &Path, rel: &str) -> Option<Vec<u8>> {
    if rel.split('/').any(|p| p.is_empty() || p == "." || p == "..") {
        return None;
    }
    let bytes = crate::paths::read_inside(&crate::paths::boundary(root), &root.join(rel))?;
    (bytes.len() <= MAX_BUILD_BYTES).then_some(bytes)
}

/// Ant-style matching, as Surefire and Gradle match class files: `**` spans any number
/// of directories, `*` and `?` stay within one name.
pub(crate) fn ant_match(pattern: &str, path: &str) -> bool {
    let pat: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
    let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    fn go(pat: &[&str], parts: &[&str]) -> bool {
        match pat.split_first() {
            None => parts.is_empty(),
            Some((&"**", rest)) => (0..=parts.len()).any(|i| go(rest, &parts[i..])),
            Some((p, rest)) => parts.split_first().is_some_and(|(s, more)| wildcard(p, s) && go(rest, more)),
        }
    }
    go(&pat, &parts)
}

/// `*` (any run of characters) and `?` (one character).
pub(crate) fn wildcard(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Iterative matching with one backtrack point: linear enough for names.
    let (mut i, mut j, mut star, mut mark) = (0usize, 0usize, None::<usize>, 0usize);
    while j < t.len() {
        if i < p.len() && (p[i] == t[j] || p[i] == '?') {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    while i < p.len() && p[i] == '*' {
        i += 1;
    }
    i == p.len()
}

/// A JUnit 5 tag expression (`fast`, `!slow`, `a & (b | c)`, `any()`, `none()`), as
/// Surefire's `<groups>` and Gradle's `includeTags` take it, evaluated against a test's
/// tags and JUnit 4 categories (a category matches by its fully qualified or simple
/// name). `None` when it does not parse.
pub(crate) fn tag_expression(expr: &str, facts: &Facts) -> Option<bool> {
    let toks = tag_tokens(expr)?;
    let mut pos = 0;
    let value = tag_or(&toks, &mut pos, facts)?;
    (pos == toks.len()).then_some(value)
}

fn tag_tokens(expr: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in expr.chars() {
        if matches!(c, '&' | '|' | '!' | '(' | ')') || c.is_whitespace() {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            if !c.is_whitespace() {
                out.push(c.to_string());
            }
        } else {
            word.push(c);
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    // `any()` and `none()` come as a word and two parentheses.
    let mut merged: Vec<String> = Vec::new();
    let mut k = 0;
    while k < out.len() {
        if (out[k] == "any" || out[k] == "none")
            && out.get(k + 1).is_some_and(|p| p == "(")
            && out.get(k + 2).is_some_and(|p| p == ")")
        {
            merged.push(format!("{}()", out[k]));
            k += 3;
        } else {
            merged.push(out[k].clone());
            k += 1;
        }
    }
    (!merged.is_empty()).then_some(merged)
}

fn tag_or(toks: &[String], pos: &mut usize, f: &Facts) -> Option<bool> {
    let mut v = tag_and(toks, pos, f)?;
    while toks.get(*pos).is_some_and(|t| t == "|") {
        *pos += 1;
        v |= tag_and(toks, pos, f)?;
    }
    Some(v)
}

fn tag_and(toks: &[String], pos: &mut usize, f: &Facts) -> Option<bool> {
    let mut v = tag_not(toks, pos, f)?;
    while toks.get(*pos).is_some_and(|t| t == "&") {
        *pos += 1;
        v &= tag_not(toks, pos, f)?;
    }
    Some(v)
}

fn tag_not(toks: &[String], pos: &mut usize, f: &Facts) -> Option<bool> {
    let t = toks.get(*pos)?;
    *pos += 1;
    match t.as_str() {
        "!" => tag_not(toks, pos, f).map(|v| !v),
        "(" => {
            let v = tag_or(toks, pos, f)?;
            (toks.get(*pos)? == ")").then(|| *pos += 1)?;
            Some(v)
        }
        ")" | "&" | "|" => None,
        "any()" => Some(!f.tags.is_empty() || !f.categories.is_empty()),
        "none()" => Some(f.tags.is_empty() && f.categories.is_empty()),
        tag => Some(has_tag(tag, f)),
    }
}

/// A Kotest test: its tags are Kotest's (`tags(…)`, `.config(tags = …)`), which are not
/// read; a tag filter then leaves the answer open.
pub(crate) fn kotest_unsure(f: &Facts, loc: &Location, filter: &str) -> Option<Skip> {
    f.supers.iter().any(|s| crate::scan::java::KOTEST_STYLES.contains(&s.rsplit('.').next().unwrap_or(s))).then(|| {
        Skip::new(
            loc.clone(),
            format!("{filter}, against a Kotest test whose Kotest tags incident-guard does not read"),
        )
    })
}

/// Whether the test carries `tag`: a JUnit 5 tag, or a JUnit 4 category by its
/// fully qualified or simple name (the scanner knows categories by simple name).
pub(crate) fn has_tag(tag: &str, f: &Facts) -> bool {
    let simple = tag.rsplit('.').next().unwrap_or(tag);
    f.tags.iter().any(|(t, _)| t == tag) || f.categories.iter().any(|(c, _)| c == simple)
}

/// Where a tag or category of the test is written, for a message about excluding it.
pub(crate) fn tag_loc(f: &Facts, matching: impl Fn(&str) -> bool) -> Option<Location> {
    f.tags.iter().chain(f.categories.iter()).find(|(t, _)| matching(t)).map(|(_, l)| l.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ant_patterns_as_surefire_and_gradle_match_them() {
        assert!(ant_match("**/*Test", "com/x/CartTest"));
        assert!(ant_match("**/*Test", "CartTest"));
        assert!(ant_match("**/Test*", "a/TestCart"));
        assert!(!ant_match("**/*Test", "com/x/CartTests"));
        assert!(ant_match("com/**", "com/x/CartTest"));
        assert!(!ant_match("org/**", "com/x/CartTest"));
        assert!(ant_match("**/x/*", "com/x/CartTest"));
        assert!(!ant_match("*Test", "com/CartTest"));
        assert!(ant_match("**/Cart?est", "CartTest"));
    }

    #[test]
    fn tag_expressions_against_tags_and_categories() {
        let loc = Location { path: "a".into(), line: 1, column: 1, len: 1 };
        let f = Facts {
            tags: vec![("fast".into(), loc.clone())],
            categories: vec![("SlowTests".into(), loc)],
            ..Facts::default()
        };
        let none = Facts::default();
        for (e, want) in [
            ("fast", Some(true)),
            ("slow", Some(false)),
            ("!fast", Some(false)),
            ("fast & !slow", Some(true)),
            ("slow | (fast & com.x.SlowTests)", Some(true)),
            ("com.x.SlowTests", Some(true)),
            ("any()", Some(true)),
            ("none()", Some(false)),
            ("fast &", None),
            ("(fast", None),
        ] {
            assert_eq!(tag_expression(e, &f), want, "{e}");
        }
        assert_eq!(tag_expression("none()", &none), Some(true));
        assert_eq!(tag_expression("!fast", &none), Some(true));
    }
}
