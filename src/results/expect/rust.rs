//! Rust: a test runs in each test binary that compiles its file (see
//! `reach::rust::placements`), under its module path there: `src/db/pool.rs::tests::
//! reconnects` in the library of `payments` is `db::pool::tests::reconnects` in the
//! binary `payments`. cargo-nextest's JUnit names the binary (its binary ID) and the
//! path; libtest's JSON names the path, and the binary only through cargo's `Running`
//! lines. Cases a macro generates under the test's name (`rstest`, `test_case`:
//! `…::reconnects::case_1`) fold into it.

use super::{Case, same_file, scope_of};
use crate::reach::rust::{PackageTargets, Placement};
use crate::results::{Binary, Coverage};
use crate::scan::TestCase;

#[derive(Clone, Debug)]
pub struct Expect {
    pub name: String,
    /// Each binary it runs in, with its path there.
    places: Vec<(Placement, String)>,
    /// The test binaries of its packages, for telling whether a package was run at all.
    packages: Vec<PackageTargets>,
    /// A doc test (`src/lib.rs - add_one (line 12)`): rustdoc runs it, outside the test
    /// binaries (nextest never does), so no result file is read as covering it.
    doc: bool,
}

impl Expect {
    pub fn new(test: &TestCase, places: &[Placement], packages: &[PackageTargets]) -> Expect {
        let scope = scope_of(test);
        let places: Vec<(Placement, String)> = places
            .iter()
            .map(|p| {
                let parts: Vec<&str> = p
                    .modules
                    .iter()
                    .chain(scope.iter())
                    .map(String::as_str)
                    .chain(std::iter::once(test.name.as_str()))
                    .collect();
                (p.clone(), parts.join("::"))
            })
            .collect();
        let packages =
            packages.iter().filter(|pk| places.iter().any(|(p, _)| p.package == pk.package)).cloned().collect();
        Expect { name: test.name.clone(), places, packages, doc: crate::reach::rust::is_doc_test(test) }
    }

    pub fn matches(&self, case: &Case) -> bool {
        let named =
            |path: &str| case.name == path || case.name.strip_prefix(path).is_some_and(|rest| rest.starts_with("::"));
        self.places.iter().any(|(p, path)| {
            named(path)
                && match case.binary {
                    Some(Binary::Nextest(id)) => id == p.binary_id,
                    Some(Binary::Cargo { stem, src }) => stem == p.stem && same_file(&p.root, src),
                    None => true,
                }
        })
    }

    pub fn covered(&self, coverage: &Coverage) -> bool {
        if self.doc {
            return false;
        }
        coverage.unattributed_rust
            || self.packages.iter().any(|pk| {
                coverage.nextest_packages.contains(&pk.package)
                    || coverage
                        .cargo_binaries
                        .iter()
                        .any(|(stem, src)| pk.targets.iter().any(|(s, root)| s == stem && same_file(root, src)))
            })
    }

    pub fn looked_for(&self) -> String {
        let each: Vec<String> = self
            .places
            .iter()
            .map(|(p, path)| format!("`{path}` in the test binary `{}` ({})", p.binary_id, p.root))
            .collect();
        each.join(" or ")
    }
}
