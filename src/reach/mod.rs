//! Whether a test that stands in the source is ever built and run by its language's test
//! runner. A test in a file that no cargo target compiles (`tests/off/a.rs`), that pytest's
//! configuration does not collect, or that the go tool never builds (`testdata/`) guards
//! nothing, however well it is linked. Each language answers from the files its own
//! tools read (Cargo.toml and `mod` declarations, pytest's ini files, directory rules);
//! this module only gathers the answers.
//!
//! The answers are about the work tree: a test's file either is reached or is not, and a
//! condition on the way (`#[cfg(windows)] mod imp;`) is the test's own condition.

pub mod ci;
pub mod go;
pub mod java;
pub mod js;
pub mod python;
pub mod rust;
pub mod rust_features;

use crate::finding::Location;
use crate::scan::{Scanned, Skip, TestCase};
use std::path::Path;

/// What a language's runner does with one test, when that is not simply "runs it".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Never built or collected: why, in words for a message, and where to point (the
    /// test, or the configuration line that leaves it out).
    NotRun { why: String, loc: Location },
    /// Never collected because the runner fails on its file (pytest on a mark it does not
    /// know, under `--strict-markers`): why, where, and how to fix it.
    Uncollectable { why: String, loc: Location, help: String },
    /// Reached only through a condition that never holds (`#[cfg(any())] mod m;`).
    Never(Skip),
    /// Reached only through a condition the source cannot decide (`#[cfg(unix)] mod m;`).
    Conditional(Skip),
    /// The test's own conditions, which the source left open, hold wherever it is built
    /// (`#[cfg(feature = "std")]` with `std` a default feature).
    Runs,
}

/// One test's verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestVerdict {
    /// The test's identity.
    pub test: String,
    pub verdict: Verdict,
}

/// The verdicts for every linked test at HEAD. `root` is the checked directory (paths in
/// the scans are relative to it). The Rust scans are completed first (`rust::complete`:
/// tests macros of other files write, doc test names), from the same reading of the
/// crates.
pub fn judge(root: &Path, sources: &mut Scanned, words: &[String]) -> Vec<TestVerdict> {
    let mut crates = rust::Crates::new(root, &sources.rust_leaves, &sources.rust_files);
    crates.complete(&mut sources.files);
    let linked: Vec<&TestCase> =
        sources.files.iter().flat_map(|f| f.tests.iter()).filter(|t| !t.links.is_empty()).collect();
    let of = |lang: &str| -> Vec<&TestCase> {
        linked
            .iter()
            .copied()
            .filter(|t| crate::scan::language_for(&t.loc.path).is_some_and(|l| l.name() == lang))
            .collect()
    };
    let mut out = Vec::new();
    out.extend(crates.judge(&of("rust")));
    sources.rust_followed = crates.followed().into_iter().collect();
    out.extend(python::judge(root, &of("python"), words));
    out.extend(go::judge(root, &of("go")));
    out.extend(js::judge(root, &of("javascript"), &sources.texts));
    out.extend(java::judge(root, &of("java")));
    out
}

/// A test's skips as its own source gives them, before `apply` folded the runner's
/// verdict in: what the base analysis restores when the change may have altered how the
/// runner builds the test (see `baseline`).
#[derive(Clone, Debug)]
pub struct SourceSkips {
    pub test: String,
    pub ignored: Option<crate::scan::Skip>,
    pub conditional_skip: Option<crate::scan::Skip>,
}

/// Folds the `Never` and `Conditional` verdicts into the tests themselves (a condition on
/// the way to a test is the test's condition) and returns the `NotRun` ones, and the
/// source's own skips of every test it changed.
pub fn apply(sources: &mut Scanned, verdicts: Vec<TestVerdict>) -> (Vec<TestVerdict>, Vec<SourceSkips>) {
    let mut not_run = Vec::new();
    let mut before = Vec::new();
    for v in verdicts {
        let test = sources.files.iter_mut().flat_map(|f| f.tests.iter_mut()).find(|t| t.id == v.test);
        if let Some(t) = &test
            && matches!(v.verdict, Verdict::Never(_) | Verdict::Conditional(_) | Verdict::Runs)
        {
            before.push(SourceSkips {
                test: t.id.clone(),
                ignored: t.ignored.clone(),
                conditional_skip: t.conditional_skip.clone(),
            });
        }
        match (v.verdict, test) {
            (Verdict::Never(skip), Some(t)) => {
                t.ignored.get_or_insert(skip);
                t.conditional_skip = None;
            }
            // The package's answer covers the test's own conditions too.
            (Verdict::Conditional(skip), Some(t)) => {
                if t.ignored.is_none() {
                    t.conditional_skip = Some(skip);
                }
            }
            (Verdict::Runs, Some(t)) => t.conditional_skip = None,
            (verdict @ (Verdict::NotRun { .. } | Verdict::Uncollectable { .. }), _) => {
                not_run.push(TestVerdict { test: v.test, verdict })
            }
            (_, None) => {}
        }
    }
    (not_run, before)
}
