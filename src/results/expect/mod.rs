//! Where each linked test shows up in a run: the names its runner reports it by, per
//! language (see the files beside this one), and whether the results given cover it at
//! all. This is the mapping docs/markers.md documents under "Test results".

pub mod go;
pub mod java;
pub mod javascript;
pub mod python;
pub mod rust;

use super::{Case, Coverage, Language};
use crate::scan::{Scanned, TestCase};
use std::collections::HashMap;
use std::path::Path;

/// One linked test's places in a run.
#[derive(Clone, Debug)]
pub enum Expected {
    Rust(rust::Expect),
    Python(python::Expect),
    Go(go::Expect),
    JavaScript(javascript::Expect),
    Java(java::Expect),
}

impl Expected {
    pub fn language(&self) -> Language {
        match self {
            Expected::Rust(_) => "rust",
            Expected::Python(_) => "python",
            Expected::Go(_) => "go",
            Expected::JavaScript(_) => "javascript",
            Expected::Java(_) => "java",
        }
    }

    /// Whether `case` is this test (or one case of it: a parameter set, a subtest).
    pub fn matches(&self, case: &Case) -> bool {
        if case.language.is_some_and(|l| l != self.language()) {
            return false;
        }
        match self {
            Expected::Rust(e) => e.matches(case),
            Expected::Python(e) => e.matches(case),
            Expected::Go(e) => e.matches(case),
            Expected::JavaScript(e) => e.matches(case),
            Expected::Java(e) => e.matches(case),
        }
    }

    /// Whether the results cover this test's language (and, for Rust, its crate), so that
    /// its absence from them means it did not run.
    pub fn covered(&self, coverage: &Coverage) -> bool {
        match self {
            Expected::Rust(e) => e.covered(coverage),
            _ => coverage.languages.contains(self.language()),
        }
    }

    /// What it was looked for as, for a message.
    pub fn looked_for(&self) -> String {
        match self {
            Expected::Rust(e) => e.looked_for(),
            Expected::Python(e) => e.looked_for(),
            Expected::Go(e) => e.looked_for(),
            Expected::JavaScript(e) => e.looked_for(),
            Expected::Java(e) => e.looked_for(),
        }
    }

    /// The bare test names a matching case's name reduces to (see `Index`); none when
    /// only a full comparison can tell (JavaScript titles).
    fn leaf(&self) -> Option<&str> {
        match self {
            Expected::Rust(e) => Some(&e.name),
            Expected::Python(e) => Some(&e.name),
            Expected::Go(e) => Some(&e.name),
            Expected::JavaScript(_) => None,
            Expected::Java(e) => Some(&e.method),
        }
    }
}

/// The linked tests by bare name, so that each case read is compared with the few tests
/// it could be, not with all of them.
pub struct Index {
    by_leaf: HashMap<String, Vec<usize>>,
    always: Vec<usize>,
}

impl Index {
    pub fn new(expected: &[(String, Expected)]) -> Index {
        let mut by_leaf: HashMap<String, Vec<usize>> = HashMap::new();
        let mut always = Vec::new();
        for (i, (_, e)) in expected.iter().enumerate() {
            match e.leaf() {
                Some(leaf) => by_leaf.entry(leaf.to_owned()).or_default().push(i),
                None => always.push(i),
            }
        }
        Index { by_leaf, always }
    }

    /// The tests `case` may be: those whose bare name is a `::` segment of its name (Rust,
    /// where parametrized cases add segments), its name before `[` (pytest's parameters,
    /// JUnit 5's invocations), before `/` (Go subtests) or before `(` (JUnit 5 method
    /// names), and every JavaScript test.
    pub fn candidates(&self, case: &Case) -> Vec<usize> {
        let name = case.name;
        let cut = |c: char| name.split(c).next().unwrap_or(name).trim();
        let mut out: Vec<usize> = Vec::new();
        let mut add = |key: &str| {
            if let Some(list) = self.by_leaf.get(key) {
                for &i in list {
                    if !out.contains(&i) {
                        out.push(i);
                    }
                }
            }
        };
        add(name);
        for key in [cut('['), cut('/'), cut('(')] {
            add(key);
        }
        if name.contains("::") {
            for segment in name.split("::") {
                add(segment);
            }
        }
        out.extend(self.always.iter().copied());
        out
    }
}

/// `a/b/c.py` ends with `b/c.py`, or `b/c.py` with `a/b/c.py` reversed: two spellings of
/// one file, one relative to another root (a runner's root directory, an absolute path on
/// the CI machine) than the other.
pub fn same_file(ours: &str, theirs: &str) -> bool {
    let theirs = theirs.replace('\\', "/");
    let theirs = theirs.trim_start_matches("./");
    let ends = |long: &str, short: &str| {
        long == short || (long.ends_with(short) && long[..long.len() - short.len()].ends_with('/'))
    };
    !theirs.is_empty() && (ends(ours, theirs) || ends(theirs, ours))
}

/// The modules or classes around a test, from its identity (`path::scope…::name`).
pub fn scope_of(test: &TestCase) -> Vec<String> {
    let rest = test.id.strip_prefix(&test.loc.path).and_then(|r| r.strip_prefix("::")).unwrap_or("");
    let rest = rest.strip_suffix(test.name.as_str()).unwrap_or(rest);
    rest.split("::").filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// The expectations of every linked test at HEAD, by identity (each test once). Reads
/// Cargo.toml and `mod` declarations (Rust) and `go.mod` (Go) under `root`; `texts` are
/// the scanned files' texts (Java's `package` line).
pub fn expectations(root: &Path, sources: &Scanned, texts: &HashMap<&str, &str>) -> Vec<(String, Expected)> {
    let mut seen = std::collections::HashSet::new();
    let linked: Vec<&TestCase> = sources
        .files
        .iter()
        .flat_map(|f| f.tests.iter())
        .filter(|t| !t.links.is_empty() && seen.insert(t.id.as_str()))
        .collect();
    let language = |t: &TestCase| crate::scan::language_for(&t.loc.path).map(|l| l.name());
    let mut rust_files: Vec<&str> =
        linked.iter().filter(|t| language(t) == Some("rust")).map(|t| t.loc.path.as_str()).collect();
    rust_files.sort_unstable();
    rust_files.dedup();
    let (placements, packages) = crate::reach::rust::placements(root, &rust_files);
    let mut go_modules = go::Modules::new(root);
    // A JavaScript file's titles are read once, however many of its tests are linked.
    let mut js_titles: HashMap<&str, Option<HashMap<String, Vec<crate::scan::javascript::Part>>>> = HashMap::new();
    let mut out = Vec::new();
    for t in linked {
        let expected = match language(t) {
            Some("rust") => match placements.get(&t.loc.path) {
                Some(places) => Expected::Rust(rust::Expect::new(t, places, &packages)),
                None => continue,
            },
            Some("python") => Expected::Python(python::Expect::new(t)),
            Some("go") => Expected::Go(go::Expect::new(t, &mut go_modules)),
            Some("javascript") => {
                let titles = js_titles.entry(t.loc.path.as_str()).or_insert_with(|| {
                    texts.get(t.loc.path.as_str()).map(|text| crate::scan::javascript::title_parts(&t.loc.path, text))
                });
                Expected::JavaScript(javascript::Expect::new(t, titles.as_ref()))
            }
            Some("java") => Expected::Java(java::Expect::new(t, texts.get(t.loc.path.as_str()).copied())),
            _ => continue,
        };
        out.push((t.id.clone(), expected));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{Binary, Outcome};

    fn case<'a>(classname: &'a str, name: &'a str, file: Option<&'a str>) -> Case<'a> {
        Case { language: None, classname, suite: "", suites: "", name, file, binary: None, outcome: Outcome::Passed }
    }

    fn test(id: &str, path: &str, name: &str) -> TestCase {
        TestCase {
            id: id.to_owned(),
            name: name.to_owned(),
            loc: crate::finding::Location { path: path.to_owned(), line: 1, column: 1, len: 1 },
            ignored: None,
            conditional_skip: None,
            links: Vec::new(),
            body: Default::default(),
            approximate: false,
        }
    }

    #[test]
    fn one_file_two_spellings() {
        assert!(same_file("python/tests/test_a.py", "tests/test_a.py"));
        assert!(same_file("src/a.test.ts", "/home/runner/work/shop/shop/src/a.test.ts"));
        assert!(same_file("e2e/checkout.spec.ts", "./checkout.spec.ts"));
        assert!(!same_file("src/a.test.ts", "b/src/xa.test.ts"));
        assert!(!same_file("src/a.test.ts", "a.test.tsx"));
        assert!(!same_file("src/a.test.ts", ""));
    }

    #[test]
    fn python_names_below_pytests_root_and_parameters_fold() {
        let e = python::Expect::new(&test("py/tests/test_a.py::TestA::test_x", "py/tests/test_a.py", "test_x"));
        assert!(e.matches(&case("py.tests.test_a.TestA", "test_x", None)));
        assert!(e.matches(&case("tests.test_a.TestA", "test_x[a-1]", None)), "rootdir py/");
        assert!(!e.matches(&case("sts.test_a.TestA", "test_x", None)), "not at a dot");
        assert!(!e.matches(&case("tests.test_a", "test_x", None)), "another class");
        assert!(!e.matches(&case("tests.test_a.TestA", "test_x", Some("other/test_a.py"))));
    }

    #[test]
    fn java_nested_classes_and_junit5_names() {
        let t = test(
            "src/test/java/shop/CartTest.java::CartTest::Failover::keeps",
            "src/test/java/shop/CartTest.java",
            "keeps",
        );
        let e = java::Expect::new(&t, Some("// c\npackage shop;\n"));
        assert!(e.matches(&case("shop.CartTest$Failover", "keeps()", None)));
        assert!(e.matches(&case("shop.CartTest.Failover", "keeps", None)));
        assert!(e.matches(&case("shop.CartTest$Failover", "keeps(int)[2]", None)));
        assert!(!e.matches(&case("shop.CartTest", "keeps", None)));
    }

    #[test]
    fn javascript_titles_joined_each_runners_way() {
        let e = javascript::Expect::new(
            &test("src/a.test.ts::cart > totals > rounds", "src/a.test.ts", "cart > totals > rounds"),
            None,
        );
        assert!(e.matches(&case("src/a.test.ts", "cart > totals > rounds", None)), "Vitest");
        assert!(e.matches(&case("a.test.ts", "cart › totals › rounds", None)), "Playwright");
        assert!(e.matches(&case("cart totals rounds", "cart totals rounds", Some("src/a.test.ts"))), "jest-junit");
        let mut node = case("test", "rounds", None);
        node.suite = "totals";
        assert!(!e.matches(&node), "one describe is not two");
        node.suites = "cart > totals";
        assert!(e.matches(&node), "node nests a suite per describe");
        assert!(!e.matches(&case("src/b.test.ts", "cart > totals > rounds", None)), "another file");
    }

    #[test]
    fn rust_cases_of_a_generated_test_fold_into_it_in_its_own_binary() {
        let places = vec![crate::reach::rust::Placement {
            package: "pay".into(),
            binary_id: "pay".into(),
            stem: "pay".into(),
            root: "src/lib.rs".into(),
            modules: vec!["db".into()],
        }];
        let e = rust::Expect::new(&test("src/db.rs::tests::t", "src/db.rs", "t"), &places, &[]);
        let mut c = case("", "db::tests::t::case_1", None);
        assert!(e.matches(&c));
        c.binary = Some(Binary::Nextest("pay::other"));
        assert!(!e.matches(&c), "another binary");
        c.binary = Some(Binary::Cargo { stem: "pay", src: "src/lib.rs" });
        assert!(e.matches(&c));
        assert!(!e.matches(&case("", "db::tests::tt", None)));
    }
}
