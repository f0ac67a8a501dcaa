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
    let mut linked: Vec<&TestCase> = Vec::new();
    for t in sources.files.iter().flat_map(|f| f.tests.iter()).filter(|t| !t.links.is_empty()) {
        if !linked.iter().any(|l| l.id == t.id) {
            linked.push(t);
        }
    }
    let language = |t: &TestCase| crate::scan::language_for(&t.loc.path).map(|l| l.name());
    let rust_files: Vec<&str> =
        linked.iter().filter(|t| language(t) == Some("rust")).map(|t| t.loc.path.as_str()).collect();
    let (placements, packages) = crate::reach::rust::placements(root, &rust_files);
    let mut go_modules = go::Modules::new(root);
    let mut out = Vec::new();
    for t in linked {
        let expected = match language(t) {
            Some("rust") => match placements.get(&t.loc.path) {
                Some(places) => Expected::Rust(rust::Expect::new(t, places, &packages)),
                None => continue,
            },
            Some("python") => Expected::Python(python::Expect::new(t)),
            Some("go") => Expected::Go(go::Expect::new(t, &mut go_modules)),
            Some("javascript") => Expected::JavaScript(javascript::Expect::new(t)),
            Some("java") => Expected::Java(java::Expect::new(t, texts.get(t.loc.path.as_str()).copied())),
            _ => continue,
        };
        out.push((t.id.clone(), expected));
    }
    out
}
